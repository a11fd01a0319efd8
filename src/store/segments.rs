//! Sealed history segments: the older turns of a conversation, moved out of the live context
//! object into immutable objects of their own (`ClaudeModelContextSegment`, same API group).
//!
//! Why a resource of our own and not ConfigMaps: RBAC. Whoever may read ConfigMaps in a
//! namespace would read every conversation archived there, even when denied the contexts.
//! Segments are granted (or not) like contexts, by name of their own resource.
//!
//! Each segment is written once and never changed: `spec` holds the messages as gzip-compressed
//! JSON with their count, turn range, uncompressed size and digest; its name is the context's
//! name and a sequence number; it carries an owner reference to its context (deleting the
//! context deletes them where a garbage collector runs; `kubectl mcp delete` also deletes them
//! itself) and the label [`CONTEXT_UID_LABEL`] to find them. The context's `status.segments`
//! lists the segments that belong to the conversation, in order: a segment not listed there is
//! the leftover of an interrupted seal and is never read as part of the history.
//!
//! Because they are immutable, segments are cached: in memory for the life of a process (the
//! REPL) and on disk under the tool's private state directory, keyed by name and digest, so a
//! window that reaches into sealed turns reads each segment from the cluster once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::ByteString;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::core::ObjectMeta;
use kube::Api;
use sha2::{Digest, Sha256};

use crate::cluster::{Cluster, ClusterError, Op};
pub use crate::model::digest::digest;
use crate::model::resource::{count_turns, Message, SegmentRef};
pub use crate::model::segment::*;

fn op(verb: &'static str, namespace: &str) -> Op {
    Op {
        verb,
        resource: RESOURCE,
        namespace: Some(namespace.to_string()),
        session: None,
    }
}

/// Segment errors in words: a 404 on a listed segment means it was deleted by hand, not that a
/// context is missing.
fn segment_error(
    cluster: &Cluster,
    e: kube::Error,
    verb: &'static str,
    ns: &str,
    name: &str,
) -> ClusterError {
    if let kube::Error::Api(s) = &e {
        if s.code == 404 && s.details.as_ref().is_some_and(|d| !d.name.is_empty()) {
            return ClusterError::Api {
                code: 404,
                reason: "NotFound".into(),
                verb: verb.into(),
                what: format!("history segment {name} in namespace \"{ns}\""),
                message: "it is listed in the context's status.segments but is gone (deleted by hand?); the turns it held cannot be read".into(),
            };
        }
        if s.code == 404 {
            return ClusterError::Api {
                code: 404,
                reason: "NotFound".into(),
                verb: verb.into(),
                what: format!("{RESOURCE} in namespace \"{ns}\""),
                message: format!(
                    "the resource type {CRD_NAME} is not installed: run `kubectl mcp install`"
                ),
            };
        }
    }
    cluster.error(e, &op(verb, ns))
}

/// What a seal wants written: the messages and where they sit in the conversation.
pub struct NewSegment<'a> {
    /// The context's namespace.
    pub namespace: &'a str,
    /// The context's name.
    pub context: &'a str,
    /// The context's uid (label) and owner reference.
    pub owner: OwnerReference,
    /// Sequence number.
    pub sequence: u32,
    /// Turns sealed before these.
    pub turns_before: u64,
    /// The messages, oldest first.
    pub messages: &'a [Message],
    /// Turns moved aside rather than sealed ([`aside_name_for`]).
    pub aside: bool,
}

/// What creating a segment found.
pub enum Created {
    /// Written now (or identical content was already there under that name).
    Written(SegmentRef),
    /// The name holds other messages: an earlier, interrupted seal of a different cut.
    Taken(Box<ClaudeModelContextSegment>),
}

