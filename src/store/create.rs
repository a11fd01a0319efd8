//! Making a context: a new object from a template (flags, configuration, defaults), checked
//! against the model's limits before it is written.

use super::*;

/// The cluster dropped `status.removed`: its CRD is older than this tool.
pub(super) fn outdated_crd() -> anyhow::Error {
    anyhow::anyhow!("nothing was removed: the cluster's ClaudeModelContext CRD is older than this tool and does not keep removed turns for `restore`; upgrade it with `kubectl mcp install`")
}

/// The object `create` would send: validates the session ID and settings, derives the name.
pub fn new_context(
    session: &str,
    settings: &ContextTemplate,
    namespace: &str,
    now: Timestamp,
) -> anyhow::Result<ClaudeModelContext> {
    let name = naming::name_for_session(session).map_err(|e| UsageError(e.to_string()))?;
    if let Some(key) = settings.unlabel.first() {
        return Err(UsageError(format!(
            "`-L {key}-` removes a label, and a new context has none: give labels as key=value"
        ))
        .into());
    }
    // Flags first, then $KUBECTL_MCP_*, then the configuration file.
    let defaults = crate::config::defaults()?;
    let model = model_for(session, settings, &defaults)?;
    let system_prompt = system_prompt_of(settings)?;
    let expiration_time = expiration_of(settings, now)?;
    let labels: BTreeMap<String, String> = settings.labels.iter().cloned().collect();
    let mut obj = ClaudeModelContext::new(
        &name,
        ClaudeModelContextSpec {
            model_name: model,
            session_id: session.to_string(),
            // `none` typed for a limit means none, whatever the configuration's default.
            max_tokens: settings.max_tokens.or(defaults
                .max_tokens
                .filter(|_| !settings.unsets("maxTokens"))
                .map(|(n, _)| n)),
            max_output_tokens: settings.max_output_tokens.or(defaults
                .max_output_tokens
                .filter(|_| !settings.unsets("maxOutputTokens"))
                .map(|(n, _)| n)),
            history_size: settings.history_size,
            context_history: Vec::new(),
            system_prompt,
            summarization_strategy: settings
                .strategy
                .or(defaults.strategy.map(|(s, _)| s))
                .unwrap_or_default(),
            expiration_time,
            idle_ttl: settings.idle_ttl.clone(),
            cache_ttl: settings.cache_ttl,
            redaction: settings
                .redaction
                .map(|enabled| crate::model::resource::Redaction {
                    enabled,
                    ..Default::default()
                }),
        },
    );
    check_limits(&obj.spec)?;
    obj.metadata = ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_string()),
        labels: (!labels.is_empty()).then_some(labels),
        ..Default::default()
    };
    Ok(obj)
}

/// The model of a new context: the flag, else `$KUBECTL_MCP_MODEL` or the configuration file;
/// none is a usage error that says where to give one.
fn model_for(
    session: &str,
    settings: &ContextTemplate,
    defaults: &crate::config::Defaults,
) -> anyhow::Result<String> {
    match settings
        .model
        .clone()
        .or(defaults.model.clone().map(|(m, _)| m))
        .map(|m| m.trim().to_string())
    {
        Some(m) if !m.is_empty() => Ok(m),
        _ => Err(UsageError(format!(
            "a new context needs a model: pass --model (e.g. --model claude-sonnet-4-5), set KUBECTL_MCP_MODEL, or put `model:` in the configuration file (session \"{session}\")"
        ))
        .into()),
    }
}

/// The system prompt a template sets: its text, or the file it names (`-`: stdin).
pub(super) fn system_prompt_of(t: &ContextTemplate) -> anyhow::Result<Option<String>> {
    Ok(match (&t.system, &t.system_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => Some(read_text(path)?),
        (None, None) => None,
    })
}

/// Refuse settings the model cannot take, when the tool's table knows the model: an answer cap
/// over its largest `max_tokens`, or a prompt budget past its context window. The API would
/// refuse the request after the context was made; saying so first names the limit.
pub fn check_limits(spec: &ClaudeModelContextSpec) -> Result<(), UsageError> {
    check_server_strategy(spec)?;
    let Some(info) = crate::model::catalog::limits(&spec.model_name) else {
        return Ok(());
    };
    let answer = spec.max_output_tokens.unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS);
    if answer > info.max_output {
        return Err(UsageError(format!(
            "maxOutputTokens {answer} is more than {} answers with ({} tokens at most): lower it (`--max-output-tokens {}`, or `kubectl mcp set SESSION --max-output-tokens {}` for an existing context)",
            spec.model_name, info.max_output, info.max_output, info.max_output
        )));
    }
    if let Some(budget) = spec.max_tokens {
        let room = info.context_window.saturating_sub(answer);
        if budget > room {
            return Err(UsageError(format!(
                "maxTokens {budget} and an answer cap of {answer} do not fit {}'s {}-token context window: use at most --max-tokens {room}",
                spec.model_name, info.context_window
            )));
        }
    }
    Ok(())
}

