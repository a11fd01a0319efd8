//! A conversation grown the way a user grows one, for tests that need stored turns: one
//! scripted `chat` run creates the context and asks every question in order, and each answer is
//! stored by the real binary through the real apiserver (so ids, timestamps, token counts,
//! seals and status are the product's own, not a test's idea of them). For a context written
//! by hand instead, build it with `kubectl_mcp::model::fixtures` and store it with
//! `Namespace::put`.
//!
//! ```ignore
//! conversation("d")
//!     .args(&["--max-tokens", "60000"])
//!     .live_bytes("8KiB")
//!     .tagged_turns(12, &"worth keeping. ".repeat(60))
//!     .grow(common::process(&ns, &fake, KEY, state));
//! ```

use std::process::{Command, Output};

/// A conversation to grow; [`conversation`] starts one.
#[derive(Debug, Clone)]
pub struct Conversation {
    session: String,
    model: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    questions: Vec<String>,
}

/// A live object this small seals older turns after a few ([`Conversation::live_bytes`]).
pub const SMALL_LIVE: &str = "8KiB";

/// `session` with `turns` tagged turns on Sonnet 4.6 in a live object of [`SMALL_LIVE`]:
/// most of its turns sealed in segments, and no budget, so a window reaches them.
pub fn mostly_sealed(session: &str, turns: usize) -> Conversation {
    conversation(session)
        .model("claude-sonnet-4-6")
        .live_bytes(SMALL_LIVE)
        .tagged_turns(
            turns,
            &"a question with enough words in it to fill the live object. ".repeat(3),
        )
}

/// The context `session` on model `m`, created by the run that asks its first question.
pub fn conversation(session: &str) -> Conversation {
    Conversation {
        session: session.to_string(),
        model: "m".to_string(),
        args: Vec::new(),
        env: Vec::new(),
        questions: Vec::new(),
    }
}

impl Conversation {
    /// On this model.
    pub fn model(mut self, model: &str) -> Self {
        self.model = model.to_string();
        self
    }

    /// With these `chat` flags too (`--max-tokens 60000`, `--strategy hybrid`).
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// With a live object this small (`KUBECTL_MCP_LIVE_BYTES`), so that older turns are
    /// sealed into history segments after a few turns instead of a few hundred.
    pub fn live_bytes(mut self, size: &str) -> Self {
        self.env
            .push(("KUBECTL_MCP_LIVE_BYTES".to_string(), size.to_string()));
        self
    }

    /// Then this question.
    pub fn ask(mut self, question: &str) -> Self {
        self.questions.push(question.to_string());
        self
    }

    /// Then `n` questions `[T:0] BODY` … `[T:n-1] BODY`: the tag is what the fake's summaries
    /// list and what a test looks for in an export.
    pub fn tagged_turns(mut self, n: usize, body: &str) -> Self {
        self.questions
            .extend((0..n).map(|t| format!("[T:{t}] {body}")));
        self
    }

    /// Grow it through `base` (the binary pointed at a namespace and a fake, e.g.
    /// `common::process`): one `chat` run asking every question in order. Panics with the
    /// run's stderr unless it succeeded; returns its output.
    pub fn grow(self, mut base: Command) -> Output {
        base.args(["chat", &self.session, "--model", &self.model])
            .args(&self.args);
        for q in &self.questions {
            base.arg("-m").arg(q);
        }
        for (k, v) in &self.env {
            base.env(k, v);
        }
        let out = base.output().expect("run the binary");
        assert!(
            out.status.success(),
            "growing \"{}\" failed:\n{}",
            self.session,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}
