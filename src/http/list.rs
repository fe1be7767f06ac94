//! Comma-separated list fields (RFC 9110 section 5.6.1).
//!
//! ```text
//! #element => [ element ] *( OWS "," OWS [ element ] )
//! ```
//!
//! A list may be split over several field lines with the same name, which
//! means the same as one line with the values joined by commas (RFC 9110
//! section 5.3): `Connection: keep-alive` and `Connection: Upgrade` together
//! say `keep-alive, Upgrade`. [`list`] walks every such line.

use super::{Header, HeadersNamed};

/// The elements of the list field `name` across every field line with that
/// name (ASCII case-insensitive), in order.
///
/// Whitespace (SP, HTAB) around elements is trimmed and empty elements are
/// skipped, so `a, , b` yields `a` and `b`. A comma inside a quoted-string
/// (`"..."`, where a backslash escapes the next byte) does not split; the
/// quotes are kept in the element.
///
/// A line whose value is not UTF-8 (field values may carry obs-text) yields
/// nothing at all, not even its ASCII elements; the lines before and after
/// it are read as usual.
///
/// ```
/// use hybi::http::{Header, list};
///
/// let headers = [
///     Header { name: "Connection", value: b"keep-alive, Upgrade" },
///     Header { name: "connection", value: b"foo" },
/// ];
/// assert!(list(&headers, "Connection").eq(["keep-alive", "Upgrade", "foo"]));
/// ```
pub fn list<'h, 'b>(headers: &'h [Header<'b>], name: &'h str) -> List<'h, 'b> {
    List {
        lines: HeadersNamed::new(headers, name),
        rest: "",
    }
}

/// Whether the list field `name` has an element equal to `token`, ASCII
/// case-insensitively: `list_contains(headers, "Connection", "upgrade")`.
pub fn list_contains(headers: &[Header<'_>], name: &str, token: &str) -> bool {
    list(headers, name).any(|element| element.eq_ignore_ascii_case(token))
}

/// The elements of a list field: see [`list`].
#[derive(Debug, Clone)]
pub struct List<'h, 'b> {
    lines: HeadersNamed<'h, 'b>,
    /// What is left of the current line.
    rest: &'b str,
}

impl<'b> Iterator for List<'_, 'b> {
    type Item = &'b str;

    fn next(&mut self) -> Option<&'b str> {
        loop {
            if self.rest.is_empty() {
                let line = self.lines.next()?;
                self.rest = core::str::from_utf8(line.value).unwrap_or_default();
                continue;
            }
            let (element, rest) = split_element(self.rest);
            self.rest = rest;
            let element = trim_ows(element);
            if !element.is_empty() {
                return Some(element);
            }
        }
    }
}

/// `s` without the spaces and tabs (optional whitespace, RFC 9110
/// section 5.6.3) at either end.
pub(crate) fn trim_ows(s: &str) -> &str {
    let (start, end) = ows_trimmed(s.as_bytes());
    // Both ends sit next to ASCII bytes: character boundaries.
    s.get(start..end).unwrap_or_default()
}

/// [`trim_ows`] for bytes.
pub(crate) fn trim_ows_bytes(bytes: &[u8]) -> &[u8] {
    let (start, end) = ows_trimmed(bytes);
    bytes.get(start..end).unwrap_or_default()
}

/// The bounds of `bytes` without the spaces and tabs at either end.
fn ows_trimmed(bytes: &[u8]) -> (usize, usize) {
    let ows = |i: usize| matches!(bytes.get(i), Some(b' ' | b'\t'));
    let (mut start, mut end) = (0, bytes.len());
    while start < end && ows(start) {
        start += 1;
    }
    while end > start && ows(end - 1) {
        end -= 1;
    }
    (start, end)
}

/// Splits `s` at its first comma outside a quoted-string: the part before
/// it and the part after it.
fn split_element(s: &str) -> (&str, &str) {
    match element_end(s.as_bytes()) {
        // A comma is one byte, so both sides are on character boundaries.
        Some(i) => (
            s.get(..i).unwrap_or_default(),
            s.get(i + 1..).unwrap_or_default(),
        ),
        None => (s, ""),
    }
}

/// Where the first list element of `bytes` ends: the index of the first
/// comma outside a quoted-string (`"..."`, where a backslash escapes the
/// next byte), if any.
pub(crate) fn element_end(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b',' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// What a list field's elements may be. Lines are comma-separated lists
/// (RFC 9110 section 5.6.1: empty elements and the whitespace around
/// elements are allowed), ASCII only: RFC 6455 section 9.1 allows only
/// tokens, even inside a quoted parameter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elements {
    /// Tokens: `Sec-WebSocket-Protocol` (section 4.1, item 10).
    Tokens,
    /// A token, then parameters after `;`: `Sec-WebSocket-Extensions`
    /// (section 9.1). Parameters are not parsed, but a comma inside a
    /// quoted-string does not end the element.
    TokensWithParams,
}

