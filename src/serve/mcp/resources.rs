//! Resources: `cmc://NS/NAME[/view]` URIs, what each view reads (a transcript page, the summary,
//! the window), and the watches behind subscriptions.

use super::*;

/// What a resource URI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum View {
    Markdown,
    Json,
    Summary,
    Window,
}

/// A parsed `cmc://NAMESPACE/NAME[/view]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Uri {
    pub(super) namespace: String,
    pub(super) name: String,
    pub(super) view: View,
    /// `?from=N`: a transcript page starting at message N (0-based) of the conversation.
    pub(super) from: u64,
}

impl Uri {
    pub(super) fn parse(uri: &str) -> Option<Uri> {
        let rest = uri.strip_prefix("cmc://")?;
        let (rest, from) = match rest.split_once('?') {
            None => (rest, 0),
            Some((path, query)) => (path, query.strip_prefix("from=")?.parse().ok()?),
        };
        let mut parts = rest.split('/');
        let namespace = parts.next().filter(|s| !s.is_empty())?.to_string();
        let name = parts.next().filter(|s| !s.is_empty())?.to_string();
        let view = match parts.next() {
            None => View::Markdown,
            Some("transcript.json") => View::Json,
            Some("summary") => View::Summary,
            Some("window") => View::Window,
            Some(_) => return None,
        };
        if parts.next().is_some() || (from > 0 && !matches!(view, View::Markdown | View::Json)) {
            return None;
        }
        Some(Uri {
            namespace,
            name,
            view,
            from,
        })
    }

    pub(super) fn of(namespace: &str, name: &str) -> String {
        format!("cmc://{namespace}/{name}")
    }
}

/// Follow one context and call `send` on every change (until it says the peer is gone).
pub(super) fn watch_uri<F, Fut>(
    cluster: &Cluster,
    uri: &Uri,
    send: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let mut changes = live::follow(cluster, &uri.namespace, &uri.name);
    tokio::spawn(async move {
        // The first event is the state at subscription time: not a change.
        let mut seen: Option<String> = None;
        while let Some(change) = changes.recv().await {
            let version = match change {
                Change::Updated(o) => o.metadata.resource_version.clone().unwrap_or_default(),
                Change::Deleted => "deleted".to_string(),
                Change::Unreachable(_) => continue,
            };
            let first = seen.is_none();
            if seen.as_deref() == Some(version.as_str()) {
                continue;
            }
            seen = Some(version);
            if !first && !send().await {
                return;
            }
        }
    })
}

/// The rows of `list_contexts`, from the server-side Table (no transcript crosses the wire).
pub(super) async fn list_rows(
    cluster: &Cluster,
    ns: Option<&str>,
    labels: Option<&str>,
    state: Option<ContextState>,
) -> anyhow::Result<Vec<Value>> {
    let (rows, _) = cluster
        .list_table(ns, labels, Freshness::Cached, false)
        .await?;
    let mut out: Vec<Value> = rows
        .iter()
        .map(|r| {
            // Rows of one namespace's list may not repeat it.
            let namespace = r.namespace.as_deref().or(ns).unwrap_or_default();
            let cell = |c: &str| r.cell(c).cloned().unwrap_or(Value::Null);
            let state = r
                .cell("State")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("Active")
                .to_string();
            json!({
                "namespace": namespace,
                "name": r.name,
                "uri": Uri::of(namespace, &r.name),
                "session": cell("Session"),
                "model": cell("Model"),
                "state": state,
                "turns": cell("Turns"),
                "tokens": cell("Tokens"),
                "cost": cell("Cost"),
                "lastActivity": cell("Last Activity"),
            })
        })
        .filter(|v| state.is_none_or(|s| v["state"] == s.as_str()))
        .collect();
    out.sort_by(|a, b| {
        (a["namespace"].as_str(), a["name"].as_str())
            .cmp(&(b["namespace"].as_str(), b["name"].as_str()))
    });
    Ok(out)
}

