//! Masking keys and handshake nonces from the operating system (RFC 6455
//! sections 5.3 and 10.3).

use crate::RandomSource;

/// The operating system's random source, through [`getrandom`]: the
/// [`RandomSource`] a `std` client uses.
///
/// # Panics
///
/// If the operating system cannot supply random bytes (on Linux, only
/// before the kernel's pool is ready at boot, or in a sandbox that forbids
/// the system call). That is a failure of the platform, not of input, and a
/// client must not mask with predictable keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if let Err(e) = getrandom::fill(dest) {
            panic!("hybi: the operating system's random source failed: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        OsRandom.fill_bytes(&mut a);
        OsRandom.fill_bytes(&mut b);
        assert_ne!(a, b);
        OsRandom.fill_bytes(&mut []);
    }
}
