//! Command-line definitions: what the user typed, nothing more.
//!
//! kubectl hands every argument after `mcp` to the plugin unchanged, so kubectl's own flags
//! (`-n`, `--context`, `-o`, `-l`, `-A` …) are parsed here, spelled as kubectl spells them.
//! These structs are plain data; the commands turn them into clients and requests (parse first,
//! act later), and `completions/` and `man/` are generated from them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::resource::{ContextState, SummarizationStrategy};
use crate::ui::jsonpath::Printer;

mod formats;
mod settings;
mod values;

pub use self::formats::*;
pub use self::settings::*;
pub use self::values::*;

/// Keep Claude conversations as ClaudeModelContext resources and drive them from kubectl.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-mcp",
    bin_name = "kubectl mcp",
    version,
    about = "Keep Claude conversations as ClaudeModelContext resources and drive them from kubectl",
    long_about = "kubectl-mcp keeps conversations with Anthropic's Claude as Kubernetes custom \
                  resources (ClaudeModelContext, short name cmc) and drives them from the terminal. \
                  Installed on PATH it runs as the kubectl plugin `kubectl mcp`.",
    after_help = "Start with `kubectl mcp install`, then `kubectl mcp create demo --model claude-sonnet-4-5`."
)]
pub struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Cluster selection and diagnostics, accepted before or after the subcommand like kubectl's.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME"
    )]
    pub context: Option<String>,

    /// The namespace (default: the kubeconfig context's namespace, else `default`).
    #[arg(
        short = 'n',
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NS"
    )]
    pub namespace: Option<String>,

    /// More detail on stderr: -v one line per HTTP request (method, URL, status, time, as
    /// kubectl's -v=6), -vv debug, -vvv trace (RUST_LOG overrides).
    #[arg(short = 'v', long = "verbose", global = true, help_heading = "Global options", action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Read the Claude API key from a Kubernetes Secret instead of ANTHROPIC_API_KEY.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "[NS/]NAME[:KEY]"
    )]
    pub api_key_secret: Option<crate::credentials::SecretRef>,

    /// How long to wait for one cluster request, e.g. 30s, 2m; 0 means no limit.
    #[arg(long, global = true, help_heading = "Global options", value_name = "DURATION", value_parser = parse_request_timeout)]
    pub request_timeout: Option<Duration>,
}

