//! Completion for `kubectl mcp <TAB>`. kubectl (1.26+) completes a plugin's arguments by running
//! `kubectl_complete-<plugin> __complete ARGS… PARTIAL` and reading cobra's protocol: one candidate
//! a line, then `:<directive>`. Subcommands, flags and enum values come from the clap definition
//! (so they never drift from it); session arguments are completed with the names of the contexts
//! in the namespace, read from the cluster with a short timeout.

use std::time::Duration;

use clap::{Arg, Command, CommandFactory};

use crate::cli::Cli;

/// cobra's `ShellCompDirectiveNoFileComp`: do not fall back to file names.
pub const NO_FILE_COMP: u8 = 4;
/// cobra's `ShellCompDirectiveDefault`: the shell may complete file names.
pub const DEFAULT: u8 = 0;

/// Subcommands whose first positional argument is a session.
const SESSION_COMMANDS: &[&str] = &["chat", "get", "delete", "summarize", "export"];

/// The columns `list --sort-by` takes by name.
const SORT_KEYS: &[&str] = &[
    "name",
    "namespace",
    "model",
    "session",
    "state",
    "turns",
    "tokens",
    "last-activity",
    "age",
];

/// What to complete, found from the words before the partial one.
#[derive(Debug, PartialEq, Eq)]
pub enum Want {
    /// Candidates known without the cluster, and the directive.
    Static(Vec<String>, u8),
    /// Namespace names from the cluster (for `-n`).
    Namespaces {
        /// `--kubeconfig`, when given.
        kubeconfig: Option<String>,
        /// `--context`, when given.
        context: Option<String>,
    },
    /// The kubeconfig's context names (for `--context`).
    Contexts {
        /// `--kubeconfig`, when given.
        kubeconfig: Option<String>,
    },
    /// Context names in this namespace (`None`: the kubeconfig's), filtered by the prefix.
    Sessions {
        /// `-n`, when given.
        namespace: Option<String>,
        /// `--kubeconfig`, when given.
        kubeconfig: Option<String>,
        /// `--context`, when given.
        context: Option<String>,
    },
}

fn long_flags(cmd: &Command) -> Vec<String> {
    cmd.get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect()
}

fn takes_value(a: &Arg) -> bool {
    a.get_action().takes_values()
}

fn find_flag<'a>(cmd: &'a Command, word: &str) -> Option<&'a Arg> {
    cmd.get_arguments().find(|a| {
        (word.starts_with("--") && a.get_long() == Some(&word[2..]))
            || (word.len() == 2 && word.starts_with('-') && a.get_short() == word.chars().nth(1))
    })
}

