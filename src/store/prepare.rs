//! Before a call: the window for the next message (making room first, by sealing or folding), the
//! request built from it, and the size checks that refuse a turn before anything is paid for.

use super::*;

/// The most stored bytes one turn (question and answer) may take, so that a turn always fits
/// an object on its own, and an archive chunk.
pub const MAX_TURN_BYTES: usize = 900_000;

/// Stored bytes of an answer message besides its text (role, id, timestamp, tokens, markers).
pub(super) const ANSWER_ENVELOPE: usize = 256;

/// Bytes an appended message adds besides itself (the array's comma).
pub(super) const APPEND_OVERHEAD: usize = 64;

/// Stored bytes a turn for `message` may take in `obj`: the question exactly, plus the largest
/// answer kept for its answer cap. Refuses a message that could never be stored, naming the
/// limit, so that nothing is paid for a turn etcd would refuse.
/// `stored` is `obj`'s own stored size, measured once by the caller.
pub(super) fn turn_room(
    obj: &ClaudeModelContext,
    message: &str,
    stored: usize,
) -> anyhow::Result<usize> {
    check_limits(&obj.spec)?;
    let turn = check_message(message, obj.spec.max_output_tokens)?;
    let history = size::stored_len(&obj.spec.context_history);
    let rest = stored.saturating_sub(history);
    if rest + turn > OBJECT_SIZE_LIMIT {
        return Err(UsageError(format!(
            "context \"{}\" has {rest} bytes besides its history (system prompt, summary, metadata): with this turn ({turn} bytes) it would pass the {OBJECT_SIZE_LIMIT}-byte object limit; shorten the message or the system prompt",
            obj.spec.session_id
        ))
        .into());
    }
    Ok(turn)
}

/// Check a message before any context is created or anything sent: not empty, and a turn
/// holding it (with room for the longest answer kept for `max_output_tokens`) fits what one
/// turn may store. Returns the turn's stored bytes at most.
pub fn check_message(message: &str, max_output_tokens: Option<u32>) -> anyhow::Result<usize> {
    if message.trim().is_empty() {
        return Err(UsageError("the message is empty: there is nothing to send".into()).into());
    }
    let question = size::stored_len(&stored(Role::User, message, now()));
    let max_out = max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS);
    let answer = size::answer_cap(max_out) + ANSWER_ENVELOPE;
    let turn = question + answer + APPEND_OVERHEAD;
    if turn > MAX_TURN_BYTES {
        return Err(UsageError(format!(
            "this message takes {question} bytes as the cluster stores it (control characters and <, >, & take six bytes each); with room for an answer of up to {answer} bytes (maxOutputTokens {max_out}) the turn would need {turn} bytes, more than the {MAX_TURN_BYTES} bytes one turn may take: send a shorter message, or lower the answer cap (`kubectl mcp set SESSION --max-output-tokens N`); nothing was sent"
        ))
        .into());
    }
    Ok(turn)
}

impl Session {
    /// Everything before a call for `message`: finish an interrupted fold, check that the turn
    /// can be stored at all (its exact size, before anything is paid for), make room in the
    /// object, fold what leaves the window when the strategy says so, then build the window
    /// and the request. Warnings for the user come back in `notes` (this module prints nothing).
    pub async fn prepare(
        &mut self,
        client: &ClaudeClient,
        message: &str,
    ) -> anyhow::Result<Prepared> {
        let mut notes = Vec::new();
        // One measurement of the object serves the turn's size check and making room.
        let stored = self.stored_size();
        let incoming = turn_room(&self.obj, message, stored)?;
        self.ensure_writable().await?;
        // What an earlier fold left to seal is finished here, but a failure to (a segment the
        // cluster refuses, a slow apiserver) never stops a turn: the next one tries again.
        if let Err(e) = self.finish_fold().await {
            notes.push(Note::NotSealed(format!("{e:#}")));
        }
        self.make_room_sized(incoming, stored, OBJECT_SIZE_LIMIT)
            .await?;
        if let Err(e) = self.seal_before_compaction().await {
            notes.push(Note::NotSealed(format!("{e:#}")));
        }
        let (mut base, mut history) = self.window_history_fresh(message).await?;
        let mut window = self.window_over(message, &history, self.ratio())?;
        notes.extend(self.take_damage().into_iter().map(Note::SegmentLeftOut));
        let through = fold_target(self.obj.spec.summarization_strategy, base, &window);
        if let Some(through) = through.filter(|t| *t > self.obj.summary_covers()) {
            match self.fold(client, through).await {
                Ok(done) => {
                    tracing::info!(
                        messages = done.messages,
                        "folded the oldest turns into the summary"
                    );
                }
                Err(e) => notes.push(Note::SummaryFailed(format!("{e:#}"))),
            }
            (base, history) = self.window_history_fresh(message).await?;
            window = self.window_over(message, &history, self.ratio())?;
            notes.extend(self.take_damage().into_iter().map(Note::SegmentLeftOut));
        }
        tracing::debug!(from = base, messages = history.len(), "windowed");
        let (window, request, plan) = self
            .checked_window(client, message, &history, window, base)
            .await?;
        // What the answer records in status.promptCache: the plan this very request carries.
        self.cache_plan = plan;
        Ok(Prepared {
            window,
            request,
            notes,
        })
    }

