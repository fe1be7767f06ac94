//! # hybi
//!
//! WebSocket ([RFC 6455]) for devices and programs that cannot afford a heap.
//!
//! The core of the crate is `#![no_std]`, never allocates and performs no I/O:
//! pure functions and small state machines over byte slices that any transport
//! (or none) can drive.
//!
//! # Start here
//!
//! | you have | use |
//! |---|---|
//! | a `std` program and a TCP socket | [`net::connect`] for a client, [`net::accept`] for a server (feature `std`) |
//! | a blocking transport, an [`embedded_io`](https://docs.rs/embedded-io/0.7/embedded_io/) `Read + Write` (a UART, a smoltcp socket, a TLS stream) | [`WebSocket::server`] then [`WebSocket::accept`], or [`WebSocket::client`] then [`WebSocket::connect`] |
//! | a transport that lends its receive buffer (a `BufRead`) | the same, with the transport in [`websocket::Lending`] |
//! | an async transport ([`embedded_io_async`](https://docs.rs/embedded-io-async/0.7/embedded_io_async/), an embassy-net socket) | [`asynch::WebSocket`] (feature `async`) |
//! | reads and writes on two threads or tasks | [`split`]; with `std`, [`net::split`] |
//! | an event loop of your own, or no transport at all | [`Connection`]: bytes in, messages out, bytes to send |
//! | an HTTP/2 or HTTP/3 stream (RFC 8441, RFC 9220) | [`handshake::connect`] for the extended CONNECT, then [`Connection::upgraded`]; with feature `http2`, `net::http2` does both over `h2`; with `http3`, `net::http3` over QUIC (`quinn`) |
//! | a part only: frame headers, masking, the handshake, UTF-8 | the modules below |
//!
//! Every buffer is the caller's: an array, a slice, a `Vec`. A server over
//! any blocking transport, echoing what it reads:
//!
//! ```
//! use hybi::embedded_io::{Read, Write};
//! use hybi::websocket::{Config, Error, Message, WebSocket};
//! use hybi::Response;
//!
//! fn echo<T: Read + Write>(transport: T) -> Result<(), Error<T::Error>> {
//!     let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
//!     let mut ws = WebSocket::server(transport, &mut rx[..], &mut tx[..], Config::new());
//!     ws.accept(|_request| Response::accept())?; // no subprotocol
//!     loop {
//!         let (message, mut writer) = ws.read_with_writer()?;
//!         match message {
//!             Message::Text(text) => writer.write_text(text)?,
//!             Message::Binary(data) => writer.write_binary(data)?,
//!             Message::Close(_) => return Ok(()), // answered already
//!             Message::Ping(_) | Message::Pong(_) => {} // pongs are sent for us
//!         }
//!     }
//! }
//! ```
//!
//! A client with `std`, over TCP:
//!
//! ```no_run
//! # #[cfg(feature = "std")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use hybi::close::CloseCode;
//! use hybi::websocket::Message;
//!
//! let (mut ws, _) = hybi::net::connect("ws://127.0.0.1:9001/")?;
//! ws.send_text("hello")?;
//! if let Message::Text(reply) = ws.read()? {
//!     println!("{reply}");
//! }
//! ws.close(CloseCode::NORMAL, "")?;
//! while !matches!(ws.read()?, Message::Close(_)) {} // the server's close
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "std"))]
//! # fn main() {}
//! ```
//!
//! # Modules
//!
//! | module | RFC 6455 | what it does |
//! |---|---|---|
//! | [`frame`] | section 5.2 | decode and encode frame headers, with every check the receiver must make |
//! | [`mask`] | section 5.3 | XOR a payload with a masking key, in pieces, at any offset; spot ASCII text in the same pass |
//! | [`utf8`] | sections 5.6, 8.1 | validate text incrementally, failing at the first bad byte (with SIMD under feature `simdutf8`) |
//! | [`close`] | sections 5.5.1, 7.4 | close codes and close frame payloads |
//! | [`handshake`] | section 4 | the opening handshake, client and server; over HTTP/2 and HTTP/3, the extended CONNECT of RFC 8441 and RFC 9220 ([`handshake::connect`]) |
//! | [`http`] | (RFC 9112) | the small, strict HTTP/1.1 head parser the handshake uses |
//! | [`reassembly`] | sections 5.4, 5.5 | which frame may follow which, message size limits |
//! | [`connection`] | sections 4 to 7 | the connection as a state machine without I/O: bytes in, events and bytes out |
//! | [`websocket`] | sections 4 to 7 | a blocking connection over `embedded-io` `Read + Write` |
//! | [`split`] | sections 5 to 7 | a connection in a read half and a write half, for two threads or tasks |
//! | [`asynch`] (feature `async`) | sections 4 to 7 | an async connection over `embedded-io-async` |
//! | [`net`] (feature `std`) | | `std::net` client and server helpers |
//!
//! Nothing here panics on input: malformed bytes give a typed error, and
//! every protocol error knows the close code ([`ProtocolError::close_code`])
//! or HTTP status ([`handshake::HandshakeError::status_code`]) the peer
//! should get. Input that stops short is not an error: decoders answer
//! [`Status::Partial`] and the caller reads more.
//!
//! # Features
//!
//! None is on by default.
//!
//! | feature | what it adds |
//! |---|---|
//! | `std` | [`net`]: `connect`, `accept`, `split` over `std::net` sockets, URL parsing, an `embedded-io` adapter for `std::io`, randomness from the operating system; [`split::StdMutex`] for split halves on threads |
//! | `async` | [`asynch`]: the connection over `embedded-io-async` 0.7 |
//! | `tls` | `wss://` in both roles over `std` sockets, with rustls (`net::tls`) |
//! | `http2` | WebSockets over HTTP/2 (RFC 8441) in both roles, HTTP/1.1 and HTTP/2 on one TLS port (`net::http2`, on `h2`); the extended CONNECT handshake itself, [`handshake::connect`], needs no feature |
//! | `http3` | WebSockets over HTTP/3 (RFC 9220) in both roles (`net::http3`, on QUIC from `quinn`, with hybi's own HTTP/3 framing and QPACK) |
//! | `defmt` | `defmt::Format` on the public types |
//! | `simdutf8` | UTF-8 validation of text with SIMD instructions where the processor has them; elsewhere (as on Cortex-M) `core::str::from_utf8`, with the same results |
//!
//! [RFC 6455]: https://www.rfc-editor.org/rfc/rfc6455
// Items that come with a feature are links when it is on; without it, the
// links go to the list of features above.
#![cfg_attr(feature = "std", doc = "[`net`]: crate::net")]
#![cfg_attr(feature = "std", doc = "[`net::connect`]: crate::net::connect")]
#![cfg_attr(feature = "std", doc = "[`net::accept`]: crate::net::accept")]
#![cfg_attr(feature = "std", doc = "[`net::split`]: crate::net::split")]
#![cfg_attr(feature = "std", doc = "[`split::StdMutex`]: crate::split::StdMutex")]
#![cfg_attr(not(feature = "std"), doc = "[`net`]: #features")]
#![cfg_attr(not(feature = "std"), doc = "[`net::connect`]: #features")]
#![cfg_attr(not(feature = "std"), doc = "[`net::accept`]: #features")]
#![cfg_attr(not(feature = "std"), doc = "[`net::split`]: #features")]
#![cfg_attr(not(feature = "std"), doc = "[`split::StdMutex`]: #features")]
#![cfg_attr(feature = "async", doc = "[`asynch`]: crate::asynch")]
#![cfg_attr(
    feature = "async",
    doc = "[`asynch::WebSocket`]: crate::asynch::WebSocket"
)]
#![cfg_attr(not(feature = "async"), doc = "[`asynch`]: #features")]
#![cfg_attr(not(feature = "async"), doc = "[`asynch::WebSocket`]: #features")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "std")]
extern crate std as std_crate;

