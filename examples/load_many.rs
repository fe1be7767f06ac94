//! A load client for an echo server (such as the `echo_server` example):
//!
//! ```text
//! load_many many ws://127.0.0.1:9001/ [CONNECTIONS] [MESSAGES]
//! load_many soak ws://127.0.0.1:9001/ [MESSAGES] [SERVER_PID]
//! ```
//!
//! `many` opens CONNECTIONS connections (1,000 by default) and holds them
//! all open at once; then each sends MESSAGES messages (100 by default:
//! text and binary, 1 to 2,000 bytes, each different) in batches of 10 and
//! checks that every echo comes back intact and in order.
//!
//! `soak` sends MESSAGES small messages (1,000,000 by default) through one
//! connection, pipelined 1,000 at a time, checking each echo. With the
//! server's process id it reads the server's resident memory (`VmRSS` in
//! `/proc/PID/status`) after a warm-up of 20,000 messages and again at the
//! end, with the connection still open, and fails if it grew by more than
//! 1 MiB.
//!
//! Every socket has 30-second timeouts; the exit status is 0 only if every
//! message came back intact.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use hybi::close::CloseCode;
use hybi::net::{self, ClientOptions};
use hybi::websocket::Message;

const TIMEOUT: Duration = Duration::from_secs(30);
const BATCH: usize = 10;
const SOAK_WINDOW: u64 = 1000;
const SOAK_WARMUP: u64 = 20_000;
const RSS_TOLERANCE_KB: u64 = 1024;

type Client = net::ClientOver<[u8; 8192]>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| -> u64 {
        args.get(i).map_or(default, |a| {
            a.parse()
                .unwrap_or_else(|_| fail(&format!("not a number: {a}")))
        })
    };
    let result = match (args.first().map(String::as_str), args.get(1)) {
        (Some("many"), Some(url)) => many(url, number(2, 1000) as usize, number(3, 100) as usize),
        (Some("soak"), Some(url)) => {
            soak(url, number(2, 1_000_000), args.get(3).map(|_| number(3, 0)))
        }
        _ => Err(
            "usage: load_many many URL [CONNECTIONS] [MESSAGES] | soak URL [MESSAGES] [SERVER_PID]"
                .into(),
        ),
    };
    if let Err(e) = result {
        fail(&e);
    }
}

fn fail(message: &str) -> ! {
    eprintln!("load_many: {message}");
    std::process::exit(1);
}

fn options() -> ClientOptions<'static> {
    ClientOptions::new()
        .connect_timeout(TIMEOUT)
        .handshake_timeout(TIMEOUT)
        .read_timeout(TIMEOUT)
        .write_timeout(TIMEOUT)
}

fn open(url: &str) -> Result<Client, String> {
    net::connect_with(url, &options(), [0; 8192], [0; 8192])
        .map(|(ws, _)| ws)
        .map_err(|e| format!("connect: {e}"))
}

/// Message `i` of connection `c`: text for even `i`, binary for odd, of a
/// length and content that depend on both.
fn payload(c: usize, i: usize) -> Vec<u8> {
    let len = 1 + (c * 131 + i * 977) % 2000;
    let seed = format!("c{c} m{i} ");
    seed.bytes().cycle().take(len).collect()
}

fn check(message: Message<'_>, expected: &[u8], text: bool, what: &str) -> Result<(), String> {
    let (got, is_text) = match message {
        Message::Text(t) => (t.as_bytes(), true),
        Message::Binary(b) => (b, false),
        other => return Err(format!("{what}: expected an echo, got {other:?}")),
    };
    if is_text != text || got != expected {
        return Err(format!(
            "{what}: echo differs ({} bytes, expected {})",
            got.len(),
            expected.len()
        ));
    }
    Ok(())
}

fn close(mut ws: Client) -> Result<(), String> {
    ws.close(CloseCode::NORMAL, "")
        .map_err(|e| format!("close: {e}"))?;
    loop {
        match ws.read() {
            Ok(Message::Close(_)) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("closing: {e}")),
        }
    }
}

