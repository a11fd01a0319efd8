//! Where the Claude key comes from: `--api-key-secret [NS/]NAME[:KEY]` (a Kubernetes Secret),
//! else `ANTHROPIC_API_KEY`, else `ANTHROPIC_AUTH_TOKEN` (bearer, for gateways).

use k8s_openapi::api::core::v1::Secret as KubeSecret;
use kube::Api;
use thiserror::Error;

use crate::claude::{credentials_from_env, Credentials, Secret};
use crate::cluster::{Cluster, ClusterError, Op};

/// The key used in a Secret when `:KEY` is not given and the Secret has several.
pub const DEFAULT_SECRET_KEY: &str = "ANTHROPIC_API_KEY";

/// `[NS/]NAME[:KEY]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    /// Namespace; the command's namespace when absent.
    pub namespace: Option<String>,
    /// Secret name.
    pub name: String,
    /// Data key; see [`DEFAULT_SECRET_KEY`].
    pub key: Option<String>,
}

impl std::str::FromStr for SecretRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (path, key) = match s.split_once(':') {
            Some((p, k)) if !k.is_empty() => (p, Some(k.to_string())),
            Some(_) => return Err(format!("`{s}`: the key after `:` is empty")),
            None => (s, None),
        };
        let (namespace, name) = match path.split_once('/') {
            Some((ns, n)) if !ns.is_empty() && !n.is_empty() => (Some(ns.to_string()), n),
            Some(_) => return Err(format!("`{s}`: use [NAMESPACE/]NAME[:KEY]")),
            None => (None, path),
        };
        if name.is_empty() {
            return Err(format!(
                "`{s}`: the Secret name is empty; use [NAMESPACE/]NAME[:KEY]"
            ));
        }
        Ok(Self {
            namespace,
            name: name.to_string(),
            key,
        })
    }
}

/// Why no key could be had.
#[derive(Debug, Error)]
pub enum CredentialsError {
    /// Nothing configured.
    #[error("no Claude API key: set ANTHROPIC_API_KEY, or pass --api-key-secret [NAMESPACE/]NAME[:KEY] to read it from a Kubernetes Secret (servers of your own behind ANTHROPIC_BASE_URL need none)")]
    Missing,
    /// The Secret is missing.
    #[error("the Secret {namespace}/{name} does not exist: create it with `kubectl create secret generic {name} -n {namespace} --from-literal={DEFAULT_SECRET_KEY}=sk-ant-…`")]
    SecretNotFound {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
    /// The Secret lacks the key.
    #[error("the Secret {namespace}/{name} has no usable key `{key}`; its keys are: {available}. Name one with --api-key-secret {namespace}/{name}:KEY")]
    KeyNotFound {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// The key looked for.
        key: String,
        /// Keys present.
        available: String,
    },
    /// Reading the Secret failed.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

/// True when `ANTHROPIC_BASE_URL` points somewhere other than Anthropic's API.
fn custom_base_url() -> bool {
    std::env::var("ANTHROPIC_BASE_URL").is_ok_and(|u| {
        let u = u.trim();
        !u.is_empty() && !u.contains("api.anthropic.com")
    })
}

/// Resolve the credentials. `cluster` is needed only with a [`SecretRef`].
pub async fn resolve(
    secret: Option<&SecretRef>,
    cluster: Option<&Cluster>,
) -> Result<Credentials, CredentialsError> {
    let Some(r) = secret else {
        return match credentials_from_env() {
            Some(c) => Ok(c),
            // A server of one's own (Ollama, llama.cpp, vLLM) usually needs no key.
            None if custom_base_url() => {
                tracing::info!(
                    "no API key set: sending requests to ANTHROPIC_BASE_URL without one"
                );
                Ok(Credentials::None)
            }
            None => Err(CredentialsError::Missing),
        };
    };
    let cluster = cluster.ok_or(CredentialsError::Missing)?;
    let ns = r
        .namespace
        .clone()
        .unwrap_or_else(|| cluster.namespace().to_string());
    let api: Api<KubeSecret> = Api::namespaced(cluster.client().clone(), &ns);
    let op = Op {
        verb: "get",
        resource: "secrets",
        namespace: Some(ns.clone()),
        session: Some(r.name.clone()),
    };
    let obj = api
        .get_opt(&r.name)
        .await
        .map_err(|e| cluster.error(e, &op))?
        .ok_or_else(|| CredentialsError::SecretNotFound {
            namespace: ns.clone(),
            name: r.name.clone(),
        })?;
    let data = obj.data.unwrap_or_default();
    let key = match &r.key {
        Some(k) => k.clone(),
        None if data.len() == 1 => data.keys().next().cloned().unwrap_or_default(),
        None => DEFAULT_SECRET_KEY.to_string(),
    };
    data.get(&key)
        .and_then(|v| String::from_utf8(v.0.clone()).ok())
        .and_then(Secret::new)
        .map(Credentials::ApiKey)
        .ok_or_else(|| CredentialsError::KeyNotFound {
            namespace: ns,
            name: r.name.clone(),
            key,
            available: if data.is_empty() {
                "<none>".to_string()
            } else {
                data.keys().cloned().collect::<Vec<_>>().join(", ")
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_refs_parse_every_documented_form() {
        let r: SecretRef = "anthropic".parse().unwrap();
        assert_eq!(
            (r.namespace, r.name.as_str(), r.key),
            (None, "anthropic", None)
        );
        let r: SecretRef = "team/anthropic:api-key".parse().unwrap();
        assert_eq!(r.namespace.as_deref(), Some("team"));
        assert_eq!(r.key.as_deref(), Some("api-key"));
        for bad in ["", "/x", "ns/", "x:", "ns/:k"] {
            assert!(bad.parse::<SecretRef>().is_err(), "{bad}");
        }
    }
}
