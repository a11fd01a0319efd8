//! `restore SESSION`: bring back the turns `/clear`, `/undo` and `/retry` moved aside (they are
//! kept sealed in history segments listed in `status.removed`), or list them with `--list`.

use std::io::Write;

use crate::cli::RestoreArgs;
use crate::cluster::Cluster;
use crate::store::Session;
use crate::ui::output;

pub(super) async fn run(cluster: &Cluster, args: &RestoreArgs) -> anyhow::Result<()> {
    let mut session = Session::load(cluster, cluster.namespace(), &args.session).await?;
    let name = output::object_name(session.object());
    let mut out = std::io::stdout().lock();
    if args.list {
        let removed = session.object().removed();
        if removed.is_empty() {
            writeln!(out, "nothing was moved aside in {name}")?;
            return Ok(());
        }
        let now = jiff::Timestamp::now();
        let mut table = output::KubeTable::new(&["HOW", "WHEN", "TURNS", "BY"], true);
        for r in removed {
            table.row([
                r.how.clone(),
                r.at.map_or("<unknown>".into(), |t| {
                    format!("{} ago", output::human_duration(now.duration_since(t)))
                }),
                r.turns.to_string(),
                r.by.as_ref().map_or("<unknown>".into(), |a| a.to_string()),
            ]);
        }
        table.print(&mut out)?;
        return Ok(());
    }
    session.sign_as("restore").await;
    let done = session.restore().await?;
    if done.left > 0 {
        output::note(format!(
            "{} removal(s) whose turns are still in the conversation (a /clear or /undo in progress elsewhere, or interrupted) were left as they are",
            done.left
        ));
    }
    if done.removals == 0 {
        writeln!(
            out,
            "nothing to restore in {name}: no turns were moved aside"
        )?;
    } else {
        writeln!(
            out,
            "{name} restored ({} turn(s) from {} removal(s); {} turns stored now)",
            done.turns,
            done.removals,
            session.object().turns()
        )?;
    }
    Ok(())
}
