//! WebSockets over HTTP/3 (feature `http3`) on 127.0.0.1: hybi's client
//! against hybi's server, several WebSockets on one QUIC connection, the
//! ways a stream or a connection can end badly, and hostile input from a
//! raw QUIC client (quinn's, as hybi re-exports it).
#![cfg(feature = "http3")]

#[path = "support/certs.rs"]
mod certs;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use hybi::close::CloseCode;
use hybi::embedded_io::Write as _;
use hybi::handshake::server::Response;
use hybi::net::http3::{self, Session, quinn};
use hybi::net::tls::{Roots, rustls};
use hybi::net::{self, ClientOptions, ServerOptions};
use hybi::websocket::{Error, Message};

const STEP: Duration = Duration::from_secs(20);

/// What the server saw: a WebSocket's request, and how each one ended.
enum Seen {
    Opened,
    Ended(Result<(), std::io::ErrorKind>, String),
}

/// An echo server over HTTP/3: a thread per QUIC connection, and per
/// WebSocket. "/refuse" is refused with 403; "/drop" ends its stream after
/// one message; a GET is answered 404.
fn echo_server(config: quinn::ServerConfig) -> (u16, mpsc::Receiver<Seen>) {
    let options = ServerOptions::new();
    let mut listener = http3::Listener::bind_with("127.0.0.1:0", config, &options).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (log, seen) = mpsc::channel();
    thread::spawn(move || {
        while let Some(mut connection) = listener.accept() {
            let log = log.clone();
            thread::spawn(move || {
                while let Some(request) = connection.accept() {
                    if !request.is_websocket() {
                        let _ = request.respond(404, &[("content-type", "text/plain")], b"none");
                        continue;
                    }
                    let log = log.clone();
                    let (rx, tx) = options.buffers();
                    let mut path = String::new();
                    let accepted = request.accept(rx, tx, |r| {
                        let _ = log.send(Seen::Opened);
                        path = r.path().to_string();
                        match r.path() {
                            "/refuse" => Response::reject(403).body(b"no"),
                            _ => Response::accept().protocol(r.protocols().next()),
                        }
                    });
                    if let Ok((mut ws, _)) = accepted {
                        thread::spawn(move || {
                            if path == "/drop" {
                                // Ends the stream after one message,
                                // without a close handshake.
                                let _ = ws.read();
                                return;
                            }
                            let (outcome, message) = echo(ws);
                            let _ = log.send(Seen::Ended(outcome, message));
                        });
                    }
                }
            });
        }
    });
    (port, seen)
}

/// Echoes until the close handshake (`Ok`) or an error: its I/O kind and
/// message (`UnexpectedEof` for `Error::UnexpectedEof`).
fn echo<T>(
    mut ws: hybi::WebSocket<T, net::Growable, hybi::Server, Vec<u8>>,
) -> (Result<(), std::io::ErrorKind>, String)
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write<Error = std::io::Error>,
    T: hybi::embedded_io::ErrorType<Error = std::io::Error>,
{
    loop {
        let (message, mut writer) = match ws.read_with_writer() {
            Ok(m) => m,
            Err(e) => return failure(e),
        };
        let sent = match message {
            Message::Text(text) => writer.write_text(text),
            Message::Binary(data) => writer.write_binary(data),
            Message::Close(_) => return (Ok(()), String::new()),
            _ => Ok(()),
        };
        if let Err(e) = sent {
            return failure(e);
        }
    }
}

fn failure(e: Error<std::io::Error>) -> (Result<(), std::io::ErrorKind>, String) {
    let message = e.to_string();
    match e {
        Error::Io(io) => (Err(io.kind()), message),
        Error::UnexpectedEof => (Err(std::io::ErrorKind::UnexpectedEof), message),
        _ => (Err(std::io::ErrorKind::Other), message),
    }
}

fn options(roots: &rustls::RootCertStore) -> ClientOptions<'_> {
    ClientOptions::new()
        .roots(Roots::Custom(roots))
        .handshake_timeout(STEP)
        .read_timeout(STEP)
}

/// The next end the server saw, skipping the openings.
fn next_end(seen: &mpsc::Receiver<Seen>) -> (Result<(), std::io::ErrorKind>, String) {
    loop {
        match seen.recv_timeout(STEP).unwrap() {
            Seen::Ended(outcome, message) => return (outcome, message),
            Seen::Opened => {}
        }
    }
}

