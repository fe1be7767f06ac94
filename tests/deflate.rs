//! permessage-deflate (RFC 7692) through the sans-IO core: negotiation in
//! both roles, compressed messages in, the RSV1 rules, corrupt data and a
//! decompression bomb.
#![cfg(feature = "deflate")]

/// The tests' shared in-memory transport.
#[cfg(feature = "std")]
mod common;

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

/// Compressed messages both ways between hybi's own client and server, as
/// far as `std` compresses them.
#[cfg(feature = "std")]
mod round_trips {
    use super::*;
    use hybi::Client;
    use hybi::connection::Queued;
    use hybi::reassembly::DataKind;

    type Rx = Inflating<Vec<u8>, Inflater<Vec<u8>>>;
    type Rng = fn(&mut [u8]);
    type ClientConn = Connection<Client<Rng>, Rx, Vec<u8>>;
    type ServerConn = Connection<Server, Rx, Vec<u8>>;

    fn rng(dest: &mut [u8]) {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = 0x5a ^ i as u8;
        }
    }

    fn rx(len: usize, bits: u8) -> Rx {
        Inflating::new(vec![0; len], Inflater::new(vec![0; 1 << bits]))
    }

    /// Moves what `from` has to transmit to `to`, `chunk` bytes at a time.
    fn pass<A, B, RA, RB>(
        from: &mut Connection<A, RA, Vec<u8>>,
        to: &mut Connection<B, RB, Vec<u8>>,
        chunk: usize,
    ) where
        A: hybi::Endpoint,
        B: hybi::Endpoint,
        RA: hybi::Buffer,
        RB: hybi::Buffer,
    {
        while !from.transmit().is_empty() {
            let piece = &from.transmit()[..chunk.min(from.transmit().len())];
            let n = to.receive(piece).unwrap();
            from.transmitted(n);
            if n == 0 {
                return;
            }
        }
    }

    /// A client and a server over buffers of `rx_len` and `tx_len` bytes,
    /// each with inflate memory for `bits`, after their handshake.
    fn pair(
        client_config: DeflateConfig,
        server_config: DeflateConfig,
        rx_len: usize,
        tx_len: usize,
    ) -> (ClientConn, ServerConn) {
        let config = |d| Config::new().deflate(d).max_message_len(1 << 24);
        let client_bits = client_config.max_window_bits();
        let server_bits = server_config.max_window_bits();
        let mut client = Connection::new(
            Client::new(rng as Rng),
            rx(rx_len.max(1024), client_bits),
            vec![0; tx_len.max(512)],
            config(client_config),
        );
        let mut server = Connection::new(
            Server,
            rx(rx_len.max(1024), server_bits),
            vec![0; tx_len.max(512)],
            config(server_config),
        );
        let request = client::Request::new("localhost", "/");
        let key = client.write_request(&request).unwrap();
        pass(&mut client, &mut server, usize::MAX);
        assert!(matches!(
            server.accept(|_| Response::accept()),
            Ok(Status::Complete(ServerHandshake::Accepted { .. }))
        ));
        pass(&mut server, &mut client, usize::MAX);
        assert!(matches!(
            client.read_response(&request, &key),
            Ok(Status::Complete(_))
        ));
        let (c, s) = (client.deflate().unwrap(), server.deflate().unwrap());
        assert_eq!(c.send_window_bits, s.receive_window_bits);
        assert_eq!(s.send_window_bits, c.receive_window_bits);
        // The buffers the handshake ran in become the frames' buffers.
        let _ = (rx_len, tx_len);
        (client, server)
    }

    /// A message as one side received it.
    #[derive(Debug, PartialEq)]
    struct Got {
        kind: DataKind,
        data: Vec<u8>,
    }

    /// Sends `data` from `from` to `to` as one message, with a ping
    /// before it and one between its frames, the bytes crossing in
    /// `chunk`-byte pieces, and reads it with `read_chunk` or `read`.
    /// Returns the message and the number of bytes that went on the wire.
    fn send<A, B>(
        from: &mut Connection<A, Rx, Vec<u8>>,
        to: &mut Connection<B, Rx, Vec<u8>>,
        kind: DataKind,
        data: &[u8],
        chunk: usize,
        chunks: bool,
    ) -> (Got, usize)
    where
        A: hybi::Endpoint,
        B: hybi::Endpoint,
    {
        let mut wire = 0;
        let mut got = Got {
            kind,
            data: Vec::new(),
        };
        let mut done = false;
        assert_eq!(from.write_ping(b"p"), Ok(Queued::Whole));
        let queued = loop {
            let queued = match kind {
                DataKind::Text => from.write_text(std::str::from_utf8(data).unwrap()),
                DataKind::Binary => from.write_binary(data),
            };
            match queued.unwrap() {
                Queued::Full => {
                    wire += from.transmit().len();
                    pass(from, to, chunk);
                    read(to, &mut got, &mut done, chunks);
                }
                queued => break queued,
            }
        };
        let mut taken = match queued {
            Queued::Partly(n) => n,
            _ => data.len(),
        };
        let mut pinged = false;
        while !done || taken < data.len() || !from.transmit().is_empty() {
            wire += from.transmit().len();
            pass(from, to, chunk);
            read(to, &mut got, &mut done, chunks);
            // The pongs go nowhere.
            let pongs = to.transmit().len();
            to.transmitted(pongs);
            if taken < data.len() && from.transmit().is_empty() {
                if !pinged {
                    assert_eq!(from.write_ping(b"q"), Ok(Queued::Whole));
                    pinged = true;
                }
                taken += from.write_payload(&data[taken..]);
            }
        }
        (got, wire)
    }

    fn read<B: hybi::Endpoint>(
        to: &mut Connection<B, Rx, Vec<u8>>,
        got: &mut Got,
        done: &mut bool,
        chunks: bool,
    ) {
        loop {
            if chunks {
                match to.read_chunk().unwrap() {
                    Some(Chunk::Text { data, last }) => {
                        got.data.extend_from_slice(data.as_bytes());
                        *done |= last;
                    }
                    Some(Chunk::Binary { data, last }) => {
                        got.data.extend_from_slice(data);
                        *done |= last;
                    }
                    Some(other) => panic!("{other:?}"),
                    None => return,
                }
            } else {
                match to.read().unwrap() {
                    Some(Message::Text(text)) => {
                        got.data.extend_from_slice(text.as_bytes());
                        *done = true;
                    }
                    Some(Message::Binary(data)) => {
                        got.data.extend_from_slice(data);
                        *done = true;
                    }
                    Some(other) => panic!("{other:?}"),
                    None => return,
                }
            }
        }
    }

    /// JSON-like text, compressible, with a few multi-byte characters.
    fn text(len: usize, seed: u32) -> String {
        let mut out = String::new();
        let mut i = seed;
        while out.len() < len {
            i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            out += &format!(
                "{{\"id\":{},\"name\":\"sensor-{}\",\"ok\":true,\"t\":\"20°C\"}},",
                i % 977,
                i % 13
            );
        }
        while out.len() > len {
            out.pop();
        }
        out
    }

    fn noise(len: usize, seed: u32) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    #[test]
    fn both_ways_every_window_with_and_without_context_takeover() {
        let mut case = 0u32;
        for bits in 9..=15u8 {
            for no_takeover in [false, true] {
                let client_config = DeflateConfig::new()
                    .window_bits(bits)
                    .no_context_takeover(no_takeover)
                    .min_len(1);
                let server_config = DeflateConfig::new()
                    .window_bits(15 - (bits - 9))
                    .peer_no_context_takeover(no_takeover)
                    .min_len(1);
                // Small write buffers fragment the larger messages; a
                // small read buffer passes them in chunks only, a larger
                // one holds them whole too.
                let rx_len = if no_takeover { 1024 } else { 24 * 1024 };
                let (mut client, mut server) = pair(client_config, server_config, rx_len, 512);
                for (i, len) in [1usize, 100, 3000, 20_000].into_iter().enumerate() {
                    case += 1;
                    let chunk = 1 + (case as usize * 7) % 17;
                    let chunks = case % 2 == 0 || len > rx_len - 139;
                    let t = text(len, case);
                    let (got, wire) = send(
                        &mut client,
                        &mut server,
                        DataKind::Text,
                        t.as_bytes(),
                        chunk,
                        chunks,
                    );
                    assert_eq!(
                        got.data,
                        t.as_bytes(),
                        "client to server, {bits} bits, {len} B"
                    );
                    if len >= 3000 {
                        assert!(wire < len / 2, "{wire} bytes on the wire for {len}");
                    }
                    let n = noise(len, case);
                    let chunks = !chunks || len > rx_len - 139;
                    let (got, _) = send(
                        &mut server,
                        &mut client,
                        DataKind::Binary,
                        &n,
                        chunk,
                        chunks,
                    );
                    assert_eq!(
                        got.data, n,
                        "server to client, {bits} bits, {len} B, case {i}"
                    );
                }
            }
        }
    }

    /// Sends `data` from `from` to `to` as a message written in
    /// fragments of `sizes` (in turn), crossing in `chunk`-byte pieces;
    /// returns what `to` read in chunks and the bytes on the wire.
    fn send_fragments<A, B>(
        from: &mut Connection<A, Rx, Vec<u8>>,
        to: &mut Connection<B, Rx, Vec<u8>>,
        data: &[u8],
        sizes: &[usize],
        chunk: usize,
    ) -> (Got, usize)
    where
        A: hybi::Endpoint,
        B: hybi::Endpoint,
    {
        let mut got = Got {
            kind: DataKind::Binary,
            data: Vec::new(),
        };
        let (mut done, mut wire, mut at, mut i) = (false, 0, 0, 0);
        let mut first_byte = None;
        let mut flush = |from: &mut Connection<A, Rx, Vec<u8>>,
                         to: &mut Connection<B, Rx, Vec<u8>>,
                         got: &mut Got,
                         done: &mut bool| {
            if first_byte.is_none() {
                first_byte = from.transmit().first().copied();
            }
            wire += from.transmit().len();
            pass(from, to, chunk);
            read(to, got, done, true);
        };
        loop {
            let size = sizes[i % sizes.len()].min(data.len() - at);
            i += 1;
            let piece = &data[at..at + size];
            let last = at + size == data.len();
            let mut taken = loop {
                match from.write_fragment(DataKind::Binary, piece, last).unwrap() {
                    Queued::Full => flush(from, to, &mut got, &mut done),
                    Queued::Partly(n) => break n,
                    Queued::Whole => break piece.len(),
                }
            };
            while taken < piece.len() {
                flush(from, to, &mut got, &mut done);
                taken += from.write_payload(&piece[taken..]);
            }
            at += size;
            if last {
                break;
            }
        }
        while !done || !from.transmit().is_empty() {
            flush(from, to, &mut got, &mut done);
        }
        assert_eq!(first_byte, Some(0x42), "RSV1 on the first frame, not FIN");
        (got, wire)
    }

    #[test]
    fn fragments_written_by_the_caller_go_compressed() {
        for (bits, sizes) in [
            (15u8, &[3000usize, 0, 1, 700][..]),
            (9, &[100, 5000][..]),
            (12, &[65536][..]),
        ] {
            let config = DeflateConfig::new().window_bits(bits);
            let (mut client, mut server) = pair(config, config, 1024, 512);
            for round in 0..3u32 {
                let t = text(40_000, round);
                let chunk = 1 + (round as usize * 5) % 17;
                let (got, wire) =
                    send_fragments(&mut client, &mut server, t.as_bytes(), sizes, chunk);
                assert!(got.data == t.as_bytes(), "{bits} bits, round {round}");
                assert!(wire < t.len() / 2, "{wire}");
                let (got, _) = send_fragments(&mut server, &mut client, t.as_bytes(), sizes, 4096);
                assert!(got.data == t.as_bytes(), "{bits} bits, round {round}, back");
            }
        }
    }

    #[test]
    fn a_large_frame_of_data_that_does_not_compress_through_a_small_buffer() {
        // One frame of 20,000 compressed bytes (noise does not shrink)
        // into a 1 KiB read buffer, read in chunks: the bytes still to
        // inflate fill much of the buffer, and chunks are handed out
        // whatever their size.
        let (mut client, mut server) =
            pair(DeflateConfig::new(), DeflateConfig::new(), 1024, 1 << 16);
        let n = noise(20_000, 3);
        assert_eq!(server.write_binary(&n), Ok(Queued::Whole));
        for chunk in [1024, 300] {
            let bytes = server.transmit().to_vec();
            let mut got = Got {
                kind: DataKind::Binary,
                data: Vec::new(),
            };
            let mut done = false;
            let mut at = 0;
            while !done {
                let end = (at + chunk).min(bytes.len());
                at += client.receive(&bytes[at..end]).unwrap();
                read(&mut client, &mut got, &mut done, true);
            }
            assert!(got.data == n, "{chunk}");
            assert_eq!(server.write_binary(&n), Ok(Queued::Whole));
            let len = server.transmit().len();
            server.transmitted(0);
            let _ = len;
        }
    }

    #[test]
    fn small_messages_go_uncompressed() {
        let (mut client, mut server) = pair(DeflateConfig::new(), DeflateConfig::new(), 2048, 512);
        // Under the default threshold: the frame's RSV1 is clear.
        assert_eq!(client.write_text("short"), Ok(Queued::Whole));
        assert_eq!(client.transmit()[0], 0x81);
        pass(&mut client, &mut server, usize::MAX);
        assert_eq!(server.read(), Ok(Some(Message::Text("short"))));
        let long = text(1000, 1);
        assert_eq!(server.write_text(&long), Ok(Queued::Whole));
        assert_eq!(server.transmit()[0], 0xc1, "RSV1 set");
        assert!(server.transmit().len() < 500);
        pass(&mut server, &mut client, usize::MAX);
        assert_eq!(client.read(), Ok(Some(Message::Text(long.as_str()))));
    }

    #[test]
    fn a_large_message_through_small_buffers() {
        // 1 MiB of text through 1 KiB read buffers in chunks, and a
        // 512-byte write buffer: many frames, each inflated as it comes.
        let (mut client, mut server) = pair(DeflateConfig::new(), DeflateConfig::new(), 1024, 512);
        let t = text(1 << 20, 7);
        let (got, wire) = send(
            &mut client,
            &mut server,
            DataKind::Text,
            t.as_bytes(),
            4096,
            true,
        );
        assert_eq!(got.data.len(), t.len());
        assert!(got.data == t.as_bytes());
        assert!(wire < t.len() / 4, "{wire}");
    }
}

