//! Interoperability with other WebSocket implementations, over real sockets
//! on 127.0.0.1:
//!
//! | peer | as client of `echo_server` | as server for `hybi::net` |
//! |---|---|---|
//! | Python `websockets` | `tests/interop/py_client.py` | `tests/interop/py_server.py` |
//! | Node `ws` | `tests/interop/node_client.js` | `tests/interop/node_server.js` |
//! | Chromium (Playwright) | `tests/interop/browser.js` | |
//! | Chromium (Playwright) using the test page's controls | `tests/interop/page.js` | |
//! | Node `http2`, WebSockets over HTTP/2 (feature `http2`) | `tests/interop/node_h2_client.js` | `tests/interop/node_h2_server.js` |
//! | Chromium over HTTP/2 (feature `http2`) | `tests/interop/browser_h2.js` | |
//! | Python `hypercorn` over HTTP/2 (feature `http2`) | | `tests/interop/hypercorn_app.py` |
//!
//! The peers are not Rust crates: `bash scripts/interop-setup.sh` installs
//! them under `target/interop/` (and Chromium from the system's packages),
//! so these tests are ignored by a plain `cargo test`. Run them with
//!
//! ```text
//! bash scripts/interop-setup.sh
//! cargo test -p hybi-dev --all-features --test interop -- --include-ignored
//! ```
//!
//! Run that way, a test whose peer is missing fails and says what to
//! install. Where the peers are can be overridden: `HYBI_INTEROP_PYTHON` (a
//! Python with `websockets`), `HYBI_INTEROP_NODE` (the `node` binary),
//! `HYBI_INTEROP_NODE_MODULES` (a `node_modules` with `ws` and
//! `playwright-core`), `HYBI_INTEROP_CHROMIUM` (the browser) and
//! `HYBI_ECHO_SERVER` (a built `echo_server` example; by default the test
//! builds it with `cargo build --release --features std --example
//! echo_server`).
//!
//! Every port is picked free at run time, every process is stopped by its
//! PID when its guard drops (on failure too), and every wait is bounded.
//!
//! With feature `tls`, each test runs over TLS too (`wss://`, and the
//! page over `https://`): a throwaway CA and a server certificate for
//! `localhost` and `127.0.0.1` are made as the test runs
//! (`dev/tests/support/certs.rs`) and written to a temporary directory; the
//! peers trust that CA and check the host name, but for Chromium, which
//! is told to ignore certificate errors for those tests only.
#![cfg(feature = "std")]

#[cfg(feature = "tls")]
#[path = "support/certs.rs"]
mod certs;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use hybi::close::CloseCode;
use hybi::net::{self, ClientOptions, OsRandom, Stream};
use hybi::websocket::{Config, Message, WebSocket};

/// How to make the peers available, for every failure that lacks one.
const SETUP: &str = "run `bash scripts/interop-setup.sh` first";

/// The longest wait for one exchange or one line of output.
const STEP: Duration = Duration::from_secs(30);

/// The longest a peer script may run from start to exit.
const RUN: Duration = Duration::from_secs(120);

/// The message sizes each direction checks, in bytes.
const SIZES: [usize; 5] = [0, 125, 126, 64 * 1024, 1024 * 1024];

/// The repository: this test lives in the hybi-dev package (dev/).
fn root() -> &'static Path {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR"));
    dev.parent().unwrap_or(dev)
}

// ---------------------------------------------------------------------------
// Processes

/// A child process and its output, line by line. Dropping it stops the
/// process: SIGTERM (so a Playwright driver can close its browser), then
/// SIGKILL if it has not exited within 5 seconds.
struct Peer {
    name: String,
    child: Child,
    stdout: Receiver<String>,
    stdout_seen: Arc<Mutex<Vec<String>>>,
    stderr_seen: Arc<Mutex<Vec<String>>>,
    stderr: Receiver<String>,
    /// Disconnected when the reader threads reach the end of the output.
    ended: [Receiver<()>; 2],
}

impl Peer {
    fn spawn(name: &str, command: &mut Command) -> Peer {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({command:?}): {e}; {SETUP}"));
        let stdout_seen = Arc::new(Mutex::new(Vec::new()));
        let stderr_seen = Arc::new(Mutex::new(Vec::new()));
        let (stdout, stdout_ended) = lines(child.stdout.take().unwrap(), stdout_seen.clone());
        let (stderr, stderr_ended) = lines(child.stderr.take().unwrap(), stderr_seen.clone());
        Peer {
            name: name.to_owned(),
            child,
            stdout,
            stdout_seen,
            stderr_seen,
            stderr,
            ended: [stdout_ended, stderr_ended],
        }
    }

