//! `wss://` over real sockets on 127.0.0.1 (feature `tls`): hybi's client
//! against hybi's server, the certificate errors a client must name, and
//! bad input a server must survive without disturbing its other
//! connections. Every certificate is made as the test runs
//! (`dev/tests/support/certs.rs`).
#![cfg(feature = "tls")]

#[path = "support/certs.rs"]
mod certs;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use certs::TestCa;
use hybi::close::CloseCode;
use hybi::handshake::server::Response;
use hybi::http::EMPTY_HEADER;
use hybi::net::tls::{self, Roots, TlsError, rustls};
use hybi::net::{self, Accepted, ClientOptions, ConnectError, ServerOptions};
use hybi::websocket::{Chunk, Error, Message};

const STEP: Duration = Duration::from_secs(20);

/// What one server connection ended with.
type Outcome = Result<String, String>;

/// A TLS echo server on 127.0.0.1: one thread per connection, each
/// connection's outcome sent back. `handshake_timeout` bounds both
/// handshakes.
struct EchoServer {
    port: u16,
    outcomes: std::sync::mpsc::Receiver<Outcome>,
    _accept: JoinHandle<()>,
}

impl EchoServer {
    fn start(config: Arc<rustls::ServerConfig>, handshake_timeout: Duration) -> EchoServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, outcomes) = std::sync::mpsc::channel();
        let accept = thread::spawn(move || {
            for socket in listener.incoming() {
                let Ok(socket) = socket else { return };
                let (config, tx) = (config.clone(), tx.clone());
                thread::spawn(move || {
                    let _ = tx.send(serve(socket, &config, handshake_timeout));
                });
            }
        });
        EchoServer {
            port,
            outcomes,
            _accept: accept,
        }
    }

    fn next_outcome(&self) -> Outcome {
        self.outcomes
            .recv_timeout(STEP)
            .expect("no connection ended in time")
    }
}

/// Serves one connection: echoes, pings once on "ping-me", answers plain
/// HTTP with a page.
fn serve(socket: TcpStream, config: &Arc<rustls::ServerConfig>, timeout: Duration) -> Outcome {
    let options = ServerOptions::new()
        .handshake_timeout(Some(timeout))
        .write_timeout(Some(STEP))
        .idle_timeout(Some(STEP));
    let accepted = net::accept_tls(
        socket,
        config,
        &options,
        vec![0u8; 1 << 16],
        vec![0u8; 1 << 16],
        |request| {
            if request.path() == "/forbidden" {
                return Response::reject(403).body(b"no\n");
            }
            Response::accept().protocol(request.protocols().find(|p| *p == "chat"))
        },
    )
    .map_err(|e| e.to_string())?;
    let mut ws = match accepted {
        Accepted::WebSocket(ws, _) => ws,
        Accepted::Http(mut ws) => {
            let mut headers = [EMPTY_HEADER; 16];
            let target = ws
                .http_request(&mut headers)
                .map(|h| h.target.to_owned())
                .unwrap_or_default();
            let body = format!("page at {target}\n");
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            ws.write_raw(response.as_bytes())
                .map_err(|e| e.to_string())?;
            return Ok(format!("http {target}"));
        }
    };
    let mut messages = 0;
    loop {
        let (chunk, mut writer) = ws.read_chunk_with_writer().map_err(|e| e.to_string())?;
        let result = match chunk {
            Chunk::Text {
                data: "ping-me",
                last: true,
            } => writer
                .write_ping(b"server ping")
                .and_then(|()| writer.flush()),
            Chunk::Text { data, last } => {
                messages += usize::from(last);
                writer.write_fragment(hybi::reassembly::DataKind::Text, data.as_bytes(), last)
            }
            Chunk::Binary { data, last } => {
                messages += usize::from(last);
                writer.write_fragment(hybi::reassembly::DataKind::Binary, data, last)
            }
            Chunk::Control(Message::Close(close)) => {
                return Ok(format!(
                    "ws {messages} messages, close {:?}",
                    close.map(|c| c.code().as_u16())
                ));
            }
            Chunk::Control(_) => Ok(()),
        };
        result.map_err(|e| e.to_string())?;
    }
}

fn options(roots: &rustls::RootCertStore) -> ClientOptions<'_> {
    ClientOptions::new()
        .roots(Roots::Custom(roots))
        .protocols(&["chat"])
        .connect_timeout(STEP)
        .handshake_timeout(STEP)
        .read_timeout(STEP)
        .write_timeout(STEP)
        .config(hybi::Config::new().show_control(true))
}

