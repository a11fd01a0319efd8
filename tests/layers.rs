//! The crate's shape, held by a test: every `crate::…` and `super::…` path in `src/` is read
//! (use lines and inline paths alike, comments and strings left out) and each arrow between
//! rooms is checked against the dependency rules in the README's "How the code is laid out":
//!
//! cli → commands → (ui, serve) → (turn, store) → (cluster, claude, engine) → model → error
//!
//! `engine` and `model` do no I/O, `claude` knows no cluster and no window, `cluster` knows no
//! CLI types, `serve` never calls `commands` or `cli`, and `error` imports nothing of the crate.
//! A new top-level module must be given a room here, or the test fails and says so.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module of the crate and the room it belongs to.
const ROOMS: &[(&str, &str)] = &[
    ("error", "error"),
    ("model", "model"),
    ("engine", "engine"),
    ("claude", "claude"),
    ("cluster", "cluster"),
    ("store", "store"),
    ("turn", "turn"),
    ("ui", "ui"),
    ("serve", "serve"),
    ("commands", "commands"),
    ("cli", "cli"),
    ("complete", "cli"),
    // Small modules that stay at the top, each with the room whose rules it keeps.
    ("tls", "base"),
    ("config", "config"),
    ("redact", "engine"),
    ("live", "store"),
    ("credentials", "store"),
];

/// Arrows against the order that are meant, each with its reason: (from room, path, why).
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "ui",
    "cli::ContextSettings",
    "the REPL's /set parses the flags of `kubectl mcp set` with the same clap definition, so \
     the two can never differ",
)];

/// Which rooms each room may import (its own always).
const MAY_IMPORT: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("base", &[]),
    ("model", &["error"]),
    // Pure: the wire types of a request are data, so the engine may build them (see
    // `ENGINE_FROM_CLAUDE`), but nothing that sends one.
    ("engine", &["model", "error", "claude"]),
    ("config", &["model", "error"]),
    ("claude", &["model", "error", "base"]),
    ("cluster", &["model", "error", "base"]),
    (
        "store",
        &[
            "cluster", "claude", "engine", "model", "error", "config", "base",
        ],
    ),
    (
        "turn",
        &[
            "store", "cluster", "claude", "engine", "model", "error", "config", "base",
        ],
    ),
    (
        "ui",
        &[
            "turn", "store", "cluster", "claude", "engine", "model", "error", "config", "base",
        ],
    ),
    (
        "serve",
        &[
            "ui", "turn", "store", "cluster", "claude", "engine", "model", "error", "config",
            "base",
        ],
    ),
    (
        "commands",
        &[
            "cli", "ui", "serve", "turn", "store", "cluster", "claude", "engine", "model", "error",
            "config", "base",
        ],
    ),
    (
        "cli",
        &[
            "commands", "ui", "store", "cluster", "claude", "engine", "model", "error", "config",
            "base",
        ],
    ),
];

/// What the engine may take from `claude`: the request's wire types, never the client.
const ENGINE_FROM_CLAUDE: &[&str] = &[
    "MessagesRequest",
    "RequestMessage",
    "Content",
    "System",
    "Block",
    "TextBlock",
    "CacheControl",
    "DEFAULT_COMPACTION_TRIGGER",
    "COMPACTION_BETA",
    // The key masking the redactor shares with the client: a pure list of known keys.
    "mask_known",
    "holds_known",
    "remember",
    "REDACTED",
];

fn room_of(module: &str) -> Option<&'static str> {
    ROOMS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, room)| *room)
}

fn may_import(from: &str, to: &str) -> bool {
    from == to
        || MAY_IMPORT
            .iter()
            .find(|(r, _)| *r == from)
            .is_some_and(|(_, allowed)| allowed.contains(&to))
}

