//! One loaded context and every change to it, so the rules of safe write-back live in one place
//! (SPEC §5).
//!
//! Every write is a JSON patch computed from the object it applies to and guarded by a `test`
//! of `metadata.resourceVersion` ([`Session::patch_guarded`]): a concurrent writer makes the
//! `test` fail (422) instead of being overwritten, and the change is computed again from the
//! reloaded object after a jittered backoff, for up to a time budget, not a small count.
//! - A completed turn appends the question and the answer (the bytes sent per turn do not grow
//!   with the history); a retried append whose first try landed is recognised by the messages'
//!   ids and not stored twice. A turn that still cannot be stored goes to the local journal.
//! - Removals name the messages they remove: by position and, through `test` ops, by id (or
//!   role and content), never "the first N". `/undo` removes the turn this process showed, not
//!   whatever is newest.
//! - A fold writes the summary with what it covers in one guarded status patch that only lands
//!   on the history it summarized; covered messages are out of every window at once, and their
//!   removal is a second guarded write that any process finishes.
//! - Status is patched on the `status` subresource, typed (the patch is the difference between
//!   two `ClaudeModelContextStatus` values) and guarded like the rest, so a status that depends
//!   on the history is never written against a history this process did not see.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use anyhow::Context;
use jiff::Timestamp;
use kube::api::{Patch, PatchParams, PostParams};
use kube::core::ObjectMeta;
use kube::{Api, Resource};
use serde_json::json;

use crate::archive;
use crate::claude::{ClaudeClient, MessagesRequest, Reply};
use crate::cluster::{already_exists, Cluster, ClusterError, Op};
use crate::events::{Events, Lifecycle};
use crate::journal::{Entry, Journal};
use crate::naming;
use crate::resource::{
    count_turns, ClaudeModelContext, ClaudeModelContextSpec, ClaudeModelContextStatus,
    ContextState, ContextTemplate, Marker, Message, Role, SummarizationStrategy, TokenUsage,
    DEFAULT_MAX_OUTPUT_TOKENS, PLURAL,
};
use crate::segment;
use crate::size;
use crate::summarize;
use crate::tokens;
use crate::window::{self, Window, WindowError};
use crate::UsageError;

/// How long a write retries against other writers when `KUBECTL_MCP_WRITE_BUDGET` is unset.
pub const DEFAULT_WRITE_BUDGET: Duration = Duration::from_secs(60);
/// Summarizing calls one fold may make when other writers keep folding first (each lost race
/// waits a jittered backoff before the next try, so folders fall out of step).
const MAX_FOLD_CALLS: u32 = 6;
/// The most stored bytes one turn (question and answer) may take, so that a turn always fits
/// an object on its own, and an archive chunk.
pub const MAX_TURN_BYTES: usize = 900_000;
/// Stored bytes of an answer message besides its text (role, id, timestamp, tokens, markers).
const ANSWER_ENVELOPE: usize = 256;
/// Bytes an appended message adds besides itself (the array's comma).
const APPEND_OVERHEAD: usize = 64;

/// etcd refuses requests over about 1.5 MiB (the apiserver answers 500 "request is too large").
/// A write that would take the object past this size compacts it first.
pub const OBJECT_SIZE_LIMIT: usize = 1_400_000;
/// A size compaction removes the oldest turns until the object is this small, so that it
/// happens rarely rather than on every turn.
pub const OBJECT_SIZE_TARGET: usize = 1_000_000;
/// The live object's default byte budget: older turns are sealed into segments beyond it.
/// Small on purpose: the apiserver decodes, validates and writes the whole object for both
/// writes of every turn, at a cost that grows with its size (about 0.4 ms per kB per turn on
/// the test apiserver, BENCHMARKS.md), so a turn costs the same at 10 messages or 10,000 only
/// when the live object stays about as small as a new conversation's.
pub const DEFAULT_LIVE_BYTES: usize = 24 * 1024;
/// Removals (`/clear`, `/undo`) kept for `restore`; older ones are deleted.
pub const MAX_REMOVALS: usize = 10;
/// Small segments at the end of the list that are merged into one.
const MERGE_RUN: usize = 8;
/// Seal rounds one call may take (each seals up to a segment's worth).
const MAX_SEAL_ROUNDS: usize = 64;
/// Most messages one seal moves: the apiserver refuses a JSON patch of more than 10,000
/// operations (413), and giving ids to hand-written messages takes up to three per message,
/// removing sealed ones two. A longer live history is sealed in several rounds.
const MAX_PATCH_MESSAGES: usize = 3_000;
/// Largest summary accepted (a 1,024-token answer is a few kB in any language).
const MAX_SUMMARY_BYTES: usize = 64_000;
pub use crate::archive::ARCHIVE_LABEL;

/// A context loaded from the cluster.
pub struct Session {
    cluster: Cluster,
    events: Events,
    api: Api<ClaudeModelContext>,
    obj: ClaudeModelContext,
    session_id: String,
    namespace: String,
    name: String,
    /// Write permission was confirmed (or could not be asked) for this process.
    writable: bool,
    /// Sealed segments read so far (they never change).
    segments: segment::Cache,
    /// Recorded on the questions this process stores ([`Session::sign_as`]).
    author: Option<crate::resource::Author>,
    /// What this process asked Claude for in this context (`/cost`'s "this session").
    spent: crate::resource::UsageTotals,
    /// Damaged segments met while reading (their turns were left out), not yet told.
    damaged: Vec<segment::Damaged>,
    /// Damaged segments already told about, by name: each is a warning once per process.
    warned: std::collections::HashSet<String>,
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The window it was built from.
    pub window: Window,
    /// The request.
    pub request: MessagesRequest,
    /// Warnings for the user.
    pub notes: Vec<Note>,
}

/// How a turn was kept.
#[derive(Debug)]
pub struct Completed {
    /// Warnings for the user.
    pub notes: Vec<Note>,
    /// Set when the cluster could not be reached: where the turn was journalled, and why.
    pub journalled: Option<(std::path::PathBuf, ClusterError)>,
    /// The turn as stored (or journalled): its messages' ids tell a REPL its own turns from
    /// other writers'.
    pub turn: [Message; 2],
}

/// A completed turn recorded on disk and not yet stored ([`Session::hold`]).
#[derive(Debug)]
pub struct Held {
    turn: [Message; 2],
    entry: Entry,
    inflight: crate::journal::InFlight,
}

/// Something the user should know about a turn besides its answer. Typed, so that each
/// front end (terminal, `batch` output lines, the MCP server) can word or route it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The strategy wanted to fold the oldest turns and the summarizing call failed: they were
    /// left out of the request instead.
    SummaryFailed(String),
    /// The answer stopped early (`max_tokens`, or cut off by the tool).
    AnswerCut {
        /// The stop reason.
        stop_reason: String,
    },
    /// The turn was stored but its status write failed.
    StatusNotUpdated(String),
    /// Older turns could not be sealed to keep the live object within its budget (the turn
    /// is stored anyway; the next turn tries again).
    NotSealed(String),
    /// Turns kept in the local journal while the cluster was unreachable were written back
    /// (before this turn, so the stored order is the order they were asked in).
    WroteBack(usize),
    /// Claude declined to answer: the turn is stored marked `refusal` and left out of later
    /// requests.
    Refused,
    /// Redaction replaced personal data or secrets in the message by placeholders (what, how
    /// many).
    Masked(String),
    /// A sealed segment cannot be read or verified: its turns were left out of the window.
    SegmentLeftOut(segment::Damaged),
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::SummaryFailed(e) => write!(f, "warning: could not summarize the oldest turns ({e}); they are left out of this request instead"),
            Note::AnswerCut { stop_reason } if stop_reason == "pause_turn" => write!(f, "warning: the API paused this answer {} times in a row and it may be incomplete; ask Claude to go on", 1 + crate::claude::MAX_CONTINUATIONS),
            Note::AnswerCut { stop_reason } => write!(f, "warning: the answer was cut (stop_reason {stop_reason}); raise the answer cap for longer ones: `kubectl mcp set SESSION --max-output-tokens N`"),
            Note::StatusNotUpdated(e) => write!(f, "warning: the turn was stored but its status was not updated: {e}"),
            Note::NotSealed(e) => write!(f, "warning: could not seal older turns into history segments (the turn is stored; the next one tries again): {e}"),
            Note::Refused => write!(f, "warning: Claude declined to answer (stop_reason refusal); the turn is kept, marked `refusal`, and left out of later requests so the refusal does not carry on: rephrase the question (in the REPL, /retry offers it for editing)"),
            Note::WroteBack(n) => write!(f, "wrote back {n} turn(s) kept in the local journal while the cluster was unreachable"),
            Note::Masked(what) => write!(f, "masked before it was sent or stored: {what}"),
            Note::SegmentLeftOut(d) => write!(f, "warning: {d}; its turns are left out (new turns are stored as usual): `kubectl mcp repair SESSION` shows what can be restored"),
        }
    }
}

/// What [`Session::repair`] found, and did when asked to.
#[derive(Debug)]
pub struct Repair {
    /// Segments listed in the context.
    pub checked: usize,
    /// The damaged ones, and what is (or would be) done about each.
    pub findings: Vec<Finding>,
    /// Segments labelled as this context's that its list does not name: leftovers of
    /// interrupted seals and merges, or damaged ones replaced by a repair; never read as
    /// history (`kubectl mcp delete` removes them with the context).
    pub unlisted: Vec<String>,
    /// The findings were carried out.
    pub applied: bool,
}

/// One damaged segment.
#[derive(Debug)]
pub struct Finding {
    /// Its reference, as listed.
    pub segment: crate::resource::SegmentRef,
    /// What is wrong.
    pub problem: segment::Damage,
    /// In words.
    pub detail: String,
    /// What repair does.
    pub action: Action,
}

/// What repair does about a damaged segment.
#[derive(Debug)]
pub enum Action {
    /// An unlisted segment of this context holds exactly its messages: list that one instead.
    Adopt(crate::resource::SegmentRef),
    /// A verified copy of its messages was found (where, what): seal them into a new segment
    /// that takes its place.
    Restore(&'static str, Vec<Message>),
    /// Nothing holds its messages any more: they are lost; its reference is kept, marked, so
    /// that later turns keep their numbers and nothing tries to read it again.
    Quarantine,
    /// An earlier repair quarantined it.
    AlreadyQuarantined,
}

impl Action {
    /// Whether carrying it out writes anything.
    fn writes(&self) -> bool {
        !matches!(self, Action::AlreadyQuarantined)
    }

    /// Whether its turns are lost.
    pub fn loses(&self) -> bool {
        matches!(self, Action::Quarantine | Action::AlreadyQuarantined)
    }

    /// In words, for the table.
    pub fn describe(&self) -> String {
        match self {
            Action::Adopt(r) => format!("re-adopt {} (same messages)", r.name),
            Action::Restore(from, _) => format!("restore from {from}"),
            Action::Quarantine => "quarantine (its turns are lost)".into(),
            Action::AlreadyQuarantined => "none (quarantined; its turns are lost)".into(),
        }
    }
}

/// What [`Session::fold`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Folded {
    /// Messages removed from the stored history.
    pub messages: usize,
    /// A summarizing call was made (false when an earlier run's summary already covered them).
    pub called_claude: bool,
}

/// What [`Session::restore`] brought back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Restored {
    /// Turns put back.
    pub turns: u64,
    /// Removals emptied.
    pub removals: usize,
    /// Removals left as they are: their turns are still in the conversation (a `/clear` or
    /// `/undo` in progress elsewhere, or interrupted).
    pub left: usize,
}

/// What opening a session found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// It existed.
    Found,
    /// It was created from the flags.
    Created {
        /// Other namespaces that hold a context for the same session (a wrong `-n`?), so the
        /// caller can say so: a new conversation is never started quietly beside an old one.
        elsewhere: Vec<String>,
    },
}

impl Session {
    /// Find the context for `session_id` in `namespace`, or create it from `settings` when it
    /// is missing.
    pub async fn open_in(
        cluster: &Cluster,
        namespace: &str,
        session_id: &str,
        settings: &ContextTemplate,
    ) -> anyhow::Result<(Self, Opened)> {
        Self::open_for(cluster, namespace, session_id, settings, &[], None).await
    }

