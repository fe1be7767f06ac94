//! `hybi::net` over real sockets on 127.0.0.1: a server thread using
//! `net::accept`, a client using `net::connect`.
//!
//! Every wait is bounded: sockets carry timeouts and threads are joined
//! through channels with a deadline.
#![cfg(feature = "std")]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use hybi::RandomSource;
use hybi::close::CloseCode;
use hybi::handshake::HandshakeError;
use hybi::handshake::server::Response;
use hybi::net::{self, Accepted, ClientOptions, ConnectError, Server, ServerOptions, UrlError};
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, Subprotocol, WebSocket};

/// The longest any test waits for anything.
const BOUND: Duration = Duration::from_secs(10);

/// Subprotocols the test server speaks.
const SUPPORTED: [&str; 2] = ["echo", "chat"];

/// A thread's result, to be collected within [`BOUND`].
struct Bounded<T>(mpsc::Receiver<thread::Result<T>>);

impl<T> Bounded<T> {
    fn join(self) -> T {
        match self.0.recv_timeout(BOUND) {
            Ok(Ok(value)) => value,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("thread did not finish in {BOUND:?}: {e}"),
        }
    }
}

fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Bounded<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    Bounded(rx)
}

fn listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Accepts one connection and runs `handler` on the accepted WebSocket.
/// `options` gets a write timeout so a stuck test cannot hang.
fn serve_one<T: Send + 'static>(
    options: ServerOptions,
    handler: impl FnOnce(Server<Vec<u8>>, Option<Subprotocol>) -> T + Send + 'static,
) -> (SocketAddr, Bounded<Result<T, net::Error>>) {
    let (listener, addr) = listener();
    let result = spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let options = options.write_timeout(Some(BOUND)).idle_timeout(Some(BOUND));
        // The first protocol offered that the server speaks, borrowed from
        // the request and handed back owned.
        let accepted = net::accept(socket, &options, vec![0; 4096], vec![0; 4096], |request| {
            Response::accept().protocol(request.protocols().find(|p| SUPPORTED.contains(p)))
        })?;
        match accepted {
            Accepted::WebSocket(ws, protocol) => Ok(handler(ws, protocol)),
            Accepted::Http(_) => panic!("expected a WebSocket request"),
        }
    });
    (addr, result)
}

/// Echoes every message, chunk by chunk, until the peer closes. Returns
/// the close code received.
fn chunk_echo<B: AsRef<[u8]> + AsMut<[u8]>>(
    mut ws: Server<B>,
) -> Result<Option<CloseCode>, net::Error> {
    loop {
        let (chunk, mut writer) = ws.read_chunk_with_writer()?;
        match chunk {
            Chunk::Text { data, last } => {
                writer.write_fragment(DataKind::Text, data.as_bytes(), last)?
            }
            Chunk::Binary { data, last } => writer.write_fragment(DataKind::Binary, data, last)?,
            Chunk::Control(Message::Close(close)) => return Ok(close.map(|c| c.code())),
            Chunk::Control(_) => {}
        }
    }
}

fn ws_url(addr: SocketAddr) -> String {
    format!("ws://{addr}/")
}

fn client_options() -> ClientOptions<'static> {
    ClientOptions::new()
        .connect_timeout(BOUND)
        .handshake_timeout(BOUND)
        .read_timeout(BOUND)
        .write_timeout(BOUND)
}

/// Closes with 1000 from the client and checks the server's answer.
fn close_from_client<B, R, W>(ws: &mut WebSocket<net::Stream, B, hybi::Client<R>, W>)
where
    B: hybi::connection::Buffer,
    R: RandomSource,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    ws.close(CloseCode::NORMAL, "done").unwrap();
    match ws.read().unwrap() {
        Message::Close(Some(close)) => assert_eq!(close.code(), CloseCode::NORMAL),
        other => panic!("expected a close, got {other:?}"),
    }
    assert!(matches!(ws.read(), Err(Error::Closed)));
    assert!(ws.is_closed());
}

