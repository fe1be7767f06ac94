//! A WebSocket client on the board's UART: connects to an echo server on
//! the host (QEMU connects the UART to it), offering the subprotocol
//! "echo"; sends text and binary messages, whole and in fragments, and a
//! ping; checks every echo byte for byte; closes with 1000; reports its
//! memory use over semihosting and exits with success only if every check
//! passed.
#![no_std]
#![no_main]

use core::fmt;

use cortex_m_rt::entry;
use embedded_io::{Read, Write};
use hybi::RandomSource;
use hybi::close::CloseCode;
use hybi::handshake::client::Request;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, WebSocket};
use hybi_firmware::{UART0, Uart, XorShift32, exit, log, report_memory};

/// The read buffer: the server's 101 response (about 200 bytes), then
/// frames. Echoes are read chunk by chunk, so they may be larger.
const RX_LEN: usize = 512;
/// The write buffer: the handshake request, then outgoing frames.
const TX_LEN: usize = 256;

/// What the `Host` header names. The firmware's network is the UART, so it
/// does not know the host's port; the server does not need it.
const HOST: &str = "127.0.0.1";
const PATH: &str = "/echo";
const PROTOCOLS: &[&str] = &["echo"];

/// Text with characters of 1 to 4 bytes in UTF-8: 21 bytes.
const UNICODE: &str = "ünïcödé ✓ 😀 ";
/// A large text message: `UNICODE` this many times (3003 bytes).
const TEXT_REPEAT: usize = 143;
/// A large binary message (4 KiB).
const BINARY_LEN: usize = 4096;
/// The fragment size for the large messages. Not a multiple of 21: text
/// fragments split characters, which the receiver must put back together.
const FRAGMENT: usize = 200;
const PING: &[u8] = b"are you there?";

#[entry]
fn main() -> ! {
    log!("client: lm3s6965evb, WebSocket client on UART0");
    let rx = cortex_m::singleton!(: [u8; RX_LEN] = [0; RX_LEN]).unwrap();
    let tx = cortex_m::singleton!(: [u8; TX_LEN] = [0; TX_LEN]).unwrap();
    // NOT FOR PRODUCTION: a fixed-seed xorshift, because the emulated
    // board has no random number generator. On a device, pass the hardware
    // RNG here instead (`hybi_firmware::HardwareRng` shows how).
    let rng = XorShift32::new(0x2545_f491);
    let ok = match run(Uart::new(UART0), rx, tx, rng) {
        Ok(count) => {
            log!("client: {count} echoes checked, closed with 1000");
            true
        }
        Err(e) => {
            log!("client: FAILED: {e}");
            false
        }
    };
    report_memory(RX_LEN, TX_LEN);
    exit(ok)
}

/// Why the client failed.
enum Failure<E> {
    WebSocket(Error<E>),
    /// An echo differed from what was sent.
    Mismatch {
        message: &'static str,
        detail: &'static str,
        offset: usize,
    },
}

impl<E> From<Error<E>> for Failure<E> {
    fn from(e: Error<E>) -> Self {
        Failure::WebSocket(e)
    }
}

impl<E: fmt::Display> fmt::Display for Failure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::WebSocket(e) => write!(f, "{e}"),
            Failure::Mismatch {
                message,
                detail,
                offset,
            } => write!(f, "echo of {message}: {detail} at byte {offset}"),
        }
    }
}

/// Byte `i` of the large binary message: every value, in no simple order.
fn binary_byte(i: usize) -> u8 {
    let x = (i as u32).wrapping_mul(0x9e37_79b1);
    (x >> 24) as u8 ^ i as u8
}

/// Byte `i` of the large text message.
fn text_byte(i: usize) -> u8 {
    UNICODE.as_bytes()[i % UNICODE.len()]
}

