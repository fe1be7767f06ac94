//! WebSockets over HTTP/2 (RFC 8441), both roles, over TLS (feature
//! `http2`): the same blocking [`WebSocket`](crate::websocket::WebSocket)
//! and message API as over TCP, on one stream of an HTTP/2 connection.
//!
//! | item | what it does |
//! |---|---|
//! | [`accept_tls`] | a server's TLS handshake, then HTTP/1.1 or HTTP/2 as ALPN chose: [`Accepted`] |
//! | [`Connection`], [`Request`] | a server's HTTP/2 connection and its requests, one per stream: [`Request::accept`] opens a WebSocket, [`Request::respond`] answers plain HTTP |
//! | [`Request::new`] | a request from an `h2` server of your own, handed to hybi |
//! | [`connect`], [`Session`] | a client's HTTP/2 connection, and WebSockets opened on its streams |
//! | [`Stream`] | one stream as an `embedded-io` transport |
//! | [`split`] | a WebSocket over a stream in a reader and a writer, for two threads |
//!
//! The extended CONNECT itself is [`handshake::connect`](crate::handshake::connect), which needs no
//! `std` and no HTTP/2 library.
//!
//! # What it costs
//!
//! HTTP/2 is [`h2`]'s, which is async: the HTTP/2 connections of the
//! process run on one runtime (tokio's, one worker thread named
//! `hybi-net`, shared with `http3`, started by the first call and left running), which does
//! their socket I/O, TLS and framing. The WebSockets stay blocking: each
//! read and write waits on the calling thread for the runtime's thread.
//! That is a thread hop per read and write that TCP does not have, the
//! bytes copied once more (into and out of h2's buffers), and tokio, h2
//! and tokio-rustls in the build (README, "HTTP/2", for the numbers).
//! Calling these functions from async code is refused with an error of
//! kind `Unsupported`: they would block its executor.
//!
//! # Flow control, ends and resets
//!
//! A stream's receive window is given back as its bytes are read, so a
//! peer runs at most one window ahead of the reader; writes wait for send
//! window. Streams share the connection's window as HTTP/2 shares it. The
//! end of a stream without a close handshake reads as the end of a TCP
//! connection does, [`Error::UnexpectedEof`](crate::websocket::Error::UnexpectedEof);
//! a reset is an I/O error of kind `ConnectionReset`, as a reset TCP
//! connection's is. Dropping a WebSocket ends its stream (END_STREAM).
//!
//! # A server of both protocols on one port
//!
//! ```no_run
//! use std::net::TcpListener;
//! use hybi::handshake::server::Response;
//! use hybi::net::{self, http2, tls, ServerOptions};
//! use hybi::websocket::Message;
//!
//! fn echo<T: hybi::embedded_io::Read + hybi::embedded_io::Write>(
//!     mut ws: hybi::WebSocket<T, net::Growable, hybi::Server, Vec<u8>>,
//! ) -> Result<(), hybi::Error<T::Error>> {
//!     loop {
//!         let (message, mut writer) = ws.read_with_writer()?;
//!         match message {
//!             Message::Text(text) => writer.write_text(text)?,
//!             Message::Binary(data) => writer.write_binary(data)?,
//!             Message::Close(_) => return Ok(()),
//!             _ => {}
//!         }
//!     }
//! }
//!
//! let config = http2::alpn(tls::server_config("cert.pem", "key.pem")?);
//! let options = ServerOptions::new();
//! for socket in TcpListener::bind("127.0.0.1:9443")?.incoming() {
//!     let (socket, config) = (socket?, config.clone());
//!     std::thread::spawn(move || {
//!         let (rx, tx) = options.buffers();
//!         match http2::accept_tls(socket, &config, &options, rx, tx, |_| Response::accept()) {
//!             Ok(http2::Accepted::Http1(net::Accepted::WebSocket(ws, _))) => drop(echo(ws)),
//!             Ok(http2::Accepted::Http2(mut connection)) => {
//!                 // One thread per WebSocket, all on this connection.
//!                 while let Some(request) = connection.accept() {
//!                     let (rx, tx) = options.buffers();
//!                     if let Ok((ws, _)) = request.accept(rx, tx, |_| Response::accept()) {
//!                         std::thread::spawn(move || echo(ws));
//!                     }
//!                 }
//!             }
//!             _ => {}
//!         }
//!     });
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # A client: several WebSockets on one connection
//!
//! ```no_run
//! use hybi::net::http2::Session;
//! use hybi::net::ClientOptions;
//!
//! let session = Session::connect("wss://example.com/", &ClientOptions::new())?;
//! let (mut chat, _) = session.open("/chat")?;
//! let (mut news, _) = session.open("/news")?;
//! chat.send_text("hello")?;
//! news.send_text("subscribe")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use std_crate::io;

mod client;
mod server;
mod split;
mod stream;

pub use client::{Client, ClientOver, Session, connect};
pub use server::{
    Accepted, CONNECTION_WINDOW, Connection, MAX_CONCURRENT_STREAMS, Request, STREAM_WINDOW,
    Server, accept_tls, alpn,
};
pub use split::{Reader, SharedStream, Writer, split};
pub use stream::{LINGER, RecvHalf, SendHalf, Stream};

use crate::handshake::connect as extended;

/// The ALPN protocol ID of HTTP/2 over TLS (RFC 9113 section 3.2).
pub const ALPN_H2: &[u8] = b"h2";
/// The ALPN protocol ID of HTTP/1.1 (RFC 7301 section 6).
pub const ALPN_HTTP1: &[u8] = b"http/1.1";

/// What can go wrong over HTTP/2 beyond I/O.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The extended CONNECT failed: a request a server answered with an
    /// error status (and reset, when it was malformed), a refusal of the
    /// server application's ([`HandshakeError::Refused`]), or a server's
    /// answer that a client refused.
    ///
    /// [`HandshakeError::Refused`]: crate::handshake::HandshakeError::Refused
    Handshake(extended::Error),
    /// The server's SETTINGS did not enable extended CONNECT
    /// (`SETTINGS_ENABLE_CONNECT_PROTOCOL`, RFC 8441 section 3): it cannot
    /// carry WebSockets over HTTP/2.
    NotEnabled,
    /// The server did not choose `h2` in the TLS handshake (ALPN).
    NotHttp2,
    /// The transport failed.
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Handshake(e) => write!(f, "extended CONNECT failed: {e}"),
            Error::NotEnabled => f.write_str(
                "the server does not enable extended CONNECT (RFC 8441): no WebSockets over its HTTP/2",
            ),
            Error::NotHttp2 => f.write_str("the server did not choose HTTP/2 (ALPN h2)"),
            Error::Io(e) => write!(f, "HTTP/2: {e}"),
        }
    }
}

impl std_crate::error::Error for Error {
    fn source(&self) -> Option<&(dyn std_crate::error::Error + 'static)> {
        match self {
            Error::Handshake(e) => Some(e),
            Error::Io(e) => Some(e),
            Error::NotEnabled | Error::NotHttp2 => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}
