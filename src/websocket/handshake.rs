//! The opening handshake over the transport, both roles (RFC 6455 section
//! 4): the connection core's handshake, with the transport read until the
//! head is complete and the answer flushed.

use crate::connection::Buffer;
use embedded_io::Write;

use super::write::write_all;
use super::{Error, Input, ServerHandshake, WebSocket};
use crate::connection::DEFAULT_MAX_HEADERS;
use crate::handshake::client;
use crate::handshake::server::{self, Response};
use crate::http::{Header, RequestHead};
use crate::role::{Client, Server};
use crate::{RandomSource, Status};

impl<T, B, W> WebSocket<T, B, Server, W>
where
    T: Input + Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Runs the server handshake: reads the request (waiting for as many
    /// reads as it takes), validates it, and calls `choose` with it to
    /// answer it: [`Response::accept`], with a subprotocol among those
    /// offered (which may be borrowed from the request) and extra header
    /// fields, or [`Response::reject`] with the status, header fields and
    /// body of its choosing (e.g. a `403` for an `Origin` the server does
    /// not trust).
    ///
    /// Accepted, the `101` is sent, the connection is open, and the
    /// subprotocol comes back owned. Refused, the refusal is sent and
    /// [`HandshakeError::Refused`](crate::handshake::HandshakeError::Refused)
    /// is returned. A request that breaks
    /// section 4.2.1 is answered with its `400`, `426` or (for a head larger
    /// than the read buffer) `431`, and the error is returned; an answer the
    /// caller got wrong, or too large for the write buffer, with a `500`
    /// ([`Connection::accept_with_headers`](crate::Connection::accept_with_headers)).
    /// A plain HTTP request gives [`ServerHandshake::Http`]. Up to
    /// [`DEFAULT_MAX_HEADERS`] header fields: see
    /// [`WebSocket::accept_with_headers`] for more.
    ///
    /// ```
    /// use embedded_io::{Read, Write};
    /// use hybi::handshake::server::Response;
    /// use hybi::websocket::{Config, Error, ServerHandshake, WebSocket};
    ///
    /// fn open<T: Read + Write>(transport: T) -> Result<(), Error<T::Error>> {
    ///     let (mut rx, mut tx) = ([0u8; 1024], [0u8; 512]);
    ///     let mut ws = WebSocket::server(transport, &mut rx[..], &mut tx[..], Config::new());
    ///     let handshake = ws.accept(|request| match request.path() {
    ///         "/chat" => Response::accept().protocol(request.protocols().find(|p| *p == "chat")),
    ///         _ => Response::reject(404).body(b"no such endpoint\n"),
    ///     })?;
    ///     if let ServerHandshake::Accepted { protocol } = handshake {
    ///         ws.send_text(protocol.as_deref().unwrap_or("no subprotocol"))?;
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn accept<'a, F>(&mut self, choose: F) -> Result<ServerHandshake, Error<T::Error>>
    where
        F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
    {
        self.accept_with_headers::<DEFAULT_MAX_HEADERS, F>(choose)
    }

    /// [`WebSocket::accept`] with room for `N` header fields.
    pub fn accept_with_headers<'a, const N: usize, F>(
        &mut self,
        choose: F,
    ) -> Result<ServerHandshake, Error<T::Error>>
    where
        F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
    {
        let mut choose = Some(choose);
        loop {
            let result = self.conn.accept_once::<N, F>(&mut choose);
            match result {
                Ok(Status::Complete(outcome)) => {
                    self.flush()?;
                    return Ok(outcome);
                }
                Ok(Status::Partial(_)) => self.fill()?,
                Err(e) => {
                    // The answer is queued: send it, but report the error
                    // whatever the transport does.
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
    B: Buffer,
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
