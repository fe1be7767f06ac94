//! A load generator for WebSocket echo servers: sends messages of one size
//! over one or more connections for a fixed time and prints one line of
//! results.
//!
//! ```text
//! cargo run --release --features std --example load_client -- \
//!     ws://127.0.0.1:9001/ --size 1024 --connections 16 --inflight 64 --seconds 3
//! ```
//!
//! With feature `tls`, `wss://` URLs too; `--ca CA.pem` trusts that CA
//! instead of the built-in roots.
//!
//! `--payload binary` (the default) sends binary messages, all alike;
//! `--payload json` sends JSON-like text (`examples/support/json_text.rs`),
//! distinct messages in turn, none again within 64 KiB. With feature
//! `deflate`, `--deflate on` offers permessage-deflate (32 KiB windows,
//! context takeover; the line says `deflate=declined` if the server did not
//! take it); it is off by default.
//!
//! `--wire` connects through a relay in this process that counts the bytes
//! crossing it, and the line gets the bytes on the wire per message each
//! way (`out_wire_per_msg`, `in_wire_per_msg`: frame headers, masks and TLS
//! records included, from the end of the opening handshake to the end of
//! the close handshake, whose few bytes are included, over the messages
//! echoed); without it they are `-`. The relay's copies cost time: measure
//! speed without it.
//!
//! With `--inflight 1` each connection sends a message, waits for its echo,
//! and records the round trip: the line has the latency percentiles. With
//! more, each connection keeps that many messages in flight (a writer
//! thread and a reader thread on the same socket) and the line has the
//! messages echoed per second. Any echo that differs from what was sent
//! ends the run with an error. `messages` counts the echoes that came back
//! in time, `echoed` every message the server echoed, those still in
//! flight at the deadline too: what the server's CPU time was spent on.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use hybi::Buffer;
use hybi::close::CloseCode;
use hybi::net::{self, ClientOptions, OsRandom, Stream};
use hybi::websocket::{Config, Message, WebSocket};

#[path = "support/json_text.rs"]
mod json_text;

/// Bounds every socket read and write, so a stuck server ends the run.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// What the messages are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PayloadKind {
    /// Binary, all alike.
    Binary,
    /// JSON-like text, distinct messages in turn.
    Json,
}

impl PayloadKind {
    fn name(self) -> &'static str {
        match self {
            PayloadKind::Binary => "binary",
            PayloadKind::Json => "json",
        }
    }
}

#[derive(Clone)]
struct Args {
    url: String,
    ca: Option<String>,
    size: usize,
    connections: usize,
    inflight: usize,
    seconds: f64,
    payload: PayloadKind,
    deflate: bool,
    wire: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: load_client URL [--size BYTES] [--connections N] [--inflight K] [--seconds S] \
         [--payload binary|json] [--deflate on|off] [--wire] [--ca CA.pem]"
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
        payload: PayloadKind::Binary,
        deflate: false,
        wire: false,
    };
    while let Some(flag) = args.next() {
        if flag == "--wire" {
            parsed.wire = true;
            continue;
        }
        let value = args.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--size" => parsed.size = value.parse().unwrap_or_else(|_| usage()),
            "--connections" => parsed.connections = value.parse().unwrap_or_else(|_| usage()),
            "--inflight" => parsed.inflight = value.parse().unwrap_or_else(|_| usage()),
            "--seconds" => parsed.seconds = value.parse().unwrap_or_else(|_| usage()),
            "--ca" => parsed.ca = Some(value),
            "--payload" => {
                parsed.payload = match value.as_str() {
                    "binary" => PayloadKind::Binary,
                    "json" => PayloadKind::Json,
                    _ => usage(),
                }
            }
            "--deflate" => {
                parsed.deflate = match value.as_str() {
                    "on" => true,
                    "off" => false,
                    _ => usage(),
                }
            }
            _ => usage(),
        }
    }
    if parsed.connections == 0 || parsed.inflight == 0 {
        usage();
    }
    if parsed.deflate && !cfg!(feature = "deflate") {
        eprintln!("load_client: --deflate on needs hybi's feature `deflate`");
        std::process::exit(2);
    }
    parsed
}

type Connection<B> = WebSocket<Stream, B, hybi::Client<OsRandom>, Vec<u8>>;

