//! The receive side of a connection: bytes from the peer, in the caller's
//! read buffer, to messages or chunks and whole control frames (RFC 6455
//! sections 5.2 to 5.6). It sends nothing: what a control frame obliges
//! this end to send is decided by [`Connection`](super::Connection) or the
//! split read half.
//!
//! The read buffer holds, in order: the data message being assembled
//! (`rx[msg_start..msg_start + msg_len]`, unmasked), then bytes received
//! and not yet taken in (`rx[start..end]`), then free room. Payload bytes
//! move down to the end of the message as they are unmasked, in one pass.

use core::ops::Range;

use super::Buffer;
use crate::ProtocolError;
use crate::Role;
use crate::Status;
#[cfg(feature = "deflate")]
use crate::frame::Rsv;
use crate::frame::{DecodeOptions, FrameHeader, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, Opcode};
use crate::mask::{apply_mask, copy_masked, mask_down, move_down};
use crate::reassembly::{DataKind, FrameKind, Reassembler};
use crate::utf8::Utf8Validator;

/// The smallest read buffer: one whole control frame (14 + 125 bytes).
pub const MIN_READ_BUFFER: usize = MAX_HEADER_LEN + MAX_CONTROL_PAYLOAD;

/// The most one receive asks for. Bytes are unmasked and validated right
/// after they are received, while they are still in the processor's
/// cache; receiving megabytes at once would evict them first.
const RECEIVE_CHUNK: usize = 256 * 1024;

/// The payload size from which a frame's payload is taken on its own from
/// a lent buffer ([`Inbox::receive_from`]), to be unmasked as it is
/// copied. Below it, frames are copied many at once: a copy per frame
/// costs more than one pass fewer over a small payload saves
/// (`dev/benches/decode.rs`, `hybi-lending`).
const LENT_PAYLOAD: usize = 2048;

/// Whether a read hands out whole messages or pieces of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Whole,
    Chunks,
}

/// Something to hand out: a range of the read buffer, and what it holds.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) what: What,
    pub(crate) range: Range<usize>,
}

/// What an [`Event`]'s bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum What {
    Data { kind: DataKind, last: bool },
    Ping,
    Pong,
    Close,
}

/// A whole control frame at the front of the unprocessed bytes, its
/// payload still as it arrived: [`Inbox::take_control`] takes it in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Control {
    pub(crate) opcode: Opcode,
    header_len: usize,
    pub(crate) payload_len: usize,
    mask: Option<[u8; 4]>,
}

/// What [`Inbox::step`] found.
pub(crate) enum Step {
    /// A data message or chunk to hand out.
    Data(Event),
    /// A whole control frame, not yet taken in.
    Control(Control),
    /// Took in a frame header or payload bytes: go on.
    Again,
    /// Needs more bytes.
    Wait,
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

/// What the last event handed out from the read buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandedOut {
    /// Nothing that still sits in the message area.
    Nothing,
    /// A whole message: the message area is free again.
    Message,
    /// The first `n` bytes of the message area, as a chunk.
    Chunk(usize),
}

/// The receive side: the read buffer and where each part of it stands.
pub(crate) struct Inbox<B> {
    rx: B,
    start: usize,
    end: usize,
    msg_start: usize,
    msg_len: usize,
    handed_out: HandedOut,
    frame: Option<InFrame>,
    /// The control frame at `start` has been unmasked in place.
    control_unmasked: bool,
    reassembler: Reassembler,
    utf8: Utf8Validator,
    /// The smallest chunk handed out while the rest of its frame is still
    /// to come ([`Config::min_chunk_len`](super::Config::min_chunk_len)),
    /// at most the buffer's length less [`MIN_READ_BUFFER`]: a message
    /// that long leaves less room than that, and is handed out before
    /// [`Inbox::make_room`] would move it.
    min_chunk: usize,
    #[cfg(feature = "deflate")]
    inflate: InflateRx,
}

/// permessage-deflate on the receive side (RFC 7692 section 6.2).
#[cfg(feature = "deflate")]
#[derive(Debug, Clone, Copy, Default)]
struct InflateRx {
    /// Negotiated: the peer may compress messages.
    on: bool,
    /// The peer takes context over from message to message.
    keep_context: bool,
    /// The message being received is compressed.
    compressed: bool,
    /// Payload bytes from `start` on that are unmasked already.
    clear: usize,
    /// Bytes the message inflated to so far.
    inflated: u64,
    /// The last read was of whole messages: see [`Inbox::read_ahead`].
    whole: bool,
}

