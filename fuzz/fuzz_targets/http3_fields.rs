//! HTTP/3's framing and QPACK (`net::http3`, RFC 9114 and RFC 9204) on
//! arbitrary bytes, through `hybi::fuzzing` (built with `--cfg fuzzing`
//! only). The input is read whole as each of: a QPACK field section, a
//! Huffman-coded string, the value of a Huffman-coded field, a
//! variable-length integer, a SETTINGS payload, and a stream of frames,
//! whose HEADERS payloads are read again as field sections and whose
//! SETTINGS payloads as SETTINGS.
//!
//! Invariants: nothing panics. A field section that decodes without a
//! limit decodes the same with a limit of exactly its size and is too
//! large a byte below it (and with hybi's 16 KiB, one or the other); one
//! that fails fails with any limit; what decodes, `encode` encodes to a
//! section that decodes to the same fields, names in lowercase, and
//! encodes again to the same bytes. A Huffman-coded string that decodes
//! re-encodes to exactly its bytes; any bytes encode to a string that
//! decodes to them, as a field's value too. A variable-length integer is
//! read as its first byte's two bits say, from exactly that many bytes
//! and never from fewer, and `put_varint` writes its value back in the
//! fewest bytes; a frame header is two of them and never longer than the
//! input it was read from. `parse_settings` agrees with a reading of RFC
//! 9114 section 7.2.4 written here, and reads back what hybi sends.

#![no_main]

use std::collections::BTreeSet;

use hybi::fuzzing::{
    H3_FRAME_ERROR, H3_SETTINGS_ERROR, QpackError, field_size, frame_header, huffman_code,
    huffman_decode, parse_settings, put_frame_header, put_varint, qpack_decode, qpack_encode,
    settings, varint,
};
use libfuzzer_sys::fuzz_target;

/// The largest field section hybi takes (`MAX_FIELD_SECTION_SIZE`).
const MAX_FIELD_SECTION: usize = 16 * 1024;
/// The largest variable-length integer (RFC 9000 section 16).
const VARINT_MAX: u64 = (1 << 62) - 1;
const HEADERS: u64 = 0x01;
const SETTINGS: u64 = 0x04;
const SETTINGS_ENABLE_CONNECT_PROTOCOL: u64 = 0x08;

type Fields = Vec<(String, Vec<u8>)>;

fn lowercase(fields: &Fields) -> Fields {
    fields
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect()
}

fn encode(fields: &Fields) -> Vec<u8> {
    qpack_encode(fields.iter().map(|(n, v)| (n.as_str(), &v[..])))
}

/// A field section decoded with and without limits, and re-encoded.
fn field_section(input: &[u8]) {
    let whole = qpack_decode(input, usize::MAX);
    let limited = qpack_decode(input, MAX_FIELD_SECTION);
    match &whole {
        Ok(fields) => {
            let size: usize = fields
                .iter()
                .map(|(n, v)| field_size(n.as_bytes(), v))
                .sum();
            assert_eq!(qpack_decode(input, size), whole, "at its size");
            if size > 0 {
                assert_eq!(
                    qpack_decode(input, size - 1),
                    Err(QpackError::TooLarge),
                    "a byte under its size"
                );
            }
            if size <= MAX_FIELD_SECTION {
                assert_eq!(limited, whole);
            } else {
                assert_eq!(limited, Err(QpackError::TooLarge));
            }
            let again = encode(fields);
            let lower = lowercase(fields);
            assert_eq!(
                qpack_decode(&again, usize::MAX).as_ref(),
                Ok(&lower),
                "re-encoded as {again:02x?}"
            );
            assert_eq!(encode(&lower), again, "encoding is stable");
        }
        Err(e) => {
            assert_ne!(*e, QpackError::TooLarge, "too large without a limit");
            assert!(
                limited == whole || limited == Err(QpackError::TooLarge),
                "{limited:?} with a limit, {whole:?} without"
            );
        }
    }
}

/// HPACK's Huffman code (RFC 7541 section 5.2), padded with ones.
fn huffman_encode(input: &[u8]) -> Vec<u8> {
    let (mut acc, mut bits, mut out) = (0u64, 0u32, Vec::new());
    for &b in input {
        let (code, len) = huffman_code(b);
        acc = (acc << len) | u64::from(code);
        bits += u32::from(len);
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)) as u8);
    }
    out
}

