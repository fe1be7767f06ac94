//! What the protocol asks of the receiving end, written once (RFC 6455
//! sections 5.5.1, 5.5.2, 7.1.5 to 7.1.7 and 7.4.1): the pong each ping is
//! owed, the answer to the peer's close, the close a protocol error calls
//! for, and the state each moves the connection to. Where the answers go
//! is the caller's: a [`Connection`](super::Connection) queues them in its
//! own write buffer, a split connection's read half hands them to its
//! write half.

use super::inbox::{Control, Event, Inbox, Mode, Step, What};
use super::{Error, MIN_READ_BUFFER, State};
use crate::close::{CloseCode, CloseFrame};
use crate::connection::Buffer;
use crate::frame::Opcode;
use crate::{ProtocolError, Role};

/// Where the answers to control frames go.
pub(crate) trait Answers {
    /// Whether a pong with `payload_len` bytes would be taken now.
    fn room_for_pong(&self, payload_len: usize) -> bool;
    /// Takes a pong, after [`Answers::room_for_pong`] said there was room.
    fn pong(&mut self, payload: &[u8]);
    /// Takes a close with `code` (an empty one for `None`): the answer to
    /// the peer's close or the close for a protocol error. False: not now,
    /// a frame is half sent.
    fn close(&mut self, code: Option<CloseCode>) -> bool;
    /// Whether every answer taken has gone out: the peer's close is handed
    /// out only then.
    fn all_sent(&self) -> bool;
}

/// What the caller asked of pings and pongs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flags {
    pub(crate) auto_pong: bool,
    pub(crate) show_control: bool,
}

/// What to do about a control frame.
enum Handled {
    /// Hand this out.
    Event(Event),
    /// Taken in, nothing to hand out: go on.
    Again,
    /// It waits until the answer can be taken, or has gone out.
    Blocked,
}

/// Takes in bytes until there is something to hand out (`Some`), or more
/// bytes, or room for an answer, are needed (`None`).
pub(crate) fn poll<B, A>(
    inbox: &mut Inbox<B>,
    state: &mut State,
    flags: Flags,
    answers: &mut A,
    mode: Mode,
    role: Role,
) -> Result<Option<Event>, Error>
where
    B: Buffer,
    A: Answers,
{
    match *state {
        State::Handshake => return Err(Error::InvalidState),
        State::Closed => return Err(Error::Closed),
        State::Open | State::CloseSent => {}
    }
    if inbox.buffer().len() < MIN_READ_BUFFER {
        return Err(Error::BufferTooSmall);
    }
    inbox.release();
    loop {
        let step = inbox
            .step(mode, role)
            .map_err(|e| fail(state, answers, e))?;
        match step {
            Step::Data(event) => return Ok(Some(event)),
            Step::Again => {}
            Step::Control(control) => match self::control(inbox, state, flags, answers, control)? {
                Handled::Event(event) => return Ok(Some(event)),
                Handled::Again => {}
                Handled::Blocked => return Ok(None),
            },
            Step::Wait => {
                if let Some(event) = inbox.ready_chunk(mode) {
                    return Ok(Some(event));
                }
                inbox.make_room().map_err(|e| fail(state, answers, e))?;
                return Ok(None);
            }
        }
    }
}

/// Handles a whole control frame: the pong a ping is owed (section
/// 5.5.2), the answer to a close (section 5.5.1).
fn control<B, A>(
    inbox: &mut Inbox<B>,
    state: &mut State,
    flags: Flags,
    answers: &mut A,
    control: Control,
) -> Result<Handled, Error>
where
    B: Buffer,
    A: Answers,
{
    let show = flags.show_control;
    match control.opcode {
        Opcode::Ping => {
            let answer = flags.auto_pong && *state == State::Open;
            if answer && !answers.room_for_pong(control.payload_len) {
                return Ok(Handled::Blocked);
            }
            let payload = inbox.take_control(control);
            if answer {
                answers.pong(&inbox.buffer()[payload.clone()]);
            }
            Ok(if show {
                Handled::Event(Event {
                    what: What::Ping,
                    range: payload,
                })
            } else {
                Handled::Again
            })
        }
        Opcode::Pong => {
            let payload = inbox.take_control(control);
            Ok(if show {
                Handled::Event(Event {
                    what: What::Pong,
                    range: payload,
                })
            } else {
                Handled::Again
            })
        }
        _ => {
            let payload = inbox.unmask_control(control);
            let close = match CloseFrame::parse(&inbox.buffer()[payload.clone()]) {
                Ok(close) => close,
                Err(e) => {
                    inbox.take_control(control);
                    return Err(fail(state, answers, e));
                }
            };
            if *state == State::Open {
                // Echo the code (section 5.5.1); an empty close gets an
                // empty close.
                if !answers.close(close.map(|c| c.code())) {
                    return Ok(Handled::Blocked);
                }
                *state = State::CloseSent;
            }
            if !answers.all_sent() {
                return Ok(Handled::Blocked);
            }
            inbox.take_control(control);
            *state = State::Closed;
            Ok(Handled::Event(Event {
                what: What::Close,
                range: payload,
            }))
        }
    }
}

/// The peer broke the protocol (section 7.1.7): the close with the code
/// the error names (section 7.4.1) goes to the peer if this end had not
/// sent one, and the connection is over. Not inlined: its callers are
/// many, and each copy would cost more than the call.
#[inline(never)]
pub(crate) fn fail<A: Answers>(state: &mut State, answers: &mut A, error: ProtocolError) -> Error {
    if *state == State::Open {
        // Not taken only in the middle of a frame, where no close can go:
        // the peer sees the connection end without one.
        answers.close(Some(error.close_code()));
    }
    *state = State::Closed;
    Error::Protocol(error)
}
