//! JSON-like text messages, the same for `examples/load_client.rs`
//! (`--payload json`) and hybi-dev's permessage-deflate benchmark
//! (`dev/benches/deflate.rs`), which both include this file by its path:
//! what the loopback benchmark sends is what the in-memory one compresses.
//!
//! A message is an array of records such as
//! `{"id":48213,"user":"user-417","temp":21.37,"ok":true,"tags":["beta","eps"],"ts":1765012345123}`,
//! their numbers drawn from a generator seeded per message, cut to the
//! length asked for: text a JSON API would send, with the repeated keys
//! that DEFLATE finds and the digits it cannot predict.

use std::fmt::Write;

/// The tags a record picks two of.
const TAGS: [&str; 5] = ["alpha", "beta", "gamma", "delta", "eps"];

/// `len` bytes of JSON-like ASCII text, the same for the same `seed`.
pub fn json_text(len: usize, seed: u64) -> String {
    // xorshift64, never seeded with zero.
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = |below: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % below
    };
    let mut out = String::with_capacity(len + 128);
    out.push('[');
    let mut ts = 1_765_000_000_000 + next(1_000_000_000);
    while out.len() < len {
        ts += next(5000);
        let _ = write!(
            out,
            r#"{{"id":{},"user":"user-{}","temp":{}.{:02},"ok":{},"tags":["{}","{}"],"ts":{}}},"#,
            next(100_000),
            next(1000),
            next(40),
            next(100),
            next(4) != 0,
            TAGS[next(5) as usize],
            TAGS[next(5) as usize],
            ts,
        );
    }
    out.truncate(len);
    out
}

/// The distinct messages of `len` bytes a run sends in turn, over and
/// over: at least two, and at least 64 KiB of them, so that a message never
/// comes again within a 32 KiB window (15 bits, the largest) of its last
/// copy, which would compress it to a few bytes.
pub fn messages(len: usize) -> Vec<String> {
    let count = (64 * 1024usize).div_ceil(len.max(1)).max(2);
    (0..count as u64).map(|seed| json_text(len, seed)).collect()
}
