//! `Utf8Validator` against the standard library's decoder, on arbitrary
//! bytes fed in chunks: the first byte of the input is the chunk size (0:
//! the whole text in one feed), the rest is the text. The fuzz crate turns
//! on hybi's `simdutf8` feature, so whole chunks go through simdutf8's SIMD
//! code (AVX2 or SSE 4.2, picked at run time) under the sanitizer.
//!
//! Invariants: the text is accepted exactly when `core::str::from_utf8`
//! accepts it; the first `feed` that fails is the one holding the first byte
//! after which the text can no longer be valid, and one that ends inside a
//! code point fails only at `finish`; after every feed, `pending_len` is the
//! unfinished code point at the end of the text so far.

#![no_main]

use hybi::utf8::Utf8Validator;
use libfuzzer_sys::fuzz_target;

/// The index of the first byte after which `text` cannot be valid UTF-8,
/// by the standard library: it lies within the 4 bytes from where the valid
/// prefix ends. `None` for valid text or text cut short at its end.
fn fail_index(text: &[u8]) -> Option<usize> {
    let start = core::str::from_utf8(text).err()?.valid_up_to();
    (start..text.len().min(start + 4)).find(
        |&i| matches!(core::str::from_utf8(&text[start..=i]), Err(e) if e.error_len().is_some()),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, text)) = data.split_first() else {
        return;
    };
    let size = if size == 0 {
        text.len().max(1)
    } else {
        size.into()
    };
    let fail = fail_index(text);
    let mut validator = Utf8Validator::new();
    let mut fed = 0;
    for (n, chunk) in text.chunks(size).enumerate() {
        let result = validator.feed(chunk);
        fed += chunk.len();
        match fail {
            Some(at) if at < fed => {
                assert!(result.is_err(), "chunk {n} of {size} holds byte {at}");
                return;
            }
            _ => assert!(
                result.is_ok(),
                "chunk {n} of {size}, first bad byte {fail:?}"
            ),
        }
        let unfinished = match core::str::from_utf8(&text[..fed]) {
            Ok(_) => 0,
            Err(e) => fed - e.valid_up_to(),
        };
        assert_eq!(
            validator.pending_len(),
            unfinished,
            "after chunk {n} of {size}"
        );
    }
    assert_eq!(fail, None);
    assert_eq!(
        validator.finish().is_ok(),
        core::str::from_utf8(text).is_ok()
    );
});
