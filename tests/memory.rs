//! Issue #22, item 4: memory is bounded by a constant, not by the conversation. A context
//! listing 20 valid segments is exported (JSON Lines and JSON), described by `get`, searched,
//! and read page by page through the MCP server, each under `/usr/bin/time`: peak memory stays
//! under 64 MiB plus three segments' worth, whatever the conversation holds, and everything is
//! there.
//!
//! In CI the segments are 8 MiB (a 160 MiB conversation, a bound of 88 MiB: the debug binary
//! takes minutes per gigabyte). `scripts/bench-memory.sh` runs the same test on the release
//! binary with 60 MiB segments (1.2 GB, a bound of 244 MiB) for BENCHMARKS.md:
//! `KUBECTL_MCP_MEMORY_SEGMENT_MIB` sets the size, `KUBECTL_MCP_BIN` the binary.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{ControlPlane, Namespace};
use kube::api::{Patch, PatchParams, PostParams};
use kube::Api;
use kubectl_mcp::model::fixtures::{self, MessageFixture};
use kubectl_mcp::model::resource::{ClaudeModelContext, Message, Role};
use kubectl_mcp::model::segment::ClaudeModelContextSegment;
use rmcp::model::ReadResourceRequestParams;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::json;

const SEGMENTS: u32 = 20;
/// Messages per segment.
const PER_SEGMENT: u32 = 20;

/// MiB of text per segment (`KUBECTL_MCP_MEMORY_SEGMENT_MIB`, default 8).
fn segment_mib() -> usize {
    std::env::var("KUBECTL_MCP_MEMORY_SEGMENT_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}

/// Bytes of one message.
fn message_bytes() -> usize {
    segment_mib() * 1024 * 1024 / PER_SEGMENT as usize
}

/// Peak resident memory allowed, in KiB (what `/usr/bin/time -f %M` prints): the program and
/// its runtime, one segment inflated and parsed, and one message being written.
fn limit_kib() -> u64 {
    (64 + 3 * segment_mib() as u64) * 1024
}

/// The binary measured: `KUBECTL_MCP_BIN`, else the one cargo built for the tests.
fn binary() -> std::path::PathBuf {
    std::env::var_os("KUBECTL_MCP_BIN")
        .map(Into::into)
        .unwrap_or_else(|| assert_cmd::cargo::cargo_bin("kubectl-mcp"))
}

/// The context `huge`: 20 sealed segments of 60 MiB (one encoding, listed 20 times under
/// different names: a reader cannot tell), and one live turn mentioning "needle".
fn huge(ns: &Namespace) -> u64 {
    ns.mcp()
        .args(["create", "huge", "--model", "m"])
        .assert()
        .success();
    let messages: Vec<Message> = (0..PER_SEGMENT)
        .map(|i| {
            let head = format!("[message {i}] ");
            let body = "lorem ipsum dolor sit amet, consectetur adipiscing elit. "
                .repeat(message_bytes() / 57);
            let role = if i % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            };
            fixtures::message(role, &(head + &body)).with_id(&format!("{i:016x}"))
        })
        .collect();
    let text: u64 = messages.iter().map(|m| m.content.len() as u64).sum();
    common::block_on(async {
        let client = ns.cp.client().await;
        let contexts: Api<ClaudeModelContext> = Api::namespaced(client.clone(), &ns.name);
        let obj = contexts.get("huge").await.unwrap();
        let owner = kube::Resource::controller_owner_ref(&obj, &()).unwrap();
        // Encoded once and listed under 20 names (a reader cannot tell).
        let first = fixtures::segment(&obj, 0, 1, &messages, Some(owner));
        drop(messages);
        let segs: Api<ClaudeModelContextSegment> = Api::namespaced(client, &ns.name);
        let turns = u64::from(PER_SEGMENT / 2);
        let mut refs = Vec::new();
        for s in 0..SEGMENTS {
            let mut seg = first.clone();
            seg.metadata.name = Some(kubectl_mcp::model::segment::name_for("huge", s));
            seg.spec.sequence = s;
            seg.spec.first_turn = u64::from(s) * turns + 1;
            seg.spec.last_turn = u64::from(s + 1) * turns;
            let created = segs.create(&PostParams::default(), &seg).await.unwrap();
            refs.push(created.reference());
        }
        contexts
            .patch_status(
                "huge",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"segments": refs}})),
            )
            .await
            .unwrap();
        let history = json!([
            {"role": "user", "content": "where is the needle?", "id": "live-q"},
            {"role": "assistant", "content": "at the very end", "id": "live-a"},
        ]);
        contexts
            .patch(
                "huge",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"contextHistory": history}})),
            )
            .await
            .unwrap();
    });
    text * u64::from(SEGMENTS)
}

/// Run the binary under `/usr/bin/time`: its peak resident memory (KiB) and what `read` made
/// of its stdout, read as it comes (never held whole).
fn measured<T>(
    ns: &Namespace,
    state: &Path,
    args: &[&str],
    read: impl FnOnce(&mut dyn BufRead) -> T,
) -> (u64, T) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("time");
    let started = std::time::Instant::now();
    let mut child = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(binary())
        .arg("--kubeconfig")
        .arg(&ns.cp.kubeconfig)
        .args(["-n", &ns.name])
        .args(args)
        .env_remove("KUBECONFIG")
        .env("KUBECTL_MCP_STATE_DIR", state)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/time (Debian's `time`) measures peak memory");
    let result = read(&mut BufReader::new(child.stdout.take().unwrap()));
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kib = std::fs::read_to_string(&report)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    eprintln!("{args:?}: {:?}, {} MiB", started.elapsed(), kib / 1024);
    (kib, result)
}