fn setup() -> (certs::TestCa, u16, mpsc::Receiver<Seen>) {
    let ca = certs::TestCa::new("hybi http3 test CA");
    let config = http3::server_config(ca.server(&["localhost"]).server_config()).unwrap();
    let (port, seen) = echo_server(config);
    (ca, port, seen)
}

#[test]
fn two_websockets_on_one_connection_echo_0_bytes_to_1_mib() {
    let (ca, port, seen) = setup();
    let roots = ca.roots();
    // Pongs shown, to see the server's answer to a ping.
    let options = options(&roots)
        .protocols(&["echo"])
        .config(hybi::Config::new().show_control(true));
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (rx, tx) = options.buffers();
    let (mut a, connected) = session.open_with("/a", &options, rx, tx).unwrap();
    assert_eq!(connected.protocol, Some("echo"));
    let (rx, tx) = options.buffers();
    let (mut b, _) = session.open_with("/b?x=1", &options, rx, tx).unwrap();
    for size in [0usize, 1, 125, 126, 1024, 65535, 65536, 1 << 20] {
        let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        a.send_binary(&data).unwrap();
        b.send_text(&"é".repeat(size / 2)).unwrap();
        assert_eq!(a.read().unwrap(), Message::Binary(&data[..]), "{size}");
        let text = "é".repeat(size / 2);
        assert_eq!(b.read().unwrap(), Message::Text(&text[..]), "{size}");
    }
    a.write_ping(b"hi").unwrap();
    a.flush().unwrap();
    assert_eq!(a.read().unwrap(), Message::Pong(b"hi"));
    a.close(CloseCode::NORMAL, "bye").unwrap();
    loop {
        match a.read() {
            Ok(Message::Close(close)) => {
                assert_eq!(close.map(|c| c.code()), Some(CloseCode::NORMAL));
                break;
            }
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(next_end(&seen), (Ok(()), String::new()));
    // b still works after a is closed.
    b.send_text("still here").unwrap();
    assert_eq!(b.read().unwrap(), Message::Text("still here"));
}

#[test]
fn refusal_reset_and_connection_goes_on() {
    let (ca, port, seen) = setup();
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();

    let (rx, tx) = options.buffers();
    match session.open_with("/refuse", &options, rx, tx) {
        Err(net::ConnectError::Http3(e @ http3::Error::Handshake(_))) => {
            assert_eq!(
                e.to_string(),
                "extended CONNECT failed: server answered 403, not 200"
            );
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    // A stream reset mid-message: the server's read fails as a reset TCP
    // connection's does, the client's too.
    let (mut ws, _) = session.open("/reset").unwrap();
    ws.send_text("x").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("x"));
    // Half a frame: a binary frame of 100 bytes with 10 sent.
    let transport = ws.transport_mut();
    transport
        .write_all(&[0x82, 0x80 | 100, 1, 2, 3, 4])
        .unwrap();
    transport.write_all(&[0; 10]).unwrap();
    transport.reset();
    // This side reset it: reads fail as on a socket shut down.
    match ws.read() {
        Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::NotConnected, "{e}"),
        other => panic!("{other:?}"),
    }
    let (kind, message) = next_end(&seen);
    assert_eq!(kind, Err(std::io::ErrorKind::ConnectionReset), "{message}");
    assert!(message.contains("H3_REQUEST_CANCELLED"), "{message}");

    let (mut again, _) = session.open("/again").unwrap();
    again.send_text("y").unwrap();
    assert_eq!(again.read().unwrap(), Message::Text("y"));

    // QUIC is always TLS: a ws:// URL is refused before any datagram.
    match Session::connect(&format!("ws://localhost:{port}/"), &options) {
        Err(net::ConnectError::Http3(e @ http3::Error::NotSecure)) => {
            assert!(e.to_string().contains("wss://"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

/// A stream that ends without a close handshake reads, at either end, as
/// a TCP connection that ends: `Error::UnexpectedEof`; the connection and
/// its other streams go on.
#[test]
fn stream_end_without_close_is_unexpected_eof() {
    let (ca, port, seen) = setup();
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (mut keep, _) = session.open("/keep").unwrap();

    let (mut ws, _) = session.open("/").unwrap();
    ws.send_text("one").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("one"));
    drop(ws);
    assert_eq!(next_end(&seen).0, Err(std::io::ErrorKind::UnexpectedEof));

    // The server ends its stream: the client sees the end.
    let (mut ws, _) = session.open("/drop").unwrap();
    ws.send_text("drop").unwrap();
    assert!(matches!(ws.read(), Err(Error::UnexpectedEof)));

    keep.send_text("on").unwrap();
    assert_eq!(keep.read().unwrap(), Message::Text("on"));
}

/// A QUIC connection closed with an error code mid-message: the server's
/// WebSocket fails as over a reset TCP connection, with the code named.
#[test]
fn connection_closed_with_an_error_code() {
    let (ca, port, seen) = setup();
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (mut ws, _) = session.open("/").unwrap();
    ws.transport_mut()
        .write_all(&[0x81, 0x80 | 50, 1, 2, 3, 4, 0, 0])
        .unwrap();
    session
        .quic()
        .close(quinn::VarInt::from_u32(0x10c), b"going away");
    let (kind, message) = next_end(&seen);
    assert_eq!(kind, Err(std::io::ErrorKind::ConnectionReset), "{message}");
    assert!(
        message.contains("H3_REQUEST_CANCELLED") && message.contains("going away"),
        "{message}"
    );
    // This side closed it: ConnectionAborted.
    match ws.read() {
        Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}"),
        other => panic!("{other:?}"),
    }
    // The server goes on.
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (mut ws, _) = session.open("/").unwrap();
    ws.send_text("next").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("next"));
}

/// A UDP relay between a client and a server that can go silent, as a
/// network path that drops everything.
struct Relay {
    port: u16,
    silent: Arc<AtomicBool>,
}

fn relay(server: u16) -> Relay {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let upstream = UdpSocket::bind("127.0.0.1:0").unwrap();
    upstream.connect(("127.0.0.1", server)).unwrap();
    let silent = Arc::new(AtomicBool::new(false));
    let client: Arc<std::sync::Mutex<Option<SocketAddr>>> = Arc::default();
    for timeout in [&socket, &upstream] {
        timeout
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
    }
    let (down, up) = (socket.try_clone().unwrap(), upstream.try_clone().unwrap());
    let (quiet, from) = (silent.clone(), client.clone());
    // Bounded: the relay stops by itself after a minute.
    let end = std::time::Instant::now() + Duration::from_secs(60);
    thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while std::time::Instant::now() < end {
            if let Ok((n, addr)) = socket.recv_from(&mut buf) {
                *from.lock().unwrap() = Some(addr);
                if !quiet.load(Ordering::SeqCst) {
                    let _ = upstream.send(&buf[..n]);
                }
            }
        }
    });
    let (quiet, to) = (silent.clone(), client);
    thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while std::time::Instant::now() < end {
            if let Ok(n) = up.recv(&mut buf) {
                let addr = *to.lock().unwrap();
                if let (false, Some(addr)) = (quiet.load(Ordering::SeqCst), addr) {
                    let _ = down.send_to(&buf[..n], addr);
                }
            }
        }
    });
    Relay { port, silent }
}

