//! `create SESSION`: a new context from flags, one per spec field.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use anyhow::Context;
use jiff::Timestamp;
use kube::api::{Patch, PatchParams, PostParams};
use kube::core::ObjectMeta;
use serde_json::json;

use crate::cli::{ContextSettings, CreateArgs, ObjectFormat};
use crate::cluster::{already_exists, Cluster, ClusterError, Op};
use crate::naming;
use crate::output;
use crate::resource::{ClaudeModelContext, ClaudeModelContextSpec};
use crate::UsageError;

pub(super) async fn run(cluster: &Cluster, args: CreateArgs) -> anyhow::Result<()> {
    let obj = new_context(&args.session, &args.settings, cluster.namespace(), now())?;
    let created = create_context(cluster, obj).await?;
    let mut out = std::io::stdout().lock();
    match args.output {
        None => writeln!(out, "{} created", output::object_name(&created))?,
        Some(ObjectFormat::Name) => writeln!(out, "{}", output::object_name(&created))?,
        Some(ObjectFormat::Json) => output::print_json(&mut out, &created)?,
        Some(ObjectFormat::Yaml) => output::print_yaml(&mut out, &created)?,
    }
    Ok(())
}

/// The object `create` would send: validates the session ID and settings, derives the name.
pub(crate) fn new_context(
    session: &str,
    settings: &ContextSettings,
    namespace: &str,
    now: Timestamp,
) -> anyhow::Result<ClaudeModelContext> {
    let name = naming::name_for_session(session).map_err(|e| UsageError(e.to_string()))?;
    let model = match settings.model.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => {
            return Err(UsageError(format!(
                "a new context needs a model: pass --model (e.g. --model claude-sonnet-4-5) or set KUBECTL_MCP_MODEL (session \"{session}\")"
            ))
            .into())
        }
    };
    let system_prompt = match (&settings.system, &settings.system_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => Some(read_text(path)?),
        (None, None) => None,
    };
    let expiration_time = match (settings.expires_in, settings.expires_at) {
        (Some(d), _) => Some(
            now.checked_add(
                jiff::SignedDuration::try_from(d).context("--expires-in is too large")?,
            )
            .context("--expires-in is too large")?,
        ),
        (None, Some(t)) => Some(t),
        (None, None) => None,
    };
    let labels: BTreeMap<String, String> = settings.labels.iter().cloned().collect();
    let mut obj = ClaudeModelContext::new(
        &name,
        ClaudeModelContextSpec {
            model_name: model,
            session_id: session.to_string(),
            max_tokens: settings.max_tokens,
            max_output_tokens: settings.max_output_tokens,
            history_size: settings.history_size,
            context_history: Vec::new(),
            system_prompt,
            summarization_strategy: settings.strategy.unwrap_or_default(),
            expiration_time,
        },
    );
    obj.metadata = ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_string()),
        labels: (!labels.is_empty()).then_some(labels),
        ..Default::default()
    };
    Ok(obj)
}

/// Read a text file, `-` meaning stdin.
pub(crate) fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading stdin")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// Create `obj` and give it an initial status (`Active`, zero turns), which `kubectl get cmc`
/// shows in its columns. Distinguishes "this session already has a context" from "another
/// session holds this name".
pub(crate) async fn create_context(
    cluster: &Cluster,
    obj: ClaudeModelContext,
) -> Result<ClaudeModelContext, ClusterError> {
    let ns = obj.namespace_or_default();
    let session = obj.spec.session_id.clone();
    let name = obj.metadata.name.clone().unwrap_or_default();
    let api = cluster.contexts(Some(&ns));
    let op = Op::contexts("create", Some(&ns), Some(&session));
    if let Err(e) = api.create(&PostParams::default(), &obj).await {
        {
            return Err(match cluster.error(e, &op) {
                ClusterError::AlreadyExists { .. } => match api.get_opt(&name).await {
                    Ok(Some(existing)) if existing.spec.session_id != session => {
                        ClusterError::NameTaken {
                            session,
                            other: existing.spec.session_id,
                            name,
                            namespace: ns,
                        }
                    }
                    _ => already_exists(&session, &name, &ns),
                },
                other => other,
            });
        }
    }
    let status = json!({
        "status": {
            "currentState": "Active",
            "lastActivityTime": now_rfc3339(),
            "turnCount": 0,
            "tokenCount": 0,
        }
    });
    let op = Op::contexts("patch", Some(&ns), Some(&session));
    api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .map_err(|e| cluster.error(e, &op))
}

/// Now, to the second, as Kubernetes writes times.
pub(crate) fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// [`now`] as RFC 3339.
pub(crate) fn now_rfc3339() -> String {
    now().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::SummarizationStrategy;

    fn settings() -> ContextSettings {
        ContextSettings {
            model: Some("claude-haiku-4-5".into()),
            ..Default::default()
        }
    }

    #[test]
    fn every_flag_lands_in_its_spec_field() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let s = ContextSettings {
            system: Some("be brief".into()),
            max_tokens: Some(4000),
            max_output_tokens: Some(256),
            history_size: Some(10),
            strategy: Some(SummarizationStrategy::Hybrid),
            expires_in: Some(std::time::Duration::from_secs(3600)),
            labels: vec![("team".into(), "sre".into())],
            ..settings()
        };
        let obj = new_context("Alice/1", &s, "ns1", now).unwrap();
        assert!(obj
            .metadata
            .name
            .as_deref()
            .unwrap()
            .starts_with("alice-1-"));
        assert_eq!(obj.metadata.namespace.as_deref(), Some("ns1"));
        assert_eq!(obj.metadata.labels.as_ref().unwrap()["team"], "sre");
        assert_eq!(obj.spec.session_id, "Alice/1");
        assert_eq!(obj.spec.model_name, "claude-haiku-4-5");
        assert_eq!(obj.spec.system_prompt.as_deref(), Some("be brief"));
        assert_eq!(obj.spec.max_tokens, Some(4000));
        assert_eq!(obj.spec.max_output_tokens, Some(256));
        assert_eq!(obj.spec.history_size, Some(10));
        assert_eq!(
            obj.spec.summarization_strategy,
            SummarizationStrategy::Hybrid
        );
        assert_eq!(
            obj.spec.expiration_time.unwrap().to_string(),
            "2026-01-01T01:00:00Z"
        );
    }

    #[test]
    fn a_missing_model_is_a_usage_error() {
        let err = new_context("x", &ContextSettings::default(), "d", Timestamp::now()).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        assert!(err.to_string().contains("--model"), "{err}");
    }

    #[test]
    fn a_bad_session_id_is_a_usage_error() {
        let err = new_context("", &settings(), "d", Timestamp::now()).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        let long = "x".repeat(513);
        assert!(new_context(&long, &settings(), "d", Timestamp::now()).is_err());
    }

    #[test]
    fn a_new_context_serializes_an_empty_history_so_turns_can_be_appended() {
        let obj = new_context("x", &settings(), "d", Timestamp::now()).unwrap();
        let v = serde_json::to_value(&obj).unwrap();
        assert_eq!(v["spec"]["contextHistory"], json!([]));
    }
}
