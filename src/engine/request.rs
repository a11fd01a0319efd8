//! The request for a window: the one place a window becomes a Messages API body, with cache
//! breakpoints where the window marked them. Pure; the client in `claude` only sends it (and
//! knows no window).

use crate::claude::{
    Block, CacheControl, Content, MessagesRequest, RequestMessage, System, TextBlock,
};
use crate::engine::cache::{Plan, Ttl};
use crate::engine::window::Window;

impl MessagesRequest {
    /// The request for a window. With `cache`, breakpoints go where the window marked them (the
    /// system blocks and the newest stored turn); without, everything is plain text.
    pub fn from_window(model: &str, max_tokens: u32, window: &Window, cache: bool) -> Self {
        let system = if window.system.is_empty() {
            None
        } else if cache {
            Some(System::Blocks(
                window
                    .system
                    .iter()
                    .map(|b| TextBlock::new(&b.text, b.cache))
                    .collect(),
            ))
        } else {
            window.system_text().map(System::Text)
        };
        let messages = window
            .messages
            .iter()
            .map(|m| RequestMessage {
                role: m.role,
                content: if !m.blocks.is_empty() {
                    // Returned blocks go back first, as they came, then the text.
                    let mut blocks: Vec<Block> =
                        m.blocks.iter().cloned().map(Block::Verbatim).collect();
                    blocks.push(Block::Text(TextBlock::new(&m.content, cache && m.cache)));
                    Content::Blocks(blocks)
                } else if cache && m.cache {
                    Content::Blocks(vec![Block::Text(TextBlock::new(&m.content, true))])
                } else {
                    Content::Text(m.content.clone())
                },
            })
            .collect();
        Self {
            model: model.to_string(),
            max_tokens,
            system,
            messages,
            stream: false,
            temperature: None,
            context_management: None,
            betas: Vec::new(),
        }
    }
}