    /// Everything printed so far, for failure messages.
    fn output(&self) -> String {
        format!(
            "{} stdout:\n{}\n{} stderr:\n{}",
            self.name,
            self.stdout_seen.lock().unwrap().join("\n"),
            self.name,
            self.stderr_seen.lock().unwrap().join("\n"),
        )
    }

    /// The next line on stdout (or stderr) that starts with `prefix`,
    /// within [`STEP`].
    fn expect_line(&self, on_stderr: bool, prefix: &str) -> String {
        let source = if on_stderr {
            &self.stderr
        } else {
            &self.stdout
        };
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match source.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no line starting {prefix:?} in {STEP:?}\n{}", self.output())
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("exited before printing {prefix:?}\n{}", self.output())
                }
            }
        }
    }

    /// Waits up to `limit` for the process to exit; kills it after that.
    fn wait(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads collect the last lines.
                for ended in &self.ended {
                    let _ = ended.recv_timeout(Duration::from_secs(5));
                }
                return status;
            }
            if Instant::now() >= deadline {
                self.stop();
                panic!("did not finish in {limit:?}\n{}", self.output());
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-TERM", &pid])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Forwards each line of `source` to the first receiver and records it;
/// the second receiver disconnects at the end of `source`.
fn lines(
    source: impl Read + Send + 'static,
    seen: Arc<Mutex<Vec<String>>>,
) -> (Receiver<String>, Receiver<()>) {
    let (tx, rx) = mpsc::channel();
    let (ended_tx, ended_rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        let _ended = ended_tx;
        for line in BufReader::new(source).lines() {
            let Ok(line) = line else { break };
            seen.lock().unwrap().push(line.clone());
            let _ = tx.send(line);
        }
    });
    (rx, ended_rx)
}

/// Runs a peer script to its end and returns what it printed on stdout,
/// failing unless it exits with status 0 and printed `ok CHECK` for each
/// of `checks`.
fn run_checks(name: &str, command: &mut Command, checks: &[String]) -> Vec<String> {
    let mut peer = Peer::spawn(name, command);
    let status = peer.wait(RUN);
    let stdout = peer.stdout_seen.lock().unwrap().clone();
    assert!(
        status.success(),
        "{name} failed: {status}\n{}",
        peer.output()
    );
    for check in checks {
        let prefix = format!("ok {check}");
        assert!(
            stdout
                .iter()
                .any(|l| l == &prefix || l.starts_with(&format!("{prefix} "))),
            "{name} did not report `{prefix}`\n{}",
            peer.output()
        );
    }
    stdout
}

/// The checks every client of the echo server reports.
fn client_checks() -> Vec<String> {
    let mut checks = vec!["subprotocol".to_owned()];
    for size in SIZES {
        checks.push(format!("text-{size}"));
        checks.push(format!("binary-{size}"));
    }
    for name in ["2-byte", "3-byte", "4-byte", "mixed", "mixed-700k"] {
        checks.push(format!("utf8-{name}"));
    }
    checks.push("pipelined-100".to_owned());
    checks.push("close-1000".to_owned());
    checks
}

// ---------------------------------------------------------------------------
// Locating the peers

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A Python with `websockets` importable.
fn python() -> PathBuf {
    let python = env_path("HYBI_INTEROP_PYTHON")
        .unwrap_or_else(|| root().join("target/interop/venv/bin/python"));
    let found = Command::new(&python)
        .args([
            "-c",
            "import websockets.asyncio.client, websockets.asyncio.server",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "Python `websockets` (13.0 or later) not found at {}: {SETUP}, \
         or set HYBI_INTEROP_PYTHON to a Python that has it",
        python.display()
    );
    python
}

/// The `node` binary and a `node_modules` holding `package`.
fn node(package: &str) -> (PathBuf, PathBuf) {
    let node = env_path("HYBI_INTEROP_NODE").unwrap_or_else(|| "node".into());
    let found = Command::new(&node)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "Node.js not found as {}: install it (Debian package `nodejs`), \
         or set HYBI_INTEROP_NODE",
        node.display()
    );
    let modules = env_path("HYBI_INTEROP_NODE_MODULES")
        .unwrap_or_else(|| root().join("target/interop/node/node_modules"));
    let manifest = modules.join(package).join("package.json");
    assert!(
        manifest.is_file(),
        "npm package `{package}` not found in {}: {SETUP}, \
         or set HYBI_INTEROP_NODE_MODULES",
        modules.display()
    );
    (node, modules)
}

