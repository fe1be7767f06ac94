//! `handshake::server::parse` and the request validation on arbitrary
//! bytes.
//!
//! Invariants: a WebSocket request's key decodes to 16 bytes, its
//! subprotocols are tokens and its extensions are named by tokens, its 101
//! response is written and parses back with the `Sec-WebSocket-Accept`
//! that `sha1_smol` and `base64ct` compute, the head ends at a blank line and parses the
//! same on its own; every error has a status (400, 426 or 431 for the
//! size) and a rejection that parses with that status; partial input asks
//! for at least one byte, and the verdict on the whole head does not
//! depend on bytes after it.

#![no_main]

use base64ct::{Base64, Encoding};
use hybi::Status;
use hybi::handshake::AcceptKey;
use hybi::handshake::server::{self, Incoming, write_rejection};
use hybi::http::{self, EMPTY_HEADER};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut headers = [EMPTY_HEADER; 32];
    match server::parse(data, &mut headers) {
        Ok(Status::Complete((incoming, len))) => {
            assert!(len <= data.len() && data[..len].ends_with(b"\r\n\r\n"));
            match incoming {
                Incoming::WebSocket(request) => {
                    let mut nonce = [0u8; 32];
                    let decoded = Base64::decode(request.key(), &mut nonce).expect("base64 key");
                    assert_eq!(decoded.len(), 16);
                    assert_eq!(request.head().method, "GET");
                    assert_eq!(request.head().minor_version, 1);
                    assert!(!request.host().is_empty());
                    assert!(request.protocols().all(http::is_token));
                    assert!(request.extensions().all(|e| http::is_token(e.name)));
                    let mut out = [0u8; 1024];
                    let n = request
                        .write_response(None, &[], &mut out)
                        .expect("101 fits");
                    let mut response_headers = [EMPTY_HEADER; 8];
                    let Ok(Status::Complete((response, used))) =
                        http::parse_response(&out[..n], &mut response_headers)
                    else {
                        panic!("unparseable 101")
                    };
                    assert_eq!((response.status, used), (101, n));
                    let accept = AcceptKey::for_key(request.key());
                    assert_eq!(
                        response.header("Sec-WebSocket-Accept"),
                        Some(accept.as_bytes())
                    );
                    // The accept value by the reference crates: base64 of
                    // SHA-1 of the key and the GUID.
                    let mut sha1 = sha1_smol::Sha1::new();
                    sha1.update(request.key());
                    sha1.update(hybi::handshake::GUID.as_bytes());
                    let mut expected = [0u8; 28];
                    let expected = Base64::encode(&sha1.digest().bytes(), &mut expected)
                        .expect("28 characters");
                    assert_eq!(accept.as_str(), expected);
                    // Every offered protocol can be chosen.
                    if let Some(p) = request.protocols().next() {
                        request
                            .write_response(Some(p), &[], &mut out)
                            .expect("protocol");
                    }
                }
                Incoming::Http(head) => {
                    assert!(!http::list_contains(head.headers, "Upgrade", "websocket"));
                    assert!(head.header("Sec-WebSocket-Key").is_none());
                    assert!(head.header("Sec-WebSocket-Version").is_none());
                }
            }
            // The head alone gives the same verdict.
            let mut again = [EMPTY_HEADER; 32];
            assert!(matches!(
                server::parse(&data[..len], &mut again),
                Ok(Status::Complete((_, l))) if l == len
            ));
        }
        Ok(Status::Partial(n)) => assert!(n >= 1),
        Err(e) => {
            let status = e.status_code().expect("a request error has a status");
            assert!(matches!(status, 400 | 426), "{e:?}: {status}");
            let mut out = [0u8; 256];
            let n = write_rejection(e, &mut out).expect("rejection fits");
            let mut response_headers = [EMPTY_HEADER; 8];
            let Ok(Status::Complete((response, used))) =
                http::parse_response(&out[..n], &mut response_headers)
            else {
                panic!("unparseable rejection")
            };
            assert_eq!((response.status, used), (status, n));
            // Bytes after the point of failure change nothing.
            let mut longer = data.to_vec();
            longer.extend_from_slice(b"\r\n\r\n");
            let mut again = [EMPTY_HEADER; 32];
            assert_eq!(
                server::parse(&longer, &mut again).map(|s| s.map(|_| ())),
                Err(e)
            );
        }
    }
});
