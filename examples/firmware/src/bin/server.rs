//! A WebSocket echo server on the board's UART: accepts one client's
//! handshake, echoes every text and binary message (of any size, chunk by
//! chunk, through a 1 KiB read buffer) until the client closes, then
//! reports its memory use over semihosting and exits with success.
//!
//! Any error ends the program with failure.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use embedded_io::{Read, Write};
use hybi::handshake::server::Response;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, ServerHandshake, WebSocket};
use hybi_firmware::{UART0, Uart, exit, log, report_memory};

/// The read buffer: the client's handshake request (a browser's is 400 to
/// 800 bytes), then frames.
const RX_LEN: usize = 1024;
/// The write buffer: echoed chunks are batched here.
const TX_LEN: usize = 512;

#[entry]
fn main() -> ! {
    log!("server: lm3s6965evb, WebSocket echo on UART0");
    // In `.bss`, not on the stack: `singleton!` hands out each once.
    let rx = cortex_m::singleton!(: [u8; RX_LEN] = [0; RX_LEN]).unwrap();
    let tx = cortex_m::singleton!(: [u8; TX_LEN] = [0; TX_LEN]).unwrap();
    let ok = match serve(Uart::new(UART0), rx, tx) {
        Ok(stats) => {
            log!(
                "server: echoed {} messages ({} text, {} binary), {} bytes; close code {}",
                stats.text + stats.binary,
                stats.text,
                stats.binary,
                stats.bytes,
                stats.close_code,
            );
            true
        }
        Err(e) => {
            log!("server: error: {e}");
            false
        }
    };
    report_memory(RX_LEN, TX_LEN);
    exit(ok)
}

/// What one connection carried.
#[derive(Default)]
struct Stats {
    text: u32,
    binary: u32,
    bytes: u32,
    close_code: u16,
}

/// Serves one connection: the handshake, then echo until the close.
fn serve<T: Read + Write>(
    transport: T,
    rx: &mut [u8],
    tx: &mut [u8],
) -> Result<Stats, Error<T::Error>> {
    let mut ws = WebSocket::server(transport, rx, tx, Config::new());
    let handshake = ws.accept(|request| {
        log!(
            "server: handshake for {} (Host: {})",
            request.path(),
            request.host()
        );
        Response::accept()
    })?;
    if handshake == ServerHandshake::Http {
        log!("server: plain HTTP request, not a WebSocket");
        return Err(Error::InvalidState);
    }
    log!("server: connection open");
    let mut stats = Stats::default();
    loop {
        let (chunk, mut writer) = ws.read_chunk_with_writer()?;
        match chunk {
            Chunk::Text { data, last } => {
                stats.bytes += data.len() as u32;
                stats.text += u32::from(last);
                writer.write_fragment(DataKind::Text, data.as_bytes(), last)?;
            }
            Chunk::Binary { data, last } => {
                stats.bytes += data.len() as u32;
                stats.binary += u32::from(last);
                writer.write_fragment(DataKind::Binary, data, last)?;
            }
            // The close has been answered already.
            Chunk::Control(Message::Close(close)) => {
                stats.close_code = close.map_or(1005, |c| c.code().as_u16());
                return Ok(stats);
            }
            // Pings were answered on the way.
            Chunk::Control(_) => {}
        }
    }
}
