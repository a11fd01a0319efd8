//! The session used last, per cluster and namespace, so `kubectl mcp chat` with no session
//! resumes it (as LLM CLIs' `--continue` does). Kept in the tool's state directory as
//! `last-sessions.json`; written whole to a temporary file and renamed, so concurrent runs never
//! leave a torn file (the last one to finish wins, which is what "last used" means).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
struct Recent {
    /// `SERVER NAMESPACE` → session ID.
    #[serde(default)]
    last: BTreeMap<String, String>,
}

fn file() -> Option<PathBuf> {
    crate::store::journal::state_dir()
        .ok()
        .map(|d| d.join("last-sessions.json"))
}

fn key(server: &str, namespace: &str) -> String {
    format!("{server} {namespace}")
}

fn read() -> Recent {
    file()
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The session used last in `namespace` of the cluster at `server`.
pub fn last(server: &str, namespace: &str) -> Option<String> {
    read().last.remove(&key(server, namespace))
}

/// Remember `session` as the last one used there. Best effort: failing to remember must not
/// fail a chat, so errors are logged, not returned.
pub fn remember(server: &str, namespace: &str, session: &str) {
    let Some(path) = file() else { return };
    let mut recent = read();
    recent
        .last
        .insert(key(server, namespace), session.to_string());
    let write = || -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            crate::store::journal::private_dir(dir)?;
        }
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec(&recent)?)?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    };
    if let Err(e) = write() {
        tracing::info!(
            "could not remember the last session in {}: {e:#}",
            path.display()
        );
    }
}
