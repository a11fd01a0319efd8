
use builtin;
use str;

set edit:completion:arg-completer[kubectl-mcp] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kubectl-mcp'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kubectl-mcp'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand crd 'Print the ClaudeModelContext CustomResourceDefinition as YAML'
            cand install 'Create or update the CRD in the cluster (server-side apply; safe to repeat)'
            cand uninstall 'Remove the CRD and with it every ClaudeModelContext in the cluster'
            cand create 'Create a context for a session'
            cand chat 'Talk to Claude in a context: an interactive REPL on a terminal, or scripted turns with -m/-f/stdin (the context is created when missing)'
            cand get 'Describe contexts: spec, status, usage, transcript and Events'
            cand show 'Describe contexts: spec, status, usage, transcript and Events'
            cand describe 'Describe contexts: spec, status, usage, transcript and Events'
            cand list 'List contexts in a kubectl-style table'
            cand ls 'List contexts in a kubectl-style table'
            cand set 'Change the settings of an existing context (model, budgets, system prompt, strategy, expiry, labels)'
            cand usage 'What Claude calls cost, summed per context, namespace, model or label (for chargeback)'
            cand restore 'Bring back turns that /clear, /undo or /retry moved aside (or list them with --list)'
            cand repair 'Check a context''s sealed history segments and mend what is damaged: re-adopt or restore a segment from a verified copy, else quarantine it, naming the turns that are lost. A dry run unless --apply is given'
            cand delete 'Delete contexts by session ID or name, by label, or all in the namespace'
            cand expire 'Mark contexts past their expiration time or idle too long as Expired (or delete them)'
            cand summarize 'Fold older turns of contexts into their summary now'
            cand batch 'Run many scripted turns across sessions from JSON Lines'
            cand export 'Print a context as JSON, JSON Lines or Markdown'
            cand import 'Create contexts from what `export` wrote: one, a List, or several contexts'' JSON Lines'
            cand completions 'Print a shell completion script (also `completion`, as kubectl spells it)'
            cand completion 'Print a shell completion script (also `completion`, as kubectl spells it)'
            cand serve 'Serve the stored conversations to MCP clients (Claude Code, Claude Desktop, any Model Context Protocol client): over stdio, or Streamable HTTP on a loopback address. Runs with your kubeconfig: RBAC decides what a client may read and do'
            cand version 'Print the client''s version (commit, build date), the Claude API it talks to, and the cluster''s: the apiserver version and the CRD versions it serves'
            cand config 'Show the configuration: defaults for new contexts (model, budget, answer cap, strategy), the namespace and price overrides, from $KUBECTL_MCP_* and the configuration file'
            cand search 'Find the contexts whose conversation (sealed turns included) or summary mentions TEXT, ignoring case'
            cand rbac 'Print the Role (or ClusterRole) a viewer, an editor or an operator needs, with a binding for --user/--group/--serviceaccount, as YAML for `kubectl apply -f -`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kubectl-mcp;crd'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;install'= {
            cand --wait-timeout 'How long to wait for the CRD to become Established'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;uninstall'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;create'= {
            cand --model 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)'
            cand --system 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it'
            cand --system-file 'Read the system prompt from a file (`-` for stdin)'
            cand --max-tokens 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s'
            cand --max-output-tokens 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024'
            cand --history-size 'Most turns kept in the active window; `none`: no turn limit'
            cand --strategy 'What happens to turns that leave the window'
            cand --expires-in 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)'
            cand --expires-at 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)'
            cand --idle-ttl 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it'
            cand --cache-ttl 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it'
            cand -L 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --label 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --redaction 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)'
            cand -o 'Print the created object as json, yaml, name, jsonpath=… or custom-columns=… instead of a confirmation line'
            cand --output 'Print the created object as json, yaml, name, jsonpath=… or custom-columns=… instead of a confirmation line'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --yes 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;chat'= {
            cand --model 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)'
            cand --system 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it'
            cand --system-file 'Read the system prompt from a file (`-` for stdin)'
            cand --max-tokens 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s'
            cand --max-output-tokens 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024'
            cand --history-size 'Most turns kept in the active window; `none`: no turn limit'
            cand --strategy 'What happens to turns that leave the window'
            cand --expires-in 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)'
            cand --expires-at 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)'
            cand --idle-ttl 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it'
            cand --cache-ttl 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it'
            cand -L 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --label 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --redaction 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)'
            cand -m 'A message to send (repeatable: one turn each, in order)'
            cand --message 'A message to send (repeatable: one turn each, in order)'
            cand -f 'Send the contents of a file as one message (`-` for stdin). With `-m`, the file''s text goes with the first message instead, in a fenced block before the question (as piped stdin does)'
            cand --file 'Send the contents of a file as one message (`-` for stdin). With `-m`, the file''s text goes with the first message instead, in a fenced block before the question (as piped stdin does)'
            cand -o 'How answers are printed: text (streamed), json (one array at the end) or jsonl (one line per turn)'
            cand --output 'How answers are printed: text (streamed), json (one array at the end) or jsonl (one line per turn)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --yes 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)'
            cand --revive 'Chat with an expired context: marks it Active and clears its expiration time'
            cand --raw 'Print answers as they come, without rendering their Markdown (as when NO_COLOR is set or stdout is not a terminal)'
            cand --redact 'Mask personal data and secrets in this run''s messages, whatever the context says (see --redaction to turn it on for good)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;get'= {
            cand -o 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description'
            cand --output 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description'
            cand --last 'Show only the last N turns of the transcript (default on a terminal: 20; piped: all)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --full 'Show every turn of the transcript, even on a terminal'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;show'= {
            cand -o 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description'
            cand --output 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description'
            cand --last 'Show only the last N turns of the transcript (default on a terminal: 20; piped: all)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --full 'Show every turn of the transcript, even on a terminal'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;describe'= {
            cand -o 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description'
            cand --output 'Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a description'
            cand --last 'Show only the last N turns of the transcript (default on a terminal: 20; piped: all)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --full 'Show every turn of the transcript, even on a terminal'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;list'= {
            cand -l 'Label selector, e.g. team=sre,tier!=test'
            cand --selector 'Label selector, e.g. team=sre,tier!=test'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --state 'Only contexts in this state'
            cand --sort-by 'Sort by a column: name, namespace, model, session, state, turns, tokens, last-activity, age (or the JSONPath of the field, e.g. .status.tokenCount)'
            cand --chunk-size 'Objects per request when paging through large lists with --consistent (0: one request)'
            cand -L 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)'
            cand --label-columns 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -A 'List across all namespaces'
            cand --all-namespaces 'List across all namespaces'
            cand --consistent 'Read from etcd (in pages of --chunk-size), not from the apiserver''s watch cache, which serves lists by default and may be a moment behind'
            cand --no-headers 'Omit the table header'
            cand -w 'After listing, watch for changes and print them as they happen (like kubectl get -w)'
            cand --watch 'After listing, watch for changes and print them as they happen (like kubectl get -w)'
            cand --show-labels 'Show each context''s labels as the last column (as kubectl''s --show-labels)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;ls'= {
            cand -l 'Label selector, e.g. team=sre,tier!=test'
            cand --selector 'Label selector, e.g. team=sre,tier!=test'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --state 'Only contexts in this state'
            cand --sort-by 'Sort by a column: name, namespace, model, session, state, turns, tokens, last-activity, age (or the JSONPath of the field, e.g. .status.tokenCount)'
            cand --chunk-size 'Objects per request when paging through large lists with --consistent (0: one request)'
            cand -L 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)'
            cand --label-columns 'A column for the value of each of these label keys, e.g. -L team,env (as kubectl''s --label-columns)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -A 'List across all namespaces'
            cand --all-namespaces 'List across all namespaces'
            cand --consistent 'Read from etcd (in pages of --chunk-size), not from the apiserver''s watch cache, which serves lists by default and may be a moment behind'
            cand --no-headers 'Omit the table header'
            cand -w 'After listing, watch for changes and print them as they happen (like kubectl get -w)'
            cand --watch 'After listing, watch for changes and print them as they happen (like kubectl get -w)'
            cand --show-labels 'Show each context''s labels as the last column (as kubectl''s --show-labels)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;set'= {
            cand --model 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)'
            cand --system 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it'
            cand --system-file 'Read the system prompt from a file (`-` for stdin)'
            cand --max-tokens 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s'
            cand --max-output-tokens 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024'
            cand --history-size 'Most turns kept in the active window; `none`: no turn limit'
            cand --strategy 'What happens to turns that leave the window'
            cand --expires-in 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)'
            cand --expires-at 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)'
            cand --idle-ttl 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it'
            cand --cache-ttl 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it'
            cand -L 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --label 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --redaction 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --yes 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;usage'= {
            cand -l 'Only contexts with these labels'
            cand --selector 'Only contexts with these labels'
            cand --by 'One row per context (default), namespace, model, or value of label KEY (`label=KEY`)'
            cand --advise 'Instead of totals, one context: what its calls read from and wrote to the prompt cache, what the same calls would have cost uncached, and the cheapest settings that keep at least --keep turns at its pace'
            cand --keep 'With --advise: the fewest turns a window must keep, 1 to 50 (default: as many as the current settings keep once the window is full, at most 20)'
            cand -o 'A table, or JSON rows'
            cand --output 'A table, or JSON rows'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -A 'Every namespace'
            cand --all-namespaces 'Every namespace'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;restore'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --list 'List what was moved aside instead of restoring it'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;repair'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --apply 'Carry out what the dry run shows'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;delete'= {
            cand -l 'The contexts matching this label selector'
            cand --selector 'The contexts matching this label selector'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --all 'Every context in the namespace'
            cand -A 'With --all or -l: in every namespace (names cannot be given across namespaces)'
            cand --all-namespaces 'With --all or -l: in every namespace (names cannot be given across namespaces)'
            cand --ignore-not-found 'Treat a missing context as success'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;expire'= {
            cand -l 'Only contexts matching this label selector'
            cand --selector 'Only contexts matching this label selector'
            cand --idle 'Also expire contexts with no activity for this long, e.g. 24h, 7d'
            cand --concurrency 'Contexts handled at once'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -A 'Look in every namespace'
            cand --all-namespaces 'Look in every namespace'
            cand --delete 'Delete the contexts instead of marking them Expired (contexts already marked are deleted too)'
            cand --dry-run 'Print what would be done, change nothing'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;summarize'= {
            cand -l 'The contexts matching this label selector'
            cand --selector 'The contexts matching this label selector'
            cand --keep-last 'Turns kept verbatim at the end of the history (at least 1: the newest turn is never folded, so the conversation can go on from it)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --all 'Every context in the namespace'
            cand -A 'With --all or -l: in every namespace (names cannot be given across namespaces)'
            cand --all-namespaces 'With --all or -l: in every namespace (names cannot be given across namespaces)'
            cand --dry-run 'Print what would be folded, change nothing and call nothing'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;batch'= {
            cand -f 'JSON Lines of {"session": …, "message": …} plus optional settings (`-` for stdin)'
            cand --file 'JSON Lines of {"session": …, "message": …} plus optional settings (`-` for stdin)'
            cand --concurrency 'Sessions worked on at once (each session''s turns stay in input order)'
            cand --model 'Claude model ID or alias, e.g. claude-sonnet-4-5 (for a new context, default $KUBECTL_MCP_MODEL)'
            cand --system 'System prompt (sent as the API''s top-level `system`); `''''` or `-` removes it'
            cand --system-file 'Read the system prompt from a file (`-` for stdin)'
            cand --max-tokens 'Prompt budget in tokens (system + summary + history + new message); `none`: no limit besides the model''s'
            cand --max-output-tokens 'Cap on the tokens of each answer (the API''s max_tokens); `none`: the default, 1024'
            cand --history-size 'Most turns kept in the active window; `none`: no turn limit'
            cand --strategy 'What happens to turns that leave the window'
            cand --expires-in 'Expire the context this long from now, e.g. 24h, 7d, 90m; `none` removes the expiry. 0 expires it now, which asks first (or needs --yes)'
            cand --expires-at 'Expire the context at this RFC 3339 time, e.g. 2026-12-31T00:00:00Z; `none` removes the expiry. A time past asks first (or needs --yes)'
            cand --idle-ttl 'Expire the context after this long without activity, e.g. 12h, 7d (spec.idleTTL); `none` removes it'
            cand --cache-ttl 'How long Claude''s prompt cache keeps the conversation (spec.cacheTTL): auto (the default) picks per request by the conversation''s pace; 5m or 1h fixes it'
            cand -L 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --label 'A label for the resource, key=value (repeatable); `key-` removes one (`set`)'
            cand --redaction 'Mask personal data and secrets (e-mail addresses, phone and card numbers, IBANs, API keys, tokens, private keys, Secret data) in every message before it is stored or sent (spec.redaction.enabled)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --redact 'Mask personal data and secrets in every line''s message, whatever the contexts say'
            cand --yes 'Expire the context now without asking, when --expires-in is 0 or --expires-at is past (needed when stdin is not a terminal)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;export'= {
            cand -l 'The contexts matching this label selector'
            cand --selector 'The contexts matching this label selector'
            cand -o 'Format'
            cand --output 'Format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --all 'Every context in the namespace'
            cand -A 'With --all or -l: in every namespace (names cannot be given across namespaces)'
            cand --all-namespaces 'With --all or -l: in every namespace (names cannot be given across namespaces)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;import'= {
            cand -f 'What `export` wrote (`-` for stdin): one context as JSON or JSON Lines, a List of them (`export --all -o json`), or several contexts'' JSON Lines'
            cand --file 'What `export` wrote (`-` for stdin): one context as JSON or JSON Lines, a List of them (`export --all -o json`), or several contexts'' JSON Lines'
            cand --session 'Import under this session ID instead of the exported one (a file of one context)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --keep-namespaces 'Put each context back into the namespace it was exported from, instead of the one of -n (or the kubeconfig''s)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;completions'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;completion'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;serve'= {
            cand --http 'Serve Streamable HTTP on this loopback address (e.g. 127.0.0.1:8765) instead of stdio; the endpoint is /mcp'
            cand --token-file 'With --http: the bearer token clients must send, read from this file (kept private: mode 0600). Without it a new token is made for each run and written under the state directory'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --no-auth 'With --http: ask connecting clients for nothing. Any local user or process that can reach the port then acts with your kubeconfig and API key: for throwaway machines only'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;version'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --client 'Only the client''s own version: do not contact the cluster'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;config'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand view 'The effective settings as YAML, each with where it came from'
            cand path 'The configuration file''s path (whether or not it exists)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kubectl-mcp;config;view'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;config;path'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubectl-mcp;config;help'= {
            cand view 'The effective settings as YAML, each with where it came from'
            cand path 'The configuration file''s path (whether or not it exists)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kubectl-mcp;config;help;view'= {
        }
        &'kubectl-mcp;config;help;path'= {
        }
        &'kubectl-mcp;config;help;help'= {
        }
        &'kubectl-mcp;search'= {
            cand -l 'Only contexts matching this label selector (filtered by the apiserver)'
            cand --selector 'Only contexts matching this label selector (filtered by the apiserver)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand -A 'Search every namespace'
            cand --all-namespaces 'Search every namespace'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;rbac'= {
            cand --user 'Bind the role to this user (repeatable)'
            cand --group 'Bind the role to this group (repeatable)'
            cand --serviceaccount 'Bind the role to this service account, NAMESPACE:NAME (repeatable)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use'
            cand -n 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --namespace 'The namespace (default: the kubeconfig context''s namespace, else `default`)'
            cand --api-key-secret 'Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY'
            cand --request-timeout 'How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit'
            cand --cluster 'A ClusterRole (and ClusterRoleBinding) instead of a Role in the namespace (always for operator)'
            cand -v 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand --verbose 'More detail on stderr: -v one line per HTTP request (method, URL, status, time, as kubectl''s -v=6), -vv debug, -vvv trace (RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubectl-mcp;help'= {
            cand crd 'Print the ClaudeModelContext CustomResourceDefinition as YAML'
            cand install 'Create or update the CRD in the cluster (server-side apply; safe to repeat)'
            cand uninstall 'Remove the CRD and with it every ClaudeModelContext in the cluster'
            cand create 'Create a context for a session'
            cand chat 'Talk to Claude in a context: an interactive REPL on a terminal, or scripted turns with -m/-f/stdin (the context is created when missing)'
            cand get 'Describe contexts: spec, status, usage, transcript and Events'
            cand list 'List contexts in a kubectl-style table'
            cand set 'Change the settings of an existing context (model, budgets, system prompt, strategy, expiry, labels)'
            cand usage 'What Claude calls cost, summed per context, namespace, model or label (for chargeback)'
            cand restore 'Bring back turns that /clear, /undo or /retry moved aside (or list them with --list)'
            cand repair 'Check a context''s sealed history segments and mend what is damaged: re-adopt or restore a segment from a verified copy, else quarantine it, naming the turns that are lost. A dry run unless --apply is given'
            cand delete 'Delete contexts by session ID or name, by label, or all in the namespace'
            cand expire 'Mark contexts past their expiration time or idle too long as Expired (or delete them)'
            cand summarize 'Fold older turns of contexts into their summary now'
            cand batch 'Run many scripted turns across sessions from JSON Lines'
            cand export 'Print a context as JSON, JSON Lines or Markdown'
            cand import 'Create contexts from what `export` wrote: one, a List, or several contexts'' JSON Lines'
            cand completions 'Print a shell completion script (also `completion`, as kubectl spells it)'
            cand serve 'Serve the stored conversations to MCP clients (Claude Code, Claude Desktop, any Model Context Protocol client): over stdio, or Streamable HTTP on a loopback address. Runs with your kubeconfig: RBAC decides what a client may read and do'
            cand version 'Print the client''s version (commit, build date), the Claude API it talks to, and the cluster''s: the apiserver version and the CRD versions it serves'
            cand config 'Show the configuration: defaults for new contexts (model, budget, answer cap, strategy), the namespace and price overrides, from $KUBECTL_MCP_* and the configuration file'
            cand search 'Find the contexts whose conversation (sealed turns included) or summary mentions TEXT, ignoring case'
            cand rbac 'Print the Role (or ClusterRole) a viewer, an editor or an operator needs, with a binding for --user/--group/--serviceaccount, as YAML for `kubectl apply -f -`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kubectl-mcp;help;crd'= {
        }
        &'kubectl-mcp;help;install'= {
        }
        &'kubectl-mcp;help;uninstall'= {
        }
        &'kubectl-mcp;help;create'= {
        }
        &'kubectl-mcp;help;chat'= {
        }
        &'kubectl-mcp;help;get'= {
        }
        &'kubectl-mcp;help;list'= {
        }
        &'kubectl-mcp;help;set'= {
        }
        &'kubectl-mcp;help;usage'= {
        }
        &'kubectl-mcp;help;restore'= {
        }
        &'kubectl-mcp;help;repair'= {
        }
        &'kubectl-mcp;help;delete'= {
        }
        &'kubectl-mcp;help;expire'= {
        }
        &'kubectl-mcp;help;summarize'= {
        }
        &'kubectl-mcp;help;batch'= {
        }
        &'kubectl-mcp;help;export'= {
        }
        &'kubectl-mcp;help;import'= {
        }
        &'kubectl-mcp;help;completions'= {
        }
        &'kubectl-mcp;help;serve'= {
        }
        &'kubectl-mcp;help;version'= {
        }
        &'kubectl-mcp;help;config'= {
            cand view 'The effective settings as YAML, each with where it came from'
            cand path 'The configuration file''s path (whether or not it exists)'
        }
        &'kubectl-mcp;help;config;view'= {
        }
        &'kubectl-mcp;help;config;path'= {
        }
        &'kubectl-mcp;help;search'= {
        }
        &'kubectl-mcp;help;rbac'= {
        }
        &'kubectl-mcp;help;help'= {
        }
    ]
    $completions[$command]
}
