//! A read buffer that grows with the message being read (feature `std`):
//! what [`connect`](super::connect) reads into by default, and what a
//! server gets from [`ServerOptions::buffers`](super::ServerOptions::buffers).

use std_crate::vec::Vec;

#[cfg(feature = "deflate")]
use crate::connection::InflateParts;
use crate::connection::{Buffer, Config, MIN_READ_BUFFER};
#[cfg(feature = "deflate")]
use crate::deflate::{InflateMemory, Inflater, MAX_WINDOW_BITS, window_len};
#[cfg(feature = "deflate")]
use std_crate::boxed::Box;

/// The size a [`Growable`] starts at and goes back to: 4 KiB.
pub const INITIAL_LEN: usize = 4096;

/// A read buffer on the heap that grows, up to a limit, to hold a whole
/// message as large as the connection's limit, and gives the memory back
/// once such a message has been read: a connection reads messages of any
/// size up to [`Config::max_message_len`] (16 MiB by default) with no
/// sizing by its user.
///
/// With the feature `deflate`, it also holds the memory to inflate
/// compressed messages with (permessage-deflate), made when the extension
/// is agreed: about 42 KiB.
///
/// This is the one part of hybi that allocates, and only with `std`: a
/// read buffer that is an array, a `&mut [u8]` or a `Vec` keeps its size,
/// and a message that does not fit it is refused with close code 1009;
/// [`read_chunk`](crate::websocket::WebSocket::read_chunk) passes messages
/// of any size through a fixed buffer.
#[derive(Debug, Clone)]
pub struct Growable {
    bytes: Vec<u8>,
    initial: usize,
    limit: usize,
    /// Inflate memory for permessage-deflate, made when a compressed
    /// message first arrives.
    #[cfg(feature = "deflate")]
    inflater: Option<Box<Inflater<Vec<u8>>>>,
}

impl Growable {
    /// A buffer of [`INITIAL_LEN`] bytes that grows as far as a whole
    /// message up to `config`'s limit needs.
    pub fn new(config: &Config) -> Self {
        let limit = usize::try_from(config.message_len_limit())
            .unwrap_or(usize::MAX)
            .saturating_add(MIN_READ_BUFFER);
        Growable::with_limit(INITIAL_LEN, limit)
    }

    /// A buffer of `initial` bytes that grows up to `limit` bytes.
    pub fn with_limit(initial: usize, limit: usize) -> Self {
        Growable {
            bytes: std_crate::vec![0; initial],
            initial,
            limit: limit.max(initial),
            #[cfg(feature = "deflate")]
            inflater: None,
        }
    }

    /// The bytes it holds now.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether it holds no bytes (only when made with `initial` 0).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl Default for Growable {
    /// [`Growable::new`] with the default [`Config`].
    fn default() -> Self {
        Growable::new(&Config::new())
    }
}

impl Buffer for Growable {
    const CAN_GROW: bool = true;

    fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// Grows to `len` bytes, or to twice its size if that is more (so a
    /// message arriving in many frames costs few copies), never past its
    /// limit.
    fn grow(&mut self, len: usize) -> bool {
        if len > self.limit {
            return false;
        }
        if len > self.bytes.len() {
            let to = len.max(self.bytes.len().saturating_mul(2)).min(self.limit);
            self.bytes.resize(to, 0);
        }
        true
    }

    fn shrink(&mut self, keep: usize) {
        if self.bytes.len() > self.initial {
            self.bytes.truncate(self.initial.max(keep));
            self.bytes.shrink_to_fit();
        }
    }

    /// Any window: the memory for it (about 10 KiB of state and a 32 KiB
    /// window) is made when a connection agrees to permessage-deflate.
    #[cfg(feature = "deflate")]
    fn inflate_window_bits(&self) -> u8 {
        MAX_WINDOW_BITS
    }

    #[cfg(feature = "deflate")]
    fn inflate_parts(&mut self) -> InflateParts<'_> {
        let inflater = self.inflater.get_or_insert_with(|| {
            let window = std_crate::vec![0; window_len(MAX_WINDOW_BITS)];
            Box::new(Inflater::new(window))
        });
        let (state, window) = inflater.parts();
        (&mut self.bytes, Some((state, window)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_within_its_limit_and_shrinks_back() {
        let mut buffer = Growable::with_limit(10, 100);
        buffer.bytes_mut()[..3].copy_from_slice(b"abc");
        assert!(buffer.grow(11));
        assert_eq!(buffer.len(), 20, "doubles");
        assert_eq!(&buffer.bytes()[..3], b"abc", "keeps what it holds");
        assert!(buffer.grow(70));
        assert_eq!(buffer.len(), 70);
        assert!(buffer.grow(100));
        assert!(!buffer.grow(101));
        assert_eq!(buffer.len(), 100);
        buffer.shrink(0);
        assert_eq!(buffer.len(), 10);
        assert_eq!(&buffer.bytes()[..3], b"abc");
    }

    #[test]
    fn its_limit_follows_the_message_limit() {
        let config = Config::new().max_message_len(10_000);
        let mut buffer = Growable::new(&config);
        assert_eq!(buffer.len(), INITIAL_LEN);
        assert!(buffer.grow(10_000 + MIN_READ_BUFFER));
        assert!(!buffer.grow(10_001 + MIN_READ_BUFFER));
        // A limit under the starting size: it starts there and stays.
        let mut small = Growable::new(&Config::new().max_message_len(1000));
        assert_eq!(small.len(), INITIAL_LEN);
        assert!(!small.grow(INITIAL_LEN + 1));
    }
}
