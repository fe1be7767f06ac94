//! The server side: HTTP/2 and HTTP/1.1 on one TLS port, WebSockets on
//! the streams of each HTTP/2 connection.

use core::time::Duration;
use std_crate::io;
use std_crate::net::TcpStream;
use std_crate::sync::Arc;
use std_crate::time::Instant;
use std_crate::vec::Vec;

use bytes::Bytes;
use h2::server::SendResponse;
use h2::{Reason, RecvStream};
use rustls::ServerConfig;
use tokio::sync::mpsc;

use super::{ALPN_H2, ALPN_HTTP1, Error, Stream};
use crate::connection::Buffer;
use crate::handshake::connect::{self, Answer, Request as ConnectRequest};
use crate::handshake::server::{self as http1, Response};
use crate::http::Header;
use crate::net::extended::{self, Respond};
use crate::net::runtime::{self, block_on};
use crate::net::{self, ServerOptions};
use crate::websocket::{Subprotocol, WebSocket};

/// A WebSocket over an HTTP/2 stream, server side, with the read buffer `B`
/// and the write buffer `W`: the same type as over TCP, on another
/// transport.
pub type Server<B, W = B> = WebSocket<Stream, B, crate::Server, W>;

/// The most streams a client may have open at once on one connection
/// (`SETTINGS_MAX_CONCURRENT_STREAMS`): a flood of streams beyond it is
/// refused by the HTTP/2 layer, each with `REFUSED_STREAM`.
pub const MAX_CONCURRENT_STREAMS: u32 = 256;

/// Each stream's receive window (RFC 9113 section 6.9.2's default): how
/// far a peer may send on one WebSocket ahead of what it reads.
pub const STREAM_WINDOW: u32 = 65_535;

/// The connection's receive window, at both ends: room for every stream's
/// window at once (with up to [`MAX_CONCURRENT_STREAMS`] streams), so data
/// one WebSocket has not read yet can never use up the connection's
/// window and stall another WebSocket on it, as over separate TCP
/// connections. h2's default, 65,535 bytes for the whole connection, is
/// one stream's window. The cost is memory: a connection may buffer up to
/// this much data its WebSockets have not read.
pub const CONNECTION_WINDOW: u32 = MAX_CONCURRENT_STREAMS * STREAM_WINDOW;

/// A TLS configuration for a server of both protocols: `config` (from
/// [`tls::server_config`](crate::net::tls::server_config), say) with ALPN
/// offering `h2`, then `http/1.1` (RFC 7301; RFC 9113 section 3.2).
pub fn alpn(config: Arc<ServerConfig>) -> Arc<ServerConfig> {
    let mut config = Arc::unwrap_or_clone(config);
    config.alpn_protocols = Vec::from([ALPN_H2.to_vec(), ALPN_HTTP1.to_vec()]);
    Arc::new(config)
}

/// What [`accept_tls`] found on a socket: an HTTP/1.1 connection, handled
/// as [`net::accept_tls`] does, or an HTTP/2 connection, whose streams
/// [`Connection::accept`] hands out.
// The WebSocket inline, as `net::Accepted` holds it: returned once per
// connection, and moved into the thread that serves it.
#[allow(clippy::large_enum_variant)]
pub enum Accepted<B, W = B> {
    /// ALPN chose `http/1.1`, or the client offered no ALPN: a WebSocket
    /// upgraded over HTTP/1.1, or a plain HTTP/1.1 request.
    Http1(net::Accepted<B, W>),
    /// ALPN chose `h2`.
    Http2(Connection),
}

