//! Test support: a real control plane (etcd + kube-apiserver, started by
//! `scripts/control-plane.sh`), a fresh namespace per test, and a one-line way to run the real
//! binary against them.
//!
//! The control plane is the one named by `KUBECTL_MCP_TEST_KUBECONFIG` (the README's test command
//! starts one for the whole run); without it, the first test starts one for this test binary, and
//! the script stops it when the binary exits.
#![allow(dead_code)] // each test binary uses its own subset of these helpers

pub mod conversation;
pub mod proxy;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use assert_cmd::Command;
use kube::api::{Api, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// A running control plane and the kubeconfigs that reach it.
pub struct ControlPlane {
    /// Admin (system:masters).
    pub kubeconfig: PathBuf,
    /// A user with no RBAC grants at all.
    pub viewer_kubeconfig: PathBuf,
    /// `https://127.0.0.1:PORT`.
    pub server: String,
    /// Set for a private control plane: stopped and removed on drop.
    own_dir: Option<tempfile::TempDir>,
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        if let Some(dir) = &self.own_dir {
            let _ = control_plane("stop", dir.path(), &[]);
        }
    }
}

/// Run `scripts/control-plane.sh ACTION DIR`, owned by this test process (a started control
/// plane stops when the process exits).
fn control_plane(action: &str, dir: &Path, env: &[(&str, &str)]) -> std::process::Output {
    StdCommand::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/control-plane.sh"))
        .arg(action)
        .arg(dir)
        .env("KUBECTL_MCP_OWNER_PID", std::process::id().to_string())
        .envs(env.iter().copied())
        .output()
        .expect("run scripts/control-plane.sh")
}

impl ControlPlane {
    /// Start a new control plane in a temporary directory (about 5–15 s).
    pub fn start_private() -> Self {
        Self::start_private_with(&[])
    }

    /// [`ControlPlane::start_private`] with settings for the script (e.g.
    /// `KUBECTL_MCP_ENCRYPT_AT_REST=1`).
    pub fn start_private_with(env: &[(&str, &str)]) -> Self {
        // A failed start (a port taken between choosing and binding it, on a busy machine) is
        // retried with fresh ports; the script's own messages explain a final failure.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let dir = tempfile::Builder::new()
                .prefix("kmcp-cp-")
                .tempdir()
                .unwrap();
            let out = control_plane("start", dir.path(), env);
            if out.status.success() {
                return Self::in_dir(dir);
            }
            failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        panic!(
            "the control plane failed to start three times:\n{}",
            failures.join("\n---\n")
        );
    }