impl GlobalArgs {
    /// The connection options these flags describe.
    pub fn cluster_options(&self) -> crate::cluster::ClusterOptions {
        crate::cluster::ClusterOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            request_timeout: self.request_timeout,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the ClaudeModelContext CustomResourceDefinition as YAML.
    #[command(
        after_help = "Examples:\n  kubectl mcp crd > crd.yaml\n  kubectl mcp crd | kubectl apply --server-side -f -"
    )]
    Crd,
    /// Create or update the CRD in the cluster (server-side apply; safe to repeat).
    #[command(
        after_help = "Examples:\n  kubectl mcp install\n  kubectl mcp install --context prod"
    )]
    Install(InstallArgs),
    /// Remove the CRD and with it every ClaudeModelContext in the cluster.
    #[command(after_help = "Examples:\n  kubectl mcp uninstall --yes")]
    Uninstall(UninstallArgs),
    /// Create a context for a session.
    #[command(
        after_help = "Examples:\n  kubectl mcp create demo --model claude-sonnet-4-5 --max-tokens 4000 --history-size 10\n  kubectl mcp create 'Alice/support #42' --model claude-haiku-4-5 --strategy hybrid --expires-in 24h -L team=sre"
    )]
    Create(CreateArgs),
    /// Talk to Claude in a context: an interactive REPL on a terminal, or scripted turns with
    /// -m/-f/stdin (the context is created when missing).
    #[command(
        after_help = "Examples:\n  kubectl mcp chat demo                                   # the REPL\n  kubectl mcp chat                                        # resume the last session used here\n  kubectl mcp chat demo -m 'What is a pod?' -m 'And a deployment?'\n  kubectl logs web-1 | kubectl mcp chat ops -m 'Why does it restart?'\n  kubectl mcp chat new-one --model claude-haiku-4-5 -f question.txt -o json"
    )]
    Chat(ChatArgs),
    /// Describe contexts: spec, status, usage, transcript and Events.
    #[command(visible_aliases = ["show", "describe"])]
    #[command(
        after_help = "Examples:\n  kubectl mcp get demo\n  kubectl mcp get demo --last 5\n  kubectl mcp get demo other -o yaml\n  kubectl mcp get demo -o jsonpath='{.status.tokenCount}'\n  kubectl mcp describe 'Alice/support #42' -n support"
    )]
    Get(GetArgs),
    /// List contexts in a kubectl-style table.
    #[command(visible_alias = "ls")]
    #[command(
        after_help = "Examples:\n  kubectl mcp list\n  kubectl mcp list -A -o wide --sort-by tokens\n  kubectl mcp list -l team=sre --state Expired\n  kubectl mcp list -o custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount\n  kubectl mcp list -o jsonpath='{range .items[*]}{.spec.sessionID}{\"\\n\"}{end}'\n  kubectl mcp list -w"
    )]
    List(ListArgs),
    /// Change the settings of an existing context (model, budgets, system prompt, strategy,
    /// expiry, labels).
    #[command(
        after_help = "Examples:\n  kubectl mcp set demo --model claude-sonnet-4-5 --max-tokens 50000\n  kubectl mcp set demo --system-file prompt.md --strategy hybrid --history-size 20\n  kubectl mcp set demo --expires-in 24h -L team=sre"
    )]
    Set(SetArgs),
    /// What Claude calls cost, summed per context, namespace, model or label (for chargeback).
    #[command(
        after_help = "Examples:\n  kubectl mcp usage\n  kubectl mcp usage -A --by namespace\n  kubectl mcp usage -A --by model -o json\n  kubectl mcp usage -A --by label=team -l env=prod\n  kubectl mcp usage --advise demo --keep 8"
    )]
    Usage(UsageArgs),
    /// Bring back turns that /clear, /undo or /retry moved aside (or list them with --list).
    #[command(
        after_help = "Examples:\n  kubectl mcp restore demo --list\n  kubectl mcp restore demo"
    )]
    Restore(RestoreArgs),
    /// Check a context's sealed history segments and mend what is damaged: re-adopt or restore
    /// a segment from a verified copy, else quarantine it, naming the turns that are lost. A dry
    /// run unless --apply is given.
    #[command(
        after_help = "A damaged segment (deleted, corrupted, changed after it was sealed) never stops new turns: it is\nleft out of windows with a warning. repair makes that permanent and quiet, or undoes it when a copy\nis found (this machine's segment cache, the live object, an unlisted segment with the same messages).\n\nExamples:\n  kubectl mcp repair demo            # what is damaged, and what would be done\n  kubectl mcp repair demo --apply"
    )]
    Repair(RepairArgs),
    /// Delete contexts by session ID or name, by label, or all in the namespace.
    #[command(
        after_help = "Examples:\n  kubectl mcp delete demo\n  kubectl mcp delete -l team=sre\n  kubectl mcp delete -A -l env=test"
    )]
    Delete(DeleteArgs),
    /// Mark contexts past their expiration time or idle too long as Expired (or delete them).
    #[command(
        after_help = "Examples:\n  kubectl mcp expire --dry-run\n  kubectl mcp expire -A --idle 7d\n  kubectl mcp expire -A --delete"
    )]
    Expire(ExpireArgs),
    /// Fold older turns of contexts into their summary now.
    #[command(
        after_help = "Examples:\n  kubectl mcp summarize demo --keep-last 4\n  kubectl mcp summarize --all --dry-run\n  kubectl mcp summarize -A -l team=sre"
    )]
    Summarize(SummarizeArgs),
    /// Run many scripted turns across sessions from JSON Lines.
    #[command(
        after_help = "Examples:\n  kubectl mcp batch -f questions.jsonl\n  cat questions.jsonl | kubectl mcp batch -f - --concurrency 8\n  kubectl mcp batch -f questions.jsonl --model claude-haiku-4-5 --history-size 10 -L run=nightly"
    )]
    Batch(BatchArgs),
    /// Print a context as JSON, JSON Lines or Markdown.
    #[command(
        after_help = "Examples:\n  kubectl mcp export demo -o markdown > demo.md\n  kubectl mcp export demo -o jsonl | kubectl mcp import -f - -n other\n  kubectl mcp export -A -l team=sre > sre.json"
    )]
    Export(ExportArgs),
    /// Create contexts from what `export` wrote: one, a List, or several contexts' JSON Lines.
    #[command(
        after_help = "Examples:\n  kubectl mcp import -f demo.jsonl\n  kubectl mcp import -f demo.json --session 'demo copy' -n staging\n  kubectl mcp export -A -l team=sre | kubectl mcp import -f - -n restored\n  kubectl mcp import -f backup.json --keep-namespaces"
    )]
    Import(ImportArgs),
    /// Print a shell completion script (also `completion`, as kubectl spells it).
    #[command(
        visible_alias = "completion",
        after_help = "Examples:\n  kubectl-mcp completions bash > /etc/bash_completion.d/kubectl-mcp\n  kubectl-mcp completion zsh > \"${fpath[1]}/_kubectl-mcp\""
    )]
    Completions(CompletionsArgs),
    /// Serve the stored conversations to MCP clients (Claude Code, Claude Desktop, any Model
    /// Context Protocol client): over stdio, or Streamable HTTP on a loopback address. Runs with
    /// your kubeconfig: RBAC decides what a client may read and do.
    #[command(after_help = "Examples:
  kubectl mcp serve                          # stdio, for `claude mcp add`
  kubectl mcp serve -n team-a --api-key-secret claude-key
  kubectl mcp serve --http 127.0.0.1:8765    # at http://127.0.0.1:8765/mcp, with the token it prints
  kubectl mcp serve --http 127.0.0.1:8765 --token-file ~/.config/kubectl-mcp/token")]
    Serve(ServeArgs),
    /// Print the client's version (commit, build date), the Claude API it talks to, and the
    /// cluster's: the apiserver version and the CRD versions it serves.
    #[command(
        after_help = "Examples:\n  kubectl mcp version\n  kubectl mcp version --client\n  kubectl mcp version -o json"
    )]
    Version(VersionArgs),
    /// Show the configuration: defaults for new contexts (model, budget, answer cap, strategy),
    /// the namespace and price overrides, from $KUBECTL_MCP_* and the configuration file.
    #[command(
        subcommand,
        after_help = "The file is $KUBECTL_MCP_CONFIG, else $XDG_CONFIG_HOME/kubectl-mcp/config.yaml, else\n~/.config/kubectl-mcp/config.yaml. Flags beat environment variables, which beat the file.\n\nExamples:\n  kubectl mcp config view\n  kubectl mcp config path"
    )]
    Config(ConfigCommand),
    /// Find the contexts whose conversation (sealed turns included) or summary mentions TEXT,
    /// ignoring case.
    #[command(
        after_help = "Examples:\n  kubectl mcp search 'CrashLoopBackOff'\n  kubectl mcp search ingress -A -l team=sre\n  kubectl mcp search 'disk pressure' -o name"
    )]
    Search(SearchArgs),
    /// Print the Role (or ClusterRole) a viewer, an editor or an operator needs, with a binding
    /// for --user/--group/--serviceaccount, as YAML for `kubectl apply -f -`.
    #[command(
        after_help = "viewer: read contexts, their history segments and Events.\neditor: a viewer who chats (create and patch contexts and their status, seal turns into segments, record Events).\noperator: an editor who also deletes, expires and summarizes across namespaces (a ClusterRole).\n\nExamples:\n  kubectl mcp rbac viewer -n team-a --group team-a-readers | kubectl apply -f -\n  kubectl mcp rbac editor -n team-a --user alice --api-key-secret claude-key | kubectl apply -f -\n  kubectl mcp rbac operator --serviceaccount ops:janitor | kubectl apply -f -"
    )]
    Rbac(RbacArgs),
}

