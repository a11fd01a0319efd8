//! The `ClaudeModelContext` custom resource: its Rust types, and the CRD generated from them.
//!
//! The CRD is never hand-maintained YAML: `kube`'s `CustomResource` derive and `schemars` turn the
//! doc comments below into schema descriptions (what `kubectl explain cmc.spec` prints) and the
//! `schemars` attributes into bounds and enums that the apiserver itself enforces, so a bad object
//! written by hand with `kubectl apply` is refused before this tool ever reads it.
//!
//! Keep every new field optional (`Option` or `#[serde(default)]`): objects written by older
//! versions of the tool, or by hand, must stay valid.

use jiff::Timestamp;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API group of the resource.
pub const GROUP: &str = "mcp.dev";
/// API version of the resource.
pub const VERSION: &str = "v1alpha1";
/// Plural resource name, as RBAC and the REST paths spell it.
pub const PLURAL: &str = "claudemodelcontexts";
/// The CRD's own name, `<plural>.<group>`.
pub const CRD_NAME: &str = "claudemodelcontexts.mcp.dev";
/// Longest session ID accepted (SPEC §1).
pub const MAX_SESSION_ID_LEN: usize = 512;
/// The API's `max_tokens` when `spec.maxOutputTokens` is unset.
pub const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 1024;

