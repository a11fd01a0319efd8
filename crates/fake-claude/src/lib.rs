//! A faithful local fake of Anthropic's Messages API, for kubectl-mcp's tests and demos.
//!
//! It validates what the real API validates (headers, body shape, role order, `system` shape,
//! cache breakpoints) and answers `400 invalid_request_error` otherwise; it streams the real SSE
//! event sequence with `usage`; it records every request so tests can assert on them; and it
//! injects faults on demand: error statuses with retry headers, a stream cut mid-answer, an
//! `error` event mid-stream, a slow first byte. It only ever binds to 127.0.0.1.
//!
//! The default answer echoes the last user message (`You said: …`), so a test can tell which
//! question an answer belongs to.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};

/// How the fake behaves when no fault is queued.
#[derive(Debug, Clone)]
pub struct Config {
    /// The key it accepts in `x-api-key` (or `Authorization: Bearer`); `None` accepts any.
    pub api_key: Option<String>,
    /// Refuse requests without any key, as Anthropic's API does (false: play a local server
    /// such as Ollama that needs none).
    pub require_key: bool,
    /// Pause between streamed deltas.
    pub delta_delay: Duration,
    /// Words per `text_delta`.
    pub words_per_delta: usize,
    /// Send a `thinking` block (with `thinking_delta` and `signature_delta`) before the text, as
    /// newer models do.
    pub thinking: bool,
    /// Output tokens the thinking block spends (with `thinking`). They count toward
    /// `max_tokens` as on the API: a cap under them stops with `max_tokens` and no text.
    pub thinking_tokens: u64,
    /// Sprinkle `ping` and an unknown event type into streams.
    pub extra_events: bool,
    /// Shortest cacheable prefix, in the fake's token count: `None` plays each model's own
    /// minimum (the catalogue's: 1,024–4,096; 1,024 for other names), `Some(n)` forces `n`.
    pub min_cache_tokens: Option<u64>,
    /// Time before any answer to `POST /v1/messages` starts (model latency).
    pub latency: Duration,
    /// Multiplies every input token count (usage and count_tokens), to play a model whose
    /// tokenizer counts more than the client's estimate.
    pub token_factor: f64,
    /// Faults drawn at random for Messages requests that have none queued (a flaky link or an
    /// overloaded API), reproducibly from a seed.
    pub fault_mix: Option<FaultMix>,
    /// Models served besides the catalogue (found first), e.g. one the client's table does not
    /// know, to test that the Models API is asked before the table.
    pub extra_models: Vec<CatalogueEntry>,
    /// Serve the Models API (`GET /v1/models`, `/v1/models/{id}`); `false` plays a compatible
    /// server without it, which answers those paths with a plain-text 404.
    pub models_api: bool,
}

/// Shares of requests that fail each way (the rest are answered).
#[derive(Debug, Clone, Copy)]
pub struct FaultMix {
    /// 429 `rate_limit_error`, with `retry-after`, `retry-after-ms` and `x-should-retry`.
    pub rate_limited: f64,
    /// 503 from an overloaded backend.
    pub unavailable: f64,
    /// A stream cut after two text deltas, without `message_stop`.
    pub cut: f64,
    /// A connection dropped before any text.
    pub dropped: f64,
    /// Seed of the draw.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_key: None,
            require_key: true,
            delta_delay: Duration::ZERO,
            words_per_delta: 1,
            thinking: false,
            thinking_tokens: 3,
            extra_events: true,
            min_cache_tokens: None,
            latency: Duration::ZERO,
            token_factor: 1.0,
            fault_mix: None,
            extra_models: Vec::new(),
            models_api: true,
        }
    }
}

/// A failure to inject into the next request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this HTTP status and the API's error body.
    Status {
        /// HTTP status.
        status: u16,
        /// `error.type`, e.g. `overloaded_error`.
        error_type: String,
        /// `error.message`.
        message: String,
        /// Extra response headers, e.g. `retry-after`.
        headers: Vec<(String, String)>,
        /// Extra fields for `error` (e.g. the spend-limit `details`).
        details: Option<Value>,
    },
    /// Stream this many text deltas, then close the connection without `message_stop`.
    CutStream {
        /// Deltas sent before the cut.
        after_deltas: usize,
    },
    /// Stream this many text deltas, then an `error` event (after a 200 status).
    ErrorEvent {
        /// Deltas sent before the error.
        after_deltas: usize,
        /// `error.type`.
        error_type: String,
        /// `error.message`.
        message: String,
    },
    /// Wait this long before sending anything.
    SlowFirstByte(Duration),
    /// Answer with this text instead of the echo.
    Reply(String),
    /// Ignore `max_tokens` and stream text deltas until the client goes away (a misbehaving
    /// compatible server), at most 100 million of them.
    Endless,
    /// Stop with `max_tokens` after this many words.
    MaxTokens {
        /// Words sent.
        words: usize,
    },
    /// A proxy's HTML error page with this status (502 Bad Gateway from a load balancer).
    ProxyHtml {
        /// HTTP status.
        status: u16,
    },
    /// Answer 200 with this content type and body instead of an event stream: a captive
    /// portal's login page, a gateway's JSON, an endpoint that ignores `stream: true`.
    NotAStream {
        /// `content-type` of the answer.
        content_type: String,
        /// Its body.
        body: String,
    },
    /// Stream this many text deltas, then send nothing (headers and those deltas sent, the
    /// connection held open) for `pause`, then go on as usual.
    Stall {
        /// Deltas sent before the stall.
        after_deltas: usize,
        /// How long nothing is sent.
        pause: Duration,
    },
    /// Stream this many text deltas, then abort the connection in the middle of the chunked
    /// body (no terminating chunk): what a reset connection looks like to an HTTP client.
    Reset {
        /// Deltas sent before the reset.
        after_deltas: usize,
    },
    /// Answer `text` and stop with this `stop_reason` (`refusal`, `pause_turn`,
    /// `model_context_window_exceeded`, …). After `pause_turn` the fake accepts the request
    /// that sends this text back as the last (assistant) message, to continue the turn.
    StopReason {
        /// The answer's text (may be empty).
        text: String,
        /// The stop reason.
        stop_reason: String,
    },
}

impl Fault {
    /// An error status with the API's error type for it and a generic message. A 429 or 529
    /// carries `retry-after: 1` and `x-should-retry: true`, as the API's do; replace them with
    /// [`Fault::with_header`].
    pub fn status(status: u16) -> Self {
        let error_type = match status {
            400 => "invalid_request_error",
            401 => "authentication_error",
            402 => "billing_error",
            403 => "permission_error",
            404 => "not_found_error",
            409 => "conflict_error",
            413 => "request_too_large",
            429 => "rate_limit_error",
            504 => "timeout_error",
            529 => "overloaded_error",
            _ => "api_error",
        };
        Fault::Status {
            status,
            error_type: error_type.to_string(),
            // The API's 404 for a model names it.
            message: if status == 404 {
                "model: claude-unknown".to_string()
            } else {
                format!("fake {error_type}")
            },
            headers: if matches!(status, 429 | 529) {
                vec![
                    ("retry-after".to_string(), "1".to_string()),
                    ("x-should-retry".to_string(), "true".to_string()),
                ]
            } else {
                Vec::new()
            },
            details: None,
        }
    }

    /// The same with this response header (replacing one of that name).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Fault::Status { headers, .. } = &mut self {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    /// The same without this response header (a 429 from a gateway that sends none).
    pub fn without_header(mut self, name: &str) -> Self {
        if let Fault::Status { headers, .. } = &mut self {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        }
        self
    }

    /// A 429 for a reached spend limit: no `retry-after`, retrying cannot help.
    pub fn spend_limit() -> Self {
        Fault::Status {
            status: 429,
            error_type: "rate_limit_error".into(),
            message: "Your organization has reached its spend limit.".into(),
            headers: Vec::new(),
            details: Some(json!({"error_code": "enforced_spend_limit_reached"})),
        }
    }
}

