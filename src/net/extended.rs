//! A server's side of the extended CONNECT (RFC 8441 section 5, RFC 9220
//! section 3) over any HTTP binding: the request's fields checked, the
//! application's choice, permessage-deflate, the answer sent through the
//! binding, and the WebSocket opened over its stream; a client's request
//! and its WebSocket once answered. `http2` and `http3` differ only in how
//! they carry them.

use std_crate::io;

use crate::connection::{Buffer, Connection};
use crate::handshake::HandshakeError;
use crate::handshake::connect::{self, Answer, Incoming, Request};
use crate::handshake::server::Response;
use crate::http::{Header, StatusCode};
use crate::net::{ClientOptions, Connected, OsRandom, ServerOptions};
use crate::websocket::{Subprotocol, WebSocket};

/// How a binding answers a request on its stream.
pub(crate) trait Respond {
    /// The stream a WebSocket runs over once accepted.
    type Stream: embedded_io::Read<Error = io::Error> + embedded_io::Write<Error = io::Error>;

    /// Sends `answer`; with `open`, the stream stays open for the
    /// WebSocket's frames and is returned.
    fn answer(&mut self, answer: &Answer<'_>, open: bool) -> io::Result<Option<Self::Stream>>;

    /// Answers a bad request as `error` says, and ends or resets the
    /// stream as the protocol wants for it.
    fn reject(&mut self, error: connect::Error);
}

/// Why [`accept`] did not open a WebSocket.
pub(crate) enum Failure {
    /// The request was bad, refused, or the answer could not be made.
    Handshake(connect::Error),
    /// The stream failed.
    Io(io::Error),
}

impl Failure {
    /// The failure as a binding's error, whose variant for a failed
    /// extended CONNECT is `handshake`.
    pub(crate) fn into_error<E: From<io::Error>>(self, handshake: fn(connect::Error) -> E) -> E {
        match self {
            Failure::Handshake(e) => handshake(e),
            Failure::Io(e) => E::from(e),
        }
    }
}

/// Runs the server's extended CONNECT on `fields`, as `http2::Request::accept`
/// documents it, answering through `respond`.
#[allow(clippy::type_complexity)]
pub(crate) fn accept<'a, B, W, F, R>(
    fields: &[Header<'_>],
    options: &ServerOptions,
    read_buffer: B,
    write_buffer: W,
    choose: F,
    respond: &mut R,
) -> Result<
    (
        WebSocket<R::Stream, B, crate::Server, W>,
        Option<Subprotocol>,
    ),
    Failure,
>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    F: for<'r> FnOnce(&Request<'_, 'r>) -> Response<'r, 'a>,
    R: Respond,
{
    let mut reject = |error: connect::Error| {
        respond.reject(error);
        Failure::Handshake(error)
    };
    let request = match connect::parse(fields) {
        Ok(Incoming::WebSocket(request)) => request,
        Ok(Incoming::Http(_)) => return Err(reject(connect::Error::MissingProtocol)),
        Err(e) => return Err(reject(e)),
    };
    // What permessage-deflate the read buffer has memory for.
    let core = Connection::upgraded(crate::Server, read_buffer, write_buffer, options.config);
    #[cfg(feature = "deflate")]
    let agreed = core
        .deflate_offer()
        .and_then(|config| request.deflate(&config));
    let (read_buffer, write_buffer) = core.into_buffers();
    #[cfg(feature = "deflate")]
    let value = agreed.map(|a| a.response());
    #[cfg(feature = "deflate")]
    let extensions = value.as_deref();
    #[cfg(not(feature = "deflate"))]
    let extensions = None;
    let response = choose(&request);
    let answer = match request.answer(&response, extensions) {
        Ok(answer) => answer,
        Err(e) => return Err(reject(e)),
    };
    if !answer.is_accept() {
        respond.answer(&answer, false).map_err(Failure::Io)?;
        let status = StatusCode::new(answer.status());
        return Err(Failure::Handshake(connect::Error::Handshake(
            HandshakeError::Refused(status),
        )));
    }
    let protocol = match answer.protocol() {
        None => None,
        Some(p) => match Subprotocol::try_from(p) {
            Ok(p) => Some(p),
            Err(_) => {
                let e = connect::Error::Handshake(HandshakeError::ProtocolTooLong);
                respond.reject(e);
                return Err(Failure::Handshake(e));
            }
        },
    };
    let stream = respond
        .answer(&answer, true)
        .map_err(Failure::Io)?
        .ok_or_else(|| Failure::Io(io::ErrorKind::NotConnected.into()))?;
    let ws = WebSocket::from_upgraded(
        stream,
        read_buffer,
        write_buffer,
        crate::Server,
        options.config,
        &[],
    )
    .map_err(|_| Failure::Io(io::Error::other("read buffer too small")))?;
    #[cfg(feature = "deflate")]
    let ws = {
        let mut ws = ws;
        if let Some(agreed) = agreed {
            ws.start_deflate(agreed);
        }
        ws
    };
    Ok((ws, protocol))
}

/// A client's extended CONNECT for `path` on `host:port` with `options`
/// (subprotocols, `origin`, extra fields), permessage-deflate offered when
/// the read buffer has inflate memory (feature `deflate`); the buffers
/// come back with it.
pub(crate) fn client_request<'a, B, W>(
    host: &'a str,
    port: u16,
    secure: bool,
    path: &'a str,
    options: &ClientOptions<'a>,
    read_buffer: B,
    write_buffer: W,
) -> (crate::handshake::client::Request<'a>, B, W)
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    let core = Connection::upgraded(
        crate::Client::new(OsRandom),
        read_buffer,
        write_buffer,
        options.config,
    );
    let mut request = crate::handshake::client::Request::new(host, path)
        .port(port)
        .secure(secure)
        .protocols(options.protocols)
        .headers(options.headers);
    if let Some(origin) = options.origin {
        request = request.origin(origin);
    }
    #[cfg(feature = "deflate")]
    if let Some(config) = core.deflate_offer() {
        request = request.deflate(config);
    }
    let (read_buffer, write_buffer) = core.into_buffers();
    (request, read_buffer, write_buffer)
}

/// A client's WebSocket over `stream`, whose answer was `accepted`: the
/// subprotocol among those `options` offered, permessage-deflate as
/// agreed.
#[allow(clippy::type_complexity)]
pub(crate) fn client_websocket<'o, S, B, W>(
    stream: S,
    read_buffer: B,
    write_buffer: W,
    options: &ClientOptions<'o>,
    accepted: &connect::Accepted<'_>,
) -> io::Result<(WebSocket<S, B, crate::Client<OsRandom>, W>, Connected<'o>)>
where
    S: embedded_io::Read + embedded_io::Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    let protocol = options
        .protocols
        .iter()
        .copied()
        .find(|offered| Some(*offered) == accepted.protocol());
    let ws = WebSocket::from_upgraded(
        stream,
        read_buffer,
        write_buffer,
        crate::Client::new(OsRandom),
        options.config,
        &[],
    )
    .map_err(|_| io::Error::other("read buffer too small"))?;
    #[cfg(feature = "deflate")]
    let ws = {
        let mut ws = ws;
        if let Some(agreed) = accepted.deflate() {
            ws.start_deflate(agreed);
        }
        ws
    };
    Ok((ws, Connected { protocol }))
}
