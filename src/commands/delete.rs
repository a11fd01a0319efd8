//! `delete SESSION…` (or `--all`, `-l`): remove contexts, reporting each like kubectl.

use std::io::Write;

use crate::cli::DeleteArgs;
use crate::cluster::{Cluster, ClusterError};
use crate::ui::output;

pub(super) async fn run(cluster: &Cluster, args: &DeleteArgs) -> anyhow::Result<()> {
    let ns = cluster.namespace();
    let t = &args.targets;
    // Resolve every target first: names for --all/-l, session IDs (or names) otherwise.
    // (what the user called it, namespace, name, uid)
    let mut targets: Vec<(String, String, String, Option<String>)> = Vec::new();
    let mut failures = 0usize;
    if let Some(objs) = super::bulk_targets(cluster, t, "deletes").await? {
        if objs.is_empty() {
            return Ok(());
        }
        for o in objs {
            let name = o.metadata.name.clone().unwrap_or_default();
            let namespace = o
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| ns.to_string());
            targets.push((name.clone(), namespace, name, o.metadata.uid.clone()));
        }
    } else {
        for session in &t.sessions {
            match cluster.find(ns, session).await {
                Ok(o) => targets.push((
                    session.clone(),
                    ns.to_string(),
                    o.metadata.name.unwrap_or_default(),
                    o.metadata.uid,
                )),
                Err(ClusterError::NotFound { .. }) if args.ignore_not_found => {}
                // As kubectl says it: a delete needs no advice on creating.
                Err(ClusterError::NotFound {
                    session,
                    namespace,
                    elsewhere,
                    ..
                }) => {
                    let hint = match elsewhere.as_slice() {
                        [] => String::new(),
                        [one] => format!(" (it is in namespace \"{one}\": pass -n {one})"),
                        many => format!(
                            " (contexts of that name are in namespaces {})",
                            crate::cluster::namespaces_text(many)
                        ),
                    };
                    output::note(format!(
                        "error: context \"{session}\" not found in namespace \"{namespace}\"{hint}"
                    ));
                    failures += 1;
                }
                Err(e) => {
                    output::note(format!("error: {e}"));
                    failures += 1;
                }
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for (session, namespace, name, uid) in targets {
        match crate::store::lifecycle::delete_context(cluster, &namespace, &session, &name).await {
            Ok(_) => {
                if t.all_namespaces {
                    writeln!(
                        out,
                        "{} \"{name}\" deleted from {namespace} namespace",
                        output::KIND_DOT_GROUP
                    )?;
                } else {
                    writeln!(out, "{} \"{name}\" deleted", output::KIND_DOT_GROUP)?;
                }
                if let Some(uid) = &uid {
                    delete_segments(cluster, &namespace, &name, uid).await;
                }
            }
            Err(ClusterError::NotFound { .. }) if args.ignore_not_found => {}
            Err(e) => {
                output::note(format!("error: {e}"));
                failures += 1;
            }
        }
    }
    if failures > 0 {
        anyhow::bail!("{failures} context(s) could not be deleted (see above)");
    }
    Ok(())
}

/// Delete the history segments of a deleted context. Their owner references let a cluster's
/// garbage collector do it too; doing it here covers clusters without one and says so at once
/// when RBAC forbids it.
async fn delete_segments(cluster: &Cluster, ns: &str, name: &str, uid: &str) {
    if let Err(e) = crate::store::lifecycle::delete_segments(cluster, ns, uid).await {
        output::note(format!(
            "warning: the history segments of {name} were not deleted here ({}); the cluster's garbage collector deletes them with their owner",
            e.to_string().lines().next().unwrap_or_default()
        ));
    }
}