#[test]
fn text_and_binary_round_trip() {
    let (addr, server) = serve_one(ServerOptions::new(), |ws, _| chunk_echo(ws));
    let (mut ws, connected) = net::connect(&ws_url(addr)).unwrap();
    assert_eq!(connected.protocol, None);
    ws.transport_mut().set_read_timeout(Some(BOUND)).unwrap();

    ws.send_text("hello, wörld").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("hello, wörld"));
    ws.send_binary(&[0, 1, 2, 255]).unwrap();
    assert_eq!(ws.read().unwrap(), Message::Binary(&[0, 1, 2, 255]));
    ws.send_text("").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text(""));
    // Several small messages batched into one write.
    for i in 0..10 {
        ws.write_text(&format!("m{i}")).unwrap();
    }
    ws.flush().unwrap();
    for i in 0..10 {
        assert_eq!(ws.read().unwrap(), Message::Text(format!("m{i}").as_str()));
    }
    // A fragmented message comes back whole.
    ws.write_fragment(DataKind::Text, "ab".as_bytes(), false)
        .unwrap();
    ws.write_fragment(DataKind::Text, "cd".as_bytes(), true)
        .unwrap();
    ws.flush().unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("abcd"));

    close_from_client(&mut ws);
    assert_eq!(server.join().unwrap().unwrap(), Some(CloseCode::NORMAL));
}

/// A message of 1 MiB each way through a server with 4 KiB buffers. The
/// client writes from a second connection object over a clone of the
/// socket while it reads, so neither side's socket buffers can fill up
/// and block both.
#[test]
fn one_mebibyte_through_chunk_echo() {
    const LEN: usize = 1 << 20;
    let (addr, server) = serve_one(ServerOptions::new(), |ws, _| chunk_echo(ws));
    let options = client_options();
    let (mut ws, _) =
        net::connect_with(&ws_url(addr), &options, vec![0; LEN + 4096], vec![0; 4096]).unwrap();

    let mut state = 0x2545_f491_u32;
    let payload: Vec<u8> = (0..LEN)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    let text: String = (0..LEN / 4).map(|i| ['a', 'é', '€', '𝄞'][i % 4]).collect();

    let socket = ws.transport().get_ref().try_clone().unwrap();
    let (binary_to_send, text_to_send) = (payload.clone(), text.clone());
    let writer = spawn(move || {
        let mut tx = WebSocket::from_upgraded(
            net::Stream::new(socket),
            vec![0u8; 4096],
            vec![0u8; 4096],
            hybi::Client::new(net::OsRandom),
            Config::new(),
            &[],
        )
        .unwrap();
        tx.send_binary(&binary_to_send).unwrap();
        // Text in fragments that split characters.
        let bytes = text_to_send.as_bytes();
        for (i, piece) in bytes.chunks(100_001).enumerate() {
            let last = (i + 1) * 100_001 >= bytes.len();
            tx.write_fragment(DataKind::Text, piece, last).unwrap();
        }
        tx.flush().unwrap();
    });

    assert_eq!(ws.read().unwrap(), Message::Binary(&payload));
    match ws.read().unwrap() {
        Message::Text(echo) => assert!(echo == text, "text differs"),
        other => panic!("expected text, got {other:?}"),
    }
    writer.join();
    close_from_client(&mut ws);
    assert_eq!(server.join().unwrap().unwrap(), Some(CloseCode::NORMAL));
}

