//! The Models API's answers kept on local disk for a day, per endpoint and model: a scripted
//! run starts one process per turn, and without this every one of them asked `GET
//! /v1/models/{id}` again (a resilience checker reads twenty identical requests a second apart
//! as a retry storm, and an endpoint without the Models API answered each with a 404). A
//! negative answer (no such endpoint, model unknown, no answer in time) is kept too: the
//! built-in table is what the tool then uses, for the day.
//!
//! One small JSON file, rewritten whole through a temporary file and a rename, so a reader
//! never sees half of it; two processes writing at once lose at most one entry (asked again
//! next time). The key is the endpoint as it may be shown (credentials in the URL replaced)
//! and the model, so no secret is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::catalog::Limits;

/// How long an answer is trusted.
const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The cache file in one directory.
pub(super) struct Cache {
    file: PathBuf,
}

/// One answer as kept.
#[derive(Serialize, Deserialize)]
struct Entry {
    /// When it was asked, Unix seconds.
    at: u64,
    /// What the server said; `None`: it did not describe the model.
    limits: Option<Kept>,
}

/// [`Limits`] as stored.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kept {
    context_window: u32,
    max_output: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    compaction: Option<bool>,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Cache {
    /// The cache kept in `dir`.
    pub(super) fn at(dir: &Path) -> Self {
        Self {
            file: dir.join("models.json"),
        }
    }

    fn read(&self) -> BTreeMap<String, Entry> {
        std::fs::read(&self.file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// The answer kept for `key` in the last day: `Some(None)` for a kept "not described".
    pub(super) fn get(&self, key: &str) -> Option<Option<Limits>> {
        let entry = self.read().remove(key)?;
        let age = now().saturating_sub(entry.at);
        (age < KEPT_FOR.as_secs()).then(|| {
            entry.limits.map(|k| Limits {
                context_window: k.context_window,
                max_output: k.max_output,
                compaction: k.compaction,
            })
        })
    }

    /// Keep `limits` for `key` (best effort: a cache that cannot be written only costs a
    /// request next time), dropping entries past their day.
    pub(super) fn put(&self, key: &str, limits: Option<Limits>) {
        let mut all = self.read();
        let at = now();
        all.retain(|_, e| at.saturating_sub(e.at) < KEPT_FOR.as_secs());
        all.insert(
            key.to_string(),
            Entry {
                at,
                limits: limits.map(|l| Kept {
                    context_window: l.context_window,
                    max_output: l.max_output,
                    compaction: l.compaction,
                }),
            },
        );
        if let Err(e) = self.write(&all) {
            tracing::debug!("the Models API's answer was not kept: {e}");
        }
    }

    fn write(&self, all: &BTreeMap<String, Entry>) -> std::io::Result<()> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!("models.json.{}.tmp", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec(all)?)?;
        std::fs::rename(&tmp, &self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_refusals_are_kept_for_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(&dir.path().join("models"));
        assert!(cache.get("u\nm").is_none(), "nothing kept yet");
        let l = Limits {
            context_window: 200_000,
            max_output: 64_000,
            compaction: Some(false),
        };
        cache.put("u\nm", Some(l));
        cache.put("u\nother", None);
        assert_eq!(cache.get("u\nm"), Some(Some(l)));
        assert_eq!(cache.get("u\nother"), Some(None), "a refusal is kept too");
        // A day old: asked again.
        let mut all = cache.read();
        all.get_mut("u\nm").unwrap().at -= KEPT_FOR.as_secs();
        cache.write(&all).unwrap();
        assert!(cache.get("u\nm").is_none());
        // A damaged file is an empty cache, not an error.
        std::fs::write(dir.path().join("models/models.json"), b"{not json").unwrap();
        assert!(cache.get("u\nother").is_none());
    }
}
