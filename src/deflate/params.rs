//! The parameters of one `permessage-deflate` offer or response (RFC 7692
//! section 7.1), parsed and checked.
//!
//! A parameter is `name` or `name=value`, the value a token or a
//! quoted-string whose unescaped content is a token (RFC 6455 section
//! 9.1). Four names are defined; an unknown one, one given twice, a value
//! on a `*_no_context_takeover`, or a window size that is not a decimal
//! 8 to 15 without leading zeros (section 7.1.2.1) makes the element
//! invalid: a server declines such an offer, a client fails the connection
//! on such a response (section 5).

use crate::http;

/// The smallest LZ77 window size, in bits, the extension allows.
pub const MIN_WINDOW_BITS: u8 = 8;
/// The largest LZ77 window size, in bits: 32 KiB, DEFLATE's own.
pub const MAX_WINDOW_BITS: u8 = 15;

/// `client_max_window_bits` as it appears in an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ClientWindow {
    /// Absent: in an offer, the client cannot take a limit on its window,
    /// and the response must not set one (section 7.1.2.2).
    #[default]
    Absent,
    /// Present without a value (offers only): the client can take a limit.
    Any,
    /// Present with a value, 8 to 15.
    Bits(u8),
}

/// The parameters of one `permessage-deflate` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Params {
    /// `server_no_context_takeover` (section 7.1.1.1).
    pub server_no_context_takeover: bool,
    /// `client_no_context_takeover` (section 7.1.1.2).
    pub client_no_context_takeover: bool,
    /// `server_max_window_bits=N` (section 7.1.2.1).
    pub server_max_window_bits: Option<u8>,
    /// `client_max_window_bits[=N]` (section 7.1.2.2).
    pub client_max_window_bits: ClientWindow,
}

/// Why an element's parameters are not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ParamError {
    /// A parameter the extension does not define, or a malformed one.
    Unknown,
    /// A parameter given twice.
    Duplicate,
    /// A value that is not allowed: on a `*_no_context_takeover`, a
    /// missing or out-of-range window size.
    Value,
}

impl core::fmt::Display for ParamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ParamError::Unknown => "unknown or malformed parameter",
            ParamError::Duplicate => "parameter or extension repeated",
            ParamError::Value => "parameter value not allowed or not offered",
        })
    }
}

impl Params {
    /// Parses the parameters of an element (the part after its first
    /// `;`, as [`Extension::params`](crate::handshake::Extension) gives
    /// it). `response` says whether they are a server's response, where
    /// `client_max_window_bits` must have a value.
    pub fn parse(params: &str, response: bool) -> Result<Params, ParamError> {
        let mut out = Params::default();
        if params.is_empty() {
            return Ok(out);
        }
        let mut rest = Some(params);
        while let Some(params) = rest {
            let (param, tail) = split_param(params).ok_or(ParamError::Unknown)?;
            rest = tail;
            let (name, value) = match param.bytes().position(|b| b == b'=') {
                Some(i) => {
                    let name = http::trim_ows(param.get(..i).unwrap_or_default());
                    let raw = http::trim_ows(param.get(i + 1..).unwrap_or_default());
                    (name, Some(unquote(raw).ok_or(ParamError::Unknown)?))
                }
                None => (http::trim_ows(param), None),
            };
            out.set(name, value, response)?;
        }
        Ok(out)
    }

    fn set(
        &mut self,
        name: &str,
        value: Option<Value<'_>>,
        response: bool,
    ) -> Result<(), ParamError> {
        fn flag(slot: &mut bool, value: Option<Value<'_>>) -> Result<(), ParamError> {
            if *slot {
                return Err(ParamError::Duplicate);
            }
            if value.is_some() {
                return Err(ParamError::Value);
            }
            *slot = true;
            Ok(())
        }
        if name.eq_ignore_ascii_case("server_no_context_takeover") {
            flag(&mut self.server_no_context_takeover, value)
        } else if name.eq_ignore_ascii_case("client_no_context_takeover") {
            flag(&mut self.client_no_context_takeover, value)
        } else if name.eq_ignore_ascii_case("server_max_window_bits") {
            if self.server_max_window_bits.is_some() {
                return Err(ParamError::Duplicate);
            }
            self.server_max_window_bits = Some(window_bits(value)?);
            Ok(())
        } else if name.eq_ignore_ascii_case("client_max_window_bits") {
            if self.client_max_window_bits != ClientWindow::Absent {
                return Err(ParamError::Duplicate);
            }
            self.client_max_window_bits = match value {
                None if response => return Err(ParamError::Value),
                None => ClientWindow::Any,
                Some(_) => ClientWindow::Bits(window_bits(value)?),
            };
            Ok(())
        } else {
            Err(ParamError::Unknown)
        }
    }
}

/// A parameter's value: its bytes, and whether they came quoted (where a
/// backslash escapes the next byte).
#[derive(Clone, Copy)]
struct Value<'a> {
    bytes: &'a [u8],
    quoted: bool,
}

impl<'a> Value<'a> {
    /// The value's bytes with quoting undone.
    fn unescaped(self) -> impl Iterator<Item = u8> + 'a {
        let mut escaped = false;
        self.bytes.iter().copied().filter(move |&b| {
            let keep = !(self.quoted && !escaped && b == b'\\');
            escaped = !keep;
            keep
        })
    }
}

