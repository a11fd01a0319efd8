//! The windowing engine (SPEC §3): from the stored context and a new user message, the request
//! to send. Pure code, no I/O, so it is property-tested and benchmarked on its own.
//!
//! # What it guarantees
//! The messages start with `user`, alternate, end with the new message, never split a turn, hold
//! at most `historySize` stored turns and fit `maxTokens` by the estimator, and are always the
//! *newest* turns that fit (a suffix of the history).
//!
//! # Why the window moves in chunks
//! Claude bills a repeated prompt prefix at a fraction of the price when it is cached. A window
//! that slides by one turn per request changes its first message every time and never hits the
//! cache. Here the first turn sent can only be one of a grid of turn indices (multiples of
//! [`chunk_size`]); as the history grows the window fills up, then drops a whole chunk at once
//! (down to a low-water mark) and fills again, so consecutive requests share their prefix. The
//! grid is a function of the stored history alone, so no state survives between requests, and
//! compaction that removes whole chunks keeps it aligned.
//!
//! # Odd histories
//! Objects written by hand need not alternate. Consecutive messages of one role are merged into
//! one message (blank line between), leading assistant messages (no question before them) are
//! never sent, and a trailing unanswered user message is not sent either: the new message takes
//! its place.

use std::ops::Range;

use thiserror::Error;

use crate::engine::tokens;
use crate::model::resource::{Message, Role};

/// Turns per chunk when no `historySize` gives a natural one.
pub const DEFAULT_CHUNK: usize = 4;

/// Heading of the summary inside the system prompt, so the model knows what it is.
pub const SUMMARY_HEADING: &str =
    "Summary of the earlier part of this conversation (older turns were condensed into it):";

/// Text stood in for an empty stored message: the API refuses empty content.
pub const EMPTY_PLACEHOLDER: &str = "(empty message)";

/// The stored context and the new message.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// `spec.systemPrompt`.
    pub system_prompt: Option<&'a str>,
    /// `status.summary`.
    pub summary: Option<&'a str>,
    /// `spec.contextHistory`, oldest first.
    pub history: &'a [Message],
    /// Raw token estimate of each history message (same length as `history`), as cached by the
    /// caller; `None` to estimate here (slower on long histories).
    pub message_tokens: Option<&'a [u32]>,
    /// `spec.historySize`.
    pub history_size: Option<u32>,
    /// `spec.maxTokens`: the prompt budget.
    pub max_tokens: Option<u32>,
    /// Calibration ratio learnt from the API's usage (1.0 when unknown).
    pub ratio: f64,
    /// The new user message.
    pub new_message: &'a str,
}

/// One block of the top-level `system` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemBlock {
    /// The text.
    pub text: String,
    /// Put a cache breakpoint after this block.
    pub cache: bool,
}

/// One message of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowMessage {
    /// `user` or `assistant`.
    pub role: Role,
    /// The text (stored messages of one role merged).
    pub content: String,
    /// Put a cache breakpoint after this message (the newest stored turn).
    pub cache: bool,
    /// Blocks stored with the message to send back before its text, verbatim (a `compaction`
    /// block).
    pub blocks: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// What to send, and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The system blocks: the system prompt, then the marked summary.
    pub system: Vec<SystemBlock>,
    /// The messages, ending with the new user message.
    pub messages: Vec<WindowMessage>,
    /// Stored turns sent.
    pub turns_sent: usize,
    /// Index into the history of the first stored message sent (`history.len()` if none).
    pub first_sent: usize,
    /// History messages outside the window because of `historySize` (summarizing strategies
    /// fold these into the summary).
    pub left_by_history: Range<usize>,
    /// History messages outside the window because of the token budget alone.
    pub left_by_tokens: Range<usize>,
    /// Estimated prompt tokens, calibrated.
    pub estimated_tokens: u64,
    /// The same, before calibration (what calibration compares with the API's count).
    pub raw_estimated_tokens: u64,
}

