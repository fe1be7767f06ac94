//! Protocol errors: what a peer did wrong on the wire, and which close code
//! it gets for it (RFC 6455 section 7.4.1).

use core::fmt;

use crate::close::CloseCode;

/// A violation of RFC 6455 by the peer (or by a caller building a frame).
///
/// Every variant names the close code the RFC prescribes for it:
/// [`ProtocolError::close_code`]. The type is small and `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ProtocolError {
    /// RSV1, RSV2 or RSV3 is set but no negotiated extension defines it
    /// (section 5.2), or RSV1 where permessage-deflate forbids it: on a
    /// control frame or a continuation (RFC 7692 section 6.1). The value holds the offending bits, as in byte 0 of the
    /// header (`0x40` RSV1, `0x20` RSV2, `0x10` RSV3). Close code 1002.
    ReservedBits(u8),
    /// The opcode is one of the reserved values `0x3..=0x7` or `0xB..=0xF`
    /// (section 5.2). Close code 1002.
    ReservedOpcode(u8),
    /// A control frame (close, ping, pong) without FIN: control frames must
    /// not be fragmented (section 5.5). Close code 1002.
    FragmentedControlFrame,
    /// A control frame with a payload over 125 bytes (section 5.5).
    /// Close code 1002.
    ControlFrameTooLong,
    /// A server received an unmasked frame (section 5.1). Close code 1002.
    UnmaskedFrame,
    /// A client received a masked frame (section 5.1). Close code 1002.
    MaskedFrame,
    /// The payload length was not encoded in the minimal number of bytes
    /// (section 5.2: "the minimal number of bytes MUST be used"). Close code 1002.
    NonMinimalLength,
    /// A 64-bit payload length with its most significant bit set
    /// (section 5.2). Close code 1002.
    LengthHighBitSet,
    /// The frame or message is larger than this endpoint accepts: over the
    /// configured limit, or a length that does not fit `usize` on this target
    /// and so could never be held. Close code 1009 (section 7.4.1).
    MessageTooBig,
    /// Text (or a close reason) that is not valid UTF-8 (section 8.1).
    /// Close code 1007.
    InvalidUtf8,
    /// A close frame with a one-byte payload (section 5.5.1). Close code 1002.
    InvalidClosePayload,
    /// A close code that may not appear on the wire (section 7.4).
    /// Close code 1002.
    InvalidCloseCode(CloseCode),
    /// A continuation frame arrived with no fragmented message to continue
    /// (section 5.4). Close code 1002.
    UnexpectedContinuation,
    /// A new text or binary frame arrived while a fragmented message was
    /// still unfinished (section 5.4). Close code 1002.
    ExpectedContinuation,
    /// A compressed message (permessage-deflate, RFC 7692) whose payload
    /// does not inflate: corrupt DEFLATE data, or a back-reference further
    /// than the negotiated window. Close code 1007, as for invalid UTF-8:
    /// the frames are well formed, but the message's data is not what its
    /// RSV1 bit says it is (section 7.4.1 of RFC 6455: "data within a
    /// message that was not consistent with the type of the message").
    #[cfg(feature = "deflate")]
    Inflate,
}

impl ProtocolError {
    /// The close code to send the peer for this error (section 7.4.1).
    pub const fn close_code(self) -> CloseCode {
        match self {
            ProtocolError::MessageTooBig => CloseCode::MESSAGE_TOO_BIG,
            ProtocolError::InvalidUtf8 => CloseCode::INVALID_PAYLOAD,
            #[cfg(feature = "deflate")]
            ProtocolError::Inflate => CloseCode::INVALID_PAYLOAD,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ProtocolError::ReservedBits(bits) => {
                write!(f, "reserved bits {bits:#04x} set without an extension")
            }
            ProtocolError::ReservedOpcode(op) => write!(f, "reserved opcode {op:#x}"),
            ProtocolError::FragmentedControlFrame => f.write_str("fragmented control frame"),
            ProtocolError::ControlFrameTooLong => {
                f.write_str("control frame payload longer than 125 bytes")
            }
            ProtocolError::UnmaskedFrame => f.write_str("unmasked frame sent to a server"),
            ProtocolError::MaskedFrame => f.write_str("masked frame sent to a client"),
            ProtocolError::NonMinimalLength => {
                f.write_str("payload length not in its minimal encoding")
            }
            ProtocolError::LengthHighBitSet => {
                f.write_str("64-bit payload length with the top bit set")
            }
            ProtocolError::MessageTooBig => f.write_str("message too big"),
            ProtocolError::InvalidUtf8 => f.write_str("invalid UTF-8 in text"),
            ProtocolError::InvalidClosePayload => f.write_str("close payload of one byte"),
            ProtocolError::InvalidCloseCode(code) => write!(f, "invalid close code {code}"),
            ProtocolError::UnexpectedContinuation => {
                f.write_str("continuation frame with no message to continue")
            }
            ProtocolError::ExpectedContinuation => {
                f.write_str("new message started before the previous one finished")
            }
            #[cfg(feature = "deflate")]
            ProtocolError::Inflate => f.write_str("compressed message does not inflate"),
        }
    }
}

impl core::error::Error for ProtocolError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_follow_section_7_4_1() {
        use ProtocolError::*;
        let table: &[(ProtocolError, u16)] = &[
            (ReservedBits(0x40), 1002),
            (ReservedOpcode(0x3), 1002),
            (FragmentedControlFrame, 1002),
            (ControlFrameTooLong, 1002),
            (UnmaskedFrame, 1002),
            (MaskedFrame, 1002),
            (NonMinimalLength, 1002),
            (LengthHighBitSet, 1002),
            (MessageTooBig, 1009),
            (InvalidUtf8, 1007),
            (InvalidClosePayload, 1002),
            (InvalidCloseCode(CloseCode::new(1005)), 1002),
            (UnexpectedContinuation, 1002),
            (ExpectedContinuation, 1002),
        ];
        for &(err, code) in table {
            assert_eq!(err.close_code().as_u16(), code, "{err:?}");
        }
    }

    #[test]
    fn is_small() {
        assert!(core::mem::size_of::<ProtocolError>() <= 4);
    }
}