fn chromium() -> PathBuf {
    let chromium = env_path("HYBI_INTEROP_CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into());
    assert!(
        chromium.is_file(),
        "Chromium not found at {}: {SETUP} (it installs the Debian package `chromium`), \
         or set HYBI_INTEROP_CHROMIUM",
        chromium.display()
    );
    chromium
}

fn script(name: &str) -> PathBuf {
    root().join("tests/interop").join(name)
}

/// The `echo_server` example, built once per test run (a no-op when it is
/// up to date) unless `HYBI_ECHO_SERVER` names one.
fn echo_server_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Some(path) = env_path("HYBI_ECHO_SERVER") {
                assert!(
                    path.is_file(),
                    "HYBI_ECHO_SERVER={} is not a file",
                    path.display()
                );
                return path;
            }
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
            let mut build = Command::new(cargo);
            build.current_dir(root()).args([
                "build",
                "--release",
                "--features",
                match (
                    cfg!(feature = "http2"),
                    cfg!(feature = "tls"),
                    cfg!(feature = "deflate"),
                ) {
                    (true, _, true) => "http2,deflate",
                    (true, _, false) => "http2",
                    (false, true, true) => "tls,deflate",
                    (false, true, false) => "tls",
                    (false, false, true) => "std,deflate",
                    (false, false, false) => "std",
                },
                "--example",
                "echo_server",
                "--message-format=json",
            ]);
            let mut peer = Peer::spawn("cargo build (echo_server)", &mut build);
            let status = peer.wait(Duration::from_secs(600));
            assert!(
                status.success(),
                "building echo_server failed\n{}",
                peer.output()
            );
            let stdout = peer.stdout_seen.lock().unwrap().clone();
            // The artifact message of the example names its executable.
            let key = "\"executable\":\"";
            let path = stdout
                .iter()
                .filter(|l| l.contains("\"name\":\"echo_server\""))
                .find_map(|l| {
                    let start = l.find(key)? + key.len();
                    let len = l[start..].find('"')?;
                    Some(PathBuf::from(&l[start..start + len]))
                })
                .unwrap_or_else(|| {
                    panic!("cargo named no echo_server executable\n{}", peer.output())
                });
            assert!(path.is_file(), "{} is missing", path.display());
            path
        })
        .clone()
}

/// A throwaway CA's certificate, and a server certificate it signed for
/// `localhost` and `127.0.0.1`, as PEM files in a directory of their own.
struct Pki {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

#[cfg(feature = "tls")]
impl Pki {
    fn new() -> Pki {
        let dir = certs::temp_dir("interop");
        let ca = certs::TestCa::new("hybi interop test CA");
        let [ca, cert, key] = certs::write_files(&dir, &ca, &["localhost", "127.0.0.1"]);
        Pki { ca, cert, key }
    }

