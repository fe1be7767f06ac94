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
