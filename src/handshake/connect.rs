//! The extended CONNECT handshake, both roles: a WebSocket over one stream
//! of an HTTP/2 connection (RFC 8441) or of an HTTP/3 connection (RFC 9220,
//! which reuses RFC 8441's fields and rules).
//!
//! HTTP/2 and HTTP/3 have no upgrade: the client sends a request whose
//! pseudo-header fields say `:method = CONNECT` and `:protocol =
//! websocket`, with `:scheme`, `:path` and `:authority`, after the server's
//! `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`; the server answers `:status =
//! 200`; then RFC 6455 frames flow in the stream's DATA frames, masked by
//! the client as always, with the close handshake as over TCP. There is no
//! `Sec-WebSocket-Key` and no `Sec-WebSocket-Accept` (RFC 8441 section 5:
//! implementations "do not do the processing" of them): a server ignores a
//! key it is sent, and a client an accept value.
//!
//! Field lists come in and go out as [`Header`] (name, value) pairs, the
//! pseudo-header fields among them, as an HTTP/2 or HTTP/3 library hands
//! them over after HPACK or QPACK. Nothing is copied, nothing allocates.
//!
//! - Server: [`parse`] sorts a request's fields into a WebSocket request
//!   ([`Incoming::WebSocket`], a [`Request`] that exposes the path,
//!   authority, `origin`, offered subprotocols and extensions as the
//!   HTTP/1.1 [`server::Request`] does) or a plain HTTP request
//!   ([`Incoming::Http`]), or an [`Error`] whose [`Error::answer`] is the
//!   response to send (and [`Error::resets_stream`] says whether the stream
//!   is reset after it). The application answers a valid request with the
//!   same [`Response`] as over HTTP/1.1, which [`Request::answer`] checks and
//!   turns into the response fields ([`Answer`]): `:status 200`, the chosen
//!   subprotocol and extensions, or a refusal.
//! - Client: [`request_fields`] writes the request's fields for a
//!   [`client::Request`], and [`check_response`] validates the server's
//!   answer (status 200, a subprotocol and extensions that were offered,
//!   and with feature `deflate` the permessage-deflate answer).
//!
//! ```
//! use hybi::handshake::connect::{self, Incoming};
//! use hybi::handshake::server::Response;
//! use hybi::http::Header;
//!
//! // RFC 8441 section 5.1, as an HTTP/2 library hands it over.
//! let fields = [
//!     Header { name: ":method", value: b"CONNECT" },
//!     Header { name: ":protocol", value: b"websocket" },
//!     Header { name: ":scheme", value: b"https" },
//!     Header { name: ":path", value: b"/chat" },
//!     Header { name: ":authority", value: b"server.example.com" },
//!     Header { name: "sec-websocket-protocol", value: b"chat, superchat" },
//!     Header { name: "sec-websocket-extensions", value: b"permessage-deflate" },
//!     Header { name: "sec-websocket-version", value: b"13" },
//!     Header { name: "origin", value: b"http://www.example.com" },
//! ];
//! let Incoming::WebSocket(request) = connect::parse(&fields)? else {
//!     unreachable!()
//! };
//! assert_eq!((request.path(), request.authority()), ("/chat", "server.example.com"));
//! let response = Response::accept().protocol(request.protocols().find(|p| *p == "chat"));
//! let answer = request.answer(&response, None)?;
//! assert!(answer.fields().eq([(":status", "200"), ("sec-websocket-protocol", "chat")]));
//! # Ok::<(), connect::Error>(())
//! ```
//!
//! [`server::Request`]: super::server::Request
//! [`client::Request`]: super::client::Request

use core::fmt;

use super::client;
use super::fields::Scan;
use super::server::Response;
use super::writer::{HeadWriter, is_value_byte};
use super::{Extension, Extensions, Field, HandshakeError};
use crate::http::{self, Header, StatusCode};

/// The value of `:protocol` that asks for a WebSocket (RFC 8441 section 5).
pub const PROTOCOL: &str = "websocket";

/// A pseudo-header field (RFC 9113 section 8.3, RFC 9114 section 4.3, and
/// `:protocol` from RFC 8441 section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Pseudo {
    /// `:method`.
    Method,
    /// `:scheme`.
    Scheme,
    /// `:authority`.
    Authority,
    /// `:path`.
    Path,
    /// `:protocol` (RFC 8441 section 4).
    Protocol,
    /// `:status`, the only pseudo-header field of a response.
    Status,
}

impl Pseudo {
    const ALL: [Pseudo; 6] = [
        Pseudo::Method,
        Pseudo::Scheme,
        Pseudo::Authority,
        Pseudo::Path,
        Pseudo::Protocol,
        Pseudo::Status,
    ];

