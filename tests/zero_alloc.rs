//! No heap allocation after the handshake: a client and a server over a
//! loopback `TcpStream` echo 10,000 messages of 16 B to 64 KiB, text and
//! binary, one at a time and in bursts of 16, then close, and a counting global
//! allocator sees no allocation on either side while they do.
//!
//! Each side counts only its own thread, between its own start and stop,
//! so the test harness and the handshakes (name resolution, the buffers
//! handed to `connect_with` and `accept`) do not count.
#![cfg(feature = "std")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use hybi::close::CloseCode;
use hybi::handshake::server::Response;
use hybi::net::{self, Accepted, ClientOptions, ServerOptions};
use hybi::websocket::{Config, Message};

thread_local! {
    /// Whether this thread's allocations are counted. `const` `Cell`s have
    /// no destructor and need no allocation to reach.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// This thread's allocations, reallocations and zeroed allocations
    /// while [`COUNTING`] was set.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-locals are gone while a thread shuts down.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

/// The system allocator, counting.
struct Counting;

// SAFETY (test code only, not the library): every method forwards to
// `System` with the same arguments, so `Counting` upholds exactly the
// contract `System` does; counting touches only an atomic and a const
// thread-local `Cell`, neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` with this thread's allocations counted; returns its result and
/// how many allocations this thread made meanwhile.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (out, ALLOCATIONS.with(Cell::get) - before)
}

/// How many messages the client sends.
const MESSAGES: usize = 10_000;

/// The largest message: 64 KiB.
const MAX_LEN: usize = 64 * 1024;

/// Each side's read and write buffers: a whole largest message and the
/// 139 bytes a read keeps spare, with room for frames behind it.
const BUFFER_LEN: usize = 2 * MAX_LEN;

/// The longest any wait lasts.
const BOUND: Duration = Duration::from_secs(30);

/// Messages go in rounds of [`ROUND`]: the first [`SINGLES`] one at a
/// time, of 16 B to 64 KiB (one of them exactly 64 KiB, one exactly 16 B),
/// then the rest in one burst that shares transport writes, of 16 B to
/// 2 KiB each.
const ROUND: usize = 20;
const SINGLES: usize = 4;

/// Message `i`'s length.
fn length(i: usize) -> usize {
    let r = (i as u64)
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407)
        >> 33;
    let r = r as usize;
    match i % ROUND {
        0 => MAX_LEN,
        1 => 16,
        2 | 3 => 16 + r % (MAX_LEN - 15),
        _ => 16 + r % (2048 - 15),
    }
}

/// Text of `MAX_LEN` bytes, all ASCII so that any prefix is valid UTF-8.
fn text() -> String {
    "The quick brown fox jumps over the lazy dog. "
        .chars()
        .cycle()
        .take(MAX_LEN)
        .collect()
}

fn binary() -> Vec<u8> {
    (0..MAX_LEN).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// The server: accepts one connection, then echoes every message until
/// the close. Returns how many messages it echoed and how many
/// allocations it made after the handshake.
fn server(listener: TcpListener) -> (usize, usize) {
    let (socket, _) = listener.accept().expect("accept");
    let options = ServerOptions::new()
        .idle_timeout(Some(BOUND))
        .write_timeout(Some(BOUND))
        .config(Config::new());
    let accepted = net::accept(
        socket,
        &options,
        vec![0u8; BUFFER_LEN],
        vec![0u8; BUFFER_LEN],
        |_| Response::accept(),
    );
    let Ok(Accepted::WebSocket(mut ws, _)) = accepted else {
        panic!("server handshake failed");
    };
    counted(|| {
        let mut echoed = 0;
        loop {
            let (message, mut writer) = ws.read_with_writer().expect("server read");
            match message {
                Message::Text(text) => writer.write_text(text).expect("server write"),
                Message::Binary(data) => writer.write_binary(data).expect("server write"),
                Message::Close(_) => return echoed,
                Message::Ping(_) | Message::Pong(_) => continue,
            }
            echoed += 1;
        }
    })
}

#[test]
fn echo_after_handshake_allocates_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("address"));
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(server(listener));
    });

    let text = text();
    let binary = binary();
    let options = ClientOptions::new()
        .read_timeout(BOUND)
        .write_timeout(BOUND);
    let (mut ws, _) =
        net::connect_with(&url, &options, vec![0u8; BUFFER_LEN], vec![0u8; BUFFER_LEN])
            .expect("connect");

    let (received, client_allocations) = counted(|| {
        let mut received = 0;
        for round in (0..MESSAGES).step_by(ROUND) {
            let singles = (round..round + SINGLES).map(|j| j..j + 1);
            let burst = round + SINGLES..round + ROUND;
            for group in singles.chain([burst]) {
                for j in group.clone() {
                    if j % 2 == 0 {
                        ws.write_text(&text[..length(j)]).expect("client write");
                    } else {
                        ws.write_binary(&binary[..length(j)]).expect("client write");
                    }
                }
                for j in group {
                    match ws.read().expect("client read") {
                        Message::Text(echo) if j % 2 == 0 => {
                            assert_eq!(echo, &text[..length(j)], "message {j}")
                        }
                        Message::Binary(echo) if j % 2 == 1 => {
                            assert_eq!(echo, &binary[..length(j)], "message {j}")
                        }
                        _ => panic!("message {j}: wrong type"),
                    }
                    received += 1;
                }
            }
        }
        ws.close(CloseCode::NORMAL, "done").expect("close");
        while !matches!(ws.read().expect("client read"), Message::Close(_)) {}
        received
    });

    let (echoed, server_allocations) = finished.recv_timeout(BOUND).expect("server finished");
    assert_eq!(received, MESSAGES);
    assert_eq!(echoed, MESSAGES);
    assert_eq!(
        client_allocations, 0,
        "client allocated after the handshake"
    );
    assert_eq!(
        server_allocations, 0,
        "server allocated after the handshake"
    );
}

/// The counter counts: an allocation inside `counted` shows.
#[test]
fn the_counter_sees_allocations() {
    let (boxed, n) = counted(|| Box::new([7u8; 64]));
    assert_eq!(boxed[63], 7);
    assert!(n >= 1, "a Box allocation went uncounted");
    let (sum, n) = counted(|| [1u8; 64].iter().map(|&b| usize::from(b)).sum::<usize>());
    assert_eq!((sum, n), (64, 0), "counted an allocation that was not made");
}