/// A window size: a decimal from 8 to 15 without leading zeros.
fn window_bits(value: Option<Value<'_>>) -> Result<u8, ParamError> {
    let value = value.ok_or(ParamError::Value)?;
    let mut digits = value.unescaped();
    let bits = match (digits.next(), digits.next(), digits.next()) {
        (Some(d @ b'8'..=b'9'), None, _) => d - b'0',
        (Some(b'1'), Some(d @ b'0'..=b'5'), None) => 10 + d - b'0',
        _ => return Err(ParamError::Value),
    };
    Ok(bits)
}

/// The first parameter of `s` and what follows its `;` if it has one, or
/// `None` if a quoted-string is left open.
fn split_param(s: &str) -> Option<(&str, Option<&str>)> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            // `;` is one byte: both sides are on character boundaries.
            b';' if !quoted => return Some((s.get(..i)?, s.get(i + 1..))),
            _ => {}
        }
    }
    (!quoted).then_some((s, None))
}

/// A value as written: a token, or a quoted-string (section 9.1 of RFC
/// 6455 asks that its content be a token too; [`window_bits`] checks the
/// digits either way).
fn unquote(raw: &str) -> Option<Value<'_>> {
    let bytes = raw.as_bytes();
    match bytes {
        [b'"', inner @ .., b'"'] => Some(Value {
            bytes: inner,
            quoted: true,
        }),
        _ if http::is_token(raw) => Some(Value {
            bytes,
            quoted: false,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: bool = false;
    const RESPONSE: bool = true;

    #[test]
    fn valid() {
        let cases: [(&str, bool, Params); 9] = [
            ("", OFFER, Params::default()),
            // Chromium's offer.
            (
                "client_max_window_bits",
                OFFER,
                Params {
                    client_max_window_bits: ClientWindow::Any,
                    ..Params::default()
                },
            ),
            // RFC 7692 section 7.1.2.1's example offer.
            (
                "server_max_window_bits=10",
                OFFER,
                Params {
                    server_max_window_bits: Some(10),
                    ..Params::default()
                },
            ),
            (
                "client_max_window_bits=\"9\"; server_no_context_takeover",
                OFFER,
                Params {
                    client_max_window_bits: ClientWindow::Bits(9),
                    server_no_context_takeover: true,
                    ..Params::default()
                },
            ),
            (
                " server_no_context_takeover ;client_no_context_takeover ",
                RESPONSE,
                Params {
                    server_no_context_takeover: true,
                    client_no_context_takeover: true,
                    ..Params::default()
                },
            ),
            (
                "SERVER_MAX_WINDOW_BITS = 15; client_max_window_bits=8",
                RESPONSE,
                Params {
                    server_max_window_bits: Some(15),
                    client_max_window_bits: ClientWindow::Bits(8),
                    ..Params::default()
                },
            ),
            // An escaped digit inside quotes is the digit.
            (
                "server_max_window_bits=\"1\\2\"",
                OFFER,
                Params {
                    server_max_window_bits: Some(12),
                    ..Params::default()
                },
            ),
            (
                "server_max_window_bits=\"11\"",
                RESPONSE,
                Params {
                    server_max_window_bits: Some(11),
                    ..Params::default()
                },
            ),
            (
                "client_max_window_bits;server_max_window_bits=8",
                OFFER,
                Params {
                    server_max_window_bits: Some(8),
                    client_max_window_bits: ClientWindow::Any,
                    ..Params::default()
                },
            ),
        ];
        for (params, response, expected) in cases {
            assert_eq!(Params::parse(params, response), Ok(expected), "{params:?}");
        }
    }

    #[test]
    fn invalid() {
        use ParamError::*;
        let cases: [(&str, bool, ParamError); 22] = [
            ("x", OFFER, Unknown),
            ("mux", RESPONSE, Unknown),
            ("server_no_context_takeover; x=1", OFFER, Unknown),
            ("server_no_context_takeover;", OFFER, Unknown),
            (";", OFFER, Unknown),
            ("server_max_window_bits=\"10", OFFER, Unknown),
            ("server_max_window_bits=1 0", OFFER, Unknown),
            ("server_max_window_bits=", OFFER, Unknown),
            (
                "server_no_context_takeover; server_no_context_takeover",
                OFFER,
                Duplicate,
            ),
            (
                "client_no_context_takeover;client_no_context_takeover",
                RESPONSE,
                Duplicate,
            ),
            (
                "server_max_window_bits=9; server_max_window_bits=9",
                OFFER,
                Duplicate,
            ),
            (
                "client_max_window_bits; client_max_window_bits=9",
                OFFER,
                Duplicate,
            ),
            ("server_no_context_takeover=1", OFFER, Value),
            ("client_no_context_takeover=\"\"", OFFER, Value),
            ("server_max_window_bits", OFFER, Value),
            ("server_max_window_bits=7", OFFER, Value),
            ("server_max_window_bits=16", OFFER, Value),
            ("server_max_window_bits=010", OFFER, Value),
            ("server_max_window_bits=\"\"", OFFER, Value),
            ("client_max_window_bits=255", OFFER, Value),
            // A response must say which window the client is to use.
            ("client_max_window_bits", RESPONSE, Value),
            ("server_max_window_bits=+9", OFFER, Value),
        ];
        for (params, response, expected) in cases {
            assert_eq!(Params::parse(params, response), Err(expected), "{params:?}");
        }
    }
}
