//! A connection in two halves for two tasks of one executor (feature
//! `async`): the [`split`](super) design over `embedded-io-async`. A lock
//! held across an `.await` would stop the other task, so the write side is
//! shared by ownership instead: the half that writes takes it out of
//! [`AsyncShared`] and a guard puts it back, even when the future writing
//! is dropped, waking the write half if it waits for it. The read half
//! only ever tries to take it, to send the answers it owes at once, and
//! leaves them in [`Owed`] when the write half has it, as the blocking
//! halves do.
//!
//! The read half never waits for a write: it tries the write side and,
//! if the transport does not take its bytes at once, leaves them queued and
//! goes on reading, trying again as it waits for input. So the transport's
//! `write` must be side-effect-free on cancel, as `embedded-io-async` asks
//! of implementations and embassy-net's sockets are: a write dropped while
//! pending has written nothing.
//!
//! `AsyncShared` is a `RefCell` inside: both halves on one executor (an
//! embassy executor's tasks, say), never on two threads.
//!
//! ```
//! use hybi::asynch::WebSocket;
//! use hybi::embedded_io_async::{Read, Write};
//! use hybi::websocket::{Config, Error, Message};
//!
//! // A socket's two halves, already upgraded.
//! async fn run<R: Read, W: Write>(socket: (R, W)) -> Result<(), Error<R::Error>> {
//!     let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
//!     let ws = WebSocket::from_upgraded(socket, &mut rx[..], &mut tx[..], hybi::Server, Config::new(), &[])
//!         .map_err(|_| Error::BufferTooSmall)?;
//!     let (reading, shared) = ws.split(|halves| halves).map_err(|_| Error::InvalidState)?;
//!     let (mut reader, mut writer) = reading.attach_async(&shared);
//!     // One task reads (its pongs and close answers go out on their own)...
//!     let reading = async {
//!         while let Ok(message) = reader.read().await {
//!             if let Message::Close(_) = message {
//!                 break;
//!             }
//!         }
//!     };
//!     // ...while another writes (joined with the executor's own `join`).
//!     let writing = async { writer.send_text("hello").await };
//!     # let _ = (reading, writing);
//!     Ok(())
//! }
//! ```

use crate::connection::Buffer;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::future::poll_fn;
use core::marker::PhantomData;
use core::ops::Deref;
use core::task::{Context, Poll, Waker};

use embedded_io_async::{Read, Write};

use super::owed::Due;
use super::{Owed, Reading, WriteSide};
use crate::asynch::{WebSocket, Writer};
use crate::close::{CloseCode, CloseFrame};
use crate::connection::inbox::{Event, Inbox, Mode, What};
use crate::connection::rules::{self, Flags};
use crate::connection::{self, Connection, Sender, State, message};
use crate::frame::Opcode;
use crate::reassembly::DataKind;
use crate::role::{Endpoint, Role};
use crate::websocket::{Chunk, Error, Message};

/// How many reads a client spends waiting for the server to close the
/// transport after the close handshake (section 7.1.1).
const CLOSE_WAIT_READS: usize = 16;

/// What the async halves share: the write side (out while a half writes),
/// the answers owed and the state, and the write half's waker while it
/// waits for the write side.
pub struct AsyncShared<W, E, WB> {
    write: RefCell<Option<WriteSide<W, E, WB>>>,
    owed: RefCell<Owed>,
    waiting: Cell<Option<Waker>>,
}

impl<W, E, WB> core::fmt::Debug for AsyncShared<W, E, WB> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AsyncShared").finish_non_exhaustive()
    }
}

impl<T, RB, E, WB> WebSocket<T, RB, E, WB>
where
    RB: Buffer,
    WB: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    /// Splits an open connection into the read half, to attach
    /// ([`Reading::attach`]) to the [`AsyncShared`] returned with it once
    /// that is where both tasks can reach it. `halves` turns the transport
    /// into its read half and its write half.
    ///
    /// [`Error::InvalidState`] before the opening handshake.
    #[allow(clippy::type_complexity)]
    pub fn split<R, W>(
        self,
        halves: impl FnOnce(T) -> (R, W),
    ) -> Result<(Reading<R, RB, E>, AsyncShared<W, E, WB>), Error<core::convert::Infallible>> {
        let (transport, conn) = self.into_connection();
        let (reading, side, owed) = split_connection(conn, transport, halves)?;
        let shared = AsyncShared {
            write: RefCell::new(Some(side)),
            owed: RefCell::new(owed),
            waiting: Cell::new(None),
        };
        Ok((reading, shared))
    }
}