/// Compressed messages through the blocking and async drivers, over the
/// in-memory transport in small reads, and through split halves over TCP.
#[cfg(feature = "std")]
mod drivers {
    use super::*;
    use hybi::Client;
    use hybi::handshake::Extension;
    use hybi::websocket::{self, WebSocket};

    use crate::common::Mock;

    type Rx = Inflating<Vec<u8>, Inflater<Vec<u8>>>;

    fn rx(len: usize) -> Rx {
        Inflating::new(vec![0; len], Inflater::new(vec![0; 1 << 15]))
    }

    /// What a server agrees to a plain offer, and what its client agrees.
    fn agreed() -> (hybi::deflate::Negotiated, hybi::deflate::Negotiated) {
        let server = DeflateConfig::new()
            .accept([Extension::parse("permessage-deflate")].into_iter())
            .unwrap();
        let client = DeflateConfig::new().check_response("").unwrap();
        (server, client)
    }

    /// The messages sent each way: text and binary, small and large.
    fn messages() -> Vec<(bool, Vec<u8>)> {
        let json = |n: usize| {
            (0..n)
                .map(|i| format!("{{\"n\":{i},\"v\":\"reading\"}}"))
                .collect::<String>()
                .into_bytes()
        };
        vec![
            (true, json(5)),
            (false, (0..3000u32).map(|i| (i * 7 % 251) as u8).collect()),
            (true, json(2000)),
            (true, b"tiny".to_vec()),
        ]
    }

