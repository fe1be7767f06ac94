//! The client side of the Autobahn|Testsuite: echoes whatever the fuzzing
//! server sends, case after case.
//!
//! ```text
//! cargo run --release --features std,deflate --example autobahn_client -- ws://127.0.0.1:9001 hybi
//! ```
//!
//! with the fuzzing server running, e.g.
//! `docker run -it --rm -v "$PWD/autobahn:/config" -v "$PWD/autobahn/reports:/reports"
//! -p 9001:9001 crossbario/autobahn-testsuite wstest -m fuzzingserver -s /config/fuzzingserver.json`.
//! Arguments: the server's URL (default `ws://127.0.0.1:9001`) and the agent
//! name for the report (default `hybi`).
//!
//! Reads `/getCaseCount`, runs each case at `/runCase?case=N&agent=...`
//! echoing every message chunk by chunk (any size through 64 KiB buffers,
//! up to 64 MiB a message), then asks for `/updateReports?agent=...`. An
//! error ends its case only: many cases are meant to end in one. With
//! feature `deflate` it offers permessage-deflate (cases 12 and 13):
//! `--features std,deflate`.

use std::process::ExitCode;
use std::time::Duration;

use hybi::net::{self, ClientOptions, Growable, OsRandom, Stream};
use hybi::reassembly::DataKind;
use hybi::websocket::{Chunk, Config, Message, WebSocket};

/// The largest message echoed (the largest case sends 16 MiB).
const MAX_MESSAGE_LEN: u64 = 64 * 1024 * 1024;

/// Each connection's read and write buffers.
const BUFFER_LEN: usize = 64 * 1024;

/// A read buffer that keeps its size (messages pass through it in
/// chunks), with inflate memory for permessage-deflate under feature
/// `deflate`.
type Client = WebSocket<Stream, Growable, hybi::Client<OsRandom>, Vec<u8>>;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let base = args.next().unwrap_or_else(|| "ws://127.0.0.1:9001".into());
    let base = base.trim_end_matches('/');
    let agent = args.next().unwrap_or_else(|| "hybi".into());

    let count = match case_count(base) {
        Ok(count) => count,
        Err(e) => {
            eprintln!("cannot get the case count from {base}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("{count} cases");
    for case in 1..=count {
        let url = format!("{base}/runCase?case={case}&agent={agent}");
        match connect(&url)
            .map_err(|e| e.to_string())
            .and_then(|ws| echo(ws).map_err(|e| e.to_string()))
        {
            Ok(()) => eprintln!("case {case}/{count}: closed"),
            Err(e) => eprintln!("case {case}/{count}: {e}"),
        }
    }
    let url = format!("{base}/updateReports?agent={agent}");
    match connect(&url)
        .map_err(|e| e.to_string())
        .and_then(|ws| drain(ws).map_err(|e| e.to_string()))
    {
        Ok(_) => {
            eprintln!("reports updated");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot update the reports: {e}");
            ExitCode::FAILURE
        }
    }
}

fn connect(url: &str) -> Result<Client, net::ConnectError> {
    let options = ClientOptions::new()
        .connect_timeout(Duration::from_secs(10))
        .handshake_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(60))
        .write_timeout(Duration::from_secs(60))
        .config(Config::new().max_message_len(MAX_MESSAGE_LEN));
    let rx = Growable::with_limit(BUFFER_LEN, BUFFER_LEN);
    let (ws, _) = net::connect_with(url, &options, rx, vec![0; BUFFER_LEN])?;
    Ok(ws)
}

/// `/getCaseCount` answers with one text message: the number of cases.
fn case_count(base: &str) -> Result<u32, Box<dyn std::error::Error>> {
    let ws = connect(&format!("{base}/getCaseCount"))?;
    let text = drain(ws)?.ok_or("no case count received")?;
    Ok(text.trim().parse()?)
}

/// Reads until the server closes; returns the first text message.
fn drain(mut ws: Client) -> Result<Option<String>, net::Error> {
    let mut first = None;
    loop {
        match ws.read()? {
            Message::Text(text) if first.is_none() => first = Some(text.to_owned()),
            Message::Close(_) => return Ok(first),
            _ => {}
        }
    }
}

/// Echoes every message chunk by chunk until the server closes.
fn echo(mut ws: Client) -> Result<(), net::Error> {
    loop {
        let (chunk, mut writer) = ws.read_chunk_with_writer()?;
        match chunk {
            Chunk::Text { data, last } => {
                writer.write_fragment(DataKind::Text, data.as_bytes(), last)?
            }
            Chunk::Binary { data, last } => writer.write_fragment(DataKind::Binary, data, last)?,
            Chunk::Control(Message::Close(_)) => return Ok(()),
            Chunk::Control(_) => {}
        }
    }
}
