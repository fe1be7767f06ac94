//! The server's side of the opening handshake (RFC 6455 section 4.2).
//!
//! [`parse`] reads a request head from the caller's buffer and sorts it:
//! a valid WebSocket upgrade ([`Incoming::WebSocket`]), a plain HTTP request
//! that asks for no upgrade at all ([`Incoming::Http`], so a server can
//! serve a page on the same port), or an error for a WebSocket request that
//! breaks section 4.2.1. The server's answer to a valid request is a
//! [`Response`]: the `101` (with [`Request::write_response`], or
//! [`Response::write`]), or a refusal with the status it chooses.
//! [`write_rejection`] writes the `400`, `426` or `431` for an error.
//!
//! ```
//! use hybi::handshake::server::{self, Incoming};
//! use hybi::http::EMPTY_HEADER;
//! use hybi::Status;
//!
//! let buf = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n\
//!             Upgrade: websocket\r\nConnection: Upgrade\r\n\
//!             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!             Sec-WebSocket-Protocol: chat, superchat\r\n\
//!             Sec-WebSocket-Version: 13\r\n\r\n";
//! let mut headers = [EMPTY_HEADER; 16];
//! let Status::Complete((Incoming::WebSocket(request), len)) = server::parse(buf, &mut headers)?
//! else {
//!     unreachable!()
//! };
//! assert_eq!(len, buf.len());
//! assert_eq!(request.path(), "/chat");
//! assert!(request.protocols().eq(["chat", "superchat"]));
//!
//! let mut out = [0u8; 256];
//! let n = request.write_response(Some("chat"), &[], &mut out)?;
//! assert_eq!(
//!     &out[..n],
//!     b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
//!       Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
//!       Sec-WebSocket-Protocol: chat\r\n\r\n"
//! );
//! # Ok::<(), hybi::handshake::HandshakeError>(())
//! ```

use super::fields::Scan;
use super::key::is_valid_key;
use super::writer::HeadWriter;
use super::{AcceptKey, Extensions, Field, HandshakeError};
use crate::Status;
use crate::http::{self, Header, RequestHead, StatusCode};

/// What a complete request head turned out to be.
#[derive(Debug, Clone, Copy)]
pub enum Incoming<'h, 'b> {
    /// A valid WebSocket upgrade request.
    WebSocket(Request<'h, 'b>),
    /// A well-formed HTTP request that asks for no WebSocket upgrade: no
    /// `Upgrade: websocket`, no `Sec-WebSocket-Key`, no
    /// `Sec-WebSocket-Version`. The server may answer it as it likes (a page,
    /// a 404, a 405 for another method).
    Http(RequestHead<'h, 'b>),
}

/// Parses and sorts a request head at the front of `buf`.
///
/// `Ok(Status::Complete((incoming, len)))`: the head took `len` bytes; any
/// bytes after it are the client's first frames. `Ok(Status::Partial(n))`:
/// read at least `n` more bytes (if the buffer is already full, the head is
/// too large: answer [`HandshakeError::HeadTooLarge`]). `Err(e)`: answer
/// with [`write_rejection`] and close.
pub fn parse<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Result<Status<(Incoming<'h, 'b>, usize)>, HandshakeError> {
    let (head, len) = match http::parse_request(buf, headers)? {
        Status::Complete(done) => done,
        Status::Partial(n) => return Ok(Status::Partial(n)),
    };
    let scan = Scan::of(head.headers);
    let asks_websocket =
        scan.upgrades_to_websocket() || scan.has(Field::Key) || scan.has(Field::Version);
    let incoming = if asks_websocket {
        Incoming::WebSocket(Request::validate_scanned(head, &scan)?)
    } else {
        Incoming::Http(head)
    };
    Ok(Status::Complete((incoming, len)))
}

/// A validated WebSocket upgrade request (section 4.2.1), borrowing the
/// request buffer.
#[derive(Debug, Clone, Copy)]
pub struct Request<'h, 'b> {
    head: RequestHead<'h, 'b>,
    host: &'b str,
    key: &'b [u8],
    origin: Option<&'b str>,
}

impl<'h, 'b> Request<'h, 'b> {
    /// Checks a parsed head against section 4.2.1.
    ///
    /// Checks, in order: method `GET`; HTTP/1.1; exactly one non-empty
    /// `Host`; `Upgrade` listing `websocket` and `Connection` listing
    /// `Upgrade` (case-insensitive tokens, across repeated fields);
    /// `Sec-WebSocket-Version: 13` exactly once; `Sec-WebSocket-Key` exactly
    /// once, base64 of exactly 16 bytes; at most one `Origin`; subprotocols
    /// and extension names that are tokens.
    pub fn validate(head: RequestHead<'h, 'b>) -> Result<Self, HandshakeError> {
        Request::validate_scanned(head, &Scan::of(head.headers))
    }

