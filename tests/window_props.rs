//! Property tests of the windowing engine's invariants (SPEC §3) over thousands of generated
//! histories, including hand-written-looking ones that do not alternate.

use kubectl_mcp::engine::window::{self, Input, WindowError};
use kubectl_mcp::model::fixtures;
use kubectl_mcp::model::resource::{Message, Role};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-z ]{1,120}",
        1 => "[ \t\n]{0,3}",
        1 => "\\PC{1,40}",
    ]
}

fn history() -> impl Strategy<Value = Vec<Message>> {
    let alternating = proptest::collection::vec((text(), text()), 0..40).prop_map(|turns| {
        turns
            .into_iter()
            .flat_map(|(q, a)| [msg(Role::User, q), msg(Role::Assistant, a)])
            .collect::<Vec<_>>()
    });
    let random = proptest::collection::vec((any::<bool>(), text()), 0..60).prop_map(|ms| {
        ms.into_iter()
            .map(|(user, t)| msg(if user { Role::User } else { Role::Assistant }, t))
            .collect()
    });
    prop_oneof![3 => alternating, 1 => random]
}

fn msg(role: Role, content: String) -> Message {
    fixtures::message(role, &content)
}

/// Complete turns in `h[from..]`: user runs followed by an assistant run.
fn complete_turns(h: &[Message]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < h.len() && h[i].role == Role::Assistant {
        i += 1;
    }
    while i < h.len() {
        let s = i;
        while i < h.len() && h[i].role == Role::User {
            i += 1;
        }
        let a = i;
        while i < h.len() && h[i].role == Role::Assistant {
            i += 1;
        }
        if a > s && i > a {
            n += 1;
        }
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn windows_keep_every_invariant(
        history in history(),
        system in proptest::option::of(text()),
        summary in proptest::option::of(text()),
        history_size in proptest::option::of(1u32..20),
        max_tokens in proptest::option::of(1u32..3000),
        ratio in 0.5f64..2.0,
        new_message in text(),
    ) {
        let input = Input {
            system_prompt: system.as_deref(),
            summary: summary.as_deref(),
            history: &history,
            message_tokens: None,
            history_size,
            max_tokens,
            ratio,
            new_message: &new_message,
        };
        let result = window::build(&input);
        if new_message.trim().is_empty() {
            prop_assert_eq!(result, Err(WindowError::EmptyMessage));
            return Ok(());
        }
        let w = match result {
            Ok(w) => w,
            Err(WindowError::TooLarge { needed, budget }) => {
                // Only when even an empty history cannot fit.
                prop_assert!(needed > budget);
                let empty = Input { history: &[], ..input };
                prop_assert!(window::build(&empty).is_err());
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("unexpected {e}"))),
        };
        let m = &w.messages;
        // Starts with user, alternates, ends with the new message.
        prop_assert_eq!(m[0].role, Role::User);
        for pair in m.windows(2) {
            prop_assert_ne!(pair[0].role, pair[1].role);
        }
        prop_assert_eq!(&m[m.len() - 1].content, &new_message);
        prop_assert_eq!(m.len(), 2 * w.turns_sent + 1);
        // Nothing empty is sent.
        prop_assert!(m.iter().all(|x| !x.content.trim().is_empty()));
        // Never splits a turn: the window starts on a turn boundary and takes every complete
        // turn after it (a suffix: the newest turns).
        if w.first_sent < history.len() {
            prop_assert_eq!(history[w.first_sent].role, Role::User);
            prop_assert!(w.first_sent == 0 || history[w.first_sent - 1].role == Role::Assistant);
        }
        prop_assert_eq!(w.turns_sent, complete_turns(&history[w.first_sent..]));
        if w.turns_sent > 0 {
            let last_answer = history.iter().rposition(|x| x.role == Role::Assistant).unwrap();
            let stored_last = &m[m.len() - 2].content;
            prop_assert!(
                stored_last.contains(history[last_answer].content.trim()) || history[last_answer].content.trim().is_empty(),
                "the newest answer is sent"
            );
        }
        // Limits.
        if let Some(h) = history_size {
            prop_assert!(w.turns_sent <= h as usize);
        }
        if let Some(b) = max_tokens {
            prop_assert!(w.estimated_tokens <= u64::from(b));
        }
        // Without limits, every complete turn goes.
        if history_size.is_none() && max_tokens.is_none() {
            prop_assert_eq!(w.turns_sent, complete_turns(&history));
        }
        // What left is before what is sent, in order.
        prop_assert!(w.left_by_history.end == w.left_by_tokens.start);
        prop_assert!(w.left_by_tokens.end == w.first_sent);
        // System prompt and summary go to `system`, never to messages.
        if let Some(s) = summary.as_deref().filter(|s| !s.trim().is_empty()) {
            prop_assert!(w.system_text().unwrap().contains(s));
        }
        if let Some(p) = system.as_deref().filter(|p| !p.trim().is_empty()) {
            prop_assert_eq!(&w.system[0].text, p);
        }
        // At most 4 cache breakpoints (the API's limit).
        let breakpoints = w.system.iter().filter(|b| b.cache).count() + m.iter().filter(|x| x.cache).count();
        prop_assert!(breakpoints <= 4);
    }

    /// Cached per-message counts give the same window as estimating on the spot.
    #[test]
    fn cached_counts_change_nothing(history in history(), h in proptest::option::of(1u32..10), b in proptest::option::of(50u32..2000)) {
        let counts: Vec<u32> = history.iter().map(|m| kubectl_mcp::engine::tokens::estimate(&m.content)).collect();
        let base = Input { system_prompt: None, summary: None, history: &history, message_tokens: None,
                           history_size: h, max_tokens: b, ratio: 1.0, new_message: "next question" };
        let cached = Input { message_tokens: Some(&counts), ..base };
        prop_assert_eq!(window::build(&base), window::build(&cached));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Issue #15 item 4: the engine against arbitrary input, extremes included (budgets of 0
    /// and u32::MAX, any history size, any calibration ratio, cached token counts that disagree
    /// with the text, control characters and long text): a window or an error, never a panic.
    #[test]
    fn arbitrary_input_gives_a_window_or_an_error(
        h in history(),
        tokens in proptest::collection::vec(any::<u32>(), 0..80),
        history_size in proptest::option::of(any::<u32>()),
        max_tokens in proptest::option::of(prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>()]),
        ratio in prop_oneof![Just(0.0f64), Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), any::<f64>(), 0.1f64..10.0],
        system in proptest::option::of("(?s).{0,200}"),
        summary in proptest::option::of("(?s).{0,200}"),
        new_message in "(?s).{0,300}",
        use_tokens in any::<bool>(),
    ) {
        // Cached counts are used only when there is one per message (the caller's promise).
        let cached: Vec<u32> = (0..h.len()).map(|i| tokens.get(i).copied().unwrap_or(0)).collect();
        let input = Input {
            system_prompt: system.as_deref(),
            summary: summary.as_deref(),
            history: &h,
            message_tokens: use_tokens.then_some(cached.as_slice()),
            history_size,
            max_tokens,
            ratio,
            new_message: &new_message,
        };
        let _ = window::build(&input);
    }
}