impl<B: Buffer> Inbox<B> {
    pub(crate) fn new(rx: B, max_message_len: u64, min_chunk: usize) -> Self {
        let min_chunk = min_chunk.min(rx.bytes().len().saturating_sub(MIN_READ_BUFFER));
        Inbox {
            rx,
            start: 0,
            end: 0,
            msg_start: 0,
            msg_len: 0,
            handed_out: HandedOut::Nothing,
            frame: None,
            control_unmasked: false,
            reassembler: Reassembler::new(max_message_len),
            utf8: Utf8Validator::new(),
            min_chunk,
            #[cfg(feature = "deflate")]
            inflate: InflateRx::default(),
        }
    }

    /// The largest window, in bits, the read buffer can inflate with: 0
    /// for none.
    #[cfg(feature = "deflate")]
    pub(crate) fn inflate_window_bits(&self) -> u8 {
        self.rx.inflate_window_bits()
    }

    /// permessage-deflate was negotiated: compressed messages may come,
    /// from a peer compressing with a window of `bits`. False without
    /// inflate memory large enough.
    #[cfg(feature = "deflate")]
    pub(crate) fn enable_inflate(&mut self, bits: u8, keep_context: bool) -> bool {
        let usable = bits <= self.rx.inflate_window_bits();
        if let ((_, Some((state, _))), true) = (self.rx.inflate_parts(), usable) {
            state.reset(bits);
            self.inflate.on = true;
            self.inflate.keep_context = keep_context;
        }
        self.inflate.on
    }

    /// Whether the message being received is compressed.
    fn compressed(&self) -> bool {
        #[cfg(feature = "deflate")]
        return self.inflate.compressed;
        #[cfg(not(feature = "deflate"))]
        false
    }

    /// The read buffer.
    pub(crate) fn buffer(&self) -> &[u8] {
        self.rx.bytes()
    }

    pub(crate) fn buffer_ref(&self) -> &B {
        &self.rx
    }

    pub(crate) fn into_buffer(self) -> B {
        self.rx
    }

    /// Every byte received so far and not yet taken in, from the front of
    /// the buffer: a handshake head being read.
    pub(crate) fn head(&self) -> &[u8] {
        self.rx.bytes().get(..self.end).unwrap_or_default()
    }

    /// Whether the buffer is full of unprocessed bytes.
    pub(crate) fn is_full(&self) -> bool {
        self.end == self.rx.bytes().len()
    }

    /// After a handshake head of `len` bytes: frames start after it.
    pub(crate) fn skip_head(&mut self, len: usize) {
        self.start = len.min(self.end);
    }

    /// The free room at the end of the buffer, for the transport to read
    /// into (at most [`Inbox::receive_limit`] bytes; see also
    /// [`Inbox::read_ahead`]).
    pub(crate) fn free(&mut self) -> &mut [u8] {
        let want = self.receive_limit();
        let stop = self.rx.bytes().len().min(self.end.saturating_add(want));
        #[cfg(feature = "deflate")]
        let stop = self.read_ahead().map_or(stop, |ahead| stop.min(ahead));
        let rx = self.rx.bytes_mut();
        rx.get_mut(self.end..stop).unwrap_or_default()
    }

    /// The most the next receive takes: [`RECEIVE_CHUNK`], and while a
    /// compressed frame's payload arrives, the rest of it: bytes of later
    /// frames would take room the message inflates into.
    fn receive_limit(&self) -> usize {
        #[cfg(feature = "deflate")]
        if let (Some(frame), true) = (self.frame, self.inflate.compressed) {
            let here = self.end - self.start;
            if frame.remaining > here {
                return RECEIVE_CHUNK.min(frame.remaining - here);
            }
        }
        RECEIVE_CHUNK
    }

