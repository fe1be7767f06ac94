//! WebSockets over HTTP/3 (RFC 9220), both roles (feature `http3`): the
//! same blocking [`WebSocket`](crate::websocket::WebSocket) and message
//! API as over TCP and HTTP/2, on one request stream of a QUIC connection.
//!
//! | item | what it does |
//! |---|---|
//! | [`Listener`] | a server's UDP socket: QUIC connections as they come, [`Connection`] |
//! | [`Connection`], [`Request`] | a server's HTTP/3 connection and its requests, one per stream: [`Request::accept`] opens a WebSocket, [`Request::respond`] answers plain HTTP |
//! | [`connect`], [`Session`] | a client's HTTP/3 connection, and WebSockets opened on its streams |
//! | [`Stream`] | one request stream as an `embedded-io` transport |
//! | [`split`] | a WebSocket over a stream in a reader and a writer, for two threads |
//! | [`server_config`], [`client_config`], [`transport`] | QUIC configurations with hybi's defaults, to change before use |
//!
//! The extended CONNECT itself is [`handshake::connect`](crate::handshake::connect),
//! the same as over HTTP/2 (RFC 9220 section 3: "the same as RFC 8441").
//!
//! # What is whose
//!
//! QUIC (RFC 9000, 9001, 9002) is [`quinn`]'s, with rustls on the
//! aws-lc-rs provider of feature `tls`. HTTP/3 itself is hybi's, as much
//! of it as WebSockets need: the control streams and SETTINGS, with
//! `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` from a server (RFC 9114 sections
//! 6.2 and 7.2.4; RFC 9220 section 3); HEADERS and DATA frames on request
//! streams, unknown frame and stream types ignored (RFC 9114 sections
//! 7.2 and 9); QPACK with the static table and literals only (RFC 9204,
//! with a dynamic table capacity of 0, so no encoder or decoder streams).
//! The `h3` crate (0.0.8) is not used: its `:protocol` type holds
//! `webtransport` and `connect-udp` only, so it can neither send nor
//! accept `:protocol websocket` (README, "HTTP/3").
//!
//! # What it costs
//!
//! Each connection's UDP I/O, TLS and QUIC run on the runtime `http2`
//! uses (tokio's, one worker thread named `hybi-net`, started by the first
//! call and left running); the WebSockets stay blocking, each read and
//! write waiting on the calling thread for it: a thread hop per read and
//! write, and a copy into and out of quinn's buffers. Calling these
//! functions from async code is refused with an error of kind
//! `Unsupported`: they would block its executor.
//!
//! # Ends, resets and timeouts
//!
//! The end of a stream without a close handshake (a QUIC FIN) reads as
//! the end of a TCP connection does,
//! [`Error::UnexpectedEof`](crate::websocket::Error::UnexpectedEof). A
//! stream reset (RESET_STREAM, STOP_SENDING), a connection closed by the
//! peer with any error code, and a QUIC idle timeout are I/O errors of
//! kind `ConnectionReset`, as a reset TCP connection's is, with the reason
//! in the message; the other WebSockets on the same connection go on
//! after a stream's end or reset. Dropping a WebSocket ends its stream
//! (FIN). [`transport`] sets a 30 s idle timeout and a 10 s keep-alive, so
//! an idle WebSocket stays open and a vanished peer is noticed.
//!
//! # A server
//!
//! ```no_run
//! use hybi::handshake::server::Response;
//! use hybi::net::{self, http3, tls, ServerOptions};
//! use hybi::websocket::Message;
//!
//! let options = ServerOptions::new();
//! let config = tls::server_config("cert.pem", "key.pem")?;
//! let mut listener = http3::Listener::bind("127.0.0.1:9443", config, &options)?;
//! while let Some(mut connection) = listener.accept() {
//!     std::thread::spawn(move || {
//!         // One thread per WebSocket, all on this connection.
//!         while let Some(request) = connection.accept() {
//!             let (rx, tx) = ServerOptions::new().buffers();
//!             let Ok((mut ws, _)) = request.accept(rx, tx, |_| Response::accept()) else {
//!                 continue;
//!             };
//!             std::thread::spawn(move || loop {
//!                 let Ok((message, mut writer)) = ws.read_with_writer() else { return };
//!                 let _ = match message {
//!                     Message::Text(text) => writer.write_text(text),
//!                     Message::Binary(data) => writer.write_binary(data),
//!                     Message::Close(_) => return,
//!                     _ => Ok(()),
//!                 };
//!             });
//!         }
//!     });
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # A client: several WebSockets on one connection
//!
//! ```no_run
//! use hybi::net::http3::Session;
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
mod frame;
mod qpack;
mod server;
mod split;
mod stream;
mod tables;