/// The configuration: permessage-deflate offered with `--deflate on` (and
/// a read buffer with inflate memory), declined otherwise.
fn config(args: &Args) -> Config {
    let config = Config::new().max_message_len(64 * 1024 * 1024);
    #[cfg(feature = "deflate")]
    let config = config.deflate(if args.deflate {
        hybi::deflate::DeflateConfig::new()
    } else {
        hybi::deflate::DeflateConfig::off()
    });
    #[cfg(not(feature = "deflate"))]
    let _ = args;
    config
}

/// Whether the connection agreed to permessage-deflate.
fn deflate_agreed<B: Buffer>(ws: &Connection<B>) -> bool {
    #[cfg(feature = "deflate")]
    return ws.connection().deflate().is_some();
    #[cfg(not(feature = "deflate"))]
    {
        let _ = ws;
        false
    }
}

/// Connects with `rx`, a read buffer that holds a whole echo: through a
/// counting relay with `--wire` (a `ws://` URL), whose counts come back.
fn connect<B: Buffer>(args: &Args, rx: B) -> Result<(Connection<B>, Option<Arc<Counts>>), String> {
    let options = ClientOptions::new()
        .read_timeout(IO_TIMEOUT)
        .write_timeout(IO_TIMEOUT)
        .config(config(args));
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
    let (url, counts) = match args.url.strip_prefix("ws://").filter(|_| args.wire) {
        Some(rest) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let (addr, counts) = relay(authority)?;
            (format!("ws://{addr}{path}"), Some(counts))
        }
        None if args.wire => return Err("--wire takes a ws:// URL".into()),
        None => (args.url.clone(), None),
    };
    net::connect_with(&url, &options, rx, tx)
        .map(|(ws, _)| (ws, counts))
        .map_err(|e| format!("connect: {e}"))
}

/// The messages a connection sends, in turn.
enum Payload {
    /// Bytes that are not all alike, so a shifted echo shows.
    Binary(Vec<u8>),
    /// Distinct texts.
    Text(Vec<String>),
}

/// One message to send.
enum Out<'a> {
    Binary(&'a [u8]),
    Text(&'a str),
}

impl Payload {
    fn new(args: &Args) -> Self {
        match args.payload {
            PayloadKind::Binary => {
                Payload::Binary((0..args.size).map(|i| (i % 251) as u8).collect())
            }
            PayloadKind::Json => Payload::Text(json_text::messages(args.size)),
        }
    }

    /// The `n`th message sent.
    fn message(&self, n: u64) -> Out<'_> {
        match self {
            Payload::Binary(data) => Out::Binary(data),
            Payload::Text(texts) => Out::Text(&texts[(n % texts.len() as u64) as usize]),
        }
    }

    /// Whether `echo` is the `n`th message sent.
    fn check(&self, n: u64, echo: Message<'_>) -> Result<(), String> {
        let (sent, got) = match (self.message(n), echo) {
            (Out::Binary(sent), Message::Binary(got)) => (sent, got),
            (Out::Text(sent), Message::Text(got)) => (sent.as_bytes(), got.as_bytes()),
            (_, other) => return Err(format!("unexpected {other:?}")),
        };
        if got == sent {
            Ok(())
        } else {
            Err(format!(
                "echo of {} bytes differs from the {} sent",
                got.len(),
                sent.len()
            ))
        }
    }
}

/// Bytes on the wire each way, and the messages echoed over them.
#[derive(Clone, Copy, Default)]
struct Wire {
    out: u64,
    inbound: u64,
    messages: u64,
}

/// What one connection did.
struct Outcome {
    /// Messages echoed before the deadline.
    counted: u64,
    /// Every message echoed, those still in flight at the deadline too:
    /// what the server's CPU time was spent on.
    echoed: u64,
    /// Round trips, in nanoseconds (one message at a time only).
    rtts: Vec<u64>,
    /// `None` where the kernel does not say.
    wire: Option<Wire>,
    /// permessage-deflate was agreed.
    deflate: bool,
}

/// Bytes counted crossing a [`relay`], each way.
#[derive(Default)]
struct Counts {
    out: AtomicU64,
    inbound: AtomicU64,
}

impl Counts {
    fn now(&self) -> (u64, u64) {
        (
            self.out.load(Ordering::SeqCst),
            self.inbound.load(Ordering::SeqCst),
        )
    }
}

