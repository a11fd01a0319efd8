//! `chat` with scripted turns: the real binary, the real apiserver, and the fake Messages API.

mod common;

use std::sync::OnceLock;

use common::{stderr, stdout, ControlPlane, Namespace};
use fake_claude::{Config, FakeClaude, Fault, Script};
use kubectl_mcp::model::fixtures::{assistant, context, messages as messages_of, user};
use kubectl_mcp::model::resource::{Role, SummarizationStrategy};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use serde_json::{json, Value};

const KEY: &str = "sk-ant-chat-test-KEY-0123456789";

fn fake() -> FakeClaude {
    common::fake_claude(KEY)
}

fn cp() -> &'static ControlPlane {
    static CP: OnceLock<&'static ControlPlane> = OnceLock::new();
    CP.get_or_init(ControlPlane::with_crd)
}

fn chat(ns: &Namespace, fake: &FakeClaude) -> assert_cmd::Command {
    common::chat_with(ns, fake, KEY)
}

#[test]
fn scripted_turns_are_answered_and_stored_in_order() {
    let ns = cp().namespace("chat");
    let fake = fake();
    chat(&ns, &fake)
        .args([
            "demo",
            "--model",
            "claude-haiku-4-5",
            "--system",
            "be brief",
        ])
        .args(["-m", "first", "-m", "second", "-m", "third"])
        .assert()
        .success()
        .stdout("You said: first\nYou said: second\nYou said: third\n")
        .stderr(contains("created claudemodelcontext.mcp.dev/demo"));
    let o = &ns.contexts()[0];
    let h = &o.spec.context_history;
    assert_eq!(h.len(), 6);
    for (i, q) in ["first", "second", "third"].iter().enumerate() {
        assert_eq!((h[2 * i].role, h[2 * i].content.as_str()), (Role::User, *q));
        assert_eq!(h[2 * i + 1].content, format!("You said: {q}"));
        assert!(h[2 * i].timestamp.is_some() && h[2 * i].tokens.is_some());
    }
    let st = o.status.clone().unwrap();
    assert_eq!(st.current_state.unwrap().as_str(), "Active");
    assert_eq!(st.turn_count, Some(3));
    assert!(st.token_count.unwrap() > 0);
    assert!(st.last_usage.unwrap().output_tokens > 0);
    assert!(st.estimate_ratio.is_some());
    // The system prompt went as `system`; the third request carried the first two turns.
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[2].body["system"][0]["text"], "be brief");
    assert_eq!(reqs[2].body["messages"].as_array().unwrap().len(), 5);
    assert_eq!(reqs[2].body["stream"], true);
}

#[test]
fn json_and_jsonl_output_carry_usage_and_the_window() {
    let ns = cp().namespace("chatjson");
    let fake = fake();
    fake.configure(|c| c.min_cache_tokens = Some(1));
    let out = chat(&ns, &fake)
        .args([
            "s", "--model", "m", "--system", "sys", "-m", "a", "-m", "b", "-o", "jsonl",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["reply"], "You said: a");
    assert_eq!(lines[1]["window"]["turns_sent"], 1);
    assert_eq!(lines[1]["window"]["system"], "sys");
    assert_eq!(
        lines[1]["window"]["messages"],
        serde_json::json!([
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "You said: a"},
            {"role": "user", "content": "b"}
        ])
    );
    assert!(
        lines[1]["usage"]["cache_read_input_tokens"]
            .as_u64()
            .unwrap()
            > 0,
        "{}",
        lines[1]
    );
    let st = ns.contexts()[0].status.clone().unwrap();
    assert!(
        st.last_usage.unwrap().cache_read_input_tokens > 0,
        "status reports cache reads"
    );

    let out = chat(&ns, &fake)
        .args(["s", "-m", "c", "-o", "json"])
        .output()
        .unwrap();
    let arr: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(arr[0]["session"], "s");
    assert_eq!(arr[0]["stop_reason"], "end_turn");
}

#[test]
fn piped_stdin_is_one_message() {
    let ns = cp().namespace("chatstdin");
    let fake = fake();
    chat(&ns, &fake)
        .args(["p", "--model", "m"])
        .write_stdin("line one\nline two\n")
        .assert()
        .success()
        .stdout("You said: line one\nline two\n\n");
    assert_eq!(ns.contexts()[0].spec.context_history.len(), 2);
}

#[test]
fn thirty_turns_on_a_small_budget_send_only_valid_requests() {
    let ns = cp().namespace("chat30");
    let fake = fake();
    let mut cmd = chat(&ns, &fake);
    cmd.args([
        "long",
        "--model",
        "m",
        "--max-tokens",
        "120",
        "--history-size",
        "4",
    ]);
    for i in 0..30 {
        cmd.arg("-m")
            .arg(format!("question number {i} about pods and nodes"));
    }
    cmd.assert().success();
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 30);
    assert!(
        reqs.iter().all(|r| r.status == 200),
        "the fake refused a request"
    );
    assert!(reqs
        .iter()
        .all(|r| r.body["messages"].as_array().unwrap().len() <= 9));
    assert_eq!(ns.contexts()[0].spec.context_history.len(), 60);
}

#[test]
fn concurrent_writers_lose_and_duplicate_nothing() {
    let ns = cp().namespace("chatrace");
    let fake = fake();
    chat(&ns, &fake)
        .args(["shared", "--model", "m", "-m", "warm up"])
        .assert()
        .success();
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"));
            cmd.env_remove("KUBECONFIG")
                .env("ANTHROPIC_BASE_URL", fake.base_url())
                .env("ANTHROPIC_API_KEY", KEY)
                .arg("--kubeconfig")
                .arg(&ns.cp.kubeconfig)
                .args(["-n", &ns.name, "chat", "shared"]);
            for t in 0..10 {
                cmd.arg("-m").arg(format!("w{w} t{t}"));
            }
            cmd.stdout(std::process::Stdio::null());
            cmd.spawn().unwrap()
        })
        .collect();
    for mut h in handles {
        assert!(h.wait().unwrap().success());
    }
    let h = &ns.contexts()[0].spec.context_history;
    assert_eq!(h.len(), 2 + 80);
    for pair in h.chunks(2) {
        assert_eq!(pair[0].role, Role::User);
        assert_eq!(
            pair[1].content,
            format!("You said: {}", pair[0].content),
            "an answer follows its own question"
        );
    }
    let mut questions: Vec<_> = h
        .iter()
        .filter(|m| m.role == Role::User)
        .map(|m| m.content.clone())
        .collect();
    questions.sort();
    questions.dedup();
    assert_eq!(questions.len(), 41, "no turn lost or duplicated");
}

