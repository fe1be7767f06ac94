//! The `no_std` wss:// client on the host, over a TCP socket:
//!
//! ```text
//! cargo run --features host --bin host -- 127.0.0.1:PORT localhost CA.der
//! ```
//!
//! connects to ADDR, opens TLS for HOST (the name the certificate must be
//! valid for), trusting the CA certificate in CA.der, and runs
//! `echo_session` against an echo server such as hybi's
//! `echo_server --tls`. Exits with 0 only if every echo matched.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use hybi_tls_client::{Buffers, echo_session};
use rand_core::{OsRng, RngCore};

/// A socket as an `embedded-io` 0.7 byte stream.
struct Socket(TcpStream);

impl embedded_io::ErrorType for Socket {
    type Error = embedded_io::ErrorKind;
}

/// The kind of an I/O error, as `embedded-io` names it.
fn kind(e: std::io::Error) -> embedded_io::ErrorKind {
    use embedded_io::ErrorKind as K;
    use std::io::ErrorKind as S;
    match e.kind() {
        S::TimedOut | S::WouldBlock => K::TimedOut,
        S::ConnectionReset => K::ConnectionReset,
        S::ConnectionAborted => K::ConnectionAborted,
        S::BrokenPipe => K::BrokenPipe,
        _ => K::Other,
    }
}

impl embedded_io::Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.0.read(buf).map_err(kind)
    }
}

impl embedded_io::Write for Socket {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.write(buf).map_err(kind)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Masking keys from the OS.
struct OsMasks;

impl hybi::RandomSource for OsMasks {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        OsRng.fill_bytes(dest);
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, host, ca] = &args[..] else {
        eprintln!("usage: host ADDR HOST CA.der");
        return ExitCode::from(2);
    };
    let ca = match std::fs::read(ca) {
        Ok(ca) => ca,
        Err(e) => {
            eprintln!("{ca}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let socket = match TcpStream::connect(addr) {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("connect to {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let timeout = Some(Duration::from_secs(20));
    let _ = socket.set_read_timeout(timeout);
    let _ = socket.set_write_timeout(timeout);
    let mut buffers = Box::new(Buffers::new());
    let result = echo_session(
        Socket(socket),
        OsRng,
        OsMasks,
        &ca,
        host,
        "/",
        &mut buffers,
        |line| println!("tls-client: {line}"),
    );
    match result {
        Ok(checked) => {
            println!("tls-client: ok, {checked} echoes checked, closed with 1000");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("tls-client: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
