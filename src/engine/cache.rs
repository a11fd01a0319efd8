//! Prompt caching as a configuration decides it: whether a context's windows can ever reach
//! its model's cache minimum. Below it the API caches nothing, silently (both cache fields
//! 0), so a user who set a small `historySize` or `maxTokens` to save money pays full price
//! for every turn without being told; `create`, `set` and the REPL's `/set` and `/model` say
//! so, with the smallest setting that would let the cache work.

use crate::engine::budget::{message_tokens, summary_of};
use crate::engine::tokens;
use crate::model::resource::{ClaudeModelContext, SummarizationStrategy};

/// Tokens of an ordinary turn, for a context with too few turns of its own to say: a question
/// of about 80 tokens and an answer of about 400 (the cost benchmark's turn).
pub const ORDINARY_TURN_TOKENS: u64 = 480;

/// Turns a context needs before its own average turn is used instead of an ordinary one.
const OWN_TURNS: usize = 3;

/// Why a context's windows can never be cached, with what would change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverCached {
    /// The model and its cache minimum, tokens.
    pub model: String,
    pub minimum: u64,
    /// The largest window the settings allow, tokens (estimated).
    pub largest: u64,
    /// What limits it (`historySize 4 with turns of about 480 tokens`).
    pub limited_by: String,
    /// The smallest setting that lets a window reach the minimum (`historySize 9`).
    pub enough: String,
}

impl std::fmt::Display for NeverCached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "warning: this context's windows stay under {}'s prompt-cache minimum of {} tokens (at most about {}: {}), so nothing of them is ever cached and every turn is billed at the full input price; a {} or more lets the cache work",
            self.model, self.minimum, self.largest, self.limited_by, self.enough
        )
    }
}

/// When `obj`'s settings keep every window under its model's cache minimum: a `historySize`
/// whose turns (this context's average once it has a few, else ordinary ones) with the
/// system prompt and summary stay under it, or a `maxTokens` under it. `None` when a window
/// can reach it, or the model is not in the table (its minimum is unknown).
pub fn never_cached(obj: &ClaudeModelContext) -> Option<NeverCached> {
    let spec = &obj.spec;
    let model = crate::model::catalog::lookup(&spec.model_name)?;
    let minimum = u64::from(model.cache_min);
    let fixed = u64::from(spec.system_prompt.as_deref().map_or(0, tokens::estimate))
        + u64::from(summary_of(obj).map_or(0, tokens::estimate))
        + 8;
    let turn = turn_tokens(obj);
    let by_history = spec.history_size.map(|h| {
        (
            fixed + u64::from(h) * turn,
            format!("historySize {h} with turns of about {turn} tokens"),
            format!(
                "historySize of {}",
                (minimum.saturating_sub(fixed)).div_ceil(turn.max(1)) + 1
            ),
        )
    });
    // With server-side compaction `maxTokens` is the compaction trigger, not a window limit.
    let by_budget = spec
        .max_tokens
        .filter(|_| spec.summarization_strategy != SummarizationStrategy::Server)
        .map(|b| {
            (
                u64::from(b),
                format!("maxTokens {b}"),
                format!("maxTokens of {}", minimum + turn),
            )
        });
    let (largest, limited_by, enough) = match (by_history, by_budget) {
        (Some(h), Some(b)) => {
            if h.0 <= b.0 {
                h
            } else {
                b
            }
        }
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => return None,
    };
    (largest < minimum).then(|| NeverCached {
        model: spec.model_name.clone(),
        minimum,
        largest,
        limited_by,
        enough,
    })
}