fn connect(
    url: &str,
    roots: &rustls::RootCertStore,
) -> Result<net::ClientOver<Vec<u8>>, ConnectError> {
    net::connect_with(url, &options(roots), vec![0; 2 << 20], vec![0; 1 << 16]).map(|(ws, c)| {
        assert_eq!(c.protocol, Some("chat"));
        ws
    })
}

/// The client's view of a failed connect: the TLS error.
fn tls_error(result: Result<net::ClientOver<Vec<u8>>, ConnectError>) -> TlsError {
    match result {
        Err(ConnectError::Tls(e)) => e,
        Err(other) => panic!("not a TLS error: {other} ({other:?})"),
        Ok(_) => panic!("connected"),
    }
}

fn close(mut ws: net::ClientOver<Vec<u8>>) {
    ws.close(CloseCode::NORMAL, "").unwrap();
    loop {
        match ws.read() {
            Ok(Message::Close(_)) => break,
            Ok(_) => {}
            Err(e) => panic!("waiting for the close: {e}"),
        }
    }
    assert!(matches!(ws.read(), Err(Error::Closed)));
}

#[test]
fn echo_over_wss_by_name_and_by_address() {
    let ca = TestCa::new("hybi test CA");
    let server = EchoServer::start(ca.server(&["localhost", "127.0.0.1"]).server_config(), STEP);
    let roots = ca.roots();
    for host in ["localhost", "127.0.0.1"] {
        let mut ws = connect(&format!("wss://{host}:{}/", server.port), &roots).unwrap();
        assert!(ws.transport().is_tls());
        for size in [0usize, 125, 126, 20_000, 1 << 20] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 + 3) as u8).collect();
            ws.send_binary(&data).unwrap();
            assert_eq!(
                ws.read().unwrap(),
                Message::Binary(&data[..]),
                "{size} bytes"
            );
        }
        ws.send_text("h\u{e9}llo \u{1f600}").unwrap();
        assert_eq!(ws.read().unwrap(), Message::Text("h\u{e9}llo \u{1f600}"));
        // The server's ping is answered by the client on its own.
        ws.send_text("ping-me").unwrap();
        assert_eq!(ws.read().unwrap(), Message::Ping(b"server ping"));
        close(ws);
        assert_eq!(
            server.next_outcome(),
            Ok("ws 6 messages, close Some(1000)".into())
        );
    }
}

#[test]
fn split_halves_over_wss() {
    let ca = TestCa::new("hybi test CA");
    let server = EchoServer::start(ca.server(&["localhost"]).server_config(), STEP);
    let roots = ca.roots();
    let ws = connect(&format!("wss://localhost:{}/", server.port), &roots).unwrap();
    let (mut reader, mut writer) = net::split(ws).unwrap();
    const COUNT: usize = 300;
    let reading = thread::spawn(move || {
        let mut seen = Vec::new();
        loop {
            match reader.read() {
                Ok(Message::Binary(data)) => seen.push(data.to_vec()),
                Ok(Message::Text(text)) => seen.push(text.as_bytes().to_vec()),
                // Answered by the read half through the write side.
                Ok(Message::Ping(p)) => assert_eq!(p, b"server ping"),
                Ok(Message::Close(_)) => return seen,
                Ok(other) => panic!("{other:?}"),
                Err(e) => panic!("read half: {e}"),
            }
        }
    });
    let mut sent = Vec::new();
    for i in 0..COUNT {
        let data: Vec<u8> = (0..(i * 97) % 40_000).map(|j| (i + j) as u8).collect();
        writer.write_binary(&data).unwrap();
        if i % 50 == 0 {
            writer.send_text("ping-me").unwrap();
        }
        sent.push(data);
    }
    writer.flush().unwrap();
    // The echoes must all be in before the close goes out.
    thread::sleep(Duration::from_millis(200));
    writer.close(CloseCode::NORMAL, "done").unwrap();
    let seen = reading.join().unwrap();
    assert_eq!(seen.len(), COUNT);
    assert!(seen == sent, "echoes differ from what the write half sent");
    let outcome = server.next_outcome().unwrap();
    assert_eq!(outcome, format!("ws {COUNT} messages, close Some(1000)"));
}

