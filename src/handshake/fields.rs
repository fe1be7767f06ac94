//! The handshake's header fields, both roles: one pass over a head finds
//! every field the handshake reads (RFC 6455 sections 4.1 and 4.2.1) and
//! checks the lists among them.

use super::{Field, HandshakeError};
use crate::http::{self, Header};

/// The fields a handshake reads, by [`Field`], in one pass over a head.
pub(crate) struct Scan<'b> {
    /// The last value of each field.
    values: [Option<&'b [u8]>; FIELDS.len()],
    /// One bit per field (`1 << field as usize`): present, present more
    /// than once, and (for lists) holding an invalid line.
    present: u16,
    repeated: u16,
    invalid: u16,
    /// `Upgrade` lists `websocket`, `Connection` lists `upgrade`.
    upgrade_websocket: bool,
    connection_upgrade: bool,
}

/// Every field, in the order of [`Field`]'s variants.
const FIELDS: [Field; 9] = [
    Field::Host,
    Field::Upgrade,
    Field::Connection,
    Field::Origin,
    Field::Key,
    Field::Version,
    Field::Accept,
    Field::Protocol,
    Field::Extensions,
];

impl<'b> Scan<'b> {
    /// Reads every field line once.
    pub(crate) fn of(headers: &[Header<'b>]) -> Self {
        let mut scan = Scan {
            values: Default::default(),
            present: 0,
            repeated: 0,
            invalid: 0,
            upgrade_websocket: false,
            connection_upgrade: false,
        };
        for header in headers {
            let Some(&field) = FIELDS
                .iter()
                .find(|f| f.name().eq_ignore_ascii_case(header.name))
            else {
                continue;
            };
            let bit = 1 << field as usize;
            if scan.present & bit != 0 {
                scan.repeated |= bit;
            }
            scan.present |= bit;
            scan.values[field as usize] = Some(header.value);
            let value = header.value;
            let valid = match field {
                Field::Upgrade => {
                    scan.upgrade_websocket |= has_element(value, b"websocket");
                    true
                }
                Field::Connection => {
                    scan.connection_upgrade |= has_element(value, b"upgrade");
                    true
                }
                Field::Protocol => is_list(value, Elements::Tokens),
                Field::Extensions => is_list(value, Elements::TokensWithParams),
                _ => true,
            };
            if !valid {
                scan.invalid |= bit;
            }
        }
        scan
    }

    /// Whether `field` appears at all.
    pub(crate) fn has(&self, field: Field) -> bool {
        self.present & 1 << field as usize != 0
    }

    /// The value of a field that may appear at most once.
    pub(crate) fn single(&self, field: Field) -> Result<Option<&'b [u8]>, HandshakeError> {
        if self.repeated & 1 << field as usize != 0 {
            return Err(HandshakeError::DuplicateHeader(field));
        }
        Ok(self.values[field as usize])
    }

    /// The value of a field that must appear exactly once.
    pub(crate) fn required(&self, field: Field) -> Result<&'b [u8], HandshakeError> {
        self.single(field)?
            .ok_or(HandshakeError::MissingHeader(field))
    }

    /// Whether `Upgrade` lists `websocket`.
    pub(crate) fn upgrades_to_websocket(&self) -> bool {
        self.upgrade_websocket
    }

    /// Requires `Upgrade: websocket` and `Connection: Upgrade` (as list
    /// elements, case-insensitive, across repeated lines): missing if a
    /// field is absent, invalid if present without its token.
    pub(crate) fn require_upgrade(&self) -> Result<(), HandshakeError> {
        for (field, found) in [
            (Field::Upgrade, self.upgrade_websocket),
            (Field::Connection, self.connection_upgrade),
        ] {
            if !found {
                return Err(if self.has(field) {
                    HandshakeError::InvalidHeader(field)
                } else {
                    HandshakeError::MissingHeader(field)
                });
            }
        }
        Ok(())
    }

    /// Requires every line of the list `field` to be valid: see
    /// [`Elements`].
    pub(crate) fn check_list(&self, field: Field) -> Result<(), HandshakeError> {
        if self.invalid & 1 << field as usize != 0 {
            return Err(HandshakeError::InvalidHeader(field));
        }
        Ok(())
    }
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
/// case-insensitive), as [`http::list_contains`] finds it: elements split
/// at commas outside quoted-strings, whitespace around them ignored, and a
/// line that is not UTF-8 holds nothing.
fn has_element(value: &[u8], token: &[u8]) -> bool {
    if core::str::from_utf8(value).is_err() {
        return false;
    }
    let mut rest = value;
    loop {
        let end = http::element_end(rest);
        let element = rest.get(..end.unwrap_or(rest.len())).unwrap_or_default();
        if http::trim_ows_bytes(element).eq_ignore_ascii_case(token) {
            return true;
        }
        match end {
            Some(end) => rest = rest.get(end + 1..).unwrap_or_default(),
            None => return false,
        }
    }
}

/// One pass over the bytes of a list line: see [`Elements`].
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
                .all(|e| http::is_token(super::super::Extension::parse(e).name));
            let with_params = is_list(value, Elements::TokensWithParams);
            assert!(!with_params || names, "{value:?}");
            assert!(with_params || !names || value.contains(&b'"'), "{value:?}");
        }
    }
}
