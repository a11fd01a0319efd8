//! `kubectl mcp serve` driven by real MCP clients: the official Rust SDK's client (here) and the
//! official TypeScript SDK's client from npm (`tests/mcp_ts.rs`), over stdio, against the real
//! apiserver and the local fake Messages API.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{ControlPlane, Namespace};
use fake_claude::FakeClaude;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ReadResourceRequestParams, ResourceContents,
    ResourceUpdatedNotificationParam, SubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const KEY: &str = "sk-ant-mcp-test";

fn cp() -> &'static ControlPlane {
    ControlPlane::with_crd()
}

/// What the client was told, for the tests to wait on.
#[derive(Debug, PartialEq)]
enum Heard {
    Updated(String),
    ListChanged,
}

#[derive(Clone)]
struct Client {
    heard: mpsc::UnboundedSender<Heard>,
}

impl ClientHandler for Client {
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.heard.send(Heard::Updated(params.uri));
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.heard.send(Heard::ListChanged);
    }
}

/// A connected client with the runtime that drives it: the tests themselves are synchronous,
/// so that the shared helpers (which run their own small runtimes) can be called between calls.
struct Mcp {
    rt: tokio::runtime::Runtime,
    client: Option<RunningService<RoleClient, Client>>,
    heard: mpsc::UnboundedReceiver<Heard>,
}

impl Mcp {
    /// `kubectl-mcp serve` on `ns` as a child process, with `kubeconfig`, connected.
    fn connect(ns: &Namespace, fake: &FakeClaude, kubeconfig: &Path, state: &Path) -> Mcp {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let cmd = tokio::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-mcp"))
            .configure(|c| {
                c.env_remove("KUBECONFIG")
                    .env_remove("RUST_LOG")
                    .env("ANTHROPIC_BASE_URL", fake.base_url())
                    .env("ANTHROPIC_API_KEY", KEY)
                    .env("KUBECTL_MCP_STATE_DIR", state)
                    .arg("--kubeconfig")
                    .arg(kubeconfig)
                    .args(["-n", &ns.name, "serve"]);
            });
        let transport = rt
            .block_on(async { TokioChildProcess::new(cmd) })
            .expect("spawn serve");
        let client = rt
            .block_on(Client { heard: tx }.serve(transport))
            .expect("initialize");
        Mcp {
            rt,
            client: Some(client),
            heard: rx,
        }
    }

    fn client(&self) -> &RunningService<RoleClient, Client> {
        self.client.as_ref().unwrap()
    }

    fn call(&self, tool: &str, args: Value) -> CallToolResult {
        self.rt.block_on(call(self.client(), tool, args))
    }

    fn read(&self, uri: &str) -> String {
        self.rt.block_on(read(self.client(), uri))
    }

    fn heard(&mut self, want: &Heard) {
        let rx = &mut self.heard;
        self.rt.block_on(heard(rx, want))
    }

    fn close(mut self) {
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(c.cancel());
        }
    }
}

async fn call(
    client: &RunningService<RoleClient, Client>,
    tool: &str,
    args: Value,
) -> CallToolResult {
    client
        .call_tool(
            CallToolRequestParams::new(tool.to_string())
                .with_arguments(args.as_object().cloned().unwrap_or_default()),
        )
        .await
        .unwrap_or_else(|e| panic!("{tool}: a protocol error instead of a result: {e}"))
}

fn structured(r: &CallToolResult) -> Value {
    r.structured_content.clone().unwrap_or_else(|| {
        panic!("no structured content: {r:?}");
    })
}

fn is_error(r: &CallToolResult) -> bool {
    r.is_error == Some(true)
}

fn text_of(r: &CallToolResult) -> String {
    serde_json::to_string(&r.content).unwrap()
}

async fn read(client: &RunningService<RoleClient, Client>, uri: &str) -> String {
    let r = client
        .read_resource(ReadResourceRequestParams::new(uri.to_string()))
        .await
        .unwrap_or_else(|e| panic!("read {uri}: {e}"));
    match &r.contents[0] {
        ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("not text: {other:?}"),
    }
}

