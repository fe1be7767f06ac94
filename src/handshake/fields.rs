//! Checks on handshake header fields shared by both roles.

use super::{Field, HandshakeError};
use crate::http::{self, Header};

/// The value of a field that may appear at most once.
pub(crate) fn single<'b>(
    headers: &[Header<'b>],
    field: Field,
) -> Result<Option<&'b [u8]>, HandshakeError> {
    let mut values = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(field.name()));
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(h), None) => Ok(Some(h.value)),
        (Some(_), Some(_)) => Err(HandshakeError::DuplicateHeader(field)),
    }
}

/// Requires `token` in the list `field` (case-insensitive, across repeated
/// lines): missing if the field is absent, invalid if present without it.
pub(crate) fn require_token(
    headers: &[Header<'_>],
    field: Field,
    token: &str,
) -> Result<(), HandshakeError> {
    if http::list_contains(headers, field.name(), token) {
        Ok(())
    } else if headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case(field.name()))
    {
        Err(HandshakeError::InvalidHeader(field))
    } else {
        Err(HandshakeError::MissingHeader(field))
    }
}

/// What a list field's elements may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elements {
    /// Tokens: `Sec-WebSocket-Protocol` (section 4.1, item 10).
    Tokens,
    /// A token, then parameters after `;`: `Sec-WebSocket-Extensions`
    /// (section 9.1). Parameters are not parsed, but a comma inside a
    /// quoted-string does not end the element.
    TokensWithParams,
}

/// Requires every line of the list `field` to be a valid comma-separated
/// list of `elements` (RFC 9110 section 5.6.1: empty elements and the
/// whitespace around elements are allowed). ASCII only: RFC 6455 section
/// 9.1 allows only tokens, even inside a quoted parameter value.
pub(crate) fn check_list(
    headers: &[Header<'_>],
    field: Field,
    elements: Elements,
) -> Result<(), HandshakeError> {
    let valid = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(field.name()))
        .all(|h| is_list(h.value, elements));
    if valid {
        Ok(())
    } else {
        Err(HandshakeError::InvalidHeader(field))
    }
}

/// One pass over the bytes of a list line: see [`check_list`].
fn is_list(value: &[u8], elements: Elements) -> bool {
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
            (At::Gap | At::Token, _) if http::is_tchar(b) => At::Token,
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
    /// 6 bytes from an alphabet of the bytes that matter: a line of tokens
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
            let tokens = http::list(&headers, "L").all(http::is_token);
            assert_eq!(is_list(value, Elements::Tokens), tokens, "{value:?}");
            let names = http::list(&headers, "L")
                .all(|e| http::is_token(super::super::Extension::parse(e).name));
            let with_params = is_list(value, Elements::TokensWithParams);
            assert!(!with_params || names, "{value:?}");
            assert!(with_params || !names || value.contains(&b'"'), "{value:?}");
        }
    }
}
