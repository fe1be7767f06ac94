//! Message reassembly rules (RFC 6455 sections 5.4 and 5.5): which frame
//! may follow which, and how large a message may grow.
//!
//! A message is one text or binary frame, or a text or binary frame without
//! FIN followed by continuation frames, the last with FIN. Control frames
//! may come between the fragments. [`Reassembler::on_header`] applies those
//! rules to each decoded header, sans I/O.

use crate::ProtocolError;
use crate::frame::{FrameHeader, Opcode};

/// The type of a data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DataKind {
    /// UTF-8 text (opcode 0x1).
    Text,
    /// Binary data (opcode 0x2).
    Binary,
}

impl DataKind {
    /// The opcode that starts a message of this kind.
    pub const fn opcode(self) -> Opcode {
        match self {
            DataKind::Text => Opcode::Text,
            DataKind::Binary => Opcode::Binary,
        }
    }
}

/// What a frame header means for the message stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FrameKind {
    /// A control frame: handle it whole, it does not touch the message.
    Control(Opcode),
    /// A data frame of the current message.
    Data {
        /// The message's type.
        kind: DataKind,
        /// Whether this frame starts the message.
        first: bool,
        /// Whether this frame ends the message.
        last: bool,
    },
}

/// Tracks the data message being received: its type and length so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reassembler {
    current: Option<DataKind>,
    // Counted in `usize`: a message longer than that could never be held
    // on this target, and a 32-bit target keeps no 8-byte fields.
    len: usize,
    max_len: usize,
}

impl Reassembler {
    /// Between messages, accepting messages of up to `max_len` bytes (and
    /// never more than `usize::MAX`).
    pub const fn new(max_len: u64) -> Self {
        Reassembler {
            current: None,
            len: 0,
            max_len: clamp(max_len),
        }
    }

    /// Checks a decoded header against the message in progress and counts
    /// its payload towards the message's length.
    ///
    /// Errors: a continuation with no message to continue
    /// ([`ProtocolError::UnexpectedContinuation`]); a text or binary frame
    /// inside an unfinished message ([`ProtocolError::ExpectedContinuation`]);
    /// a message growing past the limit ([`ProtocolError::MessageTooBig`],
    /// decided from the header, before any payload arrives).
    pub fn on_header(&mut self, header: &FrameHeader) -> Result<FrameKind, ProtocolError> {
        let (kind, first) = match (header.opcode, self.current) {
            (op, _) if op.is_control() => return Ok(FrameKind::Control(op)),
            (Opcode::Continuation, Some(kind)) => (kind, false),
            (Opcode::Continuation, None) => return Err(ProtocolError::UnexpectedContinuation),
            (_, Some(_)) => return Err(ProtocolError::ExpectedContinuation),
            (Opcode::Text, None) => (DataKind::Text, true),
            (_, None) => (DataKind::Binary, true),
        };
        let len = if first { 0 } else { self.len };
        let len = usize::try_from(header.payload_len)
            .ok()
            .and_then(|payload| len.checked_add(payload))
            .filter(|&len| len <= self.max_len)
            .ok_or(ProtocolError::MessageTooBig)?;
        if header.fin {
            self.current = None;
            self.len = 0;
        } else {
            self.current = Some(kind);
            self.len = len;
        }
        Ok(FrameKind::Data {
            kind,
            first,
            last: header.fin,
        })
    }

    /// The type of the unfinished message, if one is in progress.
    pub const fn current(&self) -> Option<DataKind> {
        self.current
    }

    /// The message size limit.
    pub const fn max_len(&self) -> u64 {
        self.max_len as u64
    }

    /// Changes the message size limit.
    pub fn set_max_len(&mut self, max_len: u64) {
        self.max_len = clamp(max_len);
    }
}

/// `len` as a `usize`, or `usize::MAX` if it is larger.
const fn clamp(len: u64) -> usize {
    if len > usize::MAX as u64 {
        usize::MAX
    } else {
        len as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(opcode: Opcode, fin: bool, len: u64) -> FrameHeader {
        FrameHeader::new(opcode, len).with_fin(fin)
    }

    type Case = (&'static [(Opcode, bool)], Result<FrameKind, ProtocolError>);

    #[test]
    fn sequences() {
        use Opcode::*;
        use ProtocolError::*;
        let data = |kind, first, last| Ok(FrameKind::Data { kind, first, last });
        #[rustfmt::skip]
        let cases: &[Case] = &[
            (&[(Text, true)], data(DataKind::Text, true, true)),
            (&[(Binary, true)], data(DataKind::Binary, true, true)),
            (&[(Text, false), (Continuation, true)], data(DataKind::Text, false, true)),
            (&[(Binary, false), (Continuation, false), (Continuation, false)], data(DataKind::Binary, false, false)),
            (&[(Text, false), (Ping, true)], Ok(FrameKind::Control(Ping))),
            (&[(Text, false), (Ping, true), (Continuation, true)], data(DataKind::Text, false, true)),
            (&[(Text, false), (Close, true)], Ok(FrameKind::Control(Close))),
            (&[(Continuation, true)], Err(UnexpectedContinuation)),
            (&[(Continuation, false)], Err(UnexpectedContinuation)),
            (&[(Text, true), (Continuation, true)], Err(UnexpectedContinuation)),
            (&[(Text, false), (Text, true)], Err(ExpectedContinuation)),
            (&[(Text, false), (Binary, false)], Err(ExpectedContinuation)),
            (&[(Binary, false), (Continuation, true), (Text, true)], data(DataKind::Text, true, true)),
        ];
        for &(frames, expected) in cases {
            let mut r = Reassembler::new(u64::MAX);
            let (last, init) = frames.split_last().unwrap();
            for &(op, fin) in init {
                r.on_header(&frame(op, fin, 1)).unwrap();
            }
            assert_eq!(
                r.on_header(&frame(last.0, last.1, 1)),
                expected,
                "{frames:?}"
            );
        }
    }

    #[test]
    fn limit_covers_the_whole_message() {
        let mut r = Reassembler::new(10);
        assert!(r.on_header(&frame(Opcode::Binary, true, 10)).is_ok());
        assert_eq!(
            r.on_header(&frame(Opcode::Binary, true, 11)),
            Err(ProtocolError::MessageTooBig)
        );
        let mut r = Reassembler::new(10);
        r.on_header(&frame(Opcode::Text, false, 4)).unwrap();
        r.on_header(&frame(Opcode::Continuation, false, 4)).unwrap();
        assert_eq!(
            r.on_header(&frame(Opcode::Continuation, true, 3)),
            Err(ProtocolError::MessageTooBig)
        );
        // A new message starts counting from zero.
        let mut r = Reassembler::new(10);
        r.on_header(&frame(Opcode::Text, false, 6)).unwrap();
        r.on_header(&frame(Opcode::Continuation, true, 4)).unwrap();
        assert!(r.on_header(&frame(Opcode::Binary, true, 10)).is_ok());
        // No overflow at the top of the range.
        let mut r = Reassembler::new(u64::MAX);
        r.on_header(&frame(Opcode::Text, false, u64::MAX)).unwrap();
        assert_eq!(
            r.on_header(&frame(Opcode::Continuation, true, 1)),
            Err(ProtocolError::MessageTooBig)
        );
    }
}
