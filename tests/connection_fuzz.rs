//! Randomised streams (xorshift, fixed seeds): garbage never panics and is
//! answered with nothing but pongs and the close (or the rejection) its
//! error calls for, and random valid streams (messages split into random
//! fragments, control frames between them, random buffer and read sizes)
//! are delivered exactly.

mod common;

use common::*;
use embedded_io::ErrorKind;
use hybi::frame::Opcode;
use hybi::handshake::server::{Response, write_rejection};
use hybi::websocket::{
    Chunk, Config, Error, MIN_WRITE_BUFFER, Message, ServerHandshake, WebSocket,
};
use hybi::{ProtocolError, Role};

struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        xorshift(&mut self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// What [`drain_mixed`] read.
struct Drained {
    /// Payload bytes delivered.
    delivered: usize,
    /// The error that ended the reading.
    end: WsError,
    /// The peer's close, if one was delivered: its code, or `None` for an
    /// empty close.
    peer_close: Option<Option<u16>>,
}

/// Reads until an error, whatever comes, counting what is delivered;
/// every call must return.
fn drain_any(ws: &mut Ws, chunks: bool) -> Drained {
    drain_mixed(ws, |_| chunks)
}

/// [`drain_any`], choosing the read mode before each read.
fn drain_mixed(ws: &mut Ws, mut chunks: impl FnMut(usize) -> bool) -> Drained {
    let mut delivered = 0;
    let mut peer_close = None;
    for i in 0..100_000 {
        let read = if chunks(i) {
            ws.read_chunk().map(|chunk| match chunk {
                Chunk::Text { data, .. } => (data.len(), None),
                Chunk::Binary { data, .. } => (data.len(), None),
                Chunk::Control(Message::Close(c)) => (0, Some(c.map(|c| c.code().as_u16()))),
                Chunk::Control(Message::Ping(p) | Message::Pong(p)) => (p.len(), None),
                Chunk::Control(m) => panic!("{m:?} as a control chunk"),
            })
        } else {
            ws.read().map(|message| match message {
                Message::Text(t) => (t.len(), None),
                Message::Binary(b) | Message::Ping(b) | Message::Pong(b) => (b.len(), None),
                Message::Close(c) => (0, Some(c.map(|c| c.code().as_u16()))),
            })
        };
        match read {
            Ok((n, close)) => {
                assert!(peer_close.is_none(), "read after the peer's close");
                delivered += n;
                peer_close = close;
            }
            Err(end) => {
                return Drained {
                    delivered,
                    end,
                    peer_close,
                };
            }
        }
    }
    panic!("reading never ended");
}

#[test]
fn garbage_is_answered_with_pongs_and_its_close() {
    let mut rand = Rand(0xDEAD_BEEF_CAFE_F00D);
    for i in 0..3000 {
        let role = ROLES[i % 2];
        let len = rand.below(300);
        let mut input = rand.bytes(len);
        // Bias towards plausible headers: masked bit right, small lengths.
        if i % 3 == 0 && input.len() > 2 {
            input[0] = (input[0] & 0x8F) | [0x0, 0x1, 0x2, 0x8, 0x9, 0xA][rand.below(6)];
            input[1] = ((input[1] & 0x7F) % 130) | if role == Role::Server { 0x80 } else { 0 };
        }
        let chunk = 1 + rand.below(17);
        let rx = 139 + rand.below(400);
        let config = Config::new()
            .max_message_len(rand.below(1000) as u64)
            .show_control(rand.below(2) == 0)
            .auto_pong(rand.below(2) == 0);
        let mut ws = upgraded(
            Mock::new(&input, chunk),
            role,
            TestRng(i as u64 + 1),
            vec![0u8; rx],
            vec![0u8; MIN_WRITE_BUFFER + rand.below(100)],
            config,
            &[],
        )
        .unwrap();
        let drained = if i % 5 == 0 {
            // Switching between the two read calls is allowed too.
            let mut pick = Rand(i as u64 + 99);
            drain_mixed(&mut ws, |_| pick.below(2) == 0)
        } else {
            drain_any(&mut ws, i % 4 < 2)
        };
        let ctx = format!("case {i} {role:?}");
        assert!(
            drained.delivered <= input.len(),
            "{ctx}: {} > {}",
            drained.delivered,
            input.len()
        );
        // What was written is valid frames: pongs, then the close the
        // ending calls for.
        let written = ws.into_parts().0.written;
        check_answers(role, &written, &drained.end, drained.peer_close);
    }
}

#[test]
fn handshake_garbage_is_answered_with_its_rejection() {
    let mut rand = Rand(0x0123_4567_89AB_CDEF);
    let valid = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    for i in 0..2000 {
        let mut input = valid.to_vec();
        for _ in 0..1 + rand.below(4) {
            let at = rand.below(input.len());
            input[at] = rand.next() as u8;
        }
        input.truncate(rand.below(input.len() + 1));
        let (chunk, rx, tx) = (1 + rand.below(17), 64 + rand.below(300), rand.below(300));
        let mut ws = WebSocket::server(
            Mock::new(&input, chunk),
            vec![0u8; rx],
            vec![0u8; tx],
            Config::new(),
        );
        let accepted = ws.accept(|_| Response::accept());
        let written = &ws.transport().written;
        match accepted {
            Ok(ServerHandshake::Accepted { .. }) => {
                // The 101, then the answers to whatever frames follow.
                assert!(written.starts_with(b"HTTP/1.1 101 "));
                let head = head_len(written).expect("the 101 written");
                let mut ws = Ws::from(ws);
                let drained = drain_any(&mut ws, i % 2 == 0);
                let written = ws.into_parts().0.written;
                check_answers(
                    Role::Server,
                    &written[head..],
                    &drained.end,
                    drained.peer_close,
                );
            }
            Ok(ServerHandshake::Http) => assert!(written.is_empty()),
            // Exactly the rejection for the error.
            Err(Error::Handshake(e)) => {
                let mut rejection = [0u8; 256];
                let n = write_rejection(e, &mut rejection).expect("a rejection");
                assert_eq!(written[..], rejection[..n], "{e:?}");
                assert!(ws.is_closed());
            }
            Err(Error::UnexpectedEof) => {
                assert!(written.is_empty());
                assert!(ws.is_closed());
            }
            // Refused before anything is read.
            Err(Error::BufferTooSmall) => {
                assert!(tx < MIN_WRITE_BUFFER);
                assert!(ws.transport().log.is_empty());
            }
            Err(e) => panic!("handshake: {e:?}"),
        }
        // A client reading a request (it is no response): it fails, having
        // written its own request and nothing else.
        let mut ws = WebSocket::client(
            Mock::new(&input, 1 + rand.below(17)),
            vec![0u8; 64 + rand.below(300)],
            vec![0u8; rand.below(300)],
            TestRng(i as u64 + 1),
            Config::new(),
        );
        let request = hybi::handshake::client::Request::new("a", "/");
        let end = ws.connect(&request).expect_err("a request is no response");
        assert!(
            matches!(
                end,
                Error::Handshake(_) | Error::UnexpectedEof | Error::BufferTooSmall
            ),
            "{end:?}"
        );
        let written = &ws.transport().written;
        if !written.is_empty() {
            assert!(written.starts_with(b"GET / HTTP/1.1\r\n"));
            assert_eq!(head_len(written), Some(written.len()), "one head");
        }
    }
}

/// A random valid stream for `receiver`: the input bytes, the messages it
/// must deliver (pings and pongs included, for `show_control`), and the
/// payloads of the pings it must answer.
fn random_stream(
    rand: &mut Rand,
    receiver: Role,
    max_len: usize,
) -> (Vec<u8>, Vec<Msg>, Vec<Vec<u8>>) {
    let mut input = Vec::new();
    let mut messages = Vec::new();
    let mut pings = Vec::new();
    let mut control = |rand: &mut Rand, input: &mut Vec<u8>, messages: &mut Vec<Msg>| {
        let n = rand.below(126);
        let payload = rand.bytes(n);
        if rand.below(2) == 0 {
            input.extend(frame_to(receiver, 0x89, &payload));
            pings.push(payload.clone());
            messages.push(Msg::Ping(payload));
        } else {
            input.extend(frame_to(receiver, 0x8A, &payload));
            messages.push(Msg::Pong(payload));
        }
    };
    for _ in 0..1 + rand.below(6) {
        let len = rand.below(max_len + 1);
        let text = rand.below(2) == 0;
        let payload = if text {
            let chars = ['a', 'é', '€', '😀'];
            let mut s = String::new();
            while s.len() < len {
                let c = chars[rand.below(4)];
                if s.len() + c.len_utf8() <= len {
                    s.push(c);
                } else {
                    s.push('b');
                }
            }
            s.into_bytes()
        } else {
            rand.bytes(len)
        };
        // Split at random points, control frames in between.
        let mut cuts: Vec<usize> = (0..rand.below(5)).map(|_| rand.below(len + 1)).collect();
        cuts.sort();
        cuts.push(len);
        let mut from = 0;
        for (i, &to) in cuts.iter().enumerate() {
            let opcode = if i == 0 { if text { 1 } else { 2 } } else { 0 };
            let fin = if i + 1 == cuts.len() { 0x80 } else { 0 };
            input.extend(frame_to(receiver, fin | opcode, &payload[from..to]));
            from = to;
            if fin == 0 && rand.below(3) == 0 {
                control(rand, &mut input, &mut messages);
            }
        }
        messages.push(if text {
            Msg::Text(String::from_utf8(payload).unwrap())
        } else {
            Msg::Binary(payload)
        });
        if rand.below(3) == 0 {
            control(rand, &mut input, &mut messages);
        }
    }
    // Reorder: a control frame between fragments is delivered before the
    // message it interrupts; `messages` was built in that order already.
    input.extend(frame_to(receiver, 0x88, &close_payload(1000, b"end")));
    messages.push(Msg::Close(Some((1000, "end".into()))));
    (input, messages, pings)
}

#[test]
fn random_valid_streams_delivered_exactly() {
    let mut rand = Rand(0x5EED_0FC0_FFEE);
    for i in 0..1500 {
        let role = ROLES[i % 2];
        let mode = ALL_MODES[(i / 2) % 4];
        let max_len = [10, 300, 3000][rand.below(3)];
        let (input, messages, pings) = random_stream(&mut rand, role, max_len);
        let chunk = if rand.below(2) == 0 {
            1 + rand.below(17)
        } else {
            1 + rand.below(5000)
        };
        let rx = match mode.chunks() {
            false => max_len + 139 + rand.below(200),
            true => 139 + rand.below(600),
        };
        let show = rand.below(2) == 0;
        let config = Config::new().show_control(show);
        let out = run_with(role, &input, chunk, mode, rx, config);
        let want: Vec<Msg> = messages
            .iter()
            .filter(|m| show || !matches!(m, Msg::Ping(_) | Msg::Pong(_)))
            .cloned()
            .collect();
        let ctx = format!("case {i} {role:?} {mode:?} chunk {chunk} rx {rx}");
        assert_eq!(out.messages, want, "{ctx}");
        assert_eq!(out.end, Error::Closed, "{ctx}");
        let frames = decode_frames(role, &out.written);
        let pongs: Vec<_> = frames
            .iter()
            .filter(|f| f.opcode == Opcode::Pong)
            .map(|f| f.payload.clone())
            .collect();
        assert_eq!(pongs, pings, "{ctx}");
        assert_eq!(out.closes(role), [Some(1000)], "{ctx}");
        assert_eq!(frames.last().map(|f| f.opcode), Some(Opcode::Close));
    }
}

#[test]
fn transport_errors_lose_nothing() {
    let mut rand = Rand(0xF1A4_0000_0000_0001);
    for i in 0..400 {
        let role = ROLES[i % 2];
        let chunks = i % 4 >= 2;
        let (input, messages, pings) = random_stream(&mut rand, role, 300);
        // Read errors only with the smallest write buffers; write errors
        // too with larger ones.
        let write_errors = i % 3 != 0;
        let tx = if write_errors {
            139 + rand.below(64)
        } else {
            MIN_WRITE_BUFFER + rand.below(64)
        };
        // Every `n`th read, and write with write errors, times out before
        // doing anything; writes are taken in pieces.
        let chunk = if i % 2 == 0 {
            1 + rand.below(17)
        } else {
            1 + rand.below(2000)
        };
        let n = 2 + rand.below(5);
        let piece = 1 + rand.below(40);
        let counted = if write_errors {
            Counted::Both
        } else {
            Counted::Reads
        };
        let transport = Mock::new(&input, chunk).write_limit(piece).time_out(Every {
            n,
            counted,
            calls: 0,
        });
        let mut ws = upgraded(
            transport,
            role,
            TestRng(i as u64 + 7),
            vec![0u8; 300 + 139 + rand.below(100)],
            // With write errors, room for a whole control frame: one larger
            // than the write buffer goes out in pieces and cannot be retried.
            vec![0u8; tx],
            Config::new(),
            &[],
        )
        .unwrap();
        // Every read is retried after a timeout. With write errors, the
        // messages that fit the write buffer are echoed (not flushed, so
        // pongs queue behind them), each write retried after a timeout.
        let mut got: Vec<Msg> = Vec::new();
        let mut echoed = Vec::new();
        let mut partial: Vec<u8> = Vec::new();
        let mut errors = 0;
        loop {
            let result = if chunks {
                ws.read_chunk().map(|c| match c {
                    Chunk::Text { data, last } => {
                        partial.extend_from_slice(data.as_bytes());
                        last.then(|| {
                            Msg::Text(String::from_utf8(core::mem::take(&mut partial)).unwrap())
                        })
                    }
                    Chunk::Binary { data, last } => {
                        partial.extend_from_slice(data);
                        last.then(|| Msg::Binary(core::mem::take(&mut partial)))
                    }
                    Chunk::Control(Message::Close(c)) => Some(Msg::Close(
                        c.map(|c| (c.code().as_u16(), c.reason().into())),
                    )),
                    Chunk::Control(_) => None,
                })
            } else {
                ws.read().map(|m| match m {
                    Message::Text(t) => Some(Msg::Text(t.into())),
                    Message::Binary(b) => Some(Msg::Binary(b.into())),
                    Message::Close(c) => Some(Msg::Close(
                        c.map(|c| (c.code().as_u16(), c.reason().into())),
                    )),
                    _ => None,
                })
            };
            match result {
                Ok(Some(m)) => {
                    let closing = matches!(m, Msg::Close(_));
                    if let Msg::Binary(b) = &m {
                        // Retried whole only if queued whole: it fits the
                        // write buffer less the 8 bytes kept for a close.
                        if write_errors && b.len() + 14 + 8 <= tx {
                            while let Err(e) = ws.write_binary(b) {
                                assert_eq!(e, Error::Io(ErrorKind::TimedOut));
                            }
                            echoed.push(b.clone());
                        }
                    }
                    got.push(m);
                    if closing {
                        break;
                    }
                }
                Ok(None) => {}
                Err(Error::Io(ErrorKind::TimedOut)) => {
                    errors += 1;
                    assert!(errors < 1_000_000);
                }
                Err(e) => panic!("case {i}: {e:?} after {got:?}"),
            }
        }
        let want: Vec<Msg> = messages
            .iter()
            .filter(|m| !matches!(m, Msg::Ping(_) | Msg::Pong(_)))
            .cloned()
            .collect();
        assert_eq!(got, want, "case {i}");
        let written = ws.into_parts().0.written;
        let frames = decode_frames(role, &written);
        let pongs: Vec<_> = frames
            .iter()
            .filter(|f| f.opcode == Opcode::Pong)
            .map(|f| f.payload.clone())
            .collect();
        assert_eq!(pongs, pings, "case {i}");
        let binaries: Vec<_> = frames
            .iter()
            .filter(|f| f.opcode == Opcode::Binary)
            .map(|f| f.payload.clone())
            .collect();
        assert_eq!(binaries, echoed, "case {i}");
        assert_eq!(closes_written(role, &written), [Some(1000)], "case {i}");
    }
}

#[test]
fn valid_streams_with_mixed_reads_answer_pings_and_the_close() {
    let mut rand = Rand(0xABCD_EF01_2345_6789);
    for i in 0..1500 {
        let role = ROLES[i % 2];
        let (input, _, pings) = random_stream(&mut rand, role, [10, 300, 3000][i % 3]);
        let auto_pong = i % 3 != 0;
        let mut ws = upgraded(
            Mock::new(&input, 1 + rand.below(40)),
            role,
            TestRng(i as u64 + 3),
            vec![0u8; 139 + rand.below(700)],
            vec![0u8; MIN_WRITE_BUFFER + rand.below(200)],
            Config::new().show_control(i % 2 == 0).auto_pong(auto_pong),
            &[],
        )
        .unwrap();
        let mut pick = Rand(i as u64 + 5);
        let drained = drain_mixed(&mut ws, |_| pick.below(3) != 0);
        assert!(drained.delivered <= input.len());
        // Pongs for the pings read (all of them, unless a message too
        // large for the read buffer ended it), then the close.
        let written = ws.into_parts().0.written;
        let pongs = check_answers(role, &written, &drained.end, drained.peer_close);
        match auto_pong {
            true => assert_eq!(pongs, pings[..pongs.len()], "case {i}"),
            false => assert!(pongs.is_empty(), "case {i}"),
        }
        match drained.end {
            Error::Closed => {
                assert_eq!(drained.peer_close, Some(Some(1000)), "case {i}");
                assert_eq!(
                    pongs.len(),
                    pings.len() * usize::from(auto_pong),
                    "case {i}"
                );
            }
            end => assert_eq!(end, protocol(ProtocolError::MessageTooBig), "case {i}"),
        }
    }
}

#[test]
fn close_interrupted_by_a_write_error_goes_out_once() {
    for role in ROLES {
        for n in 1..=4 {
            let input = produce(role.peer(), |ws| {
                ws.write_text("in flight").unwrap();
                ws.close(1000.into(), "bye").unwrap();
            });
            // Every second read or write times out, the first at call
            // 2 - n % 2; writes are taken 3 bytes at a time.
            let transport = Mock::new(&input, 4).write_limit(3).time_out(Every {
                n: 2,
                counted: Counted::Both,
                calls: n,
            });
            let mut ws = upgraded(
                transport,
                role,
                TestRng(3),
                vec![0u8; 512],
                vec![0u8; 512],
                Config::new(),
                &[],
            )
            .unwrap();
            match ws.close(1001.into(), "going") {
                Ok(()) => {}
                Err(e) => {
                    assert_eq!(e, Error::Io(ErrorKind::TimedOut));
                    assert!(!ws.is_open());
                    assert_eq!(ws.close(1001.into(), "going"), Err(Error::Closed));
                }
            }
            let mut got = Vec::new();
            loop {
                match ws.read() {
                    Ok(Message::Close(c)) => {
                        got.push(format!("{c:?}"));
                        break;
                    }
                    Ok(m) => got.push(format!("{m:?}")),
                    Err(Error::Io(_)) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
            assert_eq!(got.len(), 2);
            let written = ws.into_parts().0.written;
            assert_eq!(closes_written(role, &written), [Some(1001)], "{role:?} {n}");
        }
    }
}
