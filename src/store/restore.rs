//! `restore`: bring back the turns the newest removal moved aside, in their place, once.

use std::sync::Arc;

use super::*;

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

/// The conversation as it will read once the removals are back, and what it takes.
struct Plan {
    /// Every message in its final place, with the index into `refs` of the removed segment it
    /// comes from (`None`: stored now).
    merged: Vec<(Message, Option<usize>)>,
    /// The removed segments that come back.
    refs: Vec<crate::model::resource::SegmentRef>,
    /// The removals emptied.
    taken: Vec<crate::model::resource::Removal>,
    /// Removals left as they are (their turns are still in the conversation).
    left: usize,
    /// Removed segments whose turns come back from another removal: deleted after.
    unused: Vec<String>,
}

impl Plan {
    /// The messages that come back, in their final order.
    fn restored(&self) -> Vec<Message> {
        self.merged
            .iter()
            .filter(|(_, s)| s.is_some())
            .map(|(m, _)| m.clone())
            .collect()
    }

    /// Whether every removal this plan empties is still listed in `obj`.
    fn all_taken(&self, obj: &ClaudeModelContext) -> bool {
        self.taken.iter().all(|t| obj.removed().contains(t))
    }

    /// Whether none of them is listed any more (a retried write that had landed).
    fn none_taken(&self, obj: &ClaudeModelContext) -> bool {
        !self.taken.iter().any(|t| obj.removed().contains(t))
    }

    /// Where the live history starts in the merged conversation: just after the last sealed
    /// message (`offset` messages are sealed; restored turns between the two go back into the
    /// live part).
    fn live_at(&self, offset: usize) -> usize {
        if offset == 0 {
            return 0;
        }
        self.merged
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| s.is_none())
            .nth(offset - 1)
            .map_or(self.merged.len(), |(i, _)| i + 1)
    }
}

/// How one attempt went: done (with the segments to delete), or to be tried again on a
/// reloaded object.
enum Attempt {
    Done(Vec<String>),
    Again,
}

