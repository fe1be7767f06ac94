//! A whole server connection (handshake, then frames) fed arbitrary bytes,
//! cut into reads at the fuzzer's chosen points (through `Read`, and
//! through `BufRead` in `Lending`), with small buffers, partial writes and
//! transport timeouts; every message is echoed back.
//!
//! The server accepts with `chat` when it is offered, and refuses a request
//! for a path ending in `/403` with a 403, a header field and a body.
//!
//! Invariants: nothing panics or loops; no more payload is delivered than
//! was read; the handshake answer is a valid 101 with the right
//! `Sec-WebSocket-Accept`, or exactly the refusal, or exactly the rejection
//! for the error returned;
//! every frame written is valid for a client to receive, echoes exactly the
//! messages delivered, and a protocol error ends with its close code; and
//! the outcome is the same, read either way or fed to the connection core
//! directly, as with the whole input in one read.

#![no_main]

use base64ct::Encoding;
use embedded_io::ErrorKind;
use hybi::handshake::server::{Request, Response, write_rejection};
use hybi::handshake::{AcceptKey, HandshakeError};
use hybi::http::{self, EMPTY_HEADER};
use hybi::websocket::{Error, Lending, ServerHandshake, WebSocket};
use hybi::{Role, Status};
use hybi_fuzz::*;
use libfuzzer_sys::fuzz_target;

/// The refusal's body.
const BODY: &[u8] = b"not here";

/// The refusal, as it goes on the wire.
const REFUSAL: &[u8] = b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 8\r\n\
    X-Fuzz: refused\r\n\r\nnot here";

/// The server's answer: `chat` if offered (borrowed from the request), or
/// the refusal for a path ending in `/403`.
fn answer<'r>(request: &Request<'_, 'r>) -> Response<'r, 'static> {
    if request.path().ends_with("/403") {
        return Response::reject(403)
            .headers(&[("X-Fuzz", "refused")])
            .body(BODY);
    }
    Response::accept().protocol(request.protocols().find(|p| *p == "chat"))
}

