//! One file per subcommand. Each turns parsed arguments into cluster calls and output; shared
//! plumbing lives in `cluster` and `output`, never here.

mod batch;
mod chat;
mod completions;
mod config;
mod crd;
pub(crate) mod create;
mod delete;
pub(crate) mod expire;
pub(crate) mod export;
mod get;
mod import;
mod list;
pub mod man;
mod rbac;
mod repair;
mod restore;
pub(crate) mod search;
mod serve;
mod set;
mod summarize;
mod usage;
mod version;

use crate::cli::{Cli, Command};
use crate::cluster::Cluster;

pub use completions::render as render_completions;

/// The contexts `--all` or `-l` [`-A`] select, in namespace and name order; `None` when names
/// were given (each command looks those up its own way). Says "No resources found" as kubectl
/// does when the list is empty.
pub(crate) async fn bulk_targets(
    cluster: &Cluster,
    targets: &crate::cli::Targets,
    verb: &str,
) -> anyhow::Result<Option<Vec<crate::model::resource::ClaudeModelContext>>> {
    if targets.all_namespaces && !targets.bulk() {
        return Err(crate::error::UsageError(format!(
            "-A {verb} across namespaces only with --all or -l SELECTOR (a name cannot be given across namespaces)"
        ))
        .into());
    }
    if !targets.bulk() {
        return Ok(None);
    }
    let mut params = kube::api::ListParams::default();
    if let Some(sel) = &targets.selector {
        params = params.labels(sel);
    }
    let ns = cluster.namespace();
    let scope = (!targets.all_namespaces).then_some(ns);
    let mut objs = cluster.list_all(scope, params, 500).await?;
    objs.sort_by(|a, b| {
        (a.metadata.namespace.as_deref(), a.metadata.name.as_deref())
            .cmp(&(b.metadata.namespace.as_deref(), b.metadata.name.as_deref()))
    });
    if objs.is_empty() {
        crate::ui::output::note(match scope {
            Some(ns) => format!("No resources found in {ns} namespace."),
            None => "No resources found".to_string(),
        });
    }
    Ok(Some(objs))
}

/// Settings that expire a context at once (`--expires-in 0`, a past `--expires-at`) go ahead
/// only when meant: with `--yes`, or a yes on the terminal. `false`: the user said no, which
/// is said here. Without a terminal and without `--yes` it is a usage error naming `--yes`.
pub(crate) fn expiry_confirmed(
    t: &crate::model::resource::ContextTemplate,
    yes: bool,
    session: &str,
) -> anyhow::Result<bool> {
    use std::io::IsTerminal;
    let Some(how) = t.expires_at_once(crate::store::now()) else {
        return Ok(true);
    };
    if yes {
        return Ok(true);
    }
    let session = crate::ui::output::sanitize(session);
    let question = format!(
        "{how} expires \"{session}\" now, and chat refuses it until --revive. Expire it now?"
    );
    if !std::io::stdin().is_terminal() {
        return Err(crate::error::UsageError(format!(
            "{question}\nrefusing without confirmation: stdin is not a terminal; pass --yes to expire it now, or give a time to come (e.g. --expires-in 24h)"
        ))
        .into());
    }
    if crate::ui::output::confirm(&question)? {
        Ok(true)
    } else {
        crate::ui::output::note("nothing changed");
        Ok(false)
    }
}

/// Dispatch a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut global = cli.global;
    // -n, else $KUBECTL_MCP_NAMESPACE, else the configuration file, else the kubeconfig's.
    if global.namespace.is_none() {
        global.namespace = crate::config::defaults()?.namespace.map(|(ns, _)| ns);
    }
    let options = global.cluster_options();
    match cli.command {
        Command::Crd => crd::print(),
        Command::Completions(args) => completions::run(&args),
        Command::Install(args) => crd::install(&Cluster::connect(&options).await?, &args).await,
        Command::Uninstall(args) => crd::uninstall(&Cluster::connect(&options).await?, &args).await,
        Command::Chat(args) => chat::run(&Cluster::connect(&options).await?, &global, args).await,
        Command::Create(args) => create::run(&Cluster::connect(&options).await?, args).await,
        Command::Get(args) => get::run(&Cluster::connect(&options).await?, &args).await,
        Command::List(args) => list::run(&Cluster::connect(&options).await?, &args).await,
        Command::Expire(args) => expire::run(&Cluster::connect(&options).await?, &args).await,
        Command::Summarize(args) => {
            summarize::run(&Cluster::connect(&options).await?, &global, &args).await
        }
        Command::Batch(args) => {
            batch::run(&Cluster::connect(&options).await?, &global, &args).await
        }
        Command::Export(args) => export::export(&Cluster::connect(&options).await?, &args).await,
        Command::Import(args) => import::import(&Cluster::connect(&options).await?, &args).await,
        Command::Delete(args) => delete::run(&Cluster::connect(&options).await?, &args).await,
        Command::Set(args) => set::run(&Cluster::connect(&options).await?, &args).await,
        Command::Usage(args) => usage::run(&Cluster::connect(&options).await?, &args).await,
        Command::Restore(args) => restore::run(&Cluster::connect(&options).await?, &args).await,
        Command::Repair(args) => repair::run(&Cluster::connect(&options).await?, &args).await,
        Command::Version(args) => version::run(&options, &args).await,
        Command::Config(cmd) => config::run(&cmd),
        Command::Search(args) => search::run(&Cluster::connect(&options).await?, &args).await,
        Command::Rbac(args) => {
            // The namespace as kubectl would resolve it; no request is made.
            let ns = match &options.namespace {
                Some(ns) => ns.clone(),
                None => Cluster::connect(&options)
                    .await
                    .map(|c| c.namespace().to_string())
                    .unwrap_or_else(|_| "default".into()),
            };
            rbac::run(&ns, &args, global.api_key_secret.as_ref())
        }
        Command::Serve(args) => {
            serve::run(&Cluster::connect(&options).await?, &global, &args).await
        }
    }
}