/// A relay on 127.0.0.1 for one connection to `server` (`host:port`): its
/// address, and the bytes it forwarded each way so far.
fn relay(server: &str) -> Result<(std::net::SocketAddr, Arc<Counts>), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("relay: {e}"))?;
    let addr = listener.local_addr().map_err(|e| format!("relay: {e}"))?;
    let counts = Arc::new(Counts::default());
    let (server, shared) = (server.to_string(), Arc::clone(&counts));
    thread::spawn(move || {
        let (Ok((client, _)), Ok(upstream)) = (listener.accept(), TcpStream::connect(&server))
        else {
            return;
        };
        let _ = (client.set_nodelay(true), upstream.set_nodelay(true));
        let (Ok(client2), Ok(upstream2)) = (client.try_clone(), upstream.try_clone()) else {
            return;
        };
        let back = Arc::clone(&shared);
        thread::spawn(move || {
            pump(upstream2, client2, |n| {
                back.inbound.fetch_add(n, Ordering::SeqCst)
            })
        });
        pump(client, upstream, |n| {
            shared.out.fetch_add(n, Ordering::SeqCst)
        });
    });
    Ok((addr, counts))
}

/// Copies `from` to `to` until either ends, counting with `count`.
fn pump(mut from: TcpStream, mut to: TcpStream, count: impl Fn(u64) -> u64) {
    use std::io::{Read, Write};
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
                count(n as u64);
            }
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// A relay's counts once the last bytes the close sent have crossed it.
fn settled(counts: &Counts) -> (u64, u64) {
    let mut last = counts.now();
    loop {
        thread::sleep(Duration::from_millis(20));
        let now = counts.now();
        if now == last {
            return now;
        }
        last = now;
    }
}

/// The bytes between two readings of a relay's [`Counts`], over `messages`.
fn wire(before: Option<(u64, u64)>, after: Option<(u64, u64)>, messages: u64) -> Option<Wire> {
    let ((out0, in0), (out1, in1)) = (before?, after?);
    Some(Wire {
        out: out1 - out0,
        inbound: in1 - in0,
        messages,
    })
}

