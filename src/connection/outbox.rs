//! The send side of a connection: frames into the caller's write buffer
//! (RFC 6455 sections 5.2 to 5.5), masked for a client (section 5.3),
//! until the driver transmits them.
//!
//! The write buffer holds the bytes queued, `tx[..pending]`, of which
//! `tx[..sent]` have been transmitted already. A frame that fits the
//! buffer is queued whole or not at all; a larger one is queued as its
//! header and as much payload as there is room for, and the rest of its
//! payload follows with [`Outbox::write_payload`] (or, unmasked, straight
//! from the caller's slice: [`Outbox::skip_payload`]). Nothing else may be
//! queued until such a frame is complete.
//!
//! The last [`CLOSE_ROOM`] bytes of the buffer are kept for a close: the
//! answer to the peer's close, or the close for a protocol error, always
//! fits, whatever else is waiting to be transmitted.

use super::error::Error;
use crate::UsageError;
use crate::close::{CloseCode, CloseFrame, MAX_CLOSE_PAYLOAD};
use crate::frame::{FrameHeader, MAX_CONTROL_PAYLOAD, Opcode, Rsv};
use crate::handshake::HandshakeError;
use crate::mask::copy_masked;
use crate::reassembly::DataKind;
use crate::role::Endpoint;
use crate::utf8::Utf8Validator;

/// The room kept at the end of the write buffer for a close frame with a
/// code, as a client sends it: a 6-byte header and the 2-byte code.
const CLOSE_ROOM: usize = 8;

/// The smallest write buffer: a whole control frame as a client sends it
/// (a 6-byte header and 125 bytes of payload), so that a ping or a pong is
/// always queued whole, and the room kept for a close.
pub const MIN_WRITE_BUFFER: usize = 6 + MAX_CONTROL_PAYLOAD + CLOSE_ROOM;

/// The send side: the write buffer, the endpoint (which masks for a
/// client) and the message being sent.
pub(crate) struct Outbox<E, B> {
    pub(crate) endpoint: E,
    tx: B,
    pending: usize,
    sent: usize,
    /// Payload bytes of the frame being queued still to come, with its
    /// masking key and the phase of the next byte.
    left: usize,
    key: Option<[u8; 4]>,
    phase: u8,
    /// The type of the fragmented message being sent, if any.
    sending: Option<DataKind>,
    sending_utf8: Utf8Validator,
    /// permessage-deflate's compressor, once agreed (with `std`).
    #[cfg(all(feature = "deflate", feature = "std"))]
    deflate: Option<std_crate::boxed::Box<Compressing>>,
}

/// The send side of permessage-deflate (RFC 7692 section 7.2.1): the
/// compressor, the threshold, and the message being compressed.
#[cfg(all(feature = "deflate", feature = "std"))]
struct Compressing {
    /// Made for the first message compressed: its memory (a few hundred
    /// KiB with miniz_oxide) only for connections that use it.
    deflater: Option<crate::deflate::Deflater>,
    agreed: crate::deflate::Negotiated,
    level: u8,
    min_len: usize,
    /// A message is being compressed into frames.
    active: bool,
    /// Its next frame is its first.
    first: bool,
    /// The input being taken ends the message.
    end: bool,
    /// An input is taken in part: the rest comes through
    /// [`Outbox::write_payload`], and nothing else may be queued but
    /// control frames.
    partial: bool,
    /// The compressor took one byte more of the caller's payload than was
    /// reported taken (so that the caller comes back until the last frame
    /// is queued).
    ahead: bool,
}

impl<E: Endpoint, B: AsRef<[u8]> + AsMut<[u8]>> Outbox<E, B> {
    pub(crate) fn new(endpoint: E, tx: B) -> Self {
        Outbox {
            endpoint,
            tx,
            pending: 0,
            sent: 0,
            left: 0,
            key: None,
            phase: 0,
            sending: None,
            sending_utf8: Utf8Validator::new(),
            #[cfg(all(feature = "deflate", feature = "std"))]
            deflate: None,
        }
    }

    /// Compresses the messages written whole from now on, as agreed, from
    /// `min_len` bytes.
    #[cfg(all(feature = "deflate", feature = "std"))]
    pub(crate) fn enable_deflate(
        &mut self,
        agreed: &crate::deflate::Negotiated,
        config: &crate::deflate::DeflateConfig,
    ) {
        self.deflate = Some(std_crate::boxed::Box::new(Compressing {
            deflater: None,
            agreed: *agreed,
            level: config.compression_level(),
            min_len: usize::try_from(config.compress_min_len()).unwrap_or(usize::MAX),
            active: false,
            first: false,
            end: false,
            partial: false,
            ahead: false,
        }));
    }

