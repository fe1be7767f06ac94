//! Inflating messages (RFC 7692 section 7.2.2) in memory the caller
//! gives, with `miniz_oxide`'s decompressor and no heap.
//!
//! A compressed message is raw DEFLATE (RFC 1951) without its last four
//! bytes, `00 00 ff ff`, which the receiver appends. The decompressor's
//! state lives in an [`InflateState`]; the LZ77 window, `2^bits` bytes for
//! the window the peer compresses with, is a ring buffer the decompressor
//! writes into and looks back in, so a back-reference further than the
//! negotiated window fails instead of reading stale bytes, as does one to
//! before the first byte inflated since the state was reset (until the
//! ring is full once, the decompressor is told it is not a ring). With
//! context takeover both persist from message to message.

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress_with_limit, inflate_flags};

use super::MAX_WINDOW_BITS;

/// The bytes a sender removed from the end of every compressed message
/// (section 7.2.1), which the receiver appends again.
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// The smallest window inflated with, in bits: zlib before 1.2.9
/// compresses with 512 bytes when it agreed to 256.
const MIN_RING_BITS: u8 = 9;

/// The bytes of window memory a peer's window of `bits` needs:
/// `2^max(bits, 9)`.
pub const fn window_len(bits: u8) -> usize {
    let bits = if bits < MIN_RING_BITS {
        MIN_RING_BITS
    } else {
        bits
    };
    1 << bits
}

/// Compressed data that does not inflate: the message's payload is not
/// the DEFLATE data its RSV1 bit announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InflateError;

impl core::fmt::Display for InflateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("compressed message does not inflate")
    }
}

impl core::error::Error for InflateError {}

/// Where a message's input stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// How many bytes of [`TAIL`] the decompressor took.
    Fed(u8),
    /// The message's data ended its DEFLATE stream (a block with BFINAL
    /// set): the tail is not fed.
    Skipped,
}

/// What one [`InflateState::inflate`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inflated {
    /// Bytes of input taken.
    pub consumed: usize,
    /// Bytes written to the output.
    pub produced: usize,
    /// The message is whole: its input, tail included, is all inflated
    /// and its output all written (which `out` exactly full may be).
    pub done: bool,
    /// `out` is full and more output is ready: call again with room. Not
    /// done and not full, the input given is all taken and inflated.
    pub full: bool,
}

/// The decompressor's state between calls: about 10 KiB, most of it
/// Huffman tables (`size_of::<InflateState>()` says exactly).
#[derive(Clone)]
pub struct InflateState {
    decompressor: DecompressorOxide,
    /// The next write position in the ring.
    pos: usize,
    /// Whether the ring has been filled since the state was reset: until
    /// then, only `ring[..pos]` holds bytes of this context.
    wrapped: bool,
    /// The ring's size in bits, as negotiated.
    bits: u8,
    tail: Tail,
    /// The decompressor has output it could not write yet.
    pending_output: bool,
    /// The ring's last byte, before `pos`, is inflated and not yet
    /// written to an output: inflated ahead of a full output to learn
    /// whether more comes.
    held: bool,
}

impl core::fmt::Debug for InflateState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InflateState")
            .field("window_bits", &self.bits)
            .finish_non_exhaustive()
    }
}

impl Default for InflateState {
    fn default() -> Self {
        InflateState::new()
    }
}

impl InflateState {
    /// A decompressor for a 32 KiB window until told otherwise.
    pub fn new() -> Self {
        InflateState {
            decompressor: DecompressorOxide::new(),
            pos: 0,
            wrapped: false,
            bits: MAX_WINDOW_BITS,
            tail: Tail::Fed(0),
            pending_output: false,
            held: false,
        }
    }

    /// Starts over for a peer that compresses with a window of `bits`: the
    /// window is forgotten.
    pub fn reset(&mut self, bits: u8) {
        self.decompressor.init();
        self.pos = 0;
        self.wrapped = false;
        self.bits = bits;
        self.tail = Tail::Fed(0);
        self.pending_output = false;
        self.held = false;
    }

    /// Readies the state for a new compressed message; `keep_context`
    /// false forgets the window (the peer compresses each message on its
    /// own).
    pub fn start_message(&mut self, keep_context: bool) {
        if !keep_context {
            self.reset(self.bits);
        }
        self.tail = Tail::Fed(0);
    }