impl Window {
    /// The whole `system` text, blocks joined, or `None`.
    pub fn system_text(&self) -> Option<String> {
        if self.system.is_empty() {
            None
        } else {
            Some(
                self.system
                    .iter()
                    .map(|b| b.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            )
        }
    }
}

/// Why no request can be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WindowError {
    /// The new message is empty or only whitespace.
    #[error("the message is empty: there is nothing to send")]
    EmptyMessage,
    /// Even with no history at all, the system prompt, summary and new message exceed the budget.
    #[error("the message does not fit the prompt budget: it needs about {needed} tokens with the system prompt and summary, and maxTokens is {budget}; shorten it, or raise the budget with `kubectl mcp set SESSION --max-tokens N`")]
    TooLarge {
        /// Estimated tokens of system + summary + new message.
        needed: u64,
        /// `maxTokens`.
        budget: u64,
    },
}

/// A turn: the messages `[start, end)`, user part first, answer part from `answer`.
#[derive(Debug, Clone, Copy)]
struct Turn {
    start: usize,
    answer: usize,
    end: usize,
    tokens: u64,
}

/// Grid spacing for a `historySize`: half of it, rounded up (the low-water mark is half full).
pub fn chunk_size(history_size: Option<u32>) -> usize {
    match history_size {
        Some(h) if h > 0 => (h as usize).div_ceil(2),
        _ => DEFAULT_CHUNK,
    }
}

/// Build the request window.
pub fn build(input: &Input<'_>) -> Result<Window, WindowError> {
    if input.new_message.trim().is_empty() {
        return Err(WindowError::EmptyMessage);
    }
    let history = input.history;
    let tok = |i: usize| -> u64 {
        match input.message_tokens {
            Some(t) if t.len() == history.len() => {
                u64::from(t[i]) + u64::from(tokens::PER_MESSAGE_OVERHEAD)
            }
            _ => u64::from(tokens::message_tokens(&history[i].content)),
        }
    };
    let (turns, pending_start) = group_turns(history, &tok);

    // Fixed part: system, summary, new message, request overhead.
    let system = system_blocks(input);
    let fixed_raw: u64 = system
        .iter()
        .map(|b| u64::from(tokens::estimate(&b.text)))
        .sum::<u64>()
        + u64::from(tokens::message_tokens(input.new_message))
        + u64::from(tokens::PER_REQUEST_OVERHEAD);
    let budget = input.max_tokens.map(u64::from);
    if !fits(budget, input.ratio, fixed_raw) {
        return Err(WindowError::TooLarge {
            needed: tokens::scale(fixed_raw, input.ratio),
            budget: budget.unwrap_or(0),
        });
    }

    // suffix[i] = raw tokens of turns[i..]
    let n = turns.len();
    let mut suffix = vec![0u64; n + 1];
    for i in (0..n).rev() {
        suffix[i] = suffix[i + 1] + turns[i].tokens;
    }
    let (start, by_history) = choose_start(input, &suffix, fixed_raw);
    let msg_start = |t: usize| -> usize {
        if t < n {
            turns[t].start
        } else {
            pending_start
        }
    };
    let (messages, refused) = messages_of(history, &turns[start..], input.new_message);
    let raw = fixed_raw + suffix[start];
    Ok(Window {
        system,
        messages,
        turns_sent: n - start - refused,
        first_sent: msg_start(start),
        left_by_history: 0..msg_start(by_history),
        left_by_tokens: msg_start(by_history)..msg_start(start),
        estimated_tokens: tokens::scale(raw, input.ratio),
        raw_estimated_tokens: raw,
    })
}

/// Whether `raw` estimated tokens, calibrated by `ratio`, fit `budget` (no budget: anything).
fn fits(budget: Option<u64>, ratio: f64, raw: u64) -> bool {
    budget.is_none_or(|b| tokens::scale(raw, ratio) <= b)
}

/// The system prompt and the summary, each a cached block of its own (blank ones left out).
fn system_blocks(input: &Input<'_>) -> Vec<SystemBlock> {
    let mut system = Vec::new();
    if let Some(p) = input.system_prompt.filter(|p| !p.trim().is_empty()) {
        system.push(SystemBlock {
            text: p.to_string(),
            cache: true,
        });
    }
    if let Some(s) = input.summary.filter(|s| !s.trim().is_empty()) {
        system.push(SystemBlock {
            text: format!("{SUMMARY_HEADING}\n\n{s}"),
            cache: true,
        });
    }
    system
}