    /// The field's name, colon included.
    pub const fn name(self) -> &'static str {
        match self {
            Pseudo::Method => ":method",
            Pseudo::Scheme => ":scheme",
            Pseudo::Authority => ":authority",
            Pseudo::Path => ":path",
            Pseudo::Protocol => ":protocol",
            Pseudo::Status => ":status",
        }
    }

    fn of(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// How a field list breaks the rules of HTTP/2 (RFC 9113 sections 8.1.1,
/// 8.2 and 8.3) or HTTP/3 (RFC 9114 sections 4.1.2, 4.2 and 4.3), which
/// say the same: the message is *malformed*. A server answers a malformed
/// request with 400 (RFC 9113 section 8.2.1 says it SHOULD) and resets the
/// stream (a stream error of type `PROTOCOL_ERROR` in HTTP/2,
/// `H3_MESSAGE_ERROR` in HTTP/3); a client treats a malformed response as a
/// failed handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Malformed {
    /// A field name that is empty, holds an upper-case letter, a byte that
    /// is not visible ASCII, or a colon after the first byte (RFC 9113
    /// section 8.2.1, RFC 9114 section 4.2): names are lower case on the
    /// wire.
    FieldName,
    /// A field value with NUL, CR or LF, or that starts or ends with a
    /// space or a tab (RFC 9113 section 8.2.1, RFC 9114 section 4.2).
    FieldValue,
    /// A pseudo-header field after a regular field (RFC 9113 section 8.3,
    /// RFC 9114 section 4.3).
    PseudoAfterField,
    /// A pseudo-header field that is not defined, or not for this kind of
    /// message (`:status` in a request, `:path` in a response, `:protocol`
    /// on a method other than CONNECT: RFC 9113 section 8.3, RFC 9114
    /// section 4.3, RFC 8441 section 4).
    UnknownPseudo,
    /// A pseudo-header field given twice (RFC 9113 section 8.3).
    DuplicatePseudo(Pseudo),
    /// A pseudo-header field the message must carry is missing: `:method`,
    /// and for an extended CONNECT `:scheme`, `:path` (RFC 8441 section 4)
    /// and `:authority` (RFC 8441 section 5, RFC 9113 section 8.3.1); for
    /// other requests `:scheme` and `:path` (RFC 9113 section 8.3.1);
    /// `:status` in a response.
    MissingPseudo(Pseudo),
    /// A pseudo-header field with a value it may not have: a `:scheme`
    /// other than `http` or `https` on a WebSocket (RFC 8441 section 5), a
    /// `:path` that does not start with `/` or holds bytes a target may not,
    /// an `:authority` that is empty or has user information (RFC 9113
    /// section 8.3.1), `:scheme` or `:path` on a CONNECT without
    /// `:protocol` (RFC 9113 section 8.5), a `:status` that is not three
    /// digits.
    InvalidPseudo(Pseudo),
    /// A connection-specific field: `connection`, `upgrade`, `keep-alive`,
    /// `proxy-connection` or `transfer-encoding` (RFC 9113 section 8.2.2,
    /// RFC 9114 section 4.2), or a `te` other than `trailers`.
    ConnectionSpecific,
    /// A `host` field that names another authority than `:authority` (RFC
    /// 9113 section 8.3.1: a server SHOULD treat it as malformed).
    HostMismatch,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Malformed::FieldName => f.write_str("invalid field name (upper case?)"),
            Malformed::FieldValue => f.write_str("invalid field value"),
            Malformed::PseudoAfterField => f.write_str("pseudo-header field after a regular field"),
            Malformed::UnknownPseudo => f.write_str("unknown or misplaced pseudo-header field"),
            Malformed::DuplicatePseudo(p) => write!(f, "duplicate {}", p.name()),
            Malformed::MissingPseudo(p) => write!(f, "missing {}", p.name()),
            Malformed::InvalidPseudo(p) => write!(f, "invalid {}", p.name()),
            Malformed::ConnectionSpecific => {
                f.write_str("connection-specific field (connection, upgrade, keep-alive...)")
            }
            Malformed::HostMismatch => f.write_str("host differs from :authority"),
        }
    }
}

