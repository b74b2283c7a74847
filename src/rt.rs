//! The one async runtime builder: every command that talks to the ERP or Claude, and the
//! reference server, run on a runtime made here.

use anyhow::Context as _;

/// Returns a multi-threaded tokio runtime with every driver enabled: two workers (the machines
/// agentb runs on are small; the work is I/O) and room for the blocking pool that the embedded
/// SQLite store and hooks use.
pub fn build() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(32)
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}
