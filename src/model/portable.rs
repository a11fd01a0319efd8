//! The portable form of a context, as `export` writes it and `import` and the MCP server read
//! it: the object minus what the server sets (JSON, or JSON Lines with a header), and the
//! Markdown transcript. A format people keep in files, so its fields do not change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::resource::{
    ClaudeModelContext, ClaudeModelContextSpec, Message, Role, GROUP, VERSION,
};

/// What an export carries besides the spec.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortableMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortableStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// How many messages of the history, from the start, the summary condenses (absent in
    /// exports of older versions, whose history left those messages out).
    #[serde(
        default,
        rename = "summaryCovers",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary_covers: Option<u64>,
}

/// The JSON form: the object minus what the server sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Portable {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: PortableMeta,
    pub spec: ClaudeModelContextSpec,
    #[serde(default)]
    pub status: PortableStatus,
}

/// The JSON Lines header: the same without the history, which follows one message a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: PortableMeta,
    pub spec: serde_json::Value,
    #[serde(default)]
    pub status: PortableStatus,
}

/// The export document of `obj` (its live history only), as JSON: the frame of a transcript
/// page.
pub fn portable_of(obj: &ClaudeModelContext) -> PortableDoc {
    PortableDoc(portable(obj))
}

/// An export document, for the MCP server's pages.
pub struct PortableDoc(pub Portable);

impl PortableDoc {
    /// Its messages.
    pub fn set_history(&mut self, messages: Vec<Message>) {
        self.0.spec.context_history = messages;
    }

    /// How far its summary reaches.
    pub fn set_summary_covers(&mut self, covers: u64) {
        if self.0.status.summary.is_some() {
            self.0.status.summary_covers = Some(covers);
        }
    }

    /// As JSON.
    pub fn to_value(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(&self.0)
    }
}

pub fn portable(obj: &ClaudeModelContext) -> Portable {
    Portable {
        api_version: Some(format!("{GROUP}/{VERSION}")),
        kind: Some("ClaudeModelContext".into()),
        metadata: PortableMeta {
            name: obj.metadata.name.clone(),
            namespace: obj.metadata.namespace.clone(),
            labels: obj.metadata.labels.clone().unwrap_or_default(),
        },
        spec: obj.spec.clone(),
        status: PortableStatus {
            summary: obj.status.as_ref().and_then(|s| s.summary.clone()),
            summary_covers: None,
        },
    }
}

/// A readable transcript (of the messages in `obj.spec.contextHistory`).
pub fn markdown(obj: &ClaudeModelContext) -> String {
    let mut s = markdown_head(obj);
    for m in &obj.spec.context_history {
        s.push_str(&markdown_message(m));
    }
    s
}

/// The transcript's title, settings, system prompt and summary, up to its first message.
pub fn markdown_head(obj: &ClaudeModelContext) -> String {
    let spec = &obj.spec;
    let mut s = format!("# {}\n\n", spec.session_id);
    s.push_str(&format!(
        "- Model: `{}`\n- Resource: `{}/{}`\n- Strategy: {}\n\n",
        spec.model_name,
        obj.namespace_or_default(),
        obj.metadata.name.as_deref().unwrap_or_default(),
        spec.summarization_strategy.as_str()
    ));
    if let Some(p) = &spec.system_prompt {
        s.push_str(&format!("## System prompt\n\n{p}\n\n"));
    }
    if let Some(sum) = obj.status.as_ref().and_then(|st| st.summary.as_deref()) {
        s.push_str(&format!("## Summary of earlier turns\n\n{sum}\n\n"));
    }
    s.push_str("## Transcript\n\n");
    s
}

/// One message of the transcript.
pub fn markdown_message(m: &Message) -> String {
    let who = match m.role {
        Role::User => "User",
        Role::Assistant => "Assistant",
    };
    let by = m
        .author
        .as_ref()
        .map(|a| format!(" by {a}"))
        .unwrap_or_default();
    match m.timestamp {
        Some(t) => format!("**{who}** ({t}){by}:\n\n{}\n\n", m.content),
        None => format!("**{who}**{by}:\n\n{}\n\n", m.content),
    }
}
