//! Property tests (proptest, 256 cases each): header and message round
//! trips, masking in pieces, and split invariance of a connection's reads.

// The connection tests' harness, shared with hybi's own tests.
#[path = "../../tests/common/mod.rs"]
mod common;

use common::*;
use hybi::frame::{DecodeOptions, FrameHeader, MAX_CONTROL_PAYLOAD, Opcode, Rsv};
use hybi::mask::apply_mask;
use hybi::reassembly::DataKind;
use hybi::websocket::{Config, Error};
use hybi::{Role, Status};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn opcode() -> impl Strategy<Value = Opcode> {
    prop_oneof![
        Just(Opcode::Continuation),
        Just(Opcode::Text),
        Just(Opcode::Binary),
        Just(Opcode::Close),
        Just(Opcode::Ping),
        Just(Opcode::Pong),
    ]
}

/// Lengths around every boundary of the three length forms, and anything.
fn payload_len() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..=130,
        120u64..=140,
        0xFFF0u64..=0x1_0010,
        any::<u64>().prop_map(|n| n >> 1),
    ]
}

/// Any header a receiver may accept (with its RSV bits allowed).
fn header() -> impl Strategy<Value = FrameHeader> {
    (
        opcode(),
        any::<bool>(),
        0u8..8,
        proptest::option::of(any::<[u8; 4]>()),
        payload_len(),
    )
        .prop_map(|(opcode, fin, rsv, mask, len)| {
            let control = opcode.is_control();
            FrameHeader {
                fin: fin || control,
                rsv: Rsv::from_bits(rsv << 4),
                opcode,
                mask,
                payload_len: if control {
                    len % (MAX_CONTROL_PAYLOAD as u64 + 1)
                } else {
                    len
                },
            }
        })
}

/// A data message: text or binary.
#[derive(Debug, Clone)]
enum Data {
    Text(String),
    Binary(Vec<u8>),
}

impl Data {
    fn bytes(&self) -> &[u8] {
        match self {
            Data::Text(t) => t.as_bytes(),
            Data::Binary(b) => b,
        }
    }
    fn kind(&self) -> DataKind {
        match self {
            Data::Text(_) => DataKind::Text,
            Data::Binary(_) => DataKind::Binary,
        }
    }
    fn msg(&self) -> Msg {
        match self {
            Data::Text(t) => Msg::Text(t.clone()),
            Data::Binary(b) => Msg::Binary(b.clone()),
        }
    }
}

fn data() -> impl Strategy<Value = Data> {
    prop_oneof![
        ".{0,100}".prop_map(Data::Text),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Data::Binary),
    ]
}

