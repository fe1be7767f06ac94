//! The request and response head parsers (RFC 9112 sections 2 to 5).
//!
//! One pass over the bytes, left to right, with no lookahead: the first byte
//! that cannot continue a valid head is the error, and running out of bytes
//! anywhere is [`Status::Partial`].
//!
//! ```text
//! request-line = method SP request-target SP HTTP-version CRLF
//! status-line  = HTTP-version SP status-code SP [ reason-phrase ] CRLF
//! field-line   = field-name ":" OWS field-value OWS CRLF
//! head         = start-line *( field-line ) CRLF
//! ```

use super::{Header, HttpError, RequestHead, ResponseHead, is_target_byte, is_tchar};
use crate::Status;

/// Why parsing stopped early.
enum Halt {
    /// The input ended inside the head.
    Incomplete,
    /// The head is invalid.
    Invalid(HttpError),
}

impl From<HttpError> for Halt {
    fn from(err: HttpError) -> Self {
        Halt::Invalid(err)
    }
}

type Step<T> = Result<T, Halt>;

/// Parses a request head: request line, header fields, empty line.
///
/// `Ok(Status::Complete((head, len)))` where `len` is the number of bytes up
/// to and including the empty line that ends the head; bytes after it belong
/// to whatever follows and are not looked at. The fields are written into
/// `headers`, in order, and `head.headers` is the filled prefix of it; a head
/// with more fields than `headers` holds is [`HttpError::TooManyHeaders`].
///
/// `Ok(Status::Partial(n))` when `buf` is a valid prefix of a head: at least
/// `n` more bytes are needed (a lower bound, at most 4). An error is reported
/// as soon as the bytes seen so far cannot begin a valid head.
///
/// ```
/// use hybi::http::{EMPTY_HEADER, parse_request};
/// use hybi::Status;
///
/// let mut headers = [EMPTY_HEADER; 8];
/// let buf = b"GET /chat HTTP/1.1\r\nHost: example.com\r\n\r\n";
/// let Ok(Status::Complete((head, len))) = parse_request(buf, &mut headers) else {
///     panic!("not a complete head");
/// };
/// assert_eq!((head.method, head.target, len), ("GET", "/chat", buf.len()));
/// assert_eq!(head.header("host"), Some(&b"example.com"[..]));
///
/// let mut headers = [EMPTY_HEADER; 8];
/// assert_eq!(parse_request(&buf[..20], &mut headers), Ok(Status::Partial(2)));
/// ```
pub fn parse_request<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Result<Status<(RequestHead<'h, 'b>, usize)>, HttpError> {
    finish(buf, request(buf, headers))
}

/// Parses a response head: status line, header fields, empty line.
///
/// The result is as for [`parse_request`]. The reason phrase may be empty
/// but the SP before it may not.
///
/// ```
/// use hybi::http::{EMPTY_HEADER, HttpError, parse_response};
/// use hybi::Status;
///
/// let mut headers = [EMPTY_HEADER; 8];
/// let buf = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
/// let Ok(Status::Complete((head, _))) = parse_response(buf, &mut headers) else {
///     panic!("not a complete head");
/// };
/// assert_eq!((head.status, head.reason), (101, &b"Switching Protocols"[..]));
///
/// let mut headers = [EMPTY_HEADER; 8];
/// assert_eq!(parse_response(b"HTTP/1.1 200\r\n", &mut headers), Err(HttpError::Status));
/// ```
pub fn parse_response<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Result<Status<(ResponseHead<'h, 'b>, usize)>, HttpError> {
    finish(buf, response(buf, headers))
}

fn finish<T>(buf: &[u8], step: Step<(T, usize)>) -> Result<Status<(T, usize)>, HttpError> {
    match step {
        Ok(done) => Ok(Status::Complete(done)),
        Err(Halt::Invalid(err)) => Err(err),
        Err(Halt::Incomplete) => Ok(Status::Partial(needed(buf))),
    }
}

/// A lower bound on the bytes a valid prefix `buf` needs to become a head:
/// every head ends in CRLF CRLF, and the end of `buf` may already hold the
/// start of it.
fn needed(buf: &[u8]) -> usize {
    match buf {
        [.., b'\r', b'\n', b'\r'] => 1,
        [.., b'\r', b'\n'] => 2,
        [.., b'\r'] => 3,
        _ => 4,
    }
}

