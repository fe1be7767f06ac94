//! A blocking WebSocket over any [`embedded_io`](https://docs.rs/embedded-io/0.7/embedded_io/) transport (RFC 6455
//! sections 4 to 7): the [connection core](crate::connection) driven by
//! blocking reads and writes.
//!
//! [`WebSocket`] runs the opening handshake in either role, then reads
//! messages (whole, or chunk by chunk for messages larger than the buffer)
//! and writes them, answering pings and completing the close handshake on
//! its own. It owns no memory: the caller passes a read buffer and a write
//! buffer (anything that is `AsRef<[u8]> + AsMut<[u8]>`: `&mut [u8]`, an
//! array, a `static` slice, a `Vec`), of the same type or not.
//!
//! # Buffers
//!
//! - **Read buffer**: holds the handshake head (a browser's request is 400
//!   to 800 bytes; 1 KiB is a good floor for a server, 256 bytes for a
//!   client talking to a known server), then incoming frames. It must hold
//!   at least [`MIN_READ_BUFFER`] (139) bytes: a whole control frame. A
//!   message read whole with [`WebSocket::read`] may be up to `len - 139`
//!   bytes; [`WebSocket::read_chunk`] passes messages of any size.
//! - **Write buffer**: holds outgoing frames until they are flushed, and the
//!   handshake head (a client's request is about 150 bytes plus host, path
//!   and options). At least [`MIN_WRITE_BUFFER`] (139) bytes, a whole
//!   control frame; larger messages are written in pieces (a server's
//!   straight from the caller's slice). Small messages written back to
//!   back share one transport write; anything pending is flushed before
//!   the connection blocks on a read, and by [`WebSocket::flush`]. Bytes a
//!   transport error kept from going out stay queued for the next flush: a
//!   transport error while answering a ping or a close leaves the answer
//!   to be sent by the next read.
//!
//! The connection state itself is a few dozen bytes beside the buffers and
//! the transport.
//!
//! # Transports
//!
//! Any [`embedded_io::Read`](https://docs.rs/embedded-io/0.7/embedded_io/trait.Read.html) + [`embedded_io::Write`](https://docs.rs/embedded-io/0.7/embedded_io/trait.Write.html): the connection reads
//! into its read buffer and unmasks payloads there. A transport that lends
//! its receive buffer ([`embedded_io::BufRead`](https://docs.rs/embedded-io/0.7/embedded_io/trait.BufRead.html)) can go in [`Lending`]
//! instead: the payload of a frame over 2 KiB is then unmasked as it is
//! copied out of the transport's buffer, one pass over the bytes fewer for
//! a server.
//!
//! # Example: an echo loop
//!
//! ```
//! use embedded_io::{Read, Write};
//! use hybi::handshake::server::Response;
//! use hybi::websocket::{Config, Error, Message, WebSocket};
//!
//! fn echo<T: Read + Write>(transport: T) -> Result<(), Error<T::Error>> {
//!     let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
//!     let mut ws = WebSocket::server(transport, &mut rx[..], &mut tx[..], Config::new());
//!     ws.accept(|_request| Response::accept())?;
//!     loop {
//!         // The message borrows the read buffer, the writer the write side.
//!         let (message, mut writer) = ws.read_with_writer()?;
//!         match message {
//!             Message::Text(text) => writer.write_text(text)?,
//!             Message::Binary(data) => writer.write_binary(data)?,
//!             Message::Close(_) => return Ok(()),
//!             Message::Ping(_) | Message::Pong(_) => {}
//!         }
//!     }
//! }
//! ```

mod error;
mod handshake;
mod input;
mod read;
pub(crate) mod write;

pub use crate::connection::{
    Chunk, Config, DEFAULT_MAX_MESSAGE_LEN, DEFAULT_MIN_CHUNK_LEN, MAX_PROTOCOL_LEN,
    MIN_READ_BUFFER, MIN_WRITE_BUFFER, Message, ServerHandshake, Subprotocol,
};
pub use error::Error;
pub use input::{Input, Lending};
pub use write::Writer;

use crate::connection::Buffer;
use crate::connection::Connection;
use crate::role::{Client, Endpoint, Server};
use crate::{RandomSource, Role};

