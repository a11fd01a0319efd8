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

/// The secrets this process holds (its key, URL credentials), as far as it has learnt them: what
/// log lines and the REPL's line history are checked against, wherever the text came from.
static KNOWN: std::sync::RwLock<Vec<String>> = std::sync::RwLock::new(Vec::new());

/// Add `secrets` to those this process holds (too short ones are ignored, like [`Masker`]'s).
pub fn remember(secrets: impl IntoIterator<Item = String>) {
    if let Ok(mut known) = KNOWN.write() {
        for s in secrets {
            let s = s.trim().to_string();
            if s.len() >= MIN_SECRET && !known.contains(&s) {
                known.push(s);
            }
        }
    }
}

/// The keys in this process's environment (`ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN`, the
/// credentials of `ANTHROPIC_BASE_URL`), remembered before anything is logged.
pub fn remember_environment() {
    let var = |name| std::env::var(name).ok();
    let mut secrets: Vec<String> = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"]
        .into_iter()
        .filter_map(var)
        .collect();
    if let Some(url) = var("ANTHROPIC_BASE_URL") {
        secrets.extend(url_secrets(&url));
    }
    remember(secrets);
}

/// `text` with every secret this process holds replaced.
pub fn mask_known(text: &str) -> String {
    match KNOWN.read() {
        Ok(known) if known.iter().any(|s| text.contains(s.as_str())) => {
            Masker::new(known.clone()).redact(text)
        }
        _ => text.to_string(),
    }
}

/// Whether `text` holds a secret this process holds.
pub fn holds_known(text: &str) -> bool {
    KNOWN
        .read()
        .is_ok_and(|known| known.iter().any(|s| text.contains(s.as_str())))
}

/// What replaces a secret wherever the tool writes text.
pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are not searched for (they would match ordinary text).
const MIN_SECRET: usize = 4;

/// Streaming redaction: text arrives in pieces and a secret may be cut between two, so the end
/// of what arrived that could begin a secret is held back until the next piece (or the end)
/// says whether it does. Nothing printed or stored through it contains a secret.
#[derive(Debug, Default)]
pub struct Masker {
    secrets: Vec<String>,
    pending: String,
}

impl Masker {
    /// A masker for these secrets (too short ones are ignored).
    pub fn new(secrets: Vec<String>) -> Self {
        Self {
            secrets: secrets
                .into_iter()
                .filter(|s| s.len() >= MIN_SECRET)
                .collect(),
            pending: String::new(),
        }
    }

    /// `text` with every secret replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        out
    }

    /// What of the text so far can be let through now.
    pub fn push(&mut self, piece: &str) -> String {
        if self.secrets.is_empty() {
            return piece.to_string();
        }
        self.pending.push_str(piece);
        self.pending = self.redact(&self.pending);
        let hold = self
            .secrets
            .iter()
            .map(|s| partial_at_end(&self.pending, s))
            .max()
            .unwrap_or(0);
        let cut = self.pending.len() - hold;
        let out = self.pending[..cut].to_string();
        self.pending.drain(..cut);
        out
    }

    /// The rest, at the end of the text.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.pending)
    }
}

/// The length of the longest end of `text` that is a proper beginning of `secret`.
fn partial_at_end(text: &str, secret: &str) -> usize {
    (1..secret.len())
        .rev()
        .find(|&k| {
            k <= text.len()
                && secret.is_char_boundary(k)
                && text.is_char_boundary(text.len() - k)
                && text.ends_with(&secret[..k])
        })
        .unwrap_or(0)
}

/// `url` with any `user:password@` replaced by `***@`, for messages, status and Events.
pub fn shown_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

/// The credentials written inside `url` (`user:password`, and the password alone), to redact.
pub fn url_secrets(url: &str) -> Vec<String> {
    let Some((_, rest)) = url.split_once("://") else {
        return Vec::new();
    };
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return Vec::new();
    };
    let userinfo = &authority[..at];
    let mut out = vec![userinfo.to_string()];
    if let Some((_, password)) = userinfo.split_once(':') {
        out.push(password.to_string());
    }
    out
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
    fn a_secret_cut_across_pieces_is_masked_and_nothing_else_is_held() {
        let key = "sk-ant-api03-SECRETKEY";
        let text = format!("your key is {key}, and {key}. done");
        let whole = Masker::new(vec![key.into()]).redact(&text);
        assert_eq!(whole, "your key is <redacted>, and <redacted>. done");
        let chars: Vec<char> = text.chars().collect();
        for size in 1..=7 {
            let mut m = Masker::new(vec![key.into()]);
            let mut out = String::new();
            for piece in chars.chunks(size) {
                let shown = m.push(&piece.iter().collect::<String>());
                assert!(!shown.contains("SECRET"), "{shown}");
                out.push_str(&shown);
            }
            out.push_str(&m.finish());
            assert_eq!(out, whole, "pieces of {size}");
        }
        // Text that only starts like the key is let through at the end.
        let mut m = Masker::new(vec![key.into()]);
        assert_eq!(m.push("ends with sk-ant"), "ends with ");
        assert_eq!(m.finish(), "sk-ant");
    }

    #[test]
    fn credentials_in_a_url_are_found_and_hidden() {
        let url = "https://alice:hunter22@gateway.example/v1";
        assert_eq!(shown_url(url), "https://***@gateway.example/v1");
        assert_eq!(url_secrets(url), ["alice:hunter22", "hunter22"]);
        assert_eq!(shown_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert!(url_secrets("https://api.anthropic.com").is_empty());
    }

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
