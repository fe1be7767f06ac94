//! permessage-deflate's receive side (RFC 7692) fed arbitrary compressed
//! messages: `InflateState` against a reference decompressor, then the
//! same messages through a server connection core.
//!
//! Input layout:
//!
//! | byte | meaning |
//! |---|---|
//! | 0 | bits 0-2: the peer's window, `9 + b % 7` bits; bit 3: context kept from message to message; bit 4: `read_chunk` (else `read`); bit 5: bytes passed with `receive` (else read into `receive_buffer`); bit 6: messages that inflate to UTF-8 go as text; bit 7: every message goes as text |
//! | 1 | read buffer size: `139 + 16 * byte1` |
//! | 2 | message limit: `16 * max(byte2, 1)` |
//! | 3 | low nibble `n`, high nibble `m`: the counts of the sizes that follow |
//! | 4.. | `n` input sizes (the cuts of each message's input for `InflateState`, 0 an empty piece; the payload sizes of its fragments, 0 an empty fragment), then `m` output sizes (the room `InflateState` is given, 0 none; the sizes of the transport's reads, 0 one byte), each list used in turn; a list that is empty or all zeros means whole |
//! | rest | up to 16 messages: a big-endian `u16` length, then that many bytes of compressed payload (the last message takes what is left) |
//!
//! Invariants, with no panic, loop or memory growth:
//!
//! 1. `InflateState` with a 15-bit window against miniz_oxide's
//!    decompressor run one-shot (`TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF`,
//!    into a buffer holding everything inflated since the context began)
//!    over each payload followed by `00 00 ff ff`, with its state kept
//!    from message to message when the context is: where the reference
//!    fails, `InflateState` fails; where it inflates the message without
//!    reaching a block with BFINAL, `InflateState` gives exactly the same
//!    bytes; where it reaches BFINAL, `InflateState` fails or its output
//!    starts with the reference's (data after BFINAL is a new stream), and
//!    gives exactly the same bytes when BFINAL's block ends the payload or
//!    its last bits are in the tail (both then start the next message
//!    afresh over the same window). A back-reference to before what the
//!    context inflated thus fails. `InflateState` gives the same result
//!    inflating each message in one call and in the fuzzer's pieces of
//!    input and output room; a call stops only done (all input given),
//!    with `out` full and more output ready (`full`), or with its piece
//!    of input taken.
//! 2. The same payloads as compressed messages (RSV1 on the first frame
//!    only), masked and cut into fragments, read by a server `Connection`
//!    over an `Inflating` read buffer with the chosen window, with `read`
//!    or `read_chunk`, fed through `receive_buffer` or `receive` in reads
//!    of the chosen sizes: a message delivered (or the concatenation of
//!    its chunks) is exactly what `InflateState` with that window inflates
//!    it to, and never longer than the limit; the chunks of a message cut
//!    short are its start; every read that finds nothing leaves room to
//!    read into; the connection ends only with `Protocol(Inflate)` where
//!    `InflateState` fails, `Protocol(MessageTooBig)` where the inflated
//!    size exceeds the limit (with `read`, also the read buffer's
//!    capacity, `len - 139`) or the compressed payload does (the frame
//!    headers announce it), or `Protocol(InvalidUtf8)` for text that is
//!    not UTF-8, each with exactly its close frame queued; or, every
//!    message delivered, at the end of the input.

#![no_main]

use hybi::connection::{Chunk, Connection, Error, MIN_READ_BUFFER, MIN_WRITE_BUFFER, Message};
use hybi::deflate::{DeflateConfig, InflateState, Inflater, Inflating, TAIL};
use hybi::handshake::Extension;
use hybi::{Config, ProtocolError, Server};
use libfuzzer_sys::fuzz_target;
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

/// The most the differential inflates: in all with the context kept, per
/// message without. Past it, only the first `CAP` bytes are compared.
const CAP: usize = 1 << 16;

/// At most this many messages.
const MAX_MESSAGES: usize = 16;

#[derive(Debug)]
struct Setup<'a> {
    bits: u8,
    keep: bool,
    chunks: bool,
    lent: bool,
    text_if_utf8: bool,
    all_text: bool,
    rx: usize,
    limit: usize,
    input_sizes: &'a [u8],
    output_sizes: &'a [u8],
    messages: Vec<&'a [u8]>,
}