async fn heard(rx: &mut mpsc::UnboundedReceiver<Heard>, want: &Heard) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(h)) if &h == want => return,
            Ok(Some(_)) => continue,
            _ => panic!("never heard {want:?}"),
        }
    }
}

/// Discovery, every resource view, every tool, and bad arguments to every tool.
#[test]
fn the_sdk_client_discovers_reads_and_calls_every_tool() {
    let ns = cp().namespace("mcp");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    common::chat_with(&ns, &fake, KEY)
        .args(["ops", "--model", "claude-haiku-4-5", "--system", "be brief"])
        .args(["-m", "why does web-1 restart?", "-m", "and web-2?"])
        .assert()
        .success();
    let m = Mcp::connect(&ns, &fake, &ns.cp.kubeconfig, state.path());

    let info = m.client().peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "kubectl-mcp");
    let caps = &info.capabilities;
    assert_eq!(caps.resources.as_ref().unwrap().subscribe, Some(true));
    assert_eq!(caps.resources.as_ref().unwrap().list_changed, Some(true));

    let tools = m.rt.block_on(m.client().list_all_tools()).unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
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
    for t in &tools {
        assert_eq!(t.input_schema["type"], "object", "{}", t.name);
        assert!(
            t.description.as_ref().is_some_and(|d| d.len() > 20),
            "{}",
            t.name
        );
    }

    // Resources: one per context, four views each.
    let uri = format!("cmc://{}/ops", ns.name);
    let resources = m.rt.block_on(m.client().list_all_resources()).unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].uri, uri);
    assert_eq!(resources[0].mime_type.as_deref(), Some("text/markdown"));
    let templates =
        m.rt.block_on(m.client().list_all_resource_templates())
            .unwrap();
    assert_eq!(templates.len(), 4);
    let md = m.read(&uri);
    assert!(
        md.contains("why does web-1 restart?") && md.contains("You said: and web-2?"),
        "{md}"
    );
    let doc: Value = serde_json::from_str(&m.read(&format!("{uri}/transcript.json"))).unwrap();
    assert_eq!(doc["spec"]["contextHistory"].as_array().unwrap().len(), 4);
    assert_eq!(m.read(&format!("{uri}/summary")), "");
    let window: Value = serde_json::from_str(&m.read(&format!("{uri}/window"))).unwrap();
    assert_eq!(window["system"], "be brief");
    assert_eq!(window["turnsSent"], 2);
    let missing =
        m.rt.block_on(
            m.client()
                .read_resource(ReadResourceRequestParams::new(format!(
                    "cmc://{}/nope",
                    ns.name
                ))),
        )
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("not found") || missing.contains("nope"),
        "{missing}"
    );

    // Tools.
    let r = m.call("list_contexts", json!({}));
    assert!(!is_error(&r), "{}", text_of(&r));
    let v = structured(&r);
    assert_eq!(v["count"], 1);
    assert_eq!(v["contexts"][0]["session"], "ops");
    assert_eq!(v["contexts"][0]["turns"], 2);

    // search_contexts: the same search as `kubectl mcp search`.
    let v = structured(&m.call("search_contexts", json!({"text": "WEB-1 restart"})));
    assert_eq!(v["count"], 1, "{v}");
    assert_eq!(v["contexts"][0]["session"], "ops");
    assert_eq!(v["contexts"][0]["matches"][0]["where"], "turn 1 user");
    assert_eq!(
        structured(&m.call("search_contexts", json!({"text": "no such words"})))["count"],
        0
    );

    let v = structured(&m.call("get_context", json!({"session": "ops", "lastTurns": 1})));
    assert_eq!(v["spec"]["modelName"], "claude-haiku-4-5");
    assert_eq!(v["turns"], 2);
    let last: Vec<&str> = v["lastTurns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(last, ["and web-2?", "You said: and web-2?"]);

    let r = m.call(
        "create_context",
        json!({"session": "Alice/new #1", "model": "claude-sonnet-4-5", "labels": {"team": "sre"}}),
    );
    assert!(!is_error(&r), "{}", text_of(&r));
    let created = structured(&r);
    let new_name = created["name"].as_str().unwrap().to_string();
    assert!(ns
        .contexts()
        .iter()
        .any(|o| o.metadata.name.as_deref() == Some(new_name.as_str())));

    let r = m.call("ask", json!({"session": "ops", "message": "and web-3?"}));
    assert!(!is_error(&r), "{}", text_of(&r));
    let v = structured(&r);
    assert_eq!(v["reply"], "You said: and web-3?");
    assert_eq!(v["turns"], 3);
    let o = ns
        .contexts()
        .into_iter()
        .find(|o| o.spec.session_id == "ops")
        .unwrap();
    let h = &o.spec.context_history;
    assert_eq!(h[h.len() - 2].content, "and web-3?");
    assert_eq!(
        h[h.len() - 2].author.as_ref().unwrap().via.as_deref(),
        Some("mcp")
    );

    let v = structured(&m.call(
        "summarize",
        json!({"session": "ops", "keepLast": 1, "dryRun": true}),
    ));
    assert_eq!(v["messagesToFold"], 4);
    let r = m.call("summarize", json!({"session": "ops", "keepLast": 1}));
    assert!(!is_error(&r), "{}", text_of(&r));
    assert_eq!(structured(&r)["folded"], 4);
    assert!(!m.read(&format!("{uri}/summary")).is_empty());

    // Expire: a dry run unless told.
    ns.mcp()
        .args([
            "create",
            "old",
            "--model",
            "m",
            "--expires-at",
            "2020-01-01T00:00:00Z",
            "--yes",
        ])
        .assert()
        .success();
    let v = structured(&m.call("expire", json!({})));
    assert_eq!(v["dryRun"], true);
    assert_eq!(v["contexts"][0]["action"], "would expire");
    let old = |ns: &Namespace| {
        ns.contexts()
            .into_iter()
            .find(|o| o.spec.session_id == "old")
            .unwrap()
    };
    assert_ne!(old(&ns).state().as_str(), "Expired");
    let v = structured(&m.call("expire", json!({"dryRun": false})));
    assert_eq!(v["contexts"][0]["action"], "expired");
    assert_eq!(old(&ns).state().as_str(), "Expired");

    // Bad arguments: a clear error result for every tool, and nothing stored.
    let before: Vec<_> = ns
        .contexts()
        .into_iter()
        .map(|o| (o.metadata.name.clone(), o.spec.context_history.len()))
        .collect();
    for (tool, args, says) in [
        ("list_contexts", json!({"state": "Sleeping"}), "Sleeping"),
        ("get_context", json!({"sesion": "ops"}), "sesion"),
        ("search_contexts", json!({}), "text"),
        ("search_contexts", json!({"text": "  "}), "some text"),
        ("get_context", json!({"session": "nope"}), "nope"),
        ("create_context", json!({"session": "x"}), "model"),
        (
            "create_context",
            json!({"session": "y", "model": "m", "maxTokens": 0}),
            "maxTokens",
        ),
        (
            "create_context",
            json!({"session": "z", "model": "m", "expiresIn": "soon"}),
            "soon",
        ),
        ("ask", json!({"session": "ops", "mesage": "hi"}), "mesage"),
        ("ask", json!({"session": "ops", "message": "   "}), "empty"),
        ("ask", json!({"session": "nope", "message": "hi"}), "nope"),
        ("ask", json!({"session": "old", "message": "hi"}), "Expired"),
        (
            "summarize",
            json!({"session": "ops", "keepLast": -1}),
            "keepLast",
        ),
        (
            "summarize",
            json!({"session": "ops", "keepLast": 0}),
            "keepLast",
        ),
        ("expire", json!({"idle": "a while"}), "a while"),
    ] {
        let r = m.call(tool, args.clone());
        assert!(is_error(&r), "{tool} {args}: {}", text_of(&r));
        assert!(text_of(&r).contains(says), "{tool} {args}: {}", text_of(&r));
    }
    let after: Vec<_> = ns
        .contexts()
        .into_iter()
        .map(|o| (o.metadata.name.clone(), o.spec.context_history.len()))
        .collect();
    assert_eq!(before, after, "nothing stored or created by a bad call");
    m.close();
}

