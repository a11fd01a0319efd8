//! The turn pipeline: prepare → stream → hold → store (or journal) → status, one code path for
//! the REPL, scripted `chat` and `batch` (and the MCP server next), so that the rules of a turn
//! (what is shown when, what is recorded on failure, which warnings reach the user) cannot
//! drift between front ends.
//!
//! What the user sees is driven by [`Shown`] events: the answer streams as [`Shown::Text`]
//! pieces, all but the last; the last piece comes only once the turn is recorded on disk
//! ([`Shown::Kept`] follows it), and [`Shown::Stored`] once it is in the cluster or the
//! journal. So an answer a reader saw whole is a turn that is kept.

use std::future::Future;
use std::path::PathBuf;

use crate::claude::{ClaudeClient, ClaudeError, Reply};
use crate::cluster::ClusterError;
use crate::engine::window::Window;
use crate::model::resource::Message;
use crate::store::journal::Journal;
use crate::store::{Note, Session};

/// What happens on screen (or wherever the front end puts it) during a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown<'a> {
    /// A piece of the answer.
    Text(&'a str),
    /// The answer is complete on screen and the turn is recorded on disk.
    Kept,
    /// The turn is stored (or kept in the journal).
    Stored,
    /// The answer stopped before it was complete (an error, or cancelled): what came is shown.
    Stopped,
    /// The stream was cut after some of the answer was shown: it is asked again, once, from
    /// the start (the front end says so; the shown part is not stored, and the call is billed
    /// again).
    Restarted,
}

/// A turn that was answered and kept.
#[derive(Debug)]
pub struct Answered {
    /// The answer.
    pub reply: Reply,
    /// The window that was sent.
    pub window: Window,
    /// Warnings, in the order they arose.
    pub notes: Vec<Note>,
    /// Set when the cluster could not take the turn in time: where it was journalled, and why.
    pub journalled: Option<(PathBuf, ClusterError)>,
    /// The question and answer as stored (or journalled), with their ids.
    pub turn: [Message; 2],
}

/// Why a turn did not end with a stored answer.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// Nothing was sent (bad input, RBAC refused before the call, the cluster unreachable).
    #[error("{0:#}")]
    NotSent(anyhow::Error),
    /// The call failed after retries; the error is recorded in status, nothing was stored.
    #[error("{error:#}")]
    CallFailed {
        /// The failure.
        error: anyhow::Error,
        /// Warnings from before the call.
        notes: Vec<Note>,
    },
    /// Cancelled before the answer was complete: nothing was stored.
    #[error("cancelled: nothing was stored for this question")]
    Cancelled,
    /// The answer came (and was shown) but could not be kept as a turn; the error says where
    /// it was saved.
    #[error("{error:#}")]
    NotStored {
        /// The answer that was paid for.
        reply: Box<Reply>,
        /// Why it is not stored.
        error: anyhow::Error,
        /// Warnings.
        notes: Vec<Note>,
    },
}

impl TurnError {
    /// The warnings gathered before the turn failed.
    pub fn notes(&self) -> &[Note] {
        match self {
            TurnError::CallFailed { notes, .. } | TurnError::NotStored { notes, .. } => notes,
            _ => &[],
        }
    }
}