#[test]
fn an_overloaded_then_successful_turn_is_stored_once() {
    let ns = cp().namespace("chat529");
    let fake = fake();
    fake.push_fault(Fault::status(529));
    let out = chat(&ns, &fake)
        .args(["o", "--model", "m", "-m", "hi"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(fake.message_requests().len(), 2);
    assert_eq!(ns.contexts()[0].spec.context_history.len(), 2);
    // Issue #14: the retry is one plain line for a person, not a timestamped log record
    // (that one comes with -v).
    let err = stderr(&out);
    let notice = err
        .lines()
        .find(|l| l.contains("retrying in"))
        .unwrap_or_else(|| panic!("no retry notice: {err}"));
    assert!(
        notice.starts_with("Claude: ") && notice.ends_with("retrying in 1.0 s (1/2)…"),
        "{notice}"
    );
    assert!(!err.contains("WARN") && !err.contains("INFO"), "{err}");
    fake.push_fault(Fault::status(529));
    let out = chat(&ns, &fake)
        .args(["-v", "o", "-m", "again"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("INFO"), "{}", stderr(&out));
}

#[test]
fn a_401_leaves_history_untouched_and_the_state_error() {
    let ns = cp().namespace("chat401");
    let fake = fake();
    chat(&ns, &fake)
        .args(["e", "--model", "m", "-m", "one"])
        .assert()
        .success();
    let out = ns
        .mcp()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", "sk-ant-wrong-WRONGKEY-999")
        .args(["-vv", "chat", "e", "-m", "two", "-m", "three"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("401") && err.contains("ANTHROPIC_API_KEY"),
        "{err}"
    );
    assert!(
        !err.contains("WRONGKEY") && !stdout(&out).contains("WRONGKEY"),
        "the key leaked: {err}"
    );
    let o = &ns.contexts()[0];
    assert_eq!(o.spec.context_history.len(), 2);
    let st = o.status.clone().unwrap();
    assert_eq!(st.current_state.unwrap().as_str(), "Error");
    assert!(st.message.unwrap().contains("401"));
    // The next successful turn makes it Active again.
    chat(&ns, &fake)
        .args(["e", "-m", "four"])
        .assert()
        .success();
    assert_eq!(ns.contexts()[0].state().as_str(), "Active");
}

#[test]
fn bad_input_is_refused_before_anything_is_sent_or_stored() {
    let ns = cp().namespace("chatbad");
    let fake = fake();
    chat(&ns, &fake)
        .args(["x", "-m", "hi"])
        .assert()
        .code(2)
        .stderr(contains("--model"));
    chat(&ns, &fake)
        .args([
            "x",
            "--model",
            "m",
            "--max-tokens",
            "5",
            "-m",
            &"long words ".repeat(50),
        ])
        .assert()
        .code(1)
        .stderr(contains("does not fit the prompt budget"));
    chat(&ns, &fake)
        .args(["x", "-m", "   "])
        .assert()
        .code(2)
        .stderr(contains("empty"));
    // No key for Anthropic's own API: refused before anything is sent.
    let mut no_key = ns.mcp();
    no_key
        .env_remove("ANTHROPIC_BASE_URL")
        .args(["chat", "x", "-m", "hi"])
        .assert()
        .code(1)
        .stderr(contains("set ANTHROPIC_API_KEY"));
    assert!(fake.message_requests().is_empty());
    assert!(
        ns.contexts().is_empty(),
        "bad input creates no context before its message is valid"
    );
}

#[test]
fn an_expired_context_needs_revive() {
    let ns = cp().namespace("chatexp");
    let fake = fake();
    ns.mcp()
        .args([
            "create",
            "old",
            "--model",
            "m",
            "--expires-at",
            "2020-01-01T00:00:00Z",
            "--yes",
        ])
        .assert()
        .success();
    chat(&ns, &fake)
        .args(["old", "-m", "hi"])
        .assert()
        .code(1)
        .stderr(contains("is expired"))
        .stderr(contains("--revive"));
    assert!(fake.message_requests().is_empty());
    chat(&ns, &fake)
        .args(["old", "--revive", "-m", "hi"])
        .assert()
        .success();
    let o = &ns.contexts()[0];
    assert!(o.spec.expiration_time.is_none());
    assert_eq!(o.spec.context_history.len(), 2);
}

fn summarizing(fake: &FakeClaude) -> Vec<fake_claude::RecordedRequest> {
    fake.message_requests()
        .into_iter()
        .filter(|r| {
            r.body["system"]
                .as_str()
                .is_some_and(|s| s.contains("running summary"))
        })
        .collect()
}

#[test]
fn summarize_oldest_folds_leaving_turns_into_the_summary() {
    let ns = cp().namespace("chatsum");
    let fake = fake();
    let mut cmd = chat(&ns, &fake);
    cmd.args([
        "s",
        "--model",
        "m",
        "--history-size",
        "2",
        "--strategy",
        "summarize_oldest",
    ]);
    for i in 1..=5 {
        cmd.arg("-m").arg(format!("q{i}"));
    }
    cmd.assert().success();
    let sums = summarizing(&fake);
    assert_eq!(sums.len(), 2, "turns 4 and 5 each push one turn out");
    let first = sums[0].body["messages"][0]["content"].as_str().unwrap();
    assert!(
        first.contains("User: q1\nAssistant: You said: q1"),
        "{first}"
    );
    assert!(
        !first.contains("q2"),
        "only the leaving turn is folded: {first}"
    );
    let o = &ns.contexts()[0];
    let contents: Vec<_> = o
        .spec
        .context_history
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(
        contents,
        [
            "q3",
            "You said: q3",
            "q4",
            "You said: q4",
            "q5",
            "You said: q5"
        ]
    );
    let st = o.status.clone().unwrap();
    assert!(
        st.summary.clone().unwrap().contains("q2"),
        "the second summary folds q2 in"
    );
    // Issue #10: folding keeps the originals, sealed into segments; every turn still counts.
    assert_eq!(st.turn_count, Some(5));
    assert_eq!(st.summary_covers, Some(4));
    assert_eq!(
        ns.exported("s"),
        (1..=5)
            .flat_map(|i| [format!("q{i}"), format!("You said: q{i}")])
            .collect::<Vec<_>>()
    );
    // The last chat request carried the summary in `system`, never as a message.
    let last = fake.message_requests().pop().unwrap();
    let system = last.body["system"].to_string();
    assert!(
        system.contains("Summary of the earlier part of this conversation"),
        "{system}"
    );
    assert_eq!(last.body["messages"][0]["content"], "q3");
}

#[test]
fn hybrid_truncates_when_the_summary_fails_and_the_chat_goes_on() {
    let ns = cp().namespace("chathybrid");
    let fake = fake();
    chat(&ns, &fake)
        .args([
            "h",
            "--model",
            "m",
            "--history-size",
            "2",
            "--strategy",
            "hybrid",
        ])
        .args(["-m", "q1", "-m", "q2", "-m", "q3"])
        .assert()
        .success();
    fake.push_fault(Fault::status(400)); // the summarizing call comes first
    chat(&ns, &fake)
        .args(["h", "-m", "q4"])
        .assert()
        .success()
        .stdout("You said: q4\n")
        .stderr(contains("could not summarize the oldest turns"));
    let o = &ns.contexts()[0];
    assert_eq!(
        o.spec.context_history.len(),
        8,
        "nothing compacted, nothing lost"
    );
    assert_eq!(o.state().as_str(), "Active");
    let last = fake.message_requests().pop().unwrap();
    assert_eq!(
        last.body["messages"][0]["content"], "q2",
        "q1 truncated from the request"
    );
    // With the summary working again, the next turn folds and compacts.
    chat(&ns, &fake).args(["h", "-m", "q5"]).assert().success();
    assert!(ns.contexts()[0].spec.context_history.len() < 10);
    assert!(ns.contexts()[0].status.clone().unwrap().summary.is_some());
}

#[test]
fn a_summary_written_before_a_crash_is_not_folded_twice() {
    let ns = cp().namespace("chatcrash");
    let fake = fake();
    chat(&ns, &fake)
        .args([
            "c",
            "--model",
            "m",
            "--history-size",
            "2",
            "--strategy",
            "summarize_oldest",
        ])
        .args(["-m", "q1", "-m", "q2", "-m", "q3"])
        .assert()
        .success();
    assert!(
        summarizing(&fake).is_empty(),
        "three turns fit: nothing left the window yet"
    );
    // As if a run had written the summary of turn 1 and stopped before compacting.
    let h = ns.contexts()[0].spec.context_history.clone();
    ns.patch_status(
        "c",
        serde_json::json!({"summary": "S: q1 was asked", "summarizedMessages": 2,
                           "summaryFingerprint": kubectl_mcp::engine::summarize::fingerprint(&h[..2])}),
    );
    let before = fake.message_requests().len();
    chat(&ns, &fake).args(["c", "-m", "q4"]).assert().success();
    // Turn 4: three stored turns > historySize 2 → turn 1 leaves; it is already summarized.
    let o = &ns.contexts()[0];
    assert_eq!(
        fake.message_requests().len(),
        before + 1,
        "no second summarizing call"
    );
    assert_eq!(o.spec.context_history[0].content, "q2");
    assert_eq!(
        o.status.clone().unwrap().summary.as_deref(),
        Some("S: q1 was asked")
    );
    assert_eq!(o.status.clone().unwrap().summarized_messages, None);
    // The interrupted fold was finished before windowing: turn 1 went out as the summary only.
    let sent = &fake.message_requests()[before].body;
    let texts = sent["messages"].to_string();
    assert!(!texts.contains("\"q1\""), "{texts}");
    assert!(sent["system"].to_string().contains("S: q1 was asked"));
}

/// SPEC §5: the bytes sent to store a turn do not grow with the stored history.
#[test]
fn bytes_per_turn_do_not_grow_with_the_history() {
    let ns = cp().namespace("chatbytes");
    let fake = fake();
    let mut sizes = Vec::new();
    for (name, messages) in [("small", 10usize), ("large", 1000)] {
        ns.put(
            context(name)
                .history(messages_of(messages, |i| {
                    format!("message {i} with some ordinary words in it")
                }))
                .build(),
        );
        let out = chat(&ns, &fake)
            .args(["-vv", name, "-m", "the same question"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.contains("appending a turn with a guarded JSON patch"))
            .unwrap_or_else(|| panic!("no patch log line in:\n{err}"));
        let bytes: f64 = line
            .split("bytes=")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        sizes.push(bytes);
        // The object the apiserver rewrites for every turn stays within the live budget.
        let o = ns
            .contexts()
            .into_iter()
            .find(|o| o.metadata.name.as_deref() == Some(name))
            .unwrap();
        let live = serde_json::to_vec(&o).unwrap().len();
        assert!(live <= 24 * 1024, "{name}: the live object is {live} bytes");
    }
    let (small, large) = (sizes[0], sizes[1]);
    assert!(
        (large - small).abs() / small <= 0.10,
        "{small} bytes at 10 messages, {large} at 1000"
    );
    assert_eq!(
        ns.exported("small").len() + ns.exported("large").len(),
        12 + 1002
    );
}

fn near_limit(ns: &Namespace, name: &str, strategy: SummarizationStrategy) -> usize {
    let big = "x".repeat(10_000);
    let history = messages_of(142, |i| format!("m{i} {big}"));
    let len = history.len();
    ns.put(
        context(name)
            .strategy(strategy)
            .max_tokens(20000)
            .history(history)
            .build(),
    );
    len
}

/// Issue #10: the live object stays within its byte budget: the oldest turns are sealed into
/// history segments (owned by the context, compressed) before they leave it, so nothing is lost
/// and export reads every turn back in order. No Claude call is needed for it, whatever the
/// strategy.
#[test]
fn a_context_over_its_budget_seals_its_oldest_turns() {
    for strategy in [
        SummarizationStrategy::Truncate,
        SummarizationStrategy::SummarizeOldest,
    ] {
        let ns = cp().namespace("chatbig");
        let fake = fake();
        let before = near_limit(&ns, "big", strategy);
        chat(&ns, &fake)
            .args(["big", "-m", "one more question"])
            .assert()
            .success()
            .stdout("You said: one more question\n");
        let o = &ns.contexts()[0];
        let stored = o.spec.context_history.len();
        let size = serde_json::to_vec(o).unwrap().len();
        // The budget is for turns; a summary (bounded on its own) comes on top. Folding in
        // pieces that each fit maxTokens, summarize_oldest now writes one.
        let summary = o
            .status
            .as_ref()
            .and_then(|s| s.summary.as_ref())
            .map_or(0, String::len);
        assert!(
            size <= 24 * 1024 + summary,
            "{strategy:?}: the live object is {size} bytes ({summary} of summary)"
        );
        assert_eq!(
            o.spec.context_history[stored - 2].content,
            "one more question"
        );
        let segments = ns.segments();
        assert!(!segments.is_empty(), "{strategy:?}");
        for s in &segments {
            assert_eq!(s.metadata.owner_references.as_ref().unwrap()[0].name, "big");
            assert!(
                s.spec.data.0.len() < s.spec.bytes as usize / 10,
                "compressed: {} of {}",
                s.spec.data.0.len(),
                s.spec.bytes
            );
        }
        let listed = &o.status.as_ref().unwrap().segments;
        assert_eq!(listed.len(), segments.len());
        assert_eq!(o.turns(), (before + 2) / 2);
        let sealed: u64 = listed.iter().map(|s| u64::from(s.messages)).sum();
        assert_eq!(
            sealed as usize + stored,
            before + 2,
            "{strategy:?}: nothing lost"
        );
        assert!(o.spec.context_history[0]
            .content
            .starts_with(&format!("m{sealed} ")));
        let exported = ns.exported("big");
        assert_eq!(exported.len(), before + 2);
        for (i, c) in exported.iter().take(before).enumerate() {
            assert!(c.starts_with(&format!("m{i} ")), "message {i} in order");
        }
        if strategy == SummarizationStrategy::Truncate {
            assert!(
                summarizing(&fake).is_empty(),
                "sealing needs no Claude call"
            );
        } else {
            // The turns that left the window were folded, and their originals kept.
            let st = o.status.clone().unwrap();
            assert!(st.summary.is_some() && st.summary_covers.unwrap() > 0);
        }
    }
}

/// Issue #3: near the budget the estimate is checked with count_tokens; a model whose tokenizer
/// counts more gets a smaller window rather than a refused request.
#[test]
fn an_estimate_near_the_budget_is_checked_with_count_tokens() {
    let ns = cp().namespace("chatcount");
    let history: Vec<_> = (0..10)
        .flat_map(|i| {
            [
                user(&format!("question number {i} about nodes")),
                assistant(&format!("answer number {i} about nodes")),
            ]
        })
        .collect();
    let estimate = kubectl_mcp::engine::window::build(&kubectl_mcp::engine::window::Input {
        system_prompt: None,
        summary: None,
        history: &history,
        message_tokens: None,
        history_size: None,
        max_tokens: None,
        ratio: 1.0,
        new_message: "next",
    })
    .unwrap()
    .estimated_tokens;
    let budget = (estimate as f64 / 0.95).ceil() as u64;
    for (name, factor, want_all) in [("fits", 1.0, true), ("over", 2.0, false)] {
        let fake = fake();
        fake.configure(|c| c.token_factor = factor);
        ns.put(
            context(name)
                .max_tokens(budget as u32)
                .history(history.clone())
                .build(),
        );
        chat(&ns, &fake)
            .args([name, "-m", "next"])
            .assert()
            .success();
        let counted = fake
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/messages/count_tokens")
            .count();
        assert_eq!(counted, 1, "{name}: one exact count near the budget");
        let sent = fake.message_requests().pop().unwrap().body["messages"]
            .as_array()
            .unwrap()
            .len();
        if want_all {
            assert_eq!(sent, 21, "{name}: the estimate held");
        } else {
            assert!(
                sent < 21,
                "{name}: the window shrank to the real count ({sent} messages)"
            );
        }
    }
}

/// A local server behind ANTHROPIC_BASE_URL (Ollama, llama.cpp) needs no key: none is sent.
#[test]
fn a_server_of_ones_own_needs_no_key() {
    let ns = cp().namespace("chatkeyless");
    let fake = FakeClaude::start_in_background(Config {
        require_key: false,
        ..Config::default()
    })
    .unwrap();
    ns.mcp()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .args(["chat", "local", "--model", "llama3", "-m", "hi"])
        .assert()
        .success()
        .stdout("You said: hi\n");
    let h = &fake.message_requests()[0].headers;
    assert!(
        !h.contains_key("x-api-key") && !h.contains_key("authorization"),
        "{h:?}"
    );
}

/// Issue #11 (pipes): piped text plus `-m` is one message holding both, the text fenced before
/// the question (as `llm` and aichat join them); `-f FILE -m` does the same.
#[test]
fn piped_text_and_a_question_are_one_message() {
    let ns = cp().namespace("chatpipe");
    let fake = fake();
    chat(&ns, &fake)
        .args(["p", "--model", "m", "-m", "why does it restart?"])
        .write_stdin("pod web-1: CrashLoopBackOff\nexit code 137\n")
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.txt");
    std::fs::write(&file, "OOMKilled ``` twice").unwrap();
    chat(&ns, &fake)
        .args(["p", "-f"])
        .arg(&file)
        .args(["-m", "and now?", "-m", "thanks"])
        .assert()
        .success();
    let h = &ns.contexts()[0].spec.context_history;
    let questions: Vec<&str> = h
        .iter()
        .filter(|m| m.role == Role::User)
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(
        questions,
        [
            "```\npod web-1: CrashLoopBackOff\nexit code 137\n```\n\nwhy does it restart?",
            "````\nOOMKilled ``` twice\n````\n\nand now?",
            "thanks"
        ]
    );
    let sent = fake.message_requests()[0].body["messages"][0]["content"].clone();
    assert!(sent.to_string().contains("CrashLoopBackOff"), "{sent}");
}

/// Issue #11 (pipes): `chat -m … | head -c1` stores the turn (the answer was paid for) and
/// exits quietly; `batch … | head -n1` starts no new turn once its reader is gone.
#[test]
fn a_closed_pipe_keeps_the_turn_and_stops_the_batch() {
    use std::io::{BufRead, Read};
    use std::process::Stdio;
    let ns = cp().namespace("chathead");
    let fake = fake();
    let state = tempfile::tempdir().unwrap();
    let long = "a long question whose answer streams in many pieces ".repeat(60);
    let mut child = common::process(&ns, &fake, KEY, state.path())
        .args(["chat", "h", "--model", "m", "-m", &long])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is gone (stdout dropped above).
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "quiet: {}", stderr(&out));
    let h = &ns.contexts()[0].spec.context_history;
    assert_eq!(h.len(), 2, "the turn is stored");
    assert!(h[1].content.starts_with("You said: a long question"));

    let lines: String = (0..40)
        .map(|i| format!("{{\"session\": \"b\", \"model\": \"m\", \"message\": \"q{i}\"}}\n"))
        .collect();
    let before = fake.message_requests().len();
    let mut child = common::process(&ns, &fake, KEY, state.path())
        .args(["batch", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(lines.as_bytes()).unwrap();
    }
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains("\"line\":1"), "{line}");
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let asked = fake.message_requests().len() - before;
    assert!(
        asked < 10,
        "{asked} of 40 turns were paid for after the reader left"
    );
    // Whatever was answered was stored, in order.
    let b = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "b")
        .unwrap();
    assert_eq!(b.spec.context_history.len(), 2 * asked);
}

/// Issue #11 (settings can change): flags given to `chat` for an existing context are applied,
/// with a one-line notice, never ignored; `KUBECTL_MCP_MODEL` only names the model of new
/// contexts.
#[test]
fn chat_flags_change_an_existing_context() {
    let ns = cp().namespace("chatflags");
    let fake = fake();
    chat(&ns, &fake)
        .args(["f", "--model", "m1", "-m", "first"])
        .assert()
        .success();
    chat(&ns, &fake)
        .args([
            "f",
            "--max-tokens",
            "5000",
            "--strategy",
            "hybrid",
            "-m",
            "second",
        ])
        .env("KUBECTL_MCP_MODEL", "from-env")
        .assert()
        .success()
        .stderr(contains(
            "updated claudemodelcontext.mcp.dev/f: maxTokens, summarizationStrategy",
        ));
    let o = &ns.contexts()[0];
    assert_eq!(o.spec.max_tokens, Some(5000));
    assert_eq!(o.spec.summarization_strategy.as_str(), "hybrid");
    assert_eq!(
        o.spec.model_name, "m1",
        "the environment does not change a context"
    );
    assert_eq!(o.spec.context_history.len(), 4);
    chat(&ns, &fake)
        .args(["f", "--max-tokens", "5000", "-m", "third"])
        .assert()
        .success()
        .stderr(PredicateBooleanExt::not(contains("updated")));
    // The environment still names the model of a new context.
    chat(&ns, &fake)
        .args(["g", "-m", "hi"])
        .env("KUBECTL_MCP_MODEL", "from-env")
        .assert()
        .success();
    let g = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "g")
        .unwrap();
    assert_eq!(g.spec.model_name, "from-env");

    // Every other setting, in one run; the notice names each field.
    chat(&ns, &fake)
        .args(["f", "--model", "m2", "--system", "Be brief.", "--max-output-tokens", "300"])
        .args(["--history-size", "7", "--expires-in", "48h", "--idle-ttl", "3d", "-m", "fourth"])
        .assert()
        .success()
        .stderr(contains(
            "updated claudemodelcontext.mcp.dev/f: modelName, systemPrompt, maxOutputTokens, historySize, expirationTime, idleTTL",
        ));
    let o = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "f")
        .unwrap();
    assert_eq!(o.spec.model_name, "m2");
    assert_eq!(o.spec.system_prompt.as_deref(), Some("Be brief."));
    assert_eq!(o.spec.max_output_tokens, Some(300));
    assert_eq!(o.spec.history_size, Some(7));
    assert!(o.spec.expiration_time.is_some());
    assert_eq!(o.spec.idle_ttl.as_deref(), Some("3d"));
    let sent = fake.message_requests();
    let last = sent.last().unwrap();
    assert_eq!(
        last.body["model"], "m2",
        "the turn went out with the new settings"
    );
    assert_eq!(last.body["max_tokens"], 300);

    // A message is checked against the settings it will be sent with: too big for the old
    // budget, fine for the new one.
    let big = "word ".repeat(3000);
    chat(&ns, &fake)
        .args(["f", "--max-tokens", "2000", "-m", "small"])
        .assert()
        .success();
    chat(&ns, &fake)
        .args(["f", "--max-tokens", "50000", "-m", &big])
        .assert()
        .success();
    // A value the apiserver refuses: its reason, and nothing sent or stored.
    let before = fake.message_requests().len();
    let turns = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "f")
        .unwrap()
        .turns();
    chat(&ns, &fake)
        .args(["f", "--model", &"m".repeat(300), "-m", "never sent"])
        .assert()
        .code(1)
        .stderr(contains("spec.modelName"));
    assert_eq!(fake.message_requests().len(), before, "nothing was sent");
    let o = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "f")
        .unwrap();
    assert_eq!(o.turns(), turns);
    assert_eq!(o.spec.model_name, "m2");
}

