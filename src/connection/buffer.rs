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
}

impl<T: AsRef<[u8]> + AsMut<[u8]> + ?Sized> Buffer for T {
    fn bytes(&self) -> &[u8] {
        self.as_ref()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut()
    }
}
