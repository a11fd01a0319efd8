//! Operating contexts at scale, on the real apiserver: expire, summarize, batch,
//! export/import, Events and list --watch.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{block_on, stderr, stdout, ControlPlane, Namespace};
use fake_claude::FakeClaude;
use kubectl_mcp::model::fixtures::{context, turns, user};
use kubectl_mcp::model::resource::Role;
use predicates::str::contains;
use serde_json::{json, Value};

const KEY: &str = "sk-ant-ops-test-KEY";

fn fake() -> FakeClaude {
    common::fake_claude(KEY)
}

fn with_claude(mut cmd: assert_cmd::Command, fake: &FakeClaude) -> assert_cmd::Command {
    cmd.env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY);
    cmd
}

fn raw(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext", "metadata": {"name": name}, "spec": spec})
}

#[test]
fn expire_over_300_contexts_in_3_namespaces_does_exactly_the_expected_set() {
    let cp = ControlPlane::with_crd();
    let namespaces: Vec<Namespace> = (0..3).map(|_| cp.namespace("expire")).collect();
    let mut expected_due = HashMap::new();
    let long_ago = "2020-01-01T00:00:00Z";
    for (k, ns) in namespaces.iter().enumerate() {
        for i in 0..100 {
            let name = format!("c{i:03}");
            // 30 past expirationTime, 20 with a 1s idle TTL, 20 idle for two days (by status),
            // 30 fresh with a future expirationTime.
            let spec = match i % 10 {
                0..=2 => json!({"modelName": "m", "sessionID": name, "expirationTime": long_ago}),
                3 | 4 => json!({"modelName": "m", "sessionID": name, "idleTTL": "1s"}),
                5 | 6 => json!({"modelName": "m", "sessionID": name}),
                _ => {
                    json!({"modelName": "m", "sessionID": name, "expirationTime": "2999-01-01T00:00:00Z"})
                }
            };
            let mut obj = raw(&name, spec);
            obj["metadata"]["labels"] = json!({"group": format!("g{}", i % 10)});
            ns.create_raw(obj).unwrap();
            if matches!(i % 10, 5 | 6) {
                ns.patch_status(
                    &name,
                    json!({"lastActivityTime": "2026-01-01T00:00:00Z", "currentState": "Active"}),
                );
            } else if i % 10 >= 3 {
                ns.patch_status(&name, json!({"lastActivityTime": kubectl_mcp::store::now_rfc3339(), "currentState": "Active"}));
            }
            if i % 10 < 7 {
                expected_due.insert((ns.name.clone(), name), i % 10);
            }
        }
        let _ = k;
    }
    std::thread::sleep(Duration::from_millis(1500)); // let the 1s idle TTLs pass
    let states = |ns: &Namespace| -> HashMap<String, String> {
        ns.contexts()
            .into_iter()
            .map(|o| {
                (
                    o.metadata.name.clone().unwrap(),
                    o.state().as_str().to_string(),
                )
            })
            .collect()
    };

    // Dry run: the plan lists exactly the 210 due contexts and changes nothing.
    let out = cp
        .mcp_admin()
        .args(["expire", "-A", "--idle", "24h", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let plan = stdout(&out);
    let mine: Vec<_> = plan
        .lines()
        .filter(|l| namespaces.iter().any(|n| l.starts_with(&n.name)))
        .collect();
    assert_eq!(mine.len(), 210, "{plan}");
    assert!(mine.iter().all(|l| l.contains("would expire")));
    assert!(namespaces
        .iter()
        .all(|n| states(n).values().all(|s| s == "Active")));

    // Without --idle, the two-day-idle ones are not due; -l narrows further.
    let out = namespaces[0]
        .mcp()
        .args(["expire", "--dry-run", "-l", "group in (g0,g5)"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().count(), 1 + 10, "{}", stdout(&out));

    // Mark, across all namespaces, 16 at a time.
    let out = cp
        .mcp_admin()
        .args(["expire", "-A", "--idle", "24h", "--concurrency", "16"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for ns in &namespaces {
        for (name, state) in states(ns) {
            let due = expected_due.contains_key(&(ns.name.clone(), name.clone()));
            assert_eq!(
                state,
                if due { "Expired" } else { "Active" },
                "{}/{name}",
                ns.name
            );
        }
    }
    let evs = namespaces[1].events("c000");
    assert!(
        evs.iter()
            .any(|(r, n)| r == "Expired" && n.contains("expirationTime")),
        "{evs:?}"
    );
    let st = namespaces[1]
        .contexts()
        .into_iter()
        .find(|o| o.metadata.name.as_deref() == Some("c003"))
        .unwrap();
    assert!(st.status.unwrap().message.unwrap().contains("idleTTL 1s"));

    // A second run is a no-op.
    let mine_after = |out: &std::process::Output| {
        stdout(out)
            .lines()
            .filter(|l| namespaces.iter().any(|n| l.starts_with(&n.name)))
            .count()
    };
    let out = cp
        .mcp_admin()
        .args(["expire", "-A", "--idle", "24h"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(mine_after(&out), 0, "{}", stdout(&out));

    // Delete what is expired, then nothing is left to do.
    let out = cp
        .mcp_admin()
        .args(["expire", "-A", "--delete"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mine_after(&out), 210);
    for ns in &namespaces {
        let left = states(ns);
        assert_eq!(left.len(), 30);
        assert!(left.values().all(|s| s == "Active"));
    }
    let out = cp
        .mcp_admin()
        .args(["expire", "-A", "--idle", "24h", "--delete"])
        .output()
        .unwrap();
    assert_eq!(mine_after(&out), 0);
}

#[test]
fn summarize_keeps_the_newest_turns_verbatim_with_one_claude_call() {
    let ns = ControlPlane::with_crd().namespace("summarize");
    let fake = fake();
    ns.put(context("long").history(turns(10)).build());
    // Dry run: nothing is called or changed.
    with_claude(ns.mcp(), &fake)
        .args(["summarize", "long", "--keep-last", "3", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("would fold 7 turns, keeping the last 3"));
    assert!(fake.requests().is_empty());
    assert_eq!(ns.contexts()[0].spec.context_history.len(), 20);

    let out = with_claude(ns.mcp(), &fake)
        .args(["summarize", "long", "--keep-last", "3"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("folded 7 turns into the summary (originals sealed, not deleted)"),
        "{text}"
    );
    let reqs = fake.message_requests();
    assert_eq!(reqs.len(), 1, "exactly one summarizing request");
    let prompt = reqs[0].body["messages"][0]["content"].as_str().unwrap();
    assert!(
        prompt.contains("User: question 0")
            && prompt.contains("Assistant: answer 6")
            && !prompt.contains("question 7")
    );
    let o = &ns.contexts()[0];
    let kept: Vec<_> = o
        .spec
        .context_history
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(
        kept,
        [
            "question 7",
            "answer 7",
            "question 8",
            "answer 8",
            "question 9",
            "answer 9"
        ]
    );
    assert!(o
        .status
        .clone()
        .unwrap()
        .summary
        .unwrap()
        .contains("question 0"));
    let reasons: Vec<_> = ns.events("long").into_iter().map(|(r, _)| r).collect();
    assert!(
        reasons.contains(&"Summarized".to_string()) && reasons.contains(&"Compacted".to_string()),
        "{reasons:?}"
    );
    // `get` tells the same story.
    ns.mcp()
        .args(["get", "long"])
        .assert()
        .success()
        .stdout(contains("Events:\n  TYPE     REASON"))
        .stdout(contains("Summarized"))
        .stdout(contains("Compacted"));
    // Nothing more to fold: a no-op.
    with_claude(ns.mcp(), &fake)
        .args(["summarize", "--all", "--keep-last", "3"])
        .assert()
        .success()
        .stdout(contains("nothing to fold"));
    assert_eq!(fake.message_requests().len(), 1);
    with_claude(ns.mcp(), &fake)
        .args(["summarize", "missing"])
        .assert()
        .code(1);
}

/// Issue #25 item 6: `batch --model …` and the other settings flags are what contexts the
/// batch creates get where their first line says nothing; a line's own fields win; a context
/// that exists keeps its settings; a line that is not JSON says so.
#[test]
fn batch_settings_flags_are_defaults_for_the_contexts_it_creates() {
    let ns = ControlPlane::with_crd().namespace("batch-defaults");
    let fake = fake();
    ns.mcp()
        .args([
            "create",
            "old",
            "--model",
            "claude-sonnet-4-5",
            "--history-size",
            "3",
        ])
        .assert()
        .success();
    let input = [
        json!({"session": "new", "message": "first"}).to_string(),
        json!({"session": "own", "message": "hi", "model": "claude-opus-4-6", "historySize": 9})
            .to_string(),
        json!({"session": "old", "message": "again"}).to_string(),
        "this is not json".to_string(),
    ]
    .join("\n");
    let out = with_claude(ns.mcp(), &fake)
        .args([
            "batch",
            "-f",
            "-",
            "--model",
            "claude-haiku-4-5",
            "--history-size",
            "4",
        ])
        .args([
            "--system",
            "Be brief.",
            "-L",
            "run=nightly",
            "--max-tokens",
            "9000",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let results = stdout(&out);
    assert!(
        results.contains("line 4 is not JSON: each line is one object"),
        "{results}"
    );
    let get = |s: &str| {
        ns.contexts()
            .into_iter()
            .find(|o| o.spec.session_id == s)
            .unwrap()
    };
    let new = get("new");
    assert_eq!(new.spec.model_name, "claude-haiku-4-5");
    assert_eq!(new.spec.history_size, Some(4));
    assert_eq!(new.spec.max_tokens, Some(9000));
    assert_eq!(new.spec.system_prompt.as_deref(), Some("Be brief."));
    assert_eq!(new.metadata.labels.as_ref().unwrap()["run"], "nightly");
    let own = get("own");
    assert_eq!(own.spec.model_name, "claude-opus-4-6");
    assert_eq!(own.spec.history_size, Some(9));
    assert_eq!(own.spec.max_tokens, Some(9000));
    let old = get("old");
    assert_eq!(old.spec.model_name, "claude-sonnet-4-5");
    assert_eq!(old.spec.history_size, Some(3));
    assert_eq!(old.spec.system_prompt, None);
    assert!(old
        .metadata
        .labels
        .as_ref()
        .is_none_or(|l| !l.contains_key("run")));
    assert_eq!(old.turns(), 1);
    // Settings no new context can take are refused before anything runs.
    for bad in [["--expires-in", "0"], ["-L", "run-"]] {
        with_claude(ns.mcp(), &fake)
            .args(["batch", "-f", "-"])
            .args(bad)
            .write_stdin(json!({"session": "never", "message": "x", "model": "m"}).to_string())
            .assert()
            .code(2);
    }
    assert!(ns.contexts().iter().all(|o| o.spec.session_id != "never"));
}

#[test]
fn batch_keeps_per_session_order_and_reports_failed_lines_without_stopping() {
    let ns = ControlPlane::with_crd().namespace("batch");
    let fake = fake();
    let mut input = String::new();
    for i in 0..200 {
        let s = i % 20;
        let line = if i == 57 {
            "{not json".to_string()
        } else if i == 123 {
            json!({"session": format!("s{s}"), "message": "   "}).to_string()
        } else {
            json!({"session": format!("s{s}"), "message": format!("s{s} m{i}"), "model": "claude-haiku-4-5", "historySize": 50})
                .to_string()
        };
        input.push_str(&line);
        input.push('\n');
    }
    let out = with_claude(ns.mcp(), &fake)
        .args(["batch", "-f", "-", "--concurrency", "8"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "some lines failed: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("2 of 200 lines failed"),
        "{}",
        stderr(&out)
    );
    let results: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 200);
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.get("error").is_some())
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    let mut failed = failed;
    failed.sort();
    assert_eq!(failed, [58, 124]);
    assert!(results
        .iter()
        .filter(|r| r.get("reply").is_some())
        .all(|r| r["usage"]["output_tokens"].as_u64().unwrap() > 0));
    let contexts = ns.contexts();
    assert_eq!(contexts.len(), 20);
    for o in contexts {
        let questions: Vec<usize> = o
            .spec
            .context_history
            .iter()
            .filter(|m| m.role == Role::User)
            .map(|m| m.content.split(" m").nth(1).unwrap().parse().unwrap())
            .collect();
        let mut sorted = questions.clone();
        sorted.sort();
        assert_eq!(
            questions, sorted,
            "session {} out of order",
            o.spec.session_id
        );
        for pair in o.spec.context_history.chunks(2) {
            assert_eq!(pair[1].content, format!("You said: {}", pair[0].content));
        }
    }
    let stored: usize = ns.contexts().iter().map(|o| o.turns()).sum();
    assert_eq!(stored, 198);
}

#[test]
fn export_and_import_round_trip_into_another_namespace_and_name() {
    let cp = ControlPlane::with_crd();
    let src = cp.namespace("export");
    let dst = cp.namespace("import");
    let fake = fake();
    with_claude(src.mcp(), &fake)
        .args([
            "chat",
            "Alice/1",
            "--model",
            "m",
            "--system",
            "be brief",
            "--max-tokens",
            "4000",
            "-L",
            "team=sre",
        ])
        .args(["-m", "first", "-m", "second"])
        .assert()
        .success();
    let name = src.contexts()[0].metadata.name.clone().unwrap();
    src.patch_status(&name, json!({"summary": "earlier: greetings"}));
    let dir = tempfile::tempdir().unwrap();
    let original = src.contexts()[0].clone();
    for (format, file, session) in [
        ("json", "c.json", None),
        ("jsonl", "c.jsonl", Some("Bob/2")),
    ] {
        let out = src
            .mcp()
            .args(["export", "Alice/1", "-o", format])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let path = dir.path().join(file);
        std::fs::write(&path, &out.stdout).unwrap();
        let mut cmd = dst.mcp();
        cmd.arg("import").arg("-f").arg(&path);
        if let Some(s) = session {
            cmd.args(["--session", s]);
        }
        cmd.assert()
            .success()
            .stdout(contains("imported (4 messages)"));
        let id = session.unwrap_or("Alice/1");
        let got = dst
            .contexts()
            .into_iter()
            .find(|o| o.spec.session_id == id)
            .unwrap();
        let mut want = original.spec.clone();
        want.session_id = id.to_string();
        assert_eq!(got.spec, want, "{format}");
        assert_eq!(got.metadata.labels.as_ref().unwrap()["team"], "sre");
        assert_eq!(got.turns(), 2);
        assert_eq!(
            got.status.unwrap().summary.as_deref(),
            Some("earlier: greetings")
        );
    }
    let md = src
        .mcp()
        .args(["export", "Alice/1", "-o", "markdown"])
        .output()
        .unwrap();
    let md = stdout(&md);
    assert!(
        md.starts_with("# Alice/1")
            && md.contains("## System prompt\n\nbe brief")
            && md.contains("**Assistant**"),
        "{md}"
    );

    // Malformed input: the line and field at fault, nothing written.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"spec\": {\"modelName\": \"m\", \"sessionID\": \"bad\"}}\n{\"role\": \"user\", \"content\": \"q\"}\n{\"role\": \"system\", \"content\": \"x\"}\n").unwrap();
    dst.mcp()
        .arg("import")
        .arg("-f")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("line 3: field `role`"))
        .stderr(contains("nothing was imported"));
    // Importing the same context twice is refused with the way to import a copy, and the
    // first copy is untouched; the Markdown transcript is named, not parsed.
    dst.mcp()
        .arg("import")
        .arg("-f")
        .arg(dir.path().join("c.json"))
        .assert()
        .code(1)
        .stderr(contains("already exists"))
        .stderr(contains(
            "give it another session ID: kubectl mcp import -f ",
        ))
        .stderr(contains("--session NEW"));
    let md_file = dir.path().join("c.md");
    std::fs::write(&md_file, &md).unwrap();
    dst.mcp()
        .arg("import")
        .arg("-f")
        .arg(&md_file)
        .assert()
        .code(2)
        .stderr(contains("a Markdown transcript (`export -o markdown`)"))
        .stderr(contains("export with `-o json` or `-o jsonl` to import"));
    assert_eq!(dst.contexts().len(), 2);
}

#[test]
fn list_watch_prints_changes_as_they_happen() {
    let ns = ControlPlane::with_crd().namespace("watch");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"))
        .env_remove("KUBECONFIG")
        .arg("--kubeconfig")
        .arg(&ns.cp.kubeconfig)
        .args(["-n", &ns.name, "list", "-w", "-o", "name"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    std::thread::sleep(Duration::from_millis(800));
    ns.mcp()
        .args(["create", "watched", "--model", "m"])
        .assert()
        .success();
    let start = Instant::now();
    let mut seen = Vec::new();
    while seen.len() < 2 && start.elapsed() < Duration::from_secs(20) {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(l);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.len() >= 2, "created, then its status: {seen:?}");
    assert!(
        seen.iter()
            .all(|l| l == "claudemodelcontext.mcp.dev/watched"),
        "{seen:?}"
    );
}

/// A user allowed to manage contexts but not Events still gets their work done.
#[test]
fn a_refused_event_never_fails_a_command() {
    let ns = ControlPlane::with_crd().namespace("noevents");
    block_on(async {
        let client = ns.cp.client().await;
        let roles: kube::Api<k8s_openapi::api::rbac::v1::Role> =
            kube::Api::namespaced(client.clone(), &ns.name);
        let role = serde_json::from_value(json!({
            "metadata": {"name": "contexts-only"},
            "rules": [{"apiGroups": ["mcp.dev"], "resources": ["claudemodelcontexts", "claudemodelcontexts/status"], "verbs": ["*"]}]
        }))
        .unwrap();
        roles.create(&Default::default(), &role).await.unwrap();
        let bindings: kube::Api<k8s_openapi::api::rbac::v1::RoleBinding> =
            kube::Api::namespaced(client, &ns.name);
        let binding = serde_json::from_value(json!({
            "metadata": {"name": "viewer-contexts"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "contexts-only"},
            "subjects": [{"kind": "User", "name": "viewer", "apiGroup": "rbac.authorization.k8s.io"}]
        }))
        .unwrap();
        bindings
            .create(&Default::default(), &binding)
            .await
            .unwrap();
    });
    ns.mcp_as_viewer()
        .args([
            "create",
            "x",
            "--model",
            "m",
            "--expires-at",
            "2020-01-01T00:00:00Z",
            "--yes",
        ])
        .assert()
        .success();
    ns.mcp_as_viewer()
        .args(["expire"])
        .assert()
        .success()
        .stdout(contains("expired"));
    assert_eq!(ns.contexts()[0].state().as_str(), "Expired");
    assert!(ns.events("x").is_empty(), "RBAC refused the Events");
}

#[test]
fn export_of_several_all_and_all_namespaces_gives_one_list_or_one_stream() {
    let cp = ControlPlane::with_crd();
    let a = cp.namespace("exportall-a");
    let b = cp.namespace("exportall-b");
    for (ns, name, team) in [(&a, "one", "sre"), (&a, "two", "dev"), (&b, "three", "sre")] {
        ns.put(context(name).history(turns(3)).build());
        block_on(async {
            let api: kube::Api<kubectl_mcp::model::resource::ClaudeModelContext> =
                kube::Api::namespaced(cp.client().await, &ns.name);
            api.patch(
                name,
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(json!({"metadata": {"labels": {"team": team}}})),
            )
            .await
            .unwrap();
        });
    }
    let list = |ns: &Namespace, args: &[&str]| -> Value {
        let out = ns.mcp().arg("export").args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let names = |doc: &Value| -> Vec<String> {
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}/{}",
                    i["metadata"]["namespace"].as_str().unwrap(),
                    i["spec"]["sessionID"].as_str().unwrap()
                )
            })
            .collect()
    };
    // Several names: one List, in the order given.
    let doc = list(&a, &["two", "one"]);
    assert_eq!(doc["kind"], "List");
    assert_eq!(
        names(&doc),
        [format!("{}/two", a.name), format!("{}/one", a.name)]
    );
    assert_eq!(
        doc["items"][0]["spec"]["contextHistory"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    // --all: this namespace only; -A -l: every namespace, by selector.
    assert_eq!(
        names(&list(&a, &["--all"])),
        [format!("{}/one", a.name), format!("{}/two", a.name)]
    );
    let across: Vec<String> = names(&list(&a, &["-A", "-l", "team=sre"]))
        .into_iter()
        .filter(|n| n.starts_with(&a.name) || n.starts_with(&b.name))
        .collect();
    assert_eq!(
        across,
        [format!("{}/one", a.name), format!("{}/three", b.name)]
    );
    // JSON Lines: each context's header, then its messages.
    let out = a
        .mcp()
        .args(["export", "--all", "-o", "jsonl"])
        .output()
        .unwrap();
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2 * (1 + 6));
    assert_eq!(lines[0]["spec"]["sessionID"], "one");
    assert_eq!(lines[7]["spec"]["sessionID"], "two");
    // Markdown: one transcript after another.
    let out = a
        .mcp()
        .args(["export", "--all", "-o", "markdown"])
        .output()
        .unwrap();
    let md = stdout(&out);
    assert!(
        md.starts_with("# one") && md.contains("\n---\n\n# two"),
        "{md}"
    );
    // A missing name among several: the others are exported, and the command fails.
    let out = a.mcp().args(["export", "one", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["items"].as_array().unwrap().len(), 1);
    assert!(stderr(&out).contains("1 of 2 contexts were not found"));
    // -A alone, or with names, is a usage error.
    a.mcp().args(["export", "-A"]).assert().code(2);
    a.mcp().args(["export", "-A", "one"]).assert().code(2);
    // A List imports as the contexts it holds; again, it is refused whole, naming the
    // clashes, and --session (one context's) is refused for it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.json");
    std::fs::write(
        &file,
        a.mcp().args(["export", "--all"]).output().unwrap().stdout,
    )
    .unwrap();
    b.mcp()
        .arg("import")
        .arg("-f")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("/one imported (6 messages)"))
        .stdout(contains("/two imported (6 messages)"));
    assert_eq!(b.contexts().len(), 3);
    b.mcp()
        .arg("import")
        .arg("-f")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("2 of its contexts already exist"))
        .stderr(contains("nothing was imported"));
    b.mcp()
        .arg("import")
        .arg("-f")
        .arg(&file)
        .args(["--session", "x"])
        .assert()
        .code(2)
        .stderr(contains(
            "--session names one context, and this file holds 2",
        ));
    assert_eq!(b.contexts().len(), 3);
}

/// A realistic message: several hundred characters.
fn realistic(i: usize, role: &str) -> Value {
    json!({"role": role, "content": format!(
        "message {i}: the deployment rolled out and the pods became ready after the readiness probe passed; {}",
        "we checked the events, the node conditions and the resource requests once more. ".repeat(4)
    )})
}

#[test]
fn search_finds_every_mention_among_1000_contexts_sealed_turns_and_summaries_included() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("search");
    let other = cp.namespace("search-other");
    const N: usize = 1000;
    let needle = "CrashLoopBackOff in payments-7f9";
    // 1,000 contexts of 40 realistic messages; the needle (in other cases) in the live history
    // of one, in the summary of another.
    block_on(async {
        use futures::StreamExt;
        let api: kube::Api<kubectl_mcp::model::resource::ClaudeModelContext> =
            kube::Api::namespaced(cp.client().await, &ns.name);
        futures::stream::iter(0..N)
            .map(|i| {
                let api = api.clone();
                async move {
                    let name = format!("c{i:04}");
                    let mut history: Vec<Value> = (0..40)
                        .map(|k| realistic(k, if k % 2 == 0 { "user" } else { "assistant" }))
                        .collect();
                    if i == 17 {
                        history[23]["content"] =
                            json!("so the pod is in crashloopbackoff IN PAYMENTS-7F9 again");
                    }
                    let labels = if i % 2 == 0 { json!({"team": "even"}) } else { json!({"team": "odd"}) };
                    let obj: kubectl_mcp::model::resource::ClaudeModelContext = serde_json::from_value(json!({
                        "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
                        "metadata": {"name": name, "labels": labels},
                        "spec": {"modelName": "m", "sessionID": name, "contextHistory": history},
                    }))
                    .unwrap();
                    api.create(&kube::api::PostParams::default(), &obj).await.unwrap();
                }
            })
            .buffer_unordered(16)
            .collect::<Vec<()>>()
            .await;
    });
    ns.patch_status("c0503", json!({"summary": "Earlier: a CrashLoopBackOff in payments-7f9 was traced to a bad secret."}));
    // One whose mention was sealed into a history segment long ago (imported with a small live
    // budget, so the older turns are sealed).
    let dir = tempfile::tempdir().unwrap();
    let mut lines =
        vec![json!({"spec": {"modelName": "m", "sessionID": "sealed-one"}}).to_string()];
    for k in 0..40 {
        let mut m = realistic(k, if k % 2 == 0 { "user" } else { "assistant" });
        if k == 2 {
            m["content"] = json!(format!("first sighting: {needle}"));
        }
        lines.push(m.to_string());
    }
    let file = dir.path().join("sealed.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    ns.mcp()
        .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
        .arg("import")
        .arg("-f")
        .arg(&file)
        .assert()
        .success();
    let sealed = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "sealed-one")
        .unwrap();
    assert!(
        sealed.sealed_turns() >= 1,
        "the mention must be in a sealed segment"
    );
    assert!(!sealed
        .spec
        .context_history
        .iter()
        .any(|m| m.content.contains(needle)));
    other.put(
        context("elsewhere")
            .history(vec![user(&format!("seen {needle}?"))])
            .build(),
    );

    let started = Instant::now();
    let out = ns
        .mcp()
        .args(["search", needle, "-o", "name"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "claudemodelcontext.mcp.dev/c0017\nclaudemodelcontext.mcp.dev/c0503\nclaudemodelcontext.mcp.dev/sealed-one\n"
    );
    eprintln!("search over {} contexts took {took:?}", N + 1);

    // Where each match is.
    let out = ns
        .mcp()
        .args(["search", needle, "-o", "json"])
        .output()
        .unwrap();
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    let wheres: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["matches"][0]["where"].as_str().unwrap())
        .collect();
    assert_eq!(wheres, ["turn 12 assistant", "summary", "turn 2 user"]);
    // The table, -l filtering by the apiserver, and -A.
    let out = ns.mcp().args(["search", needle]).output().unwrap();
    let table = stdout(&out);
    assert!(
        table.starts_with("NAME") && table.contains("c0017") && table.contains("turn 12 assistant"),
        "{table}"
    );
    let out = ns
        .mcp()
        .args(["search", needle, "-l", "team=odd", "-o", "name"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "claudemodelcontext.mcp.dev/c0017\nclaudemodelcontext.mcp.dev/c0503\n"
    );
    let out = ns
        .mcp()
        .args(["search", needle, "-A", "-o", "json"])
        .output()
        .unwrap();
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["namespace"] == ns.name.as_str() || f["namespace"] == other.name.as_str())
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["c0017", "c0503", "sealed-one", "elsewhere"]);
    // Nothing found: said on stderr, exit 0, nothing on stdout.
    let out = ns
        .mcp()
        .args(["search", "no such words anywhere"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("No contexts in namespace"));
}

/// Issue #25 item 2 (import restores every export): 50 contexts in three namespaces, sealed
/// turns and summaries included (3 grown by real turns, 47 of varied settings and 40+
/// realistic messages each), exported with `-A` as a List and as JSON Lines, each come back
/// through `import` into a fresh namespace with every turn, summary and setting: the fresh
/// namespace's export is the original's, item for item. Contexts of one session in two
/// namespaces cannot share one; `--keep-namespaces` puts them back where they were.
#[test]
fn fifty_contexts_exported_across_namespaces_import_back_whole() {
    let cp = ControlPlane::with_crd();
    let tag = format!("rt{}", std::process::id());
    let sources: Vec<Namespace> = (0..3).map(|k| cp.namespace(&format!("rt{k}"))).collect();
    let fake = fake();
    let state = tempfile::tempdir().unwrap();
    let label = format!("rt={tag}");
    for (k, ns) in sources.iter().enumerate() {
        common::conversation::mostly_sealed(&format!("grown-{k}"), 12)
            .args(&["--strategy", "hybrid", "--history-size", "4", "-L", &label])
            .grow(common::process(ns, &fake, KEY, state.path()));
    }
    // 47 more, of every setting, written as the JSON Lines of several contexts.
    let mut files = vec![String::new(), String::new(), String::new()];
    for i in 0..47 {
        let models = ["claude-sonnet-4-5", "claude-haiku-4-5", "m"];
        let strategies = ["truncate", "summarize_oldest", "hybrid"];
        let mut spec = json!({"modelName": models[i % 3], "sessionID": format!("ctx {i}/{tag}"),
                              "summarizationStrategy": strategies[i % 3]});
        let mut put = |k: &str, v: Value| spec[k] = v;
        if i % 2 == 0 {
            put(
                "systemPrompt",
                json!(format!("You are assistant {i}. Be brief.")),
            );
        }
        if i % 4 == 0 {
            put("maxTokens", json!(20_000 + i));
        }
        if i % 5 == 0 {
            put("maxOutputTokens", json!(512));
        }
        if i % 3 == 0 {
            put("historySize", json!(i % 7 + 1));
        }
        if i % 6 == 0 {
            put("expirationTime", json!("2031-01-01T00:00:00Z"));
        }
        if i % 4 == 1 {
            put("idleTTL", json!("7d"));
        }
        if i % 5 == 2 {
            put("cacheTTL", json!("1h"));
        }
        if i % 9 == 0 {
            put("redaction", json!({"enabled": true}));
        }
        let mut header = json!({"kind": "ClaudeModelContext",
            "metadata": {"labels": {"rt": tag, "n": i.to_string()}}, "spec": spec});
        if i % 2 == 0 {
            header["status"] =
                json!({"summary": format!("summary of context {i}"), "summaryCovers": 4});
        }
        let file = &mut files[i % 3];
        file.push_str(&format!("{header}\n"));
        for m in 0..(40 + (i % 5) * 4) {
            let role = if m % 2 == 0 { "user" } else { "assistant" };
            file.push_str(&format!("{}\n", realistic(m, role)));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    for (ns, text) in sources.iter().zip(&files) {
        let path = dir.path().join(format!("{}.jsonl", ns.name));
        std::fs::write(&path, text).unwrap();
        ns.mcp()
            .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
            .arg("import")
            .arg("-f")
            .arg(&path)
            .assert()
            .success();
    }
    let originals: Vec<_> = sources.iter().flat_map(|ns| ns.contexts()).collect();
    assert_eq!(originals.len(), 50);
    let sealed = sources.iter().map(|ns| ns.segments().len()).sum::<usize>();
    assert!(
        sealed >= 50,
        "sealed turns in every context: {sealed} segments"
    );
    assert!(originals
        .iter()
        .filter(|o| o.spec.session_id.starts_with("grown-"))
        .all(|o| o.status.as_ref().unwrap().summary.is_some()));

    // What an export says of a context, without where it was.
    let items = |text: &[u8]| -> Vec<Value> {
        let doc: Value = serde_json::from_slice(text).unwrap();
        let mut items: Vec<Value> = doc["items"].as_array().unwrap().clone();
        for item in &mut items {
            item["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("namespace");
        }
        items.sort_by_key(|i| i["spec"]["sessionID"].as_str().unwrap().to_string());
        items
    };
    let export = |cmd: &mut assert_cmd::Command, args: &[&str]| {
        let out = cmd.arg("export").args(args).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        out.stdout
    };
    let list = export(&mut sources[0].mcp(), &["-A", "-l", &label]);
    let want = items(&list);
    assert_eq!(want.len(), 50);
    let jsonl = export(&mut sources[0].mcp(), &["-A", "-l", &label, "-o", "jsonl"]);
    for (form, text) in [("json", &list), ("jsonl", &jsonl)] {
        let fresh = cp.namespace(&format!("rt-{form}"));
        let path = dir.path().join(format!("all.{form}"));
        std::fs::write(&path, text).unwrap();
        let out = fresh
            .mcp()
            .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
            .arg("import")
            .arg("-f")
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{form}: {}", stderr(&out));
        assert_eq!(stdout(&out).matches(" imported (").count(), 50, "{form}");
        let got = items(&export(&mut fresh.mcp(), &["--all"]));
        assert_eq!(got.len(), want.len(), "{form}");
        for (g, w) in got.iter().zip(&want) {
            // The parts that differ, not two whole conversations.
            let differ: Vec<String> = ["metadata", "spec", "status"]
                .iter()
                .flat_map(|part| {
                    let keys = |v: &Value| -> Vec<String> {
                        v[part]
                            .as_object()
                            .map_or(Vec::new(), |o| o.keys().cloned().collect())
                    };
                    let mut all = keys(g);
                    all.extend(keys(w));
                    all.sort();
                    all.dedup();
                    all.into_iter()
                        .filter(|k| g[part][k] != w[part][k])
                        .map(|k| format!("{part}.{k}"))
                        .collect::<Vec<_>>()
                })
                .collect();
            assert!(
                g == w && differ.is_empty(),
                "{form}: {} differs in {differ:?}",
                w["spec"]["sessionID"]
            );
        }
        // Turn counts and the sealed turns, as the originals have them.
        let fresh_objs = fresh.contexts();
        for o in &originals {
            let f = fresh_objs
                .iter()
                .find(|f| f.spec.session_id == o.spec.session_id)
                .unwrap();
            let turns = |x: &kubectl_mcp::model::resource::ClaudeModelContext| {
                x.status.as_ref().and_then(|s| s.turn_count)
            };
            assert_eq!(turns(f), turns(o), "{form}: {}", o.spec.session_id);
            assert_eq!(f.metadata.labels, o.metadata.labels);
        }
        assert!(fresh.segments().len() >= 50, "{form}: sealed again");
    }

    // One session in two namespaces: not into one namespace, but back where each was.
    for ns in &sources[..2] {
        ns.mcp()
            .args([
                "create",
                "twin",
                "--model",
                "m",
                "-L",
                &format!("twin={tag}"),
            ])
            .args(["--system", &format!("from {}", ns.name)])
            .assert()
            .success();
    }
    let twins = export(&mut sources[0].mcp(), &["-A", "-l", &format!("twin={tag}")]);
    let path = dir.path().join("twins.json");
    std::fs::write(&path, &twins).unwrap();
    let fresh = cp.namespace("rt-twins");
    fresh
        .mcp()
        .arg("import")
        .arg("-f")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains(format!(
            "exported from namespaces {} and {}",
            sources[0].name, sources[1].name
        )))
        .stderr(contains("--keep-namespaces"));
    assert!(fresh.contexts().is_empty(), "nothing imported");
    for ns in &sources[..2] {
        ns.mcp().args(["delete", "twin"]).assert().success();
    }
    fresh
        .mcp()
        .arg("import")
        .arg("-f")
        .arg(&path)
        .arg("--keep-namespaces")
        .assert()
        .success();
    for ns in &sources[..2] {
        let twin = ns
            .contexts()
            .into_iter()
            .find(|o| o.spec.session_id == "twin")
            .unwrap();
        assert_eq!(twin.spec.system_prompt, Some(format!("from {}", ns.name)));
    }
    assert!(fresh.contexts().is_empty());
}
