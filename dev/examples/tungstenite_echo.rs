//! tungstenite's blocking echo server, written the way its README shows,
//! for comparison with `echo_server` under the same load
//! (`scripts/loopback-bench.sh`):
//!
//! ```text
//! cargo run --release -p hybi-dev --example tungstenite_echo -- 127.0.0.1:9002
//! ```
//!
//! One thread per connection; every text and binary message is sent back
//! with `send`, which writes and flushes it.

use std::net::TcpListener;
use std::thread::spawn;

use tungstenite::accept;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9002".into());
    let server = match TcpListener::bind(&addr) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("listening on ws://{addr}/");
    for stream in server.incoming() {
        spawn(move || {
            let Ok(stream) = stream else { return };
            let _ = stream.set_nodelay(true);
            let Ok(mut websocket) = accept(stream) else {
                return;
            };
            loop {
                let Ok(msg) = websocket.read() else { return };
                // Pings are answered and closes completed by `read`.
                if (msg.is_binary() || msg.is_text()) && websocket.send(msg).is_err() {
                    return;
                }
            }
        });
    }
}
