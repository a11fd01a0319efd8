//! The summarizing request (pure): the previous summary plus the turns leaving the window → a
//! new summary. Used by the `summarize_oldest` and `hybrid` strategies, `/summarize` and
//! `kubectl mcp summarize`.

use crate::claude::{Content, MessagesRequest, RequestMessage, System};
use crate::engine::tokens;
use crate::model::resource::{Message, Role};

/// Answer cap of a summarizing call.
pub const SUMMARY_MAX_TOKENS: u32 = 1024;

const INSTRUCTIONS: &str =
    "You maintain the running summary of a conversation between a user and an AI assistant. \
Older turns are removed from the conversation and only your summary of them is kept, so it must \
preserve everything needed to continue: facts, decisions, names, numbers, commands, code \
identifiers, open questions and the user's preferences. Write plain prose or terse bullet points, \
in the conversation's language, without preamble. Stay under 400 words.";

/// Estimated prompt tokens of a summarizing request around the turns: the instructions, the
/// previous summary, the framing and the request overhead.
fn fixed_tokens(previous: Option<&str>) -> u64 {
    u64::from(tokens::estimate(INSTRUCTIONS))
        + previous.map_or(0, |p| u64::from(tokens::estimate(p)))
        + u64::from(tokens::estimate(FRAMING))
        + u64::from(tokens::PER_REQUEST_OVERHEAD)
        + u64::from(tokens::PER_MESSAGE_OVERHEAD)
}

/// The framing text around the turns (for its token estimate).
const FRAMING: &str = "Current summary of the earlier conversation:\n<summary>\n</summary>\nTurns to fold into the summary, oldest first:\n<turns>\n</turns>\n\nWrite the updated summary.";

/// How many of `messages` (the oldest first, starting at a turn) one summarizing request can
/// fold within `budget` prompt tokens after `previous`: whole turns (a piece ends before a
/// user message or at the end), and always at least the first turn, which [`request`] shortens
/// if it alone is too large. A long fold is then several calls, each within the model's window.
pub fn fitting(previous: Option<&str>, messages: &[Message], budget: u64) -> usize {
    let mut used = fixed_tokens(previous);
    let mut fits_through = 0;
    for (i, m) in messages.iter().enumerate() {
        used += u64::from(tokens::message_tokens(&m.content)) + 2;
        if used > budget {
            break;
        }
        let turn_ends = messages.get(i + 1).is_none_or(|n| n.role == Role::User);
        if turn_ends {
            fits_through = i + 1;
        }
    }
    if fits_through > 0 {
        return fits_through;
    }
    // Not even the first turn fits: it alone, shortened.
    messages
        .iter()
        .skip(1)
        .position(|m| m.role == Role::User)
        .map_or(messages.len(), |p| p + 1)
}

/// `text` cut to about `max_tokens`, its head and tail kept around a marker of what was left
/// out (a pasted file far larger than the model's window can still be summarized).
fn shortened(text: &str, max_tokens: u64) -> std::borrow::Cow<'_, str> {
    if u64::from(tokens::estimate(text)) <= max_tokens {
        return text.into();
    }
    // Three bytes a token undercounts the estimator's 3.5 ASCII characters, and non-ASCII
    // characters take several bytes: safely within the budget either way.
    let keep = usize::try_from(max_tokens.saturating_mul(3) / 2).unwrap_or(usize::MAX);
    let mut head_end = keep.min(text.len());
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let mut tail_start = text.len().saturating_sub(keep).max(head_end);
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    format!(
        "{}\n[… {} bytes left out of this message for the summary …]\n{}",
        &text[..head_end],
        tail_start - head_end,
        &text[tail_start..]
    )
    .into()
}