/// Lines and bytes of a stream, and whether `needle` was seen (in a line's first 256 bytes:
/// the test binary is unoptimized, and what it looks for starts a line), a line at a time.
fn count(r: &mut dyn BufRead, needle: &str) -> (usize, u64, bool) {
    let (mut lines, mut bytes, mut seen) = (0, 0u64, false);
    let mut line = Vec::new();
    while r.read_until(b'\n', &mut line).unwrap() > 0 {
        lines += 1;
        bytes += line.len() as u64;
        let head = String::from_utf8_lossy(&line[..line.len().min(256)]);
        seen |= head.contains(needle);
        line.clear();
    }
    (lines, bytes, seen)
}

#[test]
fn reading_a_conversation_of_1_2_gb_holds_a_segment_or_two_not_the_conversation() {
    let ns = ControlPlane::with_crd().namespace("memory");
    let total = huge(&ns);
    let state = tempfile::tempdir().unwrap();
    assert!(
        total > limit_kib() * 1024,
        "the conversation is larger than the bound"
    );
    let mut figures = Vec::new();

    let (kib, (lines, bytes, _)) =
        measured(&ns, state.path(), &["export", "huge", "-o", "jsonl"], |r| {
            count(r, "needle")
        });
    assert_eq!(
        lines,
        1 + (SEGMENTS * PER_SEGMENT) as usize + 2,
        "every message, one a line"
    );
    assert!(bytes > total, "{bytes} bytes");
    figures.push(("export -o jsonl", kib));

    let (kib, (_, bytes, seen)) =
        measured(&ns, state.path(), &["export", "huge", "-o", "json"], |r| {
            count(r, "at the very end")
        });
    assert!(bytes > total && seen, "{bytes} bytes");
    figures.push(("export -o json", kib));

    let (kib, (_, bytes, seen)) = measured(&ns, state.path(), &["get", "huge"], |r| {
        count(r, "    [message 19]")
    });
    assert!(bytes > total && seen, "{bytes} bytes");
    figures.push(("get", kib));

    let (kib, (_, _, seen)) = measured(
        &ns,
        state.path(),
        &["search", "NEEDLE", "-o", "json"],
        |r| count(r, "turn 201 user"),
    );
    assert!(seen, "the live turn after 200 sealed ones is found");
    figures.push(("search", kib));

    // The MCP server: the Markdown transcript page by page (~1 MiB each), then the JSON form.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("time");
    let cmd = tokio::process::Command::new("/usr/bin/time").configure(|c| {
        c.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&report)
            .arg(binary())
            .arg("--kubeconfig")
            .arg(&ns.cp.kubeconfig)
            .args(["-n", &ns.name, "serve"])
            .env_remove("KUBECONFIG")
            .env("KUBECTL_MCP_STATE_DIR", state.path());
    });
    let pages = rt.block_on(async {
        let transport = TokioChildProcess::new(cmd).unwrap();
        let client = ().serve(transport).await.unwrap();
        let mut uri = format!("cmc://{}/huge", ns.name);
        let mut pages = 0;
        let mut last = String::new();
        // Every page of the first segment and into the second, then the last page.
        for _ in 0..25 {
            let r = client
                .read_resource(ReadResourceRequestParams::new(uri.clone()))
                .await
                .unwrap();
            let text = match &r.contents[0] {
                rmcp::model::ResourceContents::TextResourceContents { text, .. } => text.clone(),
                other => panic!("{other:?}"),
            };
            assert!(
                text.len() < 8 * 1024 * 1024,
                "a page of {} bytes",
                text.len()
            );
            pages += 1;
            let Some(next) = text
                .split('`')
                .find(|p| p.starts_with("cmc://") && p.contains("?from="))
            else {
                last = text;
                break;
            };
            uri = next.to_string();
        }
        assert!(pages >= 25, "a transcript of hundreds of MiB is many pages");
        let end = format!("cmc://{}/huge?from={}", ns.name, SEGMENTS * PER_SEGMENT);
        let r = client
            .read_resource(ReadResourceRequestParams::new(end))
            .await
            .unwrap();
        if let rmcp::model::ResourceContents::TextResourceContents { text, .. } = &r.contents[0] {
            last = text.clone();
        }
        assert!(last.contains("at the very end"), "{last}");
        let json = format!("cmc://{}/huge/transcript.json", ns.name);
        let r = client
            .read_resource(ReadResourceRequestParams::new(json))
            .await
            .unwrap();
        if let rmcp::model::ResourceContents::TextResourceContents { text, .. } = &r.contents[0] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            assert!(
                v["page"]["next"].as_str().unwrap().contains("?from="),
                "{}",
                v["page"]
            );
            assert_eq!(v["page"]["total"], SEGMENTS * PER_SEGMENT + 2);
        }
        let _ = client.cancel().await;
        pages
    });
    drop(rt);
    // The server has exited once its client went away; time has written its figure.
    let mut kib = None;
    for _ in 0..100 {
        if let Ok(t) = std::fs::read_to_string(&report) {
            if let Some(k) = t.lines().last().and_then(|l| l.trim().parse::<u64>().ok()) {
                kib = Some(k);
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    figures.push(("serve (MCP reads)", kib.expect("the server's peak memory")));
    eprintln!("{pages} pages read");

    for (what, kib) in &figures {
        eprintln!("peak memory of {what}: {} MiB", kib / 1024);
    }
    for (what, kib) in figures {
        assert!(
            kib < limit_kib(),
            "{what} peaked at {} MiB reading a {} MiB conversation",
            kib / 1024,
            total >> 20
        );
    }
}
