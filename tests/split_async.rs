//! The async driver split into a read half and a write half on one
//! executor, against an async hybi server, over in-memory pipes that are
//! pending when empty (a read waits) and when full (a write waits): the
//! read half waits on the network while the write half sends, pings are
//! answered with the write half idle, and closes from either side end both
//! halves.
#![cfg(feature = "async")]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use hybi::asynch::WebSocket;
use hybi::close::CloseCode;
use hybi::embedded_io::{ErrorKind, ErrorType};
use hybi::embedded_io_async::{Read, Write};
use hybi::websocket::{Config, Error, Message};
use hybi::{Client, Server};

/// How many bytes a pipe holds before a write waits.
const PIPE: usize = 16 * 1024;

/// One direction of an in-memory connection.
#[derive(Default)]
struct Pipe {
    bytes: VecDeque<u8>,
    closed: bool,
}

/// An end of a connection: reads from one pipe, writes to the other.
#[derive(Clone)]
struct End {
    rx: Rc<RefCell<Pipe>>,
    tx: Rc<RefCell<Pipe>>,
}

impl End {
    /// Ends this side of the connection: the other end reads 0.
    fn close(&self) {
        self.tx.borrow_mut().closed = true;
    }
}

impl ErrorType for End {
    type Error = ErrorKind;
}

impl Read for End {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        std::future::poll_fn(|_| {
            let mut pipe = self.rx.borrow_mut();
            if pipe.bytes.is_empty() && !pipe.closed {
                return Poll::Pending;
            }
            let n = buf.len().min(pipe.bytes.len());
            for (slot, byte) in buf.iter_mut().zip(pipe.bytes.drain(..n)) {
                *slot = byte;
            }
            Poll::Ready(Ok(n))
        })
        .await
    }
}

impl Write for End {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        std::future::poll_fn(|_| {
            let mut pipe = self.tx.borrow_mut();
            let room = PIPE - pipe.bytes.len();
            if room == 0 {
                return Poll::Pending;
            }
            let n = buf.len().min(room);
            pipe.bytes.extend(&buf[..n]);
            Poll::Ready(Ok(n))
        })
        .await
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

/// Two ends of one connection.
fn connection() -> (End, End) {
    let (a, b) = (Rc::default(), Rc::default());
    (
        End {
            rx: Rc::clone(&a),
            tx: Rc::clone(&b),
        },
        End { rx: b, tx: a },
    )
}

/// Runs the futures until all are done, polling each in turn: every
/// pending future is ready to be polled again (the pipes wake no one).
/// Panics if they stop making progress.
fn run_all(mut futures: Vec<Pin<Box<dyn Future<Output = ()> + '_>>>) {
    let mut cx = Context::from_waker(Waker::noop());
    let mut done = vec![false; futures.len()];
    for _ in 0..10_000_000 {
        for (future, done) in futures.iter_mut().zip(&mut done) {
            if !*done && future.as_mut().poll(&mut cx).is_ready() {
                *done = true;
            }
        }
        if done.iter().all(|&d| d) {
            return;
        }
    }
    panic!("the tasks stopped making progress");
}

/// A client's randomness, fixed for the tests.
fn rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |dest: &mut [u8]| {
        for b in dest {
            n = n.wrapping_add(37);
            *b = n | 1;
        }
    }
}

type ServerWs = WebSocket<End, Vec<u8>>;

fn server(end: End, config: Config) -> ServerWs {
    WebSocket::from_upgraded(end, vec![0; 4096], vec![0; 4096], Server, config, &[]).unwrap()
}

/// An async echo server: every message back, until the close.
async fn echo(mut ws: ServerWs) -> (usize, Option<u16>) {
    let mut echoed = 0;
    loop {
        let (message, mut writer) = ws.read_with_writer().await.unwrap();
        match message {
            Message::Text(text) => writer.write_text(text).await.unwrap(),
            Message::Binary(data) => writer.write_binary(data).await.unwrap(),
            Message::Close(close) => return (echoed, close.map(|c| c.code().as_u16())),
            _ => continue,
        }
        writer.flush().await.unwrap();
        echoed += 1;
    }
}

