//! The client side: WebSockets as request streams of one QUIC connection.

use std_crate::io;
use std_crate::net::{SocketAddr, ToSocketAddrs};
use std_crate::string::{String, ToString};
use std_crate::sync::Arc;
use std_crate::vec::Vec;

use bytes::Bytes;
use quinn::VarInt;

use super::frame::{self, OnRequest};
use super::qpack;
use super::server::{MAX_FIELD_SECTION_SIZE, SettingsReport, accept_uni_streams};
use super::stream::{Closer, FrameReader, ReadFail, connection_error, write_error};
use super::{ALPN_H3, Error, Stream};
use crate::connection::Buffer;
use crate::handshake::connect;
use crate::http::{EMPTY_HEADER, Header};
use crate::net::extended;
use crate::net::runtime::{self, block_on};
use crate::net::{ClientOptions, ConnectError, Connected, Growable, OsRandom, Url};
use crate::websocket::WebSocket;

/// A WebSocket over an HTTP/3 stream, client side, with the read buffer `B`
/// and the write buffer `W`.
pub type ClientOver<B, W = B> = WebSocket<Stream, B, crate::Client<OsRandom>, W>;

/// A client WebSocket over HTTP/3 with the buffers [`connect()`] and
/// [`Session::open`] make: the same as [`net::Client`](crate::net::Client)'s.
pub type Client = ClientOver<Growable, Vec<u8>>;

/// One HTTP/3 connection to a server, for WebSockets on its request
/// streams ([`Session::open`], [`Session::open_with`]): each is a stream
/// of the same QUIC connection, opened with one round trip and no
/// handshake of its own beyond the extended CONNECT.
///
/// The connection's I/O runs on the runtime's thread. It closes
/// (H3_NO_ERROR) when the session and every WebSocket opened on it are
/// dropped.
pub struct Session {
    closer: Arc<Closer>,
    host: String,
    port: u16,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http3::Session")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// Connects to a `wss://` URL over HTTP/3 and opens one WebSocket on it
/// with the default options: [`net::connect`] over HTTP/3. To open more
/// than one on the same connection, use a [`Session`].
///
/// [`net::connect`]: crate::net::connect
pub fn connect(url: &str) -> Result<(Client, Connected<'static>), ConnectError> {
    let options = ClientOptions::new();
    let session = Session::connect(url, &options)?;
    let path = Url::parse(url)?.path;
    session.open(path)
}

/// A QUIC client configuration from `options`' TLS (its configuration,
/// or one with its roots): ALPN `h3`, and [`transport`](super::transport)'s
/// settings.
pub fn client_config(options: &ClientOptions<'_>) -> Result<quinn::ClientConfig, ConnectError> {
    let mut tls = Arc::unwrap_or_clone(options.tls_client_config()?);
    tls.alpn_protocols = Vec::from([ALPN_H3.to_vec()]);
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut config = quinn::ClientConfig::new(Arc::new(quic));
    let mut transport = super::transport();
    // A server opens no request streams (RFC 9114 section 6.1).
    transport.max_concurrent_bidi_streams(VarInt::from_u32(0));
    config.transport_config(Arc::new(transport));
    Ok(config)
}

impl Session {
    /// Connects to the server of `url` (`wss://` only: QUIC is always TLS)
    /// over QUIC with ALPN `h3`, opens the control stream, and waits for
    /// the server's SETTINGS, which must enable extended CONNECT (RFC 9220
    /// section 3; [`Error::NotEnabled`] otherwise). `options` gives the
    /// handshake timeout (for all of it) and the TLS roots; the URL's path
    /// is not used.
    pub fn connect(url: &str, options: &ClientOptions<'_>) -> Result<Session, ConnectError> {
        Session::connect_with(url, options, client_config(options)?)
    }

