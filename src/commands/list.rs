//! `list` (alias `ls`): contexts in a kubectl-style table, or as a List document.

use std::cmp::Ordering;
use std::io::Write;

use futures::TryStreamExt;
use jiff::Timestamp;
use kube::api::{ListParams, WatchEvent, WatchParams};
use kube::ResourceExt;

use crate::cli::{ListArgs, ListFormat, SortKey};
use crate::cluster::{Cluster, Freshness, Op, TableRow};
use crate::model::resource::ClaudeModelContext;
use crate::model::text::parse_age;
use crate::ui::output::{self, KubeList, KubeTable};

/// Widest SESSION cell in the default table; `-o wide` shows the whole ID.
const SESSION_WIDTH: usize = 40;

pub(super) async fn run(cluster: &Cluster, args: &ListArgs) -> anyhow::Result<()> {
    let ns = (!args.all_namespaces).then(|| cluster.namespace());
    let mut params = ListParams::default();
    if let Some(sel) = &args.selector {
        params = params.labels(sel);
    }
    let freshness = if args.consistent {
        Freshness::Consistent(args.chunk_size)
    } else {
        Freshness::Cached
    };
    let version = match args.output {
        // Documents carry whole objects; everything else is a row per context, and the rows
        // come from the server as a Table so transcripts never cross the wire.
        ListFormat::Json | ListFormat::Yaml | ListFormat::Template(_) => {
            let (mut items, version) = match freshness {
                Freshness::Consistent(chunk) => {
                    cluster.list_versioned(ns, params.clone(), chunk).await?
                }
                Freshness::Cached => {
                    cluster
                        .list_versioned(ns, params.clone().match_any(), 0)
                        .await?
                }
            };
            // Field selectors on custom fields do not exist before Kubernetes 1.30: filter here.
            if let Some(state) = args.state {
                items.retain(|o| o.state() == state);
            }
            // The watch cache does not promise etcd's key order: sort by namespace and name
            // unless told otherwise.
            let key = args.sort_by.unwrap_or(SortKey::Namespace);
            items.sort_by(|a, b| compare(&Row::from_object(a), &Row::from_object(b), key));
            for o in &mut items {
                o.metadata.managed_fields = None;
            }
            print_documents(&items, args, true)?;
            version
        }
        _ => {
            let (rows, version) = cluster
                .list_table(ns, args.selector.as_deref(), freshness, labels_shown(args))
                .await?;
            let mut rows: Vec<Row> = rows.into_iter().map(|r| Row::from_table(&r)).collect();
            if let Some(state) = args.state {
                rows.retain(|r| r.state == state.as_str());
            }
            let key = args.sort_by.unwrap_or(SortKey::Namespace);
            rows.sort_by(|a, b| compare(a, b, key));
            print_rows(&rows, args, ns, !args.no_headers)?;
            version
        }
    };
    if args.watch {
        watch(cluster, args, ns, params, version).await?;
    }
    Ok(())
}

/// Whole objects: a List, or (watching) each object; `first` is the initial list, which alone
/// carries column headers.
fn print_documents(
    items: &[ClaudeModelContext],
    args: &ListArgs,
    first: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match &args.output {
        ListFormat::Json if args.watch => {
            for o in items {
                output::print_json(&mut out, o)?;
            }
        }
        ListFormat::Yaml if args.watch => {
            for o in items {
                writeln!(out, "---")?;
                output::print_yaml(&mut out, o)?;
            }
        }
        ListFormat::Yaml => output::print_yaml(&mut out, &KubeList::new(items))?,
        // Watching, each change is printed on its own, as `kubectl get -w -o jsonpath` does.
        ListFormat::Template(p) => {
            p.print(&mut out, items, !args.watch, first && !args.no_headers)?
        }
        _ => output::print_json(&mut out, &KubeList::new(items))?,
    }
    out.flush()?;
    Ok(())
}