/// `summarizationStrategy: server` needs a model that takes the compaction edit, a trigger the
/// API accepts, and no `historySize` (the server compacts by tokens; a turn limit would drop
/// the compaction the conversation now rests on).
pub(super) fn check_server_strategy(spec: &ClaudeModelContextSpec) -> Result<(), UsageError> {
    if spec.summarization_strategy != SummarizationStrategy::Server {
        return Ok(());
    }
    let model = &spec.model_name;
    let capable: Vec<&str> = crate::model::catalog::MODELS
        .iter()
        .filter(|m| m.compaction)
        .map(|m| m.id)
        .collect();
    match crate::model::catalog::limits(model).and_then(|l| l.compaction) {
        Some(true) => {}
        Some(false) => {
            return Err(UsageError(format!(
                "{model} does not support server-side compaction (summarizationStrategy server); use a model that does ({}), or --strategy summarize_oldest or hybrid, which summarize on this side",
                capable.join(", ")
            )))
        }
        None => {
            return Err(UsageError(format!(
                "{model} is not known to support server-side compaction (summarizationStrategy server); use a model that does ({}), or --strategy summarize_oldest or hybrid",
                capable.join(", ")
            )))
        }
    }
    if spec.history_size.is_some() {
        return Err(UsageError("historySize does not apply with summarizationStrategy server: the server compacts by tokens (set the trigger with --max-tokens N, at least 50000); a context with historySize needs another strategy (or `kubectl edit` to remove spec.historySize)".into()));
    }
    if let Some(t) = spec.max_tokens {
        let min = crate::claude::MIN_COMPACTION_TRIGGER;
        if t < min {
            return Err(UsageError(format!(
                "with summarizationStrategy server, maxTokens is the compaction trigger, and the API takes at least {min}: use --max-tokens {min} or more"
            )));
        }
    }
    Ok(())
}

/// The expiration time a template asks for: `--expires-in` from `now`, or `--expires-at`.
pub(super) fn expiration_of(
    t: &ContextTemplate,
    now: Timestamp,
) -> anyhow::Result<Option<Timestamp>> {
    Ok(match (t.expires_in, t.expires_at) {
        (Some(d), _) => Some(
            now.checked_add(
                jiff::SignedDuration::try_from(d).context("--expires-in is too large")?,
            )
            .context("--expires-in is too large")?,
        ),
        (None, Some(t)) => Some(t),
        (None, None) => None,
    })
}

/// Create `obj` and give it an initial status (`Active`, zero turns), which `kubectl get cmc`
/// shows in its columns. Distinguishes "this session already has a context" from "another
/// session holds this name".
pub async fn create_context(
    cluster: &Cluster,
    obj: ClaudeModelContext,
) -> Result<ClaudeModelContext, ClusterError> {
    let ns = obj.namespace_or_default();
    let session = obj.spec.session_id.clone();
    let name = obj.metadata.name.clone().unwrap_or_default();
    let api = cluster.contexts(Some(&ns));
    let op = Op::contexts("create", Some(&ns), Some(&session));
    let created = match api.create(&PostParams::default(), &obj).await {
        Ok(c) => c,
        Err(e) => {
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
    };
    warn_if_pruned(&obj, &created.spec);
    // The initial status goes only onto the object as created: a process that found it a moment
    // later may already have stored a turn and its status, which this must not reset.
    let mut fresh = Session::from_object(cluster, created);
    let at = now();
    fresh
        .update_status("giving the context its initial status", |obj, st| {
            if obj.status.is_some() {
                return Err("another process already wrote its status".into());
            }
            st.current_state = Some(ContextState::Active);
            st.last_activity_time = Some(at);
            st.turn_count = Some(obj.turns() as u32);
            st.token_count = Some(0);
            Ok(())
        })
        .await?;
    let created = fresh.obj;
    Events::new(cluster.client().clone())
        .emit(
            &created,
            Lifecycle::Created,
            format!(
                "created for session \"{session}\" (model {})",
                created.spec.model_name
            ),
        )
        .await;
    Ok(created)
}

/// An apiserver whose CRD is older than this tool prunes the fields it does not know, silently.
/// Say so, with the fix, rather than let a setting vanish.
pub(super) fn warn_if_pruned(sent: &ClaudeModelContext, stored: &ClaudeModelContextSpec) {
    let (Ok(serde_json::Value::Object(sent)), Ok(serde_json::Value::Object(stored))) = (
        serde_json::to_value(&sent.spec),
        serde_json::to_value(stored),
    ) else {
        return;
    };
    let dropped: Vec<&str> = sent
        .keys()
        .filter(|k| !stored.contains_key(k.as_str()))
        .map(String::as_str)
        .collect();
    if !dropped.is_empty() {
        tracing::warn!(
            "the cluster dropped spec fields it does not know ({}): its ClaudeModelContext CRD is older than this kubectl-mcp; run `kubectl mcp install` to update it",
            dropped.join(", ")
        );
    }
}
