extern crate std;

use std::string::String;
use std::vec::Vec;

use super::*;
use crate::handshake::server::Response;
use crate::http::EMPTY_HEADER;

/// A field list from `(name, value)` pairs, as a library hands it over.
fn fields<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<Header<'a>> {
    pairs
        .iter()
        .map(|&(name, value)| Header {
            name,
            value: value.as_bytes(),
        })
        .collect()
}

/// RFC 8441 section 5.1's request.
const RFC: &[(&str, &str)] = &[
    (":method", "CONNECT"),
    (":protocol", "websocket"),
    (":scheme", "https"),
    (":path", "/chat"),
    (":authority", "server.example.com"),
    ("sec-websocket-protocol", "chat, superchat"),
    ("sec-websocket-extensions", "permessage-deflate"),
    ("sec-websocket-version", "13"),
    ("origin", "http://www.example.com"),
];

/// Chromium 156 (headless), for `new WebSocket(url, ["chat", "superchat"])`
/// from a page it loaded over HTTP/2 from a Node `http2` server with
/// `enableConnectProtocol`, in wire order as Node's `rawHeaders` gave it
/// (`scripts/capture-h2-request.sh chromium` gives it again). No
/// `sec-websocket-key`.
const CHROMIUM: &[(&str, &str)] = &[
    (":method", "CONNECT"),
    (":authority", "127.0.0.1:36393"),
    (":scheme", "https"),
    (":path", "/chat?room=1"),
    (":protocol", "websocket"),
    ("pragma", "no-cache"),
    ("cache-control", "no-cache"),
    (
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
    ),
    ("origin", "https://127.0.0.1:36393"),
    ("sec-websocket-version", "13"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("accept-language", "en-US,en;q=0.9"),
    (
        "sec-websocket-extensions",
        "permessage-deflate; client_max_window_bits",
    ),
    ("sec-websocket-protocol", "chat, superchat"),
];

/// Firefox ESR 153.8.0 (Debian's `firefox-esr`, headless), for
/// `new WebSocket(url, ["chat", "superchat"])` from a page it loaded over
/// HTTP/2 from a Node `http2` server with `enableConnectProtocol`, in wire
/// order as Node's `rawHeaders` gave it (`scripts/capture-h2-request.sh
/// firefox`). The pseudo-headers in another order than Chromium's, an
/// `accept` and the `sec-fetch-*` fields; no `sec-websocket-key`, and the
/// deflate offer without parameters. The pref `network.http.http2.websockets`
/// is true by default; with it false, Firefox opens a second connection, over
/// HTTP/1.1, for an Upgrade.
const FIREFOX: &[(&str, &str)] = &[
    (":method", "CONNECT"),
    (":path", "/chat?room=1"),
    (":authority", "127.0.0.1:37055"),
    (":scheme", "https"),
    (":protocol", "websocket"),
    (
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
    ),
    ("accept", "*/*"),
    ("accept-language", "en-US,en;q=0.9"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("sec-websocket-version", "13"),
    ("origin", "https://127.0.0.1:37055"),
    ("sec-websocket-protocol", "chat, superchat"),
    ("sec-websocket-extensions", "permessage-deflate"),
    ("sec-fetch-dest", "empty"),
    ("sec-fetch-mode", "websocket"),
    ("sec-fetch-site", "same-origin"),
    ("pragma", "no-cache"),
    ("cache-control", "no-cache"),
];

fn parse_ok<'h, 'b>(list: &'h [Header<'b>]) -> Request<'h, 'b> {
    match parse(list) {
        Ok(Incoming::WebSocket(request)) => request,
        other => panic!("{list:?}: {other:?}"),
    }
}

#[test]
fn real_requests() {
    struct Case {
        fields: &'static [(&'static str, &'static str)],
        path: &'static str,
        authority: &'static str,
        secure: bool,
        origin: Option<&'static str>,
        protocols: &'static [&'static str],
        extensions: &'static [&'static str],
    }
    let cases = [
        Case {
            fields: RFC,
            path: "/chat",
            authority: "server.example.com",
            secure: true,
            origin: Some("http://www.example.com"),
            protocols: &["chat", "superchat"],
            extensions: &["permessage-deflate"],
        },
        Case {
            fields: CHROMIUM,
            path: "/chat?room=1",
            authority: "127.0.0.1:36393",
            secure: true,
            origin: Some("https://127.0.0.1:36393"),
            protocols: &["chat", "superchat"],
            extensions: &["permessage-deflate"],
        },
        Case {
            fields: FIREFOX,
            path: "/chat?room=1",
            authority: "127.0.0.1:37055",
            secure: true,
            origin: Some("https://127.0.0.1:37055"),
            protocols: &["chat", "superchat"],
            extensions: &["permessage-deflate"],
        },
    ];
    for case in cases {
        let list = fields(case.fields);
        let request = parse_ok(&list);
        assert_eq!(request.path(), case.path);
        assert_eq!(request.authority(), case.authority);
        assert_eq!(request.host(), case.authority);
        assert_eq!(request.is_secure(), case.secure);
        assert_eq!(request.origin(), case.origin);
        assert!(request.protocols().eq(case.protocols.iter().copied()));
        assert!(
            request
                .extensions()
                .map(|e| e.name)
                .eq(case.extensions.iter().copied())
        );
        assert_eq!(request.head().method, "CONNECT");
    }
}

