//! What the two firmware programs share: the UART as an `embedded-io`
//! transport, randomness for the client's masks, the stack high-water mark,
//! logging and exiting over semihosting, and the panic handler.
//!
//! The board is the Stellaris LM3S6965 evaluation board as QEMU emulates it
//! (`qemu-system-arm -machine lm3s6965evb`): a Cortex-M3, 256 KiB of flash,
//! 64 KiB of RAM, and UART0, an ARM PL011, at `0x4000_C000`. QEMU bridges
//! the UART to a TCP socket on the host, so the WebSocket bytes travel over
//! the serial line; the logs go over semihosting, never over the UART.
#![no_std]

use core::fmt;
use core::ptr;

use cortex_m_semihosting::debug;
use hybi::RandomSource;

/// Prints a line on the host over semihosting.
pub use cortex_m_semihosting::hprintln as log;

/// UART0 of the LM3S6965 (an ARM PL011).
pub const UART0: usize = 0x4000_c000;

/// PL011 registers, as offsets from the base address.
mod pl011 {
    /// Data: a byte to send, or a received byte with its error flags.
    pub const DR: usize = 0x000;
    /// Flags: FIFO states.
    pub const FR: usize = 0x018;
    /// Line control: word length and FIFO enable.
    pub const LCRH: usize = 0x02c;
    /// Control: UART, transmitter and receiver enable.
    pub const CTL: usize = 0x030;
    /// Integer and fractional baud rate divisors.
    pub const IBRD: usize = 0x024;
    pub const FBRD: usize = 0x028;

    /// FR: the receive FIFO is empty.
    pub const FR_RXFE: u32 = 1 << 4;
    /// FR: the transmit FIFO is full.
    pub const FR_TXFF: u32 = 1 << 5;
    /// FR: the UART is still sending.
    pub const FR_BUSY: u32 = 1 << 3;
    /// LCRH: 8 data bits, FIFOs on (16 bytes each way).
    pub const LCRH_8BIT_FIFO: u32 = (0b11 << 5) | (1 << 4);
    /// CTL: UART, TX and RX enabled.
    pub const CTL_ENABLE: u32 = 1 | (1 << 8) | (1 << 9);
    /// DR: overrun, break, parity and framing error flags.
    pub const DR_OE: u32 = 1 << 11;
    pub const DR_BE: u32 = 1 << 10;
    pub const DR_PE: u32 = 1 << 9;
    pub const DR_FE: u32 = 1 << 8;
}

/// A PL011 UART driven by polling, as an `embedded-io` byte stream.
pub struct Uart {
    base: usize,
}

