//! Kubernetes Events (`events.k8s.io/v1`) on a context for the lifecycle changes the tool makes,
//! so `kubectl describe cmc X` tells the story. Writing an Event never fails a command: a refusal
//! (RBAC, an old server) is logged at debug level and forgotten.

use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Client, Resource};

use crate::model::resource::ClaudeModelContext;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// The context was created.
    Created,
    /// Turns were folded into the summary.
    Summarized,
    /// Turns were removed from the stored history.
    Compacted,
    /// The context was marked expired.
    Expired,
    /// A Claude call failed.
    Error,
    /// The conversation was moved aside (`/clear`).
    Cleared,
    /// The last turn was moved aside (`/undo`).
    Undone,
    /// The last turn was moved aside to be asked again (`/retry`).
    Retried,
    /// Removed turns were brought back (`restore`).
    Restored,
    /// The model was changed (`/model`).
    ModelChanged,
    /// The system prompt was changed (`/system`).
    SystemPromptChanged,
    /// Other settings were changed (`set`, `/set`, `chat` flags).
    SettingsChanged,
    /// The API compacted the conversation (`summarizationStrategy: server`).
    CompactedByServer,
}

impl Lifecycle {
    fn parts(self) -> (EventType, &'static str, &'static str) {
        match self {
            Self::Created => (EventType::Normal, "Created", "Create"),
            Self::Summarized => (EventType::Normal, "Summarized", "Summarize"),
            Self::Compacted => (EventType::Normal, "Compacted", "Compact"),
            Self::Expired => (EventType::Normal, "Expired", "Expire"),
            Self::Error => (EventType::Warning, "ChatFailed", "Chat"),
            Self::Cleared => (EventType::Normal, "Cleared", "Clear"),
            Self::Undone => (EventType::Normal, "Undone", "Undo"),
            Self::Retried => (EventType::Normal, "Retried", "Retry"),
            Self::Restored => (EventType::Normal, "Restored", "Restore"),
            Self::ModelChanged => (EventType::Normal, "ModelChanged", "SetModel"),
            Self::SystemPromptChanged => {
                (EventType::Normal, "SystemPromptChanged", "SetSystemPrompt")
            }
            Self::SettingsChanged => (EventType::Normal, "SettingsChanged", "Set"),
            Self::CompactedByServer => (EventType::Normal, "CompactedByServer", "Chat"),
        }
    }
}

/// Publishes Events as `kubectl-mcp`.
#[derive(Clone)]
pub struct Events {
    recorder: Recorder,
}

impl Events {
    /// A publisher using `client`.
    pub fn new(client: Client) -> Self {
        let instance = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty());
        Self {
            recorder: Recorder::new(
                client,
                Reporter {
                    controller: "kubectl-mcp".into(),
                    instance,
                },
            ),
        }
    }

    /// Record `what` on `obj` with a note. Never fails.
    pub async fn emit(&self, obj: &ClaudeModelContext, what: Lifecycle, note: impl Into<String>) {
        let (type_, reason, action) = what.parts();
        let mut note: String = note.into();
        // The API limits notes to 1 kB.
        if note.len() > 1000 {
            let cut = (0..=1000)
                .rev()
                .find(|i| note.is_char_boundary(*i))
                .unwrap_or(0);
            note.truncate(cut);
        }
        let event = Event {
            type_,
            reason: reason.into(),
            note: Some(note),
            action: action.into(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&event, &obj.object_ref(&())).await {
            tracing::debug!(error = %e, reason, "could not record an Event (ignored)");
        }
    }
}
