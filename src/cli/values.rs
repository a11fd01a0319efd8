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

/// A setting as typed: a value, or `none`, which takes back what was set before (`set`), or
/// asks for none at all (`create`, even over the configuration's default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrNone<T> {
    /// Set to this.
    Value(T),
    /// Remove.
    None,
}

impl<T: Clone> OrNone<T> {
    /// The value, when one was typed.
    pub fn value(&self) -> Option<T> {
        match self {
            OrNone::Value(v) => Some(v.clone()),
            OrNone::None => None,
        }
    }
}

/// `none`, in any case.
fn is_none_word(s: &str) -> bool {
    s.trim().eq_ignore_ascii_case("none")
}

/// A count from 1 (`--max-tokens`, `--history-size`…), or `none`.
pub(super) fn count_or_none(s: &str) -> Result<OrNone<u32>, String> {
    if is_none_word(s) {
        return Ok(OrNone::None);
    }
    match s.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(OrNone::Value(n)),
        _ => Err(format!(
            "`{s}` is not a whole number from 1 to {}; `none` removes the limit",
            u32::MAX
        )),
    }
}

/// `--expires-in`: a duration, or `none`.
pub(super) fn duration_or_none(s: &str) -> Result<OrNone<Duration>, String> {
    if is_none_word(s) {
        return Ok(OrNone::None);
    }
    parse_duration(s)
        .map(OrNone::Value)
        .map_err(|e| format!("{e}; `none` removes the expiry"))
}

/// `--expires-at`: an RFC 3339 time, or `none`.
pub(super) fn time_or_none(s: &str) -> Result<OrNone<jiff::Timestamp>, String> {
    if is_none_word(s) {
        return Ok(OrNone::None);
    }
    parse_time(s)
        .map(OrNone::Value)
        .map_err(|e| format!("{e}; `none` removes the expiry"))
}

/// `--idle-ttl`: an idle TTL, or `none`.
pub(super) fn idle_ttl_or_none(s: &str) -> Result<OrNone<String>, String> {
    if is_none_word(s) {
        return Ok(OrNone::None);
    }
    parse_idle_ttl(s)
        .map(OrNone::Value)
        .map_err(|e| format!("{e}; `none` removes it"))
}

/// `-L`: a label to set, or one to remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelArg {
    /// `key=value`.
    Set(String, String),
    /// `key-`, as `kubectl label` removes one.
    Remove(String),
}

/// `key=value`, or `key-` to remove the label; Kubernetes validates the syntax of both halves
/// and its error is shown as is.
pub(super) fn parse_label(s: &str) -> Result<LabelArg, String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok(LabelArg::Set(k.to_string(), v.to_string())),
        None if s.len() > 1 && s.ends_with('-') => {
            Ok(LabelArg::Remove(s[..s.len() - 1].to_string()))
        }
        _ => Err(format!(
            "`{s}` is not a label: use key=value, or key- to remove one"
        )),
    }
}
