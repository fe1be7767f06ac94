//! Shared pieces of the connection fuzz targets: the tests' in-memory
//! transport (`tests/common/transport.rs`), here cutting its input at
//! points the fuzzer chooses (read as a `Read`, or as a `BufRead` through
//! `Lending`), a fixed randomness source, a driver that reads a connection
//! to its end while echoing, and checks on everything the connection
//! wrote.
//!
//! Input layout of `server_connection` and `client_connection`:
//!
//! | byte | meaning |
//! |---|---|
//! | 0 | flags: bit 0 chunked reads, bit 1 show control frames, bit 2 no auto pong, bit 3 small message limit, bits 4-7 read buffer size (high part) |
//! | 1 | read buffer size (low part): `139 + 4 * byte1 + 256 * (byte0 >> 4)` |
//! | 2 | write buffer size: `16 + 2 * byte2` |
//! | 3 | message limit when bit 3 is set: `16 * byte3` |
//! | 4 | bytes the transport takes per write (0: all) |
//! | 5 | `n`, the number of read sizes that follow (`n % 16`); bit 4: this end starts the close handshake after echoing the first message |
//! | 6.. | `n` read sizes, used in turn (by `Read::read`, or as the size of each piece `BufRead::fill_buf` lends); after the handshake a 0 is a transport error (a timeout) that the driver retries, 64 at the most (before, and after those, a 1) |
//! | rest | the peer's bytes |

mod sans_io;
// The tests' transport; its async wrapper is for the tests with feature
// `async`, which this package does not have.
#[allow(unexpected_cfgs)]
#[path = "../../tests/common/transport.rs"]
mod transport;

pub use sans_io::{Core, drive_core, error, receive, transmit};
pub use transport::{Mock, Step, Transport};

use embedded_io::ErrorKind;
use hybi::close::CloseFrame;
use hybi::frame::{DecodeOptions, FrameHeader, Opcode, Rsv};
use hybi::mask::apply_mask;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, Message, WebSocket};
use hybi::{Role, Status};

/// How a connection is set up, from the first bytes of the input.
#[derive(Debug, Clone)]
pub struct Setup<'a> {
    pub chunks: bool,
    pub close_first: bool,
    pub config: Config,
    pub rx: usize,
    pub tx: usize,
    pub write_limit: usize,
    pub sizes: &'a [u8],
    pub stream: &'a [u8],
}

impl<'a> Setup<'a> {
    pub fn parse(data: &'a [u8]) -> Option<Setup<'a>> {
        let (head, rest) = data.split_first_chunk::<6>()?;
        let n = usize::from(head[5] % 16);
        if rest.len() < n {
            return None;
        }
        let (sizes, stream) = rest.split_at(n);
        let flags = head[0];
        let mut config = Config::new()
            .show_control(flags & 0x02 != 0)
            .auto_pong(flags & 0x04 == 0);
        if flags & 0x08 != 0 {
            config = config.max_message_len(16 * u64::from(head[3]));
        }
        Some(Setup {
            chunks: flags & 0x01 != 0,
            close_first: head[5] & 0x10 != 0,
            config,
            rx: 139 + 4 * usize::from(head[1]) + 256 * usize::from(flags >> 4),
            // From the smallest write buffer a connection takes up.
            tx: hybi::websocket::MIN_WRITE_BUFFER + 2 * usize::from(head[2]),
            write_limit: match head[4] {
                0 => usize::MAX,
                n => usize::from(n),
            },
            sizes,
            stream,
        })
    }

    /// The transport serving the peer's bytes in reads of `sizes` (a 0: a
    /// timeout, held back until the handshake is over).
    pub fn transport(&self, sizes: &[u8]) -> Mock {
        let script = sizes
            .iter()
            .map(|&n| match n {
                0 => Step::TimedOut,
                n => Step::Bytes(usize::from(n)),
            })
            .collect();
        Mock::scripted(self.stream, script)
            .write_limit(self.write_limit)
            .error_budget(64)
            .held()
    }
}

/// The client's randomness: the RFC 6455 sample nonce first (so the
/// response in the corpus carries the matching `Sec-WebSocket-Accept`),
/// then a counter for masking keys.
#[derive(Debug, Clone, Default)]
pub struct FixedRng {
    calls: u32,
}

/// The nonce of RFC 6455 section 1.3, base64 `dGhlIHNhbXBsZSBub25jZQ==`.
pub const SAMPLE_NONCE: &[u8; 16] = b"the sample nonce";

impl hybi::RandomSource for FixedRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if self.calls == 0 && dest.len() == 16 {
            dest.copy_from_slice(SAMPLE_NONCE);
        } else {
            for (i, b) in dest.iter_mut().enumerate() {
                *b = (self.calls as u8).wrapping_mul(31).wrapping_add(i as u8) | 1;
            }
        }
        self.calls += 1;
    }
}