/// `get_context`: settings, status, usage, and the newest `last` turns.
pub(super) async fn describe(
    cluster: &Cluster,
    ns: &str,
    session: &str,
    last: usize,
) -> anyhow::Result<Value> {
    let obj = cluster.find(ns, session).await?;
    let turns = last_turns(cluster, &obj, last).await?;
    let window = window_summary(cluster, &obj).await;
    let status = obj.status.clone().unwrap_or_default();
    let mut spec = serde_json::to_value(&obj.spec)?;
    if let Some(m) = spec.as_object_mut() {
        m.remove("contextHistory");
    }
    Ok(json!({
        "namespace": obj.metadata.namespace,
        "name": obj.metadata.name,
        "uri": Uri::of(&obj.namespace_or_default(), obj.metadata.name.as_deref().unwrap_or_default()),
        "labels": obj.metadata.labels,
        "spec": spec,
        "state": obj.state().as_str(),
        "turns": obj.turns(),
        "tokenCount": status.token_count,
        "summary": status.summary,
        "usage": status.usage,
        "lastActivityTime": status.last_activity_time,
        "window": window,
        "lastTurns": turns,
    }))
}

/// `get_context`'s `window`: what the next request would carry, from
/// [`Session::preview`] as every other view of the window; `null` with the reason when no
/// window can be built now (no model, a budget too small, unreadable segments).
async fn window_summary(cluster: &Cluster, obj: &ClaudeModelContext) -> Value {
    let mut s = Session::from_object(cluster, obj.clone());
    match s.preview().await {
        Ok(p) => json!({
            "turnsSent": p.window.turns_sent,
            "firstMessage": p.base + p.window.first_sent as u64,
            "tokensBeforeNextMessage": p.before,
        }),
        Err(e) => json!({ "error": format!("{e:#}") }),
    }
}

/// The newest `last` turns of the conversation (read from segments when the live object holds
/// fewer), oldest first.
pub(super) async fn last_turns(
    cluster: &Cluster,
    obj: &ClaudeModelContext,
    last: usize,
) -> anyhow::Result<Vec<crate::model::resource::Message>> {
    if last == 0 {
        return Ok(Vec::new());
    }
    let mut s = Session::from_object(cluster, obj.clone());
    let len = obj.conversation_len();
    let mut want = 2 * last as u64;
    loop {
        let from = len.saturating_sub(want);
        let msgs = s.messages_between_fresh(from, len).await?;
        let starts = store::turn_starts(&msgs);
        if starts.len() > last || from == 0 {
            let cut = starts.len().saturating_sub(last);
            let at = starts.get(cut).copied().unwrap_or(0);
            return Ok(msgs[at..].to_vec());
        }
        want *= 2;
    }
}

/// The context a URI names (by resource name), or why it cannot be read.
pub(super) async fn fetch(cluster: &Cluster, uri: &Uri) -> anyhow::Result<ClaudeModelContext> {
    let op = crate::cluster::Op::contexts("get", Some(&uri.namespace), Some(&uri.name));
    match cluster
        .contexts(Some(&uri.namespace))
        .get_opt(&uri.name)
        .await
    {
        Ok(Some(o)) => Ok(o),
        Ok(None) => Err(crate::cluster::not_found(&uri.name, &uri.namespace).into()),
        Err(e) => Err(cluster.error(e, &op).into()),
    }
}

/// The body of a resource.
pub(super) async fn read(cluster: &Cluster, uri: &Uri) -> anyhow::Result<(String, &'static str)> {
    let obj = fetch(cluster, uri).await?;
    Ok(match uri.view {
        View::Markdown => (page(cluster, uri, obj).await?, "text/markdown"),
        View::Json => (page(cluster, uri, obj).await?, "application/json"),
        View::Summary => (
            obj.status
                .as_ref()
                .and_then(|s| s.summary.clone())
                .unwrap_or_default(),
            "text/plain",
        ),
        View::Window => {
            let mut s = Session::from_object(cluster, obj);
            let p = s.preview().await?;
            let (w, tokens) = (&p.window, p.before);
            let v = json!({
                "system": w.system_text(),
                // The stored turns the next request carries, without the stand-in for the next
                // message that the window was built with.
                "messages": w.messages[..w.messages.len().saturating_sub(1)].iter().map(|m| json!({"role": m.role, "content": m.content})).collect::<Vec<_>>(),
                "turnsSent": w.turns_sent,
                "estimatedTokens": tokens,
                "leftOutByHistorySize": w.left_by_history.len(),
                "leftOutByTokens": w.left_by_tokens.len(),
            });
            (serde_json::to_string_pretty(&v)?, "application/json")
        }
    })
}

