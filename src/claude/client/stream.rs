//! Streaming an answer: server-sent events read as they come, with a stall limit, the answer cap,
//! `pause_turn` continuations, and a cut stream asked again once; every event the API documents
//! is understood and an unknown one is skipped.

use super::*;

/// With server-side compaction, `usage.iterations` lists each step (`compaction`, `message`)
/// and the top-level figures leave the compaction step out: what was billed is the sum.
pub(super) fn bill_iterations(reply: &mut Reply, usage: &Value) {
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

impl ClaudeClient {
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
        let mut clock = CallClock::start(self.config.call_timeout);
        loop {
            self.wait_gate(Limit::Messages, &clock).await;
            let reply = match self.stream_once(&body, n, on_text, shows, &clock).await {
                Ok(reply) => reply,
                Err(f) => {
                    self.after_failure("Claude", Limit::Messages, n, f, &mut clock)
                        .await?;
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
                clock = CallClock::start(self.config.call_timeout);
                continue;
            }
            return Ok(reply);
        }
    }

    /// One attempt: the headers within the first-byte limit (or what is left of the call's),
    /// then the answer's events, each within the stall limit (and the call's, which the time
    /// events were arriving extends).
    pub(super) async fn stream_once(
        &self,
        body: &MessagesRequest,
        n: u32,
        on_text: &mut (dyn FnMut(&str) + Send),
        shows: bool,
        clock: &CallClock,
    ) -> Result<Reply, Failure> {
        let resp = self.first_bytes(body, n, clock).await?;
        let rid = request_id(resp.headers());
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
                Attempt {
                    n,
                    request_id: rid,
                    deadline: clock.deadline,
                },
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

    /// The answer's headers, within the first-byte limit (or what is left of the call's): an
    /// event stream, or the failure it is instead.
    async fn first_bytes(
        &self,
        body: &MessagesRequest,
        n: u32,
        clock: &CallClock,
    ) -> Result<reqwest::Response, Failure> {
        let wait = self.first_byte_wait(clock);
        tracing::debug!(model = %body.model, messages = body.messages.len(), attempt = n, "POST /v1/messages (stream)");
        // No whole-request timeout for a stream (answers can be long), but the headers must come
        // within the first-byte limit.
        let mut post = self.post("/v1/messages").json(body);
        if !body.betas.is_empty() {
            post = post.header("anthropic-beta", body.betas.join(","));
        }
        let started = std::time::Instant::now();
        let sent = tokio::time::timeout(wait, post.send()).await;
        self.log_request(
            "POST",
            "/v1/messages",
            started,
            match &sent {
                Ok(Ok(r)) => Ok(r.status()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!(
                    "no answer within {}",
                    humantime::format_duration(wait)
                )),
            },
        );
        let sent = sent.map_err(|_| Failure {
            // Nothing was shown: a stall is retried like a connection error.
            error: self.no_first_byte(wait, n),
            status: None,
            headers: None,
            final_: false,
            progressed: Duration::ZERO,
        })?;
        let resp = sent.map_err(|e| self.failure_from_transport(&e, n, wait))?;
        if !resp.status().is_success() {
            return Err(self.error_from(resp, n).await);
        }
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
        Ok(resp)
    }

    /// Read an answer's server-sent events from `body` (the response's bytes; any stream of
    /// byte chunks, so the parser can be fed arbitrary input in tests).
    pub(super) async fn read_stream<S, E>(
        &self,
        body: S,
        attempt: Attempt,
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
        let mut events = bounded(body, size::raw_stream_cap(text_cap)).eventsource();
        let mut r = Reading::new(attempt.request_id, attempt.n, text_cap, shows);
        loop {
            let event = self
                .next_event(&mut events, &mut r, attempt.deadline)
                .await?;
            let data = match self.decoded(&event) {
                Ok(Some(data)) => data,
                Ok(None) => continue,
                // Not JSON: a final failure, asking again gets the same server.
                Err(cause) => {
                    let e = ClaudeError::Decode {
                        what: "stream event",
                        cause,
                    };
                    return Err(r.failure(e, false));
                }
            };
            let kind = match event.event.as_str() {
                "" | "message" => data.get("type").and_then(Value::as_str).unwrap_or(""),
                k => k,
            };
            if kind == "error" {
                return Err(r.error_event(self, &data));
            }
            if r.on_event(kind, &data, on_text) {
                return Ok(r.reply);
            }
        }
    }

    /// The next event, within the stall limit or the rest of the call's when that is shorter
    /// (time without an event counts against the call, time with events does not); a stall
    /// or a cut is a failure to retry.
    async fn next_event<S, E>(
        &self,
        events: &mut S,
        r: &mut Reading,
        deadline: tokio::time::Instant,
    ) -> Result<eventsource_stream::Event, Failure>
    where
        S: futures::Stream<Item = Result<eventsource_stream::Event, E>> + Unpin,
        E: std::fmt::Display,
    {
        let left =
            (deadline + r.progressed()).saturating_duration_since(tokio::time::Instant::now());
        let wait = self.config.idle_timeout.min(left);
        let Ok(next) = tokio::time::timeout(wait, events.next()).await else {
            let setting = if wait < self.config.idle_timeout {
                "KUBECTL_MCP_CALL_TIMEOUT"
            } else {
                "KUBECTL_MCP_STALL_TIMEOUT"
            };
            let e = ClaudeError::Timeout {
                base_url: self.config.shown_url(),
                after: wait,
                attempts: r.attempts,
                setting: setting.to_string(),
                in_all: None,
            };
            return Err(r.failure(e, true));
        };
        r.arrived();
        match next {
            Some(Ok(event)) => Ok(event),
            None | Some(Err(_)) => {
                if let Some(Err(e)) = &next {
                    tracing::debug!(error = %e, "stream read failed");
                }
                let e = ClaudeError::StreamCut {
                    received_chars: r.reply.text.chars().count(),
                };
                Err(r.failure(e, true))
            }
        }
    }

    /// An event's data as JSON; `None` for an empty one (skipped), or why it is not JSON.
    fn decoded(&self, event: &eventsource_stream::Event) -> Result<Option<Value>, String> {
        match serde_json::from_str(&event.data) {
            Ok(v) => Ok(Some(v)),
            Err(_) if event.data.trim().is_empty() => Ok(None),
            Err(e) => Err(format!(
                "{e} in `{}`",
                self.redact(&event.data)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )),
        }
    }
}

/// The response's bytes, failing once more than `raw_cap` have come.
fn bounded<S, E>(
    body: S,
    raw_cap: usize,
) -> impl futures::Stream<Item = Result<bytes::Bytes, std::io::Error>>
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    let mut raw = 0usize;
    body.map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        raw += chunk.len();
        if raw > raw_cap {
            return Err(std::io::Error::other(format!(
                "the answer stream passed {raw_cap} bytes"
            )));
        }
        Ok(chunk)
    })
}

