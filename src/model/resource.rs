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
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::{CustomResource, CustomResourceExt, ResourceExt};
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

    /// The stored conversation, oldest first. Turns that left the window stay here until they
    /// are compacted (summarized or dropped).
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

    /// How long Claude's prompt cache keeps this conversation's prefix: `5m` (the default) or
    /// `1h`, for conversations with long pauses between turns (cache writes then cost 2× input
    /// instead of 1.25×, reads stay 0.1×).
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

/// `spec.cacheTTL`.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema, clap::ValueEnum,
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
fn lenient_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| v.as_u64())
        .and_then(|n| u32::try_from(n).ok()))
}

/// [`lenient_u32`] for 64-bit counts.
fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| v.as_u64()))
}

/// [`lenient_u64`] for a count that defaults to zero.
fn lenient_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(lenient_u64(d)?.unwrap_or(0))
}

/// [`lenient_u32`] for a floating-point ratio: anything but a finite positive number is absent.
fn lenient_ratio<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
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
    /// Its sequence number.
    pub sequence: u32,
    /// First turn held, counted from the start of the conversation (1-based).
    pub first_turn: u64,
    /// Last turn held.
    pub last_turn: u64,
    /// Turns held.
    pub turns: u64,
    /// Messages held.
    pub messages: u32,
    /// Uncompressed size of the messages, in bytes.
    pub bytes: u64,
    /// Fingerprint of the messages: the segment must match it to be read.
    pub digest: String,
}

/// Cumulative usage of a context, per model as it answered.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageTotals {
    /// The total cost in USD (`"0.0421"`), at the tool's dated price table; calls to models
    /// without a price are left out (see `unpricedRequests`).
    #[serde(default, rename = "costUSD", skip_serializing_if = "String::is_empty")]
    pub cost_usd: String,
    /// The same in millionths of a dollar, so that totals add up exactly.
    #[serde(default, rename = "costMicroUSD")]
    pub cost_micro_usd: u64,
    /// Calls whose model has no price in the tool's table.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unpriced_requests: u64,
    /// Per model, as named in the answers.
    #[serde(default)]
    pub models: std::collections::BTreeMap<String, ModelUsage>,
    /// The last call counted: a status write retried after it had landed counts it once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 128))]
    pub last_message_id: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Usage of one model in one context.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelUsage {
    /// Calls for turns.
    #[serde(default)]
    pub requests: u64,
    /// Calls that summarized older turns (counted apart: they are not answers).
    #[serde(default)]
    pub summary_requests: u64,
    /// Input tokens neither read from nor written to the cache.
    #[serde(default)]
    pub input_tokens: u64,
    /// Answer tokens.
    #[serde(default)]
    pub output_tokens: u64,
    /// Input tokens written to the cache.
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    /// Input tokens read from the cache.
    #[serde(default)]
    pub cache_read_input_tokens: u64,
    /// Cost in millionths of a dollar (0 when the model has no price).
    #[serde(default, rename = "costMicroUSD")]
    pub cost_micro_usd: u64,
}

impl UsageTotals {
    /// Count one call: `summary` for a summarizing call, `one_hour` when its cache writes had
    /// the one-hour TTL (priced 2× input instead of 1.25×). A call already counted (the same
    /// message id as the last one) is not counted again.
    pub fn add(
        &mut self,
        model: &str,
        id: &str,
        usage: &TokenUsage,
        summary: bool,
        one_hour: bool,
    ) {
        if !id.is_empty() && self.last_message_id.as_deref() == Some(id) {
            return;
        }
        let m = self.models.entry(model.to_string()).or_default();
        if summary {
            m.summary_requests += 1;
        } else {
            m.requests += 1;
        }
        m.input_tokens += usage.input_tokens;
        m.output_tokens += usage.output_tokens;
        m.cache_creation_input_tokens += usage.cache_creation_input_tokens;
        m.cache_read_input_tokens += usage.cache_read_input_tokens;
        match crate::model::catalog::price_of(model) {
            Some(prices) => {
                let cost = crate::model::catalog::cost_micro_usd(
                    &prices,
                    usage.input_tokens,
                    usage.output_tokens,
                    usage.cache_creation_input_tokens,
                    usage.cache_read_input_tokens,
                    one_hour,
                );
                m.cost_micro_usd += cost;
                self.cost_micro_usd += cost;
            }
            None => self.unpriced_requests += 1,
        }
        self.cost_usd = format!("{:.4}", self.cost_micro_usd as f64 / 1e6);
        self.last_message_id = (!id.is_empty()).then(|| id.chars().take(128).collect());
    }

