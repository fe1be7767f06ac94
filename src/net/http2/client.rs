//! The client side: WebSockets as streams of one HTTP/2 connection.

use core::time::Duration;
use std_crate::io;
use std_crate::string::{String, ToString};
use std_crate::vec::Vec;

use bytes::Bytes;
use h2::client::SendRequest;

use super::server::{CONNECTION_WINDOW, STREAM_WINDOW};
use super::{ALPN_H2, Error, Stream};
use crate::connection::Buffer;
use crate::handshake::connect;
use crate::http::EMPTY_HEADER;
use crate::net::extended;
use crate::net::runtime::block_on;
use crate::net::{ClientOptions, ConnectError, Connected, Growable, OsRandom, Url};
use crate::websocket::WebSocket;

/// A WebSocket over an HTTP/2 stream, client side, with the read buffer `B`
/// and the write buffer `W`.
pub type ClientOver<B, W = B> = WebSocket<Stream, B, crate::Client<OsRandom>, W>;

/// A client WebSocket over HTTP/2 with the buffers [`connect()`] and
/// [`Session::open`] make: the same as [`net::Client`](crate::net::Client)'s.
pub type Client = ClientOver<Growable, Vec<u8>>;

/// One HTTP/2 connection to a server, for WebSockets on its streams
/// ([`Session::open`], [`Session::open_with`]): each is a stream of the
/// same TCP connection (and TLS session), sharing its flow-control window,
/// opened with one round trip and no handshake of its own beyond the
/// extended CONNECT.
///
/// The connection's I/O runs on the runtime's thread. It closes when the
/// session and every WebSocket opened on it are dropped.
pub struct Session {
    send: SendRequest<Bytes>,
    host: String,
    port: u16,
    secure: bool,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http2::Session")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

/// Connects to a `wss://` URL over HTTP/2 (or a `ws://` one over HTTP/2
/// without TLS, which browsers never do but servers may take) and opens
/// one WebSocket on it with the default options: [`net::connect`] over
/// HTTP/2. To open more than one on the same connection, use a
/// [`Session`].
///
/// [`net::connect`]: crate::net::connect
pub fn connect(url: &str) -> Result<(Client, Connected<'static>), ConnectError> {
    let options = ClientOptions::new();
    let session = Session::connect(url, &options)?;
    let path = Url::parse(url)?.path;
    session.open(path)
}

impl Session {
    /// Connects to the server of `url` (`wss://`: TLS with ALPN `h2`;
    /// `ws://`: HTTP/2 with prior knowledge, RFC 9113 section 3.3), runs
    /// the HTTP/2 handshake and waits for the server's SETTINGS, which must
    /// enable extended CONNECT (RFC 8441 section 3;
    /// [`Error::NotEnabled`] otherwise). `options` gives the connect and
    /// handshake timeouts and the TLS roots; the URL's path is not used.
    pub fn connect(url: &str, options: &ClientOptions<'_>) -> Result<Session, ConnectError> {
        let url = Url::parse(url)?;
        let socket = crate::net::client::open(url.host, url.port, options.connect_timeout)?;
        socket.set_nodelay(true)?;
        socket.set_nonblocking(true)?;

        let tls = if url.secure {
            let mut config = std_crate::sync::Arc::unwrap_or_clone(options.tls_client_config()?);
            config.alpn_protocols = Vec::from([ALPN_H2.to_vec()]);
            let name = rustls::pki_types::ServerName::try_from(url.host.to_string())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            Some((
                tokio_rustls::TlsConnector::from(std_crate::sync::Arc::new(config)),
                name,
            ))
        } else {
            None
        };
        let send = block_on(options.handshake_timeout, async {
            let socket = tokio::net::TcpStream::from_std(socket).map_err(ConnectError::Io)?;
            match tls {
                Some((connector, name)) => {
                    let tls = connector.connect(name, socket).await.map_err(tls_error)?;
                    if tls.get_ref().1.alpn_protocol() != Some(ALPN_H2) {
                        return Err(ConnectError::Http2(Error::NotHttp2));
                    }
                    handshake(tls).await
                }
                None => handshake(socket).await,
            }
        })??;
        Ok(Session {
            send,
            host: url.host.to_string(),
            port: url.port,
            secure: url.secure,
        })
    }

    /// Opens a WebSocket at `path` (with its query) on this connection,
    /// with the default options and the buffers of
    /// [`ClientOptions::buffers`].
    pub fn open(&self, path: &str) -> Result<(Client, Connected<'static>), ConnectError> {
        let options = ClientOptions::new();
        let (read_buffer, write_buffer) = options.buffers();
        self.open_with(path, &options, read_buffer, write_buffer)
    }

