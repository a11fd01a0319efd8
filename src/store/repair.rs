//! `repair`: find listed segments that cannot be read, and mend each from what is left (an
//! unlisted segment with the same messages, this machine's cache, the live object) or quarantine
//! its reference, naming the turns lost.

use super::*;

/// What [`Session::repair`] found, and did when asked to.
#[derive(Debug)]
pub struct Repair {
    /// Segments listed in the context.
    pub checked: usize,
    /// The damaged ones, and what is (or would be) done about each.
    pub findings: Vec<Finding>,
    /// Segments labelled as this context's that its list does not name: leftovers of
    /// interrupted seals and merges, or damaged ones replaced by a repair; never read as
    /// history (`kubectl mcp delete` removes them with the context).
    pub unlisted: Vec<String>,
    /// The findings were carried out.
    pub applied: bool,
}

/// One damaged segment.
#[derive(Debug)]
pub struct Finding {
    /// Its reference, as listed.
    pub segment: crate::model::resource::SegmentRef,
    /// What is wrong.
    pub problem: segment::Damage,
    /// In words.
    pub detail: String,
    /// What repair does.
    pub action: Action,
}

/// What repair does about a damaged segment.
#[derive(Debug)]
pub enum Action {
    /// An unlisted segment of this context holds exactly its messages: list that one instead.
    Adopt(crate::model::resource::SegmentRef),
    /// A verified copy of its messages was found (where, what): seal them into a new segment
    /// that takes its place.
    Restore(&'static str, Vec<Message>),
    /// Nothing holds its messages any more: they are lost; its reference is kept, marked, so
    /// that later turns keep their numbers and nothing tries to read it again.
    Quarantine,
    /// An earlier repair quarantined it.
    AlreadyQuarantined,
}

impl Action {
    /// Whether carrying it out writes anything.
    fn writes(&self) -> bool {
        !matches!(self, Action::AlreadyQuarantined)
    }

    /// Whether its turns are lost.
    pub fn loses(&self) -> bool {
        matches!(self, Action::Quarantine | Action::AlreadyQuarantined)
    }

    /// In words, for the table.
    pub fn describe(&self) -> String {
        match self {
            Action::Adopt(r) => format!("re-adopt {} (same messages)", r.name),
            Action::Restore(from, _) => format!("restore from {from}"),
            Action::Quarantine => "quarantine (its turns are lost)".into(),
            Action::AlreadyQuarantined => "none (quarantined; its turns are lost)".into(),
        }
    }
}

impl Session {
    /// Check every listed segment against the cluster and, with `apply`, mend what is
    /// damaged: restored from a verified copy (this machine's segment cache, the live object
    /// when the seal had not finished trimming it, or an unlisted segment of this context with
    /// exactly those messages) into a new segment that takes its place in the list; else
    /// quarantined (its reference stays, so every later turn keeps its number, but it is never
    /// read again). Without `apply` nothing is written: what would be done is returned.
    pub async fn repair(&mut self, apply: bool) -> anyhow::Result<Repair> {
        self.reload().await?;
        let refs = self.obj.segments().to_vec();
        let uid = self.obj.metadata.uid.clone().unwrap_or_default();
        let listed: std::collections::HashSet<&str> =
            refs.iter().map(|r| r.name.as_str()).collect();
        let mut unlisted: Vec<String> = segment::list_for(&self.cluster, &self.namespace, &uid)
            .await?
            .into_iter()
            .filter(|n| !listed.contains(n.as_str()))
            .collect();
        unlisted.sort();
        let mut found = Vec::new();
        let last = refs.len().saturating_sub(1);
        for (i, r) in refs.iter().enumerate() {
            if let Some(kind) = segment::quarantined(r) {
                found.push(Finding {
                    segment: r.clone(),
                    problem: kind,
                    detail: "quarantined by an earlier repair".into(),
                    action: Action::AlreadyQuarantined,
                });
                continue;
            }
            let damaged = match segment::fetch(&self.cluster, &self.namespace, r).await {
                Ok(_) => continue,
                Err(e) => match segment::damage_of(&e) {
                    Some(d) => d.clone(),
                    None => return Err(e),
                },
            };
            let action = self.mend_from(&unlisted, &uid, r, i == last).await;
            found.push(Finding {
                segment: r.clone(),
                problem: damaged.kind,
                detail: damaged.detail,
                action,
            });
        }
        if apply && found.iter().any(|f| f.action.writes()) {
            self.mend(&mut found).await?;
        }
        Ok(Repair {
            checked: refs.len(),
            findings: found,
            unlisted,
            applied: apply,
        })
    }

