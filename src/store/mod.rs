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
//!
//! `Session` is one type; its methods live in one file per concern, each an `impl Session`
//! block: `write` (the guarded patch and status diffs, which every other file uses), `append`
//! (storing a turn, the journal), `prepare` (the window and request before a call), `record`
//! (usage and errors in status), `history` (reading the conversation), `seal`, `fold`,
//! `removal` (`/undo`, `/clear`), `restore`, `repair`, `settings`, `create` and `lifecycle`.
//! Beside them: segment I/O and its cache (`segments`), ConfigMap archives, the journal,
//! Events, search and expiry. Nothing outside this room patches a context or a segment.

mod append;
pub mod archive;
mod create;
pub mod events;
pub mod expire;
mod fold;
mod history;
pub mod input;
pub mod journal;
pub mod lifecycle;
mod prepare;
pub mod recent;
mod record;
mod removal;
mod repair;
mod restore;
mod seal;
pub mod search;
pub mod segments;
mod settings;
mod write;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use anyhow::Context;
use jiff::Timestamp;
use kube::api::{Patch, PatchParams, PostParams};
use kube::core::ObjectMeta;
use kube::{Api, Resource};
use serde_json::json;

use crate::claude::{ClaudeClient, MessagesRequest, Reply};
use crate::cluster::{already_exists, Cluster, ClusterError, Op};
use crate::engine::budget::{
    compaction_trigger, message_tokens, prompt_budget, ratio_of, summary_budget, summary_of,
    window_of,
};
use crate::engine::summarize;
use crate::engine::tokens;
use crate::engine::window::{self, Window, WindowError};
use crate::error::UsageError;
use crate::model::naming;
use crate::model::resource::{
    count_turns, ClaudeModelContext, ClaudeModelContextSpec, ClaudeModelContextStatus,
    ContextState, ContextTemplate, Marker, Message, Role, SummarizationStrategy, TokenUsage,
    DEFAULT_MAX_OUTPUT_TOKENS, PLURAL,
};
use crate::model::size;
use crate::store::events::{Events, Lifecycle};
use crate::store::journal::{Entry, Journal};
use crate::store::segments as segment;

pub use self::input::*;
pub use self::lifecycle::*;
use self::{append::*, history::*, settings::*};
pub use self::{
    create::*, fold::*, prepare::*, removal::*, repair::*, restore::*, seal::*, write::*,
};
pub use crate::model::turns::*;

pub use crate::store::archive::ARCHIVE_LABEL;

/// The window as every view shows it ([`Session::preview`]).
#[derive(Debug, Clone)]
pub struct Preview {
    /// The window before the next message (over [`PROBE`](crate::engine::window::PROBE)).
    pub window: Window,
    /// Its estimated tokens without the next message.
    pub before: u64,
    /// Where the history it was built over starts in the conversation: the window's message
    /// positions are from here.
    pub base: u64,
}

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
    author: Option<crate::model::resource::Author>,
    /// What this process asked Claude for in this context (`/cost`'s "this session").
    spent: crate::model::resource::UsageTotals,
    /// Damaged segments met while reading (their turns were left out), not yet told.
    damaged: Vec<segment::Damaged>,
    /// Damaged segments already told about, by name: each is a warning once per process.
    warned: std::collections::HashSet<String>,
    /// The cache plan of the request last prepared, and its shape: what the request's answer
    /// records in `status.promptCache` ([`crate::engine::cache::plan`]).
    cache_plan: Option<prepare::CachePlan>,
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
    inflight: crate::store::journal::InFlight,
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

/// Now, to the second, as Kubernetes writes times.
pub fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// [`now`] as RFC 3339.
pub fn now_rfc3339() -> String {
    now().to_string()
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
                        let system = system_prompt_of(t)?;
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
            Err(ClusterError::NotFound {
                session,
                session_arg,
                namespace,
                elsewhere,
            }) => {
                // A context of this name elsewhere is most likely the one meant: that comes
                // first, before why a new one cannot be made here (no model, say).
                let fresh = match new_context(session_id, settings, &ns, now()) {
                    Ok(fresh) => fresh,
                    Err(e) if !elsewhere.is_empty() => {
                        let missing = ClusterError::NotFound {
                            session,
                            session_arg,
                            namespace,
                            elsewhere,
                        };
                        return Err(UsageError(format!("{missing}\n{e:#}")).into());
                    }
                    Err(e) => return Err(e),
                };
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
            cache_plan: None,
        }
    }

    /// What this process asked Claude for in this context, and its cost.
    pub fn spent(&self) -> &crate::model::resource::UsageTotals {
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
        self.author = Some(crate::model::resource::Author {
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

    /// What every view shows as the window (`get`, `/window`, `/tokens`, the REPL prompt, the
    /// MCP window resource): the window before the next message, built over the same history
    /// the next request is built from (the live messages and the sealed or restored ones the
    /// window reaches, read through the segment cache), its estimated tokens, and where that
    /// history starts in the conversation.
    pub async fn preview(&mut self) -> anyhow::Result<Preview> {
        let (base, history) = self
            .window_history_fresh(crate::engine::window::PROBE)
            .await?;
        let (window, before) = crate::engine::budget::preview_over(&self.obj, &history)?;
        Ok(Preview {
            window,
            before,
            base,
        })
    }

    /// The window over the live messages alone: only for a view whose sealed turns cannot be
    /// read (RBAC on segments), which says so beside it.
    pub fn preview_live(&self) -> Result<Preview, WindowError> {
        let live = self.obj.live_history();
        let (window, before) = crate::engine::budget::preview_over(&self.obj, live)?;
        Ok(Preview {
            window,
            before,
            base: self.obj.history_offset() + self.obj.covered() as u64,
        })
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

    fn seg(name: &str, messages: u32, bytes: u64) -> crate::model::resource::SegmentRef {
        crate::model::resource::SegmentRef {
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