    /// Where reading stops when whole messages are read (the last read
    /// was `read`) and compressed messages may come into a buffer that
    /// cannot grow, if that leaves room to read: a whole message inflates
    /// towards the input still to inflate, which cannot move up past what
    /// was received after it, so at most `len - capacity` bytes (139 or
    /// more; see [`Inbox::whole_message_capacity`]) wait unprocessed
    /// beyond the payload of an uncompressed frame being received (taken
    /// into the message as it comes). Then a message that fits the
    /// capacity always finds room to inflate into. Reads in chunks need no
    /// such limit: a chunk is handed out when the room runs out.
    #[cfg(feature = "deflate")]
    fn read_ahead(&self) -> Option<usize> {
        if !self.inflate.on || B::CAN_GROW || !self.inflate.whole {
            return None;
        }
        let reserve = self.rx.bytes().len() - self.whole_message_capacity();
        let payload = match self.frame {
            Some(frame) if !self.inflate.compressed => frame.remaining,
            _ => 0,
        };
        let stop = self.start.saturating_add(payload).saturating_add(reserve);
        // Past it already (bytes received before the limit applied, or a
        // control frame waiting for its answer): the room there is.
        (stop > self.end).then_some(stop)
    }

    /// `n` bytes were written into [`Inbox::free`].
    pub(crate) fn commit(&mut self, n: usize) {
        self.end = self.rx.bytes().len().min(self.end.saturating_add(n));
    }

    /// Copies what it can use now out of `lent` (a transport's own
    /// buffer): payload of the current frame straight to the end of the
    /// message, unmasked as it is copied, when nothing else is waiting;
    /// only the header of a large data frame, so that its payload can be
    /// copied that way next; otherwise as much as fits. Returns how many
    /// bytes it took. Before frames flow (`frames` false), as much as fits.
    pub(crate) fn receive_from(
        &mut self,
        lent: &[u8],
        frames: bool,
        role: Role,
    ) -> Result<usize, ProtocolError> {
        // A compressed payload is inflated, not copied to the message.
        let caught_up = self.start == self.end
            && self.end == self.msg_start + self.msg_len
            && !self.compressed();
        if let (Some(mut frame), true) = (self.frame, caught_up) {
            let take = lent.len().min(frame.remaining);
            let free = self.free();
            let key = frame.mask.unwrap_or([0; 4]);
            let (phase, ascii) = copy_masked(key, frame.phase.into(), &lent[..take], free);
            let len = take.min(free.len());
            self.end += len;
            frame.phase = phase as u8;
            self.take_payload(&mut frame, len, ascii)?;
            self.frame = Some(frame);
            return Ok(len);
        }
        let mut take = lent.len();
        if frames && self.frame.is_none() && self.start == self.end {
            // A header in error is taken as any other bytes, and refused
            // by the next step.
            let opts = DecodeOptions::new(role);
            if let Ok(Status::Complete((header, len))) = FrameHeader::decode(lent, &opts) {
                if !header.opcode.is_control() && header.payload_len > LENT_PAYLOAD as u64 {
                    take = len;
                }
            }
        }
        let free = self.free();
        let n = take.min(free.len());
        free[..n].copy_from_slice(&lent[..n]);
        self.end += n;
        Ok(n)
    }

    /// The message size limit.
    pub(crate) fn max_message_len(&self) -> u64 {
        self.reassembler.max_len()
    }

    /// The smallest chunk handed out while its frame is still arriving, as
    /// in effect.
    pub(crate) fn min_chunk_len(&self) -> usize {
        self.min_chunk
    }

    /// The usable capacity of the read buffer for whole messages.
    fn whole_message_capacity(&self) -> usize {
        let room = self.rx.bytes().len().saturating_sub(MIN_READ_BUFFER);
        let max = usize::try_from(self.reassembler.max_len()).unwrap_or(usize::MAX);
        room.min(max)
    }

    /// Grows a buffer that can grow so that a whole message of `len` bytes
    /// fits (within the message size limit, which the reassembler checked):
    /// whether it now does.
    fn grow_for(&mut self, len: usize) -> bool {
        B::CAN_GROW
            && len
                .checked_add(MIN_READ_BUFFER)
                .is_some_and(|needed| self.rx.grow(needed))
    }

    /// Whether a data message is being received.
    pub(crate) fn in_message(&self) -> bool {
        self.frame.is_some() || self.reassembler.current().is_some()
    }

