//! An HTTP status code (RFC 9110 section 15), as a handshake error carries
//! it.

use core::fmt;

/// An HTTP status code, `100..=999` when it comes from a parsed status
/// line.
///
/// Held as two big-endian bytes (alignment one, ordered like the number),
/// so that [`HandshakeError::Status`] carrying it keeps the connection's
/// `Result`s small enough for a register on 32-bit targets.
///
/// [`HandshakeError::Status`]: crate::handshake::HandshakeError::Status
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode([u8; 2]);

impl StatusCode {
    /// The status `code`.
    pub const fn new(code: u16) -> Self {
        StatusCode(code.to_be_bytes())
    }

    /// The number.
    pub const fn as_u16(self) -> u16 {
        u16::from_be_bytes(self.0)
    }
}

impl From<u16> for StatusCode {
    fn from(code: u16) -> Self {
        StatusCode::new(code)
    }
}

impl From<StatusCode> for u16 {
    fn from(code: StatusCode) -> Self {
        code.as_u16()
    }
}

impl PartialEq<u16> for StatusCode {
    fn eq(&self, other: &u16) -> bool {
        self.as_u16() == *other
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_u16(), f)
    }
}

impl fmt::Debug for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StatusCode").field(&self.as_u16()).finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for StatusCode {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "StatusCode({=u16})", self.as_u16())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::format;
    use std::string::ToString;

    #[test]
    fn round_trips_and_orders_like_the_number() {
        for code in [0, 1, 100, 101, 255, 256, 404, 999, u16::MAX] {
            let status = StatusCode::new(code);
            assert_eq!(status.as_u16(), code);
            assert_eq!(u16::from(status), code);
            assert_eq!(status, code);
            assert_eq!(format!("{status}"), code.to_string());
            assert_eq!(format!("{status:?}"), format!("StatusCode({code})"));
        }
        assert!(StatusCode::new(255) < StatusCode::new(256));
        assert!(StatusCode::new(404) > StatusCode::new(101));
    }
}
