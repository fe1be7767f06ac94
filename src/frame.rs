//! Frame headers: decoding with every check a receiver must make, and
//! encoding in the minimal form (RFC 6455 section 5.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! | Masking-key (continued)       |          Payload Data         |
//! +-------------------------------- - - - - - - - - - - - - - - - +
//! ```
//!
//! [`FrameHeader::decode`] reads a header from the front of a byte slice. It
//! answers [`Status::Partial`] with the exact number of bytes still missing,
//! so a header split across reads (one byte at a time, if need be) is not an
//! error, and it rejects a header as soon as the bytes seen so far break a
//! rule, before the rest arrives. [`FrameHeader::encode`] writes at most
//! [`MAX_HEADER_LEN`] bytes.
//!
//! ```
//! use hybi::frame::{DecodeOptions, FrameHeader, Opcode};
//! use hybi::{Role, Status};
//!
//! // RFC 6455 section 5.7: a single-frame masked text message "Hello".
//! let bytes = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
//! let opts = DecodeOptions::new(Role::Server);
//! let Status::Complete((header, len)) = FrameHeader::decode(&bytes, &opts)? else {
//!     unreachable!()
//! };
//! assert_eq!(header.opcode, Opcode::Text);
//! assert_eq!(header.payload_len, 5);
//! assert_eq!(header.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
//! assert_eq!(len, 6);
//! assert_eq!(header.encode()?.as_bytes(), &bytes[..len]);
//! # Ok::<(), hybi::ProtocolError>(())
//! ```

use crate::{ProtocolError, Role, Status};

/// The longest frame header: 2 bytes, 8 of extended length, 4 of masking key.
pub const MAX_HEADER_LEN: usize = 14;

/// The largest payload of a control frame (section 5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Bit masks of the fields in the first two header bytes.
mod field {
    /// Byte 0: final fragment.
    pub const FIN: u8 = 0x80;
    /// Byte 0: RSV1, RSV2, RSV3.
    pub const RSV: u8 = 0x70;
    /// Byte 0: opcode.
    pub const OPCODE: u8 = 0x0F;
    /// Byte 1: a masking key follows the length.
    pub const MASK: u8 = 0x80;
    /// Byte 1: 7-bit payload length, or 126 / 127 for 16 / 64 extended bits.
    pub const LEN: u8 = 0x7F;
    /// Byte 1 length value announcing a 16-bit extended length.
    pub const LEN_16: u8 = 126;
    /// Byte 1 length value announcing a 64-bit extended length.
    pub const LEN_64: u8 = 127;
}

/// A frame's opcode (section 5.2). The reserved values are not representable:
/// decoding them is [`ProtocolError::ReservedOpcode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum Opcode {
    /// 0x0: a continuation of a fragmented message.
    Continuation = 0x0,
    /// 0x1: the first frame of a text message.
    Text = 0x1,
    /// 0x2: the first frame of a binary message.
    Binary = 0x2,
    /// 0x8: close.
    Close = 0x8,
    /// 0x9: ping.
    Ping = 0x9,
    /// 0xA: pong.
    Pong = 0xA,
}

impl Opcode {
    /// Parses the low four bits of `value`'s opcode nibble; only those bits
    /// may be set.
    pub const fn from_u8(value: u8) -> Result<Opcode, ProtocolError> {
        match value {
            0x0 => Ok(Opcode::Continuation),
            0x1 => Ok(Opcode::Text),
            0x2 => Ok(Opcode::Binary),
            0x8 => Ok(Opcode::Close),
            0x9 => Ok(Opcode::Ping),
            0xA => Ok(Opcode::Pong),
            other => Err(ProtocolError::ReservedOpcode(other)),
        }
    }

    /// The opcode's value on the wire.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// Whether this is a control frame opcode (close, ping, pong).
    pub const fn is_control(self) -> bool {
        self.as_u8() & 0x8 != 0
    }
}

/// The three reserved bits, RSV1 to RSV3, kept where they sit in header
/// byte 0 (`0x40`, `0x20`, `0x10`).
///
/// An extension negotiated in the handshake may give them a meaning
/// (permessage-deflate uses RSV1); without one, a receiver must fail the
/// connection when any is set (section 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rsv(u8);