    /// Takes in the next thing the unprocessed bytes hold: a frame header,
    /// a control frame (left for [`Inbox::take_control`]), or payload
    /// bytes of the current data frame.
    /// `role` is this end's, a constant where it is called: the decoder's
    /// checks for the other role are not compiled in. Not inlined: inlined
    /// into each read mode it was compiled in twice.
    #[inline(never)]
    pub(crate) fn step(&mut self, mode: Mode, role: Role) -> Result<Step, ProtocolError> {
        #[cfg(feature = "deflate")]
        {
            self.inflate.whole = mode == Mode::Whole;
        }
        if let Some(frame) = self.frame {
            if let Some(event) = self.payload(frame, mode)? {
                return Ok(Step::Data(event));
            }
            // The rest of the payload is still to come, or the frame is
            // done and the next header may be here.
            return Ok(if self.frame.is_some() {
                Step::Wait
            } else {
                Step::Again
            });
        }

        let raw = &self.rx.bytes()[self.start..self.end];
        let opts = DecodeOptions::new(role);
        #[cfg(feature = "deflate")]
        let opts = opts.allow_rsv(if self.inflate.on {
            Rsv::RSV1
        } else {
            Rsv::NONE
        });
        let (header, header_len) = match FrameHeader::decode(raw, &opts)? {
            Status::Complete(done) => done,
            Status::Partial(_) => return Ok(Step::Wait),
        };
        // Within usize: the decoder checked.
        let payload_len = header.payload_len as usize;
        // Only the first frame of a data message may carry RSV1 (RFC 7692
        // section 6.1).
        #[cfg(feature = "deflate")]
        let compressed = header.rsv.contains(Rsv::RSV1);
        #[cfg(feature = "deflate")]
        if compressed && (header.opcode.is_control() || header.opcode == Opcode::Continuation) {
            return Err(ProtocolError::ReservedBits(header.rsv.bits()));
        }
        if header.opcode.is_control() {
            if raw.len() < header_len + payload_len {
                return Ok(Step::Wait);
            }
            let mask = header.mask.filter(|_| !self.control_unmasked);
            return Ok(Step::Control(Control {
                opcode: header.opcode,
                header_len,
                payload_len,
                mask,
            }));
        }

        let FrameKind::Data { kind, first, last } = self.reassembler.on_header(&header)? else {
            // Only control opcodes give a control kind, and they are
            // handled above.
            return Err(ProtocolError::ReservedOpcode(header.opcode.as_u8()));
        };
        #[cfg(feature = "deflate")]
        if first {
            self.start_inflate(compressed);
        }
        // A compressed message's size is known only as it is inflated.
        let whole = self.msg_len.saturating_add(payload_len);
        if mode == Mode::Whole
            && !self.compressed()
            && whole > self.whole_message_capacity()
            && !self.grow_for(whole)
        {
            return Err(ProtocolError::MessageTooBig);
        }
        if first {
            // Everything before the payload is free. A message whose
            // payload is all here is unmasked where it is; one still to
            // come starts at the front of the buffer (the bytes that came
            // with the header move as they are unmasked), so the reads for
            // it write where the previous message was, bytes most likely
            // still in the processor's cache.
            // A compressed one starts at the front, where it has the most
            // room to inflate into before the bytes still to inflate.
            let at = self.start + header_len;
            self.msg_start = if payload_len <= self.end - at && !self.compressed() {
                at
            } else {
                0
            };
            self.msg_len = 0;
            self.utf8.reset();
        }
        self.start += header_len;
        self.frame = Some(InFrame {
            kind,
            last,
            mask: header.mask,
            phase: 0,
            remaining: payload_len,
        });
        Ok(Step::Again)
    }

    /// Unmasks the payload of the control frame [`Inbox::step`] found,
    /// where it is, and returns where it is. The frame stays where it is
    /// until [`Inbox::take_control`]; a later step finds it unmasked.
    pub(crate) fn unmask_control(&mut self, control: Control) -> Range<usize> {
        let from = self.start + control.header_len;
        let payload = from..from + control.payload_len;
        if let (Some(key), false) = (control.mask, self.control_unmasked) {
            apply_mask(key, 0, &mut self.rx.bytes_mut()[payload.clone()]);
        }
        self.control_unmasked = true;
        payload
    }

