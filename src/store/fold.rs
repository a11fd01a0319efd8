//! Folding: a summary of the oldest turns written with what it covers in one guarded status patch,
//! then the covered messages sealed out of the live object (a second write any process finishes).

use super::*;

/// Summarizing calls one fold may make when other writers keep folding first (each lost race
/// waits a jittered backoff before the next try, so folders fall out of step).
pub(super) const MAX_FOLD_CALLS: u32 = 6;

/// Largest summary accepted (a 1,024-token answer is a few kB in any language).
pub(super) const MAX_SUMMARY_BYTES: usize = 64_000;

/// What [`Session::fold`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Folded {
    /// Messages removed from the stored history.
    pub messages: usize,
    /// A summarizing call was made (false when an earlier run's summary already covered them).
    pub called_claude: bool,
}

impl Session {
    /// Fold the conversation up to message `through` (counted from its very start, sealed
    /// messages included) into `status.summary` with a Claude call, then seal the folded
    /// messages still in the live object into a segment: folding never deletes a turn.
    ///
    /// The summary, with how far it reaches (`summaryCovers`), is one guarded status write that
    /// only lands when the summary and its reach are still the ones this fold started from and
    /// the folded live messages are still there: a concurrent fold is never overwritten and no
    /// turn is folded twice (the loser finds the work done, or folds what is left). Covered
    /// messages leave every window at once; sealing them is a second step that any process
    /// finishes ([`Session::finish_fold`]), so a crash in between loses nothing.
    pub async fn fold(&mut self, client: &ClaudeClient, through: u64) -> anyhow::Result<Folded> {
        self.ensure_writable().await?;
        let mut done = Folded::default();
        // (previous summary, reach, end, what was folded) → the summary Claude wrote for them.
        let mut written: Option<(Option<String>, u64, u64, String, String)> = None;
        let mut races = 0;
        loop {
            self.finish_fold().await?;
            let Some((covers, end, folded)) = self.next_piece(through).await? else {
                return Ok(done);
            };
            let previous = summary_of(&self.obj).map(str::to_string);
            let budget = summary_budget(&self.obj.spec);
            let fp = segment::digest(&folded);
            let sealed_part = overlapping_segments(&self.obj, covers, end);
            let text = match &written {
                Some((p, c, e, f, text))
                    if *p == previous && *c == covers && *e == end && *f == fp =>
                {
                    text.clone()
                }
                _ => {
                    if races == MAX_FOLD_CALLS {
                        anyhow::bail!("other writers kept folding this context; {races} summaries were written and each lost the race (nothing was lost)");
                    }
                    let text = self
                        .summary_for(client, previous.as_deref(), &folded, budget)
                        .await?;
                    done.called_claude = true;
                    written = Some((previous.clone(), covers, end, fp.clone(), text.clone()));
                    text
                }
            };
            let outcome = self
                .write_summary(
                    &text,
                    previous.as_deref(),
                    (covers, end),
                    &sealed_part,
                    &folded,
                )
                .await?;
            if let Written::Stale(why) = outcome {
                tracing::debug!("the summary was not written ({why}); computing the fold again");
                races += 1;
                tokio::time::sleep(backoff(races + 2)).await;
                self.reload().await?;
                continue;
            }
            done.messages += folded.len();
            self.events
                .emit(&self.obj, Lifecycle::Summarized, folded_note(folded.len()))
                .await;
            self.finish_fold().await?;
            // A piece: the next one folds into this summary.
        }
    }

    /// The next piece to fold towards `through`: where it starts and ends in the conversation,
    /// and its messages; `None` when the summary already reaches that far. More than one
    /// request can hold: the piece is the oldest part that fits one summary request.
    async fn next_piece(
        &mut self,
        through: u64,
    ) -> anyhow::Result<Option<(u64, u64, Vec<Message>)>> {
        let covers = self.obj.summary_covers();
        let mut end = through.min(self.obj.conversation_len());
        if covers >= end {
            return Ok(None);
        }
        let mut folded = self.messages_between_fresh(covers, end).await?;
        let previous = summary_of(&self.obj);
        let fit = summarize::fitting(previous, &folded, summary_budget(&self.obj.spec));
        if fit < folded.len() {
            folded.truncate(fit);
            end = covers + fit as u64;
        }
        Ok(Some((covers, end, folded)))
    }

