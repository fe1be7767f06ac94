//! A binding's stream as two halves: the `embedded-io` traits of an
//! HTTP/2 or HTTP/3 `Stream`, whose read half does its reads and whose
//! write half its writes, the same in both bindings.

/// Implements `embedded_io`'s `ErrorType` (`std::io::Error`) for `$stream`,
/// `$recv` and `$send`, and `Read` and `Write` for `$stream` by its fields
/// `recv: $recv` and `send: $send`; the halves implement `Read` and
/// `Write` themselves.
macro_rules! duplex_io {
    ($stream:ty, $recv:ty, $send:ty) => {
        impl embedded_io::ErrorType for $stream {
            type Error = std_crate::io::Error;
        }

        impl embedded_io::ErrorType for $recv {
            type Error = std_crate::io::Error;
        }

        impl embedded_io::ErrorType for $send {
            type Error = std_crate::io::Error;
        }

        impl embedded_io::Read for $stream {
            fn read(&mut self, buf: &mut [u8]) -> std_crate::io::Result<usize> {
                self.recv.read(buf)
            }
        }

        impl embedded_io::Write for $stream {
            fn write(&mut self, buf: &[u8]) -> std_crate::io::Result<usize> {
                self.send.write(buf)
            }

            fn flush(&mut self) -> std_crate::io::Result<()> {
                self.send.flush()
            }
        }
    };
}

pub(crate) use duplex_io;
