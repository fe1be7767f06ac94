//! UTF-8 validation of text (section 8.1) and the close handshake
//! (sections 5.5.1, 7), in both roles, every chunk size, both read modes.

mod common;

use common::*;
use hybi::reassembly::DataKind;
use hybi::websocket::{Config, Error, Message};
use hybi::{ProtocolError, UsageError};

#[test]
fn valid_text_split_at_every_byte() {
    let text = "aé€😀z\u{10FFFF}\u{7FF}\u{800}\u{FFFF}\u{10000}";
    let bytes = text.as_bytes();
    for role in ROLES {
        for split in 0..=bytes.len() {
            // By hand, and through write_fragment (which may split
            // characters).
            let mut by_hand = frame_to(role, 0x01, &bytes[..split]);
            by_hand.extend(frame_to(role, 0x80, &bytes[split..]));
            by_hand.extend(peer_close(role));
            let produced = produce(role.peer(), |ws| {
                ws.write_fragment(DataKind::Text, &bytes[..split], false)
                    .unwrap();
                ws.write_fragment(DataKind::Text, &bytes[split..], true)
                    .unwrap();
                ws.close(1000.into(), "bye").unwrap();
            });
            for input in [by_hand, produced] {
                expect(
                    role,
                    &input,
                    &[Msg::text(text), bye()],
                    Some(Some(1000)),
                    Error::Closed,
                );
            }
        }
        // Three fragments, every pair of split points.
        for a in 0..=bytes.len() {
            for b in a..=bytes.len() {
                let mut input = frame_to(role, 0x01, &bytes[..a]);
                input.extend(frame_to(role, 0x00, &bytes[a..b]));
                input.extend(frame_to(role, 0x80, &bytes[b..]));
                for chunk in [1, 5, WHOLE] {
                    for mode in MODES {
                        let out = run(role, &input, chunk, mode);
                        assert_eq!(out.messages, [Msg::text(text)], "{a} {b} {chunk} {mode:?}");
                        assert_eq!(out.end, Error::UnexpectedEof);
                        assert!(out.closes(role).is_empty());
                    }
                }
            }
        }
    }
}

/// Invalid UTF-8, found as soon as the bad byte arrives.
const INVALID: &[&[u8]] = &[
    b"ab\xff",
    b"\xc0\xaf",
    b"\xc1\xbf",
    b"ok\xe0\x80\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xf5",
    b"\x80",
    b"\xe2\x82(",
];

/// Text that ends inside a character: invalid only once the message ends.
const UNFINISHED: &[&[u8]] = &[
    b"\xe2\x82",
    b"abc\xf0\x9f\x98",
    b"abc\xce\xbaxyz\xf0\x9f\x98",
    b"\xc3",
];

/// Text that is not UTF-8 (section 8.1), in both roles: 1007, from the bad
/// byte, not from a missing end.
fn utf8_rejections() -> Vec<Rejection> {
    use ProtocolError::InvalidUtf8;
    let mut table = Vec::new();
    for role in ROLES {
        let row = move |name: String, input| Rejection::new(name, role, input, InvalidUtf8, 1007);
        for bad in INVALID {
            let bytes = bad.escape_ascii();
            // A single frame announcing 1000 bytes of which only the bad
            // prefix arrives.
            let mut cut_short = frame_to(role, 0x81, &[bad, &[b'a'; 1000][bad.len()..]].concat());
            cut_short.truncate(cut_short.len() - 1000 + bad.len());
            // Only the first fragment, then the end of input.
            table.push(row(
                format!("{bytes} in a first fragment"),
                frame_to(role, 0x01, bad),
            ));
            table.push(row(
                format!("{bytes} starting a 1000-byte frame cut short"),
                cut_short,
            ));
        }
        for bad in UNFINISHED {
            let bytes = bad.escape_ascii();
            let fragmented = closing(
                role,
                [frame_to(role, 0x01, b"fine "), frame_to(role, 0x80, bad)].concat(),
            );
            table.push(row(
                format!("{bytes} ending a fragmented message"),
                fragmented,
            ));
            table.push(row(
                format!("{bytes} ending a message in one frame"),
                frame_to(role, 0x81, bad),
            ));
        }
    }
    table
}

