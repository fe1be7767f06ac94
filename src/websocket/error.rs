//! The connection's error type: the transport's error, wrapped, or what went
//! wrong in the protocol.

use core::fmt;

use crate::connection;
use crate::handshake::HandshakeError;
use crate::{ProtocolError, UsageError};

/// An error from a [`WebSocket`](super::WebSocket) over a transport whose
/// errors are `E`.
///
/// Four bytes with an alignment of one when `E` is at most one byte
/// ([`core::convert::Infallible`], [`embedded_io::ErrorKind`](https://docs.rs/embedded-io/0.7/embedded_io/enum.ErrorKind.html), a UART's
/// error enum), and so is `Result<(), Error<E>>`: on a 32-bit target the
/// connection's calls return it in a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error<E> {
    // The variants shared with `connection::Error` come first, in its
    // order, so that converting one into the other is a copy.
    /// The peer broke the protocol. The close frame with
    /// [`ProtocolError::close_code`] has been sent (if the transport still
    /// worked) and the connection is closed.
    Protocol(ProtocolError),
    /// The caller asked to send something that may not be sent (a ping
    /// over 125 bytes, a close code that may not be sent, text fragments
    /// that are not UTF-8). Nothing was sent; the connection is as it was.
    Usage(UsageError),
    /// The opening handshake failed. A server has already answered with
    /// the error's status.
    Handshake(HandshakeError),
    /// The transport ended (read returned 0) before the close handshake:
    /// an abnormal closure, reported locally as code 1006.
    UnexpectedEof,
    /// The connection is closed: the close handshake is over or an error
    /// ended it. Nothing more can be read or written.
    Closed,
    /// The call does not fit the connection's state: reading or writing
    /// before the opening handshake, a handshake on an open connection, a
    /// new message while a fragmented one is being sent.
    InvalidState,
    /// A buffer is too small for what it must hold: a handshake head, or a
    /// control frame ([`MIN_READ_BUFFER`](super::MIN_READ_BUFFER) and
    /// [`MIN_WRITE_BUFFER`](super::MIN_WRITE_BUFFER) bytes).
    BufferTooSmall,
    /// The transport failed.
    Io(E),
    /// The transport accepted no bytes of a write.
    WriteZero,
}

impl<E> From<connection::Error> for Error<E> {
    fn from(e: connection::Error) -> Self {
        match e {
            connection::Error::Protocol(e) => Error::Protocol(e),
            connection::Error::Usage(e) => Error::Usage(e),
            connection::Error::Handshake(e) => Error::Handshake(e),
            connection::Error::UnexpectedEof => Error::UnexpectedEof,
            connection::Error::Closed => Error::Closed,
            connection::Error::InvalidState => Error::InvalidState,
            connection::Error::BufferTooSmall => Error::BufferTooSmall,
        }
    }
}

impl<E> From<UsageError> for Error<E> {
    fn from(e: UsageError) -> Self {
        Error::Usage(e)
    }
}

impl<E> From<ProtocolError> for Error<E> {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

impl<E> From<HandshakeError> for Error<E> {
    fn from(e: HandshakeError) -> Self {
        Error::Handshake(e)
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "transport error: {e}"),
            Error::WriteZero => f.write_str("transport accepted no bytes"),
            Error::UnexpectedEof => f.write_str("connection ended without a close handshake"),
            Error::Protocol(e) => write!(f, "protocol error: {e}"),
            Error::Usage(e) => write!(f, "cannot send: {e}"),
            Error::Handshake(e) => write!(f, "handshake failed: {e}"),
            Error::Closed => f.write_str("connection closed"),
            Error::InvalidState => f.write_str("operation not valid in the connection's state"),
            Error::BufferTooSmall => f.write_str("buffer too small"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for Error<E> {}

#[cfg(test)]
mod tests {
    use core::convert::Infallible;
    use core::mem::{align_of, size_of};

    use super::*;

    #[test]
    fn results_fit_a_32_bit_register() {
        assert_eq!(size_of::<ProtocolError>(), 3);
        assert_eq!(size_of::<HandshakeError>(), 3);
        assert!(size_of::<UsageError>() <= 3);
        assert_eq!(size_of::<Error<Infallible>>(), 4);
        assert_eq!(align_of::<Error<Infallible>>(), 1);
        assert_eq!(size_of::<Result<(), Error<Infallible>>>(), 4);
        assert_eq!(size_of::<Result<(), Error<embedded_io::ErrorKind>>>(), 4);
    }
}