    fn roots(&self) -> hybi::net::tls::rustls::RootCertStore {
        hybi::net::tls::load_roots(&self.ca).unwrap()
    }
}

#[cfg(feature = "tls")]
impl Drop for Pki {
    fn drop(&mut self) {
        if let Some(dir) = self.ca.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The example `echo_server` on a free port, serving `wss://` with
/// `pki`'s certificate if given: the guard and the port.
fn start_echo_server(pki: Option<&Pki>) -> (Peer, u16) {
    // HTTP/1.1 alone: these tests check the upgrade.
    start_echo_server_with(pki, cfg!(feature = "http2").then_some("--no-http2"))
}

/// [`start_echo_server`] with an extra argument.
fn start_echo_server_with(pki: Option<&Pki>, extra: Option<&str>) -> (Peer, u16) {
    let binary = echo_server_binary();
    // The port is free when asked; should another process take it before
    // the server binds it, try another.
    for _ in 0..3 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut command = Command::new(&binary);
        command.arg(format!("127.0.0.1:{port}"));
        if let Some(pki) = pki {
            command.arg("--tls").arg(&pki.cert).arg(&pki.key);
            command.args(extra);
        }
        let mut server = Peer::spawn("echo_server", &mut command);
        let line = server.expect_line(true, "");
        if line.starts_with("listening on") {
            return (server, port);
        }
        server.wait(Duration::from_secs(5));
    }
    panic!("echo_server could not listen on a free port");
}

/// Lines the echo server printed about WebSocket connections, within
/// [`STEP`], once `count` have appeared.
fn server_connection_lines(server: &Peer, count: usize) -> Vec<String> {
    let deadline = Instant::now() + STEP;
    loop {
        let lines: Vec<String> = server
            .stderr_seen
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(" ws "))
            .cloned()
            .collect();
        if lines.len() >= count {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "echo_server logged {} of {count} connections\n{}",
            lines.len(),
            server.output()
        );
        thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------
// Peers as clients of echo_server

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn python_websockets_client_against_echo_server() {
    python_client(None);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "tls")]
fn python_websockets_client_against_echo_server_over_tls() {
    python_client(Some(&Pki::new()));
}

/// The URL a peer uses to reach the echo server, and the arguments that
/// make it trust the CA.
fn client_url(pki: Option<&Pki>, port: u16) -> Vec<std::ffi::OsString> {
    match pki {
        Some(pki) => vec![
            format!("wss://localhost:{port}/").into(),
            pki.ca.clone().into(),
        ],
        None => vec![format!("ws://127.0.0.1:{port}/").into()],
    }
}

fn python_client(pki: Option<&Pki>) {
    let python = python();
    let (server, port) = start_echo_server(pki);
    run_checks(
        "py_client.py",
        Command::new(python)
            .arg(script("py_client.py"))
            .args(client_url(pki, port)),
        &[client_checks(), vec!["ping-pong".to_owned()]].concat(),
    );
    let lines = server_connection_lines(&server, 1);
    // 10 sized, 5 multibyte, 100 pipelined; closed by the client with 1000.
    assert!(
        lines[0].contains("protocol chat: 115 messages,") && lines[0].ends_with("closed with 1000"),
        "echo_server saw: {lines:?}"
    );
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn node_ws_client_against_echo_server() {
    node_client(None);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "tls")]
fn node_ws_client_against_echo_server_over_tls() {
    node_client(Some(&Pki::new()));
}

fn node_client(pki: Option<&Pki>) {
    let (node, modules) = node("ws");
    let (server, port) = start_echo_server(pki);
    run_checks(
        "node_client.js",
        Command::new(node)
            .env("NODE_PATH", &modules)
            .arg(script("node_client.js"))
            .args(client_url(pki, port)),
        &[client_checks(), vec!["ping-pong".to_owned()]].concat(),
    );
    let lines = server_connection_lines(&server, 1);
    assert!(
        lines[0].contains("protocol chat: 115 messages,") && lines[0].ends_with("closed with 1000"),
        "echo_server saw: {lines:?}"
    );
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn chromium_against_echo_server() {
    chromium_messages(None);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "tls")]
fn chromium_against_echo_server_over_tls() {
    chromium_messages(Some(&Pki::new()));
}

/// The page's URL: `https://` with a certificate.
fn page_url(pki: Option<&Pki>, port: u16) -> String {
    let scheme = if pki.is_some() { "https" } else { "http" };
    format!("{scheme}://127.0.0.1:{port}/")
}

fn chromium_messages(pki: Option<&Pki>) {
    let (node, modules) = node("playwright-core");
    let chromium = chromium();
    let (server, port) = start_echo_server(pki);
    let mut checks = client_checks();
    checks.extend(
        [
            "launch",
            "page-open",
            "extensions-declined",
            "permessage-deflate-offer-declined",
        ]
        .map(String::from),
    );
    run_checks(
        "browser.js",
        Command::new(node)
            .env("NODE_PATH", &modules)
            .arg(script("browser.js"))
            .arg(page_url(pki, port))
            .arg(chromium),
        &checks,
    );
    let stderr = server.stderr_seen.lock().unwrap().clone();
    assert!(
        stderr.iter().any(|l| l.contains(" http GET /: 200")),
        "echo_server served no page: {stderr:?}"
    );
    // The page's own connection and the one the test opened, which closed
    // with 1000 after 115 messages.
    let lines = server_connection_lines(&server, 2);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("protocol chat: 115 messages,") && l.ends_with("closed with 1000")),
        "echo_server saw: {lines:?}"
    );
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn chromium_uses_echo_server_test_page() {
    chromium_page(None);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "tls")]
fn chromium_uses_echo_server_test_page_over_tls() {
    chromium_page(Some(&Pki::new()));
}

