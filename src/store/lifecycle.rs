//! The end of a context's life: deleting it and the history segments it owns. (Expiry, which
//! decides on the object it writes, is `Session::mark_expired` and `store::expire`.)

use kube::api::DeleteParams;

use super::*;

use crate::cluster::{Cluster, ClusterError, Op};

/// Delete the context object `name` (session `session`) in `namespace`.
pub async fn delete_context(
    cluster: &Cluster,
    namespace: &str,
    session: &str,
    name: &str,
) -> Result<(), ClusterError> {
    let op = Op::contexts("delete", Some(namespace), Some(session));
    match cluster
        .contexts(Some(namespace))
        .delete(name, &DeleteParams::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => Err(cluster.error(e, &op)),
    }
}

/// Delete the history segments of the deleted context with `uid`. Their owner references let a
/// cluster's garbage collector do it too; doing it here covers clusters without one.
pub async fn delete_segments(
    cluster: &Cluster,
    namespace: &str,
    uid: &str,
) -> Result<(), ClusterError> {
    let names = crate::store::segments::list_for(cluster, namespace, uid).await?;
    crate::store::segments::delete(cluster, namespace, &names).await
}

impl Session {
    /// Mark the context `Expired` for `reason`, provided `still_due` holds for the object the
    /// write applies to: a context that had a turn since `expire` scanned it is left alone.
    pub async fn mark_expired(
        &mut self,
        reason: &str,
        still_due: impl Fn(&ClaudeModelContext) -> bool,
    ) -> Result<Written, ClusterError> {
        let written = self
            .update_status("marking the context Expired", |obj, st| {
                if !still_due(obj) {
                    return Err("it was active after the scan".into());
                }
                st.current_state = Some(ContextState::Expired);
                st.message = Some(reason.to_string());
                Ok(())
            })
            .await?;
        if written == Written::Applied {
            self.events
                .emit(&self.obj, Lifecycle::Expired, reason.to_string())
                .await;
        }
        Ok(written)
    }

    /// Delete the context, provided it is still the object this process read (a
    /// resourceVersion precondition): one that took a turn since is left alone.
    pub async fn delete_if_unchanged(&mut self) -> Result<Written, ClusterError> {
        let params = kube::api::DeleteParams {
            preconditions: Some(kube::api::Preconditions {
                resource_version: self.obj.metadata.resource_version.clone(),
                uid: self.obj.metadata.uid.clone(),
            }),
            ..Default::default()
        };
        match self.api.delete(&self.name, &params).await {
            Ok(_) => {
                // Their owner reference lets a garbage collector delete the segments too; doing
                // it here covers clusters without one.
                if let Some(uid) = self.obj.metadata.uid.as_deref() {
                    let gone = async {
                        let names = segment::list_for(&self.cluster, &self.namespace, uid).await?;
                        segment::delete(&self.cluster, &self.namespace, &names).await
                    };
                    if let Err(e) = gone.await {
                        tracing::warn!(
                            "the history segments of {} were not deleted: {e}",
                            self.name
                        );
                    }
                }
                Ok(Written::Applied)
            }
            Err(e) => match self.cluster.error(e, &self.op("delete")) {
                ClusterError::Conflict { .. } => {
                    Ok(Written::Stale("it changed after the scan".into()))
                }
                other => Err(other),
            },
        }
    }

    /// Make an expired context usable again: clear `spec.expirationTime` and set `Active`.
    pub async fn revive(&mut self) -> Result<(), ClusterError> {
        self.patch_guarded("clearing the expiration time", Target::Spec, |obj| {
            if obj.spec.expiration_time.is_none() {
                Build::Done
            } else {
                Build::Apply(vec![
                    json!({"op": "remove", "path": "/spec/expirationTime"}),
                ])
            }
        })
        .await?;
        self.update_status("reviving the context", |_, st| {
            st.current_state = Some(ContextState::Active);
            st.message = Some("revived".into());
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// Record what an import brought besides the live history: the summary and how far it
    /// reaches, and the segments holding the older turns.
    pub async fn record_import(
        &mut self,
        summary: Option<String>,
        summary_covers: Option<u64>,
        segments: Vec<crate::model::resource::SegmentRef>,
    ) -> Result<(), ClusterError> {
        self.update_status(
            "recording the imported summary and sealed turns",
            |obj, st| {
                if let Some(s) = &summary {
                    st.summary = Some(s.clone());
                    // Exports of older versions left the summarized turns out: it covers
                    // none of those that came with it.
                    st.summary_covers = Some(summary_covers.unwrap_or(0));
                }
                st.segments = segments.clone();
                let sealed: u64 = segments.iter().map(|s| s.turns).sum();
                st.turn_count =
                    Some((count_turns(&obj.spec.context_history) as u64 + sealed) as u32);
                Ok(())
            },
        )
        .await?;
        Ok(())
    }
}
