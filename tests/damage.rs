//! Issue #22, item 2: no context can be bricked. Each kind of damaged history segment (bad
//! gzip, tampered messages, a count that does not match, a deleted segment, an inflation bomb)
//! leaves `chat` working with a warning, and `repair` restores what can be restored (from this
//! machine's segment cache) or quarantines it, naming what is lost, and nothing else is lost. An
//! 8,000-message hand-written context seals (in steps), summarizes and chats.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use base64::Engine;
use common::conversation::conversation;
use common::{stderr, stdout, ControlPlane, Namespace};
use fake_claude::FakeClaude;
use kube::api::{Patch, PatchParams};
use kube::Api;
use kubectl_mcp::model::resource::ClaudeModelContext;
use kubectl_mcp::model::segment::ClaudeModelContextSegment;
use serde_json::json;

const KEY: &str = "sk-ant-damage-test";

fn run(ns: &Namespace, fake: &FakeClaude, state: &Path) -> Command {
    common::process(ns, fake, KEY, state)
}

fn context(ns: &Namespace) -> ClaudeModelContext {
    ns.contexts().into_iter().next().expect("the context")
}

/// A context `d` of 12 turns whose older ones are sealed into at least two segments, read
/// once through `state`'s cache (the window reaches them).
fn sealed_context(ns: &Namespace, fake: &FakeClaude, state: &Path) {
    conversation("d")
        .args(&["--max-tokens", "60000"])
        .live_bytes("8KiB")
        .tagged_turns(12, &"worth keeping. ".repeat(60))
        .grow(run(ns, fake, state));
    let out = run(ns, fake, state)
        .args([
            "chat",
            "d",
            "-m",
            "[T:read] reads the sealed turns into the cache",
        ])
        .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let segs = context(ns).status.unwrap().segments;
    assert!(segs.len() >= 2, "{} segments", segs.len());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Damage the first listed segment of `d` in the way `kind` names.
fn damage(ns: &Namespace, kind: &str) -> String {
    let obj = context(ns);
    let first = obj.status.as_ref().unwrap().segments[0].clone();
    common::block_on(async {
        let client = ns.cp.client().await;
        let segs: Api<ClaudeModelContextSegment> = Api::namespaced(client.clone(), &ns.name);
        let data = |bytes: Vec<u8>| json!({"spec": {"data": base64::engine::general_purpose::STANDARD.encode(bytes)}});
        let patch = match kind {
            "bad gzip" => data(b"this is not gzip at all".to_vec()),
            "tampered" => data(gzip(
                br#"[{"role":"user","content":"rewritten"},{"role":"assistant","content":"by hand"}]"#,
            )),
            "bomb" => data(gzip(&vec![b' '; 70 * 1024 * 1024])),
            "missing" => {
                segs.delete(&first.name, &Default::default()).await.unwrap();
                return;
            }
            "count" => {
                let contexts: Api<ClaudeModelContext> = Api::namespaced(client, &ns.name);
                let mut list = obj.status.as_ref().unwrap().segments.clone();
                list[0].messages += 2;
                contexts
                    .patch_status(
                        obj.metadata.name.as_deref().unwrap(),
                        &PatchParams::default(),
                        &Patch::Merge(json!({"status": {"segments": list}})),
                    )
                    .await
                    .unwrap();
                return;
            }
            other => panic!("{other}"),
        };
        segs.patch(&first.name, &PatchParams::default(), &Patch::Merge(patch))
            .await
            .unwrap();
    });
    first.name
}

/// Turns tagged `[T:...]` in the export of `d` (read through the segment cache in `state`),
/// and whether the export succeeded.
fn exported(ns: &Namespace, fake: &FakeClaude, state: &Path) -> (Vec<String>, bool, String) {
    let out = run(ns, fake, state)
        .args(["export", "d", "-o", "jsonl"])
        .output()
        .unwrap();
    let tags = stdout(&out)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let c = v["content"].as_str()?.to_string();
            (v["role"] == "user").then(|| c.split(']').next().unwrap_or_default().to_string() + "]")
        })
        .collect();
    (tags, out.status.success(), stderr(&out))
}

