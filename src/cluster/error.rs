//! Errors a person can act on: each apiserver failure classified (not found, with where the
//! context is instead; forbidden, with the verb and resource; invalid, with the field; conflict;
//! unreachable, with the cause and the limit) and worded with what to do next.

use super::*;

/// A cluster failure, phrased for the person at the terminal.
#[derive(Debug, Error)]
pub enum ClusterError {
    /// A kubeconfig that is not there, or a context it does not have, in kubectl's words.
    #[error("{message}\n{hint}")]
    Kubeconfig {
        /// What kubectl would say.
        message: String,
        /// What to do.
        hint: String,
    },

    /// No kubeconfig, a broken one, or a context that does not exist.
    #[error("cannot load the cluster configuration: {0}\n(set --kubeconfig or KUBECONFIG, or pick a context with --context)")]
    Config(String),

    /// The CRD is not installed, so the resource type does not exist.
    #[error("the ClaudeModelContext resource type ({CRD_NAME}) is not installed in the cluster at {server}: run `kubectl mcp install`")]
    CrdMissing {
        /// API server URL.
        server: String,
    },

    /// No context for this session in this namespace.
    #[error(
        "no context for session \"{session}\" in namespace \"{namespace}\"{}",
        not_found_hint(session_arg, elsewhere)
    )]
    NotFound {
        /// The session ID or name the user gave.
        session: String,
        /// The same, quoted for a shell when needed.
        session_arg: String,
        /// Where we looked.
        namespace: String,
        /// Other namespaces that hold a context of this name (when they could be listed).
        elsewhere: Vec<String>,
    },

    /// The namespace itself does not exist.
    #[error("namespace \"{namespace}\" does not exist in the cluster at {server}: check -n/--namespace (`kubectl get namespaces` lists them)")]
    NamespaceMissing {
        /// The namespace asked for.
        namespace: String,
        /// API server URL.
        server: String,
    },

    /// Creating something that is already there.
    #[error("a context for session \"{session}\" already exists in namespace \"{namespace}\" (name {name}): chat with it, or delete it first with `kubectl mcp delete {session_arg}`")]
    AlreadyExists {
        /// The session ID.
        session: String,
        /// The same, quoted for a shell when needed.
        session_arg: String,
        /// Resource name.
        name: String,
        /// Namespace.
        namespace: String,
    },

    /// The derived name is held by an object for another session (a deliberate collision or a
    /// hand-written object): refuse rather than mix two conversations.
    #[error("the resource {namespace}/{name} belongs to session \"{other}\", not \"{session}\": refusing to mix two conversations; pick another session ID or delete {name}")]
    NameTaken {
        /// The session the user asked for.
        session: String,
        /// The session stored in the object.
        other: String,
        /// Resource name.
        name: String,
        /// Namespace.
        namespace: String,
    },

    /// RBAC refused the request.
    #[error("forbidden: you may not {verb} {resource} in {scope} (the apiserver said: {message})\nask a cluster admin for an RBAC Role or ClusterRole that grants `{verb}` on {resource}")]
    Forbidden {
        /// The verb that was refused (get, list, create, patch, delete …).
        verb: String,
        /// `claudemodelcontexts.mcp.dev` or the CRD resource.
        resource: String,
        /// `namespace "x"` or `the cluster scope`.
        scope: String,
        /// The server's own message.
        message: String,
    },

    /// The credentials were rejected.
    #[error("the cluster at {server} rejected the credentials (401 Unauthorized): refresh the token or certificate in your kubeconfig")]
    Unauthorized {
        /// API server URL.
        server: String,
    },

    /// Schema validation or another field-level refusal.
    #[error(
        "the apiserver refused {what} as invalid:{}",
        format_invalid(message, causes)
    )]
    Invalid {
        /// What was being written.
        what: String,
        /// The server's summary.
        message: String,
        /// `field: message` per cause.
        causes: Vec<String>,
    },

    /// A write based on a stale `resourceVersion` (409, or 422 from a failed JSON-patch `test`).
    #[error("{what} was changed by someone else while this command ran (conflict): {message}")]
    Conflict {
        /// What was being written.
        what: String,
        /// The server's message.
        message: String,
    },

    /// No complete answer within the request timeout: an apiserver that is overloaded or stuck,
    /// or a connection that goes nowhere. "cannot reach" would misname the first, and the limit
    /// is what the user can change.
    #[error("the cluster at {server} did not answer within {} (--request-timeout)\ncheck that the apiserver is up and healthy (`kubectl get --raw /readyz`) and that --kubeconfig/--context point at it, or allow it longer with --request-timeout", humantime::format_duration(*limit))]
    NoAnswer {
        /// API server URL.
        server: String,
        /// The limit that passed.
        limit: std::time::Duration,
    },

    /// Network, TLS or timeout failure before an HTTP answer arrived.
    #[error("cannot reach the cluster at {server}: {cause}\ncheck that the apiserver is running and that --kubeconfig/--context point at it")]
    Unreachable {
        /// API server URL.
        server: String,
        /// The chain of causes.
        cause: String,
    },

    /// The session ID itself is unusable.
    #[error(transparent)]
    SessionId(#[from] SessionIdError),

    /// Any other answer from the apiserver.
    #[error("the apiserver answered {code} {reason} while trying to {verb} {what}: {message}")]
    Api {
        /// HTTP status code.
        code: u16,
        /// Kubernetes reason.
        reason: String,
        /// The verb.
        verb: String,
        /// What it was about.
        what: String,
        /// The server's message.
        message: String,
    },
}