    /// A client connection core that compresses, with the bytes it sends
    /// for `messages` (a ping among them).
    fn client_frames(messages: &[(bool, Vec<u8>)]) -> Vec<u8> {
        let rng = |dest: &mut [u8]| dest.fill(9);
        let mut client = Connection::upgraded(
            Client::new(rng),
            rx(1024),
            vec![0u8; 1 << 20],
            Config::new(),
        );
        client.start_deflate(agreed().1);
        for (i, (text, data)) in messages.iter().enumerate() {
            if i == 1 {
                assert_eq!(client.write_ping(b"p"), Ok(hybi::connection::Queued::Whole));
            }
            let queued = if *text {
                client.write_text(std::str::from_utf8(data).unwrap())
            } else {
                client.write_binary(data)
            };
            assert_eq!(queued, Ok(hybi::connection::Queued::Whole));
        }
        let bytes = client.transmit().to_vec();
        assert_eq!(bytes[0] & 0x40, 0x40, "the first message is compressed");
        bytes
    }

    /// Reads what a server wrote, as hybi's client, compressed or not:
    /// the data messages and whether each first frame had RSV1.
    fn client_reads(written: &[u8]) -> Vec<Vec<u8>> {
        let rng = |dest: &mut [u8]| dest.fill(9);
        let mut client = Connection::upgraded(
            Client::new(rng),
            rx(1 << 17),
            vec![0u8; 4096],
            Config::new(),
        );
        client.start_deflate(agreed().1);
        let mut got = Vec::new();
        let mut at = 0;
        loop {
            match client.read().unwrap() {
                Some(Message::Text(t)) => got.push(t.as_bytes().to_vec()),
                Some(Message::Binary(b)) => got.push(b.to_vec()),
                Some(_) => {}
                None if at == written.len() => return got,
                None => at += client.receive(&written[at..]).unwrap(),
            }
        }
    }

