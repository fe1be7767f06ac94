//! A `wss://` client without `std` or a heap: [embedded-tls]'s blocking
//! TLS 1.3 client under hybi's blocking driver. embedded-tls 0.19 speaks
//! `embedded-io` 0.7, as hybi does, so its `TlsConnection` is the
//! WebSocket's transport as it is, with no adapter; the connection also
//! lends its decrypted records (`BufRead`).
//!
//! [`echo_session`] runs over any `embedded_io` byte stream: a socket on
//! the host (`src/bin/host.rs`), the emulated board's UART bridged to TCP
//! (`src/bin/firmware.rs`). It checks the server's certificate against one
//! CA (ECDSA P-256, as `tls_certs` makes them) and the host name, opens a
//! WebSocket, checks the echo of text and binary messages (whole, in
//! fragments, larger than the read buffer) and a ping, and closes with
//! 1000.
//!
//! embedded-tls checks no dates without a clock (`NoClock`): a device that
//! knows the time passes a `TlsClock` instead.
//!
//! [embedded-tls]: https://crates.io/crates/embedded-tls
#![no_std]

use core::fmt;

use embedded_io::{Read, Write};
use embedded_tls::blocking::{
    Aes128GcmSha256, Certificate, CryptoProvider, NoClock, TlsConfig, TlsConnection, TlsContext,
    TlsError,
};
use embedded_tls::pki::CertVerifier;
use hybi::RandomSource;
use hybi::close::CloseCode;
use hybi::handshake::client::Request;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, WebSocket};
use rand_core::{CryptoRng, RngCore};

/// The largest TLS record a server may send (16 KiB of data and the
/// record's overhead): the record read buffer must hold one. rustls, like
/// most servers, ignores the max_fragment_length extension that would
/// allow less.
pub const RECORD_READ_LEN: usize = 16_640;
/// The record write buffer: records this client sends are at most this
/// large (the ClientHello fits).
pub const RECORD_WRITE_LEN: usize = 2048;
/// hybi's read buffer: the server's 101, then frames; echoes larger than
/// it are read chunk by chunk.
pub const WS_READ_LEN: usize = 1024;
/// hybi's write buffer.
pub const WS_WRITE_LEN: usize = 512;

/// The largest server certificate message the verifier keeps.
const CERT_SIZE: usize = 4096;

/// The buffers of one session, in one place (a `static`, on a device).
pub struct Buffers {
    pub record_read: [u8; RECORD_READ_LEN],
    pub record_write: [u8; RECORD_WRITE_LEN],
    pub ws_read: [u8; WS_READ_LEN],
    pub ws_write: [u8; WS_WRITE_LEN],
}

impl Buffers {
    pub const fn new() -> Self {
        Buffers {
            record_read: [0; RECORD_READ_LEN],
            record_write: [0; RECORD_WRITE_LEN],
            ws_read: [0; WS_READ_LEN],
            ws_write: [0; WS_WRITE_LEN],
        }
    }
}

impl Default for Buffers {
    fn default() -> Self {
        Self::new()
    }
}

/// The TLS client's randomness and its certificate check.
struct Provider<'a, R> {
    rng: R,
    verifier: CertVerifier<'a, Aes128GcmSha256, NoClock, CERT_SIZE>,
}

impl<R: RngCore + CryptoRng> CryptoProvider for Provider<'_, R> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = &'static [u8];

    fn rng(&mut self) -> impl embedded_tls::CryptoRngCore {
        &mut self.rng
    }

    fn verifier(
        &mut self,
    ) -> Result<&mut impl embedded_tls::blocking::TlsVerifier<Self::CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
    }
}