/// What to do about a missing context: where it is, if it is elsewhere; else where to look,
/// as kubectl says "not found" plainly (the commands that find this need an existing context).
pub(super) fn not_found_hint(session_arg: &str, elsewhere: &[String]) -> String {
    match elsewhere {
        [] => " (`kubectl mcp list -A` lists the contexts of every namespace)".to_string(),
        [ns] => format!(": it is in namespace \"{ns}\": pass -n {ns} (or start another one here with `kubectl mcp create {session_arg}`)"),
        many => format!(
            ": contexts of that name are in namespaces {}: pass -n with one of them (`kubectl mcp list -A` shows them)",
            namespaces_text(many)
        ),
    }
}

/// Namespaces named in a hint: the first few, then how many more (a cluster can hold a
/// session's name in hundreds of namespaces).
pub fn namespaces_text(namespaces: &[String]) -> String {
    const NAMED: usize = 5;
    if namespaces.len() <= NAMED {
        namespaces.join(", ")
    } else {
        format!(
            "{} and {} more",
            namespaces[..NAMED].join(", "),
            namespaces.len() - NAMED
        )
    }
}

/// The field causes one per line; the server's summary only when it gave no causes (it repeats
/// them).
pub(super) fn format_invalid(message: &str, causes: &[String]) -> String {
    if causes.is_empty() {
        format!(" {message}")
    } else {
        causes.iter().map(|c| format!("\n  - {c}")).collect()
    }
}

/// What a request was trying to do, so an error can name it.
#[derive(Debug, Clone)]
pub struct Op {
    /// The RBAC verb.
    pub verb: &'static str,
    /// The plural resource with its group.
    pub resource: &'static str,
    /// Namespace, `None` for cluster-scoped or all-namespaces requests.
    pub namespace: Option<String>,
    /// The session or name the user gave, for named requests.
    pub session: Option<String>,
}

impl Op {
    /// An operation on contexts.
    pub fn contexts(verb: &'static str, namespace: Option<&str>, session: Option<&str>) -> Self {
        Self {
            verb,
            resource: "claudemodelcontexts.mcp.dev",
            namespace: namespace.map(str::to_string),
            session: session.map(str::to_string),
        }
    }

    /// An operation on the CRD itself.
    pub fn crd(verb: &'static str) -> Self {
        Self {
            verb,
            resource: "customresourcedefinitions.apiextensions.k8s.io",
            namespace: None,
            session: Some(CRD_NAME.to_string()),
        }
    }

    pub(super) fn what(&self) -> String {
        match (&self.session, &self.namespace) {
            (Some(s), Some(ns)) => format!("context \"{s}\" in namespace \"{ns}\""),
            (Some(s), None) => format!("\"{s}\""),
            (None, Some(ns)) => format!("{} in namespace \"{ns}\"", self.resource),
            (None, None) => self.resource.to_string(),
        }
    }
}

/// NotFound for a session, with a shell-safe argument in the hint.
pub fn not_found(session: &str, ns: &str) -> ClusterError {
    ClusterError::NotFound {
        session: session.to_string(),
        session_arg: shell_quote(session),
        namespace: ns.to_string(),
        elsewhere: Vec::new(),
    }
}

/// AlreadyExists for a session.
pub fn already_exists(session: &str, name: &str, ns: &str) -> ClusterError {
    ClusterError::AlreadyExists {
        session: session.to_string(),
        session_arg: shell_quote(session),
        name: name.to_string(),
        namespace: ns.to_string(),
    }
}

