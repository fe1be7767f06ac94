//! Close status codes (RFC 6455 section 7.4): which may appear on the
//! wire and which are only reported locally.

use core::fmt;

/// A close status code (section 7.4).
///
/// Any `u16`, so codes this crate has no name for (3000-4999 belong to
/// libraries and applications) are kept as they are. Held as the two
/// big-endian bytes of the wire, which order like the number: two bytes
/// with an alignment of one, so that an error carrying a code
/// (`ProtocolError::InvalidCloseCode`) keeps the connection's `Result`s
/// small enough for a register on 32-bit targets.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode([u8; 2]);

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: CloseCode = CloseCode::new(1000);
    /// 1001: the endpoint is going away (server shutdown, page navigated away).
    pub const GOING_AWAY: CloseCode = CloseCode::new(1001);
    /// 1002: the peer violated the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode::new(1002);
    /// 1003: the endpoint cannot accept this type of data.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode::new(1003);
    /// 1005: no code was present. Reported locally, never sent.
    pub const NO_STATUS: CloseCode = CloseCode::new(1005);
    /// 1006: the connection closed without a close frame. Reported locally,
    /// never sent.
    pub const ABNORMAL: CloseCode = CloseCode::new(1006);
    /// 1007: a message's data was inconsistent with its type (invalid UTF-8).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode::new(1007);
    /// 1008: a message violated the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode::new(1008);
    /// 1009: a message was too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode::new(1009);
    /// 1010: the client expected the server to negotiate an extension.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode::new(1010);
    /// 1011: the server met an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode::new(1011);
    /// 1012: the service is restarting (IANA registry).
    pub const SERVICE_RESTART: CloseCode = CloseCode::new(1012);
    /// 1013: try again later (IANA registry).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode::new(1013);
    /// 1014: a gateway got an invalid response upstream (IANA registry).
    pub const BAD_GATEWAY: CloseCode = CloseCode::new(1014);
    /// 1015: the TLS handshake failed. Reported locally, never sent.
    pub const TLS_HANDSHAKE: CloseCode = CloseCode::new(1015);

    /// The code `code`.
    pub const fn new(code: u16) -> Self {
        CloseCode(code.to_be_bytes())
    }

    /// The code as it is sent: two bytes, big-endian.
    pub const fn from_be_bytes(bytes: [u8; 2]) -> Self {
        CloseCode(bytes)
    }

    /// The raw value.
    pub const fn as_u16(self) -> u16 {
        u16::from_be_bytes(self.0)
    }

    /// The code as it is sent: two bytes, big-endian.
    pub const fn to_be_bytes(self) -> [u8; 2] {
        self.0
    }

    /// Whether the code may appear in a close frame, sent or received.
    ///
    /// Allowed: 1000-1003, 1007-1014 (defined by the RFC and the IANA
    /// registry) and 3000-4999 (registered and private use). Everything else
    /// is reserved or reported locally only (1005, 1006, 1015), and a close
    /// frame carrying it is a protocol error.
    pub const fn is_valid_on_wire(self) -> bool {
        // On the big-endian bytes: 1000 is 03 E8, 1014 is 03 F6, 3000 is
        // 0B B8 and 4999 is 13 87.
        matches!(
            self.0,
            [0x03, 0xE8..=0xEB | 0xEF..=0xF6] | [0x0B, 0xB8..=0xFF] | [0x0C..=0x12, _] | [0x13, 0x00..=0x87]
        )
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode::new(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.as_u16()
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_u16(), f)
    }
}

impl fmt::Debug for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CloseCode").field(&self.as_u16()).finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for CloseCode {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "CloseCode({=u16})", self.as_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_valid_on_wire() {
        let valid = [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
        ];
        let invalid = [
            0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ];
        for code in valid.into_iter().chain([3000, 3999, 4000, 4999]) {
            assert!(CloseCode::new(code).is_valid_on_wire(), "{code}");
        }
        for code in invalid {
            assert!(!CloseCode::new(code).is_valid_on_wire(), "{code}");
        }
        // Exhaustively: the valid set is exactly these ranges.
        let count = (0..=u16::MAX)
            .filter(|&c| CloseCode::new(c).is_valid_on_wire())
            .count();
        assert_eq!(count, 4 + 8 + 2000);
    }

    #[test]
    fn codes_are_wire_bytes_that_order_like_numbers() {
        extern crate std;
        use std::format;

        for code in [0, 1, 255, 256, 1000, 4999, u16::MAX] {
            let close = CloseCode::new(code);
            assert_eq!(close.as_u16(), code);
            assert_eq!(close.to_be_bytes(), code.to_be_bytes());
            assert_eq!(CloseCode::from_be_bytes(code.to_be_bytes()), close);
            assert_eq!(u16::from(CloseCode::from(code)), code);
            assert_eq!(
                format!("{close} {close:?}"),
                format!("{code} CloseCode({code})")
            );
        }
        assert!(CloseCode::new(255) < CloseCode::new(256));
        assert!(CloseCode::NORMAL < CloseCode::new(3000));
    }
}
