//! Following one context as other people and processes change it (issue #11: a REPL sees the
//! turns others add, a deletion, changed settings, and the cluster coming back).
//!
//! A kube-runtime watcher on the one object (a `metadata.name` field selector), restarted with
//! backoff when the watch breaks, turned into a small stream of [`Change`]s. Only the newest
//! state matters to the reader: turns that were sealed between two events are read back from
//! the segments by position ([`crate::store::Session::messages_between_fresh`]), so nothing
//! is missed when events are coalesced or the watch restarts.

use futures::StreamExt;
use kube::runtime::watcher::{self, watcher, Event};
use kube::runtime::WatchStreamExt;
use tokio::sync::mpsc;

use crate::cluster::Cluster;
use crate::model::resource::ClaudeModelContext;

/// What happened to the followed context.
#[derive(Debug)]
pub enum Change {
    /// Its current state (written by anyone, this process included).
    Updated(Box<ClaudeModelContext>),
    /// It is gone: deleted, or absent when the watch (re)started.
    Deleted,
    /// The watch broke (the cluster is unreachable, or the watch is refused); it is retried with
    /// backoff, and the next [`Change::Updated`] means the cluster answers again.
    Unreachable(String),
}

/// Follow context `name` in `namespace` until the receiver is dropped.
pub fn follow(cluster: &Cluster, namespace: &str, name: &str) -> mpsc::UnboundedReceiver<Change> {
    let api = cluster.contexts(Some(namespace));
    // The server ends each watch before the client would call the silence a timeout, and the
    // watcher resumes from where it was (no error, no relist).
    let config = watcher::Config::default()
        .fields(&format!("metadata.name={name}"))
        .timeout(cluster.watch_seconds());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut events = watcher(api, config).default_backoff().boxed();
        // Whether the object was listed since the watch last (re)started.
        let mut listed = false;
        while let Some(event) = events.next().await {
            let change = match event {
                Ok(Event::Init) => {
                    listed = false;
                    continue;
                }
                Ok(Event::InitApply(obj) | Event::Apply(obj)) => {
                    listed = true;
                    Change::Updated(Box::new(obj))
                }
                Ok(Event::InitDone) if listed => continue,
                Ok(Event::InitDone | Event::Delete(_)) => Change::Deleted,
                Err(e) => Change::Unreachable(crate::cluster::chain(&e)),
            };
            if tx.send(change).is_err() {
                break;
            }
        }
    });
    rx
}
