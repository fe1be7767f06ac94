//! Base64 encoding (RFC 4648 section 4, with `=` padding), for the
//! handshake's nonce and accept key (RFC 6455 sections 4.1 and 4.2.2).
//!
//! Encoding only: a received `Sec-WebSocket-Key` is checked for its form
//! without being decoded. Both values are public on the wire, so the
//! alphabet lookup need not run in constant time.

/// The base64 alphabet (RFC 4648 section 4, table 1).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `input` into `out`, which must hold exactly
/// `input.len().div_ceil(3) * 4` bytes (the caller's arrays do: 16 bytes
/// make 24 characters, 20 make 28).
pub(crate) fn encode(input: &[u8], out: &mut [u8]) {
    for (group, chars) in input.chunks(3).zip(out.chunks_mut(4)) {
        let mut bytes = [0u8; 3];
        bytes[..group.len()].copy_from_slice(group);
        let bits = u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]);
        for (i, c) in chars.iter_mut().enumerate() {
            *c = if i <= group.len() {
                ALPHABET[(bits >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            };
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use base64ct::{Base64, Encoding};

    /// RFC 4648 section 10.
    #[test]
    fn rfc_4648_vectors() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"", b""),
            (b"f", b"Zg=="),
            (b"fo", b"Zm8="),
            (b"foo", b"Zm9v"),
            (b"foob", b"Zm9vYg=="),
            (b"fooba", b"Zm9vYmE="),
            (b"foobar", b"Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            let mut out = [0u8; 8];
            let out = &mut out[..expected.len()];
            encode(input, out);
            assert_eq!(out, expected, "{input:?}");
        }
    }

    /// Agrees with `base64ct` for every length up to 64 and every byte
    /// value in every position of a 16- and a 20-byte input.
    #[test]
    fn agrees_with_base64ct() {
        let data: std::vec::Vec<u8> = (0..64u32).map(|i| (i * 97 + 13) as u8).collect();
        let mut expected = [0u8; 88];
        let mut out = [0u8; 88];
        for len in 0..=data.len() {
            let want = Base64::encode(&data[..len], &mut expected).unwrap();
            let out = &mut out[..want.len()];
            encode(&data[..len], out);
            assert_eq!(out, want.as_bytes(), "length {len}");
        }
        for len in [16, 20] {
            for pos in 0..len {
                for byte in 0..=255u8 {
                    let mut input = [0u8; 20];
                    input[pos] = byte;
                    let want = Base64::encode(&input[..len], &mut expected).unwrap();
                    let out = &mut out[..want.len()];
                    encode(&input[..len], out);
                    assert_eq!(out, want.as_bytes(), "{len} {pos} {byte:#04x}");
                }
            }
        }
    }
}
