//! Shared harness for the connection tests: the in-memory transport
//! ([`transport`]), connections of either role over it, helpers to produce
//! a peer's frames with hybi itself (or by hand), to read a connection to
//! its end in every way it can be read, and to decode what it wrote back.

#![allow(dead_code)]

mod transport;

pub use transport::*;

use embedded_io::{ErrorKind, Read, Write};
use hybi::close::{CloseCode, CloseFrame};
use hybi::frame::{DecodeOptions, FrameHeader, Opcode, Rsv};
use hybi::mask::apply_mask;
use hybi::reassembly::DataKind;
use hybi::split::LocalCell;
use hybi::websocket::{Chunk, Config, Error, Input, Lending, Message, WebSocket, Writer};
use hybi::{Client, ProtocolError, RandomSource, Role, Server, Status};
use std::rc::Rc;

/// Every chunk size the scenarios run with: 1 to 17 bytes per read, then
/// the whole input at once.
pub fn chunk_sizes() -> impl Iterator<Item = usize> {
    (1..=17).chain(core::iter::once(WHOLE))
}

/// A deterministic "random" source: a counter-seeded xorshift, never zero
/// keys (so masking really changes bytes).
#[derive(Debug, Clone)]
pub struct TestRng(pub u64);

impl RandomSource for TestRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = (xorshift(&mut self.0) >> 24) as u8 | 1;
        }
    }
}

pub fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// A connection of either role over the transport `T`: the role is chosen
/// at run time, as the tests loop over both.
pub enum AnyWs<T> {
    Client(WebSocket<T, Vec<u8>, Client<TestRng>>),
    Server(WebSocket<T, Vec<u8>, Server>),
}

/// The write side of an [`AnyWs`].
pub enum AnyWriter<'a, T> {
    Client(Writer<'a, T, Client<TestRng>, Vec<u8>>),
    Server(Writer<'a, T, Server, Vec<u8>>),
}

pub type Ws = AnyWs<Mock>;
/// A client over [`Mock`].
pub type ClientWs = WebSocket<Mock, Vec<u8>, Client<TestRng>>;

impl<T> From<WebSocket<T, Vec<u8>, Client<TestRng>>> for AnyWs<T> {
    fn from(ws: WebSocket<T, Vec<u8>, Client<TestRng>>) -> Self {
        AnyWs::Client(ws)
    }
}

impl<T> From<WebSocket<T, Vec<u8>, Server>> for AnyWs<T> {
    fn from(ws: WebSocket<T, Vec<u8>, Server>) -> Self {
        AnyWs::Server(ws)
    }
}
pub type WsError = Error<ErrorKind>;

/// Runs `$body` with `$ws` bound to the connection, whichever its role.
macro_rules! either {
    ($value:expr, $ty:ident, $ws:ident => $body:expr) => {
        match $value {
            $ty::Client($ws) => $body,
            $ty::Server($ws) => $body,
        }
    };
}

impl<T: Input + Write> AnyWs<T> {
    pub fn role(&self) -> Role {
        either!(self, AnyWs, ws => ws.role())
    }
    pub fn read(&mut self) -> Result<Message<'_>, Error<T::Error>> {
        either!(self, AnyWs, ws => ws.read())
    }
    pub fn read_chunk(&mut self) -> Result<Chunk<'_>, Error<T::Error>> {
        either!(self, AnyWs, ws => ws.read_chunk())
    }
    pub fn read_with_writer(&mut self) -> Result<(Message<'_>, AnyWriter<'_, T>), Error<T::Error>> {
        match self {
            AnyWs::Client(ws) => ws
                .read_with_writer()
                .map(|(m, w)| (m, AnyWriter::Client(w))),
            AnyWs::Server(ws) => ws
                .read_with_writer()
                .map(|(m, w)| (m, AnyWriter::Server(w))),
        }
    }
    pub fn read_chunk_with_writer(
        &mut self,
    ) -> Result<(Chunk<'_>, AnyWriter<'_, T>), Error<T::Error>> {
        match self {
            AnyWs::Client(ws) => ws
                .read_chunk_with_writer()
                .map(|(m, w)| (m, AnyWriter::Client(w))),
            AnyWs::Server(ws) => ws
                .read_chunk_with_writer()
                .map(|(m, w)| (m, AnyWriter::Server(w))),
        }
    }
    pub fn writer(&mut self) -> AnyWriter<'_, T> {
        match self {
            AnyWs::Client(ws) => AnyWriter::Client(ws.writer()),
            AnyWs::Server(ws) => AnyWriter::Server(ws.writer()),
        }
    }
    pub fn write_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.write_text(text))
    }
    pub fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.write_binary(data))
    }
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.write_fragment(kind, data, last))
    }
    pub fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.write_ping(data))
    }
    pub fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.write_pong(data))
    }
    pub fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.send_text(text))
    }
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.send_binary(data))
    }
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.close(code, reason))
    }
    pub fn flush(&mut self) -> Result<(), Error<T::Error>> {
        either!(self, AnyWs, ws => ws.flush())
    }
    pub fn is_open(&self) -> bool {
        either!(self, AnyWs, ws => ws.is_open())
    }
    pub fn is_closed(&self) -> bool {
        either!(self, AnyWs, ws => ws.is_closed())
    }
    pub fn transport(&self) -> &T {
        either!(self, AnyWs, ws => ws.transport())
    }
    pub fn transport_mut(&mut self) -> &mut T {
        either!(self, AnyWs, ws => ws.transport_mut())
    }
    pub fn into_parts(self) -> (T, Vec<u8>, Vec<u8>) {
        either!(self, AnyWs, ws => ws.into_parts())
    }
}

