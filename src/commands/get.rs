//! `get SESSION` (aliases `show`, `describe`): a readable description of one context, or the
//! object itself with `-o json|yaml|name`.

use std::io::Write;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event as CoreEvent;
use kube::api::ListParams;
use kube::Api;

use crate::cli::{GetArgs, ObjectFormat};
use crate::cluster::Cluster;
use crate::model::resource::{ClaudeModelContext, Role, DEFAULT_MAX_OUTPUT_TOKENS};
use crate::ui::output;

pub(super) async fn run(cluster: &Cluster, args: &GetArgs) -> anyhow::Result<()> {
    // As kubectl does with several names: each one that exists is shown, each one that does not
    // is an error on stderr, and the command fails at the end if any did.
    let mut found = Vec::new();
    let mut missing = 0;
    for name in &args.sessions {
        match cluster.find(cluster.namespace(), name).await {
            Ok(mut obj) => {
                // The server's field bookkeeping is noise in a document for people.
                obj.metadata.managed_fields = None;
                found.push(obj);
            }
            Err(e) if args.sessions.len() > 1 => {
                output::note(format!("error: {e}"));
                missing += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let several = args.sessions.len() > 1;
    let mut out = std::io::stdout().lock();
    match &args.output {
        Some(ObjectFormat::Template(p)) => p.print(&mut out, &found, several, true)?,
        Some(ObjectFormat::Json) if several => {
            output::print_json(&mut out, &output::KubeList::new(&found))?
        }
        Some(ObjectFormat::Yaml) if several => {
            output::print_yaml(&mut out, &output::KubeList::new(&found))?
        }
        _ => {
            for (i, obj) in found.into_iter().enumerate() {
                if i > 0 && args.output.is_none() {
                    writeln!(out)?;
                }
                show(
                    cluster,
                    &mut out,
                    obj,
                    args.output.as_ref(),
                    keep_turns(args),
                )
                .await?;
            }
        }
    }
    out.flush()?;
    if missing > 0 {
        anyhow::bail!(
            "{missing} of {} contexts were not found",
            args.sessions.len()
        );
    }
    Ok(())
}

/// Turns of the transcript a description shows on a terminal unless asked otherwise: a
/// 10,000-message context would scroll the description itself away.
const TERMINAL_TURNS: u64 = 20;

/// How many of the last turns to show: `--last N`, every one with `--full` or when the output
/// is piped (a script or a pager wants the whole), else [`TERMINAL_TURNS`].
fn keep_turns(args: &GetArgs) -> Option<u64> {
    use std::io::IsTerminal;
    match (args.last, args.full) {
        (Some(n), _) => Some(n),
        (None, true) => None,
        (None, false) => std::io::stdout().is_terminal().then_some(TERMINAL_TURNS),
    }
}

/// The transcript's lines as they are read: written through, or only the last `keep` turns'
/// kept (memory holds those turns, not the conversation) and written at the end after a line
/// saying how many were left out.
struct Tail {
    keep: Option<u64>,
    lines: std::collections::VecDeque<(u64, Vec<u8>)>,
    left_out: u64,
}

impl Tail {
    fn new(keep: Option<u64>) -> Self {
        Self {
            keep,
            lines: Default::default(),
            left_out: 0,
        }
    }

    /// Text belonging to turn `turn`.
    fn push(&mut self, out: &mut impl Write, turn: u64, text: Vec<u8>) -> std::io::Result<()> {
        let Some(keep) = self.keep else {
            return out.write_all(&text);
        };
        self.lines.push_back((turn, text));
        while let (Some(&(first, _)), Some(&(last, _))) = (self.lines.front(), self.lines.back()) {
            if last.saturating_sub(first) < keep {
                break;
            }
            self.lines.pop_front();
            if self.lines.front().is_none_or(|(t, _)| *t != first) {
                self.left_out += 1;
            }
        }
        Ok(())
    }

    /// A message of the transcript; `turn` counts the questions so far.
    fn message(
        &mut self,
        out: &mut impl Write,
        m: &crate::model::resource::Message,
        turn: &mut u64,
    ) -> std::io::Result<()> {
        let mut text = Vec::new();
        transcript_message(&mut text, m, turn)?;
        self.push(out, *turn, text)
    }

    fn finish(self, out: &mut impl Write) -> std::io::Result<()> {
        if self.left_out > 0 {
            writeln!(
                out,
                "  [{} earlier turns not shown: --full shows every turn, --last N the last N]",
                self.left_out
            )?;
        }
        for (_, text) in self.lines {
            out.write_all(&text)?;
        }
        Ok(())
    }
}

/// One context, as `-o` asks or described (the last `keep` turns of its transcript).
async fn show(
    cluster: &Cluster,
    out: &mut impl Write,
    mut obj: ClaudeModelContext,
    format: Option<&ObjectFormat>,
    keep: Option<u64>,
) -> anyhow::Result<()> {
    let out = &mut *out;
    match format {
        Some(ObjectFormat::Json) => output::print_json(out, &obj)?,
        Some(ObjectFormat::Yaml) => output::print_yaml(out, &obj)?,
        Some(ObjectFormat::Name) => writeln!(out, "{}", output::object_name(&obj))?,
        Some(ObjectFormat::Template(p)) => p.print(out, std::slice::from_ref(&obj), false, true)?,
        None => {
            let now = Timestamp::now();
            transcript(cluster, out, &mut obj, now, keep).await?;
            write_events(out, &events_of(cluster, &obj).await, now)?;
        }
    }
    Ok(())
}

/// The description, with the whole conversation read one segment at a time (memory holds one
/// segment, not the conversation). A damaged segment is a line in its place and a warning;
/// when the sealed turns cannot be read at all (RBAC on segments), the live ones are shown
/// and the gap is said.
async fn transcript(
    cluster: &Cluster,
    out: &mut impl Write,
    obj: &mut ClaudeModelContext,
    now: Timestamp,
    keep: Option<u64>,
) -> anyhow::Result<()> {
    let total = obj.conversation_len();
    let window = window_view(cluster, obj).await;
    describe_head(out, obj, &window, total, now)?;
    if total == 0 {
        writeln!(out, "  <none>")?;
        return Ok(());
    }
    let mut reader = crate::store::segments::Reader::new(cluster, obj.clone(), 0);
    let mut turn = 0u64;
    let mut shown = 0u64;
    let mut tail = Tail::new(keep);
    loop {
        match reader.next().await {
            Ok(None) => break,
            Ok(Some(crate::store::segments::Piece::Damaged(d))) => {
                if d.kind != crate::store::segments::Damage::Quarantined {
                    output::note(format!(
                        "warning: {d}; `kubectl mcp repair {}` shows what can be restored",
                        obj.spec.session_id
                    ));
                }
                turn = turn.max(d.last_turn);
                let line = format!(
                    "  [turns {}-{} not shown: history segment {} is {}]\n",
                    d.first_turn,
                    d.last_turn,
                    d.name,
                    d.kind.as_str()
                );
                tail.push(out, turn, line.into_bytes())?;
                shown += u64::from(d.messages);
            }
            Ok(Some(piece)) => {
                for m in piece.messages() {
                    tail.message(out, m, &mut turn)?;
                }
                shown += piece.len();
            }
            Err(e) if shown == 0 => {
                output::note(format!(
                    "warning: sealed turns are not shown: {}",
                    format!("{e:#}").lines().next().unwrap_or_default()
                ));
                for m in &obj.spec.context_history[obj.pending_trim()..] {
                    tail.message(out, m, &mut turn)?;
                }
                break;
            }
            Err(e) => {
                let line = format!(
                    "  [the rest cannot be read: {}]\n",
                    format!("{e:#}").lines().next().unwrap_or_default()
                );
                tail.push(out, turn, line.into_bytes())?;
                break;
            }
        }
    }
    tail.finish(out)?;
    *obj = reader.object().clone();
    Ok(())
}

/// The object's Events, oldest first, as (type, reason, time, note). Empty when they cannot be
/// read (RBAC): the description is still useful without them.
async fn events_of(
    cluster: &Cluster,
    obj: &ClaudeModelContext,
) -> Vec<(String, String, Option<Timestamp>, String)> {
    let (Some(uid), Some(ns)) = (
        obj.metadata.uid.as_deref(),
        obj.metadata.namespace.as_deref(),
    ) else {
        return Vec::new();
    };
    let api: Api<CoreEvent> = Api::namespaced(cluster.client().clone(), ns);
    let params = ListParams::default().fields(&format!("involvedObject.uid={uid}"));
    let mut events: Vec<_> = match api.list(&params).await {
        Ok(list) => list
            .items
            .into_iter()
            .map(|e| {
                let at = e
                    .event_time
                    .map(|t| t.0)
                    .or(e.last_timestamp.map(|t| t.0))
                    .or(e.first_timestamp.map(|t| t.0));
                (
                    e.type_.unwrap_or_default(),
                    e.reason.unwrap_or_default(),
                    at,
                    e.message.unwrap_or_default(),
                )
            })
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "could not read the Events");
            Vec::new()
        }
    };
    events.sort_by_key(|e| e.2);
    events
}

fn write_events(
    out: &mut impl Write,
    events: &[(String, String, Option<Timestamp>, String)],
    now: Timestamp,
) -> std::io::Result<()> {
    if events.is_empty() {
        return writeln!(out, "Events:        <none>");
    }
    writeln!(out, "Events:")?;
    let mut table = output::KubeTable::new(&["TYPE", "REASON", "AGE", "MESSAGE"], true);
    for (type_, reason, at, note) in events {
        table.row([
            type_.clone(),
            reason.clone(),
            output::age(*at, now),
            note.clone(),
        ]);
    }
    let mut buf = Vec::new();
    table.print(&mut buf)?;
    for line in String::from_utf8_lossy(&buf).lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn when(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) if t <= now => format!("{t} ({} ago)", output::age(Some(t), now)),
        Some(t) => format!("{t} (in {})", output::human_duration(t.duration_since(now))),
        None => "<none>".to_string(),
    }
}

