//! `kubectl mcp serve` driven by a client no one here wrote: the official MCP TypeScript SDK
//! (`@modelcontextprotocol/sdk` from npm, pinned), through `tests/mcp_ts/client.mjs`, over
//! stdio, against the real apiserver and the fake Messages API. The SDK is installed into the
//! project's cache on first use (`npm install`, a few seconds); Node.js and npm must be on PATH
//! (`.ci/run` installs them on a fresh machine).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{ControlPlane, Namespace};
use serde_json::{json, Value};

const KEY: &str = "sk-ant-mcp-ts-test";
const SDK: &str = "@modelcontextprotocol/sdk@1.32.2";

/// A directory holding the SDK and the client script.
fn client_dir() -> PathBuf {
    let cache = std::env::var_os("KUBECTL_MCP_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/kubectl-mcp")
        });
    let dir = cache.join(format!("npm-{}", SDK.replace(['/', '@'], "_")));
    std::fs::create_dir_all(&dir).unwrap();
    if !dir
        .join("node_modules/@modelcontextprotocol/sdk/package.json")
        .exists()
    {
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .arg(SDK)
            .status()
            .expect(
                "npm is needed for this test: install Node.js and npm (apt-get install nodejs npm)",
            );
        assert!(status.success(), "npm install {SDK} failed");
    }
    // Beside node_modules, so that the script's imports resolve there.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_ts/client.mjs"),
        dir.join("client.mjs"),
    )
    .unwrap();
    dir
}

struct TsClient {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<Value>,
    next: u64,
}

impl TsClient {
    fn start(
        ns: &Namespace,
        fake: &fake_claude::FakeClaude,
        kubeconfig: &Path,
        state: &Path,
    ) -> TsClient {
        let mut node = Command::new("node");
        node.arg(client_dir().join("client.mjs"))
            .arg(assert_cmd::cargo::cargo_bin("kubectl-mcp"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["-n", &ns.name, "serve"])
            .env_remove("KUBECONFIG")
            .env_remove("RUST_LOG")
            .env("ANTHROPIC_BASE_URL", fake.base_url())
            .env("ANTHROPIC_API_KEY", KEY)
            .env("KUBECTL_MCP_STATE_DIR", state);
        TsClient::spawn(node)
    }

    /// A client of a server already listening at `url` (Streamable HTTP).
    fn connect(url: &str) -> TsClient {
        let mut node = Command::new("node");
        node.arg(client_dir().join("client.mjs")).arg(url);
        TsClient::spawn(node)
    }

    fn spawn(mut node: Command) -> TsClient {
        let mut child = node
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node is needed for this test: install Node.js (apt-get install nodejs)");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let mut c = TsClient {
            child,
            stdin,
            lines: rx,
            next: 1,
        };
        let init = c.wait(|v| v["event"] == "initialized");
        assert_eq!(init["server"]["name"], "kubectl-mcp", "{init}");
        c
    }

    /// The next line matching `want` (others are dropped), within 60 s.
    fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if want(&v) => return v,
                Ok(_) => continue,
                Err(e) => panic!("the TypeScript client said nothing expected ({e})"),
            }
        }
    }

    fn request(&mut self, mut cmd: Value) -> Value {
        let id = self.next;
        self.next += 1;
        cmd["id"] = id.into();
        writeln!(self.stdin, "{cmd}").unwrap();
        self.stdin.flush().unwrap();
        self.wait(|v| v["id"] == id)
    }

    fn ok(&mut self, cmd: Value) -> Value {
        let v = self.request(cmd.clone());
        assert_eq!(v["ok"], true, "{cmd}: {v}");
        v["result"].clone()
    }

    fn tool(&mut self, name: &str, arguments: Value) -> Value {
        self.ok(json!({"op": "callTool", "name": name, "arguments": arguments}))
    }

    fn close(mut self) {
        let _ = self.request(json!({"op": "close"}));
        let _ = self.child.wait();
    }
}

impl Drop for TsClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn the_typescript_sdk_client_uses_every_part_of_the_server() {
    let ns = ControlPlane::with_crd().namespace("mcpts");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    common::chat_with(&ns, &fake, KEY)
        .args([
            "ops",
            "--model",
            "claude-haiku-4-5",
            "-m",
            "why does web-1 restart?",
        ])
        .assert()
        .success();
    let mut c = TsClient::start(&ns, &fake, &ns.cp.kubeconfig, state.path());