    /// Inflates the message's compressed `input` into `out`, with `window`
    /// (at least [`window_len`] of the negotiated bits; only that much of
    /// it is used). `end` says that `input` is the last of the message's
    /// data: the tail is fed after it. Stops when the input is taken and
    /// inflated, or when `out` is full and more output is ready
    /// ([`Inflated::full`]); call again with the rest of the input
    /// (possibly none) and more room.
    pub fn inflate(
        &mut self,
        window: &mut [u8],
        input: &[u8],
        end: bool,
        out: &mut [u8],
    ) -> Result<Inflated, InflateError> {
        let ring = window
            .get_mut(..window_len(self.bits))
            .ok_or(InflateError)?;
        let mask = ring.len() - 1;
        let mut consumed = 0;
        let mut produced = 0;
        loop {
            // The byte inflated ahead of the previous call's room.
            if let (true, Some(slot)) = (self.held, out.get_mut(produced)) {
                *slot = ring[self.pos.wrapping_sub(1) & mask];
                produced += 1;
                self.held = false;
            }
            let tail_left = match self.tail {
                Tail::Fed(n) if end => TAIL.get(usize::from(n)..).unwrap_or_default(),
                _ => &[],
            };
            let feeding_tail = consumed == input.len();
            let rest = if feeding_tail {
                tail_left
            } else {
                input.get(consumed..).unwrap_or_default()
            };
            if self.held || (rest.is_empty() && !self.pending_output) {
                // With nothing left to feed, the tail was taken (or the
                // stream ended) and its output is all out.
                let done = end && rest.is_empty() && !self.pending_output && !self.held;
                return Ok(Inflated {
                    consumed,
                    produced,
                    done,
                    full: self.held,
                });
            }
            // One byte more than `out` takes: with `out` full, whether
            // more output comes (the byte is held) or not (the rest of the
            // input, the tail perhaps, inflates to nothing) is known.
            let room = out.len() - produced;
            // Before the ring is full once, it is a plain buffer to the
            // decompressor, which then refuses a back-reference to before
            // its start: to bytes of another context, or none at all.
            let flags = if self.wrapped {
                inflate_flags::TINFL_FLAG_HAS_MORE_INPUT
            } else {
                inflate_flags::TINFL_FLAG_HAS_MORE_INPUT
                    | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
            };
            let (status, took, wrote) = decompress_with_limit(
                &mut self.decompressor,
                rest,
                ring,
                self.pos,
                room + 1,
                flags,
            );
            let given = wrote.min(room);
            let written = ring.get(self.pos..self.pos + given).ok_or(InflateError)?;
            out.get_mut(produced..produced + given)
                .ok_or(InflateError)?
                .copy_from_slice(written);
            produced += given;
            self.held = wrote > room;
            self.wrapped |= self.pos + wrote == ring.len();
            self.pos = (self.pos + wrote) & mask;
            if feeding_tail {
                if let Tail::Fed(n) = &mut self.tail {
                    *n += took as u8;
                }
            } else {
                consumed += took;
                if took > 0 {
                    // Data after a stream's end is a new stream, whose end
                    // the tail completes.
                    self.tail = Tail::Fed(0);
                }
            }
            self.pending_output = false;
            match status {
                // Draining output that turned out to be all out already,
                // or progress made.
                TINFLStatus::NeedsMoreInput if rest.is_empty() || took > 0 || wrote > 0 => {}
                // Input there, and none of it taken: no progress possible.
                TINFLStatus::NeedsMoreInput => return Err(InflateError),
                // The ring's end, or the byte past `out` written (or told
                // when the input ran out just then).
                TINFLStatus::HasMoreOutput => self.pending_output = true,
                // The end of a DEFLATE stream (BFINAL). More data may
                // follow as a new stream over the same window; if the
                // message's data ends here, the tail is not part of it.
                TINFLStatus::Done => {
                    self.decompressor.init();
                    if consumed == input.len() {
                        self.tail = Tail::Skipped;
                    }
                }
                _ => return Err(InflateError),
            }
        }
    }
}

/// Inflate memory: the state and the window. [`Inflater`] is one; a
/// `&mut` to one, or a `Box` of one, is one too.
pub trait InflateMemory {
    /// The state and the window, borrowed together.
    fn parts(&mut self) -> (&mut InflateState, &mut [u8]);

    /// The largest window, in bits, the window memory holds.
    fn window_bits(&self) -> u8;
}

/// An [`InflateState`] and its window: `W` is `[u8; 512]` for a peer held
/// to 9-bit windows, `[u8; 32768]` for any peer, or a slice or a `Vec` of
/// a power-of-two length from 512 bytes.
#[derive(Clone)]
pub struct Inflater<W> {
    state: InflateState,
    window: W,
}

impl<W> core::fmt::Debug for Inflater<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.state.fmt(f)
    }
}

