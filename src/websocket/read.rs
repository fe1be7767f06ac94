//! Reading: the connection core's events, with the transport read
//! whenever the core needs bytes and flushed whenever it owes some (RFC
//! 6455 sections 5.4 to 7).

use crate::connection::Buffer;
use embedded_io::Write;

use super::input::sealed::Received;
use super::{Chunk, Error, Input, Message, WebSocket, Writer};
use crate::connection::{self, Event, Mode};
use crate::role::{Endpoint, Role};

/// How many reads a client spends waiting for the server to close the
/// transport after the close handshake (section 7.1.1).
const CLOSE_WAIT_READS: usize = 16;

/// What a read that also lends the write side returns.
type ReadWith<'a, M, T, E, W> =
    Result<(M, Writer<'a, T, E, W>), Error<<T as embedded_io::ErrorType>::Error>>;

impl<T, B, E, W> WebSocket<T, B, E, W>
where
    T: Input + Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    /// Reads the next whole message.
    ///
    /// Pings are answered (unless [`Config::auto_pong`] is off) and, like
    /// pongs, only returned with [`Config::show_control`]. A close from the
    /// peer is answered and returned as [`Message::Close`]; reads after it
    /// return [`Error::Closed`]. A client's first read after the close
    /// waits (for at most 16 transport reads, or the transport's own
    /// timeout) for the server to end the transport, as section 7.1.1
    /// asks. A protocol error sends the close code it names (1002, 1007 as
    /// soon as invalid UTF-8 arrives, 1009 as soon as a header announces a
    /// message over the limit or over the read buffer's capacity of
    /// `len - 139` bytes) and returns [`Error::Protocol`]. Queued writes
    /// are flushed before the connection waits for input.
    ///
    /// After an [`Error::Io`] (a read timeout, say) the call can be made
    /// again: nothing was lost.
    ///
    /// [`Config::auto_pong`]: super::Config::auto_pong
    /// [`Config::show_control`]: super::Config::show_control
    pub fn read(&mut self) -> Result<Message<'_>, Error<T::Error>> {
        Ok(self.read_with_writer()?.0)
    }

    /// [`WebSocket::read`], also lending the write side, so the message can
    /// be written back without a copy.
    pub fn read_with_writer(&mut self) -> ReadWith<'_, Message<'_>, T, E, W> {
        let event = self.next_event(Mode::Whole)?;
        let (rx, sender) = self.conn.parts();
        let mut writer = Writer::new(&mut self.transport, sender);
        match connection::message::message(rx, event) {
            Ok(message) => Ok((message, writer)),
            Err(e) => Err(writer.fail(e)),
        }
    }

    /// Reads the next piece of the current message, or the next control
    /// frame: messages of any size pass through a read buffer of
    /// [`MIN_READ_BUFFER`] bytes or more. A piece is handed out once it is
    /// [`Config::min_chunk_len`] bytes long (by default, once it fills the
    /// buffer but [`MIN_READ_BUFFER`] bytes: the transport is read until
    /// then), or as soon as the frame it is in has all arrived. The chunk
    /// with `last` set ends the message. Text is validated as it arrives
    /// and each text chunk ends on a character boundary. The limit of
    /// [`Config::max_message_len`] still applies.
    ///
    /// [`MIN_READ_BUFFER`]: super::MIN_READ_BUFFER
    /// [`Config::min_chunk_len`]: super::Config::min_chunk_len
    /// [`Config::max_message_len`]: super::Config::max_message_len
    pub fn read_chunk(&mut self) -> Result<Chunk<'_>, Error<T::Error>> {
        Ok(self.read_chunk_with_writer()?.0)
    }

    /// [`WebSocket::read_chunk`], also lending the write side.
    pub fn read_chunk_with_writer(&mut self) -> ReadWith<'_, Chunk<'_>, T, E, W> {
        let event = self.next_event(Mode::Chunks)?;
        let (rx, sender) = self.conn.parts();
        let mut writer = Writer::new(&mut self.transport, sender);
        match connection::message::chunk(rx, event) {
            Ok(chunk) => Ok((chunk, writer)),
            Err(e) => Err(writer.fail(e)),
        }
    }

    /// Drives the core until it has an event: flushes what it owes,
    /// reads what it needs.
    fn next_event(&mut self, mode: Mode) -> Result<Event, Error<T::Error>> {
        // Only a client waits: a server compiles none of it in.
        if E::ROLE == Role::Client && self.conn.take_await_eof() {
            self.wait_for_eof();
            return Err(Error::Closed);
        }
        if self.conn.payload_left() > 0 {
            // A write failed in the middle of a frame: the peer can no
            // longer tell where frames begin.
            self.conn.abort();
        }
        loop {
            match self.conn.poll(mode) {
                Ok(Some(event)) => return Ok(event),
                Ok(None) if !self.conn.transmit().is_empty() => self.flush()?,
                Ok(None) => self.fill()?,
                Err(e) => {
                    if let connection::Error::Protocol(_) = e {
                        // The protocol error is what the caller needs to
                        // hear about; a transport that also fails now
                        // changes nothing.
                        let _ = self.flush();
                    }
                    return Err(e.into());
                }
            }
        }
    }

    /// Reads more from the transport into the core. The end of input is
    /// the end of the connection. Not inlined: it is called from the
    /// handshake and from every read mode.
    #[inline(never)]
    pub(super) fn fill(&mut self) -> Result<(), Error<T::Error>> {
        match self.transport.receive(&mut self.conn) {
            Ok(true) => Ok(()),
            Ok(false) => Err(self.conn.end_of_input().into()),
            Err(Received::Io(e)) => Err(Error::Io(e)),
            Err(Received::Connection(e)) => {
                let _ = self.flush();
                Err(e.into())
            }
        }
    }

    /// A client lets the server close the transport first (section 7.1.1):
    /// reads until end of input, an error, or [`CLOSE_WAIT_READS`] reads.
    fn wait_for_eof(&mut self) {
        let spare = self.conn.receive_buffer();
        for _ in 0..CLOSE_WAIT_READS {
            if !matches!(self.transport.discard(spare), Ok(1..)) {
                return;
            }
        }
    }
}