    /// Moves past the control frame [`Inbox::step`] found, unmasked, and
    /// returns where its payload is.
    pub(crate) fn take_control(&mut self, control: Control) -> Range<usize> {
        let payload = self.unmask_control(control);
        self.start = payload.end;
        self.control_unmasked = false;
        payload
    }

    /// Takes in the payload bytes of the current data frame that have
    /// arrived: unmasks them, validates text (see [`Inbox::take_payload`]),
    /// and appends them to the message. Returns the message once its last
    /// frame is complete.
    ///
    /// Unmasking, the move to the end of the message (when frame headers
    /// or a control frame came between) and a test for ASCII are one pass
    /// over the bytes.
    fn payload(&mut self, mut frame: InFrame, mode: Mode) -> Result<Option<Event>, ProtocolError> {
        #[cfg(feature = "deflate")]
        if self.inflate.compressed {
            return self.inflate_payload(frame, mode);
        }
        let _ = mode;
        let avail = (self.end - self.start).min(frame.remaining);
        if avail > 0 {
            let src = self.start..self.start + avail;
            let dest = self.msg_start + self.msg_len;
            // Bytes already in place and unmasked are left alone: a pass
            // over them only to learn whether they are ASCII would cost
            // what validating them costs.
            let mut ascii = false;
            if frame.mask.is_some() || dest != src.start {
                let key = frame.mask.unwrap_or([0; 4]);
                let (phase, all_ascii) =
                    mask_down(key, frame.phase.into(), self.rx.bytes_mut(), src, dest);
                frame.phase = phase as u8;
                ascii = all_ascii;
            }
            self.take_payload(&mut frame, avail, ascii)?;
        }
        if frame.remaining > 0 {
            self.frame = Some(frame);
            return Ok(None);
        }
        self.frame = None;
        if !frame.last {
            return Ok(None);
        }
        // A text message's end is validated as it is handed out.
        self.handed_out = HandedOut::Message;
        Ok(Some(Event {
            what: What::Data {
                kind: frame.kind,
                last: true,
            },
            range: self.msg_start..self.msg_start + self.msg_len,
        }))
    }

