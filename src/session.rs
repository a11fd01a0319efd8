//! One loaded context and every change to it, so the rules of safe write-back live in one place
//! (SPEC §5).
//!
//! A completed turn is stored with one JSON patch that `test`s `metadata.resourceVersion` and
//! appends the question and the answer: the bytes sent per turn do not grow with the history,
//! and a concurrent writer makes the `test` fail (422) instead of being overwritten. Then the
//! object is reloaded and the same two messages are appended to the new history; they are never
//! lost or duplicated. Status is patched separately, on the `status` subresource.

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::Context;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Patch, PatchParams, PostParams};
use kube::core::ObjectMeta;
use kube::{Api, Resource};
use serde_json::json;

use crate::claude::{ClaudeClient, MessagesRequest, Reply, Usage};
use crate::cli::ContextSettings;
use crate::cluster::{already_exists, Cluster, ClusterError, Op};
use crate::events::{Events, Lifecycle};
use crate::journal::{Entry, Journal};
use crate::naming;
use crate::resource::{
    ClaudeModelContext, ClaudeModelContextSpec, ContextState, Message, Role, SummarizationStrategy,
    TokenUsage, DEFAULT_MAX_OUTPUT_TOKENS,
};
use crate::summarize;
use crate::tokens;
use crate::window::{self, Window, WindowError};
use crate::UsageError;

/// Reloads after a failed `test` before giving up (each one means another writer won a race).
const MAX_CONFLICT_RETRIES: usize = 20;

/// etcd refuses requests over about 1.5 MiB (the apiserver answers 500 "request is too large").
/// A write that would take the object past this size compacts it first.
pub const OBJECT_SIZE_LIMIT: usize = 1_400_000;
/// A size compaction removes the oldest turns until the object is this small, so that it
/// happens rarely rather than on every turn.
pub const OBJECT_SIZE_TARGET: usize = 1_000_000;
/// Largest archive ConfigMap payload (ConfigMaps hold at most 1 MiB of data).
const ARCHIVE_CHUNK: usize = 900_000;
/// Largest summary accepted (a 1,024-token answer is a few kB in any language).
const MAX_SUMMARY_BYTES: usize = 64_000;
/// Label tying an archive ConfigMap to its context.
pub const ARCHIVE_LABEL: &str = "mcp.dev/context";

/// A context loaded from the cluster.
pub struct Session {
    cluster: Cluster,
    events: Events,
    api: Api<ClaudeModelContext>,
    obj: ClaudeModelContext,
    session_id: String,
    namespace: String,
    name: String,
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The window it was built from.
    pub window: Window,
    /// The request.
    pub request: MessagesRequest,
    /// Warnings for the user.
    pub notes: Vec<String>,
}

/// How a turn was kept.
#[derive(Debug)]
pub struct Completed {
    /// Warnings for the user.
    pub notes: Vec<String>,
    /// Set when the cluster could not be reached: where the turn was journalled, and why.
    pub journalled: Option<(std::path::PathBuf, ClusterError)>,
}

/// What [`Session::fold`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Folded {
    /// Messages removed from the stored history.
    pub messages: usize,
    /// A summarizing call was made (false when an earlier run's summary already covered them).
    pub called_claude: bool,
}

/// What opening a session found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// It existed.
    Found,
    /// It was created from the flags.
    Created,
}

impl Session {
    /// Find the context for `session_id`, or create it from `settings` when it is missing.
    pub async fn open(
        cluster: &Cluster,
        session_id: &str,
        settings: &ContextSettings,
    ) -> anyhow::Result<(Self, Opened)> {
        Self::open_in(cluster, cluster.namespace(), session_id, settings).await
    }