    #[test]
    fn blocking_driver_reads_and_echoes_compressed() {
        let messages = messages();
        let input = client_frames(&messages);
        for (chunk, chunks) in [(1, false), (7, true), (4096, false)] {
            let mock = Mock::new(&input, chunk);
            let mut ws = WebSocket::from_upgraded(
                mock,
                rx(1 << 16),
                vec![0u8; 2048],
                Server,
                Config::new(),
                &[],
            )
            .unwrap();
            ws.start_deflate(agreed().0);
            for (text, data) in &messages {
                let mut got = Vec::new();
                if chunks {
                    loop {
                        match ws.read_chunk().unwrap() {
                            websocket::Chunk::Text { data, last } => {
                                got.extend_from_slice(data.as_bytes());
                                if last {
                                    break;
                                }
                            }
                            websocket::Chunk::Binary { data, last } => {
                                got.extend_from_slice(data);
                                if last {
                                    break;
                                }
                            }
                            websocket::Chunk::Control(_) => {}
                        }
                    }
                } else {
                    match ws.read().unwrap() {
                        Message::Text(t) => got.extend_from_slice(t.as_bytes()),
                        Message::Binary(b) => got.extend_from_slice(b),
                        other => panic!("{other:?}"),
                    }
                }
                assert_eq!(&got, data);
                if *text {
                    ws.send_text(std::str::from_utf8(&got).unwrap()).unwrap();
                } else {
                    ws.send_binary(&got).unwrap();
                }
            }
            let written = ws.into_parts().0.written;
            // The pong, then the echoes: the first large one compressed.
            let echoed: Vec<Vec<u8>> = client_reads(&written);
            assert_eq!(
                echoed,
                messages.iter().map(|m| m.1.clone()).collect::<Vec<_>>()
            );
            assert!(written.len() < 20_000, "{} bytes written", written.len());
        }
    }

