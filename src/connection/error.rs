//! The connection core's error type.

use core::fmt;

use crate::handshake::HandshakeError;
use crate::{ProtocolError, UsageError};

/// What went wrong in a [`Connection`](super::Connection), which does no
/// I/O: the drivers add the transport's errors to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    // `websocket::Error` starts with these variants, in this order.
    /// The peer broke the protocol. The close frame with
    /// [`ProtocolError::close_code`] is queued and the connection is
    /// closed.
    Protocol(ProtocolError),
    /// The caller asked to send something that may not be sent. Nothing
    /// was queued; the connection is as it was.
    Usage(UsageError),
    /// The opening handshake failed. A server has queued the answer with
    /// the error's status.
    Handshake(HandshakeError),
    /// The input ended before the close handshake: an abnormal closure,
    /// reported locally as code 1006.
    UnexpectedEof,
    /// The connection is closed: the close handshake is over or an error
    /// ended it. Nothing more can be read or written.
    Closed,
    /// The call does not fit the connection's state: reading or writing
    /// before the opening handshake, a handshake on an open connection, a
    /// new message while a fragmented one is being sent, another frame
    /// while one is partly queued.
    InvalidState,
    /// A buffer is too small for what it must hold: a handshake head, or
    /// a control frame ([`MIN_READ_BUFFER`](super::MIN_READ_BUFFER) and
    /// [`MIN_WRITE_BUFFER`](super::MIN_WRITE_BUFFER) bytes).
    BufferTooSmall,
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Error::Usage(e)
    }
}

impl From<HandshakeError> for Error {
    fn from(e: HandshakeError) -> Self {
        Error::Handshake(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Protocol(e) => write!(f, "protocol error: {e}"),
            Error::Usage(e) => write!(f, "cannot send: {e}"),
            Error::Handshake(e) => write!(f, "handshake failed: {e}"),
            Error::UnexpectedEof => f.write_str("connection ended without a close handshake"),
            Error::Closed => f.write_str("connection closed"),
            Error::InvalidState => f.write_str("operation not valid in the connection's state"),
            Error::BufferTooSmall => f.write_str("buffer too small"),
        }
    }
}

impl core::error::Error for Error {}
