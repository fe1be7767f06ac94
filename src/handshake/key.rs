//! The `Sec-WebSocket-Key` nonce and the `Sec-WebSocket-Accept` value
//! derived from it (RFC 6455 sections 4.1 and 4.2.2).

use core::fmt;

use base64ct::{Base64, Base64Unpadded, Encoding};
use sha1_smol::Sha1;

use crate::RandomSource;

/// The GUID appended to the key before hashing (section 1.3).
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A client's `Sec-WebSocket-Key`: a random 16-byte nonce, base64-encoded
/// into 24 ASCII characters (section 4.1, item 7).
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientKey([u8; 24]);

impl ClientKey {
    /// A fresh key with 16 bytes from `rng`.
    pub fn generate<R: RandomSource + ?Sized>(rng: &mut R) -> Self {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        ClientKey::from_nonce(nonce)
    }

    /// The key for a given nonce (for tests and replays; a real client
    /// must use [`ClientKey::generate`]).
    pub fn from_nonce(nonce: [u8; 16]) -> Self {
        let mut out = [0u8; 24];
        // 16 bytes are exactly 24 characters: encoding into the array
        // cannot fail.
        let _ = Base64::encode(&nonce, &mut out);
        ClientKey(out)
    }

    /// The key as sent in the header.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The `Sec-WebSocket-Accept` value a server must answer with.
    pub fn accept(&self) -> AcceptKey {
        AcceptKey::for_key(&self.0)
    }
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientKey").field(&self.as_str()).finish()
    }
}

/// A `Sec-WebSocket-Accept` value: base64(SHA-1(key + [`GUID`])), 28 ASCII
/// characters (section 4.2.2, item 5.4).
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AcceptKey([u8; 28]);

impl AcceptKey {
    /// The accept value for the key as it appeared in the request (already
    /// trimmed of surrounding whitespace).
    pub fn for_key(key: &[u8]) -> Self {
        let mut sha1 = Sha1::new();
        sha1.update(key);
        sha1.update(GUID.as_bytes());
        // The digest and a zero byte: 21 bytes are exactly 28 characters,
        // with no bytes left over, which base64ct encodes in less code
        // than 20. They are the 20 bytes' characters but for the last, the
        // zero byte's `A` where the 20 bytes have their padding.
        let mut input = [0u8; 21];
        input[..20].copy_from_slice(&sha1.digest().bytes());
        let mut out = [0u8; 28];
        // Encoding into the array cannot fail.
        let _ = Base64::encode(&input, &mut out);
        out[27] = b'=';
        AcceptKey(out)
    }

    /// The value as sent in the header.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The value's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for AcceptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AcceptKey").field(&self.as_str()).finish()
    }
}

