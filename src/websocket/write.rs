//! Writing frames: whole messages, fragments, pings, pongs and the close
//! (RFC 6455 sections 5.2 to 5.5), batched in the write buffer.

use embedded_io::Write;

use super::{Error, Outgoing, State, WebSocket};
use crate::close::{CloseCode, CloseFrame, MAX_CLOSE_PAYLOAD};
use crate::frame::{FrameHeader, Opcode, Rsv};
use crate::mask::copy_masked;
use crate::reassembly::DataKind;
use crate::{ProtocolError, RandomSource};

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
pub struct Writer<'a, T, B, R> {
    pub(super) transport: &'a mut T,
    pub(super) state: &'a mut State,
    pub(super) out: &'a mut Outgoing<B, R>,
}

impl<T, B, R> Writer<'_, T, B, R>
where
    T: Write,
    B: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// Queues a whole text message.
    pub fn write_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        self.data(DataKind::Text, text.as_bytes(), true, false)
    }

    /// Queues a whole binary message.
    pub fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.data(DataKind::Binary, data, true, false)
    }

    /// Queues one fragment of a message (section 5.4): the first call
    /// starts a message of `kind`, the call with `last` ends it. Control
    /// frames may be written in between, other messages may not
    /// ([`Error::InvalidState`]). Text fragments may split a character;
    /// the text as a whole must be UTF-8, checked as it goes
    /// ([`ProtocolError::InvalidUtf8`], nothing sent).
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        self.data(kind, data, last, true)
    }

    /// Queues a ping with up to 125 bytes of payload.
    pub fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.check_open()?;
        self.out.frame(self.transport, Opcode::Ping, true, data)
    }

    /// Queues a pong with up to 125 bytes of payload (unsolicited, or the
    /// answer to a ping when [`Config::auto_pong`](super::Config::auto_pong)
    /// is off).
    pub fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.check_open()?;
        self.out.frame(self.transport, Opcode::Pong, true, data)
    }

    /// Starts the close handshake (section 7.1.2): sends a close with `code`
    /// and `reason` and flushes. The code must be valid on the wire and the
    /// reason at most 123 bytes ([`Error::Protocol`], nothing sent). Keep
    /// reading until [`Message::Close`](super::Message::Close) or
    /// [`Error::Closed`]: messages already on their way still arrive. After
    /// a transport error the close stays queued, for [`Writer::flush`] or
    /// the next read to send.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        let close = CloseFrame::new(code, reason)?;
        self.check_open()?;
        self.out.queue_close(self.transport, Some(close))?;
        // Sent as far as this side goes: after a transport error the close
        // stays queued for the next flush, and is not queued twice.
        *self.state = State::CloseSent;
        self.out.flush(self.transport)
    }

    /// Writes everything queued to the transport and flushes it.
    pub fn flush(&mut self) -> Result<(), Error<T::Error>> {
        self.out.flush(self.transport)
    }

    /// Sends the close for a protocol error (if the connection was open)
    /// and ends the connection.
    pub(super) fn fail(&mut self, error: ProtocolError) -> Error<T::Error> {
        if *self.state == State::Open {
            // The protocol error is what the caller needs to hear about; a
            // transport that also fails now changes nothing.
            let _ = self.out.close(self.transport, error.close_code());
        }
        *self.state = State::Closed;
        Error::Protocol(error)
    }

    fn check_open(&mut self) -> Result<(), Error<T::Error>> {
        if self.out.broken {
            *self.state = State::Closed;
        }
        match *self.state {
            State::Open => Ok(()),
            State::Handshake => Err(Error::InvalidState),
            State::CloseSent | State::Closed => Err(Error::Closed),
        }
    }

    fn data(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
        fragment: bool,
    ) -> Result<(), Error<T::Error>> {
        self.check_open()?;
        let opcode = match (self.out.sending, fragment) {
            (None, _) => kind.opcode(),
            (Some(sending), true) if sending == kind => Opcode::Continuation,
            (Some(_), _) => return Err(Error::InvalidState),
        };
        if fragment && kind == DataKind::Text {
            let mut utf8 = self.out.sending_utf8;
            utf8.feed(data)?;
            if last {
                utf8.finish()?;
            }
            self.out.sending_utf8 = utf8;
        }
        self.out.frame(self.transport, opcode, last, data)?;
        self.out.sending = if last { None } else { Some(kind) };
        Ok(())
    }
}