/// QUIC settings with a short idle timeout and no keep-alive.
fn short_idle() -> Arc<quinn::TransportConfig> {
    let mut transport = http3::transport();
    transport
        .max_idle_timeout(Some(Duration::from_secs(3).try_into().unwrap()))
        .keep_alive_interval(None);
    Arc::new(transport)
}

/// A path gone silent mid-message: both ends' idle timeouts end the
/// connection, and each WebSocket fails as over a dropped TCP connection.
#[test]
fn idle_timeout_mid_message() {
    let ca = certs::TestCa::new("hybi http3 test CA");
    let mut config = http3::server_config(ca.server(&["localhost"]).server_config()).unwrap();
    config.transport_config(short_idle());
    let (port, seen) = echo_server(config);
    let relay = relay(port);
    let roots = ca.roots();
    let options = options(&roots);
    let mut client = http3::client_config(&options).unwrap();
    client.transport_config(short_idle());
    let url = format!("wss://localhost:{}/", relay.port);
    let session = Session::connect_with(&url, &options, client).unwrap();
    let (mut ws, _) = session.open("/").unwrap();
    ws.send_text("before").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("before"));
    ws.transport_mut()
        .write_all(&[0x82, 0x80 | 100, 1, 2, 3, 4, 0, 0, 0])
        .unwrap();
    // Let the half frame reach the server, then drop everything.
    thread::sleep(Duration::from_millis(300));
    relay.silent.store(true, Ordering::SeqCst);
    let (kind, message) = next_end(&seen);
    assert_eq!(kind, Err(std::io::ErrorKind::ConnectionReset), "{message}");
    assert!(message.contains("idle timeout"), "{message}");
    match ws.read() {
        Err(Error::Io(e)) => {
            assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
            assert!(e.to_string().contains("idle timeout"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

/// A raw HTTP/3 client: a QUIC connection with ALPN h3 and its control
/// stream, to send what hybi's client never would.
struct Raw {
    quic: quinn::Connection,
    _control: quinn::SendStream,
    _endpoint: quinn::Endpoint,
}

fn raw(ca: &certs::TestCa, port: u16) -> Raw {
    // Control stream, SETTINGS with nothing in it.
    raw_with_control(ca, port, &[0x00, 0x04, 0x00])
}

/// A raw client whose control stream opens with `control`.
fn raw_with_control(ca: &certs::TestCa, port: u16, control_opening: &[u8]) -> Raw {
    let roots = ca.roots();
    let options = options(&roots);
    let config = http3::client_config(&options).unwrap();
    let rt = tokio_runtime();
    rt.block_on(async {
        let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
        let quic = endpoint
            .connect_with(config, ([127, 0, 0, 1], port).into(), "localhost")
            .unwrap()
            .await
            .unwrap();
        let mut control = quic.open_uni().await.unwrap();
        control.write_all(control_opening).await.unwrap();
        Raw {
            quic,
            _control: control,
            _endpoint: endpoint,
        }
    })
}

fn tokio_runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// An integer with an `bits`-bit prefix (RFC 7541 section 5.1).
fn prefix_int(out: &mut Vec<u8>, flags: u8, bits: u32, mut value: usize) {
    let mask = (1usize << bits) - 1;
    if value < mask {
        out.push(flags | value as u8);
        return;
    }
    out.push(flags | mask as u8);
    value -= mask;
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A HEADERS frame of literal fields with literal names (RFC 9204
/// section 4.5.6), without a dynamic table.
fn headers_frame(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut block = vec![0, 0];
    for (name, value) in fields {
        prefix_int(&mut block, 0x20, 3, name.len());
        block.extend_from_slice(name.as_bytes());
        prefix_int(&mut block, 0x00, 7, value.len());
        block.extend_from_slice(value.as_bytes());
    }
    let mut frame = vec![0x01];
    varint(&mut frame, block.len() as u64);
    frame.extend_from_slice(&block);
    frame
}

fn varint(out: &mut Vec<u8>, v: u64) {
    match v {
        0..=63 => out.push(v as u8),
        64..=16383 => out.extend_from_slice(&(v as u16 | 0x4000).to_be_bytes()),
        _ => out.extend_from_slice(&(v as u32 | 0x8000_0000).to_be_bytes()),
    }
}

/// The `:status` of a response as hybi encodes it: RFC 9204 Appendix A's
/// `:status` entries (indexed), or the name referenced with a literal
/// value.
fn status_of(response: &[u8]) -> Option<u16> {
    const STATUS: [(usize, u16); 14] = [
        (24, 103),
        (25, 200),
        (26, 304),
        (27, 404),
        (28, 503),
        (63, 100),
        (64, 204),
        (65, 206),
        (66, 302),
        (67, 400),
        (68, 403),
        (69, 421),
        (70, 425),
        (71, 500),
    ];
    // HEADERS frame: type 0x01, a length, then the block's prefix 0 0.
    let (&kind, rest) = response.split_first()?;
    assert_eq!(kind, 0x01);
    let len_len = 1 << (rest.first()? >> 6);
    let block = rest.get(len_len + 2..)?;
    let first = *block.first()?;
    if first & 0xc0 == 0xc0 {
        let index = if first & 0x3f == 0x3f {
            63 + usize::from(*block.get(1)?)
        } else {
            usize::from(first & 0x3f)
        };
        return STATUS.iter().find(|(i, _)| *i == index).map(|(_, s)| *s);
    }
    // A name reference (0x5f: index 15 + next byte), then the value.
    let at = if first == 0x5f { 2 } else { 1 };
    let len = usize::from(*block.get(at)?);
    std::str::from_utf8(block.get(at + 1..at + 1 + len)?)
        .ok()?
        .parse()
        .ok()
}

/// Sends `fields` as a request and reads the response to its end.
fn exchange(raw: &Raw, fields: &[(&str, &str)]) -> Result<Vec<u8>, String> {
    let frame = headers_frame(fields);
    tokio_runtime().block_on(async {
        let (mut send, mut recv) = raw.quic.open_bi().await.map_err(|e| e.to_string())?;
        send.write_all(&frame).await.map_err(|e| e.to_string())?;
        let read = recv.read_to_end(1 << 16);
        tokio::time::timeout(STEP, read)
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    })
}

#[test]
fn hostile_requests_get_a_status_and_the_server_goes_on() {
    let (ca, port, _seen) = setup();
    let raw = raw(&ca, port);
    let good = [
        (":method", "CONNECT"),
        (":protocol", "websocket"),
        (":scheme", "https"),
        (":path", "/"),
        (":authority", "localhost"),
        ("sec-websocket-version", "13"),
    ];
    // Missing :path, and :authority: 400.
    let response = exchange(&raw, &good[..3]).unwrap();
    assert_eq!(status_of(&response), Some(400));
    // A version other than 13: 426, naming 13.
    let mut v12 = good.to_vec();
    v12[5] = ("sec-websocket-version", "12");
    let response = exchange(&raw, &v12).unwrap();
    assert_eq!(status_of(&response), Some(426));
    assert!(
        response.windows(21).any(|w| w == b"sec-websocket-version"),
        "{response:?}"
    );
    // Plain HTTP: the application's 404.
    let get = [
        (":method", "GET"),
        (":scheme", "https"),
        (":path", "/"),
        (":authority", "localhost"),
    ];
    assert_eq!(status_of(&exchange(&raw, &get).unwrap()), Some(404));
    // A well-formed one on the same connection: 200, stream left open.
    let frame = headers_frame(&good);
    let status = tokio_runtime().block_on(async {
        let (mut send, mut recv) = raw.quic.open_bi().await.unwrap();
        send.write_all(&frame).await.unwrap();
        // Until the HEADERS frame is whole: it may come in pieces.
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while status_of(&got).is_none() && got.len() < 4096 {
            let n = recv.read(&mut buf).await.unwrap().unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        status_of(&got)
    });
    assert_eq!(status, Some(200));
}

/// A flood of streams, a reset stream before its HEADERS, garbage
/// datagrams: each is dropped or refused, and the server goes on.
#[test]
fn floods_resets_and_garbage_datagrams() {
    let (ca, port, _seen) = setup();
    let raw = raw(&ca, port);
    // As many streams as the server allows, each with half a HEADERS
    // frame, and one reset before its end.
    let opened = tokio_runtime().block_on(async {
        let mut streams = Vec::new();
        for _ in 0..http3::MAX_CONCURRENT_STREAMS {
            let open = tokio::time::timeout(Duration::from_secs(5), raw.quic.open_bi()).await;
            let Ok(Ok((mut send, recv))) = open else {
                break;
            };
            send.write_all(&[0x01, 0x40, 0x80, 0x00]).await.unwrap();
            streams.push((send, recv));
        }
        if let Some((send, _)) = streams.first_mut() {
            send.reset(quinn::VarInt::from_u32(0x10c)).unwrap();
        }
        streams
    });
    assert_eq!(opened.len(), http3::MAX_CONCURRENT_STREAMS as usize);
    // Garbage to the UDP port: short, long, and shaped like a long header.
    let garbage = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..200u32 {
        let mut datagram = vec![(i as u8) | 0xc0; 1 + (i as usize * 7) % 1400];
        datagram[0] = if i % 2 == 0 { 0xc0 } else { i as u8 };
        garbage.send_to(&datagram, ("127.0.0.1", port)).unwrap();
    }
    // The server goes on, for another client.
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (mut ws, _) = session.open("/").unwrap();
    ws.send_text("still serving").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("still serving"));
    drop(opened);
}

/// QPACK that references a dynamic table hybi never allowed closes the
/// connection with QPACK_DECOMPRESSION_FAILED; other connections go on.
#[test]
fn undecodable_headers_close_that_connection_only() {
    let (ca, port, _seen) = setup();
    let raw = raw(&ca, port);
    let reason = tokio_runtime().block_on(async {
        let (mut send, _recv) = raw.quic.open_bi().await.unwrap();
        // Required Insert Count 1: a dynamic table entry.
        send.write_all(&[0x01, 0x03, 0x02, 0x00, 0x80])
            .await
            .unwrap();
        tokio::time::timeout(STEP, raw.quic.closed()).await.unwrap()
    });
    match reason {
        quinn::ConnectionError::ApplicationClosed(close) => {
            assert_eq!(close.error_code.into_inner(), 0x200)
        }
        other => panic!("{other}"),
    }
    let raw = self::raw(&ca, port);
    let response = exchange(&raw, &[(":method", "GET"), (":path", "/")]).unwrap();
    assert_eq!(status_of(&response), Some(404));
}

/// The close code of a raw client's connection, once the server closed it.
fn closed_with(raw: &Raw) -> u64 {
    let reason =
        tokio_runtime().block_on(async { tokio::time::timeout(STEP, raw.quic.closed()).await });
    match reason.unwrap() {
        quinn::ConnectionError::ApplicationClosed(close) => close.error_code.into_inner(),
        other => panic!("{other}"),
    }
}

/// A control stream that does not start with SETTINGS, or a second one,
/// closes that connection with the code RFC 9114 section 6.2.1 names; a
/// unidirectional stream of an unknown type is only stopped.
#[test]
fn control_stream_errors_close_that_connection() {
    let (ca, port, _seen) = setup();
    // DATA before SETTINGS: H3_MISSING_SETTINGS.
    let raw = raw_with_control(&ca, port, &[0x00, 0x00, 0x00]);
    assert_eq!(closed_with(&raw), 0x10a);
    // A second control stream: H3_STREAM_CREATION_ERROR.
    // (Kept open: whichever of the two the server takes as the control
    // stream, the other is the second one.)
    let raw = self::raw(&ca, port);
    let _second = tokio_runtime().block_on(async {
        let mut second = raw.quic.open_uni().await.unwrap();
        second.write_all(&[0x00, 0x04, 0x00]).await.unwrap();
        second
    });
    assert_eq!(closed_with(&raw), 0x103);
    // A stream of a reserved type (0x21): stopped with
    // H3_STREAM_CREATION_ERROR, and the connection serves on.
    let raw = self::raw(&ca, port);
    let stopped = tokio_runtime().block_on(async {
        let mut unknown = raw.quic.open_uni().await.unwrap();
        unknown.write_all(&[0x21, 1, 2, 3]).await.unwrap();
        tokio::time::timeout(STEP, unknown.stopped()).await.unwrap()
    });
    assert_eq!(stopped.unwrap().map(|code| code.into_inner()), Some(0x103));
    let get = [(":method", "GET"), (":path", "/")];
    assert_eq!(status_of(&exchange(&raw, &get).unwrap()), Some(404));
}

/// A reader blocked on one thread while another writes: the two halves of
/// a WebSocket over one HTTP/3 stream, the echoes all back in order, then a
/// close from the write half that ends the read half.
#[test]
fn split_halves_read_while_writing() {
    let (ca, port, _seen) = setup();
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (rx, tx) = options.buffers();
    let (ws, _) = session.open_with("/split", &options, rx, tx).unwrap();
    let (mut reader, mut writer) = http3::split(ws).unwrap();
    const COUNT: usize = 300;
    let (echoed, count) = mpsc::channel();
    let reading = thread::spawn(move || {
        let mut seen = Vec::new();
        loop {
            match reader.read() {
                Ok(Message::Binary(data)) => {
                    seen.push(data.to_vec());
                    let _ = echoed.send(seen.len());
                }
                Ok(Message::Close(close)) => return (seen, close.map(|c| c.code())),
                Ok(other) => panic!("{other:?}"),
                Err(e) => panic!("read half: {e}"),
            }
        }
    });
    let mut sent = Vec::new();
    for i in 0..COUNT {
        let data: Vec<u8> = (0..(i * 97) % 40_000).map(|j| (i + j) as u8).collect();
        writer.write_binary(&data).unwrap();
        sent.push(data);
    }
    writer.flush().unwrap();
    while count.recv_timeout(STEP).unwrap() < COUNT {}
    writer.close(CloseCode::NORMAL, "done").unwrap();
    let (seen, code) = reading.join().unwrap();
    assert_eq!(code, Some(CloseCode::NORMAL));
    assert_eq!(seen.len(), COUNT);
    assert!(seen == sent, "echoes differ from what the write half sent");
}
