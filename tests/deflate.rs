//! permessage-deflate (RFC 7692) through the sans-IO core: negotiation in
//! both roles, compressed messages in, the RSV1 rules, corrupt data and a
//! decompression bomb.
#![cfg(feature = "deflate")]

use hybi::connection::{Chunk, Connection, Error, ServerHandshake};
use hybi::deflate::{DeflateConfig, Inflater, Inflating};
use hybi::handshake::{HandshakeError, client};
use hybi::{CloseCode, Config, Message, ProtocolError, Response, Server, Status};

type Rx<'a> = Inflating<&'a mut [u8], Inflater<[u8; 512]>>;
type ServerConn<'a> = Connection<Server, Rx<'a>, Vec<u8>>;

const REQUEST_START: &str = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
     Sec-WebSocket-Version: 13\r\n";

/// A server over a 9-bit inflate window, after a handshake whose request
/// carried `extensions` (if any); returns the connection and its `101`.
fn server_with<'a>(
    rx: &'a mut [u8],
    extensions: Option<&str>,
    config: DeflateConfig,
) -> (ServerConn<'a>, String) {
    let mut request = REQUEST_START.to_string();
    if let Some(e) = extensions {
        request += &format!("Sec-WebSocket-Extensions: {e}\r\n");
    }
    request += "\r\n";
    let rx = Inflating::new(rx, Inflater::new([0u8; 512]));
    let config = Config::new().deflate(config);
    let mut conn = Connection::new(Server, rx, vec![0; 512], config);
    conn.receive_buffer()[..request.len()].copy_from_slice(request.as_bytes());
    conn.received(request.len());
    let accepted = conn.accept(|_| Response::accept());
    assert!(matches!(
        accepted,
        Ok(Status::Complete(ServerHandshake::Accepted { .. }))
    ));
    let response = String::from_utf8(conn.transmit().to_vec()).unwrap();
    let len = conn.transmit().len();
    conn.transmitted(len);
    (conn, response)
}

/// A server that agreed to permessage-deflate with a 9-bit window, as with
/// Chromium's offer.
fn negotiated_server(rx: &mut [u8]) -> ServerConn<'_> {
    let (conn, response) = server_with(
        rx,
        Some("permessage-deflate; client_max_window_bits"),
        DeflateConfig::new(),
    );
    assert_eq!(
        extension_line(&response),
        Some("permessage-deflate; client_max_window_bits=9")
    );
    conn
}

fn extension_line(response: &str) -> Option<&str> {
    response
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Extensions: "))
}

/// A masked frame (key zero: the payload as it is) with the first header
/// byte `b0`.
fn frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut f = vec![b0, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    f.extend_from_slice(payload);
    f
}

/// Passes `bytes` to the connection as received.
macro_rules! feed {
    ($conn:expr, $bytes:expr) => {{
        let bytes: &[u8] = $bytes;
        assert_eq!($conn.receive(bytes), Ok(bytes.len()));
    }};
}

/// RFC 7692 section 7.2.3.1: "Hello", compressed.
const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
/// Section 7.2.3.2: "Hello" again, with the first in the window.
const HELLO_AGAIN: [u8; 5] = [0xf2, 0x00, 0x11, 0x00, 0x00];

#[test]
fn server_grants_a_small_window_and_inflates_the_rfc_examples() {
    let mut rx = [0u8; 1024];
    let (mut conn, response) = server_with(
        &mut rx,
        Some("permessage-deflate; client_max_window_bits"),
        DeflateConfig::new().window_bits(9),
    );
    assert_eq!(
        extension_line(&response),
        Some("permessage-deflate; client_max_window_bits=9")
    );
    let agreed = conn.deflate().unwrap();
    assert_eq!(agreed.receive_window_bits, 9);
    // Compressed text (FIN, RSV1, text), then the same with the first
    // message as context.
    feed!(conn, &frame(0xc1, &HELLO));
    assert_eq!(conn.read(), Ok(Some(Message::Text("Hello"))));
    feed!(conn, &frame(0xc1, &HELLO_AGAIN));
    assert_eq!(conn.read(), Ok(Some(Message::Text("Hello"))));
    // Uncompressed messages still pass (RSV1 clear).
    feed!(conn, &frame(0x81, b"plain"));
    assert_eq!(conn.read(), Ok(Some(Message::Text("plain"))));
    assert_eq!(conn.transmit(), b"");
}

