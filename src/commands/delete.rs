//! `delete SESSION…` (or `--all`, `-l`): remove contexts, reporting each like kubectl.

use std::io::Write;

use kube::api::{DeleteParams, ListParams};

use crate::cli::DeleteArgs;
use crate::cluster::{Cluster, ClusterError, Op};
use crate::output;

pub(super) async fn run(cluster: &Cluster, args: &DeleteArgs) -> anyhow::Result<()> {
    let ns = cluster.namespace();
    let api = cluster.contexts(Some(ns));
    // Resolve every target first: names for --all/-l, session IDs (or names) otherwise.
    let mut targets: Vec<(String, String)> = Vec::new(); // (what the user called it, name)
    let mut failures = 0usize;
    if args.all || args.selector.is_some() {
        let mut params = ListParams::default();
        if let Some(sel) = &args.selector {
            params = params.labels(sel);
        }
        for o in cluster.list_all(Some(ns), params, 500).await? {
            let name = o.metadata.name.clone().unwrap_or_default();
            targets.push((name.clone(), name));
        }
        if targets.is_empty() {
            output::note(format!("No resources found in {ns} namespace."));
            return Ok(());
        }
    } else {
        for session in &args.sessions {
            match cluster.find(ns, session).await {
                Ok(o) => targets.push((session.clone(), o.metadata.name.unwrap_or_default())),
                Err(ClusterError::NotFound { .. }) if args.ignore_not_found => {}
                Err(e) => {
                    output::note(format!("error: {e}"));
                    failures += 1;
                }
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for (session, name) in targets {
        let op = Op::contexts("delete", Some(ns), Some(&session));
        match api.delete(&name, &DeleteParams::default()).await {
            Ok(_) => writeln!(out, "{} \"{name}\" deleted", output::KIND_DOT_GROUP)?,
            Err(e) => match cluster.error(e, &op) {
                ClusterError::NotFound { .. } if args.ignore_not_found => {}
                e => {
                    output::note(format!("error: {e}"));
                    failures += 1;
                }
            },
        }
    }
    if failures > 0 {
        anyhow::bail!("{failures} context(s) could not be deleted (see above)");
    }
    Ok(())
}
