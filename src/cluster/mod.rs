//! Cluster access: building a kube client from kubeconfig the way kubectl does, finding contexts
//! by session ID, paging through lists, and turning apiserver errors into messages a person can act
//! on.
//!
//! Errors are classified by the HTTP status code, not only by kube's `reason` helpers: a 404 from
//! a missing CRD comes back as a plain-text "404 page not found" with no reason at all, and that is
//! exactly the case where the user needs to hear "run `kubectl mcp install`".

use std::fmt;
use std::time::Duration;

use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};
use thiserror::Error;

pub mod deadline;
mod error;
mod log;
mod table;

pub use self::error::*;
pub use self::table::*;

use crate::model::naming::{self, SessionIdError};
use crate::model::resource::{ClaudeModelContext, CRD_NAME, PLURAL};

/// Where and how to connect, as kubectl's global flags say it: plain options, so that the
/// cluster layer does not depend on the command line (the CLI converts its flags once).
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// `--kubeconfig`: a kubeconfig file instead of `$KUBECONFIG` / `~/.kube/config`.
    pub kubeconfig: Option<std::path::PathBuf>,
    /// `--context`: the kubeconfig context to use.
    pub context: Option<String>,
    /// `-n`: the namespace, instead of the context's.
    pub namespace: Option<String>,
    /// `--request-timeout`: per-request timeout (zero: none; unset:
    /// [`DEFAULT_REQUEST_TIMEOUT`]).
    pub request_timeout: Option<Duration>,
}

/// How long one apiserver request may take when `--request-timeout` is not given: well under
/// a minute, so that a silent apiserver fails a command (and journals a turn) instead of
/// holding it. kubectl waits forever by default; a tool that has shown an answer must not.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest a watch is asked to stay open (kubectl's and kube-runtime's default).
const MAX_WATCH_SECONDS: u32 = 290;

/// The user entry named by `context` (or the current context) of `kc`.
fn user_of(kc: &Kubeconfig, context: Option<&str>) -> Option<String> {
    context_of(kc, context)?
        .user
        .clone()
        .filter(|u| !u.is_empty())
}

/// The kubeconfig's name for the cluster of the context in use (what the REPL's prompt shows).
fn cluster_of(kc: &Kubeconfig, context: Option<&str>) -> Option<String> {
    Some(context_of(kc, context)?.cluster.clone()).filter(|c| !c.is_empty())
}

/// The context in use: `--context`, else the current one.
fn context_of<'k>(kc: &'k Kubeconfig, context: Option<&str>) -> Option<&'k kube::config::Context> {
    let name = context.or(kc.current_context.as_deref())?;
    kc.contexts
        .iter()
        .find(|c| c.name == name)?
        .context
        .as_ref()
}

/// A kubeconfig that is not there, or a `--context` it does not have, said as kubectl says it
/// and before kube-rs reads the files (whose errors quote the path twice and list every way
/// it tried).
fn config_problem(global: &ClusterOptions) -> Option<ClusterError> {
    let problem = |message: String, hint: &str| {
        Some(ClusterError::Kubeconfig {
            message,
            hint: hint.to_string(),
        })
    };
    // In a pod, the service account is the fallback when no file is there.
    let in_pod = std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() && global.context.is_none();
    let kubeconfig = match &global.kubeconfig {
        Some(path) if !path.exists() => {
            return problem(
                format!("stat {}: no such file or directory", path.display()),
                "--kubeconfig names no file: pass the path of a kubeconfig (`kubectl config view` shows the one kubectl uses)",
            )
        }
        Some(path) => Kubeconfig::read_from(path).ok(),
        None => {
            match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
                Some(list) => {
                    let paths: Vec<std::path::PathBuf> = std::env::split_paths(&list)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect();
                    if !in_pod && !paths.iter().any(|p| p.exists()) {
                        let shown: Vec<String> =
                            paths.iter().map(|p| p.display().to_string()).collect();
                        return problem(
                            format!("Config not found: {}", shown.join(", ")),
                            "KUBECONFIG names no file that is there: point it at your kubeconfig, or pass --kubeconfig",
                        );
                    }
                }
                None => {
                    let default = std::env::var_os("HOME")
                        .map(|h| std::path::Path::new(&h).join(".kube").join("config"));
                    if let Some(default) = default.filter(|d| !in_pod && !d.exists()) {
                        return problem(
                            format!(
                                "no kubeconfig: {} does not exist and KUBECONFIG is not set",
                                default.display()
                            ),
                            "pass --kubeconfig PATH or set KUBECONFIG (kubectl would fall back to http://localhost:8080 and fail), or run in a pod with a service account",
                        );
                    }
                }
            }
            Kubeconfig::read().ok()
        }
    };
    let (Some(context), Some(kc)) = (&global.context, kubeconfig) else {
        return None;
    };
    if kc.contexts.iter().any(|c| &c.name == context) {
        return None;
    }
    let names: Vec<String> = kc.contexts.iter().map(|c| c.name.clone()).collect();
    problem(
        format!("context was not found for specified context: {context}"),
        &if names.is_empty() {
            "the kubeconfig has no contexts (`kubectl config get-contexts`)".to_string()
        } else {
            format!(
                "the kubeconfig's contexts: {} (`kubectl config get-contexts`)",
                namespaces_text(&names)
            )
        },
    )
}

