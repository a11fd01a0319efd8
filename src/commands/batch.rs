//! `batch -f FILE|-`: many scripted turns across sessions from JSON Lines. Sessions run with
//! bounded concurrency; each session's turns run in input order. Results are JSON Lines on
//! stdout (with the input line number) as they finish; failed lines are reported and the rest go
//! on; the exit is non-zero if any line failed. All workers share one Claude client, so a 429
//! seen by one holds them all.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::claude::{ClaudeClient, Usage};
use crate::cli::{BatchArgs, GlobalArgs};
use crate::cluster::Cluster;
use crate::credentials;
use crate::error::UsageError;
use crate::model::resource::ContextTemplate;
use crate::model::resource::SummarizationStrategy;
use crate::store::journal::Journal;
use crate::store::{check_message, read_text_capped, Session, BULK_INPUT_CAP};
use crate::turn;

/// One input line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Line {
    session: String,
    message: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    system: Option<String>,
    #[serde(default)]
    max_tokens: Option<u32>,
    #[serde(default)]
    max_output_tokens: Option<u32>,
    #[serde(default)]
    history_size: Option<u32>,
    #[serde(default)]
    strategy: Option<SummarizationStrategy>,
    #[serde(default)]
    namespace: Option<String>,
}

/// One output line.
#[derive(Debug, Serialize)]
struct Outcome {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
    /// Warnings about the turn (a summary that failed, an answer that was cut…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Outcome {
    fn failed(line: usize, l: Option<&Line>, ns: Option<&str>, error: String) -> Self {
        Self {
            line,
            session: l.map(|l| l.session.clone()),
            namespace: ns.map(str::to_string),
            reply: None,
            stop_reason: None,
            usage: None,
            warnings: Vec::new(),
            error: Some(error),
        }
    }
}

/// One session's lines, in input order.
struct Group {
    namespace: String,
    session: String,
    lines: Vec<(usize, Line)>,
}

/// The parsed input.
struct Parsed {
    /// Good lines grouped by (namespace, session), in order of first appearance.
    groups: Vec<Group>,
    /// An outcome for each bad line.
    bad: Vec<Outcome>,
    /// Non-blank lines.
    total: usize,
}

/// Why `raw` (line `n`) is not a batch line: not JSON at all, or JSON of another shape.
fn line_error(n: usize, raw: &str, e: &serde_json::Error) -> String {
    if serde_json::from_str::<serde_json::Value>(raw).is_err() {
        format!(
            "line {n} is not JSON: each line is one object, e.g. {{\"session\": \"s1\", \"message\": \"hello\"}} ({e})"
        )
    } else {
        format!("line {n} is not a valid batch line: {e}")
    }
}

fn parse(text: &str, default_ns: &str, defaults: &ContextTemplate) -> Parsed {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut bad = Vec::new();
    let mut total = 0;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        total += 1;
        let parsed = serde_json::from_str::<Line>(raw)
            .map_err(|e| line_error(n, raw, &e))
            .and_then(|l| {
                match check_message(
                    &l.message,
                    l.max_output_tokens.or(defaults.max_output_tokens),
                ) {
                    Ok(_) => Ok(l),
                    Err(e) => Err(format!("line {n}: {e}")),
                }
            });
        match parsed {
            Ok(l) => {
                let namespace = l
                    .namespace
                    .clone()
                    .unwrap_or_else(|| default_ns.to_string());
                let at = *index
                    .entry((namespace.clone(), l.session.clone()))
                    .or_insert_with(|| {
                        groups.push(Group {
                            namespace,
                            session: l.session.clone(),
                            lines: Vec::new(),
                        });
                        groups.len() - 1
                    });
                groups[at].lines.push((n, l));
            }
            Err(e) => bad.push(Outcome::failed(n, None, None, e)),
        }
    }
    Parsed { groups, bad, total }
}

