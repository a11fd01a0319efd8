//! What a context's settings cost at its own pace, and which settings keeping at least N turns
//! would cost least: `kubectl mcp usage --advise` and the REPL's `/cost`.
//!
//! The bill of a setting is estimated by replaying turns shaped like the context's own (its
//! system prompt and summary, its average question and answer) at the pace it has kept
//! (`status.promptCache.gapsSeconds`, replayed in order), through the same window
//! ([`crate::engine::window::build`]) and the same cache plan
//! ([`crate::engine::cache::plan_request`]) a real turn uses, against a model of the API's
//! prompt cache as documented: an entry per breakpoint whose prefix reaches the model's
//! minimum, five-minute and one-hour TTLs billed apart (1.25× and 2× input), a read at 0.1×
//! renewing only the entry read, lookback of 20 blocks. Summarizing calls are not counted
//! (the same for every setting of one strategy), nor output (the same for every setting).

use std::collections::HashMap;

use serde::Serialize;

use crate::engine::budget::summary_of;
use crate::engine::cache::{self, Ledger, Plan, Shape, Ttl};
use crate::engine::tokens;
use crate::engine::window::{self, Input};
use crate::model::resource::{ClaudeModelContext, Message, Role};

/// Tokens of an ordinary question and answer, for a context with too few turns of its own.
const ORDINARY_QUESTION: u64 = 80;
const ORDINARY_ANSWER: u64 = 400;

/// Turns of its own a context needs before its averages replace ordinary ones.
const OWN_TURNS: usize = 3;

/// How far back from a breakpoint the API looks for an entry to read, in blocks.
const LOOKBACK: usize = 20;

/// What the estimate replays: turns shaped like a context's own, at its pace.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Tokens of the system prompt and summary together (estimated).
    pub system: u64,
    /// Tokens of a question and of an answer, on average.
    pub question: u64,
    pub answer: u64,
    /// Seconds between turns, oldest first, as kept in status (empty: two minutes each).
    pub gaps: Vec<u64>,
    /// The model's cache minimum, tokens.
    pub minimum: u64,
    /// The prompt budget when `maxTokens` is not set (the model's room).
    pub room: u64,
}

impl Profile {
    /// The profile of `obj`: its own averages once it has a few live turns, ordinary ones
    /// before; its model's minimum (0 for a model the table lacks).
    pub fn of(obj: &ClaudeModelContext) -> Profile {
        let spec = &obj.spec;
        let system = spec.system_prompt.as_deref().map_or(0, tokens::estimate)
            + summary_of(obj).map_or(0, tokens::estimate);
        let live = obj.live_history();
        let average = |role: Role| {
            let sizes: Vec<u64> = live
                .iter()
                .filter(|m| m.role == role)
                .map(|m| u64::from(tokens::estimate(&m.content)))
                .collect();
            (sizes.len() >= OWN_TURNS).then(|| sizes.iter().sum::<u64>() / sizes.len() as u64)
        };
        let mut room_spec = spec.clone();
        room_spec.max_tokens = None;
        Profile {
            system: u64::from(system),
            question: average(Role::User).unwrap_or(ORDINARY_QUESTION).max(1),
            answer: average(Role::Assistant).unwrap_or(ORDINARY_ANSWER).max(1),
            gaps: obj
                .status
                .as_ref()
                .and_then(|s| s.prompt_cache.as_ref())
                .map(|p| p.gaps_seconds.iter().map(|&g| u64::from(g)).collect())
                .unwrap_or_default(),
            minimum: crate::model::catalog::lookup(&spec.model_name)
                .map_or(0, |m| u64::from(m.cache_min)),
            room: u64::from(crate::engine::budget::prompt_budget(&room_spec)),
        }
    }

    /// Tokens of one turn as sent (both messages with their overhead).
    fn turn(&self) -> u64 {
        let overhead = u64::from(tokens::PER_MESSAGE_OVERHEAD);
        self.question + self.answer + 2 * overhead
    }
}

/// The settings that shape a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
}

