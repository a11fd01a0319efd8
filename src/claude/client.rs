//! The HTTP client for `POST /v1/messages` (plain and streaming) and `count_tokens`, with the
//! SDKs' retry rules.
//!
//! Cancellation is by dropping: every method is a future that owns its response, so when the
//! REPL drops it on Ctrl-C the connection closes and nothing more is read or stored.
//! A stream that has already produced text is never retried behind the caller's back: the
//! caller has shown that text, so a failure then is returned as an error.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use serde_json::Value;

use super::error::{ApiError, ApiErrorKind, ClaudeError};
use super::key::{Credentials, Secret};
use super::retry::{Decision, RetryPolicy};
use super::types::{Content, MessagesRequest, Reply, RequestMessage, Usage, API_VERSION};
use crate::model::resource::Role;
use crate::model::size;

/// Bytes of an error answer read at most.
const ERROR_BODY_CAP: usize = 64 * 1024;
/// Characters of an error message shown at most.
const ERROR_MESSAGE_CAP: usize = 1000;

/// `message` cut to [`ERROR_MESSAGE_CAP`] characters, saying how much was left out.
fn cap_message(message: &str) -> String {
    let total = message.chars().count();
    if total <= ERROR_MESSAGE_CAP {
        return message.to_string();
    }
    let kept: String = message.chars().take(ERROR_MESSAGE_CAP).collect();
    format!(
        "{kept}… ({} more characters not shown)",
        total - ERROR_MESSAGE_CAP
    )
}

/// The public API, when `ANTHROPIC_BASE_URL` is unset.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

/// How to reach Claude.
#[derive(Debug, Clone)]
pub struct ClaudeConfig {
    /// `ANTHROPIC_BASE_URL`, without a trailing slash.
    pub base_url: String,
    /// The key or token.
    pub credentials: Credentials,
    /// Retry rules.
    pub retry: RetryPolicy,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Longest silence before the answer's headers, or between two stream events (`ping`s
    /// count), before giving up. A stalled request is not retried: an endpoint that never
    /// answers fails within this time, not minutes later.
    pub idle_timeout: Duration,
    /// Where a retry is announced to the person waiting (`retrying in 0.5 s (1/2)…`): one
    /// plain line on stderr by default, nowhere for `None`. The detailed record is a log line,
    /// shown with `-v`.
    pub notices: Option<Notices>,
    /// Why `ANTHROPIC_BASE_URL` cannot be used (set but empty, blank or not UTF-8), refused by
    /// [`ClaudeClient::new`]: falling back to the public API would send the key somewhere the
    /// user did not ask for.
    base_url_problem: Option<String>,
}

/// A sink for one-line notices meant for a person (not log records).
#[derive(Clone)]
pub struct Notices(pub std::sync::Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for Notices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notices")
    }
}

impl Notices {
    /// Each notice as a line on stderr.
    pub fn stderr() -> Self {
        Notices(std::sync::Arc::new(|line: &str| {
            use std::io::Write;
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }))
    }
}

/// Requests that may continue one answer after `pause_turn`.
pub const MAX_CONTINUATIONS: u32 = 4;

/// The stall limit when `KUBECTL_MCP_STALL_TIMEOUT` is unset.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// `KUBECTL_MCP_STALL_TIMEOUT` (e.g. `30s`, `2m`), else [`DEFAULT_STALL_TIMEOUT`].
pub fn stall_timeout() -> Result<Duration, ClaudeError> {
    match std::env::var("KUBECTL_MCP_STALL_TIMEOUT") {
        Ok(v) if !v.trim().is_empty() => humantime::parse_duration(v.trim())
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                ClaudeError::Config(format!(
                    "KUBECTL_MCP_STALL_TIMEOUT must be a duration such as 30s or 2m, got `{v}`"
                ))
            }),
        _ => Ok(DEFAULT_STALL_TIMEOUT),
    }
}

impl ClaudeConfig {
    /// The base URL as it may be shown: credentials written inside it are replaced.
    pub fn shown_url(&self) -> String {
        super::key::shown_url(&self.base_url)
    }

    /// Defaults for `credentials` against `base_url` (`None`: `ANTHROPIC_BASE_URL`, else the
    /// public API).
    pub fn new(credentials: Credentials, base_url: Option<String>) -> Self {
        let (base, base_url_problem) = match base_url {
            Some(url) => (url, None),
            None => base_url_from_env(std::env::var_os("ANTHROPIC_BASE_URL")),
        };
        Self {
            base_url_problem,
            base_url: base.trim().trim_end_matches('/').to_string(),
            credentials,
            retry: RetryPolicy {
                max_retries: max_retries().unwrap_or(RetryPolicy::default().max_retries),
                ..RetryPolicy::default()
            },
            connect_timeout: Duration::from_secs(10),
            notices: Some(Notices::stderr()),
            idle_timeout: stall_timeout().unwrap_or(DEFAULT_STALL_TIMEOUT),
        }
    }
}

