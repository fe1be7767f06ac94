//! The opening handshake over the transport, both roles against each other
//! (RFC 6455 section 4), at every read size.

mod common;

use common::*;
use hybi::Role;
use hybi::handshake::server::Response;
use hybi::handshake::{HandshakeError, client};
use hybi::http::{EMPTY_HEADER, StatusCode};
use hybi::websocket::{Config, Error, MAX_PROTOCOL_LEN, ServerHandshake, Subprotocol, WebSocket};

const SEED: u64 = 0x1234_5678_9abc_def1;

fn client_over(input: &[u8], chunk: usize) -> ClientWs {
    WebSocket::client(
        Mock::new(input, chunk),
        vec![0u8; 1024],
        vec![0u8; 1024],
        TestRng(SEED),
        Config::new(),
    )
}

fn server_over(input: &[u8], chunk: usize, rx: usize) -> WebSocket<Mock, Vec<u8>> {
    WebSocket::server(
        Mock::new(input, chunk),
        vec![0u8; rx],
        vec![0u8; 1024],
        Config::new(),
    )
}

const OFFERED: &[&str] = &["chat", "superchat"];

fn request() -> client::Request<'static> {
    client::Request::new("example.com", "/chat?room=1")
        .origin("http://example.com")
        .protocols(OFFERED)
}

/// The request the client writes (the seed makes its key the same every
/// time).
fn client_request() -> Vec<u8> {
    let mut ws = client_over(&[], 1);
    assert_eq!(ws.connect(&request()), Err(Error::UnexpectedEof));
    ws.into_parts().0.written
}

/// The server's 101 for the client's request, choosing `superchat` (as
/// the request holds it: the string returned lives in the read buffer, and
/// comes back owned), plus its first frames.
fn server_response() -> Vec<u8> {
    let mut ws = server_over(&client_request(), 1, 1024);
    let got = ws.accept(|req| {
        assert_eq!(req.path(), "/chat?room=1");
        assert_eq!(req.host(), "example.com");
        assert_eq!(req.origin(), Some("http://example.com"));
        assert_eq!(req.protocols().collect::<Vec<_>>(), OFFERED);
        Response::accept().protocol(req.protocols().find(|p| *p == "superchat"))
    });
    assert_eq!(
        got,
        Ok(ServerHandshake::Accepted {
            protocol: Some(Subprotocol::try_from("superchat").unwrap())
        })
    );
    assert!(ws.is_open());
    ws.write_text("first frame").unwrap();
    ws.write_binary(&[1, 2, 3]).unwrap();
    ws.close(1000.into(), "bye").unwrap();
    ws.into_parts().0.written
}

#[test]
fn client_request_is_well_formed() {
    let req = client_request();
    let text = String::from_utf8(req.clone()).unwrap();
    assert!(
        text.starts_with("GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\n"),
        "{text}"
    );
    assert!(text.ends_with("\r\n\r\n"));
    assert!(text.contains("Sec-WebSocket-Version: 13\r\n"));
    assert!(text.contains("Sec-WebSocket-Protocol: chat, superchat\r\n"));
    // One write for the whole head.
    let mut ws = client_over(&[], 1);
    let _ = ws.connect(&request());
    assert_eq!(ws.transport().write_calls(), 1);
}