#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub mod asynch;
pub mod close;
pub mod connection;
#[cfg(feature = "deflate")]
#[cfg_attr(docsrs, doc(cfg(feature = "deflate")))]
pub mod deflate;
mod error;
pub mod frame;
pub mod handshake;
pub mod http;
pub mod mask;
mod random;
pub mod reassembly;
mod role;
pub mod split;
mod status;
mod usage;
pub mod utf8;
pub mod websocket;

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod net;

/// `net::http3`'s framing and QPACK for the fuzz targets (`fuzz/`), built
/// without QUIC: only with cargo-fuzz's `--cfg fuzzing`, never in the API.
#[cfg(all(fuzzing, feature = "std"))]
#[doc(hidden)]
#[path = "net/http3/fuzzing.rs"]
pub mod fuzzing;

pub use error::ProtocolError;
pub use random::RandomSource;
pub use role::{Client, Endpoint, Role, Server};
pub use status::Status;
pub use usage::UsageError;

// The types a user touches, at the root; the modules hold the rest.
pub use close::{CloseCode, CloseFrame};
pub use connection::{Buffer, Config, Connection};
pub use handshake::server::Response;
pub use reassembly::DataKind;
pub use websocket::{Error, ServerHandshake};

/// The `embedded-io` this crate speaks (0.7): implement its traits from
/// here to be sure the versions meet.
pub use embedded_io;
/// The `embedded-io-async` this crate speaks (0.7).
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use embedded_io_async;
/// The `heapless` this crate speaks (0.8): the owned subprotocol
/// ([`websocket::Subprotocol`]) and close reason ([`close::OwnedClose`])
/// are its `String`s.
pub use heapless;
pub use websocket::{Chunk, Message, WebSocket};

/// The README's examples, compiled and run as doc tests (they use every
/// feature).
#[cfg(all(doctest, feature = "std", feature = "async"))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