/// An answer being read from its events: what has come so far, and what bounds it.
struct Reading {
    reply: Reply,
    /// A compaction block being read (`content_block_start` to `content_block_stop`).
    compaction: Option<serde_json::Map<String, Value>>,
    /// The answer's stored size so far, against `text_cap`.
    text_len: usize,
    text_cap: usize,
    attempts: u32,
    /// Whether the text is shown as it comes: then a failure after some text is final.
    shows: bool,
    /// When events came: the first, and the last so far.
    flowing: Option<(tokio::time::Instant, tokio::time::Instant)>,
}

impl Reading {
    fn new(request_id: Option<String>, attempts: u32, text_cap: usize, shows: bool) -> Self {
        Self {
            reply: Reply {
                id: String::new(),
                model: String::new(),
                text: String::new(),
                stop_reason: None,
                usage: Usage::default(),
                request_id,
                continuations: 0,
                blocks: Vec::new(),
                compaction: None,
            },
            compaction: None,
            text_len: 2,
            text_cap,
            attempts,
            shows,
            flowing: None,
        }
    }

    /// An event (or the end) came now.
    fn arrived(&mut self) {
        let now = tokio::time::Instant::now();
        self.flowing = Some((self.flowing.map_or(now, |(first, _)| first), now));
    }

    /// How long events have been arriving (time that does not count against the call).
    fn progressed(&self) -> Duration {
        self.flowing
            .map_or(Duration::ZERO, |(first, last)| last - first)
    }

    /// The attempt failed with `error`: before any text has been shown it may be retried
    /// (when `retryable`); after, never.
    fn failure(&self, error: ClaudeError, retryable: bool) -> Failure {
        Failure {
            final_: (self.shows && !self.reply.text.is_empty()) || !retryable,
            error,
            status: None,
            headers: None,
            progressed: self.progressed(),
        }
    }

    /// An `error` event: the API's error, with the status its type stands for.
    fn error_event(&self, client: &ClaudeClient, data: &Value) -> Failure {
        let err = &data["error"];
        let kind = ApiErrorKind::classify(0, err["type"].as_str(), false);
        let status = kind.status();
        let e = ClaudeError::Api(Box::new(ApiError {
            status,
            kind,
            message: client.redact(err["message"].as_str().unwrap_or("error event")),
            request_id: self.reply.request_id.clone(),
            attempts: self.attempts,
            mid_stream: !self.reply.text.is_empty(),
        }));
        let retryable = crate::claude::retry::retryable_status(status);
        Failure {
            status: Some(status),
            ..self.failure(e, retryable)
        }
    }

