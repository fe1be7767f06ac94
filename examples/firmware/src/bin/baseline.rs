//! Everything the two WebSocket programs have but the WebSocket: the
//! runtime, the UART set up, logging over semihosting, the stack report.
//! Its size, subtracted from theirs, is what hybi and the programs' own
//! logic cost.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use embedded_io::Write;
use hybi_firmware::{UART0, Uart, exit, log, report_memory};

#[entry]
fn main() -> ! {
    log!("baseline: lm3s6965evb, no WebSocket");
    let mut uart = Uart::new(UART0);
    let ok = uart.flush().is_ok();
    report_memory(0, 0);
    exit(ok)
}
