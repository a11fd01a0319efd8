//! `kubectl mcp serve` through its stdio transport (issue #13): the latency of `resources/read`
//! on a 1,000-turn context and of `list_contexts` over 1,000 contexts, the server's peak memory,
//! and, in the same run on the same server, the CLI commands that do the same work
//! (`export -o markdown`, `list`), for ratios.
//!   BENCH_KUBECONFIG=DIR/kubeconfig cargo bench --bench mcp     (scripts/bench-mcp.sh starts a
//!   control plane and does this)
//! Under `cargo test` this target only says how to run it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{Api, PostParams};
use kubectl_mcp::model::resource::ClaudeModelContext;
use rmcp::model::{CallToolRequestParams, ReadResourceRequestParams};
use rmcp::ServiceExt;
use serde_json::json;

const NS: &str = "bench-mcp";
const CONTEXTS: usize = 1_000;
const LONG_TURNS: usize = 1_000;
const RUNS: usize = 20;

/// The binary measured: `KUBECTL_MCP_BIN` (another build, to compare two commits against one
/// server), else the release binary next to this bench executable
/// (target/release/deps/../kubectl-mcp).
fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("KUBECTL_MCP_BIN") {
        return bin.into();
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("kubectl-mcp")
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(kubeconfig).unwrap();
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .unwrap();
    kube::Client::try_from(config).unwrap()
}

