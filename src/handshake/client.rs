//! The client's side of the opening handshake (RFC 6455 section 4.1).
//!
//! Describe the request with [`Request`], write it with a fresh
//! [`ClientKey`], then check the server's answer with
//! [`Request::parse_response`], which also says where the response ends:
//! any bytes after it are already the server's first frames.
//!
//! ```
//! use hybi::handshake::{client, ClientKey};
//! use hybi::http::EMPTY_HEADER;
//! use hybi::Status;
//!
//! let request = client::Request::new("server.example.com", "/chat")
//!     .origin("http://example.com")
//!     .protocols(&["chat", "superchat"]);
//! let mut rng = |dest: &mut [u8]| dest.copy_from_slice(b"the sample nonce"); // use a real RNG
//! let key = ClientKey::generate(&mut rng);
//! let mut out = [0u8; 512];
//! let n = request.write(&key, &mut out)?;
//! assert!(out[..n].starts_with(b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"));
//!
//! let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
//!                  Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
//!                  Sec-WebSocket-Protocol: chat\r\n\r\n\x81\x02hi";
//! let mut headers = [EMPTY_HEADER; 16];
//! let Status::Complete((accepted, len)) = request.parse_response(&key, response, &mut headers)?
//! else {
//!     unreachable!()
//! };
//! assert_eq!(accepted.protocol(), Some("chat"));
//! assert_eq!(&response[len..], b"\x81\x02hi"); // the first frame, kept
//! # Ok::<(), hybi::handshake::HandshakeError>(())
//! ```

use super::fields::Scan;
use super::writer::{HeadWriter, is_value_byte};
use super::{ClientKey, Extension, Extensions, Field, HandshakeError};
use crate::Status;
use crate::http::{self, Header, ResponseHead, StatusCode};

/// The client's handshake request: where to connect and what to offer.
///
/// Borrowed strings only; nothing is copied until [`Request::write`].
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    host: &'a str,
    port: Option<u16>,
    pub(super) secure: bool,
    pub(super) path: &'a str,
    pub(super) origin: Option<&'a str>,
    pub(super) protocols: &'a [&'a str],
    pub(super) extensions: &'a [&'a str],
    pub(super) headers: &'a [(&'a str, &'a str)],
    #[cfg(feature = "deflate")]
    pub(super) deflate: Option<crate::deflate::DeflateConfig>,
}

impl<'a> Request<'a> {
    /// A request for `path` (with its query, e.g. `/chat?room=1`) on `host`
    /// (a name, an IPv4 address, or an IPv6 address with or without
    /// brackets).
    pub const fn new(host: &'a str, path: &'a str) -> Self {
        Request {
            host,
            port: None,
            secure: false,
            path,
            origin: None,
            protocols: &[],
            extensions: &[],
            headers: &[],
            #[cfg(feature = "deflate")]
            deflate: None,
        }
    }

    /// The server's port. `Host` carries it unless it is the default (80,
    /// or 443 for [`Request::secure`]).
    pub const fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Marks the connection as `wss://`, which only changes the default port.
    pub const fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The `Origin` field (browsers send one; other clients may).
    pub const fn origin(mut self, origin: &'a str) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Subprotocols to offer, most preferred first. Each must be a token.
    pub const fn protocols(mut self, protocols: &'a [&'a str]) -> Self {
        self.protocols = protocols;
        self
    }