#[test]
fn text_refused() {
    check_rejections(&utf8_rejections());
}

#[test]
fn unfinished_character_in_a_first_fragment_is_not_yet_an_error() {
    for role in ROLES {
        for bad in UNFINISHED {
            // The end of input comes first.
            let input = frame_to(role, 0x01, bad);
            expect(role, &input, &[], None, Error::UnexpectedEof);
        }
    }
}

#[test]
fn invalid_utf8_in_binary_is_fine() {
    for role in ROLES {
        let mut input = frame_to(role, 0x82, b"\xff\xfe\xc0");
        input.extend(peer_close(role));
        expect(
            role,
            &input,
            &[Msg::Binary(b"\xff\xfe\xc0".to_vec()), bye()],
            Some(Some(1000)),
            Error::Closed,
        );
    }
}

#[test]
fn empty_close_answered_with_empty_close() {
    for role in ROLES {
        let input = frame_to(role, 0x88, b"");
        expect(role, &input, &[Msg::Close(None)], Some(None), Error::Closed);
        // The reply is exactly an empty close frame.
        let out = run(role, &input, 1, Mode::Whole);
        let frames = decode_frames(role, &out.written);
        assert_eq!(frames.len(), 1);
        assert!(frames[0].payload.is_empty() && frames[0].fin);
    }
}

#[test]
fn close_code_echoed() {
    for role in ROLES {
        for code in [
            1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1014, 3000, 4999,
        ] {
            let input = frame_to(role, 0x88, &close_payload(code, "why €".as_bytes()));
            expect(
                role,
                &input,
                &[Msg::Close(Some((code, "why €".into())))],
                Some(Some(code)),
                Error::Closed,
            );
            let out = run(role, &input, WHOLE, Mode::Chunks);
            let frames = decode_frames(role, &out.written);
            assert_eq!(frames[0].payload, code.to_be_bytes());
        }
        // The longest reason: 123 bytes.
        let reason = "r".repeat(123);
        let input = frame_to(role, 0x88, &close_payload(1000, reason.as_bytes()));
        expect(
            role,
            &input,
            &[Msg::Close(Some((1000, reason)))],
            Some(Some(1000)),
            Error::Closed,
        );
    }
}

/// Close frames a receiver refuses (sections 5.5.1 and 7.4), in both
/// roles.
fn close_rejections() -> Vec<Rejection> {
    use ProtocolError::*;
    let mut table = Vec::new();
    for role in ROLES {
        let row = move |name: &str, payload: &[u8], error, code| {
            Rejection::new(name, role, frame_to(role, 0x88, payload), error, code)
        };
        for code in [
            0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ] {
            let name = format!("close code {code}");
            let error = InvalidCloseCode(code.into());
            table.push(row(&name, &close_payload(code, b""), error, 1002));
        }
        #[rustfmt::skip]
        let rows = [
            row("a one-byte close", &[0x03], InvalidClosePayload, 1002),
            row("a reason that is not UTF-8", &close_payload(1000, b"bad \xff"), InvalidUtf8, 1007),
            row("a close of 126 bytes", &close_payload(1000, &[b'r'; 124]), ControlFrameTooLong, 1002),
        ];
        table.extend(rows);
    }
    table
}

#[test]
fn closes_refused() {
    check_rejections(&close_rejections());
}

#[test]
fn frames_after_close_ignored() {
    for role in ROLES {
        let mut input = peer_close(role);
        input.extend(produce(role.peer(), |ws| {
            ws.write_text("too late").unwrap();
            ws.write_ping(b"late").unwrap();
        }));
        input.extend(frame_to(role, 0x8F, b"garbage"));
        expect(role, &input, &[bye()], Some(Some(1000)), Error::Closed);
    }
}