/// Decide what `partial` should be completed with, after `words`.
pub fn analyse(words: &[String], partial: &str) -> Want {
    let root = Cli::command();
    let mut cmd: Option<Command> = None;
    let mut positionals = 0;
    let (mut namespace, mut kubeconfig, mut context) = (None, None, None);
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let scope = cmd.as_ref().unwrap_or(&root);
        if w.starts_with('-') {
            let (name, inline) = match w.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (w.as_str(), None),
            };
            let flag = find_flag(scope, name).or_else(|| find_flag(&root, name));
            if let Some(f) = flag.filter(|f| takes_value(f)) {
                let value = inline.or_else(|| {
                    i += 1;
                    words.get(i).cloned()
                });
                match f.get_id().as_str() {
                    "namespace" => namespace = value,
                    "kubeconfig" => kubeconfig = value,
                    "context" => context = value,
                    _ => {}
                }
            }
        } else if cmd.is_none() {
            cmd = root.find_subcommand(w).cloned();
            if cmd.is_none() {
                return Want::Static(Vec::new(), NO_FILE_COMP);
            }
        } else {
            positionals += 1;
        }
        i += 1;
    }
    let scope = cmd.as_ref().unwrap_or(&root);
    // A value for the flag just before the partial word?
    if let Some(prev) = words
        .last()
        .filter(|w| w.starts_with('-') && !w.contains('='))
    {
        if let Some(f) = find_flag(scope, prev)
            .or_else(|| find_flag(&root, prev))
            .filter(|f| takes_value(f))
        {
            match f.get_id().as_str() {
                "namespace" => {
                    return Want::Namespaces {
                        kubeconfig,
                        context,
                    }
                }
                "context" => return Want::Contexts { kubeconfig },
                "model" => {
                    let models = crate::model::catalog::MODELS
                        .iter()
                        .map(|m| m.id.to_string())
                        .collect();
                    return Want::Static(prefixed(models, partial), NO_FILE_COMP);
                }
                "sort_by" => {
                    let keys = SORT_KEYS.iter().map(|k| k.to_string()).collect();
                    return Want::Static(prefixed(keys, partial), NO_FILE_COMP);
                }
                _ => {}
            }
            let values: Vec<String> = f
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_string())
                .filter(|v| v.starts_with(partial))
                .collect();
            let files = f.get_value_hint() == clap::ValueHint::FilePath
                || matches!(f.get_id().as_str(), "kubeconfig" | "file" | "system_file");
            return Want::Static(values, if files { DEFAULT } else { NO_FILE_COMP });
        }
    }
    if partial.starts_with('-') {
        let mut flags = long_flags(scope);
        if cmd.is_some() {
            flags.extend(long_flags(&root));
        }
        flags.retain(|f| f.starts_with(partial));
        flags.sort();
        flags.dedup();
        return Want::Static(flags, NO_FILE_COMP);
    }
    match &cmd {
        None => {
            let mut subs: Vec<String> = root
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .flat_map(|s| {
                    std::iter::once(s.get_name().to_string())
                        .chain(s.get_visible_aliases().map(str::to_string))
                })
                .filter(|n| n.starts_with(partial) && n != "help")
                .collect();
            subs.sort();
            Want::Static(subs, NO_FILE_COMP)
        }
        Some(c)
            if SESSION_COMMANDS.contains(&c.get_name())
                && (positionals == 0 || matches!(c.get_name(), "delete" | "summarize")) =>
        {
            Want::Sessions {
                namespace,
                kubeconfig,
                context,
            }
        }
        Some(c) if c.get_name() == "completions" => Want::Static(
            ["bash", "elvish", "fish", "powershell", "zsh"]
                .iter()
                .filter(|s| s.starts_with(partial))
                .map(|s| s.to_string())
                .collect(),
            NO_FILE_COMP,
        ),
        Some(_) => Want::Static(Vec::new(), NO_FILE_COMP),
    }
}

/// Names asked of the cluster for a completion: connected as the command line says, with
/// short timeouts, and nothing (not an error) when the cluster cannot tell in time.
async fn from_cluster<F, Fut>(
    kubeconfig: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
    ask: F,
) -> Vec<String>
where
    F: FnOnce(crate::cluster::Cluster) -> Fut,
    Fut: std::future::Future<Output = Option<Vec<String>>>,
{
    let options = crate::cluster::ClusterOptions {
        kubeconfig: kubeconfig.map(Into::into),
        context,
        namespace,
        request_timeout: Some(Duration::from_secs(2)),
    };
    let names = async {
        let cluster = crate::cluster::Cluster::connect(&options).await.ok()?;
        ask(cluster).await
    };
    tokio::time::timeout(Duration::from_secs(3), names)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// The names that start with `partial`.
fn prefixed(mut names: Vec<String>, partial: &str) -> Vec<String> {
    names.retain(|n| n.starts_with(partial));
    names
}

/// The words of a completion request as text. A word that is not UTF-8 (a file name, say) is
/// read with replacement characters: completion only offers candidates, it never acts on them.
pub fn words(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<String> {
    args.into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Answer a `__complete` call (`args` after it) on stdout, in a runtime of its own: what
/// `kubectl_complete-mcp` does for kubectl, and `kubectl-mcp __complete` for the shell scripts
/// `kubectl mcp completions` prints.
pub fn run_protocol(args: &[String]) {
    use std::io::Write;
    crate::tls::install_crypto_provider();
    let lines = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(complete(args)),
        Err(_) => vec![format!(":{NO_FILE_COMP}")],
    };
    let mut out = std::io::stdout().lock();
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            return;
        }
    }
}