impl<'a> Setup<'a> {
    fn parse(data: &'a [u8]) -> Option<Setup<'a>> {
        let (head, rest) = data.split_first_chunk::<4>()?;
        let n = usize::from(head[3] & 0x0f);
        let m = usize::from(head[3] >> 4);
        if rest.len() < n + m {
            return None;
        }
        let (input_sizes, rest) = rest.split_at(n);
        let (output_sizes, mut rest) = rest.split_at(m);
        let mut messages = Vec::new();
        while let Some((len, tail)) = rest.split_first_chunk::<2>() {
            if messages.len() == MAX_MESSAGES {
                break;
            }
            let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
            messages.push(&tail[..len]);
            rest = &tail[len..];
        }
        if messages.is_empty() {
            return None;
        }
        let flags = head[0];
        Some(Setup {
            bits: 9 + (flags & 7) % 7,
            keep: flags & 0x08 != 0,
            chunks: flags & 0x10 != 0,
            lent: flags & 0x20 != 0,
            text_if_utf8: flags & 0x40 != 0,
            all_text: flags & 0x80 != 0,
            rx: MIN_READ_BUFFER + 16 * usize::from(head[1]),
            limit: 16 * usize::from(head[2].max(1)),
            input_sizes,
            output_sizes,
            messages,
        })
    }
}

/// Sizes taken in turn from a list; a list that is empty or all zeros
/// gives `whole` every time.
struct Sizes<'a> {
    list: &'a [u8],
    turn: usize,
}

impl<'a> Sizes<'a> {
    fn new(list: &'a [u8]) -> Self {
        let list = if list.iter().all(|&s| s == 0) {
            &[]
        } else {
            list
        };
        Sizes { list, turn: 0 }
    }

    fn next(&mut self, whole: usize) -> usize {
        if self.list.is_empty() {
            return whole;
        }
        let s = self.list[self.turn % self.list.len()];
        self.turn += 1;
        usize::from(s)
    }
}

/// How inflating a message ended.
#[derive(Clone, PartialEq, Eq)]
enum Inflated {
    /// The whole message.
    Done(Vec<u8>),
    /// More than the cap: its first bytes.
    Long(Vec<u8>),
    /// The data does not inflate.
    Failed,
}

/// Lengths and the first bytes: messages may be megabytes.
impl core::fmt::Debug for Inflated {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (name, bytes) = match self {
            Inflated::Done(b) => ("Done", b),
            Inflated::Long(b) => ("Long", b),
            Inflated::Failed => return f.write_str("Failed"),
        };
        write!(
            f,
            "{name}({} bytes: {:?}",
            bytes.len(),
            bytes[..bytes.len().min(16)].escape_ascii().to_string()
        )?;
        f.write_str(if bytes.len() > 16 { "...)" } else { ")" })
    }
}

// ----- the reference -----

/// What the reference made of a message.
#[derive(Debug)]
enum Reference {
    /// Inflated, the stream still open.
    Open(Vec<u8>),
    /// Reached the end of a block with BFINAL set: what came before it;
    /// `whole`: no payload byte is left after it.
    Final {
        bytes: Vec<u8>,
        whole: bool,
    },
    /// Filled the buffer: its first bytes.
    Long(Vec<u8>),
    Failed,
}

/// miniz_oxide's decompressor over a buffer that keeps everything
/// inflated in the context: a back-reference before its start fails.
struct Oracle {
    decompressor: Box<DecompressorOxide>,
    history: Vec<u8>,
    pos: usize,
}

impl Oracle {
    fn new() -> Self {
        Oracle {
            decompressor: Box::default(),
            history: vec![0; CAP],
            pos: 0,
        }
    }

    /// A new stream over the same history (after BFINAL).
    fn restart_stream(&mut self) {
        *self.decompressor = DecompressorOxide::new();
    }

    /// A new context: nothing to refer back to.
    fn forget(&mut self) {
        self.restart_stream();
        self.pos = 0;
    }

    fn message(&mut self, payload: &[u8]) -> Reference {
        let input = [payload, &TAIL[..]].concat();
        let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
            | inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;
        let (status, took, wrote) = decompress(
            &mut self.decompressor,
            &input,
            &mut self.history,
            self.pos,
            flags,
        );
        let bytes = self.history[self.pos..self.pos + wrote].to_vec();
        self.pos += wrote;
        match status {
            TINFLStatus::NeedsMoreInput => {
                assert_eq!(took, input.len(), "reference left input");
                Reference::Open(bytes)
            }
            TINFLStatus::Done => Reference::Final {
                bytes,
                whole: took >= payload.len(),
            },
            TINFLStatus::HasMoreOutput => Reference::Long(bytes),
            _ => Reference::Failed,
        }
    }
}

