//! Hostile input through the connection API: every case gets its typed
//! error and the HTTP status (server handshake) or close code the RFC
//! names, written to the transport, and nothing panics. Handshake cases run
//! with the input arriving 1, 13 and all bytes at a time. The frames a
//! receiver refuses are rows of tests/connection_frames.rs's table.

mod common;

use common::*;
use hybi::ProtocolError::*;
use hybi::Role;
use hybi::handshake::client::Request;
use hybi::handshake::server::{Response, write_rejection};
use hybi::handshake::{ClientKey, Field, HandshakeError};
use hybi::http::HttpError;
use hybi::websocket::{Config, Error, Message, ServerHandshake, WebSocket};

const CHUNKS: [usize; 3] = [1, 13, WHOLE];

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// A request with the standard fields, `key` as its key, and `extra`
/// lines; `None` fields are left out.
fn request(
    target: &str,
    key: &str,
    connection: Option<&str>,
    version: Option<&str>,
    extra: &[&str],
) -> Vec<u8> {
    let mut lines = vec![
        format!("GET {target} HTTP/1.1"),
        "Host: example.com".into(),
        "Upgrade: websocket".into(),
    ];
    if let Some(c) = connection {
        lines.push(format!("Connection: {c}"));
    }
    lines.push(format!("Sec-WebSocket-Key: {key}"));
    if let Some(v) = version {
        lines.push(format!("Sec-WebSocket-Version: {v}"));
    }
    lines.extend(extra.iter().map(|l| l.to_string()));
    let mut head = lines.join("\r\n");
    head.push_str("\r\n\r\n");
    head.into_bytes()
}

fn valid_request(extra: &[&str]) -> Vec<u8> {
    request("/chat", KEY, Some("Upgrade"), Some("13"), extra)
}

/// Runs the server handshake on `input` with a read buffer of `rx` bytes,
/// for every chunk size (they must agree), and returns what it gave and
/// what it wrote.
fn accept(input: &[u8], rx: usize) -> (Result<(), WsError>, Vec<u8>) {
    let mut seen = None;
    for chunk in CHUNKS {
        let mut ws = WebSocket::server(
            Mock::new(input, chunk),
            vec![0u8; rx],
            vec![0u8; 512],
            Config::new(),
        );
        let result = ws.accept(|_| Response::accept()).map(|outcome| {
            assert_eq!(outcome, ServerHandshake::Accepted { protocol: None });
        });
        if result.is_err() {
            assert!(ws.is_closed());
            assert_eq!(ws.read().map(|_| ()), Err(Error::Closed));
        }
        let written = ws.into_parts().0.written;
        match &seen {
            None => seen = Some((result, written)),
            Some(first) => assert_eq!(first, &(result, written), "chunk {chunk}"),
        }
    }
    seen.unwrap()
}

fn status_line(written: &[u8]) -> &str {
    let end = written
        .windows(2)
        .position(|w| w == b"\r\n")
        .expect("a status line");
    std::str::from_utf8(&written[..end]).unwrap()
}

/// Asserts the server rejects `input` with `error` and writes `status_line`.
fn rejects(input: &[u8], rx: usize, error: HandshakeError, line: &str) {
    let (result, written) = accept(input, rx);
    assert_eq!(result, Err(Error::Handshake(error)));
    assert_eq!(status_line(&written), line, "{}", written.escape_ascii());
    assert_eq!(Some(line[9..12].parse().unwrap()), error.status_code());
    assert!(written.ends_with(b"Content-Length: 0\r\n\r\n"));
    // Nothing but the rejection.
    let mut rejection = [0u8; 256];
    let n = write_rejection(error, &mut rejection).unwrap();
    assert_eq!(written, rejection[..n], "{}", written.escape_ascii());
}

#[test]
fn key_of_36_characters() {
    let key = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    assert_eq!(key.len(), 36);
    rejects(
        &request("/", key, Some("Upgrade"), Some("13"), &[]),
        1024,
        HandshakeError::InvalidHeader(Field::Key),
        "HTTP/1.1 400 Bad Request",
    );
}

