//! What each slash command does: one handler per [`Slash`] variant, dispatched by one
//! exhaustive `match` (the names, arguments and help are the table in `table.rs`).

use rustyline::error::ReadlineError;

use super::input::{interrupted, read, read_edit, spinner, Ed, QuietInput};
use super::table::{Slash, COMMANDS};
use super::Repl;
use crate::model::resource::Role;

/// What the loop does after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    /// Read the next line.
    Go,
    /// Leave the chat.
    Exit,
}

/// The arguments of `/set`: the flags of `kubectl mcp set`, parsed by the same definition.
#[derive(Debug, clap::Parser)]
#[command(name = "/set", no_binary_name = true, disable_version_flag = true)]
pub(super) struct SetLine {
    #[command(flatten)]
    settings: crate::cli::ContextSettings,
}

/// What `/set` was given: the settings, and whether `--yes` was typed.
struct SetTemplate {
    template: crate::model::resource::ContextTemplate,
    yes: bool,
}

/// Parse `/set`'s arguments with the flags of `kubectl mcp set`.
fn set_template(arg: &str) -> anyhow::Result<SetTemplate> {
    let words =
        shlex::split(arg).ok_or_else(|| anyhow::anyhow!("/set: unbalanced quotes in {arg:?}"))?;
    let line = match <SetLine as clap::Parser>::try_parse_from(words) {
        Ok(line) => line,
        Err(e) => anyhow::bail!("/set: {}", e.render().to_string().trim_end()),
    };
    let template = crate::model::resource::ContextTemplate::from(&line.settings);
    if template.is_empty() {
        anyhow::bail!("/set takes the flags of `kubectl mcp set`, e.g. /set --max-tokens 20000 --strategy summarize-oldest (/set --help lists them)");
    }
    Ok(SetTemplate {
        template,
        yes: line.settings.yes,
    })
}

impl Repl {
    /// Run one slash command. The editor comes and goes with it, for the commands that ask
    /// first (`/run`, `/clear`) or offer a question for editing (`/retry` after a refusal).
    /// An error of the command itself is said and the chat goes on; an error of the terminal
    /// ends it.
    pub(super) async fn dispatch(
        &mut self,
        slash: Slash,
        arg: &str,
        ed: Ed,
    ) -> anyhow::Result<(Ed, Flow)> {
        let done = match slash {
            Slash::Exit => return Ok((ed, Flow::Exit)),
            Slash::Retry => return self.retry(ed).await,
            Slash::Run => return self.run(arg, ed).await,
            Slash::Clear => return self.clear(ed).await,
            Slash::Help => {
                self.help();
                Ok(())
            }
            Slash::History => self.history(arg).await,
            Slash::Window => self.window().await,
            Slash::Tokens => self.tokens().await,
            Slash::Cost => self.cost(arg).await,
            Slash::Summarize => self.summarize().await,
            Slash::System => self.system(arg).await,
            Slash::Model => self.model(arg).await,
            Slash::Set => return self.set(arg, ed).await,
            Slash::Recreate => self.recreate().await,
            Slash::Undo => self.undo().await,
            Slash::Restore => self.restore().await,
            Slash::File => self.file(arg).await,
            Slash::Copy => self.copy().await,
        };
        if let Err(e) = done {
            eprintln!("error: {e:#}");
        }
        Ok((ed, Flow::Go))
    }

    /// `/retry`: take back this terminal's last turn and ask it again. A question Claude
    /// declined would most likely be declined again as it was: it is offered for editing.
    async fn retry(&mut self, ed: Ed) -> anyhow::Result<(Ed, Flow)> {
        let Some(question) = self.session.refused_question(&self.own) else {
            if let Err(e) = self.retry_as(None).await {
                eprintln!("error: {e:#}");
            }
            return Ok((ed, Flow::Go));
        };
        eprintln!("Claude declined this question; asked again as it was, it would most likely be declined again. Rephrase it (Enter asks the new text; an empty line or Ctrl-C keeps the turn as it is):");
        self.refresh_estimate().await;
        let (ed, edited) = read_edit(ed, self.prompt(), question).await?;
        match edited {
            Ok(text) if !text.trim().is_empty() => {
                if let Err(e) = self.retry_as(Some(text)).await {
                    eprintln!("error: {e:#}");
                }
            }
            Ok(_) | Err(ReadlineError::Interrupted) => eprintln!("the turn is kept as it was"),
            Err(ReadlineError::Eof) => return Ok((ed, Flow::Exit)),
            Err(e) => return Err(e.into()),
        }
        Ok((ed, Flow::Go))
    }

