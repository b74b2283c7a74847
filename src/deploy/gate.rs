//! The promotion gate (SPEC §9): the failure rate of the canary orgs' invocations of a skill
//! since the canary began must not exceed `canary_max_failure_rate`, nor the baseline orgs'
//! rate by more than that margin. Only finished invocations (completed or failed) of the artifact
//! each org was given count (its `contentHash`), and the canary needs
//! `deploy.canary_min_invocations` of them: with fewer, the gate is inconclusive.

use std::sync::Arc;

use futures_util::StreamExt as _;
use serde::Serialize;

use crate::erp::{AgentInvocation, Erp, ErpError, ErpExt as _, InvocationStatus, ListQuery};

/// Finished invocations of one group of orgs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub completed: u64,
    pub failed: u64,
}

impl Tally {
    /// Returns the number of finished invocations.
    pub fn total(self) -> u64 {
        self.completed + self.failed
    }

    /// Returns the failure rate, or `None` without finished invocations.
    pub fn rate(self) -> Option<f64> {
        (self.total() > 0).then(|| self.failed as f64 / self.total() as f64)
    }

    fn add(&mut self, status: InvocationStatus) {
        match status {
            InvocationStatus::Completed => self.completed += 1,
            InvocationStatus::Failed => self.failed += 1,
            InvocationStatus::Pending | InvocationStatus::Running => {}
        }
    }
}

/// The gate's verdict, with its numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub canary: Tally,
    pub baseline: Tally,
    pub max_failure_rate: f64,
    /// The finished canary invocations the gate needs.
    pub min_invocations: u64,
    pub passed: bool,
    /// Too few finished canary invocations to decide (then `passed` is false).
    pub inconclusive: bool,
    /// Why it failed, or a caveat when it passed.
    pub reason: Option<String>,
}

/// Decides the gate from the two tallies: inconclusive with fewer than `min_invocations`
/// finished canary invocations, else the failure-rate rules.
pub fn decide(canary: Tally, baseline: Tally, max_failure_rate: f64, min_invocations: u64) -> Verdict {
    let verdict = |passed, reason: Option<String>| Verdict {
        canary,
        baseline,
        max_failure_rate,
        min_invocations,
        passed,
        inconclusive: false,
        reason,
    };
    if canary.total() < min_invocations {
        let (have, more) = (canary.total(), min_invocations - canary.total());
        let reason = format!(
            "the gate is inconclusive: {have} of the {min_invocations} finished invocations of the canary version it needs \
             ({more} more {})",
            if more == 1 { "run" } else { "runs" }
        );
        return Verdict { inconclusive: true, ..verdict(false, Some(reason)) };
    }
    let Some(rate) = canary.rate() else {
        return verdict(true, Some("the canary orgs have no finished invocations yet".to_owned()));
    };
    if rate > max_failure_rate {
        return verdict(
            false,
            Some(format!(
                "the canary failure rate {} exceeds the maximum {}",
                percent(rate),
                percent(max_failure_rate)
            )),
        );
    }
    if let Some(base) = baseline.rate()
        && rate > base + max_failure_rate
    {
        return verdict(
            false,
            Some(format!(
                "the canary failure rate {} exceeds the baseline's {} by more than {}",
                percent(rate),
                percent(base),
                percent(max_failure_rate)
            )),
        );
    }
    verdict(true, None)
}

/// Formats a rate as a percentage with one decimal.
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// Counts the finished invocations of `skill` in `orgs` that started at or after `since` and
/// ran the artifact given with each org (`contentHash`; an invocation without one counts for
/// nothing: what it ran is unknown).
pub async fn tally(
    erp: &Arc<dyn Erp>,
    orgs: &[(String, String)],
    skill: &str,
    since: jiff::Timestamp,
    concurrency: usize,
) -> Result<Tally, ErpError> {
    let per_org: Vec<Result<(String, Vec<AgentInvocation>), ErpError>> =
        futures_util::stream::iter(orgs.iter().cloned())
            .map(|(org, hash)| {
                let erp = Arc::clone(erp);
                let skill = skill.to_owned();
                async move {
                    // The runtime may name the skill by its slug or by the org's record id: count both.
                    let mut ids = vec![skill.clone()];
                    if let Some(record) = erp.skill(&org, &skill).await?
                        && !record.id.is_empty()
                    {
                        ids.push(record.id);
                    }
                    let mut all = Vec::new();
                    for id in ids {
                        all.extend(erp.invocations(&org, ListQuery::new().filter("skillId", id.clone())).await?);
                    }
                    Ok::<_, ErpError>((hash, all))
                }
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
    let mut t = Tally::default();
    for result in per_org {
        let (hash, invocations) = result?;
        for inv in invocations {
            let at = inv.started_at.or(inv.created_at);
            if at.is_none_or(|at| at >= since) && inv.content_hash.as_deref() == Some(hash.as_str()) {
                t.add(inv.status);
            }
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn t(completed: u64, failed: u64) -> Tally {
        Tally { completed, failed }
    }

    #[test]
    fn the_gate_compares_with_the_maximum_and_the_baseline() {
        assert!(decide(t(95, 5), t(100, 0), 0.05, 20).passed, "5% is not above 5%");
        let v = decide(t(94, 6), t(100, 0), 0.05, 20);
        assert!(!v.passed && !v.inconclusive);
        assert_eq!(v.reason.unwrap(), "the canary failure rate 6.0% exceeds the maximum 5.0%");
        assert!(decide(t(0, 0), t(10, 10), 0.05, 0).passed, "no data is not a failure when no evidence is asked");
        assert!(decide(t(10, 0), t(0, 0), 0.05, 10).passed);
        // The baseline rule only bites with a margin larger than the rate itself.
        let v = decide(t(70, 30), t(100, 0), 0.5, 20);
        assert!(v.passed, "{v:?}");
        let v = decide(t(60, 40), t(95, 5), 0.3, 20);
        assert!(!v.passed);
        assert!(v.reason.unwrap().contains("exceeds the maximum"));
        assert_eq!(t(3, 1).rate(), Some(0.25));
    }

    #[test]
    fn too_little_evidence_is_inconclusive_whatever_the_rate() {
        for (canary, more) in [(t(0, 0), "20 more runs"), (t(19, 0), "1 more run"), (t(10, 9), "1 more run")] {
            let v = decide(canary, t(100, 0), 0.05, 20);
            assert!(!v.passed && v.inconclusive, "{v:?}");
            let reason = v.reason.unwrap();
            assert!(
                reason.starts_with("the gate is inconclusive: ") && reason.ends_with(&format!("({more})")),
                "{reason}"
            );
        }
        let v = decide(t(20, 0), t(0, 0), 0.05, 20);
        assert!(v.passed && !v.inconclusive && v.reason.is_none(), "{v:?}");
        assert_eq!(
            decide(t(0, 0), t(0, 0), 0.05, 20).reason.unwrap(),
            "the gate is inconclusive: 0 of the 20 finished invocations of the canary version it needs (20 more runs)"
        );
    }
}
