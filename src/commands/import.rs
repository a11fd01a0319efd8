//! `import -f FILE`: contexts back into the cluster from what `export` wrote: one context (JSON,
//! or JSON Lines), a List (`export --all|-l|-A -o json`), or several contexts' JSON Lines one
//! after another (`-o jsonl`). Into the namespace of `-n` (or, with `--keep-namespaces`, each
//! into the one it was exported from), under the exported session IDs (or `--session` for one
//! context). Everything is checked before anything is written, and errors name the line and
//! the field at fault.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Context;
use kube::Resource;

use crate::cli::ImportArgs;
use crate::cluster::{Cluster, ClusterError};
use crate::error::UsageError;
use crate::model::naming;
use crate::model::portable::{Header, Portable};
use crate::model::resource::{ClaudeModelContext, ClaudeModelContextSpec, Message, Role};
use crate::model::size;
use crate::store::{self, create_context, read_text_capped, Session, BULK_INPUT_CAP};
use crate::ui::output;

/// One context of the file, checked and ready to write: where it goes, its newest turns (the
/// live history) and the older ones to seal into segments.
struct Planned {
    doc: Portable,
    namespace: String,
    name: String,
    history: Vec<Message>,
    live_from: usize,
}

pub(super) async fn import(cluster: &Cluster, args: &ImportArgs) -> anyhow::Result<()> {
    let text = read_text_capped(&args.file, BULK_INPUT_CAP)?;
    let file = args.file.display().to_string();
    let refuse = |e: String| UsageError(format!("{file}: {e}; nothing was imported"));
    let mut docs = parse_import(&text).map_err(refuse)?;
    let several = docs.len() > 1;
    if let Some(id) = &args.session {
        if several {
            return Err(refuse(format!(
                "--session names one context, and this file holds {}: import them under their own session IDs (into another namespace with -n when they clash)",
                docs.len()
            ))
            .into());
        }
        docs[0].spec.session_id = id.clone();
    }
    let mut planned: Vec<Planned> = Vec::with_capacity(docs.len());
    // Where each goes, and the namespace it came from.
    let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
    for (i, mut doc) in docs.into_iter().enumerate() {
        let which = if several {
            format!(
                "context {} (session \"{}\"): ",
                i + 1,
                output::sanitize(&doc.spec.session_id)
            )
        } else {
            String::new()
        };
        let name = naming::name_for_session(&doc.spec.session_id)
            .map_err(|e| refuse(format!("{which}{e}")))?;
        let namespace = match (&doc.metadata.namespace, args.keep_namespaces) {
            (Some(ns), true) => ns.clone(),
            _ => cluster.namespace().to_string(),
        };
        let from = doc.metadata.namespace.clone().unwrap_or_else(|| "?".into());
        if let Some(first) = seen.insert((namespace.clone(), name.clone()), from.clone()) {
            let hint = if args.keep_namespaces {
                ""
            } else {
                " (--keep-namespaces puts each context back into the namespace it was exported from)"
            };
            return Err(refuse(format!(
                "{which}the file holds two contexts for this session, exported from namespaces {first} and {from}, and both would be {namespace}/{name}: a namespace holds one context per session{hint}"
            ))
            .into());
        }
        let mut history = std::mem::take(&mut doc.spec.context_history);
        // Every message gets an id (older exports have none), so that archives and later
        // writes name each one exactly.
        for m in &mut history {
            if m.id.is_none() {
                m.id = Some(format!("{:016x}", fastrand::u64(..)));
            }
        }
        let live_from = live_start(&history).map_err(|e| refuse(format!("{which}{e}")))?;
        planned.push(Planned {
            doc,
            namespace,
            name,
            history,
            live_from,
        });
    }
    if several {
        check_free(cluster, &planned, &file).await?;
    }
    let mut failed = 0;
    for p in planned {
        let at = format!("{}/{}", p.namespace, p.name);
        match import_one(cluster, p).await {
            Ok((obj, messages)) => writeln!(
                std::io::stdout().lock(),
                "{} imported ({messages} messages)",
                output::object_name(&obj)
            )?,
            // One context that cannot be written does not keep the others out; the command
            // still fails, naming it.
            Err(e) if several => {
                output::note(format!("error: {at}: {e:#}"));
                failed += 1;
            }
            Err(e) => return Err(with_session_hint(e, &file)),
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of the file's contexts could not be imported; the others were");
    }
    Ok(())
}

/// A context that is already there, for a one-context import: the error, and how to import
/// the copy beside it.
fn with_session_hint(e: anyhow::Error, file: &str) -> anyhow::Error {
    match e.downcast_ref::<ClusterError>() {
        Some(ClusterError::AlreadyExists { .. } | ClusterError::NameTaken { .. }) => {
            anyhow::anyhow!(
                "{e}\nto import it beside the one there, give it another session ID: kubectl mcp import -f {} --session NEW",
                crate::cluster::shell_quote(file)
            )
        }
        _ => e,
    }
}

/// Before a file of several contexts is written: none of them may be there already (one
/// metadata list per namespace). Half an import is harder to mend than none.
async fn check_free(cluster: &Cluster, planned: &[Planned], file: &str) -> anyhow::Result<()> {
    let mut by_ns: BTreeMap<&str, Vec<&Planned>> = BTreeMap::new();
    for p in planned {
        by_ns.entry(&p.namespace).or_default().push(p);
    }
    let mut taken = Vec::new();
    for (ns, wanted) in by_ns {
        let op = crate::cluster::Op::contexts("list", Some(ns), None);
        let there = cluster
            .contexts(Some(ns))
            .list_metadata(&kube::api::ListParams::default())
            .await
            .map_err(|e| cluster.error(e, &op))?;
        let names: std::collections::BTreeSet<String> = there
            .items
            .into_iter()
            .filter_map(|m| m.metadata.name)
            .collect();
        taken.extend(
            wanted
                .into_iter()
                .filter(|p| names.contains(&p.name))
                .map(|p| format!("{}/{}", p.namespace, p.name)),
        );
    }
    if taken.is_empty() {
        return Ok(());
    }
    let n = taken.len();
    Err(UsageError(format!(
        "{file}: {n} of its contexts already exist ({}); nothing was imported: delete them first, or import into another namespace with -n",
        crate::cluster::namespaces_text(&taken)
    ))
    .into())
}

/// Write one planned context: the object with its newest turns, the older ones sealed into
/// segments, then its status (summary, its reach, the segments) in one write.
async fn import_one(cluster: &Cluster, p: Planned) -> anyhow::Result<(ClaudeModelContext, usize)> {
    let Planned {
        mut doc,
        namespace,
        name,
        history,
        live_from,
    } = p;
    let messages = history.len();
    let (older, newest) = history.split_at(live_from);
    doc.spec.context_history = newest.to_vec();
    let mut obj = ClaudeModelContext::new(&name, doc.spec);
    obj.metadata.namespace = Some(namespace.clone());
    obj.metadata.labels = (!doc.metadata.labels.is_empty()).then_some(doc.metadata.labels);
    let created = create_context(cluster, obj).await?;
    // A conversation larger than one object: the older turns are sealed into history
    // segments, written before the import is reported done.
    let mut segments = Vec::new();
    if !older.is_empty() {
        let owner = created
            .controller_owner_ref(&())
            .context("the created context has no uid")?;
        segments = crate::store::segments::create_all(cluster, &namespace, &name, owner, older)
            .await
            .context("the context was created with the newest turns, but the older ones could not be sealed into history segments; delete it and import again")?;
    }
    // Status is not taken on create: the summary, its reach and the segments follow in one
    // write.
    let mut session = Session::from_object(cluster, created);
    session
        .record_import(doc.status.summary, doc.status.summary_covers, segments)
        .await
        .context("the context was created but its summary and turn count could not be set")?;
    Ok((session.object().clone(), messages))
}

/// Parse an export: one context (JSON, or JSON Lines), a List of them, or several contexts'
/// JSON Lines one after another. Errors name the line and the field.
fn parse_import(text: &str) -> Result<Vec<Portable>, String> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err("the file is empty".into());
    }
    if trimmed.starts_with('#') {
        return Err("this looks like a Markdown transcript (`export -o markdown`), which is for reading: it leaves out the settings, message ids, token counts and the summary's reach, so it cannot be imported as it was; export with `-o json` or `-o jsonl` to import".into());
    }
    // The JSON form is one object over possibly many lines; JSON Lines has one per line.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        if v.get("kind").and_then(|k| k.as_str()) == Some("List") {
            return parse_list(text, &v);
        }
        // The resource reads odd numbers in a stored object as absent, so that one
        // hand-written field never breaks `list`; an import is new input, and a wrong-typed
        // setting is named.
        check_numbers(&v["spec"], "spec.")?;
        let de = &mut serde_json::Deserializer::from_str(text);
        let doc = serde_path_to_error::deserialize::<_, Portable>(de).map_err(|e| {
            let line = e.inner().line();
            format!("line {line}: field `{}`: {}", e.path(), e.inner())
        })?;
        check_doc(&doc, "")?;
        return Ok(vec![doc]);
    }
    let first_line = trimmed.lines().next().unwrap_or_default();
    if serde_json::from_str::<serde_json::Value>(first_line).is_err() {
        // Not JSON Lines either: the JSON parser's own error, with its line.
        let de = &mut serde_json::Deserializer::from_str(text);
        return Err(match serde_path_to_error::deserialize::<_, Portable>(de) {
            Err(e) => format!(
                "line {}: field `{}`: {}",
                e.inner().line(),
                e.path(),
                e.inner()
            ),
            Ok(_) => "the file is neither JSON nor JSON Lines".into(),
        });
    }
    parse_jsonl(text)
}

