//! Expiry: contexts past `spec.expirationTime`, past their `spec.idleTTL`, or idle longer than
//! asked are marked `Expired` (or deleted), with bounded concurrency. The scan is a server-side
//! Table; the decision is made again on each object as it is written, so a context that took a
//! turn after the scan is left alone. A second run changes nothing.

use std::time::Duration;

use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};

use crate::cluster::{Cluster, Freshness, Op, TableRow};
use crate::model::resource::{ClaudeModelContext, ContextState};
use crate::store::{Session, Written};

/// Why a context is due, or `None`.
pub fn expiry_reason(
    o: &ClaudeModelContext,
    idle: Option<Duration>,
    now: Timestamp,
) -> Option<String> {
    if let Some(t) = o.spec.expiration_time.filter(|t| *t <= now) {
        return Some(format!("expirationTime {t} has passed"));
    }
    let last = o
        .status
        .as_ref()
        .and_then(|s| s.last_activity_time)
        .or_else(|| o.metadata.creation_timestamp.as_ref().map(|t| t.0))?;
    let quiet = now.duration_since(last);
    let idle_for = |limit: Duration| SignedDuration::try_from(limit).is_ok_and(|l| quiet >= l);
    if let Some(ttl) = o.spec.idle_ttl.as_deref() {
        match humantime::parse_duration(ttl) {
            Ok(limit) if idle_for(limit) => {
                return Some(format!(
                    "idle for {} (idleTTL {ttl})",
                    crate::model::text::human_duration(quiet)
                ))
            }
            Ok(_) => {}
            Err(_) => tracing::warn!(ttl, "ignoring an idleTTL that is not a duration"),
        }
    }
    match idle {
        Some(limit) if idle_for(limit) => Some(format!(
            "idle for {} (--idle {})",
            crate::model::text::human_duration(quiet),
            humantime::format_duration(limit)
        )),
        _ => None,
    }
}

/// What happened to one context.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    /// The context's namespace.
    pub namespace: String,
    /// The context's name.
    pub name: String,
    /// `expired`, `deleted`, `would expire`, `left alone: …`, `failed`.
    pub action: String,
    /// Why it was due (or why it failed).
    pub reason: String,
    /// Whether the action failed.
    pub failed: bool,
}

/// What to expire, as `kubectl mcp expire` and the MCP server's tool ask it.
#[derive(Debug, Clone, Default)]
pub struct ExpirePlan {
    /// Only contexts with these labels (a label selector).
    pub selector: Option<String>,
    /// Also contexts idle this long.
    pub idle: Option<Duration>,
    /// Delete instead of marking `Expired`.
    pub delete: bool,
    /// Only say what would happen.
    pub dry_run: bool,
    /// Contexts handled at once.
    pub concurrency: u16,
}

/// How far an expiry run is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Acting on `total` contexts (`verb`: expire or delete).
    Start { total: u64, verb: &'a str },
    /// One more is done.
    Done,
    /// All are.
    Finished,
}