/// `rbac`.
#[derive(Debug, Args)]
pub struct RbacArgs {
    /// Which kind of user.
    #[arg(value_enum)]
    pub role: RbacRole,
    /// A ClusterRole (and ClusterRoleBinding) instead of a Role in the namespace (always for
    /// operator).
    #[arg(long)]
    pub cluster: bool,
    /// Bind the role to this user (repeatable).
    #[arg(long = "user", value_name = "NAME")]
    pub users: Vec<String>,
    /// Bind the role to this group (repeatable).
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Bind the role to this service account, NAMESPACE:NAME (repeatable).
    #[arg(long = "serviceaccount", value_name = "NS:NAME")]
    pub service_accounts: Vec<String>,
}

/// The kinds of user `rbac` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RbacRole {
    /// Reads contexts, segments and Events.
    Viewer,
    /// A viewer who chats.
    Editor,
    /// An editor who deletes, expires and summarizes across namespaces.
    Operator,
}

impl RbacRole {
    /// The name as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Operator => "operator",
        }
    }
}

/// `search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The text to look for.
    pub text: String,
    /// Search every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Only contexts matching this label selector (filtered by the apiserver).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = SearchFormat::Table, value_name = "FORMAT")]
    pub output: SearchFormat,
}

/// `search -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchFormat {
    /// One row per context: matches, where the first one is, and its text.
    Table,
    /// `claudemodelcontext.mcp.dev/NAME` per context.
    Name,
    /// Every match of every context.
    Json,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// The effective settings as YAML, each with where it came from.
    #[command(after_help = "Examples:\n  kubectl mcp config view")]
    View,
    /// The configuration file's path (whether or not it exists).
    #[command(after_help = "Examples:\n  kubectl mcp config path")]
    Path,
}

