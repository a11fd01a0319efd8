//! `search TEXT`: the contexts whose conversation or summary mentions TEXT. Every message is
//! read through the one history reader (sealed segments included, from the local segment cache
//! when they were read before), so a turn folded or sealed long ago is found like a new one.
//! The apiserver can filter only by label here (`-l`); CRD field selectors on content do not
//! exist, so the text is matched on the client.

use std::io::Write;

use crate::cli::{SearchArgs, SearchFormat};
use crate::cluster::Cluster;
use crate::store::search::find;
use crate::ui::output::{self, KubeTable};

pub(super) async fn run(cluster: &Cluster, args: &SearchArgs) -> anyhow::Result<()> {
    let ns = cluster.namespace().to_string();
    let scope = (!args.all_namespaces).then_some(ns.as_str());
    // A context whose history cannot be read is named on stderr and the search goes on; the
    // command fails at the end, so a script knows the answer may be incomplete.
    let (found, errors) = find(cluster, &args.text, scope, args.selector.as_deref(), &|w| {
        output::note(w)
    })
    .await?;
    for e in &errors {
        output::note(format!("error: {e}"));
    }
    let unreadable = errors.len();
    let mut out = std::io::stdout().lock();
    match args.output {
        SearchFormat::Json => output::print_json(&mut out, &found)?,
        SearchFormat::Name => {
            for f in &found {
                writeln!(out, "{}/{}", output::KIND_DOT_GROUP, f.name)?;
            }
        }
        SearchFormat::Table => {
            if found.is_empty() {
                output::note(match scope {
                    Some(ns) => format!("No contexts in namespace {ns} mention {:?}.", args.text),
                    None => format!("No contexts mention {:?}.", args.text),
                });
            } else {
                let mut header = vec!["NAME", "SESSION", "MATCHES", "FIRST MATCH", "TEXT"];
                if args.all_namespaces {
                    header.insert(0, "NAMESPACE");
                }
                let mut table = KubeTable::new(&header, true);
                for f in &found {
                    let mut row = vec![
                        f.name.clone(),
                        output::ellipsize(&f.session, 40),
                        f.matches.len().to_string(),
                        f.matches[0].at.clone(),
                        f.matches[0].snippet.clone(),
                    ];
                    if args.all_namespaces {
                        row.insert(0, f.namespace.clone());
                    }
                    table.row(row);
                }
                table.print(&mut out)?;
            }
        }
    }
    out.flush()?;
    if unreadable > 0 {
        anyhow::bail!("{unreadable} contexts could not be read; their matches are missing");
    }
    Ok(())
}
