//! The connection core: one WebSocket as a state machine with no I/O
//! (RFC 6455 sections 4 to 7), in the style of `quinn-proto` and
//! `rustls`.
//!
//! A [`Connection`] owns no transport. Its driver (the blocking
//! [`WebSocket`](crate::websocket::WebSocket), the split halves, the async
//! driver, an HTTP/2 stream, or a program's own event loop) moves bytes:
//!
//! - **In:** read from the transport into [`Connection::receive_buffer`]
//!   and report how many with [`Connection::received`] (in place, split
//!   anywhere, down to one byte at a time), or hand over bytes the
//!   transport keeps itself with [`Connection::receive`].
//! - **Events:** [`Connection::read`] gives the next whole message (or
//!   [`Connection::read_chunk`] the next piece of one), ping, pong or
//!   close, borrowed from the read buffer; `None` when it needs bytes.
//! - **Out:** writes queue frames in the write buffer;
//!   [`Connection::transmit`] shows the bytes to send and
//!   [`Connection::transmitted`] lets go of those sent.
//!
//! Every rule of the protocol lives here once: reassembly and its limits,
//! masking (a client's keys come from its [`RandomSource`]), UTF-8, the
//! pong owed for each ping, the close handshake, and which close code
//! answers which error.
//!
//! # The driver's loop
//!
//! When a read gives `None`, send what [`Connection::transmit`] holds; if
//! it held nothing, receive more. A reply the connection owes (a pong, the
//! answer to a close) waits in the read buffer until the write buffer has
//! room for it, so transmitting first is what lets reading go on; a peer's
//! close is handed out once the answer has been transmitted.
//!
//! ```
//! use hybi::connection::{Connection, Message, Queued};
//! use hybi::{Config, Server};
//!
//! // A masked text frame, "Hello", as a client sends it, then a close.
//! let input = [
//!     0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
//!     0x88, 0x82, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,
//! ];
//! let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
//! let mut conn = Connection::upgraded(Server, &mut rx[..], &mut tx[..], Config::new());
//! let mut wire = Vec::new(); // what a transport would have sent
//! let mut input = &input[..];
//! loop {
//!     if let Some((message, mut sender)) = conn.read_with_sender()? {
//!         match message {
//!             // Echo it; a small message in an empty buffer fits whole.
//!             Message::Text(text) => assert_eq!(sender.write_text(text)?, Queued::Whole),
//!             Message::Close(_) => break,
//!             _ => {}
//!         }
//!     } else if !conn.transmit().is_empty() {
//!         wire.extend_from_slice(conn.transmit());
//!         let n = conn.transmit().len();
//!         conn.transmitted(n);
//!     } else {
//!         // One byte at a time, as the slowest transport would.
//!         let free = conn.receive_buffer();
//!         free[0] = input[0];
//!         input = &input[1..];
//!         conn.received(1);
//!     }
//! }
//! // The echo and the close's answer.
//! assert_eq!(wire, b"\x81\x05Hello\x88\x02\x03\xe8");
//! # Ok::<(), hybi::connection::Error>(())
//! ```
//!
//! # Buffers
//!
//! - **Read buffer**: holds the handshake head when the handshake runs in
//!   it (a browser's request is 400 to 800 bytes), then incoming frames.
//!   At least [`MIN_READ_BUFFER`] (139) bytes: a whole control frame. A
//!   message read whole may be up to `len - 139` bytes;
//!   [`Connection::read_chunk`] passes messages of any size.
//! - **Write buffer**: holds frames until they are transmitted, and the
//!   handshake head this end sends. At least [`MIN_WRITE_BUFFER`] (139)
//!   bytes: a whole control frame as a client sends it, and 8 bytes kept
//!   for a close, so that the answer to a close or the close for a
//!   protocol error always fits. That is also enough for a server's `101`
//!   without a subprotocol or extension (129 bytes), any rejection it
//!   sends for a bad request (at most 128), and a refusal of its own with
//!   about 70 bytes of header fields and body. Larger frames go out in
//!   pieces.
//!
//! Nothing here allocates: the buffers are the caller's (`&mut [u8]`, an
//! array, a `Vec`), and the state beside them is a few dozen bytes.
//!
//! [`RandomSource`]: crate::RandomSource

mod buffer;
mod config;
mod error;
mod handshake;
pub(crate) mod inbox;
pub(crate) mod message;
pub(crate) mod outbox;
pub(crate) mod rules;
mod sender;

pub use buffer::Buffer;
#[cfg(feature = "deflate")]
pub use buffer::InflateParts;
pub use config::{Config, DEFAULT_MAX_MESSAGE_LEN, DEFAULT_MIN_CHUNK_LEN};
pub use error::Error;
pub use handshake::{DEFAULT_MAX_HEADERS, MAX_PROTOCOL_LEN, ServerHandshake, Subprotocol};
pub use inbox::MIN_READ_BUFFER;
pub use message::{Chunk, Message};
pub use outbox::MIN_WRITE_BUFFER;
pub use sender::{Queued, Sender};

