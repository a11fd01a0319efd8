//! `list` (alias `ls`): contexts in a kubectl-style table, or as a List document.

use std::cmp::Ordering;
use std::io::Write;

use futures::TryStreamExt;
use jiff::Timestamp;
use kube::api::{ListParams, WatchEvent, WatchParams};
use kube::ResourceExt;

use crate::cli::{ListArgs, ListFormat, SortKey};
use crate::cluster::{Cluster, Op};
use crate::output::{self, KubeList, KubeTable};
use crate::resource::ClaudeModelContext;

/// Widest SESSION cell in the default table; `-o wide` shows the whole ID.
const SESSION_WIDTH: usize = 40;

pub(super) async fn run(cluster: &Cluster, args: &ListArgs) -> anyhow::Result<()> {
    let ns = (!args.all_namespaces).then(|| cluster.namespace());
    let mut params = ListParams::default();
    if let Some(sel) = &args.selector {
        params = params.labels(sel);
    }
    let (mut items, version) = cluster
        .list_versioned(ns, params.clone(), args.chunk_size)
        .await?;
    // Field selectors on custom fields do not exist before Kubernetes 1.30: filter here.
    if let Some(state) = args.state {
        items.retain(|o| o.state() == state);
    }
    if let Some(key) = args.sort_by {
        items.sort_by(|a, b| compare(a, b, key));
    }
    print_items(&items, args, ns, !args.no_headers)?;
    if args.watch {
        watch(cluster, args, ns, params, version).await?;
    }
    Ok(())
}

