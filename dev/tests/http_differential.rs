//! Differential test of `hybi::http` against `httparse`.
//!
//! Every case (captured heads, invalid heads, each with single bytes
//! replaced and cut at every length) goes through both parsers, as a
//! request and as a response. hybi may be stricter than httparse but never
//! more lenient:
//!
//! - httparse rejects => hybi rejects;
//! - hybi complete => httparse complete, with the same method, target,
//!   version, status, reason, fields (values compared without surrounding
//!   whitespace) and head length;
//! - hybi partial => httparse partial.

use std::collections::BTreeMap;

use hybi::Status;
use hybi::http::{self, EMPTY_HEADER, HttpError};

const SLOTS: usize = 64;

const REQUESTS: &[&[u8]] = &[
    b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nConnection: Upgrade\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\nUpgrade: websocket\r\nOrigin: http://127.0.0.1:9001\r\nSec-WebSocket-Version: 13\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n",
    b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:9001\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\nConnection: keep-alive, Upgrade\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Mode: websocket\r\nSec-Fetch-Site: same-origin\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUpgrade: websocket\r\n\r\n",
    b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: SGVsbG8sIHdvcmxkIQ==\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: localhost:8765\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: 8bS8aFt0c5N4nAdkbi3ArA==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nUser-Agent: Python/3.11 websockets/14.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: kXQkDb5ccR6lXKw1Wtl5/w==\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nHost: 127.0.0.1:8080\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\n\r\n",
    b"GET http://example.com:80/a?b=c HTTP/1.1\r\n\r\n",
    b"GET /!$&'()*+,;=:@-._~[]%20#f HTTP/1.1\r\n\r\n",
    b"M-SEARCH!#$%&'*+.^_`|~ / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nA:b\r\nB: \t c d \t \r\nC:\r\nD: \t \r\nE: caf\xc3\xa9 \x80\xff\r\n!#$%&'*+-.^_`|~09: \"q: v\" (c)\r\n\r\n",
    // Invalid.
    b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
    b"GET / HTTP/1.1\r\n A: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
    b"GET / HTTP/1.1\r\r\n\r\n",
    b"GET / HTTP/1.1\nA: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: b\n\r\n",
    b"GET / HTTP/1.1\r\nA: b\r\n\n",
    b"GET / HTTP/1.1\n\n",
    b"GET / HTTP/1.1\r\nA\0: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: b\0c\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: b\x7fc\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    b"GET / HTTP/1.1\r\n: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost\r\n\r\n",
    b"G(ET / HTTP/1.1\r\n\r\n",
    b" / HTTP/1.1\r\n\r\n",
    b"\r\nGET / HTTP/1.1\r\n\r\n",
    b"\nGET / HTTP/1.1\r\n\r\n",
    b"GET  / HTTP/1.1\r\n\r\n",
    b"GET /a b HTTP/1.1\r\n\r\n",
    b"GET /a\tb HTTP/1.1\r\n\r\n",
    b"GET /\"<>\\^`{|} HTTP/1.1\r\n\r\n",
    b"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
    b"GET /  HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.2\r\n\r\n",
    b"GET / HTTP/2.0\r\n\r\n",
    b"GET / http/1.1\r\n\r\n",
    b"GET / HTTP/1.10\r\n\r\n",
    b"GET / HTTP/1.1 \r\n\r\n",
];

