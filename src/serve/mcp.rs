//! `kubectl mcp serve`: a Model Context Protocol server over the stored conversations, built on
//! the official Rust SDK (`rmcp`). It runs with the caller's own kubeconfig, so RBAC decides
//! what each client sees and may do, and it goes through the same code as the CLI: the history
//! reader (segments included), the one turn pipeline ([`crate::turn::ask`]) with its guarded
//! writes, journal and Events, folding, and expiry.
//!
//! - **Resources** (attached by the application): per context, `cmc://NS/NAME` (the whole
//!   transcript as Markdown), `cmc://NS/NAME/transcript.json` (the export document),
//!   `cmc://NS/NAME/summary` and `cmc://NS/NAME/window` (what would be sent now). Results are
//!   marked private: what one caller may read, another may not.
//! - **Subscriptions**: a subscribed URI gets `resources/updated` when its context changes (a
//!   watch on that one object); the list gets `list_changed` when a context is created or
//!   deleted in the served namespace (a metadata-only watch). Both the legacy
//!   `resources/subscribe` and the 2026 `subscriptions/listen` are served.
//! - **Tools** (called by the model), in a fixed order: `list_contexts`, `get_context`,
//!   `create_context`, `ask`, `summarize`, `expire`. A failure the model can act on (not found,
//!   forbidden, a bad value) is a tool result with `isError`, not a protocol error.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use kube::runtime::watcher::{self, watcher};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CacheScope, CallToolResult, Implementation, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Resource, ResourceContents, ResourceTemplate,
    ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig, SubscribeRequestParams,
    SubscriptionFilter, UnsubscribeRequestParams,
};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

use crate::claude::ClaudeClient;
use crate::cluster::{Cluster, Freshness};
use crate::credentials::SecretRef;
use crate::live::{self, Change};
use crate::model::resource::{
    ClaudeModelContext, ContextState, ContextTemplate, SummarizationStrategy,
};
use crate::store::journal::Journal;
use crate::store::{self, Session};
use crate::turn::{self, Shown};

mod args;
mod resources;

pub use self::args::*;
use self::resources::*;

/// Contexts per `resources/list` page.
const PAGE: usize = 100;

/// Turns `get_context` returns when not told.
const DEFAULT_LAST_TURNS: u32 = 5;

/// The tools, in the order they are listed: reading first, then writing, then housekeeping.
const TOOL_ORDER: [&str; 7] = [
    "list_contexts",
    "get_context",
    "search_contexts",
    "create_context",
    "ask",
    "summarize",
    "expire",
];

/// The server. Cheap to clone: one per Streamable HTTP session shares the cluster connection.
#[derive(Clone)]
pub struct McpServer {
    cluster: Cluster,
    api_key_secret: Option<SecretRef>,
    /// Built on the first call that needs Claude, so a read-only client needs no key.
    claude: Arc<OnceCell<ClaudeClient>>,
    journal: Journal,
    /// Legacy `resources/subscribe` watches, by URI.
    subscriptions: Arc<Mutex<HashMap<String, tokio::task::JoinHandle<()>>>>,
    /// The watch behind `list_changed` (started once).
    list_watch: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    tool_router: ToolRouter<McpServer>,
}

/// A tool's failure, as a result the model can read.
fn failed(e: impl std::fmt::Display) -> CallToolResult {
    CallToolResult::structured_error(json!({ "error": e.to_string() }))
}

fn ok(v: Value) -> CallToolResult {
    CallToolResult::structured(v)
}

/// A tool's result: its value, or its failure for the model to read.
fn outcome(r: anyhow::Result<Value>) -> CallToolResult {
    match r {
        Ok(v) => ok(v),
        Err(e) => failed(message(&e)),
    }
}

/// The message of an error chain, without the `Caused by` lines repeated.
fn message(e: &anyhow::Error) -> String {
    format!("{e:#}")
}

#[tool_router]
impl McpServer {
    /// A server on `cluster`; `api_key_secret` as `--api-key-secret` (else the environment).
    pub fn new(cluster: Cluster, api_key_secret: Option<SecretRef>) -> anyhow::Result<Self> {
        Ok(Self {
            cluster,
            api_key_secret,
            claude: Arc::new(OnceCell::new()),
            journal: Journal::open_default()?,
            subscriptions: Arc::new(Mutex::new(HashMap::new())),
            list_watch: Arc::new(Mutex::new(None)),
            tool_router: Self::tool_router(),
        })
    }