fn request<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Step<(RequestHead<'h, 'b>, usize)> {
    let mut c = Cursor { rest: buf };
    let method = c.part(is_tchar, HttpError::Method)?;
    let target = c.part(is_target_byte, HttpError::Target)?;
    let minor_version = c.version()?;
    c.end_line(HttpError::Version)?;
    let (headers, len) = c.fields(buf, headers)?;
    let head = RequestHead {
        method: ascii(method, HttpError::Method)?,
        target: ascii(target, HttpError::Target)?,
        minor_version,
        headers,
    };
    Ok((head, len))
}

fn response<'h, 'b>(
    buf: &'b [u8],
    headers: &'h mut [Header<'b>],
) -> Step<(ResponseHead<'h, 'b>, usize)> {
    let mut c = Cursor { rest: buf };
    let minor_version = c.version()?;
    c.sp(HttpError::Version)?;
    // Three digits, the first not 0: the loop ends once the value is 100+.
    let mut status = 0;
    while status < 100 {
        let digit = c.next()?.wrapping_sub(b'0');
        if digit > 9 || (status == 0 && digit == 0) {
            return Err(HttpError::Status.into());
        }
        status = status * 10 + u16::from(digit);
    }
    c.sp(HttpError::Status)?;
    let reason = c.take_while(is_text)?;
    c.end_line(HttpError::Status)?;
    let (headers, len) = c.fields(buf, headers)?;
    let head = ResponseHead {
        minor_version,
        status,
        reason,
        headers,
    };
    Ok((head, len))
}

/// The unread rest of the input.
struct Cursor<'b> {
    rest: &'b [u8],
}

impl<'b> Cursor<'b> {
    fn next(&mut self) -> Step<u8> {
        let (&b, rest) = self.rest.split_first().ok_or(Halt::Incomplete)?;
        self.rest = rest;
        Ok(b)
    }

    fn peek(&self) -> Step<u8> {
        self.rest.first().copied().ok_or(Halt::Incomplete)
    }

    /// Takes the bytes before the first one that fails `pred`, which must
    /// have arrived: a run that reaches the end of the input may go on.
    fn take_while(&mut self, pred: impl Fn(u8) -> bool) -> Step<&'b [u8]> {
        let n = self
            .rest
            .iter()
            .position(|&b| !pred(b))
            .ok_or(Halt::Incomplete)?;
        let (taken, rest) = self.rest.split_at_checked(n).ok_or(Halt::Incomplete)?;
        self.rest = rest;
        Ok(taken)
    }

    /// One SP.
    fn sp(&mut self, err: HttpError) -> Step<()> {
        match self.next()? {
            b' ' => Ok(()),
            _ => Err(err.into()),
        }
    }

    /// A non-empty part of the request line and the SP after it.
    fn part(&mut self, pred: impl Fn(u8) -> bool, err: HttpError) -> Step<&'b [u8]> {
        let part = self.take_while(pred)?;
        if part.is_empty() {
            return Err(err.into());
        }
        self.sp(err)?;
        Ok(part)
    }

    /// `HTTP/1.0` or `HTTP/1.1`: the minor version.
    fn version(&mut self) -> Step<u8> {
        for &want in b"HTTP/1." {
            if self.next()? != want {
                return Err(HttpError::Version.into());
            }
        }
        match self.next()? {
            b'0' => Ok(0),
            b'1' => Ok(1),
            _ => Err(HttpError::Version.into()),
        }
    }

    /// The CRLF that ends a line; any byte but CR or LF is `err`.
    fn end_line(&mut self, err: HttpError) -> Step<()> {
        match self.next()? {
            b'\r' if self.next()? == b'\n' => Ok(()),
            b'\r' | b'\n' => Err(HttpError::NewLine.into()),
            _ => Err(err.into()),
        }
    }

    /// The field lines and the empty line after them: the filled prefix of
    /// `storage` and the length of the whole head.
    fn fields<'h>(
        &mut self,
        buf: &'b [u8],
        storage: &'h mut [Header<'b>],
    ) -> Step<(&'h [Header<'b>], usize)> {
        let mut n = 0;
        loop {
            match self.peek()? {
                b'\r' | b'\n' => {
                    self.end_line(HttpError::NewLine)?;
                    break;
                }
                // Obsolete line folding, or whitespace before the first field.
                b' ' | b'\t' => return Err(HttpError::HeaderName.into()),
                _ => {}
            }
            let slot = storage.get_mut(n).ok_or(HttpError::TooManyHeaders)?;
            let name = self.take_while(is_tchar)?;
            if name.is_empty() || self.next()? != b':' {
                return Err(HttpError::HeaderName.into());
            }
            let value = self.take_while(is_text)?;
            self.end_line(HttpError::HeaderValue)?;
            *slot = Header {
                name: ascii(name, HttpError::HeaderName)?,
                value: super::trim_ows_bytes(value),
            };
            n += 1;
        }
        let storage: &'h [Header<'b>] = storage;
        let len = buf.len() - self.rest.len();
        Ok((storage.get(..n).unwrap_or_default(), len))
    }
}