/// `version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Only the client's own version: do not contact the cluster.
    #[arg(long)]
    pub client: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<VersionFormat>,
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Toggle {
    /// On.
    On,
    /// Off.
    Off,
}

/// `-o` for `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VersionFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve Streamable HTTP on this loopback address (e.g. 127.0.0.1:8765) instead of stdio;
    /// the endpoint is /mcp.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<std::net::SocketAddr>,
    /// With --http: the bearer token clients must send, read from this file (kept private:
    /// mode 0600). Without it a new token is made for each run and written under the state
    /// directory.
    #[arg(
        long,
        value_name = "FILE",
        requires = "http",
        conflicts_with = "no_auth"
    )]
    pub token_file: Option<std::path::PathBuf>,
    /// With --http: ask connecting clients for nothing. Any local user or process that can reach
    /// the port then acts with your kubeconfig and API key: for throwaway machines only.
    #[arg(long, requires = "http")]
    pub no_auth: bool,
}

/// `expire`.
#[derive(Debug, Args)]
pub struct ExpireArgs {
    /// Look in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Only contexts matching this label selector.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Also expire contexts with no activity for this long, e.g. 24h, 7d.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub idle: Option<Duration>,
    /// Delete the contexts instead of marking them Expired (contexts already marked are deleted too).
    #[arg(long)]
    pub delete: bool,
    /// Print what would be done, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Contexts handled at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256), value_name = "N")]
    pub concurrency: u16,
}

/// Which contexts a bulk command acts on: names, or `--all` / `-l`, in this namespace or (`-A`)
/// in every one. Shared by `delete`, `summarize` and `export`.
#[derive(Debug, Args, Clone, Default)]
#[command(group = clap::ArgGroup::new("targets").required(true).multiple(false).args(["sessions", "all", "selector"]))]
pub struct Targets {
    /// Session IDs or resource names.
    pub sessions: Vec<String>,
    /// Every context in the namespace.
    #[arg(long)]
    pub all: bool,
    /// With --all or -l: in every namespace (names cannot be given across namespaces).
    #[arg(short = 'A', long, conflicts_with = "sessions")]
    pub all_namespaces: bool,
    /// The contexts matching this label selector.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
}

impl Targets {
    /// `--all` or `-l`: the contexts come from a list, not from names.
    pub fn bulk(&self) -> bool {
        self.all || self.selector.is_some()
    }
}

