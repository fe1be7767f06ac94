//! Message size limits (section 10.4) and the write side: batching,
//! flushing before a blocking read, fragments, small buffers, short writes.

mod common;

use common::*;
use hybi::frame::Opcode;
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Error, MIN_READ_BUFFER, MIN_WRITE_BUFFER, Message};
use hybi::{ProtocolError, Role, UsageError};

fn data_of(n: usize) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1D_u64 ^ n as u64;
    (0..n).map(|_| xorshift(&mut state) as u8).collect()
}

/// `message` as the peer of `receiver` sends it in frames of `frame` bytes.
fn fragmented(receiver: Role, message: &[u8], frame: usize) -> Vec<u8> {
    let mut ws = open(receiver.peer(), &[], 1, 256, 64 * 1024, Config::new());
    let pieces: Vec<_> = message.chunks(frame).collect();
    for (i, piece) in pieces.iter().enumerate() {
        ws.write_fragment(DataKind::Binary, piece, i + 1 == pieces.len())
            .unwrap();
    }
    ws.close(1000.into(), "bye").unwrap();
    ws.into_parts().0.written
}

#[test]
fn big_messages_in_many_frame_sizes() {
    const MIB: usize = 1024 * 1024;
    // (message, frame, transport read size)
    let combos = [
        (MIB, 64, 4096),
        (MIB, 1000, 17),
        (2 * MIB, 64 * 1024, WHOLE),
        (4 * MIB, 4 * MIB, 65536),
        (16 * MIB, 4 * MIB, WHOLE),
        (16 * MIB, 1024 * 1024 + 3, WHOLE),
    ];
    for (i, &(len, frame, chunk)) in combos.iter().enumerate() {
        let message = data_of(len);
        let role = ROLES[i % 2];
        let input = fragmented(role, &message, frame);
        for &mode in ALL_MODES {
            let rx = match mode.chunks() {
                false => len + MIN_READ_BUFFER,
                true => 4096,
            };
            let out = run_with(role, &input, chunk, mode, rx, Config::new());
            let ctx = format!("{role:?} {len} in {frame} by {chunk} {mode:?}");
            assert_eq!(out.messages.len(), 2, "{ctx}");
            assert!(out.messages[0] == Msg::Binary(message.clone()), "{ctx}");
            assert_eq!(out.closes(role), [Some(1000)], "{ctx}");
            assert_eq!(out.end, Error::Closed, "{ctx}");
        }
    }
}

/// A frame header for `len` bytes with no payload after it.
fn header_only(receiver: Role, byte0: u8, len: usize) -> Vec<u8> {
    let mut f = frame_to(receiver, byte0, &vec![0; len]);
    f.truncate(f.len() - len);
    f
}

#[test]
fn over_max_message_len_is_1009_from_the_header() {
    let config = Config::new().max_message_len(1000);
    for role in ROLES {
        every_way(|chunk, mode| {
            // Exactly the limit passes.
            let mut input = frame_to(role, 0x82, &[7; 1000]);
            input.extend(peer_close(role));
            let out = run_with(role, &input, chunk, mode, 4096, config);
            assert_eq!(out.messages[0], Msg::Binary(vec![7; 1000]));
            assert_eq!(out.closes(role), [Some(1000)]);

            // One more: refused with no payload having arrived.
            for byte0 in [0x81, 0x82] {
                let input = header_only(role, byte0, 1001);
                let out = run_with(role, &input, chunk, mode, 4096, config);
                assert!(out.messages.is_empty());
                assert_eq!(
                    out.end,
                    protocol(ProtocolError::MessageTooBig),
                    "{chunk} {mode:?}"
                );
                assert_eq!(out.closes(role), [Some(1009)]);
            }

            // Over the limit across fragments: decided at the second header.
            let mut input = frame_to(role, 0x02, &[1; 600]);
            input.extend(header_only(role, 0x80, 401));
            let out = run_with(role, &input, chunk, mode, 4096, config);
            assert!(out.messages.is_empty());
            assert_eq!(out.end, protocol(ProtocolError::MessageTooBig));
            assert_eq!(out.closes(role), [Some(1009)]);

            // A length no one could hold.
            let mut huge = frame_to(role, 0x82, &[0; 70_000]);
            huge.truncate(huge.len() - 70_000);
            huge[2..10].copy_from_slice(&(1u64 << 62).to_be_bytes());
            let out = run(role, &huge, chunk, mode);
            assert_eq!(out.end, protocol(ProtocolError::MessageTooBig));
            assert_eq!(out.closes(role), [Some(1009)]);
        });
    }
}