/// Create a segment, or find that the name is taken. Identical content already there (another
/// process sealed the same turns first, or a retry after a lost answer) counts as written.
pub async fn create(cluster: &Cluster, new: &NewSegment<'_>) -> Result<Created, ClusterError> {
    let digest = crate::store::segments::digest(new.messages);
    let (data, bytes) = encode(new.messages).map_err(|e| ClusterError::Invalid {
        what: "a history segment".into(),
        message: e.to_string(),
        causes: Vec::new(),
    })?;
    let turns = count_turns(new.messages) as u64;
    let name = if new.aside {
        aside_name_for(new.context, new.sequence)
    } else {
        name_for(new.context, new.sequence)
    };
    let mut labels = std::collections::BTreeMap::new();
    labels.insert(CONTEXT_UID_LABEL.to_string(), new.owner.uid.clone());
    if new.context.len() <= 63 {
        labels.insert(CONTEXT_LABEL.to_string(), new.context.to_string());
    }
    let seg = ClaudeModelContextSegment {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(new.namespace.to_string()),
            labels: Some(labels),
            owner_references: Some(vec![new.owner.clone()]),
            ..Default::default()
        },
        spec: ClaudeModelContextSegmentSpec {
            context: new.context.to_string(),
            sequence: new.sequence,
            first_turn: new.turns_before + 1,
            last_turn: new.turns_before + turns,
            messages: new.messages.len() as u32,
            bytes,
            digest: digest.clone(),
            encoding: ENCODING.to_string(),
            data: ByteString(data),
        },
    };
    let api: Api<ClaudeModelContextSegment> =
        Api::namespaced(cluster.client().clone(), new.namespace);
    match api.create(&PostParams::default(), &seg).await {
        Ok(_) => Ok(Created::Written(seg.reference())),
        Err(kube::Error::Api(s)) if s.code == 409 => {
            let existing = api
                .get(&name)
                .await
                .map_err(|e| segment_error(cluster, e, "get", new.namespace, &name))?;
            if adoptable(&existing, &new.owner.uid, &digest, new.messages.len()) {
                Ok(Created::Written(existing.reference()))
            } else {
                Ok(Created::Taken(Box::new(existing)))
            }
        }
        Err(e) => Err(segment_error(cluster, e, "create", new.namespace, &name)),
    }
}

/// Seal `messages` (the start of a conversation) into as many segments as they need, numbered
/// from 0, skipping names that hold other content (leftovers of a deleted context where no
/// garbage collector ran). Returns what `status.segments` lists.
pub async fn create_all(
    cluster: &Cluster,
    namespace: &str,
    context: &str,
    owner: OwnerReference,
    messages: &[Message],
) -> Result<Vec<SegmentRef>, ClusterError> {
    create_from(cluster, namespace, context, owner, 0, messages, false).await
}

/// [`create_all`] numbered from `first_sequence`.
pub async fn create_from(
    cluster: &Cluster,
    namespace: &str,
    context: &str,
    owner: OwnerReference,
    first_sequence: u32,
    messages: &[Message],
    aside: bool,
) -> Result<Vec<SegmentRef>, ClusterError> {
    let mut refs = Vec::new();
    let (mut at, mut sequence, mut turns_before) = (0, first_sequence, 0u64);
    while at < messages.len() {
        let n = chunk_len(&messages[at..]);
        let new = NewSegment {
            namespace,
            context,
            owner: owner.clone(),
            sequence,
            turns_before,
            messages: &messages[at..at + n],
            aside,
        };
        sequence += 1;
        if let Created::Written(r) = create(cluster, &new).await? {
            turns_before += r.turns;
            refs.push(r);
            at += n;
        }
    }
    Ok(refs)
}

/// Sealed messages read so far, shared by every read of this process, backed by files.
#[derive(Clone)]
pub struct Cache {
    mem: Arc<std::sync::Mutex<HashMap<String, Arc<Vec<Message>>>>>,
    dir: Option<PathBuf>,
    /// Keep what was read in memory too (a REPL reads the same segments again); readers that
    /// go through a whole conversation once (export, get, search, the MCP server's reads)
    /// keep nothing, so that memory holds one segment at a time, not the conversation.
    keep_in_memory: bool,
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            mem: Default::default(),
            dir: None,
            keep_in_memory: true,
        }
    }
}

impl Cache {
    /// A cache kept in memory and under `<state dir>/segments` (private, like the journal).
    pub fn open_default() -> Self {
        let dir = crate::store::journal::state_dir()
            .ok()
            .map(|d| d.join("segments"))
            .filter(|d| crate::store::journal::private_dir(d).is_ok());
        Self {
            mem: Default::default(),
            dir,
            keep_in_memory: true,
        }
    }

    /// [`Cache::open_default`] without the memory part: for a reader that goes through a
    /// conversation once, one segment at a time.
    pub fn open_streaming() -> Self {
        Self {
            keep_in_memory: false,
            ..Self::open_default()
        }
    }

    /// Memory only (tests).
    pub fn in_memory() -> Self {
        Self::default()
    }

    fn key(server: &str, namespace: &str, r: &SegmentRef) -> String {
        let h: String = Sha256::digest(format!("{server}\0{namespace}\0{}", r.name).as_bytes())
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{h}-{}", r.digest)
    }

