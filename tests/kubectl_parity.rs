//! Our kubectl-style output against kubectl's own, on the same objects in the real apiserver:
//! `-o jsonpath=…` and `-o custom-columns=…` (and their `-file` forms) must print the same bytes
//! as `kubectl get claudemodelcontexts` does with the same template.

mod common;

use common::{stderr, stdout, ControlPlane, Namespace};
use serde_json::{json, Value};

/// A realistic context: 40 messages of several hundred characters, with the characters Go's
/// JSON escapes (`<`, `>`, `&`), non-ASCII text, tabs and newlines, labels and a status.
fn seed(ns: &Namespace, name: &str, model: &str, team: Option<&str>) {
    let history: Vec<Value> = (0..40)
        .map(|i| {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            let body = format!(
                "turn {i} of {name}: <pods> & \"services\" — naïve café ✓\tcolumn\nline two. {}",
                "lorem ipsum dolor sit amet ".repeat(12)
            );
            json!({"role": role, "content": body})
        })
        .collect();
    let mut meta = json!({"name": name});
    if let Some(team) = team {
        meta["labels"] = json!({"team": team, "app.kubernetes.io/name": "chat"});
    }
    ns.create_raw(json!({
        "apiVersion": "mcp.dev/v1alpha1",
        "kind": "ClaudeModelContext",
        "metadata": meta,
        "spec": {"modelName": model, "sessionID": name, "contextHistory": history, "maxTokens": 20000},
    }))
    .unwrap();
    ns.patch_status(
        name,
        json!({"tokenCount": 1234 + name.len(), "currentState": "Active", "turnCount": 20,
               "summary": "we talked about <pods> & services"}),
    );
}

fn ours(ns: &Namespace, args: &[&str]) -> (bool, String, String) {
    let out = ns.mcp().args(args).output().unwrap();
    (out.status.success(), stdout(&out), stderr(&out))
}

fn theirs(ns: &Namespace, args: &[&str]) -> (bool, String, String) {
    let out = ns.kubectl().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run the same output flag through `kubectl get cmc ARGS…` and our command; the bytes must be
/// equal.
fn same(ns: &Namespace, kubectl: &[&str], mcp: &[&str], output: &str) -> String {
    let mut k = kubectl.to_vec();
    k.extend(["-o", output]);
    let mut m = mcp.to_vec();
    m.extend(["-o", output]);
    let (k_ok, k_out, k_err) = theirs(ns, &k);
    let (m_ok, m_out, m_err) = ours(ns, &m);
    assert!(k_ok, "kubectl {k:?} failed: {k_err}");
    assert!(m_ok, "kubectl-mcp {m:?} failed: {m_err}");
    assert_eq!(m_out, k_out, "kubectl {k:?} and kubectl-mcp {m:?} differ");
    m_out
}

const TEMPLATES: &[&str] = &[
    "{.items[*].metadata.name}",
    r#"{range .items[*]}{.metadata.name}{"\t"}{.spec.modelName}{"\t"}{.status.tokenCount}{"\n"}{end}"#,
    "{range .items}{.spec.sessionID}{end}",
    "{.items[0].metadata.labels}",
    r"{.items[*].metadata.labels.app\.kubernetes\.io/name}",
    r#"{.items[?(@.spec.modelName=="claude-haiku-4-5")].metadata.name}"#,
    "{.items[?(@.status.tokenCount>1238)].metadata.name}",
    "{.items[0].spec.contextHistory[3]}",
    "{.items[1].spec.contextHistory[-2:].content}",
    "{.items[0].status}",
    "{..modelName}",
    "{.items[*].spec.contextHistory[0].role} and {.kind}",
    "{.items[*].spec.missing}",
    "names: {.items[*].metadata.name}\n",
];

const COLUMNS: &[&str] = &[
    "NAME:.metadata.name,MODEL:.spec.modelName,TOKENS:.status.tokenCount",
    "N:metadata.name,TEAM:{.metadata.labels.team},LABELS:.metadata.labels",
    "FIRST:.spec.contextHistory[0].role,ROLES:.spec.contextHistory[0:3].role,MISSING:.spec.nothing",
    "SUMMARY:.status.summary,MAX:.spec.maxTokens",
    "S:.spec.sessionID,M:.metadata.labels",
];

#[test]
fn jsonpath_and_custom_columns_print_what_kubectl_prints() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("parity");
    seed(&ns, "alpha", "claude-sonnet-4-5", Some("sre"));
    seed(&ns, "beta", "claude-haiku-4-5", Some("dev"));
    seed(&ns, "gamma-long-name", "claude-sonnet-4-5", None);
    seed(&ns, "d", "claude-haiku-4-5", Some("sre"));

    let list = ["get", "claudemodelcontexts"];
    let mut printed = 0;
    for t in TEMPLATES {
        if !same(&ns, &list, &["list"], &format!("jsonpath={t}")).is_empty() {
            printed += 1;
        }
        // Several names: kubectl prints one List, and so do we.
        same(
            &ns,
            &["get", "claudemodelcontexts", "alpha", "beta"],
            &["get", "alpha", "beta"],
            &format!("jsonpath={t}"),
        );
    }
    // Two print nothing in both: a range over one list value, and a missing field.
    assert_eq!(printed, TEMPLATES.len() - 2);
    // One object: the template sees the object itself.
    for t in [
        "{.metadata.name} {.spec.modelName}",
        "{.spec.contextHistory[*].role}",
        "{.metadata.labels}",
        r#"{range .spec.contextHistory[0:4]}{.role}: {.content}{"\n"}{end}"#,
    ] {
        same(
            &ns,
            &["get", "claudemodelcontexts", "alpha"],
            &["get", "alpha"],
            &format!("jsonpath={t}"),
        );
    }
    for c in COLUMNS {
        same(&ns, &list, &["list"], &format!("custom-columns={c}"));
        same(
            &ns,
            &["get", "claudemodelcontexts", "beta"],
            &["get", "beta"],
            &format!("custom-columns={c}"),
        );
    }
    // Selectors and --no-headers.
    same(
        &ns,
        &[
            "get",
            "claudemodelcontexts",
            "-l",
            "team=sre",
            "--no-headers",
        ],
        &["list", "-l", "team=sre", "--no-headers"],
        "custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team",
    );
    // The -file forms.
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("t.jsonpath");
    std::fs::write(&tpl, TEMPLATES[1]).unwrap();
    let cols = dir.path().join("cols.txt");
    std::fs::write(
        &cols,
        "NAME  MODEL  TOKENS\n.metadata.name .spec.modelName {.status.tokenCount}\n",
    )
    .unwrap();
    same(
        &ns,
        &list,
        &["list"],
        &format!("jsonpath-file={}", tpl.display()),
    );
    same(
        &ns,
        &list,
        &["list"],
        &format!("custom-columns-file={}", cols.display()),
    );
}

