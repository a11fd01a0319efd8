//! The real binary against a real kube-apiserver: create / get / list / delete, every output
//! format, paging, RBAC, validation by the server, and errors a person can act on.

mod common;

use common::{block_on, stderr, stdout, ControlPlane};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::{json, Value};

fn hand_written(name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "mcp.dev/v1alpha1",
        "kind": "ClaudeModelContext",
        "metadata": {"name": name},
        "spec": spec,
    })
}

#[test]
fn install_twice_is_idempotent() {
    let cp = ControlPlane::with_crd();
    cp.mcp_admin()
        .arg("install")
        .assert()
        .success()
        .stdout(contains("claudemodelcontexts.mcp.dev unchanged"));
}

#[test]
fn create_get_list_delete_round_trip() {
    let ns = ControlPlane::with_crd().namespace("roundtrip");
    ns.mcp()
        .args(["create", "demo", "--model", "claude-sonnet-4-5"])
        .assert()
        .success()
        .stdout("claudemodelcontext.mcp.dev/demo created\n");
    let stored = ns.contexts();
    assert_eq!(stored.len(), 1);
    let status = stored[0].status.clone().unwrap();
    assert_eq!(status.current_state.unwrap().as_str(), "Active");
    assert_eq!(status.turn_count, Some(0));

    ns.mcp()
        .args(["get", "demo"])
        .assert()
        .success()
        .stdout(contains("Model:         claude-sonnet-4-5"))
        .stdout(contains(format!("Namespace:     {}", ns.name)));

    let out = ns.mcp().arg("list").output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    for col in [
        "NAME",
        "MODEL",
        "SESSION",
        "STATE",
        "TURNS",
        "TOKENS",
        "LAST ACTIVITY",
        "AGE",
    ] {
        assert!(lines[0].contains(col), "{col} missing: {text}");
    }
    let cells: Vec<_> = lines[1].split_whitespace().collect();
    assert_eq!(
        cells[..6],
        ["demo", "claude-sonnet-4-5", "demo", "Active", "0", "0"],
        "{text}"
    );

    ns.mcp()
        .args(["delete", "demo"])
        .assert()
        .success()
        .stdout("claudemodelcontext.mcp.dev \"demo\" deleted\n");
    assert!(ns.contexts().is_empty());
    ns.mcp()
        .arg("ls")
        .assert()
        .success()
        .stdout("")
        .stderr(format!("No resources found in {} namespace.\n", ns.name));
}

#[test]
fn every_spec_flag_is_stored() {
    let ns = ControlPlane::with_crd().namespace("flags");
    let sys = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(sys.path(), "You are terse.\nAnswer in English.").unwrap();
    ns.mcp()
        .args([
            "create",
            "full",
            "--model",
            "claude-haiku-4-5",
            "--max-tokens",
            "4000",
        ])
        .args([
            "--max-output-tokens",
            "256",
            "--history-size",
            "10",
            "--strategy",
            "hybrid",
        ])
        .args([
            "--expires-at",
            "2030-01-01T00:00:00Z",
            "-L",
            "team=sre",
            "-L",
            "tier=test",
        ])
        .arg("--system-file")
        .arg(sys.path())
        .assert()
        .success();
    let o = &ns.contexts()[0];
    assert_eq!(o.spec.max_tokens, Some(4000));
    assert_eq!(o.spec.max_output_tokens, Some(256));
    assert_eq!(o.spec.history_size, Some(10));
    assert_eq!(o.spec.summarization_strategy.as_str(), "hybrid");
    assert_eq!(
        o.spec.expiration_time.unwrap().to_string(),
        "2030-01-01T00:00:00Z"
    );
    assert_eq!(
        o.spec.system_prompt.as_deref(),
        Some("You are terse.\nAnswer in English.")
    );
    let labels = o.metadata.labels.clone().unwrap();
    assert_eq!(
        (labels["team"].as_str(), labels["tier"].as_str()),
        ("sre", "test")
    );

    ns.mcp()
        .args(["create", "soon", "--model", "m", "--expires-in", "2h"])
        .assert()
        .success();
    ns.mcp()
        .args(["list", "-o", "wide"])
        .assert()
        .success()
        .stdout(contains("STRATEGY   BUDGET   HISTORY   EXPIRES"))
        .stdout(contains("hybrid     4000     10"))
        .stdout(contains("in 119m").or(contains("in 120m")));
}

#[test]
fn any_session_id_reaches_the_same_object_twice() {
    let ns = ControlPlane::with_crd().namespace("ids");
    for id in ["Alice/support #42", "Café ☕", &"x/".repeat(256)] {
        let out = ns
            .mcp()
            .args(["create", id, "--model", "m", "-o", "name"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let name = stdout(&out)
            .trim()
            .trim_start_matches("claudemodelcontext.mcp.dev/")
            .to_string();
        let got = ns.mcp().args(["get", id, "-o", "json"]).output().unwrap();
        let v: Value = serde_json::from_slice(&got.stdout).unwrap();
        assert_eq!(v["spec"]["sessionID"], *id);
        assert_eq!(v["metadata"]["name"], name);
        assert!(v["metadata"].get("managedFields").is_none());
        // The NAME column works as an argument too.
        ns.mcp()
            .args(["get", &name, "-o", "name"])
            .assert()
            .success();
        // A second create for the same ID is refused, and the stored object is unchanged.
        ns.mcp()
            .args(["create", id, "--model", "other"])
            .assert()
            .code(1)
            .stderr(contains("already exists"));
    }
    assert_eq!(ns.contexts().len(), 3);
    assert!(ns.contexts().iter().all(|o| o.spec.model_name == "m"));
}

#[test]
fn bad_session_ids_and_missing_flags_are_usage_errors() {
    let ns = ControlPlane::with_crd().namespace("usage");
    ns.mcp()
        .args(["create", "", "--model", "m"])
        .assert()
        .code(2)
        .stderr(contains("empty"));
    ns.mcp()
        .args(["create", &"y".repeat(600), "--model", "m"])
        .assert()
        .code(2)
        .stderr(contains("600 characters long; the limit is 512"));
    ns.mcp()
        .args(["create", "x"])
        .assert()
        .code(2)
        .stderr(contains("--model"));
    ns.mcp()
        .args(["create", "x", "--model", "m", "--max-tokens", "0"])
        .assert()
        .code(2);
    ns.mcp()
        .args(["create", "x", "--model", "m", "--strategy", "fast"])
        .assert()
        .code(2);
    ns.mcp()
        .args(["create", "x", "--model", "m", "--expires-in", "soon"])
        .assert()
        .code(2);
    ns.mcp()
        .args(["list", "--sort-by", "color"])
        .assert()
        .code(2);
    ns.mcp().args(["frobnicate"]).assert().code(2);
    assert!(
        ns.contexts().is_empty(),
        "nothing may be stored by a refused command"
    );
}

#[test]
fn get_and_delete_of_a_missing_session_name_it_and_the_namespace() {
    let ns = ControlPlane::with_crd().namespace("missing");
    ns.mcp()
        .args(["get", "Nobody #1"])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "no context for session \"Nobody #1\" in namespace \"{}\"",
            ns.name
        )))
        .stderr(contains(
            "(`kubectl mcp list -A` lists the contexts of every namespace)",
        ));
    ns.mcp()
        .args(["create", "keep", "--model", "m"])
        .assert()
        .success();
    ns.mcp()
        .args(["delete", "gone", "keep"])
        .assert()
        .code(1)
        .stdout(contains("\"keep\" deleted"))
        .stderr(contains("\"gone\""));
    ns.mcp()
        .args(["delete", "gone", "--ignore-not-found"])
        .assert()
        .success();
}

