//! `serve`: the MCP server ([`crate::serve::mcp`]) over stdio, or Streamable HTTP on loopback.
//!
//! Over HTTP every client acts with the server's kubeconfig and API key, and a loopback port is
//! reachable by every user of the machine: so a client must show a bearer token that only the
//! owner can read (made for each run and written 0600 under the state directory, or read from
//! `--token-file`), unless `--no-auth` says otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;

use crate::cli::{GlobalArgs, ServeArgs};
use crate::cluster::Cluster;
use crate::error::UsageError;
use crate::serve::mcp::McpServer;
use crate::ui::output;

pub(super) async fn run(
    cluster: &Cluster,
    global: &GlobalArgs,
    args: &ServeArgs,
) -> anyhow::Result<()> {
    let server = McpServer::new(cluster.clone(), global.api_key_secret.clone())?;
    let Some(addr) = args.http else {
        // Someone at a terminal who ran `serve` by hand sees why nothing happens, and how a
        // client runs it; a client (stdin a pipe) gets no noise.
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            output::note(format!(
                "serving MCP on stdin/stdout for namespace {}: an MCP client starts this itself, e.g. `claude mcp add kubectl-mcp -- kubectl mcp serve -n {}` (or serve HTTP with --http 127.0.0.1:8765); Ctrl-C stops",
                cluster.namespace(),
                cluster.namespace()
            ));
        }
        // stdout carries the protocol: everything else goes to stderr. Input that ends before
        // a client said hello (Ctrl-D at the terminal, a client that gave up) is a quiet end.
        let running = match server.serve(rmcp::transport::stdio()).await {
            Ok(running) => running,
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
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
    let auth = match (&args.token_file, args.no_auth) {
        (_, true) => None,
        (Some(path), false) => Some(Token::read(path)?),
        (None, false) => Some(Token::generate()?),
    };
    let ct = tokio_util::sync::CancellationToken::new();
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        StreamableHttpServerConfig::default().with_cancellation_token(ct.child_token()),
    );
    let mut router = axum::Router::new().nest_service("/mcp", service);
    if let Some(token) = &auth {
        let token = Arc::new(token.secret.clone());
        router = router.layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let token = Arc::clone(&token);
                async move { authorize(&token, req, next).await }
            },
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    output::note(format!(
        "serving MCP (Streamable HTTP) at http://{local}/mcp for namespace {}; Ctrl-C stops",
        cluster.namespace()
    ));
    let written = match &auth {
        None => {
            output::note(format!(
                "warning: --no-auth: any user or process on this machine that connects to {local} acts with your kubeconfig and API key"
            ));
            None
        }
        Some(token) if token.generated => {
            let file = token.write_for(local.port())?;
            output::note(format!(
                "clients must send `Authorization: Bearer {}` (this run's token, also in {}, readable by you only)",
                token.secret,
                file.display()
            ));
            Some(file)
        }
        Some(token) => {
            output::note(format!(
                "clients must send `Authorization: Bearer` with the token in {}",
                token.source.display()
            ));
            None
        }
    };
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            ct.cancel();
        })
        .await;
    // A token made for this run dies with it.
    if let Some(file) = written {
        let _ = std::fs::remove_file(file);
    }
    served?;
    Ok(())
}

/// The bearer token of an HTTP server.
struct Token {
    secret: String,
    /// Made for this run (and so written under the state directory), not read from a file.
    generated: bool,
    /// The file it was read from.
    source: PathBuf,
}

impl Token {
    /// 32 bytes from the operating system's generator, as hex.
    fn generate() -> anyhow::Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("cannot make a token for --http: {e}"))?;
        Ok(Self {
            secret: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            generated: true,
            source: PathBuf::new(),
        })
    }

    /// The token in `path` (its first line, trimmed), refused when empty, too short to resist
    /// guessing, or readable by other users.
    fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read(path)
            .with_context(|| format!("reading the token file {}", path.display()))?;
        let text = String::from_utf8(text).map_err(|_| {
            crate::error::UsageError(format!(
                "--token-file {}: not UTF-8 text; write the token on one line",
                path.display()
            ))
        })?;
        let secret = text.lines().next().unwrap_or_default().trim().to_string();
        if secret.len() < 16 || secret.chars().any(|c| !c.is_ascii_graphic()) {
            return Err(crate::error::UsageError(format!(
                "--token-file {}: the token must be one line of at least 16 visible ASCII characters (e.g. `openssl rand -hex 32`)",
                path.display()
            ))
            .into());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(crate::error::UsageError(format!(
                    "--token-file {}: other users may read it (mode {:o}); `chmod 600` it",
                    path.display(),
                    mode & 0o777
                ))
                .into());
            }
        }
        Ok(Self {
            secret,
            generated: false,
            source: path.to_path_buf(),
        })
    }

    /// Write a generated token to `serve-PORT.token` in the state directory, mode 0600 from
    /// its creation (never readable by others, not even for a moment).
    fn write_for(&self, port: u16) -> anyhow::Result<PathBuf> {
        use std::io::Write;
        let dir = crate::store::journal::state_dir()?;
        crate::store::journal::private_dir(&dir)?;
        let file = dir.join(format!("serve-{port}.token"));
        let _ = std::fs::remove_file(&file);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options
            .open(&file)
            .with_context(|| format!("writing the token to {}", file.display()))?;
        writeln!(f, "{}", self.secret)
            .with_context(|| format!("writing the token to {}", file.display()))?;
        Ok(file)
    }
}

/// Let a request through only with `Authorization: Bearer TOKEN`, compared in constant time
/// (no timing tells a guesser how much of it was right); else 401 with what to send.
async fn authorize(token: &str, req: Request, next: Next) -> Response {
    use subtle::ConstantTimeEq;
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        })
        .map(|(_, t)| t.trim());
    let ok = given.is_some_and(|t| bool::from(t.as_bytes().ct_eq(token.as_bytes())));
    if ok {
        return next.run(req).await;
    }
    let why = if given.is_some() {
        "the bearer token is wrong"
    } else {
        "send `Authorization: Bearer TOKEN` with the token `kubectl mcp serve --http` printed"
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer realm=\"kubectl-mcp\"")],
        format!("401 Unauthorized: {why}\n"),
    )
        .into_response()
}
