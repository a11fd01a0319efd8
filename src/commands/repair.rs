//! `repair SESSION [--apply]`: check the sealed history segments of a context and mend what is
//! damaged (see [`crate::store::Session::repair`]). A dry run by default: it says what is
//! damaged, what would be done, and which turns would be lost.

use std::io::Write;

use crate::cli::RepairArgs;
use crate::cluster::Cluster;
use crate::store::Session;
use crate::ui::output;

pub(super) async fn run(cluster: &Cluster, args: &RepairArgs) -> anyhow::Result<()> {
    let mut session = Session::load(cluster, cluster.namespace(), &args.session).await?;
    if args.apply {
        session.sign_as("repair").await;
    }
    let report = session.repair(args.apply).await?;
    let name = output::object_name(session.object());
    let mut out = std::io::stdout().lock();
    let damaged = report
        .findings
        .iter()
        .filter(|f| !matches!(f.action, crate::store::Action::AlreadyQuarantined))
        .count();
    writeln!(
        out,
        "{name}: {} segment(s) checked, {damaged} damaged{}",
        report.checked,
        match report.findings.len() - damaged {
            0 => String::new(),
            n => format!(", {n} quarantined before"),
        }
    )?;
    if !report.findings.is_empty() {
        let mut table =
            output::KubeTable::new(&["SEGMENT", "TURNS", "MESSAGES", "PROBLEM", "ACTION"], true);
        for f in &report.findings {
            table.row([
                f.segment.name.clone(),
                format!("{}-{}", f.segment.first_turn, f.segment.last_turn),
                f.segment.messages.to_string(),
                f.problem.as_str().to_string(),
                f.action.describe(),
            ]);
        }
        table.print(&mut out)?;
        for f in &report.findings {
            if f.action.loses() {
                writeln!(
                    out,
                    "lost: turns {}-{} ({} messages) of {}: {}",
                    f.segment.first_turn,
                    f.segment.last_turn,
                    f.segment.messages,
                    f.segment.name,
                    f.detail
                )?;
            } else {
                writeln!(out, "{}: {}", f.segment.name, f.detail)?;
            }
        }
    }
    if !report.unlisted.is_empty() {
        writeln!(
            out,
            "not part of the conversation (leftovers, or replaced): {}",
            report.unlisted.join(", ")
        )?;
    }
    let writes = report
        .findings
        .iter()
        .any(|f| !matches!(f.action, crate::store::Action::AlreadyQuarantined));
    if writes && !report.applied {
        writeln!(
            out,
            "dry run: nothing was changed; `kubectl mcp repair {} --apply` does the above",
            args.session
        )?;
    } else if writes {
        writeln!(out, "{name} repaired")?;
    }
    Ok(())
}