    #[cfg(feature = "async")]
    #[test]
    fn async_driver_reads_and_echoes_compressed() {
        use crate::common::{AsyncMock, block_on};
        use hybi::asynch::WebSocket as AsyncWebSocket;
        let messages = messages();
        let input = client_frames(&messages);
        let mock = AsyncMock(Mock::new(&input, 5));
        let mut ws = AsyncWebSocket::from_upgraded(
            mock,
            rx(1 << 16),
            vec![0u8; 2048],
            Server,
            Config::new(),
            &[],
        )
        .unwrap();
        ws.start_deflate(agreed().0);
        block_on(async {
            for (text, data) in &messages {
                let got = match ws.read().await.unwrap() {
                    Message::Text(t) => t.as_bytes().to_vec(),
                    Message::Binary(b) => b.to_vec(),
                    other => panic!("{other:?}"),
                };
                assert_eq!(&got, data);
                if *text {
                    ws.send_text(std::str::from_utf8(&got).unwrap())
                        .await
                        .unwrap();
                } else {
                    ws.send_binary(&got).await.unwrap();
                }
            }
        });
        let written = ws.into_parts().0.0.written;
        assert_eq!(
            client_reads(&written),
            messages.iter().map(|m| m.1.clone()).collect::<Vec<_>>()
        );
        assert!(written.len() < 20_000, "{} bytes written", written.len());
    }

