//! Issue #15 item 2: the roles `kubectl mcp rbac` prints, applied on the real apiserver with
//! kubectl and bound to users with no grants of their own, allow exactly what they say: a viewer
//! lists and reads but cannot chat (refused before Claude is called); an editor chats (reading
//! its key from the one Secret it may read) but cannot delete or act across namespaces; an
//! operator expires and deletes across namespaces.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use common::{stderr, stdout, ControlPlane, Namespace};
use serde_json::json;

const KEY: &str = "sk-ant-rbac-test-KEY";

fn kubeconfig_of(cp: &ControlPlane, user: &str) -> PathBuf {
    cp.kubeconfig.with_file_name(format!("kubeconfig-{user}"))
}

/// The binary as `user`, in `ns`, pointed at the fake, with no key in the environment.
fn as_user(ns: &Namespace, user: &str, fake: &fake_claude::FakeClaude) -> assert_cmd::Command {
    let mut cmd = ns.mcp_with(&kubeconfig_of(ns.cp, user));
    cmd.env("ANTHROPIC_BASE_URL", fake.base_url())
        .env_remove("ANTHROPIC_API_KEY");
    cmd
}

/// `kubectl mcp rbac ARGS | kubectl apply -f -` as the admin.
fn apply_role(ns: &Namespace, args: &[&str]) {
    let yaml = ns.mcp().arg("rbac").args(args).output().unwrap();
    assert!(yaml.status.success(), "{}", stderr(&yaml));
    let mut apply = ns
        .kubectl()
        .args(["apply", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    apply.stdin.take().unwrap().write_all(&yaml.stdout).unwrap();
    let out = apply.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "kubectl apply: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&yaml.stdout)
    );
}

fn secret(ns: &Namespace, name: &str, key: &str) {
    let out = ns
        .kubectl()
        .args(["create", "secret", "generic", name])
        .arg(format!("--from-literal=ANTHROPIC_API_KEY={key}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn viewer_editor_and_operator_are_allowed_exactly_what_they_say() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("rbac");
    let other = cp.namespace("rbac-other");
    let fake = common::fake_claude(KEY);
    let label = format!("rbac-test={}", ns.name);
    for (n, name) in [(&ns, "seeded"), (&other, "elsewhere")] {
        n.create_raw(json!({
            "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
            "metadata": {"name": name, "labels": {"rbac-test": ns.name}},
            "spec": {"modelName": "m", "sessionID": name, "contextHistory": [
                {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
        }))
        .unwrap();
    }
    secret(&ns, "claude-key", KEY);
    secret(&ns, "other-key", KEY);

    // viewer: lists and reads; chat is refused before Claude is called.
    apply_role(&ns, &["viewer", "--user", "alice"]);
    let out = as_user(&ns, "alice", &fake)
        .args(["list", "-o", "name"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "claudemodelcontext.mcp.dev/seeded\n",
        "{}",
        stderr(&out)
    );
    as_user(&ns, "alice", &fake)
        .args(["get", "seeded"])
        .assert()
        .success();
    as_user(&ns, "alice", &fake)
        .args(["export", "seeded"])
        .assert()
        .success();
    let out = as_user(&ns, "alice", &fake)
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["chat", "seeded", "-m", "may I?"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("forbidden") || stderr(&out).contains("not allowed"),
        "{}",
        stderr(&out)
    );
    assert!(
        fake.requests().iter().all(|r| r.path != "/v1/messages"),
        "Claude was called"
    );

    // editor: chats with the key from the one Secret it may read; nothing more.
    apply_role(
        &ns,
        &["editor", "--user", "bob", "--api-key-secret", "claude-key"],
    );
    let out = as_user(&ns, "bob", &fake)
        .args([
            "--api-key-secret",
            "claude-key",
            "chat",
            "bobs",
            "--model",
            "m",
            "-m",
            "hello",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "You said: hello\n");
    let out = as_user(&ns, "bob", &fake)
        .args([
            "--api-key-secret",
            "other-key",
            "chat",
            "bobs",
            "-m",
            "again",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("other-key"), "{}", stderr(&out));
    for args in [
        vec!["delete", "bobs"],
        vec!["expire", "-A", "-l", label.as_str(), "--idle", "1s"],
        vec!["list", "-A"],
    ] {
        let out = as_user(&ns, "bob", &fake).args(&args).output().unwrap();
        assert!(!out.status.success(), "an editor could {args:?}");
        assert!(
            stderr(&out).contains("forbidden") || stderr(&out).contains("not allowed"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(ns.contexts().len(), 2);

    // operator: expires and deletes across namespaces.
    apply_role(&ns, &["operator", "--user", "carol"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = as_user(&ns, "carol", &fake)
        .args(["expire", "-A", "-l", &label, "--idle", "1s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for n in [&ns, &other] {
        for o in n.contexts() {
            if o.spec.session_id != "bobs" {
                assert_eq!(o.state().as_str(), "Expired", "{}", o.spec.session_id);
            }
        }
    }
    as_user(&ns, "carol", &fake)
        .args(["delete", "-A", "-l", &label])
        .assert()
        .success();
    assert!(other.contexts().is_empty());
    assert_eq!(ns.contexts().len(), 1, "bobs has no label and stays");
}
