//! `wss://` (feature `tls`): TLS over the sockets of [`net`](super), in
//! both roles, with [rustls] 0.23 and its `aws-lc-rs` crypto provider.
//!
//! - A client: [`connect`](super::connect) to a `wss://` URL verifies the
//!   server's certificate against the [`Roots`] in its
//!   [`ClientOptions`](super::ClientOptions) (by default [`Roots::BuiltIn`],
//!   the Mozilla set of `webpki-roots`) and the host name in the URL, which
//!   it also sends as SNI. A certificate that is expired, untrusted or for
//!   another name fails with [`ConnectError::Tls`](super::ConnectError::Tls)
//!   and a [`TlsError`] that says which.
//! - A server: [`accept_tls`](super::accept_tls) runs the TLS handshake
//!   and then the WebSocket one under the same deadline, with a
//!   [`rustls::ServerConfig`]: [`server_config`] makes one from PEM files.
//! - Both: the connection is a [`Stream`](super::Stream) as over plain TCP,
//!   with the same timeouts; [`split`](super::split) shares the TLS state
//!   between the halves (see there).
//!
//! ```no_run
//! use hybi::net::{self, ClientOptions, tls};
//!
//! // The built-in roots:
//! let (mut ws, _) = net::connect("wss://example.com/chat")?;
//! ws.send_text("hello")?;
//!
//! // A private CA's certificate, from a PEM file:
//! let roots = tls::load_roots("ca.pem")?;
//! let options = ClientOptions::new().roots(tls::Roots::Custom(&roots));
//! let (ws, _) = net::connect_with("wss://10.0.0.2:8443/", &options, vec![0; 4096], vec![0; 4096])?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A server:
//!
//! ```no_run
//! use std::net::TcpListener;
//! use hybi::handshake::server::Response;
//! use hybi::net::{self, Accepted, ServerOptions, tls};
//!
//! let config = tls::server_config("cert.pem", "key.pem")?;
//! let listener = TcpListener::bind("0.0.0.0:8443")?;
//! for socket in listener.incoming() {
//!     let (socket, config) = (socket?, config.clone());
//!     std::thread::spawn(move || {
//!         let options = ServerOptions::new();
//!         let rx_tx = (vec![0u8; 4096], vec![0u8; 4096]);
//!         match net::accept_tls(socket, &config, &options, rx_tx.0, rx_tx.1, |_| Response::accept()) {
//!             Ok(Accepted::WebSocket(mut ws, _)) => { let _ = ws.send_text("hello over TLS"); }
//!             Ok(Accepted::Http(_)) => {}
//!             Err(e) => eprintln!("{e}"),
//!         }
//!     });
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! rustls is re-exported as [`rustls`] (with its `pki_types`), so a
//! configuration of one's own (client certificates, ALPN, session
//! resumption) is a [`rustls::ClientConfig`] passed with
//! [`ClientOptions::tls_config`](super::ClientOptions::tls_config), or a
//! [`rustls::ServerConfig`] passed to `accept_tls`.

use core::fmt;

use std_crate::format;
use std_crate::io::{self, Read as _, Write as _};
use std_crate::net::TcpStream;
use std_crate::path::Path;
use std_crate::string::{String, ToString};
use std_crate::sync::{Arc, Mutex, OnceLock};
use std_crate::vec::Vec;

pub use rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{CertificateError, ClientConfig, RootCertStore, ServerConfig};

