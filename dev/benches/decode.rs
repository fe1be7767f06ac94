//! Decoding speed in memory: a server reads a stream of masked client
//! frames (header decoding, unmasking, UTF-8 validation for text, the
//! message handed out whole), for payloads of 16 B, 1 KiB, 64 KiB and
//! 1 MiB, text and binary.
//!
//! Text is ASCII (like JSON), for `text`, or has a two- or three-byte
//! character every 30 bytes or so, for `text-utf8` (64 KiB and 1 MiB).
//!
//! Four readers of the same bytes, per size and type:
//!
//! - `copy`: one `copy_from_slice` of the whole stream, the bound;
//! - `codec`: the sans-IO layers over the stream where it lies, as a
//!   transport that lends its receive buffer allows (a smoltcp `recv`
//!   closure, a DMA buffer): `FrameHeader::decode`, `Reassembler::on_header`,
//!   `apply_mask` in place, and for text `apply_mask_ascii`, with
//!   `Utf8Validator` for text that is not all ASCII. Text is validated, not
//!   made into a `&str`. Only the decoding is timed, not the copy that
//!   restores the masked stream before each pass;
//! - `hybi`: `WebSocket::read` over an in-memory `embedded-io` transport
//!   (a `&[u8]` reader and a sink writer), with a read buffer that holds a
//!   whole message: the transport copies the bytes into that buffer first;
//! - `hybi-lending`: the same over `Lending`, the transport as a `BufRead`
//!   that lends the stream: payloads are unmasked as they are copied out of
//!   it into the read buffer, one pass;
//! - `tungstenite`: `WebSocket::read` over a `Cursor` and a sink, server
//!   role.
//!
//! Throughput counts every byte of the stream, headers included.
//!
//! ```text
//! cargo bench -p hybi-dev --bench decode
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hybi::frame::{DecodeOptions, FrameHeader, Opcode};
use hybi::mask::{apply_mask, apply_mask_ascii};
use hybi::reassembly::{DataKind, FrameKind, Reassembler};
use hybi::utf8::Utf8Validator;
use hybi::websocket::{Config, Input, Lending, MIN_WRITE_BUFFER, Message, WebSocket};
use hybi::{Role, Status};

/// Payload sizes, with how many messages make one stream: about 1 to 2 MiB
/// of frames each.
const SIZES: [(&str, usize, usize); 4] = [
    ("16B", 16, 65_536),
    ("1KiB", 1024, 1024),
    ("64KiB", 64 * 1024, 24),
    ("1MiB", 1024 * 1024, 2),
];

/// The read buffer: a whole 1 MiB message, the 139 bytes a read keeps
/// spare, and room for part of the next frame.
const READ_BUFFER: usize = 1024 * 1024 + 64 * 1024;

/// An `embedded-io` transport over bytes in memory: reads come from the
/// slice, writes go nowhere.
struct Memory<'a> {
    input: &'a [u8],
}

impl embedded_io::ErrorType for Memory<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for Memory<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.input.len());
        let (head, rest) = self.input.split_at(n);
        buf[..n].copy_from_slice(head);
        self.input = rest;
        Ok(n)
    }
}

impl embedded_io::BufRead for Memory<'_> {
    fn fill_buf(&mut self) -> Result<&[u8], Self::Error> {
        Ok(self.input)
    }

    fn consume(&mut self, amt: usize) {
        self.input = &self.input[amt..];
    }
}

impl embedded_io::Write for Memory<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A `std::io` stream over bytes in memory, for tungstenite.
struct StdMemory<'a> {
    input: std::io::Cursor<&'a [u8]>,
}

impl std::io::Read for StdMemory<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl std::io::Write for StdMemory<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// ASCII text, like JSON.
const ASCII: &str = r#"{"id":12345,"name":"sensor-7","value":21.5,"ok":true},"#;

/// Text with a two- or three-byte character every 30 bytes or so.
const UTF8: &str = "Größe: 21,5 °C; déjà vu, 5 € — ";

/// `len` bytes of `line` repeated, cut on a character boundary.
fn payload(line: &str, len: usize) -> Vec<u8> {
    let mut out: Vec<u8> = line.bytes().cycle().take(len).collect();
    // A character cut short at the end: ASCII in its place.
    while let Err(e) = std::str::from_utf8(&out) {
        let valid = e.valid_up_to();
        out[valid..].fill(b'.');
    }
    out
}

/// `count` masked client frames of `len` bytes of `line` each.
fn stream(opcode: Opcode, line: &str, len: usize, count: usize) -> Vec<u8> {
    let body = payload(line, len);
    let mut out = Vec::with_capacity(count * (len + 14));
    for i in 0..count {
        let key = (i as u32).wrapping_mul(0x9e37_79b9).to_le_bytes();
        let header = FrameHeader::new(opcode, len as u64).with_mask(key);
        out.extend_from_slice(header.encode().expect("a valid header").as_bytes());
        let start = out.len();
        out.extend_from_slice(&body);
        apply_mask(key, 0, &mut out[start..]);
    }
    out
}