    fn validate_scanned(
        head: RequestHead<'h, 'b>,
        scan: &Scan<'b>,
    ) -> Result<Self, HandshakeError> {
        // A pattern of bytes: `!=` on a `&str` calls memcmp.
        if !matches!(head.method.as_bytes(), [b'G', b'E', b'T']) {
            return Err(HandshakeError::Method);
        }
        if head.minor_version != 1 {
            return Err(HandshakeError::HttpVersion);
        }
        let host = ascii_str(scan.required(Field::Host)?)
            .filter(|h| !h.is_empty())
            .ok_or(HandshakeError::InvalidHeader(Field::Host))?;
        scan.require_upgrade()?;
        match scan.single(Field::Version)? {
            None => return Err(HandshakeError::MissingHeader(Field::Version)),
            Some(b"13") => {}
            Some(_) => return Err(HandshakeError::UnsupportedVersion),
        }
        let key = scan.required(Field::Key)?;
        if !is_valid_key(key) {
            return Err(HandshakeError::InvalidHeader(Field::Key));
        }
        let origin = match scan.single(Field::Origin)? {
            None => None,
            Some(value) => {
                Some(ascii_str(value).ok_or(HandshakeError::InvalidHeader(Field::Origin))?)
            }
        };
        scan.check_list(Field::Protocol)?;
        scan.check_list(Field::Extensions)?;
        Ok(Request {
            head,
            host,
            key,
            origin,
        })
    }

    /// The request target: the path and query, e.g. `/chat?room=1`.
    pub fn path(&self) -> &'b str {
        self.head.target
    }

    /// The `Host` field.
    pub fn host(&self) -> &'b str {
        self.host
    }

    /// The `Origin` field, sent by browsers (section 10.2: a server may use
    /// it to refuse pages it does not trust).
    pub fn origin(&self) -> Option<&'b str> {
        self.origin
    }

    /// The `Sec-WebSocket-Key` field (validated: base64 of 16 bytes).
    pub fn key(&self) -> &'b [u8] {
        self.key
    }

    /// The `Sec-WebSocket-Accept` value the response carries.
    pub fn accept_key(&self) -> AcceptKey {
        AcceptKey::for_key(self.key)
    }

    /// The subprotocols the client offered, in its order of preference.
    pub fn protocols(&self) -> http::List<'h, 'b> {
        http::list(self.head.headers, Field::Protocol.name())
    }

    /// The extensions the client offered. A response from
    /// [`Request::write_response`] declines them all; a connection accepts
    /// permessage-deflate (feature `deflate`) among them as it is
    /// configured to.
    pub fn extensions(&self) -> Extensions<'h, 'b> {
        Extensions::new(self.head.headers)
    }

    /// The whole request head, for any other field.
    pub fn head(&self) -> &RequestHead<'h, 'b> {
        &self.head
    }

    /// Writes the `101 Switching Protocols` response to the front of `out`
    /// and returns its length (section 4.2.2).
    ///
    /// `protocol` must be one the client offered (or `None`): otherwise
    /// [`HandshakeError::ProtocolNotOffered`]. `headers` are extra fields
    /// (e.g. `Set-Cookie`); each is checked as for
    /// [`client::Request::headers`](super::client::Request::headers). No
    /// `Content-Length` is ever written: a 1xx response has no body. About
    /// 130 bytes without subprotocol or extra headers.
    pub fn write_response(
        &self,
        protocol: Option<&str>,
        headers: &[(&str, &str)],
        out: &mut [u8],
    ) -> Result<usize, HandshakeError> {
        self.write_101(protocol, None, headers, out)
    }

    /// [`Request::write_response`] with a `Sec-WebSocket-Extensions` value
    /// of this crate's own (an accepted permessage-deflate offer).
    pub(crate) fn write_101(
        &self,
        protocol: Option<&str>,
        extensions: Option<&str>,
        headers: &[(&str, &str)],
        out: &mut [u8],
    ) -> Result<usize, HandshakeError> {
        if let Some(p) = protocol {
            if !self.protocols().any(|offered| offered == p) {
                return Err(HandshakeError::ProtocolNotOffered);
            }
        }
        let mut w = HeadWriter::new(out);
        w.put(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")?;
        w.put(self.accept_key().as_bytes())?;
        w.put(b"\r\n")?;
        if let Some(p) = protocol {
            w.header(Field::Protocol.name(), p)?;
        }
        if let Some(e) = extensions {
            w.header(Field::Extensions.name(), e)?;
        }
        for &(name, value) in headers {
            w.extra_header(name, value)?;
        }
        w.finish()
    }
}

