//! The server side over `std::net`: [`accept`] the opening handshake on an
//! accepted socket (RFC 6455 section 4.2), with a deadline for it; with
//! feature `tls`, [`accept_tls`] for `wss://`.

use crate::connection::Buffer;
use core::time::Duration;

use std_crate::net::TcpStream;
use std_crate::time::Instant;

use std_crate::vec;
use std_crate::vec::Vec;

use super::{Error, Growable, Stream};
use crate::handshake::server::{self, Response};
use crate::websocket::{Config, ServerHandshake, Subprotocol, WebSocket};

/// A server connection over TCP, with the read buffer `B` and the write
/// buffer `W`.
pub type Server<B, W = B> = WebSocket<Stream, B, crate::Server, W>;

/// How [`accept`] runs a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerOptions {
    pub(super) handshake_timeout: Option<Duration>,
    pub(super) idle_timeout: Option<Duration>,
    pub(super) write_timeout: Option<Duration>,
    pub(super) config: Config,
}

/// The default bound on the opening handshake: 10 seconds.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl ServerOptions {
    /// A handshake timeout of [`DEFAULT_HANDSHAKE_TIMEOUT`], no idle or
    /// write timeout, the default [`Config`].
    pub const fn new() -> Self {
        ServerOptions {
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            idle_timeout: None,
            write_timeout: None,
            config: Config::new(),
        }
    }

    /// Bounds the whole opening handshake (`None`: no bound), the TLS
    /// handshake included for [`accept_tls`]. A client that has not sent
    /// its complete request by then is dropped, however slowly it keeps
    /// sending.
    pub const fn handshake_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Bounds each read after the handshake (`None`: wait forever). A read
    /// that times out fails with `Error::Io` of kind
    /// [`TimedOut`](std_crate::io::ErrorKind::TimedOut) and can be retried,
    /// or the connection dropped.
    pub const fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Bounds each write, handshake included (`None`: wait forever), so a
    /// client that stops reading cannot hold a thread.
    pub const fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The connection's [`Config`].
    pub const fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Buffers for a connection with these options: a read buffer that
    /// grows to hold whole messages up to the [`Config`]'s limit (16 MiB by
    /// default) and shrinks back after them, and a write buffer of 4 KiB
    /// (larger messages go out in pieces). They allocate; pass arrays or
    /// slices to [`accept`] for a connection that never does.
    pub fn buffers(&self) -> (Growable, Vec<u8>) {
        (
            Growable::new(&self.config),
            vec![0; super::DEFAULT_BUFFER_LEN],
        )
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions::new()
    }
}

/// What [`accept`] found on a socket.
pub enum Accepted<B, W = B> {
    /// An open WebSocket, with the subprotocol chosen, if any.
    WebSocket(Server<B, W>, Option<Subprotocol>),
    /// A plain HTTP request, which asked for no upgrade. Read it with
    /// [`WebSocket::http_request`], answer with [`WebSocket::write_raw`]
    /// (with `Connection: close`) and drop the connection.
    Http(Server<B, W>),
}

impl<B: Buffer, W: AsRef<[u8]> + AsMut<[u8]>> core::fmt::Debug for Accepted<B, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Accepted::WebSocket(ws, protocol) => f
                .debug_tuple("WebSocket")
                .field(ws.transport())
                .field(protocol)
                .finish(),
            Accepted::Http(ws) => f.debug_tuple("Http").field(ws.transport()).finish(),
        }
    }
}

/// Runs the server handshake on an accepted socket.
///
/// Turns Nagle's algorithm off (`TCP_NODELAY`), applies the write timeout,
/// reads the request under the handshake deadline and calls `choose` with
/// it to answer it with a [`Response`], as [`WebSocket::accept`] does:
/// accept it with a subprotocol and header fields, or refuse it with a
/// status, header fields and a body of its choosing, which is sent and
/// returned as [`HandshakeError::Refused`]. A request that breaks section
/// 4.2.1 is answered with its `400`, `426` or `431` and returned as
/// [`Error::Handshake`](crate::websocket::Error::Handshake); a handshake
/// that misses its deadline is `Error::Io` of kind
/// [`TimedOut`](std_crate::io::ErrorKind::TimedOut). Either way the
/// socket is closed when the error is dropped. After the handshake, reads
/// wait at most the idle timeout.
///
/// `choose` sees the request's path, `Origin` and offered protocols:
///
/// ```no_run
/// use hybi::handshake::server::Response;
/// use hybi::net::{self, Accepted, ServerOptions};
///
/// # fn f(stream: std::net::TcpStream) -> Result<(), hybi::net::Error> {
/// const SUPPORTED: [&str; 2] = ["chat", "echo"];
/// let accepted = net::accept(stream, &ServerOptions::new(), [0u8; 4096], [0u8; 4096], |request| {
///     match request.origin() {
///         Some("https://example.com") | None => Response::accept()
///             // The first protocol offered that this server speaks.
///             .protocol(request.protocols().find(|p| SUPPORTED.contains(p))),
///         Some(_) => Response::reject(403),
///     }
/// })?;
/// if let Accepted::WebSocket(mut ws, protocol) = accepted {
///     ws.send_text(protocol.as_deref().unwrap_or("no subprotocol"))?;
/// }
/// # Ok(())
/// # }
/// ```
///
/// [`HandshakeError::Refused`]: crate::handshake::HandshakeError::Refused
pub fn accept<'a, B, W, F>(
    socket: TcpStream,
    options: &ServerOptions,
    read_buffer: B,
    write_buffer: W,
    choose: F,
) -> Result<Accepted<B, W>, Error>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
{
    accept_over(socket, None, options, read_buffer, write_buffer, choose)
}