    /// "14 calls (2 summarizing): 52000 tokens in (48000 read from the cache, 1200 written to
    /// it), 5600 out", for people.
    pub fn describe(&self) -> String {
        let t = self.total();
        format!(
            "{} calls ({} summarizing): {} tokens in ({} read from the cache, {} written to it), {} out",
            t.requests + t.summary_requests,
            t.summary_requests,
            t.input_tokens + t.cache_creation_input_tokens + t.cache_read_input_tokens,
            t.cache_read_input_tokens,
            t.cache_creation_input_tokens,
            t.output_tokens
        )
    }

    /// "$0.0421", saying how many calls had no price to count.
    pub fn cost_text(&self) -> String {
        let mut s = crate::model::catalog::format_usd(self.cost_micro_usd);
        if self.unpriced_requests > 0 {
            s.push_str(&format!(
                " ({} call(s) to models without a price left out)",
                self.unpriced_requests
            ));
        }
        s
    }

    /// The sum over models.
    pub fn total(&self) -> ModelUsage {
        self.models
            .values()
            .fold(ModelUsage::default(), |mut t, m| {
                t.requests += m.requests;
                t.summary_requests += m.summary_requests;
                t.input_tokens += m.input_tokens;
                t.output_tokens += m.output_tokens;
                t.cache_creation_input_tokens += m.cache_creation_input_tokens;
                t.cache_read_input_tokens += m.cache_read_input_tokens;
                t.cost_micro_usd += m.cost_micro_usd;
                t
            })
    }
}

/// Turns taken out of the conversation and kept for `kubectl mcp restore`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Removal {
    /// What removed them: `clear`, `undo` or `retry`.
    #[schemars(length(max = 16))]
    pub how: String,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_time_schema")]
    pub at: Option<Timestamp>,
    /// Who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Author>,
    /// Turns removed.
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
}

impl ContextTemplate {
    /// Nothing is set.
    pub fn is_empty(&self) -> bool {
        self.model.is_none()
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

/// Token usage of one Claude call.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    /// Input tokens neither read from nor written to the prompt cache.
    #[serde(default, deserialize_with = "lenient_count")]
    pub input_tokens: u64,
    /// Tokens of the answer.
    #[serde(default, deserialize_with = "lenient_count")]
    pub output_tokens: u64,
    /// Input tokens written to the prompt cache.
    #[serde(default, deserialize_with = "lenient_count")]
    pub cache_creation_input_tokens: u64,
    /// Input tokens read from the prompt cache (billed at about a tenth).
    #[serde(default, deserialize_with = "lenient_count")]
    pub cache_read_input_tokens: u64,
}

/// Lifecycle state of a context.
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

impl ClaudeModelContext {
    /// Turns stored: user messages, since each turn starts with one (a hand-written history that
    /// does not alternate still counts sensibly): sealed in segments, in the live object (not
    /// counting messages already sealed), and in ConfigMap archives not yet migrated.
    pub fn turns(&self) -> usize {
        let archived = self
            .status
            .as_ref()
            .and_then(|s| s.archived_turns)
            .unwrap_or(0) as usize;
        let h = &self.spec.context_history;
        (self.sealed_turns() as usize)
            .saturating_add(count_turns(&h[self.pending_trim()..]))
            .saturating_add(archived)
    }