/// Text already checked to be ASCII (tokens, targets): `err` never happens.
fn ascii(bytes: &[u8], err: HttpError) -> Step<&str> {
    core::str::from_utf8(bytes).map_err(|_| err.into())
}

/// A byte of a field value or reason phrase: HTAB, SP, VCHAR, obs-text.
/// Leading and trailing SP and HTAB (OWS) are trimmed from field values
/// afterwards, which is why the line ending is the only way out.
fn is_text(b: u8) -> bool {
    b == b'\t' || (b >= b' ' && b != 0x7F)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::EMPTY_HEADER;

    const CHROME: &[u8] = b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nConnection: Upgrade\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\nUpgrade: websocket\r\nOrigin: http://127.0.0.1:9001\r\nSec-WebSocket-Version: 13\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    const FIREFOX: &[u8] = b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:9001\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\nConnection: keep-alive, Upgrade\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Mode: websocket\r\nSec-Fetch-Site: same-origin\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUpgrade: websocket\r\n\r\n";
    const CURL: &[u8] = b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: SGVsbG8sIHdvcmxkIQ==\r\n\r\n";
    const PYTHON: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost:8765\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: 8bS8aFt0c5N4nAdkbi3ArA==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nUser-Agent: Python/3.11 websockets/14.1\r\n\r\n";
    const NODE: &[u8] = b"GET / HTTP/1.1\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: kXQkDb5ccR6lXKw1Wtl5/w==\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nHost: 127.0.0.1:8080\r\n\r\n";
    const SWITCHING: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    const UPGRADE_REQUIRED: &[u8] =
        b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n";
    const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\n";

    /// A masked text frame "Hello" (RFC 6455 section 5.7), sent right after
    /// a head; and the body of `BAD_REQUEST`.
    const AFTER: &[&[u8]] = &[
        b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
        b"Bad Request",
        b"\r\n\r\n",
    ];

    /// Header fields expected in a head, by name.
    type Fields = &'static [(&'static str, &'static [u8])];
    type Reason = &'static [u8];

    type Req = Result<Status<(RequestHead<'static, 'static>, usize)>, HttpError>;
    type Res = Result<Status<(ResponseHead<'static, 'static>, usize)>, HttpError>;

    /// A parser reduced to the length it reports, with `slots` (up to 32)
    /// header slots.
    type Parse = fn(&[u8], usize) -> Result<Status<usize>, HttpError>;

    fn req(buf: &[u8], slots: usize) -> Result<Status<usize>, HttpError> {
        let mut storage = [EMPTY_HEADER; 32];
        parse_request(buf, &mut storage[..slots]).map(|s| s.map(|(_, len)| len))
    }

    fn res(buf: &[u8], slots: usize) -> Result<Status<usize>, HttpError> {
        let mut storage = [EMPTY_HEADER; 32];
        parse_response(buf, &mut storage[..slots]).map(|s| s.map(|(_, len)| len))
    }

    /// `parts` joined into `out`.
    fn concat<'a>(out: &'a mut [u8], parts: &[&[u8]]) -> &'a [u8] {
        let mut n = 0;
        for part in parts {
            out[n..n + part.len()].copy_from_slice(part);
            n += part.len();
        }
        &out[..n]
    }

    /// Every proper prefix of the head `full` is a valid prefix, and asks
    /// for no more bytes than the head still has; the head itself is
    /// complete; bytes after it are not consumed.
    fn check_prefixes(full: &[u8], parse: Parse) {
        for i in 0..full.len() {
            match parse(&full[..i], 32) {
                Ok(Status::Partial(n)) => assert!(n >= 1 && i + n <= full.len(), "prefix {i}: {n}"),
                other => panic!("prefix {i} of {}: {other:?}", full.escape_ascii()),
            }
        }
        assert_eq!(parse(full, 32), Ok(Status::Complete(full.len())));
        for after in AFTER {
            let mut buf = [0; 1024];
            let buf = concat(&mut buf, &[full, after]);
            assert_eq!(parse(buf, 32), Ok(Status::Complete(full.len())));
        }
    }

    #[test]
    fn browser_and_library_requests() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &str, usize, Fields)] = &[
            (CHROME, "/chat", 12, &[("host", b"127.0.0.1:9001"), ("Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="), ("user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")]),
            (FIREFOX, "/chat", 16, &[("Connection", b"keep-alive, Upgrade"), ("sec-fetch-mode", b"websocket"), ("Accept", b"*/*")]),
            (CURL, "/chat", 7, &[("User-Agent", b"curl/8.5.0"), ("Sec-WebSocket-Key", b"SGVsbG8sIHdvcmxkIQ==")]),
            (PYTHON, "/", 7, &[("Host", b"localhost:8765"), ("Sec-WebSocket-Extensions", b"permessage-deflate; client_max_window_bits")]),
            (NODE, "/", 6, &[("HOST", b"127.0.0.1:8080"), ("sec-websocket-version", b"13")]),
        ];
        for &(buf, target, count, fields) in cases {
            let mut storage = [EMPTY_HEADER; 32];
            let Ok(Status::Complete((head, len))) = parse_request(buf, &mut storage) else {
                panic!("{}", buf.escape_ascii());
            };
            assert_eq!(
                (head.method, head.target, head.minor_version),
                ("GET", target, 1)
            );
            assert_eq!((head.headers.len(), len), (count, buf.len()));
            for &(name, value) in fields {
                assert_eq!(head.header(name), Some(value), "{name}");
            }
            assert_eq!(head.header("upgrade"), Some(&b"websocket"[..]));
            check_prefixes(buf, req);
        }
    }

    #[test]
    fn server_responses() {
        #[rustfmt::skip]
        let cases: &[(&[u8], u16, Reason, usize, Fields)] = &[
            (SWITCHING, 101, b"Switching Protocols", 3, &[("sec-websocket-accept", b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), ("Upgrade", b"websocket")]),
            (UPGRADE_REQUIRED, 426, b"Upgrade Required", 2, &[("Sec-WebSocket-Version", b"13")]),
            (BAD_REQUEST, 400, b"Bad Request", 3, &[("content-length", b"11"), ("Connection", b"close")]),
        ];
        for &(buf, status, reason, count, fields) in cases {
            let mut storage = [EMPTY_HEADER; 32];
            let Ok(Status::Complete((head, len))) = parse_response(buf, &mut storage) else {
                panic!("{}", buf.escape_ascii());
            };
            assert_eq!(
                (head.minor_version, head.status, head.reason),
                (1, status, reason)
            );
            assert_eq!((head.headers.len(), len), (count, buf.len()));
            for &(name, value) in fields {
                assert_eq!(head.header(name), Some(value), "{name}");
            }
            check_prefixes(buf, res);
        }
    }

    #[test]
    fn partial_lower_bounds() {
        #[rustfmt::skip]
        let cases: &[(&[u8], usize)] = &[
            (b"", 4),
            (b"G", 4),
            (b"GET / HTTP/1.", 4),
            (b"GET / HTTP/1.1", 4),
            (b"GET / HTTP/1.1\r", 3),
            (b"GET / HTTP/1.1\r\n", 2),
            (b"GET / HTTP/1.1\r\nA", 4),
            (b"GET / HTTP/1.1\r\nA: b\r", 3),
            (b"GET / HTTP/1.1\r\nA: b\r\n", 2),
            (b"GET / HTTP/1.1\r\nA: b\r\n\r", 1),
            (b"GET / HTTP/1.1\r\n\r", 1),
        ];
        for &(buf, needed) in cases {
            assert_eq!(
                req(buf, 4),
                Ok(Status::Partial(needed)),
                "{}",
                buf.escape_ascii()
            );
        }
        assert_eq!(res(b"HTTP/1.1 101 \r\n\r", 4), Ok(Status::Partial(1)));
    }

    #[test]
    fn accepted_requests() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &str, &str, u8, Fields)] = &[
            (b"GET / HTTP/1.1\r\n\r\n", "GET", "/", 1, &[]),
            (b"GET / HTTP/1.0\r\n\r\n", "GET", "/", 0, &[]),
            (b"OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS", "*", 1, &[]),
            (b"GET http://example.com:80/a?b=c HTTP/1.1\r\n\r\n", "GET", "http://example.com:80/a?b=c", 1, &[]),
            (b"GET /%20a/b;c=d?e=f&g=h#i HTTP/1.1\r\n\r\n", "GET", "/%20a/b;c=d?e=f&g=h#i", 1, &[]),
            (b"GET /!$&'()*+,;=:@-._~[] HTTP/1.1\r\n\r\n", "GET", "/!$&'()*+,;=:@-._~[]", 1, &[]),
            (b"M-SEARCH!#$%&'*+.^_`|~ / HTTP/1.1\r\n\r\n", "M-SEARCH!#$%&'*+.^_`|~", "/", 1, &[]),
            (b"get / HTTP/1.1\r\n\r\n", "get", "/", 1, &[]),
            (b"GET / HTTP/1.1\r\nA:b\r\n\r\n", "GET", "/", 1, &[("A", b"b")]),
            (b"GET / HTTP/1.1\r\nA: \t b c \t \r\n\r\n", "GET", "/", 1, &[("A", b"b c")]),
            (b"GET / HTTP/1.1\r\nA:\r\n\r\n", "GET", "/", 1, &[("A", b"")]),
            (b"GET / HTTP/1.1\r\nA: \t \r\n\r\n", "GET", "/", 1, &[("A", b"")]),
            (b"GET / HTTP/1.1\r\nA: caf\xc3\xa9 \x80\xff\r\n\r\n", "GET", "/", 1, &[("A", b"caf\xc3\xa9 \x80\xff")]),
            (b"GET / HTTP/1.1\r\nA: \"quoted: value\" (comment) ~!\r\n\r\n", "GET", "/", 1, &[("A", b"\"quoted: value\" (comment) ~!")]),
            (b"GET / HTTP/1.1\r\nA: 1\r\na: 2\r\n!#$%&'*+-.^_`|~09: 3\r\n\r\n", "GET", "/", 1, &[("A", b"1"), ("a", b"2"), ("!#$%&'*+-.^_`|~09", b"3")]),
            (b"GET / HTTP/1.1\r\nA: b: c\r\n\r\n", "GET", "/", 1, &[("A", b"b: c")]),
        ];
        for &(buf, method, target, minor_version, fields) in cases {
            let mut storage = [EMPTY_HEADER; 4];
            let Ok(Status::Complete((head, len))) = parse_request(buf, &mut storage) else {
                panic!("{}", buf.escape_ascii());
            };
            assert_eq!(
                (head.method, head.target, head.minor_version, len),
                (method, target, minor_version, buf.len())
            );
            assert!(
                head.headers
                    .iter()
                    .map(|h| (h.name, h.value))
                    .eq(fields.iter().copied()),
                "{}",
                buf.escape_ascii()
            );
            check_prefixes(buf, req);
        }
    }

    #[test]
    fn accepted_responses() {
        #[rustfmt::skip]
        let cases: &[(&[u8], u8, u16, &[u8])] = &[
            (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", 1, 101, b"Switching Protocols"),
            (b"HTTP/1.0 200 OK\r\n\r\n", 0, 200, b"OK"),
            (b"HTTP/1.1 101 \r\n\r\n", 1, 101, b""),
            (b"HTTP/1.1 100 Continue\r\n\r\n", 1, 100, b"Continue"),
            (b"HTTP/1.1 999 \t x \r\n\r\n", 1, 999, b"\t x "),
            (b"HTTP/1.1 404 Nicht gefunden \xc3\xa4\x80\xff\r\n\r\n", 1, 404, b"Nicht gefunden \xc3\xa4\x80\xff"),
            (b"HTTP/1.1 400 Bad: Request (\"x\")\r\n\r\n", 1, 400, b"Bad: Request (\"x\")"),
        ];
        for &(buf, minor_version, status, reason) in cases {
            let mut storage = [EMPTY_HEADER; 4];
            let got = parse_response(buf, &mut storage);
            let expect: Res = Ok(Status::Complete((
                ResponseHead {
                    minor_version,
                    status,
                    reason,
                    headers: &[],
                },
                buf.len(),
            )));
            assert_eq!(got, expect, "{}", buf.escape_ascii());
            check_prefixes(buf, res);
        }
    }

    /// Every prefix of `buf` is valid until the first bad byte; from there
    /// on, every longer prefix fails with the same error.
    fn check_fails_fast(buf: &[u8], parse: Parse, slots: usize, expect: HttpError) {
        let mut failed = false;
        for i in 0..=buf.len() {
            match parse(&buf[..i], slots) {
                Ok(Status::Partial(n)) if !failed && n >= 1 => {}
                Err(err) if err == expect => failed = true,
                other => panic!(
                    "prefix {i} of {}: {other:?}, expected {expect:?}",
                    buf.escape_ascii()
                ),
            }
        }
        assert!(failed, "{}", buf.escape_ascii());
    }

    #[test]
    fn rejected_requests() {
        use HttpError::*;
        #[rustfmt::skip]
        let cases: &[(&[u8], HttpError)] = &[
            (b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", HeaderName),        // obs-fold
            (b"GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", HeaderName),       // obs-fold, HTAB
            (b"GET / HTTP/1.1\r\n A: b\r\n\r\n", HeaderName),             // whitespace before the first field
            (b"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", NewLine),              // bare CR in a value
            (b"GET / HTTP/1.1\r\nA: b\r\r\n\r\n", NewLine),               // CR CR LF
            (b"GET / HTTP/1.1\r\r\n\r\n", NewLine),                       // bare CR after the version
            (b"GET / HTTP/1.1\r\n\rx", NewLine),                          // bare CR in the last line
            (b"GET / HTTP/1.1\nA: b\r\n\r\n", NewLine),                   // bare LF after the request line
            (b"GET / HTTP/1.1\r\nA: b\n\r\n", NewLine),                   // bare LF after a field
            (b"GET / HTTP/1.1\r\nA: b\r\n\n", NewLine),                   // bare LF as the last line
            (b"GET / HTTP/1.1\n\n", NewLine),                             // bare LF everywhere
            (b"GET / HTTP/1.1\r\nA\0: b\r\n\r\n", HeaderName),            // NUL in a name
            (b"GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", HeaderValue),          // NUL in a value
            (b"GET / HTTP/1.1\r\nA: \0\r\n\r\n", HeaderValue),            // NUL as a value
            (b"GET / HTTP/1.1\r\nA: b\x7fc\r\n\r\n", HeaderValue),        // DEL in a value
            (b"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", HeaderValue),         // CTL in a value
            (b"GET / HTTP/1.1\r\nA: b\x0b\r\n\r\n", HeaderValue),         // VT in a value
            (b"GET / HTTP/1.1\r\nA: b\x1f\r\n\r\n", HeaderValue),         // US in a value
            (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", HeaderName),          // space before the colon
            (b"GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", HeaderName),         // HTAB before the colon
            (b"GET / HTTP/1.1\r\n: x\r\n\r\n", HeaderName),               // empty name
            (b"GET / HTTP/1.1\r\nHost\r\n\r\n", HeaderName),              // no colon
            (b"GET / HTTP/1.1\r\nHo(st: x\r\n\r\n", HeaderName),          // delimiter in a name
            (b"GET / HTTP/1.1\r\nH\xc3\xa9: x\r\n\r\n", HeaderName),      // non-ASCII name
            (b"G(ET / HTTP/1.1\r\n\r\n", Method),                         // delimiter in the method
            (b"G\0ET / HTTP/1.1\r\n\r\n", Method),                        // NUL in the method
            (b"G\xc3\x89T / HTTP/1.1\r\n\r\n", Method),                   // non-ASCII method
            (b" / HTTP/1.1\r\n\r\n", Method),                             // empty method
            (b"GET\t/ HTTP/1.1\r\n\r\n", Method),                         // HTAB after the method
            (b"\r\nGET / HTTP/1.1\r\n\r\n", Method),                      // empty line first
            (b"\nGET / HTTP/1.1\r\n\r\n", Method),                        // bare LF first
            (b"GET  / HTTP/1.1\r\n\r\n", Target),                         // two SP after the method
            (b"GET /a\tb HTTP/1.1\r\n\r\n", Target),                      // HTAB in the target
            (b"GET /a b HTTP/1.1\r\n\r\n", Version),                      // space in the target
            (b"GET /\r\n\r\n", Target),                                   // no version
            (b"GET /\"x\" HTTP/1.1\r\n\r\n", Target),                     // quote in the target
            (b"GET /<x> HTTP/1.1\r\n\r\n", Target),
            (b"GET /\\ HTTP/1.1\r\n\r\n", Target),
            (b"GET /^ HTTP/1.1\r\n\r\n", Target),
            (b"GET /` HTTP/1.1\r\n\r\n", Target),
            (b"GET /{x} HTTP/1.1\r\n\r\n", Target),
            (b"GET /| HTTP/1.1\r\n\r\n", Target),
            (b"GET /\x7f HTTP/1.1\r\n\r\n", Target),
            (b"GET /\0 HTTP/1.1\r\n\r\n", Target),
            (b"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", Target),               // non-ASCII target
            (b"GET /\xff HTTP/1.1\r\n\r\n", Target),
            (b"GET /  HTTP/1.1\r\n\r\n", Version),                        // two SP after the target
            (b"GET / HTTP/1.2\r\n\r\n", Version),
            (b"GET / HTTP/2.0\r\n\r\n", Version),
            (b"GET / http/1.1\r\n\r\n", Version),
            (b"GET / HTTP/1.10\r\n\r\n", Version),
            (b"GET / HTTP/1.1 \r\n\r\n", Version),                        // SP after the version
            (b"GET / HTTP/1\r\n\r\n", Version),
            (b"GET / HTTP/1.1\r\nA: b\r\nB: c\r\nC: d\r\n\r\n", TooManyHeaders), // two slots
        ];
        for &(buf, err) in cases {
            assert_eq!(req(buf, 2), Err(err), "{}", buf.escape_ascii());
            check_fails_fast(buf, req, 2, err);
        }
    }

    #[test]
    fn rejected_responses() {
        use HttpError::*;
        #[rustfmt::skip]
        let cases: &[(&[u8], HttpError)] = &[
            (b"HTTP/1.2 101 Switching Protocols\r\n\r\n", Version),
            (b"HTTP/2.0 101 Switching Protocols\r\n\r\n", Version),
            (b"http/1.1 101 Switching Protocols\r\n\r\n", Version),
            (b"HTTP/1.1\r\n\r\n", Version),                               // no status
            (b"HTTP/1.1\t101 X\r\n\r\n", Version),                        // HTAB after the version
            (b"\r\nHTTP/1.1 101 X\r\n\r\n", Version),                     // empty line first
            (b"HTTP/1.1 1010 X\r\n\r\n", Status),                         // four digits
            (b"HTTP/1.1 10 X\r\n\r\n", Status),                           // two digits
            (b"HTTP/1.1 101\r\n\r\n", Status),                            // no SP after the code
            (b"HTTP/1.1 101\tX\r\n\r\n", Status),                         // HTAB after the code
            (b"HTTP/1.1  101 X\r\n\r\n", Status),                         // two SP before the code
            (b"HTTP/1.1 099 X\r\n\r\n", Status),                          // below 100
            (b"HTTP/1.1 000 X\r\n\r\n", Status),
            (b"HTTP/1.1 +10 X\r\n\r\n", Status),                          // sign
            (b"HTTP/1.1 1a1 X\r\n\r\n", Status),
            (b"HTTP/1.1 101 X\0\r\n\r\n", Status),                        // NUL in the reason
            (b"HTTP/1.1 101 X\x7f\r\n\r\n", Status),                      // DEL in the reason
            (b"HTTP/1.1 101 X\n\r\n", NewLine),                           // bare LF after the reason
            (b"HTTP/1.1 101 X\rY\r\n\r\n", NewLine),                      // bare CR in the reason
            (b"HTTP/1.1 101 X\r\nA: b\r\n c\r\n\r\n", HeaderName),        // obs-fold
            (b"HTTP/1.1 101 X\r\nA : b\r\n\r\n", HeaderName),             // space before the colon
            (b"HTTP/1.1 101 X\r\nA: b\x7f\r\n\r\n", HeaderValue),         // DEL in a value
            (b"HTTP/1.1 101 X\r\nA: b\r\nB: c\r\nC: d\r\n\r\n", TooManyHeaders), // two slots
        ];
        for &(buf, err) in cases {
            assert_eq!(res(buf, 2), Err(err), "{}", buf.escape_ascii());
            check_fails_fast(buf, res, 2, err);
        }
    }

    #[test]
    fn header_storage() {
        let buf = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n";
        for slots in 0..4 {
            let mut storage = [EMPTY_HEADER; 4];
            let got = parse_request(buf, &mut storage[..slots]);
            if slots < 2 {
                assert_eq!(got, Err(HttpError::TooManyHeaders), "{slots}");
            } else {
                let Ok(Status::Complete((head, _))) = got else {
                    panic!("{got:?}")
                };
                assert_eq!(
                    head.headers,
                    &[
                        Header {
                            name: "A",
                            value: b"1"
                        },
                        Header {
                            name: "B",
                            value: b"2"
                        }
                    ]
                );
            }
        }
        // The error comes with the first byte of the field that does not fit.
        assert_eq!(
            req(b"GET / HTTP/1.1\r\nA: 1\r\n", 1),
            Ok(Status::Partial(2))
        );
        assert_eq!(
            req(b"GET / HTTP/1.1\r\nA: 1\r\nB", 1),
            Err(HttpError::TooManyHeaders)
        );
        // No fields, no storage.
        let got: Req = parse_request(b"GET / HTTP/1.1\r\n\r\n", &mut []);
        assert!(matches!(
            got,
            Ok(Status::Complete((RequestHead { headers: [], .. }, 18)))
        ));
    }

    #[test]
    fn long_target_is_accepted() {
        let mut target = [b'a'; 5000];
        target[0] = b'/';
        target[1..27].copy_from_slice(b"%20-._~!$&'()*+,;=:@?/[]#b");
        let mut buf = [0; 5100];
        let buf = concat(
            &mut buf,
            &[b"GET ", &target, b" HTTP/1.1\r\nHost: x\r\n\r\n"],
        );
        let mut storage = [EMPTY_HEADER; 2];
        let Ok(Status::Complete((head, len))) = parse_request(buf, &mut storage) else {
            panic!()
        };
        assert_eq!((head.target.as_bytes(), len), (&target[..], buf.len()));
    }

    #[test]
    fn many_fields_overflow_storage() {
        const LINES: usize = 10_000;
        let mut buf = [0; 16 + 6 * LINES + 2];
        buf[..16].copy_from_slice(b"GET / HTTP/1.1\r\n");
        for line in buf[16..16 + 6 * LINES].chunks_exact_mut(6) {
            line.copy_from_slice(b"X: y\r\n");
        }
        buf[16 + 6 * LINES..].copy_from_slice(b"\r\n");
        assert_eq!(req(&buf, 16), Err(HttpError::TooManyHeaders));
        assert_eq!(req(&buf[..16 + 6 * 16], 16), Ok(Status::Partial(2)));
    }

    #[test]
    fn long_field_line() {
        const VALUE: usize = 64 * 1024;
        let mut buf = [b'v'; 19 + VALUE + 4];
        buf[..19].copy_from_slice(b"GET / HTTP/1.1\r\nX: ");
        buf[19 + VALUE..].copy_from_slice(b"\r\n\r\n");
        assert_eq!(req(&buf[..19 + VALUE], 2), Ok(Status::Partial(4)));
        let mut storage = [EMPTY_HEADER; 2];
        let Ok(Status::Complete((head, len))) = parse_request(&buf, &mut storage) else {
            panic!()
        };
        assert_eq!((head.headers[0].value.len(), len), (VALUE, buf.len()));
    }

    #[test]
    fn every_byte_in_every_part() {
        // One byte in the middle of each part of a request and a response:
        // what is accepted is exactly what the grammar allows.
        for b in 0..=255u8 {
            let method = req(&[b'G', b, b'T', b' ', b'/', b' '], 4);
            assert_eq!(method.is_ok(), is_tchar(b), "method {b:#04x}");
            let target = req(&[b'G', b' ', b'/', b, b'/', b' '], 4);
            assert_eq!(target.is_ok(), is_target_byte(b), "target {b:#04x}");
            let name = req(
                &[
                    b'G', b' ', b'/', b' ', b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'1', b'\r',
                    b'\n', b'A', b, b'A', b':',
                ],
                4,
            );
            // `A:A:` is the field `A` with the value `A:`.
            assert_eq!(name.is_ok(), is_tchar(b) || b == b':', "name {b:#04x}");
            let value = req(
                &[
                    b'G', b' ', b'/', b' ', b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'1', b'\r',
                    b'\n', b'A', b':', b'x', b, b'x',
                ],
                4,
            );
            let text = b == b'\t' || b == b' ' || b.is_ascii_graphic() || b >= 0x80;
            match value {
                Err(HttpError::NewLine) => assert!(b == b'\r' || b == b'\n', "value {b:#04x}"),
                _ => assert_eq!(value.is_ok(), text, "value {b:#04x}"),
            }
            let reason = res(
                &[
                    b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'1', b' ', b'2', b'0', b'0', b' ',
                    b'x', b, b'x',
                ],
                4,
            );
            match reason {
                Err(HttpError::NewLine) => assert!(b == b'\r' || b == b'\n', "reason {b:#04x}"),
                _ => assert_eq!(reason.is_ok(), text, "reason {b:#04x}"),
            }
        }
    }
}