fn chromium_page(pki: Option<&Pki>) {
    let (node, modules) = node("playwright-core");
    let chromium = chromium();
    let (server, port) = start_echo_server(pki);
    let checks = [
        "launch",
        "page-open",
        "page-subprotocol",
        "page-extensions",
        "page-text-send",
        "page-text-enter",
        "page-text-long",
        "page-binary-70000",
        "page-echoes-in-order",
        "page-close-1000",
        "page-buttons-disabled",
        "page-reconnect",
        "page-reconnect-echo",
        "page-reconnect-close-1000",
        "page-no-errors",
        "page-sent",
    ]
    .map(String::from);
    let stdout = run_checks(
        "page.js",
        Command::new(node)
            .env("NODE_PATH", &modules)
            .arg(script("page.js"))
            .arg(page_url(pki, port))
            .arg(chromium),
        &checks,
    );
    // What the page sent on its first connection, as the server counts it.
    let sent = stdout
        .iter()
        .find_map(|l| l.strip_prefix("ok page-sent "))
        .unwrap();
    let stderr = server.stderr_seen.lock().unwrap().clone();
    assert!(
        stderr.iter().any(|l| l.contains(" http GET /: 200")),
        "echo_server served no page: {stderr:?}"
    );
    // The page's connection offering `echo, chat`, closed with its Close
    // button; then the one its Reconnect button opened offering `chat`.
    let lines = server_connection_lines(&server, 2);
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("protocol echo: {sent},"))
                && l.ends_with("closed with 1000")),
        "echo_server saw: {lines:?}, the page sent {sent}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("protocol chat: 1 messages,") && l.ends_with("closed with 1000")),
        "echo_server saw: {lines:?}"
    );
}

// ---------------------------------------------------------------------------
// hybi's client against the peers' servers

type Client = WebSocket<Stream, Vec<u8>, hybi::Client<OsRandom>>;

/// A message, copied out of the read buffer.
#[derive(Debug, PartialEq)]
enum Owned {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
}

fn read(ws: &mut Client) -> Owned {
    match ws.read() {
        Ok(Message::Text(t)) => Owned::Text(t.to_owned()),
        Ok(Message::Binary(b)) => Owned::Binary(b.to_owned()),
        Ok(Message::Ping(p)) => Owned::Ping(p.to_owned()),
        Ok(Message::Pong(p)) => Owned::Pong(p.to_owned()),
        Ok(Message::Close(c)) => {
            Owned::Close(c.map(|c| (c.code().as_u16(), c.reason().to_owned())))
        }
        Err(e) => panic!("read failed: {e}"),
    }
}

fn text_of(size: usize) -> String {
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..size)
        .map(|i| char::from(alphabet[i % alphabet.len()]))
        .collect()
}

fn binary_of(size: usize) -> Vec<u8> {
    (0..size).map(|i| ((i * 7 + 3) % 256) as u8).collect()
}

fn multibyte() -> [(&'static str, String); 5] {
    [
        ("2-byte", "\u{e9}".to_owned()),
        ("3-byte", "\u{20ac}".to_owned()),
        ("4-byte", "\u{1f600}".to_owned()),
        ("mixed", "a\u{e9}\u{20ac}\u{1f600}".to_owned()),
        ("mixed-700k", "a\u{e9}\u{20ac}\u{1f600}".repeat(70_000)),
    ]
}

/// Where hybi's client connects: `wss://localhost` and the CA's roots
/// over TLS.
#[derive(Clone, Copy)]
struct Target<'a> {
    port: u16,
    #[cfg(feature = "tls")]
    roots: Option<&'a hybi::net::tls::rustls::RootCertStore>,
    #[cfg(not(feature = "tls"))]
    roots: Option<&'a std::convert::Infallible>,
}

fn connect(target: Target<'_>) -> Client {
    let port = target.port;
    let options = ClientOptions::new()
        .protocols(&["superchat", "chat"])
        .connect_timeout(STEP)
        .handshake_timeout(STEP)
        .read_timeout(STEP)
        .write_timeout(STEP)
        .config(
            Config::new()
                .max_message_len(64 * 1024 * 1024)
                .show_control(true),
        );
    #[cfg(feature = "tls")]
    let options = match target.roots {
        Some(roots) => options.roots(hybi::net::tls::Roots::Custom(roots)),
        None => options,
    };
    let url = match target.roots {
        Some(_) => format!("wss://localhost:{port}/"),
        None => format!("ws://127.0.0.1:{port}/"),
    };
    // Whole messages up to 2 MiB - 139 bytes fit the read buffer.
    let (ws, connected) =
        net::connect_with(&url, &options, vec![0; 2 * 1024 * 1024], vec![0; 64 * 1024])
            .unwrap_or_else(|e| panic!("connect to port {port}: {e}"));
    assert_eq!(connected.protocol, Some("chat"), "subprotocol chosen");
    ws
}