impl Rsv {
    /// No bit set.
    pub const NONE: Rsv = Rsv(0);
    /// RSV1 (`0x40`).
    pub const RSV1: Rsv = Rsv(0x40);
    /// RSV2 (`0x20`).
    pub const RSV2: Rsv = Rsv(0x20);
    /// RSV3 (`0x10`).
    pub const RSV3: Rsv = Rsv(0x10);
    /// All three.
    pub const ALL: Rsv = Rsv(field::RSV);

    /// The RSV bits of a header's first byte; other bits are ignored.
    pub const fn from_bits(byte0: u8) -> Rsv {
        Rsv(byte0 & field::RSV)
    }

    /// The bits, in their header byte 0 positions.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Both sets of bits.
    pub const fn union(self, other: Rsv) -> Rsv {
        Rsv(self.0 | other.0)
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Rsv) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// What the receiver allows: its role (which decides the mask bit), the RSV
/// bits its extensions define, and the largest payload it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodeOptions {
    role: Role,
    allowed_rsv: Rsv,
    max_payload_len: u64,
}

impl DecodeOptions {
    /// Strict rules for a receiver in `role`: no RSV bit allowed, no payload
    /// limit other than what `usize` can hold.
    pub const fn new(role: Role) -> Self {
        DecodeOptions {
            role,
            allowed_rsv: Rsv::NONE,
            max_payload_len: u64::MAX,
        }
    }

    /// Allows the RSV bits that a negotiated extension defines.
    pub const fn allow_rsv(mut self, rsv: Rsv) -> Self {
        self.allowed_rsv = rsv;
        self
    }

    /// Rejects frames whose payload is longer than `len` bytes with
    /// [`ProtocolError::MessageTooBig`] (close code 1009).
    pub const fn max_payload_len(mut self, len: u64) -> Self {
        self.max_payload_len = len;
        self
    }

    /// The receiving role.
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The RSV bits allowed.
    pub const fn allowed_rsv(&self) -> Rsv {
        self.allowed_rsv
    }

    /// The payload limit.
    pub const fn payload_limit(&self) -> u64 {
        self.max_payload_len
    }
}

/// A frame header (section 5.2): everything before the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FrameHeader {
    /// Whether this is the final fragment of its message.
    pub fin: bool,
    /// The reserved bits.
    pub rsv: Rsv,
    /// The opcode.
    pub opcode: Opcode,
    /// The masking key, when the payload is masked.
    pub mask: Option<[u8; 4]>,
    /// The payload length. After a successful [`FrameHeader::decode`] it is
    /// below 2^63 and fits `usize`.
    pub payload_len: u64,
}

impl FrameHeader {
    /// An unmasked header with FIN set and no RSV bits.
    pub const fn new(opcode: Opcode, payload_len: u64) -> Self {
        FrameHeader {
            fin: true,
            rsv: Rsv::NONE,
            opcode,
            mask: None,
            payload_len,
        }
    }

    /// The same header with FIN set to `fin`.
    pub const fn with_fin(mut self, fin: bool) -> Self {
        self.fin = fin;
        self
    }

    /// The same header with a masking key.
    pub const fn with_mask(mut self, key: [u8; 4]) -> Self {
        self.mask = Some(key);
        self
    }

