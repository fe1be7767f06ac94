//! The `Sec-WebSocket-Key` nonce and the `Sec-WebSocket-Accept` value
//! derived from it (RFC 6455 sections 4.1 and 4.2.2).

use core::fmt;

use super::{base64, sha1};
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
        base64::encode(&nonce, &mut out);
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
        let digest = sha1::digest(&[key, GUID.as_bytes()]);
        let mut out = [0u8; 28];
        base64::encode(&digest, &mut out);
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
/// its canonical form: 21 characters of the base64 alphabet (RFC 4648
/// section 4), a 22nd that carries the last 2 bits with the 4 bits after
/// them zero (`A`, `Q`, `g` or `w`), then `==`.
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::{Base64, Encoding};

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
            // 36 characters: a UUID.
            (b"6ba7b810-9dad-11d1-80b4-00c04fd430c8", false),
            (b"", false),
        ];
        for &(key, valid) in cases {
            assert_eq!(is_valid_key(key), valid, "{:?}", core::str::from_utf8(key));
        }
        assert!(!is_valid_key(&[b'A'; 1000]));
    }

    /// Agrees with base64ct's canonical decoding for every byte in every
    /// position of a valid key.
    #[test]
    fn key_validation_agrees_with_base64ct() {
        let base = *b"dGhlIHNhbXBsZSBub25jZQ==";
        for pos in 0..base.len() {
            for byte in 0..=255u8 {
                let mut key = base;
                key[pos] = byte;
                let mut nonce = [0u8; 16];
                let decodes = matches!(Base64::decode(key, &mut nonce), Ok(b) if b.len() == 16);
                assert_eq!(is_valid_key(&key), decodes, "{pos} {byte:#04x}");
            }
        }
    }
}