fn expect_echo(ws: &mut Client, sent: &Owned, what: &str) {
    let reply = read(ws);
    assert!(
        &reply == sent,
        "{what}: echo differs: {}",
        match &reply {
            Owned::Text(t) => format!("text of {} bytes", t.len()),
            Owned::Binary(b) => format!("binary of {} bytes", b.len()),
            other => format!("{other:?}"),
        }
    );
}

/// The whole session against an echo server with the `ping-me` and
/// `close-4000` commands (py_server.py, node_server.js); then a second
/// connection that this side closes with 1000. `server` printed `port N`.
fn hybi_client_session(server: &Peer, pki: Option<&Pki>) {
    let port: u16 = server
        .expect_line(false, "port ")
        .trim_start_matches("port ")
        .parse()
        .unwrap();
    #[cfg(feature = "tls")]
    let roots = pki.map(Pki::roots);
    #[cfg(feature = "tls")]
    let target = Target {
        port,
        roots: roots.as_ref(),
    };
    #[cfg(not(feature = "tls"))]
    let target = {
        let _ = pki;
        Target { port, roots: None }
    };

    let mut ws = connect(target);
    assert_eq!(ws.transport().is_tls(), pki.is_some());
    let mut echoed = 0;
    for size in SIZES {
        let text = text_of(size);
        ws.send_text(&text).unwrap();
        expect_echo(
            &mut ws,
            &Owned::Text(text),
            &format!("text of {size} bytes"),
        );
        let binary = binary_of(size);
        ws.send_binary(&binary).unwrap();
        expect_echo(
            &mut ws,
            &Owned::Binary(binary),
            &format!("binary of {size} bytes"),
        );
        echoed += 2;
    }
    for (name, text) in multibyte() {
        ws.send_text(&text).unwrap();
        expect_echo(&mut ws, &Owned::Text(text), name);
        echoed += 1;
    }

    // Pipelined: all sent before any echo is read.
    let sent: Vec<Owned> = (0..100)
        .map(|i| {
            if i % 2 == 0 {
                Owned::Text(format!("pipelined {i} \u{20ac}"))
            } else {
                Owned::Binary(binary_of(i * 13))
            }
        })
        .collect();
    for message in &sent {
        match message {
            Owned::Text(t) => ws.send_text(t).unwrap(),
            Owned::Binary(b) => ws.send_binary(b).unwrap(),
            _ => unreachable!(),
        }
    }
    for (i, message) in sent.iter().enumerate() {
        expect_echo(&mut ws, message, &format!("pipelined message {i}"));
    }
    echoed += sent.len();

    // This side pings; the peer's pong carries the same data.
    ws.write_ping(b"hybi ping").unwrap();
    ws.flush().unwrap();
    assert_eq!(read(&mut ws), Owned::Pong(b"hybi ping".to_vec()));

    // The peer pings; hybi answers on its own, and the peer says so.
    ws.send_text("ping-me").unwrap();
    assert_eq!(read(&mut ws), Owned::Ping(b"server ping".to_vec()));
    assert_eq!(read(&mut ws), Owned::Text("pong-received".into()));

    // The peer closes with 4000 "bye"; hybi sees it and replies.
    ws.send_text("close-4000").unwrap();
    assert_eq!(read(&mut ws), Owned::Close(Some((4000, "bye".into()))));
    assert!(!ws.is_open(), "connection still open after the close");
    // The next read waits for the server to end the transport (RFC 6455
    // section 7.1.1), then reports the connection closed.
    assert!(matches!(ws.read(), Err(hybi::websocket::Error::Closed)));
    drop(ws);
    let line = server.expect_line(false, "closed ");
    assert_eq!(
        line,
        format!("closed received=4000 reason= messages={echoed} subprotocol=chat"),
        "the peer's view of the close"
    );

    // A second connection, closed by hybi with 1000.
    let mut ws = connect(target);
    ws.send_text("last").unwrap();
    expect_echo(&mut ws, &Owned::Text("last".into()), "last");
    ws.close(CloseCode::NORMAL, "done").unwrap();
    loop {
        match read(&mut ws) {
            Owned::Close(close) => {
                assert_eq!(close.map(|c| c.0), Some(1000), "the peer's close code");
                assert!(matches!(ws.read(), Err(hybi::websocket::Error::Closed)));
                drop(ws);
                break;
            }
            Owned::Ping(_) | Owned::Pong(_) => {}
            other => panic!("after close: {other:?}"),
        }
    }
    let line = server.expect_line(false, "closed ");
    assert_eq!(
        line, "closed received=1000 reason=done messages=1 subprotocol=chat",
        "the peer's view of the close"
    );
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn hybi_client_against_python_websockets_server() {
    python_server(None);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "tls")]
