//! A whole client connection (handshake, then frames) fed arbitrary bytes,
//! cut into reads at the fuzzer's chosen points (through `Read`, and
//! through `BufRead` in `Lending`), with small buffers, partial writes and
//! transport timeouts; every message is echoed back.
//! The nonce is RFC 6455's sample, so a response carrying
//! `Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=` is accepted.
//!
//! Invariants: nothing panics or loops; no more payload is delivered than
//! was read; the request written is valid and the only thing written
//! before the handshake ends; every frame written is masked and valid,
//! echoes exactly the messages delivered, and a protocol error ends with
//! its close code; and the outcome is the same, read either way, as with
//! the whole input in one read.

#![no_main]

use embedded_io::ErrorKind;
use hybi::handshake::client::Request;
use hybi::handshake::server::{self, Incoming};
use hybi::http::EMPTY_HEADER;
use hybi::websocket::{Error, Lending, WebSocket};
use hybi::{Role, Status};
use hybi_fuzz::*;
use libfuzzer_sys::fuzz_target;

const PROTOCOLS: &[&str] = &["chat", "superchat"];
const REQUEST: Request<'static> = Request::new("server.example.com", "/chat")
    .origin("http://example.com")
    .protocols(PROTOCOLS);

fn run<'a, T: Transport>(
    setup: &Setup<'a>,
    sizes: &'a [u8],
) -> Run<Result<Option<&'static str>, Error<ErrorKind>>> {
    let transport = T::wrap(setup.transport(sizes));
    let mut ws = WebSocket::client(
        transport,
        vec![0; setup.rx],
        vec![0; setup.tx],
        FixedRng::default(),
        setup.config,
    );
    let handshake = ws.connect(&REQUEST);
    // The request went out whole, and is one a server accepts.
    let head = match head_len(&ws.transport().mock().written) {
        Some(len) => {
            let written = &ws.transport().mock().written;
            let mut headers = [EMPTY_HEADER; 16];
            let Ok(Status::Complete((Incoming::WebSocket(request), n))) =
                server::parse(&written[..len], &mut headers)
            else {
                panic!("invalid request written: {}", written.escape_ascii())
            };
            assert_eq!(n, len);
            assert_eq!(request.key(), b"dGhlIHNhbXBsZSBub25jZQ==");
            assert!(request.protocols().eq(PROTOCOLS.iter().copied()));
            len
        }
        None => {
            // Only a write buffer too small for the request writes nothing.
            assert_eq!(
                handshake,
                Err(Error::Handshake(
                    hybi::handshake::HandshakeError::BufferTooSmall
                ))
            );
            assert!(ws.transport().mock().written.is_empty());
            0
        }
    };
    let outcome = match handshake {
        Ok(protocol) => {
            assert!(protocol.is_none_or(|p| PROTOCOLS.contains(&p)));
            assert_eq!(ws.transport().mock().written.len(), head);
            ws.transport_mut().mock_mut().inject = true;
            Some(drive(&mut ws, setup.chunks, setup.close_first))
        }
        Err(Error::Handshake(e)) => {
            assert!(ws.is_closed() || e == hybi::handshake::HandshakeError::BufferTooSmall);
            assert_eq!(ws.transport().mock().written.len(), head);
            None
        }
        Err(Error::UnexpectedEof) => None,
        Err(e) => panic!("handshake: {e:?}"),
    };
    let written = ws.into_parts().0.into_mock().written;
    if let Some(outcome) = &outcome {
        let frames = check_frames(Role::Client, &written[head..]);
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
) -> Run<Result<Option<&'static str>, Error<ErrorKind>>> {
    let mut mock = setup.transport(sizes);
    let client = hybi::Client::new(FixedRng::default());
    let mut conn = Core::new(client, vec![0; setup.rx], vec![0; setup.tx], setup.config);
    // The request's length, as the blocking runs count it.
    let mut head = 0;
    let handshake = match conn.write_request(&REQUEST) {
        Ok(key) => {
            transmit(&mut conn, &mut mock);
            head = mock.written.len();
            loop {
                match conn.read_response(&REQUEST, &key) {
                    Ok(Status::Complete(protocol)) => break Ok(protocol),
                    Ok(Status::Partial(_)) => {
                        if !receive(&mut conn, &mut mock) {
                            break Err(error(conn.end_of_input()));
                        }
                    }
                    Err(e) => break Err(error(e)),
                }
            }
        }
        Err(e) => Err(error(e)),
    };
    let outcome = match handshake {
        Ok(_) => {
            mock.inject = true;
            Some(drive_core(
                &mut conn,
                &mut mock,
                setup.chunks,
                setup.close_first,
            ))
        }
        Err(_) => None,
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