    fn ns<'a>(&'a self, given: &'a Option<String>) -> &'a str {
        given
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.cluster.namespace())
    }

    async fn claude(&self) -> anyhow::Result<&ClaudeClient> {
        self.claude
            .get_or_try_init(|| async {
                let creds =
                    crate::credentials::resolve(self.api_key_secret.as_ref(), Some(&self.cluster))
                        .await?;
                Ok::<_, anyhow::Error>(ClaudeClient::new(crate::store::journal::claude_config(
                    creds,
                ))?)
            })
            .await
    }

    #[tool(
        description = "List ClaudeModelContexts (stored Claude conversations): namespace, name, session ID, model, state, turns, tokens, cost. Filters: namespace (or allNamespaces), a label selector, a state.",
        annotations(read_only_hint = true)
    )]
    async fn list_contexts(
        &self,
        Parameters(Args(args)): Parameters<Args<ListContextsArgs>>,
    ) -> CallToolResult {
        let ns = (!args.all_namespaces).then(|| self.ns(&args.namespace));
        match list_rows(&self.cluster, ns, args.labels.as_deref(), args.state).await {
            Ok(rows) => ok(json!({ "contexts": rows, "count": rows.len() })),
            Err(e) => failed(message(&e)),
        }
    }

    #[tool(
        description = "One context: its settings, status (state, turns, tokens, summary), usage and cost, the window the next request would carry (window: turnsSent, firstMessage, tokensBeforeNextMessage), and its newest turns (lastTurns, default 5).",
        annotations(read_only_hint = true)
    )]
    async fn get_context(
        &self,
        Parameters(Args(args)): Parameters<Args<GetContextArgs>>,
    ) -> CallToolResult {
        let ns = self.ns(&args.namespace).to_string();
        let last = args.last_turns.unwrap_or(DEFAULT_LAST_TURNS) as usize;
        outcome(describe(&self.cluster, &ns, &args.session, last).await)
    }

    #[tool(
        description = "Find the contexts whose conversation (sealed turns included) or summary mentions a text, ignoring case: for each, how many messages match, where (summary, or turn N user|assistant) and the text around each match. As `kubectl mcp search`.",
        annotations(read_only_hint = true)
    )]
    async fn search_contexts(
        &self,
        Parameters(Args(args)): Parameters<Args<SearchContextsArgs>>,
    ) -> CallToolResult {
        let ns = (!args.all_namespaces).then(|| self.ns(&args.namespace).to_string());
        let found = crate::store::search::find(
            &self.cluster,
            &args.text,
            ns.as_deref(),
            args.labels.as_deref(),
            &|w| crate::ui::output::note(w),
        )
        .await;
        outcome(found.map(|(found, unreadable)| {
            json!({ "contexts": found, "count": found.len(), "unreadable": unreadable })
        }))
    }

    #[tool(
        description = "Create a context (a new stored conversation) for a session ID, with a model and optional settings, as `kubectl mcp create` does.",
        annotations(destructive_hint = false, idempotent_hint = false)
    )]
    async fn create_context(
        &self,
        Parameters(Args(args)): Parameters<Args<CreateContextArgs>>,
    ) -> CallToolResult {
        let ns = self.ns(&args.namespace).to_string();
        outcome(create(&self.cluster, &ns, args).await)
    }

    #[tool(
        description = "Append one turn to a context: send the message to Claude with the context's window, strategy and settings, store the question and answer (exactly as `kubectl mcp chat` does), and return the answer with its usage.",
        annotations(
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn ask(
        &self,
        Parameters(Args(args)): Parameters<Args<AskArgs>>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let ns = self.ns(&args.namespace).to_string();
        outcome(self.ask_turn(&ns, &args, context.ct.clone()).await)
    }

    #[tool(
        description = "Fold all but the last keepLast turns (default 2) of a context into its summary with a Claude call; the originals are sealed, not deleted. dryRun only says what would be folded.",
        annotations(destructive_hint = false, idempotent_hint = true)
    )]
    async fn summarize(
        &self,
        Parameters(Args(args)): Parameters<Args<SummarizeArgs>>,
    ) -> CallToolResult {
        let ns = self.ns(&args.namespace).to_string();
        outcome(self.fold(&ns, &args).await)
    }

    #[tool(
        description = "Expire contexts past their expirationTime or idleTTL, or idle longer than `idle`: a dry run unless dryRun is false; with delete, delete them instead of marking them Expired.",
        annotations(destructive_hint = true, idempotent_hint = true)
    )]
    async fn expire(&self, Parameters(Args(args)): Parameters<Args<ExpireArgs>>) -> CallToolResult {
        let idle = match args.idle.as_deref().map(humantime::parse_duration) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                return failed(format!(
                    "idle: `{}` is not a duration such as 24h or 7d ({e})",
                    args.idle.as_deref().unwrap_or_default()
                ))
            }
        };
        let ns = (!args.all_namespaces).then(|| self.ns(&args.namespace).to_string());
        let plan = crate::store::expire::ExpirePlan {
            selector: args.labels.clone(),
            idle,
            delete: args.delete,
            dry_run: args.dry_run,
            concurrency: 8,
        };
        match crate::store::expire::expire(&self.cluster, ns.as_deref(), &plan, &|_| {}).await {
            Ok(outcomes) => {
                let failures = outcomes.iter().filter(|o| o.failed).count();
                let v = json!({ "dryRun": args.dry_run, "contexts": outcomes, "failed": failures });
                if failures > 0 {
                    CallToolResult::structured_error(v)
                } else {
                    ok(v)
                }
            }
            Err(e) => failed(message(&e)),
        }
    }
}

