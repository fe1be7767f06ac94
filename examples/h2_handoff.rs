//! An HTTP/2 server of your own, on the `h2` crate and a tokio runtime,
//! handing the extended CONNECT streams it accepts to hybi:
//!
//! ```text
//! cargo run --features http2 --example h2_handoff -- 127.0.0.1:9002
//! printf 'hello\n' | cargo run --features http2 --example client -- ws://127.0.0.1:9002/ --http2
//! ```
//!
//! The server is yours: its runtime, its settings, its routes. It turns
//! on extended CONNECT (`enable_connect_protocol`, RFC 8441 section 3),
//! answers plain requests itself, and gives each request that asks for a
//! WebSocket ([`http2::Request::is_websocket`]) to a thread of its own,
//! where hybi runs the handshake ([`http2::Request::accept`]: the status
//! for a bad request, the application's answer for a good one) and the
//! WebSocket, blocking, with the same message API as over TCP. hybi's
//! calls block, so they run on a thread, not in the server's tasks.
//!
//! This server speaks HTTP/2 over plain TCP (prior knowledge, RFC 9113
//! section 3.3), as a server behind a TLS-terminating proxy would; over
//! TLS the same code runs on a `tokio_rustls` stream with ALPN `h2`.

use std::thread;

use bytes::Bytes;
use hybi::handshake::server::Response;
use hybi::net::ServerOptions;
use hybi::net::http2;
use hybi::websocket::Message;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9002".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("listening on {addr} (HTTP/2 with prior knowledge)");
        loop {
            let (socket, peer) = listener.accept().await?;
            tokio::spawn(async move {
                if let Err(e) = serve(socket).await {
                    eprintln!("{peer}: {e}");
                }
            });
        }
    })
}

/// One HTTP/2 connection: the server's own accept loop.
async fn serve(socket: tokio::net::TcpStream) -> Result<(), h2::Error> {
    // A connection window with room for every stream's, as hybi's own
    // server has: a WebSocket that has not read yet never holds up another.
    let mut connection = h2::server::Builder::new()
        .enable_connect_protocol()
        .max_concurrent_streams(http2::MAX_CONCURRENT_STREAMS)
        .initial_window_size(http2::STREAM_WINDOW)
        .initial_connection_window_size(http2::CONNECTION_WINDOW)
        .handshake::<_, Bytes>(socket)
        .await?;
    while let Some(accepted) = connection.accept().await {
        let (request, respond) = accepted?;
        let request = http2::Request::new(request, respond, &OPTIONS);
        if !request.is_websocket() {
            // The server's own routes; a 404 here.
            let _ = request.respond(404, &[("content-type", "text/plain")], b"not found\n");
            continue;
        }
        // hybi's calls block: a thread per WebSocket.
        thread::spawn(move || websocket(request));
    }
    Ok(())
}

const OPTIONS: ServerOptions = ServerOptions::new();

/// The extended CONNECT's handshake and an echo, on a thread.
fn websocket(request: http2::Request) {
    let path = request.path().to_owned();
    let (rx, tx) = OPTIONS.buffers();
    let accepted = request.accept(rx, tx, |request| {
        Response::accept().protocol(request.protocols().find(|p| *p == "echo"))
    });
    let mut ws = match accepted {
        Ok((ws, _protocol)) => ws,
        Err(e) => return eprintln!("{path}: {e}"),
    };
    let mut count = 0u64;
    loop {
        let (message, mut writer) = match ws.read_with_writer() {
            Ok(read) => read,
            Err(e) => return eprintln!("{path}: {count} messages, then {e}"),
        };
        let echoed = match message {
            Message::Text(text) => writer.write_text(text),
            Message::Binary(data) => writer.write_binary(data),
            Message::Close(_) => return eprintln!("{path}: {count} messages, closed"),
            _ => Ok(()),
        };
        if let Err(e) = echoed {
            return eprintln!("{path}: {e}");
        }
        count += 1;
    }
}
