//! `serve`: the MCP server ([`crate::mcp`]) over stdio, or Streamable HTTP on loopback.

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;

use crate::cli::{GlobalArgs, ServeArgs};
use crate::cluster::Cluster;
use crate::mcp::McpServer;
use crate::output;
use crate::UsageError;

pub(super) async fn run(
    cluster: &Cluster,
    global: &GlobalArgs,
    args: &ServeArgs,
) -> anyhow::Result<()> {
    let server = McpServer::new(cluster.clone(), global.api_key_secret.clone())?;
    let Some(addr) = args.http else {
        // stdout carries the protocol: everything else goes to stderr.
        let running = server.serve(rmcp::transport::stdio()).await?;
        running.waiting().await?;
        return Ok(());
    };
    if !addr.ip().is_loopback() {
        // Every client of this endpoint acts with the server's own credentials: it must not be
        // reachable by anyone else.
        return Err(UsageError(format!(
            "--http {addr}: only a loopback address (127.0.0.1 or [::1]) may be served; every client of it acts with your kubeconfig"
        ))
        .into());
    }
    let ct = tokio_util::sync::CancellationToken::new();
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        StreamableHttpServerConfig::default().with_cancellation_token(ct.child_token()),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    output::note(format!(
        "serving MCP (Streamable HTTP) at http://{}/mcp for namespace {}; Ctrl-C stops",
        listener.local_addr()?,
        cluster.namespace()
    ));
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            ct.cancel();
        })
        .await?;
    Ok(())
}
