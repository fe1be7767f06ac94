//! A load generator for WebSocket echo servers: sends binary messages of
//! one size over one or more connections for a fixed time and prints one
//! line of results.
//!
//! ```text
//! cargo run --release --features std --example load_client -- \
//!     ws://127.0.0.1:9001/ --size 1024 --connections 16 --inflight 64 --seconds 3
//! ```
//!
//! With feature `tls`, `wss://` URLs too; `--ca CA.pem` trusts that CA
//! instead of the built-in roots.
//!
//! With `--inflight 1` each connection sends a message, waits for its echo,
//! and records the round trip: the line has the latency percentiles. With
//! more, each connection keeps that many messages in flight (a writer
//! thread and a reader thread on the same socket) and the line has the
//! messages echoed per second. Any echo that differs from what was sent
//! ends the run with an error. `messages` counts the echoes that came back
//! in time, `echoed` every message the server echoed, those still in
//! flight at the deadline too: what the server's CPU time was spent on.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use hybi::close::CloseCode;
use hybi::net::{self, ClientOptions, OsRandom, Stream};
use hybi::websocket::{Config, Message, WebSocket};

/// Bounds every socket read and write, so a stuck server ends the run.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
struct Args {
    url: String,
    ca: Option<String>,
    size: usize,
    connections: usize,
    inflight: usize,
    seconds: f64,
}

fn usage() -> ! {
    eprintln!(
        "usage: load_client URL [--size BYTES] [--connections N] [--inflight K] [--seconds S] \
         [--ca CA.pem]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| usage());
    let mut parsed = Args {
        url,
        ca: None,
        size: 16,
        connections: 1,
        inflight: 1,
        seconds: 3.0,
    };
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--size" => parsed.size = value.parse().unwrap_or_else(|_| usage()),
            "--connections" => parsed.connections = value.parse().unwrap_or_else(|_| usage()),
            "--inflight" => parsed.inflight = value.parse().unwrap_or_else(|_| usage()),
            "--seconds" => parsed.seconds = value.parse().unwrap_or_else(|_| usage()),
            "--ca" => parsed.ca = Some(value),
            _ => usage(),
        }
    }
    if parsed.connections == 0 || parsed.inflight == 0 {
        usage();
    }
    parsed
}

type Connection = WebSocket<Stream, Vec<u8>, hybi::Client<OsRandom>>;

/// Connects with a read buffer that holds a whole echo.
fn connect(args: &Args) -> Result<Connection, String> {
    let options = ClientOptions::new()
        .read_timeout(IO_TIMEOUT)
        .write_timeout(IO_TIMEOUT)
        .config(Config::new().max_message_len(64 * 1024 * 1024));
    let rx = vec![0u8; args.size + 64 * 1024 + 256];
    let tx = vec![0u8; 64 * 1024];
    #[cfg(feature = "tls")]
    let roots = args
        .ca
        .as_deref()
        .map(hybi::net::tls::load_roots)
        .transpose()
        .map_err(|e| format!("--ca: {e}"))?;
    #[cfg(feature = "tls")]
    let options = match &roots {
        Some(roots) => options.roots(hybi::net::tls::Roots::Custom(roots)),
        None => options,
    };
    #[cfg(not(feature = "tls"))]
    if args.ca.is_some() {
        return Err("--ca needs hybi's feature `tls`".into());
    }
    net::connect_with(&args.url, &options, rx, tx)
        .map(|(ws, _)| ws)
        .map_err(|e| format!("connect: {e}"))
}

/// The payload: bytes that are not all alike, so a shifted echo shows.
fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8).collect()
}

fn check(echo: Message<'_>, sent: &[u8]) -> Result<(), String> {
    match echo {
        Message::Binary(data) if data == sent => Ok(()),
        Message::Binary(data) => Err(format!(
            "echo of {} bytes differs from the {} sent",
            data.len(),
            sent.len()
        )),
        other => Err(format!("unexpected {other:?}")),
    }
}

/// Ends the connection with the close handshake.
fn close(ws: &mut Connection) -> Result<(), String> {
    ws.close(CloseCode::NORMAL, "")
        .map_err(|e| format!("close: {e}"))?;
    loop {
        match ws.read() {
            Ok(Message::Close(_)) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("waiting for the close: {e}")),
        }
    }
}