    /// Take one event; `true` when the answer is complete (`message_stop`, or cut at its cap).
    fn on_event(
        &mut self,
        kind: &str,
        data: &Value,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> bool {
        match kind {
            "message_start" => {
                let m = &data["message"];
                self.reply.id = m["id"].as_str().unwrap_or_default().to_string();
                self.reply.model = m["model"].as_str().unwrap_or_default().to_string();
                if let Ok(u) = serde_json::from_value::<Usage>(m["usage"].clone()) {
                    self.reply.usage = u;
                }
                bill_iterations(&mut self.reply, &m["usage"]);
            }
            "content_block_delta" if data["delta"]["type"] == "text_delta" => {
                if let Some(t) = data["delta"]["text"].as_str() {
                    return self.text(t, on_text);
                }
            }
            "content_block_delta" if data["delta"]["type"] == "compaction_delta" => {
                self.compaction_delta(&data["delta"]);
            }
            "content_block_stop" => {
                if let Some(b) = self.compaction.take() {
                    self.reply.blocks.push(b);
                }
            }
            "content_block_start" if data["content_block"]["type"] == "compaction" => {
                self.compaction = data["content_block"].as_object().cloned();
            }
            "content_block_start" => {
                let block = &data["content_block"];
                if block["type"] == "text" {
                    if let Some(t) = block["text"].as_str().filter(|t| !t.is_empty()) {
                        self.reply.text.push_str(t);
                        on_text(t);
                    }
                }
            }
            "message_delta" => self.message_delta(data),
            "message_stop" => return true,
            // ping, thinking/signature deltas, and event types added after this was written.
            _ => {}
        }
        false
    }

    /// A piece of text: kept and shown, unless it passes the answer cap (a server that
    /// ignores `max_tokens`): then what fits is kept, the answer is marked cut and ends here.
    fn text(&mut self, t: &str, on_text: &mut (dyn FnMut(&str) + Send)) -> bool {
        let size = size::stored_str_len(t) - 2;
        self.text_len += size;
        if self.text_len > self.text_cap {
            let kept = size::prefix_within(t, self.text_cap.saturating_sub(self.text_len - size));
            self.reply.text.push_str(kept);
            on_text(kept);
            tracing::warn!(
                cap = self.text_cap,
                "the answer passed the size cap for its max_tokens; cut off"
            );
            self.reply.stop_reason = Some(crate::claude::types::CUT_OFF.to_string());
            return true;
        }
        self.reply.text.push_str(t);
        on_text(t);
        false
    }

    /// One delta carries the compaction's summary and the opaque part; both are kept as the
    /// API gave them, the opaque part replaced by any later one.
    fn compaction_delta(&mut self, delta: &Value) {
        let Some(b) = &mut self.compaction else {
            return;
        };
        if let Some(c) = delta["content"].as_str() {
            let before = b["content"].as_str().unwrap_or_default().to_string();
            b.insert("content".into(), Value::String(before + c));
        }
        if let Some(e) = delta.get("encrypted_content") {
            if !e.is_null() {
                b.insert("encrypted_content".into(), e.clone());
            }
        }
    }

    /// The stop reason and the usage figures; newer API versions repeat the input figures
    /// here, taken when present.
    fn message_delta(&mut self, data: &Value) {
        if let Some(r) = data["delta"]["stop_reason"].as_str() {
            self.reply.stop_reason = Some(r.to_string());
        }
        let u = &data["usage"];
        let usage = &mut self.reply.usage;
        if let Some(o) = u["output_tokens"].as_u64() {
            usage.output_tokens = o;
        }
        if let Some(i) = u["input_tokens"].as_u64() {
            usage.input_tokens = i;
        }
        if let Some(c) = u["cache_creation_input_tokens"].as_u64() {
            usage.cache_creation_input_tokens = c;
        }
        if let Some(c) = u["cache_read_input_tokens"].as_u64() {
            usage.cache_read_input_tokens = c;
        }
        if let Ok(c) = serde_json::from_value(u["cache_creation"].clone()) {
            usage.cache_creation = Some(c);
        }
        bill_iterations(&mut self.reply, u);
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
                Attempt {
                    n: 1,
                    request_id: None,
                    deadline: tokio::time::Instant::now() + Duration::from_secs(60),
                },
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