    /// Opens a WebSocket at `path` on this connection, with `options`
    /// (subprotocols, `origin`, extra fields, the handshake, read and
    /// write timeouts, the [`Config`](crate::Config)) over the caller's
    /// buffers: the extended CONNECT of RFC 8441 section 5, answered with
    /// `:status 200`. permessage-deflate is offered when the read buffer
    /// has inflate memory (feature `deflate`). A server's refusal, or an
    /// answer that breaks RFC 8441, is [`ConnectError::Http2`] with
    /// [`Error::Handshake`].
    pub fn open_with<'o, B, W>(
        &self,
        path: &str,
        options: &ClientOptions<'o>,
        read_buffer: B,
        write_buffer: W,
    ) -> Result<(ClientOver<B, W>, Connected<'o>), ConnectError>
    where
        B: Buffer,
        W: AsRef<[u8]> + AsMut<[u8]>,
    {
        let (request, read_buffer, write_buffer) = extended::client_request(
            &self.host,
            self.port,
            self.secure,
            path,
            options,
            read_buffer,
            write_buffer,
        );
        let http_request = to_http(&request)?;

        let mut send = self.send.clone();
        let timeout = options.handshake_timeout;
        let (response, send_stream) = block_on(timeout, async {
            send.clone().ready().await?;
            let (response, stream) = send.send_request(http_request, false)?;
            Ok::<_, h2::Error>((response.await?, stream))
        })?
        .map_err(|e| ConnectError::Io(super::stream::io_error(e)))?;
        let (parts, recv) = response.into_parts();
        let mut fields = Vec::with_capacity(parts.headers.len() + 1);
        fields.push(crate::http::Header {
            name: ":status",
            value: parts.status.as_str().as_bytes(),
        });
        for (name, value) in &parts.headers {
            fields.push(crate::http::Header {
                name: name.as_str(),
                value: value.as_bytes(),
            });
        }
        let accepted = connect::check_response(&request, &fields)
            .map_err(|e| ConnectError::Http2(Error::Handshake(e)))?;
        let mut stream = Stream::new(send_stream, recv);
        stream.set_read_timeout(options.read_timeout);
        stream.set_write_timeout(options.write_timeout);
        Ok(extended::client_websocket(
            stream,
            read_buffer,
            write_buffer,
            options,
            &accepted,
        )?)
    }

    /// Whether the server still lets this connection open streams: false
    /// once it is gone or said GOAWAY.
    pub fn is_open(&self) -> bool {
        let mut send = self.send.clone();
        let ready = block_on(Some(Duration::ZERO), async move {
            core::future::poll_fn(|cx| send.poll_ready(cx)).await
        });
        !matches!(ready, Ok(Err(_)))
    }
}

/// The HTTP/2 handshake over `io`, the connection's task spawned, and the
/// server's SETTINGS awaited: a PING's answer comes after them.
async fn handshake<T>(io: T) -> Result<SendRequest<Bytes>, ConnectError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let h2_error = |e: h2::Error| ConnectError::Io(super::stream::io_error(e));
    let (send, mut connection) = h2::client::Builder::new()
        .initial_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW)
        .handshake(io)
        .await
        .map_err(h2_error)?;
    let mut ping = connection.ping_pong();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    if let Some(ping) = ping.as_mut() {
        ping.ping(h2::Ping::opaque()).await.map_err(h2_error)?;
    }
    let send = send.ready().await.map_err(h2_error)?;
    if !send.is_extended_connect_protocol_enabled() {
        return Err(ConnectError::Http2(Error::NotEnabled));
    }
    Ok(send)
}

/// The extended CONNECT of `request` as the `http` crate's request h2
/// sends: the pseudo-header fields as method, URI and `:protocol`.
fn to_http(
    request: &crate::handshake::client::Request<'_>,
) -> Result<::http::Request<()>, ConnectError> {
    let mut buf = [0u8; 1024];
    let mut fields = [EMPTY_HEADER; 64];
    let n = connect::request_fields(request, &mut buf, &mut fields)
        .map_err(|e| ConnectError::Http2(Error::Handshake(e.into())))?;
    let fields = fields.get(..n).unwrap_or_default();
    let value = |name: &str| {
        fields
            .iter()
            .find(|h| h.name == name)
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
            .unwrap_or_default()
    };
    let uri = ::http::Uri::builder()
        .scheme(value(":scheme").as_str())
        .authority(value(":authority").as_str())
        .path_and_query(value(":path").as_str())
        .build()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut builder = ::http::Request::builder()
        .method(::http::Method::CONNECT)
        .uri(uri)
        .extension(h2::ext::Protocol::from_static(connect::PROTOCOL));
    for field in fields.iter().filter(|h| !h.name.starts_with(':')) {
        builder = builder.header(field.name, field.value);
    }
    builder
        .body(())
        .map_err(|e| ConnectError::Io(io::Error::new(io::ErrorKind::InvalidInput, e)))
}

/// A TLS handshake's failure as [`ConnectError::Tls`] when rustls says why.
fn tls_error(e: io::Error) -> ConnectError {
    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(tls) => ConnectError::Tls(crate::net::tls::TlsError::from_rustls(tls.clone())),
        None => ConnectError::Io(e),
    }
}
