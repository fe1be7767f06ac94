//! `embedded-io` over `std::io`: the adapter that lets a [`WebSocket`]
//! run on any blocking std stream (a `TcpStream`, a `UnixStream`, a TLS
//! stream).
//!
//! [`WebSocket`]: crate::websocket::WebSocket

use std_crate::io;

/// Any `std::io::Read` / `std::io::Write` as an [`embedded_io`](https://docs.rs/embedded-io/0.7/embedded_io/) transport,
/// with `std::io::Error` as its error. Calls interrupted by a signal
/// ([`io::ErrorKind::Interrupted`]) are retried.
///
/// This is how a connection runs over a stream this crate does not know,
/// for example TLS for `wss://`:
///
/// ```no_run
/// # fn tls_connect(_: std::net::TcpStream) -> std::net::TcpStream { unimplemented!() }
/// use hybi::net::{OsRandom, Std, Url};
/// use hybi::websocket::{Config, WebSocket};
///
/// let url = Url::parse("wss://example.com/chat")?;
/// let tcp = std::net::TcpStream::connect((url.host, url.port))?;
/// let tls = tls_connect(tcp); // a TLS library's blocking stream
/// let (mut rx, mut tx) = ([0u8; 4096], [0u8; 4096]);
/// let mut ws = WebSocket::client(Std(tls), &mut rx[..], &mut tx[..], OsRandom, Config::new());
/// ws.connect(&url.request())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Std<T>(pub T);

impl<T> Std<T> {
    /// The wrapped stream.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> embedded_io::ErrorType for Std<T> {
    type Error = io::Error;
}

impl<T: io::Read> embedded_io::Read for Std<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }
}

impl<T: io::Write> embedded_io::Write for Std<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        loop {
            match self.0.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }

    fn flush(&mut self) -> Result<(), io::Error> {
        loop {
            match self.0.flush() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_io::{Read, Write};
    use std_crate::vec::Vec;

    /// Fails with `Interrupted` every other call.
    struct Flaky {
        calls: usize,
        data: Vec<u8>,
    }

    impl Flaky {
        fn interrupted(&mut self) -> bool {
            self.calls += 1;
            self.calls % 2 == 1
        }
    }

    impl io::Read for Flaky {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.interrupted() {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data.drain(..n);
            Ok(n)
        }
    }

    impl io::Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.interrupted() {
                return Err(io::ErrorKind::Interrupted.into());
            }
            self.data.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            if self.interrupted() {
                return Err(io::ErrorKind::Interrupted.into());
            }
            Ok(())
        }
    }

    #[test]
    fn retries_interrupted_calls() {
        let mut s = Std(Flaky {
            calls: 0,
            data: Vec::new(),
        });
        assert_eq!(s.write(b"hello").unwrap(), 5);
        s.flush().unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(s.read(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(s.read(&mut buf).unwrap(), 0);
    }

    #[test]
    fn passes_other_errors() {
        struct Broken;
        impl io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::ErrorKind::ConnectionReset.into())
            }
        }
        let err = Std(Broken).read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    }
}