/// A conversation with Claude, kept in the cluster. The `kubectl mcp` plugin appends turns,
/// windows the history to the token budget, and records the result in `status`.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "mcp.dev",
    version = "v1alpha1",
    kind = "ClaudeModelContext",
    plural = "claudemodelcontexts",
    singular = "claudemodelcontext",
    shortname = "cmc",
    shortname = "mctx",
    category = "ai",
    category = "mcp",
    namespaced,
    status = "ClaudeModelContextStatus",
    derive = "PartialEq",
    doc = "A conversation with Claude kept as a Kubernetes resource: the stored history, the \
           limits used to window it into each request, and the last measured state.",
    // The raw-JSON form: clippy's `duplicated_attributes` misfires on repeated
    // `printcolumn(type_ = …)` lists.
    printcolumn = r#"{"name":"Model","type":"string","jsonPath":".spec.modelName","description":"Claude model ID or alias"}"#,
    printcolumn = r#"{"name":"Session","type":"string","jsonPath":".spec.sessionID","description":"The caller's session identifier"}"#,
    printcolumn = r#"{"name":"State","type":"string","jsonPath":".status.currentState","description":"Active, Expired or Error"}"#,
    printcolumn = r#"{"name":"Turns","type":"integer","jsonPath":".status.turnCount","description":"Stored turns (a user message and its answer)"}"#,
    printcolumn = r#"{"name":"Tokens","type":"integer","jsonPath":".status.tokenCount","description":"Tokens in the active context as last measured"}"#,
    printcolumn = r#"{"name":"Last Activity","type":"date","jsonPath":".status.lastActivityTime","description":"Last successful turn or change"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    // `-o wide` columns (priority 1): `kubectl get cmc -o wide` and `kubectl mcp list -o wide`
    // show the same, and `list` renders every column from the server's Table.
    printcolumn = r#"{"name":"Strategy","type":"string","priority":1,"jsonPath":".spec.summarizationStrategy","description":"What happens to turns that leave the window"}"#,
    printcolumn = r#"{"name":"Budget","type":"integer","priority":1,"jsonPath":".spec.maxTokens","description":"Prompt budget in tokens"}"#,
    printcolumn = r#"{"name":"History","type":"integer","priority":1,"jsonPath":".spec.historySize","description":"Most turns in the active window"}"#,
    printcolumn = r#"{"name":"Expires","type":"string","priority":1,"jsonPath":".spec.expirationTime","description":"When the context expires (a time: the apiserver renders a future date column as <invalid>)"}"#,
    printcolumn = r#"{"name":"Idle TTL","type":"string","priority":1,"jsonPath":".spec.idleTTL","description":"Expires after this long without activity"}"#,
    printcolumn = r#"{"name":"Cost","type":"string","priority":1,"jsonPath":".status.usage.costUSD","description":"What Claude calls for this context cost, USD, at the tool's price table"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct ClaudeModelContextSpec {
    /// Claude model ID or alias sent to the Messages API, e.g. `claude-sonnet-4-5`.
    #[schemars(length(min = 1, max = 256))]
    pub model_name: String,

    /// The caller's session identifier: any string of 1 to 512 characters. When it is not a valid
    /// DNS-1123 subdomain, `metadata.name` is a stable slug plus a hash of it.
    #[serde(rename = "sessionID")]
    #[schemars(length(min = 1, max = 512))]
    pub session_id: String,

    /// Prompt budget in tokens: system prompt + summary + history + the new message. The oldest
    /// turns are left out of a request to stay within it. Unset: no token limit besides the model's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u32"
    )]
    #[schemars(range(min = 1))]
    pub max_tokens: Option<u32>,

    /// The API's `max_tokens`: the most tokens one answer may have. Default 1024.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u32"
    )]
    #[schemars(range(min = 1))]
    pub max_output_tokens: Option<u32>,

    /// Most turns (a user message and its answer) kept in the active window.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u32"
    )]
    #[schemars(range(min = 1))]
    pub history_size: Option<u32>,

    /// The newest part of the conversation, oldest first. Older turns are sealed, whole, into
    /// history segments (`status.segments`) as this object grows; a summary covers turns
    /// without deleting them. No turn is ever dropped: `kubectl mcp export` reads them all back.
    #[serde(default)]
    pub context_history: Vec<Message>,

    /// Sent as the API's top-level `system` field, never as a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,

    /// What happens to turns that leave the window: `truncate` (not sent, kept until compaction),
    /// `summarize_oldest` (folded into `status.summary`), or `hybrid` (summarize, and truncate when
    /// the budget is still exceeded or the summary fails).
    #[serde(default)]
    pub summarization_strategy: SummarizationStrategy,

    /// After this RFC 3339 time the context is expired: `kubectl mcp expire` marks it, and `chat`
    /// refuses it unless `--revive` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_time_schema")]
    pub expiration_time: Option<Timestamp>,

    /// Expire the context after this long without activity, e.g. `12h`, `7d`, `90m` (units ms,
    /// s, m, h, d, w, combinable: `1h30m`). `kubectl mcp expire` applies it.
    #[serde(default, rename = "idleTTL", skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([0-9]+(ms|s|m|h|d|w))+$"))]
    pub idle_ttl: Option<String>,

    /// How long Claude's prompt cache keeps this conversation's prefix, for every request:
    /// `5m` or `1h` (cache writes cost 1.25× or 2× input, reads 0.1×). Unset: the tool picks
    /// per request, by the pace of the conversation so far, between no write, `5m` and `1h`.
    #[serde(default, rename = "cacheTTL", skip_serializing_if = "Option::is_none")]
    pub cache_ttl: Option<CacheTtl>,

    /// Mask personal data and secrets in every message before it is stored or sent: e-mail
    /// addresses, phone numbers, card numbers, IBANs, API keys and tokens, JWTs, private keys,
    /// Secret manifests' data (and IP addresses, and patterns of your own, when listed). Each
    /// value becomes a placeholder that stays the same within this context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redaction: Option<Redaction>,
}

/// `spec.redaction`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Redaction {
    /// Mask before storing and sending.
    #[serde(default)]
    pub enabled: bool,
    /// Also mask IPv4 and IPv6 addresses.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ip_addresses: bool,
    /// Patterns of your own (regular expressions, Rust `regex` syntax), each masked as
    /// `[NAME_…]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<RedactionPattern>,
}

/// One user pattern of `spec.redaction.patterns`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct RedactionPattern {
    /// The placeholder's name, e.g. `ticket` gives `[TICKET_…]`.
    #[schemars(length(min = 1, max = 32))]
    pub name: String,
    /// The regular expression.
    #[schemars(length(min = 1, max = 1024))]
    pub regex: String,
}

impl ClaudeModelContextSpec {
    /// The fields, by their names in the object, whose values differ between `self` and
    /// `other`, in name order: (name, value here, value there), `null` where absent. What
    /// `set` writes and what a REPL reports as changed elsewhere.
    pub fn differences(&self, other: &Self) -> Vec<(String, serde_json::Value, serde_json::Value)> {
        let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
            (serde_json::to_value(self), serde_json::to_value(other))
        else {
            return Vec::new();
        };
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| {
                let value = |m: &serde_json::Map<String, serde_json::Value>| {
                    m.get(k).cloned().unwrap_or_default()
                };
                (k.clone(), value(&a), value(&b))
            })
            .collect()
    }
}