impl<T: Write> AnyWriter<'_, T> {
    pub fn write_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        either!(self, AnyWriter, w => w.write_text(text))
    }
    pub fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        either!(self, AnyWriter, w => w.write_binary(data))
    }
    pub fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        either!(self, AnyWriter, w => w.write_fragment(kind, data, last))
    }
    pub fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        either!(self, AnyWriter, w => w.write_ping(data))
    }
    pub fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        either!(self, AnyWriter, w => w.write_pong(data))
    }
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        either!(self, AnyWriter, w => w.close(code, reason))
    }
    pub fn flush(&mut self) -> Result<(), Error<T::Error>> {
        either!(self, AnyWriter, w => w.flush())
    }
}

/// A connection of `role` (a client masking with `rng`) over `transport`,
/// handshake skipped, with `already_read` as the first bytes received.
pub fn upgraded<T>(
    transport: T,
    role: Role,
    rng: TestRng,
    rx: Vec<u8>,
    tx: Vec<u8>,
    config: Config,
    already_read: &[u8],
) -> Result<AnyWs<T>, Error<core::convert::Infallible>> {
    Ok(match role {
        Role::Client => AnyWs::Client(WebSocket::from_upgraded(
            transport,
            rx,
            tx,
            Client::new(rng),
            config,
            already_read,
        )?),
        Role::Server => AnyWs::Server(WebSocket::from_upgraded(
            transport,
            rx,
            tx,
            Server,
            config,
            already_read,
        )?),
    })
}

/// An open connection (handshake skipped) over a transport serving `input`.
pub fn open(role: Role, input: &[u8], chunk: usize, rx: usize, tx: usize, config: Config) -> Ws {
    open_over(Mock::new(input, chunk), role, rx, tx, config)
}

/// [`open`] over [`Lending`]: payloads are unmasked as they are copied out
/// of the transport's buffer.
pub fn open_lending(
    role: Role,
    input: &[u8],
    chunk: usize,
    rx: usize,
    tx: usize,
    config: Config,
) -> AnyWs<Lending<Mock>> {
    open_over(Lending(Mock::new(input, chunk)), role, rx, tx, config)
}

fn open_over<T>(transport: T, role: Role, rx: usize, tx: usize, config: Config) -> AnyWs<T> {
    let rng = TestRng(0x9E37_79B9_7F4A_7C15);
    upgraded(
        transport,
        role,
        rng,
        vec![0u8; rx],
        vec![0u8; tx],
        config,
        &[],
    )
    .unwrap_or_else(|e| panic!("from_upgraded: {e:?}"))
}

/// The bytes a connection of `role` writes when `f` drives it (its frames
/// as the peer of the other role receives them).
pub fn produce(role: Role, f: impl FnOnce(&mut Ws)) -> Vec<u8> {
    let mut ws = open(role, &[], 1, 256, 4096, Config::new());
    f(&mut ws);
    ws.flush().expect("flush");
    ws.into_parts().0.written
}