/// Issue #12 (cost): every call is counted in status per model, summarizing calls apart, and
/// priced from the tool's table; `get`, `list -o wide` and `usage` show it; a model without a
/// price is counted, not priced.
#[test]
fn usage_and_cost_are_kept_per_context_and_summed_for_chargeback() {
    let ns = cp().namespace("cost");
    let fake = fake();
    let mut cmd = chat(&ns, &fake);
    cmd.args([
        "priced",
        "--model",
        "claude-sonnet-4-5",
        "--history-size",
        "2",
    ])
    .args(["--strategy", "summarize_oldest", "-L", "team=sre"]);
    for i in 1..=4 {
        cmd.arg("-m")
            .arg(format!("question {i} {}", "with some words ".repeat(20)));
    }
    cmd.assert().success();
    chat(&ns, &fake)
        .args(["local", "--model", "llama3", "-L", "team=web", "-m", "hi"])
        .assert()
        .success();
    let priced = ns
        .contexts()
        .into_iter()
        .find(|c| c.spec.session_id == "priced")
        .unwrap();
    let u = priced.status.unwrap().usage.unwrap();
    let m = &u.models["claude-sonnet-4-5"];
    let summaries = summarizing(&fake).len() as u64;
    assert!(summaries > 0);
    assert_eq!((m.requests, m.summary_requests), (4, summaries));
    // The fake's usage, summed, at Sonnet 4.5's prices ($3 in, $15 out, $3.75 write, $0.30 read).
    let expected = (m.input_tokens as f64 * 3.0
        + m.output_tokens as f64 * 15.0
        + m.cache_creation_input_tokens as f64 * 3.75
        + m.cache_read_input_tokens as f64 * 0.3)
        .round() as u64;
    assert!(
        u.cost_micro_usd.abs_diff(expected) <= 4 + summaries,
        "{} vs {expected}",
        u.cost_micro_usd
    );
    assert!(u.cost_micro_usd > 0);
    assert_eq!(u.cost_usd, format!("{:.4}", u.cost_micro_usd as f64 / 1e6));
    ns.mcp().args(["get", "priced"]).assert().success().stdout(
        contains("Cost:")
            .and(contains("(prices of 2026)"))
            .and(contains(format!(
                "{} calls ({summaries} summarizing)",
                4 + summaries
            ))),
    );
    ns.mcp()
        .args(["list", "-o", "wide"])
        .assert()
        .success()
        .stdout(contains("COST").and(contains(format!("${}", u.cost_usd))));
    let out = ns
        .mcp()
        .args(["usage", "--by", "label=team", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["group"], "sre");
    assert_eq!(rows[0]["requests"], 4);
    assert_eq!(rows[0]["costUSD"], u.cost_usd.as_str());
    assert_eq!(rows[1]["group"], "web");
    assert_eq!(rows[1]["unpricedRequests"], 1);
    // A group whose calls had no price reads n/a, not $0.0000 (which reads as free).
    ns.mcp()
        .args(["usage"])
        .assert()
        .success()
        .stdout(
            contains("TOTAL")
                .and(contains("n/a"))
                .and(contains(format!("${} + n/a", u.cost_usd)))
                .and(contains("$0.0000").not()),
        )
        .stderr(contains("1 call(s) to models without a price"));
    ns.mcp()
        .args(["get", "local"])
        .assert()
        .success()
        .stdout(contains("n/a (1 call(s) to models without a price)"));
    ns.mcp()
        .args(["usage", "--by", "owner"])
        .assert()
        .code(2)
        .stderr(contains("use context, namespace, model or label=KEY"));
}

/// Issue #12 (answers that are not answers): a refusal is shown, stored marked, and left out
/// of later requests; an answer cap spent before any text stores nothing (and is counted).
#[test]
fn a_refusal_is_kept_marked_and_left_out_and_an_empty_cut_answer_is_not_stored() {
    let ns = cp().namespace("refusal");
    let fake = fake();
    chat(&ns, &fake)
        .args(["r", "--model", "claude-haiku-4-5", "-m", "first"])
        .assert()
        .success();
    fake.push_fault(fake_claude::Fault::StopReason {
        text: "I can't help with that.".into(),
        stop_reason: "refusal".into(),
    });
    chat(&ns, &fake)
        .args(["r", "-m", "something it declines"])
        .assert()
        .success()
        .stdout("I can't help with that.\n")
        .stderr(contains("Claude declined to answer (stop_reason refusal)"));
    let h = ns.contexts()[0].spec.context_history.clone();
    assert_eq!(h.len(), 4);
    assert_eq!(
        h[3].markers,
        [kubectl_mcp::model::resource::Marker::Refusal]
    );
    chat(&ns, &fake)
        .args(["r", "-m", "next"])
        .assert()
        .success();
    let sent = fake.message_requests().pop().unwrap();
    let texts: Vec<String> = sent.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| common::text_of(&m["content"]))
        .collect();
    assert_eq!(
        texts,
        ["first", "You said: first", "next"],
        "the refused exchange is not sent"
    );

    // A thinking model spends the whole default cap (1,024) on thinking: the fake counts
    // thinking toward max_tokens as the API does, and sends no text block at all.
    fake.configure(|c| {
        c.thinking = true;
        c.thinking_tokens = 1_500;
    });
    chat(&ns, &fake)
        .args(["r", "-m", "think hard"])
        .assert()
        .code(1)
        .stderr(contains(
            "spent the whole answer cap (1024 tokens) before writing any text",
        ));
    let o = &ns.contexts()[0];
    assert_eq!(o.turns(), 3, "nothing was stored for it");
    let u = o.status.as_ref().unwrap().usage.clone().unwrap();
    assert_eq!(
        u.models["claude-haiku-4-5"].requests, 4,
        "but the call is counted"
    );
}

