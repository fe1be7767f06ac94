//! A connection in two halves: a [`ReadHalf`] that reads messages and a
//! [`WriteHalf`] that writes them, on two threads, two tasks or two
//! interrupt priorities, over a transport that is two halves already (a
//! UART's RX and TX, a socket and its clone), with no heap (RFC 6455
//! sections 5 to 7 as for an unsplit connection).
//!
//! # How the halves work together
//!
//! Reading obliges this end to send: a pong for each ping, the answer to
//! the peer's close, the close for a protocol error. The read half owns
//! the read transport and the read buffer; the write transport and the
//! write buffer sit in [`Shared`], behind a lock of the caller's choosing
//! ([`Mutex`]: [`LocalCell`], [`StdMutex`] with `std`, or the caller's
//! own):
//!
//! - The write half holds the write side's lock while it writes. The read
//!   half never waits for it: when a ping or a close arrives it *tries*
//!   the lock and, if the write side is free, sends the answer itself at
//!   once; if not, it leaves the answer in [`Owed`] (behind its own lock,
//!   held only to copy a few bytes) and the write half sends it before it
//!   lets go of the write side, between two frames. Whoever lets go of
//!   the write side looks at what is owed once more, so no answer waits
//!   for the next write.
//! - A read blocked on the network holds no lock, so it never blocks a
//!   write; a write blocked on the network holds only the write side.
//! - The connection's state is shared: a close sent by the write half
//!   ends the read half when the peer's answer arrives; a close from the
//!   peer, or a protocol error, is answered and ends the write half, whose
//!   next call returns [`Error::Closed`], or the read side's error
//!   ([`Error::Protocol`], [`Error::UnexpectedEof`]) when that ended it.
//!
//! Holding only borrowed buffers and a borrowed (or `Arc`) [`Shared`], the
//! halves allocate nothing. With `std`, [`net::split`]
//! splits a TCP connection in one call.
//!
//! Both halves in one thread (a main loop, or two tasks of one
//! executor), sharing a [`LocalCell`]; with threads, the same with
//! [`StdMutex`] (see [`net::split`]):
//!
//! ```
//! use hybi::split::LocalCell;
//! use hybi::websocket::{Config, Message, WebSocket};
//! # use embedded_io::{ErrorType, Read, Write};
//! # struct Rx<'a>(&'a [u8]);
//! # impl ErrorType for Rx<'_> { type Error = core::convert::Infallible; }
//! # impl Read for Rx<'_> {
//! #     fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> { self.0.read(buf) }
//! # }
//! # struct Tx;
//! # impl ErrorType for Tx { type Error = core::convert::Infallible; }
//! # impl Write for Tx {
//! #     fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> { Ok(buf.len()) }
//! #     fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) }
//! # }
//! # struct Uart<'a>(Rx<'a>, Tx);
//! # impl ErrorType for Uart<'_> { type Error = core::convert::Infallible; }
//! # impl Read for Uart<'_> { fn read(&mut self, b: &mut [u8]) -> Result<usize, Self::Error> { self.0.read(b) } }
//! # impl Write for Uart<'_> {
//! #     fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> { self.1.write(b) }
//! #     fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) }
//! # }
//! // A client's masked "hi", then its close.
//! let input = [0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b, 0x88, 0x82, 1, 2, 3, 4, 0x02, 0xea];
//! let uart = Uart(Rx(&input), Tx);
//! let (mut rx, mut tx) = ([0u8; 1024], [0u8; 1024]);
//! let ws = WebSocket::from_upgraded(uart, &mut rx[..], &mut tx[..], hybi::Server, Config::new(), &[])?;
//! // The transport's two halves; where the halves meet, on this stack.
//! let (reading, shared) = ws.split::<LocalCell, _, _>(|Uart(rx, tx)| (rx, tx))?;
//! let (mut reader, mut writer) = reading.attach(&shared);
//! writer.send_text("from the writer").unwrap();
//! assert_eq!(reader.read().unwrap(), Message::Text("hi"));
//! assert!(matches!(reader.read().unwrap(), Message::Close(_)));
//! # Ok::<(), hybi::websocket::Error<core::convert::Infallible>>(())
//! ```
//!
// `StdMutex` and `net` come with `std`; without, the links go to the
// crate's list of features.
#![cfg_attr(feature = "std", doc = "[`net::split`]: crate::net::split")]
#![cfg_attr(not(feature = "std"), doc = "[`net::split`]: crate#features")]
#![cfg_attr(not(feature = "std"), doc = "[`StdMutex`]: crate#features")]

#[cfg(feature = "async")]
mod asynch;
mod lock;
mod owed;
mod read;
mod write;