    fn in_dir(dir: tempfile::TempDir) -> Self {
        let server = std::fs::read_to_string(dir.path().join("env"))
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("export KUBECTL_MCP_TEST_SERVER="))
            .expect("server in env file")
            .to_string();
        Self {
            kubeconfig: dir.path().join("kubeconfig"),
            viewer_kubeconfig: dir.path().join("kubeconfig-viewer"),
            server,
            own_dir: Some(dir),
        }
    }

    /// Stop a private control plane's apiserver and etcd, keeping their state. The apiserver is
    /// killed outright: a SIGTERM starts a graceful shutdown during which it may still serve
    /// requests on connections it already has, which made "the cluster went away" a race.
    pub fn stop(&self) {
        if let Some(dir) = &self.own_dir {
            if let Ok(pid) = std::fs::read_to_string(dir.path().join("apiserver.pid")) {
                let _ = std::process::Command::new("kill")
                    .args(["-9", pid.trim()])
                    .status();
            }
        }
        self.private_action("stop");
    }

    /// The etcd of a private control plane (`http://127.0.0.1:PORT`), to read what is stored.
    pub fn etcd_url(&self) -> Option<String> {
        let dir = self.own_dir.as_ref()?;
        let ports = std::fs::read_to_string(dir.path().join("ports")).ok()?;
        Some(format!(
            "http://127.0.0.1:{}",
            ports.split_whitespace().next()?
        ))
    }

    /// Start a stopped private control plane again: same address, credentials and data.
    pub fn restart(&self) {
        self.private_action("start");
    }

    fn private_action(&self, action: &str) {
        let dir = self
            .own_dir
            .as_ref()
            .expect("only a private control plane can be stopped or restarted");
        let out = control_plane(action, dir.path(), &[]);
        assert!(
            out.status.success(),
            "control-plane.sh {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The control plane shared by every test of this binary.
    pub fn shared() -> &'static ControlPlane {
        static SHARED: OnceLock<ControlPlane> = OnceLock::new();
        SHARED.get_or_init(|| match std::env::var_os("KUBECTL_MCP_TEST_KUBECONFIG") {
            Some(kc) => {
                let kubeconfig = PathBuf::from(kc);
                let viewer = std::env::var_os("KUBECTL_MCP_TEST_KUBECONFIG_VIEWER")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| kubeconfig.with_file_name("kubeconfig-viewer"));
                ControlPlane {
                    server: std::env::var("KUBECTL_MCP_TEST_SERVER").unwrap_or_default(),
                    kubeconfig,
                    viewer_kubeconfig: viewer,
                    own_dir: None,
                }
            }
            None => {
                let mut cp = ControlPlane::start_private();
                // Leave stopping to the script's owner watcher: statics are never dropped.
                if let Some(dir) = cp.own_dir.take() {
                    let _ = dir.keep();
                }
                cp
            }
        })
    }

    /// The shared control plane with the CRD installed (once per test binary).
    pub fn with_crd() -> &'static ControlPlane {
        static INSTALLED: OnceLock<()> = OnceLock::new();
        let cp = Self::shared();
        INSTALLED.get_or_init(|| {
            cp.mcp_admin().arg("install").assert().success();
        });
        cp
    }

    /// The binary with the admin kubeconfig and no namespace.
    pub fn mcp_admin(&self) -> Command {
        let mut cmd = Command::cargo_bin("kubectl-mcp").unwrap();
        cmd.arg("--kubeconfig").arg(&self.kubeconfig);
        isolate(&mut cmd);
        cmd
    }

    /// kubectl v1.20.2 (Debian's build, unpacked by `control-plane.sh kubectl`) with the admin
    /// kubeconfig: the reference our kubectl-style output is compared with.
    pub fn kubectl(&self) -> StdCommand {
        static PATH: OnceLock<PathBuf> = OnceLock::new();
        let path = PATH.get_or_init(|| {
            let out = StdCommand::new("bash")
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/control-plane.sh"))
                .arg("kubectl")
                .output()
                .expect("run scripts/control-plane.sh kubectl");
            assert!(
                out.status.success(),
                "control-plane.sh kubectl: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        });
        let mut cmd = StdCommand::new(path);
        cmd.arg("--kubeconfig").arg(&self.kubeconfig);
        cmd.env_remove("KUBECONFIG");
        cmd
    }

    /// A kube client for setting up and inspecting state directly.
    pub async fn client(&self) -> Client {
        client_for(&self.kubeconfig).await
    }

    /// Create a fresh namespace for one test.
    pub fn namespace(&'static self, prefix: &str) -> Namespace {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        block_on(async {
            let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client().await);
            let ns: k8s_openapi::api::core::v1::Namespace =
                serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
            api.create(&PostParams::default(), &ns).await.unwrap();
        });
        Namespace { cp: self, name }
    }
}

