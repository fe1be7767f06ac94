//! Negotiating permessage-deflate in the opening handshake (RFC 7692
//! sections 5 and 7.1): a client's offer, a server's choice among the
//! offers it got and its response, and a client's check of that response.
//!
//! Windows: a server whose configured window is under 15 bits can only
//! accept an offer with `client_max_window_bits` (without it, the client
//! may compress with a 32 KiB window, section 7.1.2.2); it declines the
//! others. A window of 8 bits is never offered or asked for: zlib, which
//! Python, Node and the browsers compress with, refuses raw DEFLATE with a
//! 256-byte window, and zlib before 1.2.9 silently used 512 bytes instead.
//! For the same reason, when a peer is granted 8 bits, this end still
//! inflates with a 512-byte window.

use super::params::{ClientWindow, MAX_WINDOW_BITS, ParamError, Params};
use crate::handshake::Extension;

/// The extension's name in `Sec-WebSocket-Extensions`.
pub const NAME: &str = "permessage-deflate";

/// The smallest window this end offers or asks for, in bits: zlib, which
/// Python, Node and the browsers compress with, refuses raw DEFLATE with a
/// 256-byte window (8 bits).
pub const MIN_CONFIG_WINDOW_BITS: u8 = 9;

/// The longest `Sec-WebSocket-Extensions` value an offer or a response
/// of this crate takes: the name and all four parameters.
pub const MAX_VALUE_LEN: usize = 128;

/// A `Sec-WebSocket-Extensions` value written by this crate.
pub type Value = heapless::String<MAX_VALUE_LEN>;

/// What an endpoint offers (a client) or accepts (a server) of
/// permessage-deflate.
///
/// The defaults follow what browsers offer and accept: 32 KiB windows both
/// ways and context taken over from message to message, which compresses
/// best. A device short of memory lowers [`DeflateConfig::window_bits`]:
/// the window it inflates with is `2^window_bits` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeflateConfig {
    pub(crate) enabled: bool,
    pub(crate) window_bits: u8,
    pub(crate) peer_no_context_takeover: bool,
    pub(crate) no_context_takeover: bool,
    pub(crate) min_len: u32,
    pub(crate) level: u8,
}

/// The compression level unless configured otherwise
/// ([`DeflateConfig::level`]): miniz_oxide's fastest, which on text such
/// as JSON compresses nearly as well as its default level, several times
/// faster.
pub const DEFAULT_LEVEL: u8 = 1;

/// Messages shorter than this go uncompressed unless configured otherwise
/// ([`DeflateConfig::min_len`]): DEFLATE's block header and the frame's
/// flag cost more than they save on a few bytes.
pub const DEFAULT_MIN_LEN: u32 = 64;

impl DeflateConfig {
    /// Offered and accepted, with 15-bit windows, context takeover both
    /// ways and messages from [`DEFAULT_MIN_LEN`] bytes compressed.
    pub const fn new() -> Self {
        DeflateConfig {
            enabled: true,
            window_bits: MAX_WINDOW_BITS,
            peer_no_context_takeover: false,
            no_context_takeover: false,
            min_len: DEFAULT_MIN_LEN,
            level: DEFAULT_LEVEL,
        }
    }

    /// Neither offered nor accepted.
    pub const fn off() -> Self {
        DeflateConfig {
            enabled: false,
            ..DeflateConfig::new()
        }
    }

    /// Whether permessage-deflate is offered (client) or accepted (server).
    pub const fn enabled(&self) -> bool {
        self.enabled
    }

    /// The largest window the peer may compress with, in bits, 9 to 15
    /// (outside, the nearest): this end inflates with a window of
    /// `2^bits` bytes. Under 15, a client asks for
    /// `server_max_window_bits=bits` and a server grants
    /// `client_max_window_bits=bits` (declining offers that cannot take
    /// it).
    pub const fn window_bits(mut self, bits: u8) -> Self {
        self.window_bits = if bits < MIN_CONFIG_WINDOW_BITS {
            MIN_CONFIG_WINDOW_BITS
        } else if bits > MAX_WINDOW_BITS {
            MAX_WINDOW_BITS
        } else {
            bits
        };
        self
    }

    /// The window [`DeflateConfig::window_bits`] set.
    pub const fn max_window_bits(&self) -> u8 {
        self.window_bits
    }

    /// Asks the peer to compress each message on its own
    /// (`server_no_context_takeover` from a client,
    /// `client_no_context_takeover` from a server), which lets it free its
    /// compressor's memory between messages, at some cost in ratio.
    pub const fn peer_no_context_takeover(mut self, on: bool) -> Self {
        self.peer_no_context_takeover = on;
        self
    }

