//! One HTTP/3 request stream as a blocking `embedded-io` transport: the
//! payload of its DATA frames in, DATA frames out (RFC 9220 section 3,
//! "as if it were the TCP connection").

use core::time::Duration;
use std_crate::io;
use std_crate::string::String;
use std_crate::sync::Arc;
use std_crate::vec::Vec;

use bytes::{Buf, Bytes, BytesMut};
use quinn::{ConnectionError, ReadError, RecvStream, SendStream, VarInt, WriteError};

use super::frame::{self, OnRequest};
use crate::net::runtime::{block_on, handle};

/// One HTTP/3 request stream carrying a WebSocket, as an [`embedded_io`]
/// `Read + Write` transport for [`WebSocket`](crate::websocket::WebSocket).
///
/// - **Read** waits for the payload of the next DATA frame and hands it
///   out, skipping frames of unknown types (RFC 9114 section 9) and
///   trailers. QUIC's flow control gives the window back as bytes are
///   read. The stream's end (a QUIC FIN) reads as the end of input, as a
///   TCP connection's FIN does; a reset (RESET_STREAM), or the QUIC
///   connection's loss (closed by the peer with any error code, an idle
///   timeout), is an error of kind
///   [`ConnectionReset`](io::ErrorKind::ConnectionReset), as a reset TCP
///   connection's is; a frame that HTTP/3 forbids on a request stream
///   closes the connection (H3_FRAME_UNEXPECTED) and is `InvalidData`.
/// - **Write** sends a DATA frame, waiting for QUIC's flow control.
/// - **Drop** ends the stream (FIN), RFC 9220's orderly close, and reads
///   on in the background, for up to [`LINGER`], until the peer ends its
///   side too; a peer that does not is asked to stop (STOP_SENDING with
///   H3_REQUEST_CANCELLED).
///
/// Each read and write blocks the calling thread on the runtime shared
/// with `http2`, whose thread does the UDP I/O.
pub struct Stream {
    recv: RecvHalf,
    send: SendHalf,
}

/// How long a dropped stream waits, reading and discarding, for the peer's
/// FIN before it stops reading.
pub const LINGER: Duration = Duration::from_secs(10);

/// The largest DATA frame a write sends: a larger write sends this much
/// and returns, as a short write may.
const MAX_DATA_FRAME: usize = 1 << 18;

/// Closes a client's QUIC connection when the session and the last stream
/// opened on it are dropped, and keeps its control stream open until then
/// (closing that stream would be a connection error,
/// H3_CLOSED_CRITICAL_STREAM, RFC 9114 section 6.2.1).
pub(super) struct Closer {
    pub(super) connection: quinn::Connection,
    pub(super) _control: SendStream,
}

impl Drop for Closer {
    fn drop(&mut self) {
        self.connection
            .close(VarInt::from_u32(frame::H3_NO_ERROR), b"");
    }
}

/// The read half of a [`Stream`]: the stream's incoming DATA. Dropping it
/// lingers as [`Stream`]'s drop does.
pub struct RecvHalf {
    /// Always `Some` but in `drop`, which hands it to the runtime.
    reader: Option<FrameReader>,
    timeout: Option<Duration>,
    closer: Option<Arc<Closer>>,
    /// [`Stream::reset`] was called: reads fail.
    reset: bool,
}

/// The write half of a [`Stream`]: its outgoing DATA. Dropping it ends
/// the stream (FIN).
pub struct SendHalf {
    send: SendStream,
    timeout: Option<Duration>,
    /// A write cut off by its timeout left part of a DATA frame: the
    /// stream was reset, and later writes fail.
    broken: bool,
    _closer: Option<Arc<Closer>>,
}

impl core::fmt::Debug for Stream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http3::Stream")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

impl core::fmt::Debug for RecvHalf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http3::RecvHalf").finish_non_exhaustive()
    }
}

impl core::fmt::Debug for SendHalf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http3::SendHalf")
            .field("id", &self.send.id().index())
            .finish_non_exhaustive()
    }
}

impl Stream {
    pub(super) fn new(send: SendStream, reader: FrameReader, closer: Option<Arc<Closer>>) -> Self {
        Stream {
            recv: RecvHalf {
                reader: Some(reader),
                timeout: None,
                closer: closer.clone(),
                reset: false,
            },
            send: SendHalf {
                send,
                timeout: None,
                broken: false,
                _closer: closer,
            },
        }
    }

