//! Prompt caching as a configuration decides it: whether a context's windows can ever reach
//! its model's cache minimum. Below it the API caches nothing, silently (both cache fields
//! 0), so a user who set a small `historySize` or `maxTokens` to save money pays full price
//! for every turn without being told; `create`, `set` and the REPL's `/set` and `/model` say
//! so, with the smallest setting that would let the cache work.

use crate::engine::budget::{message_tokens, summary_of};
use crate::engine::tokens;
use crate::model::resource::{ClaudeModelContext, SummarizationStrategy};

/// Tokens of an ordinary turn, for a context with too few turns of its own to say: a question
/// of about 80 tokens and an answer of about 400 (the cost benchmark's turn).
pub const ORDINARY_TURN_TOKENS: u64 = 480;

/// Turns a context needs before its own average turn is used instead of an ordinary one.
const OWN_TURNS: usize = 3;

/// Why a context's windows can never be cached, with what would change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverCached {
    /// The model and its cache minimum, tokens.
    pub model: String,
    pub minimum: u64,
    /// The largest window the settings allow, tokens (estimated).
    pub largest: u64,
    /// What limits it (`historySize 4 with turns of about 480 tokens`).
    pub limited_by: String,
    /// The smallest setting that lets a window reach the minimum (`historySize 9`).
    pub enough: String,
}

impl std::fmt::Display for NeverCached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "warning: this context's windows stay under {}'s prompt-cache minimum of {} tokens (at most about {}: {}), so nothing of them is ever cached and every turn is billed at the full input price; a {} or more lets the cache work",
            self.model, self.minimum, self.largest, self.limited_by, self.enough
        )
    }
}

/// When `obj`'s settings keep every window under its model's cache minimum: a `historySize`
/// whose turns (this context's average once it has a few, else ordinary ones) with the
/// system prompt and summary stay under it, or a `maxTokens` under it. `None` when a window
/// can reach it, or the model is not in the table (its minimum is unknown).
pub fn never_cached(obj: &ClaudeModelContext) -> Option<NeverCached> {
    let spec = &obj.spec;
    let model = crate::model::catalog::lookup(&spec.model_name)?;
    let minimum = u64::from(model.cache_min);
    let fixed = u64::from(spec.system_prompt.as_deref().map_or(0, tokens::estimate))
        + u64::from(summary_of(obj).map_or(0, tokens::estimate))
        + 8;
    let turn = turn_tokens(obj);
    let by_history = spec.history_size.map(|h| {
        (
            fixed + u64::from(h) * turn,
            format!("historySize {h} with turns of about {turn} tokens"),
            format!(
                "historySize of {}",
                (minimum.saturating_sub(fixed)).div_ceil(turn.max(1)) + 1
            ),
        )
    });
    // With server-side compaction `maxTokens` is the compaction trigger, not a window limit.
    let by_budget = spec
        .max_tokens
        .filter(|_| spec.summarization_strategy != SummarizationStrategy::Server)
        .map(|b| {
            (
                u64::from(b),
                format!("maxTokens {b}"),
                format!("maxTokens of {}", minimum + turn),
            )
        });
    let (largest, limited_by, enough) = match (by_history, by_budget) {
        (Some(h), Some(b)) => {
            if h.0 <= b.0 {
                h
            } else {
                b
            }
        }
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => return None,
    };
    (largest < minimum).then(|| NeverCached {
        model: spec.model_name.clone(),
        minimum,
        largest,
        limited_by,
        enough,
    })
}

/// Tokens of one of this context's turns: the live turns' average once there are a few,
/// else [`ORDINARY_TURN_TOKENS`].
fn turn_tokens(obj: &ClaudeModelContext) -> u64 {
    let live = obj.live_history();
    let turns = crate::model::resource::count_turns(live);
    if turns < OWN_TURNS {
        return ORDINARY_TURN_TOKENS;
    }
    let total: u64 = live.iter().map(|m| u64::from(message_tokens(m))).sum();
    (total / turns as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{context, messages};

    fn settings(model: &str, history: Option<u32>, budget: Option<u32>) -> ClaudeModelContext {
        let mut c = context("c").model(model).build();
        c.spec.history_size = history;
        c.spec.max_tokens = budget;
        c
    }

    #[test]
    fn small_windows_under_the_minimum_are_named_with_the_setting_that_reaches_it() {
        // Haiku 4.5 keeps nothing under 4,096 tokens: four ordinary turns are about 1,900.
        let w = never_cached(&settings("claude-haiku-4-5", Some(4), None)).unwrap();
        assert_eq!((w.minimum, w.largest), (4096, 4 * 480 + 8));
        assert_eq!(w.enough, "historySize of 10");
        let text = w.to_string();
        assert!(
            text.contains("claude-haiku-4-5's prompt-cache minimum of 4096 tokens")
                && text.contains("historySize 4 with turns of about 480 tokens")
                && text.contains("a historySize of 10 or more"),
            "{text}"
        );
        // The setting it names is enough.
        assert_eq!(
            never_cached(&settings("claude-haiku-4-5", Some(10), None)),
            None
        );
        // The same four turns reach Sonnet 4.5's 1,024.
        assert_eq!(
            never_cached(&settings("claude-sonnet-4-5", Some(4), None)),
            None
        );
        // A budget under the minimum, whatever the history size.
        let w = never_cached(&settings("claude-haiku-4-5", Some(50), Some(3000))).unwrap();
        assert_eq!(w.limited_by, "maxTokens 3000");
        assert_eq!(
            never_cached(&settings("claude-haiku-4-5", None, Some(4096 + 480))),
            None
        );
        // No limit, or a model whose minimum is unknown: nothing to say.
        assert_eq!(
            never_cached(&settings("claude-haiku-4-5", None, None)),
            None
        );
        assert_eq!(never_cached(&settings("my-own-model", Some(1), None)), None);
    }

    #[test]
    fn a_context_with_turns_of_its_own_is_judged_by_them() {
        let mut c = settings("claude-haiku-4-5", Some(4), None);
        // Long turns (about 1,250 tokens a message): four of them pass the minimum.
        c.spec.context_history = messages(12, |i| format!("{i} {}", "word ".repeat(1000)));
        let per_turn = turn_tokens(&c);
        assert!(per_turn > 1100, "{per_turn}");
        assert_eq!(never_cached(&c), None);
        // A long system prompt counts too.
        let mut c = settings("claude-haiku-4-5", Some(4), None);
        c.spec.system_prompt = Some("be brief and exact. ".repeat(500));
        assert_eq!(never_cached(&c), None);
    }
}
