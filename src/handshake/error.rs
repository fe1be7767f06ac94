//! What can go wrong in an opening handshake, and the HTTP status a server
//! answers with.

use core::fmt;

use crate::http::{HttpError, StatusCode};

/// A handshake header field, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Field {
    /// `Host`.
    Host,
    /// `Upgrade`.
    Upgrade,
    /// `Connection`.
    Connection,
    /// `Origin`.
    Origin,
    /// `Sec-WebSocket-Key`.
    Key,
    /// `Sec-WebSocket-Version`.
    Version,
    /// `Sec-WebSocket-Accept`.
    Accept,
    /// `Sec-WebSocket-Protocol`.
    Protocol,
    /// `Sec-WebSocket-Extensions`.
    Extensions,
}

impl Field {
    /// The field's name as sent on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Host => "Host",
            Field::Upgrade => "Upgrade",
            Field::Connection => "Connection",
            Field::Origin => "Origin",
            Field::Key => "Sec-WebSocket-Key",
            Field::Version => "Sec-WebSocket-Version",
            Field::Accept => "Sec-WebSocket-Accept",
            Field::Protocol => "Sec-WebSocket-Protocol",
            Field::Extensions => "Sec-WebSocket-Extensions",
        }
    }
}

/// A failed opening handshake.
///
/// Errors about a received request say which status a server answers with
/// ([`HandshakeError::status_code`]; [`server::write_rejection`] writes the
/// response), as does a server application's refusal
/// ([`HandshakeError::Refused`]). Errors about a received response, or about
/// the caller's own arguments, have none: a client just drops the
/// connection, and a server answers 500.
///
/// [`server::write_rejection`]: crate::handshake::server::write_rejection
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HandshakeError {
    /// The head is not valid HTTP/1.1. Status 400.
    Http(HttpError),
    /// The head did not fit the buffer. Status 431.
    HeadTooLarge,
    /// The request method is not `GET` (section 4.1, item 2). Status 400.
    Method,
    /// The request is not HTTP/1.1 (section 4.1, item 2). Status 400.
    HttpVersion,
    /// A required field is missing. Status 400, or 426 for
    /// `Sec-WebSocket-Version` (a client of an older draft).
    MissingHeader(Field),
    /// A field that must appear once appears more than once. Status 400.
    DuplicateHeader(Field),
    /// A field has a value the handshake does not allow (an `Upgrade`
    /// without `websocket`, a key that is not base64 of 16 bytes, a
    /// subprotocol that is not a token...). Status 400.
    InvalidHeader(Field),
    /// `Sec-WebSocket-Version` is not 13 (section 4.4). Status 426, with
    /// `Sec-WebSocket-Version: 13`.
    UnsupportedVersion,
    /// The server answered with this status instead of 101.
    Status(StatusCode),
    /// `Sec-WebSocket-Accept` does not match the key sent (section 4.1).
    AcceptMismatch,
    /// The server chose a subprotocol the client did not offer, or a server
    /// application tried to (section 4.1, item 6 of the client's checks).
    ProtocolNotOffered,
    /// The server accepted an extension the client did not offer
    /// (section 4.1, item 5 of the client's checks).
    ExtensionNotOffered,
    /// A 101 response with `Content-Length` or `Transfer-Encoding`: a 1xx
    /// response has no body (RFC 9110 section 8.6).
    UnexpectedBody,
    /// The output buffer is too small for the head being written (a
    /// server answers a `101` or a refusal that does not fit its write
    /// buffer with a 500).
    BufferTooSmall,
    /// An argument given to a writer cannot go on the wire (a path without
    /// a leading `/`, a header value with CR or LF, a subprotocol that is not
    /// a token, a header this crate writes itself, a refusal whose status is
    /// not 3xx to 5xx, a body on a `101`...). A server answers it with a 500.
    InvalidArgument,
    /// The server application refused the request with this status
    /// ([`Response::reject`](crate::handshake::server::Response::reject)),
    /// and the refusal was queued.
    Refused(StatusCode),
    /// The subprotocol a server application chose is longer than
    /// [`MAX_PROTOCOL_LEN`](crate::connection::MAX_PROTOCOL_LEN) bytes, the
    /// room the connection keeps for it. Answered with a 500.
    ProtocolTooLong,
    /// The server's answer to the client's permessage-deflate offer breaks
    /// RFC 7692 section 7.1: a parameter that is unknown, repeated or out
    /// of range, a window larger than offered, a limit or a context
    /// takeover the offer asked for and the answer drops, or the extension
    /// accepted twice.
    #[cfg(feature = "deflate")]
    Deflate(crate::deflate::params::ParamError),
}

