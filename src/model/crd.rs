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

#[cfg(test)]
mod described {
    use super::*;

    /// Every field's description, by path, in both CRDs.
    fn fields() -> Vec<(String, String)> {
        fn walk(path: &str, s: &serde_json::Value, out: &mut Vec<(String, String)>) {
            if let Some(props) = s.get("properties").and_then(|p| p.as_object()) {
                for (k, v) in props {
                    let p = format!("{path}.{k}");
                    let d = v["description"].as_str().unwrap_or_default().to_string();
                    out.push((p.clone(), d));
                    walk(&p, v, out);
                }
            }
            for inner in ["items", "additionalProperties"] {
                if let Some(v) = s.get(inner).filter(|v| v.is_object()) {
                    walk(&format!("{path}[]"), v, out);
                }
            }
        }
        let mut out = Vec::new();
        for crd in [
            serde_json::to_value(crd()).unwrap(),
            serde_json::to_value(crate::model::segment::crd()).unwrap(),
        ] {
            for v in crd["spec"]["versions"].as_array().unwrap() {
                walk("", &v["schema"]["openAPIV3Schema"], &mut out);
            }
        }
        out
    }

    /// Issue #25 item 7: `kubectl explain` has something to say about every field, in the
    /// field's own words: a type's description that replaced a field's would repeat itself on
    /// every field of that type.
    #[test]
    fn every_field_is_described_in_its_own_words() {
        let fields = fields();
        assert!(fields.len() > 80, "{}", fields.len());
        for (path, d) in &fields {
            assert!(d.len() >= 12, "{path} has no real description: {d:?}");
        }
        let mut seen: std::collections::HashMap<&str, &str> = Default::default();
        for (path, d) in &fields {
            let name = path.rsplit('.').next().unwrap_or_default();
            if let Some(other) = seen.insert(d.as_str(), path.as_str()) {
                let other_name = other.rsplit('.').next().unwrap_or_default();
                assert_eq!(
                    name, other_name,
                    "{path} and {other} share one description: {d:?}"
                );
            }
        }
        let of = |p: &str| &fields.iter().find(|(q, _)| q == p).unwrap().1;
        assert!(of(".spec.cacheTTL").contains("Unset: the tool picks"));
        assert!(of(".status.currentState").contains("Expired"));
        assert!(!of(".spec.contextHistory").contains("dropped)"));
    }
}