/// Keep the binary away from the developer's own kubeconfig, model, key, configuration file
/// and state directory.
fn isolate(cmd: &mut Command) {
    static STATE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let state = STATE.get_or_init(|| tempfile::tempdir().unwrap());
    cmd.env("KUBECTL_MCP_STATE_DIR", state.path())
        .env("KUBECTL_MCP_CONFIG", state.path().join("no-config.yaml"))
        .env_remove("KUBECONFIG")
        .env_remove("KUBECTL_MCP_MODEL")
        .env_remove("KUBECTL_MCP_MAX_TOKENS")
        .env_remove("KUBECTL_MCP_MAX_OUTPUT_TOKENS")
        .env_remove("KUBECTL_MCP_STRATEGY")
        .env_remove("KUBECTL_MCP_NAMESPACE")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("RUST_LOG");
}

/// A kube client for `kubeconfig`.
pub async fn client_for(kubeconfig: &Path) -> Client {
    kubectl_mcp::tls::install_crypto_provider();
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    Client::try_from(config).unwrap()
}

/// Run a future to completion from a synchronous test.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A namespace of its own for one test.
pub struct Namespace {
    pub cp: &'static ControlPlane,
    pub name: String,
}

impl Namespace {
    /// `kubectl-mcp --kubeconfig ADMIN -n NS`.
    pub fn mcp(&self) -> Command {
        let mut cmd = self.cp.mcp_admin();
        cmd.arg("-n").arg(&self.name);
        cmd
    }

    /// kubectl (see [`ControlPlane::kubectl`]) in this namespace.
    pub fn kubectl(&self) -> StdCommand {
        let mut cmd = self.cp.kubectl();
        cmd.arg("-n").arg(&self.name);
        cmd
    }

    /// The binary with another kubeconfig (another user) in this namespace.
    pub fn mcp_with(&self, kubeconfig: &Path) -> Command {
        let mut cmd = Command::cargo_bin("kubectl-mcp").unwrap();
        cmd.arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("-n")
            .arg(&self.name);
        isolate(&mut cmd);
        cmd
    }

    /// The same as the unprivileged user.
    pub fn mcp_as_viewer(&self) -> Command {
        let mut cmd = Command::cargo_bin("kubectl-mcp").unwrap();
        cmd.arg("--kubeconfig")
            .arg(&self.cp.viewer_kubeconfig)
            .arg("-n")
            .arg(&self.name);
        isolate(&mut cmd);
        cmd
    }

    /// Contexts in this namespace, straight from the apiserver.
    pub fn contexts(&self) -> Vec<kubectl_mcp::model::resource::ClaudeModelContext> {
        block_on(async {
            let api: Api<kubectl_mcp::model::resource::ClaudeModelContext> =
                Api::namespaced(self.cp.client().await, &self.name);
            api.list(&Default::default()).await.unwrap().items
        })
    }

    /// History segments in this namespace, straight from the apiserver.
    pub fn segments(&self) -> Vec<kubectl_mcp::model::segment::ClaudeModelContextSegment> {
        block_on(async {
            let api: Api<kubectl_mcp::model::segment::ClaudeModelContextSegment> =
                Api::namespaced(self.cp.client().await, &self.name);
            api.list(&Default::default()).await.unwrap().items
        })
    }

    /// The contents of every message of `session`, as `export -o jsonl` gives them back
    /// (sealed and live, in order). Panics when the export fails.
    /// Events recorded on object `name`, as (reason, note).
    pub fn events(&self, name: &str) -> Vec<(String, String)> {
        block_on(async {
            let api: kube::Api<k8s_openapi::api::events::v1::Event> =
                kube::Api::namespaced(self.cp.client().await, &self.name);
            api.list(&Default::default())
                .await
                .unwrap()
                .items
                .into_iter()
                .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
                .map(|e| (e.reason.unwrap_or_default(), e.note.unwrap_or_default()))
                .collect()
        })
    }

