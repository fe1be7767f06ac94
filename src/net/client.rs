//! The client side over `std::net`: [`connect`] to a `ws://` URL, or with
//! feature `tls` a `wss://` one (RFC 6455 sections 3 and 4.1).

use crate::connection::Buffer;
use core::fmt;
use core::time::Duration;

use std_crate::io;
use std_crate::net::{TcpStream, ToSocketAddrs};
use std_crate::time::Instant;

use std_crate::vec;
use std_crate::vec::Vec;

use super::{Growable, OsRandom, Stream, Url, UrlError};
use crate::websocket::{self, Config, WebSocket};

/// The size of the write buffer of a [`Client`] made by [`connect`]
/// (larger messages go out in pieces).
pub const DEFAULT_BUFFER_LEN: usize = 4096;

/// A client connection as [`connect`] makes it: its read buffer grows to
/// hold whole messages up to the limit in its [`Config`] (16 MiB by
/// default) and shrinks back after them ([`Growable`]); its write buffer
/// is [`DEFAULT_BUFFER_LEN`] bytes.
pub type Client = ClientOver<Growable, Vec<u8>>;

/// A client connection over TCP with the read buffer `B` and the write
/// buffer `W`: what [`connect_with`] returns.
pub type ClientOver<B, W = B> = WebSocket<Stream, B, crate::Client<OsRandom>, W>;

/// What the server agreed to in the opening handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Connected<'a> {
    /// The subprotocol the server chose, one of those offered in
    /// [`ClientOptions::protocols`].
    pub protocol: Option<&'a str>,
}

/// How [`connect_with`] connects.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions<'a> {
    pub(super) protocols: &'a [&'a str],
    pub(super) origin: Option<&'a str>,
    pub(super) headers: &'a [(&'a str, &'a str)],
    pub(super) connect_timeout: Option<Duration>,
    pub(super) handshake_timeout: Option<Duration>,
    pub(super) read_timeout: Option<Duration>,
    pub(super) write_timeout: Option<Duration>,
    pub(super) config: Config,
    #[cfg(feature = "tls")]
    pub(super) roots: super::tls::Roots<'a>,
    #[cfg(feature = "tls")]
    pub(super) tls_config: Option<&'a std_crate::sync::Arc<rustls::ClientConfig>>,
}

impl<'a> ClientOptions<'a> {
    /// No subprotocols, no `Origin`, no extra headers, no timeouts, the
    /// default [`Config`].
    pub const fn new() -> Self {
        ClientOptions {
            protocols: &[],
            origin: None,
            headers: &[],
            connect_timeout: None,
            handshake_timeout: None,
            read_timeout: None,
            write_timeout: None,
            config: Config::new(),
            #[cfg(feature = "tls")]
            roots: super::tls::Roots::BuiltIn,
            #[cfg(feature = "tls")]
            tls_config: None,
        }
    }

    /// Subprotocols to offer, most preferred first; each must be a token.
    /// The server's choice is [`Connected::protocol`].
    pub const fn protocols(mut self, protocols: &'a [&'a str]) -> Self {
        self.protocols = protocols;
        self
    }

    /// The `Origin` field to send.
    pub const fn origin(mut self, origin: &'a str) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Extra header fields (`Authorization`, `Cookie`...): see
    /// [`client::Request::headers`](crate::handshake::client::Request::headers).
    pub const fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Bounds the TCP connect, for each address the host resolves to.
    pub const fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Bounds the whole opening handshake, after the TCP connect.
    pub const fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = Some(timeout);
        self
    }

    /// Bounds each read, during the handshake and after it. A read that
    /// times out fails with [`io::ErrorKind::TimedOut`] and can be retried.
    ///
    /// It also bounds the wait, after the close handshake, for the server
    /// to close the TCP connection (section 7.1.1): the read that returns
    /// the server's [`Message::Close`](crate::websocket::Message::Close)
    /// returns at once, and the read after it waits for the end of the
    /// connection before it returns
    /// [`Error::Closed`](crate::websocket::Error::Closed). Without a
    /// timeout, a server that keeps the connection open holds that read.
    pub const fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Bounds each write.
    pub const fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = Some(timeout);
        self
    }

    /// The connection's [`Config`].
    pub const fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Buffers for a connection with these options, as [`connect`] makes
    /// them: a read buffer that grows to hold whole messages up to the
    /// [`Config`]'s limit, and a write buffer of [`DEFAULT_BUFFER_LEN`]
    /// bytes. They allocate; pass arrays or slices to [`connect_with`] for
    /// a connection that never does.
    pub fn buffers(&self) -> (Growable, Vec<u8>) {
        (Growable::new(&self.config), vec![0; DEFAULT_BUFFER_LEN])
    }

    /// For `wss://`: the roots a server's certificate must chain to
    /// (default [`Roots::BuiltIn`](super::tls::Roots::BuiltIn), the
    /// Mozilla set compiled in). A private CA:
    /// `Roots::Custom(&tls::load_roots("ca.pem")?)`.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub const fn roots(mut self, roots: super::tls::Roots<'a>) -> Self {
        self.roots = roots;
        self
    }

    /// For `wss://`: a rustls client configuration of the caller's, used
    /// as it is in place of one made from [`roots`](Self::roots) (client
    /// certificates, ALPN, resumption across connections).
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub const fn tls_config(
        mut self,
        config: &'a std_crate::sync::Arc<rustls::ClientConfig>,
    ) -> Self {
        self.tls_config = Some(config);
        self
    }

    /// The TLS configuration a connection with these options uses: the
    /// caller's ([`tls_config`](Self::tls_config)), else one trusting the
    /// [`roots`](Self::roots).
    #[cfg(feature = "tls")]
    pub(crate) fn tls_client_config(
        &self,
    ) -> io::Result<std_crate::sync::Arc<rustls::ClientConfig>> {
        match self.tls_config {
            Some(config) => Ok(config.clone()),
            None => super::tls::client_config(self.roots),
        }
    }
}

