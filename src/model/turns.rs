//! The definitions of a turn in a stored history: where each turn starts, the newest turn, the
//! turn holding the newest compaction block.

use crate::model::resource::{Message, Role};

/// Where each turn starts: a user message at the start or right after an answer (a run of user
/// messages is one turn's question).
pub fn turn_starts(history: &[Message]) -> Vec<usize> {
    history
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            m.role == Role::User && (*i == 0 || history[i - 1].role == Role::Assistant)
        })
        .map(|(i, _)| i)
        .collect()
}

/// Where the turn holding the newest compaction block starts (its question) in `history`:
/// with server-side compaction, requests start there, and what came before is sealed.
pub fn compaction_turn_start(history: &[Message]) -> Option<usize> {
    let k = history.iter().rposition(|m| {
        m.blocks
            .iter()
            .any(|b| b.get("type").and_then(serde_json::Value::as_str) == Some("compaction"))
    })?;
    Some(
        history[..k]
            .iter()
            .rposition(|m| m.role == Role::User)
            .unwrap_or(k),
    )
}

/// Index of the question that starts the newest turn, if the history has one.
pub fn last_turn_start(history: &[Message]) -> Option<usize> {
    turn_starts(history).last().copied()
}