/// Reads every message of `stream` with the sans-IO codec, unmasking each
/// payload where it lies; returns the payload bytes. Every message of the
/// streams here is one frame.
fn codec_read_all(stream: &mut [u8]) -> usize {
    let opts = DecodeOptions::new(Role::Server);
    let mut reassembler = Reassembler::new(u64::MAX);
    let mut at = 0;
    let mut total = 0;
    while at < stream.len() {
        let (header, header_len) = match FrameHeader::decode(&stream[at..], &opts) {
            Ok(Status::Complete(done)) => done,
            other => panic!("a whole valid header expected, got {other:?}"),
        };
        let kind = match reassembler.on_header(&header) {
            Ok(FrameKind::Data {
                kind, last: true, ..
            }) => kind,
            other => panic!("a whole data message expected, got {other:?}"),
        };
        let start = at + header_len;
        at = start + header.payload_len as usize;
        let payload = &mut stream[start..at];
        let key = header.mask.expect("a masked client frame");
        match kind {
            DataKind::Binary => {
                apply_mask(key, 0, payload);
            }
            DataKind::Text => {
                // Unmasking tells whether the text is all ASCII, and so
                // valid; only other text goes through the validator.
                let (_, ascii) = apply_mask_ascii(key, 0, payload);
                if !ascii {
                    let mut utf8 = Utf8Validator::new();
                    utf8.feed(payload).expect("valid text");
                    utf8.finish().expect("valid text");
                }
            }
        }
        total += black_box(&*payload).len();
    }
    total
}

/// Reads every message of `input` with hybi; returns the payload bytes.
fn hybi_read_all(input: &[u8], rx: &mut [u8], count: usize) -> usize {
    read_all(Memory { input }, rx, count)
}

/// [`hybi_read_all`] with the transport lending its bytes.
fn hybi_lending_read_all(input: &[u8], rx: &mut [u8], count: usize) -> usize {
    read_all(Lending(Memory { input }), rx, count)
}

/// Reads `count` messages from `transport` with hybi; returns the payload
/// bytes.
fn read_all<T>(transport: T, rx: &mut [u8], count: usize) -> usize
where
    T: Input + embedded_io::Write<Error = core::convert::Infallible>,
{
    // Nothing is written (no ping, no close), but a connection needs room
    // for a control frame and a close.
    let mut tx = [0u8; MIN_WRITE_BUFFER];
    let config = Config::new();
    let mut ws = WebSocket::from_upgraded(transport, rx, &mut tx[..], hybi::Server, config, &[])
        .expect("empty already-read");
    let mut total = 0;
    for _ in 0..count {
        match ws.read().expect("a valid stream") {
            Message::Text(text) => total += black_box(text).len(),
            Message::Binary(data) => total += black_box(data).len(),
            other => panic!("unexpected {other:?}"),
        }
    }
    total
}

/// Reads every message of `input` with tungstenite; returns the payload
/// bytes.
fn tungstenite_read_all(input: &[u8], count: usize) -> usize {
    use tungstenite::protocol::{Message, Role, WebSocket};
    let stream = StdMemory {
        input: std::io::Cursor::new(input),
    };
    let mut ws = WebSocket::from_raw_socket(stream, Role::Server, None);
    let mut total = 0;
    for _ in 0..count {
        match ws.read().expect("a valid stream") {
            Message::Text(text) => total += black_box(text.as_str()).len(),
            Message::Binary(data) => total += black_box(&data[..]).len(),
            other => panic!("unexpected {other:?}"),
        }
    }
    total
}

fn decode(c: &mut Criterion) {
    let mut rx = vec![0u8; READ_BUFFER];
    let kinds = [
        ("text", Opcode::Text, ASCII, &SIZES[..]),
        ("text-utf8", Opcode::Text, UTF8, &SIZES[2..]),
        ("binary", Opcode::Binary, ASCII, &SIZES[..]),
    ];
    for (kind, opcode, line, sizes) in kinds {
        let mut group = c.benchmark_group(format!("decode/{kind}"));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for &(name, len, count) in sizes {
            let input = stream(opcode, line, len, count);
            // Check once that every reader sees every byte.
            let mut work = input.clone();
            assert_eq!(codec_read_all(&mut work), len * count);
            assert_eq!(hybi_read_all(&input, &mut rx, count), len * count);
            assert_eq!(hybi_lending_read_all(&input, &mut rx, count), len * count);
            assert_eq!(tungstenite_read_all(&input, count), len * count);

            group.throughput(Throughput::Bytes(input.len() as u64));
            let mut copy = vec![0u8; input.len()];
            group.bench_function(BenchmarkId::new("copy", name), |b| {
                b.iter(|| {
                    copy.copy_from_slice(black_box(&input));
                    black_box(&copy);
                })
            });
            group.bench_function(BenchmarkId::new("codec", name), |b| {
                b.iter_custom(|iters| {
                    let mut decoding = Duration::ZERO;
                    for _ in 0..iters {
                        work.copy_from_slice(&input);
                        let start = Instant::now();
                        black_box(codec_read_all(black_box(&mut work)));
                        decoding += start.elapsed();
                    }
                    decoding
                })
            });
            group.bench_function(BenchmarkId::new("hybi", name), |b| {
                b.iter(|| hybi_read_all(black_box(&input), &mut rx, count))
            });
            group.bench_function(BenchmarkId::new("hybi-lending", name), |b| {
                b.iter(|| hybi_lending_read_all(black_box(&input), &mut rx, count))
            });
            group.bench_function(BenchmarkId::new("tungstenite", name), |b| {
                b.iter(|| tungstenite_read_all(black_box(&input), count))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