use crate::connection::Buffer;
use core::marker::PhantomData;
use core::ops::Deref;

#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use asynch::{AsyncReadHalf, AsyncShared, AsyncWriteHalf};
#[cfg(feature = "std")]
pub use lock::StdMutex;
pub use lock::{LocalCell, Mutex};
pub use owed::Owed;
pub use read::ReadHalf;
pub use write::WriteHalf;

use crate::connection::State;
use crate::connection::inbox::Inbox;
use crate::connection::outbox::Outbox;
use crate::connection::rules::Flags;
use crate::role::Endpoint;
use crate::websocket::{Error, WebSocket};

/// The write side: the write transport `W` and the send state (the write
/// buffer `WB`, the endpoint `E`). It lives in [`Shared`].
pub struct WriteSide<W, E, WB> {
    transport: W,
    outbox: Outbox<E, WB>,
}

/// What the halves share: the write side, and the answers owed with the
/// connection's state, each behind a lock of the kind `M`. The caller
/// keeps it where both halves can see it: on the stack for scoped threads
/// or tasks, in a `static` (a `StaticCell`, say), or in an `Arc`.
pub struct Shared<M: Mutex, W, E, WB> {
    write: M::Lock<WriteSide<W, E, WB>>,
    owed: M::Lock<Owed>,
}

impl<M: Mutex, W, E, WB> core::fmt::Debug for Shared<M, W, E, WB> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// The read half before it is attached to the [`Shared`] it goes with:
/// see [`Reading::attach`].
pub struct Reading<R, RB, E> {
    transport: R,
    inbox: Inbox<RB>,
    flags: Flags,
    await_eof: bool,
    endpoint: PhantomData<E>,
}

impl<R, RB, E> core::fmt::Debug for Reading<R, RB, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reading").finish_non_exhaustive()
    }
}

impl<R, RB, E> Reading<R, RB, E> {
    /// The two halves, each holding `shared` (a `&Shared` or an
    /// `Arc<Shared>`): the one [`WebSocket::split`] gave with this.
    pub fn attach<S>(self, shared: S) -> (ReadHalf<S, R, RB, E>, WriteHalf<S>)
    where
        S: Clone,
    {
        let write = WriteHalf::new(shared.clone());
        (ReadHalf::new(self, shared), write)
    }
}

impl<T, RB, E, WB> WebSocket<T, RB, E, WB>
where
    RB: Buffer,
    WB: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    /// Splits an open connection into the read half, to attach
    /// ([`Reading::attach`]) to the [`Shared`] returned with it once that
    /// is where both halves can reach it. `halves` turns the transport into
    /// its read half and its write half (a UART's RX and TX; with `std`, a
    /// socket and its `try_clone`). `M` is the kind of lock the halves
    /// share ([`LocalCell`], [`StdMutex`]).
    ///
    /// [`Error::InvalidState`] before the opening handshake.
    ///
    #[cfg_attr(not(feature = "std"), doc = "[`StdMutex`]: crate#features")]
    #[allow(clippy::type_complexity)]
    pub fn split<M, R, W>(
        self,
        halves: impl FnOnce(T) -> (R, W),
    ) -> Result<(Reading<R, RB, E>, Shared<M, W, E, WB>), Error<core::convert::Infallible>>
    where
        M: Mutex,
    {
        let (transport, conn) = self.into_connection();
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
        let shared = Shared {
            write: M::new(WriteSide {
                transport: write,
                outbox,
            }),
            owed: M::new(Owed::new(state)),
        };
        Ok((reading, shared))
    }
}

/// What [`deliver`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Nothing was owed.
    Nothing,
    /// What was owed went out.
    Sent,
    /// The write half holds the write side: it sends what is owed.
    Busy,
}

/// Sends what the read half owes if the write side is free; its holder
/// sends it otherwise. Transport errors are left to the write half, which
/// meets them on its next call; what could not be sent stays owed.
fn deliver<S, M, W, E, WB>(shared: &S) -> Delivery
where
    S: Deref<Target = Shared<M, W, E, WB>>,
    M: Mutex,
    W: embedded_io::Write,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    let mut delivery = Delivery::Nothing;
    // Twice: once more for an answer owed while the first went out.
    for _ in 0..2 {
        let due = M::lock(&shared.owed, |owed| owed.is_due()).unwrap_or(false);
        if !due {
            break;
        }
        match M::try_lock(&shared.write, |side| side.send_owed::<M>(&shared.owed)) {
            Some(Ok(())) => delivery = Delivery::Sent,
            None => return Delivery::Busy,
            // The write half hears of it.
            Some(Err(_)) => break,
        }
    }
    delivery
}