/// The peer's close (1000, "bye"), as the peer of `receiver` writes it.
pub fn peer_close(receiver: Role) -> Vec<u8> {
    produce(receiver.peer(), |ws| ws.close(1000.into(), "bye").unwrap())
}

/// `frames`, then [`peer_close`].
pub fn closing(receiver: Role, mut frames: Vec<u8>) -> Vec<u8> {
    frames.extend(peer_close(receiver));
    frames
}

/// The message [`peer_close`] delivers.
pub fn bye() -> Msg {
    Msg::Close(Some((1000, "bye".into())))
}

/// A hand-built frame, masked with `mask` if given.
pub fn raw_frame(byte0: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let fin = byte0 & 0x80 != 0;
    let opcode = byte0 & 0x0F;
    // Encode with a valid opcode, then patch byte 0 (reserved opcodes and
    // RSV bits cannot go through the encoder).
    let mut header = FrameHeader::new(Opcode::Binary, payload.len() as u64).with_fin(fin);
    if opcode == 0x8 || opcode == 0x9 || opcode == 0xA {
        // The encoder refuses control frames over 125 bytes; build those
        // as binary too.
        header.opcode = Opcode::Binary;
    }
    header.mask = mask;
    let mut out = header.encode().expect("encode").as_bytes().to_vec();
    out[0] = byte0;
    let mut body = payload.to_vec();
    if let Some(key) = mask {
        apply_mask(key, 0, &mut body);
    }
    out.extend_from_slice(&body);
    out
}

/// The header of an unmasked binary frame announcing `len` bytes in the
/// 64-bit length form, minimal or not.
pub fn header_64(len: u64) -> Vec<u8> {
    let mut h = vec![0x82, 0x7F];
    h.extend_from_slice(&len.to_be_bytes());
    h
}

/// A frame as the peer of `receiver` sends it: masked when the receiver is
/// a server.
pub fn frame_to(receiver: Role, byte0: u8, payload: &[u8]) -> Vec<u8> {
    let mask = match receiver {
        Role::Server => Some([0x37, 0xfa, 0x21, 0x3d]),
        Role::Client => None,
    };
    raw_frame(byte0, payload, mask)
}

/// A close frame payload: the code then the reason.
pub fn close_payload(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut p = code.to_be_bytes().to_vec();
    p.extend_from_slice(reason);
    p
}

/// A decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub opcode: Opcode,
    pub masked: bool,
    pub payload: Vec<u8>,
}

/// Decodes every frame a `writer` wrote; panics on anything malformed
/// (the library must only ever write valid frames).
pub fn decode_frames(writer: Role, mut bytes: &[u8]) -> Vec<Frame> {
    let opts = DecodeOptions::new(writer.peer());
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let (header, len) = match FrameHeader::decode(bytes, &opts) {
            Ok(Status::Complete(done)) => done,
            other => panic!("bad frame written: {other:?} in {bytes:02x?}"),
        };
        assert_eq!(header.rsv, Rsv::NONE);
        let end = len + header.payload_len as usize;
        assert!(bytes.len() >= end, "truncated frame written");
        let mut payload = bytes[len..end].to_vec();
        if let Some(key) = header.mask {
            apply_mask(key, 0, &mut payload);
        }
        frames.push(Frame {
            fin: header.fin,
            opcode: header.opcode,
            masked: header.mask.is_some(),
            payload,
        });
        bytes = &bytes[end..];
    }
    frames
}

/// The close frames a `writer` wrote, as `None` (empty) or the code.
pub fn closes_written(writer: Role, bytes: &[u8]) -> Vec<Option<u16>> {
    decode_frames(writer, bytes)
        .into_iter()
        .filter(|f| f.opcode == Opcode::Close)
        .map(|f| {
            CloseFrame::parse(&f.payload)
                .expect("valid close written")
                .map(|c| c.code().as_u16())
        })
        .collect()
}

/// The length of the HTTP head `bytes` start with, up to its blank line.
pub fn head_len(bytes: &[u8]) -> Option<usize> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some(end + 4)
}