// `spec.cacheTTL`, and the TTL of a prompt-cache entry wherever the tool reasons about one
// (`engine::cache`). A plain comment, not a doc comment: a type's description would replace
// each field's own in the CRD's schema (what `kubectl explain` shows).
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema, clap::ValueEnum,
)]
pub enum CacheTtl {
    /// Five minutes, refreshed by every hit.
    #[serde(rename = "5m")]
    #[value(name = "5m")]
    FiveMinutes,
    /// One hour.
    #[serde(rename = "1h")]
    #[value(name = "1h")]
    OneHour,
}

/// `status.promptCache`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromptCacheStatus {
    /// When the last request was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_time_schema")]
    pub last_request_time: Option<Timestamp>,
    /// Seconds between the last requests, oldest first (at most 24).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 24))]
    pub gaps_seconds: Vec<u32>,
    /// Where the last request's window began in the conversation (a message index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start: Option<u64>,
    /// The TTL of the entry the last request wrote or read at its newest stored turn.
    #[serde(default, rename = "tailTTL", skip_serializing_if = "Option::is_none")]
    pub tail_ttl: Option<CacheTtl>,
    /// How many turns before the last request's new message that entry ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail_back: Option<u32>,
    /// The TTL of the system prompt's own cache entry, when it has one.
    #[serde(default, rename = "systemTTL", skip_serializing_if = "Option::is_none")]
    pub system_ttl: Option<CacheTtl>,
    /// When the system prompt's own entry was last written or read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_time_schema")]
    pub system_time: Option<Timestamp>,
}

/// One message of the stored conversation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Who wrote it: `user` or `assistant`.
    pub role: Role,
    /// The message text. Absent for an empty answer (marked `empty`): the apiserver refuses an
    /// empty string here, and an answer Claude gave, even an empty one, is still a turn.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// When the message was stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_time_schema")]
    pub timestamp: Option<Timestamp>,
    /// Estimated tokens of `content`, cached by the tool so that windowing a long history does
    /// not re-read every message. Recomputed when absent (or implausible in a hand-written object).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u32"
    )]
    #[schemars(range(min = 0))]
    pub tokens: Option<u32>,
    /// A random id given when the message is stored, so that a write can name exactly the
    /// messages it removes and a retried write can tell its own turn is already there. Absent in
    /// older and hand-written objects (role, content and timestamp identify those).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    pub id: Option<String>,
    /// What is special about this message: `empty` (Claude answered with no text), `cut` (the
    /// answer stopped early: `max_tokens`, or cut off by the tool when a server ignored it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<Marker>,
    /// Who stored the turn, on its question: a shared context is written by several people and
    /// scripts, and a REPL names the writer of each turn it did not write itself. Absent in
    /// older, hand-written and imported-without-it messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
    /// Content blocks other than text that came with an answer and must be sent back exactly
    /// as they came, in the API's own JSON: today the `compaction` block of Anthropic's
    /// server-side compaction (`summarizationStrategy: server`), whose `encrypted_content` is
    /// opaque. They go before `content` in the requests that send this message. `content`
    /// stays the answer's text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "verbatim_blocks_schema")]
    pub blocks: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Who stored a turn. Every part is best effort: what the tool could tell without asking
/// anyone, so none of it is proof of identity (RBAC and audit logs are).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Author {
    /// The Kubernetes user: as the apiserver names it where it can say (SelfSubjectReview),
    /// else the kubeconfig user entry the request was made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub user: Option<String>,
    /// The host name of the machine the tool ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub host: Option<String>,
    /// The process id of the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Which front end stored it: `repl`, `chat`, `batch`, `import`, `mcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 32))]
    pub via: Option<String>,
}

impl std::fmt::Display for Author {
    /// `alice@laptop (pid 4242, repl)`, leaving out what is unknown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = match (&self.user, &self.host) {
            (Some(u), Some(h)) => format!("{u}@{h}"),
            (Some(u), None) => u.clone(),
            (None, Some(h)) => h.clone(),
            (None, None) => "someone".into(),
        };
        write!(f, "{}", crate::model::text::sanitize(&who))?;
        let extra: Vec<String> = self
            .pid
            .map(|p| format!("pid {p}"))
            .into_iter()
            .chain(self.via.as_deref().map(crate::model::text::sanitize))
            .collect();
        if !extra.is_empty() {
            write!(f, " ({})", extra.join(", "))?;
        }
        Ok(())
    }
}