    /// [`Session::open_in`] for sending `messages`: each is checked against the context it
    /// will go to (with `changes` applied, when the caller applies them to an existing one) (its size, and that it fits the prompt budget) before a missing context is
    /// created, so bad input leaves no empty context behind.
    pub async fn open_for(
        cluster: &Cluster,
        namespace: &str,
        session_id: &str,
        settings: &ContextTemplate,
        messages: &[String],
        changes: Option<&ContextTemplate>,
    ) -> anyhow::Result<(Self, Opened)> {
        let ns = namespace.to_string();
        let check = |obj: &ClaudeModelContext| -> anyhow::Result<()> {
            let stored = size::stored_len(obj);
            for m in messages {
                turn_room(obj, m, stored)?;
                window_of(obj, m, ratio_of(obj))?;
            }
            Ok(())
        };
        let (obj, opened) = match cluster.find(&ns, session_id).await {
            Ok(obj) => {
                // Checked against the settings it will have when they are sent.
                match changes {
                    Some(t) => {
                        let system = match (&t.system, &t.system_file) {
                            (Some(text), _) => Some(text.clone()),
                            (None, Some(path)) => Some(read_text(path)?),
                            (None, None) => None,
                        };
                        let mut changed = obj.clone();
                        changed.spec = with_settings(
                            &obj.spec,
                            t,
                            system.as_deref(),
                            expiration_of(t, now())?,
                        );
                        check(&changed)?;
                    }
                    None => check(&obj)?,
                }
                (obj, Opened::Found)
            }
            Err(ClusterError::NotFound { elsewhere, .. }) => {
                let fresh = new_context(session_id, settings, &ns, now())?;
                check(&fresh)?;
                match create_context(cluster, fresh).await {
                    Ok(obj) => (obj, Opened::Created { elsewhere }),
                    // Another process created it first: use theirs.
                    Err(ClusterError::AlreadyExists { .. }) => {
                        (cluster.find(&ns, session_id).await?, Opened::Found)
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Err(e) => return Err(e.into()),
        };
        Ok((Self::from_object(cluster, obj), opened))
    }

    /// Load the context for `session_id` in `namespace`; a missing one is an error.
    pub async fn load(
        cluster: &Cluster,
        namespace: &str,
        session_id: &str,
    ) -> Result<Self, ClusterError> {
        let obj = cluster.find(namespace, session_id).await?;
        Ok(Self::from_object(cluster, obj))
    }

    /// Wrap an object already read.
    pub fn from_object(cluster: &Cluster, obj: ClaudeModelContext) -> Self {
        let namespace = obj.namespace_or_default();
        Self {
            api: cluster.contexts(Some(&namespace)),
            events: Events::new(cluster.client().clone()),
            cluster: cluster.clone(),
            session_id: obj.spec.session_id.clone(),
            name: obj.metadata.name.clone().unwrap_or_default(),
            namespace,
            obj,
            writable: false,
            segments: segment::Cache::open_default(),
            author: None,
            spent: Default::default(),
            damaged: Vec::new(),
            warned: Default::default(),
        }
    }

    /// What this process asked Claude for in this context, and its cost.
    pub fn spent(&self) -> &crate::resource::UsageTotals {
        &self.spent
    }

    /// Record who stores this process's turns (`via`: the front end), so a shared context's
    /// readers can tell who wrote what. The user is asked of the apiserver once per process.
    pub async fn sign_as(&mut self, via: &str) {
        static USER: tokio::sync::OnceCell<Option<String>> = tokio::sync::OnceCell::const_new();
        let user = USER.get_or_init(|| self.cluster.user()).await.clone();
        let host = gethostname::gethostname()
            .into_string()
            .ok()
            .filter(|h| !h.is_empty());
        self.author = Some(crate::resource::Author {
            user: user.map(|u| u.chars().take(253).collect()),
            host: host.map(|h| h.chars().take(253).collect()),
            pid: Some(std::process::id()),
            via: Some(via.chars().take(32).collect()),
        });
    }

    /// The cluster this session talks to.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Take `obj` as the current state when it is newer than the one held (a watch event may
    /// arrive after this process's own later write). Returns whether it was taken.
    pub fn observe(&mut self, obj: ClaudeModelContext) -> bool {
        let version = |o: &ClaudeModelContext| {
            o.metadata
                .resource_version
                .as_deref()
                .and_then(|v| v.parse::<u64>().ok())
        };
        if obj.metadata.uid != self.obj.metadata.uid {
            // Deleted and made again: a different context under the same name.
            self.obj = obj;
            return true;
        }
        match (version(&self.obj), version(&obj)) {
            (Some(have), Some(new)) if new <= have => false,
            _ if obj.metadata.resource_version == self.obj.metadata.resource_version => false,
            _ => {
                self.obj = obj;
                true
            }
        }
    }

    /// Turns of this context kept in the local journal and not yet written back.
    pub fn journalled(&self, journal: &Journal) -> Vec<Entry> {
        journal
            .pending(self.cluster.server(), &self.namespace, &self.name)
            .unwrap_or_default()
    }

    /// The object as last read or written.
    pub fn object(&self) -> &ClaudeModelContext {
        &self.obj
    }

    /// The session ID.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// How many of the oldest live messages come before the last `keep` turns: what
    /// `summarize --keep-last` and `/summarize` fold.
    pub fn messages_before_last_turns(&self, keep: usize) -> usize {
        messages_before_last_turns(self.obj.live_history(), keep)
    }

    /// Estimated tokens of everything stored (system prompt, summary, live history), calibrated.
    pub fn stored_tokens(&self) -> u64 {
        let spec = &self.obj.spec;
        let mut raw: u64 = self
            .obj
            .live_history()
            .iter()
            .map(|m| {
                u64::from(
                    m.tokens.unwrap_or_else(|| tokens::estimate(&m.content))
                        + tokens::PER_MESSAGE_OVERHEAD,
                )
            })
            .sum();
        raw += spec
            .system_prompt
            .as_deref()
            .map_or(0, |p| u64::from(tokens::estimate(p)));
        raw += summary_of(&self.obj).map_or(0, |s| u64::from(tokens::estimate(s)));
        tokens::scale(raw, self.ratio())
    }

    /// The calibration ratio learnt so far.
    pub fn ratio(&self) -> f64 {
        ratio_of(&self.obj)
    }

    /// The window for `new_message` on the current history.
    pub fn window(&self, new_message: &str) -> Result<Window, WindowError> {
        window_of(&self.obj, new_message, self.ratio())
    }

    /// The window before the next message and its estimated tokens ([`window::preview`]).
    pub fn preview(&self) -> Result<(Window, u64), WindowError> {
        let counts = message_counts(&self.obj);
        window::preview(&input_of(&self.obj, "", self.ratio(), &counts))
    }

    /// Refuse, before Claude is called, when RBAC would refuse storing the answer: the turn
    /// would be paid for and then lost. Asked once per process; when the review itself cannot
    /// be asked (an old or locked-down server), the write decides as before.
    pub async fn ensure_writable(&mut self) -> Result<(), ClusterError> {
        if self.writable {
            return Ok(());
        }
        // Sealing older turns creates segments: a user who may write contexts but not
        // segments would have the turn refused once the live object is full.
        for (verb, plural, sub, resource) in [
            ("patch", PLURAL, None, "claudemodelcontexts.mcp.dev"),
            (
                "patch",
                PLURAL,
                Some("status"),
                "claudemodelcontexts.mcp.dev/status",
            ),
            (
                "create",
                segment::PLURAL,
                None,
                "claudemodelcontextsegments.mcp.dev",
            ),
        ] {
            match self.cluster.may(verb, plural, sub, &self.namespace).await {
                Ok(true) => {}
                Ok(false) => {
                    return Err(ClusterError::Forbidden {
                        verb: verb.into(),
                        resource: resource.into(),
                        scope: format!("namespace \"{}\"", self.namespace),
                        message: "checked before calling Claude, so that no answer is paid for that could not be stored".into(),
                    })
                }
                Err(e) => {
                    tracing::debug!(error = %e, "could not ask whether writes are allowed; trying anyway");
                    break;
                }
            }
        }
        self.writable = true;
        Ok(())
    }

    fn op(&self, verb: &'static str) -> Op {
        Op::contexts(verb, Some(&self.namespace), Some(&self.session_id))
    }

    /// Re-read the object.
    pub async fn reload(&mut self) -> Result<(), ClusterError> {
        self.obj = self
            .api
            .get(&self.name)
            .await
            .map_err(|e| self.cluster.error(e, &self.op("get")))?;
        Ok(())
    }

    /// Apply ops built from the current object, after a `test` of its resourceVersion, to the
    /// object itself or to its status subresource.
    ///
    /// A lost race (409, or 422 from the failed `test`, whose message differs between
    /// versions, so a changed resourceVersion is what tells a race from a refusal) waits a
    /// growing, jittered delay, reloads, and asks `build` again with the fresh object: every
    /// change is computed from the object it applies to. `build` answers [`Build::Done`] when
    /// the change is already there (a retried append whose first try did land) and
    /// [`Build::Stale`] when it no longer applies. Gives up only when the write budget
    /// ([`write_budget`]) is spent, with a [`ClusterError::Conflict`] that callers journal.
    async fn patch_guarded(
        &mut self,
        what: &str,
        target: Target,
        build: impl Fn(&ClaudeModelContext) -> Build,
    ) -> Result<Written, ClusterError> {
        let budget = write_budget();
        let started = std::time::Instant::now();
        let mut attempt = 0u32;
        loop {
            let body = match build(&self.obj) {
                Build::Apply(ops) => ops,
                Build::Done => return Ok(Written::AlreadyDone),
                Build::Stale(why) => return Ok(Written::Stale(why)),
            };
            let version = self
                .obj
                .metadata
                .resource_version
                .clone()
                .unwrap_or_default();
            let mut ops =
                vec![json!({"op": "test", "path": "/metadata/resourceVersion", "value": version})];
            ops.extend(body);
            let body = serde_json::Value::Array(ops);
            tracing::debug!(
                bytes = body.to_string().len(),
                stored = self.obj.spec.context_history.len(),
                attempt,
                "{what} with a guarded JSON patch"
            );
            let patch: json_patch::Patch =
                serde_json::from_value(body).map_err(|e| ClusterError::Invalid {
                    what: format!("the patch for {what}"),
                    message: e.to_string(),
                    causes: Vec::new(),
                })?;
            let params = PatchParams::default();
            let patch = Patch::Json::<()>(patch);
            let result = match target {
                Target::Spec => self.api.patch(&self.name, &params, &patch).await,
                Target::Status => self.api.patch_status(&self.name, &params, &patch).await,
            };
            let err = match result {
                Ok(obj) => {
                    self.obj = obj;
                    return Ok(Written::Applied);
                }
                Err(e) => self.cluster.error(e, &self.op("patch")),
            };
            let race = matches!(
                err,
                ClusterError::Conflict { .. } | ClusterError::Invalid { .. }
            );
            if !(race || transient(&err)) {
                return Err(err);
            }
            attempt += 1;
            if started.elapsed() >= budget {
                let why = if race {
                    "other writers kept changing it"
                } else {
                    "the apiserver kept refusing it as busy"
                };
                return Err(ClusterError::Conflict {
                    what: format!("context \"{}\"", self.session_id),
                    message: format!(
                        "{what} did not land after {attempt} attempts in {}s: {why} ({err})",
                        budget.as_secs()
                    ),
                });
            }
            tokio::time::sleep(backoff(attempt)).await;
            let before = self.obj.metadata.resource_version.clone();
            self.reload().await?;
            if race && self.obj.metadata.resource_version == before {
                // Nobody else wrote: the server refused the change itself.
                return Err(err);
            }
            tracing::debug!(session = %self.session_id, attempt, "another writer changed the context; {what} again on the new version");
        }
    }

    /// Change status through `change`, computed from the fresh object at every try, as one
    /// guarded JSON patch (so a status that depends on the history is never written against a
    /// history this process did not see). Typed: fields are set on the status struct, and the
    /// patch is the difference.
    async fn update_status(
        &mut self,
        what: &str,
        change: impl Fn(&ClaudeModelContext, &mut ClaudeModelContextStatus) -> Result<(), String>,
    ) -> Result<Written, ClusterError> {
        self.patch_guarded(what, Target::Status, |obj| {
            let old = obj.status.clone();
            let mut new = old.clone().unwrap_or_default();
            // Older versions recorded a fold relative to the live object; every write states
            // the summary's reach from the start of the conversation instead.
            // Pinned at the first write: left unset, the reach of an older object's summary
            // would be read from where the live object starts, which moves with every seal.
            if new.summary.is_some() && new.summary_covers.is_none() {
                new.summary_covers = Some(obj.summary_covers());
            }
            new.summarized_messages = None;
            new.summary_fingerprint = None;
            if let Err(why) = change(obj, &mut new) {
                return Build::Stale(why);
            }
            status_ops(old.as_ref(), &new)
        })
        .await
    }

    /// Append one completed turn, guarded by `resourceVersion`; on a conflict reload and append
    /// again to the new history. Idempotent: a turn already stored (its first try landed though
    /// its answer was lost) is not stored twice.
    pub async fn append_turn(&mut self, turn: &[Message; 2]) -> Result<(), ClusterError> {
        let ops = append_ops(turn);
        self.patch_guarded("appending a turn", Target::Spec, |obj| {
            if contains_turn(obj, turn) {
                Build::Done
            } else {
                Build::Apply(ops.clone())
            }
        })
        .await?;
        Ok(())
    }

    /// The two messages of a turn as they will be stored: timestamped, with ids, token
    /// estimates and markers (an empty answer is stored, marked `empty`).
    pub fn turn_messages(question: &str, reply: &Reply) -> [Message; 2] {
        let at = now();
        let mut answer = stored(Role::Assistant, &reply.text, at);
        if reply.text.trim().is_empty() {
            answer.markers.push(Marker::Empty);
        }
        if reply.was_cut() {
            answer.markers.push(Marker::Cut);
        }
        if reply.stop_reason.as_deref() == Some("refusal") {
            answer.markers.push(Marker::Refusal);
        }
        answer.blocks = reply.blocks.clone();
        [stored(Role::User, question, at), answer]
    }

    /// Journal entry for a turn of this context.
    pub fn journal_entry(&self, turn: &[Message; 2]) -> Entry {
        Entry {
            server: self.cluster.server().to_string(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            session: self.session_id.clone(),
            question: turn[0].clone(),
            answer: turn[1].clone(),
        }
    }

    /// Write back turns a previous run could not store (SPEC §5). Returns how many were written;
    /// ones already present are dropped from the journal without writing. Holds the journal's
    /// lock, so two processes never replay the same entries; a process that finds it held leaves
    /// the replay to the holder.
    pub async fn replay_journal(&mut self, journal: &Journal) -> anyhow::Result<usize> {
        let server = self.cluster.server().to_string();
        let Some(_lock) = journal.try_lock(&server, &self.namespace, &self.name)? else {
            return Ok(0);
        };
        let pending = journal.pending(&server, &self.namespace, &self.name)?;
        let mut written = 0;
        for (done, entry) in pending.iter().enumerate() {
            let turn = [entry.question.clone(), entry.answer.clone()];
            if !self.stored_anywhere_fresh(&turn).await? {
                match self.append_turn(&turn).await {
                    Ok(()) => written += 1,
                    Err(e) if keep_in_journal(&e) => {
                        journal.remove_done(&server, &self.namespace, &self.name, done)?;
                        return Err(e).context(
                            "writing back a turn kept in the local journal (it stays there for the next run)",
                        );
                    }
                    Err(e) => {
                        // Refused for good (schema, RBAC): set aside, so that it never holds
                        // back the turns after it.
                        let path = journal.keep_refused(entry)?;
                        tracing::warn!(
                            "a journalled turn was refused by the cluster and moved to {}: {e}",
                            path.display()
                        );
                    }
                }
            }
        }
        journal.remove_done(&server, &self.namespace, &self.name, pending.len())?;
        // Turns of processes that died between showing an answer and storing it.
        for (entry, record) in journal.orphans(&server, &self.namespace, &self.name)? {
            let turn = [entry.question.clone(), entry.answer.clone()];
            if !self.stored_anywhere_fresh(&turn).await? {
                self.append_turn(&turn)
                    .await
                    .context("writing back a turn an interrupted run had not stored (its record stays in the local journal for the next run)")?;
                written += 1;
            }
            record.done()?;
        }
        if written > 0 {
            self.update_status("recording the written-back turns", |obj, st| {
                st.turn_count = Some(obj.turns() as u32);
                st.last_activity_time = Some(now());
                Ok(())
            })
            .await?;
        }
        Ok(written)
    }

    /// The whole conversation, sealed segments (through this session's cache) then the live
    /// object.
    pub async fn full_history(&mut self) -> anyhow::Result<Vec<Message>> {
        segment::full_history(&self.cluster, &self.segments, &self.obj).await
    }

    /// [`Session::stored_anywhere`], asked again of a reloaded object when a segment went away
    /// meanwhile.
    async fn stored_anywhere_fresh(&mut self, turn: &[Message; 2]) -> anyhow::Result<bool> {
        match self.stored_anywhere(turn, false).await {
            Err(e) if segment::is_gone(&e) => {
                self.reload().await?;
                self.stored_anywhere(turn, true).await
            }
            other => other,
        }
    }

    /// Segment `r` through the cache, or `None` when it is damaged (recorded for a warning;
    /// a missing one only when `missing_is_damage`, after the context was read again, since a
    /// merge replaces segments). Other failures (RBAC, the network) are errors.
    async fn read_segment(
        &mut self,
        r: &crate::resource::SegmentRef,
        missing_is_damage: bool,
    ) -> anyhow::Result<Option<std::sync::Arc<Vec<Message>>>> {
        match self.segments.read(&self.cluster, &self.namespace, r).await {
            Ok(m) => Ok(Some(m)),
            Err(e) => match segment::damage_of(&e) {
                // Set aside by `repair`, which said what was lost: not told again.
                Some(d) if d.kind == segment::Damage::Quarantined => Ok(None),
                Some(d) if missing_is_damage || d.kind != segment::Damage::Missing => {
                    tracing::debug!("{d}");
                    if !self.damaged.iter().any(|x| x.name == d.name) {
                        self.damaged.push(d.clone());
                    }
                    Ok(None)
                }
                _ => Err(e),
            },
        }
    }

    /// Check every listed segment against the cluster and, with `apply`, mend what is
    /// damaged: restored from a verified copy (this machine's segment cache, the live object
    /// when the seal had not finished trimming it, or an unlisted segment of this context with
    /// exactly those messages) into a new segment that takes its place in the list; else
    /// quarantined (its reference stays, so every later turn keeps its number, but it is never
    /// read again). Without `apply` nothing is written: what would be done is returned.
    pub async fn repair(&mut self, apply: bool) -> anyhow::Result<Repair> {
        self.reload().await?;
        let refs = self.obj.segments().to_vec();
        let uid = self.obj.metadata.uid.clone().unwrap_or_default();
        let listed: std::collections::HashSet<&str> =
            refs.iter().map(|r| r.name.as_str()).collect();
        let mut unlisted: Vec<String> = segment::list_for(&self.cluster, &self.namespace, &uid)
            .await?
            .into_iter()
            .filter(|n| !listed.contains(n.as_str()))
            .collect();
        unlisted.sort();
        let mut found = Vec::new();
        let last = refs.len().saturating_sub(1);
        for (i, r) in refs.iter().enumerate() {
            if let Some(kind) = segment::quarantined(r) {
                found.push(Finding {
                    segment: r.clone(),
                    problem: kind,
                    detail: "quarantined by an earlier repair".into(),
                    action: Action::AlreadyQuarantined,
                });
                continue;
            }
            let damaged = match segment::fetch(&self.cluster, &self.namespace, r).await {
                Ok(_) => continue,
                Err(e) => match segment::damage_of(&e) {
                    Some(d) => d.clone(),
                    None => return Err(e),
                },
            };
            // Where the same messages still are, best first.
            let mut action = Action::Quarantine;
            if let Some(adopt) = self.unlisted_holding(&unlisted, &uid, r).await {
                action = Action::Adopt(adopt);
            } else if let Some(m) =
                self.segments
                    .disk_copy(self.cluster.server(), &self.namespace, r)
            {
                action = Action::Restore("this machine's segment cache", m);
            } else if i == last && self.obj.pending_trim() == r.messages as usize {
                let m = self.obj.spec.context_history[..r.messages as usize].to_vec();
                action = Action::Restore("the live object (the seal had not trimmed it)", m);
            }
            found.push(Finding {
                segment: r.clone(),
                problem: damaged.kind,
                detail: damaged.detail,
                action,
            });
        }
        if apply && found.iter().any(|f| f.action.writes()) {
            self.mend(&mut found).await?;
        }
        Ok(Repair {
            checked: refs.len(),
            findings: found,
            unlisted,
            applied: apply,
        })
    }

    /// An unlisted segment of this context (`uid`) that holds exactly what `r` lists.
    async fn unlisted_holding(
        &self,
        unlisted: &[String],
        uid: &str,
        r: &crate::resource::SegmentRef,
    ) -> Option<crate::resource::SegmentRef> {
        let api: Api<segment::ClaudeModelContextSegment> =
            Api::namespaced(self.cluster.client().clone(), &self.namespace);
        for name in unlisted {
            let Ok(seg) = api.get(name).await else {
                continue;
            };
            if segment::adoptable(&seg, uid, &r.digest, r.messages as usize) {
                let mut adopted = r.clone();
                adopted.name = name.clone();
                return Some(adopted);
            }
        }
        None
    }

    /// Carry out the findings of [`Session::repair`] that write: restored copies become new
    /// segments, then one guarded status write puts every replacement (or quarantine) in its
    /// damaged reference's place.
    async fn mend(&mut self, found: &mut [Finding]) -> anyhow::Result<()> {
        let owner = self
            .obj
            .controller_owner_ref(&())
            .context("the context has no uid")?;
        let mut sequence = self.obj.next_sequence();
        let mut replace: Vec<(crate::resource::SegmentRef, crate::resource::SegmentRef)> =
            Vec::new();
        for f in found.iter_mut() {
            let new = match &f.action {
                Action::Adopt(r) => r.clone(),
                Action::Restore(_, messages) => {
                    let turns_before = f.segment.first_turn.saturating_sub(1);
                    let r = self
                        .create_segment_from(&owner, sequence, turns_before, messages)
                        .await?;
                    sequence = r
                        .sequence
                        .checked_add(1)
                        .context("segment numbers ran out")?;
                    r
                }
                Action::Quarantine => {
                    let mut q = f.segment.clone();
                    q.digest = segment::quarantined_digest(f.problem, &f.segment.digest);
                    q
                }
                Action::AlreadyQuarantined => continue,
            };
            replace.push((f.segment.clone(), new));
        }
        let outcome = self
            .update_status("repairing history segments", |_, st| {
                for (old, new) in &replace {
                    let Some(slot) = st.segments.iter_mut().find(|r| *r == old) else {
                        return Err(format!(
                            "segment {} changed meanwhile; run `kubectl mcp repair` again",
                            old.name
                        ));
                    };
                    *slot = new.clone();
                }
                Ok(())
            })
            .await?;
        if let Written::Stale(why) = outcome {
            anyhow::bail!("nothing was repaired: {why}");
        }
        Ok(())
    }

    /// Damaged segments met since the last call and not told about before in this process.
    pub fn take_damage(&mut self) -> Vec<segment::Damaged> {
        let mut out = Vec::new();
        for d in std::mem::take(&mut self.damaged) {
            if self.warned.insert(d.name.clone()) {
                out.push(d);
            }
        }
        out
    }

    /// True when `turn` is stored: in the live object, or sealed since it was stored (the
    /// newest segments, back to those older than the turn).
    async fn stored_anywhere(
        &mut self,
        turn: &[Message; 2],
        missing_is_damage: bool,
    ) -> anyhow::Result<bool> {
        if contains_turn(&self.obj, turn) {
            return Ok(true);
        }
        let asked = turn[0].timestamp;
        for r in self.obj.segments().to_vec().iter().rev() {
            // A damaged segment holds nothing that can be found (or doubled).
            let Some(sealed) = self.read_segment(r, missing_is_damage).await? else {
                continue;
            };
            if sealed
                .windows(2)
                .any(|w| w[0].same(&turn[0]) && w[1].same(&turn[1]))
            {
                return Ok(true);
            }
            // Segments hold older turns the further back: stop well before the turn's time.
            let newest = sealed.iter().rev().find_map(|m| m.timestamp);
            if let (Some(newest), Some(asked)) = (newest, asked) {
                if newest.as_second() + 3600 < asked.as_second() {
                    break;
                }
            }
        }
        Ok(false)
    }

    /// Fold the conversation up to message `through` (counted from its very start, sealed
    /// messages included) into `status.summary` with a Claude call, then seal the folded
    /// messages still in the live object into a segment: folding never deletes a turn.
    ///
    /// The summary, with how far it reaches (`summaryCovers`), is one guarded status write that
    /// only lands when the summary and its reach are still the ones this fold started from and
    /// the folded live messages are still there: a concurrent fold is never overwritten and no
    /// turn is folded twice (the loser finds the work done, or folds what is left). Covered
    /// messages leave every window at once; sealing them is a second step that any process
    /// finishes ([`Session::finish_fold`]), so a crash in between loses nothing.
    pub async fn fold(&mut self, client: &ClaudeClient, through: u64) -> anyhow::Result<Folded> {
        self.ensure_writable().await?;
        let mut done = Folded::default();
        // (previous summary, reach, end, what was folded) → the summary Claude wrote for them.
        let mut written: Option<(Option<String>, u64, u64, String, String)> = None;
        let mut races = 0;
        loop {
            self.finish_fold().await?;
            let covers = self.obj.summary_covers();
            let mut end = through.min(self.obj.conversation_len());
            if covers >= end {
                return Ok(done);
            }
            let mut folded = self.messages_between_fresh(covers, end).await?;
            let previous = summary_of(&self.obj).map(str::to_string);
            // More than one request can hold: fold the oldest piece that fits, then the next.
            let budget = summary_budget(&self.obj.spec);
            let fit = summarize::fitting(previous.as_deref(), &folded, budget);
            if fit < folded.len() {
                folded.truncate(fit);
                end = covers + fit as u64;
            }
            let fp = segment::digest(&folded);
            let sealed_part = overlapping_segments(&self.obj, covers, end);
            let text = match &written {
                Some((p, c, e, f, text))
                    if *p == previous && *c == covers && *e == end && *f == fp =>
                {
                    text.clone()
                }
                _ => {
                    if races == MAX_FOLD_CALLS {
                        anyhow::bail!("other writers kept folding this context; {races} summaries were written and each lost the race (nothing was lost)");
                    }
                    let request = summarize::request(
                        &self.obj.spec.model_name,
                        previous.as_deref(),
                        &folded,
                        budget,
                    );
                    let reply = client.send(&request).await?;
                    done.called_claude = true;
                    self.record_call_usage(&reply, true).await;
                    if reply.text.trim().is_empty() {
                        anyhow::bail!("the summarizing call returned no text");
                    }
                    // A summary is capped at SUMMARY_MAX_TOKENS; anything far larger would only
                    // push the object toward etcd's limit. Refuse it and let the caller truncate.
                    if reply.text.len() > MAX_SUMMARY_BYTES {
                        anyhow::bail!("the summarizing call returned {} bytes, more than a summary may take ({MAX_SUMMARY_BYTES})", reply.text.len());
                    }
                    let text = reply.text.trim().to_string();
                    written = Some((previous.clone(), covers, end, fp.clone(), text.clone()));
                    text
                }
            };
            let outcome = self
                .update_status("writing the summary", |obj, st| {
                    if summary_of(obj) != previous.as_deref()
                        || obj.summary_covers() != covers
                        || overlapping_segments(obj, covers, end) != sealed_part
                        || !still_holds(obj, covers, &folded)
                    {
                        return Err("another writer folded or changed these turns first".into());
                    }
                    st.summary = Some(text.clone());
                    st.summary_covers = Some(end);
                    Ok(())
                })
                .await?;
            if let Written::Stale(why) = outcome {
                tracing::debug!("the summary was not written ({why}); computing the fold again");
                races += 1;
                tokio::time::sleep(backoff(races + 2)).await;
                self.reload().await?;
                continue;
            }
            done.messages += folded.len();
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::Summarized,
                    format!("folded {} messages into status.summary", folded.len()),
                )
                .await;
            self.finish_fold().await?;
            // A piece: the next one folds into this summary.
        }
    }

    /// Fold all but the last `keep` turns (`summarize --keep-last`, `/summarize`): the turns
    /// that came before them when this was asked. Turns other writers add meanwhile are not
    /// chased, and turns another fold took meanwhile are not folded again.
    pub async fn fold_keeping(
        &mut self,
        client: &ClaudeClient,
        keep: usize,
    ) -> anyhow::Result<Folded> {
        let through = self.obj.history_offset()
            + (self.obj.covered() + self.messages_before_last_turns(keep)) as u64;
        self.fold(client, through).await
    }

    /// Finish what interrupted or concurrent runs left half done: remove from the live object
    /// the messages already sealed, migrate ConfigMap archives of older versions, and seal the
    /// messages the summary covers. Returns how many messages left the live object.
    pub async fn finish_fold(&mut self) -> anyhow::Result<usize> {
        self.migrate_archives().await?;
        let mut moved = self.trim_sealed().await?;
        if self.obj.covered() > self.obj.pending_trim() {
            moved += self
                .seal_head(&|obj: &ClaudeModelContext| obj.covered())
                .await?;
        }
        Ok(moved)
    }

    /// Remove from the live object the messages the newest segment already holds (the second
    /// step of a seal). Returns how many this call removed.
    async fn trim_sealed(&mut self) -> Result<usize, ClusterError> {
        let k = self.obj.pending_trim();
        if k == 0 {
            return Ok(0);
        }
        pause_for_fault_tests("trim");
        let outcome = self
            .patch_guarded(
                "removing sealed messages from the live object",
                Target::Spec,
                |obj| {
                    let k = obj.pending_trim();
                    if k == 0 {
                        return Build::Done;
                    }
                    Build::Apply(removal_ops(
                        &obj.spec.context_history,
                        &(0..k).collect::<Vec<_>>(),
                    ))
                },
            )
            .await?;
        Ok(if outcome == Written::Applied { k } else { 0 })
    }

    /// Seal the oldest messages of the live object into history segments, in order: `count`
    /// says how many (computed from the object at hand each round, after any earlier seal is
    /// finished); each round seals whole turns, at most [`segment::SEGMENT_BYTES`].
    ///
    /// Crash-safe order: (1) create the segment (its name is the context's and the next
    /// sequence number; identical content already there is adopted); (2) list it in
    /// `status.segments`, guarded on the live object still starting with exactly those
    /// messages; (3) remove them from the live object. After (2) and before (3) the messages
    /// are stored twice and counted once ([`ClaudeModelContext::pending_trim`]); any process
    /// finishes (3). A segment created in (1) whose seal never reached (2) is adopted by the
    /// next seal when it holds the head of the history, and otherwise left unlisted (never
    /// read). Returns how many messages left the live object.
    async fn seal_head(
        &mut self,
        count: &(dyn Fn(&ClaudeModelContext) -> usize + Sync),
    ) -> anyhow::Result<usize> {
        self.migrate_archives().await?;
        let mut moved = 0;
        for _ in 0..MAX_SEAL_ROUNDS {
            moved += self.trim_sealed().await?;
            if self.obj.pending_trim() != 0 {
                continue;
            }
            let h = &self.obj.spec.context_history;
            let n = seal_cut(h, count(&self.obj).min(h.len()));
            if n == 0 {
                break;
            }
            if h[..n].iter().any(|m| m.id.is_none()) {
                // Hand-written messages get ids first, so the segment names exactly them.
                self.give_ids(n).await?;
                continue;
            }
            let owner = self
                .obj
                .controller_owner_ref(&())
                .context("the context has no uid")?;
            // After the highest number listed, removed turns' segments included (merged
            // segments take new numbers anywhere in the list).
            let mut sequence = self.obj.next_sequence();
            pause_for_fault_tests("create");
            let reference = loop {
                let h = &self.obj.spec.context_history;
                let new = segment::NewSegment {
                    namespace: &self.namespace,
                    context: &self.name,
                    owner: owner.clone(),
                    sequence,
                    turns_before: self.obj.sealed_turns(),
                    messages: &h[..n],
                    aside: false,
                };
                match segment::create(&self.cluster, &new).await? {
                    segment::Created::Written(r) => break r,
                    segment::Created::Taken(existing) => {
                        // An interrupted seal: adopt it when it holds the head of the history.
                        let k = existing.spec.messages as usize;
                        if k > 0
                            && k <= h.len()
                            && segment::adoptable(
                                &existing,
                                &owner.uid,
                                &segment::digest(&h[..k]),
                                k,
                            )
                        {
                            tracing::info!(segment = %existing.reference().name, "adopting the segment of an interrupted seal");
                            break existing.reference();
                        }
                        sequence = sequence.checked_add(1).context("segment numbers ran out")?;
                    }
                }
            };
            pause_for_fault_tests("list");
            let k = reference.messages as usize;
            let outcome = self
                .update_status("listing a sealed history segment", |obj, st| {
                    if obj.segments().iter().any(|s| s.name == reference.name) {
                        return Err("already listed".into());
                    }
                    let h = &obj.spec.context_history;
                    if obj.pending_trim() != 0
                        || obj
                            .segments()
                            .iter()
                            .any(|s| s.sequence >= reference.sequence)
                        || k > h.len()
                        || segment::digest(&h[..k]) != reference.digest
                    {
                        return Err(
                            "another writer sealed or changed the oldest turns first".into()
                        );
                    }
                    st.segments.push(reference.clone());
                    Ok(())
                })
                .await?;
            if let Written::Stale(why) = outcome {
                tracing::debug!(
                    "the segment was not listed ({why}); sealing again from the fresh object"
                );
                self.reload().await?;
                continue;
            }
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::Compacted,
                    format!(
                        "sealed turns {}-{} ({k} messages) into history segment {}",
                        reference.first_turn, reference.last_turn, reference.name
                    ),
                )
                .await;
        }
        moved += self.trim_sealed().await?;
        if moved > 0 {
            // A few merges per seal: an older list of many small segments catches up.
            for _ in 0..4 {
                match self.consolidate().await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!("could not merge small history segments (nothing is lost; the next seal tries again): {e:#}");
                        break;
                    }
                }
            }
        }
        Ok(moved)
    }

