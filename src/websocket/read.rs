//! Reading: frames from the transport to messages or chunks, with pings
//! answered and the close handshake completed on the way (RFC 6455
//! sections 5.4, 5.5, 5.6 and 7).

use core::ops::Range;

use embedded_io::Write;

use super::input::sealed::Unmasked;
use super::{
    Chunk, Error, HandedOut, InFrame, Incoming, Input, Message, READ_CHUNK, State, WebSocket,
    Writer,
};
use crate::close::CloseFrame;
use crate::frame::{DecodeOptions, FrameHeader, Opcode};
use crate::mask::{apply_mask, mask_down, move_down};
use crate::reassembly::{DataKind, FrameKind};
use crate::{ProtocolError, RandomSource, Role, Status};

/// How many reads a client spends waiting for the server to close the
/// transport after the close handshake (section 7.1.1).
const CLOSE_WAIT_READS: usize = 16;

/// The payload size from which a frame's payload is read on its own from a
/// transport that lends its buffer, to be unmasked as it is copied. Below
/// it, frames are read many at once: a read per frame costs about 50 ns
/// more, which one pass fewer over 2 KiB makes up for (`benches/decode.rs`,
/// `hybi-lending`: 1 KiB messages decode at 5.6 GiB/s read one by one, 7.8
/// GiB/s read together).
const LENT_PAYLOAD: usize = 2048;

/// What a read that also lends the write side returns.
type ReadWith<'a, M, T, B, R> =
    Result<(M, Writer<'a, T, B, R>), Error<<T as embedded_io::ErrorType>::Error>>;

/// Whether a read returns whole messages or pieces as they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Whole,
    Chunks,
}

/// What the next read hands out: a range of the read buffer, and what it
/// holds.
#[derive(Debug, Clone)]
struct Event {
    what: What,
    range: Range<usize>,
}

/// What [`WebSocket::step`] did.
enum Step {
    /// Something to hand out.
    Event(Event),
    /// Took in a frame header or a control frame: go on.
    Again,
    /// Needs more bytes from the transport.
    Wait,
}

/// What an [`Event`]'s bytes are.
#[derive(Debug, Clone, Copy)]
enum What {
    Data { kind: DataKind, last: bool },
    Ping,
    Pong,
    Close,
}

