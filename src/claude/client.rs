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

mod config;
mod models;
mod stream;

pub use self::config::*;

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
    /// How long an answer was arriving before the attempt failed (first to last event): time
    /// that does not count against the call's limit, which bounds waiting, not reading.
    progressed: Duration,
}

impl Failure {
    fn final_(error: ClaudeError) -> Self {
        Self {
            error,
            status: None,
            headers: None,
            final_: true,
            progressed: Duration::ZERO,
        }
    }
}

/// One attempt of a call, as the stream reader needs it.
pub(super) struct Attempt {
    /// Its number, from 1.
    n: u32,
    /// The answer's request id.
    request_id: Option<String>,
    /// The call's deadline when the attempt began.
    deadline: tokio::time::Instant,
}

/// The clock of one call: when it started and when it must have an answer arriving by
/// ([`ClaudeConfig::call_timeout`] later, plus the time answers were arriving). Every wait of
/// the call (a rate-limit gate, a backoff, a first byte) fits before the deadline, or is not
/// begun.
struct CallClock {
    started: tokio::time::Instant,
    deadline: tokio::time::Instant,
}

impl CallClock {
    fn start(limit: Duration) -> Self {
        let started = tokio::time::Instant::now();
        Self {
            started,
            deadline: started + limit,
        }
    }

    /// Time left before the deadline.
    fn remaining(&self) -> Duration {
        self.deadline
            .saturating_duration_since(tokio::time::Instant::now())
    }