    /// Where the messages a damaged reference `r` lists still are, best first: an unlisted
    /// segment with exactly them, this machine's segment cache, or (for the newest segment of
    /// a seal that had not trimmed yet) the live object; else it is quarantined.
    async fn mend_from(
        &self,
        unlisted: &[String],
        uid: &str,
        r: &crate::model::resource::SegmentRef,
        newest: bool,
    ) -> Action {
        if let Some(adopt) = self.unlisted_holding(unlisted, uid, r).await {
            return Action::Adopt(adopt);
        }
        if let Some(m) = self
            .segments
            .disk_copy(self.cluster.server(), &self.namespace, r)
        {
            return Action::Restore("this machine's segment cache", m);
        }
        if newest && self.obj.pending_trim() == r.messages as usize {
            let m = self.obj.spec.context_history[..r.messages as usize].to_vec();
            return Action::Restore("the live object (the seal had not trimmed it)", m);
        }
        Action::Quarantine
    }

    /// An unlisted segment of this context (`uid`) that holds exactly what `r` lists.
    pub(super) async fn unlisted_holding(
        &self,
        unlisted: &[String],
        uid: &str,
        r: &crate::model::resource::SegmentRef,
    ) -> Option<crate::model::resource::SegmentRef> {
        let api: Api<segment::ClaudeModelContextSegment> =
            Api::namespaced(self.cluster.client().clone(), &self.namespace);
        for name in unlisted {
            let Ok(seg) = api.get(name).await else {
                continue;
            };
            if segment::adoptable(&seg, uid, &r.digest, r.messages as usize) {
                let mut adopted = r.clone();
                adopted.name = name.clone();
                return Some(adopted);
            }
        }
        None
    }

    /// Carry out the findings of [`Session::repair`] that write: restored copies become new
    /// segments, then one guarded status write puts every replacement (or quarantine) in its
    /// damaged reference's place.
    pub(super) async fn mend(&mut self, found: &mut [Finding]) -> anyhow::Result<()> {
        let owner = self
            .obj
            .controller_owner_ref(&())
            .context("the context has no uid")?;
        let mut sequence = self.obj.next_sequence();
        let mut replace: Vec<(
            crate::model::resource::SegmentRef,
            crate::model::resource::SegmentRef,
        )> = Vec::new();
        for f in found.iter_mut() {
            let new = match &f.action {
                Action::Adopt(r) => r.clone(),
                Action::Restore(_, messages) => {
                    let turns_before = f.segment.first_turn.saturating_sub(1);
                    let r = self
                        .create_segment_from(&owner, sequence, turns_before, messages)
                        .await?;
                    sequence = r
                        .sequence
                        .checked_add(1)
                        .context("segment numbers ran out")?;
                    r
                }
                Action::Quarantine => {
                    let mut q = f.segment.clone();
                    q.digest = segment::quarantined_digest(f.problem, &f.segment.digest);
                    q
                }
                Action::AlreadyQuarantined => continue,
            };
            replace.push((f.segment.clone(), new));
        }
        let outcome = self
            .update_status("repairing history segments", |_, st| {
                for (old, new) in &replace {
                    let Some(slot) = st.segments.iter_mut().find(|r| *r == old) else {
                        return Err(format!(
                            "segment {} changed meanwhile; run `kubectl mcp repair` again",
                            old.name
                        ));
                    };
                    *slot = new.clone();
                }
                Ok(())
            })
            .await?;
        if let Written::Stale(why) = outcome {
            anyhow::bail!("nothing was repaired: {why}");
        }
        Ok(())
    }
}