/// What the fake does with the next Messages requests, in order, written so that a test reads
/// as a sentence: `Script::new().overloaded(2).cut_after(3).answer("ok")`. Requests past the
/// end of the script are answered as usual (the echo). Played with [`FakeClaude::play`].
#[derive(Debug, Clone, Default)]
pub struct Script {
    faults: Vec<Fault>,
}

impl Script {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    /// Then this fault.
    pub fn then(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Then `times` answers with this HTTP status (see [`Fault::status`]).
    pub fn fail(mut self, status: u16, times: usize) -> Self {
        self.faults
            .extend(std::iter::repeat_n(Fault::status(status), times));
        self
    }

    /// Then `times` 529 `overloaded_error`s.
    pub fn overloaded(self, times: usize) -> Self {
        self.fail(529, times)
    }

    /// Then `times` 429 `rate_limit_error`s.
    pub fn rate_limited(self, times: usize) -> Self {
        self.fail(429, times)
    }

    /// Then a stream cut after this many text deltas.
    pub fn cut_after(self, deltas: usize) -> Self {
        self.then(Fault::CutStream {
            after_deltas: deltas,
        })
    }

    /// Then this answer instead of the echo.
    pub fn answer(self, text: &str) -> Self {
        self.then(Fault::Reply(text.to_string()))
    }

    /// Then `text`, stopped with this `stop_reason`.
    pub fn stop(self, text: &str, stop_reason: &str) -> Self {
        self.then(Fault::StopReason {
            text: text.to_string(),
            stop_reason: stop_reason.to_string(),
        })
    }

    /// The faults, in order.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// `POST /v1/messages` etc.
    pub method: String,
    /// Path.
    pub path: String,
    /// Headers, names lower-case.
    pub headers: BTreeMap<String, String>,
    /// The JSON body (`Null` when absent or not JSON).
    pub body: Value,
    /// The raw body size in bytes.
    pub body_len: usize,
    /// When it arrived.
    pub at: Instant,
    /// The HTTP status the fake answered.
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    requests: Vec<RecordedRequest>,
    faults: VecDeque<Fault>,
    /// Error statuses for `count_tokens` requests, which have a rate limit of their own.
    count_faults: VecDeque<Fault>,
    /// State of the fault-mix draw (xorshift64*), seeded on first use.
    draw: u64,
    /// Cached prefixes and when each expires (on the fake's clock).
    /// Live cache entries: prefix key → (expiry on the fake's clock, the TTL it was written
    /// with, which a hit renews).
    cached_prefixes: HashMap<String, (Duration, Duration)>,
    /// How far the fake's clock has been moved ahead ([`FakeClaude::advance_clock`]).
    clock_offset: Duration,
    /// When the fake started, for its clock.
    started: Option<std::time::Instant>,
    disconnects: usize,
    counter: u64,
    /// Texts of answers that stopped with `pause_turn`: a request ending with one of them as
    /// an assistant message continues that turn (anything else ending with `assistant` is a
    /// prefill, which the API refuses).
    paused: Vec<String>,
    /// `encrypted_content` of every compaction block issued: a block sent back must be one of
    /// them, unaltered.
    compactions: Vec<String>,
}

#[derive(Clone)]
struct Shared {
    config: Arc<Mutex<Config>>,
    inner: Arc<Mutex<Inner>>,
}

impl Shared {
    /// The behaviour in force for one request (a snapshot: `configure` may change it later).
    fn config(&self) -> Config {
        self.config
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// A fault drawn from `mix`, or none.
    fn draw_fault(&mut self, mix: &FaultMix) -> Option<Fault> {
        if self.draw == 0 {
            self.draw = mix.seed | 1;
        }
        self.draw ^= self.draw >> 12;
        self.draw ^= self.draw << 25;
        self.draw ^= self.draw >> 27;
        let r = (self.draw.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        let mut edge = mix.rate_limited;
        if r < edge {
            return Some(
                Fault::status(429)
                    .with_header("retry-after", "1")
                    .with_header("retry-after-ms", "30")
                    .with_header("x-should-retry", "true"),
            );
        }
        edge += mix.unavailable;
        if r < edge {
            return Some(Fault::Status {
                status: 503,
                error_type: "api_error".into(),
                message: "upstream unavailable".into(),
                headers: Vec::new(),
                details: None,
            });
        }
        edge += mix.cut;
        if r < edge {
            return Some(Fault::CutStream { after_deltas: 2 });
        }
        edge += mix.dropped;
        if r < edge {
            return Some(Fault::CutStream { after_deltas: 0 });
        }
        None
    }

    /// The fake's clock: time since it started, plus what tests moved it ahead.
    fn now(&mut self) -> Duration {
        let started = *self.started.get_or_insert_with(std::time::Instant::now);
        started.elapsed() + self.clock_offset
    }

    /// A new `request-id`.
    fn next_id(&mut self) -> String {
        self.counter += 1;
        format!("req_fake_{}", self.counter)
    }

    /// Remember a request and the status it got.
    fn record(
        &mut self,
        method: &str,
        path: &str,
        headers: BTreeMap<String, String>,
        body: &[u8],
        status: u16,
    ) {
        self.requests.push(RecordedRequest {
            method: method.into(),
            path: path.into(),
            headers,
            body: serde_json::from_slice(body).unwrap_or(Value::Null),
            body_len: body.len(),
            at: Instant::now(),
            status,
        });
    }
}

/// A running fake, bound to 127.0.0.1 on a free port; stops when dropped.
pub struct FakeClaude {
    addr: SocketAddr,
    shared: Shared,
    _runtime: Option<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FakeClaude {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl FakeClaude {
    /// Start on the current tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        Self::start_on(config, 0).await
    }

    /// Start on a given port (0: any free one) on the current tokio runtime.
    pub async fn start_on(config: Config, port: u16) -> std::io::Result<Self> {
        let shared = Shared {
            config: Arc::new(Mutex::new(config)),
            inner: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            shared,
            _runtime: None,
            shutdown: Some(tx),
        })
    }

    /// Start on a runtime of its own, for synchronous tests that run the real binary.
    pub fn start_in_background(config: Config) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let mut fake = runtime.block_on(Self::start(config))?;
        fake._runtime = Some(runtime);
        Ok(fake)
    }

    /// `http://127.0.0.1:PORT`: what `ANTHROPIC_BASE_URL` should be.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queue a fault for the next request (faults are used once each, in order).
    pub fn push_fault(&self, fault: Fault) {
        self.lock().faults.push_back(fault);
    }

    /// Queue every step of `script` behind any faults already queued.
    pub fn play(&self, script: Script) {
        self.lock().faults.extend(script.faults);
    }

    /// Move the fake's clock ahead (cache entries expire on it: 5 minutes, or 1 hour).
    pub fn advance_clock(&self, by: Duration) {
        let mut inner = self.lock();
        inner.now();
        inner.clock_offset += by;
    }

    /// Answer the next `count_tokens` request with this fault (a [`Fault::Status`]; other
    /// kinds are ignored there).
    pub fn push_count_fault(&self, fault: Fault) {
        self.lock().count_faults.push_back(fault);
    }

    /// Change the behaviour for later requests.
    pub fn configure(&self, f: impl FnOnce(&mut Config)) {
        let mut c = self.shared.config.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut c);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// Requests to `POST /v1/messages` so far.
    pub fn message_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/v1/messages")
            .collect()
    }

    /// Streams whose client went away before the answer was complete.
    pub fn disconnects(&self) -> usize {
        self.lock().disconnects
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner()
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/v1/messages", post(messages))
        .route("/v1/messages/count_tokens", post(count_tokens))
        .route("/v1/models", get(models))
        .route("/v1/models/{id}", get(model))
        .with_state(shared)
}

fn error_response(status: u16, error_type: &str, message: &str, request_id: &str) -> Response {
    let body = json!({"type": "error", "error": {"type": error_type, "message": message}, "request_id": request_id});
    let mut resp = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(body),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("request-id", v);
    }
    resp
}

fn header_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The fake's own token count: about four characters a token.
fn count(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4).max(1)
}

fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| {
                b.get("text")
                    .or_else(|| (b["type"] == "compaction").then(|| &b["content"]))
                    .and_then(Value::as_str)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Abort a streamed body mid-way ([`Fault::Reset`]), after letting what was sent reach the
/// socket: an aborted body drops what is still buffered.
async fn abort_body(tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>) {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = tx
        .send(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fake reset",
        )))
        .await;
}

