//! Payload masking (RFC 6455 section 5.3).
//!
//! A client masks the payload of every frame it sends with a 4-byte masking
//! key chosen at random for that frame; the server unmasks it with the key
//! from the frame header. Both directions are the same operation: payload
//! byte `i` is XORed with `key[i % 4]`, so masking twice gives the original
//! bytes back.
//!
//! [`apply_mask`] works in place on any piece of a payload. The caller passes
//! the offset of the piece within the payload (its *phase*; only the offset
//! modulo 4 matters) and gets back the phase of the byte after it, so a
//! payload that arrives in several reads, or is written from several buffers,
//! is masked piece by piece with no copy and no state beyond one `usize`.
//! [`apply_mask_ascii`] also tells whether every byte it unmasked is ASCII:
//! a receiver of text (JSON, say) then knows those bytes are valid UTF-8
//! without reading them again.
//!
//! ```
//! use hybi::mask::apply_mask;
//!
//! // RFC 6455 section 5.7: a masked "Hello".
//! let key = [0x37, 0xfa, 0x21, 0x3d];
//! let mut payload = *b"Hello";
//! let (head, tail) = payload.split_at_mut(2);
//! let phase = apply_mask(key, 0, head);
//! assert_eq!(apply_mask(key, phase, tail), 1);
//! assert_eq!(payload, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
//! ```

use core::ops::Range;

/// XORs `data` with the masking `key`, where `data[0]` is the payload byte at
/// offset `phase` (only `phase % 4` matters). Returns the phase for the byte
/// after `data`: `(phase + data.len()) % 4`. Masking twice is the identity,
/// and a payload may be processed in any number of pieces.
///
/// Never panics, for any `phase` (including values near `usize::MAX`) and any
/// length.
pub fn apply_mask(key: [u8; 4], phase: usize, data: &mut [u8]) -> usize {
    apply_mask_ascii(key, phase, data).0
}

/// [`apply_mask`], also telling whether every byte it leaves in `data` is
/// ASCII (below 0x80), tested in the same pass. ASCII that starts on a
/// character boundary is valid UTF-8 whatever came before, so a receiver of
/// text need not validate such bytes again (RFC 6455 section 8.1 asks only
/// that text be valid UTF-8; see [`Utf8Validator::pending_len`] for where
/// a boundary is). True for an empty `data`.
///
/// Returns the phase for the byte after `data`, as [`apply_mask`] does, and
/// that flag. Never panics.
///
/// ```
/// use hybi::mask::{apply_mask, apply_mask_ascii};
///
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut text = *b"{\"ok\":true}";
/// apply_mask(key, 0, &mut text);
/// assert_eq!(apply_mask_ascii(key, 0, &mut text), (3, true));
/// assert_eq!(&text, b"{\"ok\":true}");
///
/// let mut text = *b"Gr\xc3\xb6\xc3\x9fe"; // "Größe"
/// apply_mask(key, 0, &mut text);
/// assert_eq!(apply_mask_ascii(key, 0, &mut text), (3, false));
/// ```
///
/// [`Utf8Validator::pending_len`]: crate::utf8::Utf8Validator::pending_len
pub fn apply_mask_ascii(key: [u8; 4], phase: usize, data: &mut [u8]) -> (usize, bool) {
    let len = data.len();
    mask_down(key, phase, data, 0..len, 0)
}

/// Masks `src` into `dest`: [`apply_mask_ascii`] and a copy in one pass,
/// for a payload that must move anyway (from a transport's receive buffer
/// into a message, or from the caller's message into a send buffer). Copies
/// `src.len().min(dest.len())` bytes, as payload bytes from offset `phase`
/// on, and leaves the rest of `dest` alone.
///
/// Returns the phase for the byte after those copied and whether every byte
/// written is ASCII (below 0x80). Never panics.
///
/// ```
/// use hybi::mask::copy_masked;
///
/// // RFC 6455 section 5.7: a masked "Hello", unmasked on its way out.
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let masked = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let mut text = [0u8; 8];
/// assert_eq!(copy_masked(key, 0, &masked, &mut text), (1, true));
/// assert_eq!(&text[..5], b"Hello");
/// ```
pub fn copy_masked(key: [u8; 4], phase: usize, src: &[u8], dest: &mut [u8]) -> (usize, bool) {
    copy_masked_in_groups::<GROUP>(key, phase, src, dest)
}