/// A subscribed context is announced when another process appends a turn, and the list when
/// another process creates a context.
#[test]
fn a_subscription_hears_another_process_append_a_turn() {
    let ns = cp().namespace("mcpsub");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    common::chat_with(&ns, &fake, KEY)
        .args(["s", "--model", "m", "-m", "first"])
        .assert()
        .success();
    let mut m = Mcp::connect(&ns, &fake, &ns.cp.kubeconfig, state.path());
    let uri = format!("cmc://{}/s", ns.name);
    #[allow(deprecated)]
    m.rt.block_on(
        m.client()
            .subscribe(SubscribeRequestParams::new(uri.clone())),
    )
    .unwrap();
    // Give the watch a moment to start, then another process writes.
    std::thread::sleep(Duration::from_millis(500));
    common::chat_with(&ns, &fake, KEY)
        .args(["s", "-m", "second"])
        .assert()
        .success();
    m.heard(&Heard::Updated(uri.clone()));
    let md = m.read(&uri);
    assert!(md.contains("You said: second"));

    ns.mcp()
        .args(["create", "another", "--model", "m"])
        .assert()
        .success();
    m.heard(&Heard::ListChanged);
    assert_eq!(
        m.rt.block_on(m.client().list_all_resources())
            .unwrap()
            .len(),
        2
    );
    ns.mcp().args(["delete", "another"]).assert().success();
    m.heard(&Heard::ListChanged);
    assert_eq!(
        m.rt.block_on(m.client().list_all_resources())
            .unwrap()
            .len(),
        1
    );
    m.close();
}

