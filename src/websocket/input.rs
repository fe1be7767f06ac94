//! How a connection takes bytes from its transport: any `embedded-io`
//! [`Read`], or a [`BufRead`] that lends its receive buffer ([`Lending`]),
//! whose frame payloads are unmasked (RFC 6455 section 5.3) as they are
//! copied out of that buffer.

use embedded_io::{BufRead, ErrorType, Read, Write};

use crate::mask::copy_masked;

/// A transport a [`WebSocket`] can read: every [`embedded_io::Read`], and
/// [`Lending`] around an [`embedded_io::BufRead`].
///
/// Sealed: there is nothing to implement; wrap a transport in [`Lending`]
/// to choose the other way of reading it.
///
/// [`WebSocket`]: super::WebSocket
pub trait Input: sealed::Input {}

impl<T: Read> Input for T {}

impl<T: BufRead> Input for Lending<T> {}

pub(crate) mod sealed {
    use embedded_io::ErrorType;

    /// Payload bytes taken from the transport, unmasked.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Unmasked {
        /// How many bytes.
        pub len: usize,
        /// The phase after them.
        pub phase: usize,
        /// Whether they are all ASCII.
        pub ascii: bool,
    }

    /// The reads a connection makes.
    pub trait Input: ErrorType {
        /// Whether the transport lends its buffer: [`Input::lent`] and
        /// [`Input::read_unmasked`] are `Some`. False leaves the code for
        /// them out.
        const LENDS: bool = false;

        /// Reads into `buf`, as [`embedded_io::Read::read`]: 0 is the end
        /// of input.
        fn read_into(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;

        /// The bytes the transport lends, without taking them (blocking
        /// until there are some; empty at the end of input), or `None`
        /// when it does not lend.
        fn lent(&mut self) -> Option<Result<&[u8], Self::Error>> {
            None
        }

        /// Reads payload bytes into `buf` and unmasks them with `key` from
        /// `phase` on, in one pass; `None` when the transport cannot do
        /// that better than a read followed by a pass over the bytes read,
        /// which the connection then makes itself.
        fn read_unmasked(
            &mut self,
            buf: &mut [u8],
            key: [u8; 4],
            phase: usize,
        ) -> Option<Result<Unmasked, Self::Error>> {
            let _ = (buf, key, phase);
            None
        }
    }
}

impl<T: Read> sealed::Input for T {
    fn read_into(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        self.read(buf)
    }
}

/// A transport that lends its receive buffer (an [`embedded_io::BufRead`]:
/// a TLS stream's decrypted record, a network stack's socket buffer, bytes
/// in memory): a connection copies frame payloads out of that buffer and
/// unmasks them in the same pass. Over a plain [`embedded_io::Read`] the
/// transport copies them into the read buffer and the connection unmasks
/// them in a second pass; for a server, which unmasks every payload, that
/// is one pass over the bytes fewer. A client receives unmasked payloads
/// and gains nothing.
///
/// Writes go to the wrapped transport unchanged. `Lending` is not itself a
/// [`Read`]: it only serves a [`WebSocket`].
///
/// ```
/// use hybi::websocket::{Config, Lending, Message, WebSocket};
///
/// // Bytes in memory are a `BufRead`: a masked text frame, "Hello".
/// let frames: &[u8] = &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
/// let transport = Lending(ReadWrite(frames));
/// let mut ws = WebSocket::from_upgraded(
///     transport, &mut rx[..], &mut tx[..],
///     hybi::Role::Server, hybi::websocket::NoRandom, Config::new(), &[],
/// ).unwrap();
/// assert_eq!(ws.read().unwrap(), Message::Text("Hello"));
///
/// // `&[u8]` as a `BufRead` that discards what is written to it.
/// struct ReadWrite<'a>(&'a [u8]);
/// # impl embedded_io::ErrorType for ReadWrite<'_> {
/// #     type Error = core::convert::Infallible;
/// # }
/// # impl embedded_io::Read for ReadWrite<'_> {
/// #     fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
/// #         self.0.read(buf)
/// #     }
/// # }
/// # impl embedded_io::BufRead for ReadWrite<'_> {
/// #     fn fill_buf(&mut self) -> Result<&[u8], Self::Error> {
/// #         Ok(self.0)
/// #     }
/// #     fn consume(&mut self, amt: usize) {
/// #         self.0 = &self.0[amt..];
/// #     }
/// # }
/// # impl embedded_io::Write for ReadWrite<'_> {
/// #     fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
/// #         Ok(buf.len())
/// #     }
/// #     fn flush(&mut self) -> Result<(), Self::Error> {
/// #         Ok(())
/// #     }
/// # }
/// ```
///
/// [`WebSocket`]: super::WebSocket
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Lending<T>(pub T);

impl<T> Lending<T> {
    /// The wrapped transport.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: ErrorType> ErrorType for Lending<T> {
    type Error = T::Error;
}

impl<T: Write> Write for Lending<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, T::Error> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> Result<(), T::Error> {
        self.0.flush()
    }
}

impl<T: BufRead> sealed::Input for Lending<T> {
    const LENDS: bool = true;

    fn read_into(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        let lent = self.0.fill_buf()?;
        let len = lent.len().min(buf.len());
        buf[..len].copy_from_slice(&lent[..len]);
        self.0.consume(len);
        Ok(len)
    }

    fn lent(&mut self) -> Option<Result<&[u8], T::Error>> {
        Some(self.0.fill_buf())
    }

    fn read_unmasked(
        &mut self,
        buf: &mut [u8],
        key: [u8; 4],
        phase: usize,
    ) -> Option<Result<sealed::Unmasked, T::Error>> {
        let lent = match self.0.fill_buf() {
            Ok(lent) => lent,
            Err(e) => return Some(Err(e)),
        };
        let len = lent.len().min(buf.len());
        let (phase, ascii) = copy_masked(key, phase, lent, buf);
        self.0.consume(len);
        Some(Ok(sealed::Unmasked { len, phase, ascii }))
    }
}