/// What a client of the HTTP/1.1 habit adds is ignored: RFC 8441 section
/// 5 says not to process the key.
#[test]
fn key_is_ignored() {
    let mut pairs = RFC.to_vec();
    pairs.push(("sec-websocket-key", "not even base64"));
    pairs.push(("sec-websocket-key", "twice"));
    let list = fields(&pairs);
    parse_ok(&list);
}

// One line per rule, with the status it earns and whether the stream is
// reset after the answer.
#[test]
fn rejections() {
    use HandshakeError as H;
    use Malformed as M;
    let without = |name: &str| -> Vec<(&'static str, &'static str)> {
        RFC.iter().copied().filter(|(n, _)| *n != name).collect()
    };
    let with = |name: &'static str, value: &'static str| {
        let mut v = RFC.to_vec();
        v.push((name, value));
        v
    };
    let replace = |name: &str, value: &'static str| -> Vec<(&'static str, &'static str)> {
        RFC.iter()
            .map(|&(n, v)| if n == name { (n, value) } else { (n, v) })
            .collect()
    };
    let mut pseudo_late = without(":path");
    pseudo_late.push((":path", "/chat"));
    let mut upper = RFC.to_vec();
    upper[7] = ("Sec-WebSocket-Version", "13");
    let mut twice = RFC.to_vec();
    twice.insert(1, (":method", "CONNECT"));
    type Case = (Vec<(&'static str, &'static str)>, Error, u16);
    #[rustfmt::skip]
    let cases: Vec<Case> = std::vec![
        // RFC 6455 section 4.4: the version, 426 with the one spoken.
        (without("sec-websocket-version"), Error::Handshake(H::MissingHeader(Field::Version)), 426),
        (replace("sec-websocket-version", "8"), Error::Handshake(H::UnsupportedVersion), 426),
        (replace("sec-websocket-version", "13, 8"), Error::Handshake(H::UnsupportedVersion), 426),
        (with("sec-websocket-version", "13"), Error::Handshake(H::DuplicateHeader(Field::Version)), 400),
        // RFC 8441 sections 4 and 5: the protocol.
        (without(":protocol").into_iter().filter(|(n, _)| *n != ":scheme" && *n != ":path").collect(), Error::MissingProtocol, 400),
        (without(":protocol"), Error::Malformed(M::InvalidPseudo(Pseudo::Scheme)), 400),
        // RFC 9220 section 3: another protocol, 501.
        (replace(":protocol", "connect-udp"), Error::UnsupportedProtocol, 501),
        (replace(":protocol", "WebSocket"), Error::UnsupportedProtocol, 501),
        // An extended CONNECT needs :scheme, :path and :authority.
        (without(":scheme"), Error::Malformed(M::MissingPseudo(Pseudo::Scheme)), 400),
        (without(":path"), Error::Malformed(M::MissingPseudo(Pseudo::Path)), 400),
        (without(":authority"), Error::Malformed(M::MissingPseudo(Pseudo::Authority)), 400),
        (without(":method"), Error::Malformed(M::MissingPseudo(Pseudo::Method)), 400),
        (replace(":scheme", "ws"), Error::Malformed(M::InvalidPseudo(Pseudo::Scheme)), 400),
        (replace(":path", "chat"), Error::Malformed(M::InvalidPseudo(Pseudo::Path)), 400),
        (replace(":path", "/a b"), Error::Malformed(M::InvalidPseudo(Pseudo::Path)), 400),
        (replace(":path", ""), Error::Malformed(M::InvalidPseudo(Pseudo::Path)), 400),
        (replace(":authority", ""), Error::Malformed(M::InvalidPseudo(Pseudo::Authority)), 400),
        (replace(":authority", "user@server.example.com"), Error::Malformed(M::InvalidPseudo(Pseudo::Authority)), 400),
        (with("host", "other.example.com"), Error::Malformed(M::HostMismatch), 400),
        // :protocol only on CONNECT; WebSocket fields on a GET.
        (replace(":method", "GET"), Error::Malformed(M::UnknownPseudo), 400),
        (without(":protocol").into_iter().map(|(n, v)| if n == ":method" { (n, "GET") } else { (n, v) }).collect(), Error::Handshake(H::Method), 400),
        (replace(":method", "CON NECT"), Error::Malformed(M::InvalidPseudo(Pseudo::Method)), 400),
        // RFC 9113 section 8.3: pseudo-header fields.
        (with(":status", "200"), Error::Malformed(M::PseudoAfterField), 400),
        (pseudo_late, Error::Malformed(M::PseudoAfterField), 400),
        (twice, Error::Malformed(M::DuplicatePseudo(Pseudo::Method)), 400),
        ([&[(":status", "200")], RFC].concat(), Error::Malformed(M::UnknownPseudo), 400),
        ([&[(":foo", "bar")], RFC].concat(), Error::Malformed(M::UnknownPseudo), 400),
        // RFC 9113 section 8.2.1: names lower case, values clean.
        (upper, Error::Malformed(M::FieldName), 400),
        (with("x-bad name", "v"), Error::Malformed(M::FieldName), 400),
        (with("x:y", "v"), Error::Malformed(M::FieldName), 400),
        (with("", "v"), Error::Malformed(M::FieldName), 400),
        (with("x-nul", "a\0b"), Error::Malformed(M::FieldValue), 400),
        (with("x-crlf", "a\r\nb: c"), Error::Malformed(M::FieldValue), 400),
        (with("x-space", " a"), Error::Malformed(M::FieldValue), 400),
        (with("x-tab", "a\t"), Error::Malformed(M::FieldValue), 400),
        (replace(":path", "/caf\u{e9}"), Error::Malformed(M::InvalidPseudo(Pseudo::Path)), 400),
        // RFC 9113 section 8.2.2, RFC 9114 section 4.2: connection-specific.
        (with("connection", "upgrade"), Error::Malformed(M::ConnectionSpecific), 400),
        (with("upgrade", "websocket"), Error::Malformed(M::ConnectionSpecific), 400),
        (with("keep-alive", "timeout=5"), Error::Malformed(M::ConnectionSpecific), 400),
        (with("proxy-connection", "keep-alive"), Error::Malformed(M::ConnectionSpecific), 400),
        (with("transfer-encoding", "chunked"), Error::Malformed(M::ConnectionSpecific), 400),
        (with("te", "gzip"), Error::Malformed(M::ConnectionSpecific), 400),
        // The HTTP/1.1 handshake's rules on the fields they share.
        (with("origin", "http://other.example"), Error::Handshake(H::DuplicateHeader(Field::Origin)), 400),
        (replace("sec-websocket-protocol", "chat, two words"), Error::Handshake(H::InvalidHeader(Field::Protocol)), 400),
        (replace("sec-websocket-extensions", "; x"), Error::Handshake(H::InvalidHeader(Field::Extensions)), 400),
    ];
    for (pairs, error, status) in cases {
        let list = fields(&pairs);
        let got = parse(&list).map(|_| ());
        assert_eq!(got, Err(error), "{pairs:?}");
        assert_eq!(error.status_code(), Some(status), "{pairs:?}");
        assert_eq!(error.answer().status(), status);
        assert_eq!(
            error.resets_stream(),
            matches!(error, Error::Malformed(_)),
            "{pairs:?}"
        );
    }
    // `te: trailers` is the one connection field HTTP/2 allows.
    let list = fields(&with("te", "trailers"));
    parse_ok(&list);
}

