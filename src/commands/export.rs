//! `export SESSION -o json|jsonl|markdown` and `import -f FILE`: a context out of the cluster and
//! back in, possibly under another namespace (`-n`) or session ID (`--session`). Import checks
//! everything before writing anything, and names the line and field at fault.

use std::io::Write;

use anyhow::Context;
use kube::{Resource, ResourceExt};

use crate::cli::{ExportArgs, ExportFormat, ImportArgs};
use crate::cluster::Cluster;
use crate::error::UsageError;
use crate::model::naming;
use crate::model::portable::{
    markdown, markdown_head, markdown_message, portable, Header, Portable,
};
use crate::model::resource::{ClaudeModelContext, ClaudeModelContextSpec, Message, Role};
use crate::model::size;
use crate::store::{self, create_context, read_text_capped, Session, BULK_INPUT_CAP};
use crate::ui::output;

/// `obj` with its whole conversation in `spec.contextHistory` (sealed segments first, then the
/// live history), and the portable document of it: what `export` writes and what the MCP server
/// serves as a transcript.
pub(crate) async fn whole(
    cluster: &Cluster,
    mut obj: ClaudeModelContext,
) -> anyhow::Result<(ClaudeModelContext, serde_json::Value)> {
    let cache = crate::store::segments::Cache::open_default();
    let full = crate::store::segments::full_history_fresh(cluster, &cache, &mut obj)
        .await
        .context("reading the sealed turns (a transcript holds the whole conversation)")?;
    // Messages of not yet migrated ConfigMap archives come before everything the object counts.
    let unmigrated = (full.len() as u64).saturating_sub(obj.conversation_len());
    let covers = obj.summary_covers() + unmigrated;
    obj.spec.context_history = full;
    let mut doc = portable(&obj);
    if doc.status.summary.is_some() {
        doc.status.summary_covers = Some(covers);
    }
    Ok((obj, serde_json::to_value(&doc)?))
}

