//! The Messages API's wire types: the request built from a window, and the reply read back.

use serde::{Deserialize, Serialize};

use crate::model::resource::Role;

/// `anthropic-version` sent with every request.
pub const API_VERSION: &str = "2023-06-01";

/// `POST /v1/messages` body. Sampling parameters are omitted unless set: newer models refuse
/// them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessagesRequest {
    /// Model ID or alias.
    pub model: String,
    /// Cap on the answer's tokens.
    pub max_tokens: u32,
    /// Top-level system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<System>,
    /// The conversation, user first, alternating, ending with a user message.
    pub messages: Vec<RequestMessage>,
    /// Stream the answer as server-sent events.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
    /// Sampling temperature, only when the user set one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Server-side context management (the compaction edit), when the context asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_management: Option<serde_json::Value>,
    /// Beta features the request uses, sent as `anthropic-beta` (not part of the body).
    #[serde(skip)]
    pub betas: Vec<&'static str>,
}

/// The beta that carries the compaction edit.
pub const COMPACTION_BETA: &str = "compact-2026-01-12";

/// The compaction edit's type.
pub const COMPACTION_EDIT: &str = "compact_20260112";

/// The smallest trigger the API takes for the compaction edit, in input tokens.
pub const MIN_COMPACTION_TRIGGER: u32 = 50_000;

/// The API's default trigger for the compaction edit, in input tokens.
pub const DEFAULT_COMPACTION_TRIGGER: u32 = 150_000;

/// `system`: a string, or text blocks when cache breakpoints are placed.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum System {
    /// Plain text.
    Text(String),
    /// Blocks.
    Blocks(Vec<TextBlock>),
}

/// One message.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequestMessage {
    /// `user` or `assistant`.
    pub role: Role,
    /// Text, or blocks when a cache breakpoint is placed on it.
    pub content: Content,
}

/// Message content.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Blocks.
    Blocks(Vec<Block>),
}

/// One content block of a message.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Block {
    /// Text.
    Text(TextBlock),
    /// A block the API returned and wants back exactly as it was (a `compaction` block).
    Verbatim(serde_json::Map<String, serde_json::Value>),
}

/// A `text` content block.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TextBlock {
    /// Always `text`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The text.
    pub text: String,
    /// A cache breakpoint after this block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
}

/// `{"type": "ephemeral"}`, with `"ttl": "1h"` for the long cache.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct CacheControl {
    /// Always `ephemeral`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `1h`; absent for the default five minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<&'static str>,
}

const EPHEMERAL: CacheControl = CacheControl {
    kind: "ephemeral",
    ttl: None,
};

impl TextBlock {
    /// A text block, with the default (five-minute) cache breakpoint after it when `cache`.
    pub fn new(text: &str, cache: bool) -> Self {
        TextBlock {
            kind: "text",
            text: text.to_string(),
            cache_control: cache.then_some(EPHEMERAL),
        }
    }
}

impl MessagesRequest {
    /// Every breakpoint with the one-hour TTL (all of them, so the longer-TTL breakpoints come
    /// first, as the API requires).
    pub fn with_one_hour_cache(mut self) -> Self {
        let mark = |blocks: &mut Vec<TextBlock>| {
            for b in blocks.iter_mut() {
                if let Some(cc) = &mut b.cache_control {
                    cc.ttl = Some("1h");
                }
            }
        };
        if let Some(System::Blocks(blocks)) = &mut self.system {
            mark(blocks);
        }
        for m in &mut self.messages {
            if let Content::Blocks(blocks) = &mut m.content {
                for b in blocks.iter_mut() {
                    if let Block::Text(TextBlock {
                        cache_control: Some(cc),
                        ..
                    }) = b
                    {
                        cc.ttl = Some("1h");
                    }
                }
            }
        }
        self
    }

    /// Ask the API to compact the conversation once its input passes `trigger` tokens
    /// (Anthropic's server-side compaction, a beta).
    pub fn with_compaction(mut self, trigger: u32) -> Self {
        self.context_management = Some(serde_json::json!({
            "edits": [{
                "type": COMPACTION_EDIT,
                "trigger": {"type": "input_tokens", "value": trigger},
            }]
        }));
        if !self.betas.contains(&COMPACTION_BETA) {
            self.betas.push(COMPACTION_BETA);
        }
        self
    }

    /// The `count_tokens` body: the same without `max_tokens`, `stream` and sampling.
    pub fn count_tokens_body(&self) -> serde_json::Value {
        let mut v = serde_json::json!({ "model": self.model, "messages": self.messages });
        if let Some(system) = &self.system {
            v["system"] = serde_json::to_value(system).unwrap_or_default();
        }
        if let Some(cm) = &self.context_management {
            v["context_management"] = cm.clone();
        }
        v
    }
}