impl Settings {
    /// `historySize 10, maxTokens 20000`, or `no limit`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            self.history_size.map(|h| format!("historySize {h}")),
            self.max_tokens.map(|b| format!("maxTokens {b}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "no limit".into()
        } else {
            parts.join(", ")
        }
    }

    /// The flags of `kubectl mcp set` that give these settings from `current`: a limit
    /// changed or added, or taken back with `none`.
    pub fn flags_from(&self, current: &Settings) -> String {
        let mut flags = Vec::new();
        match (self.history_size, current.history_size) {
            (Some(h), was) if Some(h) != was => flags.push(format!("--history-size {h}")),
            (None, Some(_)) => flags.push("--history-size none".to_string()),
            _ => {}
        }
        match (self.max_tokens, current.max_tokens) {
            (Some(b), was) if Some(b) != was => flags.push(format!("--max-tokens {b}")),
            (None, Some(_)) => flags.push("--max-tokens none".to_string()),
            _ => {}
        }
        flags.join(" ")
    }
}

/// What a setting is estimated to cost, per turn, in units of the model's input price per
/// token (×price = dollars), with the turns its requests keep.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub settings: Settings,
    /// Fewest and average turns a request carried, once the window is full.
    pub kept_min: usize,
    pub kept_average: f64,
    /// Input billed per turn (cache reads and writes at their prices).
    pub billed_per_turn: f64,
    /// The same requests sent with no breakpoint, per turn.
    pub uncached_per_turn: f64,
}

/// Replay turns shaped like `profile`'s under `settings`: long enough for the window to
/// move a few times, measured over the second half (a window that is still filling costs
/// less than it will).
pub fn simulate(profile: &Profile, settings: Settings) -> Estimate {
    let budget = settings.max_tokens.map_or(profile.room, u64::from);
    let per_turn = profile.turn().max(1);
    let limit = settings
        .history_size
        .map_or(usize::MAX, |h| h as usize)
        .min((budget / per_turn) as usize)
        .max(1);
    let turns = limit.saturating_mul(3).clamp(60, 200);
    let system = text(profile.system);
    let question = text(profile.question);
    let answer = text(profile.answer);
    let mut history: Vec<Message> = Vec::with_capacity(2 * turns);
    let mut raw: Vec<u32> = Vec::with_capacity(2 * turns);
    let mut model = CacheModel::default();
    let mut ledger = Ledger::default();
    let mut clock = 0u64;
    let (mut kept_min, mut kept_sum, mut billed, mut uncached, mut measured) =
        (usize::MAX, 0usize, 0.0, 0.0, 0usize);
    for turn in 0..turns {
        let Ok(w) = window::build(&Input {
            system_prompt: (profile.system > 0).then_some(system.as_str()),
            summary: None,
            history: &history,
            message_tokens: Some(&raw),
            history_size: settings.history_size,
            max_tokens: settings.max_tokens,
            ratio: 1.0,
            new_message: &question,
        }) else {
            // Not even the new message fits: nothing this setting can send.
            return Estimate {
                settings,
                kept_min: 0,
                kept_average: 0.0,
                billed_per_turn: f64::INFINITY,
                uncached_per_turn: f64::INFINITY,
            };
        };
        // The history's messages are stored short with their sizes beside them (copying
        // full texts into every window dominated the time); the shape is given those sizes,
        // as the store's would have from the texts.
        let mut shape = cache::request_shape(&w, 0, settings.history_size, budget, profile.minimum);
        shape.messages = raw[w.first_sent..]
            .iter()
            .map(|&t| u64::from(t))
            .chain(std::iter::once(u64::from(tokens::estimate(&question))))
            .collect();
        let plan = cache::plan(&ledger, clock, &shape);
        let bill = model.charge(&shape, &plan, clock);
        if turn >= turns / 2 {
            measured += 1;
            kept_min = kept_min.min(w.turns_sent);
            kept_sum += w.turns_sent;
            billed += bill.billed();
            uncached += bill.total() as f64;
        }
        ledger = ledger.after(&plan, &shape, clock);
        for (role, content) in [(Role::User, &question), (Role::Assistant, &answer)] {
            raw.push(tokens::estimate(content));
            history.push(Message::plain(role, STAND_IN));
        }
        clock += match profile.gaps.len() {
            0 => 120,
            n => profile.gaps[turn % n],
        };
    }
    let n = measured.max(1) as f64;
    Estimate {
        settings,
        kept_min: if measured == 0 { 0 } else { kept_min },
        kept_average: kept_sum as f64 / n,
        billed_per_turn: billed / n,
        uncached_per_turn: uncached / n,
    }
}