    let tools = c.ok(json!({"op": "listTools"}));
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "list_contexts",
            "get_context",
            "search_contexts",
            "create_context",
            "ask",
            "summarize",
            "expire"
        ]
    );
    let uri = format!("cmc://{}/ops", ns.name);
    let listed = c.ok(json!({"op": "listResources"}));
    assert_eq!(listed["resources"][0]["uri"], uri.as_str());
    let templates = c.ok(json!({"op": "listResourceTemplates"}));
    assert_eq!(templates["resourceTemplates"].as_array().unwrap().len(), 4);
    let read = c.ok(json!({"op": "readResource", "uri": uri}));
    assert!(read["contents"][0]["text"]
        .as_str()
        .unwrap()
        .contains("why does web-1 restart?"));
    assert_eq!(read["contents"][0]["mimeType"], "text/markdown");

    // Every tool.
    let r = c.tool("list_contexts", json!({}));
    assert_eq!(r["structuredContent"]["count"], 1, "{r}");
    let r = c.tool("search_contexts", json!({"text": "web-1"}));
    assert_eq!(r["structuredContent"]["count"], 1, "{r}");
    let r = c.tool("get_context", json!({"session": "ops"}));
    assert_eq!(r["structuredContent"]["turns"], 1, "{r}");
    let r = c.tool(
        "create_context",
        json!({"session": "from-ts", "model": "m"}),
    );
    assert_ne!(r["isError"], true, "{r}");
    let r = c.tool("ask", json!({"session": "ops", "message": "and web-2?"}));
    assert_eq!(
        r["structuredContent"]["reply"], "You said: and web-2?",
        "{r}"
    );
    let r = c.tool(
        "summarize",
        json!({"session": "ops", "keepLast": 1, "dryRun": true}),
    );
    assert_eq!(r["structuredContent"]["messagesToFold"], 2, "{r}");
    let r = c.tool("expire", json!({}));
    assert_eq!(r["structuredContent"]["dryRun"], true, "{r}");
    // Bad arguments: a readable error result, nothing stored.
    let r = c.tool("ask", json!({"session": "ops", "mesage": "x"}));
    assert_eq!(r["isError"], true, "{r}");
    assert!(r.to_string().contains("mesage"), "{r}");
    assert_eq!(ns.exported("ops").len(), 4);

    // A subscription hears another process append a turn.
    c.ok(json!({"op": "subscribe", "uri": uri}));
    std::thread::sleep(Duration::from_millis(500));
    common::chat_with(&ns, &fake, KEY)
        .args(["ops", "-m", "from elsewhere"])
        .assert()
        .success();
    let heard = c.wait(|v| v["event"] == "updated");
    assert_eq!(heard["uri"], uri.as_str());
    c.close();

    // The unprivileged user: a clear refusal.
    let mut v = TsClient::start(&ns, &fake, &ns.cp.viewer_kubeconfig, state.path());
    let r = v.tool("ask", json!({"session": "ops", "message": "may I?"}));
    assert_eq!(r["isError"], true, "{r}");
    assert!(r.to_string().contains("forbidden"), "{r}");
    v.close();
    assert_eq!(
        ns.exported("ops").len(),
        6,
        "the refused ask stored nothing"
    );
}

/// `serve --http` on loopback: the same server over Streamable HTTP, for the TypeScript SDK's
/// HTTP client; any other address is refused before anything listens.
#[test]
fn streamable_http_on_loopback_serves_the_same_server() {
    let ns = ControlPlane::with_crd().namespace("mcphttp");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    common::chat_with(&ns, &fake, KEY)
        .args(["web", "--model", "m", "-m", "over http?"])
        .assert()
        .success();
    ns.mcp()
        .args(["serve", "--http", "0.0.0.0:0"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("only a loopback address"));

    let mut server = Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"))
        .arg("--kubeconfig")
        .arg(&ns.cp.kubeconfig)
        .args(["-n", &ns.name, "serve", "--http", "127.0.0.1:0"])
        .env_remove("KUBECONFIG")
        .env("ANTHROPIC_BASE_URL", fake.base_url())
        .env("ANTHROPIC_API_KEY", KEY)
        .env("KUBECTL_MCP_STATE_DIR", state.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in `{line}`"))
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );

    let mut c = TsClient::connect(&url);
    let uri = format!("cmc://{}/web", ns.name);
    let listed = c.ok(json!({"op": "listResources"}));
    assert_eq!(listed["resources"][0]["uri"], uri.as_str());
    assert!(
        c.ok(json!({"op": "readResource", "uri": uri}))["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("over http?")
    );
    let r = c.tool("ask", json!({"session": "web", "message": "and back?"}));
    assert_eq!(
        r["structuredContent"]["reply"], "You said: and back?",
        "{r}"
    );
    c.close();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(ns.exported("web").len(), 4);
}
