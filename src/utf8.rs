//! Incremental UTF-8 validation (RFC 6455 sections 5.6 and 8.1; UTF-8 as
//! defined by RFC 3629).
//!
//! The payload of a text message must be valid UTF-8, but a message may be
//! fragmented across frames and a frame read in pieces, and a code point may
//! be split at any of those boundaries. [`Utf8Validator`] carries the
//! unfinished code point (at most 3 bytes) from one piece to the next.
//!
//! Section 8.1 asks an endpoint to fail the connection as soon as text is
//! found to be invalid, so the validator fails *fast*: at the first byte
//! after which no continuation could make the text valid (an overlong form,
//! a surrogate, a code point above U+10FFFF, a byte that can never appear,
//! a sequence cut short by a byte that cannot continue it), not at the end
//! of the message. A sequence still cut short when the message ends is
//! reported by [`Utf8Validator::finish`]. Errors are
//! [`ProtocolError::InvalidUtf8`], close code 1007.
//!
//! ```
//! use hybi::utf8::Utf8Validator;
//! use hybi::ProtocolError;
//!
//! // "€" (E2 82 AC) split across two frames.
//! let mut text = Utf8Validator::new();
//! text.feed(b"price: \xe2\x82")?;
//! assert!(text.is_incomplete());
//! text.feed(b"\xac 5")?;
//! text.finish()?;
//!
//! // A surrogate (ED A0 80) fails at its second byte.
//! assert_eq!(text.feed(b"\xed\xa0"), Err(ProtocolError::InvalidUtf8));
//! # Ok::<(), ProtocolError>(())
//! ```

use crate::ProtocolError;

/// An incremental UTF-8 validator: carries an unfinished code point across
/// chunks and frames, and fails at the first byte after which the input can
/// no longer be valid UTF-8 (fail-fast), not at the end of the message.
///
/// Four bytes: the up to 3 bytes of an unfinished code point and their
/// count. Validation of whole chunks runs at the speed of
/// [`core::str::from_utf8`] (or of `simdutf8` with the feature of that
/// name); a code point split between chunks is completed in a 4-byte
/// buffer and checked by the same function.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Utf8Validator {
    /// Bytes of the unfinished code point seen so far, 0 to 3.
    held: u8,
    /// Those bytes, at the front.
    bytes: [u8; 3],
}

impl Utf8Validator {
    /// A validator at the start of a message.
    pub const fn new() -> Self {
        Utf8Validator {
            held: 0,
            bytes: [0; 3],
        }
    }

    /// Validates the next chunk. Err(ProtocolError::InvalidUtf8) as soon as
    /// the chunk contains a byte after which no continuation could make the
    /// text valid. After an error the validator's state is unspecified until
    /// [`reset`](Self::reset).
    ///
    /// A chunk may be empty, and may start or end anywhere, including inside
    /// a code point.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ProtocolError> {
        let mut rest = chunk;
        let held = self.pending_len();
        // The unfinished code point, completed (or not) by the first bytes
        // of this chunk: at most 4 bytes, the longest code point.
        let [a, b, c] = self.bytes;
        let mut buf = [a, b, c, 0];
        if held > 0 {
            let mut len = held;
            for &byte in chunk.iter().take(4usize.saturating_sub(held)) {
                if let Some(slot) = buf.get_mut(len) {
                    *slot = byte;
                }
                len += 1;
            }
            let joined = buf.get(..len).unwrap_or_default();
            let taken = len - held;
            rest = match scan(joined) {
                // Still unfinished: the chunk is all in `joined`.
                Scan::Unfinished(0) => joined,
                // Finished, at a character boundary past `held`.
                Scan::Unfinished(at) => chunk.get(at.saturating_sub(held)..).unwrap_or_default(),
                Scan::Valid => chunk.get(taken..).unwrap_or_default(),
                Scan::Invalid => return Err(ProtocolError::InvalidUtf8),
            };
        }
        // The state is rebuilt whole, so that equal states compare equal.
        *self = Utf8Validator::new();
        match scan(rest) {
            Scan::Valid => Ok(()),
            // The tail is the valid start of a code point: keep it.
            Scan::Unfinished(at) => {
                let tail = rest.get(at..).unwrap_or_default();
                if let Some(dest) = self.bytes.get_mut(..tail.len()) {
                    dest.copy_from_slice(tail);
                }
                self.held = tail.len() as u8;
                Ok(())
            }
            Scan::Invalid => Err(ProtocolError::InvalidUtf8),
        }
    }

    /// Ends the message: Err(ProtocolError::InvalidUtf8) if it stopped in the
    /// middle of a code point. Resets the validator for the next message
    /// either way.
    pub fn finish(&mut self) -> Result<(), ProtocolError> {
        let result = if self.is_incomplete() {
            Err(ProtocolError::InvalidUtf8)
        } else {
            Ok(())
        };
        self.reset();
        result
    }

    /// Whether the input so far ends inside a code point.
    pub const fn is_incomplete(&self) -> bool {
        self.held != 0
    }

    /// How many bytes at the end of the input so far belong to an
    /// unfinished code point (0 to 3): a chunk handed on as text must stop
    /// before them.
    pub const fn pending_len(&self) -> usize {
        self.held as usize
    }

    /// Forgets any partial code point.
    pub fn reset(&mut self) {
        *self = Utf8Validator::new();
    }
}

