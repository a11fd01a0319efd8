//! `completions SHELL`: a completion script on stdout. The same renderer produces the committed
//! files under `completions/` (a test compares them).

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};

/// The completion script for `shell`.
pub fn render(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "kubectl-mcp", &mut buf);
    if shell == Shell::Bash {
        // clap_complete's bash generator names the state of a subcommand of a hyphenated binary
        // two ways: `kubectl__mcp__subcmd__chat` where it walks the words, and
        // `kubectl__subcmd__mcp__subcmd__chat` in the case labels that complete it, so nothing
        // after the first word was ever completed. One spelling for both.
        let text = String::from_utf8_lossy(&buf)
            .replace("kubectl__subcmd__mcp__subcmd__", "kubectl__mcp__subcmd__");
        buf = text.into_bytes();
    }
    buf
}

pub(super) fn run(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(&render(args.shell))?;
    out.flush()?;
    Ok(())
}