/// Expire (or delete, or with `dry_run` only plan) the due contexts of `ns` (every namespace
/// when `None`), telling `progress` how far it is: one outcome per context acted on, sorted by
/// namespace and name; empty when none is due. Shared by `expire` and the MCP server's tool.
pub async fn expire(
    cluster: &Cluster,
    ns: Option<&str>,
    args: &ExpirePlan,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> anyhow::Result<Vec<Outcome>> {
    let now = Timestamp::now();
    let items = candidates(cluster, ns, args, now).await?;
    let plan = due(items, args, now);
    if plan.is_empty() {
        return Ok(Vec::new());
    }
    let verb = if args.delete { "delete" } else { "expire" };
    let outcomes: Vec<Outcome> = if args.dry_run {
        plan.into_iter()
            .map(|(o, reason)| Outcome {
                namespace: o.namespace_or_default(),
                name: o.metadata.name.clone().unwrap_or_default(),
                action: format!("would {verb}"),
                reason,
                failed: false,
            })
            .collect()
    } else {
        progress(Progress::Start {
            total: plan.len() as u64,
            verb,
        });
        let results = futures::stream::iter(plan)
            .map(|(o, reason)| async move {
                let r = act(cluster, &o, &reason, args.idle, args.delete).await;
                progress(Progress::Done);
                r
            })
            .buffer_unordered(usize::from(args.concurrency).max(1))
            .collect::<Vec<_>>()
            .await;
        progress(Progress::Finished);
        let mut results = results;
        results.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        results
    };
    Ok(outcomes)
}

/// The contexts to act on, each with why, in namespace and name order: those due and not
/// yet marked, and with `delete` those already marked too.
fn due(
    items: Vec<ClaudeModelContext>,
    args: &ExpirePlan,
    now: Timestamp,
) -> Vec<(ClaudeModelContext, String)> {
    let mut plan: Vec<(ClaudeModelContext, String)> = items
        .into_iter()
        .filter_map(|o| {
            let already = o.state() == ContextState::Expired;
            match expiry_reason(&o, args.idle, now) {
                // Marked before: nothing more to do unless deleting.
                _ if already && args.delete => {
                    let reason = o
                        .status
                        .as_ref()
                        .and_then(|s| s.message.clone())
                        .unwrap_or_else(|| "marked Expired".into());
                    Some((o, reason))
                }
                Some(_) if already => None,
                Some(reason) => Some((o, reason)),
                None => None,
            }
        })
        .collect();
    plan.sort_by(|a, b| {
        (
            a.0.metadata.namespace.as_deref(),
            a.0.metadata.name.as_deref(),
        )
            .cmp(&(
                b.0.metadata.namespace.as_deref(),
                b.0.metadata.name.as_deref(),
            ))
    });
    plan
}

/// The contexts that may be due, read whole. The scan is a server-side Table (one row of a few
/// cells per context, consistent, in pages; no transcript crosses the wire), tested with a
/// margin that errs toward "maybe" (ages come rounded); only those rows are read whole, and
/// the exact decision is made on the objects.
async fn candidates(
    cluster: &Cluster,
    ns: Option<&str>,
    args: &ExpirePlan,
    now: Timestamp,
) -> anyhow::Result<Vec<ClaudeModelContext>> {
    let (rows, _) = cluster
        .list_table(
            ns,
            args.selector.as_deref(),
            Freshness::Consistent(500),
            false,
        )
        .await?;
    let due: Vec<TableRow> = rows
        .into_iter()
        .filter(|r| may_be_due(r, args.idle, args.delete, now))
        .collect();
    tracing::debug!(candidates = due.len(), "scanned the Table");
    let fetched = futures::stream::iter(due)
        .map(|r| async move {
            let ns = r
                .namespace
                .clone()
                .unwrap_or_else(|| cluster.namespace().to_string());
            let op = Op::contexts("get", Some(&ns), Some(&r.name));
            match cluster.contexts(Some(&ns)).get_opt(&r.name).await {
                Ok(o) => Ok(o),
                Err(e) => Err(cluster.error(e, &op)),
            }
        })
        .buffer_unordered(usize::from(args.concurrency).max(1))
        .collect::<Vec<_>>()
        .await;
    let mut out = Vec::new();
    for f in fetched {
        // Deleted since the scan: nothing to do.
        if let Some(o) = f? {
            out.push(o);
        }
    }
    Ok(out)
}

/// A cheap test on a Table row: could this context be due? Errs toward yes.
fn may_be_due(row: &TableRow, idle: Option<Duration>, delete: bool, now: Timestamp) -> bool {
    let text = |col: &str| {
        row.cell(col)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "<none>")
    };
    if text("State") == Some("Expired") {
        return delete;
    }
    if text("Expires")
        .and_then(|t| t.parse::<Timestamp>().ok())
        .is_some_and(|t| t <= now)
    {
        return true;
    }
    let ttl = text("Idle TTL").and_then(|t| humantime::parse_duration(t).ok());
    let Some(limit) = [ttl, idle].into_iter().flatten().min() else {
        return false;
    };
    match text("Last Activity")
        .or_else(|| text("Age"))
        .and_then(age_upper_bound)
    {
        Some(secs) => secs >= limit.as_secs() as i64,
        // An age this tool cannot read: read the object and decide exactly.
        None => true,
    }
}

