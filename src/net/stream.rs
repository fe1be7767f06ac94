//! The TCP transport of [`connect`](super::connect) and
//! [`accept`](super::accept): a `TcpStream` with timeouts and a deadline,
//! and with feature `tls`, TLS over it.

use core::time::Duration;

use std_crate::io::{self, Read as _, Write as _};
use std_crate::net::{Shutdown, SocketAddr, TcpStream};
use std_crate::time::Instant;

/// A `TcpStream` as an [`embedded_io`](https://docs.rs/embedded-io/0.7/embedded_io/) transport, with read and write
/// timeouts and an optional deadline for the opening handshake.
///
/// A read timeout bounds each read; a deadline bounds all reads until it is
/// cleared, so a peer that trickles its handshake one byte at a time is cut
/// off when the deadline passes, not only when it stops. Expired timeouts
/// and deadlines are reported as [`io::ErrorKind::TimedOut`] on every
/// platform (Unix reports a socket timeout as `WouldBlock`); see
/// [`is_timeout`](super::is_timeout). Calls interrupted by a signal are
/// retried.
///
/// Set timeouts through this type, not on the socket from
/// [`Stream::get_mut`]: the deadline overrides the socket's read timeout.
///
/// With feature `tls`, a stream made by [`connect`](super::connect) for a
/// `wss://` URL or by [`accept_tls`](super::accept_tls) carries TLS: it
/// reads and writes plaintext, and the socket underneath carries the TLS
/// records ([`Stream::is_tls`]). The timeouts and the deadline work as
/// without. Such a stream cannot be cloned; [`Stream::try_split`] makes
/// halves that share its TLS state.
#[derive(Debug)]
pub struct Stream {
    inner: TcpStream,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    deadline: Option<Instant>,
    #[cfg(feature = "tls")]
    tls: Option<super::tls::Layer>,
}

impl Stream {
    /// Wraps a connected socket, taking its current timeouts.
    pub fn new(inner: TcpStream) -> Self {
        let read_timeout = inner.read_timeout().ok().flatten();
        let write_timeout = inner.write_timeout().ok().flatten();
        Stream {
            inner,
            read_timeout,
            write_timeout,
            deadline: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// Whether the stream carries TLS.
    pub fn is_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.tls.is_some();
        #[cfg(not(feature = "tls"))]
        false
    }

    /// The socket.
    pub fn get_ref(&self) -> &TcpStream {
        &self.inner
    }

    /// The socket. Reading or writing it directly corrupts a WebSocket
    /// stream running over it (and the TLS records of a TLS stream).
    pub fn get_mut(&mut self) -> &mut TcpStream {
        &mut self.inner
    }

    /// A second handle to the same socket, with the same timeouts (they
    /// are the socket's) and no deadline.
    ///
    /// A TLS stream cannot be cloned ([`io::ErrorKind::Unsupported`]):
    /// its state moves with every record. Use [`Stream::try_split`].
    pub fn try_clone(&self) -> io::Result<Stream> {
        if self.is_tls() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a TLS stream cannot be cloned: split it with Stream::try_split",
            ));
        }
        Ok(Stream {
            inner: self.inner.try_clone()?,
            read_timeout: self.read_timeout,
            write_timeout: self.write_timeout,
            deadline: None,
            #[cfg(feature = "tls")]
            tls: None,
        })
    }

    /// The stream in a read half and a write half, for two threads: the
    /// read half of a split connection ([`split`](super::split)), and the
    /// write half. Both keep the timeouts; the deadline is cleared.
    ///
    /// Over plain TCP each half is a handle to the socket
    /// ([`TcpStream::try_clone`]). Over TLS the two share the TLS
    /// connection behind a mutex, held only while records are encrypted
    /// or decrypted, never while waiting for the network: the read half
    /// reads ciphertext from its handle with no lock held, then decrypts it
    /// under the lock; the write half encrypts under the lock into a buffer
    /// of its own and writes that with no lock held. Only the write half
    /// writes to the socket, so records go out in the order they were
    /// sealed; what the read half's records call for (a TLS 1.3 key
    /// update's answer) goes out with the next write. Reading from the
    /// write half or writing to the read half fails with
    /// [`io::ErrorKind::Unsupported`].
    pub fn try_split(mut self) -> io::Result<(Stream, Stream)> {
        let read = self.split_off()?;
        Ok((read, self))
    }

    /// Makes this stream the write half and returns the read half.
    pub(super) fn split_off(&mut self) -> io::Result<Stream> {
        #[cfg_attr(not(feature = "tls"), allow(unused_mut))]
        let mut read = Stream {
            inner: self.inner.try_clone()?,
            read_timeout: self.read_timeout,
            write_timeout: self.write_timeout,
            deadline: None,
            #[cfg(feature = "tls")]
            tls: None,
        };
        #[cfg(feature = "tls")]
        if let Some(layer) = self.tls.take() {
            match layer.split() {
                Ok((read_layer, write_layer)) => {
                    read.tls = Some(read_layer);
                    self.tls = Some(write_layer);
                }
                Err((layer, e)) => {
                    self.tls = Some(layer);
                    return Err(e);
                }
            }
        }
        self.set_deadline(None)?;
        Ok(read)
    }

    /// The socket. A TLS stream's TLS state goes with the rest (after a
    /// close_notify, if the handshake was over).
    pub fn into_inner(self) -> TcpStream {
        self.inner
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Shuts the socket down, e.g. from a watchdog holding a
    /// [`TcpStream::try_clone`] of it, to end a blocked read.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// Bounds each read (`None`: wait forever). A zero duration is
    /// refused by the OS ([`io::ErrorKind::InvalidInput`]).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.set_read_timeout(timeout)?;
        self.read_timeout = timeout;
        Ok(())
    }

    /// Bounds each write (`None`: wait forever).
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.set_write_timeout(timeout)?;
        self.write_timeout = timeout;
        Ok(())
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write_timeout
    }

    /// Makes every read fail with [`io::ErrorKind::TimedOut`] once
    /// `deadline` has passed, however the bytes trickle in (`None`: no
    /// deadline). Reads before it wait at most until it.
    pub fn set_deadline(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        self.deadline = deadline;
        if deadline.is_none() {
            // Put back the timeout the deadline overrode.
            self.inner.set_read_timeout(self.read_timeout)?;
        }
        Ok(())
    }

    /// The deadline.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Before a read under a deadline: how long the read may wait.
    fn arm_deadline(&mut self) -> io::Result<()> {
        let Some(deadline) = self.deadline else {
            return Ok(());
        };
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(timed_out)?;
        let wait = self.read_timeout.map_or(left, |t| t.min(left));
        self.inner.set_read_timeout(Some(wait))
    }
}

