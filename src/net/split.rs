//! A TCP connection in two halves (see [`split`](crate::split)): the
//! socket and a clone of it, sharing their state in an `Arc`; over TLS,
//! sharing the TLS connection too ([`Stream::try_split`]).

use crate::connection::Buffer;
use std_crate::sync::Arc;

use super::{Error, Stream};
use crate::role::Endpoint;
use crate::split::{ReadHalf, Shared, StdMutex, WriteHalf};
use crate::websocket::WebSocket;

/// What the halves of a TCP connection share.
pub type SharedStream<E, W> = Arc<Shared<StdMutex, Stream, E, W>>;

/// The read half of a TCP connection: [`split`].
pub type Reader<B, E, W = B> = ReadHalf<SharedStream<E, W>, Stream, B, E>;

/// The write half of a TCP connection: [`split`].
pub type Writer<E, W> = WriteHalf<SharedStream<E, W>>;

/// Splits an open TCP connection into a reader and a writer for two
/// threads: the reader reads from a clone of the socket, the writer
/// writes to the socket ([`Stream::try_split`]); what they share is in an
/// `Arc` (the one allocation, and TLS's).
///
/// Over TLS (`wss://`) the halves work the same: the TLS connection sits
/// behind a mutex of its own, which the reader holds only to decrypt what
/// it has read and the writer only to encrypt what it writes, never while
/// either waits for the network; the writer alone writes to the socket. A read blocked on the network
/// never holds up a write, and pongs and close answers go out as soon as
/// the write side is free (see [the `split` module](crate::split)).
///
/// ```no_run
/// use hybi::websocket::Message;
///
/// let (ws, _) = hybi::net::connect("ws://127.0.0.1:9001/")?;
/// let (mut reader, mut writer) = hybi::net::split(ws)?;
/// let printer = std::thread::spawn(move || {
///     while let Ok(message) = reader.read() {
///         println!("{message:?}");
///     }
/// });
/// writer.send_text("hello")?;
/// writer.close(hybi::close::CloseCode::NORMAL, "")?;
/// printer.join().unwrap();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[allow(clippy::type_complexity)]
pub fn split<B, E, W>(
    mut ws: WebSocket<Stream, B, E, W>,
) -> Result<(Reader<B, E, W>, Writer<E, W>), Error>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    if ws.connection().state() == crate::connection::State::Handshake {
        return Err(Error::InvalidState);
    }
    let read = ws.transport_mut().split_off().map_err(Error::Io)?;
    split_with(ws, |write| (read, write))
}

/// Splits an open WebSocket over any `std` transport: `halves` turns the
/// transport into its read half `R` and its write half `S`, and what the
/// halves share goes in an `Arc`. TCP's [`split`] and those of the HTTP/2
/// and HTTP/3 streams differ only in `halves`.
#[allow(clippy::type_complexity)]
pub(crate) fn split_with<T, R, S, B, E, W>(
    ws: WebSocket<T, B, E, W>,
    halves: impl FnOnce(T) -> (R, S),
) -> Result<
    (
        ReadHalf<Arc<Shared<StdMutex, S, E, W>>, R, B, E>,
        WriteHalf<Arc<Shared<StdMutex, S, E, W>>>,
    ),
    Error,
>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    let split = ws.split::<StdMutex, _, _>(halves);
    let (reading, shared) = split.map_err(|_| Error::InvalidState)?;
    Ok(reading.attach(Arc::new(shared)))
}