/// Where a client's trust in a server's certificate comes from.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub enum Roots<'a> {
    /// The default: the Mozilla root program's CAs as compiled into
    /// `webpki-roots`. The same on every machine, including containers
    /// without a CA bundle; updated with the crate.
    #[default]
    BuiltIn,
    /// The operating system's trust store, read once per process by
    /// `rustls-native-certs` (on Linux the distribution's CA bundle, or
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR`; the keychain on macOS; the
    /// system store on Windows): what the machine's administrator trusts,
    /// private CAs included.
    Platform,
    /// Both of the above.
    BuiltInAndPlatform,
    /// These roots only: a private CA's certificate, say, from
    /// [`load_roots`].
    Custom(&'a RootCertStore),
}

/// The crypto provider every configuration here is built with: aws-lc-rs.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    static PROVIDER: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .clone()
}

fn built_in_roots(store: &mut RootCertStore) {
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
}

/// The platform's roots, read once; an error if there are none.
fn platform_roots() -> Result<&'static RootCertStore, io::Error> {
    static ROOTS: OnceLock<Result<RootCertStore, String>> = OnceLock::new();
    let roots = ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(found.certs);
        if store.is_empty() {
            let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
            return Err(format!(
                "no trusted root certificates found on this system{}{}",
                if errors.is_empty() { "" } else { ": " },
                errors.join("; ")
            ));
        }
        Ok(store)
    });
    roots
        .as_ref()
        .map_err(|e| io::Error::new(io::ErrorKind::NotFound, e.clone()))
}

/// A client configuration that trusts `roots`: TLS 1.3 and 1.2, no client
/// certificate. The ones for [`Roots::BuiltIn`], [`Roots::Platform`] and
/// [`Roots::BuiltInAndPlatform`] are made once per process and shared.
///
/// Fails only for [`Roots::Platform`] (and with the built-in ones) when the
/// system's store cannot be read or holds no certificate.
pub fn client_config(roots: Roots<'_>) -> Result<Arc<ClientConfig>, io::Error> {
    static BUILT_IN: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    static PLATFORM: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    static BOTH: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    let cached = |cell: &'static OnceLock<Arc<ClientConfig>>,
                  make: &dyn Fn() -> Result<RootCertStore, io::Error>| {
        if let Some(config) = cell.get() {
            return Ok(config.clone());
        }
        let config = config_with(make()?)?;
        Ok(cell.get_or_init(|| config).clone())
    };
    match roots {
        Roots::BuiltIn => cached(&BUILT_IN, &|| {
            let mut store = RootCertStore::empty();
            built_in_roots(&mut store);
            Ok(store)
        }),
        Roots::Platform => cached(&PLATFORM, &|| platform_roots().cloned()),
        Roots::BuiltInAndPlatform => cached(&BOTH, &|| {
            let mut store = platform_roots()?.clone();
            built_in_roots(&mut store);
            Ok(store)
        }),
        Roots::Custom(store) => config_with(store.clone()),
    }
}

fn config_with(roots: RootCertStore) -> Result<Arc<ClientConfig>, io::Error> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The certificates in a PEM file (`-----BEGIN CERTIFICATE-----`
/// sections; anything else in the file is skipped).
pub fn load_certs(path: impl AsRef<Path>) -> Result<Vec<CertificateDer<'static>>, io::Error> {
    let path = path.as_ref();
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_error(path, e))?;
    if certs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no certificate in the file", path.display()),
        ));
    }
    Ok(certs)
}

/// The first private key in a PEM file: PKCS #8, PKCS #1 (RSA) or SEC1
/// (EC).
pub fn load_private_key(path: impl AsRef<Path>) -> Result<PrivateKeyDer<'static>, io::Error> {
    let path = path.as_ref();
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_error(path, e))
}

/// Trust roots from a PEM file of CA certificates (a private CA, or a
/// bundle): for [`Roots::Custom`].
pub fn load_roots(path: impl AsRef<Path>) -> Result<RootCertStore, io::Error> {
    let path = path.as_ref();
    let mut store = RootCertStore::empty();
    for cert in load_certs(path)? {
        store.add(cert).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: not a CA certificate: {e}", path.display()),
            )
        })?;
    }
    Ok(store)
}

fn pem_error(path: &Path, e: rustls::pki_types::pem::Error) -> io::Error {
    match e {
        rustls::pki_types::pem::Error::Io(e) => {
            io::Error::new(e.kind(), format!("{}: {e}", path.display()))
        }
        rustls::pki_types::pem::Error::NoItemsFound => io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: nothing of the kind expected in the PEM file",
                path.display()
            ),
        ),
        e => io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e:?}", path.display()),
        ),
    }
}

/// A server configuration from a PEM certificate chain (the server's
/// certificate first, then the intermediates) and a PEM private key: TLS
/// 1.3 and 1.2, no client certificates.
///
/// Its [`max_fragment_size`](rustls::ServerConfig::max_fragment_size) is
/// left at the default (16 KiB records); set it lower for clients with
/// little RAM, such as the `embedded-tls` firmware, before wrapping it.
pub fn server_config(
    cert_chain: impl AsRef<Path>,
    key: impl AsRef<Path>,
) -> Result<Arc<ServerConfig>, io::Error> {
    let certs = load_certs(cert_chain)?;
    let key = load_private_key(key)?;
    server_config_from(certs, key).map(Arc::new)
}

/// A server configuration from a certificate chain and key already in
/// memory: as [`server_config`] makes, not yet in an `Arc`.
pub fn server_config_from(
    cert_chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, io::Error> {
    ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(cert_chain, key)
        .map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the certificate chain and key do not fit: {e}"),
            )
        })
}

/// Why a TLS connection failed, in words that say what to fix: which
/// problem a certificate had, or that the peer does not speak TLS at all.
/// Its [`source`](std_crate::error::Error::source) is rustls's error, when
/// there is one.
///
/// A client's TLS handshake fails with
/// [`ConnectError::Tls`](super::ConnectError::Tls); anything later, and a
/// server's handshake, with an [`io::Error`] of kind
/// [`InvalidData`](io::ErrorKind::InvalidData) that carries it:
/// [`TlsError::from_io`] finds it.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsError {
    /// The server's certificate has expired.
    Expired(rustls::Error),
    /// The server's certificate is not valid yet.
    NotValidYet(rustls::Error),
    /// The server's certificate was not issued by a trusted CA: it is
    /// self-signed, or its CA is not among the roots.
    Untrusted(rustls::Error),
    /// The server's certificate is not for the host name connected to.
    WrongName {
        /// The name connected to.
        expected: String,
        /// The names the certificate is for, when rustls says.
        presented: Vec<String>,
        /// rustls's error.
        error: rustls::Error,
    },
    /// The server's certificate has been revoked.
    Revoked(rustls::Error),
    /// The server's certificate is unusable otherwise: badly encoded, a
    /// bad signature, not for a server, an unsupported algorithm.
    BadCertificate(rustls::Error),
    /// The peer sent something that is not TLS: a plain `ws://` or HTTP
    /// server at the other end of a `wss://` URL.
    NotTls(rustls::Error),
    /// A plain HTTP request arrived on a TLS port (an `http://` or `ws://`
    /// URL for an `https://` or `wss://` server). The server answers it
    /// with a `400` in plain text that says so.
    PlainHttp,
    /// The peer ended the TLS handshake with an alert: it refused this
    /// end (a certificate it does not trust, no protocol version or cipher
    /// in common).
    Refused(rustls::Error),
    /// The peer closed the connection during the TLS handshake.
    HandshakeEof,
    /// Another TLS failure: a record that does not decrypt (corrupted on
    /// the way), a peer that broke the protocol.
    Other(rustls::Error),
}