/// A List's items (`export --all -o json`), each checked as one context; errors name the item.
fn parse_list(text: &str, v: &serde_json::Value) -> Result<Vec<Portable>, String> {
    #[derive(serde::Deserialize)]
    struct List {
        #[serde(default)]
        items: Vec<Portable>,
    }
    let items = v.get("items").and_then(|i| i.as_array());
    for (i, item) in items.into_iter().flatten().enumerate() {
        check_numbers(&item["spec"], &format!("items[{i}].spec."))?;
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let list = serde_path_to_error::deserialize::<_, List>(de).map_err(|e| {
        format!(
            "line {}: field `{}`: {}",
            e.inner().line(),
            e.path(),
            e.inner()
        )
    })?;
    if list.items.is_empty() {
        return Err("the List holds no contexts".into());
    }
    for (i, doc) in list.items.iter().enumerate() {
        check_doc(doc, &format!("items[{i}]."))?;
    }
    Ok(list.items)
}

/// JSON Lines: a header line (an object with a `spec`) starts each context, and the messages
/// after it are its history.
fn parse_jsonl(text: &str) -> Result<Vec<Portable>, String> {
    let mut docs = Vec::new();
    let mut current: Option<(usize, Header, Vec<Message>)> = None;
    let finish =
        |(hn, header, history): (usize, Header, Vec<Message>)| -> Result<Portable, String> {
            let mut spec = header.spec;
            if let Some(m) = spec.as_object_mut() {
                m.insert(
                    "contextHistory".into(),
                    serde_json::to_value(&history).unwrap_or_default(),
                );
            }
            let spec: ClaudeModelContextSpec = serde_path_to_error::deserialize(spec)
                .map_err(|e| format!("line {hn}: field `spec.{}`: {}", e.path(), e.inner()))?;
            let doc = Portable {
                api_version: header.api_version,
                kind: header.kind,
                metadata: header.metadata,
                spec,
                status: header.status,
            };
            check_doc(&doc, "").map_err(|e| format!("line {hn}: {e}"))?;
            Ok(doc)
        };
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let n = n + 1;
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {n}: not a JSON line ({e})"))?;
        if v.get("spec").is_some() {
            if let Some(done) = current.take() {
                docs.push(finish(done)?);
            }
            let de = &mut serde_json::Deserializer::from_str(line);
            let header: Header = serde_path_to_error::deserialize(de)
                .map_err(|e| format!("line {n}: field `{}`: {}", e.path(), e.inner()))?;
            check_numbers(&header.spec, "spec.").map_err(|e| format!("line {n}: {e}"))?;
            current = Some((n, header, Vec::new()));
            continue;
        }
        let Some((_, _, history)) = current.as_mut() else {
            return Err(format!(
                "line {n}: a message before any context's header line (the line with its `spec`)"
            ));
        };
        let de = &mut serde_json::Deserializer::from_str(line);
        let m: Message = serde_path_to_error::deserialize(de)
            .map_err(|e| format!("line {n}: field `{}`: {}", e.path(), e.inner()))?;
        check_count(&v, "tokens", "").map_err(|e| format!("line {n}: {e}"))?;
        history.push(m);
    }
    if let Some(done) = current.take() {
        docs.push(finish(done)?);
    }
    Ok(docs)
}