#[test]
fn rejection_fields() {
    let answer = Error::Handshake(HandshakeError::UnsupportedVersion).answer();
    assert!(!answer.is_accept());
    assert!(
        answer
            .fields()
            .eq([(":status", "426"), ("sec-websocket-version", "13")])
    );
    assert!(
        Error::UnsupportedProtocol
            .answer()
            .fields()
            .eq([(":status", "501")])
    );
    assert!(
        Error::Malformed(Malformed::ConnectionSpecific)
            .answer()
            .fields()
            .eq([(":status", "400")])
    );
    // The caller's own mistakes, and a refusal that is no refusal: 500.
    for error in [
        HandshakeError::InvalidArgument,
        HandshakeError::ProtocolNotOffered,
        HandshakeError::Refused(StatusCode::new(200)),
    ] {
        assert_eq!(Error::Handshake(error).answer().status(), 500);
    }
    assert_eq!(
        Error::Handshake(HandshakeError::Refused(StatusCode::new(403)))
            .answer()
            .status(),
        403
    );
}

#[test]
fn plain_requests() {
    let list = fields(&[
        (":method", "GET"),
        (":scheme", "https"),
        (":authority", "127.0.0.1:9443"),
        (":path", "/"),
        ("accept", "text/html"),
        ("sec-websocket-key", "ignored here too"),
    ]);
    let Ok(Incoming::Http(head)) = parse(&list) else {
        panic!()
    };
    assert_eq!(
        (head.method, head.path, head.authority),
        ("GET", Some("/"), Some("127.0.0.1:9443"))
    );
    assert_eq!(head.fields.len(), 2);
    // RFC 9113 section 8.3.1: :scheme and :path on any other request.
    let list = fields(&[(":method", "GET"), (":path", "/")]);
    assert_eq!(
        parse(&list).map(|_| ()),
        Err(Error::Malformed(Malformed::MissingPseudo(Pseudo::Scheme)))
    );
    let list = fields(&[(":method", "GET"), (":scheme", "https")]);
    assert_eq!(
        parse(&list).map(|_| ()),
        Err(Error::Malformed(Malformed::MissingPseudo(Pseudo::Path)))
    );
    assert_eq!(
        parse(&[]).map(|_| ()),
        Err(Error::Malformed(Malformed::MissingPseudo(Pseudo::Method)))
    );
}