fn print_rows(
    rows: &[Row],
    args: &ListArgs,
    ns: Option<&str>,
    headers: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if rows.is_empty() {
        if headers {
            output::note(match ns {
                Some(ns) => format!("No resources found in {ns} namespace."),
                None => "No resources found".to_string(),
            });
        }
        return Ok(());
    }
    if args.output == ListFormat::Name {
        for r in rows {
            writeln!(out, "claudemodelcontext.mcp.dev/{}", r.name)?;
        }
    } else {
        render_table(
            &mut out,
            rows,
            &Layout::of(args, ns.is_none(), headers),
            Timestamp::now(),
        )?;
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
    let mut wp = WatchParams::default().timeout(cluster.watch_seconds());
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
                        .list_table(ns, args.selector.as_deref(), Freshness::Cached, false)
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
            match args.output {
                ListFormat::Json | ListFormat::Yaml | ListFormat::Template(_) => {
                    print_documents(std::slice::from_ref(&obj), args, false)?
                }
                _ => print_rows(&[Row::from_object(&obj)], args, ns, false)?,
            }
        }
    }
}

/// One context as a table row: what the CRD's printer columns show, from the server's Table
/// or (when watching) from an object.
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    namespace: String,
    name: String,
    model: String,
    session: String,
    state: String,
    turns: Option<u64>,
    tokens: Option<u64>,
    last_activity: Ago,
    created: Ago,
    strategy: String,
    budget: Option<u64>,
    history: Option<u64>,
    expires: Option<Timestamp>,
    idle_ttl: Option<String>,
    /// `$0.0421`, when anything was counted.
    cost: Option<String>,
    /// Labels (read only when shown).
    labels: std::collections::BTreeMap<String, String>,
}

/// How long ago something happened, as the table shows it and as a number to sort by. The
/// apiserver renders a Table's date columns itself (`67m`, `3d4h`, as kubectl shows them), so
/// rows from a Table carry that text, and the seconds are read back from it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Ago {
    text: String,
    secs: Option<i64>,
}

impl Ago {
    fn at(t: Option<Timestamp>, now: Timestamp) -> Self {
        Ago {
            text: output::age(t, now),
            secs: t.map(|t| now.duration_since(t).as_secs()),
        }
    }

    fn rendered(cell: Option<&serde_json::Value>) -> Self {
        match cell.and_then(|v| v.as_str()).filter(|t| !t.is_empty()) {
            Some(text) => Ago {
                text: text.to_string(),
                secs: parse_age(text),
            },
            None => Ago {
                text: "<none>".into(),
                secs: None,
            },
        }
    }
}

impl Row {
    fn from_object(o: &ClaudeModelContext) -> Self {
        let now = Timestamp::now();
        let status = o.status.as_ref();
        Row {
            namespace: o.namespace_or_default(),
            name: o.metadata.name.clone().unwrap_or_default(),
            model: o.spec.model_name.clone(),
            session: o.spec.session_id.clone(),
            state: o.state().as_str().to_string(),
            turns: Some(o.turns() as u64),
            tokens: status.and_then(|s| s.token_count),
            last_activity: Ago::at(status.and_then(|s| s.last_activity_time), now),
            created: Ago::at(o.metadata.creation_timestamp.as_ref().map(|t| t.0), now),
            strategy: o.spec.summarization_strategy.as_str().to_string(),
            budget: o.spec.max_tokens.map(u64::from),
            history: o.spec.history_size.map(u64::from),
            expires: o.spec.expiration_time,
            idle_ttl: o.spec.idle_ttl.clone(),
            cost: o.status.as_ref().and_then(|s| s.usage.as_ref()).map(|u| {
                let t = u.total();
                crate::model::catalog::cost_cell(
                    u.cost_micro_usd,
                    t.requests + t.summary_requests,
                    u.unpriced_requests,
                )
            }),
            labels: o.metadata.labels.clone().unwrap_or_default(),
        }
    }

