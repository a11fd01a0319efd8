//! `version`: what kubectl users expect of `version` (client and server), plus what matters to
//! this tool: the CRD versions the cluster serves and the Claude API endpoint in use.

use std::io::Write;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use serde::Serialize;

use crate::cli::{VersionArgs, VersionFormat};
use crate::cluster::{Cluster, ClusterOptions};
use crate::model::resource::{GROUP, VERSION};
use crate::ui::output;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Client {
    version: &'static str,
    commit: &'static str,
    build_date: &'static str,
    /// The API version of the resources this client writes.
    resource_version: String,
    claude_api: String,
    claude_api_from: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Server {
    url: String,
    version: String,
    /// `None`: not installed; `Some([])`: installed but none served.
    #[serde(skip_serializing_if = "Option::is_none")]
    crd_versions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crd_error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Versions {
    client_version: Client,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_version: Option<Server>,
}

fn client() -> Client {
    let (claude_api, from) = match std::env::var("ANTHROPIC_BASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        // Credentials written inside the URL are never printed.
        Some(u) => (
            crate::claude::shown_url(u.trim().trim_end_matches('/')),
            "ANTHROPIC_BASE_URL",
        ),
        None => (crate::claude::DEFAULT_BASE_URL.to_string(), "default"),
    };
    Client {
        version: env!("CARGO_PKG_VERSION"),
        commit: env!("KUBECTL_MCP_COMMIT"),
        build_date: env!("KUBECTL_MCP_BUILD_DATE"),
        resource_version: format!("{GROUP}/{VERSION}"),
        claude_api,
        claude_api_from: from,
    }
}

async fn server(cluster: &Cluster) -> anyhow::Result<Server> {
    let info = cluster
        .client()
        .apiserver_version()
        .await
        .map_err(|e| cluster.error(e, &crate::cluster::Op::crd("get")))?;
    let crds: Api<CustomResourceDefinition> = Api::all(cluster.client().clone());
    let name = format!("claudemodelcontexts.{GROUP}");
    let (crd_versions, crd_error) = match crds.get_opt(&name).await {
        Ok(Some(crd)) => (
            Some(
                crd.spec
                    .versions
                    .iter()
                    .filter(|v| v.served)
                    .map(|v| format!("{GROUP}/{}", v.name))
                    .collect(),
            ),
            None,
        ),
        Ok(None) => (None, None),
        // A user who may not read CRDs can still use the tool.
        Err(e) => (
            None,
            Some(
                cluster
                    .error(e, &crate::cluster::Op::crd("get"))
                    .to_string(),
            ),
        ),
    };
    Ok(Server {
        url: cluster.server().to_string(),
        version: info.git_version,
        crd_versions,
        crd_error,
    })
}

pub(super) async fn run(options: &ClusterOptions, args: &VersionArgs) -> anyhow::Result<()> {
    let client = client();
    // Like kubectl: the client's version is printed even when the cluster cannot be reached.
    let (server, failure) = if args.client {
        (None, None)
    } else {
        match Cluster::connect(options).await {
            Ok(c) => match server(&c).await {
                Ok(s) => (Some(s), None),
                Err(e) => (None, Some(e)),
            },
            Err(e) => (None, Some(e.into())),
        }
    };
    let v = Versions {
        client_version: client,
        server_version: server,
    };
    let mut out = std::io::stdout().lock();
    match args.output {
        Some(VersionFormat::Json) => output::print_json(&mut out, &v)?,
        Some(VersionFormat::Yaml) => output::print_yaml(&mut out, &v)?,
        None => {
            let c = &v.client_version;
            writeln!(
                out,
                "Client Version: {} (commit {}, built {})",
                c.version, c.commit, c.build_date
            )?;
            writeln!(
                out,
                "Claude API: {}{}",
                c.claude_api,
                if c.claude_api_from == "default" {
                    " (set ANTHROPIC_BASE_URL to use another)"
                } else {
                    " (from ANTHROPIC_BASE_URL)"
                }
            )?;
            if let Some(s) = &v.server_version {
                writeln!(out, "Server Version: {} ({})", s.version, s.url)?;
                match (&s.crd_versions, &s.crd_error) {
                    (Some(served), _) if served.contains(&c.resource_version) => writeln!(
                        out,
                        "CRD: claudemodelcontexts.{GROUP} serves {}",
                        served.join(", ")
                    )?,
                    (Some(served), _) => writeln!(
                        out,
                        "CRD: claudemodelcontexts.{GROUP} serves {}, not {} which this client writes: run `kubectl mcp install`",
                        if served.is_empty() { "nothing".to_string() } else { served.join(", ") },
                        c.resource_version
                    )?,
                    (None, Some(e)) => writeln!(out, "CRD: unknown ({e})")?,
                    (None, None) => writeln!(
                        out,
                        "CRD: not installed: run `kubectl mcp install`"
                    )?,
                }
            }
        }
    }
    out.flush()?;
    match failure {
        Some(e) => Err(
            e.context("the server's version could not be read (--client prints only the client's)")
        ),
        None => Ok(()),
    }
}