    /// Turns in the live history (not covered by the summary, not sealed).
    pub fn live_turns(&self) -> usize {
        count_turns(self.live_history())
    }

    /// The segments listed in status, oldest first.
    pub fn segments(&self) -> &[SegmentRef] {
        self.status
            .as_ref()
            .map(|s| s.segments.as_slice())
            .unwrap_or(&[])
    }

    /// Removals kept for `restore`, oldest first.
    pub fn removed(&self) -> &[Removal] {
        self.status
            .as_ref()
            .map(|s| s.removed.as_slice())
            .unwrap_or(&[])
    }

    /// The next free segment number: after every segment listed, in the conversation or among
    /// the removals.
    pub fn next_sequence(&self) -> u32 {
        self.segments()
            .iter()
            .chain(self.removed().iter().flat_map(|r| r.segments.iter()))
            .map(|s| s.sequence.saturating_add(1))
            .max()
            .unwrap_or(0)
    }

    /// Messages sealed into segments.
    pub fn sealed_messages(&self) -> u64 {
        self.segments()
            .iter()
            .fold(0u64, |n, s| n.saturating_add(u64::from(s.messages)))
    }

    /// Turns sealed into segments.
    pub fn sealed_turns(&self) -> u64 {
        self.segments()
            .iter()
            .fold(0u64, |n, s| n.saturating_add(s.turns))
    }

    /// How many of the oldest messages of `spec.contextHistory` are already in the newest
    /// segment: a seal writes the segment and lists it in status first, and removes the messages
    /// from the object second. Until that lands they are stored twice and count once.
    pub fn pending_trim(&self) -> usize {
        let Some(last) = self.segments().last() else {
            return 0;
        };
        let k = last.messages as usize;
        let h = &self.spec.context_history;
        if k == 0 || k > h.len() || crate::model::digest::digest(&h[..k]) != last.digest {
            return 0;
        }
        k
    }

    /// Index in the whole conversation (sealed messages first) of `spec.contextHistory[0]`.
    pub fn history_offset(&self) -> u64 {
        self.sealed_messages()
            .saturating_sub(self.pending_trim() as u64)
    }

    /// Messages in the whole conversation: sealed, then live.
    pub fn conversation_len(&self) -> u64 {
        self.history_offset()
            .saturating_add(self.spec.context_history.len() as u64)
    }

    /// How many messages from the start of the conversation the summary condenses (0 without
    /// a summary). Objects written before `summaryCovers` existed: everything that left the
    /// object, plus what an interrupted fold had covered (`summarizedMessages`).
    pub fn summary_covers(&self) -> u64 {
        let Some(status) = &self.status else {
            return 0;
        };
        if status
            .summary
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
        {
            return 0;
        }
        match status.summary_covers {
            Some(c) => c.min(self.conversation_len()),
            None => self.history_offset() + self.legacy_covered() as u64,
        }
    }

    /// The record of a fold written by an older version: the summary covers the first
    /// `summarizedMessages` messages of the object when their fingerprint still matches.
    fn legacy_covered(&self) -> usize {
        let Some(status) = &self.status else {
            return 0;
        };
        let (Some(k), Some(fp)) = (status.summarized_messages, &status.summary_fingerprint) else {
            return 0;
        };
        let k = k as usize;
        let history = &self.spec.context_history;
        if k == 0 || k > history.len() || crate::model::digest::fingerprint(&history[..k]) != *fp {
            return 0;
        }
        k
    }

    /// How many of the oldest messages of `spec.contextHistory` are no longer live: already
    /// sealed (waiting to be removed), or condensed in the summary (waiting to be sealed). They
    /// are never sent, folded or undone.
    pub fn covered(&self) -> usize {
        let p = self.pending_trim();
        let offset = self.sealed_messages().saturating_sub(p as u64);
        let by_summary = self.summary_covers().saturating_sub(offset) as usize;
        p.max(by_summary).min(self.spec.context_history.len())
    }

    /// The stored history the summary does not cover: what windows, turn counts and folds use.
    pub fn live_history(&self) -> &[Message] {
        &self.spec.context_history[self.covered()..]
    }

