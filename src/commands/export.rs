//! `export SESSION -o json|jsonl|markdown`: contexts out of the cluster, each with its whole
//! conversation (sealed turns first), streamed one segment at a time; `import` reads it back.

use std::io::Write;

use anyhow::Context;
use kube::ResourceExt;

use crate::cli::{ExportArgs, ExportFormat};
use crate::cluster::Cluster;
use crate::model::portable::{
    markdown, markdown_head, markdown_message, portable, Header, Portable,
};
use crate::model::resource::{ClaudeModelContext, Message};
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
