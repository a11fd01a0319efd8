//! `expire`: contexts past `spec.expirationTime`, past their `spec.idleTTL`, or idle longer than
//! `--idle` are marked `Expired` (or deleted with `--delete`), with bounded concurrency, a
//! progress bar on a terminal, and a summary table. A second run changes nothing.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ExpireArgs;
use crate::cluster::Cluster;
use crate::store::expire::{expire, ExpirePlan, Progress};
use crate::ui::output::{self, KubeTable};

/// What `kubectl mcp expire` typed, as a plan.
pub(crate) fn plan_of(args: &ExpireArgs) -> ExpirePlan {
    ExpirePlan {
        selector: args.selector.clone(),
        idle: args.idle,
        delete: args.delete,
        dry_run: args.dry_run,
        concurrency: args.concurrency,
    }
}

pub(super) async fn run(cluster: &Cluster, args: &ExpireArgs) -> anyhow::Result<()> {
    let ns = (!args.all_namespaces).then(|| cluster.namespace());
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let outcomes = expire(cluster, ns, &plan_of(args), &|p| match p {
        Progress::Start { total, verb } => {
            bar.set_length(total);
            bar.set_message(format!("{verb} …"));
        }
        Progress::Done => bar.inc(1),
        Progress::Finished => bar.finish_and_clear(),
    })
    .await?;
    if outcomes.is_empty() {
        output::note(match ns {
            Some(ns) => format!("nothing to expire in namespace {ns}"),
            None => "nothing to expire".to_string(),
        });
        return Ok(());
    }
    let mut table = KubeTable::new(&["NAMESPACE", "NAME", "ACTION", "REASON"], true);
    for o in &outcomes {
        table.row([&o.namespace, &o.name, &o.action, &o.reason]);
    }
    let mut out = std::io::stdout().lock();
    table.print(&mut out)?;
    out.flush()?;
    let failed = outcomes.iter().filter(|o| o.failed).count();
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} contexts could not be handled (see the table)",
            outcomes.len()
        );
    }
    Ok(())
}
