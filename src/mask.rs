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

/// XORs `data` with the masking `key`, where `data[0]` is the payload byte at
/// offset `phase` (only `phase % 4` matters). Returns the phase for the byte
/// after `data`: `(phase + data.len()) % 4`. Masking twice is the identity,
/// and a payload may be processed in any number of pieces.
///
/// Never panics, for any `phase` (including values near `usize::MAX`) and any
/// length.
pub fn apply_mask(key: [u8; 4], phase: usize, data: &mut [u8]) -> usize {
    let phase = phase % 4;
    let next = (phase + data.len() % 4) % 4;

    // The key as seen from data[0], rotated so that its first byte is
    // key[phase], then read as a native-endian word: XORing that word into a
    // group of 4 payload bytes masks all four, and every group starts at the
    // same phase. The loop is a plain element-wise XOR over words, which the
    // compiler unrolls and, where the target has vector registers, turns
    // into vector XORs.
    let rotated = u32::from_le_bytes(key).rotate_right(8 * phase as u32);
    let rotated = rotated.to_le_bytes();
    let word = u32::from_ne_bytes(rotated);

    let mut groups = data.chunks_exact_mut(4);
    for group in &mut groups {
        // Always `Ok`: `chunks_exact_mut(4)` yields groups of exactly 4.
        if let Ok(group) = <&mut [u8; 4]>::try_from(group) {
            *group = (u32::from_ne_bytes(*group) ^ word).to_ne_bytes();
        }
    }
    // The 0 to 3 bytes left over start at the same phase as data[0].
    for (byte, k) in groups.into_remainder().iter_mut().zip(rotated) {
        *byte ^= k;
    }
    next
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
}