/// Why the session failed.
pub enum Failure {
    /// The TLS handshake: a certificate that does not check out, a server
    /// that does not speak TLS 1.3.
    Tls(TlsError),
    /// The WebSocket, over TLS.
    WebSocket(Error<TlsError>),
    /// An echo differed from what was sent.
    Mismatch(&'static str),
}

impl From<Error<TlsError>> for Failure {
    fn from(e: Error<TlsError>) -> Self {
        Failure::WebSocket(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Tls(e) => write!(f, "TLS handshake: {e:?}"),
            Failure::WebSocket(Error::Io(e)) => write!(f, "TLS: {e:?}"),
            Failure::WebSocket(e) => write!(f, "WebSocket: {e:?}"),
            Failure::Mismatch(what) => write!(f, "echo of {what} differs"),
        }
    }
}

/// Byte `i` of the large binary message.
fn binary_byte(i: usize) -> u8 {
    let x = (i as u32).wrapping_mul(0x9e37_79b1);
    (x >> 24) as u8 ^ i as u8
}

/// Opens TLS to `host` over `transport`, trusting the CA certificate
/// `ca_der`, then a WebSocket at `path`; checks the echoes and closes.
/// `log` gets a line per step. Returns how many echoes were checked.
#[allow(clippy::too_many_arguments)]
pub fn echo_session<T, R, M>(
    transport: T,
    tls_rng: R,
    mask_rng: M,
    ca_der: &[u8],
    host: &str,
    path: &str,
    buffers: &mut Buffers,
    mut log: impl FnMut(fmt::Arguments<'_>),
) -> Result<u32, Failure>
where
    T: Read + Write,
    R: RngCore + CryptoRng,
    M: RandomSource,
{
    let Buffers {
        record_read,
        record_write,
        ws_read,
        ws_write,
    } = buffers;
    let mut tls: TlsConnection<'_, T, Aes128GcmSha256> =
        TlsConnection::new(transport, record_read, record_write);
    let config = TlsConfig::new().with_server_name(host);
    let provider = Provider {
        rng: tls_rng,
        verifier: CertVerifier::new(Certificate::X509(ca_der)),
    };
    tls.open(TlsContext::new(&config, provider))
        .map_err(Failure::Tls)?;
    log(format_args!("TLS 1.3 open to {host}, certificate checked"));

    let mut ws = WebSocket::client(
        tls,
        &mut ws_read[..],
        &mut ws_write[..],
        mask_rng,
        Config::new().show_control(true),
    );
    let protocol = ws.connect(&Request::new(host, path).protocols(&["echo"]))?;
    log(format_args!(
        "WebSocket open, subprotocol {}",
        protocol.unwrap_or("(none)")
    ));
    let mut checked = 0;

    for text in [
        "hello over wss://",
        "\u{fc}n\u{ef}c\u{f6}d\u{e9} \u{2713} \u{1f600}",
        "",
    ] {
        ws.send_text(text)?;
        match ws.read()? {
            Message::Text(echo) if echo == text => checked += 1,
            _ => return Err(Failure::Mismatch("text")),
        }
    }
    let every_byte: [u8; 256] = core::array::from_fn(|i| i as u8);
    ws.send_binary(&every_byte)?;
    match ws.read()? {
        Message::Binary(echo) if echo == every_byte => checked += 1,
        _ => return Err(Failure::Mismatch("bytes 0 to 255")),
    }

    // 3000 bytes in fragments of 200: larger than the read buffer, so the
    // echo is read in chunks.
    const LEN: usize = 3000;
    let mut piece = [0u8; 200];
    let mut sent = 0;
    while sent < LEN {
        let n = piece.len().min(LEN - sent);
        for (i, b) in piece[..n].iter_mut().enumerate() {
            *b = binary_byte(sent + i);
        }
        sent += n;
        ws.write_fragment(DataKind::Binary, &piece[..n], sent == LEN)?;
    }
    ws.flush()?;
    let mut offset = 0;
    loop {
        match ws.read_chunk()? {
            Chunk::Binary { data, last } => {
                if data
                    .iter()
                    .enumerate()
                    .any(|(i, b)| offset + i >= LEN || *b != binary_byte(offset + i))
                {
                    return Err(Failure::Mismatch("large binary"));
                }
                offset += data.len();
                if last {
                    break;
                }
            }
            Chunk::Control(Message::Ping(_)) => {}
            _ => return Err(Failure::Mismatch("large binary")),
        }
    }
    if offset != LEN {
        return Err(Failure::Mismatch("large binary"));
    }
    checked += 1;

    ws.write_ping(b"are you there?")?;
    ws.flush()?;
    loop {
        match ws.read()? {
            Message::Pong(b"are you there?") => break,
            Message::Ping(_) => {}
            _ => return Err(Failure::Mismatch("ping")),
        }
    }
    checked += 1;
    log(format_args!("{checked} echoes checked"));

    ws.close(CloseCode::NORMAL, "done")?;
    loop {
        match ws.read()? {
            Message::Close(close) => {
                let code = close.map_or(CloseCode::NO_STATUS, |c| c.code());
                if code != CloseCode::NORMAL {
                    return Err(Failure::Mismatch("close"));
                }
                log(format_args!("closed with {}", code.as_u16()));
                return Ok(checked);
            }
            Message::Ping(_) | Message::Pong(_) => {}
            _ => return Err(Failure::Mismatch("close")),
        }
    }
}
