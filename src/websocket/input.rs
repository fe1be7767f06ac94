//! How a connection takes bytes from its transport: any `embedded-io`
//! [`Read`](https://docs.rs/embedded-io/0.7/embedded_io/trait.Read.html), or a [`BufRead`](https://docs.rs/embedded-io/0.7/embedded_io/trait.BufRead.html) that lends its receive buffer ([`Lending`]),
//! whose frame payloads are unmasked (RFC 6455 section 5.3) as they are
//! copied out of that buffer.

use embedded_io::{BufRead, ErrorType, Read, Write};

use crate::connection::{self, Buffer, Connection};
use crate::role::Endpoint;
use sealed::Received;

/// A transport a [`WebSocket`] can read: every [`embedded_io::Read`](https://docs.rs/embedded-io/0.7/embedded_io/trait.Read.html), and
/// [`Lending`] around an [`embedded_io::BufRead`](https://docs.rs/embedded-io/0.7/embedded_io/trait.BufRead.html).
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

    use crate::connection::{self, Buffer, Connection};
    use crate::role::Endpoint;

    /// How bytes get from the transport into a connection.
    pub trait Input: ErrorType {
        /// Moves bytes that arrived into `conn`, blocking until some do:
        /// `Ok(false)` at the end of input.
        fn receive<E, RB, WB>(
            &mut self,
            conn: &mut Connection<E, RB, WB>,
        ) -> Result<bool, Received<Self::Error>>
        where
            E: Endpoint,
            RB: Buffer,
            WB: AsRef<[u8]> + AsMut<[u8]>;

        /// Reads bytes and drops them, using `spare` if it must: `Ok(0)` at
        /// the end of input.
        fn discard(&mut self, spare: &mut [u8]) -> Result<usize, Self::Error>;
    }

    /// Why [`Input::receive`] failed.
    pub enum Received<E> {
        /// The transport failed.
        Io(E),
        /// The bytes broke the protocol.
        Connection(connection::Error),
    }
}

impl<T: Read> sealed::Input for T {
    fn receive<E, RB, WB>(
        &mut self,
        conn: &mut Connection<E, RB, WB>,
    ) -> Result<bool, Received<T::Error>>
    where
        E: Endpoint,
        RB: Buffer,
        WB: AsRef<[u8]> + AsMut<[u8]>,
    {
        let free = conn.receive_buffer();
        if free.is_empty() {
            // A read into no room would look like the end of input.
            return Err(Received::Connection(connection::Error::BufferTooSmall));
        }
        let n = self.read(free).map_err(Received::Io)?;
        conn.received(n);
        Ok(n > 0)
    }

    fn discard(&mut self, spare: &mut [u8]) -> Result<usize, T::Error> {
        self.read(spare)
    }
}

/// A transport that lends its receive buffer (an [`embedded_io::BufRead`](https://docs.rs/embedded-io/0.7/embedded_io/trait.BufRead.html):
/// a TLS stream's decrypted record, a network stack's socket buffer, bytes
/// in memory): a connection copies frame payloads out of that buffer and
/// unmasks them in the same pass. Over a plain [`embedded_io::Read`](https://docs.rs/embedded-io/0.7/embedded_io/trait.Read.html) the
/// transport copies them into the read buffer and the connection unmasks
/// them in a second pass; for a server, which unmasks every payload, that
/// is one pass over the bytes fewer. A client receives unmasked payloads
/// and gains nothing.
///
/// Writes go to the wrapped transport unchanged. `Lending` is not itself a
/// [`Read`](https://docs.rs/embedded-io/0.7/embedded_io/trait.Read.html): it only serves a [`WebSocket`].
///
/// ```
/// use hybi::websocket::{Config, Lending, Message, WebSocket};
///
/// // Bytes in memory are a `BufRead`: a masked text frame, "Hello".
/// let frames: &[u8] = &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
/// let transport = Lending(ReadWrite(frames));
/// let mut ws = WebSocket::from_upgraded(
///     transport, &mut rx[..], &mut tx[..], hybi::Server, Config::new(), &[],
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
    fn receive<E, RB, WB>(
        &mut self,
        conn: &mut Connection<E, RB, WB>,
    ) -> Result<bool, Received<T::Error>>
    where
        E: Endpoint,
        RB: Buffer,
        WB: AsRef<[u8]> + AsMut<[u8]>,
    {
        let lent = self.0.fill_buf().map_err(Received::Io)?;
        if lent.is_empty() {
            return Ok(false);
        }
        let n = conn
            .receive(lent)
            .map_err(Received::Connection)?
            .min(lent.len());
        self.0.consume(n);
        Ok(true)
    }

    fn discard(&mut self, _spare: &mut [u8]) -> Result<usize, T::Error> {
        let n = self.0.fill_buf()?.len();
        self.0.consume(n);
        Ok(n)
    }
}