/// The pieces of an open connection: its read half, its write side and
/// what the halves share of its state.
#[allow(clippy::type_complexity)]
fn split_connection<T, R, W, E, RB, WB>(
    conn: Connection<E, RB, WB>,
    transport: T,
    halves: impl FnOnce(T) -> (R, W),
) -> Result<(Reading<R, RB, E>, WriteSide<W, E, WB>, Owed), Error<core::convert::Infallible>>
where
    E: Endpoint,
    RB: Buffer,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    if conn.state() == State::Handshake {
        return Err(Error::InvalidState);
    }
    let (inbox, outbox, state, flags, await_eof) = conn.into_halves();
    let (read, write) = halves(transport);
    let reading = Reading {
        transport: read,
        inbox,
        flags,
        await_eof,
        endpoint: PhantomData,
    };
    Ok((
        reading,
        WriteSide {
            transport: write,
            outbox,
        },
        Owed::new(state),
    ))
}

impl<R, RB, E> Reading<R, RB, E> {
    /// The two async halves, each holding `shared` (a `&AsyncShared`): the
    /// one [`WebSocket::split`] gave with this.
    #[allow(clippy::type_complexity)]
    pub fn attach_async<W, WB>(
        self,
        shared: &AsyncShared<W, E, WB>,
    ) -> (
        AsyncReadHalf<&AsyncShared<W, E, WB>, R, RB, E>,
        AsyncWriteHalf<&AsyncShared<W, E, WB>>,
    ) {
        let read = AsyncReadHalf {
            shared,
            transport: self.transport,
            inbox: self.inbox,
            flags: self.flags,
            await_eof: self.await_eof,
            endpoint: PhantomData,
        };
        (read, AsyncWriteHalf { shared })
    }
}

/// The write side, taken out of [`AsyncShared`]; put back when dropped.
struct Taken<'s, W, E, WB> {
    shared: &'s AsyncShared<W, E, WB>,
    side: Option<WriteSide<W, E, WB>>,
}

impl<W, E, WB> Drop for Taken<'_, W, E, WB> {
    fn drop(&mut self) {
        if let (Some(side), Ok(mut slot)) = (self.side.take(), self.shared.write.try_borrow_mut()) {
            *slot = Some(side);
        }
        if let Some(waker) = self.shared.waiting.take() {
            waker.wake();
        }
    }
}

impl<W, E, WB> AsyncShared<W, E, WB>
where
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// The write side if it is here.
    fn try_take(&self) -> Option<Taken<'_, W, E, WB>> {
        let side = self.write.try_borrow_mut().ok()?.take()?;
        Some(Taken {
            shared: self,
            side: Some(side),
        })
    }

    /// The write side, waiting while the read half has it out.
    async fn take(&self) -> Taken<'_, W, E, WB> {
        poll_fn(|cx| match self.try_take() {
            Some(taken) => Poll::Ready(taken),
            None => {
                self.waiting.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        })
        .await
    }

    /// A copy of the state, or `Closed` if it cannot be had.
    fn state(&self) -> (State, Option<connection::Error>) {
        self.owed
            .try_borrow()
            .map_or((State::Closed, None), |owed| (owed.state, owed.ended))
    }

    /// Sends what the read half owes, and anything else queued, if the
    /// write side is here and the transport takes it now: never waits. A
    /// write the transport is not ready for is dropped after one poll, its
    /// bytes left queued for the next try or the write half, which is why
    /// the transport's `write` must be side-effect-free on cancel (as
    /// `embedded-io-async` asks and embassy-net's sockets are).
    fn deliver(&self, cx: &mut Context<'_>) -> super::Delivery {
        let due = self.owed.try_borrow().is_ok_and(|owed| owed.is_due());
        let Some(mut taken) = self.try_take() else {
            return if due {
                super::Delivery::Busy
            } else {
                super::Delivery::Nothing
            };
        };
        let Some(side) = taken.side.as_mut() else {
            return super::Delivery::Busy;
        };
        if due {
            queue_now(side, &self.owed);
        }
        if side.outbox.transmit().is_empty() {
            return if due {
                super::Delivery::Sent
            } else {
                super::Delivery::Nothing
            };
        }
        let mut flushing = core::pin::pin!(flush(side));
        match flushing.as_mut().poll(cx) {
            Poll::Ready(Ok(())) => super::Delivery::Sent,
            // Pending: the bytes stay queued. Failed: the write half hears
            // of it.
            Poll::Ready(Err(_)) | Poll::Pending => super::Delivery::Busy,
        }
    }

    /// [`AsyncShared::deliver`] from async code.
    async fn deliver_now(&self) -> super::Delivery {
        poll_fn(|cx| Poll::Ready(self.deliver(cx))).await
    }

    /// Sends everything owed and queued, waiting for the write side and the
    /// transport: when the connection ends (the peer's close, a protocol
    /// error) and nothing more needs to be read, the close must go out.
    async fn deliver_all(&self) {
        let mut taken = self.take().await;
        if let Some(side) = taken.side.as_mut() {
            if send_owed(side, &self.owed).await.is_ok() {
                let _ = flush(side).await;
            }
        }
    }
}