    /// Whether a compressed message's input is being taken in part.
    fn compressing(&self) -> bool {
        #[cfg(all(feature = "deflate", feature = "std"))]
        return self.deflate.as_ref().is_some_and(|d| d.partial);
        #[cfg(not(all(feature = "deflate", feature = "std")))]
        false
    }

    pub(crate) fn into_buffer(self) -> B {
        self.tx
    }

    /// The bytes queued and not yet transmitted.
    pub(crate) fn transmit(&self) -> &[u8] {
        self.tx
            .as_ref()
            .get(self.sent..self.pending)
            .unwrap_or_default()
    }

    /// `n` bytes of [`Outbox::transmit`] went out.
    pub(crate) fn transmitted(&mut self, n: usize) {
        self.sent = self.pending.min(self.sent.saturating_add(n));
        if self.sent == self.pending {
            self.sent = 0;
            self.pending = 0;
        }
    }

    /// Whether the write buffer holds at least [`MIN_WRITE_BUFFER`] bytes.
    pub(crate) fn is_large_enough(&self) -> bool {
        self.tx.as_ref().len() >= MIN_WRITE_BUFFER
    }

    /// Whether a frame is partly queued: its payload must be completed
    /// before anything else is queued.
    pub(crate) fn mid_frame(&self) -> bool {
        self.left > 0
    }

    /// Payload bytes of the frame being queued still to come.
    pub(crate) fn payload_left(&self) -> usize {
        self.left
    }

    /// Whether the payload still to come may be written straight to the
    /// transport: the frame is unmasked and everything queued before it
    /// has been transmitted.
    pub(crate) fn can_skip(&self) -> bool {
        self.key.is_none() && self.pending == 0 && !self.compressing()
    }

    /// Whether a whole frame of `len` bytes other than a close fits now.
    pub(crate) fn has_room(&self, len: usize) -> bool {
        !self.mid_frame() && self.end(Opcode::Ping).saturating_sub(self.pending) >= len
    }

    /// Where frames with `opcode` may end in the buffer: all but the room
    /// kept for a close.
    fn end(&self, opcode: Opcode) -> usize {
        let cap = self.tx.as_ref().len();
        if opcode == Opcode::Close {
            cap
        } else {
            cap.saturating_sub(CLOSE_ROOM)
        }
    }

    /// The whole length of a control frame with `payload_len` bytes of
    /// payload, as this endpoint sends it.
    pub(crate) fn control_len(payload_len: usize) -> usize {
        let mask = if E::ROLE.masks_outgoing() { 4 } else { 0 };
        2 + mask + payload_len
    }

    /// Queues a frame's header and as much of its payload as there is
    /// room for: `Some(n)` with the payload bytes queued (the rest goes to
    /// [`Outbox::write_payload`] once the queue has been transmitted), or
    /// `None` when there is no room yet (transmit, then call again). A
    /// frame that fits the buffer is queued whole or not at all. A server's
    /// payload that does not fit the free room is left to
    /// [`Outbox::skip_payload`] whole.
    pub(crate) fn frame(
        &mut self,
        opcode: Opcode,
        fin: bool,
        payload: &[u8],
    ) -> Result<Option<usize>, Error> {
        if self.mid_frame() {
            return Err(Error::InvalidState);
        }
        if !self.is_large_enough() {
            return Err(Error::BufferTooSmall);
        }
        let cap = self.end(opcode);
        let mut header = FrameHeader {
            fin,
            rsv: Rsv::NONE,
            opcode,
            mask: E::ROLE.masks_outgoing().then_some([0; 4]),
            payload_len: payload.len() as u64,
        };
        let header_len = header.encoded_len();
        let frame_len = header_len + payload.len();
        let needed = if frame_len <= cap {
            frame_len
        } else {
            header_len
        };
        if cap.saturating_sub(self.pending) < needed {
            return Ok(None);
        }
        // The key is drawn only once the frame is sure to be queued.
        header.mask = self.endpoint.masking_key();
        let free = self.tx.as_mut().get_mut(self.pending..).unwrap_or_default();
        self.pending += header.encode_into(free);
        self.key = header.mask;
        self.phase = 0;
        self.left = payload.len();
        if self.key.is_none() && payload.len() > cap - self.pending {
            return Ok(Some(0));
        }
        Ok(Some(self.put_payload(payload, cap)))
    }

    /// Queues as much of the current frame's remaining payload as there is
    /// room for, masked for a client, and returns how many bytes it took.
    /// `payload` is the rest of the payload, from the first byte not yet
    /// queued; bytes past the frame's end are left alone.
    pub(crate) fn write_payload(&mut self, payload: &[u8]) -> usize {
        #[cfg(all(feature = "deflate", feature = "std"))]
        if self.compressing() {
            return self.compress_frame(payload);
        }
        // Only data frames are ever queued in part.
        self.put_payload(payload, self.end(Opcode::Binary))
    }

