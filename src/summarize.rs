//! The summarizing request (pure): the previous summary plus the turns leaving the window → a
//! new summary. Used by the `summarize_oldest` and `hybrid` strategies, `/summarize` and
//! `kubectl mcp summarize`.

use sha2::{Digest, Sha256};

use crate::claude::{Content, MessagesRequest, RequestMessage, System};
use crate::resource::{Message, Role};

/// Answer cap of a summarizing call.
pub const SUMMARY_MAX_TOKENS: u32 = 1024;

const INSTRUCTIONS: &str =
    "You maintain the running summary of a conversation between a user and an AI assistant. \
Older turns are removed from the conversation and only your summary of them is kept, so it must \
preserve everything needed to continue: facts, decisions, names, numbers, commands, code \
identifiers, open questions and the user's preferences. Write plain prose or terse bullet points, \
in the conversation's language, without preamble. Stay under 400 words.";

/// The request that folds `turns` into `previous`.
pub fn request(model: &str, previous: Option<&str>, turns: &[Message]) -> MessagesRequest {
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
        prompt.push_str(&format!("{who}: {}\n", m.content.trim()));
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
    }
}

/// A fingerprint of stored messages, recorded with a new summary so that a run that stopped
/// between writing the summary and compacting the history can tell that these messages are
/// already folded in.
pub fn fingerprint(messages: &[Message]) -> String {
    let mut h = Sha256::new();
    for m in messages {
        h.update(match m.role {
            Role::User => b"u",
            Role::Assistant => b"a",
        });
        h.update(
            m.timestamp
                .map(|t| t.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        h.update([0]);
        h.update(m.content.as_bytes());
        h.update([0]);
    }
    short_hex(h)
}

/// The first 16 bytes of a SHA-256, as hex: the digests this tool records.
pub fn short_hex(h: Sha256) -> String {
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(role: Role, c: &str) -> Message {
        Message {
            role,
            content: c.into(),
            timestamp: None,
            tokens: None,
            id: None,
            markers: Vec::new(),
            author: None,
        }
    }

    #[test]
    fn the_request_carries_the_previous_summary_and_the_turns() {
        let r = request(
            "m",
            Some("they met"),
            &[m(Role::User, "q1"), m(Role::Assistant, "a1")],
        );
        let v = serde_json::to_value(&r).unwrap();
        let text = v["messages"][0]["content"].as_str().unwrap();
        assert!(text.contains("<summary>\nthey met\n</summary>"));
        assert!(text.contains("User: q1\nAssistant: a1\n"));
        assert_eq!(v["messages"].as_array().unwrap().len(), 1);
        assert!(v["system"].as_str().unwrap().contains("running summary"));
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
