//! Never a lost turn (issue #9): many processes on one context, concurrent folds, hostile
//! input, misbehaving endpoints, and refusals that must come before Claude is paid. Every test
//! runs the real binary against the real apiserver and the local fake.

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{stderr, stdout, ControlPlane, Namespace};
use fake_claude::{FakeClaude, Fault};
use kubectl_mcp::model::resource::{ClaudeModelContext, Marker, Role};
use predicates::str::contains;

const KEY: &str = "sk-ant-integrity-test";

fn cp() -> &'static ControlPlane {
    ControlPlane::with_crd()
}

/// The binary as a plain process (for many at once), pointed at the fake and the namespace.
fn process(ns: &Namespace, fake: &FakeClaude, state: &std::path::Path) -> Command {
    common::process(ns, fake, KEY, state)
}

/// `chat SESSION` as a process of its own with `turns` messages, writer `w`'s turn
/// `t` tagged `[T:w{w}-t{t}]`, started with stdout dropped: one of many concurrent writers.
fn spawn_writer(
    ns: &Namespace,
    fake: &FakeClaude,
    state: &std::path::Path,
    session: &str,
    w: usize,
    turns: usize,
    extra: &[&str],
) -> (String, Child) {
    let mut cmd = process(ns, fake, state);
    cmd.args(["chat", session]).args(extra);
    for t in 0..turns {
        cmd.arg("-m")
            .arg(format!("[T:w{w}-t{t}] a question of writer {w}"));
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (format!("writer {w}"), child)
}

fn chat(ns: &Namespace, fake: &FakeClaude) -> assert_cmd::Command {
    common::chat_with(ns, fake, KEY)
}

fn wait_all(children: Vec<(String, Child)>) {
    for (what, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{what} failed ({:?}): {}{}",
            out.status,
            stdout(&out),
            stderr(&out)
        );
    }
}

fn the_context(ns: &Namespace) -> ClaudeModelContext {
    let mut all = ns.contexts();
    assert_eq!(all.len(), 1, "one context");
    all.remove(0)
}

/// `[T:…]` ids in a text, in order.
fn ids_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("[T:") {
        let after = &rest[i..];
        let Some(end) = after.find(']') else { break };
        out.push(after[..=end].to_string());
        rest = &after[end..];
    }
    out
}