/// Issue #11: a wrong or missing `-n` is named as such; a session that lives in another
/// namespace is pointed to, and `chat` never starts a second conversation for it quietly.
#[test]
fn a_wrong_namespace_is_named_and_never_forks_a_conversation() {
    let cp = ControlPlane::with_crd();
    let home = cp.namespace("nshome");
    let other = cp.namespace("nsother");
    let nope = format!("nope-{}", std::process::id());
    home.mcp()
        .args(["create", "demo", "--model", "m", "-n", &nope])
        .assert()
        .code(1)
        .stderr(contains(format!("namespace \"{nope}\" does not exist")))
        .stderr(contains("kubectl mcp create").not());
    // A session ID no other test uses: the hint names the one namespace that holds it.
    let s = format!("ns-probe-{}", std::process::id());
    home.mcp()
        .args(["create", &s, "--model", "m"])
        .assert()
        .success();
    let here = format!(
        "it is in namespace \"{}\": pass -n {}",
        home.name, home.name
    );
    other
        .mcp()
        .args(["get", &s])
        .assert()
        .code(1)
        .stderr(contains(here));
    // `chat` still starts a conversation here when asked to, but never quietly.
    let fake = common::fake_claude("sk-ant-ns-test");
    common::chat_with(&other, &fake, "sk-ant-ns-test")
        .args([s.as_str(), "--model", "m", "-m", "hello"])
        .assert()
        .success()
        .stderr(contains(format!(
            "also has a context in namespace {}",
            home.name
        )));
    other.mcp().args(["delete", &s]).assert().success();
    other
        .mcp()
        .args(["delete", &s, "nobody"])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "context \"{s}\" not found in namespace \"{}\" (it is in namespace \"{}\"",
            other.name, home.name
        )))
        .stderr(contains(format!(
            "context \"nobody\" not found in namespace \"{}\"",
            other.name
        )))
        .stderr(contains("kubectl mcp create").not());
}

