//! The skeleton shared by the three binaries: the heads to parse, read
//! through `black_box` so the compiler cannot parse them at build time.
#![no_std]

use core::hint::black_box;

// The panic handler, so every binary links the same one.
use panic_halt as _;

/// Header slots for each head.
pub const HEADERS: usize = 16;

static REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Version: 13\r\n\
\r\n";

static RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
\r\n";

/// The request head and the response head, opaque to the optimiser.
#[inline(always)]
pub fn heads() -> (&'static [u8], &'static [u8]) {
    (black_box(REQUEST), black_box(RESPONSE))
}

/// Keeps a result alive.
#[inline(always)]
pub fn report<T>(value: T) {
    black_box(value);
}

/// Where every binary ends up after its work.
#[inline(always)]
pub fn idle() -> ! {
    loop {
        core::hint::spin_loop();
    }
}