    /// The QUIC stream identifier (RFC 9000 section 2.1).
    pub fn id(&self) -> u64 {
        VarInt::from(self.send.send.id()).into_inner()
    }

    /// Bounds each read (`None`: wait forever); a read that times out
    /// fails with [`TimedOut`](io::ErrorKind::TimedOut) and can be retried.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.recv.timeout = timeout;
    }

    /// Bounds each write's wait for flow control. A write that times out
    /// fails with [`TimedOut`](io::ErrorKind::TimedOut) and resets the
    /// stream, since part of a DATA frame may have gone.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.send.timeout = timeout;
    }

    /// Resets the stream both ways with H3_REQUEST_CANCELLED (RFC 9220
    /// section 3: how a WebSocket over HTTP/3 ends abnormally), as a TCP
    /// connection is reset. Reads and writes after it fail with
    /// `NotConnected`.
    pub fn reset(&mut self) {
        let code = VarInt::from_u32(frame::H3_REQUEST_CANCELLED);
        let _ = self.send.send.reset(code);
        self.send.broken = true;
        self.recv.reset = true;
        if let Some(reader) = self.recv.reader.as_mut() {
            let _ = reader.recv.stop(code);
        }
    }

    /// The read half and the write half, for two threads
    /// ([`split`](super::split)).
    pub fn into_halves(self) -> (RecvHalf, SendHalf) {
        (self.recv, self.send)
    }
}

/// What ended a read on a request stream.
#[derive(Debug)]
pub(super) enum ReadFail {
    /// QUIC's: a reset, the connection's loss.
    Quic(ReadError),
    /// HTTP/3's: the connection was closed with this error code.
    Protocol(u32),
}

impl From<ReadError> for ReadFail {
    fn from(e: ReadError) -> Self {
        ReadFail::Quic(e)
    }
}

impl ReadFail {
    pub(super) fn into_io(self) -> io::Error {
        match self {
            ReadFail::Quic(e) => read_error(e),
            ReadFail::Protocol(code) => io::Error::new(
                io::ErrorKind::InvalidData,
                String::from("HTTP/3 protocol error: ") + &code_name(code.into()),
            ),
        }
    }
}

/// An error code as its name, or in hex.
pub(super) fn code_name(code: u64) -> String {
    match frame::error_name(code) {
        Some(name) => name.into(),
        None => std_crate::format!("{code:#x}"),
    }
}

/// A lost connection as the I/O error a TCP socket gives when its
/// connection is lost: `ConnectionReset`, whatever the reason (a
/// CONNECTION_CLOSE with an error code, an idle timeout, a stateless
/// reset), which the message names; `ConnectionAborted` when this side
/// closed it.
pub(super) fn connection_error(e: ConnectionError) -> io::Error {
    let kind = match e {
        ConnectionError::LocallyClosed => io::ErrorKind::ConnectionAborted,
        _ => io::ErrorKind::ConnectionReset,
    };
    let message = match &e {
        ConnectionError::ApplicationClosed(close) => std_crate::format!(
            "QUIC connection closed by peer: {}{}",
            code_name(close.error_code.into_inner()),
            if close.reason.is_empty() {
                String::new()
            } else {
                std_crate::format!(" ({})", String::from_utf8_lossy(&close.reason))
            }
        ),
        ConnectionError::TimedOut => "QUIC connection timed out (idle timeout)".into(),
        other => std_crate::format!("QUIC connection lost: {other}"),
    };
    io::Error::new(kind, message)
}

/// A read's failure as the I/O error a TCP socket would give.
pub(super) fn read_error(e: ReadError) -> io::Error {
    match e {
        ReadError::Reset(code) => io::Error::new(
            io::ErrorKind::ConnectionReset,
            String::from("HTTP/3 stream reset by peer: ") + &code_name(code.into_inner()),
        ),
        ReadError::ConnectionLost(e) => connection_error(e),
        ReadError::ClosedStream => io::ErrorKind::NotConnected.into(),
        other => io::Error::new(io::ErrorKind::ConnectionReset, other),
    }
}