    /// Extensions to offer, each as it goes on the wire
    /// (`"x-custom; level=1"`); offering one means the caller handles it.
    /// permessage-deflate is offered with `Request::deflate` (feature
    /// `deflate`) instead.
    pub const fn extensions(mut self, extensions: &'a [&'a str]) -> Self {
        self.extensions = extensions;
        self
    }

    /// Offers permessage-deflate (RFC 7692) as `config` says
    /// ([`DeflateConfig::offer`](crate::deflate::DeflateConfig::offer)),
    /// unless it is off; [`Request::parse_response`] then checks the
    /// server's answer to it ([`Response::deflate`]). A connection does
    /// this itself when its read buffer has inflate memory.
    #[cfg(feature = "deflate")]
    pub const fn deflate(mut self, config: crate::deflate::DeflateConfig) -> Self {
        self.deflate = if config.enabled() { Some(config) } else { None };
        self
    }

    /// Extra header fields (`Authorization`, `Cookie`...). Names must be
    /// tokens; values visible ASCII, spaces and tabs. Fields the handshake
    /// writes itself (`Host`, `Upgrade`, `Connection`, `Sec-WebSocket-*`,
    /// `Content-Length`, `Transfer-Encoding`) are refused.
    pub const fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// The subprotocols offered.
    pub const fn offered_protocols(&self) -> &'a [&'a str] {
        self.protocols
    }

    /// Writes the request head to the front of `out` and returns its
    /// length: about 150 bytes plus host, path and options.
    ///
    /// Errors: [`HandshakeError::InvalidArgument`] for a path that does not
    /// start with `/` or holds bytes a request target may not, a host with
    /// bytes an authority may not, a subprotocol that is not a token, or a
    /// bad extra header; [`HandshakeError::BufferTooSmall`].
    pub fn write(&self, key: &ClientKey, out: &mut [u8]) -> Result<usize, HandshakeError> {
        if !self.is_valid() {
            return Err(HandshakeError::InvalidArgument);
        }

        let mut w = HeadWriter::new(out);
        w.put(b"GET ")?;
        w.put_str(self.path)?;
        w.put(b" HTTP/1.1\r\nHost: ")?;
        self.write_authority(&mut w)?;
        w.put(b"\r\n")?;
        w.header("Upgrade", "websocket")?;
        w.header("Connection", "Upgrade")?;
        w.header(Field::Key.name(), key.as_str())?;
        w.header(Field::Version.name(), super::VERSION)?;
        if let Some(origin) = self.origin {
            w.header(Field::Origin.name(), origin)?;
        }
        put_list(&mut w, Field::Protocol, self.protocols)?;
        put_list(&mut w, Field::Extensions, self.extensions)?;
        #[cfg(feature = "deflate")]
        if let Some(deflate) = self.deflate {
            w.header(Field::Extensions.name(), &deflate.offer())?;
        }
        for &(name, value) in self.headers {
            w.extra_header(name, value)?;
        }
        w.finish()
    }

    /// Parses and validates the server's response at the front of `buf`
    /// (section 4.1, the client's checks).
    ///
    /// `Ok(Status::Complete((response, len)))`: the handshake succeeded and
    /// the response took `len` bytes; bytes after it are frame data.
    /// `Ok(Status::Partial(n))`: read at least `n` more bytes.
    ///
    /// Checks, in order: status 101 ([`HandshakeError::Status`]); no
    /// `Content-Length` or `Transfer-Encoding`; `Upgrade` listing
    /// `websocket` and `Connection` listing `Upgrade`; exactly one
    /// `Sec-WebSocket-Accept`, equal to `key.accept()`; at most one
    /// subprotocol, and one that was offered; only extensions that were
    /// offered (by name).
    pub fn parse_response<'h, 'b>(
        &self,
        key: &ClientKey,
        buf: &'b [u8],
        headers: &'h mut [Header<'b>],
    ) -> Result<Status<(Response<'h, 'b>, usize)>, HandshakeError> {
        let (head, len) = match http::parse_response(buf, headers)? {
            Status::Complete(done) => done,
            Status::Partial(n) => return Ok(Status::Partial(n)),
        };
        if head.status != 101 {
            return Err(HandshakeError::Status(StatusCode::new(head.status)));
        }
        if head.header("Content-Length").is_some() || head.header("Transfer-Encoding").is_some() {
            return Err(HandshakeError::UnexpectedBody);
        }
        let scan = Scan::of(head.headers);
        scan.require_upgrade()?;
        match scan.single(Field::Accept)? {
            None => return Err(HandshakeError::MissingHeader(Field::Accept)),
            Some(accept) if accept == key.accept().as_bytes() => {}
            Some(_) => return Err(HandshakeError::AcceptMismatch),
        }
        let protocol = match scan.single(Field::Protocol)? {
            None => None,
            Some(value) => {
                let chosen = core::str::from_utf8(value)
                    .ok()
                    .filter(|p| http::is_token(p));
                match chosen {
                    Some(p) if self.protocols.contains(&p) => Some(p),
                    Some(_) => return Err(HandshakeError::ProtocolNotOffered),
                    None => return Err(HandshakeError::InvalidHeader(Field::Protocol)),
                }
            }
        };
        let offered = |name: &str| {
            self.extensions
                .iter()
                .any(|e| Extension::parse(e).name.eq_ignore_ascii_case(name))
        };
        scan.check_list(Field::Extensions)?;
        #[cfg(feature = "deflate")]
        let offered = |name: &str| {
            offered(name)
                || (self.deflate.is_some() && name.eq_ignore_ascii_case(crate::deflate::NAME))
        };
        if !Extensions::new(head.headers).all(|e| offered(e.name)) {
            return Err(HandshakeError::ExtensionNotOffered);
        }
        #[cfg(feature = "deflate")]
        let deflate = self.check_deflate(head.headers)?;
        Ok(Status::Complete((
            Response {
                head,
                protocol,
                #[cfg(feature = "deflate")]
                deflate,
            },
            len,
        )))
    }
}

