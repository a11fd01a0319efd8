//! Storage that scales (issue #10): a bounded live object, older turns sealed into immutable
//! history segments, governed by RBAC like contexts. Every test runs the real binary against
//! the real apiserver and the local fake.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::conversation::conversation;
use common::{stderr, stdout, ControlPlane, Namespace};
use fake_claude::FakeClaude;
use kube::api::PostParams;
use kube::Api;
use kubectl_mcp::model::resource::ClaudeModelContext;
use predicates::str::contains;
use serde_json::json;

const KEY: &str = "sk-ant-segments-test";

fn cp() -> &'static ControlPlane {
    ControlPlane::with_crd()
}

/// The binary as a plain process, pointed at the fake and the namespace.
fn process(ns: &Namespace, fake: &FakeClaude, state: &std::path::Path) -> Command {
    common::process(ns, fake, KEY, state)
}

fn the_context(ns: &Namespace) -> ClaudeModelContext {
    let mut all = ns.contexts();
    assert_eq!(all.len(), 1, "one context");
    all.remove(0)
}

/// The `[T:…]` tag a message starts with.
fn tag(content: &str) -> Option<String> {
    let rest = content.strip_prefix("[T:")?;
    Some(format!("[T:{}]", &rest[..rest.find(']')?]))
}

/// Every stored message is accounted for exactly once: the listed segments and the live object
/// (less a pending trim) add up to what export returns, and no segment is listed twice.
fn assert_consistent(ns: &Namespace, obj: &ClaudeModelContext, exported: usize) {
    let listed = &obj.status.as_ref().unwrap().segments;
    let mut names: Vec<_> = listed.iter().map(|s| s.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), listed.len(), "a segment listed twice");
    let existing: Vec<String> = ns
        .segments()
        .iter()
        .map(|s| s.metadata.name.clone().unwrap())
        .collect();
    for n in &names {
        assert!(existing.contains(n), "listed segment {n} does not exist");
    }
    let sealed: u64 = listed.iter().map(|s| u64::from(s.messages)).sum();
    assert_eq!(
        sealed as usize + obj.spec.context_history.len() - obj.pending_trim(),
        exported
    );
}

/// Done when: a conversation grown past 5 MiB keeps its live object under budget and every turn
/// retrievable in order through `export`.
#[test]
fn a_conversation_grown_past_5_mib_stays_bounded_and_exports_every_turn_in_order() {
    let ns = cp().namespace("grow");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // 140 turns of ~34 kB questions and answers of a few kB: over 5 MiB stored.
    let body = "words of a long question about the cluster <&> ".repeat(740);
    let mut lines = String::new();
    for t in 0..140 {
        let q = format!("[T:{t}] {body}");
        lines.push_str(
            &json!({"session": "grow", "model": "m", "maxTokens": 30000, "message": q}).to_string(),
        );
        lines.push('\n');
    }
    let path = dir.path().join("turns.jsonl");
    std::fs::write(&path, lines).unwrap();
    // Turns of ~40 kB: a budget that holds several (the default, 24 KiB, would hold one).
    let out = process(&ns, &fake, state.path())
        .args(["batch", "-f"])
        .arg(&path)
        .env("KUBECTL_MCP_LIVE_BYTES", "256KiB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| !l.contains("\"error\""))
            .count(),
        140
    );
    let obj = the_context(&ns);
    let live = serde_json::to_vec(&obj).unwrap().len();
    assert!(live <= 256 * 1024, "the live object holds {live} bytes");
    assert_eq!(obj.turns(), 140);
    let exported = ns.exported("grow");
    let total: usize = exported.iter().map(String::len).sum();
    assert!(total > 5 << 20, "{total} bytes of conversation");
    assert_eq!(exported.len(), 280);
    for (t, pair) in exported.chunks(2).enumerate() {
        assert_eq!(tag(&pair[0]), Some(format!("[T:{t}]")), "turn {t} in order");
        assert!(
            pair[1].starts_with(&format!("You said: [T:{t}]")),
            "answer {t}"
        );
    }
    assert_consistent(&ns, &obj, exported.len());
    // Segments are immutable, compressed, numbered in order and owned by the context.
    let segs = ns.segments();
    assert!(segs.len() >= 10, "{} segments", segs.len());
    let mut seqs: Vec<u32> = segs.iter().map(|s| s.spec.sequence).collect();
    seqs.sort();
    assert_eq!(seqs, (0..segs.len() as u32).collect::<Vec<_>>());
    for s in &segs {
        assert!(s.spec.data.0.len() * 5 < s.spec.bytes as usize);
        let owner = &s.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(owner.uid, obj.metadata.uid.clone().unwrap());
    }
    // `kubectl mcp delete` takes the segments with the context (no garbage collector runs here).
    ns.mcp().args(["delete", "grow"]).assert().success();
    assert!(ns.segments().is_empty(), "segments left behind");
}

