//! The server side: QUIC connections on a UDP socket, an HTTP/3
//! connection on each, WebSockets on their request streams.

use core::time::Duration;
use std_crate::io;
use std_crate::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std_crate::string::String;
use std_crate::sync::Arc;
use std_crate::sync::atomic::{AtomicBool, Ordering};
use std_crate::vec::Vec;

use bytes::Bytes;
use quinn::{RecvStream, SendStream, VarInt};
use tokio::sync::mpsc;

use super::frame::{self, OnRequest};
use super::qpack;
use super::stream::{FrameReader, ReadFail, write_error};
use std_crate::string::ToString;

use super::{ALPN_H3, Error, Stream};
use crate::connection::Buffer;
use crate::handshake::connect::{self, Answer, Request as ConnectRequest};
use crate::handshake::server::Response;
use crate::http::Header;
use crate::net::ServerOptions;
use crate::net::extended::{self, Respond};
use crate::net::runtime::{self, block_on};
use crate::websocket::{Subprotocol, WebSocket};

/// A WebSocket over an HTTP/3 stream, server side, with the read buffer `B`
/// and the write buffer `W`: the same type as over TCP, on another
/// transport.
pub type Server<B, W = B> = WebSocket<Stream, B, crate::Server, W>;

/// The most request streams a client may have open at once on one
/// connection (QUIC's `initial_max_streams_bidi`, in [`transport`]): QUIC
/// flow control holds a flood of streams beyond it at the client.
///
/// [`transport`]: super::transport
pub const MAX_CONCURRENT_STREAMS: u32 = 256;

/// The largest field section hybi takes (`SETTINGS_MAX_FIELD_SECTION_SIZE`,
/// RFC 9114 section 4.2.2): a larger one resets its stream with
/// H3_EXCESSIVE_LOAD.
pub const MAX_FIELD_SECTION_SIZE: usize = 16 * 1024;

/// A QUIC server configuration from a TLS one (from
/// [`tls::server_config`](crate::net::tls::server_config), say): ALPN `h3`
/// (RFC 9114 section 3.1), TLS 1.3 as QUIC needs it (RFC 9001), and
/// [`transport`](super::transport)'s settings.
pub fn server_config(tls: Arc<rustls::ServerConfig>) -> io::Result<quinn::ServerConfig> {
    let mut tls = Arc::unwrap_or_clone(tls);
    tls.alpn_protocols = Vec::from([ALPN_H3.to_vec()]);
    // QUIC carries no TLS 1.3 early data here (0-RTT requests are
    // replayable: RFC 9114 section 10.9).
    tls.max_early_data_size = 0;
    let quic = quinn::crypto::rustls::QuicServerConfig::try_from(tls)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(quic));
    config.transport_config(Arc::new(super::transport()));
    Ok(config)
}

/// A server's UDP socket, accepting QUIC connections for HTTP/3 in the
/// background: [`Listener::accept`] hands them out once their QUIC
/// handshake is done. Datagrams that are not QUIC, and handshakes that
/// fail or take longer than the handshake timeout, are dropped there.
///
/// Dropping it stops accepting; the connections already accepted go on.
pub struct Listener {
    endpoint: quinn::Endpoint,
    connections: mpsc::UnboundedReceiver<Connection>,
}