/// Output a transcript page aims at: a read of a huge conversation is answered in pages
/// (`?from=N`), so the server holds one page and one segment, never the conversation.
pub(super) const PAGE_BYTES: usize = 1024 * 1024;

/// One page of `obj`'s transcript from message `uri.from`: at least one message, then as many
/// as fit [`PAGE_BYTES`]. A transcript that fits one page reads as it always did; a longer one
/// ends with where the next page is (Markdown: a closing line; JSON: `page.next`).
pub(super) async fn page(
    cluster: &Cluster,
    uri: &Uri,
    obj: ClaudeModelContext,
) -> anyhow::Result<String> {
    use crate::model::portable::{markdown_head, markdown_message, portable_of};
    let total = obj.conversation_len();
    let summary_covers = obj.summary_covers();
    let head = (uri.view == View::Markdown && uri.from == 0).then(|| markdown_head(&obj));
    let mut doc = portable_of(&obj);
    let mut reader = crate::store::segments::Reader::new(cluster, obj, uri.from);
    let mut body = String::new();
    let mut messages = Vec::new();
    let mut bytes = 0usize;
    let mut at = uri.from;
    let mut damaged = Vec::new();
    let mut more = false;
    'pieces: while let Some(piece) = reader.next().await? {
        if let crate::store::segments::Piece::Damaged(d) = &piece {
            if uri.view == View::Markdown {
                body.push_str(&format!(
                    "_[turns {}-{} cannot be read: history segment {} is {}]_\n\n",
                    d.first_turn,
                    d.last_turn,
                    d.name,
                    d.kind.as_str()
                ));
            }
            damaged.push(json!({"segment": d.name, "firstTurn": d.first_turn, "lastTurn": d.last_turn, "messages": d.messages, "problem": d.kind.as_str()}));
            at += piece.len();
            continue;
        }
        for m in piece.messages() {
            if bytes >= PAGE_BYTES {
                more = true;
                break 'pieces;
            }
            match uri.view {
                View::Markdown => {
                    let text = markdown_message(m);
                    bytes += text.len();
                    body.push_str(&text);
                }
                _ => {
                    bytes += m.content.len() + 64;
                    messages.push(m.clone());
                }
            }
            at += 1;
        }
    }
    more = more && at < total;
    let next = more.then(|| format!("{}?from={at}", Uri::of(&uri.namespace, &uri.name)));
    let paged = uri.from > 0 || more;
    if uri.view == View::Markdown {
        let mut text = head.unwrap_or_default();
        if uri.from > 0 {
            text.push_str(&format!(
                "_Transcript of {}/{}, from message {} of {total}:_\n\n",
                uri.namespace,
                uri.name,
                uri.from + 1
            ));
        }
        text.push_str(&body);
        if let Some(next) = next {
            text.push_str(&format!(
                "---\n\n_The transcript goes on: read `{next}` (messages {} to {total})._\n",
                at + 1
            ));
        }
        return Ok(text);
    }
    doc.set_history(messages);
    doc.set_summary_covers(summary_covers);
    let mut v = doc.to_value()?;
    if paged {
        v["page"] = json!({"from": uri.from, "to": at, "total": total, "next": next});
    }
    if !damaged.is_empty() {
        v["damagedSegments"] = Value::Array(damaged);
    }
    Ok(serde_json::to_string_pretty(&v)?)
}

pub(super) fn resource_error(uri: &str, e: &anyhow::Error) -> ErrorData {
    let text = message(e);
    if text.contains("not found") {
        ErrorData::resource_not_found(text, Some(json!({ "uri": uri })))
    } else {
        ErrorData::internal_error(text, Some(json!({ "uri": uri })))
    }
}