pub(super) async fn run(
    cluster: &Cluster,
    global: &GlobalArgs,
    args: &BatchArgs,
) -> anyhow::Result<()> {
    if args.redact {
        crate::redact::force();
    }
    let mut defaults = ContextTemplate::from(&args.settings);
    if let Some(key) = defaults.unlabel.first() {
        return Err(UsageError(format!(
            "`-L {key}-` removes a label, and batch only sets the labels of the contexts it creates: give labels as key=value"
        ))
        .into());
    }
    if let Some(how) = defaults.expires_at_once(crate::store::now()) {
        return Err(UsageError(format!(
            "{how} would create every context already expired: give a time to come (e.g. --expires-in 24h)"
        ))
        .into());
    }
    // Read once: `--system-file -` is stdin, which the lines may also be.
    if let (None, Some(path)) = (&defaults.system, defaults.system_file.take()) {
        defaults.system = Some(read_text_capped(&path, BULK_INPUT_CAP)?);
    }
    let text = read_text_capped(&args.file, BULK_INPUT_CAP)?;
    let Parsed { groups, bad, total } = parse(&text, cluster.namespace(), &defaults);
    let creds = credentials::resolve(global.api_key_secret.as_ref(), Some(cluster)).await?;
    let client = ClaudeClient::new(crate::store::journal::claude_config(creds))?;
    let journal = Journal::open_default()?;
    let out = Mutex::new(std::io::stdout());
    let failures = AtomicUsize::new(0);
    // One live bar on a terminal's stderr. Result lines are printed with the bar lifted
    // (`suspend`), so when stdout is the same terminal they scroll above it and no state of
    // the bar is left in the scrollback.
    let on_terminal = std::io::stderr().is_terminal();
    let bar = if on_terminal {
        ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} lines · {msg} · {elapsed} elapsed · ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("0 failed");
    let started = std::time::Instant::now();
    // Set once stdout is gone (`batch … | head`): no new turn starts; those in flight finish
    // and are stored, and the run ends quietly, as ripgrep does.
    let gone = std::sync::atomic::AtomicBool::new(false);
    let emit = |o: Outcome| {
        if o.error.is_some() {
            let failed = failures.fetch_add(1, Ordering::Relaxed) + 1;
            bar.set_message(format!("{failed} failed"));
        }
        if let Ok(line) = serde_json::to_string(&o) {
            let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
            if bar
                .suspend(|| writeln!(out, "{line}").and_then(|_| out.flush()))
                .is_err()
            {
                gone.store(true, Ordering::Relaxed);
            }
        }
        bar.inc(1);
    };
    let stopped = || gone.load(Ordering::Relaxed);
    bad.into_iter().for_each(emit);
    futures::stream::iter(groups)
        .map(|g| {
            let shared = Shared {
                cluster,
                client: &client,
                journal: &journal,
                emit: &emit,
                stopped: &stopped,
                defaults: &defaults,
            };
            async move { run_session(&shared, &g.namespace, &g.session, g.lines).await }
        })
        .buffer_unordered(usize::from(args.concurrency))
        .collect::<Vec<()>>()
        .await;
    bar.finish_and_clear();
    if stopped() {
        // The reader went away: what ran was stored; nobody is left to tell.
        return Ok(());
    }
    let failed = failures.load(Ordering::Relaxed);
    if on_terminal {
        let secs = started.elapsed().as_secs_f64();
        crate::ui::output::note(format!(
            "batch: {total} lines, {} done, {failed} failed in {secs:.1} s ({:.1} lines/s)",
            total - failed,
            total as f64 / secs.max(0.001)
        ));
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {total} lines failed (see their `error` fields)");
    }
    Ok(())
}

/// What every session's worker shares.
struct Shared<'a> {
    cluster: &'a Cluster,
    client: &'a ClaudeClient,
    journal: &'a Journal,
    /// Print one outcome line.
    emit: &'a (dyn Fn(Outcome) + Sync),
    /// The reader of stdout is gone: start no new turn.
    stopped: &'a (dyn Fn() -> bool + Sync),
    /// The settings flags: what a new context gets where its first line says nothing.
    defaults: &'a ContextTemplate,
}