/// One message at a time until `deadline`: the round trips, in
/// nanoseconds.
fn ping_pong(args: &Args, deadline: Instant) -> Result<Vec<u64>, String> {
    let mut ws = connect(args)?;
    let data = payload(args.size);
    let mut rtts = Vec::with_capacity(1 << 16);
    while Instant::now() < deadline {
        let start = Instant::now();
        ws.send_binary(&data).map_err(|e| format!("send: {e}"))?;
        let echo = ws.read().map_err(|e| format!("read: {e}"))?;
        check(echo, &data)?;
        rtts.push(start.elapsed().as_nanos() as u64);
    }
    close(&mut ws)?;
    Ok(rtts)
}

/// `args.inflight` messages in flight until `deadline`: how many echoes
/// came back before it, and how many were sent in all (every one of them
/// is echoed before the close).
fn pipelined(args: &Args, deadline: Instant) -> Result<(u64, u64), String> {
    let ws = connect(args)?;
    // A writer and a reader on two threads: the connection's split halves,
    // over a clone of the socket (plain TCP) or sharing the TLS state.
    let (mut reader, mut writer) = net::split(ws).map_err(|e| format!("split: {e}"))?;

    // One token per echo received: the writer spends one per message.
    let (tokens, spend) = mpsc::channel::<()>();
    let size = args.size;
    let reading = thread::spawn(move || -> Result<u64, String> {
        let data = payload(size);
        let mut before_deadline = 0;
        loop {
            match reader.read().map_err(|e| format!("read: {e}"))? {
                Message::Close(_) => return Ok(before_deadline),
                echo => check(echo, &data)?,
            }
            if Instant::now() < deadline {
                before_deadline += 1;
            }
            let _ = tokens.send(());
        }
    });

    let data = payload(args.size);
    let mut outstanding = 0;
    let mut sent = 0;
    while Instant::now() < deadline {
        while outstanding < args.inflight {
            writer
                .write_binary(&data)
                .map_err(|e| format!("write: {e}"))?;
            outstanding += 1;
            sent += 1;
        }
        writer.flush().map_err(|e| format!("flush: {e}"))?;
        spend
            .recv_timeout(IO_TIMEOUT)
            .map_err(|_| "no echo in time".to_string())?;
        outstanding -= 1;
        // Take every token already there before writing again.
        while spend.try_recv().is_ok() {
            outstanding -= 1;
        }
    }
    // The close follows the last message; the reader sees every echo,
    // then the server's close.
    writer
        .close(CloseCode::NORMAL, "")
        .map_err(|e| format!("close: {e}"))?;
    let before_deadline = reading
        .join()
        .map_err(|_| "the reader panicked".to_string())??;
    Ok((before_deadline, sent))
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank] as f64 / 1000.0
}

fn main() {
    let args = parse_args();
    let duration = Duration::from_secs_f64(args.seconds);
    let start = Instant::now();
    let deadline = start + duration;
    let workers: Vec<_> = (0..args.connections)
        .map(|_| {
            let args = args.clone();
            thread::spawn(move || {
                if args.inflight == 1 {
                    ping_pong(&args, deadline).map(|rtts| {
                        let n = rtts.len() as u64;
                        (n, n, rtts)
                    })
                } else {
                    pipelined(&args, deadline).map(|(n, sent)| (n, sent, Vec::new()))
                }
            })
        })
        .collect();
    let mut messages = 0;
    let mut echoed = 0;
    let mut rtts = Vec::new();
    for worker in workers {
        match worker.join() {
            Ok(Ok((n, sent, mut times))) => {
                messages += n;
                echoed += sent;
                rtts.append(&mut times);
            }
            Ok(Err(e)) => {
                eprintln!("load_client: {e}");
                std::process::exit(1);
            }
            Err(_) => {
                eprintln!("load_client: a connection panicked");
                std::process::exit(1);
            }
        }
    }
    if messages == 0 {
        eprintln!("load_client: no message echoed");
        std::process::exit(1);
    }
    rtts.sort_unstable();
    println!(
        "size={} connections={} inflight={} messages={} echoed={} msg_per_s={:.0} p50_us={:.1} p99_us={:.1}",
        args.size,
        args.connections,
        args.inflight,
        messages,
        echoed,
        messages as f64 / duration.as_secs_f64(),
        percentile(&rtts, 0.50),
        percentile(&rtts, 0.99),
    );
}