impl core::fmt::Debug for Listener {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http3::Listener")
            .field("local_addr", &self.endpoint.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// Binds a UDP socket at `addr` and serves HTTP/3 on it with `tls`
    /// ([`server_config`]) and `options` (the handshake timeout bounds the
    /// QUIC handshake and each request's HEADERS; the rest is for the
    /// WebSockets).
    pub fn bind(
        addr: impl ToSocketAddrs,
        tls: Arc<rustls::ServerConfig>,
        options: &ServerOptions,
    ) -> io::Result<Listener> {
        Listener::bind_with(addr, server_config(tls)?, options)
    }

    /// [`Listener::bind`] with a QUIC configuration of the caller's: from
    /// [`server_config`], changed, say; its TLS must offer ALPN `h3`.
    pub fn bind_with(
        addr: impl ToSocketAddrs,
        config: quinn::ServerConfig,
        options: &ServerOptions,
    ) -> io::Result<Listener> {
        let socket = UdpSocket::bind(addr)?;
        let handle = runtime::handle()?;
        let endpoint = {
            let _entered = handle.enter();
            quinn::Endpoint::new(
                quinn::EndpointConfig::default(),
                Some(config),
                socket,
                Arc::new(quinn::TokioRuntime),
            )?
        };
        let (sender, connections) = mpsc::unbounded_channel();
        let options = *options;
        let accepting = endpoint.clone();
        handle.spawn(async move {
            loop {
                let incoming = {
                    let accept = accepting.accept();
                    let closed = sender.closed();
                    first_of(accept, closed).await
                };
                let Some(Some(incoming)) = incoming else {
                    break;
                };
                let sender = sender.clone();
                tokio::spawn(async move {
                    let Ok(connecting) = incoming.accept() else {
                        return;
                    };
                    let connected = match options.handshake_timeout {
                        Some(limit) => match tokio::time::timeout(limit, connecting).await {
                            Ok(c) => c,
                            Err(_) => return,
                        },
                        None => connecting.await,
                    };
                    let Ok(quic) = connected else { return };
                    let connection = Connection::serve(quic, &options);
                    // A listener gone: nobody would take its requests.
                    if let Err(refused) = sender.send(connection) {
                        let code = VarInt::from_u32(frame::H3_NO_ERROR);
                        refused.0.quic.close(code, b"");
                    }
                });
            }
            // No new connections once the listener is gone.
            accepting.set_server_config(None);
        });
        Ok(Listener {
            endpoint,
            connections,
        })
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.endpoint.local_addr()
    }

    /// The next QUIC connection whose handshake is done, waiting for it;
    /// `None` once the listener cannot accept any more.
    pub fn accept(&mut self) -> Option<Connection> {
        let connections = &mut self.connections;
        block_on(None, connections.recv()).ok()?
    }
}

/// Waits for the first of two futures: `Some(a)` from the first, `None`
/// when the second ends first.
async fn first_of<A, B>(a: A, b: B) -> Option<A::Output>
where
    A: core::future::Future,
    B: core::future::Future,
{
    let mut a = core::pin::pin!(a);
    let mut b = core::pin::pin!(b);
    core::future::poll_fn(|cx| {
        if let core::task::Poll::Ready(v) = a.as_mut().poll(cx) {
            return core::task::Poll::Ready(Some(v));
        }
        if b.as_mut().poll(cx).is_ready() {
            return core::task::Poll::Ready(None);
        }
        core::task::Poll::Pending
    })
    .await
}

/// What a request stream's task hands to [`Connection::accept`].
type Requests = mpsc::UnboundedReceiver<Request>;

/// An HTTP/3 connection a server accepted, run by tasks on the runtime's
/// thread: [`Connection::accept`] gives its requests, one per stream, as
/// they come. Each WebSocket accepted on it is a [`Server`] to move to a
/// thread of its own; they share the connection, its UDP path and its
/// flow-control window.
///
/// Dropping it refuses the requests that come after
/// (H3_REQUEST_REJECTED); the WebSockets already accepted go on. The
/// connection ends when the client closes it, it fails, or it stays idle
/// past its idle timeout.
pub struct Connection {
    requests: Requests,
    quic: quinn::Connection,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http3::Connection")
            .field("remote", &self.quic.remote_address())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Runs HTTP/3 on a QUIC connection whose handshake is done: its
    /// control stream opened with SETTINGS (extended CONNECT enabled,
    /// RFC 9220 section 3), the client's unidirectional streams read, and
    /// each request stream's HEADERS read under the handshake timeout.
    pub(super) fn serve(quic: quinn::Connection, options: &ServerOptions) -> Connection {
        let (sender, requests) = mpsc::unbounded_channel();
        let options = *options;
        let uni = quic.clone();
        tokio::spawn(async move {
            // The control stream stays open as long as the connection: its
            // end would be a connection error (RFC 9114 section 6.2.1).
            let Ok(mut control) = uni.open_uni().await else {
                return;
            };
            let opening = frame::control_stream_opening(true, MAX_FIELD_SECTION_SIZE as u64);
            if control.write_all(&opening).await.is_err() {
                return;
            }
            // A server needs nothing from the client's SETTINGS.
            let (settings, _) = tokio::sync::watch::channel(None);
            accept_uni_streams(uni, Arc::new(settings)).await;
            drop(control);
        });
        let bi = quic.clone();
        tokio::spawn(async move {
            while let Ok((send, recv)) = bi.accept_bi().await {
                let (conn, sender) = (bi.clone(), sender.clone());
                tokio::spawn(request_stream(conn, send, recv, sender, options));
            }
        });
        Connection { requests, quic }
    }