/// FNV-1a, for opaque ids that depend on their content.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The beta that carries the compaction edit.
pub const COMPACTION_BETA: &str = "compact-2026-01-12";

/// The trigger of a valid `context_management` (the compaction edit), or the API's error.
fn compaction_trigger(
    cm: &Value,
    model: Option<&str>,
    config: &Config,
) -> Result<u64, (u16, &'static str, String)> {
    let bad = |m: String| Err((400, "invalid_request_error", m));
    let Some(edits) = cm["edits"].as_array() else {
        return bad("context_management.edits: Field required".into());
    };
    let mut trigger = None;
    for (i, e) in edits.iter().enumerate() {
        if e["type"] != "compact_20260112" {
            return bad(format!(
                "context_management.edits.{i}.type: unknown edit type {}",
                e["type"]
            ));
        }
        if e["trigger"]["type"] != "input_tokens" {
            return bad(format!(
                "context_management.edits.{i}.trigger.type: Input should be 'input_tokens'"
            ));
        }
        match e["trigger"]["value"].as_u64() {
            Some(v) if v >= 50_000 => trigger = Some(v),
            _ => {
                return bad(format!(
                    "context_management.edits.{i}.trigger.value: Input should be greater than or equal to 50000"
                ))
            }
        }
    }
    let supported = model
        .and_then(|m| entry(config, m))
        .is_some_and(|e| e.compaction);
    if !supported {
        return bad(format!(
            "compact_20260112 is not supported on model {}",
            model.unwrap_or_default()
        ));
    }
    trigger.map_or_else(
        || bad("context_management.edits: no compaction edit".into()),
        Ok,
    )
}

/// The request as the model reads it: from the newest message holding a compaction block
/// (everything before it is ignored, and not billed).
fn after_compaction(body: &Value) -> Value {
    let mut v = body.clone();
    if let Some(messages) = v["messages"].as_array_mut() {
        let newest = messages.iter().rposition(|m| {
            m["content"]
                .as_array()
                .is_some_and(|b| b.iter().any(|b| b["type"] == "compaction"))
        });
        if let Some(k) = newest {
            messages.drain(..k);
        }
    }
    v
}

/// Check headers and body as the real API does. `Err((status, type, message))`.
fn validate(
    headers: &BTreeMap<String, String>,
    body: &[u8],
    config: &Config,
    count_only: bool,
    paused: &[String],
    compactions: &[String],
) -> Result<Value, (u16, &'static str, String)> {
    let key = headers.get("x-api-key").cloned().or_else(|| {
        headers
            .get("authorization")
            .and_then(|a| a.strip_prefix("Bearer ").map(str::to_string))
    });
    match (&key, &config.api_key) {
        (None, _) if config.require_key => {
            return Err((
                401,
                "authentication_error",
                "x-api-key header is required".into(),
            ))
        }
        (Some(k), Some(want)) if k != want => {
            return Err((401, "authentication_error", "invalid x-api-key".into()))
        }
        _ => {}
    }
    if !headers.contains_key("anthropic-version") {
        return Err((
            400,
            "invalid_request_error",
            "anthropic-version: header is required".into(),
        ));
    }
    if body.len() > 32 * 1024 * 1024 {
        return Err((
            413,
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.".into(),
        ));
    }
    if !headers
        .get("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
    {
        return Err((
            400,
            "invalid_request_error",
            "content-type must be application/json".into(),
        ));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        (
            400,
            "invalid_request_error",
            format!("Invalid JSON body: {e}"),
        )
    })?;
    let obj = v.as_object().ok_or((
        400,
        "invalid_request_error",
        "body must be a JSON object".to_string(),
    ))?;
    let allowed: &[&str] = if count_only {
        &[
            "model",
            "messages",
            "system",
            "tools",
            "tool_choice",
            "thinking",
        ]
    } else {
        &[
            "model",
            "max_tokens",
            "messages",
            "system",
            "stream",
            "temperature",
            "top_p",
            "top_k",
            "stop_sequences",
            "metadata",
            "tools",
            "tool_choice",
            "thinking",
            "service_tier",
        ]
    };
    let compaction_beta = headers
        .get("anthropic-beta")
        .is_some_and(|b| b.split(',').any(|x| x.trim() == COMPACTION_BETA));
    for k in obj.keys() {
        let beta_field = k == "context_management" && compaction_beta;
        if !allowed.contains(&k.as_str()) && !beta_field {
            return Err((
                400,
                "invalid_request_error",
                format!("{k}: Extra inputs are not permitted"),
            ));
        }
    }
    match obj.get("model") {
        Some(Value::String(m)) if m.starts_with("claude-") => match entry(config, m) {
            None => return Err((404, "not_found_error", format!("model: {m}"))),
            Some(entry) => {
                let asked = obj.get("max_tokens").and_then(Value::as_u64).unwrap_or(0);
                if !count_only && asked > entry.max_output {
                    return Err((
                        400,
                        "invalid_request_error",
                        format!(
                            "max_tokens: {asked} > {}, which is the maximum allowed number of output tokens for {}",
                            entry.max_output, entry.dated
                        ),
                    ));
                }
            }
        },
        // Other names are served as a local model server would serve its own models.
        Some(Value::String(m)) if !m.is_empty() => {}
        Some(_) => {
            return Err((
                400,
                "invalid_request_error",
                "model: Input should be a valid string".into(),
            ))
        }
        None => return Err((400, "invalid_request_error", "model: Field required".into())),
    }
    if let Some(cm) = obj.get("context_management") {
        compaction_trigger(cm, obj.get("model").and_then(Value::as_str), config)?;
    }
    if !count_only {
        match obj.get("max_tokens") {
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n >= 1) => {}
            Some(_) => {
                return Err((
                    400,
                    "invalid_request_error",
                    "max_tokens: Input should be greater than or equal to 1".into(),
                ))
            }
            None => {
                return Err((
                    400,
                    "invalid_request_error",
                    "max_tokens: Field required".into(),
                ))
            }
        }
    }
    let mut breakpoints = 0;
    // Where a five-minute breakpoint was seen: a one-hour one may not follow it.
    let mut five_minute_at: Option<String> = None;
    let mut check_blocks = |blocks: &[Value],
                            path: &str|
     -> Result<(), (u16, &'static str, String)> {
        for (j, b) in blocks.iter().enumerate() {
            match (b.get("type").and_then(Value::as_str), b.get("text")) {
                (Some("text"), Some(Value::String(t))) => {
                    if t.trim().is_empty() {
                        return Err((
                            400,
                            "invalid_request_error",
                            format!(
                                "{path}.{j}: text content blocks must contain non-whitespace text"
                            ),
                        ));
                    }
                }
                (Some("text"), _) => {
                    return Err((
                        400,
                        "invalid_request_error",
                        format!("{path}.{j}.text: Field required"),
                    ))
                }
                (Some(_), _) => {}
                (None, _) => {
                    return Err((
                        400,
                        "invalid_request_error",
                        format!("{path}.{j}.type: Field required"),
                    ))
                }
            }
            if let Some(cc) = b.get("cache_control") {
                if cc.get("type").and_then(Value::as_str) != Some("ephemeral") {
                    return Err((
                        400,
                        "invalid_request_error",
                        format!("{path}.{j}.cache_control.type: Input should be 'ephemeral'"),
                    ));
                }
                match cc.get("ttl") {
                    None => five_minute_at = five_minute_at.take().or(Some(format!("{path}.{j}"))),
                    Some(Value::String(t)) if t == "5m" => {
                        five_minute_at = five_minute_at.take().or(Some(format!("{path}.{j}")))
                    }
                    Some(Value::String(t)) if t == "1h" => {
                        if let Some(at) = &five_minute_at {
                            return Err((
                                    400,
                                    "invalid_request_error",
                                    format!(
                                        "{path}.{j}.cache_control: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block ({at}). Note that blocks are processed in the following order: `tools`, `system`, `messages`."
                                    ),
                                ));
                        }
                    }
                    Some(_) => {
                        return Err((
                            400,
                            "invalid_request_error",
                            format!("{path}.{j}.cache_control.ttl: Input should be '5m' or '1h'"),
                        ))
                    }
                }
                breakpoints += 1;
            }
        }
        Ok(())
    };
    match obj.get("system") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(blocks)) => check_blocks(blocks, "system")?,
        Some(_) => {
            return Err((
                400,
                "invalid_request_error",
                "system: Input should be a valid string or a list of text blocks".into(),
            ))
        }
    }
    let messages = match obj.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => {
            return Err((
                400,
                "invalid_request_error",
                "messages: at least one message is required".into(),
            ))
        }
        Some(_) => {
            return Err((
                400,
                "invalid_request_error",
                "messages: Input should be a valid list".into(),
            ))
        }
        None => {
            return Err((
                400,
                "invalid_request_error",
                "messages: Field required".into(),
            ))
        }
    };
    let mut prev: Option<&str> = None;
    for (i, m) in messages.iter().enumerate() {
        let role = match m.get("role").and_then(Value::as_str) {
            Some(r @ ("user" | "assistant")) => r,
            Some(other) => {
                return Err((
                    400,
                    "invalid_request_error",
                    format!(
                        "messages.{i}.role: Input should be 'user' or 'assistant' (got '{other}')"
                    ),
                ))
            }
            None => {
                return Err((
                    400,
                    "invalid_request_error",
                    format!("messages.{i}.role: Field required"),
                ))
            }
        };
        if i == 0 && role != "user" {
            return Err((
                400,
                "invalid_request_error",
                "messages: first message must use the \"user\" role".into(),
            ));
        }
        if prev == Some(role) {
            return Err((400, "invalid_request_error", format!("messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"{role}\" roles in a row")));
        }
        prev = Some(role);
        match m.get("content") {
            Some(Value::String(s)) => {
                if s.trim().is_empty() {
                    return Err((
                        400,
                        "invalid_request_error",
                        format!("messages.{i}: all messages must have non-empty content"),
                    ));
                }
            }
            Some(Value::Array(blocks)) if !blocks.is_empty() => {
                check_blocks(blocks, &format!("messages.{i}.content"))?
            }
            Some(_) => {
                return Err((
                    400,
                    "invalid_request_error",
                    format!(
                        "messages.{i}.content: Input should be a valid string or a non-empty list"
                    ),
                ))
            }
            None => {
                return Err((
                    400,
                    "invalid_request_error",
                    format!("messages.{i}.content: Field required"),
                ))
            }
        }
    }
    for (i, m) in messages.iter().enumerate() {
        let Some(blocks) = m["content"].as_array() else {
            continue;
        };
        for (j, b) in blocks.iter().enumerate() {
            if b["type"] != "compaction" {
                continue;
            }
            let issued = b["encrypted_content"]
                .as_str()
                .is_some_and(|e| compactions.iter().any(|c| c == e));
            if m["role"] != "assistant" || !issued {
                return Err((
                    400,
                    "invalid_request_error",
                    format!("messages.{i}.content.{j}: invalid compaction block: send back the block the API returned, unaltered, in an assistant message"),
                ));
            }
        }
    }
    let continues = v["messages"]
        .as_array()
        .and_then(|m| m.last())
        .is_some_and(|m| paused.contains(&content_text(&m["content"])));
    if prev == Some("assistant") && !continues {
        return Err((400, "invalid_request_error", "This model does not support assistant message prefill. The conversation must end with a user message.".into()));
    }
    if breakpoints > 4 {
        return Err((
            400,
            "invalid_request_error",
            format!(
                "A maximum of 4 blocks with cache_control may be provided. Found {breakpoints}."
            ),
        ));
    }
    // Input alone over the model's window is refused, as the API does; input plus max_tokens
    // over it is accepted (and would stop with model_context_window_exceeded).
    if let Some(entry) = v["model"].as_str().and_then(|m| entry(config, m)) {
        let tokens = prompt_tokens(&after_compaction(&v));
        if tokens > entry.context_window {
            return Err((
                400,
                "invalid_request_error",
                format!(
                    "prompt is too long: {tokens} tokens > {} maximum",
                    entry.context_window
                ),
            ));
        }
    }
    Ok(v)
}

