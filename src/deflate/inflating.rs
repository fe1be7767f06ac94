//! A read buffer paired with inflate memory: what lets a connection offer
//! and accept permessage-deflate (RFC 7692) without a heap.

use super::InflateMemory;
use crate::connection::{Buffer, InflateParts};

/// A read buffer `B` with inflate memory `M` (an [`Inflater`](super::Inflater),
/// or a `&mut` to one): a connection over it offers (client) or accepts
/// (server) permessage-deflate with windows up to what `M` holds, and
/// inflates compressed messages through `M` into `B` as if they had come
/// uncompressed.
///
/// ```
/// use hybi::deflate::{Inflater, Inflating};
/// use hybi::connection::Connection;
/// use hybi::{Config, Server};
///
/// // A peer held to 9-bit windows: 512 bytes of window, about 10 KiB of
/// // state beside it.
/// let mut inflater = Inflater::new([0u8; 512]);
/// let (mut rx, mut tx) = ([0u8; 2048], [0u8; 512]);
/// let rx = Inflating::new(&mut rx[..], &mut inflater);
/// let config = Config::new().deflate(hybi::deflate::DeflateConfig::new().window_bits(9));
/// let conn = Connection::new(Server, rx, &mut tx[..], config);
/// # let _ = conn;
/// ```
#[derive(Debug)]
pub struct Inflating<B, M> {
    buffer: B,
    memory: M,
}

impl<B, M> Inflating<B, M> {
    /// `buffer`, inflating through `memory`.
    pub const fn new(buffer: B, memory: M) -> Self {
        Inflating { buffer, memory }
    }

    /// The buffer and the memory, apart again.
    pub fn into_parts(self) -> (B, M) {
        (self.buffer, self.memory)
    }
}

impl<B: Buffer, M: InflateMemory> Buffer for Inflating<B, M> {
    const CAN_GROW: bool = B::CAN_GROW;

    fn bytes(&self) -> &[u8] {
        self.buffer.bytes()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self.buffer.bytes_mut()
    }

    fn grow(&mut self, len: usize) -> bool {
        self.buffer.grow(len)
    }

    fn shrink(&mut self, keep: usize) {
        self.buffer.shrink(keep);
    }

    fn inflate_window_bits(&self) -> u8 {
        self.memory.window_bits()
    }

    fn inflate_parts(&mut self) -> InflateParts<'_> {
        let (state, window) = self.memory.parts();
        (self.buffer.bytes_mut(), Some((state, window)))
    }
}
