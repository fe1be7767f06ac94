//! A WebSocket echo server, one thread per connection:
//!
//! ```text
//! cargo run --release --features std,deflate --example echo_server -- 127.0.0.1:9001
//! cargo run --release --features tls,deflate --example echo_server -- 127.0.0.1:9443 --tls cert.pem key.pem
//! ```
//!
//! (127.0.0.1:9001 without an argument). With `--tls CERT KEY` (feature
//! `tls`; a PEM certificate chain, the server's certificate first, and its
//! PEM private key) it serves `wss://` and the test page over `https://`;
//! `cargo run -p hybi-dev --example tls_certs -- DIR` makes a throwaway pair and the CA
//! to trust. Every text and binary message
//! comes back with the same type and bytes, whatever its size up to
//! 64 MiB, through a 256 KiB read buffer: each chunk read is written back
//! as a fragment, and a chunk fills the buffer unless its frame ends first
//! (the default [`Config::min_chunk_len`]), so a large message goes back
//! in frames of up to 256 KiB, each written straight from the read buffer.
//! The subprotocol is the first one offered among `echo` and
//! `chat`. A plain `GET /` gets a test page (`echo_server_page.html`, open
//! http://127.0.0.1:9001/ in a browser) that opens a WebSocket back to the
//! server, sends text and binary messages of a chosen size, and logs each
//! echo with its size and round-trip time. WebSockets are served at `/`
//! (with any query); other paths get 404, WebSocket upgrades included.
//! One line per connection goes to stderr. With feature `deflate`
//! (`--features std,deflate`) it accepts permessage-deflate: compressed
//! messages are inflated as they arrive and the echoes go out compressed;
//! `--no-deflate` declines it.
//!
//! With feature `http2` too (`--features http2,deflate`), `--tls` serves
//! HTTP/2 on the same port (ALPN `h2`, then `http/1.1`), with
//! `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`: the page loads over HTTP/2 in a
//! browser, which then opens its WebSocket as a stream of that connection
//! (RFC 8441). Each WebSocket's line says which binding it used: `ws h2`
//! or `ws http/1.1`. `--no-http2` serves HTTP/1.1 alone.
//!
//! With feature `http3` (`--features http3,deflate`), `--tls` also serves
//! HTTP/3 on UDP at the same address (ALPN `h3`, RFC 9220), and announces
//! it with `Alt-Svc: h3=":PORT"` on its HTTP/1.1 and HTTP/2 responses;
//! its WebSockets' lines say `ws h3`. `--no-http3` leaves UDP alone.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use hybi::handshake::HandshakeError;
use hybi::handshake::server::Response;
use hybi::http::EMPTY_HEADER;
#[cfg(feature = "http2")]
use hybi::net::http2;
#[cfg(feature = "http3")]
use hybi::net::http3;
use hybi::net::{self, Accepted, Growable, Server, ServerOptions};
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

/// The body of a 404.
const NOT_FOUND: &str = "not found\n";

/// The `Alt-Svc` value (RFC 7838) announcing HTTP/3 on this port, once the
/// UDP socket listens.
static ALT_SVC: OnceLock<String> = OnceLock::new();

/// Whether `target` (a request's path and query) is `/`, where the page
/// and the WebSocket are.
fn is_root(target: &str) -> bool {
    target.split('?').next() == Some("/")
}

/// The TLS configuration with `--tls`.
#[cfg(feature = "tls")]
type Tls = Arc<hybi::net::tls::rustls::ServerConfig>;
/// Without feature `tls` there is none.
#[cfg(not(feature = "tls"))]
type Tls = Arc<std::convert::Infallible>;

fn usage() -> ! {
    eprintln!(
        "usage: echo_server [ADDR] [--tls CERT.pem KEY.pem] [--no-deflate] [--no-http2] [--no-http3]"
    );
    std::process::exit(2)
}

/// `--tls CERT KEY`: the server's configuration; with `http2` (feature
/// `http2`, unless `--no-http2`), ALPN offers h2 first, then http/1.1.
fn tls_config(cert: &str, key: &str, http2: bool) -> Tls {
    #[cfg(feature = "tls")]
    {
        let config = hybi::net::tls::server_config(cert, key).unwrap_or_else(|e| {
            eprintln!("--tls: {e}");
            std::process::exit(1)
        });
        #[cfg(feature = "http2")]
        if http2 {
            return hybi::net::http2::alpn(config);
        }
        let _ = http2;
        config
    }
    #[cfg(not(feature = "tls"))]
    {
        let _ = (cert, key, http2);
        eprintln!(
            "--tls needs hybi's feature `tls`: cargo run --features tls --example echo_server"
        );
        std::process::exit(2)
    }
}

