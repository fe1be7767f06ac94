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
//! | Python `aioquic`, WebSockets over HTTP/3 (feature `http3`) | `tests/interop/aioquic_client.py` | `tests/interop/aioquic_server.py` |
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
//! builds it with `cargo build --release --example echo_server` and the
//! features of this run, `http2,http3,deflate` with `--all-features`).
//!
//! Every port is picked free at run time, every process is stopped by its
//! PID when its guard drops (on failure too), and every wait is bounded.
//!
//! With feature `deflate`, permessage-deflate is negotiated in every test:
//! each peer offers it by default, echo_server and Node `ws`'s server
//! (with `perMessageDeflate: true`) accept it, and so does Python's. Over
//! `ws://`, a [`Relay`] between the two ends forwards the bytes unchanged
//! and reads the frame headers as they pass; each client's first messages
//! are JSON-like text and random bytes of each size, which [`check_wire`]
//! finds there: RSV1 each way, the large texts compressed to under a
//! quarter of their size, and the offers those of `server_answers` in
//! `src/deflate/negotiate.rs`. echo_server `--no-deflate` declines the
//! offer: no extension in the 101, no RSV1 anywhere. Over TLS, where a
//! relay would see only records, the agreement is checked as each end
//! reports it.
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

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use hybi::close::CloseCode;
use hybi::net::{self, ClientOptions};
use hybi::websocket::{Config, Message};

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
    let mut checks = vec!["subprotocol".to_owned(), "extensions".to_owned()];
    for size in SIZES {
        checks.push(format!("json-{size}"));
        checks.push(format!("random-{size}"));
    }
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

/// What a peer script reported with `ok CHECK DETAIL` (`""` for none).
fn reported(stdout: &[String], check: &str) -> String {
    let prefix = format!("ok {check}");
    stdout
        .iter()
        .find_map(|l| match l.strip_prefix(&prefix) {
            Some("") => Some(String::new()),
            Some(rest) => rest.strip_prefix(' ').map(str::to_owned),
            None => None,
        })
        .unwrap_or_else(|| panic!("no `{prefix}` line in {stdout:?}"))
}

// ---------------------------------------------------------------------------
// A relay that reads the frames it forwards

/// One data message as it crossed the relay: its type, whether its first
/// frame had RSV1 (compressed, RFC 7692 section 6), how many frames it
/// took and its payload bytes on the wire (compressed ones if it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WireMessage {
    text: bool,
    compressed: bool,
    frames: u64,
    payload: u64,
}

/// What one direction of a relayed connection carried.
#[derive(Debug, Clone, Default)]
struct Flow {
    /// The HTTP head (request or response), up to and with its blank line.
    head: String,
    /// Whether frames follow the head: a WebSocket upgrade request, a 101.
    websocket: bool,
    /// Frames of every kind.
    frames: u64,
    /// Text, binary and continuation frames.
    data_frames: u64,
    /// Data frames with RSV1.
    rsv1_data_frames: u64,
    /// Frames with RSV1 where RFC 7692 forbids it (continuation and
    /// control frames), and frames with RSV2 or RSV3.
    misplaced_rsv: u64,
    /// Everything after the head: frame headers and payloads.
    bytes: u64,
    /// Data messages, in order.
    messages: Vec<WireMessage>,
    /// Where the byte stream stopped being frames (an unknown opcode, a
    /// continuation with no message), if it did.
    error: Option<String>,
    /// The direction reached its end (or a socket error).
    ended: bool,
}

impl Flow {
    /// The value of the head's header `name` (all of them, joined with
    /// `, `), if it has one.
    fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .head
            .split("\r\n")
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// Where a [`FlowParser`] is in its byte stream.
enum Parse {
    Head,
    Frames,
    /// Not a WebSocket (a page, a 404): forwarded, not read.
    Opaque,
}

/// Reads one direction's bytes as they pass: the HTTP head, then frame
/// headers (masked or not, their lengths in 7, 16 or 64 bits), skipping
/// payloads, in pieces of any size.
struct FlowParser {
    request: bool,
    state: Parse,
    head: Vec<u8>,
    header: Vec<u8>,
    skip: u64,
}

impl FlowParser {
    fn new(request: bool) -> FlowParser {
        FlowParser {
            request,
            state: Parse::Head,
            head: Vec::new(),
            header: Vec::new(),
            skip: 0,
        }
    }

