//! Masking keys and handshake nonces from the operating system (RFC 6455
//! sections 5.3 and 10.3).

use crate::RandomSource;

/// The operating system's random source, through [`getrandom`](https://docs.rs/getrandom/0.4/getrandom/): the
/// [`RandomSource`] a `std` client uses.
///
/// A client needs 4 fresh bytes for every frame it sends; asking the
/// kernel for each 4 would cost a system call per message. Bytes are drawn
/// 256 at a time into a per-thread pool instead, and each byte is handed
/// out once.
///
/// # Panics
///
/// If the operating system cannot supply random bytes (on Linux, only
/// before the kernel's pool is ready at boot, or in a sandbox that forbids
/// the system call). That is a failure of the platform, not of input, and a
/// client must not mask with predictable keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OsRandom;

/// Random bytes drawn from the operating system, not yet handed out:
/// `bytes[used..]`.
struct Pool {
    bytes: [u8; POOL_LEN],
    used: usize,
}

const POOL_LEN: usize = 256;

std_crate::thread_local! {
    static POOL: core::cell::RefCell<Pool> = const {
        core::cell::RefCell::new(Pool { bytes: [0; POOL_LEN], used: POOL_LEN })
    };
}

impl RandomSource for OsRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        POOL.with_borrow_mut(|pool| {
            let mut dest = dest;
            while !dest.is_empty() {
                if pool.used == POOL_LEN {
                    if let Err(e) = getrandom::fill(&mut pool.bytes) {
                        panic!("hybi: the operating system's random source failed: {e}");
                    }
                    pool.used = 0;
                }
                let n = dest.len().min(POOL_LEN - pool.used);
                let (now, rest) = dest.split_at_mut(n);
                let fresh = &mut pool.bytes[pool.used..pool.used + n];
                now.copy_from_slice(fresh);
                // Handed out once: forget them.
                fresh.fill(0);
                pool.used += n;
                dest = rest;
            }
        });
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

    #[test]
    fn never_repeats_across_refills() {
        // Masking keys over several pool refills, and a request larger than
        // the pool: no two 4-byte keys in a row alike, no long zero runs.
        let mut keys = std_crate::vec::Vec::new();
        for _ in 0..3 * POOL_LEN / 4 + 1 {
            let mut key = [0u8; 4];
            OsRandom.fill_bytes(&mut key);
            keys.push(key);
        }
        assert!(keys.windows(2).all(|w| w[0] != w[1]));
        let mut big = [0u8; 3 * POOL_LEN + 7];
        OsRandom.fill_bytes(&mut big);
        assert!(big.chunks(16).all(|c| c.iter().any(|&b| b != 0)));
    }
}