    /// The state shown in tables: what status says, or `Active` for an object that has never been
    /// touched by the tool (e.g. written by hand with `kubectl apply`).
    pub fn state(&self) -> ContextState {
        self.status
            .as_ref()
            .and_then(|s| s.current_state)
            .unwrap_or(ContextState::Active)
    }

    /// Marked `Expired`, or past `spec.expirationTime` at `now` (not yet marked by `expire`):
    /// either way `chat` and `batch` refuse it without `--revive`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.state() == ContextState::Expired || self.spec.expiration_time.is_some_and(|t| t <= now)
    }

    /// The namespace, or `default` for an object that somehow lacks one.
    pub fn namespace_or_default(&self) -> String {
        self.namespace().unwrap_or_else(|| "default".to_string())
    }
}

/// The CRD, generated from the types above.
///
/// schemars marks every `Option` field `nullable: true`, and the apiserver drops the `type` of
/// nullable fields when it publishes OpenAPI v2, so `kubectl explain` would show `<>` for them.
/// This tool never stores `null` (every `Option` is skipped when empty, and merge-patch nulls
/// delete keys before validation), so `nullable` is removed.
pub fn crd() -> CustomResourceDefinition {
    let crd = ClaudeModelContext::crd();
    let Ok(mut v) = serde_json::to_value(&crd) else {
        return crd;
    };
    strip_nullable(&mut v);
    serde_json::from_value(v).unwrap_or(crd)
}

fn strip_nullable(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("nullable");
            m.values_mut().for_each(strip_nullable);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_nullable),
        _ => {}
    }
}

/// The CRDs as YAML documents, exactly what `install` applies: history segments, then
/// contexts.
pub fn crd_yaml() -> anyhow::Result<String> {
    Ok(format!(
        "{}---\n{}",
        serde_yaml::to_string(&crate::model::segment::crd())?,
        serde_yaml::to_string(&crd())?
    ))
}

#[cfg(test)]
mod tests {

    #[test]
    fn authors_read_as_user_at_host_with_what_is_known() {
        let a = Author {
            user: Some("alice".into()),
            host: Some("laptop".into()),
            pid: Some(42),
            via: Some("repl".into()),
        };
        assert_eq!(a.to_string(), "alice@laptop (pid 42, repl)");
        assert_eq!(Author::default().to_string(), "someone");
        let odd = Author {
            host: Some("h\x1b[2J".into()),
            ..Default::default()
        };
        assert_eq!(
            odd.to_string(),
            "h\\u{1b}[2J",
            "control characters are escaped"
        );
    }

    #[test]
    fn new_segments_are_numbered_after_removed_ones() {
        let seg = |sequence| SegmentRef {
            name: format!("x-seg-{sequence}"),
            sequence,
            ..Default::default()
        };
        let spec: ClaudeModelContextSpec =
            serde_json::from_value(serde_json::json!({"modelName": "m", "sessionID": "x"}))
                .unwrap();
        let mut o = ClaudeModelContext::new("x", spec);
        assert_eq!(o.next_sequence(), 0);
        o.status = Some(ClaudeModelContextStatus {
            segments: vec![seg(0), seg(1)],
            removed: vec![Removal {
                segments: vec![seg(5)],
                ..Default::default()
            }],
            ..Default::default()
        });
        assert_eq!(o.next_sequence(), 6);
    }

    use super::*;
    use serde_json::json;

    fn schema_of(path: &[&str]) -> serde_json::Value {
        let crd = serde_json::to_value(crd()).unwrap();
        let mut v = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        for p in path {
            v = &v["properties"][p];
        }
        v.clone()
    }

