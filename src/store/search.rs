//! Finding text in stored conversations: every message is read through the one history reader
//! (sealed segments included, from the local segment cache when they were read before), so a
//! turn folded or sealed long ago is found like a new one. The apiserver can filter only by
//! label; CRD field selectors on content do not exist, so the text is matched here, holding a
//! bounded number of pieces at once. What `search` prints and the MCP server's
//! `search_contexts` returns.

use futures::StreamExt;
use kube::api::ListParams;
use kube::ResourceExt;
use serde::Serialize;

use crate::cluster::Cluster;
use crate::model::resource::{ClaudeModelContext, Message, Role};

/// Contexts read at once (each may need a few segment reads).
const CONCURRENCY: usize = 8;
/// Pieces of conversation held at once across those contexts: a sealed segment inflates to up
/// to 64 MiB of text, and memory must not grow with the concurrency.
const PIECES_AT_ONCE: usize = 2;
/// Places reported per context (a word in every message of a long conversation would
/// otherwise make a list as long as it).
const MAX_HITS: usize = 100;
/// Characters of context shown around the first match.
const SNIPPET: usize = 60;

/// One place the text was found.
#[derive(Debug, Serialize)]
pub struct Hit {
    /// `summary`, or `turn N user|assistant`.
    #[serde(rename = "where")]
    pub at: String,
    pub snippet: String,
}

/// One context with the text.
#[derive(Debug, Serialize)]
pub struct Found {
    /// The context's namespace.
    pub namespace: String,
    /// The context's name.
    pub name: String,
    /// Its session ID.
    pub session: String,
    /// Where the text is, at most [`MAX_HITS`] places.
    pub matches: Vec<Hit>,
}

/// The contexts in `namespace` (every namespace for `None`) matching `selector` whose
/// conversation or summary mentions `text` (ignoring case), in namespace and name order, and the
/// errors of those whose history could not be read. What `search` prints and the MCP server's
/// `search_contexts` returns.
pub async fn find(
    cluster: &Cluster,
    text: &str,
    namespace: Option<&str>,
    selector: Option<&str>,
    warn: &(dyn Fn(String) + Sync),
) -> anyhow::Result<(Vec<Found>, Vec<String>)> {
    let needle = text.to_lowercase();
    if needle.trim().is_empty() {
        return Err(crate::error::UsageError("search needs some text to look for".into()).into());
    }
    let mut params = ListParams::default();
    if let Some(sel) = selector {
        params = params.labels(sel);
    }
    let objs = cluster.list_all(namespace, params, 500).await?;
    let pieces = tokio::sync::Semaphore::new(PIECES_AT_ONCE);
    let pieces = &pieces;
    let needle = &needle;
    let results: Vec<anyhow::Result<Option<Found>>> = futures::stream::iter(objs)
        .map(|obj| async move { search_one(cluster, pieces, obj, needle, warn).await })
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

/// The places `obj`'s summary and whole conversation mention `needle` (lower case), or
/// `None` when nowhere.
async fn search_one(
    cluster: &Cluster,
    pieces: &tokio::sync::Semaphore,
    obj: ClaudeModelContext,
    needle: &str,
    warn: &(dyn Fn(String) + Sync),
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
    let mut reader = crate::store::segments::Reader::new(cluster, obj, 0);
    let mut turn = 0;
    loop {
        // One piece in memory per permit, read and scanned, then dropped.
        let _permit = pieces.acquire().await?;
        let piece = reader
            .next()
            .await
            .map_err(|e| e.context(format!("reading the conversation of {name}")))?;
        let Some(piece) = piece else {
            break;
        };
        if let crate::store::segments::Piece::Damaged(d) = &piece {
            // What can be read is searched; the gap is said once, on stderr.
            if d.kind != crate::store::segments::Damage::Quarantined {
                warn(format!("warning: {name}: {d}; its turns were not searched"));
            }
            turn = turn.max(d.last_turn);
            continue;
        }
        scan(piece.messages(), needle, &mut turn, &mut matches);
    }
    let obj = reader.object();
    Ok((!matches.is_empty()).then(|| Found {
        namespace: obj.namespace_or_default(),
        name: obj.name_any(),
        session: obj.spec.session_id.clone(),
        matches,
    }))
}

/// The places in `messages` that mention `needle`, up to [`MAX_HITS`] in all; `turn` counts
/// the turns seen so far, across pieces.
fn scan(messages: &[Message], needle: &str, turn: &mut u64, matches: &mut Vec<Hit>) {
    for m in messages {
        if m.role == Role::User {
            *turn += 1;
        }
        if matches.len() >= MAX_HITS {
            continue;
        }
        if let Some(snippet) = snippet(&m.content, needle) {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            matches.push(Hit {
                at: format!("turn {} {role}", (*turn).max(1)),
                snippet,
            });
        }
    }
}

/// The text around the first case-insensitive occurrence of `needle` in `text`, on one line.
/// `text` is lower-cased a block at a time, so a message of many megabytes costs a block of
/// memory, not several copies of itself.
fn snippet(text: &str, needle: &str) -> Option<String> {
    const BLOCK: usize = 64 * 1024;
    // A match may straddle two blocks: each block is searched with the end of the one before.
    let overlap = needle.len() * 3 + 8;
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + BLOCK).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let mut from = start.saturating_sub(overlap);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        if let Some(at) = find_lower(&text[from..end], needle) {
            return Some(around(text, from + at, needle));
        }
        start = end;
    }
    None
}

