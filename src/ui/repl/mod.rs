//! The interactive chat (SPEC §4 `chat` on a terminal): rustyline for line editing and a private
//! history file, answers streamed as they arrive with a spinner until the first token, and slash
//! commands driven by one table ([`COMMANDS`]) for help, completion and dispatch.
//!
//! Ctrl-C while an answer streams drops the request (the client's future owns the connection,
//! so dropping it cancels it) and stores nothing; Ctrl-C at the prompt clears the line (rustyline
//! reads it as a key in raw mode); Ctrl-D exits.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use rustyline::error::ReadlineError;
use rustyline::{Editor, ExternalPrinter};

use crate::claude::ClaudeClient;
use crate::live::Change;
use crate::model::resource::{ClaudeModelContext, ClaudeModelContextSpec, Role};
use crate::store::journal::Journal;
use crate::store::Session;
use crate::turn;

mod attach;
mod commands;
mod input;
mod table;

use commands::Flow;
use input::{
    bare_command, history_file, interrupted, make_private, parse, read, read_message, spinner,
    Bare, Ed, Input, QuietInput, ReplHelper,
};
pub use table::{Slash, SlashCommand, COMMANDS};

/// Lines of an attachment shown when it is attached.
const PREVIEW_LINES: usize = 5;

/// More turns arriving at once than this are announced in one line.
const MAX_SHOWN_TURNS: usize = 4;

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
    /// The prompt's token estimate ([`Repl::refresh_estimate`]).
    estimate: u64,
    /// The last answer shown, for /copy.
    last_answer: Option<String>,
    /// Where this REPL is: `namespace/session @ cluster`, for the banner and the prompt.
    place: String,
    /// Ctrl-C pressed at the prompt since the last line, for the hint on the second.
    interrupts: u32,
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
    ed.set_helper(Some(ReplHelper {
        colour: crate::ui::markdown::wanted(
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
            false,
        ),
    }));
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
        estimate: 0,
        last_answer: None,
        place: format!(
            "{}/{} @ {}",
            o.namespace_or_default(),
            crate::ui::output::sanitize(&session.session_id().chars().take(40).collect::<String>()),
            crate::ui::output::sanitize(&session.cluster().display_name())
        ),
        interrupts: 0,
        deleted: false,
        unreachable: false,
        session,
        client,
        journal,
    };
    let o = repl.session.object();
    eprintln!(
        "Chatting in {} (model {}, {} turns stored). /help lists commands; Ctrl-D exits.",
        repl.place,
        crate::ui::output::sanitize(&o.spec.model_name),
        o.turns()
    );
    let mut retry = tokio::time::interval(Duration::from_secs(2));
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // While a line is read, changes made by others are shown above the prompt.
        repl.refresh_estimate().await;
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
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C clears the line; a second in a row is someone looking for the way out.
                repl.interrupts += 1;
                if repl.interrupts >= 2 {
                    repl.interrupts = 0;
                    eprintln!("(Ctrl-D or /exit leaves; Ctrl-C clears the line)");
                }
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        repl.interrupts = 0;
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
        let mut input = parse(&text);
        // `exit` alone leaves; `clear` or `help` alone asks whether the command was meant
        // (Enter: yes; n sends the word to Claude).
        match (&input, bare_command(&text)) {
            (Input::Message(_), Some(Bare::Leave)) => break,
            (Input::Message(word), Some(Bare::Ask(slash))) => {
                let (back, answer) = read(
                    ed,
                    format!(
                        "Did you mean /{0}? [Y/n] (n sends \"{0}\" to Claude) ",
                        word.trim().to_ascii_lowercase()
                    ),
                )
                .await?;
                ed = back;
                match answer {
                    Ok(a) if a.trim().is_empty() || crate::ui::output::is_yes(&a) => {
                        input = Input::Command {
                            slash,
                            arg: String::new(),
                        }
                    }
                    Ok(a)
                        if a.trim().eq_ignore_ascii_case("n")
                            || a.trim().eq_ignore_ascii_case("no") => {}
                    // Anything else, or Ctrl-C: neither.
                    Ok(_) | Err(ReadlineError::Interrupted) => input = Input::Empty,
                    Err(ReadlineError::Eof) => break,
                    Err(e) => return Err(e.into()),
                }
            }
            _ => {}
        }
        match input {
            Input::Empty => {}
            Input::Message(_) if repl.deleted => eprintln!(
                "not sent: context \"{}\" was deleted. /recreate makes it again (empty, same settings); Ctrl-D exits",
                repl.session.session_id()
            ),
            Input::Message(m) => repl.ask(&m).await,
            Input::Unknown(w) => eprintln!("unknown command /{w}: /help lists the commands (// sends a message starting with /)"),
            Input::Command { slash, arg } => {
                let (back, flow) = repl.dispatch(slash, &arg, ed).await?;
                ed = back;
                if flow == Flow::Exit {
                    break;
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
    /// `NS/SESSION @ CLUSTER [~N tok]> ` (`, +K attached` while attachments wait for the next
    /// message): N is what the window would carry now, before the next message
    /// ([`Session::preview`], sealed turns it reaches included), calibrated by the API's past
    /// counts; refreshed before every prompt, so it follows /undo, /clear and /summarize.
    fn prompt(&self) -> String {
        let attached = match self.attachments.len() {
            0 => String::new(),
            n => format!(", +{n} attached"),
        };
        format!("{} [~{} tok{attached}]> ", self.place, self.estimate)
    }

    /// The prompt's estimate, as every view computes the window (0 when none can be built).
    async fn refresh_estimate(&mut self) {
        self.estimate = match self.session.preview().await {
            Ok(p) => p.before,
            Err(e) => {
                tracing::debug!("no window for the prompt's estimate: {e:#}");
                0
            }
        };
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
                slash: Slash::Window,
                arg: String::new()
            }
        );
        assert_eq!(
            parse("/his 3"),
            Input::Command {
                slash: Slash::History,
                arg: "3".into()
            }
        );
        assert_eq!(
            parse("/system be brief "),
            Input::Command {
                slash: Slash::System,
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
    fn every_command_in_the_table_has_help_and_parses() {
        for c in COMMANDS {
            assert!(!c.help.is_empty());
            assert_eq!(
                parse(&format!("/{}", c.name)),
                Input::Command {
                    slash: c.slash,
                    arg: String::new()
                }
            );
        }
    }

    /// One row per command: the table and the enum cannot drift apart.
    #[test]
    fn the_table_names_each_command_once() {
        let mut seen = HashSet::new();
        for c in COMMANDS {
            assert!(seen.insert(c.slash), "{:?} twice", c.slash);
        }
        assert_eq!(seen.len(), 18, "a Slash variant without a row");
    }
}
