//! Rollback: redeploy each org's previous version of a skill (or a named kept one) from the
//! release store, as a new history entry — it works after the source changed or was deleted.

use std::sync::Arc;

use crate::deploy::error::DeployError;
use crate::deploy::plan::{self, Note, Plan};
use crate::deploy::rollout::Progress;
use crate::deploy::session::{ReleaseSession, plural};

/// What to roll back, and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub skill: String,
    /// A kept version to go to; `None`: each org's previous one.
    pub to: Option<semver::Version>,
    /// The orgs (checked against the instance); empty: every org the skill is deployed to.
    pub orgs: Vec<String>,
    pub concurrency: usize,
}

/// Plans a rollback. Fails when no org has anything to roll back to; the error then carries
/// the plan's notes.
pub fn plan(session: &ReleaseSession, options: &Options, progress: &dyn Progress) -> Result<Plan, DeployError> {
    let skill = options.skill.as_str();
    let name = session.name().to_owned();
    let orgs: Vec<String> = if options.orgs.is_empty() {
        let deployed = session.state.instances.get(&name).into_iter().flatten();
        deployed.filter(|(_, skills)| skills.contains_key(skill)).map(|(org, _)| org.clone()).collect()
    } else {
        session.named_orgs(&options.orgs)?
    };
    if orgs.is_empty() {
        return Err(DeployError::NotDeployed { skill: skill.to_owned(), instance: name });
    }
    let to = match &options.to {
        Some(v) => Some(Arc::new(session.store.find_version(skill, v, session.state.latest_hash(skill, v))?)),
        None => None,
    };
    let (live, unreadable) = session.read_live(&orgs, false, options.concurrency, progress);
    let mut targets = Vec::new();
    let mut notes = Vec::new();
    let mut nothing = Vec::new();
    for org in orgs.iter().filter(|org| live.contains_key(*org)) {
        let Some(d) = session.state.deployment(&name, org, skill) else {
            notes.push(Note::NotDeployed { skill: skill.to_owned(), org: org.clone() });
            continue;
        };
        let target = match (&to, plan::previous(d)) {
            (Some(to), _) => Arc::clone(to),
            (None, Some((version, hash))) => Arc::new(session.store.require(skill, version, hash)?),
            (None, None) => {
                nothing.push(org.clone());
                continue;
            }
        };
        targets.push((org.clone(), target));
    }
    if !nothing.is_empty() {
        notes.push(Note::NothingToRollBack { orgs: nothing });
    }
    let items = plan::rollback(&session.state, &name, &targets, &live);
    if items.is_empty() && unreadable.is_empty() {
        return Err(DeployError::NothingToRollBack { skill: skill.to_owned(), notes });
    }
    let title = format!("roll back `{skill}` on instance `{name}`, {}", plural(orgs.len(), "org"));
    Ok(Plan { title, items, unreadable, org_count: orgs.len(), notes, ..Plan::default() })
}
