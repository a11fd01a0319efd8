//! Claude failures as a typed enum, with messages that say what to do next.

use std::time::Duration;

use thiserror::Error;

/// The API's `error.type`, one per row of the documented error table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 400 `invalid_request_error`.
    InvalidRequest,
    /// 401 `authentication_error`.
    Authentication,
    /// 402 `billing_error`.
    Billing,
    /// 403 `permission_error`.
    Permission,
    /// 404 `not_found_error` about the model.
    NotFound,
    /// 404 that is not about a model: the server has no Messages API at that path, most often
    /// a base URL with an extra `/v1`. Holds the base URL.
    NoEndpoint(String),
    /// 409 `conflict_error`.
    Conflict,
    /// 413 `request_too_large`.
    RequestTooLarge,
    /// 429 `rate_limit_error`.
    RateLimit,
    /// 429 with `error.details.error_code: enforced_spend_limit_reached`.
    SpendLimit,
    /// 500 `api_error`.
    Api,
    /// 504 `timeout_error`.
    Timeout,
    /// 529 `overloaded_error`.
    Overloaded,
    /// Anything else (a gateway's own error, a new type).
    Other(String),
}

impl ApiErrorKind {
    /// From the status and the body's `error.type`; the type wins when it is known.
    pub fn classify(status: u16, error_type: Option<&str>, spend_limit: bool) -> Self {
        if spend_limit {
            return Self::SpendLimit;
        }
        match error_type {
            Some("invalid_request_error") => Self::InvalidRequest,
            Some("authentication_error") => Self::Authentication,
            Some("billing_error") => Self::Billing,
            Some("permission_error") => Self::Permission,
            Some("not_found_error") => Self::NotFound,
            Some("conflict_error") => Self::Conflict,
            Some("request_too_large") => Self::RequestTooLarge,
            Some("rate_limit_error") => Self::RateLimit,
            Some("api_error") => Self::Api,
            Some("timeout_error") => Self::Timeout,
            Some("overloaded_error") => Self::Overloaded,
            _ => match status {
                400 => Self::InvalidRequest,
                401 => Self::Authentication,
                402 => Self::Billing,
                403 => Self::Permission,
                404 => Self::NotFound,
                409 => Self::Conflict,
                413 => Self::RequestTooLarge,
                429 => Self::RateLimit,
                500 => Self::Api,
                504 => Self::Timeout,
                529 => Self::Overloaded,
                _ => Self::Other(error_type.unwrap_or("error").to_string()),
            },
        }
    }

    /// The status a mid-stream `error` event of this type stands for.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::Authentication => 401,
            Self::Billing => 402,
            Self::Permission => 403,
            Self::NotFound | Self::NoEndpoint(_) => 404,
            Self::Conflict => 409,
            Self::RequestTooLarge => 413,
            Self::RateLimit | Self::SpendLimit => 429,
            Self::Api | Self::Other(_) => 500,
            Self::Timeout => 504,
            Self::Overloaded => 529,
        }
    }
}

/// An error answer from the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status (for a mid-stream event: the status its type stands for).
    pub status: u16,
    /// The classified `error.type`.
    pub kind: ApiErrorKind,
    /// `error.message`.
    pub message: String,
    /// The `request-id` header, for support tickets.
    pub request_id: Option<String>,
    /// Attempts made, including the first.
    pub attempts: u32,
    /// It arrived as an `error` event after some of the answer had streamed.
    pub mid_stream: bool,
}

