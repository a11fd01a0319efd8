//! The interactive REPL, driven like a person would: the real binary in a terminal (tmux, on a
//! private socket), keys sent with send-keys, the screen read with capture-pane.

mod common;

use std::time::{Duration, Instant};

use kubectl_mcp::model::resource::ClaudeModelContext;

use common::tmux::Tmux;
use common::ControlPlane;
use fake_claude::{Config, FakeClaude};

const KEY: &str = "sk-ant-repl-test";

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

/// The figure in the last `NS/r @ CLUSTER [~N tok]>` prompt on the screen.
fn last_prompt_tokens(screen: &str) -> u64 {
    screen
        .lines()
        .rev()
        .filter_map(|l| {
            l.split_once("/r @ ")?
                .1
                .split_once(" [~")
                .map(|(_, rest)| rest)
        })
        .find_map(|rest| rest.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no prompt on the screen:\n{screen}"))
}

#[test]
fn a_person_chats_cancels_an_answer_and_undoes_a_turn() {
    let ns = ControlPlane::with_crd().namespace("repl");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(150),
        ..Config::default()
    })
    .unwrap();
    let cmd = repl_command(&ns, &fake, state.path(), "r");
    let t = Tmux::new("repl");
    t.session("t", &cmd);
    t.wait_for_in("t", "Ctrl-D exits.");

    // A question: the answer streams onto the screen.
    t.keys_to("t", &["hello there", "Enter"]);
    t.wait_for_in("t", "You said: hello there");
    t.wait_for_in("t", "/r @ local [");

    // What it cost ("m" has no price: counted, not priced).
    t.keys_to("t", &["/cost", "Enter"]);
    t.wait_for_in("t", "this session: 1 calls (0 summarizing)");
    t.wait_for_in("t", "m has no price in the tool's table");
    t.wait_for_in("t", "n/a (1 call(s) to models without a price)");
    // With the cache account and the cheapest settings keeping 3 turns (in tokens: no price).
    t.keys_to("t", &["/cost 3", "Enter"]);
    t.wait_for_in("t", "Settings that keep at least 3 turns");
    t.wait_for_in("t", " tok ");
    t.keys_to("t", &["/cost lots", "Enter"]);
    t.wait_for_in("t", "/cost takes a number of turns to keep");

    // A long answer, cancelled part way: the words so far are shown, the rest never comes.
    t.keys_to(
        "t",
        &[
            "one two three four five six seven eight nine ten eleven twelve thirteen",
            "Enter",
        ],
    );
    let partial = t.wait_for_in("t", "You said: one");
    let full = "You said: one two three four five six seven eight nine ten eleven twelve thirteen";
    assert!(
        !partial.contains(full),
        "streamed, not all at once:\n{partial}"
    );
    t.keys_to("t", &["C-c"]);
    let s = t.wait_for_in("t", "(cancelled: nothing was stored for this question)");
    assert!(!s.contains(full), "{s}");

    // The next question still works.
    t.keys_to("t", &["next question", "Enter"]);
    t.wait_for_in("t", "You said: next question");
    let before = last_prompt_tokens(&t.wait_for_in(
        "t",
        &format!("You said: next question\n{}/r @ local [~", ns.name),
    ));
    t.keys_to("t", &["/window", "Enter"]);
    t.wait_for_in("t", "window: 2 of 2 turns");
    t.keys_to("t", &["/undo", "Enter"]);
    let s = t.wait_for_in(
        "t",
        &format!(
            "removed the last turn (\"next question\"; /restore brings it back)\n{}/r @ local [~",
            ns.name
        ),
    );
    let after = last_prompt_tokens(&s);
    let reasons: Vec<String> = ns.events("r").into_iter().map(|(r, _)| r).collect();
    assert!(reasons.iter().any(|r| r == "Undone"), "{reasons:?}");
    assert!(
        after < before,
        "the prompt's token figure follows /undo: {before} → {after}"
    );
    // Ctrl-C at the prompt clears the line; Ctrl-D exits cleanly.
    t.keys_to("t", &["half typed", "C-c"]);
    t.keys_to("t", &["C-d"]);
    t.wait_for_in("t", "EXITED 0");

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

/// Two people in two terminals on one context: each `/undo` takes back that terminal's own
/// turn, never the other's newer one (which each terminal does see).
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
    let t = Tmux::new("repl2");
    for s in ["a", "b"] {
        t.session(s, &cmd);
        t.wait_for_in(s, "Ctrl-D exits.");
    }
    t.keys_to("a", &["question from A", "Enter"]);
    t.wait_for_in("a", "You said: question from A");
    t.keys_to("b", &["question from B", "Enter"]);
    t.wait_for_in("b", "You said: question from B");
    // A sees B's newer turn, and its /undo still takes back A's own.
    t.wait_for_in("a", "> question from B");
    t.keys_to("a", &["/undo", "Enter"]);
    t.wait_for_in("a", "removed the last turn (\"question from A\"");
    let contents: Vec<String> = ns.contexts()[0]
        .spec
        .context_history
        .iter()
        .map(|m| m.content.clone())
        .collect();
    assert_eq!(contents, ["question from B", "You said: question from B"]);
    // B's /undo takes back its own, the newest.
    t.keys_to("b", &["/undo", "Enter"]);
    t.wait_for_in("b", "removed the last turn (\"question from B\"");
    assert!(ns.contexts()[0].spec.context_history.is_empty());
    for s in ["a", "b"] {
        t.keys_to(s, &["C-d"]);
        t.wait_for_in(s, "EXITED 0");
    }
}

/// The shell command for a REPL with extra environment (`K=V …`).
fn repl_command_with(
    ns: &common::Namespace,
    fake: &FakeClaude,
    state: &std::path::Path,
    session: &str,
    env: &str,
) -> String {
    repl_command(ns, fake, state, session).replacen(
        "env -u KUBECONFIG",
        &format!("env -u KUBECONFIG {env}"),
        1,
    )
}

/// Contents of every stored message of `session`, in order (sealed ones included).
fn transcript(ns: &common::Namespace, session: &str) -> Vec<String> {
    ns.exported(session)
}

fn find(ns: &common::Namespace, session: &str) -> Option<ClaudeModelContext> {
    ns.contexts()
        .into_iter()
        .find(|c| c.spec.session_id == session)
}

