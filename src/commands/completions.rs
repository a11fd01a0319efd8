//! `completions SHELL`: a completion script on stdout. The same renderer produces the committed
//! files under `completions/` (a test compares them).
//!
//! bash, zsh and fish get small scripts that ask the binary itself (`kubectl-mcp __complete
//! WORDS… PARTIAL`, cobra's protocol, the one `kubectl_complete-mcp` speaks to kubectl): one
//! engine (`crate::complete`) knows subcommands, flags and enum values from the clap definition,
//! and asks the cluster and the kubeconfig for session names, namespaces and contexts. PowerShell
//! and elvish get clap_complete's static scripts.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};

const BASH: &str = r#"# bash completion for kubectl-mcp (kubectl mcp completions bash).
# Candidates come from `kubectl-mcp __complete WORDS... PARTIAL`: subcommands, flags and values
# from the CLI definition; sessions and namespaces from the cluster; contexts from the kubeconfig.
_kubectl_mcp() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local out line directive
    out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) || return 0
    directive="${out##*$'\n'}"
    directive="${directive#:}"
    COMPREPLY=()
    while IFS= read -r line; do
        case "$line" in
            :*) ;;
            *) line="${line%%$'\t'*}"; [[ -n "$line" && "$line" == "$cur"* ]] && COMPREPLY+=("$line") ;;
        esac
    done <<< "$out"
    if [ "${#COMPREPLY[@]}" -eq 0 ] && [ $(( ${directive:-0} & 4 )) -eq 0 ]; then
        while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
    fi
}
complete -F _kubectl_mcp kubectl-mcp
"#;

const ZSH: &str = r#"#compdef kubectl-mcp
# zsh completion for kubectl-mcp (kubectl mcp completions zsh).
# Candidates come from `kubectl-mcp __complete WORDS... PARTIAL`: subcommands, flags and values
# from the CLI definition; sessions and namespaces from the cluster; contexts from the kubeconfig.
_kubectl_mcp() {
    local out directive
    local -a lines cands
    out=$(${words[1]} __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null) || return 1
    lines=("${(@f)out}")
    directive=${lines[-1]#:}
    cands=("${(@)lines[1,-2]}")
    cands=("${(@)cands%%$'\t'*}")
    cands=(${cands:#})
    if (( ${#cands} )); then
        compadd -a cands
        return 0
    fi
    if (( (${directive:-0} & 4) == 0 )); then
        _files
    fi
}
if [[ "${funcstack[1]}" == _kubectl_mcp ]]; then
    _kubectl_mcp "$@"
else
    compdef _kubectl_mcp kubectl-mcp
fi
"#;

const FISH: &str = r#"# fish completion for kubectl-mcp (kubectl mcp completions fish).
# Candidates come from `kubectl-mcp __complete WORDS... PARTIAL`: subcommands, flags and values
# from the CLI definition; sessions and namespaces from the cluster; contexts from the kubeconfig.
function __kubectl_mcp_complete
    set -l args (commandline -opc)
    set -l cur (commandline -ct)
    set -l out ($args[1] __complete $args[2..-1] $cur 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (count $out) -gt 0
        printf '%s\n' $out
    else if test (math "bitand(0$directive, 4)") -eq 0
        __fish_complete_path $cur
    end
end
complete -c kubectl-mcp -f -a '(__kubectl_mcp_complete)'
"#;

/// The completion script for `shell`.
pub fn render(shell: Shell) -> Vec<u8> {
    match shell {
        Shell::Bash => BASH.as_bytes().to_vec(),
        Shell::Zsh => ZSH.as_bytes().to_vec(),
        Shell::Fish => FISH.as_bytes().to_vec(),
        _ => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "kubectl-mcp", &mut buf);
            buf
        }
    }
}

pub(super) fn run(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(&render(args.shell))?;
    out.flush()?;
    Ok(())
}
