//! Blocking `std::net` sockets (feature `std`): [`connect`] to a `ws://`
//! URL (RFC 6455 sections 3 and 4.1), [`accept`] a connection on a
//! listener's socket (section 4.2), with timeouts, and OS randomness for
//! masking keys (section 5.3). With feature `tls`, `wss://` in both roles
//! ([`tls`]).
//!
//! | item | what it does |
//! |---|---|
//! | [`connect`], [`connect_with`] | resolve, connect, handshake: a [`Client`] |
//! | [`accept`] | the server handshake under a deadline: [`Accepted`] |
//! | `accept_tls` (`tls`) | the TLS handshake, then the server handshake, under one deadline |
//! | `tls` (`tls`) | `wss://`: trust roots, certificates and keys from PEM files, [`TlsError`](tls::TlsError) |
//! | `http2` (`http2`) | WebSockets over HTTP/2 (RFC 8441) in both roles, HTTP/1.1 and HTTP/2 on one TLS port |
//! | `http3` (`http3`) | WebSockets over HTTP/3 (RFC 9220) in both roles, on QUIC |
//! | [`Url`] | parse `ws://host[:port][/path][?query]` |
//! | [`Stream`] | a `TcpStream` as an `embedded-io` transport, with timeouts and a deadline |
//! | [`split`] | a connection in a reader and a writer, for two threads |
//! | [`Std`] | any `std::io` stream (a TLS stream, say) as an `embedded-io` transport |
//! | [`OsRandom`] | masking keys and nonces from the operating system |
//!
//! Nothing here allocates beyond what `std::net` itself does (name
//! resolution), and TLS its buffers: the WebSocket buffers are the
//! caller's, inline arrays by default. Without feature `tls`, `wss://` is
//! a TLS library's stream wrapped in [`Std`] (see there).
//!
//! # A client
//!
//! ```no_run
//! use hybi::close::CloseCode;
//! use hybi::net;
//! use hybi::websocket::Message;
//!
//! let (mut ws, _) = net::connect("ws://127.0.0.1:9001/")?;
//! ws.send_text("hello")?;
//! if let Message::Text(reply) = ws.read()? {
//!     println!("{reply}");
//! }
//! ws.close(CloseCode::NORMAL, "")?;
//! while !matches!(ws.read()?, Message::Close(_)) {} // the server's close
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # A server
//!
//! One thread per connection, echoing messages of any size through a
//! 64 KiB buffer chunk by chunk, and a 404 for plain HTTP:
//!
//! ```no_run
//! use std::net::TcpListener;
//! use hybi::handshake::server::Response;
//! use hybi::net::{self, Accepted, ServerOptions};
//! use hybi::websocket::{Chunk, Message};
//! use hybi::reassembly::DataKind;
//!
//! fn serve(socket: std::net::TcpStream) -> Result<(), net::Error> {
//!     let options = ServerOptions::new();
//!     let (rx, tx) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
//!     let mut ws = match net::accept(socket, &options, rx, tx, |_request| Response::accept())? {
//!         Accepted::WebSocket(ws, _protocol) => ws,
//!         Accepted::Http(mut http) => {
//!             return http.write_raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
//!         }
//!     };
//!     loop {
//!         let (chunk, mut writer) = ws.read_chunk_with_writer()?;
//!         match chunk {
//!             Chunk::Text { data, last } => writer.write_fragment(DataKind::Text, data.as_bytes(), last)?,
//!             Chunk::Binary { data, last } => writer.write_fragment(DataKind::Binary, data, last)?,
//!             Chunk::Control(Message::Close(_)) => return Ok(()),
//!             Chunk::Control(_) => {}
//!         }
//!     }
//! }
//!
//! let listener = TcpListener::bind("127.0.0.1:9001")?;
//! for socket in listener.incoming() {
//!     let socket = socket?;
//!     std::thread::spawn(move || serve(socket));
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

pub(crate) mod client;
#[cfg(any(feature = "http2", feature = "http3"))]
mod duplex;
#[cfg(any(feature = "http2", feature = "http3"))]
mod extended;
mod growable;
#[cfg(feature = "http2")]
#[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
pub mod http2;
#[cfg(feature = "http3")]
#[cfg_attr(docsrs, doc(cfg(feature = "http3")))]
pub mod http3;
mod io;
mod random;
#[cfg(any(feature = "http2", feature = "http3"))]
mod runtime;
pub(crate) mod server;
mod split;
mod stream;
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub mod tls;
mod url;

pub use client::{
    Client, ClientOptions, ClientOver, ConnectError, Connected, DEFAULT_BUFFER_LEN, connect,
    connect_with,
};
pub use growable::{Growable, INITIAL_LEN};
pub use io::Std;
pub use random::OsRandom;
#[cfg(feature = "tls")]
pub use server::accept_tls;
pub use server::{Accepted, DEFAULT_HANDSHAKE_TIMEOUT, Server, ServerOptions, accept};
pub use split::{Reader, SharedStream, Writer, split};
pub use stream::Stream;
pub use url::{Url, UrlError};

/// The error of a connection over `std` I/O.
pub type Error = crate::websocket::Error<std_crate::io::Error>;

/// Whether an I/O error is a timeout: [`TimedOut`], or the [`WouldBlock`]
/// Unix reports for a socket timeout set outside [`Stream`].
///
/// [`TimedOut`]: std_crate::io::ErrorKind::TimedOut
/// [`WouldBlock`]: std_crate::io::ErrorKind::WouldBlock
pub fn is_timeout(error: &std_crate::io::Error) -> bool {
    use std_crate::io::ErrorKind;
    matches!(error.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock)
}
