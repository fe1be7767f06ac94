//! The runtime the HTTP/2 and HTTP/3 connections run on, behind blocking
//! calls.

use core::future::Future;
use core::time::Duration;
use std_crate::io;
use std_crate::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};

/// The name of the runtime's one worker thread.
const THREAD_NAME: &str = "hybi-net";

/// The process's runtime, started on first use: one worker thread that
/// runs every HTTP/2 and HTTP/3 connection's socket I/O and timers.
pub(crate) fn handle() -> io::Result<&'static Handle> {
    static RUNTIME: OnceLock<Option<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name(THREAD_NAME)
                .enable_io()
                .enable_time()
                .build()
                .ok()
        })
        .as_ref()
        .map(Runtime::handle)
        .ok_or_else(|| io::Error::other("cannot start the runtime's thread (HTTP/2, HTTP/3)"))
}

/// Runs `future` to its end on the calling thread, within `timeout`
/// (`None`: no bound), while the runtime's thread does the I/O.
///
/// A blocking call from inside an async runtime would stall it (tokio
/// refuses it with a panic): that is an error of kind `Unsupported`.
pub(crate) fn block_on<F: Future>(timeout: Option<Duration>, future: F) -> io::Result<F::Output> {
    if Handle::try_current().is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "hybi's HTTP/2 and HTTP/3 calls block: call them from a thread of your own, not from async code",
        ));
    }
    let handle = handle()?;
    match timeout {
        None => Ok(handle.block_on(future)),
        Some(limit) => handle
            .block_on(async { tokio::time::timeout(limit, future).await })
            .map_err(|_| io::ErrorKind::TimedOut.into()),
    }
}
