//! # hybi
//!
//! WebSocket ([RFC 6455]) for devices and programs that cannot afford a heap.
//!
//! The core of the crate is `#![no_std]`, never allocates and performs no I/O:
//! pure functions and small state machines over byte slices that any transport
//! (or none) can drive.
//!
//! | module | RFC 6455 | what it does |
//! |---|---|---|
//! | [`frame`] | section 5.2 | decode and encode frame headers, with every check the receiver must make |
//! | [`mask`] | section 5.3 | XOR a payload with a masking key, in pieces, at any offset; spot ASCII text in the same pass |
//! | [`utf8`] | sections 5.6, 8.1 | validate text incrementally, failing at the first bad byte (with SIMD under feature `simdutf8`) |
//! | [`close`] | sections 5.5.1, 7.4 | close codes and close frame payloads |
//! | [`handshake`] | section 4 | the opening handshake, client and server |
//! | [`http`] | (RFC 9112) | the small, strict HTTP/1.1 head parser the handshake uses |
//! | [`reassembly`] | sections 5.4, 5.5 | which frame may follow which, message size limits |
//! | [`connection`] | sections 4 to 7 | the connection as a state machine without I/O: bytes in, events and bytes out |
//! | [`websocket`] | sections 4 to 7 | a blocking connection over `embedded-io` `Read + Write` |
//! | [`split`] | sections 5 to 7 | a connection in a read half and a write half, for two threads or tasks |
//! | `asynch` (feature `async`) | sections 4 to 7 | an async connection over `embedded-io-async` |
//! | `net` (feature `std`) | | `std::net` client and server helpers |
//!
//! Nothing here panics on input: malformed bytes give a typed error, and
//! every protocol error knows the close code ([`ProtocolError::close_code`])
//! or HTTP status ([`handshake::HandshakeError::status_code`]) the peer
//! should get. Input that stops short is not an error: decoders answer
//! [`Status::Partial`] and the caller reads more.
//!
//! [RFC 6455]: https://www.rfc-editor.org/rfc/rfc6455
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