    /// [`Outbox::write_payload`], into the buffer up to `end`.
    fn put_payload(&mut self, payload: &[u8], end: usize) -> usize {
        let tx = self.tx.as_mut();
        let free = tx.get_mut(self.pending..end).unwrap_or_default();
        let n = payload.len().min(self.left).min(free.len());
        let (src, dest) = (&payload[..n], &mut free[..n]);
        match self.key {
            // Only a client masks: a server compiles no masking in. A zero
            // key leaves the payload as it is.
            Some(key) if E::ROLE.masks_outgoing() && key != [0; 4] => {
                self.phase = copy_masked(key, self.phase.into(), src, dest).0 as u8;
            }
            _ => dest.copy_from_slice(src),
        }
        self.pending += n;
        self.left -= n;
        n
    }

    /// The caller wrote the next `n` payload bytes of the current frame to
    /// the transport itself, after everything queued was transmitted: only
    /// for an unmasked frame ([`Outbox::can_skip`]).
    pub(crate) fn skip_payload(&mut self, n: usize) {
        if self.can_skip() {
            self.left = self.left.saturating_sub(n);
        }
    }

    /// Queues a data frame of the message being sent: the first of a
    /// message of `kind`, or a continuation for `fragment`s. Text
    /// fragments are checked as they go: the text as a whole must be UTF-8.
    pub(crate) fn data(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
        fragment: bool,
    ) -> Result<Option<usize>, Error> {
        if self.compressing() {
            return Err(Error::InvalidState);
        }
        let opcode = match (self.sending, fragment) {
            (None, _) => kind.opcode(),
            (Some(sending), true) if sending == kind => Opcode::Continuation,
            (Some(_), _) => return Err(Error::InvalidState),
        };
        let mut utf8 = self.sending_utf8;
        if fragment && kind == DataKind::Text {
            if opcode != Opcode::Continuation {
                utf8.reset();
            }
            utf8.feed(data).map_err(|_| UsageError::InvalidUtf8)?;
            if last {
                utf8.finish().map_err(|_| UsageError::InvalidUtf8)?;
            }
        }
        #[cfg(all(feature = "deflate", feature = "std"))]
        if let Some(compress) = self.compresses(opcode, data) {
            if !self.is_large_enough() {
                return Err(Error::BufferTooSmall);
            }
            if self.compress_room().is_none() {
                return Ok(None);
            }
            self.sending_utf8 = utf8;
            self.sending = Some(kind);
            let taken = self.compressed(compress, data, last);
            // An empty last fragment whose frames are not all queued yet:
            // it is called again, as for no room.
            let unfinished = self.deflate.as_ref().is_some_and(|d| d.active && d.end);
            if data.is_empty() && unfinished {
                return Ok(None);
            }
            return Ok(Some(taken));
        }
        let queued = self.frame(opcode, last, data)?;
        if queued.is_some() {
            self.sending_utf8 = utf8;
            self.sending = if last { None } else { Some(kind) };
        }
        Ok(queued)
    }

    /// Whether the data frame of `opcode` with `data` goes compressed: it
    /// starts a message from the threshold on (`Some(true)`), or continues
    /// a compressed one (`Some(false)`).
    #[cfg(all(feature = "deflate", feature = "std"))]
    fn compresses(&self, opcode: Opcode, data: &[u8]) -> Option<bool> {
        let d = self.deflate.as_ref()?;
        match opcode {
            Opcode::Continuation => d.active.then_some(false),
            _ => (!data.is_empty() && data.len() >= d.min_len).then_some(true),
        }
    }

    /// Compresses `data`, a whole message or a fragment of one (`last`
    /// for its last), starting the message if `start`: its frames, as far
    /// as there is room, and how much of `data` was taken (see
    /// [`Outbox::compress_frame`]).
    #[cfg(all(feature = "deflate", feature = "std"))]
    fn compressed(&mut self, start: bool, data: &[u8], last: bool) -> usize {
        if let Some(d) = &mut self.deflate {
            if start {
                let (level, agreed) = (d.level, d.agreed);
                let deflater = d.deflater.get_or_insert_with(|| {
                    crate::deflate::Deflater::new(
                        level,
                        agreed.send_window_bits,
                        agreed.send_no_context_takeover,
                    )
                });
                deflater.start_message();
                d.active = true;
                d.first = true;
            }
            d.end = last;
            d.partial = true;
            d.ahead = false;
        }
        self.compress_frame(data)
    }

