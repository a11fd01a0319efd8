//! `chat SESSION`: the interactive REPL on a terminal, or scripted turns (`-m`, `-f`, piped
//! stdin). Scripted: each turn is windowed, sent (streamed to stdout in text mode) and stored;
//! the first failed turn stops the run with a non-zero exit, after the turns before it were
//! stored.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::claude::{ClaudeClient, Reply};
use crate::cli::{ChatArgs, ChatFormat, GlobalArgs};
use crate::cluster::Cluster;
use crate::credentials;
use crate::engine::window::Window;
use crate::store::journal::Journal;
use crate::store::{check_message, read_text, with_attachment, Opened, Session};
use crate::turn::{self, Shown};
use crate::ui::output;
use crate::ui::repl;

/// The session to resume when none is named: the one used last in this namespace, if it still
/// exists. Says which on stderr.
async fn resume(cluster: &Cluster) -> anyhow::Result<String> {
    let ns = cluster.namespace();
    let Some(id) = crate::store::recent::last(cluster.server(), ns) else {
        return Err(crate::error::UsageError(format!(
            "no session given, and none was used yet in namespace \"{ns}\": name one, e.g. `kubectl mcp chat demo` (`kubectl mcp list` shows them)"
        ))
        .into());
    };
    match cluster.find(ns, &id).await {
        Ok(_) => {
            output::note(format!(
                "resuming session \"{id}\", the last one used in namespace \"{ns}\" (`kubectl mcp chat SESSION` picks another)"
            ));
            Ok(id)
        }
        Err(crate::cluster::ClusterError::NotFound { .. }) => Err(crate::error::UsageError(format!(
            "the session used last in namespace \"{ns}\", \"{id}\", no longer exists: name one, e.g. `kubectl mcp chat demo` (`kubectl mcp list` shows them)"
        ))
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// One turn's result, as `-o json|jsonl` prints it.
#[derive(Serialize)]
struct TurnResult<'a> {
    session: &'a str,
    reply: &'a str,
    stop_reason: Option<&'a str>,
    model: &'a str,
    usage: crate::claude::Usage,
    window: WindowSummary,
}

/// The window a turn sent: what Claude saw, and where it came from in the stored history.
#[derive(Serialize)]
struct WindowSummary {
    turns_sent: usize,
    messages_sent: usize,
    first_message_sent: usize,
    estimated_tokens: u64,
    system: Option<String>,
    messages: Vec<SentMessage>,
}

#[derive(Serialize)]
struct SentMessage {
    role: crate::model::resource::Role,
    content: String,
}

pub(super) async fn run(
    cluster: &Cluster,
    global: &GlobalArgs,
    args: ChatArgs,
) -> anyhow::Result<()> {
    if args.redact {
        crate::redact::force();
    }
    let interactive = args.messages.is_empty()
        && args.file.is_none()
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal();
    let messages = if interactive {
        Vec::new()
    } else {
        scripted_messages(&args)?
    };
    // Every message is checked before a context is created or anything is sent: bad input
    // leaves nothing behind. (The context's own answer cap is checked again once it is loaded.)
    for m in &messages {
        check_message(
            m,
            args.settings
                .max_output_tokens
                .as_ref()
                .and_then(crate::cli::OrNone::value),
        )?;
    }
    let creds = credentials::resolve(global.api_key_secret.as_ref(), Some(cluster)).await?;
    let client = ClaudeClient::new(crate::store::journal::claude_config(creds))?;
    // Flags typed for an existing context change it (never ignored silently); the messages
    // are checked against the settings they will be sent with.
    let mut template = crate::model::resource::ContextTemplate::from(&args.settings);
    // Read once: `--system-file -` is stdin, which a second read would find empty.
    if let (None, Some(path)) = (&template.system, template.system_file.take()) {
        template.system = Some(read_text(&path)?);
    }
    // The server's limits for a model named here, before they are checked against it.
    if let Some(m) = &template.model {
        client.learn_model(m).await;
    }
    let id = match &args.session {
        Some(id) => id.clone(),
        None => resume(cluster).await?,
    };
    if !super::expiry_confirmed(&template, args.settings.yes, &id)? {
        return Ok(());
    }
    let (mut session, opened) = Session::open_for(
        cluster,
        cluster.namespace(),
        &id,
        &template,
        &messages,
        (!template.is_empty()).then_some(&template),
    )
    .await?;
    if let Opened::Created { elsewhere } = &opened {
        output::note(format!("created {}", output::object_name(session.object())));
        // A model the table lacks but the server describes is known after all.
        let model = session.object().spec.model_name.clone();
        client.learn_model(&model).await;
        if let Some(w) = crate::model::catalog::unknown_model_warning(&model) {
            output::note(w);
        }
        if !elsewhere.is_empty() {
            output::note(format!(
                "note: this is a new conversation; session \"{}\" also has a context in namespace {} (pass -n to chat with that one)",
                session.session_id(),
                crate::cluster::namespaces_text(elsewhere)
            ));
        }
    }
    if opened == Opened::Found && !template.is_empty() {
        let changed = session.apply_settings(&template).await?;
        if !changed.is_empty() {
            output::note(format!(
                "updated {}: {}",
                output::object_name(session.object()),
                changed.join(", ")
            ));
        }
    }
    check_expiry(&mut session, args.revive).await?;
    crate::store::recent::remember(cluster.server(), cluster.namespace(), session.session_id());
    session
        .sign_as(if interactive { "repl" } else { "chat" })
        .await;
    let journal = Journal::open_default()?;
    let replayed = session.replay_journal(&journal).await?;
    if replayed > 0 {
        output::note(format!(
            "wrote back {replayed} turn(s) kept in the local journal by an earlier run"
        ));
    }
    if interactive {
        let render = crate::ui::markdown::wanted(true, args.raw);
        return repl::run(session, client, journal, render).await;
    }

    // Stdout, not its lock: the streaming callback runs inside a Send future.
    let mut out = std::io::stdout();
    let mut results = Vec::new();
    // On a terminal, answers to several -m are set apart by a blank line; piped, they stay one
    // per line for scripts.
    let separate = args.output == ChatFormat::Text && out.is_terminal();
    for (i, message) in messages.iter().enumerate() {
        if separate && i > 0 {
            writeln!(out)?;
        }
        // In text mode the answer streams to stdout; the pipeline hands over its last piece
        // once the turn is recorded on disk, and the line ends once it is stored (or
        // journalled): whatever a reader saw whole is a kept turn.
        let text = args.output == ChatFormat::Text;
        let mut write_err: Option<std::io::Error> = None;
        let mut md = crate::ui::markdown::Renderer::new(crate::ui::markdown::wanted(
            out.is_terminal(),
            args.raw,
        ));
        let mut show = |s: Shown<'_>| {
            if !text || write_err.is_some() {
                return;
            }
            let r = match s {
                Shown::Text(t) => out
                    .write_all(md.push(t).as_bytes())
                    .and_then(|_| out.flush()),
                Shown::Stored => out
                    .write_all(md.finish().as_bytes())
                    .and_then(|_| writeln!(out))
                    .and_then(|_| out.flush()),
                Shown::Kept | Shown::Stopped => Ok(()),
                Shown::Restarted => {
                    let rest = md.finish();
                    output::note("\n[the answer was cut off in transit; asking again from the start (a second, billed call); only the complete answer is stored]");
                    out.write_all(rest.as_bytes())
                        .and_then(|_| writeln!(out))
                        .and_then(|_| out.flush())
                }
            };
            write_err = r.err();
        };
        let outcome = turn::ask(
            &mut session,
            &client,
            &journal,
            message,
            &mut show,
            text,
            std::future::pending(),
        )
        .await;
        let answered = match outcome {
            Ok(a) => a,
            Err(e) => {
                e.notes().iter().for_each(output::note);
                return Err(match e {
                    // Usage errors keep their exit code 2.
                    turn::TurnError::NotSent(inner) => inner,
                    other => other.into(),
                });
            }
        };
        if let Some(e) = write_err {
            // The turn itself was handled as usual; a closed pipe ends the run quietly.
            return Err(e.into());
        }
        answered.notes.iter().for_each(output::note);
        if let Some((path, e)) = answered.journalled {
            anyhow::bail!(
                "{e}\nthe answer was kept in the local journal ({}) and will be written back on the next `kubectl mcp chat` for this context",
                path.display()
            );
        }
        let result = turn_result(session.session_id(), &answered.reply, &answered.window);
        match args.output {
            ChatFormat::Text => {}
            ChatFormat::Jsonl => {
                serde_json::to_writer(&mut out, &result)?;
                writeln!(out)?;
            }
            ChatFormat::Json => results.push(serde_json::to_value(&result)?),
        }
    }
    if args.output == ChatFormat::Json {
        output::print_json(&mut out, &results)?;
    }
    Ok(())
}

fn turn_result<'a>(session: &'a str, reply: &'a Reply, window: &Window) -> TurnResult<'a> {
    TurnResult {
        session,
        reply: &reply.text,
        stop_reason: reply.stop_reason.as_deref(),
        model: &reply.model,
        usage: reply.usage,
        window: WindowSummary {
            turns_sent: window.turns_sent,
            messages_sent: window.messages.len(),
            first_message_sent: window.first_sent,
            estimated_tokens: window.estimated_tokens,
            system: window.system_text(),
            messages: window
                .messages
                .iter()
                .map(|m| SentMessage {
                    role: m.role,
                    content: m.content.clone(),
                })
                .collect(),
        },
    }
}

/// The turns to send: `-m` each, or a whole file, or the whole of piped stdin. Text from a
/// file (`-f`) or a pipe together with `-m` goes with the first message, fenced, before the
/// question: `kubectl logs … | kubectl mcp chat s -m "why?"` asks about the logs, as `llm` and
/// aichat do.
fn scripted_messages(args: &ChatArgs) -> anyhow::Result<Vec<String>> {
    if !args.messages.is_empty() {
        let attached = match &args.file {
            Some(path) => Some(read_text(path)?),
            None if stdin_is_data() => Some(read_text(std::path::Path::new("-"))?),
            None => None,
        };
        let mut messages = args.messages.clone();
        if let Some(text) = attached.filter(|t| !t.trim().is_empty()) {
            messages[0] = with_attachment(&text, &messages[0]);
        }
        return Ok(messages);
    }
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("-"));
    Ok(vec![read_text(&path)?])
}

