//! `create SESSION`: a new context from flags, one per spec field.

use std::io::Write;

use crate::cli::{CreateArgs, ObjectFormat};
use crate::cluster::Cluster;
use crate::store::{create_context, new_context, now};
use crate::ui::output;

pub(super) async fn run(cluster: &Cluster, args: CreateArgs) -> anyhow::Result<()> {
    let template = (&args.settings).into();
    let obj = new_context(&args.session, &template, cluster.namespace(), now())?;
    if !super::expiry_confirmed(&template, args.settings.yes, &args.session)? {
        return Ok(());
    }
    let created = create_context(cluster, obj).await?;
    if let Some(w) = crate::model::catalog::unknown_model_warning(&created.spec.model_name) {
        output::note(w);
    }
    if let Some(w) = crate::engine::cache::never_cached(&created) {
        output::note(w);
    }
    let mut out = std::io::stdout().lock();
    match &args.output {
        None => writeln!(out, "{} created", output::object_name(&created))?,
        Some(ObjectFormat::Name) => writeln!(out, "{}", output::object_name(&created))?,
        Some(ObjectFormat::Json) => output::print_json(&mut out, &created)?,
        Some(ObjectFormat::Yaml) => output::print_yaml(&mut out, &created)?,
        Some(ObjectFormat::Template(p)) => {
            p.print(&mut out, std::slice::from_ref(&created), false, true)?
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;
    use crate::model::resource::ContextTemplate as ContextSettings;
    use crate::model::resource::SummarizationStrategy;
    use jiff::Timestamp;
    use serde_json::json;

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