    /// Decodes a header from the front of `buf`.
    ///
    /// - `Ok(Status::Complete((header, len)))`: the header took the first
    ///   `len` bytes; the payload starts at `buf[len]`.
    /// - `Ok(Status::Partial(n))`: `buf` is a valid beginning; exactly `n`
    ///   more bytes are needed once the first two bytes are in (2 before).
    /// - `Err(e)`: the header breaks a rule of section 5.2 for a receiver
    ///   with these `opts`; `e.close_code()` is what to send the peer. Each
    ///   rule is checked as soon as the bytes it needs are present.
    pub fn decode(
        buf: &[u8],
        opts: &DecodeOptions,
    ) -> Result<Status<(FrameHeader, usize)>, ProtocolError> {
        let Some(&b0) = buf.first() else {
            return Ok(Status::Partial(2));
        };
        let rsv = Rsv::from_bits(b0);
        let unexpected = rsv.bits() & !opts.allowed_rsv.bits();
        if unexpected != 0 {
            return Err(ProtocolError::ReservedBits(unexpected));
        }
        let opcode = Opcode::from_u8(b0 & field::OPCODE)?;
        let fin = b0 & field::FIN != 0;
        if opcode.is_control() && !fin {
            return Err(ProtocolError::FragmentedControlFrame);
        }

        let Some(&b1) = buf.get(1) else {
            return Ok(Status::Partial(1));
        };
        let masked = b1 & field::MASK != 0;
        match (opts.role.expects_masked(), masked) {
            (true, false) => return Err(ProtocolError::UnmaskedFrame),
            (false, true) => return Err(ProtocolError::MaskedFrame),
            _ => {}
        }
        let len7 = b1 & field::LEN;
        if opcode.is_control() && usize::from(len7) > MAX_CONTROL_PAYLOAD {
            return Err(ProtocolError::ControlFrameTooLong);
        }
        let ext_len = match len7 {
            field::LEN_16 => 2,
            field::LEN_64 => 8,
            _ => 0,
        };
        let header_len = 2 + ext_len + if masked { 4 } else { 0 };
        // The top bit of a 64-bit length is known from its first byte.
        if len7 == field::LEN_64 && buf.get(2).is_some_and(|b| b & 0x80 != 0) {
            return Err(ProtocolError::LengthHighBitSet);
        }
        let Some(header) = buf.get(..header_len) else {
            return Ok(Status::Partial(header_len - buf.len()));
        };

        // The extended length, big-endian, in its minimal form: 16 bits
        // for 126 and up, 64 bits for 65,536 and up (`header` holds all
        // of it, so the last arm is the 7-bit length).
        let (payload_len, shortest) = match *header {
            [_, _, a, b, ..] if ext_len == 2 => (u64::from(u16::from_be_bytes([a, b])), 126),
            [_, _, a, b, c, d, e, f, g, h, ..] if ext_len == 8 => {
                (u64::from_be_bytes([a, b, c, d, e, f, g, h]), 0x1_0000)
            }
            _ => (u64::from(len7), 0),
        };
        if payload_len < shortest {
            return Err(ProtocolError::NonMinimalLength);
        }
        if usize::try_from(payload_len).is_err() || payload_len > opts.max_payload_len {
            return Err(ProtocolError::MessageTooBig);
        }
        // The last 4 bytes when the frame is masked, none otherwise.
        let mask = header
            .get(2 + ext_len..)
            .and_then(|key| key.try_into().ok());

        let header = FrameHeader {
            fin,
            rsv,
            opcode,
            mask,
            payload_len,
        };
        Ok(Status::Complete((header, header_len)))
    }

    /// The number of bytes [`FrameHeader::encode`] writes: 2 to 14.
    pub const fn encoded_len(&self) -> usize {
        let ext = match self.payload_len {
            0..=125 => 0,
            126..=0xFFFF => 2,
            _ => 8,
        };
        2 + ext + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Encodes the header, with the payload length in its minimal form
    /// (7 bits up to 125, then 16, then 64).
    ///
    /// Refuses headers no receiver may accept: a control frame without FIN
    /// or with more than 125 bytes, a length of 2^63 or more.
    pub fn encode(&self) -> Result<EncodedHeader, ProtocolError> {
        self.check_encodable()?;
        let mut bytes = [0u8; MAX_HEADER_LEN];
        let len = self.encode_into(&mut bytes);
        Ok(EncodedHeader {
            bytes,
            len: len as u8,
        })
    }

    /// What [`FrameHeader::encode`] refuses.
    pub(crate) fn check_encodable(&self) -> Result<(), ProtocolError> {
        if self.opcode.is_control() {
            if !self.fin {
                return Err(ProtocolError::FragmentedControlFrame);
            }
            if self.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(ProtocolError::ControlFrameTooLong);
            }
        }
        if self.payload_len >> 63 != 0 {
            return Err(ProtocolError::LengthHighBitSet);
        }
        Ok(())
    }