fn main() {
    let mut addr = "127.0.0.1:9001".to_string();
    let mut tls = None;
    let mut deflate = true;
    let mut http2 = true;
    let mut http3 = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tls" => {
                let (Some(cert), Some(key)) = (args.next(), args.next()) else {
                    usage()
                };
                tls = Some((cert, key));
            }
            "--no-deflate" => deflate = false,
            "--no-http2" => http2 = false,
            "--no-http3" => http3 = false,
            "-h" | "--help" => usage(),
            _ => addr = arg,
        }
    }
    let tls = tls.map(|(cert, key)| tls_config(&cert, &key, http2));
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    if tls.is_some() {
        eprintln!("listening on wss://{addr}/ (test page at https://{addr}/)");
    } else {
        eprintln!("listening on ws://{addr}/");
    }
    #[cfg(feature = "http3")]
    if let (Some(config), true) = (&tls, http3) {
        listen_http3(&addr, config.clone(), deflate);
    }
    #[cfg(not(feature = "http3"))]
    let _ = http3;
    for socket in listener.incoming() {
        match socket {
            Ok(socket) => {
                let tls = tls.clone();
                std::thread::spawn(move || serve(socket, tls.as_ref(), deflate));
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
}

/// The options of every WebSocket: a 30 s write timeout, messages up to
/// 64 MiB, and permessage-deflate when `deflate` (with feature
/// `deflate`).
fn server_options(deflate: bool) -> ServerOptions {
    let config = Config::new().max_message_len(MAX_MESSAGE_LEN);
    #[cfg(feature = "deflate")]
    let config = config.deflate(if deflate {
        hybi::deflate::DeflateConfig::new()
    } else {
        hybi::deflate::DeflateConfig::off()
    });
    #[cfg(not(feature = "deflate"))]
    let _ = deflate;
    ServerOptions::new()
        .write_timeout(Some(Duration::from_secs(30)))
        .config(config)
}

/// Serves one connection and prints one line about it.
/// Serves one connection; `deflate` says whether permessage-deflate is
/// accepted (with feature `deflate`).
fn serve(socket: TcpStream, tls: Option<&Tls>, deflate: bool) {
    let peer = socket
        .peer_addr()
        .map_or_else(|_| "?".to_string(), |a: SocketAddr| a.to_string());
    let options = server_options(deflate);
    let mut path = String::new();
    let choose = answer(|request| {
        path = request.path().to_owned();
        if !is_root(request.path()) {
            return Response::reject(404)
                .headers(&[("Content-Type", "text/plain")])
                .body(NOT_FOUND.as_bytes());
        }
        Response::accept().protocol(request.protocols().find(|p| SUPPORTED.contains(p)))
    });
    // A read buffer that keeps its size (messages pass through it in
    // chunks), with inflate memory for permessage-deflate.
    let (rx, tx) = (
        Growable::with_limit(READ_BUFFER_LEN, READ_BUFFER_LEN),
        vec![0; WRITE_BUFFER_LEN],
    );
    let accepted = match tls {
        #[cfg(feature = "http2")]
        Some(config) if config.alpn_protocols.iter().any(|p| p == http2::ALPN_H2) => {
            match http2::accept_tls(socket, config, &options, rx, tx, choose) {
                Ok(http2::Accepted::Http1(accepted)) => Ok(accepted),
                Ok(http2::Accepted::Http2(connection)) => {
                    return serve_http2(connection, &peer);
                }
                Err(e) => Err(e),
            }
        }
        #[cfg(feature = "tls")]
        Some(config) => net::accept_tls(socket, config, &options, rx, tx, choose),
        #[cfg(not(feature = "tls"))]
        Some(never) => match **never {},
        None => net::accept(socket, &options, rx, tx, choose),
    };
    match accepted {
        Ok(Accepted::WebSocket(ws, protocol)) => {
            report(
                &peer,
                "http/1.1",
                &path,
                protocol.as_deref(),
                deflated(&ws),
                echo(ws),
            );
        }
        Ok(Accepted::Http(ws)) => match page(ws) {
            Ok(line) => eprintln!("{peer} http {line}"),
            Err(e) => eprintln!("{peer} http: {e}"),
        },
        Err(net::Error::Handshake(HandshakeError::Refused(status))) => {
            eprintln!("{peer} ws http/1.1 {path}: {status}");
        }
        Err(e) => eprintln!("{peer} handshake: {e}"),
    }
}

/// Serves the streams of an HTTP/2 connection: the page and 404s, and each
/// WebSocket on a thread of its own.
#[cfg(feature = "http2")]
fn serve_http2(mut connection: http2::Connection, peer: &str) {
    eprintln!("{peer} h2 connection");
    while let Some(request) = connection.accept() {
        let path = request.path().to_owned();
        if !request.is_websocket() {
            let method = request.http().method().as_str().to_owned();
            let sent = respond(&method, &path, |status, headers, body| {
                request.respond(status, headers, body)
            });
            match sent {
                Ok(()) => eprintln!("{peer} http h2 {method} {path}"),
                Err(e) => eprintln!("{peer} http h2 {method} {path}: {e}"),
            }
            continue;
        }
        let (rx, tx) = (
            Growable::with_limit(READ_BUFFER_LEN, READ_BUFFER_LEN),
            vec![0; WRITE_BUFFER_LEN],
        );
        spawn_echo(request.accept(rx, tx, choose_root), peer, "h2", path);
    }
    eprintln!("{peer} h2 connection closed");
}

/// Answers an extended CONNECT over HTTP/2 or HTTP/3: a WebSocket at `/`
/// with the first subprotocol offered among the supported ones, 404
/// elsewhere.
#[cfg(any(feature = "http2", feature = "http3"))]
fn choose_root<'r>(request: &hybi::handshake::connect::Request<'_, 'r>) -> Response<'r, 'static> {
    if !is_root(request.path()) {
        return Response::reject(404)
            .headers(&[("content-type", "text/plain")])
            .body(NOT_FOUND.as_bytes());
    }
    Response::accept().protocol(request.protocols().find(|p| SUPPORTED.contains(p)))
}

/// Echoes a WebSocket accepted over HTTP/2 or HTTP/3 on a thread of its
/// own, and logs it with `binding`; logs a failed handshake.
#[cfg(any(feature = "http2", feature = "http3"))]
#[allow(clippy::type_complexity)]
fn spawn_echo<T, E: std::fmt::Display>(
    accepted: Result<
        (
            hybi::WebSocket<T, Growable, hybi::Server, Vec<u8>>,
            Option<hybi::websocket::Subprotocol>,
        ),
        E,
    >,
    peer: &str,
    binding: &'static str,
    path: String,
) where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write<Error = std::io::Error> + Send + 'static,
{
    let peer = peer.to_owned();
    match accepted {
        Ok((ws, protocol)) => {
            std::thread::spawn(move || {
                let compression = deflated(&ws);
                report(
                    &peer,
                    binding,
                    &path,
                    protocol.as_deref(),
                    compression,
                    echo(ws),
                );
            });
        }
        Err(e) => eprintln!("{peer} ws {binding} {path}: {e}"),
    }
}

/// Answers a plain request over HTTP/2 or HTTP/3 through `send`: the page
/// for `GET /`, 404 otherwise, with `Alt-Svc` once HTTP/3 listens.
#[cfg(any(feature = "http2", feature = "http3"))]
fn respond<E>(
    method: &str,
    path: &str,
    send: impl FnOnce(u16, &[(&str, &str)], &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let alt_svc = ALT_SVC.get().map(|v| ("alt-svc", v.as_str()));
    if method == "GET" && path == "/" {
        let mut headers = vec![("content-type", "text/html; charset=utf-8")];
        headers.extend(alt_svc);
        send(200, &headers, PAGE.as_bytes())
    } else {
        let mut headers = vec![("content-type", "text/plain")];
        headers.extend(alt_svc);
        send(404, &headers, NOT_FOUND.as_bytes())
    }
}

/// Listens for HTTP/3 on UDP at `addr`, serving each QUIC connection on a
/// thread of its own, and sets the `Alt-Svc` value that announces it.
#[cfg(feature = "http3")]
fn listen_http3(addr: &str, tls: Tls, deflate: bool) {
    let options = server_options(deflate);
    let mut listener = match http3::Listener::bind(addr, tls, &options) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen for HTTP/3 on UDP {addr}: {e}");
            return;
        }
    };
    if let Ok(local) = listener.local_addr() {
        let _ = ALT_SVC.set(format!("h3=\":{}\"; ma=3600", local.port()));
        eprintln!("listening for HTTP/3 on UDP {local}");
    }
    std::thread::spawn(move || {
        while let Some(connection) = listener.accept() {
            std::thread::spawn(move || serve_http3(connection));
        }
    });
}