    /// A new segment of `messages` (preceded by `turns_before` turns) at the first sequence
    /// number from `sequence` on that no object takes yet: what a merge and a repair write.
    async fn create_segment_from(
        &self,
        owner: &k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference,
        mut sequence: u32,
        turns_before: u64,
        messages: &[Message],
    ) -> anyhow::Result<crate::resource::SegmentRef> {
        loop {
            let new = segment::NewSegment {
                namespace: &self.namespace,
                context: &self.name,
                owner: owner.clone(),
                sequence,
                turns_before,
                messages,
                aside: false,
            };
            match segment::create(&self.cluster, &new).await? {
                segment::Created::Written(r) => return Ok(r),
                segment::Created::Taken(_) => {
                    sequence = sequence.checked_add(1).context("segment numbers ran out")?
                }
            }
        }
    }

    /// Merge the oldest run of small segments into one: seals of a small live
    /// object make segments of a fraction of [`segment::SEGMENT_BYTES`], and without merging
    /// the list in status (part of the live object, written with every turn) would grow with
    /// the conversation. The merged segment is a new object (nothing is rewritten); it replaces
    /// the run in one guarded status write, then the run's objects are deleted (a reader that
    /// loaded the old list meanwhile reloads and reads again).
    async fn consolidate(&mut self) -> anyhow::Result<bool> {
        let refs = self.obj.segments().to_vec();
        let Some((start, end)) = merge_run(&refs) else {
            return Ok(false);
        };
        let run = &refs[start..end];
        let mut messages = Vec::new();
        for r in run {
            // A damaged segment is not merged (its turns would be lost for good): the run
            // waits for `repair`.
            let Some(m) = self.read_segment(r, true).await? else {
                return Ok(false);
            };
            messages.extend_from_slice(&m);
        }
        let owner = self
            .obj
            .controller_owner_ref(&())
            .context("the context has no uid")?;
        let turns_before: u64 = refs[..start].iter().map(|r| r.turns).sum();
        let merged = self
            .create_segment_from(
                &owner,
                self.obj.next_sequence().max(1),
                turns_before,
                &messages,
            )
            .await?;
        let names: Vec<String> = run.iter().map(|r| r.name.clone()).collect();
        let outcome = self
            .update_status("merging small history segments", |obj, st| {
                let now = obj.segments();
                if obj.pending_trim() != 0
                    || now.len() < start + names.len()
                    || now[start..start + names.len()]
                        .iter()
                        .map(|r| &r.name)
                        .ne(names.iter())
                    || now.iter().any(|r| r.sequence >= merged.sequence)
                {
                    return Err("the list changed meanwhile".into());
                }
                st.segments
                    .splice(start..start + names.len(), [merged.clone()]);
                Ok(())
            })
            .await?;
        if outcome != Written::Applied {
            return Ok(false);
        }
        segment::delete(&self.cluster, &self.namespace, &names).await?;
        Ok(true)
    }

    /// Give ids to the id-less messages among the first `n` of the live object (messages
    /// written by hand), each `test`ed to be the message meant.
    async fn give_ids(&mut self, n: usize) -> Result<(), ClusterError> {
        let ids: Vec<String> = (0..n).map(|_| new_id()).collect();
        self.patch_guarded("giving ids to hand-written messages", Target::Spec, |obj| {
            let h = &obj.spec.context_history;
            let mut ops = Vec::new();
            for (i, m) in h.iter().enumerate().take(n) {
                if m.id.is_some() {
                    continue;
                }
                ops.push(json!({"op": "test", "path": format!("/spec/contextHistory/{i}/role"), "value": m.role}));
                if !m.content.is_empty() {
                    ops.push(json!({"op": "test", "path": format!("/spec/contextHistory/{i}/content"), "value": m.content}));
                }
                ops.push(json!({"op": "add", "path": format!("/spec/contextHistory/{i}/id"), "value": ids[i]}));
            }
            if ops.is_empty() {
                Build::Done
            } else {
                Build::Apply(ops)
            }
        })
        .await?;
        Ok(())
    }

    /// Move the ConfigMap archives of older versions into history segments (they precede
    /// everything else), list them, then delete the ConfigMaps: after this, whoever may read
    /// ConfigMaps reads no conversation.
    async fn migrate_archives(&mut self) -> anyhow::Result<()> {
        let Some(archived_turns) = self.obj.status.as_ref().and_then(|s| s.archived_turns) else {
            return Ok(());
        };
        let archived = archive::read(&self.cluster, &self.namespace, &self.name)
            .await
            .context("reading the ConfigMap archives to migrate them into history segments")?;
        // An archive written just before a crash may still have its messages in the live
        // object too (older versions wrote it first and removed them second): keep those once,
        // live.
        let live = &self.obj.spec.context_history;
        let archived: Vec<Message> = archived
            .into_iter()
            .filter(|m| !live.iter().any(|l| l.same(m)))
            .collect();
        let owner = self
            .obj
            .controller_owner_ref(&())
            .context("the context has no uid")?;
        let refs =
            segment::create_all(&self.cluster, &self.namespace, &self.name, owner, &archived)
                .await?;
        let migrated = archived.len() as u64;
        let seen: Vec<String> = self.obj.segments().iter().map(|s| s.name.clone()).collect();
        let outcome = self
            .update_status(
                "listing the migrated archives as history segments",
                |obj, st| {
                    let now: Vec<&str> = obj.segments().iter().map(|s| s.name.as_str()).collect();
                    if obj.status.as_ref().and_then(|s| s.archived_turns) != Some(archived_turns)
                        || now != seen.iter().map(String::as_str).collect::<Vec<_>>()
                    {
                        return Err("another writer migrated the archives first".into());
                    }
                    if st.summary.is_some() {
                        st.summary_covers = Some(migrated + obj.summary_covers());
                    }
                    let mut all = refs.clone();
                    all.append(&mut st.segments);
                    st.segments = all;
                    st.archived_turns = None;
                    Ok(())
                },
            )
            .await?;
        if let Written::Stale(why) = outcome {
            tracing::debug!("the archives were not migrated here ({why})");
            self.reload().await?;
            return Ok(());
        }
        archive::delete_all(&self.cluster, &self.namespace, &self.name)
            .await
            .context("the archives were migrated into history segments, but the old ConfigMaps could not be deleted")?;
        Ok(())
    }