    /// The messages of segment `r`: from memory, from disk, or from the cluster (then kept).
    pub async fn read(
        &self,
        cluster: &Cluster,
        namespace: &str,
        r: &SegmentRef,
    ) -> anyhow::Result<Arc<Vec<Message>>> {
        if let Some(kind) = quarantined(r) {
            return Err(Damaged::of(
                r,
                Damage::Quarantined,
                format!(
                    "set aside by `kubectl mcp repair` ({}); its turns are lost",
                    kind.as_str()
                ),
            )
            .into());
        }
        let key = Self::key(cluster.server(), namespace, r);
        if let Some(m) = self.mem.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(m);
        }
        let file = self.dir.as_ref().map(|d| d.join(format!("{key}.json.gz")));
        if let Some(f) = &file {
            if let Ok(data) = std::fs::read(f) {
                match decode(&data, &r.digest, &r.name) {
                    Ok(messages) if messages.len() == r.messages as usize => {
                        return Ok(self.keep(key, messages))
                    }
                    Ok(_) => tracing::warn!(
                        "ignoring a cached segment of another length: {}",
                        f.display()
                    ),
                    Err(e) => {
                        tracing::warn!("ignoring a damaged cached segment {}: {e:#}", f.display())
                    }
                }
            }
        }
        let (messages, data) = fetch(cluster, namespace, r).await?;
        if let Some(f) = &file {
            // Written whole then renamed, so a reader never sees half a file.
            let tmp = f.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, &data).is_ok() {
                let _ = std::fs::rename(&tmp, f);
            }
        }
        Ok(self.keep(key, messages))
    }

    /// The messages of segment `r` as this machine's cache kept them (never from the
    /// cluster), checked against the digest and count `r` lists: what `repair` restores a
    /// damaged or deleted segment from.
    pub fn disk_copy(&self, server: &str, namespace: &str, r: &SegmentRef) -> Option<Vec<Message>> {
        let key = Self::key(server, namespace, r);
        let file = self.dir.as_ref()?.join(format!("{key}.json.gz"));
        let data = std::fs::read(file).ok()?;
        decode(&data, &r.digest, &r.name)
            .ok()
            .filter(|m| m.len() == r.messages as usize)
    }

    fn keep(&self, key: String, messages: Vec<Message>) -> Arc<Vec<Message>> {
        let messages = Arc::new(messages);
        if self.keep_in_memory {
            if let Ok(mut m) = self.mem.lock() {
                m.insert(key, messages.clone());
            }
        }
        messages
    }
}

/// Segment `r` read from the cluster and checked (no cache): its messages and its compressed
/// data. A failure that is the segment's own is a [`Damaged`].
pub async fn fetch(
    cluster: &Cluster,
    namespace: &str,
    r: &SegmentRef,
) -> anyhow::Result<(Vec<Message>, Vec<u8>)> {
    let api: Api<ClaudeModelContextSegment> = Api::namespaced(cluster.client().clone(), namespace);
    let seg = match api.get(&r.name).await {
        Ok(seg) => seg,
        Err(e) => {
            let err = segment_error(cluster, e, "get", namespace, &r.name);
            return Err(match err {
                // Gone: `is_gone` tells the caller to reload the context first (a merge
                // replaces segments); if the reloaded list still names it, it is damage.
                ClusterError::Api { code: 404, .. } => {
                    Damaged::of(r, Damage::Missing, err.to_string()).into()
                }
                other => other.into(),
            });
        }
    };
    if seg.spec.digest != r.digest {
        return Err(Damaged::of(
            r,
            Damage::DigestMismatch,
            format!(
                "it holds other messages than the context lists (digest {} instead of {})",
                seg.spec.digest, r.digest
            ),
        )
        .into());
    }
    if seg.spec.encoding != ENCODING {
        return Err(Damaged::of(
            r,
            Damage::Encoding,
            format!(
                "it is encoded as {:?}, which this version cannot read",
                seg.spec.encoding
            ),
        )
        .into());
    }
    let messages = decode(&seg.spec.data.0, &r.digest, &r.name)
        .map_err(|b| Damaged::of(r, b.kind, b.detail))?;
    if messages.len() != r.messages as usize {
        return Err(Damaged::of(
            r,
            Damage::CountMismatch,
            format!(
                "it holds {} messages where the context lists {}",
                messages.len(),
                r.messages
            ),
        )
        .into());
    }
    Ok((messages, seg.spec.data.0))
}

