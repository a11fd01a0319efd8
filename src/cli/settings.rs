//! The settings of a context, one flag per spec field, shared by `create`, `chat`, `set` and the
//! REPL's `/set`.

use super::*;

/// Settings of a context: one flag per spec field. Shared by `create` and `chat`, which
/// creates the context when it is missing and applies the flags given to an existing one.
/// `KUBECTL_MCP_MODEL` is read where a new context is made, not here, so that a flag set here
/// always means it was typed.
#[derive(Debug, Args, Clone, Default)]
pub struct ContextSettings {
    /// Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default
    /// $KUBECTL_MCP_MODEL).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,

    /// System prompt (sent as the API's top-level `system`).
    #[arg(long, value_name = "TEXT", conflicts_with = "system_file")]
    pub system: Option<String>,

    /// Read the system prompt from a file (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    pub system_file: Option<PathBuf>,

    /// Prompt budget in tokens (system + summary + history + new message).
    #[arg(long, value_name = "TOKENS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_tokens: Option<u32>,

    /// Cap on the tokens of each answer (the API's max_tokens; default 1024).
    #[arg(long, value_name = "TOKENS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_output_tokens: Option<u32>,

    /// Most turns kept in the active window.
    #[arg(long, value_name = "TURNS", value_parser = clap::value_parser!(u32).range(1..))]
    pub history_size: Option<u32>,

    /// What happens to turns that leave the window.
    #[arg(long, value_enum, value_name = "STRATEGY")]
    pub strategy: Option<SummarizationStrategy>,

    /// Expire the context this long from now, e.g. 24h, 7d, 90m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "expires_at")]
    pub expires_in: Option<Duration>,

    /// Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub expires_at: Option<jiff::Timestamp>,

    /// Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL).
    #[arg(long, value_name = "DURATION", value_parser = parse_idle_ttl)]
    pub idle_ttl: Option<String>,

    /// How long Claude's prompt cache keeps the conversation: 5m (default) or 1h, for slow
    /// conversations (spec.cacheTTL).
    #[arg(long, value_enum, value_name = "TTL")]
    pub cache_ttl: Option<crate::model::resource::CacheTtl>,

    /// A label for the resource, key=value (repeatable).
    #[arg(long = "label", short = 'L', value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,
    /// Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys,
    /// tokens, private keys, Secret data) in every message before it is stored or sent
    /// (spec.redaction.enabled).
    #[arg(long, value_enum, value_name = "on|off")]
    pub redaction: Option<Toggle>,
}

impl From<&ContextSettings> for crate::model::resource::ContextTemplate {
    fn from(s: &ContextSettings) -> Self {
        Self {
            model: s.model.clone(),
            system: s.system.clone(),
            system_file: s.system_file.clone(),
            max_tokens: s.max_tokens,
            max_output_tokens: s.max_output_tokens,
            history_size: s.history_size,
            strategy: s.strategy,
            expires_in: s.expires_in,
            expires_at: s.expires_at,
            idle_ttl: s.idle_ttl.clone(),
            cache_ttl: s.cache_ttl,
            labels: s.labels.clone(),
            redaction: s.redaction.map(|r| r == Toggle::On),
        }
    }
}