    #[test]
    fn split_halves_over_tcp_compress_both_ways() {
        use hybi::net::{self, Accepted, ServerOptions};
        use std::net::TcpListener;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let options = ServerOptions::new();
            let (rx, tx) = options.buffers();
            let socket = listener.accept().unwrap().0;
            let accepted = net::accept(socket, &options, rx, tx, |_| Response::accept());
            let Ok(Accepted::WebSocket(mut ws, _)) = accepted else {
                panic!("not accepted")
            };
            assert!(ws.connection().deflate().is_some(), "agreed");
            loop {
                match ws.read().unwrap() {
                    Message::Text(t) => {
                        let t = t.to_owned();
                        ws.send_text(&t).unwrap();
                    }
                    Message::Close(_) => return,
                    _ => {}
                }
            }
        });
        let (ws, _) = net::connect(&format!("ws://{addr}/")).unwrap();
        assert!(ws.connection().deflate().is_some(), "agreed");
        let (mut reader, mut writer) = net::split(ws).unwrap();
        let texts: Vec<String> = (0..200)
            .map(|i| format!("{{\"seq\":{i},\"payload\":\"{}\"}}", "abc".repeat(i % 50)))
            .collect();
        let sent = texts.clone();
        let writing = std::thread::spawn(move || {
            for t in &sent {
                writer.send_text(t).unwrap();
            }
            writer
        });
        for t in &texts {
            match reader.read().unwrap() {
                Message::Text(got) => assert_eq!(got, t),
                other => panic!("{other:?}"),
            }
        }
        let mut writer = writing.join().unwrap();
        writer.close(CloseCode::NORMAL, "").unwrap();
        while !matches!(reader.read(), Ok(Message::Close(_)) | Err(_)) {}
        server.join().unwrap();
    }
}

/// A stored block (RFC 1951 section 3.2.4), final: `01`, LEN and NLEN
/// (little-endian), then the bytes as they are.
fn stored_block(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).unwrap();
    let mut block = vec![0x01];
    block.extend_from_slice(&len.to_le_bytes());
    block.extend_from_slice(&(!len).to_le_bytes());
    block.extend_from_slice(data);
    block
}

/// Reads of the whole free room, as a transport with more bytes waiting
/// than the buffer holds makes them: `wire` into `conn`, reading chunks
/// after each; returns the data chunks read, joined.
fn read_chunks_filling(conn: &mut ServerConn<'_>, wire: &[u8], until: usize) -> Vec<u8> {
    let mut sent = 0;
    let mut got = Vec::new();
    while got.len() < until {
        let free = conn.receive_buffer();
        let n = free.len().min(wire.len() - sent);
        free[..n].copy_from_slice(&wire[sent..sent + n]);
        conn.received(n);
        sent += n;
        loop {
            match conn.read_chunk() {
                Ok(Some(Chunk::Binary { data, .. })) => got.extend_from_slice(data),
                Ok(Some(other)) => panic!("{other:?}"),
                Ok(None) => break,
                Err(e) => panic!("{e:?} after {sent} bytes in, {} out", got.len()),
            }
        }
        assert!(n > 0 || got.len() >= until, "stalled");
    }
    got
}