#[test]
fn message_larger_than_read_buffer() {
    let rx = 4096;
    let fits = rx - MIN_READ_BUFFER;
    for role in ROLES {
        every_way(|chunk, mode| {
            let mut input = produce(role.peer(), |ws| {
                ws.write_binary(&data_of(fits)).unwrap();
                ws.write_fragment(DataKind::Text, &vec![b'x'; fits - 10], false)
                    .unwrap();
                ws.write_ping(b"between").unwrap();
                ws.write_fragment(DataKind::Text, &[b'y'; 10], true)
                    .unwrap();
            });
            input.extend(peer_close(role));
            let out = run_with(role, &input, chunk, mode, rx, Config::new());
            let mut text = "x".repeat(fits - 10);
            text.push_str(&"y".repeat(10));
            assert_eq!(out.messages.len(), 3, "{chunk} {mode:?}");
            assert_eq!(out.messages[0], Msg::Binary(data_of(fits)));
            assert_eq!(out.messages[1], Msg::Text(text));
            assert_eq!(out.closes(role), [Some(1000)]);

            // One byte more: 1009 in whole mode, from the header alone;
            // fine in chunk mode.
            let mut input = frame_to(role, 0x82, &data_of(fits + 1));
            input.extend(peer_close(role));
            let out = run_with(role, &input, chunk, mode, rx, Config::new());
            match mode.chunks() {
                false => {
                    assert!(out.messages.is_empty());
                    assert_eq!(out.end, protocol(ProtocolError::MessageTooBig));
                    assert_eq!(out.closes(role), [Some(1009)]);
                    let early = header_only(role, 0x82, fits + 1);
                    let out = run_with(role, &early, chunk, mode, rx, Config::new());
                    assert_eq!(out.end, protocol(ProtocolError::MessageTooBig));
                    assert_eq!(out.closes(role), [Some(1009)]);
                }
                true => {
                    assert_eq!(out.messages[0], Msg::Binary(data_of(fits + 1)));
                    assert_eq!(out.closes(role), [Some(1000)]);
                }
            }
        });
        // Chunks through the smallest buffer there is.
        let message = data_of(100_000);
        let mut input = frame_to(role, 0x82, &message);
        input.extend(peer_close(role));
        for chunk in [1, 13, 139, 140, WHOLE] {
            let out = run_with(
                role,
                &input,
                chunk,
                Mode::Chunks,
                MIN_READ_BUFFER,
                Config::new(),
            );
            assert_eq!(out.messages[0], Msg::Binary(message.clone()), "{chunk}");
            assert_eq!(out.closes(role), [Some(1000)]);
        }
        let out = run_with(
            role,
            &input,
            WHOLE,
            Mode::Chunks,
            MIN_READ_BUFFER - 1,
            Config::new(),
        );
        assert_eq!(out.end, Error::BufferTooSmall);
    }
}

#[test]
fn text_chunks_end_on_character_boundaries() {
    let text = "€😀é".repeat(2000);
    for role in ROLES {
        let mut input = frame_to(role, 0x81, text.as_bytes());
        input.extend(peer_close(role));
        for chunk in chunk_sizes() {
            let out = run_with(
                role,
                &input,
                chunk,
                Mode::Chunks,
                MIN_READ_BUFFER,
                Config::new(),
            );
            // `drain` builds the text from `&str` chunks: each was UTF-8.
            assert_eq!(out.messages[0], Msg::Text(text.clone()));
            assert!(out.chunks > 1);
        }
    }
}