impl Message {
    /// A message with only a role and a text: no id, timestamp, cached token count, marker,
    /// author or blocks (as a hand-written object or an older version stores it).
    pub fn plain(role: Role, text: impl Into<String>) -> Message {
        Message {
            role,
            content: text.into(),
            timestamp: None,
            tokens: None,
            id: None,
            markers: Vec::new(),
            author: None,
            blocks: Vec::new(),
        }
    }

    /// The same stored message: the same id when both have one, else the same role, content
    /// and timestamp.
    pub fn same(&self, other: &Message) -> bool {
        match (&self.id, &other.id) {
            (Some(a), Some(b)) => a == b,
            _ => {
                self.role == other.role
                    && self.content == other.content
                    && self.timestamp == other.timestamp
            }
        }
    }
}

/// Turns among `messages`: each starts with a user message.
pub fn count_turns(messages: &[Message]) -> usize {
    messages.iter().filter(|m| m.role == Role::User).count()
}

/// A note on a stored message.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Marker {
    /// Claude answered with no text; `content` is absent.
    Empty,
    /// The answer stopped before Claude finished it (`max_tokens`, or a server that ignored it
    /// and was cut off by the tool).
    Cut,
    /// Claude declined to answer (`stop_reason: refusal`). The turn is kept (it was asked and
    /// paid for) but left out of later requests: the API advises dropping a refused exchange,
    /// or refusals continue.
    Refusal,
}

/// Numbers in a hand-written object that the apiserver accepted but that do not fit this
/// tool's types (e.g. `tokens: 99999999999`, or a negative count) read as absent, so one odd
/// field never breaks `list` or `get` for everybody. (The schema sets no maximum for them: the
/// apiserver validates the whole object on every write, so a bound added later would make
/// every existing object with a larger value unwritable.)
pub(super) fn lenient_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| v.as_u64())
        .and_then(|n| u32::try_from(n).ok()))
}

/// [`lenient_u32`] for 64-bit counts.
pub(super) fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| v.as_u64()))
}

/// [`lenient_u64`] for a count that defaults to zero.
pub(super) fn lenient_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(lenient_u64(d)?.unwrap_or(0))
}

/// [`lenient_u32`] for a floating-point ratio: anything but a finite positive number is absent.
pub(super) fn lenient_ratio<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<f64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| v.as_f64())
        .filter(|r| r.is_finite() && *r > 0.0))
}

/// The author of a message. The API has no `system` role: the system prompt is a separate field.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person (or script) talking to Claude.
    User,
    /// Claude's answer.
    Assistant,
}

/// What happens to turns that leave the active window.
#[derive(
    Serialize,
    Deserialize,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[clap(rename_all = "snake_case")]
pub enum SummarizationStrategy {
    /// Turns outside the window are not sent; they stay stored until compaction.
    #[default]
    Truncate,
    /// Turns leaving the window are folded into `status.summary` by a Claude call.
    SummarizeOldest,
    /// Summarize when turns leave by `historySize`; truncate when the budget is still exceeded or
    /// the summarizing call fails.
    Hybrid,
    /// Anthropic's server-side compaction: the request asks the API to compact the
    /// conversation once its input passes the trigger (`maxTokens`, else 150,000 tokens); the
    /// compaction block it returns is stored with the answer and sent back from then on, and
    /// the turns it replaced are sealed (kept, not sent). Only for models that support it.
    Server,
}

impl SummarizationStrategy {
    /// The spelling used in the resource and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Truncate => "truncate",
            Self::SummarizeOldest => "summarize_oldest",
            Self::Hybrid => "hybrid",
            Self::Server => "server",
        }
    }
}

