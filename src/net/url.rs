//! WebSocket URIs (RFC 6455 section 3): `ws://host[:port][/path][?query]`.
//!
//! [`Url::parse`] borrows everything from its input. It is strict: no
//! userinfo (`user@`), no fragment (`#...`, section 3 forbids it), no
//! whitespace, and a query only after a path (`ws://host/?q`, not
//! `ws://host?q`, so the request target can be borrowed as is).

use core::fmt;
use core::net::Ipv6Addr;

use crate::handshake::client;
use crate::http;

/// A parsed `ws://` or `wss://` URI, borrowing its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Url<'a> {
    /// The host: a name, an IPv4 address, or an IPv6 address without its
    /// brackets (`::1` for `ws://[::1]/`).
    pub host: &'a str,
    /// The port: as given, or 80 for `ws://` and 443 for `wss://`.
    pub port: u16,
    /// The request target: the path and query (`/chat?room=1`), `/` when
    /// the URI has none.
    pub path: &'a str,
    /// Whether the scheme is `wss://` (WebSocket over TLS).
    pub secure: bool,
}

/// Why a string is not a WebSocket URI this crate can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UrlError {
    /// The scheme is not `ws://` or `wss://`.
    Scheme,
    /// The URI has userinfo (`user:password@host`).
    Userinfo,
    /// The URI has a fragment (`#...`), which section 3 forbids.
    Fragment,
    /// The host is empty.
    EmptyHost,
    /// The host holds a character a host name may not, or is a malformed
    /// IPv6 literal.
    Host,
    /// The port is not a number in `1..=65535`.
    Port,
    /// The path or query holds a character a request target may not, or a
    /// query comes without a path (`ws://host?q`; write `ws://host/?q`).
    Path,
}

impl UrlError {
    /// A short description of the problem.
    pub const fn reason(self) -> &'static str {
        match self {
            UrlError::Scheme => "scheme is not ws:// or wss://",
            UrlError::Userinfo => "userinfo (user@) is not allowed",
            UrlError::Fragment => "fragment (#) is not allowed",
            UrlError::EmptyHost => "host is empty",
            UrlError::Host => "invalid host",
            UrlError::Port => "port is not a number in 1..=65535",
            UrlError::Path => "invalid path or query (a query needs a path: ws://host/?q)",
        }
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl core::error::Error for UrlError {}

impl<'a> Url<'a> {
    /// Parses a `ws://` or `wss://` URI. The scheme is case-insensitive;
    /// everything else is kept as written.
    ///
    /// ```
    /// use hybi::net::Url;
    ///
    /// let url = Url::parse("ws://[::1]:9001/chat?room=1")?;
    /// assert_eq!((url.host, url.port, url.path, url.secure), ("::1", 9001, "/chat?room=1", false));
    /// # Ok::<(), hybi::net::UrlError>(())
    /// ```
    pub fn parse(input: &'a str) -> Result<Self, UrlError> {
        let (scheme, rest) = input.split_once("://").ok_or(UrlError::Scheme)?;
        let secure = if scheme.eq_ignore_ascii_case("ws") {
            false
        } else if scheme.eq_ignore_ascii_case("wss") {
            true
        } else {
            return Err(UrlError::Scheme);
        };
        if rest.contains('#') {
            return Err(UrlError::Fragment);
        }
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        if authority.contains('@') {
            return Err(UrlError::Userinfo);
        }
        let path = match path.as_bytes().first() {
            None => "/",
            Some(b'/') if path.bytes().all(http::is_target_byte) => path,
            Some(_) => return Err(UrlError::Path),
        };

        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed.split_once(']').ok_or(UrlError::Host)?;
            if host.parse::<Ipv6Addr>().is_err() {
                return Err(UrlError::Host);
            }
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or(UrlError::Host)?),
            };
            (host, port)
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(UrlError::EmptyHost);
        }
        if !authority.starts_with('[') && !host.bytes().all(is_host_byte) {
            return Err(UrlError::Host);
        }
        let default_port = if secure { 443 } else { 80 };
        let port = match port {
            // RFC 3986 section 3.2.3: an empty port means the default.
            None | Some("") => default_port,
            Some(port) => parse_port(port)?,
        };
        Ok(Url {
            host,
            port,
            path,
            secure,
        })
    }

    /// The handshake request for this URI, to refine with
    /// [`client::Request::protocols`] and the like.
    pub const fn request(&self) -> client::Request<'a> {
        client::Request::new(self.host, self.path)
            .port(self.port)
            .secure(self.secure)
    }
}

/// A reg-name or IPv4 address character (RFC 3986 section 3.2.2):
/// unreserved, sub-delims and `%` for percent-encoding.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'%'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
        )
}

