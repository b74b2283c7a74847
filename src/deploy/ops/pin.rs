//! Pin (deploy a kept version to orgs and keep them there) and unpin (let them follow new
//! versions again).

use std::sync::Arc;

use serde::Serialize;

use crate::deploy::error::DeployError;
use crate::deploy::plan::{self, Plan};
use crate::deploy::rollout::Progress;
use crate::deploy::session::{ReleaseSession, plural};
use crate::deploy::state::Strategy;

/// What to pin, and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub skill: String,
    pub version: semver::Version,
    /// The orgs (checked against the instance); empty: all of them.
    pub orgs: Vec<String>,
    pub concurrency: usize,
}

/// Plans pinning a kept version of a skill in orgs.
pub fn plan(session: &ReleaseSession, options: &Options, progress: &dyn Progress) -> Result<Plan, DeployError> {
    let (skill, version) = (options.skill.as_str(), &options.version);
    let name = session.name().to_owned();
    let orgs = session.named_orgs(&options.orgs)?;
    let prefer = session.state.latest_hash(skill, version);
    let artifact = Arc::new(session.store.find_version(skill, version, prefer)?);
    let (live, unreadable) = session.read_live(&orgs, false, options.concurrency, progress);
    let items = plan::pin(&session.state, &name, &orgs, &live, &artifact);
    let title = format!("pin `{skill}` at {version} on instance `{name}`, {}", plural(orgs.len(), "org"));
    Ok(Plan { title, items, unreadable, org_count: orgs.len(), ..Plan::default() })
}

/// What to unpin, and where.
#[derive(Debug, Clone)]
pub struct UnpinOptions {
    pub skill: String,
    /// The orgs (checked against the instance); empty: all of them.
    pub orgs: Vec<String>,
}

/// What unpin did, by org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpinReport {
    pub skill: String,
    pub instance: String,
    pub unpinned: Vec<String>,
    pub not_pinned: Vec<String>,
    pub not_deployed: Vec<String>,
}

/// Lets the orgs follow new versions again (only the state changes, saved when it does).
pub fn unpin(session: &mut ReleaseSession, options: &UnpinOptions) -> Result<UnpinReport, DeployError> {
    let name = session.name().to_owned();
    let orgs = session.named_orgs(&options.orgs)?;
    let mut report = UnpinReport {
        skill: options.skill.clone(),
        instance: name.clone(),
        unpinned: Vec::new(),
        not_pinned: Vec::new(),
        not_deployed: Vec::new(),
    };
    for org in orgs {
        match session.state.deployment_mut(&name, &org, &options.skill) {
            Some(d) if d.strategy == Strategy::Pinned => {
                d.strategy = Strategy::Latest;
                report.unpinned.push(org);
            }
            Some(_) => report.not_pinned.push(org),
            None => report.not_deployed.push(org),
        }
    }
    if !report.unpinned.is_empty() {
        session.state.save(&session.state_path)?;
    }
    Ok(report)
}