/// A stored message's text in the replay; its size is given beside it.
const STAND_IN: &str = "m";

/// ASCII text the engine estimates at `tokens` tokens.
fn text(tokens: u64) -> String {
    // estimate() counts ceil(2c/7) for c ASCII characters.
    let chars = (7 * tokens / 2) as usize;
    let mut s = "word ".repeat(chars / 5 + 1);
    s.truncate(chars.max(1));
    s
}

/// The settings worth comparing for keeping at least `keep` turns: history sizes and budgets
/// around what `keep` turns of this profile need (a window steps between half full and full,
/// so a history size of about twice `keep` is where the answer usually lies). Each sets one
/// limit and either keeps `current`'s other or takes it back (`kubectl mcp set … none`).
pub fn candidates(profile: &Profile, current: Settings, keep: usize) -> Vec<Settings> {
    let keep = u32::try_from(keep.max(1)).unwrap_or(u32::MAX / 8);
    let mut out = Vec::new();
    for h in [keep, 2 * keep - 1, 2 * keep, 3 * keep, 4 * keep] {
        out.push(Settings {
            history_size: Some(h),
            ..current
        });
        out.push(Settings {
            history_size: Some(h),
            max_tokens: None,
        });
    }
    let fixed = profile.system
        + profile.question
        + u64::from(tokens::PER_MESSAGE_OVERHEAD + tokens::PER_REQUEST_OVERHEAD);
    for k in [1.0, 1.5, 2.0, 3.0, 4.0] {
        let b = fixed + (profile.turn() as f64 * f64::from(keep) * k).ceil() as u64;
        let b = b.div_ceil(500) * 500;
        if b < profile.room {
            out.push(Settings {
                max_tokens: u32::try_from(b).ok(),
                ..current
            });
            out.push(Settings {
                max_tokens: u32::try_from(b).ok(),
                history_size: None,
            });
        }
    }
    out.sort_by_key(|s| (s.history_size, s.max_tokens));
    out.dedup();
    out
}

/// The advice for a context: its current settings' estimate, and the settings keeping at
/// least `keep` turns, cheapest first (at most `shown`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Advice {
    pub keep: usize,
    pub current: Estimate,
    pub cheapest: Vec<Estimate>,
}

/// The advice from `current_estimate`, the [`simulate`]d current settings (the caller has it
/// already when it chose `keep` from them).
pub fn advise(profile: &Profile, current_estimate: Estimate, keep: usize, shown: usize) -> Advice {
    let current = current_estimate.settings;
    let mut all: Vec<Estimate> = candidates(profile, current, keep)
        .into_iter()
        .filter(|s| *s != current)
        .map(|s| simulate(profile, s))
        .chain(std::iter::once(current_estimate.clone()))
        .filter(|e| e.kept_min >= keep && e.billed_per_turn.is_finite())
        .collect();
    // Cheapest first; among bills within 0.5% of each other, the current settings, then the
    // fewest changes (a budget that never binds changes nothing but the spec).
    let changes = |e: &Estimate| {
        usize::from(e.settings.history_size != current.history_size)
            + usize::from(e.settings.max_tokens != current.max_tokens)
    };
    let same = |a: &Estimate, b: &Estimate| {
        (a.billed_per_turn - b.billed_per_turn).abs() <= 0.005 * a.billed_per_turn.max(1.0)
    };
    all.sort_by(|a, b| {
        if same(a, b) {
            changes(a)
                .cmp(&changes(b))
                .then(b.kept_average.total_cmp(&a.kept_average))
        } else {
            a.billed_per_turn.total_cmp(&b.billed_per_turn)
        }
    });
    // Settings that behave alike (the same turns kept, the same bill) are shown once.
    let mut cheapest: Vec<Estimate> = Vec::new();
    for e in all {
        let alike = cheapest
            .iter()
            .any(|c| same(c, &e) && c.kept_min == e.kept_min && c.kept_average == e.kept_average);
        if !alike {
            cheapest.push(e);
        }
    }
    cheapest.truncate(shown);
    Advice {
        keep,
        current: current_estimate,
        cheapest,
    }
}