/// A failed extended CONNECT handshake.
///
/// For a request, [`Error::status_code`] is the status a server answers
/// with, [`Error::answer`] the response's fields, and
/// [`Error::resets_stream`] whether the stream is reset after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The field list is malformed HTTP/2 or HTTP/3 ([`Malformed`]
    /// says how). Status 400, and the stream is reset after it (RFC 9113
    /// section 8.1.1, RFC 9114 section 4.1.2).
    Malformed(Malformed),
    /// A WebSocket request without `:protocol`: a CONNECT without it asks
    /// for a TCP tunnel to `:authority` (RFC 9113 section 8.5), and one that
    /// carries `sec-websocket-version` or is a CONNECT is a WebSocket
    /// request only with `:protocol = websocket` (RFC 8441 sections 4 and
    /// 5). Status 400: a WebSocket server is no tunnel.
    MissingProtocol,
    /// An extended CONNECT for another protocol than `websocket`. Status
    /// 501: RFC 9220 section 3 says a server SHOULD answer a `:protocol` it
    /// does not support with 501 (Not Implemented).
    UnsupportedProtocol,
    /// A rule the extended CONNECT shares with the HTTP/1.1 handshake (RFC
    /// 6455 section 4), with that handshake's status: a missing
    /// `sec-websocket-version` or one other than 13 is 426, answered with
    /// `sec-websocket-version: 13` (RFC 6455 section 4.4); a repeated
    /// `origin`, an invalid subprotocol or extension list, a method other
    /// than CONNECT on a WebSocket request, 400; an application's refusal,
    /// its status ([`HandshakeError::Refused`]). In a response: a status
    /// other than 200 ([`HandshakeError::Status`]), a subprotocol or
    /// extension that was not offered, a permessage-deflate answer that
    /// breaks RFC 7692. The caller's own mistakes
    /// ([`HandshakeError::InvalidArgument`],
    /// [`HandshakeError::ProtocolNotOffered`] from a server application)
    /// are a 500.
    Handshake(HandshakeError),
}

impl Error {
    /// The HTTP status a server answers a request with this error, as
    /// [`HandshakeError::status_code`]: `None` for errors that only a
    /// response or the caller's own arguments cause (a server answers
    /// those 500; [`Error::answer`] does).
    pub const fn status_code(self) -> Option<u16> {
        match self {
            Error::Malformed(_) | Error::MissingProtocol => Some(400),
            Error::UnsupportedProtocol => Some(501),
            Error::Handshake(e) => e.status_code(),
        }
    }

    /// Whether the stream is reset after the answer: a malformed request
    /// is a stream error of type `PROTOCOL_ERROR` (RFC 9113 section
    /// 8.1.1; `H3_MESSAGE_ERROR` in HTTP/3, RFC 9114 section 4.1.2). Other
    /// errors end the stream with the answer.
    pub const fn resets_stream(self) -> bool {
        matches!(self, Error::Malformed(_))
    }

    /// The response that rejects a request with this error: its status
    /// (500 when [`Error::status_code`] has none or is not a rejection) and
    /// for a 426, `sec-websocket-version: 13` (RFC 6455 section 4.4; no
    /// `upgrade`, which HTTP/2 and HTTP/3 forbid).
    pub fn answer(self) -> Answer<'static> {
        let status = match self.status_code() {
            Some(status) if (300..=599).contains(&status) => status,
            _ => 500,
        };
        Answer::new(status, false)
    }
}

impl From<HandshakeError> for Error {
    fn from(e: HandshakeError) -> Self {
        Error::Handshake(e)
    }
}