/// Checks what a connection of `role` wrote while its reading ended with
/// `end`: valid frames, nothing but pongs and one close at the most, last;
/// for a protocol error, a close with its code; after the peer's close
/// (`peer_close`: the code it carried, or `None` for an empty close), that
/// close answered with the same code; at the end of input, no close.
/// Returns the pongs' payloads.
pub fn check_answers(
    role: Role,
    written: &[u8],
    end: &WsError,
    peer_close: Option<Option<u16>>,
) -> Vec<Vec<u8>> {
    let frames = decode_frames(role, written);
    let (close, answers) = match frames.split_last() {
        Some((last, rest)) if last.opcode == Opcode::Close => (Some(last), rest),
        _ => (None, &frames[..]),
    };
    let close = close.map(|f| {
        CloseFrame::parse(&f.payload)
            .expect("valid close written")
            .map(|c| c.code().as_u16())
    });
    let pongs = answers
        .iter()
        .map(|f| match f.opcode {
            Opcode::Pong => f.payload.clone(),
            other => panic!("{other:?} written in answer to {end:?}"),
        })
        .collect();
    match (end, peer_close) {
        (Error::Protocol(e), None) => {
            assert_eq!(close, Some(Some(e.close_code().as_u16())), "{end:?}")
        }
        (Error::Closed, Some(code)) => assert_eq!(close, Some(code), "the peer's close"),
        (Error::UnexpectedEof, None) => assert_eq!(close, None, "{end:?}"),
        other => panic!("reading ended with {other:?}"),
    }
    pongs
}

/// A message as the tests compare them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
}

impl Msg {
    pub fn text(s: &str) -> Msg {
        Msg::Text(s.to_string())
    }

    fn from_message(m: &Message<'_>) -> Msg {
        match *m {
            Message::Text(t) => Msg::Text(t.to_string()),
            Message::Binary(b) => Msg::Binary(b.to_vec()),
            Message::Ping(p) => Msg::Ping(p.to_vec()),
            Message::Pong(p) => Msg::Pong(p.to_vec()),
            Message::Close(c) => Msg::Close(c.map(|c| (c.code().as_u16(), c.reason().to_string()))),
        }
    }

    pub fn payload_len(&self) -> usize {
        match self {
            Msg::Text(t) => t.len(),
            Msg::Binary(b) | Msg::Ping(b) | Msg::Pong(b) => b.len(),
            Msg::Close(c) => c.as_ref().map_or(0, |(_, r)| 2 + r.len()),
        }
    }
}

/// How a connection is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `read`: whole messages.
    Whole,
    /// `read_chunk`: chunks, concatenated here into messages.
    Chunks,
    /// `read` over [`Lending`] (with [`run_with`] and the helpers built on
    /// it; [`drain`] reads a connection it is given as [`Mode::Whole`]).
    LendingWhole,
    /// `read_chunk` over [`Lending`].
    LendingChunks,
    /// `read` from the read half of the connection split.
    SplitWhole,
    /// `read_chunk` from the read half of the connection split.
    SplitChunks,
    /// `read` from the async driver.
    AsyncWhole,
    /// `read_chunk` from the async driver.
    AsyncChunks,
    /// `read` from the read half of the async driver, split.
    AsyncSplitWhole,
    /// `read_chunk` from the read half of the async driver, split.
    AsyncSplitChunks,
    /// `read` from the connection core, driven here with no driver.
    CoreWhole,
    /// `read_chunk` from the connection core.
    CoreChunks,
}

impl Mode {
    /// Whether the connection reads with `read_chunk`.
    pub fn chunks(self) -> bool {
        matches!(
            self,
            Mode::Chunks
                | Mode::LendingChunks
                | Mode::SplitChunks
                | Mode::AsyncChunks
                | Mode::CoreChunks
                | Mode::AsyncSplitChunks
        )
    }

    /// Whether the async driver reads.
    pub fn asynch(self) -> bool {
        matches!(self, Mode::AsyncWhole | Mode::AsyncChunks)
    }

    /// Whether the connection is split.
    pub fn split(self) -> bool {
        matches!(self, Mode::SplitWhole | Mode::SplitChunks)
    }

    /// Whether the transport lends its buffer.
    pub fn lending(self) -> bool {
        matches!(self, Mode::LendingWhole | Mode::LendingChunks)
    }
}

