//! The promotion gate (SPEC §9): the failure rate of the canary orgs' invocations of a skill
//! since the canary began must not exceed `canary_max_failure_rate`, nor the baseline orgs'
//! rate by more than that margin. Only finished invocations (completed or failed) count.

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
    pub passed: bool,
    /// Why it failed, or a caveat when it passed.
    pub reason: Option<String>,
}

/// Decides the gate from the two tallies.
pub fn decide(canary: Tally, baseline: Tally, max_failure_rate: f64) -> Verdict {
    let verdict = |passed, reason: Option<String>| Verdict { canary, baseline, max_failure_rate, passed, reason };
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

/// Counts the finished invocations of `skill` in `orgs` that started at or after `since`.
pub async fn tally(
    erp: &Arc<dyn Erp>,
    orgs: &[String],
    skill: &str,
    since: jiff::Timestamp,
    concurrency: usize,
) -> Result<Tally, ErpError> {
    let per_org: Vec<Result<Vec<AgentInvocation>, ErpError>> = futures_util::stream::iter(orgs.iter().cloned())
        .map(|org| {
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
                Ok::<_, ErpError>(all)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut t = Tally::default();
    for invocations in per_org {
        for inv in invocations? {
            let at = inv.started_at.or(inv.created_at);
            if at.is_none_or(|at| at >= since) {
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
        assert!(decide(t(95, 5), t(100, 0), 0.05).passed, "5% is not above 5%");
        let v = decide(t(94, 6), t(100, 0), 0.05);
        assert!(!v.passed);
        assert_eq!(v.reason.unwrap(), "the canary failure rate 6.0% exceeds the maximum 5.0%");
        assert!(decide(t(0, 0), t(10, 10), 0.05).passed, "no data is not a failure");
        assert!(decide(t(10, 0), t(0, 0), 0.05).passed);
        // The baseline rule only bites with a margin larger than the rate itself.
        let v = decide(t(70, 30), t(100, 0), 0.5);
        assert!(v.passed, "{v:?}");
        let v = decide(t(60, 40), t(95, 5), 0.3);
        assert!(!v.passed);
        assert!(v.reason.unwrap().contains("exceeds the maximum"));
        assert_eq!(t(3, 1).rate(), Some(0.25));
    }
}