/// The input tokens of a request, in the fake's count.
fn prompt_tokens(v: &Value) -> u64 {
    let system = match v.get("system") {
        Some(Value::String(s)) => count(s),
        Some(b @ Value::Array(_)) => count(&content_text(b)),
        _ => 0,
    };
    let messages: u64 = v
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|m| count(&content_text(&m["content"])) + 1)
        .sum();
    system + messages + 8
}

/// How far back from a breakpoint the API looks for a cached prefix, in blocks.
const LOOKBACK_BLOCKS: usize = 20;
/// The default cache TTL, and the long one (`"ttl": "1h"`).
const TTL_5M: Duration = Duration::from_secs(300);
const TTL_1H: Duration = Duration::from_secs(3600);

/// A request's input tokens, split as the API splits and bills them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputUsage {
    /// Neither read from nor written to the cache (1×).
    pub uncached: u64,
    /// Written to a five-minute entry (1.25×).
    pub write_5m: u64,
    /// Written to a one-hour entry (2×).
    pub write_1h: u64,
    /// Read from the cache (0.1×).
    pub read: u64,
}

impl InputUsage {
    /// Everything written, whatever its TTL (`cache_creation_input_tokens`).
    pub fn written(&self) -> u64 {
        self.write_5m + self.write_1h
    }

    fn scaled(&self, f: impl Fn(u64) -> u64) -> Self {
        InputUsage {
            uncached: f(self.uncached),
            write_5m: f(self.write_5m),
            write_1h: f(self.write_1h),
            read: f(self.read),
        }
    }
}

/// A request's cacheable blocks in the order the cache reads them (system, then messages):
/// each block's text (a message's first block with its role) and its breakpoint's TTL.
fn cache_parts(body: &Value) -> Vec<(String, Option<Duration>)> {
    // (text, breakpoint TTL if this block has one)
    let mut parts: Vec<(String, Option<Duration>)> = Vec::new();
    let ttl_of = |b: &Value| {
        b.get("cache_control").map(|cc| {
            if cc.get("ttl").and_then(Value::as_str) == Some("1h") {
                TTL_1H
            } else {
                TTL_5M
            }
        })
    };
    match body.get("system") {
        Some(Value::String(s)) => parts.push((s.clone(), None)),
        Some(Value::Array(blocks)) => {
            for b in blocks {
                parts.push((content_text(&json!([b])), ttl_of(b)));
            }
        }
        _ => {}
    }
    for m in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match m.get("content") {
            Some(Value::Array(blocks)) => {
                for (j, b) in blocks.iter().enumerate() {
                    // The role counts with the first block of a message.
                    let text = content_text(&json!([b]));
                    let text = if j == 0 {
                        format!("{}:{text}", m["role"])
                    } else {
                        text
                    };
                    parts.push((text, ttl_of(b)));
                }
            }
            other => parts.push((
                format!(
                    "{}:{}",
                    m["role"],
                    content_text(&other.cloned().unwrap_or(Value::Null))
                ),
                None,
            )),
        }
    }
    parts
}

/// One block of a request as the cache sees it: the key of the prefix that ends with it (two
/// requests share a cache entry here only when their keys are equal), and its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheBlock {
    pub key: String,
    pub tokens: u64,
}

/// A request body's blocks as the fake's cache sees them, for a benchmark that computes what
/// the cheapest caching of the same requests would cost.
pub fn cache_blocks(body: &Value) -> Vec<CacheBlock> {
    let model = body["model"].as_str().unwrap_or_default();
    let mut key = model.to_string();
    cache_parts(body)
        .into_iter()
        .map(|(text, _)| {
            key.push('\u{0}');
            key.push_str(&text);
            CacheBlock {
                key: key.clone(),
                tokens: count(&text),
            }
        })
        .collect()
}

/// The shortest prefix `model`'s cache keeps, as the fake plays it.
pub fn cache_minimum(model: &str) -> u64 {
    entry(&Config::default(), model).map_or(1024, |e| e.cache_min)
}