/// The read modes, over a plain `Read` transport: for tests that build
/// their own connection over [`Mock`].
pub const MODES: [Mode; 2] = [Mode::Whole, Mode::Chunks];

/// Every read mode, over both kinds of transport, through the read half of
/// the connection split, from the connection core with no driver, and
/// (with the `async` feature) through the async driver.
pub const ALL_MODES: &[Mode] = &[
    Mode::Whole,
    Mode::Chunks,
    Mode::LendingWhole,
    Mode::LendingChunks,
    Mode::SplitWhole,
    Mode::SplitChunks,
    Mode::CoreWhole,
    Mode::CoreChunks,
    #[cfg(feature = "async")]
    Mode::AsyncWhole,
    #[cfg(feature = "async")]
    Mode::AsyncChunks,
    #[cfg(feature = "async")]
    Mode::AsyncSplitWhole,
    #[cfg(feature = "async")]
    Mode::AsyncSplitChunks,
];

/// What reading a connection to its end gave.
#[derive(Debug)]
pub struct Outcome {
    /// The messages delivered, in order.
    pub messages: Vec<Msg>,
    /// The error that ended the reading (`Error::Closed` after a close).
    pub end: WsError,
    /// What the connection wrote.
    pub written: Vec<u8>,
    /// The transport's call log.
    pub log: Vec<Op>,
    /// How many chunks `read_chunk` delivered (0 in whole mode).
    pub chunks: usize,
    /// The length of each chunk `read_chunk` delivered, in order.
    pub chunk_lens: Vec<usize>,
    /// Input bytes never read.
    pub unread: usize,
}

impl Outcome {
    /// The close codes written.
    pub fn closes(&self, writer: Role) -> Vec<Option<u16>> {
        closes_written(writer, &self.written)
    }
}

/// Reads everything from `ws` until an error: whole messages or chunks
/// (concatenated into messages, checking that every text chunk is UTF-8
/// on its own, which `&str` guarantees). After a `Close` message one more
/// read must give `Error::Closed`.
pub fn drain<T: Transport>(ws: impl Into<AnyWs<T>>, mode: Mode) -> Outcome {
    let mut ws = ws.into();
    let (messages, chunks, end) = read_all(mode.chunks(), |chunks| {
        if chunks {
            ws.read_chunk().map(Got::of_chunk)
        } else {
            ws.read().map(|m| Got::Message(Msg::from_message(&m)))
        }
    });
    outcome(ws.into_parts().0.into_mock(), messages, chunks, end)
}

/// [`drain`] through the read half of the connection split
/// ([`hybi::split`]), with both halves in this thread.
pub fn drain_split(ws: AnyWs<SharedMock>, mode: Mode) -> Outcome {
    let mock = ws.transport().clone();
    fn halves(t: SharedMock) -> (SharedMock, SharedMock) {
        (t.clone(), t)
    }
    let (messages, chunks, end) = match ws {
        AnyWs::Client(ws) => {
            let (reading, shared) = ws.split::<LocalCell, _, _>(halves).expect("open");
            let (mut reader, _writer) = reading.attach(Rc::new(shared));
            read_all(mode.chunks(), |chunks| {
                if chunks {
                    reader.read_chunk().map(Got::of_chunk)
                } else {
                    reader.read().map(|m| Got::Message(Msg::from_message(&m)))
                }
            })
        }
        AnyWs::Server(ws) => {
            let (reading, shared) = ws.split::<LocalCell, _, _>(halves).expect("open");
            let (mut reader, _writer) = reading.attach(Rc::new(shared));
            read_all(mode.chunks(), |chunks| {
                if chunks {
                    reader.read_chunk().map(Got::of_chunk)
                } else {
                    reader.read().map(|m| Got::Message(Msg::from_message(&m)))
                }
            })
        }
    };
    outcome(mock.take(), messages, chunks, end)
}

/// What one read gave, owned.
pub enum Got {
    Message(Msg),
    Text(String, bool),
    Binary(Vec<u8>, bool),
}

impl Got {
    fn of_chunk(chunk: Chunk<'_>) -> Got {
        match chunk {
            Chunk::Control(m) => Got::Message(Msg::from_message(&m)),
            Chunk::Text { data, last } => Got::Text(data.into(), last),
            Chunk::Binary { data, last } => Got::Binary(data.into(), last),
        }
    }
}

