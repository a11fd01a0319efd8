//! What a long chat costs in billed input, with the tool's windows and cache breakpoints under
//! the API's caching rules (as the strict fake plays them: per-model minimum prefix, 20-block
//! lookback, 5-minute TTL), against a naive window that slides one turn at a time and caches
//! nothing (issue #12 item 5).
//!
//! 100 turns per configuration: a 1,500-token system prompt, questions of ~80 tokens, answers of
//! ~400, one turn every 90 seconds (the fake's clock); Haiku 4.5 and Sonnet 4.5 prices and
//! cache minimums; windows by historySize 4, 10, 50 and by a 20,000-token budget alone.
//!   cargo bench --bench cost
//! Under `cargo test` this target only says how to run it.

use std::time::Duration;

use fake_claude::{Config, FakeClaude, Fault};
use kubectl_mcp::claude::{ClaudeClient, ClaudeConfig, Credentials, MessagesRequest, Secret};
use kubectl_mcp::engine::window::{self, Input};
use kubectl_mcp::model::catalog::{cost_micro_usd, lookup};
use kubectl_mcp::model::resource::{Message, Role};

const TURNS: usize = 100;
const BUDGET: u32 = 20_000;

fn message(role: Role, content: String) -> Message {
    Message {
        role,
        content,
        timestamp: None,
        tokens: None,
        id: None,
        markers: Vec::new(),
        author: None,
        blocks: Vec::new(),
    }
}

/// ~`tokens` tokens of varied text (the fake counts four characters a token).
fn text(seed: usize, tokens: usize) -> String {
    let words = [
        "pod",
        "restarts",
        "because",
        "the",
        "liveness",
        "probe",
        "times",
        "out",
        "after",
        "deployment",
        "rollout",
        "memory",
        "limit",
        "node",
        "pressure",
        "evicted",
        "service",
    ];
    let mut s = String::new();
    let mut i = seed;
    while s.len() < tokens * 4 {
        s.push_str(words[i % words.len()]);
        s.push(' ');
        i = i.wrapping_mul(31).wrapping_add(7);
    }
    s
}

fn client(fake: &FakeClaude) -> ClaudeClient {
    ClaudeClient::new(ClaudeConfig::new(
        Credentials::ApiKey(Secret::new("sk-bench").unwrap()),
        Some(fake.base_url()),
    ))
    .unwrap()
}

#[derive(Default)]
struct Bill {
    input: u64,
    writes: u64,
    reads: u64,
    requests_reading: usize,
}

impl Bill {
    fn micro_usd(&self, model: &str) -> u64 {
        let p = lookup(model).unwrap().prices;
        cost_micro_usd(&p, self.input, 0, self.writes, self.reads, false)
    }
}

async fn run(model: &str, history_size: Option<u32>) -> (Bill, Bill) {
    let ours_fake = FakeClaude::start(Config::default()).await.unwrap();
    let naive_fake = FakeClaude::start(Config::default()).await.unwrap();
    let (ours, naive) = (client(&ours_fake), client(&naive_fake));
    let system = text(1, 1_500);
    let mut history: Vec<Message> = Vec::new();
    let (mut bill, mut base) = (Bill::default(), Bill::default());
    for turn in 0..TURNS {
        let question = text(turn * 3 + 2, 80);
        let answer = text(turn * 5 + 3, 400);
        // The tool's window and breakpoints.
        let w = window::build(&Input {
            system_prompt: Some(&system),
            summary: None,
            history: &history,
            message_tokens: None,
            history_size,
            max_tokens: Some(history_size.map_or(BUDGET, |_| 190_000)),
            ratio: 1.0,
            new_message: &question,
        })
        .unwrap();
        ours_fake.push_fault(Fault::Reply(answer.clone()));
        let r = ours
            .send(&MessagesRequest::from_window(model, 1024, &w, true))
            .await
            .unwrap();
        bill.input += r.usage.input_tokens;
        bill.writes += r.usage.cache_creation_input_tokens;
        bill.reads += r.usage.cache_read_input_tokens;
        bill.requests_reading += usize::from(r.usage.cache_read_input_tokens > 0);
        // The naive window: the newest turns that fit, sliding one turn at a time, no cache.
        let fits = |start: usize| {
            let w = window::build(&Input {
                system_prompt: Some(&system),
                summary: None,
                history: &history[start..],
                message_tokens: None,
                history_size: None,
                max_tokens: None,
                ratio: 1.0,
                new_message: &question,
            })
            .unwrap();
            let ok = match history_size {
                Some(h) => history.len() - start <= 2 * h as usize,
                None => w.estimated_tokens <= u64::from(BUDGET),
            };
            ok.then_some(w)
        };
        let naive_w = (0..=history.len())
            .step_by(2)
            .find_map(fits)
            .expect("the new message alone fits");
        naive_fake.push_fault(Fault::Reply(answer.clone()));
        let n = naive
            .send(&MessagesRequest::from_window(model, 1024, &naive_w, false))
            .await
            .unwrap();
        base.input += n.usage.input_tokens;
        history.push(message(Role::User, question));
        history.push(message(Role::Assistant, answer));
        // A turn every 90 seconds: within the 5-minute TTL.
        ours_fake.advance_clock(Duration::from_secs(90));
        naive_fake.advance_clock(Duration::from_secs(90));
    }
    (bill, base)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("cost: a benchmark; run `cargo bench --bench cost`");
        return;
    }
    kubectl_mcp::tls::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!(
        "{TURNS} turns, 1,500-token system prompt, ~80-token questions, ~400-token answers, a turn every 90 s"
    );
    println!(
        "{:<18} {:<14} {:>9} {:>12} {:>12} {:>12} {:>11} {:>11} {:>7}",
        "model",
        "window",
        "reads",
        "uncached",
        "cache write",
        "cache read",
        "cost",
        "naive",
        "ratio"
    );
    for model in ["claude-haiku-4-5", "claude-sonnet-4-5"] {
        for (label, h) in [
            ("historySize 4", Some(4)),
            ("historySize 10", Some(10)),
            ("historySize 50", Some(50)),
            ("maxTokens 20000", None),
        ] {
            let (bill, base) = rt.block_on(run(model, h));
            let (ours, naive) = (bill.micro_usd(model), base.micro_usd(model));
            println!(
                "{:<18} {:<14} {:>8}% {:>12} {:>12} {:>12} {:>11} {:>11} {:>6.2}x",
                model,
                label,
                bill.requests_reading * 100 / TURNS,
                bill.input,
                bill.writes,
                bill.reads,
                format!("${:.4}", ours as f64 / 1e6),
                format!("${:.4}", naive as f64 / 1e6),
                ours as f64 / naive as f64
            );
        }
    }
}
