//! How the client is set up: the base URL (checked, so a bad `ANTHROPIC_BASE_URL` is an error
//! that names it), the key from the environment, retries and the stall limit, and where notices
//! for a person go.

use super::*;

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
    /// Time to establish a connection (`KUBECTL_MCP_CONNECT_TIMEOUT`).
    pub connect_timeout: Duration,
    /// Longest wait for an answer's headers after a request is sent
    /// (`KUBECTL_MCP_FIRST_BYTE_TIMEOUT`); an attempt that hits it is retried like a refused
    /// connection, within [`ClaudeConfig::call_timeout`].
    pub first_byte_timeout: Duration,
    /// Longest silence between two events of an answer that has begun (`ping`s count), and
    /// while an error body is read (`KUBECTL_MCP_STALL_TIMEOUT`).
    pub idle_timeout: Duration,
    /// Longest time one call may take to begin answering, every attempt, backoff and
    /// rate-limit wait included (`KUBECTL_MCP_CALL_TIMEOUT`): an endpoint that accepts and
    /// never answers fails the call within it, and no retry starts that it could not hold. An
    /// answer that has begun is not cut by it (long answers stream for minutes; the stall
    /// limit and the answer cap bound them).
    pub call_timeout: Duration,
    /// Where a retry is announced to the person waiting (`retrying in 0.5 s (1/2)…`): one
    /// plain line on stderr by default, nowhere for `None`. The detailed record is a log line,
    /// shown with `-v`.
    pub notices: Option<Notices>,
    /// Where the Models API's answers are kept for a day, per endpoint and model, so that
    /// a scripted run (one process per turn) asks once a day, not once a process; `None` keeps
    /// them for the process only.
    pub models_cache: Option<std::path::PathBuf>,
    /// Why `ANTHROPIC_BASE_URL` cannot be used (set but empty, blank or not UTF-8), refused by
    /// [`ClaudeClient::new`]: falling back to the public API would send the key somewhere the
    /// user did not ask for.
    pub(super) base_url_problem: Option<String>,
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

/// The connect limit when `KUBECTL_MCP_CONNECT_TIMEOUT` is unset.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The first-byte limit when `KUBECTL_MCP_FIRST_BYTE_TIMEOUT` is unset: the API sends a
/// stream's headers at once, before the model has written anything.
pub const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);

/// The call limit when `KUBECTL_MCP_CALL_TIMEOUT` is unset: with the turn's own cluster
/// writes, a turn against an endpoint that never answers fails within 90 s.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(80);

/// A duration from the environment variable `name` (e.g. `30s`, `2m`), else `default`; set
/// but not a positive duration is an error that names the variable.
fn duration_from_env(name: &str, default: Duration) -> Result<Duration, ClaudeError> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => humantime::parse_duration(v.trim())
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                ClaudeError::Config(format!(
                    "{name} must be a duration such as 30s or 2m, got `{v}`"
                ))
            }),
        _ => Ok(default),
    }
}

/// `KUBECTL_MCP_STALL_TIMEOUT`, else [`DEFAULT_STALL_TIMEOUT`].
pub fn stall_timeout() -> Result<Duration, ClaudeError> {
    duration_from_env("KUBECTL_MCP_STALL_TIMEOUT", DEFAULT_STALL_TIMEOUT)
}

/// Every wait limit from the environment, checked: (connect, first byte, stall, call).
pub(super) fn limits_from_env() -> Result<(Duration, Duration, Duration, Duration), ClaudeError> {
    Ok((
        duration_from_env("KUBECTL_MCP_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)?,
        duration_from_env("KUBECTL_MCP_FIRST_BYTE_TIMEOUT", DEFAULT_FIRST_BYTE_TIMEOUT)?,
        stall_timeout()?,
        duration_from_env("KUBECTL_MCP_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT)?,
    ))
}

impl ClaudeConfig {
    /// The base URL as it may be shown: credentials written inside it are replaced.
    pub fn shown_url(&self) -> String {
        crate::claude::key::shown_url(&self.base_url)
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
            connect_timeout: duration_from_env(
                "KUBECTL_MCP_CONNECT_TIMEOUT",
                DEFAULT_CONNECT_TIMEOUT,
            )
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            first_byte_timeout: duration_from_env(
                "KUBECTL_MCP_FIRST_BYTE_TIMEOUT",
                DEFAULT_FIRST_BYTE_TIMEOUT,
            )
            .unwrap_or(DEFAULT_FIRST_BYTE_TIMEOUT),
            notices: Some(Notices::stderr()),
            idle_timeout: stall_timeout().unwrap_or(DEFAULT_STALL_TIMEOUT),
            call_timeout: duration_from_env("KUBECTL_MCP_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT)
                .unwrap_or(DEFAULT_CALL_TIMEOUT),
            models_cache: None,
        }
    }
}

/// The base URL `ANTHROPIC_BASE_URL` names (`value`), else the public API when it is unset, with
/// the reason it cannot be used when it is set but empty, blank or not UTF-8.
pub(super) fn base_url_from_env(value: Option<std::ffi::OsString>) -> (String, Option<String>) {
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
pub(super) fn max_retries() -> Option<u32> {
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