/// A connected client plus what kubectl would have resolved: the namespace and the server URL.
#[derive(Clone)]
pub struct Cluster {
    client: Client,
    namespace: String,
    server: String,
    /// The kubeconfig user entry in use, when a kubeconfig was read (who stored a turn, where
    /// the apiserver cannot say).
    kubeconfig_user: Option<String>,
    /// The request timeout in use (`None`: `--request-timeout 0`, no limit): also the longest
    /// a response may stay silent, which watches must stay under.
    request_timeout: Option<Duration>,
    /// The kubeconfig's name for the cluster, when a kubeconfig was read.
    cluster_name: Option<String>,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("server", &self.server)
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl Cluster {
    /// Resolve kubeconfig like kubectl: `--kubeconfig`, else `$KUBECONFIG` / `~/.kube/config`,
    /// else the in-cluster service account; `--context` picks the context; `-n` overrides the
    /// context's namespace.
    pub async fn connect(global: &ClusterOptions) -> Result<Self, ClusterError> {
        if let Some(e) = config_problem(global) {
            return Err(e);
        }
        let options = KubeConfigOptions {
            context: global.context.clone(),
            ..Default::default()
        };
        let mut kubeconfig_user = None;
        let mut cluster_name = None;
        let mut config = match &global.kubeconfig {
            Some(path) => {
                let kc = Kubeconfig::read_from(path).map_err(|e| {
                    ClusterError::Config(format!("reading {}: {}", path.display(), chain(&e)))
                })?;
                kubeconfig_user = user_of(&kc, global.context.as_deref());
                cluster_name = cluster_of(&kc, global.context.as_deref());
                Config::from_custom_kubeconfig(kc, &options)
                    .await
                    .map_err(|e| ClusterError::Config(chain(&e)))?
            }
            None if global.context.is_some() => Config::from_kubeconfig(&options)
                .await
                .map_err(|e| ClusterError::Config(chain(&e)))?,
            None => Config::infer()
                .await
                .map_err(|e| ClusterError::Config(chain(&e)))?,
        };
        let request_timeout = global.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT);
        let t = (!request_timeout.is_zero()).then_some(request_timeout);
        // Every request as a whole ends within `t` (see `client_for`); these are the socket's
        // own limits, for the proxied stack, which has no deadline layer. A connection (TCP and
        // TLS) gets a second more than the request, so that a request's deadline, which names
        // the limit, fires first; a watch's connection is still bounded.
        config.read_timeout = t;
        config.write_timeout = t;
        config.connect_timeout = t.map(|t| t + Duration::from_secs(1));
        let namespace = global
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let server = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        if global.kubeconfig.is_none() {
            // The same files `Config` read (KUBECONFIG, else ~/.kube/config); none in a pod.
            if let Ok(kc) = Kubeconfig::read() {
                kubeconfig_user = user_of(&kc, global.context.as_deref());
                cluster_name = cluster_of(&kc, global.context.as_deref());
            }
        }
        let client = client_for(config).map_err(|e| ClusterError::Unreachable {
            server: server.clone(),
            cause: chain(&e),
        })?;
        Ok(Self {
            client,
            namespace,
            server,
            kubeconfig_user,
            request_timeout: t,
            cluster_name,
        })
    }

    /// The cluster as a person knows it: the kubeconfig's name for it, else the server's host
    /// (in a pod).
    pub fn display_name(&self) -> String {
        self.cluster_name.clone().unwrap_or_else(|| {
            self.server
                .split_once("://")
                .map_or(self.server.as_str(), |(_, rest)| rest)
                .to_string()
        })
    }