#[test]
fn certificate_for_another_name() {
    let ca = TestCa::new("hybi test CA");
    let server = EchoServer::start(ca.server(&["other.example"]).server_config(), STEP);
    let roots = ca.roots();
    let e = tls_error(connect(
        &format!("wss://localhost:{}/", server.port),
        &roots,
    ));
    assert!(matches!(e, TlsError::WrongName { .. }), "{e:?}");
    let text = ConnectError::Tls(e).to_string();
    assert!(
        text.contains("not valid for the name localhost; it is for other.example"),
        "{text}"
    );
    // The server saw the client's alert, and goes on.
    let outcome = server.next_outcome().unwrap_err();
    assert!(outcome.contains("TLS"), "{outcome}");
}

#[test]
fn untrusted_and_self_signed_certificates() {
    let ca = TestCa::new("hybi test CA");
    let other = TestCa::new("someone else's CA");
    for (what, cert) in [
        ("signed by an unknown CA", ca.server(&["localhost"])),
        ("self-signed", certs::self_signed(&["localhost"])),
    ] {
        let server = EchoServer::start(cert.server_config(), STEP);
        for roots in [Some(other.roots()), None] {
            let url = format!("wss://localhost:{}/", server.port);
            let result = match &roots {
                Some(roots) => connect(&url, roots),
                // The built-in roots.
                None => {
                    net::connect(&url).map(|_| panic!("{what}: connected with the built-in roots"))
                }
            };
            let e = tls_error(result);
            assert!(matches!(e, TlsError::Untrusted(_)), "{what}: {e:?}");
            assert!(e.to_string().contains("not trusted"), "{e}");
        }
    }
}

#[test]
fn expired_and_not_yet_valid_certificates() {
    let ca = TestCa::new("hybi test CA");
    let roots = ca.roots();
    let expired = ca.server_valid(&["localhost"], Some(((2000, 1, 1), (2001, 1, 1))));
    let server = EchoServer::start(expired.server_config(), STEP);
    let e = tls_error(connect(
        &format!("wss://localhost:{}/", server.port),
        &roots,
    ));
    assert!(matches!(e, TlsError::Expired(_)), "{e:?}");
    assert!(e.to_string().contains("has expired"), "{e}");

    let future = ca.server_valid(&["localhost"], Some(((3000, 1, 1), (3001, 1, 1))));
    let server = EchoServer::start(future.server_config(), STEP);
    let e = tls_error(connect(
        &format!("wss://localhost:{}/", server.port),
        &roots,
    ));
    assert!(matches!(e, TlsError::NotValidYet(_)), "{e:?}");
}

#[test]
fn wss_url_for_a_plain_server_fails_fast() {
    // A plain ws:// server: hybi's, which answers the ClientHello with 400.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let plain = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        net::accept(
            socket,
            &ServerOptions::new(),
            [0u8; 1024],
            [0u8; 1024],
            |_| Response::accept(),
        )
        .map(|_| ())
    });
    let roots = TestCa::new("hybi test CA").roots();
    let start = Instant::now();
    let e = tls_error(connect(&format!("wss://127.0.0.1:{port}/"), &roots));
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(e, TlsError::NotTls(_)), "{e:?}");
    assert!(e.to_string().contains("does not speak TLS"), "{e}");
    assert!(plain.join().unwrap().is_err());
}

/// A rustls client of its own over a socket: for talking HTTP over TLS.
fn tls_client(
    port: u16,
    roots: &rustls::RootCertStore,
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let config = tls::client_config(Roots::Custom(roots)).unwrap();
    let conn = rustls::ClientConnection::new(config, "localhost".try_into().unwrap()).unwrap();
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket.set_read_timeout(Some(STEP)).unwrap();
    rustls::StreamOwned::new(conn, socket)
}

fn exchange_over_tls(port: u16, roots: &rustls::RootCertStore, request: &str) -> String {
    let mut stream = tls_client(port, roots);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    // The server ends with close_notify.
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8(response).unwrap()
}