    /// The next request, one per stream, waiting for it; `None` once the
    /// connection is over.
    pub fn accept(&mut self) -> Option<Request> {
        let requests = &mut self.requests;
        block_on(None, requests.recv()).ok()?
    }

    /// The client's address.
    pub fn remote_address(&self) -> SocketAddr {
        self.quic.remote_address()
    }

    /// The QUIC connection, for what hybi does not do: statistics, a
    /// close with a code of the caller's.
    pub fn quic(&self) -> &quinn::Connection {
        &self.quic
    }
}

/// The peer's SETTINGS as the control stream's reader reports them: the
/// settings, or the error code that closed the connection over them.
pub(super) type SettingsReport =
    tokio::sync::watch::Sender<Option<Result<frame::PeerSettings, u32>>>;

/// Reads the peer's unidirectional streams (RFC 9114 section 6.2) until
/// the connection ends: its control stream, whose SETTINGS come first
/// (reported through `settings`) and whose end is a connection error;
/// QPACK's streams, drained (with no dynamic table they carry nothing
/// hybi needs); push and unknown streams, stopped with
/// H3_STREAM_CREATION_ERROR.
pub(super) async fn accept_uni_streams(quic: quinn::Connection, settings: Arc<SettingsReport>) {
    let control_seen = Arc::new(AtomicBool::new(false));
    while let Ok(recv) = quic.accept_uni().await {
        let (quic, seen, settings) = (quic.clone(), control_seen.clone(), settings.clone());
        tokio::spawn(uni_stream(quic, recv, seen, settings));
    }
}

/// Reads one unidirectional stream of the peer's, by its type.
async fn uni_stream(
    quic: quinn::Connection,
    recv: RecvStream,
    control_seen: Arc<AtomicBool>,
    settings: Arc<SettingsReport>,
) {
    let mut reader = FrameReader::new(recv, quic.clone());
    let Ok(Some(kind)) = reader.stream_type().await else {
        return;
    };
    match kind {
        frame::CONTROL_STREAM => {
            if control_seen.swap(true, Ordering::SeqCst) {
                quic.close(VarInt::from_u32(frame::H3_STREAM_CREATION_ERROR), b"");
                return;
            }
            if let Err(code) = control_stream(&mut reader, &settings).await {
                settings.send_replace(Some(Err(code)));
                // A connection lost already needs no closing.
                if quic.close_reason().is_none() {
                    quic.close(VarInt::from_u32(code), b"");
                }
            }
        }
        frame::ENCODER_STREAM | frame::DECODER_STREAM => {
            let mut scratch = [0u8; 256];
            while let Ok(Some(_)) = reader.recv.read(&mut scratch).await {}
        }
        // Push streams (hybi allows none: it sends no MAX_PUSH_ID) and
        // types it does not know.
        _ => {
            let _ = reader
                .recv
                .stop(VarInt::from_u32(frame::H3_STREAM_CREATION_ERROR));
        }
    }
}

/// The largest control frame hybi reads whole (SETTINGS, GOAWAY).
const MAX_CONTROL_FRAME: u64 = 4096;

/// Reads the peer's control stream: SETTINGS first (reported), then frames
/// hybi ignores (GOAWAY, MAX_PUSH_ID, CANCEL_PUSH, unknown ones) until the
/// connection ends. An error code for what RFC 9114 section 6.2.1 and
/// 7.2 make connection errors.
async fn control_stream(reader: &mut FrameReader, settings: &SettingsReport) -> Result<(), u32> {
    let mut first = true;
    loop {
        let header = reader.frame_header().await;
        let (kind, len) = match header {
            Ok(Some(h)) => h,
            // The end of a critical stream, or its reset.
            Ok(None) | Err(ReadFail::Quic(quinn::ReadError::Reset(_))) => {
                return Err(frame::H3_CLOSED_CRITICAL_STREAM);
            }
            Err(ReadFail::Protocol(code)) => return Err(code),
            // The connection's loss.
            Err(ReadFail::Quic(_)) => return Ok(()),
        };
        if first {
            if kind != frame::SETTINGS {
                return Err(frame::H3_MISSING_SETTINGS);
            }
            if len > MAX_CONTROL_FRAME {
                return Err(frame::H3_EXCESSIVE_LOAD);
            }
            let payload = reader
                .payload(len as usize)
                .await
                .map_err(|_| frame::H3_CLOSED_CRITICAL_STREAM)?;
            let parsed = frame::parse_settings(&payload)?;
            settings.send_replace(Some(Ok(parsed)));
            first = false;
            continue;
        }
        match kind {
            frame::SETTINGS | frame::DATA | frame::HEADERS | frame::PUSH_PROMISE => {
                return Err(frame::H3_FRAME_UNEXPECTED);
            }
            _ => {
                if reader.discard(len).await.is_err() {
                    return Err(frame::H3_CLOSED_CRITICAL_STREAM);
                }
            }
        }
    }
}

/// A request stream's task: its HEADERS read under the handshake timeout,
/// decoded, and handed to [`Connection::accept`]; what breaks HTTP/3 is
/// answered as RFC 9114 says.
async fn request_stream(
    quic: quinn::Connection,
    mut send: SendStream,
    recv: RecvStream,
    sender: mpsc::UnboundedSender<Request>,
    options: ServerOptions,
) {
    let mut reader = FrameReader::new(recv, quic.clone());
    let head = read_head(&mut reader);
    let head = match options.handshake_timeout {
        Some(limit) => match tokio::time::timeout(limit, head).await {
            Ok(head) => head,
            Err(_) => Err(Refusal::Stream(frame::H3_REQUEST_INCOMPLETE)),
        },
        None => head.await,
    };
    let fields = match head {
        Ok(fields) => fields,
        Err(Refusal::Stream(code)) => {
            let code = VarInt::from_u32(code);
            let _ = send.reset(code);
            let _ = reader.recv.stop(code);
            return;
        }
        Err(Refusal::Connection(code)) => {
            quic.close(VarInt::from_u32(code), b"");
            return;
        }
        Err(Refusal::Gone) => return,
    };
    let request = Request {
        fields,
        send,
        reader,
        options,
    };
    if let Err(refused) = sender.send(request) {
        // The application dropped the connection: no more requests.
        let mut request = refused.0;
        let code = VarInt::from_u32(frame::H3_REQUEST_REJECTED);
        let _ = request.send.reset(code);
        let _ = request.reader.recv.stop(code);
    }
}

/// Why a request's HEADERS were not taken.
enum Refusal {
    /// A stream error with this code.
    Stream(u32),
    /// A connection error with this code.
    Connection(u32),
    /// The stream or the connection is gone already.
    Gone,
}

/// Reads a request's HEADERS frame (RFC 9114 section 4.1), skipping
/// frames of unknown types before it, and decodes it.
async fn read_head(reader: &mut FrameReader) -> Result<Vec<qpack::Field>, Refusal> {
    loop {
        let (kind, len) = match reader.frame_header().await {
            Ok(Some(h)) => h,
            Ok(None) => return Err(Refusal::Stream(frame::H3_REQUEST_INCOMPLETE)),
            Err(ReadFail::Protocol(code)) => return Err(Refusal::Connection(code)),
            Err(ReadFail::Quic(_)) => return Err(Refusal::Gone),
        };
        match frame::on_request(kind) {
            OnRequest::Headers => {
                if len > MAX_FIELD_SECTION_SIZE as u64 {
                    return Err(Refusal::Stream(frame::H3_EXCESSIVE_LOAD));
                }
                let block = match reader.payload(len as usize).await {
                    Ok(block) => block,
                    Err(ReadFail::Protocol(code)) => return Err(Refusal::Connection(code)),
                    Err(ReadFail::Quic(_)) => return Err(Refusal::Gone),
                };
                return qpack::decode(&block, MAX_FIELD_SECTION_SIZE).map_err(|e| match e {
                    qpack::Error::Decompression => {
                        Refusal::Connection(frame::QPACK_DECOMPRESSION_FAILED)
                    }
                    qpack::Error::TooLarge => Refusal::Stream(frame::H3_EXCESSIVE_LOAD),
                    qpack::Error::Malformed => Refusal::Stream(frame::H3_MESSAGE_ERROR),
                });
            }
            OnRequest::Data | OnRequest::Unexpected => {
                return Err(Refusal::Connection(frame::H3_FRAME_UNEXPECTED));
            }
            OnRequest::Skip => {
                if reader.discard(len).await.is_err() {
                    return Err(Refusal::Gone);
                }
            }
        }
    }
}

/// One request of an HTTP/3 connection: a WebSocket to accept
/// ([`Request::is_websocket`], [`Request::accept`]) or a plain request to
/// answer ([`Request::respond`]).
pub struct Request {
    fields: Vec<qpack::Field>,
    send: SendStream,
    reader: FrameReader,
    options: ServerOptions,
}

impl core::fmt::Debug for Request {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("http3::Request")
            .field(
                "method",
                &String::from_utf8_lossy(self.field(":method").unwrap_or_default()),
            )
            .field("path", &self.path())
            .finish_non_exhaustive()
    }
}