/// A write's failure as the I/O error a TCP socket would give.
pub(super) fn write_error(e: WriteError) -> io::Error {
    match e {
        WriteError::Stopped(code) => io::Error::new(
            io::ErrorKind::ConnectionReset,
            String::from("HTTP/3 stream stopped by peer: ") + &code_name(code.into_inner()),
        ),
        WriteError::ConnectionLost(e) => connection_error(e),
        WriteError::ClosedStream => io::ErrorKind::NotConnected.into(),
        other => io::Error::new(io::ErrorKind::ConnectionReset, other),
    }
}

/// The frames of a request stream, read as they come: frame headers,
/// whole HEADERS payloads, DATA payloads. Its state is kept between
/// calls, so a read cut off by a timeout loses nothing.
pub(super) struct FrameReader {
    pub(super) recv: RecvStream,
    connection: quinn::Connection,
    /// What was received and not taken yet.
    pending: Bytes,
    /// What is left of the current DATA frame's payload.
    data_left: u64,
    /// What is left of a frame being skipped.
    skip_left: u64,
}

impl FrameReader {
    pub(super) fn new(recv: RecvStream, connection: quinn::Connection) -> Self {
        FrameReader {
            recv,
            connection,
            pending: Bytes::new(),
            data_left: 0,
            skip_left: 0,
        }
    }

    /// Closes the connection with `code`, an HTTP/3 connection error.
    pub(super) fn fail(&self, code: u32) -> ReadFail {
        self.connection.close(VarInt::from_u32(code), b"");
        ReadFail::Protocol(code)
    }

    /// Receives until `pending` holds `n` bytes; false when the stream
    /// ends first.
    async fn want(&mut self, n: usize) -> Result<bool, ReadError> {
        while self.pending.len() < n {
            // With nothing pending, whatever has come (the DATA after a
            // frame header, say); else just what is missing, to keep the
            // copy that joins them small.
            let max = if self.pending.is_empty() {
                usize::MAX
            } else {
                n - self.pending.len()
            };
            let Some(chunk) = self.recv.read_chunk(max, true).await? else {
                return Ok(false);
            };
            if self.pending.is_empty() {
                self.pending = chunk.bytes;
            } else {
                let mut joined = BytesMut::with_capacity(self.pending.len() + chunk.bytes.len());
                joined.extend_from_slice(&self.pending);
                joined.extend_from_slice(&chunk.bytes);
                self.pending = joined.freeze();
            }
        }
        Ok(true)
    }

    /// The next frame's type and length; `None` when the stream ends
    /// cleanly between frames. A stream that ends within a frame's header
    /// is a connection error, H3_FRAME_ERROR (RFC 9114 section 7.1).
    pub(super) async fn frame_header(&mut self) -> Result<Option<(u64, u64)>, ReadFail> {
        loop {
            if let Some((kind, len, n)) = frame::frame_header(&self.pending) {
                self.pending.advance(n);
                return Ok(Some((kind, len)));
            }
            // A header is at most 16 bytes: one more byte at a time.
            if !self.want(self.pending.len() + 1).await? {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                return Err(self.fail(frame::H3_FRAME_ERROR));
            }
        }
    }

    /// A whole payload of `len` bytes (a HEADERS frame's).
    pub(super) async fn payload(&mut self, len: usize) -> Result<Bytes, ReadFail> {
        if !self.want(len).await? {
            return Err(self.fail(frame::H3_FRAME_ERROR));
        }
        Ok(self.pending.split_to(len))
    }

    /// A unidirectional stream's type (RFC 9114 section 6.2); `None` when
    /// the stream ends before it.
    pub(super) async fn stream_type(&mut self) -> Result<Option<u64>, ReadError> {
        loop {
            if let Some((kind, n)) = frame::varint(&self.pending) {
                self.pending.advance(n);
                return Ok(Some(kind));
            }
            if !self.want(self.pending.len() + 1).await? {
                return Ok(None);
            }
        }
    }

    /// Reads and drops a frame's payload of `len` bytes.
    pub(super) async fn discard(&mut self, mut len: u64) -> Result<(), ReadFail> {
        while len > 0 {
            if self.pending.is_empty() && !self.want(1).await? {
                return Err(self.fail(frame::H3_FRAME_ERROR));
            }
            let n = self.pending.len().min(clamp(len));
            self.pending.advance(n);
            len -= n as u64;
        }
        Ok(())
    }

    /// Starts skipping a frame's payload of `len` bytes.
    pub(super) fn skip(&mut self, len: u64) {
        self.skip_left = len;
    }