/// The first turn sent, and the first turn `historySize` alone would allow, given the raw
/// tokens of each suffix of the turns (`suffix[i]` is turns `i..`; `suffix.len()` is the turn
/// count plus one) and of the fixed part. Starts move on a grid so that the window's prefix,
/// and so the prompt cache, stays put from turn to turn.
fn choose_start(input: &Input<'_>, suffix: &[u64], fixed_raw: u64) -> (usize, usize) {
    let n = suffix.len() - 1;
    let budget = input.max_tokens.map(u64::from);
    let fit = |s: usize| fits(budget, input.ratio, fixed_raw + suffix[s]);
    let chunk = chunk_size(input.history_size);
    let h = input.history_size.map_or(usize::MAX, |h| h as usize);
    // Start allowed by historySize: on the grid, at or after the first index that keeps ≤ h turns.
    let min_by_history = n.saturating_sub(h);
    let by_history = align_up(min_by_history, chunk).min(n);
    // Without historySize the budget alone moves the window, and a grid of turn counts would drop
    // a few turns at a time, rewriting a nearly full window's cache each time. The grid is then in
    // tokens: a turn is a start when it begins a new half-budget of the history, so the window
    // falls to about half the budget when it overflows and refills from there.
    let token_grid = match (input.history_size, budget) {
        (None, Some(b)) => Some((b / 2).max(1)),
        _ => None,
    };
    let on_grid = |s: usize| match token_grid {
        _ if s == n => true,
        Some(g) => s == 0 || (suffix[0] - suffix[s]) / g != (suffix[0] - suffix[s - 1]) / g,
        None => s.is_multiple_of(chunk),
    };
    // Then the first grid start (or n: no history) that also fits the budget. If none on the grid
    // fits but an off-grid start does, take the newest-keeping one rather than send nothing.
    let grid_fit = (by_history..=n).filter(|&s| on_grid(s)).find(|&s| fit(s));
    let start = match grid_fit {
        Some(s) if s < n || by_history == n => s,
        _ => (by_history..=n).find(|&s| fit(s)).unwrap_or(n),
    };
    (start, by_history)
}

/// The messages sent for `turns` of `history`, then the new message; the last history message
/// carries the cache breakpoint. Also returns how many turns were left out as refused.
fn messages_of(
    history: &[Message],
    turns: &[Turn],
    new_message: &str,
) -> (Vec<WindowMessage>, usize) {
    let mut messages = Vec::with_capacity(2 * turns.len() + 1);
    let mut refused = 0;
    for t in turns {
        // A refused exchange is dropped from requests (the API's advice: sent back, the
        // refusal tends to continue).
        if history[t.answer..t.end]
            .iter()
            .any(|m| m.markers.contains(&crate::model::resource::Marker::Refusal))
        {
            refused += 1;
            continue;
        }
        messages.push(WindowMessage {
            role: Role::User,
            content: merged(&history[t.start..t.answer]),
            cache: false,
            blocks: Vec::new(),
        });
        messages.push(WindowMessage {
            role: Role::Assistant,
            content: merged(&history[t.answer..t.end]),
            cache: false,
            blocks: history[t.answer..t.end]
                .iter()
                .flat_map(|m| m.blocks.iter().cloned())
                .collect(),
        });
    }
    if let Some(last) = messages.last_mut() {
        last.cache = true;
    }
    messages.push(WindowMessage {
        role: Role::User,
        content: new_message.to_string(),
        cache: false,
        blocks: Vec::new(),
    });
    (messages, refused)
}

/// The one-character stand-in for the next message when showing what would be sent now.
pub const PROBE: &str = "?";

/// The window as it stands before the next message (`input.new_message` is ignored), and its
/// estimated tokens without that message: what `get`, `/window`, `/tokens` and the REPL prompt
/// show.
pub fn preview(input: &Input<'_>) -> Result<(Window, u64), WindowError> {
    let w = build(&Input {
        new_message: PROBE,
        ..*input
    })?;
    let before = w
        .estimated_tokens
        .saturating_sub(u64::from(tokens::message_tokens(PROBE)));
    Ok((w, before))
}

fn align_up(x: usize, chunk: usize) -> usize {
    x.div_ceil(chunk) * chunk
}

