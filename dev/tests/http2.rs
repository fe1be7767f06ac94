//! WebSockets over HTTP/2 (feature `http2`) on 127.0.0.1: hybi's client
//! against hybi's server, HTTP/1.1 and HTTP/2 on one TLS port, several
//! WebSockets on one connection, and the ways a stream can end badly.
#![cfg(feature = "http2")]

#[path = "support/certs.rs"]
mod certs;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use hybi::close::CloseCode;
use hybi::handshake::server::Response;
use hybi::net::http2::{self, Session};
use hybi::net::tls::{Roots, rustls};
use hybi::net::{self, ClientOptions, ServerOptions};
use hybi::websocket::{Error, Message};

const STEP: Duration = Duration::from_secs(20);

fn server_config(cert: &certs::ServerCert) -> Arc<rustls::ServerConfig> {
    http2::alpn(cert.server_config())
}

/// Which binding each WebSocket came over, and its path.
type Log = mpsc::Receiver<(&'static str, String)>;

/// An echo server of both protocols on one port: a thread per TCP
/// connection, and per WebSocket.
fn echo_server(config: Arc<rustls::ServerConfig>) -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (log, seen) = mpsc::channel();
    thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(socket) = socket else { return };
            let (config, log) = (config.clone(), log.clone());
            thread::spawn(move || {
                let options = ServerOptions::new();
                let (rx, tx) = options.buffers();
                let log1 = log.clone();
                let accepted = http2::accept_tls(socket, &config, &options, rx, tx, |r| {
                    let _ = log1.send(("http/1.1", r.path().to_string()));
                    Response::accept().protocol(r.protocols().next())
                });
                match accepted {
                    Ok(http2::Accepted::Http1(net::Accepted::WebSocket(ws, _))) => echo(ws),
                    Ok(http2::Accepted::Http2(mut connection)) => {
                        while let Some(request) = connection.accept() {
                            let log = log.clone();
                            let (rx, tx) = options.buffers();
                            let accepted = request.accept(rx, tx, |r| {
                                let _ = log.send(("h2", r.path().to_string()));
                                match r.path() {
                                    "/refuse" => Response::reject(403).body(b"no"),
                                    _ => Response::accept().protocol(r.protocols().next()),
                                }
                            });
                            if let Ok((ws, _)) = accepted {
                                thread::spawn(move || echo(ws));
                            }
                        }
                    }
                    _ => {}
                }
            });
        }
    });
    (port, seen)
}

fn echo<T>(mut ws: hybi::WebSocket<T, net::Growable, hybi::Server, Vec<u8>>)
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write,
{
    loop {
        let Ok((message, mut writer)) = ws.read_with_writer() else {
            return;
        };
        let sent = match message {
            Message::Text(text) => writer.write_text(text),
            Message::Binary(data) => writer.write_binary(data),
            Message::Close(_) => return,
            _ => Ok(()),
        };
        if sent.is_err() {
            return;
        }
    }
}

fn options(ca: &rustls::RootCertStore) -> ClientOptions<'_> {
    ClientOptions::new()
        .roots(Roots::Custom(ca))
        .handshake_timeout(STEP)
        .read_timeout(STEP)
}

#[test]
fn echoes_over_http2_and_http1_on_one_port() {
    let ca = certs::TestCa::new("hybi http2 test CA");
    let (port, seen) = echo_server(server_config(&ca.server(&["localhost"])));
    let roots = ca.roots();
    let options = options(&roots).protocols(&["echo"]);
    let url = format!("wss://localhost:{port}/");

    // Two WebSockets on one HTTP/2 connection, interleaved.
    let session = Session::connect(&url, &options).unwrap();
    let (rx, tx) = options.buffers();
    let (mut a, connected) = session.open_with("/a", &options, rx, tx).unwrap();
    assert_eq!(connected.protocol, Some("echo"));
    let (rx, tx) = options.buffers();
    let (mut b, _) = session.open_with("/b?x=1", &options, rx, tx).unwrap();
    for size in [0usize, 1, 125, 126, 65535, 65536, 1 << 20] {
        let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        a.send_binary(&data).unwrap();
        b.send_text(&"é".repeat(size / 2)).unwrap();
        assert_eq!(a.read().unwrap(), Message::Binary(&data[..]), "{size}");
        let text = "é".repeat(size / 2);
        assert_eq!(b.read().unwrap(), Message::Text(&text[..]), "{size}");
    }
    a.write_ping(b"hi").unwrap();
    a.flush().unwrap();
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
    // b still works after a is closed.
    b.send_text("still here").unwrap();
    assert_eq!(b.read().unwrap(), Message::Text("still here"));

    // The same port over HTTP/1.1.
    let (mut c, _) = net::connect_with(&url, &options, vec![0; 1 << 16], vec![0; 4096]).unwrap();
    c.send_text("over http/1.1").unwrap();
    assert_eq!(c.read().unwrap(), Message::Text("over http/1.1"));

    let mut bindings: Vec<_> = (0..3).map(|_| seen.recv_timeout(STEP).unwrap()).collect();
    bindings.sort();
    assert_eq!(
        bindings,
        [
            ("h2", "/a".to_string()),
            ("h2", "/b?x=1".to_string()),
            ("http/1.1", "/".to_string())
        ]
    );
}