impl Request<'_> {
    /// Whether the path, host, subprotocols, extensions and origin can go
    /// on the wire.
    pub(super) fn is_valid(&self) -> bool {
        let path_ok = self.path.starts_with('/') && self.path.bytes().all(http::is_target_byte);
        let host_ok = !self.host.is_empty() && self.host.bytes().all(is_host_byte);
        let protocols_ok = self.protocols.iter().all(|p| http::is_token(p));
        let extensions_ok = self.extensions.iter().all(|e| {
            http::is_token(Extension::parse(e).name)
                && e.bytes().all(|b| is_value_byte(b) && b != b',')
        });
        let origin_ok = self.origin.is_none_or(|o| o.bytes().all(is_value_byte));
        path_ok && host_ok && protocols_ok && extensions_ok && origin_ok
    }

    /// The value of `Host` (HTTP/1.1) or `:authority` (HTTP/2, HTTP/3):
    /// the host, an IPv6 address in brackets, and the port unless it is
    /// the scheme's default.
    pub(super) fn write_authority(&self, w: &mut HeadWriter<'_>) -> Result<(), HandshakeError> {
        let bare_ipv6 = self.host.contains(':') && !self.host.starts_with('[');
        if bare_ipv6 {
            w.put(b"[")?;
        }
        w.put_str(self.host)?;
        if bare_ipv6 {
            w.put(b"]")?;
        }
        let default_port = if self.secure { 443 } else { 80 };
        if let Some(port) = self.port.filter(|&p| p != default_port) {
            w.put(b":")?;
            w.put_decimal(port.into())?;
        }
        Ok(())
    }

    /// The server's answer to the permessage-deflate offer, if it accepted
    /// it: once, with parameters that fit the offer (RFC 7692 section 7.1).
    #[cfg(feature = "deflate")]
    pub(super) fn check_deflate(
        &self,
        headers: &[Header<'_>],
    ) -> Result<Option<crate::deflate::Negotiated>, HandshakeError> {
        let Some(config) = self.deflate else {
            return Ok(None);
        };
        let mut accepted =
            Extensions::new(headers).filter(|e| e.name.eq_ignore_ascii_case(crate::deflate::NAME));
        let Some(answer) = accepted.next() else {
            return Ok(None);
        };
        if accepted.next().is_some() {
            return Err(HandshakeError::Deflate(
                crate::deflate::params::ParamError::Duplicate,
            ));
        }
        config
            .check_response(answer.params)
            .map(Some)
            .map_err(HandshakeError::Deflate)
    }
}

