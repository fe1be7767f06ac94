//! How a connection behaves: the message size limit and what happens to
//! pings and pongs (RFC 6455 sections 5.5.2, 5.5.3 and 10.4).

/// The default limit on a message's size: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_LEN: u64 = 16 * 1024 * 1024;

/// The default [`Config::min_chunk_len`]: none short of what the read
/// buffer holds, so a chunk fills the buffer unless its frame ends first.
pub const DEFAULT_MIN_CHUNK_LEN: usize = usize::MAX;

/// How a connection behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    pub(crate) max_message_len: u64,
    pub(crate) min_chunk_len: usize,
    pub(crate) auto_pong: bool,
    pub(crate) show_control: bool,
    #[cfg(feature = "deflate")]
    pub(crate) deflate: crate::deflate::DeflateConfig,
}

impl Config {
    /// Messages up to [`DEFAULT_MAX_MESSAGE_LEN`], chunks as large as the
    /// read buffer allows, pings answered automatically, pings and pongs
    /// not shown.
    pub const fn new() -> Self {
        Config {
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
            min_chunk_len: DEFAULT_MIN_CHUNK_LEN,
            auto_pong: true,
            show_control: false,
            #[cfg(feature = "deflate")]
            deflate: crate::deflate::DeflateConfig::new(),
        }
    }

    /// Refuses messages over `len` bytes with close code 1009, as soon as a
    /// frame header announces them (section 10.4).
    pub const fn max_message_len(mut self, len: u64) -> Self {
        self.max_message_len = len;
        self
    }

    /// The smallest piece of a message a chunked read
    /// ([`Connection::read_chunk`], `WebSocket::read_chunk`) hands out
    /// while the rest of the frame it is in is still arriving (default:
    /// [`DEFAULT_MIN_CHUNK_LEN`], as much as the read buffer holds). The
    /// read buffer caps it: once the message fills all of the buffer but
    /// [`MIN_READ_BUFFER`] bytes, the chunk is handed out. The end of a
    /// frame is handed out as soon as it is all there, whatever its
    /// length, so a peer that sends a fragment and waits for an answer is
    /// not kept waiting. Text chunks still end on a character boundary: up
    /// to 3 bytes of an unfinished character wait for the next one.
    ///
    /// Larger means fewer, larger chunks: fewer calls, and a relay that
    /// writes each chunk as a fragment writes fewer frames (a 76,800-byte
    /// message arriving in reads of 1,460 bytes, relayed through a 64 KiB
    /// buffer: 2 frames by default, 53 with `1`). Smaller means the first
    /// bytes of a long frame sooner, for a reader that shows progress or
    /// parses as it goes: by default it waits for a buffer's worth. `1`
    /// (or `0`) hands out whatever has arrived at every read.
    ///
    /// [`Connection::read_chunk`]: super::Connection::read_chunk
    /// [`MIN_READ_BUFFER`]: super::MIN_READ_BUFFER
    pub const fn min_chunk_len(mut self, len: usize) -> Self {
        self.min_chunk_len = len;
        self
    }

    /// Whether pings are answered with a pong automatically (default: yes).
    /// Off, the caller must answer them (section 5.5.2) with a pong of its
    /// own; turn [`Config::show_control`] on to see them.
    pub const fn auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }

    /// Whether reads return pings and pongs (default: no).
    pub const fn show_control(mut self, on: bool) -> Self {
        self.show_control = on;
        self
    }

    /// What permessage-deflate (RFC 7692) this end offers or accepts
    /// (default: [`DeflateConfig::new`](crate::deflate::DeflateConfig::new)).
    /// It is negotiated only over a read buffer with inflate memory
    /// ([`Inflating`](crate::deflate::Inflating), or `net::Growable`).
    #[cfg(feature = "deflate")]
    pub const fn deflate(mut self, deflate: crate::deflate::DeflateConfig) -> Self {
        self.deflate = deflate;
        self
    }

    /// The permessage-deflate configuration.
    #[cfg(feature = "deflate")]
    pub const fn deflate_config(&self) -> crate::deflate::DeflateConfig {
        self.deflate
    }

    /// The message size limit.
    pub const fn message_len_limit(&self) -> u64 {
        self.max_message_len
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}