/// `summarize`.
#[derive(Debug, Args)]
pub struct SummarizeArgs {
    /// The contexts to summarize.
    #[command(flatten)]
    pub targets: Targets,
    /// Turns kept verbatim at the end of the history (at least 1: the newest turn is never
    /// folded, so the conversation can go on from it).
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_last: u32,
    /// Print what would be folded, change nothing and call nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// JSON Lines of {"session": …, "message": …} plus optional settings (`-` for stdin).
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: PathBuf,
    /// Sessions worked on at once (each session's turns stay in input order).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256), value_name = "N")]
    pub concurrency: u16,
    /// Mask personal data and secrets in every line's message, whatever the contexts say.
    #[arg(long)]
    pub redact: bool,
    /// Settings for the contexts the batch creates (a line's own fields win); contexts that
    /// exist keep theirs.
    #[command(flatten)]
    pub settings: ContextSettings,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The contexts to export (several, --all or -l: a List as json, the contexts one after
    /// another as jsonl or markdown).
    #[command(flatten)]
    pub targets: Targets,
    /// Format.
    #[arg(short = 'o', long, value_enum, default_value_t = ExportFormat::Json, value_name = "FORMAT")]
    pub output: ExportFormat,
}

/// `-o` for `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The object, without server-set metadata.
    Json,
    /// A header line with the settings, then one line per message.
    Jsonl,
    /// A readable transcript (not importable).
    Markdown,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What `export` wrote (`-` for stdin): one context as JSON or JSON Lines, a List of them
    /// (`export --all -o json`), or several contexts' JSON Lines.
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: PathBuf,
    /// Import under this session ID instead of the exported one (a file of one context).
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// Put each context back into the namespace it was exported from, instead of the one of
    /// -n (or the kubeconfig's).
    #[arg(long)]
    pub keep_namespaces: bool,
}

/// `install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// How long to wait for the CRD to become Established.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub wait_timeout: Duration,
}

/// `uninstall`.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `set`: the settings of `create`, for an existing context (only what is typed changes it).
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The session ID or resource name.
    pub session: String,
    /// The settings to change.
    #[command(flatten)]
    pub settings: ContextSettings,
}

/// `usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Only contexts with these labels.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// One row per context (default), namespace, model, or value of label KEY (`label=KEY`).
    #[arg(long, value_name = "GROUP", default_value = "context")]
    pub by: String,
    /// Instead of totals, one context: what its calls read from and wrote to the prompt cache,
    /// what the same calls would have cost uncached, and the cheapest settings that keep at
    /// least --keep turns at its pace.
    #[arg(long, value_name = "SESSION", conflicts_with_all = ["all_namespaces", "selector", "by"])]
    pub advise: Option<String>,
    /// With --advise: the fewest turns a window must keep, 1 to 50 (default: as many as the
    /// current settings keep once the window is full, at most 20).
    #[arg(long, value_name = "TURNS", requires = "advise", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub keep: Option<u32>,
    /// A table, or JSON rows.
    #[arg(short = 'o', long, value_enum, default_value_t = UsageFormat::Table, value_name = "FORMAT")]
    pub output: UsageFormat,
}

/// `usage -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageFormat {
    /// Columns, with a total.
    Table,
    /// An array of rows.
    Json,
}

/// `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The session ID or resource name.
    pub session: String,
    /// List what was moved aside instead of restoring it.
    #[arg(long)]
    pub list: bool,
}

/// `repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// The session ID or resource name.
    pub session: String,
    /// Carry out what the dry run shows.
    #[arg(long)]
    pub apply: bool,
}

/// `create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The session ID: any string of 1–512 characters (non-DNS IDs get a derived name).
    pub session: String,
    /// The context's settings.
    #[command(flatten)]
    pub settings: ContextSettings,
    /// Print the created object as json, yaml, name, jsonpath=… or custom-columns=… instead of a
    /// confirmation line.
    #[arg(short = 'o', long, value_parser = FormatParser::<ObjectFormat>::new(), value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,
}

/// `chat`.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The session ID: any string of 1–512 characters (non-DNS IDs get a derived name).
    /// Without it, the session used last in this namespace is resumed.
    pub session: Option<String>,
    /// Settings used when the context must be created.
    #[command(flatten)]
    pub settings: ContextSettings,
    /// A message to send (repeatable: one turn each, in order).
    #[arg(short = 'm', long = "message", value_name = "TEXT")]
    pub messages: Vec<String>,
    /// Send the contents of a file as one message (`-` for stdin). With `-m`, the file's text
    /// goes with the first message instead, in a fenced block before the question (as piped
    /// stdin does).
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// How answers are printed: text (streamed), json (one array at the end) or jsonl (one line
    /// per turn).
    #[arg(short = 'o', long, value_enum, default_value_t = ChatFormat::Text, value_name = "FORMAT")]
    pub output: ChatFormat,
    /// Chat with an expired context: marks it Active and clears its expiration time.
    #[arg(long)]
    pub revive: bool,
    /// Print answers as they come, without rendering their Markdown (as when NO_COLOR is set or
    /// stdout is not a terminal).
    #[arg(long)]
    pub raw: bool,
    /// Mask personal data and secrets in this run's messages, whatever the context says (see
    /// --redaction to turn it on for good).
    #[arg(long)]
    pub redact: bool,
}

