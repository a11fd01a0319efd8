//! A private local journal of turns that were answered but could not be written to the cluster
//! (SPEC §5: never a lost turn). One JSON Lines file per context, under the user's state
//! directory, readable by the user only; the next run for that context writes the turns back and
//! empties it.
//!
//! Replay is idempotent: a turn whose two messages (content and timestamp) are already in the
//! stored history is skipped, which covers the write that did reach the server although the answer
//! to it was lost.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::resource::Message;

/// One answered turn waiting to be stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// API server URL of the cluster it belongs to.
    pub server: String,
    /// Namespace.
    pub namespace: String,
    /// Resource name.
    pub name: String,
    /// Session ID.
    pub session: String,
    /// The user message, as it is to be stored.
    pub question: Message,
    /// The answer, as it is to be stored.
    pub answer: Message,
}

/// The journal directory.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

/// The tool's private state directory: `$KUBECTL_MCP_STATE_DIR`, else
/// `$XDG_STATE_HOME/kubectl-mcp`, else `~/.local/state/kubectl-mcp`.
pub fn state_dir() -> anyhow::Result<PathBuf> {
    if let Some(d) = std::env::var_os("KUBECTL_MCP_STATE_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d).join("kubectl-mcp"));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .context("neither KUBECTL_MCP_STATE_DIR, XDG_STATE_HOME nor HOME is set: nowhere to keep local state")?;
    Ok(PathBuf::from(home).join(".local/state/kubectl-mcp"))
}

/// Settings for a Claude client of this tool: the environment's, with the Models API's
/// answers kept in the state directory (`models/`), so that scripted runs ask once a day.
pub fn claude_config(credentials: crate::claude::Credentials) -> crate::claude::ClaudeConfig {
    let mut config = crate::claude::ClaudeConfig::new(credentials, None);
    config.models_cache = state_dir().ok().map(|d| d.join("models"));
    config
}

/// Create `dir` (and parents) readable by the user only.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private", dir.display()))?;
    }
    Ok(())
}

/// A short hash naming one context of one cluster in file names.
fn context_key(server: &str, namespace: &str, name: &str) -> String {
    let hash = Sha256::digest(format!("{server}\0{namespace}\0{name}").as_bytes());
    hash.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// A turn being stored, recorded on disk until [`InFlight::done`].
#[derive(Debug)]
pub struct InFlight {
    path: PathBuf,
    _file: fs::File,
}

impl InFlight {
    /// The turn is stored (or moved to the journal): forget the record.
    pub fn done(self) -> anyhow::Result<()> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("removing {}", self.path.display())),
        }
    }
}

/// A held journal lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
}

/// Open (creating) a file readable by the user only.
fn private_file(path: &Path, append: bool) -> anyhow::Result<fs::File> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("opening {}", path.display()))
}

impl Journal {
    /// The journal under the state directory.
    pub fn open_default() -> anyhow::Result<Self> {
        Ok(Self::at(state_dir()?.join("journal")))
    }

