//! Parses the request and the response head with `httparse`.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use httparse::{EMPTY_HEADER, Header, Request, Response, Status};
use hybi_size_http::{HEADERS, heads, idle, report};

#[entry]
fn main() -> ! {
    let (request, response) = heads();

    let mut headers = [EMPTY_HEADER; HEADERS];
    let mut head = Request::new(&mut headers);
    match head.parse(request) {
        Ok(Status::Complete(len)) => {
            report(len);
            report(head.method.unwrap_or_default().len());
            report(head.path.unwrap_or_default().len());
            report(head.version.unwrap_or_default());
            fields(head.headers);
        }
        Ok(Status::Partial) => report(0),
        Err(err) => report(err),
    }

    let mut headers = [EMPTY_HEADER; HEADERS];
    let mut head = Response::new(&mut headers);
    match head.parse(response) {
        Ok(Status::Complete(len)) => {
            report(len);
            report(head.version.unwrap_or_default());
            report(head.code.unwrap_or_default());
            report(head.reason.unwrap_or_default().len());
            fields(head.headers);
        }
        Ok(Status::Partial) => report(0),
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
