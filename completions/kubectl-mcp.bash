# bash completion for kubectl-mcp (kubectl mcp completions bash).
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