/// What a context's calls did with the cache, and what the same calls would have cost
/// without it, from its `status.usage` at the prices of each model (models without a price
/// are left out of every figure here and counted in `unpriced_requests`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub requests: u64,
    pub read_tokens: u64,
    pub write_5m_tokens: u64,
    pub write_1h_tokens: u64,
    pub uncached_input_tokens: u64,
    pub output_tokens: u64,
    /// What the reads and the writes cost, millionths of a dollar.
    #[serde(rename = "readMicroUSD")]
    pub read_micro_usd: u64,
    #[serde(rename = "writeMicroUSD")]
    pub write_micro_usd: u64,
    /// What the calls were billed, input and output.
    #[serde(rename = "billedMicroUSD")]
    pub billed_micro_usd: u64,
    /// The same calls with every input token at the input price.
    #[serde(rename = "uncachedMicroUSD")]
    pub uncached_micro_usd: u64,
    pub unpriced_requests: u64,
}

impl Account {
    pub fn of(usage: &crate::model::resource::UsageTotals) -> Account {
        use crate::model::catalog::{cost_micro_usd, price_of};
        let mut a = Account {
            unpriced_requests: usage.unpriced_requests,
            ..Account::default()
        };
        for (model, m) in &usage.models {
            // Calls to a model without a price are already in `unpriced_requests`.
            let Some(p) = price_of(model) else {
                continue;
            };
            let one_hour = m
                .cache_creation_1h_input_tokens
                .min(m.cache_creation_input_tokens);
            a.requests += m.requests + m.summary_requests;
            a.read_tokens += m.cache_read_input_tokens;
            a.write_1h_tokens += one_hour;
            a.write_5m_tokens += m.cache_creation_input_tokens - one_hour;
            a.uncached_input_tokens += m.input_tokens;
            a.output_tokens += m.output_tokens;
            a.read_micro_usd += cost_micro_usd(&p, 0, 0, 0, m.cache_read_input_tokens, 0);
            a.write_micro_usd +=
                cost_micro_usd(&p, 0, 0, m.cache_creation_input_tokens, 0, one_hour);
            a.billed_micro_usd += cost_micro_usd(
                &p,
                m.input_tokens,
                m.output_tokens,
                m.cache_creation_input_tokens,
                m.cache_read_input_tokens,
                one_hour,
            );
            a.uncached_micro_usd += cost_micro_usd(
                &p,
                m.input_tokens + m.cache_creation_input_tokens + m.cache_read_input_tokens,
                m.output_tokens,
                0,
                0,
                0,
            );
        }
        a
    }
}

/// One request's input as the cache bills it, in tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Bill {
    uncached: u64,
    write_5m: u64,
    write_1h: u64,
    read: u64,
}

impl Bill {
    fn billed(&self) -> f64 {
        self.uncached as f64
            + Ttl::FiveMinutes.write_price() * self.write_5m as f64
            + Ttl::OneHour.write_price() * self.write_1h as f64
            + 0.1 * self.read as f64
    }

    fn total(&self) -> u64 {
        self.uncached + self.write_5m + self.write_1h + self.read
    }
}

/// A prefix of a request: the system blocks alone, or the window beginning at conversation
/// message `start` up to its `end`th message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Prefix {
    System,
    Messages { start: u64, end: usize },
}

/// The prompt cache, as documented: entries by prefix, each with its TTL and last use.
#[derive(Debug, Default)]
struct CacheModel {
    entries: HashMap<Prefix, (Ttl, u64)>,
}