fn hybi_client_against_python_websockets_server_over_tls() {
    python_server(Some(&Pki::new()));
}

fn python_server(pki: Option<&Pki>) {
    let python = python();
    let mut command = Command::new(python);
    command
        .arg(script("py_server.py"))
        .args(["--lifetime", "150"]);
    if let Some(pki) = pki {
        command.arg("--tls").arg(&pki.cert).arg(&pki.key);
    }
    let server = Peer::spawn("py_server.py", &mut command);
    hybi_client_session(&server, pki);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn hybi_client_against_node_ws_server() {
    node_server(None);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "tls")]
fn hybi_client_against_node_ws_server_over_tls() {
    node_server(Some(&Pki::new()));
}

fn node_server(pki: Option<&Pki>) {
    let (node, modules) = node("ws");
    let mut command = Command::new(node);
    command
        .env("NODE_PATH", &modules)
        .arg(script("node_server.js"))
        .arg("150");
    if let Some(pki) = pki {
        command.arg(&pki.cert).arg(&pki.key);
    }
    let server = Peer::spawn("node_server.js", &mut command);
    hybi_client_session(&server, pki);
}

// ---------------------------------------------------------------------------
// WebSockets over HTTP/2 (RFC 8441)

/// The echo server's lines about WebSockets over HTTP/2.
#[cfg(feature = "http2")]
fn h2_lines(server: &Peer, count: usize) -> Vec<String> {
    server_connection_lines(server, count)
        .into_iter()
        .filter(|l| l.contains(" ws h2 "))
        .collect()
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "http2")]
fn node_http2_client_against_echo_server() {
    let pki = Pki::new();
    let (node, _) = node("ws");
    let (server, port) = start_echo_server_with(Some(&pki), None);
    let mut checks: Vec<String> = [
        "enable-connect-protocol",
        "subprotocol",
        "ping-pong",
        "two-at-once",
        "refused-version-8",
        "refused-no-version",
        "refused-other-protocol",
        "refused-unknown-path",
        "refused-no-protocol",
        "reset-mid-message",
        "flood",
        "close-1000",
    ]
    .map(String::from)
    .to_vec();
    for size in SIZES {
        checks.push(format!("text-{size}"));
        checks.push(format!("binary-{size}"));
    }
    run_checks(
        "node_h2_client.js",
        Command::new(node)
            .arg(script("node_h2_client.js"))
            .arg(format!("https://localhost:{port}/"))
            .arg(&pki.ca),
        &checks,
    );
    // Over HTTP/2, each refusal logged with its reason, the echoes closed
    // with 1000.
    let stderr = server.stderr_seen.lock().unwrap().clone();
    for expected in [
        "ws h2 /: extended CONNECT failed: unsupported WebSocket version",
        "ws h2 /: extended CONNECT failed: :protocol is not websocket",
        "extended CONNECT failed: CONNECT without :protocol websocket",
    ] {
        assert!(
            stderr.iter().any(|l| l.contains(expected)),
            "echo_server did not log `{expected}`\n{}",
            server.output()
        );
    }
    let lines = h2_lines(&server, 1);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("protocol chat: 32 messages,") && l.ends_with("closed with 1000")),
        "echo_server saw: {lines:?}"
    );
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "http2")]
fn chromium_over_http2_against_echo_server() {
    let pki = Pki::new();
    let (node, modules) = node("playwright-core");
    let chromium = chromium();
    let (server, port) = start_echo_server_with(Some(&pki), None);
    let mut checks: Vec<String> = [
        "launch",
        "page-over-h2",
        "page-open",
        "subprotocol",
        "close-1000",
        "handshakes-200",
    ]
    .map(String::from)
    .to_vec();
    for size in SIZES {
        checks.push(format!("text-{size}"));
        checks.push(format!("binary-{size}"));
    }
    run_checks(
        "browser_h2.js",
        Command::new(node)
            .env("NODE_PATH", &modules)
            .arg(script("browser_h2.js"))
            .arg(format!("https://127.0.0.1:{port}/"))
            .arg(chromium),
        &checks,
    );
    // The server tells which binding each WebSocket used: both went over
    // the page's HTTP/2 connection.
    let stderr = server.stderr_seen.lock().unwrap().clone();
    assert!(
        stderr.iter().any(|l| l.contains(" http h2 GET /")),
        "the page did not come over HTTP/2\n{}",
        server.output()
    );
    let lines = h2_lines(&server, 1);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("protocol chat") && l.ends_with("closed with 1000")),
        "no WebSocket over HTTP/2 closed with 1000: {lines:?}\n{}",
        server.output()
    );
    assert!(
        !stderr.iter().any(|l| l.contains(" ws http/1.1 ")),
        "a WebSocket went over HTTP/1.1\n{}",
        server.output()
    );
}