    /// Time an answer was arriving does not count.
    fn credit(&mut self, progressed: Duration) {
        self.deadline += progressed;
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
        limits_from_env()?;
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

    /// `-v`: one line per request, as kubectl's `-v=6` prints one: the method, the URL, the
    /// status (or what went wrong) and how long the headers took.
    pub(super) fn log_request(
        &self,
        method: &str,
        path: &str,
        started: std::time::Instant,
        outcome: Result<reqwest::StatusCode, String>,
    ) {
        let ms = started.elapsed().as_millis();
        let url = self.redact(&format!("{}{path}", self.config.base_url));
        match outcome {
            Ok(status) => {
                tracing::info!(target: "kubectl_mcp::http", "{method} {url} {status} in {ms} milliseconds")
            }
            Err(why) => tracing::info!(
                target: "kubectl_mcp::http",
                "{method} {url} failed in {ms} milliseconds: {}",
                self.redact(&why)
            ),
        }
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

    /// A transport error as ours: timeout (of `waited`, the first-byte wait the request was
    /// given) or connection failure.
    fn transport(&self, e: &reqwest::Error, attempts: u32, waited: Duration) -> ClaudeError {
        if e.is_timeout() {
            self.no_first_byte(waited, attempts)
        } else {
            ClaudeError::Connection {
                base_url: self.config.shown_url(),
                cause: self.redact(&crate::error::chain(e)),
                attempts,
            }
        }
    }

    /// How long an attempt may wait for its first byte: the first-byte limit, or what is
    /// left of the call's.
    fn first_byte_wait(&self, clock: &CallClock) -> Duration {
        self.config.first_byte_timeout.min(clock.remaining())
    }

    /// No answer's headers within `waited`: the first-byte limit, or the rest of the call's
    /// when that was shorter (then the call's limit is the setting to name).
    fn no_first_byte(&self, waited: Duration, attempts: u32) -> ClaudeError {
        let setting = if waited < self.config.first_byte_timeout {
            "KUBECTL_MCP_CALL_TIMEOUT"
        } else {
            "KUBECTL_MCP_FIRST_BYTE_TIMEOUT"
        };
        ClaudeError::Timeout {
            base_url: self.config.shown_url(),
            after: waited,
            attempts,
            setting: setting.to_string(),
            in_all: None,
        }
    }

    /// The error of a call that ends without an answer (its limit, or its retries, spent): a
    /// timeout names both limits and says how long the call took in all; any other error is
    /// the last attempt's.
    fn out_of_time(&self, error: ClaudeError, clock: &CallClock) -> ClaudeError {
        match error {
            ClaudeError::Timeout {
                base_url,
                after,
                attempts,
                setting,
                ..
            } => ClaudeError::Timeout {
                base_url,
                after,
                attempts,
                setting: if setting == "KUBECTL_MCP_STALL_TIMEOUT" {
                    setting
                } else {
                    "KUBECTL_MCP_FIRST_BYTE_TIMEOUT (each attempt) or KUBECTL_MCP_CALL_TIMEOUT (the whole call)".to_string()
                },
                in_all: Some(clock.started.elapsed()),
            },
            other => other,
        }
    }

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
        // And read within the stall limit: a body that trickles, or never ends, must not hold
        // the call past its limits (what came by then is the message).
        let mut resp = resp;
        let mut raw = Vec::new();
        let read = async {
            while let Ok(Some(chunk)) = resp.chunk().await {
                let room = ERROR_BODY_CAP - raw.len();
                raw.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if raw.len() >= ERROR_BODY_CAP {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(self.config.idle_timeout, read).await;
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
            progressed: Duration::ZERO,
        }
    }

    fn gate_of(&self, limit: Limit) -> &Mutex<Option<tokio::time::Instant>> {
        match limit {
            Limit::Messages => &self.gate,
            Limit::CountTokens => &self.count_gate,
        }
    }

    /// Wait while a rate limit seen by any clone is in force, but not past the call's
    /// deadline (the attempt then meets the limit itself, and its answer decides).
    async fn wait_gate(&self, limit: Limit, clock: &CallClock) {
        loop {
            let until = *self
                .gate_of(limit)
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let now = tokio::time::Instant::now();
            match until {
                Some(t) if t > now && now < clock.deadline => {
                    tokio::time::sleep_until(t.min(clock.deadline)).await
                }
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
    /// A retry whose wait would end past the call's deadline is not begun.
    async fn after_failure(
        &self,
        what: &str,
        limit: Limit,
        n: u32,
        f: Failure,
        clock: &mut CallClock,
    ) -> Result<(), ClaudeError> {
        if f.final_ {
            return Err(f.error);
        }
        clock.credit(f.progressed);
        match self
            .config
            .retry
            .decide(n, f.status, f.headers.as_ref(), false)
        {
            Decision::Stop => Err(self.out_of_time(f.error, clock)),
            Decision::TooFar(wait) => Err(ClaudeError::RetryTooFar {
                retry_after: wait,
                request_id: f.headers.as_ref().and_then(request_id),
            }),
            Decision::Retry(delay) if delay >= clock.remaining() => {
                tracing::debug!(
                    "{what}: no retry, its wait of {:.1}s would pass the call's limit",
                    delay.as_secs_f64()
                );
                Err(self.out_of_time(f.error, clock))
            }
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

    /// Run `attempt` (given its number and how long it may wait for an answer) until it
    /// succeeds, the policy says stop, a failure is final, or the call's limit is spent.
    async fn with_retries<T, F, Fut>(&self, what: &str, mut attempt: F) -> Result<T, ClaudeError>
    where
        F: FnMut(u32, Duration) -> Fut,
        Fut: std::future::Future<Output = Result<T, Failure>>,
    {
        let mut n = 1;
        let mut clock = CallClock::start(self.config.call_timeout);
        loop {
            self.wait_gate(Limit::CountTokens, &clock).await;
            match attempt(n, self.first_byte_wait(&clock)).await {
                Ok(v) => return Ok(v),
                Err(f) => {
                    self.after_failure(what, Limit::CountTokens, n, f, &mut clock)
                        .await?
                }
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

    /// POST `body` (a short call: `count_tokens`), its whole answer within `wait`; an error
    /// status becomes a [`Failure`].
    async fn post_json(
        &self,
        path: &str,
        body: &impl serde::Serialize,
        attempt: u32,
        wait: Duration,
    ) -> Result<reqwest::Response, Failure> {
        let started = std::time::Instant::now();
        let sent = self.post(path).timeout(wait).json(body).send().await;
        self.log_request(
            "POST",
            path,
            started,
            sent.as_ref().map(|r| r.status()).map_err(|e| e.to_string()),
        );
        let resp = sent.map_err(|e| self.failure_from_transport(&e, attempt, wait))?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(self.error_from(resp, attempt).await)
        }
    }

    fn failure_from_transport(
        &self,
        e: &reqwest::Error,
        attempts: u32,
        waited: Duration,
    ) -> Failure {
        Failure {
            error: self.transport(e, attempts, waited),
            status: None,
            headers: None,
            // Nothing was shown: a stall is retried like a refused connection.
            final_: false,
            progressed: Duration::ZERO,
        }
    }

    /// What the server's Models API says of `model` (`GET /v1/models/{id}`): its window, answer
    /// cap and whether it takes the compaction edit, remembered for the process
    /// ([`crate::model::catalog::learn`]) so that windows and checks use the server's figures
    /// before the built-in table. An optimisation, never a reason to wait: one attempt, no
    /// retry, bounded by the first-byte limit (at most 5 s); `None` when the server has no such
    /// endpoint (compatible servers answer 404), does not know the model, fails or is slow, and
    /// callers then use the table. The answer, either way, is kept per endpoint and model for a
    /// day ([`ClaudeConfig::models_cache`]): a scripted run of one process per turn asks once.
    pub async fn learn_model(&self, model: &str) -> Option<crate::model::catalog::Limits> {
        static ASKED: std::sync::OnceLock<
            Mutex<std::collections::HashMap<String, Option<crate::model::catalog::Limits>>>,
        > = std::sync::OnceLock::new();
        let asked = ASKED.get_or_init(Default::default);
        let key = format!("{}\n{model}", self.config.shown_url());
        if let Some(known) = asked.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return *known;
        }
        let cache = self.config.models_cache.as_deref().map(models::Cache::at);
        let limits = match cache.as_ref().and_then(|c| c.get(&key)) {
            Some(known) => known,
            None => {
                let limits = self.describe_model(model).await;
                if let Some(c) = &cache {
                    c.put(&key, limits);
                }
                limits
            }
        };
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
        let path = format!("/v1/models/{id}");
        let started = std::time::Instant::now();
        let sent = self
            .request(reqwest::Method::GET, &path)
            .timeout(self.config.first_byte_timeout.min(Duration::from_secs(5)))
            .send()
            .await;
        self.log_request(
            "GET",
            &path,
            started,
            sent.as_ref().map(|r| r.status()).map_err(|e| e.to_string()),
        );
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
        self.with_retries("count_tokens", |n, wait| {
            let body = &body;
            async move {
                let resp = self
                    .post_json("/v1/messages/count_tokens", body, n, wait)
                    .await?;
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
