//! Writing: the connection core's frames, flushed to the transport when
//! the write buffer is full and on request (RFC 6455 sections 5.2 to 5.5
//! and 7.1.2).

use crate::connection::Buffer;
use embedded_io::Write;

use super::{Error, WebSocket};
use crate::ProtocolError;
use crate::close::CloseCode;
use crate::connection::{self, Queued, Sender};
use crate::reassembly::DataKind;
use crate::role::Endpoint;

/// The write side of a connection, borrowed apart from its read buffer so
/// a message just read can be written back without a copy:
///
/// ```
/// # use embedded_io::{Read, Write};
/// # use hybi::websocket::{Error, Message, WebSocket};
/// # fn echo<T: Read + Write, B: AsRef<[u8]> + AsMut<[u8]>>(
/// #     ws: &mut WebSocket<T, B>,
/// # ) -> Result<(), Error<T::Error>> {
/// let (message, mut writer) = ws.read_with_writer()?;
/// match message {
///     Message::Text(text) => writer.write_text(text)?,
///     Message::Binary(data) => writer.write_binary(data)?,
///     _ => {}
/// }
/// # Ok(())
/// # }
/// ```
pub struct Writer<'a, T, E, W> {
    transport: &'a mut T,
    sender: Sender<'a, E, W>,
}

impl<'a, T, E, W> Writer<'a, T, E, W>
where
    T: Write,
    E: Endpoint,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    pub(crate) fn new(transport: &'a mut T, sender: Sender<'a, E, W>) -> Self {
        Writer { transport, sender }
    }

    /// Queues a whole text message.
    pub fn write_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        self.frame(text.as_bytes(), |s| s.write_text(text))
    }

    /// Queues a whole binary message.
    pub fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_binary(data))
    }

    /// Queues one fragment of a message (section 5.4): the first call
    /// starts a message of `kind`, the call with `last` ends it. Control
    /// frames may be written in between, other messages may not
    /// ([`Error::InvalidState`]). Text fragments may split a character;
    /// the text as a whole must be UTF-8, checked as it goes
    /// ([`Error::Usage`], nothing sent).
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_fragment(kind, data, last))
    }

    /// Queues a ping with up to 125 bytes of payload ([`Error::Usage`] for
    /// more, nothing sent).
    pub fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_ping(data))
    }

    /// Queues a pong with up to 125 bytes of payload (unsolicited, or the
    /// answer to a ping when [`Config::auto_pong`](super::Config::auto_pong)
    /// is off).
    pub fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_pong(data))
    }

    /// Starts the close handshake (section 7.1.2): sends a close with `code`
    /// and `reason` and flushes. The code must be one that may be sent and
    /// the reason at most 123 bytes ([`Error::Usage`], nothing sent). Keep
    /// reading until [`Message::Close`](super::Message::Close) or
    /// [`Error::Closed`]: messages already on their way still arrive. After
    /// a transport error the close stays queued, for [`Writer::flush`] or
    /// the next read to send.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        self.frame(&[], |s| s.close(code, reason))?;
        self.flush()
    }

    /// Writes everything queued to the transport and flushes it.
    pub fn flush(&mut self) -> Result<(), Error<T::Error>> {
        flush(self.transport, &mut self.sender)
    }

    /// Sends the close for a protocol error (if the connection was open)
    /// and ends the connection.
    pub(super) fn fail(&mut self, error: ProtocolError) -> Error<T::Error> {
        self.sender.fail(error);
        // The protocol error is what the caller needs to hear about; a
        // transport that also fails now changes nothing.
        let _ = self.flush();
        Error::Protocol(error)
    }

    /// Queues the frame `queue` makes of `payload`, flushing as often as
    /// the write buffer fills. A payload larger than the buffer goes out in
    /// pieces; a server's goes out straight from `payload`. A transport
    /// error in the middle of a frame ends the connection: the peer could
    /// no longer tell where frames begin.
    ///
    /// Generic over `queue`, so that a program compiles in only the kinds
    /// of frame it writes.
    fn frame(
        &mut self,
        payload: &[u8],
        mut queue: impl FnMut(&mut Sender<'a, E, W>) -> Result<Queued, connection::Error>,
    ) -> Result<(), Error<T::Error>> {
        let taken = loop {
            match queue(&mut self.sender)? {
                Queued::Whole => return Ok(()),
                Queued::Partly(n) => break n,
                Queued::Full => self.flush()?,
            }
        };
        let result = self.payload(payload.get(taken..).unwrap_or_default());
        if result.is_err() {
            self.sender.abort();
        }
        result
    }

    /// The rest of a frame's payload, after its header and first `taken`
    /// bytes were queued.
    fn payload(&mut self, mut rest: &[u8]) -> Result<(), Error<T::Error>> {
        while !rest.is_empty() {
            self.flush()?;
            let outbox = self.sender.outbox();
            if outbox.can_skip() {
                write_all(self.transport, rest)?;
                outbox.skip_payload(rest.len());
                return Ok(());
            }
            let n = self.sender.write_payload(rest);
            rest = rest.get(n..).unwrap_or_default();
        }
        Ok(())
    }
}