    /// Compresses each message on its own, and says so in the handshake.
    pub const fn no_context_takeover(mut self, on: bool) -> Self {
        self.no_context_takeover = on;
        self
    }

    /// Messages shorter than `len` bytes go uncompressed.
    pub const fn min_len(mut self, len: u32) -> Self {
        self.min_len = len;
        self
    }

    /// The threshold [`DeflateConfig::min_len`] set.
    pub const fn compress_min_len(&self) -> u32 {
        self.min_len
    }

    /// How hard to compress (with `std`): 1 (fastest, the default) to 9
    /// (smallest), as zlib's levels; 0 sends compressed messages as stored
    /// blocks.
    pub const fn level(mut self, level: u8) -> Self {
        self.level = if level > 9 { 9 } else { level };
        self
    }

    /// The level [`DeflateConfig::level`] set.
    pub const fn compression_level(&self) -> u8 {
        self.level
    }

    /// A client's offer: `permessage-deflate; client_max_window_bits`,
    /// with `server_max_window_bits`, `server_no_context_takeover` and
    /// `client_no_context_takeover` as configured.
    pub fn offer(&self) -> Value {
        let mut value = Value::new();
        let _ = value.push_str(NAME);
        let _ = value.push_str("; client_max_window_bits");
        if self.window_bits < MAX_WINDOW_BITS {
            push_bits(&mut value, "server_max_window_bits", self.window_bits);
        }
        if self.peer_no_context_takeover {
            let _ = value.push_str("; server_no_context_takeover");
        }
        if self.no_context_takeover {
            let _ = value.push_str("; client_no_context_takeover");
        }
        value
    }

    /// A server's choice: the first `permessage-deflate` offer it can
    /// honour, as agreed, or `None` to decline them all (section 5).
    /// Offers with invalid parameters are declined (section 7.1).
    pub fn accept<'b>(&self, offers: impl Iterator<Item = Extension<'b>>) -> Option<Negotiated> {
        if !self.enabled {
            return None;
        }
        offers
            .filter(|e| e.name.eq_ignore_ascii_case(NAME))
            .filter_map(|e| Params::parse(e.params, false).ok())
            .find_map(|offer| self.accept_offer(&offer))
    }

    fn accept_offer(&self, offer: &Params) -> Option<Negotiated> {
        let window = self.window_bits;
        let (receive_window_bits, client_bits_answered) = match offer.client_max_window_bits {
            ClientWindow::Absent if window < MAX_WINDOW_BITS => return None,
            ClientWindow::Absent => (MAX_WINDOW_BITS, false),
            ClientWindow::Any => (window, window < MAX_WINDOW_BITS),
            ClientWindow::Bits(bits) => (bits.min(window), true),
        };
        Some(Negotiated {
            receive_window_bits,
            receive_no_context_takeover: offer.client_no_context_takeover
                || self.peer_no_context_takeover,
            send_window_bits: offer.server_max_window_bits.unwrap_or(MAX_WINDOW_BITS),
            send_no_context_takeover: offer.server_no_context_takeover || self.no_context_takeover,
            answered: Answered {
                client_window: client_bits_answered,
                server_window: offer.server_max_window_bits.is_some(),
            },
        })
    }

    /// A client's check of the server's `permessage-deflate` response
    /// parameters against [`DeflateConfig::offer`]: what was agreed, or
    /// the reason to fail the connection (section 7.1): an invalid
    /// parameter, a window larger than offered, or a response that drops
    /// `server_no_context_takeover` or `server_max_window_bits` the offer
    /// asked for.
    pub fn check_response(&self, params: &str) -> Result<Negotiated, ParamError> {
        let response = Params::parse(params, true)?;
        let asked_window = self.window_bits < MAX_WINDOW_BITS;
        let receive_window_bits = match response.server_max_window_bits {
            None if asked_window => return Err(ParamError::Value),
            None => MAX_WINDOW_BITS,
            Some(bits) if bits > self.window_bits => return Err(ParamError::Value),
            Some(bits) => bits,
        };
        if self.peer_no_context_takeover && !response.server_no_context_takeover {
            return Err(ParamError::Value);
        }
        let send_window_bits = match response.client_max_window_bits {
            ClientWindow::Bits(bits) => bits,
            _ => MAX_WINDOW_BITS,
        };
        Ok(Negotiated {
            receive_window_bits,
            receive_no_context_takeover: response.server_no_context_takeover,
            send_window_bits,
            send_no_context_takeover: response.client_no_context_takeover
                || self.no_context_takeover,
            answered: Answered::default(),
        })
    }
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig::new()
    }
}

