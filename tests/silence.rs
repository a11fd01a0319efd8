//! Issue #22, item 1: an apiserver that goes silent on open connections (through a proxy that
//! drops every byte) makes every command fail within its request timeout, never hang; a turn
//! whose answer was shown is journalled at once and written back once when the cluster speaks
//! again.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::proxy::SilentProxy;
use common::ControlPlane;
use fake_claude::{Config, FakeClaude, Fault};

const KEY: &str = "sk-ant-silence-test-KEY";

/// Run `cmd`, killing it (and failing) if it is still running after `limit`.
fn run_within(mut cmd: Command, limit: Duration, what: &str) -> (Output, Duration) {
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (wait_within(child, limit, what), started.elapsed())
}

/// The output of `child`, killing it (and failing) if it is still running after `limit`. Its
/// pipes are read meanwhile, so a chatty child cannot block on a full pipe.
fn wait_within(child: std::process::Child, limit: Duration, what: &str) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            let out = rx.recv().unwrap().unwrap();
            panic!(
                "`{what}` still ran after {limit:?} against a silent apiserver: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn binary(
    kubeconfig: &std::path::Path,
    ns: &str,
    state: &std::path::Path,
    fake: &FakeClaude,
) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"));
    cmd.env_remove("KUBECONFIG")
        .env_remove("RUST_LOG")
        .env_remove("KUBECTL_MCP_MODEL")
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("KUBECTL_MCP_STATE_DIR", state)
        .env("KUBECTL_MCP_CONFIG", state.join("no-config.yaml"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["-n", ns]);
    cmd
}

#[test]
fn every_command_fails_within_its_timeout_when_the_apiserver_goes_silent() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("silence");
    let fake = common::fake_claude(KEY);
    let dir = tempfile::tempdir().unwrap();
    let proxy = SilentProxy::start(&cp.server);
    let through = proxy.kubeconfig(&cp.kubeconfig, &cp.server, dir.path());
    // Through the proxy while it speaks: a context with a turn.
    let out = binary(&through, &ns.name, dir.path(), &fake)
        .args(["chat", "quiet", "--model", "m", "-m", "hello there"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let import = dir.path().join("import.jsonl");
    std::fs::write(
        &import,
        "{\"spec\": {\"modelName\": \"m\", \"sessionID\": \"imported\"}}\n{\"role\": \"user\", \"content\": \"q\"}\n{\"role\": \"assistant\", \"content\": \"a\"}\n",
    )
    .unwrap();
    let batch = dir.path().join("batch.jsonl");
    std::fs::write(
        &batch,
        "{\"session\": \"quiet\", \"message\": \"from batch\"}\n",
    )
    .unwrap();

    proxy.go_silent();
    let import = import.to_str().unwrap();
    let batch = batch.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "-A", "-o", "wide"],
        vec!["list", "-w"],
        vec!["get", "quiet"],
        vec!["get", "quiet", "-o", "json"],
        vec!["create", "new-one", "--model", "m"],
        vec!["set", "quiet", "--max-tokens", "9000"],
        vec!["usage"],
        vec!["restore", "quiet"],
        vec!["delete", "quiet"],
        vec!["expire", "--idle", "1s", "--dry-run"],
        vec!["expire", "--idle", "1s"],
        vec!["summarize", "quiet"],
        vec!["export", "quiet"],
        vec!["export", "--all", "-o", "jsonl"],
        vec!["import", "-f", import],
        vec!["search", "hello"],
        vec!["chat", "quiet", "-m", "anyone there?"],
        vec!["batch", "-f", batch],
        vec!["version"],
        vec!["install"],
    ];
    let mut slowest = Duration::ZERO;
    for args in &commands {
        let mut cmd = binary(&through, &ns.name, dir.path(), &fake);
        cmd.args(["--request-timeout", "2s"]).args(args);
        let what = args.join(" ");
        let (out, took) = run_within(cmd, Duration::from_secs(40), &what);
        // `batch` reports a line's failure in its output line.
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(
            !out.status.success() || what == "version",
            "`{what}` succeeded: {stderr}"
        );
        assert!(
            stderr.contains("did not answer within 2s (--request-timeout)"),
            "`{what}` did not say why: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "`{what}`: {stderr}");
        eprintln!("{what}: {took:?}");
        slowest = slowest.max(took);
    }
    eprintln!("slowest command against the silent apiserver: {slowest:?}");
    assert_eq!(
        fake.message_requests().len(),
        1,
        "nothing was asked of Claude while the cluster was silent"
    );

    // Without --request-timeout the default (30 s) holds.
    let mut cmd = binary(&through, &ns.name, dir.path(), &fake);
    cmd.args(["get", "quiet"]);
    let (out, took) = run_within(cmd, Duration::from_secs(90), "get (default timeout)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("did not answer within 30s (--request-timeout)"),
        "{stderr}"
    );
    assert!(!stderr.contains("cannot reach"), "{stderr}");
    assert!(took >= Duration::from_secs(29), "{took:?}");

    // The cluster speaks again: everything is as it was (nothing was half-written).
    proxy.speak();
    assert_eq!(
        ns.exported("quiet"),
        ["hello there", "You said: hello there"]
    );
}

#[test]
fn an_answer_shown_before_the_apiserver_went_silent_is_journalled_at_once_and_written_back_once() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("silentturn");
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(100),
        ..Config::default()
    })
    .unwrap();
    let proxy = SilentProxy::start(&cp.server);
    let through = proxy.kubeconfig(&cp.kubeconfig, &cp.server, dir.path());
    let out = binary(&through, &ns.name, dir.path(), &fake)
        .args(["chat", "t", "--model", "m", "-m", "first"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    fake.push_fault(Fault::Reply(
        "one two three four five six seven eight nine ten".into(),
    ));
    let mut cmd = binary(&through, &ns.name, dir.path(), &fake);
    cmd.args(["--request-timeout", "3s", "chat", "t", "-m", "second"]);
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once Claude has the question, the apiserver goes silent: the answer still streams.
    while fake.message_requests().len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the question never came"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    proxy.go_silent();
    let silent_at = Instant::now();
    let out = wait_within(child, Duration::from_secs(60), "chat after the answer");
    let took = silent_at.elapsed();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stdout, "one two three four five six seven eight nine ten\n");
    assert!(
        stderr.contains("within 3s"),
        "the timeout is named: {stderr}"
    );
    assert!(stderr.contains("local journal"), "{stderr}");
    // The answer took ~1 s to stream; then one request timed out (3 s), nothing more.
    assert!(took < Duration::from_secs(12), "journalled after {took:?}");
    let journal: Vec<_> = std::fs::read_dir(dir.path().join("journal"))
        .unwrap()
        .flatten()
        .filter(|f| f.path().extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(journal.len(), 1, "the turn is in the journal");

    // The cluster speaks again: the next turn writes the journalled one back first, once.
    proxy.speak();
    let out = binary(&through, &ns.name, dir.path(), &fake)
        .args(["chat", "t", "-m", "third"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("wrote back 1 turn(s)"), "{stderr}");
    assert_eq!(
        ns.exported("t"),
        [
            "first",
            "You said: first",
            "second",
            "one two three four five six seven eight nine ten",
            "third",
            "You said: third",
        ]
    );
}