/// The generic `Std` adapter over a plain `TcpStream`, as a TLS stream
/// would be used for `wss://`; and an IPv6 literal when the host has `::1`.
#[test]
fn std_adapter_and_ipv6() {
    for bind in ["127.0.0.1:0", "[::1]:0"] {
        let Ok(listener) = TcpListener::bind(bind) else {
            continue; // no IPv6 loopback here
        };
        let addr = listener.local_addr().unwrap();
        let server = spawn(move || {
            let (socket, _) = listener.accept().unwrap();
            let options = ServerOptions::new().write_timeout(Some(BOUND));
            match net::accept(socket, &options, [0u8; 1024], [0u8; 1024], |r| {
                assert_eq!(r.host(), format!("{addr}"));
                Response::accept()
            })? {
                Accepted::WebSocket(ws, _) => chunk_echo(ws),
                Accepted::Http(_) => panic!("expected a WebSocket request"),
            }
        });
        let text = format!("ws://{addr}/over-std");
        let url = net::Url::parse(&text).unwrap();
        let tcp = TcpStream::connect((url.host, url.port)).unwrap();
        tcp.set_read_timeout(Some(BOUND)).unwrap();
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
        let mut ws = WebSocket::client(
            net::Std(tcp),
            &mut rx[..],
            &mut tx[..],
            net::OsRandom,
            Config::new(),
        );
        assert_eq!(ws.connect(&url.request()).unwrap(), None);
        ws.send_text(bind).unwrap();
        assert_eq!(ws.read().unwrap(), Message::Text(bind));
        ws.close(CloseCode::NORMAL, "").unwrap();
        assert!(matches!(ws.read().unwrap(), Message::Close(_)));
        assert_eq!(server.join().unwrap(), Some(CloseCode::NORMAL));
    }
}

#[test]
fn subprotocol_negotiation() {
    let (addr, server) = serve_one(ServerOptions::new(), |ws, protocol| {
        chunk_echo(ws).unwrap();
        protocol
    });
    let options = client_options().protocols(&["superchat", "chat", "echo"]);
    let (mut ws, connected) =
        net::connect_with(&ws_url(addr), &options, [0u8; 1024], [0u8; 1024]).unwrap();
    assert_eq!(connected.protocol, Some("chat"));
    close_from_client(&mut ws);
    assert_eq!(server.join().unwrap().as_deref(), Some("chat"));
}

#[test]
fn no_common_subprotocol() {
    let (addr, server) = serve_one(ServerOptions::new(), |ws, protocol| {
        chunk_echo(ws).unwrap();
        protocol
    });
    let options = client_options().protocols(&["superchat"]);
    let (mut ws, connected) =
        net::connect_with(&ws_url(addr), &options, [0u8; 1024], [0u8; 1024]).unwrap();
    assert_eq!(connected.protocol, None);
    close_from_client(&mut ws);
    assert_eq!(server.join().unwrap(), None);
}

#[test]
fn clean_close_from_server() {
    let (addr, server) = serve_one(ServerOptions::new(), |mut ws, _| {
        ws.send_text("bye soon").unwrap();
        ws.close(CloseCode::NORMAL, "bye").unwrap();
        let answer = match ws.read().unwrap() {
            Message::Close(close) => close.map(|c| c.code()),
            other => panic!("expected a close, got {other:?}"),
        };
        assert!(matches!(ws.read(), Err(Error::Closed)));
        answer
    });
    let (mut ws, _) =
        net::connect_with(&ws_url(addr), &client_options(), [0u8; 1024], [0u8; 1024]).unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("bye soon"));
    match ws.read().unwrap() {
        Message::Close(Some(close)) => {
            assert_eq!(close.code(), CloseCode::NORMAL);
            assert_eq!(close.reason(), "bye");
        }
        other => panic!("expected a close, got {other:?}"),
    }
    assert!(matches!(ws.read(), Err(Error::Closed)));
    assert!(matches!(ws.send_text("late"), Err(Error::Closed)));
    assert_eq!(server.join().unwrap(), Some(CloseCode::NORMAL));
}

const PAGE: &str = "<!doctype html><title>hybi</title><p>hello</p>";

#[test]
fn plain_http_gets_a_page() {
    let (listener, addr) = listener();
    let server = spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let options = ServerOptions::new().write_timeout(Some(BOUND));
        let accepted = net::accept(socket, &options, [0u8; 1024], [0u8; 1024], |_| {
            Response::accept()
        });
        let Ok(Accepted::Http(mut ws)) = accepted else {
            panic!("expected plain HTTP, got {accepted:?}");
        };
        let mut headers = [hybi::http::EMPTY_HEADER; 16];
        let head = ws.http_request(&mut headers).expect("the request");
        let found = (head.method, head.target) == ("GET", "/");
        assert_eq!(head.header("host"), Some(&b"x"[..]));
        let response = if found {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                PAGE.len()
            )
        } else {
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
        };
        ws.write_raw(response.as_bytes()).unwrap();
    });

    let mut client = TcpStream::connect(addr).unwrap();
    client.set_read_timeout(Some(BOUND)).unwrap();
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("Content-Type: text/html\r\n"));
    assert!(response.ends_with(PAGE));
    server.join();
}