    /// [`Session::open`] in a given namespace.
    pub async fn open_in(
        cluster: &Cluster,
        namespace: &str,
        session_id: &str,
        settings: &ContextSettings,
    ) -> anyhow::Result<(Self, Opened)> {
        let ns = namespace.to_string();
        let (obj, opened) = match cluster.find(&ns, session_id).await {
            Ok(obj) => (obj, Opened::Found),
            Err(ClusterError::NotFound { .. }) => {
                let fresh = new_context(session_id, settings, &ns, now())?;
                match create_context(cluster, fresh).await {
                    Ok(obj) => (obj, Opened::Created),
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
        }
    }

    /// The object as last read or written.
    pub fn object(&self) -> &ClaudeModelContext {
        &self.obj
    }

    /// The session ID.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// How many of the oldest messages come before the last `keep` turns: what
    /// `summarize --keep-last` and `/summarize` fold.
    pub fn messages_before_last_turns(&self, keep: usize) -> usize {
        let starts = turn_starts(&self.obj.spec.context_history);
        if starts.len() <= keep {
            0
        } else {
            starts[starts.len() - keep]
        }
    }

    /// Estimated tokens of everything stored (system prompt, summary, whole history), calibrated.
    pub fn stored_tokens(&self) -> u64 {
        let spec = &self.obj.spec;
        let mut raw: u64 = spec
            .context_history
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
        raw += self
            .obj
            .status
            .as_ref()
            .and_then(|s| s.summary.as_deref())
            .map_or(0, |s| u64::from(tokens::estimate(s)));
        tokens::scale(raw, self.ratio())
    }

    /// The calibration ratio learnt so far.
    pub fn ratio(&self) -> f64 {
        self.obj
            .status
            .as_ref()
            .and_then(|s| s.estimate_ratio)
            .unwrap_or(1.0)
    }

    /// The window for `new_message` on the current history.
    pub fn window(&self, new_message: &str) -> Result<Window, WindowError> {
        self.window_with_ratio(new_message, self.ratio())
    }

    /// The window before the next message and its estimated tokens ([`window::preview`]).
    pub fn preview(&self) -> Result<(Window, u64), WindowError> {
        let counts = self.message_counts();
        window::preview(&self.input("", self.ratio(), &counts))
    }

    fn message_counts(&self) -> Vec<u32> {
        self.obj
            .spec
            .context_history
            .iter()
            .map(|m| m.tokens.unwrap_or_else(|| tokens::estimate(&m.content)))
            .collect()
    }

    fn input<'a>(
        &'a self,
        new_message: &'a str,
        ratio: f64,
        counts: &'a [u32],
    ) -> window::Input<'a> {
        let spec = &self.obj.spec;
        window::Input {
            system_prompt: spec.system_prompt.as_deref(),
            summary: self.obj.status.as_ref().and_then(|s| s.summary.as_deref()),
            history: &spec.context_history,
            message_tokens: Some(counts),
            history_size: spec.history_size,
            max_tokens: spec.max_tokens,
            ratio,
            new_message,
        }
    }