#[test]
fn compressed_messages_split_anywhere_and_fragmented() {
    let mut rx = [0u8; 1024];
    let mut conn = negotiated_server(&mut rx);
    // Section 7.2.3.5's two blocks, in two fragments (RSV1 on the first
    // only), delivered a byte at a time.
    let two_blocks = [
        0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
    ];
    let mut bytes = frame(0x41, &two_blocks[..5]);
    bytes.extend(frame(0x80, &two_blocks[5..]));
    let mut got = None;
    for b in &bytes {
        feed!(conn, &[*b]);
        if let Some(m) = conn.read().unwrap() {
            got = Some(format!("{m:?}"));
        }
    }
    assert_eq!(got.as_deref(), Some("Text(\"Hello\")"));
}

#[test]
fn offers_it_cannot_honour_are_declined() {
    // Firefox's offer has no client_max_window_bits: a 9-bit server
    // declines it, and then RSV1 is a protocol error.
    let mut rx = [0u8; 1024];
    let (mut conn, response) = server_with(
        &mut rx,
        Some("permessage-deflate"),
        DeflateConfig::new().window_bits(9),
    );
    assert_eq!(extension_line(&response), None);
    assert_eq!(conn.deflate(), None);
    feed!(conn, &frame(0xc1, &HELLO));
    assert_eq!(
        conn.read(),
        Err(Error::Protocol(ProtocolError::ReservedBits(0x40)))
    );
    assert_eq!(conn.transmit(), b"\x88\x02\x03\xea");
    // Turned off, nothing is accepted.
    let mut rx = [0u8; 1024];
    let (_, response) = server_with(&mut rx, Some("permessage-deflate"), DeflateConfig::off());
    assert_eq!(extension_line(&response), None);
}

#[test]
fn a_buffer_without_inflate_memory_accepts_nothing() {
    let request = format!(
        "{REQUEST_START}Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    );
    let mut conn = Connection::new(Server, [0u8; 1024], [0u8; 512], Config::new());
    feed!(conn, request.as_bytes());
    assert!(conn.accept(|_| Response::accept()).is_ok());
    let response = String::from_utf8(conn.transmit().to_vec()).unwrap();
    assert_eq!(extension_line(&response), None);
}

#[test]
fn rsv1_only_on_a_data_message_s_first_frame() {
    let cases: [(&str, Vec<u8>); 3] = [
        ("on a ping", frame(0xc9, b"")),
        ("on a continuation", {
            let mut b = frame(0x41, &HELLO[..3]);
            b.extend(frame(0xc0, &HELLO[3..]));
            b
        }),
        ("on a close", frame(0xc8, &[0x03, 0xe8])),
    ];
    for (what, bytes) in cases {
        let mut rx = [0u8; 1024];
        let mut conn = negotiated_server(&mut rx);
        feed!(conn, &bytes);
        assert_eq!(
            conn.read(),
            Err(Error::Protocol(ProtocolError::ReservedBits(0x40))),
            "{what}"
        );
        assert_eq!(conn.transmit(), b"\x88\x02\x03\xea", "{what}");
    }
}

#[test]
fn corrupt_data_is_1007() {
    let cases: [(&str, &[u8]); 2] = [
        // BTYPE 11, reserved.
        ("a reserved block type", &[0x07]),
        // A back-reference 1024 bytes back, beyond a 512-byte window.
        (
            "a reference beyond the window",
            &[0x4a, 0x04, 0xe6, 0x7f, 0x00],
        ),
    ];
    for (what, payload) in cases {
        let mut rx = [0u8; 1024];
        let (mut conn, _) = server_with(
            &mut rx,
            Some("permessage-deflate; client_max_window_bits"),
            DeflateConfig::new().window_bits(9),
        );
        feed!(conn, &frame(0xc2, payload));
        assert_eq!(
            conn.read(),
            Err(Error::Protocol(ProtocolError::Inflate)),
            "{what}"
        );
        assert_eq!(
            conn.transmit(),
            [&b"\x88\x02"[..], &CloseCode::INVALID_PAYLOAD.to_be_bytes()].concat(),
            "{what}"
        );
    }
}

/// Writes DEFLATE's bit stream: fields least significant bit first,
/// Huffman codes most significant bit first (RFC 1951 section 3.1.1).
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    bit: u32,
}

impl Bits {
    fn push(&mut self, one: bool) {
        if self.bit == 0 {
            self.bytes.push(0);
        }
        if one {
            *self.bytes.last_mut().unwrap() |= 1 << self.bit;
        }
        self.bit = (self.bit + 1) % 8;
    }

    fn field(&mut self, value: u32, n: u32) {
        (0..n).for_each(|i| self.push(value >> i & 1 == 1));
    }

    fn code(&mut self, code: u32, n: u32) {
        (0..n).rev().for_each(|i| self.push(code >> i & 1 == 1));
    }
}

