//! Corners: a whole message exactly at the read buffer's capacity with
//! control frames between its fragments, bytes handed over at upgrade, the
//! state after errors, a client waiting for the server to end the
//! transport.

mod common;

use common::*;
use hybi::websocket::{Config, Error, MIN_READ_BUFFER, MIN_WRITE_BUFFER};
use hybi::{ProtocolError, Role};

#[test]
fn whole_message_at_capacity_with_control_frames_between() {
    for role in ROLES {
        for capacity in [1usize, 2, 126, 300, 1000] {
            let rx = capacity + MIN_READ_BUFFER;
            let message: Vec<u8> = (0..capacity).map(|i| i as u8).collect();
            // Fragments of 1, 1/3 and the rest, 125-byte pings and pongs
            // between them.
            let cuts = [0, 1, (capacity / 3).max(1), capacity];
            let mut input = Vec::new();
            for (i, w) in cuts.windows(2).enumerate() {
                let opcode = if i == 0 { 0x2 } else { 0x0 };
                let fin = if i == 2 { 0x80 } else { 0 };
                input.extend(frame_to(role, fin | opcode, &message[w[0]..w[1]]));
                if i < 2 {
                    input.extend(frame_to(role, 0x89, &[i as u8; 125]));
                    input.extend(frame_to(role, 0x8A, &[9; 125]));
                }
            }
            input.extend(peer_close(role));
            for chunk in chunk_sizes().chain([139, 140, 200, 1000]) {
                for show in [false, true] {
                    let config = Config::new().show_control(show);
                    let out = run_with(role, &input, chunk, Mode::Whole, rx, config);
                    let ctx = format!("{role:?} capacity {capacity} chunk {chunk} show {show}");
                    let mut want = Vec::new();
                    if show {
                        want.push(Msg::Ping(vec![0; 125]));
                        want.push(Msg::Pong(vec![9; 125]));
                        want.push(Msg::Ping(vec![1; 125]));
                        want.push(Msg::Pong(vec![9; 125]));
                    }
                    want.push(Msg::Binary(message.clone()));
                    want.push(bye());
                    assert_eq!(out.messages, want, "{ctx}");
                    assert_eq!(out.closes(role), [Some(1000)], "{ctx}");
                    assert_eq!(decode_frames(role, &out.written).len(), 3, "{ctx}");
                }
            }
            // One byte more does not fit.
            let mut over = frame_to(role, 0x02, &message);
            over.extend(frame_to(role, 0x89, b""));
            over.extend(frame_to(role, 0x80, b"!"));
            let out = run_with(role, &over, 5, Mode::Whole, rx, Config::new());
            assert_eq!(out.end, protocol(ProtocolError::MessageTooBig));
            let frames = decode_frames(role, &out.written);
            assert_eq!(frames.len(), 2, "pong, then the close");
            assert_eq!(out.closes(role), [Some(1009)]);
        }
    }
}

#[test]
fn bytes_read_before_the_upgrade_are_frames() {
    for role in ROLES {
        let first = produce(role.peer(), |ws| {
            ws.write_text("early").unwrap();
            ws.write_ping(b"p").unwrap();
        });
        let (already, rest) = first.split_at(first.len() - 2);
        let mut input = rest.to_vec();
        input.extend(peer_close(role));
        for mode in MODES {
            let ws = upgraded(
                Mock::new(&input, 3),
                role,
                TestRng(5),
                vec![0u8; 512],
                vec![0u8; 512],
                Config::new(),
                already,
            )
            .unwrap();
            let out = drain(ws, mode);
            assert_eq!(out.messages, [Msg::text("early"), bye()]);
            assert_eq!(decode_frames(role, &out.written)[0].payload, b"p");
        }
        let too_much = upgraded(
            Mock::new(&[], 1),
            role,
            TestRng(5),
            vec![0u8; 4],
            vec![0u8; 512],
            Config::new(),
            &first,
        );
        assert!(matches!(too_much, Err(Error::BufferTooSmall)));
    }
}

#[test]
fn closed_after_errors() {
    for role in ROLES {
        for mode in MODES {
            // A protocol error: the close went out, then everything is closed.
            let mut ws = open(role, &frame_to(role, 0x83, b""), 1, 512, 512, Config::new());
            let e = match mode.chunks() {
                false => ws.read().err(),
                true => ws.read_chunk().err(),
            };
            assert_eq!(e, Some(protocol(ProtocolError::ReservedOpcode(3))));
            assert!(ws.is_closed());
            assert_eq!(ws.read().err(), Some(Error::Closed));
            assert_eq!(ws.read_chunk().err(), Some(Error::Closed));
            assert_eq!(ws.write_text("x"), Err(Error::Closed));
            // End of input in the middle of a frame.
            let mut cut = frame_to(role, 0x82, &[1; 50]);
            cut.truncate(20);
            let mut ws = open(role, &cut, 7, 512, 512, Config::new());
            assert_eq!(ws.read().err(), Some(Error::UnexpectedEof));
            assert!(ws.is_closed());
            assert_eq!(ws.read().err(), Some(Error::Closed));
            assert!(ws.into_parts().0.written.is_empty(), "nothing sent on EOF");
        }
    }
}