    /// The request timeout in use (`None` only for `--request-timeout 0`).
    pub fn request_timeout(&self) -> Option<Duration> {
        self.request_timeout
    }

    /// How long a watch should ask the server to keep it open: under the request timeout, so
    /// that the server ends a quiet watch (and it is resumed where it was) before the client
    /// would call the silence a timeout.
    pub fn watch_seconds(&self) -> u32 {
        match self.request_timeout {
            Some(t) => {
                // A quarter of the timeout (at least a second) is left for a busy server to
                // close the watch in.
                let secs = t.as_secs();
                (secs.saturating_sub((secs / 4).max(1)) as u32).clamp(1, MAX_WATCH_SECONDS)
            }
            None => MAX_WATCH_SECONDS,
        }
    }

    /// Who this client is, as far as can be told: the apiserver's answer to a SelfSubjectReview
    /// (Kubernetes 1.28+), else the kubeconfig user entry in use. One request, made once by
    /// whoever records authors.
    pub async fn user(&self) -> Option<String> {
        let request = http::Request::post("/apis/authentication.k8s.io/v1/selfsubjectreviews")
            .header("content-type", "application/json")
            .body(
                serde_json::to_vec(&serde_json::json!({
                    "apiVersion": "authentication.k8s.io/v1",
                    "kind": "SelfSubjectReview",
                }))
                .unwrap_or_default(),
            );
        if let Ok(request) = request {
            match self.client.request::<serde_json::Value>(request).await {
                Ok(v) => {
                    if let Some(name) = v["status"]["userInfo"]["username"].as_str() {
                        return Some(name.to_string());
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "no SelfSubjectReview; using the kubeconfig user name")
                }
            }
        }
        self.kubeconfig_user.clone()
    }