    /// A journal in `dir`.
    pub fn at(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The file for one context. Its name is bounded whatever the names are (a 253-character
    /// resource name would pass the usual 255-byte limit): a readable prefix plus a hash.
    pub fn path(&self, server: &str, namespace: &str, name: &str) -> PathBuf {
        let hex = context_key(server, namespace, name);
        let short = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        self.dir.join(format!(
            "{}_{}_{hex}.jsonl",
            short(namespace, 40),
            short(name, 60)
        ))
    }

    /// Hold the journal of one context while its entries are written back, so two processes
    /// never replay the same entries (and appends wait for the rewrite). `None` when another
    /// process holds it: that one is replaying.
    pub fn try_lock(
        &self,
        server: &str,
        namespace: &str,
        name: &str,
    ) -> anyhow::Result<Option<Lock>> {
        let path = self.lock_path(server, namespace, name)?;
        let file = private_file(&path, false)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Lock { _file: file })),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("locking {}", path.display()))
            }
        }
    }

    /// The lock file of one context's journal, in a directory beside the journal's (lock files stay: an
    /// unlinked lock file held by one process would let another create and lock a new one).
    fn lock_path(&self, server: &str, namespace: &str, name: &str) -> anyhow::Result<PathBuf> {
        let mut dir = self.dir.clone().into_os_string();
        dir.push("-locks");
        let dir = PathBuf::from(dir);
        private_dir(&dir)?;
        let file = self.path(server, namespace, name);
        let file = file.file_name().unwrap_or_default();
        Ok(dir.join(file).with_extension("lock"))
    }

    /// Record a turn that is about to be stored, durably, before the write is tried: a process
    /// killed between showing an answer and storing it leaves this record, and the next run for
    /// the context writes the turn back. The file is locked for as long as the returned
    /// [`InFlight`] lives, so a replayer takes only the records of processes that are gone.
    pub fn begin(&self, entry: &Entry) -> anyhow::Result<InFlight> {
        let dir = self.inflight_dir()?;
        let prefix = self.inflight_prefix(&entry.server, &entry.namespace, &entry.name);
        let path = dir.join(format!(
            "{prefix}{}-{:016x}.json",
            std::process::id(),
            fastrand::u64(..)
        ));
        let mut file = private_file(&path, false)?;
        file.lock()
            .with_context(|| format!("locking {}", path.display()))?;
        file.write_all(&serde_json::to_vec(entry)?)
            .and_then(|_| file.sync_all())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(InFlight { path, _file: file })
    }

    /// In-flight records of this context whose process is gone (their lock is free), each with
    /// its held lock, oldest first. Unreadable records are left for a person to look at.
    pub fn orphans(
        &self,
        server: &str,
        namespace: &str,
        name: &str,
    ) -> anyhow::Result<Vec<(Entry, InFlight)>> {
        let dir = self.inflight_dir()?;
        let prefix = self.inflight_prefix(server, namespace, name);
        let mut found = Vec::new();
        for item in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = item?.path();
            let is_ours = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json"));
            if !is_ours {
                continue;
            }
            let Ok(file) = fs::OpenOptions::new().read(true).write(true).open(&path) else {
                continue;
            };
            if file.try_lock().is_err() {
                continue; // its process is alive and storing it
            }
            let entry = fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Entry>(&b).ok());
            let modified = file.metadata().and_then(|m| m.modified()).ok();
            match entry {
                Some(e) => found.push((modified, e, InFlight { path, _file: file })),
                // A record cut short by a crash during its own write: its turn was never
                // shown as stored, and the process died before storing it.
                None => {
                    tracing::warn!(path = %path.display(), "skipping an unreadable in-flight turn")
                }
            }
        }
        found.sort_by_key(|(m, _, _)| *m);
        Ok(found.into_iter().map(|(_, e, f)| (e, f)).collect())
    }

    /// Beside the journal (like the locks), so the journal directory holds journals only.
    fn inflight_dir(&self) -> anyhow::Result<PathBuf> {
        let mut dir = self.dir.clone().into_os_string();
        dir.push("-inflight");
        let dir = PathBuf::from(dir);
        private_dir(&dir)?;
        Ok(dir)
    }

    fn inflight_prefix(&self, server: &str, namespace: &str, name: &str) -> String {
        format!("{}-", context_key(server, namespace, name))
    }

    /// Keep a turn the cluster refused for good (schema, RBAC, a deleted context) in a file of
    /// its own beside the journal, so that an answer already paid for is never simply dropped.
    pub fn keep_refused(&self, entry: &Entry) -> anyhow::Result<PathBuf> {
        Journal::at(self.dir.join("refused")).append(entry)
    }

    /// Add an entry, durably (the file is synced before this returns).
    pub fn append(&self, entry: &Entry) -> anyhow::Result<PathBuf> {
        private_dir(&self.dir)?;
        let lock_path = self.lock_path(&entry.server, &entry.namespace, &entry.name)?;
        let lock = private_file(&lock_path, false)?;
        lock.lock()
            .with_context(|| format!("locking {}", lock_path.display()))?;
        let path = self.path(&entry.server, &entry.namespace, &entry.name);
        let mut f = private_file(&path, true)?;
        let mut line = serde_json::to_vec(entry)?;
        line.push(b'\n');
        f.write_all(&line)
            .and_then(|_| f.sync_all())
            .with_context(|| format!("writing the journal {}", path.display()))?;
        Ok(path)
    }

    /// Entries waiting for a context, oldest first. A damaged line stops the read with an error
    /// rather than being skipped: it is somebody's turn.
    pub fn pending(&self, server: &str, namespace: &str, name: &str) -> anyhow::Result<Vec<Entry>> {
        let path = self.path(server, namespace, name);
        let f = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(e).with_context(|| format!("reading the journal {}", path.display()))
            }
        };
        let mut out = Vec::new();
        for (i, line) in BufReader::new(f).lines().enumerate() {
            let line = line.with_context(|| format!("reading the journal {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            out.push(serde_json::from_str(&line).with_context(|| {
                format!(
                    "line {} of the journal {} is damaged; fix or remove it",
                    i + 1,
                    path.display()
                )
            })?);
        }
        Ok(out)
    }

    /// Drop the first `done` entries for a context (all of them: the file goes).
    pub fn remove_done(
        &self,
        server: &str,
        namespace: &str,
        name: &str,
        done: usize,
    ) -> anyhow::Result<()> {
        let path = self.path(server, namespace, name);
        let rest: Vec<Entry> = self
            .pending(server, namespace, name)?
            .into_iter()
            .skip(done)
            .collect();
        if rest.is_empty() {
            match fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e).with_context(|| format!("removing {}", path.display())),
            }
        } else {
            let tmp = path.with_extension("jsonl.tmp");
            let mut body = Vec::new();
            for e in &rest {
                body.extend(serde_json::to_vec(e)?);
                body.push(b'\n');
            }
            fs::write(&tmp, body)
                .and_then(|_| fs::rename(&tmp, &path))
                .with_context(|| format!("rewriting {}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{assistant, user};

    fn entry(q: &str) -> Entry {
        Entry {
            server: "https://k".into(),
            namespace: "ns".into(),
            name: "demo".into(),
            session: "demo".into(),
            question: user(q),
            answer: assistant("a"),
        }
    }

    #[test]
    fn entries_survive_in_order_and_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path().join("journal"));
        assert!(j.pending("https://k", "ns", "demo").unwrap().is_empty());
        let path = j.append(&entry("one")).unwrap();
        j.append(&entry("two")).unwrap();
        let got = j.pending("https://k", "ns", "demo").unwrap();
        assert_eq!(got, vec![entry("one"), entry("two")]);
        assert!(j.pending("https://other", "ns", "demo").unwrap().is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            assert_eq!(
                fs::metadata(dir.path().join("journal"))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777,
                0o700
            );
        }
        j.remove_done("https://k", "ns", "demo", 1).unwrap();
        assert_eq!(
            j.pending("https://k", "ns", "demo").unwrap(),
            vec![entry("two")]
        );
        j.remove_done("https://k", "ns", "demo", 1).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn file_names_stay_short_and_one_replayer_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path().to_path_buf());
        let long = "a".repeat(253);
        let p = j.path("https://k", &"n".repeat(63), &long);
        assert!(p.file_name().unwrap().len() < 140, "{}", p.display());
        let mut e = entry("q");
        e.name = long.clone();
        j.append(&e).unwrap();
        assert_eq!(j.pending("https://k", "ns", &long).unwrap().len(), 1);
        let held = j.try_lock("https://k", "ns", &long).unwrap();
        assert!(held.is_some());
        assert!(j.try_lock("https://k", "ns", &long).unwrap().is_none());
        drop(held);
        assert!(j.try_lock("https://k", "ns", &long).unwrap().is_some());
    }

    #[test]
    fn an_in_flight_turn_is_an_orphan_only_once_its_holder_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path().join("journal"));
        let held = j.begin(&entry("q")).unwrap();
        assert!(
            j.orphans("https://k", "ns", "demo").unwrap().is_empty(),
            "its holder lives"
        );
        drop(held); // as if the process died: the lock goes, the record stays
        let orphans = j.orphans("https://k", "ns", "demo").unwrap();
        assert_eq!(orphans.len(), 1);
        assert_eq!(orphans[0].0, entry("q"));
        assert!(j.orphans("https://k", "ns", "other").unwrap().is_empty());
        let (_, record) = orphans.into_iter().next().unwrap();
        record.done().unwrap();
        assert!(j.orphans("https://k", "ns", "demo").unwrap().is_empty());
        // A stored turn leaves nothing behind.
        j.begin(&entry("r")).unwrap().done().unwrap();
        assert!(j.orphans("https://k", "ns", "demo").unwrap().is_empty());
    }

    #[test]
    fn a_damaged_line_is_an_error_not_a_silent_loss() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(dir.path().to_path_buf());
        let path = j.append(&entry("one")).unwrap();
        fs::write(&path, "{not json\n").unwrap();
        let err = j.pending("https://k", "ns", "demo").unwrap_err();
        assert!(format!("{err:#}").contains("line 1"), "{err:#}");
    }
}