/// A compressed message of `runs * 258 + 1` bytes of `a`: one literal,
/// then matches of length 258 at distance 1 (13 bits each, fixed Huffman
/// codes), then the empty stored block whose last 4 bytes a sender
/// removes.
fn bomb(runs: usize) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.field(0, 1); // BFINAL
    bits.field(1, 2); // fixed Huffman codes
    bits.code(0x30 + u32::from(b'a'), 8);
    for _ in 0..runs {
        bits.code(0xc5, 8); // length code 285: 258
        bits.code(0, 5); // distance code 0: 1
    }
    bits.code(0, 7); // end of block
    bits.field(0, 3); // an empty stored block, not final
    bits.bytes
}

/// A masked header (key zero) for a payload of 126 to 65535 bytes.
fn header_16(b0: u8, len: usize) -> Vec<u8> {
    let len = u16::try_from(len).unwrap();
    assert!(len >= 126);
    let mut h = vec![b0, 0x80 | 126];
    h.extend_from_slice(&len.to_be_bytes());
    h.extend_from_slice(&[0, 0, 0, 0]);
    h
}

#[test]
fn a_decompression_bomb_is_1009_as_it_inflates() {
    // About 13 KiB inflating to 2 MiB, against a 1 MiB limit, through a
    // 4 KiB read buffer in chunks: refused once 1 MiB is passed.
    let payload = bomb(2 * 1024 * 1024 / 258);
    assert!(payload.len() < 14 * 1024);
    let mut rx = [0u8; 4096];
    let rx = Inflating::new(&mut rx[..], Inflater::new([0u8; 32768]));
    let config = Config::new().max_message_len(1 << 20);
    let mut conn = Connection::upgraded(Server, rx, vec![0u8; 512], config);
    let offer = hybi::handshake::Extension::parse("permessage-deflate");
    conn.start_deflate(DeflateConfig::new().accept([offer].into_iter()).unwrap());
    let mut wire = header_16(0xc2, payload.len());
    wire.extend_from_slice(&payload);
    let mut sent = 0;
    let mut inflated = 0;
    let error = loop {
        if sent < wire.len() {
            let n = conn.receive(&wire[sent..]).unwrap();
            sent += n;
        }
        match conn.read_chunk() {
            Ok(Some(Chunk::Binary { data, .. })) => inflated += data.len(),
            Ok(Some(other)) => panic!("{other:?}"),
            Ok(None) => assert!(sent < wire.len(), "stalled"),
            Err(e) => break e,
        }
    };
    assert_eq!(error, Error::Protocol(ProtocolError::MessageTooBig));
    assert_eq!(conn.transmit(), b"\x88\x02\x03\xf1");
    // The chunks handed out before: most of the limit, in pieces that fit
    // the buffer.
    assert!(inflated > 1 << 19 && inflated <= 1 << 20, "{inflated}");
}

#[test]
fn client_offers_and_checks_the_answer() {
    use hybi::Client;
    let rng = |dest: &mut [u8]| dest.fill(1);
    /// The server's answer, and the window and takeover agreed for what
    /// the server sends, or the handshake's error.
    type Case = (&'static str, Result<(u8, bool), HandshakeError>);
    let cases: [Case; 4] = [
        (
            "permessage-deflate; server_max_window_bits=9",
            Ok((9, false)),
        ),
        (
            "permessage-deflate; server_max_window_bits=9; server_no_context_takeover",
            Ok((9, true)),
        ),
        // The offer asked for 10 at most.
        (
            "permessage-deflate; server_max_window_bits=11",
            Err(HandshakeError::Deflate(
                hybi::deflate::params::ParamError::Value,
            )),
        ),
        (
            "permessage-deflate; server_max_window_bits=9, permessage-deflate; server_max_window_bits=9",
            Err(HandshakeError::Deflate(
                hybi::deflate::params::ParamError::Duplicate,
            )),
        ),
    ];
    for (answer, expected) in cases {
        let mut rx = [0u8; 1024];
        let rx = Inflating::new(&mut rx[..], Inflater::new([0u8; 1024]));
        let config = Config::new().deflate(DeflateConfig::new());
        let mut conn = Connection::new(Client::new(rng), rx, vec![0u8; 512], config);
        let request = client::Request::new("example.com", "/chat");
        let key = conn.write_request(&request).unwrap();
        let head = String::from_utf8(conn.transmit().to_vec()).unwrap();
        // The inflate memory holds 10 bits: the offer asks for that.
        assert!(
            head.contains(
                "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; \
                 server_max_window_bits=10\r\n"
            ),
            "{head}"
        );
        let response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Extensions: {answer}\r\n\r\n",
            key.accept().as_str()
        );
        feed!(conn, response.as_bytes());
        let result = conn.read_response(&request, &key).map(|_| {
            let agreed = conn.deflate().unwrap();
            (
                agreed.receive_window_bits,
                agreed.receive_no_context_takeover,
            )
        });
        assert_eq!(result, expected.map_err(Error::Handshake), "{answer}");
    }
}