fn run<'a, T: Transport>(
    setup: &Setup<'a>,
    sizes: &'a [u8],
) -> Run<Result<Option<ServerHandshake>, Error<ErrorKind>>> {
    let transport = T::wrap(setup.transport(sizes));
    let mut ws = WebSocket::server(
        transport,
        vec![0; setup.rx],
        vec![0; setup.tx],
        setup.config,
    );
    let mut key = None;
    let handshake = ws.accept(|request| {
        key = Some(request.key().to_vec());
        answer(request)
    });
    let mut head = 0;
    let (handshake, outcome) = match handshake {
        Ok(ServerHandshake::Accepted { protocol }) => {
            let key = key.expect("the request was seen");
            let mut decoded = [0u8; 32];
            let nonce = base64ct::Base64::decode(&key, &mut decoded).expect("key is base64");
            assert_eq!(nonce.len(), 16, "validated key decodes to 16 bytes");
            let written = &ws.transport().mock().written;
            let mut headers = [EMPTY_HEADER; 16];
            let Ok(Status::Complete((response, len))) = http::parse_response(written, &mut headers)
            else {
                panic!("unparseable 101: {}", written.escape_ascii())
            };
            assert_eq!(response.status, 101);
            let accept = AcceptKey::for_key(&key);
            assert_eq!(
                response.header("Sec-WebSocket-Accept"),
                Some(accept.as_bytes())
            );
            assert_eq!(
                response.header("Sec-WebSocket-Protocol"),
                protocol.as_deref().map(str::as_bytes)
            );
            head = len;
            ws.transport_mut().mock_mut().inject = true;
            let outcome = drive(&mut ws, setup.chunks, setup.close_first);
            (
                Ok(Some(ServerHandshake::Accepted { protocol })),
                Some(outcome),
            )
        }
        Ok(ServerHandshake::Http) => {
            let mut headers = [EMPTY_HEADER; 32];
            assert!(ws.http_request(&mut headers).is_some());
            assert!(ws.transport().mock().written.is_empty());
            let page = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
            ws.write_raw(page).expect("write_raw");
            assert_eq!(ws.transport().mock().written, page);
            assert!(matches!(ws.read(), Err(Error::InvalidState)));
            (Ok(None), None)
        }
        Err(Error::Handshake(HandshakeError::Refused(status))) => {
            assert_eq!(status, 403);
            assert!(key.is_some(), "the request was seen");
            assert_eq!(ws.transport().mock().written, REFUSAL);
            assert!(ws.is_closed());
            (Err(Error::Handshake(HandshakeError::Refused(status))), None)
        }
        Err(Error::Handshake(e)) => {
            let written = &ws.transport().mock().written;
            let mut expected = [0u8; 256];
            let n = write_rejection(e, &mut expected).expect("rejection fits 256 bytes");
            if e == HandshakeError::BufferTooSmall {
                // The 101 or the refusal did not fit (a 500 went out), or
                // the rejection did not either (nothing went out).
                assert!(written.is_empty() || written[..] == expected[..n]);
            } else {
                let status = e.status_code().expect("a request error has a status");
                assert!(matches!(status, 400 | 426 | 431), "{e:?}");
                assert_eq!(written[..], expected[..n], "{e:?}");
            }
            assert!(ws.is_closed());
            (Err(Error::Handshake(e)), None)
        }
        Err(Error::UnexpectedEof) => {
            assert!(ws.transport().mock().written.is_empty());
            (Err(Error::UnexpectedEof), None)
        }
        Err(e) => panic!("handshake: {e:?}"),
    };
    let written = ws.into_parts().0.into_mock().written;
    if let Some(outcome) = &outcome {
        let frames = check_frames(Role::Server, &written[head..]);
        check_ending(outcome, &frames);
    }
    Run {
        handshake,
        outcome,
        written,
        head,
    }
}

/// The same, with the connection core fed directly: no transport.
fn run_core<'a>(
    setup: &Setup<'a>,
    sizes: &'a [u8],
) -> Run<Result<Option<ServerHandshake>, Error<ErrorKind>>> {
    let mut mock = setup.transport(sizes);
    let mut conn = Core::new(
        hybi::Server,
        vec![0; setup.rx],
        vec![0; setup.tx],
        setup.config,
    );
    let handshake = loop {
        let accepted = conn.accept(answer);
        transmit(&mut conn, &mut mock);
        match accepted {
            Ok(Status::Complete(ServerHandshake::Http)) => {
                let page = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
                embedded_io::Write::write_all(&mut mock, page).expect("in memory");
                break Ok(None);
            }
            Ok(Status::Complete(accepted)) => break Ok(Some(accepted)),
            Ok(Status::Partial(_)) => {
                if !receive(&mut conn, &mut mock) {
                    break Err(error(conn.end_of_input()));
                }
            }
            Err(e) => break Err(error(e)),
        }
    };
    // Counted, as the blocking runs count it, only for an open connection.
    let head = if matches!(handshake, Ok(Some(_))) {
        mock.written.len()
    } else {
        0
    };
    let outcome = match handshake {
        Ok(Some(_)) => {
            mock.inject = true;
            Some(drive_core(
                &mut conn,
                &mut mock,
                setup.chunks,
                setup.close_first,
            ))
        }
        _ => None,
    };
    Run {
        handshake,
        outcome,
        written: mock.written,
        head,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(setup) = Setup::parse(data) else {
        return;
    };
    let whole = run::<Mock>(&setup, &[]);
    let cut = run::<Mock>(&setup, setup.sizes);
    let lending = run::<Lending<Mock>>(&setup, setup.sizes);
    let core = run_core(&setup, setup.sizes);
    cut.assert_agrees(&whole, setup.chunks);
    lending.assert_agrees(&whole, setup.chunks);
    core.assert_agrees(&whole, setup.chunks);
});