impl<W: AsRef<[u8]> + AsMut<[u8]>> Inflater<W> {
    /// An inflater over `window`, which decides the largest window a peer
    /// may be granted: `log2` of its length, rounded down.
    pub fn new(window: W) -> Self {
        Inflater {
            state: InflateState::new(),
            window,
        }
    }
}

impl<W: AsRef<[u8]> + AsMut<[u8]>> InflateMemory for Inflater<W> {
    fn parts(&mut self) -> (&mut InflateState, &mut [u8]) {
        (&mut self.state, self.window.as_mut())
    }

    fn window_bits(&self) -> u8 {
        let len = self.window.as_ref().len();
        (MIN_RING_BITS..=MAX_WINDOW_BITS)
            .rev()
            .find(|&bits| len >= 1 << bits)
            .unwrap_or(0)
    }
}

impl<T: InflateMemory + ?Sized> InflateMemory for &mut T {
    fn parts(&mut self) -> (&mut InflateState, &mut [u8]) {
        (**self).parts()
    }

    fn window_bits(&self) -> u8 {
        (**self).window_bits()
    }
}

#[cfg(feature = "std")]
impl<T: InflateMemory + ?Sized> InflateMemory for std_crate::boxed::Box<T> {
    fn parts(&mut self) -> (&mut InflateState, &mut [u8]) {
        (**self).parts()
    }

