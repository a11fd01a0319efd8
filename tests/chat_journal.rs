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
        common::text_of(&last.body["messages"][1]["content"]),
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

/// Issue #11: in a REPL, a turn answered while the cluster is down stays part of the
/// conversation (its /history shows it at once), is written back as soon as the cluster answers
/// again and before any newer turn, and the stored order is the order the questions were asked,
/// nothing doubled.
#[test]
fn a_repl_keeps_the_order_of_turns_answered_while_the_cluster_was_down() {
    let cp = ControlPlane::start_private();
    cp.mcp_admin().arg("install").assert().success();
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(100),
        ..Config::default()
    })
    .unwrap();
    let cmd = format!(
        "env -u KUBECONFIG ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={KEY} KUBECTL_MCP_STATE_DIR={} {} --kubeconfig {} --request-timeout 5s -n default chat order --model m; echo EXITED $?; sleep 60",
        fake.base_url(),
        state.path().display(),
        assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
        cp.kubeconfig.display(),
    );
    let t = common::tmux::Tmux::new("journal");
    t.session("r", &cmd);
    t.wait_for_in("r", "Ctrl-D exits.");
    t.keys_to("r", &["first question", "Enter"]);
    t.wait_for_in("r", "You said: first question\ndefault/order @ local [~");

    // The cluster goes away while the second answer streams.
    fake.push_fault(Fault::Reply(
        "second answer, streamed while the cluster stopped".into(),
    ));
    let asked = fake.message_requests().len();
    t.keys_to("r", &["second question", "Enter"]);
    let start = Instant::now();
    while fake.message_requests().len() == asked {
        assert!(start.elapsed() < Duration::from_secs(30), "never asked");
        std::thread::sleep(Duration::from_millis(20));
    }
    cp.stop();
    t.wait_for_in("r", "the turn was kept in the local journal");
    // Still part of the conversation on screen.
    t.keys_to("r", &["/history", "Enter"]);
    let screen = t.wait_for_in(
        "r",
        "(kept in the local journal; written back when the cluster answers again)",
    );
    let history = &screen[screen.rfind("/history").unwrap()..];
    let (first, second) = (
        history
            .find("you: first question")
            .expect("first in /history"),
        history
            .find("you: second question")
            .expect("second in /history"),
    );
    assert!(first < second, "{history}");

    // Back: the journalled turn is written back as soon as the cluster answers, before the
    // third is asked.
    cp.restart();
    let back = Instant::now();
    t.wait_for_in("r", "wrote back 1 turn(s) kept in the local journal");
    eprintln!(
        "written back {:?} after the apiserver was ready",
        back.elapsed()
    );
    t.keys_to("r", &["third question", "Enter"]);
    t.wait_for_in("r", "You said: third question");
    let out = cp
        .mcp_admin()
        .args(["-n", "default", "export", "order", "-o", "jsonl"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let contents: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["content"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        contents,
        [
            "first question",
            "You said: first question",
            "second question",
            "second answer, streamed while the cluster stopped",
            "third question",
            "You said: third question"
        ],
        "asked order, each once"
    );
    // The third question was sent with the second turn in its window.
    let last = fake.message_requests().pop().unwrap();
    assert_eq!(
        common::text_of(&last.body["messages"][3]["content"]),
        "second answer, streamed while the cluster stopped"
    );
    t.keys_to("r", &["/history", "Enter"]);
    let screen = t.wait_for_in("r", "claude: You said: third question");
    let history = &screen[screen.rfind("/history").unwrap()..];
    assert!(!history.contains("kept in the local journal;"), "{history}");
    assert_eq!(
        history.matches("you: second question").count(),
        1,
        "{history}"
    );
    t.keys_to("r", &["C-d"]);
    t.wait_for_in("r", "EXITED 0");
    let left: Vec<_> = std::fs::read_dir(state.path().join("journal"))
        .unwrap()
        .flatten()
        .filter(|f| f.path().extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert!(left.is_empty(), "the journal is empty again: {left:?}");
}