impl MessagesRequest {
    /// The request for a window with the breakpoints of a cache [`Plan`]: on the last system
    /// block, on the new message (writing what is not read), or on the last stored user
    /// message (reading the previous request's entry without writing), with their TTLs; a
    /// one-hour breakpoint never follows a five-minute one.
    pub fn from_window_planned(model: &str, max_tokens: u32, window: &Window, plan: &Plan) -> Self {
        let mut req = Self::from_window(model, max_tokens, window, false);
        let control = |ttl: Ttl| CacheControl {
            kind: "ephemeral",
            ttl: match ttl {
                Ttl::OneHour => Some("1h"),
                Ttl::FiveMinutes => None,
            },
        };
        // The system as blocks, as with fixed TTLs, the last one marked when planned.
        let blocks: Vec<TextBlock> = window
            .system
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let mut t = TextBlock::new(&b.text, false);
                if i + 1 == window.system.len() {
                    t.cache_control = plan.system.map(control);
                }
                t
            })
            .collect();
        if !blocks.is_empty() {
            req.system = Some(System::Blocks(blocks));
        }
        // A five-minute system breakpoint makes any later one five-minute too.
        let later = |ttl: Ttl| match plan.system {
            Some(Ttl::FiveMinutes) => Ttl::FiveMinutes,
            _ => ttl,
        };
        let n = req.messages.len();
        let mut mark = |i: usize, ttl: Ttl| {
            let m = &mut req.messages[i];
            match &mut m.content {
                Content::Text(t) => {
                    let mut b = TextBlock::new(t, false);
                    b.cache_control = Some(control(ttl));
                    m.content = Content::Blocks(vec![Block::Text(b)]);
                }
                Content::Blocks(blocks) => {
                    if let Some(Block::Text(b)) = blocks.last_mut() {
                        b.cache_control = Some(control(ttl));
                    }
                }
            }
        };
        if let Some(back) = plan.read_back {
            if let Some(i) = n.checked_sub(3 + 2 * back as usize) {
                mark(i, later(Ttl::FiveMinutes));
            }
        }
        if let Some(ttl) = plan.tail {
            mark(n - 1, later(ttl));
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claude::COMPACTION_BETA;
    use crate::engine::window::{SystemBlock, WindowMessage};
    use crate::model::resource::Role;
    use serde_json::json;

    fn window() -> Window {
        Window {
            system: vec![SystemBlock {
                text: "be brief".into(),
                cache: true,
            }],
            messages: vec![
                WindowMessage {
                    role: Role::User,
                    content: "q".into(),
                    cache: false,
                    blocks: Vec::new(),
                },
                WindowMessage {
                    role: Role::Assistant,
                    content: "a".into(),
                    cache: true,
                    blocks: Vec::new(),
                },
                WindowMessage {
                    role: Role::User,
                    content: "next".into(),
                    cache: false,
                    blocks: Vec::new(),
                },
            ],
            turns_sent: 1,
            first_sent: 0,
            left_by_history: 0..0,
            left_by_tokens: 0..0,
            estimated_tokens: 10,
            raw_estimated_tokens: 10,
        }
    }

    #[test]
    fn a_plan_places_its_breakpoints_with_one_hour_ones_first() {
        let ttl = |v: &serde_json::Value| v["cache_control"]["ttl"].as_str().map(str::to_string);
        let planned = |plan: &Plan| {
            serde_json::to_value(MessagesRequest::from_window_planned(
                "m",
                1,
                &window(),
                plan,
            ))
            .unwrap()
        };
        // An hour on the system prompt and five minutes on the new message.
        let plan = Plan {
            system: Some(Ttl::OneHour),
            tail: Some(Ttl::FiveMinutes),
            read_back: None,
        };
        let v = planned(&plan);
        assert_eq!(ttl(&v["system"][0]).as_deref(), Some("1h"));
        assert_eq!(
            v["messages"][2]["content"][0]["cache_control"]["type"],
            "ephemeral"
        );
        assert_eq!(ttl(&v["messages"][2]["content"][0]), None);
        assert_eq!(
            v["messages"][1]["content"], "a",
            "no breakpoint on the stored turn"
        );
        // A five-minute system breakpoint makes a later one-hour one five-minute.
        let plan = Plan {
            system: Some(Ttl::FiveMinutes),
            tail: Some(Ttl::OneHour),
            read_back: None,
        };
        let v = planned(&plan);
        assert_eq!(ttl(&v["messages"][2]["content"][0]), None);
        // Reading without writing: the breakpoint on the last stored user message, the system
        // still sent as blocks.
        let plan = Plan {
            system: None,
            tail: None,
            read_back: Some(0),
        };
        let v = planned(&plan);
        assert_eq!(v["system"][0]["text"], "be brief");
        assert!(v["system"][0].get("cache_control").is_none());
        assert_eq!(
            v["messages"][0]["content"][0]["cache_control"]["type"],
            "ephemeral"
        );
        assert_eq!(v["messages"][2]["content"], "next");
    }

    #[test]
    fn the_request_json_is_exactly_the_documented_shape() {
        let req = MessagesRequest::from_window("claude-haiku-4-5", 256, &window(), true);
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({
                "model": "claude-haiku-4-5",
                "max_tokens": 256,
                "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}]},
                    {"role": "user", "content": "next"}
                ]
            })
        );
        let plain = MessagesRequest::from_window("m", 1, &window(), false);
        let v = serde_json::to_value(&plain).unwrap();
        assert_eq!(v["system"], "be brief");
        assert_eq!(v["messages"][1]["content"], "a");
        assert!(v.get("temperature").is_none() && v.get("stream").is_none());
        let count = plain.count_tokens_body();
        assert!(count.get("max_tokens").is_none() && count["system"] == "be brief");
    }

    /// A stored compaction block goes back first, exactly as it came, then the text (with the
    /// breakpoint, one-hour when asked); the compaction edit and its beta ride along.
    #[test]
    fn returned_blocks_go_back_verbatim_before_the_text() {
        let mut w = window();
        let block =
            json!({"type": "compaction", "content": "they met", "encrypted_content": "opaque=="});
        w.messages[1].blocks = vec![block.as_object().unwrap().clone()];
        let req = MessagesRequest::from_window("claude-sonnet-4-6", 256, &w, true)
            .with_one_hour_cache()
            .with_compaction(60_000);
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(
            v["messages"][1]["content"],
            json!([block, {"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "1h"}}])
        );
        assert_eq!(
            v["context_management"],
            json!({"edits": [{"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 60000}}]})
        );
        assert_eq!(req.betas, [COMPACTION_BETA]);
        assert!(v.get("betas").is_none(), "a header, not a body field");
    }
}
