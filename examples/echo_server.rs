//! A WebSocket echo server, one thread per connection:
//!
//! ```text
//! cargo run --release --features std --example echo_server -- 127.0.0.1:9001
//! ```
//!
//! (127.0.0.1:9001 without an argument). Every text and binary message
//! comes back with the same type and bytes, whatever its size up to
//! 64 MiB, through a 256 KiB read buffer: each chunk read is written back
//! as a fragment, and a chunk fills the buffer unless its frame ends first
//! (the default [`Config::min_chunk_len`]), so a large message goes back
//! in frames of up to 256 KiB, each written straight from the read buffer.
//! The subprotocol is the first one offered among `echo` and
//! `chat`. A plain `GET /` gets a test page (`echo_server_page.html`, open
//! http://127.0.0.1:9001/ in a browser) that opens a WebSocket back to the
//! server, sends text and binary messages of a chosen size, and logs each
//! echo with its size and round-trip time; other paths get 404.
//! One line per connection goes to stderr.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use hybi::http::EMPTY_HEADER;
use hybi::net::{self, Accepted, Server, ServerOptions};
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Message};

/// Subprotocols this server speaks, in no particular order: it takes the
/// client's first choice among them.
const SUPPORTED: [&str; 2] = ["echo", "chat"];

/// Each connection's read buffer: as much as the core takes in one receive
/// (256 KiB), so a large message comes in with few reads and goes back in
/// few frames. Through 64 KiB, each 1 MiB message took 17 reads and 32
/// writes (each frame's header, then its payload from the read buffer),
/// and the server 1.2x to 1.5x tungstenite's CPU time, one message at a
/// time (`scripts/loopback-bench.sh`).
const READ_BUFFER_LEN: usize = 256 * 1024;

/// Each connection's write buffer: replies to small messages gather here;
/// a large chunk's payload bypasses it.
const WRITE_BUFFER_LEN: usize = 64 * 1024;

/// The largest message echoed; larger ones are refused with close code 1009
/// as soon as their first frame header announces them.
const MAX_MESSAGE_LEN: u64 = 64 * 1024 * 1024;

/// The test page served at `GET /`: connection status, text and binary
/// sends, a log of the echoes with their round-trip times, the negotiated
/// subprotocol and extensions, Close and Reconnect.
const PAGE: &str = include_str!("echo_server_page.html");

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("listening on ws://{addr}/");
    for socket in listener.incoming() {
        match socket {
            Ok(socket) => {
                std::thread::spawn(move || serve(socket));
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
}

/// Serves one connection and prints one line about it.
fn serve(socket: TcpStream) {
    let peer = socket
        .peer_addr()
        .map_or_else(|_| "?".to_string(), |a: SocketAddr| a.to_string());
    let options = ServerOptions::new()
        .write_timeout(Some(Duration::from_secs(30)))
        .config(Config::new().max_message_len(MAX_MESSAGE_LEN));
    let mut path = String::new();
    let accepted = net::accept(
        socket,
        &options,
        vec![0; READ_BUFFER_LEN],
        vec![0; WRITE_BUFFER_LEN],
        |request| {
            path = request.path().to_owned();
            Ok(request
                .protocols()
                .find_map(|p| SUPPORTED.into_iter().find(|s| *s == p)))
        },
    );
    match accepted {
        Ok(Accepted::WebSocket(ws, protocol)) => {
            let protocol = protocol.unwrap_or("-");
            match echo(ws) {
                Ok(stats) => eprintln!(
                    "{peer} ws {path} protocol {protocol}: {stats}, closed with {}",
                    stats.close.map_or("no code".into(), |c| c.to_string())
                ),
                Err((stats, e)) => eprintln!("{peer} ws {path} protocol {protocol}: {stats}, {e}"),
            }
        }
        Ok(Accepted::Http(ws)) => match page(ws) {
            Ok(line) => eprintln!("{peer} http {line}"),
            Err(e) => eprintln!("{peer} http: {e}"),
        },
        Err(e) => eprintln!("{peer} handshake: {e}"),
    }
}

/// What a connection carried.
#[derive(Default)]
struct Stats {
    messages: u64,
    bytes: u64,
    close: Option<u16>,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} messages, {} bytes", self.messages, self.bytes)
    }
}

/// Echoes chunk by chunk until the client closes.
fn echo(mut ws: Server<Vec<u8>>) -> Result<Stats, (Stats, net::Error)> {
    let mut stats = Stats::default();
    loop {
        let (chunk, mut writer) = match ws.read_chunk_with_writer() {
            Ok(read) => read,
            Err(e) => return Err((stats, e)),
        };
        let (kind, data, last) = match chunk {
            Chunk::Text { data, last } => (DataKind::Text, data.as_bytes(), last),
            Chunk::Binary { data, last } => (DataKind::Binary, data, last),
            Chunk::Control(Message::Close(close)) => {
                stats.close = close.map(|c| c.code().as_u16());
                return Ok(stats);
            }
            Chunk::Control(_) => continue,
        };
        stats.bytes += data.len() as u64;
        stats.messages += u64::from(last);
        if let Err(e) = writer.write_fragment(kind, data, last) {
            return Err((stats, e));
        }
    }
}

/// Answers a plain HTTP request: the page for `GET /`, 404 otherwise.
fn page(mut ws: Server<Vec<u8>>) -> Result<String, net::Error> {
    let mut headers = [EMPTY_HEADER; 32];
    let (line, found) = match ws.http_request(&mut headers) {
        Some(head) => (
            format!("{} {}", head.method, head.target),
            head.method == "GET" && head.target == "/",
        ),
        None => ("?".into(), false),
    };
    let response = if found {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
            PAGE.len()
        )
    } else {
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\
         Connection: close\r\n\r\nnot found\n"
            .to_string()
    };
    ws.write_raw(response.as_bytes())?;
    Ok(format!("{line}: {}", if found { 200 } else { 404 }))
}