/// Done when: `kill -9` at random points during sealing, 20 times, then the next command: no
/// turn lost (every answer shown is stored), none doubled, and the bookkeeping adds up.
#[test]
fn killed_while_sealing_twenty_times_loses_and_doubles_nothing() {
    let ns = cp().namespace("sealkill");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let text = "a question long enough to fill the small live object quickly ".repeat(40);
    process(&ns, &fake, state.path())
        .args(["chat", "k", "--model", "m", "-m", "[T:start] hello"])
        .env("KUBECTL_MCP_LIVE_BYTES", "12KiB")
        .output()
        .unwrap();
    let mut shown = vec!["[T:start]".to_string()];
    let mut asked = vec!["[T:start]".to_string()];
    // Each round kills inside one step of a seal, chosen in turn: while the segment is created,
    // while it is listed, or while the live object is trimmed. The kill waits for the step's
    // `[fault point STEP]` line (in odd rounds, the first one after an answer was shown, so that
    // turns are shown before the kill too), then a delay that sweeps from inside the pause
    // before the step to well into its request: it lands on the event, however slow the
    // machine is.
    const STEPS: [&str; 3] = ["create", "list", "trim"];
    enum Seen {
        Out(String),
        Err(String),
    }
    let mut hit = 0;
    for round in 0..20u64 {
        let step = STEPS[round as usize % 3];
        let after_an_answer = round % 2 == 1;
        let pause_ms = 30 + round * 7 % 40;
        let delay = Duration::from_millis(round * 23 % (pause_ms + 60));
        let mut cmd = process(&ns, &fake, state.path());
        cmd.args(["chat", "k"])
            .env("KUBECTL_MCP_LIVE_BYTES", "12KiB")
            .env("KUBECTL_MCP_FAULT_PAUSE", format!("{step}:{pause_ms}"));
        for t in 0..4 {
            let id = format!("[T:r{round}-t{t}]");
            cmd.arg("-m").arg(format!("{id} {text}"));
            asked.push(id);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        let out = child.stdout.take().unwrap();
        let tx2 = tx.clone();
        let readers = [
            std::thread::spawn(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                    let _ = tx.send(Seen::Err(line));
                }
            }),
            std::thread::spawn(move || {
                // Whole lines only: a line cut by the kill is not an answer shown.
                let mut out = out;
                let mut all = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = out.read(&mut buf) {
                    all.extend_from_slice(&buf[..n]);
                    while let Some(i) = all.iter().position(|&b| b == b'\n') {
                        let line: Vec<u8> = all.drain(..=i).collect();
                        let _ = tx2.send(Seen::Out(String::from_utf8_lossy(&line).into()));
                    }
                }
            }),
        ];
        let marker = format!("[fault point {step}]");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let mut answered = false;
        let mut reached = false;
        let mut take = |seen: Seen, answered: &mut bool| match seen {
            // The start of an answer streams at once; its last piece only once the turn is
            // held on disk, and its newline once it is stored: a whole line is an answer shown.
            Seen::Out(line) => {
                if let Some(id) = line.strip_prefix("You said: ").and_then(tag) {
                    shown.push(id);
                    *answered = true;
                }
                false
            }
            Seen::Err(line) => line == marker,
        };
        while !reached {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(seen) => {
                    let at_step = take(seen, &mut answered);
                    reached = at_step && (answered || !after_an_answer);
                }
                // The process ended (or a minute passed) without reaching the step.
                Err(_) => break,
            }
        }
        if reached {
            hit += 1;
            std::thread::sleep(delay);
        }
        let _ = child.kill();
        let _ = child.wait();
        for r in readers {
            let _ = r.join();
        }
        while let Ok(seen) = rx.try_recv() {
            take(seen, &mut answered);
        }
    }
    // Every round adds more than the live object holds, so every round reaches its step.
    assert_eq!(hit, 20, "rounds whose kill landed inside a seal");
    let out = process(&ns, &fake, state.path())
        .args(["chat", "k", "-m", "[T:end] done"])
        .env("KUBECTL_MCP_LIVE_BYTES", "12KiB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    shown.push("[T:end]".into());
    asked.push("[T:end]".into());
    let obj = the_context(&ns);
    assert_eq!(obj.pending_trim(), 0, "no seal left half done");
    let exported = ns.exported("k");
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let mut order = Vec::new();
    for m in exported.iter().filter(|m| !m.starts_with("You said")) {
        let id = tag(m).expect("a tagged question");
        *count.entry(id.clone()).or_default() += 1;
        order.push(id);
    }
    let doubled: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "stored twice: {doubled:?}");
    let lost: Vec<_> = shown.iter().filter(|id| !count.contains_key(*id)).collect();
    assert!(lost.is_empty(), "shown but lost: {lost:?}");
    // Within one process the turns keep their order.
    let pos = |id: &str| order.iter().position(|o| o == id);
    for round in 0..20 {
        let mine: Vec<usize> = (0..4)
            .filter_map(|t| pos(&format!("[T:r{round}-t{t}]")))
            .collect();
        assert!(
            mine.windows(2).all(|w| w[0] < w[1]),
            "round {round}: {mine:?}"
        );
    }
    eprintln!(
        "{} turns sealed, {} stored, {} shown",
        obj.sealed_turns(),
        count.len(),
        shown.len()
    );
    assert!(
        obj.sealed_turns() >= 20,
        "the kills must have hit sealing: {} turns sealed",
        obj.sealed_turns()
    );
    assert_consistent(&ns, &obj, exported.len());
    assert_eq!(obj.turns(), count.len());
}