/// While a frame's payload is still arriving, a chunk is handed out only
/// once the message holds [`Config::min_chunk_len`] bytes: by default as
/// many as the read buffer allows (its length less `MIN_READ_BUFFER`); the
/// frame's last bytes come whatever their number. `min_chunk_len(1)` hands
/// out each read's bytes as they arrive.
#[test]
fn chunks_fill_the_buffer_while_a_frame_arrives() {
    let rx = 1024;
    let message = data_of(10_000);
    let text = "a€😀é".repeat(1000);
    for role in ROLES {
        let mut binary = frame_to(role, 0x82, &message);
        binary.extend(peer_close(role));
        let mut texts = frame_to(role, 0x81, text.as_bytes());
        texts.extend(peer_close(role));
        every_way(|chunk, mode| {
            if !mode.chunks() {
                return;
            }
            let ctx = format!("{role:?} {chunk} {mode:?}");
            let least = [
                (Config::new(), rx - MIN_READ_BUFFER),
                (Config::new().min_chunk_len(300), 300),
                (Config::new().min_chunk_len(5000), rx - MIN_READ_BUFFER),
            ];
            for (config, least) in least {
                let out = run_with(role, &binary, chunk, mode, rx, config);
                assert_eq!(out.messages[0], Msg::Binary(message.clone()), "{ctx}");
                let (_last, rest) = out.chunk_lens.split_last().expect("chunks");
                assert!(
                    rest.iter().all(|&n| n >= least),
                    "{ctx} {least}: {:?}",
                    out.chunk_lens
                );
                // Text chunks hold back an unfinished character: up to 3
                // bytes fewer.
                let out = run_with(role, &texts, chunk, mode, rx, config);
                assert_eq!(out.messages[0], Msg::Text(text.clone()), "{ctx}");
                let (_last, rest) = out.chunk_lens.split_last().expect("chunks");
                assert!(
                    rest.iter().all(|&n| n + 3 >= least),
                    "{ctx} {least}: {:?}",
                    out.chunk_lens
                );
            }
            let out = run_with(
                role,
                &binary,
                chunk,
                mode,
                rx,
                Config::new().min_chunk_len(1),
            );
            assert_eq!(out.messages[0], Msg::Binary(message.clone()), "{ctx}");
            if chunk != WHOLE {
                assert!(out.chunk_lens.iter().all(|&n| n <= chunk), "{ctx}");
            }
        });
    }
}

/// A fragment that has arrived whole is handed out at once, however
/// short: the peer may wait for an answer before it sends the next one.
#[test]
fn a_fragment_is_handed_out_when_its_frame_ends() {
    for role in ROLES {
        let input = produce(role.peer(), |ws| {
            ws.write_fragment(DataKind::Binary, b"first part, ", false)
                .unwrap();
        });
        every_way(|chunk, mode| {
            if !mode.chunks() {
                return;
            }
            // Nothing comes after it: the transport ends.
            let out = run_with(role, &input, chunk, mode, 4096, Config::new());
            assert_eq!(out.chunk_lens, [12], "{role:?} {chunk} {mode:?}");
            assert_eq!(out.end, Error::UnexpectedEof, "{role:?} {chunk} {mode:?}");
        });
    }
}

