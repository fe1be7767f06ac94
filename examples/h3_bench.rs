//! One WebSocket over HTTP/3 against one over HTTP/2 and one over
//! HTTP/1.1, all over TLS, echoing binary messages one at a time
//! (`scripts/http3-bench.sh` runs it and writes its table into
//! `scripts/measurements.md`):
//!
//! ```text
//! cargo run --release --features http2,http3 --example h3_bench -- CERT KEY CA [SECONDS] [ROUNDS] [SIZE...]
//! ```
//!
//! The server runs in a process of its own (this program, started again
//! with `--serve`), on 127.0.0.1: `http2::accept_tls` on a TCP port
//! (HTTP/1.1 and HTTP/2) and `http3::Listener` on the same port number
//! over UDP, a thread per WebSocket, echoing as the `echo_server` example
//! does. The client opens one WebSocket over each binding in turn and
//! sends a SIZE-byte binary message (1024 and 65536 by default), waits for
//! its echo and sends the next, for SECONDS (3). It prints a Markdown
//! table: messages per second, and the round trip's p50 and p99, the
//! median of ROUNDS (3) rounds, the bindings run one right after the other
//! in each round.

use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use hybi::handshake::server::Response;
use hybi::net::tls::{self, Roots};
use hybi::net::{self, ClientOptions, ServerOptions, http2, http3};
use hybi::websocket::{Config, Message};

#[path = "support/bench.rs"]
mod support;
use support::{Run, medians, thousands};

/// The bindings, in the order each round runs them.
const BINDINGS: [&str; 3] = ["HTTP/3", "HTTP/2", "HTTP/1.1"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, cert, key] = &args[..] {
        if flag == "--serve" {
            let port = serve(tls::server_config(cert, key)?)?;
            println!("{port}");
            loop {
                thread::park();
            }
        }
    }
    if args.len() < 3 {
        eprintln!("usage: h3_bench CERT KEY CA [SECONDS] [ROUNDS] [SIZE...]");
        std::process::exit(2);
    }
    let number = |i: usize, default: u64| -> u64 {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    let (seconds, rounds) = (number(3, 3), number(4, 3) as usize);
    let mut sizes: Vec<usize> = args.iter().skip(5).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![1024, 64 * 1024];
    }
    let roots = tls::load_roots(&args[2])?;
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .args(["--serve", &args[0], &args[1]])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    let stdout = server.stdout.take().ok_or("no server output")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    let port: u16 = line.trim().parse()?;
    let result = bench(port, &roots, seconds, rounds, &sizes);
    let _ = server.kill();
    let _ = server.wait();
    result
}

fn bench(
    port: u16,
    roots: &hybi::net::tls::rustls::RootCertStore,
    seconds: u64,
    rounds: usize,
    sizes: &[usize],
) -> Result<(), Box<dyn std::error::Error>> {
    let url = format!("wss://localhost:{port}/");
    let options = ClientOptions::new()
        .roots(Roots::Custom(roots))
        .handshake_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(30))
        .config(Config::new().max_message_len(1 << 24));
    let mut rows = Vec::new();
    for &size in sizes {
        let mut runs: Vec<Vec<Run>> = vec![Vec::new(); BINDINGS.len()];
        for _ in 0..rounds {
            for (i, binding) in BINDINGS.iter().enumerate() {
                runs[i].push(run(&url, &options, binding, seconds, size)?);
            }
        }
        for (binding, runs) in BINDINGS.iter().zip(&runs) {
            rows.push((*binding, size, medians(runs)));
        }
    }
    println!(
        "One WebSocket at a time, binary messages echoed one at a time, {seconds} s per run, \
         median of {rounds} rounds; client and server in two processes, over TLS on 127.0.0.1.\n"
    );
    println!("| binding | message | messages/s | p50 (us) | p99 (us) |");
    println!("|---|---:|---:|---:|---:|");
    for (binding, size, (rate, p50, p99)) in rows {
        println!(
            "| {binding} | {} KiB | {} | {p50:.0} | {p99:.0} |",
            size / 1024,
            thousands(rate)
        );
    }
    Ok(())
}