#[test]
fn every_output_format() {
    let ns = ControlPlane::with_crd().namespace("formats");
    let created = ns
        .mcp()
        .args(["create", "one", "--model", "m", "-o", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&created.stdout).unwrap();
    assert_eq!(v["kind"], "ClaudeModelContext");
    assert_eq!(v["status"]["currentState"], "Active");
    let y = ns
        .mcp()
        .args(["create", "two", "--model", "m", "-o", "yaml"])
        .output()
        .unwrap();
    let v: Value = serde_yaml::from_slice(&y.stdout).unwrap();
    assert_eq!(v["metadata"]["name"], "two");

    let out = ns.mcp().args(["list", "-o", "json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(
        list["items"][0]["metadata"].get("managedFields").is_none(),
        "documents hide managedFields, as kubectl does"
    );
    let out = ns.mcp().args(["list", "-o", "yaml"]).output().unwrap();
    let list: Value = serde_yaml::from_slice(&out.stdout).unwrap();
    assert_eq!(list["items"][1]["spec"]["sessionID"], "two");
    ns.mcp()
        .args(["list", "-o", "name"])
        .assert()
        .success()
        .stdout("claudemodelcontext.mcp.dev/one\nclaudemodelcontext.mcp.dev/two\n");
    ns.mcp()
        .args(["list", "--no-headers"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("one "));
    for (fmt, parse) in [("json", true), ("yaml", true), ("name", false)] {
        let out = ns.mcp().args(["get", "one", "-o", fmt]).output().unwrap();
        assert!(out.status.success());
        if parse {
            let v: Value = serde_yaml::from_slice(&out.stdout).unwrap();
            assert_eq!(v["spec"]["sessionID"], "one");
        } else {
            assert_eq!(stdout(&out), "claudemodelcontext.mcp.dev/one\n");
        }
    }
    // An empty list in a machine format is an empty List, not a message.
    let empty = ControlPlane::with_crd().namespace("formats-empty");
    let out = empty.mcp().args(["list", "-o", "json"]).output().unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["items"], json!([]));
}

#[test]
fn list_pages_through_large_namespaces() {
    let ns = ControlPlane::with_crd().namespace("paging");
    for i in 0..25 {
        ns.create_raw(hand_written(
            &format!("c{i:02}"),
            json!({"modelName": "m", "sessionID": format!("c{i:02}")}),
        ))
        .unwrap();
    }
    let out = ns
        .mcp()
        .args([
            "list",
            "--consistent",
            "--chunk-size",
            "10",
            "-vv",
            "--no-headers",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 25);
    assert_eq!(
        stderr(&out).matches("fetching the next page").count(),
        2,
        "25 objects in pages of 10 take 3 requests:\n{}",
        stderr(&out)
    );
}

#[test]
fn all_namespaces_selectors_state_and_sorting() {
    let cp = ControlPlane::with_crd();
    let a = cp.namespace("alla");
    let b = cp.namespace("allb");
    a.mcp()
        .args(["create", "x1", "--model", "m", "-L", "team=red"])
        .assert()
        .success();
    b.mcp()
        .args(["create", "x2", "--model", "m", "-L", "team=blue"])
        .assert()
        .success();
    a.create_raw(hand_written(
        "hand",
        json!({"modelName": "m", "sessionID": "hand"}),
    ))
    .unwrap();

    let out = a
        .mcp()
        .args(["list", "-A", "-l", "team in (red,blue)"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.starts_with("NAMESPACE "), "{text}");
    assert!(text.contains(&a.name) && text.contains(&b.name), "{text}");
    assert!(!text.contains("hand"), "{text}");

    a.mcp()
        .args(["list", "-l", "team=blue"])
        .assert()
        .success()
        .stdout("");
    // A hand-written object has no status: it counts as Active.
    let out = a
        .mcp()
        .args([
            "list",
            "--state",
            "active",
            "-o",
            "name",
            "--sort-by",
            "name",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "claudemodelcontext.mcp.dev/hand\nclaudemodelcontext.mcp.dev/x1\n"
    );
    a.mcp()
        .args(["list", "--state", "Expired"])
        .assert()
        .success()
        .stderr(contains("No resources found"));
}

#[test]
fn delete_all_and_by_label() {
    let ns = ControlPlane::with_crd().namespace("delall");
    for (s, team) in [("a", "x"), ("b", "x"), ("c", "y")] {
        ns.mcp()
            .args(["create", s, "--model", "m", "-L"])
            .arg(format!("team={team}"))
            .assert()
            .success();
    }
    ns.mcp()
        .args(["delete", "-l", "team=x"])
        .assert()
        .success()
        .stdout(contains("\"a\" deleted"));
    assert_eq!(ns.contexts().len(), 1);
    ns.mcp()
        .args(["delete", "--all"])
        .assert()
        .success()
        .stdout(contains("\"c\" deleted"));
    assert!(ns.contexts().is_empty());
}

#[test]
fn the_server_refuses_a_bad_hand_written_object() {
    let ns = ControlPlane::with_crd().namespace("schema");
    let err = ns
        .create_raw(hand_written(
            "bad",
            json!({"modelName": "m", "sessionID": "bad", "summarizationStrategy": "fast",
                   "maxTokens": 0, "expirationTime": "tomorrow",
                   "contextHistory": [{"role": "system", "content": "x"}]}),
        ))
        .unwrap_err();
    let kube::Error::Api(status) = err else {
        panic!("{err:?}")
    };
    assert_eq!(status.code, 422);
    for field in [
        "spec.summarizationStrategy",
        "spec.maxTokens",
        "spec.expirationTime",
        "spec.contextHistory",
    ] {
        assert!(
            status.message.contains(field),
            "{field}: {}",
            status.message
        );
    }
    let err = ns
        .create_raw(hand_written("nosession", json!({"modelName": "m"})))
        .unwrap_err();
    assert!(err.to_string().contains("sessionID"), "{err}");
    let err = ns
        .create_raw(hand_written(
            "long",
            json!({"modelName": "m", "sessionID": "z".repeat(513)}),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("sessionID"), "{err}");
    assert!(ns.contexts().is_empty());

    // A good one written by hand is read by the tool, with the server's defaults applied.
    ns.create_raw(hand_written(
        "good",
        json!({"modelName": "claude-haiku-4-5", "sessionID": "good",
               "contextHistory": [{"role": "user", "content": "hi"},
                                  {"role": "assistant", "content": "hello"}]}),
    ))
    .unwrap();
    ns.mcp()
        .args(["get", "good"])
        .assert()
        .success()
        .stdout(contains("Strategy:      truncate"))
        .stdout(contains("Turns:         1"))
        .stdout(contains("    hello"));
}

#[test]
fn an_unprivileged_user_is_told_what_rbac_refused() {
    let ns = ControlPlane::with_crd().namespace("rbac");
    let out = ns.mcp_as_viewer().arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("forbidden: you may not list claudemodelcontexts.mcp.dev"),
        "{err}"
    );
    assert!(err.contains(&format!("namespace \"{}\"", ns.name)), "{err}");
    ns.mcp_as_viewer()
        .args(["create", "x", "--model", "m"])
        .assert()
        .code(1)
        .stderr(contains("you may not create claudemodelcontexts.mcp.dev"));
    ns.mcp_as_viewer()
        .args(["get", "x"])
        .assert()
        .code(1)
        .stderr(contains("you may not get"));
    ns.mcp_as_viewer()
        .args(["list", "-A"])
        .assert()
        .code(1)
        .stderr(contains("in all namespaces"));
    assert!(ns.contexts().is_empty());
}

#[test]
fn an_unreachable_cluster_is_named_in_the_error() {
    let cp = ControlPlane::shared();
    let dir = tempfile::tempdir().unwrap();
    let kc = std::fs::read_to_string(&cp.kubeconfig).unwrap();
    let port = cp.server.rsplit(':').next().unwrap().to_string();
    let dead = dir.path().join("kubeconfig");
    // Port 9 (discard) on loopback: nothing listens there.
    std::fs::write(
        &dead,
        kc.replace(&format!("127.0.0.1:{port}"), "127.0.0.1:9"),
    )
    .unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("kubectl-mcp").unwrap();
    cmd.env_remove("KUBECONFIG")
        .arg("--kubeconfig")
        .arg(&dead)
        .args(["--request-timeout", "5s", "list"])
        .assert()
        .code(1)
        .stderr(contains("cannot reach the cluster at https://127.0.0.1:9"))
        .stderr(contains("Connection refused"));
    let mut cmd = assert_cmd::Command::cargo_bin("kubectl-mcp").unwrap();
    cmd.env_remove("KUBECONFIG")
        .args(["--kubeconfig", "/nonexistent/kubeconfig", "list"])
        .assert()
        .code(1)
        .stderr(contains("/nonexistent/kubeconfig"));
}

#[test]
fn kubectl_shows_the_printer_columns() {
    let ns = ControlPlane::with_crd().namespace("kubectl");
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("kubectl is not installed here: the printer columns are checked through the CRD unit test only");
        return;
    }
    ns.mcp()
        .args(["create", "demo", "--model", "claude-sonnet-4-5"])
        .assert()
        .success();
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&ns.cp.kubeconfig)
        .args(["get", "cmc", "-n", &ns.name])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    let header: Vec<_> = text
        .lines()
        .next()
        .unwrap()
        .split("   ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "NAME",
            "MODEL",
            "SESSION",
            "STATE",
            "TURNS",
            "TOKENS",
            "LAST ACTIVITY",
            "AGE"
        ],
        "{text}"
    );
    assert!(
        text.contains("claude-sonnet-4-5") && text.contains("Active"),
        "{text}"
    );
    // `kubectl explain` documents every field, with its type.
    // The apiserver publishes a new CRD's OpenAPI a few seconds after it is installed: poll.
    let wanted = ["historySize\t<integer>", "idleTTL\t<string>"];
    let start = std::time::Instant::now();
    let explain = loop {
        let out = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&ns.cp.kubeconfig)
            .args(["explain", "cmc.spec"])
            .output()
            .unwrap();
        let text = stdout(&out);
        if wanted.iter().all(|w| text.contains(w))
            || start.elapsed() > std::time::Duration::from_secs(60)
        {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    for line in [
        "historySize\t<integer>",
        "idleTTL\t<string>",
        "maxOutputTokens\t<integer>",
        "summarizationStrategy\t<string>",
    ] {
        assert!(explain.contains(line), "{line}:\n{explain}");
    }
    assert!(!explain.contains("<>"), "{explain}");
    // The short name and the category work too.
    for what in ["mctx", "mcp", "ai"] {
        let out = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&ns.cp.kubeconfig)
            .args(["get", what, "-n", &ns.name, "-o", "name"])
            .output()
            .unwrap();
        assert_eq!(
            stdout(&out),
            "claudemodelcontext.mcp.dev/demo\n",
            "kubectl get {what}"
        );
    }
}

/// kube (rustls + ring) and reqwest (rustls, no provider of its own) make HTTPS calls in one
/// process without the two-providers panic.
#[test]
fn kube_and_reqwest_share_one_tls_provider() {
    let cp = ControlPlane::with_crd();
    block_on(async {
        let client = cp.client().await;
        let v = client.apiserver_version().await.unwrap();
        assert_eq!(v.git_version, "v1.20.2");

        let kc: Value =
            serde_yaml::from_str(&std::fs::read_to_string(&cp.kubeconfig).unwrap()).unwrap();
        let ca_path = kc["clusters"][0]["cluster"]["certificate-authority"]
            .as_str()
            .unwrap();
        let token = kc["users"][0]["user"]["token"].as_str().unwrap();
        let ca = reqwest::Certificate::from_pem(&std::fs::read(ca_path).unwrap()).unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(ca)
            .build()
            .unwrap();
        let resp = http
            .get(format!("{}/readyz", cp.server))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.text().await.unwrap(), "ok");
    });
}

/// `kubectl mcp <TAB>`: kubectl runs `kubectl_complete-mcp`; session arguments complete with the
/// names of the contexts in the namespace.
#[test]
fn kubectl_completes_subcommands_and_session_names() {
    let ns = ControlPlane::with_crd().namespace("complete");
    for s in ["alpha", "alpine", "beta"] {
        ns.mcp()
            .args(["create", s, "--model", "m"])
            .assert()
            .success();
    }
    let helper = assert_cmd::cargo::cargo_bin("kubectl_complete-mcp");
    let out = std::process::Command::new(&helper)
        .env_remove("KUBECONFIG")
        .arg("--kubeconfig")
        .arg(&ns.cp.kubeconfig)
        .args(["-n", &ns.name, "get", "al"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "alpha\nalpine\n:4\n");
    let out = std::process::Command::new(&helper)
        .args(["ch"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "chat\n:4\n");
    // Through kubectl itself, where it is installed.
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok()
    {
        let path = format!(
            "{}:{}",
            helper.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = std::process::Command::new("kubectl")
            .env("PATH", path)
            .env("KUBECONFIG", &ns.cp.kubeconfig)
            .args(["__complete", "mcp", "-n", &ns.name, "delete", "b"])
            .output()
            .unwrap();
        assert!(stdout(&out).starts_with("beta\n:4\n"), "{}", stdout(&out));
    }
}

/// Issue #10 item 4: `list` asks the server for a Table, so no transcript crosses the wire to
/// print a row, and its columns are the CRD's printer columns (`kubectl get -o wide` agrees).
#[test]
fn list_reads_a_server_side_table_without_transcripts() {
    let ns = ControlPlane::with_crd().namespace("table");
    let history: Vec<Value> = (0..40)
        .map(|i| {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            json!({"role": role, "content": format!("message {i}: {}", "words of a realistic turn ".repeat(30))})
        })
        .collect();
    for i in 0..20 {
        ns.create_raw(hand_written(
            &format!("c{i:02}"),
            json!({"modelName": "m", "sessionID": format!("c{i:02}"), "maxTokens": 4000,
                   "historySize": 8, "contextHistory": history}),
        ))
        .unwrap();
    }
    let out = ns
        .mcp()
        .args(["list", "-o", "wide", "-vv"])
        .env("RUST_LOG", "kubectl_mcp=debug")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let received: usize = stderr(&out)
        .lines()
        .filter(|l| l.contains("received a Table of contexts"))
        .filter_map(|l| {
            l.split("bytes=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<usize>()
                .ok()
        })
        .sum();
    // Each object holds ~31 kB of transcript: 620 kB in all. The Table is a few kB.
    assert!(
        received > 0 && received < 20_000,
        "{received} bytes received:\n{}",
        stderr(&out)
    );
    let table = stdout(&out);
    assert_eq!(table.lines().count(), 21);
    let header = table.lines().next().unwrap();
    assert!(
        header.ends_with("STRATEGY   BUDGET   HISTORY   EXPIRES   IDLE TTL   COST"),
        "{header}"
    );
    assert!(table.contains("truncate   4000     8"), "{table}");
    let kubectl = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&ns.cp.kubeconfig)
        .args(["-n", &ns.name, "get", "cmc", "-o", "wide"])
        .output()
        .expect("kubectl");
    let theirs = String::from_utf8_lossy(&kubectl.stdout).into_owned();
    let columns = |h: &str| {
        h.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_uppercase)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        columns(theirs.lines().next().unwrap_or_default()),
        columns(header),
        "kubectl get cmc -o wide shows the same columns:\n{theirs}"
    );
    // A consistent read from etcd agrees.
    ns.mcp()
        .args(["list", "--consistent", "--no-headers"])
        .assert()
        .success()
        .stdout(predicates::str::contains("c19"));
}

/// Issue #11 (settings can change): `set` changes every field of an existing context in one
/// guarded write, says which, leaves the rest and the history alone, and shows the server's
/// refusal of a bad value.
#[test]
fn set_changes_each_setting_of_an_existing_context() {
    let ns = ControlPlane::with_crd().namespace("set");
    ns.create_raw(hand_written(
        "s",
        json!({"modelName": "m1", "sessionID": "s", "maxTokens": 1000,
               "contextHistory": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}),
    ))
    .unwrap();
    let sys = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(sys.path(), "Answer briefly.").unwrap();
    ns.mcp()
        .args(["set", "s", "--model", "m2", "--max-tokens", "5000"])
        .args(["--max-output-tokens", "300", "--history-size", "7"])
        .args(["--strategy", "hybrid", "--expires-at", "2031-01-01T00:00:00Z"])
        .args(["--idle-ttl", "3d", "-L", "team=sre", "--system-file"])
        .arg(sys.path())
        .assert()
        .success()
        .stdout(contains(
            "claudemodelcontext.mcp.dev/s configured (modelName, systemPrompt, maxTokens, maxOutputTokens, historySize, summarizationStrategy, expirationTime, idleTTL, labels)",
        ));
    let o = &ns.contexts()[0];
    assert_eq!(o.spec.model_name, "m2");
    assert_eq!(o.spec.system_prompt.as_deref(), Some("Answer briefly."));
    assert_eq!(o.spec.max_tokens, Some(5000));
    assert_eq!(o.spec.max_output_tokens, Some(300));
    assert_eq!(o.spec.history_size, Some(7));
    assert_eq!(o.spec.summarization_strategy.as_str(), "hybrid");
    assert_eq!(
        o.spec.expiration_time.unwrap().to_string(),
        "2031-01-01T00:00:00Z"
    );
    assert_eq!(o.spec.idle_ttl.as_deref(), Some("3d"));
    assert_eq!(o.metadata.labels.as_ref().unwrap()["team"], "sre");
    assert_eq!(o.spec.context_history.len(), 2, "the history is untouched");
    // The same again changes nothing; one field changes one field.
    ns.mcp()
        .args(["set", "s", "--model", "m2"])
        .assert()
        .success()
        .stdout(contains("unchanged"));
    ns.mcp()
        .args(["set", "s", "--system", "Answer at length."])
        .assert()
        .success()
        .stdout(contains("configured (systemPrompt)"));
    // Bad values: refused by the parser (exit 2) or by the apiserver (exit 1, the field named).
    ns.mcp()
        .args(["set", "s", "--max-tokens", "0"])
        .assert()
        .code(2);
    ns.mcp()
        .args(["set", "s"])
        .assert()
        .code(2)
        .stderr(contains("nothing to set"));
    ns.mcp()
        .args(["set", "s", "--model", ""])
        .assert()
        .code(1)
        .stderr(contains("spec.modelName"));
    assert_eq!(ns.contexts()[0].spec.model_name, "m2", "nothing stored");
    // Bad values: the apiserver's validation, each cause once, and nothing stored.
    ns.mcp()
        .args(["set", "s", "-L", "bad key=v"])
        .assert()
        .code(1)
        .stderr(contains("metadata.labels: Invalid value: \"bad key\"").count(1));
    ns.mcp()
        .args(["set", "s", "--idle-ttl", "soon"])
        .assert()
        .code(2)
        .stderr(contains("is not an idle TTL"));
    let o = &ns.contexts()[0];
    assert_eq!(o.metadata.labels.as_ref().unwrap().get("bad key"), None);
    assert_eq!(o.spec.idle_ttl.as_deref(), Some("3d"));
    ns.mcp()
        .args(["set", "nobody", "--model", "m"])
        .assert()
        .code(1)
        .stderr(contains("no context for session \"nobody\""));
}

/// Issue #25 item 1 (everything can be taken back): `set` removes each optional setting it can
/// set (`--system ''`/`-`, `none` for limits and times, `--cache-ttl auto`, `-L key-`) in one
/// guarded write and says so; `none` on `create` overrides the configuration's default; a time
/// that expires the context now asks on a terminal and needs `--yes` in a script.
#[test]
fn set_takes_back_what_it_set_and_asks_before_expiring_now() {
    let ns = ControlPlane::with_crd().namespace("unset");
    ns.create_raw(hand_written(
        "s",
        json!({"modelName": "m1", "sessionID": "s",
               "contextHistory": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}),
    ))
    .unwrap();
    let set_all = || {
        ns.mcp()
            .args(["set", "s", "--system", "Be brief.", "--max-tokens", "5000"])
            .args(["--max-output-tokens", "300", "--history-size", "7"])
            .args([
                "--expires-in",
                "24h",
                "--idle-ttl",
                "3d",
                "--cache-ttl",
                "1h",
            ])
            .args(["-L", "team=sre", "-L", "env=dev"])
            .assert()
            .success();
    };
    set_all();
    ns.mcp()
        .args(["set", "s", "--system", ""])
        .assert()
        .success()
        .stdout(contains(
            "claudemodelcontext.mcp.dev/s configured (systemPrompt removed)",
        ));
    assert_eq!(ns.contexts()[0].spec.system_prompt, None);
    set_all();
    ns.mcp()
        .args(["set", "s", "--system", "-"])
        .assert()
        .success()
        .stdout(contains("configured (systemPrompt removed)"));
    ns.mcp()
        .args(["set", "s", "--max-tokens", "none", "--max-output-tokens", "none"])
        .args(["--history-size", "NONE", "--expires-at", "none", "--idle-ttl", "none"])
        .args(["--cache-ttl", "auto", "-L", "team-"])
        .assert()
        .success()
        .stdout(contains(
            "configured (maxTokens removed, maxOutputTokens removed, historySize removed, expirationTime removed, idleTTL removed, cacheTTL removed, labels)",
        ));
    let o = &ns.contexts()[0];
    assert_eq!(o.spec.max_tokens, None);
    assert_eq!(o.spec.max_output_tokens, None);
    assert_eq!(o.spec.history_size, None);
    assert_eq!(o.spec.expiration_time, None);
    assert_eq!(o.spec.idle_ttl, None);
    assert_eq!(o.spec.cache_ttl, None);
    assert_eq!(o.spec.model_name, "m1", "what was not named stays");
    let labels = o.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("team"), None);
    assert_eq!(labels["env"], "dev");
    assert_eq!(o.spec.context_history.len(), 2, "the history is untouched");
    // Taking back what is not there changes nothing; --expires-in none removes an expiry too.
    ns.mcp()
        .args(["set", "s", "--history-size", "none", "-L", "team-"])
        .assert()
        .success()
        .stdout(contains("unchanged"));
    set_all();
    ns.mcp()
        .args(["set", "s", "--expires-in", "none"])
        .assert()
        .success()
        .stdout(contains("configured (expirationTime removed)"));

    // `none` on create: no limit, even over the configuration's default.
    ns.mcp()
        .env("KUBECTL_MCP_MAX_TOKENS", "4000")
        .args(["create", "c", "--model", "m1", "--max-tokens", "none"])
        .assert()
        .success();
    ns.mcp()
        .env("KUBECTL_MCP_MAX_TOKENS", "4000")
        .args(["create", "d", "--model", "m1"])
        .assert()
        .success();
    let made = |n: &str| {
        ns.contexts()
            .into_iter()
            .find(|o| o.spec.session_id == n)
            .unwrap()
    };
    assert_eq!(made("c").spec.max_tokens, None);
    assert_eq!(made("d").spec.max_tokens, Some(4000));
    ns.mcp()
        .args(["create", "e", "--model", "m1", "-L", "team-"])
        .assert()
        .code(2)
        .stderr(contains("removes a label, and a new context has none"));
    assert_eq!(ns.contexts().len(), 3, "nothing made");

    // Expiring now: a script needs --yes, and nothing changes without it.
    for when in [
        ["--expires-in", "0"],
        ["--expires-at", "2020-01-01T00:00:00Z"],
    ] {
        ns.mcp()
            .args(["set", "s"])
            .args(when)
            .write_stdin("")
            .assert()
            .code(2)
            .stderr(contains("now, and chat refuses it until --revive"))
            .stderr(contains("pass --yes"));
        ns.mcp()
            .args(["create", "late", "--model", "m1"])
            .args(when)
            .write_stdin("")
            .assert()
            .code(2)
            .stderr(contains("pass --yes"));
    }
    assert_eq!(made("s").spec.expiration_time, None);
    assert_eq!(ns.contexts().len(), 3, "nothing made");
    ns.mcp()
        .args(["set", "s", "--expires-at", "2020-01-01T00:00:00Z", "--yes"])
        .assert()
        .success()
        .stdout(contains("configured (expirationTime)"));
    assert_eq!(
        made("s").spec.expiration_time.unwrap().to_string(),
        "2020-01-01T00:00:00Z"
    );

    // On a terminal it asks: no leaves the context as it was, yes expires it now.
    let t = common::tmux::Tmux::new("unset");
    let set_now = |name: &str| {
        t.session(
            name,
            &format!(
                "env -u KUBECONFIG {} --kubeconfig {} -n {} set d --expires-in 0; echo EXITED $?; sleep 60",
                assert_cmd::cargo::cargo_bin("kubectl-mcp").display(),
                ns.cp.kubeconfig.display(),
                ns.name
            ),
        );
        t.wait_for_in(name, "Expire it now? [y/N]");
    };
    set_now("no");
    t.keys_to("no", &["n", "Enter"]);
    let screen = t.wait_for_in("no", "EXITED 0");
    assert!(screen.contains("nothing changed"), "{screen}");
    assert_eq!(made("d").spec.expiration_time, None);
    set_now("yes");
    t.keys_to("yes", &["y", "Enter"]);
    let screen = t.wait_for_in("yes", "EXITED 0");
    assert!(screen.contains("configured (expirationTime)"), "{screen}");
    assert!(made("d").spec.expiration_time.unwrap() <= jiff::Timestamp::now());
}

/// Issue #12 (model limits): settings a known model cannot take are refused before anything is
/// made or sent, naming the limit; an unknown model is accepted with a warning.
#[test]
fn settings_past_a_known_models_limits_are_refused_and_unknown_models_warned_about() {
    let ns = ControlPlane::with_crd().namespace("limits");
    ns.mcp()
        .args([
            "create",
            "h",
            "--model",
            "claude-haiku-4-5",
            "--max-output-tokens",
            "70000",
        ])
        .assert()
        .code(2)
        .stderr(contains(
            "more than claude-haiku-4-5 answers with (64000 tokens at most)",
        ));
    ns.mcp()
        .args([
            "create",
            "h",
            "--model",
            "claude-haiku-4-5",
            "--max-tokens",
            "199500",
        ])
        .assert()
        .code(2)
        .stderr(contains("use at most --max-tokens 198976"));
    assert!(ns.contexts().is_empty(), "nothing was created");
    ns.mcp()
        .args([
            "create",
            "h",
            "--model",
            "claude-haiku-4-5-20251001",
            "--max-output-tokens",
            "64000",
        ])
        .assert()
        .success()
        .stderr(predicates::str::is_empty());
    ns.mcp()
        .args(["set", "h", "--max-output-tokens", "100000"])
        .assert()
        .code(2)
        .stderr(contains("64000 tokens at most"));
    assert_eq!(
        ns.contexts()[0].spec.max_output_tokens,
        Some(64000),
        "unchanged"
    );
    // A bigger model takes it.
    ns.mcp()
        .args([
            "set",
            "h",
            "--model",
            "claude-sonnet-4-6",
            "--max-output-tokens",
            "100000",
        ])
        .assert()
        .success();
    ns.mcp()
        .args(["create", "u", "--model", "claude-future-9"])
        .assert()
        .success()
        .stderr(contains(
            "warning: model \"claude-future-9\" is not in this tool's table",
        ));
}

/// Issue #14 (help that teaches): `version` names the client (version, commit, build date), the
/// Claude API in use, the apiserver and the CRD versions it serves; `--client` needs no cluster;
/// an unreachable cluster still prints the client's version, then fails.
#[test]
fn version_names_the_client_the_server_and_the_crd() {
    let ns = ControlPlane::with_crd().namespace("version");
    let out = ns.mcp().arg("version").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "Client Version: {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert!(
        !text.contains("commit unknown"),
        "built from a checkout: {text}"
    );
    assert!(
        text.contains("Claude API: https://api.anthropic.com"),
        "{text}"
    );
    assert!(text.contains("Server Version: v1.20.2"), "{text}");
    assert!(
        text.contains("CRD: claudemodelcontexts.mcp.dev serves mcp.dev/v1alpha1"),
        "{text}"
    );

    let out = ns
        .mcp()
        .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/")
        .args(["version", "-o", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clientVersion"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["clientVersion"]["claudeApi"], "http://127.0.0.1:9");
    assert_eq!(v["clientVersion"]["claudeApiFrom"], "ANTHROPIC_BASE_URL");
    assert_eq!(
        v["serverVersion"]["crdVersions"],
        json!(["mcp.dev/v1alpha1"])
    );

    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("kubeconfig");
    std::fs::write(
        &nowhere,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
    )
    .unwrap();
    let mut offline = assert_cmd::Command::cargo_bin("kubectl-mcp").unwrap();
    offline
        .env_remove("KUBECONFIG")
        .arg("--kubeconfig")
        .arg(&nowhere)
        .args(["version", "--client"])
        .assert()
        .success()
        .stdout(contains("Client Version:").and(contains("Server Version").not()));
    let mut down = assert_cmd::Command::cargo_bin("kubectl-mcp").unwrap();
    down.env_remove("KUBECONFIG")
        .arg("--kubeconfig")
        .arg(&nowhere)
        .arg("version")
        .assert()
        .code(1)
        .stdout(contains("Client Version:"))
        .stderr(contains("the server's version could not be read"));
}

/// Issue #14 item 5: `get` takes several names, as kubectl does: each described in turn, one
/// List with `-o json|yaml`, and a missing one an error on stderr while the others are shown
/// (exit 1).
#[test]
fn get_takes_several_names_like_kubectl() {
    let ns = ControlPlane::with_crd().namespace("getmany");
    for s in ["alpha", "beta"] {
        ns.mcp()
            .args(["create", s, "--model", "m"])
            .assert()
            .success();
    }
    let out = ns.mcp().args(["get", "alpha", "beta"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("alpha") && text.contains("beta"), "{text}");
    let out = ns
        .mcp()
        .args(["get", "alpha", "beta", "-o", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "List");
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    let out = ns
        .mcp()
        .args(["get", "alpha", "nope", "beta", "-o", "name"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "claudemodelcontext.mcp.dev/alpha\nclaudemodelcontext.mcp.dev/beta\n"
    );
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
    // One name: the object itself, as before.
    let out = ns
        .mcp()
        .args(["get", "alpha", "-o", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "ClaudeModelContext");
}

/// Issue #14 item 5: `-A` on `delete` and `summarize`, with `--all` or `-l` (a name cannot be
/// given across namespaces, as kubectl says too).
#[test]
fn delete_and_summarize_take_all_namespaces_with_a_selector() {
    let cp = ControlPlane::with_crd();
    let (a, b) = (cp.namespace("alla"), cp.namespace("allb"));
    // A label only these contexts carry: other tests run at the same time.
    let label = format!("run={}", a.name);
    for (ns, s) in [(&a, "one"), (&b, "two"), (&b, "keep")] {
        let mut c = ns.mcp();
        c.args(["create", s, "--model", "m"]);
        if s != "keep" {
            c.args(["-L", &label]);
        }
        c.assert().success();
    }
    let out = a
        .mcp()
        .args(["summarize", "-A", "-l", &label, "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{}/one", a.name)) && text.contains(&format!("{}/two", b.name)),
        "{text}"
    );
    for args in [
        vec!["delete", "-A", "one"],
        vec!["delete", "-A"],
        vec!["summarize", "-A", "one"],
    ] {
        let out = a.mcp().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let out = a
        .mcp()
        .args(["delete", "-A", "-l", &label])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("\"one\" deleted from {} namespace", a.name))
            && text.contains(&format!("\"two\" deleted from {} namespace", b.name)),
        "{text}"
    );
    assert!(a.contexts().is_empty());
    let left: Vec<String> = b
        .contexts()
        .into_iter()
        .map(|o| o.metadata.name.unwrap())
        .collect();
    assert_eq!(left, ["keep"]);
}

/// Issue #24 item 4: a configuration whose windows can never reach the model's prompt-cache
/// minimum is named when it is made (`create`, `set`), with the setting that would reach it;
/// one that can, or a change that fixes it, says nothing; the context is stored either way.
#[test]
fn settings_whose_windows_can_never_be_cached_are_warned_about() {
    let ns = ControlPlane::with_crd().namespace("nocache");
    let warning = "prompt-cache minimum of 4096 tokens";
    ns.mcp()
        .args([
            "create",
            "small",
            "--model",
            "claude-haiku-4-5",
            "--history-size",
            "4",
        ])
        .assert()
        .success()
        .stdout(contains("created"))
        .stderr(contains(warning).and(contains("a historySize of 10 or more")));
    ns.mcp()
        .args([
            "create",
            "roomy",
            "--model",
            "claude-haiku-4-5",
            "--history-size",
            "20",
        ])
        .assert()
        .success()
        .stderr(contains(warning).not());
    // Sonnet 4.5 caches from 1,024 tokens: four ordinary turns reach it.
    ns.mcp()
        .args([
            "create",
            "sonnet",
            "--model",
            "claude-sonnet-4-5",
            "--history-size",
            "4",
        ])
        .assert()
        .success()
        .stderr(contains("prompt-cache minimum").not());
    // set: into the trap, and out of it.
    ns.mcp()
        .args(["set", "roomy", "--max-tokens", "3000"])
        .assert()
        .success()
        .stdout(contains("configured (maxTokens)"))
        .stderr(contains(warning).and(contains("maxTokens 3000")));
    ns.mcp()
        .args(["set", "sonnet", "--model", "claude-haiku-4-5"])
        .assert()
        .success()
        .stderr(contains(warning));
    ns.mcp()
        .args(["set", "small", "--history-size", "12"])
        .assert()
        .success()
        .stderr(contains("prompt-cache minimum").not());
    assert_eq!(ns.contexts().len(), 3);
}

/// Issue #25 item 3: a kubeconfig that is not there and a context it lacks are said in
/// kubectl's words with what to do, never as the library's error (the path quoted twice, every
/// inference step listed); exit 1 and nothing else happens.
#[test]
fn a_missing_kubeconfig_or_context_is_said_as_kubectl_says_it() {
    let cp = ControlPlane::with_crd();
    let home = tempfile::tempdir().unwrap();
    let bin = || {
        let mut cmd = assert_cmd::Command::cargo_bin("kubectl-mcp").unwrap();
        cmd.env_remove("KUBECONFIG")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env("HOME", home.path());
        cmd
    };
    let said = |cmd: &mut assert_cmd::Command, want: &[String]| {
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        for w in want {
            assert!(err.contains(w.as_str()), "{w}:\n{err}");
        }
        for never in ["'\"", "failed to infer", "in-cluster"] {
            assert!(!err.contains(never), "{never}:\n{err}");
        }
    };
    said(
        bin().args(["--kubeconfig", "/nonexistent/kubeconfig", "list"]),
        &[
            "error: stat /nonexistent/kubeconfig: no such file or directory".into(),
            "--kubeconfig names no file".into(),
        ],
    );
    said(
        bin()
            .env("KUBECONFIG", "/nonexistent/a:/nonexistent/b")
            .args(["list"]),
        &["error: Config not found: /nonexistent/a, /nonexistent/b".into()],
    );
    said(
        bin().args(["get", "x"]),
        &[
            format!(
                "error: no kubeconfig: {} does not exist and KUBECONFIG is not set",
                home.path().join(".kube/config").display()
            ),
            "pass --kubeconfig PATH or set KUBECONFIG".into(),
        ],
    );
    for how in ["flag", "env"] {
        let mut cmd = bin();
        match how {
            "flag" => cmd.arg("--kubeconfig").arg(&cp.kubeconfig),
            _ => cmd.env("KUBECONFIG", &cp.kubeconfig),
        };
        said(
            cmd.args(["--context", "nosuch", "list"]),
            &[
                "error: context was not found for specified context: nosuch".into(),
                "the kubeconfig's contexts: admin@local".into(),
            ],
        );
    }
    // The context that is there works.
    bin()
        .arg("--kubeconfig")
        .arg(&cp.kubeconfig)
        .args(["--context", "admin@local", "list", "-A"])
        .assert()
        .success();
}

/// Issue #25 item 3 (hints that point at the fix): a context of that name in another namespace
/// comes first, before why a new one cannot be made here; a name found nowhere is a plain "not
/// found" with the `-A` hint (no advice to create, for commands that need an existing one); a
/// misspelt model gets a did-you-mean.
#[test]
fn hints_point_at_the_namespace_the_listing_and_the_model_meant() {
    let cp = ControlPlane::with_crd();
    let here = cp.namespace("hint-here");
    let there = cp.namespace("hint-there");
    // Unique: other tests share the control plane.
    let away = format!("away-{}", there.name);
    there
        .mcp()
        .args(["create", &away, "--model", "m"])
        .assert()
        .success();
    // chat without --model, for a name that is in another namespace: -n first.
    let out = here
        .mcp()
        .env("ANTHROPIC_API_KEY", "sk-ant-unused")
        .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
        .args(["chat", &away, "-m", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let hint = format!("it is in namespace \"{0}\": pass -n {0}", there.name);
    let model = "a new context needs a model";
    assert!(
        err.contains(&hint) && err.contains(model) && err.find(&hint) < err.find(model),
        "{err}"
    );
    assert!(here.contexts().is_empty(), "nothing made");
    // Found nowhere: plain, with -A; the same for each command that needs an existing context.
    for args in [
        vec!["get", "nowhere"],
        vec!["set", "nowhere", "--history-size", "3"],
        vec!["summarize", "nowhere"],
        vec!["restore", "nowhere"],
        vec!["repair", "nowhere"],
        vec!["export", "nowhere"],
        vec!["usage", "--advise", "nowhere"],
    ] {
        let out = here
            .mcp()
            .env("ANTHROPIC_API_KEY", "sk-ant-unused")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(
            err.trim_end(),
            format!(
                "error: no context for session \"nowhere\" in namespace \"{}\" (`kubectl mcp list -A` lists the contexts of every namespace)",
                here.name
            ),
            "{args:?}"
        );
    }
    // A misspelt model: the one meant; another version: no guess.
    here.mcp()
        .args(["create", "typo", "--model", "claude-sonet-4-5"])
        .assert()
        .success()
        .stderr(contains("did you mean claude-sonnet-4-5?"));
    let out = here
        .mcp()
        .args(["set", "typo", "--model", "claude-sonnet-4-9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
}