/// One session's lines, in order.
async fn run_session(shared: &Shared<'_>, ns: &str, session_id: &str, lines: Vec<(usize, Line)>) {
    let Shared {
        cluster,
        client,
        journal,
        emit,
        stopped,
        defaults,
    } = *shared;
    if stopped() {
        return;
    }
    let first = &lines[0].1;
    // For a context this creates: the first line's settings, else the flags'.
    let settings = ContextTemplate {
        model: first.model.clone().or_else(|| defaults.model.clone()),
        system: first.system.clone().or_else(|| defaults.system.clone()),
        max_tokens: first.max_tokens.or(defaults.max_tokens),
        max_output_tokens: first.max_output_tokens.or(defaults.max_output_tokens),
        history_size: first.history_size.or(defaults.history_size),
        strategy: first.strategy.or(defaults.strategy),
        system_file: None,
        ..defaults.clone()
    };
    // The first line is checked against the context before it is created; the others when
    // their turn comes (a bad one fails alone).
    let first_message = [first.message.clone()];
    let opened = match Session::open_for(cluster, ns, session_id, &settings, &first_message, None)
        .await
    {
        Ok((s, _)) => {
            let o = s.object();
            let expired = o.is_expired(jiff::Timestamp::now());
            if expired {
                Err(format!("context \"{session_id}\" is expired: revive it with `kubectl mcp chat --revive`"))
            } else {
                Ok(s)
            }
        }
        Err(e) => Err(format!("{e:#}")),
    };
    let mut session = match opened {
        Ok(mut s) => {
            s.sign_as("batch").await;
            s
        }
        Err(e) => {
            for (n, l) in &lines {
                emit(Outcome::failed(*n, Some(l), Some(ns), e.clone()));
            }
            return;
        }
    };
    if let Err(e) = session.replay_journal(journal).await {
        tracing::warn!(session = session_id, error = %e, "could not replay the local journal");
    }
    for (n, l) in lines {
        if stopped() {
            return;
        }
        emit(turn(&mut session, client, journal, ns, n, &l).await);
    }
}

async fn turn(
    session: &mut Session,
    client: &ClaudeClient,
    journal: &Journal,
    ns: &str,
    n: usize,
    l: &Line,
) -> Outcome {
    let fail = |e: String| Outcome::failed(n, Some(l), Some(ns), e);
    let warnings = |notes: &[crate::store::Note]| notes.iter().map(|n| n.to_string()).collect();
    let outcome = turn::ask(
        session,
        client,
        journal,
        &l.message,
        &mut |_| {},
        false,
        std::future::pending(),
    )
    .await;
    match outcome {
        Ok(done) => {
            let warnings = warnings(&done.notes);
            match done.journalled {
                // The answer was paid for: it stays in the output, with why it is not stored yet.
                Some((path, e)) => Outcome {
                    reply: Some(done.reply.text),
                    stop_reason: done.reply.stop_reason,
                    usage: Some(done.reply.usage),
                    warnings,
                    ..fail(format!(
                        "{e}; the turn was kept in the local journal {} and is written back by the next `chat` or `batch` for this session",
                        path.display()
                    ))
                },
                None => Outcome {
                    line: n,
                    session: Some(l.session.clone()),
                    namespace: Some(ns.to_string()),
                    reply: Some(done.reply.text),
                    stop_reason: done.reply.stop_reason,
                    usage: Some(done.reply.usage),
                    warnings,
                    error: None,
                },
            }
        }
        Err(turn::TurnError::NotStored {
            reply,
            error,
            notes,
        }) => Outcome {
            reply: Some(reply.text),
            stop_reason: reply.stop_reason,
            usage: Some(reply.usage),
            warnings: warnings(&notes),
            ..fail(format!("{error:#}"))
        },
        Err(e) => Outcome {
            warnings: warnings(e.notes()),
            ..fail(e.to_string())
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_group_by_session_in_order_and_bad_lines_are_reported() {
        let text = r#"{"session": "a", "message": "1", "model": "m"}
{"session": "b", "message": "2"}

not json
{"session": "a", "message": "3", "namespace": "other"}
{"session": "a", "message": "4"}
{"session": "a", "mesage": "typo"}
"#;
        let Parsed { groups, bad, total } = parse(text, "default", &ContextTemplate::default());
        assert_eq!(total, 6);
        let keys: Vec<_> = groups
            .iter()
            .map(|g| (g.namespace.clone(), g.session.clone()))
            .collect();
        assert_eq!(
            keys,
            [
                ("default".to_string(), "a".to_string()),
                ("default".into(), "b".into()),
                ("other".into(), "a".into())
            ]
        );
        let a: Vec<_> = groups[0]
            .lines
            .iter()
            .map(|(n, l)| (*n, l.message.as_str()))
            .collect();
        assert_eq!(a, [(1, "1"), (6, "4")]);
        let bad_lines: Vec<_> = bad.iter().map(|o| o.line).collect();
        assert_eq!(bad_lines, [4, 7]);
        assert!(bad[1].error.as_deref().unwrap().contains("mesage"));
        // Not JSON is said as such, with what a line looks like.
        let not_json = bad[0].error.as_deref().unwrap();
        assert!(
            not_json.starts_with("line 4 is not JSON: each line is one object, e.g. {\"session\""),
            "{not_json}"
        );
        assert!(bad[1]
            .error
            .as_deref()
            .unwrap()
            .starts_with("line 7 is not a valid batch line"));
    }
}