    /// A Table row. Cells of columns an older CRD lacks are absent; a state the tool never
    /// wrote reads as `Active`, as [`ClaudeModelContext::state`] does.
    fn from_table(r: &TableRow) -> Self {
        let text = |c: &str| {
            r.cell(c)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let number = |c: &str| r.cell(c).and_then(|v| v.as_u64());
        let time = |c: &str| {
            r.cell(c)
                .and_then(|v| v.as_str())
                .and_then(|t| t.parse::<Timestamp>().ok())
        };
        let state = text("State");
        let strategy = text("Strategy");
        Row {
            namespace: r.namespace.clone().unwrap_or_default(),
            name: r.name.clone(),
            model: text("Model"),
            session: text("Session"),
            state: if state.is_empty() {
                "Active".into()
            } else {
                state
            },
            turns: number("Turns"),
            tokens: number("Tokens"),
            last_activity: Ago::rendered(r.cell("Last Activity")),
            created: Ago::rendered(r.cell("Age")),
            strategy: if strategy.is_empty() {
                "truncate".into()
            } else {
                strategy
            },
            budget: number("Budget"),
            history: number("History"),
            expires: time("Expires"),
            idle_ttl: Some(text("Idle TTL")).filter(|t| !t.is_empty() && t != "<none>"),
            cost: Some(text("Cost"))
                .filter(|t| !t.is_empty() && t != "<none>")
                .map(|t| format!("${t}")),
            labels: r.labels.clone(),
        }
    }
}

/// Which columns a table has besides the printer columns.
#[derive(Debug, Clone, Default)]
struct Layout<'a> {
    /// NAMESPACE first (across namespaces).
    with_namespace: bool,
    /// `-o wide`: the settings.
    wide: bool,
    /// The header line.
    headers: bool,
    /// `-L KEY…`: a column per label key.
    label_keys: &'a [String],
    /// `--show-labels`: LABELS last.
    show_labels: bool,
}

impl<'a> Layout<'a> {
    fn of(args: &'a ListArgs, with_namespace: bool, headers: bool) -> Self {
        Layout {
            with_namespace,
            wide: args.output == ListFormat::Wide,
            headers,
            label_keys: &args.label_columns,
            show_labels: args.show_labels,
        }
    }
}

/// Whether the table shows labels, so that the rows must carry them.
fn labels_shown(args: &ListArgs) -> bool {
    args.show_labels || !args.label_columns.is_empty()
}

/// A label column's header, as kubectl writes it: the key's name (after any `/` prefix),
/// upper-cased.
fn label_header(key: &str) -> String {
    key.rsplit('/').next().unwrap_or(key).to_uppercase()
}

/// The table itself, separate from I/O for tests.
fn render_table(
    out: &mut impl Write,
    rows: &[Row],
    layout: &Layout<'_>,
    now: Timestamp,
) -> std::io::Result<()> {
    let Layout {
        with_namespace,
        wide,
        headers,
        ..
    } = *layout;
    let mut header: Vec<String> = vec![];
    if with_namespace {
        header.push("NAMESPACE".into());
    }
    header.extend(
        [
            "NAME",
            "MODEL",
            "SESSION",
            "STATE",
            "TURNS",
            "TOKENS",
            "LAST ACTIVITY",
            "AGE",
        ]
        .map(String::from),
    );
    if wide {
        header.extend(
            [
                "STRATEGY", "BUDGET", "HISTORY", "EXPIRES", "IDLE TTL", "COST",
            ]
            .map(String::from),
        );
    }
    header.extend(layout.label_keys.iter().map(|k| label_header(k)));
    if layout.show_labels {
        header.push("LABELS".into());
    }
    let none = || "<none>".to_string();
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = KubeTable::new(&names, headers);
    for r in rows {
        let mut row = vec![];
        if with_namespace {
            row.push(r.namespace.clone());
        }
        let session = if wide {
            r.session.clone()
        } else {
            output::ellipsize(&r.session, SESSION_WIDTH)
        };
        row.extend([
            r.name.clone(),
            r.model.clone(),
            session,
            r.state.clone(),
            r.turns.map_or_else(none, |t| t.to_string()),
            r.tokens.map_or_else(none, |t| t.to_string()),
            r.last_activity.text.clone(),
            r.created.text.clone(),
        ]);
        if wide {
            row.extend([
                r.strategy.clone(),
                r.budget.map_or_else(none, |t| t.to_string()),
                r.history.map_or_else(none, |t| t.to_string()),
                match r.expires {
                    None => none(),
                    Some(t) if t > now => {
                        format!("in {}", output::human_duration(t.duration_since(now)))
                    }
                    Some(t) => format!("{} ago", output::age(Some(t), now)),
                },
                r.idle_ttl.clone().unwrap_or_else(none),
                r.cost.clone().unwrap_or_else(none),
            ]);
        }
        // kubectl leaves a label column empty where the label is not set.
        row.extend(
            layout
                .label_keys
                .iter()
                .map(|k| r.labels.get(k).cloned().unwrap_or_default()),
        );
        if layout.show_labels {
            row.push(if r.labels.is_empty() {
                none()
            } else {
                r.labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            });
        }
        table.row(row);
    }
    table.print(out)
}

