//! The API key: a type that cannot leak through `Debug`, `Display`, logs or error messages.

use std::fmt;

/// How requests authenticate.
#[derive(Clone)]
pub enum Credentials {
    /// `x-api-key: …` (Anthropic's API).
    ApiKey(Secret),
    /// `Authorization: Bearer …` (gateways and proxies; `ANTHROPIC_AUTH_TOKEN`).
    Bearer(Secret),
    /// No authentication header: local servers (Ollama, llama.cpp, vLLM) behind a custom
    /// `ANTHROPIC_BASE_URL` that need no key.
    None,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Self::None => f.write_str("None"),
        }
    }
}

impl Credentials {
    /// The secret inside, for redaction.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            Self::ApiKey(s) | Self::Bearer(s) => Some(s),
            Self::None => None,
        }
    }
}

/// A secret string. Only [`Secret::expose`] gives the value, and only the HTTP layer calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a key, trimming the newline a file or `kubectl create secret --from-file` leaves.
    /// `None` for an empty key.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let v = value.into().trim().to_string();
        (!v.is_empty()).then_some(Self(v))
    }

    /// The value, for the request header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret replaced, for messages that echo input.
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "<redacted>")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_shows_in_debug_or_display() {
        let key = Secret::new("sk-ant-api03-SECRET\n").unwrap();
        assert_eq!(key.expose(), "sk-ant-api03-SECRET");
        let creds = Credentials::ApiKey(key.clone());
        for shown in [
            format!("{key:?}"),
            format!("{key}"),
            format!("{creds:?}"),
            format!("{:#?}", Some(&creds)),
        ] {
            assert!(!shown.contains("SECRET"), "{shown}");
        }
        assert_eq!(
            key.redact("bad key sk-ant-api03-SECRET!"),
            "bad key <redacted>!"
        );
        assert!(Secret::new("  ").is_none());
    }
}