/// Tokens of one of this context's turns: the live turns' average once there are a few,
/// else [`ORDINARY_TURN_TOKENS`].
fn turn_tokens(obj: &ClaudeModelContext) -> u64 {
    let live = obj.live_history();
    let turns = crate::model::resource::count_turns(live);
    if turns < OWN_TURNS {
        return ORDINARY_TURN_TOKENS;
    }
    let total: u64 = live.iter().map(|m| u64::from(message_tokens(m))).sum();
    (total / turns as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{context, messages};

    fn settings(model: &str, history: Option<u32>, budget: Option<u32>) -> ClaudeModelContext {
        let mut c = context("c").model(model).build();
        c.spec.history_size = history;
        c.spec.max_tokens = budget;
        c
    }

    #[test]
    fn small_windows_under_the_minimum_are_named_with_the_setting_that_reaches_it() {
        // Haiku 4.5 keeps nothing under 4,096 tokens: four ordinary turns are about 1,900.
        let w = never_cached(&settings("claude-haiku-4-5", Some(4), None)).unwrap();
        assert_eq!((w.minimum, w.largest), (4096, 4 * 480 + 8));
        assert_eq!(w.enough, "historySize of 10");
        let text = w.to_string();
        assert!(
            text.contains("claude-haiku-4-5's prompt-cache minimum of 4096 tokens")
                && text.contains("historySize 4 with turns of about 480 tokens")
                && text.contains("a historySize of 10 or more"),
            "{text}"
        );
        // The setting it names is enough.
        assert_eq!(
            never_cached(&settings("claude-haiku-4-5", Some(10), None)),
            None
        );
        // The same four turns reach Sonnet 4.5's 1,024.
        assert_eq!(
            never_cached(&settings("claude-sonnet-4-5", Some(4), None)),
            None
        );
        // A budget under the minimum, whatever the history size.
        let w = never_cached(&settings("claude-haiku-4-5", Some(50), Some(3000))).unwrap();
        assert_eq!(w.limited_by, "maxTokens 3000");
        assert_eq!(
            never_cached(&settings("claude-haiku-4-5", None, Some(4096 + 480))),
            None
        );
        // No limit, or a model whose minimum is unknown: nothing to say.
        assert_eq!(
            never_cached(&settings("claude-haiku-4-5", None, None)),
            None
        );
        assert_eq!(never_cached(&settings("my-own-model", Some(1), None)), None);
    }

    #[test]
    fn a_context_with_turns_of_its_own_is_judged_by_them() {
        let mut c = settings("claude-haiku-4-5", Some(4), None);
        // Long turns (about 1,250 tokens a message): four of them pass the minimum.
        c.spec.context_history = messages(12, |i| format!("{i} {}", "word ".repeat(1000)));
        let per_turn = turn_tokens(&c);
        assert!(per_turn > 1100, "{per_turn}");
        assert_eq!(never_cached(&c), None);
        // A long system prompt counts too.
        let mut c = settings("claude-haiku-4-5", Some(4), None);
        c.spec.system_prompt = Some("be brief and exact. ".repeat(500));
        assert_eq!(never_cached(&c), None);
    }
}

// ---------------------------------------------------------------------------------------------
// Cache by pace (issue #24 item 3): which TTL each request writes, from the context's pace.
// ---------------------------------------------------------------------------------------------

/// A cache entry's TTL: the one `spec.cacheTTL` names.
pub use crate::model::resource::CacheTtl as Ttl;

// Inherent methods of the model's type, kept here with the decisions that use them.
impl Ttl {
    /// Seconds an entry lives after its write or last hit, less a margin for the time an
    /// answer takes (the pace is measured between answers, the TTL between requests).
    pub fn usable_secs(self) -> u64 {
        match self {
            Ttl::FiveMinutes => 300 - 30,
            Ttl::OneHour => 3600 - 120,
        }
    }

    /// A write's price, in units of the input price.
    pub fn write_price(self) -> f64 {
        match self {
            Ttl::FiveMinutes => 1.25,
            Ttl::OneHour => 2.0,
        }
    }
}

/// A read's price, in units of the input price.
const READ_PRICE: f64 = 0.1;

/// What the tool knows of this context's cache entries and pace, as the last request left
/// them (kept in status, so every process on the context shares it). Times are seconds on
/// one clock (Unix time in the store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// When the last request was answered.
    pub last_request: Option<u64>,
    /// Seconds between the last requests, oldest first (at most [`GAPS_KEPT`]).
    pub gaps: Vec<u64>,
    /// Where the last request's window began in the conversation (a message index).
    pub window_start: Option<u64>,
    /// The newest message entry: its TTL, and how many turns before the last request's new
    /// message it ends (0: at that message, which the last request wrote; 1 when the last
    /// request only read the entry its predecessor wrote, and so on).
    pub tail: Option<(Ttl, u32)>,
    /// The system prompt's own entry: its TTL and when it was written or read directly.
    pub system: Option<(Ttl, u64)>,
}

