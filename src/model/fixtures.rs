//! Builders for what tests start from: messages, histories, contexts and sealed segments, so
//! that a test says what it starts with ("a context of forty long turns, a budget of 4,000
//! tokens, its first ten turns sealed") instead of spelling out every field of every struct.
//! Shared by the unit tests beside the code and the integration tests under `tests/` (so it is
//! public, and hidden from the docs); as controller-rs keeps its `fixtures.rs`. Pure data, like
//! the rest of `model`: nothing here does I/O. What needs a cluster or the fake Messages API
//! (a context created through the CLI and grown turn by turn, a scripted fake) is built on
//! these in `tests/common` and in the `fake-claude` crate.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use k8s_openapi::ByteString;

use crate::model::digest::digest;
use crate::model::resource::{
    count_turns, ClaudeModelContext, ClaudeModelContextSpec, ClaudeModelContextStatus,
    ContextState, Marker, Message, Role, SegmentRef, SummarizationStrategy,
};
use crate::model::segment::{
    encode, name_for, ClaudeModelContextSegment, ClaudeModelContextSegmentSpec, ENCODING,
};

/// A message with only a role and a text, as a hand-written object or an older version stores
/// it (no id, no timestamp, no cached token count).
pub fn message(role: Role, text: &str) -> Message {
    Message::plain(role, text)
}

/// A question.
pub fn user(text: &str) -> Message {
    message(Role::User, text)
}

/// An answer.
pub fn assistant(text: &str) -> Message {
    message(Role::Assistant, text)
}

/// Changes to a built message, chained: `user("hi").with_id("q1").marked(Marker::Cut)`.
pub trait MessageFixture: Sized {
    /// With this id (what the tool gives every message it stores).
    fn with_id(self, id: &str) -> Self;
    /// With this cached token count.
    fn with_tokens(self, tokens: u32) -> Self;
    /// With this marker added.
    fn marked(self, marker: Marker) -> Self;
    /// Stored at this time.
    fn at(self, when: jiff::Timestamp) -> Self;
}

impl MessageFixture for Message {
    fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.to_string());
        self
    }
    fn with_tokens(mut self, tokens: u32) -> Self {
        self.tokens = Some(tokens);
        self
    }
    fn marked(mut self, marker: Marker) -> Self {
        self.markers.push(marker);
        self
    }
    fn at(mut self, when: jiff::Timestamp) -> Self {
        self.timestamp = Some(when);
        self
    }
}

/// `n` short turns: "question i" and "answer i", from 0.
pub fn turns(n: usize) -> Vec<Message> {
    (0..n)
        .flat_map(|i| {
            [
                user(&format!("question {i}")),
                assistant(&format!("answer {i}")),
            ]
        })
        .collect()
}

/// `n` messages alternating from a question, the `i`th saying `text(i)`: a history as a
/// script or an older version might have written it.
pub fn messages(n: usize, text: impl Fn(usize) -> String) -> Vec<Message> {
    (0..n)
        .map(|i| {
            let role = if i % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            };
            message(role, &text(i))
        })
        .collect()
}

/// `n` turns of the size people and Claude really write: each question about 300 characters,
/// each answer about 700, every one tagged `[T:ti]` (the tag the fake's summaries list) and
/// given an id, as stored turns have.
pub fn long_turns(n: usize) -> Vec<Message> {
    const Q: &str =
        "why does the pod restart after the config map changes, and what should I check first? ";
    const A: &str = "the deployment rolls its pods when the mounted config map changes; check the events, the probes and the resource limits. ";
    (0..n)
        .flat_map(|i| {
            [
                user(&format!("[T:t{i}] {}", Q.repeat(3))).with_id(&format!("q{i:06}")),
                assistant(&format!("[T:t{i}] {}", A.repeat(6))).with_id(&format!("a{i:06}")),
            ]
        })
        .collect()
}

/// A context as the apiserver would hand it back, built up field by field: `context("demo")`
/// is session `demo` (object `demo`) on model `m`, with no history and an `Active` status.
pub fn context(session: &str) -> ContextFixture {
    let spec = ClaudeModelContextSpec {
        model_name: "m".into(),
        session_id: session.into(),
        max_tokens: None,
        max_output_tokens: None,
        history_size: None,
        context_history: Vec::new(),
        system_prompt: None,
        summarization_strategy: SummarizationStrategy::default(),
        expiration_time: None,
        idle_ttl: None,
        cache_ttl: None,
        redaction: None,
    };
    let mut obj = ClaudeModelContext::new(session, spec);
    obj.metadata.namespace = Some("default".into());
    obj.metadata.uid = Some(format!("uid-{session}"));
    obj.status = Some(ClaudeModelContextStatus {
        current_state: Some(ContextState::Active),
        ..Default::default()
    });
    ContextFixture { obj }
}

/// A context being built; [`ContextFixture::build`] hands it over.
#[derive(Debug, Clone)]
pub struct ContextFixture {
    obj: ClaudeModelContext,
}

