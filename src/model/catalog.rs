//! What the tool knows of Claude models without asking: context window, answer cap, the
//! shortest cacheable prefix, and prices. One dated table, so that a price change is one edit
//! and every figure the tool prints says which prices it used.
//!
//! Model IDs are matched exactly or as a dated ID of an alias (`claude-sonnet-4-5-20250929`
//! is `claude-sonnet-4-5`). A model not in the table (a newer one, a local model behind
//! `ANTHROPIC_BASE_URL`) has no limits or prices here: callers fall back to defaults and say
//! that the cost is unknown rather than guess.

/// When the prices below were published (Anthropic's price list, per million tokens, USD).
pub const PRICES_AS_OF: &str = "2026";

/// Prices in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    /// Input not read from or written to the cache.
    pub input: f64,
    /// Output.
    pub output: f64,
    /// Cache writes with the 5-minute TTL (1.25× input).
    pub cache_write_5m: f64,
    /// Cache writes with the 1-hour TTL (2× input).
    pub cache_write_1h: f64,
    /// Cache reads (0.1× input).
    pub cache_read: f64,
}

/// One model family as the table knows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInfo {
    /// The alias (dated IDs start with it).
    pub id: &'static str,
    /// Context window, tokens.
    pub context_window: u32,
    /// Largest `max_tokens` the model takes.
    pub max_output: u32,
    /// Shortest prefix the prompt cache keeps, tokens.
    pub cache_min: u32,
    /// Prices.
    pub prices: Prices,
    /// Supports Anthropic's server-side compaction edit.
    pub compaction: bool,
}

const fn prices(input: f64, output: f64) -> Prices {
    Prices {
        input,
        output,
        cache_write_5m: input * 1.25,
        cache_write_1h: input * 2.0,
        cache_read: input * 0.1,
    }
}

const fn model(
    id: &'static str,
    context_window: u32,
    max_output: u32,
    cache_min: u32,
    prices: Prices,
    compaction: bool,
) -> ModelInfo {
    ModelInfo {
        id,
        context_window,
        max_output,
        cache_min,
        prices,
        compaction,
    }
}

/// The table (`../shared/notes/anthropic-api.md`, as published in 2026). Longer IDs first, so
/// that a prefix match picks the most specific entry.
pub const MODELS: &[ModelInfo] = &[
    model(
        "claude-haiku-4-5",
        200_000,
        64_000,
        4_096,
        prices(1.0, 5.0),
        false,
    ),
    model(
        "claude-sonnet-4-5",
        200_000,
        64_000,
        1_024,
        prices(3.0, 15.0),
        false,
    ),
    model(
        "claude-sonnet-4-6",
        1_000_000,
        128_000,
        2_048,
        prices(3.0, 15.0),
        true,
    ),
    model(
        "claude-opus-4-5",
        200_000,
        64_000,
        4_096,
        prices(5.0, 25.0),
        false,
    ),
    model(
        "claude-opus-4-6",
        1_000_000,
        128_000,
        4_096,
        prices(5.0, 25.0),
        true,
    ),
    model(
        "claude-opus-4-7",
        1_000_000,
        128_000,
        4_096,
        prices(5.0, 25.0),
        true,
    ),
    model(
        "claude-opus-4-8",
        1_000_000,
        128_000,
        4_096,
        prices(5.0, 25.0),
        true,
    ),
    model(
        "claude-sonnet-5-5",
        1_000_000,
        128_000,
        2_048,
        prices(2.0, 10.0),
        true,
    ),
    model(
        "claude-opus-5-5",
        1_000_000,
        128_000,
        2_048,
        prices(4.0, 20.0),
        true,
    ),
];

/// Whether `id` is `alias` itself or a dated ID of it (`ALIAS-YYYYMMDD`).
pub fn names(alias: &str, id: &str) -> bool {
    id == alias
        || id
            .strip_prefix(alias)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|date| date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()))
}

/// The table's entry for `id`: the alias itself, or a dated ID of it (`ALIAS-YYYYMMDD`).
pub fn lookup(id: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| names(m.id, id))
}

/// Prices the configuration file sets, by model or alias: handed in once by
/// `config::load`, so that the table (a pure module) never reads a file.
static PRICE_OVERRIDES: std::sync::OnceLock<Vec<(String, Prices)>> = std::sync::OnceLock::new();

/// Hand in the configuration file's prices (the first call wins; later ones are ignored, as
/// the file is read once per process).
pub fn set_price_overrides(prices: Vec<(String, Prices)>) {
    let _ = PRICE_OVERRIDES.set(prices);
}

