//! `rbac viewer|editor|operator`: the Role (or ClusterRole) each kind of user needs, and a
//! binding for the subjects named, as YAML for `kubectl apply -f -`. Exactly the verbs the tool
//! uses, so an admin grants least privilege without reading the code:
//!
//! - viewer: read contexts and their history segments, and the Events `get` shows;
//! - editor: a viewer who chats: create and patch contexts and their status, seal turns into
//!   segments (create, delete when merging them), record Events;
//! - operator: an editor who expires, summarizes and deletes, across namespaces (a ClusterRole
//!   bound cluster-wide).
//!
//! The global `--api-key-secret NAME` adds `get` on that one Secret, which is all `--api-key-secret` needs.

use std::io::Write;

use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use kube::api::ObjectMeta;

use crate::cli::{RbacArgs, RbacRole};
use crate::model::resource::GROUP;

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(groups.iter().map(|s| s.to_string()).collect()),
        resources: Some(resources.iter().map(|s| s.to_string()).collect()),
        verbs: verbs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// The rules of `role`.
pub fn rules(role: RbacRole, api_key_secret: Option<&str>) -> Vec<PolicyRule> {
    let read = ["get", "list", "watch"];
    let mut rules = vec![
        rule(
            &[GROUP],
            &["claudemodelcontexts", "claudemodelcontextsegments"],
            &read,
        ),
        rule(&[""], &["events"], &read),
    ];
    if role != RbacRole::Viewer {
        let mut context_verbs = vec!["create", "patch", "update"];
        if role == RbacRole::Operator {
            context_verbs.push("delete");
        }
        rules.push(rule(&[GROUP], &["claudemodelcontexts"], &context_verbs));
        rules.push(rule(
            &[GROUP],
            &["claudemodelcontexts/status"],
            &["get", "patch", "update"],
        ));
        rules.push(rule(
            &[GROUP],
            &["claudemodelcontextsegments"],
            &["create", "delete"],
        ));
        rules.push(rule(&["events.k8s.io"], &["events"], &["create", "patch"]));
    }
    if let Some(name) = api_key_secret {
        rules.push(PolicyRule {
            resource_names: Some(vec![name.to_string()]),
            ..rule(&[""], &["secrets"], &["get"])
        });
    }
    rules
}

fn subjects(args: &RbacArgs, namespace: &str) -> anyhow::Result<Vec<Subject>> {
    let mut out = Vec::new();
    for u in &args.users {
        out.push(Subject {
            kind: "User".into(),
            name: u.clone(),
            api_group: Some("rbac.authorization.k8s.io".into()),
            namespace: None,
        });
    }
    for g in &args.groups {
        out.push(Subject {
            kind: "Group".into(),
            name: g.clone(),
            api_group: Some("rbac.authorization.k8s.io".into()),
            namespace: None,
        });
    }
    for sa in &args.service_accounts {
        let (ns, name) = match sa.split_once(':') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() => (ns, name),
            None if !sa.is_empty() => (namespace, sa.as_str()),
            _ => {
                return Err(crate::error::UsageError(format!(
                    "--serviceaccount takes NAMESPACE:NAME (or NAME in -n's namespace), got {sa:?}"
                ))
                .into())
            }
        };
        out.push(Subject {
            kind: "ServiceAccount".into(),
            name: name.into(),
            namespace: Some(ns.into()),
            api_group: None,
        });
    }
    Ok(out)
}

/// `secret`: the global `--api-key-secret`, whose one Secret the role may read.
pub(super) fn run(
    namespace: &str,
    args: &RbacArgs,
    secret: Option<&crate::credentials::SecretRef>,
) -> anyhow::Result<()> {
    let cluster_wide = args.cluster || args.role == RbacRole::Operator;
    if let Some(s) = secret {
        if let Some(ns) = s
            .namespace
            .as_deref()
            .filter(|ns| *ns != namespace && !cluster_wide)
        {
            return Err(crate::error::UsageError(format!(
                "the Secret is in namespace {ns} and a Role grants only in {namespace}: pass -n {ns}, or --cluster"
            ))
            .into());
        }
    }
    let name = format!("kubectl-mcp-{}", args.role.as_str());
    let rules = rules(args.role, secret.map(|s| s.name.as_str()));
    let subjects = subjects(args, namespace)?;
    let mut docs: Vec<String> = Vec::new();
    let role_ref = |kind: &str| RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: kind.into(),
        name: name.clone(),
    };
    if cluster_wide {
        docs.push(serde_yaml::to_string(&ClusterRole {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                ..Default::default()
            },
            rules: Some(rules),
            ..Default::default()
        })?);
        if !subjects.is_empty() {
            docs.push(serde_yaml::to_string(&ClusterRoleBinding {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    ..Default::default()
                },
                role_ref: role_ref("ClusterRole"),
                subjects: Some(subjects),
            })?);
        }
    } else {
        docs.push(serde_yaml::to_string(&Role {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(namespace.into()),
                ..Default::default()
            },
            rules: Some(rules),
        })?);
        if !subjects.is_empty() {
            docs.push(serde_yaml::to_string(&RoleBinding {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    namespace: Some(namespace.into()),
                    ..Default::default()
                },
                role_ref: role_ref("Role"),
                subjects: Some(subjects),
            })?);
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(docs.join("---\n").as_bytes())?;
    Ok(())
}
