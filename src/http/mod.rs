//! The small, strict subset of HTTP/1.1 the opening handshake needs
//! (RFC 9112, with the field syntax of RFC 9110).
//!
//! A WebSocket handshake is one request head and one response head: a start
//! line and header fields, never a body. This module parses exactly that,
//! borrowing everything from the input and writing the fields into storage
//! the caller provides:
//!
//! | item | RFC | where |
//! |---|---|---|
//! | request line | RFC 9112 section 3 | [`parse_request`] |
//! | status line | RFC 9112 section 4 | [`parse_response`] |
//! | field lines | RFC 9112 section 5, RFC 9110 section 5.5 | both parsers |
//! | tokens | RFC 9110 section 5.6.2 | [`is_tchar`], [`is_token`] |
//! | request target bytes | RFC 3986 section 2 | [`is_target_byte`] |
//! | comma-separated lists | RFC 9110 section 5.6.1 | [`list`], [`list_contains`] |
//!
//! The parser is strict where the RFCs let a recipient choose, and fails at
//! the first byte that cannot start or continue a valid head, even before
//! the head is complete:
//!
//! - lines end in CRLF only: a bare LF, or a CR not followed by LF, is
//!   [`HttpError::NewLine`] (RFC 9112 section 2.2 lets a recipient accept a
//!   bare LF, or replace a bare CR with SP; this parser does neither);
//! - no empty line before the start line (section 2.2 says a server SHOULD
//!   skip one; WebSocket clients do not send it, and this parser rejects it);
//! - exactly one SP between the parts of the start line; the SP after the
//!   status code is required even when the reason is empty;
//! - the request target is limited to the characters RFC 3986 allows
//!   (no `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`, no bytes above
//!   0x7E);
//! - whitespace between a field name and its colon is rejected (section
//!   5.1 requires a server to), and so is a field line that starts with SP
//!   or HTAB: obsolete line folding (section 5.2 allows rejecting it), or
//!   whitespace before the first field (section 2.2 allows rejecting it).
//!   All of these are [`HttpError::HeaderName`];
//! - field values hold HTAB, SP, visible ASCII and obs-text (`0x80..=0xFF`)
//!   only: NUL, other control characters and DEL are rejected.
//!
//! Input that is a valid prefix of a head is
//! [`Status::Partial`](crate::Status::Partial), with a
//! lower bound on the bytes still needed; a caller that receives a byte at a
//! time can parse the whole buffer again after every read.

use core::fmt;

pub(crate) mod list;
mod parse;
mod status;

pub use list::{List, list, list_contains};
pub(crate) use list::{trim_ows, trim_ows_bytes};
pub use parse::{parse_request, parse_response};
pub use status::StatusCode;

/// One header field, borrowed from the input buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header<'b> {
    /// The field name as it appeared on the wire (a [token](is_token)).
    /// Compare it ASCII case-insensitively.
    pub name: &'b str,
    /// The field value without the whitespace (SP and HTAB) around it.
    /// Bytes, not text: obs-text (`0x80..=0xFF`) is allowed on the wire.
    pub value: &'b [u8],
}

/// A header to fill storage with before parsing: `[EMPTY_HEADER; 16]`.
pub const EMPTY_HEADER: Header<'static> = Header {
    name: "",
    value: b"",
};