/// Gaps kept: enough to see a few cycles of a person's rhythm (bursts and pauses).
pub const GAPS_KEPT: usize = 24;

/// A request's shape, as the plan needs it: tokens of each part and how many more requests
/// will share its window's prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Where the window begins in the conversation (a message index).
    pub window_start: u64,
    /// The system blocks' tokens (system prompt and summary).
    pub system: u64,
    /// Each message's tokens, the new message last.
    pub messages: Vec<u64>,
    /// Requests after this one that will begin with the same window ([`remaining_in_step`]).
    pub remaining: usize,
    /// The model's cache minimum.
    pub minimum: u64,
}

/// Where this request's breakpoints go and with which TTLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// A breakpoint on the system blocks, with this TTL.
    pub system: Option<Ttl>,
    /// A breakpoint on the new message, writing what is not read, with this TTL.
    pub tail: Option<Ttl>,
    /// A breakpoint on the stored user message this many turns before the last one, to read
    /// the newest live entry without writing (when `tail` is `None`).
    pub read_back: Option<u32>,
}

impl Plan {
    /// No breakpoints: nothing written, nothing read.
    pub const NONE: Plan = Plan {
        system: None,
        tail: None,
        read_back: None,
    };
}

/// Requests after this one that will begin with the same window: until `historySize` turns
/// are sent, or the budget is full at the window's own turn size.
pub fn remaining_in_step(
    turns_sent: usize,
    history_size: Option<u32>,
    budget: Option<u64>,
    estimated: u64,
    fixed: u64,
) -> usize {
    let by_history = history_size.map_or(usize::MAX, |h| (h as usize).saturating_sub(turns_sent));
    let turn = if turns_sent > 0 {
        (estimated.saturating_sub(fixed) / turns_sent as u64).max(1)
    } else {
        ORDINARY_TURN_TOKENS
    };
    let by_budget = budget.map_or(usize::MAX, |b| {
        (b.saturating_sub(estimated) / turn) as usize
    });
    by_history.min(by_budget).min(64)
}

/// The gaps to expect after `now`, `n` of them, from the pace so far: the rhythm of the last
/// gaps replayed when it was seen before (a person's bursts and pauses), else the last gap
/// repeated; two minutes when nothing is known yet.
pub fn expected_gaps(gaps: &[u64], n: usize) -> Vec<u64> {
    if gaps.is_empty() {
        return vec![120; n];
    }
    let class = |g: u64| {
        if g < Ttl::FiveMinutes.usable_secs() {
            0
        } else if g < Ttl::OneHour.usable_secs() {
            1
        } else {
            2
        }
    };
    let classes: Vec<u8> = gaps.iter().map(|&g| class(g)).collect();
    let len = classes.len();
    // The shortest period p with which the whole history repeats itself: the gaps then go on
    // repeating with it (a regular pace has period 1; five quick turns then a pause, 5).
    let period = (1..len)
        .find(|&p| (p..len).all(|i| classes[i] == classes[i - p]))
        .or_else(|| {
            // Not periodic over everything: the last rhythm that repeated at least once.
            (1..=len / 2).find(|&p| (len - p..len).all(|i| classes[i] == classes[i - p]))
        });
    match period {
        Some(p) => (0..n).map(|i| gaps[len - p + (i % p)]).collect(),
        None => vec![gaps[len - 1]; n],
    }
}

