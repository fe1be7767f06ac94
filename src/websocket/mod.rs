//! A blocking WebSocket over any [`embedded_io`] transport (RFC 6455
//! sections 4 to 7).
//!
//! [`WebSocket`] runs the opening handshake in either role, then reads
//! messages (whole, or chunk by chunk for messages larger than the buffer)
//! and writes them, answering pings and completing the close handshake on
//! its own. It owns no memory: the caller passes a read buffer and a write
//! buffer (anything that is `AsRef<[u8]> + AsMut<[u8]>`: `&mut [u8]`, an
//! array, a `static` slice, a `Vec`).
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
//!   client's handshake request (about 150 bytes plus host, path and
//!   options). At least [`MIN_WRITE_BUFFER`] (16) bytes; larger messages
//!   are written in pieces. Small messages written back to back share one
//!   transport write; anything pending is flushed before the connection
//!   blocks on a read, and by [`WebSocket::flush`]. Bytes a transport
//!   error kept from going out stay queued for the next flush. From 139
//!   bytes up a control frame is always queued whole, so a transport error
//!   while answering a ping or a close leaves the frame to be answered
//!   again by the next read.
//!
//! The connection state itself is a few dozen bytes beside the buffers and
//! the transport.
//!
//! # Transports
//!
//! Any [`embedded_io::Read`] + [`embedded_io::Write`]: the connection reads
//! into its read buffer and unmasks payloads there. A transport that lends
//! its receive buffer ([`embedded_io::BufRead`]) can go in [`Lending`]
//! instead: the payload of a frame over 2 KiB is then unmasked as it is
//! copied out of the transport's buffer, one pass over the bytes fewer for
//! a server.
//!
//! # Example: an echo loop
//!
//! ```
//! use embedded_io::{Read, Write};
//! use hybi::websocket::{Config, Error, Message, WebSocket};
//!
//! fn echo<T: Read + Write>(transport: T) -> Result<(), Error<T::Error>> {
//!     let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
//!     let mut ws = WebSocket::server(transport, &mut rx[..], &mut tx[..], Config::new());
//!     ws.accept(|_request| Ok(None))?;
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
mod message;
mod read;
mod write;

pub use error::Error;
pub use handshake::ServerHandshake;
pub use input::{Input, Lending};
pub use message::{Chunk, Message};
pub use write::Writer;

use crate::frame::{MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use crate::reassembly::{DataKind, Reassembler};
use crate::utf8::Utf8Validator;
use crate::{RandomSource, Role};

/// The smallest read buffer: one whole control frame (14 + 125 bytes).
pub const MIN_READ_BUFFER: usize = MAX_HEADER_LEN + MAX_CONTROL_PAYLOAD;

/// The most one transport read asks for. Bytes are unmasked and validated
/// right after they are read, while they are still in the processor's
/// cache; reading megabytes at once would evict them first.
const READ_CHUNK: usize = 256 * 1024;

/// The smallest write buffer: a frame header and a little payload.
pub const MIN_WRITE_BUFFER: usize = 16;

/// The default limit on a message's size: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_LEN: u64 = 16 * 1024 * 1024;

/// How a connection behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    max_message_len: u64,
    auto_pong: bool,
    show_control: bool,
}

impl Config {
    /// Messages up to [`DEFAULT_MAX_MESSAGE_LEN`], pings answered
    /// automatically, pings and pongs not shown.
    pub const fn new() -> Self {
        Config {
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
            auto_pong: true,
            show_control: false,
        }
    }

    /// Refuses messages over `len` bytes with close code 1009, as soon as a
    /// frame header announces them.
    pub const fn max_message_len(mut self, len: u64) -> Self {
        self.max_message_len = len;
        self
    }

    /// Whether pings are answered with a pong automatically (default: yes).
    /// Off, the caller must answer them (section 5.5.2) with
    /// [`WebSocket::write_pong`]; turn [`Config::show_control`] on to see them.
    pub const fn auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }

    /// Whether reads return pings and pongs (default: no).
    pub const fn show_control(mut self, on: bool) -> Self {
        self.show_control = on;
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// A randomness source for a server, which never masks: it is never called.
///
/// It yields zeros, so it must never serve a client: a client's masking
/// keys must be unpredictable (RFC 6455 section 10.3).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRandom;

impl RandomSource for NoRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
    }
}

/// Where the connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the opening handshake.
    Handshake,
    /// Messages flow both ways.
    Open,
    /// This end sent a close and waits for the peer's.
    CloseSent,
    /// Over: the close handshake finished, or an error ended it.
    Closed,
}

/// The payload of a data frame being received.
#[derive(Debug, Clone, Copy)]
struct InFrame {
    kind: DataKind,
    last: bool,
    mask: Option<[u8; 4]>,
    phase: u8,
    remaining: usize,
}

/// A WebSocket over the transport `T`, with buffers `B` and, for a client,
/// the randomness source `R` for masking keys and the handshake nonce.
pub struct WebSocket<T, B, R = NoRandom> {
    transport: T,
    config: Config,
    state: State,
    incoming: Incoming<B>,
    outgoing: Outgoing<B, R>,
}

impl<T, B, R> core::fmt::Debug for WebSocket<T, B, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WebSocket")
            .field("role", &self.outgoing.role)
            .field("state", &self.state)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The read side: the read buffer and where each part of it stands.
