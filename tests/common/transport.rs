//! The in-memory transport that the connection tests and the fuzz targets
//! run over: it serves a fixed input in reads of chosen sizes (through
//! `embedded-io`'s `Read`, or through `BufRead`, lending pieces of those
//! sizes, for [`Lending`]), takes at most a chosen number of bytes per
//! write, fails calls with `TimedOut` where asked, and records everything
//! written and every call made. [`SharedMock`] is one of them for both
//! halves of a split connection; [`AsyncMock`] makes either an async
//! transport.
//!
//! `tests/common/mod.rs` includes it; `dev/tests` reaches it through
//! `tests/common/mod.rs` and `fuzz/src/lib.rs` directly, both with
//! `#[path]`: it needs nothing but `embedded-io` and `hybi`.

#![allow(dead_code)]

use embedded_io::{BufRead, ErrorKind, ErrorType, Read, Write};
use hybi::websocket::{Input, Lending};
use std::cell::RefCell;
use std::rc::Rc;

/// The read size of a transport that hands over all it has at once.
pub const WHOLE: usize = usize::MAX;

/// One step of a read script: what the next read (or the next piece lent)
/// is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// At most this many bytes (at least 1).
    Bytes(usize),
    /// A `TimedOut` error, no bytes taken; while timeouts are held back
    /// ([`Mock::inject`] false, or [`Mock::error_budget`] spent), a read of
    /// one byte.
    TimedOut,
}

/// One call the connection made on the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A read that returned this many bytes (0 at the end of input), or a
    /// `consume` of this many lent bytes.
    Read(usize),
    /// A write of this many bytes.
    Write(usize),
    Flush,
    /// A read or a write that failed with `TimedOut`.
    TimedOut,
}

/// Which calls [`Every`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Reads,
    Writes,
    Both,
}

/// Every `n`th counted call fails with `TimedOut` before doing anything;
/// `calls` are counted already (so the first to fail is the
/// `n - calls % n`th).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Every {
    pub n: usize,
    pub counted: Counted,
    pub calls: usize,
}

/// The in-memory transport.
#[derive(Debug, Clone)]
pub struct Mock {
    input: Vec<u8>,
    pos: usize,
    /// The end of the piece `fill_buf` lent last.
    lent: usize,
    /// The read sizes, in turn, over and over (empty: all at once).
    script: Vec<Step>,
    turn: usize,
    every: Option<Every>,
    /// Whether injected timeouts are returned.
    pub inject: bool,
    budget: usize,
    errors_returned: usize,
    /// Bytes the transport accepts per write (`usize::MAX`: all; 0: none).
    pub write_limit: usize,
    /// Everything written, in order.
    pub written: Vec<u8>,
    /// Every call, in order.
    pub log: Vec<Op>,
}

impl Default for Mock {
    fn default() -> Self {
        Mock::new(&[], WHOLE)
    }
}

impl Mock {
    /// Serves `input` in reads of at most `chunk` bytes ([`WHOLE`]: as many
    /// as asked for).
    pub fn new(input: &[u8], chunk: usize) -> Self {
        Mock::scripted(input, vec![Step::Bytes(chunk)])
    }

    /// Serves `input` in reads of `sizes`, in turn, over and over (empty:
    /// as many bytes as asked for).
    pub fn with_reads(input: &[u8], sizes: &[usize]) -> Self {
        Mock::scripted(input, sizes.iter().map(|&n| Step::Bytes(n)).collect())
    }

    /// Serves `input` as `script` says, step after step, over and over
    /// (empty: as many bytes as asked for, with no error).
    pub fn scripted(input: &[u8], script: Vec<Step>) -> Self {
        let script = script
            .into_iter()
            .map(|step| match step {
                Step::Bytes(n) => Step::Bytes(n.max(1)),
                Step::TimedOut => Step::TimedOut,
            })
            .collect();
        Mock {
            input: input.to_vec(),
            pos: 0,
            lent: 0,
            script,
            turn: 0,
            every: None,
            inject: true,
            budget: usize::MAX,
            errors_returned: 0,
            write_limit: usize::MAX,
            written: Vec::new(),
            log: Vec::new(),
        }
    }

    /// Takes at most `limit` bytes per write.
    pub fn write_limit(mut self, limit: usize) -> Self {
        self.write_limit = limit;
        self
    }

    /// Fails calls with `TimedOut` as `every` says, besides the script's.
    pub fn time_out(mut self, every: Every) -> Self {
        assert!(every.n > 0);
        self.every = Some(every);
        self
    }

    /// Returns at most `n` injected timeouts in all.
    pub fn error_budget(mut self, n: usize) -> Self {
        self.budget = n;
        self
    }

    /// Holds injected timeouts back until [`Mock::inject`] is set.
    pub fn held(mut self) -> Self {
        self.inject = false;
        self
    }

    /// How many `write` calls were made.
    pub fn write_calls(&self) -> usize {
        self.log
            .iter()
            .filter(|op| matches!(op, Op::Write(_)))
            .count()
    }

    /// How many input bytes are still unread.
    pub fn unread(&self) -> usize {
        self.input.len() - self.pos
    }

    /// How many input bytes were handed out.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// The whole input's length.
    pub fn input_len(&self) -> usize {
        self.input.len()
    }

    /// How many injected timeouts were returned.
    pub fn errors_returned(&self) -> usize {
        self.errors_returned
    }

