//! Slow and idle peers against a server built like the `echo_server`
//! example (a thread per connection, chunk echo) with a 2 s handshake
//! timeout and a 1 s idle timeout: slow senders are dropped when the
//! handshake deadline passes, silent connections at the idle timeout, and
//! well-behaved clients are served meanwhile. Every wait is bounded.
//!
//! The time windows allow for a loaded machine (CI's has 2 cores): a
//! timeout may be seen to fire late, up to [`BOUND`] (ten times the
//! handshake timeout) after it started, but not early, and what must
//! happen before a timeout has many times the time it needs.

#![cfg(feature = "std")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use hybi::close::CloseCode;
use hybi::handshake::server::Response;
use hybi::net::{self, Accepted, ClientOptions, ServerOptions};
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Error, Message};

const HANDSHAKE: Duration = Duration::from_secs(2);
const IDLE: Duration = Duration::from_secs(1);
/// The longest any wait, and the latest a timeout may be seen to fire.
const BOUND: Duration = Duration::from_secs(20);
/// How much earlier than due a timeout may be seen to fire: timer rounding.
const EARLY: Duration = Duration::from_millis(50);

/// How a server connection ended.
#[derive(Debug)]
enum End {
    /// The handshake missed its deadline.
    HandshakeTimeout(Duration),
    /// A read waited longer than the idle timeout.
    IdleTimeout(Duration),
    /// The client closed after `n` messages.
    Closed(usize),
    Other(String),
}

/// An echo server on a port the OS picked: each connection's end goes to
/// the channel. The listener thread stops after `connections` connections.
fn echo_server(connections: usize) -> (SocketAddr, mpsc::Receiver<End>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for socket in listener.incoming().take(connections) {
            let tx = tx.clone();
            let socket = socket.unwrap();
            thread::spawn(move || {
                let _ = tx.send(serve(socket));
            });
        }
    });
    (addr, rx)
}

fn serve(socket: TcpStream) -> End {
    let options = ServerOptions::new()
        .handshake_timeout(Some(HANDSHAKE))
        .idle_timeout(Some(IDLE))
        .write_timeout(Some(BOUND));
    let started = Instant::now();
    let mut ws = match net::accept(socket, &options, vec![0; 4096], vec![0; 4096], |_| {
        Response::accept()
    }) {
        Ok(Accepted::WebSocket(ws, _)) => ws,
        Ok(Accepted::Http(_)) => return End::Other("plain HTTP".into()),
        Err(Error::Io(e)) if net::is_timeout(&e) => {
            return End::HandshakeTimeout(started.elapsed());
        }
        Err(e) => return End::Other(e.to_string()),
    };
    let mut messages = 0;
    loop {
        let waited = Instant::now();
        let (chunk, mut writer) = match ws.read_chunk_with_writer() {
            Ok(read) => read,
            Err(Error::Io(e)) if net::is_timeout(&e) => return End::IdleTimeout(waited.elapsed()),
            Err(e) => return End::Other(e.to_string()),
        };
        let echoed = match chunk {
            Chunk::Text { data, last } => {
                messages += usize::from(last);
                writer.write_fragment(DataKind::Text, data.as_bytes(), last)
            }
            Chunk::Binary { data, last } => {
                messages += usize::from(last);
                writer.write_fragment(DataKind::Binary, data, last)
            }
            Chunk::Control(Message::Close(_)) => return End::Closed(messages),
            Chunk::Control(_) => Ok(()),
        };
        if let Err(e) = echoed {
            return End::Other(e.to_string());
        }
    }
}

fn next_end(ends: &mpsc::Receiver<End>) -> End {
    let end = ends.recv_timeout(BOUND).expect("a connection ended");
    if let End::Other(e) = &end {
        panic!("a connection failed: {e}");
    }
    end
}

/// Whether the server has dropped `socket`: end of stream or a reset,
/// within the socket's read timeout.
fn dropped(socket: &mut TcpStream) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match socket.read(&mut buf) {
            Ok(0) => return true,
            // A rejection or stray bytes: keep reading to the end.
            Ok(_) => continue,
            Err(e) => return !net::is_timeout(&e),
        }
    }
}

/// Echoes a few messages through a well-behaved client.
fn echo_client(addr: SocketAddr, messages: usize) {
    let options = ClientOptions::new()
        .connect_timeout(BOUND)
        .handshake_timeout(BOUND)
        .read_timeout(BOUND)
        .write_timeout(BOUND);
    let (mut ws, _) =
        net::connect_with(&format!("ws://{addr}/"), &options, [0u8; 1024], [0u8; 1024]).unwrap();
    for i in 0..messages {
        let text = format!("message {i}");
        ws.send_text(&text).unwrap();
        assert_eq!(ws.read().unwrap(), Message::Text(&text));
    }
    ws.close(CloseCode::NORMAL, "").unwrap();
    assert!(matches!(ws.read().unwrap(), Message::Close(_)));
}