    /// [`FrameHeader::encode`], once [`FrameHeader::check_encodable`]
    /// passed, straight into the front of `out`, which holds at least
    /// [`FrameHeader::encoded_len`] bytes: the length written. A shorter
    /// `out` is left as it is and gets 0.
    pub(crate) fn encode_into(&self, out: &mut [u8]) -> usize {
        // The shortest form: 7 bits up to 125, then 16, then 64 bits.
        let (len7, ext_len) = match self.payload_len {
            // The match arm bounds the value, so the cast is exact.
            short @ 0..=125 => (short as u8, 0),
            126..=0xFFFF => (field::LEN_16, 2),
            _ => (field::LEN_64, 8),
        };
        let len = 2 + ext_len + if self.mask.is_some() { 4 } else { 0 };
        let Some(out) = out.get_mut(..len) else {
            return 0;
        };
        let (start, rest) = out.split_at_mut(2);
        start[0] = if self.fin { field::FIN } else { 0 } | self.rsv.bits() | self.opcode.as_u8();
        start[1] = if self.mask.is_some() { field::MASK } else { 0 } | len7;
        // The extended length, big-endian: its last `ext_len` bytes, then
        // the key.
        let (ext, key) = rest.split_at_mut(ext_len);
        ext.copy_from_slice(&self.payload_len.to_be_bytes()[8 - ext_len..]);
        if let Some(mask) = self.mask {
            key.copy_from_slice(&mask);
        }
        len
    }
}

/// An encoded frame header: up to [`MAX_HEADER_LEN`] bytes, kept on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedHeader {
    bytes: [u8; MAX_HEADER_LEN],
    len: u8,
}

impl EncodedHeader {
    /// The header bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len).min(MAX_HEADER_LEN)]
    }
}

impl AsRef<[u8]> for EncodedHeader {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: DecodeOptions = DecodeOptions::new(Role::Server);
    const CLIENT: DecodeOptions = DecodeOptions::new(Role::Client);
    const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

    fn complete(bytes: &[u8], opts: &DecodeOptions) -> (FrameHeader, usize) {
        match FrameHeader::decode(bytes, opts) {
            Ok(Status::Complete(done)) => done,
            other => panic!("{bytes:02x?}: {other:?}"),
        }
    }

    /// Every proper prefix of a valid header is Partial with the exact
    /// number of missing bytes (2 before anything is known).
    fn assert_prefixes_partial(bytes: &[u8], header_len: usize, opts: &DecodeOptions) {
        for cut in 0..header_len {
            let expected = if cut < 2 { 2 - cut } else { header_len - cut };
            assert_eq!(
                FrameHeader::decode(&bytes[..cut], opts),
                Ok(Status::Partial(expected)),
                "prefix of {cut} bytes of {bytes:02x?}"
            );
        }
    }