/// Run the protocol: `args` are what kubectl passes after `__complete` (the last one is the
/// word being completed). Returns the lines to print.
pub async fn complete(args: &[String]) -> Vec<String> {
    let (partial, words) = match args.split_last() {
        Some((p, w)) => (p.as_str(), w),
        None => ("", &[][..]),
    };
    let (mut out, directive) = match analyse(words, partial) {
        Want::Static(c, d) => (c, d),
        Want::Contexts { kubeconfig } => {
            let config = match kubeconfig {
                Some(path) => kube::config::Kubeconfig::read_from(path).ok(),
                None => kube::config::Kubeconfig::read().ok(),
            };
            let mut names: Vec<String> = config
                .map(|c| c.contexts.into_iter().map(|n| n.name).collect())
                .unwrap_or_default();
            names.sort();
            (prefixed(names, partial), NO_FILE_COMP)
        }
        Want::Namespaces {
            kubeconfig,
            context,
        } => {
            let names = from_cluster(kubeconfig, context, None, |cluster| async move {
                let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
                    kube::Api::all(cluster.client().clone());
                let list = api.list_metadata(&Default::default()).await.ok()?;
                Some(
                    list.items
                        .into_iter()
                        .filter_map(|n| n.metadata.name)
                        .collect(),
                )
            })
            .await;
            (prefixed(names, partial), NO_FILE_COMP)
        }
        Want::Sessions {
            namespace,
            kubeconfig,
            context,
        } => {
            let names = from_cluster(kubeconfig, context, namespace, |cluster| async move {
                // A Table from the watch cache: names only, no transcripts, one cheap request.
                let (rows, _) = cluster
                    .list_table(
                        Some(cluster.namespace()),
                        None,
                        crate::cluster::Freshness::Cached,
                        false,
                    )
                    .await
                    .ok()?;
                Some(rows.into_iter().map(|r| r.name).collect())
            })
            .await;
            (prefixed(names, partial), NO_FILE_COMP)
        }
    };
    out.push(format!(":{directive}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    fn names(want: Want) -> Vec<String> {
        match want {
            Want::Static(c, _) => c,
            Want::Sessions { .. } => vec!["<sessions>".into()],
            Want::Namespaces { .. } => vec!["<namespaces>".into()],
            Want::Contexts { .. } => vec!["<contexts>".into()],
        }
    }

    #[test]
    fn subcommands_flags_and_values_come_from_the_cli_definition() {
        let subs = names(analyse(&[], ""));
        for s in [
            "chat", "list", "ls", "get", "describe", "expire", "batch", "install",
        ] {
            assert!(subs.contains(&s.to_string()), "{s}: {subs:?}");
        }
        assert_eq!(names(analyse(&[], "ex")), ["expire", "export"]);
        let flags = names(analyse(&w(&["list"]), "--s"));
        assert_eq!(
            flags,
            ["--selector", "--show-labels", "--sort-by", "--state"]
        );
        assert!(
            names(analyse(&w(&["chat"]), "--")).contains(&"--kubeconfig".to_string()),
            "global flags too"
        );
        assert_eq!(names(analyse(&w(&["list", "-o"]), "w")), ["wide"]);
        assert_eq!(
            names(analyse(&w(&["create", "x", "--strategy"]), "")),
            ["truncate", "summarize_oldest", "hybrid", "server"]
        );
        assert_eq!(names(analyse(&w(&["completions"]), "z")), ["zsh"]);
        assert_eq!(
            names(analyse(&w(&["list", "--sort-by"]), "t")),
            ["turns", "tokens"]
        );
        assert!(names(analyse(&w(&["chat", "x", "--model"]), "claude-h"))
            .contains(&"claude-haiku-4-5".to_string()));
        assert_eq!(
            analyse(&w(&["--context", "prod", "list", "-n"]), ""),
            Want::Namespaces {
                kubeconfig: None,
                context: Some("prod".into())
            }
        );
        assert_eq!(
            analyse(&w(&["--kubeconfig", "/k", "get", "--context"]), "p"),
            Want::Contexts {
                kubeconfig: Some("/k".into())
            }
        );
    }

    #[test]
    fn session_arguments_ask_the_cluster_with_the_given_namespace() {
        assert_eq!(
            analyse(&w(&["-n", "team", "chat"]), "al"),
            Want::Sessions {
                namespace: Some("team".into()),
                kubeconfig: None,
                context: None
            }
        );
        assert_eq!(
            analyse(&w(&["get", "--kubeconfig=/k", "--context", "prod"]), ""),
            Want::Sessions {
                namespace: None,
                kubeconfig: Some("/k".into()),
                context: Some("prod".into())
            }
        );
        // After the session, chat takes flags only.
        assert_eq!(
            names(analyse(&w(&["chat", "demo"]), "")),
            Vec::<String>::new()
        );
        assert!(matches!(
            analyse(&w(&["delete", "a"]), ""),
            Want::Sessions { .. }
        ));
        assert_eq!(analyse(&w(&["list", "-o"]), "").directive(), NO_FILE_COMP);
        assert_eq!(
            analyse(&w(&["batch", "-f"]), "").directive(),
            DEFAULT,
            "files for -f"
        );
    }

    impl Want {
        fn directive(&self) -> u8 {
            match self {
                Want::Static(_, d) => *d,
                _ => NO_FILE_COMP,
            }
        }
    }
}
