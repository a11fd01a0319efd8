//! `kubectl mcp serve` driven by a client no one here wrote: the official MCP TypeScript SDK
//! (`@modelcontextprotocol/sdk` from npm, pinned), through `tests/mcp_ts/client.mjs`, over
//! stdio, against the real apiserver and the fake Messages API. The SDK is installed into the
//! project's cache on first use (`npm install`, a few seconds); Node.js and npm must be on PATH
//! (`.ci/run` installs them on a fresh machine).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
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
    fn connect(url: &str, token: &str) -> TsClient {
        let mut node = Command::new("node");
        node.arg(client_dir().join("client.mjs"))
            .arg(url)
            .env("MCP_BEARER_TOKEN", token);
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

    // The second line gives this run's token, and the file that holds it.
    line.clear();
    err.read_line(&mut line).unwrap();
    let token = line
        .split("Bearer ")
        .nth(1)
        .and_then(|t| t.split('`').next())
        .unwrap_or_else(|| panic!("no token in `{line}`"))
        .to_string();
    let file = state.path().join(format!(
        "serve-{}.token",
        url.trim_end_matches("/mcp").rsplit(':').next().unwrap()
    ));
    assert!(line.contains(&file.display().to_string()), "{line}");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), token);
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(token.len(), 64, "32 random bytes as hex: {token}");

    // Without the token, or with another one, nothing is served.
    assert_eq!(post_initialize(&url, None).0, 401);
    assert_eq!(post_initialize(&url, Some(&"0".repeat(64))).0, 401);
    let (status, body) = post_initialize(&url, Some("short"));
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("Bearer"), "{body}");
    // A second Unix user of the machine cannot read the token, and is refused.
    if is_root() {
        let nobody = |cmd: &[&str]| {
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .args(cmd)
                .output()
                .expect("setpriv (util-linux) runs a command as another user")
        };
        let read = nobody(&["cat", file.to_str().unwrap()]);
        assert!(!read.status.success(), "another user read the token");
        assert!(!String::from_utf8_lossy(&read.stdout).contains(&token));
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"intruder","version":"1"}}}"#;
        let curl = nobody(&[
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "-H",
            "accept: application/json, text/event-stream",
            "-d",
            body,
            &url,
        ]);
        assert_eq!(String::from_utf8_lossy(&curl.stdout), "401", "{curl:?}");
    } else {
        eprintln!("not root: the second-user part of this test needs setpriv as root");
    }

    let mut c = TsClient::connect(&url, &token);
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
    // Ctrl-C ends the run, and its token with it.
    let _ = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status();
    let _ = server.wait();
    assert!(!file.exists(), "the run's token outlived it");
    assert_eq!(ns.exported("web").len(), 4);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// POST an MCP `initialize` to `url` by hand (no SDK), with `token` as bearer: the status and
/// the body.
fn post_initialize(url: &str, token: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST /{path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n{auth}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, out)
}

/// `--token-file` serves with the owner's own token (refused when others may read the file, or
/// the token is too short), and `--no-auth` serves anyone, saying so.
#[test]
fn a_token_file_or_no_auth_over_http() {
    let ns = ControlPlane::with_crd().namespace("mcptoken");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let token = "0123456789abcdef0123456789abcdef";
    std::fs::write(&file, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    ns.mcp()
        .args(["serve", "--http", "127.0.0.1:0", "--token-file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("chmod 600"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let short = dir.path().join("short");
    std::fs::write(&short, "abc\n").unwrap();
    std::fs::set_permissions(&short, std::fs::Permissions::from_mode(0o600)).unwrap();
    ns.mcp()
        .args(["serve", "--http", "127.0.0.1:0", "--token-file"])
        .arg(&short)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("at least 16"));

    let serve = |extra: &[&std::ffi::OsStr]| {
        let mut server = Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"))
            .arg("--kubeconfig")
            .arg(&ns.cp.kubeconfig)
            .args(["-n", &ns.name, "serve", "--http", "127.0.0.1:0"])
            .args(extra)
            .env_remove("KUBECONFIG")
            .env("KUBECTL_MCP_STATE_DIR", dir.path())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(server.stderr.take().unwrap());
        let mut lines = String::new();
        for _ in 0..2 {
            err.read_line(&mut lines).unwrap();
        }
        let url = lines
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_string();
        (server, url, lines)
    };
    let (mut server, url, lines) = serve(&["--token-file".as_ref(), file.as_os_str()]);
    assert!(
        !lines.contains(token),
        "a token from a file is not printed: {lines}"
    );
    assert_eq!(post_initialize(&url, None).0, 401);
    assert_eq!(post_initialize(&url, Some(token)).0, 200);
    let _ = server.kill();
    let _ = server.wait();
    assert!(file.exists(), "the owner's token file is left alone");

    let (mut server, url, lines) = serve(&["--no-auth".as_ref()]);
    assert!(lines.contains("warning: --no-auth"), "{lines}");
    assert_eq!(post_initialize(&url, None).0, 200);
    let _ = server.kill();
    let _ = server.wait();
}