/// The relay: a 76,800-byte message that arrives in reads of 1,460
/// bytes, echoed chunk by chunk through 64 KiB buffers, goes back in two
/// frames, not one per read.
#[test]
fn a_relay_writes_frames_as_large_as_the_buffer_allows() {
    let message = data_of(76_800);
    for role in ROLES {
        let mut input = frame_to(role, 0x82, &message);
        input.extend(peer_close(role));
        // As each read arrives, one frame for each: 53.
        for (config, frames) in [(Config::new(), 2), (Config::new().min_chunk_len(1), 53)] {
            for mode in [Mode::Chunks, Mode::LendingChunks] {
                let written = if mode.lending() {
                    echo(
                        open_lending(role, &input, 1460, 1 << 16, 1 << 16, config),
                        mode,
                    )
                } else {
                    echo(open(role, &input, 1460, 1 << 16, 1 << 16, config), mode)
                };
                let data: Vec<_> = decode_frames(role, &written)
                    .into_iter()
                    .filter(|f| f.opcode != Opcode::Close)
                    .collect();
                let payload: Vec<u8> = data.iter().flat_map(|f| f.payload.clone()).collect();
                assert!(payload == message, "{role:?} {mode:?}");
                assert_eq!(data.len(), frames, "{role:?} {mode:?}");
            }
        }
    }
}

#[test]
fn small_messages_share_transport_writes() {
    for role in ROLES {
        let mut ws = open(role, &[], 1, 512, 4096, Config::new());
        for i in 0..1000 {
            ws.write_text(&format!("message {i}")).unwrap();
        }
        ws.flush().unwrap();
        let transport = ws.into_parts().0;
        // About 16 bytes a frame: a handful of 4 KiB writes.
        assert!(transport.write_calls() <= 5, "{}", transport.write_calls());
        let frames = decode_frames(role, &transport.written);
        assert_eq!(frames.len(), 1000);
        for (i, f) in frames.iter().enumerate() {
            assert_eq!(f.opcode, Opcode::Text);
            assert_eq!(f.payload, format!("message {i}").as_bytes());
        }
    }
}

/// The log position just after the read that brought in byte `offset`.
fn after_byte(log: &[Op], offset: usize) -> usize {
    let mut total = 0;
    for (i, op) in log.iter().enumerate() {
        if let Op::Read(n) = op {
            total += n;
            if total > offset {
                return i + 1;
            }
        }
    }
    panic!("byte {offset} never read");
}

#[test]
fn pending_output_flushed_before_blocking_read() {
    for role in ROLES {
        let ping = produce(role.peer(), |ws| ws.write_ping(b"are you there").unwrap());
        let mut input = ping.clone();
        input.extend(produce(role.peer(), |ws| ws.write_text("later").unwrap()));
        input.extend(peer_close(role));
        every_way(|chunk, mode| {
            let out = run(role, &input, chunk, mode);
            assert_eq!(out.messages[0], Msg::text("later"));
            // Between the read that completed the ping and the next read,
            // the pong was written and flushed.
            let at = after_byte(&out.log, ping.len() - 1);
            let next_read = out.log[at..]
                .iter()
                .position(|op| matches!(op, Op::Read(_)));
            let window = &out.log[at..at + next_read.unwrap_or(out.log.len() - at)];
            let wants_read = next_read.is_some();
            if wants_read {
                assert!(
                    matches!(window.first(), Some(Op::Write(_))),
                    "{chunk} {mode:?}: {window:?}"
                );
                assert_eq!(window.last(), Some(&Op::Flush));
            }
            let frames = decode_frames(role, &out.written);
            assert_eq!(frames[0].opcode, Opcode::Pong);
            assert_eq!(frames[0].payload, b"are you there");
        });

        // A message written by the caller is on the wire before the
        // connection waits for input.
        let mut ws = open(role, &input, 5, 512, 512, Config::new());
        ws.write_text("queued").unwrap();
        assert!(ws.transport().log.is_empty());
        let _ = ws.read().unwrap();
        let log = &ws.transport().log;
        assert!(matches!(log[0], Op::Write(_)), "{log:?}");
        assert_eq!(log[1], Op::Flush);
    }
}

