//! kubectl-mcp: Claude conversations kept as `ClaudeModelContext` custom resources.
//!
//! The binary is a thin shell around [`run`]. Modules, one concern each:
//! - [`archive`]: turns moved out of a context near etcd's size limit, and reading them back;
//! - [`cli`]: what the user typed (clap), nothing else;
//! - [`resource`]: the custom resource types and the CRD generated from them;
//! - [`naming`]: session ID → resource name;
//! - [`cluster`]: kube client, lookups, paging, and errors a person can act on;
//! - [`claude`]: the Messages API client (streaming, retries, typed errors);
//! - [`credentials`]: where the API key comes from (env or a Kubernetes Secret);
//! - [`events`]: Kubernetes Events for lifecycle changes;
//! - [`journal`]: answered turns the cluster could not take yet, kept locally;
//! - [`output`]: tables and documents printed to the user;
//! - [`session`]: one loaded context and every change to it (safe write-back);
//! - [`repl`]: the interactive chat (rustyline, streaming, slash commands);
//! - [`commands`]: one file per subcommand, using the modules above (never the reverse);
//! - [`size`]: exact stored sizes (Go's JSON encoding), measured before anything is paid for;
//! - [`summarize`]: the summarizing request for strategies that fold old turns;
//! - [`tokens`]: local token estimates and their calibration;
//! - [`window`]: the windowing engine (pure, no I/O);
//! - [`complete`]: `kubectl mcp <TAB>` through kubectl's plugin completion protocol;
//! - [`tls`]: the one rustls crypto provider shared by every HTTPS client.

pub mod archive;
pub mod claude;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod complete;
pub mod config;
pub mod credentials;
pub mod events;
pub mod journal;
pub mod jsonpath;
pub mod live;
pub mod markdown;
pub mod mcp;
pub mod models;
pub mod naming;
pub mod output;
pub mod recent;
pub mod redact;
pub mod repl;
pub mod resource;
pub mod segment;
pub mod session;
pub mod size;
pub mod summarize;
pub mod tls;
pub mod tokens;
pub mod turn;
pub mod window;

use thiserror::Error;

/// A mistake in how the command was called, found after parsing (e.g. `create` without a
/// model). `main` exits with 2 for it, like clap's own usage errors.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Run one parsed command line.
pub async fn run(cli: cli::Cli) -> anyhow::Result<()> {
    config::load()?;
    commands::run(cli).await
}
