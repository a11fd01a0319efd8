//! Session IDs → `metadata.name` (SPEC §2).
//!
//! A session ID that is already a valid DNS-1123 subdomain is used as the name unchanged, so
//! `kubectl get cmc demo` works as people expect. Any other ID becomes a readable slug plus a hash
//! of the raw ID: stable (the same ID always reaches the same object) and collision-free in
//! practice (two IDs would need the same 64-bit hash prefix *and* the same slug). The raw ID is
//! always kept in `spec.sessionID`, and lookups check it, so even a deliberate collision is
//! detected rather than silently sharing a conversation.

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::model::resource::MAX_SESSION_ID_LEN;

/// Kubernetes' limit for a DNS-1123 subdomain.
const MAX_NAME_LEN: usize = 253;
/// Room kept for the readable part of a derived name; the rest is `-` and the hash.
const SLUG_LEN: usize = 40;
/// Hex digits of SHA-256 kept in a derived name (64 bits).
const HASH_HEX_LEN: usize = 16;

/// A session ID that cannot name a context.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SessionIdError {
    /// The empty string.
    #[error(
        "the session ID is empty: give a non-empty identifier such as `demo` or `alice/support`"
    )]
    Empty,
    /// Longer than SPEC §1 allows.
    #[error("the session ID is {len} characters long; the limit is {MAX_SESSION_ID_LEN}")]
    TooLong {
        /// Length in characters.
        len: usize,
    },
}

/// Check a raw session ID against SPEC §1 (1–512 characters).
pub fn validate_session_id(id: &str) -> Result<(), SessionIdError> {
    let len = id.chars().count();
    if len == 0 {
        return Err(SessionIdError::Empty);
    }
    if len > MAX_SESSION_ID_LEN {
        return Err(SessionIdError::TooLong { len });
    }
    Ok(())
}

/// True when `s` is a valid DNS-1123 subdomain: at most 253 characters of lowercase
/// alphanumerics, `-` and `.`, each dot-separated label starting and ending alphanumeric.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_NAME_LEN {
        return false;
    }
    s.split('.').all(|label| {
        let b = label.as_bytes();
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    })
}

/// The `metadata.name` for a session ID. Validates the ID first.
pub fn name_for_session(id: &str) -> Result<String, SessionIdError> {
    validate_session_id(id)?;
    if is_dns1123_subdomain(id) {
        return Ok(id.to_string());
    }
    let hash = Sha256::digest(id.as_bytes());
    let hex: String = hash
        .iter()
        .take(HASH_HEX_LEN / 2)
        .map(|b| format!("{b:02x}"))
        .collect();
    let slug = slug(id);
    Ok(if slug.is_empty() {
        format!("session-{hex}")
    } else {
        format!("{slug}-{hex}")
    })
}

/// A readable, lowercase, `[a-z0-9-]` rendering of `id`: unicode transliterated ("Café" → "cafe"),
/// every other run of characters collapsed into one `-`, trimmed to [`SLUG_LEN`].
fn slug(id: &str) -> String {
    let ascii = deunicode::deunicode(id).to_ascii_lowercase();
    let mut out = String::with_capacity(SLUG_LEN);
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
            if out.len() >= SLUG_LEN {
                break;
            }
        } else {
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_dns_name_is_used_as_it_is() {
        assert_eq!(name_for_session("demo").unwrap(), "demo");
        assert_eq!(name_for_session("team.a-1").unwrap(), "team.a-1");
    }

    #[test]
    fn slashes_spaces_and_punctuation_become_a_slug_plus_hash() {
        let n = name_for_session("Alice/support #42").unwrap();
        assert!(n.starts_with("alice-support-42-"), "{n}");
        assert!(is_dns1123_subdomain(&n));
        assert_eq!(n, name_for_session("Alice/support #42").unwrap(), "stable");
    }

    #[test]
    fn uppercase_ids_do_not_collide_with_their_lowercase_twin() {
        let upper = name_for_session("Demo").unwrap();
        assert_ne!(upper, "demo");
        assert_ne!(upper, name_for_session("DEMO").unwrap());
        assert!(is_dns1123_subdomain(&upper));
    }

    #[test]
    fn unicode_is_transliterated_or_hashed() {
        let cafe = name_for_session("Café ☕").unwrap();
        assert!(cafe.starts_with("cafe-"), "{cafe}");
        let emoji_only = name_for_session("🦀🦀").unwrap();
        assert!(is_dns1123_subdomain(&emoji_only), "{emoji_only}");
        let han = name_for_session("会话").unwrap();
        assert!(is_dns1123_subdomain(&han), "{han}");
    }

    #[test]
    fn long_ids_are_accepted_up_to_512_characters() {
        let id: String = "x/".repeat(256);
        assert_eq!(id.chars().count(), 512);
        let n = name_for_session(&id).unwrap();
        assert!(is_dns1123_subdomain(&n) && n.len() <= 63, "{n}");
        let dns_but_too_long_for_a_name = "a".repeat(300);
        let n = name_for_session(&dns_but_too_long_for_a_name).unwrap();
        assert!(is_dns1123_subdomain(&n), "{n}");
    }

    #[test]
    fn over_512_characters_is_a_clear_error() {
        let err = name_for_session(&"é".repeat(600)).unwrap_err();
        assert_eq!(err, SessionIdError::TooLong { len: 600 });
        assert!(err.to_string().contains("512"));
    }

    #[test]
    fn empty_is_a_clear_error() {
        let err = name_for_session("").unwrap_err();
        assert_eq!(err, SessionIdError::Empty);
        assert!(err.to_string().contains("empty"));
    }

    #[test]
    fn dns_check_follows_kubernetes_rules() {
        for ok in ["a", "a-b", "a.b", "0", "a1.b2-c3"] {
            assert!(is_dns1123_subdomain(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a..b", ".a", "a.", "a_b", "a b", "é"] {
            assert!(!is_dns1123_subdomain(bad), "{bad}");
        }
    }

    #[test]
    fn many_similar_ids_get_distinct_names() {
        let mut seen = HashSet::new();
        for i in 0..5000 {
            for id in [
                format!("User {i}"),
                format!("user/{i}"),
                format!("USER_{i}"),
            ] {
                assert!(seen.insert(name_for_session(&id).unwrap()), "{id}");
            }
        }
    }
}
