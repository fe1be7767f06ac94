//! What reading a connection yields: whole messages, or chunks of them
//! (RFC 6455 sections 5.4 to 5.6).

use super::{Event, What};
use crate::ProtocolError;
use crate::close::CloseFrame;
use crate::reassembly::DataKind;

/// A message, borrowed from the connection's read buffer until the next
/// call that reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'a> {
    /// A text message, validated UTF-8.
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
    /// A ping (shown only with [`Config::show_control`]); the pong has been
    /// queued already unless [`Config::auto_pong`] is off.
    ///
    /// [`Config::show_control`]: super::Config::show_control
    /// [`Config::auto_pong`]: super::Config::auto_pong
    Ping(&'a [u8]),
    /// A pong (shown only with [`Config::show_control`](super::Config::show_control)).
    Pong(&'a [u8]),
    /// The peer closed the connection; the reply has been sent. `None` when
    /// the close frame carried no code (reported locally as 1005).
    Close(Option<CloseFrame<'a>>),
}

/// A piece of a message: see
/// [`Connection::read_chunk`](super::Connection::read_chunk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Chunk<'a> {
    /// Part of a text message. Each chunk ends on a character boundary, so
    /// it is valid UTF-8 on its own.
    Text {
        /// The text.
        data: &'a str,
        /// Whether this chunk ends the message.
        last: bool,
    },
    /// Part of a binary message.
    Binary {
        /// The bytes.
        data: &'a [u8],
        /// Whether this chunk ends the message.
        last: bool,
    },
    /// A control frame or a close, as in [`Message`].
    Control(Message<'a>),
}

/// The message `event` hands out of the read buffer `rx`. A text message
/// is validated whole here, where it is handed out as `&str`.
pub(crate) fn message(rx: &[u8], event: Event) -> Result<Message<'_>, ProtocolError> {
    let bytes = &rx[event.range];
    Ok(match event.what {
        What::Data { kind, .. } => match kind {
            DataKind::Text => Message::Text(crate::utf8::to_str(bytes)?),
            DataKind::Binary => Message::Binary(bytes),
        },
        What::Ping => Message::Ping(bytes),
        What::Pong => Message::Pong(bytes),
        What::Close => Message::Close(CloseFrame::parse(bytes)?),
    })
}

/// The chunk `event` hands out of the read buffer `rx`.
pub(crate) fn chunk(rx: &[u8], event: Event) -> Result<Chunk<'_>, ProtocolError> {
    let What::Data { kind, last } = event.what else {
        return Ok(Chunk::Control(message(rx, event)?));
    };
    let data = &rx[event.range];
    Ok(match kind {
        DataKind::Text => Chunk::Text {
            data: crate::utf8::to_str(data)?,
            last,
        },
        DataKind::Binary => Chunk::Binary { data, last },
    })
}