/// [`copy_masked`] with groups of `G` bytes.
fn copy_masked_in_groups<const G: usize>(
    key: [u8; 4],
    phase: usize,
    src: &[u8],
    dest: &mut [u8],
) -> (usize, bool) {
    let len = src.len().min(dest.len());
    let mut between = Between {
        src: &src[..len],
        dest: &mut dest[..len],
    };
    mask_lanes::<G>(key, phase, &mut between)
}

/// Bytes per group in the loop below: an element-wise XOR of byte arrays
/// this long, which the compiler turns into vector XORs on 64-bit targets
/// (four 16-byte XORs per group with x86-64's baseline SSE2: in-place
/// unmasking in memory ran about 20% faster than with groups of 32 bytes,
/// `dev/benches/decode.rs`, codec). On 32-bit microcontrollers, which have no
/// vector unit, a group is one byte: the smallest code, where flash counts
/// more than speed.
const GROUP: usize = if cfg!(target_pointer_width = "64") {
    64
} else {
    1
};

/// Masks `buf[src]` (as payload bytes from offset `phase` on) and moves the
/// result down to start at `dest`, in one forward pass: the bytes end up in
/// `buf[dest..dest + src.len()]`, and no byte outside that range is
/// written. With `dest == src.start` this masks in place; with the key
/// `[0; 4]` it only moves. Returns the phase after the bytes and whether
/// every one of them is ASCII (below 0x80), tested as they are written.
///
/// Does nothing and returns `(phase, false)` when `dest` is after
/// `src.start` or `src` is not a range within `buf`; never panics.
pub(crate) fn mask_down(
    key: [u8; 4],
    phase: usize,
    buf: &mut [u8],
    src: Range<usize>,
    dest: usize,
) -> (usize, bool) {
    mask_down_in_groups::<GROUP>(key, phase, buf, src, dest)
}

/// [`mask_down`] with groups of `G` bytes.
fn mask_down_in_groups<const G: usize>(
    key: [u8; 4],
    phase: usize,
    buf: &mut [u8],
    src: Range<usize>,
    dest: usize,
) -> (usize, bool) {
    let gap = src.start.checked_sub(dest);
    let buf = buf.get_mut(dest..src.end);
    let (Some(gap), Some(buf)) = (gap, buf) else {
        return (phase, false);
    };
    let Some(len) = buf.len().checked_sub(gap) else {
        return (phase, false);
    };
    mask_lanes::<G>(key, phase, &mut Down { buf, gap, len })
}

/// Where one masking pass reads its bytes and writes them: from one slice
/// to another ([`Between`]), or within one buffer, from ahead of where it
/// writes ([`Down`]). The one kernel, [`mask_lanes`], does both.
trait Lanes {
    /// How many bytes the pass masks.
    fn len(&self) -> usize;
    /// The `N` bytes to mask from offset `at` on: a group or a word.
    fn read<const N: usize>(&self, at: usize) -> [u8; N];
    /// Writes the `N` masked bytes from offset `at` on.
    fn write<const N: usize>(&mut self, at: usize, bytes: [u8; N]);
    /// Masks the byte at `at` with `key` and returns it: one read and one
    /// write, the loop that is all there is on 32-bit targets.
    fn mask_byte(&mut self, at: usize, key: u8) -> u8;
    /// The bytes, when they are masked where they are.
    fn in_place(&mut self) -> Option<&mut [u8]> {
        None
    }
}

/// From `src` to `dest`, of the same length.
struct Between<'a> {
    src: &'a [u8],
    dest: &'a mut [u8],
}

impl Lanes for Between<'_> {
    fn len(&self) -> usize {
        self.src.len()
    }

    #[inline(always)]
    fn read<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut bytes = [0u8; N];
        bytes.copy_from_slice(&self.src[at..at + N]);
        bytes
    }

    #[inline(always)]
    fn write<const N: usize>(&mut self, at: usize, bytes: [u8; N]) {
        self.dest[at..at + N].copy_from_slice(&bytes);
    }

    #[inline(always)]
    fn mask_byte(&mut self, at: usize, key: u8) -> u8 {
        let byte = self.src[at] ^ key;
        self.dest[at] = byte;
        byte
    }
}