impl From<Malformed> for Error {
    fn from(e: Malformed) -> Self {
        Error::Malformed(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(m) => write!(f, "malformed extended CONNECT: {m}"),
            Error::MissingProtocol => f.write_str("CONNECT without :protocol websocket"),
            Error::UnsupportedProtocol => f.write_str(":protocol is not websocket"),
            Error::Handshake(HandshakeError::Status(code)) => {
                write!(f, "server answered {code}, not 200")
            }
            Error::Handshake(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for Error {}

/// The pseudo-header fields of a request, and its regular fields: what
/// [`parse`] found in a field list.
#[derive(Debug, Clone, Copy)]
pub struct Head<'h, 'b> {
    /// `:method`.
    pub method: &'b str,
    /// `:scheme`, if any (a CONNECT without `:protocol` has none).
    pub scheme: Option<&'b str>,
    /// `:authority`, if any.
    pub authority: Option<&'b str>,
    /// `:path`, if any.
    pub path: Option<&'b str>,
    /// `:protocol`, if any.
    pub protocol: Option<&'b str>,
    /// The regular fields, after the pseudo-header fields.
    pub fields: &'h [Header<'b>],
}

/// What a request's field list turned out to be.
#[derive(Debug, Clone, Copy)]
pub enum Incoming<'h, 'b> {
    /// A valid WebSocket request: an extended CONNECT with `:protocol =
    /// websocket`.
    WebSocket(Request<'h, 'b>),
    /// A well-formed request that asks for no WebSocket: not a CONNECT, no
    /// `:protocol`, no `sec-websocket-version`. The server answers it as it
    /// likes (a page, a 404).
    Http(Head<'h, 'b>),
}

/// Validates and sorts a request's field list (pseudo-header fields first,
/// as on the wire).
///
/// Checks, in order: every name lower case and valid, every value valid,
/// pseudo-header fields known, once each and before the regular fields;
/// no connection-specific field; `:method` present. Then a request that is
/// a CONNECT, or carries `:protocol` or `sec-websocket-version`, must be an
/// extended CONNECT for `websocket` with `:scheme` `http` or `https`, a
/// `:path`, an `:authority` (and any `host` the same), and
/// `sec-websocket-version: 13`, at most one `origin`, and subprotocol and
/// extension lists of tokens; `sec-websocket-key` is ignored (RFC 8441
/// section 5). Other requests must have `:scheme` and `:path`.
pub fn parse<'h, 'b>(fields: &'h [Header<'b>]) -> Result<Incoming<'h, 'b>, Error> {
    let pseudo = Pseudos::read(fields, false)?;
    let regular = fields.get(pseudo.count..).unwrap_or_default();
    let method = pseudo
        .value(Pseudo::Method)
        .ok_or(Malformed::MissingPseudo(Pseudo::Method))?;
    if !http::is_token(method) {
        return Err(Malformed::InvalidPseudo(Pseudo::Method).into());
    }
    let head = Head {
        method,
        scheme: pseudo.value(Pseudo::Scheme),
        authority: pseudo.value(Pseudo::Authority),
        path: pseudo.value(Pseudo::Path),
        protocol: pseudo.value(Pseudo::Protocol),
        fields: regular,
    };
    let scan = Scan::of(regular);
    let connect = method == "CONNECT";
    if head.protocol.is_some() && !connect {
        return Err(Malformed::UnknownPseudo.into());
    }
    if !connect && !scan.has(Field::Version) {
        // A plain request: RFC 9113 section 8.3.1 wants both.
        check_path(head.path)?;
        if head.scheme.is_none_or(str::is_empty) {
            return Err(Malformed::MissingPseudo(Pseudo::Scheme).into());
        }
        return Ok(Incoming::Http(head));
    }
    Request::validate(head, &scan).map(Incoming::WebSocket)
}

/// A validated WebSocket request over an extended CONNECT (RFC 8441
/// section 5), borrowing the field list.
#[derive(Debug, Clone, Copy)]
pub struct Request<'h, 'b> {
    head: Head<'h, 'b>,
    scheme: &'b str,
    path: &'b str,
    authority: &'b str,
    origin: Option<&'b str>,
}

impl<'h, 'b> Request<'h, 'b> {
    fn validate(head: Head<'h, 'b>, scan: &Scan<'b>) -> Result<Self, Error> {
        let Some(protocol) = head.protocol else {
            if head.method != "CONNECT" {
                // `sec-websocket-version` on another method: the HTTP/1.1
                // handshake's GET, sent where there is no upgrade.
                return Err(HandshakeError::Method.into());
            }
            if head.scheme.is_some() || head.path.is_some() {
                // RFC 9113 section 8.5: omitted on a plain CONNECT.
                let which = if head.scheme.is_some() {
                    Pseudo::Scheme
                } else {
                    Pseudo::Path
                };
                return Err(Malformed::InvalidPseudo(which).into());
            }
            return Err(Error::MissingProtocol);
        };
        // RFC 8441 section 4: an extended CONNECT carries :scheme and :path
        // (and section 5 the target's authority); these make it
        // well-formed, whatever its protocol.
        let scheme = head
            .scheme
            .ok_or(Malformed::MissingPseudo(Pseudo::Scheme))?;
        let path = check_path(head.path)?;
        let authority = head
            .authority
            .ok_or(Malformed::MissingPseudo(Pseudo::Authority))?;
        if authority.is_empty() || !authority.bytes().all(is_authority_byte) {
            return Err(Malformed::InvalidPseudo(Pseudo::Authority).into());
        }
        if let Some(host) = scan
            .single(Field::Host)
            .map_err(|_| Malformed::HostMismatch)?
        {
            if !host.eq_ignore_ascii_case(authority.as_bytes()) {
                return Err(Malformed::HostMismatch.into());
            }
        }
        // Protocol names are case-sensitive (the Upgrade token registry);
        // RFC 8441 section 5 names `websocket`.
        if protocol != PROTOCOL {
            return Err(Error::UnsupportedProtocol);
        }
        // RFC 8441 section 5: http for ws://, https for wss://.
        if scheme != "http" && scheme != "https" {
            return Err(Malformed::InvalidPseudo(Pseudo::Scheme).into());
        }
        match scan.single(Field::Version)? {
            None => return Err(HandshakeError::MissingHeader(Field::Version).into()),
            Some(b"13") => {}
            Some(_) => return Err(HandshakeError::UnsupportedVersion.into()),
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
            scheme,
            path,
            authority,
            origin,
        })
    }

    /// `:path`: the path and query, e.g. `/chat?room=1`.
    pub fn path(&self) -> &'b str {
        self.path
    }

