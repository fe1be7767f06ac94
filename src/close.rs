//! Close codes and close frame payloads (RFC 6455 sections 5.5.1 and 7.4).
//!
//! A close payload is either empty or a 2-byte big-endian code followed by a
//! UTF-8 reason, 125 bytes in all. [`CloseFrame::parse`] checks a received one;
//! [`CloseFrame::new`] checks one before it is sent and
//! [`CloseFrame::encode`] writes it.

use core::fmt;

use crate::ProtocolError;

/// The longest close payload: a control frame carries at most 125 bytes.
pub const MAX_CLOSE_PAYLOAD: usize = 125;

/// The longest reason that fits beside a close code.
pub const MAX_REASON_LEN: usize = MAX_CLOSE_PAYLOAD - 2;

/// A close status code (section 7.4).
///
/// Any `u16`, so codes this crate has no name for (3000-4999 belong to
/// libraries and applications) are kept as they are. Held as the two
/// big-endian bytes of the wire, which order like the number: two bytes
/// with an alignment of one, so that an error carrying a code
/// ([`ProtocolError::InvalidCloseCode`]) keeps the connection's `Result`s
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

/// The contents of a close frame that carries a code: the code and a reason.
///
/// A close frame with an empty payload has no `CloseFrame`; the code reported
/// for it locally is [`CloseCode::NO_STATUS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CloseFrame<'a> {
    code: CloseCode,
    reason: &'a str,
}

impl<'a> CloseFrame<'a> {
    /// A close to send: `code` must be valid on the wire and `reason` at most
    /// [`MAX_REASON_LEN`] bytes.
    pub fn new(code: CloseCode, reason: &'a str) -> Result<Self, ProtocolError> {
        if !code.is_valid_on_wire() {
            return Err(ProtocolError::InvalidCloseCode(code));
        }
        if reason.len() > MAX_REASON_LEN {
            return Err(ProtocolError::ControlFrameTooLong);
        }
        Ok(CloseFrame { code, reason })
    }

    /// Parses a received close payload (already unmasked).
    ///
    /// `Ok(None)` for an empty payload. Errors: one byte
    /// ([`ProtocolError::InvalidClosePayload`]), more than 125 bytes
    /// ([`ProtocolError::ControlFrameTooLong`]), a code not valid on the wire
    /// ([`ProtocolError::InvalidCloseCode`]), a reason that is not UTF-8
    /// ([`ProtocolError::InvalidUtf8`], close code 1007).
    pub fn parse(payload: &'a [u8]) -> Result<Option<Self>, ProtocolError> {
        match payload {
            [] => Ok(None),
            [_] => Err(ProtocolError::InvalidClosePayload),
            _ if payload.len() > MAX_CLOSE_PAYLOAD => Err(ProtocolError::ControlFrameTooLong),
            [hi, lo, reason @ ..] => {
                let code = CloseCode([*hi, *lo]);
                if !code.is_valid_on_wire() {
                    return Err(ProtocolError::InvalidCloseCode(code));
                }
                let reason =
                    core::str::from_utf8(reason).map_err(|_| ProtocolError::InvalidUtf8)?;
                Ok(Some(CloseFrame { code, reason }))
            }
        }
    }

    /// The close code.
    pub const fn code(&self) -> CloseCode {
        self.code
    }