/// Within `buf`: the `len` bytes at `gap + i` go to `i`. Going forward,
/// every byte is read before anything is written over it.
struct Down<'a> {
    buf: &'a mut [u8],
    gap: usize,
    len: usize,
}

impl Lanes for Down<'_> {
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn read<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut bytes = [0u8; N];
        bytes.copy_from_slice(&self.buf[self.gap + at..self.gap + at + N]);
        bytes
    }

    #[inline(always)]
    fn write<const N: usize>(&mut self, at: usize, bytes: [u8; N]) {
        self.buf[at..at + N].copy_from_slice(&bytes);
    }

    #[inline(always)]
    fn mask_byte(&mut self, at: usize, key: u8) -> u8 {
        let byte = self.buf[self.gap + at] ^ key;
        self.buf[at] = byte;
        byte
    }

    fn in_place(&mut self) -> Option<&mut [u8]> {
        if self.gap == 0 {
            Some(&mut *self.buf)
        } else {
            None
        }
    }
}

/// Masks what `lanes` reads into where it writes, in groups of `G` bytes
/// (1, or a multiple of 4, so that every group starts at the same phase of
/// the key), then eight bytes at a time, then one: the phase after the
/// bytes and whether every one of them is ASCII, tested as they are
/// written.
fn mask_lanes<const G: usize>(key: [u8; 4], phase: usize, lanes: &mut impl Lanes) -> (usize, bool) {
    const { assert!(G == 1 || G % 4 == 0) };
    let len = lanes.len();
    let phase = phase % 4;
    let next = (phase + len % 4) % 4;
    // The key as seen from the first byte.
    let key: [u8; 4] = core::array::from_fn(|i| key[(phase + i) % 4]);
    let mut seen = [0u8; G];
    let mut done = 0;
    if G > 1 && len >= G {
        let group_key = group_key::<G>(key);
        if let Some(buf) = lanes.in_place() {
            // In place, whole groups go through `chunks_exact_mut`, which
            // the compiler vectorises best.
            let mut groups = buf.chunks_exact_mut(G);
            for group in &mut groups {
                mask_slice(group, &group_key, &mut seen);
            }
            done = len - groups.into_remainder().len();
        } else {
            while len - done >= G {
                let mut group = lanes.read::<G>(done);
                mask_slice(&mut group, &group_key, &mut seen);
                lanes.write(done, group);
                done += G;
            }
        }
    }
    // What is left of a group, eight bytes at a time.
    let mut words = 0;
    if G > 1 {
        while len - done >= 8 {
            let word = u64::from_ne_bytes(lanes.read::<8>(done)) ^ word_key(key);
            lanes.write(done, word.to_ne_bytes());
            words |= word;
            done += 8;
        }
    }
    // The last bytes, or all of them with one-byte groups.
    let mut tail = 0;
    for i in done..len {
        tail |= lanes.mask_byte(i, key[i % 4]);
    }
    (next, all_ascii(&seen, words, tail))
}

/// The key, from its first byte, over a group: built only for payloads of
/// a group or more, since it costs about what masking a group costs.
#[inline(always)]
fn group_key<const G: usize>(key: [u8; 4]) -> [u8; G] {
    let mut group = [0u8; G];
    for four in group.chunks_exact_mut(4) {
        four.copy_from_slice(&key);
    }
    group
}

/// The key, from its first byte, over eight bytes.
#[inline(always)]
fn word_key(key: [u8; 4]) -> u64 {
    u64::from_ne_bytes(core::array::from_fn(|i| key[i % 4]))
}

/// Whether no byte ORed into `groups`, `words` or `tail` has its top bit
/// set.
#[inline(always)]
fn all_ascii<const G: usize>(groups: &[u8; G], words: u64, tail: u8) -> bool {
    let bytes = groups.iter().fold(tail, |acc, byte| acc | byte);
    bytes < 0x80 && words & 0x8080_8080_8080_8080 == 0
}