/// What the tool last recorded about a context.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClaudeModelContextStatus {
    /// `Active`, `Expired` (past `expirationTime` or idle too long) or `Error` (the last Claude call
    /// failed; the next successful turn sets `Active` again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_state: Option<ContextState>,

    /// Time of the last successful turn or change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_time_schema")]
    pub last_activity_time: Option<Timestamp>,

    /// Tokens in the active context as last measured (the API's own `usage` when known).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u64"
    )]
    #[schemars(range(min = 0))]
    pub token_count: Option<u64>,

    /// Running summary of the turns folded out of the stored history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,

    /// Stored turns (a user message and its answer), kept for `kubectl get`'s Turns column.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u32"
    )]
    #[schemars(range(min = 0))]
    pub turn_count: Option<u32>,

    /// Why the context is in its current state: the last error, or the expiry reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,

    /// Token usage of the last successful call, as the API reported it (cache reads included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_usage: Option<TokenUsage>,

    /// How many of the oldest stored messages `summary` already covers, when a run stopped
    /// between writing the summary and removing them from the history.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u32"
    )]
    #[schemars(range(min = 0))]
    pub summarized_messages: Option<u32>,

    /// Turns moved out of the object into archive ConfigMaps (label `mcp.dev/context`) because
    /// it neared etcd's object size limit; `export` and `get --full` read them back.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u32"
    )]
    #[schemars(range(min = 0))]
    pub archived_turns: Option<u32>,

    /// Fingerprint of those messages, so they are recognised and not folded twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_fingerprint: Option<String>,

    /// How many messages, counted from the very start of the conversation (sealed ones
    /// included), `summary` condenses: windows start after them. Folded messages are not
    /// deleted; they stay stored, sealed into segments.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_u64"
    )]
    #[schemars(range(min = 0))]
    pub summary_covers: Option<u64>,

    /// The history segments (`claudemodelcontextsegments`) holding the older turns, oldest
    /// first: the conversation is these, then `spec.contextHistory`. Each is immutable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<SegmentRef>,

    /// Turns taken out of the conversation by `/clear`, `/undo` or `/retry`, kept sealed (newest
    /// last) so that `kubectl mcp restore` can bring them back. The oldest are dropped beyond
    /// a few.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Removal>,

    /// Everything Claude was asked for this context, and what it cost: for chargeback and for
    /// `/cost`, `get`, `list -o wide` and `kubectl mcp usage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageTotals>,

    /// The pace of this context's turns and what its last request left in Claude's prompt
    /// cache, from which each request chooses what to cache and for how long (unless
    /// `spec.cacheTTL` fixes the TTL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_cache: Option<PromptCacheStatus>,

    /// Learnt ratio of the API's token counts to the tool's local estimate, used to calibrate
    /// the window to the budget.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_ratio"
    )]
    pub estimate_ratio: Option<f64>,
}

/// One sealed history segment, as the context's status lists it.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRef {
    /// The segment's `metadata.name`.
    pub name: String,
    /// The segment's `spec.sequence`: its order among the context's segments.
    pub sequence: u32,
    /// First turn held, counted from the start of the conversation (1-based).
    pub first_turn: u64,
    /// Last turn held, counted from the start of the conversation.
    pub last_turn: u64,
    /// How many turns it holds.
    pub turns: u64,
    /// How many messages it holds.
    pub messages: u32,
    /// Uncompressed size of the messages, in bytes.
    pub bytes: u64,
    /// Fingerprint of the messages: the segment must match it to be read.
    pub digest: String,
}

/// Turns taken out of the conversation and kept for `kubectl mcp restore`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Removal {
    /// What removed them: `clear`, `undo` or `retry`.
    #[schemars(length(max = 16))]
    pub how: String,
    /// When they were removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_time_schema")]
    pub at: Option<Timestamp>,
    /// Who removed them (as the tool could tell: user, host, process, front end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Author>,
    /// How many turns were removed.
    pub turns: u64,
    /// Where they were: their first message's position in the conversation (from its very
    /// start) when they were removed. `restore` puts them back there, newest removal first.
    #[serde(default)]
    pub from: u64,
    /// The segments holding them, oldest first (not part of the conversation until restored).
    pub segments: Vec<SegmentRef>,
    /// The summary `/clear` removed with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// How many of the removed messages that summary covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_covers: Option<u64>,
}

