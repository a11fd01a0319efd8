//! `summarize SESSION…` (or `--all`, `-l`): fold all but the last `--keep-last` turns into
//! `status.summary` now, through Claude, then compact the history (summary first, so a crash in
//! between loses nothing). Prints turns and estimated tokens before → after.

use std::io::Write;

use crate::claude::ClaudeClient;
use crate::cli::{GlobalArgs, SummarizeArgs};
use crate::cluster::Cluster;
use crate::credentials;
use crate::store::Session;
use crate::ui::output::{self, KubeTable};

pub(super) async fn run(
    cluster: &Cluster,
    global: &GlobalArgs,
    args: &SummarizeArgs,
) -> anyhow::Result<()> {
    let ns = cluster.namespace().to_string();
    let mut sessions = Vec::new();
    let mut failures = 0usize;
    let t = &args.targets;
    if let Some(objs) = super::bulk_targets(cluster, t, "summarizes").await? {
        if objs.is_empty() {
            return Ok(());
        }
        sessions.extend(objs.into_iter().map(|o| Session::from_object(cluster, o)));
    } else {
        for id in &t.sessions {
            match Session::load(cluster, &ns, id).await {
                Ok(s) => sessions.push(s),
                // One name: its error alone, as `get` says it.
                Err(e) if t.sessions.len() == 1 => return Err(e.into()),
                Err(e) => {
                    output::note(format!("error: {e}"));
                    failures += 1;
                }
            }
        }
        if sessions.is_empty() {
            anyhow::bail!("none of the {failures} contexts was found");
        }
    }
    let client = if args.dry_run {
        None
    } else {
        let creds = credentials::resolve(global.api_key_secret.as_ref(), Some(cluster)).await?;
        Some(ClaudeClient::new(crate::store::journal::claude_config(
            creds,
        ))?)
    };
    let mut table = KubeTable::new(&["NAME", "TURNS", "TOKENS", "RESULT"], true);
    for mut s in sessions {
        let name = s.object().metadata.name.clone().unwrap_or_default();
        // Across namespaces, the name says which.
        let name = if t.all_namespaces {
            format!("{}/{name}", s.object().namespace_or_default())
        } else {
            name
        };
        let (turns_before, tokens_before) = (s.object().turns(), s.stored_tokens());
        let fold = s.messages_before_last_turns(args.keep_last as usize);
        // Said in turns, as the TURNS column and --keep-last count.
        let fold_turns = crate::model::resource::count_turns(&s.object().live_history()[..fold]);
        if fold == 0 {
            table.row([
                name,
                turns_before.to_string(),
                format!("~{tokens_before}"),
                format!("nothing to fold (≤ {} turns)", args.keep_last as usize),
            ]);
            continue;
        }
        let Some(client) = &client else {
            table.row([
                name,
                turns_before.to_string(),
                format!("~{tokens_before}"),
                format!(
                    "would fold {fold_turns} turns, keeping the last {}",
                    args.keep_last as usize
                ),
            ]);
            continue;
        };
        match s.fold_keeping(client, args.keep_last as usize).await {
            Ok(done) => table.row([
                name,
                s.object().turns().to_string(),
                format!("~{tokens_before} → ~{}", s.stored_tokens()),
                if done.messages == 0 {
                    "nothing left to fold (another process folded it first)".to_string()
                } else {
                    format!("folded {fold_turns} turns into the summary (originals sealed, not deleted)")
                },
            ]),
            Err(e) => {
                failures += 1;
                table.row([
                    name,
                    turns_before.to_string(),
                    format!("~{tokens_before}"),
                    format!(
                        "failed: {}",
                        format!("{e:#}").lines().next().unwrap_or_default()
                    ),
                ]);
            }
        }
    }
    let mut out = std::io::stdout().lock();
    table.print(&mut out)?;
    out.flush()?;
    if failures > 0 {
        anyhow::bail!("{failures} context(s) could not be summarized");
    }
    Ok(())
}