/// The least cost per token, in input-price units, of a part whose entry is in `state` now
/// (TTL and seconds since its write or last hit) through requests at `times` seconds from now,
/// at each of which it is sent uncached, read while it lives, or written anew.
fn future_cost(state: Option<(Ttl, u64)>, times: &[u64]) -> f64 {
    search(state, times, pareto)
}

/// The search behind [`future_cost`], with `prune` applied to the states after each request
/// ([`pareto`]; the identity in the test that checks the pruning changes nothing).
fn search(state: Option<(Ttl, u64)>, times: &[u64], prune: fn(States) -> States) -> f64 {
    // Key: None, or (TTL, time of its write or last hit, in seconds from now).
    let mut states: States = States::from([(state.map(|(t, age)| (t, -(age as i64))), 0.0)]);
    for &t in times {
        let t = t as i64;
        let mut next = States::new();
        let mut relax = |s: Option<(Ttl, i64)>, c: f64| {
            let e = next.entry(s).or_insert(f64::INFINITY);
            *e = e.min(c);
        };
        for (&s, &cost) in &states {
            relax(s, cost + 1.0);
            if let Some((ttl, r)) = s {
                if t - r < ttl.usable_secs() as i64 {
                    relax(Some((ttl, t)), cost + READ_PRICE);
                }
            }
            for ttl in [Ttl::FiveMinutes, Ttl::OneHour] {
                relax(Some((ttl, t)), cost + ttl.write_price());
            }
        }
        states = prune(next);
    }
    states.values().copied().fold(f64::INFINITY, f64::min)
}

/// The search's states: None, or (TTL, time of the entry's write or last hit) → least cost.
type States = std::collections::HashMap<Option<(Ttl, i64)>, f64>;

/// `states` without those another state beats: an entry with the same TTL, used as late or
/// later, at no more cost, can do everything it can (it lives at least as long). The search
/// stays exact and small over long steps (the store plans every turn, `usage --advise`
/// replays hundreds).
fn pareto(states: States) -> States {
    let mut sorted: Vec<(Option<(Ttl, i64)>, f64)> = states.into_iter().collect();
    // Latest use first, per TTL.
    sorted.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some((ta, ra)), Some((tb, rb))) => (*ta as u8).cmp(&(*tb as u8)).then(rb.cmp(ra)),
        _ => a.is_some().cmp(&b.is_some()),
    });
    let mut best: std::collections::HashMap<Ttl, f64> = std::collections::HashMap::new();
    sorted
        .into_iter()
        .filter(|(s, cost)| match s {
            None => true,
            Some((ttl, _)) => {
                let b = best.entry(*ttl).or_insert(f64::INFINITY);
                let keep = *cost < *b;
                if keep {
                    *b = *cost;
                }
                keep
            }
        })
        .collect()
}