/// A server's answer to a valid WebSocket request: accept it with a `101
/// Switching Protocols`, with a subprotocol and extra header fields, or
/// refuse it with a status of its choosing (a `403` for an `Origin` it does
/// not trust, a `404` for a path it does not serve, a `401` asking for
/// credentials), extra header fields and a short body.
///
/// This is what the callback of
/// [`WebSocket::accept`](crate::websocket::WebSocket::accept) (and of the
/// other drivers' `accept`) returns. The subprotocol, `'r`, may borrow from
/// the request (one of [`Request::protocols`]) or be a `&'static str`; the
/// header fields and body, `'a`, are the caller's (constants, or values
/// made before the call).
///
/// ```
/// use hybi::handshake::server::{Request, Response};
///
/// fn answer<'r>(request: &Request<'_, 'r>) -> Response<'r, 'static> {
///     if request.path() != "/chat" {
///         return Response::reject(404)
///             .headers(&[("Content-Type", "text/plain")])
///             .body(b"not found\n");
///     }
///     match request.origin() {
///         None | Some("https://example.com") => Response::accept()
///             // The client's first choice, borrowed from the request.
///             .protocol(request.protocols().next())
///             .headers(&[("Set-Cookie", "seen=1")]),
///         Some(_) => Response::reject(403),
///     }
/// }
/// ```
///
/// The caller's mistakes are [`HandshakeError::InvalidArgument`] when the
/// answer is written, and a server answers them with a 500: a refusal with
/// a status outside 300 to 599 (a `1xx` or `2xx` is no refusal), a
/// subprotocol on a refusal, a body on a `101`, a header field whose name is
/// not a token or whose value holds CR, LF or other control bytes, or one the
/// handshake writes itself (checked as for
/// [`client::Request::headers`](super::client::Request::headers)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Response<'r, 'a> {
    /// 101 to accept, the refusal's status otherwise.
    status: u16,
    /// Whether this is the `101`: a refusal may not pass for one.
    accept: bool,
    protocol: Option<&'r str>,
    pub(super) headers: &'a [(&'a str, &'a str)],
    pub(super) body: &'a [u8],
}

impl<'r, 'a> Response<'r, 'a> {
    /// Accepts the request: a `101 Switching Protocols`, with no
    /// subprotocol and no extra header fields unless given.
    pub const fn accept() -> Self {
        Response {
            status: 101,
            accept: true,
            protocol: None,
            headers: &[],
            body: &[],
        }
    }

    /// Refuses the request with `status`, a redirection (3xx), client error
    /// (4xx) or server error (5xx), with its reason phrase
    /// ([`StatusCode::canonical_reason`]), `Connection: close` and the body's
    /// `Content-Length` (empty unless given). The connection is closed once
    /// it is sent.
    pub const fn reject(status: u16) -> Self {
        Response {
            status,
            accept: false,
            protocol: None,
            headers: &[],
            body: &[],
        }
    }

    /// The subprotocol chosen, which must be one of those the client
    /// offered ([`HandshakeError::ProtocolNotOffered`] otherwise), or `None`
    /// for none. Only for a `101`.
    pub const fn protocol(mut self, protocol: Option<&'r str>) -> Self {
        self.protocol = protocol;
        self
    }

    /// Extra header fields, e.g. `Set-Cookie` on a `101`, or
    /// `WWW-Authenticate` on a `401`, written after the handshake's own.
    pub const fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// The body of a refusal, sent after the head, with its length in
    /// `Content-Length`. Only for a refusal (a `101` has no body).
    pub const fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The status: 101 to accept, or the refusal's.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// Whether the request is accepted.
    pub const fn is_accept(&self) -> bool {
        self.accept
    }

    /// The subprotocol chosen, if any.
    pub const fn chosen_protocol(&self) -> Option<&'r str> {
        self.protocol
    }

    /// Writes the answer to `request` to the front of `out` and returns its
    /// length: the `101` as [`Request::write_response`] writes it, or the
    /// refusal.
    ///
    /// A refusal takes 55 bytes, plus its reason phrase (`Forbidden`: 9),
    /// its header fields (name, value and 4 bytes each), its body, and the
    /// digits of a `Content-Length` beyond the first. A server's smallest
    /// write buffer ([`MIN_WRITE_BUFFER`], 139 bytes) holds a `403` with
    /// about 70 bytes of header fields and body; a larger refusal needs a
    /// larger write buffer ([`HandshakeError::BufferTooSmall`], which a
    /// server answers with a 500).
    ///
    /// Errors: [`HandshakeError::InvalidArgument`] for the caller's mistakes
    /// ([`Response`]), [`HandshakeError::ProtocolNotOffered`],
    /// [`HandshakeError::BufferTooSmall`].
    ///
    /// [`MIN_WRITE_BUFFER`]: crate::connection::MIN_WRITE_BUFFER
    pub fn write(
        &self,
        request: &Request<'_, '_>,
        out: &mut [u8],
    ) -> Result<usize, HandshakeError> {
        self.write_with(request, None, out)
    }

    /// [`Response::write`], with the `Sec-WebSocket-Extensions` value of an
    /// accepted offer on a `101`.
    pub(crate) fn write_with(
        &self,
        request: &Request<'_, '_>,
        extensions: Option<&str>,
        out: &mut [u8],
    ) -> Result<usize, HandshakeError> {
        if self.accept {
            if !self.body.is_empty() {
                return Err(HandshakeError::InvalidArgument);
            }
            return request.write_101(self.protocol, extensions, self.headers, out);
        }
        if self.protocol.is_some() || !matches!(self.status, 300..=599) {
            return Err(HandshakeError::InvalidArgument);
        }
        write_refusal(self.status, self.headers, self.body, out)
    }
}

/// Writes a refusal with `status` (3xx to 5xx, checked by the caller), its
/// reason phrase, `Connection: close`, the body's `Content-Length` and the
/// extra `headers`, then the body.
fn write_refusal(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    out: &mut [u8],
) -> Result<usize, HandshakeError> {
    let mut w = HeadWriter::new(out);
    w.put(b"HTTP/1.1 ")?;
    w.put_decimal(status.into())?;
    w.put(b" ")?;
    w.put_str(
        StatusCode::new(status)
            .canonical_reason()
            .unwrap_or_default(),
    )?;
    w.put(b"\r\nConnection: close\r\nContent-Length: ")?;
    w.put_decimal(body.len())?;
    w.put(b"\r\n")?;
    for &(name, value) in headers {
        w.extra_header(name, value)?;
    }
    w.finish_with(body)
}