pub(crate) use inbox::{Event, Mode, What};

use inbox::Inbox;
use outbox::Outbox;
use rules::{Answers, Flags};

use crate::close::CloseCode;
use crate::frame::Opcode;
use crate::reassembly::DataKind;
use crate::role::Endpoint;
use crate::{ProtocolError, Role};

/// Where a connection is in its life (RFC 6455 section 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Before the opening handshake.
    Handshake,
    /// Messages flow both ways.
    Open,
    /// This end sent a close and waits for the peer's.
    CloseSent,
    /// Over: the close handshake finished, or an error ended it.
    Closed,
}

impl State {
    /// Whether this end may still send data and start the close
    /// handshake.
    pub(crate) fn check_open(self) -> Result<(), Error> {
        match self {
            State::Open => Ok(()),
            State::Handshake => Err(Error::InvalidState),
            State::CloseSent | State::Closed => Err(Error::Closed),
        }
    }
}

/// One WebSocket connection without I/O: see [the module](self).
///
/// `E` is the endpoint, [`Client`](crate::Client) or
/// [`Server`](crate::Server); `RB` and `WB` are the read and write buffers.
pub struct Connection<E, RB, WB = RB> {
    // Config's flags only: its limit is the reassembler's, and its `u64`
    // would align the whole state to 8 bytes on a 32-bit target.
    auto_pong: bool,
    show_control: bool,
    state: State,
    /// A client's close handshake is over: its driver should wait for the
    /// server to end the transport (section 7.1.1).
    await_eof: bool,
    inbox: Inbox<RB>,
    outbox: Outbox<E, WB>,
    /// What permessage-deflate this end offers or accepts, and what was
    /// agreed.
    #[cfg(feature = "deflate")]
    deflate: crate::deflate::DeflateConfig,
    #[cfg(feature = "deflate")]
    negotiated: Option<crate::deflate::Negotiated>,
}

impl<E, RB, WB> core::fmt::Debug for Connection<E, RB, WB> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.state)
            .field("auto_pong", &self.auto_pong)
            .field("show_control", &self.show_control)
            .finish_non_exhaustive()
    }
}

/// A message or chunk handed out, with the write side beside it.
pub type WithSender<'a, M, E, WB> = (M, Sender<'a, E, WB>);

/// The answers a control frame calls for, into the connection's own write
/// buffer.
struct Queue<'a, E, WB>(&'a mut Outbox<E, WB>);

impl<E: Endpoint, WB: AsRef<[u8]> + AsMut<[u8]>> Answers for Queue<'_, E, WB> {
    fn room_for_pong(&self, payload_len: usize) -> bool {
        self.0.has_room(Outbox::<E, WB>::control_len(payload_len))
    }

    fn pong(&mut self, payload: &[u8]) {
        // It fits: there was room, and the buffer is large enough.
        let _ = self.0.frame(Opcode::Pong, true, payload);
    }

    fn close(&mut self, code: Option<CloseCode>) -> bool {
        self.0.close_code(code)
    }

    fn all_sent(&self) -> bool {
        self.0.transmit().is_empty()
    }
}