impl ApiError {
    fn advice(&self) -> String {
        match &self.kind {
            ApiErrorKind::InvalidRequest if self.message.starts_with("prompt is too long") => {
                "the prompt exceeds the model's context window: lower the prompt budget (`kubectl mcp set SESSION --max-tokens N`) or summarize the context with `kubectl mcp summarize`".into()
            }
            ApiErrorKind::InvalidRequest => "the request was refused as invalid; this is likely a bug in kubectl-mcp or an incompatible endpoint (check ANTHROPIC_BASE_URL)".into(),
            ApiErrorKind::Authentication => "check ANTHROPIC_API_KEY (or the Secret named by --api-key-secret): the key was missing, wrong or revoked".into(),
            ApiErrorKind::Billing => "check the plan and billing details of your Anthropic account".into(),
            ApiErrorKind::Permission => "this API key may not use this model or feature; use another model (--model) or key".into(),
            ApiErrorKind::NotFound => "check the model name (spec.modelName, --model): `GET /v1/models` lists the models your key can use".into(),
            ApiErrorKind::NoEndpoint(base) if base.trim_end_matches('/').ends_with("/v1") => format!("ANTHROPIC_BASE_URL ({base}) ends in /v1, and the tool adds /v1/messages itself: drop the /v1 (e.g. https://api.anthropic.com)"),
            ApiErrorKind::NoEndpoint(base) => format!("the server at ANTHROPIC_BASE_URL ({base}) has no Messages API at /v1/messages: check the URL (the server's root, e.g. https://api.anthropic.com; the tool adds /v1/messages)"),
            ApiErrorKind::Conflict => "the API reported a conflict; try again".into(),
            ApiErrorKind::RequestTooLarge => "the request is over the API's size limit: summarize the context (`kubectl mcp summarize`) or lower the prompt budget (`kubectl mcp set SESSION --max-tokens N`)".into(),
            ApiErrorKind::RateLimit => "rate limited: wait a little and try again, or lower the concurrency".into(),
            ApiErrorKind::SpendLimit => "your organization's spend limit is reached: retrying cannot help until the limit is raised in the Anthropic Console".into(),
            ApiErrorKind::Api => "Claude had an internal error; try again".into(),
            ApiErrorKind::Timeout => "Claude timed out; try again, perhaps with a smaller window or answer cap".into(),
            ApiErrorKind::Overloaded => "Claude is overloaded right now; try again in a minute".into(),
            ApiErrorKind::Other(_) => "unexpected answer from the endpoint (check ANTHROPIC_BASE_URL)".into(),
        }
    }

    fn type_name(&self) -> &str {
        match &self.kind {
            ApiErrorKind::InvalidRequest => "invalid_request_error",
            ApiErrorKind::Authentication => "authentication_error",
            ApiErrorKind::Billing => "billing_error",
            ApiErrorKind::Permission => "permission_error",
            ApiErrorKind::NotFound | ApiErrorKind::NoEndpoint(_) => "not_found_error",
            ApiErrorKind::Conflict => "conflict_error",
            ApiErrorKind::RequestTooLarge => "request_too_large",
            ApiErrorKind::RateLimit | ApiErrorKind::SpendLimit => "rate_limit_error",
            ApiErrorKind::Api => "api_error",
            ApiErrorKind::Timeout => "timeout_error",
            ApiErrorKind::Overloaded => "overloaded_error",
            ApiErrorKind::Other(t) => t,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Claude API error {} {}{}: {}\n{}",
            self.status,
            self.type_name(),
            if self.mid_stream {
                " (in the middle of the answer)"
            } else {
                ""
            },
            self.message,
            self.advice()
        )?;
        if self.attempts > 1 {
            write!(f, " (gave up after {} attempts)", self.attempts)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request-id: {id}]")?;
        }
        Ok(())
    }
}

/// Anything that can go wrong talking to Claude.
#[derive(Debug, Error)]
pub enum ClaudeError {
    /// An error answer (status ≥ 400, or an `error` event mid-stream).
    #[error("{0}")]
    Api(Box<ApiError>),

    /// No answer at all: DNS, connection refused, TLS, reset.
    #[error("cannot reach the Claude API at {base_url}: {cause}{}\ncheck the network and ANTHROPIC_BASE_URL", attempts_note(*attempts))]
    Connection {
        /// Where we tried.
        base_url: String,
        /// The chain of causes.
        cause: String,
        /// Attempts made.
        attempts: u32,
    },