/// Issue #11: two REPLs on one context, each in its own terminal with its own state directory
/// (two machines): each shows the other's turns within a second of their being stored; a
/// /clear in one is seen by the other, and `kubectl mcp restore` brings every turn back
/// (sealed ones included); deleting the context under both is reported by both before anything
/// is sent, and nothing is sent after it.
#[test]
fn two_repls_see_each_other_live_and_clear_is_reversible() {
    let ns = ControlPlane::with_crd().namespace("live");
    let (state_a, state_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    // A small live object, so the conversation is partly sealed into segments when cleared.
    let env = "KUBECTL_MCP_LIVE_BYTES=1500";
    let t = Tmux::new("live");
    t.session(
        "a",
        &repl_command_with(&ns, &fake, state_a.path(), "shared", env),
    );
    t.wait_for_in("a", "Ctrl-D exits.");
    t.session(
        "b",
        &repl_command_with(&ns, &fake, state_b.path(), "shared", env),
    );
    t.wait_for_in("b", "Ctrl-D exits.");

    // Each shows the other's turn, naming its writer, within a second of its being stored.
    for (asker, watcher, n) in [("a", "b", 1), ("b", "a", 2), ("a", "b", 3)] {
        let q = format!("question {n} from {asker}");
        t.keys_to(asker, &[&q, "Enter"]);
        let start = Instant::now();
        while transcript(&ns, "shared").last().map(String::as_str)
            != Some(&format!("You said: {q}"))
        {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the turn was never stored"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let stored = Instant::now();
        let screen = t
            .wait_until(watcher, Duration::from_secs(10), |s| {
                s.contains(&format!("> {q}\nYou said: {q}"))
            })
            .unwrap_or_else(|s| panic!("{watcher} never showed {q:?}:\n{s}"));
        let took = stored.elapsed();
        assert!(
            took < Duration::from_secs(1),
            "{watcher} showed the turn {took:?} after it was stored"
        );
        assert!(screen.contains("── turn from "), "{screen}");
        assert!(screen.contains(", repl)"), "the writer is named: {screen}");
    }
    // More turns, so that the oldest are sealed.
    for n in 4..=10 {
        let q = format!("question {n} from a {}", "padding ".repeat(20));
        t.keys_to("a", &[&q, "Enter"]);
        t.wait_for_in("a", &format!("You said: {q}"));
    }
    // (An answer is on the screen a moment before it is stored.)
    let start = Instant::now();
    let before = loop {
        let now = transcript(&ns, "shared");
        if now.len() == 20 || start.elapsed() > Duration::from_secs(30) {
            break now;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(before.len(), 20, "{before:?}");
    let obj = find(&ns, "shared").unwrap();
    assert!(!obj.segments().is_empty(), "part of it is sealed");
    // The author is stored with each question, and shown by get.
    let author = obj
        .spec
        .context_history
        .iter()
        .rev()
        .find(|m| m.author.is_some())
        .unwrap();
    assert_eq!(author.author.as_ref().unwrap().via.as_deref(), Some("repl"));
    ns.mcp()
        .args(["get", "shared"])
        .assert()
        .success()
        .stdout(predicates::str::contains(", repl):"));
    // Both REPLs' /history show every turn, the other's included.
    for s in ["a", "b"] {
        t.keys_to(s, &["/history 50", "Enter"]);
        let screen = t.wait_for_in(s, ": question 10 from a");
        for n in 1..=3 {
            assert!(screen.contains(&format!(": question {n} from")), "{screen}");
        }
    }

    // Settings changed in one are announced in the other (and recorded as Events).
    t.keys_to("a", &["/set --max-tokens 9000 --strategy hybrid", "Enter"]);
    t.wait_for_in("a", "updated: maxTokens, summarizationStrategy");
    t.wait_for_in(
        "b",
        "settings changed elsewhere: maxTokens unset → 9000; summarizationStrategy",
    );
    t.keys_to("b", &["/model m2", "Enter"]);
    t.wait_for_in("a", "settings changed elsewhere: modelName m → m2");
    t.keys_to("a", &["/set --max-tokens lots", "Enter"]);
    t.wait_for_in(
        "a",
        "error: /set: error: invalid value 'lots' for '--max-tokens",
    );
    // Taken back with `none`; a time that expires the context now asks, and no keeps it.
    t.keys_to("a", &["/set --history-size 6", "Enter"]);
    t.wait_for_in("a", "updated: historySize");
    t.keys_to("a", &["/set --history-size none", "Enter"]);
    t.wait_for_in("a", "updated: historySize removed");
    t.keys_to("a", &["/set --expires-in 0", "Enter"]);
    t.wait_for_in("a", "--expires-in 0 expires this context now");
    t.keys_to("a", &["n", "Enter"]);
    t.wait_for_in("a", "nothing changed");
    let obj = find(&ns, "shared").unwrap();
    assert_eq!(obj.spec.history_size, None);
    assert_eq!(obj.spec.expiration_time, None);
    assert_eq!(obj.spec.max_tokens, Some(9000));
    assert_eq!(obj.spec.model_name, "m2");
    let reasons: Vec<String> = ns.events("shared").into_iter().map(|(r, _)| r).collect();
    for r in ["SettingsChanged", "ModelChanged"] {
        assert!(reasons.iter().any(|x| x == r), "{r}: {reasons:?}");
    }

    // /clear in B: A is told; restore brings every turn back, in order.
    t.keys_to("b", &["/clear", "Enter"]);
    t.wait_for_in("b", "[y/N]");
    t.keys_to("b", &["y", "Enter"]);
    t.wait_for_in("b", "the conversation was cleared (10 turns moved aside");
    let screen = t.wait_for_in(
        "a",
        "cleared the conversation (10 turns moved aside); /restore brings them back",
    );
    assert!(
        !screen.contains("another writer removed"),
        "said once: {screen}"
    );
    assert!(transcript(&ns, "shared").is_empty());
    let events = ns.events("shared");
    assert!(events.iter().any(|(r, _)| r == "Cleared"), "{events:?}");
    ns.mcp()
        .args(["restore", "shared"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "restored (10 turn(s) from 1 removal(s)",
        ));
    assert_eq!(transcript(&ns, "shared"), before);
    let obj = find(&ns, "shared").unwrap();
    assert!(obj.removed().is_empty());
    assert_eq!(obj.status.as_ref().unwrap().turn_count, Some(10));
    // B's own turn aside, 9 turns came back at once: one line, not pages.
    t.wait_for_in("b", "9 turns were added at once");
    let reasons: Vec<String> = ns.events("shared").into_iter().map(|(r, _)| r).collect();
    assert!(reasons.iter().any(|r| r == "Restored"), "{reasons:?}");

    // Deleted under both: both say so at once, and nothing more is sent.
    let sent = fake.message_requests().len();
    ns.mcp().args(["delete", "shared"]).assert().success();
    for s in ["a", "b"] {
        t.wait_for_in(s, "context \"shared\" was deleted");
        t.keys_to(s, &["are you there?", "Enter"]);
        t.wait_for_in(s, "not sent: context \"shared\" was deleted");
    }
    assert_eq!(
        fake.message_requests().len(),
        sent,
        "nothing was sent after the deletion"
    );
    assert!(find(&ns, "shared").is_none(), "nothing recreated it");
    for s in ["a", "b"] {
        t.keys_to(s, &["C-d"]);
        t.wait_for_in(s, "EXITED 0");
    }
}

/// Issue #11: 16 processes × 10 scripted turns of realistic size on one context while two
/// REPLs watch it: every turn is stored exactly once, and both REPLs' /history shows all 160
/// without a restart (most of them sealed into segments by then).
#[test]
fn sixteen_writers_while_two_repls_watch() {
    let ns = ControlPlane::with_crd().namespace("watch16");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    ns.mcp()
        .args(["create", "busy", "--model", "m"])
        .assert()
        .success();
    let t = Tmux::new("watch16");
    for s in ["a", "b"] {
        let dir = state.path().join(s);
        std::fs::create_dir_all(&dir).unwrap();
        t.session(s, &repl_command(&ns, &fake, &dir, "busy"));
        t.wait_for_in(s, "Ctrl-D exits.");
    }
    let question = |w: usize, n: usize| {
        format!(
            "writer {w:02} turn {n:02}: {}",
            "a realistic question about a pod that keeps restarting. ".repeat(5)
        )
    };
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"));
            cmd.env_remove("KUBECONFIG")
                .env("ANTHROPIC_BASE_URL", fake.base_url())
                .env("ANTHROPIC_API_KEY", KEY)
                .env("KUBECTL_MCP_STATE_DIR", state.path().join(format!("w{w}")))
                .arg("--kubeconfig")
                .arg(&ns.cp.kubeconfig)
                .args(["-n", &ns.name, "chat", "busy"]);
            for n in 0..10 {
                cmd.args(["-m", &question(w, n)]);
            }
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (w, child) in writers.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer {w}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stored = ns.exported("busy");
    assert_eq!(stored.len(), 320);
    for w in 0..16 {
        for n in 0..10 {
            let q = question(w, n);
            assert_eq!(stored.iter().filter(|m| **m == q).count(), 1, "{q}");
        }
    }
    let obj = ns.contexts().pop().unwrap();
    assert!(!obj.segments().is_empty(), "most turns are sealed");
    assert_eq!(obj.turns(), 160);
    for s in ["a", "b"] {
        // They followed along (one line when many turns land at once).
        let screen = t.screen_of(s);
        assert!(
            screen.contains("── turn from ") || screen.contains("turns were added at once"),
            "{s} showed nothing of the others' turns:\n{screen}"
        );
        t.keys_to(s, &["/history 200", "Enter"]);
        let screen = t
            .wait_until(s, Duration::from_secs(30), |screen| {
                screen.rfind("/history 200").is_some_and(|at| {
                    screen[at..].matches("claude: You said: writer").count() == 160
                })
            })
            .unwrap_or_else(|screen| panic!("{s} never showed all 160 turns:\n{screen}"));
        let history = &screen[screen.rfind("/history 200").unwrap()..];
        for w in 0..16 {
            for n in 0..10 {
                let q = question(w, n);
                assert_eq!(
                    history.matches(&format!(": {}", q.trim_end())).count(),
                    2,
                    "{s}: {q}"
                );
            }
        }
        t.keys_to(s, &["C-d"]);
        t.wait_for_in(s, "EXITED 0");
    }
}

/// The PID of the program a tmux session runs (the shell's child).
fn repl_pid(t: &Tmux, session: &str) -> u32 {
    let shell: u32 = t
        .run(&["display-message", "-p", "-t", session, "#{pane_pid}"])
        .trim()
        .parse()
        .unwrap();
    let children =
        std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap_or_default();
    children
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .find(|c: &u32| {
            std::fs::read_to_string(format!("/proc/{c}/cmdline"))
                .is_ok_and(|l| l.contains("kubectl-mcp"))
        })
        .or_else(|| {
            // `env` execs the program: the shell's child is the program itself.
            children.split_whitespace().next()?.parse().ok()
        })
        .expect("the REPL's process")
}

/// A `/clear` killed after it listed its removal and before it took anything out of the
/// conversation: every turn is still there; `restore` leaves that removal alone (its turns
/// are in the conversation) and deletes no segment the conversation lists; a new /clear and
/// restore then bring back each turn once. The same for `/undo`.
#[test]
fn an_interrupted_clear_or_undo_loses_and_doubles_nothing() {
    let ns = ControlPlane::with_crd().namespace("killclear");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    for n in 0..8 {
        ns.mcp()
            .env("ANTHROPIC_BASE_URL", fake.base_url())
            .env("ANTHROPIC_API_KEY", KEY)
            .env("KUBECTL_MCP_STATE_DIR", state.path())
            .env("KUBECTL_MCP_LIVE_BYTES", "1500")
            .args(["chat", "k", "--model", "m", "-m"])
            .arg(format!("question {n} {}", "padding ".repeat(20)))
            .assert()
            .success();
    }
    let before = transcript(&ns, "k");
    assert_eq!(before.len(), 16);
    let segments = ns.segments().len();
    assert!(segments > 0);
    let t = Tmux::new("killclear");
    // (/undo first: after a restore every turn is sealed, and /undo takes back live turns.)
    for (step, command, keys) in [
        ("undo", "/undo", &[][..]),
        ("clear", "/clear", &["y", "Enter"][..]),
    ] {
        let env = format!("KUBECTL_MCP_LIVE_BYTES=1500 KUBECTL_MCP_FAULT_PAUSE={step}:60000");
        t.session(
            step,
            &repl_command_with(&ns, &fake, state.path(), "k", &env),
        );
        t.wait_for_in(step, "Ctrl-D exits.");
        t.keys_to(step, &[command, "Enter"]);
        if !keys.is_empty() {
            t.wait_for_in(step, "[y/N]");
            t.keys_to(step, keys);
        }
        // Wait for the removal to be listed, then kill the REPL in its pause.
        let start = Instant::now();
        while find(&ns, "k").unwrap().removed().is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{step}: never listed:\n{}",
                t.screen_of(step)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let pid = repl_pid(&t, step);
        std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap();
        t.wait_for_in(step, "EXITED 137");
        assert_eq!(
            transcript(&ns, "k"),
            before,
            "{step}: every turn is still there"
        );
        ns.mcp()
            .args(["restore", "k"])
            .assert()
            .success()
            .stderr(predicates::str::contains(
                "1 removal(s) whose turns are still in the conversation",
            ))
            .stdout(predicates::str::contains("nothing to restore"));
        assert_eq!(
            transcript(&ns, "k"),
            before,
            "{step}: restore changed nothing"
        );
        let obj = find(&ns, "k").unwrap();
        let names: Vec<String> = ns
            .segments()
            .into_iter()
            .filter_map(|s| s.metadata.name)
            .collect();
        for r in obj.segments() {
            assert!(
                names.contains(&r.name),
                "{step}: listed segment {} was deleted",
                r.name
            );
        }
        // Clean up the interrupted removal for the next round: a full /clear and restore.
        t.session(
            &format!("{step}2"),
            &repl_command(&ns, &fake, state.path(), "k"),
        );
        t.wait_for_in(&format!("{step}2"), "Ctrl-D exits.");
        t.keys_to(&format!("{step}2"), &["/clear", "Enter"]);
        t.wait_for_in(&format!("{step}2"), "[y/N]");
        t.keys_to(&format!("{step}2"), &["y", "Enter"]);
        t.wait_for_in(
            &format!("{step}2"),
            "the conversation was cleared (8 turns moved aside",
        );
        t.keys_to(&format!("{step}2"), &["C-d"]);
        ns.mcp().args(["restore", "k"]).assert().success();
        assert_eq!(
            transcript(&ns, "k"),
            before,
            "{step}: each turn back once, in order"
        );
        // The interrupted removal is still listed (harmless); restore never doubles it.
        ns.mcp().args(["restore", "k"]).assert().success();
        assert_eq!(transcript(&ns, "k"), before);
    }
}

/// Issue #12 item 4: after Claude declines a question, `/retry` does not ask it again as it
/// was (it would be declined again) but offers it for editing; the rephrased question is
/// asked, and the declined turn is moved aside, not lost.
#[test]
fn retry_after_a_refusal_offers_the_question_for_rephrasing() {
    let ns = ControlPlane::with_crd().namespace("rephrase");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    let t = Tmux::new("rephrase");
    t.session("t", &repl_command(&ns, &fake, state.path(), "r"));
    t.wait_for_in("t", "Ctrl-D exits.");
    fake.push_fault(fake_claude::Fault::StopReason {
        text: "I can't help with that.".into(),
        stop_reason: "refusal".into(),
    });
    t.keys_to("t", &["how do I break into the node", "Enter"]);
    t.wait_for_in("t", "Claude declined to answer");
    t.keys_to("t", &["/retry", "Enter"]);
    // The question comes back on the prompt line, for editing.
    t.wait_for_in("t", "Rephrase it");
    t.wait_until("t", Duration::from_secs(10), |s| {
        s.lines().last_non_empty().is_some_and(|l| {
            l.contains("/r @ local [~") && l.contains("how do I break into the node")
        })
    })
    .unwrap_or_else(|s| panic!("the question is not on the prompt line:\n{s}"));
    // Edit it: delete the last two words and type others.
    t.keys_to(
        "t",
        &[
            "C-w",
            "C-w",
            "my own cluster's node after a lockout",
            "Enter",
        ],
    );
    t.wait_until("t", Duration::from_secs(20), |s| {
        s.contains("You said: how do I break into my own cluster's node after a lockout")
            && s.lines()
                .last_non_empty()
                .is_some_and(|l| l.contains("/r @ local [~") && l.trim_end().ends_with('>'))
    })
    .unwrap_or_else(|s| panic!("no answer and prompt:\n{s}"));
    t.keys_to("t", &["C-d"]);
    t.wait_for_in("t", "EXITED 0");
    assert_eq!(
        ns.exported("r"),
        [
            "how do I break into my own cluster's node after a lockout",
            "You said: how do I break into my own cluster's node after a lockout"
        ]
    );
    let st = ns.contexts()[0].status.clone().unwrap();
    assert_eq!(st.removed.len(), 1, "the declined turn is kept aside");
    assert_eq!(st.removed[0].how, "retry");
}

trait LastNonEmpty<'a> {
    fn last_non_empty(self) -> Option<&'a str>;
}

impl<'a, I: DoubleEndedIterator<Item = &'a str>> LastNonEmpty<'a> for I {
    fn last_non_empty(mut self) -> Option<&'a str> {
        self.rfind(|l| !l.trim().is_empty())
    }
}

/// Issue #14 item 1: scripted answers to several `-m` on a terminal are set apart by a blank
/// line (piped, they stay one per line: `tests/chat.rs` checks that exactly).
#[test]
fn scripted_answers_on_a_terminal_are_set_apart() {
    let ns = ControlPlane::with_crd().namespace("separate");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    let t = Tmux::new("separate");
    t.session(
        "t",
        &format!(
            "env -u KUBECONFIG ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={KEY} KUBECTL_MCP_STATE_DIR={} {} --kubeconfig {} -n {} chat s --model m -m first -m second; echo EXITED $?; sleep 60",
            fake.base_url(),
            state.path().display(),
            assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
            ns.cp.kubeconfig.display(),
            ns.name
        ),
    );
    let screen = t.wait_for_in("t", "EXITED 0");
    assert!(
        screen.contains("You said: first\n\nYou said: second\n"),
        "{screen}"
    );
}

/// Issue #14 item 7: `batch` on a terminal keeps one live bar on stderr (done, failed,
/// elapsed, ETA) below the results, leaves none of its states in the scrollback, and ends with
/// a summary line.
#[test]
fn batch_on_a_terminal_keeps_one_live_bar_and_ends_with_a_summary() {
    let ns = ControlPlane::with_crd().namespace("batchbar");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(40),
        ..Config::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = (0..40)
        .map(|i| {
            serde_json::json!({"session": format!("s{}", i % 4), "message": format!("question number {i} about pods"), "model": "m"})
                .to_string()
        })
        .collect();
    lines.insert(7, "{not json".into());
    lines.insert(20, r#"{"session": "s1"}"#.into());
    let file = dir.path().join("turns.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let cmd = format!(
        "env -u KUBECONFIG ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={KEY} KUBECTL_MCP_STATE_DIR={} {} --kubeconfig {} -n {} batch -f {} --concurrency 2; echo EXITED $?; sleep 60",
        fake.base_url(),
        state.path().display(),
        assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
        ns.cp.kubeconfig.display(),
        ns.name,
        file.display()
    );
    let t = Tmux::new("batchbar");
    t.session("b", &cmd);
    let is_bar = |l: &str| l.contains(" lines · ") && l.contains("ETA");
    // While it runs: exactly one bar, below the results printed so far, counting failures.
    let mid = t
        .wait_until("b", Duration::from_secs(60), |s| {
            s.lines().any(is_bar) && s.contains("2 failed") && s.contains(r#""line":"#)
        })
        .unwrap_or_else(|s| panic!("never saw the bar with both failures:\n{s}"));
    assert_eq!(mid.lines().filter(|l| is_bar(l)).count(), 1, "{mid}");
    let screen: Vec<&str> = mid.lines().collect();
    let last_result = screen.iter().rposition(|l| l.starts_with('{')).unwrap();
    let bar_at = screen.iter().position(|l| is_bar(l)).unwrap();
    assert!(
        bar_at > last_result,
        "the bar is not below the results:\n{mid}"
    );
    assert!(mid.contains("elapsed"), "{mid}");

    // At the end: every result once, no bar left anywhere in the scrollback, one summary.
    let end = t.wait_for_in("b", "EXITED");
    assert!(end.contains("EXITED 1"), "{end}");
    assert_eq!(end.lines().filter(|l| is_bar(l)).count(), 0, "{end}");
    assert_eq!(
        end.lines().filter(|l| l.starts_with(r#"{"line":"#)).count(),
        42,
        "{end}"
    );
    let summary: Vec<&str> = end.lines().filter(|l| l.starts_with("batch: ")).collect();
    assert_eq!(summary.len(), 1, "{end}");
    assert!(
        summary[0].starts_with("batch: 42 lines, 40 done, 2 failed in "),
        "{end}"
    );
    assert!(end.contains("2 of 42 lines failed"), "{end}");
}

/// Issue #14 item 2: answers are rendered as Markdown on a terminal (as they stream), and
/// printed as they are when piped, with NO_COLOR, or with --raw. The fake echoes the question,
/// so the question carries the Markdown.
#[test]
fn answers_are_rendered_as_markdown_on_a_terminal_only() {
    let ns = ControlPlane::with_crd().namespace("markdown");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(5),
        ..Config::default()
    })
    .unwrap();
    let question =
        "x\n# Draining\n- cordon first\n**bold** and `code`\n```rust\nfn main() {}\n```\nend";
    let dir = tempfile::tempdir().unwrap();
    let qfile = dir.path().join("q.md");
    std::fs::write(&qfile, question).unwrap();
    let run = |name: &str, env: &str, extra: &str| -> String {
        let cmd = format!(
            "env -u KUBECONFIG -u NO_COLOR {env} TERM=xterm-256color ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={KEY} KUBECTL_MCP_STATE_DIR={} {} --kubeconfig {} -n {} chat {name} --model m -f {} {extra}; echo EXITED $?; sleep 60",
            fake.base_url(),
            state.path().display(),
            assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
            ns.cp.kubeconfig.display(),
            ns.name,
            qfile.display(),
        );
        let t = Tmux::new(&format!("md-{name}"));
        t.session("m", &cmd);
        let screen = t.wait_for_in("m", "EXITED");
        assert!(screen.contains("EXITED 0"), "{screen}");
        screen
    };
    // On a terminal: headings without their #, bullets, no emphasis markers; code kept.
    let rendered = run("rendered", "", "");
    for line in [
        "Draining",
        "• cordon first",
        "bold and code",
        "fn main() {}",
        "end",
    ] {
        assert!(
            rendered.lines().any(|l| l.trim_end() == line),
            "{line:?} not on the screen:\n{rendered}"
        );
    }
    assert!(
        !rendered.contains("**bold**") && !rendered.contains("# Draining"),
        "{rendered}"
    );
    // NO_COLOR and --raw: the Markdown as it is.
    for (name, env, extra) in [("nocolor", "NO_COLOR=1", ""), ("raw", "", "--raw")] {
        let screen = run(name, env, extra);
        for line in ["# Draining", "- cordon first", "**bold** and `code`"] {
            assert!(
                screen.lines().any(|l| l.trim_end() == line),
                "{name}: {line:?} not on the screen:\n{screen}"
            );
        }
    }
    // Piped: byte for byte what Claude said.
    let out = ns
        .mcp()
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("TERM", "xterm-256color")
        .args(["chat", "piped", "--model", "m", "-f"])
        .arg(&qfile)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("You said: {question}\n")
    );
}

/// Issue #14 item 1: keys typed while an answer streams are not echoed into it and wait for the
/// next prompt; lines pasted without bracketed paste are all kept; Ctrl-D inside a `"""` block
/// sends the block.
#[test]
fn typing_ahead_pasting_and_ctrl_d_in_a_block_lose_nothing() {
    let ns = ControlPlane::with_crd().namespace("typeahead");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        delta_delay: Duration::from_millis(200),
        ..Config::default()
    })
    .unwrap();
    let t = Tmux::new("typeahead");
    t.session("t", &repl_command(&ns, &fake, state.path(), "ta"));
    t.wait_for_in("t", "Ctrl-D exits.");

    // Typed while the answer streams: not in the answer, on the next prompt line instead.
    let q = "tell me about pods and services please";
    t.keys_to("t", &[q, "Enter"]);
    t.wait_for_in("t", "You said: tell");
    t.keys_to("t", &["-l", "next question typed early"]);
    let screen = t.wait_for_in("t", &format!("You said: {q}"));
    let screen = t
        .wait_until("t", Duration::from_secs(30), |s| {
            s.lines()
                .any(|l| l.contains("/ta @ local [~") && l.ends_with("next question typed early"))
        })
        .unwrap_or_else(|s| {
            panic!("the typed-ahead text is not on the prompt line:\n{s}\n(before: {screen})")
        });
    let answer: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("You said: tell"))
        .collect();
    assert_eq!(answer, [format!("You said: {q}")], "{screen}");
    t.keys_to("t", &["Enter"]);
    t.wait_for_in("t", "You said: next question typed early");

    // Three lines arriving at once, as a paste without bracketed paste: three turns.
    t.keys_to(
        "t",
        &[
            "pasted one",
            "Enter",
            "pasted two",
            "Enter",
            "pasted three",
            "Enter",
        ],
    );
    t.wait_for_in("t", "You said: pasted three");
    let stored = transcript(&ns, "ta");
    for q in ["pasted one", "pasted two", "pasted three"] {
        assert!(stored.contains(&q.to_string()), "{q} was lost: {stored:?}");
    }

    // Ctrl-D in a block ends the block: it is sent, and the REPL goes on.
    t.keys_to(
        "t",
        &[
            "\"\"\"",
            "Enter",
            "block line one",
            "Enter",
            "block line two",
            "Enter",
        ],
    );
    t.keys_to("t", &["C-d"]);
    t.wait_for_in("t", "You said: block line one");
    t.keys_to("t", &["after the block", "Enter"]);
    t.wait_for_in("t", "You said: after the block");
    assert!(transcript(&ns, "ta").contains(&"block line one\nblock line two".to_string()));
    assert!(!t.screen_of("t").contains("EXITED"));
}