impl TlsError {
    /// Classifies rustls's error.
    pub fn from_rustls(error: rustls::Error) -> TlsError {
        use rustls::Error as E;
        match &error {
            E::InvalidCertificate(cert) => match cert {
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    TlsError::Expired(error)
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    TlsError::NotValidYet(error)
                }
                CertificateError::UnknownIssuer => TlsError::Untrusted(error),
                CertificateError::NotValidForName => TlsError::WrongName {
                    expected: String::new(),
                    presented: Vec::new(),
                    error,
                },
                CertificateError::NotValidForNameContext {
                    expected,
                    presented,
                } => TlsError::WrongName {
                    expected: server_name(expected),
                    presented: presented.iter().map(|name| presented_name(name)).collect(),
                    error,
                },
                CertificateError::Revoked => TlsError::Revoked(error),
                _ => TlsError::BadCertificate(error),
            },
            E::InvalidMessage(_) | E::InappropriateMessage { .. } => TlsError::NotTls(error),
            E::AlertReceived(_) => TlsError::Refused(error),
            _ => TlsError::Other(error),
        }
    }

    /// The `TlsError` an I/O error of a TLS [`Stream`](super::Stream)
    /// carries, if any.
    pub fn from_io(error: &io::Error) -> Option<&TlsError> {
        error.get_ref()?.downcast_ref()
    }

    /// rustls's error, when there is one.
    pub fn rustls_error(&self) -> Option<&rustls::Error> {
        match self {
            TlsError::Expired(e)
            | TlsError::NotValidYet(e)
            | TlsError::Untrusted(e)
            | TlsError::WrongName { error: e, .. }
            | TlsError::Revoked(e)
            | TlsError::BadCertificate(e)
            | TlsError::NotTls(e)
            | TlsError::Refused(e)
            | TlsError::Other(e) => Some(e),
            TlsError::PlainHttp | TlsError::HandshakeEof => None,
        }
    }

    /// As an I/O error of kind [`InvalidData`](io::ErrorKind::InvalidData)
    /// ([`UnexpectedEof`](io::ErrorKind::UnexpectedEof) for
    /// [`TlsError::HandshakeEof`]).
    pub fn into_io(self) -> io::Error {
        let kind = match self {
            TlsError::HandshakeEof => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, self)
    }
}

