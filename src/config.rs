//! The user's configuration file: defaults for new contexts (model, budget, answer cap,
//! strategy), a default namespace, and price overrides (a negotiated rate, a model the table
//! lacks).
//!
//! Where: `$KUBECTL_MCP_CONFIG`, else `$XDG_CONFIG_HOME/kubectl-mcp/config.yaml`, else
//! `~/.config/kubectl-mcp/config.yaml`; a missing file is an empty one. Precedence is the usual
//! one: a flag beats its environment variable (`KUBECTL_MCP_MODEL`, `KUBECTL_MCP_MAX_TOKENS`,
//! `KUBECTL_MCP_MAX_OUTPUT_TOKENS`, `KUBECTL_MCP_STRATEGY`, `KUBECTL_MCP_NAMESPACE`), which beats
//! the file. The file is read once, in `main`, so a broken file is reported before anything is
//! done, with its path and line.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::error::UsageError;
use crate::model::resource::SummarizationStrategy;

/// The file's contents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Model for new contexts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Prompt budget (`spec.maxTokens`) for new contexts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Answer cap (`spec.maxOutputTokens`) for new contexts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Summarization strategy for new contexts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<SummarizationStrategy>,
    /// Namespace when `-n` is not given (instead of the kubeconfig context's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// USD per million tokens, per model ID (an alias covers its dated IDs).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prices: BTreeMap<String, PriceOverride>,
}

/// One model's prices; cache prices default to Anthropic's multiples of `input`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceOverride {
    /// Input, USD per million tokens.
    pub input: f64,
    /// Output, USD per million tokens.
    pub output: f64,
    /// 5-minute cache writes (default 1.25 × input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_5m: Option<f64>,
    /// 1-hour cache writes (default 2 × input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_1h: Option<f64>,
    /// Cache reads (default 0.1 × input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<f64>,
}

impl PriceOverride {
    /// As the model table's prices.
    pub fn prices(&self) -> crate::model::catalog::Prices {
        crate::model::catalog::Prices {
            input: self.input,
            output: self.output,
            cache_write_5m: self.cache_write_5m.unwrap_or(self.input * 1.25),
            cache_write_1h: self.cache_write_1h.unwrap_or(self.input * 2.0),
            cache_read: self.cache_read.unwrap_or(self.input * 0.1),
        }
    }
}

/// Where a setting's effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An environment variable.
    Env(&'static str),
    /// The configuration file.
    File,
}

/// The configuration file's path.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KUBECTL_MCP_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("kubectl-mcp").join("config.yaml"))
}

/// Parse a configuration file's text.
pub fn parse(text: &str) -> Result<Config, String> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    let config: Config = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    for (model, p) in &config.prices {
        let all = [
            Some(p.input),
            Some(p.output),
            p.cache_write_5m,
            p.cache_write_1h,
            p.cache_read,
        ];
        if all.iter().flatten().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(format!(
                "prices.{model}: prices are USD per million tokens, 0 or more"
            ));
        }
    }
    if config.max_tokens == Some(0) || config.max_output_tokens == Some(0) {
        return Err("maxTokens and maxOutputTokens are at least 1".into());
    }
    Ok(config)
}

static LOADED: OnceLock<Config> = OnceLock::new();

/// Read the file (once per process). A file that exists but cannot be read or parsed is a
/// usage error naming it; no file is an empty configuration.
pub fn load() -> anyhow::Result<&'static Config> {
    if let Some(c) = LOADED.get() {
        return Ok(c);
    }
    let config = match path() {
        Some(p) => match std::fs::read_to_string(&p) {
            Ok(text) => parse(&text).map_err(|e| {
                UsageError(format!(
                    "the configuration file {} is not valid: {e}; fix it, or point KUBECTL_MCP_CONFIG at another file",
                    p.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => {
                return Err(e).with_context(|| format!("reading the configuration file {}", p.display()))
            }
        },
        None => Config::default(),
    };
    let config = LOADED.get_or_init(|| config);
    crate::model::catalog::set_price_overrides(
        config
            .prices
            .iter()
            .map(|(model, p)| (model.clone(), p.prices()))
            .collect(),
    );
    Ok(config)
}

/// The loaded configuration (empty when [`load`] was not called, as in unit tests).
pub fn get() -> &'static Config {
    LOADED.get_or_init(Config::default)
}

fn env(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_number(name: &'static str) -> anyhow::Result<Option<u32>> {
    env(name)
        .map(|v| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    UsageError(format!(
                        "{name}={v} is not a positive whole number of tokens"
                    ))
                    .into()
                })
        })
        .transpose()
}

