//! Writing, async: the connection core's frames, flushed to the transport
//! when the write buffer is full and on request (RFC 6455 sections 5.2 to
//! 5.5 and 7.1.2).

use crate::connection::Buffer;
use embedded_io_async::Write;

use super::WebSocket;
use crate::ProtocolError;
use crate::close::CloseCode;
use crate::connection::{self, Queued, Sender};
use crate::reassembly::DataKind;
use crate::role::Endpoint;
use crate::websocket::Error;

/// The write side of an async connection, borrowed apart from its read
/// buffer: see
/// [`websocket::Writer`](crate::websocket::Writer), whose calls these are.
pub struct Writer<'a, T, E, W> {
    transport: &'a mut T,
    sender: Sender<'a, E, W>,
}

impl<'a, T, E, W> Writer<'a, T, E, W>
where
    T: Write,
    E: Endpoint,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    pub(crate) fn new(transport: &'a mut T, sender: Sender<'a, E, W>) -> Self {
        Writer { transport, sender }
    }

    /// Queues a whole text message.
    pub async fn write_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        self.frame(text.as_bytes(), |s| s.write_text(text)).await
    }

    /// Queues a whole binary message.
    pub async fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_binary(data)).await
    }

    /// Queues one fragment of a message.
    pub async fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_fragment(kind, data, last))
            .await
    }

    /// Queues a ping with up to 125 bytes of payload.
    pub async fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_ping(data)).await
    }

    /// Queues a pong with up to 125 bytes of payload.
    pub async fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.frame(data, |s| s.write_pong(data)).await
    }

    /// Starts the close handshake: sends a close with `code` and `reason`
    /// and flushes.
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        self.frame(&[], |s| s.close(code, reason)).await?;
        self.flush().await
    }

    /// Writes everything queued to the transport and flushes it.
    pub async fn flush(&mut self) -> Result<(), Error<T::Error>> {
        flush(self.transport, &mut self.sender).await
    }

    /// Sends the close for a protocol error (if the connection was open)
    /// and ends the connection.
    pub(super) async fn fail(&mut self, error: ProtocolError) -> Error<T::Error> {
        self.sender.fail(error);
        let _ = self.flush().await;
        Error::Protocol(error)
    }

    /// Queues the frame `queue` makes of `payload`, flushing as often as
    /// the write buffer fills; as the blocking `Writer` does.
    async fn frame(
        &mut self,
        payload: &[u8],
        mut queue: impl FnMut(&mut Sender<'a, E, W>) -> Result<Queued, connection::Error>,
    ) -> Result<(), Error<T::Error>> {
        if self.sender.outbox().mid_frame() {
            // A future dropped in the middle of a frame left it half sent.
            self.sender.abort();
        }
        let taken = loop {
            match queue(&mut self.sender)? {
                Queued::Whole => return Ok(()),
                Queued::Partly(n) => break n,
                Queued::Full => self.flush().await?,
            }
        };
        let result = self.payload(payload.get(taken..).unwrap_or_default()).await;
        if result.is_err() {
            self.sender.abort();
        }
        result
    }

    /// The rest of a frame's payload; a server's goes out straight from
    /// the caller's slice.
    async fn payload(&mut self, mut rest: &[u8]) -> Result<(), Error<T::Error>> {
        while !rest.is_empty() {
            self.flush().await?;
            let outbox = self.sender.outbox();
            if outbox.can_skip() {
                write_all(self.transport, rest).await?;
                self.sender.outbox().skip_payload(rest.len());
                return Ok(());
            }
            let n = self.sender.write_payload(rest);
            rest = rest.get(n..).unwrap_or_default();
        }
        Ok(())
    }
}

/// Writes everything `sender` has queued to `transport` and flushes it.
pub(crate) async fn flush<T: Write, E: Endpoint, W: AsRef<[u8]> + AsMut<[u8]>>(
    transport: &mut T,
    sender: &mut Sender<'_, E, W>,
) -> Result<(), Error<T::Error>> {
    if sender.transmit().is_empty() {
        return Ok(());
    }
    loop {
        let queued = sender.transmit();
        if queued.is_empty() {
            break;
        }
        match transport.write(queued).await {
            Ok(0) => return Err(Error::WriteZero),
            Ok(n) => sender.transmitted(n),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    transport.flush().await.map_err(Error::Io)
}

/// `write_all` that reports a transport accepting nothing as an error.
pub(super) async fn write_all<T: Write>(
    transport: &mut T,
    mut bytes: &[u8],
) -> Result<(), Error<T::Error>> {
    while !bytes.is_empty() {
        match transport.write(bytes).await {
            Ok(0) => return Err(Error::WriteZero),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(e) => return Err(Error::Io(e)),
        }
    }
    Ok(())
}

impl<T, B, E, W> WebSocket<T, B, E, W>
where
    T: Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    E: Endpoint,
{
    /// The write side, borrowed on its own.
    pub fn writer(&mut self) -> Writer<'_, T, E, W> {
        Writer::new(&mut self.transport, self.conn.sender())
    }

    /// Queues a whole text message.
    pub async fn write_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        self.writer().write_text(text).await
    }

    /// Queues a whole binary message.
    pub async fn write_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.writer().write_binary(data).await
    }

    /// Queues one fragment of a message.
    pub async fn write_fragment(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<(), Error<T::Error>> {
        self.writer().write_fragment(kind, data, last).await
    }

    /// Queues a ping.
    pub async fn write_ping(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.writer().write_ping(data).await
    }

    /// Queues a pong.
    pub async fn write_pong(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.writer().write_pong(data).await
    }

    /// Sends a text message now.
    pub async fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        let mut writer = self.writer();
        writer.write_text(text).await?;
        writer.flush().await
    }

    /// Sends a binary message now.
    pub async fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        let mut writer = self.writer();
        writer.write_binary(data).await?;
        writer.flush().await
    }

    /// Starts the close handshake.
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        self.writer().close(code, reason).await
    }

    /// Writes everything queued and flushes the transport.
    pub async fn flush(&mut self) -> Result<(), Error<T::Error>> {
        self.writer().flush().await
    }
}
