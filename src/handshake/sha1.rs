//! SHA-1 (FIPS 180-4 section 6.1), for the accept key of section 4.2.2.
//!
//! The handshake hashes 60 bytes once per connection, so this is written
//! for flash, not speed: one rolled 80-round loop over a 16-word circular
//! message schedule (FIPS 180-4 section 6.1.3), which compiles to a few
//! hundred bytes where an unrolled compression function takes kilobytes.
//! SHA-1 is not used for security here (RFC 6455 section 10.3 relies on
//! masking, not on the accept key); it only proves that the server read
//! the handshake.

/// The initial hash value H(0) (FIPS 180-4 section 5.3.1).
const H0: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// The digest of the concatenation of `parts`.
pub(crate) fn digest(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = Hasher {
        state: H0,
        block: [0; 16],
        len: 0,
    };
    for part in parts {
        for &byte in *part {
            h.push(byte);
        }
    }
    // Padding (section 5.1.1): a 1 bit, zeros up to 8 bytes short of a
    // block, then the length in bits as a 64-bit big-endian number.
    let bits = (h.len as u64).wrapping_mul(8);
    h.push(0x80);
    while h.len % 64 != 56 {
        h.push(0);
    }
    for byte in bits.to_be_bytes() {
        h.push(byte);
    }

    let mut out = [0u8; 20];
    for (bytes, word) in out.chunks_exact_mut(4).zip(h.state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// The hash state, and the block being filled, kept as the 16 big-endian
/// words compression reads.
struct Hasher {
    state: [u32; 5],
    block: [u32; 16],
    /// Bytes taken so far.
    len: usize,
}

impl Hasher {
    fn push(&mut self, byte: u8) {
        // Four bytes shifted in fill a word, pushing out the previous
        // block's.
        let word = &mut self.block[self.len / 4 % 16];
        *word = *word << 8 | u32::from(byte);
        self.len = self.len.wrapping_add(1);
        if self.len % 64 == 0 {
            compress(&mut self.state, &mut self.block);
        }
    }
}

/// Processes one 512-bit block (section 6.1.2, with the schedule of
/// section 6.1.3 kept in the block's 16 words, which it overwrites).
fn compress(state: &mut [u32; 5], w: &mut [u32; 16]) {
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    for t in 0..80 {
        let s = t & 15;
        if t >= 16 {
            w[s] = (w[(s + 13) & 15] ^ w[(s + 8) & 15] ^ w[(s + 2) & 15] ^ w[s]).rotate_left(1);
        }
        // The functions and constants of sections 4.1.1 and 4.2.1.
        let (f, k) = match t / 20 {
            0 => ((b & c) | (!b & d), 0x5A82_7999),
            1 => (b ^ c ^ d, 0x6ED9_EBA1),
            2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let temp = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(w[s]);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = temp;
    }
    for (h, v) in state.iter_mut().zip([a, b, c, d, e]) {
        *h = h.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    fn hex(digest: [u8; 20]) -> std::string::String {
        digest.iter().map(|b| std::format!("{b:02x}")).collect()
    }

    /// The examples of FIPS 180-4's companion document (NIST CSRC, SHA-1
    /// examples) and RFC 3174 section 7.3.
    #[test]
    fn published_vectors() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &str)] = &[
            (b"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            (b"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            (b"The quick brown fox jumps over the lazy dog",
             "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        ];
        for &(input, expected) in cases {
            assert_eq!(hex(digest(&[input])), expected, "{input:?}");
        }
        let a = [b'a'; 1000];
        let parts = [&a[..]; 1000];
        assert_eq!(
            hex(digest(&parts)),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    /// Agrees with `sha1_smol` at every length across the padding
    /// boundaries, with the input split anywhere.
    #[test]
    fn agrees_with_sha1_smol() {
        let data: std::vec::Vec<u8> = (0..300u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in 0..data.len() {
            let input = &data[..len];
            let expected = sha1_smol::Sha1::from(input).digest().bytes();
            assert_eq!(digest(&[input]), expected, "length {len}");
            let (head, tail) = input.split_at(len / 3);
            assert_eq!(digest(&[head, &[], tail]), expected, "length {len}, split");
        }
    }
}