    /// `:authority`: the host and port of the WebSocket URI.
    pub fn authority(&self) -> &'b str {
        self.authority
    }

    /// `:authority`, under the name the HTTP/1.1 request gives it.
    pub fn host(&self) -> &'b str {
        self.authority
    }

    /// `:scheme`: `https` for a `wss://` URI, `http` for `ws://`.
    pub fn scheme(&self) -> &'b str {
        self.scheme
    }

    /// Whether the WebSocket URI is `wss://` (`:scheme = https`).
    pub fn is_secure(&self) -> bool {
        self.scheme == "https"
    }

    /// The `origin` field, sent by browsers (RFC 6455 section 10.2).
    pub fn origin(&self) -> Option<&'b str> {
        self.origin
    }

    /// The subprotocols offered, in the client's order of preference.
    pub fn protocols(&self) -> http::List<'h, 'b> {
        http::list(self.head.fields, Field::Protocol.name())
    }

    /// The extensions offered.
    pub fn extensions(&self) -> Extensions<'h, 'b> {
        Extensions::new(self.head.fields)
    }

    /// The pseudo-header fields and the regular fields, for any other
    /// field.
    pub fn head(&self) -> &Head<'h, 'b> {
        &self.head
    }

    /// The permessage-deflate offer this end accepts with `config`
    /// ([`DeflateConfig::accept`](crate::deflate::DeflateConfig::accept)
    /// over [`Request::extensions`]): pass its
    /// [`response`](crate::deflate::Negotiated::response) to
    /// [`Request::answer`], and the agreement to
    /// [`Connection::start_deflate`](crate::Connection::start_deflate).
    #[cfg(feature = "deflate")]
    pub fn deflate(
        &self,
        config: &crate::deflate::DeflateConfig,
    ) -> Option<crate::deflate::Negotiated> {
        if !config.enabled() {
            return None;
        }
        // An iterator of its own type: the HTTP/1.1 handshake's call of
        // `accept` stays its only one, which the compiler inlines (a
        // server's firmware would grow by a hundred bytes otherwise).
        config.accept(self.extensions().fuse())
    }

    /// Checks a server application's [`Response`] to this request and
    /// turns it into the response's fields: `:status 200` with the chosen
    /// subprotocol, `extensions` (the `sec-websocket-extensions` value of
    /// what this end accepted, e.g. from `Request::deflate` with feature
    /// `deflate`) and the
    /// extra fields; or a refusal's status, fields and body.
    ///
    /// Errors, all the caller's (a 500): a subprotocol that was not
    /// offered ([`HandshakeError::ProtocolNotOffered`]); a refusal whose
    /// status is not 300 to 599, a subprotocol on a refusal, a body on an
    /// acceptance, an extra field that is not a token or whose value holds
    /// a control byte, or one the handshake writes itself or HTTP/2
    /// forbids (`connection`, `keep-alive`, `sec-websocket-*`...):
    /// [`HandshakeError::InvalidArgument`].
    pub fn answer<'a>(
        &self,
        response: &Response<'a, 'a>,
        extensions: Option<&'a str>,
    ) -> Result<Answer<'a>, Error> {
        let headers = response.headers;
        if !headers.iter().all(|&(n, v)| is_extra_field(n, v)) {
            return Err(HandshakeError::InvalidArgument.into());
        }
        if !response.is_accept() {
            if response.chosen_protocol().is_some() || !matches!(response.status(), 300..=599) {
                return Err(HandshakeError::InvalidArgument.into());
            }
            let mut answer = Answer::new(response.status(), false);
            answer.headers = headers;
            answer.body = response.body;
            return Ok(answer);
        }
        if !response.body.is_empty() || extensions.is_some_and(|e| !e.bytes().all(is_value_byte)) {
            return Err(HandshakeError::InvalidArgument.into());
        }
        let protocol = response.chosen_protocol();
        if let Some(p) = protocol {
            if !self.protocols().any(|offered| offered == p) {
                return Err(HandshakeError::ProtocolNotOffered.into());
            }
        }
        let mut answer = Answer::new(200, true);
        answer.protocol = protocol;
        answer.extensions = extensions;
        answer.headers = headers;
        Ok(answer)
    }
}

/// A response's fields, as a server sends them: [`Answer::fields`] gives
/// `:status` first, then the handshake's own fields (lower case), then the
/// application's extra fields, whose names are as the application gave
/// them (`Set-Cookie`): an HTTP/2 or HTTP/3 encoder lower-cases them (the
/// `http` crate's `HeaderName` does). A refusal's body goes in the stream's
/// DATA after them, and ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Answer<'a> {
    status: u16,
    digits: [u8; 3],
    accept: bool,
    protocol: Option<&'a str>,
    extensions: Option<&'a str>,
    headers: &'a [(&'a str, &'a str)],
    body: &'a [u8],
}

impl<'a> Answer<'a> {
    fn new(status: u16, accept: bool) -> Self {
        let status = if (100..1000).contains(&status) {
            status
        } else {
            500
        };
        // Three digits: 100 to 999.
        let digits = [
            b'0' + (status / 100 % 10) as u8,
            b'0' + (status / 10 % 10) as u8,
            b'0' + (status % 10) as u8,
        ];
        Answer {
            status,
            digits,
            accept,
            protocol: None,
            extensions: None,
            headers: &[],
            body: &[],
        }
    }