/// Where every turn id ended up: how often as a stored question anywhere in the conversation
/// (sealed segments and the live object, read back through `export`), how often in a
/// `folded:` line of the summary (the fake lists the ids each summarizing call folded).
fn whereabouts(ns: &Namespace, obj: &ClaudeModelContext) -> BTreeMap<String, (usize, usize)> {
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let out = ns
        .mcp()
        .args(["export", &obj.spec.session_id, "-o", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "export: {}", stderr(&out));
    for (role, content) in exported_messages(&stdout(&out)) {
        if role == "user" {
            for id in ids_in(&content) {
                seen.entry(id).or_default().0 += 1;
            }
        }
    }
    let summary = obj
        .status
        .as_ref()
        .and_then(|s| s.summary.clone())
        .unwrap_or_default();
    for line in summary.lines().filter(|l| l.starts_with("folded:")) {
        for id in ids_in(line) {
            seen.entry(id).or_default().1 += 1;
        }
    }
    seen
}

/// Every id is stored exactly once (folding keeps the originals, sealed) and folded into the
/// summary at most once: never twice, never gone.
fn assert_each_kept_once(ns: &Namespace, obj: &ClaudeModelContext, expected: &[String]) {
    let seen = whereabouts(ns, obj);
    let mut problems = Vec::new();
    for id in expected {
        match seen.get(id) {
            Some((1, 0)) | Some((1, 1)) => {}
            None | Some((0, _)) => problems.push(format!("{id} lost")),
            Some((s, f)) => problems.push(format!("{id} stored {s}× and folded {f}×")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} turns were not kept exactly once: {problems:?}",
        problems.len(),
        expected.len()
    );
}

#[test]
fn sixteen_writers_on_one_context_keep_every_turn_once_in_order() {
    let ns = cp().namespace("race16");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    chat(&ns, &fake)
        .args(["shared", "--model", "m", "-m", "warm up"])
        .assert()
        .success();
    let children: Vec<_> = (0..16)
        .map(|w| spawn_writer(&ns, &fake, state.path(), "shared", w, 10, &[]))
        .collect();
    wait_all(children);
    let obj = the_context(&ns);
    // The whole conversation, sealed segments and live object: sixteen writers on the default
    // 24 KiB live budget seal while they race.
    assert!(obj.sealed_turns() > 0, "the race went through sealing");
    let h = full_history(&ns, "shared");
    assert_eq!(
        h.len(),
        2 + 320,
        "160 turns and the warm-up, each stored once"
    );
    for pair in h.chunks(2) {
        assert_eq!(pair[0].0, "user");
        assert_eq!(pair[1].0, "assistant");
        assert_eq!(
            pair[1].1,
            format!("You said: {}", pair[0].1),
            "each answer follows its own question"
        );
    }
    let expected: Vec<String> = (0..16)
        .flat_map(|w| (0..10).map(move |t| format!("[T:w{w}-t{t}]")))
        .collect();
    assert_each_kept_once(&ns, &obj, &expected);
    for w in 0..16 {
        let order: Vec<String> = h
            .iter()
            .filter(|m| m.0 == "user")
            .flat_map(|m| ids_in(&m.1))
            .filter(|id| id.starts_with(&format!("[T:w{w}-")))
            .collect();
        let want: Vec<String> = (0..10).map(|t| format!("[T:w{w}-t{t}]")).collect();
        assert_eq!(order, want, "writer {w}'s turns are stored in its order");
    }
    assert_eq!(obj.status.unwrap().turn_count, Some(161));
}

/// 8 chatting processes on a summarizing context (historySize 4) while 4 `summarize` loops
/// with different `--keep-last` fold the same history.
fn folds_race(strategy: &str) {
    let ns = cp().namespace(&format!("fold-{}", strategy.replace('_', "")));
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    chat(&ns, &fake)
        .args([
            "shared",
            "--model",
            "m",
            "--strategy",
            strategy,
            "--history-size",
            "4",
            "-m",
            "[T:seed] hello",
        ])
        .assert()
        .success();
    let mut children: Vec<_> = (0..8)
        .map(|w| spawn_writer(&ns, &fake, state.path(), "shared", w, 10, &[]))
        .collect();
    for keep in 1..=4 {
        let script = format!(
            "for i in 1 2 3 4 5 6; do out=$(\"$0\" \"$@\" summarize shared --keep-last {keep}) || {{ echo \"$out\"; exit 1; }}; done"
        );
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(script)
            .arg(assert_cmd::cargo::cargo_bin("kubectl-mcp"))
            .env_remove("KUBECONFIG")
            .env("ANTHROPIC_BASE_URL", fake.base_url())
            .env("ANTHROPIC_API_KEY", KEY)
            .env("KUBECTL_MCP_STATE_DIR", state.path())
            .arg("--kubeconfig")
            .arg(&ns.cp.kubeconfig)
            .args(["-n", &ns.name]);
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        children.push((format!("summarize --keep-last {keep}"), child));
    }
    wait_all(children);
    let obj = the_context(&ns);
    let mut expected = vec!["[T:seed]".to_string()];
    expected.extend((0..8).flat_map(|w| (0..10).map(move |t| format!("[T:w{w}-t{t}]"))));
    assert_each_kept_once(&ns, &obj, &expected);
    let folded: usize = whereabouts(&ns, &obj).values().map(|(_, f)| f).sum();
    assert!(folded > 0, "something was folded");
    assert_eq!(obj.covered(), 0, "no fold left half done");
}

#[test]
fn concurrent_folds_on_summarize_oldest_fold_each_turn_once() {
    folds_race("summarize_oldest");
}

#[test]
fn concurrent_folds_on_hybrid_fold_each_turn_once() {
    folds_race("hybrid");
}

#[test]
fn two_summarize_runs_with_different_keep_last_lose_nothing() {
    for round in 0..3 {
        let ns = cp().namespace("twosum");
        let fake = common::fake_claude(KEY);
        let state = tempfile::tempdir().unwrap();
        let mut c = chat(&ns, &fake);
        c.args(["ten", "--model", "m"]);
        for t in 0..10 {
            c.arg("-m").arg(format!("[T:t{t}] q"));
        }
        c.assert().success();
        let children: Vec<_> = [2, 4]
            .iter()
            .map(|keep| {
                let child = process(&ns, &fake, state.path())
                    .args(["summarize", "ten", "--keep-last", &keep.to_string()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                (
                    format!("round {round}: summarize --keep-last {keep}"),
                    child,
                )
            })
            .collect();
        wait_all(children);
        let obj = the_context(&ns);
        let expected: Vec<String> = (0..10).map(|t| format!("[T:t{t}]")).collect();
        assert_each_kept_once(&ns, &obj, &expected);
        let stored = obj
            .spec
            .context_history
            .iter()
            .filter(|m| m.role == Role::User)
            .count();
        assert!(stored == 2 || stored == 4, "{stored} turns stay stored");
    }
}

#[test]
fn sixteen_concurrent_batches_on_one_session_store_every_line() {
    let ns = cp().namespace("batch16");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..16)
        .map(|b| {
            let path = dir.path().join(format!("b{b}.jsonl"));
            let lines: String = (0..10)
                .map(|t| {
                    format!(
                        "{{\"session\": \"shared\", \"model\": \"m\", \"message\": \"[T:b{b}-t{t}] q\"}}\n"
                    )
                })
                .collect();
            std::fs::write(&path, lines).unwrap();
            let child = process(&ns, &fake, state.path())
                .args(["batch", "-f"])
                .arg(&path)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (b, child)
        })
        .collect();
    for (b, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "batch {b}: {}", stderr(&out));
        let ok = stdout(&out)
            .lines()
            .filter(|l| l.contains("\"reply\"") && !l.contains("\"error\""))
            .count();
        assert_eq!(ok, 10, "batch {b}: {}", stdout(&out));
    }
    let obj = the_context(&ns);
    let expected: Vec<String> = (0..16)
        .flat_map(|b| (0..10).map(move |t| format!("[T:b{b}-t{t}]")))
        .collect();
    assert_each_kept_once(&ns, &obj, &expected);
    assert_eq!(full_history(&ns, "shared").len(), 320);
}

#[test]
fn a_message_etcd_could_never_store_is_refused_before_claude_is_paid() {
    let ns = cp().namespace("ctrlchars");
    let fake = common::fake_claude(KEY);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.txt");
    // 270 kB on disk, 1.6 MB once the apiserver's JSON escapes each byte as \u0001.
    std::fs::write(&path, "\u{1}".repeat(270_000)).unwrap();
    chat(&ns, &fake)
        .args(["fresh", "--model", "m", "-f"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("bytes as the cluster stores it"))
        .stderr(contains("900000"));
    assert!(fake.message_requests().is_empty(), "nothing was sent");
    assert!(ns.contexts().is_empty(), "no context was created");

    // An existing context: refused the same way, and the context still takes normal turns.
    chat(&ns, &fake)
        .args(["fresh", "--model", "m", "-m", "before"])
        .assert()
        .success();
    std::fs::write(&path, "\u{1}".repeat(250_000)).unwrap();
    chat(&ns, &fake)
        .args(["fresh", "-f"])
        .arg(&path)
        .assert()
        .code(2);
    assert_eq!(fake.message_requests().len(), 1);
    // The largest message that fits is stored, exactly, and the context keeps working.
    std::fs::write(&path, "\u{1}".repeat(130_000)).unwrap();
    chat(&ns, &fake)
        .args(["fresh", "-f"])
        .arg(&path)
        .assert()
        .success();
    chat(&ns, &fake)
        .args(["fresh", "-m", "after"])
        .assert()
        .success()
        .stdout("You said: after\n");
    // The big turn pushed the live object past its budget: older turns are sealed, and every
    // message is still there, exactly.
    let all = ns.exported("fresh");
    assert_eq!(all.len(), 6);
    assert_eq!(all[2], "\u{1}".repeat(130_000));
    assert_eq!(all[4], "after");
}

#[test]
fn an_empty_answer_is_stored_marked_and_the_chat_goes_on() {
    let ns = cp().namespace("emptyans");
    let fake = common::fake_claude(KEY);
    fake.push_fault(Fault::Reply(String::new()));
    chat(&ns, &fake)
        .args(["e", "--model", "m", "-m", "say nothing", "-m", "and now?"])
        .assert()
        .success();
    let obj = the_context(&ns);
    let h = &obj.spec.context_history;
    assert_eq!(h.len(), 4);
    assert_eq!(h[1].content, "");
    assert_eq!(h[1].markers, vec![Marker::Empty]);
    assert_eq!(h[3].content, "You said: and now?");
    // The empty answer went back to the API as a non-empty placeholder (the fake refuses empty
    // content as the API does), and the second request succeeded.
    assert_eq!(fake.message_requests().len(), 2);
}

#[test]
fn a_long_session_id_that_is_a_valid_name_chats() {
    let ns = cp().namespace("longid");
    let fake = common::fake_claude(KEY);
    let id = format!("{}.{}", "a".repeat(115), "b".repeat(114));
    assert_eq!(id.len(), 230);
    let state = tempfile::tempdir().unwrap();
    for m in ["one", "two"] {
        chat(&ns, &fake)
            .env("KUBECTL_MCP_STATE_DIR", state.path())
            .args([&id, "--model", "m", "-m", m])
            .assert()
            .success();
    }
    assert_eq!(the_context(&ns).spec.context_history.len(), 4);
}

#[test]
fn a_hand_written_object_with_huge_numbers_breaks_nothing() {
    let ns = cp().namespace("handnum");
    let fake = common::fake_claude(KEY);
    chat(&ns, &fake)
        .args(["good", "--model", "m", "-m", "hi"])
        .assert()
        .success();
    let odd = serde_json::json!({
        "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
        "metadata": {"name": "odd"},
        "spec": {"modelName": "m", "sessionID": "odd", "contextHistory": [
            {"role": "user", "content": "q", "tokens": 99999999999u64},
            {"role": "assistant", "content": "a", "tokens": 99999999999u64}
        ]}
    });
    ns.create_raw(odd).expect("the apiserver accepts it");
    ns.mcp()
        .args(["list"])
        .assert()
        .success()
        .stdout(contains("good"))
        .stdout(contains("odd"));
    ns.cp
        .mcp_admin()
        .args(["list", "-A"])
        .assert()
        .success()
        .stdout(contains("odd"));
    ns.mcp().args(["expire", "--dry-run"]).assert().success();
    ns.cp
        .mcp_admin()
        .args(["expire", "-A", "--dry-run"])
        .assert()
        .success();
    ns.mcp().args(["get", "odd"]).assert().success();
    chat(&ns, &fake)
        .args(["odd", "-m", "still works"])
        .assert()
        .success();
    ns.mcp()
        .args(["summarize", "--all", "--dry-run"])
        .assert()
        .success();
    ns.mcp().args(["delete", "odd"]).assert().success();
}

#[test]
fn a_reader_without_write_rights_is_refused_before_claude_is_called() {
    let ns = cp().namespace("rbacro");
    let fake = common::fake_claude(KEY);
    chat(&ns, &fake)
        .args([
            "ro", "--model", "m", "-m", "one", "-m", "two", "-m", "three",
        ])
        .assert()
        .success();
    // The viewer may get and list contexts in this namespace, and nothing else.
    common::block_on(async {
        use k8s_openapi::api::rbac::v1::{Role as RbacRole, RoleBinding};
        use kube::api::{Api, PostParams};
        let client = ns.cp.client().await;
        let roles: Api<RbacRole> = Api::namespaced(client.clone(), &ns.name);
        let role = serde_json::json!({
            "metadata": {"name": "cmc-reader"},
            "rules": [{"apiGroups": ["mcp.dev"], "resources": ["claudemodelcontexts"], "verbs": ["get", "list"]}]
        });
        roles
            .create(
                &PostParams::default(),
                &serde_json::from_value(role).unwrap(),
            )
            .await
            .unwrap();
        let bindings: Api<RoleBinding> = Api::namespaced(client, &ns.name);
        let binding = serde_json::json!({
            "metadata": {"name": "cmc-reader"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cmc-reader"},
            "subjects": [{"kind": "User", "name": "viewer", "apiGroup": "rbac.authorization.k8s.io"}]
        });
        bindings
            .create(
                &PostParams::default(),
                &serde_json::from_value(binding).unwrap(),
            )
            .await
            .unwrap();
    });
    ns.mcp_as_viewer().args(["get", "ro"]).assert().success();
    let before = fake.message_requests().len();
    ns.mcp_as_viewer()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["chat", "ro", "-m", "may I?"])
        .assert()
        .code(1)
        .stderr(contains("forbidden: you may not patch"));
    ns.mcp_as_viewer()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["summarize", "ro", "--keep-last", "1"])
        .assert()
        .code(1)
        .stdout(contains("forbidden: you may not patch"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.jsonl");
    std::fs::write(&path, "{\"session\": \"ro\", \"message\": \"batch?\"}\n").unwrap();
    ns.mcp_as_viewer()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["batch", "-f"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(contains("forbidden"));
    assert_eq!(
        fake.message_requests().len(),
        before,
        "Claude was not called for answers that could not be kept"
    );
}

#[test]
fn input_and_answers_are_bounded() {
    let ns = cp().namespace("bounded");
    let fake = common::fake_claude(KEY);
    // An endless input is refused at the cap, quickly, with the cap named.
    let start = Instant::now();
    chat(&ns, &fake)
        .args(["b", "--model", "m", "-f", "/dev/urandom"])
        .assert()
        .code(2)
        .stderr(contains("KUBECTL_MCP_MAX_INPUT"));
    assert!(start.elapsed() < Duration::from_secs(20));
    // Invalid UTF-8 is refused too, with where it starts.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"fine\xff\xfe").unwrap();
    chat(&ns, &fake)
        .args(["b", "--model", "m", "-f"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("not UTF-8"))
        .stderr(contains("offset 4"));
    assert!(ns.contexts().is_empty());
    assert!(fake.message_requests().is_empty());

    // A server that ignores max_tokens is cut off; what arrived is stored, marked as cut.
    fake.push_fault(Fault::Endless);
    let start = Instant::now();
    let out = chat(&ns, &fake)
        .args(["b", "--model", "m", "-m", "go on forever"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(start.elapsed() < Duration::from_secs(60));
    assert!(stderr(&out).contains("cut"), "{}", stderr(&out));
    let printed = out.stdout.len();
    assert!(printed < 200_000, "{printed} bytes printed");
    let obj = the_context(&ns);
    let answer = &obj.spec.context_history[1];
    assert_eq!(answer.markers, vec![Marker::Cut]);
    assert!(answer.content.len() >= 60_000 && answer.content.len() <= 65_536);
    assert!(fake.disconnects() >= 1, "the connection was dropped");
}

#[test]
fn an_endpoint_that_never_answers_fails_within_the_first_byte_limit() {
    let ns = cp().namespace("stall");
    let addr = silent_endpoint();
    let start = Instant::now();
    ns.mcp()
        .env("ANTHROPIC_BASE_URL", format!("http://{addr}"))
        .env("ANTHROPIC_API_KEY", KEY)
        .env("KUBECTL_MCP_FIRST_BYTE_TIMEOUT", "2s")
        .args(["chat", "s", "--model", "m", "-m", "hello?"])
        .assert()
        .code(1)
        .stderr(contains("2s"))
        .stderr(contains("KUBECTL_MCP_FIRST_BYTE_TIMEOUT"));
    // Three attempts (a stall is retried like a connection error), each within the limit.
    let took = start.elapsed();
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let obj = the_context(&ns);
    assert!(obj.spec.context_history.is_empty());
    assert_eq!(obj.status.unwrap().current_state.unwrap().as_str(), "Error");
}

/// A server on loopback that accepts connections and never says a word.
fn silent_endpoint() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    addr
}

/// Issue #24 item 2, with nothing configured: an endpoint that accepts and never answers fails
/// a scripted turn within 90 s (the call gives up at 80 s, every retry included), exit 1,
/// nothing stored, and the message names the URL and the settings to change.
#[test]
fn an_endpoint_that_never_answers_fails_a_turn_within_90_seconds_by_default() {
    let ns = cp().namespace("silent");
    let addr = silent_endpoint();
    let start = Instant::now();
    let out = ns
        .mcp()
        .env("ANTHROPIC_BASE_URL", format!("http://{addr}"))
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["chat", "s", "--model", "m", "-m", "hello?"])
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(took <= Duration::from_secs(90), "took {took:?}");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("http://{addr}")), "{err}");
    assert!(err.contains("KUBECTL_MCP_CALL_TIMEOUT"), "{err}");
    assert!(err.contains("in all"), "{err}");
    let obj = the_context(&ns);
    assert!(obj.spec.context_history.is_empty(), "nothing stored");
}

#[test]
fn keep_last_zero_is_a_usage_error() {
    let ns = cp().namespace("keep0");
    for args in [
        vec!["summarize", "x", "--keep-last", "0"],
        vec!["summarize", "x", "--keep-last", "0", "--dry-run"],
        vec!["summarize", "--all", "--keep-last", "0"],
    ] {
        ns.mcp()
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains("--keep-last"));
    }
}

#[test]
fn turns_that_cannot_be_stored_in_time_are_journalled_shown_and_written_back_once() {
    let ns = cp().namespace("budget0");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    chat(&ns, &fake)
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .args(["shared", "--model", "m", "-m", "[T:seed] warm up"])
        .assert()
        .success();
    // No time at all for lost races: every writer that loses one journals its turn.
    let dir = tempfile::tempdir().unwrap();
    let mut children = Vec::new();
    for w in 0..8 {
        let mut cmd = process(&ns, &fake, state.path());
        cmd.env("KUBECTL_MCP_WRITE_BUDGET", "0s")
            .args(["chat", "shared"]);
        for t in 0..5 {
            cmd.arg("-m").arg(format!("[T:w{w}-t{t}] q"));
        }
        children.push((
            "chat",
            cmd.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        ));
    }
    for b in 0..4 {
        let path = dir.path().join(format!("b{b}.jsonl"));
        let lines: String = (0..5)
            .map(|t| format!("{{\"session\": \"shared\", \"message\": \"[T:b{b}-t{t}] q\"}}\n"))
            .collect();
        std::fs::write(&path, lines).unwrap();
        let mut cmd = process(&ns, &fake, state.path());
        cmd.env("KUBECTL_MCP_WRITE_BUDGET", "0s")
            .args(["batch", "-f"])
            .arg(&path);
        children.push((
            "batch",
            cmd.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        ));
    }
    let mut shown = vec!["[T:seed]".to_string()];
    let mut journalled = 0;
    for (kind, child) in children {
        let out = child.wait_with_output().unwrap();
        let (o, e) = (stdout(&out), stderr(&out));
        if kind == "chat" {
            // Each answer shown is a turn paid for: it must end up stored.
            shown.extend(o.lines().flat_map(ids_in));
            if !out.status.success() {
                assert!(e.contains("local journal"), "{e}");
                journalled += 1;
            }
        } else {
            for line in o.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let reply = v["reply"]
                    .as_str()
                    .expect("every answer stays in the output");
                shown.extend(ids_in(reply));
                if let Some(err) = v["error"].as_str() {
                    assert!(err.contains("local journal"), "{err}");
                    journalled += 1;
                }
            }
        }
    }
    assert!(
        journalled > 0,
        "some turns lost their race with no time to retry"
    );
    // Writers sharing the state directory write journalled turns back before their own next
    // turn; the next run writes back whatever is left, before its own turn.
    chat(&ns, &fake)
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .args(["shared", "-m", "[T:last] done"])
        .assert()
        .success();
    let pending: usize = std::fs::read_dir(state.path().join("journal"))
        .map(|d| {
            d.flatten()
                .filter(|f| f.path().extension().is_some_and(|e| e == "jsonl"))
                .map(|f| {
                    std::fs::read_to_string(f.path())
                        .unwrap_or_default()
                        .lines()
                        .count()
                })
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(pending, 0, "the journal is empty");
    shown.push("[T:last]".into());
    shown.sort();
    shown.dedup();
    let obj = the_context(&ns);
    assert_each_kept_once(&ns, &obj, &shown);
    let stored: usize = whereabouts(&ns, &obj).values().map(|(s, _)| s).sum();
    assert_eq!(stored, shown.len(), "nothing stored that was not shown");
}

/// Every message of `session`, sealed and live, as (role, content), through `export`.
fn full_history(ns: &Namespace, session: &str) -> Vec<(String, String)> {
    let out = ns
        .mcp()
        .args(["export", session, "-o", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "export: {}", stderr(&out));
    exported_messages(&stdout(&out))
}

/// `export -o jsonl` messages (after the header line) as (role, content).
fn exported_messages(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["role"].as_str().unwrap().to_string(),
                v["content"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_three_mib_conversation_exports_and_imports_whole() {
    let ns = cp().namespace("big");
    let fake = common::fake_claude(KEY);
    let dir = tempfile::tempdir().unwrap();
    let mut original = Vec::new();
    let mut text = String::from(
        "{\"kind\": \"ClaudeModelContext\", \"spec\": {\"modelName\": \"m\", \"sessionID\": \"big\"}}\n",
    );
    for t in 0..2600 {
        // Several hundred characters, some of them escaped six-fold by the apiserver.
        let q = format!("[T:{t}] {} <tag> & \u{1}", "question words ".repeat(40));
        let a = format!("answer {t}: {}", "plain answer text ".repeat(40));
        for (role, content) in [("user", q), ("assistant", a)] {
            text.push_str(&serde_json::json!({"role": role, "content": content}).to_string());
            text.push('\n');
            original.push((role.to_string(), content));
        }
    }
    assert!(text.len() > 3 << 20, "{} bytes", text.len());
    let path = dir.path().join("big.jsonl");
    std::fs::write(&path, &text).unwrap();
    ns.mcp()
        .args(["import", "-f"])
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("5200 messages"));
    let obj = the_context(&ns);
    let live = serde_json::to_vec(&obj).unwrap().len();
    assert!(live < 1_000_000, "the live object holds {live} bytes");
    assert!(
        obj.spec.context_history.len() < 5200,
        "older turns were archived"
    );
    assert_eq!(obj.status.as_ref().unwrap().turn_count, Some(2600));
    ns.mcp()
        .args(["list"])
        .assert()
        .success()
        .stdout(contains("2600"));
    chat(&ns, &fake)
        .args(["big", "-m", "[T:new] and one more"])
        .assert()
        .success();
    original.push(("user".into(), "[T:new] and one more".into()));
    original.push(("assistant".into(), "You said: [T:new] and one more".into()));

    let out = ns
        .mcp()
        .args(["export", "big", "-o", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = stdout(&out);
    assert_eq!(
        exported_messages(&exported),
        original,
        "every turn, archived or live, in order"
    );
    let copy = dir.path().join("copy.jsonl");
    std::fs::write(&copy, &exported).unwrap();
    ns.mcp()
        .args(["import", "--session", "big-copy", "-f"])
        .arg(&copy)
        .assert()
        .success();
    let again = ns
        .mcp()
        .args(["export", "big-copy", "-o", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(exported_messages(&stdout(&again)), original);
    ns.mcp()
        .args(["get", "big-copy"])
        .assert()
        .success()
        .stdout(contains("Transcript (2601 turns, 5202 messages)"));
}

#[test]
fn folds_killed_at_random_points_lose_nothing_and_fold_nothing_twice() {
    let ns = cp().namespace("foldkill");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    chat(&ns, &fake)
        .args([
            "k",
            "--model",
            "m",
            "--strategy",
            "summarize_oldest",
            "--history-size",
            "4",
            "-m",
            "[T:seed] hello",
        ])
        .assert()
        .success();
    let mut expected = vec!["[T:seed]".to_string()];
    let mut killed = 0;
    for round in 0..20u64 {
        // A writer adds two turns (folding as it goes) while a summarize runs; either may be
        // killed at any point of its writes.
        let mut writer = process(&ns, &fake, state.path());
        writer.args(["chat", "k"]);
        for t in 0..2 {
            let id = format!("[T:r{round}-t{t}]");
            writer.arg("-m").arg(format!("{id} q"));
        }
        let mut writer = writer
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut folder = process(&ns, &fake, state.path())
            .args(["summarize", "k", "--keep-last", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(fastrand_ms(round)));
        let victim = if round % 2 == 0 {
            &mut folder
        } else {
            &mut writer
        };
        if victim.try_wait().unwrap().is_none() {
            victim.kill().unwrap();
            killed += 1;
        }
        let _ = folder.wait();
        let out = writer.wait_with_output().unwrap();
        // An answer whose line was ended is a turn `chat` holds safe (stored, or recorded for
        // write-back); a writer killed mid-line may or may not have stored that one.
        expected.extend(
            stdout(&out)
                .split_inclusive('\n')
                .filter(|l| l.ends_with('\n'))
                .flat_map(ids_in),
        );
    }
    eprintln!("killed {killed} of 20 mid-way");
    assert!(killed >= 5, "only {killed} processes were killed mid-way");
    // The next chat finishes whatever fold was interrupted before it windows.
    chat(&ns, &fake)
        .args(["k", "-m", "[T:end] done"])
        .assert()
        .success();
    expected.push("[T:end]".into());
    let obj = the_context(&ns);
    assert_eq!(obj.covered(), 0, "no fold left half done");
    // Each answer shown is kept exactly once; turns killed before their answer was shown
    // may or may not be stored, but never twice.
    assert_each_kept_once(&ns, &obj, &expected);
    for (id, (stored, folded)) in whereabouts(&ns, &obj) {
        assert!(stored <= 1 && folded <= 1, "{id} kept twice");
    }
}

/// A kill delay between 0 and 150 ms that differs from round to round.
fn fastrand_ms(round: u64) -> u64 {
    (round * 37 + 11) % 150
}

#[test]
fn a_chat_killed_right_after_showing_its_answer_keeps_the_turn() {
    use std::io::Read;
    let ns = cp().namespace("killshown");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    chat(&ns, &fake)
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .args(["k", "--model", "m", "-m", "[T:seed] hi"])
        .assert()
        .success();
    let mut expected = vec!["[T:seed]".to_string()];
    for round in 0..10u64 {
        let id = format!("[T:k{round}]");
        let mut child = process(&ns, &fake, state.path())
            .args(["chat", "k", "-m", &format!("{id} q")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill a few milliseconds after the whole answer is on the screen (the stream has
        // ended: the fake sends its last events with the text), while the turn is being stored.
        let want = format!("You said: {id} q");
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(&seen).contains(&want) {
            let n = stdout.read(&mut buf).unwrap();
            assert!(n > 0, "round {round}: the answer never came");
            seen.extend_from_slice(&buf[..n]);
        }
        std::thread::sleep(Duration::from_micros(300 + round * 300));
        child.kill().unwrap();
        child.wait().unwrap();
        expected.push(id);
    }
    // The next run writes back what the killed ones had not stored, once.
    chat(&ns, &fake)
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .args(["k", "-m", "[T:end] done"])
        .assert()
        .success();
    expected.push("[T:end]".into());
    let obj = the_context(&ns);
    assert_each_kept_once(&ns, &obj, &expected);
    assert_eq!(obj.spec.context_history.len(), 2 * expected.len());
}

#[test]
fn sixteen_writers_creating_one_context_together_keep_every_turn_and_the_count() {
    let ns = cp().namespace("create16");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..16)
        .map(|w| spawn_writer(&ns, &fake, state.path(), "fresh", w, 5, &["--model", "m"]))
        .collect();
    wait_all(children);
    let obj = the_context(&ns);
    let expected: Vec<String> = (0..16)
        .flat_map(|w| (0..5).map(move |t| format!("[T:w{w}-t{t}]")))
        .collect();
    assert_each_kept_once(&ns, &obj, &expected);
    assert_eq!(
        obj.status.unwrap().turn_count,
        Some(80),
        "the count covers every turn"
    );
}

/// Issue #12 item 3: a summarizing request is bounded like a turn's. Folding 30 turns of a
/// context whose budget is 2,000 tokens takes several calls, each within the budget, and each
/// turn is folded exactly once.
#[test]
fn a_long_fold_is_several_calls_each_within_the_budget() {
    let ns = cp().namespace("foldbudget");
    let fake = common::fake_claude(KEY);
    let mut c = chat(&ns, &fake);
    c.args(["long", "--model", "m", "--max-tokens", "2000", "-o", "json"]);
    for t in 0..30 {
        c.arg("-m").arg(format!(
            "[T:t{t}] {}",
            "why does the pod restart ".repeat(12)
        ));
    }
    c.assert().success();
    let before = fake.message_requests().len();
    ns.mcp()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["summarize", "long", "--keep-last", "1"])
        .assert()
        .success();
    let summaries: Vec<_> = fake.message_requests()[before..]
        .iter()
        .filter(|r| {
            r.body["system"]
                .as_str()
                .is_some_and(|s| s.contains("running summary"))
        })
        .cloned()
        .collect();
    assert!(
        summaries.len() >= 3,
        "{} summarizing calls",
        summaries.len()
    );
    for r in &summaries {
        let chars = r.body["messages"][0]["content"].as_str().unwrap().len()
            + r.body["system"].as_str().unwrap().len();
        // The client's estimate is 3.5 characters a token: within 2,000 tokens.
        assert!(
            chars * 2 <= 2_000 * 7,
            "a summarizing request of {chars} characters"
        );
    }
    let obj = the_context(&ns);
    let expected: Vec<String> = (0..30).map(|t| format!("[T:t{t}]")).collect();
    assert_each_kept_once(&ns, &obj, &expected);
    assert_eq!(
        obj.spec.context_history.len(),
        2,
        "the last turn stays live"
    );
}