#[test]
fn plain_http_and_rejections_over_tls() {
    let ca = TestCa::new("hybi test CA");
    let server = EchoServer::start(ca.server(&["localhost"]).server_config(), STEP);
    let roots = ca.roots();

    let page = exchange_over_tls(
        server.port,
        &roots,
        "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.ends_with("\r\n\r\npage at /x\n"), "{page}");
    assert_eq!(server.next_outcome(), Ok("http /x".into()));

    let upgrade = |version: u8, path: &str| {
        format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: {version}\r\n\r\n"
        )
    };
    let old = exchange_over_tls(server.port, &roots, &upgrade(8, "/"));
    assert!(old.starts_with("HTTP/1.1 426 "), "{old}");
    assert!(old.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{old}");
    server.next_outcome().unwrap_err();

    let bad = exchange_over_tls(
        server.port,
        &roots,
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n",
    );
    assert!(bad.starts_with("HTTP/1.1 400 "), "{bad}");
    server.next_outcome().unwrap_err();

    let refused = exchange_over_tls(server.port, &roots, &upgrade(13, "/forbidden"));
    assert!(refused.starts_with("HTTP/1.1 403 "), "{refused}");
    assert!(refused.ends_with("\r\n\r\nno\n"), "{refused}");
    server.next_outcome().unwrap_err();
}

/// A raw TCP connection to the server.
fn raw(port: u16) -> TcpStream {
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket.set_read_timeout(Some(STEP)).unwrap();
    socket
}

#[test]
fn bad_clients_do_not_disturb_a_good_one() {
    let ca = TestCa::new("hybi test CA");
    let timeout = Duration::from_millis(1500);
    let server = EchoServer::start(ca.server(&["localhost"]).server_config(), timeout);
    let roots = ca.roots();

    // A good client opens first and stays open throughout.
    let mut good = connect(&format!("wss://localhost:{}/", server.port), &roots).unwrap();
    good.send_text("before").unwrap();
    assert_eq!(good.read().unwrap(), Message::Text("before"));

    // 1. Plain HTTP to the TLS port: a 400 in plain text that says why.
    let mut http = raw(server.port);
    http.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    http.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("This port speaks TLS: use https:// or wss:// instead of http://.\n"),
        "{answer}"
    );
    let len: usize = answer
        .split("Content-Length: ")
        .nth(1)
        .and_then(|rest| rest.split("\r\n").next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(len, answer.split("\r\n\r\n").nth(1).unwrap().len());
    let outcome = server.next_outcome().unwrap_err();
    assert!(outcome.contains("plain HTTP to a TLS port"), "{outcome}");

    // 2. Garbage that starts like a TLS record.
    let mut garbage = raw(server.port);
    let mut junk = vec![0x16, 0x03, 0x01, 0x00, 0x40];
    junk.extend((0..64u8).map(|i| i.wrapping_mul(37)));
    garbage.write_all(&junk).unwrap();
    let mut rest = Vec::new();
    let _ = garbage.read_to_end(&mut rest);
    let outcome = server.next_outcome().unwrap_err();
    assert!(outcome.contains("TLS"), "{outcome}");

    // 3. A handshake that stalls: half a ClientHello, then nothing. The
    // good client is served meanwhile.
    let stalled_at = Instant::now();
    let mut stalled = raw(server.port);
    stalled
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .unwrap();
    // And one that sends nothing at all.
    let silent = raw(server.port);
    for i in 0..20 {
        let text = format!("during {i}");
        good.send_text(&text).unwrap();
        assert_eq!(good.read().unwrap(), Message::Text(&text[..]));
    }
    for _ in 0..2 {
        let outcome = server.next_outcome().unwrap_err();
        assert!(outcome.contains("timed out"), "{outcome}");
    }
    let waited = stalled_at.elapsed();
    assert!(waited >= timeout && waited < timeout * 4, "{waited:?}");
    drop((stalled, silent));

    // 4. A TLS record cut off in the middle of a WebSocket frame: the
    // frame's header and part of its payload, then half a record.
    let mut cut = connect(&format!("wss://localhost:{}/", server.port), &roots).unwrap();
    let socket = cut.transport().get_ref().try_clone().unwrap();
    {
        use hybi::embedded_io::Write as _;
        let stream = cut.transport_mut();
        // A masked binary frame of 1000 bytes: its header and 10 bytes.
        let mut frame = vec![0x82, 0xfe, 0x03, 0xe8, 1, 2, 3, 4];
        frame.extend_from_slice(&[0u8; 10]);
        stream.write_all(&frame).unwrap();
        stream.flush().unwrap();
    }
    (&socket)
        .write_all(&[0x17, 0x03, 0x03, 0x01, 0x00, 0xaa, 0xbb])
        .unwrap();
    socket.shutdown(Shutdown::Write).unwrap();
    let outcome = server.next_outcome().unwrap_err();
    assert!(outcome.contains("without close_notify"), "{outcome}");
    drop(cut);

    // The good client was never disturbed.
    good.send_text("after").unwrap();
    assert_eq!(good.read().unwrap(), Message::Text("after"));
    close(good);
    assert_eq!(
        server.next_outcome(),
        Ok("ws 22 messages, close Some(1000)".into())
    );
}

#[test]
fn a_record_corrupted_on_the_way_is_an_error() {
    let ca = TestCa::new("hybi test CA");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = ca.server(&["localhost"]).server_config();
    // A man in the middle that flips one byte of the first record the
    // client sends after the handshakes.
    let relay = thread::spawn(move || {
        let (client, _) = listener.accept().unwrap();
        let inner = TcpListener::bind("127.0.0.1:0").unwrap();
        let inner_port = inner.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (socket, _) = inner.accept().unwrap();
            serve(socket, &config, STEP)
        });
        let upstream = TcpStream::connect(("127.0.0.1", inner_port)).unwrap();
        let (mut c, mut u) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
        thread::spawn(move || std::io::copy(&mut u, &mut c));
        let (mut c, mut u) = (client, upstream);
        let mut buf = [0u8; 65536];
        let mut total = 0;
        let mut flipped = false;
        loop {
            let n = c.read(&mut buf).unwrap_or(0);
            if n == 0 {
                let _ = u.shutdown(Shutdown::Write);
                break;
            }
            total += n;
            // Past the client's handshake flights and the WebSocket
            // request: the "corrupt me" message's record.
            if !flipped && total > 2000 && n > 40 {
                buf[n - 20] ^= 0x01;
                flipped = true;
            }
            u.write_all(&buf[..n]).unwrap();
        }
        server.join().unwrap()
    });
    let roots = ca.roots();
    let mut ws = connect(&format!("wss://localhost:{port}/"), &roots).unwrap();
    ws.send_binary(&vec![7u8; 3000]).unwrap();
    let _ = ws.read();
    drop(ws);
    let outcome = relay.join().unwrap().unwrap_err();
    assert!(outcome.contains("TLS"), "{outcome}");
}