struct Incoming<B> {
    rx: B,
    /// Unprocessed bytes from the transport: `rx[start..end]`.
    start: usize,
    end: usize,
    /// The data message being assembled: `rx[msg_start..msg_start + msg_len]`.
    msg_start: usize,
    msg_len: usize,
    /// What the previous read handed out, to let go of at the next.
    handed_out: HandedOut,
    frame: Option<InFrame>,
    /// A client's close handshake is over; the next read waits for the end
    /// of the transport.
    await_eof: bool,
    reassembler: Reassembler,
    utf8: Utf8Validator,
}

/// The write side: the write buffer and the message being sent.
struct Outgoing<B, R> {
    role: Role,
    rng: R,
    tx: B,
    /// Bytes queued: `tx[..pending]`, of which `tx[..sent]` already went
    /// out in a flush that a transport error interrupted.
    pending: usize,
    sent: usize,
    /// A frame too large for the buffer failed half-written: the stream is
    /// no longer in sync with the peer.
    broken: bool,
    /// The type of the fragmented message being sent, if any.
    sending: Option<DataKind>,
    sending_utf8: Utf8Validator,
}

/// What the last read returned from the read buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandedOut {
    /// Nothing that still sits in the message area.
    Nothing,
    /// A whole message: the message area is free again.
    Message,
    /// The first `n` bytes of the message area, as a chunk.
    Chunk(usize),
}

impl<T, B> WebSocket<T, B, NoRandom>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
{
    /// A server side connection, before its handshake: call
    /// [`WebSocket::accept`] next.
    pub fn server(transport: T, read_buffer: B, write_buffer: B, config: Config) -> Self {
        WebSocket::new(
            transport,
            read_buffer,
            write_buffer,
            Role::Server,
            NoRandom,
            config,
        )
    }
}

impl<T, B, R> WebSocket<T, B, R>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// A client side connection, before its handshake: call
    /// [`WebSocket::connect`] next. `rng` supplies the handshake nonce and
    /// every frame's masking key, and must be unpredictable (section 10.3).
    pub fn client(transport: T, read_buffer: B, write_buffer: B, rng: R, config: Config) -> Self {
        WebSocket::new(
            transport,
            read_buffer,
            write_buffer,
            Role::Client,
            rng,
            config,
        )
    }

    fn new(transport: T, rx: B, tx: B, role: Role, rng: R, config: Config) -> Self {
        WebSocket {
            transport,
            config,
            state: State::Handshake,
            incoming: Incoming {
                rx,
                start: 0,
                end: 0,
                msg_start: 0,
                msg_len: 0,
                handed_out: HandedOut::Nothing,
                frame: None,
                await_eof: false,
                reassembler: Reassembler::new(config.max_message_len),
                utf8: Utf8Validator::new(),
            },
            outgoing: Outgoing {
                role,
                rng,
                tx,
                pending: 0,
                sent: 0,
                broken: false,
                sending: None,
                sending_utf8: Utf8Validator::new(),
            },
        }
    }

    /// A connection whose handshake was done elsewhere: frames flow at
    /// once. `already_read` holds bytes read past the handshake, which are
    /// the peer's first frames; it must fit the read buffer. A client needs
    /// a real `rng` here, not [`NoRandom`].
    pub fn from_upgraded(
        transport: T,
        mut read_buffer: B,
        write_buffer: B,
        role: Role,
        rng: R,
        config: Config,
        already_read: &[u8],
    ) -> Result<Self, Error<core::convert::Infallible>> {
        let room = read_buffer.as_mut();
        let dest = room
            .get_mut(..already_read.len())
            .ok_or(Error::BufferTooSmall)?;
        dest.copy_from_slice(already_read);
        let mut ws = WebSocket::new(transport, read_buffer, write_buffer, role, rng, config);
        ws.incoming.end = already_read.len();
        ws.state = State::Open;
        Ok(ws)
    }

    /// This end's role.
    pub fn role(&self) -> Role {
        self.outgoing.role
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether messages can still be read or written: the handshake is done
    /// and no close has ended the connection.
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// Whether the connection is over.
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
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

    /// The transport and the two buffers. Bytes not yet flushed are lost.
    pub fn into_parts(self) -> (T, B, B) {
        (self.transport, self.incoming.rx, self.outgoing.tx)
    }

    /// Reads what the transport has into the free end of the read buffer.
    /// The end of input is the end of the connection.
    fn read_transport(&mut self) -> Result<(), Error<T::Error>>
    where
        T: Input,
    {
        self.read_transport_up_to(READ_CHUNK)
    }

    /// [`WebSocket::read_transport`], reading at most `max` bytes.
    fn read_transport_up_to(&mut self, max: usize) -> Result<(), Error<T::Error>>
    where
        T: Input,
    {
        let inc = &mut self.incoming;
        let rx = inc.rx.as_mut();
        let stop = rx.len().min(inc.end.saturating_add(max));
        let free = rx.get_mut(inc.end..stop).unwrap_or_default();
        let n = self.transport.read_into(free).map_err(Error::Io)?;
        if n == 0 {
            self.state = State::Closed;
            return Err(Error::UnexpectedEof);
        }
        inc.end += n;
        Ok(())
    }

    /// The usable capacity of the read buffer for whole messages.
    fn whole_message_capacity(&self) -> usize {
        let room = self
            .incoming
            .rx
            .as_ref()
            .len()
            .saturating_sub(MIN_READ_BUFFER);
        let max = usize::try_from(self.config.max_message_len).unwrap_or(usize::MAX);
        room.min(max)
    }
}
