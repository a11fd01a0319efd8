//! Turns moved out of a context that neared etcd's object size limit: ConfigMaps of JSON Lines,
//! owned by the context and labelled with its name, written before the turns leave the object.
//!
//! Names come from the content (a digest of the archived messages), so two processes that
//! archive the same turns at once write one set of ConfigMaps; the reader orders archives by
//! when they were written and drops messages it has already seen (by id, or role, content and
//! timestamp), so overlapping archives never show a turn twice. Every chunk is sized by the
//! bytes the apiserver will store (Go's JSON encoding of the data string), so the archive path
//! never builds an object it cannot write.

use anyhow::Context;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{ListParams, PostParams};
use kube::Api;
use serde_json::json;

use crate::cluster::{Cluster, ClusterError, Op};
use crate::model::resource::Message;
use crate::model::size;

/// Label tying an archive ConfigMap to its context.
pub const ARCHIVE_LABEL: &str = "mcp.dev/context";
/// The data key holding the messages.
const DATA_KEY: &str = "messages.jsonl";
/// Annotation: when the archive was written (RFC 3339, nanoseconds), its order among archives.
const WRITTEN_AT: &str = "mcp.dev/archived-at";
/// Annotation: the chunk's index among those written together.
const CHUNK: &str = "mcp.dev/chunk";
/// Largest stored size of one chunk's data (ConfigMaps take 1 MiB of data; etcd ~1.5 MiB).
const CHUNK_BYTES: usize = 900_000;

/// Write `messages` (oldest first) as archive ConfigMaps of context `name`. Returns their names.
pub async fn write(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    session: &str,
    owner: OwnerReference,
    messages: &[Message],
) -> anyhow::Result<Vec<String>> {
    let chunks = chunk(messages)?;
    let digest = crate::model::digest::fingerprint(messages);
    let base: String = name.chars().take(200).collect();
    let at = jiff::Timestamp::now().to_string();
    let cms: Api<ConfigMap> = Api::namespaced(cluster.client().clone(), namespace);
    let mut names = Vec::new();
    for (i, body) in chunks.into_iter().enumerate() {
        let cm_name = format!("{base}-archive-{}-{i}", &digest[..12]);
        let cm: ConfigMap = serde_json::from_value(json!({
            "metadata": {
                "name": cm_name,
                "labels": {ARCHIVE_LABEL: name},
                "annotations": {"mcp.dev/session": session, WRITTEN_AT: at, CHUNK: i.to_string()},
                "ownerReferences": [owner],
            },
            "data": {DATA_KEY: body},
        }))?;
        let op = Op {
            verb: "create",
            resource: "configmaps",
            namespace: Some(namespace.to_string()),
            session: Some(cm_name.clone()),
        };
        match cms.create(&PostParams::default(), &cm).await {
            Ok(_) => {}
            // The same turns, archived by another process first: the content is the same.
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            Err(e) => {
                return Err(cluster.error(e, &op)).context("archiving the oldest turns");
            }
        }
        names.push(cm_name);
    }
    Ok(names)
}

/// Split `messages` into JSON Lines bodies that each store within [`CHUNK_BYTES`].
fn chunk(messages: &[Message]) -> anyhow::Result<Vec<String>> {
    let mut chunks = Vec::new();
    let mut body = String::new();
    let mut stored = 2;
    for m in messages {
        let line = serde_json::to_string(m)? + "\n";
        let line_stored = size::stored_str_len(&line) - 2;
        if line_stored > CHUNK_BYTES {
            anyhow::bail!(
                "a message of {line_stored} stored bytes cannot be archived (an archive holds {CHUNK_BYTES})"
            );
        }
        if !body.is_empty() && stored + line_stored > CHUNK_BYTES {
            chunks.push(std::mem::take(&mut body));
            stored = 2;
        }
        body.push_str(&line);
        stored += line_stored;
    }
    if !body.is_empty() {
        chunks.push(body);
    }
    Ok(chunks)
}

