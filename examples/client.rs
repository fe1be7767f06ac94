//! A line-oriented WebSocket client:
//!
//! ```text
//! cargo run --features std --example client -- ws://127.0.0.1:9001/
//! ```
//!
//! Sends each line of standard input as a text message and prints each
//! message that comes back on a line of its own (binary ones as hex). At
//! the end of input it closes with 1000 and waits for the server's close.
//! Try it against the `echo_server` example:
//!
//! ```text
//! printf 'hello\nworld\n' | cargo run --features std --example client -- ws://127.0.0.1:9001/
//! ```

use std::io::{BufRead, Write as _};
use std::process::ExitCode;
use std::sync::mpsc::{self, TryRecvError};
use std::time::{Duration, Instant};

use hybi::close::CloseCode;
use hybi::net::{self, ClientOptions};
use hybi::websocket::{Chunk, Error, Message};

/// How often the connection stops reading to send what standard input has.
const POLL: Duration = Duration::from_millis(20);

/// How long to wait for the server's close after ours.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:9001/".into());
    match run(&url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let options = ClientOptions::new()
        .connect_timeout(Duration::from_secs(10))
        .handshake_timeout(Duration::from_secs(10))
        .read_timeout(POLL)
        .write_timeout(Duration::from_secs(10));
    let (mut ws, connected) = net::connect_with(url, &options, vec![0; 1 << 16], vec![0; 1 << 16])?;
    eprintln!(
        "connected to {url}{}",
        connected
            .protocol
            .map_or(String::new(), |p| format!(" ({p})"))
    );

    // Standard input on its own thread; the connection polls for its lines
    // between reads, so messages from the server show up at any time.
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    let mut closing: Option<Instant> = None;
    let mut message = Vec::new();
    let mut stdout = std::io::stdout();
    loop {
        while closing.is_none() {
            match lines.try_recv() {
                Ok(Ok(line)) => ws.write_text(&line)?,
                Ok(Err(e)) => return Err(e.into()),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    ws.close(CloseCode::NORMAL, "")?;
                    closing = Some(Instant::now());
                }
            }
        }
        ws.flush()?;
        if closing.is_some_and(|since| since.elapsed() > CLOSE_WAIT) {
            return Err("the server did not answer the close".into());
        }

        match ws.read_chunk() {
            Ok(Chunk::Text { data, last }) => {
                message.extend_from_slice(data.as_bytes());
                if last {
                    stdout.write_all(&message)?;
                    stdout.write_all(b"\n")?;
                    message.clear();
                }
            }
            Ok(Chunk::Binary { data, last }) => {
                message.extend_from_slice(data);
                if last {
                    let hex: String = message.iter().map(|b| format!("{b:02x}")).collect();
                    writeln!(stdout, "[binary, {} bytes] {hex}", message.len())?;
                    message.clear();
                }
            }
            Ok(Chunk::Control(Message::Close(close))) => {
                match close {
                    Some(close) if close.reason().is_empty() => {
                        eprintln!("closed: {}", close.code().as_u16())
                    }
                    Some(close) => {
                        eprintln!("closed: {} {}", close.code().as_u16(), close.reason())
                    }
                    None => eprintln!("closed"),
                }
                return Ok(());
            }
            Ok(Chunk::Control(_)) => {}
            // Nothing arrived within the poll interval: send what is new.
            Err(Error::Io(e)) if net::is_timeout(&e) => {}
            Err(e) => return Err(e.into()),
        }
        stdout.flush()?;
    }
}