/// Why a head is not valid HTTP/1.1.
///
/// Each variant names the part of the head where the first invalid byte
/// was found. Any of them should be answered with 400 (Bad Request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpError {
    /// The request method is empty or holds a byte that is not a
    /// [`tchar`](is_tchar), or is not followed by exactly one SP. A request
    /// that starts with an empty line also fails here.
    Method,
    /// The request target is empty or holds a byte outside the RFC 3986
    /// set (space and control characters among them).
    ///
    /// A space inside a target cannot be told from the SP that ends it:
    /// in `GET /a b HTTP/1.1` the target is `/a` and the parser fails at `b`
    /// with [`HttpError::Version`].
    Target,
    /// The protocol version is not exactly `HTTP/1.0` or `HTTP/1.1`, or is
    /// followed by something other than the end of the line (request) or
    /// one SP (response). A response that starts with an empty line also
    /// fails here.
    Version,
    /// The status code is not three digits in `100..=999` followed by one
    /// SP, or the reason phrase holds a control character.
    Status,
    /// A field name is empty or holds a byte that is not a
    /// [`tchar`](is_tchar) (whitespace before the colon among them), or a
    /// field line starts with SP or HTAB (obsolete line folding).
    HeaderName,
    /// A field value holds NUL, DEL or a control character other than HTAB.
    HeaderValue,
    /// A line ends in a bare LF, or a CR is not followed by LF.
    NewLine,
    /// The head has more field lines than the storage passed to the parser.
    TooManyHeaders,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpError::Method => "invalid request method",
            HttpError::Target => "invalid request target",
            HttpError::Version => "invalid HTTP version",
            HttpError::Status => "invalid status code or reason",
            HttpError::HeaderName => "invalid header field name",
            HttpError::HeaderValue => "invalid header field value",
            HttpError::NewLine => "line not ended by CRLF",
            HttpError::TooManyHeaders => "too many header fields",
        })
    }
}

impl core::error::Error for HttpError {}

/// A parsed request head (RFC 9112 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestHead<'h, 'b> {
    /// The method, a [token](is_token), case-sensitive (`GET`).
    pub method: &'b str,
    /// The request target as sent (`/chat?room=1`).
    pub target: &'b str,
    /// 1 for `HTTP/1.1`, 0 for `HTTP/1.0`.
    pub minor_version: u8,
    /// The header fields, in the order they arrived.
    pub headers: &'h [Header<'b>],
}

impl<'h, 'b> RequestHead<'h, 'b> {
    /// The value of the first field named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        first(self.headers, name)
    }

    /// Every field named `name` (ASCII case-insensitive), in order.
    pub fn headers_named(&self, name: &'h str) -> HeadersNamed<'h, 'b> {
        HeadersNamed::new(self.headers, name)
    }
}

/// A parsed response head (RFC 9112 section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResponseHead<'h, 'b> {
    /// 1 for `HTTP/1.1`, 0 for `HTTP/1.0`.
    pub minor_version: u8,
    /// The status code, `100..=999`.
    pub status: u16,
    /// The reason phrase as sent, possibly empty. Bytes, not text: obs-text
    /// (`0x80..=0xFF`) is allowed on the wire.
    pub reason: &'b [u8],
    /// The header fields, in the order they arrived.
    pub headers: &'h [Header<'b>],
}

impl<'h, 'b> ResponseHead<'h, 'b> {
    /// The value of the first field named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        first(self.headers, name)
    }

    /// Every field named `name` (ASCII case-insensitive), in order.
    pub fn headers_named(&self, name: &'h str) -> HeadersNamed<'h, 'b> {
        HeadersNamed::new(self.headers, name)
    }
}

fn first<'b>(headers: &[Header<'b>], name: &str) -> Option<&'b [u8]> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value)
}

/// The fields with a given name, ASCII case-insensitive, in order: see
/// [`RequestHead::headers_named`].
#[derive(Debug, Clone)]
pub struct HeadersNamed<'h, 'b> {
    headers: core::slice::Iter<'h, Header<'b>>,
    name: &'h str,
}

impl<'h, 'b> HeadersNamed<'h, 'b> {
    fn new(headers: &'h [Header<'b>], name: &'h str) -> Self {
        HeadersNamed {
            headers: headers.iter(),
            name,
        }
    }
}

impl<'h, 'b> Iterator for HeadersNamed<'h, 'b> {
    type Item = &'h Header<'b>;

    fn next(&mut self) -> Option<Self::Item> {
        let name = self.name;
        self.headers.find(|h| h.name.eq_ignore_ascii_case(name))
    }
}

