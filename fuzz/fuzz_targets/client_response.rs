//! `handshake::client::Request::parse_response` on arbitrary bytes, for a
//! request that offers two subprotocols and one extension, with RFC 6455's
//! sample nonce (so `Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`
//! is the right answer).
//!
//! Invariants: an accepted response is a 101 without a body, upgrades to
//! websocket, carries the right accept value exactly once, and chooses
//! only what was offered; the head ends at a blank line; partial input
//! asks for at least one byte; no error carries a server status.

#![no_main]

use hybi::Status;
use hybi::handshake::client::Request;
use hybi::handshake::{ClientKey, HandshakeError};
use hybi::http::{self, EMPTY_HEADER};
use libfuzzer_sys::fuzz_target;

const PROTOCOLS: &[&str] = &["chat", "superchat"];
const EXTENSIONS: &[&str] = &["permessage-deflate; client_max_window_bits"];

fuzz_target!(|data: &[u8]| {
    let request = Request::new("server.example.com", "/chat")
        .protocols(PROTOCOLS)
        .extensions(EXTENSIONS);
    let key = ClientKey::from_nonce(*b"the sample nonce");
    let mut headers = [EMPTY_HEADER; 32];
    match request.parse_response(&key, data, &mut headers) {
        Ok(Status::Complete((response, len))) => {
            assert!(len <= data.len() && data[..len].ends_with(b"\r\n\r\n"));
            let head = response.head();
            assert_eq!(head.status, 101);
            assert!(head.header("Content-Length").is_none());
            assert!(head.header("Transfer-Encoding").is_none());
            assert!(http::list_contains(head.headers, "Upgrade", "websocket"));
            assert!(http::list_contains(head.headers, "Connection", "Upgrade"));
            assert_eq!(head.headers_named("Sec-WebSocket-Accept").count(), 1);
            assert_eq!(
                head.header("Sec-WebSocket-Accept"),
                Some(&b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="[..])
            );
            assert!(response.protocol().is_none_or(|p| PROTOCOLS.contains(&p)));
            assert!(
                response
                    .extensions()
                    .all(|e| e.name.eq_ignore_ascii_case("permessage-deflate"))
            );
        }
        Ok(Status::Partial(n)) => assert!(n >= 1),
        Err(e) => {
            // A client answers no status: it drops the connection. Only
            // HTTP-level errors map to one (they are shared with requests).
            if !matches!(
                e,
                HandshakeError::Http(_)
                    | HandshakeError::MissingHeader(_)
                    | HandshakeError::DuplicateHeader(_)
                    | HandshakeError::InvalidHeader(_)
            ) {
                assert_eq!(e.status_code(), None, "{e:?}");
            }
        }
    }
});