/// A message as delivered, for comparing runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
}

impl Msg {
    pub(crate) fn of(m: &Message<'_>) -> Msg {
        match *m {
            Message::Text(t) => Msg::Text(t.to_owned()),
            Message::Binary(b) => Msg::Binary(b.to_vec()),
            Message::Ping(p) => Msg::Ping(p.to_vec()),
            Message::Pong(p) => Msg::Pong(p.to_vec()),
            Message::Close(c) => Msg::Close(c.map(|c| (c.code().as_u16(), c.reason().to_owned()))),
        }
    }

    fn len(&self) -> usize {
        match self {
            Msg::Text(t) => t.len(),
            Msg::Binary(b) | Msg::Ping(b) | Msg::Pong(b) => b.len(),
            Msg::Close(c) => c.as_ref().map_or(0, |(_, r)| 2 + r.len()),
        }
    }
}

/// What reading an open connection to its end gave.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Messages (chunks concatenated), in order.
    pub messages: Vec<Msg>,
    /// The error that ended the reading.
    pub end: Error<ErrorKind>,
    /// How many of the data messages were echoed whole.
    pub echoed: usize,
    /// Whether this end sent a close (code 1000) after the first echo.
    pub closed_first: bool,
}

/// One run of a connection target: how the handshake ended (`H`), what
/// reading the connection gave, everything written and the length of the
/// handshake's part of it.
#[derive(Debug, PartialEq, Eq)]
pub struct Run<H> {
    pub handshake: H,
    pub outcome: Option<Outcome>,
    pub written: Vec<u8>,
    pub head: usize,
}

impl<H: PartialEq + core::fmt::Debug> Run<H> {
    /// Asserts this run ended as `whole` (the input in one read) did and
    /// wrote the same; in chunk mode, where how the input was cut decides
    /// how messages are echoed, the same handshake.
    pub fn assert_agrees(&self, whole: &Run<H>, chunks: bool) {
        assert_eq!(self.handshake, whole.handshake);
        assert_eq!(self.outcome, whole.outcome);
        if chunks {
            assert_eq!(self.written[..self.head], whole.written[..whole.head]);
        } else {
            assert_eq!(self.written, whole.written);
        }
    }
}