/// Where the read half's answers go: into the write side's buffer when the
/// read half holds it and there is room, else owed to whoever holds it.
struct Answering<'a, W, E, WB> {
    due: &'a mut Due,
    side: Option<&'a mut WriteSide<W, E, WB>>,
}

impl<W, E, WB> Answering<'_, W, E, WB>
where
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// The write side, if it takes a frame of `len` bytes now.
    fn room(&mut self, len: usize) -> Option<&mut WriteSide<W, E, WB>> {
        self.side
            .as_deref_mut()
            .filter(|side| side.outbox.has_room(len))
    }
}

impl<W, E, WB> rules::Answers for Answering<'_, W, E, WB>
where
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    fn room_for_pong(&self, payload_len: usize) -> bool {
        let len = crate::connection::outbox::Outbox::<E, WB>::control_len(payload_len);
        let queued = self
            .side
            .as_deref()
            .is_some_and(|side| side.outbox.has_room(len));
        queued || self.due.room_for_pong(payload_len)
    }

    fn pong(&mut self, payload: &[u8]) {
        let len = crate::connection::outbox::Outbox::<E, WB>::control_len(payload.len());
        match self.room(len) {
            // There is room, and the buffer is large enough.
            Some(side) => drop(side.outbox.frame(Opcode::Pong, true, payload)),
            None => self.due.pong(payload),
        }
    }

    fn close(&mut self, code: Option<CloseCode>) -> bool {
        let queued = self
            .side
            .as_deref_mut()
            .is_some_and(|side| side.outbox.close_code(code));
        queued || self.due.close(code)
    }

    fn all_sent(&self) -> bool {
        true
    }
}

/// Queues what the read half owes that fits now; the rest stays owed.
fn queue_now<W, E, WB>(side: &mut WriteSide<W, E, WB>, owed: &RefCell<Owed>)
where
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    let Ok(mut owed) = owed.try_borrow_mut() else {
        return;
    };
    if side.outbox.mid_frame() {
        return;
    }
    let mut due = owed.take();
    if let Some(pong) = &due.pong {
        if matches!(side.outbox.frame(Opcode::Pong, true, pong), Ok(Some(_))) {
            due.pong = None;
        }
    }
    if let Some(code) = due.close {
        // Room is kept for it.
        if side.outbox.close_code(code) {
            due.close = None;
        }
    }
    owed.put_back(due);
}

/// Sends the answers the read half owes, between two frames: what a
/// transport error kept from being queued stays owed.
async fn send_owed<W, E, WB>(
    side: &mut WriteSide<W, E, WB>,
    owed: &RefCell<Owed>,
) -> Result<(), Error<W::Error>>
where
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    let due = owed
        .try_borrow_mut()
        .map(|mut o| o.take())
        .unwrap_or_default();
    if due.pong.is_none() && due.close.is_none() {
        return Ok(());
    }
    match queue(side, &due).await {
        Ok(()) => flush(side).await,
        Err(e) => {
            if let Ok(mut o) = owed.try_borrow_mut() {
                o.put_back(due);
            }
            Err(e)
        }
    }
}