    // RFC 6455 section 5.7, every example.
    #[test]
    fn rfc_examples() {
        struct Case {
            bytes: &'static [u8],
            opts: DecodeOptions,
            header: FrameHeader,
            header_len: usize,
        }
        let text = FrameHeader::new(Opcode::Text, 5);
        let cases = [
            // A single-frame unmasked text message "Hello".
            Case {
                bytes: &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f],
                opts: CLIENT,
                header: text,
                header_len: 2,
            },
            // A single-frame masked text message "Hello".
            Case {
                bytes: &[
                    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
                ],
                opts: SERVER,
                header: text.with_mask(KEY),
                header_len: 6,
            },
            // A fragmented unmasked text message: "Hel" ...
            Case {
                bytes: &[0x01, 0x03, 0x48, 0x65, 0x6c],
                opts: CLIENT,
                header: FrameHeader::new(Opcode::Text, 3).with_fin(false),
                header_len: 2,
            },
            // ... then "lo".
            Case {
                bytes: &[0x80, 0x02, 0x6c, 0x6f],
                opts: CLIENT,
                header: FrameHeader::new(Opcode::Continuation, 2),
                header_len: 2,
            },
            // Unmasked ping "Hello".
            Case {
                bytes: &[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f],
                opts: CLIENT,
                header: FrameHeader::new(Opcode::Ping, 5),
                header_len: 2,
            },
            // Masked pong "Hello".
            Case {
                bytes: &[
                    0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
                ],
                opts: SERVER,
                header: FrameHeader::new(Opcode::Pong, 5).with_mask(KEY),
                header_len: 6,
            },
            // 256 bytes binary message in a single unmasked frame.
            Case {
                bytes: &[0x82, 0x7E, 0x01, 0x00],
                opts: CLIENT,
                header: FrameHeader::new(Opcode::Binary, 256),
                header_len: 4,
            },
            // 64 KiB binary message in a single unmasked frame.
            Case {
                bytes: &[0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00],
                opts: CLIENT,
                header: FrameHeader::new(Opcode::Binary, 65536),
                header_len: 10,
            },
        ];
        for case in &cases {
            let (header, len) = complete(case.bytes, &case.opts);
            assert_eq!(header, case.header, "{:02x?}", case.bytes);
            assert_eq!(len, case.header_len);
            assert_eq!(header.encoded_len(), len);
            assert_eq!(header.encode().unwrap().as_bytes(), &case.bytes[..len]);
            assert_prefixes_partial(case.bytes, len, &case.opts);
        }
    }

    #[test]
    fn masked_hello_payload_unmasks() {
        let bytes = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let (header, len) = complete(&bytes, &SERVER);
        let key = header.mask.unwrap();
        let mut payload = [0u8; 5];
        for (i, (out, b)) in payload.iter_mut().zip(&bytes[len..]).enumerate() {
            *out = b ^ key[i % 4];
        }
        assert_eq!(&payload, b"Hello");
    }

    // One row per rule of section 5.2 a receiver must enforce: its name,
    // the bytes, the receiver, the error and its close code.
    #[test]
    fn rejections() {
        use ProtocolError::*;
        let limited = DecodeOptions::new(Role::Client).max_payload_len(1000);
        #[rustfmt::skip]
        let cases: &[(&str, &[u8], DecodeOptions, ProtocolError, u16)] = &[
            // RSV bits without an extension, on data and control frames.
            ("RSV1 on text", &[0xC1, 0x00], CLIENT, ReservedBits(0x40), 1002),
            ("RSV2 on text", &[0xA1, 0x00], CLIENT, ReservedBits(0x20), 1002),
            ("RSV3 on text", &[0x91, 0x00], CLIENT, ReservedBits(0x10), 1002),
            ("RSV1-3 on binary", &[0xF2, 0x00], CLIENT, ReservedBits(0x70), 1002),
            ("RSV1 on a ping", &[0xC9, 0x00], CLIENT, ReservedBits(0x40), 1002),
            ("RSV1 from the first byte alone", &[0xC1], CLIENT, ReservedBits(0x40), 1002),
            ("RSV1-3 before the wrong mask bit", &[0xF1, 0x80], CLIENT, ReservedBits(0x70), 1002),
            // Reserved opcodes 0x3-0x7 and 0xB-0xF.
            ("opcode 0x3", &[0x83, 0x00], CLIENT, ReservedOpcode(0x3), 1002),
            ("opcode 0x4", &[0x84, 0x00], CLIENT, ReservedOpcode(0x4), 1002),
            ("opcode 0x5", &[0x85, 0x00], CLIENT, ReservedOpcode(0x5), 1002),
            ("opcode 0x6", &[0x86, 0x00], CLIENT, ReservedOpcode(0x6), 1002),
            ("opcode 0x7 from the first byte alone", &[0x87], CLIENT, ReservedOpcode(0x7), 1002),
            ("opcode 0xB", &[0x8B, 0x00], CLIENT, ReservedOpcode(0xB), 1002),
            ("opcode 0xC", &[0x8C, 0x00], CLIENT, ReservedOpcode(0xC), 1002),
            ("opcode 0xD", &[0x8D, 0x00], CLIENT, ReservedOpcode(0xD), 1002),
            ("opcode 0xE", &[0x8E, 0x00], CLIENT, ReservedOpcode(0xE), 1002),
            ("opcode 0xF with FIN clear", &[0x0F], CLIENT, ReservedOpcode(0xF), 1002),
            // Control frames with FIN clear.
            ("close with FIN clear", &[0x08, 0x00], CLIENT, FragmentedControlFrame, 1002),
            ("ping with FIN clear, first byte alone", &[0x09], CLIENT, FragmentedControlFrame, 1002),
            ("pong with FIN clear", &[0x0A, 0x00], CLIENT, FragmentedControlFrame, 1002),
            // Control frames over 125 bytes (16-bit and 64-bit forms).
            ("ping in the 16-bit form", &[0x89, 0x7E], CLIENT, ControlFrameTooLong, 1002),
            ("ping of 126 bytes", &[0x89, 0x7E, 0x00, 0x7E], CLIENT, ControlFrameTooLong, 1002),
            ("masked close in the 64-bit form", &[0x88, 0xFF], SERVER, ControlFrameTooLong, 1002),
            ("pong in the 64-bit form", &[0x8A, 0x7F], CLIENT, ControlFrameTooLong, 1002),
            // The wrong mask bit for the receiving role.
            ("unmasked text to a server", &[0x81, 0x05], SERVER, UnmaskedFrame, 1002),
            ("masked text to a client", &[0x81, 0x85], CLIENT, MaskedFrame, 1002),
            ("unmasked ping to a server", &[0x89, 0x00], SERVER, UnmaskedFrame, 1002),
            // Lengths not in their minimal form.
            ("0 in the 16-bit form", &[0x82, 0x7E, 0x00, 0x00], CLIENT, NonMinimalLength, 1002),
            ("125 in the 16-bit form", &[0x82, 0x7E, 0x00, 0x7D], CLIENT, NonMinimalLength, 1002),
            ("126 in the 64-bit form", &[0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0x00, 0x7E], CLIENT, NonMinimalLength, 1002),
            ("65535 in the 64-bit form", &[0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF], CLIENT, NonMinimalLength, 1002),
            // A 64-bit length with its top bit set (2^63), judged from its first byte.
            ("a length of 2^63", &[0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0], CLIENT, LengthHighBitSet, 1002),
            ("a length's top bit from its first byte", &[0x82, 0x7F, 0xFF], CLIENT, LengthHighBitSet, 1002),
            // Over the caller's limit.
            ("1001 bytes over a limit of 1000", &[0x82, 0x7E, 0x03, 0xE9], limited, MessageTooBig, 1009),
            ("2^32 + 1 bytes over a limit of 1000", &[0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 1], limited, MessageTooBig, 1009),
        ];
        for &(name, bytes, opts, err, code) in cases {
            assert_eq!(
                FrameHeader::decode(bytes, &opts),
                Err(err),
                "{name}: {bytes:02x?}"
            );
            assert_eq!(err.close_code().as_u16(), code, "{name}");
        }
    }

    #[test]
    fn limit_is_inclusive() {
        let opts = DecodeOptions::new(Role::Client).max_payload_len(1000);
        let (header, _) = complete(&[0x82, 0x7E, 0x03, 0xE8], &opts);
        assert_eq!(header.payload_len, 1000);
    }

    #[test]
    fn length_that_does_not_fit_usize() {
        // 2^32 + 1: fine on a 64-bit target, too big to hold on a 32-bit one.
        let bytes = [0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 1];
        let result = FrameHeader::decode(&bytes, &CLIENT);
        if cfg!(target_pointer_width = "64") {
            assert_eq!(
                result.map(|s| s.map(|(h, _)| h.payload_len)),
                Ok(Status::Complete((1 << 32) + 1))
            );
        } else {
            assert_eq!(result, Err(ProtocolError::MessageTooBig));
        }
        // 2^63 - 1 is the largest length the wire allows.
        let bytes = [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        if cfg!(target_pointer_width = "64") {
            assert_eq!(complete(&bytes, &CLIENT).0.payload_len, u64::MAX >> 1);
        }
    }

    #[test]
    fn extensions_may_allow_rsv_bits() {
        let opts = DecodeOptions::new(Role::Client).allow_rsv(Rsv::RSV1);
        let (header, _) = complete(&[0xC1, 0x00], &opts);
        assert_eq!(header.rsv, Rsv::RSV1);
        assert_eq!(
            FrameHeader::decode(&[0xE1, 0x00], &opts),
            Err(ProtocolError::ReservedBits(0x20))
        );
    }

    #[test]
    fn encodes_into_a_buffer_that_holds_it_or_not_at_all() {
        for len in [0, 125, 126, 65536] {
            for mask in [None, Some(KEY)] {
                let mut header = FrameHeader::new(Opcode::Binary, len);
                header.mask = mask;
                let want = header.encode().unwrap();
                let n = header.encoded_len();
                let mut out = [0xAA; MAX_HEADER_LEN + 1];
                assert_eq!(header.encode_into(&mut out), n);
                assert_eq!(&out[..n], want.as_bytes());
                assert!(out[n..].iter().all(|&b| b == 0xAA), "{len} {mask:?}");
                let mut short = [0xAA; MAX_HEADER_LEN];
                assert_eq!(header.encode_into(&mut short[..n - 1]), 0);
                assert_eq!(short, [0xAA; MAX_HEADER_LEN]);
            }
        }
    }

    #[test]
    fn minimal_encoding_at_every_boundary() {
        #[rustfmt::skip]
        let cases: &[(u64, &[u8])] = &[
            (0, &[0x82, 0x00]),
            (1, &[0x82, 0x01]),
            (125, &[0x82, 0x7D]),
            (126, &[0x82, 0x7E, 0x00, 0x7E]),
            (127, &[0x82, 0x7E, 0x00, 0x7F]),
            (128, &[0x82, 0x7E, 0x00, 0x80]),
            (65535, &[0x82, 0x7E, 0xFF, 0xFF]),
            (65536, &[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]),
            ((1 << 32) + 1, &[0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 1]),
            (u64::MAX >> 1, &[0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ];
        for &(len, bytes) in cases {
            let header = FrameHeader::new(Opcode::Binary, len);
            assert_eq!(header.encode().unwrap().as_bytes(), bytes, "{len}");
            assert_eq!(header.encoded_len(), bytes.len());
            if usize::try_from(len).is_ok() {
                assert_eq!(complete(bytes, &CLIENT), (header, bytes.len()));
                // And masked, for a server.
                let masked = header.with_mask(KEY).with_fin(false);
                let encoded = masked.encode().unwrap();
                assert_eq!(encoded.as_bytes().len(), bytes.len() + 4);
                assert_eq!(
                    complete(encoded.as_bytes(), &SERVER),
                    (masked, bytes.len() + 4)
                );
                assert_prefixes_partial(encoded.as_bytes(), bytes.len() + 4, &SERVER);
            }
        }
    }

    #[test]
    fn encode_refuses_invalid_headers() {
        use ProtocolError::*;
        let cases = [
            (FrameHeader::new(Opcode::Ping, 126), ControlFrameTooLong),
            (
                FrameHeader::new(Opcode::Close, 0).with_fin(false),
                FragmentedControlFrame,
            ),
            (FrameHeader::new(Opcode::Binary, 1 << 63), LengthHighBitSet),
        ];
        for (header, err) in cases {
            assert_eq!(header.encode(), Err(err));
        }
        assert!(FrameHeader::new(Opcode::Pong, 125).encode().is_ok());
    }

    #[test]
    fn every_first_two_bytes() {
        use ProtocolError::*;
        // All 65,536 two-byte beginnings: no panic, and the outcome is the
        // one the rules give, checked in the order section 5.2 lists them.
        for b0 in 0..=255u8 {
            for b1 in 0..=255u8 {
                for opts in [SERVER, CLIENT] {
                    let result = FrameHeader::decode(&[b0, b1], &opts);
                    let masked = b1 & 0x80 != 0;
                    let expected = match Opcode::from_u8(b0 & 0x0F) {
                        _ if b0 & 0x70 != 0 => Err(ReservedBits(b0 & 0x70)),
                        Err(e) => Err(e),
                        Ok(op) if op.is_control() && b0 & 0x80 == 0 => Err(FragmentedControlFrame),
                        Ok(_) if masked && !opts.role().expects_masked() => Err(MaskedFrame),
                        Ok(_) if !masked && opts.role().expects_masked() => Err(UnmaskedFrame),
                        Ok(op) if op.is_control() && b1 & 0x7F > 125 => Err(ControlFrameTooLong),
                        Ok(_) => Ok(()),
                    };
                    assert_eq!(result.map(|_| ()), expected, "{b0:02x} {b1:02x} {opts:?}");
                    if let Ok(Status::Complete((header, len))) = result {
                        assert_eq!(len, 2);
                        assert_eq!(header.encode().unwrap().as_bytes(), &[b0, b1]);
                    }
                }
            }
        }
    }

    #[test]
    fn opcodes() {
        for value in 0..=15u8 {
            match Opcode::from_u8(value) {
                Ok(op) => {
                    assert_eq!(op.as_u8(), value);
                    assert_eq!(op.is_control(), value >= 8);
                }
                Err(e) => {
                    assert!(matches!(value, 0x3..=0x7 | 0xB..=0xF));
                    assert_eq!(e, ProtocolError::ReservedOpcode(value));
                }
            }
        }
    }
}
