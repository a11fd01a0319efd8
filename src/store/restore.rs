//! `restore`: bring back the turns the newest removal moved aside, in their place, once.

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
            let removals = self.obj.removed().to_vec();
            let present =
                segment::full_history_fresh(&self.cluster, &self.segments, &mut self.obj).await?;
            // The conversation as it will read: (message, index into `refs` it comes from).
            let mut merged: Vec<(Message, Option<usize>)> =
                present.iter().cloned().map(|m| (m, None)).collect();
            let mut refs: Vec<crate::model::resource::SegmentRef> = Vec::new();
            let mut taken: Vec<crate::model::resource::Removal> = Vec::new();
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
                let listed: Vec<crate::model::resource::SegmentRef> = if whole {
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
}