impl Session {
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
            let plan = self.plan_restore().await?;
            if plan.taken.is_empty() {
                return Ok(Restored {
                    left: plan.left,
                    ..Restored::default()
                });
            }
            let restored = plan.restored();
            let turns = count_turns(&restored) as u64;
            let prefix = plan.merged.iter().take_while(|(_, s)| s.is_some()).count();
            let live_at = plan.live_at(self.obj.history_offset() as usize);
            let attempt = if prefix == restored.len() {
                self.restore_as_first_segments(&plan, &restored, turns)
                    .await?
            } else if plan.merged[..live_at].iter().all(|(_, s)| s.is_none()) {
                self.restore_into_live(&plan, &restored, live_at).await?
            } else {
                anyhow::bail!("the removed turns would go back between turns already sealed into history segments, which restore does not do; `kubectl mcp export` has every stored turn, and status.removed lists the segments holding the removed ones");
            };
            let Attempt::Done(mut delete_after) = attempt else {
                self.reload().await?;
                continue;
            };
            delete_after.extend(plan.unused.iter().cloned());
            self.delete_unreferenced(delete_after).await?;
            let done = Restored {
                turns,
                removals: plan.taken.len(),
                left: plan.left,
            };
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::Restored,
                    format!(
                        "{} removed turns brought back from {} removal(s)",
                        done.turns, done.removals
                    ),
                )
                .await;
            return Ok(done);
        }
        anyhow::bail!("other writers kept changing this context while it was being restored; run restore again")
    }

    /// The conversation as it will read: the stored messages with each removal's turns
    /// spliced in at the position they had, newest removal first.
    async fn plan_restore(&mut self) -> anyhow::Result<Plan> {
        let removals = self.obj.removed().to_vec();
        let present =
            segment::full_history_fresh(&self.cluster, &self.segments, &mut self.obj).await?;
        let mut plan = Plan {
            merged: present.iter().cloned().map(|m| (m, None)).collect(),
            refs: Vec::new(),
            taken: Vec::new(),
            left: 0,
            unused: Vec::new(),
        };
        let mut back_ids = std::collections::HashSet::new();
        for r in removals.iter().rev() {
            let read = self.read_removal(r).await?;
            let all: Vec<&Message> = read.iter().flat_map(|(_, m)| m.iter()).collect();
            let stored = all
                .iter()
                .filter(|m| present.iter().any(|p| p.same(m)))
                .count();
            if !all.is_empty() && stored == all.len() {
                // Still in the conversation: a removal in progress, or interrupted.
                plan.left += 1;
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
                    plan.unused.push(seg.name.clone());
                    continue;
                }
                if again > 0 {
                    anyhow::bail!(
                        "segment {} overlaps another removal; nothing was restored",
                        seg.name
                    );
                }
                back_ids.extend(messages.iter().filter_map(|m| m.id.clone()));
                plan.refs.push(seg.clone());
                let from = plan.refs.len() - 1;
                block.extend(messages.iter().cloned().map(|m| (m, Some(from))));
            }
            let at = (r.from as usize).min(plan.merged.len());
            plan.merged.splice(at..at, block);
            plan.taken.push(r.clone());
        }
        Ok(plan)
    }

    /// The segments of one removal, read.
    async fn read_removal<'r>(
        &self,
        r: &'r crate::model::resource::Removal,
    ) -> anyhow::Result<Vec<(&'r crate::model::resource::SegmentRef, Arc<Vec<Message>>)>> {
        let mut read = Vec::new();
        for seg in &r.segments {
            let messages = self
                .segments
                .read(&self.cluster, &self.namespace, seg)
                .await
                .with_context(|| format!("reading removed turns from segment {}", seg.name))?;
            read.push((seg, messages));
        }
        Ok(read)
    }

    /// Restored turns that begin the conversation: listed as its first segments again (the
    /// removed segments as they are when they follow each other whole, else new ones).
    async fn restore_as_first_segments(
        &mut self,
        plan: &Plan,
        restored: &[Message],
        turns: u64,
    ) -> anyhow::Result<Attempt> {
        let mut order: Vec<usize> = Vec::new();
        for (_, s) in plan.merged[..restored.len()].iter() {
            if let Some(s) = s {
                if order.last() != Some(s) {
                    order.push(*s);
                }
            }
        }
        let whole = order.len() == plan.refs.len() && {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            sorted.dedup();
            sorted.len() == order.len()
        };
        let mut delete_after = Vec::new();
        let listed: Vec<crate::model::resource::SegmentRef> = if whole {
            order.iter().map(|&i| plan.refs[i].clone()).collect()
        } else {
            let made = self.seal_new(restored, false).await?;
            delete_after.extend(plan.refs.iter().map(|r| r.name.clone()));
            made
        };
        let outcome = self.list_restored(plan, restored, turns, &listed).await?;
        if let Written::Stale(why) = outcome {
            tracing::debug!("restoring again: {why}");
            if !whole {
                let names: Vec<String> = listed.iter().map(|r| r.name.clone()).collect();
                self.delete_unreferenced(names).await?;
            }
            return Ok(Attempt::Again);
        }
        Ok(Attempt::Done(delete_after))
    }

    /// List `listed` as the conversation's first segments and empty the removals, in one
    /// guarded status write (the summary of a cleared conversation comes back with it when the
    /// conversation has none now and it counts from the start).
    async fn list_restored(
        &mut self,
        plan: &Plan,
        restored: &[Message],
        turns: u64,
        listed: &[crate::model::resource::SegmentRef],
    ) -> Result<Written, ClusterError> {
        let sealed: Vec<String> = self.obj.segments().iter().map(|s| s.name.clone()).collect();
        let messages = restored.len() as u64;
        let summary = plan
            .taken
            .iter()
            .find(|r| r.summary.is_some() && r.from == 0)
            .map(|r| (r.summary.clone(), r.summary_covers));
        self.update_status("restoring removed turns", |obj, st| {
            if obj.segments().starts_with(listed) && plan.none_taken(obj) {
                return Ok(()); // a retried write that had landed
            }
            if !plan.all_taken(obj) || obj.segments().iter().map(|s| &s.name).ne(sealed.iter()) {
                return Err("the context changed meanwhile".into());
            }
            if st.summary.is_some() {
                st.summary_covers = Some(obj.summary_covers() + messages);
            } else if let Some((s, covers)) = &summary {
                st.summary = s.clone();
                st.summary_covers = *covers;
            }
            let mut segments = listed.to_vec();
            segments.append(&mut st.segments);
            st.segments = segments;
            st.removed.retain(|r| !plan.taken.contains(r));
            st.turn_count = Some((obj.turns() as u64 + turns) as u32);
            Ok(())
        })
        .await
    }

    /// Restored turns that land in the live history: put back there, at their places (the
    /// live history is `merged[live_at..]`, no seal pending), then the removals emptied.
    async fn restore_into_live(
        &mut self,
        plan: &Plan,
        restored: &[Message],
        live_at: usize,
    ) -> anyhow::Result<Attempt> {
        let live_now = self.obj.spec.context_history.clone();
        let adds: Vec<(usize, Message)> = plan.merged[live_at..]
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| s.is_some())
            .map(|(j, (m, _))| (j, m.clone()))
            .collect();
        let outcome = self
            .patch_guarded("restoring removed turns", Target::Spec, |obj| {
                let h = &obj.spec.context_history;
                if restored.iter().any(|m| h.iter().any(|x| x.same(m))) {
                    return Build::Done; // a retried write that had landed
                }
                if !plan.all_taken(obj)
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
            return Ok(Attempt::Again);
        }
        self.update_status("recording the restored turns", |obj, st| {
            st.removed.retain(|r| !plan.taken.contains(r));
            st.turn_count = Some(obj.turns() as u32);
            Ok(())
        })
        .await?;
        Ok(Attempt::Done(
            plan.refs.iter().map(|r| r.name.clone()).collect(),
        ))
    }
}