/// Clients that send their request one byte per second are dropped when
/// the handshake deadline passes; a normal client is served meanwhile.
#[test]
fn slowloris_dropped_at_the_handshake_timeout() {
    const SLOW: usize = 20;
    let (addr, ends) = echo_server(SLOW + 1);
    let request = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    let started = Instant::now();
    let slow: Vec<_> = (0..SLOW)
        .map(|_| {
            thread::spawn(move || {
                // Before the connection, so before the server's deadline
                // starts, however late this thread runs.
                let start = Instant::now();
                let mut socket = TcpStream::connect(addr).unwrap();
                socket
                    .set_read_timeout(Some(Duration::from_millis(1)))
                    .unwrap();
                // One byte a second until the server drops the connection
                // (or 5 s pass).
                for byte in request.iter().take(5) {
                    if socket.write_all(&[*byte]).is_err() {
                        break;
                    }
                    let next = Instant::now() + Duration::from_secs(1);
                    let mut buf = [0u8; 64];
                    while Instant::now() < next {
                        match socket.read(&mut buf) {
                            Ok(0) => return start.elapsed(),
                            Ok(_) => {}
                            Err(e) if net::is_timeout(&e) => {}
                            Err(_) => return start.elapsed(),
                        }
                        thread::sleep(Duration::from_millis(20));
                    }
                }
                socket.set_read_timeout(Some(BOUND)).unwrap();
                assert!(dropped(&mut socket), "slow client still connected");
                start.elapsed()
            })
        })
        .collect();
    // While they hold their connections, a normal client gets its echoes,
    // in a small part of the handshake timeout: not after their deadline.
    echo_client(addr, 10);
    assert!(
        started.elapsed() < HANDSHAKE,
        "the normal client waited for the slow ones: {:?}",
        started.elapsed()
    );
    let mut timeouts = 0;
    let mut closed = 0;
    for _ in 0..=SLOW {
        match next_end(&ends) {
            End::HandshakeTimeout(after) => {
                assert!(after >= HANDSHAKE - EARLY, "{after:?}");
                assert!(after < BOUND, "{after:?}");
                timeouts += 1;
            }
            End::Closed(10) => closed += 1,
            other => panic!("unexpected end: {other:?}"),
        }
    }
    assert_eq!((timeouts, closed), (SLOW, 1));
    for client in slow {
        let after = client.join().unwrap();
        // Dropped after the deadline, long before the request was sent.
        assert!(after >= HANDSHAKE - EARLY, "{after:?}");
        assert!(after < BOUND, "{after:?}");
    }
}

/// A connection that goes silent after the handshake is dropped at the
/// idle timeout; one that keeps talking is not.
#[test]
fn idle_connection_dropped_at_the_idle_timeout() {
    let (addr, ends) = echo_server(2);
    let options = ClientOptions::new()
        .connect_timeout(BOUND)
        .handshake_timeout(BOUND)
        .read_timeout(BOUND)
        .write_timeout(BOUND);
    let url = format!("ws://{addr}/");
    // Before the handshake, so before the server starts waiting.
    let started = Instant::now();
    let (mut silent, _) = net::connect_with(&url, &options, [0u8; 1024], [0u8; 1024]).unwrap();
    // The server drops the transport without a close: end of stream.
    match silent.read() {
        Err(Error::UnexpectedEof) => {}
        other => panic!("expected the end of the stream, got {other:?}"),
    }
    let after = started.elapsed();
    assert!(after >= IDLE - EARLY, "{after:?}");
    assert!(after < BOUND, "{after:?}");
    match next_end(&ends) {
        End::IdleTimeout(waited) => {
            assert!(waited >= IDLE - EARLY, "{waited:?}");
            assert!(waited < BOUND, "{waited:?}");
        }
        other => panic!("unexpected end: {other:?}"),
    }

    // Talking every 100 ms for 2 s: longer than the idle timeout in all,
    // and each pause a tenth of it, so that a pause stretched ten times on
    // a loaded machine still ends before the server gives up.
    let (mut chatty, _) = net::connect_with(&url, &options, [0u8; 1024], [0u8; 1024]).unwrap();
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < 2 * IDLE {
        let text = format!("still here {i}");
        chatty.send_text(&text).unwrap();
        assert_eq!(chatty.read().unwrap(), Message::Text(&text));
        thread::sleep(IDLE / 10);
        i += 1;
    }
    chatty.close(CloseCode::NORMAL, "").unwrap();
    assert!(matches!(chatty.read().unwrap(), Message::Close(_)));
    match next_end(&ends) {
        End::Closed(n) => assert_eq!(n, i),
        other => panic!("unexpected end: {other:?}"),
    }
}