/// Reads with `read` (given whether to read chunks) until an error:
/// the messages (chunks concatenated, checking that every text chunk is
/// UTF-8 on its own, which `&str` guarantees), the length of each chunk,
/// and the error. After a `Close` message one more read must give
/// `Error::Closed`.
fn read_all(
    chunks: bool,
    mut read: impl FnMut(bool) -> Result<Got, WsError>,
) -> (Vec<Msg>, Vec<usize>, WsError) {
    let mut messages = Vec::new();
    let mut lens = Vec::new();
    let mut partial: Option<Msg> = None;
    let mut reads = 0usize;
    let end = loop {
        reads += 1;
        assert!(reads < 100_000_000, "runaway reading");
        match read(chunks) {
            Ok(Got::Message(m)) => messages.push(m),
            Ok(Got::Text(data, last)) => {
                lens.push(data.len());
                match partial.get_or_insert_with(|| Msg::Text(String::new())) {
                    Msg::Text(t) => t.push_str(&data),
                    other => panic!("text chunk inside {other:?}"),
                }
                if last {
                    messages.push(partial.take().unwrap());
                }
            }
            Ok(Got::Binary(data, last)) => {
                lens.push(data.len());
                match partial.get_or_insert_with(|| Msg::Binary(Vec::new())) {
                    Msg::Binary(b) => b.extend_from_slice(&data),
                    other => panic!("binary chunk inside {other:?}"),
                }
                if last {
                    messages.push(partial.take().unwrap());
                }
            }
            Err(e) => break e,
        }
    };
    if matches!(messages.last(), Some(Msg::Close(_))) {
        assert_eq!(end, Error::Closed, "read after a close");
    }
    (messages, lens, end)
}

fn outcome(transport: Mock, messages: Vec<Msg>, chunk_lens: Vec<usize>, end: WsError) -> Outcome {
    let unread = transport.unread();
    Outcome {
        messages,
        end,
        written: transport.written,
        log: transport.log,
        chunks: chunk_lens.len(),
        chunk_lens,
        unread,
    }
}

/// Feeds `input` to a connection of `role` with a read buffer of `rx`
/// bytes, and reads it to the end.
pub fn run_with(
    role: Role,
    input: &[u8],
    chunk: usize,
    mode: Mode,
    rx: usize,
    config: Config,
) -> Outcome {
    if mode.lending() {
        drain(open_lending(role, input, chunk, rx, 1024, config), mode)
    } else if matches!(mode, Mode::CoreWhole | Mode::CoreChunks) {
        drain_core(role, input, chunk, rx, config, mode)
    } else if matches!(mode, Mode::AsyncSplitWhole | Mode::AsyncSplitChunks) {
        drain_async_split(role, input, chunk, rx, config, mode)
    } else if mode.asynch() {
        drain_async(role, input, chunk, rx, config, mode)
    } else if mode.split() {
        let mock = SharedMock::new(Mock::new(input, chunk));
        drain_split(open_over(mock, role, rx, 1024, config), mode)
    } else {
        drain(open(role, input, chunk, rx, 1024, config), mode)
    }
}

/// [`run_with`] with a 4 KiB read buffer and the default configuration.
pub fn run(role: Role, input: &[u8], chunk: usize, mode: Mode) -> Outcome {
    run_with(role, input, chunk, mode, 4096, Config::new())
}

/// Runs `check` for every chunk size and every read mode.
pub fn every_way(mut check: impl FnMut(usize, Mode)) {
    for chunk in chunk_sizes() {
        for &mode in ALL_MODES {
            check(chunk, mode);
        }
    }
}

/// Asserts that a connection of `role` fed `input` delivers `messages`,
/// then sends exactly the close `close` (None: an empty close; the outer
/// Option: no close at all) and ends with `end`, for every chunk size and
/// every mode.
pub fn expect(
    role: Role,
    input: &[u8],
    messages: &[Msg],
    close: Option<Option<u16>>,
    end: WsError,
) {
    expect_named("", role, input, messages, close, end);
}