/// Whether `key` is base64 of exactly 16 bytes (section 4.2.1, item 5), in
/// its canonical form (RFC 4648 section 4, with `=` padding): 24 characters,
/// the last two `==`, and the 4 unused bits before them zero (base64ct
/// refuses any other form). A key of another length is refused undecoded.
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
    // The padding is matched here and the 22 characters before it are
    // decoded without: the same checks as decoding all 24 with padding,
    // in less code.
    let Ok([body @ .., b'=', b'=']) = <&[u8; 24]>::try_from(key) else {
        return false;
    };
    let mut nonce = [0u8; 16];
    matches!(Base64Unpadded::decode(body, &mut nonce), Ok(n) if n.len() == 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_example() {
        // Section 1.3 and 4.2.2.
        let key = ClientKey::from_nonce(*b"the sample nonce");
        assert_eq!(key.as_str(), "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(key.accept().as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(
            AcceptKey::for_key(b"dGhlIHNhbXBsZSBub25jZQ==").as_str(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    /// Nonces, among them the ends of the alphabet, and their keys (Python's
    /// `base64.b64encode`).
    #[test]
    fn nonce_encoding() {
        let mut ascending = [0u8; 16];
        let mut high = [0u8; 16];
        for (i, (a, h)) in ascending.iter_mut().zip(&mut high).enumerate() {
            *a = i as u8;
            *h = 0xF0 | i as u8;
        }
        let cases: [([u8; 16], &str); 4] = [
            ([0; 16], "AAAAAAAAAAAAAAAAAAAAAA=="),
            ([0xFF; 16], "/////////////////////w=="),
            (ascending, "AAECAwQFBgcICQoLDA0ODw=="),
            (high, "8PHy8/T19vf4+fr7/P3+/w=="),
        ];
        for (nonce, expected) in cases {
            let key = ClientKey::from_nonce(nonce);
            assert_eq!(key.as_str(), expected, "{nonce:02x?}");
            assert!(is_valid_key(key.as_str().as_bytes()), "{expected}");
        }
    }

    /// Accept values (Python's `hashlib.sha1` and `base64.b64encode`),
    /// for keys that put the hashed input (key and the 36-byte GUID) on
    /// each side of SHA-1's padding boundaries: 55 bytes fit one block
    /// with the length, 56 take two, 64 and 128 fill whole blocks.
    #[test]
    fn accept_values() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &str)] = &[
            (b"AAAAAAAAAAAAAAAAAAAAAA==", "ICX+Yqv66kxgM0FcWaLWlFLwTAI="),
            (b"/////////////////////w==", "XXpj4jYzLM2yUE0C7TIgMwTQh2g="),
            (b"", "Kfh9QIsMVZcl6xEPYxPHzW8SZ8w="),
            (&[b'x'; 19], "qQsxh2Nb/vsnD9od6HBiP6Igif0="),
            (&[b'x'; 20], "7jD6MP55bPPoLSNhT1mD/AE8sjc="),
            (&[b'x'; 21], "fijAsQZ+zzPRFRzhbDIi9xp8/ac="),
            (&[b'x'; 28], "atUL8kQGe4qplhq19Y5TKRw/Uj4="),
            (&[b'x'; 92], "N6jQH9SY1VrfN6p4qvkUdTUUhwQ="),
        ];
        for &(key, expected) in cases {
            let accept = AcceptKey::for_key(key);
            assert_eq!(accept.as_str(), expected, "key of {} bytes", key.len());
            assert_eq!(accept.as_bytes(), expected.as_bytes());
        }
    }

    /// Random nonces survive the trip through a key and back, and every
    /// key made is one a server accepts.
    #[test]
    fn nonce_round_trip() {
        // xorshift64, seeded: the same nonces on every run.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut rng = |dest: &mut [u8]| {
            for byte in dest {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *byte = (state >> 32) as u8;
            }
        };
        for _ in 0..4096 {
            let mut nonce = [0u8; 16];
            rng(&mut nonce);
            let key = ClientKey::from_nonce(nonce);
            assert_eq!(key.as_str().len(), 24);
            assert!(is_valid_key(key.as_str().as_bytes()), "{key:?}");
            let mut decoded = [0u8; 16];
            assert_eq!(
                Base64::decode(key.as_str(), &mut decoded),
                Ok(&nonce[..]),
                "{key:?}"
            );
            assert_eq!(
                ClientKey::generate(&mut |d: &mut [u8]| d.copy_from_slice(&nonce)),
                key
            );
        }
    }

    #[test]
    fn generate_uses_the_source() {
        let mut calls = 0;
        let mut rng = |dest: &mut [u8]| {
            calls += 1;
            dest.copy_from_slice(b"the sample nonce");
        };
        let key = ClientKey::generate(&mut rng);
        assert_eq!(calls, 1);
        assert_eq!(key.as_str(), "dGhlIHNhbXBsZSBub25jZQ==");
    }

    #[test]
    fn key_validation() {
        #[rustfmt::skip]
        let cases: &[(&[u8], bool)] = &[
            (b"dGhlIHNhbXBsZSBub25jZQ==", true),
            (b"AAAAAAAAAAAAAAAAAAAAAA==", true),
            (b"/////////////////////w==", true),
            // 15 bytes and 17 bytes.
            (b"dGhlIHNhbXBsZSBub25jZQ", false),
            (b"AAAAAAAAAAAAAAAAAAAA", false),
            (b"AAAAAAAAAAAAAAAAAAAAAAA=", false),
            (b"AAAAAAAAAAAAAAAAAAAAAAAA", false),
            // Not base64, or not canonical.
            (b"dGhlIHNhbXBsZSBub25jZQ=!", false),
            (b"dGhlIHNhbXBsZSBub25jZR==", false),
            (b"dGhlIHNhbXBsZSBub25j ZQ=", false),
            (b"dGhlIHNhbXBsZSBub25jZQ-_", false),
            (b"dGhlIHNhbXBsZSBub25jZ-==", false),
            (b"dGhlIHNhbXBsZSBub25jZ\x80==", false),
            (b"dGhlIHNhbXBsZSBub25j\0w==", false),
            (b"+/+/+/+/+/+/+/+/+/+/+g==", true),
            // Padding in the middle, or too much of it.
            (b"dGhlIHNhbXBsZSBub25j==Q=", false),
            (b"dGhlIHNhbXBsZSBub25jZ===", false),
            (b"dGhlIHNhbXBsZSBub25jZQ==\r", false),
            // 36 characters: a UUID.
            (b"6ba7b810-9dad-11d1-80b4-00c04fd430c8", false),
            (b"", false),
        ];
        for &(key, valid) in cases {
            assert_eq!(is_valid_key(key), valid, "{:?}", core::str::from_utf8(key));
        }
        assert!(!is_valid_key(&[b'A'; 1000]));
    }

    /// The canonical form spelled out: 21 characters of the base64
    /// alphabet (RFC 4648 section 4), a 22nd that carries the last 2 bits
    /// with the 4 bits after them zero (`A`, `Q`, `g` or `w`), then `==`.
    fn is_canonical_key(key: &[u8]) -> bool {
        let is_base64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
        match key {
            [body @ .., last, b'=', b'='] => {
                body.len() == 21
                    && body.iter().all(is_base64)
                    && matches!(last, b'A' | b'Q' | b'g' | b'w')
            }
            _ => false,
        }
    }

    /// base64ct's decoding agrees with the canonical form spelled out, for
    /// every byte in every position of a valid key, and for every pair of
    /// bytes in the last three positions.
    #[test]
    fn key_validation_is_the_canonical_form() {
        let base = *b"dGhlIHNhbXBsZSBub25jZQ==";
        for pos in 0..base.len() {
            for byte in 0..=255u8 {
                let mut key = base;
                key[pos] = byte;
                assert_eq!(
                    is_valid_key(&key),
                    is_canonical_key(&key),
                    "{pos} {byte:#04x}"
                );
            }
        }
        for pos in [21, 22] {
            for a in 0..=255u8 {
                for b in 0..=255u8 {
                    let mut key = base;
                    key[pos] = a;
                    key[pos + 1] = b;
                    assert_eq!(
                        is_valid_key(&key),
                        is_canonical_key(&key),
                        "{pos} {a:#04x} {b:#04x}"
                    );
                }
            }
        }
    }
}
