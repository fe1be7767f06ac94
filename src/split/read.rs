//! The read half: messages and chunks from the read transport (RFC 6455
//! sections 5.4 to 7), with the answers they call for handed to the
//! write side.

use crate::connection::Buffer;
use core::marker::PhantomData;
use core::ops::Deref;

use embedded_io::{Read, Write};

use super::{Delivery, Mutex, Reading, Shared, deliver};
use crate::connection::inbox::{Event, Inbox, Mode, What};
use crate::connection::rules::{self, Flags};
use crate::connection::{self, State, message};
use crate::role::{Endpoint, Role};
use crate::websocket::{Chunk, Error, Message};

/// How many reads a client spends waiting for the server to close the
/// transport after the close handshake (section 7.1.1).
const CLOSE_WAIT_READS: usize = 16;

/// The read half of a split connection: see [the module](super).
pub struct ReadHalf<S, R, RB, E> {
    shared: S,
    transport: R,
    inbox: Inbox<RB>,
    flags: Flags,
    await_eof: bool,
    endpoint: PhantomData<E>,
}

impl<S, R, RB, E> core::fmt::Debug for ReadHalf<S, R, RB, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReadHalf").finish_non_exhaustive()
    }
}

impl<S, R, RB, E> ReadHalf<S, R, RB, E> {
    pub(super) fn new(reading: Reading<R, RB, E>, shared: S) -> Self {
        ReadHalf {
            shared,
            transport: reading.transport,
            inbox: reading.inbox,
            flags: reading.flags,
            await_eof: reading.await_eof,
            endpoint: PhantomData,
        }
    }

    /// The read transport, to set a timeout or shut it down.
    pub fn transport_mut(&mut self) -> &mut R {
        &mut self.transport
    }
}

impl<S, R, RB, M, W, E, WB> ReadHalf<S, R, RB, E>
where
    S: Deref<Target = Shared<M, W, E, WB>>,
    M: Mutex,
    R: Read,
    RB: Buffer,
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Reads the next whole message, as
    /// [`WebSocket::read`](crate::websocket::WebSocket::read) does. The
    /// pongs and the close answers it owes go out through the write side:
    /// at once if it is free, else as soon as the write half has finished
    /// the frame it is writing. A close from the peer is returned at once.
    pub fn read(&mut self) -> Result<Message<'_>, Error<R::Error>> {
        let event = self.next_event(Mode::Whole)?;
        let ReadHalf { inbox, shared, .. } = self;
        message::message(inbox.buffer(), event).map_err(|e| fail(shared, e))
    }

    /// Reads the next piece of the current message, as
    /// [`WebSocket::read_chunk`](crate::websocket::WebSocket::read_chunk)
    /// does.
    pub fn read_chunk(&mut self) -> Result<Chunk<'_>, Error<R::Error>> {
        let event = self.next_event(Mode::Chunks)?;
        let ReadHalf { inbox, shared, .. } = self;
        message::chunk(inbox.buffer(), event).map_err(|e| fail(shared, e))
    }

    /// Whether the connection is over.
    pub fn is_closed(&self) -> bool {
        M::lock(&self.shared.owed, |owed| owed.state == State::Closed).unwrap_or(true)
    }

    fn next_event(&mut self, mode: Mode) -> Result<Event, Error<R::Error>> {
        if E::ROLE == Role::Client && core::mem::take(&mut self.await_eof) {
            self.wait_for_eof();
            return Err(Error::Closed);
        }
        // A ping waits while the pong for the one before is owed, as it
        // would for room in an unsplit connection's write buffer; while the
        // write half is busy, it replaces that one instead (section 5.5.3):
        // reading never waits for a write.
        let mut replace = false;
        loop {
            let ReadHalf {
                shared,
                inbox,
                flags,
                ..
            } = self;
            let polled = M::lock(&shared.owed, |owed| {
                owed.due.replace = replace;
                let result =
                    rules::poll(inbox, &mut owed.state, *flags, &mut owed.due, mode, E::ROLE);
                if let Err(e @ connection::Error::Protocol(_)) = result {
                    owed.ended = Some(e);
                }
                result
            })
            .unwrap_or(Err(connection::Error::InvalidState));
            // Answers go out now if the write side is free.
            let delivery = deliver(&self.shared);
            match polled {
                Ok(Some(event)) => {
                    if E::ROLE == Role::Client && event.what == What::Close {
                        self.await_eof = true;
                    }
                    return Ok(event);
                }
                // A pong went out: the ping after it may be waiting.
                Ok(None) if delivery == Delivery::Sent => {}
                Ok(None) if delivery == Delivery::Busy && !replace => replace = true,
                Ok(None) => self.fill()?,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Reads more from the transport. Its end is the end of the connection.
    fn fill(&mut self) -> Result<(), Error<R::Error>> {
        let free = self.inbox.free();
        if free.is_empty() {
            return Err(Error::BufferTooSmall);
        }
        let n = self.transport.read(free).map_err(Error::Io)?;
        if n > 0 {
            self.inbox.commit(n);
            return Ok(());
        }
        let ended = M::lock(&self.shared.owed, |owed| {
            let was = core::mem::replace(&mut owed.state, State::Closed);
            if was == State::Closed {
                return connection::Error::Closed;
            }
            owed.ended = Some(connection::Error::UnexpectedEof);
            connection::Error::UnexpectedEof
        });
        Err(ended.unwrap_or(connection::Error::Closed).into())
    }

    /// A client lets the server close the transport first (section 7.1.1).
    fn wait_for_eof(&mut self) {
        let spare = self.inbox.free();
        for _ in 0..CLOSE_WAIT_READS {
            if !matches!(self.transport.read(spare), Ok(1..)) {
                return;
            }
        }
    }
}

/// Text that turned out not to be UTF-8 as it was handed out: the close
/// for it is owed, and both halves are over.
fn fail<S, M, W, E, WB, X>(shared: &S, error: crate::ProtocolError) -> Error<X>
where
    S: Deref<Target = Shared<M, W, E, WB>>,
    M: Mutex,
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    M::lock(&shared.owed, |owed| {
        let e = rules::fail(&mut owed.state, &mut owed.due, error);
        owed.ended = Some(e);
    });
    deliver(shared);
    Error::Protocol(error)
}
