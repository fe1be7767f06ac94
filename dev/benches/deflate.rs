//! permessage-deflate (RFC 7692) in memory, through the connection core,
//! for JSON-like text (`examples/support/json_text.rs`, what
//! `load_client --payload json` sends) of 1 KiB and 64 KiB per message,
//! about 1 MiB of messages per pass, context taken over from message to
//! message with 32 KiB windows (what browsers offer):
//!
//! - `inflate-whole`: a server [`Connection`] over [`Inflating`] with a
//!   32 KiB window, deflate started with `start_deflate`, takes a client's
//!   compressed, masked frames with `receive`, 16 KiB at a time, and hands
//!   each message out whole with `read`, from a 96 KiB read buffer;
//! - `inflate-chunks`: the same through a 1 KiB read buffer with
//!   `read_chunk`, as a device would, 512 bytes at a time;
//! - `read-plain`: the same messages uncompressed, read whole as for
//!   `inflate-whole`: what inflating adds to;
//! - `compress`: a server `Connection` writes the messages compressed
//!   (level 1, the default) through a 64 KiB write buffer, every frame
//!   taken as transmitted;
//! - `write-plain`: the same written uncompressed.
//!
//! Throughput counts the messages' text: what the readers hand out (the
//! inflated output, for the inflating ones), what the writers are given. Setting up prints each size's
//! compressed frames against its text, on standard error.
//!
//! ```text
//! cargo bench -p hybi-dev --features std,deflate --bench deflate
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hybi::connection::{Chunk, Connection, Message, Queued};
use hybi::deflate::{DeflateConfig, Inflater, Inflating};
use hybi::handshake::Extension;
use hybi::{Buffer, Client, Config, Endpoint, Server};

#[path = "../../examples/support/json_text.rs"]
mod json_text;

/// Message sizes, with how many messages make one pass: 1 MiB of text.
const SIZES: [(&str, usize, usize); 2] = [("1KiB", 1024, 1024), ("64KiB", 64 * 1024, 16)];

/// The read buffer for whole messages: one inflated 64 KiB message and
/// room for the compressed bytes behind it.
const WHOLE_BUFFER: usize = 96 * 1024;

/// The read buffer messages pass through in chunks.
const SMALL_BUFFER: usize = 1024;

/// The most bytes `receive` is given at a time, for whole messages and
/// for chunks: a transport's read. Larger pieces fail today, with
/// `MessageTooBig`: following frames taken in with a compressed message
/// leave the whole message no room to inflate into (32 KiB pieces), and
/// in chunks a piece that fills the buffer after its unread bytes moved to
/// the front leaves none at all (1 KiB pieces).
const PIECE: usize = 16 * 1024;
const SMALL_PIECE: usize = 512;

/// The write buffer, as `examples/echo_server.rs` has.
const WRITE_BUFFER: usize = 64 * 1024;

/// A 32 KiB window: 15 bits.
const WINDOW: usize = 32 * 1024;

/// What a server agrees to for a browser's offer: 15-bit windows and
/// context takeover both ways.
fn server_agreed() -> hybi::deflate::Negotiated {
    let offer = Extension::parse("permessage-deflate; client_max_window_bits");
    DeflateConfig::new()
        .accept([offer].into_iter())
        .expect("an offer the default configuration accepts")
}

/// Transmits everything queued, into `wire` if given.
fn drain<E, RB>(conn: &mut Connection<E, RB, Vec<u8>>, wire: Option<&mut Vec<u8>>)
where
    E: Endpoint,
    RB: Buffer,
{
    let out = conn.transmit();
    match wire {
        Some(wire) => wire.extend_from_slice(out),
        None => {
            black_box(out);
        }
    }
    let n = out.len();
    conn.transmitted(n);
}

/// Queues `text` as one message, transmitting as the write buffer fills.
fn write<E, RB>(conn: &mut Connection<E, RB, Vec<u8>>, text: &str, mut wire: Option<&mut Vec<u8>>)
where
    E: Endpoint,
    RB: Buffer,
{
    let data = text.as_bytes();
    let queued = loop {
        match conn.write_text(text).expect("an open connection") {
            Queued::Full => drain(conn, wire.as_deref_mut()),
            queued => break queued,
        }
    };
    let mut taken = match queued {
        Queued::Partly(n) => n,
        _ => data.len(),
    };
    while taken < data.len() {
        drain(conn, wire.as_deref_mut());
        taken += conn.write_payload(&data[taken..]);
    }
    drain(conn, wire);
}

type Rx = Inflating<Vec<u8>, Inflater<Vec<u8>>>;

/// A read buffer of `len` bytes with inflate memory for a 32 KiB window.
fn rx(len: usize) -> Rx {
    Inflating::new(vec![0; len], Inflater::new(vec![0; WINDOW]))
}

/// The frames a client sends for `texts`, compressed (`deflate`) or not,
/// masked.
fn client_stream(texts: &[&str], deflate: bool) -> Vec<u8> {
    let mut key = 0x1234_5678u32;
    let rng = move |dest: &mut [u8]| {
        for b in dest {
            key = key.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *b = (key >> 24) as u8;
        }
    };
    let config = Config::new().max_message_len(1 << 24);
    let mut client =
        Connection::upgraded(Client::new(rng), rx(1024), vec![0; WRITE_BUFFER], config);
    if deflate {
        let agreed = DeflateConfig::new()
            .check_response("")
            .expect("a valid response");
        client.start_deflate(agreed);
        assert!(client.deflate().is_some());
    }
    let mut wire = Vec::new();
    for text in texts {
        write(&mut client, text, Some(&mut wire));
    }
    wire
}

