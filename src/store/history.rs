//! Reading the conversation: the live object and the sealed segments before it, as a whole, as a
//! range, or as the history a window needs; damaged segments are left out once, with a note, never
//! the whole conversation.

use super::*;

/// Names of the listed segments holding messages `[from, to)` of the conversation.
pub(super) fn overlapping_segments(obj: &ClaudeModelContext, from: u64, to: u64) -> Vec<String> {
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
pub(super) fn still_holds(obj: &ClaudeModelContext, from: u64, messages: &[Message]) -> bool {
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

/// How many of the oldest messages of `live` come before its last `keep` turns.
pub(super) fn messages_before_last_turns(live: &[Message], keep: usize) -> usize {
    // The newest turn is never folded: the conversation goes on from it.
    let keep = keep.max(1);
    let starts = turn_starts(live);
    if starts.len() <= keep {
        0
    } else {
        starts[starts.len() - keep]
    }
}

impl Session {
    /// The whole conversation, sealed segments (through this session's cache) then the live
    /// object.
    pub async fn full_history(&mut self) -> anyhow::Result<Vec<Message>> {
        segment::full_history(&self.cluster, &self.segments, &self.obj).await
    }

    /// Segment `r` through the cache, or `None` when it is damaged (recorded for a warning;
    /// a missing one only when `missing_is_damage`, after the context was read again, since a
    /// merge replaces segments). Other failures (RBAC, the network) are errors.
    pub(super) async fn read_segment(
        &mut self,
        r: &crate::model::resource::SegmentRef,
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

    /// Messages `[from, to)` of the whole conversation (sealed ones read through the cache).
    pub async fn messages_between(&mut self, from: u64, to: u64) -> anyhow::Result<Vec<Message>> {
        self.between(from, to, false).await
    }

    /// [`Session::messages_between`]; the messages of damaged segments are left out (see
    /// [`Session::read_segment`]).
    pub(super) async fn between(
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
    pub(super) async fn window_history_fresh(
        &mut self,
        message: &str,
    ) -> anyhow::Result<(u64, Vec<Message>)> {
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
    pub(super) async fn window_history(
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

    /// The window for `message` over `history` (a suffix of the conversation), with
    /// calibration `ratio`.
    pub(super) fn window_over(
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
}