#[test]
fn key_of_1000_characters() {
    let key = "A".repeat(1000);
    rejects(
        &request("/", &key, Some("Upgrade"), Some("13"), &[]),
        2048,
        HandshakeError::InvalidHeader(Field::Key),
        "HTTP/1.1 400 Bad Request",
    );
    // The same request in a buffer it does not fit: 431.
    rejects(
        &request("/", &key, Some("Upgrade"), Some("13"), &[]),
        1024,
        HandshakeError::HeadTooLarge,
        "HTTP/1.1 431 Request Header Fields Too Large",
    );
}

#[test]
fn key_that_is_not_base64() {
    for key in [
        "not base64 at all!!!!!!!",
        "dGhlIHNhbXBsZSBub25jZQ=!",
        "dGhlIHNhbXBsZSBub25jZQ",
        "dGhlIHNhbXBsZSBub25jZQ===",
        "dGhlIHNhbXBsZSBub25jZR==",
    ] {
        rejects(
            &request("/", key, Some("Upgrade"), Some("13"), &[]),
            1024,
            HandshakeError::InvalidHeader(Field::Key),
            "HTTP/1.1 400 Bad Request",
        );
    }
}

#[test]
fn no_connection_and_no_version() {
    rejects(
        &request("/", KEY, None, None, &[]),
        1024,
        HandshakeError::MissingHeader(Field::Connection),
        "HTTP/1.1 400 Bad Request",
    );
    // With Connection, the missing version gets a 426 naming version 13.
    let input = request("/", KEY, Some("Upgrade"), None, &[]);
    rejects(
        &input,
        1024,
        HandshakeError::MissingHeader(Field::Version),
        "HTTP/1.1 426 Upgrade Required",
    );
    let (_, written) = accept(&input, 1024);
    assert!(
        written
            .windows(27)
            .any(|w| w == b"Sec-WebSocket-Version: 13\r\n")
    );
}