    /// Whether an injected timeout is returned now (and counts it).
    fn time_out_now(&mut self) -> bool {
        if !self.inject || self.errors_returned >= self.budget {
            return false;
        }
        self.errors_returned += 1;
        self.log.push(Op::TimedOut);
        true
    }

    /// Whether this call is one [`Every`] fails.
    fn fails(&mut self, write: bool) -> bool {
        let Some(every) = &mut self.every else {
            return false;
        };
        let counted = match every.counted {
            Counted::Reads => !write,
            Counted::Writes => write,
            Counted::Both => true,
        };
        if !counted {
            return false;
        }
        every.calls += 1;
        every.calls % every.n == 0 && self.time_out_now()
    }

    /// The size of the next read or piece lent, or the error it is.
    fn next_read(&mut self) -> Result<usize, ErrorKind> {
        if self.fails(false) {
            return Err(ErrorKind::TimedOut);
        }
        let step = match self.script.len() {
            0 => Step::Bytes(usize::MAX),
            n => self.script[self.turn % n],
        };
        self.turn += 1;
        match step {
            Step::Bytes(n) => Ok(n),
            Step::TimedOut if self.time_out_now() => Err(ErrorKind::TimedOut),
            Step::TimedOut => Ok(1),
        }
    }
}

impl ErrorType for Mock {
    type Error = ErrorKind;
}

impl Read for Mock {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let size = self.next_read()?;
        let n = buf.len().min(size).min(self.unread());
        buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
        self.pos += n;
        self.log.push(Op::Read(n));
        Ok(n)
    }
}

/// Lends a piece of the next read size each time; a `consume` is logged
/// as the read of that many bytes, and may not take more than was lent.
impl BufRead for Mock {
    fn fill_buf(&mut self) -> Result<&[u8], ErrorKind> {
        let size = self.next_read()?;
        self.lent = self.pos + size.min(self.unread());
        Ok(&self.input[self.pos..self.lent])
    }

    fn consume(&mut self, amt: usize) {
        assert!(
            self.pos + amt <= self.lent,
            "consumed {amt} bytes of {} lent",
            self.lent - self.pos
        );
        self.pos += amt;
        self.log.push(Op::Read(amt));
    }
}

impl Write for Mock {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if self.fails(true) {
            return Err(ErrorKind::TimedOut);
        }
        let n = buf.len().min(self.write_limit);
        self.written.extend_from_slice(&buf[..n]);
        self.log.push(Op::Write(n));
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        self.log.push(Op::Flush);
        Ok(())
    }
}

/// The transports a connection reads a [`Mock`] through: as a `Read`, or
/// as a `BufRead` in [`Lending`].
pub trait Transport: Input + Write<Error = ErrorKind> + Sized {
    fn wrap(mock: Mock) -> Self;
    fn mock(&self) -> &Mock;
    fn mock_mut(&mut self) -> &mut Mock;
    fn into_mock(self) -> Mock;
}

impl Transport for Mock {
    fn wrap(mock: Mock) -> Self {
        mock
    }
    fn mock(&self) -> &Mock {
        self
    }
    fn mock_mut(&mut self) -> &mut Mock {
        self
    }
    fn into_mock(self) -> Mock {
        self
    }
}

impl Transport for Lending<Mock> {
    fn wrap(mock: Mock) -> Self {
        Lending(mock)
    }
    fn mock(&self) -> &Mock {
        &self.0
    }
    fn mock_mut(&mut self) -> &mut Mock {
        &mut self.0
    }
    fn into_mock(self) -> Mock {
        self.0
    }
}

/// One [`Mock`] for both halves of a split connection.
#[derive(Debug, Clone, Default)]
pub struct SharedMock(pub Rc<RefCell<Mock>>);

impl SharedMock {
    pub fn new(mock: Mock) -> Self {
        SharedMock(Rc::new(RefCell::new(mock)))
    }

    /// The [`Mock`], taken out (the other halves see an empty one).
    pub fn take(&self) -> Mock {
        core::mem::take(&mut *self.0.borrow_mut())
    }
}

impl ErrorType for SharedMock {
    type Error = ErrorKind;
}

impl Read for SharedMock {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.0.borrow_mut().read(buf)
    }
}

impl Write for SharedMock {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        self.0.borrow_mut().flush()
    }
}

/// [`Mock`] or [`SharedMock`] as an async transport, pending once before
/// each read and each write: a driver must survive being polled again.
#[cfg(feature = "async")]
#[derive(Debug, Clone, Default)]
pub struct AsyncMock<T = Mock>(pub T);

#[cfg(feature = "async")]
mod asynch {
    use super::*;
    use hybi::embedded_io_async as eia;

    impl<T: ErrorType> ErrorType for AsyncMock<T> {
        type Error = T::Error;
    }

    impl<T: Read> eia::Read for AsyncMock<T> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
            yield_once().await;
            self.0.read(buf)
        }
    }

    impl<T: Write> eia::Write for AsyncMock<T> {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, T::Error> {
            yield_once().await;
            self.0.write(buf)
        }

        async fn flush(&mut self) -> Result<(), T::Error> {
            self.0.flush()
        }
    }

    /// Pending once, then ready.
    async fn yield_once() {
        let mut yielded = false;
        core::future::poll_fn(|_| {
            if core::mem::replace(&mut yielded, true) {
                core::task::Poll::Ready(())
            } else {
                core::task::Poll::Pending
            }
        })
        .await
    }
}