#[test]
fn bad_upgrade_request_gets_400() {
    let (listener, addr) = listener();
    let server = spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let options = ServerOptions::new().write_timeout(Some(BOUND));
        match net::accept(socket, &options, [0u8; 1024], [0u8; 1024], |_| {
            Response::accept()
        }) {
            Err(Error::Handshake(e)) => e,
            other => panic!("expected a handshake error, got {other:?}"),
        }
    });
    let mut client = TcpStream::connect(addr).unwrap();
    client.set_read_timeout(Some(BOUND)).unwrap();
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 400 "), "{response}");
    assert!(matches!(server.join(), HandshakeError::MissingHeader(_)));
}

#[test]
fn refused_by_the_server_choice() {
    let (listener, addr) = listener();
    let server = spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let options = ServerOptions::new().write_timeout(Some(BOUND));
        let result = net::accept(
            socket,
            &options,
            [0u8; 1024],
            [0u8; 1024],
            |request| match request.origin() {
                Some("http://good.example") => Response::accept(),
                _ => Response::reject(403),
            },
        );
        match result {
            Err(Error::Handshake(HandshakeError::Refused(status))) => assert_eq!(status, 403),
            other => panic!("expected a refusal, got {other:?}"),
        }
    });
    let options = client_options().origin("http://evil.example");
    let result = net::connect_with(&ws_url(addr), &options, [0u8; 1024], [0u8; 1024]);
    match result {
        Err(ConnectError::WebSocket(Error::Handshake(HandshakeError::Status(status))))
            if status == 403 => {}
        other => panic!("expected a 403, got {:?}", other.map(|(_, c)| c)),
    }
    server.join();
}

/// An upgrade request from `origin` to `path`, as a browser sends it.
fn upgrade_request(path: &str, origin: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Origin: {origin}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    )
}

/// The server's refusals, as the callback chose them, byte for byte on the
/// wire: 403 for an `Origin` it does not trust, 401 with `WWW-Authenticate`
/// for a path that needs credentials, 404 with a body for a path it does
/// not serve. The server closes the connection after each.
#[test]
fn refusals_on_the_wire() {
    let cases: [(&str, &str, &[u8]); 3] = [
        (
            "/chat",
            "http://evil.example",
            b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        ),
        (
            "/private",
            "http://good.example",
            b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\
              WWW-Authenticate: Basic realm=\"x\"\r\n\r\n",
        ),
        (
            "/elsewhere",
            "http://good.example",
            b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 10\r\n\
              Content-Type: text/plain\r\n\r\nnot found\n",
        ),
    ];
    for (path, origin, expected) in cases {
        let (listener, addr) = listener();
        let server = spawn(move || {
            let (socket, _) = listener.accept().unwrap();
            let options = ServerOptions::new().write_timeout(Some(BOUND));
            let result = net::accept(socket, &options, [0u8; 1024], [0u8; 1024], |request| {
                if request.origin() != Some("http://good.example") {
                    return Response::reject(403);
                }
                match request.path() {
                    "/chat" => Response::accept(),
                    "/private" => {
                        Response::reject(401).headers(&[("WWW-Authenticate", "Basic realm=\"x\"")])
                    }
                    _ => Response::reject(404)
                        .headers(&[("Content-Type", "text/plain")])
                        .body(b"not found\n"),
                }
            });
            match result {
                Err(Error::Handshake(HandshakeError::Refused(status))) => status.as_u16(),
                other => panic!("expected a refusal, got {other:?}"),
            }
        });
        let mut client = TcpStream::connect(addr).unwrap();
        client.set_read_timeout(Some(BOUND)).unwrap();
        client
            .write_all(upgrade_request(path, origin).as_bytes())
            .unwrap();
        // Everything up to the server's end of the connection.
        let mut response = Vec::new();
        client.read_to_end(&mut response).unwrap();
        assert_eq!(
            response.escape_ascii().to_string(),
            expected.escape_ascii().to_string(),
            "{path} from {origin}"
        );
        let status = server.join();
        assert_eq!(
            status.to_string(),
            String::from_utf8_lossy(&expected[9..12])
        );
    }
}