/// 1,000 contexts of 40 messages of ~750 characters, and one of 1,000 turns (imported, so its
/// older turns are sealed into segments as a long conversation's are).
async fn populate(kubeconfig: &Path) {
    let c = client(kubeconfig).await;
    let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(c.clone());
    let _ = nss
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": NS}})).unwrap(),
        )
        .await;
    let api: Api<ClaudeModelContext> = Api::namespaced(c, NS);
    let have = api.list(&Default::default()).await.unwrap().items.len();
    let text = "To drain a node, cordon it first, then evict its pods with kubectl drain NODE --ignore-daemonsets --delete-emptydir-data; watch the pods reschedule and check PodDisruptionBudgets. ".repeat(4);
    if have < CONTEXTS {
        eprintln!("creating {} contexts in {NS} …", CONTEXTS - have);
        futures::stream::iter(have..CONTEXTS)
            .map(|i| {
                let api = api.clone();
                let text = text.clone();
                async move {
                    let history: Vec<_> = (0..40)
                        .map(|m| json!({"role": if m % 2 == 0 {"user"} else {"assistant"}, "content": format!("{m}: {text}")}))
                        .collect();
                    let obj = json!({
                        "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
                        "metadata": {"name": format!("ctx-{i:05}"), "labels": {"team": format!("t{}", i % 10)}},
                        "spec": {"modelName": "claude-haiku-4-5", "sessionID": format!("User {i} / support"),
                                 "maxTokens": 4000, "historySize": 10, "contextHistory": history},
                    });
                    let obj: ClaudeModelContext = serde_json::from_value(obj).unwrap();
                    for attempt in 0..5 {
                        match api.create(&PostParams::default(), &obj).await {
                            Ok(_) => break,
                            Err(kube::Error::Api(e)) if e.code == 409 => break,
                            Err(e) if attempt == 4 => panic!("creating ctx-{i:05}: {e}"),
                            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
                        }
                    }
                }
            })
            .buffer_unordered(16)
            .collect::<Vec<_>>()
            .await;
    }
    if api.get_opt("long").await.unwrap().is_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("long.jsonl");
        let mut lines = vec![
            json!({"apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
            "spec": {"modelName": "claude-haiku-4-5", "sessionID": "long"}})
            .to_string(),
        ];
        for t in 0..LONG_TURNS {
            lines.push(json!({"role": "user", "content": format!("question {t}: why does the rollout of web stall at {t}% with pods in CrashLoopBackOff?")}).to_string());
            lines.push(
                json!({"role": "assistant", "content": format!("answer {t}: {}", &text[..250])})
                    .to_string(),
            );
        }
        std::fs::write(&file, lines.join("\n")).unwrap();
        let out = std::process::Command::new(binary())
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["-n", NS, "import", "-f"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn stats(mut d: Vec<Duration>) -> (Duration, Duration) {
    d.sort();
    let mean = d.iter().sum::<Duration>() / d.len() as u32;
    (d[d.len() / 2], mean)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Peak resident memory of a process, from /proc (KiB).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

async fn bench(kubeconfig: &Path) {
    populate(kubeconfig).await;
    let mut child = tokio::process::Command::new(binary())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["-n", NS, "serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let transport = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let mcp = ().serve(transport).await.unwrap();
    let uri = format!("cmc://{NS}/long");
    let read_once = || async {
        let start = Instant::now();
        let r = mcp
            .read_resource(ReadResourceRequestParams::new(uri.clone()))
            .await
            .unwrap();
        let bytes = serde_json::to_string(&r.contents).unwrap().len();
        (start.elapsed(), bytes)
    };
    let list_once = || async {
        let start = Instant::now();
        let r = mcp
            .call_tool(CallToolRequestParams::new("list_contexts"))
            .await
            .unwrap();
        let n = r.structured_content.as_ref().unwrap()["count"]
            .as_u64()
            .unwrap();
        (start.elapsed(), n)
    };
    // Warm-up (the server's first read fetches and caches the segments).
    let (_, bytes) = read_once().await;
    let (_, n) = list_once().await;
    assert!(n as usize > CONTEXTS, "list_contexts saw {n} contexts");
    let mut reads = Vec::new();
    for _ in 0..RUNS {
        reads.push(read_once().await.0);
    }
    let mut lists = Vec::new();
    for _ in 0..RUNS {
        lists.push(list_once().await.0);
    }
    let peak = peak_kib(pid);
    mcp.cancel().await.unwrap();
    let _ = child.wait().await;

    // The CLI doing the same work, one process each time.
    let cli = |args: &[&str]| {
        let start = Instant::now();
        let out = std::process::Command::new(binary())
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["-n", NS])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        start.elapsed()
    };
    cli(&["export", "long", "-o", "markdown"]);
    let exports: Vec<_> = (0..RUNS)
        .map(|_| cli(&["export", "long", "-o", "markdown"]))
        .collect();
    let cli_lists: Vec<_> = (0..RUNS).map(|_| cli(&["list"])).collect();

    let (rp50, rmean) = stats(reads);
    let (lp50, lmean) = stats(lists);
    let (ep50, emean) = stats(exports);
    let (cp50, cmean) = stats(cli_lists);
    println!(
        "{RUNS} runs each; a {LONG_TURNS}-turn context ({bytes} bytes of Markdown), {n} contexts; server peak RSS {}",
        peak.map_or("unknown".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
    );
    println!("| operation | p50 | mean |");
    println!("|---|---:|---:|");
    println!(
        "| MCP `resources/read` {uri} (stdio) | {} | {} |",
        ms(rp50),
        ms(rmean)
    );
    println!(
        "| CLI `kubectl mcp export long -o markdown` (a process each) | {} | {} |",
        ms(ep50),
        ms(emean)
    );
    println!(
        "| MCP `list_contexts` over {n} contexts (stdio) | {} | {} |",
        ms(lp50),
        ms(lmean)
    );
    println!(
        "| CLI `kubectl mcp list` (a process each) | {} | {} |",
        ms(cp50),
        ms(cmean)
    );
    println!(
        "ratios (MCP / CLI, p50): read {:.2}, list {:.2}",
        rp50.as_secs_f64() / ep50.as_secs_f64(),
        lp50.as_secs_f64() / cp50.as_secs_f64()
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("mcp: a benchmark; run scripts/bench-mcp.sh (or BENCH_KUBECONFIG=… cargo bench --bench mcp)");
        return;
    }
    let Some(kubeconfig) = std::env::var_os("BENCH_KUBECONFIG") else {
        eprintln!(
            "BENCH_KUBECONFIG is not set: run scripts/bench-mcp.sh, which starts a control plane"
        );
        std::process::exit(2);
    };
    kubectl_mcp::tls::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(bench(Path::new(&kubeconfig)));
}