#[test]
fn write_fragment_opcodes_and_fin() {
    for role in ROLES {
        let mut ws = open(role, &[], 1, 512, 512, Config::new());
        ws.write_fragment(DataKind::Text, "one ".as_bytes(), false)
            .unwrap();
        // A new message in the middle: refused, nothing queued.
        assert_eq!(ws.write_text("intruder"), Err(Error::InvalidState));
        assert_eq!(ws.write_binary(b"intruder"), Err(Error::InvalidState));
        assert_eq!(
            ws.write_fragment(DataKind::Binary, b"x", true),
            Err(Error::InvalidState)
        );
        // Control frames are fine in between.
        ws.write_ping(b"between").unwrap();
        // A character split between fragments.
        let euro = "€".as_bytes();
        ws.write_fragment(DataKind::Text, &euro[..1], false)
            .unwrap();
        ws.write_fragment(DataKind::Text, &euro[1..], false)
            .unwrap();
        ws.write_fragment(DataKind::Text, b"", true).unwrap();
        // Invalid UTF-8 is refused and not sent.
        ws.write_fragment(DataKind::Text, b"ok", false).unwrap();
        assert_eq!(
            ws.write_fragment(DataKind::Text, b"\xff", false),
            Err(Error::Usage(UsageError::InvalidUtf8))
        );
        assert_eq!(
            ws.write_fragment(DataKind::Text, b"\xe2\x82", true),
            Err(Error::Usage(UsageError::InvalidUtf8))
        );
        ws.write_fragment(DataKind::Text, b"!", true).unwrap();
        ws.write_fragment(DataKind::Binary, b"\xff", false).unwrap();
        ws.write_fragment(DataKind::Binary, b"\xfe", true).unwrap();
        ws.write_text("after").unwrap();
        ws.flush().unwrap();
        let frames = decode_frames(role, &ws.into_parts().0.written);
        let got: Vec<_> = frames
            .iter()
            .map(|f| (f.opcode, f.fin, f.payload.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (Opcode::Text, false, b"one ".to_vec()),
                (Opcode::Ping, true, b"between".to_vec()),
                (Opcode::Continuation, false, euro[..1].to_vec()),
                (Opcode::Continuation, false, euro[1..].to_vec()),
                (Opcode::Continuation, true, Vec::new()),
                (Opcode::Text, false, b"ok".to_vec()),
                (Opcode::Continuation, true, b"!".to_vec()),
                (Opcode::Binary, false, b"\xff".to_vec()),
                (Opcode::Continuation, true, b"\xfe".to_vec()),
                (Opcode::Text, true, b"after".to_vec()),
            ]
        );
        // And the peer reads them back as messages.
        let mut input = Vec::new();
        for f in &frames {
            let byte0 = u8::from(f.fin) << 7 | f.opcode.as_u8();
            input.extend(frame_to(role.peer(), byte0, &f.payload));
        }
        expect(
            role.peer(),
            &input,
            &[
                Msg::text("one €"),
                Msg::text("ok!"),
                Msg::Binary(b"\xff\xfe".to_vec()),
                Msg::text("after"),
            ],
            None,
            Error::UnexpectedEof,
        );
    }
}

#[test]
fn control_frame_payload_limits_on_write() {
    for role in ROLES {
        let mut ws = open(role, &[], 1, 512, 512, Config::new());
        assert_eq!(
            ws.write_ping(&[0; 126]),
            Err(Error::Usage(UsageError::ControlFrameTooLong))
        );
        assert_eq!(
            ws.write_pong(&[0; 126]),
            Err(Error::Usage(UsageError::ControlFrameTooLong))
        );
        assert!(ws.is_open());
        ws.write_ping(&[1; 125]).unwrap();
        ws.flush().unwrap();
        let frames = decode_frames(role, &ws.into_parts().0.written);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].payload, [1; 125]);
    }
}

