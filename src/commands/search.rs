//! `search TEXT`: the contexts whose conversation or summary mentions TEXT. Every message is
//! read through the one history reader (sealed segments included, from the local segment cache
//! when they were read before), so a turn folded or sealed long ago is found like a new one.
//! The apiserver can filter only by label here (`-l`); CRD field selectors on content do not
//! exist, so the text is matched on the client.

use std::io::Write;

use futures::StreamExt;
use kube::api::ListParams;
use kube::ResourceExt;
use serde::Serialize;

use crate::cli::{SearchArgs, SearchFormat};
use crate::cluster::Cluster;
use crate::output::{self, KubeTable};
use crate::resource::{ClaudeModelContext, Role};

/// Contexts read at once (each may need a few segment reads).
const CONCURRENCY: usize = 8;
/// Characters of context shown around the first match.
const SNIPPET: usize = 60;

/// One place the text was found.
#[derive(Debug, Serialize)]
pub(crate) struct Hit {
    /// `summary`, or `turn N user|assistant`.
    #[serde(rename = "where")]
    at: String,
    snippet: String,
}

/// One context with the text.
#[derive(Debug, Serialize)]
pub(crate) struct Found {
    namespace: String,
    name: String,
    session: String,
    matches: Vec<Hit>,
}

/// The contexts in `namespace` (every namespace for `None`) matching `selector` whose
/// conversation or summary mentions `text` (ignoring case), in namespace and name order, and the
/// errors of those whose history could not be read. What `search` prints and the MCP server's
/// `search_contexts` returns.
pub(crate) async fn find(
    cluster: &Cluster,
    text: &str,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> anyhow::Result<(Vec<Found>, Vec<String>)> {
    let needle = text.to_lowercase();
    if needle.trim().is_empty() {
        return Err(crate::UsageError("search needs some text to look for".into()).into());
    }
    let mut params = ListParams::default();
    if let Some(sel) = selector {
        params = params.labels(sel);
    }
    let objs = cluster.list_all(namespace, params, 500).await?;
    let cache = crate::segment::Cache::open_default();
    let cache = &cache;
    let needle = &needle;
    let results: Vec<anyhow::Result<Option<Found>>> = futures::stream::iter(objs)
        .map(|obj| async move { search_one(cluster, cache, obj, needle).await })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut unreadable = Vec::new();
    let mut found = Vec::new();
    for r in results {
        match r {
            Ok(Some(f)) => found.push(f),
            Ok(None) => {}
            Err(e) => unreadable.push(format!("{e:#}")),
        }
    }
    found.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok((found, unreadable))
}

pub(super) async fn run(cluster: &Cluster, args: &SearchArgs) -> anyhow::Result<()> {
    let ns = cluster.namespace().to_string();
    let scope = (!args.all_namespaces).then_some(ns.as_str());
    // A context whose history cannot be read is named on stderr and the search goes on; the
    // command fails at the end, so a script knows the answer may be incomplete.
    let (found, errors) = find(cluster, &args.text, scope, args.selector.as_deref()).await?;
    for e in &errors {
        output::note(format!("error: {e}"));
    }
    let unreadable = errors.len();
    let mut out = std::io::stdout().lock();
    match args.output {
        SearchFormat::Json => output::print_json(&mut out, &found)?,
        SearchFormat::Name => {
            for f in &found {
                writeln!(out, "{}/{}", output::KIND_DOT_GROUP, f.name)?;
            }
        }
        SearchFormat::Table => {
            if found.is_empty() {
                output::note(match scope {
                    Some(ns) => format!("No contexts in namespace {ns} mention {:?}.", args.text),
                    None => format!("No contexts mention {:?}.", args.text),
                });
            } else {
                let mut header = vec!["NAME", "SESSION", "MATCHES", "FIRST MATCH", "TEXT"];
                if args.all_namespaces {
                    header.insert(0, "NAMESPACE");
                }
                let mut table = KubeTable::new(&header, true);
                for f in &found {
                    let mut row = vec![
                        f.name.clone(),
                        output::ellipsize(&f.session, 40),
                        f.matches.len().to_string(),
                        f.matches[0].at.clone(),
                        f.matches[0].snippet.clone(),
                    ];
                    if args.all_namespaces {
                        row.insert(0, f.namespace.clone());
                    }
                    table.row(row);
                }
                table.print(&mut out)?;
            }
        }
    }
    out.flush()?;
    if unreadable > 0 {
        anyhow::bail!("{unreadable} contexts could not be read; their matches are missing");
    }
    Ok(())
}

/// The places `obj`'s summary and whole conversation mention `needle` (lower case), or
/// `None` when nowhere.
async fn search_one(
    cluster: &Cluster,
    cache: &crate::segment::Cache,
    mut obj: ClaudeModelContext,
    needle: &str,
) -> anyhow::Result<Option<Found>> {
    let mut matches = Vec::new();
    if let Some(summary) = obj.status.as_ref().and_then(|s| s.summary.as_deref()) {
        if let Some(snippet) = snippet(summary, needle) {
            matches.push(Hit {
                at: "summary".into(),
                snippet,
            });
        }
    }
    let name = format!("{}/{}", obj.namespace_or_default(), obj.name_any());
    let history = crate::segment::full_history_fresh(cluster, cache, &mut obj)
        .await
        .map_err(|e| e.context(format!("reading the conversation of {name}")))?;
    let mut turn = 0;
    for m in &history {
        if m.role == Role::User {
            turn += 1;
        }
        if let Some(snippet) = snippet(&m.content, needle) {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            matches.push(Hit {
                at: format!("turn {} {role}", turn.max(1)),
                snippet,
            });
        }
    }
    Ok((!matches.is_empty()).then(|| Found {
        namespace: obj.namespace_or_default(),
        name: obj.name_any(),
        session: obj.spec.session_id.clone(),
        matches,
    }))
}

/// The text around the first case-insensitive occurrence of `needle` in `text`, on one line.
fn snippet(text: &str, needle: &str) -> Option<String> {
    // Lower-casing can turn one character into several (`İ` → `i̇`): the lowered text keeps,
    // for each of its bytes, the index of the original character it came from.
    let chars: Vec<char> = text.chars().collect();
    let mut lower = String::with_capacity(text.len());
    let mut origin: Vec<usize> = Vec::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        for l in c.to_lowercase() {
            lower.push(l);
            origin.extend(std::iter::repeat_n(i, l.len_utf8()));
        }
    }
    let at = lower.find(needle)?;
    let start_chars = origin[at];
    let needle_chars = needle.chars().count();
    let from = start_chars.saturating_sub(SNIPPET / 3);
    let to = (start_chars + needle_chars + SNIPPET).min(chars.len());
    let from = from.min(to);
    let mut s: String = chars[from..to].iter().collect();
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if from > 0 {
        s.insert(0, '…');
    }
    if to < chars.len() {
        s.push('…');
    }
    Some(output::sanitize(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_case_insensitive_one_line_and_cut_around_the_match() {
        assert_eq!(
            snippet("The Pod restarted", "pod").unwrap(),
            "The Pod restarted"
        );
        assert!(snippet("nothing here", "pod").is_none());
        let long = format!(
            "{}needle\nin a haystack{}",
            "x".repeat(100),
            "y".repeat(100)
        );
        let s = snippet(&long, "needle").unwrap();
        assert!(
            s.starts_with('…') && s.ends_with('…') && s.contains("needle in a haystack"),
            "{s}"
        );
        // Lower-casing that changes byte lengths (İ is 2 bytes, i̇ 3) does not misplace it.
        let many = format!("{} needle", "İ".repeat(30));
        assert!(
            snippet(&many, "needle").unwrap().contains("needle"),
            "{:?}",
            snippet(&many, "needle")
        );
        assert!(snippet("İİİ ok needle", "needle")
            .unwrap()
            .contains("needle"));
    }
}