/// Writes the response that rejects a request with `error`: its status
/// ([`HandshakeError::status_code`]; 500 for an error that is not the
/// request's fault, such as a response too large for the buffer), `Connection:
/// close` and an empty body. A 426 also carries `Sec-WebSocket-Version: 13`
/// and `Upgrade: websocket` (section 4.4; RFC 9110 section 15.5.22). At most
/// 160 bytes. [`HandshakeError::Refused`] gets its own status, as
/// [`Response::reject`] writes it.
pub fn write_rejection(error: HandshakeError, out: &mut [u8]) -> Result<usize, HandshakeError> {
    match error {
        HandshakeError::Refused(code) => match code.as_u16() {
            status @ 300..=599 => write_refusal(status, &[], &[], out),
            // No refusal: the caller's mistake.
            _ => write_error(HandshakeError::InvalidArgument, out),
        },
        _ => write_error(error, out),
    }
}

/// [`write_rejection`] for the errors the connection finds itself: never
/// [`HandshakeError::Refused`], whose refusal is written as the application
/// gave it (here it would be a 400), so that a server that refuses nothing
/// carries no code to write any status.
pub(crate) fn write_error(error: HandshakeError, out: &mut [u8]) -> Result<usize, HandshakeError> {
    const CLOSE: &str = "Connection: close\r\n";
    let (status_line, fields) = match error.request_status() {
        Some(426) => (
            "426 Upgrade Required",
            "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n",
        ),
        Some(431) => ("431 Request Header Fields Too Large", CLOSE),
        Some(_) => ("400 Bad Request", CLOSE),
        None => ("500 Internal Server Error", CLOSE),
    };
    let mut w = HeadWriter::new(out);
    w.put(b"HTTP/1.1 ")?;
    w.put_str(status_line)?;
    w.put(b"\r\n")?;
    w.put_str(fields)?;
    w.put(b"Content-Length: 0\r\n")?;
    w.finish()
}