/// Serves the streams of an HTTP/3 connection: the page and 404s, and each
/// WebSocket on a thread of its own.
#[cfg(feature = "http3")]
fn serve_http3(mut connection: http3::Connection) {
    let peer = connection.remote_address().to_string();
    eprintln!("{peer} h3 connection");
    while let Some(request) = connection.accept() {
        let path = request.path().to_owned();
        if !request.is_websocket() {
            let method = String::from_utf8_lossy(request.field(":method").unwrap_or_default());
            let method = method.into_owned();
            let sent = respond(&method, &path, |status, headers, body| {
                request.respond(status, headers, body)
            });
            match sent {
                Ok(()) => eprintln!("{peer} http h3 {method} {path}"),
                Err(e) => eprintln!("{peer} http h3 {method} {path}: {e}"),
            }
            continue;
        }
        let (rx, tx) = (
            Growable::with_limit(READ_BUFFER_LEN, READ_BUFFER_LEN),
            vec![0; WRITE_BUFFER_LEN],
        );
        spawn_echo(request.accept(rx, tx, choose_root), &peer, "h3", path);
    }
    eprintln!("{peer} h3 connection closed");
}

/// " permessage-deflate" when the WebSocket compresses.
fn deflated<T, E, B: hybi::Buffer, W: AsRef<[u8]> + AsMut<[u8]>>(
    ws: &hybi::WebSocket<T, B, E, W>,
) -> &'static str
where
    E: hybi::Endpoint,
{
    #[cfg(feature = "deflate")]
    if ws.connection().deflate().is_some() {
        return " permessage-deflate";
    }
    let _ = ws;
    ""
}