/// Ends the connection with the close handshake.
fn close<B: Buffer>(ws: &mut Connection<B>) -> Result<(), String> {
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

/// One message at a time until `deadline`: the round trips.
fn ping_pong<B: Buffer>(
    args: &Args,
    rx: B,
    payload: &Payload,
    deadline: Instant,
) -> Result<Outcome, String> {
    let (mut ws, counts) = connect(args, rx)?;
    let before = counts.as_ref().map(|c| c.now());
    let mut rtts = Vec::with_capacity(1 << 16);
    while Instant::now() < deadline {
        let n = rtts.len() as u64;
        let start = Instant::now();
        match payload.message(n) {
            Out::Binary(data) => ws.send_binary(data),
            Out::Text(text) => ws.send_text(text),
        }
        .map_err(|e| format!("send: {e}"))?;
        let echo = ws.read().map_err(|e| format!("read: {e}"))?;
        payload.check(n, echo)?;
        rtts.push(start.elapsed().as_nanos() as u64);
    }
    let deflate = deflate_agreed(&ws);
    close(&mut ws)?;
    drop(ws);
    let after = counts.as_ref().map(|c| settled(c));
    Ok(Outcome {
        counted: rtts.len() as u64,
        echoed: rtts.len() as u64,
        wire: wire(before, after, rtts.len() as u64),
        rtts,
        deflate,
    })
}

/// `args.inflight` messages in flight until `deadline`: how many echoes
/// came back before it.
fn pipelined<B: Buffer + Send + 'static>(
    args: &Args,
    rx: B,
    payload: Arc<Payload>,
    deadline: Instant,
) -> Result<Outcome, String> {
    let (ws, counts) = connect(args, rx)?;
    let deflate = deflate_agreed(&ws);
    let before = counts.as_ref().map(|c| c.now());
    // A writer and a reader on two threads: the connection's split halves,
    // over a clone of the socket (plain TCP) or sharing the TLS state.
    let (mut reader, mut writer) = net::split(ws).map_err(|e| format!("split: {e}"))?;

    // One token per echo received: the writer spends one per message.
    let (tokens, spend) = mpsc::channel::<()>();
    let expected = Arc::clone(&payload);
    let reading = thread::spawn(move || -> Result<(u64, u64), String> {
        let (mut before_deadline, mut echoed) = (0, 0);
        loop {
            match reader.read().map_err(|e| format!("read: {e}"))? {
                Message::Close(close) => {
                    return match close.map(|c| c.code()) {
                        Some(code) if code != CloseCode::NORMAL => {
                            Err(format!("the server closed with {code}"))
                        }
                        _ => Ok((before_deadline, echoed)),
                    };
                }
                echo => expected.check(echoed, echo)?,
            }
            echoed += 1;
            if Instant::now() < deadline {
                before_deadline += 1;
            }
            let _ = tokens.send(());
        }
    });

    let writing = (|| -> Result<(), String> {
        let mut sent = 0;
        let mut outstanding = 0;
        while Instant::now() < deadline {
            while outstanding < args.inflight {
                match payload.message(sent) {
                    Out::Binary(data) => writer.write_binary(data),
                    Out::Text(text) => writer.write_text(text),
                }
                .map_err(|e| format!("write: {e}"))?;
                sent += 1;
                outstanding += 1;
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
            .map_err(|e| format!("close: {e}"))
    })();
    if let Err(e) = writing {
        // A server that ended the connection says why to the reader
        // (its close code) before the writer finds the socket closed.
        let waited = Instant::now();
        while !reading.is_finished() && waited.elapsed() < Duration::from_secs(1) {
            thread::sleep(Duration::from_millis(10));
        }
        if reading.is_finished() {
            if let Ok(Err(why)) = reading.join() {
                return Err(why);
            }
        }
        return Err(e);
    }
    let (counted, echoed) = reading
        .join()
        .map_err(|_| "the reader panicked".to_string())??;
    Ok(Outcome {
        counted,
        echoed,
        rtts: Vec::new(),
        wire: wire(before, counts.as_ref().map(|c| settled(c)), echoed),
        deflate,
    })
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
    // A read buffer that holds a whole echo; with --deflate on, with
    // memory to inflate with a 32 KiB window beside it.
    let len = args.size + 64 * 1024 + 256;
    #[cfg(feature = "deflate")]
    if args.deflate {
        use hybi::deflate::{Inflater, Inflating};
        run(&args, move || {
            Inflating::new(vec![0u8; len], Inflater::new(vec![0u8; 32 * 1024]))
        });
        return;
    }
    run(&args, move || vec![0u8; len]);
}

/// Runs the load, each connection with a read buffer from `rx`, and
/// prints the line.
fn run<B, F>(args: &Args, rx: F)
where
    B: Buffer + Send + 'static,
    F: Fn() -> B + Clone + Send + 'static,
{
    let payload = Arc::new(Payload::new(args));
    let duration = Duration::from_secs_f64(args.seconds);
    let start = Instant::now();
    let deadline = start + duration;
    let workers: Vec<_> = (0..args.connections)
        .map(|_| {
            let (args, rx, payload) = (args.clone(), rx.clone(), Arc::clone(&payload));
            thread::spawn(move || {
                if args.inflight == 1 {
                    ping_pong(&args, rx(), &payload, deadline)
                } else {
                    pipelined(&args, rx(), payload, deadline)
                }
            })
        })
        .collect();
    let mut messages = 0;
    let mut echoed = 0;
    let mut rtts = Vec::new();
    let mut wire = Some(Wire::default());
    let mut agreed = true;
    for worker in workers {
        match worker.join() {
            Ok(Ok(mut outcome)) => {
                messages += outcome.counted;
                echoed += outcome.echoed;
                rtts.append(&mut outcome.rtts);
                wire = match (wire, outcome.wire) {
                    (Some(sum), Some(w)) => Some(Wire {
                        out: sum.out + w.out,
                        inbound: sum.inbound + w.inbound,
                        messages: sum.messages + w.messages,
                    }),
                    _ => None,
                };
                agreed &= outcome.deflate;
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
    let deflate = match (args.deflate, agreed) {
        (false, _) => "off",
        (true, true) => "on",
        (true, false) => "declined",
    };
    let per_message = |bytes: fn(&Wire) -> u64| match wire {
        Some(w) if w.messages > 0 => format!("{:.1}", bytes(&w) as f64 / w.messages as f64),
        _ => "-".to_string(),
    };
    println!(
        "size={} connections={} inflight={} messages={} echoed={} msg_per_s={:.0} p50_us={:.1} \
         p99_us={:.1} payload={} deflate={} out_wire_per_msg={} in_wire_per_msg={}",
        args.size,
        args.connections,
        args.inflight,
        messages,
        echoed,
        messages as f64 / duration.as_secs_f64(),
        percentile(&rtts, 0.50),
        percentile(&rtts, 0.99),
        args.payload.name(),
        deflate,
        per_message(|w| w.out),
        per_message(|w| w.inbound),
    );
}