// ----- InflateState -----

/// A message inflated by `state` in one call, with room for `cap + 1`
/// bytes.
fn inflate_whole(
    state: &mut InflateState,
    window: &mut [u8],
    payload: &[u8],
    cap: usize,
) -> Inflated {
    let mut out = vec![0; cap + 1];
    match state.inflate(window, payload, true, &mut out) {
        Err(_) => Inflated::Failed,
        Ok(r) => {
            assert!(r.consumed <= payload.len() && r.produced <= out.len());
            out.truncate(r.produced);
            assert!(!(r.done && r.full));
            if r.done {
                assert_eq!(r.consumed, payload.len(), "done with input left");
                Inflated::Done(out)
            } else {
                assert!(r.full, "not done, not full, with all input given");
                assert_eq!(r.produced, cap + 1, "full with room left");
                Inflated::Long(out)
            }
        }
    }
}

/// A message inflated by `state` in the fuzzer's pieces: input cut at
/// the chosen sizes, output room of the chosen sizes. Stops past `cap`
/// bytes.
fn inflate_pieces(
    state: &mut InflateState,
    window: &mut [u8],
    payload: &[u8],
    cap: usize,
    input_sizes: &[u8],
    output_sizes: &[u8],
) -> Inflated {
    let mut cuts = Sizes::new(input_sizes);
    let mut rooms = Sizes::new(output_sizes);
    let mut out = Vec::new();
    let mut room = vec![0u8; 256];
    let mut pos = 0;
    let mut piece_end = 0;
    let mut calls = 0usize;
    loop {
        if pos == piece_end && piece_end < payload.len() {
            piece_end = (pos + cuts.next(payload.len())).min(payload.len());
        }
        let end = piece_end == payload.len();
        let size = rooms.next(cap + 1).min(cap + 1 - out.len());
        if room.len() < size {
            room.resize(size, 0);
        }
        calls += 1;
        // Each call takes input or gives output, or the next one does
        // with the next room or piece (a zero room, an empty piece).
        assert!(
            calls <= 2 * (payload.len() + cap + 8) * (input_sizes.len() + output_sizes.len() + 1),
            "inflating does not end"
        );
        let r = match state.inflate(window, &payload[pos..piece_end], end, &mut room[..size]) {
            Err(_) => return Inflated::Failed,
            Ok(r) => r,
        };
        assert!(r.consumed <= piece_end - pos && r.produced <= size);
        assert!(!(r.done && r.full));
        out.extend_from_slice(&room[..r.produced]);
        pos += r.consumed;
        if r.done {
            assert!(end && pos == payload.len(), "done with input left");
            return Inflated::Done(out);
        }
        if r.full {
            assert_eq!(r.produced, size, "full with room left");
        } else {
            // Neither: the piece is taken and inflated.
            assert_eq!(pos, piece_end, "stopped with input left and room");
            assert!(!end, "not done with all input given");
        }
        if out.len() > cap {
            return Inflated::Long(out);
        }
    }
}