/// `-o` for `chat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChatFormat {
    /// The answer's text, streamed as it arrives.
    Text,
    /// A JSON array with one object per turn, printed at the end.
    Json,
    /// One JSON object per line, per turn.
    Jsonl,
}

/// `get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Session IDs or resource names (several: each described in turn, or one List with -o
    /// json|yaml).
    #[arg(required = true, num_args = 1.., value_name = "SESSION")]
    pub sessions: Vec<String>,
    /// Print the object as json, yaml, name, jsonpath=… or custom-columns=… instead of a
    /// description.
    #[arg(short = 'o', long, value_parser = FormatParser::<ObjectFormat>::new(), value_name = "FORMAT")]
    pub output: Option<ObjectFormat>,
    /// Show only the last N turns of the transcript (default on a terminal: 20; piped: all).
    #[arg(long, value_name = "TURNS", conflicts_with = "full", value_parser = clap::value_parser!(u64).range(1..))]
    pub last: Option<u64>,
    /// Show every turn of the transcript, even on a terminal.
    #[arg(long)]
    pub full: bool,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// List across all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Label selector, e.g. team=sre,tier!=test.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_parser = FormatParser::<ListFormat>::new(), default_value = "table", value_name = "FORMAT")]
    pub output: ListFormat,
    /// Only contexts in this state.
    #[arg(long, value_enum, ignore_case = true, value_name = "STATE")]
    pub state: Option<ContextState>,
    /// Sort by a column: name, namespace, model, session, state, turns, tokens, last-activity, age
    /// (or the JSONPath of the field, e.g. .status.tokenCount).
    #[arg(long, value_parser = parse_sort_key, value_name = "FIELD")]
    pub sort_by: Option<SortKey>,
    /// Objects per request when paging through large lists with --consistent (0: one request).
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub chunk_size: u32,
    /// Read from etcd (in pages of --chunk-size), not from the apiserver's watch cache, which
    /// serves lists by default and may be a moment behind.
    #[arg(long)]
    pub consistent: bool,
    /// Omit the table header.
    #[arg(long)]
    pub no_headers: bool,
    /// After listing, watch for changes and print them as they happen (like kubectl get -w).
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Show each context's labels as the last column (as kubectl's --show-labels).
    #[arg(long)]
    pub show_labels: bool,
    /// A column for the value of each of these label keys, e.g. -L team,env (as kubectl's
    /// --label-columns).
    #[arg(
        short = 'L',
        long = "label-columns",
        value_name = "KEY",
        value_delimiter = ','
    )]
    pub label_columns: Vec<String>,
}

/// `delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The contexts to delete.
    #[command(flatten)]
    pub targets: Targets,
    /// Treat a missing context as success.
    #[arg(long)]
    pub ignore_not_found: bool,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// An `-o` value: a few fixed names, or one of kubectl's template printers.
