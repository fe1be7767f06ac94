//! One HTTP/2 stream as a blocking `embedded-io` transport: the bytes of
//! its DATA frames in, DATA frames out, flow control respected both ways.

use core::time::Duration;
use std_crate::io;

use bytes::{Buf, Bytes};
use h2::{Reason, RecvStream, SendStream};

use crate::net::runtime::{block_on, handle};

/// One HTTP/2 stream carrying a WebSocket (RFC 8441 section 5: "as if it
/// were the TCP connection"), as an [`embedded_io`] `Read + Write`
/// transport for [`WebSocket`](crate::websocket::WebSocket).
///
/// - **Read** waits for the next DATA frame's bytes and hands them out; the
///   flow-control window is given back as they are taken, so a peer can
///   send no more than one window ahead of what is read. The end of the
///   stream (END_STREAM) reads as the end of input, as a TCP connection's
///   FIN does; a reset (RST_STREAM), or the HTTP/2 connection's loss, is an
///   error of kind [`ConnectionReset`](io::ErrorKind::ConnectionReset) or
///   the socket's own. A WebSocket sees them as it sees a TCP connection
///   that ends without a close handshake.
/// - **Write** waits for send window and queues as much as it allows as
///   DATA; the HTTP/2 connection's task sends it.
/// - **Drop** ends the stream (END_STREAM), RFC 8441's orderly close, and
///   reads on in the background, for up to [`LINGER`], until the peer ends
///   its side too, as a TCP socket's FIN lets the peer finish. A peer that
///   does not is reset (`CANCEL`).
///
/// Each read and write blocks the calling thread on the HTTP/2 runtime
/// ([`http2`](super)), which does the socket I/O.
pub struct Stream {
    recv: RecvHalf,
    send: SendHalf,
}

/// How long a dropped stream waits, reading and discarding, for the peer's
/// END_STREAM before it resets the stream.
pub const LINGER: Duration = Duration::from_secs(10);

/// The read half of a [`Stream`]: the stream's incoming DATA. Dropping it
/// lingers as [`Stream`]'s drop does.
pub struct RecvHalf {
    /// Always `Some` but in `drop`, which hands it to the runtime.
    recv: Option<RecvStream>,
    /// What was received and not read yet.
    pending: Bytes,
    timeout: Option<Duration>,
}

/// The write half of a [`Stream`]: its outgoing DATA. Dropping it ends
/// the stream (END_STREAM).
pub struct SendHalf {
    send: SendStream<Bytes>,
    timeout: Option<Duration>,
}

impl core::fmt::Debug for Stream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http2::Stream")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

impl core::fmt::Debug for RecvHalf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http2::RecvHalf")
            .field("id", &self.stream_id())
            .finish_non_exhaustive()
    }
}

impl core::fmt::Debug for SendHalf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http2::SendHalf")
            .field("id", &self.send.stream_id().as_u32())
            .finish_non_exhaustive()
    }
}

impl Stream {
    pub(super) fn new(send: SendStream<Bytes>, recv: RecvStream) -> Self {
        Stream {
            recv: RecvHalf {
                recv: Some(recv),
                pending: Bytes::new(),
                timeout: None,
            },
            send: SendHalf {
                send,
                timeout: None,
            },
        }
    }

    /// The HTTP/2 stream identifier.
    pub fn id(&self) -> u32 {
        self.send.send.stream_id().as_u32()
    }

    /// Bounds each read (`None`: wait forever); a read that times out
    /// fails with [`TimedOut`](io::ErrorKind::TimedOut) and can be retried.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.recv.timeout = timeout;
    }

    /// Bounds each write's wait for flow-control window.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.send.timeout = timeout;
    }

    /// Resets the stream with `CANCEL` (RFC 8441 section 5: how a
    /// WebSocket over HTTP/2 ends abnormally), as a TCP connection is
    /// reset.
    pub fn reset(&mut self) {
        self.send.send.send_reset(Reason::CANCEL);
    }

    /// The read half and the write half, for two threads
    /// ([`split`](super::split)).
    pub fn into_halves(self) -> (RecvHalf, SendHalf) {
        (self.recv, self.send)
    }
}

/// An h2 error as the I/O error a TCP socket would give: the socket's own
/// when the connection failed, `ConnectionReset` for a reset stream.
pub(super) fn io_error(e: h2::Error) -> io::Error {
    if e.is_io() {
        return e
            .into_io()
            .unwrap_or_else(|| io::ErrorKind::ConnectionReset.into());
    }
    io::Error::new(io::ErrorKind::ConnectionReset, e)
}

crate::net::duplex::duplex_io!(Stream, RecvHalf, SendHalf);

impl RecvHalf {
    fn stream_id(&self) -> Option<u32> {
        self.recv.as_ref().map(|r| r.stream_id().as_u32())
    }

    fn fill(&mut self) -> io::Result<bool> {
        while self.pending.is_empty() {
            let Some(recv) = self.recv.as_mut() else {
                return Ok(false);
            };
            let next = block_on(self.timeout, core::future::poll_fn(|cx| recv.poll_data(cx)))?;
            match next {
                None => return Ok(false),
                Some(Err(e)) => return Err(io_error(e)),
                Some(Ok(data)) => {
                    // The window back as the bytes are taken: at most one
                    // frame waits here beyond it.
                    let _ = recv.flow_control().release_capacity(data.len());
                    self.pending = data;
                }
            }
        }
        Ok(true)
    }
}

impl embedded_io::Read for RecvHalf {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.pending.len());
        let (dest, src) = (buf.get_mut(..n), self.pending.get(..n));
        if let (Some(dest), Some(src)) = (dest, src) {
            dest.copy_from_slice(src);
        }
        self.pending.advance(n);
        Ok(n)
    }
}

impl embedded_io::Write for SendHalf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let capacity = self.send.capacity();
            if capacity > 0 {
                let n = capacity.min(buf.len());
                let data = Bytes::copy_from_slice(buf.get(..n).unwrap_or_default());
                self.send.send_data(data, false).map_err(io_error)?;
                return Ok(n);
            }
            self.send.reserve_capacity(buf.len());
            let send = &mut self.send;
            let granted = block_on(
                self.timeout,
                core::future::poll_fn(|cx| send.poll_capacity(cx)),
            )?;
            match granted {
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(io_error(e)),
                None => return Err(io::ErrorKind::ConnectionReset.into()),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // Queued DATA leaves with the connection's task.
        Ok(())
    }
}

impl Drop for RecvHalf {
    fn drop(&mut self) {
        let Some(mut recv) = self.recv.take() else {
            return;
        };
        if recv.is_end_stream() {
            return;
        }
        // h2 resets a stream whose receiving side is dropped before the
        // peer's END_STREAM; reading on lets the peer end it in order.
        if let Ok(handle) = handle() {
            handle.spawn(async move {
                let drain = async {
                    while let Some(Ok(data)) = recv.data().await {
                        let _ = recv.flow_control().release_capacity(data.len());
                    }
                };
                let _ = tokio::time::timeout(LINGER, drain).await;
            });
        }
    }
}

impl Drop for SendHalf {
    fn drop(&mut self) {
        let _ = self.send.send_data(Bytes::new(), true);
    }
}