/// An integer with an `bits`-bit prefix (RFC 7541 section 5.1).
fn put_prefix_int(out: &mut Vec<u8>, flags: u8, bits: u32, mut value: usize) {
    let mask = (1usize << bits) - 1;
    if value < mask {
        out.push(flags | value as u8);
        return;
    }
    out.push(flags | mask as u8);
    value -= mask;
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn huffman(input: &[u8]) {
    if let Ok(text) = huffman_decode(input) {
        assert_eq!(huffman_encode(&text), input, "{text:02x?} re-encoded");
    }
    let coded = huffman_encode(input);
    assert_eq!(huffman_decode(&coded).as_deref(), Ok(input));
    // The same as a field's Huffman-coded value: after the name
    // `:authority` (static entry 0) and after a Huffman-coded literal
    // name.
    let mut section = vec![0, 0, 0x50];
    put_prefix_int(&mut section, 0x80, 7, coded.len());
    section.extend_from_slice(&coded);
    let name = huffman_encode(b"x-fuzz");
    put_prefix_int(&mut section, 0x28, 3, name.len());
    section.extend_from_slice(&name);
    put_prefix_int(&mut section, 0x80, 7, coded.len());
    section.extend_from_slice(&coded);
    let expected = vec![
        (String::from(":authority"), input.to_vec()),
        (String::from("x-fuzz"), input.to_vec()),
    ];
    assert_eq!(qpack_decode(&section, usize::MAX), Ok(expected));
}

/// The fewest bytes that hold `value` as a variable-length integer.
fn varint_len(value: u64) -> usize {
    match value {
        0..0x40 => 1,
        0x40..0x4000 => 2,
        0x4000..0x4000_0000 => 4,
        _ => 8,
    }
}

/// A variable-length integer read here: two bits of length, then the
/// value in network byte order.
fn reference_varint(input: &[u8]) -> Option<(u64, usize)> {
    let len = 1usize << (input.first()? >> 6);
    let bytes = input.get(..len)?;
    let value = bytes.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b))
        & (u64::MAX >> (64 - (8 * len - 2)));
    Some((value, len))
}

fn varints(input: &[u8]) {
    let read = varint(input);
    assert_eq!(read, reference_varint(input));
    if let Some((value, len)) = read {
        assert!(len <= input.len());
        assert!(value <= VARINT_MAX);
        for short in 0..len {
            assert_eq!(varint(&input[..short]), None, "from {short} bytes");
        }
        let mut out = Vec::new();
        put_varint(&mut out, value);
        assert_eq!(out.len(), varint_len(value));
        assert_eq!(varint(&out), Some((value, out.len())));
        if out.len() == len {
            assert_eq!(out, input[..len], "the fewest bytes are these");
        }
    }
    // Any 64-bit value, clamped to the largest.
    if let Some(bytes) = input.get(..8) {
        let value = u64::from_be_bytes(bytes.try_into().unwrap());
        let mut out = Vec::new();
        put_varint(&mut out, value);
        let clamped = value.min(VARINT_MAX);
        assert_eq!(out.len(), varint_len(clamped));
        assert_eq!(varint(&out), Some((clamped, out.len())));
    }
}

/// RFC 9114 section 7.2.4 read here: pairs of variable-length integers to
/// the payload's end (H3_FRAME_ERROR), no identifier twice and none of
/// HTTP/2's (H3_SETTINGS_ERROR), and SETTINGS_ENABLE_CONNECT_PROTOCOL 0 or
/// 1 (RFC 8441 section 3).
fn reference_settings(mut payload: &[u8]) -> Result<bool, u32> {
    let mut seen = BTreeSet::new();
    let mut enabled = false;
    while !payload.is_empty() {
        let (id, a) = reference_varint(payload).ok_or(H3_FRAME_ERROR)?;
        let (value, b) = reference_varint(&payload[a..]).ok_or(H3_FRAME_ERROR)?;
        payload = &payload[a + b..];
        if !seen.insert(id) || matches!(id, 0x00 | 0x02..=0x05) {
            return Err(H3_SETTINGS_ERROR);
        }
        if id == SETTINGS_ENABLE_CONNECT_PROTOCOL {
            if value > 1 {
                return Err(H3_SETTINGS_ERROR);
            }
            enabled = value == 1;
        }
    }
    Ok(enabled)
}

fn settings_payload(payload: &[u8]) {
    assert_eq!(parse_settings(payload), reference_settings(payload));
}

/// The input as frames, one after another, each payload cut where the
/// input ends.
fn frames(input: &[u8]) {
    let mut rest = input;
    while let Some((kind, len, n)) = frame_header(rest) {
        assert!(n <= rest.len(), "a header of {n} bytes from {}", rest.len());
        let (k, a) = varint(rest).unwrap();
        let (l, b) = varint(&rest[a..]).unwrap();
        assert_eq!((kind, len, n), (k, l, a + b));
        let mut out = Vec::new();
        put_frame_header(&mut out, kind, len as usize);
        assert!(out.len() <= n);
        assert_eq!(frame_header(&out), Some((kind, len, out.len())));
        let body = &rest[n..];
        let payload = &body[..usize::try_from(len).unwrap_or(usize::MAX).min(body.len())];
        match kind {
            HEADERS => field_section(payload),
            SETTINGS => settings_payload(payload),
            _ => {}
        }
        rest = &body[payload.len()..];
    }
    // What is left holds no whole header.
    let first = varint(rest);
    assert!(first.is_none() || varint(&rest[first.unwrap().1..]).is_none());
}

fuzz_target!(|data: &[u8]| {
    field_section(data);
    huffman(data);
    varints(data);
    settings_payload(data);
    frames(data);
    // What hybi sends reads back, with any largest field section.
    let max = data
        .get(..8)
        .map_or(0, |b| u64::from_be_bytes(b.try_into().unwrap()));
    for server in [false, true] {
        assert_eq!(parse_settings(&settings(server, max)), Ok(server));
    }
});
