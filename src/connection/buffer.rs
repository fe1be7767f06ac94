//! The memory a connection reads into: the caller's, of a fixed size, or
//! (with `std`) one that grows with the message being read.

/// A read buffer: anything that is `AsRef<[u8]> + AsMut<[u8]>` (an array,
/// a `&mut [u8]`, a `Vec`) is one, of a fixed size: a message larger than
/// the buffer allows is refused with close code 1009, and nothing is ever
/// allocated. A buffer that can grow (`net::Growable`, with `std`)
/// implements [`Buffer::grow`] and [`Buffer::shrink`] as well, and a
/// message is refused only over the configured limit.
pub trait Buffer {
    /// Whether [`Buffer::grow`] can ever succeed: false compiles out every
    /// use of it, so a fixed buffer costs nothing for the buffers that grow.
    const CAN_GROW: bool = false;

    /// The bytes.
    fn bytes(&self) -> &[u8];

    /// The bytes, to write into.
    fn bytes_mut(&mut self) -> &mut [u8];

    /// Makes the buffer at least `len` bytes long, keeping what it holds,
    /// if it can: whether it now is. A fixed buffer cannot.
    fn grow(&mut self, len: usize) -> bool {
        let _ = len;
        false
    }

    /// Gives back memory past the first `keep` bytes, which stay as they
    /// are: after a large message. A fixed buffer keeps its size.
    fn shrink(&mut self, keep: usize) {
        let _ = keep;
    }

    /// The largest LZ77 window, in bits, the buffer's inflate memory holds
    /// (permessage-deflate, RFC 7692): 0 for a buffer without, which
    /// neither offers nor accepts the extension. See
    /// [`Inflating`](crate::deflate::Inflating).
    #[cfg(feature = "deflate")]
    fn inflate_window_bits(&self) -> u8 {
        0
    }

    /// The bytes, and the inflate memory beside them if the buffer has
    /// some: the state and a window of at least
    /// [`window_len`](crate::deflate::window_len) of the bits negotiated.
    #[cfg(feature = "deflate")]
    fn inflate_parts(&mut self) -> InflateParts<'_> {
        (self.bytes_mut(), None)
    }
}

/// The bytes of a read buffer, and its inflate memory: the state and the
/// window.
#[cfg(feature = "deflate")]
pub type InflateParts<'a> = (
    &'a mut [u8],
    Option<(&'a mut crate::deflate::InflateState, &'a mut [u8])>,
);

impl<T: AsRef<[u8]> + AsMut<[u8]> + ?Sized> Buffer for T {
    fn bytes(&self) -> &[u8] {
        self.as_ref()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut()
    }
}