fn server_name(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(name) => name.as_ref().into(),
        ServerName::IpAddress(ip) => core::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// A name as rustls presents it (`DnsName("example.com")`), bare.
fn presented_name(name: &str) -> String {
    let inner = name
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(name);
    inner.trim_matches('"').to_string()
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Expired(e) => write!(f, "TLS: the server's certificate has expired ({e})"),
            TlsError::NotValidYet(e) => {
                write!(f, "TLS: the server's certificate is not valid yet ({e})")
            }
            TlsError::Untrusted(_) => f.write_str(
                "TLS: the server's certificate is not trusted: it is self-signed, or its \
                 issuer is not among the trusted roots (pass its CA as a custom root)",
            ),
            TlsError::WrongName {
                expected,
                presented,
                ..
            } => {
                f.write_str("TLS: the server's certificate is not valid for the name")?;
                if !expected.is_empty() {
                    write!(f, " {expected}")?;
                }
                if !presented.is_empty() {
                    write!(f, "; it is for {}", presented.join(", "))?;
                }
                Ok(())
            }
            TlsError::Revoked(_) => f.write_str("TLS: the server's certificate has been revoked"),
            TlsError::BadCertificate(e) => {
                write!(f, "TLS: the server's certificate is unusable: {e}")
            }
            TlsError::NotTls(e) => write!(
                f,
                "TLS: the peer does not speak TLS (a plain ws:// or http:// server for a \
                 wss:// URL?): {e}"
            ),
            TlsError::PlainHttp => f.write_str(
                "TLS: the client sent plain HTTP to a TLS port (ws:// or http:// where \
                 wss:// or https:// is served)",
            ),
            TlsError::Refused(e) => write!(f, "TLS: the peer refused the handshake: {e}"),
            TlsError::HandshakeEof => {
                f.write_str("TLS: the peer closed the connection during the TLS handshake")
            }
            TlsError::Other(e) => write!(f, "TLS: {e}"),
        }
    }
}

impl std_crate::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std_crate::error::Error + 'static)> {
        self.rustls_error()
            .map(|e| e as &(dyn std_crate::error::Error + 'static))
    }
}

// ---------------------------------------------------------------------------
// The TLS layer of a `Stream`

/// The raw socket operations of a [`Stream`](super::Stream) that the TLS
/// layer reads and writes ciphertext with: the socket with the stream's
/// timeouts and deadline.
pub(super) trait Raw {
    fn raw_read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    fn raw_write(&mut self, buf: &[u8]) -> io::Result<usize>;
    fn peek_first(&mut self) -> io::Result<Option<u8>>;
    fn shutdown_write(&mut self);
}

/// A [`Raw`] as `std::io`, for rustls.
struct Io<'a, R: ?Sized>(&'a mut R);

impl<R: Raw + ?Sized> io::Read for Io<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.raw_read(buf)
    }
}

impl<R: Raw + ?Sized> io::Write for Io<'_, R> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.raw_write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The TLS layer of a stream: the connection, behind a mutex that only a
/// split makes shared, and what this stream does with it.
pub(super) struct Layer {
    conn: Arc<Mutex<rustls::Connection>>,
    role: Role,
}

enum Role {
    /// One stream reads and writes.
    Whole(Goodbye),
    /// The read half of a split: it reads ciphertext from its socket into
    /// `pending` with no lock held, then hands it to the connection.
    Read { pending: Vec<u8>, start: usize },
    /// The write half: it encrypts under the lock into `out` and writes
    /// that with no lock held; it also sends what the read half's records
    /// left to send (a key update's answer, an alert).
    Write { out: Vec<u8>, _goodbye: Goodbye },
}

/// Sends a close_notify when the stream that writes is dropped, through a
/// handle of its own to the socket.
struct Goodbye {
    conn: Arc<Mutex<rustls::Connection>>,
    socket: TcpStream,
}

