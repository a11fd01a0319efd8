//! When to retry, and how long to wait: the official SDKs' rules (exponential backoff from 0.5 s
//! doubling to 8 s, with jitter; `retry-after-ms` and `retry-after` honoured; `x-should-retry`
//! obeyed), plus a ceiling on how long a CLI user is made to wait.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// Retry settings.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff.
    pub initial: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
    /// Longest server-requested wait we honour; past it we give up at once rather than retry
    /// early into another refusal.
    pub max_server_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_server_wait: Duration::from_secs(60),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// The server asked for a wait longer than we allow.
    TooFar(Duration),
    /// Give up.
    Stop,
}

/// Statuses the SDKs retry: 408, 409, 429 and every 5xx (529 included).
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// `x-should-retry: true|false`, when present.
fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry")?.to_str().ok()?.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The wait the server asked for: `retry-after-ms`, else `retry-after` in seconds or as an HTTP
/// date.
pub fn server_wait(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate_to_unix(value)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(when.saturating_sub(now)))
}

/// IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`) to Unix seconds.
fn httpdate_to_unix(s: &str) -> Option<u64> {
    let ts = jiff::fmt::rfc2822::parse(s).ok()?.timestamp();
    u64::try_from(ts.as_second()).ok()
}

impl RetryPolicy {
    /// Backoff for retry number `retry` (0 for the first), jittered down by up to 25%.
    pub fn backoff(&self, retry: u32) -> Duration {
        let base = self
            .initial
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let jitter = 1.0 - fastrand::f64() * 0.25;
        base.mul_f64(jitter)
    }

    /// Decide after attempt number `attempt` (1-based) failed with `status` (`None`: no answer,
    /// a connection error). `hopeless` marks answers retrying cannot fix (a spend-limit 429).
    pub fn decide(
        &self,
        attempt: u32,
        status: Option<u16>,
        headers: Option<&HeaderMap>,
        hopeless: bool,
    ) -> Decision {
        if attempt > self.max_retries || hopeless {
            return Decision::Stop;
        }
        let wanted = match (headers.and_then(should_retry_header), status) {
            (Some(explicit), _) => explicit,
            (None, Some(s)) => retryable_status(s),
            (None, None) => true,
        };
        if !wanted {
            return Decision::Stop;
        }
        match headers.and_then(server_wait) {
            Some(wait) if wait > self.max_server_wait => Decision::TooFar(wait),
            Some(wait) => Decision::Retry(wait),
            None => Decision::Retry(self.backoff(attempt - 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_documented_statuses_are_retried_and_the_rest_are_not() {
        let p = RetryPolicy::default();
        for s in [408, 409, 429, 500, 502, 503, 504, 529] {
            assert!(
                matches!(p.decide(1, Some(s), None, false), Decision::Retry(_)),
                "{s}"
            );
        }
        for s in [400, 401, 402, 403, 404, 413, 422] {
            assert_eq!(p.decide(1, Some(s), None, false), Decision::Stop, "{s}");
        }
        assert!(
            matches!(p.decide(1, None, None, false), Decision::Retry(_)),
            "connection errors"
        );
        assert_eq!(
            p.decide(3, Some(529), None, false),
            Decision::Stop,
            "after max retries"
        );
        assert_eq!(
            p.decide(1, Some(429), None, true),
            Decision::Stop,
            "spend limit"
        );
    }

    #[test]
    fn x_should_retry_overrides_the_status() {
        let p = RetryPolicy::default();
        let no = headers(&[("x-should-retry", "false")]);
        assert_eq!(p.decide(1, Some(529), Some(&no), false), Decision::Stop);
        let yes = headers(&[("x-should-retry", "true")]);
        assert!(matches!(
            p.decide(1, Some(400), Some(&yes), false),
            Decision::Retry(_)
        ));
    }

    #[test]
    fn server_waits_are_honoured_in_every_spelling() {
        let p = RetryPolicy::default();
        let ms = headers(&[("retry-after-ms", "1500"), ("retry-after", "9")]);
        assert_eq!(
            p.decide(1, Some(429), Some(&ms), false),
            Decision::Retry(Duration::from_millis(1500))
        );
        let s = headers(&[("retry-after", "2")]);
        assert_eq!(
            p.decide(1, Some(429), Some(&s), false),
            Decision::Retry(Duration::from_secs(2))
        );
        let far = headers(&[("retry-after", "3600")]);
        assert_eq!(
            p.decide(1, Some(429), Some(&far), false),
            Decision::TooFar(Duration::from_secs(3600))
        );
        let date = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
        assert_eq!(
            server_wait(&date),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = RetryPolicy::default();
        for (retry, full) in [(0, 500), (1, 1000), (2, 2000), (5, 8000), (30, 8000)] {
            let d = p.backoff(retry).as_millis() as u64;
            assert!(d <= full && d >= full * 3 / 4, "retry {retry}: {d}ms");
        }
    }
}