#[test]
fn every_kind_of_damaged_segment_leaves_chat_working_and_repair_names_what_is_lost() {
    for kind in ["bad gzip", "tampered", "count", "missing", "bomb"] {
        let ns = ControlPlane::with_crd().namespace("damage");
        let fake = common::fake_claude(KEY);
        let state = tempfile::tempdir().unwrap();
        sealed_context(&ns, &fake, state.path());
        let (before, ok, _) = exported(&ns, &fake, state.path());
        assert!(ok && before.len() == 13, "{kind}: {before:?}");
        let name = damage(&ns, kind);

        // A chat from a machine without the segment in its cache: answered, stored, warned.
        let fresh = tempfile::tempdir().unwrap();
        let out = run(&ns, &fake, fresh.path())
            .args(["chat", "d", "-m", "[T:after] still works?"])
            .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{kind}: {err}");
        assert_eq!(stdout(&out), "You said: [T:after] still works?\n", "{kind}");
        assert!(
            err.contains(&name) && err.contains("kubectl mcp repair"),
            "{kind}: {err}"
        );
        // get shows the gap; export writes the rest and fails, naming it.
        let out = run(&ns, &fake, fresh.path())
            .args(["get", "d"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("not shown: history segment"),
            "{kind}: {}",
            stdout(&out)
        );
        let (tags, ok, err) = exported(&ns, &fake, fresh.path());
        assert!(!ok && err.contains(&name), "{kind}: {err}");
        let lost = context(&ns).status.unwrap().segments[0].turns as usize;
        assert_eq!(tags.len(), 14 - lost, "{kind}: {tags:?}");
        assert_eq!(tags.last().map(String::as_str), Some("[T:after]"));

        // repair, dry run: what and why, nothing written.
        let version = context(&ns).metadata.resource_version;
        let out = run(&ns, &fake, fresh.path())
            .args(["repair", "d"])
            .output()
            .unwrap();
        let said = stdout(&out);
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        assert!(
            said.contains(&name) && said.contains("quarantine"),
            "{kind}: {said}"
        );
        assert!(said.contains("lost: turns 1-"), "{kind}: {said}");
        assert!(said.contains("dry run"), "{kind}: {said}");
        assert_eq!(
            context(&ns).metadata.resource_version,
            version,
            "{kind}: nothing written"
        );

        // From the machine whose cache holds the segment, it is restored, not lost; except
        // where the list itself was changed (the count), which no copy can match.
        let out = run(&ns, &fake, state.path())
            .args(["repair", "d"])
            .output()
            .unwrap();
        let said = stdout(&out);
        if kind == "count" {
            assert!(said.contains("quarantine"), "{kind}: {said}");
        } else {
            assert!(
                said.contains("restore from this machine's segment cache"),
                "{kind}: {said}"
            );
            let out = run(&ns, &fake, state.path())
                .args(["repair", "d", "--apply"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{kind}: {}", stderr(&out));
            let elsewhere = tempfile::tempdir().unwrap();
            let (tags, ok, err) = exported(&ns, &fake, elsewhere.path());
            assert!(ok, "{kind}: {err}");
            assert_eq!(tags.len(), 14, "{kind}: every turn is back: {tags:?}");
            continue;
        }
        let out = run(&ns, &fake, fresh.path())
            .args(["repair", "d", "--apply"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        // Quarantined: chat goes on quietly, export succeeds without those turns.
        let out = run(&ns, &fake, fresh.path())
            .args(["chat", "d", "-m", "[T:quiet] and now?"])
            .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("warning"),
            "{kind}: {}",
            stderr(&out)
        );
        let (tags, ok, err) = exported(&ns, &fake, fresh.path());
        assert!(ok, "{kind}: {err}");
        assert_eq!(tags.len(), 15 - lost, "{kind}: {tags:?}");
        let out = run(&ns, &fake, fresh.path())
            .args(["repair", "d"])
            .output()
            .unwrap();
        assert!(
            stdout(&out).contains("0 damaged, 1 quarantined before"),
            "{kind}: {}",
            stdout(&out)
        );
    }
}

/// A hand-written context of 8,000 messages without ids (more than one JSON patch may touch:
/// the apiserver takes at most 10,000 operations) seals in steps, summarizes, and chats; every
/// message stays, in order.
#[test]
fn an_eight_thousand_message_hand_written_context_seals_summarizes_and_chats() {
    let ns = ControlPlane::with_crd().namespace("fivek");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let history: Vec<serde_json::Value> = (0..8000)
        .map(|i| {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            json!({"role": role, "content": format!("m{i} short")})
        })
        .collect();
    ns.create_raw(json!({
        "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
        "metadata": {"name": "big"},
        "spec": {"modelName": "m", "sessionID": "big", "summarizationStrategy": "summarize_oldest",
                 "maxTokens": 190000, "contextHistory": history}
    }))
    .unwrap();
    for (step, args) in [
        ("chat", vec!["chat", "big", "-m", "first"]),
        ("summarize", vec!["summarize", "big"]),
        ("chat again", vec!["chat", "big", "-m", "second"]),
    ] {
        // A live budget larger than the object: nothing is sealed until the summary covers
        // nearly all of it, and then one seal could take thousands of messages at once.
        let out = run(&ns, &fake, state.path())
            .args(&args)
            .env("KUBECTL_MCP_LIVE_BYTES", "900KiB")
            .output()
            .unwrap();
        assert!(out.status.success(), "{step}: {}", stderr(&out));
    }
    let obj = ns.contexts().into_iter().next().unwrap();
    let segs = &obj.status.as_ref().unwrap().segments;
    assert!(!segs.is_empty());
    assert!(segs.iter().all(|s| s.messages <= 3000), "{segs:?}");
    let all = ns.exported("big");
    assert_eq!(all.len(), 8004);
    for (i, c) in all.iter().take(8000).enumerate() {
        assert!(c.starts_with(&format!("m{i} ")), "message {i}: {c}");
    }
}