fn ascii_str(value: &[u8]) -> Option<&str> {
    // A byte loop: `<[u8]>::is_ascii` reads words, in more code.
    if value.iter().all(|&b| b.is_ascii()) {
        core::str::from_utf8(value).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{EMPTY_HEADER, HttpError};

    /// Requests captured from each client connecting to a local listener.
    /// Chromium 156 (headless), from a page's script.
    const CHROME: &[u8] = b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9405\r\nConnection: Upgrade\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\r\nUpgrade: websocket\r\nOrigin: http://127.0.0.1:9405\r\nSec-WebSocket-Version: 13\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\nSec-WebSocket-Key: /CrXy3L6xxwRESZSV5uZaA==\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    /// Firefox ESR 153 (headless), from a page's script.
    const FIREFOX: &[u8] = b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9406\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:9406\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Key: 3YBThjnNavu9d+67hYAgJg==\r\nConnection: Upgrade\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Mode: websocket\r\nSec-Fetch-Site: same-origin\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUpgrade: websocket\r\n\r\n";
    /// Firefox on a kept-alive page, offering subprotocols: its
    /// `Connection: keep-alive, Upgrade`.
    const FIREFOX_KEEP_ALIVE: &[u8] = b"GET /chat?room=1 HTTP/1.1\r\nHost: localhost:9001\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nSec-WebSocket-Version: 13\r\nOrigin: http://localhost:9001\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\nConnection: keep-alive, Upgrade\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Mode: websocket\r\nSec-Fetch-Site: same-origin\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUpgrade: websocket\r\n\r\n";
    /// curl 7.88 with the upgrade headers given by hand.
    const CURL: &[u8] = b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9403\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: SGVsbG8sIHdvcmxkIQ0KMA==\r\n\r\n";
    /// Python websockets 17.4.
    const PYTHON: &[u8] = b"GET /chat HTTP/1.1\r\nHost: localhost:9401\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: qvyeupQuS++R0KXDt+PBCA==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nUser-Agent: Python/3.11 websockets/17.4\r\n\r\n";
    /// Node ws 8.23.
    const NODE: &[u8] = b"GET /chat HTTP/1.1\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: uJucNb8hALxS5HXaA3U22w==\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nHost: 127.0.0.1:9402\r\n\r\n";

    fn parse_ok(buf: &[u8]) -> (Request<'_, '_>, usize) {
        // Headers live for the test's duration.
        let headers = std::boxed::Box::leak(std::boxed::Box::new([EMPTY_HEADER; 32]));
        match parse(buf, headers) {
            Ok(Status::Complete((Incoming::WebSocket(r), len))) => (r, len),
            other => panic!("{:?}: {other:?}", std::string::String::from_utf8_lossy(buf)),
        }
    }

    extern crate std;

    #[test]
    fn real_clients() {
        struct Case {
            buf: &'static [u8],
            path: &'static str,
            host: &'static str,
            origin: Option<&'static str>,
            key: &'static str,
            protocols: &'static [&'static str],
            extensions: &'static [&'static str],
        }
        let cases = [
            Case {
                buf: CHROME,
                path: "/chat",
                host: "127.0.0.1:9405",
                origin: Some("http://127.0.0.1:9405"),
                key: "/CrXy3L6xxwRESZSV5uZaA==",
                protocols: &[],
                extensions: &["permessage-deflate"],
            },
            Case {
                buf: FIREFOX,
                path: "/chat",
                host: "127.0.0.1:9406",
                origin: Some("http://127.0.0.1:9406"),
                key: "3YBThjnNavu9d+67hYAgJg==",
                protocols: &[],
                extensions: &["permessage-deflate"],
            },
            Case {
                buf: FIREFOX_KEEP_ALIVE,
                path: "/chat?room=1",
                host: "localhost:9001",
                origin: Some("http://localhost:9001"),
                key: "x3JJHMbDL1EzLkh9GBhXDw==",
                protocols: &["chat", "superchat"],
                extensions: &["permessage-deflate"],
            },
            Case {
                buf: CURL,
                path: "/chat",
                host: "127.0.0.1:9403",
                origin: None,
                key: "SGVsbG8sIHdvcmxkIQ0KMA==",
                protocols: &[],
                extensions: &[],
            },
            Case {
                buf: PYTHON,
                path: "/chat",
                host: "localhost:9401",
                origin: None,
                key: "qvyeupQuS++R0KXDt+PBCA==",
                protocols: &[],
                extensions: &["permessage-deflate"],
            },
            Case {
                buf: NODE,
                path: "/chat",
                host: "127.0.0.1:9402",
                origin: None,
                key: "uJucNb8hALxS5HXaA3U22w==",
                protocols: &[],
                extensions: &["permessage-deflate"],
            },
        ];
        for case in &cases {
            let (req, len) = parse_ok(case.buf);
            assert_eq!(len, case.buf.len());
            assert_eq!(req.path(), case.path);
            assert_eq!(req.host(), case.host);
            assert_eq!(req.origin(), case.origin);
            assert_eq!(req.key(), case.key.as_bytes());
            assert!(req.protocols().eq(case.protocols.iter().copied()));
            assert!(
                req.extensions()
                    .map(|e| e.name)
                    .eq(case.extensions.iter().copied())
            );

            // The 101 declines every extension: none is named in it.
            let mut out = [0u8; 256];
            let n = req.write_response(None, &[], &mut out).unwrap();
            let response = &out[..n];
            let expected_accept = AcceptKey::for_key(case.key.as_bytes());
            let mut headers = [EMPTY_HEADER; 8];
            let Ok(Status::Complete((head, used))) = http::parse_response(response, &mut headers)
            else {
                panic!("unparseable response")
            };
            assert_eq!(used, n);
            assert_eq!(head.status, 101);
            assert_eq!(
                head.header("Sec-WebSocket-Accept"),
                Some(expected_accept.as_bytes())
            );
            assert_eq!(head.header("Sec-WebSocket-Extensions"), None);
            assert_eq!(head.header("Content-Length"), None);
        }
    }

    #[test]
    fn rfc_example_response() {
        let buf = request(&[HOST, UPGRADE, CONNECTION, KEY, VERSION]);
        let (req, _) = parse_ok(std::boxed::Box::leak(buf.into_boxed_slice()));
        assert_eq!(req.accept_key().as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn every_prefix_is_partial_and_following_bytes_are_kept() {
        for capture in [CHROME, FIREFOX, FIREFOX_KEEP_ALIVE, CURL, PYTHON, NODE] {
            for cut in 0..capture.len() {
                let mut headers = [EMPTY_HEADER; 32];
                match parse(&capture[..cut], &mut headers) {
                    Ok(Status::Partial(n)) => assert!(n >= 1 && cut + n <= capture.len()),
                    other => panic!("prefix {cut}: {other:?}"),
                }
            }
            let mut with_frame = std::vec::Vec::from(capture);
            with_frame.extend_from_slice(&[0x81, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            let (_, len) = parse_ok(std::boxed::Box::leak(with_frame.into_boxed_slice()));
            assert_eq!(len, capture.len());
        }
    }

    #[test]
    fn plain_http_is_told_apart() {
        let cases: &[(&[u8], &str, &str)] = &[
            (b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET", "/"),
            (b"GET /index.html HTTP/1.0\r\n\r\n", "GET", "/index.html"),
            (
                b"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                "POST",
                "/form",
            ),
            // An upgrade to something else is not a WebSocket request.
            (
                b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
                "GET",
                "/",
            ),
        ];
        for &(buf, method, path) in cases {
            let mut headers = [EMPTY_HEADER; 8];
            match parse(buf, &mut headers) {
                Ok(Status::Complete((Incoming::Http(head), len))) => {
                    assert_eq!((head.method, head.target, len), (method, path, buf.len()));
                }
                other => panic!("{buf:?}: {other:?}"),
            }
        }
    }

    /// Builds a request from the standard one with `lines` replacing its
    /// fields.
    fn request(lines: &[&str]) -> std::vec::Vec<u8> {
        let mut buf = std::vec::Vec::from(&b"GET /chat HTTP/1.1\r\n"[..]);
        for line in lines {
            buf.extend_from_slice(line.as_bytes());
            buf.extend_from_slice(b"\r\n");
        }
        buf.extend_from_slice(b"\r\n");
        buf
    }

    const HOST: &str = "Host: example.com";
    const UPGRADE: &str = "Upgrade: websocket";
    const CONNECTION: &str = "Connection: Upgrade";
    const KEY: &str = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    const VERSION: &str = "Sec-WebSocket-Version: 13";

    #[test]
    fn accepted_variants() {
        #[rustfmt::skip]
        let cases: &[&[&str]] = &[
            &[HOST, UPGRADE, CONNECTION, KEY, VERSION],
            // Case-insensitive names and tokens.
            &["host: example.com", "upgrade: WebSocket", "CONNECTION: UPGRADE", "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==", "SEC-WEBSOCKET-VERSION: 13"],
            // Token lists, spread over repeated lines.
            &[HOST, "Upgrade: foo, websocket", "Connection: keep-alive", "Connection: Upgrade", KEY, VERSION],
            &[HOST, UPGRADE, "Connection: keep-alive, Upgrade", KEY, VERSION],
            &[HOST, UPGRADE, "Connection: Upgrade,,  ,keep-alive", KEY, VERSION],
            // Surrounding whitespace is not part of the value.
            &[HOST, UPGRADE, CONNECTION, "Sec-WebSocket-Key: \t dGhlIHNhbXBsZSBub25jZQ== \t", "Sec-WebSocket-Version:13"],
            // Subprotocols and extensions over several lines.
            &[HOST, UPGRADE, CONNECTION, KEY, VERSION, "Sec-WebSocket-Protocol: a", "Sec-WebSocket-Protocol: b, c", "Sec-WebSocket-Extensions: x; p=\"1\", y"],
        ];
        for lines in cases {
            let buf = request(lines);
            let mut headers = [EMPTY_HEADER; 16];
            let result = parse(&buf, &mut headers);
            assert!(
                matches!(result, Ok(Status::Complete((Incoming::WebSocket(_), _)))),
                "{lines:?}: {result:?}"
            );
        }
    }

    #[test]
    fn protocols_and_extensions_span_lines() {
        let buf = request(&[
            HOST,
            UPGRADE,
            CONNECTION,
            KEY,
            VERSION,
            "Sec-WebSocket-Protocol: a",
            "Sec-WebSocket-Protocol: b, c",
            "Sec-WebSocket-Extensions: x; p=\"1\", y",
        ]);
        let mut headers = [EMPTY_HEADER; 16];
        let Ok(Status::Complete((Incoming::WebSocket(req), _))) = parse(&buf, &mut headers) else {
            panic!()
        };
        assert!(req.protocols().eq(["a", "b", "c"]));
        let exts: std::vec::Vec<_> = req.extensions().collect();
        assert_eq!(
            exts,
            [
                super::super::Extension {
                    name: "x",
                    params: "p=\"1\""
                },
                super::super::Extension {
                    name: "y",
                    params: ""
                }
            ]
        );
    }

    // One line per requirement of section 4.2.1, with the status it earns.
    #[test]
    fn rejections() {
        use HandshakeError::*;
        let thousand = std::format!("Sec-WebSocket-Key: {}", "A".repeat(1000));
        #[rustfmt::skip]
        let cases: &[(&[&str], HandshakeError, u16)] = &[
            (&[HOST, CONNECTION, KEY, VERSION], MissingHeader(Field::Upgrade), 400),
            (&[HOST, "Upgrade: h2c", CONNECTION, KEY, VERSION], InvalidHeader(Field::Upgrade), 400),
            (&[HOST, UPGRADE, KEY, VERSION], MissingHeader(Field::Connection), 400),
            (&[HOST, UPGRADE, "Connection: keep-alive", KEY, VERSION], InvalidHeader(Field::Connection), 400),
            (&[HOST, UPGRADE, "Connection: Upgrades", KEY, VERSION], InvalidHeader(Field::Connection), 400),
            (&[HOST, UPGRADE, KEY], MissingHeader(Field::Connection), 400),
            (&[UPGRADE, CONNECTION, KEY, VERSION], MissingHeader(Field::Host), 400),
            (&[HOST, "Host: other.example", UPGRADE, CONNECTION, KEY, VERSION], DuplicateHeader(Field::Host), 400),
            (&["Host:", UPGRADE, CONNECTION, KEY, VERSION], InvalidHeader(Field::Host), 400),
            (&[HOST, UPGRADE, CONNECTION, KEY], MissingHeader(Field::Version), 426),
            (&[HOST, UPGRADE, CONNECTION, KEY, "Sec-WebSocket-Version: 8"], UnsupportedVersion, 426),
            (&[HOST, UPGRADE, CONNECTION, KEY, "Sec-WebSocket-Version: 12"], UnsupportedVersion, 426),
            (&[HOST, UPGRADE, CONNECTION, KEY, "Sec-WebSocket-Version: 13, 8"], UnsupportedVersion, 426),
            (&[HOST, UPGRADE, CONNECTION, KEY, VERSION, VERSION], DuplicateHeader(Field::Version), 400),
            (&[HOST, UPGRADE, CONNECTION, VERSION], MissingHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, KEY, KEY, VERSION], DuplicateHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, "Sec-WebSocket-Key: 6ba7b810-9dad-11d1-80b4-00c04fd430c8", VERSION], InvalidHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, &thousand, VERSION], InvalidHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, "Sec-WebSocket-Key: not base64 at all!!!!!", VERSION], InvalidHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA", VERSION], InvalidHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=", VERSION], InvalidHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, "Sec-WebSocket-Key:", VERSION], InvalidHeader(Field::Key), 400),
            (&[HOST, UPGRADE, CONNECTION, KEY, VERSION, "Origin: a", "Origin: b"], DuplicateHeader(Field::Origin), 400),
            (&[HOST, UPGRADE, CONNECTION, KEY, VERSION, "Sec-WebSocket-Protocol: chat, two words"], InvalidHeader(Field::Protocol), 400),
            (&[HOST, UPGRADE, CONNECTION, KEY, VERSION, "Sec-WebSocket-Protocol: \"quoted\""], InvalidHeader(Field::Protocol), 400),
            (&[HOST, UPGRADE, CONNECTION, KEY, VERSION, "Sec-WebSocket-Extensions: ; x"], InvalidHeader(Field::Extensions), 400),
            // Only the key says this is a WebSocket request.
            (&[HOST, KEY, VERSION], MissingHeader(Field::Upgrade), 400),
        ];
        for &(lines, err, status) in cases {
            let buf = request(lines);
            let mut headers = [EMPTY_HEADER; 16];
            let got = parse(&buf, &mut headers).map(|s| s.map(|_| ()));
            assert_eq!(got, Err(err), "{lines:?}");
            assert_eq!(err.status_code(), Some(status), "{lines:?}");
        }
    }

    #[test]
    fn request_line_rejections() {
        use HandshakeError::*;
        let rest = "\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        #[rustfmt::skip]
        let cases: &[(&str, HandshakeError)] = &[
            ("POST /chat HTTP/1.1", Method),
            ("get /chat HTTP/1.1", Method),
            ("GET /chat HTTP/1.0", HttpVersion),
            ("GET /chat HTTP/2.0", Http(HttpError::Version)),
            ("GET /ch at HTTP/1.1", Http(HttpError::Version)),
        ];
        for &(line, err) in cases {
            let buf = std::format!("{line}{rest}");
            let mut headers = [EMPTY_HEADER; 16];
            assert_eq!(
                parse(buf.as_bytes(), &mut headers).map(|s| s.map(|_| ())),
                Err(err),
                "{line}"
            );
            assert_eq!(err.status_code(), Some(400));
        }
    }

    #[test]
    fn hostile_heads_give_typed_errors() {
        // More fields than the storage holds.
        let mut headers = [EMPTY_HEADER; 4];
        assert_eq!(
            parse(CHROME, &mut headers).map(|s| s.map(|_| ())),
            Err(HandshakeError::Http(HttpError::TooManyHeaders))
        );
        // 10,000 header lines.
        let many = request(&[HOST; 10_000]);
        let mut headers = [EMPTY_HEADER; 32];
        assert_eq!(
            parse(&many, &mut headers).map(|s| s.map(|_| ())),
            Err(HandshakeError::Http(HttpError::TooManyHeaders))
        );
        // A header line longer than any buffer: still waiting, never a panic;
        // the caller whose buffer is full answers HeadTooLarge (431).
        let long = std::format!("GET / HTTP/1.1\r\nX-Long: {}", "a".repeat(65536));
        assert!(matches!(
            parse(long.as_bytes(), &mut headers),
            Ok(Status::Partial(_))
        ));
        assert_eq!(HandshakeError::HeadTooLarge.status_code(), Some(431));
        // NUL and bare CR.
        let nul = request(&[HOST, "X-Nul: a\0b", UPGRADE, CONNECTION, KEY, VERSION]);
        assert_eq!(
            parse(&nul, &mut headers).map(|s| s.map(|_| ())),
            Err(HandshakeError::Http(HttpError::HeaderValue))
        );
        let cr = request(&[HOST, "X-Cr: a\rb", UPGRADE, CONNECTION, KEY, VERSION]);
        assert!(matches!(
            parse(&cr, &mut headers),
            Err(HandshakeError::Http(_))
        ));
        // A 5,000-byte path is fine.
        let path = std::format!(
            "GET /{} HTTP/1.1\r\n{HOST}\r\n{UPGRADE}\r\n{CONNECTION}\r\n{KEY}\r\n{VERSION}\r\n\r\n",
            "p".repeat(5000)
        );
        let (req, _) = parse_ok(std::boxed::Box::leak(path.into_bytes().into_boxed_slice()));
        assert_eq!(req.path().len(), 5001);
    }

    #[test]
    fn response_checks_the_chosen_protocol() {
        let (req, _) = parse_ok(FIREFOX_KEEP_ALIVE);
        let mut out = [0u8; 256];
        assert_eq!(
            req.write_response(Some("other"), &[], &mut out),
            Err(HandshakeError::ProtocolNotOffered)
        );
        let n = req
            .write_response(Some("superchat"), &[("Set-Cookie", "id=1")], &mut out)
            .unwrap();
        let expected = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\nSec-WebSocket-Protocol: superchat\r\nSet-Cookie: id=1\r\n\r\n";
        assert_eq!(&out[..n], expected);
        // Every buffer that is too small is an error, never a panic.
        for size in 0..n {
            let mut small = [0u8; 256];
            assert_eq!(
                req.write_response(
                    Some("superchat"),
                    &[("Set-Cookie", "id=1")],
                    &mut small[..size]
                ),
                Err(HandshakeError::BufferTooSmall)
            );
        }
        assert_eq!(
            req.write_response(None, &[("Content-Length", "0")], &mut out),
            Err(HandshakeError::InvalidArgument)
        );
        assert_eq!(
            req.write_response(None, &[("X", "a\r\nb")], &mut out),
            Err(HandshakeError::InvalidArgument)
        );
    }

    #[test]
    fn responses_chosen_by_the_server() {
        let (req, _) = parse_ok(FIREFOX_KEEP_ALIVE);
        let mut out = [0u8; 256];
        let mut write = |response: Response<'_, '_>| {
            response
                .write(&req, &mut out)
                .map(|n| std::string::String::from_utf8(out[..n].to_vec()).unwrap())
        };
        // The 101, as write_response writes it.
        let accept = Response::accept()
            .protocol(req.protocols().nth(1))
            .headers(&[("Set-Cookie", "id=1")]);
        assert!(accept.is_accept());
        assert_eq!(
            (accept.status(), accept.chosen_protocol()),
            (101, Some("superchat"))
        );
        assert_eq!(
            write(accept).unwrap(),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\nSec-WebSocket-Protocol: superchat\r\nSet-Cookie: id=1\r\n\r\n"
        );
        // Refusals: the status with its reason, the body's length, the
        // caller's fields, the body.
        let cases: [(Response<'_, '_>, &str); 5] = [
            (
                Response::reject(403),
                "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            ),
            (
                Response::reject(401).headers(&[("WWW-Authenticate", "Basic realm=\"x\"")]),
                "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n",
            ),
            (
                Response::reject(404).body(b"gone\n"),
                "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 5\r\n\r\ngone\n",
            ),
            (
                Response::reject(308).headers(&[("Location", "/v2/chat")]),
                "HTTP/1.1 308 Permanent Redirect\r\nConnection: close\r\nContent-Length: 0\r\nLocation: /v2/chat\r\n\r\n",
            ),
            (
                Response::reject(599),
                "HTTP/1.1 599 \r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            ),
        ];
        for (response, expected) in cases {
            assert!(!response.is_accept());
            assert_eq!(write(response).unwrap(), expected);
        }
        // The caller's mistakes.
        let mistakes: [(Response<'_, '_>, HandshakeError); 9] = [
            (Response::reject(101), HandshakeError::InvalidArgument),
            (Response::reject(100), HandshakeError::InvalidArgument),
            (Response::reject(200), HandshakeError::InvalidArgument),
            (Response::reject(299), HandshakeError::InvalidArgument),
            (Response::reject(600), HandshakeError::InvalidArgument),
            (
                Response::reject(403).protocol(Some("chat")),
                HandshakeError::InvalidArgument,
            ),
            (
                Response::accept().body(b"x"),
                HandshakeError::InvalidArgument,
            ),
            (
                Response::reject(403).headers(&[("X", "a\r\nInjected: 1")]),
                HandshakeError::InvalidArgument,
            ),
            (
                Response::accept().protocol(Some("other")),
                HandshakeError::ProtocolNotOffered,
            ),
        ];
        for (response, error) in mistakes {
            assert_eq!(write(response), Err(error), "{response:?}");
        }
        for name in [
            "Connection",
            "Content-Length",
            "Transfer-Encoding",
            "Upgrade",
            "Bad Name",
        ] {
            let headers = [(name, "x")];
            assert_eq!(
                write(Response::reject(403).headers(&headers)),
                Err(HandshakeError::InvalidArgument),
                "{name}"
            );
        }
        // Every buffer that is too small is an error, never a panic.
        let response = Response::reject(401)
            .headers(&[("WWW-Authenticate", "Basic realm=\"x\"")])
            .body(b"credentials, please");
        let n = response.write(&req, &mut out).unwrap();
        for size in 0..n {
            let mut small = [0u8; 256];
            assert_eq!(
                response.write(&req, &mut small[..size]),
                Err(HandshakeError::BufferTooSmall)
            );
        }
    }

    #[test]
    fn rejection_responses() {
        let cases: &[(HandshakeError, &[u8])] = &[
            (HandshakeError::MissingHeader(Field::Key), b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            (HandshakeError::UnsupportedVersion, b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\nContent-Length: 0\r\n\r\n"),
            (HandshakeError::BufferTooSmall, b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            (HandshakeError::HeadTooLarge, b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            (HandshakeError::Refused(StatusCode::new(403)), b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            (HandshakeError::Refused(StatusCode::new(200)), b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            (HandshakeError::ProtocolTooLong, b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
        ];
        for &(err, expected) in cases {
            let mut out = [0u8; 160];
            let n = write_rejection(err, &mut out).unwrap();
            assert_eq!(&out[..n], expected);
            assert_eq!(
                write_rejection(err, &mut out[..n - 1]),
                Err(HandshakeError::BufferTooSmall)
            );
        }
    }
}