/// Runs the TLS handshake on an accepted socket, under the handshake
/// timeout, and then what ALPN chose: over `http/1.1` (or without ALPN)
/// the server handshake as [`net::accept_tls`] runs it, with `choose`,
/// `read_buffer` and `write_buffer`; over `h2`, the HTTP/2 connection,
/// with `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` (RFC 8441 section 3), on
/// the runtime's thread, and [`Accepted::Http2`] to take its streams from.
///
/// `config` needs ALPN for HTTP/2 ([`alpn`]). A client that sends plain
/// HTTP to the TLS port gets the `400` [`net::accept_tls`] sends it.
pub fn accept_tls<'a, B, W, F>(
    socket: TcpStream,
    config: &Arc<ServerConfig>,
    options: &ServerOptions,
    read_buffer: B,
    write_buffer: W,
    choose: F,
) -> Result<Accepted<B, W>, net::Error>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    F: for<'r> FnOnce(&http1::Request<'_, 'r>) -> Response<'r, 'a>,
{
    let deadline = options
        .handshake_timeout
        .and_then(|t| Instant::now().checked_add(t));
    // Plain HTTP on the TLS port: the blocking path answers it.
    if starts_plain(&socket, options.handshake_timeout).map_err(net::Error::Io)? {
        return net::accept_tls(socket, config, options, read_buffer, write_buffer, choose)
            .map(Accepted::Http1);
    }
    socket.set_nodelay(true).map_err(net::Error::Io)?;
    let tls = tls_handshake(socket, config, options.handshake_timeout)?;
    if tls.get_ref().1.alpn_protocol() == Some(ALPN_H2) {
        let connection = Connection::serve(tls, options).map_err(net::Error::Io)?;
        return Ok(Accepted::Http2(connection));
    }
    let (socket, conn) = tls.into_inner();
    let socket = socket.into_std().map_err(net::Error::Io)?;
    socket.set_nonblocking(false).map_err(net::Error::Io)?;
    let layer = net::tls::Layer::established(conn.into(), &socket).map_err(net::Error::Io)?;
    let mut stream = net::server::prepare(socket, options, deadline).map_err(net::Error::Io)?;
    stream.adopt_tls(layer);
    net::server::accept_on(stream, options, read_buffer, write_buffer, choose).map(Accepted::Http1)
}

/// Whether the client's first byte is an ASCII capital: a request line,
/// not a TLS record (whose first byte is its type, 20 to 24).
fn starts_plain(socket: &TcpStream, timeout: Option<Duration>) -> io::Result<bool> {
    socket.set_read_timeout(timeout)?;
    let mut first = [0u8; 1];
    let n = loop {
        match socket.peek(&mut first) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => break other?,
        }
    };
    socket.set_read_timeout(None)?;
    Ok(n == 1 && first[0].is_ascii_uppercase())
}

/// The TLS handshake, on the runtime, within `timeout`.
fn tls_handshake(
    socket: TcpStream,
    config: &Arc<ServerConfig>,
    timeout: Option<Duration>,
) -> Result<TlsStream, net::Error> {
    socket.set_nonblocking(true).map_err(net::Error::Io)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(config.clone());
    let tls = block_on(timeout, async {
        let socket = tokio::net::TcpStream::from_std(socket)?;
        acceptor.accept(socket).await
    })
    .and_then(|r| r)
    .map_err(|e| {
        use net::tls::TlsError;
        let e = match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            Some(tls) => TlsError::from_rustls(tls.clone()).into_io(),
            None if e.kind() == io::ErrorKind::UnexpectedEof => TlsError::HandshakeEof.into_io(),
            None => e,
        };
        net::Error::Io(e)
    })?;
    Ok(tls)
}

/// A server's TLS connection over the runtime's socket.
type TlsStream = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

/// The requests a connection's task accepted, for [`Connection::accept`].
type Requests = mpsc::UnboundedReceiver<(::http::Request<RecvStream>, SendResponse<Bytes>)>;

/// An HTTP/2 connection a server accepted, run by a task on the runtime's
/// thread: [`Connection::accept`] gives its requests, one per stream, as
/// they come. Each WebSocket accepted on it is a [`Server`] to move to a
/// thread of its own; they share the connection, its TCP socket and its
/// flow-control window.
///
/// Dropping it refuses the requests that come after (`REFUSED_STREAM`);
/// the WebSockets already accepted go on. The connection ends when the
/// client closes it or it fails.
pub struct Connection {
    requests: Requests,
    options: ServerOptions,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http2::Connection").finish_non_exhaustive()
    }
}

impl Connection {
    fn serve(tls: TlsStream, options: &ServerOptions) -> io::Result<Connection> {
        let (sender, requests) = mpsc::unbounded_channel();
        let handshake_timeout = options.handshake_timeout;
        runtime::handle()?.spawn(async move {
            let mut builder = h2::server::Builder::new();
            builder
                .enable_connect_protocol()
                .max_concurrent_streams(MAX_CONCURRENT_STREAMS)
                .initial_window_size(STREAM_WINDOW)
                .initial_connection_window_size(CONNECTION_WINDOW);
            let handshake = builder.handshake::<_, Bytes>(tls);
            let connection = match handshake_timeout {
                Some(limit) => match tokio::time::timeout(limit, handshake).await {
                    Ok(c) => c,
                    Err(_) => return,
                },
                None => handshake.await,
            };
            let Ok(mut connection) = connection else {
                return;
            };
            // Accepting drives the connection: every stream's I/O.
            while let Some(Ok((request, respond))) = connection.accept().await {
                if let Err(refused) = sender.send((request, respond)) {
                    let (_, mut respond) = refused.0;
                    respond.send_reset(Reason::REFUSED_STREAM);
                }
            }
        });
        Ok(Connection {
            requests,
            options: *options,
        })
    }

