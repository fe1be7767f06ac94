//! A WebSocket echo server on [embassy-net]'s TCP sockets with hybi's
//! async driver: `#![no_std]`, no heap, every buffer on the task's stack.
//! embassy-net 0.9's `TcpSocket` implements `embedded-io-async` 0.7, the
//! version hybi speaks, so it goes into `hybi::asynch::WebSocket` as it is,
//! and its read and write halves into the split connection.
//!
//! A library, so it needs no board, executor or time driver to build:
//!
//! ```text
//! cd examples/embassy && cargo build --target thumbv7em-none-eabihf
//! ```
//!
//! In firmware, spawn [`listen`] as an embassy task with the board's
//! network stack (`embassy_net::new`); a browser or any WebSocket client
//! then gets its messages back.
//!
//! [embassy-net]: https://crates.io/crates/embassy-net
#![no_std]

use core::future::{Future, poll_fn};
use core::pin::pin;
use core::task::Poll;

use embassy_net::Stack;
use embassy_net::tcp::{self, TcpSocket};
use hybi::asynch::WebSocket;
use hybi::handshake::server::Response;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, ServerHandshake};

/// The answer to a plain HTTP request.
const NOT_FOUND: &[u8] =
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Accepts connections on `port`, one at a time, and serves each: the
/// socket's own buffers and the WebSocket's on this task's stack.
pub async fn listen(stack: Stack<'_>, port: u16) -> ! {
    let (mut socket_rx, mut socket_tx) = ([0u8; 1024], [0u8; 1024]);
    loop {
        let mut socket = TcpSocket::new(stack, &mut socket_rx, &mut socket_tx);
        if socket.accept(port).await.is_err() {
            continue;
        }
        // A failed connection is the client's problem: serve the next.
        let _ = serve(&mut socket).await;
        socket.close();
        let _ = socket.flush().await;
    }
}

/// Serves one connection: the handshake, then every text and binary
/// message back, of any size, chunk by chunk, until the client closes.
/// Pings are answered on the way; a plain HTTP request gets a 404.
pub async fn serve(socket: &mut TcpSocket<'_>) -> Result<(), Error<tcp::Error>> {
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
    let mut ws = WebSocket::server(socket, &mut rx[..], &mut tx[..], Config::new());
    if ws.accept(|_request| Response::accept()).await? == ServerHandshake::Http {
        return ws.write_raw(NOT_FOUND).await;
    }
    loop {
        let (chunk, mut writer) = ws.read_chunk_with_writer().await?;
        match chunk {
            Chunk::Text { data, last } => {
                writer
                    .write_fragment(DataKind::Text, data.as_bytes(), last)
                    .await?
            }
            Chunk::Binary { data, last } => {
                writer.write_fragment(DataKind::Binary, data, last).await?
            }
            // The close has been answered already.
            Chunk::Control(Message::Close(_)) => return Ok(()),
            Chunk::Control(_) => {}
        }
    }
}

/// The same connection split over the socket's read and write halves:
/// the write half greets the client from one future while the read half
/// reads from another (joined in this task); pongs and the close's answer
/// go out through the write side without the write half's help.
pub async fn serve_split(socket: &mut TcpSocket<'_>) -> Result<(), Error<tcp::Error>> {
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
    let mut ws = WebSocket::server(socket, &mut rx[..], &mut tx[..], Config::new());
    if ws.accept(|_request| Response::accept()).await? == ServerHandshake::Http {
        return ws.write_raw(NOT_FOUND).await;
    }
    let (reading, shared) = ws
        .split(|socket| socket.split())
        .map_err(|_| Error::InvalidState)?;
    let (mut reader, mut writer) = reading.attach_async(&shared);
    let read = async {
        loop {
            if let Message::Close(_) = reader.read().await? {
                return Ok(());
            }
        }
    };
    let greet = async {
        // A write that fails has ended the connection, which the read half
        // reports.
        let _ = writer.send_text("hello from embassy").await;
    };
    join(read, greet).await.0
}

/// Runs two futures to their ends: `embassy_futures::join`, written out
/// to keep this example's dependencies to embassy-net.
async fn join<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: Future,
    B: Future,
{
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut done_a, mut done_b) = (None, None);
    poll_fn(|cx| {
        if done_a.is_none()
            && let Poll::Ready(x) = a.as_mut().poll(cx)
        {
            done_a = Some(x);
        }
        if done_b.is_none()
            && let Poll::Ready(y) = b.as_mut().poll(cx)
        {
            done_b = Some(y);
        }
        match (done_a.take(), done_b.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                (done_a, done_b) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}
