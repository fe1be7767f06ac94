//! A client connection split into a read half and a write half on two
//! threads (`hybi::net::split`), against a hybi server on 127.0.0.1:
//! messages both ways at once, and every way the connection can end while
//! one half is busy.
//!
//! Every wait is bounded: sockets carry timeouts and threads are joined
//! through channels with a deadline.
#![cfg(feature = "std")]

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use hybi::ProtocolError;
use hybi::close::CloseCode;
use hybi::handshake::server::Response;
use hybi::net::{self, Accepted, ClientOptions, Server, ServerOptions};
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message};

/// Asserts that `$result` matches `$pattern` (`std::io::Error` has no
/// `PartialEq`).
macro_rules! assert_matches {
    ($result:expr, $pattern:pat) => {
        match $result {
            $pattern => {}
            ref other => panic!("expected {}, got {other:?}", stringify!($pattern)),
        }
    };
}

/// The longest any test waits for anything.
const BOUND: Duration = Duration::from_secs(20);

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

/// Accepts one connection and runs `handler` on it.
fn serve_one<T: Send + 'static>(
    handler: impl FnOnce(Server<Vec<u8>>) -> T + Send + 'static,
) -> (SocketAddr, Bounded<T>) {
    serve_with(Config::new(), handler)
}

/// [`serve_one`] with the server's `config`.
fn serve_with<T: Send + 'static>(
    config: Config,
    handler: impl FnOnce(Server<Vec<u8>>) -> T + Send + 'static,
) -> (SocketAddr, Bounded<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let result = spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let options = ServerOptions::new()
            .write_timeout(Some(BOUND))
            .idle_timeout(Some(BOUND))
            .config(config);
        let accepted = net::accept(socket, &options, vec![0; 1 << 16], vec![0; 1 << 16], |_| {
            Response::accept()
        })
        .unwrap();
        match accepted {
            Accepted::WebSocket(ws, _) => handler(ws),
            Accepted::Http(_) => panic!("expected a WebSocket request"),
        }
    });
    (addr, result)
}

/// The halves of a client connection to `addr`, with pings and pongs
/// shown when `show_control`.
fn split_client(addr: SocketAddr, show_control: bool) -> (net::Reader<Vec<u8>, Client>, Writer) {
    let options = ClientOptions::new()
        .connect_timeout(BOUND)
        .handshake_timeout(BOUND)
        .read_timeout(BOUND)
        .write_timeout(BOUND)
        .config(Config::new().show_control(show_control));
    let (ws, _) = net::connect_with(
        &format!("ws://{addr}/"),
        &options,
        vec![0; 1 << 16],
        vec![0; 1 << 16],
    )
    .unwrap();
    net::split(ws).unwrap()
}

type Client = hybi::Client<net::OsRandom>;
type Writer = net::Writer<Client, Vec<u8>>;

/// Reads the server's connection until the client's close, discarding
/// data; returns the close code and how many data bytes came.
fn drain_to_close(ws: &mut Server<Vec<u8>>) -> (Option<u16>, usize) {
    let mut bytes = 0;
    loop {
        match ws.read_chunk().unwrap() {
            Chunk::Text { data, .. } => bytes += data.len(),
            Chunk::Binary { data, .. } => bytes += data.len(),
            Chunk::Control(Message::Close(close)) => {
                return (close.map(|c| c.code().as_u16()), bytes);
            }
            Chunk::Control(_) => {}
        }
    }
}

