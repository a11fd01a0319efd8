//! `usage [-A] [--by context|namespace|model|label=KEY]`: what Claude calls cost, from the
//! totals each context keeps in `status.usage`, summed the way a platform team charges back;
//! `usage --advise SESSION`: one context's cache account and cheaper settings (`ui::advice`).

use std::collections::BTreeMap;
use std::io::Write;

use kube::api::ListParams;
use serde::Serialize;

use crate::cli::{UsageArgs, UsageFormat};
use crate::cluster::Cluster;
use crate::error::UsageError;
use crate::model::resource::{ClaudeModelContext, ModelUsage};
use crate::ui::output::KubeTable;

/// How rows are grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum By {
    Context,
    Namespace,
    Model,
    Label(String),
}

fn parse_by(s: &str) -> Result<By, UsageError> {
    match s {
        "context" => Ok(By::Context),
        "namespace" => Ok(By::Namespace),
        "model" => Ok(By::Model),
        _ => match s.strip_prefix("label=") {
            Some(key) if !key.is_empty() => Ok(By::Label(key.to_string())),
            _ => Err(UsageError(format!(
                "--by {s:?}: use context, namespace, model or label=KEY"
            ))),
        },
    }
}

/// One output row.
#[derive(Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Row {
    group: String,
    contexts: u64,
    requests: u64,
    summary_requests: u64,
    input_tokens: u64,
    cache_read_input_tokens: u64,
    cache_creation_input_tokens: u64,
    output_tokens: u64,
    #[serde(rename = "costUSD")]
    cost_usd: String,
    #[serde(skip)]
    cost_micro_usd: u64,
    unpriced_requests: u64,
}

impl Row {
    fn add(&mut self, m: &ModelUsage) {
        self.requests += m.requests;
        self.summary_requests += m.summary_requests;
        self.input_tokens += m.input_tokens;
        self.cache_read_input_tokens += m.cache_read_input_tokens;
        self.cache_creation_input_tokens += m.cache_creation_input_tokens;
        self.output_tokens += m.output_tokens;
        self.cost_micro_usd += m.cost_micro_usd;
    }
}

/// Rows for `contexts` grouped `by`, sorted by group, plus the total.
fn rows(contexts: &[ClaudeModelContext], by: &By) -> (Vec<Row>, Row) {
    let mut groups: BTreeMap<String, Row> = BTreeMap::new();
    let mut total = Row {
        group: "TOTAL".into(),
        ..Row::default()
    };
    for c in contexts {
        let Some(u) = c.status.as_ref().and_then(|s| s.usage.as_ref()) else {
            continue;
        };
        total.contexts += 1;
        total.unpriced_requests += u.unpriced_requests;
        let key = |model: Option<&str>| match by {
            By::Context => format!(
                "{}/{}",
                c.namespace_or_default(),
                c.metadata.name.as_deref().unwrap_or_default()
            ),
            By::Namespace => c.namespace_or_default(),
            By::Model => model.unwrap_or_default().to_string(),
            By::Label(k) => c
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(k))
                .cloned()
                .unwrap_or_else(|| "<none>".into()),
        };
        let mut counted = std::collections::HashSet::new();
        for (model, m) in &u.models {
            let group = key(Some(model));
            let row = groups.entry(group.clone()).or_insert_with(|| Row {
                group: group.clone(),
                ..Row::default()
            });
            row.add(m);
            // A model's row: its calls are unpriced when the model has no price.
            if by == &By::Model && crate::model::catalog::price_of(model).is_none() {
                row.unpriced_requests += m.requests + m.summary_requests;
            }
            if counted.insert(group) {
                row.contexts += 1;
            }
            total.add(m);
        }
        if by != &By::Model {
            if let Some(row) = groups.get_mut(&key(None)) {
                row.unpriced_requests += u.unpriced_requests;
            }
        }
    }
    let mut rows: Vec<Row> = groups.into_values().collect();
    for r in rows.iter_mut().chain(std::iter::once(&mut total)) {
        r.cost_usd = format!("{:.4}", r.cost_micro_usd as f64 / 1e6);
    }
    rows.sort_by(|a, b| a.group.cmp(&b.group));
    (rows, total)
}