    /// The namespace commands act in.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server URL, for messages.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Contexts in `ns`, or in every namespace when `ns` is `None`.
    pub fn contexts(&self, ns: Option<&str>) -> Api<ClaudeModelContext> {
        match ns {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    /// Whether the current user may `verb` the resource `plural` of this tool's API group (or
    /// its `subresource`) in `ns`, asked with a SelfSubjectAccessReview: a write can be known to
    /// be refused before Claude is paid for an answer that could not be kept.
    pub async fn may(
        &self,
        verb: &str,
        plural: &str,
        subresource: Option<&str>,
        ns: &str,
    ) -> Result<bool, ClusterError> {
        use k8s_openapi::api::authorization::v1::{
            ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
        };
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    group: Some(crate::model::resource::GROUP.to_string()),
                    resource: Some(plural.to_string()),
                    subresource: subresource.map(str::to_string),
                    verb: Some(verb.to_string()),
                    namespace: Some(ns.to_string()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let api: Api<SelfSubjectAccessReview> = Api::all(self.client.clone());
        let op = Op {
            verb: "create",
            resource: "selfsubjectaccessreviews.authorization.k8s.io",
            namespace: None,
            session: None,
        };
        let answer = api
            .create(&kube::api::PostParams::default(), &review)
            .await
            .map_err(|e| self.error(e, &op))?;
        Ok(answer.status.is_some_and(|s| s.allowed))
    }

    /// Map a kube error for `op` into a [`ClusterError`].
    pub fn error(&self, err: kube::Error, op: &Op) -> ClusterError {
        classify(err, op, &self.server)
    }

    /// Find the context for `session` in `ns`: by the name derived from the session ID, and, when
    /// that misses, by the argument used as a resource name (so the NAME column of `list` works).
    /// An object found by derived name must carry this session ID in `spec.sessionID`.
    pub async fn find(&self, ns: &str, session: &str) -> Result<ClaudeModelContext, ClusterError> {
        let api = self.contexts(Some(ns));
        let op = Op::contexts("get", Some(ns), Some(session));
        let name = naming::name_for_session(session)?;
        match api.get_opt(&name).await.map_err(|e| self.error(e, &op))? {
            Some(obj) if obj.spec.session_id == session || name == session => Ok(obj),
            Some(obj) => Err(ClusterError::NameTaken {
                session: session.to_string(),
                other: obj.spec.session_id,
                name,
                namespace: ns.to_string(),
            }),
            None => {
                let mut err = not_found(session, ns);
                if let ClusterError::NotFound { elsewhere, .. } = &mut err {
                    *elsewhere = self.namespaces_holding(&name, ns).await;
                }
                Err(err)
            }
        }
    }

    /// Namespaces other than `except` that hold a context named `name`, from the watch cache;
    /// empty when that cannot be asked (RBAC).
    async fn namespaces_holding(&self, name: &str, except: &str) -> Vec<String> {
        let params = ListParams::default()
            .fields(&format!("metadata.name={name}"))
            .match_any();
        match self.contexts(None).list_metadata(&params).await {
            Ok(list) => {
                let mut found: Vec<String> = list
                    .items
                    .into_iter()
                    .filter_map(|m| m.metadata.namespace)
                    .filter(|n| n != except)
                    .collect();
                found.sort();
                found
            }
            Err(_) => Vec::new(),
        }
    }

    /// Every context matching `params`, fetched in pages of `chunk` (0: one request), so a
    /// namespace with thousands of contexts is not one giant response.
    pub async fn list_all(
        &self,
        ns: Option<&str>,
        params: ListParams,
        chunk: u32,
    ) -> Result<Vec<ClaudeModelContext>, ClusterError> {
        Ok(self.list_versioned(ns, params, chunk).await?.0)
    }

    /// [`Cluster::list_all`] plus the list's resourceVersion, to watch from.
    pub async fn list_versioned(
        &self,
        ns: Option<&str>,
        mut params: ListParams,
        chunk: u32,
    ) -> Result<(Vec<ClaudeModelContext>, String), ClusterError> {
        let op = Op::contexts("list", ns, None);
        if chunk > 0 {
            params.limit = Some(chunk);
        }
        let mut items = Vec::new();
        let mut version = String::new();
        // Pages are read as untyped objects and converted one by one: an object written by
        // hand with a value the apiserver accepted but this tool cannot read is a warning naming
        // that object, never a failure of the whole list.
        let ar = kube::api::ApiResource::erase::<ClaudeModelContext>(&());
        let raw: Api<kube::api::DynamicObject> = match ns {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &ar),
            None => Api::all_with(self.client.clone(), &ar),
        };
        loop {
            let page = raw.list(&params).await.map_err(|e| self.error(e, &op))?;
            for obj in page.items {
                let name = format!(
                    "{}/{}",
                    obj.metadata.namespace.as_deref().unwrap_or("-"),
                    obj.metadata.name.as_deref().unwrap_or("-")
                );
                match typed(obj) {
                    Ok(o) => items.push(o),
                    Err(e) => tracing::warn!(
                        "skipping ClaudeModelContext {name}: it cannot be read ({e}); fix or delete it with kubectl"
                    ),
                }
            }
            version = page.metadata.resource_version.unwrap_or(version);
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(token) => params.continue_token = Some(token),
                None => break,
            }
            tracing::debug!(fetched = items.len(), "fetching the next page");
        }
        Ok((items, version))
    }
}

/// A kube client whose sockets have `TCP_NODELAY` set. kube's default stack leaves Nagle's
/// algorithm on, and a request whose headers and body leave in two segments then waits for the
/// server's delayed ACK: about 40 ms on loopback, on every such request (an empty `list` took
/// 54 ms instead of 6). The stack is kube's own (base URI, auth, extra headers, timeouts,
/// request tracing for `-vv`), built on a connector with the option set; a proxied cluster
/// keeps kube's default stack, which handles (or refuses) the proxy.
pub fn client_for(config: Config) -> Result<Client, kube::Error> {
    use kube::client::ConfigExt;
    if config.proxy_url.is_some() {
        return Client::try_from(config);
    }
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let https = config.rustls_https_connector_with_connector(http)?;
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    // Silence is the request deadline's to judge (below): it knows a watch from a plain
    // request, and names the limit; the socket's own read timeout would cut a quiet watch.
    connector.set_read_timeout(None);
    connector.set_write_timeout(config.write_timeout);
    let http_client: hyper_util::client::legacy::Client<_, kube::client::Body> =
        hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new())
            .build(connector);
    // Every request as a whole, headers and body, within the request timeout (a watch: the
    // time it asked for on top): a server that trickles bytes gets no more time than a silent
    // one.
    let deadline = deadline::DeadlineLayer {
        limit: config.read_timeout,
    };
    let service = tower::ServiceBuilder::new()
        .layer(deadline)
        .layer(config.base_uri_layer())
        .layer(log::LogLayer)
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &http::Request<kube::client::Body>| {
                    tracing::debug_span!("HTTP", http.method = %req.method(), http.url = %req.uri())
                },
            ),
        )
        .map_err(tower::BoxError::from)
        .service(http_client);
    Ok(Client::new(service, config.default_namespace))
}

