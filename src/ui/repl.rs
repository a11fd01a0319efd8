//! The interactive chat (SPEC §4 `chat` on a terminal): rustyline for line editing and a private
//! history file, answers streamed as they arrive with a spinner until the first token, and slash
//! commands driven by one table ([`COMMANDS`]) for help, completion and dispatch.
//!
//! Ctrl-C while an answer streams drops the request (the client's future owns the connection,
//! so dropping it cancels it) and stores nothing; Ctrl-C at the prompt clears the line (rustyline
//! reads it as a key in raw mode); Ctrl-D exits.

use std::io::Write;
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

use std::collections::HashSet;

use rustyline::ExternalPrinter;

use crate::claude::ClaudeClient;
use crate::live::Change;
use crate::model::resource::{ClaudeModelContext, ClaudeModelContextSpec, Role};
use crate::store::journal::{private_dir, state_dir, Journal};
use crate::store::Session;
use crate::turn;

/// One slash command: its name, its arguments, and its help line.
pub struct SlashCommand {
    /// Typed as `/name`.
    pub name: &'static str,
    /// Argument synopsis.
    pub args: &'static str,
    /// One line of help.
    pub help: &'static str,
}

/// Every slash command. Help, completion and dispatch all read this table.
pub const COMMANDS: &[SlashCommand] = &[
    SlashCommand {
        name: "help",
        args: "",
        help: "list these commands",
    },
    SlashCommand {
        name: "history",
        args: "[N]",
        help: "show the last N turns (default 10)",
    },
    SlashCommand {
        name: "window",
        args: "",
        help: "what would be sent now, with the token estimate",
    },
    SlashCommand {
        name: "tokens",
        args: "",
        help: "token figures: last measured, estimated, and counted by the API",
    },
    SlashCommand {
        name: "cost",
        args: "",
        help: "what this session and the context as a whole have cost",
    },
    SlashCommand {
        name: "summarize",
        args: "",
        help: "fold all but the last 2 turns into the summary now",
    },
    SlashCommand {
        name: "system",
        args: "[TEXT|-]",
        help: "show the system prompt, set it to TEXT, or remove it with -",
    },
    SlashCommand {
        name: "model",
        args: "[NAME]",
        help: "show the model, or switch to NAME",
    },
    SlashCommand {
        name: "set",
        args: "FLAG VALUE…",
        help: "change settings like `kubectl mcp set`: --max-tokens N, --history-size N, --strategy S, …",
    },
    SlashCommand {
        name: "recreate",
        args: "",
        help: "after the context was deleted: make it again, empty, with the same settings",
    },
    SlashCommand {
        name: "undo",
        args: "",
        help: "take back the last turn (kept aside: /restore brings it back)",
    },
    SlashCommand {
        name: "retry",
        args: "",
        help: "take back the last turn and ask its question again",
    },
    SlashCommand {
        name: "clear",
        args: "",
        help: "start over: the whole conversation is moved aside (after confirmation; /restore brings it back)",
    },
    SlashCommand {
        name: "restore",
        args: "",
        help: "bring back the turns /clear, /undo and /retry moved aside",
    },
    SlashCommand {
        name: "file",
        args: "[PATH|--clear]",
        help: "attach a text file to the next message (no PATH: list attachments)",
    },
    SlashCommand {
        name: "run",
        args: "COMMAND",
        help: "run a shell command (after confirmation) and attach its output to the next message",
    },
    SlashCommand {
        name: "copy",
        args: "",
        help: "copy the last answer to the clipboard (wl-copy, xclip, xsel or pbcopy)",
    },
    SlashCommand {
        name: "exit",
        args: "",
        help: "leave the chat (Ctrl-D works too)",
    },
];

/// Largest attachment (`/file`, `/run` output), bytes: a message must still fit a window.
const ATTACHMENT_CAP: usize = 256 * 1024;
/// Longest a `/run` command may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// Lines of an attachment shown when it is attached.
const PREVIEW_LINES: usize = 5;

/// While an answer streams (or a long step runs), keys typed are neither echoed into the output
/// nor lost: echo and line buffering are off (signals stay on, so Ctrl-C still cancels), and what
/// is typed waits in the terminal's input queue for the next prompt, where the line editor reads
/// it. Restored on drop; a no-op when stdin is not a terminal.
struct QuietInput {
    saved: Option<nix::sys::termios::Termios>,
}

impl QuietInput {
    fn new() -> Self {
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
fn spinner(message: &str) -> ProgressBar {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(format!("{message} (Ctrl-C cancels)"));
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}

/// Text to attach, refused when it is not text or is too large.
fn attachable(bytes: Vec<u8>, what: &str) -> anyhow::Result<String> {
    if bytes.len() > ATTACHMENT_CAP {
        anyhow::bail!(
            "{what} is larger than the {} KiB an attachment may be; nothing was attached: attach a part of it (e.g. /run head -c 100000 FILE)",
            ATTACHMENT_CAP / 1024
        );
    }
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{what} is not UTF-8 text; nothing was attached"))
}

/// The clipboard tools tried by `/copy`, in order, with their arguments.
const CLIPBOARDS: &[(&str, &[&str])] = &[
    ("wl-copy", &[]),
    ("xclip", &["-selection", "clipboard"]),
    ("xsel", &["--clipboard", "--input"]),
    ("pbcopy", &[]),
];

/// More turns arriving at once than this are announced in one line.
const MAX_SHOWN_TURNS: usize = 4;

/// The arguments of `/set`: the flags of `kubectl mcp set`, parsed by the same definition.
#[derive(Debug, clap::Parser)]
#[command(name = "/set", no_binary_name = true, disable_version_flag = true)]
struct SetLine {
    #[command(flatten)]
    settings: crate::cli::ContextSettings,
}

/// What a line of input is.
#[derive(Debug, PartialEq, Eq)]
enum Input {
    Empty,
    Message(String),
    Command { name: &'static str, arg: String },
    Unknown(String),
}

/// `/name args` → a command (a unique prefix is enough); `//text` sends `/text` as a message.
fn parse(text: &str) -> Input {
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
            name: one.name,
            arg: arg.trim().to_string(),
        },
        _ => match COMMANDS.iter().find(|c| c.name == word) {
            Some(c) => Input::Command {
                name: c.name,
                arg: arg.trim().to_string(),
            },
            None => Input::Unknown(word.to_string()),
        },
    }
}

/// Completes slash commands.
struct ReplHelper;

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
impl Highlighter for ReplHelper {}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}

