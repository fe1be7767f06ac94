//! Frames in both roles: sizes, pings and pongs, reserved bits and opcodes,
//! fragmentation, masking. Each peer's frames are produced by hybi itself
//! (a client `WebSocket` writes masked frames, a server unmasked ones) or
//! built by hand for invalid input, fed over every chunk size in both read
//! modes, and what the connection wrote back is decoded.

mod common;

use common::*;
use hybi::frame::Opcode;
use hybi::reassembly::DataKind;
use hybi::websocket::{Config, Error};
use hybi::{ProtocolError, Role};

/// Text of exactly `n` bytes with 1- to 4-byte characters in it.
fn text_of(n: usize) -> String {
    let pattern = ['a', 'é', '€', '😀', 'z'];
    let mut s = String::new();
    let mut i = 0;
    while s.len() < n {
        let c = pattern[i % pattern.len()];
        if s.len() + c.len_utf8() > n {
            s.push('a');
        } else {
            s.push(c);
        }
        i += 1;
    }
    assert_eq!(s.len(), n);
    s
}

fn binary_of(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn closing(receiver: Role, mut frames: Vec<u8>) -> Vec<u8> {
    frames.extend(peer_close(receiver));
    frames
}

#[test]
fn sizes_both_kinds_both_roles() {
    for role in ROLES {
        for n in [0usize, 1, 125, 126, 127, 128, 65535, 65536] {
            let text = text_of(n);
            let data = binary_of(n);
            let input = closing(
                role,
                produce(role.peer(), |ws| {
                    ws.write_text(&text).unwrap();
                    ws.write_binary(&data).unwrap();
                }),
            );
            // The frames a peer writes: one each, FIN, masked by a client.
            let frames = decode_frames(role.peer(), &input);
            assert_eq!(frames.len(), 3);
            assert_eq!(frames[0].opcode, Opcode::Text);
            assert_eq!(frames[0].payload, text.as_bytes());
            assert_eq!(frames[1].payload, data);
            assert!(
                frames
                    .iter()
                    .all(|f| f.fin && f.masked == (role == Role::Server))
            );

            every_way(|chunk, mode| {
                // A whole message must fit the buffer less 139 bytes.
                let rx = match mode.chunks() {
                    false => (n + 139).max(4096),
                    true => 4096,
                };
                let out = run_with(role, &input, chunk, mode, rx, Config::new());
                let ctx = format!("{role:?} n {n} chunk {chunk} {mode:?}");
                assert_eq!(out.messages.len(), 3, "{ctx}");
                assert_eq!(out.messages[0], Msg::Text(text.clone()), "{ctx}");
                assert_eq!(out.messages[1], Msg::Binary(data.clone()), "{ctx}");
                assert_eq!(out.messages[2], bye(), "{ctx}");
                assert_eq!(out.end, Error::Closed, "{ctx}");
                assert_eq!(out.closes(role), [Some(1000)], "{ctx}");
                assert_eq!(out.unread, 0, "{ctx}");
            });
        }
    }
}

#[test]
fn sixteen_mib_whole_and_chunked() {
    let n = 16 * 1024 * 1024;
    let data = binary_of(n);
    for role in ROLES {
        let input = closing(
            role,
            produce(role.peer(), |ws| ws.write_binary(&data).unwrap()),
        );
        let out = run_with(role, &input, WHOLE, Mode::Whole, n + 139, Config::new());
        assert_eq!(out.messages.len(), 2);
        assert!(
            out.messages[0] == Msg::Binary(data.clone()),
            "{role:?} whole"
        );
        assert_eq!(out.messages[1], bye());
        assert_eq!(out.closes(role), [Some(1000)]);

        let out = run_with(role, &input, WHOLE, Mode::Chunks, 4096, Config::new());
        assert_eq!(out.messages.len(), 2);
        assert!(
            out.messages[0] == Msg::Binary(data.clone()),
            "{role:?} chunks"
        );
        assert!(out.chunks > 1);
        assert_eq!(out.closes(role), [Some(1000)]);
    }
}

#[test]
fn pings_answered_with_identical_pongs() {
    for role in ROLES {
        for payload in [Vec::new(), binary_of(125)] {
            let input = closing(
                role,
                produce(role.peer(), |ws| ws.write_ping(&payload).unwrap()),
            );
            every_way(|chunk, mode| {
                let out = run(role, &input, chunk, mode);
                assert_eq!(out.messages, [bye()]);
                let frames = decode_frames(role, &out.written);
                assert_eq!(frames.len(), 2, "{role:?} {chunk} {mode:?}");
                assert_eq!(frames[0].opcode, Opcode::Pong);
                assert_eq!(frames[0].payload, payload);
                assert!(frames[0].fin);
                assert_eq!(frames[0].masked, role == Role::Client);
                assert_eq!(out.closes(role), [Some(1000)]);
            });
        }
    }
}

#[test]
fn ping_of_126_bytes_is_1002() {
    for role in ROLES {
        let mut input = frame_to(role, 0x89, &binary_of(126));
        input.extend(peer_close(role));
        expect(
            role,
            &input,
            &[],
            Some(Some(1002)),
            protocol(ProtocolError::ControlFrameTooLong),
        );
    }
}

#[test]
fn unsolicited_pongs_ignored() {
    for role in ROLES {
        let input = closing(
            role,
            produce(role.peer(), |ws| {
                ws.write_pong(b"unsolicited").unwrap();
                ws.write_text("after").unwrap();
                ws.write_pong(b"").unwrap();
            }),
        );
        expect(
            role,
            &input,
            &[Msg::text("after"), bye()],
            Some(Some(1000)),
            Error::Closed,
        );
    }
}

#[test]
fn ten_pings_answered_in_order() {
    for role in ROLES {
        let input = closing(
            role,
            produce(role.peer(), |ws| {
                for i in 0..10u8 {
                    ws.write_ping(&[i; 3][..usize::from(i % 4)]).unwrap();
                }
            }),
        );
        every_way(|chunk, mode| {
            let out = run(role, &input, chunk, mode);
            assert_eq!(out.messages, [bye()]);
            let frames = decode_frames(role, &out.written);
            assert_eq!(frames.len(), 11);
            for (i, f) in frames[..10].iter().enumerate() {
                assert_eq!(f.opcode, Opcode::Pong);
                assert_eq!(f.payload, vec![i as u8; i % 4], "pong {i}");
            }
            assert_eq!(frames[10].opcode, Opcode::Close);
        });
    }
}

#[test]
fn pings_shown_not_answered_without_auto_pong() {
    let config = Config::new().auto_pong(false).show_control(true);
    for role in ROLES {
        let input = closing(
            role,
            produce(role.peer(), |ws| {
                ws.write_ping(b"one").unwrap();
                ws.write_pong(b"two").unwrap();
            }),
        );
        every_way(|chunk, mode| {
            let out = run_with(role, &input, chunk, mode, 4096, config);
            assert_eq!(
                out.messages,
                [
                    Msg::Ping(b"one".to_vec()),
                    Msg::Pong(b"two".to_vec()),
                    bye()
                ]
            );
            // Only the close reply: no pong.
            let frames = decode_frames(role, &out.written);
            assert_eq!(frames.len(), 1);
            assert_eq!(frames[0].opcode, Opcode::Close);
        });
        // Shown with auto pong on: shown and answered.
        let out = run_with(
            role,
            &input,
            3,
            Mode::Whole,
            4096,
            Config::new().show_control(true),
        );
        assert_eq!(out.messages[0], Msg::Ping(b"one".to_vec()));
        assert_eq!(decode_frames(role, &out.written)[0].payload, b"one");
    }
}

#[test]
fn rsv_bits_are_1002() {
    for role in ROLES {
        for rsv in [0x40u8, 0x20, 0x10, 0x70] {
            for opcode in [0x1u8, 0x2, 0x8, 0x9, 0xA] {
                let payload: &[u8] = if opcode == 0x8 { &[0x03, 0xe8] } else { b"x" };
                // Alone, then after valid frames that are delivered first.
                let bad = frame_to(role, 0x80 | rsv | opcode, payload);
                expect(
                    role,
                    &bad,
                    &[],
                    Some(Some(1002)),
                    protocol(ProtocolError::ReservedBits(rsv)),
                );
                let mut input = produce(role.peer(), |ws| {
                    ws.write_text("first").unwrap();
                    ws.write_binary(b"second").unwrap();
                });
                input.extend(&bad);
                input.extend(peer_close(role));
                expect(
                    role,
                    &input,
                    &[Msg::text("first"), Msg::Binary(b"second".to_vec())],
                    Some(Some(1002)),
                    protocol(ProtocolError::ReservedBits(rsv)),
                );
            }
        }
    }
}

#[test]
fn reserved_opcodes_are_1002() {
    for role in ROLES {
        for opcode in (0x3u8..=0x7).chain(0xB..=0xF) {
            let mut input = produce(role.peer(), |ws| ws.write_text("ok").unwrap());
            input.extend(frame_to(role, 0x80 | opcode, b"payload"));
            input.extend(peer_close(role));
            expect(
                role,
                &input,
                &[Msg::text("ok")],
                Some(Some(1002)),
                protocol(ProtocolError::ReservedOpcode(opcode)),
            );
        }
    }
}

#[test]
fn one_byte_fragments() {
    for role in ROLES {
        let text = "héllo wörld €😀";
        let data = binary_of(40);
        let input = closing(
            role,
            produce(role.peer(), |ws| {
                let bytes = text.as_bytes();
                for (i, b) in bytes.iter().enumerate() {
                    ws.write_fragment(DataKind::Text, &[*b], i + 1 == bytes.len())
                        .unwrap();
                }
                for (i, b) in data.iter().enumerate() {
                    ws.write_fragment(DataKind::Binary, &[*b], i + 1 == data.len())
                        .unwrap();
                }
            }),
        );
        expect(
            role,
            &input,
            &[Msg::text(text), Msg::Binary(data), bye()],
            Some(Some(1000)),
            Error::Closed,
        );
    }
}

#[test]
fn pings_between_fragments_answered_message_intact() {
    for role in ROLES {
        let input = closing(
            role,
            produce(role.peer(), |ws| {
                ws.write_fragment(DataKind::Text, "frag".as_bytes(), false)
                    .unwrap();
                ws.write_ping(b"p1").unwrap();
                ws.write_fragment(DataKind::Text, "ment".as_bytes(), false)
                    .unwrap();
                ws.write_pong(b"unsolicited").unwrap();
                ws.write_ping(b"p2").unwrap();
                ws.write_fragment(DataKind::Text, "ed €".as_bytes(), true)
                    .unwrap();
            }),
        );
        every_way(|chunk, mode| {
            let out = run(role, &input, chunk, mode);
            assert_eq!(out.messages, [Msg::text("fragmented €"), bye()]);
            let frames = decode_frames(role, &out.written);
            let kinds: Vec<_> = frames
                .iter()
                .map(|f| (f.opcode, f.payload.clone()))
                .collect();
            assert_eq!(
                kinds,
                [
                    (Opcode::Pong, b"p1".to_vec()),
                    (Opcode::Pong, b"p2".to_vec()),
                    (Opcode::Close, vec![0x03, 0xe8]),
                ]
            );
        });
    }
}

#[test]
fn fragmented_ping_is_1002() {
    for role in ROLES {
        let mut input = frame_to(role, 0x09, b"half");
        input.extend(frame_to(role, 0x80, b"ping"));
        expect(
            role,
            &input,
            &[],
            Some(Some(1002)),
            protocol(ProtocolError::FragmentedControlFrame),
        );
    }
}

#[test]
fn continuation_with_nothing_to_continue_is_1002() {
    for role in ROLES {
        let mut input = produce(role.peer(), |ws| ws.write_text("whole").unwrap());
        input.extend(frame_to(role, 0x80, b"orphan"));
        expect(
            role,
            &input,
            &[Msg::text("whole")],
            Some(Some(1002)),
            protocol(ProtocolError::UnexpectedContinuation),
        );
    }
}

#[test]
fn new_message_inside_unfinished_one_is_1002() {
    for role in ROLES {
        for opcode in [0x1u8, 0x2] {
            let mut input = frame_to(role, 0x01, b"start");
            input.extend(frame_to(role, 0x80 | opcode, b"intruder"));
            input.extend(peer_close(role));
            every_way(|chunk, mode| {
                let out = run(role, &input, chunk, mode);
                assert_eq!(out.end, protocol(ProtocolError::ExpectedContinuation));
                assert_eq!(out.closes(role), [Some(1002)]);
                // Chunk mode may have handed out "start" as a chunk, never
                // as a finished message.
                assert!(out.messages.is_empty());
            });
        }
    }
}

#[test]
fn masking_rules() {
    // A server receiving an unmasked frame, a client a masked one: 1002.
    let unmasked = raw_frame(0x81, b"hello", None);
    expect(
        Role::Server,
        &unmasked,
        &[],
        Some(Some(1002)),
        protocol(ProtocolError::UnmaskedFrame),
    );
    let masked = raw_frame(0x81, b"hello", Some([1, 2, 3, 4]));
    expect(
        Role::Client,
        &masked,
        &[],
        Some(Some(1002)),
        protocol(ProtocolError::MaskedFrame),
    );
    // Unmasked control frames too.
    let ping = raw_frame(0x89, b"", None);
    expect(
        Role::Server,
        &ping,
        &[],
        Some(Some(1002)),
        protocol(ProtocolError::UnmaskedFrame),
    );

    // Client frames are masked with a nonzero key and decode to the
    // payload; the caller's payload is unchanged.
    let payload = binary_of(70_000);
    let copy = payload.clone();
    let text = text_of(300);
    let written = produce(Role::Client, |ws| {
        ws.write_binary(&payload).unwrap();
        ws.write_text(&text).unwrap();
        ws.write_fragment(DataKind::Binary, &payload[..10], false)
            .unwrap();
        ws.write_ping(&payload[..5]).unwrap();
        ws.write_fragment(DataKind::Binary, &payload[10..20], true)
            .unwrap();
    });
    assert_eq!(payload, copy);
    let frames = decode_frames(Role::Client, &written);
    assert!(frames.iter().all(|f| f.masked));
    assert_eq!(frames[0].payload, payload);
    assert_eq!(frames[1].payload, text.as_bytes());
    assert_eq!(frames[3].payload, &payload[..5]);
    // The wire bytes are not the payload itself.
    assert!(!written.windows(64).any(|w| w == &payload[1000..1064]));

    // A server's frames are not masked.
    let written = produce(Role::Server, |ws| ws.write_binary(&payload).unwrap());
    let frames = decode_frames(Role::Server, &written);
    assert!(!frames[0].masked);
    assert_eq!(frames[0].payload, payload);
}