#[test]
fn small_write_buffer_and_short_writes() {
    let big = data_of(100_000);
    for role in ROLES {
        for (tx, limit) in [
            (MIN_WRITE_BUFFER, usize::MAX),
            (MIN_WRITE_BUFFER, 1),
            (MIN_WRITE_BUFFER + 9, 7),
            (4096, 3),
        ] {
            let mut ws = WebSocketBuilder::new(role, tx).build();
            ws.transport_mut().write_limit = limit;
            ws.write_text("hi").unwrap();
            ws.write_binary(&big).unwrap();
            ws.write_ping(&big[..125]).unwrap();
            ws.write_fragment(DataKind::Binary, &big[..300], false)
                .unwrap();
            ws.write_fragment(DataKind::Binary, &big[300..301], true)
                .unwrap();
            ws.close(1000.into(), "done").unwrap();
            let frames = decode_frames(role, &ws.into_parts().0.written);
            let ctx = format!("{role:?} tx {tx} limit {limit}");
            assert_eq!(frames.len(), 6, "{ctx}");
            assert_eq!(frames[0].payload, b"hi");
            assert_eq!(frames[1].payload, big, "{ctx}");
            assert_eq!(frames[2].payload, &big[..125]);
            assert_eq!(frames[3].payload, &big[..300]);
            assert_eq!(frames[4].payload, &big[300..301]);
            assert_eq!(frames[5].payload, close_payload(1000, b"done"));
        }
        // A transport that takes nothing.
        let mut ws = WebSocketBuilder::new(role, MIN_WRITE_BUFFER).build();
        ws.transport_mut().write_limit = 0;
        ws.write_text("hi").unwrap();
        assert_eq!(ws.flush(), Err(Error::WriteZero));
        // A write buffer too small for any frame.
        let mut ws = WebSocketBuilder::new(role, 3).build();
        assert_eq!(ws.write_text("hi"), Err(Error::BufferTooSmall));
        assert!(ws.is_open());
    }
}

struct WebSocketBuilder {
    role: Role,
    tx: usize,
}

impl WebSocketBuilder {
    fn new(role: Role, tx: usize) -> Self {
        WebSocketBuilder { role, tx }
    }

    fn build(self) -> Ws {
        open(self.role, &[], 1, 512, self.tx, Config::new())
    }
}

#[test]
fn echo_through_read_with_writer() {
    for role in ROLES {
        let input = produce(role.peer(), |ws| {
            ws.write_text("echo €").unwrap();
            ws.write_binary(&[0, 1, 2]).unwrap();
            ws.write_ping(b"p").unwrap();
            ws.close(1000.into(), "bye").unwrap();
        });
        every_way(|chunk, mode| {
            let config = Config::new();
            let written = if mode.lending() {
                echo(open_lending(role, &input, chunk, 512, 512, config), mode)
            } else {
                echo(open(role, &input, chunk, 512, 512, config), mode)
            };
            let out = run(role.peer(), &written, 3, Mode::Whole);
            assert_eq!(
                out.messages,
                [
                    Msg::text("echo €"),
                    Msg::Binary(vec![0, 1, 2]),
                    Msg::Pong(b"p".to_vec())
                ]
                .into_iter()
                .filter(|m| !matches!(m, Msg::Pong(_)))
                .chain([Msg::Close(Some((1000, String::new())))])
                .collect::<Vec<_>>(),
                "{chunk} {mode:?}"
            );
        });
    }
}

/// Echoes every message `ws` reads through the writer it lends, until the
/// peer's close; returns what it wrote.
fn echo<T: Transport>(mut ws: AnyWs<T>, mode: Mode) -> Vec<u8> {
    loop {
        if mode.chunks() {
            let (chunk, mut writer) = ws.read_chunk_with_writer().unwrap();
            match chunk {
                Chunk::Text { data, last } => writer
                    .write_fragment(DataKind::Text, data.as_bytes(), last)
                    .unwrap(),
                Chunk::Binary { data, last } => {
                    writer.write_fragment(DataKind::Binary, data, last).unwrap()
                }
                Chunk::Control(Message::Close(_)) => break,
                _ => {}
            }
        } else {
            let (message, mut writer) = ws.read_with_writer().unwrap();
            match message {
                Message::Text(t) => writer.write_text(t).unwrap(),
                Message::Binary(b) => writer.write_binary(b).unwrap(),
                Message::Close(_) => break,
                _ => {}
            }
        }
    }
    ws.into_parts().0.into_mock().written
}