    /// The request for `window` with its cache plan, and near the budget, where the estimate
    /// is not good enough, checked against the API's exact count: a window that is in fact
    /// over is built again with the measured ratio.
    async fn checked_window(
        &self,
        client: &ClaudeClient,
        message: &str,
        history: &[Message],
        window: Window,
        base: u64,
    ) -> anyhow::Result<(Window, MessagesRequest, Option<CachePlan>)> {
        let (request, plan) = self.request_for(&window, base);
        let Some(budget) = self.obj.spec.max_tokens.map(u64::from) else {
            return Ok((window, request, plan));
        };
        if !tokens::needs_exact_count(window.estimated_tokens, budget) {
            return Ok((window, request, plan));
        }
        match client.count_tokens(&request).await {
            Ok(exact) if exact > budget => {
                let ratio = exact as f64 / window.raw_estimated_tokens.max(1) as f64;
                tracing::info!(
                    exact,
                    budget,
                    ratio,
                    "the exact count is over the budget; windowing again"
                );
                let window = self.window_over(message, history, ratio)?;
                let (request, plan) = self.request_for(&window, base);
                Ok((window, request, plan))
            }
            Ok(exact) => {
                tracing::debug!(exact, budget, "the exact count fits the budget");
                Ok((window, request, plan))
            }
            // Compatible servers often lack count_tokens; the estimate stands.
            Err(e) => {
                tracing::debug!(error = %e, "count_tokens unavailable; keeping the estimate");
                Ok((window, request, plan))
            }
        }
    }

    /// Stored bytes a turn for `message` may take: the question exactly, plus the largest
    /// answer the tool will keep for this context's answer cap. Refuses (before anything is
    /// sent or paid for) a message that could never be stored.
    pub fn turn_room(&self, message: &str) -> anyhow::Result<usize> {
        turn_room(&self.obj, message, self.stored_size())
    }

    /// The object's size as stored (Go's JSON encoding, as etcd keeps it), in bytes.
    pub fn stored_size(&self) -> usize {
        size::stored_len(&self.obj)
    }

    /// Keep the live object within its byte budget ([`live_budget`]) once `incoming` more
    /// bytes are stored: seal the oldest whole turns into history segments until it is at an
    /// eighth of the budget (so that sealing happens once per many turns, in segments of most
    /// of a budget each).
    pub async fn make_room(&mut self, incoming: usize) -> anyhow::Result<()> {
        let stored = self.stored_size();
        self.make_room_sized(incoming, stored, live_budget()).await
    }

    /// [`Session::make_room`] for an object whose stored size the caller just measured,
    /// sealing once it would pass `limit`: the budget for a turn's exact size, or the object's
    /// hard limit for the most a turn may take (before a call, so an answer always fits).
    pub(super) async fn make_room_sized(
        &mut self,
        incoming: usize,
        stored: usize,
        limit: usize,
    ) -> anyhow::Result<()> {
        if stored + incoming <= limit {
            return Ok(());
        }
        let cut = |obj: &ClaudeModelContext| room_cut(obj, incoming, limit);
        if cut(&self.obj) == 0 {
            return Ok(());
        }
        let moved = self.seal_head(&cut).await?;
        tracing::info!(moved, "sealed the oldest turns into history segments");
        Ok(())
    }