impl Default for ClientOptions<'_> {
    fn default() -> Self {
        ClientOptions::new()
    }
}

/// Why [`connect`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectError {
    /// The URL is not a `ws://` URL.
    InvalidUrl(UrlError),
    /// The URL is `wss://` and hybi was built without feature `tls`:
    /// turn it on, or wrap a TLS library's stream in [`Std`](super::Std)
    /// and run [`WebSocket::client`] and [`WebSocket::connect`] over it.
    TlsUnsupported,
    /// The TLS handshake of a `wss://` URL failed: the server's
    /// certificate (expired, untrusted, for another name), or a server
    /// that does not speak TLS. The error says which.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    Tls(super::tls::TlsError),
    /// Over HTTP/2 (feature `http2`): the server did not agree to HTTP/2
    /// or to extended CONNECT, or the extended CONNECT failed (refused,
    /// or an answer that breaks RFC 8441).
    #[cfg(feature = "http2")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
    Http2(super::http2::Error),
    /// Over HTTP/3 (feature `http3`): the server did not agree to HTTP/3
    /// or to extended CONNECT, or the extended CONNECT failed (refused,
    /// or an answer that breaks RFC 9220).
    #[cfg(feature = "http3")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http3")))]
    Http3(super::http3::Error),
    /// Resolving the host, connecting or setting up the socket failed.
    Io(io::Error),
    /// The opening handshake failed: the transport, or the server's answer
    /// ([`websocket::Error::Handshake`]).
    WebSocket(websocket::Error<io::Error>),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::InvalidUrl(e) => write!(f, "invalid WebSocket URL: {e}"),
            ConnectError::TlsUnsupported => f.write_str(
                "wss:// needs TLS: build hybi with its feature `tls`, \
                 or wrap a TLS stream in hybi::net::Std and use WebSocket::client",
            ),
            #[cfg(feature = "tls")]
            ConnectError::Tls(e) => write!(f, "cannot connect: {e}"),
            #[cfg(feature = "http2")]
            ConnectError::Http2(e) => write!(f, "WebSocket over HTTP/2 failed: {e}"),
            #[cfg(feature = "http3")]
            ConnectError::Http3(e) => write!(f, "WebSocket over HTTP/3 failed: {e}"),
            ConnectError::Io(e) => write!(f, "cannot connect: {e}"),
            ConnectError::WebSocket(e) => write!(f, "WebSocket handshake failed: {e}"),
        }
    }
}

impl std_crate::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std_crate::error::Error + 'static)> {
        match self {
            ConnectError::InvalidUrl(e) => Some(e),
            ConnectError::TlsUnsupported => None,
            #[cfg(feature = "tls")]
            ConnectError::Tls(e) => Some(e),
            #[cfg(feature = "http2")]
            ConnectError::Http2(e) => Some(e),
            #[cfg(feature = "http3")]
            ConnectError::Http3(e) => Some(e),
            ConnectError::Io(e) => Some(e),
            ConnectError::WebSocket(e) => Some(e),
        }
    }
}

impl From<UrlError> for ConnectError {
    fn from(e: UrlError) -> Self {
        ConnectError::InvalidUrl(e)
    }
}

impl From<io::Error> for ConnectError {
    fn from(e: io::Error) -> Self {
        ConnectError::Io(e)
    }
}

