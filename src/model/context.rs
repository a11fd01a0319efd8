//! What a stored context says, read from the object: its turns, the live history (after a
//! half-done seal), segments, removals, state, cost.

use jiff::Timestamp;
use kube::ResourceExt;

use super::resource::*;

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