#[test]
fn ten_thousand_header_lines() {
    let lines: Vec<String> = (0..10_000).map(|i| format!("X-{i}: {i}")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let input = valid_request(&lines);
    // More fields than the 32 slots: refused as soon as the 33rd starts.
    rejects(
        &input,
        64 * 1024,
        HandshakeError::Http(HttpError::TooManyHeaders),
        "HTTP/1.1 400 Bad Request",
    );
}

#[test]
fn header_line_of_64_kib() {
    let line = format!("X-Long: {}", "v".repeat(64 * 1024));
    rejects(
        &valid_request(&[&line]),
        4096,
        HandshakeError::HeadTooLarge,
        "HTTP/1.1 431 Request Header Fields Too Large",
    );
}

#[test]
fn nul_and_bare_cr_in_headers() {
    rejects(
        &valid_request(&["X-Nul: a\0b"]),
        1024,
        HandshakeError::Http(HttpError::HeaderValue),
        "HTTP/1.1 400 Bad Request",
    );
    rejects(
        &valid_request(&["X-Nul\0: a"]),
        1024,
        HandshakeError::Http(HttpError::HeaderName),
        "HTTP/1.1 400 Bad Request",
    );
    rejects(
        &valid_request(&["X-Cr: a\rb"]),
        1024,
        HandshakeError::Http(HttpError::NewLine),
        "HTTP/1.1 400 Bad Request",
    );
    // A bare CR ending a line.
    let mut input = valid_request(&["X-Cr: a"]);
    let at = input.windows(7).position(|w| w == b"X-Cr: a").unwrap() + 8;
    input[at] = b'X';
    rejects(
        &input,
        1024,
        HandshakeError::Http(HttpError::NewLine),
        "HTTP/1.1 400 Bad Request",
    );
}

#[test]
fn request_line_with_5000_path_bytes() {
    let target = format!("/{}", "p".repeat(4999));
    let input = request(&target, KEY, Some("Upgrade"), Some("13"), &[]);
    // Fits an 8 KiB buffer: accepted, the 101 written.
    let (result, written) = accept(&input, 8192);
    assert_eq!(result, Ok(()));
    assert_eq!(status_line(&written), "HTTP/1.1 101 Switching Protocols");
    let mut ws = WebSocket::server(
        Mock::new(&input, WHOLE),
        vec![0u8; 8192],
        vec![0u8; 512],
        Config::new(),
    );
    let mut path_len = 0;
    ws.accept(|request| {
        path_len = request.path().len();
        Response::accept()
    })
    .unwrap();
    assert_eq!(path_len, 5000);
    // Does not fit 4 KiB: 431.
    rejects(
        &input,
        4096,
        HandshakeError::HeadTooLarge,
        "HTTP/1.1 431 Request Header Fields Too Large",
    );
}

/// Runs the client handshake against `response`, for every chunk size.
fn connect(response: impl Fn(&ClientKey) -> Vec<u8>) -> Result<Option<&'static str>, WsError> {
    let mut seen = None;
    for chunk in CHUNKS {
        let seed = 0x1234_5678_9ABC_DEF1;
        let key = ClientKey::generate(&mut TestRng(seed));
        let input = response(&key);
        let mut ws = WebSocket::client(
            Mock::new(&input, chunk),
            vec![0u8; 1024],
            vec![0u8; 512],
            TestRng(seed),
            Config::new(),
        );
        let result = ws.connect(&Request::new("example.com", "/"));
        if result.is_err() {
            assert!(ws.is_closed());
        }
        // The client wrote its request and nothing else.
        let written = ws.into_parts().0.written;
        assert!(written.starts_with(b"GET / HTTP/1.1\r\n"));
        assert!(written.ends_with(b"\r\n\r\n"));
        assert_eq!(
            written.windows(4).filter(|w| w == b"\r\n\r\n").count(),
            1,
            "one head written"
        );
        assert!(
            written
                .windows(key.as_str().len())
                .any(|w| w == key.as_str().as_bytes())
        );
        match &seen {
            None => seen = Some(result),
            Some(first) => assert_eq!(first, &result, "chunk {chunk}"),
        }
    }
    seen.unwrap()
}

#[test]
fn bare_101_response() {
    // No reason phrase, and not even the space before it.
    assert_eq!(
        connect(|_| b"HTTP/1.1 101\r\n\r\n".to_vec()),
        Err(Error::Handshake(HandshakeError::Http(HttpError::Status)))
    );
    // No Upgrade, Connection or Sec-WebSocket-Accept.
    assert_eq!(
        connect(|_| b"HTTP/1.1 101 \r\n\r\n".to_vec()),
        Err(Error::Handshake(HandshakeError::MissingHeader(
            Field::Upgrade
        )))
    );
    assert_eq!(
        connect(|_| b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".to_vec()),
        Err(Error::Handshake(HandshakeError::MissingHeader(
            Field::Connection
        )))
    );
    assert_eq!(
        connect(|_| {
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                .to_vec()
        }),
        Err(Error::Handshake(HandshakeError::MissingHeader(
            Field::Accept
        )))
    );
    // Errors only a response can cause have no status: the client drops
    // the connection.
    assert_eq!(HandshakeError::UnexpectedBody.status_code(), None);
    assert_eq!(HandshakeError::AcceptMismatch.status_code(), None);
}

fn response_101(key: &ClientKey, extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{extra}\r\n",
        key.accept().as_str()
    )
    .into_bytes()
}

#[test]
fn response_101_with_a_body() {
    // The right response is accepted...
    assert_eq!(connect(|key| response_101(key, "")), Ok(None));
    // ...but not with a body announced, nor with the body sent along.
    assert_eq!(
        connect(|key| response_101(key, "Content-Length: 100000\r\n")),
        Err(Error::Handshake(HandshakeError::UnexpectedBody))
    );
    assert_eq!(
        connect(|key| {
            let mut r = response_101(key, "Content-Length: 100000\r\n");
            r.extend(std::iter::repeat_n(b'x', 100_000));
            r
        }),
        Err(Error::Handshake(HandshakeError::UnexpectedBody))
    );
    assert_eq!(
        connect(|key| response_101(key, "Transfer-Encoding: chunked\r\n")),
        Err(Error::Handshake(HandshakeError::UnexpectedBody))
    );
}