impl ContextFixture {
    /// `metadata.name` other than the session ID.
    pub fn named(mut self, name: &str) -> Self {
        self.obj.metadata.name = Some(name.into());
        self
    }
    /// In this namespace.
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.obj.metadata.namespace = Some(namespace.into());
        self
    }
    /// On this model.
    pub fn model(mut self, model: &str) -> Self {
        self.obj.spec.model_name = model.into();
        self
    }
    /// With this prompt budget (`maxTokens`).
    pub fn max_tokens(mut self, tokens: u32) -> Self {
        self.obj.spec.max_tokens = Some(tokens);
        self
    }
    /// With this answer cap (`maxOutputTokens`).
    pub fn max_output_tokens(mut self, tokens: u32) -> Self {
        self.obj.spec.max_output_tokens = Some(tokens);
        self
    }
    /// Keeping at most this many turns in the window (`historySize`).
    pub fn history_size(mut self, turns: u32) -> Self {
        self.obj.spec.history_size = Some(turns);
        self
    }
    /// With this system prompt.
    pub fn system(mut self, prompt: &str) -> Self {
        self.obj.spec.system_prompt = Some(prompt.into());
        self
    }
    /// With this summarization strategy.
    pub fn strategy(mut self, strategy: SummarizationStrategy) -> Self {
        self.obj.spec.summarization_strategy = strategy;
        self
    }
    /// Expiring at this time.
    pub fn expires_at(mut self, when: jiff::Timestamp) -> Self {
        self.obj.spec.expiration_time = Some(when);
        self
    }
    /// Expiring after this long idle (`12h`, `7d`).
    pub fn idle_ttl(mut self, ttl: &str) -> Self {
        self.obj.spec.idle_ttl = Some(ttl.into());
        self
    }
    /// With these messages live in `spec.contextHistory`.
    pub fn history(mut self, messages: Vec<Message>) -> Self {
        self.obj.spec.context_history = messages;
        self
    }
    /// Created at this time.
    pub fn created(mut self, when: jiff::Timestamp) -> Self {
        self.obj.metadata.creation_timestamp = Some(Time(when));
        self
    }
    /// Last active at this time.
    pub fn active_at(mut self, when: jiff::Timestamp) -> Self {
        self.status().last_activity_time = Some(when);
        self
    }
    /// In this state.
    pub fn state(mut self, state: ContextState) -> Self {
        self.status().current_state = Some(state);
        self
    }
    /// With this token count in status.
    pub fn token_count(mut self, tokens: u64) -> Self {
        self.status().token_count = Some(tokens);
        self
    }
    /// With a summary that covers the conversation's first `covers` messages.
    pub fn summary(mut self, text: &str, covers: u64) -> Self {
        let st = self.status();
        st.summary = Some(text.into());
        st.summary_covers = Some(covers);
        self
    }
    /// With this segment listed as sealed (after any listed before it).
    pub fn sealed(mut self, segment: SegmentRef) -> Self {
        self.status().segments.push(segment);
        self
    }
    /// Status changed in a way no other method names.
    pub fn with_status(mut self, change: impl FnOnce(&mut ClaudeModelContextStatus)) -> Self {
        change(self.status());
        self
    }
    /// The context, its status's turn count (what `kubectl get` shows) matching its turns.
    pub fn build(mut self) -> ClaudeModelContext {
        let turns = self.obj.turns() as u32;
        self.status().turn_count = Some(turns);
        self.obj
    }

    fn status(&mut self) -> &mut ClaudeModelContextStatus {
        self.obj.status.get_or_insert_with(Default::default)
    }
}

/// Segment `sequence` of `context` holding `messages`, the turns of the conversation from
/// `first_turn` (1-based) on: encoded and digested as a seal writes it, owned by `owner` when
/// given (what makes it adoptable and garbage-collected with its context). Its listing in the
/// context's status is [`ClaudeModelContextSegment::reference`].
pub fn segment(
    context: &ClaudeModelContext,
    sequence: u32,
    first_turn: u64,
    messages: &[Message],
    owner: Option<OwnerReference>,
) -> ClaudeModelContextSegment {
    let name = context.metadata.name.clone().unwrap_or_default();
    let (data, bytes) = encode(messages).unwrap_or_default();
    let turns = count_turns(messages) as u64;
    let mut labels = std::collections::BTreeMap::new();
    if let Some(uid) = &context.metadata.uid {
        labels.insert(
            crate::model::segment::CONTEXT_UID_LABEL.to_string(),
            uid.clone(),
        );
    }
    ClaudeModelContextSegment {
        metadata: ObjectMeta {
            name: Some(name_for(&name, sequence)),
            namespace: context.metadata.namespace.clone(),
            labels: Some(labels),
            owner_references: owner.map(|o| vec![o]),
            ..Default::default()
        },
        spec: ClaudeModelContextSegmentSpec {
            context: name,
            sequence,
            first_turn,
            last_turn: first_turn + turns - 1,
            messages: messages.len() as u32,
            bytes,
            digest: digest(messages),
            encoding: ENCODING.to_string(),
            data: ByteString(data),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::segment::decode;

    #[test]
    fn a_built_context_counts_its_live_and_sealed_turns() {
        let old = turns(3);
        let base = context("demo").build();
        let seg = segment(&base, 0, 1, &old, None);
        let obj = context("demo")
            .max_tokens(4_000)
            .sealed(seg.reference())
            .history(long_turns(2))
            .build();
        assert_eq!(obj.status.as_ref().and_then(|s| s.turn_count), Some(5));
        assert_eq!(obj.spec.context_history.len(), 4);
        assert!(obj.spec.context_history[0].content.len() > 250);
        assert_eq!(seg.spec.last_turn, 3);
        let back = decode(&seg.spec.data.0, &seg.spec.digest, "s").map_err(|e| e.to_string());
        assert_eq!(back, Ok(old));
    }
}
