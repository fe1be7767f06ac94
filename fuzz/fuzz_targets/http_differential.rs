//! `hybi::http` against `httparse` on arbitrary bytes, as a request and as
//! a response. The first byte picks the number of header slots (1 to 64).
//!
//! hybi may be stricter, never more lenient: httparse rejects => hybi
//! rejects; hybi complete => httparse complete with the same length,
//! method, target, version, status, reason and fields (values compared
//! without surrounding whitespace); hybi partial => httparse partial.

#![no_main]

use hybi::Status;
use hybi::http::{self, EMPTY_HEADER};
use libfuzzer_sys::fuzz_target;

fn trim(value: &[u8]) -> &[u8] {
    let start = value
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &value[start..end]
}

fn same_headers(ours: &[http::Header<'_>], theirs: &[httparse::Header<'_>]) {
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(theirs) {
        assert_eq!(o.name, t.name);
        assert_eq!(o.value, trim(o.value), "value not trimmed");
        assert_eq!(o.value, trim(t.value));
    }
}

/// The verdicts agree as far as they must.
fn agree<T>(ours: &Result<Status<T>, http::HttpError>, theirs: &httparse::Result<usize>) {
    match (ours, theirs) {
        (Err(_), _) => {}
        (Ok(_), Err(e)) => panic!("httparse rejects ({e:?}), hybi does not"),
        (Ok(Status::Partial(n)), Ok(httparse::Status::Partial)) => assert!(*n >= 1),
        (Ok(Status::Complete(_)), Ok(httparse::Status::Complete(_))) => {}
        (Ok(Status::Partial(_)), Ok(httparse::Status::Complete(_))) => {
            panic!("hybi partial, httparse complete")
        }
        (Ok(Status::Complete(_)), Ok(httparse::Status::Partial)) => {
            panic!("hybi complete, httparse partial")
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    let slots = 1 + usize::from(sel % 64);

    let mut ours_headers = [EMPTY_HEADER; 64];
    let ours = http::parse_request(input, &mut ours_headers[..slots]);
    let mut theirs_headers = [httparse::EMPTY_HEADER; 64];
    let mut theirs = httparse::Request::new(&mut theirs_headers[..slots]);
    let result = theirs.parse(input);
    agree(&ours, &result);
    if let (Ok(Status::Complete((head, len))), Ok(httparse::Status::Complete(their_len))) =
        (&ours, &result)
    {
        assert_eq!(len, their_len);
        assert_eq!(Some(head.method), theirs.method);
        assert_eq!(Some(head.target), theirs.path);
        assert_eq!(Some(head.minor_version), theirs.version);
        same_headers(head.headers, theirs.headers);
    }

    let mut ours_headers = [EMPTY_HEADER; 64];
    let ours = http::parse_response(input, &mut ours_headers[..slots]);
    let mut theirs_headers = [httparse::EMPTY_HEADER; 64];
    let mut theirs = httparse::Response::new(&mut theirs_headers[..slots]);
    let result = theirs.parse(input);
    agree(&ours, &result);
    if let (Ok(Status::Complete((head, len))), Ok(httparse::Status::Complete(their_len))) =
        (&ours, &result)
    {
        assert_eq!(len, their_len);
        assert_eq!(Some(head.minor_version), theirs.version);
        assert_eq!(Some(head.status), theirs.code);
        // httparse reports a reason with obs-text in it as empty.
        let reason = if head.reason.is_ascii() {
            head.reason
        } else {
            b""
        };
        assert_eq!(Some(reason), theirs.reason.map(str::as_bytes));
        same_headers(head.headers, theirs.headers);
    }
});