/// Issue #12 (resilient streams), issue #24 (a hundred, not twenty): under a fault mix of 20%
/// 429, 10% 503, 10% cut streams and 10% dropped connections, five runs of 20 scripted turns
/// (each its own draw of the mix) complete 100 of 100, and every stored answer is whole.
#[test]
fn a_hundred_turns_complete_under_a_fault_mix_and_nothing_partial_is_stored() {
    let ns = cp().namespace("faultmix");
    for seed in 41..46 {
        twenty_turns_under_a_fault_mix(&ns, seed);
    }
}

fn twenty_turns_under_a_fault_mix(ns: &Namespace, seed: u64) {
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        fault_mix: Some(fake_claude::FaultMix {
            rate_limited: 0.2,
            unavailable: 0.1,
            cut: 0.1,
            dropped: 0.1,
            seed,
        }),
        ..Config::default()
    })
    .unwrap();
    let session = format!("mix-{seed}");
    let mut cmd = chat(ns, &fake);
    cmd.env("KUBECTL_MCP_MAX_RETRIES", "10").args([
        &session,
        "--model",
        "claude-haiku-4-5",
        "-o",
        "jsonl",
    ]);
    let questions: Vec<String> = (0..20)
        .map(|i| format!("question {i} about the deployment rollout"))
        .collect();
    for q in &questions {
        cmd.arg("-m").arg(q);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "seed {seed}: {}", stderr(&out));
    let sent = fake.message_requests();
    assert!(
        sent.len() > 30,
        "seed {seed}: the mix did fail requests: {} for 20 turns",
        sent.len()
    );
    // Only what the API documents as retryable was asked again: every failed answer here is
    // a 429, a 503 or a transport failure, and each was followed by the same question.
    for (r, next) in sent.iter().zip(sent.iter().skip(1)) {
        if r.status >= 400 {
            assert!(matches!(r.status, 429 | 503), "seed {seed}: {}", r.status);
            assert_eq!(r.body["messages"], next.body["messages"], "seed {seed}");
        }
    }
    let answers: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["reply"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let whole: Vec<String> = questions.iter().map(|q| format!("You said: {q}")).collect();
    assert_eq!(answers, whole, "seed {seed}: every printed answer is whole");
    let stored: Vec<String> = ns.exported(&session).into_iter().collect();
    let expected: Vec<String> = questions
        .iter()
        .zip(&whole)
        .flat_map(|(q, a)| [q.clone(), a.clone()])
        .collect();
    assert_eq!(
        stored, expected,
        "seed {seed}: each turn stored once, whole, in order"
    );
}

