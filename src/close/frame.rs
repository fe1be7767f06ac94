//! Close frame payloads (RFC 6455 section 5.5.1): an empty payload, or a
//! two-byte code and a UTF-8 reason, 125 bytes in all.

use super::{CloseCode, MAX_CLOSE_PAYLOAD, MAX_REASON_LEN};
use crate::{ProtocolError, UsageError};

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
    /// A close to send: `code` must be valid on the wire
    /// ([`UsageError::InvalidCloseCode`]) and `reason` at most
    /// [`MAX_REASON_LEN`] bytes ([`UsageError::ReasonTooLong`]).
    pub fn new(code: CloseCode, reason: &'a str) -> Result<Self, UsageError> {
        if !code.is_valid_on_wire() {
            return Err(UsageError::InvalidCloseCode(code));
        }
        if reason.len() > MAX_REASON_LEN {
            return Err(UsageError::ReasonTooLong);
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
                let code = CloseCode::from_be_bytes([*hi, *lo]);
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
        [out[0], out[1]] = self.code.to_be_bytes();
        let len = self.encoded_len().min(MAX_CLOSE_PAYLOAD);
        out[2..len].copy_from_slice(&self.reason.as_bytes()[..len - 2]);
        len
    }

    /// The code and a copy of the reason, to keep past the next read: a
    /// received close borrows the read buffer, which the next read reuses.
    ///
    /// ```
    /// use hybi::close::{CloseCode, CloseFrame};
    ///
    /// let owned = {
    ///     let read_buffer = *b"\x03\xe9going away";
    ///     CloseFrame::parse(&read_buffer)?.map(CloseFrame::into_owned)
    /// };
    /// let owned = owned.expect("a code");
    /// assert_eq!((owned.code(), owned.reason()), (CloseCode::GOING_AWAY, "going away"));
    /// # Ok::<(), hybi::ProtocolError>(())
    /// ```
    pub fn into_owned(self) -> OwnedClose {
        let mut reason = heapless::String::new();
        // At most MAX_REASON_LEN bytes, checked when the frame was made.
        let _ = reason.push_str(self.reason);
        OwnedClose {
            code: self.code,
            reason,
        }
    }
}

/// A [`CloseFrame`] that owns its reason: 2 bytes of code and up to
/// [`MAX_REASON_LEN`] (123) bytes of reason in place, about 128 bytes in
/// all, no allocation. Made by [`CloseFrame::into_owned`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedClose {
    code: CloseCode,
    reason: heapless::String<MAX_REASON_LEN>,
}

impl OwnedClose {
    /// The close code.
    pub const fn code(&self) -> CloseCode {
        self.code
    }

    /// The reason, possibly empty.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The frame again, borrowing this reason: to send it on, say.
    pub fn as_frame(&self) -> CloseFrame<'_> {
        CloseFrame {
            code: self.code,
            reason: &self.reason,
        }
    }
}

impl From<CloseFrame<'_>> for OwnedClose {
    fn from(close: CloseFrame<'_>) -> Self {
        close.into_owned()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for OwnedClose {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{}", self.as_frame())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_are_kept() {
        let close = CloseFrame::parse(&[0x0F, 0xA0, b'x']).unwrap().unwrap();
        assert_eq!(close.code(), CloseCode::new(4000));
        assert_eq!(close.reason(), "x");
    }

    #[test]
    fn parses() {
        type Parsed = Option<(u16, &'static str)>;
        let cases: &[(&[u8], Parsed)] = &[
            (b"", None),
            (b"\x03\xe8", Some((1000, ""))),
            (b"\x03\xe8bye", Some((1000, "bye"))),
            (b"\x03\xe9\xc3\xa9t\xc3\xa9", Some((1001, "été"))),
            (b"\x0b\xb8", Some((3000, ""))),
            (b"\x13\x87", Some((4999, ""))),
        ];
        for (payload, expect) in cases {
            let got =
                CloseFrame::parse(payload).map(|c| c.map(|c| (c.code().as_u16(), c.reason())));
            assert_eq!(got, Ok(*expect), "{payload:02x?}");
        }
    }

    // One row per close payload a receiver refuses (RFC 6455 sections
    // 5.5.1 and 7.4): its name, the payload, the error and its close code.
    #[test]
    fn rejections() {
        use ProtocolError::*;
        let invalid = |code| InvalidCloseCode(CloseCode::new(code));
        let mut long = [b'a'; MAX_CLOSE_PAYLOAD + 1];
        long[..2].copy_from_slice(&1000u16.to_be_bytes());
        #[rustfmt::skip]
        let cases: &[(&str, &[u8], ProtocolError, u16)] = &[
            ("one byte", b"\x03", InvalidClosePayload, 1002),
            ("code 0", b"\x00\x00", invalid(0), 1002),
            ("code 999", b"\x03\xe7", invalid(999), 1002),
            ("code 1004, reserved", b"\x03\xec", invalid(1004), 1002),
            ("code 1005, never sent", b"\x03\xed", invalid(1005), 1002),
            ("code 1006, never sent", b"\x03\xee", invalid(1006), 1002),
            ("code 1015, never sent", b"\x03\xf7", invalid(1015), 1002),
            ("code 1016, unassigned", b"\x03\xf8", invalid(1016), 1002),
            ("code 1100, unassigned", b"\x04\x4c", invalid(1100), 1002),
            ("code 2000, unassigned", b"\x07\xd0", invalid(2000), 1002),
            ("code 2999, unassigned", b"\x0b\xb7", invalid(2999), 1002),
            ("code 5000", b"\x13\x88", invalid(5000), 1002),
            ("a reason with a bad byte", b"\x03\xe8\xff", InvalidUtf8, 1007),
            ("a reason ending inside a character", b"\x03\xe8\xce\xba\xe1\xbd", InvalidUtf8, 1007),
            ("126 bytes", &long, ControlFrameTooLong, 1002),
        ];
        for &(name, payload, err, code) in cases {
            assert_eq!(
                CloseFrame::parse(payload),
                Err(err),
                "{name}: {payload:02x?}"
            );
            assert_eq!(err.close_code().as_u16(), code, "{name}");
        }
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
            Err(UsageError::ReasonTooLong)
        );
        for code in [0, 1004, 1005, 1006, 1015, 2000, 5000] {
            assert_eq!(
                CloseFrame::new(CloseCode::new(code), ""),
                Err(UsageError::InvalidCloseCode(CloseCode::new(code)))
            );
        }
    }

    #[test]
    fn owned_outlives_the_payload() {
        let mut payload = [b'r'; MAX_CLOSE_PAYLOAD];
        payload[..2].copy_from_slice(&4000u16.to_be_bytes());
        let close = CloseFrame::parse(&payload).unwrap().unwrap();
        let owned = close.into_owned();
        assert_eq!(owned, OwnedClose::from(close));
        payload.fill(0);
        assert_eq!(owned.code(), CloseCode::new(4000));
        assert_eq!(owned.reason().len(), MAX_REASON_LEN);
        assert!(owned.reason().bytes().all(|b| b == b'r'));
        assert_eq!(owned.as_frame().encoded_len(), MAX_CLOSE_PAYLOAD);
        let empty = CloseFrame::new(CloseCode::NORMAL, "").unwrap().into_owned();
        assert_eq!((empty.code(), empty.reason()), (CloseCode::NORMAL, ""));
    }
}