    /// [`Session::window`] with a given calibration ratio.
    fn window_with_ratio(&self, new_message: &str, ratio: f64) -> Result<Window, WindowError> {
        let counts = self.message_counts();
        window::build(&self.input(new_message, ratio, &counts))
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

    /// Append one completed turn, guarded by `resourceVersion`; on a conflict reload and append
    /// again to the new history.
    pub async fn append_turn(&mut self, messages: &[Message; 2]) -> Result<(), ClusterError> {
        let ops = append_ops(messages);
        self.patch_guarded("appending a turn", |_| Ok(ops.clone()))
            .await
    }

    /// The two messages of a turn as they will be stored: timestamped, with token estimates.
    pub fn turn_messages(question: &str, answer: &str) -> [Message; 2] {
        let at = now();
        [
            stored(Role::User, question, at),
            stored(Role::Assistant, answer, at),
        ]
    }

    /// True when the stored history already holds this turn (same contents and timestamps,
    /// adjacent): a journalled write that did reach the server.
    pub fn contains_turn(&self, turn: &[Message; 2]) -> bool {
        self.obj.spec.context_history.windows(2).any(|w| w == turn)
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
    /// ones already present are dropped from the journal without writing.
    pub async fn replay_journal(&mut self, journal: &Journal) -> anyhow::Result<usize> {
        let server = self.cluster.server().to_string();
        let pending = journal.pending(&server, &self.namespace, &self.name)?;
        let mut written = 0;
        for (done, entry) in pending.iter().enumerate() {
            let turn = [entry.question.clone(), entry.answer.clone()];
            if !self.contains_turn(&turn) {
                if let Err(e) = self.append_turn(&turn).await {
                    journal.remove_done(&server, &self.namespace, &self.name, done)?;
                    return Err(e).context("writing back a journalled turn");
                }
                written += 1;
            }
        }
        journal.remove_done(&server, &self.namespace, &self.name, pending.len())?;
        if written > 0 {
            let turns = self.obj.turns();
            self.patch_status(json!({
                "turnCount": turns,
                "lastActivityTime": now().to_string(),
            }))
            .await?;
        }
        Ok(written)
    }

    /// Fold the `count` oldest stored messages into `status.summary` with a Claude call, then
    /// remove them from the history. The summary (with a fingerprint of what it covers) is
    /// written first and the history compacted second, with a guarded patch: a run that stops in
    /// between loses nothing, and the next one recognises the covered messages and only compacts.
    pub async fn fold(&mut self, client: &ClaudeClient, count: usize) -> anyhow::Result<Folded> {
        let mut count = count.min(self.obj.spec.context_history.len());
        let mut done = Folded::default();
        let status = self.obj.status.clone().unwrap_or_default();
        if let (Some(k), Some(fp)) = (
            status.summarized_messages,
            status.summary_fingerprint.as_deref(),
        ) {
            let k = k as usize;
            let history = &self.obj.spec.context_history;
            if k > 0 && k <= history.len() && summarize::fingerprint(&history[..k]) == fp {
                let fp = fp.to_string();
                self.compact(k, &fp).await?;
                done.messages += k;
                count = count.saturating_sub(k);
            }
        }
        if count == 0 {
            return Ok(done);
        }
        let folded = &self.obj.spec.context_history[..count];
        let request = summarize::request(
            &self.obj.spec.model_name,
            self.obj.status.as_ref().and_then(|s| s.summary.as_deref()),
            folded,
        );
        let fp = summarize::fingerprint(folded);
        let reply = client.send(&request).await?;
        if reply.text.trim().is_empty() {
            anyhow::bail!("the summarizing call returned no text");
        }
        // A summary is capped at SUMMARY_MAX_TOKENS; anything far larger would only push the
        // object toward etcd's limit. Refuse it and let the caller truncate or archive instead.
        if reply.text.len() > MAX_SUMMARY_BYTES {
            anyhow::bail!("the summarizing call returned {} bytes, more than a summary may take ({MAX_SUMMARY_BYTES})", reply.text.len());
        }
        self.patch_status(json!({
            "summary": reply.text.trim(),
            "summarizedMessages": count,
            "summaryFingerprint": fp,
        }))
        .await?;
        self.events
            .emit(
                &self.obj,
                Lifecycle::Summarized,
                format!("folded {count} messages into status.summary"),
            )
            .await;
        self.compact(count, &fp).await?;
        done.messages += count;
        done.called_claude = true;
        Ok(done)
    }

    /// Remove the `count` oldest messages, provided they are still the ones with fingerprint
    /// `fp` (another writer may have appended meanwhile: that is fine; one that compacted is not).
    async fn compact(&mut self, count: usize, fp: &str) -> Result<(), ClusterError> {
        let what = format!("context \"{}\"", self.session_id);
        self.patch_guarded("compacting the history", |obj| {
            let history = &obj.spec.context_history;
            if count > history.len() || summarize::fingerprint(&history[..count]) != fp {
                return Err(ClusterError::Conflict {
                    what: what.clone(),
                    message: "the stored history changed while it was being summarized; the summary was kept and the history left as it is".into(),
                });
            }
            Ok((0..count).map(|_| json!({"op": "remove", "path": "/spec/contextHistory/0"})).collect())
        })
        .await?;
        let turns = self.obj.turns();
        self.patch_status(json!({"turnCount": turns})).await?;
        self.events
            .emit(&self.obj, Lifecycle::Compacted, format!("removed the {count} oldest messages from spec.contextHistory; {turns} turns remain"))
            .await;
        Ok(())
    }

    /// Apply JSON-patch ops built from the current object, after a `test` of its
    /// resourceVersion. On a lost race (a failed `test` answers 422, whose message differs
    /// between versions, so the resourceVersion itself tells a race from a refusal) reload and
    /// build the ops again from the new object; `build` refuses when the change no longer applies.
    async fn patch_guarded(
        &mut self,
        what: &str,
        build: impl Fn(&ClaudeModelContext) -> Result<Vec<serde_json::Value>, ClusterError>,
    ) -> Result<(), ClusterError> {
        for _ in 0..MAX_CONFLICT_RETRIES {
            let version = self
                .obj
                .metadata
                .resource_version
                .clone()
                .unwrap_or_default();
            let mut ops =
                vec![json!({"op": "test", "path": "/metadata/resourceVersion", "value": version})];
            ops.extend(build(&self.obj)?);
            let body = serde_json::Value::Array(ops);
            tracing::debug!(
                bytes = body.to_string().len(),
                stored = self.obj.spec.context_history.len(),
                "{what} with a guarded JSON patch"
            );
            let patch: json_patch::Patch =
                serde_json::from_value(body).map_err(|e| ClusterError::Invalid {
                    what: format!("the patch for {what}"),
                    message: e.to_string(),
                    causes: Vec::new(),
                })?;
            match self
                .api
                .patch(
                    &self.name,
                    &PatchParams::default(),
                    &Patch::Json::<()>(patch),
                )
                .await
            {
                Ok(obj) => {
                    self.obj = obj;
                    return Ok(());
                }
                Err(e) => match self.cluster.error(e, &self.op("patch")) {
                    err @ (ClusterError::Conflict { .. } | ClusterError::Invalid { .. }) => {
                        let before = self.obj.metadata.resource_version.clone();
                        self.reload().await?;
                        if self.obj.metadata.resource_version == before {
                            return Err(err);
                        }
                        tracing::debug!(session = %self.session_id, "another writer changed the context; {what} again on the new version");
                    }
                    other => return Err(other),
                },
            }
        }
        Err(ClusterError::Conflict {
            what: format!("context \"{}\"", self.session_id),
            message: format!("still changing after {MAX_CONFLICT_RETRIES} reloads"),
        })
    }

    /// Remove the newest complete turn (its question and everything after it). Returns the
    /// question, or `None` when there is no turn.
    pub async fn undo(&mut self) -> anyhow::Result<Option<String>> {
        let Some(start) = last_turn_start(&self.obj.spec.context_history) else {
            return Ok(None);
        };
        let question = self.obj.spec.context_history[start].content.clone();
        let what = format!("context \"{}\"", self.session_id);
        self.patch_guarded("removing the last turn", |obj| {
            let h = &obj.spec.context_history;
            let start = last_turn_start(h).ok_or_else(|| ClusterError::Conflict {
                what: what.clone(),
                message: "the history no longer has a turn to undo".into(),
            })?;
            Ok((start..h.len())
                .rev()
                .map(|i| json!({"op": "remove", "path": format!("/spec/contextHistory/{i}")}))
                .collect())
        })
        .await?;
        let turns = self.obj.turns();
        self.patch_status(json!({"turnCount": turns})).await?;
        Ok(Some(question))
    }

    /// Set or clear `spec.systemPrompt`.
    pub async fn set_system_prompt(&mut self, prompt: Option<&str>) -> anyhow::Result<()> {
        let op = match prompt {
            Some(p) => json!({"op": "add", "path": "/spec/systemPrompt", "value": p}),
            None => json!({"op": "remove", "path": "/spec/systemPrompt"}),
        };
        if prompt.is_none() && self.obj.spec.system_prompt.is_none() {
            return Ok(());
        }
        Ok(self
            .patch_guarded("setting the system prompt", |_| Ok(vec![op.clone()]))
            .await?)
    }

    /// Set `spec.modelName`.
    pub async fn set_model(&mut self, model: &str) -> anyhow::Result<()> {
        let op = json!({"op": "replace", "path": "/spec/modelName", "value": model});
        Ok(self
            .patch_guarded("setting the model", |_| Ok(vec![op.clone()]))
            .await?)
    }

    /// Empty the stored history and the summary.
    pub async fn clear(&mut self) -> anyhow::Result<()> {
        self.patch_guarded("clearing the history", |_| {
            Ok(vec![
                json!({"op": "replace", "path": "/spec/contextHistory", "value": []}),
            ])
        })
        .await?;
        self.patch_status(
            json!({"summary": null, "summarizedMessages": null, "summaryFingerprint": null,
                                 "turnCount": 0, "tokenCount": 0}),
        )
        .await?;
        Ok(())
    }

    /// Everything before a call for `message`: fold what leaves the window when the strategy
    /// says so, then build the window and the request. Warnings for the user come back in
    /// `notes` (this module prints nothing).
    pub async fn prepare(
        &mut self,
        client: &ClaudeClient,
        message: &str,
    ) -> anyhow::Result<Prepared> {
        let mut notes = Vec::new();
        // Room for the question and the longest answer allowed, with their JSON wrapping.
        let max_answer = self
            .obj
            .spec
            .max_output_tokens
            .unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS) as usize
            * 4;
        if let Some(note) = self
            .make_room(client, message.len() * 2 + max_answer + 512)
            .await?
        {
            notes.push(note);
        }
        let mut window = self.window(message)?;
        let fold = match self.obj.spec.summarization_strategy {
            SummarizationStrategy::Truncate => 0,
            SummarizationStrategy::SummarizeOldest => window.first_sent,
            SummarizationStrategy::Hybrid => window.left_by_history.end,
        };
        if fold > 0 {
            match self.fold(client, fold).await {
                Ok(done) => {
                    tracing::info!(messages = done.messages, "folded the oldest turns into the summary");
                    window = self.window(message)?;
                }
                Err(e) => notes.push(format!(
                    "warning: could not summarize the oldest turns ({e:#}); they are left out of this request instead"
                )),
            }
        }
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
                        window = self.window_with_ratio(message, ratio)?;
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

    /// The object's size as stored (its JSON), in bytes.
    pub fn stored_size(&self) -> usize {
        serde_json::to_vec(&self.obj).map_or(0, |v| v.len())
    }

    /// Keep the object under [`OBJECT_SIZE_LIMIT`] once `incoming` more bytes are stored:
    /// remove the oldest whole turns down to [`OBJECT_SIZE_TARGET`], folding them into the
    /// summary when the strategy summarizes, else (or when the summary fails) archiving them to
    /// ConfigMaps. Returns a note for the user when it did something.
    pub async fn make_room(
        &mut self,
        client: &ClaudeClient,
        incoming: usize,
    ) -> anyhow::Result<Option<String>> {
        let size = self.stored_size();
        if size + incoming <= OBJECT_SIZE_LIMIT {
            return Ok(None);
        }
        if incoming + 4096 > OBJECT_SIZE_TARGET {
            anyhow::bail!(
                "this turn ({incoming} bytes with its longest possible answer) cannot be stored: a context is limited to about {OBJECT_SIZE_LIMIT} bytes; send a shorter message or lower spec.maxOutputTokens"
            );
        }
        let h = &self.obj.spec.context_history;
        let sizes: Vec<usize> = h
            .iter()
            .map(|m| serde_json::to_vec(m).map_or(0, |v| v.len() + 1))
            .collect();
        let excess = (size + incoming).saturating_sub(OBJECT_SIZE_TARGET);
        // Cut after whole turns: at a user message that follows an answer.
        let (mut count, mut freed) = (0, 0);
        while count < h.len() && (freed < excess || (count > 0 && h[count].role != Role::User)) {
            freed += sizes[count];
            count += 1;
        }
        if count == 0 {
            return Ok(None);
        }
        let summarizes = self.obj.spec.summarization_strategy != SummarizationStrategy::Truncate;
        if summarizes {
            match self.fold(client, count).await {
                Ok(done) => {
                    return Ok(Some(format!(
                        "the context was near the 1.5 MiB object limit: {} of the oldest messages were folded into the summary",
                        done.messages
                    )))
                }
                Err(e) => tracing::warn!("could not summarize to make room ({e:#}); archiving instead"),
            }
        }
        let archives = self.archive(count).await?;
        Ok(Some(format!(
            "the context was near the 1.5 MiB object limit: the {count} oldest messages were archived to ConfigMap {} (label {ARCHIVE_LABEL}={})",
            archives.join(", "),
            self.name
        )))
    }

    /// Move the `count` oldest messages into ConfigMaps (JSON Lines, owned by the context),
    /// then remove them from the history. Written before removed: nothing is lost in between.
    async fn archive(&mut self, count: usize) -> anyhow::Result<Vec<String>> {
        let moved = self.obj.spec.context_history[..count].to_vec();
        let fp = summarize::fingerprint(&moved);
        let owner = self
            .obj
            .controller_owner_ref(&())
            .context("the context has no uid")?;
        let cms: Api<ConfigMap> = Api::namespaced(self.cluster.client().clone(), &self.namespace);
        let stamp = now().as_second();
        let mut names = Vec::new();
        let mut chunk = String::new();
        let mut chunks = Vec::new();
        for m in &moved {
            let line = serde_json::to_string(m)? + "\n";
            if !chunk.is_empty() && chunk.len() + line.len() > ARCHIVE_CHUNK {
                chunks.push(std::mem::take(&mut chunk));
            }
            chunk.push_str(&line);
        }
        chunks.push(chunk);
        for (i, body) in chunks.into_iter().enumerate() {
            let base: String = self.name.chars().take(200).collect();
            let name = format!("{base}-archive-{stamp}-{i}");
            let cm: ConfigMap = serde_json::from_value(json!({
                "metadata": {
                    "name": name,
                    "labels": {ARCHIVE_LABEL: self.name},
                    "annotations": {"mcp.dev/session": self.session_id},
                    "ownerReferences": [owner],
                },
                "data": {"messages.jsonl": body},
            }))?;
            let op = Op {
                verb: "create",
                resource: "configmaps",
                namespace: Some(self.namespace.clone()),
                session: Some(name.clone()),
            };
            cms.create(&PostParams::default(), &cm)
                .await
                .map_err(|e| self.cluster.error(e, &op))
                .context("archiving the oldest turns")?;
            names.push(name);
        }
        self.compact(count, &fp).await?;
        Ok(names)
    }

    fn request_for(&self, window: &Window) -> MessagesRequest {
        let spec = &self.obj.spec;
        MessagesRequest::from_window(
            &spec.model_name,
            spec.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS),
            window,
            true,
        )
    }

    /// Everything after a successful call: store the turn (in the local journal when the cluster
    /// cannot be reached), then status. A status failure is a note, not an error: the turn is safe.
    pub async fn complete(
        &mut self,
        journal: &Journal,
        message: &str,
        reply: &Reply,
        window: &Window,
    ) -> anyhow::Result<Completed> {
        let mut notes = Vec::new();
        if reply.was_cut() {
            notes.push(format!(
                "warning: the answer was cut (stop_reason {}); raise spec.maxOutputTokens for longer answers",
                reply.stop_reason.as_deref().unwrap_or("-")
            ));
        }
        let turn = Self::turn_messages(message, &reply.text);
        match self.append_turn(&turn).await {
            Ok(()) => {}
            Err(e @ ClusterError::Unreachable { .. }) => {
                let path = journal.append(&self.journal_entry(&turn))?;
                return Ok(Completed {
                    notes,
                    journalled: Some((path, e)),
                });
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "the answer was shown but could not be stored in context \"{}\"",
                        self.session_id
                    )
                })
            }
        }
        if let Err(e) = self.record_success(window, &reply.usage).await {
            notes.push(format!(
                "warning: the turn was stored but its status was not updated: {e}"
            ));
        }
        Ok(Completed {
            notes,
            journalled: None,
        })
    }

    /// Record a successful call in status: `Active`, activity time, measured tokens, usage, the
    /// learnt estimate ratio.
    pub async fn record_success(
        &mut self,
        window: &Window,
        usage: &Usage,
    ) -> Result<(), ClusterError> {
        let ratio = tokens::calibrate(
            self.obj.status.as_ref().and_then(|s| s.estimate_ratio),
            window.raw_estimated_tokens,
            usage.total_input(),
        );
        let last = TokenUsage {
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens,
            cache_read_input_tokens: usage.cache_read_input_tokens,
        };
        self.patch_status(json!({
            "currentState": ContextState::Active.as_str(),
            "lastActivityTime": now().to_string(),
            "tokenCount": usage.total_input() + usage.output_tokens,
            "turnCount": self.obj.turns(),
            "message": null,
            "lastUsage": last,
            "estimateRatio": ratio,
        }))
        .await
    }

    /// Record a failed call: `Error` with the message; the history is not touched.
    pub async fn record_error(&mut self, message: &str) -> Result<(), ClusterError> {
        let was_error = self.obj.state() == ContextState::Error;
        self.patch_status(json!({
            "currentState": ContextState::Error.as_str(),
            "message": message,
        }))
        .await?;
        if !was_error {
            let first = message.lines().next().unwrap_or(message).to_string();
            self.events.emit(&self.obj, Lifecycle::Error, first).await;
        }
        Ok(())
    }

    async fn patch_status(&mut self, status: serde_json::Value) -> Result<(), ClusterError> {
        let obj = self
            .api
            .patch_status(
                &self.name,
                &PatchParams::default(),
                &Patch::Merge(json!({ "status": status })),
            )
            .await
            .map_err(|e| self.cluster.error(e, &self.op("patch")))?;
        self.obj.status = obj.status;
        self.obj.metadata.resource_version = obj.metadata.resource_version;
        Ok(())
    }
}