/// What every imported context needs, whatever its form; `at` names it within a List.
fn check_doc(doc: &Portable, at: &str) -> Result<(), String> {
    if let Some(kind) = doc.kind.as_deref().filter(|k| *k != "ClaudeModelContext") {
        return Err(format!(
            "field `{at}kind`: this is a {kind}, not a ClaudeModelContext export"
        ));
    }
    if doc.spec.model_name.trim().is_empty() {
        return Err(format!("field `{at}spec.modelName`: empty"));
    }
    for (f, v) in [
        ("maxTokens", doc.spec.max_tokens),
        ("maxOutputTokens", doc.spec.max_output_tokens),
        ("historySize", doc.spec.history_size),
    ] {
        if v == Some(0) {
            return Err(format!("field `{at}spec.{f}`: must be at least 1"));
        }
    }
    Ok(())
}

/// The spec's counts (`maxTokens`, `maxOutputTokens`, `historySize`, each message's `tokens`)
/// as an import must have them: absent, null, or a whole number from 1 (0 for `tokens`) to
/// 4294967295. The resource's own reader is lenient with them (see `lenient_u32`).
fn check_numbers(spec: &serde_json::Value, at: &str) -> Result<(), String> {
    for field in ["maxTokens", "maxOutputTokens", "historySize"] {
        check_count(spec, field, at)?;
    }
    if let Some(history) = spec.get("contextHistory").and_then(|h| h.as_array()) {
        for (i, m) in history.iter().enumerate() {
            check_count(m, "tokens", &format!("{at}contextHistory[{i}]."))?;
        }
    }
    Ok(())
}

