//! HTTP/3's framing (RFC 9114 section 7): variable-length integers (RFC
//! 9000 section 16), frame and stream types, SETTINGS, and the error
//! codes (RFC 9114 section 8.1; RFC 9204 section 6), as far as WebSockets
//! need them.

use std_crate::vec::Vec;

/// Frame types (RFC 9114 section 7.2).
pub(super) const DATA: u64 = 0x00;
pub(super) const HEADERS: u64 = 0x01;
pub(super) const CANCEL_PUSH: u64 = 0x03;
pub(super) const SETTINGS: u64 = 0x04;
pub(super) const PUSH_PROMISE: u64 = 0x05;
pub(super) const GOAWAY: u64 = 0x07;
pub(super) const MAX_PUSH_ID: u64 = 0x0d;

/// Unidirectional stream types (RFC 9114 section 6.2; RFC 9204 section 4.2).
pub(super) const CONTROL_STREAM: u64 = 0x00;
pub(super) const ENCODER_STREAM: u64 = 0x02;
pub(super) const DECODER_STREAM: u64 = 0x03;

/// Settings (RFC 9114 section 7.2.4.1; RFC 9204 section 5; RFC 9220
/// section 3, which registers 0x08 for HTTP/3 as RFC 8441 did for HTTP/2).
pub(super) const SETTINGS_QPACK_MAX_TABLE_CAPACITY: u64 = 0x01;
pub(super) const SETTINGS_MAX_FIELD_SECTION_SIZE: u64 = 0x06;
pub(super) const SETTINGS_QPACK_BLOCKED_STREAMS: u64 = 0x07;
pub(super) const SETTINGS_ENABLE_CONNECT_PROTOCOL: u64 = 0x08;

/// Error codes (RFC 9114 section 8.1; RFC 9204 section 6).
pub(super) const H3_NO_ERROR: u32 = 0x100;
pub(super) const H3_STREAM_CREATION_ERROR: u32 = 0x103;
pub(super) const H3_CLOSED_CRITICAL_STREAM: u32 = 0x104;
pub(super) const H3_FRAME_UNEXPECTED: u32 = 0x105;
pub(super) const H3_FRAME_ERROR: u32 = 0x106;
pub(super) const H3_EXCESSIVE_LOAD: u32 = 0x107;
pub(super) const H3_SETTINGS_ERROR: u32 = 0x109;
pub(super) const H3_MISSING_SETTINGS: u32 = 0x10a;
pub(super) const H3_REQUEST_REJECTED: u32 = 0x10b;
pub(super) const H3_REQUEST_CANCELLED: u32 = 0x10c;
pub(super) const H3_REQUEST_INCOMPLETE: u32 = 0x10d;
pub(super) const H3_MESSAGE_ERROR: u32 = 0x10e;
pub(super) const QPACK_DECOMPRESSION_FAILED: u32 = 0x200;

/// The name of an HTTP/3 or QPACK error code, for messages.
pub(super) fn error_name(code: u64) -> Option<&'static str> {
    Some(match code {
        0x100 => "H3_NO_ERROR",
        0x101 => "H3_GENERAL_PROTOCOL_ERROR",
        0x102 => "H3_INTERNAL_ERROR",
        0x103 => "H3_STREAM_CREATION_ERROR",
        0x104 => "H3_CLOSED_CRITICAL_STREAM",
        0x105 => "H3_FRAME_UNEXPECTED",
        0x106 => "H3_FRAME_ERROR",
        0x107 => "H3_EXCESSIVE_LOAD",
        0x108 => "H3_ID_ERROR",
        0x109 => "H3_SETTINGS_ERROR",
        0x10a => "H3_MISSING_SETTINGS",
        0x10b => "H3_REQUEST_REJECTED",
        0x10c => "H3_REQUEST_CANCELLED",
        0x10d => "H3_REQUEST_INCOMPLETE",
        0x10e => "H3_MESSAGE_ERROR",
        0x10f => "H3_CONNECT_ERROR",
        0x110 => "H3_VERSION_FALLBACK",
        0x200 => "QPACK_DECOMPRESSION_FAILED",
        0x201 => "QPACK_ENCODER_STREAM_ERROR",
        0x202 => "QPACK_DECODER_STREAM_ERROR",
        _ => return None,
    })
}

