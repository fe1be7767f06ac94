//! The skeleton alone: reads the heads and reports their lengths.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use hybi_size_http::{heads, idle, report};

#[entry]
fn main() -> ! {
    let (request, response) = heads();
    report(request.len());
    report(response.len());
    idle()
}
