//! The cache account and settings advice of one context, as `kubectl mcp usage --advise` and
//! the REPL's `/cost` show it: what its calls read from and wrote to the cache, what the same
//! calls would have cost uncached, and the cheapest settings that keep at least N turns
//! ([`crate::engine::advise`]).

use std::io::Write;

use serde::Serialize;

use crate::engine::advise::{self, Account, Advice, Estimate, Profile, Settings};
use crate::model::catalog::format_usd;
use crate::model::resource::ClaudeModelContext;

/// Settings shown besides the current ones.
const SHOWN: usize = 4;

/// Turns asked for when the current settings keep none to compare with.
const DEFAULT_KEEP: usize = 4;

/// The most turns asked for by default: a context without limits keeps every turn, and
/// "as many as now" would then grow with the conversation.
const DEFAULT_KEEP_CAP: usize = 20;

/// Most turns the advice can be asked to keep (the replay, 200 turns at most, must see a
/// window of that many move).
pub const MOST_KEPT: usize = 50;

/// Everything `usage --advise` says of one context.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub context: String,
    pub session_id: String,
    pub model: String,
    /// The pace the estimates replay: seconds between turns, oldest first.
    pub gaps_seconds: Vec<u64>,
    pub cache: Account,
    pub advice: Advice,
    /// Dollars per million input tokens, when the model has a price.
    #[serde(skip_serializing_if = "Option::is_none", rename = "inputPriceUSD")]
    pub input_price: Option<f64>,
    /// `kubectl mcp set …` for the cheapest settings, when they differ from the current ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// When `spec.cacheTTL` fixes the TTL, the estimates (which choose it by pace) are not
    /// what this context's requests do now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ttl: Option<String>,
}

/// The report for `obj`, keeping at least `keep` turns (default: as many as its current
/// settings keep once the window is full, at most 20).
pub fn report(obj: &ClaudeModelContext, keep: Option<usize>) -> Report {
    let spec = &obj.spec;
    let profile = Profile::of(obj);
    let current = Settings {
        history_size: spec.history_size,
        max_tokens: spec.max_tokens,
    };
    let now = advise::simulate(&profile, current);
    let keep = keep.unwrap_or(match now.kept_min {
        0 => DEFAULT_KEEP,
        n => n.min(DEFAULT_KEEP_CAP),
    });
    let advice = advise::advise(&profile, now, keep.clamp(1, MOST_KEPT), SHOWN);
    // Only when it saves more than a rounding error.
    let command = advice
        .cheapest
        .first()
        .filter(|best| {
            best.settings != current && best.billed_per_turn < 0.99 * advice.current.billed_per_turn
        })
        .map(|best| {
            format!(
                "kubectl mcp set {} {}",
                crate::cluster::shell_quote(&spec.session_id),
                best.settings.flags_from(&current)
            )
        });
    let usage = obj
        .status
        .as_ref()
        .and_then(|s| s.usage.clone())
        .unwrap_or_default();
    Report {
        context: format!(
            "{}/{}",
            obj.namespace_or_default(),
            obj.metadata.name.as_deref().unwrap_or_default()
        ),
        session_id: spec.session_id.clone(),
        model: spec.model_name.clone(),
        gaps_seconds: profile.gaps.clone(),
        cache: Account::of(&usage),
        advice,
        input_price: crate::model::catalog::price_of(&spec.model_name).map(|p| p.input),
        command,
        fixed_ttl: spec.cache_ttl.map(|t| match t {
            crate::model::resource::CacheTtl::FiveMinutes => "5m".to_string(),
            crate::model::resource::CacheTtl::OneHour => "1h".to_string(),
        }),
    }
}

/// `6m`, `90s`, `1h5m`.
fn duration(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 3600 => format!("{}m", (s + 30) / 60),
        s => format!("{}h{}m", s / 3600, (s % 3600) / 60),
    }
}