/// The largest value a variable-length integer holds (RFC 9000 section 16).
const VARINT_MAX: u64 = (1 << 62) - 1;

/// Appends `value` as a variable-length integer, in the fewest bytes;
/// values above 2^62 - 1, which none of hybi's are, are clamped to it.
pub(super) fn put_varint(out: &mut Vec<u8>, value: u64) {
    let value = value.min(VARINT_MAX);
    if value < 1 << 6 {
        out.push(value as u8);
    } else if value < 1 << 14 {
        out.extend_from_slice(&(value as u16 | 0x4000).to_be_bytes());
    } else if value < 1 << 30 {
        out.extend_from_slice(&(value as u32 | 0x8000_0000).to_be_bytes());
    } else {
        out.extend_from_slice(&(value | 0xc000_0000_0000_0000).to_be_bytes());
    }
}

/// Reads a variable-length integer at the start of `input`: the value and
/// its length, or `None` when `input` ends before it does.
pub(super) fn varint(input: &[u8]) -> Option<(u64, usize)> {
    let first = *input.first()?;
    let len = 1usize << (first >> 6);
    let bytes = input.get(..len)?;
    let mut value = u64::from(first & 0x3f);
    for &b in bytes.iter().skip(1) {
        value = (value << 8) | u64::from(b);
    }
    Some((value, len))
}

/// A frame's header at the start of `input`: its type, its length and the
/// header's own length; `None` when `input` ends before the header does.
pub(super) fn frame_header(input: &[u8]) -> Option<(u64, u64, usize)> {
    let (kind, a) = varint(input)?;
    let (len, b) = varint(input.get(a..)?)?;
    Some((kind, len, a + b))
}

/// Appends a frame's header: its type and its payload's length.
pub(super) fn put_frame_header(out: &mut Vec<u8>, kind: u64, len: usize) {
    put_varint(out, kind);
    put_varint(out, len as u64);
}

/// What a frame of type `kind` means on a request stream once its HEADERS
/// are read (RFC 9114 sections 4.1 and 7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnRequest {
    /// DATA: the stream's bytes.
    Data,
    /// HEADERS: a field section (a response, or trailers).
    Headers,
    /// A type an endpoint must not send there: a connection error of type
    /// H3_FRAME_UNEXPECTED (CANCEL_PUSH, SETTINGS, GOAWAY, MAX_PUSH_ID, and
    /// the HTTP/2 types HTTP/3 reserves, section 7.2.8). PUSH_PROMISE too,
    /// since hybi never allows a push (it sends no MAX_PUSH_ID).
    Unexpected,
    /// Anything else: skipped.
    Skip,
}

/// Classifies a frame type on a request stream.
pub(super) fn on_request(kind: u64) -> OnRequest {
    match kind {
        DATA => OnRequest::Data,
        HEADERS => OnRequest::Headers,
        CANCEL_PUSH | SETTINGS | PUSH_PROMISE | GOAWAY | MAX_PUSH_ID | 0x02 | 0x06 | 0x08
        | 0x09 => OnRequest::Unexpected,
        _ => OnRequest::Skip,
    }
}

/// The settings hybi sends, as the payload of a SETTINGS frame: no
/// dynamic table (QPACK's defaults, stated), the largest field section it
/// takes, and, from a server, extended CONNECT (RFC 9220 section 3).
pub(super) fn settings(server: bool, max_field_section: u64) -> Vec<u8> {
    let mut payload = Vec::with_capacity(16);
    put_varint(&mut payload, SETTINGS_QPACK_MAX_TABLE_CAPACITY);
    put_varint(&mut payload, 0);
    put_varint(&mut payload, SETTINGS_QPACK_BLOCKED_STREAMS);
    put_varint(&mut payload, 0);
    put_varint(&mut payload, SETTINGS_MAX_FIELD_SECTION_SIZE);
    put_varint(&mut payload, max_field_section);
    if server {
        put_varint(&mut payload, SETTINGS_ENABLE_CONNECT_PROTOCOL);
        put_varint(&mut payload, 1);
    }
    payload
}