/// A request's input by the API's caching rules, as the fake plays them (the documented rules,
/// and where the documentation is silent the assumption that costs more, so that figures
/// measured here are not optimistic):
/// - a breakpoint finds an earlier entry only within 20 blocks before it; the longest live
///   prefix any breakpoint finds is read;
/// - a hit renews only the entry that was read, with the TTL it was written with: an entry
///   shorter than the one read (a system prompt's, say) is not renewed by it;
/// - each breakpoint past what was read whose prefix reaches the model's minimum writes an
///   entry; the tokens from the previous breakpoint (or the read) up to it are billed at that
///   breakpoint's TTL (5 minutes 1.25×, one hour 2×); a breakpoint at or before what was read
///   writes nothing and renews nothing;
/// - entries live 5 minutes (or an hour) from their write or their last hit, on the fake's
///   clock. (Requests with a one-hour breakpoint after a five-minute one are refused earlier.)
fn input_usage(body: &Value, config: &Config, inner: &mut Inner) -> InputUsage {
    let parts = cache_parts(body);
    let total: u64 = parts.iter().map(|(t, _)| count(t)).sum::<u64>() + 8;
    let model = body["model"].as_str().unwrap_or_default();
    let min = config
        .min_cache_tokens
        .unwrap_or_else(|| entry(config, model).map_or(1024, |e| e.cache_min));
    let mut cumulative = Vec::with_capacity(parts.len());
    let mut acc = 0;
    for (t, _) in &parts {
        acc += count(t);
        cumulative.push(acc);
    }
    let key = |i: usize| {
        let texts: Vec<&str> = parts[..=i].iter().map(|(t, _)| t.as_str()).collect();
        format!("{model}\u{0}{}", texts.join("\u{0}"))
    };
    let breakpoints: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].1.is_some()).collect();
    let now = inner.now();
    inner
        .cached_prefixes
        .retain(|_, (expires, _)| *expires > now);
    // The longest live prefix any breakpoint finds within its lookback.
    let mut read_at: Option<usize> = None;
    for &bp in &breakpoints {
        let lowest = bp.saturating_sub(LOOKBACK_BLOCKS - 1);
        if let Some(i) = (lowest..=bp)
            .rev()
            .find(|&i| inner.cached_prefixes.contains_key(&key(i)))
        {
            if read_at.is_none_or(|r| i > r) {
                read_at = Some(i);
            }
        }
    }
    let read = read_at.map_or(0, |i| cumulative[i]);
    if let Some(i) = read_at {
        if let Some((expires, ttl)) = inner.cached_prefixes.get_mut(&key(i)) {
            *expires = now + *ttl;
        }
    }
    let mut usage = InputUsage {
        read,
        ..InputUsage::default()
    };
    let mut cached_to = read;
    for &bp in &breakpoints {
        if read_at.is_some_and(|r| bp <= r) || cumulative[bp] < min {
            continue;
        }
        let ttl = parts[bp].1.unwrap_or(TTL_5M);
        let new = cumulative[bp].saturating_sub(cached_to);
        if ttl == TTL_1H {
            usage.write_1h += new;
        } else {
            usage.write_5m += new;
        }
        cached_to = cached_to.max(cumulative[bp]);
        inner.cached_prefixes.insert(key(bp), (now + ttl, ttl));
    }
    usage.uncached = total - cached_to;
    usage
}

fn dated(config: &Config, model: &str) -> String {
    if let Some(e) = entry(config, model) {
        return e.dated.to_string();
    }
    if model
        .rsplit('-')
        .next()
        .is_some_and(|s| s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()))
    {
        model.to_string()
    } else {
        format!("{model}-20250929")
    }
}

async fn count_tokens(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let h = header_map(&headers);
    let config = shared.config();
    let (paused, compactions) = {
        let inner = shared.inner();
        (inner.paused.clone(), inner.compactions.clone())
    };
    let result = validate(&h, &body, &config, true, &paused, &compactions);
    let mut inner = shared.inner();
    let rid = inner.next_id();
    let fault = if result.is_ok() {
        inner.count_faults.pop_front()
    } else {
        None
    };
    let (status, resp) = match (result, fault) {
        (
            Ok(_),
            Some(Fault::Status {
                status,
                error_type,
                message,
                headers: extra,
                ..
            }),
        ) => {
            let mut resp = error_response(status, &error_type, &message, &rid);
            for (k, val) in &extra {
                if let (Ok(name), Ok(value)) = (
                    axum::http::HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(val),
                ) {
                    resp.headers_mut().insert(name, value);
                }
            }
            (status, resp)
        }
        (Ok(v), _) => {
            let mut scratch = Inner::default();
            let factor = config.token_factor;
            let u = input_usage(
                &v,
                &Config {
                    min_cache_tokens: Some(u64::MAX),
                    ..config
                },
                &mut scratch,
            );
            let n = ((u.uncached + u.written() + u.read) as f64 * factor).ceil() as u64;
            (200, axum::Json(json!({"input_tokens": n})).into_response())
        }
        (Err((s, t, m)), _) => (s, error_response(s, t, &m, &rid)),
    };
    inner.record("POST", "/v1/messages/count_tokens", h, &body, status);
    resp
}

/// One model the fake serves, as the API describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The alias.
    pub alias: &'static str,
    /// Its dated ID.
    pub dated: &'static str,
    /// `max_input_tokens`.
    pub context_window: u64,
    /// `max_tokens`.
    pub max_output: u64,
    /// Shortest prefix the cache keeps.
    pub cache_min: u64,
    /// Supports the server-side compaction edit (`compact_20260112`).
    pub compaction: bool,
}

/// The Claude models the fake serves (unknown `claude-*` IDs get the API's 404; other names
/// are served as a local model server serves its own).
pub const CATALOGUE: &[CatalogueEntry] = &[
    CatalogueEntry {
        alias: "claude-haiku-4-5",
        dated: "claude-haiku-4-5-20251001",
        context_window: 200_000,
        max_output: 64_000,
        compaction: false,
        cache_min: 4096,
    },
    CatalogueEntry {
        alias: "claude-sonnet-4-5",
        dated: "claude-sonnet-4-5-20250929",
        context_window: 200_000,
        max_output: 64_000,
        compaction: false,
        cache_min: 1024,
    },
    CatalogueEntry {
        alias: "claude-opus-4-5",
        dated: "claude-opus-4-5-20251101",
        context_window: 200_000,
        max_output: 64_000,
        compaction: false,
        cache_min: 4096,
    },
    CatalogueEntry {
        alias: "claude-sonnet-4-6",
        dated: "claude-sonnet-4-6-20260115",
        context_window: 1_000_000,
        max_output: 128_000,
        compaction: true,
        cache_min: 2048,
    },
    CatalogueEntry {
        alias: "claude-opus-4-6",
        dated: "claude-opus-4-6-20260201",
        context_window: 1_000_000,
        max_output: 128_000,
        compaction: true,
        cache_min: 4096,
    },
];

/// The catalogue entry for an alias or a dated ID.
pub fn catalogue_entry(model: &str) -> Option<&'static CatalogueEntry> {
    find_entry(CATALOGUE, model)
}

/// `model` among `config.extra_models`, then the catalogue.
fn entry(config: &Config, model: &str) -> Option<CatalogueEntry> {
    find_entry(&config.extra_models, model)
        .or_else(|| catalogue_entry(model))
        .copied()
}