    /// `/clear`: after confirmation, move the whole conversation aside.
    async fn clear(&mut self, ed: Ed) -> anyhow::Result<(Ed, Flow)> {
        let (ed, answer) = read(
            ed,
            "Forget the whole conversation, history and summary? [y/N] ".into(),
        )
        .await?;
        if !answer.as_deref().is_ok_and(crate::ui::output::is_yes) {
            eprintln!("nothing was cleared");
            return Ok((ed, Flow::Go));
        }
        match self.session.clear().await {
            Ok(0) => eprintln!("nothing to clear"),
            Ok(n) => eprintln!(
                "the conversation was cleared ({n} turns moved aside: `kubectl mcp restore {}` brings them back)",
                crate::ui::output::sanitize(self.session.session_id())
            ),
            Err(e) => eprintln!("error: {e:#}"),
        }
        Ok((ed, Flow::Go))
    }

    /// `/help`: the table, one line a command.
    fn help(&self) {
        for c in COMMANDS {
            eprintln!(
                "  /{:<22} {}",
                format!("{} {}", c.name, c.args).trim_end(),
                c.help
            );
        }
        eprintln!(
            "  Multi-line input: end a line with \\ to continue it, or enclose lines in \"\"\"."
        );
    }

    /// `/history [N]`: the last N turns, from the live object or through the history reader.
    async fn history(&mut self, arg: &str) -> anyhow::Result<()> {
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
        let h: &[crate::model::resource::Message] =
            if crate::model::resource::count_turns(live) >= n || obj.segments().is_empty() {
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
            let who = crate::ui::output::sanitize(&who);
            if self.render && m.role == Role::Assistant {
                // As the answer was shown when it streamed: rendered.
                let mut md = crate::ui::markdown::Renderer::new(true);
                let body = md.push(&m.content) + &md.finish();
                println!("{who}: {}", body.trim_end_matches('\n'));
            } else {
                println!("{who}: {}", m.content);
            }
        }
        // Answered while the cluster was away: part of the conversation already.
        for e in waiting {
            println!("you: {}", e.question.content);
            println!("claude: {}", e.answer.content);
            println!("  (kept in the local journal; written back when the cluster answers again)");
        }
        Ok(())
    }