    /// Connected, but the answer did not arrive in time.
    #[error("the Claude API at {base_url} did not answer within {}{}{}: check that ANTHROPIC_BASE_URL names a Messages API that is up, or raise {setting}", humantime::format_duration(*after), attempts_note(*attempts), in_all.map(|t| format!(", {} in all", humantime::format_duration(t))).unwrap_or_default())]
    Timeout {
        /// Where we tried.
        base_url: String,
        /// The limit that was hit.
        after: Duration,
        /// Attempts made.
        attempts: u32,
        /// The setting that sets the limit (an environment variable), or the two of them when
        /// the call's own limit ended the retries.
        setting: String,
        /// How long the whole call took, when its limit ended it.
        in_all: Option<Duration>,
    },

    /// The stream ended before `message_stop`: the answer is incomplete and is not stored.
    #[error("the answer stream was cut after {received_chars} characters (no message_stop): the answer is incomplete and was not kept; try again")]
    StreamCut {
        /// Characters of answer text received before the cut.
        received_chars: usize,
    },

    /// A successful answer that is not an event stream: not retried, the same request gets
    /// the same page.
    #[error("the server at {base_url} answered with {what} ({content_type}) instead of an event stream{}: it does not look like the Messages API; check ANTHROPIC_BASE_URL", if first.is_empty() { String::new() } else { format!(", beginning `{first}`") })]
    NotAStream {
        /// Where we asked.
        base_url: String,
        /// What it looks like: "an HTML page", "JSON"…
        what: &'static str,
        /// Its `content-type`.
        content_type: String,
        /// Its first line, masked and bounded.
        first: String,
    },

    /// A 429 asked us to wait longer than we are willing to.
    #[error("rate limited: the API asks to retry after {}, longer than kubectl-mcp waits; try again later [request-id: {}]", humantime::format_duration(*retry_after), request_id.as_deref().unwrap_or("-"))]
    RetryTooFar {
        /// What the server asked for.
        retry_after: Duration,
        /// The request ID.
        request_id: Option<String>,
    },

    /// The answer could not be read.
    #[error("unreadable answer from the Claude API ({what}): {cause}")]
    Decode {
        /// Which part.
        what: &'static str,
        /// Why.
        cause: String,
    },

    /// The client could not be set up.
    #[error("{0}")]
    Config(String),
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

impl ClaudeError {
    /// The API error inside, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, t: &str, msg: &str) -> String {
        ClaudeError::Api(Box::new(ApiError {
            status,
            kind: ApiErrorKind::classify(status, Some(t), false),
            message: msg.into(),
            request_id: Some("req_1".into()),
            attempts: 1,
            mid_stream: false,
        }))
        .to_string()
    }

    #[test]
    fn every_documented_error_says_what_to_do() {
        for (status, t, want) in [
            (400, "invalid_request_error", "invalid"),
            (401, "authentication_error", "ANTHROPIC_API_KEY"),
            (402, "billing_error", "billing"),
            (403, "permission_error", "may not use"),
            (404, "not_found_error", "model name"),
            (409, "conflict_error", "conflict"),
            (413, "request_too_large", "summarize"),
            (429, "rate_limit_error", "rate limited"),
            (500, "api_error", "internal error"),
            (504, "timeout_error", "timed out"),
            (529, "overloaded_error", "overloaded"),
        ] {
            let msg = err(status, t, "boom");
            assert!(msg.contains(&format!("{status} {t}")), "{msg}");
            assert!(msg.contains(want), "{status}: {msg}");
            assert!(msg.contains("[request-id: req_1]"), "{msg}");
        }
        assert!(err(
            400,
            "invalid_request_error",
            "prompt is too long: 300000 tokens"
        )
        .contains("kubectl mcp set SESSION --max-tokens"));
        let spend = ApiErrorKind::classify(429, Some("rate_limit_error"), true);
        assert_eq!(spend, ApiErrorKind::SpendLimit);
    }

    #[test]
    fn unknown_types_fall_back_to_the_status() {
        assert_eq!(
            ApiErrorKind::classify(529, None, false),
            ApiErrorKind::Overloaded
        );
        assert_eq!(
            ApiErrorKind::classify(502, Some("bad_gateway"), false),
            ApiErrorKind::Other("bad_gateway".into())
        );
        assert_eq!(ApiErrorKind::classify(503, None, false).status(), 500);
    }
}
