//! SPEC §5: the apiserver goes away after the answer arrived → the answer is still shown, the
//! turn is kept in the private local journal, and the next run for the context writes it back.
//! Runs on a control plane of its own, since it stops the apiserver.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::ControlPlane;
use fake_claude::{Config, FakeClaude, Fault};
use predicates::str::contains;

const KEY: &str = "sk-ant-journal-test-KEY";

#[test]
fn a_turn_answered_while_the_cluster_is_down_is_journalled_and_replayed() {
    let cp = ControlPlane::start_private();
    cp.mcp_admin().arg("install").assert().success();
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(150),
        ..Config::default()
    })
    .unwrap();
    fake.push_fault(Fault::Reply(
        "one two three four five six seven eight nine ten".into(),
    ));

    let child = Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"))
        .env_remove("KUBECONFIG")
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .arg("--kubeconfig")
        .arg(&cp.kubeconfig)
        .args([
            "--request-timeout",
            "5s",
            "-n",
            "default",
            "chat",
            "j",
            "--model",
            "m",
            "-m",
            "question",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once Claude has the question, take the cluster away.
    let start = Instant::now();
    while fake.message_requests().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the question never reached the fake"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    cp.stop();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stdout, "one two three four five six seven eight nine ten\n",
        "the answer is still shown"
    );
    assert!(stderr.contains("cannot reach the cluster"), "{stderr}");
    assert!(stderr.contains("local journal"), "{stderr}");
    let files: Vec<_> = std::fs::read_dir(state.path().join("journal"))
        .unwrap()
        .flatten()
        .filter(|f| f.path().extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            files[0].metadata().unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    cp.restart();
    cp.mcp_admin()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .args(["-n", "default", "chat", "j", "-m", "next"])
        .assert()
        .success()
        .stderr(contains("wrote back 1 turn(s)"))
        .stdout("You said: next\n");
    // The replayed turn went into the window of the next question, and everything is stored once.
    let last = fake.message_requests().pop().unwrap();
    assert_eq!(
        last.body["messages"][1]["content"][0]["text"],
        "one two three four five six seven eight nine ten"
    );
    let out = cp
        .mcp_admin()
        .args(["-n", "default", "get", "j", "-o", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let contents: Vec<_> = v["spec"]["contextHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        contents,
        [
            "question",
            "one two three four five six seven eight nine ten",
            "next",
            "You said: next"
        ]
    );
    assert_eq!(v["status"]["turnCount"], 2);
    assert!(
        std::fs::read_dir(state.path().join("journal"))
            .unwrap()
            .next()
            .is_none(),
        "the journal is empty again"
    );
}
