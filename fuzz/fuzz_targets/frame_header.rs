//! The frame header decoder, both roles. The first byte picks the options:
//! bit 0 the receiving role (server, client), bits 4-6 the RSV bits an
//! extension allows, bit 7 a payload limit taken from the second byte
//! (`byte * 1000`). The rest is the header.
//!
//! Invariants: a complete header obeys every rule the options set and
//! re-encodes to exactly the bytes it was decoded from (decoding accepts
//! only minimal lengths); every shorter prefix of it is partial, asking for
//! exactly the bytes still missing; an error stays the same error however
//! many bytes follow, and each prefix is partial or that same error; a
//! partial input completes or fails once the missing bytes arrive.

#![no_main]

use hybi::frame::{DecodeOptions, FrameHeader, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, Rsv};
use hybi::{Role, Status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, mut input)) = data.split_first() else {
        return;
    };
    let role = if sel & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    let mut opts = DecodeOptions::new(role).allow_rsv(Rsv::from_bits(sel));
    if sel & 0x80 != 0 {
        let Some((&limit, rest)) = input.split_first() else {
            return;
        };
        opts = opts.max_payload_len(u64::from(limit) * 1000);
        input = rest;
    }
    match FrameHeader::decode(input, &opts) {
        Ok(Status::Complete((header, len))) => {
            assert!((2..=MAX_HEADER_LEN).contains(&len) && len <= input.len());
            assert_eq!(len, header.encoded_len());
            let encoded = header.encode().expect("a decoded header encodes");
            assert_eq!(encoded.as_bytes(), &input[..len]);
            assert_eq!(header.mask.is_some(), role == Role::Server);
            assert!(opts.allowed_rsv().contains(header.rsv));
            assert!(header.payload_len <= opts.payload_limit());
            assert!(header.payload_len >> 63 == 0);
            assert!(usize::try_from(header.payload_len).is_ok());
            if header.opcode.is_control() {
                assert!(header.fin && header.payload_len <= MAX_CONTROL_PAYLOAD as u64);
            }
            for cut in 0..len {
                match FrameHeader::decode(&input[..cut], &opts) {
                    Ok(Status::Partial(n)) if cut >= 2 => assert_eq!(cut + n, len),
                    Ok(Status::Partial(n)) => assert!(n >= 1 && cut + n <= 2),
                    other => panic!("prefix {cut} of a valid header: {other:?}"),
                }
            }
            // Bytes after the header change nothing.
            let mut longer = input[..len].to_vec();
            longer.extend_from_slice(&[0xFF; 20]);
            assert_eq!(
                FrameHeader::decode(&longer, &opts),
                Ok(Status::Complete((header, len)))
            );
        }
        Ok(Status::Partial(n)) => {
            assert!(n >= 1 && input.len() + n <= MAX_HEADER_LEN);
            // Give it what it asks for, as often as it asks.
            let mut more = input.to_vec();
            let mut rounds = 0;
            loop {
                rounds += 1;
                assert!(rounds <= 3, "partial forever");
                match FrameHeader::decode(&more, &opts) {
                    Ok(Status::Partial(n)) => more.extend(core::iter::repeat_n(0x7E, n)),
                    _ => break,
                }
            }
        }
        Err(e) => {
            let code = e.close_code().as_u16();
            assert!(code == 1002 || code == 1009, "{e:?}");
            let mut longer = input.to_vec();
            longer.extend_from_slice(&[0u8; MAX_HEADER_LEN]);
            assert_eq!(FrameHeader::decode(&longer, &opts), Err(e));
            let mut seen_error = false;
            for cut in 0..input.len() {
                match FrameHeader::decode(&input[..cut], &opts) {
                    Ok(Status::Partial(_)) => assert!(!seen_error, "partial after an error"),
                    Err(other) => {
                        assert_eq!(other, e);
                        seen_error = true;
                    }
                    Ok(Status::Complete(_)) => panic!("a prefix of an invalid header is valid"),
                }
            }
        }
    }
});