impl<T, B, R> WebSocket<T, B, R>
where
    T: Input + Write,
    B: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// Reads the next whole message.
    ///
    /// Pings are answered (unless [`Config::auto_pong`] is off) and, like
    /// pongs, only returned with [`Config::show_control`]. A close from the
    /// peer is answered and returned as [`Message::Close`]; reads after it
    /// return [`Error::Closed`]. A client's first read after the close
    /// waits (for at most 16 transport reads, or the transport's own
    /// timeout) for the server to end the transport, as section 7.1.1 asks. A protocol error sends the close code it
    /// names (1002, 1007 as soon as invalid UTF-8 arrives, 1009 as soon as
    /// a header announces a message over the limit or over the read
    /// buffer's capacity of `len - 139` bytes) and returns
    /// [`Error::Protocol`]. Queued writes are flushed before the connection
    /// waits for input.
    ///
    /// After an [`Error::Io`] (a read timeout, say) the call can be made
    /// again: nothing was lost.
    ///
    /// [`Config::auto_pong`]: super::Config::auto_pong
    /// [`Config::show_control`]: super::Config::show_control
    pub fn read(&mut self) -> Result<Message<'_>, Error<T::Error>> {
        let event = self.next_event(Mode::Whole)?;
        let (rx, mut writer) = self.split();
        message(rx, event).map_err(|e| writer.fail(e))
    }

    /// [`WebSocket::read`], also lending the write side, so the message can
    /// be written back without a copy.
    pub fn read_with_writer(&mut self) -> ReadWith<'_, Message<'_>, T, B, R> {
        let event = self.next_event(Mode::Whole)?;
        let (rx, mut writer) = self.split();
        match message(rx, event) {
            Ok(message) => Ok((message, writer)),
            Err(e) => Err(writer.fail(e)),
        }
    }

    /// Reads the next piece of the current message as soon as any of it
    /// has arrived, or the next control frame: messages of any size pass
    /// through a read buffer of [`MIN_READ_BUFFER`] bytes or more. The
    /// chunk with `last` set ends the message. Text is validated as it
    /// arrives and each text chunk ends on a character boundary. The limit
    /// of [`Config::max_message_len`] still applies.
    ///
    /// [`MIN_READ_BUFFER`]: super::MIN_READ_BUFFER
    /// [`Config::max_message_len`]: super::Config::max_message_len
    pub fn read_chunk(&mut self) -> Result<Chunk<'_>, Error<T::Error>> {
        let event = self.next_event(Mode::Chunks)?;
        let (rx, mut writer) = self.split();
        chunk(rx, event).map_err(|e| writer.fail(e))
    }

    /// [`WebSocket::read_chunk`], also lending the write side.
    pub fn read_chunk_with_writer(&mut self) -> ReadWith<'_, Chunk<'_>, T, B, R> {
        let event = self.next_event(Mode::Chunks)?;
        let (rx, mut writer) = self.split();
        match chunk(rx, event) {
            Ok(chunk) => Ok((chunk, writer)),
            Err(e) => Err(writer.fail(e)),
        }
    }

    /// The read buffer and the write side, borrowed apart.
    fn split(&mut self) -> (&[u8], Writer<'_, T, B, R>) {
        let writer = Writer {
            transport: &mut self.transport,
            state: &mut self.state,
            out: &mut self.outgoing,
        };
        (self.incoming.rx.as_ref(), writer)
    }

    fn next_event(&mut self, mode: Mode) -> Result<Event, Error<T::Error>> {
        match self.state {
            State::Handshake => return Err(Error::InvalidState),
            State::Closed => {
                if core::mem::take(&mut self.incoming.await_eof) {
                    self.wait_for_eof();
                }
                return Err(Error::Closed);
            }
            State::Open | State::CloseSent => {}
        }
        if self.outgoing.broken {
            self.state = State::Closed;
            return Err(Error::Closed);
        }
        if self.incoming.rx.as_ref().len() < super::MIN_READ_BUFFER {
            return Err(Error::BufferTooSmall);
        }
        self.release();
        let opts = DecodeOptions::new(self.role());
        loop {
            match self.step(mode, &opts)? {
                Step::Event(event) => return Ok(event),
                Step::Again => {}
                Step::Wait => {
                    if let Some(event) = self.ready_chunk(mode) {
                        return Ok(event);
                    }
                    self.fill()?;
                }
            }
        }
    }

    /// Takes in the next thing the read buffer holds: a frame header, a
    /// control frame, or payload bytes of the current data frame.
    fn step(&mut self, mode: Mode, opts: &DecodeOptions) -> Result<Step, Error<T::Error>> {
        if let Some(frame) = self.incoming.frame {
            if let Some(event) = self.payload(frame)? {
                return Ok(Step::Event(event));
            }
            // The rest of the payload is still to come, or the frame is
            // done and the next header may be here.
            return Ok(if self.incoming.frame.is_some() {
                Step::Wait
            } else {
                Step::Again
            });
        }

        let inc = &mut self.incoming;
        let raw = &inc.rx.as_ref()[inc.start..inc.end];
        let (header, header_len) = match FrameHeader::decode(raw, opts) {
            Ok(Status::Complete(done)) => done,
            Ok(Status::Partial(_)) => return Ok(Step::Wait),
            Err(e) => return self.fail(e),
        };
        // Within usize: the decoder checked.
        let payload_len = header.payload_len as usize;
        if header.opcode.is_control() {
            let total = header_len + payload_len;
            if raw.len() < total {
                return Ok(Step::Wait);
            }
            let payload = inc.start + header_len..inc.start + total;
            if let Some(key) = header.mask {
                apply_mask(key, 0, &mut inc.rx.as_mut()[payload.clone()]);
            }
            match self.control(header.opcode, payload.clone()) {
                Ok(event) => {
                    self.incoming.start += total;
                    if let Some(event) = event {
                        return Ok(Step::Event(event));
                    }
                    return Ok(Step::Again);
                }
                Err(e) => {
                    if matches!(e, Error::Io(_) | Error::WriteZero) {
                        // The reply could not be written: leave the
                        // frame as it arrived, to be handled again.
                        if let Some(key) = header.mask {
                            apply_mask(key, 0, &mut self.incoming.rx.as_mut()[payload]);
                        }
                    }
                    return Err(e);
                }
            }
        }

        let (kind, first, last) = match inc.reassembler.on_header(&header) {
            Ok(FrameKind::Data { kind, first, last }) => (kind, first, last),
            Ok(FrameKind::Control(_)) => {
                return self.fail(ProtocolError::ReservedOpcode(0));
            }
            Err(e) => return self.fail(e),
        };
        if mode == Mode::Whole
            && self.incoming.msg_len.saturating_add(payload_len) > self.whole_message_capacity()
        {
            return self.fail(ProtocolError::MessageTooBig);
        }
        let inc = &mut self.incoming;
        if first {
            // Everything before the payload is free. A message whose
            // payload is all here is unmasked where it is; one still
            // to come starts at the front of the buffer (the bytes that
            // came with the header move as they are unmasked), so the
            // reads for it write where the previous message was, bytes
            // most likely still in the processor's cache.
            let at = inc.start + header_len;
            inc.msg_start = if payload_len <= inc.end - at { at } else { 0 };
            inc.msg_len = 0;
            inc.utf8.reset();
        }
        inc.start += header_len;
        inc.frame = Some(InFrame {
            kind,
            last,
            mask: header.mask,
            phase: 0,
            remaining: payload_len,
        });
        Ok(Step::Again)
    }

    /// Takes in the payload bytes of the current data frame that have
    /// arrived: unmasks them, validates text (see
    /// [`Incoming::take_payload`]), and appends them to the message.
    /// Returns the message once its last frame is complete.
    ///
    /// Unmasking, the move to the end of the message (when frame headers
    /// or a control frame came between) and a test for ASCII are one pass
    /// over the bytes.
    fn payload(&mut self, mut frame: InFrame) -> Result<Option<Event>, Error<T::Error>> {
        let inc = &mut self.incoming;
        let avail = (inc.end - inc.start).min(frame.remaining);
        if avail > 0 {
            let src = inc.start..inc.start + avail;
            let dest = inc.msg_start + inc.msg_len;
            // One pass unmasks, moves the bytes to the end of the message
            // and tells whether they are all ASCII. Bytes already in place
            // and unmasked are left alone: a pass over them only to learn
            // that would cost what validating them costs.
            let mut ascii = false;
            if frame.mask.is_some() || dest != src.start {
                let key = frame.mask.unwrap_or([0; 4]);
                let (phase, all_ascii) =
                    mask_down(key, frame.phase.into(), inc.rx.as_mut(), src, dest);
                frame.phase = phase as u8;
                ascii = all_ascii;
            }
            if let Err(e) = inc.take_payload(&mut frame, avail, ascii) {
                return self.fail(e);
            }
        }
        let inc = &mut self.incoming;
        if frame.remaining > 0 {
            inc.frame = Some(frame);
            return Ok(None);
        }
        inc.frame = None;
        if !frame.last {
            return Ok(None);
        }
        // A text message's end is validated as it is handed out.
        inc.handed_out = HandedOut::Message;
        Ok(Some(Event {
            what: What::Data {
                kind: frame.kind,
                last: true,
            },
            range: inc.msg_start..inc.msg_start + inc.msg_len,
        }))
    }

    /// With a transport that lends its buffer, reads payload bytes of the
    /// current frame straight to the end of the message, unmasked on the
    /// way. Returns false, having read nothing, when the transport cannot
    /// do that or there are bytes in the read buffer to take in first.
    fn read_payload(&mut self) -> Result<bool, Error<T::Error>> {
        if !T::LENDS {
            return Ok(false);
        }
        let inc = &mut self.incoming;
        let Some(mut frame) = inc.frame else {
            return Ok(false);
        };
        if inc.start != inc.end || inc.end != inc.msg_start + inc.msg_len {
            return Ok(false);
        }
        let rx = inc.rx.as_mut();
        let stop = rx
            .len()
            .min(inc.end.saturating_add(READ_CHUNK.min(frame.remaining)));
        let free = rx.get_mut(inc.end..stop).unwrap_or_default();
        let key = frame.mask.unwrap_or([0; 4]);
        let unmasked = self.transport.read_unmasked(free, key, frame.phase.into());
        let Unmasked { len, phase, ascii } = match unmasked {
            None => return Ok(false),
            Some(Ok(unmasked)) => unmasked,
            Some(Err(e)) => return Err(Error::Io(e)),
        };
        if len == 0 {
            self.state = State::Closed;
            return Err(Error::UnexpectedEof);
        }
        inc.end += len;
        frame.phase = phase as u8;
        if let Err(e) = inc.take_payload(&mut frame, len, ascii) {
            return self.fail(e);
        }
        self.incoming.frame = Some(frame);
        Ok(true)
    }

    /// In chunk mode, the part of the message that can be handed out now:
    /// everything assembled, less an unfinished character at its end.
    fn ready_chunk(&mut self, mode: Mode) -> Option<Event> {
        let inc = &mut self.incoming;
        if mode != Mode::Chunks {
            return None;
        }
        let kind = inc.frame.map(|f| f.kind).or(inc.reassembler.current())?;
        let held = if kind == DataKind::Text {
            inc.utf8.pending_len()
        } else {
            0
        };
        let ready = inc.msg_len.saturating_sub(held);
        if ready == 0 {
            return None;
        }
        inc.handed_out = HandedOut::Chunk(ready);
        Some(Event {
            what: What::Data { kind, last: false },
            range: inc.msg_start..inc.msg_start + ready,
        })
    }

    /// Handles a whole control frame whose payload, unmasked, is at
    /// `payload`.
    fn control(
        &mut self,
        opcode: Opcode,
        payload: Range<usize>,
    ) -> Result<Option<Event>, Error<T::Error>> {
        let bytes = &self.incoming.rx.as_ref()[payload.clone()];
        match opcode {
            Opcode::Ping => {
                if self.config.auto_pong && self.state == State::Open {
                    self.outgoing
                        .frame(&mut self.transport, Opcode::Pong, true, bytes)?;
                }
                Ok(self.config.show_control.then_some(Event {
                    what: What::Ping,
                    range: payload,
                }))
            }
            Opcode::Pong => Ok(self.config.show_control.then_some(Event {
                what: What::Pong,
                range: payload,
            })),
            _ => {
                let close = match CloseFrame::parse(bytes) {
                    Ok(close) => close,
                    Err(e) => return self.fail(e),
                };
                if self.state == State::Open {
                    // Echo the code (section 5.5.1); an empty close gets an
                    // empty close.
                    let reply = close.map(|c| c.code());
                    self.outgoing.queue_close_code(&mut self.transport, reply)?;
                    self.state = State::CloseSent;
                }
                // After a transport error here the frame is handled again,
                // and this flush retried.
                self.outgoing.flush(&mut self.transport)?;
                self.state = State::Closed;
                // A client lets the server end the transport first: the
                // next read waits for that (section 7.1.1).
                self.incoming.await_eof = self.role() == Role::Client;
                Ok(Some(Event {
                    what: What::Close,
                    range: payload,
                }))
            }
        }
    }

    /// A client lets the server close the transport first (section 7.1.1):
    /// reads until end of input, an error, or [`CLOSE_WAIT_READS`] reads.
    fn wait_for_eof(&mut self) {
        let inc = &mut self.incoming;
        let Some(spare) = inc.rx.as_mut().get_mut(inc.end..) else {
            return;
        };
        if spare.is_empty() {
            return;
        }
        for _ in 0..CLOSE_WAIT_READS {
            match self.transport.read_into(spare) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }

    /// Lets go of what the previous read handed out.
    fn release(&mut self) {
        let inc = &mut self.incoming;
        match core::mem::replace(&mut inc.handed_out, HandedOut::Nothing) {
            HandedOut::Nothing => {}
            HandedOut::Message => inc.msg_len = 0,
            HandedOut::Chunk(n) => {
                // Keep the unfinished character that was held back.
                let held = inc.msg_start + n..inc.msg_start + inc.msg_len;
                inc.msg_len = held.len();
                move_down(inc.rx.as_mut(), held, inc.msg_start);
            }
        }
    }

    /// Makes room in the read buffer and reads more from the transport,
    /// after flushing queued writes.
    fn fill(&mut self) -> Result<(), Error<T::Error>> {
        let inc = &mut self.incoming;
        let cap = inc.rx.as_ref().len();
        let in_message = inc.frame.is_some() || inc.reassembler.current().is_some();
        if !in_message {
            inc.msg_start = 0;
            inc.msg_len = 0;
        }
        let rx = inc.rx.as_mut();
        // Move the message to the front when it is small or the buffer is
        // nearly full: at most one large move per message.
        if inc.msg_start > 0 && (inc.msg_len <= 16 || cap - inc.end < super::MIN_READ_BUFFER) {
            move_down(rx, inc.msg_start..inc.msg_start + inc.msg_len, 0);
            inc.msg_start = 0;
        }
        // The bytes not yet taken in go right after the message, or to the
        // front between messages.
        let dest = inc.msg_start + inc.msg_len;
        if inc.start > dest {
            move_down(rx, inc.start..inc.end, dest);
            inc.end -= inc.start - dest;
            inc.start = dest;
        }
        if inc.end == cap {
            return self.fail(ProtocolError::MessageTooBig);
        }
        self.outgoing.flush(&mut self.transport)?;
        if self.read_payload()? {
            return Ok(());
        }
        match self.large_frame_header()? {
            Some(header_len) => self.read_transport_up_to(header_len),
            None => self.read_transport(),
        }
    }

    /// With a transport that lends its buffer and nothing left in the read
    /// buffer: the length of the header at the front of the lent bytes, if
    /// it starts a data frame with more than [`LENT_PAYLOAD`] bytes of
    /// payload. Reading only the header lets [`Self::read_payload`] unmask
    /// that payload as it copies it; smaller frames are read many at once.
    fn large_frame_header(&mut self) -> Result<Option<usize>, Error<T::Error>> {
        let inc = &self.incoming;
        if !T::LENDS || inc.frame.is_some() || inc.start != inc.end {
            return Ok(None);
        }
        let opts = DecodeOptions::new(self.role());
        let lent = match self.transport.lent() {
            None => return Ok(None),
            Some(Ok(lent)) => lent,
            Some(Err(e)) => return Err(Error::Io(e)),
        };
        // A header in error is read as any other bytes, and refused from
        // the read buffer.
        Ok(match FrameHeader::decode(lent, &opts) {
            Ok(Status::Complete((header, len)))
                if !header.opcode.is_control() && header.payload_len > LENT_PAYLOAD as u64 =>
            {
                Some(len)
            }
            _ => None,
        })
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> Incoming<B> {
    /// Takes the `len` payload bytes of `frame` that are next in the read
    /// buffer, already unmasked and at the end of the message, into the
    /// message: validates text, then moves past them. `ascii` tells that
    /// they are all ASCII.
    ///
    /// Text bytes that complete the message are not validated here: the
    /// message is handed out next, and handing it out as `&str` validates
    /// it whole (see [`text`]), so validating them here too would read them
    /// twice. Nor are ASCII bytes that start on a character boundary: they
    /// are valid.
    fn take_payload(
        &mut self,
        frame: &mut InFrame,
        len: usize,
        ascii: bool,
    ) -> Result<(), ProtocolError> {
        let completes = frame.last && len == frame.remaining;
        let plain = ascii && self.utf8.pending_len() == 0;
        if frame.kind == DataKind::Text && !completes && !plain {
            let dest = self.msg_start + self.msg_len;
            let bytes = &self.rx.as_ref()[dest..dest + len];
            self.utf8.feed(bytes)?;
        }
        self.msg_len += len;
        self.start += len;
        frame.remaining -= len;
        Ok(())
    }
}

fn message(rx: &[u8], event: Event) -> Result<Message<'_>, ProtocolError> {
    let bytes = &rx[event.range];
    Ok(match event.what {
        What::Data { kind, .. } => match kind {
            DataKind::Text => Message::Text(text(bytes)?),
            DataKind::Binary => Message::Binary(bytes),
        },
        What::Ping => Message::Ping(bytes),
        What::Pong => Message::Pong(bytes),
        What::Close => Message::Close(CloseFrame::parse(bytes)?),
    })
}

fn chunk(rx: &[u8], event: Event) -> Result<Chunk<'_>, ProtocolError> {
    let What::Data { kind, last } = event.what else {
        return Ok(Chunk::Control(message(rx, event)?));
    };
    let data = &rx[event.range];
    Ok(match kind {
        DataKind::Text => Chunk::Text {
            data: text(data)?,
            last,
        },
        DataKind::Binary => Chunk::Binary { data, last },
    })
}

fn text(bytes: &[u8]) -> Result<&str, ProtocolError> {
    crate::utf8::to_str(bytes)
}
