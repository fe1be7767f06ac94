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
fn frames_are_masked_by_clients_only() {
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

/// The mask bit a peer of `receiver` must not set (a server's peer must
/// mask, a client's must not): a key for a client, none for a server.
fn wrong_mask(receiver: Role) -> Option<[u8; 4]> {
    match receiver {
        Role::Server => None,
        Role::Client => Some([1, 2, 3, 4]),
    }
}

/// Every frame a receiver must refuse (RFC 6455 sections 5.2 to 5.5 and
/// 10.4), in both roles unless a row says otherwise: its name, the input,
/// the error, the close code written, and what is delivered first.
fn frame_rejections() -> Vec<Rejection> {
    use ProtocolError::*;
    let mut table = Vec::new();
    for role in ROLES {
        let row =
            move |name: &str, input, error, code| Rejection::new(name, role, input, error, code);
        // Reserved bits without an extension, on every kind of frame, alone
        // and after two messages, which are delivered first.
        let two_messages = produce(role.peer(), |ws| {
            ws.write_text("first").unwrap();
            ws.write_binary(b"second").unwrap();
        });
        let first_two = [Msg::text("first"), Msg::Binary(b"second".to_vec())];
        for rsv in [0x40u8, 0x20, 0x10, 0x70] {
            for opcode in [0x1u8, 0x2, 0x8, 0x9, 0xA] {
                let payload: &[u8] = if opcode == 0x8 { &[0x03, 0xe8] } else { b"x" };
                let bad = frame_to(role, 0x80 | rsv | opcode, payload);
                let after = [&two_messages[..], &bad, &peer_close(role)].concat();
                let name = format!("RSV {rsv:#04x} on opcode {opcode:#x}");
                table.push(row(&name, bad, ReservedBits(rsv), 1002));
                let name = format!("{name} after two messages");
                table.push(row(&name, after, ReservedBits(rsv), 1002).after(&first_two));
            }
        }
        let ok = produce(role.peer(), |ws| ws.write_text("ok").unwrap());
        for opcode in (0x3u8..=0x7).chain(0xB..=0xF) {
            let input = closing(
                role,
                [&ok[..], &frame_to(role, 0x80 | opcode, b"payload")].concat(),
            );
            let name = format!("reserved opcode {opcode:#x}");
            table.push(row(&name, input, ReservedOpcode(opcode), 1002).after(&[Msg::text("ok")]));
        }
        let whole = produce(role.peer(), |ws| ws.write_text("whole").unwrap());
        let ping_126 = frame_to(role, 0x89, &binary_of(126));
        assert_eq!(ping_126[1] & 0x7F, 126, "the 16-bit length form");
        let wrong_mask_bit = match role {
            Role::Server => UnmaskedFrame,
            Role::Client => MaskedFrame,
        };
        #[rustfmt::skip]
        let rows = [
            // The reserved bits are seen before the mask bit.
            row("RSV1-3 and the wrong mask bit", [frame_to(role, 0x81, b"Hello"), raw_frame(0xF1, b"Hello", wrong_mask(role))].concat(), ReservedBits(0x70), 1002)
                .after(&[Msg::text("Hello")]),
            // Control frames: at most 125 bytes, never fragmented.
            row("ping of 126 bytes", closing(role, ping_126), ControlFrameTooLong, 1002),
            row("ping with FIN clear", frame_to(role, 0x09, b"ping"), FragmentedControlFrame, 1002),
            row("ping in two fragments", [frame_to(role, 0x09, b"half"), frame_to(role, 0x80, b"ping")].concat(), FragmentedControlFrame, 1002),
            // Fragments out of order (read in chunks, "start" may be handed
            // out, never as a finished message).
            row("continuation with nothing to continue", [whole, frame_to(role, 0x80, b"orphan")].concat(), UnexpectedContinuation, 1002)
                .after(&[Msg::text("whole")]),
            row("text inside an unfinished message", closing(role, [frame_to(role, 0x01, b"start"), frame_to(role, 0x81, b"intruder")].concat()), ExpectedContinuation, 1002),
            row("binary inside an unfinished message", closing(role, [frame_to(role, 0x01, b"start"), frame_to(role, 0x82, b"intruder")].concat()), ExpectedContinuation, 1002),
            // The mask bit the receiving role does not take.
            row("text with the wrong mask bit", raw_frame(0x81, b"hello", wrong_mask(role)), wrong_mask_bit, 1002),
            row("ping with the wrong mask bit", raw_frame(0x89, b"hello", wrong_mask(role)), wrong_mask_bit, 1002),
        ];
        table.extend(rows);
    }
    // Lengths in a server's frame (unmasked, read by a client).
    let row =
        |name: &str, input, error, code| Rejection::new(name, Role::Client, input, error, code);
    #[rustfmt::skip]
    let rows = [
        row("65535 bytes in the 64-bit form", header_64(65535), NonMinimalLength, 1002),
        row("a length of 2^63", header_64(1 << 63), LengthHighBitSet, 1002),
        row("a length of 2^64 - 1", header_64(u64::MAX), LengthHighBitSet, 1002),
        row("a length of 2^63, from its first byte", header_64(1 << 63)[..3].to_vec(), LengthHighBitSet, 1002),
        row("a length of 2^32 + 1, over the default limit", header_64((1 << 32) + 1), MessageTooBig, 1009),
    ];
    table.extend(rows);
    table
}

#[test]
fn frames_refused() {
    check_rejections(&frame_rejections());
}
