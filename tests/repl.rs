//! The interactive REPL, driven like a person would: the real binary in a terminal (tmux, on a
//! private socket), keys sent with send-keys, the screen read with capture-pane.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::ControlPlane;
use fake_claude::{Config, FakeClaude};

const KEY: &str = "sk-ant-repl-test";

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn keys(&self, keys: &[&str]) {
        self.keys_to("t", keys)
    }
    fn keys_to(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend_from_slice(keys);
        self.run(&args);
    }
    fn screen_of(&self, target: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", target, "-S", "-200"])
    }
    fn wait_for(&self, what: &str) -> String {
        self.wait_for_in("t", what)
    }
    fn wait_for_in(&self, target: &str, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen_of(target);
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never saw {what:?} on the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// The shell command a tmux pane runs: the REPL on `session`, then `EXITED <code>`.
fn repl_command(
    ns: &common::Namespace,
    fake: &FakeClaude,
    state: &std::path::Path,
    session: &str,
) -> String {
    format!(
        "env -u KUBECONFIG ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={KEY} KUBECTL_MCP_STATE_DIR={} {} --kubeconfig {} -n {} chat {session} --model m; echo EXITED $?; sleep 60",
        fake.base_url(),
        state.display(),
        assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
        ns.cp.kubeconfig.display(),
        ns.name
    )
}

/// The figure in the last `r [~N tok]>` prompt on the screen.
fn last_prompt_tokens(screen: &str) -> u64 {
    screen
        .lines()
        .rev()
        .filter_map(|l| l.strip_prefix("r [~"))
        .find_map(|rest| rest.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no prompt on the screen:\n{screen}"))
}

#[test]
fn a_person_chats_cancels_an_answer_and_undoes_a_turn() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is needed for the REPL test (apt-get install tmux; .ci/run installs it)");
    }
    let ns = ControlPlane::with_crd().namespace("repl");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(150),
        ..Config::default()
    })
    .unwrap();
    let cmd = repl_command(&ns, &fake, state.path(), "r");
    let t = Tmux {
        socket: format!("kmcp-test-{}", std::process::id()),
    };
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "200",
        "-y",
        "60",
        &cmd,
    ]);
    t.wait_for("Ctrl-D exits.");

    // A question: the answer streams onto the screen.
    t.keys(&["hello there", "Enter"]);
    t.wait_for("You said: hello there");
    t.wait_for("r [");

    // A long answer, cancelled part way: the words so far are shown, the rest never comes.
    t.keys(&[
        "one two three four five six seven eight nine ten eleven twelve thirteen",
        "Enter",
    ]);
    let partial = t.wait_for("You said: one");
    let full = "You said: one two three four five six seven eight nine ten eleven twelve thirteen";
    assert!(
        !partial.contains(full),
        "streamed, not all at once:\n{partial}"
    );
    t.keys(&["C-c"]);
    let s = t.wait_for("(cancelled: nothing was stored for this question)");
    assert!(!s.contains(full), "{s}");

    // The next question still works.
    t.keys(&["next question", "Enter"]);
    t.wait_for("You said: next question");
    let before = last_prompt_tokens(&t.wait_for("You said: next question\nr [~"));
    t.keys(&["/window", "Enter"]);
    t.wait_for("window: 2 of 2 turns");
    t.keys(&["/undo", "Enter"]);
    let s = t.wait_for("removed the last turn (\"next question\"; /restore brings it back)\nr [~");
    let after = last_prompt_tokens(&s);
    assert!(
        after < before,
        "the prompt's token figure follows /undo: {before} → {after}"
    );
    // Ctrl-C at the prompt clears the line; Ctrl-D exits cleanly.
    t.keys(&["half typed", "C-c"]);
    t.keys(&["C-d"]);
    t.wait_for("EXITED 0");

    let h = &ns.contexts()[0].spec.context_history;
    let contents: Vec<_> = h.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(
        contents,
        ["hello there", "You said: hello there"],
        "the cancelled answer and the undone turn are not stored"
    );
    assert_eq!(
        fake.disconnects(),
        1,
        "the cancelled request's connection was closed"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state.path().join("history"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the line history is private");
    }
}

/// Two people in two terminals on one context: each `/undo` takes back the turn that terminal
/// showed, never the other's newer one.
#[test]
fn two_repls_undo_only_their_own_turns() {
    let ns = ControlPlane::with_crd().namespace("repl2");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    let cmd = repl_command(&ns, &fake, state.path(), "shared");
    let t = Tmux {
        socket: format!("kmcp-test2-{}", std::process::id()),
    };
    for s in ["a", "b"] {
        t.run(&["new-session", "-d", "-s", s, "-x", "200", "-y", "60", &cmd]);
        t.wait_for_in(s, "Ctrl-D exits.");
    }
    t.keys_to("a", &["question from A", "Enter"]);
    t.wait_for_in("a", "You said: question from A");
    t.keys_to("b", &["question from B", "Enter"]);
    t.wait_for_in("b", "You said: question from B");
    // A has not seen B's turn: its /undo takes back A's own.
    t.keys_to("a", &["/undo", "Enter"]);
    t.wait_for_in("a", "removed the last turn (\"question from A\"");
    let contents: Vec<String> = ns.contexts()[0]
        .spec
        .context_history
        .iter()
        .map(|m| m.content.clone())
        .collect();
    assert_eq!(contents, ["question from B", "You said: question from B"]);
    // B has seen both; its /undo takes back its own, the newest.
    t.keys_to("b", &["/undo", "Enter"]);
    t.wait_for_in("b", "removed the last turn (\"question from B\"");
    assert!(ns.contexts()[0].spec.context_history.is_empty());
    for s in ["a", "b"] {
        t.keys_to(s, &["C-d"]);
        t.wait_for_in(s, "EXITED 0");
    }
}