/// Runs the TLS handshake and then the server handshake on an accepted
/// socket (feature `tls`): [`accept`] for `wss://` and `https://`.
///
/// The handshake timeout bounds both handshakes together, so a client
/// that stalls in the TLS handshake, or trickles it, is dropped when it
/// passes ([`TimedOut`](std_crate::io::ErrorKind::TimedOut)). A client
/// that fails the TLS handshake gets rustls's alert; one that sends plain
/// HTTP gets a `400` in plain text that names the scheme to use. Either
/// way the error is `Error::Io` of kind
/// [`InvalidData`](std_crate::io::ErrorKind::InvalidData) carrying a
/// [`TlsError`](super::tls::TlsError) ([`TlsError::from_io`]), and the
/// socket is closed when it drops. Nothing is shared between connections
/// but the `config`. After the handshakes everything is as with
/// [`accept`]: the plain HTTP requests ([`Accepted::Http`]) and the
/// rejections go out over TLS.
///
/// [`TlsError::from_io`]: super::tls::TlsError::from_io
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub fn accept_tls<'a, B, W, F>(
    socket: TcpStream,
    config: &std_crate::sync::Arc<rustls::ServerConfig>,
    options: &ServerOptions,
    read_buffer: B,
    write_buffer: W,
    choose: F,
) -> Result<Accepted<B, W>, Error>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
{
    accept_over(
        socket,
        Some(config),
        options,
        read_buffer,
        write_buffer,
        choose,
    )
}

#[cfg(feature = "tls")]
type TlsConfig<'c> = Option<&'c std_crate::sync::Arc<rustls::ServerConfig>>;
#[cfg(not(feature = "tls"))]
type TlsConfig<'c> = Option<&'c core::convert::Infallible>;

fn accept_over<'a, B, W, F>(
    socket: TcpStream,
    tls: TlsConfig<'_>,
    options: &ServerOptions,
    read_buffer: B,
    write_buffer: W,
    choose: F,
) -> Result<Accepted<B, W>, Error>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
{
    let deadline = options
        .handshake_timeout
        .and_then(|t| Instant::now().checked_add(t));
    #[cfg_attr(not(feature = "tls"), allow(unused_mut))]
    let mut stream = prepare(socket, options, deadline).map_err(Error::Io)?;
    #[cfg(feature = "tls")]
    if let Some(config) = tls {
        let layer =
            super::tls::Layer::server(config.clone(), stream.get_ref()).map_err(Error::Io)?;
        stream.start_tls(layer).map_err(Error::Io)?;
    }
    #[cfg(not(feature = "tls"))]
    let _ = tls;
    accept_on(stream, options, read_buffer, write_buffer, choose)
}

/// A server's socket as a [`Stream`] for its handshake: no Nagle, the
/// write timeout, and the handshake's `deadline`.
pub(super) fn prepare(
    socket: TcpStream,
    options: &ServerOptions,
    deadline: Option<Instant>,
) -> std_crate::io::Result<Stream> {
    socket.set_nodelay(true)?;
    let mut stream = Stream::new(socket);
    stream.set_read_timeout(None)?;
    stream.set_write_timeout(options.write_timeout)?;
    stream.set_deadline(deadline)?;
    Ok(stream)
}

/// The server handshake over a [`Stream`] from [`prepare`] (with its TLS
/// started, for `wss://`), then the idle timeout.
pub(super) fn accept_on<'a, B, W, F>(
    stream: Stream,
    options: &ServerOptions,
    read_buffer: B,
    write_buffer: W,
    choose: F,
) -> Result<Accepted<B, W>, Error>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
{
    let mut ws = WebSocket::server(stream, read_buffer, write_buffer, options.config);
    let outcome = ws.accept(choose)?;
    let stream = ws.transport_mut();
    stream
        .set_read_timeout(options.idle_timeout)
        .and_then(|()| stream.set_deadline(None))
        .map_err(Error::Io)?;
    Ok(match outcome {
        ServerHandshake::Accepted { protocol } => Accepted::WebSocket(ws, protocol),
        ServerHandshake::Http => Accepted::Http(ws),
    })
}