impl HandshakeError {
    /// The HTTP status a server answers a request with this error (for
    /// [`HandshakeError::Refused`], the status the application chose), or
    /// `None` for the errors that can only come from a response (a client
    /// drops the connection instead) or from the caller's own arguments (a
    /// server answers 500).
    pub const fn status_code(self) -> Option<u16> {
        match self {
            HandshakeError::Refused(code) => Some(code.as_u16()),
            _ => self.request_status(),
        }
    }

    /// [`HandshakeError::status_code`] for the errors a server finds in a
    /// request itself: 400, 426 or 431, or `None` for a 500 (and for
    /// [`HandshakeError::Refused`], whose status is the application's). A
    /// few constants, which a server that refuses nothing itself matches
    /// on without a status in a register.
    pub(crate) const fn request_status(self) -> Option<u16> {
        match self {
            HandshakeError::MissingHeader(Field::Accept)
            | HandshakeError::DuplicateHeader(Field::Accept)
            | HandshakeError::InvalidHeader(Field::Accept) => None,
            HandshakeError::Http(_)
            | HandshakeError::Method
            | HandshakeError::HttpVersion
            | HandshakeError::DuplicateHeader(_)
            | HandshakeError::InvalidHeader(_) => Some(400),
            HandshakeError::MissingHeader(Field::Version) | HandshakeError::UnsupportedVersion => {
                Some(426)
            }
            HandshakeError::MissingHeader(_) => Some(400),
            HandshakeError::HeadTooLarge => Some(431),
            HandshakeError::Status(_)
            | HandshakeError::AcceptMismatch
            | HandshakeError::ProtocolNotOffered
            | HandshakeError::ExtensionNotOffered
            | HandshakeError::UnexpectedBody
            | HandshakeError::BufferTooSmall
            | HandshakeError::InvalidArgument
            | HandshakeError::Refused(_)
            | HandshakeError::ProtocolTooLong => None,
            #[cfg(feature = "deflate")]
            HandshakeError::Deflate(_) => None,
        }
    }
}

impl From<HttpError> for HandshakeError {
    fn from(e: HttpError) -> Self {
        HandshakeError::Http(e)
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            HandshakeError::Http(e) => write!(f, "malformed HTTP head: {e}"),
            HandshakeError::HeadTooLarge => f.write_str("HTTP head too large for the buffer"),
            HandshakeError::Method => f.write_str("handshake method is not GET"),
            HandshakeError::HttpVersion => f.write_str("handshake is not HTTP/1.1"),
            HandshakeError::MissingHeader(h) => write!(f, "missing {} header", h.name()),
            HandshakeError::DuplicateHeader(h) => write!(f, "duplicate {} header", h.name()),
            HandshakeError::InvalidHeader(h) => write!(f, "invalid {} header", h.name()),
            HandshakeError::UnsupportedVersion => {
                f.write_str("unsupported WebSocket version (only 13 is)")
            }
            HandshakeError::Status(code) => write!(f, "server answered {code}, not 101"),
            HandshakeError::AcceptMismatch => {
                f.write_str("Sec-WebSocket-Accept does not match the key")
            }
            HandshakeError::ProtocolNotOffered => f.write_str("subprotocol was not offered"),
            HandshakeError::ExtensionNotOffered => f.write_str("extension was not offered"),
            HandshakeError::UnexpectedBody => f.write_str("101 response announces a body"),
            HandshakeError::BufferTooSmall => f.write_str("buffer too small for the HTTP head"),
            HandshakeError::InvalidArgument => f.write_str("argument not valid in an HTTP head"),
            HandshakeError::Refused(code) => write!(f, "request refused with status {code}"),
            HandshakeError::ProtocolTooLong => f.write_str("chosen subprotocol too long to keep"),
            #[cfg(feature = "deflate")]
            HandshakeError::Deflate(e) => {
                write!(f, "server's permessage-deflate answer breaks RFC 7692: {e}")
            }
        }
    }
}

impl core::error::Error for HandshakeError {}