#[test]
#[cfg(not(feature = "tls"))]
fn wss_is_tls_unsupported() {
    let err = net::connect("wss://127.0.0.1:1/").map(|_| ()).unwrap_err();
    assert!(matches!(err, ConnectError::TlsUnsupported), "{err:?}");
    assert!(err.to_string().contains("feature `tls`"), "{err}");
}

/// With feature `tls`, a wss:// URL is connected to: here, to nothing.
#[test]
#[cfg(feature = "tls")]
fn wss_connects_with_tls() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let err = net::connect(&format!("wss://127.0.0.1:{port}/"))
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(err, ConnectError::Io(_)), "{err:?}");
}

#[test]
fn invalid_urls() {
    for (url, expected) in [
        ("http://127.0.0.1/", UrlError::Scheme),
        ("ws://user@127.0.0.1/", UrlError::Userinfo),
        ("ws://127.0.0.1/#frag", UrlError::Fragment),
        ("ws:///", UrlError::EmptyHost),
        ("ws://127.0.0.1:99999/", UrlError::Port),
    ] {
        match net::connect(url).map(|_| ()) {
            Err(ConnectError::InvalidUrl(e)) => {
                assert_eq!(e, expected, "{url}");
                let err = ConnectError::InvalidUrl(e);
                assert!(std::error::Error::source(&err).is_some());
                assert!(err.to_string().contains(e.reason()));
            }
            other => panic!("{url}: expected InvalidUrl, got {other:?}"),
        }
    }
}

#[test]
fn connection_refused_is_io() {
    // A port that was free a moment ago.
    let addr = listener().1;
    match net::connect(&ws_url(addr)).map(|_| ()) {
        Err(ConnectError::Io(_)) => {}
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

/// A client that sends its request one byte every 300 ms is dropped when
/// the 1 s handshake deadline passes, though no single read waits that
/// long.
#[test]
fn handshake_timeout_drops_slowloris() {
    let (listener, addr) = listener();
    let server = spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let options = ServerOptions::new()
            .handshake_timeout(Some(Duration::from_secs(1)))
            .write_timeout(Some(BOUND));
        let started = Instant::now();
        let result = net::accept(socket, &options, [0u8; 1024], [0u8; 1024], |_| {
            Response::accept()
        });
        (result.map(|_| ()), started.elapsed())
    });

    let mut client = TcpStream::connect(addr).unwrap();
    client.set_read_timeout(Some(BOUND)).unwrap();
    let request = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n";
    let started = Instant::now();
    let mut sent = 0;
    for byte in request {
        if client.write_all(&[*byte]).is_err() || started.elapsed() > Duration::from_secs(3) {
            break;
        }
        sent += 1;
        thread::sleep(Duration::from_millis(300));
        if sent >= 8 {
            break;
        }
    }
    let (result, elapsed) = server.join();
    match result {
        Err(Error::Io(e)) => assert!(net::is_timeout(&e), "{e:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // Not early; late by up to ten times the timeout on a loaded machine.
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    // The server dropped the socket: end of stream (or a reset).
    let mut rest = [0u8; 64];
    match client.read(&mut rest) {
        Ok(0) => {}
        Err(e) => assert!(!net::is_timeout(&e), "socket still open: {e:?}"),
        Ok(n) => panic!("unexpected {n} bytes"),
    }
}

/// A server's idle timeout ends a read, and the connection stays usable.
#[test]
fn idle_timeout() {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (listener, addr) = listener();
    let server = spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let options = ServerOptions::new()
            .idle_timeout(Some(Duration::from_millis(300)))
            .write_timeout(Some(BOUND));
        let Accepted::WebSocket(mut ws, _) =
            net::accept(socket, &options, [0u8; 1024], [0u8; 1024], |_| {
                Response::accept()
            })
            .unwrap()
        else {
            panic!("expected a WebSocket");
        };
        let started = Instant::now();
        match ws.read() {
            Err(Error::Io(e)) => assert!(net::is_timeout(&e), "{e:?}"),
            other => panic!("expected a timeout, got {other:?}"),
        }
        let idle = started.elapsed();
        ready_tx.send(()).unwrap();
        // Still open: the timeout lost nothing.
        ws.transport_mut().set_read_timeout(Some(BOUND)).unwrap();
        let text = match ws.read().unwrap() {
            Message::Text(text) => text.to_owned(),
            other => panic!("expected text, got {other:?}"),
        };
        ws.send_text(&text).unwrap();
        assert!(matches!(ws.read().unwrap(), Message::Close(_)));
        idle
    });

    let (mut ws, _) =
        net::connect_with(&ws_url(addr), &client_options(), [0u8; 1024], [0u8; 1024]).unwrap();
    ready_rx.recv_timeout(BOUND).unwrap();
    ws.send_text("late").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("late"));
    close_from_client(&mut ws);
    let idle = server.join();
    // Not early; late by up to ten times the timeout on a loaded machine.
    assert!(idle >= Duration::from_millis(250), "{idle:?}");
    assert!(idle < Duration::from_secs(3), "{idle:?}");
}