/// hybi's client over HTTP/2 against a server that printed `port N`: two
/// WebSockets on one connection echoing every size, a refusal, and close
/// 1000.
#[cfg(feature = "http2")]
fn hybi_http2_client_session(server: &Peer, pki: &Pki, refuse_path: &str) {
    use hybi::net::http2::{self, Session};
    let port: u16 = server
        .expect_line(false, "port ")
        .trim_start_matches("port ")
        .parse()
        .unwrap();
    let roots = pki.roots();
    let options = ClientOptions::new()
        .protocols(&["superchat", "chat"])
        .connect_timeout(STEP)
        .handshake_timeout(STEP)
        .read_timeout(STEP)
        .write_timeout(STEP)
        .roots(hybi::net::tls::Roots::Custom(&roots))
        .config(Config::new().max_message_len(64 * 1024 * 1024));
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options)
        .unwrap_or_else(|e| panic!("HTTP/2 connect: {e}\n{}", server.output()));
    let open = || {
        let (ws, connected) = session
            .open_with("/", &options, vec![0; 2 * 1024 * 1024], vec![0; 64 * 1024])
            .unwrap_or_else(|e| panic!("extended CONNECT: {e}\n{}", server.output()));
        assert_eq!(connected.protocol, Some("chat"));
        ws
    };
    let (mut a, mut b) = (open(), open());
    for size in SIZES {
        let text = text_of(size);
        let binary = binary_of(size);
        a.send_text(&text).unwrap();
        b.send_binary(&binary).unwrap();
        assert_eq!(a.read().unwrap(), Message::Text(&text), "text {size}");
        assert_eq!(b.read().unwrap(), Message::Binary(&binary), "binary {size}");
    }
    match session.open_with(refuse_path, &options, vec![0; 4096], vec![0; 4096]) {
        Err(net::ConnectError::Http2(http2::Error::Handshake(e))) => {
            assert!(e.to_string().contains("403"), "{e}")
        }
        other => panic!("refusal: {:?}", other.map(|_| ())),
    }
    for ws in [&mut a, &mut b] {
        ws.close(CloseCode::NORMAL, "").unwrap();
        loop {
            match ws.read() {
                Ok(Message::Close(close)) => {
                    assert_eq!(close.map(|c| c.code()), Some(CloseCode::NORMAL));
                    break;
                }
                Ok(_) => {}
                Err(e) => panic!("close: {e}\n{}", server.output()),
            }
        }
    }
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "http2")]
fn hybi_http2_client_against_node_http2_server() {
    let pki = Pki::new();
    let (node, _) = node("ws");
    let server = Peer::spawn(
        "node_h2_server.js",
        Command::new(node)
            .arg(script("node_h2_server.js"))
            .arg(&pki.cert)
            .arg(&pki.key),
    );
    hybi_http2_client_session(&server, &pki, "/refuse");
    server.expect_line(false, "closed 1000");
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "http2")]
fn hybi_http2_client_against_hypercorn() {
    let pki = Pki::new();
    let python = python();
    let hypercorn = python.with_file_name("hypercorn");
    assert!(
        hypercorn.is_file(),
        "hypercorn not found beside {}: {SETUP}",
        python.display()
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let app_dir = root().join("tests/interop");
    let server = Peer::spawn(
        "hypercorn",
        Command::new(&python)
            .arg(script("hypercorn_run.py"))
            .arg(port.to_string())
            .arg(&pki.cert)
            .arg(&pki.key)
            .current_dir(app_dir),
    );
    hybi_http2_client_session(&server, &pki, "/refuse");
}
