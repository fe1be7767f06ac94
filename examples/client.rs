//! A line-oriented WebSocket client:
//!
//! ```text
//! cargo run --features std --example client -- ws://127.0.0.1:9001/
//! cargo run --features tls --example client -- wss://127.0.0.1:9443/ --ca ca.pem
//! cargo run --features http2 --example client -- wss://127.0.0.1:9443/ --ca ca.pem --http2
//! cargo run --features http3 --example client -- wss://localhost:9443/ --ca ca.pem --http3
//! ```
//!
//! `--http2` (feature `http2`) opens the WebSocket as a stream of an
//! HTTP/2 connection (RFC 8441) instead of upgrading an HTTP/1.1 one;
//! `--http3` (feature `http3`) as a stream of an HTTP/3 connection over
//! QUIC (RFC 9220), to the same host and port over UDP.
//!
//! `wss://` URLs need feature `tls`; the server's certificate must chain
//! to the built-in roots (`webpki-roots`), or with `--ca CA.pem` to the
//! CA certificates in that file instead (a private CA, or the one
//! `cargo run -p hybi-dev --example tls_certs -- DIR` makes).
//!
//! Sends each line of standard input as a text message and prints each
//! message that comes back on a line of its own (binary ones as hex) the
//! moment it arrives. At the end of input it closes with 1000 and waits
//! for the server's close. Try it against the `echo_server` example:
//!
//! ```text
//! printf 'hello\nworld\n' | cargo run --features std --example client -- ws://127.0.0.1:9001/
//! ```
//!
//! The connection is split ([`hybi::net::split`]): the main thread reads
//! standard input and writes, another thread reads and prints. Neither
//! waits for the other, and pings are answered while standard input is
//! quiet.

use std::io::{BufRead, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use std::ops::Deref;

use hybi::Endpoint;
use hybi::close::CloseCode;
use hybi::embedded_io::{Read, Write};
use hybi::net::{self, ClientOptions};
use hybi::split::{Mutex, ReadHalf, Shared, WriteHalf};
use hybi::websocket::{Chunk, Message};

/// How long to wait for the server's close after ours.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let mut url = "ws://127.0.0.1:9001/".to_string();
    let mut ca = None;
    let mut http2 = false;
    let mut http3 = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ca" => match args.next() {
                Some(path) => ca = Some(path),
                None => return usage(),
            },
            "--http2" => http2 = true,
            "--http3" => http3 = true,
            "-h" | "--help" => return usage(),
            _ => url = arg,
        }
    }
    match run(&url, ca.as_deref(), http2, http3) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: client [URL] [--ca CA.pem] [--http2 | --http3]");
    ExitCode::from(2)
}

fn run(
    url: &str,
    ca: Option<&str>,
    http2: bool,
    http3: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let options = ClientOptions::new()
        .connect_timeout(Duration::from_secs(10))
        .handshake_timeout(Duration::from_secs(10))
        .write_timeout(Duration::from_secs(10));
    #[cfg(feature = "tls")]
    let roots = ca.map(hybi::net::tls::load_roots).transpose()?;
    #[cfg(feature = "tls")]
    let options = match &roots {
        Some(roots) => options.roots(hybi::net::tls::Roots::Custom(roots)),
        None => options,
    };
    #[cfg(not(feature = "tls"))]
    if ca.is_some() {
        return Err(
            "--ca needs hybi's feature `tls`: cargo run --features tls --example client".into(),
        );
    }
    let (rx, tx) = (vec![0; 1 << 16], vec![0; 1 << 16]);
    if http2 {
        #[cfg(feature = "http2")]
        {
            use hybi::net::http2;
            let session = http2::Session::connect(url, &options)?;
            let path = hybi::net::Url::parse(url)?.path;
            let (ws, connected) = session.open_with(path, &options, rx, tx)?;
            report(url, " over HTTP/2", connected.protocol);
            let (reader, writer) = http2::split(ws)?;
            return talk(reader, writer);
        }
        #[cfg(not(feature = "http2"))]
        return Err(
            "--http2 needs hybi's feature `http2`: cargo run --features http2 --example client"
                .into(),
        );
    }
    if http3 {
        #[cfg(feature = "http3")]
        {
            use hybi::net::http3;
            let session = http3::Session::connect(url, &options)?;
            let path = hybi::net::Url::parse(url)?.path;
            let (ws, connected) = session.open_with(path, &options, rx, tx)?;
            report(url, " over HTTP/3", connected.protocol);
            let (reader, writer) = http3::split(ws)?;
            return talk(reader, writer);
        }
        #[cfg(not(feature = "http3"))]
        return Err(
            "--http3 needs hybi's feature `http3`: cargo run --features http3 --example client"
                .into(),
        );
    }
    let (ws, connected) = net::connect_with(url, &options, rx, tx)?;
    report(url, "", connected.protocol);
    let (reader, writer) = net::split(ws)?;
    talk(reader, writer)
}