/// What the two ends agreed on, seen from this end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Negotiated {
    /// The largest window the peer compresses with, in bits: this end
    /// inflates with `2^max(bits, 9)` bytes.
    pub receive_window_bits: u8,
    /// The peer compresses each message on its own.
    pub receive_no_context_takeover: bool,
    /// The largest window this end may compress with, in bits.
    pub send_window_bits: u8,
    /// This end must compress each message on its own.
    pub send_no_context_takeover: bool,
    answered: Answered,
}

/// Window parameters a server's response must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Answered {
    client_window: bool,
    server_window: bool,
}

impl Negotiated {
    /// A server's response to the offer it accepted
    /// ([`DeflateConfig::accept`]): `permessage-deflate` and the
    /// parameters that bind the client.
    pub fn response(&self) -> Value {
        let mut value = Value::new();
        let _ = value.push_str(NAME);
        if self.send_no_context_takeover {
            let _ = value.push_str("; server_no_context_takeover");
        }
        if self.receive_no_context_takeover {
            let _ = value.push_str("; client_no_context_takeover");
        }
        if self.answered.server_window {
            push_bits(&mut value, "server_max_window_bits", self.send_window_bits);
        }
        if self.answered.client_window {
            push_bits(
                &mut value,
                "client_max_window_bits",
                self.receive_window_bits,
            );
        }
        value
    }
}