/// The read half waits on an empty pipe while the write half sends 2,000
/// messages and a ping after every hundredth; every echo and pong arrives
/// in order, then the write half's close ends both.
#[test]
fn reader_waits_while_writer_sends() {
    const COUNT: usize = 2_000;
    let (client_end, server_end) = connection();
    let client = WebSocket::from_upgraded(
        client_end,
        vec![0u8; 4096],
        vec![0u8; 4096],
        Client::new(rng()),
        Config::new().show_control(true),
        &[],
    )
    .unwrap();
    let (reading, shared) = client.split(|end| (end.clone(), end)).unwrap();
    let (mut reader, mut writer) = reading.attach_async(&shared);
    let server_result = RefCell::new(None);
    let reader_result = RefCell::new(None);
    run_all(vec![
        Box::pin(async {
            let end = server_end.clone();
            *server_result.borrow_mut() = Some(echo(server(server_end, Config::new())).await);
            // The server ends the connection first (section 7.1.1).
            end.close();
        }),
        Box::pin(async {
            let (mut next, mut pongs) = (0, Vec::new());
            loop {
                match reader.read().await {
                    Ok(Message::Text(text)) => {
                        assert_eq!(text, format!("message {next}"));
                        next += 1;
                    }
                    Ok(Message::Pong(data)) => pongs.push(data.to_vec()),
                    Ok(Message::Close(close)) => {
                        *reader_result.borrow_mut() = Some((next, pongs, close.map(|c| c.code())));
                        break;
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            assert!(matches!(reader.read().await, Err(Error::Closed)));
        }),
        Box::pin(async {
            for i in 0..COUNT {
                writer.write_text(&format!("message {i}")).await.unwrap();
                if i % 100 == 99 {
                    writer.write_ping(&(i as u32).to_be_bytes()).await.unwrap();
                }
                writer.flush().await.unwrap();
            }
            writer.close(CloseCode::NORMAL, "done").await.unwrap();
        }),
    ]);
    let (echoed, code) = server_result.into_inner().unwrap();
    assert_eq!((echoed, code), (COUNT, Some(1000)));
    let (read, pongs, code) = reader_result.into_inner().unwrap();
    assert_eq!(read, COUNT);
    let expected: Vec<Vec<u8>> = (0..COUNT)
        .filter(|i| i % 100 == 99)
        .map(|i| (i as u32).to_be_bytes().to_vec())
        .collect();
    assert_eq!(pongs, expected);
    assert_eq!(code, Some(CloseCode::NORMAL));
}

/// The server pings and closes while the write half does nothing: the read
/// half answers both itself, and the write half then finds the connection
/// over.
#[test]
fn read_half_answers_with_the_writer_idle() {
    let (client_end, server_end) = connection();
    let client = WebSocket::from_upgraded(
        client_end,
        vec![0u8; 4096],
        vec![0u8; 4096],
        Client::new(rng()),
        Config::new(),
        &[],
    )
    .unwrap();
    let (reading, shared) = client.split(|end| (end.clone(), end)).unwrap();
    let (mut reader, mut writer) = reading.attach_async(&shared);
    let server_saw = RefCell::new(Vec::new());
    run_all(vec![
        Box::pin(async {
            let end = server_end.clone();
            let mut ws = server(server_end, Config::new().show_control(true));
            ws.write_ping(b"anyone?").await.unwrap();
            ws.flush().await.unwrap();
            match ws.read().await.unwrap() {
                Message::Pong(data) => server_saw.borrow_mut().push(format!("pong {data:?}")),
                other => panic!("expected the pong, got {other:?}"),
            }
            ws.close(CloseCode::GOING_AWAY, "bye").await.unwrap();
            match ws.read().await.unwrap() {
                Message::Close(close) => server_saw
                    .borrow_mut()
                    .push(format!("close {:?}", close.map(|c| c.code()))),
                other => panic!("expected the close, got {other:?}"),
            }
            end.close();
        }),
        Box::pin(async {
            match reader.read().await.unwrap() {
                Message::Close(close) => {
                    assert_eq!(close.map(|c| c.code()), Some(CloseCode::GOING_AWAY))
                }
                other => panic!("expected the close, got {other:?}"),
            }
        }),
    ]);
    assert_eq!(
        server_saw.into_inner(),
        [
            "pong [97, 110, 121, 111, 110, 101, 63]",
            "close Some(CloseCode(1001))"
        ]
    );
    assert!(writer.is_closed());
    assert!(matches!(
        std::pin::pin!(writer.send_text("late"))
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop())),
        Poll::Ready(Err(Error::Closed))
    ));
}