#[test]
fn a_compressed_message_larger_than_the_buffer_through_reads_that_fill_it() {
    // 3000 bytes in a stored block (the way zlib sends bytes that do not
    // compress) through a 1024-byte buffer, each read filling the free
    // room: the bytes to inflate never take the room they inflate into.
    let data: Vec<u8> = (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let payload = stored_block(&data);
    assert_eq!(payload[..5], [0x01, 0xb8, 0x0b, 0x47, 0xf4]);
    let mut wire = header_16(0xc2, payload.len());
    wire.extend_from_slice(&payload);
    let mut rx = [0u8; 1024];
    let mut conn = negotiated_server(&mut rx);
    assert_eq!(read_chunks_filling(&mut conn, &wire, data.len()), data);
    assert_eq!(conn.transmit(), b"");
}

/// Reads of the whole free room from `wire` into `conn`, whole messages
/// read after each, until `count` have been: the messages.
fn read_filling(conn: &mut ServerConn<'_>, wire: &[u8], count: usize) -> Vec<Vec<u8>> {
    let mut sent = 0;
    let mut got = Vec::new();
    while got.len() < count {
        let free = conn.receive_buffer();
        let n = free.len().min(wire.len() - sent);
        free[..n].copy_from_slice(&wire[sent..sent + n]);
        conn.received(n);
        sent += n;
        loop {
            match conn.read() {
                Ok(Some(Message::Binary(data))) => got.push(data.to_vec()),
                Ok(Some(other)) => panic!("{other:?}"),
                Ok(None) => break,
                Err(e) => panic!("{e:?} after {sent} bytes in, {} messages", got.len()),
            }
        }
        assert!(n > 0 || got.len() >= count, "stalled");
    }
    got
}

/// 517 bytes of `a` from 6 bytes of DEFLATE (`bomb(2)`: a literal and two
/// matches of 258).
const A_517: [u8; 6] = [0x4a, 0x1c, 0x05, 0xa3, 0x00, 0x00];

#[test]
fn a_compressed_message_read_whole_with_later_messages_filling_the_buffer() {
    assert_eq!(bomb(2), A_517);
    let later = frame(0x82, &[7; 14]);
    // The frame header on its own first; then its payload and 2000 bytes
    // of later frames, as many as each read takes. The message fits the
    // buffer; the later frames wait outside it.
    let mut rx = [0u8; 1024];
    let mut conn = negotiated_server(&mut rx);
    feed!(conn, &[0xc2, 0x80 | A_517.len() as u8, 0, 0, 0, 0]);
    assert_eq!(conn.read(), Ok(None));
    let mut wire = A_517.to_vec();
    wire.extend(later.repeat(100));
    let got = read_filling(&mut conn, &wire, 101);
    assert_eq!(got[0], [b'a'; 517]);
    assert!(got[1..].iter().all(|m| m == &[7; 14]));

    // A message alone, then a read that brings the compressed one whole
    // and later frames that fill the buffer: room to inflate into stays
    // before them.
    let mut rx = [0u8; 1024];
    let mut conn = negotiated_server(&mut rx);
    let mut wire = later.clone();
    wire.extend(frame(0xc2, &A_517));
    wire.extend(later.repeat(100));
    let first = read_filling(&mut conn, &wire[..later.len()], 1);
    let got = read_filling(&mut conn, &wire[later.len()..], 101);
    assert_eq!(
        (first[0].as_slice(), got[0].as_slice()),
        (&[7; 14][..], &[b'a'; 517][..])
    );
    assert!(got[1..].iter().all(|m| m == &[7; 14]));
}