/// Invariant 1, for every message: `InflateState` (15 bits) in one call,
/// in pieces, and the reference.
fn differential(setup: &Setup<'_>) {
    let mut whole_state = InflateState::new();
    let mut pieces_state = InflateState::new();
    whole_state.reset(15);
    pieces_state.reset(15);
    let mut whole_window = vec![0u8; 1 << 15];
    let mut pieces_window = vec![0u8; 1 << 15];
    let mut oracle = Oracle::new();
    // With the context kept: whether the reference still follows.
    let mut following = true;
    for payload in &setup.messages {
        whole_state.start_message(setup.keep);
        pieces_state.start_message(setup.keep);
        if !setup.keep {
            oracle.forget();
        }
        // The cap is what is left of the reference's history.
        let cap = CAP - oracle.pos;
        let ours = inflate_whole(&mut whole_state, &mut whole_window, payload, cap);
        let pieces = inflate_pieces(
            &mut pieces_state,
            &mut pieces_window,
            payload,
            cap,
            setup.input_sizes,
            setup.output_sizes,
        );
        assert_eq!(ours, pieces, "in one piece and in pieces");
        if following {
            let reference = oracle.message(payload);
            match (&reference, &ours) {
                (Reference::Failed, ours) => {
                    assert_eq!(*ours, Inflated::Failed, "the reference failed")
                }
                (Reference::Open(bytes), ours) => {
                    assert_eq!(*ours, Inflated::Done(bytes.clone()), "inflated differently")
                }
                (Reference::Final { bytes, whole: true }, ours) => {
                    assert_eq!(*ours, Inflated::Done(bytes.clone()), "BFINAL at the end");
                    // Both start the next message as a new stream.
                    oracle.restart_stream();
                }
                (
                    Reference::Final {
                        bytes,
                        whole: false,
                    },
                    Inflated::Done(o) | Inflated::Long(o),
                ) => {
                    assert!(o.starts_with(bytes), "BFINAL, then more data");
                    following = false;
                }
                (Reference::Final { whole: false, .. }, Inflated::Failed) => following = false,
                (Reference::Long(bytes), Inflated::Long(o)) => {
                    assert!(o.starts_with(bytes), "past the cap");
                    following = false;
                }
                // Filling its buffer exactly, the reference cannot tell
                // whether more would come.
                (Reference::Long(bytes), Inflated::Done(o)) => {
                    assert!(o == bytes, "the reference filled its buffer");
                    following = false;
                }
                (Reference::Long(_), Inflated::Failed) => following = false,
            }
        }
        if setup.keep {
            if !matches!(ours, Inflated::Done(_)) {
                // The connection fails here; nothing after it is defined.
                return;
            }
        } else {
            following = true;
        }
    }
}

// ----- through the connection -----

/// What `InflateState` with the connection's window makes of a message:
/// in one call, to at most `limit + 1` bytes; for one that does not end
/// there, also where it fails, if it does within `limit + rx` bytes of
/// output (past that, the connection is over the limit first).
#[derive(Debug)]
struct Expected {
    inflated: Inflated,
    /// What comes out before the failure (or, not failing, the first
    /// `limit + rx` bytes), inflated a byte of input and a byte of room
    /// at a time: the bytes written in the call that fails are lost, at
    /// most [`LOST`].
    before_failure: Vec<u8>,
    fails: bool,
}

/// Bytes of output that an error may take with it, a byte of input and a
/// byte of room at a time: a byte held from the call before, delivered in
/// the failing one, and the byte that call may inflate (past no room), or
/// the two bytes it inflates (into one byte of room and one past it).
const LOST: usize = 2;

/// The output of `payload` before it fails, a byte of input and a byte of
/// room at a time, up to `cap` bytes, and whether it fails.
fn until_failure(
    state: &mut InflateState,
    window: &mut [u8],
    payload: &[u8],
    cap: usize,
) -> (Vec<u8>, bool) {
    let mut before = Vec::new();
    let mut byte = [0u8; 1];
    for (j, b) in payload.iter().enumerate() {
        let end = j + 1 == payload.len();
        let mut piece = core::slice::from_ref(b);
        loop {
            let Ok(r) = state.inflate(window, piece, end, &mut byte) else {
                return (before, true);
            };
            before.extend_from_slice(&byte[..r.produced]);
            piece = &piece[r.consumed..];
            if r.done || before.len() >= cap {
                return (before, false);
            }
            if !r.full {
                assert!(piece.is_empty() && !end, "not done with all input given");
                break;
            }
        }
    }
    // An empty payload: only the tail, which the loop never fed.
    match state.inflate(window, &[], true, &mut byte) {
        Ok(r) => {
            before.extend_from_slice(&byte[..r.produced]);
            (before, false)
        }
        Err(_) => (before, true),
    }
}

fn expected(setup: &Setup<'_>) -> Vec<Expected> {
    let cap = setup.limit;
    let mut state = InflateState::new();
    state.reset(setup.bits);
    let mut window = vec![0u8; 1 << setup.bits];
    let mut out = Vec::new();
    for (i, payload) in setup.messages.iter().enumerate() {
        state.start_message(setup.keep);
        let inflated = inflate_whole(&mut state, &mut window, payload, cap);
        let whole = matches!(inflated, Inflated::Done(_));
        let (mut before_failure, mut fails) = (Vec::new(), false);
        if !whole {
            // Again from the start, this message a byte at a time.
            let mut state = InflateState::new();
            state.reset(setup.bits);
            let mut window = vec![0u8; 1 << setup.bits];
            for payload in &setup.messages[..i] {
                state.start_message(setup.keep);
                let _ = inflate_whole(&mut state, &mut window, payload, CAP);
            }
            state.start_message(setup.keep);
            (before_failure, fails) =
                until_failure(&mut state, &mut window, payload, setup.limit + setup.rx);
            if inflated == Inflated::Failed {
                assert!(fails, "failed in one call, not a byte at a time");
            }
        }
        out.push(Expected {
            inflated,
            before_failure,
            fails,
        });
        if setup.keep && !whole {
            // The connection fails here; nothing after it is defined.
            break;
        }
    }
    out
}