impl CacheModel {
    /// Bill a request of `shape` with `plan`'s breakpoints at `now`, and update the entries.
    fn charge(&mut self, shape: &Shape, plan: &Plan, now: u64) -> Bill {
        let n = shape.messages.len();
        let upto = |p: Prefix| match p {
            Prefix::System => shape.system,
            Prefix::Messages { end, .. } => {
                shape.system + shape.messages[..end].iter().sum::<u64>()
            }
        };
        let at = |end: usize| Prefix::Messages {
            start: shape.window_start,
            end,
        };
        // The breakpoints, as `MessagesRequest::from_window_planned` places them.
        let later = |t: Ttl| match plan.system {
            Some(Ttl::FiveMinutes) => Ttl::FiveMinutes,
            _ => t,
        };
        let mut marks: Vec<(Prefix, usize, Ttl)> = Vec::new();
        if let (Some(t), true) = (plan.system, shape.system > 0) {
            marks.push((Prefix::System, 0, t));
        }
        if let Some(back) = plan.read_back {
            if let Some(end) = n.checked_sub(2 + 2 * back as usize).filter(|&e| e > 0) {
                marks.push((at(end), end, later(Ttl::FiveMinutes)));
            }
        }
        if let Some(t) = plan.tail {
            marks.push((at(n), n, later(t)));
        }
        let live = |p: &Prefix, entries: &HashMap<Prefix, (Ttl, u64)>| {
            entries.get(p).is_some_and(|(ttl, used)| {
                now.saturating_sub(*used) < ttl_secs(*ttl) && upto(*p) >= shape.minimum
            })
        };
        // The longest live entry within the lookback of a breakpoint is read.
        let mut hit: Option<Prefix> = None;
        for &(p, end, _) in &marks {
            let mut found = None;
            if p != Prefix::System {
                found = (end.saturating_sub(LOOKBACK).max(1)..=end)
                    .rev()
                    .map(at)
                    .find(|q| live(q, &self.entries));
            }
            if found.is_none() && end < LOOKBACK && live(&Prefix::System, &self.entries) {
                found = Some(Prefix::System);
            }
            if let Some(q) = found {
                if hit.is_none_or(|h| upto(q) > upto(h)) {
                    hit = Some(q);
                }
            }
        }
        let read = hit.map_or(0, upto);
        if let Some(h) = hit {
            if let Some(e) = self.entries.get_mut(&h) {
                e.1 = now;
            }
        }
        // Every breakpoint past what was read, long enough, writes an entry.
        let (mut written, mut one_hour) = (read, read);
        for &(p, _, ttl) in &marks {
            let t = upto(p);
            if t > read && t >= shape.minimum {
                self.entries.insert(p, (ttl, now));
                written = written.max(t);
                if ttl == Ttl::OneHour {
                    one_hour = one_hour.max(t);
                }
            }
        }
        let total = shape.system
            + shape.messages.iter().sum::<u64>()
            + u64::from(tokens::PER_REQUEST_OVERHEAD);
        Bill {
            uncached: total - written,
            write_5m: written - one_hour,
            write_1h: one_hour - read,
            read,
        }
    }
}