/// A stream cut after text was shown (text mode): said on stderr, asked again once, and only
/// the complete answer is stored.
#[test]
fn a_cut_after_shown_text_is_said_and_asked_again_once() {
    let ns = cp().namespace("cutshown");
    let fake = fake();
    fake.push_fault(Fault::CutStream { after_deltas: 2 });
    let out = chat(&ns, &fake)
        .args([
            "c",
            "--model",
            "claude-haiku-4-5",
            "-m",
            "one two three four",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut off in transit; asking again from the start"));
    assert!(
        stdout(&out).ends_with("You said: one two three four\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(fake.message_requests().len(), 2);
    assert_eq!(
        ns.exported("c"),
        ["one two three four", "You said: one two three four"]
    );
}

/// Issue #12 (cache TTL): `--cache-ttl 1h` marks every breakpoint with the one-hour TTL, so a
/// conversation that pauses 20 minutes still reads its cache; its writes are priced at 2×.
#[test]
fn a_one_hour_cache_ttl_survives_a_pause_and_is_priced_as_such() {
    let ns = cp().namespace("cachettl");
    let fake = fake();
    let system = "policy words ".repeat(600);
    ns.mcp()
        .args([
            "create",
            "slow",
            "--model",
            "claude-sonnet-4-5",
            "--cache-ttl",
            "1h",
        ])
        .args(["--system", &system])
        .assert()
        .success();
    chat(&ns, &fake)
        .args(["slow", "-m", "first"])
        .assert()
        .success();
    let sent = fake.message_requests().pop().unwrap();
    assert_eq!(sent.body["system"][0]["cache_control"]["ttl"], "1h");
    fake.advance_clock(std::time::Duration::from_secs(20 * 60));
    chat(&ns, &fake)
        .args(["slow", "-m", "second"])
        .assert()
        .success();
    let o = ns.contexts().pop().unwrap();
    let st = o.status.unwrap();
    assert!(
        st.last_usage.unwrap().cache_read_input_tokens > 0,
        "read after 20 minutes"
    );
    let u = st.usage.unwrap();
    let m = &u.models["claude-sonnet-4-5"];
    // The server's breakdown by TTL is kept: every write was a one-hour one.
    assert!(m.cache_creation_input_tokens > 0);
    assert_eq!(
        m.cache_creation_1h_input_tokens, m.cache_creation_input_tokens,
        "{m:?}"
    );
    let expected = (m.input_tokens as f64 * 3.0
        + m.output_tokens as f64 * 15.0
        + m.cache_creation_input_tokens as f64 * 6.0
        + m.cache_read_input_tokens as f64 * 0.3)
        .round() as u64;
    assert!(
        u.cost_micro_usd.abs_diff(expected) <= 2,
        "{} vs {expected}",
        u.cost_micro_usd
    );
    // Back to five minutes (once the hour-long entries are gone): the same pause now misses.
    ns.mcp()
        .args(["set", "slow", "--cache-ttl", "5m"])
        .assert()
        .success()
        .stdout(contains("(cacheTTL)"));
    fake.advance_clock(std::time::Duration::from_secs(61 * 60));
    chat(&ns, &fake)
        .args(["slow", "-m", "third"])
        .assert()
        .success();
    let sent = fake.message_requests().pop().unwrap();
    assert!(sent.body["system"][0]["cache_control"].get("ttl").is_none());
    fake.advance_clock(std::time::Duration::from_secs(20 * 60));
    chat(&ns, &fake)
        .args(["slow", "-m", "fourth"])
        .assert()
        .success();
    let o = ns.contexts().pop().unwrap();
    assert_eq!(
        o.status
            .unwrap()
            .last_usage
            .unwrap()
            .cache_read_input_tokens,
        0
    );
    ns.mcp()
        .args(["set", "slow", "--cache-ttl", "2h"])
        .assert()
        .code(2)
        .stderr(contains("possible values: auto, 5m, 1h"));
}

/// Issue #12 item 4: an answer the API pauses (`pause_turn`) is continued, shown once and
/// stored whole; the continuation sends the answer so far back as the last message.
#[test]
fn a_paused_answer_is_continued_and_stored_whole() {
    let ns = cp().namespace("paused");
    let fake = fake();
    fake.play(
        Script::new()
            .stop("Part one,", "pause_turn")
            .answer(" part two."),
    );
    chat(&ns, &fake)
        .args(["p", "--model", "claude-haiku-4-5", "-m", "tell me all"])
        .assert()
        .success()
        .stdout("Part one, part two.\n")
        .stderr(contains("warning").not());
    assert_eq!(
        ns.exported("p"),
        ["tell me all", "Part one, part two."],
        "stored once, whole"
    );
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 2);
    let last = reqs[1].body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["role"].as_str(), last["content"].as_str()),
        (Some("assistant"), Some("Part one,"))
    );
    let o = &ns.contexts()[0];
    let u = o.status.as_ref().unwrap().usage.clone().unwrap();
    let m = &u.models["claude-haiku-4-5"];
    assert!(m.output_tokens >= 4, "both requests' output counted: {m:?}");
}

/// Issue #12: a server that echoes the key back in an error (a misconfigured gateway, a
/// compatible server's debug message) never gets it printed: stderr says `<redacted>`.
#[test]
fn a_key_echoed_by_the_server_is_redacted_in_stderr() {
    let ns = cp().namespace("echo");
    let fake = fake();
    for (status, error_type) in [(400, "invalid_request_error"), (403, "permission_error")] {
        fake.push_fault(Fault::Status {
            status,
            error_type: error_type.into(),
            message: format!("x-api-key {KEY} is not allowed to use this model"),
            headers: Vec::new(),
            details: None,
        });
        let out = chat(&ns, &fake)
            .args(["e", "--model", "claude-haiku-4-5", "-m", "hi"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("<redacted>"), "{err}");
        assert!(!err.contains(KEY) && !stdout(&out).contains(KEY), "{err}");
    }
    // The same key inside an `error` event mid-stream.
    fake.push_fault(Fault::ErrorEvent {
        after_deltas: 2,
        error_type: "api_error".into(),
        message: format!("upstream rejected key {KEY}"),
    });
    let out = chat(&ns, &fake)
        .env("KUBECTL_MCP_MAX_RETRIES", "0")
        .args(["e", "-m", "hi again", "-o", "json"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("upstream rejected key <redacted>"), "{err}");
    assert!(!err.contains(KEY) && !stdout(&out).contains(KEY), "{err}");
    assert!(
        ns.exported("e").is_empty(),
        "nothing stored: {:?}",
        ns.exported("e")
    );
}

/// Issue #12 item 3: the server's Models API is asked before the built-in table. A model the
/// table does not know but the server describes (a 50,000-token window, an 8,000-token answer
/// cap) gets no "unknown model" warning, its answer cap is enforced before anything is sent,
/// and the default prompt budget comes from its window.
#[test]
fn the_models_api_is_asked_before_the_table() {
    let ns = cp().namespace("modelsapi");
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        extra_models: vec![fake_claude::CatalogueEntry {
            alias: "claude-future-9",
            dated: "claude-future-9-20261101",
            context_window: 50_000,
            max_output: 8_000,
            cache_min: 1_024,
            compaction: true,
        }],
        ..Config::default()
    })
    .unwrap();
    chat(&ns, &fake)
        .args(["f", "--model", "claude-future-9", "-m", "hi"])
        .assert()
        .success()
        .stdout("You said: hi\n")
        .stderr(contains("not in this tool's table").not());
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == "/v1/models/{id}"));
    // A model neither knows: warned about (and the API then says it does not exist).
    chat(&ns, &fake)
        .args(["g", "--model", "claude-nonexistent-1", "-m", "hi"])
        .assert()
        .failure()
        .stderr(contains("not in this tool's table"));

    // Over the server's answer cap: refused before sending, the cap named, nothing created.
    let sent = fake.message_requests().len();
    chat(&ns, &fake)
        .args([
            "h",
            "--model",
            "claude-future-9",
            "--max-output-tokens",
            "9000",
            "-m",
            "hi",
        ])
        .assert()
        .code(2)
        .stderr(contains("8000"));
    assert_eq!(fake.message_requests().len(), sent);
    assert!(ns
        .contexts()
        .iter()
        .all(|o| o.metadata.name.as_deref() != Some("h")));

    // The default budget: 50,000 − 2% − the default answer cap, not the table's 200K default.
    // A ~60,000-token message does not fit it, and is refused before sending.
    let big = "pods ".repeat(48_000);
    let out = chat(&ns, &fake).arg("f").write_stdin(big).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("does not fit the prompt budget") && stderr(&out).contains("47976"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fake.message_requests().len(), sent, "nothing sent");
}