/// Done when: segments are governed by RBAC like contexts: a user denied segments gets a clear
/// Forbidden (and is refused before Claude is paid), and a ConfigMap reader sees no
/// conversation.
#[test]
fn segments_are_governed_by_rbac_and_configmap_readers_see_no_conversation() {
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
    let ns = cp().namespace("segrbac");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let secret = "the secret word is tangerine";
    for t in 0..6 {
        let out = process(&ns, &fake, state.path())
            .args(["chat", "r", "--model", "m", "-m"])
            .arg(format!("[T:{t}] {secret} {}", "padding ".repeat(300)))
            .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert!(!ns.segments().is_empty());
    // The viewer may use contexts and read ConfigMaps, but not segments.
    common::block_on(async {
        let client = ns.cp.client().await;
        let role: Role = serde_json::from_value(json!({
            "metadata": {"name": "contexts-no-segments"},
            "rules": [
                {"apiGroups": ["mcp.dev"], "resources": ["claudemodelcontexts", "claudemodelcontexts/status"],
                 "verbs": ["get", "list", "watch", "patch", "update"]},
                {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]},
                {"apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews"], "verbs": ["create"]}
            ]
        }))
        .unwrap();
        Api::<Role>::namespaced(client.clone(), &ns.name)
            .create(&PostParams::default(), &role)
            .await
            .unwrap();
        let binding: RoleBinding = serde_json::from_value(json!({
            "metadata": {"name": "viewer"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "contexts-no-segments"},
            "subjects": [{"kind": "User", "name": "viewer", "apiGroup": "rbac.authorization.k8s.io"}]
        }))
        .unwrap();
        Api::<RoleBinding>::namespaced(client, &ns.name)
            .create(&PostParams::default(), &binding)
            .await
            .unwrap();
    });
    // RBAC changes take effect at once on this apiserver, but allow a moment.
    std::thread::sleep(Duration::from_millis(300));
    ns.mcp_as_viewer()
        .args(["export", "r"])
        .assert()
        .code(1)
        .stderr(contains(
            "forbidden: you may not get claudemodelcontextsegments.mcp.dev",
        ));
    ns.mcp_as_viewer()
        .args(["get", "r"])
        .assert()
        .success()
        .stderr(contains("sealed turns are not shown"))
        .stderr(contains("forbidden"));
    let before = fake.message_requests().len();
    ns.mcp_as_viewer()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["chat", "r", "-m", "may I?"])
        .assert()
        .code(1)
        .stderr(contains(
            "you may not create claudemodelcontextsegments.mcp.dev",
        ));
    assert_eq!(
        fake.message_requests().len(),
        before,
        "nothing was paid for"
    );
    // Whoever reads ConfigMaps reads no conversation.
    let cms = common::block_on(async {
        let viewer = common::client_for(&ns.cp.viewer_kubeconfig).await;
        Api::<ConfigMap>::namespaced(viewer, &ns.name)
            .list(&Default::default())
            .await
            .unwrap()
            .items
    });
    for cm in cms {
        let text = serde_json::to_string(&cm.data).unwrap();
        assert!(!text.contains("tangerine"), "{:?}", cm.metadata.name);
    }
}