/// Writes everything `sender` has queued to `transport` and flushes it.
/// After a transport error the bytes not yet written stay queued for the
/// next flush.
pub(crate) fn flush<T: Write, E: Endpoint, W: AsRef<[u8]> + AsMut<[u8]>>(
    transport: &mut T,
    sender: &mut Sender<'_, E, W>,
) -> Result<(), Error<T::Error>> {
    if sender.transmit().is_empty() {
        return Ok(());
    }
    loop {
        let queued = sender.transmit();
        if queued.is_empty() {
            break;
        }
        match transport.write(queued) {
            Ok(0) => return Err(Error::WriteZero),
            Ok(n) => sender.transmitted(n),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    transport.flush().map_err(Error::Io)
}

/// `write_all` that reports a transport accepting nothing as an error
/// instead of panicking.
pub(super) fn write_all<T: Write>(
    transport: &mut T,
    mut bytes: &[u8],
) -> Result<(), Error<T::Error>> {
    while !bytes.is_empty() {
        match transport.write(bytes) {
            Ok(0) => return Err(Error::WriteZero),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Ok(())
}

impl<T, B, E, W> WebSocket<T, B, E, W>
where
    T: Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    /// The write side, borrowed on its own.
    pub fn writer(&mut self) -> Writer<'_, T, E, W> {
        Writer::new(&mut self.transport, self.conn.sender())
    }

    /// Queues a whole text message ([`Writer::write_text`]).
    pub fn write_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        self.writer().write_text(text)
    }

    /// Queues a whole binary message ([`Writer::write_binary`]).
    pub fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.writer().write_binary(data)
    }

    /// Queues one fragment of a message ([`Writer::write_fragment`]).
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        self.writer().write_fragment(kind, data, last)
    }

    /// Queues a ping ([`Writer::write_ping`]).
    pub fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.writer().write_ping(data)
    }

    /// Queues a pong ([`Writer::write_pong`]).
    pub fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.writer().write_pong(data)
    }

    /// Sends a text message now: [`WebSocket::write_text`] then
    /// [`WebSocket::flush`].
    pub fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        let mut writer = self.writer();
        writer.write_text(text)?;
        writer.flush()
    }

    /// Sends a binary message now: [`WebSocket::write_binary`] then
    /// [`WebSocket::flush`].
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        let mut writer = self.writer();
        writer.write_binary(data)?;
        writer.flush()
    }

    /// Starts the close handshake ([`Writer::close`]).
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        self.writer().close(code, reason)
    }

    /// Writes everything queued and flushes the transport.
    pub fn flush(&mut self) -> Result<(), Error<T::Error>> {
        self.writer().flush()
    }
}