pub use client::{Client, ClientOver, Session, client_config, connect};
pub use quinn;
pub use server::{
    Connection, Listener, MAX_CONCURRENT_STREAMS, MAX_FIELD_SECTION_SIZE, Request, Server,
    server_config,
};
pub use split::{Reader, SharedStream, Writer, split};
pub use stream::{LINGER, RecvHalf, SendHalf, Stream};

use crate::handshake::connect as extended;

/// The ALPN protocol ID of HTTP/3 (RFC 9114 section 3.1).
pub const ALPN_H3: &[u8] = b"h3";

/// QUIC transport settings with hybi's defaults for WebSockets: a 30 s
/// idle timeout with a keep-alive every 10 s (an idle WebSocket stays
/// open; a peer gone silent is noticed within 30 s), up to
/// [`MAX_CONCURRENT_STREAMS`] request streams from a client, and the few
/// unidirectional streams HTTP/3 needs (RFC 9114 section 6.2).
pub fn transport() -> quinn::TransportConfig {
    let mut transport = quinn::TransportConfig::default();
    transport
        .max_idle_timeout(quinn::IdleTimeout::try_from(core::time::Duration::from_secs(30)).ok())
        .keep_alive_interval(Some(core::time::Duration::from_secs(10)))
        .max_concurrent_bidi_streams(quinn::VarInt::from_u32(MAX_CONCURRENT_STREAMS))
        .max_concurrent_uni_streams(quinn::VarInt::from_u32(8));
    transport
}

/// What can go wrong over HTTP/3 beyond I/O.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The extended CONNECT failed: a request a server answered with an
    /// error status, a refusal of the server application's
    /// ([`HandshakeError::Refused`]), or a server's answer that a client
    /// refused.
    ///
    /// [`HandshakeError::Refused`]: crate::handshake::HandshakeError::Refused
    Handshake(extended::Error),
    /// The server's SETTINGS did not enable extended CONNECT
    /// (`SETTINGS_ENABLE_CONNECT_PROTOCOL`, RFC 9220 section 3): it cannot
    /// carry WebSockets over HTTP/3.
    NotEnabled,
    /// The server did not choose `h3` in the TLS handshake (ALPN).
    NotHttp3,
    /// HTTP/3 runs over QUIC, always with TLS: a `ws://` URL cannot be
    /// reached over it.
    NotSecure,
    /// The transport failed.
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Handshake(e) => write!(f, "extended CONNECT failed: {e}"),
            Error::NotEnabled => f.write_str(
                "the server does not enable extended CONNECT (RFC 9220): no WebSockets over its HTTP/3",
            ),
            Error::NotHttp3 => f.write_str("the server did not choose HTTP/3 (ALPN h3)"),
            Error::NotSecure => f.write_str("HTTP/3 needs a wss:// URL: QUIC is always TLS"),
            Error::Io(e) => write!(f, "HTTP/3: {e}"),
        }
    }
}

impl std_crate::error::Error for Error {
    fn source(&self) -> Option<&(dyn std_crate::error::Error + 'static)> {
        match self {
            Error::Handshake(e) => Some(e),
            Error::Io(e) => Some(e),
            Error::NotEnabled | Error::NotHttp3 | Error::NotSecure => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}