/// The object `create` would send: validates the session ID and settings, derives the name.
pub fn new_context(
    session: &str,
    settings: &ContextSettings,
    namespace: &str,
    now: Timestamp,
) -> anyhow::Result<ClaudeModelContext> {
    let name = naming::name_for_session(session).map_err(|e| UsageError(e.to_string()))?;
    let model = match settings.model.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => {
            return Err(UsageError(format!(
                "a new context needs a model: pass --model (e.g. --model claude-sonnet-4-5) or set KUBECTL_MCP_MODEL (session \"{session}\")"
            ))
            .into())
        }
    };
    let system_prompt = match (&settings.system, &settings.system_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => Some(read_text(path)?),
        (None, None) => None,
    };
    let expiration_time = match (settings.expires_in, settings.expires_at) {
        (Some(d), _) => Some(
            now.checked_add(
                jiff::SignedDuration::try_from(d).context("--expires-in is too large")?,
            )
            .context("--expires-in is too large")?,
        ),
        (None, Some(t)) => Some(t),
        (None, None) => None,
    };
    let labels: BTreeMap<String, String> = settings.labels.iter().cloned().collect();
    let mut obj = ClaudeModelContext::new(
        &name,
        ClaudeModelContextSpec {
            model_name: model,
            session_id: session.to_string(),
            max_tokens: settings.max_tokens,
            max_output_tokens: settings.max_output_tokens,
            history_size: settings.history_size,
            context_history: Vec::new(),
            system_prompt,
            summarization_strategy: settings.strategy.unwrap_or_default(),
            expiration_time,
            idle_ttl: settings.idle_ttl.clone(),
        },
    );
    obj.metadata = ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_string()),
        labels: (!labels.is_empty()).then_some(labels),
        ..Default::default()
    };
    Ok(obj)
}

/// Read a text file, `-` meaning stdin.
pub fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading stdin")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
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
    let created_spec = match api.create(&PostParams::default(), &obj).await {
        Ok(c) => c.spec,
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
    let status = json!({
        "status": {
            "currentState": "Active",
            "lastActivityTime": now_rfc3339(),
            "turnCount": 0,
            "tokenCount": 0,
        }
    });
    warn_if_pruned(&obj, &created_spec);
    let op = Op::contexts("patch", Some(&ns), Some(&session));
    let created = api
        .patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .map_err(|e| cluster.error(e, &op))?;
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
fn turn_starts(history: &[Message]) -> Vec<usize> {
    history
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            m.role == Role::User && (*i == 0 || history[i - 1].role == Role::Assistant)
        })
        .map(|(i, _)| i)
        .collect()
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
    }
}

/// The ops that append one turn: their size depends on the turn only, never on the history.
fn append_ops(messages: &[Message]) -> Vec<serde_json::Value> {
    messages
        .iter()
        .map(|m| json!({"op": "add", "path": "/spec/contextHistory/-", "value": m}))
        .collect()
}

#[cfg(test)]
mod tests {
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