/// Issue #14 item 1: /summarize shows the same spinner as a turn, Ctrl-C cancels it, and a
/// cancelled spinner leaves nothing on the screen (nor does one cancelled before the first
/// token of an answer).
#[test]
fn long_steps_spin_and_cancel_cleanly() {
    let ns = ControlPlane::with_crd().namespace("spin");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        latency: Duration::from_millis(2500),
        ..Config::default()
    })
    .unwrap();
    let t = Tmux::new("spin");
    t.session("s", &repl_command(&ns, &fake, state.path(), "sp"));
    t.wait_for_in("s", "Ctrl-D exits.");
    for q in ["one", "two", "three"] {
        t.keys_to("s", &[q, "Enter"]);
        t.wait_for_in("s", &format!("You said: {q}"));
    }
    // A turn cancelled before its first token: the spinner goes, nothing is stored.
    t.keys_to("s", &["four", "Enter"]);
    t.wait_for_in("s", "waiting for Claude");
    t.keys_to("s", &["C-c"]);
    let screen = t.wait_for_in("s", "cancelled: nothing was stored");
    assert!(!screen.contains("waiting for Claude"), "{screen}");
    assert!(!screen.contains("^C"), "{screen}");
    // /summarize spins; Ctrl-C cancels it and erases the spinner; nothing is folded.
    t.keys_to("s", &["/summarize", "Enter"]);
    t.wait_for_in("s", "summarizing older turns");
    t.keys_to("s", &["C-c"]);
    let screen = t.wait_for_in("s", "summarizing was cancelled");
    assert!(!screen.contains("summarizing older turns"), "{screen}");
    let o = find(&ns, "sp").unwrap();
    assert_eq!(o.turns(), 3);
    assert!(o.status.unwrap().summary.is_none());
    // The REPL goes on.
    t.keys_to("s", &["five", "Enter"]);
    t.wait_for_in("s", "You said: five");
}