/// With the unprivileged kubeconfig: every call is refused by RBAC, as a clear error naming the
/// verb, the resource and the namespace. With a read-only Role (the one the README gives):
/// reading works; writing tools are refused the same way, nothing is written, and Claude is not
/// called.
#[test]
fn rbac_refusals_are_clear_tool_errors() {
    let ns = cp().namespace("mcprbac");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    common::chat_with(&ns, &fake, KEY)
        .args(["ro", "--model", "m", "-m", "hello", "-m", "again"])
        .assert()
        .success();
    let calls = fake.message_requests().len();
    let m = Mcp::connect(&ns, &fake, &ns.cp.viewer_kubeconfig, state.path());
    let r = m.call("list_contexts", json!({}));
    let t = text_of(&r);
    assert!(
        is_error(&r)
            && t.contains("forbidden")
            && t.contains("list claudemodelcontexts")
            && t.contains(&ns.name),
        "{t}"
    );
    let err =
        m.rt.block_on(
            m.client()
                .read_resource(ReadResourceRequestParams::new(format!(
                    "cmc://{}/ro",
                    ns.name
                ))),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("forbidden"), "{err}");

    grant_read_only(&ns);
    // Idle for more than the `idle: 1s` the expire calls below give.
    std::thread::sleep(Duration::from_secs(2));
    let r = m.call("list_contexts", json!({}));
    assert!(!is_error(&r), "{}", text_of(&r));
    assert_eq!(structured(&r)["count"], 1);
    assert!(m.read(&format!("cmc://{}/ro", ns.name)).contains("hello"));
    for (tool, args, verb) in [
        (
            "ask",
            json!({"session": "ro", "message": "may I?"}),
            "patch",
        ),
        (
            "create_context",
            json!({"session": "new", "model": "m"}),
            "create",
        ),
        ("expire", json!({"dryRun": false, "idle": "1s"}), "patch"),
        (
            "summarize",
            json!({"session": "ro", "keepLast": 1}),
            "patch",
        ),
    ] {
        let r = m.call(tool, args);
        let t = text_of(&r);
        assert!(is_error(&r), "{tool}: {t}");
        assert!(
            t.contains("forbidden") && t.contains(verb) && t.contains(&ns.name),
            "{tool}: {t}"
        );
    }
    // A dry run of expire only reads.
    let r = m.call("expire", json!({"idle": "1s"}));
    assert!(!is_error(&r), "{}", text_of(&r));
    assert_eq!(structured(&r)["contexts"][0]["action"], "would expire");
    assert_eq!(
        fake.message_requests().len(),
        calls,
        "Claude was not called"
    );
    assert_eq!(ns.contexts().len(), 1);
    assert_eq!(ns.contexts()[0].spec.context_history.len(), 4);
    m.close();
}