/// Whether `b` is a `tchar` (RFC 9110 section 5.6.2): a letter, a digit or
/// one of ``!#$%&'*+-.^_`|~``.
pub const fn is_tchar(b: u8) -> bool {
    // One bit per ASCII byte: a shift and a mask, smaller than the ranges.
    b < 128 && TCHARS[(b >> 5) as usize] >> (b & 31) & 1 != 0
}

/// The `tchar`s as a bit set over ASCII, 32 bytes to a word.
const TCHARS: [u32; 4] = {
    let mut set = [0u32; 4];
    let mut b = 0u8;
    while b < 128 {
        let tchar = matches!(b,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
            | b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        if tchar {
            set[(b >> 5) as usize] |= 1 << (b & 31);
        }
        b += 1;
    }
    set
};

/// Whether `b` may appear in a request target: a character RFC 3986
/// allows (section 2), which is the visible ASCII characters except
/// `"` `<` `>` `\` `^` `` ` `` `{` `|` `}`. Percent-encoding is not checked.
pub const fn is_target_byte(b: u8) -> bool {
    let excluded = matches!(
        b,
        b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
    );
    b.is_ascii_graphic() && !excluded
}

/// Whether `s` is a `token` (RFC 9110 section 5.6.2): one or more
/// [`tchar`](is_tchar)s.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_is_exactly_the_rfc_9110_set() {
        const DELIMITERS: &[u8] = b"\"(),/:;<=>?@[\\]{}";
        for b in 0..=255u8 {
            let expect = b.is_ascii_graphic() && !DELIMITERS.contains(&b);
            assert_eq!(is_tchar(b), expect, "{b:#04x}");
        }
    }

    #[test]
    fn target_bytes_are_the_rfc_3986_set() {
        const RFC_3986: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";
        for b in 0..=255u8 {
            assert_eq!(is_target_byte(b), RFC_3986.contains(&b), "{b:#04x}");
        }
    }

    #[test]
    fn tokens() {
        let cases: &[(&str, bool)] = &[
            ("", false),
            ("chat", true),
            ("v2.bookings.example.net", true),
            ("Sec-WebSocket-Key", true),
            ("!#$%&'*+-.^_`|~09AZaz", true),
            ("a b", false),
            ("a,b", false),
            ("a:", false),
            ("\"a\"", false),
            ("caf\u{e9}", false),
            ("a\t", false),
        ];
        for &(s, expect) in cases {
            assert_eq!(is_token(s), expect, "{s:?}");
        }
    }

    #[test]
    fn lookups_ignore_case_and_keep_order() {
        let headers = [
            Header {
                name: "Host",
                value: b"a",
            },
            Header {
                name: "connection",
                value: b"keep-alive",
            },
            Header {
                name: "CONNECTION",
                value: b"Upgrade",
            },
        ];
        let head = RequestHead {
            method: "GET",
            target: "/",
            minor_version: 1,
            headers: &headers,
        };
        assert_eq!(head.header("host"), Some(&b"a"[..]));
        assert_eq!(head.header("Connection"), Some(&b"keep-alive"[..]));
        assert_eq!(head.header("Upgrade"), None);
        let values = [&b"keep-alive"[..], b"Upgrade"];
        assert!(head.headers_named("Connection").map(|h| h.value).eq(values));
        assert_eq!(head.headers_named("origin").count(), 0);

        let head = ResponseHead {
            minor_version: 1,
            status: 101,
            reason: b"Switching Protocols",
            headers: &headers,
        };
        assert_eq!(head.header("HOST"), Some(&b"a"[..]));
        assert_eq!(head.headers_named("connection").count(), 2);
    }

    #[test]
    fn errors_are_small_and_display() {
        assert_eq!(core::mem::size_of::<HttpError>(), 1);
        let mut buf = [0u8; 64];
        let mut w = Writer(&mut buf, 0);
        fmt::write(&mut w, format_args!("{}", HttpError::NewLine)).unwrap();
        let n = w.1;
        assert_eq!(&buf[..n], b"line not ended by CRLF");
    }

    struct Writer<'a>(&'a mut [u8], usize);

    impl fmt::Write for Writer<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.1 + s.len();
            self.0
                .get_mut(self.1..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }
}
