//! How a connection behaves: the message size limit and what happens to
//! pings and pongs (RFC 6455 sections 5.5.2, 5.5.3 and 10.4).

/// The default limit on a message's size: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_LEN: u64 = 16 * 1024 * 1024;

/// How a connection behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    pub(crate) max_message_len: u64,
    pub(crate) auto_pong: bool,
    pub(crate) show_control: bool,
    #[cfg(feature = "deflate")]
    pub(crate) deflate: crate::deflate::DeflateConfig,
}

impl Config {
    /// Messages up to [`DEFAULT_MAX_MESSAGE_LEN`], pings answered
    /// automatically, pings and pongs not shown.
    pub const fn new() -> Self {
        Config {
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
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