    /// Ask Claude for the summary of `folded` after `previous` (usage recorded as a side
    /// request). An empty answer, or one far past a summary's cap, is refused.
    async fn summary_for(
        &mut self,
        client: &ClaudeClient,
        previous: Option<&str>,
        folded: &[Message],
        budget: u64,
    ) -> anyhow::Result<String> {
        let request = summarize::request(&self.obj.spec.model_name, previous, folded, budget);
        let reply = client.send(&request).await?;
        self.record_call_usage(&reply, true).await;
        if reply.text.trim().is_empty() {
            anyhow::bail!("the summarizing call returned no text");
        }
        // A summary is capped at SUMMARY_MAX_TOKENS; anything far larger would only push the
        // object toward etcd's limit. Refuse it and let the caller truncate.
        if reply.text.len() > MAX_SUMMARY_BYTES {
            anyhow::bail!("the summarizing call returned {} bytes, more than a summary may take ({MAX_SUMMARY_BYTES})", reply.text.len());
        }
        Ok(reply.text.trim().to_string())
    }

    /// The summary with its reach, in one guarded status write that lands only when the
    /// summary, its reach, the segments over the folded range and the folded live messages are
    /// still the ones this fold started from.
    async fn write_summary(
        &mut self,
        text: &str,
        previous: Option<&str>,
        (covers, end): (u64, u64),
        sealed_part: &[String],
        folded: &[Message],
    ) -> Result<Written, ClusterError> {
        self.update_status("writing the summary", |obj, st| {
            if summary_of(obj) != previous
                || obj.summary_covers() != covers
                || overlapping_segments(obj, covers, end) != sealed_part
                || !still_holds(obj, covers, folded)
            {
                return Err("another writer folded or changed these turns first".into());
            }
            st.summary = Some(text.to_string());
            st.summary_covers = Some(end);
            Ok(())
        })
        .await
    }

    /// Fold all but the last `keep` turns (`summarize --keep-last`, `/summarize`): the turns
    /// that came before them when this was asked. Turns other writers add meanwhile are not
    /// chased, and turns another fold took meanwhile are not folded again.
    pub async fn fold_keeping(
        &mut self,
        client: &ClaudeClient,
        keep: usize,
    ) -> anyhow::Result<Folded> {
        let through = self.obj.history_offset()
            + (self.obj.covered() + self.messages_before_last_turns(keep)) as u64;
        self.fold(client, through).await
    }

    /// Finish what interrupted or concurrent runs left half done: remove from the live object
    /// the messages already sealed, migrate ConfigMap archives of older versions, and seal the
    /// messages the summary covers. Returns how many messages left the live object.
    pub async fn finish_fold(&mut self) -> anyhow::Result<usize> {
        self.migrate_archives().await?;
        let mut moved = self.trim_sealed().await?;
        if self.obj.covered() > self.obj.pending_trim() {
            moved += self
                .seal_head(&|obj: &ClaudeModelContext| obj.covered())
                .await?;
        }
        Ok(moved)
    }

    /// Seal the turns a server-side compaction replaced (everything before the turn whose
    /// answer holds the newest compaction block): kept, never sent again. Idempotent, and any
    /// process finishes it.
    pub(super) async fn seal_before_compaction(&mut self) -> anyhow::Result<usize> {
        if self.obj.spec.summarization_strategy != SummarizationStrategy::Server
            || compaction_turn_start(&self.obj.spec.context_history).unwrap_or(0)
                <= self.obj.pending_trim()
        {
            return Ok(0);
        }
        self.seal_head(&|obj: &ClaudeModelContext| {
            compaction_turn_start(&obj.spec.context_history).unwrap_or(0)
        })
        .await
    }
}

/// The Event of a fold.
fn folded_note(messages: usize) -> String {
    format!("folded {messages} messages into status.summary")
}