/// The README's read-only Role for `kubectl mcp serve`, bound to the viewer user.
fn grant_read_only(ns: &Namespace) {
    use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
    use kube::api::{Api, PostParams};
    common::block_on(async {
        let client = ns.cp.client().await;
        let role = json!({
            "metadata": {"name": "mcp-reader"},
            "rules": [
                {"apiGroups": ["mcp.dev"], "resources": ["claudemodelcontexts", "claudemodelcontextsegments"], "verbs": ["get", "list", "watch"]}
            ]
        });
        Api::<Role>::namespaced(client.clone(), &ns.name)
            .create(
                &PostParams::default(),
                &serde_json::from_value(role).unwrap(),
            )
            .await
            .unwrap();
        let binding = json!({
            "metadata": {"name": "mcp-reader"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "mcp-reader"},
            "subjects": [{"kind": "User", "name": "viewer", "apiGroup": "rbac.authorization.k8s.io"}]
        });
        Api::<RoleBinding>::namespaced(client, &ns.name)
            .create(
                &PostParams::default(),
                &serde_json::from_value(binding).unwrap(),
            )
            .await
            .unwrap();
    });
    // RBAC takes effect at once on the apiserver; a moment for its informer cache.
    std::thread::sleep(Duration::from_millis(500));
}

/// A turn added with `ask` is the same in the object as one added by `chat`: the same message
/// fields, the same status fields, the same Events.
#[test]
fn an_ask_turn_is_indistinguishable_from_a_chat_turn() {
    let ns = cp().namespace("mcpsame");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    for s in ["by-chat", "by-ask"] {
        ns.mcp()
            .args(["create", s, "--model", "claude-haiku-4-5"])
            .assert()
            .success();
    }
    common::chat_with(&ns, &fake, KEY)
        .args(["by-chat", "-m", "the same question"])
        .assert()
        .success();
    let m = Mcp::connect(&ns, &fake, &ns.cp.kubeconfig, state.path());
    let r = m.call(
        "ask",
        json!({"session": "by-ask", "message": "the same question"}),
    );
    assert!(!is_error(&r), "{}", text_of(&r));
    m.close();
    let get = |s: &str| {
        ns.contexts()
            .into_iter()
            .find(|o| o.spec.session_id == s)
            .unwrap()
    };
    let (a, b) = (get("by-chat"), get("by-ask"));
    let shape = |o: &kubectl_mcp::model::resource::ClaudeModelContext| {
        let mut v = serde_json::to_value(o).unwrap();
        let h = v["spec"]["contextHistory"].take();
        let msgs: Vec<Value> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let mut keys: Vec<String> = m.as_object().unwrap().keys().cloned().collect();
                keys.sort();
                json!({"role": m["role"], "content": m["content"], "keys": keys, "author": m["author"].as_object().map(|a| { let mut k: Vec<_> = a.keys().cloned().collect(); k.sort(); k })})
            })
            .collect();
        let mut status: Vec<String> = v["status"].as_object().unwrap().keys().cloned().collect();
        status.sort();
        (
            msgs,
            status,
            v["status"]["turnCount"].clone(),
            v["status"]["currentState"].clone(),
        )
    };
    assert_eq!(shape(&a), shape(&b));
    assert_eq!(
        b.spec.context_history[0]
            .author
            .as_ref()
            .unwrap()
            .via
            .as_deref(),
        Some("mcp")
    );
    assert_eq!(
        a.spec.context_history[0]
            .author
            .as_ref()
            .unwrap()
            .via
            .as_deref(),
        Some("chat")
    );
    let reasons = |name: &str| {
        let mut r: Vec<String> = ns.events(name).into_iter().map(|(r, _)| r).collect();
        r.sort();
        r
    };
    assert_eq!(
        reasons(a.metadata.name.as_deref().unwrap()),
        reasons(b.metadata.name.as_deref().unwrap())
    );
}

