//! Everything printed for the user: kubectl-style tables, ages, object documents.
//!
//! Only this module and (later) the REPL write to stdout. Writes go through `io::Write` so a
//! closed pipe (`kubectl mcp list | head -1`) surfaces as a `BrokenPipe` error that `main` treats
//! as success, instead of a panic from `println!`.

use std::io::{self, Write};

use comfy_table::{presets::NOTHING, CellAlignment, ContentArrangement, Table};
use jiff::Timestamp;
use serde::Serialize;

use crate::model::resource::ClaudeModelContext;

/// Resource type as kubectl prints it in `-o name` and confirmations.
pub const KIND_DOT_GROUP: &str = "claudemodelcontext.mcp.dev";

/// A table with kubectl's look: no borders, upper-case headers, three spaces between columns,
/// nothing trailing.
pub struct KubeTable {
    table: Table,
    columns: usize,
}

impl KubeTable {
    /// A table with these headers; `headers: false` omits them (`--no-headers`).
    pub fn new(header: &[&str], show_header: bool) -> Self {
        let mut table = Table::new();
        table
            .load_preset(NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        if show_header {
            table.set_header(header.iter().map(|h| h.to_string()));
        }
        Self {
            table,
            columns: header.len(),
        }
    }

    /// Add a row; control characters are escaped so one odd session ID cannot break the layout.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.table
            .add_row(cells.into_iter().map(|c| sanitize(c.as_ref())));
    }

    /// Render to `out`.
    pub fn print(mut self, out: &mut impl Write) -> io::Result<()> {
        for i in 0..self.columns {
            if let Some(col) = self.table.column_mut(i) {
                let right = if i + 1 == self.columns { 0 } else { 3 };
                col.set_padding((0, right));
                col.set_cell_alignment(CellAlignment::Left);
            }
        }
        for line in self.table.lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

pub use crate::model::text::{ellipsize, human_duration, sanitize};

/// Age of `t` relative to `now`, or `<none>`.
pub fn age(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => human_duration(now.duration_since(t)),
        None => "<none>".to_string(),
    }
}

/// `claudemodelcontext.mcp.dev/NAME`.
pub fn object_name(obj: &ClaudeModelContext) -> String {
    format!(
        "{KIND_DOT_GROUP}/{}",
        obj.metadata.name.as_deref().unwrap_or_default()
    )
}

/// Print `value` as pretty JSON.
pub fn print_json<T: Serialize>(out: &mut impl Write, value: &T) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Print `value` as YAML.
pub fn print_yaml<T: Serialize>(out: &mut impl Write, value: &T) -> anyhow::Result<()> {
    out.write_all(serde_yaml::to_string(value)?.as_bytes())?;
    Ok(())
}

/// A kubectl-style `List` wrapper for `-o json|yaml` (and the document `-o jsonpath` reads) of
/// several objects.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeList<'a, T = ClaudeModelContext> {
    api_version: &'static str,
    kind: &'static str,
    items: &'a [T],
    metadata: serde_json::Value,
}

impl<'a, T: Serialize> KubeList<'a, T> {
    /// Wrap `items`.
    pub fn new(items: &'a [T]) -> Self {
        Self {
            api_version: "v1",
            kind: "List",
            items,
            metadata: serde_json::json!({ "resourceVersion": "" }),
        }
    }
}

/// A diagnostic line on stderr (never stdout, which scripts parse).
pub fn note(msg: impl std::fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "{msg}");
}

/// Ask a yes/no question on the terminal; anything but `y`/`yes` is no.
pub fn confirm(question: &str) -> io::Result<bool> {
    let mut err = io::stderr().lock();
    write!(err, "{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    io::stdin().read_line(&mut answer)?;
    Ok(is_yes(&answer))
}

/// A yes to a `[y/N]` question: `y` or `yes`, in any case; anything else is no.
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    fn h(secs: i64) -> String {
        human_duration(SignedDuration::from_secs(secs))
    }

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(h(0), "0s");
        assert_eq!(h(-1), "0s");
        assert_eq!(h(-5), "<invalid>");
        assert_eq!(h(119), "119s");
        assert_eq!(h(120), "2m");
        assert_eq!(h(5 * 60 + 10), "5m10s");
        assert_eq!(h(15 * 60), "15m");
        assert_eq!(h(3 * 3600), "3h");
        assert_eq!(h(3 * 3600 + 25 * 60), "3h25m");
        assert_eq!(h(20 * 3600), "20h");
        assert_eq!(h(2 * 86400 + 5 * 3600), "2d5h");
        assert_eq!(h(12 * 86400), "12d");
        assert_eq!(h(3 * 365 * 86400 + 40 * 86400), "3y40d");
        assert_eq!(h(10 * 365 * 86400), "10y");
    }

    #[test]
    fn tables_have_no_borders_and_three_space_gaps() {
        let mut t = KubeTable::new(&["NAME", "AGE"], true);
        t.row(["demo", "5m"]);
        t.row(["a-longer-name", "12d"]);
        let mut out = Vec::new();
        t.print(&mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            "NAME            AGE\ndemo            5m\na-longer-name   12d\n"
        );
    }

    #[test]
    fn control_characters_cannot_break_a_row() {
        assert_eq!(sanitize("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(sanitize("plain"), "plain");
        assert_eq!(ellipsize("abcdef", 4), "abc…");
        assert_eq!(ellipsize("abc", 4), "abc");
    }
}