/// The source with comments, string and char literals blanked (newlines kept), so that a path
/// in a doc comment or an error message is not an import.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[u8]| {
        for &c in s {
            out.push(if c == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (1, 2);
            while j < rest.len() && depth > 0 {
                if rest[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &rest[..j]);
            i += j;
        } else if let Some(len) = raw_string_len(rest, i == 0 || !is_ident(b[i - 1])) {
            blank(&mut out, &rest[..len]);
            i += len;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' {
            // A char literal ('a', '\n', '\u{1F600}'), not a lifetime ('a).
            let len = if rest.get(1) == Some(&b'\\') {
                rest.iter().skip(3).position(|&c| c == b'\'').map(|p| p + 4)
            } else {
                let ch = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + ch) == Some(&b'\'')).then_some(ch + 2)
            };
            let len = len.unwrap_or(1);
            blank(&mut out, &rest[..len]);
            i += len;
        } else {
            let ch = src[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&src[i..i + ch]);
            i += ch;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The length of a raw (byte) string literal starting here: `r"…"`, `r#"…"#`, `br"…"`.
fn raw_string_len(s: &[u8], at_token_start: bool) -> Option<usize> {
    if !at_token_start {
        return None;
    }
    let start = if s.starts_with(b"br") {
        2
    } else if s.starts_with(b"r") {
        1
    } else {
        return None;
    };
    let hashes = s[start..].iter().take_while(|&&c| c == b'#').count();
    if s.get(start + hashes) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    let body = start + hashes + 1;
    let end = s[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())?;
    Some(body + end + close.len())
}

/// The module path of a file: `src/store/seal.rs` → `["store", "seal"]`, `src/ui/mod.rs` →
/// `["ui"]`, `src/lib.rs` → `[]`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix("src").unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Every crate path a file names, as (line, its segments from the crate root, whether it was
/// written from the crate root rather than from `super`).
fn paths_named(file: &Path, code: &str) -> Vec<(usize, Vec<String>, bool)> {
    let here = module_path(file);
    let mut found = Vec::new();
    let b = code.as_bytes();
    for (start, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        if start > 0 && (is_ident(b[start - 1]) || b[start - 1] == b':') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        // Where the path starts from: the crate root, or the parent of this file's module
        // (`super::super::` climbs once more each).
        let absolute = code[start..].starts_with("crate::");
        let (mut base, mut rest) = if absolute {
            (Vec::new(), &code[start + 7..])
        } else {
            let mut base = here.clone();
            base.pop();
            (base, &code[start + 7..])
        };
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        for names in first_segments(rest) {
            let mut full = base.clone();
            full.extend(names);
            found.push((line, full, absolute));
        }
    }
    found
}

/// The first two segments of each path that starts here: `a::b::c` gives `[a, b]`;
/// `{a::b, c::{d, e}}` gives `[a, b]` and `[c, d]`, `[c, e]`.
fn first_segments(rest: &str) -> Vec<Vec<String>> {
    let ident: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !ident.is_empty() {
        let after = &rest[ident.len()..];
        let second = after.strip_prefix("::").map(|a| {
            if a.starts_with('{') {
                group_items(a).into_iter().map(|i| first_word(&i)).collect()
            } else {
                vec![first_word(a)]
            }
        });
        return match second {
            Some(seconds) if !seconds.is_empty() => seconds
                .into_iter()
                .map(|s| vec![ident.clone(), s])
                .collect(),
            _ => vec![vec![ident]],
        };
    }
    if rest.starts_with('{') {
        return group_items(rest)
            .iter()
            .flat_map(|item| first_segments(item.trim()))
            .collect();
    }
    Vec::new()
}

fn first_word(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*')
        .collect()
}

/// The top-level items of a `{…}` group, split at depth-one commas.
fn group_items(s: &str) -> Vec<String> {
    let mut items = Vec::new();
    let (mut depth, mut cur) = (0, String::new());
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    items
        .into_iter()
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every arrow in `src/` that breaks a rule, as "file:line: from → to (path)".
fn forbidden_arrows(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut broken = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap();
        let here = module_path(rel);
        // The crate root, the binaries and their re-exports sit above every room.
        let Some(top) = here.first() else { continue };
        if top == "bin" || top == "main" {
            continue;
        }
        let Some(from) = room_of(top) else {
            broken.push(format!(
                "{}: module `{top}` has no room in tests/layers.rs (ROOMS)",
                rel.display()
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for (line, path, absolute) in paths_named(rel, &code) {
            let Some(first) = path.first() else { continue };
            let Some(to) = room_of(first) else {
                // `super::` from an inline test module names this file's own items; the crate
                // root's re-exports are for tests and benches, not for the crate itself.
                if absolute {
                    broken.push(format!(
                        "{}:{line}: `crate::{first}` is not a room; name it by its own path",
                        rel.display()
                    ));
                }
                continue;
            };
            let second = path.get(1).map(String::as_str).unwrap_or("");
            let named = format!("{first}::{second}");
            let excepted = EXCEPTIONS
                .iter()
                .any(|(room, p, _)| *room == from && *p == named);
            let ok = if excepted {
                true
            } else if from == "engine" && to == "claude" {
                ENGINE_FROM_CLAUDE.contains(&second)
            } else {
                may_import(from, to)
            };
            if !ok {
                broken.push(format!(
                    "{}:{line}: {from} → {to} ({})",
                    rel.display(),
                    path.join("::")
                ));
            }
        }
    }
    broken
}

#[test]
fn every_arrow_between_rooms_keeps_the_dependency_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let broken = forbidden_arrows(root);
    assert!(
        broken.is_empty(),
        "{} import(s) break the layout's rules:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// The check can fail: a copy of the tree with one forbidden `use` added is caught, naming it.
#[test]
fn a_forbidden_use_added_on_purpose_is_caught() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&root.join("src"), &copy.path().join("src"));
    let victim = copy.path().join("src/claude/types.rs");
    let text = std::fs::read_to_string(&victim).unwrap();
    std::fs::write(&victim, format!("use crate::cluster::Cluster;\n{text}")).unwrap();
    let broken = forbidden_arrows(copy.path());
    assert!(
        broken
            .iter()
            .any(|b| b == "src/claude/types.rs:1: claude → cluster (cluster::Cluster)"),
        "{broken:?}"
    );
}

#[test]
fn paths_are_read_from_code_not_from_comments_or_strings() {
    let code = code_only(
        "use crate::{a::B, c::{d, e::F}};\n// crate::x::y\nlet s = \"crate::z::w\"; let r = r#\"crate::q\"#;\nlet c = '\"'; fn f<'a>() { crate::g::h() }\n",
    );
    let found: BTreeSet<String> = paths_named(Path::new("src/store/seal.rs"), &code)
        .into_iter()
        .map(|(line, p, _)| format!("{line}:{}", p.join("::")))
        .collect();
    let want: BTreeSet<String> = ["1:a::B", "1:c::d", "1:c::e", "4:g::h"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, want);
    let sup = paths_named(Path::new("src/store/seal.rs"), "use super::write::X;");
    assert_eq!(sup[0].1, ["store", "write", "X"]);
    let up = paths_named(Path::new("src/ui/repl/mod.rs"), "use super::super::turn;");
    assert_eq!(up[0].1, ["turn"]);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}