/// Connects, runs the exchanges and closes; returns how many echoes were
/// checked.
fn run<T, R>(transport: T, rx: &mut [u8], tx: &mut [u8], rng: R) -> Result<u32, Failure<T::Error>>
where
    T: Read + Write,
    R: RandomSource,
{
    // Pongs are shown, so the ping's answer can be checked.
    let config = Config::new().show_control(true);
    let mut ws = WebSocket::client(transport, rx, tx, rng, config);
    let request = Request::new(HOST, PATH).protocols(PROTOCOLS);
    let protocol = ws.connect(&request)?;
    log!(
        "client: connected, subprotocol {}",
        protocol.unwrap_or("(none)")
    );
    if protocol != Some("echo") {
        return Err(Failure::Mismatch {
            message: "handshake",
            detail: "subprotocol \"echo\" not chosen",
            offset: 0,
        });
    }
    let mut checked = 0;

    // Whole messages, each sent in one frame.
    let greeting = "hello from a Cortex-M3";
    ws.send_text(greeting)?;
    expect(&mut ws, "greeting", DataKind::Text, greeting.len(), |i| {
        greeting.as_bytes()[i]
    })?;
    ws.send_text(UNICODE)?;
    expect(&mut ws, "unicode", DataKind::Text, UNICODE.len(), |i| {
        UNICODE.as_bytes()[i]
    })?;
    let every_byte: [u8; 256] = core::array::from_fn(|i| i as u8);
    ws.send_binary(&every_byte)?;
    expect(&mut ws, "bytes 0 to 255", DataKind::Binary, 256, |i| {
        every_byte[i]
    })?;
    ws.send_text("")?;
    expect(&mut ws, "empty text", DataKind::Text, 0, |_| 0)?;
    ws.send_binary(&[])?;
    expect(&mut ws, "empty binary", DataKind::Binary, 0, |_| 0)?;
    checked += 5;

    // A ping: its pong carries the same payload.
    ws.write_ping(PING)?;
    ws.flush()?;
    loop {
        match ws.read()? {
            Message::Pong(data) if data == PING => break,
            Message::Ping(_) => {}
            _ => {
                return Err(Failure::Mismatch {
                    message: "ping",
                    detail: "no pong with the ping's payload",
                    offset: 0,
                });
            }
        }
    }
    checked += 1;

    // Large messages, sent in fragments generated on the fly: no buffer
    // holds a whole message on either side of the firmware.
    let text_len = UNICODE.len() * TEXT_REPEAT;
    send_fragments(&mut ws, DataKind::Text, text_len, text_byte)?;
    expect(&mut ws, "large text", DataKind::Text, text_len, text_byte)?;
    send_fragments(&mut ws, DataKind::Binary, BINARY_LEN, binary_byte)?;
    expect(
        &mut ws,
        "large binary",
        DataKind::Binary,
        BINARY_LEN,
        binary_byte,
    )?;
    checked += 2;

    // The close handshake: the server answers with its own close.
    ws.close(CloseCode::NORMAL, "done")?;
    loop {
        match ws.read()? {
            Message::Close(close) => {
                let code = close.map_or(CloseCode::NO_STATUS, |c| c.code());
                log!("client: server closed with {}", code.as_u16());
                if code != CloseCode::NORMAL {
                    return Err(Failure::Mismatch {
                        message: "close",
                        detail: "the server's close code is not 1000",
                        offset: 0,
                    });
                }
                return Ok(checked);
            }
            Message::Ping(_) | Message::Pong(_) => {}
            Message::Text(_) | Message::Binary(_) => {
                return Err(Failure::Mismatch {
                    message: "close",
                    detail: "a message after the close",
                    offset: 0,
                });
            }
        }
    }
}

/// Sends a message of `len` bytes, `byte(i)` each, in fragments of
/// [`FRAGMENT`] bytes.
fn send_fragments<T, R>(
    ws: &mut WebSocket<T, &mut [u8], hybi::Client<R>>,
    kind: DataKind,
    len: usize,
    byte: impl Fn(usize) -> u8,
) -> Result<(), Error<T::Error>>
where
    T: Read + Write,
    R: RandomSource,
{
    let mut piece = [0u8; FRAGMENT];
    let mut sent = 0;
    while sent < len {
        let n = FRAGMENT.min(len - sent);
        for (i, b) in piece[..n].iter_mut().enumerate() {
            *b = byte(sent + i);
        }
        sent += n;
        ws.write_fragment(kind, &piece[..n], sent == len)?;
    }
    ws.flush()
}

/// Reads the echo of a message of `kind` and `len` bytes, chunk by chunk,
/// and checks that byte `i` is `byte(i)`.
fn expect<T, R>(
    ws: &mut WebSocket<T, &mut [u8], hybi::Client<R>>,
    message: &'static str,
    kind: DataKind,
    len: usize,
    byte: impl Fn(usize) -> u8,
) -> Result<(), Failure<T::Error>>
where
    T: Read + Write,
    R: RandomSource,
{
    let mismatch = |detail, offset| Failure::Mismatch {
        message,
        detail,
        offset,
    };
    let mut offset = 0;
    loop {
        let (data, last) = match ws.read_chunk()? {
            Chunk::Text { data, last } if kind == DataKind::Text => (data.as_bytes(), last),
            Chunk::Binary { data, last } if kind == DataKind::Binary => (data, last),
            // A keepalive ping from the server, answered already.
            Chunk::Control(Message::Ping(_)) => continue,
            _ => return Err(mismatch("not the message sent", offset)),
        };
        if offset + data.len() > len {
            return Err(mismatch("longer than sent", len));
        }
        if let Some(i) = (0..data.len()).find(|&i| data[i] != byte(offset + i)) {
            return Err(mismatch("different byte", offset + i));
        }
        offset += data.len();
        if last {
            break;
        }
    }
    if offset != len {
        return Err(mismatch("shorter than sent", offset));
    }
    log!("client: echo of {message} ({len} bytes) matches");
    Ok(())
}
