//! The write side of a connection, borrowed apart from its read buffer:
//! messages, fragments, pings, pongs and the close into the write buffer
//! (RFC 6455 sections 5.2 to 5.5 and 7.1.2).

use super::outbox::Outbox;
use super::{Error, State};
use crate::ProtocolError;
use crate::close::{CloseCode, CloseFrame};
use crate::frame::Opcode;
use crate::reassembly::DataKind;
use crate::role::Endpoint;

/// How much of a frame went into the write buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use = "a frame may not have been queued, or only in part"]
pub enum Queued {
    /// The whole frame.
    Whole,
    /// The frame's header and the first `n` bytes of its payload, which is
    /// larger than the room in the write buffer: transmit, then pass the
    /// rest of the payload to [`Sender::write_payload`] until it has all
    /// been taken. Nothing else can be queued until then.
    Partly(usize),
    /// Nothing: the write buffer has no room for it now. Transmit, then
    /// call again. A frame that fits the write buffer is always queued
    /// whole or not at all.
    Full,
}

/// The write side of a [`Connection`](super::Connection), borrowed on its
/// own or beside a message just read
/// ([`Connection::read_with_sender`](super::Connection::read_with_sender)).
pub struct Sender<'a, E, B> {
    pub(crate) outbox: &'a mut Outbox<E, B>,
    pub(crate) state: &'a mut State,
}

impl<E, B> Sender<'_, E, B>
where
    E: Endpoint,
    B: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Queues a whole text message.
    pub fn write_text(&mut self, text: &str) -> Result<Queued, Error> {
        self.data(DataKind::Text, text.as_bytes(), true, false)
    }

    /// Queues a whole binary message.
    pub fn write_binary(&mut self, data: &[u8]) -> Result<Queued, Error> {
        self.data(DataKind::Binary, data, true, false)
    }

    /// Queues one fragment of a message (section 5.4): the first call
    /// starts a message of `kind`, the call with `last` ends it. Control
    /// frames may be written in between, other messages may not
    /// ([`Error::InvalidState`]). Text fragments may split a character;
    /// the text as a whole must be UTF-8, checked as it goes
    /// ([`UsageError::InvalidUtf8`](crate::UsageError::InvalidUtf8),
    /// nothing queued).
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<Queued, Error> {
        self.data(kind, data, last, true)
    }

    /// Queues a ping with up to 125 bytes of payload
    /// ([`UsageError::ControlFrameTooLong`](crate::UsageError::ControlFrameTooLong)
    /// for more).
    pub fn write_ping(&mut self, data: &[u8]) -> Result<Queued, Error> {
        self.state.check_open()?;
        Ok(whole(self.outbox.control(Opcode::Ping, data)?))
    }

    /// Queues a pong with up to 125 bytes of payload: unsolicited, or the
    /// answer to a ping when [`Config::auto_pong`](super::Config::auto_pong)
    /// is off.
    pub fn write_pong(&mut self, data: &[u8]) -> Result<Queued, Error> {
        self.state.check_open()?;
        Ok(whole(self.outbox.control(Opcode::Pong, data)?))
    }

    /// Starts the close handshake (section 7.1.2): queues a close with
    /// `code` and `reason`. The code must be one that may be sent and the
    /// reason at most 123 bytes ([`Error::Usage`], nothing queued). Keep
    /// reading until the peer's close: messages already on their way still
    /// arrive.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<Queued, Error> {
        let close = CloseFrame::new(code, reason)?;
        self.state.check_open()?;
        if !self.outbox.close(Some(close))? {
            return Ok(Queued::Full);
        }
        *self.state = State::CloseSent;
        Ok(Queued::Whole)
    }

    /// Queues as much as there is room for of the rest of a frame's
    /// payload, after [`Queued::Partly`]; returns how many bytes it took.
    /// `payload` starts at the first byte not yet taken.
    pub fn write_payload(&mut self, payload: &[u8]) -> usize {
        self.outbox.write_payload(payload)
    }

    /// The bytes queued for the transport, not yet transmitted.
    pub fn transmit(&self) -> &[u8] {
        self.outbox.transmit()
    }

    /// `n` bytes of [`Sender::transmit`] went out.
    pub fn transmitted(&mut self, n: usize) {
        self.outbox.transmitted(n);
    }

    /// Queues the close for a protocol error (if the connection was open)
    /// and ends the connection.
    pub(crate) fn fail(&mut self, error: ProtocolError) -> Error {
        super::rules::fail(self.state, &mut super::Queue(self.outbox), error)
    }

    pub(crate) fn outbox(&mut self) -> &mut Outbox<E, B> {
        self.outbox
    }

    pub(crate) fn abort(&mut self) {
        *self.state = State::Closed;
    }

    fn data(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
        fragment: bool,
    ) -> Result<Queued, Error> {
        self.state.check_open()?;
        let queued = self.outbox.data(kind, data, last, fragment)?;
        Ok(match queued {
            None => Queued::Full,
            Some(n) if n == data.len() => Queued::Whole,
            Some(n) => Queued::Partly(n),
        })
    }
}

fn whole(queued: bool) -> Queued {
    if queued { Queued::Whole } else { Queued::Full }
}
