//! A minimal WebSocket echo server for a Cortex-M4, built only to be
//! measured: the server handshake (HTTP parsing, SHA-1, base64), frames,
//! masking, UTF-8 validation, the close handshake and the read/write loop,
//! over a UART whose registers are read and written with volatile accesses
//! so that nothing can be optimised away.
#![no_std]
#![no_main]

use core::convert::Infallible;
use core::hint::black_box;
use core::mem::size_of;

use cortex_m_rt::entry;
use embedded_io::{ErrorType, Read, Write};
#[cfg(not(feature = "frames-only"))]
use hybi::handshake::server::Response;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, WebSocket};
use panic_halt as _;

/// The connection as this program holds it: the UART and two borrowed
/// buffers.
#[cfg(not(any(feature = "deflate-9", feature = "deflate-15")))]
type Connection<'a> = WebSocket<Uart, &'a mut [u8]>;

/// With permessage-deflate: the read buffer paired with inflate memory.
#[cfg(any(feature = "deflate-9", feature = "deflate-15"))]
type Connection<'a> = WebSocket<
    Uart,
    hybi::deflate::Inflating<&'a mut [u8], &'a mut Inflater>,
    hybi::Server,
    &'a mut [u8],
>;

/// The inflate window: 512 bytes for a peer held to 9 bits, 32 KiB for any.
#[cfg(feature = "deflate-9")]
type Inflater = hybi::deflate::Inflater<[u8; 512]>;
#[cfg(feature = "deflate-15")]
type Inflater = hybi::deflate::Inflater<[u8; 32768]>;
#[cfg(feature = "deflate-9")]
const WINDOW_BITS: u8 = 9;
#[cfg(feature = "deflate-15")]
const WINDOW_BITS: u8 = 15;

/// The connection state's size in bytes on this target, buffers aside;
/// `measure.sh` reads it from the binary.
#[unsafe(no_mangle)]
pub static HYBI_CONNECTION_STATE_SIZE: u32 = size_of::<Connection<'static>>() as u32;

/// The inflate memory's size in bytes (state and window), with
/// permessage-deflate.
#[cfg(any(feature = "deflate-9", feature = "deflate-15"))]
#[unsafe(no_mangle)]
pub static HYBI_INFLATER_SIZE: u32 = size_of::<Inflater>() as u32;

/// A fictional UART: a status register (bit 0: a byte has arrived; bit 1:
/// the transmitter can take a byte; bit 2: the transmitter is idle) and a
/// data register.
struct Uart {
    base: usize,
}

const STATUS: usize = 0x00;
const DATA: usize = 0x04;
const RX_READY: u32 = 1 << 0;
const TX_READY: u32 = 1 << 1;
const TX_IDLE: u32 = 1 << 2;

impl Uart {
    fn reg(&self, offset: usize) -> *mut u32 {
        (self.base + offset) as *mut u32
    }

    fn status(&self) -> u32 {
        // SAFETY: a memory-mapped register of the (fictional) UART; this
        // binary is measured, never run.
        unsafe { self.reg(STATUS).read_volatile() }
    }

    fn wait(&self, bit: u32) {
        while self.status() & bit == 0 {}
    }
}

impl ErrorType for Uart {
    type Error = Infallible;
}

impl Read for Uart {
    /// Blocks for the first byte, then takes what else has arrived.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut n = 0;
        for byte in buf.iter_mut() {
            if n == 0 {
                self.wait(RX_READY);
            } else if self.status() & RX_READY == 0 {
                break;
            }
            // SAFETY: as in `status`.
            *byte = unsafe { self.reg(DATA).read_volatile() } as u8;
            n += 1;
        }
        Ok(n)
    }
}

impl Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            self.wait(TX_READY);
            // SAFETY: as in `status`.
            unsafe { self.reg(DATA).write_volatile(u32::from(byte)) };
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        self.wait(TX_IDLE);
        Ok(())
    }
}

/// Accepts the handshake (unless built with the `frames-only` feature, which
/// starts from an upgraded connection), then echoes text and binary messages of any
/// size chunk by chunk until the client closes; pings are answered and
/// the close completed on the way.
fn serve(
    uart: Uart,
    rx: &mut [u8],
    tx: &mut [u8],
    #[cfg(any(feature = "deflate-9", feature = "deflate-15"))] inflater: &mut Inflater,
) -> Result<(), Error<Infallible>> {
    #[cfg(any(feature = "deflate-9", feature = "deflate-15"))]
    let (rx, config) = (
        hybi::deflate::Inflating::new(rx, inflater),
        Config::new().deflate(hybi::deflate::DeflateConfig::new().window_bits(WINDOW_BITS)),
    );
    #[cfg(not(any(feature = "deflate-9", feature = "deflate-15")))]
    let config = Config::new();
    #[cfg(not(feature = "frames-only"))]
    let mut ws: Connection<'_> = WebSocket::server(uart, rx, tx, config);
    #[cfg(not(feature = "frames-only"))]
    ws.accept(|_request| Response::accept())?;
    #[cfg(feature = "frames-only")]
    let mut ws: Connection<'_> = WebSocket::from_upgraded(uart, rx, tx, hybi::Server, config, &[])
        .map_err(|_| Error::BufferTooSmall)?;
    loop {
        let (chunk, mut writer) = ws.read_chunk_with_writer()?;
        match chunk {
            Chunk::Text { data, last } => {
                writer.write_fragment(DataKind::Text, data.as_bytes(), last)?
            }
            Chunk::Binary { data, last } => writer.write_fragment(DataKind::Binary, data, last)?,
            Chunk::Control(Message::Close(_)) => return Ok(()),
            Chunk::Control(_) => {}
        }
    }
}

#[entry]
fn main() -> ! {
    // 1 KiB holds a browser's handshake request; 512 B batches replies.
    let mut rx = [0u8; 1024];
    let mut tx = [0u8; 512];
    // Keeps the sizes constant in the binary.
    black_box(&HYBI_CONNECTION_STATE_SIZE);
    #[cfg(any(feature = "deflate-9", feature = "deflate-15"))]
    black_box(&HYBI_INFLATER_SIZE);
    #[cfg(any(feature = "deflate-9", feature = "deflate-15"))]
    let mut inflater = Inflater::new([0; 1 << WINDOW_BITS]);
    loop {
        let uart = Uart {
            base: black_box(0x4000_c000),
        };
        let _ = black_box(serve(
            uart,
            &mut rx,
            &mut tx,
            #[cfg(any(feature = "deflate-9", feature = "deflate-15"))]
            &mut inflater,
        ));
    }
}