    /// Messages `[from, to)` of the whole conversation (sealed ones read through the cache).
    pub async fn messages_between(&mut self, from: u64, to: u64) -> anyhow::Result<Vec<Message>> {
        self.between(from, to, false).await
    }

    /// [`Session::messages_between`]; the messages of damaged segments are left out (see
    /// [`Session::read_segment`]).
    async fn between(
        &mut self,
        from: u64,
        to: u64,
        missing_is_damage: bool,
    ) -> anyhow::Result<Vec<Message>> {
        if from >= to {
            return Ok(Vec::new());
        }
        let offset = self.obj.history_offset();
        let mut out = Vec::new();
        let mut at = 0u64;
        for r in self.obj.segments().to_vec() {
            let end = at + u64::from(r.messages);
            if end > from && at < to.min(offset) {
                let Some(msgs) = self.read_segment(&r, missing_is_damage).await? else {
                    at = end;
                    continue;
                };
                let lo = from.saturating_sub(at) as usize;
                let hi = (to.min(end) - at) as usize;
                out.extend_from_slice(&msgs[lo.min(msgs.len())..hi.min(msgs.len())]);
            }
            at = end;
        }
        let h = &self.obj.spec.context_history;
        let lo = from.saturating_sub(offset) as usize;
        let hi = (to.saturating_sub(offset) as usize).min(h.len());
        if lo < hi {
            out.extend_from_slice(&h[lo..hi]);
        }
        Ok(out)
    }

    /// [`Session::messages_between`], read again from a reloaded object when a segment went
    /// away meanwhile.
    pub async fn messages_between_fresh(
        &mut self,
        from: u64,
        to: u64,
    ) -> anyhow::Result<Vec<Message>> {
        match self.between(from, to, false).await {
            Err(e) if segment::is_gone(&e) => {
                self.reload().await?;
                self.between(from, to, true).await
            }
            other => other,
        }
    }

    /// [`Session::window_history`], read again from a reloaded object when a segment went
    /// away meanwhile (another process merged it into a bigger one).
    async fn window_history_fresh(&mut self, message: &str) -> anyhow::Result<(u64, Vec<Message>)> {
        match self.window_history(message, false).await {
            Err(e) if segment::is_gone(&e) => {
                self.reload().await?;
                self.window_history(message, true).await
            }
            other => other,
        }
    }

    /// The history a window for `message` is built from, and where it starts in the whole
    /// conversation: the live messages, preceded by as many sealed messages (not covered by
    /// the summary) as the window can take, newest segment first, each read once per process
    /// and once per machine.
    async fn window_history(
        &mut self,
        message: &str,
        missing_is_damage: bool,
    ) -> anyhow::Result<(u64, Vec<Message>)> {
        let covers = self.obj.summary_covers();
        let mut base = self.obj.history_offset() + self.obj.covered() as u64;
        let mut hist = self.obj.live_history().to_vec();
        let refs = self.obj.segments().to_vec();
        let mut ends: Vec<u64> = refs
            .iter()
            .scan(0u64, |at, r| {
                *at += u64::from(r.messages);
                Some(*at)
            })
            .collect();
        let mut refs = refs;
        let server = self.obj.spec.summarization_strategy == SummarizationStrategy::Server;
        while base > covers {
            // A compaction stands for everything before it: nothing older is needed.
            if server && compaction_turn_start(&hist).is_some() {
                break;
            }
            let w = self.window_over(message, &hist, ratio_of(&self.obj))?;
            if w.first_sent > 0 {
                break;
            }
            let (Some(r), Some(end)) = (refs.pop(), ends.pop()) else {
                break;
            };
            let start = end - u64::from(r.messages);
            if start >= base {
                continue;
            }
            // A damaged segment ends the window: what is older than a gap is not sent (a
            // conversation with a hole in its middle would mislead more than a shorter one).
            let Some(msgs) = self.read_segment(&r, missing_is_damage).await? else {
                break;
            };
            let lo = covers.max(start);
            let hi = base.min(end);
            let (lo_i, hi_i) = ((lo - start) as usize, (hi - start) as usize);
            let mut older = msgs[lo_i.min(msgs.len())..hi_i.min(msgs.len())].to_vec();
            older.append(&mut hist);
            hist = older;
            base = lo;
        }
        if server {
            if let Some(j) = compaction_turn_start(&hist) {
                hist.drain(..j);
                base += j as u64;
            }
        }
        Ok((base, hist))
    }

    /// Seal the turns a server-side compaction replaced (everything before the turn whose
    /// answer holds the newest compaction block): kept, never sent again. Idempotent, and any
    /// process finishes it.
    async fn seal_before_compaction(&mut self) -> anyhow::Result<usize> {
        if self.obj.spec.summarization_strategy != SummarizationStrategy::Server
            || compaction_turn_start(&self.obj.spec.context_history).unwrap_or(0)
                <= self.obj.pending_trim()
        {
            return Ok(0);
        }
        self.seal_head(&|obj: &ClaudeModelContext| {
            compaction_turn_start(&obj.spec.context_history).unwrap_or(0)
        })
        .await
    }

    /// The window for `message` over `history` (a suffix of the conversation), with
    /// calibration `ratio`.
    fn window_over(
        &self,
        message: &str,
        history: &[Message],
        ratio: f64,
    ) -> Result<Window, WindowError> {
        let spec = &self.obj.spec;
        let counts: Vec<u32> = history.iter().map(message_tokens).collect();
        window::build(&window::Input {
            system_prompt: spec.system_prompt.as_deref(),
            summary: summary_of(&self.obj),
            history,
            message_tokens: Some(&counts),
            history_size: spec.history_size,
            max_tokens: Some(prompt_budget(spec)),
            ratio,
            new_message: message,
        })
    }

    /// Remove exactly `targets` (matched by id, or by role, content and timestamp) wherever they
    /// now are in the live history, each removal `test`ed against the message it removes.
    /// `all`: every target must still be there, else nothing is removed (`Stale`);
    /// `AlreadyDone` when none of them is there any more.
    async fn remove_messages(
        &mut self,
        what: &str,
        targets: &[Message],
        scope: Scope,
    ) -> Result<Written, ClusterError> {
        let all = scope == Scope::AllLive;
        self.patch_guarded(what, Target::Spec, |obj| {
            let h = &obj.spec.context_history;
            let from = if scope == Scope::Anywhere {
                0
            } else {
                obj.covered()
            };
            let mut found = Vec::new();
            for t in targets {
                match (from..h.len())
                    .rev()
                    .find(|i| h[*i].same(t) && !found.contains(i))
                {
                    Some(i) => found.push(i),
                    None if all => {
                        return Build::Stale(
                            "that turn is no longer in the stored history as it was shown (folded into the summary, archived, or removed by another writer)".into(),
                        )
                    }
                    None => {}
                }
            }
            if found.is_empty() {
                return Build::Done;
            }
            found.sort_unstable();
            Build::Apply(removal_ops(h, &found))
        })
        .await
    }

    /// Remove the newest turn as this process last saw it (its question and everything after
    /// it), wherever that turn now is: another writer's newer turn is never taken instead.
    /// The turn is kept sealed among the removals (`restore` brings it back). Returns the
    /// question, or `None` when there is no turn.
    pub async fn undo(&mut self) -> anyhow::Result<Option<String>> {
        self.undo_as("undo", &std::collections::HashSet::new())
            .await
    }

    /// The live messages `[start, end)` of the newest turn whose question is one of `mine`
    /// (the newest turn at all when `mine` is empty): what [`Session::undo_as`] takes back.
    fn newest_turn(&self, mine: &std::collections::HashSet<String>) -> Option<(usize, usize)> {
        let live = self.obj.live_history();
        let starts = turn_starts(live);
        let start = if mine.is_empty() {
            starts.last().copied()
        } else {
            starts
                .iter()
                .rev()
                .copied()
                .find(|&i| live[i].id.as_ref().is_some_and(|id| mine.contains(id)))
        }?;
        let end = starts
            .iter()
            .copied()
            .find(|&i| i > start)
            .unwrap_or(live.len());
        Some((start, end))
    }

    /// The question of the turn `/retry` would take back, when Claude declined to answer it
    /// (asked again as it was, it would most likely be declined again).
    pub fn refused_question(&self, mine: &std::collections::HashSet<String>) -> Option<String> {
        let (start, end) = self.newest_turn(mine)?;
        let turn = &self.obj.live_history()[start..end];
        turn.iter()
            .any(|m| m.markers.contains(&Marker::Refusal))
            .then(|| turn[0].content.clone())
    }

    /// [`Session::undo`], recorded as `how` (`undo`, or `retry` when the question is asked
    /// again). When `mine` names messages (a REPL's own), the newest turn whose question is one
    /// of them is taken back, never a turn another writer stored after it.
    pub async fn undo_as(
        &mut self,
        how: &str,
        mine: &std::collections::HashSet<String>,
    ) -> anyhow::Result<Option<String>> {
        let Some((start, end)) = self.newest_turn(mine) else {
            return Ok(None);
        };
        let live = self.obj.live_history();
        let mut turn = live[start..end].to_vec();
        let from = self.obj.history_offset() + (self.obj.covered() + start) as u64;
        self.ensure_writable().await?;
        if turn.iter().any(|m| m.id.is_none()) {
            let n = self.obj.spec.context_history.len();
            let offset = self.obj.covered() + start;
            self.give_ids(n).await?;
            let h = &self.obj.spec.context_history;
            match h.get(offset..offset + turn.len()) {
                Some(now) if now.iter().zip(&turn).all(|(a, b)| a.same(b)) => turn = now.to_vec(),
                _ => anyhow::bail!("nothing was undone: the history changed meanwhile; try again"),
            }
        }
        let question = turn[0].content.clone();
        // Sealed aside first, then listed as a removal, then removed from the conversation.
        let kept = self.seal_new(&turn, true).await?;
        let removal = crate::resource::Removal {
            how: how.to_string(),
            at: Some(now()),
            by: self.author.clone(),
            turns: 1,
            from,
            segments: kept.clone(),
            summary: None,
            summary_covers: None,
        };
        let names: Vec<String> = kept.iter().map(|r| r.name.clone()).collect();
        let listed = self
            .update_status("keeping the removed turn for restore", |obj, st| {
                if obj.removed().contains(&removal) {
                    return Ok(()); // a retried write that had landed
                }
                let live = obj.live_history();
                if !turn.iter().all(|t| live.iter().any(|m| m.same(t))) {
                    return Err("that turn is no longer in the stored history as it was shown (folded into the summary, sealed, or removed by another writer)".into());
                }
                st.removed.push(removal.clone());
                Ok(())
            })
            .await?;
        if let Written::Stale(why) = listed {
            self.delete_unreferenced(names).await?;
            anyhow::bail!("nothing was undone: {why}");
        }
        if !self.obj.removed().contains(&removal) {
            self.delete_unreferenced(names).await?;
            return Err(outdated_crd());
        }
        pause_for_fault_tests("undo");
        let removed = self
            .remove_messages("removing the last turn", &turn, Scope::AllLive)
            .await?;
        if let Written::Stale(why) = removed {
            // Still in the conversation, somewhere else (sealed, folded): not a removal.
            self.update_status("forgetting a removal that did not happen", |_, st| {
                st.removed.retain(|r| *r != removal);
                Ok(())
            })
            .await?;
            self.delete_unreferenced(names).await?;
            anyhow::bail!("nothing was undone: {why}");
        }
        // Applied, or already gone (a retried write that had landed, or another writer took it
        // away first): either way the turn is out of the conversation and this removal keeps
        // it; restore never brings the same message back twice.
        self.record_turn_count().await?;
        self.drop_old_removals().await?;
        let what = if how == "retry" {
            Lifecycle::Retried
        } else {
            Lifecycle::Undone
        };
        self.events
            .emit(
                &self.obj,
                what,
                format!(
                    "{how}: the last turn (\"{}\") was moved aside; `kubectl mcp restore {}` brings it back",
                    crate::output::ellipsize(&question, 80),
                    self.session_id
                ),
            )
            .await;
        Ok(Some(question))
    }

