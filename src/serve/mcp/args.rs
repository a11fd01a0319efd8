//! The tools' arguments, as JSON Schema the client shows the model: each struct is one tool's
//! input, wrapped in [`Args`] so that a bad value is a tool error the model can act on, not a
//! protocol error.

use super::*;

/// Tool arguments of type `T`, whose deserialization errors name the field at fault
/// (`keepLast: invalid value: integer -1, expected u32`), with `T`'s own schema.
#[derive(Debug)]
pub struct Args<T>(pub T);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Args<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        serde_path_to_error::deserialize(v).map(Args).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." {
                serde::de::Error::custom(inner)
            } else {
                serde::de::Error::custom(format!("{path}: {inner}"))
            }
        })
    }
}

impl<T: JsonSchema> JsonSchema for Args<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// `list_contexts` arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListContextsArgs {
    /// Namespace to list (default: the server's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
    /// List every namespace the caller may read.
    #[serde(default)]
    pub all_namespaces: bool,
    /// Label selector, e.g. `team=sre,env!=prod`.
    #[serde(default)]
    pub labels: Option<String>,
    /// Only contexts in this state.
    #[serde(default)]
    pub state: Option<ContextState>,
}

/// `search_contexts` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SearchContextsArgs {
    /// The text to look for (case is ignored).
    pub text: String,
    /// Namespace to search (default: the server's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Search every namespace the caller may read.
    #[serde(default)]
    pub all_namespaces: bool,
    /// Label selector, e.g. `team=sre`.
    #[serde(default)]
    pub labels: Option<String>,
}

/// A context named by session ID (or resource name).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetContextArgs {
    /// Session ID or resource name.
    pub session: String,
    /// Namespace (default: the server's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
    /// How many of the newest turns to return (default 5; 0 for none).
    #[serde(default)]
    pub last_turns: Option<u32>,
}

/// `create_context` arguments: the settings of `kubectl mcp create`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateContextArgs {
    /// Session ID (any text, 1–512 characters); the resource name is derived from it.
    pub session: String,
    /// Claude model ID or alias, e.g. `claude-sonnet-4-5`.
    pub model: String,
    /// Namespace (default: the server's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
    /// System prompt.
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// Prompt budget in tokens.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Cap on each answer's tokens.
    #[serde(default)]
    pub max_output_tokens: Option<u32>,
    /// Most turns kept in the active window.
    #[serde(default)]
    pub history_size: Option<u32>,
    /// What happens to turns that leave the window.
    #[serde(default)]
    pub strategy: Option<SummarizationStrategy>,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Expire this long from now, e.g. `24h`, `7d`.
    #[serde(default)]
    pub expires_in: Option<String>,
}

/// `ask` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AskArgs {
    /// Session ID or resource name of an existing context.
    pub session: String,
    /// The message to send (one user turn).
    pub message: String,
    /// Namespace (default: the server's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// `summarize` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SummarizeArgs {
    /// Session ID or resource name.
    pub session: String,
    /// Namespace (default: the server's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Turns to keep as they are (default 2, at least 1); the older ones are folded into the
    /// summary.
    #[serde(default)]
    pub keep_last: Option<u32>,
    /// Only say what would be folded.
    #[serde(default)]
    pub dry_run: bool,
}

/// `expire` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExpireArgs {
    /// Namespace (default: the server's namespace).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Every namespace the caller may read.
    #[serde(default)]
    pub all_namespaces: bool,
    /// Label selector.
    #[serde(default)]
    pub labels: Option<String>,
    /// Also expire contexts idle this long, e.g. `24h`, `7d`.
    #[serde(default)]
    pub idle: Option<String>,
    /// Delete instead of marking Expired.
    #[serde(default)]
    pub delete: bool,
    /// Only plan (the default): set to false to act.
    #[serde(default = "yes")]
    pub dry_run: bool,
}

pub(super) fn yes() -> bool {
    true
}
