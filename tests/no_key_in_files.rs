//! Issue #22, item 5: no key in any file the tool writes. The tool's key is piped into a chat,
//! typed and pasted at the REPL, sent as MCP tool arguments, and held in the journal, all at
//! `-vvv`; then every file under the state directory and HOME, and every log, is scanned for it.
//! A detected secret (a GitHub token) typed at the REPL stays out of the line history and the
//! logs too.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::proxy::SilentProxy;
use common::tmux::Tmux;
use common::ControlPlane;
use fake_claude::FakeClaude;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;

/// The tool's own key: in no known key format, so only knowing it can mask it.
const KEY: &str = "kmcp-filescan-7f3a9c1e5b2d";
/// A secret of a known format (a GitHub token), typed by the user.
const GH: &str = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";

/// Every file under `dirs`, recursively.
fn files_under(dirs: &[&Path]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The files under `dirs` that hold `secret`.
fn holding(dirs: &[&Path], secret: &str) -> Vec<PathBuf> {
    files_under(dirs)
        .into_iter()
        .filter(|f| {
            std::fs::read(f).is_ok_and(|b| b.windows(secret.len()).any(|w| w == secret.as_bytes()))
        })
        .collect()
}

fn binary(kubeconfig: &Path, ns: &str, state: &Path, home: &Path, fake: &FakeClaude) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"));
    cmd.env_remove("KUBECONFIG")
        .env_remove("RUST_LOG")
        .env_remove("XDG_STATE_HOME")
        .env("HOME", home)
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("KUBECTL_MCP_STATE_DIR", state)
        .env("KUBECTL_MCP_CONFIG", state.join("no-config.yaml"))
        .arg("-vvv")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["-n", ns]);
    cmd
}