/// True when `e` says a listed segment no longer exists: the list it came from is stale
/// (segments are merged, and cleared), so the reader should load the context again.
pub fn is_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<ClusterError>(),
            Some(ClusterError::Api { code: 404, .. })
        ) || c
            .downcast_ref::<Damaged>()
            .is_some_and(|d| d.kind == Damage::Missing)
    })
}

/// [`full_history`] of the context `obj` names, loading the context again (once) when a
/// segment of the list it had went away meanwhile.
pub async fn full_history_fresh(
    cluster: &Cluster,
    cache: &Cache,
    obj: &mut crate::model::resource::ClaudeModelContext,
) -> anyhow::Result<Vec<Message>> {
    match full_history(cluster, cache, obj).await {
        Err(e) if is_gone(&e) => {
            let ns = obj.namespace_or_default();
            *obj = cluster.find(&ns, &obj.spec.session_id).await?;
            full_history(cluster, cache, obj).await
        }
        other => other,
    }
}

/// The one history reader: every message of the conversation of `obj`, oldest first, each
/// once: ConfigMap archives of older versions not yet migrated, the sealed segments listed in
/// status, then the live object (without the messages a pending seal already holds).
pub async fn full_history(
    cluster: &Cluster,
    cache: &Cache,
    obj: &crate::model::resource::ClaudeModelContext,
) -> anyhow::Result<Vec<Message>> {
    let ns = obj.namespace_or_default();
    let mut out: Vec<Message> = Vec::new();
    if obj.status.as_ref().and_then(|s| s.archived_turns).is_some() {
        let name = obj.metadata.name.clone().unwrap_or_default();
        out = crate::store::archive::read(cluster, &ns, &name).await?;
    }
    for r in obj.segments() {
        out.extend_from_slice(&cache.read(cluster, &ns, r).await?);
    }
    let live = &obj.spec.context_history[obj.pending_trim()..];
    if obj.status.as_ref().and_then(|s| s.archived_turns).is_some() {
        return Ok(crate::store::archive::stitch(out, live));
    }
    out.extend_from_slice(live);
    Ok(out)
}

/// [`full_history`] without the turns of damaged segments (see [`Damaged`]), which come back
/// beside the messages: a reader shows what can be read and says what cannot. Reloads the
/// context once when a listed segment went away meanwhile (a merge), as
/// [`full_history_fresh`] does.
pub async fn full_history_lossy(
    cluster: &Cluster,
    cache: &Cache,
    obj: &mut crate::model::resource::ClaudeModelContext,
) -> anyhow::Result<(Vec<Message>, Vec<Damaged>)> {
    match lossy(cluster, cache, obj, false).await {
        Err(e) if is_gone(&e) => {
            let ns = obj.namespace_or_default();
            *obj = cluster.find(&ns, &obj.spec.session_id).await?;
            lossy(cluster, cache, obj, true).await
        }
        other => other,
    }
}

async fn lossy(
    cluster: &Cluster,
    cache: &Cache,
    obj: &crate::model::resource::ClaudeModelContext,
    missing_is_damage: bool,
) -> anyhow::Result<(Vec<Message>, Vec<Damaged>)> {
    let ns = obj.namespace_or_default();
    let mut out: Vec<Message> = Vec::new();
    let mut damaged = Vec::new();
    if obj.status.as_ref().and_then(|s| s.archived_turns).is_some() {
        let name = obj.metadata.name.clone().unwrap_or_default();
        out = crate::store::archive::read(cluster, &ns, &name).await?;
    }
    for r in obj.segments() {
        match cache.read(cluster, &ns, r).await {
            Ok(m) => out.extend_from_slice(&m),
            Err(e) => match damage_of(&e) {
                Some(d) if missing_is_damage || d.kind != Damage::Missing => {
                    damaged.push(d.clone())
                }
                _ => return Err(e),
            },
        }
    }
    let live = &obj.spec.context_history[obj.pending_trim()..];
    if obj.status.as_ref().and_then(|s| s.archived_turns).is_some() {
        return Ok((crate::store::archive::stitch(out, live), damaged));
    }
    out.extend_from_slice(live);
    Ok((out, damaged))
}

/// A piece of a conversation, as [`Reader`] hands them out.
#[derive(Debug)]
pub enum Piece {
    /// Messages, in order: `.0[.1..]` (a whole segment shared with the cache, or the live
    /// object's messages).
    Messages(Arc<Vec<Message>>, usize),
    /// A segment whose messages cannot be read: they are not in the conversation as read.
    Damaged(Damaged),
}