/// Reads `ws` until an error other than a transport timeout (retried),
/// echoing every data message or chunk (with `close_first`, only the first
/// message, then this end closes), and checks as it goes that no more
/// payload is delivered than the transport gave and that every call makes
/// progress.
pub fn drive<T: Transport, E: hybi::Endpoint>(
    ws: &mut WebSocket<T, Vec<u8>, E>,
    chunks: bool,
    close_first: bool,
) -> Outcome {
    let mut echoed = 0usize;
    let mut closed_first = false;
    let mut messages = Vec::new();
    let mut partial: Option<Msg> = None;
    let mut delivered = 0usize;
    let mut calls = 0usize;
    let end = loop {
        calls += 1;
        // Each successful call takes at least one input byte or ends a
        // message; each error is retried at most 64 times in all.
        let mock = ws.transport().mock();
        let bound = mock.input_len() + mock.errors_returned() + 8;
        assert!(calls <= 2 * bound + 64, "reading does not end");
        let result = if chunks {
            match ws.read_chunk_with_writer() {
                Ok((chunk, mut writer)) => {
                    let echo = match chunk {
                        Chunk::Text { data, last } => {
                            delivered += data.len();
                            append(
                                &mut partial,
                                &mut messages,
                                DataKind::Text,
                                data.as_bytes(),
                                last,
                            );
                            echo(
                                &mut writer,
                                DataKind::Text,
                                data.as_bytes(),
                                last,
                                close_first,
                                &mut echoed,
                                &mut closed_first,
                            )
                        }
                        Chunk::Binary { data, last } => {
                            delivered += data.len();
                            append(&mut partial, &mut messages, DataKind::Binary, data, last);
                            echo(
                                &mut writer,
                                DataKind::Binary,
                                data,
                                last,
                                close_first,
                                &mut echoed,
                                &mut closed_first,
                            )
                        }
                        Chunk::Control(m) => {
                            let m = Msg::of(&m);
                            delivered += m.len();
                            messages.push(m);
                            Ok(())
                        }
                    };
                    echo.map_err(Some)
                }
                Err(e) => Err(Some(e)),
            }
        } else {
            match ws.read_with_writer() {
                Ok((message, mut writer)) => {
                    let m = Msg::of(&message);
                    delivered += m.len();
                    let echo = match message {
                        Message::Text(t) => echo(
                            &mut writer,
                            DataKind::Text,
                            t.as_bytes(),
                            true,
                            close_first,
                            &mut echoed,
                            &mut closed_first,
                        ),
                        Message::Binary(b) => echo(
                            &mut writer,
                            DataKind::Binary,
                            b,
                            true,
                            close_first,
                            &mut echoed,
                            &mut closed_first,
                        ),
                        _ => Ok(()),
                    };
                    messages.push(m);
                    echo.map_err(Some)
                }
                Err(e) => Err(Some(e)),
            }
        };
        assert!(
            delivered <= ws.transport().mock().consumed(),
            "{delivered} payload bytes delivered from {} bytes read",
            ws.transport().mock().consumed()
        );
        match result {
            Ok(()) => {}
            Err(Some(Error::Io(ErrorKind::TimedOut))) => {}
            Err(Some(e)) => break e,
            Err(None) => unreachable!(),
        }
    };
    Outcome {
        messages,
        end,
        echoed,
        closed_first,
    }
}

/// Echoes a message or chunk, unless this end has closed; with
/// `close_first`, closes after the first whole message echoed.
fn echo<T: embedded_io::Write, E: hybi::Endpoint>(
    writer: &mut hybi::websocket::Writer<'_, T, E, Vec<u8>>,
    kind: DataKind,
    data: &[u8],
    last: bool,
    close_first: bool,
    echoed: &mut usize,
    closed_first: &mut bool,
) -> Result<(), Error<T::Error>> {
    if *closed_first {
        return Ok(());
    }
    writer.write_fragment(kind, data, last)?;
    if last {
        *echoed += 1;
        if close_first {
            writer.close(hybi::close::CloseCode::NORMAL, "bye")?;
            *closed_first = true;
        }
    }
    Ok(())
}

pub(crate) fn append(
    partial: &mut Option<Msg>,
    messages: &mut Vec<Msg>,
    kind: DataKind,
    data: &[u8],
    last: bool,
) {
    match (
        partial.get_or_insert_with(|| match kind {
            DataKind::Text => Msg::Text(String::new()),
            DataKind::Binary => Msg::Binary(Vec::new()),
        }),
        kind,
    ) {
        (Msg::Text(t), DataKind::Text) => {
            t.push_str(core::str::from_utf8(data).expect("text chunk"))
        }
        (Msg::Binary(b), DataKind::Binary) => b.extend_from_slice(data),
        (other, _) => panic!("{kind:?} chunk inside {other:?}"),
    }
    if last {
        messages.push(partial.take().expect("message"));
    }
}

/// A decoded frame that a connection wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub opcode: Opcode,
    pub payload: Vec<u8>,
}