    fn window_bits(&self) -> u8 {
        (**self).window_bits()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::{vec, vec::Vec};

    /// Inflates a whole message in one call.
    fn inflate(state: &mut InflateState, window: &mut [u8], input: &[u8]) -> Vec<u8> {
        let mut out = vec![0; 1 << 16];
        state.start_message(true);
        let r = state.inflate(window, input, true, &mut out).unwrap();
        assert_eq!((r.consumed, r.done), (input.len(), true));
        out.truncate(r.produced);
        out
    }

    /// RFC 7692 section 7.2.3.1: "Hello" in a compressed block, and
    /// section 7.2.3.2: the same message twice with context takeover, the
    /// second a single back-reference.
    #[test]
    fn rfc_7692_examples() {
        let mut state = InflateState::new();
        let mut window = [0u8; 512];
        state.reset(9);
        let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(inflate(&mut state, &mut window, &hello), b"Hello");
        let again = [0xf2, 0x00, 0x11, 0x00, 0x00];
        assert_eq!(inflate(&mut state, &mut window, &again), b"Hello");
        // Without context takeover, the back-reference has nothing to
        // refer to: it fails.
        state.start_message(false);
        let mut out = [0u8; 16];
        assert_eq!(
            state.inflate(&mut window, &again, true, &mut out),
            Err(InflateError)
        );
    }

    /// A back-reference to before the first byte inflated since a reset
    /// fails: the ring's bytes there are another context's (or none). It
    /// used to read them: 5 zeros from a fresh ring, or the previous
    /// context's last bytes from a ring used before.
    #[test]
    fn nothing_before_the_context_s_start_is_referred_to() {
        let mut state = InflateState::new();
        let mut window = [0u8; 512];
        let mut out = [0u8; 1024];
        // RFC 7692 section 7.2.3.2's second message on its own: `H`, then
        // a match of 4 at distance 5, one byte before the stream's start.
        let again = [0xf2, 0x00, 0x11, 0x00, 0x00];
        state.reset(9);
        assert_eq!(
            state.inflate(&mut window, &again, true, &mut out),
            Err(InflateError)
        );
        // 512 bytes of `x` (a literal, then matches of 258 and 253 at
        // distance 1) fill the ring; then the memory serves another
        // connection, whose first message refers back before its start.
        let xs = [0xaa, 0x18, 0x05, 0x23, 0x1a, 0x00, 0x00];
        state.reset(9);
        assert_eq!(inflate(&mut state, &mut window, &xs), [b'x'; 512]);
        state.reset(9);
        state.start_message(true);
        assert_eq!(
            state.inflate(&mut window, &again, true, &mut out),
            Err(InflateError)
        );
        // Within a context, the same reference reads its bytes, before
        // the ring is full and after.
        state.reset(9);
        let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(inflate(&mut state, &mut window, &hello), b"Hello");
        assert_eq!(inflate(&mut state, &mut window, &again), b"Hello");
        assert_eq!(inflate(&mut state, &mut window, &xs), [b'x'; 512]);
        assert_eq!(inflate(&mut state, &mut window, &again), b"Hxxxx");
    }

    /// Section 7.2.3.3: "Hello" in a stored block, and 7.2.3.5: in two
    /// blocks.
    #[test]
    fn rfc_7692_stored_and_split() {
        let mut state = InflateState::new();
        let mut window = [0u8; 512];
        state.reset(9);
        let stored = [
            0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ];
        assert_eq!(inflate(&mut state, &mut window, &stored), b"Hello");
        let two_blocks = [
            0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
        ];
        assert_eq!(inflate(&mut state, &mut window, &two_blocks), b"Hello");
    }

    /// Section 7.2.3.4: a block with BFINAL set, then the empty block the
    /// sender appended: the next message starts a new stream.
    #[test]
    fn bfinal_ends_a_stream() {
        let mut state = InflateState::new();
        let mut window = [0u8; 512];
        state.reset(9);
        let hello_final = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
        assert_eq!(inflate(&mut state, &mut window, &hello_final), b"Hello");
        let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(inflate(&mut state, &mut window, &hello), b"Hello");
        // BFINAL without the empty block after it.
        let hello_final_only = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(
            inflate(&mut state, &mut window, &hello_final_only),
            b"Hello"
        );
        assert_eq!(inflate(&mut state, &mut window, &hello), b"Hello");
    }

    #[test]
    fn output_in_pieces_and_input_byte_by_byte() {
        let mut state = InflateState::new();
        let mut window = [0u8; 512];
        state.reset(9);
        let two_blocks = [
            0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
        ];
        state.start_message(true);
        let mut text = Vec::new();
        for (i, byte) in two_blocks.iter().enumerate() {
            let end = i + 1 == two_blocks.len();
            let mut input = core::slice::from_ref(byte);
            loop {
                let mut out = [0u8; 1];
                let r = state.inflate(&mut window, input, end, &mut out).unwrap();
                text.extend_from_slice(&out[..r.produced]);
                input = &input[r.consumed..];
                if r.done || (input.is_empty() && r.produced == 0) {
                    break;
                }
            }
        }
        assert_eq!(text, b"Hello");
    }

    /// "Hello" into exactly 5 bytes: done in that call, the end of the
    /// stream and the tail inflating to nothing more. Into 4: full, then
    /// done with the fifth byte. (`done` used to wait for a call with room
    /// left over, and an output just full of a whole message looked like
    /// one with more to come.)
    #[test]
    fn an_output_exactly_full_of_the_message_is_done() {
        let mut state = InflateState::new();
        let mut window = [0u8; 512];
        state.reset(9);
        let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        let mut out = [0u8; 5];
        state.start_message(true);
        let r = state.inflate(&mut window, &hello, true, &mut out).unwrap();
        assert_eq!(
            (r.consumed, r.produced, r.done, r.full),
            (7, 5, true, false)
        );
        assert_eq!(&out, b"Hello");
        let mut out = [0u8; 4];
        state.start_message(false);
        let r = state.inflate(&mut window, &hello, true, &mut out).unwrap();
        assert_eq!((r.produced, r.done, r.full), (4, false, true));
        assert_eq!(&out, b"Hell");
        let r = state
            .inflate(&mut window, &[], true, &mut out[..1])
            .unwrap();
        assert_eq!((r.produced, r.done, r.full), (1, true, false));
        assert_eq!(&out[..1], b"o");
        // No room at all: the whole input is taken, the byte it inflates
        // to held for the next call.
        state.start_message(false);
        let r = state.inflate(&mut window, &hello, false, &mut []).unwrap();
        assert_eq!((r.produced, r.done, r.full), (0, false, true));
    }

    #[test]
    fn corrupt_data_and_far_references_fail() {
        let mut state = InflateState::new();
        let mut window = [0u8; 512];
        state.reset(9);
        let mut out = [0u8; 64];
        // BTYPE 11 is reserved.
        assert_eq!(
            state.inflate(&mut window, &[0x07], true, &mut out),
            Err(InflateError)
        );
        // A fixed-Huffman block: literal 'a', then length 3 at distance
        // 1024, beyond a 512-byte window.
        state.reset(9);
        let far = [0x4a, 0x04, 0xe6, 0x7f, 0x00];
        assert_eq!(
            state.inflate(&mut window, &far, true, &mut out),
            Err(InflateError)
        );
    }

    #[test]
    fn window_bits_of_memory() {
        assert_eq!(Inflater::new([0u8; 512]).window_bits(), 9);
        assert_eq!(Inflater::new([0u8; 1000]).window_bits(), 9);
        assert_eq!(Inflater::new(vec![0u8; 1 << 16]).window_bits(), 15);
        assert_eq!(Inflater::new([0u8; 256]).window_bits(), 0);
        assert_eq!(window_len(8), 512);
        assert_eq!(window_len(15), 32768);
    }
}
