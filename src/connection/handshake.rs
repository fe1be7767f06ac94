//! The opening handshake over HTTP/1.1, run in the connection's own
//! buffers (RFC 6455 section 4): bytes in, a head out, and the connection
//! open, with no I/O.

use super::{Connection, Error, State};
use crate::connection::Buffer;
use crate::handshake::server::{self, Incoming, Response};
use crate::handshake::{ClientKey, HandshakeError, client};
use crate::http::{self, EMPTY_HEADER, Header, RequestHead, StatusCode};
use crate::role::{Client, Server};
use crate::{RandomSource, Status};

/// How many header fields a handshake head may have unless said otherwise
/// (`Connection::accept_with_headers`): a browser sends 10 to 20.
pub const DEFAULT_MAX_HEADERS: usize = 32;

/// The longest subprotocol a server can accept: the one chosen is copied
/// out of the read buffer (which frames reuse) into a [`Subprotocol`] of
/// this capacity. Subprotocol names are short tokens (`chat`,
/// `graphql-transport-ws`, `v12.stomp`, `ocpp2.0.1`); a longer one chosen
/// is [`HandshakeError::ProtocolTooLong`], answered with a 500.
pub const MAX_PROTOCOL_LEN: usize = 64;

/// A subprotocol a server accepted, owned: up to [`MAX_PROTOCOL_LEN`]
/// bytes. It dereferences to `str`: `protocol.as_deref() == Some("chat")`.
pub type Subprotocol = heapless::String<MAX_PROTOCOL_LEN>;

/// How a server handshake ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerHandshake {
    /// The connection is open, with this subprotocol if one was chosen.
    Accepted {
        /// The subprotocol chosen, copied out of the request.
        protocol: Option<Subprotocol>,
    },
    /// The request was plain HTTP, asking for no upgrade. It is still in the
    /// read buffer ([`Connection::http_request`]): answer it and drop the
    /// connection.
    Http,
}

#[cfg(feature = "defmt")]
impl defmt::Format for ServerHandshake {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            ServerHandshake::Accepted { protocol } => {
                defmt::write!(f, "Accepted {{ protocol: {} }}", protocol.as_deref())
            }
            ServerHandshake::Http => defmt::write!(f, "Http"),
        }
    }
}