/// Join a run of same-role messages; an empty result becomes [`EMPTY_PLACEHOLDER`].
fn merged(run: &[Message]) -> String {
    let text = if run.len() == 1 {
        run[0].content.clone()
    } else {
        run.iter()
            .map(|m| m.content.as_str())
            .filter(|c| !c.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    if text.trim().is_empty() {
        EMPTY_PLACEHOLDER.to_string()
    } else {
        text
    }
}

/// Complete turns (user run + assistant run), and where the trailing unanswered user run starts
/// (`history.len()` when there is none). Leading assistant messages belong to no turn.
fn group_turns(history: &[Message], tok: &dyn Fn(usize) -> u64) -> (Vec<Turn>, usize) {
    let mut turns = Vec::new();
    let mut i = 0;
    let len = history.len();
    while i < len && history[i].role == Role::Assistant {
        i += 1;
    }
    while i < len {
        let start = i;
        let mut tokens = 0;
        while i < len && history[i].role == Role::User {
            tokens += tok(i);
            i += 1;
        }
        let answer = i;
        while i < len && history[i].role == Role::Assistant {
            tokens += tok(i);
            i += 1;
        }
        if answer == i {
            // A user run with no answer: only possible at the end.
            return (turns, start);
        }
        turns.push(Turn {
            start,
            answer,
            end: i,
            tokens,
        });
    }
    (turns, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::fixtures::{message as msg, turns as chat};

    fn input<'a>(history: &'a [Message], new: &'a str) -> Input<'a> {
        Input {
            system_prompt: None,
            summary: None,
            history,
            message_tokens: None,
            history_size: None,
            max_tokens: None,
            ratio: 1.0,
            new_message: new,
        }
    }

    #[test]
    fn no_limits_sends_everything_then_the_new_message() {
        let h = chat(3);
        let w = build(&input(&h, "next")).unwrap();
        assert_eq!(w.messages.len(), 7);
        assert_eq!(w.messages[0].content, "question 0");
        assert_eq!(w.messages[6].content, "next");
        assert!(w.messages[5].cache && !w.messages[6].cache);
        assert_eq!(w.turns_sent, 3);
        assert_eq!(w.left_by_history, 0..0);
    }

    #[test]
    fn history_size_drops_whole_chunks() {
        let h = chat(11);
        let w = build(&Input {
            history_size: Some(10),
            ..input(&h, "x")
        })
        .unwrap();
        // 11 turns > 10: the start jumps to the next grid point (chunk 5), keeping 6 turns.
        assert_eq!(w.turns_sent, 6);
        assert_eq!(w.first_sent, 10);
        assert_eq!(w.left_by_history, 0..10);
        assert_eq!(w.messages[0].content, "question 5");
    }

    #[test]
    fn the_budget_drops_more_and_says_which_by_tokens() {
        let h = chat(20);
        let full = build(&input(&h, "x")).unwrap().estimated_tokens;
        let w = build(&Input {
            history_size: Some(16),
            max_tokens: Some((full / 2) as u32),
            ..input(&h, "x")
        })
        .unwrap();
        assert!(w.estimated_tokens <= full / 2);
        // 20 turns, historySize 16: at least 4 turns go, rounded up to the grid (chunk 8) → turn 8,
        // which starts at message 16.
        assert_eq!(w.left_by_history, 0..16);
        assert!(w.left_by_tokens.start == 16 && w.left_by_tokens.end > 16);
    }

    #[test]
    fn system_and_summary_go_to_system_never_to_messages() {
        let h = chat(1);
        let w = build(&Input {
            system_prompt: Some("be brief"),
            summary: Some("they talked about pods"),
            ..input(&h, "x")
        })
        .unwrap();
        assert_eq!(w.system.len(), 2);
        assert_eq!(w.system[0].text, "be brief");
        assert!(w.system[1].text.starts_with(SUMMARY_HEADING));
        assert!(w.system[1].text.ends_with("they talked about pods"));
        assert!(w.messages.iter().all(|m| !m.content.contains("pods")));
    }

    #[test]
    fn a_message_that_cannot_fit_is_an_error() {
        let big = "word ".repeat(2000);
        let err = build(&Input {
            max_tokens: Some(100),
            ..input(&[], &big)
        })
        .unwrap_err();
        assert!(matches!(err, WindowError::TooLarge { budget: 100, .. }));
        assert!(err.to_string().contains("maxTokens is 100"));
        assert_eq!(
            build(&input(&[], "  \n")).unwrap_err(),
            WindowError::EmptyMessage
        );
    }

    #[test]
    fn odd_hand_written_histories_still_alternate() {
        let h = vec![
            msg(Role::Assistant, "orphan greeting"),
            msg(Role::User, "a"),
            msg(Role::User, "b"),
            msg(Role::Assistant, ""),
            msg(Role::Assistant, "c"),
            msg(Role::User, "unanswered"),
        ];
        let w = build(&input(&h, "new")).unwrap();
        let roles: Vec<_> = w.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::User, Role::Assistant, Role::User]);
        assert_eq!(w.messages[0].content, "a\n\nb");
        assert_eq!(w.messages[1].content, "c");
        assert_eq!(w.messages[2].content, "new");
        assert_eq!(w.first_sent, 1);
        let h = vec![msg(Role::User, "q"), msg(Role::Assistant, " ")];
        assert_eq!(
            build(&input(&h, "n")).unwrap().messages[1].content,
            EMPTY_PLACEHOLDER
        );
    }

    #[test]
    fn cached_message_tokens_are_used_when_given() {
        let h = chat(2);
        let counts = vec![1000u32; 4];
        let w = build(&Input {
            message_tokens: Some(&counts),
            ..input(&h, "x")
        })
        .unwrap();
        assert!(w.raw_estimated_tokens > 4000);
        let w = build(&Input {
            ratio: 2.0,
            ..input(&h, "x")
        })
        .unwrap();
        assert_eq!(w.estimated_tokens, w.raw_estimated_tokens * 2);
    }

    #[test]
    fn preview_is_the_window_without_the_next_message() {
        let h = chat(3);
        let (w, before) = preview(&input(&h, "ignored")).unwrap();
        assert_eq!(w.turns_sent, 3);
        assert_eq!(w.messages.last().unwrap().content, PROBE);
        assert_eq!(
            before,
            w.estimated_tokens - u64::from(tokens::message_tokens(PROBE))
        );
    }

    /// A budget alone moves the window on a grid of half budgets: it falls to about half the
    /// budget when it overflows (not by one turn), so most requests keep their prefix, and it
    /// never holds less than about half the budget once the history is longer than that.
    #[test]
    fn a_budget_alone_drops_half_the_budget_at_once() {
        let mut history: Vec<Message> = Vec::new();
        let budget = 2_000u32;
        let (mut starts, mut moves) = (Vec::new(), 0);
        for i in 0..200 {
            let q = format!("question {i} {}", "about pods ".repeat(8));
            let w = build(&Input {
                max_tokens: Some(budget),
                ..input(&history, &q)
            })
            .unwrap();
            assert!(w.estimated_tokens <= u64::from(budget));
            if i > 40 {
                assert!(
                    w.estimated_tokens >= u64::from(budget) / 2 - 100,
                    "turn {i}: {} tokens",
                    w.estimated_tokens
                );
            }
            if starts.last().is_some_and(|&s| s != w.first_sent) {
                moves += 1;
            }
            starts.push(w.first_sent);
            history.push(msg(Role::User, &q));
            history.push(msg(
                Role::Assistant,
                &format!("answer {i} {}", "the node ".repeat(10)),
            ));
        }
        // Each turn is ~50 tokens: a half budget is ~20 turns, so ~10 moves in 200 turns (a
        // one-turn slide would move ~160 times).
        assert!(moves <= 12, "the window moved {moves} times");
    }

    /// A 100-turn chat with historySize 10: most consecutive requests share their prefix.
    #[test]
    fn consecutive_requests_share_their_prefix() {
        let mut history = Vec::new();
        let mut previous: Option<Vec<WindowMessage>> = None;
        let (mut shared, mut pairs) = (0, 0);
        for i in 0..100 {
            let q = format!("question {i}");
            let w = build(&Input {
                history_size: Some(10),
                ..input(&history, &q)
            })
            .unwrap();
            let sent: Vec<_> = w
                .messages
                .iter()
                .map(|m| (m.role, m.content.clone()))
                .collect();
            if let Some(prev) = &previous {
                pairs += 1;
                let prev: Vec<_> = prev.iter().map(|m| (m.role, m.content.clone())).collect();
                if sent.starts_with(&prev) {
                    shared += 1;
                }
            }
            previous = Some(w.messages.clone());
            history.push(msg(Role::User, &q));
            history.push(msg(Role::Assistant, &format!("answer {i}")));
        }
        let rate = shared as f64 / pairs as f64;
        assert!(rate >= 0.8, "prefix kept in {shared}/{pairs}");
    }
}
