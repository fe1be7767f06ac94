//! The opening handshake, both roles (RFC 6455 section 4).
//!
//! - [`server`]: parse and validate a client's upgrade request in the
//!   caller's buffer, without copying (section 4.2.1); tell a plain HTTP
//!   request apart from a bad WebSocket request; answer it with a
//!   [`server::Response`]: the `101` (section 4.2.2), or a refusal with the
//!   status, header fields and body the server chooses; or write the `400`
//!   / `426` rejection for a bad request.
//! - [`client`]: write an upgrade request with a fresh nonce (section 4.1)
//!   and validate the server's response.
//! - [`connect`]: the extended CONNECT of RFC 8441 (HTTP/2) and RFC 9220
//!   (HTTP/3), both roles, over field lists: a WebSocket on one stream of
//!   a multiplexed connection, with the same subprotocol, extension and
//!   [`server::Response`] rules as over HTTP/1.1.
//! - [`ClientKey`] and [`AcceptKey`]: the `Sec-WebSocket-Key` nonce and the
//!   `Sec-WebSocket-Accept` proof derived from it.
//!
//! Header storage is the caller's: an array of [`http::Header`]
//! (e.g. `[EMPTY_HEADER; 32]`); a request with more fields than it holds is
//! an error, [`HandshakeError::Http`] with [`HttpError::TooManyHeaders`].
//! A browser request is usually 400 to 800 bytes with 10 to 20 fields.
//!
//! [`http::Header`]: crate::http::Header
//! [`HttpError::TooManyHeaders`]: crate::http::HttpError::TooManyHeaders

mod error;
mod extension;
mod fields;
mod key;
mod writer;

pub mod client;
pub mod connect;
pub mod server;

pub use error::{Field, HandshakeError};
pub use extension::{Extension, Extensions};
pub use key::{AcceptKey, ClientKey, GUID};

/// The only protocol version this crate speaks (section 4.1, item 9).
pub const VERSION: &str = "13";
