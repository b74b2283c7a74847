//! Abort: return a skill's canary orgs to the version they ran before the canary (removing the
//! skill where the canary created it).

use std::sync::Arc;

use crate::deploy::error::DeployError;
use crate::deploy::plan::{self, AbortTo, Plan};
use crate::deploy::rollout::Progress;
use crate::deploy::session::{ReleaseSession, plural};

/// What to abort.
#[derive(Debug, Clone)]
pub struct Options {
    pub skill: String,
    pub concurrency: usize,
}

/// Plans the abort of the canary of a skill.
pub fn plan(session: &ReleaseSession, options: &Options, progress: &dyn Progress) -> Result<Plan, DeployError> {
    let skill = options.skill.as_str();
    let name = session.name().to_owned();
    let canary = session.canary_orgs(skill);
    if canary.is_empty() {
        return Err(DeployError::NoCanary { skill: skill.to_owned(), instance: name });
    }
    let orgs: Vec<String> = canary.iter().map(|(o, _)| o.clone()).collect();
    let (live, unreadable) = session.read_live(&orgs, false, options.concurrency, progress);
    let mut targets = Vec::new();
    // Only the releases of readable orgs are needed.
    for (org, d) in canary.iter().filter(|(org, _)| live.contains_key(org)) {
        let Some(c) = &d.canary else { continue };
        let to = if let (Some(version), Some(hash)) = (&c.baseline_version, &c.baseline_hash) {
            AbortTo::Baseline(Arc::new(session.store.require(skill, version, hash)?))
        } else {
            AbortTo::Remove(Arc::new(session.store.require(skill, &d.version, &d.content_hash)?))
        };
        targets.push((org.clone(), to));
    }
    let items = plan::abort(&session.state, &name, &targets, &live);
    let title = format!("abort the canary of `{skill}` on instance `{name}`, {}", plural(orgs.len(), "org"));
    Ok(Plan { title, items, unreadable, org_count: orgs.len(), ..Plan::default() })
}