#[test]
fn answers() {
    let list = fields(RFC);
    let request = parse_ok(&list);
    // Accepted, as RFC 8441 section 5.1 answers.
    let response = Response::accept().protocol(request.protocols().find(|p| *p == "chat"));
    let answer = request.answer(&response, None).unwrap();
    assert!(answer.is_accept());
    assert_eq!((answer.status(), answer.protocol()), (200, Some("chat")));
    assert!(
        answer
            .fields()
            .eq([(":status", "200"), ("sec-websocket-protocol", "chat")])
    );
    // Extensions and extra fields; names as given.
    let response = Response::accept().headers(&[("Set-Cookie", "id=1")]);
    let answer = request
        .answer(&response, Some("permessage-deflate"))
        .unwrap();
    assert_eq!(
        answer.fields().collect::<Vec<_>>(),
        [
            (":status", "200"),
            ("sec-websocket-extensions", "permessage-deflate"),
            ("Set-Cookie", "id=1")
        ]
    );
    // A refusal, with its fields and body.
    let response = Response::reject(403)
        .headers(&[("content-type", "text/plain")])
        .body(b"no\n");
    let answer = request.answer(&response, None).unwrap();
    assert!(!answer.is_accept());
    assert_eq!(answer.body(), b"no\n");
    assert!(
        answer
            .fields()
            .eq([(":status", "403"), ("content-type", "text/plain")])
    );
    // The caller's mistakes.
    let mistakes: [(Response<'_, '_>, Option<&str>, HandshakeError); 11] = [
        (
            Response::accept().protocol(Some("other")),
            None,
            HandshakeError::ProtocolNotOffered,
        ),
        (
            Response::accept().body(b"x"),
            None,
            HandshakeError::InvalidArgument,
        ),
        (Response::reject(200), None, HandshakeError::InvalidArgument),
        (Response::reject(101), None, HandshakeError::InvalidArgument),
        (
            Response::reject(403).protocol(Some("chat")),
            None,
            HandshakeError::InvalidArgument,
        ),
        (
            Response::accept().headers(&[("connection", "close")]),
            None,
            HandshakeError::InvalidArgument,
        ),
        (
            Response::accept().headers(&[("Keep-Alive", "1")]),
            None,
            HandshakeError::InvalidArgument,
        ),
        (
            Response::accept().headers(&[("sec-websocket-accept", "x")]),
            None,
            HandshakeError::InvalidArgument,
        ),
        (
            Response::accept().headers(&[("x", "a\r\nb")]),
            None,
            HandshakeError::InvalidArgument,
        ),
        (
            Response::accept().headers(&[("x", " padded")]),
            None,
            HandshakeError::InvalidArgument,
        ),
        (
            Response::accept(),
            Some("x\r\ny"),
            HandshakeError::InvalidArgument,
        ),
    ];
    for (response, extensions, error) in mistakes {
        assert_eq!(
            request.answer(&response, extensions),
            Err(Error::Handshake(error)),
            "{response:?}"
        );
        assert_eq!(Error::Handshake(error).answer().status(), 500);
    }
}