/// This request's breakpoints, chosen from the context's pace so that what it writes is read
/// enough before it expires or the window moves to pay for itself, and nothing is written
/// that will not be.
///
/// The window's tokens are either read from the previous request's entry (when the window
/// has not moved and the entry lives), written with a TTL, or sent uncached; each choice is
/// priced now and over the requests that will still share this window, at the gaps the pace
/// predicts ([`expected_gaps`]): the cheapest is taken. The system prompt keeps an entry of
/// its own when it is long enough, for the first request after the window moves, with the
/// TTL that outlives the wait until then; a one-hour breakpoint never follows a
/// five-minute one.
pub fn plan(ledger: &Ledger, now: u64, shape: &Shape) -> Plan {
    let stored: u64 = shape.messages.iter().sum();
    let total = shape.system + stored;
    if total < shape.minimum {
        return Plan::NONE;
    }
    let since = ledger.last_request.map(|t| now.saturating_sub(t));
    // The pace so far includes the gap that just ended (since the last request).
    let pace: Vec<u64> = ledger.gaps.iter().copied().chain(since).collect();
    let gaps = expected_gaps(&pace, shape.remaining.max(1) + 64);
    let times: Vec<u64> = gaps
        .iter()
        .take(shape.remaining)
        .scan(0, |at, g| {
            *at += g;
            Some(*at)
        })
        .collect();
    // The newest message entry, when this request begins with its window and it lives: its
    // TTL, how many turns back from the last stored user message it ends, and the tokens it
    // covers.
    let n = shape.messages.len();
    let previous = match (ledger.tail, since) {
        (Some((ttl, back)), Some(age))
            if ledger.window_start == Some(shape.window_start)
                && age < ttl.usable_secs()
                && n >= 3 + 2 * back as usize =>
        {
            let end = n - 2 - 2 * back as usize;
            Some((ttl, back, shape.messages[..end].iter().sum::<u64>()))
        }
        _ => None,
    };
    let window = total as f64;
    let system_live = ledger.system.filter(|(ttl, at)| {
        now.saturating_sub(*at) < ttl.usable_secs() && shape.system >= shape.minimum
    });
    let (read, new) = match previous {
        Some((_, _, covered)) => ((shape.system + covered) as f64, (stored - covered) as f64),
        None if system_live.is_some() => (shape.system as f64, stored as f64),
        None => (0.0, window),
    };
    // What is read now stays readable from the entry it was read from (renewed by the read):
    // the newest message entry, or the system prompt's own.
    let read_from = previous.map(|(t, _, _)| t).or(system_live.map(|(t, _)| t));
    let cost = |tail: Option<Ttl>| match tail {
        Some(t) => {
            read * READ_PRICE + new * t.write_price() + window * future_cost(Some((t, 0)), &times)
        }
        None => {
            read * READ_PRICE
                + new
                + read * future_cost(read_from.map(|t| (t, 0)), &times)
                + new * future_cost(None, &times)
        }
    };
    let tail = [None, Some(Ttl::FiveMinutes), Some(Ttl::OneHour)]
        .into_iter()
        .min_by(|a, b| cost(*a).total_cmp(&cost(*b)))
        .flatten();
    // The system prompt's own entry: for the first request of the next window, after the
    // remaining requests of this one.
    let system = if shape.system >= shape.minimum {
        // The entry is read directly only at window moves, and a write's TTL stays with it
        // while those reads renew it: it must outlive the longest wait between moves over the
        // next hour, not only the next one (quick turns before a long pause need an hour).
        let step = shape.remaining + 1;
        let until_move = gaps.iter().take(step).sum::<u64>();
        let mut longest = until_move;
        let (mut horizon, mut rest) = (until_move, gaps.iter().skip(step));
        while horizon < 3600 {
            let wait: u64 = rest.by_ref().take(step).sum();
            if wait == 0 {
                break;
            }
            longest = longest.max(wait);
            horizon += wait;
        }
        let live = ledger
            .system
            .filter(|(ttl, at)| now.saturating_sub(*at) < ttl.usable_secs())
            .map(|(t, _)| t);
        let wanted = if longest < Ttl::FiveMinutes.usable_secs() {
            Some(Ttl::FiveMinutes)
        } else if longest < Ttl::OneHour.usable_secs() {
            Some(Ttl::OneHour)
        } else {
            live
        };
        match (wanted, tail) {
            // A one-hour breakpoint may not follow a five-minute one.
            (Some(Ttl::FiveMinutes), Some(Ttl::OneHour)) => Some(Ttl::OneHour),
            (w, _) => w,
        }
    } else {
        None
    };
    Plan {
        system,
        tail,
        read_back: previous.filter(|_| tail.is_none()).map(|(_, back, _)| back),
    }
}

