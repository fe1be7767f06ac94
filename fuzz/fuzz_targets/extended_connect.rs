//! `handshake::connect` (RFC 8441 / RFC 9220) on arbitrary field lists:
//! the input is lines (`\n`), each a field name, `=`, and its value.
//!
//! Invariants: a WebSocket request is a CONNECT for `websocket` with a
//! path that starts with `/` and an authority, its subprotocols are
//! tokens, and the `200` that accepts it (with each offered subprotocol)
//! is an answer a client that offered them accepts; every error has the
//! status 400, 426 or 501 and an answer with that status; a client's check
//! of the same list as a response never panics.

#![no_main]

use hybi::handshake::client;
use hybi::handshake::connect::{self, Incoming};
use hybi::handshake::server::Response;
use hybi::http::{self, Header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines: Vec<(String, &[u8])> = data
        .split(|&b| b == b'\n')
        .map(|line| {
            let at = line.iter().position(|&b| b == b'=').unwrap_or(line.len());
            let name = String::from_utf8_lossy(&line[..at]).into_owned();
            (name, line.get(at + 1..).unwrap_or_default())
        })
        .collect();
    let fields: Vec<Header<'_>> = lines
        .iter()
        .map(|(name, value)| Header { name, value })
        .collect();
    match connect::parse(&fields) {
        Ok(Incoming::WebSocket(request)) => {
            assert_eq!(request.head().method, "CONNECT");
            assert_eq!(request.head().protocol, Some(connect::PROTOCOL));
            assert!(request.path().starts_with('/'));
            assert!(!request.authority().is_empty());
            assert!(request.protocols().all(http::is_token));
            let offered: Vec<&str> = request.protocols().collect();
            let client = client::Request::new("h", "/").protocols(&offered);
            for chosen in [None].into_iter().chain(offered.iter().map(|p| Some(*p))) {
                let response = Response::accept().protocol(chosen);
                let answer = request.answer(&response, None).expect("an offered protocol");
                assert_eq!(answer.status(), 200);
                let answered: Vec<(&str, &str)> = answer.fields().collect();
                let answered: Vec<Header<'_>> = answered
                    .iter()
                    .map(|&(name, value)| Header { name, value: value.as_bytes() })
                    .collect();
                let accepted = connect::check_response(&client, &answered).expect("accepted");
                assert_eq!(accepted.protocol(), chosen);
            }
        }
        Ok(Incoming::Http(head)) => {
            assert_ne!(head.method, "CONNECT");
            assert!(head.protocol.is_none());
        }
        Err(e) => {
            let status = e.status_code().expect("a request error has a status");
            assert!(matches!(status, 400 | 426 | 501), "{e:?}: {status}");
            let answer = e.answer();
            assert_eq!(answer.status(), status);
            assert_eq!(answer.fields().next(), Some((":status", &*status.to_string())));
        }
    }
    let _ = connect::check_response(&client::Request::new("h", "/"), &fields);
});
