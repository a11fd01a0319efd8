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

    /// System prompt (sent as the API's top-level `system`); `''` or `-` removes it.
    #[arg(long, value_name = "TEXT", conflicts_with = "system_file")]
    pub system: Option<String>,

    /// Read the system prompt from a file (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    pub system_file: Option<PathBuf>,

    /// Prompt budget in tokens (system + summary + history + new message); `none`: no limit
    /// besides the model's.
    #[arg(long, value_name = "TOKENS|none", value_parser = count_or_none)]
    pub max_tokens: Option<OrNone<u32>>,

    /// Cap on the tokens of each answer (the API's max_tokens); `none`: the default, 1024.
    #[arg(long, value_name = "TOKENS|none", value_parser = count_or_none)]
    pub max_output_tokens: Option<OrNone<u32>>,

    /// Most turns kept in the active window; `none`: no turn limit.
    #[arg(long, value_name = "TURNS|none", value_parser = count_or_none)]
    pub history_size: Option<OrNone<u32>>,

    /// What happens to turns that leave the window.
    #[arg(long, value_enum, value_name = "STRATEGY")]
    pub strategy: Option<SummarizationStrategy>,

    /// Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry.
    /// 0 expires it now, which asks first (or needs --yes).
    #[arg(long, value_name = "DURATION|none", value_parser = duration_or_none, conflicts_with = "expires_at")]
    pub expires_in: Option<OrNone<Duration>>,

    /// Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the
    /// expiry. A time past asks first (or needs --yes).
    #[arg(long, value_name = "TIME|none", value_parser = time_or_none)]
    pub expires_at: Option<OrNone<jiff::Timestamp>>,

    /// Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL);
    /// `none` removes it.
    #[arg(long, value_name = "DURATION|none", value_parser = idle_ttl_or_none)]
    pub idle_ttl: Option<OrNone<String>>,

    /// How long Claude's prompt cache keeps the conversation (spec.cacheTTL): auto (the
    /// default) picks per request by the conversation's pace; 5m or 1h fixes it.
    #[arg(long, value_enum, value_name = "TTL")]
    pub cache_ttl: Option<CacheTtlArg>,

    /// A label for the resource, key=value (repeatable); `key-` removes one (`set`).
    #[arg(long = "label", short = 'L', value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<LabelArg>,
    /// Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys,
    /// tokens, private keys, Secret data) in every message before it is stored or sent
    /// (spec.redaction.enabled).
    #[arg(long, value_enum, value_name = "on|off")]
    pub redaction: Option<Toggle>,

    /// Expire the context now without asking, when --expires-in is 0 or --expires-at is past
    /// (needed when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

/// `--cache-ttl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheTtlArg {
    /// Chosen per request by the conversation's pace (spec.cacheTTL unset).
    Auto,
    /// Five minutes, for every request.
    #[value(name = "5m")]
    FiveMinutes,
    /// One hour, for every request.
    #[value(name = "1h")]
    OneHour,
}

impl From<&ContextSettings> for crate::model::resource::ContextTemplate {
    fn from(s: &ContextSettings) -> Self {
        use crate::model::resource::CacheTtl;
        let mut unset = Vec::new();
        let mut none = |typed: bool, field: &'static str| {
            if typed {
                unset.push(field);
            }
        };
        // `--system ''` and `--system -` take the prompt back (`--system-file -` is stdin).
        let system = s.system.clone().filter(|p| !p.is_empty() && p != "-");
        none(s.system.is_some() && system.is_none(), "systemPrompt");
        none(s.max_tokens == Some(OrNone::None), "maxTokens");
        none(s.max_output_tokens == Some(OrNone::None), "maxOutputTokens");
        none(s.history_size == Some(OrNone::None), "historySize");
        none(
            s.expires_in == Some(OrNone::None) || s.expires_at == Some(OrNone::None),
            "expirationTime",
        );
        none(s.idle_ttl == Some(OrNone::None), "idleTTL");
        none(s.cache_ttl == Some(CacheTtlArg::Auto), "cacheTTL");
        let (labels, unlabel) =
            s.labels
                .iter()
                .fold((Vec::new(), Vec::new()), |(mut set, mut unset), l| {
                    match l {
                        LabelArg::Set(k, v) => set.push((k.clone(), v.clone())),
                        LabelArg::Remove(k) => unset.push(k.clone()),
                    }
                    (set, unset)
                });
        Self {
            model: s.model.clone(),
            system,
            system_file: s.system_file.clone(),
            max_tokens: s.max_tokens.as_ref().and_then(OrNone::value),
            max_output_tokens: s.max_output_tokens.as_ref().and_then(OrNone::value),
            history_size: s.history_size.as_ref().and_then(OrNone::value),
            strategy: s.strategy,
            expires_in: s.expires_in.as_ref().and_then(OrNone::value),
            expires_at: s.expires_at.as_ref().and_then(OrNone::value),
            idle_ttl: s.idle_ttl.as_ref().and_then(OrNone::value),
            cache_ttl: match s.cache_ttl {
                Some(CacheTtlArg::FiveMinutes) => Some(CacheTtl::FiveMinutes),
                Some(CacheTtlArg::OneHour) => Some(CacheTtl::OneHour),
                _ => None,
            },
            labels,
            redaction: s.redaction.map(|r| r == Toggle::On),
            unset,
            unlabel,
        }
    }
}