/// Ask `message` in `session`: the one turn pipeline. `show` receives the answer and the
/// turn's progress; `cancel` resolving while the answer streams drops the call (nothing is
/// stored), and is not listened to once the answer is complete (a kept turn is always stored
/// or journalled).
pub async fn ask(
    session: &mut Session,
    client: &ClaudeClient,
    journal: &Journal,
    message: &str,
    show: &mut (dyn FnMut(Shown<'_>) + Send),
    shows_text: bool,
    cancel: impl Future<Output = ()>,
) -> Result<Answered, TurnError> {
    let wrote_back = write_back_first(session, journal).await;
    // The server's figures for the model's window and answer cap, before the table's.
    client.learn_model(&session.object().spec.model_name).await;
    let (message, masked_note) = cleaned(session, client, message)?;
    let prepared = session
        .prepare(client, &message)
        .await
        .map_err(TurnError::NotSent)?;
    let mut notes = prepared.notes;
    notes.extend(masked_note);
    if wrote_back > 0 {
        notes.insert(0, Note::WroteBack(wrote_back));
    }
    let mut last_piece = String::new();
    let answer = stream_answer(
        client,
        &prepared.request,
        show,
        shows_text,
        cancel,
        &mut last_piece,
    )
    .await;
    let reply = match answer {
        None => {
            show(Shown::Text(&last_piece));
            show(Shown::Stopped);
            return Err(TurnError::Cancelled);
        }
        Some(Err(e)) => {
            show(Shown::Text(&last_piece));
            show(Shown::Stopped);
            return Err(call_failed(session, e, notes).await);
        }
        Some(Ok(reply)) => reply,
    };
    // An answer cap spent before any text (a thinking model): nothing worth keeping, and an
    // empty turn would only be sent back as a placeholder. Paid for, so counted.
    if reply.text.trim().is_empty() && reply.stop_reason.as_deref() == Some("max_tokens") {
        show(Shown::Stopped);
        return Err(cap_spent(session, &reply, notes).await);
    }
    keep(
        session,
        journal,
        &message,
        reply,
        prepared.window,
        notes,
        show,
        &last_piece,
    )
    .await
}

/// Turns journalled while the cluster was away go back first, so this question's window holds
/// them and they keep their place. Still away: the new turn is journalled behind them (so a
/// failure here is only logged). Returns how many went back.
async fn write_back_first(session: &mut Session, journal: &Journal) -> usize {
    match session.write_back(journal).await {
        Ok(n) => n,
        Err(e) => {
            tracing::debug!("journalled turns not written back yet: {e}");
            0
        }
    }
}

/// The question as it may be sent and stored: the tool's own key (and URL credentials) pasted
/// into it taken out, and, when the context (or the run) asks, personal data and secrets
/// replaced by placeholders keyed by the context, before anything is sent or stored.
fn cleaned(
    session: &Session,
    client: &ClaudeClient,
    message: &str,
) -> Result<(String, Option<Note>), TurnError> {
    let message = client.redact(message);
    let Some(policy) = crate::redact::policy(session.object().spec.redaction.as_ref()) else {
        return Ok((message, None));
    };
    let key = session.object().metadata.uid.clone().unwrap_or_default();
    let (masked, what) = crate::redact::mask(&message, &policy, &key)
        .map_err(|e| TurnError::NotSent(crate::error::UsageError(e).into()))?;
    let note = (!what.is_empty()).then(|| Note::Masked(what.to_string()));
    Ok((masked, note))
}

/// Stream the answer, holding back its last piece in `last_piece` (it is shown only once the
/// turn is kept). `None` when `cancel` resolved first. A stream cut in transit after some of
/// it was shown is said and asked again, once.
async fn stream_answer(
    client: &ClaudeClient,
    request: &crate::claude::MessagesRequest,
    show: &mut (dyn FnMut(Shown<'_>) + Send),
    shows_text: bool,
    cancel: impl Future<Output = ()>,
    last_piece: &mut String,
) -> Option<Result<Reply, ClaudeError>> {
    tokio::pin!(cancel);
    let mut restarted = false;
    loop {
        let answer = {
            let mut on_text = |t: &str| {
                if !last_piece.is_empty() {
                    show(Shown::Text(last_piece));
                }
                *last_piece = t.to_string();
            };
            tokio::select! {
                r = client.stream_with(request, &mut on_text, shows_text) => Some(r),
                _ = &mut cancel => None,
            }
        };
        if let Some(Err(ClaudeError::StreamCut { .. })) = &answer {
            if shows_text && !restarted {
                restarted = true;
                show(Shown::Text(last_piece));
                last_piece.clear();
                show(Shown::Restarted);
                continue;
            }
        }
        return answer;
    }
}

/// The call failed after its retries: the error goes to status (best effort, a note when it
/// could not) and nothing is stored.
async fn call_failed(session: &mut Session, e: ClaudeError, mut notes: Vec<Note>) -> TurnError {
    if let Err(se) = session.record_error(&e.to_string()).await {
        notes.push(Note::StatusNotUpdated(se.to_string()));
    }
    TurnError::CallFailed {
        error: anyhow::Error::new(e).context(format!(
            "turn failed for session \"{}\"; nothing was stored for it",
            session.session_id()
        )),
        notes,
    }
}

/// The whole answer cap went before any text: the call is counted (it was paid for), nothing
/// is stored, and the error says how to raise the cap.
async fn cap_spent(session: &mut Session, reply: &Reply, notes: Vec<Note>) -> TurnError {
    session.record_call_usage(reply, false).await;
    let cap = session
        .object()
        .spec
        .max_output_tokens
        .unwrap_or(crate::model::resource::DEFAULT_MAX_OUTPUT_TOKENS);
    TurnError::CallFailed {
        error: anyhow::anyhow!(
            "Claude spent the whole answer cap ({cap} tokens) before writing any text (thinking, most likely); nothing was stored for this question: raise the cap with `kubectl mcp set {} --max-output-tokens N` and ask again",
            session.session_id()
        ),
        notes,
    }
}

/// Keep a complete answer: recorded on local disk first (only then is its last piece shown),
/// then stored in the cluster or the journal.
#[allow(clippy::too_many_arguments)]
async fn keep(
    session: &mut Session,
    journal: &Journal,
    message: &str,
    reply: Reply,
    window: Window,
    mut notes: Vec<Note>,
    show: &mut (dyn FnMut(Shown<'_>) + Send),
    last_piece: &str,
) -> Result<Answered, TurnError> {
    let held = match session.hold(journal, message, &reply) {
        Ok(held) => held,
        Err(e) => {
            show(Shown::Text(last_piece));
            show(Shown::Stopped);
            return Err(TurnError::NotStored {
                reply: Box::new(reply),
                error: e.context("the answer could not be recorded on local disk"),
                notes,
            });
        }
    };
    show(Shown::Text(last_piece));
    show(Shown::Kept);
    let done = session.store_held(journal, held, &reply, &window).await;
    show(Shown::Stored);
    match done {
        Ok(done) => {
            notes.extend(done.notes);
            Ok(Answered {
                reply,
                window,
                notes,
                journalled: done.journalled,
                turn: done.turn,
            })
        }
        Err(error) => Err(TurnError::NotStored {
            reply: Box::new(reply),
            error,
            notes,
        }),
    }
}
