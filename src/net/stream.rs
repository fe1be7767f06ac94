//! The TCP transport of [`connect`](super::connect) and
//! [`accept`](super::accept): a `TcpStream` with timeouts and a deadline.

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
#[derive(Debug)]
pub struct Stream {
    inner: TcpStream,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    deadline: Option<Instant>,
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
        }
    }

    /// The socket.
    pub fn get_ref(&self) -> &TcpStream {
        &self.inner
    }

    /// The socket. Reading or writing it directly corrupts a WebSocket
    /// stream running over it.
    pub fn get_mut(&mut self) -> &mut TcpStream {
        &mut self.inner
    }

    /// A second handle to the same socket, with the same timeouts (they
    /// are the socket's) and no deadline: the read half of a split
    /// connection.
    pub fn try_clone(&self) -> io::Result<Stream> {
        Ok(Stream {
            inner: self.inner.try_clone()?,
            read_timeout: self.read_timeout,
            write_timeout: self.write_timeout,
            deadline: None,
        })
    }

    /// The socket.
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

impl embedded_io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
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
}

impl embedded_io::Write for Stream {
    fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        loop {
            match self.inner.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(timeout_kind(e, self.write_timeout.is_some())),
                Ok(n) => return Ok(n),
            }
        }
    }

    fn flush(&mut self) -> Result<(), io::Error> {
        // A TcpStream has no buffer of its own.
        Ok(())
    }
}