fn print_items(
    items: &[ClaudeModelContext],
    args: &ListArgs,
    ns: Option<&str>,
    headers: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match args.output {
        ListFormat::Json if args.watch => {
            for o in items {
                output::print_json(&mut out, o)?;
            }
        }
        ListFormat::Json => output::print_json(&mut out, &KubeList::new(items))?,
        ListFormat::Yaml if args.watch => {
            for o in items {
                writeln!(out, "---")?;
                output::print_yaml(&mut out, o)?;
            }
        }
        ListFormat::Yaml => output::print_yaml(&mut out, &KubeList::new(items))?,
        _ if items.is_empty() => {
            if headers {
                output::note(match ns {
                    Some(ns) => format!("No resources found in {ns} namespace."),
                    None => "No resources found".to_string(),
                });
            }
        }
        ListFormat::Name => {
            for o in items {
                writeln!(out, "{}", output::object_name(o))?;
            }
        }
        ListFormat::Table | ListFormat::Wide => {
            let wide = args.output == ListFormat::Wide;
            render_table(
                &mut out,
                items,
                ns.is_none(),
                wide,
                headers,
                Timestamp::now(),
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// `-w`: print each change after the initial list, like `kubectl get -w`; restarts the watch
/// when the server closes it, and re-lists when the resourceVersion is too old (410).
async fn watch(
    cluster: &Cluster,
    args: &ListArgs,
    ns: Option<&str>,
    params: ListParams,
    mut version: String,
) -> anyhow::Result<()> {
    let api = cluster.contexts(ns);
    let op = Op::contexts("watch", ns, None);
    let mut wp = WatchParams::default().timeout(290);
    if let Some(sel) = &params.label_selector {
        wp = wp.labels(sel);
    }
    loop {
        let stream = api
            .watch(&wp, &version)
            .await
            .map_err(|e| cluster.error(e, &op))?;
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.try_next().await.map_err(|e| cluster.error(e, &op))? {
            let obj = match event {
                WatchEvent::Added(o) | WatchEvent::Modified(o) | WatchEvent::Deleted(o) => o,
                WatchEvent::Bookmark(b) => {
                    version = b.metadata.resource_version;
                    continue;
                }
                WatchEvent::Error(e) if e.code == 410 => {
                    tracing::debug!("watch too old; listing again");
                    version = cluster
                        .list_versioned(ns, params.clone(), args.chunk_size)
                        .await?
                        .1;
                    break;
                }
                WatchEvent::Error(e) => anyhow::bail!("watch failed: {} ({})", e.message, e.code),
            };
            if let Some(v) = obj.resource_version() {
                version = v;
            }
            if args.state.is_some_and(|s| obj.state() != s) {
                continue;
            }
            print_items(std::slice::from_ref(&obj), args, ns, false)?;
        }
    }
}

/// The table itself, separate from I/O for tests.
fn render_table(
    out: &mut impl Write,
    items: &[ClaudeModelContext],
    with_namespace: bool,
    wide: bool,
    headers: bool,
    now: Timestamp,
) -> std::io::Result<()> {
    let mut header = vec![];
    if with_namespace {
        header.push("NAMESPACE");
    }
    header.extend([
        "NAME",
        "MODEL",
        "SESSION",
        "STATE",
        "TURNS",
        "TOKENS",
        "LAST ACTIVITY",
        "AGE",
    ]);
    if wide {
        header.extend(["STRATEGY", "BUDGET", "HISTORY", "EXPIRES"]);
    }
    let mut table = KubeTable::new(&header, headers);
    for o in items {
        let status = o.status.as_ref();
        let mut row = vec![];
        if with_namespace {
            row.push(o.namespace_or_default());
        }
        let session = if wide {
            o.spec.session_id.clone()
        } else {
            output::ellipsize(&o.spec.session_id, SESSION_WIDTH)
        };
        row.extend([
            o.metadata.name.clone().unwrap_or_default(),
            o.spec.model_name.clone(),
            session,
            o.state().as_str().to_string(),
            o.turns().to_string(),
            status
                .and_then(|s| s.token_count)
                .map_or_else(|| "<none>".to_string(), |t| t.to_string()),
            output::age(status.and_then(|s| s.last_activity_time), now),
            output::age(o.metadata.creation_timestamp.as_ref().map(|t| t.0), now),
        ]);
        if wide {
            row.extend([
                o.spec.summarization_strategy.as_str().to_string(),
                o.spec
                    .max_tokens
                    .map_or_else(|| "<none>".to_string(), |t| t.to_string()),
                o.spec
                    .history_size
                    .map_or_else(|| "<none>".to_string(), |t| t.to_string()),
                match o.spec.expiration_time {
                    None => "<none>".to_string(),
                    Some(t) if t > now => {
                        format!("in {}", output::human_duration(t.duration_since(now)))
                    }
                    Some(t) => format!("{} ago", output::age(Some(t), now)),
                },
            ]);
        }
        table.row(row);
    }
    table.print(out)
}

fn compare(a: &ClaudeModelContext, b: &ClaudeModelContext, key: SortKey) -> Ordering {
    let last = |o: &ClaudeModelContext| o.status.as_ref().and_then(|s| s.last_activity_time);
    let tokens = |o: &ClaudeModelContext| o.status.as_ref().and_then(|s| s.token_count);
    let created = |o: &ClaudeModelContext| o.metadata.creation_timestamp.as_ref().map(|t| t.0);
    match key {
        SortKey::Name => a.metadata.name.cmp(&b.metadata.name),
        SortKey::Namespace => a
            .metadata
            .namespace
            .cmp(&b.metadata.namespace)
            .then_with(|| a.metadata.name.cmp(&b.metadata.name)),
        SortKey::Model => a.spec.model_name.cmp(&b.spec.model_name),
        SortKey::Session => a.spec.session_id.cmp(&b.spec.session_id),
        SortKey::State => a.state().as_str().cmp(b.state().as_str()),
        SortKey::Turns => a.turns().cmp(&b.turns()),
        SortKey::Tokens => tokens(a).cmp(&tokens(b)),
        SortKey::LastActivity => last(a).cmp(&last(b)),
        SortKey::Age => created(a).cmp(&created(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{ClaudeModelContextSpec, ClaudeModelContextStatus, ContextState};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn ctx(name: &str, tokens: u64, created_ago_s: i64, now: Timestamp) -> ClaudeModelContext {
        let mut o = ClaudeModelContext::new(
            name,
            ClaudeModelContextSpec {
                model_name: "claude-haiku-4-5".into(),
                session_id: format!("Session {name}"),
                max_tokens: None,
                max_output_tokens: None,
                history_size: None,
                context_history: vec![],
                system_prompt: None,
                summarization_strategy: Default::default(),
                expiration_time: None,
                idle_ttl: None,
            },
        );
        o.metadata.namespace = Some("default".into());
        o.metadata.creation_timestamp =
            Some(Time(now - jiff::SignedDuration::from_secs(created_ago_s)));
        o.status = Some(ClaudeModelContextStatus {
            current_state: Some(ContextState::Active),
            token_count: Some(tokens),
            ..Default::default()
        });
        o
    }

    #[test]
    fn the_table_has_the_spec_columns_and_human_ages() {
        let now = Timestamp::now();
        let items = vec![ctx("b", 20, 300, now), ctx("a", 10, 3 * 86400, now)];
        let mut out = Vec::new();
        render_table(&mut out, &items, false, false, true, now).unwrap();
        let s = String::from_utf8(out).unwrap();
        let lines: Vec<_> = s.lines().collect();
        assert!(lines[0].starts_with("NAME   MODEL"), "{s}");
        assert!(lines[0].ends_with("LAST ACTIVITY   AGE"), "{s}");
        assert!(lines[1].ends_with("5m"), "{s}");
        assert!(lines[2].ends_with("3d"), "{s}");
        assert!(
            lines[1].contains("Session b") && lines[1].contains("Active"),
            "{s}"
        );
    }

    #[test]
    fn all_namespaces_adds_a_namespace_column_and_wide_adds_settings() {
        let now = Timestamp::now();
        let mut out = Vec::new();
        render_table(&mut out, &[ctx("a", 1, 1, now)], true, true, true, now).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("NAMESPACE   NAME"), "{s}");
        assert!(s
            .lines()
            .next()
            .unwrap()
            .ends_with("STRATEGY   BUDGET   HISTORY   EXPIRES"));
        assert!(s.contains("truncate"), "{s}");
    }

    #[test]
    fn sort_by_tokens_and_age() {
        let now = Timestamp::now();
        let mut items = [
            ctx("x", 30, 10, now),
            ctx("y", 10, 50, now),
            ctx("z", 20, 5, now),
        ];
        items.sort_by(|a, b| compare(a, b, SortKey::Tokens));
        let names: Vec<_> = items
            .iter()
            .map(|o| o.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["y", "z", "x"]);
        items.sort_by(|a, b| compare(a, b, SortKey::Age));
        let names: Vec<_> = items
            .iter()
            .map(|o| o.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["y", "x", "z"]);
    }
}