/// Done when: an old object with ConfigMap archives migrates into segments on the next write,
/// the ConfigMaps are deleted, and every turn is still there, in order.
#[test]
fn an_old_object_with_configmap_archives_migrates_into_segments() {
    use k8s_openapi::api::core::v1::ConfigMap;
    let ns = cp().namespace("migrate");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let msg = |i: usize| {
        let role = if i.is_multiple_of(2) {
            "user"
        } else {
            "assistant"
        };
        json!({"role": role, "content": format!("[T:{i}] old message {i}"), "id": format!("id{i}")})
    };
    let live: Vec<_> = (20..24).map(msg).collect();
    let created = ns
        .create_raw(json!({
            "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
            "metadata": {"name": "old"},
            "spec": {"modelName": "m", "sessionID": "old", "contextHistory": live}
        }))
        .unwrap();
    let uid = created["metadata"]["uid"].as_str().unwrap().to_string();
    // Two archives the way the previous version wrote them: JSON Lines, labelled and owned.
    common::block_on(async {
        let api: Api<ConfigMap> = Api::namespaced(ns.cp.client().await, &ns.name);
        for (chunk, range) in [(0, 0..12), (1, 12..20)] {
            let body: String = range.map(|i| msg(i).to_string() + "\n").collect();
            let cm: ConfigMap = serde_json::from_value(json!({
                "metadata": {
                    "name": format!("old-archive-0123456789ab-{chunk}"),
                    "labels": {"mcp.dev/context": "old"},
                    "annotations": {"mcp.dev/archived-at": "2026-01-01T00:00:00Z", "mcp.dev/chunk": chunk.to_string()},
                    "ownerReferences": [{"apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
                                          "name": "old", "uid": uid, "controller": true}]
                },
                "data": {"messages.jsonl": body}
            }))
            .unwrap();
            api.create(&PostParams::default(), &cm).await.unwrap();
        }
    });
    ns.patch_status("old", json!({"archivedTurns": 10, "turnCount": 12}));
    let out = process(&ns, &fake, state.path())
        .args(["chat", "old", "-m", "[T:24] new question"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let obj = the_context(&ns);
    let st = obj.status.clone().unwrap();
    assert_eq!(st.archived_turns, None);
    assert!(!st.segments.is_empty());
    assert_eq!(obj.turns(), 13);
    let left = common::block_on(async {
        Api::<ConfigMap>::namespaced(ns.cp.client().await, &ns.name)
            .list(&kube::api::ListParams::default().labels("mcp.dev/context=old"))
            .await
            .unwrap()
            .items
            .len()
    });
    assert_eq!(left, 0, "the archive ConfigMaps are deleted once migrated");
    let exported = ns.exported("old");
    let tags: Vec<_> = exported.iter().filter_map(|m| tag(m)).collect();
    assert_eq!(
        tags,
        (0..25).map(|i| format!("[T:{i}]")).collect::<Vec<_>>(),
        "every archived, live and new message once, in order"
    );
    assert_consistent(&ns, &obj, exported.len());
}

/// A window may reach into sealed turns (a budget larger than the live object); segments are
/// immutable, so each is read from the cluster once and then from the private cache: with the
/// segment objects gone, the next turn still sends the sealed turns (from the cache), and a
/// run without the cache says exactly which segment is missing.
#[test]
fn a_window_that_reaches_sealed_turns_reads_each_segment_once() {
    let ns = cp().namespace("segcache");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    conversation("w")
        .args(&["--max-tokens", "60000"])
        .live_bytes("8KiB")
        .tagged_turns(12, &"a sentence worth keeping. ".repeat(40))
        .grow(process(&ns, &fake, state.path()));
    let sealed = the_context(&ns).status.unwrap().segments;
    assert!(sealed.len() >= 2, "{} segments", sealed.len());
    let sent_oldest = |fake: &FakeClaude| {
        let last = fake.message_requests().pop().unwrap();
        last.body["messages"][0]["content"]
            .as_str()
            .unwrap_or_default()
            .starts_with("[T:0]")
    };
    let ask = |state: &std::path::Path, q: &str| {
        process(&ns, &fake, state)
            .args(["chat", "w", "-m", q])
            .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
            .output()
            .unwrap()
    };
    let out = ask(state.path(), "[T:probe] first");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        sent_oldest(&fake),
        "the window reaches the sealed first turn"
    );
    // The segment objects go away behind the tool's back.
    common::block_on(async {
        let api: Api<kubectl_mcp::model::segment::ClaudeModelContextSegment> =
            Api::namespaced(ns.cp.client().await, &ns.name);
        for s in &sealed {
            api.delete(&s.name, &Default::default()).await.unwrap();
        }
    });
    let out = ask(state.path(), "[T:probe] second");
    assert!(
        out.status.success(),
        "read from the cache: {}",
        stderr(&out)
    );
    assert!(sent_oldest(&fake));
    // Without the cache the gap is named, and the turn goes on without those turns (issue
    // #22: a missing segment never stops a chat).
    let empty = tempfile::tempdir().unwrap();
    let out = ask(empty.path(), "[T:probe] third");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        sealed.iter().any(|s| err.contains(&s.name))
            && err.contains("gone")
            && err.contains("left out")
            && err.contains("kubectl mcp repair"),
        "{err}"
    );
    assert!(!sent_oldest(&fake), "the missing turns are not sent");
}