/// The byte offset in `block` of the character where the first case-insensitive occurrence of
/// `needle` (lower case) starts. Lower-casing can turn one character into several (`İ` →
/// `i̇`): the lowered text keeps, for each of its bytes, the offset of the character it came
/// from.
fn find_lower(block: &str, needle: &str) -> Option<usize> {
    // Most text is ASCII: lowered in place, byte for byte, offsets unchanged.
    if block.is_ascii() {
        return block.to_ascii_lowercase().find(needle);
    }
    let mut lower = String::with_capacity(block.len());
    let mut origin: Vec<usize> = Vec::with_capacity(block.len());
    for (i, c) in block.char_indices() {
        for l in c.to_lowercase() {
            lower.push(l);
            origin.extend(std::iter::repeat_n(i, l.len_utf8()));
        }
    }
    let at = lower.find(needle)?;
    Some(origin[at])
}

/// The snippet around byte `at` of `text`: a third of [`SNIPPET`] characters before, the
/// match and [`SNIPPET`] after, on one line.
fn around(text: &str, at: usize, needle: &str) -> String {
    let before: Vec<char> = text[..at].chars().rev().take(SNIPPET / 3 + 1).collect();
    let cut_before = before.len() > SNIPPET / 3;
    let head: String = before.iter().take(SNIPPET / 3).rev().collect();
    let want = needle.chars().count() + SNIPPET;
    let mut after = text[at..].chars();
    let tail: String = after.by_ref().take(want).collect();
    let cut_after = after.next().is_some();
    let mut s = format!("{head}{tail}");
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if cut_before {
        s.insert(0, '…');
    }
    if cut_after {
        s.push('…');
    }
    crate::model::text::sanitize(&s)
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
        // Across the blocks a long message is lowered in, and far into it.
        for pad in [64 * 1024 - 3, 64 * 1024, 3 * 64 * 1024 + 1] {
            let long = format!("{}NeEdLe tail", "ä".repeat(pad / 2));
            let s = snippet(&long, "needle").unwrap_or_else(|| panic!("not found at {pad}"));
            assert!(s.starts_with('…') && s.contains("NeEdLe tail"), "{s}");
        }
        assert!(snippet(&"x".repeat(300_000), "needle").is_none());
        assert!(snippet("İİİ ok needle", "needle")
            .unwrap()
            .contains("needle"));
    }
}