impl Piece {
    /// The messages of this piece (none for a damaged segment).
    pub fn messages(&self) -> &[Message] {
        match self {
            Piece::Messages(m, from) => &m[(*from).min(m.len())..],
            Piece::Damaged(_) => &[],
        }
    }

    /// How many messages of the conversation it stands for.
    pub fn len(&self) -> u64 {
        match self {
            Piece::Messages(..) => self.messages().len() as u64,
            Piece::Damaged(d) => u64::from(d.messages),
        }
    }

    /// True for a piece of no messages.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A conversation read one segment at a time, oldest first, from a message position on: what
/// `export`, `get`, `search` and the MCP server's reads go through, so that memory holds one
/// segment (at most [`MAX_INFLATED`] of text), never the conversation. A damaged segment comes
/// as a [`Piece::Damaged`] in its place. When a listed segment went away meanwhile (another
/// process merged it) the context is read again and reading goes on from the same position
/// (merges and seals keep positions).
pub struct Reader<'a> {
    cluster: &'a Cluster,
    cache: Cache,
    obj: crate::model::resource::ClaudeModelContext,
    /// Messages of the conversation passed so far (read, or damaged).
    at: u64,
    /// The next segment to read, and how many of its messages to skip.
    next: usize,
    skip: u64,
    /// The live messages were handed out.
    done: bool,
    /// ConfigMap archives of older versions (not migrated yet) are read whole, once.
    legacy: bool,
}

impl<'a> Reader<'a> {
    /// A reader of `obj`'s conversation from message `from` (0: the start).
    pub fn new(
        cluster: &'a Cluster,
        obj: crate::model::resource::ClaudeModelContext,
        from: u64,
    ) -> Self {
        let legacy = obj.status.as_ref().and_then(|s| s.archived_turns).is_some();
        let mut r = Self {
            cluster,
            cache: Cache::open_streaming(),
            obj,
            at: from,
            next: 0,
            skip: 0,
            done: false,
            legacy,
        };
        r.seek();
        r
    }

    /// The context as last read (it is read again after a merge).
    pub fn object(&self) -> &crate::model::resource::ClaudeModelContext {
        &self.obj
    }

    /// Point `next`/`skip` at message `at` of the current object's list.
    fn seek(&mut self) {
        let mut start = 0u64;
        for (i, r) in self.obj.segments().iter().enumerate() {
            let end = start + u64::from(r.messages);
            if self.at < end {
                self.next = i;
                self.skip = self.at - start;
                return;
            }
            start = end;
        }
        self.next = self.obj.segments().len();
        self.skip = self.at.saturating_sub(start);
    }

    /// The next piece, or `None` at the end.
    pub async fn next(&mut self) -> anyhow::Result<Option<Piece>> {
        if self.legacy {
            // Older versions' archives come whole (they are migrated on the context's next
            // write); positions before them are not counted.
            self.legacy = false;
            self.done = true;
            let all = full_history(self.cluster, &self.cache, &self.obj).await?;
            let from = (self.at as usize).min(all.len());
            return Ok(Some(Piece::Messages(Arc::new(all), from)));
        }
        let ns = self.obj.namespace_or_default();
        let mut reloaded = false;
        while self.next < self.obj.segments().len() {
            let r = self.obj.segments()[self.next].clone();
            let skip = self.skip as usize;
            match self.cache.read(self.cluster, &ns, &r).await {
                Ok(m) => {
                    self.next += 1;
                    self.skip = 0;
                    self.at += u64::from(r.messages) - skip as u64;
                    return Ok(Some(Piece::Messages(m, skip)));
                }
                Err(e) if is_gone(&e) && !reloaded => {
                    reloaded = true;
                    self.obj = self.cluster.find(&ns, &self.obj.spec.session_id).await?;
                    self.seek();
                }
                Err(e) => {
                    let Some(d) = damage_of(&e) else {
                        return Err(e);
                    };
                    let d = d.clone();
                    self.next += 1;
                    self.skip = 0;
                    self.at += u64::from(r.messages) - skip as u64;
                    return Ok(Some(Piece::Damaged(d)));
                }
            }
        }
        if self.done {
            return Ok(None);
        }
        self.done = true;
        let live = &self.obj.spec.context_history[self.obj.pending_trim()..];
        let from = (self.skip as usize).min(live.len());
        self.at += (live.len() - from) as u64;
        Ok(Some(Piece::Messages(Arc::new(live.to_vec()), from)))
    }
}

