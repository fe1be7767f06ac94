//! permessage-deflate (RFC 7692): messages compressed with DEFLATE
//! (RFC 1951), negotiated in the opening handshake.
//!
//! - [`DeflateConfig`]: what an endpoint offers or accepts, part of
//!   [`Config`](crate::Config); [`Negotiated`]: what the two ends agreed.
//! - [`params`]: the parameters of an offer or a response, checked.
//! - `Deflater` (with `std`): compresses the messages this end sends.
//!
//! Receiving needs no heap: the inflate state and its window are memory the
//! caller gives. Sending compresses with `std`; without it, messages go out
//! uncompressed, which the extension allows (section 6).

#[cfg(feature = "std")]
mod compress;
mod inflate;
mod inflating;
mod negotiate;
pub mod params;

#[cfg(feature = "std")]
pub use compress::{Deflated, Deflater};
pub use inflate::{
    InflateError, InflateMemory, InflateState, Inflated, Inflater, TAIL, window_len,
};
pub use inflating::Inflating;

pub use negotiate::{
    DEFAULT_LEVEL, DEFAULT_MIN_LEN, DeflateConfig, MAX_VALUE_LEN, MIN_CONFIG_WINDOW_BITS, NAME,
    Negotiated, Value,
};
pub use params::{MAX_WINDOW_BITS, MIN_WINDOW_BITS};
