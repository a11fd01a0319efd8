//! Claude's Messages API: the client, its wire types, typed errors, retry rules, and the key
//! wrapper that keeps the key out of every log and message.

mod client;
mod error;
mod key;
mod retry;
mod types;

pub use client::{
    credentials_from_env, ClaudeClient, ClaudeConfig, Notices, DEFAULT_BASE_URL, MAX_CONTINUATIONS,
};
pub use error::{ApiError, ApiErrorKind, ClaudeError};
pub use key::{holds_known, mask_known, remember, remember_environment, REDACTED};
pub use key::{shown_url, url_secrets, Credentials, Masker, Secret};
pub use retry::{retryable_status, server_wait, Decision, RetryPolicy};
pub use types::{
    Block, CacheControl, CacheCreation, Content, MessagesRequest, Reply, RequestMessage, System,
    TextBlock, Usage, API_VERSION, COMPACTION_BETA, COMPACTION_EDIT, DEFAULT_COMPACTION_TRIGGER,
    MIN_COMPACTION_TRIGGER,
};