/// XORs `group` with `key` and ORs the result into `seen`.
#[inline(always)]
fn mask_slice<const G: usize>(group: &mut [u8], key: &[u8; G], seen: &mut [u8; G]) {
    for ((byte, k), s) in group.iter_mut().zip(key).zip(seen.iter_mut()) {
        *byte ^= k;
        *s |= *byte;
    }
}

/// Moves `buf[src]` down to start at `dest` (not after `src.start`), in one
/// forward pass; no byte outside the new range is written.
pub(crate) fn move_down(buf: &mut [u8], src: Range<usize>, dest: usize) {
    if dest != src.start {
        mask_down([0; 4], 0, buf, src, dest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key with four distinct bytes, so a wrong phase always shows.
    const KEY: [u8; 4] = [0xa5, 0x3c, 0x0f, 0xe1];

    /// The definition in section 5.3, one byte at a time.
    fn reference(key: [u8; 4], phase: usize, data: &mut [u8]) {
        for (i, byte) in data.iter_mut().enumerate() {
            *byte ^= key[(phase % 4 + i) % 4];
        }
    }

    /// Bytes that are neither zero nor periodic with period 4.
    fn pattern(buf: &mut [u8]) {
        for (i, byte) in buf.iter_mut().enumerate() {
            *byte = (i.wrapping_mul(31).wrapping_add(7) ^ (i >> 8)) as u8;
        }
    }

    #[test]
    fn rfc_6455_section_5_7_hello() {
        let mut payload = *b"Hello";
        assert_eq!(apply_mask([0x37, 0xfa, 0x21, 0x3d], 0, &mut payload), 1);
        assert_eq!(payload, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
        // And back.
        assert_eq!(apply_mask([0x37, 0xfa, 0x21, 0x3d], 0, &mut payload), 1);
        assert_eq!(&payload, b"Hello");
    }

    #[test]
    fn fixtures() {
        /// Key, phase, input, masked input.
        type Case = ([u8; 4], usize, &'static [u8], &'static [u8]);
        let cases: &[Case] = &[
            ([1, 2, 3, 4], 0, b"", b""),
            ([1, 2, 3, 4], 3, b"", b""),
            ([0, 0, 0, 0], 0, b"abc", b"abc"),
            ([1, 2, 3, 4], 0, &[0; 6], &[1, 2, 3, 4, 1, 2]),
            ([1, 2, 3, 4], 1, &[0; 6], &[2, 3, 4, 1, 2, 3]),
            ([1, 2, 3, 4], 2, &[0; 6], &[3, 4, 1, 2, 3, 4]),
            ([1, 2, 3, 4], 3, &[0; 6], &[4, 1, 2, 3, 4, 1]),
            ([1, 2, 3, 4], 7, &[0; 6], &[4, 1, 2, 3, 4, 1]),
            ([0xff; 4], 0, &[0x0f, 0xf0], &[0xf0, 0x0f]),
            (
                [0x37, 0xfa, 0x21, 0x3d],
                3,
                b"lo",
                &[0x51, 0x58], // the tail of section 5.7's "Hello"
            ),
        ];
        for &(key, phase, input, masked) in cases {
            let mut buf = [0u8; 8];
            let buf = &mut buf[..input.len()];
            buf.copy_from_slice(input);
            apply_mask(key, phase, buf);
            assert_eq!(buf, masked, "key {key:02x?} phase {phase}");
        }
    }

    #[test]
    fn matches_reference_for_every_length_and_phase() {
        let lengths = (0..=100).chain([127, 128, 129, 255, 256, 1000, 4095, 4096, 4097]);
        for len in lengths {
            for phase in 0..8 {
                let mut fast = [0u8; 4097];
                let mut slow = [0u8; 4097];
                pattern(&mut fast[..len]);
                pattern(&mut slow[..len]);
                let next = apply_mask(KEY, phase, &mut fast[..len]);
                reference(KEY, phase, &mut slow[..len]);
                assert_eq!(fast[..len], slow[..len], "len {len} phase {phase}");
                assert_eq!(next, (phase + len) % 4, "len {len} phase {phase}");
                // Bytes past the slice are untouched.
                assert!(fast[len..].iter().all(|&b| b == 0), "len {len}");
            }
        }
    }

    #[test]
    fn unaligned_slices_match_reference() {
        // The slice need not start at an aligned address.
        let mut fast = [0u8; 300];
        let mut slow = [0u8; 300];
        for start in 0..8 {
            for phase in 0..4 {
                pattern(&mut fast);
                pattern(&mut slow);
                apply_mask(KEY, phase, &mut fast[start..start + 257]);
                reference(KEY, phase, &mut slow[start..start + 257]);
                assert_eq!(fast, slow, "start {start} phase {phase}");
            }
        }
    }

    #[test]
    fn pieces_equal_whole() {
        const LEN: usize = 100;
        let mut original = [0u8; LEN];
        pattern(&mut original);
        for phase in 0..4 {
            let mut whole = original;
            assert_eq!(apply_mask(KEY, phase, &mut whole), (phase + LEN) % 4);
            for split in 0..=LEN {
                let mut pieces = original;
                let (head, tail) = pieces.split_at_mut(split);
                let mid = apply_mask(KEY, phase, head);
                assert_eq!(mid, (phase + split) % 4);
                let end = apply_mask(KEY, mid, tail);
                assert_eq!(end, (phase + LEN) % 4);
                assert_eq!(pieces, whole, "phase {phase} split {split}");
            }
        }
    }

    #[test]
    fn many_small_pieces_equal_whole() {
        let mut original = [0u8; 200];
        pattern(&mut original);
        let mut whole = original;
        apply_mask(KEY, 0, &mut whole);
        for piece in 1..=40 {
            let mut pieces = original;
            let mut phase = 0;
            for chunk in pieces.chunks_mut(piece) {
                phase = apply_mask(KEY, phase, chunk);
            }
            assert_eq!(phase, 200 % 4);
            assert_eq!(pieces, whole, "piece {piece}");
        }
    }

    #[test]
    fn masking_twice_is_identity() {
        let mut original = [0u8; 1000];
        pattern(&mut original);
        for len in [0, 1, 3, 4, 5, 31, 32, 33, 64, 999, 1000] {
            for phase in 0..4 {
                let mut buf = original;
                apply_mask(KEY, phase, &mut buf[..len]);
                if len > 0 {
                    assert_ne!(buf[..len], original[..len], "len {len}");
                }
                apply_mask(KEY, phase, &mut buf[..len]);
                assert_eq!(buf, original, "len {len} phase {phase}");
            }
        }
    }

    #[test]
    fn returned_phase() {
        let mut buf = [0u8; 9];
        // (phase, len, next)
        let cases = [
            (0, 0, 0),
            (3, 0, 3),
            (4, 0, 0),
            (0, 1, 1),
            (3, 1, 0),
            (1, 2, 3),
            (2, 3, 1),
            (0, 4, 0),
            (1, 4, 1),
            (2, 5, 3),
            (3, 9, 0),
            (6, 7, 1),
        ];
        for (phase, len, next) in cases {
            assert_eq!(
                apply_mask(KEY, phase, &mut buf[..len]),
                next,
                "{phase} {len}"
            );
        }
        // No overflow near usize::MAX: 2^N is a multiple of 4, so the phase
        // is the exact (phase + len) % 4.
        for phase in [usize::MAX, usize::MAX - 1, usize::MAX - 2, usize::MAX - 3] {
            for len in 0..=9 {
                let expect = ((phase as u128 + len as u128) % 4) as usize;
                assert_eq!(apply_mask(KEY, phase, &mut buf[..len]), expect);
            }
        }
        // And the phase used for usize::MAX is 3.
        let mut a = [0u8; 5];
        let mut b = [0u8; 5];
        apply_mask(KEY, usize::MAX, &mut a);
        apply_mask(KEY, 3, &mut b);
        assert_eq!(a, b);
    }

    type MaskDown = fn([u8; 4], usize, &mut [u8], Range<usize>, usize) -> (usize, bool);

    /// Every group size: one byte (32-bit targets), 4, 32, and 64 (64-bit
    /// targets), whatever the target the tests run on.
    const GROUPS: [(usize, MaskDown); 4] = [
        (1, mask_down_in_groups::<1>),
        (4, mask_down_in_groups::<4>),
        (32, mask_down_in_groups::<32>),
        (64, mask_down_in_groups::<64>),
    ];

    type CopyMasked = fn([u8; 4], usize, &[u8], &mut [u8]) -> (usize, bool);

    /// [`copy_masked`] in every group size, as [`GROUPS`].
    const COPY_GROUPS: [(usize, CopyMasked); 4] = [
        (1, copy_masked_in_groups::<1>),
        (4, copy_masked_in_groups::<4>),
        (32, copy_masked_in_groups::<32>),
        (64, copy_masked_in_groups::<64>),
    ];

    #[test]
    fn copy_masked_matches_reference_for_every_length_and_phase() {
        for (g, copy_masked) in COPY_GROUPS {
            for len in (0..=140).chain([255, 256, 257, 1000]) {
                for phase in 0..5 {
                    // From an odd offset, so that groups are unaligned.
                    let mut src = [0u8; 1001];
                    pattern(&mut src);
                    let src = &src[1..=len];
                    let mut expected = [0u8; 1000];
                    expected[..len].copy_from_slice(src);
                    reference(KEY, phase, &mut expected[..len]);
                    let mut dest = [0x5au8; 1003];
                    let (next, ascii) = copy_masked(KEY, phase, src, &mut dest[3..3 + len]);
                    assert_eq!(
                        dest[3..3 + len],
                        expected[..len],
                        "G {g} len {len} phase {phase}"
                    );
                    assert_eq!(next, (phase + len) % 4, "G {g} len {len} phase {phase}");
                    assert_eq!(ascii, expected[..len].iter().all(|&b| b < 0x80));
                    // Nothing outside the copied bytes is written.
                    assert!(dest[..3].iter().chain(&dest[3 + len..]).all(|&b| b == 0x5a));
                }
            }
        }
    }

    #[test]
    fn copy_masked_copies_the_shorter_length() {
        for (g, copy_masked) in COPY_GROUPS {
            for (src_len, dest_len) in [(0, 5), (5, 0), (3, 200), (200, 3), (130, 129), (129, 130)]
            {
                let src = [0xffu8; 200];
                let mut dest = [0x11u8; 200];
                let (next, ascii) =
                    copy_masked([0xff; 4], 2, &src[..src_len], &mut dest[..dest_len]);
                let n = src_len.min(dest_len);
                assert!(
                    dest[..n].iter().all(|&b| b == 0),
                    "G {g} {src_len} {dest_len}"
                );
                assert!(
                    dest[n..].iter().all(|&b| b == 0x11),
                    "G {g} {src_len} {dest_len}"
                );
                assert_eq!(next, (2 + n) % 4, "G {g} {src_len} {dest_len}");
                assert!(ascii);
            }
        }
    }

    #[test]
    fn copy_masked_ascii_flag_sees_every_byte() {
        for (g, copy_masked) in COPY_GROUPS {
            for len in [1, 4, 63, 64, 65, 130] {
                for bad in 0..len {
                    let mut plain = [b'a'; 130];
                    plain[bad] = 0x80;
                    let mut src = plain;
                    reference(KEY, 1, &mut src[..len]);
                    let mut dest = [0u8; 130];
                    let (_, ascii) = copy_masked(KEY, 1, &src[..len], &mut dest[..len]);
                    assert_eq!(dest[..len], plain[..len]);
                    assert!(!ascii, "G {g} len {len} bad {bad}");
                }
            }
        }
    }

    #[test]
    fn apply_mask_ascii_fixtures() {
        // Phase, unmasked bytes, whether they are all ASCII.
        let cases: &[(usize, &[u8], bool)] = &[
            (0, b"", true),
            (2, b"", true),
            (0, b"\x00", true),
            (1, b"\x7f", true),
            (3, b"\x80", false),
            (
                0,
                b"{\"id\":1,\"name\":\"sensor-7\",\"value\":21.5,\"ok\":true}",
                true,
            ),
            (1, "21,5 \u{b0}C".as_bytes(), false),
            (2, "\u{20ac}".as_bytes(), false),
            (
                0,
                b"0123456789abcdef0123456789abcdef0123456789abcdef\xff",
                false,
            ),
            (
                3,
                b"\xff0123456789abcdef0123456789abcdef0123456789abcdef",
                false,
            ),
        ];
        for &(phase, plain, ascii) in cases {
            let mut buf = [0u8; 64];
            let buf = &mut buf[..plain.len()];
            buf.copy_from_slice(plain);
            reference(KEY, phase, buf);
            let got = apply_mask_ascii(KEY, phase, buf);
            assert_eq!(got, ((phase + plain.len()) % 4, ascii), "{plain:02x?}");
            assert_eq!(buf, plain);
        }
    }

    #[test]
    fn ascii_flag_matches_the_masked_bytes() {
        for (g, mask_down) in GROUPS {
            ascii_flag_matches_the_masked_bytes_in_groups(g, mask_down);
        }
    }

    fn ascii_flag_matches_the_masked_bytes_in_groups(g: usize, mask_down: MaskDown) {
        for len in (0..=100).chain([127, 128, 129, 1000]) {
            for phase in 0..4 {
                // Plain ASCII, then one byte at or above 0x80 at each place.
                for bad in core::iter::once(None).chain((0..len).map(Some)) {
                    let mut plain = [0u8; 1000];
                    for (i, byte) in plain[..len].iter_mut().enumerate() {
                        *byte = b' ' + (i % 90) as u8;
                    }
                    if let Some(at) = bad {
                        plain[at] = 0x80 | (at as u8);
                    }
                    let mut masked = plain;
                    reference(KEY, phase, &mut masked[..len]);
                    let (next, ascii) = mask_down(KEY, phase, &mut masked, 0..len, 0);
                    assert_eq!(masked[..len], plain[..len], "G {g} len {len} phase {phase}");
                    assert_eq!(next, (phase + len) % 4);
                    assert_eq!(
                        ascii,
                        bad.is_none(),
                        "G {g} len {len} phase {phase} bad {bad:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn mask_down_matches_reference_for_every_gap_length_and_phase() {
        for (g, mask_down) in GROUPS {
            mask_down_matches_reference_in_groups(g, mask_down);
        }
    }

    fn mask_down_matches_reference_in_groups(g: usize, mask_down: MaskDown) {
        let lengths = (0..=70).chain([95, 96, 97, 255, 256, 257, 1000]);
        for len in lengths {
            for gap in [0, 1, 2, 3, 4, 6, 8, 14, 31, 32, 33, 64, 100, 2000] {
                for phase in 0..5 {
                    let dest = 3;
                    let src = dest + gap..dest + gap + len;
                    let mut buf = [0u8; 3100];
                    pattern(&mut buf);
                    let original = buf;
                    let mut want = [0u8; 1000];
                    want[..len].copy_from_slice(&original[src.clone()]);
                    reference(KEY, phase, &mut want[..len]);
                    let (next, ascii) = mask_down(KEY, phase, &mut buf, src.clone(), dest);
                    assert_eq!(next, (phase + len) % 4, "G {g} len {len} gap {gap}");
                    assert_eq!(
                        buf[dest..dest + len],
                        want[..len],
                        "G {g} len {len} gap {gap} phase {phase}"
                    );
                    assert_eq!(ascii, want[..len].iter().all(|b| b.is_ascii()));
                    // Nothing outside the destination is written.
                    assert_eq!(buf[..dest], original[..dest]);
                    assert_eq!(
                        buf[dest + len..],
                        original[dest + len..],
                        "len {len} gap {gap}"
                    );

                    // With the zero key it only moves.
                    let mut moved = original;
                    move_down(&mut moved, src.clone(), dest);
                    assert_eq!(moved[dest..dest + len], original[src.clone()]);
                    assert_eq!(moved[dest + len..], original[dest + len..]);
                }
            }
        }
    }

    #[test]
    fn mask_down_leaves_the_buffer_alone_when_asked_to_move_up_or_out() {
        // The last: a range that ends before it starts.
        let reversed = Range { start: 5, end: 3 };
        for (src, dest) in [
            (2..6, 3),
            (2..17, 0),
            (17..18, 0),
            (0..1, 17),
            (reversed, 0),
        ] {
            for (_, mask_down) in GROUPS {
                let mut buf = [7u8; 16];
                assert_eq!(mask_down(KEY, 1, &mut buf, src.clone(), dest), (1, false));
                assert_eq!(buf, [7u8; 16]);
            }
        }
    }
}
