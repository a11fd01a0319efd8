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
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::ByteString;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::core::ObjectMeta;
use kube::{Api, CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cluster::{Cluster, ClusterError, Op};
use crate::resource::{count_turns, Message, SegmentRef};

/// Plural resource name of segments, as RBAC spells it.
pub const PLURAL: &str = "claudemodelcontextsegments";
/// The segment CRD's own name.
pub const CRD_NAME: &str = "claudemodelcontextsegments.mcp.dev";
/// The resource with its group, as error messages and RBAC rules name it.
const RESOURCE: &str = "claudemodelcontextsegments.mcp.dev";
/// Label holding the owning context's uid (a uid is always a valid label value; a context name
/// of up to 253 characters is not).
pub const CONTEXT_UID_LABEL: &str = "mcp.dev/context-uid";
/// Label holding the owning context's name when it fits a label value (for `kubectl get -l`).
pub const CONTEXT_LABEL: &str = "mcp.dev/context";
/// How the data is encoded.
pub const ENCODING: &str = "gzip+json";
/// Most uncompressed bytes of messages one seal puts in a segment (a single larger turn is
/// sealed alone: a turn is at most `MAX_TURN_BYTES`, and compressed and base64-encoded it
/// still fits an object).
pub const SEGMENT_BYTES: usize = 512 * 1024;
/// Largest uncompressed data accepted from a segment (a corrupt or hostile object must not
/// inflate without bound).
const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// An immutable piece of a conversation's older history.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "mcp.dev",
    version = "v1alpha1",
    kind = "ClaudeModelContextSegment",
    plural = "claudemodelcontextsegments",
    singular = "claudemodelcontextsegment",
    shortname = "cmcseg",
    category = "mcp",
    namespaced,
    derive = "PartialEq",
    doc = "Sealed, immutable older turns of a ClaudeModelContext: written once when they left \
           the live object, listed in the context's status.segments, read back by export, \
           get --full and windows that reach that far.",
    printcolumn = r#"{"name":"Context","type":"string","jsonPath":".spec.context","description":"The context this segment belongs to"}"#,
    printcolumn = r#"{"name":"Seq","type":"integer","jsonPath":".spec.sequence","description":"Order among the context's segments"}"#,
    printcolumn = r#"{"name":"First","type":"integer","jsonPath":".spec.firstTurn","description":"First turn held (1-based)"}"#,
    printcolumn = r#"{"name":"Last","type":"integer","jsonPath":".spec.lastTurn","description":"Last turn held"}"#,
    printcolumn = r#"{"name":"Messages","type":"integer","jsonPath":".spec.messages"}"#,
    printcolumn = r#"{"name":"Bytes","type":"integer","jsonPath":".spec.bytes","description":"Uncompressed size of the messages"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct ClaudeModelContextSegmentSpec {
    /// `metadata.name` of the context the messages belong to.
    #[schemars(length(min = 1, max = 253))]
    pub context: String,
    /// Order among the context's segments (gaps are allowed: an interrupted seal leaves one).
    #[schemars(range(min = 0))]
    pub sequence: u32,
    /// The first turn held, counted from the start of the conversation (1-based).
    #[schemars(range(min = 0))]
    pub first_turn: u64,
    /// The last turn held.
    #[schemars(range(min = 0))]
    pub last_turn: u64,
    /// Messages held.
    #[schemars(range(min = 1))]
    pub messages: u32,
    /// Size of the messages as uncompressed JSON.
    #[schemars(range(min = 0))]
    pub bytes: u64,
    /// Fingerprint of the messages (as `status.segments[].digest` records it).
    #[schemars(length(min = 1, max = 128))]
    pub digest: String,
    /// How `data` is encoded: `gzip+json` (a gzip-compressed JSON array of messages).
    pub encoding: String,
    /// The messages, encoded as `encoding` says (base64 in YAML and JSON).
    #[schemars(schema_with = "byte_schema")]
    pub data: ByteString,
}

fn byte_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "format": "byte" })
}

/// The segment CRD, generated from the type above (no `nullable`, as for contexts).
pub fn crd(
) -> k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition {
    ClaudeModelContextSegment::crd()
}

/// The name of segment `sequence` of context `context`: the context's name and the number, or
/// a shortened name and a hash when that would pass the 253-character limit.
pub fn name_for(context: &str, sequence: u32) -> String {
    name_with(context, "seg", sequence)
}

/// The name of a segment holding turns moved aside (`/clear`, `/undo`): another infix, so a
/// seal never adopts one and a removal never adopts a seal's.
pub fn aside_name_for(context: &str, sequence: u32) -> String {
    name_with(context, "aside", sequence)
}