fn or_none<T: ToString>(v: Option<T>, unit: &str, none: &str) -> String {
    v.map(|v| format!("{}{unit}", v.to_string()))
        .unwrap_or_else(|| none.to_string())
}

fn indented(out: &mut impl Write, text: &str, indent: &str) -> std::io::Result<()> {
    if text.is_empty() {
        return writeln!(out, "{indent}<empty>");
    }
    for line in text.lines() {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}

/// The window as `get` shows it: [`Session::preview`](crate::store::Session::preview), which
/// every view of the window shares, or, when the sealed turns it reaches cannot be read (RBAC
/// on segments), the live turns' window and why.
struct WindowView {
    preview: Result<crate::store::Preview, String>,
    note: Option<String>,
}

async fn window_view(cluster: &Cluster, obj: &ClaudeModelContext) -> WindowView {
    let mut session = crate::store::Session::from_object(cluster, obj.clone());
    match session.preview().await {
        Ok(p) => WindowView {
            preview: Ok(p),
            note: None,
        },
        Err(e) => match e.downcast_ref::<crate::engine::window::WindowError>() {
            Some(w) => WindowView {
                preview: Err(w.to_string()),
                note: None,
            },
            None => WindowView {
                preview: session.preview_live().map_err(|w| w.to_string()),
                note: Some(format!(
                    "the live turns only: the sealed turns the window reaches could not be read ({})",
                    output::sanitize(&format!("{e:#}"))
                )),
            },
        },
    }
}

/// What the next request would carry (SPEC §4 `get`): the turns in the window, what is left out
/// and why, and the token estimate without the next message.
fn write_window(
    out: &mut impl Write,
    obj: &ClaudeModelContext,
    view: &WindowView,
) -> std::io::Result<()> {
    match &view.preview {
        Ok(p) => {
            let w = &p.window;
            writeln!(
                out,
                "Window:        {} of {} turns (messages {}..{}), about {} tokens before the next message",
                w.turns_sent,
                obj.turns(),
                p.base + w.first_sent as u64,
                obj.conversation_len(),
                p.before
            )?;
            if let Some(note) = &view.note {
                writeln!(out, "  {note}")?;
            }
            if !w.left_by_history.is_empty() {
                writeln!(
                    out,
                    "  left out by historySize: {} messages",
                    w.left_by_history.len()
                )?;
            }
            if !w.left_by_tokens.is_empty() {
                writeln!(
                    out,
                    "  left out by the token budget: {} messages",
                    w.left_by_tokens.len()
                )?;
            }
        }
        Err(e) => writeln!(out, "Window:        none can be built: {e}")?,
    }
    Ok(())
}

/// kubectl-describe-like text.
#[cfg(test)]
fn describe(
    out: &mut impl Write,
    obj: &ClaudeModelContext,
    history: &[crate::model::resource::Message],
    now: Timestamp,
) -> std::io::Result<()> {
    let live = crate::engine::budget::preview_over(obj, obj.live_history());
    let window = WindowView {
        preview: live
            .map(|(window, before)| crate::store::Preview {
                window,
                before,
                base: 0,
            })
            .map_err(|e| e.to_string()),
        note: None,
    };
    describe_head(out, obj, &window, history.len() as u64, now)?;
    if history.is_empty() {
        writeln!(out, "  <none>")?;
    }
    let mut turn = 0;
    for m in history {
        transcript_message(out, m, &mut turn)?;
    }
    Ok(())
}

/// One message of the transcript; `turn` counts the questions so far.
fn transcript_message(
    out: &mut impl Write,
    m: &crate::model::resource::Message,
    turn: &mut u64,
) -> std::io::Result<()> {
    if m.role == Role::User {
        *turn += 1;
    }
    let who = match m.role {
        Role::User => "user",
        Role::Assistant => "assistant",
    };
    let by = m
        .author
        .as_ref()
        .map(|a| format!(" by {a}"))
        .unwrap_or_default();
    let turn = *turn;
    match m.timestamp {
        Some(t) => writeln!(out, "  [{turn}] {who} ({t}){by}:")?,
        None => writeln!(out, "  [{turn}] {who}{by}:")?,
    }
    indented(out, &m.content, "    ")
}

/// Everything of the description before the transcript's messages (`messages` of them).
fn describe_head(
    out: &mut impl Write,
    obj: &ClaudeModelContext,
    window: &WindowView,
    messages: u64,
    now: Timestamp,
) -> std::io::Result<()> {
    let meta = &obj.metadata;
    let spec = &obj.spec;
    let status = obj.status.clone().unwrap_or_default();
    let labels = meta
        .labels
        .as_ref()
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_else(|| "<none>".to_string());
    let created = meta.creation_timestamp.as_ref().map(|t| t.0);
    let rows: Vec<(&str, String)> = vec![
        ("Name", meta.name.clone().unwrap_or_default()),
        ("Namespace", obj.namespace_or_default()),
        ("Session", output::sanitize(&spec.session_id)),
        ("Labels", labels),
        ("Created", when(created, now)),
        ("Model", spec.model_name.clone()),
        ("Strategy", spec.summarization_strategy.as_str().to_string()),
        (
            "Prompt budget",
            or_none(spec.max_tokens, " tokens", "<unlimited>"),
        ),
        (
            "Answer cap",
            match spec.max_output_tokens {
                Some(n) => format!("{n} tokens"),
                None => format!("{DEFAULT_MAX_OUTPUT_TOKENS} tokens (default)"),
            },
        ),
        (
            "History size",
            or_none(spec.history_size, " turns", "<unlimited>"),
        ),
        ("Expires", when(spec.expiration_time, now)),
        ("State", obj.state().as_str().to_string()),
        (
            "Message",
            status.message.clone().unwrap_or_else(|| "<none>".into()),
        ),
        ("Last activity", when(status.last_activity_time, now)),
        ("Tokens", or_none(status.token_count, "", "<unknown>")),
        ("Turns", obj.turns().to_string()),
        ("Sealed", sealed_line(obj)),
        ("Moved aside", removed_line(obj)),
        ("Usage", usage_line(obj)),
        ("Cost", cost_line(obj)),
    ];
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(k, v)| {
            !matches!(*k, "Sealed" | "Moved aside" | "Usage" | "Cost") || !v.is_empty()
        })
        .collect();
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 2;
    for (k, v) in rows {
        writeln!(out, "{:<width$}{v}", format!("{k}:"))?;
    }
    writeln!(out, "System prompt:")?;
    match &spec.system_prompt {
        Some(p) => indented(out, p, "  ")?,
        None => writeln!(out, "  <none>")?,
    }
    write_window(out, obj, window)?;
    writeln!(out, "Summary:")?;
    match &status.summary {
        Some(s) => indented(out, s, "  ")?,
        None => writeln!(out, "  <none>")?,
    }
    writeln!(
        out,
        "Transcript ({} turns, {messages} messages):",
        obj.turns(),
    )
}

