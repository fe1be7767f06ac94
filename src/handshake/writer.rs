//! Writing an HTTP head into a caller's buffer, refusing anything that could
//! smuggle a line break or a header the handshake owns.

use super::HandshakeError;
use crate::http;

/// Appends to the front of a buffer; every write checks the room left.
pub(crate) struct HeadWriter<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl<'o> HeadWriter<'o> {
    pub(crate) fn new(out: &'o mut [u8]) -> Self {
        HeadWriter { out, len: 0 }
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<(), HandshakeError> {
        let end = self.len + bytes.len();
        let dest = self
            .out
            .get_mut(self.len..end)
            .ok_or(HandshakeError::BufferTooSmall)?;
        dest.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    pub(crate) fn put_str(&mut self, s: &str) -> Result<(), HandshakeError> {
        self.put(s.as_bytes())
    }

    /// How many bytes are written.
    pub(crate) fn written(&self) -> usize {
        self.len
    }

    /// Writes `n` in decimal.
    pub(crate) fn put_decimal(&mut self, n: usize) -> Result<(), HandshakeError> {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.put(&digits[i..])
    }

    /// Writes `name: value\r\n`. Both are the crate's own or already checked.
    pub(crate) fn header(&mut self, name: &str, value: &str) -> Result<(), HandshakeError> {
        self.put_str(name)?;
        self.put(b": ")?;
        self.put_str(value)?;
        self.put(b"\r\n")
    }

    /// Writes a header given by the caller, after checking it.
    pub(crate) fn extra_header(&mut self, name: &str, value: &str) -> Result<(), HandshakeError> {
        check_extra_header(name, value)?;
        self.header(name, value)
    }

    /// Ends the head with the empty line and returns its length.
    pub(crate) fn finish(self) -> Result<usize, HandshakeError> {
        self.finish_with(&[])
    }

    /// Ends the head with the empty line, appends `body` and returns the
    /// length of both.
    pub(crate) fn finish_with(mut self, body: &[u8]) -> Result<usize, HandshakeError> {
        self.put(b"\r\n")?;
        self.put(body)?;
        Ok(self.len)
    }
}

/// Checks a header the caller adds to a handshake head: its name must be a
/// token, its value visible ASCII, spaces and tabs (no CR, LF or NUL), and
/// it must not be one the handshake writes itself.
fn check_extra_header(name: &str, value: &str) -> Result<(), HandshakeError> {
    const OWNED: [&str; 5] = [
        "host",
        "upgrade",
        "connection",
        "content-length",
        "transfer-encoding",
    ];
    let owned = OWNED.iter().any(|o| o.eq_ignore_ascii_case(name))
        || name
            .get(..14)
            .is_some_and(|p| p.eq_ignore_ascii_case("sec-websocket-"));
    if owned || !http::is_token(name) || !value.bytes().all(is_value_byte) {
        return Err(HandshakeError::InvalidArgument);
    }
    Ok(())
}

/// HTAB, SP and visible ASCII: what a header value written here may hold.
pub(crate) fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b' '..=b'~').contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_until_full() {
        let mut buf = [0u8; 8];
        let mut w = HeadWriter::new(&mut buf);
        w.put(b"abc").unwrap();
        w.put_decimal(65535).unwrap();
        assert_eq!(w.put(b"x"), Err(HandshakeError::BufferTooSmall));
        assert_eq!(w.len, 8);
        assert_eq!(&buf, b"abc65535");
    }

    #[test]
    fn decimal() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (101, "101"),
            (9001, "9001"),
            (65536, "65536"),
            (u32::MAX as usize, "4294967295"),
        ];
        for (n, s) in cases {
            let mut buf = [0u8; 10];
            let mut w = HeadWriter::new(&mut buf);
            w.put_decimal(n).unwrap();
            let len = w.len;
            assert_eq!(&buf[..len], s.as_bytes());
        }
    }

    #[test]
    fn extra_headers() {
        let cases = [
            ("Authorization", "Bearer abc", true),
            ("X-Empty", "", true),
            ("Cookie", "a=b; c=d", true),
            ("X-Bad", "a\r\nInjected: yes", false),
            ("X-Bad", "a\nb", false),
            ("X-Bad", "nul\0", false),
            ("X-Bad", "caf\u{e9}", false),
            ("Bad Name", "v", false),
            ("Bad:Name", "v", false),
            ("", "v", false),
            ("Host", "evil", false),
            ("connection", "close", false),
            ("Sec-WebSocket-Key", "x", false),
            ("sec-websocket-protocol", "x", false),
            ("Content-Length", "0", false),
            ("Transfer-Encoding", "chunked", false),
        ];
        for (name, value, ok) in cases {
            assert_eq!(
                check_extra_header(name, value).is_ok(),
                ok,
                "{name}: {value:?}"
            );
        }
    }
}