/// The configuration file's price for `id`: for exactly that ID, else for the alias a dated
/// ID starts with.
pub fn price_override(id: &str) -> Option<Prices> {
    let prices = PRICE_OVERRIDES.get()?;
    prices
        .iter()
        .find(|(m, _)| m == id)
        .or_else(|| prices.iter().find(|(alias, _)| names(alias, id)))
        .map(|(_, p)| *p)
}

/// `id`'s prices: the configuration file's override, else the table's, else none (unpriced).
pub fn price_of(id: &str) -> Option<Prices> {
    price_override(id).or_else(|| lookup(id).map(|m| m.prices))
}

/// A model's limits: from the server's Models API when it described the model, else from
/// the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Context window (`max_input_tokens`), tokens.
    pub context_window: u32,
    /// Largest `max_tokens` (`max_tokens`).
    pub max_output: u32,
    /// Supports the server-side compaction edit (`None`: not said).
    pub compaction: Option<bool>,
}

/// Limits the server described during this process ([`learn`]).
fn learnt() -> &'static std::sync::Mutex<std::collections::HashMap<String, Limits>> {
    static LEARNT: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, Limits>>,
    > = std::sync::OnceLock::new();
    LEARNT.get_or_init(Default::default)
}

/// Remember what the server's Models API said of `id`. Kept for the process: the limits of a
/// model do not change under a running command, and every later window and check in it then
/// uses the server's figures without threading them through each caller.
pub fn learn(id: &str, limits: Limits) {
    learnt()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.to_string(), limits);
}

/// `id`'s limits: what the server said ([`learn`]), else the table's, else unknown.
pub fn limits(id: &str) -> Option<Limits> {
    if let Some(l) = learnt().lock().unwrap_or_else(|e| e.into_inner()).get(id) {
        return Some(*l);
    }
    lookup(id).map(|m| Limits {
        context_window: m.context_window,
        max_output: m.max_output,
        compaction: Some(m.compaction),
    })
}

/// A warning for a model neither the table nor the server's Models API ([`learn`]) knows (a
/// newer model, a typo, a local model): its limits are unknown here, and the API decides
/// whether it exists.
pub fn unknown_model_warning(id: &str) -> Option<String> {
    limits(id).is_none().then(|| match did_you_mean(id) {
        Some(meant) => format!(
            "warning: model \"{id}\" is not in this tool's table of Claude models: did you mean {meant}? (if not, its limits and prices are unknown here, and the API will say whether it exists)"
        ),
        None => format!(
            "warning: model \"{id}\" is not in this tool's table of Claude models ({}): its limits and prices are unknown here, and the API will say whether it exists",
            MODELS.iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
        ),
    })
}

/// The known model `id` is most likely a typo of, as clap suggests a flag: close in spelling
/// (Jaro-Winkler over 0.9), or the same with its `claude-` left off. A name that differs from
/// a known one only in its numbers is taken for another version (a newer model), not a typo.
pub fn did_you_mean(id: &str) -> Option<&'static str> {
    let id = id.trim();
    if id.is_empty() || lookup(id).is_some() {
        return None;
    }
    let letters = |s: &str| -> String { s.chars().filter(|c| !c.is_ascii_digit()).collect() };
    if MODELS.iter().any(|m| letters(m.id) == letters(id)) {
        return None;
    }
    let lower = id.to_ascii_lowercase();
    MODELS
        .iter()
        .map(|m| (strsim::jaro_winkler(&lower, m.id), m.id))
        .filter(|(score, _)| *score > 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, m)| m)
        .or_else(|| {
            MODELS
                .iter()
                .find(|m| m.id.strip_prefix("claude-") == Some(lower.as_str()))
                .map(|m| m.id)
        })
}

/// What one call cost, in millionths of a dollar (integers, so that totals add up exactly),
/// at `prices`: of the `cache_writes`, `one_hour_writes` at the one-hour rate (2× input), the
/// rest at the five-minute rate (1.25×).
pub fn cost_micro_usd(
    prices: &Prices,
    input: u64,
    output: u64,
    cache_writes: u64,
    cache_reads: u64,
    one_hour_writes: u64,
) -> u64 {
    let one_hour = one_hour_writes.min(cache_writes);
    // USD per million tokens is millionths of a dollar per token.
    let micro = input as f64 * prices.input
        + output as f64 * prices.output
        + (cache_writes - one_hour) as f64 * prices.cache_write_5m
        + one_hour as f64 * prices.cache_write_1h
        + cache_reads as f64 * prices.cache_read;
    micro.round() as u64
}

/// `$0.0421` from millionths of a dollar: four decimals below a dollar, two above.
pub fn format_usd(micro: u64) -> String {
    if micro >= 1_000_000 {
        format!("${:.2}", micro as f64 / 1e6)
    } else {
        format!("${:.4}", micro as f64 / 1e6)
    }
}