#[test]
fn writes_after_close_are_closed() {
    for role in ROLES {
        for mode in MODES {
            let input = peer_close(role);
            let mut ws = open(role, &input, 4, 512, 512, Config::new());
            match mode.chunks() {
                false => assert_eq!(
                    ws.read().unwrap(),
                    Message::Close(Some(
                        hybi::close::CloseFrame::new(1000.into(), "bye").unwrap()
                    ))
                ),
                true => assert!(matches!(
                    ws.read_chunk().unwrap(),
                    hybi::websocket::Chunk::Control(Message::Close(Some(_)))
                )),
            }
            assert!(ws.is_closed());
            assert_eq!(ws.write_text("x"), Err(Error::Closed));
            assert_eq!(ws.write_binary(b"x"), Err(Error::Closed));
            assert_eq!(ws.write_ping(b"x"), Err(Error::Closed));
            assert_eq!(ws.write_pong(b"x"), Err(Error::Closed));
            assert_eq!(
                ws.write_fragment(DataKind::Text, b"x", false),
                Err(Error::Closed)
            );
            assert_eq!(ws.close(1000.into(), ""), Err(Error::Closed));
            assert_eq!(ws.read().err(), Some(Error::Closed));
            assert_eq!(ws.read_chunk().err(), Some(Error::Closed));
            // Only the one close reply went out.
            let written = ws.into_parts().0.written;
            assert_eq!(closes_written(role, &written), [Some(1000)]);
        }
    }
}

#[test]
fn user_initiated_close() {
    for role in ROLES {
        // Data the peer sent before seeing our close still arrives; its
        // pings are not answered any more; its close ends the handshake.
        let input = produce(role.peer(), |ws| {
            ws.write_text("in flight").unwrap();
            ws.write_ping(b"late ping").unwrap();
            ws.close(1000.into(), "bye").unwrap();
        });
        every_way(|chunk, mode| {
            let mut ws = open(role, &input, chunk, 512, 512, Config::new());
            ws.close(1000.into(), "bye").unwrap();
            assert!(!ws.is_open() && !ws.is_closed());
            assert_eq!(ws.write_text("no"), Err(Error::Closed));
            // Sent and flushed at once.
            assert_eq!(closes_written(role, &ws.transport().written), [Some(1000)]);
            let out = drain(ws, mode);
            assert_eq!(
                out.messages,
                [Msg::text("in flight"), bye()],
                "{chunk} {mode:?}"
            );
            assert_eq!(out.end, Error::Closed);
            let frames = decode_frames(role, &out.written);
            assert_eq!(frames.len(), 1, "no pong, no second close");
            assert_eq!(frames[0].payload, close_payload(1000, b"bye"));
        });
    }
}

#[test]
fn close_arguments_checked_before_sending() {
    for role in ROLES {
        let mut ws = open(role, &[], 1, 512, 512, Config::new());
        assert_eq!(
            ws.close(1005.into(), ""),
            Err(Error::Usage(UsageError::InvalidCloseCode(1005.into())))
        );
        assert_eq!(
            ws.close(1000.into(), &"r".repeat(124)),
            Err(Error::Usage(UsageError::ReasonTooLong))
        );
        assert!(ws.is_open());
        assert!(ws.transport().written.is_empty());
        ws.close(4000.into(), &"r".repeat(123)).unwrap();
        assert_eq!(closes_written(role, &ws.transport().written), [Some(4000)]);
    }
}

/// Invalid UTF-8 in the bytes that end a message is found as the message is
/// handed out, by every read call, and still closes with 1007.
#[test]
fn invalid_end_of_message_through_every_read_call() {
    for role in ROLES {
        for call in 0..4 {
            // "ab" then a lone continuation byte, in one final frame.
            let input = frame_to(role, 0x81, b"ab\x80");
            let mut ws = open(role, &input, 17, 1024, 256, Config::new());
            let result = match call {
                0 => ws.read().map(|_| ()),
                1 => ws.read_with_writer().map(|_| ()),
                2 => ws.read_chunk().map(|_| ()),
                _ => ws.read_chunk_with_writer().map(|_| ()),
            };
            assert_eq!(
                result,
                Err(protocol(hybi::ProtocolError::InvalidUtf8)),
                "{role:?} call {call}"
            );
            assert!(ws.is_closed());
            let written = ws.into_parts().0.written;
            assert_eq!(
                closes_written(role, &written),
                [Some(1007)],
                "{role:?} call {call}"
            );
        }
    }
}
