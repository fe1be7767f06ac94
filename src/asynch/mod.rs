//! An async WebSocket over any [`embedded_io_async`](https://docs.rs/embedded-io-async/0.7/embedded_io_async/) transport (feature
//! `async`; RFC 6455 sections 4 to 7): the [connection core](crate::connection)
//! driven by async reads and writes, for embassy-net sockets, async UARTs
//! and any executor. It behaves as the blocking
//! [`websocket::WebSocket`](crate::websocket::WebSocket) does, call for
//! call, in the same buffers, and allocates nothing.
//!
//! ```
//! use embedded_io_async::{Read, Write};
//! use hybi::asynch::WebSocket;
//! use hybi::handshake::server::Response;
//! use hybi::websocket::{Config, Error, Message};
//!
//! async fn echo<T: Read + Write>(socket: T) -> Result<(), Error<T::Error>> {
//!     let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
//!     let mut ws = WebSocket::server(socket, &mut rx[..], &mut tx[..], Config::new());
//!     ws.accept(|_request| Response::accept()).await?;
//!     loop {
//!         let (message, mut writer) = ws.read_with_writer().await?;
//!         match message {
//!             Message::Text(text) => writer.write_text(text).await?,
//!             Message::Binary(data) => writer.write_binary(data).await?,
//!             Message::Close(_) => return Ok(()),
//!             _ => {}
//!         }
//!     }
//! }
//! ```
//!
//! A future dropped in the middle of a write leaves the frame half sent:
//! the connection is then closed, as after a transport error there.

mod handshake;
mod read;
pub(crate) mod write;

pub use write::Writer;

use crate::connection::Buffer;
use crate::connection::{Config, Connection};
use crate::role::{Client, Endpoint, Server};
use crate::websocket::Error;
use crate::{RandomSource, Role};

/// An async WebSocket over the transport `T`, with the read buffer `B`,
/// the endpoint `E` ([`Server`], or [`Client`] with its randomness source)
/// and the write buffer `W`.
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
        WebSocket {
            transport,
            conn: Connection::new(Server, read_buffer, write_buffer, config),
        }
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
        WebSocket {
            transport,
            conn: Connection::new(Client::new(rng), read_buffer, write_buffer, config),
        }
    }
}

impl<T, B, E, W> WebSocket<T, B, E, W>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    /// A connection whose handshake was done elsewhere: frames flow at
    /// once; `already_read` holds the peer's first bytes, read past the
    /// handshake (see
    /// [`websocket::WebSocket::from_upgraded`](crate::websocket::WebSocket::from_upgraded)).
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

    /// Whether messages can still be read or written.
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

    /// The transport. Reading or writing it directly corrupts the
    /// WebSocket stream.
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