/// A masked frame from the client.
fn frame(wire: &mut Vec<u8>, b0: u8, payload: &[u8], key: [u8; 4]) {
    let n = payload.len();
    wire.push(b0);
    if n <= 125 {
        wire.push(0x80 | n as u8);
    } else if n <= 0xffff {
        wire.push(0x80 | 126);
        wire.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        wire.push(0x80 | 127);
        wire.extend_from_slice(&(n as u64).to_be_bytes());
    }
    wire.extend_from_slice(&key);
    wire.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
}

/// Each message as frames: RSV1 on the first only, payloads of the
/// chosen sizes.
fn wire(setup: &Setup<'_>, text: &[bool]) -> Vec<u8> {
    let mut wire = Vec::new();
    let mut cuts = Sizes::new(setup.input_sizes);
    for (i, payload) in setup.messages.iter().enumerate() {
        let opcode = if text[i] { 0x1 } else { 0x2 };
        let mut rest = &payload[..];
        let mut first = true;
        loop {
            let n = cuts.next(rest.len()).min(rest.len());
            let last = n == rest.len();
            let b0 = if last { 0x80 } else { 0 } | if first { 0x40 | opcode } else { 0 };
            let key = [i as u8, wire.len() as u8, 0x5a, (wire.len() >> 8) as u8 | 1];
            frame(&mut wire, b0, &rest[..n], key);
            rest = &rest[n..];
            first = false;
            if last {
                break;
            }
        }
    }
    wire
}