impl Uart {
    /// Sets up the UART at `base` for 115200 baud, 8N1, FIFOs on.
    ///
    /// On the real chip the UART's clock (`SYSCTL RCGC1`) and its pins
    /// (GPIO port A, alternate function) must be switched on first; QEMU
    /// needs neither, and ignores the baud rate.
    ///
    /// `base` must be the address of a PL011 that nothing else drives.
    pub fn new(base: usize) -> Self {
        let uart = Uart { base };
        uart.write_reg(pl011::CTL, 0);
        // 115200 baud from a 50 MHz clock: 50e6 / (16 * 115200) = 27.127.
        uart.write_reg(pl011::IBRD, 27);
        uart.write_reg(pl011::FBRD, 8);
        uart.write_reg(pl011::LCRH, pl011::LCRH_8BIT_FIFO);
        uart.write_reg(pl011::CTL, pl011::CTL_ENABLE);
        uart
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `base` is a PL011 (see `new`), `offset` one of its
        // registers; MMIO needs volatile accesses.
        unsafe { ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`.
        unsafe { ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    fn rx_empty(&self) -> bool {
        self.read_reg(pl011::FR) & pl011::FR_RXFE != 0
    }

    /// One received byte, or the error the UART flagged with it.
    fn take_byte(&self) -> Result<u8, UartError> {
        let dr = self.read_reg(pl011::DR);
        if dr & pl011::DR_OE != 0 {
            Err(UartError::Overrun)
        } else if dr & pl011::DR_BE != 0 {
            Err(UartError::Break)
        } else if dr & pl011::DR_PE != 0 {
            Err(UartError::Parity)
        } else if dr & pl011::DR_FE != 0 {
            Err(UartError::Framing)
        } else {
            Ok(dr as u8)
        }
    }
}

/// A receive error the UART reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UartError {
    /// A byte arrived while the receive FIFO was full: bytes were lost.
    Overrun,
    /// The line was held low for longer than a character.
    Break,
    /// A parity error.
    Parity,
    /// A character without its stop bit.
    Framing,
}

impl fmt::Display for UartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            UartError::Overrun => "UART overrun",
            UartError::Break => "UART break",
            UartError::Parity => "UART parity error",
            UartError::Framing => "UART framing error",
        };
        f.write_str(what)
    }
}

impl core::error::Error for UartError {}

impl embedded_io::Error for UartError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = UartError;
}

impl embedded_io::Read for Uart {
    /// Waits for at least one byte, then takes whatever else the receive
    /// FIFO holds. A serial line has no end, so this never returns 0 for a
    /// non-empty `buf`.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.rx_empty() {}
        let mut n = 0;
        while n < buf.len() && !self.rx_empty() {
            buf[n] = self.take_byte()?;
            n += 1;
        }
        Ok(n)
    }
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        for &byte in buf {
            while self.read_reg(pl011::FR) & pl011::FR_TXFF != 0 {}
            self.write_reg(pl011::DR, u32::from(byte));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), UartError> {
        while self.read_reg(pl011::FR) & pl011::FR_BUSY != 0 {}
        Ok(())
    }
}

/// Masking keys and handshake nonces for the emulator: xorshift32 from a
/// fixed seed.
///
/// NOT FOR PRODUCTION. Its output is predictable, which defeats the
/// masking RFC 6455 section 10.3 requires of a client. The LM3S6965 has no
/// random number generator and QEMU offers no entropy to the guest, so the
/// emulated client uses this; on a real device use the chip's hardware RNG
/// instead, as [`HardwareRng`] shows.
pub struct XorShift32(u32);

impl XorShift32 {
    /// A generator from a non-zero seed.
    pub const fn new(seed: u32) -> Self {
        XorShift32(if seed == 0 { 0x9e37_79b9 } else { seed })
    }

    /// The next 32 bits.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

impl RandomSource for XorShift32 {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let word = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// Where a hardware random number generator plugs in: this is the whole of
/// it, a [`RandomSource`] that reads the peripheral. Written here for the
/// RNG of an STM32 (status register at +4 with `DRDY` in bit 0, 32 random
/// bits at +8; enable it and its clock first); other chips differ only in
/// the registers. Pass it to `WebSocket::client` in place of
/// [`XorShift32`]. The emulated board has no such peripheral, so the
/// programs here do not use it.
pub struct HardwareRng {
    base: usize,
}

impl HardwareRng {
    /// The RNG peripheral at `base`, already enabled.
    pub const fn new(base: usize) -> Self {
        HardwareRng { base }
    }

    fn next_u32(&mut self) -> u32 {
        // SAFETY: `base` is an enabled RNG peripheral (see `new`).
        unsafe {
            while ptr::read_volatile((self.base + 4) as *const u32) & 1 == 0 {}
            ptr::read_volatile((self.base + 8) as *const u32)
        }
    }
}

impl RandomSource for HardwareRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let word = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// How much of the stack the program has used so far, and its size, in
/// bytes.
///
/// At reset, before `main`, the runtime paints the whole stack region
/// (`_stack_end` up to `_stack_start`) with `STACK_PAINT_VALUE` (the
/// `paint-stack` feature of `cortex-m-rt`). The stack grows down from
/// `_stack_start`, so the lowest word that no longer holds the paint is the
/// deepest the stack has reached.
pub fn stack_usage() -> (usize, usize) {
    unsafe extern "C" {
        static _stack_start: u32;
        static _stack_end: u32;
    }
    let top = ptr::addr_of!(_stack_start) as usize;
    let bottom = ptr::addr_of!(_stack_end) as usize;
    let mut addr = bottom;
    // SAFETY: every word in `bottom..top` is RAM the stack may use, and
    // reading it changes nothing.
    while addr < top
        && unsafe { ptr::read_volatile(addr as *const u32) } == cortex_m_rt::STACK_PAINT_VALUE
    {
        addr += 4;
    }
    (top - addr, top - bottom)
}

/// Logs the stack high-water mark and the buffer sizes.
pub fn report_memory(rx: usize, tx: usize) {
    let (used, size) = stack_usage();
    log!("memory: read buffer {rx} B, write buffer {tx} B (static)");
    log!("memory: stack high-water mark {used} B of {size} B");
}

/// Ends the program with `status`; QEMU exits with 0 for success, 1 for
/// failure.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached without a debugger or emulator to stop the core.
    loop {
        cortex_m::asm::bkpt();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    log!("panic: {info}");
    exit(false)
}
