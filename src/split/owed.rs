//! What the read half owes the peer and hands to the write half (RFC 6455
//! sections 5.5.1 to 5.5.3), and the connection's state, which both halves
//! change.

use heapless::Vec;

use crate::close::CloseCode;
use crate::connection::rules::Answers;
use crate::connection::{self, State};
use crate::frame::MAX_CONTROL_PAYLOAD;

/// The answers owed and the state: a few bytes more than a pong's payload.
#[derive(Debug)]
pub struct Owed {
    pub(super) state: State,
    pub(super) due: Due,
    /// What ended the connection on the read side, for the write half to
    /// report.
    pub(super) ended: Option<connection::Error>,
}

/// The answers owed.
#[derive(Debug, Default)]
pub(super) struct Due {
    /// The pong owed for the last ping: only the most recent needs one
    /// (section 5.5.3).
    pub(super) pong: Option<Vec<u8, MAX_CONTROL_PAYLOAD>>,
    /// The close owed: the answer to the peer's, or the one for a protocol
    /// error (an empty close for `Some(None)`).
    pub(super) close: Option<Option<CloseCode>>,
    /// Whether a ping may replace the one whose pong is still owed: only
    /// while the write half is busy, so that reading never waits for it.
    pub(super) replace: bool,
}

impl Owed {
    pub(super) fn new(state: State) -> Self {
        Owed {
            state,
            due: Due::default(),
            ended: None,
        }
    }

    /// Whether anything is owed.
    pub(super) fn is_due(&self) -> bool {
        self.due.pong.is_some() || self.due.close.is_some()
    }

    /// Takes out what is owed, to send.
    pub(super) fn take(&mut self) -> Due {
        Due {
            pong: self.due.pong.take(),
            close: self.due.close.take(),
            replace: false,
        }
    }

    /// Puts back what could not be sent; anything owed since comes first.
    pub(super) fn put_back(&mut self, due: Due) {
        if self.due.pong.is_none() {
            self.due.pong = due.pong;
        }
        if self.due.close.is_none() {
            self.due.close = due.close;
        }
    }
}

/// The read half's answers are owed: the read half itself sends them when
/// the write side is free, the write half when it is not.
impl Answers for Due {
    fn room_for_pong(&self, _payload_len: usize) -> bool {
        self.pong.is_none() || self.replace
    }

    fn pong(&mut self, payload: &[u8]) {
        // A control frame's payload: it fits.
        self.pong = Vec::from_slice(payload).ok();
    }

    fn close(&mut self, code: Option<CloseCode>) -> bool {
        self.close = Some(code);
        true
    }

    fn all_sent(&self) -> bool {
        true
    }
}