/// A client's handshake deadline: the server accepts the TCP connection
/// and never answers.
#[test]
fn client_handshake_timeout() {
    let (listener, addr) = listener();
    let server = spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(BOUND)).unwrap();
        // Wait for the client to give up and close.
        let mut sink = [0u8; 1024];
        while matches!(socket.read(&mut sink), Ok(n) if n > 0) {}
    });
    let options = ClientOptions::new().handshake_timeout(Duration::from_millis(500));
    let started = Instant::now();
    match net::connect_with(&ws_url(addr), &options, [0u8; 1024], [0u8; 1024]).map(|_| ()) {
        Err(ConnectError::WebSocket(Error::Io(e))) => assert!(net::is_timeout(&e), "{e:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // Not early; late by up to ten times the timeout on a loaded machine.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    server.join();
}

/// A client made by `net::connect`, sized by nothing, reads a message of
/// the default limit (16 MiB) whole, gives the memory back after it, and
/// refuses one byte more with close code 1009.
#[test]
fn default_client_reads_sixteen_mebibyte_messages_whole() {
    const LIMIT: usize = hybi::websocket::DEFAULT_MAX_MESSAGE_LEN as usize;
    let (addr, server) = serve_one(ServerOptions::new(), |mut ws, _| {
        let big: Vec<u8> = (0..LIMIT).map(|i| (i % 251) as u8).collect();
        ws.send_binary(&big)?;
        // Each next message once the client has read the one before.
        assert_eq!(ws.read()?, Message::Text("read"));
        ws.send_text("small after big")?;
        assert_eq!(ws.read()?, Message::Text("read"));
        // One byte over the client's limit, in two frames.
        ws.write_fragment(DataKind::Binary, &big, false)?;
        ws.write_fragment(DataKind::Binary, b"!", true)?;
        ws.flush()?;
        loop {
            if let Message::Close(close) = ws.read()? {
                return Ok::<_, net::Error>(close.map(|c| c.code()));
            }
        }
    });
    let (mut ws, _) = net::connect(&ws_url(addr)).unwrap();
    match ws.read().unwrap() {
        Message::Binary(data) => {
            assert_eq!(data.len(), LIMIT);
            assert!(data.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
        }
        other => panic!("expected the 16 MiB message, got {other:?}"),
    }
    ws.send_text("read").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("small after big"));
    assert_eq!(
        ws.connection().read_buffer().len(),
        net::INITIAL_LEN,
        "memory given back"
    );
    ws.send_text("read").unwrap();
    assert!(matches!(
        ws.read(),
        Err(Error::Protocol(hybi::ProtocolError::MessageTooBig))
    ));
    assert_eq!(
        server.join().unwrap().unwrap(),
        Some(CloseCode::MESSAGE_TOO_BIG)
    );
}
