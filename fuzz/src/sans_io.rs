//! The connection core driven with no transport at all: the input fed to
//! `Connection` in the [`Mock`]'s pieces, what it has to transmit taken
//! in the [`Mock`]'s write sizes, messages echoed as `drive` echoes them,
//! so that a run agrees byte for byte with the blocking driver's.

use embedded_io::{ErrorKind, Read, Write};
use hybi::Endpoint;
use hybi::connection::{self, Chunk, Connection, Message, Queued, Sender};
use hybi::reassembly::DataKind;
use hybi::websocket::Error;

use crate::{Mock, Msg, Outcome, append};

/// A connection core over the buffers the targets use.
pub type Core<E> = Connection<E, Vec<u8>, Vec<u8>>;

/// Moves everything `conn` has to transmit to `mock`, in its write sizes.
pub fn transmit<E: Endpoint>(conn: &mut Core<E>, mock: &mut Mock) {
    while !conn.transmit().is_empty() {
        let n = mock.write(conn.transmit()).expect("in memory");
        conn.transmitted(n);
    }
}

/// [`transmit`] through a sender.
fn transmit_sender<E: Endpoint>(sender: &mut Sender<'_, E, Vec<u8>>, mock: &mut Mock) {
    while !sender.transmit().is_empty() {
        let n = mock.write(sender.transmit()).expect("in memory");
        sender.transmitted(n);
    }
}

/// Feeds `conn` the next piece of input: false at its end (after which
/// the connection is over), true otherwise; a transport error is no input.
pub fn receive<E: Endpoint>(conn: &mut Core<E>, mock: &mut Mock) -> bool {
    match mock.read(conn.receive_buffer()) {
        Ok(0) => false,
        Ok(n) => {
            conn.received(n);
            true
        }
        Err(ErrorKind::TimedOut) => true,
        Err(e) => panic!("in memory: {e:?}"),
    }
}

/// Queues a frame whatever its size, transmitting as the write buffer
/// fills.
fn queue<E: Endpoint>(
    sender: &mut Sender<'_, E, Vec<u8>>,
    mock: &mut Mock,
    payload: &[u8],
    mut frame: impl FnMut(&mut Sender<'_, E, Vec<u8>>) -> Result<Queued, connection::Error>,
) -> Result<(), connection::Error> {
    let taken = loop {
        match frame(sender)? {
            Queued::Whole => return Ok(()),
            Queued::Partly(n) => break n,
            Queued::Full => transmit_sender(sender, mock),
        }
    };
    let mut rest = &payload[taken..];
    while !rest.is_empty() {
        transmit_sender(sender, mock);
        let n = sender.write_payload(rest);
        rest = &rest[n..];
    }
    Ok(())
}

/// Reads `conn` to its end as `drive` reads a `WebSocket`, echoing the
/// same way.
pub fn drive_core<E: Endpoint>(
    conn: &mut Core<E>,
    mock: &mut Mock,
    chunks: bool,
    close_first: bool,
) -> Outcome {
    let mut echoed = 0usize;
    let mut closed_first = false;
    let mut messages = Vec::new();
    let mut partial: Option<Msg> = None;
    let mut calls = 0usize;
    let end = loop {
        calls += 1;
        let bound = mock.input_len() + mock.errors_returned() + 8;
        assert!(calls <= 4 * bound + 64, "reading does not end");
        let result = if chunks {
            match conn.read_chunk_with_sender() {
                Ok(Some((chunk, mut sender))) => {
                    let (kind, data, last) = match chunk {
                        Chunk::Text { data, last } => (DataKind::Text, data.as_bytes(), last),
                        Chunk::Binary { data, last } => (DataKind::Binary, data, last),
                        Chunk::Control(m) => {
                            messages.push(Msg::of(&m));
                            continue;
                        }
                    };
                    append(&mut partial, &mut messages, kind, data, last);
                    echo(
                        &mut sender,
                        mock,
                        kind,
                        data,
                        last,
                        close_first,
                        &mut echoed,
                        &mut closed_first,
                    )
                    .map(Some)
                }
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            }
        } else {
            match conn.read_with_sender() {
                Ok(Some((message, mut sender))) => {
                    let result = match message {
                        Message::Text(t) => echo(
                            &mut sender,
                            mock,
                            DataKind::Text,
                            t.as_bytes(),
                            true,
                            close_first,
                            &mut echoed,
                            &mut closed_first,
                        ),
                        Message::Binary(b) => echo(
                            &mut sender,
                            mock,
                            DataKind::Binary,
                            b,
                            true,
                            close_first,
                            &mut echoed,
                            &mut closed_first,
                        ),
                        _ => Ok(()),
                    };
                    messages.push(Msg::of(&message));
                    result.map(Some)
                }
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            }
        };
        match result {
            Ok(Some(())) => {}
            // Nothing to hand out: transmit what is owed, else receive.
            Ok(None) if !conn.transmit().is_empty() => transmit(conn, mock),
            Ok(None) => {
                if !receive(conn, mock) {
                    break Error::from(conn.end_of_input());
                }
            }
            Err(e) => {
                transmit(conn, mock);
                break Error::from(e);
            }
        }
    };
    transmit(conn, mock);
    Outcome {
        messages,
        end,
        echoed,
        closed_first,
    }
}

/// Echoes a message or chunk as `drive`'s echo does.
#[allow(clippy::too_many_arguments)]
fn echo<E: Endpoint>(
    sender: &mut Sender<'_, E, Vec<u8>>,
    mock: &mut Mock,
    kind: DataKind,
    data: &[u8],
    last: bool,
    close_first: bool,
    echoed: &mut usize,
    closed_first: &mut bool,
) -> Result<(), connection::Error> {
    if *closed_first {
        return Ok(());
    }
    queue(sender, mock, data, |s| s.write_fragment(kind, data, last))?;
    if last {
        *echoed += 1;
        if close_first {
            queue(sender, mock, &[], |s| {
                s.close(hybi::close::CloseCode::NORMAL, "bye")
            })?;
            transmit_sender(sender, mock);
            *closed_first = true;
        }
    }
    Ok(())
}

/// The error a blocking connection reports for `e`.
pub fn error(e: connection::Error) -> Error<ErrorKind> {
    Error::from(e)
}
