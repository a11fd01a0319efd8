//! What calls cost: the usage a context records, per model, priced at the dated table.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::resource::lenient_count;

/// Cumulative usage of a context, per model as it answered.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageTotals {
    /// The total cost in USD (`"0.0421"`), at the tool's dated price table; calls to models
    /// without a price are left out (see `unpricedRequests`).
    #[serde(default, rename = "costUSD", skip_serializing_if = "String::is_empty")]
    pub cost_usd: String,
    /// The same in millionths of a dollar, so that totals add up exactly.
    #[serde(default, rename = "costMicroUSD")]
    pub cost_micro_usd: u64,
    /// Calls whose model has no price in the tool's table.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unpriced_requests: u64,
    /// Per model, as named in the answers.
    #[serde(default)]
    pub models: std::collections::BTreeMap<String, ModelUsage>,
    /// The last call counted: a status write retried after it had landed counts it once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 128))]
    pub last_message_id: Option<String>,
}

pub(super) fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Usage of one model in one context.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelUsage {
    /// Calls for turns.
    #[serde(default)]
    pub requests: u64,
    /// Calls that summarized older turns (counted apart: they are not answers).
    #[serde(default)]
    pub summary_requests: u64,
    /// Input tokens neither read from nor written to the cache.
    #[serde(default)]
    pub input_tokens: u64,
    /// Answer tokens.
    #[serde(default)]
    pub output_tokens: u64,
    /// Input tokens written to the cache.
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    /// Input tokens read from the cache.
    #[serde(default)]
    pub cache_read_input_tokens: u64,
    /// Of the cache writes, those to one-hour entries (billed 2× input, not 1.25×).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_creation_1h_input_tokens: u64,
    /// Cost in millionths of a dollar (0 when the model has no price).
    #[serde(default, rename = "costMicroUSD")]
    pub cost_micro_usd: u64,
}

impl UsageTotals {
    /// Count one call: `summary` for a summarizing call; its one-hour cache writes are priced
    /// at 2× input, the rest at 1.25×. A call already counted (the same message id as the
    /// last one) is not counted again.
    pub fn add(&mut self, model: &str, id: &str, usage: &TokenUsage, summary: bool) {
        if !id.is_empty() && self.last_message_id.as_deref() == Some(id) {
            return;
        }
        let m = self.models.entry(model.to_string()).or_default();
        if summary {
            m.summary_requests += 1;
        } else {
            m.requests += 1;
        }
        m.input_tokens += usage.input_tokens;
        m.output_tokens += usage.output_tokens;
        m.cache_creation_input_tokens += usage.cache_creation_input_tokens;
        m.cache_read_input_tokens += usage.cache_read_input_tokens;
        m.cache_creation_1h_input_tokens += usage.cache_creation_1h_input_tokens;
        match crate::model::catalog::price_of(model) {
            Some(prices) => {
                let cost = crate::model::catalog::cost_micro_usd(
                    &prices,
                    usage.input_tokens,
                    usage.output_tokens,
                    usage.cache_creation_input_tokens,
                    usage.cache_read_input_tokens,
                    usage.cache_creation_1h_input_tokens,
                );
                m.cost_micro_usd += cost;
                self.cost_micro_usd += cost;
            }
            None => self.unpriced_requests += 1,
        }
        self.cost_usd = format!("{:.4}", self.cost_micro_usd as f64 / 1e6);
        self.last_message_id = (!id.is_empty()).then(|| id.chars().take(128).collect());
    }

    /// "14 calls (2 summarizing): 52000 tokens in (48000 read from the cache, 1200 written to
    /// it), 5600 out", for people.
    pub fn describe(&self) -> String {
        let t = self.total();
        format!(
            "{} calls ({} summarizing): {} tokens in ({} read from the cache, {} written to it), {} out",
            t.requests + t.summary_requests,
            t.summary_requests,
            t.input_tokens + t.cache_creation_input_tokens + t.cache_read_input_tokens,
            t.cache_read_input_tokens,
            t.cache_creation_input_tokens,
            t.output_tokens
        )
    }

    /// "$0.0421", saying how many calls had no price to count ("n/a" when none had one).
    pub fn cost_text(&self) -> String {
        let t = self.total();
        let calls = t.requests + t.summary_requests;
        if self.unpriced_requests > 0 && self.unpriced_requests >= calls {
            return format!(
                "n/a ({} call(s) to models without a price)",
                self.unpriced_requests
            );
        }
        let mut s = crate::model::catalog::format_usd(self.cost_micro_usd);
        if self.unpriced_requests > 0 {
            s.push_str(&format!(
                " ({} call(s) to models without a price left out)",
                self.unpriced_requests
            ));
        }
        s
    }

    /// The sum over models.
    pub fn total(&self) -> ModelUsage {
        self.models
            .values()
            .fold(ModelUsage::default(), |mut t, m| {
                t.requests += m.requests;
                t.summary_requests += m.summary_requests;
                t.input_tokens += m.input_tokens;
                t.output_tokens += m.output_tokens;
                t.cache_creation_input_tokens += m.cache_creation_input_tokens;
                t.cache_read_input_tokens += m.cache_read_input_tokens;
                t.cache_creation_1h_input_tokens += m.cache_creation_1h_input_tokens;
                t.cost_micro_usd += m.cost_micro_usd;
                t
            })
    }
}

/// Token usage of one Claude call.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    /// Input tokens neither read from nor written to the prompt cache.
    #[serde(default, deserialize_with = "lenient_count")]
    pub input_tokens: u64,
    /// Tokens of the answer.
    #[serde(default, deserialize_with = "lenient_count")]
    pub output_tokens: u64,
    /// Input tokens written to the prompt cache.
    #[serde(default, deserialize_with = "lenient_count")]
    pub cache_creation_input_tokens: u64,
    /// Input tokens read from the prompt cache (billed at about a tenth).
    #[serde(default, deserialize_with = "lenient_count")]
    pub cache_read_input_tokens: u64,
    /// Of the cache writes, those to one-hour entries (billed 2× input, not 1.25×).
    #[serde(
        default,
        deserialize_with = "lenient_count",
        skip_serializing_if = "is_zero"
    )]
    pub cache_creation_1h_input_tokens: u64,
}