/// The base URL `ANTHROPIC_BASE_URL` names (`value`), else the public API when it is unset, with
/// the reason it cannot be used when it is set but empty, blank or not UTF-8.
fn base_url_from_env(value: Option<std::ffi::OsString>) -> (String, Option<String>) {
    let Some(value) = value else {
        return (DEFAULT_BASE_URL.to_string(), None);
    };
    let problem = match value.into_string() {
        Ok(url) if !url.trim().is_empty() => return (url, None),
        Ok(url) if url.is_empty() => "is set but empty",
        Ok(_) => "is set but blank",
        Err(_) => "is not valid UTF-8",
    };
    (
        String::new(),
        Some(format!(
            "ANTHROPIC_BASE_URL {problem}: set it to your endpoint's URL (e.g. http://127.0.0.1:8080), \
             or unset it to use {DEFAULT_BASE_URL}"
        )),
    )
}

/// `KUBECTL_MCP_MAX_RETRIES`: retries after a failed attempt (the official SDKs' 2 when unset),
/// for unattended runs over flaky links.
fn max_retries() -> Option<u32> {
    std::env::var("KUBECTL_MCP_MAX_RETRIES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map(|n: u32| n.min(20))
}

/// Credentials from the environment: `ANTHROPIC_API_KEY`, else `ANTHROPIC_AUTH_TOKEN` (sent as a
/// bearer token, for gateways).
pub fn credentials_from_env() -> Option<Credentials> {
    if let Some(key) = std::env::var("ANTHROPIC_API_KEY")
        .ok()
        .and_then(Secret::new)
    {
        return Some(Credentials::ApiKey(key));
    }
    std::env::var("ANTHROPIC_AUTH_TOKEN")
        .ok()
        .and_then(Secret::new)
        .map(Credentials::Bearer)
}

/// A Messages API client. Clones share one rate-limit gate: a 429 seen by any of them holds
/// every clone's next request until the wait the server asked for is over (one 429 slows all
/// workers of a `batch`, instead of each discovering the limit on its own). `count_tokens` has
/// a gate of its own, as it has a limit of its own.
#[derive(Debug, Clone)]
pub struct ClaudeClient {
    http: reqwest::Client,
    config: ClaudeConfig,
    gate: Arc<Mutex<Option<tokio::time::Instant>>>,
    /// `count_tokens` has a rate limit of its own: its 429s hold only its own calls.
    count_gate: Arc<Mutex<Option<tokio::time::Instant>>>,
}

/// Which rate limit a call is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Messages,
    CountTokens,
}

/// One failed attempt, with what the retry decision needs.
struct Failure {
    error: ClaudeError,
    status: Option<u16>,
    headers: Option<HeaderMap>,
    /// Retrying cannot help (spend limit) or must not happen (text already shown).
    final_: bool,
}

impl Failure {
    fn final_(error: ClaudeError) -> Self {
        Self {
            error,
            status: None,
            headers: None,
            final_: true,
        }
    }
}