fn find_entry<'a>(entries: &'a [CatalogueEntry], model: &str) -> Option<&'a CatalogueEntry> {
    entries.iter().find(|e| {
        e.alias == model
            || e.dated == model
            || model
                .strip_prefix(e.alias)
                .and_then(|r| r.strip_prefix('-'))
                .is_some_and(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn describe(e: &CatalogueEntry) -> Value {
    json!({"type": "model", "id": e.dated, "display_name": e.alias, "created_at": "2025-09-29T00:00:00Z",
           "max_input_tokens": e.context_window, "max_tokens": e.max_output,
           "capabilities": {"context_management": {"compact_20260112": {"supported": e.compaction}}}})
}

/// What a server without the Models API answers on its paths (Go's and most routers' 404).
fn no_models_api() -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        "404 page not found",
    )
        .into_response()
}

async fn models(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let h = header_map(&headers);
    if !shared.config().models_api {
        shared.inner().record("GET", "/v1/models", h, &[], 404);
        return no_models_api();
    }
    shared.inner().record("GET", "/v1/models", h, &[], 200);
    let extra = shared.config().extra_models;
    let data: Vec<Value> = extra.iter().chain(CATALOGUE).map(describe).collect();
    axum::Json(json!({"data": data, "has_more": false, "first_id": data[0]["id"], "last_id": data[data.len() - 1]["id"]})).into_response()
}

async fn model(
    State(shared): State<Shared>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let h = header_map(&headers);
    if !shared.config().models_api {
        shared.inner().record("GET", "/v1/models/{id}", h, &[], 404);
        return no_models_api();
    }
    let (status, resp) = match entry(&shared.config(), &id) {
        Some(e) => (200, axum::Json(describe(&e)).into_response()),
        None => (
            404,
            error_response(
                404,
                "not_found_error",
                &format!("model: {id}"),
                "req_fake_models",
            ),
        ),
    };
    shared
        .inner()
        .record("GET", "/v1/models/{id}", h, &[], status);
    resp
}

fn sse(event: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

async fn messages(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let h = header_map(&headers);
    let config = shared.config();
    let (paused, compactions) = {
        let inner = shared.inner();
        (inner.paused.clone(), inner.compactions.clone())
    };
    let validated = validate(&h, &body, &config, false, &paused, &compactions);
    let (rid, fault, usage) = {
        let mut inner = shared.inner();
        let rid = inner.next_id();
        let fault = if validated.is_ok() {
            inner
                .faults
                .pop_front()
                .or_else(|| config.fault_mix.and_then(|mix| inner.draw_fault(&mix)))
        } else {
            None
        };
        let usage = match &validated {
            Ok(v) if !matches!(fault, Some(Fault::Status { .. })) => {
                input_usage(&after_compaction(v), &config, &mut inner)
            }
            _ => InputUsage::default(),
        };
        let status = match (&validated, &fault) {
            (Err((s, _, _)), _) => *s,
            (_, Some(Fault::Status { status, .. })) => *status,
            (_, Some(Fault::ProxyHtml { status })) => *status,
            _ => 200,
        };
        inner.record("POST", "/v1/messages", h, &body, status);
        (rid, fault, usage)
    };
    let v = match validated {
        Ok(v) => v,
        Err((s, t, m)) => return error_response(s, t, &m, &rid),
    };
    if !config.latency.is_zero() {
        tokio::time::sleep(config.latency).await;
    }
    let mut fault = fault;
    if let Some(Fault::SlowFirstByte(d)) = fault {
        tokio::time::sleep(d).await;
        fault = None;
    }
    if let Some(Fault::ProxyHtml { status }) = fault {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
        let page = format!(
            "<html>\r\n<head><title>{code}</title></head>\r\n<body>\r\n<center><h1>{code}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        );
        let mut resp = (code, page).into_response();
        resp.headers_mut()
            .insert("content-type", HeaderValue::from_static("text/html"));
        return resp;
    }
    if let Some(Fault::NotAStream { content_type, body }) = &fault {
        let mut resp = (StatusCode::OK, body.clone()).into_response();
        if let Ok(v) = HeaderValue::from_str(content_type) {
            resp.headers_mut().insert("content-type", v);
        }
        return resp;
    }
    if let Some(Fault::Status {
        status,
        error_type,
        message,
        headers,
        details,
    }) = &fault
    {
        let mut resp = error_response(*status, error_type, message, &rid);
        if let Some(d) = details {
            let body = json!({"type": "error", "error": {"type": error_type, "message": message, "details": d}, "request_id": rid});
            let mut r = (
                StatusCode::from_u16(*status).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
                axum::Json(body),
            )
                .into_response();
            r.headers_mut().insert(
                "request-id",
                HeaderValue::from_str(&rid).unwrap_or(HeaderValue::from_static("x")),
            );
            resp = r;
        }
        for (k, val) in headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(val),
            ) {
                resp.headers_mut().insert(name, value);
            }
        }
        return resp;
    }
    let last = v["messages"].as_array().and_then(|m| m.last());
    let last_user = last
        .map(|m| content_text(&m["content"]))
        .unwrap_or_default();
    // A request ending with the assistant's paused answer continues it (validated above).
    let continuing = last.is_some_and(|m| m["role"] == "assistant");
    let mut text = match &fault {
        Some(Fault::Reply(t)) | Some(Fault::StopReason { text: t, .. }) => t.clone(),
        _ if continuing => "and that is the rest of it.".to_string(),
        _ => {
            summary_of_tagged_turns(&last_user).unwrap_or_else(|| format!("You said: {last_user}"))
        }
    };
    let mut stop_reason: String = match &fault {
        Some(Fault::StopReason { stop_reason, .. }) => stop_reason.clone(),
        _ => "end_turn".to_string(),
    };
    // Like the API, cap the answer by tokens (the fake's count), not by words; thinking spends
    // the same cap first.
    let thinking_tokens = if config.thinking {
        config.thinking_tokens
    } else {
        0
    };
    let max_tokens = v["max_tokens"]
        .as_u64()
        .unwrap_or(1024)
        .saturating_sub(thinking_tokens);
    if max_tokens == 0 {
        stop_reason = "max_tokens".to_string();
    }
    let word_cap = match &fault {
        Some(Fault::MaxTokens { words }) => Some(*words),
        _ => None,
    };
    // Input plus max_tokens over the model's window is accepted; the answer then stops where
    // the window is full, with its own stop reason.
    let room = v["model"]
        .as_str()
        .and_then(|m| entry(&config, m))
        .map(|e| {
            e.context_window
                .saturating_sub(prompt_tokens(&after_compaction(&v)))
        });
    let words: Vec<String> = split_words(&text);
    let mut kept = String::new();
    for (i, w) in words.iter().enumerate() {
        let next = count(&format!("{kept}{w}"));
        if room.is_some_and(|r| next > r) && room < Some(max_tokens) {
            stop_reason = "model_context_window_exceeded".to_string();
            break;
        }
        if word_cap.is_some_and(|cap| i >= cap) || next > max_tokens {
            stop_reason = "max_tokens".to_string();
            break;
        }
        kept.push_str(w);
    }
    text = kept;
    if stop_reason == "pause_turn" {
        // What the client sends back next: the whole answer so far.
        let so_far = if continuing {
            format!("{last_user}{text}")
        } else {
            text.clone()
        };
        shared.inner().paused.push(so_far);
    }
    let words = split_words(&text);
    // Server-side compaction: past the trigger, the conversation so far becomes one summary
    // block (with an opaque part the client must send back as it came), and the answer is
    // written from it.
    let effective = after_compaction(&v);
    let compacted = v
        .get("context_management")
        .and_then(|cm| compaction_trigger(cm, v["model"].as_str(), &config).ok())
        .filter(|&t| prompt_tokens(&effective) > t)
        .map(|_| {
            // It stands for everything sent so far, the new question included: the next
            // request ignores all that comes before the block.
            let msgs = effective["messages"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let all: String = msgs
                .iter()
                .map(|m| content_text(&m["content"]))
                .collect::<Vec<_>>()
                .join("\n");
            let mut ids = Vec::new();
            let mut rest = all.as_str();
            while let Some(i) = rest.find("[T:") {
                let Some(end) = rest[i..].find(']') else {
                    break;
                };
                let id = &rest[i..i + end + 1];
                if !ids.contains(&id) {
                    ids.push(id);
                }
                rest = &rest[i + end..];
            }
            let summary = format!(
                "Compacted summary of {} earlier messages. folded: {}",
                msgs.len(),
                ids.join(" ")
            );
            let encrypted = format!("enc_{rid}_{:x}", fnv(&summary));
            shared.inner().compactions.push(encrypted.clone());
            let compaction_input = prompt_tokens(&effective);
            let system = match v.get("system") {
                Some(Value::String(s)) => count(s),
                Some(b @ Value::Array(_)) => count(&content_text(b)),
                _ => 0,
            };
            let message_input = system + count(&summary) + count(&last_user) + 8;
            (summary, encrypted, compaction_input, message_input)
        });
    let model = dated(&config, v["model"].as_str().unwrap_or_default());
    let id = format!("msg_fake_{rid}");
    let scale = |n: u64| (n as f64 * config.token_factor).ceil() as u64;
    let mut usage = usage.scaled(scale);
    if let Some((_, _, _, message_input)) = &compacted {
        // The answer was written from the compaction: nothing of this prompt was cached.
        usage = InputUsage {
            uncached: scale(*message_input),
            ..InputUsage::default()
        };
    }
    let (input, cache_creation, cache_read) = (usage.uncached, usage.written(), usage.read);
    // As the API reports writes: in all, and by TTL.
    let by_ttl = json!({"ephemeral_5m_input_tokens": usage.write_5m,
        "ephemeral_1h_input_tokens": usage.write_1h});
    let output_tokens = count(&text) + thinking_tokens;
    let thinking_text = "hmm ".repeat(thinking_tokens.min(100_000) as usize);
    // Thinking that spent the whole cap leaves no text block at all.
    let text_block = !(thinking_tokens > 0 && text.is_empty() && stop_reason == "max_tokens");
    let streaming = v["stream"].as_bool().unwrap_or(false);
    // With a compaction: the block, and usage per iteration (the top level is the message's).
    let compaction_block = compacted.as_ref().map(|(summary, encrypted, _, _)| {
        json!({"type": "compaction", "content": summary, "encrypted_content": encrypted})
    });
    let iterations = compacted.as_ref().map(|(summary, _, compaction_input, _)| {
        json!([
            {"type": "compaction", "input_tokens": scale(*compaction_input), "output_tokens": count(summary),
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
            {"type": "message", "input_tokens": input, "output_tokens": output_tokens,
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        ])
    });
    let mut final_usage = json!({"input_tokens": input, "output_tokens": output_tokens,
        "cache_creation_input_tokens": cache_creation, "cache_read_input_tokens": cache_read,
        "cache_creation": by_ttl});
    if let Some(it) = &iterations {
        final_usage["iterations"] = it.clone();
    }
    if !streaming {
        let mut content = Vec::new();
        if let Some(b) = &compaction_block {
            content.push(b.clone());
        }
        if config.thinking {
            content.push(
                json!({"type": "thinking", "thinking": thinking_text, "signature": "sig_fake"}),
            );
        }
        if text_block {
            content.push(json!({"type": "text", "text": text}));
        }
        let body = json!({
            "id": id, "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stop_reason, "stop_sequence": null, "usage": final_usage
        });
        let mut resp = axum::Json(body).into_response();
        resp.headers_mut().insert(
            "request-id",
            HeaderValue::from_str(&rid).unwrap_or(HeaderValue::from_static("x")),
        );
        return resp;
    }

    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let inner = shared.inner.clone();
    tokio::spawn(async move {
        let send = |b: Bytes| {
            let tx = tx.clone();
            async move { tx.send(Ok(b)).await.is_ok() }
        };
        let mut alive = send(sse("message_start", &json!({"type": "message_start", "message": {
            "id": id, "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input, "output_tokens": 1,
                      "cache_creation_input_tokens": cache_creation, "cache_read_input_tokens": cache_read,
                      "cache_creation": by_ttl}}}))).await;
        if config.extra_events {
            alive &= send(sse("ping", &json!({"type": "ping"}))).await;
        }
        let mut index = 0;
        if let (Some(b), true) = (&compaction_block, alive) {
            // The block starts empty; one compaction_delta carries it whole.
            alive &= send(sse("content_block_start", &json!({"type": "content_block_start", "index": index, "content_block": {"type": "compaction", "content": null, "encrypted_content": null}}))).await;
            alive &= send(sse("content_block_delta", &json!({"type": "content_block_delta", "index": index, "delta": {"type": "compaction_delta", "content": b["content"], "encrypted_content": b["encrypted_content"]}}))).await;
            alive &= send(sse(
                "content_block_stop",
                &json!({"type": "content_block_stop", "index": index}),
            ))
            .await;
            index += 1;
        }
        if config.thinking && alive {
            alive &= send(sse("content_block_start", &json!({"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}))).await;
            alive &= send(sse("content_block_delta", &json!({"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta", "thinking": thinking_text}}))).await;
            alive &= send(sse("content_block_delta", &json!({"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta", "signature": "sig_fake"}}))).await;
            alive &= send(sse(
                "content_block_stop",
                &json!({"type": "content_block_stop", "index": index}),
            ))
            .await;
            index += 1;
        }
        if alive && text_block {
            alive &= send(sse("content_block_start", &json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}))).await;
        }
        if matches!(fault, Some(Fault::Endless)) {
            for _ in 0..100_000_000u64 {
                if !send(sse("content_block_delta", &json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": "and more "}}))).await {
                    break;
                }
            }
            inner.lock().unwrap_or_else(|e| e.into_inner()).disconnects += 1;
            return;
        }
        let per = config.words_per_delta.max(1);
        for (n, chunk) in words.chunks(per).enumerate() {
            if !alive {
                break;
            }
            match &fault {
                Some(Fault::CutStream { after_deltas }) if n == *after_deltas => return,
                Some(Fault::Stall {
                    after_deltas,
                    pause,
                }) if n == *after_deltas => tokio::time::sleep(*pause).await,
                Some(Fault::Reset { after_deltas }) if n == *after_deltas => {
                    return abort_body(&tx).await;
                }
                Some(Fault::ErrorEvent {
                    after_deltas,
                    error_type,
                    message,
                }) if n == *after_deltas => {
                    let _ = send(sse("error", &json!({"type": "error", "error": {"type": error_type, "message": message}}))).await;
                    return;
                }
                _ => {}
            }
            if !config.delta_delay.is_zero() {
                tokio::time::sleep(config.delta_delay).await;
            }
            alive &= send(sse("content_block_delta", &json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": chunk.concat()}}))).await;
            if config.extra_events && n == 0 {
                alive &= send(sse("fake_future_event", &json!({"type": "fake_future_event", "note": "clients must ignore unknown events"}))).await;
            }
        }
        if alive {
            match &fault {
                Some(Fault::CutStream { .. }) => return,
                Some(Fault::Reset { .. }) => return abort_body(&tx).await,
                Some(Fault::ErrorEvent {
                    error_type,
                    message,
                    ..
                }) => {
                    let _ = send(sse("error", &json!({"type": "error", "error": {"type": error_type, "message": message}}))).await;
                    return;
                }
                _ => {}
            }
            if text_block {
                alive &= send(sse(
                    "content_block_stop",
                    &json!({"type": "content_block_stop", "index": index}),
                ))
                .await;
            }
            let mut delta_usage = json!({"output_tokens": output_tokens});
            if let Some(it) = &iterations {
                delta_usage["iterations"] = it.clone();
            }
            alive &= send(sse("message_delta", &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null}, "usage": delta_usage}))).await;
            alive &= send(sse("message_stop", &json!({"type": "message_stop"}))).await;
        }
        if !alive {
            inner.lock().unwrap_or_else(|e| e.into_inner()).disconnects += 1;
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    let hm = resp.headers_mut();
    hm.insert(
        "content-type",
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    hm.insert("cache-control", HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&rid) {
        hm.insert("request-id", v);
    }
    resp
}

/// The answer to a summarizing request (kubectl-mcp's `<summary>`/`<turns>` prompt) whose turns
/// carry test ids like `[T:w3-t7]`: the previous summary, then one line listing the ids this
/// call folded, in order, each once. Tests read the final summary to prove that every turn was
/// folded at most once and none was dropped. `None` for any other request.
pub fn summary_of_tagged_turns(prompt: &str) -> Option<String> {
    let turns_start = prompt.find("<turns>\n")? + "<turns>\n".len();
    let turns_end = prompt[turns_start..].find("</turns>")? + turns_start;
    let turns = &prompt[turns_start..turns_end];
    let mut ids: Vec<&str> = Vec::new();
    let mut rest = turns;
    while let Some(i) = rest.find("[T:") {
        let after = &rest[i..];
        let Some(end) = after.find(']') else { break };
        let id = &after[..=end];
        if !ids.contains(&id) {
            ids.push(id);
        }
        rest = &after[end..];
    }
    if ids.is_empty() {
        return None;
    }
    let previous = prompt
        .find("<summary>\n")
        .and_then(|i| {
            let start = i + "<summary>\n".len();
            prompt[start..]
                .find("\n</summary>")
                .map(|end| prompt[start..start + end].to_string())
        })
        .unwrap_or_default();
    let line = format!("folded: {}", ids.join(" "));
    Some(if previous.is_empty() {
        line
    } else {
        format!("{previous}\n{line}")
    })
}

/// Words with their trailing whitespace, so concatenated deltas rebuild the text exactly.
fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            in_space = true;
        } else if in_space {
            out.push(std::mem::take(&mut cur));
            in_space = false;
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_lists_the_tagged_turns_it_folds_once_each() {
        let p = "Current summary of the earlier conversation:\n<summary>\nfolded: [T:a]\n</summary>\n\nTurns to fold into the summary, oldest first:\n<turns>\nUser: [T:b] hi\nAssistant: You said: [T:b] hi\nUser: [T:c]\n</turns>\n\nWrite the updated summary.";
        assert_eq!(
            summary_of_tagged_turns(p).unwrap(),
            "folded: [T:a]\nfolded: [T:b] [T:c]"
        );
        assert_eq!(summary_of_tagged_turns("User: [T:x]"), None);
    }

    #[test]
    fn words_rebuild_the_text() {
        let t = "You said:  hello\nworld ";
        assert_eq!(split_words(t).concat(), t);
        assert_eq!(split_words("a b").len(), 2);
    }

    fn headers() -> BTreeMap<String, String> {
        [
            ("x-api-key", "k"),
            ("anthropic-version", "2023-06-01"),
            ("content-type", "application/json"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    fn check(body: Value) -> Result<Value, (u16, &'static str, String)> {
        validate(
            &headers(),
            body.to_string().as_bytes(),
            &Config::default(),
            false,
            &[],
            &[],
        )
    }

    /// A body of `n` turns of about 1,000 tokens each after a system prompt of about 2,000,
    /// with breakpoints: `system_ttl` on the system prompt, `end_ttl` on the newest turn
    /// (`Some("")` for the default TTL).
    fn cached_body(turns: usize, system_ttl: Option<&str>, end_ttl: Option<&str>) -> Value {
        let cc = |ttl: &str| {
            if ttl.is_empty() {
                json!({"type": "ephemeral"})
            } else {
                json!({"type": "ephemeral", "ttl": ttl})
            }
        };
        let mut system = json!({"type": "text", "text": "rules ".repeat(1300)});
        if let Some(t) = system_ttl {
            system["cache_control"] = cc(t);
        }
        let mut messages = Vec::new();
        for i in 0..turns {
            messages
                .push(json!({"role": "user", "content": format!("q{i} {}", "word ".repeat(800))}));
            messages.push(
                json!({"role": "assistant", "content": format!("a{i} {}", "word ".repeat(800))}),
            );
        }
        if let (Some(t), Some(last)) = (end_ttl, messages.last_mut()) {
            let text = last["content"].clone();
            last["content"] = json!([{"type": "text", "text": text, "cache_control": cc(t)}]);
        }
        messages.push(json!({"role": "user", "content": "next"}));
        json!({"model": "claude-sonnet-4-5", "max_tokens": 5, "system": [system], "messages": messages})
    }

    #[test]
    fn a_one_hour_breakpoint_after_a_five_minute_one_is_refused() {
        for (system, end, ok) in [
            (Some("1h"), Some("5m"), true),
            (Some("1h"), Some("1h"), true),
            (Some(""), Some(""), true),
            (Some("5m"), Some("1h"), false),
            (Some(""), Some("1h"), false),
        ] {
            let r = check(cached_body(2, system, end));
            assert_eq!(r.is_ok(), ok, "{system:?} then {end:?}: {r:?}");
            if let Err((code, _, m)) = r {
                assert_eq!(code, 400);
                assert!(m.contains("must not come after"), "{m}");
            }
        }
        let bad = cached_body(2, Some("2h"), None);
        assert!(check(bad).unwrap_err().2.contains("'5m' or '1h'"));
    }

    #[test]
    fn writes_are_billed_by_ttl_and_a_hit_renews_only_the_entry_read() {
        let config = Config::default();
        let mut inner = Inner::default();
        // A one-hour system prompt and a five-minute window: each part billed at its own TTL.
        let u = input_usage(&cached_body(2, Some("1h"), Some("5m")), &config, &mut inner);
        assert!(
            u.write_1h > 1500 && u.write_5m > 1500 && u.read == 0,
            "{u:?}"
        );
        let system = u.write_1h;
        // Four minutes on, the next turn reads the five-minute entry (the longer prefix) and
        // renews it, not the system prompt's.
        inner.clock_offset += Duration::from_secs(240);
        let u = input_usage(&cached_body(3, Some("1h"), Some("5m")), &config, &mut inner);
        assert!(
            u.read > system && u.write_1h == 0 && u.write_5m > 0,
            "{u:?}"
        );
        // 58 minutes after the first write the window entries are long gone; the system
        // prompt's hour is not over yet, and it is read.
        inner.clock_offset += Duration::from_secs(54 * 60);
        let u = input_usage(&cached_body(3, Some("1h"), Some("5m")), &config, &mut inner);
        assert_eq!(u.read, system, "{u:?}");
        // That read renewed it: 50 minutes later (108 after its write) it is still there.
        inner.clock_offset += Duration::from_secs(50 * 60);
        let u = input_usage(&cached_body(1, Some("1h"), None), &config, &mut inner);
        assert_eq!(u.read, system, "{u:?}");
        // An entry read through a longer one only: a one-hour system prompt written, then
        // only five-minute window reads for 70 minutes: the system prompt's entry expired.
        let mut inner = Inner::default();
        let _ = input_usage(&cached_body(1, Some("1h"), Some("5m")), &config, &mut inner);
        for turns in 2..16 {
            inner.clock_offset += Duration::from_secs(280);
            let u = input_usage(
                &cached_body(turns, Some("1h"), Some("5m")),
                &config,
                &mut inner,
            );
            assert!(u.read > system, "turn {turns}: {u:?}");
        }
        inner.clock_offset += Duration::from_secs(400);
        let u = input_usage(
            &cached_body(16, Some("1h"), Some("5m")),
            &config,
            &mut inner,
        );
        assert_eq!((u.read, u.write_1h > 0), (0, true), "{u:?}");
    }

    #[test]
    fn validation_refuses_what_the_api_refuses() {
        let ok =
            json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]});
        assert!(check(ok).is_ok());
        for (body, want) in [
            (
                json!({"max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}),
                "model: Field required",
            ),
            (
                json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}),
                "max_tokens",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "messages": []}),
                "at least one message",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "messages": [{"role": "assistant", "content": "hi"}]}),
                "first message",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}),
                "alternate",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "a"}]}),
                "role",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}),
                "prefill",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "system": 3, "messages": [{"role": "user", "content": "a"}]}),
                "system",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "bogus": 1, "messages": [{"role": "user", "content": "a"}]}),
                "Extra inputs",
            ),
            (
                json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": " "}]}),
                "non-empty",
            ),
        ] {
            let err = check(body).unwrap_err();
            assert_eq!(err.0, 400);
            assert!(err.2.contains(want), "{want}: {}", err.2);
        }
        let mut h = headers();
        h.remove("anthropic-version");
        assert!(validate(&h, b"{}", &Config::default(), false, &[], &[])
            .unwrap_err()
            .2
            .contains("anthropic-version"));
        let mut h = headers();
        h.remove("x-api-key");
        assert_eq!(
            validate(&h, b"{}", &Config::default(), false, &[], &[])
                .unwrap_err()
                .0,
            401
        );
    }
}