/// The defaults a new context takes where no flag was given: environment, then file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Defaults {
    /// Model and where it came from.
    pub model: Option<(String, Source)>,
    /// Prompt budget.
    pub max_tokens: Option<(u32, Source)>,
    /// Answer cap.
    pub max_output_tokens: Option<(u32, Source)>,
    /// Strategy.
    pub strategy: Option<(SummarizationStrategy, Source)>,
    /// Namespace.
    pub namespace: Option<(String, Source)>,
}

/// Resolve [`Defaults`] from the environment and the loaded file.
pub fn defaults() -> anyhow::Result<Defaults> {
    let file = get();
    let pick = |env_name: &'static str, v: Option<String>, f: Option<String>| {
        v.map(|v| (v, Source::Env(env_name)))
            .or(f.map(|f| (f, Source::File)))
    };
    let strategy = match env("KUBECTL_MCP_STRATEGY") {
        Some(v) => Some((
            <SummarizationStrategy as clap::ValueEnum>::from_str(v.trim(), true).map_err(|_| {
                let names: Vec<&str> = <SummarizationStrategy as clap::ValueEnum>::value_variants()
                    .iter()
                    .map(|s| s.as_str())
                    .collect();
                UsageError(format!(
                    "KUBECTL_MCP_STRATEGY={v} is not a strategy ({})",
                    names.join(", ")
                ))
            })?,
            Source::Env("KUBECTL_MCP_STRATEGY"),
        )),
        None => file.strategy.map(|s| (s, Source::File)),
    };
    let number = |name: &'static str, f: Option<u32>| -> anyhow::Result<Option<(u32, Source)>> {
        Ok(env_number(name)?
            .map(|n| (n, Source::Env(name)))
            .or(f.map(|n| (n, Source::File))))
    };
    Ok(Defaults {
        model: pick(
            "KUBECTL_MCP_MODEL",
            env("KUBECTL_MCP_MODEL"),
            file.model.clone(),
        ),
        max_tokens: number("KUBECTL_MCP_MAX_TOKENS", file.max_tokens)?,
        max_output_tokens: number("KUBECTL_MCP_MAX_OUTPUT_TOKENS", file.max_output_tokens)?,
        strategy,
        namespace: pick(
            "KUBECTL_MCP_NAMESPACE",
            env("KUBECTL_MCP_NAMESPACE"),
            file.namespace.clone(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_file_parses_and_unknown_keys_are_refused() {
        let c = parse(
            "model: claude-haiku-4-5\nmaxTokens: 20000\nmaxOutputTokens: 2000\nstrategy: hybrid\nnamespace: team\nprices:\n  claude-haiku-4-5: {input: 0.8, output: 4}\n",
        )
        .unwrap();
        assert_eq!(c.model.as_deref(), Some("claude-haiku-4-5"));
        assert_eq!(c.strategy, Some(SummarizationStrategy::Hybrid));
        let p = c.prices["claude-haiku-4-5"].prices();
        assert_eq!((p.input, p.output), (0.8, 4.0));
        assert!((p.cache_read - 0.08).abs() < 1e-12 && (p.cache_write_5m - 1.0).abs() < 1e-12);
        assert!(parse("").unwrap() == Config::default());
        let e = parse("modle: x\n").unwrap_err();
        assert!(e.contains("unknown field `modle`"), "{e}");
        assert!(parse("maxTokens: -3\n").is_err());
        assert!(parse("maxTokens: 0\n").is_err());
        assert!(parse("strategy: fold\n").is_err());
        assert!(parse("prices:\n  m: {input: -1, output: 1}\n").is_err());
    }
}
