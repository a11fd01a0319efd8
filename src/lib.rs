//! kubectl-mcp: Claude conversations kept as `ClaudeModelContext` custom resources.
//!
//! The binary is a thin shell around [`run`]. The crate is in rooms, each importing only the
//! rooms below it (`tests/layers.rs` holds the order):
//! - [`error`]: the errors every room may name (a leaf);
//! - [`model`]: what a conversation is, as stored: types, names, digests, turns, sizes,
//!   the model catalogue (pure, no I/O);
//! - [`engine`]: pure decisions: windows, token estimates, budgets, the summary prompt, the
//!   request built from a window;
//! - [`claude`]: the Messages API over HTTP (streaming, retries, typed errors);
//! - [`cluster`]: the apiserver: client, deadlines, lookups, paging, errors a person can act on;
//! - [`store`]: one loaded context and every write to it, segments, archives, the journal;
//! - [`turn`]: the one turn pipeline, shared by the REPL, `chat`, `batch` and the MCP server;
//! - [`ui`]: everything printed, and the interactive chat;
//! - [`serve`]: the MCP server over stored conversations;
//! - [`commands`]: one thin file per subcommand;
//! - [`cli`] and [`complete`]: what the user typed (clap), and `kubectl mcp <TAB>`;
//! - [`config`], [`credentials`], [`live`], [`redact`], [`tls`]: the configuration file, where
//!   the key comes from, watching one context, masking, the one rustls provider.

// A user or a server controls most of what this tool parses: no unwrap outside tests (tests
// and benches may: a panic there is a failure with its message).
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod claude;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod complete;
pub mod config;
pub mod credentials;
pub mod engine;
pub mod error;
pub mod live;
pub mod model;
pub mod redact;
pub mod serve;
pub mod store;
pub mod tls;
pub mod turn;
pub mod ui;

pub use error::UsageError;

/// Run one parsed command line.
pub async fn run(cli: cli::Cli) -> anyhow::Result<()> {
    config::load()?;
    commands::run(cli).await
}
