//! Issue #22, item 3: no panic on any input. Every subcommand, every argument that takes a
//! value (positional, option, environment variable), given bytes that are not UTF-8: the tool
//! never panics; where text is required it refuses with a usage error (exit 2), and where a
//! path is expected it goes on (a path need not be UTF-8) and fails or succeeds cleanly.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::CommandFactory;
use kubectl_mcp::cli::Cli;

fn bad() -> OsString {
    OsString::from_vec(b"na\xffme\xc3\x28".to_vec())
}

/// Run the binary with `args` (and `env`), no cluster, no key; the exit code and stderr.
fn run(bin: &str, args: &[OsString], env: &[(String, OsString)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin(bin));
    cmd.args(args)
        .env("KUBECONFIG", dir.path().join("no-kubeconfig"))
        .env("KUBECTL_MCP_STATE_DIR", dir.path())
        .env("KUBECTL_MCP_CONFIG", dir.path().join("no-config.yaml"))
        .env("HOME", dir.path())
        .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("RUST_LOG")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{bin} {args:?} {env:?} ran past 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every subcommand path (`["config", "view"]`…) with its command.
fn subcommands(
    cmd: &clap::Command,
    path: Vec<String>,
    out: &mut Vec<(Vec<String>, clap::Command)>,
) {
    for sub in cmd.get_subcommands() {
        let mut p = path.clone();
        p.push(sub.get_name().to_string());
        out.push((p.clone(), sub.clone()));
        subcommands(sub, p, out);
    }
}

/// What is tried, the arguments, the environment, and whether the value is a path (which need
/// not be UTF-8).
type Case = (String, Vec<OsString>, Vec<(String, OsString)>, bool);

fn takes_paths(arg: &clap::Arg) -> bool {
    let id = arg.get_value_parser().type_id();
    id == std::any::TypeId::of::<std::path::PathBuf>() || id == std::any::TypeId::of::<OsString>()
}

#[test]
fn bytes_that_are_not_utf8_in_any_argument_never_panic() {
    let root = Cli::command();
    let mut all = Vec::new();
    subcommands(&root, Vec::new(), &mut all);
    let mut tried = 0;
    let mut failures = Vec::new();
    for (path, cmd) in &all {
        let base: Vec<OsString> = path.iter().map(OsString::from).collect();
        let mut cases: Vec<Case> = Vec::new();
        // A stray argument.
        cases.push((
            "a stray argument".into(),
            [base.clone(), vec![bad()]].concat(),
            vec![],
            false,
        ));
        for arg in cmd.get_arguments().chain(root.get_arguments()) {
            if !arg.get_action().takes_values() {
                continue;
            }
            let path_like = takes_paths(arg);
            if arg.is_positional() {
                cases.push((
                    format!("<{}>", arg.get_id()),
                    [base.clone(), vec![bad()]].concat(),
                    vec![],
                    path_like,
                ));
            } else if let Some(long) = arg.get_long() {
                cases.push((
                    format!("--{long}"),
                    [base.clone(), vec![format!("--{long}").into(), bad()]].concat(),
                    vec![],
                    path_like,
                ));
            }
            if let Some(env) = arg.get_env() {
                let env = env.to_string_lossy().into_owned();
                cases.push((
                    format!("${env}"),
                    base.clone(),
                    vec![(env, bad())],
                    path_like,
                ));
            }
        }
        for (what, args, env, path_like) in cases {
            tried += 1;
            let (code, stderr) = run("kubectl-mcp", &args, &env);
            let shown = format!("{} {what}", path.join(" "));
            if stderr.contains("panicked") || code == Some(101) || code.is_none() {
                failures.push(format!("{shown}: panicked or killed ({code:?}): {stderr}"));
            } else if !path_like && code != Some(2) {
                failures.push(format!(
                    "{shown}: exit {code:?}, not a usage error: {stderr}"
                ));
            } else if code == Some(0) && !path_like {
                failures.push(format!("{shown}: accepted"));
            }
        }
    }
    // The completion entry points take any word.
    for bin in ["kubectl-mcp", "kubectl_complete-mcp"] {
        let args: Vec<OsString> = match bin {
            "kubectl-mcp" => vec!["__complete".into(), "get".into(), bad()],
            _ => vec!["__complete".into(), bad(), "".into()],
        };
        let (code, stderr) = run(bin, &args, &[]);
        tried += 1;
        if code != Some(0) {
            failures.push(format!("{bin} {args:?}: {code:?} {stderr}"));
        }
    }
    assert!(
        tried > 100,
        "only {tried} cases: the CLI walk found too little"
    );
    assert!(
        failures.is_empty(),
        "{} of {tried} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