    /// Bring back every removal kept in status (`/clear`, `/undo`, `/retry`): newest removal
    /// first, each at the position its turns had, so the conversation reads as it did (turns
    /// stored since come after them). Restored turns that begin the conversation go back as its
    /// first segments; ones that land in the live history go back into it.
    ///
    /// A removal whose turns are all still in the conversation (one in progress in another
    /// process, or interrupted) is left as it is; a message held by two removals comes back
    /// once; every write recognises its own earlier landing when retried.
    pub async fn restore(&mut self) -> anyhow::Result<Restored> {
        self.ensure_writable().await?;
        for _ in 0..5 {
            self.trim_sealed().await?;
            if self.obj.pending_trim() != 0 {
                continue;
            }
            let removals = self.obj.removed().to_vec();
            let present =
                segment::full_history_fresh(&self.cluster, &self.segments, &mut self.obj).await?;
            // The conversation as it will read: (message, index into `refs` it comes from).
            let mut merged: Vec<(Message, Option<usize>)> =
                present.iter().cloned().map(|m| (m, None)).collect();
            let mut refs: Vec<crate::resource::SegmentRef> = Vec::new();
            let mut taken: Vec<crate::resource::Removal> = Vec::new();
            let mut left = 0;
            let mut unused: Vec<String> = Vec::new();
            let mut back_ids = std::collections::HashSet::new();
            for r in removals.iter().rev() {
                let mut read = Vec::new();
                for seg in &r.segments {
                    let messages = self
                        .segments
                        .read(&self.cluster, &self.namespace, seg)
                        .await
                        .with_context(|| {
                            format!("reading removed turns from segment {}", seg.name)
                        })?;
                    read.push((seg, messages));
                }
                let all: Vec<&Message> = read.iter().flat_map(|(_, m)| m.iter()).collect();
                let stored = all
                    .iter()
                    .filter(|m| present.iter().any(|p| p.same(m)))
                    .count();
                if !all.is_empty() && stored == all.len() {
                    // Still in the conversation: a removal in progress, or interrupted.
                    left += 1;
                    continue;
                }
                if stored > 0 {
                    anyhow::bail!("a removal ({}) holds turns of which some are in the conversation again and some not; nothing was restored. `kubectl mcp export` has every stored turn, and status.removed lists the segments holding the removed ones", r.how);
                }
                let mut block = Vec::new();
                for (seg, messages) in read {
                    let again = messages
                        .iter()
                        .filter(|m| m.id.as_ref().is_some_and(|id| back_ids.contains(id)))
                        .count();
                    if again == messages.len() && again > 0 {
                        // The same turn, moved aside twice: it comes back once.
                        unused.push(seg.name.clone());
                        continue;
                    }
                    if again > 0 {
                        anyhow::bail!(
                            "segment {} overlaps another removal; nothing was restored",
                            seg.name
                        );
                    }
                    back_ids.extend(messages.iter().filter_map(|m| m.id.clone()));
                    refs.push(seg.clone());
                    block.extend(messages.iter().cloned().map(|m| (m, Some(refs.len() - 1))));
                }
                let at = (r.from as usize).min(merged.len());
                merged.splice(at..at, block);
                taken.push(r.clone());
            }
            if taken.is_empty() {
                return Ok(Restored {
                    left,
                    ..Restored::default()
                });
            }
            let restored: Vec<Message> = merged
                .iter()
                .filter(|(_, s)| s.is_some())
                .map(|(m, _)| m.clone())
                .collect();
            let restored_ids: Vec<&Message> = restored.iter().collect();
            let turns = count_turns(&restored) as u64;
            let all_taken = {
                let taken = taken.clone();
                move |obj: &ClaudeModelContext| taken.iter().all(|t| obj.removed().contains(t))
            };
            let none_taken = {
                let taken = taken.clone();
                move |obj: &ClaudeModelContext| !taken.iter().any(|t| obj.removed().contains(t))
            };
            // Where the live history starts in the merged conversation: just after the last
            // sealed message (restored turns between the two go back into the live part).
            let offset = self.obj.history_offset() as usize;
            let live_at = if offset == 0 {
                0
            } else {
                merged
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, s))| s.is_none())
                    .nth(offset - 1)
                    .map_or(merged.len(), |(i, _)| i + 1)
            };
            let prefix = merged.iter().take_while(|(_, s)| s.is_some()).count();
            let mut delete_after = unused;
            if prefix == restored.len() {
                // They begin the conversation: listed as its first segments again (the removed
                // segments as they are when they follow each other whole, else new ones).
                let mut order: Vec<usize> = Vec::new();
                for (_, s) in merged[..prefix].iter() {
                    if let Some(s) = s {
                        if order.last() != Some(s) {
                            order.push(*s);
                        }
                    }
                }
                let whole = order.len() == refs.len() && {
                    let mut sorted = order.clone();
                    sorted.sort_unstable();
                    sorted.dedup();
                    sorted.len() == order.len()
                };
                let listed: Vec<crate::resource::SegmentRef> = if whole {
                    order.iter().map(|&i| refs[i].clone()).collect()
                } else {
                    let made = self.seal_new(&restored, false).await?;
                    delete_after.extend(refs.iter().map(|r| r.name.clone()));
                    made
                };
                let sealed: Vec<String> =
                    self.obj.segments().iter().map(|s| s.name.clone()).collect();
                let messages = restored.len() as u64;
                // The summary of a cleared conversation comes back with it when the
                // conversation has none now and it counts from the start.
                let summary = taken
                    .iter()
                    .find(|r| r.summary.is_some() && r.from == 0)
                    .map(|r| (r.summary.clone(), r.summary_covers));
                let outcome = self
                    .update_status("restoring removed turns", |obj, st| {
                        if obj.segments().starts_with(&listed) && none_taken(obj) {
                            return Ok(()); // a retried write that had landed
                        }
                        if !all_taken(obj)
                            || obj.segments().iter().map(|s| &s.name).ne(sealed.iter())
                        {
                            return Err("the context changed meanwhile".into());
                        }
                        if st.summary.is_some() {
                            st.summary_covers = Some(obj.summary_covers() + messages);
                        } else if let Some((s, covers)) = &summary {
                            st.summary = s.clone();
                            st.summary_covers = *covers;
                        }
                        let mut segments = listed.clone();
                        segments.append(&mut st.segments);
                        st.segments = segments;
                        st.removed.retain(|r| !taken.contains(r));
                        st.turn_count = Some((obj.turns() as u64 + turns) as u32);
                        Ok(())
                    })
                    .await?;
                if let Written::Stale(why) = outcome {
                    tracing::debug!("restoring again: {why}");
                    if !whole {
                        let names: Vec<String> = listed.iter().map(|r| r.name.clone()).collect();
                        self.delete_unreferenced(names).await?;
                    }
                    self.reload().await?;
                    continue;
                }
            } else if merged[..live_at].iter().all(|(_, s)| s.is_none()) {
                // They land in the live history: put back there, at their places (the live
                // history is merged[live_at..], no seal pending).
                let live_now = self.obj.spec.context_history.clone();
                let adds: Vec<(usize, Message)> = merged[live_at..]
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, s))| s.is_some())
                    .map(|(j, (m, _))| (j, m.clone()))
                    .collect();
                let outcome = self
                    .patch_guarded("restoring removed turns", Target::Spec, |obj| {
                        let h = &obj.spec.context_history;
                        if restored_ids.iter().any(|m| h.iter().any(|x| x.same(m))) {
                            return Build::Done; // a retried write that had landed
                        }
                        if !all_taken(obj)
                            || obj.pending_trim() != 0
                            || h.len() < live_now.len()
                            || !h.iter().zip(&live_now).all(|(a, b)| a.same(b))
                        {
                            return Build::Stale("the context changed meanwhile".into());
                        }
                        // In ascending final positions: each add lands where it belongs.
                        Build::Apply(
                            adds.iter()
                                .map(|(i, m)| json!({"op": "add", "path": format!("/spec/contextHistory/{i}"), "value": m}))
                                .collect(),
                        )
                    })
                    .await?;
                if let Written::Stale(why) = outcome {
                    tracing::debug!("restoring again: {why}");
                    self.reload().await?;
                    continue;
                }
                self.update_status("recording the restored turns", |obj, st| {
                    st.removed.retain(|r| !taken.contains(r));
                    st.turn_count = Some(obj.turns() as u32);
                    Ok(())
                })
                .await?;
                delete_after.extend(refs.iter().map(|r| r.name.clone()));
            } else {
                anyhow::bail!("the removed turns would go back between turns already sealed into history segments, which restore does not do; `kubectl mcp export` has every stored turn, and status.removed lists the segments holding the removed ones");
            }
            self.delete_unreferenced(delete_after).await?;
            let done = Restored {
                turns,
                removals: taken.len(),
                left,
            };
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::Restored,
                    format!(
                        "{turns} removed turns brought back from {} removal(s)",
                        done.removals
                    ),
                )
                .await;
            return Ok(done);
        }
        anyhow::bail!("other writers kept changing this context while it was being restored; run restore again")
    }

    async fn record_turn_count(&mut self) -> Result<(), ClusterError> {
        self.update_status("recording the turn count", |obj, st| {
            st.turn_count = Some(obj.turns() as u32);
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Mark the context `Expired` for `reason`, provided `still_due` holds for the object the
    /// write applies to: a context that had a turn since `expire` scanned it is left alone.
    pub async fn mark_expired(
        &mut self,
        reason: &str,
        still_due: impl Fn(&ClaudeModelContext) -> bool,
    ) -> Result<Written, ClusterError> {
        let written = self
            .update_status("marking the context Expired", |obj, st| {
                if !still_due(obj) {
                    return Err("it was active after the scan".into());
                }
                st.current_state = Some(ContextState::Expired);
                st.message = Some(reason.to_string());
                Ok(())
            })
            .await?;
        if written == Written::Applied {
            self.events
                .emit(&self.obj, Lifecycle::Expired, reason.to_string())
                .await;
        }
        Ok(written)
    }

    /// Delete the context, provided it is still the object this process read (a
    /// resourceVersion precondition): one that took a turn since is left alone.
    pub async fn delete_if_unchanged(&mut self) -> Result<Written, ClusterError> {
        let params = kube::api::DeleteParams {
            preconditions: Some(kube::api::Preconditions {
                resource_version: self.obj.metadata.resource_version.clone(),
                uid: self.obj.metadata.uid.clone(),
            }),
            ..Default::default()
        };
        match self.api.delete(&self.name, &params).await {
            Ok(_) => {
                // Their owner reference lets a garbage collector delete the segments too; doing
                // it here covers clusters without one.
                if let Some(uid) = self.obj.metadata.uid.as_deref() {
                    let gone = async {
                        let names = segment::list_for(&self.cluster, &self.namespace, uid).await?;
                        segment::delete(&self.cluster, &self.namespace, &names).await
                    };
                    if let Err(e) = gone.await {
                        tracing::warn!(
                            "the history segments of {} were not deleted: {e}",
                            self.name
                        );
                    }
                }
                Ok(Written::Applied)
            }
            Err(e) => match self.cluster.error(e, &self.op("delete")) {
                ClusterError::Conflict { .. } => {
                    Ok(Written::Stale("it changed after the scan".into()))
                }
                other => Err(other),
            },
        }
    }

    /// Make an expired context usable again: clear `spec.expirationTime` and set `Active`.
    pub async fn revive(&mut self) -> Result<(), ClusterError> {
        self.patch_guarded("clearing the expiration time", Target::Spec, |obj| {
            if obj.spec.expiration_time.is_none() {
                Build::Done
            } else {
                Build::Apply(vec![
                    json!({"op": "remove", "path": "/spec/expirationTime"}),
                ])
            }
        })
        .await?;
        self.update_status("reviving the context", |_, st| {
            st.current_state = Some(ContextState::Active);
            st.message = Some("revived".into());
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Record what an import brought besides the live history: the summary and how far it
    /// reaches, and the segments holding the older turns.
    pub async fn record_import(
        &mut self,
        summary: Option<String>,
        summary_covers: Option<u64>,
        segments: Vec<crate::resource::SegmentRef>,
    ) -> Result<(), ClusterError> {
        self.update_status(
            "recording the imported summary and sealed turns",
            |obj, st| {
                if let Some(s) = &summary {
                    st.summary = Some(s.clone());
                    // Exports of older versions left the summarized turns out: it covers
                    // none of those that came with it.
                    st.summary_covers = Some(summary_covers.unwrap_or(0));
                }
                st.segments = segments.clone();
                let sealed: u64 = segments.iter().map(|s| s.turns).sum();
                st.turn_count =
                    Some((count_turns(&obj.spec.context_history) as u64 + sealed) as u32);
                Ok(())
            },
        )
        .await?;
        Ok(())
    }

    /// Set or clear `spec.systemPrompt`.
    pub async fn set_system_prompt(&mut self, prompt: Option<&str>) -> anyhow::Result<()> {
        let written = self
            .patch_guarded("setting the system prompt", Target::Spec, |obj| {
                if obj.spec.system_prompt.as_deref() == prompt {
                    return Build::Done;
                }
                Build::Apply(vec![match prompt {
                    Some(p) => json!({"op": "add", "path": "/spec/systemPrompt", "value": p}),
                    None => json!({"op": "remove", "path": "/spec/systemPrompt"}),
                }])
            })
            .await?;
        if written == Written::Applied {
            let note = match prompt {
                Some(p) => format!("system prompt set ({} characters)", p.chars().count()),
                None => "system prompt removed".into(),
            };
            self.events
                .emit(&self.obj, Lifecycle::SystemPromptChanged, note)
                .await;
        }
        Ok(())
    }

    /// Apply the settings `t` gives to the context (those it leaves unset stay as they are),
    /// as one guarded patch. Returns the fields that changed, by their spec names.
    pub async fn apply_settings(&mut self, t: &ContextTemplate) -> anyhow::Result<Vec<String>> {
        let system = match (&t.system, &t.system_file) {
            (Some(text), _) => Some(text.clone()),
            (None, Some(path)) => Some(read_text(path)?),
            (None, None) => None,
        };
        let expiration = expiration_of(t, now())?;
        // The spec fields that differ once `t` is applied, by their names in the object.
        let wanted = |obj: &ClaudeModelContext| {
            let after = with_settings(&obj.spec, t, system.as_deref(), expiration);
            let mut changed: Vec<(String, serde_json::Value)> = obj
                .spec
                .differences(&after)
                .into_iter()
                .map(|(k, _, v)| (k, v))
                .collect();
            // In the order of the spec (and of `create --help`), not alphabetical.
            let rank = |k: &str| {
                SETTINGS_ORDER
                    .iter()
                    .position(|f| *f == k)
                    .unwrap_or(usize::MAX)
            };
            changed.sort_by_key(|(k, _)| rank(k));
            changed
        };
        let labels_wanted = |obj: &ClaudeModelContext| {
            let mut labels = obj.metadata.labels.clone().unwrap_or_default();
            let before = labels.clone();
            for (k, v) in &t.labels {
                labels.insert(k.clone(), v.clone());
            }
            (labels != before).then_some(labels)
        };
        check_limits(&with_settings(
            &self.obj.spec,
            t,
            system.as_deref(),
            expiration,
        ))?;
        let mut changed: Vec<String> = wanted(&self.obj).into_iter().map(|(f, _)| f).collect();
        if labels_wanted(&self.obj).is_some() {
            changed.push("labels".into());
        }
        let written = self
            .patch_guarded("changing the settings", Target::Spec, |obj| {
                let mut ops: Vec<serde_json::Value> = wanted(obj)
                    .into_iter()
                    .map(|(f, v)| json!({"op": "add", "path": format!("/spec/{f}"), "value": v}))
                    .collect();
                if let Some(labels) = labels_wanted(obj) {
                    ops.push(json!({"op": "add", "path": "/metadata/labels", "value": labels}));
                }
                if ops.is_empty() {
                    Build::Done
                } else {
                    Build::Apply(ops)
                }
            })
            .await?;
        if written == Written::Applied {
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::SettingsChanged,
                    format!("changed {}", changed.join(", ")),
                )
                .await;
        }
        Ok(changed)
    }

    /// Set `spec.modelName`.
    pub async fn set_model(&mut self, model: &str) -> anyhow::Result<()> {
        let before = self.obj.spec.model_name.clone();
        let written = self
            .patch_guarded("setting the model", Target::Spec, |obj| {
                if obj.spec.model_name == model {
                    return Build::Done;
                }
                Build::Apply(vec![
                    json!({"op": "replace", "path": "/spec/modelName", "value": model}),
                ])
            })
            .await?;
        if written == Written::Applied {
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::ModelChanged,
                    format!("model {before} → {model}"),
                )
                .await;
        }
        Ok(())
    }

    /// Take the whole conversation as this process last saw it out of the context (turns other
    /// writers added since stay), with the summary, keeping it sealed among the removals so
    /// that [`Session::restore`] can bring it back. Returns the turns taken out.
    ///
    /// The removal is recorded first, alone (a cluster whose CRD predates removals drops the
    /// field, and then nothing else changes); then the conversation's segment list and summary
    /// are emptied; then the live messages are removed. A crash in between leaves turns both
    /// in the conversation and among the removals: `restore` leaves such a removal alone, and
    /// no segment the conversation lists is ever deleted.
    pub async fn clear(&mut self) -> anyhow::Result<u64> {
        self.ensure_writable().await?;
        // A seal or merge by another process between reading and writing moves cleared turns
        // into a segment this run did not see: then clear again from the fresh object.
        for _ in 0..5 {
            self.migrate_archives().await?;
            self.trim_sealed().await?;
            if self.obj.pending_trim() != 0 {
                continue;
            }
            if self.obj.spec.context_history.iter().any(|m| m.id.is_none()) {
                let n = self.obj.spec.context_history.len();
                self.give_ids(n).await?;
                continue;
            }
            let seen = self.obj.spec.context_history.clone();
            let sealed = self.obj.segments().to_vec();
            let turns = self.obj.turns() as u64;
            let summary = self.obj.status.as_ref().and_then(|s| s.summary.clone());
            if seen.is_empty() && sealed.is_empty() && summary.is_none() {
                return Ok(0);
            }
            let tail = self.seal_new(&seen, true).await?;
            let names: Vec<String> = tail.iter().map(|r| r.name.clone()).collect();
            let removal = crate::resource::Removal {
                how: "clear".into(),
                at: Some(now()),
                by: self.author.clone(),
                turns,
                from: 0,
                segments: sealed.iter().chain(tail.iter()).cloned().collect(),
                summary_covers: summary.as_ref().map(|_| self.obj.summary_covers()),
                summary,
            };
            let unchanged = |obj: &ClaudeModelContext| {
                let h = &obj.spec.context_history;
                obj.pending_trim() == 0
                    && obj.segments() == sealed.as_slice()
                    && h.len() >= seen.len()
                    && h.iter().zip(&seen).all(|(a, b)| a.same(b))
            };
            let listed = self
                .update_status("keeping the conversation for restore", |obj, st| {
                    if obj.removed().contains(&removal) {
                        return Ok(()); // a retried write that had landed
                    }
                    if !unchanged(obj) {
                        return Err("another writer sealed or changed these turns meanwhile".into());
                    }
                    st.removed.push(removal.clone());
                    Ok(())
                })
                .await?;
            if let Written::Stale(why) = listed {
                tracing::debug!("clearing again: {why}");
                self.delete_unreferenced(names).await?;
                continue;
            }
            if !self.obj.removed().contains(&removal) {
                self.delete_unreferenced(names).await?;
                return Err(outdated_crd());
            }
            pause_for_fault_tests("clear");
            let outcome = self
                .update_status("moving the conversation aside", |obj, st| {
                    let h = &obj.spec.context_history;
                    if !obj.removed().contains(&removal) {
                        return Err("the removal is gone".into());
                    }
                    let done = st.segments.is_empty()
                        && st.summary.is_none()
                        && h.len() >= seen.len()
                        && h.iter().zip(&seen).all(|(a, b)| a.same(b));
                    if done {
                        return Ok(()); // a retried write that had landed
                    }
                    if !unchanged(obj) {
                        return Err("another writer sealed or changed these turns meanwhile".into());
                    }
                    st.summary = None;
                    st.summary_covers = None;
                    st.segments.clear();
                    st.turn_count = Some(count_turns(&h[seen.len()..]) as u32);
                    st.token_count = Some(0);
                    Ok(())
                })
                .await?;
            if let Written::Stale(why) = outcome {
                // Nothing was cleared: the removal listed above is forgotten again.
                tracing::debug!("clearing again: {why}");
                self.update_status("forgetting a removal that did not happen", |_, st| {
                    st.removed.retain(|r| *r != removal);
                    Ok(())
                })
                .await?;
                self.delete_unreferenced(names).await?;
                continue;
            }
            self.drop_old_removals().await?;
            self.remove_messages("clearing the history", &seen, Scope::Anywhere)
                .await?;
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::Cleared,
                    format!(
                        "{turns} turns moved aside (`kubectl mcp restore {}` brings them back)",
                        self.session_id
                    ),
                )
                .await;
            return Ok(turns);
        }
        anyhow::bail!(
            "other writers kept sealing this context while it was being cleared; run /clear again"
        )
    }

    /// Seal `messages` into new segments numbered after every listed one (`aside`: turns moved
    /// out of the conversation, under their own name), not yet listed anywhere.
    async fn seal_new(
        &self,
        messages: &[Message],
        aside: bool,
    ) -> anyhow::Result<Vec<crate::resource::SegmentRef>> {
        Ok(segment::create_from(
            &self.cluster,
            &self.namespace,
            &self.name,
            self.obj
                .controller_owner_ref(&())
                .context("the context has no uid")?,
            self.obj.next_sequence(),
            messages,
            aside,
        )
        .await?)
    }

    /// Delete the segments `names` that neither the conversation nor any removal lists (as the
    /// context is now): a segment something still lists is never deleted.
    async fn delete_unreferenced(&mut self, names: Vec<String>) -> anyhow::Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        self.reload().await?;
        let listed: std::collections::HashSet<&str> = self
            .obj
            .segments()
            .iter()
            .chain(self.obj.removed().iter().flat_map(|r| r.segments.iter()))
            .map(|s| s.name.as_str())
            .collect();
        let gone: Vec<String> = names
            .into_iter()
            .filter(|n| !listed.contains(n.as_str()))
            .collect();
        segment::delete(&self.cluster, &self.namespace, &gone)
            .await
            .context("segments no longer needed could not be deleted (nothing is lost: they are unlisted copies)")?;
        Ok(())
    }

    /// Keep at most [`MAX_REMOVALS`] removals: drop the oldest from status, then delete their
    /// segments. Returns the names deleted.
    async fn drop_old_removals(&mut self) -> anyhow::Result<Vec<String>> {
        let excess = self.obj.removed().len().saturating_sub(MAX_REMOVALS);
        if excess == 0 {
            return Ok(Vec::new());
        }
        let gone: Vec<crate::resource::Removal> = self.obj.removed()[..excess].to_vec();
        let outcome = self
            .update_status("forgetting the oldest removed turns", |obj, st| {
                if !obj.removed().starts_with(&gone) {
                    return Err("the removals changed".into());
                }
                st.removed.drain(..gone.len());
                Ok(())
            })
            .await?;
        if outcome != Written::Applied {
            return Ok(Vec::new());
        }
        let names: Vec<String> = gone
            .iter()
            .flat_map(|r| r.segments.iter().map(|s| s.name.clone()))
            .collect();
        self.delete_unreferenced(names.clone()).await?;
        Ok(names)
    }

    /// Everything before a call for `message`: finish an interrupted fold, check that the turn
    /// can be stored at all (its exact size, before anything is paid for), make room in the
    /// object, fold what leaves the window when the strategy says so, then build the window
    /// and the request. Warnings for the user come back in `notes` (this module prints nothing).
    pub async fn prepare(
        &mut self,
        client: &ClaudeClient,
        message: &str,
    ) -> anyhow::Result<Prepared> {
        let mut notes = Vec::new();
        // One measurement of the object serves the turn's size check and making room.
        let stored = self.stored_size();
        let incoming = turn_room(&self.obj, message, stored)?;
        self.ensure_writable().await?;
        // What an earlier fold left to seal is finished here, but a failure to (a segment the
        // cluster refuses, a slow apiserver) never stops a turn: the next one tries again.
        if let Err(e) = self.finish_fold().await {
            notes.push(Note::NotSealed(format!("{e:#}")));
        }
        self.make_room_sized(incoming, stored, OBJECT_SIZE_LIMIT)
            .await?;
        if let Err(e) = self.seal_before_compaction().await {
            notes.push(Note::NotSealed(format!("{e:#}")));
        }
        let (mut base, mut history) = self.window_history_fresh(message).await?;
        let mut window = self.window_over(message, &history, self.ratio())?;
        notes.extend(self.take_damage().into_iter().map(Note::SegmentLeftOut));
        let strategy = self.obj.spec.summarization_strategy;
        let through = base
            + match strategy {
                // The server compacts; nothing is folded here.
                SummarizationStrategy::Truncate | SummarizationStrategy::Server => 0,
                SummarizationStrategy::SummarizeOldest => window.first_sent,
                SummarizationStrategy::Hybrid => window.left_by_history.end,
            } as u64;
        let folds = !matches!(
            strategy,
            SummarizationStrategy::Truncate | SummarizationStrategy::Server
        );
        if folds && through > self.obj.summary_covers() {
            match self.fold(client, through).await {
                Ok(done) => {
                    tracing::info!(
                        messages = done.messages,
                        "folded the oldest turns into the summary"
                    );
                }
                Err(e) => notes.push(Note::SummaryFailed(format!("{e:#}"))),
            }
            (base, history) = self.window_history_fresh(message).await?;
            window = self.window_over(message, &history, self.ratio())?;
            notes.extend(self.take_damage().into_iter().map(Note::SegmentLeftOut));
        }
        tracing::debug!(from = base, messages = history.len(), "windowed");
        let mut request = self.request_for(&window);
        // Near the budget the estimate is not good enough: ask the API for the exact count and,
        // if the window is in fact over, rebuild it with the measured ratio.
        if let Some(budget) = self.obj.spec.max_tokens.map(u64::from) {
            if tokens::needs_exact_count(window.estimated_tokens, budget) {
                match client.count_tokens(&request).await {
                    Ok(exact) if exact > budget => {
                        let ratio = exact as f64 / window.raw_estimated_tokens.max(1) as f64;
                        tracing::info!(
                            exact,
                            budget,
                            ratio,
                            "the exact count is over the budget; windowing again"
                        );
                        window = self.window_over(message, &history, ratio)?;
                        request = self.request_for(&window);
                    }
                    Ok(exact) => tracing::debug!(exact, budget, "the exact count fits the budget"),
                    // Compatible servers often lack count_tokens; the estimate stands.
                    Err(e) => {
                        tracing::debug!(error = %e, "count_tokens unavailable; keeping the estimate")
                    }
                }
            }
        }
        Ok(Prepared {
            window,
            request,
            notes,
        })
    }

    /// Stored bytes a turn for `message` may take: the question exactly, plus the largest
    /// answer the tool will keep for this context's answer cap. Refuses (before anything is
    /// sent or paid for) a message that could never be stored.
    pub fn turn_room(&self, message: &str) -> anyhow::Result<usize> {
        turn_room(&self.obj, message, self.stored_size())
    }

    /// The object's size as stored (Go's JSON encoding, as etcd keeps it), in bytes.
    pub fn stored_size(&self) -> usize {
        size::stored_len(&self.obj)
    }

    /// Keep the live object within its byte budget ([`live_budget`]) once `incoming` more
    /// bytes are stored: seal the oldest whole turns into history segments until it is at an
    /// eighth of the budget (so that sealing happens once per many turns, in segments of most
    /// of a budget each).
    pub async fn make_room(&mut self, incoming: usize) -> anyhow::Result<()> {
        let stored = self.stored_size();
        self.make_room_sized(incoming, stored, live_budget()).await
    }

    /// [`Session::make_room`] for an object whose stored size the caller just measured,
    /// sealing once it would pass `limit`: the budget for a turn's exact size, or the object's
    /// hard limit for the most a turn may take (before a call, so an answer always fits).
    async fn make_room_sized(
        &mut self,
        incoming: usize,
        stored: usize,
        limit: usize,
    ) -> anyhow::Result<()> {
        if stored + incoming <= limit {
            return Ok(());
        }
        let cut = |obj: &ClaudeModelContext| room_cut(obj, incoming, limit);
        if cut(&self.obj) == 0 {
            return Ok(());
        }
        let moved = self.seal_head(&cut).await?;
        tracing::info!(moved, "sealed the oldest turns into history segments");
        Ok(())
    }

    fn request_for(&self, window: &Window) -> MessagesRequest {
        let spec = &self.obj.spec;
        let mut request = MessagesRequest::from_window(
            &spec.model_name,
            spec.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS),
            window,
            true,
        );
        if spec.summarization_strategy == SummarizationStrategy::Server {
            request = request.with_compaction(compaction_trigger(spec));
        }
        if spec.cache_ttl == Some(crate::resource::CacheTtl::OneHour) {
            request.with_one_hour_cache()
        } else {
            request
        }
    }

    /// Everything after a successful call: store the turn (in the local journal when the cluster
    /// cannot take it: unreachable, or other writers kept it busy past the write budget), then
    /// status. A status failure is a note, not an error: the turn is safe.
    pub async fn complete(
        &mut self,
        journal: &Journal,
        message: &str,
        reply: &Reply,
        window: &Window,
    ) -> anyhow::Result<Completed> {
        let held = self.hold(journal, message, reply)?;
        self.store_held(journal, held, reply, window).await
    }

    /// The first half of [`Session::complete`], for a caller that shows the end of the answer
    /// only once the turn is safe: records the turn on disk (write-ahead), so a process killed
    /// from here until it is stored loses nothing (the next run writes it back).
    pub fn hold(&self, journal: &Journal, message: &str, reply: &Reply) -> anyhow::Result<Held> {
        let mut turn = Self::turn_messages(message, reply);
        turn[0].author = self.author.clone();
        let entry = self.journal_entry(&turn);
        let inflight = journal.begin(&entry)?;
        Ok(Held {
            turn,
            entry,
            inflight,
        })
    }

    /// The second half of [`Session::complete`]: store a held turn, or journal it.
    pub async fn store_held(
        &mut self,
        journal: &Journal,
        held: Held,
        reply: &Reply,
        window: &Window,
    ) -> anyhow::Result<Completed> {
        let mut notes = Vec::new();
        if reply.was_cut() {
            notes.push(Note::AnswerCut {
                stop_reason: reply.stop_reason.clone().unwrap_or_else(|| "-".into()),
            });
        }
        if reply.stop_reason.as_deref() == Some("refusal") {
            notes.push(Note::Refused);
        }
        let Held {
            turn,
            entry,
            inflight,
        } = held;
        // Older turns still in the journal go first: a turn is never stored before one that
        // was asked earlier. When they cannot be written back yet, this one joins them.
        let stored = match self.write_back(journal).await {
            Ok(n) => {
                if n > 0 {
                    notes.push(Note::WroteBack(n));
                }
                self.store_turn(&turn, &mut notes).await
            }
            Err(e) => Err(e),
        };
        match stored {
            Ok(()) => inflight.done()?,
            Err(e) if keep_in_journal(&e) => {
                let path = journal.append(&entry)?;
                inflight.done()?;
                return Ok(Completed {
                    notes,
                    journalled: Some((path, e)),
                    turn,
                });
            }
            Err(e) => {
                let path = journal.keep_refused(&entry)?;
                inflight.done()?;
                return Err(e).with_context(|| {
                    format!(
                        "the answer was shown but the cluster refused to store it in context \"{}\"; the turn was saved to {}",
                        self.session_id,
                        path.display()
                    )
                });
            }
        }
        if let Err(e) = self.record_success(window, reply).await {
            notes.push(Note::StatusNotUpdated(e.to_string()));
        }
        if !reply.blocks.is_empty() {
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::CompactedByServer,
                    format!(
                        "the API compacted the conversation; the {} earlier messages stay stored, sealed, and are no longer sent",
                        compaction_turn_start(&self.obj.spec.context_history).unwrap_or(0)
                            + self.obj.sealed_messages() as usize
                    ),
                )
                .await;
            if let Err(e) = self.seal_before_compaction().await {
                notes.push(Note::NotSealed(format!("{e:#}")));
            }
        }
        Ok(Completed {
            notes,
            journalled: None,
            turn,
        })
    }

    /// Write back this context's journalled turns, if there are any (a cheap file check when
    /// there are none). A failure is a [`ClusterError`], so a caller can journal behind them.
    pub async fn write_back(&mut self, journal: &Journal) -> Result<usize, ClusterError> {
        if self.journalled(journal).is_empty() {
            return Ok(0);
        }
        // Decided on the object as it is now: a turn whose write had landed may have been
        // sealed since this process last looked.
        self.reload().await?;
        self.replay_journal(journal)
            .await
            .map_err(|e| match e.downcast::<ClusterError>() {
                Ok(e) => e,
                Err(e) => ClusterError::Unreachable {
                    server: self.cluster.server().to_string(),
                    cause: format!("{e:#}"),
                },
            })
    }

    /// Append `turn`, first making room for its exact size (other writers may have grown the
    /// object since [`Session::prepare`] reserved room).
    async fn store_turn(
        &mut self,
        turn: &[Message; 2],
        notes: &mut Vec<Note>,
    ) -> Result<(), ClusterError> {
        let incoming = size::stored_len(turn) + APPEND_OVERHEAD;
        for _ in 0..3 {
            if let Err(e) = self.make_room(incoming).await {
                notes.push(Note::NotSealed(format!("{e:#}")));
            }
            match self.append_turn(turn).await {
                Err(e) if too_large(&e) => {
                    tracing::info!(
                        "the object grew past the size limit meanwhile; making room again"
                    );
                    self.reload().await?;
                }
                other => return other,
            }
        }
        self.append_turn(turn).await
    }

    /// Record a successful call in status: `Active`, activity time, measured tokens, usage, the
    /// learnt estimate ratio.
    pub async fn record_success(
        &mut self,
        window: &Window,
        reply: &Reply,
    ) -> Result<(), ClusterError> {
        let usage = &reply.usage;
        let model = self.answering_model(reply);
        let one_hour = self.obj.spec.cache_ttl == Some(crate::resource::CacheTtl::OneHour);
        self.spent.add(
            &model,
            &reply.id,
            &TokenUsage {
                input_tokens: usage.input_tokens,
                output_tokens: usage.output_tokens,
                cache_creation_input_tokens: usage.cache_creation_input_tokens,
                cache_read_input_tokens: usage.cache_read_input_tokens,
            },
            false,
            one_hour,
        );
        let last = TokenUsage {
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens,
            cache_read_input_tokens: usage.cache_read_input_tokens,
        };
        let at = now();
        self.update_status("recording the turn", |obj, st| {
            st.current_state = Some(ContextState::Active);
            st.last_activity_time = Some(at);
            st.token_count = Some(usage.total_input() + usage.output_tokens);
            st.turn_count = Some(obj.turns() as u32);
            st.message = None;
            st.last_usage = Some(last);
            st.usage
                .get_or_insert_with(Default::default)
                .add(&model, &reply.id, &last, false, one_hour);
            // A continued answer (pause_turn) sums several requests' input, and a compacted
            // one was answered from the compaction, not this window: no measure of it.
            if reply.continuations == 0 && reply.compaction.is_none() {
                st.estimate_ratio = Some(tokens::calibrate(
                    obj.status.as_ref().and_then(|s| s.estimate_ratio),
                    window.raw_estimated_tokens,
                    usage.total_input(),
                ));
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// The model to count a call under: the one that answered (else the one asked for), by
    /// its alias when the price table knows it, so that `claude-sonnet-4-5` and its dated ID
    /// are one line of a bill.
    fn answering_model(&self, reply: &Reply) -> String {
        let answered = if reply.model.is_empty() {
            &self.obj.spec.model_name
        } else {
            &reply.model
        };
        crate::models::lookup(answered).map_or_else(|| answered.clone(), |m| m.id.to_string())
    }

    /// Count a call in status that stores no turn: a summarizing call (paid for whether or not
    /// its summary is kept, `summary`), or an answer that could not be kept.
    pub async fn record_call_usage(&mut self, reply: &Reply, summary: bool) {
        let model = self.answering_model(reply);
        let usage = TokenUsage {
            input_tokens: reply.usage.input_tokens,
            output_tokens: reply.usage.output_tokens,
            cache_creation_input_tokens: reply.usage.cache_creation_input_tokens,
            cache_read_input_tokens: reply.usage.cache_read_input_tokens,
        };
        self.spent.add(&model, &reply.id, &usage, summary, false);
        let written = self
            .update_status("counting a summarizing call", |_, st| {
                st.usage
                    .get_or_insert_with(Default::default)
                    .add(&model, &reply.id, &usage, summary, false);
                Ok(())
            })
            .await;
        if let Err(e) = written {
            tracing::warn!("the usage of a call was not recorded: {e}");
        }
    }

    /// Record a failed call: `Error` with the message; the history is not touched.
    pub async fn record_error(&mut self, message: &str) -> Result<(), ClusterError> {
        let was_error = self.obj.state() == ContextState::Error;
        self.update_status("recording the error", |_, st| {
            st.current_state = Some(ContextState::Error);
            st.message = Some(message.to_string());
            Ok(())
        })
        .await?;
        if !was_error {
            let first = message.lines().next().unwrap_or(message).to_string();
            self.events.emit(&self.obj, Lifecycle::Error, first).await;
        }
        Ok(())
    }
}

/// The settings of a spec in their declaration order, for messages.
const SETTINGS_ORDER: &[&str] = &[
    "modelName",
    "systemPrompt",
    "maxTokens",
    "maxOutputTokens",
    "historySize",
    "summarizationStrategy",
    "expirationTime",
    "idleTTL",
    "cacheTTL",
    "redaction",
];

/// `spec` with the settings `t` gives (the system prompt and expiration already resolved):
/// what [`Session::apply_settings`] writes, and what messages are checked against before.
fn with_settings(
    spec: &ClaudeModelContextSpec,
    t: &ContextTemplate,
    system: Option<&str>,
    expiration: Option<Timestamp>,
) -> ClaudeModelContextSpec {
    let mut s = spec.clone();
    if let Some(m) = &t.model {
        s.model_name = m.clone();
    }
    if let Some(p) = system {
        s.system_prompt = Some(p.to_string());
    }
    if let Some(n) = t.max_tokens {
        s.max_tokens = Some(n);
    }
    if let Some(n) = t.max_output_tokens {
        s.max_output_tokens = Some(n);
    }
    if let Some(n) = t.history_size {
        s.history_size = Some(n);
    }
    if let Some(st) = t.strategy {
        s.summarization_strategy = st;
    }
    if let Some(e) = expiration {
        s.expiration_time = Some(e);
    }
    if let Some(ttl) = &t.idle_ttl {
        s.idle_ttl = Some(ttl.clone());
    }
    if let Some(ttl) = t.cache_ttl {
        s.cache_ttl = Some(ttl);
    }
    if let Some(on) = t.redaction {
        s.redaction = Some(crate::resource::Redaction {
            enabled: on,
            ..s.redaction.clone().unwrap_or_default()
        });
    }
    s
}

/// The cluster dropped `status.removed`: its CRD is older than this tool.
fn outdated_crd() -> anyhow::Error {
    anyhow::anyhow!("nothing was removed: the cluster's ClaudeModelContext CRD is older than this tool and does not keep removed turns for `restore`; upgrade it with `kubectl mcp install`")
}

/// The object `create` would send: validates the session ID and settings, derives the name.
pub fn new_context(
    session: &str,
    settings: &ContextTemplate,
    namespace: &str,
    now: Timestamp,
) -> anyhow::Result<ClaudeModelContext> {
    let name = naming::name_for_session(session).map_err(|e| UsageError(e.to_string()))?;
    // Flags first, then $KUBECTL_MCP_*, then the configuration file.
    let defaults = crate::config::defaults()?;
    let model = match settings
        .model
        .clone()
        .or(defaults.model.map(|(m, _)| m))
        .map(|m| m.trim().to_string())
    {
        Some(m) if !m.is_empty() => m,
        _ => {
            return Err(UsageError(format!(
                "a new context needs a model: pass --model (e.g. --model claude-sonnet-4-5), set KUBECTL_MCP_MODEL, or put `model:` in the configuration file (session \"{session}\")"
            ))
            .into())
        }
    };
    let system_prompt = match (&settings.system, &settings.system_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => Some(read_text(path)?),
        (None, None) => None,
    };
    let expiration_time = expiration_of(settings, now)?;
    let labels: BTreeMap<String, String> = settings.labels.iter().cloned().collect();
    let mut obj = ClaudeModelContext::new(
        &name,
        ClaudeModelContextSpec {
            model_name: model,
            session_id: session.to_string(),
            max_tokens: settings.max_tokens.or(defaults.max_tokens.map(|(n, _)| n)),
            max_output_tokens: settings
                .max_output_tokens
                .or(defaults.max_output_tokens.map(|(n, _)| n)),
            history_size: settings.history_size,
            context_history: Vec::new(),
            system_prompt,
            summarization_strategy: settings
                .strategy
                .or(defaults.strategy.map(|(s, _)| s))
                .unwrap_or_default(),
            expiration_time,
            idle_ttl: settings.idle_ttl.clone(),
            cache_ttl: settings.cache_ttl,
            redaction: settings
                .redaction
                .map(|enabled| crate::resource::Redaction {
                    enabled,
                    ..Default::default()
                }),
        },
    );
    check_limits(&obj.spec)?;
    obj.metadata = ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_string()),
        labels: (!labels.is_empty()).then_some(labels),
        ..Default::default()
    };
    Ok(obj)
}

/// Refuse settings the model cannot take, when the tool's table knows the model: an answer cap
/// over its largest `max_tokens`, or a prompt budget past its context window. The API would
/// refuse the request after the context was made; saying so first names the limit.
pub fn check_limits(spec: &ClaudeModelContextSpec) -> Result<(), UsageError> {
    check_server_strategy(spec)?;
    let Some(info) = crate::models::limits(&spec.model_name) else {
        return Ok(());
    };
    let answer = spec.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS);
    if answer > info.max_output {
        return Err(UsageError(format!(
            "maxOutputTokens {answer} is more than {} answers with ({} tokens at most): lower it (`--max-output-tokens {}`, or `kubectl mcp set SESSION --max-output-tokens {}` for an existing context)",
            spec.model_name, info.max_output, info.max_output, info.max_output
        )));
    }
    if let Some(budget) = spec.max_tokens {
        let room = info.context_window.saturating_sub(answer);
        if budget > room {
            return Err(UsageError(format!(
                "maxTokens {budget} and an answer cap of {answer} do not fit {}'s {}-token context window: use at most --max-tokens {room}",
                spec.model_name, info.context_window
            )));
        }
    }
    Ok(())
}

