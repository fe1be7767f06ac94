//! A WebSocket echo server for a microcontroller: `#![no_std]`, no heap,
//! 1.5 KiB of buffers, generic over any blocking `embedded-io` 0.7
//! transport (a UART, a Wi-Fi module's AT driver, an `embedded-tls`
//! blocking stream...). An async socket (embassy-net's `TcpSocket`
//! implements `embedded-io-async` 0.7) goes through `hybi::asynch`
//! instead, with the same calls awaited; smoltcp's own sockets implement
//! neither and need a small adapter.
//!
//! Built as a library, so it needs no panic handler or linker script:
//!
//! ```text
//! cargo build --no-default-features --target thumbv7em-none-eabihf --example embedded_echo
//! ```
//!
//! and tested on the host over an in-memory transport:
//!
//! ```text
//! cargo test --example embedded_echo
//! ```
#![cfg_attr(not(test), no_std)]

use embedded_io::{Read, Write};
use hybi::handshake::server::Response;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, ServerHandshake, WebSocket};

/// Subprotocols this server speaks; it picks the first one the client offers.
const SUPPORTED: [&str; 1] = ["echo"];

/// The answer to a plain HTTP request.
const NOT_FOUND: &[u8] =
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Serves one connection: accepts the handshake, then echoes every text and
/// binary message, of any size, chunk by chunk, until the client closes.
/// Pings are answered on the way. A plain HTTP request gets a 404.
///
/// The buffers live on the stack here; on a device with a small stack make
/// them `static` (e.g. with `static_cell`) and pass `&mut` slices instead.
pub fn serve<T: Read + Write>(transport: T) -> Result<(), Error<T::Error>> {
    // 1 KiB holds a browser's handshake request; 512 B batches replies.
    let mut rx = [0u8; 1024];
    let mut tx = [0u8; 512];
    let mut ws = WebSocket::server(transport, &mut rx[..], &mut tx[..], Config::new());
    let handshake = ws.accept(|request| {
        Response::accept().protocol(request.protocols().find(|p| SUPPORTED.contains(p)))
    })?;
    if handshake == ServerHandshake::Http {
        return ws.write_raw(NOT_FOUND);
    }
    loop {
        let (chunk, mut writer) = ws.read_chunk_with_writer()?;
        match chunk {
            Chunk::Text { data, last } => {
                writer.write_fragment(DataKind::Text, data.as_bytes(), last)?
            }
            Chunk::Binary { data, last } => writer.write_fragment(DataKind::Binary, data, last)?,
            // The close has been answered already.
            Chunk::Control(Message::Close(_)) => return Ok(()),
            Chunk::Control(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::convert::Infallible;

    /// Reads from a script, writes to a vector.
    struct Duplex<'a> {
        input: &'a [u8],
        output: Vec<u8>,
    }

    impl embedded_io::ErrorType for Duplex<'_> {
        type Error = Infallible;
    }

    impl Read for Duplex<'_> {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
            // A few bytes at a time, to cross every boundary.
            let n = buf.len().min(self.input.len()).min(7);
            buf[..n].copy_from_slice(&self.input[..n]);
            self.input = &self.input[n..];
            Ok(n)
        }
    }

    impl Write for Duplex<'_> {
        fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> Result<(), Infallible> {
            Ok(())
        }
    }

    /// A masked client frame.
    fn frame(first_byte: u8, payload: &[u8]) -> Vec<u8> {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        assert!(payload.len() < 126);
        let mut out = vec![first_byte, 0x80 | payload.len() as u8];
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        out
    }

    const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: device.local\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Protocol: chat, echo\r\nSec-WebSocket-Version: 13\r\n\r\n";

    #[test]
    fn echoes_until_close() {
        let mut input = REQUEST.to_vec();
        input.extend(frame(0x81, "héllo".as_bytes()));
        input.extend(frame(0x02, &[1, 2, 3])); // binary, not final
        input.extend(frame(0x89, b"ping")); // a ping in between
        input.extend(frame(0x80, &[4, 5])); // continuation, final
        input.extend(frame(0x88, &[0x03, 0xe8])); // close 1000
        let mut transport = Duplex {
            input: &input,
            output: Vec::new(),
        };
        serve(&mut transport).unwrap();

        let out = transport.output;
        let head_end = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head = core::str::from_utf8(&out[..head_end]).unwrap();
        assert!(
            head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
            "{head}"
        );
        assert!(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        assert!(head.contains("Sec-WebSocket-Protocol: echo\r\n"));

        // Collect the echoed frames (unmasked, from the server).
        let mut frames = Vec::new();
        let mut rest = &out[head_end..];
        while !rest.is_empty() {
            let (b0, len) = (rest[0], usize::from(rest[1]));
            frames.push((b0, rest[2..2 + len].to_vec()));
            rest = &rest[2 + len..];
        }
        // Data frames in order: the text message's, then the binary one's.
        let is_data = |(b0, _): &&(u8, Vec<u8>)| b0 & 0x08 == 0;
        let split = frames.iter().position(|(b0, _)| b0 & 0x0f == 2).unwrap();
        let text: Vec<u8> = frames[..split]
            .iter()
            .filter(is_data)
            .flat_map(|(_, p)| p.clone())
            .collect();
        assert_eq!(text, "héllo".as_bytes());
        assert!(
            frames.contains(&(0x8a, b"ping".to_vec())),
            "pong: {frames:?}"
        );
        let binary: Vec<u8> = frames[split..]
            .iter()
            .filter(is_data)
            .flat_map(|(_, p)| p.clone())
            .collect();
        assert_eq!(binary, [1, 2, 3, 4, 5]);
        assert_eq!(frames.last(), Some(&(0x88, vec![0x03, 0xe8])));
    }

    #[test]
    fn plain_http_gets_404() {
        let mut transport = Duplex {
            input: b"GET /favicon.ico HTTP/1.1\r\nHost: device.local\r\n\r\n",
            output: Vec::new(),
        };
        serve(&mut transport).unwrap();
        assert_eq!(transport.output, NOT_FOUND);
    }
}