#[test]
fn client_connects_to_server_bytes_and_keeps_frames() {
    let response = server_response();
    let head_end = head_len(&response).unwrap();
    assert!(response.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    assert!(head_end < response.len(), "frames follow the head");
    for chunk in chunk_sizes() {
        for mode in MODES {
            let mut ws = client_over(&response, chunk);
            assert_eq!(
                ws.read().err(),
                Some(Error::InvalidState),
                "read before handshake"
            );
            assert_eq!(ws.write_text("x"), Err(Error::InvalidState));
            assert_eq!(
                ws.connect(&request()),
                Ok(Some("superchat")),
                "chunk {chunk}"
            );
            assert!(ws.is_open());
            assert_eq!(ws.connect(&request()), Err(Error::InvalidState));
            let request_len = ws.transport().written.len();
            let out = drain(ws, mode);
            assert_eq!(
                out.messages,
                [Msg::text("first frame"), Msg::Binary(vec![1, 2, 3]), bye()],
                "chunk {chunk} {mode:?}"
            );
            assert_eq!(
                closes_written(Role::Client, &out.written[request_len..]),
                [Some(1000)]
            );
        }
    }
}

#[test]
fn server_accepts_client_bytes_and_keeps_frames() {
    let mut input = client_request();
    let frames = produce(Role::Client, |ws| {
        ws.write_text("hello").unwrap();
        ws.write_ping(b"p").unwrap();
        ws.close(1001.into(), "").unwrap();
    });
    input.extend(&frames);
    for chunk in chunk_sizes() {
        for mode in MODES {
            let mut ws = server_over(&input, chunk, 1024);
            assert_eq!(ws.read().err(), Some(Error::InvalidState));
            let got = ws.accept(|_| Response::accept());
            assert_eq!(got, Ok(ServerHandshake::Accepted { protocol: None }));
            let response = ws.transport().written.clone();
            assert!(response.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
            assert!(!String::from_utf8_lossy(&response).contains("Sec-WebSocket-Protocol"));
            let out = drain(ws, mode);
            assert_eq!(
                out.messages,
                [Msg::text("hello"), Msg::Close(Some((1001, String::new())))],
                "{chunk} {mode:?}"
            );
            assert_eq!(out.end, Error::Closed);
            let after = &out.written[response.len()..];
            let frames = decode_frames(Role::Server, after);
            assert_eq!(frames.len(), 2, "pong and close");
            assert_eq!(frames[0].payload, b"p");
            assert_eq!(closes_written(Role::Server, after), [Some(1001)]);
        }
    }
}

#[test]
fn server_key_and_client_check_agree() {
    // A response with the wrong accept key is refused.
    let response = server_response();
    let text = String::from_utf8_lossy(&response).into_owned();
    let start = text.find("Sec-WebSocket-Accept: ").unwrap() + 22;
    let mut bad = response.clone();
    bad[start] = if bad[start] == b'A' { b'B' } else { b'A' };
    let mut ws = client_over(&bad, 7);
    assert_eq!(
        ws.connect(&request()),
        Err(Error::Handshake(HandshakeError::AcceptMismatch))
    );
    assert!(ws.is_closed());
    // A refusal status.
    let mut ws = client_over(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 3);
    assert_eq!(
        ws.connect(&request()),
        Err(Error::Handshake(HandshakeError::Status(StatusCode::new(
            403
        ))))
    );
    // The response stops early.
    let mut ws = client_over(&response[..40], 1);
    assert_eq!(ws.connect(&request()), Err(Error::UnexpectedEof));
}

/// The server's answer to `input`: the result and what it wrote.
fn serve(
    input: &[u8],
    chunk: usize,
    rx: usize,
) -> (Result<(), Error<embedded_io::ErrorKind>>, String) {
    let mut ws = server_over(input, chunk, rx);
    let result = ws.accept(|_| Response::accept()).map(|_| ());
    let written = String::from_utf8(ws.into_parts().0.written).unwrap();
    (result, written)
}

#[test]
fn plain_http_get() {
    let get = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    for chunk in chunk_sizes() {
        let mut ws = server_over(get, chunk, 1024);
        assert_eq!(
            ws.accept(|_| panic!("not a WebSocket request")),
            Ok(ServerHandshake::Http)
        );
        assert!(!ws.is_open());
        let mut headers = [EMPTY_HEADER; 8];
        let head = ws.http_request(&mut headers).expect("request kept");
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/index.html");
        assert_eq!(head.header("accept"), Some(&b"*/*"[..]));
        assert_eq!(ws.read().err(), Some(Error::InvalidState));
        ws.write_raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        assert_eq!(
            ws.into_parts().0.written,
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        );
    }
}

fn upgrade_request(version: &str, method: &str) -> Vec<u8> {
    format!(
        "{method} /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: {version}\r\n\r\n"
    )
    .into_bytes()
}

#[test]
fn bad_request_gets_400() {
    let cases: Vec<(Vec<u8>, HandshakeError)> = vec![
        (upgrade_request("13", "POST"), HandshakeError::Method),
        (
            b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n".to_vec(),
            HandshakeError::MissingHeader(hybi::handshake::Field::Key),
        ),
        (
            b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n".to_vec(),
            HandshakeError::InvalidHeader(hybi::handshake::Field::Key),
        ),
    ];
    for (input, error) in &cases {
        for chunk in chunk_sizes() {
            let (result, written) = serve(input, chunk, 1024);
            assert_eq!(result, Err(Error::Handshake(*error)), "{chunk}");
            assert!(
                written.starts_with("HTTP/1.1 400 Bad Request\r\n"),
                "{written}"
            );
            assert!(written.contains("Connection: close\r\n"));
            assert!(written.ends_with("\r\n\r\n"));
        }
    }
    // Malformed HTTP.
    let (result, written) = serve(b"GET /chat HTTP/1.1\r\nHost example.com\r\n\r\n", 1, 1024);
    assert!(
        matches!(result, Err(Error::Handshake(HandshakeError::Http(_)))),
        "{result:?}"
    );
    assert!(written.starts_with("HTTP/1.1 400 "));
    // A subprotocol the client never offered: the server's mistake, a 500.
    let mut ws = server_over(&client_request(), 5, 1024);
    let got = ws.accept(|_| Response::accept().protocol(Some("other")));
    assert_eq!(
        got,
        Err(Error::Handshake(HandshakeError::ProtocolNotOffered))
    );
    let written = String::from_utf8(ws.into_parts().0.written).unwrap();
    assert!(written.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
}

/// The server's answer when `choose` answers the client's request, read
/// `chunk` bytes at a time into buffers of `rx` and `tx` bytes: the result
/// and every byte written.
fn answer<'a>(
    chunk: usize,
    tx: usize,
    choose: impl for<'r> Fn(&hybi::handshake::server::Request<'_, 'r>) -> Response<'r, 'a>,
) -> (
    Result<ServerHandshake, Error<embedded_io::ErrorKind>>,
    Vec<u8>,
) {
    let mut ws = WebSocket::server(
        Mock::new(&client_request(), chunk),
        vec![0u8; 1024],
        vec![0u8; tx],
        Config::new(),
    );
    let got = ws.accept(&choose);
    if got.is_err() {
        assert!(ws.is_closed());
        assert_eq!(ws.read().err(), Some(Error::Closed));
    }
    (got, ws.into_parts().0.written)
}

/// The application's refusals, byte for byte: a 403 for an `Origin` it
/// does not trust, a 401 asking for credentials, a 404 with a body.
#[test]
fn application_refusals_on_the_wire() {
    let refused = |status| {
        Err(Error::Handshake(HandshakeError::Refused(StatusCode::new(
            status,
        ))))
    };
    for chunk in chunk_sizes() {
        let (got, written) = answer(chunk, 1024, |req| match req.origin() {
            Some("http://trusted.example") => Response::accept(),
            _ => Response::reject(403),
        });
        assert_eq!(got, refused(403));
        assert_eq!(
            written.escape_ascii().to_string(),
            "HTTP/1.1 403 Forbidden\\r\\nConnection: close\\r\\nContent-Length: 0\\r\\n\\r\\n"
        );

        let (got, written) = answer(chunk, 1024, |_| {
            Response::reject(401).headers(&[("WWW-Authenticate", "Basic realm=\"x\"")])
        });
        assert_eq!(got, refused(401));
        assert_eq!(
            written,
            b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\
              WWW-Authenticate: Basic realm=\"x\"\r\n\r\n"
        );

        let (got, written) = answer(chunk, 1024, |_| {
            Response::reject(404)
                .headers(&[
                    ("Content-Type", "text/plain"),
                    ("Cache-Control", "no-store"),
                ])
                .body(b"no such room\n")
        });
        assert_eq!(got, refused(404));
        assert_eq!(
            written,
            b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 13\r\n\
              Content-Type: text/plain\r\nCache-Control: no-store\r\n\r\nno such room\n"
        );
    }
    // A status without a reason phrase of its own.
    let (got, written) = answer(WHOLE, 1024, |_| Response::reject(499));
    assert_eq!(got, refused(499));
    assert_eq!(
        written,
        b"HTTP/1.1 499 \r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
}

/// Extra header fields on the 101, and a subprotocol borrowed from the
/// request, returned owned.
#[test]
fn accept_with_headers_and_a_borrowed_protocol() {
    for chunk in chunk_sizes() {
        let (got, written) = answer(chunk, 1024, |req| {
            Response::accept()
                .protocol(req.protocols().last())
                .headers(&[("Set-Cookie", "id=1; HttpOnly")])
        });
        let Ok(ServerHandshake::Accepted {
            protocol: Some(protocol),
        }) = got
        else {
            panic!("{got:?}")
        };
        assert_eq!(protocol.as_str(), "superchat");
        let text = String::from_utf8(written).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Sec-WebSocket-Protocol: superchat\r\nSet-Cookie: id=1; HttpOnly\r\n\r\n"
            ),
            "{text}"
        );
    }
}

/// What the server's callback gets wrong, and what does not fit the write
/// buffer, is answered with a 500 and its error.
#[test]
fn answers_the_server_gets_wrong_are_500() {
    const FIVE_HUNDRED: &[u8] =
        b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    // A request offering `protocol`, accepted with it.
    let offer = |protocol: &str| {
        let offered = [protocol];
        let mut client = client_over(&[], 1);
        let _ = client.connect(&client::Request::new("example.com", "/").protocols(&offered));
        let input = client.into_parts().0.written;
        let mut ws = server_over(&input, WHOLE, 1024);
        let got = ws.accept(|req| Response::accept().protocol(req.protocols().next()));
        (got, ws.into_parts().0.written)
    };
    // Too long to keep: a 500, though the client offered it.
    let (got, written) = offer(&"x".repeat(MAX_PROTOCOL_LEN + 1));
    assert_eq!(got, Err(Error::Handshake(HandshakeError::ProtocolTooLong)));
    assert_eq!(written, FIVE_HUNDRED);
    // Exactly MAX_PROTOCOL_LEN bytes is fine.
    let fits = "y".repeat(MAX_PROTOCOL_LEN);
    let (got, _) = offer(&fits);
    assert!(
        matches!(&got, Ok(ServerHandshake::Accepted { protocol: Some(p) }) if *p == *fits),
        "{got:?}"
    );

    let invalid = Err(Error::Handshake(HandshakeError::InvalidArgument));
    let cases: [Response<'static, 'static>; 7] = [
        // No refusal: 1xx, 2xx, and 101 itself.
        Response::reject(101),
        Response::reject(200),
        Response::reject(204),
        Response::reject(600),
        // A body on a 101, a subprotocol on a refusal.
        Response::accept().body(b"hello"),
        Response::reject(403).protocol(Some("chat")),
        // A header the handshake writes itself, a header value with CRLF.
        Response::reject(403).headers(&[("Content-Length", "5")]),
    ];
    for response in cases {
        let (got, written) = answer(WHOLE, 1024, |_| response);
        assert_eq!(got, invalid, "{response:?}");
        assert_eq!(written, FIVE_HUNDRED, "{response:?}");
    }
    let (got, written) = answer(WHOLE, 1024, |_| {
        Response::accept().headers(&[("Set-Cookie", "a\r\nInjected: 1")])
    });
    assert_eq!(got, invalid);
    assert_eq!(written, FIVE_HUNDRED);

    // A refusal larger than the write buffer: the 500 fits it.
    let body = [b'b'; 100];
    let (got, written) = answer(WHOLE, hybi::websocket::MIN_WRITE_BUFFER, |_| {
        Response::reject(403).body(&body)
    });
    assert_eq!(got, Err(Error::Handshake(HandshakeError::BufferTooSmall)));
    assert_eq!(written, FIVE_HUNDRED);
    // About 70 bytes of header fields and body fit the smallest buffer.
    let (got, written) = answer(WHOLE, hybi::websocket::MIN_WRITE_BUFFER, |_| {
        Response::reject(403)
            .headers(&[("Content-Type", "text/plain")])
            .body(&body[..48])
    });
    assert_eq!(
        got,
        Err(Error::Handshake(HandshakeError::Refused(StatusCode::new(
            403
        ))))
    );
    assert_eq!(written.len(), hybi::websocket::MIN_WRITE_BUFFER);
}

#[test]
fn version_8_gets_426() {
    for chunk in chunk_sizes() {
        let (result, written) = serve(&upgrade_request("8", "GET"), chunk, 1024);
        assert_eq!(
            result,
            Err(Error::Handshake(HandshakeError::UnsupportedVersion))
        );
        assert!(
            written.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
            "{written}"
        );
        assert!(
            written.contains("\r\nSec-WebSocket-Version: 13\r\n"),
            "{written}"
        );
    }
}

#[test]
fn head_larger_than_read_buffer_gets_431() {
    let mut big = upgrade_request("13", "GET");
    let filler = format!("X-Filler: {}\r\n", "f".repeat(600));
    big.splice(big.len() - 2..big.len() - 2, filler.bytes());
    // The same request fits a bigger buffer.
    let (result, written) = serve(&big, WHOLE, 2048);
    assert_eq!(result, Ok(()), "{written}");
    for chunk in chunk_sizes() {
        let (result, written) = serve(&big, chunk, 512);
        assert_eq!(
            result,
            Err(Error::Handshake(HandshakeError::HeadTooLarge)),
            "{chunk}"
        );
        assert!(written.starts_with("HTTP/1.1 431 "), "{written}");
    }
    // Client side: a response larger than its buffer.
    let mut response = server_response();
    let filler = format!("X-Filler: {}\r\n", "f".repeat(1100));
    let at = response.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    response.splice(at..at, filler.bytes());
    let mut ws = client_over(&response, 64);
    assert_eq!(
        ws.connect(&request()),
        Err(Error::Handshake(HandshakeError::HeadTooLarge))
    );
}

#[test]
fn handshake_truncated_by_eof() {
    let req = client_request();
    for cut in [0, 1, 10, req.len() - 1] {
        let (result, written) = serve(&req[..cut], 3, 1024);
        assert_eq!(result, Err(Error::UnexpectedEof), "{cut}");
        assert!(written.is_empty());
    }
}
