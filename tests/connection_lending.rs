//! How a connection reads a transport that lends its buffer (`Lending`):
//! the header of a large data frame alone, then its payload copied and
//! unmasked in one pass; smaller frames many at once. What it delivers is
//! checked for every transport and chunk size in the other connection
//! tests; these check the reads it makes.

mod common;

use common::*;
use hybi::Role;
use hybi::websocket::Config;

/// The byte counts of the reads in `log`, the end of input left out.
fn reads(log: &[Op]) -> Vec<usize> {
    log.iter()
        .filter_map(|op| match op {
            Op::Read(n) if *n > 0 => Some(*n),
            _ => None,
        })
        .collect()
}

#[test]
fn large_payload_is_read_apart_from_its_header() {
    for role in ROLES {
        let payload: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
        let frame = frame_to(role, 0x82, &payload);
        let header_len = frame.len() - payload.len();
        let mut input = frame.clone();
        input.extend(frame_to(role, 0x82, &payload));
        let mut ws = open_lending(role, &input, WHOLE, 8192, 512, Config::new());
        for _ in 0..2 {
            assert_eq!(
                ws.read().unwrap(),
                hybi::websocket::Message::Binary(&payload)
            );
        }
        let log = &ws.transport().0.log;
        assert_eq!(
            reads(log),
            [header_len, payload.len(), header_len, payload.len()],
            "{role:?}"
        );
    }
}

#[test]
fn small_frames_are_read_together() {
    for role in ROLES {
        let mut input = Vec::new();
        for i in 0..10u8 {
            input.extend(frame_to(role, 0x82, &[i; 2048]));
        }
        let out = run_with(
            role,
            &input,
            WHOLE,
            Mode::LendingWhole,
            65536,
            Config::new(),
        );
        assert_eq!(out.messages.len(), 10, "{role:?}");
        assert_eq!(out.messages[9], Msg::Binary(vec![9; 2048]), "{role:?}");
        assert_eq!(reads(&out.log), [input.len()], "{role:?}");
    }
}

#[test]
fn payload_arriving_in_pieces_is_unmasked_piece_by_piece() {
    // The transport lends at most 1000 bytes at a time: the header is
    // taken from the first lend, then the payload 1000 bytes at a time.
    let payload: Vec<u8> = (0..5000u32).map(|i| (i * 13 + 1) as u8).collect();
    let input = frame_to(Role::Server, 0x82, &payload);
    let mut ws = open_lending(Role::Server, &input, 1000, 8192, 512, Config::new());
    assert_eq!(
        ws.read().unwrap(),
        hybi::websocket::Message::Binary(&payload)
    );
    let header_len = input.len() - payload.len();
    assert_eq!(
        reads(&ws.transport().0.log),
        [header_len, 1000, 1000, 1000, 1000, 1000]
    );
}

#[test]
fn plain_read_transport_reads_as_much_as_it_can() {
    let payload = vec![7u8; 3000];
    let input = frame_to(Role::Server, 0x82, &payload);
    let out = run(Role::Server, &input, WHOLE, Mode::Whole);
    assert_eq!(out.messages, [Msg::Binary(payload)]);
    assert_eq!(reads(&out.log), [input.len()]);
}