/// A WebSocket over the transport `T`, with the read buffer `B`, the
/// endpoint `E` ([`Server`], or [`Client`] with its randomness source) and
/// the write buffer `W`.
pub struct WebSocket<T, B, E = Server, W = B> {
    transport: T,
    conn: Connection<E, B, W>,
}

impl<T, B, E, W> core::fmt::Debug for WebSocket<T, B, E, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WebSocket")
            .field("connection", &self.conn)
            .finish_non_exhaustive()
    }
}

impl<T, B, W> WebSocket<T, B, Server, W>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    /// A server side connection, before its handshake: call
    /// [`WebSocket::accept`] next.
    pub fn server(transport: T, read_buffer: B, write_buffer: W, config: Config) -> Self {
        WebSocket::new(transport, Server, read_buffer, write_buffer, config)
    }
}

impl<T, B, R, W> WebSocket<T, B, Client<R>, W>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// A client side connection, before its handshake: call
    /// [`WebSocket::connect`] next. `rng` supplies the handshake nonce and
    /// every frame's masking key, and must be unpredictable (section 10.3).
    pub fn client(transport: T, read_buffer: B, write_buffer: W, rng: R, config: Config) -> Self {
        WebSocket::new(
            transport,
            Client::new(rng),
            read_buffer,
            write_buffer,
            config,
        )
    }
}

impl<T, B, E, W> WebSocket<T, B, E, W>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    fn new(transport: T, endpoint: E, read_buffer: B, write_buffer: W, config: Config) -> Self {
        WebSocket {
            transport,
            conn: Connection::new(endpoint, read_buffer, write_buffer, config),
        }
    }

    /// A connection whose handshake was done elsewhere: frames flow at
    /// once. `endpoint` is [`Server`] or a [`Client`] with its randomness
    /// source. `already_read` holds bytes read past the handshake, which
    /// are the peer's first frames; it must fit the read buffer.
    pub fn from_upgraded(
        transport: T,
        read_buffer: B,
        write_buffer: W,
        endpoint: E,
        config: Config,
        already_read: &[u8],
    ) -> Result<Self, Error<core::convert::Infallible>> {
        let mut ws = WebSocket {
            transport,
            conn: Connection::upgraded(endpoint, read_buffer, write_buffer, config),
        };
        let room = ws.conn.receive_buffer();
        let dest = room
            .get_mut(..already_read.len())
            .ok_or(Error::BufferTooSmall)?;
        dest.copy_from_slice(already_read);
        ws.conn.received(already_read.len());
        Ok(ws)
    }

    /// This end's role.
    pub fn role(&self) -> Role {
        E::ROLE
    }

    /// The configuration, with [`Config::min_chunk_len`] as in effect: at
    /// most the read buffer's length less [`MIN_READ_BUFFER`].
    pub fn config(&self) -> Config {
        self.conn.config()
    }

    /// Whether messages can still be read or written: the handshake is done
    /// and no close has ended the connection.
    pub fn is_open(&self) -> bool {
        self.conn.is_open()
    }

    /// Whether the connection is over.
    pub fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, to set timeouts or shut it down. Reading or writing
    /// it directly corrupts the WebSocket stream.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The connection core the transport drives.
    pub fn connection(&self) -> &Connection<E, B, W> {
        &self.conn
    }

    /// Starts permessage-deflate as a handshake done elsewhere agreed (an
    /// extended CONNECT over HTTP/2 or HTTP/3): see
    /// [`Connection::start_deflate`]. [`WebSocket::accept`] and the
    /// client handshake negotiate it themselves.
    #[cfg(feature = "deflate")]
    pub fn start_deflate(&mut self, agreed: crate::deflate::Negotiated) {
        self.conn.start_deflate(agreed);
    }

    /// The transport and the connection core.
    pub(crate) fn into_connection(self) -> (T, Connection<E, B, W>) {
        (self.transport, self.conn)
    }

    /// The transport and the two buffers. Bytes not yet flushed are lost.
    pub fn into_parts(self) -> (T, B, W) {
        let (rx, tx) = self.conn.into_buffers();
        (self.transport, rx, tx)
    }
}
