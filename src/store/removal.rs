//! Removals: `/undo` and `/clear` move turns aside into segments of their own and list the
//! removal, naming the messages they remove (by position and id, never "the first N"), so
//! `restore` can bring them back.

use super::*;

/// Removals (`/clear`, `/undo`) kept for `restore`; older ones are deleted.
pub const MAX_REMOVALS: usize = 10;

impl Session {
    /// Remove exactly `targets` (matched by id, or by role, content and timestamp) wherever they
    /// now are in the live history, each removal `test`ed against the message it removes.
    /// `all`: every target must still be there, else nothing is removed (`Stale`);
    /// `AlreadyDone` when none of them is there any more.
    pub(super) async fn remove_messages(
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
    pub(super) fn newest_turn(
        &self,
        mine: &std::collections::HashSet<String>,
    ) -> Option<(usize, usize)> {
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
            turn = self
                .turn_with_ids(self.obj.covered() + start, &turn)
                .await?;
        }
        let question = turn[0].content.clone();
        // Sealed aside first, then listed as a removal, then removed from the conversation.
        let kept = self.seal_new(&turn, true).await?;
        let removal = crate::model::resource::Removal {
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
        if let Written::Stale(why) = self.list_undone(&removal, &turn).await? {
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
            self.forget_removal(&removal, names).await?;
            anyhow::bail!("nothing was undone: {why}");
        }
        // Applied, or already gone (a retried write that had landed, or another writer took it
        // away first): either way the turn is out of the conversation and this removal keeps
        // it; restore never brings the same message back twice.
        self.record_turn_count().await?;
        self.drop_old_removals().await?;
        self.announce_undo(how, &question).await;
        Ok(Some(question))
    }

    /// `turn` (at `offset` in the live object) again after every live message was given an
    /// id, so that the removal names exactly these messages.
    async fn turn_with_ids(
        &mut self,
        offset: usize,
        turn: &[Message],
    ) -> anyhow::Result<Vec<Message>> {
        let n = self.obj.spec.context_history.len();
        self.give_ids(n).await?;
        let h = &self.obj.spec.context_history;
        match h.get(offset..offset + turn.len()) {
            Some(now) if now.iter().zip(turn).all(|(a, b)| a.same(b)) => Ok(now.to_vec()),
            _ => anyhow::bail!("nothing was undone: the history changed meanwhile; try again"),
        }
    }

    /// List the removal of `turn` in `status.removed`, guarded on the turn still being live.
    async fn list_undone(
        &mut self,
        removal: &crate::model::resource::Removal,
        turn: &[Message],
    ) -> Result<Written, ClusterError> {
        self.update_status("keeping the removed turn for restore", |obj, st| {
            if obj.removed().contains(removal) {
                return Ok(()); // a retried write that had landed
            }
            let live = obj.live_history();
            if !turn.iter().all(|t| live.iter().any(|m| m.same(t))) {
                return Err("that turn is no longer in the stored history as it was shown (folded into the summary, sealed, or removed by another writer)".into());
            }
            st.removed.push(removal.clone());
            Ok(())
        })
        .await
    }

    /// An Event for an `/undo` or `/retry` that moved the last turn aside.
    async fn announce_undo(&mut self, how: &str, question: &str) {
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
                    crate::model::text::ellipsize(question, 80),
                    self.session_id
                ),
            )
            .await;
    }

    /// A removal listed for a change that did not happen is taken out of the list again, and
    /// the segments sealed aside for it deleted.
    async fn forget_removal(
        &mut self,
        removal: &crate::model::resource::Removal,
        names: Vec<String>,
    ) -> anyhow::Result<()> {
        self.update_status("forgetting a removal that did not happen", |_, st| {
            st.removed.retain(|r| r != removal);
            Ok(())
        })
        .await?;
        self.delete_unreferenced(names).await
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
            if !self.settle_for_removal().await? {
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
            let removal = crate::model::resource::Removal {
                how: "clear".into(),
                at: Some(now()),
                by: self.author.clone(),
                turns,
                from: 0,
                segments: sealed.iter().chain(tail.iter()).cloned().collect(),
                summary_covers: summary.as_ref().map(|_| self.obj.summary_covers()),
                summary,
            };
            if let Written::Stale(why) = self.list_removal(&removal, &sealed, &seen).await? {
                tracing::debug!("clearing again: {why}");
                self.delete_unreferenced(names).await?;
                continue;
            }
            if !self.obj.removed().contains(&removal) {
                self.delete_unreferenced(names).await?;
                return Err(outdated_crd());
            }
            pause_for_fault_tests("clear");
            if let Written::Stale(why) = self.empty_status(&removal, &sealed, &seen).await? {
                // Nothing was cleared: the removal listed above is forgotten again.
                tracing::debug!("clearing again: {why}");
                self.forget_removal(&removal, names).await?;
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

    /// Bring the object to where a removal can be computed from it: archives migrated, a
    /// sealed tail trimmed, every live message with an id. `false` when that changed the
    /// object and the caller must look at it again.
    async fn settle_for_removal(&mut self) -> anyhow::Result<bool> {
        self.migrate_archives().await?;
        self.trim_sealed().await?;
        if self.obj.pending_trim() != 0 {
            return Ok(false);
        }
        if self.obj.spec.context_history.iter().any(|m| m.id.is_none()) {
            let n = self.obj.spec.context_history.len();
            self.give_ids(n).await?;
            return Ok(false);
        }
        Ok(true)
    }

    /// The first step of `/clear`: list the removal (every segment and the tail just sealed
    /// aside) in `status.removed`, guarded on the conversation being as it was seen.
    async fn list_removal(
        &mut self,
        removal: &crate::model::resource::Removal,
        sealed: &[crate::model::resource::SegmentRef],
        seen: &[Message],
    ) -> Result<Written, ClusterError> {
        self.update_status("keeping the conversation for restore", |obj, st| {
            if obj.removed().contains(removal) {
                return Ok(()); // a retried write that had landed
            }
            if !still_as_seen(obj, sealed, seen) {
                return Err("another writer sealed or changed these turns meanwhile".into());
            }
            st.removed.push(removal.clone());
            Ok(())
        })
        .await
    }

    /// The second step: the summary and the segment list emptied, the counts set to what is
    /// left after the cleared messages (removed from the live object next).
    async fn empty_status(
        &mut self,
        removal: &crate::model::resource::Removal,
        sealed: &[crate::model::resource::SegmentRef],
        seen: &[Message],
    ) -> Result<Written, ClusterError> {
        self.update_status("moving the conversation aside", |obj, st| {
            let h = &obj.spec.context_history;
            if !obj.removed().contains(removal) {
                return Err("the removal is gone".into());
            }
            let done = st.segments.is_empty()
                && st.summary.is_none()
                && h.len() >= seen.len()
                && h.iter().zip(seen).all(|(a, b)| a.same(b));
            if done {
                return Ok(()); // a retried write that had landed
            }
            if !still_as_seen(obj, sealed, seen) {
                return Err("another writer sealed or changed these turns meanwhile".into());
            }
            st.summary = None;
            st.summary_covers = None;
            st.segments.clear();
            st.turn_count = Some(count_turns(&h[seen.len()..]) as u32);
            st.token_count = Some(0);
            Ok(())
        })
        .await
    }

    /// Seal `messages` into new segments numbered after every listed one (`aside`: turns moved
    /// out of the conversation, under their own name), not yet listed anywhere.
    pub(super) async fn seal_new(
        &self,
        messages: &[Message],
        aside: bool,
    ) -> anyhow::Result<Vec<crate::model::resource::SegmentRef>> {
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
    pub(super) async fn delete_unreferenced(&mut self, names: Vec<String>) -> anyhow::Result<()> {
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
    pub(super) async fn drop_old_removals(&mut self) -> anyhow::Result<Vec<String>> {
        let excess = self.obj.removed().len().saturating_sub(MAX_REMOVALS);
        if excess == 0 {
            return Ok(Vec::new());
        }
        let gone: Vec<crate::model::resource::Removal> = self.obj.removed()[..excess].to_vec();
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
}

/// Whether `obj` is as `/clear` saw it: no seal pending, the same segments, and the live
/// history starting with the messages seen.
fn still_as_seen(
    obj: &ClaudeModelContext,
    sealed: &[crate::model::resource::SegmentRef],
    seen: &[Message],
) -> bool {
    let h = &obj.spec.context_history;
    obj.pending_trim() == 0
        && obj.segments() == sealed
        && h.len() >= seen.len()
        && h.iter().zip(seen).all(|(a, b)| a.same(b))
}