/// Reads `count` text messages from `stream` with a server over `rx`,
/// inflating if `deflate`, whole or (`chunks`) in pieces; returns the
/// bytes of text.
fn read_all(
    stream: &[u8],
    count: usize,
    rx: &mut [u8],
    inflater: Option<&mut Inflater<Vec<u8>>>,
    chunks: bool,
) -> usize {
    let mut tx = [0u8; 256];
    let config = Config::new().max_message_len(1 << 24);
    match inflater {
        Some(memory) => {
            let rx = Inflating::new(rx, memory);
            let mut conn = Connection::upgraded(Server, rx, &mut tx[..], config);
            conn.start_deflate(server_agreed());
            debug_assert!(conn.deflate().is_some());
            read_with(&mut conn, stream, count, chunks)
        }
        None => {
            let mut conn = Connection::upgraded(Server, rx, &mut tx[..], config);
            read_with(&mut conn, stream, count, chunks)
        }
    }
}

fn fail(error: hybi::connection::Error, at: usize, messages: usize) -> ! {
    panic!("{error:?} after {at} bytes of the stream and {messages} messages")
}

fn read_with<RB: Buffer>(
    conn: &mut Connection<Server, RB, &mut [u8]>,
    stream: &[u8],
    count: usize,
    chunks: bool,
) -> usize {
    let (mut at, mut messages, mut total) = (0usize, 0, 0);
    while messages < count {
        let got = if chunks {
            match conn.read_chunk().unwrap_or_else(|e| fail(e, at, messages)) {
                Some(Chunk::Text { data, last }) => {
                    messages += usize::from(last);
                    Some(black_box(data).len())
                }
                Some(other) => panic!("unexpected {other:?}"),
                None => None,
            }
        } else {
            match conn.read().unwrap_or_else(|e| fail(e, at, messages)) {
                Some(Message::Text(text)) => {
                    messages += 1;
                    Some(black_box(text).len())
                }
                Some(other) => panic!("unexpected {other:?}"),
                None => None,
            }
        };
        match got {
            Some(n) => total += n,
            None => {
                let piece = if chunks { SMALL_PIECE } else { PIECE };
                let to = stream.len().min(at + piece);
                let n = conn.receive(&stream[at..to]).expect("a valid stream");
                assert!(n > 0, "stalled at {at} of {} bytes", stream.len());
                at += n;
            }
        }
    }
    assert_eq!(at, stream.len());
    total
}

/// A server that writes compressed (`deflate`) or plain messages.
fn writer(deflate: bool) -> Connection<Server, Rx, Vec<u8>> {
    let config = Config::new().max_message_len(1 << 24);
    let mut conn = Connection::upgraded(Server, rx(1024), vec![0; WRITE_BUFFER], config);
    if deflate {
        conn.start_deflate(server_agreed());
        assert!(conn.deflate().is_some());
    }
    conn
}

fn deflate(c: &mut Criterion) {
    let mut whole = vec![0u8; WHOLE_BUFFER];
    let mut small = vec![0u8; SMALL_BUFFER];
    let mut inflater = Inflater::new(vec![0u8; WINDOW]);
    for (name, len, count) in SIZES {
        let variants = json_text::messages(len);
        let texts: Vec<&str> = variants
            .iter()
            .map(String::as_str)
            .cycle()
            .take(count)
            .collect();
        let text_len: usize = texts.iter().map(|t| t.len()).sum();
        let compressed = client_stream(&texts, true);
        let plain = client_stream(&texts, false);
        eprintln!(
            "deflate-bench: {name}: {count} messages, {text_len} bytes of text, \
             {} bytes of compressed frames, {} bytes of plain frames",
            compressed.len(),
            plain.len()
        );
        // Every reader sees every byte of text.
        let inflating = Some(&mut inflater);
        assert_eq!(
            read_all(&compressed, count, &mut whole, inflating, false),
            text_len
        );
        let inflating = Some(&mut inflater);
        assert_eq!(
            read_all(&compressed, count, &mut small, inflating, true),
            text_len
        );
        assert_eq!(read_all(&plain, count, &mut whole, None, false), text_len);

        let mut group = c.benchmark_group("deflate");
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .throughput(Throughput::Bytes(text_len as u64));
        group.bench_function(BenchmarkId::new("inflate-whole", name), |b| {
            b.iter(|| {
                read_all(
                    black_box(&compressed),
                    count,
                    &mut whole,
                    Some(&mut inflater),
                    false,
                )
            })
        });
        group.bench_function(BenchmarkId::new("inflate-chunks", name), |b| {
            b.iter(|| {
                read_all(
                    black_box(&compressed),
                    count,
                    &mut small,
                    Some(&mut inflater),
                    true,
                )
            })
        });
        group.bench_function(BenchmarkId::new("read-plain", name), |b| {
            b.iter(|| read_all(black_box(&plain), count, &mut whole, None, false))
        });
        // The writers keep their state from pass to pass: context taken
        // over, the compressor made once.
        let mut compressing = writer(true);
        group.bench_function(BenchmarkId::new("compress", name), |b| {
            b.iter(|| {
                for text in &texts {
                    write(&mut compressing, black_box(text), None);
                }
            })
        });
        let mut plain_writer = writer(false);
        group.bench_function(BenchmarkId::new("write-plain", name), |b| {
            b.iter(|| {
                for text in &texts {
                    write(&mut plain_writer, black_box(text), None);
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, deflate);
criterion_main!(benches);