/// Queues the answers, flushing to make room.
async fn queue<W, E, WB>(side: &mut WriteSide<W, E, WB>, due: &Due) -> Result<(), Error<W::Error>>
where
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    if side.outbox.mid_frame() {
        // Only after a write failed, or was dropped, in the middle of a
        // frame: nothing can go after it.
        return Ok(());
    }
    if let Some(pong) = &due.pong {
        while side.outbox.frame(Opcode::Pong, true, pong)?.is_none() {
            flush(side).await?;
        }
    }
    if let Some(code) = due.close {
        // Room is kept for it.
        side.outbox.close_code(code);
    }
    Ok(())
}

async fn flush<W, E, WB>(side: &mut WriteSide<W, E, WB>) -> Result<(), Error<W::Error>>
where
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    let mut state = State::Open;
    let mut sender = Sender {
        outbox: &mut side.outbox,
        state: &mut state,
    };
    crate::asynch::write::flush(&mut side.transport, &mut sender).await
}

/// The write half of an async split connection.
#[derive(Debug, Clone)]
pub struct AsyncWriteHalf<S> {
    shared: S,
}

/// One call of the write half: the write side taken out, and the state the
/// call runs with.
struct Call<'s, W, E, WB> {
    taken: Taken<'s, W, E, WB>,
    state: State,
}

impl<S, W, E, WB> AsyncWriteHalf<S>
where
    S: Deref<Target = AsyncShared<W, E, WB>>,
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Queues a whole text message.
    pub async fn write_text(&mut self, text: &str) -> Result<(), Error<W::Error>> {
        let mut call = self.begin(None).await?;
        let result = match Self::writer(&mut call) {
            Ok(mut w) => w.write_text(text).await,
            Err(e) => Err(e),
        };
        self.end(call, result).await
    }

    /// Queues a whole binary message.
    pub async fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        let mut call = self.begin(None).await?;
        let result = match Self::writer(&mut call) {
            Ok(mut w) => w.write_binary(data).await,
            Err(e) => Err(e),
        };
        self.end(call, result).await
    }

    /// Queues one fragment of a message.
    pub async fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<W::Error>> {
        let mut call = self.begin(None).await?;
        let result = match Self::writer(&mut call) {
            Ok(mut w) => w.write_fragment(kind, data, last).await,
            Err(e) => Err(e),
        };
        self.end(call, result).await
    }

    /// Queues a ping with up to 125 bytes of payload.
    pub async fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        let mut call = self.begin(None).await?;
        let result = match Self::writer(&mut call) {
            Ok(mut w) => w.write_ping(data).await,
            Err(e) => Err(e),
        };
        self.end(call, result).await
    }

    /// Queues a pong with up to 125 bytes of payload.
    pub async fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        let mut call = self.begin(None).await?;
        let result = match Self::writer(&mut call) {
            Ok(mut w) => w.write_pong(data).await,
            Err(e) => Err(e),
        };
        self.end(call, result).await
    }

    /// Writes everything queued and flushes the transport.
    pub async fn flush(&mut self) -> Result<(), Error<W::Error>> {
        let mut call = self.begin(None).await?;
        let result = match Self::writer(&mut call) {
            Ok(mut w) => w.flush().await,
            Err(e) => Err(e),
        };
        self.end(call, result).await
    }

    /// Sends a text message now.
    pub async fn send_text(&mut self, text: &str) -> Result<(), Error<W::Error>> {
        self.write_text(text).await?;
        self.flush().await
    }

    /// Sends a binary message now.
    pub async fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<W::Error>> {
        self.write_binary(data).await?;
        self.flush().await
    }

    /// Starts the close handshake: sends a close with `code` and `reason`.
    /// The read half goes on reading until the peer's answer ends it.
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<W::Error>> {
        CloseFrame::new(code, reason)?;
        let mut call = self.begin(Some(State::CloseSent)).await?;
        let result = match Self::writer(&mut call) {
            Ok(mut w) => w.close(code, reason).await,
            Err(e) => Err(e),
        };
        self.end(call, result).await
    }

    /// Whether the connection is over.
    pub fn is_closed(&self) -> bool {
        self.shared.state().0 == State::Closed
    }

    /// Takes the write side for a call, with the state as it is now, and
    /// sends what the read half owes first. A close (`claim`) moves an open
    /// connection to `claim` at once, under the lock, so that an answer to
    /// the peer's close owed at the same moment is not sent as well.
    async fn begin<'s>(
        &'s self,
        claim: Option<State>,
    ) -> Result<Call<'s, W, E, WB>, Error<W::Error>>
    where
        W: 's,
        E: 's,
        WB: 's,
    {
        let shared = &*self.shared;
        let state = match claim {
            None => shared.state().0,
            Some(claim) => shared
                .owed
                .try_borrow_mut()
                .map_or(State::Closed, |mut owed| {
                    let was = owed.state;
                    if was == State::Open {
                        owed.state = claim;
                    }
                    // The call runs as if it were still open.
                    if was == State::Open {
                        State::Open
                    } else {
                        State::Closed
                    }
                }),
        };
        if state == State::Closed {
            return Err(self.ended());
        }
        let mut taken = shared.take().await;
        if let Some(side) = taken.side.as_mut() {
            send_owed(side, &shared.owed).await?;
        }
        Ok(Call { taken, state })
    }

    /// The write side of `call`, to write with.
    fn writer<'c>(
        call: &'c mut Call<'_, W, E, WB>,
    ) -> Result<Writer<'c, W, E, WB>, Error<W::Error>> {
        let Call { taken, state } = call;
        let side = taken.side.as_mut().ok_or(Error::InvalidState)?;
        let sender = Sender {
            outbox: &mut side.outbox,
            state,
        };
        Ok(Writer::new(&mut side.transport, sender))
    }

    /// Ends a call: a frame left half sent ends the connection; what the
    /// read half owes goes out; the write side goes back.
    async fn end<'s>(
        &'s self,
        mut call: Call<'s, W, E, WB>,
        result: Result<(), Error<W::Error>>,
    ) -> Result<(), Error<W::Error>>
    where
        W: 's,
        E: 's,
        WB: 's,
    {
        let shared = &*self.shared;
        if call.state == State::Closed {
            if let Ok(mut owed) = shared.owed.try_borrow_mut() {
                owed.state = State::Closed;
            }
        }
        let result = match (result, call.taken.side.as_mut()) {
            (Ok(()), Some(side)) => send_owed(side, &shared.owed).await,
            (result, _) => result,
        };
        drop(call);
        shared.deliver_now().await;
        result
    }

    /// The error for a call on a connection that is over.
    fn ended(&self) -> Error<W::Error> {
        self.shared.state().1.map_or(Error::Closed, Error::from)
    }
}

