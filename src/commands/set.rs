//! `set SESSION --model … --max-tokens …`: change the settings of an existing context, one
//! guarded patch computed from the object it applies to; the apiserver validates the result.

use std::io::Write;

use crate::cli::SetArgs;
use crate::cluster::Cluster;
use crate::error::UsageError;
use crate::model::resource::ContextTemplate;
use crate::store::Session;
use crate::ui::output;

pub(super) async fn run(cluster: &Cluster, args: &SetArgs) -> anyhow::Result<()> {
    let template = ContextTemplate::from(&args.settings);
    if template.is_empty() {
        return Err(UsageError(
            "nothing to set: pass at least one of --model, --system, --system-file, --max-tokens, --max-output-tokens, --history-size, --strategy, --expires-in, --expires-at, --idle-ttl, --cache-ttl, --redaction, -L".into(),
        )
        .into());
    }
    if !super::expiry_confirmed(&template, args.settings.yes, &args.session)? {
        return Ok(());
    }
    let mut session = Session::load(cluster, cluster.namespace(), &args.session).await?;
    let changed = session.apply_settings(&template).await?;
    if let Some(w) = template
        .model
        .as_deref()
        .and_then(crate::model::catalog::unknown_model_warning)
    {
        output::note(w);
    }
    if !changed.is_empty() {
        if let Some(w) = crate::engine::cache::never_cached(session.object()) {
            output::note(w);
        }
    }
    let name = output::object_name(session.object());
    let mut out = std::io::stdout().lock();
    if changed.is_empty() {
        writeln!(out, "{name} unchanged")?;
    } else {
        writeln!(out, "{name} configured ({})", changed.join(", "))?;
    }
    Ok(())
}