impl ClaudeClient {
    /// Build a client. The rustls crypto provider must be installed first
    /// ([`crate::tls::install_crypto_provider`]).
    pub fn new(config: ClaudeConfig) -> Result<Self, ClaudeError> {
        if let Some(problem) = &config.base_url_problem {
            return Err(ClaudeError::Config(problem.clone()));
        }
        if !(config.base_url.starts_with("http://") || config.base_url.starts_with("https://")) {
            return Err(ClaudeError::Config(format!(
                "ANTHROPIC_BASE_URL must start with http:// or https://, got `{}`",
                config.base_url
            )));
        }
        stall_timeout()?;
        // Log lines and the REPL's line history are checked against the key from now on,
        // wherever it came from (the environment, a Kubernetes Secret).
        super::key::remember(Self::secrets_of(&config));
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("kubectl-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClaudeError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            config,
            gate: Arc::default(),
            count_gate: Arc::default(),
        })
    }

    /// The settings in use.
    pub fn config(&self) -> &ClaudeConfig {
        &self.config
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path)
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut headers = HeaderMap::new();
        let auth = match &self.config.credentials {
            Credentials::ApiKey(k) => Some(("x-api-key", k.expose().to_string())),
            Credentials::Bearer(t) => Some(("authorization", format!("Bearer {}", t.expose()))),
            Credentials::None => None,
        };
        if let Some((name, value)) = auth {
            if let Ok(mut v) = HeaderValue::from_str(&value) {
                // Sensitive headers are kept out of hyper/h2 logs and HPACK tables.
                v.set_sensitive(true);
                headers.insert(name, v);
            }
        }
        headers.insert("anthropic-version", HeaderValue::from_static(API_VERSION));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.http
            .request(method, format!("{}{path}", self.config.base_url))
            .headers(headers)
    }

    /// The secrets this client must never write: the key, and credentials inside the URL.
    fn masker(&self) -> super::key::Masker {
        super::key::Masker::new(Self::secrets_of(&self.config))
    }

    /// The secrets of `config`: the key and the base URL's credentials.
    fn secrets_of(config: &ClaudeConfig) -> Vec<String> {
        let mut secrets = super::key::url_secrets(&config.base_url);
        if let Some(secret) = config.credentials.secret() {
            secrets.push(secret.expose().to_string());
        }
        secrets
    }

    /// `s` with every secret of this client replaced: error bodies, answers, anything that may
    /// echo what was sent.
    pub fn redact(&self, s: &str) -> String {
        self.masker().redact(s)
    }

    /// A transport error as ours: timeout or connection failure.
    fn transport(&self, e: &reqwest::Error, attempts: u32) -> ClaudeError {
        if e.is_timeout() {
            ClaudeError::Timeout {
                base_url: self.config.shown_url(),
                after: self.config.idle_timeout,
                attempts,
            }
        } else {
            ClaudeError::Connection {
                base_url: self.config.shown_url(),
                cause: self.redact(&crate::error::chain(e)),
                attempts,
            }
        }
    }

    /// Read an error answer into a [`Failure`].
    /// The error for a successful answer of content type `content_type` that is not an event
    /// stream: what it looks like, with its first line (masked, bounded, read within the
    /// stall limit).
    async fn not_a_stream(&self, mut resp: reqwest::Response, content_type: String) -> ClaudeError {
        let mut raw = Vec::new();
        let read = async {
            while let Ok(Some(chunk)) = resp.chunk().await {
                let room = 4096usize.saturating_sub(raw.len());
                raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if raw.len() >= 4096 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(self.config.idle_timeout, read).await;
        let body = self.redact(&String::from_utf8_lossy(&raw));
        let json: Option<Value> = serde_json::from_str(&body).ok();
        let what = if content_type.contains("html") {
            "an HTML page"
        } else if json
            .as_ref()
            .is_some_and(|v| v.get("type").and_then(Value::as_str) == Some("message"))
        {
            "a whole JSON message (the endpoint ignored `stream: true`)"
        } else if content_type.contains("json") {
            "JSON"
        } else {
            "something else"
        };
        let first: String = body
            .trim()
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(160)
            .collect();
        ClaudeError::NotAStream {
            base_url: self.config.shown_url(),
            what,
            content_type,
            first,
        }
    }

    async fn error_from(&self, resp: reqwest::Response, attempts: u32) -> Failure {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let request_id = request_id(&headers);
        // An error body is read up to a cap: a proxy answering 50 MB of HTML must not end up
        // in memory, let alone on the terminal.
        let mut resp = resp;
        let mut raw = Vec::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            let room = ERROR_BODY_CAP - raw.len();
            raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if raw.len() >= ERROR_BODY_CAP {
                break;
            }
        }
        let body = String::from_utf8_lossy(&raw).into_owned();
        let parsed: Option<Value> = serde_json::from_str(&body).ok();
        let err = parsed.as_ref().and_then(|v| v.get("error"));
        let error_type = err.and_then(|e| e.get("type")).and_then(Value::as_str);
        let spend_limit = err
            .and_then(|e| e.pointer("/details/error_code"))
            .and_then(Value::as_str)
            == Some("enforced_spend_limit_reached");
        // Redacted before anything is cut: a key cut in two would no longer be recognised.
        let body = self.redact(&body);
        let message = err
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .map(|m| self.redact(m))
            .unwrap_or_else(|| {
                let t: String = body.trim().chars().take(300).collect();
                if t.is_empty() {
                    format!("HTTP {status} with an empty body")
                } else {
                    t
                }
            });
        let mut kind = ApiErrorKind::classify(status, error_type, spend_limit);
        // The API's own 404 for a model names it ("model: claude-…"); any other 404 is a
        // path the server does not have.
        if kind == ApiErrorKind::NotFound && !message.to_ascii_lowercase().contains("model") {
            kind = ApiErrorKind::NoEndpoint(self.config.shown_url());
        }
        let message = cap_message(&message);
        Failure {
            error: ClaudeError::Api(Box::new(ApiError {
                status,
                kind,
                message,
                request_id,
                attempts,
                mid_stream: false,
            })),
            status: Some(status),
            headers: Some(headers),
            final_: spend_limit,
        }
    }

    fn gate_of(&self, limit: Limit) -> &Mutex<Option<tokio::time::Instant>> {
        match limit {
            Limit::Messages => &self.gate,
            Limit::CountTokens => &self.count_gate,
        }
    }

    /// Wait while a rate limit seen by any clone is in force.
    async fn wait_gate(&self, limit: Limit) {
        loop {
            let until = *self
                .gate_of(limit)
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match until {
                Some(t) if t > tokio::time::Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }

    fn close_gate_for(&self, limit: Limit, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut gate = self
            .gate_of(limit)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if gate.is_none_or(|t| t < until) {
            *gate = Some(until);
        }
    }

    /// After failed attempt `n`: sleep and return `Ok` to try again, or return the error to give.
    async fn after_failure(
        &self,
        what: &str,
        limit: Limit,
        n: u32,
        f: Failure,
    ) -> Result<(), ClaudeError> {
        if f.final_ {
            return Err(f.error);
        }
        match self
            .config
            .retry
            .decide(n, f.status, f.headers.as_ref(), false)
        {
            Decision::Stop => Err(f.error),
            Decision::TooFar(wait) => Err(ClaudeError::RetryTooFar {
                retry_after: wait,
                request_id: f.headers.as_ref().and_then(request_id),
            }),
            Decision::Retry(delay) => {
                if f.status == Some(429) {
                    self.close_gate_for(limit, delay);
                }
                let attempts_note = format!(" (gave up after {n} attempts)");
                let why = first_line(&f.error.to_string()).replace(&attempts_note, "");
                let max = self.config.retry.max_retries;
                tracing::info!(
                    "{what}: {why}; retrying in {:.1}s (retry {n} of {max})",
                    delay.as_secs_f64()
                );
                if let Some(notices) = &self.config.notices {
                    (notices.0)(&format!(
                        "{what}: {}; retrying in {:.1} s ({n}/{max})…",
                        short_reason(&why),
                        delay.as_secs_f64()
                    ));
                }
                tokio::time::sleep(delay).await;
                Ok(())
            }
        }
    }

    /// Run `attempt` until it succeeds, the policy says stop, or a failure is final.
    async fn with_retries<T, F, Fut>(&self, what: &str, mut attempt: F) -> Result<T, ClaudeError>
    where
        F: FnMut(u32) -> Fut,
        Fut: std::future::Future<Output = Result<T, Failure>>,
    {
        let mut n = 1;
        loop {
            self.wait_gate(Limit::CountTokens).await;
            match attempt(n).await {
                Ok(v) => return Ok(v),
                Err(f) => self.after_failure(what, Limit::CountTokens, n, f).await?,
            }
            n += 1;
        }
    }

    /// One answer, read from a stream without showing it: the stall limit and the answer-size
    /// cap apply as for [`ClaudeClient::stream`] (a non-streamed request has neither, and waits
    /// for the whole answer before its first byte).
    pub async fn send(&self, request: &MessagesRequest) -> Result<Reply, ClaudeError> {
        self.stream_with(request, &mut |_: &str| {}, false).await
    }

    /// POST `body` (a short call: `count_tokens`), within the stall limit; an error status
    /// becomes a [`Failure`].
    async fn post_json(
        &self,
        path: &str,
        body: &impl serde::Serialize,
        attempt: u32,
    ) -> Result<reqwest::Response, Failure> {
        let resp = self
            .post(path)
            .timeout(self.config.idle_timeout)
            .json(body)
            .send()
            .await
            .map_err(|e| self.failure_from_transport(&e, attempt))?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(self.error_from(resp, attempt).await)
        }
    }

    fn failure_from_transport(&self, e: &reqwest::Error, attempts: u32) -> Failure {
        Failure {
            error: self.transport(e, attempts),
            status: None,
            headers: None,
            // Nothing was shown: a stall is retried like a refused connection.
            final_: false,
        }
    }

    /// One answer, streamed: `on_text` gets each text delta as it arrives; the full reply is
    /// returned at `message_stop`. Thinking blocks and unknown events are skipped.
    pub async fn stream(
        &self,
        request: &MessagesRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Reply, ClaudeError> {
        self.stream_with(request, on_text, true).await
    }

    /// [`ClaudeClient::stream`] for a caller that `shows` the text as it arrives or not. A
    /// failure before any text (a cut, an `error` event, a stall, a dropped connection) is
    /// retried like a connection error; one after some text is retried only when nothing was
    /// shown (`-o json`, `batch`, summaries print complete answers only): a partial answer is
    /// never returned, and a shown one is never silently replaced.
    pub async fn stream_with(
        &self,
        request: &MessagesRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
        shows: bool,
    ) -> Result<Reply, ClaudeError> {
        let mut body = request.clone();
        body.stream = true;
        let mut so_far: Option<Reply> = None;
        let mut n = 1;
        loop {
            self.wait_gate(Limit::Messages).await;
            let reply = match self.stream_once(&body, n, on_text, shows).await {
                Ok(reply) => reply,
                Err(f) => {
                    self.after_failure("Claude", Limit::Messages, n, f).await?;
                    n += 1;
                    continue;
                }
            };
            let reply = match so_far.take() {
                Some(mut before) => {
                    before.text.push_str(&reply.text);
                    before.usage.add(&reply.usage);
                    before.blocks.extend(reply.blocks);
                    before.compaction = before.compaction.or(reply.compaction);
                    before.continuations += 1;
                    before.id = reply.id;
                    before.stop_reason = reply.stop_reason;
                    before.request_id = reply.request_id;
                    before
                }
                None => reply,
            };
            // The API paused a long turn: sending the answer so far back as the last message
            // lets it go on where it stopped (the one case where a request may end with the
            // assistant). Bounded, so a server that always pauses cannot loop us forever.
            if reply.stop_reason.as_deref() == Some("pause_turn")
                && reply.continuations < MAX_CONTINUATIONS
            {
                tracing::debug!(
                    continuations = reply.continuations,
                    "pause_turn: continuing"
                );
                if body
                    .messages
                    .last()
                    .is_some_and(|m| m.role == Role::Assistant)
                {
                    body.messages.pop();
                }
                body.messages.push(RequestMessage {
                    role: Role::Assistant,
                    content: Content::Text(reply.text.clone()),
                });
                so_far = Some(reply);
                n = 1;
                continue;
            }
            return Ok(reply);
        }
    }

    async fn stream_once(
        &self,
        body: &MessagesRequest,
        n: u32,
        on_text: &mut (dyn FnMut(&str) + Send),
        shows: bool,
    ) -> Result<Reply, Failure> {
        tracing::debug!(model = %body.model, messages = body.messages.len(), attempt = n, "POST /v1/messages (stream)");
        // No whole-request timeout for a stream (answers can be long), but the headers must come
        // within the idle limit.
        let mut post = self.post("/v1/messages").json(body);
        if !body.betas.is_empty() {
            post = post.header("anthropic-beta", body.betas.join(","));
        }
        let sent = tokio::time::timeout(self.config.idle_timeout, post.send())
            .await
            .map_err(|_| Failure {
                // Nothing was shown: a stall is retried like a connection error.
                error: ClaudeError::Timeout {
                    base_url: self.config.shown_url(),
                    after: self.config.idle_timeout,
                    attempts: n,
                },
                status: None,
                headers: None,
                final_: false,
            })?;
        let resp = sent.map_err(|e| self.failure_from_transport(&e, n))?;
        if !resp.status().is_success() {
            return Err(self.error_from(resp, n).await);
        }
        let rid = request_id(resp.headers());
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase());
        // A 200 that is not an event stream (a login page, a proxy's JSON, an endpoint that
        // ignored `stream: true`) is named for what it is, and not retried: asking again gets
        // the same page. An answer without a content type is read as a stream.
        if let Some(ct) = content_type.filter(|ct| !ct.starts_with("text/event-stream")) {
            return Err(Failure::final_(self.not_a_stream(resp, ct).await));
        }
        // An answer that repeats the key (or the URL's credentials) is masked as it streams,
        // before anything is shown, and in the reply that gets stored.
        let mut masker = self.masker();
        let mut masked = |t: &str| {
            let safe = masker.push(t);
            if !safe.is_empty() {
                on_text(&safe);
            }
        };
        let mut reply = self
            .read_stream(
                resp.bytes_stream(),
                rid,
                n,
                body.max_tokens,
                &mut masked,
                shows,
            )
            .await?;
        let rest = masker.finish();
        if !rest.is_empty() {
            on_text(&rest);
        }
        reply.text = self.redact(&reply.text);
        Ok(reply)
    }

    /// Read an answer's server-sent events from `body` (the response's bytes; any stream of
    /// byte chunks, so the parser can be fed arbitrary input in tests).
    async fn read_stream<S, E>(
        &self,
        body: S,
        request_id: Option<String>,
        attempts: u32,
        body_max_tokens: u32,
        on_text: &mut (dyn FnMut(&str) + Send),
        shows: bool,
    ) -> Result<Reply, Failure>
    where
        S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin + Send,
        E: std::error::Error + Send + Sync + 'static,
    {
        // Bound what a server can make us hold: the text by the answer cap (below), and the raw
        // bytes (one endless SSE line would otherwise grow in the parser's buffer).
        let text_cap = size::answer_cap(body_max_tokens);
        let raw_cap = size::raw_stream_cap(text_cap);
        let mut raw = 0usize;
        let mut events = body
            .map(move |chunk| {
                let chunk = chunk.map_err(std::io::Error::other)?;
                raw += chunk.len();
                if raw > raw_cap {
                    return Err(std::io::Error::other(format!(
                        "the answer stream passed {raw_cap} bytes"
                    )));
                }
                Ok(chunk)
            })
            .eventsource();
        let mut text_len = 2usize;
        let mut reply = Reply {
            id: String::new(),
            model: String::new(),
            text: String::new(),
            stop_reason: None,
            usage: Usage::default(),
            request_id,
            continuations: 0,
            blocks: Vec::new(),
            compaction: None,
        };
        // A compaction block being read (`content_block_start` to `content_block_stop`).
        let mut compaction: Option<serde_json::Map<String, Value>> = None;
        // Before any text has been shown, a failure may be retried; after, never.
        let failure = |reply: &Reply, error: ClaudeError, retryable: bool| Failure {
            final_: (shows && !reply.text.is_empty()) || !retryable,
            error,
            status: None,
            headers: None,
        };
        loop {
            let next = match tokio::time::timeout(self.config.idle_timeout, events.next()).await {
                Ok(next) => next,
                Err(_) => {
                    let e = ClaudeError::Timeout {
                        base_url: self.config.shown_url(),
                        after: self.config.idle_timeout,
                        attempts,
                    };
                    return Err(failure(&reply, e, true));
                }
            };
            let event = match next {
                None => {
                    let e = ClaudeError::StreamCut {
                        received_chars: reply.text.chars().count(),
                    };
                    return Err(failure(&reply, e, true));
                }
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "stream read failed");
                    let e = ClaudeError::StreamCut {
                        received_chars: reply.text.chars().count(),
                    };
                    return Err(failure(&reply, e, true));
                }
                Some(Ok(event)) => event,
            };
            let data: Value = match serde_json::from_str(&event.data) {
                Ok(v) => v,
                Err(_) if event.data.trim().is_empty() => continue,
                Err(e) => {
                    let e = ClaudeError::Decode {
                        what: "stream event",
                        cause: format!(
                            "{e} in `{}`",
                            self.redact(&event.data)
                                .chars()
                                .take(200)
                                .collect::<String>()
                        ),
                    };
                    return Err(failure(&reply, e, false));
                }
            };
            let kind = match event.event.as_str() {
                "" | "message" => data.get("type").and_then(Value::as_str).unwrap_or(""),
                k => k,
            };
            match kind {
                "message_start" => {
                    let m = &data["message"];
                    reply.id = m["id"].as_str().unwrap_or_default().to_string();
                    reply.model = m["model"].as_str().unwrap_or_default().to_string();
                    if let Ok(u) = serde_json::from_value::<Usage>(m["usage"].clone()) {
                        reply.usage = u;
                    }
                    bill_iterations(&mut reply, &m["usage"]);
                }
                "content_block_delta" if data["delta"]["type"] == "text_delta" => {
                    if let Some(t) = data["delta"]["text"].as_str() {
                        text_len += size::stored_str_len(t) - 2;
                        if text_len > text_cap {
                            // A server that ignores max_tokens: keep what fits, stop reading.
                            let kept = size::prefix_within(
                                t,
                                text_cap.saturating_sub(text_len - (size::stored_str_len(t) - 2)),
                            );
                            reply.text.push_str(kept);
                            on_text(kept);
                            tracing::warn!(
                                cap = text_cap,
                                "the answer passed the size cap for its max_tokens; cut off"
                            );
                            reply.stop_reason = Some(super::types::CUT_OFF.to_string());
                            return Ok(reply);
                        }
                        reply.text.push_str(t);
                        on_text(t);
                    }
                }
                "content_block_delta" if data["delta"]["type"] == "compaction_delta" => {
                    // One delta carries the summary and the opaque part; both are kept as the
                    // API gave them, the opaque part replaced by any later one.
                    if let Some(b) = &mut compaction {
                        if let Some(c) = data["delta"]["content"].as_str() {
                            let before = b["content"].as_str().unwrap_or_default().to_string();
                            b.insert("content".into(), Value::String(before + c));
                        }
                        if let Some(e) = data["delta"].get("encrypted_content") {
                            if !e.is_null() {
                                b.insert("encrypted_content".into(), e.clone());
                            }
                        }
                    }
                }
                "content_block_stop" => {
                    if let Some(b) = compaction.take() {
                        reply.blocks.push(b);
                    }
                }
                "content_block_start" if data["content_block"]["type"] == "compaction" => {
                    compaction = data["content_block"].as_object().cloned();
                }
                "content_block_start" => {
                    let block = &data["content_block"];
                    if block["type"] == "text" {
                        if let Some(t) = block["text"].as_str().filter(|t| !t.is_empty()) {
                            reply.text.push_str(t);
                            on_text(t);
                        }
                    }
                }
                "message_delta" => {
                    if let Some(r) = data["delta"]["stop_reason"].as_str() {
                        reply.stop_reason = Some(r.to_string());
                    }
                    let u = &data["usage"];
                    if let Some(o) = u["output_tokens"].as_u64() {
                        reply.usage.output_tokens = o;
                    }
                    // Newer API versions repeat the input figures here; take them when present.
                    if let Some(i) = u["input_tokens"].as_u64() {
                        reply.usage.input_tokens = i;
                    }
                    if let Some(c) = u["cache_creation_input_tokens"].as_u64() {
                        reply.usage.cache_creation_input_tokens = c;
                    }
                    if let Some(c) = u["cache_read_input_tokens"].as_u64() {
                        reply.usage.cache_read_input_tokens = c;
                    }
                    bill_iterations(&mut reply, u);
                }
                "message_stop" => return Ok(reply),
                "error" => {
                    let err = &data["error"];
                    let error_type = err["type"].as_str();
                    let kind = ApiErrorKind::classify(0, error_type, false);
                    let status = kind.status();
                    let e = ClaudeError::Api(Box::new(ApiError {
                        status,
                        kind,
                        message: self.redact(err["message"].as_str().unwrap_or("error event")),
                        request_id: reply.request_id.clone(),
                        attempts,
                        mid_stream: !reply.text.is_empty(),
                    }));
                    let retryable = super::retry::retryable_status(status);
                    return Err(Failure {
                        status: Some(status),
                        ..failure(&reply, e, retryable)
                    });
                }
                // ping, content_block_stop, thinking/signature deltas, and event types added
                // after this was written.
                _ => {}
            }
        }
    }

    /// What the server's Models API says of `model` (`GET /v1/models/{id}`): its window, answer
    /// cap and whether it takes the compaction edit, remembered for the process
    /// ([`crate::model::catalog::learn`]) so that windows and checks use the server's figures before
    /// the built-in table. Asked once per model per process, in one attempt bounded by the
    /// stall limit (at most 5 s): `None` when the server has no such endpoint (compatible
    /// servers), does not know the model, or is slow; callers then use the table.
    pub async fn learn_model(&self, model: &str) -> Option<crate::model::catalog::Limits> {
        static ASKED: std::sync::OnceLock<
            Mutex<std::collections::HashMap<String, Option<crate::model::catalog::Limits>>>,
        > = std::sync::OnceLock::new();
        let asked = ASKED.get_or_init(Default::default);
        let key = format!("{}\n{model}", self.config.base_url);
        if let Some(known) = asked.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return *known;
        }
        let limits = self.describe_model(model).await;
        if let Some(l) = limits {
            crate::model::catalog::learn(model, l);
        }
        asked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, limits);
        limits
    }

    async fn describe_model(&self, model: &str) -> Option<crate::model::catalog::Limits> {
        // The ID goes into a path: percent-encode anything but the characters model IDs use.
        let id: String = model
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let sent = self
            .request(reqwest::Method::GET, &format!("/v1/models/{id}"))
            .timeout(self.config.idle_timeout.min(Duration::from_secs(5)))
            .send()
            .await;
        let resp = match sent {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => {
                tracing::debug!(status = %r.status(), model, "the Models API does not describe the model; using the built-in table");
                return None;
            }
            Err(e) => {
                tracing::debug!(
                    model,
                    "the Models API did not answer ({}); using the built-in table",
                    self.redact(&e.to_string())
                );
                return None;
            }
        };
        let v: Value = resp.json().await.ok()?;
        let window = v["max_input_tokens"].as_u64()?;
        let cap = v["max_tokens"].as_u64()?;
        Some(crate::model::catalog::Limits {
            context_window: u32::try_from(window).unwrap_or(u32::MAX),
            max_output: u32::try_from(cap).unwrap_or(u32::MAX),
            compaction: v["capabilities"]["context_management"]["compact_20260112"]["supported"]
                .as_bool(),
        })
    }

    /// Exact input tokens of `request`, from `POST /v1/messages/count_tokens`.
    pub async fn count_tokens(&self, request: &MessagesRequest) -> Result<u64, ClaudeError> {
        let body = request.count_tokens_body();
        self.with_retries("count_tokens", |n| {
            let body = &body;
            async move {
                let resp = self.post_json("/v1/messages/count_tokens", body, n).await?;
                let v: Value = resp.json().await.map_err(|e| {
                    Failure::final_(ClaudeError::Decode {
                        what: "count_tokens",
                        cause: e.to_string(),
                    })
                })?;
                v["input_tokens"].as_u64().ok_or_else(|| {
                    Failure::final_(ClaudeError::Decode {
                        what: "count_tokens",
                        cause: "no input_tokens in the answer".into(),
                    })
                })
            }
        })
        .await
    }
}