/// The read half of an async split connection.
pub struct AsyncReadHalf<S, R, RB, E> {
    shared: S,
    transport: R,
    inbox: Inbox<RB>,
    flags: Flags,
    await_eof: bool,
    endpoint: PhantomData<E>,
}

impl<S, R, RB, E> core::fmt::Debug for AsyncReadHalf<S, R, RB, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AsyncReadHalf").finish_non_exhaustive()
    }
}

impl<S, R, RB, W, E, WB> AsyncReadHalf<S, R, RB, E>
where
    S: Deref<Target = AsyncShared<W, E, WB>>,
    R: Read,
    RB: Buffer,
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Reads the next whole message, as the blocking
    /// [`ReadHalf::read`](super::ReadHalf::read) does.
    pub async fn read(&mut self) -> Result<Message<'_>, Error<R::Error>> {
        let event = self.next_event(Mode::Whole).await?;
        let AsyncReadHalf { inbox, shared, .. } = self;
        match message::message(inbox.buffer(), event) {
            Ok(message) => Ok(message),
            Err(e) => Err(fail(&**shared, e).await),
        }
    }

    /// Reads the next piece of the current message as soon as any of it
    /// has arrived.
    pub async fn read_chunk(&mut self) -> Result<Chunk<'_>, Error<R::Error>> {
        let event = self.next_event(Mode::Chunks).await?;
        let AsyncReadHalf { inbox, shared, .. } = self;
        match message::chunk(inbox.buffer(), event) {
            Ok(chunk) => Ok(chunk),
            Err(e) => Err(fail(&**shared, e).await),
        }
    }

    /// Whether the connection is over.
    pub fn is_closed(&self) -> bool {
        self.shared.state().0 == State::Closed
    }

    async fn next_event(&mut self, mode: Mode) -> Result<Event, Error<R::Error>> {
        if E::ROLE == Role::Client && core::mem::take(&mut self.await_eof) {
            self.wait_for_eof().await;
            return Err(Error::Closed);
        }
        // As in the blocking read half: a ping waits while the pong before
        // it is owed, unless the write half is busy.
        let mut replace = false;
        loop {
            let AsyncReadHalf {
                shared,
                inbox,
                flags,
                ..
            } = self;
            // The write side if it is free: answers then go straight into
            // its buffer, as an unsplit connection's do.
            let mut taken = shared.try_take();
            let polled = match shared.owed.try_borrow_mut() {
                Ok(mut owed) => {
                    let owed = &mut *owed;
                    owed.due.replace = replace;
                    let mut answers = Answering {
                        due: &mut owed.due,
                        side: taken.as_mut().and_then(|taken| taken.side.as_mut()),
                    };
                    let result =
                        rules::poll(inbox, &mut owed.state, *flags, &mut answers, mode, E::ROLE);
                    if let Err(e @ connection::Error::Protocol(_)) = result {
                        owed.ended = Some(e);
                    }
                    result
                }
                Err(_) => Err(connection::Error::InvalidState),
            };
            drop(taken);
            let delivery = shared.deliver_now().await;
            match polled {
                Ok(Some(event)) => {
                    if event.what == What::Close {
                        // The answer goes out before the close is handed out.
                        self.shared.deliver_all().await;
                        self.await_eof = E::ROLE == Role::Client;
                    }
                    return Ok(event);
                }
                Ok(None) if delivery == super::Delivery::Sent => {}
                Ok(None) if delivery == super::Delivery::Busy && !replace => replace = true,
                Ok(None) => self.fill().await?,
                Err(e) => {
                    if let connection::Error::Protocol(_) = e {
                        self.shared.deliver_all().await;
                    }
                    return Err(e.into());
                }
            }
        }
    }

    /// Reads more from the transport, sending what is queued meanwhile:
    /// while this half waits for input, its answers still go out. The
    /// write side is held only while a flush is under way; the end of
    /// input is the end of the connection.
    async fn fill(&mut self) -> Result<(), Error<R::Error>> {
        let AsyncReadHalf {
            shared,
            transport,
            inbox,
            ..
        } = self;
        let free = inbox.free();
        if free.is_empty() {
            return Err(Error::BufferTooSmall);
        }
        let n = {
            let mut reading = core::pin::pin!(transport.read(free));
            let mut read = None;
            if let Some(mut taken) = shared.try_take() {
                if let Some(side) = taken.side.as_mut() {
                    queue_now(side, &shared.owed);
                    if !side.outbox.transmit().is_empty() {
                        // The flush first: what was owed goes out before
                        // the next bytes come in, whenever it can.
                        let mut flushing = core::pin::pin!(flush(side));
                        read = poll_fn(|cx| {
                            if flushing.as_mut().poll(cx).is_ready() {
                                return Poll::Ready(None);
                            }
                            reading.as_mut().poll(cx).map(Some)
                        })
                        .await;
                    }
                }
            }
            match read {
                Some(result) => result,
                None => reading.await,
            }
            .map_err(Error::Io)?
        };
        if n > 0 {
            self.inbox.commit(n);
            return Ok(());
        }
        let ended =
            self.shared
                .owed
                .try_borrow_mut()
                .map_or(connection::Error::Closed, |mut owed| {
                    let was = core::mem::replace(&mut owed.state, State::Closed);
                    if was == State::Closed {
                        return connection::Error::Closed;
                    }
                    owed.ended = Some(connection::Error::UnexpectedEof);
                    connection::Error::UnexpectedEof
                });
        Err(ended.into())
    }

    async fn wait_for_eof(&mut self) {
        let spare = self.inbox.free();
        for _ in 0..CLOSE_WAIT_READS {
            if !matches!(self.transport.read(spare).await, Ok(1..)) {
                return;
            }
        }
    }
}

/// Text that turned out not to be UTF-8 as it was handed out.
async fn fail<W, E, WB, X>(shared: &AsyncShared<W, E, WB>, error: crate::ProtocolError) -> Error<X>
where
    W: Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    if let Ok(mut owed) = shared.owed.try_borrow_mut() {
        let owed = &mut *owed;
        let e = rules::fail(&mut owed.state, &mut owed.due, error);
        owed.ended = Some(e);
    }
    shared.deliver_all().await;
    Error::Protocol(error)
}
