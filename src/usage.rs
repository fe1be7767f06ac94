//! The caller's own mistakes: what hybi refuses to send because the peer
//! would have to treat it as a protocol violation (RFC 6455 sections 5.5,
//! 5.6 and 7.4). Nothing is sent and the connection stays as it was.

use core::fmt;

use crate::close::CloseCode;

/// Something the caller asked to send that may not go on the wire.
///
/// Unlike [`ProtocolError`](crate::ProtocolError), which the peer caused
/// and which ends the connection, a `UsageError` leaves the connection
/// open: nothing was queued. Small and `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UsageError {
    /// A ping or pong payload over 125 bytes (section 5.5).
    ControlFrameTooLong,
    /// A close reason over 123 bytes: with the code it must fit a control
    /// frame's 125 (section 5.5.1).
    ReasonTooLong,
    /// A close code that may not be sent (section 7.4: 1005, 1006, 1015
    /// and the reserved ranges).
    InvalidCloseCode(CloseCode),
    /// Text fragments that are not UTF-8 as a whole (sections 5.6 and 8.1).
    InvalidUtf8,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UsageError::ControlFrameTooLong => {
                f.write_str("ping or pong payload longer than 125 bytes")
            }
            UsageError::ReasonTooLong => f.write_str("close reason longer than 123 bytes"),
            UsageError::InvalidCloseCode(code) => write!(f, "close code {code} may not be sent"),
            UsageError::InvalidUtf8 => f.write_str("text to send is not UTF-8"),
        }
    }
}

impl core::error::Error for UsageError {}