fn written<'o>(
    request: &client::Request<'o>,
    buf: &'o mut [u8],
) -> Result<Vec<(String, String)>, HandshakeError> {
    let mut out = [EMPTY_HEADER; 16];
    let n = request_fields(request, buf, &mut out)?;
    Ok(out[..n]
        .iter()
        .map(|h| {
            (
                String::from(h.name),
                String::from_utf8(h.value.to_vec()).unwrap(),
            )
        })
        .collect())
}

fn pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

#[test]
fn client_request_fields() {
    // RFC 8441 section 5.1's request, from the HTTP/1.1 request's builder.
    let request = client::Request::new("server.example.com", "/chat")
        .secure(true)
        .port(443)
        .origin("http://www.example.com")
        .protocols(&["chat", "superchat"])
        .extensions(&["permessage-deflate"]);
    let mut buf = [0u8; 128];
    let list = written(&request, &mut buf).unwrap();
    assert_eq!(
        pairs(&list),
        [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "https"),
            (":path", "/chat"),
            (":authority", "server.example.com"),
            ("sec-websocket-version", "13"),
            ("origin", "http://www.example.com"),
            ("sec-websocket-protocol", "chat, superchat"),
            ("sec-websocket-extensions", "permessage-deflate"),
        ]
    );
    // What it writes, a server takes.
    let headers: Vec<Header<'_>> = list
        .iter()
        .map(|(n, v)| Header {
            name: n,
            value: v.as_bytes(),
        })
        .collect();
    let parsed = parse_ok(&headers);
    assert!(parsed.protocols().eq(["chat", "superchat"]));

    // The port, IPv6, plain http, extra fields lower-cased.
    let request = client::Request::new("::1", "/p?q=1")
        .port(9001)
        .headers(&[("Authorization", "Bearer t")]);
    let mut buf = [0u8; 64];
    let list = written(&request, &mut buf).unwrap();
    assert_eq!(
        pairs(&list),
        [
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "http"),
            (":path", "/p?q=1"),
            (":authority", "[::1]:9001"),
            ("sec-websocket-version", "13"),
            ("authorization", "Bearer t"),
        ]
    );
    // Every buffer too small is an error, never a panic.
    for size in 0..23 {
        let mut small = [0u8; 64];
        assert_eq!(
            written(&request, &mut small[..size]),
            Err(HandshakeError::BufferTooSmall),
            "{size}"
        );
    }
    let mut few = [EMPTY_HEADER; 6];
    let mut buf = [0u8; 64];
    assert_eq!(
        request_fields(&request, &mut buf, &mut few),
        Err(HandshakeError::BufferTooSmall)
    );
    // What HTTP/2 forbids, and what HTTP/1.1 refuses already.
    for headers in [
        &[("Keep-Alive", "5")][..],
        &[("te", "trailers")],
        &[("upgrade", "websocket")],
        &[("X", "a\nb")],
    ] {
        let request = client::Request::new("h", "/").headers(headers);
        let mut buf = [0u8; 64];
        assert_eq!(
            written(&request, &mut buf),
            Err(HandshakeError::InvalidArgument)
        );
    }
    let mut buf = [0u8; 64];
    assert_eq!(
        written(&client::Request::new("h", "no-slash"), &mut buf),
        Err(HandshakeError::InvalidArgument)
    );
}