/// `summarizationStrategy: server` needs a model that takes the compaction edit, a trigger the
/// API accepts, and no `historySize` (the server compacts by tokens; a turn limit would drop
/// the compaction the conversation now rests on).
fn check_server_strategy(spec: &ClaudeModelContextSpec) -> Result<(), UsageError> {
    if spec.summarization_strategy != SummarizationStrategy::Server {
        return Ok(());
    }
    let model = &spec.model_name;
    let capable: Vec<&str> = crate::models::MODELS
        .iter()
        .filter(|m| m.compaction)
        .map(|m| m.id)
        .collect();
    match crate::models::limits(model).and_then(|l| l.compaction) {
        Some(true) => {}
        Some(false) => {
            return Err(UsageError(format!(
                "{model} does not support server-side compaction (summarizationStrategy server); use a model that does ({}), or --strategy summarize_oldest or hybrid, which summarize on this side",
                capable.join(", ")
            )))
        }
        None => {
            return Err(UsageError(format!(
                "{model} is not known to support server-side compaction (summarizationStrategy server); use a model that does ({}), or --strategy summarize_oldest or hybrid",
                capable.join(", ")
            )))
        }
    }
    if spec.history_size.is_some() {
        return Err(UsageError("historySize does not apply with summarizationStrategy server: the server compacts by tokens (set the trigger with --max-tokens N, at least 50000); a context with historySize needs another strategy (or `kubectl edit` to remove spec.historySize)".into()));
    }
    if let Some(t) = spec.max_tokens {
        let min = crate::claude::MIN_COMPACTION_TRIGGER;
        if t < min {
            return Err(UsageError(format!(
                "with summarizationStrategy server, maxTokens is the compaction trigger, and the API takes at least {min}: use --max-tokens {min} or more"
            )));
        }
    }
    Ok(())
}