const RESPONSES: &[&[u8]] = &[
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request",
    b"HTTP/1.0 200 OK\r\n\r\n",
    b"HTTP/1.1 101 \r\n\r\n",
    b"HTTP/1.1 999 \t x \r\n\r\n",
    b"HTTP/1.1 404 Nicht gefunden \xc3\xa4\x80\xff\r\nA: b\r\n\r\n",
    // Invalid.
    b"HTTP/1.2 101 Switching Protocols\r\n\r\n",
    b"HTTP/2.0 101 Switching Protocols\r\n\r\n",
    b"http/1.1 101 Switching Protocols\r\n\r\n",
    b"\r\nHTTP/1.1 101 X\r\n\r\n",
    b"HTTP/1.1 1010 X\r\n\r\n",
    b"HTTP/1.1 10 X\r\n\r\n",
    b"HTTP/1.1 101\r\n\r\n",
    b"HTTP/1.1  101 X\r\n\r\n",
    b"HTTP/1.1 099 X\r\n\r\n",
    b"HTTP/1.1 101 X\0\r\n\r\n",
    b"HTTP/1.1 101 X\n\r\n",
    b"HTTP/1.1 101 X\r\nA: b\r\n c\r\n\r\n",
    b"HTTP/1.1 101 X\r\nA : b\r\n\r\n",
];

/// Bytes put in place of each of the first bytes of every case.
const REPLACEMENTS: &[u8] = &[0x00, 0x0D, 0x0A, 0x20, 0x09, 0x7F, 0x80, 0xFF, b':'];
const REPLACED_PREFIX: usize = 200;

/// Large cases: a 5,000-byte target, more fields than the 64 slots,
/// 10,000 fields, a 64 KiB field line.
fn large() -> Vec<Vec<u8>> {
    let mut long_target = b"GET /".to_vec();
    long_target.extend(std::iter::repeat_n(b'a', 5000));
    long_target.extend(b" HTTP/1.1\r\nHost: x\r\n\r\n");
    let fields = |n| {
        let mut buf = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..n {
            buf.extend(format!("X-{i}: {i}\r\n").bytes());
        }
        buf.extend(b"\r\n");
        buf
    };
    let mut long_line = b"GET / HTTP/1.1\r\nX: ".to_vec();
    long_line.extend(std::iter::repeat_n(b'v', 64 * 1024));
    long_line.extend(b"\r\n\r\n");
    vec![
        long_target,
        fields(SLOTS),
        fields(SLOTS + 1),
        fields(10_000),
        long_line,
    ]
}

/// Every case: each fixture, each with one of its first bytes replaced,
/// and cut at every length (every 97th length, and the last 300, for the
/// long ones).
fn cases() -> Vec<Vec<u8>> {
    let mut fixtures: Vec<Vec<u8>> = REQUESTS
        .iter()
        .chain(RESPONSES)
        .map(|f| f.to_vec())
        .collect();
    fixtures.extend(large());
    let mut cases = Vec::new();
    for fixture in &fixtures {
        cases.push(fixture.clone());
        for i in 0..fixture.len().min(REPLACED_PREFIX) {
            for &b in REPLACEMENTS {
                if fixture[i] != b {
                    let mut case = fixture.clone();
                    case[i] = b;
                    cases.push(case);
                }
            }
        }
        let len = fixture.len();
        let cuts: Vec<usize> = if len <= 6000 {
            (0..len).collect()
        } else {
            (0..len).step_by(97).chain(len - 300..len).collect()
        };
        cases.extend(cuts.into_iter().map(|n| fixture[..n].to_vec()));
    }
    cases
}

#[derive(Default)]
struct Tally {
    /// Both complete, and compared field by field.
    complete: usize,
    /// Both partial.
    partial: usize,
    /// Both rejected.
    rejected: usize,
    /// Rejected by hybi only, by error.
    stricter: BTreeMap<String, usize>,
}

fn trim(value: &[u8]) -> &[u8] {
    let start = value
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &value[start..end]
}

fn compare_headers(case: &[u8], ours: &[http::Header<'_>], theirs: &[httparse::Header<'_>]) {
    assert_eq!(ours.len(), theirs.len(), "{}", case.escape_ascii());
    for (o, t) in ours.iter().zip(theirs) {
        assert_eq!(o.name, t.name, "{}", case.escape_ascii());
        assert_eq!(
            o.value,
            trim(o.value),
            "untrimmed value: {}",
            case.escape_ascii()
        );
        assert_eq!(o.value, trim(t.value), "{}", case.escape_ascii());
    }
}