    /// The next request, one per stream, waiting for it; `None` once the
    /// connection is over.
    pub fn accept(&mut self) -> Option<Request> {
        let requests = &mut self.requests;
        let (request, respond) = block_on(None, requests.recv()).ok()??;
        Some(Request::new(request, respond, &self.options))
    }
}

/// One request of an HTTP/2 connection: a WebSocket to accept
/// ([`Request::is_websocket`], [`Request::accept`]) or a plain request to
/// answer ([`Request::respond`]).
///
/// From an HTTP/2 server of your own (the `h2` crate's, or `hyper`'s
/// through `h2`): [`Request::new`] takes the request and its
/// `SendResponse` as `h2::server::Connection::accept` gives them, with
/// [`h2::server::Builder::enable_connect_protocol`] on.
pub struct Request {
    request: ::http::Request<RecvStream>,
    respond: SendResponse<Bytes>,
    options: ServerOptions,
}

impl core::fmt::Debug for Request {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http2::Request")
            .field("method", self.request.method())
            .field("uri", self.request.uri())
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request an HTTP/2 server accepted, to run a WebSocket on with
    /// `options` (the [`Config`](crate::Config) and the idle and write
    /// timeouts; the handshake timeout is the HTTP/2 server's business).
    pub fn new(
        request: ::http::Request<RecvStream>,
        respond: SendResponse<Bytes>,
        options: &ServerOptions,
    ) -> Self {
        Request {
            request,
            respond,
            options: *options,
        }
    }

    /// The request: method, URI, header fields; `:protocol` is its
    /// extension `h2::ext::Protocol`.
    pub fn http(&self) -> &::http::Request<RecvStream> {
        &self.request
    }

    /// The path and query (`:path`).
    pub fn path(&self) -> &str {
        self.request
            .uri()
            .path_and_query()
            .map_or("", |p| p.as_str())
    }

    /// Whether the request asks for a WebSocket, well or badly: a CONNECT,
    /// or a request with `:protocol` or `sec-websocket-version`. Those go
    /// to [`Request::accept`], which answers the bad ones; the others are
    /// plain HTTP.
    pub fn is_websocket(&self) -> bool {
        self.request.method() == ::http::Method::CONNECT
            || self
                .request
                .extensions()
                .get::<h2::ext::Protocol>()
                .is_some()
            || self.request.headers().contains_key("sec-websocket-version")
    }

    /// Answers a plain request with `status`, header fields (names in any
    /// case) and `body`, and ends the stream.
    pub fn respond(mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) -> io::Result<()> {
        let mut response = ::http::Response::builder().status(status);
        for &(name, value) in headers {
            response = response.header(name, value);
        }
        let response = response
            .body(())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let mut send = self
            .respond
            .send_response(response, body.is_empty())
            .map_err(super::stream::io_error)?;
        if !body.is_empty() {
            send.send_data(Bytes::copy_from_slice(body), true)
                .map_err(super::stream::io_error)?;
        }
        Ok(())
    }

    /// Runs the extended CONNECT handshake (RFC 8441 section 5) and opens
    /// the WebSocket over this stream, with the caller's buffers.
    ///
    /// The request is validated as [`connect::parse`] does; a bad one is
    /// answered with its status (a 426 with `sec-websocket-version: 13`,
    /// a 400, a 501), the stream reset after it when it was malformed, and
    /// returned as [`Error::Handshake`]. A valid one goes to `choose`, as
    /// over HTTP/1.1: its [`Response`] accepts it (`:status 200`, the
    /// subprotocol, extra fields; permessage-deflate as the [`Config`] and
    /// the read buffer allow) or refuses it with a status, fields and a
    /// body, sent and returned as [`HandshakeError::Refused`](crate::handshake::HandshakeError::Refused).
    ///
    /// [`Config`]: crate::Config
    pub fn accept<'a, B, W, F>(
        mut self,
        read_buffer: B,
        write_buffer: W,
        choose: F,
    ) -> Result<(Server<B, W>, Option<Subprotocol>), Error>
    where
        B: Buffer,
        W: AsRef<[u8]> + AsMut<[u8]>,
        F: for<'r> FnOnce(&ConnectRequest<'_, 'r>) -> Response<'r, 'a>,
    {
        let (parts, recv) = self.request.into_parts();
        let protocol_ext = parts.extensions.get::<h2::ext::Protocol>();
        let fields = fields_of(&parts, protocol_ext);
        let mut respond = Responder {
            respond: &mut self.respond,
            recv: Some(recv),
            options: self.options,
        };
        extended::accept(
            &fields,
            &self.options,
            read_buffer,
            write_buffer,
            choose,
            &mut respond,
        )
        .map_err(|e| e.into_error(Error::Handshake))
    }
}