/// Refuse an expired context unless `--revive`, which makes it Active and clears the expiry.
async fn check_expiry(session: &mut Session, revive: bool) -> anyhow::Result<()> {
    let obj = session.object();
    if !obj.is_expired(jiff::Timestamp::now()) {
        return Ok(());
    }
    let id = session.session_id().to_string();
    if !revive {
        anyhow::bail!(
            "context \"{id}\" is expired{}: pass --revive to chat with it anyway",
            obj.spec
                .expiration_time
                .map(|t| format!(" (expirationTime {t})"))
                .unwrap_or_default()
        );
    }
    session.revive().await?;
    output::note(format!("revived context \"{id}\""));
    Ok(())
}

/// True when stdin is a pipe or a file (something was piped or redirected in), not a terminal
/// or `/dev/null`: only then is it read alongside `-m`.
fn stdin_is_data() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else {
            return false;
        };
        std::fs::File::from(fd)
            .metadata()
            .map(|m| m.file_type().is_fifo() || m.file_type().is_file())
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        !std::io::stdin().is_terminal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_text_is_fenced_before_the_question() {
        assert_eq!(
            with_attachment("pod x: CrashLoopBackOff\n", "why?"),
            "```\npod x: CrashLoopBackOff\n```\n\nwhy?"
        );
        // A fence that the text cannot close.
        let m = with_attachment("a ```` b", "q");
        assert!(m.starts_with("`````\n"), "{m}");
        assert!(m.ends_with("`````\n\nq"), "{m}");
    }
}
