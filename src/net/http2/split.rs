//! A WebSocket over an HTTP/2 stream in two halves, for two threads.

use std_crate::sync::Arc;

use super::Stream;
use super::stream::{RecvHalf, SendHalf};
use crate::connection::Buffer;
use crate::role::Endpoint;
use crate::split::{ReadHalf, Shared, StdMutex, WriteHalf};
use crate::websocket::{Error, WebSocket};

/// What the halves of a WebSocket over HTTP/2 share.
pub type SharedStream<E, W> = Arc<Shared<StdMutex, SendHalf, E, W>>;

/// The read half: [`split`].
pub type Reader<B, E, W = B> = ReadHalf<SharedStream<E, W>, RecvHalf, B, E>;

/// The write half: [`split`].
pub type Writer<E, W> = WriteHalf<SharedStream<E, W>>;

/// Splits an open WebSocket over an HTTP/2 stream into a reader and a
/// writer for two threads, as [`net::split`](crate::net::split) splits
/// one over TCP: the reader takes the stream's incoming DATA, the writer
/// its outgoing DATA; a read waiting for data never holds up a write.
#[allow(clippy::type_complexity)]
pub fn split<B, E, W>(
    ws: WebSocket<Stream, B, E, W>,
) -> Result<(Reader<B, E, W>, Writer<E, W>), Error<std_crate::io::Error>>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    crate::net::split::split_with(ws, Stream::into_halves)
}
