//! The context CRD, generated from the types (without `nullable`, which the apiserver's
//! structural schemas refuse in places).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

use super::resource::ClaudeModelContext;

/// The CRD, generated from the types above.
///
/// schemars marks every `Option` field `nullable: true`, and the apiserver drops the `type` of
/// nullable fields when it publishes OpenAPI v2, so `kubectl explain` would show `<>` for them.
/// This tool never stores `null` (every `Option` is skipped when empty, and merge-patch nulls
/// delete keys before validation), so `nullable` is removed.
pub fn crd() -> CustomResourceDefinition {
    let crd = ClaudeModelContext::crd();
    let Ok(mut v) = serde_json::to_value(&crd) else {
        return crd;
    };
    strip_nullable(&mut v);
    serde_json::from_value(v).unwrap_or(crd)
}

pub(super) fn strip_nullable(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("nullable");
            m.values_mut().for_each(strip_nullable);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_nullable),
        _ => {}
    }
}

/// The CRDs as YAML documents, exactly what `install` applies: history segments, then
/// contexts.
pub fn crd_yaml() -> anyhow::Result<String> {
    Ok(format!(
        "{}---\n{}",
        serde_yaml::to_string(&crate::model::segment::crd())?,
        serde_yaml::to_string(&crd())?
    ))
}