#[test]
fn a_ca_file_and_its_errors() {
    let dir = certs::temp_dir("tls-files");
    let ca = TestCa::new("hybi test CA");
    let [ca_pem, cert_pem, key_pem] = certs::write_files(&dir, &ca, &["localhost"]);
    let roots = tls::load_roots(&ca_pem).unwrap();
    assert_eq!(roots.len(), 1);
    let config = tls::server_config(&cert_pem, &key_pem).unwrap();
    let server = EchoServer::start(config, STEP);
    let ws = connect(&format!("wss://localhost:{}/", server.port), &roots).unwrap();
    close(ws);

    let missing = tls::load_roots(dir.join("nope.pem")).unwrap_err();
    assert!(missing.to_string().contains("nope.pem"), "{missing}");
    let not_certs = tls::load_roots(&key_pem).unwrap_err();
    assert!(not_certs.to_string().contains("key.pem"), "{not_certs}");
    let mismatched = tls::server_config(&cert_pem, {
        let other = dir.join("other-key.pem");
        std::fs::write(&other, ca.server(&["x"]).key_pem).unwrap();
        other
    })
    .unwrap_err();
    assert!(
        mismatched.to_string().contains("do not fit"),
        "{mismatched}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_tls_stream_cannot_be_cloned_but_splits() {
    let ca = TestCa::new("hybi test CA");
    let server = EchoServer::start(ca.server(&["localhost"]).server_config(), STEP);
    let roots = ca.roots();
    let ws = connect(&format!("wss://localhost:{}/", server.port), &roots).unwrap();
    let e = ws.transport().try_clone().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::Unsupported);
    let (stream, _, _) = ws.into_parts();
    let (mut read, mut write) = stream.try_split().unwrap();
    use hybi::embedded_io::{Read as _, Write as _};
    assert_eq!(
        read.write(b"x").unwrap_err().kind(),
        std::io::ErrorKind::Unsupported
    );
    assert_eq!(
        write.read(&mut [0u8; 4]).unwrap_err().kind(),
        std::io::ErrorKind::Unsupported
    );
}