/// Every segment labelled as belonging to the context with `uid` (listed or not).
pub async fn list_for(
    cluster: &Cluster,
    namespace: &str,
    uid: &str,
) -> Result<Vec<String>, ClusterError> {
    let api: Api<ClaudeModelContextSegment> = Api::namespaced(cluster.client().clone(), namespace);
    let params = ListParams::default().labels(&format!("{CONTEXT_UID_LABEL}={uid}"));
    let list = api
        .list_metadata(&params)
        .await
        .map_err(|e| segment_error(cluster, e, "list", namespace, ""))?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|m| m.metadata.name)
        .collect())
}

/// Delete the named segments (a context being deleted, or cleared). Already gone is fine.
pub async fn delete(
    cluster: &Cluster,
    namespace: &str,
    names: &[String],
) -> Result<(), ClusterError> {
    let api: Api<ClaudeModelContextSegment> = Api::namespaced(cluster.client().clone(), namespace);
    for name in names {
        match api.delete(name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(segment_error(cluster, e, "delete", namespace, name)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{message, MessageFixture};
    use crate::model::resource::Role;
    use std::io::Write;

    fn msg(role: Role, content: &str) -> Message {
        message(role, content).with_id(&format!("id-{content}"))
    }

    #[test]
    fn data_round_trips_and_is_checked_against_its_digest() {
        let m = vec![msg(Role::User, "q \u{1} ✓"), msg(Role::Assistant, "a")];
        let (data, bytes) = encode(&m).unwrap();
        assert!(bytes > 0);
        assert_eq!(decode(&data, &digest(&m), "s").unwrap(), m);
        let err = decode(&data, "0000", "s").unwrap_err().to_string();
        assert!(err.contains("does not match its digest"), "{err}");
        assert!(decode(b"not gzip", "x", "s").is_err());
    }

    #[test]
    fn segments_sealed_before_message_ids_are_still_read() {
        // Digest computed outside Rust, with the formula of the versions before ids
        // (sha256 of role, timestamp, NUL, content, NUL per message; 16 bytes in hex).
        let m: Vec<Message> = serde_json::from_value(serde_json::json!([
            {"role": "user", "content": "hello", "timestamp": "2026-11-26T06:20:00Z", "id": "0123456789abcdef"},
            {"role": "assistant", "content": "hi there", "id": "fedcba9876543210"},
        ]))
        .unwrap();
        let (data, _) = encode(&m).unwrap();
        assert_eq!(
            decode(&data, "ffd5aee6e3d5da2a6c091f0187ed78ea", "old").unwrap(),
            m
        );
        // The old digest names these messages only.
        let mut changed = m.clone();
        changed[1].content.push('!');
        let (data, _) = encode(&changed).unwrap();
        assert!(decode(&data, "ffd5aee6e3d5da2a6c091f0187ed78ea", "old").is_err());
    }

    #[test]
    fn a_bomb_is_refused() {
        let bomb = |byte: u8| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&vec![byte; (MAX_INFLATED + 10) as usize])
                .unwrap();
            enc.finish().unwrap()
        };
        // Whitespace is valid JSON as far as it goes: inflated up to the limit, then refused.
        let err = decode(&bomb(b' '), "x", "s").unwrap_err();
        assert_eq!(err.kind, Damage::TooLarge, "{err}");
        assert!(err.to_string().contains("inflates to more than"), "{err}");
        // Anything else is refused at its first byte, without inflating the rest.
        let err = decode(&bomb(0), "x", "s").unwrap_err();
        assert_eq!(err.kind, Damage::NotMessages, "{err}");
    }

    #[test]
    fn names_are_valid_and_bounded() {
        assert_eq!(name_for("abc", 7), "abc-seg-000007");
        let long = "a".repeat(250);
        let n = name_for(&long, 1);
        assert!(n.len() <= 253, "{}", n.len());
        assert!(crate::model::naming::is_dns1123_subdomain(&n), "{n}");
        assert_ne!(
            name_for(&long, 1),
            name_for(&format!("{}b", "a".repeat(249)), 1)
        );
    }

    #[test]
    fn the_crd_is_namespaced_in_our_group() {
        let crd = crd();
        assert_eq!(crd.metadata.name.as_deref(), Some(CRD_NAME));
        assert_eq!(crd.spec.group, "mcp.dev");
        assert_eq!(crd.spec.scope, "Namespaced");
        assert_eq!(crd.spec.names.plural, PLURAL);
    }
}