pub(super) async fn export(cluster: &Cluster, args: &ExportArgs) -> anyhow::Result<()> {
    let ns = cluster.namespace().to_string();
    let t = &args.targets;
    let bulk = t.bulk();
    let mut objs = Vec::new();
    let mut missing = 0;
    if let Some(listed) = super::bulk_targets(cluster, t, "exports").await? {
        objs = listed;
    } else {
        // As `get` does with several names: the ones found are exported, each missing one is
        // an error on stderr, and the command fails at the end.
        for id in &t.sessions {
            match cluster.find(&ns, id).await {
                Ok(o) => objs.push(o),
                Err(e) if t.sessions.len() > 1 => {
                    output::note(format!("error: {e}"));
                    missing += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    let several = bulk || t.sessions.len() > 1;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut unreadable = 0;
    let mut damaged = 0;
    // A JSON export of several is one List: its skeleton (each item's history empty) is
    // written around the histories, which are streamed into place one context at a time.
    let list = (args.output == ExportFormat::Json && several).then(|| {
        let items: Vec<Portable> = objs
            .iter()
            .map(|o| {
                let mut doc = portable(o);
                doc.spec.context_history.clear();
                doc
            })
            .collect();
        serde_json::to_string_pretty(
            &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}),
        )
    });
    let mut skeleton = match list {
        Some(text) => Some(Skeleton {
            sorted: true,
            ..Skeleton::new(text?)
        }),
        None => None,
    };
    for (i, obj) in objs.into_iter().enumerate() {
        let name = format!("{}/{}", obj.namespace_or_default(), obj.name_any());
        if let Some(sk) = &mut skeleton {
            sk.write_to_next_history(&mut out)?;
        } else if i > 0 && args.output == ExportFormat::Markdown {
            out.write_all(b"---\n\n")?;
        }
        let written = write_one(cluster, &mut out, obj, args.output, skeleton.as_mut()).await;
        match written {
            Ok(lost) => {
                for d in &lost {
                    output::note(format!(
                        "warning: {name}: {d}; its turns are not in the export (`kubectl mcp repair` shows what can be restored)"
                    ));
                }
                damaged += lost
                    .iter()
                    .filter(|d| d.kind != crate::store::segments::Damage::Quarantined)
                    .count();
            }
            // One unreadable context does not keep the others out of a bulk export; the
            // command still fails, naming it.
            Err(e) if several => {
                output::note(format!("error: {name}: {e:#}"));
                unreadable += 1;
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(sk) = &mut skeleton {
        sk.finish(&mut out)?;
    }
    out.flush()?;
    if missing > 0 {
        anyhow::bail!("{missing} of {} contexts were not found", t.sessions.len());
    }
    if unreadable > 0 {
        anyhow::bail!("{unreadable} contexts could not be read and were left out of the export");
    }
    if damaged > 0 {
        anyhow::bail!(
            "{damaged} damaged history segment(s) could not be read; their turns are missing from the export"
        );
    }
    Ok(())
}

/// What marks a document's history in its pretty JSON when the history is empty (a key and
/// `[]` can only appear unescaped as structure, never inside a JSON string).
const HISTORY_MARK: &str = "\"contextHistory\": []";

/// A pretty-printed JSON text whose histories (each [`HISTORY_MARK`]) are filled in as they
/// are read: the text up to a history's `[` is written, then its messages, then `]`.
struct Skeleton {
    text: String,
    /// Written up to here.
    at: usize,
    /// Indentation of the key of the history being written, if one is open.
    open: Option<String>,
    /// Messages written into the open history.
    written: usize,
    /// Keys in sorted order, as a document built with `json!` has them (a List), instead of
    /// the struct's order.
    sorted: bool,
}

impl Skeleton {
    fn new(text: String) -> Self {
        Self {
            text,
            at: 0,
            open: None,
            written: 0,
            sorted: false,
        }
    }

    /// Close the open history, if any, and write up to the next one's `[`.
    fn write_to_next_history(&mut self, out: &mut impl Write) -> anyhow::Result<()> {
        self.close(out)?;
        let Some(found) = self.text[self.at..].find(HISTORY_MARK) else {
            anyhow::bail!("internal error: no history left in the export's skeleton");
        };
        let mark = self.at + found;
        let line_start = self.text[..mark].rfind('\n').map_or(0, |i| i + 1);
        let indent = self.text[line_start..mark].to_string();
        let bracket = mark + HISTORY_MARK.len() - 1;
        out.write_all(&self.text.as_bytes()[self.at..bracket])?;
        self.at = bracket + 1;
        self.open = Some(indent);
        self.written = 0;
        Ok(())
    }

    /// One message of the open history, as `serde_json::to_writer_pretty` would place it.
    fn message(&mut self, out: &mut impl Write, m: &Message) -> anyhow::Result<()> {
        let indent = self.open.clone().unwrap_or_default();
        out.write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
        let text = if self.sorted {
            serde_json::to_string_pretty(&serde_json::to_value(m)?)?
        } else {
            serde_json::to_string_pretty(m)?
        };
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            write!(out, "{indent}  {line}")?;
        }
        self.written += 1;
        Ok(())
    }

    fn close(&mut self, out: &mut impl Write) -> anyhow::Result<()> {
        if let Some(indent) = self.open.take() {
            if self.written > 0 {
                write!(out, "\n{indent}]")?;
            } else {
                out.write_all(b"]")?;
            }
        }
        Ok(())
    }

    /// The rest of the text, and the final newline `print_json` writes.
    fn finish(&mut self, out: &mut impl Write) -> anyhow::Result<()> {
        self.close(out)?;
        out.write_all(&self.text.as_bytes()[self.at..])?;
        out.write_all(b"\n")?;
        self.at = self.text.len();
        Ok(())
    }
}

/// Write the export of `obj` in `format`, its conversation read one segment at a time (into
/// the open history of a List's skeleton, for `-o json` of several). Returns the damaged
/// segments left out.
async fn write_one(
    cluster: &Cluster,
    out: &mut impl Write,
    obj: ClaudeModelContext,
    format: ExportFormat,
    mut list: Option<&mut Skeleton>,
) -> anyhow::Result<Vec<crate::store::segments::Damaged>> {
    // Older versions' ConfigMap archives shift what the summary covers: read whole, as before.
    if obj.status.as_ref().and_then(|s| s.archived_turns).is_some() {
        let (whole, doc) = whole(cluster, obj).await?;
        let doc: Portable = serde_json::from_value(doc)?;
        match (format, list) {
            (ExportFormat::Json, Some(sk)) => {
                for m in &doc.spec.context_history {
                    sk.message(out, m)?;
                }
            }
            (ExportFormat::Json, None) => output::print_json(out, &doc)?,
            (ExportFormat::Jsonl, _) => write_jsonl(out, &doc)?,
            (ExportFormat::Markdown, _) => out.write_all(markdown(&whole).as_bytes())?,
        }
        return Ok(Vec::new());
    }
    let mut doc = portable(&obj);
    doc.spec.context_history.clear();
    if doc.status.summary.is_some() {
        doc.status.summary_covers = Some(obj.summary_covers());
    }
    let mut skeleton = None;
    match format {
        ExportFormat::Json if list.is_some() => {}
        ExportFormat::Json => {
            let mut sk = Skeleton::new(serde_json::to_string_pretty(&doc)?);
            sk.write_to_next_history(out)?;
            skeleton = Some(sk);
        }
        ExportFormat::Jsonl => write_jsonl(out, &doc)?,
        ExportFormat::Markdown => out.write_all(markdown_head(&obj).as_bytes())?,
    }
    let mut lost = Vec::new();
    let mut reader = crate::store::segments::Reader::new(cluster, obj, 0);
    while let Some(piece) = reader.next().await? {
        if let crate::store::segments::Piece::Damaged(d) = &piece {
            lost.push(d.clone());
            continue;
        }
        for m in piece.messages() {
            match format {
                ExportFormat::Json => {
                    if let Some(sk) = skeleton.as_mut().or(list.as_deref_mut()) {
                        sk.message(out, m)?;
                    }
                }
                ExportFormat::Jsonl => writeln!(out, "{}", serde_json::to_string(m)?)?,
                ExportFormat::Markdown => out.write_all(markdown_message(m).as_bytes())?,
            }
        }
    }
    if let Some(mut sk) = skeleton {
        sk.finish(out)?;
    }
    Ok(lost)
}

/// The JSON Lines form of one context: its header, then one message a line.
fn write_jsonl(out: &mut impl Write, doc: &Portable) -> anyhow::Result<()> {
    let mut spec = serde_json::to_value(&doc.spec)?;
    if let Some(m) = spec.as_object_mut() {
        m.remove("contextHistory");
    }
    let header = Header {
        api_version: doc.api_version.clone(),
        kind: doc.kind.clone(),
        metadata: doc.metadata.clone(),
        spec,
        status: doc.status.clone(),
    };
    writeln!(out, "{}", serde_json::to_string(&header)?)?;
    for m in &doc.spec.context_history {
        writeln!(out, "{}", serde_json::to_string(m)?)?;
    }
    Ok(())
}

/// Parse an export (JSON or JSON Lines) into a spec, labels and summary. Errors name the line
/// and the field.
fn parse_import(text: &str) -> Result<Portable, String> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err("the file is empty".into());
    }
    // The JSON form is one object over possibly many lines; JSON Lines has one per line.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        if v.get("kind").and_then(|k| k.as_str()) == Some("List") {
            let n = v
                .get("items")
                .and_then(|i| i.as_array())
                .map_or(0, Vec::len);
            return Err(format!(
                "this is an export of {n} contexts; import takes one at a time, e.g. `jq '.items[0]' FILE | kubectl mcp import -f -`"
            ));
        }
    }
    // The resource reads odd numbers in a stored object as absent, so that one hand-written
    // field never breaks `list`; an import is new input, and a wrong-typed setting is named.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        check_numbers(&v["spec"], "spec.")?;
    }
    let first_line = trimmed.lines().next().unwrap_or_default();
    let is_jsonl = serde_json::from_str::<serde_json::Value>(first_line).is_ok()
        && trimmed.lines().filter(|l| !l.trim().is_empty()).count() > 1;
    let doc = if !is_jsonl {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, Portable>(de).map_err(|e| {
            let line = e.inner().line();
            format!("line {line}: field `{}`: {}", e.path(), e.inner())
        })?
    } else {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (hn, hl) = lines.next().ok_or("the file is empty")?;
        let de = &mut serde_json::Deserializer::from_str(hl);
        let header: Header = serde_path_to_error::deserialize(de)
            .map_err(|e| format!("line {}: field `{}`: {}", hn + 1, e.path(), e.inner()))?;
        check_numbers(&header.spec, "spec.").map_err(|e| format!("line {}: {e}", hn + 1))?;
        let mut history = Vec::new();
        for (n, l) in lines {
            let de = &mut serde_json::Deserializer::from_str(l);
            let m: Message = serde_path_to_error::deserialize(de)
                .map_err(|e| format!("line {}: field `{}`: {}", n + 1, e.path(), e.inner()))?;
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                check_count(&v, "tokens", "").map_err(|e| format!("line {}: {e}", n + 1))?;
            }
            history.push(m);
        }
        let mut spec = header.spec;
        if let Some(m) = spec.as_object_mut() {
            m.insert(
                "contextHistory".into(),
                serde_json::to_value(&history).unwrap_or_default(),
            );
        }
        let spec: ClaudeModelContextSpec = serde_path_to_error::deserialize(spec)
            .map_err(|e| format!("line {}: field `spec.{}`: {}", hn + 1, e.path(), e.inner()))?;
        Portable {
            api_version: header.api_version,
            kind: header.kind,
            metadata: header.metadata,
            spec,
            status: header.status,
        }
    };
    if let Some(kind) = doc.kind.as_deref().filter(|k| *k != "ClaudeModelContext") {
        return Err(format!(
            "field `kind`: this is a {kind}, not a ClaudeModelContext export"
        ));
    }
    if doc.spec.model_name.trim().is_empty() {
        return Err("field `spec.modelName`: empty".into());
    }
    for (f, v) in [
        ("maxTokens", doc.spec.max_tokens),
        ("maxOutputTokens", doc.spec.max_output_tokens),
        ("historySize", doc.spec.history_size),
    ] {
        if v == Some(0) {
            return Err(format!("field `spec.{f}`: must be at least 1"));
        }
    }
    Ok(doc)
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

