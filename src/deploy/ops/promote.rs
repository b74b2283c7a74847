//! Promote: after the failure-rate gate, send a skill's canary version to every remaining org
//! (pinned orgs stay where they are); the canary markers go once every org runs it. The gate
//! counts only the invocations that ran the artifact of their org (the canary's in the canary
//! orgs) and needs `deploy.canary_min_invocations` finished canary ones.

use std::sync::Arc;

use serde::Serialize;

use crate::deploy::error::DeployError;
use crate::deploy::gate::{self, Tally};
use crate::deploy::plan::{self, Finally, Plan};
use crate::deploy::rollout::Progress;
use crate::deploy::session::{ReleaseSession, plural};

/// What to promote.
#[derive(Debug, Clone)]
pub struct Options {
    pub skill: String,
    /// Skip the gate.
    pub force: bool,
    /// The gate's maximum failure rate (the config's `deploy.canary_max_failure_rate`).
    pub max_failure_rate: f64,
    /// The finished canary invocations the gate needs (`deploy.canary_min_invocations`).
    pub min_invocations: u64,
    pub concurrency: usize,
}

/// The promotion gate as reported: `{"skipped": true}` with `--force`, else its numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateReport {
    pub skipped: bool,
    #[serde(flatten)]
    pub checked: Option<GateCheck>,
}

/// The gate's numbers and verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateCheck {
    /// When the canary began: invocations since then count.
    pub since: jiff::Timestamp,
    /// The content hash of the canary artifact: only invocations that ran it count.
    pub canary_hash: String,
    pub canary: Group,
    pub baseline: Group,
    pub max_failure_rate: f64,
    /// The finished canary invocations the gate needs.
    pub min_invocations: u64,
    pub passed: bool,
    /// Too few finished canary invocations to decide: the promotion is refused.
    pub inconclusive: bool,
    /// Why it failed, or a caveat when it passed.
    pub reason: Option<String>,
}

/// The finished invocations of a group of orgs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub orgs: Vec<String>,
    pub completed: u64,
    pub failed: u64,
    pub failure_rate: Option<f64>,
}

impl Group {
    fn of(orgs: Vec<String>, t: Tally) -> Self {
        Self { orgs, completed: t.completed, failed: t.failed, failure_rate: t.rate() }
    }

    /// Returns the tally.
    pub fn tally(&self) -> Tally {
        Tally { completed: self.completed, failed: self.failed }
    }
}

/// A promotion the gate stopped (`--format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocked {
    pub skill: String,
    pub version: String,
    pub gate: GateReport,
    /// Always false.
    pub promoted: bool,
}

/// The outcome of planning a promotion.
#[derive(Debug, Clone)]
pub enum Promotion {
    /// The gate failed: nothing is planned.
    Blocked(Blocked),
    /// The plan to carry out, and the gate it passed (or skipped). `version` is the canary's.
    Ready { plan: Plan, gate: GateReport, version: semver::Version },
}

/// Checks the gate (unless forced), then plans moving every org to the newest canary version.
pub fn plan(session: &ReleaseSession, options: &Options, progress: &dyn Progress) -> Result<Promotion, DeployError> {
    let skill = options.skill.as_str();
    let name = session.name().to_owned();
    let canary = session.canary_orgs(skill);
    let Some((_, newest)) = canary.iter().max_by(|a, b| a.1.version.cmp(&b.1.version)) else {
        return Err(DeployError::NoCanary { skill: skill.to_owned(), instance: name });
    };
    let since = canary.iter().filter_map(|(_, d)| d.canary.as_ref().map(|c| c.started_at)).min().unwrap_or_default();
    let artifact = Arc::new(session.store.get(skill, &newest.version, &newest.content_hash)?.ok_or_else(|| {
        DeployError::MissingRelease { skill: skill.to_owned(), version: newest.version.clone(), hash: None }
    })?);
    let all = session.all_orgs()?;
    let canary_names: Vec<String> = canary.iter().map(|(o, _)| o.clone()).collect();
    let baseline_names: Vec<String> = all
        .iter()
        .filter(|o| !canary_names.contains(o) && session.state.deployment(&name, o, skill).is_some())
        .cloned()
        .collect();

    let gate = if options.force {
        GateReport { skipped: true, checked: None }
    } else {
        let erp = Arc::clone(&session.instance.erp);
        // Each org with the artifact it should have run: the canary's, or its own baseline's.
        let hash_of = |org: &String| session.state.deployment(&name, org, skill).map(|d| d.content_hash.clone());
        let canary_pairs: Vec<(String, String)> =
            canary_names.iter().map(|o| (o.clone(), newest.content_hash.clone())).collect();
        let baseline_pairs: Vec<(String, String)> =
            baseline_names.iter().filter_map(|o| Some((o.clone(), hash_of(o)?))).collect();
        let (c, b) = session.rt.block_on(async {
            let c = gate::tally(&erp, &canary_pairs, skill, since, options.concurrency).await?;
            let b = gate::tally(&erp, &baseline_pairs, skill, since, options.concurrency).await?;
            Ok::<_, crate::erp::ErpError>((c, b))
        })?;
        let verdict = gate::decide(c, b, options.max_failure_rate, options.min_invocations);
        let checked = GateCheck {
            since,
            canary_hash: newest.content_hash.clone(),
            canary: Group::of(canary_names.clone(), c),
            baseline: Group::of(baseline_names, b),
            max_failure_rate: options.max_failure_rate,
            min_invocations: options.min_invocations,
            passed: verdict.passed,
            inconclusive: verdict.inconclusive,
            reason: verdict.reason,
        };
        let gate = GateReport { skipped: false, checked: Some(checked) };
        if !verdict.passed {
            let version = newest.version.to_string();
            return Ok(Promotion::Blocked(Blocked { skill: skill.to_owned(), version, gate, promoted: false }));
        }
        gate
    };

    let (live, unreadable) = session.read_live(&all, false, options.concurrency, progress);
    let items = plan::promote(&session.state, &name, &all, &live, &artifact);
    let title = format!("promote `{skill}` {} on instance `{name}`, {}", artifact.version, plural(all.len(), "org"));
    let finally = Finally {
        items: plan::end_canary(&canary_names, &artifact),
        artifact: Arc::clone(&artifact),
        orgs: all.clone(),
    };
    let plan = Plan { title, items, unreadable, org_count: all.len(), finally: Some(finally), ..Plan::default() };
    Ok(Promotion::Ready { plan, gate, version: artifact.version.clone() })
}