    /// The status: 200 when the WebSocket is accepted.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// Whether the WebSocket is accepted: frames follow in the stream.
    pub const fn is_accept(&self) -> bool {
        self.accept
    }

    /// The subprotocol chosen, if any.
    pub const fn protocol(&self) -> Option<&'a str> {
        self.protocol
    }

    /// The body of a refusal (empty otherwise).
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The fields, `:status` first: see [`Answer`].
    pub fn fields(&self) -> AnswerFields<'_, 'a> {
        AnswerFields {
            answer: self,
            next: 0,
        }
    }

    fn status_str(&self) -> &str {
        core::str::from_utf8(&self.digits).unwrap_or("500")
    }
}

/// The fields of an [`Answer`], as (name, value) pairs.
#[derive(Debug, Clone)]
pub struct AnswerFields<'r, 'a> {
    answer: &'r Answer<'a>,
    next: usize,
}

impl<'r> Iterator for AnswerFields<'r, '_> {
    type Item = (&'r str, &'r str);

    fn next(&mut self) -> Option<Self::Item> {
        let a = self.answer;
        loop {
            let at = self.next;
            self.next += 1;
            let field = match at {
                0 => Some((Pseudo::Status.name(), a.status_str())),
                1 => a.protocol.map(|p| ("sec-websocket-protocol", p)),
                2 => a.extensions.map(|e| ("sec-websocket-extensions", e)),
                3 => (a.status == 426).then_some(("sec-websocket-version", super::VERSION)),
                _ => return a.headers.get(at - 4).copied(),
            };
            if field.is_some() {
                return field;
            }
        }
    }
}

/// What a server's answer to an extended CONNECT agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Accepted<'b> {
    protocol: Option<&'b str>,
    #[cfg(feature = "deflate")]
    deflate: Option<crate::deflate::Negotiated>,
}

impl<'b> Accepted<'b> {
    /// The subprotocol the server chose, one the client offered.
    pub fn protocol(&self) -> Option<&'b str> {
        self.protocol
    }

    /// What was agreed for permessage-deflate, if the client offered it
    /// (`client::Request::deflate` (feature `deflate`)) and the server accepted: pass it to
    /// [`Connection::start_deflate`](crate::Connection::start_deflate).
    #[cfg(feature = "deflate")]
    pub fn deflate(&self) -> Option<crate::deflate::Negotiated> {
        self.deflate
    }
}

/// Writes the fields of the extended CONNECT for `request` into `fields`
/// and returns how many: `:method`, `:protocol`, `:scheme` (`https` for a
/// [`secure`](client::Request::secure) request), `:path`, `:authority`
/// (the host, and the port unless it is the scheme's default), then
/// `sec-websocket-version: 13`, `origin`, `sec-websocket-protocol`,
/// `sec-websocket-extensions` (with the permessage-deflate offer of
/// `client::Request::deflate` (feature `deflate`)) and the extra fields, their names lower
/// case. The values composed here (the authority, the lists, the lower-case
/// names) are written into `buf`: about the host's length plus the lists'
/// and the extra names' is enough. There is no `sec-websocket-key`.
///
/// Errors: [`HandshakeError::InvalidArgument`] for what
/// [`client::Request::write`] refuses, and extra fields HTTP/2 forbids
/// (`keep-alive`, `te`...); [`HandshakeError::BufferTooSmall`] when `buf`
/// or `fields` is too small.
pub fn request_fields<'o>(
    request: &client::Request<'o>,
    buf: &'o mut [u8],
    fields: &mut [Header<'o>],
) -> Result<usize, HandshakeError> {
    let r = request;
    if !r.is_valid() || !r.headers.iter().all(|&(n, v)| is_extra_field(n, v)) {
        return Err(HandshakeError::InvalidArgument);
    }
    let mut out = Fields { fields, len: 0 };
    let mut buf = Bump { rest: buf };
    out.push(":method", b"CONNECT")?;
    out.push(":protocol", PROTOCOL.as_bytes())?;
    out.push(":scheme", if r.secure { b"https" } else { b"http" })?;
    out.push(":path", r.path.as_bytes())?;
    let authority = buf.compose(|w| r.write_authority(w))?;
    out.push(":authority", authority)?;
    out.push("sec-websocket-version", super::VERSION.as_bytes())?;
    if let Some(origin) = r.origin {
        out.push("origin", origin.as_bytes())?;
    }
    if !r.protocols.is_empty() {
        let list = buf.compose(|w| join(w, r.protocols.iter().copied()))?;
        out.push("sec-websocket-protocol", list)?;
    }
    #[cfg(feature = "deflate")]
    let offer = r.deflate.map(|d| d.offer());
    #[cfg(feature = "deflate")]
    let deflate = offer.as_deref();
    #[cfg(not(feature = "deflate"))]
    let deflate: Option<&str> = None;
    if !r.extensions.is_empty() || deflate.is_some() {
        let list = buf.compose(|w| join(w, r.extensions.iter().copied().chain(deflate)))?;
        out.push("sec-websocket-extensions", list)?;
    }
    for &(name, value) in r.headers {
        let lower = buf.compose(|w| {
            for b in name.bytes() {
                w.put(&[b.to_ascii_lowercase()])?;
            }
            Ok(())
        })?;
        // Lower-cased ASCII: still UTF-8.
        let lower = core::str::from_utf8(lower).map_err(|_| HandshakeError::InvalidArgument)?;
        out.push(lower, value.as_bytes())?;
    }
    Ok(out.len)
}