/// What some calls cost, as a table cell: `$0.0421`; `n/a` when none of the `calls` had a
/// price (not `$0.0000`, which reads as free in a chargeback table); `$0.0421 + n/a` when
/// `unpriced` of them had none.
pub fn cost_cell(micro: u64, calls: u64, unpriced: u64) -> String {
    if unpriced > 0 && unpriced >= calls {
        "n/a".to_string()
    } else if unpriced > 0 {
        format!("{} + n/a", format_usd(micro))
    } else {
        format_usd(micro)
    }
}

/// A price in dollars per million tokens as money: `3.75`, `0.30` (a computed price such as
/// 3 × 0.1 is not shown as 0.30000000000000004).
pub fn format_price(per_million: f64) -> String {
    let cents = format!("{per_million:.4}");
    let trimmed = cents.trim_end_matches('0');
    match trimmed.split_once('.') {
        Some((whole, frac)) if frac.len() < 2 => format!("{whole}.{frac:0<2}"),
        _ => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_money_and_an_unknown_price_as_n_a() {
        assert_eq!(format_price(3.0 * 0.1), "0.30");
        assert_eq!(format_price(3.75), "3.75");
        assert_eq!(format_price(15.0), "15.00");
        assert_eq!(format_price(0.08), "0.08");
        assert_eq!(format_price(0.0125), "0.0125");
        assert_eq!(cost_cell(7_215, 3, 0), "$0.0072");
        assert_eq!(cost_cell(0, 2, 2), "n/a");
        assert_eq!(cost_cell(7_215, 3, 1), "$0.0072 + n/a");
        assert_eq!(cost_cell(0, 0, 0), "$0.0000");
    }

    #[test]
    fn aliases_and_dated_ids_are_found_and_nothing_else() {
        assert_eq!(lookup("claude-sonnet-4-5").unwrap().max_output, 64_000);
        assert_eq!(
            lookup("claude-sonnet-4-5-20250929").unwrap().id,
            "claude-sonnet-4-5"
        );
        assert_eq!(
            lookup("claude-sonnet-4-6").unwrap().context_window,
            1_000_000
        );
        assert!(lookup("claude-sonnet-4-5-latest").is_none());
        assert!(lookup("claude-sonnet-4").is_none());
        assert!(lookup("llama3").is_none());
    }

    #[test]
    fn costs_follow_the_published_multipliers() {
        let haiku = lookup("claude-haiku-4-5").unwrap().prices;
        // 1M uncached input tokens on Haiku 4.5 cost $1; output $5; reads $0.10; writes $1.25.
        assert_eq!(cost_micro_usd(&haiku, 1_000_000, 0, 0, 0, 0), 1_000_000);
        assert_eq!(cost_micro_usd(&haiku, 0, 1_000_000, 0, 0, 0), 5_000_000);
        assert_eq!(cost_micro_usd(&haiku, 0, 0, 0, 1_000_000, 0), 100_000);
        assert_eq!(cost_micro_usd(&haiku, 0, 0, 1_000_000, 0, 0), 1_250_000);
        assert_eq!(
            cost_micro_usd(&haiku, 0, 0, 1_000_000, 0, 1_000_000),
            2_000_000
        );
        // A write split by TTL: each part at its own rate.
        assert_eq!(
            cost_micro_usd(&haiku, 0, 0, 1_000_000, 0, 400_000),
            1_550_000
        );
        let sonnet = lookup("claude-sonnet-4-5").unwrap().prices;
        // A typical turn: 2,000 read, 100 written, 80 new, 400 out.
        assert_eq!(cost_micro_usd(&sonnet, 80, 400, 100, 2_000, 0), 7_215);
        assert_eq!(format_usd(7_215), "$0.0072");
        assert_eq!(format_usd(12_345_678), "$12.35");
    }

    #[test]
    fn a_misspelt_model_is_suggested_and_another_version_is_not() {
        for (typed, meant) in [
            ("claude-sonet-4-5", Some("claude-sonnet-4-5")),
            ("claude-opsu-4-6", Some("claude-opus-4-6")),
            ("Claude-Haiku-4-5", Some("claude-haiku-4-5")),
            ("sonnet-4-5", Some("claude-sonnet-4-5")),
            ("claude-sonnet-4-5", None),
            ("claude-sonnet-4-7", None),
            ("claude-future-9", None),
            ("m", None),
            ("llama3", None),
            ("", None),
        ] {
            assert_eq!(did_you_mean(typed), meant, "{typed}");
        }
        let w = unknown_model_warning("claude-sonet-4-5").unwrap();
        assert!(w.contains("did you mean claude-sonnet-4-5?"), "{w}");
    }
}
