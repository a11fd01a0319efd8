//! Values typed on the command line: durations, idle TTLs, times, labels, the request timeout,
//! each refused with a message that shows a good one.

use super::*;

/// A duration such as `90s`, `24h`, `7d`, `1h30m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration ({e}); examples: 30s, 15m, 24h, 7d"))
}

/// An idle TTL as the schema accepts it: digits and units, e.g. `12h`, `1h30m`, `7d`.
pub(super) fn parse_idle_ttl(s: &str) -> Result<String, String> {
    let t = s.trim();
    if idle_ttl_units_ok(t) && humantime::parse_duration(t).is_ok() {
        Ok(t.to_string())
    } else {
        Err(format!(
            "`{s}` is not an idle TTL: use digits and units ms, s, m, h, d, w, e.g. 12h, 7d, 1h30m"
        ))
    }
}

/// Units the CRD's pattern allows (`ms|s|m|h|d|w`).
pub(super) fn idle_ttl_units_ok(t: &str) -> bool {
    let mut rest = t;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w"]
            .iter()
            .find(|u| rest.starts_with(*u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// kubectl's `--request-timeout`: a duration, or a bare number of seconds; 0 disables it.
pub(super) fn parse_request_timeout(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<u64>() {
        Ok(secs) => Ok(Duration::from_secs(secs)),
        Err(_) => parse_duration(s),
    }
}

/// An RFC 3339 time.
pub(super) fn parse_time(s: &str) -> Result<jiff::Timestamp, String> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .map_err(|e| format!("`{s}` is not an RFC 3339 time ({e}); example: 2026-12-31T00:00:00Z"))
}

/// `key=value`; Kubernetes validates the syntax of both halves and its error is shown as is.
pub(super) fn parse_label(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not a label: use key=value")),
    }
}
