//! What reading a connection yields: whole messages, or chunks of them.

use crate::close::CloseFrame;

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

/// A piece of a message, as it arrives: see
/// [`WebSocket::read_chunk`](super::WebSocket::read_chunk).
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