#[test]
fn second_frame_header_split_across_two_reads() {
    for role in ROLES {
        let first = frame_to(role, 0x81, b"first");
        let second = frame_to(role, 0x82, &[7u8; 300]); // 16-bit length
        let header_len = if role == Role::Server { 8 } else { 4 };
        for cut in 1..header_len {
            let mut read1 = first.clone();
            read1.extend_from_slice(&second[..cut]);
            let read2 = second[cut..].to_vec();
            let reads = [read1.len(), read2.len()];
            let mut ws = upgraded(
                Mock::with_reads(&[read1, read2].concat(), &reads),
                role,
                TestRng(1),
                vec![0u8; 1024],
                vec![0u8; 256],
                Config::new(),
                &[],
            )
            .unwrap();
            assert_eq!(ws.read(), Ok(Message::Text("first")));
            assert_eq!(ws.read(), Ok(Message::Binary(&[7u8; 300][..])));
            assert_eq!(ws.read(), Err(Error::UnexpectedEof));
            let transport = ws.transport();
            assert_eq!(
                transport.log,
                [Op::Read(reads[0]), Op::Read(reads[1]), Op::Read(0)]
            );
            assert!(transport.written.is_empty());
        }
    }
}

#[test]
fn payload_of_65535_bytes_uses_the_16_bit_length() {
    let payload: Vec<u8> = (0..65535u32).map(|i| (i % 251) as u8).collect();
    for role in ROLES {
        let written = produce(role, |ws| ws.send_binary(&payload).unwrap());
        let header: &[u8] = match role {
            Role::Server => &[0x82, 0x7E, 0xFF, 0xFF],
            Role::Client => &[0x82, 0xFE, 0xFF, 0xFF],
        };
        assert_eq!(&written[..4], header);
        let header_len = if role == Role::Client { 8 } else { 4 };
        assert_eq!(written.len(), header_len + 65535);
        let frames = decode_frames(role, &written);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].payload, payload);
        // And 65536 bytes take the 64-bit form.
        let written = produce(role, |ws| ws.send_binary(&[0; 65536]).unwrap());
        assert_eq!(written[1] & 0x7F, 127);
        assert_eq!(&written[2..10], &65536u64.to_be_bytes());
    }
    // Received: the 16-bit form is read whole; the 64-bit form of the same
    // length is not minimal.
    let frame = frame_to(Role::Server, 0x82, &payload);
    for mode in MODES {
        let out = run_with(Role::Server, &frame, 4096, mode, 70_000, Config::new());
        assert_eq!(out.messages, vec![Msg::Binary(payload.clone())]);
        assert_eq!(out.end, Error::UnexpectedEof);
    }
    // The 64-bit form of the same length is not minimal: refused, in
    // tests/connection_frames.rs's table of frames refused.
}

#[test]
fn length_of_2_pow_32_plus_1() {
    let input = header_64((1 << 32) + 1);
    // Over the default 16 MiB limit it is refused (1009) from the header
    // alone: tests/connection_frames.rs's table of frames refused.
    // Without a limit, chunked reads take it and wait for the payload.
    let config = Config::new().max_message_len(u64::MAX);
    let mut payload = input.clone();
    payload.extend_from_slice(&[1; 1000]);
    let out = run_with(Role::Client, &payload, WHOLE, Mode::Chunks, 4096, config);
    assert_eq!(out.end, Error::UnexpectedEof);
    assert!(out.closes(Role::Client).is_empty());
    // Whole reads cannot hold it in 4 KiB: 1009.
    let out = run_with(Role::Client, &payload, WHOLE, Mode::Whole, 4096, config);
    assert_eq!(out.end, protocol(MessageTooBig));
    assert_eq!(out.closes(Role::Client), vec![Some(1009)]);
}