type Ed = Editor<ReplHelper, DefaultHistory>;

/// Read one message: a line; lines ending in `\` continue; a line `"""` opens a block that the
/// next `"""` closes.
fn read_message(ed: &mut Ed, prompt: &str) -> rustyline::Result<String> {
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
async fn read_edit(
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
async fn read(ed: Ed, prompt: String) -> anyhow::Result<(Ed, rustyline::Result<String>)> {
    Ok(tokio::task::spawn_blocking(move || {
        let mut ed = ed;
        let r = read_message(&mut ed, &prompt);
        (ed, r)
    })
    .await?)
}

/// `tool` on PATH.
fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

/// Resolves at the next Ctrl-C from now on. The listener is registered when this is called,
/// not when the future is first polled (as `tokio::signal::ctrl_c()` does): a Ctrl-C typed
/// between a spinner appearing and the wait beginning would otherwise be lost, and the step it
/// meant to cancel would run to its end.
fn interrupted() -> impl std::future::Future<Output = ()> {
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

fn history_file() -> anyhow::Result<PathBuf> {
    let dir = state_dir()?;
    private_dir(&dir)?;
    Ok(dir.join("history"))
}

fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// Prints above the prompt while a line is being read, and plainly otherwise.
///
/// rustyline's printer blocks when its one-slot queue is full and the editor is not reading
/// (the line was just entered): so it runs on a thread of its own, fed by a channel, and the
/// REPL never waits for it.
struct Say {
    printer: Option<std::sync::mpsc::Sender<String>>,
    reading: bool,
    dim: bool,
}

/// The sending end of a thread that prints through `printer`.
fn printer_thread(
    mut printer: impl ExternalPrinter + Send + 'static,
) -> std::sync::mpsc::Sender<String> {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for text in rx {
            if printer.print(text.clone()).is_err() {
                eprint!("{text}");
            }
        }
    });
    tx
}

impl Say {
    fn line(&mut self, text: &str) {
        let text = if self.dim {
            text.lines()
                .map(|l| format!("\x1b[2m{l}\x1b[0m"))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text.to_string()
        };
        if self.reading {
            if let Some(p) = self.printer.as_ref() {
                if p.send(format!("{text}\n")).is_ok() {
                    return;
                }
            }
        }
        eprintln!("{text}");
    }
}

struct Repl {
    session: Session,
    client: ClaudeClient,
    journal: Journal,
    /// Changes to the context made by anyone.
    follow: tokio::sync::mpsc::UnboundedReceiver<Change>,
    say: Say,
    /// Messages of the conversation shown or known so far (a position from its very start).
    shown_upto: u64,
    /// Ids of the messages this REPL stored: its own turns are never announced.
    own: HashSet<String>,
    /// The settings last seen, to say what others changed.
    settings: ClaudeModelContextSpec,
    /// The context was deleted under this REPL: nothing is sent to Claude until it is recreated.
    deleted: bool,
    /// The watch is broken (the cluster is unreachable, or watching is refused).
    unreachable: bool,
    /// Removals (`/clear`, `/undo`) already known, to say those others make.
    removals: Vec<crate::model::resource::Removal>,
    /// A removal was just announced: the turns it takes away are not announced again.
    quiet_shrink: bool,
    /// Answers are rendered as Markdown.
    render: bool,
    /// Attached with /file or /run, sent with the next message: a label and the text.
    attachments: Vec<(String, String)>,
    /// The last answer shown, for /copy.
    last_answer: Option<String>,
}

/// The settings of a spec, without the history.
fn settings_of(obj: &ClaudeModelContext) -> ClaudeModelContextSpec {
    ClaudeModelContextSpec {
        context_history: Vec::new(),
        ..obj.spec.clone()
    }
}

/// What differs between two specs' settings, in words.
fn settings_changes(old: &ClaudeModelContextSpec, new: &ClaudeModelContextSpec) -> Vec<String> {
    let show = |v: serde_json::Value| match v {
        serde_json::Value::Null => "unset".to_string(),
        serde_json::Value::String(s) => {
            crate::ui::output::ellipsize(&crate::ui::output::sanitize(&s), 60)
        }
        other => other.to_string(),
    };
    old.differences(new)
        .into_iter()
        .map(|(k, a, b)| format!("{k} {} → {}", show(a), show(b)))
        .collect()
}

/// Run the REPL until Ctrl-D or `/exit`.
/// `render`: answers are rendered as Markdown ([`crate::ui::markdown`]).
pub async fn run(
    session: Session,
    client: ClaudeClient,
    journal: Journal,
    render: bool,
) -> anyhow::Result<()> {
    let history = history_file()?;
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut ed: Ed = Editor::with_config(config)?;
    ed.set_helper(Some(ReplHelper));
    if history.exists() {
        make_private(&history);
        let _ = ed.load_history(&history);
    }
    let printer = ed.create_external_printer().ok().map(printer_thread);
    // Between prompts too, keys are kept as typed and not echoed: rustyline puts the terminal
    // back in this mode after each line, so a Ctrl-D typed right after a Ctrl-C (or any key
    // typed while a command runs) waits for the next prompt instead of being eaten by the
    // terminal's line discipline. Restored when the REPL ends.
    let _quiet_between_prompts = QuietInput::new();
    let o = session.object();
    let follow = crate::live::follow(
        session.cluster(),
        &o.namespace_or_default(),
        o.metadata.name.as_deref().unwrap_or_default(),
    );
    let mut repl = Repl {
        shown_upto: o.conversation_len(),
        settings: settings_of(o),
        follow,
        say: Say {
            printer,
            reading: false,
            dim: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        },
        own: HashSet::new(),
        removals: o.removed().to_vec(),
        quiet_shrink: false,
        render,
        attachments: Vec::new(),
        last_answer: None,
        deleted: false,
        unreachable: false,
        session,
        client,
        journal,
    };
    let o = repl.session.object();
    eprintln!(
        "Chatting in context \"{}\" (model {}, {} turns stored). /help lists commands; Ctrl-D exits.",
        repl.session.session_id(),
        o.spec.model_name,
        o.turns()
    );
    let mut retry = tokio::time::interval(Duration::from_secs(2));
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // While a line is read, changes made by others are shown above the prompt.
        let prompt = repl.prompt();
        let mut reading = tokio::task::spawn_blocking(move || {
            let mut ed = ed;
            let r = read_message(&mut ed, &prompt);
            (ed, r)
        });
        repl.say.reading = true;
        let (back, line) = loop {
            tokio::select! {
                done = &mut reading => break done?,
                Some(change) = repl.follow.recv() => repl.absorb(change).await,
                // Journalled turns go back as soon as the cluster answers, without waiting
                // for the watch's backoff (a cheap file check when there are none).
                _ = retry.tick() => repl.write_back_journal().await,
            }
        };
        repl.say.reading = false;
        ed = back;
        let text = match line {
            Ok(text) => text,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        // A line holding the key or another secret is sent (masked) but never written to the
        // line history file, where it would outlive the session.
        if crate::redact::holds_secret(&text) {
            eprintln!("(not kept in the line history: it holds an API key or another secret)");
        } else if !text.trim().is_empty() {
            let _ = ed.add_history_entry(text.as_str());
            if ed.save_history(&history).is_ok() {
                make_private(&history);
            }
        }
        match parse(&text) {
            Input::Empty => {}
            Input::Message(_) if repl.deleted => eprintln!(
                "not sent: context \"{}\" was deleted. /recreate makes it again (empty, same settings); Ctrl-D exits",
                repl.session.session_id()
            ),
            Input::Message(m) => repl.ask(&m).await,
            Input::Unknown(w) => eprintln!("unknown command /{w}: /help lists the commands (// sends a message starting with /)"),
            Input::Command { name: "exit", .. } => break,
            Input::Command { name: "retry", .. }
                if repl.session.refused_question(&repl.own).is_some() =>
            {
                // Asked again as it was, a declined question is most likely declined again:
                // offer it for editing instead.
                let question = repl.session.refused_question(&repl.own).unwrap_or_default();
                eprintln!("Claude declined this question; asked again as it was, it would most likely be declined again. Rephrase it (Enter asks the new text; an empty line or Ctrl-C keeps the turn as it is):");
                let (back, edited) = read_edit(ed, repl.prompt(), question).await?;
                ed = back;
                match edited {
                    Ok(text) if !text.trim().is_empty() => {
                        if let Err(e) = repl.retry_as(Some(text)).await {
                            eprintln!("error: {e:#}");
                        }
                    }
                    Ok(_) | Err(ReadlineError::Interrupted) => eprintln!("the turn is kept as it was"),
                    Err(ReadlineError::Eof) => break,
                    Err(e) => return Err(e.into()),
                }
            }
            Input::Command { name: "run", arg } if arg.is_empty() => {
                eprintln!("/run needs a command, e.g. /run kubectl get pods -A")
            }
            Input::Command { name: "run", arg } => {
                let (back, answer) = read(ed, format!("Run `{arg}` and attach its output to your next message? [y/N] ")).await?;
                ed = back;
                if answer.as_deref().is_ok_and(crate::ui::output::is_yes) {
                    if let Err(e) = repl.run_command(&arg).await {
                        eprintln!("error: {e:#}");
                    }
                } else {
                    eprintln!("not run");
                }
            }
            Input::Command { name: "clear", .. } => {
                let (back, answer) = read(ed, "Forget the whole conversation, history and summary? [y/N] ".into()).await?;
                ed = back;
                if answer.as_deref().is_ok_and(crate::ui::output::is_yes) {
                    match repl.session.clear().await {
                        Ok(0) => eprintln!("nothing to clear"),
                        Ok(n) => eprintln!(
                            "the conversation was cleared ({n} turns moved aside: `kubectl mcp restore {}` brings them back)",
                            crate::ui::output::sanitize(repl.session.session_id())
                        ),
                        Err(e) => eprintln!("error: {e:#}"),
                    }
                } else {
                    eprintln!("nothing was cleared");
                }
            }
            Input::Command { name, arg } => {
                if let Err(e) = repl.command(name, &arg).await {
                    eprintln!("error: {e:#}");
                }
            }
        }
        // What others did meanwhile (the REPL's own writes may have brought it in).
        while let Ok(change) = repl.follow.try_recv() {
            repl.absorb(change).await;
        }
        repl.catch_up(true).await;
        repl.settings = settings_of(repl.session.object());
    }
    Ok(())
}

impl Repl {
    /// Take in a change to the context made by anyone, and say what others did.
    async fn absorb(&mut self, change: Change) {
        match change {
            Change::Updated(obj) => {
                if self.unreachable {
                    self.unreachable = false;
                    self.say.line("(the cluster answers again)");
                }
                if self.deleted {
                    if obj.metadata.uid == self.session.object().metadata.uid {
                        return;
                    }
                    // Someone made it again: follow the new one from its start.
                    self.deleted = false;
                    self.shown_upto = 0;
                    self.say.line(&format!(
                        "context \"{}\" was created again; new turns are stored there",
                        self.session.session_id()
                    ));
                }
                if !self.deleted && obj.metadata.uid != self.session.object().metadata.uid {
                    // Deleted and made again between two looks: a new conversation.
                    self.shown_upto = 0;
                    self.own.clear();
                    self.say.line(&format!(
                        "context \"{}\" was deleted and created again elsewhere; new turns are stored in the new one",
                        self.session.session_id()
                    ));
                }
                if !self.session.observe(*obj) {
                    return;
                }
                // Removals others made: said once, by what they were.
                let removed = self.session.object().removed().to_vec();
                for r in removed.iter().filter(|r| !self.removals.contains(r)) {
                    let by =
                        r.by.as_ref()
                            .map_or_else(|| "another writer".to_string(), |a| a.to_string());
                    if r.by.as_ref().and_then(|a| a.pid) == Some(std::process::id()) {
                        continue;
                    }
                    let what = match r.how.as_str() {
                        "clear" => {
                            format!("cleared the conversation ({} turns moved aside)", r.turns)
                        }
                        "retry" => "took back a turn to ask it again".to_string(),
                        _ => "took back a turn".to_string(),
                    };
                    self.say
                        .line(&format!("{by} {what}; /restore brings them back"));
                    self.quiet_shrink = true;
                }
                self.removals = removed;
                let now = settings_of(self.session.object());
                let changes = settings_changes(&self.settings, &now);
                if !changes.is_empty() {
                    self.say.line(&format!(
                        "settings changed elsewhere: {}",
                        changes.join("; ")
                    ));
                    self.settings = now;
                }
                self.write_back_journal().await;
                self.catch_up(false).await;
            }
            Change::Deleted => {
                if !self.deleted {
                    self.deleted = true;
                    self.say.line(&format!(
                        "context \"{}\" was deleted (by another process or person): nothing will be sent to Claude. /recreate makes it again (empty, same settings); Ctrl-D exits",
                        self.session.session_id()
                    ));
                }
            }
            Change::Unreachable(e) => {
                if !self.unreachable {
                    self.unreachable = true;
                    self.say.line(&format!(
                        "(not following changes by others for now: {}; retrying)",
                        e.lines().next().unwrap_or_default()
                    ));
                }
            }
        }
    }

    /// Show the turns others stored since the last look; `quiet_removals` after this REPL's own
    /// command, which may itself have removed turns.
    async fn catch_up(&mut self, quiet_removals: bool) {
        if self.deleted {
            return;
        }
        let len = self.session.object().conversation_len();
        if len > self.shown_upto {
            self.quiet_shrink = false;
        }
        if len < self.shown_upto {
            if !quiet_removals && !self.quiet_shrink {
                self.say.line(&format!(
                    "another writer removed {} message(s); {} turns are stored now",
                    self.shown_upto - len,
                    self.session.object().turns()
                ));
            }
            self.shown_upto = len;
            return;
        }
        if len == self.shown_upto {
            return;
        }
        let messages = match self
            .session
            .messages_between_fresh(self.shown_upto, len)
            .await
        {
            Ok(m) => m,
            Err(e) => {
                self.say.line(&format!(
                    "(could not read the turns others added: {e:#}; /history shows them)"
                ));
                return;
            }
        };
        self.shown_upto = self.session.object().conversation_len();
        let theirs: Vec<_> = messages
            .into_iter()
            .filter(|m| !m.id.as_ref().is_some_and(|id| self.own.contains(id)))
            .collect();
        let turns = crate::model::resource::count_turns(&theirs);
        if turns > MAX_SHOWN_TURNS {
            // A restore or a write-back of many turns: one line, not pages.
            self.say.line(&format!(
                "{turns} turns were added at once (restored, or written back by another writer); /history shows them"
            ));
            return;
        }
        for m in theirs {
            let text = crate::ui::output::ellipsize(&m.content, 2000);
            let text: Vec<String> = text.lines().map(crate::ui::output::sanitize).collect();
            let text = text.join("\n");
            match m.role {
                Role::User => {
                    let by = m
                        .author
                        .as_ref()
                        .map_or_else(|| "another writer".to_string(), |a| a.to_string());
                    self.say.line(&format!("── turn from {by} ──\n> {text}"));
                }
                Role::Assistant => self.say.line(&text),
            }
        }
    }

    /// Write back turns journalled while the cluster was away, as soon as it answers again
    /// (before any newer turn is stored: the turn pipeline does the same).
    async fn write_back_journal(&mut self) {
        match self.session.write_back(&self.journal).await {
            Ok(0) => {}
            Ok(n) => self.say.line(&format!(
                "wrote back {n} turn(s) kept in the local journal while the cluster was unreachable"
            )),
            Err(e) => tracing::debug!("journalled turns not written back yet: {e}"),
        }
    }

    /// Make the deleted context again, empty, with the settings it had.
    async fn recreate(&mut self) -> anyhow::Result<()> {
        if !self.deleted {
            anyhow::bail!("the context exists; /recreate is for after it was deleted");
        }
        let old = self.session.object();
        let mut spec = settings_of(old);
        if spec
            .expiration_time
            .is_some_and(|t| t <= jiff::Timestamp::now())
        {
            spec.expiration_time = None;
        }
        let mut obj =
            ClaudeModelContext::new(old.metadata.name.as_deref().unwrap_or_default(), spec);
        obj.metadata.namespace = old.metadata.namespace.clone();
        obj.metadata.labels = old.metadata.labels.clone();
        obj.metadata.annotations = old.metadata.annotations.clone();
        let cluster = self.session.cluster().clone();
        let created = crate::store::create_context(&cluster, obj).await?;
        let mut session = Session::from_object(&cluster, created);
        session.sign_as("repl").await;
        self.session = session;
        self.deleted = false;
        self.shown_upto = 0;
        self.own.clear();
        eprintln!(
            "created {} again (empty, same settings)",
            crate::ui::output::object_name(self.session.object())
        );
        Ok(())
    }
    /// `SESSION [~N tok]> `: N is what the window would carry now, before the next message,
    /// calibrated by the API's past counts, so it follows /undo, /clear and /summarize at once.
    fn prompt(&self) -> String {
        let tokens = self.session.preview().map_or(0, |(_, before)| before);
        let id: String = self.session.session_id().chars().take(40).collect();
        format!("{} [~{} tok]> ", crate::ui::output::sanitize(&id), tokens)
    }

    /// Send a message and stream the answer through the turn pipeline; Ctrl-C cancels it
    /// while it streams and stores nothing.
    async fn ask(&mut self, message: &str) {
        // Attachments go first, each fenced, then the question (as `chat -f FILE -m Q` does).
        let message = self
            .attachments
            .iter()
            .rev()
            .fold(message.to_string(), |m, (_, text)| {
                crate::store::with_attachment(text, &m)
            });
        let message = message.as_str();
        let cancel = interrupted();
        let spinner = spinner("waiting for Claude…");
        let _quiet = QuietInput::new();
        // The answer as it streams; its last piece once the turn is recorded on disk, so an
        // answer seen whole is a kept turn (as in `chat`).
        let mut stdout = std::io::stdout();
        let shown = spinner.clone();
        let mut md = crate::ui::markdown::Renderer::new(self.render);
        let mut show = |s: turn::Shown<'_>| {
            if !shown.is_finished() {
                shown.finish_and_clear();
            }
            let _ = match s {
                turn::Shown::Text(t) => stdout.write_all(md.push(t).as_bytes()),
                turn::Shown::Kept | turn::Shown::Stopped => {
                    let rest = md.finish();
                    stdout
                        .write_all(rest.as_bytes())
                        .and_then(|_| writeln!(stdout))
                }
                turn::Shown::Stored => Ok(()),
                turn::Shown::Restarted => writeln!(
                    stdout,
                    "{}\n\x1b[2m[cut off in transit: asking again from the start (a second, billed call); only the complete answer is stored]\x1b[0m",
                    md.finish()
                ),
            };
            let _ = stdout.flush();
        };
        let outcome = turn::ask(
            &mut self.session,
            &self.client,
            &self.journal,
            message,
            &mut show,
            true,
            cancel,
        )
        .await;
        spinner.finish_and_clear();
        match outcome {
            Ok(done) => {
                self.own
                    .extend(done.turn.iter().filter_map(|m| m.id.clone()));
                self.last_answer = done
                    .turn
                    .iter()
                    .rev()
                    .find(|m| m.role == Role::Assistant)
                    .map(|m| m.content.clone());
                self.attachments.clear();
                done.notes.iter().for_each(|n| eprintln!("{n}"));
                if let Some((path, e)) = done.journalled {
                    eprintln!("warning: {e}\nthe turn was kept in the local journal ({}) and will be written back as soon as the cluster answers again", path.display());
                }
            }
            Err(turn::TurnError::Cancelled) => {
                eprintln!("(cancelled: nothing was stored for this question)")
            }
            Err(e @ turn::TurnError::CallFailed { .. }) => {
                e.notes().iter().for_each(|n| eprintln!("{n}"));
                eprintln!("error: {e}\n(nothing was stored for this question; /retry is not needed, just ask again)");
            }
            Err(e) => {
                e.notes().iter().for_each(|n| eprintln!("{n}"));
                eprintln!("error: {e}");
            }
        }
    }

    /// Keep `text` for the next message, and show what was attached.
    fn attach(&mut self, label: String, text: String) {
        let lines = text.lines().count();
        println!(
            "attached {label}: {lines} lines, {} bytes, ~{} tokens; it goes with your next message (/file --clear drops it)",
            text.len(),
            crate::engine::tokens::estimate(&text)
        );
        for line in text.lines().take(PREVIEW_LINES) {
            println!(
                "  \x1b[2m{}\x1b[0m",
                crate::ui::output::ellipsize(&crate::ui::output::sanitize(line), 100)
            );
        }
        if lines > PREVIEW_LINES {
            println!("  \x1b[2m… {} more lines\x1b[0m", lines - PREVIEW_LINES);
        }
        self.attachments.push((label, text));
    }

    /// `/run COMMAND` once confirmed: its output (stdout and stderr) and exit status, attached.
    async fn run_command(&mut self, command: &str) -> anyhow::Result<()> {
        use tokio::io::AsyncReadExt;
        let cancel = interrupted();
        let spinner = spinner(&format!("running {command}…"));
        // One stream (stderr joined to stdout for the whole script), read up to the attachment
        // cap; the command runs in a process group of its own, so a pipeline or a background
        // job it started is stopped with it.
        let mut child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{command}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot run {command}: {e}"))?;
        let group = child
            .id()
            .and_then(|p| i32::try_from(p).ok())
            .map(nix::unistd::Pid::from_raw);
        let stop_group = || {
            if let Some(g) = group {
                let _ = nix::sys::signal::killpg(g, nix::sys::signal::Signal::SIGKILL);
            }
        };
        let mut bytes = Vec::new();
        let read = {
            let stdout = child.stdout.take();
            let bytes = &mut bytes;
            async move {
                match stdout {
                    Some(out) => out.take(ATTACHMENT_CAP as u64 + 1).read_to_end(bytes).await,
                    None => Ok(0),
                }
            }
        };
        let read = tokio::select! {
            r = tokio::time::timeout(RUN_TIMEOUT, read) => Some(r),
            _ = cancel => None,
        };
        spinner.finish_and_clear();
        match read {
            None => {
                stop_group();
                anyhow::bail!("cancelled: {command} was stopped and nothing was attached")
            }
            Some(Err(_)) => {
                stop_group();
                anyhow::bail!(
                    "{command} took longer than {} s and was stopped; nothing was attached",
                    RUN_TIMEOUT.as_secs()
                )
            }
            Some(Ok(r)) => {
                r.map_err(|e| anyhow::anyhow!("reading the output of {command}: {e}"))?;
            }
        }
        if bytes.len() > ATTACHMENT_CAP {
            stop_group();
        }
        // The output is complete; what the command left running in the background is stopped.
        let status = match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
            Ok(s) => s.ok(),
            Err(_) => None,
        };
        stop_group();
        let text = attachable(bytes, &format!("the output of {command}"))?;
        let status = match status.and_then(|s| s.code()) {
            Some(0) => String::new(),
            Some(c) => format!(" (exit status {c})"),
            None => " (killed by a signal)".into(),
        };
        self.attach(
            format!("the output of `{command}`{status}"),
            format!(
                "$ {command}\n{text}{}",
                if status.is_empty() {
                    String::new()
                } else {
                    format!("\n[exit{status}]")
                }
            ),
        );
        Ok(())
    }

    async fn command(&mut self, name: &str, arg: &str) -> anyhow::Result<()> {
        match name {
            "file" => match arg {
                "" if self.attachments.is_empty() => println!("nothing is attached"),
                "" => {
                    for (label, text) in &self.attachments {
                        println!("attached: {label} ({} bytes)", text.len());
                    }
                }
                "--clear" => {
                    self.attachments.clear();
                    println!("attachments dropped");
                }
                path => {
                    let path = std::path::Path::new(path);
                    // Read at most one byte past the cap: /dev/zero or a 10 GB log is refused
                    // without being read whole.
                    let mut bytes = Vec::new();
                    let file = tokio::fs::File::open(path)
                        .await
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                    {
                        use tokio::io::AsyncReadExt;
                        file.take(ATTACHMENT_CAP as u64 + 1)
                            .read_to_end(&mut bytes)
                            .await
                            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                    }
                    let text = attachable(bytes, &path.display().to_string())?;
                    self.attach(path.display().to_string(), text);
                }
            },
            "copy" => {
                let Some(answer) = self.last_answer.clone() else {
                    anyhow::bail!("no answer to copy yet in this chat");
                };
                let Some((tool, args)) = CLIPBOARDS.iter().find(|(tool, _)| which(tool).is_some())
                else {
                    anyhow::bail!("no clipboard tool found (wl-copy, xclip, xsel or pbcopy): install one, or use `kubectl mcp export SESSION -o markdown`");
                };
                let mut child = tokio::process::Command::new(tool)
                    .args(*args)
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .map_err(|e| anyhow::anyhow!("running {tool}: {e}"))?;
                if let Some(mut stdin) = child.stdin.take() {
                    use tokio::io::AsyncWriteExt;
                    stdin.write_all(answer.as_bytes()).await?;
                }
                let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
                    .await
                    .map_err(|_| anyhow::anyhow!("{tool} did not finish within 10 s"))??;
                if !status.success() {
                    anyhow::bail!("{tool} failed ({status})");
                }
                println!(
                    "copied the last answer ({} characters) with {tool}",
                    answer.chars().count()
                );
            }
            "help" => {
                for c in COMMANDS {
                    eprintln!(
                        "  /{:<22} {}",
                        format!("{} {}", c.name, c.args).trim_end(),
                        c.help
                    );
                }
                eprintln!("  Multi-line input: end a line with \\ to continue it, or enclose lines in \"\"\".");
            }
            "history" => {
                let n: usize = if arg.is_empty() {
                    10
                } else {
                    arg.parse()
                        .map_err(|_| anyhow::anyhow!("/history takes a number"))?
                };
                // The live object, or the whole conversation through the history reader when
                // the turns asked for reach into sealed segments.
                let obj = self.session.object();
                let live = &obj.spec.context_history[obj.pending_trim()..];
                let all;
                let h: &[crate::model::resource::Message] = if crate::model::resource::count_turns(
                    live,
                ) >= n
                    || obj.segments().is_empty()
                {
                    live
                } else {
                    all = self.session.full_history().await?;
                    &all
                };
                let starts: Vec<usize> = h
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.role == Role::User)
                    .map(|(i, _)| i)
                    .collect();
                let from = starts.len().saturating_sub(n);
                let begin = starts.get(from).copied().unwrap_or(h.len());
                let waiting = self.session.journalled(&self.journal);
                if begin == h.len() && waiting.is_empty() {
                    eprintln!("(no turns stored)");
                }
                for m in &h[begin..] {
                    let who = match (&m.role, &m.author) {
                        (Role::Assistant, _) => "claude".to_string(),
                        (Role::User, Some(a))
                            if !m.id.as_ref().is_some_and(|id| self.own.contains(id))
                                && a.pid != Some(std::process::id()) =>
                        {
                            match (&a.user, &a.host) {
                                (Some(u), Some(h)) => format!("{u}@{h}"),
                                _ => a.to_string(),
                            }
                        }
                        (Role::User, _) => "you".to_string(),
                    };
                    println!("{}: {}", crate::ui::output::sanitize(&who), m.content);
                }
                // Answered while the cluster was away: part of the conversation already.
                for e in waiting {
                    println!("you: {}", e.question.content);
                    println!("claude: {}", e.answer.content);
                    println!("  (kept in the local journal; written back when the cluster answers again)");
                }
            }
            "window" => {
                let (w, before) = self.session.preview()?;
                println!(
                    "window: {} of {} turns (from message {}), about {before} tokens before your next message",
                    w.turns_sent,
                    self.session.object().turns(),
                    w.first_sent,
                );
                if let Some(system) = w.system_text() {
                    println!(
                        "  system: {}",
                        crate::ui::output::ellipsize(&crate::ui::output::sanitize(&system), 100)
                    );
                }
                for m in &w.messages[..w.messages.len() - 1] {
                    let who = if m.role == Role::User {
                        "user"
                    } else {
                        "assistant"
                    };
                    println!(
                        "  {who}: {}",
                        crate::ui::output::ellipsize(&crate::ui::output::sanitize(&m.content), 100)
                    );
                }
                if !w.left_by_history.is_empty() || !w.left_by_tokens.is_empty() {
                    println!(
                        "  left out: {} messages by historySize, {} by the token budget",
                        w.left_by_history.len(),
                        w.left_by_tokens.len()
                    );
                }
            }
            "tokens" => {
                let o = self.session.object();
                let st = o.status.clone().unwrap_or_default();
                println!(
                    "last measured: {}",
                    st.token_count.map_or("-".to_string(), |t| t.to_string())
                );
                if let Some(u) = st.last_usage {
                    println!(
                        "last call: {} input ({} read from cache, {} written to it), {} output",
                        u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
                        u.cache_read_input_tokens,
                        u.cache_creation_input_tokens,
                        u.output_tokens
                    );
                }
                let (prepared, before) = self.session.preview()?;
                // The stand-in for the next message, taken off the API's count as well.
                let probe = prepared.estimated_tokens - before;
                println!(
                    "estimate now: {before} (calibration ratio {:.2})",
                    self.session.ratio()
                );
                let request = crate::claude::MessagesRequest::from_window(
                    &o.spec.model_name,
                    1,
                    &prepared,
                    false,
                );
                match self.client.count_tokens(&request).await {
                    Ok(n) => println!("counted by the API: {}", n.saturating_sub(probe)),
                    Err(e) => println!(
                        "counted by the API: unavailable ({})",
                        e.to_string().lines().next().unwrap_or("")
                    ),
                }
                if let Some(b) = o.spec.max_tokens {
                    println!("budget (maxTokens): {b}");
                }
            }
            "summarize" => {
                let keep_from = self.session.messages_before_last_turns(2);
                if keep_from == 0 {
                    println!("nothing to summarize: two turns or fewer are stored");
                } else {
                    let cancel = interrupted();
                    let spinner = spinner("summarizing older turns…");
                    let quiet = QuietInput::new();
                    let folded = tokio::select! {
                        r = self.session.fold_keeping(&self.client, 2) => Some(r),
                        _ = cancel => None,
                    };
                    spinner.finish_and_clear();
                    drop(quiet);
                    let Some(done) = folded else {
                        println!("summarizing was cancelled: nothing more was folded (a fold stored before the cancel stays)");
                        return Ok(());
                    };
                    let done = done?;
                    println!(
                        "folded {} messages into the summary; all {} turns stay stored (older ones sealed: `kubectl mcp export` shows them)",
                        done.messages,
                        self.session.object().turns()
                    );
                }
            }
            "system" => match arg {
                "" => println!(
                    "{}",
                    self.session
                        .object()
                        .spec
                        .system_prompt
                        .as_deref()
                        .unwrap_or("(no system prompt)")
                ),
                "-" => {
                    self.session.set_system_prompt(None).await?;
                    println!("the system prompt was removed");
                }
                text => {
                    self.session.set_system_prompt(Some(text)).await?;
                    println!("the system prompt was set");
                }
            },
            "model" => match arg {
                "" => println!("{}", self.session.object().spec.model_name),
                m => {
                    // A model the table lacks but the server describes is known after all.
                    self.client.learn_model(m).await;
                    if let Some(w) = crate::model::catalog::unknown_model_warning(m) {
                        eprintln!("{w}");
                    }
                    self.session.set_model(m).await?;
                    println!("the model is now {m}");
                }
            },
            "recreate" => self.recreate().await?,
            "cost" => {
                let line = |u: &crate::model::resource::UsageTotals| {
                    format!("{}; {}", u.describe(), u.cost_text())
                };
                println!("this session: {}", line(self.session.spent()));
                let all = self
                    .session
                    .object()
                    .status
                    .as_ref()
                    .and_then(|s| s.usage.clone())
                    .unwrap_or_default();
                println!("all time:     {}", line(&all));
                let model = &self.session.object().spec.model_name;
                match crate::model::catalog::price_of(model) {
                    Some(p) => println!(
                        "prices {} for {model}, USD per million tokens: input {}, output {}, cache write {}, cache read {}",
                        if crate::model::catalog::price_override(model).is_some() {
                            "from your configuration file".to_string()
                        } else {
                            format!("of {}", crate::model::catalog::PRICES_AS_OF)
                        },
                        p.input,
                        p.output,
                        p.cache_write_5m,
                        p.cache_read
                    ),
                    None => println!("{model} has no price in the tool's table: its calls are counted, not priced"),
                }
            }
            "set" => {
                let words = shlex::split(arg)
                    .ok_or_else(|| anyhow::anyhow!("/set: unbalanced quotes in {arg:?}"))?;
                let line = match <SetLine as clap::Parser>::try_parse_from(words) {
                    Ok(line) => line,
                    Err(e) => anyhow::bail!("/set: {}", e.render().to_string().trim_end()),
                };
                let template = crate::model::resource::ContextTemplate::from(&line.settings);
                if template.is_empty() {
                    anyhow::bail!("/set takes the flags of `kubectl mcp set`, e.g. /set --max-tokens 20000 --strategy summarize-oldest (/set --help lists them)");
                }
                let changed = self.session.apply_settings(&template).await?;
                if changed.is_empty() {
                    println!("nothing changed");
                } else {
                    println!("updated: {}", changed.join(", "));
                }
            }
            "restore" => {
                let done = self.session.restore().await?;
                // This terminal's own doing: not announced as turns from others.
                self.shown_upto = self.session.object().conversation_len();
                if done.left > 0 {
                    eprintln!("{} removal(s) whose turns are still in the conversation (in progress elsewhere, or interrupted) were left as they are", done.left);
                }
                if done.removals == 0 {
                    println!("nothing to restore: no turns were moved aside");
                } else {
                    println!(
                        "restored {} turn(s); {} turns stored now",
                        done.turns,
                        self.session.object().turns()
                    );
                }
            }
            "undo" => match self.session.undo_as("undo", &self.own).await? {
                Some(q) => println!(
                    "removed the last turn (\"{}\"; /restore brings it back)",
                    crate::ui::output::ellipsize(&q, 60)
                ),
                None => println!("nothing to undo"),
            },
            "retry" => self.retry_as(None).await?,
            other => anyhow::bail!("/{other} is not handled"),
        }
        Ok(())
    }

    /// Take back this terminal's newest turn and ask its question again, or `instead` of it.
    async fn retry_as(&mut self, instead: Option<String>) -> anyhow::Result<()> {
        match self.session.undo_as("retry", &self.own).await? {
            Some(q) => self.ask(instead.as_deref().unwrap_or(&q)).await,
            None => println!("nothing to retry"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_into_messages_and_commands() {
        assert_eq!(parse("  "), Input::Empty);
        assert_eq!(parse("hello"), Input::Message("hello".into()));
        assert_eq!(
            parse("/window"),
            Input::Command {
                name: "window",
                arg: String::new()
            }
        );
        assert_eq!(
            parse("/his 3"),
            Input::Command {
                name: "history",
                arg: "3".into()
            }
        );
        assert_eq!(
            parse("/system be brief "),
            Input::Command {
                name: "system",
                arg: "be brief".into()
            }
        );
        assert_eq!(parse("//etc/hosts?"), Input::Message("/etc/hosts?".into()));
        assert_eq!(parse("/nope"), Input::Unknown("nope".into()));
        // "/s" is ambiguous (summarize, system): not guessed.
        assert_eq!(parse("/s"), Input::Unknown("s".into()));
    }

    #[test]
    fn settings_changes_name_each_field_with_old_and_new_values() {
        let old: ClaudeModelContextSpec =
            serde_json::from_value(serde_json::json!({"modelName": "m", "sessionID": "x"}))
                .unwrap();
        let mut new = old.clone();
        new.model_name = "m2".into();
        new.max_tokens = Some(9000);
        new.context_history = serde_json::from_value(
            serde_json::json!([{"role": "user", "content": "not a setting"}]),
        )
        .unwrap();
        let changes = settings_changes(&old, &settings_of(&ClaudeModelContext::new("x", new)));
        assert_eq!(changes, ["maxTokens unset → 9000", "modelName m → m2"]);
        assert!(settings_changes(&old, &old).is_empty());
    }

    #[test]
    fn set_takes_the_flags_of_the_set_command() {
        let words = shlex::split("--max-tokens 5000 --system 'be brief' -L team=sre").unwrap();
        let line = <SetLine as clap::Parser>::try_parse_from(words).unwrap();
        let t = crate::model::resource::ContextTemplate::from(&line.settings);
        assert_eq!(t.max_tokens, Some(5000));
        assert_eq!(t.system.as_deref(), Some("be brief"));
        assert_eq!(t.labels, [("team".to_string(), "sre".to_string())]);
        assert!(<SetLine as clap::Parser>::try_parse_from(["--max-tokens", "lots"]).is_err());
    }

    #[test]
    fn every_command_in_the_table_has_help_and_parses() {
        for c in COMMANDS {
            assert!(!c.help.is_empty());
            assert_eq!(
                parse(&format!("/{}", c.name)),
                Input::Command {
                    name: c.name,
                    arg: String::new()
                }
            );
        }
    }
}
