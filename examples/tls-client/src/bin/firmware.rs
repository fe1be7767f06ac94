//! The `no_std` wss:// client as firmware for the emulated LM3S6965
//! (`qemu-system-arm -machine lm3s6965evb`, a Cortex-M3 with 64 KiB of
//! RAM): TLS 1.3 and the WebSocket over the board's UART, which QEMU
//! connects to `echo_server --tls` on the host. Logs and the exit status go
//! over semihosting (`hybi_firmware`). The CA certificate it trusts is
//! compiled in: `HYBI_TLS_CA_DER=DIR/ca.der` at build time.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use hybi_firmware::{UART0, Uart, XorShift32, exit, log, report_memory};
use hybi_tls_client::{Buffers, RECORD_READ_LEN, RECORD_WRITE_LEN, echo_session};
use rand_core::{CryptoRng, RngCore};

/// The CA the server's certificate must chain to.
static CA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ca.der"));

/// The emulated board has no random number generator, so the TLS keys
/// come from a fixed-seed xorshift here: NOT FOR PRODUCTION, anyone can
/// compute them. On a device, wrap the hardware RNG the same way
/// (`hybi_firmware::HardwareRng`), or seed a CSPRNG from it.
struct EmulatorOnlyRng(XorShift32);

impl RngCore for EmulatorOnlyRng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        u64::from(self.0.next_u32()) << 32 | u64::from(self.0.next_u32())
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        hybi::RandomSource::fill_bytes(&mut self.0, dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

// A lie the emulator needs: see above.
impl CryptoRng for EmulatorOnlyRng {}

#[entry]
fn main() -> ! {
    log!("tls-client: lm3s6965evb, wss:// client on UART0");
    let buffers = cortex_m::singleton!(: Buffers = Buffers::new()).unwrap();
    let result = echo_session(
        Uart::new(UART0),
        EmulatorOnlyRng(XorShift32::new(0x6d2b_79f5)),
        XorShift32::new(0x2545_f491),
        CA,
        "localhost",
        "/",
        buffers,
        |line| log!("tls-client: {}", line),
    );
    let ok = match result {
        Ok(checked) => {
            log!("tls-client: ok, {checked} echoes checked, closed with 1000");
            true
        }
        Err(e) => {
            log!("tls-client: FAILED: {e}");
            false
        }
    };
    log!("memory: TLS records {RECORD_READ_LEN} B read, {RECORD_WRITE_LEN} B write (static)");
    report_memory(hybi_tls_client::WS_READ_LEN, hybi_tls_client::WS_WRITE_LEN);
    exit(ok)
}