/// What `r` says, as text.
pub fn render(r: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let a = &r.cache;
    let pace = if r.gaps_seconds.is_empty() {
        "no pace measured yet: the estimates assume a turn every 2m".to_string()
    } else {
        let mut sorted = r.gaps_seconds.clone();
        sorted.sort_unstable();
        format!(
            "a turn every {} (median of the last {} gaps)",
            duration(sorted[sorted.len() / 2]),
            sorted.len()
        )
    };
    writeln!(out, "Context:   {} ({}), {pace}", r.context, r.model)?;
    if a.requests == 0 {
        writeln!(out, "Cache:     no priced calls yet")?;
    } else {
        writeln!(
            out,
            "Cache:     read {} tokens ({}); wrote {} tokens for 5 minutes and {} for an hour ({})",
            a.read_tokens,
            format_usd(a.read_micro_usd),
            a.write_5m_tokens,
            a.write_1h_tokens,
            format_usd(a.write_micro_usd)
        )?;
        let (billed, uncached) = (a.billed_micro_usd, a.uncached_micro_usd);
        let verdict = if billed <= uncached {
            format!(
                "caching saved {}, {:.0}%",
                format_usd(uncached - billed),
                100.0 * (uncached - billed) as f64 / uncached.max(1) as f64
            )
        } else {
            format!(
                "caching cost {} more, {:.0}%",
                format_usd(billed - uncached),
                100.0 * (billed - uncached) as f64 / uncached.max(1) as f64
            )
        };
        writeln!(
            out,
            "Billed:    {} for {} calls; the same calls uncached: {} ({verdict})",
            format_usd(billed),
            a.requests,
            format_usd(uncached)
        )?;
    }
    if a.unpriced_requests > 0 {
        writeln!(
            out,
            "           {} call(s) to models without a price are left out",
            a.unpriced_requests
        )?;
    }
    writeln!(
        out,
        "\nSettings that keep at least {} turns, cheapest first (input per turn, estimated over turns like this context's at its pace):",
        r.advice.keep
    )?;
    let per_turn = |e: &Estimate| match r.input_price {
        Some(p) => format_usd((e.billed_per_turn * p).round() as u64),
        None => format!("{:.0} tok", e.billed_per_turn),
    };
    let mut table = crate::ui::output::KubeTable::new(
        &["SETTINGS", "KEPT", "INPUT/TURN", "VS NOW", "VS UNCACHED"],
        true,
    );
    let now = &r.advice.current;
    let row = |e: &Estimate, mark: &str| {
        [
            format!("{}{mark}", e.settings.describe()),
            format!("{}+ (avg {:.1})", e.kept_min, e.kept_average),
            per_turn(e),
            format!("{:.2}x", e.billed_per_turn / now.billed_per_turn.max(1e-9)),
            format!("{:.2}x", e.billed_per_turn / e.uncached_per_turn.max(1e-9)),
        ]
    };
    for e in &r.advice.cheapest {
        let mark = if e.settings == now.settings {
            " (now)"
        } else {
            ""
        };
        table.row(row(e, mark));
    }
    if !r.advice.cheapest.iter().any(|e| e.settings == now.settings) {
        table.row(row(now, " (now)"));
    }
    table.print(out)?;
    if r.advice.cheapest.is_empty() {
        writeln!(
            out,
            "No settings keep {} turns of this size within the model's window; ask for fewer with --keep.",
            r.advice.keep
        )?;
    }
    if let Some(c) = &r.command {
        writeln!(out, "To use the cheapest: {c}")?;
    }
    if let Some(ttl) = &r.fixed_ttl {
        writeln!(out, "Note: spec.cacheTTL fixes this context's cache TTL at {ttl}; the estimates are for TTLs chosen by pace, which the tool uses when it is not set (kubectl mcp set {} --cache-ttl auto).", crate::cluster::shell_quote(&r.session_id))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{context, messages};

    #[test]
    fn a_report_names_the_cheapest_settings_and_the_command_for_them() {
        let mut c = context("demo").model("claude-haiku-4-5").build();
        c.spec.history_size = Some(4);
        c.spec.system_prompt = Some("be brief. ".repeat(500));
        c.spec.context_history = messages(8, |i| format!("{i} {}", "word ".repeat(300)));
        let r = report(&c, Some(6));
        assert_eq!(r.advice.keep, 6);
        let best = &r.advice.cheapest[0];
        assert!(best.kept_min >= 6);
        assert_eq!(
            r.command.as_deref(),
            Some(
                format!(
                    "kubectl mcp set demo {}",
                    best.settings.flags_from(&r.advice.current.settings)
                )
                .as_str()
            )
        );
        let mut text = Vec::new();
        render(&r, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("historySize 4 (now)"), "{text}");
        assert!(text.contains("no pace measured yet"), "{text}");
        assert!(
            text.contains("To use the cheapest: kubectl mcp set demo --history-size"),
            "{text}"
        );
        // By default, as many turns as the current settings keep.
        let r = report(&c, None);
        assert_eq!(r.advice.keep, r.advice.current.kept_min);
    }

    #[test]
    fn durations_read_like_kubectl() {
        assert_eq!(duration(90), "90s");
        assert_eq!(duration(360), "6m");
        assert_eq!(duration(3900), "1h5m");
    }
}
