//! The opening handshake over the transport, both roles (RFC 6455 section
//! 4), in the connection's own buffers.

use embedded_io::Write;

use super::write::write_all;
use super::{Error, Input, State, WebSocket};
use crate::handshake::server::{self, Incoming};
use crate::handshake::{ClientKey, HandshakeError, client};
use crate::http::{self, EMPTY_HEADER, Header, RequestHead};
use crate::{RandomSource, Role, Status};

/// How many header fields a handshake head may have.
pub const MAX_HEADERS: usize = 32;

/// How a server handshake ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ServerHandshake<'p> {
    /// The connection is open, with this subprotocol if one was chosen.
    Accepted {
        /// The subprotocol chosen.
        protocol: Option<&'p str>,
    },
    /// The request was plain HTTP, asking for no upgrade. It is still in the
    /// read buffer ([`WebSocket::http_request`]); answer it through
    /// [`WebSocket::write_raw`] and drop the connection.
    Http,
}

impl<T, B, R> WebSocket<T, B, R>
where
    T: Input + Write,
    B: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// Runs the server handshake: reads the request (waiting for as many
    /// reads as it takes), validates it, and calls `choose` with it to pick
    /// a subprotocol among those offered (`Ok(None)` for none) or refuse it
    /// (`Err`, e.g. for an `Origin` the server does not trust).
    ///
    /// On success the `101` is sent and the connection is open. A request
    /// that breaks section 4.2.1 is answered with its `400`, `426` or (for a
    /// head larger than the read buffer) `431`, and the error is returned.
    /// A plain HTTP request gives [`ServerHandshake::Http`].
    pub fn accept<'p, F>(&mut self, choose: F) -> Result<ServerHandshake<'p>, Error<T::Error>>
    where
        F: FnOnce(&server::Request<'_, '_>) -> Result<Option<&'p str>, HandshakeError>,
    {
        if self.state != State::Handshake || self.role() != Role::Server {
            return Err(Error::InvalidState);
        }
        let mut choose = Some(choose);
        loop {
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            let inc = &self.incoming;
            let out = &mut self.outgoing;
            let parsed = server::parse(&inc.rx.as_ref()[..inc.end], &mut headers);
            let result = match parsed {
                Ok(Status::Partial(_)) if inc.end == inc.rx.as_ref().len() => {
                    Err(HandshakeError::HeadTooLarge)
                }
                Ok(Status::Partial(_)) => {
                    self.read_transport()?;
                    continue;
                }
                Ok(Status::Complete((Incoming::Http(_), _))) => return Ok(ServerHandshake::Http),
                Ok(Status::Complete((Incoming::WebSocket(request), len))) => {
                    let decision = match choose.take() {
                        Some(choose) => choose(&request),
                        None => Err(HandshakeError::InvalidArgument),
                    };
                    decision.and_then(|protocol| {
                        let n = request.write_response(protocol, &[], out.tx.as_mut())?;
                        Ok((protocol, n, len))
                    })
                }
                Err(e) => Err(e),
            };
            return match result {
                Ok((protocol, n, len)) => {
                    self.outgoing.sent = 0;
                    self.outgoing.pending = n;
                    self.outgoing.flush(&mut self.transport)?;
                    self.incoming.start = len;
                    self.state = State::Open;
                    Ok(ServerHandshake::Accepted { protocol })
                }
                Err(e) => {
                    self.state = State::Closed;
                    let n = server::write_rejection(e, self.outgoing.tx.as_mut())?;
                    self.outgoing.sent = 0;
                    self.outgoing.pending = n;
                    self.outgoing.flush(&mut self.transport)?;
                    Err(Error::Handshake(e))
                }
            };
        }
    }

    /// After [`ServerHandshake::Http`], the plain request, parsed again from
    /// the read buffer into `headers`.
    pub fn http_request<'s, 'h>(
        &'s self,
        headers: &'h mut [Header<'s>],
    ) -> Option<RequestHead<'h, 's>> {
        if self.state != State::Handshake {
            return None;
        }
        let inc = &self.incoming;
        parse_http(&inc.rx.as_ref()[..inc.end], headers)
    }

    /// Runs the client handshake: writes the request with a fresh nonce,
    /// reads the response (waiting for as many reads as it takes) and
    /// validates it. Bytes after the response are kept as the first frames.
    /// Returns the subprotocol the server chose, as one of the strings
    /// offered in `request`.
    pub fn connect<'r>(
        &mut self,
        request: &client::Request<'r>,
    ) -> Result<Option<&'r str>, Error<T::Error>> {
        if self.state != State::Handshake || self.role() != Role::Client {
            return Err(Error::InvalidState);
        }
        let key = ClientKey::generate(&mut self.outgoing.rng);
        let n = request.write(&key, self.outgoing.tx.as_mut())?;
        self.outgoing.sent = 0;
        self.outgoing.pending = n;
        self.outgoing.flush(&mut self.transport)?;
        loop {
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            let inc = &self.incoming;
            let buf = &inc.rx.as_ref()[..inc.end];
            match request.parse_response(&key, buf, &mut headers) {
                Ok(Status::Complete((response, len))) => {
                    let chosen = response.protocol();
                    let protocol = request
                        .offered_protocols()
                        .iter()
                        .copied()
                        .find(|offered| Some(*offered) == chosen);
                    self.incoming.start = len;
                    self.state = State::Open;
                    return Ok(protocol);
                }
                Ok(Status::Partial(_)) if inc.end == inc.rx.as_ref().len() => {
                    self.state = State::Closed;
                    return Err(Error::Handshake(HandshakeError::HeadTooLarge));
                }
                Ok(Status::Partial(_)) => self.read_transport()?,
                Err(e) => {
                    self.state = State::Closed;
                    return Err(Error::Handshake(e));
                }
            }
        }
    }

    /// Writes bytes straight to the transport and flushes: the answer to a
    /// plain HTTP request after [`ServerHandshake::Http`]. Not for an open
    /// WebSocket, whose stream it would corrupt ([`Error::InvalidState`]).
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Error<T::Error>> {
        if self.state != State::Handshake {
            return Err(Error::InvalidState);
        }
        write_all(&mut self.transport, bytes)?;
        self.transport.flush().map_err(Error::Io)
    }
}

/// Parses the plain HTTP request kept in a read buffer.
fn parse_http<'h, 'b>(buf: &'b [u8], headers: &'h mut [Header<'b>]) -> Option<RequestHead<'h, 'b>> {
    match http::parse_request(buf, headers) {
        Ok(Status::Complete((head, _))) => Some(head),
        _ => None,
    }
}