/// An entry's lifetime after its write or last hit, as the API keeps it.
fn ttl_secs(ttl: Ttl) -> u64 {
    match ttl {
        Ttl::FiveMinutes => 300,
        Ttl::OneHour => 3600,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(gaps: &[u64], minimum: u64) -> Profile {
        Profile {
            system: 1500,
            question: 80,
            answer: 400,
            gaps: gaps.to_vec(),
            minimum,
            room: 190_000,
        }
    }

    fn history(h: u32) -> Settings {
        Settings {
            history_size: Some(h),
            max_tokens: None,
        }
    }

    #[test]
    fn the_cache_model_bills_reads_writes_and_expiry_as_documented() {
        let shape = |messages: Vec<u64>| Shape {
            window_start: 0,
            system: 2000,
            messages,
            remaining: 5,
            minimum: 1024,
        };
        let tail = |t| Plan {
            system: None,
            tail: Some(t),
            read_back: None,
        };
        let mut m = CacheModel::default();
        // A first request writes everything up to its breakpoint.
        let b = m.charge(&shape(vec![100]), &tail(Ttl::FiveMinutes), 0);
        assert_eq!(
            b,
            Bill {
                uncached: 8,
                write_5m: 2100,
                write_1h: 0,
                read: 0
            }
        );
        // The next reads it and writes the new turn.
        let b = m.charge(&shape(vec![100, 400, 100]), &tail(Ttl::FiveMinutes), 200);
        assert_eq!((b.read, b.write_5m, b.uncached), (2100, 500, 8));
        // After five idle minutes a five-minute entry is gone.
        let b = m.charge(
            &shape(vec![100, 400, 100, 400, 100]),
            &tail(Ttl::OneHour),
            200 + 301,
        );
        assert_eq!((b.read, b.write_1h), (0, 3100));
        // A one-hour entry outlives a six-minute pause; reading without a tail writes nothing.
        let b = m.charge(
            &shape(vec![100, 400, 100, 400, 100, 400, 100]),
            &Plan {
                system: None,
                tail: None,
                read_back: Some(0),
            },
            501 + 360,
        );
        assert_eq!(
            (b.read, b.write_5m, b.write_1h, b.uncached),
            (3100, 0, 0, 508)
        );
        // Under the minimum nothing is cached at all.
        let mut m = CacheModel::default();
        let small = Shape {
            system: 0,
            ..shape(vec![100])
        };
        let b = m.charge(&small, &tail(Ttl::FiveMinutes), 0);
        assert_eq!((b.uncached, b.billed()), (108, 108.0));
    }

    #[test]
    fn caching_at_any_pace_never_costs_more_than_sending_uncached() {
        for gaps in [vec![90], vec![360], vec![60, 60, 60, 60, 1200]] {
            for minimum in [1024, 4096] {
                for h in [4, 10, 50] {
                    let e = simulate(&profile(&gaps, minimum), history(h));
                    assert!(
                        e.billed_per_turn <= e.uncached_per_turn * 1.0001,
                        "{gaps:?} {minimum} h{h}: {e:?}"
                    );
                    // historySize h keeps between half of it and all of it.
                    assert!(
                        e.kept_min >= (h as usize).div_ceil(2) - 1,
                        "{gaps:?} h{h}: {e:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_advice_keeps_enough_turns_and_is_cheapest_first() {
        let p = profile(&[360], 4096);
        let a = advise(&p, simulate(&p, history(4)), 6, 3);
        assert!(!a.cheapest.is_empty());
        for e in &a.cheapest {
            assert!(e.kept_min >= 6, "{e:?}");
        }
        for pair in a.cheapest.windows(2) {
            assert!(pair[0].billed_per_turn <= pair[1].billed_per_turn);
        }
        // historySize 4 keeps fewer than 6: it is described, not offered.
        assert!(a.current.kept_min < 6);
        assert!(a.cheapest.iter().all(|e| e.settings != history(4)));
        // Asking for what cannot be kept in the model's room offers nothing.
        let tiny = Profile {
            room: 2_000,
            ..p.clone()
        };
        assert!(advise(&tiny, simulate(&tiny, history(4)), 50, 3)
            .cheapest
            .is_empty());
    }

    #[test]
    fn a_profile_comes_from_the_context_its_turns_and_its_pace() {
        use crate::model::fixtures::{context, messages};
        let mut c = context("c").model("claude-haiku-4-5").build();
        let p = Profile::of(&c);
        assert_eq!((p.question, p.answer, p.minimum), (80, 400, 4096));
        c.spec.context_history = messages(12, |i| {
            if i % 2 == 0 {
                "q".repeat(70)
            } else {
                "a".repeat(700)
            }
        });
        c.spec.system_prompt = Some("s".repeat(350));
        c.status = Some(crate::model::resource::ClaudeModelContextStatus {
            prompt_cache: Some(crate::model::resource::PromptCacheStatus {
                gaps_seconds: vec![60, 400],
                ..Default::default()
            }),
            ..Default::default()
        });
        let p = Profile::of(&c);
        assert_eq!((p.question, p.answer, p.system), (20, 200, 100));
        assert_eq!(p.gaps, vec![60, 400]);
    }

    #[test]
    fn settings_say_what_to_type_and_take_a_limit_back_with_none() {
        let now = history(4);
        let next = Settings {
            history_size: Some(4),
            max_tokens: Some(9000),
        };
        assert_eq!(next.flags_from(&now), "--max-tokens 9000");
        assert_eq!(next.describe(), "historySize 4, maxTokens 9000");
        assert_eq!(history(8).flags_from(&now), "--history-size 8");
        let budget_only = Settings {
            history_size: None,
            max_tokens: Some(20_000),
        };
        assert_eq!(
            budget_only.flags_from(&next),
            "--history-size none --max-tokens 20000"
        );
        assert_eq!(history(4).flags_from(&next), "--max-tokens none");
        // Every candidate has a limit (no limit at all is the model's window, not advice),
        // and some take the other one back.
        let cs = candidates(&profile(&[90], 1024), next, 5);
        assert!(cs
            .iter()
            .all(|c| c.history_size.is_some() || c.max_tokens.is_some()));
        assert!(cs.iter().any(|c| c.max_tokens.is_none()));
        assert!(cs.iter().any(|c| c.history_size.is_none()));
    }

    #[test]
    fn an_account_prices_reads_writes_and_the_same_calls_uncached() {
        use crate::model::resource::{TokenUsage, UsageTotals};
        let mut u = UsageTotals::default();
        let usage = TokenUsage {
            input_tokens: 1_000,
            output_tokens: 100,
            cache_creation_input_tokens: 3_000,
            cache_read_input_tokens: 10_000,
            cache_creation_1h_input_tokens: 2_000,
        };
        u.add("claude-sonnet-4-5", "msg_1", &usage, false);
        u.add("my-local-model", "msg_2", &usage, false);
        let a = Account::of(&u);
        assert_eq!((a.requests, a.unpriced_requests), (1, 1));
        assert_eq!(
            (a.read_tokens, a.write_5m_tokens, a.write_1h_tokens),
            (10_000, 1_000, 2_000)
        );
        // Sonnet 4.5: $3 in, $15 out, $3.75 5m write, $6 1h write, $0.30 read per million.
        assert_eq!(a.read_micro_usd, 3_000);
        assert_eq!(a.write_micro_usd, 3_750 + 12_000);
        assert_eq!(a.billed_micro_usd, 3_000 + 1_500 + 3_750 + 12_000 + 3_000);
        assert_eq!(a.uncached_micro_usd, 14_000 * 3 + 1_500);
    }

    #[test]
    fn the_replay_plans_over_the_shape_the_store_would_see() {
        // The same history with full texts: the store's shape has the sizes the replay gives.
        let p = profile(&[90], 1024);
        let (q, a) = (text(p.question), text(p.answer));
        let history: Vec<Message> = (0..10)
            .flat_map(|_| {
                [(Role::User, &q), (Role::Assistant, &a)]
                    .map(|(role, content)| Message::plain(role, content.as_str()))
            })
            .collect();
        let system = text(p.system);
        let w = window::build(&Input {
            system_prompt: Some(&system),
            summary: None,
            history: &history,
            message_tokens: None,
            history_size: Some(8),
            max_tokens: None,
            ratio: 1.0,
            new_message: &q,
        })
        .unwrap();
        let shape = cache::request_shape(&w, 0, Some(8), p.room, p.minimum);
        let sizes: Vec<u64> = history[w.first_sent..]
            .iter()
            .map(|m| u64::from(tokens::estimate(&m.content)))
            .chain([u64::from(tokens::estimate(&q))])
            .collect();
        assert_eq!(shape.messages, sizes);
        assert_eq!((p.question, p.answer), (80, 400));
        assert_eq!(sizes[..2], [80, 400]);
        assert_eq!(shape.system, 1500);
    }
}
