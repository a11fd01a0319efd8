//! Cluster overhead per chat turn: the time spent on the apiserver to store a turn (the guarded
//! JSON patch plus the status patch) and to load a context, at 10 and 1,000 stored messages,
//! against the real test apiserver and a zero-latency fake of Claude (whose time is not counted).
//!   scripts/bench-turn.sh        (starts a control plane and runs this)
//! Under `cargo test` this target only says how to run it.

use std::time::{Duration, Instant};

use fake_claude::{Config, FakeClaude};
use kubectl_mcp::claude::{ClaudeClient, ClaudeConfig, Credentials, Secret};
use kubectl_mcp::cluster::{Cluster, ClusterOptions};
use kubectl_mcp::model::resource::ContextTemplate;
use kubectl_mcp::model::resource::{Message, Role};
use kubectl_mcp::store::journal::Journal;
use kubectl_mcp::store::{create_context, new_context, now, Session};

const TURNS: usize = 100;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{what:<44} n={:<4} p50 {:>7.2} ms   p95 {:>7.2} ms   mean {:>7.2} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("turn_overhead: a benchmark; run scripts/bench-turn.sh");
        return;
    }
    let Some(kubeconfig) = std::env::var_os("KUBECTL_MCP_TEST_KUBECONFIG") else {
        eprintln!("set KUBECTL_MCP_TEST_KUBECONFIG (scripts/bench-turn.sh does)");
        std::process::exit(2);
    };
    kubectl_mcp::tls::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let fake = FakeClaude::start(Config::default()).await.unwrap();
        let mut cfg = ClaudeConfig::new(
            Credentials::ApiKey(Secret::new("sk-bench").unwrap()),
            Some(fake.base_url()),
        );
        cfg.retry.max_retries = 0;
        let client = ClaudeClient::new(cfg).unwrap();
        let state = tempfile::tempdir().unwrap();
        let journal = Journal::at(state.path().to_path_buf());
        let ns = format!("bench-turn-{}", std::process::id());
        let global = ClusterOptions {
            kubeconfig: Some(kubeconfig.into()),
            namespace: Some(ns.clone()),
            ..Default::default()
        };
        let cluster = Cluster::connect(&global).await.unwrap();
        let nss: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(cluster.client().clone());
        let namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap();
        nss.create(&Default::default(), &namespace).await.unwrap();
        let settings = ContextTemplate {
            model: Some("m".into()),
            ..Default::default()
        };

        for size in [10usize, 1000] {
            let id = format!("bench-{size}");
            let mut obj = new_context(&id, &settings, &ns, now()).unwrap();
            obj.spec.context_history = (0..size)
                .map(|i| Message {
                    role: if i % 2 == 0 {
                        Role::User
                    } else {
                        Role::Assistant
                    },
                    content: format!(
                        "message {i}: {}",
                        "an ordinary sentence of a chat turn. ".repeat(6)
                    ),
                    timestamp: Some(now()),
                    tokens: None,
                    id: None,
                    markers: Vec::new(),
                    author: None,
                    blocks: Vec::new(),
                })
                .collect();
            create_context(&cluster, obj).await.unwrap();

            let mut loads = Vec::new();
            for _ in 0..20 {
                let t = Instant::now();
                let _ = Session::open_in(&cluster, cluster.namespace(), &id, &settings)
                    .await
                    .unwrap();
                loads.push(t.elapsed());
            }
            let (mut session, _) = Session::open_in(&cluster, cluster.namespace(), &id, &settings)
                .await
                .unwrap();
            let mut writes = Vec::new();
            for i in 0..TURNS {
                let q = format!("question {i}: how do I scale a deployment?");
                let prepared = session.prepare(&client, &q).await.unwrap();
                let reply = client.send(&prepared.request).await.unwrap();
                let t = Instant::now();
                session
                    .complete(&journal, &q, &reply, &prepared.window)
                    .await
                    .unwrap();
                writes.push(t.elapsed());
            }
            report(
                &format!("store a turn (append + status), {size} stored"),
                writes,
            );
            report(&format!("load the context (GET), {size} stored"), loads);
        }
    });
}