/// The outcome of both parsers, once each has been checked against the
/// other's for a complete head.
fn tally<T>(
    tally: &mut Tally,
    case: &[u8],
    ours: Result<Status<T>, HttpError>,
    theirs: httparse::Result<usize>,
) {
    match (ours, theirs) {
        (Err(_), Err(_)) => tally.rejected += 1,
        (Err(err), Ok(_)) => *tally.stricter.entry(format!("{err:?}")).or_default() += 1,
        (Ok(_), Err(err)) => panic!(
            "httparse rejects ({err:?}), hybi does not: {}",
            case.escape_ascii()
        ),
        (Ok(Status::Partial(n)), Ok(httparse::Status::Partial)) => {
            assert!(n >= 1, "{}", case.escape_ascii());
            tally.partial += 1;
        }
        (Ok(Status::Complete(_)), Ok(httparse::Status::Complete(_))) => tally.complete += 1,
        (Ok(ours), Ok(theirs)) => panic!(
            "hybi {}, httparse {}: {}",
            if ours.is_partial() {
                "partial"
            } else {
                "complete"
            },
            if theirs.is_partial() {
                "partial"
            } else {
                "complete"
            },
            case.escape_ascii()
        ),
    }
}

fn request(t: &mut Tally, case: &[u8]) {
    let mut ours_headers = [EMPTY_HEADER; SLOTS];
    let ours = http::parse_request(case, &mut ours_headers);
    let mut theirs_headers = [httparse::EMPTY_HEADER; SLOTS];
    let mut theirs = httparse::Request::new(&mut theirs_headers);
    let result = theirs.parse(case);
    if let (Ok(Status::Complete((head, len))), Ok(httparse::Status::Complete(their_len))) =
        (&ours, &result)
    {
        let c = case.escape_ascii();
        assert_eq!(*len, *their_len, "{c}");
        assert_eq!(Some(head.method), theirs.method, "{c}");
        assert_eq!(Some(head.target), theirs.path, "{c}");
        assert_eq!(Some(head.minor_version), theirs.version, "{c}");
        compare_headers(case, head.headers, theirs.headers);
    }
    tally(t, case, ours, result);
}

fn response(t: &mut Tally, case: &[u8]) {
    let mut ours_headers = [EMPTY_HEADER; SLOTS];
    let ours = http::parse_response(case, &mut ours_headers);
    let mut theirs_headers = [httparse::EMPTY_HEADER; SLOTS];
    let mut theirs = httparse::Response::new(&mut theirs_headers);
    let result = theirs.parse(case);
    if let (Ok(Status::Complete((head, len))), Ok(httparse::Status::Complete(their_len))) =
        (&ours, &result)
    {
        let c = case.escape_ascii();
        assert_eq!(*len, *their_len, "{c}");
        assert_eq!(Some(head.minor_version), theirs.version, "{c}");
        assert_eq!(Some(head.status), theirs.code, "{c}");
        // httparse reports a reason with obs-text in it as empty.
        let reason = if head.reason.is_ascii() {
            head.reason
        } else {
            b""
        };
        assert_eq!(Some(reason), theirs.reason.map(str::as_bytes), "{c}");
        compare_headers(case, head.headers, theirs.headers);
    }
    tally(t, case, ours, result);
}

#[test]
fn hybi_is_never_more_lenient_than_httparse() {
    let cases = cases();
    let mut requests = Tally::default();
    let mut responses = Tally::default();
    for case in &cases {
        request(&mut requests, case);
        response(&mut responses, case);
    }
    for (kind, t) in [("requests", &requests), ("responses", &responses)] {
        let stricter: usize = t.stricter.values().sum();
        println!(
            "{kind}: {} cases: {} complete and equal, {} partial in both, {} rejected by both, {stricter} rejected by hybi only {:?}",
            cases.len(),
            t.complete,
            t.partial,
            t.rejected,
            t.stricter
        );
        assert!(t.complete > 0 && t.partial > 0 && t.rejected > 0, "{kind}");
    }
}