pub(super) async fn import(cluster: &Cluster, args: &ImportArgs) -> anyhow::Result<()> {
    let text = read_text_capped(&args.file, BULK_INPUT_CAP)?;
    let mut doc = parse_import(&text).map_err(|e| {
        UsageError(format!(
            "{}: {e}; nothing was imported",
            args.file.display()
        ))
    })?;
    if let Some(id) = &args.session {
        doc.spec.session_id = id.clone();
    }
    let name =
        naming::name_for_session(&doc.spec.session_id).map_err(|e| UsageError(e.to_string()))?;
    let ns = cluster.namespace().to_string();
    let messages = doc.spec.context_history.len();
    let mut history = std::mem::take(&mut doc.spec.context_history);
    // Every message gets an id (older exports have none), so that archives and later writes
    // name each one exactly.
    for m in &mut history {
        if m.id.is_none() {
            m.id = Some(format!("{:016x}", fastrand::u64(..)));
        }
    }
    let live_from = live_start(&history).map_err(|e| {
        UsageError(format!(
            "{}: {e}; nothing was imported",
            args.file.display()
        ))
    })?;
    let (older, newest) = history.split_at(live_from);
    doc.spec.context_history = newest.to_vec();
    let mut obj = ClaudeModelContext::new(&name, doc.spec);
    obj.metadata.namespace = Some(ns.clone());
    obj.metadata.labels = (!doc.metadata.labels.is_empty()).then_some(doc.metadata.labels);
    let created = create_context(cluster, obj).await?;
    // A conversation larger than one object: the older turns are sealed into history
    // segments, written before the import is reported done.
    let mut segments = Vec::new();
    if !older.is_empty() {
        let owner = created
            .controller_owner_ref(&())
            .context("the created context has no uid")?;
        segments = crate::store::segments::create_all(cluster, &ns, &name, owner, older)
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
    let created = session.object();
    writeln!(
        std::io::stdout().lock(),
        "{} imported ({messages} messages)",
        output::object_name(created)
    )?;
    Ok(())
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
        let a = parse_import(json).unwrap();
        let b = parse_import(jsonl).unwrap();
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
        if let Ok(doc) = parse_import(text) {
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

/// The streamed JSON is byte for byte what printing the whole document gives.
#[cfg(test)]
mod stream_tests {
    use super::*;

    fn doc(n: usize) -> Portable {
        let history: Vec<Message> = (0..n)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "role": if i % 2 == 0 { "user" } else { "assistant" },
                    "content": format!("line {i}\n  \"quoted\" [] {{}} \"contextHistory\": [] ✓\u{1}"),
                    "id": format!("id{i}"),
                    "markers": if i == 1 { vec!["cut"] } else { vec![] },
                }))
                .unwrap()
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "apiVersion": "mcp.dev/v1alpha1",
            "kind": "ClaudeModelContext",
            "metadata": {"name": "x", "labels": {"a": "b"}},
            "spec": {"modelName": "m", "sessionID": "x", "contextHistory": history,
                     "systemPrompt": "\"contextHistory\": []"},
            "status": {"summary": "s", "summaryCovers": 2},
        }))
        .unwrap()
    }

    fn streamed(d: &Portable) -> String {
        let mut empty = d.clone();
        empty.spec.context_history.clear();
        let mut out = Vec::new();
        let mut sk = Skeleton::new(serde_json::to_string_pretty(&empty).unwrap());
        sk.write_to_next_history(&mut out).unwrap();
        for m in &d.spec.context_history {
            sk.message(&mut out, m).unwrap();
        }
        sk.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_document_streams_as_it_prints() {
        for n in [0, 1, 5] {
            let d = doc(n);
            let mut whole = Vec::new();
            output::print_json(&mut whole, &d).unwrap();
            assert_eq!(
                streamed(&d),
                String::from_utf8(whole).unwrap(),
                "{n} messages"
            );
        }
    }

    #[test]
    fn a_list_streams_as_it_prints() {
        let docs = [doc(3), doc(0), doc(2)];
        let mut whole = Vec::new();
        output::print_json(
            &mut whole,
            &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": docs}),
        )
        .unwrap();
        let empties: Vec<Portable> = docs
            .iter()
            .map(|d| {
                let mut e = d.clone();
                e.spec.context_history.clear();
                e
            })
            .collect();
        let mut sk = Skeleton {
            sorted: true,
            ..Skeleton::new(
                serde_json::to_string_pretty(
                    &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": empties}),
                )
                .unwrap(),
            )
        };
        let mut out = Vec::new();
        for d in &docs {
            sk.write_to_next_history(&mut out).unwrap();
            for m in &d.spec.context_history {
                sk.message(&mut out, m).unwrap();
            }
        }
        sk.finish(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }
}
