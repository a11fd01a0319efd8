//! `crd`, `install` and `uninstall`: the CustomResourceDefinition's lifecycle.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::Context;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::Api;

use crate::cli::{InstallArgs, UninstallArgs};
use crate::cluster::{Cluster, ClusterError, Op};
use crate::error::UsageError;
use crate::model::resource::{self, CRD_NAME};
use crate::ui::output;

/// Field manager recorded by server-side apply.
pub const FIELD_MANAGER: &str = "kubectl-mcp";

const CRD_KIND: &str = "customresourcedefinition.apiextensions.k8s.io";

pub(super) fn print() -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(resource::crd_yaml()?.as_bytes())?;
    Ok(())
}

pub(super) async fn install(cluster: &Cluster, args: &InstallArgs) -> anyhow::Result<()> {
    // Segments first: a context never seals into a type that is not there yet.
    for crd in [crate::store::segments::crd(), resource::crd()] {
        install_one(cluster, args, crd).await?;
    }
    Ok(())
}

async fn install_one(
    cluster: &Cluster,
    args: &InstallArgs,
    crd: CustomResourceDefinition,
) -> anyhow::Result<()> {
    let name = crd.metadata.name.clone().unwrap_or_default();
    let crds: Api<CustomResourceDefinition> = Api::all(cluster.client().clone());
    let before = crds
        .get_opt(&name)
        .await
        .map_err(|e| cluster.error(e, &Op::crd("get")))?;
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let after = crds
        .patch(&name, &params, &Patch::Apply(crd))
        .await
        .map_err(|e| cluster.error(e, &Op::crd("patch")))?;
    let wait = await_condition(crds, &name, conditions::is_crd_established());
    match tokio::time::timeout(args.wait_timeout, wait).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            return Err(e).context(format!("waiting for {name} to become Established"))
        }
        Err(_) => anyhow::bail!(
            "{name} was applied but is not Established after {}: check `kubectl describe crd {name}`",
            humantime::format_duration(args.wait_timeout)
        ),
    }
    let verb = match before {
        None => "created",
        Some(b) if b.metadata.resource_version == after.metadata.resource_version => "unchanged",
        Some(_) => "configured",
    };
    writeln!(
        std::io::stdout().lock(),
        "{CRD_KIND}/{name} {verb} (server-side apply)"
    )?;
    Ok(())
}

pub(super) async fn uninstall(cluster: &Cluster, args: &UninstallArgs) -> anyhow::Result<()> {
    let crds: Api<CustomResourceDefinition> = Api::all(cluster.client().clone());
    if crds
        .get_opt(CRD_NAME)
        .await
        .map_err(|e| cluster.error(e, &Op::crd("get")))?
        .is_none()
    {
        output::note(format!(
            "{CRD_NAME} is not installed in the cluster at {}: nothing to do",
            cluster.server()
        ));
        return Ok(());
    }
    if !args.yes {
        let count = match cluster.list_all(None, ListParams::default(), 500).await {
            Ok(items) => items.len().to_string(),
            Err(ClusterError::Forbidden { .. }) => "all".to_string(),
            Err(e) => return Err(e.into()),
        };
        let question = format!(
            "This deletes {CRD_NAME} and with it {count} ClaudeModelContext object(s) in every namespace of {}. Continue?",
            cluster.server()
        );
        if !std::io::stdin().is_terminal() {
            return Err(UsageError(format!(
                "{question}\nrefusing without confirmation: stdin is not a terminal, pass --yes"
            ))
            .into());
        }
        if !output::confirm(&question)? {
            output::note("uninstall cancelled; nothing was deleted");
            return Ok(());
        }
    }
    for name in [CRD_NAME, crate::store::segments::CRD_NAME] {
        match crds.delete(name, &DeleteParams::default()).await {
            Ok(_) => {}
            // An install from before segments existed has only the first.
            Err(kube::Error::Api(s)) if s.code == 404 => continue,
            Err(e) => return Err(cluster.error(e, &Op::crd("delete")).into()),
        }
        // The apiserver deletes every instance before the CRD itself goes; wait so that an
        // `install` right after does not race a terminating CRD.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        while crds
            .get_opt(name)
            .await
            .map_err(|e| cluster.error(e, &Op::crd("get")))?
            .is_some()
        {
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!(
                    "{name} is still terminating after 2m: check `kubectl get crd {name} -o yaml`"
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        writeln!(std::io::stdout().lock(), "{CRD_KIND} \"{name}\" deleted")?;
    }
    Ok(())
}