/// The expiration time a template asks for: `--expires-in` from `now`, or `--expires-at`.
fn expiration_of(t: &ContextTemplate, now: Timestamp) -> anyhow::Result<Option<Timestamp>> {
    Ok(match (t.expires_in, t.expires_at) {
        (Some(d), _) => Some(
            now.checked_add(
                jiff::SignedDuration::try_from(d).context("--expires-in is too large")?,
            )
            .context("--expires-in is too large")?,
        ),
        (None, Some(t)) => Some(t),
        (None, None) => None,
    })
}

/// The most bytes read for one message from `-f` or stdin: `KUBECTL_MCP_MAX_INPUT` (bytes, or
/// with a unit: `512KiB`, `8MiB`), default 4 MiB, far above what one turn may store anyway.
pub fn max_input_bytes() -> anyhow::Result<u64> {
    match std::env::var("KUBECTL_MCP_MAX_INPUT") {
        Ok(v) if !v.trim().is_empty() => parse_bytes(v.trim()).ok_or_else(|| {
            UsageError(format!(
                "KUBECTL_MCP_MAX_INPUT must be a size such as 4194304, 512KiB or 8MiB, got `{v}`"
            ))
            .into()
        }),
        _ => Ok(DEFAULT_MAX_INPUT),
    }
}

/// The most bytes `batch -f` and `import -f` read: whole conversations and many turns.
pub const BULK_INPUT_CAP: u64 = 1 << 30;

/// Default of [`max_input_bytes`].
pub const DEFAULT_MAX_INPUT: u64 = 4 << 20;

fn parse_bytes(s: &str) -> Option<u64> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let unit = match s[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(unit).filter(|n| *n > 0)
}

/// Read a text file, `-` meaning stdin, refusing more than `cap` bytes (a pipe from
/// `/dev/urandom` or a huge file fails at once, with the limit named, instead of filling
/// memory) and anything that is not UTF-8 text.
pub fn read_text_capped(path: &std::path::Path, cap: u64) -> anyhow::Result<String> {
    let (what, reader): (String, Box<dyn Read>) = if path.as_os_str() == "-" {
        ("stdin".into(), Box::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        (path.display().to_string(), Box::new(f))
    };
    let mut bytes = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {what}"))?;
    if bytes.len() as u64 > cap {
        return Err(UsageError(format!(
            "{what} holds more than {cap} bytes, the most read for one input (set KUBECTL_MCP_MAX_INPUT to change it); nothing was sent"
        ))
        .into());
    }
    String::from_utf8(bytes).map_err(|e| {
        UsageError(format!(
            "{what} is not UTF-8 text (invalid byte at offset {}); nothing was sent",
            e.utf8_error().valid_up_to()
        ))
        .into()
    })
}

/// `text` in a fenced block (longer than any run of backticks in it), then the question.
pub fn with_attachment(text: &str, question: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!(
        "{fence}\n{}\n{fence}\n\n{question}",
        text.trim_end_matches('\n')
    )
}

/// [`read_text_capped`] with the message cap ([`max_input_bytes`]).
pub fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    read_text_capped(path, max_input_bytes()?)
}

/// Create `obj` and give it an initial status (`Active`, zero turns), which `kubectl get cmc`
/// shows in its columns. Distinguishes "this session already has a context" from "another
/// session holds this name".
pub async fn create_context(
    cluster: &Cluster,
    obj: ClaudeModelContext,
) -> Result<ClaudeModelContext, ClusterError> {
    let ns = obj.namespace_or_default();
    let session = obj.spec.session_id.clone();
    let name = obj.metadata.name.clone().unwrap_or_default();
    let api = cluster.contexts(Some(&ns));
    let op = Op::contexts("create", Some(&ns), Some(&session));
    let created = match api.create(&PostParams::default(), &obj).await {
        Ok(c) => c,
        Err(e) => {
            return Err(match cluster.error(e, &op) {
                ClusterError::AlreadyExists { .. } => match api.get_opt(&name).await {
                    Ok(Some(existing)) if existing.spec.session_id != session => {
                        ClusterError::NameTaken {
                            session,
                            other: existing.spec.session_id,
                            name,
                            namespace: ns,
                        }
                    }
                    _ => already_exists(&session, &name, &ns),
                },
                other => other,
            });
        }
    };
    warn_if_pruned(&obj, &created.spec);
    // The initial status goes only onto the object as created: a process that found it a moment
    // later may already have stored a turn and its status, which this must not reset.
    let mut fresh = Session::from_object(cluster, created);
    let at = now();
    fresh
        .update_status("giving the context its initial status", |obj, st| {
            if obj.status.is_some() {
                return Err("another process already wrote its status".into());
            }
            st.current_state = Some(ContextState::Active);
            st.last_activity_time = Some(at);
            st.turn_count = Some(obj.turns() as u32);
            st.token_count = Some(0);
            Ok(())
        })
        .await?;
    let created = fresh.obj;
    Events::new(cluster.client().clone())
        .emit(
            &created,
            Lifecycle::Created,
            format!(
                "created for session \"{session}\" (model {})",
                created.spec.model_name
            ),
        )
        .await;
    Ok(created)
}

/// An apiserver whose CRD is older than this tool prunes the fields it does not know, silently.
/// Say so, with the fix, rather than let a setting vanish.
fn warn_if_pruned(sent: &ClaudeModelContext, stored: &ClaudeModelContextSpec) {
    let (Ok(serde_json::Value::Object(sent)), Ok(serde_json::Value::Object(stored))) = (
        serde_json::to_value(&sent.spec),
        serde_json::to_value(stored),
    ) else {
        return;
    };
    let dropped: Vec<&str> = sent
        .keys()
        .filter(|k| !stored.contains_key(k.as_str()))
        .map(String::as_str)
        .collect();
    if !dropped.is_empty() {
        tracing::warn!(
            "the cluster dropped spec fields it does not know ({}): its ClaudeModelContext CRD is older than this kubectl-mcp; run `kubectl mcp install` to update it",
            dropped.join(", ")
        );
    }
}

/// Now, to the second, as Kubernetes writes times.
pub fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// [`now`] as RFC 3339.
pub fn now_rfc3339() -> String {
    now().to_string()
}

/// Where each turn starts: a user message at the start or right after an answer (a run of user
/// messages is one turn's question).
pub(crate) fn turn_starts(history: &[Message]) -> Vec<usize> {
    history
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            m.role == Role::User && (*i == 0 || history[i - 1].role == Role::Assistant)
        })
        .map(|(i, _)| i)
        .collect()
}

/// Where the turn holding the newest compaction block starts (its question) in `history`:
/// with server-side compaction, requests start there, and what came before is sealed.
fn compaction_turn_start(history: &[Message]) -> Option<usize> {
    let k = history.iter().rposition(|m| {
        m.blocks
            .iter()
            .any(|b| b.get("type").and_then(serde_json::Value::as_str) == Some("compaction"))
    })?;
    Some(
        history[..k]
            .iter()
            .rposition(|m| m.role == Role::User)
            .unwrap_or(k),
    )
}

/// Index of the question that starts the newest turn, if the history has one.
fn last_turn_start(history: &[Message]) -> Option<usize> {
    turn_starts(history).last().copied()
}

fn stored(role: Role, content: &str, at: Timestamp) -> Message {
    Message {
        role,
        content: content.to_string(),
        timestamp: Some(at),
        tokens: Some(tokens::estimate(content)),
        id: Some(new_id()),
        markers: Vec::new(),
        author: None,
        blocks: Vec::new(),
    }
}

/// A random message id: 64 bits as hex, unique enough for one conversation.
fn new_id() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// The ops that append one turn: their size depends on the turn only, never on the history.
fn append_ops(messages: &[Message]) -> Vec<serde_json::Value> {
    messages
        .iter()
        .map(|m| json!({"op": "add", "path": "/spec/contextHistory/-", "value": m}))
        .collect()
}

/// Which messages [`Session::remove_messages`] removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// All of them, among the live messages, or none.
    AllLive,
    /// Those still stored in the object, covered or not.
    Anywhere,
}

/// Where a guarded patch goes.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The object (spec, metadata).
    Spec,
    /// The `status` subresource.
    Status,
}

/// What a guarded write's `build` found on the object it will apply to.
enum Build {
    /// These ops (after the resourceVersion `test`).
    Apply(Vec<serde_json::Value>),
    /// The change is already there.
    Done,
    /// The change no longer applies, and why.
    Stale(String),
}

/// What a guarded write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The patch landed.
    Applied,
    /// Nothing was needed: the change was already there.
    AlreadyDone,
    /// The object changed so that the change no longer applies; nothing was written.
    Stale(String),
}

/// How long a write keeps retrying against other writers before giving up (the caller then
/// journals a turn): `KUBECTL_MCP_WRITE_BUDGET` (e.g. `90s`, `5m`), default 60 seconds.
pub fn write_budget() -> Duration {
    std::env::var("KUBECTL_MCP_WRITE_BUDGET")
        .ok()
        .and_then(|v| humantime::parse_duration(v.trim()).ok())
        .unwrap_or(DEFAULT_WRITE_BUDGET)
}

/// The delay before retry `attempt` (1-based) of a lost race: exponential from 20 ms, capped
/// at 2 s, with equal jitter so that sixteen writers that collided do not collide again in
/// lockstep.
fn backoff(attempt: u32) -> Duration {
    let cap = 20u64
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(16))
        .min(2_000);
    Duration::from_millis(cap / 2 + fastrand::u64(0..=cap / 2))
}

/// A refusal that is worth retrying: the apiserver is overloaded or briefly unavailable.
fn transient(e: &ClusterError) -> bool {
    matches!(e, ClusterError::Api { code, .. } if matches!(code, 429 | 500 | 502 | 503 | 504))
        && !too_large(e)
}

/// etcd refused the object as too large (the apiserver answers 500 "request is too large", or
/// 413 for a body over its own limit).
fn too_large(e: &ClusterError) -> bool {
    matches!(e, ClusterError::Api { code, message, .. } if matches!(code, 413 | 500) && message.contains("too large"))
}

/// A turn that could not be stored for these reasons is kept in the journal and written back
/// later; any other refusal (schema, RBAC, a deleted context) would refuse it again.
fn keep_in_journal(e: &ClusterError) -> bool {
    matches!(
        e,
        ClusterError::Unreachable { .. } | ClusterError::Conflict { .. }
    ) || transient(e)
        || too_large(e)
}

/// The ops that turn status `old` into `new` (`Done` when they are equal).
fn status_ops(old: Option<&ClaudeModelContextStatus>, new: &ClaudeModelContextStatus) -> Build {
    let Ok(new_v) = serde_json::to_value(new) else {
        return Build::Stale("the status could not be encoded".into());
    };
    let Some(old) = old else {
        return Build::Apply(vec![
            json!({"op": "add", "path": "/status", "value": new_v}),
        ]);
    };
    if old == new {
        return Build::Done;
    }
    let Ok(old_v) = serde_json::to_value(old) else {
        return Build::Stale("the status could not be encoded".into());
    };
    let patch = json_patch::diff(&json!({ "status": old_v }), &json!({ "status": new_v }));
    match serde_json::to_value(&patch) {
        Ok(serde_json::Value::Array(ops)) if !ops.is_empty() => Build::Apply(ops),
        Ok(_) => Build::Done,
        Err(e) => Build::Stale(format!("the status patch could not be encoded: {e}")),
    }
}