/// Issue #12 item 7: `summarizationStrategy: server`. Refused where it cannot work; on a model
/// that supports it, the request carries the compaction edit (trigger = maxTokens), the block
/// the API returns is stored verbatim with the answer and sent back from then on, requests
/// start at it, usage is the sum of the iterations, and the turns it replaced are sealed,
/// still exported in full.
#[test]
fn server_side_compaction_is_stored_sent_back_and_seals_what_it_replaced() {
    let ns = cp().namespace("servercompact");
    let fake = fake();
    for (args, says) in [
        (
            vec![
                "create",
                "a",
                "--model",
                "claude-haiku-4-5",
                "--strategy",
                "server",
            ],
            "claude-haiku-4-5 does not support server-side compaction",
        ),
        (
            vec!["create", "b", "--model", "m", "--strategy", "server"],
            "m is not known to support server-side compaction",
        ),
        (
            vec![
                "create",
                "c",
                "--model",
                "claude-sonnet-4-6",
                "--strategy",
                "server",
                "--history-size",
                "4",
            ],
            "historySize does not apply",
        ),
        (
            vec![
                "create",
                "d",
                "--model",
                "claude-sonnet-4-6",
                "--strategy",
                "server",
                "--max-tokens",
                "1000",
            ],
            "at least 50000",
        ),
    ] {
        ns.mcp().args(&args).assert().code(2).stderr(contains(says));
    }
    ns.mcp()
        .args(["create", "e", "--model", "claude-haiku-4-5"])
        .assert()
        .success();
    ns.mcp()
        .args(["set", "e", "--strategy", "server"])
        .assert()
        .code(2)
        .stderr(contains("does not support server-side compaction"));
    assert_eq!(ns.contexts().len(), 1, "nothing else was created");

    // Four turns of ~13,000 tokens each: the fourth request passes the 50,000-token trigger.
    let question = |t: usize| format!("[T:t{t}] {}", "why does the pod restart? ".repeat(2_000));
    fake.play((0..4).fold(Script::new(), |s, t| s.answer(&format!("answer {t}"))));
    let mut c = chat(&ns, &fake);
    c.args([
        "s",
        "--model",
        "claude-sonnet-4-6",
        "--strategy",
        "server",
        "--max-tokens",
        "50000",
        "-o",
        "jsonl",
    ]);
    for t in 0..4 {
        c.arg("-m").arg(question(t));
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs = fake.message_requests();
    for r in &reqs {
        assert_eq!(r.headers["anthropic-beta"], "compact-2026-01-12");
        assert_eq!(
            r.body["context_management"]["edits"][0],
            serde_json::json!({"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 50000}})
        );
    }
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fourth = &lines[3]["usage"];
    assert!(
        fourth["input_tokens"].as_u64().unwrap() > 50_000,
        "usage sums the compaction step too: {fourth}"
    );

    let o = &ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "s")
        .unwrap();
    let live = &o.spec.context_history;
    assert!(
        live[0].content.starts_with("[T:t3]"),
        "the replaced turns left the live object"
    );
    let block = live[1].blocks[0].clone();
    assert_eq!(block["type"], "compaction");
    assert!(block["content"]
        .as_str()
        .unwrap()
        .contains("[T:t0] [T:t1] [T:t2] [T:t3]"));
    assert!(block["encrypted_content"]
        .as_str()
        .unwrap()
        .starts_with("enc_"));
    assert!(!o.segments().is_empty(), "sealed, not deleted");
    assert_eq!(ns.exported("s").len(), 8, "every turn is still stored");
    let reasons: Vec<String> = ns
        .events(&o.metadata.name.clone().unwrap())
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert!(
        reasons.iter().any(|r| r == "CompactedByServer"),
        "{reasons:?}"
    );

    // The next request starts at the compacted turn and sends the block back as it came.
    chat(&ns, &fake)
        .args(["s", "-m", "[T:t4] and now?"])
        .assert()
        .success();
    let last = fake.message_requests().pop().unwrap();
    let msgs = last.body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 3, "the compacted turn and the new question");
    assert_eq!(
        msgs[1]["content"][0],
        serde_json::Value::Object(block.clone())
    );
    assert_eq!(msgs[1]["content"][1]["text"], "answer 3");
    // An altered block is refused by the API (the fake is as strict).
    let mut tampered = last.body.clone();
    tampered["messages"][1]["content"][0]["encrypted_content"] = "enc_forged".into();
    kubectl_mcp::tls::install_crypto_provider();
    let (status, body) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/messages", fake.base_url()))
            .header("x-api-key", KEY)
            .header("anthropic-version", "2023-06-01")
            .header("anthropic-beta", "compact-2026-01-12")
            .json(&tampered)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    });
    assert_eq!(status, 400);
    assert!(body.contains("invalid compaction block"), "{body}");
}