fn name_with(context: &str, kind: &str, sequence: u32) -> String {
    let suffix = format!("-{kind}-{sequence:06}");
    if context.len() + suffix.len() <= 253 {
        return format!("{context}{suffix}");
    }
    let hash: String = Sha256::digest(context.as_bytes())
        .iter()
        .take(5)
        .map(|b| format!("{b:02x}"))
        .collect();
    let keep = 253 - suffix.len() - hash.len() - 1;
    let head = context[..keep].trim_end_matches(['-', '.']);
    format!("{head}-{hash}{suffix}")
}

/// The digest of sealed messages: their ids, roles, timestamps and contents. Ids make it
/// name exactly these messages (a seal gives id-less messages ids first), so a repeated
/// exchange in the live history can never pass for a sealed one.
pub fn digest(messages: &[Message]) -> String {
    let mut h = Sha256::new();
    for m in messages {
        let stamp = m.timestamp.map(|t| t.to_string()).unwrap_or_default();
        let role = match m.role {
            crate::resource::Role::User => "u",
            crate::resource::Role::Assistant => "a",
        };
        for part in [m.id.as_deref().unwrap_or(""), role, &stamp, &m.content] {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    crate::summarize::short_hex(h)
}

/// The digest segments were sealed with before message ids existed (up to 036eb5e): role,
/// timestamp and content. Those segments are still in clusters; they are read by it, and never
/// written with it.
fn legacy_digest(messages: &[Message]) -> String {
    let mut h = Sha256::new();
    for m in messages {
        h.update(match m.role {
            crate::resource::Role::User => b"u",
            crate::resource::Role::Assistant => b"a",
        });
        h.update(m.timestamp.map(|t| t.to_string()).unwrap_or_default());
        h.update([0]);
        h.update(m.content.as_bytes());
        h.update([0]);
    }
    crate::summarize::short_hex(h)
}

/// Compress `messages` into a segment's data.
pub fn encode(messages: &[Message]) -> anyhow::Result<(Vec<u8>, u64)> {
    let json = serde_json::to_vec(messages)?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&json)?;
    Ok((enc.finish()?, json.len() as u64))
}

/// The messages of a segment's data, checked against `digest`.
pub fn decode(data: &[u8], digest: &str, name: &str) -> anyhow::Result<Vec<Message>> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(data)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut json)
        .map_err(|e| anyhow::anyhow!("segment {name} is not valid gzip data: {e}"))?;
    if json.len() as u64 > MAX_INFLATED {
        anyhow::bail!("segment {name} inflates to more than {MAX_INFLATED} bytes; refusing it");
    }
    let messages: Vec<Message> = serde_json::from_slice(&json)
        .map_err(|e| anyhow::anyhow!("segment {name} does not hold a list of messages: {e}"))?;
    let actual = crate::segment::digest(&messages);
    // A segment sealed by an older version carries the older digest: accepted for exactly
    // these messages, so an upgrade never leaves sealed turns unreadable.
    if actual != digest && legacy_digest(&messages) != digest {
        anyhow::bail!(
            "segment {name} does not match its digest (expected {digest}, found {actual}): it was changed after it was sealed"
        );
    }
    Ok(messages)
}

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
    let digest = crate::segment::digest(new.messages);
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

/// How many of the first `messages` go in one segment: whole turns up to [`SEGMENT_BYTES`],
/// at least one turn (or everything, for a history with no turn boundary).
pub fn chunk_len(messages: &[Message]) -> usize {
    let mut bytes = 0;
    let mut best = 0;
    for (i, m) in messages.iter().enumerate() {
        bytes += crate::size::stored_len(m) + 1;
        if bytes > SEGMENT_BYTES && best > 0 {
            break;
        }
        let next_starts_turn = messages.get(i + 1).is_none_or(|n| {
            n.role == crate::resource::Role::User && m.role == crate::resource::Role::Assistant
        });
        if next_starts_turn {
            best = i + 1;
        }
    }
    if best == 0 {
        messages.len()
    } else {
        best
    }
}

/// True when `existing` is a segment this context may list as holding `count` messages with
/// `digest`: owned by this context (not a leftover of a deleted one with the same name, which
/// a garbage collector is about to delete), and its data really is those messages.
pub fn adoptable(
    existing: &ClaudeModelContextSegment,
    owner_uid: &str,
    digest: &str,
    count: usize,
) -> bool {
    let owned = existing
        .metadata
        .owner_references
        .as_ref()
        .is_some_and(|o| o.iter().any(|r| r.uid == owner_uid));
    owned
        && existing.spec.digest == digest
        && existing.spec.messages as usize == count
        && existing.spec.encoding == ENCODING
        && decode(&existing.spec.data.0, digest, "").is_ok_and(|m| m.len() == count)
}