fn compare(a: &Row, b: &Row, key: SortKey) -> Ordering {
    let ago = |t: &Ago| t.secs.unwrap_or(i64::MAX);
    match key {
        SortKey::Name => a.name.cmp(&b.name),
        SortKey::Namespace => a
            .namespace
            .cmp(&b.namespace)
            .then_with(|| a.name.cmp(&b.name)),
        SortKey::Model => a.model.cmp(&b.model),
        SortKey::Session => a.session.cmp(&b.session),
        SortKey::State => a.state.cmp(&b.state),
        SortKey::Turns => a.turns.cmp(&b.turns),
        SortKey::Tokens => a.tokens.cmp(&b.tokens),
        // Oldest first, as sorting by the timestamps does; an unknown time sorts first.
        SortKey::LastActivity => ago(&b.last_activity).cmp(&ago(&a.last_activity)),
        SortKey::Age => ago(&b.created).cmp(&ago(&a.created)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::context;

    fn ctx(name: &str, tokens: u64, created_ago_s: i64, now: Timestamp) -> ClaudeModelContext {
        context(&format!("Session {name}"))
            .named(name)
            .model("claude-haiku-4-5")
            .created(now - jiff::SignedDuration::from_secs(created_ago_s))
            .token_count(tokens)
            .build()
    }

    #[test]
    fn the_table_has_the_spec_columns_and_human_ages() {
        let now = Timestamp::now();
        let items = [ctx("b", 20, 300, now), ctx("a", 10, 3 * 86400, now)];
        let mut out = Vec::new();
        let rows: Vec<Row> = items.iter().map(Row::from_object).collect();
        let layout = Layout {
            headers: true,
            ..Layout::default()
        };
        render_table(&mut out, &rows, &layout, now).unwrap();
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
        let rows = [Row::from_object(&ctx("a", 1, 1, now))];
        let layout = Layout {
            with_namespace: true,
            wide: true,
            headers: true,
            ..Layout::default()
        };
        render_table(&mut out, &rows, &layout, now).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("NAMESPACE   NAME"), "{s}");
        assert!(s
            .lines()
            .next()
            .unwrap()
            .ends_with("STRATEGY   BUDGET   HISTORY   EXPIRES   IDLE TTL   COST"));
        assert!(s.contains("truncate"), "{s}");
    }

    #[test]
    fn ages_rendered_by_the_server_read_back_as_seconds() {
        assert_eq!(parse_age("90s"), Some(90));
        assert_eq!(parse_age("5m30s"), Some(330));
        assert_eq!(parse_age("67m"), Some(4020));
        assert_eq!(parse_age("3d4h"), Some(3 * 86_400 + 4 * 3600));
        assert_eq!(parse_age("2y100d"), Some(830 * 86_400));
        assert_eq!(parse_age("<invalid>"), None);
        assert_eq!(parse_age("5"), None);
    }

    #[test]
    fn sort_by_tokens_and_age() {
        let now = Timestamp::now();
        let mut items: Vec<Row> = [
            ctx("x", 30, 10, now),
            ctx("y", 10, 50, now),
            ctx("z", 20, 5, now),
        ]
        .iter()
        .map(Row::from_object)
        .collect();
        items.sort_by(|a, b| compare(a, b, SortKey::Tokens));
        let names: Vec<_> = items.iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, ["y", "z", "x"]);
        items.sort_by(|a, b| compare(a, b, SortKey::Age));
        let names: Vec<_> = items.iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, ["y", "x", "z"]);
    }
}
