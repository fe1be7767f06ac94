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
use std::time::Duration;

use hybi::handshake::server::Response;
use hybi::net::tls::{self, Roots};
use hybi::net::{self, ClientOptions, ServerOptions, http2, http3};
use hybi::websocket::Config;

#[path = "support/bench.rs"]
mod support;
use support::{
    Run, echo, echoes, medians, round_trip, serve_if_asked, serve_tls, summary, thousands,
    with_server,
};

/// The bindings, in the order each round runs them.
const BINDINGS: [&str; 3] = ["HTTP/3", "HTTP/2", "HTTP/1.1"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    serve_if_asked(&args, |cert, key| {
        Ok(serve(tls::server_config(cert, key)?)?)
    })?;
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
    with_server(&args[0], &args[1], |port| {
        bench(port, &roots, seconds, rounds, &sizes)
    })
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
    serve_tls(listener, http2::alpn(config), options);
    Ok(port)
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
    let rtts = match binding {
        "HTTP/3" => {
            let session = http3::Session::connect(url, options)?;
            let (mut ws, _) = session.open_with("/", options, rx, tx)?;
            echoes(seconds, size, |m| round_trip(&mut ws, m))
        }
        "HTTP/2" => {
            let session = http2::Session::connect(url, options)?;
            let (mut ws, _) = session.open_with("/", options, rx, tx)?;
            echoes(seconds, size, |m| round_trip(&mut ws, m))
        }
        _ => {
            let (mut ws, _) = net::connect_with(url, options, rx, tx)?;
            echoes(seconds, size, |m| round_trip(&mut ws, m))
        }
    };
    Ok(summary(rtts, seconds))
}