#[test]
fn refusals_and_stream_ends() {
    let ca = certs::TestCa::new("hybi http2 test CA");
    let (port, _seen) = echo_server(server_config(&ca.server(&["localhost"])));
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();

    // The application's refusal.
    let (rx, tx) = options.buffers();
    match session.open_with("/refuse", &options, rx, tx) {
        Err(net::ConnectError::Http2(http2::Error::Handshake(e))) => {
            assert_eq!(
                http2::Error::Handshake(e).to_string(),
                "extended CONNECT failed: server answered 403, not 200"
            );
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    // The connection goes on: a WebSocket, then its stream reset.
    let (mut ws, _) = session.open("/reset").unwrap();
    ws.send_text("x").unwrap();
    assert_eq!(ws.read().unwrap(), Message::Text("x"));
    ws.transport_mut().reset();
    match ws.read() {
        Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
        other => panic!("{other:?}"),
    }
    let (mut again, _) = session.open("/again").unwrap();
    again.send_text("y").unwrap();
    assert_eq!(again.read().unwrap(), Message::Text("y"));
}

/// A stream that ends without a close handshake reads, at either end, as
/// a TCP connection that ends: `Error::UnexpectedEof`; the connection and
/// its other streams go on.
#[test]
fn stream_end_without_close_is_unexpected_eof() {
    let ca = certs::TestCa::new("hybi http2 test CA");
    let config = server_config(&ca.server(&["localhost"]));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (ended, server_saw) = mpsc::channel();
    thread::spawn(move || {
        let socket = listener.accept().unwrap().0;
        let options = ServerOptions::new();
        let (rx, tx) = options.buffers();
        let Ok(http2::Accepted::Http2(mut connection)) =
            http2::accept_tls(socket, &config, &options, rx, tx, |_| Response::accept())
        else {
            panic!("not HTTP/2")
        };
        while let Some(request) = connection.accept() {
            let (rx, tx) = options.buffers();
            let (mut ws, _) = request.accept(rx, tx, |_| Response::accept()).unwrap();
            let ended = ended.clone();
            thread::spawn(move || {
                // "drop": the server ends the stream after one message.
                match ws.read() {
                    Ok(Message::Text("drop")) => drop(ws),
                    Ok(_) => {
                        let outcome = ws.read().map(|_| ()).map_err(|e| e.to_string());
                        let _ = ended.send(outcome);
                    }
                    Err(e) => {
                        let _ = ended.send(Err(e.to_string()));
                    }
                }
            });
        }
    });
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();

    // The client ends its stream: the server sees the end.
    let (mut ws, _) = session.open("/").unwrap();
    ws.send_text("one").unwrap();
    drop(ws);
    assert_eq!(
        server_saw.recv_timeout(STEP).unwrap(),
        Err(Error::<std::io::Error>::UnexpectedEof.to_string())
    );
    // The server ends its stream: the client sees the end.
    let (mut ws, _) = session.open("/").unwrap();
    ws.send_text("drop").unwrap();
    assert!(matches!(ws.read(), Err(Error::UnexpectedEof)));
    // The connection goes on.
    let (mut ws, _) = session.open("/").unwrap();
    ws.send_text("three").unwrap();
    ws.close(CloseCode::NORMAL, "").unwrap();
    assert!(server_saw.recv_timeout(STEP).unwrap().is_ok());
}

/// Data one WebSocket has not read yet (a stream window of its echo)
/// does not hold up another on the same connection, as over two TCP
/// connections.
#[test]
fn unread_data_on_one_stream_does_not_stall_another() {
    let ca = certs::TestCa::new("hybi http2 test CA");
    let (port, _seen) = echo_server(server_config(&ca.server(&["localhost"])));
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (rx, tx) = options.buffers();
    let (mut a, _) = session.open_with("/a", &options, rx, tx).unwrap();
    let (rx, tx) = options.buffers();
    let (mut b, _) = session.open_with("/b", &options, rx, tx).unwrap();
    let data: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    // b's echo arrives and is not read: a whole stream window of it.
    b.send_binary(&data[..200_000]).unwrap();
    thread::sleep(Duration::from_millis(300));
    a.send_binary(&data).unwrap();
    assert_eq!(a.read().unwrap(), Message::Binary(&data[..]));
    assert_eq!(b.read().unwrap(), Message::Binary(&data[..200_000]));
}

/// A reader blocked on one thread while another writes: the two halves of
/// a WebSocket over one HTTP/2 stream, the echoes all back in order, then a
/// close from the write half that ends the read half.
#[test]
fn split_halves_read_while_writing() {
    let ca = certs::TestCa::new("hybi http2 test CA");
    let (port, _seen) = echo_server(server_config(&ca.server(&["localhost"])));
    let roots = ca.roots();
    let options = options(&roots);
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options).unwrap();
    let (rx, tx) = options.buffers();
    let (ws, _) = session.open_with("/split", &options, rx, tx).unwrap();
    let (mut reader, mut writer) = http2::split(ws).unwrap();
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