pub trait Formats: Sized + Clone + Send + Sync + 'static {
    /// The fixed names and their help, for `--help` and completion.
    const FIXED: &'static [(&'static str, &'static str)];
    /// The fixed format with this name.
    fn fixed(name: &str) -> Option<Self>;
    /// A template printer.
    fn template(p: Printer) -> Self;
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand_like_kubectl() {
        let cli = Cli::try_parse_from([
            "kubectl-mcp",
            "list",
            "-n",
            "team",
            "--context",
            "prod",
            "-o",
            "wide",
        ])
        .unwrap();
        assert_eq!(cli.global.namespace.as_deref(), Some("team"));
        assert_eq!(cli.global.context.as_deref(), Some("prod"));
    }

    #[test]
    fn durations_and_times_parse_or_explain() {
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86400));
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86400)
        );
        assert!(parse_duration("soon").unwrap_err().contains("24h"));
        assert_eq!(parse_request_timeout("5").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_request_timeout("0").unwrap(), Duration::ZERO);
        assert!(parse_time("2026-12-31T00:00:00Z").is_ok());
        assert!(parse_time("tomorrow").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn idle_ttls_match_the_schema_pattern() {
        for ok in ["12h", "7d", "1h30m", "100ms", "2w"] {
            assert_eq!(parse_idle_ttl(ok).unwrap(), ok);
        }
        for bad in ["", "h", "12", "1.5h", "12 h", "3mo", "-1h"] {
            assert!(parse_idle_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sort_keys_accept_names_and_json_paths() {
        assert_eq!(parse_sort_key("tokens").unwrap(), SortKey::Tokens);
        assert_eq!(
            parse_sort_key(".status.tokenCount").unwrap(),
            SortKey::Tokens
        );
        assert_eq!(
            parse_sort_key("{.metadata.creationTimestamp}").unwrap(),
            SortKey::Age
        );
        assert!(parse_sort_key("color").is_err());
    }

    #[test]
    fn labels_need_a_key_and_an_equals_sign_or_a_dash_to_remove() {
        assert_eq!(
            parse_label("team=sre").unwrap(),
            LabelArg::Set("team".into(), "sre".into())
        );
        assert_eq!(
            parse_label("empty=").unwrap(),
            LabelArg::Set("empty".into(), "".into())
        );
        assert_eq!(
            parse_label("team-").unwrap(),
            LabelArg::Remove("team".into())
        );
        assert_eq!(
            parse_label("a-b=c-").unwrap(),
            LabelArg::Set("a-b".into(), "c-".into())
        );
        for bad in ["nokey", "=v", "-"] {
            assert!(parse_label(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn none_takes_a_setting_back_and_zero_is_no_count() {
        assert_eq!(count_or_none("none").unwrap(), OrNone::None);
        assert_eq!(count_or_none(" None ").unwrap(), OrNone::None);
        assert_eq!(count_or_none("12").unwrap(), OrNone::Value(12));
        assert!(count_or_none("0").unwrap_err().contains("`none` removes"));
        assert_eq!(time_or_none("none").unwrap(), OrNone::None);
        assert!(time_or_none("soon").is_err());
        assert_eq!(duration_or_none("none").unwrap(), OrNone::None);
        assert_eq!(
            duration_or_none("0s").unwrap(),
            OrNone::Value(Duration::ZERO)
        );
        assert_eq!(idle_ttl_or_none("NONE").unwrap(), OrNone::None);
        assert_eq!(
            idle_ttl_or_none("7d").unwrap(),
            OrNone::Value("7d".to_string())
        );
    }

    #[test]
    fn the_template_removes_what_none_names_and_keeps_the_rest() {
        let cli = Cli::try_parse_from([
            "kubectl-mcp",
            "set",
            "s",
            "--system",
            "",
            "--history-size",
            "none",
            "--max-tokens",
            "800",
            "--cache-ttl",
            "auto",
            "-L",
            "a=b",
            "-L",
            "c-",
        ])
        .unwrap();
        let Command::Set(args) = cli.command else {
            panic!("set")
        };
        let t = crate::model::resource::ContextTemplate::from(&args.settings);
        assert_eq!(t.unset, ["systemPrompt", "historySize", "cacheTTL"]);
        assert_eq!(t.system, None);
        assert_eq!(t.max_tokens, Some(800));
        assert_eq!(t.labels, [("a".to_string(), "b".to_string())]);
        assert_eq!(t.unlabel, ["c"]);
        for field in &t.unset {
            assert!(
                crate::model::resource::ContextTemplate::REMOVABLE.contains(field),
                "{field}"
            );
        }
    }

    #[test]
    fn delete_needs_a_target() {
        assert!(Cli::try_parse_from(["kubectl-mcp", "delete"]).is_err());
        assert!(Cli::try_parse_from(["kubectl-mcp", "delete", "a", "--all"]).is_err());
        assert!(Cli::try_parse_from(["kubectl-mcp", "delete", "--all"]).is_ok());
    }
}
