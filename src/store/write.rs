//! The write protocol every change to a context goes through: a JSON patch computed from the
//! object it applies to, guarded by a `test` of `metadata.resourceVersion`, computed again from
//! the reloaded object after a jittered backoff when another writer got there first (for a time
//! budget, not a small count); status patched on its subresource as the typed difference of two
//! statuses.

use super::*;

/// How long a write retries against other writers when `KUBECTL_MCP_WRITE_BUDGET` is unset.
pub const DEFAULT_WRITE_BUDGET: Duration = Duration::from_secs(60);

/// The ops that append one turn: their size depends on the turn only, never on the history.
pub(super) fn append_ops(messages: &[Message]) -> Vec<serde_json::Value> {
    messages
        .iter()
        .map(|m| json!({"op": "add", "path": "/spec/contextHistory/-", "value": m}))
        .collect()
}

/// Which messages [`Session::remove_messages`] removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// All of them, among the live messages, or none.
    AllLive,
    /// Those still stored in the object, covered or not.
    Anywhere,
}

/// Where a guarded patch goes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    /// The object (spec, metadata).
    Spec,
    /// The `status` subresource.
    Status,
}

/// What a guarded write's `build` found on the object it will apply to.
pub(super) enum Build {
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
pub(super) fn backoff(attempt: u32) -> Duration {
    let cap = 20u64
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(16))
        .min(2_000);
    Duration::from_millis(cap / 2 + fastrand::u64(0..=cap / 2))
}

/// A refusal that is worth retrying: the apiserver is overloaded or briefly unavailable.
pub(super) fn transient(e: &ClusterError) -> bool {
    matches!(e, ClusterError::Api { code, .. } if matches!(code, 429 | 500 | 502 | 503 | 504))
        && !too_large(e)
}

/// etcd refused the object as too large (the apiserver answers 500 "request is too large", or
/// 413 for a body over its own limit).
pub(super) fn too_large(e: &ClusterError) -> bool {
    matches!(e, ClusterError::Api { code, message, .. } if matches!(code, 413 | 500) && message.contains("too large"))
}

/// A turn that could not be stored for these reasons is kept in the journal and written back
/// later; any other refusal (schema, RBAC, a deleted context) would refuse it again.
pub(super) fn keep_in_journal(e: &ClusterError) -> bool {
    matches!(
        e,
        ClusterError::Unreachable { .. }
            | ClusterError::NoAnswer { .. }
            | ClusterError::Conflict { .. }
    ) || transient(e)
        || too_large(e)
}

/// The ops that turn status `old` into `new` (`Done` when they are equal).
pub(super) fn status_ops(
    old: Option<&ClaudeModelContextStatus>,
    new: &ClaudeModelContextStatus,
) -> Build {
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
pub(super) fn removal_ops(history: &[Message], indices: &[usize]) -> Vec<serde_json::Value> {
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

impl Session {
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
    pub(super) async fn patch_guarded(
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
            let patch = self.guarded_patch(what, body, attempt)?;
            let err = match self.send_patch(target, &patch).await {
                Ok(()) => return Ok(Written::Applied),
                Err(err) => err,
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
                return Err(self.gave_up(what, attempt, budget, race, &err));
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

    /// `body` behind a `test` of the resourceVersion this process holds: one try's patch.
    fn guarded_patch(
        &self,
        what: &str,
        body: Vec<serde_json::Value>,
        attempt: u32,
    ) -> Result<Patch<()>, ClusterError> {
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
        Ok(Patch::Json::<()>(patch))
    }

    /// Send one try's patch to the object or its status; on success the returned object
    /// replaces ours.
    async fn send_patch(&mut self, target: Target, patch: &Patch<()>) -> Result<(), ClusterError> {
        let params = PatchParams::default();
        let result = match target {
            Target::Spec => self.api.patch(&self.name, &params, patch).await,
            Target::Status => self.api.patch_status(&self.name, &params, patch).await,
        };
        match result {
            Ok(obj) => {
                self.obj = obj;
                Ok(())
            }
            Err(e) => Err(self.cluster.error(e, &self.op("patch"))),
        }
    }

    /// The error of a guarded write whose budget is spent: a conflict (callers journal it) that
    /// says how long it tried and whether writers or a busy apiserver were in the way.
    fn gave_up(
        &self,
        what: &str,
        attempt: u32,
        budget: std::time::Duration,
        race: bool,
        err: &ClusterError,
    ) -> ClusterError {
        let why = if race {
            "other writers kept changing it"
        } else {
            "the apiserver kept refusing it as busy"
        };
        ClusterError::Conflict {
            what: format!("context \"{}\"", self.session_id),
            message: format!(
                "{what} did not land after {attempt} attempts in {}s: {why} ({err})",
                budget.as_secs()
            ),
        }
    }

    /// Change status through `change`, computed from the fresh object at every try, as one
    /// guarded JSON patch (so a status that depends on the history is never written against a
    /// history this process did not see). Typed: fields are set on the status struct, and the
    /// patch is the difference.
    pub(super) async fn update_status(
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
}
