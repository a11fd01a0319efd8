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
    buf
}

pub(super) fn run(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(&render(args.shell))?;
    out.flush()?;
    Ok(())
}