/// What a whole-chunk validation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// All valid UTF-8.
    Valid,
    /// Valid up to this index, where a code point starts that the chunk
    /// ends before finishing.
    Unfinished(usize),
    /// Not UTF-8, whatever follows.
    Invalid,
}

/// Validates a chunk that starts on a character boundary: with
/// [`core::str::from_utf8`], or with the `simdutf8` feature by its SIMD
/// version of the same function (same results, `compat` flavour).
///
/// Not inlined: `feed` calls it twice, and two inlined copies of the
/// validation loop made text with many multi-byte characters about 25%
/// slower to validate on x86-64 (`dev/benches/decode.rs`, `text-utf8`).
#[inline(never)]
fn scan(bytes: &[u8]) -> Scan {
    #[cfg(feature = "simdutf8")]
    let result = simdutf8::compat::from_utf8(bytes);
    #[cfg(not(feature = "simdutf8"))]
    let result = core::str::from_utf8(bytes);
    match result {
        Ok(_) => Scan::Valid,
        Err(e) if e.error_len().is_none() => Scan::Unfinished(e.valid_up_to()),
        Err(_) => Scan::Invalid,
    }
}

/// `bytes` as text if they are valid UTF-8: [`core::str::from_utf8`], or
/// with the `simdutf8` feature the SIMD validator of that crate.
pub(crate) fn to_str(bytes: &[u8]) -> Result<&str, ProtocolError> {
    #[cfg(feature = "simdutf8")]
    let result = simdutf8::basic::from_utf8(bytes).ok();
    #[cfg(not(feature = "simdutf8"))]
    let result = core::str::from_utf8(bytes).ok();
    result.ok_or(ProtocolError::InvalidUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAD: Result<(), ProtocolError> = Err(ProtocolError::InvalidUtf8);

    /// The index of the first byte after which `s` can no longer be valid
    /// UTF-8, by the standard library's own decoder.
    fn oracle_fail(s: &[u8]) -> Option<usize> {
        (0..s.len())
            .find(|&i| matches!(core::str::from_utf8(&s[..=i]), Err(e) if e.error_len().is_some()))
    }

    /// Feeds `s` one byte at a time: the index of the first byte whose
    /// `feed` failed, or `None` and whether `finish` succeeded.
    fn byte_by_byte(s: &[u8]) -> Result<bool, usize> {
        let mut v = Utf8Validator::new();
        for (i, byte) in s.iter().enumerate() {
            if v.feed(core::slice::from_ref(byte)).is_err() {
                return Err(i);
            }
        }
        Ok(v.finish().is_ok())
    }

    /// Feeds `s` in chunks of `size`: the first error, or the result of
    /// `finish`, and the index of the chunk that failed.
    fn chunked(s: &[u8], size: usize) -> (Result<(), ProtocolError>, Option<usize>) {
        let mut v = Utf8Validator::new();
        for (n, chunk) in s.chunks(size).enumerate() {
            if let Err(e) = v.feed(chunk) {
                return (Err(e), Some(n));
            }
        }
        (v.finish(), None)
    }

    fn whole(s: &[u8]) -> Result<(), ProtocolError> {
        let mut v = Utf8Validator::new();
        v.feed(s)?;
        v.finish()
    }

    /// Checks the validator against the oracle for one string.
    fn check_oracle(s: &[u8]) {
        let expect = match oracle_fail(s) {
            Some(i) => Err(i),
            None => Ok(core::str::from_utf8(s).is_ok()),
        };
        assert_eq!(byte_by_byte(s), expect, "{s:02x?}");
        let expect_whole = if expect == Ok(true) { Ok(()) } else { BAD };
        assert_eq!(whole(s), expect_whole, "{s:02x?}");
        // Two chunks, split anywhere, agree with one.
        for split in 1..s.len() {
            let (a, b) = s.split_at(split);
            let mut v = Utf8Validator::new();
            let got = v.feed(a).and_then(|()| v.feed(b)).and_then(|()| v.finish());
            assert_eq!(got, expect_whole, "{a:02x?} {b:02x?}");
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "inputs shorter than a SIMD block run no unsafe code")]
    fn oracle_all_one_and_two_byte_strings() {
        for a in 0..=255u8 {
            check_oracle(&[a]);
            for b in 0..=255u8 {
                check_oracle(&[a, b]);
            }
        }
    }

    /// Bytes at the edges of every class: ASCII, continuation subranges,
    /// illegal leads, and each kind of lead byte.
    const INTERESTING: [u8; 27] = [
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
        0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF,
    ];

    const FEW: [u8; 14] = [
        0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5,
    ];

    #[test]
    #[cfg_attr(miri, ignore = "inputs shorter than a SIMD block run no unsafe code")]
    fn oracle_three_byte_strings() {
        for a in INTERESTING {
            for b in INTERESTING {
                for c in INTERESTING {
                    check_oracle(&[a, b, c]);
                }
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "inputs shorter than a SIMD block run no unsafe code")]
    fn oracle_four_byte_strings() {
        for a in FEW {
            for b in FEW {
                for c in FEW {
                    for d in FEW {
                        check_oracle(&[a, b, c, d]);
                    }
                }
            }
        }
    }

    /// How a string fed one byte at a time ends.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Expect {
        /// Every byte and `finish` succeed.
        Valid,
        /// Every byte succeeds; `finish` fails.
        Truncated,
        /// The byte at this index fails.
        FailsAt(usize),
    }
    use Expect::*;

    /// Markus Kuhn's UTF-8 decoder stress test, and more.
    const STRESS: &[(&str, &[u8], Expect)] = &[
        // Boundaries of each sequence length.
        ("U+0000", b"\x00", Valid),
        ("U+007F", b"\x7f", Valid),
        ("U+0080", b"\xc2\x80", Valid),
        ("U+07FF", b"\xdf\xbf", Valid),
        ("U+0800", b"\xe0\xa0\x80", Valid),
        ("U+D7FF", b"\xed\x9f\xbf", Valid),
        ("U+E000", b"\xee\x80\x80", Valid),
        ("U+FFFD", b"\xef\xbf\xbd", Valid),
        ("U+FFFE", b"\xef\xbf\xbe", Valid),
        ("U+FFFF", b"\xef\xbf\xbf", Valid),
        ("U+10000", b"\xf0\x90\x80\x80", Valid),
        ("U+10FFFF", b"\xf4\x8f\xbf\xbf", Valid),
        // Overlong forms.
        ("overlong NUL, 2 bytes", b"\xc0\x80", FailsAt(0)),
        ("overlong U+007F, 2 bytes", b"\xc1\xbf", FailsAt(0)),
        ("overlong NUL, 3 bytes", b"\xe0\x80\x80", FailsAt(1)),
        ("overlong U+07FF, 3 bytes", b"\xe0\x9f\xbf", FailsAt(1)),
        ("overlong NUL, 4 bytes", b"\xf0\x80\x80\x80", FailsAt(1)),
        ("overlong U+FFFF, 4 bytes", b"\xf0\x8f\xbf\xbf", FailsAt(1)),
        ("overlong '/', 2 bytes", b"\xc0\xaf", FailsAt(0)),
        ("overlong '/', 3 bytes", b"\xe0\x80\xaf", FailsAt(1)),
        ("overlong '/', 4 bytes", b"\xf0\x80\x80\xaf", FailsAt(1)),
        ("overlong '/', 5 bytes", b"\xf8\x80\x80\x80\xaf", FailsAt(0)),
        (
            "overlong '/', 6 bytes",
            b"\xfc\x80\x80\x80\x80\xaf",
            FailsAt(0),
        ),
        // Surrogates.
        ("U+D800", b"\xed\xa0\x80", FailsAt(1)),
        ("U+DB7F", b"\xed\xad\xbf", FailsAt(1)),
        ("U+DC00", b"\xed\xb0\x80", FailsAt(1)),
        ("U+DFFF", b"\xed\xbf\xbf", FailsAt(1)),
        ("surrogate pair", b"\xed\xa0\x80\xed\xb0\x80", FailsAt(1)),
        ("surrogate after text", b"ab\xed\xa0\x80", FailsAt(3)),
        // Above U+10FFFF.
        ("U+110000", b"\xf4\x90\x80\x80", FailsAt(1)),
        ("U+13FFFF", b"\xf4\xbf\xbf\xbf", FailsAt(1)),
        ("lead F5", b"\xf5\x80\x80\x80", FailsAt(0)),
        ("lead F7", b"\xf7\xbf\xbf\xbf", FailsAt(0)),
        ("5-byte form", b"\xf8\x88\x80\x80\x80", FailsAt(0)),
        ("6-byte form", b"\xfc\x84\x80\x80\x80\x80", FailsAt(0)),
        // Bytes that never appear.
        ("C0 alone", b"\xc0", FailsAt(0)),
        ("C1 after text", b"abc\xc1", FailsAt(3)),
        ("F5 after text", b"a\xf5", FailsAt(1)),
        ("FE", b"\xfe", FailsAt(0)),
        ("FF", b"\xff", FailsAt(0)),
        ("FE FE FF FF", b"\xfe\xfe\xff\xff", FailsAt(0)),
        ("FF after valid", b"\xc2\xa2\xff", FailsAt(2)),
        // Lone and extra continuation bytes.
        ("lone 80", b"\x80", FailsAt(0)),
        ("lone BF", b"\xbf", FailsAt(0)),
        ("80 after text", b"a\x80", FailsAt(1)),
        ("two continuations", b"\x80\xbf", FailsAt(0)),
        ("extra after 2-byte", b"\xc2\xa2\x80", FailsAt(2)),
        ("extra after 3-byte", b"\xe2\x82\xac\xbf", FailsAt(3)),
        ("extra after 4-byte", b"\xf0\x90\x8d\x88\x80", FailsAt(4)),
        // Truncated at the end of the message.
        ("C2 at end", b"\xc2", Truncated),
        ("E2 at end", b"\xe2", Truncated),
        ("E2 82 at end", b"\xe2\x82", Truncated),
        ("F0 at end", b"\xf0", Truncated),
        ("F0 9F at end", b"\xf0\x9f", Truncated),
        ("F0 9F 98 at end", b"\xf0\x9f\x98", Truncated),
        ("F4 8F BF at end", b"\xf4\x8f\xbf", Truncated),
        ("text then E2 82", b"abc\xe2\x82", Truncated),
        ("valid then F0 90", b"\xc2\xa2\xf0\x90", Truncated),
        // Truncated, then ASCII.
        ("C2 then A", b"\xc2A", FailsAt(1)),
        ("E2 then A", b"\xe2A", FailsAt(1)),
        ("E2 82 then A", b"\xe2\x82A", FailsAt(2)),
        ("F0 9F then A", b"\xf0\x9fA", FailsAt(2)),
        ("F0 9F 98 then A", b"\xf0\x9f\x98A", FailsAt(3)),
        ("text, E2 82, space", b"x\xe2\x82 y", FailsAt(3)),
        // Truncated, then a new lead byte.
        ("C2 then C2 A2", b"\xc2\xc2\xa2", FailsAt(1)),
        ("E2 82 then E2", b"\xe2\x82\xe2", FailsAt(2)),
        ("F0 then F0", b"\xf0\xf0", FailsAt(1)),
    ];

    #[test]
    fn stress_table() {
        for &(name, bytes, expect) in STRESS {
            let got = match byte_by_byte(bytes) {
                Ok(true) => Valid,
                Ok(false) => Truncated,
                Err(i) => FailsAt(i),
            };
            assert_eq!(got, expect, "{name}: {bytes:02x?}");
            // The table agrees with the standard library.
            let oracle = match oracle_fail(bytes) {
                Some(i) => FailsAt(i),
                None if core::str::from_utf8(bytes).is_ok() => Valid,
                None => Truncated,
            };
            assert_eq!(oracle, expect, "{name}: {bytes:02x?}");
            // Fed whole, only Valid passes.
            let expect_whole = if expect == Valid { Ok(()) } else { BAD };
            assert_eq!(whole(bytes), expect_whole, "{name}");
        }
    }

    #[test]
    fn truncated_fails_at_finish_not_feed() {
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(b"ok \xf0\x9f\x98"), Ok(()));
        assert!(v.is_incomplete());
        assert_eq!(v.finish(), BAD);
        assert!(!v.is_incomplete());
        assert_eq!(v, Utf8Validator::new());
    }

    const VALID: &[&str] = &[
        "",
        "$",
        "¢",
        "€",
        "𐍈",
        "\u{10FFFF}",
        "\u{FFFF}",
        "\u{E000}",
        "\u{D7FF}",
        "κόσμε",
        "Hello-µ@ßöäüàá-UTF-8!!",
        "a€b𐍈c¢d\u{10FFFF}",
        "€€𐍈𐍈¢¢€𐍈¢\u{10FFFF}€",
    ];

    #[test]
    fn valid_text_split_at_every_position() {
        for text in VALID {
            let bytes = text.as_bytes();
            for split in 0..=bytes.len() {
                let (a, b) = bytes.split_at(split);
                let mut v = Utf8Validator::new();
                assert_eq!(v.feed(a), Ok(()), "{text:?} at {split}");
                assert_eq!(v.is_incomplete(), !text.is_char_boundary(split));
                assert_eq!(v.feed(b), Ok(()), "{text:?} at {split}");
                assert!(!v.is_incomplete());
                assert_eq!(v.finish(), Ok(()), "{text:?} at {split}");
            }
        }
    }

    #[test]
    fn valid_text_one_byte_at_a_time() {
        for text in VALID {
            let mut v = Utf8Validator::new();
            for (i, byte) in text.as_bytes().iter().enumerate() {
                assert_eq!(v.feed(&[*byte]), Ok(()), "{text:?} byte {i}");
                assert_eq!(v.is_incomplete(), !text.is_char_boundary(i + 1));
                // Empty chunks change nothing.
                let before = v;
                assert_eq!(v.feed(b""), Ok(()));
                assert_eq!(v, before);
            }
            assert_eq!(v.finish(), Ok(()), "{text:?}");
        }
    }

    #[test]
    fn valid_text_split_in_three() {
        // A 4-byte character split across three chunks, every way.
        let bytes = "x𐍈y".as_bytes();
        for i in 0..=bytes.len() {
            for j in i..=bytes.len() {
                let mut v = Utf8Validator::new();
                assert_eq!(v.feed(&bytes[..i]), Ok(()));
                assert_eq!(v.feed(&bytes[i..j]), Ok(()));
                assert_eq!(v.feed(&bytes[j..]), Ok(()));
                assert_eq!(v.finish(), Ok(()), "{i} {j}");
            }
        }
    }

    /// A longer input: 8 copies of a mixed string, 256 bytes.
    fn long_text() -> [u8; 256] {
        let unit = "a€b𐍈cκόσμε¢d\u{10FFFF}.xyz!".as_bytes();
        assert_eq!(unit.len(), 32);
        let mut out = [0u8; 256];
        for chunk in out.chunks_mut(32) {
            chunk.copy_from_slice(unit);
        }
        out
    }

    #[test]
    fn chunked_equals_whole() {
        let text = long_text();
        let mut broken = text;
        broken[200] = 0xff;
        let mut cut = text;
        cut[255] = 0xf0;
        let mut surrogate = text;
        surrogate[100..103].copy_from_slice(b"\xed\xbf\xbf");

        // (input, where byte-by-byte feeding fails)
        let mut inputs: [(&[u8], Option<usize>); 4] = [
            (&text, None),
            (&broken, Some(200)),
            (&cut, None),
            (&surrogate, Some(101)),
        ];
        for (input, fail) in &mut inputs {
            assert_eq!(oracle_fail(input), *fail);
        }
        let stress = STRESS
            .iter()
            .map(|&(_, bytes, _)| (bytes, oracle_fail(bytes)));
        for (input, fail) in inputs.into_iter().chain(stress) {
            let expect = whole(input);
            for size in 1..=17 {
                let (got, at) = chunked(input, size);
                assert_eq!(got, expect, "{input:02x?} in chunks of {size}");
                // The chunk that fails is the one holding the bad byte.
                assert_eq!(at, fail.map(|i| i / size), "{input:02x?} size {size}");
            }
        }
        assert_eq!(whole(&text), Ok(()));
        assert_eq!(whole(&cut), BAD);
    }

    /// The index of the first byte after which `s` can no longer be valid,
    /// found from the standard library's error: it lies in the up to 4
    /// bytes from where the valid prefix ends.
    fn fail_index(s: &[u8]) -> Option<usize> {
        let start = core::str::from_utf8(s).err()?.valid_up_to();
        (start..s.len().min(start + 4)).find(
            |&i| matches!(core::str::from_utf8(&s[start..=i]), Err(e) if e.error_len().is_some()),
        )
    }

    /// Long inputs, where a SIMD validator (feature `simdutf8`) works in
    /// blocks rather than falling back to the byte loop: every position of
    /// 256 bytes of mixed text replaced by each interesting byte, fed whole
    /// and in chunks, agrees with the standard library; the chunk that fails
    /// is the one holding the first bad byte; `to_str` agrees too.
    ///
    /// Under Miri, which interprets the SIMD code thousands of times slower
    /// than it runs, only the positions at the edges of 64-byte blocks and
    /// the bytes in `FEW`.
    #[test]
    fn long_text_with_every_byte_replaced() {
        const BLOCK_EDGES: [usize; 7] = [0, 1, 63, 64, 127, 128, 255];
        let text = long_text();
        let positions = (0..text.len()).filter(|at| !cfg!(miri) || BLOCK_EDGES.contains(at));
        let bytes = INTERESTING
            .into_iter()
            .filter(|b| !cfg!(miri) || FEW.contains(b));
        for at in positions {
            for byte in bytes.clone() {
                let mut input = text;
                input[at] = byte;
                let valid = core::str::from_utf8(&input).is_ok();
                assert_eq!(to_str(&input).is_ok(), valid, "{at} {byte:#04x}");
                let fail = fail_index(&input);
                for size in [7, 64, 100, 256] {
                    let (got, chunk) = chunked(&input, size);
                    assert_eq!(got.is_ok(), valid, "{at} {byte:#04x} size {size}");
                    assert_eq!(
                        chunk,
                        fail.map(|i| i / size),
                        "{at} {byte:#04x} size {size}"
                    );
                }
            }
        }
        assert_eq!(fail_index(b"ab\xed\xa0\x80"), Some(3));
        assert_eq!(fail_index(b"ab\xe2\x82"), None);
        assert_eq!(fail_index(&long_text()), None);
    }

    #[test]
    fn finish_and_reset_start_clean() {
        let mut v = Utf8Validator::new();
        // Without a reset, a pending lead byte spoils the next byte.
        assert_eq!(v.feed(b"\xe2\x82"), Ok(()));
        assert_eq!(v.feed(b"a"), BAD);

        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(b"\xe2\x82"), Ok(()));
        assert_eq!(v.pending_len(), 2);
        v.reset();
        assert_eq!(v.pending_len(), 0);
        assert!(!v.is_incomplete());
        assert_eq!(v.feed(b"a"), Ok(()));
        assert_eq!(v.finish(), Ok(()));

        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(b"\xf0\x9f"), Ok(()));
        assert_eq!(v.finish(), BAD);
        assert_eq!(v.feed(b"\x98\x80"), BAD); // continuation with no lead
        v.reset();
        assert_eq!(v.feed("€".as_bytes()), Ok(()));
        assert_eq!(v.finish(), Ok(()));
        // finish on a clean validator is Ok, and leaves it clean.
        assert_eq!(v.finish(), Ok(()));
        assert_eq!(v, Utf8Validator::new());

        // After an error, reset gives a working validator.
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(b"\xf0\x9f\x98"), Ok(()));
        assert_eq!(v.feed(b"\xff"), BAD);
        v.reset();
        assert_eq!(v.feed(b"ok"), Ok(()));
        assert_eq!(v.finish(), Ok(()));
    }

    #[test]
    fn small_and_default() {
        assert_eq!(core::mem::size_of::<Utf8Validator>(), 4);
        assert_eq!(Utf8Validator::default(), Utf8Validator::new());
        assert!(!Utf8Validator::new().is_incomplete());
        // Equal states compare equal however they were reached.
        let mut a = Utf8Validator::new();
        let mut b = Utf8Validator::new();
        a.feed(b"\xf0\x9f\x98").unwrap();
        b.feed(b"xyz\xf0").unwrap();
        b.feed(b"\x9f").unwrap();
        b.feed(b"\x98").unwrap();
        assert_eq!(a, b);
        a.feed(b"\x80").unwrap();
        assert_eq!(a, Utf8Validator::new());
    }
}
