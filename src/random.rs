//! Where a client gets its masking keys and handshake nonces.

/// A source of unpredictable bytes (RFC 6455 sections 4.1 and 5.3).
///
/// A client needs 16 random bytes for the `Sec-WebSocket-Key` nonce and 4 for
/// the masking key of every frame it sends; the RFC requires that the peer
/// (and anything in between) cannot predict them. A server needs none.
///
/// Any `FnMut(&mut [u8])` is a source, so a hardware RNG plugs in with a
/// closure:
///
/// ```
/// # struct Trng; impl Trng { fn next_u32(&mut self) -> u32 { 4 } }
/// # let mut trng = Trng;
/// use hybi::RandomSource;
///
/// let mut rng = |dest: &mut [u8]| {
///     for chunk in dest.chunks_mut(4) {
///         let word = trng.next_u32().to_le_bytes();
///         chunk.copy_from_slice(&word[..chunk.len()]);
///     }
/// };
/// let mut key = [0u8; 4];
/// rng.fill_bytes(&mut key);
/// ```
pub trait RandomSource {
    /// Fills `dest` with unpredictable bytes.
    fn fill_bytes(&mut self, dest: &mut [u8]);
}

impl<F: FnMut(&mut [u8])> RandomSource for F {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self(dest)
    }
}
