//! Extension offers and acceptances in `Sec-WebSocket-Extensions`
//! (RFC 6455 section 9.1).

use crate::http::{self, Header};

/// One element of a `Sec-WebSocket-Extensions` list: an extension name and
/// its parameters, e.g. `permessage-deflate; client_max_window_bits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Extension<'b> {
    /// The extension's name, e.g. `permessage-deflate`.
    pub name: &'b str,
    /// The parameters after the first `;`, untouched (possibly empty).
    pub params: &'b str,
}

impl<'b> Extension<'b> {
    /// Splits a list element into name and parameters.
    pub fn parse(element: &'b str) -> Self {
        // A byte search: `split_once` brings in the string searcher.
        let (name, params) = match element.bytes().position(|b| b == b';') {
            // `;` is one byte: both sides are on character boundaries.
            Some(i) => (
                element.get(..i).unwrap_or_default(),
                element.get(i + 1..).unwrap_or_default(),
            ),
            None => (element, ""),
        };
        Extension {
            name: http::trim_ows(name),
            params: http::trim_ows(params),
        }
    }
}

/// The extensions in every `Sec-WebSocket-Extensions` field of a head, in
/// order.
#[derive(Debug, Clone)]
pub struct Extensions<'h, 'b> {
    list: http::List<'h, 'b>,
}

impl<'h, 'b> Extensions<'h, 'b> {
    pub(crate) fn new(headers: &'h [Header<'b>]) -> Self {
        Extensions {
            list: http::list(headers, "Sec-WebSocket-Extensions"),
        }
    }
}

impl<'b> Iterator for Extensions<'_, 'b> {
    type Item = Extension<'b>;

    fn next(&mut self) -> Option<Extension<'b>> {
        self.list.next().map(Extension::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let cases = [
            ("permessage-deflate", "permessage-deflate", ""),
            (
                "permessage-deflate; client_max_window_bits",
                "permessage-deflate",
                "client_max_window_bits",
            ),
            ("x ;a=1; b=\"2\"", "x", "a=1; b=\"2\""),
        ];
        for (element, name, params) in cases {
            assert_eq!(Extension::parse(element), Extension { name, params });
        }
    }
}