/// With server-side compaction, `usage.iterations` lists each step (`compaction`, `message`)
/// and the top-level figures leave the compaction step out: what was billed is the sum.
fn bill_iterations(reply: &mut Reply, usage: &Value) {
    let Some(steps) = usage["iterations"].as_array().filter(|s| !s.is_empty()) else {
        return;
    };
    let mut total = Usage::default();
    for step in steps {
        let Ok(u) = serde_json::from_value::<Usage>(step.clone()) else {
            continue;
        };
        total.add(&u);
        if step["type"] == "compaction" {
            reply.compaction = Some(u);
        }
    }
    reply.usage = total;
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The gist of a failure for a one-line notice: the message up to its first advice (`: check…`,
/// `; …`), at most 100 characters.
fn short_reason(why: &str) -> String {
    let cut = why.find("; ").unwrap_or(why.len());
    let s = &why[..cut];
    if s.chars().count() > 100 {
        format!("{}…", s.chars().take(100).collect::<String>())
    } else {
        s.to_string()
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod base_url_tests {
    use super::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    #[test]
    fn an_unusable_anthropic_base_url_is_refused_naming_the_variable() {
        assert_eq!(
            base_url_from_env(None),
            (DEFAULT_BASE_URL.to_string(), None)
        );
        let (url, problem) = base_url_from_env(Some("http://127.0.0.1:1".into()));
        assert_eq!((url.as_str(), problem), ("http://127.0.0.1:1", None));
        for (value, says) in [
            (OsString::new(), "empty"),
            (OsString::from("  \t"), "blank"),
            (OsString::from_vec(b"http://\xff".to_vec()), "UTF-8"),
        ] {
            let (url, problem) = base_url_from_env(Some(value));
            let problem = problem.expect("refused");
            assert!(problem.starts_with("ANTHROPIC_BASE_URL") && problem.contains(says));
            assert!(url.is_empty(), "nothing to send a key to");
            crate::tls::install_crypto_provider();
            let mut config = ClaudeConfig::new(Credentials::None, Some(url));
            config.base_url_problem = Some(problem.clone());
            let err = ClaudeClient::new(config).unwrap_err().to_string();
            assert!(err.contains("ANTHROPIC_BASE_URL"), "{err}");
        }
    }
}

/// The SSE reader against arbitrary input: whatever bytes a server sends, in whatever pieces,
/// reading ends (no hang) with an answer or an error (no panic), and an answer stays within its
/// cap. A bounded run here; `PROPTEST_CASES=100000 cargo test --lib sse_fuzz` for a long one.
#[cfg(test)]
mod sse_fuzz {
    use super::*;
    use proptest::prelude::*;

    fn client() -> ClaudeClient {
        crate::tls::install_crypto_provider();
        let mut config = ClaudeConfig::new(Credentials::None, Some("http://127.0.0.1:9".into()));
        config.idle_timeout = Duration::from_secs(2);
        config.notices = None;
        ClaudeClient::new(config).unwrap()
    }

    /// Feed `bytes`, cut at `cuts`, to the reader.
    fn read(bytes: Vec<u8>, cuts: Vec<usize>, max_tokens: u32) -> Result<Reply, String> {
        let mut chunks = Vec::new();
        let mut at = 0;
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        for c in cuts.into_iter().chain([bytes.len()]) {
            if c > at {
                chunks.push(Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(
                    &bytes[at..c],
                )));
                at = c;
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let c = client();
        rt.block_on(async {
            let mut shown = String::new();
            let mut on_text = |t: &str| shown.push_str(t);
            let read = c.read_stream(
                futures::stream::iter(chunks),
                None,
                1,
                max_tokens,
                &mut on_text,
                true,
            );
            tokio::time::timeout(Duration::from_secs(10), read)
                .await
                .expect("the reader hung on finite input")
                .map_err(|f| f.error.to_string())
        })
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            ".{0,40}".prop_map(Value::String),
            prop_oneof![
                Just("text"),
                Just("text_delta"),
                Just("compaction"),
                Just("compaction_delta"),
                Just("end_turn")
            ]
            .prop_map(|s| Value::String(s.into())),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("type".to_string()),
                        Just("text".to_string()),
                        Just("delta".to_string()),
                        Just("message".to_string()),
                        Just("usage".to_string()),
                        Just("content_block".to_string()),
                        Just("stop_reason".to_string()),
                        Just("error".to_string()),
                        Just("content".to_string()),
                        Just("iterations".to_string()),
                        ".{0,8}",
                    ],
                    inner,
                    0..5,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn event() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            Just("message_start".to_string()),
            Just("content_block_start".to_string()),
            Just("content_block_delta".to_string()),
            Just("content_block_stop".to_string()),
            Just("message_delta".to_string()),
            Just("message_stop".to_string()),
            Just("ping".to_string()),
            Just("error".to_string()),
            "[a-z_]{0,12}",
        ];
        (name, json_value(), any::<bool>()).prop_map(|(name, data, raw)| {
            if raw {
                format!("event: {name}\ndata: {data}\n\n")
            } else {
                format!("data: {data}\n\n")
            }
        })
    }

    /// Well-formed events with arbitrary content, so sequences reach text, usage and stops.
    fn plausible() -> impl Strategy<Value = String> {
        prop_oneof![
            "(?s).{0,200}".prop_map(|t| format!(
                "event: content_block_delta\ndata: {}\n\n",
                serde_json::json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}})
            )),
            (any::<u64>(), any::<u64>()).prop_map(|(i, o)| format!(
                "event: message_start\ndata: {}\n\n",
                serde_json::json!({"type": "message_start", "message": {"id": "m", "model": "x", "usage": {"input_tokens": i, "output_tokens": o}}})
            )),
            prop_oneof![Just("end_turn"), Just("max_tokens"), Just("pause_turn"), Just("refusal")].prop_map(|r| format!(
                "event: message_delta\ndata: {}\n\n",
                serde_json::json!({"type": "message_delta", "delta": {"stop_reason": r}, "usage": {"output_tokens": 3}})
            )),
            Just("event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_end_in_an_answer_or_an_error(
            bytes in prop::collection::vec(any::<u8>(), 0..4096),
            cuts in prop::collection::vec(any::<usize>(), 0..16),
        ) {
            let _ = read(bytes, cuts, 64);
        }

        #[test]
        fn arbitrary_event_sequences_end_within_the_cap(
            events in prop::collection::vec(prop_oneof![event(), plausible()], 0..40),
            cuts in prop::collection::vec(any::<usize>(), 0..16),
            max_tokens in 1u32..200,
        ) {
            let bytes = events.concat().into_bytes();
            if let Ok(reply) = read(bytes, cuts, max_tokens) {
                prop_assert!(reply.text.len() <= size::answer_cap(max_tokens) + 16);
            }
        }
    }
}