    #[test]
    fn crd_names_match_the_spec() {
        let crd = crd();
        assert_eq!(crd.metadata.name.as_deref(), Some(CRD_NAME));
        let names = &crd.spec.names;
        assert_eq!(names.kind, "ClaudeModelContext");
        assert_eq!(names.plural, PLURAL);
        assert_eq!(names.singular.as_deref(), Some("claudemodelcontext"));
        assert_eq!(names.short_names.clone().unwrap(), vec!["cmc", "mctx"]);
        assert_eq!(names.categories.clone().unwrap(), vec!["ai", "mcp"]);
        assert_eq!(crd.spec.scope, "Namespaced");
        let v = &crd.spec.versions[0];
        assert!(v.subresources.as_ref().unwrap().status.is_some());
        let cols: Vec<_> = v
            .additional_printer_columns
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            cols,
            [
                "Model",
                "Session",
                "State",
                "Turns",
                "Tokens",
                "Last Activity",
                "Age",
                "Strategy",
                "Budget",
                "History",
                "Expires",
                "Idle TTL",
                "Cost"
            ]
        );
        let wide: Vec<_> = v
            .additional_printer_columns
            .as_ref()
            .unwrap()
            .iter()
            .filter(|c| c.priority == Some(1))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            wide,
            ["Strategy", "Budget", "History", "Expires", "Idle TTL", "Cost"]
        );
    }

    #[test]
    fn every_spec_and_status_field_has_a_description() {
        for part in ["spec", "status"] {
            let s = schema_of(&[part]);
            let props = s["properties"].as_object().unwrap();
            assert!(!props.is_empty());
            for (name, field) in props {
                assert!(
                    field["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{part}.{name} has no description"
                );
            }
        }
        let msg = schema_of(&["spec", "contextHistory"]);
        for (name, field) in msg["items"]["properties"].as_object().unwrap() {
            assert!(field["description"].is_string(), "message.{name}");
        }
    }

    #[test]
    fn schema_carries_enums_bounds_and_required_fields() {
        let spec = schema_of(&["spec"]);
        let required: Vec<_> = spec["required"].as_array().unwrap().iter().collect();
        assert!(required.contains(&&json!("modelName")));
        assert!(required.contains(&&json!("sessionID")));
        assert_eq!(spec["properties"]["sessionID"]["maxLength"], 512);
        assert_eq!(spec["properties"]["sessionID"]["minLength"], 1);
        for f in ["maxTokens", "maxOutputTokens", "historySize"] {
            assert_eq!(spec["properties"][f]["minimum"], 1.0, "{f}");
        }
        assert_eq!(
            spec["properties"]["summarizationStrategy"]["enum"],
            json!(["truncate", "summarize_oldest", "hybrid", "server"])
        );
        assert_eq!(
            spec["properties"]["summarizationStrategy"]["default"],
            json!("truncate")
        );
        assert_eq!(spec["properties"]["expirationTime"]["format"], "date-time");
        let role = &spec["properties"]["contextHistory"]["items"]["properties"]["role"];
        assert_eq!(role["enum"], json!(["user", "assistant"]));
        let state = schema_of(&["status", "currentState"]);
        assert_eq!(state["enum"], json!(["Active", "Expired", "Error"]));
    }

    #[test]
    fn no_field_is_nullable_so_kubectl_explain_shows_every_type() {
        let text = serde_json::to_string(&crd()).unwrap();
        assert!(!text.contains("nullable"));
        assert_eq!(schema_of(&["spec", "historySize"])["type"], "integer");
    }

    fn msg(role: Role, content: &str, id: Option<&str>) -> Message {
        Message {
            role,
            content: content.into(),
            timestamp: None,
            tokens: None,
            id: id.map(str::to_string),
            markers: Vec::new(),
            author: None,
            blocks: Vec::new(),
        }
    }

    fn with_segments(history: Vec<Message>, sealed: &[Message]) -> ClaudeModelContext {
        let mut obj = ClaudeModelContext::new(
            "x",
            ClaudeModelContextSpec {
                model_name: "m".into(),
                session_id: "x".into(),
                max_tokens: None,
                max_output_tokens: None,
                history_size: None,
                context_history: history,
                system_prompt: None,
                summarization_strategy: SummarizationStrategy::Truncate,
                expiration_time: None,
                idle_ttl: None,
                cache_ttl: None,
                redaction: None,
            },
        );
        obj.status = Some(ClaudeModelContextStatus {
            segments: vec![SegmentRef {
                name: "x-seg-000000".into(),
                sequence: 0,
                first_turn: 1,
                last_turn: 1,
                turns: count_turns(sealed) as u64,
                messages: sealed.len() as u32,
                bytes: 1,
                digest: crate::model::digest::digest(sealed),
            }],
            ..Default::default()
        });
        obj
    }

    #[test]
    fn a_pending_trim_is_the_sealed_messages_and_nothing_that_looks_like_them() {
        let sealed = [
            msg(Role::User, "continue", Some("a")),
            msg(Role::Assistant, "ok", Some("b")),
        ];
        // Sealed, not yet removed: counted once.
        let mut live = sealed.to_vec();
        live.push(msg(Role::User, "continue", Some("c")));
        live.push(msg(Role::Assistant, "ok", Some("d")));
        let obj = with_segments(live.clone(), &sealed);
        assert_eq!(obj.pending_trim(), 2);
        assert_eq!(obj.history_offset(), 0);
        assert_eq!(obj.turns(), 2);
        assert_eq!(obj.live_history().len(), 2);
        // Removed: the same words again are a new turn, not a pending trim.
        let obj = with_segments(live[2..].to_vec(), &sealed);
        assert_eq!(obj.pending_trim(), 0);
        assert_eq!(obj.history_offset(), 2);
        assert_eq!(obj.conversation_len(), 4);
        assert_eq!(obj.turns(), 2);
    }

    #[test]
    fn the_summary_reach_is_counted_from_the_start_of_the_conversation() {
        let sealed = [
            msg(Role::User, "q1", Some("a")),
            msg(Role::Assistant, "a1", Some("b")),
        ];
        let live = vec![
            msg(Role::User, "q2", Some("c")),
            msg(Role::Assistant, "a2", Some("d")),
            msg(Role::User, "q3", Some("e")),
            msg(Role::Assistant, "a3", Some("f")),
        ];
        let mut obj = with_segments(live, &sealed);
        assert_eq!(obj.summary_covers(), 0, "no summary, no reach");
        let st = obj.status.as_mut().unwrap();
        st.summary = Some("s".into());
        st.summary_covers = Some(4);
        assert_eq!(obj.covered(), 2, "two live messages are covered");
        assert_eq!(obj.live_history()[0].content, "q3");
        // A hand-edited reach past the end is clamped.
        obj.status.as_mut().unwrap().summary_covers = Some(99);
        assert_eq!(obj.summary_covers(), 6);
        assert!(obj.live_history().is_empty());
        // Lying counts never panic.
        obj.status.as_mut().unwrap().segments[0].messages = u32::MAX;
        obj.status.as_mut().unwrap().segments[0].turns = u64::MAX;
        let _ = (
            obj.turns(),
            obj.covered(),
            obj.live_history(),
            obj.conversation_len(),
        );
    }

    #[test]
    fn a_minimal_hand_written_object_deserializes() {
        let obj: ClaudeModelContext = serde_json::from_value(json!({
            "apiVersion": "mcp.dev/v1alpha1",
            "kind": "ClaudeModelContext",
            "metadata": {"name": "x", "namespace": "default"},
            "spec": {"modelName": "claude-haiku-4-5", "sessionID": "x"}
        }))
        .unwrap();
        assert_eq!(
            obj.spec.summarization_strategy,
            SummarizationStrategy::Truncate
        );
        assert!(obj.spec.context_history.is_empty());
        assert_eq!(obj.state(), ContextState::Active);
        assert_eq!(obj.turns(), 0);
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        assert!(!obj.is_expired(now));
        let mut past = obj.clone();
        past.spec.expiration_time = Some("2026-01-01T00:00:00Z".parse().unwrap());
        assert!(past.is_expired(now));
    }
}