/// Validates a server's answer to the extended CONNECT of `request` (RFC
/// 8441 section 5): a well-formed field list with exactly one `:status`,
/// which is 200 ([`HandshakeError::Status`] otherwise); at most one
/// subprotocol, one that was offered; only extensions that were offered,
/// and a permessage-deflate answer that fits the offer (RFC 7692 section
/// 7.1). A `sec-websocket-accept` is ignored (RFC 8441 section 5).
pub fn check_response<'b>(
    request: &client::Request<'_>,
    fields: &[Header<'b>],
) -> Result<Accepted<'b>, Error> {
    let pseudo = Pseudos::read(fields, true)?;
    let status = pseudo
        .value(Pseudo::Status)
        .ok_or(Malformed::MissingPseudo(Pseudo::Status))?;
    let status = match status.as_bytes() {
        &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_digit) && a != b'0' => {
            u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
        }
        _ => return Err(Malformed::InvalidPseudo(Pseudo::Status).into()),
    };
    if status != 200 {
        return Err(HandshakeError::Status(StatusCode::new(status)).into());
    }
    let regular = fields.get(pseudo.count..).unwrap_or_default();
    let scan = Scan::of(regular);
    let protocol = match scan.single(Field::Protocol)? {
        None => None,
        Some(value) => {
            let chosen = core::str::from_utf8(value)
                .ok()
                .filter(|p| http::is_token(p));
            match chosen {
                Some(p) if request.protocols.contains(&p) => Some(p),
                Some(_) => return Err(HandshakeError::ProtocolNotOffered.into()),
                None => return Err(HandshakeError::InvalidHeader(Field::Protocol).into()),
            }
        }
    };
    scan.check_list(Field::Extensions)?;
    let offered = |name: &str| {
        request
            .extensions
            .iter()
            .any(|e| Extension::parse(e).name.eq_ignore_ascii_case(name))
    };
    #[cfg(feature = "deflate")]
    let offered = |name: &str| {
        offered(name)
            || (request.deflate.is_some() && name.eq_ignore_ascii_case(crate::deflate::NAME))
    };
    if !Extensions::new(regular).all(|e| offered(e.name)) {
        return Err(HandshakeError::ExtensionNotOffered.into());
    }
    Ok(Accepted {
        protocol,
        #[cfg(feature = "deflate")]
        deflate: request.check_deflate(regular)?,
    })
}

/// The pseudo-header fields at the front of a field list, after checking
/// every field's name and value.
struct Pseudos<'b> {
    values: [Option<&'b str>; Pseudo::ALL.len()],
    /// How many fields they are: the regular ones follow.
    count: usize,
}

impl<'b> Pseudos<'b> {
    fn read(fields: &[Header<'b>], response: bool) -> Result<Self, Malformed> {
        let mut pseudos = Pseudos {
            values: [None; Pseudo::ALL.len()],
            count: 0,
        };
        let mut regular = false;
        for field in fields {
            check_field(field)?;
            if !field.name.starts_with(':') {
                regular = true;
                if is_connection_specific(field) {
                    return Err(Malformed::ConnectionSpecific);
                }
                continue;
            }
            if regular {
                return Err(Malformed::PseudoAfterField);
            }
            let pseudo = Pseudo::of(field.name).ok_or(Malformed::UnknownPseudo)?;
            if response != (pseudo == Pseudo::Status) {
                return Err(Malformed::UnknownPseudo);
            }
            let value =
                core::str::from_utf8(field.value).map_err(|_| Malformed::InvalidPseudo(pseudo))?;
            let slot = pseudos
                .values
                .get_mut(pseudo as usize)
                .ok_or(Malformed::UnknownPseudo)?;
            if slot.replace(value).is_some() {
                return Err(Malformed::DuplicatePseudo(pseudo));
            }
            pseudos.count += 1;
        }
        Ok(pseudos)
    }

    fn value(&self, pseudo: Pseudo) -> Option<&'b str> {
        self.values.get(pseudo as usize).copied().flatten()
    }
}

