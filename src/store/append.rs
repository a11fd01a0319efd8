//! Storing a turn: the guarded append (a retried append whose first try landed is recognised by
//! its ids), holding an answered turn on disk until the cluster has it, and replaying the journal.

use super::*;

pub(super) fn stored(role: Role, content: &str, at: Timestamp) -> Message {
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
pub(super) fn new_id() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// True when the stored history already holds this turn (both messages, adjacent): a write
/// that did reach the server although the answer to it was lost.
pub(super) fn contains_turn(obj: &ClaudeModelContext, turn: &[Message; 2]) -> bool {
    obj.spec
        .context_history
        .windows(2)
        .any(|w| w[0].same(&turn[0]) && w[1].same(&turn[1]))
}

impl Session {
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

    /// [`Session::stored_anywhere`], asked again of a reloaded object when a segment went away
    /// meanwhile.
    pub(super) async fn stored_anywhere_fresh(
        &mut self,
        turn: &[Message; 2],
    ) -> anyhow::Result<bool> {
        match self.stored_anywhere(turn, false).await {
            Err(e) if segment::is_gone(&e) => {
                self.reload().await?;
                self.stored_anywhere(turn, true).await
            }
            other => other,
        }
    }

    /// True when `turn` is stored: in the live object, or sealed since it was stored (the
    /// newest segments, back to those older than the turn).
    pub(super) async fn stored_anywhere(
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
        let mut notes = answer_notes(reply);
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
            self.after_server_compaction(&mut notes).await;
        }
        Ok(Completed {
            notes,
            journalled: None,
            turn,
        })
    }

    /// After an answer that holds a compaction block: say so in an Event, and seal the turns
    /// the API no longer needs (never sent again; a failure is a note, the next turn tries).
    async fn after_server_compaction(&mut self, notes: &mut Vec<Note>) {
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
    pub(super) async fn store_turn(
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
}

/// What the answer itself tells the person: cut short, or declined.
fn answer_notes(reply: &Reply) -> Vec<Note> {
    let mut notes = Vec::new();
    if reply.was_cut() {
        notes.push(Note::AnswerCut {
            stop_reason: reply.stop_reason.clone().unwrap_or_else(|| "-".into()),
        });
    }
    if reply.stop_reason.as_deref() == Some("refusal") {
        notes.push(Note::Refused);
    }
    notes
}
