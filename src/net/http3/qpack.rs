//! QPACK (RFC 9204) without a dynamic table: hybi announces a table
//! capacity of 0 (`SETTINGS_QPACK_MAX_TABLE_CAPACITY`, section 5), so a
//! peer's field sections may reference the static table (Appendix A) and
//! literals, Huffman-coded or not (section 4.1.2, with HPACK's code, RFC
//! 7541 Appendix B), and nothing else; a reference to the dynamic table
//! is a decompression failure (section 2.2.3). hybi encodes with the
//! static table and plain literals, so it needs no encoder or decoder
//! stream (section 4.2).

use std_crate::string::String;
use std_crate::vec::Vec;

use super::tables::{HUFFMAN, STATIC};

/// Why a field section was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Error {
    /// It cannot be decoded: QPACK_DECOMPRESSION_FAILED, a connection
    /// error (RFC 9204 section 2.2).
    Decompression,
    /// It decodes to more than the field section size hybi announced
    /// (RFC 9114 section 4.2.2).
    TooLarge,
    /// A field name that is not text: a malformed message (RFC 9114
    /// section 4.1.2).
    Malformed,
}

/// A decoded field: its name and its value.
pub(super) type Field = (String, Vec<u8>);

/// The size a field counts for against the limit (RFC 9114 section 4.2.2).
pub(super) fn field_size(name: &[u8], value: &[u8]) -> usize {
    name.len() + value.len() + 32
}