/// A turn a client adds with `ask` appears in a REPL watching the same context, named as the
/// MCP server's (`via mcp`), like any other writer's turn.
#[test]
fn an_ask_turn_appears_in_a_watching_repl() {
    let ns = cp().namespace("mcprepl");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    ns.mcp()
        .args(["create", "shared", "--model", "m"])
        .assert()
        .success();
    let t = common::tmux::Tmux::new("mcprepl");
    t.session(
        "w",
        &format!(
            "env -u KUBECONFIG ANTHROPIC_BASE_URL={} ANTHROPIC_API_KEY={KEY} KUBECTL_MCP_STATE_DIR={} {} --kubeconfig {} -n {} chat shared; sleep 60",
            fake.base_url(),
            state.path().display(),
            assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
            ns.cp.kubeconfig.display(),
            ns.name
        ),
    );
    t.wait_for_in("w", "Ctrl-D exits.");
    let m = Mcp::connect(&ns, &fake, &ns.cp.kubeconfig, state.path());
    let r = m.call(
        "ask",
        json!({"session": "shared", "message": "asked through MCP"}),
    );
    assert!(!is_error(&r), "{}", text_of(&r));
    let screen = t
        .wait_until("w", Duration::from_secs(15), |s| {
            s.contains("> asked through MCP\nYou said: asked through MCP")
        })
        .unwrap_or_else(|s| panic!("the REPL never showed the turn:\n{s}"));
    assert!(
        screen.contains("── turn from ") && screen.contains(", mcp)"),
        "{screen}"
    );
    m.close();
}

/// `resources/list` pages through the namespace (100 a page), every context once, in order.
#[test]
fn resources_list_pages_through_every_context() {
    use kube::api::{Api, PostParams};
    let ns = cp().namespace("mcppages");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    common::block_on(async {
        let api: Api<kubectl_mcp::model::resource::ClaudeModelContext> =
            Api::namespaced(ns.cp.client().await, &ns.name);
        for i in 0..230 {
            let obj = json!({
                "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
                "metadata": {"name": format!("c-{i:03}")},
                "spec": {"modelName": "m", "sessionID": format!("c-{i:03}")}
            });
            api.create(
                &PostParams::default(),
                &serde_json::from_value(obj).unwrap(),
            )
            .await
            .unwrap();
        }
    });
    let m = Mcp::connect(&ns, &fake, &ns.cp.kubeconfig, state.path());
    let first = m.rt.block_on(m.client().list_resources(None)).unwrap();
    assert_eq!(first.resources.len(), 100);
    assert!(first.next_cursor.is_some());
    let all = m.rt.block_on(m.client().list_all_resources()).unwrap();
    let uris: Vec<String> = all.iter().map(|r| r.uri.clone()).collect();
    let want: Vec<String> = (0..230)
        .map(|i| format!("cmc://{}/c-{i:03}", ns.name))
        .collect();
    assert_eq!(uris, want);
    m.close();
}

