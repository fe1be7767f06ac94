//! Compressing messages (RFC 7692 section 7.2.1) with `miniz_oxide`'s
//! compressor, into output slices the caller gives.
//!
//! A message is compressed as raw DEFLATE (RFC 1951) and ended with a sync
//! flush, an empty stored block, whose last four bytes, `00 00 ff ff`, are
//! removed. As output may go out in many small pieces, the last four bytes
//! produced so far are held back until more output follows or the message
//! ends.
//!
//! `miniz_oxide` always looks back up to 32 KiB. To keep back-references
//! within a smaller negotiated window of `2^bits` bytes, a message is
//! compressed in segments of at most `2^bits` bytes of input, each ended
//! with a sync flush and followed by a reset of the compressor: the
//! segments make one DEFLATE stream, and no reference leaves its own
//! segment. For the same reason, context is taken over from message to
//! message only with a 15-bit window.

use miniz_oxide::deflate::core::{
    CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
};
use std_crate::boxed::Box;

use super::{MAX_WINDOW_BITS, MIN_WINDOW_BITS, TAIL};

/// What one [`Deflater::compress`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deflated {
    /// Bytes of input taken.
    pub consumed: usize,
    /// Bytes written to the output.
    pub produced: usize,
    /// The message's compressed bytes are all written, its tail removed.
    pub done: bool,
}

/// Where the current segment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Taking input, flushing nothing.
    Feed,
    /// Ending the block: `NoSync` until a call writes nothing, when no
    /// data is left in the compressor. A sync flush cannot be repeated
    /// until then: each call writes another empty block, and whether the
    /// one asked for is written yet does not show while output fills the
    /// room.
    Flush,
    /// Writing the empty stored block (sync flush) once.
    Mark,
    /// Writing out what of the empty block did not fit.
    Drain,
    /// The output ends with an empty stored block, the compressor is
    /// empty: the end of a segment, or of a message.
    Closed,
}

/// A compressor for the messages one end sends, one message at a time.
///
/// About 310 KiB of heap: `miniz_oxide`'s dictionary, hash chains, LZ
/// codes and output buffer.
pub struct Deflater {
    compressor: Box<CompressorOxide>,
    /// The most input a segment takes: `2^bits`, unbounded for 15 bits.
    segment_len: usize,
    /// Context taken over from message to message.
    keep_context: bool,
    /// Input taken since the compressor was last reset.
    taken: usize,
    step: Step,
    /// The last bytes produced, not given out yet: `held[..held_len]`.
    held: [u8; 4],
    held_len: usize,
}

impl core::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Deflater")
            .field("segment_len", &self.segment_len)
            .field("keep_context", &self.keep_context)
            .finish_non_exhaustive()
    }
}

/// One run of the compressor.
struct Run {
    /// Input taken.
    took: usize,
    /// Bytes given out from the start of the output slice.
    given: usize,
    /// Bytes the compressor wrote.
    wrote: usize,
    /// The compressor filled the room it had: it may hold more output.
    full: bool,
}