    /// Where a compressed frame's payload may go: from after the room for
    /// the longest header to the room kept for a close, if that leaves
    /// the compressor room to work.
    #[cfg(all(feature = "deflate", feature = "std"))]
    fn compress_room(&self) -> Option<core::ops::Range<usize>> {
        let mask = if E::ROLE.masks_outgoing() { 4 } else { 0 };
        let start = self.pending + 10 + mask;
        let end = self.end(Opcode::Binary);
        (end >= start + 8).then_some(start..end)
    }

    /// Queues the next frame of the compressed message: as much of
    /// `payload` (the rest of the message, or of a fragment of it)
    /// compressed as fits, its header written once its length is known
    /// (none while the compressor holds all it has). Returns how much of
    /// `payload` was taken: for the message's end, all of it only with the
    /// message's last frame, so that a caller passing the rest until all
    /// is taken queues the whole message.
    #[cfg(all(feature = "deflate", feature = "std"))]
    fn compress_frame(&mut self, payload: &[u8]) -> usize {
        let Some(room) = self.compress_room() else {
            return 0;
        };
        let Some(d) = self.deflate.as_mut() else {
            return 0;
        };
        let kind = self.sending.unwrap_or(DataKind::Binary);
        let skip = usize::from(d.ahead);
        let input = payload.get(skip..).unwrap_or_default();
        let tx = self.tx.as_mut();
        let out = tx.get_mut(room.clone()).unwrap_or_default();
        let Some(deflater) = d.deflater.as_mut() else {
            return 0;
        };
        let r = deflater.compress(input, d.end, out);
        let mut taken = skip + r.consumed;
        // The message's last input is reported taken only with its last
        // frame; a fragment's, once the compressor has it.
        d.ahead = d.end && !r.done && taken == payload.len() && taken > 0;
        if d.ahead {
            taken -= 1;
        }
        d.partial = taken < payload.len();
        let first = d.first;
        if r.done {
            d.active = false;
            self.sending = None;
        }
        if r.produced == 0 && !r.done {
            return taken;
        }
        d.first = false;
        let opcode = if first {
            kind.opcode()
        } else {
            Opcode::Continuation
        };
        let mut header = FrameHeader {
            fin: r.done,
            rsv: if first { Rsv::RSV1 } else { Rsv::NONE },
            opcode,
            mask: E::ROLE.masks_outgoing().then_some([0; 4]),
            payload_len: r.produced as u64,
        };
        let header_len = header.encoded_len();
        let at = self.pending;
        let tx = self.tx.as_mut();
        tx.copy_within(room.start..room.start + r.produced, at + header_len);
        header.mask = self.endpoint.masking_key();
        let tx = self.tx.as_mut();
        header.encode_into(tx.get_mut(at..).unwrap_or_default());
        if let Some(key) = header.mask {
            let payload = at + header_len..at + header_len + r.produced;
            crate::mask::apply_mask(key, 0, tx.get_mut(payload).unwrap_or_default());
        }
        self.pending = at + header_len + r.produced;
        taken
    }

    /// Queues a ping or a pong, whole: `Ok(false)` when there is no room
    /// yet.
    pub(crate) fn control(&mut self, opcode: Opcode, payload: &[u8]) -> Result<bool, Error> {
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(UsageError::ControlFrameTooLong.into());
        }
        Ok(self.frame(opcode, true, payload)?.is_some())
    }

    /// Queues a close frame, whole: `Ok(false)` when there is no room yet.
    pub(crate) fn close(&mut self, close: Option<CloseFrame<'_>>) -> Result<bool, Error> {
        let mut payload = [0u8; MAX_CLOSE_PAYLOAD];
        let len = close.map_or(0, |c| c.encode(&mut payload));
        Ok(self.frame(Opcode::Close, true, &payload[..len])?.is_some())
    }

    /// Queues a close with `code` and no reason (an empty close for
    /// `None`): the answer to the peer's close, or the close for a protocol
    /// error. It always fits, in the room kept for it, unless a frame is
    /// partly queued: then it is not queued (false).
    pub(crate) fn close_code(&mut self, code: Option<CloseCode>) -> bool {
        let payload = code.map(CloseCode::to_be_bytes);
        let payload: &[u8] = match &payload {
            Some(bytes) => bytes,
            None => &[],
        };
        matches!(self.frame(Opcode::Close, true, payload), Ok(Some(_)))
    }

    /// Writes a handshake head into the free room with `write`, which
    /// returns its length, and queues it.
    pub(crate) fn queue_head(
        &mut self,
        write: impl FnOnce(&mut [u8]) -> Result<usize, HandshakeError>,
    ) -> Result<(), HandshakeError> {
        let free = self.tx.as_mut().get_mut(self.pending..).unwrap_or_default();
        let n = write(free)?;
        self.pending += n.min(free.len());
        Ok(())
    }
}