impl Drop for Goodbye {
    fn drop(&mut self) {
        let mut out = Vec::new();
        {
            let mut conn = lock(&self.conn);
            if conn.is_handshaking() {
                return;
            }
            conn.send_close_notify();
            while conn.wants_write() {
                if conn.write_tls(&mut out).is_err() {
                    break;
                }
            }
        }
        // The socket's write timeout bounds it; the peer may be gone.
        let _ = self.socket.write_all(&out);
    }
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.role {
            Role::Whole(_) => "Tls",
            Role::Read { .. } => "TlsReadHalf",
            Role::Write { .. } => "TlsWriteHalf",
        })
    }
}

/// How much ciphertext the read half takes from its socket at a time.
const READ_CHUNK: usize = 32 * 1024;

fn lock(conn: &Mutex<rustls::Connection>) -> std_crate::sync::MutexGuard<'_, rustls::Connection> {
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn unsupported(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, what.to_string())
}

/// Processes what arrived; on an error, tries to send rustls's alert.
fn process(conn: &mut rustls::Connection, raw: Option<&mut dyn Raw>) -> io::Result<()> {
    if let Err(e) = conn.process_new_packets() {
        if let Some(raw) = raw {
            let _ = conn.write_tls(&mut Io(raw));
        }
        return Err(TlsError::from_rustls(e).into_io());
    }
    Ok(())
}

/// Writes everything rustls has to send.
fn send_all(conn: &mut rustls::Connection, raw: &mut dyn Raw) -> io::Result<()> {
    while conn.wants_write() {
        conn.write_tls(&mut Io(raw))?;
    }
    Ok(())
}

/// The bytes a plain HTTP client gets from a TLS port.
const PLAIN_HTTP_ANSWER: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\
Content-Length: 65\r\nConnection: close\r\n\r\n\
This port speaks TLS: use https:// or wss:// instead of http://.\n";

/// Answers a plain HTTP request on a TLS port, then reads what is left
/// of it (a little, under the deadline), so that closing the socket does
/// not reset the connection before the answer is read.
fn answer_plain_http(raw: &mut dyn Raw) {
    let mut scratch = [0u8; 4096];
    let _ = raw.raw_read(&mut scratch);
    if Io(&mut *raw).write_all(PLAIN_HTTP_ANSWER).is_err() {
        return;
    }
    raw.shutdown_write();
    for _ in 0..16 {
        if !matches!(raw.raw_read(&mut scratch), Ok(1..)) {
            break;
        }
    }
}

impl Layer {
    fn whole(conn: rustls::Connection, socket: &TcpStream) -> io::Result<Layer> {
        let conn = Arc::new(Mutex::new(conn));
        let goodbye = Goodbye {
            conn: conn.clone(),
            socket: socket.try_clone()?,
        };
        Ok(Layer {
            conn,
            role: Role::Whole(goodbye),
        })
    }

