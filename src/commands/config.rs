//! `config view` and `config path`: what the configuration says, and where it comes from.

use std::io::Write;

use crate::cli::ConfigCommand;
use crate::config::{self, Source};

pub(super) fn run(cmd: &ConfigCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let path = config::path();
    match cmd {
        ConfigCommand::Path => match &path {
            Some(p) => writeln!(out, "{}", p.display())?,
            None => anyhow::bail!(
                "no configuration path: set KUBECTL_MCP_CONFIG, XDG_CONFIG_HOME or HOME"
            ),
        },
        ConfigCommand::View => {
            let file = config::get();
            let d = config::defaults()?;
            match &path {
                Some(p) if p.exists() => writeln!(out, "# configuration file: {}", p.display())?,
                Some(p) => writeln!(out, "# configuration file: {} (not present)", p.display())?,
                None => writeln!(out, "# no configuration file path (HOME is not set)")?,
            }
            writeln!(
                out,
                "# effective defaults; a flag on the command line wins over each"
            )?;
            let from = |s: &Source| match s {
                Source::Env(name) => format!("from ${name}"),
                Source::File => "from the file".to_string(),
            };
            let scalar = |v: serde_json::Value| -> anyhow::Result<String> {
                Ok(serde_yaml::to_string(&v)?.trim_end().to_string())
            };
            if let Some((v, s)) = &d.model {
                writeln!(out, "model: {}  # {}", scalar(v.clone().into())?, from(s))?;
            }
            if let Some((v, s)) = &d.max_tokens {
                writeln!(out, "maxTokens: {v}  # {}", from(s))?;
            }
            if let Some((v, s)) = &d.max_output_tokens {
                writeln!(out, "maxOutputTokens: {v}  # {}", from(s))?;
            }
            if let Some((v, s)) = &d.strategy {
                writeln!(out, "strategy: {}  # {}", v.as_str(), from(s))?;
            }
            if let Some((v, s)) = &d.namespace {
                writeln!(
                    out,
                    "namespace: {}  # {}",
                    scalar(v.clone().into())?,
                    from(s)
                )?;
            }
            if !file.prices.is_empty() {
                writeln!(out, "prices:  # from the file; USD per million tokens")?;
                let text = serde_yaml::to_string(&file.prices)?;
                for line in text.lines() {
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    Ok(())
}