impl McpServer {
    async fn ask_turn(
        &self,
        ns: &str,
        args: &AskArgs,
        cancel: tokio_util::sync::CancellationToken,
    ) -> anyhow::Result<Value> {
        if args.message.trim().is_empty() {
            anyhow::bail!("message: empty; there is nothing to send");
        }
        let mut session = Session::load(&self.cluster, ns, &args.session).await?;
        if session.object().state() == ContextState::Expired {
            anyhow::bail!(
                "context \"{}\" is Expired; nothing was sent (revive it with `kubectl mcp chat {} --revive`)",
                session.session_id(),
                session.session_id()
            );
        }
        let client = self.claude().await?;
        session.sign_as("mcp").await;
        session.replay_journal(&self.journal).await?;
        let mut show = |_: Shown<'_>| {};
        let answered = turn::ask(
            &mut session,
            client,
            &self.journal,
            &args.message,
            &mut show,
            false,
            cancel.cancelled_owned(),
        )
        .await
        .map_err(|e| {
            let notes: Vec<String> = e.notes().iter().map(ToString::to_string).collect();
            let e = anyhow::Error::new(e);
            if notes.is_empty() {
                e
            } else {
                e.context(notes.join("; "))
            }
        })?;
        let notes: Vec<String> = answered.notes.iter().map(ToString::to_string).collect();
        if let Some((path, e)) = &answered.journalled {
            anyhow::bail!(
                "{e}; the answer was kept in the local journal ({}) and will be written back on the next turn for this context. The answer: {}",
                path.display(),
                answered.reply.text
            );
        }
        let o = session.object();
        Ok(json!({
            "namespace": o.metadata.namespace,
            "name": o.metadata.name,
            "session": o.spec.session_id,
            "reply": answered.reply.text,
            "stopReason": answered.reply.stop_reason,
            "model": answered.reply.model,
            "usage": answered.reply.usage,
            "turns": o.turns(),
            "window": {
                "turnsSent": answered.window.turns_sent,
                "estimatedTokens": answered.window.estimated_tokens,
            },
            "notes": notes,
        }))
    }

