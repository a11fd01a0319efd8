//! Reading what is typed: the line editor and its completion, multi-line messages, the
//! terminal kept quiet while an answer streams, Ctrl-C, and the private line-history file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Editor, Helper};

use super::table::{Slash, COMMANDS};
use crate::store::journal::{private_dir, state_dir};

/// While an answer streams (or a long step runs), keys typed are neither echoed into the output
/// nor lost: echo and line buffering are off (signals stay on, so Ctrl-C still cancels), and what
/// is typed waits in the terminal's input queue for the next prompt, where the line editor reads
/// it. Restored on drop; a no-op when stdin is not a terminal.
pub(super) struct QuietInput {
    saved: Option<nix::sys::termios::Termios>,
}

impl QuietInput {
    pub(super) fn new() -> Self {
        use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
        let stdin = std::io::stdin();
        let Ok(saved) = tcgetattr(&stdin) else {
            return Self { saved: None };
        };
        let mut quiet = saved.clone();
        quiet
            .local_flags
            .remove(LocalFlags::ECHO | LocalFlags::ICANON);
        if tcsetattr(&stdin, SetArg::TCSANOW, &quiet).is_err() {
            return Self { saved: None };
        }
        Self { saved: Some(saved) }
    }
}

impl Drop for QuietInput {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = nix::sys::termios::tcsetattr(
                std::io::stdin(),
                nix::sys::termios::SetArg::TCSANOW,
                saved,
            );
        }
    }
}

/// The spinner of a step that waits on the network, on stderr; Ctrl-C cancels the step.
pub(super) fn spinner(message: &str) -> ProgressBar {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(format!("{message} (Ctrl-C cancels)"));
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}

/// What a line of input is.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Input {
    Empty,
    Message(String),
    Command { slash: Slash, arg: String },
    Unknown(String),
}

/// `/name args` → a command (a unique prefix is enough); `//text` sends `/text` as a message.
pub(super) fn parse(text: &str) -> Input {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Input::Empty;
    }
    if let Some(rest) = trimmed.strip_prefix("//") {
        return Input::Message(format!("/{rest}"));
    }
    let Some(rest) = trimmed.strip_prefix('/') else {
        return Input::Message(text.to_string());
    };
    let (word, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let matches: Vec<_> = COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(word))
        .collect();
    match matches.as_slice() {
        [one] => Input::Command {
            slash: one.slash,
            arg: arg.trim().to_string(),
        },
        _ => match COMMANDS.iter().find(|c| c.name == word) {
            Some(c) => Input::Command {
                slash: c.slash,
                arg: arg.trim().to_string(),
            },
            None => Input::Unknown(word.to_string()),
        },
    }
}

/// Completes slash commands, and colours the prompt's place (`ns/session @ cluster`) where
/// colour is allowed.
pub(super) struct ReplHelper {
    /// Colour the prompt: a terminal, no `NO_COLOR`, not `TERM=dumb`.
    pub(super) colour: bool,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = &line[..pos];
        if !head.starts_with('/') || head.contains(char::is_whitespace) {
            return Ok((0, Vec::new()));
        }
        let pairs = COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(&head[1..]))
            .map(|c| Pair {
                display: format!("/{} {}", c.name, c.args),
                replacement: format!("/{} ", c.name),
            })
            .collect();
        Ok((0, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    /// The place in cyan and the cluster dimmed; the width stays the plain prompt's (rustyline
    /// measures the prompt it was given, not this).
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> std::borrow::Cow<'b, str> {
        if !self.colour {
            return std::borrow::Cow::Borrowed(prompt);
        }
        match (prompt.find(" @ "), prompt.rfind(" [~")) {
            (Some(at), Some(est)) if at < est => std::borrow::Cow::Owned(format!(
                "\x1b[36m{}\x1b[0m\x1b[2m{}\x1b[0m{}",
                &prompt[..at],
                &prompt[at..est],
                &prompt[est..]
            )),
            _ => std::borrow::Cow::Borrowed(prompt),
        }
    }
}

/// A lone word that is a REPL command without its slash (`exit`, `quit`, `clear`, `help`):
/// most likely meant as the command, and never worth a billed turn unasked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bare {
    /// `exit` or `quit`: leave.
    Leave,
    /// `clear` or `help`: ask whether the command was meant.
    Ask(Slash),
}

/// Whether `text` is one of those words alone (any case, spaces around).
pub(super) fn bare_command(text: &str) -> Option<Bare> {
    match text.trim().to_ascii_lowercase().as_str() {
        "exit" | "quit" => Some(Bare::Leave),
        "clear" => Some(Bare::Ask(Slash::Clear)),
        "help" => Some(Bare::Ask(Slash::Help)),
        _ => None,
    }
}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}

pub(super) type Ed = Editor<ReplHelper, DefaultHistory>;

/// Read one message: a line; lines ending in `\` continue; a line `"""` opens a block that the
/// next `"""` closes.
pub(super) fn read_message(ed: &mut Ed, prompt: &str) -> rustyline::Result<String> {
    let first = ed.readline(prompt)?;
    if first.trim() == "\"\"\"" {
        let mut lines = Vec::new();
        loop {
            match ed.readline("... ") {
                Ok(line) if line.trim() == "\"\"\"" => return Ok(lines.join("\n")),
                Ok(line) => lines.push(line),
                // Ctrl-D ends the block as the closing """ would: the draft is sent, not lost.
                Err(ReadlineError::Eof) => return Ok(lines.join("\n")),
                Err(e) => return Err(e),
            }
        }
    }
    let mut text = first;
    while text.ends_with('\\') {
        text.pop();
        text.push('\n');
        match ed.readline("... ") {
            Ok(more) => text.push_str(&more),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(text)
}

/// Read one line that starts out holding `initial` for the user to edit, on a blocking thread.
pub(super) async fn read_edit(
    ed: Ed,
    prompt: String,
    initial: String,
) -> anyhow::Result<(Ed, rustyline::Result<String>)> {
    Ok(tokio::task::spawn_blocking(move || {
        let mut ed = ed;
        let r = ed.readline_with_initial(&prompt, (&initial, ""));
        (ed, r)
    })
    .await?)
}

/// Read on a blocking thread (rustyline blocks), handing the editor back and forth.
pub(super) async fn read(
    ed: Ed,
    prompt: String,
) -> anyhow::Result<(Ed, rustyline::Result<String>)> {
    Ok(tokio::task::spawn_blocking(move || {
        let mut ed = ed;
        let r = read_message(&mut ed, &prompt);
        (ed, r)
    })
    .await?)
}

/// Resolves at the next Ctrl-C from now on. The listener is registered when this is called,
/// not when the future is first polled (as `tokio::signal::ctrl_c()` does): a Ctrl-C typed
/// between a spinner appearing and the wait beginning would otherwise be lost, and the step it
/// meant to cancel would run to its end.
pub(super) fn interrupted() -> impl std::future::Future<Output = ()> {
    let registered = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    async move {
        match registered {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

pub(super) fn history_file() -> anyhow::Result<PathBuf> {
    let dir = state_dir()?;
    private_dir(&dir)?;
    Ok(dir.join("history"))
}

pub(super) fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}