/// A server's accepted handshake response.
#[derive(Debug, Clone, Copy)]
pub struct Response<'h, 'b> {
    head: ResponseHead<'h, 'b>,
    protocol: Option<&'b str>,
    #[cfg(feature = "deflate")]
    deflate: Option<crate::deflate::Negotiated>,
}

impl<'h, 'b> Response<'h, 'b> {
    /// The subprotocol the server chose, if any (one the client offered).
    pub fn protocol(&self) -> Option<&'b str> {
        self.protocol
    }

    /// The extensions the server accepted (each one the client offered).
    pub fn extensions(&self) -> Extensions<'h, 'b> {
        Extensions::new(self.head.headers)
    }

    /// What was agreed for permessage-deflate, if the server accepted the
    /// offer of [`Request::deflate`].
    #[cfg(feature = "deflate")]
    pub fn deflate(&self) -> Option<crate::deflate::Negotiated> {
        self.deflate
    }

    /// The whole response head, for any other field.
    pub fn head(&self) -> &ResponseHead<'h, 'b> {
        &self.head
    }
}

/// Bytes a `Host` value may hold: those of an RFC 3986 reg-name, IPv4
/// address or bracketed IPv6 address.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%:[]".contains(&b)
}

fn put_list(w: &mut HeadWriter<'_>, field: Field, items: &[&str]) -> Result<(), HandshakeError> {
    let Some((first, rest)) = items.split_first() else {
        return Ok(());
    };
    w.put_str(field.name())?;
    w.put(b": ")?;
    w.put_str(first)?;
    for item in rest {
        w.put(b", ")?;
        w.put_str(item)?;
    }
    w.put(b"\r\n")
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::string::String;
    use std::vec::Vec;

    use super::*;
    use crate::handshake::server::{self, Incoming};
    use crate::http::EMPTY_HEADER;

    fn key() -> ClientKey {
        ClientKey::from_nonce(*b"the sample nonce")
    }

    fn write(request: &Request<'_>) -> Result<String, HandshakeError> {
        let mut out = [0u8; 1024];
        let n = request.write(&key(), &mut out)?;
        Ok(String::from_utf8(out[..n].to_vec()).unwrap())
    }

    #[test]
    fn writes_the_rfc_request() {
        let request = Request::new("server.example.com", "/chat")
            .origin("http://example.com")
            .protocols(&["chat", "superchat"]);
        assert_eq!(
            write(&request).unwrap(),
            "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\
             Sec-WebSocket-Protocol: chat, superchat\r\n\r\n"
        );
    }

    #[test]
    fn host_field() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<u16>, bool, &str)] = &[
            ("example.com", None, false, "example.com"),
            ("example.com", Some(80), false, "example.com"),
            ("example.com", Some(9001), false, "example.com:9001"),
            ("example.com", Some(443), true, "example.com"),
            ("example.com", Some(80), true, "example.com:80"),
            ("example.com", Some(443), false, "example.com:443"),
            ("127.0.0.1", Some(9001), false, "127.0.0.1:9001"),
            ("::1", Some(9001), false, "[::1]:9001"),
            ("[::1]", Some(9001), false, "[::1]:9001"),
            ("fe80::1", None, false, "[fe80::1]"),
        ];
        for &(host, port, secure, expected) in cases {
            let mut request = Request::new(host, "/").secure(secure);
            if let Some(port) = port {
                request = request.port(port);
            }
            let head = write(&request).unwrap();
            let line = head.lines().nth(1).unwrap();
            assert_eq!(
                line,
                std::format!("Host: {expected}"),
                "{host} {port:?} {secure}"
            );
        }
    }

    #[test]
    fn writes_everything_offered() {
        let request = Request::new("h", "/p?q=1&r=%20")
            .extensions(&["permessage-deflate; client_max_window_bits", "x-test"])
            .headers(&[("Authorization", "Bearer t"), ("Cookie", "a=b")]);
        let head = write(&request).unwrap();
        assert!(head.starts_with("GET /p?q=1&r=%20 HTTP/1.1\r\n"));
        assert!(head.contains(
            "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-test\r\n"
        ));
        assert!(head.ends_with("\r\nAuthorization: Bearer t\r\nCookie: a=b\r\n\r\n"));
    }

    #[test]
    fn refuses_what_cannot_go_on_the_wire() {
        #[rustfmt::skip]
        let cases: &[Request<'_>] = &[
            Request::new("h", ""),
            Request::new("h", "chat"),
            Request::new("h", "/a b"),
            Request::new("h", "/a\r\nX: y"),
            Request::new("h", "/caf\u{e9}"),
            Request::new("", "/"),
            Request::new("a b", "/"),
            Request::new("a/b", "/"),
            Request::new("a\r\n", "/"),
            Request::new("h", "/").origin("http://a\r\nX: y"),
            Request::new("h", "/").protocols(&["two words"]),
            Request::new("h", "/").protocols(&["a,b"]),
            Request::new("h", "/").protocols(&[""]),
            Request::new("h", "/").extensions(&["a, b"]),
            Request::new("h", "/").extensions(&["; p"]),
            Request::new("h", "/").headers(&[("Sec-WebSocket-Key", "x")]),
            Request::new("h", "/").headers(&[("Host", "x")]),
            Request::new("h", "/").headers(&[("X", "a\nb")]),
        ];
        for request in cases {
            assert_eq!(
                write(request),
                Err(HandshakeError::InvalidArgument),
                "{request:?}"
            );
        }
    }

    #[test]
    fn buffer_too_small_at_every_size() {
        let request = Request::new("example.com", "/chat")
            .port(9001)
            .protocols(&["chat"]);
        let full = write(&request).unwrap();
        for size in 0..full.len() {
            let mut out = [0u8; 1024];
            assert_eq!(
                request.write(&key(), &mut out[..size]),
                Err(HandshakeError::BufferTooSmall)
            );
        }
    }

    #[test]
    fn round_trip_with_the_server() {
        let request = Request::new("::1", "/chat?x=1")
            .port(9001)
            .protocols(&["v2.chat", "v1.chat"])
            .origin("null");
        let head = write(&request).unwrap();
        let mut headers = [EMPTY_HEADER; 16];
        let Ok(crate::Status::Complete((Incoming::WebSocket(req), _))) =
            server::parse(head.as_bytes(), &mut headers)
        else {
            panic!("server refused {head}")
        };
        assert_eq!(req.path(), "/chat?x=1");
        assert_eq!(req.host(), "[::1]:9001");
        assert_eq!(req.origin(), Some("null"));
        let mut out = [0u8; 256];
        let n = req.write_response(Some("v1.chat"), &[], &mut out).unwrap();
        let mut response = out[..n].to_vec();
        response.extend_from_slice(b"\x81\x05Hello");
        let mut headers = [EMPTY_HEADER; 16];
        let Ok(Status::Complete((accepted, len))) =
            request.parse_response(&key(), &response, &mut headers)
        else {
            panic!()
        };
        assert_eq!(accepted.protocol(), Some("v1.chat"));
        assert_eq!(accepted.extensions().count(), 0);
        assert_eq!(&response[len..], b"\x81\x05Hello");
        // Every prefix of the response is Partial.
        for cut in 0..n {
            let mut headers = [EMPTY_HEADER; 16];
            assert!(
                matches!(
                    request.parse_response(&key(), &response[..cut], &mut headers),
                    Ok(Status::Partial(_))
                ),
                "{cut}"
            );
        }
    }

    const OK_START: &str =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    const ACCEPT: &str = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

    // One line per check the client must make of the response (section 4.1).
    #[test]
    fn response_rejections() {
        use crate::http::StatusCode;
        use HandshakeError::Status as Answered;
        use HandshakeError::*;
        let offering = Request::new("h", "/")
            .protocols(&["chat"])
            .extensions(&["x-ext; a=1"]);
        #[rustfmt::skip]
        let cases: Vec<(String, HandshakeError)> = std::vec![
            ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".into(), Answered(StatusCode::new(200))),
            ("HTTP/1.1 400 Bad Request\r\n\r\n".into(), Answered(StatusCode::new(400))),
            ("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n".into(), Answered(StatusCode::new(426))),
            ("HTTP/1.1 101 Switching Protocols\r\n\r\n".into(), MissingHeader(Field::Upgrade)),
            (std::format!("{OK_START}{ACCEPT}Content-Length: 100000\r\n\r\n"), UnexpectedBody),
            (std::format!("{OK_START}{ACCEPT}Transfer-Encoding: chunked\r\n\r\n"), UnexpectedBody),
            (std::format!("HTTP/1.1 101 OK\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n{ACCEPT}\r\n"), InvalidHeader(Field::Upgrade)),
            (std::format!("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n{ACCEPT}\r\n"), MissingHeader(Field::Connection)),
            (std::format!("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: close\r\n{ACCEPT}\r\n"), InvalidHeader(Field::Connection)),
            (std::format!("{OK_START}\r\n"), MissingHeader(Field::Accept)),
            (std::format!("{OK_START}Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n\r\n"), AcceptMismatch),
            (std::format!("{OK_START}Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\r\n\r\n"), AcceptMismatch),
            (std::format!("{OK_START}Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"), AcceptMismatch),
            (std::format!("{OK_START}{ACCEPT}{ACCEPT}\r\n"), DuplicateHeader(Field::Accept)),
            (std::format!("{OK_START}{ACCEPT}Sec-WebSocket-Protocol: superchat\r\n\r\n"), ProtocolNotOffered),
            (std::format!("{OK_START}{ACCEPT}Sec-WebSocket-Protocol: chat, chat\r\n\r\n"), InvalidHeader(Field::Protocol)),
            (std::format!("{OK_START}{ACCEPT}Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n\r\n"), DuplicateHeader(Field::Protocol)),
            (std::format!("{OK_START}{ACCEPT}Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"), ExtensionNotOffered),
            (std::format!("{OK_START}{ACCEPT}Sec-WebSocket-Extensions: x-ext, other\r\n\r\n"), ExtensionNotOffered),
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n bad: fold\r\n\r\n".into(), Http(crate::http::HttpError::HeaderName)),
        ];
        for (response, err) in &cases {
            let mut headers = [EMPTY_HEADER; 16];
            let got = offering
                .parse_response(&key(), response.as_bytes(), &mut headers)
                .map(|s| s.map(|_| ()));
            assert_eq!(got, Err(*err), "{response:?}");
            if !matches!(
                err,
                Http(_) | MissingHeader(_) | InvalidHeader(_) | DuplicateHeader(_)
            ) {
                assert_eq!(err.status_code(), None, "{err:?} is only about responses");
            }
        }
        // The same client accepts what it offered, in any case.
        let fine = std::format!(
            "{OK_START}{ACCEPT}Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: X-EXT; a=1\r\n\r\n"
        );
        let mut headers = [EMPTY_HEADER; 16];
        let Ok(crate::Status::Complete((accepted, _))) =
            offering.parse_response(&key(), fine.as_bytes(), &mut headers)
        else {
            panic!()
        };
        assert_eq!(accepted.protocol(), Some("chat"));
        assert!(accepted.extensions().map(|e| e.name).eq(["X-EXT"]));
        // A server that offers nothing may choose nothing.
        let plain = Request::new("h", "/");
        let chosen = std::format!("{OK_START}{ACCEPT}Sec-WebSocket-Protocol: chat\r\n\r\n");
        let mut headers = [EMPTY_HEADER; 16];
        assert_eq!(
            plain
                .parse_response(&key(), chosen.as_bytes(), &mut headers)
                .map(|s| s.map(|_| ())),
            Err(ProtocolNotOffered)
        );
    }
}
