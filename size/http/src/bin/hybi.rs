//! Parses the request and the response head with `hybi::http`.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use hybi::Status;
use hybi::http::{EMPTY_HEADER, Header, parse_request, parse_response};
use hybi_size_http::{HEADERS, heads, idle, report};

#[entry]
fn main() -> ! {
    let (request, response) = heads();

    let mut headers = [EMPTY_HEADER; HEADERS];
    match parse_request(request, &mut headers) {
        Ok(Status::Complete((head, len))) => {
            report(len);
            report(head.method.len());
            report(head.target.len());
            report(head.minor_version);
            fields(head.headers);
        }
        Ok(Status::Partial(_)) => report(0),
        Err(err) => report(err),
    }

    let mut headers = [EMPTY_HEADER; HEADERS];
    match parse_response(response, &mut headers) {
        Ok(Status::Complete((head, len))) => {
            report(len);
            report(head.minor_version);
            report(head.status);
            report(head.reason.len());
            fields(head.headers);
        }
        Ok(Status::Partial(_)) => report(0),
        Err(err) => report(err),
    }

    idle()
}

fn fields(headers: &[Header<'_>]) {
    report(headers.len());
    for h in headers {
        report(h.name.len());
        report(h.value.len());
    }
}
