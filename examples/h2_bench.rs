//! WebSockets multiplexed on one HTTP/2 connection against as many
//! HTTP/1.1 connections, both over TLS, echoing binary messages one at a
//! time on each WebSocket (`scripts/http2-bench.sh` runs it and writes its
//! table into `scripts/measurements.md`):
//!
//! ```text
//! cargo run --release --features http2 --example h2_bench -- CERT KEY CA [WEBSOCKETS] [SECONDS] [ROUNDS] [SIZE]
//! ```
//!
//! The server runs in a process of its own (this program, started again
//! with `--serve`), on 127.0.0.1: `http2::accept_tls` with a thread per TCP
//! connection and, over HTTP/2, per WebSocket, echoing as the
//! `echo_server` example does; each process has its own HTTP/2 runtime
//! thread. The client opens WEBSOCKETS
//! (100) WebSockets either as streams of one HTTP/2 connection
//! (`http2::Session`) or as that many `wss://` connections over HTTP/1.1,
//! then each sends a SIZE-byte (1024) binary message, waits for its echo
//! and sends the next, for SECONDS (3), all at once, on a thread each. It
//! prints a Markdown table: messages per second over all the WebSockets,
//! and the round trip's p50 and p99, the median of ROUNDS (3) rounds, the
//! two bindings run one right after the other in each round.

use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use hybi::net::tls::{self, Roots};
use hybi::net::{self, ClientOptions, ServerOptions, http2};
use hybi::websocket::Config;

#[path = "support/bench.rs"]
mod support;
use support::{
    Run, echoes, medians, round_trip, serve_if_asked, serve_tls, summary, thousands, with_server,
};

/// One echo on one WebSocket: whether it came back.
type Exchange = Box<dyn FnMut(&[u8]) -> bool + Send>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    serve_if_asked(&args, |cert, key| {
        Ok(serve(http2::alpn(tls::server_config(cert, key)?))?)
    })?;
    if args.len() < 3 {
        eprintln!("usage: h2_bench CERT KEY CA [WEBSOCKETS] [SECONDS] [ROUNDS] [SIZE]");
        std::process::exit(2);
    }
    let number = |i: usize, default: u64| -> u64 {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    let (sockets, seconds, rounds, size) = (
        number(3, 100) as usize,
        number(4, 3),
        number(5, 3) as usize,
        number(6, 1024) as usize,
    );
    let roots = tls::load_roots(&args[2])?;
    with_server(&args[0], &args[1], |port| {
        bench(port, &roots, sockets, seconds, rounds, size)
    })
}

fn bench(
    port: u16,
    roots: &hybi::net::tls::rustls::RootCertStore,
    sockets: usize,
    seconds: u64,
    rounds: usize,
    size: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let url = format!("wss://localhost:{port}/");
    let options = ClientOptions::new()
        .roots(Roots::Custom(roots))
        .handshake_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(30));

    let mut h2 = Vec::new();
    let mut h1 = Vec::new();
    for _ in 0..rounds {
        h2.push(run(&url, &options, true, sockets, seconds, size)?);
        h1.push(run(&url, &options, false, sockets, seconds, size)?);
    }
    println!(
        "{sockets} WebSockets, {size}-byte binary messages echoed one at a time on each, \
         {seconds} s per run, median of {rounds} rounds; client and server in two processes, \
         over TLS on 127.0.0.1.\n"
    );
    println!("| binding | connections | messages/s | p50 (us) | p99 (us) |");
    println!("|---|---:|---:|---:|---:|");
    for (name, connections, runs) in [("HTTP/2, multiplexed", 1, &h2), ("HTTP/1.1", sockets, &h1)] {
        let (rate, p50, p99) = medians(runs);
        println!(
            "| {name} | {connections} | {} | {p50:.0} | {p99:.0} |",
            thousands(rate)
        );
    }
    Ok(())
}

/// The echo server, on a port of its own: its port.
fn serve(config: Arc<hybi::net::tls::rustls::ServerConfig>) -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    serve_tls(listener, config, ServerOptions::new());
    Ok(port)
}

/// One run: every WebSocket echoing for `seconds` at once.
fn run(
    url: &str,
    options: &ClientOptions<'_>,
    multiplexed: bool,
    sockets: usize,
    seconds: u64,
    size: usize,
) -> Result<Run, Box<dyn std::error::Error>> {
    let config = Config::new();
    let options = options.config(config);
    let session = if multiplexed {
        Some(http2::Session::connect(url, &options)?)
    } else {
        None
    };
    // Open them all first; then they start together.
    let mut workers = Vec::new();
    let start = Arc::new(std::sync::Barrier::new(sockets + 1));
    for _ in 0..sockets {
        let start = start.clone();
        let work = move |send: Exchange| {
            start.wait();
            echoes(seconds, size, send)
        };
        let (rx, tx) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
        workers.push(match &session {
            Some(session) => {
                let (mut ws, _) = session.open_with("/", &options, rx, tx)?;
                thread::spawn(move || work(Box::new(move |m| round_trip(&mut ws, m))))
            }
            None => {
                let (mut ws, _) = net::connect_with(url, &options, rx, tx)?;
                thread::spawn(move || work(Box::new(move |m| round_trip(&mut ws, m))))
            }
        });
    }
    start.wait();
    let mut rtts: Vec<f64> = Vec::new();
    for worker in workers {
        rtts.extend(worker.join().map_err(|_| "a client thread panicked")?);
    }
    Ok(summary(rtts, seconds))
}
