//! The write half: messages, fragments, pings, pongs and the close (RFC
//! 6455 sections 5.2 to 5.5 and 7.1.2), written while holding the write
//! side, and the answers the read half owes sent on the way.

use core::ops::Deref;

use embedded_io::Write;

use super::owed::Due;
use super::{Mutex, Owed, Shared, WriteSide, deliver};
use crate::close::{CloseCode, CloseFrame};
use crate::connection::{Sender, State};
use crate::frame::Opcode;
use crate::reassembly::DataKind;
use crate::role::Endpoint;
use crate::websocket::{Error, Writer};

/// The write half of a split connection: see [the module](super).
#[derive(Debug, Clone)]
pub struct WriteHalf<S> {
    shared: S,
}

impl<S> WriteHalf<S> {
    pub(super) fn new(shared: S) -> Self {
        WriteHalf { shared }
    }
}

impl<S, M, W, E, WB> WriteHalf<S>
where
    S: Deref<Target = Shared<M, W, E, WB>>,
    M: Mutex,
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Queues a whole text message.
    pub fn write_text(&mut self, text: &str) -> Result<(), Error<W::Error>> {
        self.with(|w| w.write_text(text))
    }

    /// Queues a whole binary message.
    pub fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        self.with(|w| w.write_binary(data))
    }

    /// Queues one fragment of a message:
    /// [`Writer::write_fragment`](crate::websocket::Writer::write_fragment).
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<W::Error>> {
        self.with(|w| w.write_fragment(kind, data, last))
    }

    /// Queues a ping with up to 125 bytes of payload.
    pub fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        self.with(|w| w.write_ping(data))
    }

    /// Queues a pong with up to 125 bytes of payload.
    pub fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        self.with(|w| w.write_pong(data))
    }

    /// Sends a text message now.
    pub fn send_text(&mut self, text: &str) -> Result<(), Error<W::Error>> {
        self.with(|w| {
            w.write_text(text)?;
            w.flush()
        })
    }

    /// Sends a binary message now.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        self.with(|w| {
            w.write_binary(data)?;
            w.flush()
        })
    }

    /// Writes everything queued and flushes the transport.
    pub fn flush(&mut self) -> Result<(), Error<W::Error>> {
        self.with(|w| w.flush())
    }

    /// Starts the close handshake (section 7.1.2): sends a close with `code`
    /// and `reason`. The read half goes on reading what the peer had sent
    /// until the peer's answer ends it.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<W::Error>> {
        CloseFrame::new(code, reason)?;
        // Claimed under the lock, so that an answer to the peer's close,
        // owed at the same moment, is not sent as well.
        let shared = &*self.shared;
        let claimed = M::lock(&shared.owed, |owed| {
            let open = owed.state == State::Open;
            if open {
                owed.state = State::CloseSent;
            }
            open
        });
        if claimed != Some(true) {
            return Err(self.ended());
        }
        self.with_state(State::Open, |w| w.close(code, reason))
    }

    /// Whether the connection is over: a close went both ways, or an error
    /// ended it.
    pub fn is_closed(&self) -> bool {
        M::lock(&self.shared.owed, |owed| owed.state == State::Closed).unwrap_or(true)
    }

    /// The error for a call on a connection that is over.
    fn ended(&self) -> Error<W::Error> {
        let ended = M::lock(&self.shared.owed, |owed| owed.ended).flatten();
        ended.map_or(Error::Closed, Error::from)
    }

    /// Runs `write` holding the write side, with the state as it is now.
    fn with(
        &mut self,
        write: impl FnOnce(&mut Writer<'_, W, E, WB>) -> Result<(), Error<W::Error>>,
    ) -> Result<(), Error<W::Error>> {
        let state = M::lock(&self.shared.owed, |owed| owed.state).unwrap_or(State::Closed);
        if state == State::Closed {
            return Err(self.ended());
        }
        self.with_state(state, write)
    }

    /// Runs `write` holding the write side, as if the state were `state`;
    /// sends what the read half owes first and after.
    fn with_state(
        &mut self,
        mut state: State,
        write: impl FnOnce(&mut Writer<'_, W, E, WB>) -> Result<(), Error<W::Error>>,
    ) -> Result<(), Error<W::Error>> {
        let shared = &*self.shared;
        let result = M::lock(&shared.write, |side| {
            side.send_owed::<M>(&shared.owed)?;
            let before = state;
            let sender = Sender {
                outbox: &mut side.outbox,
                state: &mut state,
            };
            let result = write(&mut Writer::new(&mut side.transport, sender));
            if state == State::Closed && before != State::Closed {
                // A write failed in the middle of a frame: the peer can no
                // longer tell where frames begin.
                M::lock(&shared.owed, |owed| owed.state = State::Closed);
            }
            result.and_then(|()| side.send_owed::<M>(&shared.owed))
        })
        .unwrap_or(Err(Error::InvalidState));
        // Anything owed since this half last looked.
        deliver(&self.shared);
        result
    }
}

impl<W, E, WB> WriteSide<W, E, WB>
where
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Sends the answers the read half owes: the pong for its last ping,
    /// the close it owes, between two frames. What a transport error kept
    /// from being queued stays owed.
    pub(super) fn send_owed<M: Mutex>(
        &mut self,
        owed: &M::Lock<Owed>,
    ) -> Result<(), Error<W::Error>> {
        let due = M::lock(owed, Owed::take).unwrap_or_default();
        if due.pong.is_none() && due.close.is_none() {
            return Ok(());
        }
        let result = self.queue(&due);
        match result {
            Ok(()) => self.flush(),
            Err(e) => {
                M::lock(owed, |owed| owed.put_back(due));
                Err(e)
            }
        }
    }

    /// Queues the answers, flushing to make room.
    fn queue(&mut self, due: &Due) -> Result<(), Error<W::Error>> {
        if self.outbox.mid_frame() {
            // Only after a write failed in the middle of a frame: nothing
            // can go after it.
            return Ok(());
        }
        if let Some(pong) = &due.pong {
            while self.outbox.frame(Opcode::Pong, true, pong)?.is_none() {
                self.flush()?;
            }
        }
        if let Some(code) = due.close {
            // Room is kept for it.
            self.outbox.close_code(code);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error<W::Error>> {
        let mut state = State::Open;
        let mut sender = Sender {
            outbox: &mut self.outbox,
            state: &mut state,
        };
        crate::websocket::write::flush(&mut self.transport, &mut sender)
    }
}
