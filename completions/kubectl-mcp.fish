# fish completion for kubectl-mcp (kubectl mcp completions fish).
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
