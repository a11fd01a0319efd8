//! Errors every layer may name: a leaf that imports nothing of the crate, so the store, the
//! cluster code and the Claude client can share them without importing each other.

use thiserror::Error;

/// A mistake in how the command was called, found after parsing (e.g. `create` without a
/// model). `main` exits with 2 for it, like clap's own usage errors.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The error and its sources, joined: kube's top-level messages alone ("ServiceError: …") hide
/// the useful part (connection refused, certificate unknown, timed out).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}