    /// `/window`: what would be sent now ([`Session::preview`], as `get` shows it).
    async fn window(&mut self) -> anyhow::Result<()> {
        let p = self.session.preview().await?;
        let (w, before) = (&p.window, p.before);
        println!(
            "window: {} of {} turns (from message {}), about {before} tokens before your next message",
            w.turns_sent,
            self.session.object().turns(),
            p.base + w.first_sent as u64,
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
        Ok(())
    }

    /// `/tokens`: last measured, estimated, and counted by the API.
    async fn tokens(&mut self) -> anyhow::Result<()> {
        let o = self.session.object().clone();
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
        let p = self.session.preview().await?;
        let (prepared, before) = (&p.window, p.before);
        // The stand-in for the next message, taken off the API's count as well.
        let probe = prepared.estimated_tokens - before;
        println!(
            "estimate now: {before} (calibration ratio {:.2})",
            self.session.ratio()
        );
        let request =
            crate::claude::MessagesRequest::from_window(&o.spec.model_name, 1, prepared, false);
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
        Ok(())
    }

    /// `/summarize`: fold all but the last two turns into the summary now.
    async fn summarize(&mut self) -> anyhow::Result<()> {
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
        Ok(())
    }

    /// `/system [TEXT|-]`: show, set or remove the system prompt.
    async fn system(&mut self, arg: &str) -> anyhow::Result<()> {
        match arg {
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
        };
        Ok(())
    }

    /// `/model [NAME]`: show the model, or switch.
    async fn model(&mut self, arg: &str) -> anyhow::Result<()> {
        match arg {
            "" => println!("{}", self.session.object().spec.model_name),
            m => {
                // A model the table lacks but the server describes is known after all.
                self.client.learn_model(m).await;
                if let Some(w) = crate::model::catalog::unknown_model_warning(m) {
                    eprintln!("{w}");
                }
                self.session.set_model(m).await?;
                println!("the model is now {m}");
                if let Some(w) = crate::engine::cache::never_cached(self.session.object()) {
                    eprintln!("{w}");
                }
            }
        };
        Ok(())
    }

    /// `/cost [TURNS]`: this session and the context as a whole, then the context's cache
    /// account and the cheapest settings keeping TURNS turns (`usage --advise`).
    async fn cost(&mut self, arg: &str) -> anyhow::Result<()> {
        use crate::model::catalog::format_price;
        let keep = match arg.trim() {
            "" => None,
            n => match n.parse::<usize>() {
                Ok(k) if (1..=crate::ui::advice::MOST_KEPT).contains(&k) => Some(k),
                _ => anyhow::bail!(
                    "/cost takes a number of turns to keep, 1 to {}: e.g. /cost 8",
                    crate::ui::advice::MOST_KEPT
                ),
            },
        };
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
                "prices {} for {model}, USD per million tokens: input {}, output {}, cache write {} (5 minutes) or {} (an hour), cache read {}",
                if crate::model::catalog::price_override(model).is_some() {
                    "from your configuration file".to_string()
                } else {
                    format!("of {}", crate::model::catalog::PRICES_AS_OF)
                },
                format_price(p.input),
                format_price(p.output),
                format_price(p.cache_write_5m),
                format_price(p.cache_write_1h),
                format_price(p.cache_read)
            ),
            None => println!("{model} has no price in the tool's table: its calls are counted, not priced"),
        }
        println!();
        let report = crate::ui::advice::report(self.session.object(), keep);
        crate::ui::advice::render(&report, &mut std::io::stdout().lock())?;
        Ok(())
    }

    /// `/set FLAG VALUE…`: the flags of `kubectl mcp set`. Settings that expire the context
    /// at once ask first, as `set` does on a terminal.
    async fn set(&mut self, arg: &str, ed: Ed) -> anyhow::Result<(Ed, Flow)> {
        let template = match set_template(arg) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e:#}");
                return Ok((ed, Flow::Go));
            }
        };
        let (ed, go) = match template.template.expires_at_once(crate::store::now()) {
            Some(how) if !template.yes => {
                let (ed, answer) = read(
                    ed,
                    format!("{how} expires this context now, and chat refuses it until --revive. Expire it now? [y/N] "),
                )
                .await?;
                (ed, answer.as_deref().is_ok_and(crate::ui::output::is_yes))
            }
            _ => (ed, true),
        };
        if !go {
            eprintln!("nothing changed");
        } else if let Err(e) = self.apply(&template.template).await {
            eprintln!("error: {e:#}");
        }
        Ok((ed, Flow::Go))
    }

    /// Apply what `/set` was given and say what changed.
    async fn apply(
        &mut self,
        template: &crate::model::resource::ContextTemplate,
    ) -> anyhow::Result<()> {
        let changed = self.session.apply_settings(template).await?;
        if changed.is_empty() {
            println!("nothing changed");
        } else {
            println!("updated: {}", changed.join(", "));
            if let Some(w) = crate::engine::cache::never_cached(self.session.object()) {
                eprintln!("{w}");
            }
        }
        Ok(())
    }

    /// `/restore`: bring back what `/clear`, `/undo` and `/retry` moved aside.
    async fn restore(&mut self) -> anyhow::Result<()> {
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
        Ok(())
    }

    /// `/undo`: take back this terminal's last turn.
    async fn undo(&mut self) -> anyhow::Result<()> {
        match self.session.undo_as("undo", &self.own).await? {
            Some(q) => println!(
                "removed the last turn (\"{}\"; /restore brings it back)",
                crate::ui::output::ellipsize(&q, 60)
            ),
            None => println!("nothing to undo"),
        };
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
    fn set_takes_the_flags_of_the_set_command() {
        let words = shlex::split("--max-tokens 5000 --system 'be brief' -L team=sre").unwrap();
        let line = <SetLine as clap::Parser>::try_parse_from(words).unwrap();
        let t = crate::model::resource::ContextTemplate::from(&line.settings);
        assert_eq!(t.max_tokens, Some(5000));
        assert_eq!(t.system.as_deref(), Some("be brief"));
        assert_eq!(t.labels, [("team".to_string(), "sre".to_string())]);
        assert!(<SetLine as clap::Parser>::try_parse_from(["--max-tokens", "lots"]).is_err());
    }
}