/// Appends `; name=bits`.
fn push_bits(value: &mut Value, name: &str, bits: u8) {
    let _ = value.push_str("; ");
    let _ = value.push_str(name);
    let _ = value.push_str("=");
    if bits >= 10 {
        let _ = value.push('1');
    }
    let _ = value.push(char::from(b'0' + bits % 10));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::Extension;

    fn accept(config: DeflateConfig, offers: &str) -> Option<(Negotiated, Value)> {
        let offers = offers.split(',').map(Extension::parse);
        config.accept(offers).map(|n| (n, n.response()))
    }

    /// The default offers of the interoperability tests' peers, as their
    /// relay saw them on the wire (dev/tests/interop.rs): Python
    /// `websockets` 17.4 and Node `ws` 8.23.1 (scripts/versions.sh), and
    /// Chromium 156.0.8078.129 (Debian 12's package).
    const PYTHON_WEBSOCKETS_17_4: &str = "permessage-deflate; client_max_window_bits";
    const NODE_WS_8_23_1: &str = "permessage-deflate; client_max_window_bits";
    const CHROMIUM_156: &str = "permessage-deflate; client_max_window_bits";
    /// Firefox ESR 153.8.0 (Debian 12's package), as
    /// `scripts/capture-h2-request.sh firefox` captured it.
    const FIREFOX_153: &str = "permessage-deflate";

    /// Offers as real clients send them, and from RFC 7692, with what a
    /// server configured by default and with 9-bit windows answers.
    #[test]
    fn server_answers() {
        let small = DeflateConfig::new().window_bits(9);
        let cases: [(DeflateConfig, &str, Option<&str>); 18] = [
            // Python websockets 17.4.
            (
                DeflateConfig::new(),
                PYTHON_WEBSOCKETS_17_4,
                Some("permessage-deflate"),
            ),
            (
                small,
                PYTHON_WEBSOCKETS_17_4,
                Some("permessage-deflate; client_max_window_bits=9"),
            ),
            // Node ws 8.23.1.
            (
                DeflateConfig::new(),
                NODE_WS_8_23_1,
                Some("permessage-deflate"),
            ),
            (
                small,
                NODE_WS_8_23_1,
                Some("permessage-deflate; client_max_window_bits=9"),
            ),
            // Chromium 156.0.8078.129.
            (
                DeflateConfig::new(),
                CHROMIUM_156,
                Some("permessage-deflate"),
            ),
            (
                small,
                CHROMIUM_156,
                Some("permessage-deflate; client_max_window_bits=9"),
            ),
            // Firefox ESR 153: no client_max_window_bits, so a small
            // window cannot be granted.
            (
                DeflateConfig::new(),
                FIREFOX_153,
                Some("permessage-deflate"),
            ),
            (small, FIREFOX_153, None),
            // RFC 7692 section 7.1.2.1: a limit on the server's window.
            (
                DeflateConfig::new(),
                "permessage-deflate; server_max_window_bits=10",
                Some("permessage-deflate; server_max_window_bits=10"),
            ),
            // Section 5.2's fallback: the first offer has an unknown
            // parameter, the second is taken.
            (
                DeflateConfig::new(),
                "permessage-deflate; x=1, permessage-deflate; client_max_window_bits",
                Some("permessage-deflate"),
            ),
            (
                small,
                "permessage-deflate, permessage-deflate; client_max_window_bits=12",
                Some("permessage-deflate; client_max_window_bits=9"),
            ),
            (
                DeflateConfig::new(),
                "permessage-deflate; client_max_window_bits=10",
                Some("permessage-deflate; client_max_window_bits=10"),
            ),
            (
                DeflateConfig::new(),
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
            ),
            (
                DeflateConfig::new().peer_no_context_takeover(true),
                "permessage-deflate",
                Some("permessage-deflate; client_no_context_takeover"),
            ),
            (
                DeflateConfig::new().no_context_takeover(true),
                "x-webkit-deflate-frame, permessage-deflate",
                Some("permessage-deflate; server_no_context_takeover"),
            ),
            (DeflateConfig::off(), "permessage-deflate", None),
            (DeflateConfig::new(), "x-webkit-deflate-frame", None),
            (
                DeflateConfig::new(),
                "permessage-deflate; server_max_window_bits=16",
                None,
            ),
        ];
        for (config, offers, expected) in cases {
            let answer = accept(config, offers).map(|(_, v)| v);
            assert_eq!(answer.as_deref(), expected, "{offers:?}");
        }
    }

    #[test]
    fn server_agreement() {
        let (agreed, _) = accept(
            DeflateConfig::new().window_bits(12),
            "permessage-deflate; client_max_window_bits=8; server_max_window_bits=9; \
             server_no_context_takeover",
        )
        .unwrap();
        assert_eq!(
            (
                agreed.receive_window_bits,
                agreed.receive_no_context_takeover,
                agreed.send_window_bits,
                agreed.send_no_context_takeover
            ),
            (8, false, 9, true)
        );
    }

    #[test]
    fn client_offers() {
        let cases = [
            (
                DeflateConfig::new(),
                "permessage-deflate; client_max_window_bits",
            ),
            (
                DeflateConfig::new()
                    .window_bits(10)
                    .peer_no_context_takeover(true),
                "permessage-deflate; client_max_window_bits; server_max_window_bits=10; \
                 server_no_context_takeover",
            ),
            (
                DeflateConfig::new()
                    .window_bits(8)
                    .no_context_takeover(true),
                "permessage-deflate; client_max_window_bits; server_max_window_bits=9; \
                 client_no_context_takeover",
            ),
            (
                DeflateConfig::new().window_bits(99),
                "permessage-deflate; client_max_window_bits",
            ),
        ];
        for (config, offer) in cases {
            assert_eq!(config.offer().as_str(), offer);
        }
    }

    /// Receive window and takeover, send window and takeover.
    type Agreed = (u8, bool, u8, bool);

    #[test]
    fn client_checks_responses() {
        let default = DeflateConfig::new();
        let small = DeflateConfig::new()
            .window_bits(10)
            .peer_no_context_takeover(true);
        let ok: [(DeflateConfig, &str, Agreed); 7] = [
            // Node ws 8.23.1's server (perMessageDeflate: true) answers
            // hybi's default offer with no parameter.
            (default, "", (15, false, 15, false)),
            // Python websockets 17.4's server answers it with 12-bit
            // windows both ways.
            (
                default,
                "server_max_window_bits=12; client_max_window_bits=12",
                (12, false, 12, false),
            ),
            (default, "server_max_window_bits=12", (12, false, 15, false)),
            (default, "client_max_window_bits=8", (15, false, 8, false)),
            (
                default,
                "server_no_context_takeover; client_no_context_takeover",
                (15, true, 15, true),
            ),
            (
                small,
                "server_no_context_takeover; server_max_window_bits=10",
                (10, true, 15, false),
            ),
            (
                small,
                "server_max_window_bits=9;server_no_context_takeover",
                (9, true, 15, false),
            ),
        ];
        for (config, params, expected) in ok {
            let n = config.check_response(params).unwrap();
            let got = (
                n.receive_window_bits,
                n.receive_no_context_takeover,
                n.send_window_bits,
                n.send_no_context_takeover,
            );
            assert_eq!(got, expected, "{params:?}");
        }
        let bad: [(DeflateConfig, &str, ParamError); 8] = [
            (default, "x", ParamError::Unknown),
            (default, "client_max_window_bits", ParamError::Value),
            (default, "server_max_window_bits=16", ParamError::Value),
            (
                default,
                "server_no_context_takeover; server_no_context_takeover",
                ParamError::Duplicate,
            ),
            // A window larger than the one offered.
            (
                small,
                "server_no_context_takeover; server_max_window_bits=11",
                ParamError::Value,
            ),
            // The limit asked for is not granted.
            (small, "server_no_context_takeover", ParamError::Value),
            // The context takeover asked for is not granted.
            (small, "server_max_window_bits=10", ParamError::Value),
            (
                default,
                "server_max_window_bits=10; server_max_window_bits=10",
                ParamError::Duplicate,
            ),
        ];
        for (config, params, expected) in bad {
            assert_eq!(config.check_response(params), Err(expected), "{params:?}");
        }
    }
}