/// The echo server on a TCP port (HTTP/1.1 and HTTP/2) and the same UDP
/// port (HTTP/3): its port.
fn serve(config: Arc<hybi::net::tls::rustls::ServerConfig>) -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let options = ServerOptions::new().config(Config::new().max_message_len(1 << 24));
    let mut h3 = http3::Listener::bind(("127.0.0.1", port), config.clone(), &options)?;
    thread::spawn(move || {
        while let Some(mut connection) = h3.accept() {
            thread::spawn(move || {
                while let Some(request) = connection.accept() {
                    let (rx, tx) = options.buffers();
                    if let Ok((ws, _)) = request.accept(rx, tx, |_| Response::accept()) {
                        thread::spawn(move || echo(ws));
                    }
                }
            });
        }
    });
    let config = http2::alpn(config);
    thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || {
                let (rx, tx) = options.buffers();
                match http2::accept_tls(socket, &config, &options, rx, tx, |_| Response::accept()) {
                    Ok(http2::Accepted::Http1(net::Accepted::WebSocket(ws, _))) => echo(ws),
                    Ok(http2::Accepted::Http2(mut connection)) => {
                        while let Some(request) = connection.accept() {
                            let (rx, tx) = options.buffers();
                            if let Ok((ws, _)) = request.accept(rx, tx, |_| Response::accept()) {
                                thread::spawn(move || echo(ws));
                            }
                        }
                    }
                    _ => {}
                }
            });
        }
    });
    Ok(port)
}

fn echo<T>(mut ws: hybi::WebSocket<T, net::Growable, hybi::Server, Vec<u8>>)
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write,
{
    while let Ok((message, mut writer)) = ws.read_with_writer() {
        let echoed = match message {
            Message::Binary(data) => writer.write_binary(data),
            Message::Close(_) => return,
            _ => Ok(()),
        };
        if echoed.is_err() {
            return;
        }
    }
}

/// Echoes `size`-byte messages for `seconds` over a WebSocket `send` runs
/// one round trip on: the round trips, in microseconds.
fn echoes(seconds: u64, size: usize, mut send: impl FnMut(&[u8]) -> bool) -> Vec<f64> {
    let message = vec![7u8; size];
    let mut rtts = Vec::new();
    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        let t = Instant::now();
        if !send(&message) {
            break;
        }
        rtts.push(t.elapsed().as_secs_f64() * 1e6);
    }
    rtts
}

/// One run over `binding`.
fn run(
    url: &str,
    options: &ClientOptions<'_>,
    binding: &str,
    seconds: u64,
    size: usize,
) -> Result<Run, Box<dyn std::error::Error>> {
    let (rx, tx) = (vec![0u8; 2 * size + 4096], vec![0u8; 64 * 1024]);
    let mut rtts = match binding {
        "HTTP/3" => {
            let session = http3::Session::connect(url, options)?;
            let (mut ws, _) = session.open_with("/", options, rx, tx)?;
            echoes(seconds, size, |m| {
                ws.send_binary(m).is_ok() && matches!(ws.read(), Ok(Message::Binary(_)))
            })
        }
        "HTTP/2" => {
            let session = http2::Session::connect(url, options)?;
            let (mut ws, _) = session.open_with("/", options, rx, tx)?;
            echoes(seconds, size, |m| {
                ws.send_binary(m).is_ok() && matches!(ws.read(), Ok(Message::Binary(_)))
            })
        }
        _ => {
            let (mut ws, _) = net::connect_with(url, options, rx, tx)?;
            echoes(seconds, size, |m| {
                ws.send_binary(m).is_ok() && matches!(ws.read(), Ok(Message::Binary(_)))
            })
        }
    };
    rtts.sort_by(f64::total_cmp);
    let at = |q: f64| rtts.get(((rtts.len() as f64 - 1.0) * q) as usize).copied();
    let rate = rtts.len() as f64 / seconds as f64;
    Ok((rate, at(0.5).unwrap_or(0.0), at(0.99).unwrap_or(0.0)))
}
