//! What `h2_bench` and `h3_bench` share: the server process and its echo,
//! a run's round trips and their summary, the median of runs, and numbers
//! with thousands separators. Each includes this file by its path.

use std::error::Error;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use hybi::handshake::server::Response;
use hybi::net::tls::rustls::ServerConfig;
use hybi::net::{self, ServerOptions, http2};
use hybi::websocket::Message;

/// One run's result: messages per second, p50 and p99 in microseconds.
pub type Run = (f64, f64, f64);

/// With the arguments `--serve CERT KEY`, this program is the echo server:
/// `serve` starts it, its port is printed for [`with_server`], and it runs
/// until killed. Otherwise it returns.
pub fn serve_if_asked(
    args: &[String],
    serve: impl FnOnce(&str, &str) -> Result<u16, Box<dyn Error>>,
) -> Result<(), Box<dyn Error>> {
    if let [flag, cert, key] = args {
        if flag == "--serve" {
            println!("{}", serve(cert, key)?);
            loop {
                thread::park();
            }
        }
    }
    Ok(())
}

/// Runs `bench` with the port of an echo server in a process of its own
/// (this program started again with `--serve CERT KEY`: [`serve_if_asked`]),
/// which is killed after.
pub fn with_server(
    cert: &str,
    key: &str,
    bench: impl FnOnce(u16) -> Result<(), Box<dyn Error>>,
) -> Result<(), Box<dyn Error>> {
    let mut server = Command::new(std::env::current_exe()?)
        .args(["--serve", cert, key])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    let stdout = server.stdout.take().ok_or("no server output")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    let result = line.trim().parse().map_err(Into::into).and_then(bench);
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// Serves WebSockets over HTTP/1.1 and HTTP/2 on `listener` with
/// `config` (which offers ALPN `h2`), echoing each on a thread of its own,
/// in the background.
pub fn serve_tls(listener: TcpListener, config: Arc<ServerConfig>, options: ServerOptions) {
    thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || {
                let (rx, tx) = options.buffers();
                match http2::accept_tls(socket, &config, &options, rx, tx, |_| Response::accept()) {
                    Ok(http2::Accepted::Http1(net::Accepted::WebSocket(ws, _))) => echo(ws),
                    Ok(http2::Accepted::Http2(mut connection)) => {
                        while let Some(request) = connection.accept() {
                            let (rx, tx) = options.buffers();
                            if let Ok((ws, _)) = request.accept(rx, tx, |_| Response::accept()) {
                                thread::spawn(move || echo(ws));
                            }
                        }
                    }
                    _ => {}
                }
            });
        }
    });
}

/// Echoes every message until the close or an error.
pub fn echo<T>(mut ws: hybi::WebSocket<T, net::Growable, hybi::Server, Vec<u8>>)
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write,
{
    while let Ok((message, mut writer)) = ws.read_with_writer() {
        let echoed = match message {
            Message::Text(text) => writer.write_text(text),
            Message::Binary(data) => writer.write_binary(data),
            Message::Close(_) => return,
            _ => Ok(()),
        };
        if echoed.is_err() {
            return;
        }
    }
}

/// Echoes `size`-byte messages for `seconds` over a WebSocket `send` runs
/// one round trip on: the round trips, in microseconds.
pub fn echoes(seconds: u64, size: usize, mut send: impl FnMut(&[u8]) -> bool) -> Vec<f64> {
    let message = vec![7u8; size];
    let mut rtts = Vec::new();
    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        let t = Instant::now();
        if !send(&message) {
            break;
        }
        rtts.push(t.elapsed().as_secs_f64() * 1e6);
    }
    rtts
}

/// A run of `seconds` that made the round trips `rtts`, in microseconds.
pub fn summary(mut rtts: Vec<f64>, seconds: u64) -> Run {
    rtts.sort_by(f64::total_cmp);
    let at = |q: f64| rtts.get(((rtts.len() as f64 - 1.0) * q) as usize).copied();
    let rate = rtts.len() as f64 / seconds as f64;
    (rate, at(0.5).unwrap_or(0.0), at(0.99).unwrap_or(0.0))
}

/// Each column's median over `runs`.
pub fn medians(runs: &[Run]) -> Run {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    (
        median(runs.iter().map(|r| r.0).collect()),
        median(runs.iter().map(|r| r.1).collect()),
        median(runs.iter().map(|r| r.2).collect()),
    )
}

/// `n` rounded, with a comma every three digits.
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One round trip on `ws`: `message` sent, and whether a binary message
/// came back.
pub fn round_trip<T, B, E, W>(ws: &mut hybi::WebSocket<T, B, E, W>, message: &[u8]) -> bool
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write,
    B: hybi::Buffer,
    E: hybi::Endpoint,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    ws.send_binary(message).is_ok() && matches!(ws.read(), Ok(Message::Binary(_)))
}