/// Reads an integer with an `bits`-bit prefix (RFC 7541 section 5.1) at
/// the start of `input`, whose first byte's higher bits are flags.
fn prefix_int(input: &mut &[u8], bits: u32) -> Result<u64, Error> {
    let (&first, rest) = input.split_first().ok_or(Error::Decompression)?;
    *input = rest;
    let mask = (1u64 << bits) - 1;
    let mut value = u64::from(first) & mask;
    if value < mask {
        return Ok(value);
    }
    let mut shift = 0u32;
    loop {
        let (&b, rest) = input.split_first().ok_or(Error::Decompression)?;
        *input = rest;
        // More than 62 bits is more than any length or index can be.
        if shift > 56 {
            return Err(Error::Decompression);
        }
        value += u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
}

/// Reads a string literal whose length has a `bits`-bit prefix and whose
/// Huffman flag is the bit above it (RFC 9204 section 4.1.2).
fn string(input: &mut &[u8], bits: u32) -> Result<Vec<u8>, Error> {
    let huffman = input.first().is_some_and(|&b| b & (1 << bits) != 0);
    let len = prefix_int(input, bits)?;
    let len = usize::try_from(len).map_err(|_| Error::Decompression)?;
    if len > input.len() {
        return Err(Error::Decompression);
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    if huffman {
        huffman_decode(bytes)
    } else {
        Ok(bytes.to_vec())
    }
}

/// A static table entry's name and value.
fn entry(index: u64) -> Result<(&'static str, &'static str), Error> {
    usize::try_from(index)
        .ok()
        .and_then(|i| STATIC.get(i))
        .copied()
        .ok_or(Error::Decompression)
}

/// Decodes an encoded field section (RFC 9204 section 4.5), the fields in
/// order, refusing one larger than `max_size`.
pub(super) fn decode(mut input: &[u8], max_size: usize) -> Result<Vec<Field>, Error> {
    // The prefix: a Required Insert Count other than 0 needs a dynamic
    // table; the Base that follows means nothing without one.
    if prefix_int(&mut input, 8)? != 0 {
        return Err(Error::Decompression);
    }
    prefix_int(&mut input, 7)?;
    let mut fields = Vec::new();
    let mut size = 0usize;
    while let Some(&first) = input.first() {
        let (name, value): (Vec<u8>, Vec<u8>) = if first & 0x80 != 0 {
            // Indexed field line: static when T (0x40) is set.
            if first & 0x40 == 0 {
                return Err(Error::Decompression);
            }
            let (name, value) = entry(prefix_int(&mut input, 6)?)?;
            (name.as_bytes().to_vec(), value.as_bytes().to_vec())
        } else if first & 0x40 != 0 {
            // Literal field line with name reference; N is 0x20, T 0x10.
            if first & 0x10 == 0 {
                return Err(Error::Decompression);
            }
            let (name, _) = entry(prefix_int(&mut input, 4)?)?;
            (name.as_bytes().to_vec(), string(&mut input, 7)?)
        } else if first & 0x20 != 0 {
            // Literal field line with literal name; N is 0x10, H 0x08.
            let name = string(&mut input, 3)?;
            (name, string(&mut input, 7)?)
        } else {
            // The post-base forms, which index the dynamic table.
            return Err(Error::Decompression);
        };
        size = size.saturating_add(field_size(&name, &value));
        if size > max_size {
            return Err(Error::TooLarge);
        }
        let name = String::from_utf8(name).map_err(|_| Error::Malformed)?;
        fields.push((name, value));
    }
    Ok(fields)
}

/// Appends an integer with an `bits`-bit prefix, `flags` in the first
/// byte's higher bits (RFC 7541 section 5.1).
fn put_prefix_int(out: &mut Vec<u8>, flags: u8, bits: u32, mut value: u64) {
    let mask = (1u64 << bits) - 1;
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

/// Appends a plain (not Huffman-coded) string literal.
fn put_string(out: &mut Vec<u8>, flags: u8, bits: u32, value: &[u8]) {
    put_prefix_int(out, flags, bits, value.len() as u64);
    out.extend_from_slice(value);
}

/// Encodes fields as a field section (RFC 9204 section 4.5): a static
/// table entry where one matches the whole field, its name where one
/// matches the name, a literal otherwise; names are sent in lowercase.
pub(super) fn encode<'a>(fields: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    // Required Insert Count 0, Base 0.
    out.extend_from_slice(&[0, 0]);
    for (name, value) in fields {
        let lower;
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = name.to_ascii_lowercase();
            lower.as_str()
        } else {
            name
        };
        let whole = STATIC
            .iter()
            .position(|&(n, v)| n == name && v.as_bytes() == value);
        if let Some(index) = whole {
            put_prefix_int(&mut out, 0xc0, 6, index as u64);
            continue;
        }
        match STATIC.iter().position(|&(n, _)| n == name) {
            Some(index) => put_prefix_int(&mut out, 0x50, 4, index as u64),
            None => put_string(&mut out, 0x20, 3, name.as_bytes()),
        }
        put_string(&mut out, 0x00, 7, value);
    }
    out
}

/// HPACK's Huffman code sorted for decoding: the code is canonical, so the
/// codes of one length are consecutive, and a code of length `n` is the
/// symbol at `OFFSET[n] + (code - FIRST[n])` of `SORTED` when that is
/// below `COUNT[n]`.
struct Canonical {
    sorted: [u8; 256],
    first: [u32; 31],
    count: [u16; 31],
    offset: [u16; 31],
}

const CANONICAL: Canonical = canonical();

const fn canonical() -> Canonical {
    let mut c = Canonical {
        sorted: [0; 256],
        first: [u32::MAX; 31],
        count: [0; 31],
        offset: [0; 31],
    };
    let mut sym = 0;
    while sym < 256 {
        let (code, len) = HUFFMAN[sym];
        let len = len as usize;
        c.count[len] += 1;
        if code < c.first[len] {
            c.first[len] = code;
        }
        sym += 1;
    }
    let mut len = 1;
    while len < 31 {
        c.offset[len] = c.offset[len - 1] + c.count[len - 1];
        len += 1;
    }
    let mut sym = 0;
    while sym < 256 {
        let (code, len) = HUFFMAN[sym];
        let len = len as usize;
        let at = c.offset[len] as usize + (code - c.first[len]) as usize;
        c.sorted[at] = sym as u8;
        sym += 1;
    }
    c
}

/// Decodes a Huffman-coded string (RFC 7541 section 5.2): padding of at
/// most 7 bits, all ones (the start of EOS), and no EOS in the string.
pub(super) fn huffman_decode(input: &[u8]) -> Result<Vec<u8>, Error> {
    let table = &CANONICAL;
    let mut out = Vec::with_capacity(input.len() + input.len() / 2);
    let (mut code, mut len) = (0u32, 0usize);
    for &byte in input {
        for shift in (0..8).rev() {
            code = (code << 1) | u32::from((byte >> shift) & 1);
            len += 1;
            let count = u32::from(*table.count.get(len).ok_or(Error::Decompression)?);
            let first = table.first.get(len).copied().unwrap_or(u32::MAX);
            if count > 0 && code >= first && code - first < count {
                let at = usize::from(table.offset.get(len).copied().unwrap_or(0))
                    + (code - first) as usize;
                out.push(table.sorted.get(at).copied().ok_or(Error::Decompression)?);
                code = 0;
                len = 0;
            }
        }
    }
    if len > 7 || code != (1u32 << len) - 1 {
        return Err(Error::Decompression);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn huffman_encode(input: &[u8]) -> Vec<u8> {
        let (mut acc, mut bits, mut out) = (0u64, 0u32, Vec::new());
        for &b in input {
            let (code, len) = HUFFMAN[usize::from(b)];
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

    #[test]
    fn huffman_decodes_every_byte_and_rfc_7541_examples() {
        let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        assert_eq!(huffman_decode(&huffman_encode(&all)).unwrap(), all);
        // RFC 7541 C.4.1: "www.example.com".
        let www = [
            0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff,
        ];
        assert_eq!(huffman_decode(&www).unwrap(), b"www.example.com");
        assert_eq!(huffman_encode(b"www.example.com"), www);
        // Padding longer than 7 bits, or not all ones, is an error.
        assert_eq!(huffman_decode(&[0xff]), Err(Error::Decompression));
        assert_eq!(huffman_decode(&[0x00]), Err(Error::Decompression));
        // EOS (30 ones) in the string is an error.
        assert_eq!(
            huffman_decode(&[0xff, 0xff, 0xff, 0xff]),
            Err(Error::Decompression)
        );
    }

    #[test]
    fn encode_then_decode() {
        let fields: [(&str, &[u8]); 7] = [
            (":method", b"CONNECT"),
            (":protocol", b"websocket"),
            (":scheme", b"https"),
            (":path", b"/chat?room=1"),
            (":authority", b"example.com:443"),
            ("sec-websocket-version", b"13"),
            ("Origin", b"https://example.com"),
        ];
        let block = encode(fields);
        let decoded = decode(&block, 16384).unwrap();
        assert_eq!(decoded.len(), fields.len());
        for ((name, value), (n, v)) in decoded.iter().zip(fields) {
            assert_eq!(name, &n.to_ascii_lowercase());
            assert_eq!(&value[..], v);
        }
        assert_eq!(decode(&block, 100), Err(Error::TooLarge));
    }

    #[test]
    fn rfc_9204_static_examples_and_refusals() {
        // B.1: a literal with a static name reference, ":path" = "/index.html".
        let block = [
            0x00, 0x00, 0x51, 0x0b, 0x2f, 0x69, 0x6e, 0x64, 0x65, 0x78, 0x2e, 0x68, 0x74, 0x6d,
            0x6c,
        ];
        assert_eq!(
            decode(&block, 4096).unwrap(),
            [(String::from(":path"), b"/index.html".to_vec())]
        );
        // Indexed static: ":status" "200" is entry 25.
        assert_eq!(
            decode(&[0, 0, 0xd9], 4096).unwrap(),
            [(String::from(":status"), b"200".to_vec())]
        );
        // Huffman-coded literal name and value.
        let mut block = Vec::from([0u8, 0]);
        let name = huffman_encode(b"x-a");
        put_prefix_int(&mut block, 0x28, 3, name.len() as u64);
        block.extend_from_slice(&name);
        let value = huffman_encode(b"hello world");
        put_prefix_int(&mut block, 0x80, 7, value.len() as u64);
        block.extend_from_slice(&value);
        assert_eq!(
            decode(&block, 4096).unwrap(),
            [(String::from("x-a"), b"hello world".to_vec())]
        );
        // The dynamic table, which hybi never allows.
        assert_eq!(decode(&[0x02, 0x00, 0xd9], 4096), Err(Error::Decompression));
        assert_eq!(decode(&[0, 0, 0x80], 4096), Err(Error::Decompression));
        assert_eq!(decode(&[0, 0, 0x10], 4096), Err(Error::Decompression));
        assert_eq!(decode(&[0, 0, 0x40, 0x00], 4096), Err(Error::Decompression));
        // An index past the static table, a string past the end, an
        // integer too long.
        assert_eq!(decode(&[0, 0, 0xff, 0x40], 4096), Err(Error::Decompression));
        assert_eq!(
            decode(&[0, 0, 0x51, 0x05, b'/'], 4096),
            Err(Error::Decompression)
        );
        let long = [
            0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert_eq!(decode(&long, 4096), Err(Error::Decompression));
        // A name that is not UTF-8.
        assert_eq!(
            decode(&[0, 0, 0x21, 0xff, 0x00], 4096),
            Err(Error::Malformed)
        );
        // Integers across their prefix: encoded and read back.
        for value in [0u64, 14, 15, 16, 127, 128, 300, 1 << 20] {
            let mut out = Vec::new();
            put_prefix_int(&mut out, 0x50, 4, value);
            assert_eq!(prefix_int(&mut &out[..], 4), Ok(value));
        }
    }

    /// Arbitrary bytes, and valid field sections with bytes flipped,
    /// truncated or appended: decoding never panics, and whatever decodes
    /// encodes to a section that decodes to the same fields.
    #[test]
    fn arbitrary_sections_decode_or_fail() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let valid = encode([
            (":method", &b"CONNECT"[..]),
            (":protocol", b"websocket"),
            (":path", b"/"),
            ("x-huff", b"hello"),
        ]);
        let (mut decoded, mut refused) = (0, 0);
        for round in 0..50_000 {
            let mut input: Vec<u8> = if round % 2 == 0 {
                let len = (next() % 48) as usize;
                (0..len).map(|_| next() as u8).collect()
            } else {
                let mut v = valid.clone();
                for _ in 0..1 + next() % 3 {
                    let at = (next() as usize) % v.len();
                    v[at] ^= 1 << (next() % 8);
                }
                v
            };
            if round % 5 == 0 {
                input.truncate((next() as usize) % (input.len() + 1));
            }
            match decode(&input, 4096) {
                Ok(fields) => {
                    decoded += 1;
                    let again = encode(fields.iter().map(|(n, v)| (n.as_str(), &v[..])));
                    let lower: Vec<Field> = fields
                        .iter()
                        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                        .collect();
                    assert_eq!(decode(&again, usize::MAX), Ok(lower), "{input:02x?}");
                }
                Err(_) => refused += 1,
            }
        }
        // Both outcomes were exercised.
        assert!(decoded > 1000 && refused > 1000, "{decoded} {refused}");
    }
}