/// Issue #15 item 1, the part that is always on: the tool's own key and the credentials inside
/// `ANTHROPIC_BASE_URL` never land anywhere the tool writes (a question pasting them, an answer
/// repeating them, what is sent, stdout, stderr, `-vvv` logs, the stored object, Events), and a
/// huge error body is capped when printed.
#[test]
fn the_key_and_url_credentials_are_masked_everywhere_and_error_bodies_are_capped() {
    let ns = cp().namespace("mask");
    let fake = fake();
    let password = "hunter22pass";
    let url = fake
        .base_url()
        .replacen("http://", &format!("http://alice:{password}@"), 1);
    let secrets_in = |what: &str, text: &str| {
        assert!(
            !text.contains(KEY) && !text.contains(password),
            "a secret in {what}: {text}"
        );
    };
    // A question that pastes both, with -vvv.
    let out = chat(&ns, &fake)
        .env("ANTHROPIC_BASE_URL", &url)
        .args(["-vvv", "m", "--model", "claude-haiku-4-5", "-m"])
        .arg(format!("is {KEY} or {password} right?"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "You said: is <redacted> or <redacted> right?\n"
    );
    secrets_in("stderr (-vvv)", &stderr(&out));
    // An answer that repeats them, cut across stream events.
    fake.push_fault(Fault::Reply(format!(
        "Sure: your key is {KEY} and the gateway password is {password}."
    )));
    let out = chat(&ns, &fake)
        .env("ANTHROPIC_BASE_URL", &url)
        .args(["m", "-m", "what is my key?"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Sure: your key is <redacted> and the gateway password is <redacted>.\n"
    );
    // Credentials in an unreachable URL: the error, status and Events show ***@ instead.
    let out = chat(&ns, &fake)
        .env(
            "ANTHROPIC_BASE_URL",
            format!("http://bob:{password}@127.0.0.1:9"),
        )
        .env("KUBECTL_MCP_MAX_RETRIES", "0")
        .args(["m", "-m", "anyone there?"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("http://***@127.0.0.1:9"),
        "{}",
        stderr(&out)
    );
    secrets_in("stderr", &stderr(&out));
    for request in fake.requests() {
        secrets_in("a request body", &request.body.to_string());
    }
    secrets_in(
        "the stored object",
        &serde_json::to_string(&ns.contexts()).unwrap(),
    );
    secrets_in("the transcript", &ns.exported("m").join("\n"));
    let name = ns.contexts()[0].metadata.name.clone().unwrap();
    secrets_in("Events", &format!("{:?}", ns.events(&name)));
    ns.mcp()
        .env("ANTHROPIC_BASE_URL", &url)
        .args(["version", "--client"])
        .assert()
        .stdout(predicates::str::contains("http://***@127.0.0.1"))
        .stdout(predicates::str::contains(password).not());

    // A 50 MB error body, and a long error message: a bounded line on stderr.
    fake.push_fault(Fault::Status {
        status: 400,
        error_type: "invalid_request_error".into(),
        message: "x".repeat(50 << 20),
        headers: Vec::new(),
        details: None,
    });
    let out = chat(&ns, &fake).args(["m", "-m", "big"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).len() < 4000,
        "{} bytes on stderr",
        stderr(&out).len()
    );
    fake.push_fault(Fault::Status {
        status: 400,
        error_type: "invalid_request_error".into(),
        message: "y".repeat(5000),
        headers: Vec::new(),
        details: None,
    });
    let out = chat(&ns, &fake).args(["m", "-m", "long"]).output().unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("(4000 more characters not shown)") && err.len() < 3000,
        "{err}"
    );
    // A key that the cut would split is still masked: redaction comes before the cut.
    fake.push_fault(Fault::Status {
        status: 400,
        error_type: "invalid_request_error".into(),
        message: format!("{}{KEY} is not allowed", "z".repeat(990)),
        headers: Vec::new(),
        details: None,
    });
    let out = chat(&ns, &fake)
        .args(["m", "-m", "split"])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains(&KEY[..10]), "{}", stderr(&out));
}

/// Issue #15 item 1: redaction, on for a context (`--redaction on`) or for a run (`--redact`):
/// personal data and secrets become placeholders before anything is sent or stored, the same
/// value is the same placeholder in every turn, the user is told what was masked, and nothing
/// unmasked reaches the stored object, the request, the state directory or `-vvv` logs.
#[test]
fn redaction_masks_before_sending_and_storing_with_stable_placeholders() {
    let ns = cp().namespace("redact");
    let fake = fake();
    let state = tempfile::tempdir().unwrap();
    let pii = [
        "jane.doe@example.com",
        "4111 1111 1111 1111",
        "AKIAIOSFODNN7EXAMPLE",
        "+44 20 7946 0958",
    ];
    let chat_in = |args: &[&str]| {
        chat(&ns, &fake)
            .env("KUBECTL_MCP_STATE_DIR", state.path())
            .args(args)
            .output()
            .unwrap()
    };
    ns.mcp()
        .args(["create", "r", "--model", "m", "--redaction", "on"])
        .assert()
        .success();
    let q1 = format!(
        "mail {} about card {} (key {}), or call {}",
        pii[0], pii[1], pii[2], pii[3]
    );
    let out = chat_in(&["-vvv", "r", "-m", &q1]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("masked before it was sent or stored: 1 API keys or tokens, 1 card numbers, 1 e-mail addresses, 1 phone numbers"),
        "{err}"
    );
    let out2 = chat_in(&["r", "-m", &format!("and again {}", pii[0])]);
    assert!(out2.status.success(), "{}", stderr(&out2));
    let stored = ns.exported("r");
    let tag = |text: &str| -> String {
        let at = text.find("[EMAIL_").expect("an e-mail placeholder");
        text[at..at + 14].to_string()
    };
    assert_eq!(
        tag(&stored[0]),
        tag(&stored[2]),
        "the same address, the same placeholder"
    );
    // Nowhere unmasked.
    let mut everywhere = vec![
        stdout(&out),
        err,
        stdout(&out2),
        serde_json::to_string(&ns.contexts()).unwrap(),
        stored.join("\n"),
    ];
    everywhere.extend(fake.requests().iter().map(|r| r.body.to_string()));
    for entry in walk(state.path()) {
        everywhere.push(String::from_utf8_lossy(&std::fs::read(entry).unwrap()).into_owned());
    }
    for text in &everywhere {
        for value in pii {
            assert!(!text.contains(value), "{value} unmasked in: {text}");
        }
    }

    // Per run: --redact masks in a context that does not; without it, nothing is masked.
    ns.mcp()
        .args(["create", "plain", "--model", "m"])
        .assert()
        .success();
    assert!(
        chat_in(&["plain", "--redact", "-m", &format!("mail {}", pii[0])])
            .status
            .success()
    );
    assert!(chat_in(&["plain", "-m", "mail bob@example.org"])
        .status
        .success());
    let plain = ns.exported("plain");
    assert!(plain[0].starts_with("mail [EMAIL_"), "{plain:?}");
    assert_eq!(plain[2], "mail bob@example.org");
    // Turned off with set: stored as typed.
    ns.mcp()
        .args(["set", "r", "--redaction", "off"])
        .assert()
        .success();
    assert!(chat_in(&["r", "-m", "now carol@example.net"])
        .status
        .success());
    assert_eq!(ns.exported("r")[4], "now carol@example.net");
    // batch --redact.
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("b.jsonl");
    std::fs::write(
        &lines,
        format!(
            "{{\"session\": \"b\", \"message\": \"card {}\", \"model\": \"m\"}}\n",
            pii[1]
        ),
    )
    .unwrap();
    ns.mcp()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["batch", "--redact", "-f"])
        .arg(&lines)
        .assert()
        .success();
    assert!(
        ns.exported("b")[0].starts_with("card [CARD_"),
        "{:?}",
        ns.exported("b")
    );
    // A pattern of the context's own that does not compile: refused before anything is sent.
    ns.create_raw(json!({
        "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
        "metadata": {"name": "badpattern"},
        "spec": {"modelName": "m", "sessionID": "badpattern",
                 "redaction": {"enabled": true, "patterns": [{"name": "broken", "regex": "(unclosed"}]}},
    }))
    .unwrap();
    let messages = || {
        fake.requests()
            .iter()
            .filter(|r| r.path == "/v1/messages")
            .count()
    };
    let sent = messages();
    let out = chat_in(&["badpattern", "-m", "hi"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("spec.redaction.patterns broken"),
        "{}",
        stderr(&out)
    );
    assert_eq!(messages(), sent, "a message was sent");
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Issue #24 item 1: the Models lookup is an optimisation. Against an endpoint without the
/// Models API (a plain 404), three scripted turns (three processes) ask it once, never retry
/// its 404, and are answered with the table's figures; another model, or another machine's
/// state directory, asks again.
#[test]
fn a_server_without_the_models_api_is_asked_once_a_day_and_never_retried() {
    let ns = cp().namespace("nomodels");
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        models_api: false,
        ..Config::default()
    })
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let lookups = |fake: &FakeClaude| {
        fake.requests()
            .iter()
            .filter(|r| r.path == "/v1/models/{id}")
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };
    for q in ["one", "two", "three"] {
        let out = common::process(&ns, &fake, KEY, state.path())
            .args(["chat", "s", "--model", "claude-haiku-4-5", "-m", q])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(lookups(&fake), vec![404], "one lookup, its 404 not retried");
    let sent = fake.message_requests();
    assert_eq!(sent.len(), 3);
    for r in &sent {
        assert_eq!(r.body["max_tokens"], 1024, "the table's default answer cap");
    }
    assert_eq!(sent[2].body["messages"].as_array().unwrap().len(), 5);
    assert_eq!(ns.contexts()[0].spec.context_history.len(), 6);
    let out = common::process(&ns, &fake, KEY, state.path())
        .args([
            "chat",
            "t",
            "--model",
            "claude-sonnet-4-5",
            "-m",
            "other model",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lookups(&fake).len(), 2, "another model is asked about once");
    let elsewhere = tempfile::tempdir().unwrap();
    let out = common::process(&ns, &fake, KEY, elsewhere.path())
        .args(["chat", "s", "-m", "from another machine"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        lookups(&fake).len(),
        3,
        "another state directory asks again"
    );
}

/// Issue #24 item 3, through the real binary: the pace is kept in `status.promptCache`, and a
/// context whose turns come every 6 minutes writes one-hour entries that the next turn reads
/// (5-minute ones would expire unread, and cost more than sending nothing cached), while one
/// whose turns come every 90 s writes five-minute ones. The time between turns is set by
/// moving the recorded last request back and the fake's clock forward by the same amount.
#[test]
fn each_request_caches_for_the_pace_of_its_context() {
    let ns = cp().namespace("pace");
    let fake = fake();
    let system = "policy words ".repeat(600);
    let question = |i: usize| format!("question {i}: {}", "why does the pod restart? ".repeat(20));
    let mut ttls = Vec::new();
    for (session, gap) in [("slow", 360u64), ("quick", 90)] {
        ns.mcp()
            .args([
                "create",
                session,
                "--model",
                "claude-sonnet-4-5",
                "--system",
                &system,
            ])
            .assert()
            .success();
        for i in 0..6 {
            if i > 0 {
                // `gap` seconds pass: on the fake's clock, and in what the context recorded.
                let o = ns
                    .contexts()
                    .into_iter()
                    .find(|c| c.spec.session_id == session)
                    .unwrap();
                let pc = o
                    .status
                    .unwrap()
                    .prompt_cache
                    .expect("the pace is recorded");
                let back =
                    pc.last_request_time.unwrap() - jiff::SignedDuration::from_secs(gap as i64);
                let mut gaps = pc.gaps_seconds.clone();
                if let Some(last) = gaps.last_mut() {
                    *last = gap as u32;
                }
                ns.patch_status(
                    session,
                    serde_json::json!({"promptCache": {"lastRequestTime": back.to_string(), "gapsSeconds": gaps}}),
                );
                fake.advance_clock(std::time::Duration::from_secs(gap));
            }
            chat(&ns, &fake)
                .args([session, "-m", &question(i)])
                .assert()
                .success();
            let sent = fake.message_requests().pop().unwrap();
            let last = sent.body["messages"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .clone();
            let ttl = last["content"][0]["cache_control"].as_object().map(|cc| {
                cc.get("ttl")
                    .and_then(|t| t.as_str())
                    .unwrap_or("5m")
                    .to_string()
            });
            ttls.push((session, i, ttl));
        }
        let o = ns
            .contexts()
            .into_iter()
            .find(|c| c.spec.session_id == session)
            .unwrap();
        let st = o.status.unwrap();
        let m = &st.usage.as_ref().unwrap().models["claude-sonnet-4-5"];
        // Every later turn read what the one before wrote.
        assert!(
            st.last_usage.unwrap().cache_read_input_tokens > 0,
            "{session}: {ttls:?}"
        );
        // Never more than the same requests sent uncached.
        let billed = m.input_tokens as f64
            + 1.25 * (m.cache_creation_input_tokens - m.cache_creation_1h_input_tokens) as f64
            + 2.0 * m.cache_creation_1h_input_tokens as f64
            + 0.1 * m.cache_read_input_tokens as f64;
        let uncached =
            (m.input_tokens + m.cache_creation_input_tokens + m.cache_read_input_tokens) as f64;
        assert!(
            billed < uncached,
            "{session}: {billed} vs {uncached}, {ttls:?}"
        );
        assert!(
            st.prompt_cache
                .unwrap()
                .gaps_seconds
                .iter()
                .all(|g| g.abs_diff(gap as u32) <= 5),
            "{session}"
        );
    }
    // The slow context's turns wrote hour-long entries once its pace was known; the quick
    // one's, five-minute ones.
    for (session, i, ttl) in &ttls {
        if *i >= 2 {
            let want = if *session == "slow" { "1h" } else { "5m" };
            if let Some(t) = ttl {
                assert_eq!(t, want, "{session} turn {i}: {ttls:?}");
            }
        }
    }
    assert!(
        ttls.iter()
            .any(|(s, _, t)| *s == "slow" && t.as_deref() == Some("1h")),
        "{ttls:?}"
    );
}

/// Issue #24 item 4: `usage --advise` says what a context's calls read from and wrote to the
/// cache and what the same calls would have cost uncached (checked against the usage the API
/// reported turn by turn), and the cheapest settings that keep at least N turns at the
/// context's pace, with the command that sets them (which works).
#[test]
fn usage_advise_shows_the_cache_account_and_the_cheapest_settings_keeping_n_turns() {
    let ns = cp().namespace("advise");
    let fake = fake();
    let system = "policy words ".repeat(600);
    let question = |i: usize| format!("question {i}: {}", "why does the pod restart? ".repeat(20));
    ns.mcp()
        .args([
            "create",
            "adv",
            "--model",
            "claude-sonnet-4-5",
            "--history-size",
            "4",
            "--system",
            &system,
        ])
        .assert()
        .success();
    // (input, read, written, of which one hour, output), as the API reported them.
    let mut reported = [0u64; 5];
    for i in 0..6 {
        if i > 0 {
            // Six minutes pass between turns: on the fake's clock and in the recorded pace.
            let o = ns
                .contexts()
                .into_iter()
                .find(|c| c.spec.session_id == "adv")
                .unwrap();
            let pc = o.status.unwrap().prompt_cache.unwrap();
            let back = pc.last_request_time.unwrap() - jiff::SignedDuration::from_secs(360);
            let mut gaps = pc.gaps_seconds.clone();
            if let Some(last) = gaps.last_mut() {
                *last = 360;
            }
            ns.patch_status(
                "adv",
                json!({"promptCache": {"lastRequestTime": back.to_string(), "gapsSeconds": gaps}}),
            );
            fake.advance_clock(std::time::Duration::from_secs(360));
        }
        let out = chat(&ns, &fake)
            .args(["adv", "-m", &question(i), "-o", "jsonl"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let line: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        let u = &line["usage"];
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        reported[0] += n(&u["input_tokens"]);
        reported[1] += n(&u["cache_read_input_tokens"]);
        reported[2] += n(&u["cache_creation_input_tokens"]);
        reported[3] += n(&u["cache_creation"]["ephemeral_1h_input_tokens"]);
        reported[4] += n(&u["output_tokens"]);
    }
    assert!(reported[1] > 0 && reported[3] > 0, "{reported:?}");

    let out = ns
        .mcp()
        .args(["usage", "--advise", "adv", "--keep", "4", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &r["cache"];
    assert_eq!(c["requests"], 6);
    assert_eq!(c["readTokens"], reported[1]);
    assert_eq!(c["write1hTokens"], reported[3]);
    assert_eq!(c["write5mTokens"], reported[2] - reported[3]);
    assert_eq!(c["uncachedInputTokens"], reported[0]);
    // Sonnet 4.5: $3 a million in, $15 out; $0.30 read, $3.75 and $6 written.
    let micro = |x: f64| x.round() as u64;
    let all_in = reported[0] + reported[1] + reported[2];
    assert_eq!(
        c["uncachedMicroUSD"],
        micro(all_in as f64 * 3.0 + reported[4] as f64 * 15.0)
    );
    assert_eq!(c["readMicroUSD"], micro(reported[1] as f64 * 0.3));
    let st = ns.contexts()[0].status.clone().unwrap();
    assert_eq!(c["billedMicroUSD"], st.usage.unwrap().cost_micro_usd);
    assert!(r["gapsSeconds"].as_array().unwrap().contains(&json!(360)));
    // The advice: only settings keeping 4 turns or more, cheapest first, none dearer than
    // the same requests uncached; historySize 4 keeps 3 after a move, so it is not offered.
    let a = &r["advice"];
    assert_eq!(a["keep"], 4);
    assert_eq!(a["current"]["settings"]["historySize"], 4);
    assert_eq!(a["current"]["keptMin"], 3);
    let cheapest = a["cheapest"].as_array().unwrap();
    assert!(!cheapest.is_empty(), "{r}");
    let per_turn = |e: &Value| e["billedPerTurn"].as_f64().unwrap();
    for e in cheapest {
        assert!(e["keptMin"].as_u64().unwrap() >= 4, "{e}");
        assert!(
            per_turn(e) <= e["uncachedPerTurn"].as_f64().unwrap() * 1.0001,
            "{e}"
        );
        assert_ne!(e["settings"]["historySize"], 4);
    }
    assert!(cheapest
        .windows(2)
        .all(|p| per_turn(&p[0]) <= per_turn(&p[1])));
    let best = cheapest[0]["settings"]["historySize"].as_u64().unwrap();
    let command = r["command"].as_str().unwrap();
    assert_eq!(
        command,
        format!("kubectl mcp set adv --history-size {best}")
    );
    // The command it names does what it says.
    let words: Vec<&str> = command.split(' ').skip(2).collect();
    ns.mcp().args(&words).assert().success();
    assert_eq!(ns.contexts()[0].spec.history_size, Some(best as u32));

    // Once they are the settings, nothing alike is offered as cheaper.
    let out = ns
        .mcp()
        .args(["usage", "--advise", "adv", "--keep", "4", "-o", "json"])
        .output()
        .unwrap();
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["command"], Value::Null, "{again}");
    assert_eq!(
        again["advice"]["cheapest"][0]["settings"]["historySize"],
        best
    );
    // As a table, for people.
    ns.mcp()
        .args(["usage", "--advise", "adv", "--keep", "4"])
        .assert()
        .success()
        .stdout(
            contains("a turn every 6m")
                .and(contains("the same calls uncached:"))
                .and(contains("Settings that keep at least 4 turns"))
                .and(contains(format!("historySize {best} (now)"))),
        );
    // Bad input: a clear error, and nothing changed.
    ns.mcp()
        .args(["usage", "--advise", "adv", "--keep", "0"])
        .assert()
        .code(2);
    ns.mcp()
        .args(["usage", "--advise", "adv", "-A"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
    ns.mcp()
        .args(["usage", "--keep", "4"])
        .assert()
        .code(2)
        .stderr(contains("--advise"));
    ns.mcp()
        .args(["usage", "--advise", "nosuch"])
        .assert()
        .failure()
        .stderr(contains("nosuch"));
    assert_eq!(ns.contexts()[0].spec.history_size, Some(best as u32));
}

/// Issue #25 item 4: `get --last N` shows the last N turns, sealed ones included, and says how
/// many were left out; piped (a script, a pager) `get` shows every turn; `--last` with
/// `--full`, or `--last 0`, is a usage error.
#[test]
fn get_last_shows_the_last_turns_and_a_pipe_gets_every_one() {
    let ns = cp().namespace("getlast");
    let fake = fake();
    let state = tempfile::tempdir().unwrap();
    common::conversation::mostly_sealed("long", 30).grow(common::process(
        &ns,
        &fake,
        KEY,
        state.path(),
    ));
    let obj = ns.contexts().pop().unwrap();
    let live = kubectl_mcp::model::resource::count_turns(obj.live_history());
    assert!(live < 27, "most turns sealed: {live} live");

    let out = ns
        .mcp()
        .args(["get", "long", "--last", "3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Transcript (30 turns"), "{text}");
    assert!(
        text.contains("  [27 earlier turns not shown: --full shows every turn"),
        "{text}"
    );
    for shown in ["[28] user", "[T:27]", "[30] assistant", "[T:29]"] {
        assert!(text.contains(shown), "{shown}:\n{text}");
    }
    for hidden in ["[27] user", "[T:26]", "[1] user"] {
        assert!(!text.contains(hidden), "{hidden}:\n{text}");
    }

    // Not a terminal: every turn, from the sealed segments on.
    let out = ns.mcp().args(["get", "long"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for shown in ["[1] user", "[T:0]", "[30] assistant"] {
        assert!(text.contains(shown), "{shown}:\n{text}");
    }
    assert!(!text.contains("not shown"), "{text}");

    // On a terminal: the last 20, with the line saying how to see the rest.
    let t = common::tmux::Tmux::new("getlast");
    t.session(
        "g",
        &format!(
            "env -u KUBECONFIG {} --kubeconfig {} -n {} get long; echo EXITED $?; sleep 60",
            assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
            ns.cp.kubeconfig.display(),
            ns.name
        ),
    );
    let screen = t.wait_for_in("g", "EXITED 0");
    assert!(
        screen.contains("[10 earlier turns not shown: --full shows every turn"),
        "{screen}"
    );
    assert!(
        screen.contains("[11] user") && !screen.contains("[10] user"),
        "{screen}"
    );

    ns.mcp()
        .args(["get", "long", "--last", "3", "--full"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
    ns.mcp()
        .args(["get", "long", "--last", "0"])
        .assert()
        .code(2);
}

/// Issue #25 item 3: a session whose name is in many other namespaces is named with a few of
/// them and how many more, by chat's note on a new context and by the not-found hint.
#[test]
fn a_name_in_many_namespaces_is_hinted_with_a_few_and_how_many_more() {
    let fake = fake();
    // Unique to this run: the control plane may be shared with earlier runs.
    let session = format!("dup-many-{}", std::process::id());
    let others: Vec<Namespace> = (0..7)
        .map(|i| cp().namespace(&format!("many{i}")))
        .collect();
    for ns in &others {
        chat(ns, &fake)
            .args([session.as_str(), "--model", "m", "-m", "hi"])
            .assert()
            .success();
    }
    let here = cp().namespace("manyhere");
    chat(&here, &fake)
        .args([session.as_str(), "--model", "m", "-m", "hi"])
        .assert()
        .success()
        .stderr(contains(" and 2 more (pass -n to chat with that one)"));
    let none = cp().namespace("manynone");
    none.mcp()
        .args(["get", session.as_str()])
        .assert()
        .failure()
        .stderr(contains(" and 3 more: pass -n with one of them"));
}

/// Issue #25 item 6: `-v` prints one line per HTTP request, as kubectl's `-v=6` does (the
/// method, the whole URL, the status, the time), for the apiserver and Claude alike; `-vvv` is
/// this tool's and its clients' trace, not the connection pool's polling.
#[test]
fn verbose_prints_one_line_per_request_as_kubectl_does() {
    let ns = cp().namespace("verbose");
    let fake = fake();
    let claude_env = || {
        let mut cmd = ns.mcp();
        cmd.env("ANTHROPIC_BASE_URL", fake.base_url())
            .env("ANTHROPIC_API_KEY", KEY);
        cmd
    };
    let out = claude_env()
        .args([
            "-v",
            "chat",
            "v",
            "--model",
            "claude-haiku-4-5",
            "-m",
            "hello",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let requests: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(" milliseconds"))
        .collect();
    let claude = format!(
        "POST {}/v1/messages 200 OK in ",
        fake.base_url().trim_end_matches('/')
    );
    assert!(
        requests.iter().filter(|l| l.contains(&claude)).count() == 1,
        "one Messages call:\n{err}"
    );
    let contexts = format!(
        "{}/apis/mcp.dev/v1alpha1/namespaces/{}/claudemodelcontexts",
        ns.cp.server, ns.name
    );
    for verb in ["GET ", "POST ", "PATCH "] {
        assert!(
            requests
                .iter()
                .any(|l| l.contains(&format!("{verb}{contexts}")) && l.contains(" in ")),
            "{verb}to the contexts:\n{err}"
        );
    }
    // Each line is one request: a method, a URL, a status or a failure, a time.
    for l in &requests {
        let rest = l.split_once(" INFO ").map_or(*l, |(_, r)| r);
        let mut words = rest.split(' ');
        let method = words.next().unwrap_or_default();
        assert!(
            ["GET", "POST", "PATCH", "PUT", "DELETE"].contains(&method),
            "{l}"
        );
        assert!(words.next().is_some_and(|u| u.starts_with("http")), "{l}");
    }
    let out = claude_env().args(["-vvv", "get", "v"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("hyper_util::client::legacy::pool"), "{err}");
    assert!(err.contains("/claudemodelcontexts/v 200 OK in "), "{err}");
}