    async fn fold(&self, ns: &str, args: &SummarizeArgs) -> anyhow::Result<Value> {
        let keep = args.keep_last.unwrap_or(2) as usize;
        if keep == 0 {
            anyhow::bail!("keepLast: at least 1 (the newest turn is never folded, so the conversation can go on from it)");
        }
        let mut session = Session::load(&self.cluster, ns, &args.session).await?;
        let before = (session.object().turns(), session.stored_tokens());
        let fold = session.messages_before_last_turns(keep);
        let name = session.object().metadata.name.clone();
        if fold == 0 || args.dry_run {
            return Ok(json!({
                "name": name,
                "dryRun": args.dry_run,
                "messagesToFold": fold,
                "keepLast": keep,
                "turns": before.0,
            }));
        }
        let client = self.claude().await?;
        let done = session.fold_keeping(client, keep).await?;
        Ok(json!({
            "name": name,
            "folded": done.messages,
            "keepLast": keep,
            "turns": session.object().turns(),
            "estimatedTokens": { "before": before.1, "after": session.stored_tokens() },
            "summary": session.object().status.as_ref().and_then(|s| s.summary.clone()),
        }))
    }

    /// Start the watch behind `list_changed` once, sending through `send` (a peer, or a
    /// 2026 subscription's sink).
    fn watch_list<F, Fut>(&self, send: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = bool> + Send,
    {
        // Metadata only: names are all a list change needs, and transcripts stay on the server.
        let api: kube::Api<kube::core::PartialObjectMeta<ClaudeModelContext>> =
            kube::Api::namespaced(self.cluster.client().clone(), self.cluster.namespace());
        tokio::spawn(async move {
            let mut known: Option<HashSet<String>> = None;
            let mut listing: HashSet<String> = HashSet::new();
            let stream = watcher(api, watcher::Config::default());
            futures::pin_mut!(stream);
            while let Some(event) = stream.next().await {
                let changed = match event {
                    Ok(watcher::Event::Init) => {
                        listing.clear();
                        false
                    }
                    Ok(watcher::Event::InitApply(m)) => {
                        listing.insert(m.metadata.name.unwrap_or_default());
                        false
                    }
                    Ok(watcher::Event::InitDone) => {
                        let now = std::mem::take(&mut listing);
                        let changed = known.as_ref().is_some_and(|k| *k != now);
                        known = Some(now);
                        changed
                    }
                    Ok(watcher::Event::Apply(m)) => known
                        .as_mut()
                        .is_some_and(|k| k.insert(m.metadata.name.unwrap_or_default())),
                    Ok(watcher::Event::Delete(m)) => known
                        .as_mut()
                        .is_some_and(|k| k.remove(&m.metadata.name.unwrap_or_default())),
                    Err(e) => {
                        tracing::debug!("the context list watch broke ({e}); retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        false
                    }
                };
                if changed && !send().await {
                    return;
                }
            }
        })
    }
}

/// `create_context`.
async fn create(cluster: &Cluster, ns: &str, args: CreateContextArgs) -> anyhow::Result<Value> {
    let expires_in = match args.expires_in.as_deref().map(humantime::parse_duration) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => anyhow::bail!(
            "expiresIn: `{}` is not a duration such as 24h or 7d ({e})",
            args.expires_in.as_deref().unwrap_or_default()
        ),
    };
    let template = ContextTemplate {
        model: Some(args.model),
        system: args.system_prompt,
        max_tokens: args.max_tokens,
        max_output_tokens: args.max_output_tokens,
        history_size: args.history_size,
        strategy: args.strategy,
        expires_in,
        labels: args.labels.into_iter().collect(),
        ..Default::default()
    };
    let obj = store::new_context(&args.session, &template, ns, store::now())?;
    let created = store::create_context(cluster, obj).await?;
    Ok(json!({
        "namespace": created.metadata.namespace,
        "name": created.metadata.name,
        "session": created.spec.session_id,
        "uri": Uri::of(&created.namespace_or_default(), created.metadata.name.as_deref().unwrap_or_default()),
        "model": created.spec.model_name,
        "warning": crate::model::catalog::unknown_model_warning(&created.spec.model_name),
    }))
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_resources_list_changed()
                .build(),
        )
        .with_server_info(
            Implementation::new("kubectl-mcp", env!("CARGO_PKG_VERSION"))
                .with_title("kubectl-mcp: Claude conversations stored in Kubernetes"),
        )
        .with_instructions(format!(
            "Claude conversations stored as ClaudeModelContext resources in Kubernetes (namespace {} by default), readable and continued under the caller's RBAC. Resources cmc://NAMESPACE/NAME are transcripts (add /transcript.json, /summary or /window). Tools: {}.",
            self.cluster.namespace(),
            TOOL_ORDER.join(", ")
        ))
    }

    /// The router's call, with a panic in a tool turned into an error result: one bad call
    /// must not take the server (and every other client's session) down with it.
    async fn call_tool(
        &self,
        request: rmcp::model::CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CallToolResponse, ErrorData> {
        use futures::FutureExt;
        let name = request.name.to_string();
        let tcc = rmcp::handler::server::tool::ToolCallContext::new(self, request, context);
        match std::panic::AssertUnwindSafe(self.tool_router.call(tcc))
            .catch_unwind()
            .await
        {
            Ok(result) => result,
            Err(_) => {
                tracing::error!(tool = %name, "a tool panicked");
                Ok(failed(format!(
                    "internal error in tool {name} (a bug in kubectl-mcp; nothing else is affected): please report it"
                ))
                .into())
            }
        }
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut tools = self.tool_router.list_all();
        tools.sort_by_key(|t| {
            TOOL_ORDER
                .iter()
                .position(|n| *n == t.name)
                .unwrap_or(TOOL_ORDER.len())
        });
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let start: usize = match request.and_then(|r| r.cursor) {
            None => 0,
            Some(c) => c
                .parse()
                .map_err(|_| ErrorData::invalid_params(format!("bad cursor `{c}`"), None))?,
        };
        let rows = list_rows(&self.cluster, Some(self.cluster.namespace()), None, None)
            .await
            .map_err(|e| ErrorData::internal_error(message(&e), None))?;
        let page: Vec<Resource> = rows
            .iter()
            .skip(start)
            .take(PAGE)
            .map(|r| {
                let ns = r["namespace"].as_str().unwrap_or_default();
                let name = r["name"].as_str().unwrap_or_default();
                Resource::new(Uri::of(ns, name), name)
                    .with_title(format!(
                        "{} ({})",
                        r["session"].as_str().unwrap_or(name),
                        ns
                    ))
                    .with_description(format!(
                        "Claude conversation: model {}, {} turns, {}",
                        r["model"].as_str().unwrap_or("?"),
                        r["turns"],
                        r["state"].as_str().unwrap_or("Active")
                    ))
                    .with_mime_type("text/markdown")
            })
            .collect();
        let next = (start + PAGE < rows.len()).then(|| (start + PAGE).to_string());
        let mut result = ListResourcesResult::with_all_items(page);
        result.next_cursor = next;
        result.cache_scope = Some(CacheScope::Private);
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let t = |uri: &str, name: &str, what: &str, mime: &str| {
            ResourceTemplate::new(uri, name)
                .with_description(what)
                .with_mime_type(mime)
        };
        let mut result = ListResourceTemplatesResult::with_all_items(vec![
            t(
                "cmc://{namespace}/{name}",
                "transcript",
                "The whole conversation of a context as Markdown (sealed turns included); a long one comes in pages of about 1 MiB, each ending with the URI of the next (…?from=N)",
                "text/markdown",
            ),
            t(
                "cmc://{namespace}/{name}/transcript.json",
                "transcript.json",
                "The whole conversation as the export document (spec, history, summary); a long one comes in pages, with `page.next` naming the next (…?from=N)",
                "application/json",
            ),
            t(
                "cmc://{namespace}/{name}/summary",
                "summary",
                "The running summary of the older turns",
                "text/plain",
            ),
            t(
                "cmc://{namespace}/{name}/window",
                "window",
                "What would be sent to Claude now: system, messages, estimated tokens",
                "application/json",
            ),
        ]);
        result.cache_scope = Some(CacheScope::Private);
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let parsed = Uri::parse(&uri).ok_or_else(|| {
            ErrorData::resource_not_found(
                format!("`{uri}` is not a context URI: use cmc://NAMESPACE/NAME[/transcript.json|/summary|/window]"),
                Some(json!({ "uri": uri })),
            )
        })?;
        let (text, mime) = read(&self.cluster, &parsed)
            .await
            .map_err(|e| resource_error(&uri, &e))?;
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri.clone()).with_mime_type(mime)
        ])
        .with_cache_scope(CacheScope::Private)
        .into())
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let uri = request.uri;
        let parsed = Uri::parse(&uri).ok_or_else(|| {
            ErrorData::resource_not_found(
                format!("`{uri}` is not a context URI"),
                Some(json!({ "uri": uri })),
            )
        })?;
        // Refused now, not silently never notified: the caller must be able to read it.
        fetch(&self.cluster, &parsed)
            .await
            .map_err(|e| resource_error(&uri, &e))?;
        let peer = context.peer.clone();
        let u = uri.clone();
        let task = watch_uri(&self.cluster, &parsed, move || {
            let peer = peer.clone();
            let u = u.clone();
            async move {
                peer.notify_resource_updated(ResourceUpdatedNotificationParam::new(u))
                    .await
                    .is_ok()
            }
        });
        if let Some(old) = self
            .subscriptions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(uri, task)
        {
            old.abort();
        }
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if let Some(task) = self
            .subscriptions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&request.uri)
        {
            task.abort();
        }
        Ok(())
    }

    async fn on_initialized(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        let mut slot = self.list_watch.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            let peer = context.peer.clone();
            *slot = Some(self.watch_list(move || {
                let peer = peer.clone();
                async move { peer.notify_resource_list_changed().await.is_ok() }
            }));
        }
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let mut accepted = SubscriptionFilter::new();
        accepted.resources_list_changed = requested.resources_list_changed;
        accepted.resource_subscriptions = requested.resource_subscriptions.as_ref().map(|uris| {
            uris.iter()
                .filter(|u| Uri::parse(u).is_some())
                .cloned()
                .collect()
        });
        Some(accepted)
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let mut tasks = Vec::new();
        let accepted = context.accepted().clone();
        if accepted.resources_list_changed == Some(true) {
            let sink = context.sink().clone();
            tasks.push(self.watch_list(move || {
                let sink = sink.clone();
                async move { sink.notify_resource_list_changed().await.is_ok() }
            }));
        }
        for uri in accepted.resource_subscriptions.unwrap_or_default() {
            let Some(parsed) = Uri::parse(&uri) else {
                continue;
            };
            let sink = context.sink().clone();
            tasks.push(watch_uri(&self.cluster, &parsed, move || {
                let sink = sink.clone();
                let uri = uri.clone();
                async move { sink.notify_resource_updated(uri).await.is_ok() }
            }));
        }
        context.cancelled().await;
        for t in tasks {
            t.abort();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_and_refuse_what_they_do_not_name() {
        let u = Uri::parse("cmc://team-a/ops-1").unwrap();
        assert_eq!(
            (u.namespace.as_str(), u.name.as_str(), u.view),
            ("team-a", "ops-1", View::Markdown)
        );
        assert_eq!(
            Uri::parse("cmc://a/b/transcript.json").unwrap().view,
            View::Json
        );
        assert_eq!(Uri::parse("cmc://a/b/summary").unwrap().view, View::Summary);
        assert_eq!(Uri::parse("cmc://a/b/window").unwrap().view, View::Window);
        assert_eq!(Uri::parse("cmc://a/b?from=40").unwrap().from, 40);
        assert_eq!(
            Uri::parse("cmc://a/b/transcript.json?from=3").unwrap().from,
            3
        );
        for bad in [
            "cmc://a",
            "cmc:///b",
            "cmc://a/b/other",
            "cmc://a/b/window/x",
            "http://a/b",
            "cmc://a//",
            "cmc://a/b?from=x",
            "cmc://a/b?to=3",
            "cmc://a/b/summary?from=2",
        ] {
            assert!(Uri::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn bad_arguments_are_refused_by_name() {
        let e = serde_json::from_value::<AskArgs>(json!({"session": "s", "mesage": "hi"}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("mesage"), "{e}");
        let e = serde_json::from_value::<ListContextsArgs>(json!({"state": "Sleeping"}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("Sleeping"), "{e}");
        assert!(
            serde_json::from_value::<ExpireArgs>(json!({}))
                .unwrap()
                .dry_run,
            "a dry run unless told"
        );
    }
}