/// Invariant 2: the messages through a server connection.
fn connection(setup: &Setup<'_>) {
    let expected = expected(setup);
    let text: Vec<bool> = setup
        .messages
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let utf8 = match expected.get(i).map(|e| &e.inflated) {
                Some(Inflated::Done(b)) => core::str::from_utf8(b).is_ok(),
                _ => false,
            };
            setup.all_text || (setup.text_if_utf8 && utf8)
        })
        .collect();
    let wire = wire(setup, &text);

    let bits = setup.bits;
    let rx = Inflating::new(vec![0u8; setup.rx], Inflater::new(vec![0u8; 1 << bits]));
    let config = Config::new().max_message_len(setup.limit as u64);
    let mut conn = Connection::upgraded(Server, rx, vec![0u8; MIN_WRITE_BUFFER], config);
    let offer = format!(
        "permessage-deflate; client_max_window_bits={bits}{}",
        if setup.keep {
            ""
        } else {
            "; client_no_context_takeover"
        }
    );
    let agreed = DeflateConfig::new()
        .accept([Extension::parse(&offer)].into_iter())
        .expect("the offer is accepted");
    assert_eq!(agreed.receive_window_bits, bits);
    assert_eq!(agreed.receive_no_context_takeover, !setup.keep);
    conn.start_deflate(agreed);

    // The most a message may inflate to and be delivered.
    let most = if setup.chunks {
        setup.limit
    } else {
        setup.limit.min(setup.rx - MIN_READ_BUFFER)
    };
    let mut reads = Sizes::new(setup.output_sizes);
    let mut fed = 0;
    let mut delivered: Vec<(bool, Vec<u8>)> = Vec::new();
    let mut partial: Vec<u8> = Vec::new();
    let mut calls = 0usize;
    let bound = 2 * (wire.len() + setup.messages.len() * (setup.limit + 2)) + 64;
    let end = loop {
        calls += 1;
        assert!(calls <= bound, "reading does not end");
        let got = if setup.chunks {
            match conn.read_chunk() {
                Ok(Some(chunk)) => {
                    let (is_text, data, last) = match chunk {
                        Chunk::Text { data, last } => (true, data.as_bytes(), last),
                        Chunk::Binary { data, last } => (false, data, last),
                        Chunk::Control(m) => panic!("no control frame was sent: {m:?}"),
                    };
                    let i = delivered.len();
                    assert_eq!(is_text, text[i], "message {i}'s kind");
                    partial.extend_from_slice(data);
                    assert!(partial.len() <= setup.limit, "chunks past the limit");
                    if last {
                        delivered.push((is_text, core::mem::take(&mut partial)));
                    }
                    true
                }
                Ok(None) => false,
                Err(e) => break e,
            }
        } else {
            match conn.read() {
                Ok(Some(Message::Text(t))) => {
                    delivered.push((true, t.as_bytes().to_vec()));
                    true
                }
                Ok(Some(Message::Binary(b))) => {
                    delivered.push((false, b.to_vec()));
                    true
                }
                Ok(Some(m)) => panic!("no control frame was sent: {m:?}"),
                Ok(None) => false,
                Err(e) => break e,
            }
        };
        if got {
            continue;
        }
        assert!(conn.transmit().is_empty(), "nothing to answer");
        if fed == wire.len() {
            break conn.end_of_input();
        }
        let n = reads.next(wire.len()).max(1).min(wire.len() - fed);
        let took = if setup.lent {
            match conn.receive(&wire[fed..fed + n]) {
                Ok(took) => took,
                Err(e) => break e,
            }
        } else {
            let free = conn.receive_buffer();
            let took = n.min(free.len());
            free[..took].copy_from_slice(&wire[fed..fed + took]);
            conn.received(took);
            took
        };
        assert!(took > 0, "no room for input after a read found nothing");
        fed += took;
    };

    // What was delivered is what InflateState gives.
    assert!(delivered.len() <= setup.messages.len());
    for (i, (is_text, bytes)) in delivered.iter().enumerate() {
        assert_eq!(*is_text, text[i], "message {i}'s kind");
        assert!(bytes.len() <= most, "message {i} past the limit");
        assert_eq!(
            expected[i].inflated,
            Inflated::Done(bytes.clone()),
            "message {i} delivered"
        );
    }
    let i = delivered.len();
    if i == setup.messages.len() {
        assert_eq!(end, Error::UnexpectedEof, "after every message");
        assert!(conn.transmit().is_empty());
        return;
    }
    let Error::Protocol(error) = end else {
        panic!("message {i}: ended with {end:?}");
    };
    let code = error.close_code().as_u16().to_be_bytes();
    assert_eq!(conn.transmit(), [0x88, 0x02, code[0], code[1]], "{error:?}");
    let exp = &expected[i];
    // Chunks of the message handed out before the error: its start (of
    // what comes out before a failure, with perhaps `LOST` bytes more).
    let before: &[u8] = match &exp.inflated {
        Inflated::Done(b) | Inflated::Long(b) => b,
        Inflated::Failed => &exp.before_failure,
    };
    let known = partial.len().min(before.len());
    assert!(
        partial[..known] == before[..known],
        "chunks of message {i} differ from byte {:?}",
        partial.iter().zip(before).position(|(a, b)| a != b)
    );
    assert!(
        partial.len() <= before.len() + LOST,
        "chunks of message {i}"
    );
    let invalid_text = text[i]
        && match &exp.inflated {
            Inflated::Done(b) => core::str::from_utf8(b).is_err(),
            // Up to what the call that passes the limit inflates.
            Inflated::Long(_) => core::str::from_utf8(&exp.before_failure)
                .is_err_and(|e| e.error_len().is_some() || exp.fails),
            Inflated::Failed => true,
        };
    // The limit holds for the frames' payloads as their headers announce
    // them, compressed, as well (`Config::max_message_len`).
    let too_big = setup.messages[i].len() > setup.limit
        || match &exp.inflated {
            Inflated::Done(b) => b.len() > most,
            Inflated::Long(_) => true,
            Inflated::Failed => exp.before_failure.len() + LOST > most,
        };
    let detail = || {
        format!(
            "message {i} ({:?}, fails {} after {} bytes), {} bytes handed out, {most} allowed",
            exp.inflated,
            exp.fails,
            exp.before_failure.len(),
            partial.len()
        )
    };
    match error {
        ProtocolError::Inflate => assert!(exp.fails, "1007: {}", detail()),
        ProtocolError::MessageTooBig => assert!(too_big, "1009: {}", detail()),
        ProtocolError::InvalidUtf8 => assert!(invalid_text, "1007 for text: {}", detail()),
        other => panic!("{other:?}: {}", detail()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(setup) = Setup::parse(data) else {
        return;
    };
    differential(&setup);
    connection(&setup);
});