    /// The request for `window` (which begins at message `base + window.first_sent` of the
    /// conversation): cache breakpoints by the context's pace ([`Session::cache_plan_for`]),
    /// or, when `spec.cacheTTL` fixes the TTL, on the system blocks and the newest stored turn
    /// with that TTL. The plan comes back with it.
    pub(super) fn request_for(
        &self,
        window: &Window,
        base: u64,
    ) -> (MessagesRequest, Option<CachePlan>) {
        let spec = &self.obj.spec;
        let max_output = spec.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS);
        let plan = self.cache_plan_for(window, base);
        let mut request = match &plan {
            Some((plan, _)) => {
                MessagesRequest::from_window_planned(&spec.model_name, max_output, window, plan)
            }
            None => {
                let r = MessagesRequest::from_window(&spec.model_name, max_output, window, true);
                if spec.cache_ttl == Some(crate::model::resource::CacheTtl::OneHour) {
                    r.with_one_hour_cache()
                } else {
                    r
                }
            }
        };
        if spec.summarization_strategy == SummarizationStrategy::Server {
            request = request.with_compaction(compaction_trigger(spec));
        }
        (request, plan)
    }

    /// This request's cache plan from the context's pace (`status.promptCache`), or `None`
    /// when `spec.cacheTTL` fixes the TTL.
    fn cache_plan_for(&self, window: &Window, base: u64) -> Option<CachePlan> {
        use crate::engine::cache;
        let spec = &self.obj.spec;
        if spec.cache_ttl.is_some() {
            return None;
        }
        // A model the table lacks: its minimum is unknown, and a breakpoint under a minimum
        // costs nothing (the API then caches nothing), so none is assumed.
        let minimum =
            crate::model::catalog::lookup(&spec.model_name).map_or(0, |m| u64::from(m.cache_min));
        let ledger = ledger_of(
            self.obj
                .status
                .as_ref()
                .and_then(|s| s.prompt_cache.as_ref()),
        );
        Some(cache::plan_request(
            window,
            base,
            spec.history_size,
            u64::from(prompt_budget(spec)),
            minimum,
            &ledger,
            unix_now(),
        ))
    }

    /// Everything after a successful call: store the turn (in the local journal when the cluster
    /// cannot take it: unreachable, or other writers kept it busy past the write budget), then
    /// status. A status failure is a note, not an error: the turn is safe.
    pub async fn complete(
        &mut self,
        journal: &Journal,
        message: &str,
        reply: &Reply,
        window: &Window,
    ) -> anyhow::Result<Completed> {
        let held = self.hold(journal, message, reply)?;
        self.store_held(journal, held, reply, window).await
    }
}

/// How far the strategy folds before the next request: up to the window's first message
/// (`summarize_oldest`) or what `historySize` leaves out (`hybrid`), counted from the start of
/// the conversation (`base` messages precede the window's history). `None` for the strategies
/// that never fold here (`truncate`; `server`, where the API compacts).
fn fold_target(strategy: SummarizationStrategy, base: u64, window: &Window) -> Option<u64> {
    let through = match strategy {
        SummarizationStrategy::Truncate | SummarizationStrategy::Server => return None,
        SummarizationStrategy::SummarizeOldest => window.first_sent,
        SummarizationStrategy::Hybrid => window.left_by_history.end,
    };
    Some(base + through as u64)
}

/// Seconds since the Unix epoch, the clock of [`crate::engine::cache::Ledger`].
pub(super) fn unix_now() -> u64 {
    u64::try_from(now().as_second()).unwrap_or(0)
}

fn seconds(t: jiff::Timestamp) -> u64 {
    u64::try_from(t.as_second()).unwrap_or(0)
}

/// The engine's view of `status.promptCache`.
pub(super) fn ledger_of(
    status: Option<&crate::model::resource::PromptCacheStatus>,
) -> crate::engine::cache::Ledger {
    let Some(s) = status else {
        return Default::default();
    };
    crate::engine::cache::Ledger {
        last_request: s.last_request_time.map(seconds),
        gaps: s.gaps_seconds.iter().map(|&g| u64::from(g)).collect(),
        window_start: s.window_start,
        tail: s.tail_ttl.map(|t| (t, s.tail_back.unwrap_or(0))),
        system: match (s.system_ttl, s.system_time) {
            (Some(t), Some(at)) => Some((t, seconds(at))),
            _ => None,
        },
    }
}

/// `status.promptCache` from the engine's ledger.
pub(super) fn prompt_cache_of(
    l: &crate::engine::cache::Ledger,
) -> crate::model::resource::PromptCacheStatus {
    let at = |s: u64| jiff::Timestamp::from_second(i64::try_from(s).unwrap_or(0)).ok();
    crate::model::resource::PromptCacheStatus {
        last_request_time: l.last_request.and_then(at),
        gaps_seconds: l
            .gaps
            .iter()
            .map(|&g| u32::try_from(g).unwrap_or(u32::MAX))
            .collect(),
        window_start: l.window_start,
        tail_ttl: l.tail.map(|(t, _)| t),
        tail_back: l.tail.map(|(_, b)| b).filter(|b| *b > 0),
        system_ttl: l.system.map(|(t, _)| t),
        system_time: l.system.and_then(|(_, s)| at(s)),
    }
}

/// A request's cache plan and the shape it was made for.
pub(super) type CachePlan = (crate::engine::cache::Plan, crate::engine::cache::Shape);