#[test]
fn no_file_the_tool_writes_holds_the_key() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("keyscan");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log = |name: &str| std::fs::File::create(logs.path().join(name)).unwrap();
    let dirs = [state.path(), home.path(), logs.path()];

    // Piped.
    let mut chat = binary(&cp.kubeconfig, &ns.name, state.path(), home.path(), &fake)
        .args(["chat", "scan", "--model", "m"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log("piped.log"))
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = chat.stdin.take().unwrap();
        writeln!(stdin, "please check this key: {KEY}").unwrap();
    }
    assert!(chat.wait().unwrap().success());

    // Journalled: the cluster goes silent once Claude has the question.
    let proxy = SilentProxy::start(&cp.server);
    let through = proxy.kubeconfig(&cp.kubeconfig, &cp.server, logs.path());
    let asked = fake.message_requests().len();
    let child = binary(&through, &ns.name, state.path(), home.path(), &fake)
        .args(["--request-timeout", "2s", "chat", "scan", "-m"])
        .arg(format!("journal this: {KEY}"))
        .stdout(Stdio::null())
        .stderr(log("journalled.log"))
        .spawn()
        .unwrap();
    let started = Instant::now();
    while fake.message_requests().len() == asked {
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(5));
    }
    proxy.go_silent();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the turn was journalled");
    let journal = files_under(&[&state.path().join("journal")]);
    assert!(!journal.is_empty(), "a journal file was written");
    assert_eq!(
        holding(&dirs, KEY),
        Vec::<PathBuf>::new(),
        "after journalling"
    );
    // The journal belongs to the cluster as reached through the proxy: the rest goes that way.
    proxy.speak();

    // Typed and pasted at the REPL (it writes the journalled turn back first).
    let t = Tmux::new("keyscan");
    t.session(
        "repl",
        &format!(
            "env -u KUBECONFIG -u RUST_LOG HOME={} ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={KEY} KUBECTL_MCP_STATE_DIR={} KUBECTL_MCP_CONFIG={}/none.yaml {} -vvv --kubeconfig {} -n {} chat scan 2>{}/repl.log; echo EXITED $?; sleep 60",
            home.path().display(),
            fake.base_url(),
            state.path().display(),
            state.path().display(),
            assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
            through.display(),
            ns.name,
            logs.path().display(),
        ),
    );
    t.wait_for_in("repl", "> ");
    t.keys_to("repl", &["-l", "an ordinary line"]);
    t.keys_to("repl", &["Enter"]);
    t.wait_for_in("repl", "You said: an ordinary line");
    t.keys_to("repl", &["-l", &format!("typed: my key is {KEY}")]);
    t.keys_to("repl", &["Enter"]);
    t.wait_for_in("repl", "You said: typed: my key is <redacted>");
    t.run(&["set-buffer", &format!("pasted: {GH} and {KEY}")]);
    t.run(&["paste-buffer", "-p", "-t", "repl"]);
    t.keys_to("repl", &["Enter"]);
    t.wait_for_in("repl", "You said: pasted: ");
    t.keys_to("repl", &["-l", &format!("a token {GH}")]);
    t.keys_to("repl", &["Enter"]);
    t.wait_until("repl", Duration::from_secs(30), |s| {
        s.matches("You said: ").count() >= 4
    })
    .unwrap_or_else(|s| panic!("the typed token:\n{s}"));
    t.keys_to("repl", &["-l", "/exit"]);
    t.keys_to("repl", &["Enter"]);
    t.wait_for_in("repl", "EXITED 0");
    // (stderr, where the REPL says so, went to the log.)
    let said = std::fs::read_to_string(logs.path().join("repl.log")).unwrap();
    assert_eq!(
        said.matches("not kept in the line history").count(),
        3,
        "the typed key, the pasted line and the typed token"
    );
    let history = std::fs::read_to_string(state.path().join("history")).unwrap();
    assert!(history.contains("an ordinary line"), "{history}");
    assert!(!history.contains(GH), "{history}");

    // Sent over MCP (stdio), as tool arguments.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cmd =
        tokio::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp")).configure(|c| {
            c.env_remove("KUBECONFIG")
                .env_remove("RUST_LOG")
                .env("HOME", home.path())
                .env("ANTHROPIC_BASE_URL", fake.base_url())
                .env("ANTHROPIC_API_KEY", KEY)
                .env("KUBECTL_MCP_STATE_DIR", state.path())
                .arg("-vvv")
                .arg("--kubeconfig")
                .arg(&through)
                .args(["-n", &ns.name, "serve"]);
        });
    let serve_log = log("serve.log");
    let (transport, _) = rt
        .block_on(async { TokioChildProcess::builder(cmd).stderr(serve_log).spawn() })
        .unwrap();
    rt.block_on(async {
        let client = ().serve(transport).await.unwrap();
        for (tool, args) in [
            (
                "ask",
                serde_json::json!({"session": "scan", "message": format!("over MCP: {KEY}")}),
            ),
            ("search_contexts", serde_json::json!({"text": KEY})),
        ] {
            let r = client
                .call_tool(
                    CallToolRequestParams::new(tool)
                        .with_arguments(args.as_object().cloned().unwrap()),
                )
                .await
                .unwrap();
            assert_ne!(r.is_error, Some(true), "{tool}: {r:?}");
        }
        let _ = client.cancel().await;
    });
    drop(rt);

    // The logs were written at trace level, and nothing anywhere holds the key.
    for name in ["piped.log", "journalled.log", "repl.log", "serve.log"] {
        let text = std::fs::read_to_string(logs.path().join(name)).unwrap();
        assert!(text.contains("TRACE"), "{name} was logged at -vvv:\n{text}");
    }
    let serve = std::fs::read_to_string(logs.path().join("serve.log")).unwrap();
    assert!(
        serve.contains("over MCP: <redacted>"),
        "the arguments were logged, masked"
    );
    assert_eq!(holding(&dirs, KEY), Vec::<PathBuf>::new());
    // The token is the user's own text, stored as typed unless the context redacts (it does
    // not here); the line history and the logs never hold it.
    assert_eq!(holding(&[logs.path()], GH), Vec::<PathBuf>::new());
    // The stored conversation has every turn, with the key masked.
    let stored = ns.exported("scan").join("\n");
    assert!(stored.contains("journal this: <redacted>"), "{stored}");
    assert!(stored.contains("typed: my key is <redacted>"), "{stored}");
    assert!(!stored.contains(KEY));
}
