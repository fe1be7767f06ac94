//! The opening handshake over the transport, both roles (RFC 6455 section
//! 4): the connection core's handshake, with the transport read until the
//! head is complete and the answer flushed.

use embedded_io::Write;

use super::write::write_all;
use super::{Error, Input, ServerHandshake, WebSocket};
use crate::connection::DEFAULT_MAX_HEADERS;
use crate::handshake::{HandshakeError, client, server};
use crate::http::{Header, RequestHead};
use crate::role::{Client, Server};
use crate::{RandomSource, Status};

impl<T, B, W> WebSocket<T, B, Server, W>
where
    T: Input + Write,
    B: AsRef<[u8]> + AsMut<[u8]>,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Runs the server handshake: reads the request (waiting for as many
    /// reads as it takes), validates it, and calls `choose` with it to pick
    /// a subprotocol among those offered (`Ok(None)` for none) or refuse it
    /// (`Err`, e.g. for an `Origin` the server does not trust).
    ///
    /// On success the `101` is sent and the connection is open. A request
    /// that breaks section 4.2.1 is answered with its `400`, `426` or (for a
    /// head larger than the read buffer) `431`, and the error is returned.
    /// A plain HTTP request gives [`ServerHandshake::Http`]. Up to
    /// [`DEFAULT_MAX_HEADERS`] header fields: see
    /// [`WebSocket::accept_with_headers`] for more.
    pub fn accept<'p, F>(&mut self, choose: F) -> Result<ServerHandshake<'p>, Error<T::Error>>
    where
        F: FnOnce(&server::Request<'_, '_>) -> Result<Option<&'p str>, HandshakeError>,
    {
        self.accept_with_headers::<DEFAULT_MAX_HEADERS, F>(choose)
    }

    /// [`WebSocket::accept`] with room for `N` header fields.
    pub fn accept_with_headers<'p, const N: usize, F>(
        &mut self,
        choose: F,
    ) -> Result<ServerHandshake<'p>, Error<T::Error>>
    where
        F: FnOnce(&server::Request<'_, '_>) -> Result<Option<&'p str>, HandshakeError>,
    {
        let mut choose = Some(choose);
        loop {
            let result = self
                .conn
                .accept_with_headers::<N, _>(|request| match choose.take() {
                    Some(choose) => choose(request),
                    None => Err(HandshakeError::InvalidArgument),
                });
            match result {
                Ok(Status::Complete(outcome)) => {
                    self.flush()?;
                    return Ok(outcome);
                }
                Ok(Status::Partial(_)) => self.fill()?,
                Err(e) => {
                    // The rejection is queued: send it, but report the
                    // error whatever the transport does.
                    let _ = self.flush();
                    return Err(e.into());
                }
            }
        }
    }

    /// After [`ServerHandshake::Http`], the plain request, parsed again from
    /// the read buffer into `headers`.
    pub fn http_request<'s, 'h>(
        &'s self,
        headers: &'h mut [Header<'s>],
    ) -> Option<RequestHead<'h, 's>> {
        self.conn.http_request(headers)
    }

    /// Writes bytes straight to the transport and flushes: the answer to a
    /// plain HTTP request after [`ServerHandshake::Http`]. Not for an open
    /// WebSocket, whose stream it would corrupt ([`Error::InvalidState`]).
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Error<T::Error>> {
        if self.conn.state() != crate::connection::State::Handshake {
            return Err(Error::InvalidState);
        }
        write_all(&mut self.transport, bytes)?;
        self.transport.flush().map_err(Error::Io)
    }
}

impl<T, B, R, W> WebSocket<T, B, Client<R>, W>
where
    T: Input + Write,
    B: AsRef<[u8]> + AsMut<[u8]>,
    W: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// Runs the client handshake: writes the request with a fresh nonce,
    /// reads the response (waiting for as many reads as it takes) and
    /// validates it. Bytes after the response are kept as the first frames.
    /// Returns the subprotocol the server chose, as one of the strings
    /// offered in `request`.
    pub fn connect<'r>(
        &mut self,
        request: &client::Request<'r>,
    ) -> Result<Option<&'r str>, Error<T::Error>> {
        let key = self.conn.write_request(request)?;
        self.flush()?;
        loop {
            match self.conn.read_response(request, &key)? {
                Status::Complete(protocol) => return Ok(protocol),
                Status::Partial(_) => self.fill()?,
            }
        }
    }
}