/// Issue #24 item 5, over MCP: with sealed turns in the window, the `…/window` resource and
/// `get_context`'s `window` show what the next request carries (its turns and estimate less the
/// new message), as `get` does.
#[test]
fn the_window_resource_and_get_context_are_the_next_request_with_sealed_turns() {
    let ns = cp().namespace("mcpwin");
    let fake = common::fake_claude(KEY);
    let state = tempfile::tempdir().unwrap();
    common::conversation::mostly_sealed("long", 40).grow(common::process(
        &ns,
        &fake,
        KEY,
        state.path(),
    ));
    let m = Mcp::connect(&ns, &fake, &ns.cp.kubeconfig, state.path());
    let uri = format!("cmc://{}/long", ns.name);
    let window: Value = serde_json::from_str(&m.read(&format!("{uri}/window"))).unwrap();
    let described = structured(&m.call("get_context", json!({"session": "long"})));
    m.close();
    let (turns, before) = (
        window["turnsSent"].as_u64().unwrap(),
        window["estimatedTokens"].as_u64().unwrap(),
    );
    assert_eq!(described["window"]["turnsSent"], turns, "{described}");
    assert_eq!(
        described["window"]["tokensBeforeNextMessage"], before,
        "{described}"
    );
    let obj = ns
        .contexts()
        .into_iter()
        .find(|c| c.spec.session_id == "long")
        .unwrap();
    let live = kubectl_mcp::model::resource::count_turns(obj.live_history()) as u64;
    assert!(
        turns > live,
        "the window reaches sealed turns: {turns} vs {live} live"
    );
    assert_eq!(
        described["window"]["firstMessage"],
        obj.conversation_len() - 2 * turns,
        "{described}"
    );
    assert_eq!(
        window["messages"].as_array().unwrap().len() as u64,
        2 * turns,
        "the window resource lists the turns it carries, not the stand-in for the next message"
    );

    let question = "and what should I check next?";
    let out = common::process(&ns, &fake, KEY, state.path())
        .env("KUBECTL_MCP_LIVE_BYTES", "8KiB")
        .args(["chat", "long", "-m", question, "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["window"]["turns_sent"], turns, "{v}");
    let request = fake.message_requests().pop().unwrap();
    let sent = request.body["messages"].as_array().unwrap();
    assert_eq!(sent.len() as u64, 2 * turns + 1);
    let shown = window["messages"].as_array().unwrap();
    let differ = sent[..sent.len() - 1]
        .iter()
        .zip(shown)
        .filter(|(s, w)| {
            s["role"] != w["role"]
                || common::text_of(&s["content"]) != common::text_of(&w["content"])
        })
        .count();
    assert_eq!(
        differ, 0,
        "the window resource's messages are the ones sent"
    );
    let q = u64::from(kubectl_mcp::engine::tokens::message_tokens(question));
    let estimate = v[0]["window"]["estimated_tokens"].as_u64().unwrap();
    assert!(
        estimate.abs_diff(before + q) <= q / 4 + 2,
        "the request's estimate {estimate}, the views' {before} + {q}"
    );
}

/// Issue #25 item 7: `serve` started by hand on a terminal says, in one stderr line, that it
/// waits for an MCP client and how one runs it; started by a client (stdin a pipe) it prints
/// nothing but the protocol.
#[test]
fn serve_on_a_terminal_says_how_to_connect_a_client() {
    let ns = cp().namespace("serve-hint");
    let t = common::tmux::Tmux::new("servehint");
    t.session(
        "s",
        &format!(
            "env -u KUBECONFIG {} --kubeconfig {} -n {} serve; echo EXITED $?; sleep 60",
            assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
            ns.cp.kubeconfig.display(),
            ns.name
        ),
    );
    let screen = t.wait_for_in("s", "Ctrl-C stops");
    assert!(
        screen.contains(&format!(
            "serving MCP on stdin/stdout for namespace {}: an MCP client starts this itself, e.g. `claude mcp add kubectl-mcp -- kubectl mcp serve -n {}`",
            ns.name, ns.name
        )),
        "{screen}"
    );
    // End of input ends it, as a client closing the pipe does.
    t.keys_to("s", &["C-d"]);
    t.wait_for_in("s", "EXITED 0");
    // A client's pipe: stderr stays quiet.
    let out = ns.mcp().arg("serve").write_stdin("").output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("serving MCP"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