#[test]
fn no_second_close_after_ours() {
    for role in ROLES {
        every_way(|chunk, mode| {
            // We close; the peer answers with garbage instead of a close.
            let input = frame_to(role, 0x8F, b"");
            let mut ws = open(role, &input, chunk, 512, 512, Config::new());
            ws.close(1001.into(), "going").unwrap();
            let out = drain(ws, mode);
            assert_eq!(out.end, protocol(ProtocolError::ReservedOpcode(0xF)));
            assert_eq!(out.closes(role), [Some(1001)]);
        });
    }
}

#[test]
fn client_waits_for_the_server_to_end_the_transport() {
    // After the close handshake a client reads on until end of input
    // (section 7.1.1), a server does not.
    let mut input = peer_close(Role::Client);
    input.extend([0u8; 5]);
    let out = run(Role::Client, &input, 1, Mode::Whole);
    assert_eq!(out.messages, [bye()]);
    assert_eq!(out.unread, 0);
    assert_eq!(out.log.last(), Some(&Op::Read(0)));

    let mut input = peer_close(Role::Server);
    input.extend([0u8; 5]);
    let out = run(Role::Server, &input, 1, Mode::Whole);
    assert_eq!(out.messages, [bye()]);
    assert_eq!(out.unread, 5);
}

#[test]
fn read_buffer_too_small() {
    for role in ROLES {
        let input = produce(role.peer(), |ws| ws.write_text("x").unwrap());
        let mut ws = open(role, &input, 1, MIN_READ_BUFFER - 1, 512, Config::new());
        assert_eq!(ws.read().err(), Some(Error::BufferTooSmall));
        assert_eq!(ws.read_chunk().err(), Some(Error::BufferTooSmall));
        assert!(ws.is_open());
    }
}

#[test]
fn smallest_buffer_holds_a_split_character_and_a_full_ping() {
    // A text fragment ending inside a 4-byte character (3 bytes held back
    // in chunk mode), then a 125-byte ping, then the rest: all in a read
    // buffer of exactly MIN_READ_BUFFER bytes.
    let smile = "😀".as_bytes();
    for role in ROLES {
        let mut input = frame_to(role, 0x01, &[b"ab", &smile[..3]].concat());
        input.extend(frame_to(role, 0x89, &[7; 125]));
        input.extend(frame_to(role, 0x80, &[&smile[3..], b"cd"].concat()));
        input.extend(peer_close(role));
        for chunk in chunk_sizes() {
            let config = Config::new().show_control(true);
            let out = run_with(role, &input, chunk, Mode::Chunks, MIN_READ_BUFFER, config);
            assert_eq!(
                out.messages,
                [Msg::Ping(vec![7; 125]), Msg::text("ab😀cd"), bye()],
                "{role:?} {chunk}"
            );
            assert_eq!(out.closes(role), [Some(1000)]);
        }
    }
}

/// A frame larger than the write buffer that fails half-written leaves the
/// peer expecting the rest of it: the connection must not go on as if
/// nothing happened.
#[test]
fn half_written_large_frame_closes_the_connection() {
    for role in [Role::Server, Role::Client] {
        // Takes 3 bytes of its first write and times out on its second.
        let transport = Mock::new(&[], 1).write_limit(3).time_out(Every {
            n: 2,
            counted: Counted::Writes,
            calls: 0,
        });
        let mut ws = upgraded(
            transport,
            role,
            TestRng(7),
            vec![0u8; 256],
            vec![0u8; MIN_WRITE_BUFFER],
            Config::new(),
            &[],
        )
        .unwrap();
        let big = [0xaau8; 200];
        assert!(
            matches!(ws.send_binary(&big), Err(WsError::Io(_))),
            "{role:?}"
        );
        assert_eq!(ws.send_text("x"), Err(WsError::Closed), "{role:?}");
        assert_eq!(ws.read().map(|_| ()), Err(WsError::Closed), "{role:?}");
        assert!(ws.is_closed());
        let (transport, _, _) = ws.into_parts();
        // Nothing after the broken frame's first bytes went out.
        assert_eq!(transport.log, [Op::Write(3), Op::TimedOut], "{role:?}");
        assert_eq!(transport.written.len(), 3, "{role:?}");
    }
}
