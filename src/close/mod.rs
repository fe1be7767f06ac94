//! Close codes and close frame payloads (RFC 6455 sections 5.5.1 and 7.4).
//!
//! A close payload is either empty or a 2-byte big-endian code followed by a
//! UTF-8 reason, 125 bytes in all. [`CloseFrame::parse`] checks a received one;
//! [`CloseFrame::new`] checks one before it is sent and
//! [`CloseFrame::encode`] writes it. A received close borrows the read
//! buffer; [`CloseFrame::into_owned`] copies it into an [`OwnedClose`] to
//! keep past the next read.

mod code;
mod frame;

pub use code::CloseCode;
pub use frame::{CloseFrame, OwnedClose};

/// The longest close payload: a control frame carries at most 125 bytes.
pub const MAX_CLOSE_PAYLOAD: usize = 125;

/// The longest reason that fits beside a close code.
pub const MAX_REASON_LEN: usize = MAX_CLOSE_PAYLOAD - 2;