/// A control stream's opening: its type, then the SETTINGS frame.
pub(super) fn control_stream_opening(server: bool, max_field_section: u64) -> Vec<u8> {
    let payload = settings(server, max_field_section);
    let mut out = Vec::with_capacity(payload.len() + 4);
    put_varint(&mut out, CONTROL_STREAM);
    put_frame_header(&mut out, SETTINGS, payload.len());
    out.extend_from_slice(&payload);
    out
}

/// What a peer's SETTINGS said that hybi uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct PeerSettings {
    /// SETTINGS_ENABLE_CONNECT_PROTOCOL = 1.
    pub(super) extended_connect: bool,
}

/// Parses a SETTINGS payload: an error code when it is malformed, repeats
/// an identifier, carries an HTTP/2 setting, or gives
/// SETTINGS_ENABLE_CONNECT_PROTOCOL a value other than 0 or 1 (RFC 9114
/// section 7.2.4; RFC 8441 section 3).
pub(super) fn parse_settings(mut payload: &[u8]) -> Result<PeerSettings, u32> {
    let mut settings = PeerSettings::default();
    let mut seen: Vec<u64> = Vec::new();
    while !payload.is_empty() {
        let (id, a) = varint(payload).ok_or(H3_FRAME_ERROR)?;
        let (value, b) = varint(payload.get(a..).unwrap_or_default()).ok_or(H3_FRAME_ERROR)?;
        payload = payload.get(a + b..).unwrap_or_default();
        if seen.contains(&id) {
            return Err(H3_SETTINGS_ERROR);
        }
        seen.push(id);
        match id {
            // HTTP/2's settings, which HTTP/3 forbids (section 7.2.4.1).
            0x00 | 0x02 | 0x03 | 0x04 | 0x05 => return Err(H3_SETTINGS_ERROR),
            SETTINGS_ENABLE_CONNECT_PROTOCOL => match value {
                0 | 1 => settings.extended_connect = value == 1,
                _ => return Err(H3_SETTINGS_ERROR),
            },
            _ => {}
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_each_length() {
        for value in [
            0u64,
            37,
            63,
            64,
            15293,
            16383,
            16384,
            494_878_333,
            (1 << 30) - 1,
        ]
        .into_iter()
        .chain([1 << 30, 151_288_809_941_952_652, VARINT_MAX])
        {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(varint(&out), Some((value, out.len())), "{value}");
            assert_eq!(varint(&out[..out.len() - 1]), None);
        }
        // RFC 9000 Appendix A.1's examples.
        assert_eq!(
            varint(&[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c]),
            Some((151_288_809_941_952_652, 8))
        );
        assert_eq!(varint(&[0x9d, 0x7f, 0x3e, 0x7d]), Some((494_878_333, 4)));
        assert_eq!(varint(&[0x7b, 0xbd]), Some((15293, 2)));
        assert_eq!(varint(&[0x40, 0x25]), Some((37, 2)));
    }

    #[test]
    fn settings_are_read_back_and_checked() {
        let server = settings(true, 16384);
        assert_eq!(
            parse_settings(&server),
            Ok(PeerSettings {
                extended_connect: true
            })
        );
        let client = settings(false, 16384);
        assert_eq!(parse_settings(&client), Ok(PeerSettings::default()));
        let mut twice = server.clone();
        twice.extend_from_slice(&[0x08, 0x01]);
        assert_eq!(parse_settings(&twice), Err(H3_SETTINGS_ERROR));
        assert_eq!(parse_settings(&[0x08, 0x02]), Err(H3_SETTINGS_ERROR));
        assert_eq!(parse_settings(&[0x02, 0x01]), Err(H3_SETTINGS_ERROR));
        assert_eq!(parse_settings(&[0x08]), Err(H3_FRAME_ERROR));
        // Unknown and reserved identifiers are ignored.
        assert_eq!(parse_settings(&[0x21, 0x05]), Ok(PeerSettings::default()));
    }

    #[test]
    fn request_stream_frame_types() {
        assert_eq!(on_request(DATA), OnRequest::Data);
        assert_eq!(on_request(HEADERS), OnRequest::Headers);
        assert_eq!(on_request(SETTINGS), OnRequest::Unexpected);
        assert_eq!(on_request(GOAWAY), OnRequest::Unexpected);
        assert_eq!(on_request(0x21), OnRequest::Skip);
        assert_eq!(on_request(0x21 + 0x1f * 7), OnRequest::Skip);
    }
}
