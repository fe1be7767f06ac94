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

    /// The reason phrase RFC 9110 (section 15) gives a redirection (3xx),
    /// client error (4xx) or server error (5xx) status, e.g. `Forbidden`
    /// for 403; `None` for any other. A server's refusal of a handshake
    /// carries it ([`Response::reject`]).
    ///
    /// [`Response::reject`]: crate::handshake::server::Response::reject
    pub const fn canonical_reason(self) -> Option<&'static str> {
        Some(match self.as_u16() {
            300 => "Multiple Choices",
            301 => "Moved Permanently",
            302 => "Found",
            303 => "See Other",
            304 => "Not Modified",
            307 => "Temporary Redirect",
            308 => "Permanent Redirect",
            400 => "Bad Request",
            401 => "Unauthorized",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            407 => "Proxy Authentication Required",
            408 => "Request Timeout",
            409 => "Conflict",
            410 => "Gone",
            411 => "Length Required",
            412 => "Precondition Failed",
            413 => "Content Too Large",
            414 => "URI Too Long",
            415 => "Unsupported Media Type",
            416 => "Range Not Satisfiable",
            417 => "Expectation Failed",
            421 => "Misdirected Request",
            422 => "Unprocessable Content",
            426 => "Upgrade Required",
            428 => "Precondition Required",
            429 => "Too Many Requests",
            431 => "Request Header Fields Too Large",
            451 => "Unavailable For Legal Reasons",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            505 => "HTTP Version Not Supported",
            _ => return None,
        })
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

    #[test]
    fn reasons() {
        let reason = |code| StatusCode::new(code).canonical_reason();
        assert_eq!(reason(401), Some("Unauthorized"));
        assert_eq!(reason(403), Some("Forbidden"));
        assert_eq!(reason(404), Some("Not Found"));
        assert_eq!(reason(503), Some("Service Unavailable"));
        for code in [0, 101, 200, 299, 418, 499, 599, 600, u16::MAX] {
            assert_eq!(reason(code), None, "{code}");
        }
    }
}