/// The request that folds `turns` into `previous`, within `budget` prompt tokens: messages
/// are shortened only when `turns` do not fit as they are (one turn larger than the budget;
/// [`fitting`] chooses pieces that fit otherwise).
pub fn request(
    model: &str,
    previous: Option<&str>,
    turns: &[Message],
    budget: u64,
) -> MessagesRequest {
    let room = budget.saturating_sub(fixed_tokens(previous));
    let total: u64 = turns
        .iter()
        .map(|m| u64::from(tokens::message_tokens(&m.content)) + 2)
        .sum();
    let per_message = if total > room {
        Some((room / turns.len().max(1) as u64).max(64))
    } else {
        None
    };
    let mut prompt = String::new();
    match previous.filter(|p| !p.trim().is_empty()) {
        Some(p) => {
            prompt.push_str("Current summary of the earlier conversation:\n<summary>\n");
            prompt.push_str(p.trim());
            prompt.push_str("\n</summary>\n\n");
        }
        None => prompt.push_str("There is no summary yet.\n\n"),
    }
    prompt.push_str("Turns to fold into the summary, oldest first:\n<turns>\n");
    for m in turns {
        let who = match m.role {
            Role::User => "User",
            Role::Assistant => "Assistant",
        };
        let text = m.content.trim();
        let text = match per_message {
            Some(cap) => shortened(text, cap),
            None => text.into(),
        };
        prompt.push_str(&format!("{who}: {text}\n"));
    }
    prompt.push_str("</turns>\n\nWrite the updated summary.");
    MessagesRequest {
        model: model.to_string(),
        max_tokens: SUMMARY_MAX_TOKENS,
        system: Some(System::Text(INSTRUCTIONS.to_string())),
        messages: vec![RequestMessage {
            role: Role::User,
            content: Content::Text(prompt),
        }],
        stream: false,
        temperature: None,
        context_management: None,
        betas: Vec::new(),
    }
}

pub use crate::model::digest::{fingerprint, short_hex};

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::fixtures::message as m;

    #[test]
    fn the_request_carries_the_previous_summary_and_the_turns() {
        let r = request(
            "m",
            Some("they met"),
            &[m(Role::User, "q1"), m(Role::Assistant, "a1")],
            100_000,
        );
        let v = serde_json::to_value(&r).unwrap();
        let text = v["messages"][0]["content"].as_str().unwrap();
        assert!(text.contains("<summary>\nthey met\n</summary>"));
        assert!(text.contains("User: q1\nAssistant: a1\n"));
        assert_eq!(v["messages"].as_array().unwrap().len(), 1);
        assert!(v["system"].as_str().unwrap().contains("running summary"));
    }

    /// A long fold is cut into pieces of whole turns that each fit the budget, and a single
    /// turn larger than the budget is shortened to fit, its head and tail kept.
    #[test]
    fn pieces_fit_the_budget_and_a_huge_turn_is_shortened() {
        let mut h = Vec::new();
        for i in 0..40 {
            h.push(m(
                Role::User,
                &format!("question {i} {}", "pods ".repeat(40)),
            ));
            h.push(m(
                Role::Assistant,
                &format!("answer {i} {}", "nodes ".repeat(80)),
            ));
        }
        let budget = 2_000;
        let mut at = 0;
        let mut pieces = 0;
        while at < h.len() {
            let n = fitting(Some("they met"), &h[at..], budget);
            assert!(n >= 2 && n.is_multiple_of(2), "whole turns: {n}");
            let r = request("m", Some("they met"), &h[at..at + n], budget);
            let v = serde_json::to_value(&r).unwrap();
            let sent = tokens::estimate(v["messages"][0]["content"].as_str().unwrap())
                + tokens::estimate(v["system"].as_str().unwrap());
            assert!(
                u64::from(sent) <= budget,
                "piece of {n} messages: {sent} tokens"
            );
            assert!(!v.to_string().contains("left out"), "nothing shortened");
            at += n;
            pieces += 1;
        }
        assert!(pieces >= 4, "{pieces} pieces");

        let huge = format!("HEAD {} TAIL", "é€ log line\n".repeat(100_000));
        let turn = [m(Role::User, &huge), m(Role::Assistant, "ok")];
        assert_eq!(fitting(None, &turn, budget), 2);
        let r = request("m", None, &turn, budget);
        let v = serde_json::to_value(&r).unwrap();
        let text = v["messages"][0]["content"].as_str().unwrap();
        assert!(
            u64::from(tokens::estimate(text)) <= budget,
            "{}",
            tokens::estimate(text)
        );
        assert!(text.contains("User: HEAD") && text.contains("TAIL\nAssistant: ok"));
        assert!(text.contains("bytes left out of this message"));
    }

    #[test]
    fn fingerprints_change_with_any_message() {
        let a = [m(Role::User, "q"), m(Role::Assistant, "a")];
        let b = [m(Role::User, "q"), m(Role::Assistant, "b")];
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a[..1]), fingerprint(&a));
    }
}