/// Every archived message of context `name`, oldest first, each once.
pub async fn read(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
) -> Result<Vec<Message>, ClusterError> {
    let cms: Api<ConfigMap> = Api::namespaced(cluster.client().clone(), namespace);
    let op = Op {
        verb: "list",
        resource: "configmaps",
        namespace: Some(namespace.to_string()),
        session: None,
    };
    let params = ListParams::default().labels(&format!("{ARCHIVE_LABEL}={name}"));
    let list = cms.list(&params).await.map_err(|e| cluster.error(e, &op))?;
    let mut archives: Vec<(String, u64, String)> =
        list.items.into_iter().filter_map(archive_of).collect();
    archives.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut out: Vec<Message> = Vec::new();
    let mut seen_ids = std::collections::HashSet::new();
    for (_, _, body) in archives {
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(m) = serde_json::from_str::<Message>(line) else {
                tracing::warn!("skipping an unreadable line in an archive of {namespace}/{name}");
                continue;
            };
            let dup = match &m.id {
                Some(id) => !seen_ids.insert(id.clone()),
                None => out.iter().any(|o| o.same(&m)),
            };
            if !dup {
                out.push(m);
            }
        }
    }
    Ok(out)
}

/// One archive ConfigMap as (sort key of when it was written, chunk number, body), or `None`
/// when it holds no data.
fn archive_of(cm: ConfigMap) -> Option<(String, u64, String)> {
    let annotations = cm.metadata.annotations.clone().unwrap_or_default();
    let at = annotations
        .get(WRITTEN_AT)
        .cloned()
        .or_else(|| {
            cm.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.to_string())
        })
        .unwrap_or_default();
    let chunk = annotations
        .get(CHUNK)
        .and_then(|c| c.parse().ok())
        .or_else(|| {
            cm.metadata
                .name
                .as_deref()
                .and_then(|n| n.rsplit('-').next())
                .and_then(|c| c.parse().ok())
        })
        .unwrap_or(0);
    let body = cm.data?.remove(DATA_KEY)?;
    Some((sort_key(&at), chunk, body))
}

/// Times sort as text once they have one shape: whole seconds for old archives, nanoseconds for
/// new ones, both normalised through jiff.
fn sort_key(at: &str) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(t) => format!("{:020}", t.as_nanosecond()),
        Err(_) => at.to_string(),
    }
}

/// Delete every archive ConfigMap of context `name` (after they were migrated into history
/// segments).
pub async fn delete_all(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
) -> Result<(), ClusterError> {
    let cms: Api<ConfigMap> = Api::namespaced(cluster.client().clone(), namespace);
    let op = Op {
        verb: "delete",
        resource: "configmaps",
        namespace: Some(namespace.to_string()),
        session: None,
    };
    let params = ListParams::default().labels(&format!("{ARCHIVE_LABEL}={name}"));
    let list = cms
        .list_metadata(&params)
        .await
        .map_err(|e| cluster.error(e, &op))?;
    for cm in list.items {
        let Some(n) = cm.metadata.name else { continue };
        match cms.delete(&n, &Default::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(cluster.error(e, &op)),
        }
    }
    Ok(())
}

/// The whole stored conversation: archived messages, then the live history (dropping any live
/// message an interrupted archive already holds).
pub fn stitch(archived: Vec<Message>, live: &[Message]) -> Vec<Message> {
    let mut out = archived;
    let ids: std::collections::HashSet<String> = out.iter().filter_map(|m| m.id.clone()).collect();
    for m in live {
        let dup = match &m.id {
            Some(id) => ids.contains(id),
            None => out.iter().any(|o| o.same(m)),
        };
        if !dup {
            out.push(m.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{user, MessageFixture};

    fn msg(id: &str, c: &str) -> Message {
        user(c).with_id(id)
    }

    #[test]
    fn chunks_are_sized_by_stored_bytes() {
        // 200,000 control characters: 200 kB raw, 1.4 MB stored in a data string.
        let big = msg("a", &"\u{1}".repeat(100_000));
        let chunks = chunk(&[big.clone(), big.clone(), big]).unwrap();
        assert_eq!(chunks.len(), 3, "each stores ~700 kB: one per chunk");
        for c in &chunks {
            assert!(size::stored_str_len(c) <= CHUNK_BYTES + 2);
        }
        let huge = msg("b", &"\u{1}".repeat(200_000));
        assert!(chunk(&[huge]).is_err());
    }

    #[test]
    fn stitching_drops_what_an_archive_already_holds() {
        let all = stitch(
            vec![msg("1", "a"), msg("2", "b")],
            &[msg("2", "b"), msg("3", "c")],
        );
        let ids: Vec<_> = all.iter().map(|m| m.id.clone().unwrap()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
    }
}