#[test]
fn client_checks_the_response() {
    let request = client::Request::new("h", "/")
        .protocols(&["chat", "superchat"])
        .extensions(&["x-ext"]);
    let check = |pairs: &[(&str, &str)]| {
        let list = fields(pairs);
        check_response(&request, &list).map(|a| a.protocol().map(String::from))
    };
    assert_eq!(check(&[(":status", "200")]), Ok(None));
    assert_eq!(
        check(&[
            (":status", "200"),
            ("sec-websocket-protocol", "superchat"),
            ("sec-websocket-extensions", "x-ext; a=1"),
            // RFC 8441 section 5: not processed.
            ("sec-websocket-accept", "anything"),
            ("server", "hypercorn-h2"),
        ]),
        Ok(Some(String::from("superchat")))
    );
    use HandshakeError as H;
    use Malformed as M;
    #[rustfmt::skip]
    let cases: &[(&[(&str, &str)], Error)] = &[
        (&[], Error::Malformed(M::MissingPseudo(Pseudo::Status))),
        (&[(":status", "404")], Error::Handshake(H::Status(StatusCode::new(404)))),
        (&[(":status", "101")], Error::Handshake(H::Status(StatusCode::new(101)))),
        (&[(":status", "204")], Error::Handshake(H::Status(StatusCode::new(204)))),
        (&[(":status", "2000")], Error::Malformed(M::InvalidPseudo(Pseudo::Status))),
        (&[(":status", "20a")], Error::Malformed(M::InvalidPseudo(Pseudo::Status))),
        (&[(":status", "200"), (":status", "200")], Error::Malformed(M::DuplicatePseudo(Pseudo::Status))),
        (&[(":status", "200"), (":path", "/")], Error::Malformed(M::UnknownPseudo)),
        (&[("server", "x"), (":status", "200")], Error::Malformed(M::PseudoAfterField)),
        (&[(":status", "200"), ("Server", "x")], Error::Malformed(M::FieldName)),
        (&[(":status", "200"), ("connection", "close")], Error::Malformed(M::ConnectionSpecific)),
        (&[(":status", "200"), ("sec-websocket-protocol", "other")], Error::Handshake(H::ProtocolNotOffered)),
        (&[(":status", "200"), ("sec-websocket-protocol", "chat, superchat")], Error::Handshake(H::InvalidHeader(Field::Protocol))),
        (&[(":status", "200"), ("sec-websocket-protocol", "chat"), ("sec-websocket-protocol", "chat")], Error::Handshake(H::DuplicateHeader(Field::Protocol))),
        (&[(":status", "200"), ("sec-websocket-extensions", "permessage-deflate")], Error::Handshake(H::ExtensionNotOffered)),
        (&[(":status", "200"), ("sec-websocket-extensions", "; bad")], Error::Handshake(H::InvalidHeader(Field::Extensions))),
    ];
    for &(pairs, error) in cases {
        assert_eq!(check(pairs), Err(error), "{pairs:?}");
    }
}