/// One line for a WebSocket, naming the binding it came over.
fn report(
    peer: &str,
    binding: &str,
    path: &str,
    protocol: Option<&str>,
    compression: &str,
    outcome: Result<Stats, (Stats, net::Error)>,
) {
    let protocol = protocol.unwrap_or("-");
    match outcome {
        Ok(stats) => eprintln!(
            "{peer} ws {binding} {path} protocol {protocol}{compression}: {stats}, closed with {}",
            stats.close.map_or("no code".into(), |c| c.to_string())
        ),
        Err((stats, e)) => {
            eprintln!("{peer} ws {binding} {path} protocol {protocol}{compression}: {stats}, {e}")
        }
    }
}

/// Gives a closure the signature `accept` and `accept_tls` take.
fn answer<'a, F>(choose: F) -> F
where
    F: for<'r> FnOnce(&hybi::handshake::server::Request<'_, 'r>) -> Response<'r, 'a>,
{
    choose
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

/// Echoes chunk by chunk until the client closes, over TCP or an HTTP/2
/// or HTTP/3 stream.
fn echo<T>(
    mut ws: hybi::WebSocket<T, Growable, hybi::Server, Vec<u8>>,
) -> Result<Stats, (Stats, net::Error)>
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write<Error = std::io::Error>,
{
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
fn page(mut ws: Server<Growable, Vec<u8>>) -> Result<String, net::Error> {
    let mut headers = [EMPTY_HEADER; 32];
    let (line, found) = match ws.http_request(&mut headers) {
        Some(head) => (
            format!("{} {}", head.method, head.target),
            head.method == "GET" && head.target == "/",
        ),
        None => ("?".into(), false),
    };
    let alt_svc = ALT_SVC
        .get()
        .map_or(String::new(), |v| format!("Alt-Svc: {v}\r\n"));
    let response = if found {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
             Content-Length: {}\r\n{alt_svc}Connection: close\r\n\r\n{PAGE}",
            PAGE.len()
        )
    } else {
        format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
             {alt_svc}Connection: close\r\n\r\n{NOT_FOUND}",
            NOT_FOUND.len()
        )
    };
    ws.write_raw(response.as_bytes())?;
    Ok(format!("{line}: {}", if found { 200 } else { 404 }))
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::thread;
    use std::time::Duration;

    /// Serves one connection with [`super::serve`], sends it `request` and
    /// returns everything the server wrote before it closed.
    fn exchange(request: &[u8]) -> Vec<u8> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || super::serve(listener.accept().unwrap().0, None, true));
        let mut client = TcpStream::connect(addr).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        client.write_all(request).unwrap();
        let mut response = Vec::new();
        client.read_to_end(&mut response).unwrap();
        server.join().unwrap();
        response
    }

    fn upgrade(path: &str) -> String {
        format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: chat\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        )
    }

    #[test]
    fn websocket_on_an_unknown_path_gets_404() {
        let response = exchange(upgrade("/elsewhere").as_bytes());
        assert_eq!(
            response.escape_ascii().to_string(),
            b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 10\r\n\
              Content-Type: text/plain\r\n\r\nnot found\n"
                .escape_ascii()
                .to_string()
        );
    }

    #[test]
    fn websocket_at_the_root_is_accepted() {
        // The request, then a masked close with code 1000.
        let mut request = upgrade("/?room=1").into_bytes();
        request.extend_from_slice(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);
        let response = exchange(&request);
        let text = String::from_utf8_lossy(&response);
        assert!(
            text.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
            "{text}"
        );
        assert!(
            text.contains("\r\nSec-WebSocket-Protocol: chat\r\n"),
            "{text}"
        );
    }

    #[test]
    fn plain_http_on_an_unknown_path_gets_404() {
        let response = exchange(b"GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n");
        let text = String::from_utf8(response).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\nnot found\n"), "{text}");
    }
}
