
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-mcp' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-mcp'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-mcp' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('crd', 'crd', [CompletionResultType]::ParameterValue, 'Print the ClaudeModelContext CustomResourceDefinition as YAML')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Create or update the CRD in the cluster (server-side apply; safe to repeat)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the CRD and with it every ClaudeModelContext in the cluster')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a context for a session')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Talk to Claude in a context: an interactive REPL on a terminal, or scripted turns with -m/-f/stdin (the context is created when missing)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Describe contexts: spec, status, usage, transcript and Events')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Describe contexts: spec, status, usage, transcript and Events')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Describe contexts: spec, status, usage, transcript and Events')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List contexts in a kubectl-style table')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List contexts in a kubectl-style table')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change the settings of an existing context (model, budgets, system prompt, strategy, expiry, labels)')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'What Claude calls cost, summed per context, namespace, model or label (for chargeback)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring back turns that /clear, /undo or /retry moved aside (or list them with --list)')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Check a context''s sealed history segments and mend what is damaged: re-adopt or restore a segment from a verified copy, else quarantine it, naming the turns that are lost. A dry run unless --apply is given')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete contexts by session ID or name, by label, or all in the namespace')
            [CompletionResult]::new('expire', 'expire', [CompletionResultType]::ParameterValue, 'Mark contexts past their expiration time or idle too long as Expired (or delete them)')
            [CompletionResult]::new('summarize', 'summarize', [CompletionResultType]::ParameterValue, 'Fold older turns of contexts into their summary now')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Run many scripted turns across sessions from JSON Lines')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print a context as JSON, JSON Lines or Markdown')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Create contexts from what `export` wrote: one, a List, or several contexts'' JSON Lines')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (also `completion`, as kubectl spells it)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (also `completion`, as kubectl spells it)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the stored conversations to MCP clients (Claude Code, Claude Desktop, any Model Context Protocol client): over stdio, or Streamable HTTP on a loopback address. Runs with your kubeconfig: RBAC decides what a client may read and do')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the client''s version (commit, build date), the Claude API it talks to, and the cluster''s: the apiserver version and the CRD versions it serves')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration: defaults for new contexts (model, budget, answer cap, strategy), the namespace and price overrides, from $KUBECTL_MCP_* and the configuration file')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find the contexts whose conversation (sealed turns included) or summary mentions TEXT, ignoring case')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'Print the Role (or ClusterRole) a viewer, an editor or an operator needs, with a binding for --user/--group/--serviceaccount, as YAML for `kubectl apply -f -`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-mcp;crd' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;install' {
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the CRD to become Established')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;uninstall' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;create' {
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it')
            [CompletionResult]::new('--system-file', '--system-file', [CompletionResultType]::ParameterName, 'Read the system prompt from a file (`-` for stdin)')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s')
            [CompletionResult]::new('--max-output-tokens', '--max-output-tokens', [CompletionResultType]::ParameterName, 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024')
            [CompletionResult]::new('--history-size', '--history-size', [CompletionResultType]::ParameterName, 'Most turns kept in the active window; `none`: no turn limit')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'What happens to turns that leave the window')
            [CompletionResult]::new('--expires-in', '--expires-in', [CompletionResultType]::ParameterName, 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)')
            [CompletionResult]::new('--idle-ttl', '--idle-ttl', [CompletionResultType]::ParameterName, 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--redaction', '--redaction', [CompletionResultType]::ParameterName, 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print the created object as json, yaml, name, jsonpath=… or custom-columns=… instead of a confirmation line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print the created object as json, yaml, name, jsonpath=… or custom-columns=… instead of a confirmation line')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;chat' {
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it')
            [CompletionResult]::new('--system-file', '--system-file', [CompletionResultType]::ParameterName, 'Read the system prompt from a file (`-` for stdin)')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s')
            [CompletionResult]::new('--max-output-tokens', '--max-output-tokens', [CompletionResultType]::ParameterName, 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024')
            [CompletionResult]::new('--history-size', '--history-size', [CompletionResultType]::ParameterName, 'Most turns kept in the active window; `none`: no turn limit')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'What happens to turns that leave the window')
            [CompletionResult]::new('--expires-in', '--expires-in', [CompletionResultType]::ParameterName, 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)')
            [CompletionResult]::new('--idle-ttl', '--idle-ttl', [CompletionResultType]::ParameterName, 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--redaction', '--redaction', [CompletionResultType]::ParameterName, 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'A message to send (repeatable: one turn each, in order)')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'A message to send (repeatable: one turn each, in order)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Send the contents of a file as one message (`-` for stdin). With `-m`, the file''s text goes with the first message instead, in a fenced block before the question (as piped stdin does)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send the contents of a file as one message (`-` for stdin). With `-m`, the file''s text goes with the first message instead, in a fenced block before the question (as piped stdin does)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'How answers are printed: text (streamed), json (one array at the end) or jsonl (one line per turn)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How answers are printed: text (streamed), json (one array at the end) or jsonl (one line per turn)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)')
            [CompletionResult]::new('--revive', '--revive', [CompletionResultType]::ParameterName, 'Chat with an expired context: marks it Active and clears its expiration time')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print answers as they come, without rendering their Markdown (as when NO_COLOR is set or stdout is not a terminal)')
            [CompletionResult]::new('--redact', '--redact', [CompletionResultType]::ParameterName, 'Mask personal data and secrets in this run''s messages, whatever the context says (see --redaction to turn it on for good)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;get' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Show only the last N turns of the transcript (default on a terminal: 20; piped: all)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Show every turn of the transcript, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Show only the last N turns of the transcript (default on a terminal: 20; piped: all)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Show every turn of the transcript, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;describe' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Show only the last N turns of the transcript (default on a terminal: 20; piped: all)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Show every turn of the transcript, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;list' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector, e.g. team=sre,tier!=test')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector, e.g. team=sre,tier!=test')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only contexts in this state')
            [CompletionResult]::new('--sort-by', '--sort-by', [CompletionResultType]::ParameterName, 'Sort by a column: name, namespace, model, session, state, turns, tokens, last-activity, age (or the JSONPath of the field, e.g. .status.tokenCount)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Objects per request when paging through large lists with --consistent (0: one request)')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)')
            [CompletionResult]::new('--label-columns', '--label-columns', [CompletionResultType]::ParameterName, 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List across all namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List across all namespaces')
            [CompletionResult]::new('--consistent', '--consistent', [CompletionResultType]::ParameterName, 'Read from etcd (in pages of --chunk-size), not from the apiserver''s watch cache, which serves lists by default and may be a moment behind')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Omit the table header')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'After listing, watch for changes and print them as they happen (like kubectl get -w)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'After listing, watch for changes and print them as they happen (like kubectl get -w)')
            [CompletionResult]::new('--show-labels', '--show-labels', [CompletionResultType]::ParameterName, 'Show each context''s labels as the last column (as kubectl''s --show-labels)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;ls' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector, e.g. team=sre,tier!=test')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector, e.g. team=sre,tier!=test')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only contexts in this state')
            [CompletionResult]::new('--sort-by', '--sort-by', [CompletionResultType]::ParameterName, 'Sort by a column: name, namespace, model, session, state, turns, tokens, last-activity, age (or the JSONPath of the field, e.g. .status.tokenCount)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Objects per request when paging through large lists with --consistent (0: one request)')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)')
            [CompletionResult]::new('--label-columns', '--label-columns', [CompletionResultType]::ParameterName, 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List across all namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List across all namespaces')
            [CompletionResult]::new('--consistent', '--consistent', [CompletionResultType]::ParameterName, 'Read from etcd (in pages of --chunk-size), not from the apiserver''s watch cache, which serves lists by default and may be a moment behind')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Omit the table header')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'After listing, watch for changes and print them as they happen (like kubectl get -w)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'After listing, watch for changes and print them as they happen (like kubectl get -w)')
            [CompletionResult]::new('--show-labels', '--show-labels', [CompletionResultType]::ParameterName, 'Show each context''s labels as the last column (as kubectl''s --show-labels)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;set' {
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it')
            [CompletionResult]::new('--system-file', '--system-file', [CompletionResultType]::ParameterName, 'Read the system prompt from a file (`-` for stdin)')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s')
            [CompletionResult]::new('--max-output-tokens', '--max-output-tokens', [CompletionResultType]::ParameterName, 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024')
            [CompletionResult]::new('--history-size', '--history-size', [CompletionResultType]::ParameterName, 'Most turns kept in the active window; `none`: no turn limit')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'What happens to turns that leave the window')
            [CompletionResult]::new('--expires-in', '--expires-in', [CompletionResultType]::ParameterName, 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)')
            [CompletionResult]::new('--idle-ttl', '--idle-ttl', [CompletionResultType]::ParameterName, 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--redaction', '--redaction', [CompletionResultType]::ParameterName, 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;usage' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only contexts with these labels')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only contexts with these labels')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'One row per context (default), namespace, model, or value of label KEY (`label=KEY`)')
            [CompletionResult]::new('--advise', '--advise', [CompletionResultType]::ParameterName, 'Instead of totals, one context: what its calls read from and wrote to the prompt cache, what the same calls would have cost uncached, and the cheapest settings that keep at least --keep turns at its pace')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'With --advise: the fewest turns a window must keep, 1 to 50 (default: as many as the current settings keep once the window is full, at most 20)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'A table, or JSON rows')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'A table, or JSON rows')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;restore' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List what was moved aside instead of restoring it')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;repair' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Carry out what the dry run shows')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;delete' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'The contexts matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'The contexts matching this label selector')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every context in the namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'With --all or -l: in every namespace (names cannot be given across namespaces)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'With --all or -l: in every namespace (names cannot be given across namespaces)')
            [CompletionResult]::new('--ignore-not-found', '--ignore-not-found', [CompletionResultType]::ParameterName, 'Treat a missing context as success')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;expire' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only contexts matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only contexts matching this label selector')
            [CompletionResult]::new('--idle', '--idle', [CompletionResultType]::ParameterName, 'Also expire contexts with no activity for this long, e.g. 24h, 7d')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Contexts handled at once')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Look in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Look in every namespace')
            [CompletionResult]::new('--delete', '--delete', [CompletionResultType]::ParameterName, 'Delete the contexts instead of marking them Expired (contexts already marked are deleted too)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be done, change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;summarize' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'The contexts matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'The contexts matching this label selector')
            [CompletionResult]::new('--keep-last', '--keep-last', [CompletionResultType]::ParameterName, 'Turns kept verbatim at the end of the history (at least 1: the newest turn is never folded, so the conversation can go on from it)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every context in the namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'With --all or -l: in every namespace (names cannot be given across namespaces)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'With --all or -l: in every namespace (names cannot be given across namespaces)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be folded, change nothing and call nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;batch' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'JSON Lines of {"session": …, "message": …} plus optional settings (`-` for stdin)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'JSON Lines of {"session": …, "message": …} plus optional settings (`-` for stdin)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Sessions worked on at once (each session''s turns stay in input order)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it')
            [CompletionResult]::new('--system-file', '--system-file', [CompletionResultType]::ParameterName, 'Read the system prompt from a file (`-` for stdin)')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s')
            [CompletionResult]::new('--max-output-tokens', '--max-output-tokens', [CompletionResultType]::ParameterName, 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024')
            [CompletionResult]::new('--history-size', '--history-size', [CompletionResultType]::ParameterName, 'Most turns kept in the active window; `none`: no turn limit')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'What happens to turns that leave the window')
            [CompletionResult]::new('--expires-in', '--expires-in', [CompletionResultType]::ParameterName, 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)')
            [CompletionResult]::new('--idle-ttl', '--idle-ttl', [CompletionResultType]::ParameterName, 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)')
            [CompletionResult]::new('--redaction', '--redaction', [CompletionResultType]::ParameterName, 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--redact', '--redact', [CompletionResultType]::ParameterName, 'Mask personal data and secrets in every line''s message, whatever the contexts say')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;export' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'The contexts matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'The contexts matching this label selector')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every context in the namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'With --all or -l: in every namespace (names cannot be given across namespaces)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'With --all or -l: in every namespace (names cannot be given across namespaces)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;import' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'What `export` wrote (`-` for stdin): one context as JSON or JSON Lines, a List of them (`export --all -o json`), or several contexts'' JSON Lines')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'What `export` wrote (`-` for stdin): one context as JSON or JSON Lines, a List of them (`export --all -o json`), or several contexts'' JSON Lines')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Import under this session ID instead of the exported one (a file of one context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--keep-namespaces', '--keep-namespaces', [CompletionResultType]::ParameterName, 'Put each context back into the namespace it was exported from, instead of the one of -n (or the kubeconfig''s)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;completions' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;serve' {
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Serve Streamable HTTP on this loopback address (e.g. 127.0.0.1:8765) instead of stdio; the endpoint is /mcp')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'With --http: the bearer token clients must send, read from this file (kept private: mode 0600). Without it a new token is made for each run and written under the state directory')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--no-auth', '--no-auth', [CompletionResultType]::ParameterName, 'With --http: ask connecting clients for nothing. Any local user or process that can reach the port then acts with your kubeconfig and API key: for throwaway machines only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;version' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Only the client''s own version: do not contact the cluster')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;config' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('view', 'view', [CompletionResultType]::ParameterValue, 'The effective settings as YAML, each with where it came from')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The configuration file''s path (whether or not it exists)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-mcp;config;view' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;config;path' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubectl-mcp;config;help' {
            [CompletionResult]::new('view', 'view', [CompletionResultType]::ParameterValue, 'The effective settings as YAML, each with where it came from')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The configuration file''s path (whether or not it exists)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-mcp;config;help;view' {
            break
        }
        'kubectl-mcp;config;help;path' {
            break
        }
        'kubectl-mcp;config;help;help' {
            break
        }
        'kubectl-mcp;search' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only contexts matching this label selector (filtered by the apiserver)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only contexts matching this label selector (filtered by the apiserver)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Search every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Search every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;rbac' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Bind the role to this user (repeatable)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Bind the role to this group (repeatable)')
            [CompletionResult]::new('--serviceaccount', '--serviceaccount', [CompletionResultType]::ParameterName, 'Bind the role to this service account, NAMESPACE:NAME (repeatable)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace (default: the kubeconfig context''s namespace, else `default`)')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'A ClusterRole (and ClusterRoleBinding) instead of a Role in the namespace (always for operator)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubectl-mcp;help' {
            [CompletionResult]::new('crd', 'crd', [CompletionResultType]::ParameterValue, 'Print the ClaudeModelContext CustomResourceDefinition as YAML')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Create or update the CRD in the cluster (server-side apply; safe to repeat)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the CRD and with it every ClaudeModelContext in the cluster')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a context for a session')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Talk to Claude in a context: an interactive REPL on a terminal, or scripted turns with -m/-f/stdin (the context is created when missing)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Describe contexts: spec, status, usage, transcript and Events')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List contexts in a kubectl-style table')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change the settings of an existing context (model, budgets, system prompt, strategy, expiry, labels)')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'What Claude calls cost, summed per context, namespace, model or label (for chargeback)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Bring back turns that /clear, /undo or /retry moved aside (or list them with --list)')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Check a context''s sealed history segments and mend what is damaged: re-adopt or restore a segment from a verified copy, else quarantine it, naming the turns that are lost. A dry run unless --apply is given')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete contexts by session ID or name, by label, or all in the namespace')
            [CompletionResult]::new('expire', 'expire', [CompletionResultType]::ParameterValue, 'Mark contexts past their expiration time or idle too long as Expired (or delete them)')
            [CompletionResult]::new('summarize', 'summarize', [CompletionResultType]::ParameterValue, 'Fold older turns of contexts into their summary now')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Run many scripted turns across sessions from JSON Lines')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print a context as JSON, JSON Lines or Markdown')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Create contexts from what `export` wrote: one, a List, or several contexts'' JSON Lines')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (also `completion`, as kubectl spells it)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the stored conversations to MCP clients (Claude Code, Claude Desktop, any Model Context Protocol client): over stdio, or Streamable HTTP on a loopback address. Runs with your kubeconfig: RBAC decides what a client may read and do')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the client''s version (commit, build date), the Claude API it talks to, and the cluster''s: the apiserver version and the CRD versions it serves')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration: defaults for new contexts (model, budget, answer cap, strategy), the namespace and price overrides, from $KUBECTL_MCP_* and the configuration file')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find the contexts whose conversation (sealed turns included) or summary mentions TEXT, ignoring case')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'Print the Role (or ClusterRole) a viewer, an editor or an operator needs, with a binding for --user/--group/--serviceaccount, as YAML for `kubectl apply -f -`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-mcp;help;crd' {
            break
        }
        'kubectl-mcp;help;install' {
            break
        }
        'kubectl-mcp;help;uninstall' {
            break
        }
        'kubectl-mcp;help;create' {
            break
        }
        'kubectl-mcp;help;chat' {
            break
        }
        'kubectl-mcp;help;get' {
            break
        }
        'kubectl-mcp;help;list' {
            break
        }
        'kubectl-mcp;help;set' {
            break
        }
        'kubectl-mcp;help;usage' {
            break
        }
        'kubectl-mcp;help;restore' {
            break
        }
        'kubectl-mcp;help;repair' {
            break
        }
        'kubectl-mcp;help;delete' {
            break
        }
        'kubectl-mcp;help;expire' {
            break
        }
        'kubectl-mcp;help;summarize' {
            break
        }
        'kubectl-mcp;help;batch' {
            break
        }
        'kubectl-mcp;help;export' {
            break
        }
        'kubectl-mcp;help;import' {
            break
        }
        'kubectl-mcp;help;completions' {
            break
        }
        'kubectl-mcp;help;serve' {
            break
        }
        'kubectl-mcp;help;version' {
            break
        }
        'kubectl-mcp;help;config' {
            [CompletionResult]::new('view', 'view', [CompletionResultType]::ParameterValue, 'The effective settings as YAML, each with where it came from')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'The configuration file''s path (whether or not it exists)')
            break
        }
        'kubectl-mcp;help;config;view' {
            break
        }
        'kubectl-mcp;help;config;path' {
            break
        }
        'kubectl-mcp;help;search' {
            break
        }
        'kubectl-mcp;help;rbac' {
            break
        }
        'kubectl-mcp;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