/// Ops that remove the messages at `indices` (ascending), each first `test`ed to still be the
/// message this process means: by id when it has one, else by role and content.
fn removal_ops(history: &[Message], indices: &[usize]) -> Vec<serde_json::Value> {
    let mut ops = Vec::with_capacity(indices.len() * 3);
    for &i in indices {
        let m = &history[i];
        match &m.id {
            Some(id) => ops.push(
                json!({"op": "test", "path": format!("/spec/contextHistory/{i}/id"), "value": id}),
            ),
            None => {
                ops.push(json!({"op": "test", "path": format!("/spec/contextHistory/{i}/role"), "value": m.role}));
                if !m.content.is_empty() {
                    ops.push(json!({"op": "test", "path": format!("/spec/contextHistory/{i}/content"), "value": m.content}));
                }
            }
        }
    }
    for &i in indices.iter().rev() {
        ops.push(json!({"op": "remove", "path": format!("/spec/contextHistory/{i}")}));
    }
    ops
}

/// True when the stored history already holds this turn (both messages, adjacent): a write
/// that did reach the server although the answer to it was lost.
fn contains_turn(obj: &ClaudeModelContext, turn: &[Message; 2]) -> bool {
    obj.spec
        .context_history
        .windows(2)
        .any(|w| w[0].same(&turn[0]) && w[1].same(&turn[1]))
}

fn summary_of(obj: &ClaudeModelContext) -> Option<&str> {
    obj.status.as_ref().and_then(|s| s.summary.as_deref())
}

fn ratio_of(obj: &ClaudeModelContext) -> f64 {
    obj.status
        .as_ref()
        .and_then(|s| s.estimate_ratio)
        .unwrap_or(1.0)
}

fn message_counts(obj: &ClaudeModelContext) -> Vec<u32> {
    obj.live_history()
        .iter()
        .map(|m| m.tokens.unwrap_or_else(|| tokens::estimate(&m.content)))
        .collect()
}

fn input_of<'a>(
    obj: &'a ClaudeModelContext,
    new_message: &'a str,
    ratio: f64,
    counts: &'a [u32],
) -> window::Input<'a> {
    let spec = &obj.spec;
    window::Input {
        system_prompt: spec.system_prompt.as_deref(),
        summary: summary_of(obj),
        history: obj.live_history(),
        message_tokens: Some(counts),
        history_size: spec.history_size,
        max_tokens: Some(prompt_budget(spec)),
        ratio,
        new_message,
    }
}

/// The window for `new_message` over `obj`'s live history, with calibration `ratio`.
fn window_of(
    obj: &ClaudeModelContext,
    new_message: &str,
    ratio: f64,
) -> Result<Window, WindowError> {
    let counts = message_counts(obj);
    window::build(&input_of(obj, new_message, ratio, &counts))
}

/// How many of the oldest live-object messages to seal (whole turns) so that, once `incoming`
/// more bytes are stored past `limit`, the object comes down to an eighth of the live budget
/// (in practice: the newest turn, so seals are rare and segments most of a budget each).
/// 0 when it stays within `limit`. The newest turn stays (so `/undo` can reach it) unless the
/// object's hard limit needs it gone too.
fn room_cut(obj: &ClaudeModelContext, incoming: usize, limit: usize) -> usize {
    let size = size::stored_len(obj);
    if size + incoming <= limit {
        return 0;
    }
    let h = &obj.spec.context_history;
    let limit_cut = if size + incoming > OBJECT_SIZE_LIMIT {
        h.len()
    } else {
        last_turn_start(h).unwrap_or(0)
    };
    let excess = (size + incoming).saturating_sub(live_budget() / 8);
    // Cut after whole turns: at a user message that follows an answer.
    let (mut count, mut freed) = (0, 0);
    while count < limit_cut && (freed < excess || (count > 0 && h[count].role != Role::User)) {
        freed += size::stored_len(&h[count]) + 1;
        count += 1;
    }
    count
}

/// The first `want` messages of `history`, cut back to whole turns and to one segment's worth
/// ([`segment::SEGMENT_BYTES`], but at least one whole turn).
fn seal_cut(history: &[Message], want: usize) -> usize {
    let want = want.min(history.len());
    let starts = turn_starts(history);
    // The cut must end where a turn starts (or at the end of the history).
    let ends_turn = |i: usize| i == history.len() || starts.binary_search(&i).is_ok();
    let mut cut = want;
    while cut > 0 && !ends_turn(cut) {
        cut -= 1;
    }
    let mut bytes = 0;
    let mut best = 0;
    for (i, m) in history[..cut].iter().enumerate() {
        bytes += size::stored_len(m) + 1;
        if (bytes > segment::SEGMENT_BYTES || i >= MAX_PATCH_MESSAGES) && best > 0 {
            break;
        }
        if ends_turn(i + 1) {
            best = i + 1;
        }
    }
    best
}

/// The live object's byte budget: `KUBECTL_MCP_LIVE_BYTES` (e.g. `256KiB`, `64k`), default
/// [`DEFAULT_LIVE_BYTES`], at most [`OBJECT_SIZE_TARGET`].
pub fn live_budget() -> usize {
    std::env::var("KUBECTL_MCP_LIVE_BYTES")
        .ok()
        .and_then(|v| parse_bytes(v.trim()))
        .map_or(DEFAULT_LIVE_BYTES, |b| b as usize)
        .clamp(4096, OBJECT_SIZE_TARGET)
}

/// For fault-injection tests only: `KUBECTL_MCP_FAULT_PAUSE=<step>:<ms>` sleeps that long
/// before the named step (a seal's `create`, `list`, `trim`; `undo`; `clear`), so that a test
/// can kill the process inside the window it means to test. While it is set, every step also
/// prints `[fault point STEP]` to stderr as it is reached, so that the test kills on the event,
/// not on a guess of how long the steps before it take on a busy machine. Unset in normal use:
/// costs one env lookup.
fn pause_for_fault_tests(step: &str) {
    let Ok(v) = std::env::var("KUBECTL_MCP_FAULT_PAUSE") else {
        return;
    };
    eprintln!("[fault point {step}]");
    for part in v.split(',') {
        if let Some((s, ms)) = part.split_once(':') {
            if s == step {
                if let Ok(ms) = ms.parse::<u64>() {
                    std::thread::sleep(Duration::from_millis(ms));
                }
            }
        }
    }
}

/// The oldest run of at least [`MERGE_RUN`] consecutive small segments (under half of
/// [`segment::SEGMENT_BYTES`] each, merged ones included) that together fit one segment, as
/// `start..end`.
fn merge_run(refs: &[crate::resource::SegmentRef]) -> Option<(usize, usize)> {
    let cap = segment::SEGMENT_BYTES as u64;
    // A quarantined segment stays where it is, alone: it is never read.
    let small =
        |r: &crate::resource::SegmentRef| r.bytes < cap / 2 && segment::quarantined(r).is_none();
    let mut start = 0;
    while start < refs.len() {
        let (mut end, mut total) = (start, 0);
        while end < refs.len() && small(&refs[end]) && total + refs[end].bytes <= cap {
            total += refs[end].bytes;
            end += 1;
        }
        if end - start >= MERGE_RUN {
            return Some((start, end));
        }
        start += 1;
    }
    None
}

/// The smallest context window of the current Claude models, in tokens: the prompt budget
/// when `spec.maxTokens` is unset and the model is not in the tool's table.
pub const DEFAULT_CONTEXT_WINDOW: u32 = 200_000;

/// The prompt budget windows are built to: `spec.maxTokens`, else the context window less the
/// answer cap and a 2% margin for the estimate. Without it a long conversation would send every
/// sealed turn, far past what any model takes.
fn prompt_budget(spec: &ClaudeModelContextSpec) -> u32 {
    // With server-side compaction `maxTokens` is the compaction trigger: the window itself may
    // use the model's whole window (the server compacts before it gets there).
    let own = match spec.summarization_strategy {
        SummarizationStrategy::Server => None,
        _ => spec.max_tokens,
    };
    own.unwrap_or_else(|| {
        window_room(
            spec,
            spec.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS),
        )
    })
}

/// What a request to `spec`'s model may take as prompt with an answer cap of `answer`: its
/// context window (the server's figure, else the table's, else 200K) less a 2% margin and the
/// answer.
fn window_room(spec: &ClaudeModelContextSpec, answer: u32) -> u32 {
    let window = crate::models::limits(&spec.model_name)
        .map_or(DEFAULT_CONTEXT_WINDOW, |m| m.context_window);
    (window - window / 50).saturating_sub(answer).max(1)
}

/// Input tokens past which the API compacts a `server`-strategy conversation: `maxTokens`,
/// else the API's default (150,000), within the model's window.
pub fn compaction_trigger(spec: &ClaudeModelContextSpec) -> u32 {
    spec.max_tokens
        .unwrap_or_else(|| crate::claude::DEFAULT_COMPACTION_TRIGGER.min(prompt_budget(spec)))
}

/// The prompt budget of a summarizing request: `maxTokens` when set, else the model's window
/// less the summary's answer cap and the same margin as a turn's ([`prompt_budget`]).
fn summary_budget(spec: &ClaudeModelContextSpec) -> u64 {
    u64::from(
        spec.max_tokens
            .unwrap_or_else(|| window_room(spec, summarize::SUMMARY_MAX_TOKENS)),
    )
}

/// The token estimate of a stored message (its cached count when it has one).
fn message_tokens(m: &Message) -> u32 {
    m.tokens.unwrap_or_else(|| tokens::estimate(&m.content))
}

/// Names of the listed segments holding messages `[from, to)` of the conversation.
fn overlapping_segments(obj: &ClaudeModelContext, from: u64, to: u64) -> Vec<String> {
    let mut at = 0u64;
    let mut out = Vec::new();
    for r in obj.segments() {
        let end = at.saturating_add(u64::from(r.messages));
        if end > from && at < to {
            out.push(r.name.clone());
        }
        at = end;
    }
    out
}

/// True when the live object still holds `messages` where they were, starting at message
/// `from` of the conversation (sealed messages are immutable and need no check).
fn still_holds(obj: &ClaudeModelContext, from: u64, messages: &[Message]) -> bool {
    let offset = obj.history_offset();
    let h = &obj.spec.context_history;
    messages.iter().enumerate().all(|(j, m)| {
        let at = from + j as u64;
        if at < offset {
            return true;
        }
        h.get((at - offset) as usize).is_some_and(|s| s.same(m))
    })
}

/// Stored bytes a turn for `message` may take in `obj`: the question exactly, plus the largest
/// answer kept for its answer cap. Refuses a message that could never be stored, naming the
/// limit, so that nothing is paid for a turn etcd would refuse.
/// `stored` is `obj`'s own stored size, measured once by the caller.
fn turn_room(obj: &ClaudeModelContext, message: &str, stored: usize) -> anyhow::Result<usize> {
    check_limits(&obj.spec)?;
    let turn = check_message(message, obj.spec.max_output_tokens)?;
    let history = size::stored_len(&obj.spec.context_history);
    let rest = stored.saturating_sub(history);
    if rest + turn > OBJECT_SIZE_LIMIT {
        return Err(UsageError(format!(
            "context \"{}\" has {rest} bytes besides its history (system prompt, summary, metadata): with this turn ({turn} bytes) it would pass the {OBJECT_SIZE_LIMIT}-byte object limit; shorten the message or the system prompt",
            obj.spec.session_id
        ))
        .into());
    }
    Ok(turn)
}

/// Check a message before any context is created or anything sent: not empty, and a turn
/// holding it (with room for the longest answer kept for `max_output_tokens`) fits what one
/// turn may store. Returns the turn's stored bytes at most.
pub fn check_message(message: &str, max_output_tokens: Option<u32>) -> anyhow::Result<usize> {
    if message.trim().is_empty() {
        return Err(UsageError("the message is empty: there is nothing to send".into()).into());
    }
    let question = size::stored_len(&stored(Role::User, message, now()));
    let max_out = max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS);
    let answer = size::answer_cap(max_out) + ANSWER_ENVELOPE;
    let turn = question + answer + APPEND_OVERHEAD;
    if turn > MAX_TURN_BYTES {
        return Err(UsageError(format!(
            "this message takes {question} bytes as the cluster stores it (control characters and <, >, & take six bytes each); with room for an answer of up to {answer} bytes (maxOutputTokens {max_out}) the turn would need {turn} bytes, more than the {MAX_TURN_BYTES} bytes one turn may take: send a shorter message, or lower the answer cap (`kubectl mcp set SESSION --max-output-tokens N`); nothing was sent"
        ))
        .into());
    }
    Ok(turn)
}

/// How many of the oldest messages of `live` come before its last `keep` turns.
fn messages_before_last_turns(live: &[Message], keep: usize) -> usize {
    // The newest turn is never folded: the conversation goes on from it.
    let keep = keep.max(1);
    let starts = turn_starts(live);
    if starts.len() <= keep {
        0
    } else {
        starts[starts.len() - keep]
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_default_prompt_budget_follows_the_models_window() {
        let spec = |model: &str| -> ClaudeModelContextSpec {
            serde_json::from_value(json!({"modelName": model, "sessionID": "x"})).unwrap()
        };
        assert_eq!(prompt_budget(&spec("claude-haiku-4-5")), 196_000 - 1_024);
        assert_eq!(prompt_budget(&spec("claude-sonnet-4-6")), 980_000 - 1_024);
        assert_eq!(prompt_budget(&spec("llama3")), 196_000 - 1_024);
        let mut set = spec("claude-sonnet-4-6");
        set.max_tokens = Some(5_000);
        assert_eq!(prompt_budget(&set), 5_000);
        assert!(check_limits(&set).is_ok());
        set.max_output_tokens = Some(200_000);
        assert!(check_limits(&set)
            .unwrap_err()
            .0
            .contains("128000 tokens at most"));
    }

    use super::*;

    #[test]
    fn undo_finds_the_start_of_the_newest_turn() {
        let at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let m = |r, c| stored(r, c, at);
        assert_eq!(last_turn_start(&[]), None);
        assert_eq!(last_turn_start(&[m(Role::Assistant, "x")]), None);
        let h = [
            m(Role::User, "a"),
            m(Role::Assistant, "b"),
            m(Role::User, "c"),
            m(Role::Assistant, "d"),
        ];
        assert_eq!(last_turn_start(&h), Some(2));
        let h = [
            m(Role::User, "a"),
            m(Role::Assistant, "b"),
            m(Role::User, "c"),
            m(Role::User, "c2"),
        ];
        assert_eq!(last_turn_start(&h), Some(2));
    }

    fn seg(name: &str, messages: u32, bytes: u64) -> crate::resource::SegmentRef {
        crate::resource::SegmentRef {
            name: name.into(),
            sequence: 0,
            first_turn: 1,
            last_turn: 1,
            turns: 1,
            messages,
            bytes,
            digest: String::new(),
        }
    }

    #[test]
    fn seals_cut_whole_turns_and_at_most_a_segment() {
        let at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let big = "x".repeat(100_000);
        let h: Vec<Message> = (0..20)
            .map(|i| {
                let role = if i % 2 == 0 {
                    Role::User
                } else {
                    Role::Assistant
                };
                stored(role, &big, at)
            })
            .collect();
        // Never in the middle of a turn.
        assert_eq!(seal_cut(&h, 3), 2);
        assert_eq!(seal_cut(&h, 1), 0);
        // At most one segment's worth (512 KiB: five 100 kB messages, cut back to two turns).
        assert_eq!(seal_cut(&h, 20), 4);
        // A single turn larger than a segment is sealed alone.
        let huge = vec![
            stored(Role::User, &"y".repeat(600_000), at),
            stored(Role::Assistant, "a", at),
            stored(Role::User, "q", at),
        ];
        assert_eq!(seal_cut(&huge, 3), 2);
        // A lone message is whole (room_cut never asks for the newest turn but at the limit).
        assert_eq!(seal_cut(&[stored(Role::User, "q", at)], 1), 1);
    }

    #[test]
    fn merges_take_the_oldest_run_of_small_segments_that_fits_one() {
        let cap = segment::SEGMENT_BYTES as u64;
        let small = |i: usize| seg(&format!("s{i}"), 10, cap / 20);
        let mut refs: Vec<_> = (0..7).map(small).collect();
        assert_eq!(merge_run(&refs), None, "seven are not enough");
        refs.push(small(7));
        assert_eq!(merge_run(&refs), Some((0, 8)));
        // A big one first: the run starts after it.
        refs.insert(0, seg("big", 1000, cap));
        assert_eq!(merge_run(&refs), Some((1, 9)));
        // A run cut short by the size cap is tried again from the next segment.
        let mut refs = vec![seg("a", 1, cap / 4 - 1); 4];
        refs.extend((0..7).map(|i| seg(&format!("t{i}"), 1, cap / 40)));
        assert_eq!(merge_run(&refs), Some((1, 11)));
    }

    #[test]
    fn a_turn_is_two_add_ops_whatever_the_history() {
        let at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let ops = append_ops(&[
            stored(Role::User, "q", at),
            stored(Role::Assistant, "a", at),
        ]);
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0]["op"], "add");
        assert_eq!(ops[0]["path"], "/spec/contextHistory/-");
        assert_eq!(ops[0]["value"]["role"], "user");
        assert_eq!(ops[1]["value"]["content"], "a");
    }
}
