//! Settings: the system prompt, the model and the other `spec` fields `set` and `/set` change, in
//! one guarded write each.

use super::*;

/// The settings of a spec in their declaration order, for messages.
pub(super) const SETTINGS_ORDER: &[&str] = &[
    "modelName",
    "systemPrompt",
    "maxTokens",
    "maxOutputTokens",
    "historySize",
    "summarizationStrategy",
    "expirationTime",
    "idleTTL",
    "cacheTTL",
    "redaction",
];

/// `spec` with the settings `t` gives (the system prompt and expiration already resolved):
/// what [`Session::apply_settings`] writes, and what messages are checked against before.
pub(super) fn with_settings(
    spec: &ClaudeModelContextSpec,
    t: &ContextTemplate,
    system: Option<&str>,
    expiration: Option<Timestamp>,
) -> ClaudeModelContextSpec {
    let mut s = spec.clone();
    if let Some(m) = &t.model {
        s.model_name = m.clone();
    }
    if let Some(p) = system {
        s.system_prompt = Some(p.to_string());
    }
    if let Some(n) = t.max_tokens {
        s.max_tokens = Some(n);
    }
    if let Some(n) = t.max_output_tokens {
        s.max_output_tokens = Some(n);
    }
    if let Some(n) = t.history_size {
        s.history_size = Some(n);
    }
    if let Some(st) = t.strategy {
        s.summarization_strategy = st;
    }
    if let Some(e) = expiration {
        s.expiration_time = Some(e);
    }
    if let Some(ttl) = &t.idle_ttl {
        s.idle_ttl = Some(ttl.clone());
    }
    if let Some(ttl) = t.cache_ttl {
        s.cache_ttl = Some(ttl);
    }
    for field in &t.unset {
        match *field {
            "systemPrompt" => s.system_prompt = None,
            "maxTokens" => s.max_tokens = None,
            "maxOutputTokens" => s.max_output_tokens = None,
            "historySize" => s.history_size = None,
            "expirationTime" => s.expiration_time = None,
            "idleTTL" => s.idle_ttl = None,
            "cacheTTL" => s.cache_ttl = None,
            _ => {}
        }
    }
    if let Some(on) = t.redaction {
        s.redaction = Some(crate::model::resource::Redaction {
            enabled: on,
            ..s.redaction.clone().unwrap_or_default()
        });
    }
    s
}

impl Session {
    /// Set or clear `spec.systemPrompt`.
    pub async fn set_system_prompt(&mut self, prompt: Option<&str>) -> anyhow::Result<()> {
        let written = self
            .patch_guarded("setting the system prompt", Target::Spec, |obj| {
                if obj.spec.system_prompt.as_deref() == prompt {
                    return Build::Done;
                }
                Build::Apply(vec![match prompt {
                    Some(p) => json!({"op": "add", "path": "/spec/systemPrompt", "value": p}),
                    None => json!({"op": "remove", "path": "/spec/systemPrompt"}),
                }])
            })
            .await?;
        if written == Written::Applied {
            let note = match prompt {
                Some(p) => format!("system prompt set ({} characters)", p.chars().count()),
                None => "system prompt removed".into(),
            };
            self.events
                .emit(&self.obj, Lifecycle::SystemPromptChanged, note)
                .await;
        }
        Ok(())
    }

    /// Apply the settings `t` gives to the context (those it leaves unset stay as they are),
    /// as one guarded patch. Returns the fields that changed, by their spec names.
    pub async fn apply_settings(&mut self, t: &ContextTemplate) -> anyhow::Result<Vec<String>> {
        let system = system_prompt_of(t)?;
        let expiration = expiration_of(t, now())?;
        // The spec fields that differ once `t` is applied, by their names in the object.
        let wanted = |obj: &ClaudeModelContext| {
            spec_changes(
                &obj.spec,
                &with_settings(&obj.spec, t, system.as_deref(), expiration),
            )
        };
        let labels_wanted = |obj: &ClaudeModelContext| labels_after(obj, &t.labels, &t.unlabel);
        check_limits(&with_settings(
            &self.obj.spec,
            t,
            system.as_deref(),
            expiration,
        ))?;
        // What changed, as the confirmation line and the Event say it: a field by its name,
        // "… removed" when it is gone.
        let mut changed: Vec<String> = wanted(&self.obj)
            .into_iter()
            .map(|(f, v)| {
                if v.is_null() {
                    format!("{f} removed")
                } else {
                    f
                }
            })
            .collect();
        if labels_wanted(&self.obj).is_some() {
            changed.push("labels".into());
        }
        let written = self
            .patch_guarded("changing the settings", Target::Spec, |obj| {
                let mut ops: Vec<serde_json::Value> = wanted(obj)
                    .into_iter()
                    .map(|(f, v)| {
                        // A field taken back is removed: the schema refuses a null.
                        if v.is_null() {
                            json!({"op": "remove", "path": format!("/spec/{f}")})
                        } else {
                            json!({"op": "add", "path": format!("/spec/{f}"), "value": v})
                        }
                    })
                    .collect();
                if let Some(labels) = labels_wanted(obj) {
                    ops.push(json!({"op": "add", "path": "/metadata/labels", "value": labels}));
                }
                if ops.is_empty() {
                    Build::Done
                } else {
                    Build::Apply(ops)
                }
            })
            .await?;
        if written == Written::Applied {
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::SettingsChanged,
                    format!("changed {}", changed.join(", ")),
                )
                .await;
        }
        Ok(changed)
    }

    /// Set `spec.modelName`.
    pub async fn set_model(&mut self, model: &str) -> anyhow::Result<()> {
        let before = self.obj.spec.model_name.clone();
        let written = self
            .patch_guarded("setting the model", Target::Spec, |obj| {
                if obj.spec.model_name == model {
                    return Build::Done;
                }
                Build::Apply(vec![
                    json!({"op": "replace", "path": "/spec/modelName", "value": model}),
                ])
            })
            .await?;
        if written == Written::Applied {
            self.events
                .emit(
                    &self.obj,
                    Lifecycle::ModelChanged,
                    format!("model {before} → {model}"),
                )
                .await;
        }
        Ok(())
    }
}

/// The spec fields that differ between `before` and `after`, by their names in the object and
/// with their new values, in the order of the spec (and of `create --help`), not alphabetical.
fn spec_changes(
    before: &ClaudeModelContextSpec,
    after: &ClaudeModelContextSpec,
) -> Vec<(String, serde_json::Value)> {
    let mut changed: Vec<(String, serde_json::Value)> = before
        .differences(after)
        .into_iter()
        .map(|(k, _, v)| (k, v))
        .collect();
    let rank = |k: &str| {
        SETTINGS_ORDER
            .iter()
            .position(|f| *f == k)
            .unwrap_or(usize::MAX)
    };
    changed.sort_by_key(|(k, _)| rank(k));
    changed
}

/// `obj`'s labels with `set` applied and the keys of `unset` removed, when that changes them.
fn labels_after(
    obj: &ClaudeModelContext,
    set: &[(String, String)],
    unset: &[String],
) -> Option<std::collections::BTreeMap<String, String>> {
    let mut labels = obj.metadata.labels.clone().unwrap_or_default();
    let before = labels.clone();
    for (k, v) in set {
        labels.insert(k.clone(), v.clone());
    }
    for k in unset {
        labels.remove(k);
    }
    (labels != before).then_some(labels)
}