impl Request {
    /// The value of the first field named `name` (lowercase; pseudo-header
    /// fields with their colon).
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| &v[..])
    }

    /// The request's fields, pseudo-header fields first, as sent.
    pub fn fields(&self) -> Vec<Header<'_>> {
        self.fields
            .iter()
            .map(|(name, value)| Header { name, value })
            .collect()
    }

    /// The path and query (`:path`), or `""`.
    pub fn path(&self) -> &str {
        self.field(":path")
            .and_then(|p| core::str::from_utf8(p).ok())
            .unwrap_or("")
    }

    /// Whether the request asks for a WebSocket, well or badly: a CONNECT,
    /// or a request with `:protocol` or `sec-websocket-version`. Those go
    /// to [`Request::accept`], which answers the bad ones; the others are
    /// plain HTTP.
    pub fn is_websocket(&self) -> bool {
        self.field(":method") == Some(b"CONNECT")
            || self.field(":protocol").is_some()
            || self.field("sec-websocket-version").is_some()
    }

    /// Answers a plain request with `status`, header fields (names in any
    /// case; sent in lowercase) and `body`, and ends the stream.
    pub fn respond(mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) -> io::Result<()> {
        let status = status.to_string();
        let fields = core::iter::once((":status", status.as_bytes()))
            .chain(headers.iter().map(|&(n, v)| (n, v.as_bytes())));
        let timeout = self.options.write_timeout;
        let _ = self.reader.recv.stop(VarInt::from_u32(frame::H3_NO_ERROR));
        send_response(&mut self.send, fields, body, true, timeout)
    }

    /// Runs the extended CONNECT handshake (RFC 9220 section 3, as RFC
    /// 8441 section 5) and opens the WebSocket over this stream, with the
    /// caller's buffers: the same as `http2::Request::accept`.
    ///
    /// The request is validated as [`connect::parse`] does; a bad one is
    /// answered with its status (a 426 with `sec-websocket-version: 13`,
    /// a 400, a 501), and returned as [`Error::Handshake`]; after a
    /// malformed one the stream's reading side is stopped with
    /// H3_MESSAGE_ERROR (RFC 9114 section 4.1.2). A valid one goes to
    /// `choose`, as over HTTP/1.1: its [`Response`] accepts it (`:status
    /// 200`, the subprotocol, extra fields; permessage-deflate as the
    /// [`Config`](crate::Config) and the read buffer allow) or refuses it
    /// with a status, fields and a body, sent and returned as
    /// [`HandshakeError::Refused`](crate::handshake::HandshakeError::Refused).
    pub fn accept<'a, B, W, F>(
        self,
        read_buffer: B,
        write_buffer: W,
        choose: F,
    ) -> Result<(Server<B, W>, Option<Subprotocol>), Error>
    where
        B: Buffer,
        W: AsRef<[u8]> + AsMut<[u8]>,
        F: for<'r> FnOnce(&ConnectRequest<'_, 'r>) -> Response<'r, 'a>,
    {
        let Request {
            fields,
            send,
            reader,
            options,
        } = self;
        let headers: Vec<Header<'_>> = fields
            .iter()
            .map(|(name, value)| Header { name, value })
            .collect();
        let mut respond = Responder {
            stream: Some((send, reader)),
            options,
        };
        extended::accept(
            &headers,
            &options,
            read_buffer,
            write_buffer,
            choose,
            &mut respond,
        )
        .map_err(|e| e.into_error(Error::Handshake))
    }
}

