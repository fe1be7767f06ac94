//! The opening handshake over HTTP/1.1, run in the connection's own
//! buffers (RFC 6455 section 4): bytes in, a head out, and the connection
//! open, with no I/O.

use super::{Connection, Error, State};
use crate::handshake::server::{self, Incoming};
use crate::handshake::{ClientKey, HandshakeError, client};
use crate::http::{self, EMPTY_HEADER, Header, RequestHead};
use crate::role::{Client, Server};
use crate::{RandomSource, Status};

/// How many header fields a handshake head may have unless said otherwise
/// (`Connection::accept_with_headers`): a browser sends 10 to 20.
pub const DEFAULT_MAX_HEADERS: usize = 32;

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
    /// read buffer ([`Connection::http_request`]): answer it and drop the
    /// connection.
    Http,
}

impl<RB, WB> Connection<Server, RB, WB>
where
    RB: AsRef<[u8]> + AsMut<[u8]>,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Runs the server handshake on the bytes received so far, with room
    /// for [`DEFAULT_MAX_HEADERS`] header fields: see
    /// [`Connection::accept_with_headers`].
    pub fn accept<'p, F>(&mut self, choose: F) -> Result<Status<ServerHandshake<'p>>, Error>
    where
        F: FnOnce(&server::Request<'_, '_>) -> Result<Option<&'p str>, HandshakeError>,
    {
        self.accept_with_headers::<DEFAULT_MAX_HEADERS, F>(choose)
    }

    /// Runs the server handshake on the bytes received so far, with room
    /// for `N` header fields. `Status::Partial` while the request head is
    /// incomplete: receive more and call again (`choose` is called only
    /// once the head is complete).
    ///
    /// A WebSocket request is validated and passed to `choose`, which picks
    /// a subprotocol among those offered (`Ok(None)` for none) or refuses
    /// the request (`Err`, for an `Origin` the server does not trust, say).
    /// Accepted, the `101` is queued and the connection is open. A request
    /// that breaks section 4.2.1 gets its `400`, `426` or (for a head larger
    /// than the read buffer) `431` queued, and the error is returned; the
    /// connection is closed. A plain HTTP request gives
    /// [`ServerHandshake::Http`].
    ///
    /// The write buffer must hold [`MIN_WRITE_BUFFER`](super::MIN_WRITE_BUFFER)
    /// bytes ([`Error::BufferTooSmall`] before anything is read): every
    /// rejection fits, and a `101` without a subprotocol; a `101` too large
    /// for the buffer is answered with a `500`.
    pub fn accept_with_headers<'p, const N: usize, F>(
        &mut self,
        choose: F,
    ) -> Result<Status<ServerHandshake<'p>>, Error>
    where
        F: FnOnce(&server::Request<'_, '_>) -> Result<Option<&'p str>, HandshakeError>,
    {
        if self.state != State::Handshake {
            return Err(Error::InvalidState);
        }
        // The smallest write buffer holds a plain 101 and every rejection.
        if !self.outbox.is_large_enough() {
            return Err(Error::BufferTooSmall);
        }
        let mut headers = [EMPTY_HEADER; N];
        let head = self.inbox.head();
        let result = match server::parse(head, &mut headers) {
            Ok(Status::Partial(_)) if self.inbox.is_full() => Err(HandshakeError::HeadTooLarge),
            Ok(Status::Partial(n)) => return Ok(Status::Partial(n)),
            Ok(Status::Complete((Incoming::Http(_), _))) => {
                return Ok(Status::Complete(ServerHandshake::Http));
            }
            Ok(Status::Complete((Incoming::WebSocket(request), len))) => {
                choose(&request).and_then(|protocol| {
                    let outbox = &mut self.outbox;
                    outbox.queue_head(|tx| request.write_response(protocol, &[], tx))?;
                    Ok((protocol, len))
                })
            }
            Err(e) => Err(e),
        };
        match result {
            Ok((protocol, len)) => {
                self.inbox.skip_head(len);
                self.state = State::Open;
                Ok(Status::Complete(ServerHandshake::Accepted { protocol }))
            }
            Err(e) => {
                self.state = State::Closed;
                // The error is what the caller needs to hear about, even if
                // its answer does not fit the write buffer.
                let _ = self.outbox.queue_head(|tx| server::write_rejection(e, tx));
                Err(Error::Handshake(e))
            }
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
        match http::parse_request(self.inbox.head(), headers) {
            Ok(Status::Complete((head, _))) => Some(head),
            _ => None,
        }
    }
}

impl<R, RB, WB> Connection<Client<R>, RB, WB>
where
    R: RandomSource,
    RB: AsRef<[u8]> + AsMut<[u8]>,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Queues the client's handshake request with a fresh nonce from the
    /// client's randomness source, and returns the key to check the answer
    /// with ([`Connection::read_response`]).
    pub fn write_request(&mut self, request: &client::Request<'_>) -> Result<ClientKey, Error> {
        if self.state != State::Handshake {
            return Err(Error::InvalidState);
        }
        let key = ClientKey::generate(self.outbox.endpoint.rng_mut());
        self.outbox.queue_head(|tx| request.write(&key, tx))?;
        Ok(key)
    }

    /// Validates the server's answer among the bytes received so far:
    /// `Status::Partial` while it is incomplete. Accepted, the connection is
    /// open and the bytes after the answer are the first frames; the
    /// subprotocol the server chose is returned as one of the strings
    /// offered in `request`. Refused or invalid, the connection is closed.
    pub fn read_response<'r>(
        &mut self,
        request: &client::Request<'r>,
        key: &ClientKey,
    ) -> Result<Status<Option<&'r str>>, Error> {
        if self.state != State::Handshake {
            return Err(Error::InvalidState);
        }
        let mut headers = [EMPTY_HEADER; DEFAULT_MAX_HEADERS];
        let head = self.inbox.head();
        let result = match request.parse_response(key, head, &mut headers) {
            Ok(Status::Complete((response, len))) => {
                let chosen = response.protocol();
                let protocol = request
                    .offered_protocols()
                    .iter()
                    .copied()
                    .find(|offered| Some(*offered) == chosen);
                Ok((protocol, len))
            }
            Ok(Status::Partial(_)) if self.inbox.is_full() => Err(HandshakeError::HeadTooLarge),
            Ok(Status::Partial(n)) => return Ok(Status::Partial(n)),
            Err(e) => Err(e),
        };
        match result {
            Ok((protocol, len)) => {
                self.inbox.skip_head(len);
                self.state = State::Open;
                Ok(Status::Complete(protocol))
            }
            Err(e) => {
                self.state = State::Closed;
                Err(Error::Handshake(e))
            }
        }
    }
}