    /// A client's connection to `host`, which is checked against the
    /// server's certificate and sent as SNI (unless it is an IP address).
    pub(super) fn client(
        config: Arc<ClientConfig>,
        host: &str,
        socket: &TcpStream,
    ) -> io::Result<Layer> {
        let name = ServerName::try_from(host.to_string()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{host:?} is not a valid DNS name or IP address"),
            )
        })?;
        let conn = rustls::ClientConnection::new(config, name)
            .map_err(|e| TlsError::from_rustls(e).into_io())?;
        Layer::whole(conn.into(), socket)
    }

    /// A connection whose TLS handshake ran elsewhere (over an async
    /// socket, to see which protocol ALPN chose), on the same socket.
    #[cfg(feature = "http2")]
    pub(super) fn established(conn: rustls::Connection, socket: &TcpStream) -> io::Result<Layer> {
        Layer::whole(conn, socket)
    }

    /// A server's connection.
    pub(super) fn server(config: Arc<ServerConfig>, socket: &TcpStream) -> io::Result<Layer> {
        let conn = rustls::ServerConnection::new(config)
            .map_err(|e| TlsError::from_rustls(e).into_io())?;
        Layer::whole(conn.into(), socket)
    }

    /// Runs the TLS handshake to its end. A server that sees plain HTTP
    /// first answers it with a 400 in plain text.
    pub(super) fn handshake(&mut self, raw: &mut dyn Raw) -> io::Result<()> {
        let mut conn = lock(&self.conn);
        if matches!(*conn, rustls::Connection::Server(_)) {
            match raw.peek_first()? {
                None => return Err(TlsError::HandshakeEof.into_io()),
                // A TLS record starts with its type, 20 to 24; a request
                // line with its method.
                Some(b) if b.is_ascii_uppercase() => {
                    answer_plain_http(raw);
                    return Err(TlsError::PlainHttp.into_io());
                }
                Some(_) => {}
            }
        }
        while conn.is_handshaking() {
            send_all(&mut conn, raw)?;
            if !conn.is_handshaking() {
                break;
            }
            if conn.read_tls(&mut Io(raw))? == 0 {
                return Err(TlsError::HandshakeEof.into_io());
            }
            process(&mut conn, Some(raw))?;
        }
        // The client's Finished, or the server's session tickets.
        send_all(&mut conn, raw)
    }

    /// Decrypted bytes into `buf`; 0 at the end (the peer's close_notify).
    pub(super) fn read(&mut self, raw: &mut dyn Raw, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match &mut self.role {
            Role::Whole(_) => {
                let mut conn = lock(&self.conn);
                loop {
                    match conn.reader().read(buf) {
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        other => return other.map_err(truncated),
                    }
                    send_all(&mut conn, raw)?;
                    conn.read_tls(&mut Io(raw))?;
                    process(&mut conn, Some(raw))?;
                }
            }
            Role::Read { pending, start } => loop {
                {
                    let mut conn = lock(&self.conn);
                    match conn.reader().read(buf) {
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        other => return other.map_err(truncated),
                    }
                    if *start < pending.len() {
                        let mut rest = &pending[*start..];
                        let before = rest.len();
                        let taken = conn.read_tls(&mut rest);
                        *start += before - rest.len();
                        taken?;
                        process(&mut conn, None)?;
                        continue;
                    }
                }
                // No lock held while waiting for the network.
                pending.resize(READ_CHUNK, 0);
                *start = 0;
                let n = raw.raw_read(pending).inspect_err(|_| pending.clear())?;
                pending.truncate(n);
                if n == 0 {
                    // The end of the stream, as rustls learns it.
                    lock(&self.conn).read_tls(&mut io::empty())?;
                }
            },
            Role::Write { .. } => Err(unsupported("the write half of a TLS stream cannot read")),
        }
    }

    /// Encrypts and sends `buf`; returns how much of it was taken.
    pub(super) fn write(&mut self, raw: &mut dyn Raw, buf: &[u8]) -> io::Result<usize> {
        match &mut self.role {
            Role::Whole(_) => {
                let mut conn = lock(&self.conn);
                send_all(&mut conn, raw)?;
                let n = conn.writer().write(buf)?;
                send_all(&mut conn, raw)?;
                Ok(n)
            }
            Role::Write { out, .. } => {
                let n = {
                    let mut conn = lock(&self.conn);
                    let n = conn.writer().write(buf)?;
                    while conn.wants_write() {
                        conn.write_tls(out)?;
                    }
                    n
                };
                let result = Io(raw).write_all(out);
                out.clear();
                result.map(|()| n)
            }
            Role::Read { .. } => Err(unsupported("the read half of a TLS stream cannot write")),
        }
    }

    /// Sends whatever is left to send.
    pub(super) fn flush(&mut self, raw: &mut dyn Raw) -> io::Result<()> {
        match self.role {
            Role::Whole(_) | Role::Read { .. } => Ok(()),
            Role::Write { .. } => self.write(raw, &[]).map(drop),
        }
    }

    /// Splits a whole connection into its read half and its write half.
    pub(super) fn split(self) -> Result<(Layer, Layer), (Layer, io::Error)> {
        let Role::Whole(goodbye) = self.role else {
            return Err((self, unsupported("this TLS stream is a half already")));
        };
        let read = Layer {
            conn: self.conn.clone(),
            role: Role::Read {
                pending: Vec::new(),
                start: 0,
            },
        };
        let write = Layer {
            conn: self.conn,
            role: Role::Write {
                out: Vec::new(),
                _goodbye: goodbye,
            },
        };
        Ok((read, write))
    }
}

/// rustls's end without close_notify, said plainly.
fn truncated(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "TLS: the connection ended without close_notify (truncated, possibly in the \
             middle of a record)",
        )
    } else {
        e
    }
}