impl ClaudeModelContextSegment {
    /// The entry `status.segments` records for this segment.
    pub fn reference(&self) -> SegmentRef {
        SegmentRef {
            name: self.metadata.name.clone().unwrap_or_default(),
            sequence: self.spec.sequence,
            first_turn: self.spec.first_turn,
            last_turn: self.spec.last_turn,
            turns: self
                .spec
                .last_turn
                .saturating_add(1)
                .saturating_sub(self.spec.first_turn),
            messages: self.spec.messages,
            bytes: self.spec.bytes,
            digest: self.spec.digest.clone(),
        }
    }
}

/// Sealed messages read so far, shared by every read of this process, backed by files.
#[derive(Clone, Default)]
pub struct Cache {
    mem: Arc<std::sync::Mutex<HashMap<String, Arc<Vec<Message>>>>>,
    dir: Option<PathBuf>,
}

impl Cache {
    /// A cache kept in memory and under `<state dir>/segments` (private, like the journal).
    pub fn open_default() -> Self {
        let dir = crate::journal::state_dir()
            .ok()
            .map(|d| d.join("segments"))
            .filter(|d| crate::journal::private_dir(d).is_ok());
        Self {
            mem: Default::default(),
            dir,
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
        let api: Api<ClaudeModelContextSegment> =
            Api::namespaced(cluster.client().clone(), namespace);
        let seg = api
            .get(&r.name)
            .await
            .map_err(|e| segment_error(cluster, e, "get", namespace, &r.name))?;
        if seg.spec.digest != r.digest {
            anyhow::bail!(
                "history segment {} holds other messages than the context lists (digest {} instead of {})",
                r.name,
                seg.spec.digest,
                r.digest
            );
        }
        if seg.spec.encoding != ENCODING {
            anyhow::bail!(
                "history segment {} is encoded as {:?}, which this version cannot read",
                r.name,
                seg.spec.encoding
            );
        }
        let messages = decode(&seg.spec.data.0, &r.digest, &r.name)?;
        if messages.len() != r.messages as usize {
            anyhow::bail!(
                "history segment {} holds {} messages where the context lists {}",
                r.name,
                messages.len(),
                r.messages
            );
        }
        if let Some(f) = &file {
            // Written whole then renamed, so a reader never sees half a file.
            let tmp = f.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, &seg.spec.data.0).is_ok() {
                let _ = std::fs::rename(&tmp, f);
            }
        }
        Ok(self.keep(key, messages))
    }

    fn keep(&self, key: String, messages: Vec<Message>) -> Arc<Vec<Message>> {
        let messages = Arc::new(messages);
        if let Ok(mut m) = self.mem.lock() {
            m.insert(key, messages.clone());
        }
        messages
    }
}

/// True when `e` says a listed segment no longer exists: the list it came from is stale
/// (segments are merged, and cleared), so the reader should load the context again.
pub fn is_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<ClusterError>(),
            Some(ClusterError::Api { code: 404, .. })
        )
    })
}

/// [`full_history`] of the context `obj` names, loading the context again (once) when a
/// segment of the list it had went away meanwhile.
pub async fn full_history_fresh(
    cluster: &Cluster,
    cache: &Cache,
    obj: &mut crate::resource::ClaudeModelContext,
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
    obj: &crate::resource::ClaudeModelContext,
) -> anyhow::Result<Vec<Message>> {
    let ns = obj.namespace_or_default();
    let mut out: Vec<Message> = Vec::new();
    if obj.status.as_ref().and_then(|s| s.archived_turns).is_some() {
        let name = obj.metadata.name.clone().unwrap_or_default();
        out = crate::archive::read(cluster, &ns, &name).await?;
    }
    for r in obj.segments() {
        out.extend_from_slice(&cache.read(cluster, &ns, r).await?);
    }
    let live = &obj.spec.context_history[obj.pending_trim()..];
    if obj.status.as_ref().and_then(|s| s.archived_turns).is_some() {
        return Ok(crate::archive::stitch(out, live));
    }
    out.extend_from_slice(live);
    Ok(out)
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
    use crate::resource::Role;

    fn msg(role: Role, content: &str) -> Message {
        Message {
            role,
            content: content.into(),
            timestamp: None,
            tokens: None,
            id: Some(format!("id-{content}")),
            markers: Vec::new(),
            author: None,
            blocks: Vec::new(),
        }
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
        let zeros = vec![0u8; (MAX_INFLATED + 10) as usize];
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&zeros).unwrap();
        let data = enc.finish().unwrap();
        let err = decode(&data, "x", "s").unwrap_err().to_string();
        assert!(err.contains("inflates to more than"), "{err}");
    }

    #[test]
    fn names_are_valid_and_bounded() {
        assert_eq!(name_for("abc", 7), "abc-seg-000007");
        let long = "a".repeat(250);
        let n = name_for(&long, 1);
        assert!(n.len() <= 253, "{}", n.len());
        assert!(crate::naming::is_dns1123_subdomain(&n), "{n}");
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
