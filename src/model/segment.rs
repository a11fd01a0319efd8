//! The segment resource itself, without I/O: its CRD type, names, the encoding of its data and
//! the checks on it (digest, count, bomb), and the kinds of damage a listed segment can have.
//! Reading and writing segments in a cluster is `store::segments`.

use std::io::{Read, Write};

use k8s_openapi::ByteString;
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::digest::legacy_digest;
use crate::model::resource::{Message, Role, SegmentRef};

/// Plural resource name of segments, as RBAC spells it.
pub const PLURAL: &str = "claudemodelcontextsegments";
/// The segment CRD's own name.
pub const CRD_NAME: &str = "claudemodelcontextsegments.mcp.dev";
/// The resource with its group, as error messages and RBAC rules name it.
pub const RESOURCE: &str = "claudemodelcontextsegments.mcp.dev";
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
pub const MAX_INFLATED: u64 = 64 * 1024 * 1024;

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
    /// The last turn held, counted from the start of the conversation.
    #[schemars(range(min = 0))]
    pub last_turn: u64,
    /// How many messages it holds.
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

/// Compress `messages` into a segment's data.
pub fn encode(messages: &[Message]) -> anyhow::Result<(Vec<u8>, u64)> {
    let json = serde_json::to_vec(messages)?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&json)?;
    Ok((enc.finish()?, json.len() as u64))
}

/// What is wrong with a listed segment that cannot be read or verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// The object is gone (deleted by hand), and reloading the context did not explain it.
    Missing,
    /// Its data is not gzip.
    NotGzip,
    /// Its data inflates past [`MAX_INFLATED`] (a bomb).
    TooLarge,
    /// Its data is not a list of messages.
    NotMessages,
    /// Its messages, or the digest it carries, are not the ones the context lists.
    DigestMismatch,
    /// It holds another number of messages than the context lists.
    CountMismatch,
    /// An encoding this version cannot read.
    Encoding,
    /// `repair` set it aside: it is not read again.
    Quarantined,
}

impl Damage {
    /// A word or two for tables and `repair`.
    pub fn as_str(self) -> &'static str {
        match self {
            Damage::Missing => "missing",
            Damage::NotGzip => "not gzip",
            Damage::TooLarge => "too large",
            Damage::NotMessages => "not messages",
            Damage::DigestMismatch => "digest mismatch",
            Damage::CountMismatch => "count mismatch",
            Damage::Encoding => "unknown encoding",
            Damage::Quarantined => "quarantined",
        }
    }

    /// The kind recorded in a quarantined reference's digest, back.
    fn parse(s: &str) -> Option<Self> {
        [
            Damage::Missing,
            Damage::NotGzip,
            Damage::TooLarge,
            Damage::NotMessages,
            Damage::DigestMismatch,
            Damage::CountMismatch,
            Damage::Encoding,
        ]
        .into_iter()
        .find(|d| d.as_str().replace(' ', "-") == s)
    }
}

/// Why a segment's data could not be decoded (what [`decode`] found).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{detail}")]
pub struct Broken {
    /// What kind of damage.
    pub kind: Damage,
    /// In words, naming the segment.
    pub detail: String,
}

/// A listed segment that cannot be read or verified: its turns are left out (of windows,
/// exports, searches), never the whole conversation. Travels inside `anyhow` errors; found
/// with [`damage_of`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("history segment {name} (turns {first_turn}–{last_turn}, {messages} messages) cannot be read: {detail}")]
pub struct Damaged {
    /// The segment's name.
    pub name: String,
    /// First turn it holds.
    pub first_turn: u64,
    /// Last turn it holds.
    pub last_turn: u64,
    /// Messages it holds (as the context lists them).
    pub messages: u32,
    /// What is wrong.
    pub kind: Damage,
    /// In words.
    pub detail: String,
}

impl Damaged {
    pub fn of(r: &SegmentRef, kind: Damage, detail: impl Into<String>) -> Self {
        Self {
            name: r.name.clone(),
            first_turn: r.first_turn,
            last_turn: r.last_turn,
            messages: r.messages,
            kind,
            detail: detail.into(),
        }
    }
}

/// The damaged segment `e` is about, if it is about one.
pub fn damage_of(e: &anyhow::Error) -> Option<&Damaged> {
    e.chain().find_map(|c| c.downcast_ref::<Damaged>())
}

/// The digest a quarantined reference carries instead of its segment's: it is never read.
pub fn quarantined_digest(kind: Damage, old: &str) -> String {
    format!("{QUARANTINED}{}:{old}", kind.as_str().replace(' ', "-"))
}

/// What marks a quarantined reference's digest.
const QUARANTINED: &str = "quarantined:";

/// The damage a quarantined reference was set aside for (`None`: not quarantined).
pub fn quarantined(r: &SegmentRef) -> Option<Damage> {
    let rest = r.digest.strip_prefix(QUARANTINED)?;
    Some(
        rest.split(':')
            .next()
            .and_then(Damage::parse)
            .unwrap_or(Damage::Quarantined),
    )
}

/// The messages of a segment's data, checked against `digest`.
pub fn decode(data: &[u8], digest: &str, name: &str) -> Result<Vec<Message>, Broken> {
    let broken = |kind, detail: String| Broken { kind, detail };
    // Inflated straight into the parser, never whole in memory beside the messages; the limit
    // is on the inflated bytes, so a bomb stops where it passes it.
    let inflated = std::cell::Cell::new(0u64);
    let reader = Counted {
        inner: flate2::read::GzDecoder::new(data).take(MAX_INFLATED + 1),
        read: &inflated,
    };
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let parsed = Vec::<Message>::deserialize(&mut de).and_then(|m| de.end().map(|()| m));
    if inflated.get() > MAX_INFLATED {
        return Err(broken(
            Damage::TooLarge,
            format!("segment {name} inflates to more than {MAX_INFLATED} bytes; refusing it"),
        ));
    }
    let messages = match parsed {
        Ok(m) => m,
        Err(e) if e.is_io() => {
            return Err(broken(
                Damage::NotGzip,
                format!("segment {name} is not valid gzip data: {e}"),
            ))
        }
        Err(e) => {
            return Err(broken(
                Damage::NotMessages,
                format!("segment {name} does not hold a list of messages: {e}"),
            ))
        }
    };
    let actual = crate::model::digest::digest(&messages);
    // A segment sealed by an older version carries the older digest: accepted for exactly
    // these messages, so an upgrade never leaves sealed turns unreadable.
    if actual != digest && legacy_digest(&messages) != digest {
        return Err(broken(
            Damage::DigestMismatch,
            format!(
                "segment {name} does not match its digest (expected {digest}, found {actual}): it was changed after it was sealed"
            ),
        ));
    }
    Ok(messages)
}

/// A reader that counts what passes through it.
struct Counted<'a, R> {
    inner: R,
    read: &'a std::cell::Cell<u64>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// How many of the first `messages` go in one segment: whole turns up to [`SEGMENT_BYTES`],
/// at least one turn (or everything, for a history with no turn boundary).
pub fn chunk_len(messages: &[Message]) -> usize {
    let mut bytes = 0;
    let mut best = 0;
    for (i, m) in messages.iter().enumerate() {
        bytes += crate::model::size::stored_len(m) + 1;
        if bytes > SEGMENT_BYTES && best > 0 {
            break;
        }
        let next_starts_turn = messages
            .get(i + 1)
            .is_none_or(|n| n.role == Role::User && m.role == Role::Assistant);
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