#[test]
fn all_namespaces_and_create_print_what_kubectl_prints() {
    let cp = ControlPlane::with_crd();
    let a = cp.namespace("parity-a");
    let b = cp.namespace("parity-b");
    seed(&a, "one", "claude-sonnet-4-5", Some("x"));
    seed(&b, "two", "claude-haiku-4-5", Some("x"));
    let t = r#"jsonpath={range .items[?(@.metadata.labels.team=="x")]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}"#;
    let ns_filter = |s: String| -> String {
        s.lines()
            .filter(|l| l.starts_with(&a.name) || l.starts_with(&b.name))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let (k_ok, k_out, _) = theirs(&a, &["get", "claudemodelcontexts", "-A", "-o", t]);
    let (m_ok, m_out, _) = ours(&a, &["list", "-A", "-o", t]);
    assert!(k_ok && m_ok);
    assert_eq!(ns_filter(m_out), ns_filter(k_out));
    assert_eq!(
        ns_filter(theirs(&a, &["get", "claudemodelcontexts", "-A", "-o", t]).1)
            .lines()
            .count(),
        2
    );

    // create -o jsonpath prints the created object through the template.
    let (ok, out, err) = ours(
        &a,
        &[
            "create",
            "fresh",
            "--model",
            "claude-haiku-4-5",
            "-o",
            "jsonpath={.spec.sessionID} {.spec.modelName}",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(out, "fresh claude-haiku-4-5");
    same(
        &a,
        &["get", "claudemodelcontexts", "fresh"],
        &["get", "fresh"],
        "jsonpath={.spec.sessionID} {.spec.modelName}",
    );
}

#[test]
fn malformed_templates_fail_clearly_and_change_nothing() {
    let cp = ControlPlane::with_crd();
    let ns = cp.namespace("parity-bad");
    seed(&ns, "kept", "claude-sonnet-4-5", None);
    for bad in [
        "jsonpath={.items[0",
        "jsonpath={range .items[*]}{.metadata.name}{end}{end}",
        "jsonpath={metadata.name}",
        "custom-columns=NAME",
        "custom-columns=",
        "jsonpath-file=/nonexistent/template",
        "go-template={{.metadata.name}}",
    ] {
        // kubectl refuses these as well (but for Go templates, which we do not have).
        let (k_ok, _, _) = theirs(&ns, &["get", "claudemodelcontexts", "-o", bad]);
        assert!(
            !k_ok || bad.starts_with("go-template"),
            "kubectl accepted {bad}"
        );
        let out = ns.mcp().args(["list", "-o", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("--output"), "{bad}: {err}");
        assert!(stdout(&out).is_empty());
    }
    let (_, names, _) = ours(&ns, &["list", "-o", "name"]);
    assert_eq!(names, "claudemodelcontext.mcp.dev/kept\n");
}

/// Issue #25 item 6: `list -L KEY…` and `--show-labels` add the label columns kubectl adds,
/// with its headers and cells (an unset label an empty cell, no labels `<none>`).
#[test]
fn label_columns_and_show_labels_print_what_kubectl_prints() {
    let ns = ControlPlane::with_crd().namespace("parity-labels");
    seed(&ns, "one", "claude-sonnet-4-5", Some("x"));
    seed(&ns, "two", "claude-haiku-4-5", None);
    ns.create_raw(json!({
        "apiVersion": "mcp.dev/v1alpha1",
        "kind": "ClaudeModelContext",
        "metadata": {"name": "three", "labels": {"env": "dev"}},
        "spec": {"modelName": "m", "sessionID": "three"},
    }))
    .unwrap();
    // From the first label column on: the ages before it may differ by a second.
    let labels_part = |out: &str| -> Vec<String> {
        let header = out.lines().next().unwrap_or_default();
        let from = header
            .find("TEAM")
            .or_else(|| header.find("LABELS"))
            .unwrap_or_else(|| panic!("no label column:\n{out}"));
        out.lines()
            .map(|l| l.get(from..).unwrap_or_default().trim_end().to_string())
            .collect()
    };
    for flags in [
        vec!["-L", "team,app.kubernetes.io/name"],
        vec!["--show-labels"],
        vec!["-L", "team", "-L", "env", "--show-labels"],
    ] {
        let mut k = vec!["get", "claudemodelcontexts"];
        k.extend(&flags);
        let mut m = vec!["list"];
        m.extend(&flags);
        let (k_ok, k_out, k_err) = theirs(&ns, &k);
        let (m_ok, m_out, m_err) = ours(&ns, &m);
        assert!(k_ok, "{k_err}");
        assert!(m_ok, "{m_err}");
        assert_eq!(
            labels_part(&m_out),
            labels_part(&k_out),
            "{flags:?}\nkubectl:\n{k_out}\nours:\n{m_out}"
        );
        let headers = |o: &str| -> Vec<String> {
            o.lines()
                .next()
                .unwrap_or_default()
                .split("  ")
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect()
        };
        assert_eq!(headers(&m_out), headers(&k_out), "{flags:?}");
    }
}

/// Issue #25 item 7: `kubectl explain` on the real apiserver describes fields in their own
/// words (a type's description used to replace them: `spec.cacheTTL` read "`spec.cacheTTL`."),
/// and the history's description does not say turns are dropped.
#[test]
fn kubectl_explain_describes_each_field_in_its_own_words() {
    let ns = ControlPlane::with_crd().namespace("explain");
    let explain = |field: &str| -> String {
        // The apiserver publishes a changed CRD's OpenAPI a moment after it is applied.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let (ok, out, err) = theirs(&ns, &["explain", field]);
            if ok && !out.contains("`spec.cacheTTL`, and the TTL") {
                return out.split_whitespace().collect::<Vec<_>>().join(" ");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "kubectl explain {field}: {err}{out}"
            );
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    };
    let cache = explain("claudemodelcontexts.spec.cacheTTL");
    assert!(
        cache.contains("Unset: the tool picks per request"),
        "{cache}"
    );
    let state = explain("claudemodelcontexts.status.currentState");
    assert!(state.contains("`Active`, `Expired`"), "{state}");
    let tail = explain("claudemodelcontexts.status.promptCache");
    for described in [
        "tailBack <integer> How many turns before the last request's new message that entry ends.",
        "systemTime <string> When the system prompt's own entry was last written or read.",
        "systemTTL <string> The TTL of the system prompt's own cache entry",
    ] {
        assert!(tail.contains(described), "{described}: {tail}");
    }
    assert!(!tail.contains("wherever the tool reasons"), "{tail}");
    let history = explain("claudemodelcontexts.spec.contextHistory");
    assert!(history.contains("No turn is ever dropped"), "{history}");
}