    fn feed(&mut self, mut data: &[u8], flow: &mut Flow) {
        while !data.is_empty() {
            match self.state {
                Parse::Opaque => return,
                Parse::Head => {
                    let before = self.head.len();
                    self.head.extend_from_slice(data);
                    let Some(at) = self.head.windows(4).position(|w| w == b"\r\n\r\n") else {
                        return;
                    };
                    let end = at + 4;
                    self.head.truncate(end);
                    data = &data[end - before..];
                    flow.head = String::from_utf8_lossy(&self.head).into_owned();
                    flow.websocket = if self.request {
                        flow.header("Upgrade")
                            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
                    } else {
                        flow.head.starts_with("HTTP/1.1 101 ")
                    };
                    self.state = if flow.websocket {
                        Parse::Frames
                    } else {
                        Parse::Opaque
                    };
                }
                Parse::Frames => {
                    flow.bytes += data.len() as u64;
                    self.frames(data, flow);
                    return;
                }
            }
        }
    }

    fn frames(&mut self, mut data: &[u8], flow: &mut Flow) {
        loop {
            if flow.error.is_some() {
                return;
            }
            if self.skip > 0 {
                if data.is_empty() {
                    return;
                }
                let n = self.skip.min(data.len() as u64);
                self.skip -= n;
                data = &data[n as usize..];
                continue;
            }
            let need = header_len(&self.header);
            if self.header.len() < need {
                if data.is_empty() {
                    return;
                }
                let take = (need - self.header.len()).min(data.len());
                self.header.extend_from_slice(&data[..take]);
                data = &data[take..];
                continue;
            }
            let h = std::mem::take(&mut self.header);
            let len = match h[1] & 0x7f {
                126 => u64::from(u16::from_be_bytes([h[2], h[3]])),
                127 => u64::from_be_bytes(h[2..10].try_into().unwrap()),
                n => u64::from(n),
            };
            self.skip = len;
            record(h[0], len, flow);
        }
    }
}

/// The length of the frame header that starts with `start`: 2 bytes until
/// the second is known, then 2 to 14.
fn header_len(start: &[u8]) -> usize {
    match start.get(1) {
        None => 2,
        Some(&b) => {
            let length = match b & 0x7f {
                126 => 2,
                127 => 8,
                _ => 0,
            };
            let mask = if b & 0x80 != 0 { 4 } else { 0 };
            2 + length + mask
        }
    }
}

/// Counts a frame from its first byte and payload length.
fn record(first: u8, len: u64, flow: &mut Flow) {
    let rsv1 = first & 0x40 != 0;
    let opcode = first & 0x0f;
    flow.frames += 1;
    if first & 0x30 != 0 {
        flow.misplaced_rsv += 1;
    }
    match opcode {
        0 => {
            flow.data_frames += 1;
            if rsv1 {
                flow.rsv1_data_frames += 1;
                flow.misplaced_rsv += 1;
            }
            match flow.messages.last_mut() {
                Some(message) => {
                    message.frames += 1;
                    message.payload += len;
                }
                None => flow.error = Some("a continuation frame first".into()),
            }
        }
        1 | 2 => {
            flow.data_frames += 1;
            if rsv1 {
                flow.rsv1_data_frames += 1;
            }
            flow.messages.push(WireMessage {
                text: opcode == 1,
                compressed: rsv1,
                frames: 1,
                payload: len,
            });
        }
        8..=10 => {
            if rsv1 {
                flow.misplaced_rsv += 1;
            }
        }
        _ => flow.error = Some(format!("frame {}: opcode {opcode}", flow.frames)),
    }
}

/// One relayed connection: towards the server (`[0]`), towards the
/// client (`[1]`).
type Flows = Arc<Mutex<[Flow; 2]>>;

/// A TCP relay on 127.0.0.1 in front of `target`: a thread per connection
/// and direction forwards the bytes unchanged and reads them as they pass
/// ([`FlowParser`]). Dropping it stops taking connections.
struct Relay {
    port: u16,
    connections: Arc<Mutex<Vec<Flows>>>,
    stop: Arc<AtomicBool>,
    accepting: Option<thread::JoinHandle<()>>,
}

impl Relay {
    fn start(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accepting = {
            let (connections, stop) = (connections.clone(), stop.clone());
            thread::spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                        continue;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let flows: Flows = Arc::default();
                    connections.lock().unwrap().push(flows.clone());
                    for (index, from, to) in [(0, &client, &server), (1, &server, &client)] {
                        let (from, to) = (from.try_clone().unwrap(), to.try_clone().unwrap());
                        let flows = flows.clone();
                        thread::spawn(move || pump(from, to, &flows, index));
                    }
                }
            })
        };
        Relay {
            port,
            connections,
            stop,
            accepting: Some(accepting),
        }
    }

    /// The WebSocket connections relayed, once `count` of them have
    /// ended in both directions (within [`STEP`]).
    fn websockets(&self, count: usize) -> Vec<[Flow; 2]> {
        let deadline = Instant::now() + STEP;
        loop {
            let all: Vec<[Flow; 2]> = self
                .connections
                .lock()
                .unwrap()
                .iter()
                .map(|flows| flows.lock().unwrap().clone())
                .filter(|[request, _]| request.websocket)
                .collect();
            if all.iter().filter(|f| f[0].ended && f[1].ended).count() >= count {
                return all;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} WebSocket connections relayed and ended: {all:#?}",
                all.len()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread, which sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

/// Forwards `from` to `to`, reading the bytes into `flows[index]` before
/// they go on, until `from` ends; then ends `to` for writing.
fn pump(mut from: TcpStream, mut to: TcpStream, flows: &Flows, index: usize) {
    let mut parser = FlowParser::new(index == 0);
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        parser.feed(&buf[..n], &mut flows.lock().unwrap()[index]);
        if to.write_all(&buf[..n]).is_err() {
            let _ = from.shutdown(Shutdown::Both);
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    flows.lock().unwrap()[index].ended = true;
}

/// The relay's reading of frames, without peers: a request head and
/// frames of every header form, fed whole and in pieces of 1 and 7 bytes.
#[test]
fn relay_reads_heads_and_frame_headers() {
    let head = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
                Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    let mut bytes = head.as_bytes().to_vec();
    // Masked: a compressed text's first frame (RSV1, no FIN, 16-bit
    // length), a ping between, its continuation with FIN.
    bytes.extend([0x41, 0x80 | 126, 0x01, 0x00, 1, 2, 3, 4]);
    bytes.extend([0xaa; 256]);
    bytes.extend([0x89, 0x80, 9, 9, 9, 9]);
    bytes.extend([0x80, 0x83, 0, 0, 0, 0, 1, 2, 3]);
    // Unmasked: a binary message with a 64-bit length, uncompressed; an
    // empty text; RSV1 on a continuation, where it may not be.
    bytes.extend([0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    bytes.extend(vec![0x55; 70_000]);
    bytes.extend([0x81, 0x00]);
    bytes.extend([0x01, 0x01, b'x', 0xc0, 0x00]);
    for piece in [bytes.len(), 1, 7] {
        let mut flow = Flow::default();
        let mut parser = FlowParser::new(true);
        for chunk in bytes.chunks(piece) {
            parser.feed(chunk, &mut flow);
        }
        assert_eq!(flow.head, head);
        assert!(flow.websocket);
        assert_eq!(
            flow.header("sec-websocket-extensions").as_deref(),
            Some("permessage-deflate; client_max_window_bits")
        );
        assert_eq!(
            (flow.frames, flow.data_frames, flow.rsv1_data_frames),
            (7, 6, 2)
        );
        assert_eq!(flow.misplaced_rsv, 1);
        assert_eq!(flow.bytes, (bytes.len() - head.len()) as u64);
        assert_eq!(flow.error, None);
        let message = |text, compressed, frames, payload| WireMessage {
            text,
            compressed,
            frames,
            payload,
        };
        assert_eq!(
            flow.messages,
            [
                message(true, true, 2, 259),
                message(false, false, 1, 70_000),
                message(true, false, 1, 0),
                message(true, false, 2, 1),
            ]
        );
    }

    // A response that is not a 101: its body is not read as frames.
    let mut flow = Flow::default();
    let mut parser = FlowParser::new(false);
    parser.feed(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n\xc1\x00",
        &mut flow,
    );
    assert!(!flow.websocket);
    assert_eq!((flow.frames, flow.bytes), (0, 0));
    let mut parser = FlowParser::new(false);
    let mut flow = Flow::default();
    parser.feed(
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n\xc1\x00",
        &mut flow,
    );
    assert!(flow.websocket);
    assert_eq!((flow.frames, flow.rsv1_data_frames), (1, 1));
}

/// Checks a relayed WebSocket connection whose first messages each way
/// were [`deflate_messages`]' (a JSON-like text and random bytes of each of
/// [`SIZES`]): with `compressed`, the 101 agreed on permessage-deflate,
/// data frames carried RSV1 each way, and the JSON-like texts of 64 KiB
/// and more crossed as compressed messages of under a quarter of their
/// size (random bytes, which do not compress, at least at theirs);
/// without, the 101 has no extension, no frame has RSV1 and every
/// message crossed at its size. RSV1 on a continuation or control frame,
/// RSV2 or RSV3, fails either way. Returns the client's offer and the
/// server's answer (their Sec-WebSocket-Extensions).
fn check_wire(what: &str, flows: &[Flow; 2], compressed: bool) -> (Option<String>, Option<String>) {
    let offer = flows[0].header("Sec-WebSocket-Extensions");
    let answer = flows[1].header("Sec-WebSocket-Extensions");
    eprintln!("{what}: offered {offer:?}, answered {answer:?}");
    if compressed {
        assert!(
            answer
                .as_deref()
                .is_some_and(|a| a.starts_with("permessage-deflate")),
            "{what}: no permessage-deflate in the 101:\n{}",
            flows[1].head
        );
    } else {
        assert_eq!(answer, None, "{what}: an extension in the 101");
    }
    for (direction, flow) in ["client to server", "server to client"].iter().zip(flows) {
        let what = format!("{what}, {direction}");
        eprintln!(
            "{what}: {} frames, {} data frames, {} with RSV1, {} bytes",
            flow.frames, flow.data_frames, flow.rsv1_data_frames, flow.bytes
        );
        assert_eq!(flow.error, None, "{what}: not read as frames");
        assert_eq!(flow.misplaced_rsv, 0, "{what}: RSV bits where none may be");
        assert!(
            flow.messages.len() >= 2 * SIZES.len(),
            "{what}: {} messages",
            flow.messages.len()
        );
        for (i, size) in SIZES.into_iter().enumerate() {
            let size = size as u64;
            let (json, random) = (flow.messages[2 * i], flow.messages[2 * i + 1]);
            eprintln!("{what}: JSON-like text of {size} bytes: {json:?}, random bytes: {random:?}");
            assert!(json.text && !random.text, "{what}: messages out of order");
            if !compressed {
                assert!(
                    !json.compressed && json.payload == size,
                    "{what}: text of {size} bytes crossed as {json:?}"
                );
                assert!(
                    !random.compressed && random.payload == size,
                    "{what}: {size} random bytes crossed as {random:?}"
                );
            } else if size >= 64 * 1024 {
                assert!(
                    json.compressed && json.payload * 4 < size,
                    "{what}: text of {size} bytes crossed as {json:?}"
                );
                assert!(
                    random.payload >= size,
                    "{what}: {size} random bytes crossed as {random:?}"
                );
            }
        }
        if compressed {
            assert!(flow.rsv1_data_frames > 0, "{what}: no RSV1");
        } else {
            assert_eq!(flow.rsv1_data_frames, 0, "{what}: RSV1 with no extension");
        }
    }
    (offer, answer)
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

/// The features echo_server is built with: this run's, as far as it uses
/// them.
fn echo_server_features() -> String {
    let mut features = vec![match (
        cfg!(feature = "http2"),
        cfg!(feature = "tls"),
        cfg!(feature = "deflate"),
    ) {
        (true, _, _) => "http2",
        (false, true, _) => "tls",
        (false, false, _) => "std",
    }];
    if cfg!(feature = "http3") {
        features.push("http3");
    }
    if cfg!(feature = "deflate") {
        features.push("deflate");
    }
    features.join(",")
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
                &echo_server_features(),
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
/// `pki`'s certificate if given, accepting permessage-deflate if `deflate`
/// (and built with it), over HTTP/1.1 alone (these tests check the
/// upgrade): the guard and the port.
fn start_echo_server(pki: Option<&Pki>, deflate: bool) -> (Peer, u16) {
    let extra = cfg!(feature = "http2").then_some("--no-http2");
    start_echo_server_with(pki, deflate, extra)
}

/// [`start_echo_server`] with an extra argument after `--tls`.
fn start_echo_server_with(pki: Option<&Pki>, deflate: bool, extra: Option<&str>) -> (Peer, u16) {
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
        if !deflate {
            command.arg("--no-deflate");
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

/// The offers the peers make by default, as the relay saw them (the
/// versions scripts/versions.sh pins); `server_answers` in
/// src/deflate/negotiate.rs answers each.
const PY_WEBSOCKETS_OFFER: &str = "permessage-deflate; client_max_window_bits";
const NODE_WS_OFFER: &str = "permessage-deflate; client_max_window_bits";

/// What echo_server answers them with.
const ECHO_SERVER_ANSWER: &str = "permessage-deflate";

/// The messages each client of the echo server sends: 10 sized, 10
/// JSON-like and random, 5 multibyte, 100 pipelined.
const CLIENT_MESSAGES: usize = 125;

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn python_websockets_client_against_echo_server() {
    python_client(None, true);
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "tls")]
fn python_websockets_client_against_echo_server_over_tls() {
    python_client(Some(&Pki::new()), true);
}

/// echo_server `--no-deflate` declines the offer: no extension in the
/// 101, no RSV1 on the wire.
#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
fn python_websockets_client_against_echo_server_without_deflate() {
    python_client(None, false);
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

/// Over `ws://`, a [`Relay`] in front of `port`, and the port to connect
/// to: the relay's, or `port` itself over TLS.
fn relay_for(pki: Option<&Pki>, port: u16) -> (Option<Relay>, u16) {
    match pki {
        Some(_) => (None, port),
        None => {
            let relay = Relay::start(port);
            let port = relay.port;
            (Some(relay), port)
        }
    }
}

/// The echo server's line for a client's connection, the extensions the
/// client saw agreed, and the wire through the relay, if any: `offer` is
/// the client's default offer.
fn check_client_connection(
    what: &str,
    server: &Peer,
    relay: Option<Relay>,
    stdout: &[String],
    deflate: bool,
    offer: &str,
) {
    let compressed = deflate && cfg!(feature = "deflate");
    let extensions = reported(stdout, "extensions");
    assert_eq!(
        extensions,
        if compressed { "permessage-deflate" } else { "" },
        "{what}: the extensions agreed, as the client saw them"
    );
    let lines = server_connection_lines(server, 1);
    let agreed = if compressed {
        " permessage-deflate"
    } else {
        ""
    };
    assert!(
        lines[0].contains(&format!(
            "protocol chat{agreed}: {CLIENT_MESSAGES} messages,"
        )) && lines[0].ends_with("closed with 1000"),
        "echo_server saw: {lines:?}"
    );
    if let Some(relay) = relay {
        let flows = relay.websockets(1);
        let (offered, answer) = check_wire(what, &flows[0], compressed);
        assert_eq!(
            offered.as_deref(),
            Some(offer),
            "{what}'s offer (see server_answers in src/deflate/negotiate.rs)"
        );
        if compressed {
            assert_eq!(answer.as_deref(), Some(ECHO_SERVER_ANSWER), "{what}");
        }
    }
}

fn python_client(pki: Option<&Pki>, deflate: bool) {
    let python = python();
    let (server, port) = start_echo_server(pki, deflate);
    let (relay, port) = relay_for(pki, port);
    let stdout = run_checks(
        "py_client.py",
        Command::new(python)
            .arg(script("py_client.py"))
            .args(client_url(pki, port)),
        &[client_checks(), vec!["ping-pong".to_owned()]].concat(),
    );
    check_client_connection(
        "Python websockets client",
        &server,
        relay,
        &stdout,
        deflate,
        PY_WEBSOCKETS_OFFER,
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
    let (server, port) = start_echo_server(pki, true);
    let (relay, port) = relay_for(pki, port);
    let stdout = run_checks(
        "node_client.js",
        Command::new(node)
            .env("NODE_PATH", &modules)
            .arg(script("node_client.js"))
            .args(client_url(pki, port)),
        &[client_checks(), vec!["ping-pong".to_owned()]].concat(),
    );
    check_client_connection(
        "Node ws client",
        &server,
        relay,
        &stdout,
        true,
        NODE_WS_OFFER,
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

/// The Sec-WebSocket-Extensions Chromium sends, which echo_server answers
/// with [`ECHO_SERVER_ANSWER`] (a case of `server_answers` in
/// src/deflate/negotiate.rs).
const CHROMIUM_OFFER: &str = "permessage-deflate; client_max_window_bits";

fn chromium_messages(pki: Option<&Pki>) {
    let (node, modules) = node("playwright-core");
    let chromium = chromium();
    let (server, port) = start_echo_server(pki, true);
    // The page and its WebSockets, through the relay over http://.
    let (relay, port) = relay_for(pki, port);
    let mut checks = client_checks();
    checks.extend(["launch", "page-open", "offer", "answer"].map(String::from));
    let stdout = run_checks(
        "browser.js",
        Command::new(node)
            .env("NODE_PATH", &modules)
            .arg(script("browser.js"))
            .arg(page_url(pki, port))
            .arg(chromium),
        &checks,
    );
    let compressed = cfg!(feature = "deflate");
    let version = reported(&stdout, "launch");
    let offer = reported(&stdout, "offer");
    let answer = reported(&stdout, "answer");
    eprintln!("Chromium {version}: offered {offer:?}, answered {answer:?}");
    assert_eq!(offer, CHROMIUM_OFFER, "Chromium {version}'s offer");
    assert_eq!(
        (reported(&stdout, "extensions"), answer),
        if compressed {
            (ECHO_SERVER_ANSWER.into(), ECHO_SERVER_ANSWER.into())
        } else {
            (String::new(), String::new())
        },
        "WebSocket.extensions and the 101's Sec-WebSocket-Extensions"
    );
    let stderr = server.stderr_seen.lock().unwrap().clone();
    assert!(
        stderr.iter().any(|l| l.contains(" http GET /: 200")),
        "echo_server served no page: {stderr:?}"
    );
    // The page's own connection and the one the test opened, which closed
    // with 1000 after its messages.
    let lines = server_connection_lines(&server, 2);
    let agreed = if compressed {
        " permessage-deflate"
    } else {
        ""
    };
    assert!(
        lines.iter().any(|l| l.contains(&format!(
            "protocol chat{agreed}: {CLIENT_MESSAGES} messages,"
        )) && l.ends_with("closed with 1000")),
        "echo_server saw: {lines:?}"
    );
    if let Some(relay) = relay {
        // The test's connection is the one that carried messages.
        let flows = relay.websockets(2);
        let busiest = flows.iter().max_by_key(|f| f[0].messages.len()).unwrap();
        let (offered, _) = check_wire(&format!("Chromium {version}"), busiest, compressed);
        assert_eq!(offered.as_deref(), Some(CHROMIUM_OFFER));
    }
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
    let (server, port) = start_echo_server(pki, true);
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
    let compressed = cfg!(feature = "deflate");
    assert_eq!(
        reported(&stdout, "page-extensions"),
        if compressed {
            ECHO_SERVER_ANSWER
        } else {
            "(none)"
        },
        "the extensions the page shows"
    );
    // What the page sent on its first connection, as the server counts it.
    let sent = reported(&stdout, "page-sent");
    let stderr = server.stderr_seen.lock().unwrap().clone();
    assert!(
        stderr.iter().any(|l| l.contains(" http GET /: 200")),
        "echo_server served no page: {stderr:?}"
    );
    // The page's connection offering `echo, chat`, closed with its Close
    // button; then the one its Reconnect button opened offering `chat`.
    let lines = server_connection_lines(&server, 2);
    let agreed = if compressed {
        " permessage-deflate"
    } else {
        ""
    };
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("protocol echo{agreed}: {sent},"))
                && l.ends_with("closed with 1000")),
        "echo_server saw: {lines:?}, the page sent {sent}"
    );
    assert!(
        lines.iter().any(
            |l| l.contains(&format!("protocol chat{agreed}: 1 messages,"))
                && l.ends_with("closed with 1000")
        ),
        "echo_server saw: {lines:?}"
    );
}

// ---------------------------------------------------------------------------
// hybi's client against the peers' servers

/// What `net::connect` returns: a read buffer that grows, and with
/// feature `deflate` carries inflate memory, so permessage-deflate is
/// offered.
type Client = net::Client;

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

/// JSON-like ASCII text of `size` bytes: records that differ in their
/// numbers, which compress to a fraction of their size (the same text as
/// py_client.py's and messages.js's).
fn json_of(size: usize) -> String {
    let mut json = String::from("[");
    let mut i = 0u64;
    while json.len() < size {
        json += &format!(
            r#"{{"id":{i},"name":"user {i}","score":{},"active":{},"tags":["alpha","beta"]}},"#,
            i * 7919 % 100_003,
            !i.is_multiple_of(3)
        );
        i += 1;
    }
    json.truncate(size);
    json
}

/// `size` bytes that do not compress (xorshift64*, seeded from the clock).
fn random_of(size: usize) -> Vec<u8> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut x = nanos as u64 | 1;
    (0..size)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// A JSON-like text and random bytes of each of [`SIZES`], in that order:
/// the first messages each client sends, which [`check_wire`] finds on
/// the wire.
fn deflate_messages() -> Vec<Owned> {
    SIZES
        .into_iter()
        .flat_map(|size| [Owned::Text(json_of(size)), Owned::Binary(random_of(size))])
        .collect()
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
    // The buffers net::connect makes: the read buffer grows to hold
    // whole messages, and carries inflate memory with feature `deflate`.
    let (rx, tx) = options.buffers();
    let (ws, connected) = net::connect_with(&url, &options, rx, tx)
        .unwrap_or_else(|e| panic!("connect to port {port}: {e}"));
    assert_eq!(connected.protocol, Some("chat"), "subprotocol chosen");
    #[cfg(feature = "deflate")]
    assert!(
        ws.connection().deflate().is_some(),
        "permessage-deflate not agreed"
    );
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
/// Over `ws://`, through a [`Relay`]: with feature `deflate`, compressed
/// messages each way ([`check_wire`]).
fn hybi_client_session(what: &str, server: &Peer, pki: Option<&Pki>) {
    let port: u16 = server
        .expect_line(false, "port ")
        .trim_start_matches("port ")
        .parse()
        .unwrap();
    let (relay, port) = relay_for(pki, port);
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
    // First, so that they are the first messages each way on the wire.
    for (i, message) in deflate_messages().into_iter().enumerate() {
        match &message {
            Owned::Text(t) => ws.send_text(t).unwrap(),
            Owned::Binary(b) => ws.send_binary(b).unwrap(),
            _ => unreachable!(),
        }
        expect_echo(
            &mut ws,
            &message,
            &format!("JSON-like or random message {i}"),
        );
        echoed += 1;
    }
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

    if let Some(relay) = relay {
        let flows = relay.websockets(2);
        let compressed = cfg!(feature = "deflate");
        let (offer, _) = check_wire(what, &flows[0], compressed);
        assert_eq!(
            offer.as_deref(),
            compressed.then_some(HYBI_OFFER),
            "hybi's offer"
        );
    }
}

/// What `net::connect` offers with feature `deflate`.
const HYBI_OFFER: &str = "permessage-deflate; client_max_window_bits";

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
    hybi_client_session("hybi client, Python websockets server", &server, pki);
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
    hybi_client_session("hybi client, Node ws server", &server, pki);
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
    let (server, port) = start_echo_server_with(Some(&pki), true, None);
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

/// Requests no HTTP/2 library sends (connection-specific fields, upper
/// case names, pseudo-header fields out of order or missing), sent by
/// Python's `h2` with its checks off: each refused or reset, and a
/// WebSocket opened before them on the same connection echoes after them.
#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "http2")]
fn hostile_http2_requests_against_echo_server() {
    let pki = Pki::new();
    let (server, port) = start_echo_server_with(Some(&pki), true, None);
    let mut checks: Vec<String> = [
        "enable-connect-protocol",
        "flood",
        "still-echoes",
        "close-1000",
    ]
    .map(String::from)
    .to_vec();
    for name in [
        "connection",
        "upgrade",
        "keep-alive",
        "transfer-encoding",
        "te-gzip",
        "upper-case-name",
        "pseudo-after-field",
        "duplicate-path",
        "no-path",
        "no-scheme",
        "no-version",
    ] {
        checks.push(format!("refused-{name}"));
    }
    run_checks(
        "h2_hostile.py",
        Command::new(python())
            .arg(script("h2_hostile.py"))
            .arg("localhost")
            .arg(port.to_string())
            .arg(&pki.ca),
        &checks,
    );
    let lines = h2_lines(&server, 1);
    assert!(
        lines.iter().any(|l| l.ends_with("closed with 1000")),
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
    let (server, port) = start_echo_server_with(Some(&pki), true, None);
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

/// The options of hybi's HTTP/2 and HTTP/3 clients against a peer's
/// server: the subprotocol `chat` offered, bounded waits, the test CA.
#[cfg(any(feature = "http2", feature = "http3"))]
fn multiplexed_options(roots: &hybi::net::tls::rustls::RootCertStore) -> ClientOptions<'_> {
    ClientOptions::new()
        .protocols(&["superchat", "chat"])
        .connect_timeout(STEP)
        .handshake_timeout(STEP)
        .read_timeout(STEP)
        .write_timeout(STEP)
        .roots(hybi::net::tls::Roots::Custom(roots))
        .config(Config::new().max_message_len(64 * 1024 * 1024))
}

/// A client WebSocket of hybi's over any transport, with `Vec` buffers.
#[cfg(any(feature = "http2", feature = "http3"))]
type ClientOf<T> = hybi::WebSocket<T, Vec<u8>, hybi::Client<net::OsRandom>, Vec<u8>>;

/// Two WebSockets on one connection, interleaved, echoing text on one
/// and binary on the other at every size.
#[cfg(any(feature = "http2", feature = "http3"))]
fn echo_pair<T>(a: &mut ClientOf<T>, b: &mut ClientOf<T>)
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write<Error = std::io::Error>,
{
    for size in SIZES {
        let text = text_of(size);
        let binary = binary_of(size);
        a.send_text(&text).unwrap();
        b.send_binary(&binary).unwrap();
        assert_eq!(a.read().unwrap(), Message::Text(&text), "text {size}");
        assert_eq!(b.read().unwrap(), Message::Binary(&binary), "binary {size}");
    }
}

/// Closes with 1000 and reads until the server's close, which must be
/// 1000 too.
#[cfg(any(feature = "http2", feature = "http3"))]
fn close_1000<T>(ws: &mut ClientOf<T>, server: &Peer)
where
    T: hybi::embedded_io::Read + hybi::embedded_io::Write<Error = std::io::Error>,
{
    ws.close(CloseCode::NORMAL, "").unwrap();
    loop {
        match ws.read() {
            Ok(Message::Close(close)) => {
                assert_eq!(close.map(|c| c.code()), Some(CloseCode::NORMAL));
                return;
            }
            Ok(_) => {}
            Err(e) => panic!("close: {e}\n{}", server.output()),
        }
    }
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
    let options = multiplexed_options(&roots);
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
    echo_pair(&mut a, &mut b);
    match session.open_with(refuse_path, &options, vec![0; 4096], vec![0; 4096]) {
        Err(net::ConnectError::Http2(http2::Error::Handshake(e))) => {
            assert!(e.to_string().contains("403"), "{e}")
        }
        other => panic!("refusal: {:?}", other.map(|_| ())),
    }
    for ws in [&mut a, &mut b] {
        close_1000(ws, server);
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

// ---------------------------------------------------------------------------
// HTTP/3: aioquic both ways

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "http3")]
fn h3_aioquic_client_against_echo_server() {
    let pki = Pki::new();
    let python = python();
    let (server, port) = start_echo_server_with(Some(&pki), true, None);
    server.expect_line(true, "listening for HTTP/3 on UDP");
    let mut checks: Vec<String> = [
        "enable-connect-protocol",
        "subprotocol",
        "ping-pong",
        "two-at-once",
        "refused-version-12",
        "refused-missing-fields",
        "refused-unknown-path",
        "reset-mid-message",
        "close-1000",
    ]
    .map(String::from)
    .to_vec();
    for size in SIZES {
        checks.push(format!("text-{size}"));
        checks.push(format!("binary-{size}"));
    }
    run_checks(
        "aioquic_client.py",
        Command::new(&python)
            .arg(script("aioquic_client.py"))
            .arg(port.to_string())
            .arg(&pki.ca),
        &checks,
    );
    // Each refusal logged with its reason, the reset as a reset TCP
    // connection's error, the echoes closed with 1000.
    let lines = server_connection_lines(&server, 8);
    for expected in [
        "ws h3 /: extended CONNECT failed: unsupported WebSocket version",
        "extended CONNECT failed: malformed extended CONNECT: missing :path",
        "ws h3 /elsewhere: extended CONNECT failed: request refused with status 404",
        "HTTP/3 stream reset by peer: H3_REQUEST_CANCELLED",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(expected)),
            "echo_server did not log `{expected}`\n{}",
            server.output()
        );
    }
    let echoes = lines
        .iter()
        .filter(|l| l.contains(" ws h3 / protocol chat: ") && l.ends_with("closed with 1000"))
        .count();
    assert_eq!(echoes, 4, "{}", server.output());
}

#[test]
#[ignore = "needs interop peers: bash scripts/interop-setup.sh"]
#[cfg(feature = "http3")]
fn h3_hybi_client_against_aioquic_server() {
    use hybi::net::http3::{self, Session};
    let pki = Pki::new();
    let python = python();
    let server = Peer::spawn(
        "aioquic_server.py",
        Command::new(&python)
            .arg(script("aioquic_server.py"))
            .arg(&pki.cert)
            .arg(&pki.key),
    );
    let port: u16 = server
        .expect_line(false, "port ")
        .trim_start_matches("port ")
        .parse()
        .unwrap();
    let roots = pki.roots();
    // Pongs shown, to see the server's answer to a ping.
    let options = multiplexed_options(&roots).config(
        Config::new()
            .max_message_len(64 * 1024 * 1024)
            .show_control(true),
    );
    let session = Session::connect(&format!("wss://localhost:{port}/"), &options)
        .unwrap_or_else(|e| panic!("HTTP/3 connect: {e}\n{}", server.output()));
    let open = || {
        let (ws, connected) = session
            .open_with("/", &options, vec![0; 2 * 1024 * 1024], vec![0; 64 * 1024])
            .unwrap_or_else(|e| panic!("extended CONNECT: {e}\n{}", server.output()));
        assert_eq!(connected.protocol, Some("chat"));
        ws
    };
    // Two WebSockets on the one connection, interleaved.
    let (mut a, mut b) = (open(), open());
    echo_pair(&mut a, &mut b);
    a.write_ping(b"are you there").unwrap();
    a.flush().unwrap();
    assert_eq!(a.read().unwrap(), Message::Pong(b"are you there"));
    match session.open_with("/refuse", &options, vec![0; 4096], vec![0; 4096]) {
        Err(net::ConnectError::Http3(http3::Error::Handshake(e))) => {
            assert!(e.to_string().contains("403"), "{e}")
        }
        other => panic!("refusal: {:?}", other.map(|_| ())),
    }
    for ws in [&mut a, &mut b] {
        close_1000(ws, &server);
    }
    server.expect_line(false, "closed 1000");
    server.expect_line(false, "closed 1000");
}