fn report(url: &str, over: &str, protocol: Option<&str>) {
    eprintln!(
        "connected to {url}{over}{}",
        protocol.map_or(String::new(), |p| format!(" ({p})"))
    );
}

/// Standard input out, messages printed as they come, on two threads.
fn talk<S, R, M, W, E, WB>(
    mut reader: ReadHalf<S, R, Vec<u8>, E>,
    mut writer: WriteHalf<S>,
) -> Result<(), Box<dyn std::error::Error>>
where
    S: Deref<Target = Shared<M, W, E, WB>> + Send + 'static,
    M: Mutex,
    R: Read<Error = std::io::Error> + Send + 'static,
    W: Write<Error = std::io::Error>,
    E: Endpoint + Send + 'static,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    // The printer says when the server's close has ended it.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(print(&mut reader)));

    for line in std::io::stdin().lock().lines() {
        writer.send_text(&line?)?;
    }
    writer.close(CloseCode::NORMAL, "")?;
    match finished.recv_timeout(CLOSE_WAIT) {
        Ok(result) => Ok(result?),
        Err(_) => Err("the server did not answer the close".into()),
    }
}

/// Prints each message as it arrives, until the server's close.
fn print<S, R, M, W, E, WB>(reader: &mut ReadHalf<S, R, Vec<u8>, E>) -> Result<(), String>
where
    S: Deref<Target = Shared<M, W, E, WB>>,
    M: Mutex,
    R: Read<Error = std::io::Error>,
    W: Write<Error = std::io::Error>,
    E: Endpoint,
    WB: AsRef<[u8]> + AsMut<[u8]>,
{
    let mut message = Vec::new();
    let mut stdout = std::io::stdout();
    loop {
        match reader.read_chunk().map_err(|e| e.to_string())? {
            Chunk::Text { data, last } => {
                message.extend_from_slice(data.as_bytes());
                if last {
                    message.push(b'\n');
                    stdout.write_all(&message).map_err(|e| e.to_string())?;
                    message.clear();
                }
            }
            Chunk::Binary { data, last } => {
                message.extend_from_slice(data);
                if last {
                    let hex: String = message.iter().map(|b| format!("{b:02x}")).collect();
                    writeln!(stdout, "[binary, {} bytes] {hex}", message.len())
                        .map_err(|e| e.to_string())?;
                    message.clear();
                }
            }
            Chunk::Control(Message::Close(close)) => {
                match close {
                    Some(close) if close.reason().is_empty() => {
                        eprintln!("closed: {}", close.code())
                    }
                    Some(close) => eprintln!("closed: {} {}", close.code(), close.reason()),
                    None => eprintln!("closed"),
                }
                return Ok(());
            }
            Chunk::Control(_) => {}
        }
        stdout.flush().map_err(|e| e.to_string())?;
    }
}