/// [`expect`], naming the case in what a failure prints.
fn expect_named(
    name: &str,
    role: Role,
    input: &[u8],
    messages: &[Msg],
    close: Option<Option<u16>>,
    end: WsError,
) {
    every_way(|chunk, mode| {
        let out = run(role, input, chunk, mode);
        let ctx = format!("{name} {role:?} chunk {chunk} {mode:?}");
        assert_eq!(out.messages, messages, "{ctx}: messages");
        assert_eq!(out.end, end, "{ctx}: end");
        let closes = out.closes(role);
        assert_eq!(
            closes,
            close.into_iter().collect::<Vec<_>>(),
            "{ctx}: closes"
        );
    });
}

/// A row of a rejection table: a connection of `role` fed `input` delivers
/// `delivered`, then fails with `error` and writes a close with `code`.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub name: String,
    pub role: Role,
    pub input: Vec<u8>,
    pub delivered: Vec<Msg>,
    pub error: ProtocolError,
    pub code: u16,
}

impl Rejection {
    /// A row in which nothing is delivered before the error.
    pub fn new(
        name: impl Into<String>,
        role: Role,
        input: Vec<u8>,
        error: ProtocolError,
        code: u16,
    ) -> Self {
        Rejection {
            name: name.into(),
            role,
            input,
            delivered: Vec::new(),
            error,
            code,
        }
    }

    /// The row with `delivered` delivered before the error.
    pub fn after(mut self, delivered: &[Msg]) -> Self {
        self.delivered = delivered.to_vec();
        self
    }
}

/// Checks every row of `table` for every chunk size and every read mode:
/// the messages delivered, the error, and the one close written, whose
/// code is the error's.
pub fn check_rejections(table: &[Rejection]) {
    let mut names = std::collections::HashSet::new();
    for row in table {
        let named = format!("{} ({:?})", row.name, row.role);
        assert!(names.insert(named), "two rows named {}", row.name);
        assert_eq!(row.error.close_code().as_u16(), row.code, "{}", row.name);
        expect_named(
            &row.name,
            row.role,
            &row.input,
            &row.delivered,
            Some(Some(row.code)),
            protocol(row.error),
        );
    }
}

/// Both roles.
pub const ROLES: [Role; 2] = [Role::Server, Role::Client];

/// A protocol error ending.
pub fn protocol(e: ProtocolError) -> WsError {
    Error::Protocol(e)
}

