#[test]
fn authors_read_as_user_at_host_with_what_is_known() {
    let a = Author {
        user: Some("alice".into()),
        host: Some("laptop".into()),
        pid: Some(42),
        via: Some("repl".into()),
    };
    assert_eq!(a.to_string(), "alice@laptop (pid 42, repl)");
    assert_eq!(Author::default().to_string(), "someone");
    let odd = Author {
        host: Some("h\x1b[2J".into()),
        ..Default::default()
    };
    assert_eq!(
        odd.to_string(),
        "h\\u{1b}[2J",
        "control characters are escaped"
    );
}

#[test]
fn new_segments_are_numbered_after_removed_ones() {
    let seg = |sequence| SegmentRef {
        name: format!("x-seg-{sequence}"),
        sequence,
        ..Default::default()
    };
    let spec: ClaudeModelContextSpec =
        serde_json::from_value(serde_json::json!({"modelName": "m", "sessionID": "x"})).unwrap();
    let mut o = ClaudeModelContext::new("x", spec);
    assert_eq!(o.next_sequence(), 0);
    o.status = Some(ClaudeModelContextStatus {
        segments: vec![seg(0), seg(1)],
        removed: vec![Removal {
            segments: vec![seg(5)],
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_eq!(o.next_sequence(), 6);
}

use super::*;
use crate::model::fixtures::{context, message, MessageFixture};
use serde_json::json;

fn schema_of(path: &[&str]) -> serde_json::Value {
    let crd = serde_json::to_value(crd()).unwrap();
    let mut v = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    for p in path {
        v = &v["properties"][p];
    }
    v.clone()
}

#[test]
fn crd_names_match_the_spec() {
    let crd = crd();
    assert_eq!(crd.metadata.name.as_deref(), Some(CRD_NAME));
    let names = &crd.spec.names;
    assert_eq!(names.kind, "ClaudeModelContext");
    assert_eq!(names.plural, PLURAL);
    assert_eq!(names.singular.as_deref(), Some("claudemodelcontext"));
    assert_eq!(names.short_names.clone().unwrap(), vec!["cmc", "mctx"]);
    assert_eq!(names.categories.clone().unwrap(), vec!["ai", "mcp"]);
    assert_eq!(crd.spec.scope, "Namespaced");
    let v = &crd.spec.versions[0];
    assert!(v.subresources.as_ref().unwrap().status.is_some());
    let cols: Vec<_> = v
        .additional_printer_columns
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        cols,
        [
            "Model",
            "Session",
            "State",
            "Turns",
            "Tokens",
            "Last Activity",
            "Age",
            "Strategy",
            "Budget",
            "History",
            "Expires",
            "Idle TTL",
            "Cost"
        ]
    );
    let wide: Vec<_> = v
        .additional_printer_columns
        .as_ref()
        .unwrap()
        .iter()
        .filter(|c| c.priority == Some(1))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        wide,
        ["Strategy", "Budget", "History", "Expires", "Idle TTL", "Cost"]
    );
}

#[test]
fn every_spec_and_status_field_has_a_description() {
    for part in ["spec", "status"] {
        let s = schema_of(&[part]);
        let props = s["properties"].as_object().unwrap();
        assert!(!props.is_empty());
        for (name, field) in props {
            assert!(
                field["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{part}.{name} has no description"
            );
        }
    }
    let msg = schema_of(&["spec", "contextHistory"]);
    for (name, field) in msg["items"]["properties"].as_object().unwrap() {
        assert!(field["description"].is_string(), "message.{name}");
    }
}

#[test]
fn schema_carries_enums_bounds_and_required_fields() {
    let spec = schema_of(&["spec"]);
    let required: Vec<_> = spec["required"].as_array().unwrap().iter().collect();
    assert!(required.contains(&&json!("modelName")));
    assert!(required.contains(&&json!("sessionID")));
    assert_eq!(spec["properties"]["sessionID"]["maxLength"], 512);
    assert_eq!(spec["properties"]["sessionID"]["minLength"], 1);
    for f in ["maxTokens", "maxOutputTokens", "historySize"] {
        assert_eq!(spec["properties"][f]["minimum"], 1.0, "{f}");
    }
    assert_eq!(
        spec["properties"]["summarizationStrategy"]["enum"],
        json!(["truncate", "summarize_oldest", "hybrid", "server"])
    );
    assert_eq!(
        spec["properties"]["summarizationStrategy"]["default"],
        json!("truncate")
    );
    assert_eq!(spec["properties"]["expirationTime"]["format"], "date-time");
    let role = &spec["properties"]["contextHistory"]["items"]["properties"]["role"];
    assert_eq!(role["enum"], json!(["user", "assistant"]));
    let state = schema_of(&["status", "currentState"]);
    assert_eq!(state["enum"], json!(["Active", "Expired", "Error"]));
}

#[test]
fn no_field_is_nullable_so_kubectl_explain_shows_every_type() {
    let text = serde_json::to_string(&crd()).unwrap();
    assert!(!text.contains("nullable"));
    assert_eq!(schema_of(&["spec", "historySize"])["type"], "integer");
}

fn with_segments(history: Vec<Message>, sealed: &[Message]) -> ClaudeModelContext {
    let listed = SegmentRef {
        name: "x-seg-000000".into(),
        sequence: 0,
        first_turn: 1,
        last_turn: 1,
        turns: count_turns(sealed) as u64,
        messages: sealed.len() as u32,
        bytes: 1,
        digest: crate::model::digest::digest(sealed),
    };
    context("x").sealed(listed).history(history).build()
}

#[test]
fn a_pending_trim_is_the_sealed_messages_and_nothing_that_looks_like_them() {
    let sealed = [
        message(Role::User, "continue").with_id("a"),
        message(Role::Assistant, "ok").with_id("b"),
    ];
    // Sealed, not yet removed: counted once.
    let mut live = sealed.to_vec();
    live.push(message(Role::User, "continue").with_id("c"));
    live.push(message(Role::Assistant, "ok").with_id("d"));
    let obj = with_segments(live.clone(), &sealed);
    assert_eq!(obj.pending_trim(), 2);
    assert_eq!(obj.history_offset(), 0);
    assert_eq!(obj.turns(), 2);
    assert_eq!(obj.live_history().len(), 2);
    // Removed: the same words again are a new turn, not a pending trim.
    let obj = with_segments(live[2..].to_vec(), &sealed);
    assert_eq!(obj.pending_trim(), 0);
    assert_eq!(obj.history_offset(), 2);
    assert_eq!(obj.conversation_len(), 4);
    assert_eq!(obj.turns(), 2);
}

#[test]
fn the_summary_reach_is_counted_from_the_start_of_the_conversation() {
    let sealed = [
        message(Role::User, "q1").with_id("a"),
        message(Role::Assistant, "a1").with_id("b"),
    ];
    let live = vec![
        message(Role::User, "q2").with_id("c"),
        message(Role::Assistant, "a2").with_id("d"),
        message(Role::User, "q3").with_id("e"),
        message(Role::Assistant, "a3").with_id("f"),
    ];
    let mut obj = with_segments(live, &sealed);
    assert_eq!(obj.summary_covers(), 0, "no summary, no reach");
    let st = obj.status.as_mut().unwrap();
    st.summary = Some("s".into());
    st.summary_covers = Some(4);
    assert_eq!(obj.covered(), 2, "two live messages are covered");
    assert_eq!(obj.live_history()[0].content, "q3");
    // A hand-edited reach past the end is clamped.
    obj.status.as_mut().unwrap().summary_covers = Some(99);
    assert_eq!(obj.summary_covers(), 6);
    assert!(obj.live_history().is_empty());
    // Lying counts never panic.
    obj.status.as_mut().unwrap().segments[0].messages = u32::MAX;
    obj.status.as_mut().unwrap().segments[0].turns = u64::MAX;
    let _ = (
        obj.turns(),
        obj.covered(),
        obj.live_history(),
        obj.conversation_len(),
    );
}

#[test]
fn a_minimal_hand_written_object_deserializes() {
    let obj: ClaudeModelContext = serde_json::from_value(json!({
        "apiVersion": "mcp.dev/v1alpha1",
        "kind": "ClaudeModelContext",
        "metadata": {"name": "x", "namespace": "default"},
        "spec": {"modelName": "claude-haiku-4-5", "sessionID": "x"}
    }))
    .unwrap();
    assert_eq!(
        obj.spec.summarization_strategy,
        SummarizationStrategy::Truncate
    );
    assert!(obj.spec.context_history.is_empty());
    assert_eq!(obj.state(), ContextState::Active);
    assert_eq!(obj.turns(), 0);
    let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    assert!(!obj.is_expired(now));
    let mut past = obj.clone();
    past.spec.expiration_time = Some("2026-01-01T00:00:00Z".parse().unwrap());
    assert!(past.is_expired(now));
}

#[test]
fn a_template_expires_at_once_with_zero_or_a_time_not_to_come() {
    let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let t = |expires_in: Option<u64>, expires_at: Option<&str>| ContextTemplate {
        expires_in: expires_in.map(std::time::Duration::from_secs),
        expires_at: expires_at.map(|s| s.parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(
        t(Some(0), None).expires_at_once(now).as_deref(),
        Some("--expires-in 0")
    );
    for past in ["2026-06-01T00:00:00Z", "2020-01-01T00:00:00Z"] {
        assert!(t(None, Some(past)).expires_at_once(now).is_some(), "{past}");
    }
    assert_eq!(t(Some(1), None).expires_at_once(now), None);
    assert_eq!(
        t(None, Some("2026-06-01T00:00:01Z")).expires_at_once(now),
        None
    );
    assert_eq!(t(None, None).expires_at_once(now), None);
}