/// An untyped object as a context (its fields checked by serde).
fn typed(obj: kube::api::DynamicObject) -> Result<ClaudeModelContext, serde_json::Error> {
    let mut value = obj.data;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("metadata".into(), serde_json::to_value(obj.metadata)?);
        map.insert("apiVersion".into(), "mcp.dev/v1alpha1".into());
        map.insert("kind".into(), "ClaudeModelContext".into());
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| serde::de::Error::custom(format!("{} at {}", e.inner(), e.path())))
}

/// Quote `s` for a POSIX shell when it needs it, so hints can be pasted.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

pub use crate::error::chain;

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::response::{StatusCause, StatusDetails};
    use kube::core::Status;

    fn api_err(
        code: u16,
        reason: &str,
        message: &str,
        details: Option<StatusDetails>,
    ) -> kube::Error {
        let mut s = Status::failure(message, reason);
        s.code = code;
        s.details = details;
        kube::Error::Api(Box::new(s))
    }

    fn details(name: &str, causes: Vec<StatusCause>) -> Option<StatusDetails> {
        Some(StatusDetails {
            name: name.into(),
            group: "mcp.dev".into(),
            kind: "claudemodelcontexts".into(),
            uid: String::new(),
            causes,
            retry_after_seconds: 0,
        })
    }

    #[test]
    fn a_bare_404_means_the_crd_is_missing() {
        let op = Op::contexts("list", Some("default"), None);
        let e = classify(
            api_err(404, "", "404 page not found", None),
            &op,
            "https://k",
        );
        assert!(matches!(e, ClusterError::CrdMissing { .. }));
        assert!(e.to_string().contains("run `kubectl mcp install`"), "{e}");
    }

    #[test]
    fn a_404_naming_the_object_means_the_session_is_missing() {
        let op = Op::contexts("get", Some("team"), Some("Alice #1"));
        let err = api_err(404, "NotFound", "not found", details("alice-1-abc", vec![]));
        let e = classify(err, &op, "https://k");
        let msg = e.to_string();
        assert!(
            msg.contains("\"Alice #1\"") && msg.contains("\"team\""),
            "{msg}"
        );
        assert!(
            msg.ends_with("(`kubectl mcp list -A` lists the contexts of every namespace)"),
            "{msg}"
        );
        // Found in one other namespace: that one, and the session quoted for a shell.
        let ClusterError::NotFound {
            session,
            session_arg,
            namespace,
            ..
        } = e
        else {
            panic!("{msg}")
        };
        let there = ClusterError::NotFound {
            session,
            session_arg,
            namespace,
            elsewhere: vec!["other".into()],
        }
        .to_string();
        assert!(there.contains("pass -n other"), "{there}");
        assert!(there.contains("kubectl mcp create 'Alice #1'"), "{there}");
    }

    #[test]
    fn forbidden_names_verb_resource_and_namespace() {
        let op = Op::contexts("list", Some("prod"), None);
        let e = classify(
            api_err(403, "Forbidden", "User \"viewer\" cannot list", None),
            &op,
            "k",
        );
        let msg = e.to_string();
        assert!(msg.contains("list"), "{msg}");
        assert!(msg.contains("claudemodelcontexts.mcp.dev"), "{msg}");
        assert!(msg.contains("namespace \"prod\""), "{msg}");
    }

    #[test]
    fn invalid_lists_the_field_causes() {
        let op = Op::contexts("create", Some("default"), Some("x"));
        let cause = StatusCause {
            reason: "FieldValueNotSupported".into(),
            message: "Unsupported value: \"fast\"".into(),
            field: "spec.summarizationStrategy".into(),
        };
        let e = classify(
            api_err(422, "Invalid", "is invalid", details("x", vec![cause])),
            &op,
            "k",
        );
        assert!(e
            .to_string()
            .contains("\n  - spec.summarizationStrategy: Unsupported value: \"fast\""));
    }

    #[test]
    fn a_failed_patch_test_is_a_conflict_not_invalid() {
        let op = Op::contexts("patch", Some("default"), Some("x"));
        let msg = "the server rejected our request due to an error in our request: testing value /metadata/resourceVersion failed: test failed";
        let e = classify(api_err(422, "Invalid", msg, None), &op, "k");
        assert!(matches!(e, ClusterError::Conflict { .. }), "{e:?}");
    }

    #[test]
    fn shell_quote_leaves_plain_words_alone() {
        assert_eq!(shell_quote("demo"), "demo");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
