//! `net::http3`'s parsers of bytes from the network, for the fuzz targets
//! (`fuzz/`): HTTP/3's framing (`frame.rs`) and QPACK (`qpack.rs`,
//! `tables.rs`), compiled here again from the same files, so that they
//! build without feature `http3`'s QUIC. It exists only with `--cfg
//! fuzzing` (cargo-fuzz's), is hidden from the docs, and is not part of
//! the API.

use std_crate::string::String;
use std_crate::vec::Vec;

// What only the QUIC half uses (stream types, error names) is unused here;
// with feature `http3` too, `net::http3` loads the same files.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "frame.rs"]
mod frame;
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "qpack.rs"]
mod qpack;
#[allow(clippy::duplicate_mod)]
#[path = "tables.rs"]
mod tables;

/// Why QPACK refused a field section or a Huffman-coded string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QpackError {
    /// QPACK_DECOMPRESSION_FAILED.
    Decompression,
    /// Larger than the limit.
    TooLarge,
    /// A field name that is not UTF-8.
    Malformed,
}

impl From<qpack::Error> for QpackError {
    fn from(e: qpack::Error) -> Self {
        match e {
            qpack::Error::Decompression => QpackError::Decompression,
            qpack::Error::TooLarge => QpackError::TooLarge,
            qpack::Error::Malformed => QpackError::Malformed,
        }
    }
}

/// QPACK's `decode`: a field section, refused over `max_size`.
pub fn qpack_decode(input: &[u8], max_size: usize) -> Result<Vec<(String, Vec<u8>)>, QpackError> {
    Ok(qpack::decode(input, max_size)?)
}

/// QPACK's `encode`: fields as a field section, names in lowercase.
pub fn qpack_encode<'a>(fields: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    qpack::encode(fields)
}

/// QPACK's Huffman decoder (RFC 7541 section 5.2).
pub fn huffman_decode(input: &[u8]) -> Result<Vec<u8>, QpackError> {
    Ok(qpack::huffman_decode(input)?)
}

/// A byte's Huffman code: the code and its length in bits.
pub fn huffman_code(byte: u8) -> (u32, u8) {
    tables::HUFFMAN[usize::from(byte)]
}

/// The size a field counts for against a field section's limit (RFC 9114
/// section 4.2.2).
pub fn field_size(name: &[u8], value: &[u8]) -> usize {
    qpack::field_size(name, value)
}

/// A variable-length integer at the start of `input`: its value and length.
pub fn varint(input: &[u8]) -> Option<(u64, usize)> {
    frame::varint(input)
}

/// Appends a variable-length integer, in the fewest bytes.
pub fn put_varint(out: &mut Vec<u8>, value: u64) {
    frame::put_varint(out, value)
}

/// A frame's header at the start of `input`: its type, its payload's
/// length and the header's own length.
pub fn frame_header(input: &[u8]) -> Option<(u64, u64, usize)> {
    frame::frame_header(input)
}

/// Appends a frame's header.
pub fn put_frame_header(out: &mut Vec<u8>, kind: u64, len: usize) {
    frame::put_frame_header(out, kind, len)
}

/// A SETTINGS payload parsed: whether it enables extended CONNECT, or the
/// error code of the connection error it is.
pub fn parse_settings(payload: &[u8]) -> Result<bool, u32> {
    frame::parse_settings(payload).map(|s| s.extended_connect)
}

/// The SETTINGS payload hybi sends.
pub fn settings(server: bool, max_field_section: u64) -> Vec<u8> {
    frame::settings(server, max_field_section)
}

/// The error codes `parse_settings` returns: H3_FRAME_ERROR and
/// H3_SETTINGS_ERROR.
pub const H3_FRAME_ERROR: u32 = frame::H3_FRAME_ERROR;
/// See [`H3_FRAME_ERROR`].
pub const H3_SETTINGS_ERROR: u32 = frame::H3_SETTINGS_ERROR;
