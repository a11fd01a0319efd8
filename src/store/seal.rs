//! Sealing: the oldest messages of the live object moved into immutable history segments, in a
//! crash-safe order (create, list, trim), and small segments merged. Any process finishes a seal
//! another left half done.

use super::*;

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

/// Small segments at the end of the list that are merged into one.
pub(super) const MERGE_RUN: usize = 8;

/// Seal rounds one call may take (each seals up to a segment's worth).
pub(super) const MAX_SEAL_ROUNDS: usize = 64;

/// Most messages one seal moves: the apiserver refuses a JSON patch of more than 10,000
/// operations (413), and giving ids to hand-written messages takes up to three per message,
/// removing sealed ones two. A longer live history is sealed in several rounds.
pub(super) const MAX_PATCH_MESSAGES: usize = 3_000;

/// How many of the oldest live-object messages to seal (whole turns) so that, once `incoming`
/// more bytes are stored past `limit`, the object comes down to an eighth of the live budget
/// (in practice: the newest turn, so seals are rare and segments most of a budget each).
/// 0 when it stays within `limit`. The newest turn stays (so `/undo` can reach it) unless the
/// object's hard limit needs it gone too.
pub(super) fn room_cut(obj: &ClaudeModelContext, incoming: usize, limit: usize) -> usize {
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
pub(super) fn seal_cut(history: &[Message], want: usize) -> usize {
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
pub(super) fn pause_for_fault_tests(step: &str) {
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
pub(super) fn merge_run(refs: &[crate::model::resource::SegmentRef]) -> Option<(usize, usize)> {
    let cap = segment::SEGMENT_BYTES as u64;
    // A quarantined segment stays where it is, alone: it is never read.
    let small = |r: &crate::model::resource::SegmentRef| {
        r.bytes < cap / 2 && segment::quarantined(r).is_none()
    };
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

impl Session {
    /// Remove from the live object the messages the newest segment already holds (the second
    /// step of a seal). Returns how many this call removed.
    pub(super) async fn trim_sealed(&mut self) -> Result<usize, ClusterError> {
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
    pub(super) async fn seal_head(
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
            let reference = self.write_head_segment(n).await?;
            pause_for_fault_tests("list");
            let k = reference.messages as usize;
            if let Written::Stale(why) = self.list_sealed(&reference).await? {
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
            self.merge_after_seal().await;
        }
        Ok(moved)
    }

    /// Step (1) of a seal: the segment holding the first `n` live messages, written at the
    /// next free sequence number, or the one an interrupted seal left when it holds the head
    /// of the history (adopted).
    async fn write_head_segment(
        &mut self,
        n: usize,
    ) -> anyhow::Result<crate::model::resource::SegmentRef> {
        let owner = self
            .obj
            .controller_owner_ref(&())
            .context("the context has no uid")?;
        // After the highest number listed, removed turns' segments included (merged
        // segments take new numbers anywhere in the list).
        let mut sequence = self.obj.next_sequence();
        pause_for_fault_tests("create");
        loop {
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
                segment::Created::Written(r) => return Ok(r),
                segment::Created::Taken(existing) => {
                    // An interrupted seal: adopt it when it holds the head of the history.
                    let k = existing.spec.messages as usize;
                    if k > 0
                        && k <= h.len()
                        && segment::adoptable(&existing, &owner.uid, &segment::digest(&h[..k]), k)
                    {
                        tracing::info!(segment = %existing.reference().name, "adopting the segment of an interrupted seal");
                        return Ok(existing.reference());
                    }
                    sequence = sequence.checked_add(1).context("segment numbers ran out")?;
                }
            }
        }
    }

    /// Step (2) of a seal: list `reference` in `status.segments`, guarded on the live object
    /// still starting with exactly its messages and nothing sealed after it.
    async fn list_sealed(
        &mut self,
        reference: &crate::model::resource::SegmentRef,
    ) -> Result<Written, ClusterError> {
        let k = reference.messages as usize;
        self.update_status("listing a sealed history segment", |obj, st| {
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
                return Err("another writer sealed or changed the oldest turns first".into());
            }
            st.segments.push(reference.clone());
            Ok(())
        })
        .await
    }

    /// A few merges after a seal: an older list of many small segments catches up. A failed
    /// merge loses nothing; the next seal tries again.
    async fn merge_after_seal(&mut self) {
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

    /// A new segment of `messages` (preceded by `turns_before` turns) at the first sequence
    /// number from `sequence` on that no object takes yet: what a merge and a repair write.
    pub(super) async fn create_segment_from(
        &self,
        owner: &k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference,
        mut sequence: u32,
        turns_before: u64,
        messages: &[Message],
    ) -> anyhow::Result<crate::model::resource::SegmentRef> {
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
    pub(super) async fn consolidate(&mut self) -> anyhow::Result<bool> {
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
    pub(super) async fn give_ids(&mut self, n: usize) -> Result<(), ClusterError> {
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
    pub(super) async fn migrate_archives(&mut self) -> anyhow::Result<()> {
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
}