    /// Reads DATA payload into `buf`: at least one byte, or 0 at the end
    /// of the stream.
    pub(super) async fn read_data(&mut self, buf: &mut [u8]) -> Result<usize, ReadFail> {
        loop {
            if self.skip_left > 0 {
                if self.pending.is_empty() {
                    let max = usize::try_from(self.skip_left).unwrap_or(usize::MAX);
                    match self.recv.read_chunk(max, true).await? {
                        Some(chunk) => self.pending = chunk.bytes,
                        None => return Err(self.fail(frame::H3_FRAME_ERROR)),
                    }
                }
                let n = self.pending.len().min(clamp(self.skip_left));
                self.pending.advance(n);
                self.skip_left -= n as u64;
                continue;
            }
            if self.data_left > 0 {
                let want = buf.len().min(clamp(self.data_left));
                let n = if self.pending.is_empty() {
                    let dest = buf.get_mut(..want).unwrap_or_default();
                    match self.recv.read(dest).await? {
                        Some(n) => n,
                        None => return Err(self.fail(frame::H3_FRAME_ERROR)),
                    }
                } else {
                    let n = want.min(self.pending.len());
                    let (dest, src) = (buf.get_mut(..n), self.pending.get(..n));
                    if let (Some(dest), Some(src)) = (dest, src) {
                        dest.copy_from_slice(src);
                    }
                    self.pending.advance(n);
                    n
                };
                self.data_left -= n as u64;
                return Ok(n);
            }
            let Some((kind, len)) = self.frame_header().await? else {
                return Ok(0);
            };
            match frame::on_request(kind) {
                OnRequest::Data => self.data_left = len,
                // Trailers, and frames of unknown types: skipped.
                OnRequest::Headers | OnRequest::Skip => self.skip(len),
                OnRequest::Unexpected => return Err(self.fail(frame::H3_FRAME_UNEXPECTED)),
            }
        }
    }
}

/// A frame length as a count of bytes to take now.
fn clamp(len: u64) -> usize {
    usize::try_from(len).unwrap_or(usize::MAX)
}

crate::net::duplex::duplex_io!(Stream, RecvHalf, SendHalf);

impl embedded_io::Read for RecvHalf {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.reset {
            return Err(io::ErrorKind::NotConnected.into());
        }
        let Some(reader) = self.reader.as_mut() else {
            return Ok(0);
        };
        if buf.is_empty() {
            return Ok(0);
        }
        block_on(self.timeout, reader.read_data(buf))?.map_err(ReadFail::into_io)
    }
}

impl embedded_io::Write for SendHalf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.broken {
            return Err(io::ErrorKind::NotConnected.into());
        }
        let n = buf.len().min(MAX_DATA_FRAME);
        let mut frame = Vec::with_capacity(n + 9);
        frame::put_frame_header(&mut frame, frame::DATA, n);
        frame.extend_from_slice(buf.get(..n).unwrap_or_default());
        let send = &mut self.send;
        match block_on(self.timeout, send.write_chunk(Bytes::from(frame))) {
            Ok(result) => result.map_err(write_error).map(|()| n),
            Err(timeout) => {
                self.broken = true;
                let _ = self
                    .send
                    .reset(VarInt::from_u32(frame::H3_REQUEST_CANCELLED));
                Err(timeout)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // Written data leaves with the connection's driver.
        Ok(())
    }
}

impl Drop for RecvHalf {
    fn drop(&mut self) {
        let Some(mut reader) = self.reader.take() else {
            return;
        };
        let closer = self.closer.take();
        // Dropping a stream's receiving side before its end asks the peer
        // to stop sending; reading on lets the peer end it in order.
        if let Ok(handle) = handle() {
            handle.spawn(async move {
                let drain = async {
                    let mut scratch = [0u8; 4096];
                    while let Ok(n) = reader.read_data(&mut scratch).await {
                        if n == 0 {
                            break;
                        }
                    }
                };
                if tokio::time::timeout(LINGER, drain).await.is_err() {
                    let _ = reader
                        .recv
                        .stop(VarInt::from_u32(frame::H3_REQUEST_CANCELLED));
                }
                drop(reader);
                drop(closer);
            });
        }
    }
}

impl Drop for SendHalf {
    fn drop(&mut self) {
        let _ = self.send.finish();
    }
}