impl<RB, WB> Connection<Server, RB, WB>
where
    RB: Buffer,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Runs the server handshake on the bytes received so far, with room
    /// for [`DEFAULT_MAX_HEADERS`] header fields: see
    /// [`Connection::accept_with_headers`].
    pub fn accept<'a, F>(&mut self, choose: F) -> Result<Status<ServerHandshake>, Error>
    where
        F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
    {
        self.accept_with_headers::<DEFAULT_MAX_HEADERS, F>(choose)
    }

    /// Runs the server handshake on the bytes received so far, with room
    /// for `N` header fields. `Status::Partial` while the request head is
    /// incomplete: receive more and call again (`choose` is called only
    /// once the head is complete).
    ///
    /// A WebSocket request is validated and passed to `choose`, which
    /// answers it with a [`Response`]: [`Response::accept`], with a
    /// subprotocol among those offered (borrowed from the request or not)
    /// and extra header fields, or [`Response::reject`] with a status of
    /// its choosing (a `403` for an `Origin` the server does not trust, a
    /// `404` for a path it does not serve), header fields and a body.
    /// Accepted, the `101` is queued and the connection is open, with the
    /// subprotocol copied out of the request ([`MAX_PROTOCOL_LEN`]).
    /// Refused, the refusal is queued, the connection is closed and
    /// [`HandshakeError::Refused`] is returned. A request that breaks
    /// section 4.2.1 gets its `400`, `426` or (for a head larger than the
    /// read buffer) `431` queued, and the error is returned; the connection
    /// is closed. A plain HTTP request gives [`ServerHandshake::Http`].
    ///
    /// ```
    /// use hybi::connection::{Connection, Error, ServerHandshake};
    /// use hybi::handshake::HandshakeError;
    /// use hybi::handshake::server::Response;
    /// use hybi::{Config, Server, Status};
    ///
    /// let request = b"GET /chat HTTP/1.1\r\nHost: example.com\r\n\
    ///                 Upgrade: websocket\r\nConnection: Upgrade\r\n\
    ///                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///                 Sec-WebSocket-Protocol: chat, superchat\r\n\
    ///                 Sec-WebSocket-Version: 13\r\n\r\n";
    /// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
    /// let mut conn = Connection::new(Server, &mut rx[..], &mut tx[..], Config::new());
    /// conn.receive_buffer()[..request.len()].copy_from_slice(request);
    /// conn.received(request.len());
    /// // The client's first choice, borrowed from the request.
    /// let accepted = conn.accept(|request| Response::accept().protocol(request.protocols().next()));
    /// let Ok(Status::Complete(ServerHandshake::Accepted { protocol })) = accepted else {
    ///     panic!("{accepted:?}")
    /// };
    /// assert_eq!(protocol.as_deref(), Some("chat"));
    /// assert!(conn.transmit().starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    ///
    /// // The same request, refused.
    /// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
    /// let mut conn = Connection::new(Server, &mut rx[..], &mut tx[..], Config::new());
    /// conn.receive_buffer()[..request.len()].copy_from_slice(request);
    /// conn.received(request.len());
    /// let refused = conn.accept(|_| {
    ///     Response::reject(401).headers(&[("WWW-Authenticate", "Basic realm=\"chat\"")])
    /// });
    /// assert_eq!(refused, Err(Error::Handshake(HandshakeError::Refused(401.into()))));
    /// assert_eq!(
    ///     conn.transmit(),
    ///     b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\
    ///       WWW-Authenticate: Basic realm=\"chat\"\r\n\r\n"
    /// );
    /// ```
    ///
    /// The write buffer must hold [`MIN_WRITE_BUFFER`](super::MIN_WRITE_BUFFER)
    /// bytes ([`Error::BufferTooSmall`] before anything is read): every
    /// rejection fits, a `101` without a subprotocol, and a refusal with
    /// about 70 bytes of header fields and body ([`Response::write`]). A
    /// `101` or a refusal too large for the buffer, or one the caller got
    /// wrong ([`HandshakeError::InvalidArgument`],
    /// [`HandshakeError::ProtocolNotOffered`],
    /// [`HandshakeError::ProtocolTooLong`]), is answered with a `500`.
    pub fn accept_with_headers<'a, const N: usize, F>(
        &mut self,
        choose: F,
    ) -> Result<Status<ServerHandshake>, Error>
    where
        F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
    {
        self.accept_once::<N, F>(&mut Some(choose))
    }

    /// [`Connection::accept_with_headers`] for a driver that calls it until
    /// the head is complete: `choose` is taken then (and the handshake is
    /// over, whatever it answers). Without it, [`Error::InvalidState`].
    pub(crate) fn accept_once<'a, const N: usize, F>(
        &mut self,
        choose: &mut Option<F>,
    ) -> Result<Status<ServerHandshake>, Error>
    where
        F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
    {
        if self.state != State::Handshake {
            return Err(Error::InvalidState);
        }
        // The smallest write buffer holds a plain 101 and every rejection.
        if !self.outbox.is_large_enough() {
            return Err(Error::BufferTooSmall);
        }
        let mut headers = [EMPTY_HEADER; N];
        #[cfg(feature = "deflate")]
        let mut agreed = None;
        let head = self.inbox.head();
        let result = match server::parse(head, &mut headers) {
            Ok(Status::Partial(_)) if self.inbox.is_full() => Err(HandshakeError::HeadTooLarge),
            Ok(Status::Partial(n)) => return Ok(Status::Partial(n)),
            Ok(Status::Complete((Incoming::WebSocket(request), len))) => {
                let Some(choose) = choose.take() else {
                    return Err(Error::InvalidState);
                };
                let response = choose(&request);
                let protocol = response.chosen_protocol();
                #[cfg(feature = "deflate")]
                {
                    agreed = self
                        .deflate_offer()
                        .filter(|_| response.is_accept())
                        .and_then(|config| config.accept(request.extensions()));
                }
                if protocol.is_some_and(|p| p.len() > MAX_PROTOCOL_LEN) {
                    Err(HandshakeError::ProtocolTooLong)
                } else {
                    let outbox = &mut self.outbox;
                    #[cfg(feature = "deflate")]
                    let extension = agreed.map(|a| a.response());
                    #[cfg(feature = "deflate")]
                    let extension = extension.as_deref();
                    #[cfg(not(feature = "deflate"))]
                    let extension = None;
                    let written =
                        outbox.queue_head(|tx| response.write_with(&request, extension, tx));
                    // An answer too large for the write buffer with the
                    // extension goes without it: the offer is declined.
                    #[cfg(feature = "deflate")]
                    let written = match written {
                        Err(HandshakeError::BufferTooSmall) if agreed.is_some() => {
                            agreed = None;
                            outbox.queue_head(|tx| response.write(&request, tx))
                        }
                        written => written,
                    };
                    match written {
                        Ok(()) if response.is_accept() => Ok((protocol, len)),
                        Ok(()) => Err(HandshakeError::Refused(StatusCode::new(response.status()))),
                        Err(e) => Err(e),
                    }
                }
            }
            Ok(Status::Complete((Incoming::Http(_), _))) => {
                return Ok(Status::Complete(ServerHandshake::Http));
            }
            Err(e) => Err(e),
        };
        match result {
            Ok((protocol, len)) => {
                // The subprotocol leaves the read buffer, which frames reuse
                // (its length was checked).
                let protocol = protocol.map(|p| {
                    let mut owned = Subprotocol::new();
                    let _ = owned.push_str(p);
                    owned
                });
                self.inbox.skip_head(len);
                self.state = State::Open;
                #[cfg(feature = "deflate")]
                if let Some(agreed) = agreed {
                    self.start_deflate(agreed);
                }
                Ok(Status::Complete(ServerHandshake::Accepted { protocol }))
            }
            Err(e) => Err(self.fail_handshake(e)),
        }
    }

    /// The handshake failed with `e`: queues the answer to it (unless it is
    /// an application's refusal, which went out as given) and closes the
    /// connection. Not inlined: the drivers' loops stay small.
    #[inline(never)]
    fn fail_handshake(&mut self, e: HandshakeError) -> Error {
        self.state = State::Closed;
        // The error is what the caller needs to hear about, even if its
        // answer does not fit the write buffer.
        if !matches!(e, HandshakeError::Refused(_)) {
            let _ = self.outbox.queue_head(|tx| server::write_error(e, tx));
        }
        Error::Handshake(e)
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
    RB: Buffer,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Queues the client's handshake request with a fresh nonce from the
    /// client's randomness source, and returns the key to check the answer
    /// with ([`Connection::read_response`]).
    pub fn write_request(&mut self, request: &client::Request<'_>) -> Result<ClientKey, Error> {
        if self.state != State::Handshake {
            return Err(Error::InvalidState);
        }
        #[cfg(feature = "deflate")]
        let request = &self.with_offer(request);
        let key = ClientKey::generate(self.outbox.endpoint.rng_mut());
        self.outbox.queue_head(|tx| request.write(&key, tx))?;
        Ok(key)
    }

    /// `request`, offering permessage-deflate as [`Connection::deflate_offer`]
    /// allows.
    #[cfg(feature = "deflate")]
    fn with_offer<'r>(&self, request: &client::Request<'r>) -> client::Request<'r> {
        match self.deflate_offer() {
            Some(config) => request.deflate(config),
            None => *request,
        }
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
        #[cfg(feature = "deflate")]
        let offer = self.with_offer(request);
        #[cfg(feature = "deflate")]
        let request = &offer;
        #[cfg(feature = "deflate")]
        let mut agreed = None;
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
                #[cfg(feature = "deflate")]
                {
                    agreed = response.deflate();
                }
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
                #[cfg(feature = "deflate")]
                if let Some(agreed) = agreed {
                    self.start_deflate(agreed);
                }
                Ok(Status::Complete(protocol))
            }
            Err(e) => {
                self.state = State::Closed;
                Err(Error::Handshake(e))
            }
        }
    }
}