/// What a new context is made from (`create`, `chat` and `batch` on a missing session,
/// `import`): plain values, whoever gathered them (flags, a JSON line).
#[derive(Debug, Clone, Default)]
pub struct ContextTemplate {
    /// `spec.modelName` (required for a new context).
    pub model: Option<String>,
    /// `spec.systemPrompt`, as text.
    pub system: Option<String>,
    /// `spec.systemPrompt`, read from this file (when `system` is unset).
    pub system_file: Option<std::path::PathBuf>,
    /// `spec.maxTokens`.
    pub max_tokens: Option<u32>,
    /// `spec.maxOutputTokens`.
    pub max_output_tokens: Option<u32>,
    /// `spec.historySize`.
    pub history_size: Option<u32>,
    /// `spec.summarizationStrategy`.
    pub strategy: Option<SummarizationStrategy>,
    /// Expire this long after creation.
    pub expires_in: Option<std::time::Duration>,
    /// Expire at this time.
    pub expires_at: Option<Timestamp>,
    /// `spec.idleTTL`.
    pub idle_ttl: Option<String>,
    /// `spec.cacheTTL`.
    pub cache_ttl: Option<CacheTtl>,
    /// Labels of the new object.
    pub labels: Vec<(String, String)>,
    /// `spec.redaction.enabled`.
    pub redaction: Option<bool>,
    /// Spec fields to remove, by their names in the object (`set --history-size none`,
    /// `--system ''`): a field the template also sets is not among them.
    pub unset: Vec<&'static str>,
    /// Label keys to remove (`-L key-`).
    pub unlabel: Vec<String>,
}

impl ContextTemplate {
    /// The spec fields a template can remove, by their names in the object: the optional
    /// ones. The model and the strategy are always there (the strategy has a default).
    pub const REMOVABLE: &'static [&'static str] = &[
        "systemPrompt",
        "maxTokens",
        "maxOutputTokens",
        "historySize",
        "expirationTime",
        "idleTTL",
        "cacheTTL",
    ];

    /// Whether the template removes `field` (a name of [`Self::REMOVABLE`]).
    pub fn unsets(&self, field: &str) -> bool {
        self.unset.contains(&field)
    }

    /// How the template expires the context at once, when it does: `--expires-in 0` or an
    /// `--expires-at` time that is not in the future at `now`. `chat` then refuses the context
    /// until `--revive`, which a typo should not cause unasked.
    pub fn expires_at_once(&self, now: Timestamp) -> Option<String> {
        match (self.expires_in, self.expires_at) {
            (Some(d), _) if d.is_zero() => Some("--expires-in 0".into()),
            (None, Some(t)) if t <= now => Some(format!("--expires-at {t}, which is past,")),
            _ => None,
        }
    }

    /// Nothing is set.
    pub fn is_empty(&self) -> bool {
        self.unset.is_empty()
            && self.unlabel.is_empty()
            && self.model.is_none()
            && self.system.is_none()
            && self.system_file.is_none()
            && self.max_tokens.is_none()
            && self.max_output_tokens.is_none()
            && self.history_size.is_none()
            && self.strategy.is_none()
            && self.expires_in.is_none()
            && self.expires_at.is_none()
            && self.idle_ttl.is_none()
            && self.cache_ttl.is_none()
            && self.labels.is_empty()
            && self.redaction.is_none()
    }
}

// Lifecycle state of a context. A plain comment, not a doc comment: the type's description
// would replace `status.currentState`'s own in the CRD's schema (what `kubectl explain` shows).
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema, clap::ValueEnum,
)]
#[clap(rename_all = "PascalCase")]
pub enum ContextState {
    /// Usable for chat.
    Active,
    /// Past its expiration time or idle TTL; `chat --revive` makes it usable again.
    Expired,
    /// The last Claude call failed after retries; the history is untouched.
    Error,
}

impl ContextState {
    /// The spelling used in the resource and in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Error => "Error",
        }
    }
}

/// `type: string, format: date-time`: the apiserver checks the format, so a hand-written
/// `expirationTime: tomorrow` is refused by the server.
/// Objects kept as they are: the apiserver must not prune fields it has no schema for.
fn verbatim_blocks_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": { "type": "object", "x-kubernetes-preserve-unknown-fields": true }
    })
}

fn date_time_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "format": "date-time" })
}

pub use super::crd::{crd, crd_yaml};
pub use super::usage::{ModelUsage, TokenUsage, UsageTotals};

#[cfg(test)]
mod tests;
