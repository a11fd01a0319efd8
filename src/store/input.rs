//! Text read from files and stdin for a message or a system prompt, with a size cap that says how
//! to raise it.

use super::*;

/// The most bytes read for one message from `-f` or stdin: `KUBECTL_MCP_MAX_INPUT` (bytes, or
/// with a unit: `512KiB`, `8MiB`), default 4 MiB, far above what one turn may store anyway.
pub fn max_input_bytes() -> anyhow::Result<u64> {
    match std::env::var("KUBECTL_MCP_MAX_INPUT") {
        Ok(v) if !v.trim().is_empty() => parse_bytes(v.trim()).ok_or_else(|| {
            UsageError(format!(
                "KUBECTL_MCP_MAX_INPUT must be a size such as 4194304, 512KiB or 8MiB, got `{v}`"
            ))
            .into()
        }),
        _ => Ok(DEFAULT_MAX_INPUT),
    }
}

/// The most bytes `batch -f` and `import -f` read: whole conversations and many turns.
pub const BULK_INPUT_CAP: u64 = 1 << 30;

/// Default of [`max_input_bytes`].
pub const DEFAULT_MAX_INPUT: u64 = 4 << 20;

pub(super) fn parse_bytes(s: &str) -> Option<u64> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..digits].parse().ok()?;
    let unit = match s[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(unit).filter(|n| *n > 0)
}

/// Read a text file, `-` meaning stdin, refusing more than `cap` bytes (a pipe from
/// `/dev/urandom` or a huge file fails at once, with the limit named, instead of filling
/// memory) and anything that is not UTF-8 text.
pub fn read_text_capped(path: &std::path::Path, cap: u64) -> anyhow::Result<String> {
    let (what, reader): (String, Box<dyn Read>) = if path.as_os_str() == "-" {
        ("stdin".into(), Box::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        (path.display().to_string(), Box::new(f))
    };
    let mut bytes = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {what}"))?;
    if bytes.len() as u64 > cap {
        return Err(UsageError(format!(
            "{what} holds more than {cap} bytes, the most read for one input (set KUBECTL_MCP_MAX_INPUT to change it); nothing was sent"
        ))
        .into());
    }
    String::from_utf8(bytes).map_err(|e| {
        UsageError(format!(
            "{what} is not UTF-8 text (invalid byte at offset {}); nothing was sent",
            e.utf8_error().valid_up_to()
        ))
        .into()
    })
}

/// `text` in a fenced block (longer than any run of backticks in it), then the question.
pub fn with_attachment(text: &str, question: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!(
        "{fence}\n{}\n{fence}\n\n{question}",
        text.trim_end_matches('\n')
    )
}

/// [`read_text_capped`] with the message cap ([`max_input_bytes`]).
pub fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    read_text_capped(path, max_input_bytes()?)
}
