//! The configuration file and local habits, on the real apiserver: flags beat environment
//! variables, which beat the file; price overrides reach the stored cost; `chat` with no
//! session resumes the one used last in the namespace.

mod common;

use std::path::Path;

use common::{stderr, ControlPlane, Namespace};
use predicates::str::contains;
use serde_json::json;

const KEY: &str = "sk-ant-config-test-KEY";

/// The binary with the admin kubeconfig, no `-n`, and this configuration file and state.
fn mcp(cp: &ControlPlane, config: &Path, state: &Path) -> assert_cmd::Command {
    let mut cmd = cp.mcp_admin();
    cmd.env("KUBECTL_MCP_CONFIG", config)
        .env("KUBECTL_MCP_STATE_DIR", state);
    cmd
}

fn spec_of(ns: &Namespace, session: &str) -> serde_json::Value {
    let o = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == session)
        .unwrap_or_else(|| panic!("no context {session} in {}", ns.name));
    serde_json::to_value(&o.spec).unwrap()
}

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let cp = ControlPlane::with_crd();
    let (a, b, c) = (
        cp.namespace("cfg-a"),
        cp.namespace("cfg-b"),
        cp.namespace("cfg-c"),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.yaml");
    std::fs::write(
        &file,
        format!(
            "model: claude-haiku-4-5\nmaxTokens: 20000\nmaxOutputTokens: 1000\nstrategy: hybrid\nnamespace: {}\n",
            b.name
        ),
    )
    .unwrap();

    // The file alone: its namespace and its defaults.
    mcp(cp, &file, dir.path())
        .args(["create", "from-file"])
        .assert()
        .success();
    let s = spec_of(&b, "from-file");
    assert_eq!(
        (
            &s["modelName"],
            &s["maxTokens"],
            &s["maxOutputTokens"],
            &s["summarizationStrategy"]
        ),
        (
            &json!("claude-haiku-4-5"),
            &json!(20000),
            &json!(1000),
            &json!("hybrid")
        )
    );

    // The environment over the file, key by key; what it does not set still comes from the file.
    mcp(cp, &file, dir.path())
        .env("KUBECTL_MCP_MODEL", "claude-sonnet-4-5")
        .env("KUBECTL_MCP_MAX_TOKENS", "30000")
        .env("KUBECTL_MCP_NAMESPACE", &c.name)
        .args(["create", "from-env"])
        .assert()
        .success();
    let s = spec_of(&c, "from-env");
    assert_eq!(
        (
            &s["modelName"],
            &s["maxTokens"],
            &s["maxOutputTokens"],
            &s["summarizationStrategy"]
        ),
        (
            &json!("claude-sonnet-4-5"),
            &json!(30000),
            &json!(1000),
            &json!("hybrid")
        )
    );

    // Flags over both.
    mcp(cp, &file, dir.path())
        .env("KUBECTL_MCP_MODEL", "claude-sonnet-4-5")
        .env("KUBECTL_MCP_STRATEGY", "summarize_oldest")
        .env("KUBECTL_MCP_NAMESPACE", &c.name)
        .args([
            "-n",
            &a.name,
            "create",
            "from-flags",
            "--model",
            "claude-opus-4-1",
        ])
        .args([
            "--max-tokens",
            "40000",
            "--strategy",
            "truncate",
            "--max-output-tokens",
            "2000",
        ])
        .assert()
        .success();
    let s = spec_of(&a, "from-flags");
    assert_eq!(
        (
            &s["modelName"],
            &s["maxTokens"],
            &s["maxOutputTokens"],
            &s["summarizationStrategy"]
        ),
        (
            &json!("claude-opus-4-1"),
            &json!(40000),
            &json!(2000),
            &json!("truncate")
        )
    );

    // config view names each value's source.
    let out = mcp(cp, &file, dir.path())
        .env("KUBECTL_MCP_MODEL", "claude-sonnet-4-5")
        .args(["config", "view"])
        .output()
        .unwrap();
    let view = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success());
    for line in [
        "model: claude-sonnet-4-5  # from $KUBECTL_MCP_MODEL",
        "maxTokens: 20000  # from the file",
        "strategy: hybrid  # from the file",
    ] {
        assert!(view.contains(line), "{line} not in:\n{view}");
    }
    assert!(view.contains(&file.display().to_string()));
    mcp(cp, &file, dir.path())
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(format!("{}\n", file.display()));

    // A broken file, or a bad variable: a usage error naming it, and nothing created.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "model: claude-haiku-4-5\nmaxTokenz: 5\n").unwrap();
    mcp(cp, &bad, dir.path())
        .args(["-n", &a.name, "create", "never"])
        .assert()
        .code(2)
        .stderr(contains(bad.display().to_string()))
        .stderr(contains("unknown field `maxTokenz`"));
    mcp(cp, &file, dir.path())
        .env("KUBECTL_MCP_MAX_TOKENS", "lots")
        .args(["-n", &a.name, "create", "never"])
        .assert()
        .code(2)
        .stderr(contains("KUBECTL_MCP_MAX_TOKENS=lots"));
    assert_eq!(a.contexts().len(), 1);
}