pub(super) async fn run(cluster: &Cluster, args: &UsageArgs) -> anyhow::Result<()> {
    if let Some(session) = &args.advise {
        let obj = cluster.find(cluster.namespace(), session).await?;
        let report = crate::ui::advice::report(&obj, args.keep.map(|k| k as usize));
        let mut out = std::io::stdout().lock();
        return match args.output {
            UsageFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
                Ok(())
            }
            UsageFormat::Table => Ok(crate::ui::advice::render(&report, &mut out)?),
        };
    }
    let by = parse_by(&args.by)?;
    let ns = (!args.all_namespaces).then(|| cluster.namespace());
    let mut params = ListParams::default();
    if let Some(sel) = &args.selector {
        params = params.labels(sel);
    }
    let contexts = cluster.list_all(ns, params, 500).await?;
    let (rows, total) = rows(&contexts, &by);
    let mut out = std::io::stdout().lock();
    match args.output {
        UsageFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        UsageFormat::Table => {
            if rows.is_empty() {
                crate::ui::output::note(match ns {
                    Some(ns) => format!("No usage recorded in {ns} namespace."),
                    None => "No usage recorded.".to_string(),
                });
                return Ok(());
            }
            let first = match &by {
                By::Context => "CONTEXT".to_string(),
                By::Namespace => "NAMESPACE".to_string(),
                By::Model => "MODEL".to_string(),
                By::Label(k) => format!("LABEL {k}"),
            };
            let mut table = KubeTable::new(
                &[
                    &first,
                    "CONTEXTS",
                    "CALLS",
                    "SUMMARIZING",
                    "INPUT",
                    "CACHE READ",
                    "CACHE WRITE",
                    "OUTPUT",
                    "COST",
                ],
                true,
            );
            for r in rows.iter().chain(std::iter::once(&total)) {
                table.row([
                    r.group.clone(),
                    r.contexts.to_string(),
                    (r.requests + r.summary_requests).to_string(),
                    r.summary_requests.to_string(),
                    r.input_tokens.to_string(),
                    r.cache_read_input_tokens.to_string(),
                    r.cache_creation_input_tokens.to_string(),
                    r.output_tokens.to_string(),
                    crate::model::catalog::cost_cell(
                        r.cost_micro_usd,
                        r.requests + r.summary_requests,
                        r.unpriced_requests,
                    ),
                ]);
            }
            table.print(&mut out)?;
            if total.unpriced_requests > 0 {
                crate::ui::output::note(format!(
                    "{} call(s) to models without a price in the tool's table are counted but not priced (prices of {})",
                    total.unpriced_requests,
                    crate::model::catalog::PRICES_AS_OF
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource::{TokenUsage, UsageTotals};

    fn context(
        ns: &str,
        name: &str,
        team: &str,
        calls: &[(&str, u64, bool)],
    ) -> ClaudeModelContext {
        let spec = serde_json::from_value(serde_json::json!({"modelName": "m", "sessionID": name}))
            .unwrap();
        let mut c = ClaudeModelContext::new(name, spec);
        c.metadata.namespace = Some(ns.into());
        c.metadata.labels = Some([("team".to_string(), team.to_string())].into());
        let mut u = UsageTotals::default();
        for (i, (model, input, summary)) in calls.iter().enumerate() {
            let usage = TokenUsage {
                input_tokens: *input,
                output_tokens: 100,
                ..Default::default()
            };
            u.add(model, &format!("{name}-{i}"), &usage, *summary);
        }
        c.status = Some(crate::model::resource::ClaudeModelContextStatus {
            usage: Some(u),
            ..Default::default()
        });
        c
    }

    #[test]
    fn rows_group_by_namespace_model_and_label_and_add_up() {
        let cs = vec![
            context("a", "x", "sre", &[("claude-haiku-4-5", 1_000_000, false)]),
            context(
                "a",
                "y",
                "web",
                &[("claude-sonnet-4-5", 1_000, true), ("local", 5, false)],
            ),
            context("b", "z", "sre", &[("claude-haiku-4-5", 1_000_000, false)]),
        ];
        let (by_ns, total) = rows(&cs, &By::Namespace);
        assert_eq!(
            by_ns.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(by_ns[0].contexts, 2);
        assert_eq!(by_ns[0].requests + by_ns[0].summary_requests, 3);
        assert_eq!(by_ns[0].unpriced_requests, 1);
        // Haiku: $1 per million in + 100 out at $5/M; Sonnet: 1,000 in at $3/M + 100 out at $15/M.
        assert_eq!(by_ns[1].cost_usd, "1.0005");
        assert_eq!(
            total.cost_usd,
            format!("{:.4}", (1_000_500.0 * 2.0 + 3_000.0 + 1_500.0) / 1e6)
        );
        assert_eq!(total.contexts, 3);
        let (by_model, _) = rows(&cs, &By::Model);
        let haiku = by_model
            .iter()
            .find(|r| r.group == "claude-haiku-4-5")
            .unwrap();
        assert_eq!((haiku.contexts, haiku.requests), (2, 2));
        let local = by_model.iter().find(|r| r.group == "local").unwrap();
        assert_eq!(local.unpriced_requests, 1);
        assert_eq!(
            crate::model::catalog::cost_cell(
                local.cost_micro_usd,
                local.requests + local.summary_requests,
                local.unpriced_requests
            ),
            "n/a"
        );
        let (by_team, _) = rows(&cs, &By::Label("team".into()));
        assert_eq!(
            by_team
                .iter()
                .map(|r| (r.group.as_str(), r.contexts))
                .collect::<Vec<_>>(),
            [("sre", 2), ("web", 1)]
        );
        assert!(parse_by("label=").is_err());
        assert!(parse_by("owner").is_err());
    }

    #[test]
    fn a_call_counted_once_even_when_its_write_is_retried() {
        let mut u = UsageTotals::default();
        let usage = TokenUsage {
            input_tokens: 10,
            ..Default::default()
        };
        u.add("claude-haiku-4-5", "msg_1", &usage, false);
        u.add("claude-haiku-4-5", "msg_1", &usage, false);
        assert_eq!(u.total().requests, 1);
        u.add("claude-haiku-4-5", "msg_2", &usage, false);
        assert_eq!(u.total().requests, 2);
    }
}