/// Issue #14 item 3: /file and /run attach text to the next message (shown first; /run only
/// after a yes), and /copy hands the last answer to a clipboard tool.
#[test]
fn file_run_and_copy() {
    let ns = ControlPlane::with_crd().namespace("attach");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "line A\nline B\n").unwrap();
    let binary = dir.path().join("data.bin");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    // A clipboard tool that keeps what it is given.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let clip = dir.path().join("clipboard");
    std::fs::write(
        bin.join("xclip"),
        format!("#!/bin/sh\ncat > '{}'\n", clip.display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("xclip"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    let never = dir.path().join("never-created");
    let env = format!("PATH={}:$PATH", bin.display());
    let t = Tmux::new("attach");
    t.session(
        "a",
        &repl_command_with(&ns, &fake, state.path(), "at", &env),
    );
    t.wait_for_in("a", "Ctrl-D exits.");

    t.keys_to("a", &[&format!("/file {}", notes.display()), "Enter"]);
    t.wait_for_in("a", "2 lines");
    t.wait_for_in("a", "line A");
    t.keys_to("a", &[&format!("/file {}", binary.display()), "Enter"]);
    t.wait_for_in("a", "is not UTF-8 text; nothing was attached");
    // Endless input is refused without being read whole: a file, and a command's output.
    t.keys_to("a", &["/file /dev/zero", "Enter"]);
    t.wait_for_in("a", "/dev/zero is larger than the 256 KiB");
    t.keys_to("a", &["/run yes", "Enter"]);
    t.wait_for_in("a", "Run `yes` and attach");
    t.keys_to("a", &["y", "Enter"]);
    t.wait_for_in("a", "the output of yes is larger than the 256 KiB");
    t.keys_to("a", &["/run echo hello-from-run", "Enter"]);
    t.wait_for_in("a", "Run `echo hello-from-run` and attach its output");
    t.keys_to("a", &["y", "Enter"]);
    t.wait_for_in("a", "attached the output of `echo hello-from-run`");
    t.keys_to("a", &[&format!("/run touch {}", never.display()), "Enter"]);
    t.wait_for_in("a", "and attach its output to your next message? [y/N]");
    t.keys_to("a", &["n", "Enter"]);
    t.wait_for_in("a", "not run");
    t.keys_to("a", &["what are these?", "Enter"]);
    let start = Instant::now();
    let stored = loop {
        let stored = transcript(&ns, "at");
        if stored.len() >= 2 {
            break stored;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the turn was never stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let question = &stored[0];
    assert!(
        question.starts_with("```\nline A\nline B\n```\n\n```\n$ echo hello-from-run\nhello-from-run\n```\n\nwhat are these?"),
        "{question:?}"
    );
    assert!(!never.exists(), "a declined /run ran");
    // Sent once: the next question goes alone.
    t.keys_to("a", &["and now?", "Enter"]);
    t.wait_for_in("a", "You said: and now?");
    assert_eq!(transcript(&ns, "at")[2], "and now?");
    t.keys_to("a", &["/copy", "Enter"]);
    t.wait_for_in("a", "copied the last answer");
    assert_eq!(
        std::fs::read_to_string(&clip).unwrap(),
        "You said: and now?"
    );
}

/// The figures of a window line: (turns sent, first message sent, tokens before the next
/// message), from `get`'s "Window: A of B turns (messages C..D), about E tokens …" or the
/// REPL's "window: A of B turns (from message C), about E tokens …".
fn window_figures(text: &str, prefix: &str) -> (u64, u64, u64) {
    let line = text
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{text}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    // get: A, B, C, D, E; the REPL: A, B, C, E.
    (numbers[0], numbers[2], *numbers.last().unwrap())
}

/// Done when (issue #23): `kubectl mcp get` and `/window` show the same window for every
/// strategy and budget: the prompt budget when `maxTokens` is unset, the whole model window
/// under `server` (where `maxTokens` is the compaction trigger), a small budget that leaves
/// turns out, and `historySize`.
#[test]
fn get_and_slash_window_show_the_same_window_for_every_strategy_and_budget() {
    let ns = ControlPlane::with_crd().namespace("samewin");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    let cases: [(&str, &[&str]); 5] = [
        ("unset", &["--strategy", "truncate"]),
        // Switched to `server` after the conversation grew past the trigger (set below).
        ("server", &["--strategy", "truncate"]),
        ("budget", &["--strategy", "truncate", "--max-tokens", "300"]),
        ("history", &["--strategy", "hybrid", "--history-size", "2"]),
        (
            "summary",
            &["--strategy", "summarize_oldest", "--max-tokens", "100000"],
        ),
    ];
    let t = Tmux::new("samewin");
    for (name, flags) in cases {
        for n in 0..6 {
            let mut chat = ns.mcp();
            chat.env("ANTHROPIC_BASE_URL", fake.base_url())
                .env("ANTHROPIC_API_KEY", KEY)
                .env("KUBECTL_MCP_STATE_DIR", state.path())
                // Every turn stays in the live object (the window preview reads it alone).
                .env("KUBECTL_MCP_LIVE_BYTES", "1MiB")
                .args(["chat", name, "--model", "claude-sonnet-4-6", "-m"])
                // Under `server` the conversation passes `maxTokens` (the compaction trigger,
                // not a window budget): a window cut to it would leave turns out.
                .arg(format!(
                    "question {n} {}",
                    "words of a question ".repeat(if name == "server" { 1800 } else { 8 })
                ));
            if n == 0 {
                chat.args(flags);
            }
            chat.assert().success();
        }
        if name == "server" {
            ns.mcp()
                .args(["set", name, "--strategy", "server", "--max-tokens", "50000"])
                .assert()
                .success();
        }
        let out = ns.mcp().args(["get", name]).output().unwrap();
        assert!(out.status.success());
        let get = String::from_utf8_lossy(&out.stdout).to_string();
        let from_get = window_figures(&get, "Window:");
        let repl = repl_command_with(
            &ns,
            &fake,
            state.path(),
            name,
            "KUBECTL_MCP_LIVE_BYTES=1MiB",
        )
        .replace("--model m;", "--model claude-sonnet-4-6;");
        t.session(name, &repl);
        t.wait_for_in(name, "Ctrl-D exits.");
        t.keys_to(name, &["/window", "Enter"]);
        let screen = t.wait_for_in(name, "before your next message");
        let from_repl = window_figures(&screen, "window:");
        assert_eq!(
            from_get, from_repl,
            "{name}: get shows {from_get:?}, /window {from_repl:?}\n{get}\n{screen}"
        );
        if name == "budget" || name == "history" {
            assert!(from_get.0 < 6, "{name}: turns were left out: {get}");
        }
        if name == "server" {
            // `maxTokens` is the compaction trigger there, not a window budget.
            assert_eq!(from_get.0, 6, "server: every turn is in the window: {get}");
        }
        t.keys_to(name, &["C-d"]);
        t.wait_for_in(name, "EXITED 0");
    }
}

/// Issue #24 item 5: one window everywhere. With sealed turns in the window (a 60-turn
/// conversation sealed down to a small live object, no budget), and again after `/clear` and
/// `restore` (the turns then come back from the segments they were moved aside into), `get`,
/// `/window` and the prompt show the window the next request carries: its turns, where it
/// starts, and its estimate less the new message.
#[test]
fn every_view_of_the_window_is_the_next_request_with_sealed_and_restored_turns() {
    let ns = ControlPlane::with_crd().namespace("onewin");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    common::conversation::mostly_sealed("long", 60).grow(common::process(
        &ns,
        &fake,
        KEY,
        state.path(),
    ));
    let t = Tmux::new("onewin");
    let sealed = views_are_the_next_request(&ns, &fake, &t, state.path(), "sealed");
    assert!(sealed > 0, "the window reached sealed turns");

    // /clear, then restore: the turns come back from the segments they were moved aside into.
    let repl = repl_command_with(
        &ns,
        &fake,
        state.path(),
        "long",
        "KUBECTL_MCP_LIVE_BYTES=8KiB",
    )
    .replace("--model m;", "--model claude-sonnet-4-6;");
    t.session("clear", &repl);
    t.wait_for_in("clear", "Ctrl-D exits.");
    t.keys_to("clear", &["/clear", "Enter"]);
    t.wait_for_in("clear", "[y/N]");
    t.keys_to("clear", &["y", "Enter"]);
    t.wait_for_in("clear", "the conversation was cleared");
    t.keys_to("clear", &["C-d"]);
    t.wait_for_in("clear", "EXITED 0");
    ns.mcp()
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .args(["restore", "long"])
        .assert()
        .success();
    let restored = views_are_the_next_request(&ns, &fake, &t, state.path(), "restored");
    assert!(restored > 0, "the window reached restored turns");
}

/// `get`, `/window` and the prompt against the next request of `long`; returns how many turns
/// of the window are outside the live object (sealed or restored ones).
fn views_are_the_next_request(
    ns: &common::Namespace,
    fake: &FakeClaude,
    t: &Tmux,
    state: &std::path::Path,
    round: &str,
) -> u64 {
    let out = ns
        .mcp()
        .env("KUBECTL_MCP_STATE_DIR", state)
        .args(["get", "long"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let get = String::from_utf8_lossy(&out.stdout).to_string();
    let from_get = window_figures(&get, "Window:");
    let repl = repl_command_with(ns, fake, state, "long", "KUBECTL_MCP_LIVE_BYTES=8KiB")
        .replace("--model m;", "--model claude-sonnet-4-6;");
    t.session(round, &repl);
    t.wait_for_in(round, "Ctrl-D exits.");
    t.keys_to(round, &["/window", "Enter"]);
    let screen = t.wait_for_in(round, "before your next message");
    let from_repl = window_figures(&screen, "window:");
    assert_eq!(from_get, from_repl, "{round}: get {get}\n/window {screen}");
    let (turns, _, before) = from_get;
    assert!(
        screen.contains(&format!("[~{before} tok]>")),
        "{round}: the prompt shows {before}: {screen}"
    );
    t.keys_to(round, &["C-d"]);
    t.wait_for_in(round, "EXITED 0");

    let question = "and what should I check next?";
    let out = common::process(ns, fake, KEY, state)
        .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
        .args(["chat", "long", "-m", question, "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sent = &v[0]["window"];
    assert_eq!(sent["turns_sent"], turns, "{round}: {v}\n{get}");
    let request = fake.message_requests().pop().unwrap();
    let messages = request.body["messages"].as_array().unwrap().len() as u64;
    assert_eq!(messages, 2 * turns + 1, "{round}");
    let m = u64::from(kubectl_mcp::engine::tokens::message_tokens(question));
    let estimate = sent["estimated_tokens"].as_u64().unwrap();
    assert!(
        estimate.abs_diff(before + m) <= m / 4 + 2,
        "{round}: the request's estimate {estimate}, the views' {before} + {m}"
    );
    let obj = find(ns, "long").unwrap();
    let live = kubectl_mcp::model::resource::count_turns(obj.live_history()) as u64;
    turns.saturating_sub(live)
}

/// Issue #25 item 5 (the REPL says where you are): the banner and the prompt name
/// `namespace/session @ cluster`, the prompt counts waiting attachments, `/history` shows
/// answers rendered as they streamed, a lone `exit`/`quit` leaves and `help`/`clear` ask whether
/// the command was meant (nothing of it stored unasked), and a second Ctrl-C says how to leave.
#[test]
fn the_repl_says_where_it_is_and_takes_lone_command_words_as_commands() {
    let ns = ControlPlane::with_crd().namespace("where");
    let state = tempfile::tempdir().unwrap();
    let fake = FakeClaude::start_in_background(Config {
        api_key: Some(KEY.into()),
        ..Config::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "line A\n").unwrap();
    let t = Tmux::new("where");
    let place = format!("{}/w @ local", ns.name);
    let start = |pane: &str| {
        t.session(
            pane,
            &repl_command_with(
                &ns,
                &fake,
                state.path(),
                "w",
                "-u NO_COLOR TERM=xterm-256color",
            ),
        );
        t.wait_for_in(pane, "Ctrl-D exits.")
    };
    start("a");
    let screen = t.wait_for_in("a", &format!("{place} [~"));
    assert!(
        screen.contains(&format!("Chatting in {place} (model m, 0 turns stored)")),
        "{screen}"
    );

    // An answer in Markdown, then /history: rendered as it was shown.
    t.keys_to("a", &["**bold** move", "Enter"]);
    t.wait_for_in("a", "You said: bold move");
    t.keys_to("a", &["/history", "Enter"]);
    let screen = t.wait_for_in("a", "claude: You said: bold move");
    let after = &screen[screen.rfind("/history").unwrap()..];
    assert!(after.contains("claude: You said: bold move"), "{after}");
    assert!(!after.contains("You said: **bold**"), "{after}");

    // help alone: asked, Enter runs /help; clear alone: n sends the word.
    t.keys_to("a", &["help", "Enter"]);
    t.wait_for_in("a", "Did you mean /help? [Y/n]");
    t.keys_to("a", &["Enter"]);
    t.wait_for_in("a", "/history [N]");
    t.keys_to("a", &["clear", "Enter"]);
    t.wait_for_in("a", "Did you mean /clear? [Y/n]");
    t.keys_to("a", &["n", "Enter"]);
    t.wait_for_in("a", "You said: clear");

    // Attachments waiting are in the prompt.
    t.keys_to("a", &[&format!("/file {}", notes.display()), "Enter"]);
    t.wait_for_in("a", "tok, +1 attached]>");

    // Ctrl-C twice: how to leave.
    t.keys_to("a", &["C-c"]);
    t.keys_to("a", &["C-c"]);
    t.wait_for_in("a", "(Ctrl-D or /exit leaves; Ctrl-C clears the line)");

    // exit alone leaves; quit too.
    t.keys_to("a", &["exit", "Enter"]);
    t.wait_for_in("a", "EXITED 0");
    start("b");
    t.keys_to("b", &["  QUIT ", "Enter"]);
    t.wait_for_in("b", "EXITED 0");
    let stored = transcript(&ns, "w");
    assert_eq!(
        stored,
        [
            "**bold** move",
            "You said: **bold** move",
            "clear",
            "You said: clear"
        ],
        "only what was meant for Claude"
    );
}