impl Deflater {
    /// A compressor at `level` (0 to 10 as `miniz_oxide` takes it: 0
    /// stores, 1 is fastest, 6 is zlib's default, 10 slowest) for a window
    /// of `window_bits` (8 to 15, as negotiated for this end's sending);
    /// `no_context_takeover` compresses each message on its own.
    pub fn new(level: u8, window_bits: u8, no_context_takeover: bool) -> Self {
        let bits = window_bits.clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS);
        // A negative window asks for raw DEFLATE, without zlib's header.
        let flags = create_comp_flags_from_zip_params(i32::from(level), -15, 0);
        Deflater {
            compressor: Box::new(CompressorOxide::new(flags)),
            segment_len: if bits < MAX_WINDOW_BITS {
                1 << bits
            } else {
                usize::MAX
            },
            keep_context: bits == MAX_WINDOW_BITS && !no_context_takeover,
            taken: 0,
            step: Step::Closed,
            held: [0; 4],
            held_len: 0,
        }
    }

    /// Starts a message. The compressor forgets what it compressed unless
    /// context is taken over; it does too if the last message was not
    /// finished, as the peer did not get all of it.
    pub fn start_message(&mut self) {
        let finished = self.step == Step::Closed && self.held_len == 0;
        if !finished || (!self.keep_context && self.taken > 0) {
            self.reset();
        }
        self.held_len = 0;
        self.step = Step::Feed;
    }

    /// Compresses `input`, the next bytes of the message, into `out`;
    /// `end` says that `input` is the rest of the message.
    ///
    /// Stops when `input` is taken (and, with `end`, the message is done)
    /// or `out` is full; call again with the rest of the input (or an
    /// empty slice once all is taken and `end` is set) and fresh room
    /// until `done`. Every call with 8 bytes of room or more makes
    /// progress. Once `done`, call [`Deflater::start_message`] before the
    /// next message.
    pub fn compress(&mut self, input: &[u8], end: bool, out: &mut [u8]) -> Deflated {
        let mut consumed = 0;
        let mut produced = 0;
        loop {
            let rest = input.get(consumed..).unwrap_or_default();
            let waiting = Deflated {
                consumed,
                produced,
                done: false,
            };
            let (flush, feed) = match self.step {
                Step::Closed if !rest.is_empty() => {
                    // The next segment.
                    if self.taken > 0 {
                        self.reset();
                    }
                    self.step = Step::Feed;
                    continue;
                }
                Step::Closed if !end => return waiting,
                Step::Closed if self.held_len == TAIL.len() && self.held == TAIL => {
                    self.held_len = 0;
                    return Deflated {
                        done: true,
                        ..waiting
                    };
                }
                // The message ends, but the output does not end with an
                // empty block: no message was started, and an empty
                // message is that block alone.
                Step::Closed => {
                    self.step = Step::Mark;
                    continue;
                }
                Step::Feed => {
                    let room = self.segment_len.saturating_sub(self.taken);
                    let take = rest.get(..room).unwrap_or(rest);
                    if take.is_empty() {
                        if rest.is_empty() && !end {
                            return waiting;
                        }
                        self.step = Step::Flush;
                        continue;
                    }
                    (TDEFLFlush::None, take)
                }
                Step::Flush => (TDEFLFlush::NoSync, &[][..]),
                Step::Mark => (TDEFLFlush::Sync, &[][..]),
                Step::Drain => (TDEFLFlush::None, &[][..]),
            };
            let Some(run) = self.run(feed, flush, out.get_mut(produced..).unwrap_or_default())
            else {
                return waiting;
            };
            consumed += run.took;
            self.taken = self.taken.saturating_add(run.took);
            produced += run.given;
            self.step = match self.step {
                Step::Flush if run.wrote == 0 => Step::Mark,
                Step::Mark | Step::Drain if !run.full => Step::Closed,
                Step::Mark => Step::Drain,
                step => step,
            };
        }
    }

    /// Runs the compressor once on `input` with `flush`, writing into
    /// `out` after the held bytes, and holds the last four bytes back
    /// again. `None`: no room.
    fn run(&mut self, input: &[u8], flush: TDEFLFlush, out: &mut [u8]) -> Option<Run> {
        let held_len = self.held_len;
        let (head, room) = out.split_at_mut_checked(held_len)?;
        if room.is_empty() {
            return None;
        }
        head.copy_from_slice(self.held.get(..held_len)?);
        let room_len = room.len();
        let (status, took, wrote) = compress(&mut self.compressor, input, room, flush);
        if status != TDEFLStatus::Okay {
            // Not seen with these calls. A failed compressor refuses every
            // later call, so it starts over rather than stall; the peer
            // then fails to inflate the message.
            self.reset();
        }
        let total = held_len + wrote;
        let given = total.saturating_sub(TAIL.len());
        let tail = out.get(given..total)?;
        self.held.get_mut(..tail.len())?.copy_from_slice(tail);
        self.held_len = tail.len();
        Some(Run {
            took,
            given,
            wrote,
            full: wrote == room_len,
        })
    }

    /// Forgets what was compressed.
    fn reset(&mut self) {
        self.compressor.reset();
        self.taken = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deflate::{InflateState, window_len};
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress_with_limit, inflate_flags};
    use std_crate::{vec, vec::Vec};

    /// JSON-like text: records that differ a little.
    fn text(len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0u32;
        while out.len() < len {
            let record = std_crate::format!(
                r#"{{"id":{i},"name":"user{}","active":{},"tags":["a","b{}"]}},"#,
                i % 97,
                i % 3 == 0,
                i % 7
            );
            out.extend_from_slice(record.as_bytes());
            i += 1;
        }
        out.truncate(len);
        out
    }

    /// Bytes that do not compress (xorshift).
    fn random(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect()
    }

    /// Compresses a message fed in pieces of `piece` bytes with `room`
    /// bytes of output per call.
    fn deflate(d: &mut Deflater, message: &[u8], piece: usize, room: usize) -> Vec<u8> {
        d.start_message();
        let mut compressed = Vec::new();
        let mut out = vec![0; room];
        let mut pos = 0usize;
        loop {
            let stop = message.len().min(pos.saturating_add(piece));
            let end = stop == message.len();
            let r = d.compress(&message[pos..stop], end, &mut out);
            compressed.extend_from_slice(&out[..r.produced]);
            pos += r.consumed;
            if r.done {
                break;
            }
            // Progress: output, or all the input given taken.
            assert!(r.produced > 0 || pos == stop, "stuck at {pos}");
        }
        assert_eq!(pos, message.len());
        assert!(!compressed.ends_with(&TAIL));
        compressed
    }

    /// Inflates a whole message with the receive side.
    fn inflate(state: &mut InflateState, window: &mut [u8], keep: bool, input: &[u8]) -> Vec<u8> {
        state.start_message(keep);
        let mut text = Vec::new();
        let mut out = vec![0; 1 << 16];
        let mut input = input;
        loop {
            let r = state.inflate(window, input, true, &mut out).unwrap();
            text.extend_from_slice(&out[..r.produced]);
            input = &input[r.consumed..];
            if r.done {
                return text;
            }
        }
    }

    /// Inflates a message (its tail appended) with a ring of `len` bytes,
    /// which refuses references further back than `len`.
    fn inflate_ring(compressed: &[u8], len: usize) -> Option<Vec<u8>> {
        let input = [compressed, &TAIL[..]].concat();
        let mut ring = vec![0; len];
        let mut d = DecompressorOxide::new();
        let (mut taken, mut pos, mut text) = (0, 0, Vec::new());
        loop {
            let (status, took, wrote) = decompress_with_limit(
                &mut d,
                &input[taken..],
                &mut ring,
                pos,
                len,
                inflate_flags::TINFL_FLAG_HAS_MORE_INPUT,
            );
            text.extend_from_slice(&ring[pos..pos + wrote]);
            pos = (pos + wrote) % len;
            taken += took;
            match status {
                TINFLStatus::NeedsMoreInput if taken == input.len() => return Some(text),
                TINFLStatus::NeedsMoreInput | TINFLStatus::HasMoreOutput => {}
                _ => return None,
            }
        }
    }

    /// RFC 7692 sections 7.2.3.1 and 7.2.3.2: "Hello", twice with context
    /// taken over, the second a single back-reference.
    #[test]
    fn rfc_7692_hello_twice() {
        let mut d = Deflater::new(6, 15, false);
        let first = deflate(&mut d, b"Hello", 5, 64);
        let second = deflate(&mut d, b"Hello", 5, 64);
        assert_eq!(first, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
        assert_eq!(second, [0xf2, 0x00, 0x11, 0x00, 0x00]);
        let mut state = InflateState::new();
        let mut window = vec![0; window_len(15)];
        assert_eq!(inflate(&mut state, &mut window, true, &first), b"Hello");
        assert_eq!(inflate(&mut state, &mut window, true, &second), b"Hello");
    }

    /// Section 7.2.3.6: an empty message is a single byte, the start of
    /// the empty block, first or after others.
    #[test]
    fn empty_message() {
        for level in [0, 1, 6] {
            let mut d = Deflater::new(level, 15, false);
            assert_eq!(deflate(&mut d, b"", 1, 8), [0x00]);
            deflate(&mut d, b"Hello", 1, 8);
            assert_eq!(deflate(&mut d, b"", 1, 8), [0x00]);
        }
        // Without start_message, too.
        let mut d = Deflater::new(6, 15, false);
        let mut out = [0; 8];
        let r = d.compress(b"", true, &mut out);
        assert_eq!((r.produced, r.done, out[0]), (1, true, 0x00));
    }

    /// Several messages in a row, each inflated by the receive side with
    /// a window of `2^bits` (512 bytes for 8): any window, with and
    /// without context takeover, any output room, any input pieces.
    #[test]
    fn round_trips() {
        let messages = [
            vec![],
            text(1),
            text(100),
            text(5000),
            random(1, 1),
            random(100, 2),
            random(5000, 3),
            text(5000),
        ];
        for bits in MIN_WINDOW_BITS..=MAX_WINDOW_BITS {
            for no_context_takeover in [false, true] {
                let mut d = Deflater::new(6, bits, no_context_takeover);
                let whole: Vec<_> = messages
                    .iter()
                    .map(|m| deflate(&mut d, m, usize::MAX, 65536))
                    .collect();
                for room in [8, 13, 100, 65536] {
                    for piece in [1, 17, usize::MAX] {
                        let mut d = Deflater::new(6, bits, no_context_takeover);
                        let mut state = InflateState::new();
                        state.reset(bits);
                        let mut window = vec![0; window_len(bits)];
                        for (message, whole) in messages.iter().zip(&whole) {
                            let compressed = deflate(&mut d, message, piece, room);
                            // The same bytes however given and taken.
                            assert!(
                                compressed == *whole,
                                "bits {bits}, room {room}, piece {piece}"
                            );
                            let keep = !no_context_takeover;
                            let inflated = inflate(&mut state, &mut window, keep, &compressed);
                            assert!(
                                inflated == *message,
                                "bits {bits}, takeover {keep}, room {room}, piece {piece}, len {}",
                                message.len()
                            );
                        }
                    }
                }
            }
        }
    }

    /// Messages of 200 000 bytes, text and random, for every window, with
    /// a way of giving input and output for each (all of them for 15
    /// bits).
    #[test]
    fn large_messages() {
        let messages = [text(200_000), random(200_000, 4), text(200_000)];
        let ways = [(8, usize::MAX), (13, 17), (100, 1), (65536, 4096)];
        for bits in MIN_WINDOW_BITS..=MAX_WINDOW_BITS {
            for no_context_takeover in [false, true] {
                let i = usize::from(bits) % ways.len();
                let ways = if bits == MAX_WINDOW_BITS {
                    &ways[..]
                } else {
                    &ways[i..=i]
                };
                for &(room, piece) in ways {
                    let mut d = Deflater::new(6, bits, no_context_takeover);
                    let mut state = InflateState::new();
                    state.reset(bits);
                    let mut window = vec![0; window_len(bits)];
                    for message in &messages {
                        let compressed = deflate(&mut d, message, piece, room);
                        let keep = !no_context_takeover;
                        let inflated = inflate(&mut state, &mut window, keep, &compressed);
                        assert!(inflated == *message, "bits {bits}, room {room}");
                    }
                }
            }
        }
    }

    /// No reference reaches further back than the window: 256 bytes for
    /// 8 bits. The same text compressed with a 32 KiB window does not
    /// inflate in 512 bytes, so the check has teeth.
    #[test]
    fn window_is_kept() {
        let message = text(20_000);
        for bits in MIN_WINDOW_BITS..=MAX_WINDOW_BITS {
            let mut d = Deflater::new(10, bits, true);
            let compressed = deflate(&mut d, &message, usize::MAX, 65536);
            assert_eq!(inflate_ring(&compressed, 1 << bits), Some(message.clone()));
        }
        let mut d = Deflater::new(10, 15, true);
        let compressed = deflate(&mut d, &message, usize::MAX, 65536);
        assert_ne!(inflate_ring(&compressed, 512), Some(message));
    }

    /// Every level round-trips.
    #[test]
    fn levels() {
        let message = text(70_000);
        for level in 0..=10 {
            let mut d = Deflater::new(level, 15, false);
            let compressed = deflate(&mut d, &message, 1000, 100);
            assert_eq!(inflate_ring(&compressed, 1 << 15), Some(message.clone()));
        }
    }

    /// 64 KiB of JSON-like text shrinks to under a quarter.
    #[test]
    fn compresses() {
        let message = text(64 * 1024);
        let mut d = Deflater::new(6, 15, false);
        let compressed = deflate(&mut d, &message, usize::MAX, 65536);
        assert!(compressed.len() < message.len() / 4, "{}", compressed.len());
    }

    /// A message whose bytes end with the tail, stored as they are (level
    /// 0): the tail held back is given out when the empty block follows.
    #[test]
    fn tail_in_the_data() {
        let message = [&random(100, 5)[..], &TAIL[..]].concat();
        for room in [8, 9, 10, 11, 12, 13, 200] {
            let mut d = Deflater::new(0, 15, false);
            let compressed = deflate(&mut d, &message, usize::MAX, room);
            assert!(compressed.windows(4).any(|w| w == TAIL));
            assert_eq!(inflate_ring(&compressed, 1 << 15), Some(message.clone()));
        }
    }

    /// A message left unfinished: the next one does not refer to it, as
    /// the peer never got it whole.
    #[test]
    fn unfinished_message() {
        let mut d = Deflater::new(6, 15, false);
        let mut out = [0; 8];
        d.start_message();
        d.compress(&text(1000), false, &mut out);
        let message = text(1000);
        let compressed = deflate(&mut d, &message, usize::MAX, 100);
        assert_eq!(inflate_ring(&compressed, 1 << 15), Some(message));
    }
}