/// "14 calls (2 summarizing): 52,000 tokens in (48,000 read from the cache, 1,200 written to
/// it), 5,600 out", or empty before the first call.
fn usage_line(obj: &ClaudeModelContext) -> String {
    obj.status
        .as_ref()
        .and_then(|s| s.usage.as_ref())
        .map_or_else(String::new, |u| u.describe())
}

/// "$0.0421 (prices of 2026)", or empty.
fn cost_line(obj: &ClaudeModelContext) -> String {
    obj.status
        .as_ref()
        .and_then(|s| s.usage.as_ref())
        .map_or_else(String::new, |u| {
            format!(
                "{} (prices of {})",
                u.cost_text(),
                crate::model::catalog::PRICES_AS_OF
            )
        })
}

/// Turns `/clear` and `/undo` moved aside: "3 turns in 2 removals (kubectl mcp restore x)".
fn removed_line(obj: &ClaudeModelContext) -> String {
    let removed = obj.removed();
    if removed.is_empty() {
        return String::new();
    }
    let turns: u64 = removed.iter().map(|r| r.turns).sum();
    format!(
        "{turns} turn(s) in {} removal(s) (`kubectl mcp restore {}` brings them back)",
        removed.len(),
        obj.spec.session_id
    )
}

/// Where the older turns are: "turns 1-480 in 3 history segments", or empty when none are.
fn sealed_line(obj: &ClaudeModelContext) -> String {
    let segs = obj.segments();
    if segs.is_empty() {
        return String::new();
    }
    format!(
        "turns 1-{} in {} history segment{} (kubectl get cmcseg -l {}={})",
        obj.sealed_turns(),
        segs.len(),
        if segs.len() == 1 { "" } else { "s" },
        crate::store::segments::CONTEXT_UID_LABEL,
        obj.metadata.uid.as_deref().unwrap_or("?")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{assistant, context, user};

    #[test]
    fn the_tail_keeps_the_last_turns_and_says_how_many_were_left_out() {
        use crate::model::fixtures::messages;
        let history = messages(10, |i| format!("message {i}"));
        let mut out = Vec::new();
        let mut tail = Tail::new(Some(2));
        let mut turn = 0;
        for m in &history {
            tail.message(&mut out, m, &mut turn).unwrap();
        }
        assert!(out.is_empty(), "nothing written before the end");
        tail.finish(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("  [3 earlier turns not shown: --full shows every turn"),
            "{text}"
        );
        assert!(
            text.contains("[4] user") && text.contains("[5] assistant"),
            "{text}"
        );
        assert!(
            !text.contains("[3]") && !text.contains("message 5"),
            "{text}"
        );
        // Everything, written through.
        let mut out = Vec::new();
        let mut tail = Tail::new(None);
        let mut turn = 0;
        for m in &history {
            tail.message(&mut out, m, &mut turn).unwrap();
        }
        assert!(String::from_utf8(out.clone()).unwrap().contains("[1] user"));
        tail.finish(&mut out).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("not shown"));
    }

    #[test]
    fn describe_shows_spec_status_and_transcript() {
        let obj = context("demo")
            .model("claude-haiku-4-5")
            .max_tokens(4000)
            .system("be brief")
            .namespace("team")
            .history(vec![user("hi"), assistant("hello\nthere")])
            .build();
        let mut out = Vec::new();
        describe(&mut out, &obj, &obj.spec.context_history, Timestamp::now()).unwrap();
        let s = String::from_utf8(out).unwrap();
        for want in [
            "Name:          demo",
            "Namespace:     team",
            "Prompt budget: 4000 tokens",
            "Answer cap:    1024 tokens (default)",
            "History size:  <unlimited>",
            "State:         Active",
            "Turns:         1",
            "  be brief",
            "Transcript (1 turns, 2 messages):",
            "Window:        1 of 1 turns (messages 0..2)",
            "  [1] user:\n    hi\n",
            "  [1] assistant:\n    hello\n    there\n",
        ] {
            assert!(s.contains(want), "missing {want:?} in\n{s}");
        }
    }
}