    /// Takes the `len` payload bytes of `frame` that are next in the read
    /// buffer, already unmasked and at the end of the message, into the
    /// message: validates text, then moves past them. `ascii` tells that
    /// they are all ASCII.
    ///
    /// Text bytes that complete the message are not validated here: the
    /// message is handed out next, and handing it out as `&str` validates
    /// it whole, so validating them here too would read them twice. Nor
    /// are ASCII bytes that start on a character boundary: they are valid.
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
            let bytes = &self.rx.bytes()[dest..dest + len];
            self.utf8.feed(bytes)?;
        }
        self.msg_len += len;
        self.start += len;
        frame.remaining -= len;
        Ok(())
    }

    /// Readies the receive side for a new data message, compressed or not.
    #[cfg(feature = "deflate")]
    fn start_inflate(&mut self, compressed: bool) {
        self.inflate.compressed = compressed;
        self.inflate.clear = 0;
        self.inflate.inflated = 0;
        if compressed {
            let keep = self.inflate.keep_context;
            if let (_, Some((state, _))) = self.rx.inflate_parts() {
                state.start_message(keep);
            }
        }
    }

    /// [`Inbox::payload`] for a compressed message (RFC 7692 section
    /// 7.2.2): the payload bytes that have arrived are unmasked where they
    /// are and inflated to the end of the message, which grows towards
    /// them; when it reaches them, a chunk is handed out or room is made
    /// ([`Inbox::make_gap`]). Inflated text is validated as it comes, and
    /// the message size limit holds for the inflated size, checked as it
    /// grows.
    #[cfg(feature = "deflate")]
    fn inflate_payload(
        &mut self,
        mut frame: InFrame,
        mode: Mode,
    ) -> Result<Option<Event>, ProtocolError> {
        loop {
            let avail = (self.end - self.start).min(frame.remaining);
            if let (Some(key), true) = (frame.mask, avail > self.inflate.clear) {
                let fresh = self.start + self.inflate.clear..self.start + avail;
                let rx = self.rx.bytes_mut();
                frame.phase = apply_mask(key, frame.phase.into(), &mut rx[fresh]) as u8;
            }
            self.inflate.clear = avail;
            let end_of_message = frame.last && avail == frame.remaining;
            let dest = self.msg_start + self.msg_len;
            let limit = match mode {
                Mode::Whole => self.whole_message_capacity().saturating_sub(self.msg_len),
                Mode::Chunks => usize::MAX,
            };
            let start = self.start;
            let (bytes, memory) = self.rx.inflate_parts();
            let (state, window) = memory.ok_or(ProtocolError::Inflate)?;
            let (before, after) = bytes.split_at_mut(start.min(bytes.len()));
            let out_end = before.len().min(dest.saturating_add(limit));
            let out = before.get_mut(dest..out_end).unwrap_or_default();
            let input = after.get(..avail).unwrap_or_default();
            let r = state
                .inflate(window, input, end_of_message, out)
                .map_err(|_| ProtocolError::Inflate)?;
            // The message's last bytes are validated as it is handed out.
            if frame.kind == DataKind::Text && !r.done {
                let produced = self.rx.bytes().get(dest..dest + r.produced);
                self.utf8.feed(produced.unwrap_or_default())?;
            }
            self.msg_len += r.produced;
            self.start += r.consumed;
            self.inflate.clear -= r.consumed;
            frame.remaining -= r.consumed;
            self.inflate.inflated = self.inflate.inflated.saturating_add(r.produced as u64);
            if self.inflate.inflated > self.reassembler.max_len() {
                return Err(ProtocolError::MessageTooBig);
            }
            if r.done {
                self.frame = None;
                self.inflate.compressed = false;
                self.handed_out = HandedOut::Message;
                return Ok(Some(Event {
                    what: What::Data {
                        kind: frame.kind,
                        last: true,
                    },
                    range: self.msg_start..self.msg_start + self.msg_len,
                }));
            }
            if !r.full {
                // What arrived is inflated: the rest of the frame, or the
                // next frame, is still to come.
                self.frame = (frame.remaining > 0).then_some(frame);
                return Ok(None);
            }
            // Output is waiting for room.
            self.frame = Some(frame);
            if let Some(event) = self.ready_chunk(mode) {
                return Ok(Some(event));
            }
            // A buffer with no more room hands out what it holds, however
            // short of the chunk size it is.
            match self.make_gap(mode) {
                Err(_) if mode == Mode::Chunks => match self.chunk_of_at_least(0) {
                    Some(event) => return Ok(Some(event)),
                    None => return Err(ProtocolError::MessageTooBig),
                },
                result => result?,
            }
        }
    }

    /// Makes room to inflate into: for a whole message, a buffer that can
    /// grow grows (within the size limit; one that cannot is full:
    /// [`ProtocolError::MessageTooBig`]); then, unless the input taken
    /// since the output filled up left room already, the bytes still to
    /// inflate move up to the end of the buffer, or the message down to
    /// its front, or the buffer grows.
    #[cfg(feature = "deflate")]
    fn make_gap(&mut self, mode: Mode) -> Result<(), ProtocolError> {
        if mode == Mode::Whole && self.msg_len >= self.whole_message_capacity() {
            let max = usize::try_from(self.reassembler.max_len()).unwrap_or(usize::MAX);
            // Twice the message, from 4 KiB, within the limit (which may
            // be under 4 KiB: not `clamp`, which panics then).
            let want = self.msg_len.saturating_mul(2).max(4096).min(max);
            if self.msg_len >= max || !self.grow_for(want) {
                return Err(ProtocolError::MessageTooBig);
            }
        }
        if self.start > self.msg_start + self.msg_len {
            return Ok(());
        }
        let cap = self.rx.bytes().len();
        if self.end < cap {
            let to = cap - (self.end - self.start);
            self.rx.bytes_mut().copy_within(self.start..self.end, to);
            self.start = to;
            self.end = cap;
        } else if self.msg_start > 0 {
            let msg = self.msg_start..self.msg_start + self.msg_len;
            move_down(self.rx.bytes_mut(), msg, 0);
            self.msg_start = 0;
        } else if !(B::CAN_GROW && self.rx.grow(cap.saturating_mul(2))) {
            return Err(ProtocolError::MessageTooBig);
        }
        Ok(())
    }

    /// In chunk mode, the part of the message that can be handed out now:
    /// everything assembled, less an unfinished character at its end. While
    /// the payload of the current frame is still arriving, only once the
    /// message holds `min_chunk` bytes (which a buffer nearly full of it
    /// does): the bytes still to come are on their way, and each chunk
    /// handed out costs the caller a call, a relay a frame. Between frames,
    /// whatever has arrived: the peer may be waiting before it sends the
    /// next one.
    pub(crate) fn ready_chunk(&mut self, mode: Mode) -> Option<Event> {
        if mode != Mode::Chunks {
            return None;
        }
        let least = if self.frame.is_some() {
            self.min_chunk
        } else {
            0
        };
        self.chunk_of_at_least(least)
    }

    /// What [`Inbox::ready_chunk`] hands out, once the message holds
    /// `least` bytes.
    fn chunk_of_at_least(&mut self, least: usize) -> Option<Event> {
        let kind = self.frame.map(|f| f.kind).or(self.reassembler.current())?;
        // Only text is validated as it arrives: a binary message holds
        // nothing back.
        let ready = self.msg_len.saturating_sub(self.utf8.pending_len());
        if ready == 0 || self.msg_len < least {
            return None;
        }
        self.handed_out = HandedOut::Chunk(ready);
        Some(Event {
            what: What::Data { kind, last: false },
            range: self.msg_start..self.msg_start + ready,
        })
    }

    /// Lets go of what the previous event handed out.
    pub(crate) fn release(&mut self) {
        match core::mem::replace(&mut self.handed_out, HandedOut::Nothing) {
            HandedOut::Nothing => {}
            HandedOut::Message => {
                self.msg_len = 0;
                if B::CAN_GROW && !self.in_message() {
                    // A buffer that grew for the message gives its memory
                    // back, keeping the bytes that came after it.
                    move_down(self.rx.bytes_mut(), self.start..self.end, 0);
                    self.end -= self.start;
                    self.start = 0;
                    self.rx.shrink(self.end);
                }
            }
            HandedOut::Chunk(n) => {
                // Keep the unfinished character that was held back.
                let held = self.msg_start + n..self.msg_start + self.msg_len;
                self.msg_len = held.len();
                move_down(self.rx.bytes_mut(), held, self.msg_start);
            }
        }
    }

    /// Makes room at the end of the buffer for more bytes: moves the
    /// message and the unprocessed bytes down. Inside a compressed message,
    /// or between messages once permessage-deflate is on, half the free
    /// room stays before the unprocessed bytes, for a message to inflate
    /// into: a read that fills the buffer leaves it that much. A buffer
    /// full of one message is [`ProtocolError::MessageTooBig`].
    pub(crate) fn make_room(&mut self) -> Result<(), ProtocolError> {
        let cap = self.rx.bytes().len();
        if !self.in_message() {
            self.msg_start = 0;
            self.msg_len = 0;
        }
        // Where a compressed message may be inflated: inside one, or
        // between messages once permessage-deflate is on.
        #[cfg(feature = "deflate")]
        let inflating = self.inflate.on && (self.inflate.compressed || !self.in_message());
        #[cfg(not(feature = "deflate"))]
        let inflating = false;
        let rx = self.rx.bytes_mut();
        // Move the message to the front when it is small or the buffer is
        // nearly full: at most one large move per message.
        if self.msg_start > 0 && (self.msg_len <= 16 || cap - self.end < MIN_READ_BUFFER) {
            move_down(rx, self.msg_start..self.msg_start + self.msg_len, 0);
            self.msg_start = 0;
        }
        // The bytes not yet taken in go right after the message, or to the
        // front between messages; after half the free room where a
        // message may inflate.
        let mut dest = self.msg_start + self.msg_len;
        if inflating {
            dest += (cap - dest - (self.end - self.start)) / 2;
            if self.start < dest {
                rx.copy_within(self.start..self.end, dest);
                self.end += dest - self.start;
                self.start = dest;
            }
        }
        if self.start > dest {
            move_down(rx, self.start..self.end, dest);
            self.end -= self.start - dest;
            self.start = dest;
        }
        if self.end == cap && !(B::CAN_GROW && self.rx.grow(cap.saturating_mul(2))) {
            return Err(ProtocolError::MessageTooBig);
        }
        Ok(())
    }
}