    pub fn exported(&self, session: &str) -> Vec<String> {
        let out = self
            .mcp()
            .args(["export", session, "-o", "jsonl"])
            .output()
            .unwrap();
        assert!(out.status.success(), "export failed: {}", stderr(&out));
        stdout(&out)
            .lines()
            .skip(1)
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["content"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    /// Merge-patch a context's status directly (to set up a scenario).
    pub fn patch_status(&self, name: &str, status: serde_json::Value) {
        block_on(async {
            let api: Api<kubectl_mcp::model::resource::ClaudeModelContext> =
                Api::namespaced(self.cp.client().await, &self.name);
            api.patch_status(
                name,
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(serde_json::json!({ "status": status })),
            )
            .await
            .unwrap();
        });
    }

    /// Store a context built with `kubectl_mcp::model::fixtures` in this namespace, as a
    /// script would write it (its status is left to the tool), returning the apiserver's copy.
    pub fn put(
        &self,
        mut obj: kubectl_mcp::model::resource::ClaudeModelContext,
    ) -> kubectl_mcp::model::resource::ClaudeModelContext {
        obj.metadata.namespace = None;
        obj.metadata.uid = None;
        obj.status = None;
        block_on(async {
            let api: Api<kubectl_mcp::model::resource::ClaudeModelContext> =
                Api::namespaced(self.cp.client().await, &self.name);
            api.create(&PostParams::default(), &obj)
                .await
                .expect("the apiserver stores the context")
        })
    }

    /// Create a raw object as JSON (e.g. written by hand), returning the apiserver's answer.
    pub fn create_raw(&self, obj: serde_json::Value) -> Result<serde_json::Value, kube::Error> {
        block_on(async {
            let ar = kube::api::ApiResource {
                group: "mcp.dev".into(),
                version: "v1alpha1".into(),
                api_version: "mcp.dev/v1alpha1".into(),
                kind: "ClaudeModelContext".into(),
                plural: "claudemodelcontexts".into(),
            };
            let api: Api<kube::api::DynamicObject> =
                Api::namespaced_with(self.cp.client().await, &self.name, &ar);
            let obj: kube::api::DynamicObject = serde_json::from_value(obj).unwrap();
            api.create(&PostParams::default(), &obj)
                .await
                .map(|o| serde_json::to_value(o).unwrap())
        })
    }
}

/// A fake of the Messages API on a runtime of its own, accepting only `key`. One per test:
/// its faults and records are the test's own.
pub fn fake_claude(key: &str) -> fake_claude::FakeClaude {
    fake_claude::FakeClaude::start_in_background(fake_claude::Config {
        api_key: Some(key.into()),
        ..fake_claude::Config::default()
    })
    .expect("start the fake Messages API")
}

/// The binary as a plain `std::process::Command` (for many at once, or for pipes a test
/// closes), pointed at the namespace, at `fake` with `key`, and at the state directory `state`.
pub fn process(
    ns: &Namespace,
    fake: &fake_claude::FakeClaude,
    key: &str,
    state: &Path,
) -> StdCommand {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"));
    cmd.env_remove("KUBECONFIG")
        .env_remove("KUBECTL_MCP_MODEL")
        .env_remove("RUST_LOG")
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", key)
        .env("KUBECTL_MCP_STATE_DIR", state)
        .env("KUBECTL_MCP_CONFIG", state.join("no-config.yaml"))
        .arg("--kubeconfig")
        .arg(&ns.cp.kubeconfig)
        .args(["-n", &ns.name]);
    cmd
}

/// `kubectl-mcp -n NS chat` pointed at `fake` with `key`.
pub fn chat_with(ns: &Namespace, fake: &fake_claude::FakeClaude, key: &str) -> Command {
    let mut cmd = ns.mcp();
    cmd.env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", key)
        .arg("chat");
    cmd
}

/// A message's text as a request carries it: a string, or text blocks (where a cache
/// breakpoint sits).
pub fn text_of(content: &serde_json::Value) -> String {
    match content {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(blocks) => {
            blocks.iter().filter_map(|b| b["text"].as_str()).collect()
        }
        _ => String::new(),
    }
}

/// stdout of a finished command, as a String.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr of a finished command, as a String.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