fn timed_out() -> io::Error {
    io::ErrorKind::TimedOut.into()
}

/// A socket timeout as `TimedOut` on every platform.
fn timeout_kind(e: io::Error, timeout_set: bool) -> io::Error {
    if timeout_set && e.kind() == io::ErrorKind::WouldBlock {
        timed_out()
    } else {
        e
    }
}

impl From<TcpStream> for Stream {
    fn from(inner: TcpStream) -> Self {
        Stream::new(inner)
    }
}

impl embedded_io::ErrorType for Stream {
    type Error = io::Error;
}

impl Stream {
    /// Runs a TLS handshake as `layer` over this socket, under the
    /// deadline; the stream carries TLS from then on.
    #[cfg(feature = "tls")]
    pub(super) fn start_tls(&mut self, mut layer: super::tls::Layer) -> io::Result<()> {
        layer.handshake(self)?;
        self.tls = Some(layer);
        Ok(())
    }

    /// Carries TLS through `layer`, whose handshake is done.
    #[cfg(feature = "http2")]
    pub(super) fn adopt_tls(&mut self, layer: super::tls::Layer) {
        self.tls = Some(layer);
    }

    /// Reads from the socket, under the timeouts and the deadline.
    fn raw_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            self.arm_deadline()?;
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let timeout_set = self.read_timeout.is_some() || self.deadline.is_some();
                    return Err(timeout_kind(e, timeout_set));
                }
                Ok(n) => return Ok(n),
            }
        }
    }

    /// Writes to the socket, under the write timeout.
    fn raw_write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.inner.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(timeout_kind(e, self.write_timeout.is_some())),
                Ok(n) => return Ok(n),
            }
        }
    }
}

#[cfg(feature = "tls")]
impl super::tls::Raw for Stream {
    fn raw_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Stream::raw_read(self, buf)
    }

    fn raw_write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Stream::raw_write(self, buf)
    }

    fn peek_first(&mut self) -> io::Result<Option<u8>> {
        let mut first = [0u8; 1];
        loop {
            self.arm_deadline()?;
            match self.inner.peek(&mut first) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let timeout_set = self.read_timeout.is_some() || self.deadline.is_some();
                    return Err(timeout_kind(e, timeout_set));
                }
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(first[0])),
            }
        }
    }

    fn shutdown_write(&mut self) {
        let _ = self.inner.shutdown(Shutdown::Write);
    }
}

impl embedded_io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
        #[cfg(feature = "tls")]
        if let Some(mut layer) = self.tls.take() {
            let result = layer.read(self, buf);
            self.tls = Some(layer);
            return result;
        }
        self.raw_read(buf)
    }
}

impl embedded_io::Write for Stream {
    fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        #[cfg(feature = "tls")]
        if let Some(mut layer) = self.tls.take() {
            let result = layer.write(self, buf);
            self.tls = Some(layer);
            return result;
        }
        self.raw_write(buf)
    }

    fn flush(&mut self) -> Result<(), io::Error> {
        #[cfg(feature = "tls")]
        if let Some(mut layer) = self.tls.take() {
            let result = layer.flush(self);
            self.tls = Some(layer);
            return result;
        }
        // A TcpStream has no buffer of its own.
        Ok(())
    }
}