/// The largest age a kubectl-style rounded age (`5m30s`, `47h`, `3d4h`, `2y100d`) may stand
/// for: its value plus one of its smallest unit.
fn age_upper_bound(text: &str) -> Option<i64> {
    let secs = crate::model::text::parse_age(text)?;
    Some(secs + crate::model::text::age_unit(text.chars().last()?)?)
}

async fn act(
    cluster: &Cluster,
    o: &ClaudeModelContext,
    reason: &str,
    idle: Option<Duration>,
    delete: bool,
) -> Outcome {
    let namespace = o.namespace_or_default();
    let name = o.metadata.name.clone().unwrap_or_default();
    let mut session = Session::from_object(cluster, o.clone());
    // The decision is made again on the object each write applies to: a context that took a
    // turn after the scan is not expired, or deleted, under its user.
    let written = if delete {
        session.delete_if_unchanged().await
    } else {
        let still_due =
            |fresh: &ClaudeModelContext| expiry_reason(fresh, idle, Timestamp::now()).is_some();
        session.mark_expired(reason, still_due).await
    };
    let result = match written {
        Ok(Written::Applied) => Ok(if delete { "deleted" } else { "expired" }),
        Ok(Written::AlreadyDone) => Ok("expired"),
        Ok(Written::Stale(_)) if delete => Ok("left alone: changed since the scan"),
        Ok(Written::Stale(_)) => Ok("left alone: active since the scan"),
        Err(e) => Err(e),
    };
    match result {
        Ok(action) => Outcome {
            namespace,
            name,
            action: action.into(),
            reason: reason.into(),
            failed: false,
        },
        Err(e) => Outcome {
            namespace,
            name,
            action: "failed".into(),
            reason: e.to_string().lines().next().unwrap_or_default().to_string(),
            failed: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::context;

    fn ctx(
        expires: Option<&str>,
        ttl: Option<&str>,
        last_active_ago: i64,
        now: Timestamp,
    ) -> ClaudeModelContext {
        let mut c = context("x")
            .created(now - SignedDuration::from_hours(1000))
            .active_at(now - SignedDuration::from_secs(last_active_ago));
        if let Some(t) = expires {
            c = c.expires_at(t.parse().unwrap());
        }
        if let Some(t) = ttl {
            c = c.idle_ttl(t);
        }
        c.build()
    }

    #[test]
    fn reasons_cover_expiry_time_idle_ttl_and_the_idle_flag() {
        let now: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let day = Some(Duration::from_secs(86400));
        assert!(
            expiry_reason(&ctx(Some("2026-05-01T00:00:00Z"), None, 0, now), None, now)
                .unwrap()
                .contains("expirationTime")
        );
        assert_eq!(
            expiry_reason(&ctx(Some("2026-07-01T00:00:00Z"), None, 0, now), day, now),
            None
        );
        assert!(expiry_reason(&ctx(None, Some("1h"), 7200, now), None, now)
            .unwrap()
            .contains("idleTTL 1h"));
        assert_eq!(
            expiry_reason(&ctx(None, Some("1h"), 60, now), None, now),
            None
        );
        assert!(expiry_reason(&ctx(None, None, 2 * 86400, now), day, now)
            .unwrap()
            .contains("--idle 1day"));
        assert_eq!(
            expiry_reason(&ctx(None, None, 2 * 86400, now), None, now),
            None
        );
    }
}