fn many(url: &str, connections: usize, messages: usize) -> Result<(), String> {
    let start = Instant::now();
    let ready = Arc::new(Barrier::new(connections + 1));
    let mut threads = Vec::with_capacity(connections);
    for c in 0..connections {
        let (url, ready) = (url.to_owned(), ready.clone());
        let thread = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let ws = open(&url);
                // Every connection is open (or failed) before any sends.
                ready.wait();
                let mut ws = ws.map_err(|e| format!("connection {c}: {e}"))?;
                let mut bytes = 0;
                for batch in (0..messages).step_by(BATCH) {
                    let end = (batch + BATCH).min(messages);
                    for i in batch..end {
                        let p = payload(c, i);
                        let sent = if i % 2 == 0 {
                            ws.send_text(std::str::from_utf8(&p).unwrap())
                        } else {
                            ws.send_binary(&p)
                        };
                        sent.map_err(|e| format!("connection {c} send {i}: {e}"))?;
                        bytes += p.len();
                    }
                    for i in batch..end {
                        let what = format!("connection {c} message {i}");
                        let m = ws.read().map_err(|e| format!("{what}: {e}"))?;
                        check(m, &payload(c, i), i % 2 == 0, &what)?;
                    }
                }
                close(ws).map_err(|e| format!("connection {c}: {e}"))?;
                Ok::<usize, String>(bytes)
            })
            .map_err(|e| format!("spawn: {e}"))?;
        threads.push(thread);
    }
    ready.wait();
    let opened = start.elapsed();
    let mut bytes = 0;
    let mut echoed = 0;
    let mut errors = Vec::new();
    for t in threads {
        match t.join() {
            Ok(Ok(b)) => {
                bytes += b;
                echoed += messages;
            }
            Ok(Err(e)) => errors.push(e),
            Err(_) => errors.push("a client thread panicked".into()),
        }
    }
    let elapsed = start.elapsed();
    println!(
        "many: {connections} connections open at once after {:.2} s; {} messages ({} bytes) echoed intact in {:.2} s; {} failed",
        opened.as_secs_f64(),
        echoed,
        bytes,
        elapsed.as_secs_f64(),
        errors.len()
    );
    match errors.first() {
        Some(e) => Err(format!("{} connections failed; first: {e}", errors.len())),
        None => Ok(()),
    }
}

fn rss_kb(pid: u64) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS".into())
}

fn soak(url: &str, messages: u64, pid: Option<u64>) -> Result<(), String> {
    let mut ws = open(url)?;
    let start = Instant::now();
    let mut rss_start = None;
    let mut sent = 0u64;
    let mut received = 0u64;
    while received < messages {
        if received >= SOAK_WARMUP.min(messages) && rss_start.is_none() {
            if let Some(pid) = pid {
                rss_start = Some(rss_kb(pid)?);
            }
        }
        let end = (sent + SOAK_WINDOW).min(messages);
        while sent < end {
            ws.send_text(&sent.to_string())
                .map_err(|e| format!("send {sent}: {e}"))?;
            sent += 1;
        }
        while received < sent {
            let expected = received.to_string();
            let what = format!("message {received}");
            let m = ws.read().map_err(|e| format!("{what}: {e}"))?;
            check(m, expected.as_bytes(), true, &what)?;
            received += 1;
        }
    }
    let elapsed = start.elapsed();
    let rss = match (pid, rss_start) {
        (Some(pid), Some(first)) => Some((first, rss_kb(pid)?)),
        _ => None,
    };
    close(ws)?;
    println!(
        "soak: {messages} messages echoed through one connection in {:.2} s ({:.0} messages/s)",
        elapsed.as_secs_f64(),
        messages as f64 / elapsed.as_secs_f64()
    );
    if let Some((first, last)) = rss {
        println!(
            "soak: server VmRSS {first} kB after {} messages, {last} kB after {messages} ({:+} kB)",
            SOAK_WARMUP.min(messages),
            last as i64 - first as i64
        );
        if last > first + RSS_TOLERANCE_KB {
            return Err(format!("server memory grew from {first} kB to {last} kB"));
        }
    }
    Ok(())
}