/// How an h2 stream answers an extended CONNECT.
struct Responder<'s> {
    respond: &'s mut SendResponse<Bytes>,
    /// Taken by the answer that opens the WebSocket.
    recv: Option<RecvStream>,
    options: ServerOptions,
}

impl Respond for Responder<'_> {
    type Stream = Stream;

    fn answer(&mut self, answer: &Answer<'_>, open: bool) -> io::Result<Option<Stream>> {
        let send = send_answer(self.respond, answer, open).map_err(|e| match e {
            Error::Io(e) => e,
            other => io::Error::other(other),
        })?;
        if !open {
            return Ok(None);
        }
        let recv = self
            .recv
            .take()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))?;
        let mut stream = Stream::new(send, recv);
        stream.set_read_timeout(self.options.idle_timeout);
        stream.set_write_timeout(self.options.write_timeout);
        Ok(Some(stream))
    }

    fn reject(&mut self, error: connect::Error) {
        let _ = reject::<()>(self.respond, error);
    }
}

/// The request's fields as [`connect::parse`] reads them: the
/// pseudo-header fields h2 turned into the method, the URI and the
/// `:protocol` extension, then the header fields.
fn fields_of<'p>(
    parts: &'p ::http::request::Parts,
    protocol: Option<&'p h2::ext::Protocol>,
) -> Vec<Header<'p>> {
    let mut fields = Vec::with_capacity(parts.headers.len() + 5);
    let uri = &parts.uri;
    fields.push(Header {
        name: ":method",
        value: parts.method.as_str().as_bytes(),
    });
    if let Some(protocol) = protocol {
        fields.push(Header {
            name: ":protocol",
            value: protocol.as_str().as_bytes(),
        });
    }
    if let Some(scheme) = uri.scheme_str() {
        fields.push(Header {
            name: ":scheme",
            value: scheme.as_bytes(),
        });
    }
    if let Some(authority) = uri.authority() {
        fields.push(Header {
            name: ":authority",
            value: authority.as_str().as_bytes(),
        });
    }
    if let Some(path) = uri.path_and_query() {
        fields.push(Header {
            name: ":path",
            value: path.as_str().as_bytes(),
        });
    }
    for (name, value) in &parts.headers {
        fields.push(Header {
            name: name.as_str(),
            value: value.as_bytes(),
        });
    }
    fields
}

/// Sends `answer` as the response; with `open`, the stream stays open for
/// the WebSocket's frames, and its send half is returned.
fn send_answer(
    respond: &mut SendResponse<Bytes>,
    answer: &Answer<'_>,
    open: bool,
) -> Result<h2::SendStream<Bytes>, Error> {
    let mut response = ::http::Response::builder().status(answer.status());
    for (name, value) in answer.fields().skip(1) {
        response = response.header(name, value);
    }
    let response = response
        .body(())
        .map_err(|e| Error::Io(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
    let body = answer.body();
    let end = !open && body.is_empty();
    let mut send = respond
        .send_response(response, end)
        .map_err(|e| Error::Io(super::stream::io_error(e)))?;
    if !open && !body.is_empty() {
        send.send_data(Bytes::copy_from_slice(body), true)
            .map_err(|e| Error::Io(super::stream::io_error(e)))?;
    }
    Ok(send)
}

/// Answers a bad request as `error` says, resets the stream after a
/// malformed one (RFC 9113 section 8.1.1), and returns the error.
fn reject<T>(respond: &mut SendResponse<Bytes>, error: connect::Error) -> Result<T, Error> {
    let answer = error.answer();
    let reset = error.resets_stream();
    match send_answer(respond, &answer, reset) {
        Ok(mut send) if reset => send.send_reset(Reason::PROTOCOL_ERROR),
        Ok(_) => {}
        Err(_) => respond.send_reset(Reason::PROTOCOL_ERROR),
    }
    Err(Error::Handshake(error))
}