/// Cuts `len` bytes into pieces at the given fractions (in thousandths).
fn pieces(len: usize, cuts: &[u16]) -> Vec<std::ops::Range<usize>> {
    let mut points: Vec<usize> = cuts.iter().map(|&c| len * c as usize / 1000).collect();
    points.push(0);
    points.push(len);
    points.sort_unstable();
    points.dedup();
    let mut out: Vec<_> = points.windows(2).map(|w| w[0]..w[1]).collect();
    if out.is_empty() {
        out.push(0..0);
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn header_encodes_then_decodes_to_itself(header in header(), trailing in proptest::collection::vec(any::<u8>(), 0..16)) {
        let encoded = header.encode().expect("a valid header encodes");
        prop_assert_eq!(encoded.as_bytes().len(), header.encoded_len());
        let role = if header.mask.is_some() { Role::Server } else { Role::Client };
        let opts = DecodeOptions::new(role).allow_rsv(header.rsv);
        let mut bytes = encoded.as_bytes().to_vec();
        bytes.extend_from_slice(&trailing);
        prop_assert_eq!(
            FrameHeader::decode(&bytes, &opts),
            Ok(Status::Complete((header, header.encoded_len())))
        );
        // The minimal length form.
        let len7 = bytes[1] & 0x7F;
        let expected_len7 = match header.payload_len {
            0..=125 => header.payload_len as u8,
            126..=0xFFFF => 126,
            _ => 127,
        };
        prop_assert_eq!(len7, expected_len7);
    }

    #[test]
    fn message_round_trips_through_both_roles(
        messages in proptest::collection::vec((data(), proptest::collection::vec(0u16..1000, 0..4)), 1..6),
        chunk in 1usize..40,
    ) {
        for writer in ROLES {
            let written = produce(writer, |ws| {
                for (message, cuts) in &messages {
                    let bytes = message.bytes();
                    let parts = pieces(bytes.len(), cuts);
                    if parts.len() == 1 {
                        match message {
                            Data::Text(t) => ws.send_text(t).unwrap(),
                            Data::Binary(b) => ws.send_binary(b).unwrap(),
                        }
                    } else {
                        let last = parts.len() - 1;
                        for (i, range) in parts.into_iter().enumerate() {
                            ws.write_fragment(message.kind(), &bytes[range], i == last).unwrap();
                        }
                    }
                }
            });
            let expected: Vec<Msg> = messages.iter().map(|(m, _)| m.msg()).collect();
            for mode in MODES {
                let out = run(writer.peer(), &written, chunk, mode);
                prop_assert_eq!(&out.messages, &expected);
                prop_assert_eq!(out.end, Error::UnexpectedEof);
                prop_assert!(out.written.is_empty());
            }
        }
    }

    #[test]
    fn masking_twice_in_any_pieces_is_the_identity(
        key in any::<[u8; 4]>(),
        phase in 0usize..8,
        data in proptest::collection::vec(any::<u8>(), 0..200),
        cuts in proptest::collection::vec(0u16..1000, 0..6),
        cuts2 in proptest::collection::vec(0u16..1000, 0..6),
    ) {
        let reference: Vec<u8> = data
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ key[(phase + i) % 4])
            .collect();
        let mut masked = data.clone();
        let mut p = phase;
        for range in pieces(data.len(), &cuts) {
            p = apply_mask(key, p, &mut masked[range]);
        }
        prop_assert_eq!(&masked, &reference);
        prop_assert_eq!(p % 4, (phase + data.len()) % 4);
        let mut p = phase;
        for range in pieces(data.len(), &cuts2) {
            p = apply_mask(key, p, &mut masked[range]);
        }
        prop_assert_eq!(masked, data);
    }

    #[test]
    fn reads_do_not_depend_on_how_the_stream_is_cut(
        messages in proptest::collection::vec((data(), proptest::collection::vec(0u16..1000, 0..4), any::<bool>()), 1..6),
        cuts in proptest::collection::vec(1usize..64, 1..20),
        receiver_is_server in any::<bool>(),
        rx_extra in 0usize..600,
    ) {
        let receiver = if receiver_is_server { Role::Server } else { Role::Client };
        // Each message in fragments, with a ping after its first fragment
        // when asked; then a close.
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for (i, (message, frag_cuts, ping)) in messages.iter().enumerate() {
            let bytes = message.bytes();
            let parts = pieces(bytes.len(), frag_cuts);
            let last = parts.len() - 1;
            let mut ping_after = None;
            for (j, range) in parts.into_iter().enumerate() {
                let opcode = if j == 0 { message.kind().opcode().as_u8() } else { 0 };
                let fin = if j == last { 0x80 } else { 0 };
                stream.extend(frame_to(receiver, fin | opcode, &bytes[range]));
                if j == 0 && *ping {
                    let payload = [i as u8; 3];
                    stream.extend(frame_to(receiver, 0x89, &payload));
                    // Inside the message, or after it when it is one frame.
                    if j == last {
                        ping_after = Some(Msg::Ping(payload.to_vec()));
                    } else {
                        expected.push(Msg::Ping(payload.to_vec()));
                    }
                }
            }
            expected.push(message.msg());
            expected.extend(ping_after);
        }
        stream.extend(frame_to(receiver, 0x88, &close_payload(1000, b"done")));
        expected.push(Msg::Close(Some((1000, "done".into()))));

        let config = Config::new().show_control(true);
        let rx = 139 + 600 + rx_extra;
        let reference = read_all(receiver, &stream, &[], rx, config, false);
        prop_assert_eq!(&reference.0, &expected);
        for chunks in [false, true] {
            let (messages, written) = read_all(receiver, &stream, &cuts, rx, config, chunks);
            prop_assert_eq!(&messages, &expected);
            // The same pongs and close went back.
            prop_assert_eq!(&written, &reference.1);
        }
    }
}

/// Reads a connection fed `input` in reads of `sizes` (in turn) to its
/// close (whole messages, or chunks joined into messages) and returns the
/// messages and what it wrote.
fn read_all(
    role: Role,
    input: &[u8],
    sizes: &[usize],
    rx: usize,
    config: Config,
    chunks: bool,
) -> (Vec<Msg>, Vec<u8>) {
    let ws = upgraded(
        Mock::with_reads(input, sizes),
        role,
        TestRng(7),
        vec![0u8; rx],
        vec![0u8; 512],
        config,
        &[],
    )
    .unwrap();
    let out = drain(ws, if chunks { Mode::Chunks } else { Mode::Whole });
    assert_eq!(out.end, Error::Closed);
    (out.messages, out.written)
}