/// A read buffer that grows (`net::Growable`, starting at the smallest
/// size) reads whole messages of every size up to the limit, in reads of
/// 1 to 17 bytes, gives the memory back after each, and refuses one over
/// the limit with 1009.
#[cfg(feature = "std")]
#[test]
fn growing_read_buffer_reads_whole_messages_up_to_the_limit() {
    use hybi::Connection;
    use hybi::net::Growable;
    const LIMIT: usize = 70_000;
    let sizes = [0, 1, 125, 126, 1000, 65_535, 65_536, LIMIT];
    for role in ROLES {
        let mut input = Vec::new();
        for &len in &sizes {
            let payload: Vec<u8> = (0..len).map(|i| (i % 239) as u8).collect();
            input.extend(frame_to(role, 0x82, &payload));
        }
        input.extend(frame_to(role, 0x82, &vec![0; LIMIT + 1]));
        for chunk in [1, 7, 17, 4096] {
            let config = Config::new().max_message_len(LIMIT as u64);
            let rx = Growable::with_limit(MIN_READ_BUFFER, LIMIT + MIN_READ_BUFFER);
            let mut mock = Mock::new(&input, chunk);
            let mut got = Vec::new();
            let end = match role {
                Role::Server => {
                    let mut conn = Connection::upgraded(hybi::Server, rx, vec![0u8; 512], config);
                    read_growing(&mut conn, &mut mock, &mut got)
                }
                Role::Client => {
                    let client = hybi::Client::new(TestRng(1));
                    let mut conn = Connection::upgraded(client, rx, vec![0u8; 512], config);
                    read_growing(&mut conn, &mut mock, &mut got)
                }
            };
            assert_eq!(got, sizes, "{role:?} chunk {chunk}");
            assert_eq!(
                end,
                hybi::connection::Error::Protocol(ProtocolError::MessageTooBig)
            );
            assert_eq!(closes_written(role, &mock.written), [Some(1009)]);
        }
    }
}

/// Reads whole messages from `conn` fed by `mock`, checking each one's
/// bytes and that the buffer is back to its smallest after it; records
/// their lengths, and returns the error that ends the reading.
#[cfg(feature = "std")]
fn read_growing<E: hybi::Endpoint>(
    conn: &mut hybi::Connection<E, hybi::net::Growable, Vec<u8>>,
    mock: &mut Mock,
    got: &mut Vec<usize>,
) -> hybi::connection::Error {
    loop {
        match conn.read() {
            Ok(Some(Message::Binary(data))) => {
                assert!(data.iter().enumerate().all(|(i, &b)| b == (i % 239) as u8));
                got.push(data.len());
                continue;
            }
            Ok(Some(other)) => panic!("unexpected {other:?}"),
            Ok(None) => {}
            Err(e) => {
                while !conn.transmit().is_empty() {
                    let n = embedded_io::Write::write(mock, conn.transmit()).unwrap();
                    conn.transmitted(n);
                }
                return e;
            }
        }
        // Between messages the buffer holds no more than the largest
        // message needs and what came after it.
        assert!(conn.read_buffer().len() <= 2 * 70_139);
        if !conn.transmit().is_empty() {
            let n = embedded_io::Write::write(mock, conn.transmit()).unwrap();
            conn.transmitted(n);
        } else {
            let n = embedded_io::Read::read(mock, conn.receive_buffer()).unwrap();
            if n == 0 {
                return conn.end_of_input();
            }
            conn.received(n);
        }
    }
}