impl Ledger {
    /// The ledger after a request with `plan` over `shape` was answered at `now`.
    pub fn after(&self, plan: &Plan, shape: &Shape, now: u64) -> Ledger {
        let mut gaps = self.gaps.clone();
        if let Some(t) = self.last_request {
            gaps.push(now.saturating_sub(t));
            if gaps.len() > GAPS_KEPT {
                gaps.drain(..gaps.len() - GAPS_KEPT);
            }
        }
        // An entry only read moves one turn further back from the newest message.
        let kept_previous = plan
            .read_back
            .and(self.tail)
            .map(|(ttl, back)| (ttl, back + 1));
        Ledger {
            last_request: Some(now),
            gaps,
            window_start: Some(shape.window_start),
            // The entry at the end of this request: written now, or the previous one read.
            tail: plan.tail.map(|t| (t, 0)).or(kept_previous),
            system: match plan.system {
                Some(t) => {
                    let live = self
                        .system
                        .filter(|(old, at)| now.saturating_sub(*at) < old.usable_secs());
                    let moved = self.window_start != Some(shape.window_start);
                    match live {
                        // Read through a longer entry: not renewed.
                        Some(entry) if !moved => Some(entry),
                        // Read directly (the only prefix a moved window shares): renewed,
                        // keeping the TTL it was written with.
                        Some((old, _)) => Some((old, now)),
                        // Written.
                        None => Some((t, now)),
                    }
                }
                None => self.system,
            },
        }
    }
}

/// The [`Shape`] of a request for `window`, which begins at message `window_start` of the
/// conversation, by the engine's token estimates.
pub fn shape_of(
    window: &crate::engine::window::Window,
    window_start: u64,
    remaining: usize,
    minimum: u64,
) -> Shape {
    let est = |t: &str| u64::from(tokens::estimate(t));
    let system = window.system.iter().map(|b| est(&b.text)).sum();
    let messages = window.messages.iter().map(|m| est(&m.content)).collect();
    Shape {
        window_start,
        system,
        messages,
        remaining,
        minimum,
    }
}

/// The plan for a request over `window` (which begins at message `base + window.first_sent` of
/// the conversation) under a window limited by `history_size` turns and `budget` tokens, from
/// `ledger` at `now`: the one way a request's breakpoints are chosen, for the store, the
/// advice of `usage --advise` and the cost benchmark alike.
pub fn plan_request(
    window: &crate::engine::window::Window,
    base: u64,
    history_size: Option<u32>,
    budget: u64,
    minimum: u64,
    ledger: &Ledger,
    now: u64,
) -> (Plan, Shape) {
    let shape = request_shape(window, base, history_size, budget, minimum);
    (plan(ledger, now, &shape), shape)
}