/// Whether the list line `value` has an element equal to `token` (ASCII
/// case-insensitive), as [`list_contains`] finds it: elements split
/// at commas outside quoted-strings, whitespace around them ignored, and a
/// line that is not UTF-8 holds nothing.
pub(crate) fn has_element(value: &[u8], token: &[u8]) -> bool {
    if core::str::from_utf8(value).is_err() {
        return false;
    }
    let mut rest = value;
    loop {
        let end = element_end(rest);
        let element = rest.get(..end.unwrap_or(rest.len())).unwrap_or_default();
        if trim_ows_bytes(element).eq_ignore_ascii_case(token) {
            return true;
        }
        match end {
            Some(end) => rest = rest.get(end + 1..).unwrap_or_default(),
            None => return false,
        }
    }
}

/// One pass over the bytes of a list line: see [`Elements`].
pub(crate) fn is_list(value: &[u8], elements: Elements) -> bool {
    /// Where the scan is.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum At {
        /// Before an element, or in an empty one.
        Gap,
        /// In the element's token.
        Token,
        /// In the whitespace after the token.
        AfterToken,
        /// In the parameters, outside quotes.
        Params,
        /// Inside a quoted-string, and after a backslash in one.
        Quoted,
        Escaped,
    }
    let params = elements == Elements::TokensWithParams;
    let mut at = At::Gap;
    for &b in value {
        let ows = b == b' ' || b == b'\t';
        at = match (at, b) {
            _ if !b.is_ascii() => return false,
            (At::Gap | At::Token | At::AfterToken | At::Params, b',') => At::Gap,
            (At::Gap, _) if ows => At::Gap,
            (At::Gap | At::Token, _) if super::is_tchar(b) => At::Token,
            (At::Token | At::AfterToken, _) if ows => At::AfterToken,
            (At::Token | At::AfterToken, b';') if params => At::Params,
            (At::Params, b'"') => At::Quoted,
            (At::Params, _) => At::Params,
            (At::Quoted, b'\\') => At::Escaped,
            (At::Quoted, b'"') => At::Params,
            (At::Quoted, _) | (At::Escaped, _) => At::Quoted,
            _ => return false,
        };
    }
    !matches!(at, At::Quoted | At::Escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn h(name: &'static str, value: &'static [u8]) -> Header<'static> {
        Header { name, value }
    }

    #[test]
    fn elements() {
        type Case = (
            &'static [Header<'static>],
            &'static str,
            &'static [&'static str],
        );
        #[rustfmt::skip]
        const CASES: &[Case] = &[
            (&[h("Connection", b"Upgrade")], "Connection", &["Upgrade"]),
            (&[h("Connection", b"keep-alive, Upgrade")], "connection", &["keep-alive", "Upgrade"]),
            (&[h("connection", b"keep-alive"), h("CONNECTION", b"Upgrade")], "Connection", &["keep-alive", "Upgrade"]),
            (&[h("Connection", b"keep-alive, Upgrade"), h("Host", b"x"), h("Connection", b"foo")], "Connection", &["keep-alive", "Upgrade", "foo"]),
            (&[h("Connection", b"a, , b")], "Connection", &["a", "b"]),
            (&[h("Connection", b",,a,,\t,b,")], "Connection", &["a", "b"]),
            (&[h("Connection", b" , ,")], "Connection", &[]),
            (&[h("Connection", b"")], "Connection", &[]),
            (&[h("Connection", b"a"), h("Connection", b""), h("Connection", b"b")], "Connection", &["a", "b"]),
            (&[h("Connection", b"a \t,\t b")], "Connection", &["a", "b"]),
            (&[h("Connection", b"a b, c")], "Connection", &["a b", "c"]),
            (&[h("X", b"\"a,b\", c")], "x", &["\"a,b\"", "c"]),
            (&[h("X", b"\"a\\\",b\", c")], "x", &["\"a\\\",b\"", "c"]),
            (&[h("X", b"\"a\\\\\",b")], "x", &["\"a\\\\\"", "b"]),
            (&[h("X", b"a\\,b")], "x", &["a\\", "b"]),
            (&[h("X", b"\"unterminated, still one")], "x", &["\"unterminated, still one"]),
            (&[h("X", b"caf\xc3\xa9, b")], "x", &["caf\u{e9}", "b"]),
            (&[h("X", b"a"), h("X", b"caf\xe9, b"), h("X", b"c")], "x", &["a", "c"]),
            (&[h("Sec-WebSocket-Protocol", b"chat, superchat")], "sec-websocket-protocol", &["chat", "superchat"]),
            (&[h("Sec-WebSocket-Extensions", b"permessage-deflate; client_max_window_bits, x-foo")], "Sec-WebSocket-Extensions", &["permessage-deflate; client_max_window_bits", "x-foo"]),
            (&[h("Upgrade", b"websocket")], "Connection", &[]),
            (&[], "Connection", &[]),
        ];
        for &(headers, name, expect) in CASES {
            assert!(
                list(headers, name).eq(expect.iter().copied()),
                "{headers:?} {name}"
            );
            let mut it = list(headers, name);
            it.next();
            assert!(it.clone().eq(it), "clone");
        }
    }

    #[test]
    fn contains() {
        type Case = (&'static [Header<'static>], &'static str, &'static str, bool);
        #[rustfmt::skip]
        const CASES: &[Case] = &[
            (&[h("Connection", b"keep-alive, Upgrade")], "Connection", "upgrade", true),
            (&[h("connection", b"keep-alive"), h("Connection", b"UPGRADE")], "CONNECTION", "Upgrade", true),
            (&[h("Connection", b"keep-alive, Upgrade")], "Connection", "keep", false),
            (&[h("Connection", b"keep-alive, Upgrade")], "Connection", "", false),
            (&[h("Connection", b"Upgrade2")], "Connection", "Upgrade", false),
            (&[h("Connection", b"\"Upgrade, x\"")], "Connection", "Upgrade", false),
            (&[h("Upgrade", b"websocket")], "Connection", "websocket", false),
            (&[h("Upgrade", b"WebSocket")], "upgrade", "websocket", true),
        ];
        for &(headers, name, token, expect) in CASES {
            assert_eq!(
                list_contains(headers, name, token),
                expect,
                "{headers:?} {token}"
            );
        }
    }
}

