//! The windowing engine on histories of 10, 1,000 and 10,000 messages, with per-message token
//! counts cached (as the chat does) and without (the first load of a hand-written object).
//!   cargo bench --bench window

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kubectl_mcp::engine::window::{self, Input};
use kubectl_mcp::model::resource::{Message, Role};

fn history(messages: usize) -> Vec<Message> {
    (0..messages)
        .map(|i| Message {
            role: if i % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            },
            content: format!(
                "message {i}: {}",
                "some realistic words of a chat turn ".repeat(8)
            ),
            timestamp: None,
            tokens: None,
            author: None,
            blocks: Vec::new(),
            id: None,
            markers: Vec::new(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("window::build");
    for n in [10usize, 1_000, 10_000] {
        let h = history(n);
        let counts: Vec<u32> = h
            .iter()
            .map(|m| kubectl_mcp::engine::tokens::estimate(&m.content))
            .collect();
        let input = Input {
            system_prompt: Some("You are a helpful Kubernetes assistant."),
            summary: Some("Earlier, the user asked about pods and deployments."),
            history: &h,
            message_tokens: Some(&counts),
            history_size: Some(50),
            max_tokens: Some(20_000),
            ratio: 1.1,
            new_message: "How do I roll back a deployment?",
        };
        group.bench_with_input(BenchmarkId::new("cached-counts", n), &input, |b, input| {
            b.iter(|| window::build(std::hint::black_box(input)).unwrap())
        });
        let uncached = Input {
            message_tokens: None,
            ..input
        };
        group.bench_with_input(BenchmarkId::new("estimating", n), &uncached, |b, input| {
            b.iter(|| window::build(std::hint::black_box(input)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