/// The request deadline that passed, when that is what `err` comes down to.
fn timed_out(err: &(dyn std::error::Error + 'static)) -> Option<std::time::Duration> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<super::deadline::TimedOut>() {
            return Some(t.0);
        }
        cur = e.source();
    }
    None
}

/// The classification itself, separate from [`Cluster`] so it can be unit-tested.
pub fn classify(err: kube::Error, op: &Op, server: &str) -> ClusterError {
    let status = match err {
        kube::Error::Api(status) => status,
        other => {
            if let Some(limit) = timed_out(&other) {
                return ClusterError::NoAnswer {
                    server: server.to_string(),
                    limit,
                };
            }
            return ClusterError::Unreachable {
                server: server.to_string(),
                cause: chain(&other),
            };
        }
    };
    let details_name = status
        .details
        .as_ref()
        .map(|d| d.name.as_str())
        .unwrap_or("");
    match status.code {
        401 => ClusterError::Unauthorized {
            server: server.to_string(),
        },
        // Creating in a namespace that does not exist.
        404 if status
            .details
            .as_ref()
            .is_some_and(|d| d.kind == "namespaces") =>
        {
            ClusterError::NamespaceMissing {
                namespace: op
                    .namespace
                    .clone()
                    .unwrap_or_else(|| details_name.to_string()),
                server: server.to_string(),
            }
        }
        403 => ClusterError::Forbidden {
            verb: op.verb.to_string(),
            resource: op.resource.to_string(),
            scope: scope_of(op),
            message: status.message.clone(),
        },
        // A named object that is missing comes back as a Status naming it; a missing resource
        // type is a bare 404 ("404 page not found") with no details.
        404 if op.resource.starts_with(PLURAL) => match (&op.session, &op.namespace) {
            (Some(session), Some(ns)) if !details_name.is_empty() => not_found(session, ns),
            _ => ClusterError::CrdMissing {
                server: server.to_string(),
            },
        },
        409 if status.reason == "AlreadyExists" => already_exists(
            op.session.as_deref().unwrap_or(details_name),
            details_name,
            op.namespace.as_deref().unwrap_or("default"),
        ),
        409 => ClusterError::Conflict {
            what: op.what(),
            message: status.message.clone(),
        },
        422 => invalid(&status, op),
        code => ClusterError::Api {
            code,
            reason: if status.reason.is_empty() {
                "error".to_string()
            } else {
                status.reason.clone()
            },
            verb: op.verb.to_string(),
            what: op.what(),
            message: status.message.clone(),
        },
    }
}

/// Where an operation was refused, as a Forbidden error names it.
fn scope_of(op: &Op) -> String {
    match &op.namespace {
        Some(ns) => format!("namespace \"{ns}\""),
        None if op.resource.starts_with(PLURAL) => "all namespaces".to_string(),
        None => "the cluster scope".to_string(),
    }
}

/// A 422: the object was refused with its causes, each once; or a guarded patch's failed
/// `test` of resourceVersion, which answers 422 too and is a conflict.
fn invalid(status: &kube::core::Status, op: &Op) -> ClusterError {
    let mut causes: Vec<String> = status
        .details
        .as_ref()
        .map(|d| {
            d.causes
                .iter()
                .map(|c| {
                    if c.field.is_empty() {
                        c.message.clone()
                    } else {
                        format!("{}: {}", c.field, c.message)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    // The apiserver repeats a cause once per place it checked it (labels: three).
    let mut seen = std::collections::HashSet::new();
    causes.retain(|c| seen.insert(c.clone()));
    if status.message.contains("testing value") || status.message.contains("test operation") {
        ClusterError::Conflict {
            what: op.what(),
            message: status.message.clone(),
        }
    } else {
        ClusterError::Invalid {
            what: op.what(),
            message: status.message.clone(),
            causes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_namespaces_are_named_then_how_many_more() {
        let names = |n: usize| (0..n).map(|i| format!("ns{i}")).collect::<Vec<_>>();
        assert_eq!(namespaces_text(&names(2)), "ns0, ns1");
        assert_eq!(namespaces_text(&names(5)), "ns0, ns1, ns2, ns3, ns4");
        assert_eq!(
            namespaces_text(&names(300)),
            "ns0, ns1, ns2, ns3, ns4 and 295 more"
        );
    }
}