#[cfg(feature = "deflate")]
#[test]
fn deflate_both_ways() {
    use crate::deflate::DeflateConfig;
    // The client offers, the server accepts, the client checks the answer.
    let request = client::Request::new("h", "/").deflate(DeflateConfig::new());
    let mut buf = [0u8; 128];
    let list = written(&request, &mut buf).unwrap();
    let offer = list
        .iter()
        .find(|(n, _)| n == "sec-websocket-extensions")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(offer, "permessage-deflate; client_max_window_bits");
    let headers: Vec<Header<'_>> = list
        .iter()
        .map(|(n, v)| Header {
            name: n,
            value: v.as_bytes(),
        })
        .collect();
    let server = parse_ok(&headers);
    let agreed = server.deflate(&DeflateConfig::new()).unwrap();
    assert!(server.deflate(&DeflateConfig::off()).is_none());
    let value = agreed.response();
    let answer = server
        .answer(&Response::accept(), Some(value.as_str()))
        .unwrap();
    let answered: Vec<(&str, &str)> = answer.fields().collect();
    let answered: Vec<Header<'_>> = answered
        .iter()
        .map(|&(name, value)| Header {
            name,
            value: value.as_bytes(),
        })
        .collect();
    let accepted = check_response(&request, &answered).unwrap();
    assert_eq!(
        accepted.deflate().map(|d| d.receive_window_bits),
        Some(agreed.send_window_bits)
    );
    // An answer that breaks RFC 7692: a window the client did not allow.
    let bad = fields(&[
        (":status", "200"),
        (
            "sec-websocket-extensions",
            "permessage-deflate; client_max_window_bits=20",
        ),
    ]);
    assert!(matches!(
        check_response(&request, &bad),
        Err(Error::Handshake(HandshakeError::Deflate(_)))
    ));
}

/// Never a panic, whatever the fields: every name and value of a small
/// alphabet, in lists of up to three.
#[test]
fn arbitrary_fields_never_panic() {
    let names = [
        ":method",
        ":protocol",
        ":path",
        ":status",
        ":",
        "",
        "Upper",
        "sec-websocket-version",
        "host",
    ];
    let values = ["", "CONNECT", "websocket", "/", "13", " ", "\0", "\u{ff}"];
    let mut all = Vec::new();
    for n in names {
        for v in values {
            all.push(Header {
                name: n,
                value: v.as_bytes(),
            });
        }
    }
    let request = client::Request::new("h", "/");
    for a in &all {
        for b in &all {
            let list = [*a, *b];
            let _ = parse(&list);
            let _ = check_response(&request, &list);
            for c in all.iter().step_by(7) {
                let list = [*a, *b, *c];
                let _ = parse(&list);
                let _ = check_response(&request, &list);
            }
        }
    }
}