/// The [`Shape`] [`plan_request`] plans over.
pub fn request_shape(
    window: &crate::engine::window::Window,
    base: u64,
    history_size: Option<u32>,
    budget: u64,
    minimum: u64,
) -> Shape {
    let mut shape = shape_of(window, base + window.first_sent as u64, 0, minimum);
    shape.remaining = remaining_in_step(
        window.turns_sent,
        history_size,
        Some(budget),
        window.estimated_tokens,
        shape.system + u64::from(tokens::PER_REQUEST_OVERHEAD),
    );
    shape
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    #[test]
    fn the_rhythm_of_the_gaps_is_replayed() {
        assert_eq!(expected_gaps(&[], 2), vec![120, 120]);
        assert_eq!(expected_gaps(&[90, 90, 95], 3), vec![95, 95, 95]);
        let bursts = [60, 60, 60, 60, 1200, 60, 60, 60, 60];
        assert_eq!(expected_gaps(&bursts, 6), vec![1200, 60, 60, 60, 60, 1200]);
        let mut more = bursts.to_vec();
        more.extend([1200, 60, 60, 60, 60]);
        assert_eq!(expected_gaps(&more, 2), vec![1200, 60]);
    }

    fn shape(turns: usize, remaining: usize) -> Shape {
        let mut messages = Vec::new();
        for _ in 0..turns {
            messages.extend([80, 400]);
        }
        messages.push(80);
        Shape {
            window_start: 0,
            system: 1500,
            messages,
            remaining,
            minimum: 1024,
        }
    }

    fn ledger(gaps: &[u64], tail: Option<(Ttl, u32)>) -> Ledger {
        Ledger {
            last_request: Some(1_000),
            gaps: gaps.to_vec(),
            window_start: Some(0),
            tail,
            system: None,
        }
    }

    #[test]
    fn what_the_system_entry_serves_is_not_priced_as_sent_again() {
        // A new window of 3 turns, one more request before it moves, a turn every 6 minutes,
        // the system prompt's own one-hour entry alive: the system is read from it now and
        // next time, so writing the turns (2 + 0.1) costs more than sending them twice (2).
        let ledger = Ledger {
            last_request: Some(1_000),
            gaps: vec![360; 6],
            window_start: Some(0),
            tail: Some((Ttl::OneHour, 0)),
            system: Some((Ttl::OneHour, 640)),
        };
        let shape = Shape {
            window_start: 8,
            ..shape(3, 1)
        };
        let p = plan(&ledger, 1_360, &shape);
        assert_eq!(
            p,
            Plan {
                system: Some(Ttl::OneHour),
                tail: None,
                read_back: None
            }
        );
    }

    #[test]
    fn the_tail_is_written_for_the_next_gap_and_not_before_a_move() {
        // A turn every 90 s, five more to come: five minutes is enough.
        let p = plan(
            &ledger(&[90; 6], Some((Ttl::FiveMinutes, 0))),
            1_090,
            &shape(6, 5),
        );
        assert_eq!(p.tail, Some(Ttl::FiveMinutes));
        // Every 6 minutes: an hour, or nothing is read again.
        let p = plan(
            &ledger(&[360; 6], Some((Ttl::OneHour, 0))),
            1_360,
            &shape(6, 5),
        );
        assert_eq!(p.tail, Some(Ttl::OneHour));
        // The last request before the window moves reads and writes nothing.
        let p = plan(
            &ledger(&[90; 6], Some((Ttl::FiveMinutes, 0))),
            1_090,
            &shape(6, 0),
        );
        assert_eq!((p.tail, p.read_back), (None, Some(0)));
        // Before a pause the rhythm predicts, an hour.
        // (The gap that just ended, 60 s since the last request, completes the rhythm.)
        let bursts = [60, 60, 60, 60, 1200, 60, 60, 60];
        let p = plan(
            &ledger(&bursts, Some((Ttl::FiveMinutes, 0))),
            1_060,
            &shape(6, 1),
        );
        assert_eq!(p.tail, Some(Ttl::OneHour), "{p:?}");
    }

    #[test]
    fn pruning_the_search_changes_no_cost() {
        // Every sequence of up to five gaps around the TTLs, from each kind of start.
        let gaps = [30u64, 200, 290, 400, 1300, 3500, 4000];
        for len in 0..=5u32 {
            for code in 0..gaps.len().pow(len) {
                let (mut c, mut at) = (code, 0);
                let times: Vec<u64> = (0..len)
                    .map(|_| {
                        at += gaps[c % gaps.len()];
                        c /= gaps.len();
                        at
                    })
                    .collect();
                for state in [
                    None,
                    Some((Ttl::FiveMinutes, 100)),
                    Some((Ttl::OneHour, 3000)),
                ] {
                    let (a, b) = (future_cost(state, &times), search(state, &times, |s| s));
                    assert!((a - b).abs() < 1e-9, "{state:?} {times:?}: {a} vs {b}");
                }
            }
        }
    }
}