/// Decodes every frame `writer` wrote, asserting they are valid for its
/// peer: the right mask bit, no RSV bit, minimal lengths, whole frames,
/// nothing after a close, valid fragmentation.
pub fn check_frames(writer: Role, mut bytes: &[u8]) -> Vec<Frame> {
    let opts = DecodeOptions::new(writer.peer());
    let mut frames: Vec<Frame> = Vec::new();
    let mut in_message = false;
    while !bytes.is_empty() {
        let (header, len) = match FrameHeader::decode(bytes, &opts) {
            Ok(Status::Complete(done)) => done,
            other => panic!("invalid frame written: {other:?}"),
        };
        assert_eq!(header.rsv, Rsv::NONE);
        assert_eq!(
            header.encode().expect("re-encode").as_bytes(),
            &bytes[..len]
        );
        let end = len + header.payload_len as usize;
        assert!(bytes.len() >= end, "truncated frame written");
        let mut payload = bytes[len..end].to_vec();
        if let Some(key) = header.mask {
            apply_mask(key, 0, &mut payload);
        }
        assert!(
            frames.last().is_none_or(|f| f.opcode != Opcode::Close),
            "frame written after a close"
        );
        match header.opcode {
            Opcode::Continuation => assert!(in_message, "continuation without a message"),
            Opcode::Text | Opcode::Binary => assert!(!in_message, "message inside a message"),
            Opcode::Close => {
                CloseFrame::parse(&payload).expect("valid close written");
            }
            _ => {}
        }
        if !header.opcode.is_control() {
            in_message = !header.fin;
        }
        frames.push(Frame {
            fin: header.fin,
            opcode: header.opcode,
            payload,
        });
        bytes = &bytes[end..];
    }
    frames
}

/// The data messages in a list of frames, reassembled.
pub fn data_messages(frames: &[Frame]) -> Vec<Msg> {
    let mut out = Vec::new();
    let mut current: Option<(Opcode, Vec<u8>)> = None;
    for f in frames {
        match f.opcode {
            Opcode::Text | Opcode::Binary => current = Some((f.opcode, f.payload.clone())),
            Opcode::Continuation => current.as_mut().expect("open message").1.extend(&f.payload),
            _ => continue,
        }
        if f.fin {
            let (op, bytes) = current.take().expect("message");
            out.push(match op {
                Opcode::Text => Msg::Text(String::from_utf8(bytes).expect("UTF-8 text written")),
                _ => Msg::Binary(bytes),
            });
        }
    }
    out
}

/// The data messages among `messages`.
pub fn only_data(messages: &[Msg]) -> Vec<Msg> {
    messages
        .iter()
        .filter(|m| matches!(m, Msg::Text(_) | Msg::Binary(_)))
        .cloned()
        .collect()
}

/// The end of a head (`\r\n\r\n`) in `bytes`: the head's length.
pub fn head_len(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// A protocol error ends with its close code; the peer's close is echoed;
/// a close this end sent first is the only one.
pub fn check_ending(outcome: &Outcome, frames: &[Frame]) {
    assert_eq!(
        data_messages(frames),
        only_data(&outcome.messages)[..outcome.echoed]
    );
    let last_close = frames
        .last()
        .filter(|f| f.opcode == hybi::frame::Opcode::Close)
        .map(|f| {
            hybi::close::CloseFrame::parse(&f.payload)
                .unwrap()
                .map(|c| c.code().as_u16())
        });
    if outcome.closed_first {
        let closes = frames
            .iter()
            .filter(|f| f.opcode == hybi::frame::Opcode::Close);
        assert_eq!(closes.count(), 1, "one close sent");
        assert_eq!(last_close, Some(Some(1000)));
        assert!(matches!(
            outcome.end,
            Error::Closed | Error::Protocol(_) | Error::UnexpectedEof
        ));
        return;
    }
    match (&outcome.end, outcome.messages.last()) {
        (Error::Protocol(e), _) => assert_eq!(last_close, Some(Some(e.close_code().as_u16()))),
        (Error::Closed, Some(Msg::Close(close))) => {
            assert_eq!(last_close, Some(close.as_ref().map(|c| c.0)))
        }
        (Error::UnexpectedEof, _) => assert_eq!(last_close, None),
        (end, last) => panic!("unexpected end {end:?} after {last:?}"),
    }
}
