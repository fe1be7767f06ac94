//! Reading, async: the connection core's events, with the transport read
//! whenever the core needs bytes and flushed whenever it owes some (RFC
//! 6455 sections 5.4 to 7).

use crate::connection::Buffer;
use embedded_io_async::{Read, Write};

use super::{WebSocket, Writer};
use crate::connection::{self, Event, Mode, message};
use crate::role::{Endpoint, Role};
use crate::websocket::{Chunk, Error, Message};

/// How many reads a client spends waiting for the server to close the
/// transport after the close handshake (section 7.1.1).
const CLOSE_WAIT_READS: usize = 16;

/// What a read that also lends the write side returns.
type ReadWith<'a, M, T, E, W> =
    Result<(M, Writer<'a, T, E, W>), Error<<T as embedded_io_async::ErrorType>::Error>>;

impl<T, B, E, W> WebSocket<T, B, E, W>
where
    T: Read + Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    /// Reads the next whole message, as
    /// [`websocket::WebSocket::read`](crate::websocket::WebSocket::read)
    /// does.
    pub async fn read(&mut self) -> Result<Message<'_>, Error<T::Error>> {
        Ok(self.read_with_writer().await?.0)
    }

    /// [`WebSocket::read`], also lending the write side.
    pub async fn read_with_writer(&mut self) -> ReadWith<'_, Message<'_>, T, E, W> {
        let event = self.next_event(Mode::Whole).await?;
        let (rx, sender) = self.conn.parts();
        let mut writer = Writer::new(&mut self.transport, sender);
        match message::message(rx, event) {
            Ok(message) => Ok((message, writer)),
            Err(e) => Err(writer.fail(e).await),
        }
    }

    /// Reads the next piece of the current message, as
    /// [`websocket::WebSocket::read_chunk`](crate::websocket::WebSocket::read_chunk)
    /// does.
    pub async fn read_chunk(&mut self) -> Result<Chunk<'_>, Error<T::Error>> {
        Ok(self.read_chunk_with_writer().await?.0)
    }

    /// [`WebSocket::read_chunk`], also lending the write side.
    pub async fn read_chunk_with_writer(&mut self) -> ReadWith<'_, Chunk<'_>, T, E, W> {
        let event = self.next_event(Mode::Chunks).await?;
        let (rx, sender) = self.conn.parts();
        let mut writer = Writer::new(&mut self.transport, sender);
        match message::chunk(rx, event) {
            Ok(chunk) => Ok((chunk, writer)),
            Err(e) => Err(writer.fail(e).await),
        }
    }

    /// Drives the core until it has an event.
    async fn next_event(&mut self, mode: Mode) -> Result<Event, Error<T::Error>> {
        if E::ROLE == Role::Client && self.conn.take_await_eof() {
            self.wait_for_eof().await;
            return Err(Error::Closed);
        }
        if self.conn.payload_left() > 0 {
            // A write failed, or its future was dropped, in the middle of
            // a frame: the peer can no longer tell where frames begin.
            self.conn.abort();
        }
        loop {
            match self.conn.poll(mode) {
                Ok(Some(event)) => return Ok(event),
                Ok(None) if !self.conn.transmit().is_empty() => self.flush().await?,
                Ok(None) => self.fill().await?,
                Err(e) => {
                    if let connection::Error::Protocol(_) = e {
                        let _ = self.flush().await;
                    }
                    return Err(e.into());
                }
            }
        }
    }

    /// Reads more from the transport into the core. The end of input is
    /// the end of the connection.
    pub(super) async fn fill(&mut self) -> Result<(), Error<T::Error>> {
        let free = self.conn.receive_buffer();
        if free.is_empty() {
            return Err(Error::BufferTooSmall);
        }
        let n = self.transport.read(free).await.map_err(Error::Io)?;
        if n == 0 {
            return Err(self.conn.end_of_input().into());
        }
        self.conn.received(n);
        Ok(())
    }

    /// A client lets the server close the transport first (section 7.1.1).
    async fn wait_for_eof(&mut self) {
        let spare = self.conn.receive_buffer();
        for _ in 0..CLOSE_WAIT_READS {
            if !matches!(self.transport.read(spare).await, Ok(1..)) {
                return;
            }
        }
    }
}