#[cfg(test)]
mod element_tests {
    use super::*;
    use crate::http::{self, Header};

    #[test]
    fn lists() {
        use Elements::{Tokens, TokensWithParams as Params};
        #[rustfmt::skip]
        let cases: &[(&[u8], Elements, bool)] = &[
            (b"", Tokens, true),
            (b"chat", Tokens, true),
            (b"chat, superchat", Tokens, true),
            (b"chat,superchat", Tokens, true),
            (b" , chat,,\t,superchat , ", Tokens, true),
            (b"v2.bookings.example.net", Tokens, true),
            (b"chat, two words", Tokens, false),
            (b"\"quoted\"", Tokens, false),
            (b"chat; x=1", Tokens, false),
            (b"caf\xc3\xa9", Tokens, false),
            (b"a/b", Tokens, false),
            (b"permessage-deflate", Params, true),
            (b"permessage-deflate; client_max_window_bits", Params, true),
            (b"x ;a=1; b=\"2\", y", Params, true),
            (b"x; p=\"1,2\", y", Params, true),
            (b"x; p=\"a\\\"b\", y", Params, true),
            (b"x;", Params, true),
            (b", ,", Params, true),
            (b"; x", Params, false),
            (b"x y; a", Params, false),
            (b"\"x\"", Params, false),
            (b"x; p=\"open", Params, false),
            (b"x; p=\"open\\", Params, false),
            (b"x; p=\xc3\xa9", Params, false),
        ];
        for &(value, elements, valid) in cases {
            assert_eq!(
                is_list(value, elements),
                valid,
                "{:?}",
                core::str::from_utf8(value)
            );
        }
    }

    /// Agrees with the list parser, [`http::list`], on every line of up to
    /// 6 bytes from an alphabet of the bytes that matter: an element is
    /// found where [`http::list_contains`] finds it; a line of tokens
    /// is valid exactly when every element the parser yields is a token;
    /// a line with parameters is valid only if every element's name is a
    /// token, and is valid then unless a quoted-string is left open.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn agrees_with_the_list_parser() {
        const BYTES: &[u8] = b"a;=\"\\, \t/";
        let mut line = [0u8; 6];
        for n in 0..BYTES.len().pow(6) {
            let mut rest = n;
            for slot in line.iter_mut() {
                *slot = BYTES[rest % BYTES.len()];
                rest /= BYTES.len();
            }
            // A parsed field value has no whitespace at either end.
            let value = line.trim_ascii();
            let headers = [Header { name: "L", value }];
            assert_eq!(
                has_element(value, b"A"),
                http::list_contains(&headers, "L", "a"),
                "{value:?}"
            );
            let tokens = http::list(&headers, "L").all(http::is_token);
            assert_eq!(is_list(value, Elements::Tokens), tokens, "{value:?}");
            let names = http::list(&headers, "L")
                .all(|e| http::is_token(crate::handshake::Extension::parse(e).name));
            let with_params = is_list(value, Elements::TokensWithParams);
            assert!(!with_params || names, "{value:?}");
            assert!(with_params || !names || value.contains(&b'"'), "{value:?}");
        }
    }
}