/// Token usage of one call.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Usage {
    /// Input tokens not read from or written to the cache.
    #[serde(default)]
    pub input_tokens: u64,
    /// Tokens of the answer.
    #[serde(default)]
    pub output_tokens: u64,
    /// Input tokens written to the cache.
    #[serde(default, deserialize_with = "null_as_zero")]
    pub cache_creation_input_tokens: u64,
    /// Input tokens read from the cache (billed at about a tenth).
    #[serde(default, deserialize_with = "null_as_zero")]
    pub cache_read_input_tokens: u64,
    /// The cache writes by TTL (`cache_creation`), when the server says: a one-hour write is
    /// billed 2× input, a five-minute one 1.25×.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<CacheCreation>,
}

/// `usage.cache_creation`: the tokens written to the cache, by TTL.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CacheCreation {
    /// Written to five-minute entries.
    #[serde(default, deserialize_with = "null_as_zero")]
    pub ephemeral_5m_input_tokens: u64,
    /// Written to one-hour entries.
    #[serde(default, deserialize_with = "null_as_zero")]
    pub ephemeral_1h_input_tokens: u64,
}

fn null_as_zero<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(Option::<u64>::deserialize(d)?.unwrap_or(0))
}

impl Usage {
    /// Add another request's counts (an answer continued after `pause_turn`).
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_creation_input_tokens += other.cache_creation_input_tokens;
        self.cache_read_input_tokens += other.cache_read_input_tokens;
        self.cache_creation = match (self.cache_creation, other.cache_creation) {
            (Some(a), Some(b)) => Some(CacheCreation {
                ephemeral_5m_input_tokens: a.ephemeral_5m_input_tokens
                    + b.ephemeral_5m_input_tokens,
                ephemeral_1h_input_tokens: a.ephemeral_1h_input_tokens
                    + b.ephemeral_1h_input_tokens,
            }),
            (a, b) => a.or(b),
        };
    }

    /// Of the cache writes, those at the one-hour TTL: as the server reports them, or, from a
    /// server that does not, all of them when the request's breakpoints were all one-hour
    /// (`all_one_hour`) and none otherwise.
    pub fn one_hour_writes(&self, all_one_hour: bool) -> u64 {
        match self.cache_creation {
            Some(c) => c
                .ephemeral_1h_input_tokens
                .min(self.cache_creation_input_tokens),
            None if all_one_hour => self.cache_creation_input_tokens,
            None => 0,
        }
    }

    /// Everything that was sent: uncached + cache writes + cache reads.
    pub fn total_input(&self) -> u64 {
        self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens
    }
}

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    /// Message ID.
    pub id: String,
    /// The model that answered (may be the dated ID of an alias).
    pub model: String,
    /// The text blocks, joined; thinking and other blocks are left out.
    pub text: String,
    /// Why the answer ended (`end_turn`, `max_tokens`, …).
    pub stop_reason: Option<String>,
    /// Token usage.
    pub usage: Usage,
    /// The API's `request-id` header.
    pub request_id: Option<String>,
    /// Requests that continued this answer after it stopped with `pause_turn`; `usage` is the
    /// sum over all of them (what was billed).
    #[serde(skip_serializing_if = "is_zero")]
    pub continuations: u32,
    /// Blocks to store with the answer and send back verbatim (a `compaction` block).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<serde_json::Map<String, serde_json::Value>>,
    /// The compaction step's own usage when the API compacted the conversation in this call
    /// (it is included in `usage`, which sums every iteration: what was billed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compaction: Option<Usage>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Reply {
    /// The answer was cut (by `max_tokens`, the window, this tool's size cap, or still paused
    /// after every continuation): worth telling the user.
    pub fn was_cut(&self) -> bool {
        matches!(
            self.stop_reason.as_deref(),
            Some("max_tokens")
                | Some("model_context_window_exceeded")
                | Some("pause_turn")
                | Some(CUT_OFF)
        )
    }
}

/// `stop_reason` of an answer this tool stopped reading because it passed the answer-size cap
/// (a server that ignored `max_tokens`): what arrived is kept, marked as cut.
pub const CUT_OFF: &str = "cut_off_by_client";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hour_writes_come_from_the_servers_breakdown_else_from_the_request() {
        let split: Usage = serde_json::from_value(serde_json::json!({
            "input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 900,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 300, "ephemeral_1h_input_tokens": 600}
        }))
        .unwrap();
        assert_eq!(split.one_hour_writes(false), 600);
        assert_eq!(split.one_hour_writes(true), 600);
        // A server without the breakdown (or with nulls): the request's TTL decides.
        for body in [
            serde_json::json!({"input_tokens": 1, "cache_creation_input_tokens": 900}),
            serde_json::json!({"input_tokens": 1, "cache_creation_input_tokens": 900,
                "cache_creation": null}),
        ] {
            let plain: Usage = serde_json::from_value(body).unwrap();
            assert_eq!(plain.one_hour_writes(false), 0);
            assert_eq!(plain.one_hour_writes(true), 900);
        }
        // Continuations add up, breakdowns included.
        let mut total = split;
        total.add(&split);
        assert_eq!(total.one_hour_writes(false), 1200);
        assert_eq!(total.cache_creation_input_tokens, 1800);
    }
}