/// RFC 9113 section 8.2.1 (RFC 9114 section 4.2): a name of visible ASCII
/// other than upper case, a colon only first; a value without NUL, CR or LF
/// and without whitespace at either end. What a pseudo-header's value may
/// be is checked where it is read.
fn check_field(field: &Header<'_>) -> Result<(), Malformed> {
    let name = field.name.as_bytes();
    let body = match name {
        [b':', rest @ ..] => rest,
        _ => name,
    };
    let name_ok = !body.is_empty()
        && body
            .iter()
            .all(|&b| (0x21..0x7f).contains(&b) && !b.is_ascii_uppercase() && b != b':');
    if !name_ok {
        return Err(Malformed::FieldName);
    }
    let value = field.value;
    let ends_ok =
        !matches!(value.first(), Some(b' ' | b'\t')) && !matches!(value.last(), Some(b' ' | b'\t'));
    let bytes_ok = !value.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n'));
    if !(ends_ok && bytes_ok) {
        return Err(Malformed::FieldValue);
    }
    Ok(())
}

/// RFC 9113 section 8.2.2 and RFC 9114 section 4.2: the fields of HTTP/1.1
/// that speak of one connection; `te` only as `trailers`.
fn is_connection_specific(field: &Header<'_>) -> bool {
    match field.name {
        "connection" | "upgrade" | "keep-alive" | "proxy-connection" | "transfer-encoding" => true,
        "te" => !field.value.eq_ignore_ascii_case(b"trailers"),
        _ => false,
    }
}

/// An extra field the application adds to an answer or a request: a token
/// for a name, a value of visible ASCII, spaces and tabs with no whitespace
/// at either end, and none that the handshake writes itself or that HTTP/2
/// and HTTP/3 forbid.
fn is_extra_field(name: &str, value: &str) -> bool {
    const OWNED: [&str; 8] = [
        "host",
        "upgrade",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "content-length",
        "transfer-encoding",
    ];
    let owned = OWNED.iter().any(|o| o.eq_ignore_ascii_case(name))
        || name
            .get(..14)
            .is_some_and(|p| p.eq_ignore_ascii_case("sec-websocket-"))
        || name.eq_ignore_ascii_case("origin");
    let value_ok = value.bytes().all(is_value_byte)
        && !value.starts_with([' ', '\t'])
        && !value.ends_with([' ', '\t']);
    !owned && http::is_token(name) && value_ok
}

/// `:path` as RFC 8441 section 5 (and RFC 9113 section 8.3.1 for any
/// request to an `http` or `https` URI) wants it: present, starting with
/// `/`, of the bytes a request target may hold.
fn check_path(path: Option<&str>) -> Result<&str, Malformed> {
    let path = path.ok_or(Malformed::MissingPseudo(Pseudo::Path))?;
    if !path.starts_with('/') || !path.bytes().all(http::is_target_byte) {
        return Err(Malformed::InvalidPseudo(Pseudo::Path));
    }
    Ok(path)
}

/// Bytes an `:authority` may hold: a host (reg-name, IPv4, bracketed
/// IPv6) and a port; no `@`, so no user information (RFC 9113 section
/// 8.3.1).
fn is_authority_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%:[]".contains(&b)
}

fn ascii_str(value: &[u8]) -> Option<&str> {
    if value.iter().all(u8::is_ascii) {
        core::str::from_utf8(value).ok()
    } else {
        None
    }
}

/// The field list being written.
struct Fields<'f, 'o> {
    fields: &'f mut [Header<'o>],
    len: usize,
}

impl<'o> Fields<'_, 'o> {
    fn push(&mut self, name: &'o str, value: &'o [u8]) -> Result<(), HandshakeError> {
        let slot = self
            .fields
            .get_mut(self.len)
            .ok_or(HandshakeError::BufferTooSmall)?;
        *slot = Header { name, value };
        self.len += 1;
        Ok(())
    }
}

/// A buffer handed out piece by piece: each composed value keeps its bytes.
struct Bump<'o> {
    rest: &'o mut [u8],
}

impl<'o> Bump<'o> {
    fn compose(
        &mut self,
        write: impl FnOnce(&mut HeadWriter<'_>) -> Result<(), HandshakeError>,
    ) -> Result<&'o [u8], HandshakeError> {
        let mut piece = HeadWriter::new(&mut *self.rest);
        write(&mut piece)?;
        let len = piece.written();
        let rest = core::mem::take(&mut self.rest);
        let (done, rest) = rest
            .split_at_mut_checked(len)
            .ok_or(HandshakeError::BufferTooSmall)?;
        self.rest = rest;
        Ok(done)
    }
}

fn join<'i>(
    w: &mut HeadWriter<'_>,
    items: impl Iterator<Item = &'i str>,
) -> Result<(), HandshakeError> {
    for (i, item) in items.enumerate() {
        if i > 0 {
            w.put(b", ")?;
        }
        w.put_str(item)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
