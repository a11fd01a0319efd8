//! Issue #14 item 6: the committed completion scripts, executed in bash, zsh and fish, complete
//! subcommands (and aliases), flags, enum values, files where a path goes, and, from the real
//! apiserver and the kubeconfig, session names, namespaces and contexts; models and sort keys
//! from the tool's tables. Each shell calls the script's function the way it does at <TAB>.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ControlPlane, Namespace};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
}

/// The candidates `shell` offers for the command line `words` (the last one is being typed).
fn complete(shell: &str, words: &[&str], cwd: &Path, kubeconfig: &Path) -> Vec<String> {
    let bin_dir = assert_cmd::cargo::cargo_bin("kubectl-mcp")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let (prog, args): (String, Vec<&str>) = match shell {
        "bash" => (
            format!(
                "source '{}'; COMP_WORDS=({}); COMP_CWORD={cword}; _kubectl_mcp; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script("kubectl-mcp.bash").display(),
                quoted.join(" "),
            ),
            vec!["--norc", "-c"],
        ),
        // compadd and _files stand in for the completion system's builtins: they print what
        // the function hands them.
        "zsh" => (
            format!(
                "compadd() {{ [[ $1 == -a ]] && print -rl -- \"${{(@P)2}}\" }}; _files() {{ print -rl -- *(N) }}; compdef() {{ : }}; source '{}'; words=({}); CURRENT={}; _kubectl_mcp",
                script("_kubectl-mcp").display(),
                quoted.join(" "),
                cword + 1,
            ),
            vec!["-f", "-c"],
        ),
        "fish" => (
            format!(
                "source '{}'; complete --do-complete '{}'",
                script("kubectl-mcp.fish").display(),
                words.join(" "),
            ),
            vec!["--no-config", "-c"],
        ),
        _ => unreachable!(),
    };
    let out = Command::new(shell)
        .args(&args)
        .arg(&prog)
        .current_dir(cwd)
        .env("PATH", path)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", cwd)
        .output()
        .unwrap_or_else(|e| panic!("{shell}: {e} (apt-get install {shell}; .ci/run installs it)"));
    assert!(
        out.status.success() || shell == "zsh",
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    got.sort();
    got
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn bash_zsh_and_fish_complete_from_the_cli_the_cluster_and_the_kubeconfig() {
    let cp = ControlPlane::with_crd();
    let ns: Namespace = cp.namespace("compl");
    for s in ["alpha", "beta-two"] {
        ns.mcp()
            .args(["create", s, "--model", "m"])
            .assert()
            .success();
    }
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(cwd.path().join("turns.jsonl"), "").unwrap();
    let kc = cp.kubeconfig.display().to_string();
    let contexts: Vec<String> = kube::config::Kubeconfig::read_from(&cp.kubeconfig)
        .unwrap()
        .contexts
        .into_iter()
        .map(|c| c.name)
        .collect();
    for shell in ["fish", "zsh", "bash"] {
        let c = |words: &[&str]| complete(shell, words, cwd.path(), &cp.kubeconfig);
        assert_eq!(c(&["kubectl-mcp", "ch"]), ["chat"], "{shell}");
        assert_eq!(c(&["kubectl-mcp", "des"]), ["describe"], "{shell}: aliases");
        assert_eq!(c(&["kubectl-mcp", "chat", "--mo"]), ["--model"], "{shell}");
        assert_eq!(
            c(&["kubectl-mcp", "create", "x", "--strategy", ""]),
            sorted(&["truncate", "summarize_oldest", "hybrid", "server"]),
            "{shell}"
        );
        let formats = c(&["kubectl-mcp", "list", "-o", ""]);
        for f in ["wide", "json", "jsonpath=", "custom-columns="] {
            assert!(
                formats.contains(&f.to_string()),
                "{shell}: {f} not in {formats:?}"
            );
        }
        // From the cluster: sessions of the namespace given, and the namespaces.
        assert_eq!(
            c(&[
                "kubectl-mcp",
                "--kubeconfig",
                &kc,
                "-n",
                &ns.name,
                "get",
                ""
            ]),
            ["alpha", "beta-two"],
            "{shell}"
        );
        assert_eq!(
            c(&[
                "kubectl-mcp",
                "--kubeconfig",
                &kc,
                "-n",
                &ns.name,
                "chat",
                "be"
            ]),
            ["beta-two"],
            "{shell}"
        );
        assert_eq!(
            c(&[
                "kubectl-mcp",
                "--kubeconfig",
                &kc,
                "list",
                "-n",
                &ns.name[..ns.name.len() - 1]
            ]),
            std::slice::from_ref(&ns.name),
            "{shell}"
        );
        let all_ns = c(&["kubectl-mcp", "--kubeconfig", &kc, "-n", ""]);
        assert!(
            all_ns.contains(&"kube-system".to_string()) && all_ns.contains(&ns.name),
            "{shell}: {all_ns:?}"
        );
        // From the kubeconfig ($KUBECONFIG here): its contexts.
        assert_eq!(c(&["kubectl-mcp", "--context", ""]), contexts, "{shell}");
        // From the tool's tables.
        assert!(
            c(&["kubectl-mcp", "chat", "x", "--model", "claude-h"])
                .contains(&"claude-haiku-4-5".to_string()),
            "{shell}"
        );
        assert_eq!(
            c(&["kubectl-mcp", "list", "--sort-by", "t"]),
            ["tokens", "turns"],
            "{shell}"
        );
        // A path: the directory's files.
        assert_eq!(
            c(&["kubectl-mcp", "batch", "-f", "tu"]),
            ["turns.jsonl"],
            "{shell}"
        );
    }
}