/// One count of [`check_numbers`]: `obj[field]` absent, null, or a whole number that fits.
fn check_count(obj: &serde_json::Value, field: &str, at: &str) -> Result<(), String> {
    let Some(v) = obj.get(field).filter(|v| !v.is_null()) else {
        return Ok(());
    };
    if v.as_u64().is_some_and(|n| u32::try_from(n).is_ok()) {
        return Ok(());
    }
    let got = match v {
        serde_json::Value::String(s) => format!("the string {s:?}"),
        serde_json::Value::Number(n) => format!("{n}"),
        serde_json::Value::Bool(b) => format!("{b}"),
        serde_json::Value::Array(_) => "a list".into(),
        _ => "an object".into(),
    };
    Err(format!(
        "field `{at}{field}`: expected a whole number no larger than 4294967295, got {got}"
    ))
}

/// Where the live part of an imported history starts: the newest whole turns whose stored size
/// fits the live object's budget; the rest is sealed into segments. Refuses a message too large to be
/// stored anywhere.
fn live_start(history: &[Message]) -> Result<usize, String> {
    let mut used = 0;
    let mut start = history.len();
    for (i, m) in history.iter().enumerate().rev() {
        let bytes = size::stored_len(m) + 1;
        if bytes > store::MAX_TURN_BYTES {
            return Err(format!(
                "message {} takes {bytes} bytes as the cluster stores it, more than one turn may take ({})",
                i + 1,
                store::MAX_TURN_BYTES
            ));
        }
        used += bytes;
        if used > store::live_budget() / 4 {
            break;
        }
        if m.role == Role::User && (i == 0 || history[i - 1].role == Role::Assistant) {
            start = i;
        }
    }
    // Messages before the live part must be storable in a segment too.
    for (i, m) in history[..start].iter().enumerate() {
        let bytes = size::stored_len(m);
        if bytes > store::MAX_TURN_BYTES {
            return Err(format!(
                "message {} takes {bytes} bytes as the cluster stores it, more than one turn may take",
                i + 1
            ));
        }
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_jsonl_parse_to_the_same_document() {
        let json = r#"{"apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
            "metadata": {"name": "x", "labels": {"team": "sre"}},
            "spec": {"modelName": "m", "sessionID": "x", "contextHistory": [
                {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
            "status": {"summary": "s"}}"#;
        let jsonl = "{\"kind\": \"ClaudeModelContext\", \"metadata\": {\"name\": \"x\", \"labels\": {\"team\": \"sre\"}}, \"spec\": {\"modelName\": \"m\", \"sessionID\": \"x\"}, \"status\": {\"summary\": \"s\"}}\n{\"role\": \"user\", \"content\": \"q\"}\n{\"role\": \"assistant\", \"content\": \"a\"}\n";
        let a = parse_import(json).unwrap().remove(0);
        let b = parse_import(jsonl).unwrap().remove(0);
        assert_eq!(a.spec, b.spec);
        assert_eq!(a.metadata.labels, b.metadata.labels);
        assert_eq!(b.status.summary.as_deref(), Some("s"));
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let jsonl = "{\"spec\": {\"modelName\": \"m\", \"sessionID\": \"x\"}}\n{\"role\": \"user\", \"content\": \"q\"}\n{\"role\": \"system\", \"content\": \"a\"}\n";
        let e = parse_import(jsonl).unwrap_err();
        assert!(e.starts_with("line 3: field `role`"), "{e}");
        let json = "{\n  \"spec\": {\n    \"modelName\": \"m\",\n    \"sessionID\": \"x\",\n    \"contextHistory\": [{\"role\": \"user\", \"content\": 5}]\n  }\n}";
        let e = parse_import(json).unwrap_err();
        assert!(
            e.contains("line 5") && e.contains("spec.contextHistory[0].content"),
            "{e}"
        );
        assert!(parse_import(
            "{\"kind\": \"Pod\", \"spec\": {\"modelName\": \"m\", \"sessionID\": \"x\"}}"
        )
        .unwrap_err()
        .contains("Pod"));
        assert!(parse_import(
            "{\"spec\": {\"modelName\": \"m\", \"sessionID\": \"x\", \"maxTokens\": 0}}"
        )
        .unwrap_err()
        .contains("maxTokens"));
        assert!(parse_import("   ").is_err());
    }

    #[test]
    fn a_list_and_several_jsonl_contexts_are_each_a_document() {
        let one = |s: &str, n: usize| {
            serde_json::json!({"kind": "ClaudeModelContext",
                "metadata": {"name": s, "namespace": format!("ns{n}")},
                "spec": {"modelName": "m", "sessionID": s, "historySize": n,
                    "contextHistory": (0..n).flat_map(|i| [
                        serde_json::json!({"role": "user", "content": format!("q{i}")}),
                        serde_json::json!({"role": "assistant", "content": format!("a{i}")}),
                    ]).collect::<Vec<_>>()},
                "status": {"summary": format!("s{n}"), "summaryCovers": 0}})
        };
        let list = serde_json::to_string_pretty(&serde_json::json!(
            {"apiVersion": "v1", "kind": "List", "items": [one("a", 1), one("b", 2), one("c", 3)]}
        ))
        .unwrap();
        let docs = parse_import(&list).unwrap();
        assert_eq!(docs.len(), 3);
        let mut jsonl = String::new();
        for d in &docs {
            let mut header = serde_json::to_value(d).unwrap();
            header["spec"]
                .as_object_mut()
                .unwrap()
                .remove("contextHistory");
            jsonl.push_str(&format!("{header}\n"));
            for m in &d.spec.context_history {
                jsonl.push_str(&format!("{}\n", serde_json::to_string(m).unwrap()));
            }
        }
        assert_eq!(parse_import(&jsonl).unwrap(), docs);
        for (d, n) in docs.iter().zip(1..) {
            assert_eq!(d.spec.context_history.len(), 2 * n);
            assert_eq!(d.spec.history_size, Some(n as u32));
            assert_eq!(
                d.metadata.namespace.as_deref(),
                Some(format!("ns{n}").as_str())
            );
        }
        // The item at fault is named.
        let bad = list.replacen("\"historySize\": 2", "\"historySize\": \"two\"", 1);
        let e = parse_import(&bad).unwrap_err();
        assert!(e.contains("items[1].spec.historySize"), "{e}");
        let empty = parse_import("{\"kind\": \"List\", \"items\": []}").unwrap_err();
        assert!(empty.contains("no contexts"), "{empty}");
        // A message before any header.
        let e = parse_import(
            "{\"role\": \"user\", \"content\": \"q\"}\n{\"role\": \"assistant\", \"content\": \"a\"}\n",
        )
        .unwrap_err();
        assert!(e.contains("line 1: a message before any context"), "{e}");
    }

    #[test]
    fn the_markdown_transcript_is_named_not_parsed() {
        let e = parse_import("# demo\n\n- Model: `m`\n").unwrap_err();
        assert!(
            e.contains("Markdown transcript") && e.contains("-o json"),
            "{e}"
        );
    }
}

/// The import parser against arbitrary input: any text, and valid exports with lines and
/// fields scrambled, is a document or an error naming what is wrong, never a panic. A bounded
/// run here; `PROPTEST_CASES=100000 cargo test --lib import_fuzz` for a long one.
#[cfg(test)]
mod import_fuzz {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wrong_typed_settings_are_named_not_dropped() {
        for (bad, field) in [
            ("\"maxTokens\": \"abc\"", "spec.maxTokens"),
            ("\"historySize\": -3", "spec.historySize"),
            ("\"maxOutputTokens\": 1.5", "spec.maxOutputTokens"),
            ("\"maxTokens\": 99999999999", "spec.maxTokens"),
        ] {
            let json =
                format!("{{\"spec\": {{\"modelName\": \"m\", \"sessionID\": \"x\", {bad}}}}}");
            let err = parse_import(&json).unwrap_err();
            assert!(err.contains(field), "{json}: {err}");
            let jsonl = format!(
                "{{\"spec\": {{\"modelName\": \"m\", \"sessionID\": \"x\", {bad}}}}}\n{{\"role\": \"user\", \"content\": \"q\"}}\n"
            );
            let err = parse_import(&jsonl).unwrap_err();
            assert!(
                err.contains(field) && err.starts_with("line 1"),
                "{jsonl}: {err}"
            );
        }
        let jsonl = "{\"spec\": {\"modelName\": \"m\", \"sessionID\": \"x\"}}\n{\"role\": \"user\", \"content\": \"q\", \"tokens\": \"many\"}\n";
        let err = parse_import(jsonl).unwrap_err();
        assert!(err.contains("line 2") && err.contains("tokens"), "{err}");
    }

    const VALID: &str = "{\"kind\": \"ClaudeModelContext\", \"metadata\": {\"name\": \"x\"}, \"spec\": {\"modelName\": \"m\", \"sessionID\": \"x\", \"maxTokens\": 4000}, \"status\": {\"summary\": \"s\", \"summaryCovers\": 2}}\n{\"role\": \"user\", \"content\": \"q\"}\n{\"role\": \"assistant\", \"content\": \"a\"}\n";

    fn check(text: &str) {
        for doc in parse_import(text).unwrap_or_default() {
            let _ = live_start(&doc.spec.context_history);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_is_a_document_or_an_error(text in "(?s).{0,2000}") {
            check(&text);
        }

        #[test]
        fn scrambled_exports_are_documents_or_errors(
            ops in prop::collection::vec((any::<usize>(), any::<usize>(), "(?s).{0,12}"), 0..12),
        ) {
            // Splice random text into, or cut pieces out of, a valid export.
            let mut text = VALID.to_string();
            for (at, len, insert) in ops {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) { at -= 1; }
                let mut end = (at + len % 8).min(text.len());
                while !text.is_char_boundary(end) { end -= 1; }
                text.replace_range(at..end.max(at), &insert);
            }
            check(&text);
        }
    }
}
