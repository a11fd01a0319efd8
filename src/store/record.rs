//! What a call leaves in `status`: tokens, cost and calibration after an answer, usage of side
//! requests, errors, the turn count.

use super::*;

impl Session {
    pub(super) async fn record_turn_count(&mut self) -> Result<(), ClusterError> {
        self.update_status("recording the turn count", |obj, st| {
            st.turn_count = Some(obj.turns() as u32);
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Record a successful call in status: `Active`, activity time, measured tokens, usage, the
    /// learnt estimate ratio.
    pub async fn record_success(
        &mut self,
        window: &Window,
        reply: &Reply,
    ) -> Result<(), ClusterError> {
        let usage = &reply.usage;
        let model = self.answering_model(reply);
        let last = self.token_usage(reply);
        self.spent.add(&model, &reply.id, &last, false);
        let at = now();
        // What this request left in the prompt cache, and the pace, for the next one.
        let cache = self.cache_plan.take().map(|(plan, shape)| {
            let ledger = super::prepare::ledger_of(
                self.obj
                    .status
                    .as_ref()
                    .and_then(|s| s.prompt_cache.as_ref()),
            );
            super::prepare::prompt_cache_of(&ledger.after(
                &plan,
                &shape,
                super::prepare::unix_now(),
            ))
        });
        self.update_status("recording the turn", |obj, st| {
            if let Some(c) = &cache {
                st.prompt_cache = Some(c.clone());
            }
            st.current_state = Some(ContextState::Active);
            st.last_activity_time = Some(at);
            st.token_count = Some(usage.total_input() + usage.output_tokens);
            st.turn_count = Some(obj.turns() as u32);
            st.message = None;
            st.last_usage = Some(last);
            st.usage
                .get_or_insert_with(Default::default)
                .add(&model, &reply.id, &last, false);
            // A continued answer (pause_turn) sums several requests' input, and a compacted
            // one was answered from the compaction, not this window: no measure of it.
            if reply.continuations == 0 && reply.compaction.is_none() {
                st.estimate_ratio = Some(tokens::calibrate(
                    obj.status.as_ref().and_then(|s| s.estimate_ratio),
                    window.raw_estimated_tokens,
                    usage.total_input(),
                ));
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// A call's usage as status keeps it, its one-hour cache writes apart (as the server
    /// reports them; from one that does not, by this context's `cacheTTL`).
    pub(super) fn token_usage(&self, reply: &Reply) -> TokenUsage {
        let u = &reply.usage;
        let one_hour = match &self.cache_plan {
            Some((plan, _)) => {
                plan.tail == Some(crate::engine::cache::Ttl::OneHour)
                    || (plan.tail.is_none()
                        && plan.system == Some(crate::engine::cache::Ttl::OneHour))
            }
            None => self.obj.spec.cache_ttl == Some(crate::model::resource::CacheTtl::OneHour),
        };
        TokenUsage {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            cache_creation_input_tokens: u.cache_creation_input_tokens,
            cache_read_input_tokens: u.cache_read_input_tokens,
            cache_creation_1h_input_tokens: u.one_hour_writes(one_hour),
        }
    }

    /// The model to count a call under: the one that answered (else the one asked for), by
    /// its alias when the price table knows it, so that `claude-sonnet-4-5` and its dated ID
    /// are one line of a bill.
    pub(super) fn answering_model(&self, reply: &Reply) -> String {
        let answered = if reply.model.is_empty() {
            &self.obj.spec.model_name
        } else {
            &reply.model
        };
        crate::model::catalog::lookup(answered)
            .map_or_else(|| answered.clone(), |m| m.id.to_string())
    }

    /// Count a call in status that stores no turn: a summarizing call (paid for whether or not
    /// its summary is kept, `summary`), or an answer that could not be kept.
    pub async fn record_call_usage(&mut self, reply: &Reply, summary: bool) {
        let model = self.answering_model(reply);
        let usage = self.token_usage(reply);
        self.spent.add(&model, &reply.id, &usage, summary);
        let written = self
            .update_status("counting a summarizing call", |_, st| {
                st.usage
                    .get_or_insert_with(Default::default)
                    .add(&model, &reply.id, &usage, summary);
                Ok(())
            })
            .await;
        if let Err(e) = written {
            tracing::warn!("the usage of a call was not recorded: {e}");
        }
    }

    /// Record a failed call: `Error` with the message; the history is not touched.
    pub async fn record_error(&mut self, message: &str) -> Result<(), ClusterError> {
        let was_error = self.obj.state() == ContextState::Error;
        self.update_status("recording the error", |_, st| {
            st.current_state = Some(ContextState::Error);
            st.message = Some(message.to_string());
            Ok(())
        })
        .await?;
        if !was_error {
            let first = message.lines().next().unwrap_or(message).to_string();
            self.events.emit(&self.obj, Lifecycle::Error, first).await;
        }
        Ok(())
    }
}