fn parse_port(port: &str) -> Result<u16, UrlError> {
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::Port);
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(UrlError::Port),
        Ok(port) => Ok(port),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(
        host: &'static str,
        port: u16,
        path: &'static str,
        secure: bool,
    ) -> Result<Url<'static>, UrlError> {
        Ok(Url {
            host,
            port,
            path,
            secure,
        })
    }

    #[test]
    fn table() {
        let cases: &[(&str, Result<Url<'_>, UrlError>)] = &[
            ("ws://example.com", ok("example.com", 80, "/", false)),
            ("ws://example.com/", ok("example.com", 80, "/", false)),
            (
                "WS://Example.COM/Chat",
                ok("Example.COM", 80, "/Chat", false),
            ),
            ("wS://h:9001/a/b?c=d&e", ok("h", 9001, "/a/b?c=d&e", false)),
            ("ws://h/?q", ok("h", 80, "/?q", false)),
            ("ws://127.0.0.1:9001/", ok("127.0.0.1", 9001, "/", false)),
            ("ws://[::1]:9001/", ok("::1", 9001, "/", false)),
            ("ws://[::1]", ok("::1", 80, "/", false)),
            ("ws://[2001:db8::7]/x", ok("2001:db8::7", 80, "/x", false)),
            (
                "ws://[::ffff:1.2.3.4]:1/",
                ok("::ffff:1.2.3.4", 1, "/", false),
            ),
            ("ws://h:/", ok("h", 80, "/", false)),
            ("ws://h:65535", ok("h", 65535, "/", false)),
            ("wss://h", ok("h", 443, "/", true)),
            ("WSS://h:8443/p", ok("h", 8443, "/p", true)),
            ("ws://a-b.c_d~e%41/", ok("a-b.c_d~e%41", 80, "/", false)),
            // Errors.
            ("", Err(UrlError::Scheme)),
            ("example.com", Err(UrlError::Scheme)),
            ("http://h/", Err(UrlError::Scheme)),
            ("wsx://h/", Err(UrlError::Scheme)),
            (" ws://h/", Err(UrlError::Scheme)),
            ("ws:/h", Err(UrlError::Scheme)),
            ("ws://user@h/", Err(UrlError::Userinfo)),
            ("ws://user:pw@h:80/", Err(UrlError::Userinfo)),
            ("ws://h/#f", Err(UrlError::Fragment)),
            ("ws://h#f", Err(UrlError::Fragment)),
            ("ws:///path", Err(UrlError::EmptyHost)),
            ("ws://", Err(UrlError::EmptyHost)),
            ("ws://:80/", Err(UrlError::EmptyHost)),
            ("ws://[]/", Err(UrlError::Host)),
            ("ws://[::1/", Err(UrlError::Host)),
            ("ws://[::1]x/", Err(UrlError::Host)),
            ("ws://[not:an:ip]/", Err(UrlError::Host)),
            ("ws://[1.2.3.4]/", Err(UrlError::Host)),
            ("ws://::1/", Err(UrlError::EmptyHost)),
            ("ws://h h/", Err(UrlError::Host)),
            ("ws://h<>/", Err(UrlError::Host)),
            ("ws://h:0/", Err(UrlError::Port)),
            ("ws://h:65536/", Err(UrlError::Port)),
            ("ws://h:123456/", Err(UrlError::Port)),
            ("ws://h:+80/", Err(UrlError::Port)),
            ("ws://h:8o/", Err(UrlError::Port)),
            ("ws://h:80:81/", Err(UrlError::Port)),
            ("ws://h?q", Err(UrlError::Path)),
            ("ws://h/a b", Err(UrlError::Path)),
            ("ws://h/a\r\nX: y", Err(UrlError::Path)),
            ("ws://h/é", Err(UrlError::Path)),
        ];
        for (input, expected) in cases {
            assert_eq!(Url::parse(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn errors_have_reasons() {
        for e in [
            UrlError::Scheme,
            UrlError::Userinfo,
            UrlError::Fragment,
            UrlError::EmptyHost,
            UrlError::Host,
            UrlError::Port,
            UrlError::Path,
        ] {
            assert!(!e.reason().is_empty());
        }
    }

    #[test]
    fn request_writes_host_and_port() {
        use crate::handshake::ClientKey;
        let mut rng = |dest: &mut [u8]| dest.fill(7);
        let key = ClientKey::generate(&mut rng);
        let mut out = [0u8; 512];
        let url = Url::parse("ws://[::1]:9001/x?y").unwrap();
        let n = url.request().write(&key, &mut out).unwrap();
        assert!(out[..n].starts_with(b"GET /x?y HTTP/1.1\r\nHost: [::1]:9001\r\n"));
        let url = Url::parse("ws://h:80/").unwrap();
        let n = url.request().write(&key, &mut out).unwrap();
        assert!(out[..n].starts_with(b"GET / HTTP/1.1\r\nHost: h\r\n"));
    }
}