    /// [`Session::connect`] with a QUIC configuration of the caller's:
    /// from [`client_config`], changed, say; its TLS must offer ALPN `h3`.
    pub fn connect_with(
        url: &str,
        options: &ClientOptions<'_>,
        config: quinn::ClientConfig,
    ) -> Result<Session, ConnectError> {
        let url = Url::parse(url)?;
        if !url.secure {
            return Err(ConnectError::Http3(Error::NotSecure));
        }
        // IPv4 first: over UDP, an address where nothing listens fails only
        // when the handshake times out, and `localhost` often resolves to
        // ::1 before 127.0.0.1 while servers listen on the latter.
        let mut addrs: Vec<SocketAddr> = (url.host, url.port).to_socket_addrs()?.collect();
        addrs.sort_by_key(|a| !a.is_ipv4());
        let addr = addrs
            .first()
            .copied()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address for the host"))?;
        let local: SocketAddr = if addr.is_ipv4() {
            (std_crate::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std_crate::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        // quinn spawns its drivers on the runtime it is called in.
        let (endpoint, connecting) = {
            let _entered = runtime::handle()?.enter();
            let endpoint = quinn::Endpoint::client(local)?;
            let connecting = endpoint
                .connect_with(config, addr, url.host)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            (endpoint, connecting)
        };
        let closer = block_on(options.handshake_timeout, async move {
            let quic = connecting.await.map_err(connection_error)?;
            let alpn = quic
                .handshake_data()
                .and_then(|d| d.downcast::<quinn::crypto::rustls::HandshakeData>().ok())
                .and_then(|d| d.protocol);
            if alpn.as_deref() != Some(ALPN_H3) {
                return Err(ConnectError::Http3(Error::NotHttp3));
            }
            let mut control = quic.open_uni().await.map_err(connection_error)?;
            let opening = frame::control_stream_opening(false, MAX_FIELD_SECTION_SIZE as u64);
            control.write_all(&opening).await.map_err(write_error)?;
            let closer = Arc::new(Closer {
                connection: quic.clone(),
                _control: control,
            });
            let (report, mut settings) = tokio::sync::watch::channel(None);
            let report: Arc<SettingsReport> = Arc::new(report);
            tokio::spawn(accept_uni_streams(quic.clone(), report));
            let got = settings
                .wait_for(Option::is_some)
                .await
                .map(|s| *s)
                .map_err(|_| io::Error::from(io::ErrorKind::ConnectionReset))?;
            match got {
                Some(Ok(s)) if s.extended_connect => Ok(closer),
                Some(Ok(_)) => Err(ConnectError::Http3(Error::NotEnabled)),
                _ => Err(ConnectError::Io(
                    quic.close_reason()
                        .map(connection_error)
                        .unwrap_or_else(|| io::ErrorKind::InvalidData.into()),
                )),
            }
        })??;
        // The endpoint's driver runs as long as its connections.
        drop(endpoint);
        Ok(Session {
            closer,
            host: url.host.to_string(),
            port: url.port,
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
    /// buffers: the extended CONNECT of RFC 9220 section 3, answered with
    /// `:status 200`. permessage-deflate is offered when the read buffer
    /// has inflate memory (feature `deflate`). A server's refusal, or an
    /// answer that breaks RFC 9220, is [`ConnectError::Http3`] with
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
            true,
            path,
            options,
            read_buffer,
            write_buffer,
        );
        let mut buf = [0u8; 1024];
        let mut fields = [EMPTY_HEADER; 64];
        let n = connect::request_fields(&request, &mut buf, &mut fields)
            .map_err(|e| ConnectError::Http3(Error::Handshake(e.into())))?;
        let fields = fields.get(..n).unwrap_or_default();
        let block = qpack::encode(fields.iter().map(|h| (h.name, h.value)));
        let mut headers = Vec::with_capacity(block.len() + 8);
        frame::put_frame_header(&mut headers, frame::HEADERS, block.len());
        headers.extend_from_slice(&block);

        let quic = self.closer.connection.clone();
        let (send, mut reader, response) = block_on(options.handshake_timeout, async move {
            let (mut send, recv) = quic.open_bi().await.map_err(connection_error)?;
            send.write_chunk(Bytes::from(headers))
                .await
                .map_err(write_error)?;
            let mut reader = FrameReader::new(recv, quic);
            let response = read_response(&mut reader).await?;
            Ok::<_, io::Error>((send, reader, response))
        })??;
        let mut fields = Vec::with_capacity(response.len());
        for (name, value) in &response {
            fields.push(Header { name, value });
        }
        let accepted = match connect::check_response(&request, &fields) {
            Ok(accepted) => accepted,
            Err(e) => {
                // Not a WebSocket: the stream is of no more use.
                let code = VarInt::from_u32(frame::H3_REQUEST_CANCELLED);
                let mut send = send;
                let _ = send.reset(code);
                let _ = reader.recv.stop(code);
                return Err(ConnectError::Http3(Error::Handshake(e)));
            }
        };
        let mut stream = Stream::new(send, reader, Some(self.closer.clone()));
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

    /// Whether the QUIC connection is still up.
    pub fn is_open(&self) -> bool {
        self.closer.connection.close_reason().is_none()
    }

    /// The QUIC connection, for what hybi does not do: statistics, a
    /// close with a code of the caller's.
    pub fn quic(&self) -> &quinn::Connection {
        &self.closer.connection
    }
}

/// Reads the response's HEADERS: interim (1xx) ones skipped (RFC 9114
/// section 4.1), frames of unknown types too.
async fn read_response(reader: &mut FrameReader) -> io::Result<Vec<qpack::Field>> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, String::from(what));
    loop {
        let (kind, len) = reader
            .frame_header()
            .await
            .map_err(ReadFail::into_io)?
            .ok_or_else(|| bad("the server ended the stream without a response"))?;
        match frame::on_request(kind) {
            OnRequest::Headers => {
                if len > MAX_FIELD_SECTION_SIZE as u64 {
                    return Err(bad("the server's response is too large"));
                }
                let block = reader
                    .payload(len as usize)
                    .await
                    .map_err(ReadFail::into_io)?;
                let fields = qpack::decode(&block, MAX_FIELD_SECTION_SIZE).map_err(|e| {
                    if e == qpack::Error::Decompression {
                        reader.fail(frame::QPACK_DECOMPRESSION_FAILED);
                    }
                    bad("the server's response cannot be decoded (QPACK)")
                })?;
                let interim = fields
                    .iter()
                    .find(|(n, _)| n == ":status")
                    .is_some_and(|(_, v)| v.first() == Some(&b'1'));
                if !interim {
                    return Ok(fields);
                }
            }
            OnRequest::Data | OnRequest::Unexpected => {
                return Err(reader.fail(frame::H3_FRAME_UNEXPECTED).into_io());
            }
            OnRequest::Skip => reader.discard(len).await.map_err(ReadFail::into_io)?,
        }
    }
}
