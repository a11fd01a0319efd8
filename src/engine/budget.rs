//! Budgets and windows of a stored context, decided from the object alone: the prompt budget
//! (`maxTokens`, else the model's window less the answer and a margin), the compaction
//! trigger, the summary's budget, the token counts of stored messages, and the window the next
//! request would carry. Pure: the store, `get`, the REPL's `/window` and the MCP server all ask
//! here, so they cannot disagree about what is sent.

use crate::engine::summarize;
use crate::engine::tokens;
use crate::engine::window::{self, Window, WindowError};
use crate::model::resource::{
    ClaudeModelContext, ClaudeModelContextSpec, Message, SummarizationStrategy,
    DEFAULT_MAX_OUTPUT_TOKENS,
};

/// The smallest context window of the current Claude models, in tokens: the prompt budget
/// when `spec.maxTokens` is unset and the model is not in the tool's table.
pub const DEFAULT_CONTEXT_WINDOW: u32 = 200_000;

pub fn summary_of(obj: &ClaudeModelContext) -> Option<&str> {
    obj.status.as_ref().and_then(|s| s.summary.as_deref())
}

pub fn ratio_of(obj: &ClaudeModelContext) -> f64 {
    obj.status
        .as_ref()
        .and_then(|s| s.estimate_ratio)
        .unwrap_or(1.0)
}

pub fn message_counts(obj: &ClaudeModelContext) -> Vec<u32> {
    obj.live_history()
        .iter()
        .map(|m| m.tokens.unwrap_or_else(|| tokens::estimate(&m.content)))
        .collect()
}

pub fn input_of<'a>(
    obj: &'a ClaudeModelContext,
    new_message: &'a str,
    ratio: f64,
    counts: &'a [u32],
) -> window::Input<'a> {
    let spec = &obj.spec;
    window::Input {
        system_prompt: spec.system_prompt.as_deref(),
        summary: summary_of(obj),
        history: obj.live_history(),
        message_tokens: Some(counts),
        history_size: spec.history_size,
        max_tokens: Some(prompt_budget(spec)),
        ratio,
        new_message,
    }
}

/// The window for `new_message` over `obj`'s live history, with calibration `ratio`.
pub fn window_of(
    obj: &ClaudeModelContext,
    new_message: &str,
    ratio: f64,
) -> Result<Window, WindowError> {
    let counts = message_counts(obj);
    window::build(&input_of(obj, new_message, ratio, &counts))
}

/// The prompt budget windows are built to: `spec.maxTokens`, else the context window less the
/// answer cap and a 2% margin for the estimate. Without it a long conversation would send every
/// sealed turn, far past what any model takes.
pub fn prompt_budget(spec: &ClaudeModelContextSpec) -> u32 {
    // With server-side compaction `maxTokens` is the compaction trigger: the window itself may
    // use the model's whole window (the server compacts before it gets there).
    let own = match spec.summarization_strategy {
        SummarizationStrategy::Server => None,
        _ => spec.max_tokens,
    };
    own.unwrap_or_else(|| {
        window_room(
            spec,
            spec.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS),
        )
    })
}

/// What a request to `spec`'s model may take as prompt with an answer cap of `answer`: its
/// context window (the server's figure, else the table's, else 200K) less a 2% margin and the
/// answer.
pub fn window_room(spec: &ClaudeModelContextSpec, answer: u32) -> u32 {
    let window = crate::model::catalog::limits(&spec.model_name)
        .map_or(DEFAULT_CONTEXT_WINDOW, |m| m.context_window);
    (window - window / 50).saturating_sub(answer).max(1)
}

/// Input tokens past which the API compacts a `server`-strategy conversation: `maxTokens`,
/// else the API's default (150,000), within the model's window.
pub fn compaction_trigger(spec: &ClaudeModelContextSpec) -> u32 {
    spec.max_tokens
        .unwrap_or_else(|| crate::claude::DEFAULT_COMPACTION_TRIGGER.min(prompt_budget(spec)))
}

/// The prompt budget of a summarizing request: `maxTokens` when set, else the model's window
/// less the summary's answer cap and the same margin as a turn's ([`prompt_budget`]).
pub fn summary_budget(spec: &ClaudeModelContextSpec) -> u64 {
    u64::from(
        spec.max_tokens
            .unwrap_or_else(|| window_room(spec, summarize::SUMMARY_MAX_TOKENS)),
    )
}

/// The token estimate of a stored message (its cached count when it has one).
pub fn message_tokens(m: &Message) -> u32 {
    m.tokens.unwrap_or_else(|| tokens::estimate(&m.content))
}

/// The window before the next message and its estimated tokens ([`window::preview`]), over
/// `history`: the suffix of the conversation the next request is built from (the live
/// messages, and the sealed or restored ones the window reaches), with the same budget,
/// summary, counts and calibration as that request. Every view of the window asks here,
/// through `store::Session::preview`.
pub fn preview_over(
    obj: &ClaudeModelContext,
    history: &[Message],
) -> Result<(Window, u64), WindowError> {
    let counts: Vec<u32> = history.iter().map(message_tokens).collect();
    let input = window::Input {
        history,
        ..input_of(obj, "", ratio_of(obj), &counts)
    };
    window::preview(&input)
}