/// Sends a response's HEADERS frame, then `body` as DATA, and ends the
/// stream with `end`.
fn send_response<'f>(
    send: &mut SendStream,
    fields: impl IntoIterator<Item = (&'f str, &'f [u8])>,
    body: &[u8],
    end: bool,
    timeout: Option<Duration>,
) -> io::Result<()> {
    let block = qpack::encode(fields);
    let mut out = Vec::with_capacity(block.len() + body.len() + 18);
    frame::put_frame_header(&mut out, frame::HEADERS, block.len());
    out.extend_from_slice(&block);
    if !body.is_empty() {
        frame::put_frame_header(&mut out, frame::DATA, body.len());
        out.extend_from_slice(body);
    }
    block_on(timeout, send.write_chunk(Bytes::from(out)))?.map_err(write_error)?;
    if end {
        let _ = send.finish();
    }
    Ok(())
}

/// How a request stream answers an extended CONNECT.
struct Responder {
    /// Taken by the answer that opens the WebSocket.
    stream: Option<(SendStream, FrameReader)>,
    options: ServerOptions,
}

impl Respond for Responder {
    type Stream = Stream;

    fn answer(&mut self, answer: &Answer<'_>, open: bool) -> io::Result<Option<Stream>> {
        let Some((mut send, mut reader)) = self.stream.take() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        let fields = answer.fields().map(|(n, v)| (n, v.as_bytes()));
        send_response(
            &mut send,
            fields,
            if open { &[] } else { answer.body() },
            !open,
            self.options.write_timeout,
        )?;
        if !open {
            // The request's own data is not wanted: it has its answer
            // (RFC 9114 section 4.1: H3_NO_ERROR).
            let _ = reader.recv.stop(VarInt::from_u32(frame::H3_NO_ERROR));
            return Ok(None);
        }
        let mut stream = Stream::new(send, reader, None);
        stream.set_read_timeout(self.options.idle_timeout);
        stream.set_write_timeout(self.options.write_timeout);
        Ok(Some(stream))
    }

    fn reject(&mut self, error: connect::Error) {
        // A malformed request is a stream error, H3_MESSAGE_ERROR (RFC
        // 9114 section 4.1.2): its reading side stopped with that code,
        // after which the answer's own H3_NO_ERROR changes nothing.
        if error.resets_stream() {
            if let Some((_, reader)) = self.stream.as_mut() {
                let _ = reader.recv.stop(VarInt::from_u32(frame::H3_MESSAGE_ERROR));
            }
        }
        let _ = self.answer(&error.answer(), false);
    }
}