/// Runs `future` to its end, polling it as often as it is pending: the
/// in-memory transports are never pending for long.
pub fn block_on<F: core::future::Future>(future: F) -> F::Output {
    let mut future = core::pin::pin!(future);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    loop {
        if let core::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// [`drain`] through the async driver over an [`AsyncMock`] serving
/// `input`.
#[cfg(feature = "async")]
pub fn drain_async(
    role: Role,
    input: &[u8],
    chunk: usize,
    rx: usize,
    config: Config,
    mode: Mode,
) -> Outcome {
    use hybi::asynch::WebSocket as AsyncWebSocket;
    let mock = AsyncMock(Mock::new(input, chunk));
    let (rx, tx) = (vec![0u8; rx], vec![0u8; 1024]);
    macro_rules! drain_with {
        ($ws:expr) => {{
            let mut ws = $ws.expect("from_upgraded");
            let (messages, chunks, end) = read_all(mode.chunks(), |chunks| {
                block_on(async {
                    if chunks {
                        ws.read_chunk().await.map(Got::of_chunk)
                    } else {
                        ws.read().await.map(|m| Got::Message(Msg::from_message(&m)))
                    }
                })
            });
            outcome(ws.into_parts().0.0, messages, chunks, end)
        }};
    }
    match role {
        Role::Client => {
            let client = Client::new(TestRng(0x9E37_79B9_7F4A_7C15));
            drain_with!(AsyncWebSocket::from_upgraded(
                mock,
                rx,
                tx,
                client,
                config,
                &[]
            ))
        }
        Role::Server => drain_with!(AsyncWebSocket::from_upgraded(
            mock,
            rx,
            tx,
            Server,
            config,
            &[]
        )),
    }
}

/// [`drain`] through the read half of the async driver, split, both
/// halves on this thread.
#[cfg(feature = "async")]
pub fn drain_async_split(
    role: Role,
    input: &[u8],
    chunk: usize,
    rx: usize,
    config: Config,
    mode: Mode,
) -> Outcome {
    use hybi::asynch::WebSocket as AsyncWebSocket;
    let mock = SharedMock::new(Mock::new(input, chunk));
    let (rx, tx) = (vec![0u8; rx], vec![0u8; 1024]);
    fn halves(t: AsyncMock<SharedMock>) -> (AsyncMock<SharedMock>, AsyncMock<SharedMock>) {
        (t.clone(), t)
    }
    macro_rules! drain_with {
        ($ws:expr) => {{
            let ws = $ws.expect("from_upgraded");
            let (reading, shared) = ws.split(halves).expect("open");
            let (mut reader, _writer) = reading.attach_async(&shared);
            read_all(mode.chunks(), |chunks| {
                block_on(async {
                    if chunks {
                        reader.read_chunk().await.map(Got::of_chunk)
                    } else {
                        reader
                            .read()
                            .await
                            .map(|m| Got::Message(Msg::from_message(&m)))
                    }
                })
            })
        }};
    }
    let transport = AsyncMock(mock.clone());
    let (messages, chunks, end) = match role {
        Role::Client => {
            let client = Client::new(TestRng(0x9E37_79B9_7F4A_7C15));
            drain_with!(AsyncWebSocket::from_upgraded(
                transport,
                rx,
                tx,
                client,
                config,
                &[]
            ))
        }
        Role::Server => {
            drain_with!(AsyncWebSocket::from_upgraded(
                transport,
                rx,
                tx,
                Server,
                config,
                &[]
            ))
        }
    };
    outcome(mock.take(), messages, chunks, end)
}

#[cfg(not(feature = "async"))]
pub fn drain_async_split(_: Role, _: &[u8], _: usize, _: usize, _: Config, _: Mode) -> Outcome {
    unreachable!("the async modes are only run with the async feature")
}

#[cfg(not(feature = "async"))]
pub fn drain_async(_: Role, _: &[u8], _: usize, _: usize, _: Config, _: Mode) -> Outcome {
    unreachable!("the async modes are only run with the async feature")
}

/// [`drain`] straight from the connection core ([`hybi::Connection`]): the
/// harness moves the bytes, from a [`Mock`] serving `input` and to it.
pub fn drain_core(
    role: Role,
    input: &[u8],
    chunk: usize,
    rx: usize,
    config: Config,
    mode: Mode,
) -> Outcome {
    let mut mock = Mock::new(input, chunk);
    let (rx, tx) = (vec![0u8; rx], vec![0u8; 1024]);
    macro_rules! drain_with {
        ($conn:expr) => {{
            let mut conn = $conn;
            let (messages, chunks, end) = read_all(mode.chunks(), |chunks| {
                loop {
                    let got = if chunks {
                        conn.read_chunk().map(|c| c.map(Got::of_chunk))
                    } else {
                        conn.read()
                            .map(|m| m.map(|m| Got::Message(Msg::from_message(&m))))
                    };
                    match got {
                        Ok(Some(got)) => return Ok(got),
                        Ok(None) if !conn.transmit().is_empty() => {
                            let n = Write::write(&mut mock, conn.transmit()).expect("in memory");
                            conn.transmitted(n);
                            Write::flush(&mut mock).expect("in memory");
                        }
                        Ok(None) => {
                            let n =
                                Read::read(&mut mock, conn.receive_buffer()).expect("in memory");
                            if n == 0 {
                                return Err(conn.end_of_input().into());
                            }
                            conn.received(n);
                        }
                        Err(e) => {
                            // The close it queued goes out, as a driver sends it.
                            while !conn.transmit().is_empty() {
                                let n =
                                    Write::write(&mut mock, conn.transmit()).expect("in memory");
                                conn.transmitted(n);
                            }
                            return Err(e.into());
                        }
                    }
                }
            });
            outcome(mock, messages, chunks, end)
        }};
    }
    match role {
        Role::Client => {
            let client = Client::new(TestRng(0x9E37_79B9_7F4A_7C15));
            drain_with!(hybi::Connection::upgraded(client, rx, tx, config))
        }
        Role::Server => drain_with!(hybi::Connection::upgraded(Server, rx, tx, config)),
    }
}