    /// The reason, possibly empty.
    pub const fn reason(&self) -> &'a str {
        self.reason
    }

    /// The payload length: 2 plus the reason.
    pub const fn encoded_len(&self) -> usize {
        2 + self.reason.len()
    }

    /// Writes the payload (code then reason) to the front of `out` and
    /// returns its length. The payload always fits: it is at most 125 bytes.
    pub fn encode(&self, out: &mut [u8; MAX_CLOSE_PAYLOAD]) -> usize {
        [out[0], out[1]] = self.code.0;
        let len = self.encoded_len().min(MAX_CLOSE_PAYLOAD);
        out[2..len].copy_from_slice(&self.reason.as_bytes()[..len - 2]);
        len
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

    #[test]
    fn unknown_codes_are_kept() {
        let close = CloseFrame::parse(&[0x0F, 0xA0, b'x']).unwrap().unwrap();
        assert_eq!(close.code(), CloseCode::new(4000));
        assert_eq!(close.reason(), "x");
    }

    #[test]
    fn parse_table() {
        type Expect = Result<Option<(u16, &'static str)>, ProtocolError>;
        let invalid = |code| Err(ProtocolError::InvalidCloseCode(CloseCode::new(code)));
        let mut long = [b'a'; MAX_CLOSE_PAYLOAD + 1];
        long[..2].copy_from_slice(&1000u16.to_be_bytes());
        let cases: &[(&[u8], Expect)] = &[
            (b"", Ok(None)),
            (b"\x03", Err(ProtocolError::InvalidClosePayload)),
            (b"\x03\xe8", Ok(Some((1000, "")))),
            (b"\x03\xe8bye", Ok(Some((1000, "bye")))),
            (b"\x03\xe9\xc3\xa9t\xc3\xa9", Ok(Some((1001, "été")))),
            (b"\x0b\xb8", Ok(Some((3000, "")))),
            (b"\x13\x87", Ok(Some((4999, "")))),
            (b"\x00\x00", invalid(0)),
            (b"\x03\xe7", invalid(999)),
            (b"\x03\xec", invalid(1004)),
            (b"\x03\xed", invalid(1005)),
            (b"\x03\xee", invalid(1006)),
            (b"\x03\xf7", invalid(1015)),
            (b"\x03\xf8", invalid(1016)),
            (b"\x04\x4c", invalid(1100)),
            (b"\x07\xd0", invalid(2000)),
            (b"\x0b\xb7", invalid(2999)),
            (b"\x13\x88", invalid(5000)),
            (b"\x03\xe8\xff", Err(ProtocolError::InvalidUtf8)),
            (b"\x03\xe8\xce\xba\xe1\xbd", Err(ProtocolError::InvalidUtf8)),
            (&long, Err(ProtocolError::ControlFrameTooLong)),
        ];
        for (payload, expect) in cases {
            let got =
                CloseFrame::parse(payload).map(|c| c.map(|c| (c.code().as_u16(), c.reason())));
            assert_eq!(&got, expect, "{payload:02x?}");
        }
        assert_eq!(
            CloseFrame::parse(b"\x03\xed").unwrap_err().close_code(),
            CloseCode::PROTOCOL_ERROR
        );
        assert_eq!(
            CloseFrame::parse(b"\x03\xe8\xff").unwrap_err().close_code(),
            CloseCode::INVALID_PAYLOAD
        );
    }

    #[test]
    fn build_and_encode() {
        let close = CloseFrame::new(CloseCode::NORMAL, "done").unwrap();
        let mut out = [0u8; MAX_CLOSE_PAYLOAD];
        let n = close.encode(&mut out);
        assert_eq!(&out[..n], b"\x03\xe8done");
        assert_eq!(CloseFrame::parse(&out[..n]), Ok(Some(close)));

        let reason = core::str::from_utf8(&[b'r'; MAX_REASON_LEN]).unwrap();
        let close = CloseFrame::new(CloseCode::new(4000), reason).unwrap();
        assert_eq!(close.encode(&mut out), MAX_CLOSE_PAYLOAD);

        let reason = core::str::from_utf8(&[b'r'; MAX_REASON_LEN + 1]).unwrap();
        assert_eq!(
            CloseFrame::new(CloseCode::NORMAL, reason),
            Err(ProtocolError::ControlFrameTooLong)
        );
        for code in [0, 1004, 1005, 1006, 1015, 2000, 5000] {
            assert_eq!(
                CloseFrame::new(CloseCode::new(code), ""),
                Err(ProtocolError::InvalidCloseCode(CloseCode::new(code)))
            );
        }
    }
}