impl<B, R> Outgoing<B, R>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// Queues one frame: its header, then its payload, masked for a client.
    /// The caller's payload is never modified: a client masks the copy in
    /// the write buffer. A server writes a payload larger than the free
    /// room straight to the transport.
    pub(super) fn frame<T: Write>(
        &mut self,
        transport: &mut T,
        opcode: Opcode,
        fin: bool,
        payload: &[u8],
    ) -> Result<(), Error<T::Error>> {
        let mask = if self.role.masks_outgoing() {
            let mut key = [0u8; 4];
            self.rng.fill_bytes(&mut key);
            Some(key)
        } else {
            None
        };
        let header = FrameHeader {
            fin,
            rsv: Rsv::NONE,
            opcode,
            mask,
            payload_len: payload.len() as u64,
        };
        header.check_encodable()?;
        let header_len = header.encoded_len();
        let cap = self.tx.as_ref().len();
        if cap < header_len + 2 {
            return Err(Error::BufferTooSmall);
        }
        // A frame that fits the buffer is queued whole or not at all: a
        // transport error in this flush leaves nothing half-queued. A
        // larger one needs room for its header.
        let frame_len = header_len + payload.len();
        let needed = if frame_len <= cap {
            frame_len
        } else {
            header_len
        };
        if cap - self.pending < needed {
            self.flush(transport)?;
        }
        let free = self.tx.as_mut().get_mut(self.pending..).unwrap_or_default();
        self.pending += header.encode_into(free);
        let result = self.payload(transport, mask, payload);
        if result.is_err() {
            // Part of this frame may be on the wire already.
            self.broken = true;
        }
        result
    }

    /// Queues or writes the payload of the frame whose header was queued.
    fn payload<T: Write>(
        &mut self,
        transport: &mut T,
        mask: Option<[u8; 4]>,
        payload: &[u8],
    ) -> Result<(), Error<T::Error>> {
        let cap = self.tx.as_ref().len();
        // A zero key leaves the payload as it is; with a randomness source
        // that only yields zeros (a server's `NoRandom`) the masking loop
        // below is never compiled in.
        let Some(key) = mask.filter(|&key| key != [0; 4]) else {
            if payload.len() > cap - self.pending {
                self.flush(transport)?;
                return write_all(transport, payload);
            }
            self.put(payload);
            return Ok(());
        };
        let mut phase = 0;
        let mut rest = payload;
        while !rest.is_empty() {
            if self.pending == cap {
                self.flush(transport)?;
            }
            let n = rest.len().min(cap - self.pending);
            let (now, later) = rest.split_at(n);
            let dest = &mut self.tx.as_mut()[self.pending..self.pending + n];
            phase = copy_masked(key, phase, now, dest).0;
            self.pending += n;
            rest = later;
        }
        Ok(())
    }

    /// Queues a close frame with `code` and no reason, and flushes.
    fn close<T: Write>(
        &mut self,
        transport: &mut T,
        code: CloseCode,
    ) -> Result<(), Error<T::Error>> {
        self.queue_close_code(transport, Some(code))?;
        self.flush(transport)
    }

    /// Queues a close frame with `code` and no reason, or an empty one.
    pub(super) fn queue_close_code<T: Write>(
        &mut self,
        transport: &mut T,
        code: Option<CloseCode>,
    ) -> Result<(), Error<T::Error>> {
        let payload = code.map(CloseCode::to_be_bytes);
        let payload: &[u8] = match &payload {
            Some(bytes) => bytes,
            None => &[],
        };
        self.frame(transport, Opcode::Close, true, payload)
    }

    /// Queues a close frame.
    pub(super) fn queue_close<T: Write>(
        &mut self,
        transport: &mut T,
        close: Option<CloseFrame<'_>>,
    ) -> Result<(), Error<T::Error>> {
        let mut payload = [0u8; MAX_CLOSE_PAYLOAD];
        let len = close.map_or(0, |c| c.encode(&mut payload));
        self.frame(transport, Opcode::Close, true, &payload[..len])
    }

    /// Writes the queued bytes and flushes the transport. After a transport
    /// error the bytes not yet written stay queued for the next flush.
    pub(super) fn flush<T: Write>(&mut self, transport: &mut T) -> Result<(), Error<T::Error>> {
        if self.pending == 0 {
            return Ok(());
        }
        while self.sent < self.pending {
            let rest = self
                .tx
                .as_ref()
                .get(self.sent..self.pending)
                .unwrap_or_default();
            match transport.write(rest) {
                Ok(0) => return Err(Error::WriteZero),
                Ok(n) => self.sent += n.min(rest.len()),
                Err(e) => return Err(Error::Io(e)),
            }
        }
        self.sent = 0;
        self.pending = 0;
        transport.flush().map_err(Error::Io)
    }

    /// Appends bytes that the caller made room for.
    fn put(&mut self, bytes: &[u8]) {
        let end = self.pending + bytes.len();
        if let Some(dest) = self.tx.as_mut().get_mut(self.pending..end) {
            dest.copy_from_slice(bytes);
            self.pending = end;
        }
    }
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

impl<T, B, R> WebSocket<T, B, R>
where
    T: Write,
    B: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// The write side, borrowed on its own.
    pub fn writer(&mut self) -> Writer<'_, T, B, R> {
        Writer {
            transport: &mut self.transport,
            state: &mut self.state,
            out: &mut self.outgoing,
        }
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
        self.write_text(text)?;
        self.flush()
    }

    /// Sends a binary message now: [`WebSocket::write_binary`] then
    /// [`WebSocket::flush`].
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.write_binary(data)?;
        self.flush()
    }

    /// Starts the close handshake ([`Writer::close`]).
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        self.writer().close(code, reason)
    }

    /// Writes everything queued and flushes the transport.
    pub fn flush(&mut self) -> Result<(), Error<T::Error>> {
        self.outgoing.flush(&mut self.transport)
    }

    /// Sends the close for a protocol error (if the connection was open)
    /// and ends the connection.
    pub(super) fn fail<X>(&mut self, error: ProtocolError) -> Result<X, Error<T::Error>> {
        Err(self.failed(error))
    }

    /// [`WebSocket::fail`], compiled once for every caller.
    #[inline(never)]
    fn failed(&mut self, error: ProtocolError) -> Error<T::Error> {
        self.writer().fail(error)
    }
}