#[test]
fn price_overrides_reach_the_stored_cost() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("cfg-price");
    let fake = common::fake_claude(KEY);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.yaml");
    std::fs::write(
        &file,
        "prices:\n  claude-haiku-4-5: {input: 0.5, output: 2.5}\n  my-tuned-model: {input: 7, output: 9}\n",
    )
    .unwrap();
    for model in ["claude-haiku-4-5", "my-tuned-model"] {
        mcp(cp, &file, dir.path())
            .env("ANTHROPIC_BASE_URL", fake.base_url())
            .env("ANTHROPIC_API_KEY", KEY)
            .args([
                "-n",
                &ns.name,
                "chat",
                model,
                "--model",
                model,
                "-m",
                "what is a pod?",
            ])
            .assert()
            .success();
        let o = ns
            .contexts()
            .into_iter()
            .find(|o| o.spec.session_id == model)
            .unwrap();
        let usage = o.status.unwrap().usage.unwrap();
        // One model answered (the fake may name a dated ID of the alias asked for).
        assert_eq!(usage.models.len(), 1, "{:?}", usage.models.keys());
        let (answered, m) = usage.models.iter().next().unwrap();
        assert!(answered.starts_with(model), "{answered}");
        let prices = if model == "my-tuned-model" {
            (7.0, 9.0)
        } else {
            (0.5, 2.5)
        };
        let p = kubectl_mcp::config::PriceOverride {
            input: prices.0,
            output: prices.1,
            cache_write_5m: None,
            cache_write_1h: None,
            cache_read: None,
        }
        .prices();
        let want = kubectl_mcp::model::catalog::cost_micro_usd(
            &p,
            m.input_tokens,
            m.output_tokens,
            m.cache_creation_input_tokens,
            m.cache_read_input_tokens,
            m.cache_creation_1h_input_tokens,
        );
        assert!(want > 0);
        assert_eq!(usage.cost_micro_usd, want, "{model}");
        // A model the table lacks is priced by the file instead of counted as unpriced.
        assert_eq!(usage.unpriced_requests, 0, "{model}");
    }
}

#[test]
fn chat_without_a_session_resumes_the_last_one_used_in_the_namespace() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("resume");
    let other = cp.namespace("resume-other");
    let fake = common::fake_claude(KEY);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("none.yaml");
    let chat = |ns: &Namespace, args: &[&str]| {
        let mut cmd = mcp(cp, &config, dir.path());
        cmd.env("ANTHROPIC_BASE_URL", fake.base_url())
            .env("ANTHROPIC_API_KEY", KEY)
            .args(["-n", &ns.name, "chat"])
            .args(args);
        cmd.output().unwrap()
    };
    // Nothing used yet here: a usage error, nothing created.
    let out = chat(&ns, &["-m", "hello"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("none was used yet"),
        "{}",
        stderr(&out)
    );
    assert!(ns.contexts().is_empty());

    assert!(chat(&ns, &["first", "--model", "m", "-m", "q1"])
        .status
        .success());
    assert!(chat(&ns, &["Second/one", "--model", "m", "-m", "q2"])
        .status
        .success());
    let out = chat(&ns, &["-m", "q3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("resuming session \"Second/one\""),
        "{}",
        stderr(&out)
    );
    let turns = |id: &str| {
        ns.contexts()
            .into_iter()
            .find(|o| o.spec.session_id == id)
            .unwrap()
            .turns()
    };
    assert_eq!((turns("first"), turns("Second/one")), (1, 2));
    // Per namespace: another namespace has its own last session (none yet).
    assert_eq!(chat(&other, &["-m", "x"]).status.code(), Some(2));

    // The last session was deleted: said, and not silently made again.
    mcp(cp, &config, dir.path())
        .args(["-n", &ns.name, "delete", "Second/one"])
        .assert()
        .success();
    let out = chat(&ns, &["-m", "q4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no longer exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ns.contexts().len(), 1);
}