impl From<websocket::Error<io::Error>> for ConnectError {
    fn from(e: websocket::Error<io::Error>) -> Self {
        ConnectError::WebSocket(e)
    }
}

/// Connects to a `ws://` URL (with feature `tls`, `wss://` too) with the
/// default options and the buffers of [`ClientOptions::buffers`]: messages
/// up to 16 MiB are read whole.
///
/// ```no_run
/// let (mut ws, _) = hybi::net::connect("ws://127.0.0.1:9001/")?;
/// ws.send_text("hello")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn connect(url: &str) -> Result<(Client, Connected<'static>), ConnectError> {
    let options = ClientOptions::new();
    let (read_buffer, write_buffer) = options.buffers();
    connect_with(url, &options, read_buffer, write_buffer)
}

/// Connects to a `ws://` URL with `options`, over the caller's buffers
/// (arrays, slices, `Vec`s: see [the buffer sizes](crate::websocket#buffers)).
///
/// Resolves the host, connects to each address in turn until one accepts,
/// turns Nagle's algorithm off (`TCP_NODELAY`: frames go out when
/// flushed), applies the timeouts and runs the opening handshake.
///
/// A `wss://` URL runs the TLS handshake first, under the handshake
/// timeout too: the host name is sent as SNI and the server's certificate
/// must be valid for it and chain to the [roots](ClientOptions::roots)
/// (see [`tls`](super::tls)); a failure is [`ConnectError::Tls`]. Without
/// feature `tls`, a `wss://` URL gives [`ConnectError::TlsUnsupported`].
///
/// ```no_run
/// use hybi::net::{self, ClientOptions};
/// use std::time::Duration;
///
/// let options = ClientOptions::new()
///     .protocols(&["chat", "echo"])
///     .connect_timeout(Duration::from_secs(5))
///     .handshake_timeout(Duration::from_secs(5));
/// let (ws, connected) =
///     net::connect_with("ws://127.0.0.1:9001/", &options, vec![0; 1 << 20], vec![0; 1 << 16])?;
/// println!("subprotocol: {:?}", connected.protocol);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn connect_with<'o, B, W>(
    url: &str,
    options: &ClientOptions<'o>,
    read_buffer: B,
    write_buffer: W,
) -> Result<(ClientOver<B, W>, Connected<'o>), ConnectError>
where
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    let url = Url::parse(url)?;
    #[cfg(not(feature = "tls"))]
    if url.secure {
        return Err(ConnectError::TlsUnsupported);
    }
    let socket = open(url.host, url.port, options.connect_timeout)?;
    socket.set_nodelay(true)?;
    let mut stream = Stream::new(socket);
    stream.set_read_timeout(options.read_timeout)?;
    stream.set_write_timeout(options.write_timeout)?;
    let deadline = options
        .handshake_timeout
        .and_then(|t| Instant::now().checked_add(t));
    stream.set_deadline(deadline)?;
    #[cfg(feature = "tls")]
    if url.secure {
        start_tls(&mut stream, options, url.host)?;
    }

    let mut request = url
        .request()
        .protocols(options.protocols)
        .headers(options.headers);
    if let Some(origin) = options.origin {
        request = request.origin(origin);
    }
    let mut ws = WebSocket::client(stream, read_buffer, write_buffer, OsRandom, options.config);
    let chosen = ws.connect(&request)?;
    let protocol = options
        .protocols
        .iter()
        .copied()
        .find(|offered| Some(*offered) == chosen);
    ws.transport_mut().set_deadline(None)?;
    Ok((ws, Connected { protocol }))
}

/// The TLS handshake of a `wss://` URL.
#[cfg(feature = "tls")]
fn start_tls(
    stream: &mut Stream,
    options: &ClientOptions<'_>,
    host: &str,
) -> Result<(), ConnectError> {
    use super::tls::{Layer, TlsError};
    let layer = Layer::client(options.tls_client_config()?, host, stream.get_ref())?;
    stream.start_tls(layer).map_err(|e| {
        if TlsError::from_io(&e).is_none() {
            return ConnectError::Io(e);
        }
        match e.into_inner().map(|inner| inner.downcast::<TlsError>()) {
            Some(Ok(tls)) => ConnectError::Tls(*tls),
            _ => ConnectError::Io(io::ErrorKind::InvalidData.into()),
        }
    })
}

/// Connects to the first address of `host` that accepts.
pub(super) fn open(host: &str, port: u16, timeout: Option<Duration>) -> io::Result<TcpStream> {
    let mut last = None;
    for addr in (host, port).to_socket_addrs()? {
        let attempt = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(socket) => return Ok(socket),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrNotAvailable)))
}