impl<E, RB, WB> Connection<E, RB, WB>
where
    E: Endpoint,
    RB: Buffer,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// A connection before its opening handshake, which runs in its
    /// buffers: see [`Connection::accept`] and
    /// [`Connection::write_request`].
    pub fn new(endpoint: E, read_buffer: RB, write_buffer: WB, config: Config) -> Self {
        Connection::starting(
            State::Handshake,
            endpoint,
            read_buffer,
            write_buffer,
            config,
        )
    }

    /// A connection whose handshake is done (over HTTP/1.1 elsewhere, or an
    /// extended CONNECT over HTTP/2 or HTTP/3): frames flow at once. Bytes
    /// that came after the handshake are the peer's first frames: pass
    /// them to [`Connection::receive`].
    pub fn upgraded(endpoint: E, read_buffer: RB, write_buffer: WB, config: Config) -> Self {
        Connection::starting(State::Open, endpoint, read_buffer, write_buffer, config)
    }

    /// Built where it is returned: the state is too large to move for
    /// nothing on a microcontroller.
    fn starting(state: State, endpoint: E, rx: RB, tx: WB, config: Config) -> Self {
        Connection {
            auto_pong: config.auto_pong,
            show_control: config.show_control,
            state,
            await_eof: false,
            inbox: Inbox::new(rx, config.max_message_len, config.min_chunk_len),
            outbox: Outbox::new(endpoint, tx),
            #[cfg(feature = "deflate")]
            deflate: config.deflate,
            #[cfg(feature = "deflate")]
            negotiated: None,
        }
    }

    /// What permessage-deflate (RFC 7692) the handshake agreed on, if it
    /// did: compressed messages may arrive, and messages may be sent
    /// compressed.
    #[cfg(feature = "deflate")]
    pub fn deflate(&self) -> Option<crate::deflate::Negotiated> {
        self.negotiated
    }

    /// The permessage-deflate configuration to offer or accept with: the
    /// configured one, its window held to what the read buffer's inflate
    /// memory holds, or `None` without such memory (or with it off).
    #[cfg(feature = "deflate")]
    pub(crate) fn deflate_offer(&self) -> Option<crate::deflate::DeflateConfig> {
        let bits = self.inbox.inflate_window_bits();
        let config = self.deflate;
        let usable = config.enabled() && bits >= crate::deflate::MIN_CONFIG_WINDOW_BITS;
        usable.then(|| config.window_bits(config.max_window_bits().min(bits)))
    }

    /// Starts permessage-deflate as agreed: compressed messages may come,
    /// and (with `std`) messages go out compressed. The handshakes of
    /// [`Connection::accept`] and [`Connection::read_response`] call it
    /// themselves; a connection whose handshake ran elsewhere (an extended
    /// CONNECT over HTTP/2 or HTTP/3, [`Connection::upgraded`]) calls it
    /// with what that handshake agreed
    /// ([`DeflateConfig::accept`](crate::deflate::DeflateConfig::accept) or
    /// [`DeflateConfig::check_response`](crate::deflate::DeflateConfig::check_response)).
    /// Without inflate memory in the read buffer, nothing is started.
    #[cfg(feature = "deflate")]
    pub fn start_deflate(&mut self, agreed: crate::deflate::Negotiated) {
        let keep_context = !agreed.receive_no_context_takeover;
        if !self
            .inbox
            .enable_inflate(agreed.receive_window_bits, keep_context)
        {
            return;
        }
        #[cfg(feature = "std")]
        self.outbox.enable_deflate(&agreed, &self.deflate);
        self.negotiated = Some(agreed);
    }

    /// This end's role.
    pub fn role(&self) -> Role {
        E::ROLE
    }

    /// The configuration, with [`Config::min_chunk_len`] as in effect: at
    /// most the read buffer's length less [`MIN_READ_BUFFER`].
    pub fn config(&self) -> Config {
        let config = Config::new()
            .max_message_len(self.inbox.max_message_len())
            .min_chunk_len(self.inbox.min_chunk_len())
            .auto_pong(self.auto_pong)
            .show_control(self.show_control);
        #[cfg(feature = "deflate")]
        let config = config.deflate(self.deflate);
        config
    }

    /// Whether messages can still be read and written: the handshake is
    /// done and no close has been sent or received.
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// Whether the connection is over: the close handshake finished, or an
    /// error ended it. Bytes may still wait in [`Connection::transmit`].
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The endpoint: a client's randomness source is in it.
    pub fn endpoint_mut(&mut self) -> &mut E {
        &mut self.outbox.endpoint
    }

    /// The read buffer.
    pub fn read_buffer(&self) -> &RB {
        self.inbox.buffer_ref()
    }

    /// The two buffers. Bytes not yet transmitted are lost.
    pub fn into_buffers(self) -> (RB, WB) {
        (self.inbox.into_buffer(), self.outbox.into_buffer())
    }

    // ----- bytes in -----

    /// The free room at the end of the read buffer, for the transport to
    /// read into; report what it read with [`Connection::received`]. Empty
    /// only when the read buffer is full, which a read reports as
    /// [`ProtocolError::MessageTooBig`] first. With permessage-deflate
    /// over a buffer that cannot grow, it stops short of the end so that
    /// no more waits unprocessed than leaves a compressed message room to
    /// inflate into: `len - capacity` bytes (139 or more).
    pub fn receive_buffer(&mut self) -> &mut [u8] {
        self.inbox.free()
    }

    /// `n` bytes were read into [`Connection::receive_buffer`]. The end of
    /// the input is [`Connection::end_of_input`], not `received(0)`.
    pub fn received(&mut self, n: usize) {
        self.inbox.commit(n);
    }

    /// Takes what it can use now of `bytes` that the transport keeps in a
    /// buffer of its own (a TLS record, a network stack's socket buffer, an
    /// HTTP/2 DATA frame), and returns how many it took: a server's payloads
    /// are unmasked as they are copied, one pass over them fewer than
    /// reading into [`Connection::receive_buffer`]. Call
    /// [`Connection::read`] (or [`Connection::read_chunk`]) between calls:
    /// it makes room; 0 taken means a read is due.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<usize, Error> {
        let frames = self.state != State::Handshake;
        self.inbox
            .receive_from(bytes, frames, E::ROLE)
            .map_err(|e| self.fail(e))
    }

    /// The transport ended. Before the close handshake finished that is an
    /// abnormal closure ([`Error::UnexpectedEof`], code 1006 locally); the
    /// connection is closed either way.
    pub fn end_of_input(&mut self) -> Error {
        let was = core::mem::replace(&mut self.state, State::Closed);
        self.await_eof = false;
        if was == State::Closed {
            Error::Closed
        } else {
            Error::UnexpectedEof
        }
    }

    /// Whether a client has finished the close handshake and should wait
    /// for the server to end the transport (section 7.1.1), reading and
    /// discarding. True once, after the close was handed out.
    pub fn take_await_eof(&mut self) -> bool {
        core::mem::take(&mut self.await_eof)
    }

    // ----- events -----

    /// The next whole message, ping, pong or close, or `None` when there
    /// is none yet: transmit what [`Connection::transmit`] holds, or, if it
    /// holds nothing, receive more.
    ///
    /// Pings are answered (unless [`Config::auto_pong`] is off) and, like
    /// pongs, only handed out with [`Config::show_control`]. A close from
    /// the peer is answered, and handed out once the answer has been
    /// transmitted; reads after it give [`Error::Closed`]. A protocol error
    /// queues the close code it names (1002; 1007 as soon as invalid UTF-8
    /// arrives; 1009 as soon as a header announces a message over the limit
    /// or over the read buffer's capacity of `len - 139` bytes) and gives
    /// [`Error::Protocol`].
    ///
    /// What a read hands out stays in the read buffer until the next read.
    pub fn read(&mut self) -> Result<Option<Message<'_>>, Error> {
        Ok(self.read_with_sender()?.map(|(message, _)| message))
    }

    /// [`Connection::read`], also lending the write side, so the message
    /// can be written back without a copy.
    pub fn read_with_sender(
        &mut self,
    ) -> Result<Option<WithSender<'_, Message<'_>, E, WB>>, Error> {
        match self.poll(Mode::Whole)? {
            Some(event) => self.message(event).map(Some),
            None => Ok(None),
        }
    }

    /// The next piece of the current message, or the next control frame,
    /// or `None` as for [`Connection::read`]: messages of any size pass
    /// through a read buffer of [`MIN_READ_BUFFER`] bytes or more. A piece
    /// is handed out once it is [`Config::min_chunk_len`] bytes long (by
    /// default, once it fills the buffer but [`MIN_READ_BUFFER`] bytes), or
    /// as soon as the frame it is in has all arrived. The chunk with `last`
    /// set ends the message. Text is validated as it arrives and each text
    /// chunk ends on a character boundary. [`Config::max_message_len`]
    /// still applies.
    pub fn read_chunk(&mut self) -> Result<Option<Chunk<'_>>, Error> {
        Ok(self.read_chunk_with_sender()?.map(|(chunk, _)| chunk))
    }

    /// [`Connection::read_chunk`], also lending the write side.
    pub fn read_chunk_with_sender(
        &mut self,
    ) -> Result<Option<WithSender<'_, Chunk<'_>, E, WB>>, Error> {
        match self.poll(Mode::Chunks)? {
            Some(event) => self.chunk(event).map(Some),
            None => Ok(None),
        }
    }

    /// Takes in bytes until there is something to hand out (`Some`), or
    /// more bytes, or room to write, are needed (`None`). Not inlined, for
    /// the same reason as [`Inbox::step`].
    #[inline(never)]
    pub(crate) fn poll(&mut self, mode: Mode) -> Result<Option<Event>, Error> {
        if self.state == State::Handshake {
            return Err(Error::InvalidState);
        }
        // With both at their smallest, a control frame and its answer fit.
        if !self.outbox.is_large_enough() {
            return Err(Error::BufferTooSmall);
        }
        let flags = Flags {
            auto_pong: self.auto_pong,
            show_control: self.show_control,
        };
        let mut answers = Queue(&mut self.outbox);
        let event = rules::poll(
            &mut self.inbox,
            &mut self.state,
            flags,
            &mut answers,
            mode,
            E::ROLE,
        )?;
        if let (
            Role::Client,
            Some(Event {
                what: What::Close, ..
            }),
        ) = (E::ROLE, &event)
        {
            // A client lets the server end the transport first (section
            // 7.1.1).
            self.await_eof = true;
        }
        Ok(event)
    }

    /// The peer broke the protocol: queues the close with the code the
    /// error names (if this end had not sent one) and ends the connection.
    pub(crate) fn fail(&mut self, error: ProtocolError) -> Error {
        rules::fail(&mut self.state, &mut Queue(&mut self.outbox), error)
    }

    /// The read buffer and the write side, borrowed apart.
    pub(crate) fn parts(&mut self) -> (&[u8], Sender<'_, E, WB>) {
        let sender = Sender {
            outbox: &mut self.outbox,
            state: &mut self.state,
        };
        (self.inbox.buffer(), sender)
    }

    /// The message an event hands out. Text is validated here; invalid
    /// text fails the connection.
    pub(crate) fn message(
        &mut self,
        event: Event,
    ) -> Result<(Message<'_>, Sender<'_, E, WB>), Error> {
        let (rx, mut sender) = self.parts();
        match message::message(rx, event) {
            Ok(message) => Ok((message, sender)),
            Err(e) => Err(sender.fail(e)),
        }
    }

    /// The chunk an event hands out, as [`Connection::message`].
    pub(crate) fn chunk(
        &mut self,
        event: Event,
    ) -> Result<WithSender<'_, Chunk<'_>, E, WB>, Error> {
        let (rx, mut sender) = self.parts();
        match message::chunk(rx, event) {
            Ok(chunk) => Ok((chunk, sender)),
            Err(e) => Err(sender.fail(e)),
        }
    }

    // ----- bytes out -----

    /// The bytes queued for the transport, not yet transmitted.
    pub fn transmit(&self) -> &[u8] {
        self.outbox.transmit()
    }

    /// `n` bytes of [`Connection::transmit`] went out.
    pub fn transmitted(&mut self, n: usize) {
        self.outbox.transmitted(n);
    }

    /// The write side, borrowed on its own.
    pub fn sender(&mut self) -> Sender<'_, E, WB> {
        Sender {
            outbox: &mut self.outbox,
            state: &mut self.state,
        }
    }

    /// Queues a whole text message: [`Sender::write_text`].
    pub fn write_text(&mut self, text: &str) -> Result<Queued, Error> {
        self.sender().write_text(text)
    }

    /// Queues a whole binary message: [`Sender::write_binary`].
    pub fn write_binary(&mut self, data: &[u8]) -> Result<Queued, Error> {
        self.sender().write_binary(data)
    }

    /// Queues a fragment of a message: [`Sender::write_fragment`].
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<Queued, Error> {
        self.sender().write_fragment(kind, data, last)
    }

    /// Queues a ping: [`Sender::write_ping`].
    pub fn write_ping(&mut self, data: &[u8]) -> Result<Queued, Error> {
        self.sender().write_ping(data)
    }

    /// Queues a pong: [`Sender::write_pong`].
    pub fn write_pong(&mut self, data: &[u8]) -> Result<Queued, Error> {
        self.sender().write_pong(data)
    }

    /// Starts the close handshake: [`Sender::close`].
    pub fn close(&mut self, code: crate::close::CloseCode, reason: &str) -> Result<Queued, Error> {
        self.sender().close(code, reason)
    }

    /// Queues more of the payload of a frame that was [`Queued::Partly`]
    /// queued: [`Sender::write_payload`].
    pub fn write_payload(&mut self, payload: &[u8]) -> usize {
        self.sender().write_payload(payload)
    }

    /// Payload bytes of a partly queued frame still to come.
    pub fn payload_left(&self) -> usize {
        self.outbox.payload_left()
    }

    /// Ends the connection at once, without a close frame: for a driver
    /// whose transport failed in the middle of a frame, after which the
    /// peer can no longer tell where frames begin.
    pub fn abort(&mut self) {
        self.state = State::Closed;
    }

    pub(crate) fn state(&self) -> State {
        self.state
    }

    /// The receive side, the send side, the state, the flags and whether a
    /// client waits for the end of input, apart: for the split halves.
    pub(crate) fn into_halves(self) -> (Inbox<RB>, Outbox<E, WB>, State, Flags, bool) {
        let flags = Flags {
            auto_pong: self.auto_pong,
            show_control: self.show_control,
        };
        (self.inbox, self.outbox, self.state, flags, self.await_eof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close::CloseCode;
    use crate::{Client, Server, UsageError};

    /// RFC 6455 section 5.7: a single-frame masked text message, "Hello".
    const MASKED_HELLO: [u8; 11] = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];

    fn server() -> Connection<Server, [u8; 512], [u8; 512]> {
        Connection::upgraded(Server, [0; 512], [0; 512], Config::new())
    }

    /// Feeds `bytes` one at a time, reading after each, and returns what
    /// was handed out, as text.
    fn one_byte_at_a_time<E: Endpoint>(
        conn: &mut Connection<E, [u8; 512], [u8; 512]>,
        bytes: &[u8],
    ) -> Option<Result<Message<'static>, Error>> {
        for &byte in bytes {
            conn.receive_buffer()[0] = byte;
            conn.received(1);
            match conn.read() {
                Ok(None) => {}
                Ok(Some(Message::Text("Hello"))) => return Some(Ok(Message::Text("Hello"))),
                Ok(Some(Message::Close(None))) => return Some(Ok(Message::Close(None))),
                Ok(Some(other)) => panic!("unexpected {other:?}"),
                Err(e) => return Some(Err(e)),
            }
        }
        None
    }

    #[test]
    fn rfc_masked_hello_to_a_server_split_anywhere() {
        let mut conn = server();
        assert_eq!(
            one_byte_at_a_time(&mut conn, &MASKED_HELLO),
            Some(Ok(Message::Text("Hello")))
        );
        assert_eq!(conn.transmit(), b"");
        // All at once.
        let mut conn = server();
        conn.receive_buffer()[..11].copy_from_slice(&MASKED_HELLO);
        conn.received(11);
        assert_eq!(conn.read(), Ok(Some(Message::Text("Hello"))));
        assert_eq!(conn.read(), Ok(None));
    }

    #[test]
    fn rfc_fragmented_unmasked_hello_to_a_client() {
        // Section 5.7: "Hel" then "lo", unmasked.
        let input = [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f];
        let rng = |dest: &mut [u8]| dest.fill(7);
        let mut conn = Connection::upgraded(Client::new(rng), [0; 512], [0; 512], Config::new());
        assert_eq!(
            one_byte_at_a_time(&mut conn, &input),
            Some(Ok(Message::Text("Hello")))
        );
    }

    #[test]
    fn ping_answered_with_its_payload() {
        // Section 5.7: a masked ping with "Hello"; the pong is unmasked.
        let ping = [
            0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let mut conn = server();
        conn.receive_buffer()[..11].copy_from_slice(&ping);
        conn.received(11);
        assert_eq!(conn.read(), Ok(None));
        assert_eq!(conn.transmit(), b"\x8a\x05Hello");
        // Transmitted in pieces, as a transport takes it.
        conn.transmitted(3);
        assert_eq!(conn.transmit(), b"ello");
        conn.transmitted(4);
        assert_eq!(conn.transmit(), b"");
    }

    #[test]
    fn close_answered_and_handed_out_once_the_answer_is_sent() {
        // A masked close with code 1000 (key 0: the payload as it is).
        let close = [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8];
        let mut conn = server();
        conn.receive_buffer()[..8].copy_from_slice(&close);
        conn.received(8);
        assert_eq!(conn.read(), Ok(None), "not before the answer is out");
        assert_eq!(conn.transmit(), b"\x88\x02\x03\xe8");
        assert!(!conn.is_open() && !conn.is_closed());
        conn.transmitted(4);
        match conn.read() {
            Ok(Some(Message::Close(Some(close)))) => assert_eq!(close.code(), CloseCode::NORMAL),
            other => panic!("expected the close, got {other:?}"),
        }
        assert!(conn.is_closed());
        assert_eq!(conn.read(), Err(Error::Closed));
    }

    #[test]
    fn protocol_error_queues_its_close_code() {
        // A frame with the reserved opcode 0x3, masked.
        let mut conn = server();
        conn.receive_buffer()[..6].copy_from_slice(&[0x83, 0x80, 1, 2, 3, 4]);
        conn.received(6);
        assert_eq!(
            conn.read(),
            Err(Error::Protocol(crate::ProtocolError::ReservedOpcode(3)))
        );
        assert_eq!(conn.transmit(), b"\x88\x02\x03\xea");
        assert!(conn.is_closed());
        // Invalid UTF-8 is 1007.
        let mut conn = server();
        conn.receive_buffer()[..7].copy_from_slice(&[0x81, 0x81, 0, 0, 0, 0, 0xff]);
        conn.received(7);
        assert_eq!(
            conn.read(),
            Err(Error::Protocol(crate::ProtocolError::InvalidUtf8))
        );
        assert_eq!(conn.transmit(), b"\x88\x02\x03\xef");
    }

    #[test]
    fn a_client_masks_with_its_source() {
        let rng = |dest: &mut [u8]| dest.copy_from_slice(&[0x37, 0xfa, 0x21, 0x3d][..dest.len()]);
        let mut conn = Connection::upgraded(Client::new(rng), [0; 512], [0; 512], Config::new());
        assert_eq!(conn.write_text("Hello"), Ok(Queued::Whole));
        assert_eq!(conn.transmit(), MASKED_HELLO);
    }

    #[test]
    fn the_callers_mistakes_leave_the_connection_open() {
        let mut conn = server();
        assert_eq!(
            conn.write_ping(&[0; 126]),
            Err(Error::Usage(UsageError::ControlFrameTooLong))
        );
        assert_eq!(
            conn.close(CloseCode::new(1005), ""),
            Err(Error::Usage(UsageError::InvalidCloseCode(CloseCode::new(
                1005
            ))))
        );
        assert_eq!(
            conn.write_fragment(DataKind::Text, b"\xff", true),
            Err(Error::Usage(UsageError::InvalidUtf8))
        );
        assert!(conn.is_open());
        assert_eq!(conn.transmit(), b"");
    }

    #[test]
    fn a_pong_waits_for_room_and_reading_waits_with_it() {
        // 139 bytes, all but the 8 kept for a close filled with one frame.
        let mut conn = Connection::upgraded(Server, [0; 512], [0; MIN_WRITE_BUFFER], Config::new());
        assert_eq!(conn.write_binary(&[0; 127]), Ok(Queued::Whole));
        let ping = [0x89, 0x80, 0, 0, 0, 0, 0x81, 0x80, 0, 0, 0, 0];
        conn.receive_buffer()[..12].copy_from_slice(&ping);
        conn.received(12);
        // The ping, and the text after it, wait.
        assert_eq!(conn.read(), Ok(None));
        assert_eq!(conn.transmit().len(), 131);
        conn.transmitted(131);
        assert_eq!(conn.read(), Ok(Some(Message::Text(""))));
        assert_eq!(conn.transmit(), b"\x8a\x00");
    }

    #[test]
    fn large_frames_go_out_in_pieces() {
        let mut conn = Connection::upgraded(Server, [0; 512], [0; MIN_WRITE_BUFFER], Config::new());
        let payload = [0x5a; 300];
        let Ok(Queued::Partly(n)) = conn.write_binary(&payload) else {
            panic!("larger than the buffer")
        };
        // A server's payload waits for the header to go out.
        assert_eq!((n, conn.transmit()), (0, &b"\x82\x7e\x01\x2c"[..]));
        assert_eq!(conn.write_text("no"), Err(Error::InvalidState));
        let mut sent = conn.transmit().to_vec();
        conn.transmitted(4);
        let mut rest = &payload[..];
        while !rest.is_empty() {
            let n = conn.write_payload(rest);
            rest = &rest[n..];
            sent.extend_from_slice(conn.transmit());
            let len = conn.transmit().len();
            conn.transmitted(len);
        }
        assert_eq!(sent[4..], payload);
        assert_eq!(conn.payload_left(), 0);
        assert_eq!(conn.write_text("after"), Ok(Queued::Whole));
    }

    /// A compressed message over a message limit under 4 KiB, read whole
    /// from a fixed buffer: 1009 once the limit is reached (the room to
    /// grow to was once `clamp(4096, limit)`, which panics).
    #[cfg(feature = "deflate")]
    #[test]
    fn a_compressed_message_over_a_small_limit_is_1009() {
        use crate::deflate::{DeflateConfig, Inflater, Inflating};
        let rx = Inflating::new([0u8; 1024], Inflater::new([0u8; 512]));
        let config = Config::new().max_message_len(100);
        let mut conn = Connection::upgraded(Server, rx, [0; 512], config);
        let offer =
            crate::handshake::Extension::parse("permessage-deflate; client_max_window_bits=9");
        conn.start_deflate(DeflateConfig::new().accept([offer].into_iter()).unwrap());
        // 5 bytes inflating to 259 `a`: a literal, then a match of 258 at
        // distance 1 (fixed Huffman codes), in a masked binary frame with
        // RSV1 set (key zero).
        let frame = [0xc2, 0x85, 0, 0, 0, 0, 0x4a, 0x1c, 0x05, 0x00, 0x00];
        conn.receive_buffer()[..frame.len()].copy_from_slice(&frame);
        conn.received(frame.len());
        assert_eq!(
            conn.read(),
            Err(Error::Protocol(crate::ProtocolError::MessageTooBig))
        );
        assert_eq!(conn.transmit(), b"\x88\x02\x03\xf1");
    }

    /// A compressed message read whole that inflates to exactly the read
    /// buffer's capacity (`len - 139`) is delivered, in one frame or in
    /// two whose second inflates to nothing more; so is an empty one in a
    /// buffer of 139 bytes. They were refused with 1009: a full output
    /// was taken for a message with more to come.
    #[cfg(feature = "deflate")]
    #[test]
    fn a_compressed_message_of_exactly_the_capacity_is_delivered() {
        use crate::deflate::{DeflateConfig, Inflater, Inflating};
        type Rx<const N: usize> = Inflating<[u8; N], Inflater<[u8; 512]>>;
        fn conn<const N: usize>() -> Connection<Server, Rx<N>, [u8; 512]> {
            let rx = Inflating::new([0u8; N], Inflater::new([0u8; 512]));
            let mut conn = Connection::upgraded(Server, rx, [0; 512], Config::new());
            let offer =
                crate::handshake::Extension::parse("permessage-deflate; client_max_window_bits=9");
            conn.start_deflate(DeflateConfig::new().accept([offer].into_iter()).unwrap());
            conn
        }
        // Masked frames (key zero) with RSV1 on the first: RFC 7692
        // section 7.2.3.1's "Hello" as text, whole and in two fragments,
        // and an empty binary message.
        let whole = [
            0xc1, 0x87, 0, 0, 0, 0, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00,
        ];
        let fragments = [
            0x41, 0x86, 0, 0, 0, 0, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, // "Hello"
            0x80, 0x81, 0, 0, 0, 0, 0x00, // the end of the block
        ];
        for bytes in [&whole[..], &fragments] {
            let mut conn = conn::<{ MIN_READ_BUFFER + 5 }>();
            let pieces = bytes.chunks(6);
            let last = pieces.len() - 1;
            for (i, piece) in pieces.enumerate() {
                conn.receive_buffer()[..piece.len()].copy_from_slice(piece);
                conn.received(piece.len());
                // Once all of it is in.
                let expected = (i == last).then_some(Message::Text("Hello"));
                assert_eq!(conn.read(), Ok(expected));
            }
        }
        let mut conn = conn::<MIN_READ_BUFFER>();
        let empty = [0xc2, 0x80, 0, 0, 0, 0];
        conn.receive_buffer()[..6].copy_from_slice(&empty);
        conn.received(6);
        assert_eq!(conn.read(), Ok(Some(Message::Binary(b""))));
        assert_eq!(conn.transmit(), b"");
    }

    /// A compressed message read in chunks through a buffer of 139 bytes,
    /// its header first, then as much of its payload as the buffer holds:
    /// with no room left to inflate into until some of that input is
    /// taken, it passes all the same. It was refused with 1009: the room
    /// the input taken had left was not seen.
    #[cfg(feature = "deflate")]
    #[test]
    fn compressed_input_filling_the_buffer_is_inflated_in_chunks() {
        use crate::deflate::{DeflateConfig, Inflater, Inflating};
        let rx = Inflating::new([0u8; MIN_READ_BUFFER], Inflater::new([0u8; 512]));
        let mut conn = Connection::upgraded(Server, rx, [0; 512], Config::new());
        let offer =
            crate::handshake::Extension::parse("permessage-deflate; client_max_window_bits=9");
        conn.start_deflate(DeflateConfig::new().accept([offer].into_iter()).unwrap());
        // A masked binary frame (key zero) with RSV1, its payload a stored
        // block of 200 bytes (`00`, LEN 200, NLEN): 205 bytes.
        let mut wire = [0u8; 8 + 205];
        wire[..13].copy_from_slice(&[
            0xc2, 0xfe, 0x00, 0xcd, 0, 0, 0, 0, 0x00, 0xc8, 0x00, 0x37, 0xff,
        ]);
        for (i, b) in wire[13..].iter_mut().enumerate() {
            *b = b'a' + (i % 26) as u8;
        }
        // The header on its own, then as much as fits each time.
        let mut fed = 8;
        conn.receive_buffer()[..8].copy_from_slice(&wire[..8]);
        conn.received(8);
        let mut inflated = 0;
        loop {
            match conn.read_chunk() {
                Ok(Some(Chunk::Binary { data, last })) => {
                    for (i, b) in data.iter().enumerate() {
                        assert_eq!(*b, b'a' + ((inflated + i) % 26) as u8);
                    }
                    inflated += data.len();
                    if last {
                        break;
                    }
                }
                Ok(None) => {
                    let free = conn.receive_buffer();
                    let n = free.len().min(wire.len() - fed);
                    assert!(n > 0, "stalled");
                    free[..n].copy_from_slice(&wire[fed..fed + n]);
                    conn.received(n);
                    fed += n;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((inflated, fed), (200, wire.len()));
    }

    /// A compressed message read whole from a fixed buffer, with frames
    /// after it sent at once: 5 bytes inflating to 259, then two binary
    /// frames of 300 bytes, against a buffer of 512 (a capacity of 373).
    /// Each is delivered. The first was refused with 1009: the frames
    /// after it, read into the rest of the buffer, left it no room to
    /// inflate into; now no more is read ahead of a compressed message
    /// than leaves it that room.
    #[cfg(feature = "deflate")]
    #[test]
    fn a_compressed_message_with_frames_after_it_is_delivered() {
        use crate::deflate::{DeflateConfig, Inflater, Inflating};
        let rx = Inflating::new([0u8; 512], Inflater::new([0u8; 512]));
        let mut conn = Connection::upgraded(Server, rx, [0; 512], Config::new());
        let offer =
            crate::handshake::Extension::parse("permessage-deflate; client_max_window_bits=9");
        conn.start_deflate(DeflateConfig::new().accept([offer].into_iter()).unwrap());
        // Masked (key zero): `a` and a match of 258 at distance 1, with
        // RSV1; then two frames of 300 bytes, uncompressed.
        let mut wire = [0u8; 11 + 2 * 308];
        wire[..11].copy_from_slice(&[0xc2, 0x85, 0, 0, 0, 0, 0x4a, 0x1c, 0x05, 0x00, 0x00]);
        for frame in wire[11..].chunks_mut(308) {
            frame[..4].copy_from_slice(&[0x82, 0xfe, 0x01, 0x2c]);
            frame[8..].fill(b'z');
        }
        let mut fed = 0;
        let mut lens = [0usize; 3];
        let mut read = 0;
        while read < 3 {
            match conn.read() {
                Ok(Some(Message::Binary(b))) => {
                    let byte = if read == 0 { b'a' } else { b'z' };
                    assert!(b.iter().all(|&c| c == byte));
                    lens[read] = b.len();
                    read += 1;
                }
                Ok(None) => {
                    let free = conn.receive_buffer();
                    let n = free.len().min(wire.len() - fed);
                    assert!(n > 0, "stalled");
                    free[..n].copy_from_slice(&wire[fed..fed + n]);
                    conn.received(n);
                    fed += n;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(lens, [259, 300, 300]);
    }
}
