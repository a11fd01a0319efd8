# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_mcp_global_optspecs
    string join \n kubeconfig= context= n/namespace= v/verbose api-key-secret= request-timeout= h/help V/version
end

function __fish_kubectl_mcp_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_mcp_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_mcp_using_subcommand
    set -l cmd (__fish_kubectl_mcp_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "crd" -d 'Print the ClaudeModelContext CustomResourceDefinition as YAML'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "install" -d 'Create or update the CRD in the cluster (server-side apply; safe to repeat)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "uninstall" -d 'Remove the CRD and with it every ClaudeModelContext in the cluster'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "create" -d 'Create a context for a session'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "chat" -d 'Talk to Claude in a context: an interactive REPL on a terminal, or scripted turns with -m/-f/stdin (the context is created when missing)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "get" -d 'Describe contexts: spec, status, usage, transcript and Events'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "show" -d 'Describe contexts: spec, status, usage, transcript and Events'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "describe" -d 'Describe contexts: spec, status, usage, transcript and Events'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "list" -d 'List contexts in a kubectl-style table'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "ls" -d 'List contexts in a kubectl-style table'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "set" -d 'Change the settings of an existing context (model, budgets, system prompt, strategy, expiry, labels)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "usage" -d 'What Claude calls cost, summed per context, namespace, model or label (for chargeback)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "restore" -d 'Bring back turns that /clear, /undo or /retry moved aside (or list them with --list)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "delete" -d 'Delete contexts by session ID or name, by label, or all in the namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "expire" -d 'Mark contexts past their expiration time or idle too long as Expired (or delete them)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "summarize" -d 'Fold older turns of contexts into their summary now'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "batch" -d 'Run many scripted turns across sessions from JSON Lines'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "export" -d 'Print a context as JSON, JSON Lines or Markdown'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "import" -d 'Create a context from an exported JSON or JSON Lines file'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "serve" -d 'Serve the stored conversations to MCP clients (Claude Code, Claude Desktop, any Model Context Protocol client): over stdio, or Streamable HTTP on a loopback address. Runs with your kubeconfig: RBAC decides what a client may read and do'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "version" -d 'Print the client\'s version (commit, build date), the Claude API it talks to, and the cluster\'s: the apiserver version and the CRD versions it serves'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "config" -d 'Show the configuration: defaults for new contexts (model, budget, answer cap, strategy), the namespace and price overrides, from $KUBECTL_MCP_* and the configuration file'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "search" -d 'Find the contexts whose conversation (sealed turns included) or summary mentions TEXT, ignoring case'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand crd" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand crd" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand crd" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand crd" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand crd" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand crd" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand crd" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -l wait-timeout -d 'How long to wait for the CRD to become Established' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand install" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand uninstall" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l model -d 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l system -d 'System prompt (sent as the API\'s top-level `system`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l system-file -d 'Read the system prompt from a file (`-` for stdin)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l max-tokens -d 'Prompt budget in tokens (system + summary + history + new message)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l max-output-tokens -d 'Cap on the tokens of each answer (the API\'s max_tokens; default 1024)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l history-size -d 'Most turns kept in the active window' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l strategy -d 'What happens to turns that leave the window' -r -f -a "truncate\t'Turns outside the window are not sent; they stay stored until compaction'
summarize_oldest\t'Turns leaving the window are folded into `status.summary` by a Claude call'
hybrid\t'Summarize when turns leave by `historySize`; truncate when the budget is still exceeded or the summarizing call fails'
server\t'Anthropic\'s server-side compaction: the request asks the API to compact the conversation once its input passes the trigger (`maxTokens`, else 150,000 tokens); the compaction block it returns is stored with the answer and sent back from then on, and the turns it replaced are sealed (kept, not sent). Only for models that support it'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l expires-in -d 'Expire the context this long from now, e.g. 24h, 7d, 90m' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l expires-at -d 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l idle-ttl -d 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l cache-ttl -d 'How long Claude\'s prompt cache keeps the conversation: 5m (default) or 1h, for slow conversations (spec.cacheTTL)' -r -f -a "5m\t'Five minutes, refreshed by every hit'
1h\t'One hour'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -s L -l label -d 'A label for the resource, key=value (repeatable)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -s o -l output -d 'Print the created object as json, yaml, name, jsonpath=… or custom-columns=… instead of a confirmation line' -r -f -a "json\t'The object as JSON'
yaml\t'The object as YAML'
name\t'claudemodelcontext.mcp.dev/NAME'
jsonpath=\t'A kubectl JSONPath template, e.g. jsonpath={.spec.modelName}'
jsonpath-file=\t'A JSONPath template read from a file'
custom-columns=\t'Columns of HEADER:PATH, e.g. custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount'
custom-columns-file=\t'Columns from a file: a line of headers, a line of paths'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l model -d 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l system -d 'System prompt (sent as the API\'s top-level `system`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l system-file -d 'Read the system prompt from a file (`-` for stdin)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l max-tokens -d 'Prompt budget in tokens (system + summary + history + new message)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l max-output-tokens -d 'Cap on the tokens of each answer (the API\'s max_tokens; default 1024)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l history-size -d 'Most turns kept in the active window' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l strategy -d 'What happens to turns that leave the window' -r -f -a "truncate\t'Turns outside the window are not sent; they stay stored until compaction'
summarize_oldest\t'Turns leaving the window are folded into `status.summary` by a Claude call'
hybrid\t'Summarize when turns leave by `historySize`; truncate when the budget is still exceeded or the summarizing call fails'
server\t'Anthropic\'s server-side compaction: the request asks the API to compact the conversation once its input passes the trigger (`maxTokens`, else 150,000 tokens); the compaction block it returns is stored with the answer and sent back from then on, and the turns it replaced are sealed (kept, not sent). Only for models that support it'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l expires-in -d 'Expire the context this long from now, e.g. 24h, 7d, 90m' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l expires-at -d 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l idle-ttl -d 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l cache-ttl -d 'How long Claude\'s prompt cache keeps the conversation: 5m (default) or 1h, for slow conversations (spec.cacheTTL)' -r -f -a "5m\t'Five minutes, refreshed by every hit'
1h\t'One hour'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -s L -l label -d 'A label for the resource, key=value (repeatable)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -s m -l message -d 'A message to send (repeatable: one turn each, in order)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -s f -l file -d 'Send the contents of a file as one message (`-` for stdin). With `-m`, the file\'s text goes with the first message instead, in a fenced block before the question (as piped stdin does)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -s o -l output -d 'How answers are printed: text (streamed), json (one array at the end) or jsonl (one line per turn)' -r -f -a "text\t'The answer\'s text, streamed as it arrives'
json\t'A JSON array with one object per turn, printed at the end'
jsonl\t'One JSON object per line, per turn'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l revive -d 'Chat with an expired context: marks it Active and clears its expiration time'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -l raw -d 'Print answers as they come, without rendering their Markdown (as when NO_COLOR is set or stdout is not a terminal)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand chat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -s o -l output -d 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description' -r -f -a "json\t'The object as JSON'
yaml\t'The object as YAML'
name\t'claudemodelcontext.mcp.dev/NAME'
jsonpath=\t'A kubectl JSONPath template, e.g. jsonpath={.spec.modelName}'
jsonpath-file=\t'A JSONPath template read from a file'
custom-columns=\t'Columns of HEADER:PATH, e.g. custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount'
custom-columns-file=\t'Columns from a file: a line of headers, a line of paths'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -s o -l output -d 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description' -r -f -a "json\t'The object as JSON'
yaml\t'The object as YAML'
name\t'claudemodelcontext.mcp.dev/NAME'
jsonpath=\t'A kubectl JSONPath template, e.g. jsonpath={.spec.modelName}'
jsonpath-file=\t'A JSONPath template read from a file'
custom-columns=\t'Columns of HEADER:PATH, e.g. custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount'
custom-columns-file=\t'Columns from a file: a line of headers, a line of paths'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -s o -l output -d 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description' -r -f -a "json\t'The object as JSON'
yaml\t'The object as YAML'
name\t'claudemodelcontext.mcp.dev/NAME'
jsonpath=\t'A kubectl JSONPath template, e.g. jsonpath={.spec.modelName}'
jsonpath-file=\t'A JSONPath template read from a file'
custom-columns=\t'Columns of HEADER:PATH, e.g. custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount'
custom-columns-file=\t'Columns from a file: a line of headers, a line of paths'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -s l -l selector -d 'Label selector, e.g. team=sre,tier!=test' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -s o -l output -d 'Output format' -r -f -a "table\t'The default table'
wide\t'The table plus strategy, budget, history size and expiry'
json\t'A kubectl-style List as JSON'
yaml\t'A kubectl-style List as YAML'
name\t'One claudemodelcontext.mcp.dev/NAME per line'
jsonpath=\t'A kubectl JSONPath template, e.g. jsonpath={.spec.modelName}'
jsonpath-file=\t'A JSONPath template read from a file'
custom-columns=\t'Columns of HEADER:PATH, e.g. custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount'
custom-columns-file=\t'Columns from a file: a line of headers, a line of paths'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l state -d 'Only contexts in this state' -r -f -a "Active\t'Usable for chat'
Expired\t'Past its expiration time or idle TTL; `chat --revive` makes it usable again'
Error\t'The last Claude call failed after retries; the history is untouched'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l sort-by -d 'Sort by a column: name, namespace, model, session, state, turns, tokens, last-activity, age (or the JSONPath of the field, e.g. .status.tokenCount)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l chunk-size -d 'Objects per request when paging through large lists with --consistent (0: one request)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -s A -l all-namespaces -d 'List across all namespaces'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l consistent -d 'Read from etcd (in pages of --chunk-size), not from the apiserver\'s watch cache, which serves lists by default and may be a moment behind'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -l no-headers -d 'Omit the table header'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -s w -l watch -d 'After listing, watch for changes and print them as they happen (like kubectl get -w)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -s l -l selector -d 'Label selector, e.g. team=sre,tier!=test' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -s o -l output -d 'Output format' -r -f -a "table\t'The default table'
wide\t'The table plus strategy, budget, history size and expiry'
json\t'A kubectl-style List as JSON'
yaml\t'A kubectl-style List as YAML'
name\t'One claudemodelcontext.mcp.dev/NAME per line'
jsonpath=\t'A kubectl JSONPath template, e.g. jsonpath={.spec.modelName}'
jsonpath-file=\t'A JSONPath template read from a file'
custom-columns=\t'Columns of HEADER:PATH, e.g. custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount'
custom-columns-file=\t'Columns from a file: a line of headers, a line of paths'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l state -d 'Only contexts in this state' -r -f -a "Active\t'Usable for chat'
Expired\t'Past its expiration time or idle TTL; `chat --revive` makes it usable again'
Error\t'The last Claude call failed after retries; the history is untouched'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l sort-by -d 'Sort by a column: name, namespace, model, session, state, turns, tokens, last-activity, age (or the JSONPath of the field, e.g. .status.tokenCount)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l chunk-size -d 'Objects per request when paging through large lists with --consistent (0: one request)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -s A -l all-namespaces -d 'List across all namespaces'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l consistent -d 'Read from etcd (in pages of --chunk-size), not from the apiserver\'s watch cache, which serves lists by default and may be a moment behind'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -l no-headers -d 'Omit the table header'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -s w -l watch -d 'After listing, watch for changes and print them as they happen (like kubectl get -w)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l model -d 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l system -d 'System prompt (sent as the API\'s top-level `system`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l system-file -d 'Read the system prompt from a file (`-` for stdin)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l max-tokens -d 'Prompt budget in tokens (system + summary + history + new message)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l max-output-tokens -d 'Cap on the tokens of each answer (the API\'s max_tokens; default 1024)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l history-size -d 'Most turns kept in the active window' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l strategy -d 'What happens to turns that leave the window' -r -f -a "truncate\t'Turns outside the window are not sent; they stay stored until compaction'
summarize_oldest\t'Turns leaving the window are folded into `status.summary` by a Claude call'
hybrid\t'Summarize when turns leave by `historySize`; truncate when the budget is still exceeded or the summarizing call fails'
server\t'Anthropic\'s server-side compaction: the request asks the API to compact the conversation once its input passes the trigger (`maxTokens`, else 150,000 tokens); the compaction block it returns is stored with the answer and sent back from then on, and the turns it replaced are sealed (kept, not sent). Only for models that support it'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l expires-in -d 'Expire the context this long from now, e.g. 24h, 7d, 90m' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l expires-at -d 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l idle-ttl -d 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l cache-ttl -d 'How long Claude\'s prompt cache keeps the conversation: 5m (default) or 1h, for slow conversations (spec.cacheTTL)' -r -f -a "5m\t'Five minutes, refreshed by every hit'
1h\t'One hour'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -s L -l label -d 'A label for the resource, key=value (repeatable)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -s l -l selector -d 'Only contexts with these labels' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -l by -d 'One row per context (default), namespace, model, or value of label KEY (`label=KEY`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -s o -l output -d 'A table, or JSON rows' -r -f -a "table\t'Columns, with a total'
json\t'An array of rows'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -s A -l all-namespaces -d 'Every namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand usage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -l list -d 'List what was moved aside instead of restoring it'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand restore" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -s l -l selector -d 'Delete the contexts matching this label selector' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -l all -d 'Delete every context in the namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -s A -l all-namespaces -d 'With --all or -l: in every namespace (names cannot be given across namespaces)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -l ignore-not-found -d 'Treat a missing context as success'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand delete" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -s l -l selector -d 'Only contexts matching this label selector' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l idle -d 'Also expire contexts with no activity for this long, e.g. 24h, 7d' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l concurrency -d 'Contexts handled at once' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -s A -l all-namespaces -d 'Look in every namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l delete -d 'Delete the contexts instead of marking them Expired (contexts already marked are deleted too)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -l dry-run -d 'Print what would be done, change nothing'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand expire" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -s l -l selector -d 'The contexts matching this label selector' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -l keep-last -d 'Turns kept verbatim at the end of the history (at least 1: the newest turn is never folded, so the conversation can go on from it)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -l all -d 'Every context in the namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -s A -l all-namespaces -d 'With --all or -l: in every namespace (names cannot be given across namespaces)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -l dry-run -d 'Print what would be folded, change nothing and call nothing'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand summarize" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -s f -l file -d 'JSON Lines of {"session": …, "message": …} plus optional settings (`-` for stdin)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -l concurrency -d 'Sessions worked on at once (each session\'s turns stay in input order)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand batch" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -s l -l selector -d 'The contexts matching this label selector' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -s o -l output -d 'Format' -r -f -a "json\t'The object, without server-set metadata'
jsonl\t'A header line with the settings, then one line per message'
markdown\t'A readable transcript (not importable)'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -l all -d 'Every context in the namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -s A -l all-namespaces -d 'With --all or -l: in every namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -s f -l file -d 'The exported JSON or JSON Lines (`-` for stdin)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -l session -d 'Import under this session ID instead of the exported one' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand import" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand completions" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand completions" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand completions" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand completions" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand completions" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand completions" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -l http -d 'Serve Streamable HTTP on this loopback address (e.g. 127.0.0.1:8765) instead of stdio; the endpoint is /mcp' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand serve" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -l client -d 'Only the client\'s own version: do not contact the cluster'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -f -a "view" -d 'The effective settings as YAML, each with where it came from'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -f -a "path" -d 'The configuration file\'s path (whether or not it exists)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and not __fish_seen_subcommand_from view path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from view" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from view" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from view" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from view" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from view" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from view" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from view" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from path" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from path" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from path" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from path" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from path" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "view" -d 'The effective settings as YAML, each with where it came from'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'The configuration file\'s path (whether or not it exists)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -s l -l selector -d 'Only contexts matching this label selector (filtered by the apiserver)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -s o -l output -d 'Output format' -r -f -a "table\t'One row per context: matches, where the first one is, and its text'
name\t'`claudemodelcontext.mcp.dev/NAME` per context'
json\t'Every match of every context'"
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -s n -l namespace -d 'The namespace (default: the kubeconfig context\'s namespace, else `default`)' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -l api-key-secret -d 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -l request-timeout -d 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit' -r
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -s A -l all-namespaces -d 'Search every namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -s v -l verbose -d 'More detail on stderr: -v info, -vv debug, -vvv trace (includes HTTP traffic metadata)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "crd" -d 'Print the ClaudeModelContext CustomResourceDefinition as YAML'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "install" -d 'Create or update the CRD in the cluster (server-side apply; safe to repeat)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "uninstall" -d 'Remove the CRD and with it every ClaudeModelContext in the cluster'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "create" -d 'Create a context for a session'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "chat" -d 'Talk to Claude in a context: an interactive REPL on a terminal, or scripted turns with -m/-f/stdin (the context is created when missing)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "get" -d 'Describe contexts: spec, status, usage, transcript and Events'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "list" -d 'List contexts in a kubectl-style table'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "set" -d 'Change the settings of an existing context (model, budgets, system prompt, strategy, expiry, labels)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "usage" -d 'What Claude calls cost, summed per context, namespace, model or label (for chargeback)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "restore" -d 'Bring back turns that /clear, /undo or /retry moved aside (or list them with --list)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "delete" -d 'Delete contexts by session ID or name, by label, or all in the namespace'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "expire" -d 'Mark contexts past their expiration time or idle too long as Expired (or delete them)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "summarize" -d 'Fold older turns of contexts into their summary now'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "batch" -d 'Run many scripted turns across sessions from JSON Lines'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "export" -d 'Print a context as JSON, JSON Lines or Markdown'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "import" -d 'Create a context from an exported JSON or JSON Lines file'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "completions" -d 'Print a shell completion script'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "serve" -d 'Serve the stored conversations to MCP clients (Claude Code, Claude Desktop, any Model Context Protocol client): over stdio, or Streamable HTTP on a loopback address. Runs with your kubeconfig: RBAC decides what a client may read and do'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "version" -d 'Print the client\'s version (commit, build date), the Claude API it talks to, and the cluster\'s: the apiserver version and the CRD versions it serves'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "config" -d 'Show the configuration: defaults for new contexts (model, budget, answer cap, strategy), the namespace and price overrides, from $KUBECTL_MCP_* and the configuration file'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "search" -d 'Find the contexts whose conversation (sealed turns included) or summary mentions TEXT, ignoring case'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and not __fish_seen_subcommand_from crd install uninstall create chat get list set usage restore delete expire summarize batch export import completions serve version config search help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "view" -d 'The effective settings as YAML, each with where it came from'
complete -c kubectl-mcp -n "__fish_kubectl_mcp_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'The configuration file\'s path (whether or not it exists)'