/// One thread blocked in reading while another writes 10,000 messages with
/// a ping after every hundredth: every echo and every pong arrives, in
/// order, and nothing waits on anything but the network.
#[test]
fn reader_blocked_while_writer_sends_ten_thousand_messages() {
    const COUNT: usize = 10_000;
    let (addr, server) = serve_one(|mut ws| {
        // An echo server, unsplit: it answers pings itself.
        let mut echoed = 0;
        loop {
            let (message, mut writer) = ws.read_with_writer().unwrap();
            match message {
                Message::Text(text) => writer.write_text(text).unwrap(),
                Message::Binary(data) => writer.write_binary(data).unwrap(),
                Message::Close(close) => return (echoed, close.map(|c| c.code().as_u16())),
                _ => continue,
            }
            echoed += 1;
        }
    });
    let (mut reader, mut writer) = split_client(addr, true);
    let sender = spawn(move || {
        for i in 0..COUNT {
            if i % 2 == 0 {
                writer.write_text(&format!("message {i}")).unwrap();
            } else {
                writer.write_binary(&(i as u32).to_be_bytes()).unwrap();
            }
            if i % 100 == 99 {
                writer.write_ping(&(i as u32).to_be_bytes()).unwrap();
                writer.flush().unwrap();
            }
        }
        writer.flush().unwrap();
        writer
    });
    let mut pongs = Vec::new();
    let mut next = 0;
    while next < COUNT {
        match reader.read().unwrap() {
            Message::Text(text) => {
                assert_eq!(text, format!("message {next}"));
                next += 1;
            }
            Message::Binary(data) => {
                assert_eq!(data, (next as u32).to_be_bytes());
                next += 1;
            }
            Message::Pong(data) => pongs.push(u32::from_be_bytes(data.try_into().unwrap())),
            other => panic!("unexpected {other:?}"),
        }
    }
    let mut writer = sender.join();
    writer.close(CloseCode::NORMAL, "done").unwrap();
    // The pongs that were still on their way, then the server's close.
    loop {
        match reader.read().unwrap() {
            Message::Pong(data) => pongs.push(u32::from_be_bytes(data.try_into().unwrap())),
            Message::Close(close) => {
                assert_eq!(close.map(|c| c.code()), Some(CloseCode::NORMAL));
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let expected: Vec<u32> = (0..COUNT)
        .filter(|i| i % 100 == 99)
        .map(|i| i as u32)
        .collect();
    assert_eq!(pongs, expected);
    assert_eq!(server.join(), (COUNT, Some(1000)));
    assert!(matches!(reader.read(), Err(Error::Closed)));
    assert_matches!(writer.send_text("late"), Err(Error::Closed));
}

/// The server pings while the client's write half is idle: the read half
/// answers at once, without the writer's help.
#[test]
fn pings_answered_while_the_writer_is_idle() {
    let (addr, server) = serve_with(Config::new().show_control(true), |mut ws| {
        ws.write_ping(b"are you there").unwrap();
        ws.flush().unwrap();
        let pong = match ws.read().unwrap() {
            Message::Pong(data) => data.to_vec(),
            other => panic!("expected the pong, got {other:?}"),
        };
        ws.close(CloseCode::NORMAL, "").unwrap();
        let end = drain_to_close(&mut ws);
        (pong, end)
    });
    let (mut reader, writer) = split_client(addr, false);
    match reader.read().unwrap() {
        Message::Close(close) => assert_eq!(close.map(|c| c.code()), Some(CloseCode::NORMAL)),
        other => panic!("expected the close, got {other:?}"),
    }
    assert_eq!(server.join(), (b"are you there".to_vec(), (Some(1000), 0)));
    assert!(writer.is_closed());
}

/// The peer closes while the write half is in the middle of a fragmented
/// message: the close is answered between two fragments, the next
/// fragment is refused, and the read half sees the close.
#[test]
fn peer_closes_while_the_writer_is_mid_message() {
    let (addr, server) = serve_one(|mut ws| {
        // The first fragment, then close.
        let first = match ws.read_chunk().unwrap() {
            Chunk::Text { data, last } => (data.to_owned(), last),
            other => panic!("expected text, got {other:?}"),
        };
        ws.close(CloseCode::GOING_AWAY, "restart").unwrap();
        let end = drain_to_close(&mut ws);
        (first, end)
    });
    let (mut reader, mut writer) = split_client(addr, false);
    writer
        .write_fragment(DataKind::Text, b"first part, ", false)
        .unwrap();
    writer.flush().unwrap();
    // The read half sees the close and answers it at once: the write half
    // is idle between its fragments.
    match reader.read().unwrap() {
        Message::Close(Some(close)) => {
            assert_eq!(close.code(), CloseCode::GOING_AWAY);
            assert_eq!(close.reason(), "restart");
        }
        other => panic!("expected the close, got {other:?}"),
    }
    assert_matches!(
        writer.write_fragment(DataKind::Text, b"second part", true),
        Err(Error::Closed)
    );
    let (first, (code, bytes)) = server.join();
    assert_eq!(first, ("first part, ".to_owned(), false));
    // The answer echoes the code, after nothing more.
    assert_eq!((code, bytes), (Some(1001), 0));
    assert!(matches!(reader.read(), Err(Error::Closed)));
}

/// The peer closes while the write half is busy writing a large message:
/// the answer goes out after the frame being written, never inside it.
#[test]
fn peer_closes_while_the_writer_is_busy() {
    const LEN: usize = 8 << 20;
    let (addr, server) = serve_one(|mut ws| {
        // As soon as the message starts to arrive, close.
        let mut bytes = match ws.read_chunk().unwrap() {
            Chunk::Binary { data, .. } => data.len(),
            other => panic!("expected binary, got {other:?}"),
        };
        ws.close(CloseCode::GOING_AWAY, "").unwrap();
        let (code, rest) = drain_to_close(&mut ws);
        bytes += rest;
        (code, bytes)
    });
    let (mut reader, mut writer) = split_client(addr, false);
    let big = vec![0x5au8; LEN];
    let sender = spawn(move || {
        let sent = writer.send_binary(&big);
        (sent, writer)
    });
    match reader.read().unwrap() {
        Message::Close(Some(close)) => assert_eq!(close.code(), CloseCode::GOING_AWAY),
        other => panic!("expected the close, got {other:?}"),
    }
    let (sent, mut writer) = sender.join();
    // The message went out whole (the close came after it had begun), and
    // the close's answer after it.
    assert_matches!(sent, Ok(()));
    assert_eq!(server.join(), (Some(1001), LEN));
    assert_matches!(writer.send_text("late"), Err(Error::Closed));
}

/// This end closes while its read half is blocked in a read: the server's
/// answer ends the read half.
#[test]
fn local_close_while_the_reader_is_blocked() {
    let (addr, server) = serve_one(|mut ws| {
        // An echo server, unsplit, until the close.
        loop {
            let (message, mut writer) = ws.read_with_writer().unwrap();
            match message {
                Message::Text(text) => writer.write_text(text).unwrap(),
                Message::Close(close) => return close.map(|c| c.code().as_u16()),
                _ => {}
            }
        }
    });
    let (mut reader, mut writer) = split_client(addr, false);
    let (blocked, reading) = mpsc::channel();
    let read_side = spawn(move || {
        blocked.send(()).unwrap();
        let first = reader.read().map(|m| format!("{m:?}"));
        let second = reader.read().map(|m| format!("{m:?}"));
        let third = reader.read().map(|_| ());
        (first, second, third)
    });
    reading.recv_timeout(BOUND).unwrap();
    // Give the reader time to block in its read.
    thread::sleep(Duration::from_millis(100));
    writer.send_text("one").unwrap();
    writer.close(CloseCode::NORMAL, "bye").unwrap();
    let (first, second, third) = read_side.join();
    assert_eq!(first.unwrap(), r#"Text("one")"#);
    assert!(
        second
            .unwrap()
            .starts_with("Close(Some(CloseFrame { code: CloseCode(1000)")
    );
    assert_matches!(third, Err(Error::Closed));
    assert_eq!(server.join(), Some(1000));
    assert!(writer.is_closed());
    assert_matches!(writer.send_text("late"), Err(Error::Closed));
}

/// The peer breaks the protocol while the write half is busy writing: the
/// read half reports the error and the close it calls for (1002) reaches
/// the peer after the frame being written; the write half's next call
/// reports the same error.
#[test]
fn protocol_error_while_the_writer_is_busy() {
    let (addr, server) = serve_one(|mut ws| {
        // A frame with the reserved opcode 0x3, as raw bytes.
        ws.transport_mut()
            .get_mut()
            .write_all(&[0x83, 0x00])
            .unwrap();
        drain_to_close(&mut ws)
    });
    let (mut reader, mut writer) = split_client(addr, false);
    let sender = spawn(move || {
        // Writes until the read side's error ends the connection.
        let chunk = vec![7u8; 64 * 1024];
        let mut sent = 0usize;
        loop {
            match writer.send_binary(&chunk) {
                Ok(()) => sent += 1,
                Err(e) => return (sent, e, writer),
            }
            assert!(sent < 100_000, "the write half never heard of the error");
        }
    });
    assert_matches!(
        reader.read().map(|_| ()),
        Err(Error::Protocol(ProtocolError::ReservedOpcode(3)))
    );
    let (sent, error, mut writer) = sender.join();
    assert_matches!(error, Error::Protocol(ProtocolError::ReservedOpcode(3)));
    let (code, bytes) = server.join();
    assert_eq!(code, Some(1002));
    // Whole messages only came before the close.
    assert_eq!(bytes % (64 * 1024), 0);
    assert!(bytes / (64 * 1024) <= sent);
    assert!(matches!(reader.read(), Err(Error::Closed)));
    assert_matches!(
        writer.flush(),
        Err(Error::Protocol(ProtocolError::ReservedOpcode(3)))
    );
}
