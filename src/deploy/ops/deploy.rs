//! Deploy: plan rolling compiled skills (and personas) out to the orgs of an instance, as a
//! full deploy or a canary.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::compile::Artifact;
use crate::deploy::bucket::{self, Percent};
use crate::deploy::error::DeployError;
use crate::deploy::plan::{self, DeployOptions, Note, Plan};
use crate::deploy::rollout::Progress;
use crate::deploy::session::{ReleaseSession, plural};
use crate::erp::AgentPersona;

/// What to deploy, and where.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub artifacts: Vec<Arc<Artifact>>,
    pub personas: Vec<AgentPersona>,
    /// The orgs (checked against the instance); empty: all of them.
    pub orgs: Vec<String>,
    /// A canary of this percentage of the orgs, per skill; `None`: every org.
    pub canary: Option<Percent>,
    /// Only a plan is wanted: the canary salt of a new skill is not kept (noted in the plan).
    pub plan_only: bool,
    pub concurrency: usize,
}

/// Plans a deploy. The canary salt of a skill deployed for the first time is chosen in the
/// session's state (kept when the plan is applied).
pub fn plan(session: &mut ReleaseSession, options: &Options, progress: &dyn Progress) -> Result<Plan, DeployError> {
    let orgs = session.named_orgs(&options.orgs)?;
    let (live, unreadable) = session.read_live(&orgs, !options.personas.is_empty(), options.concurrency, progress);
    let mut canary_orgs = BTreeMap::new();
    let mut notes = Vec::new();
    for a in &options.artifacts {
        if options.canary.is_some() && options.plan_only && !session.state.skills.contains_key(&a.id) {
            notes.push(Note::SaltNotKept { skill: a.id.clone() });
        }
        let salt = session.state.salt(&a.id);
        if let Some(pct) = options.canary {
            let selected = bucket::canary_orgs(&a.id, &salt, &orgs, pct).into_iter().map(str::to_owned).collect();
            canary_orgs.insert(a.id.clone(), selected);
        }
    }
    let deploy = DeployOptions {
        canary: options.canary.map(|p| (p.to_string(), canary_orgs.clone())),
        now: jiff::Timestamp::now(),
    };
    let name = session.name().to_owned();
    let items = plan::deploy(&session.state, &name, &orgs, &live, &options.artifacts, &options.personas, &deploy);
    let title = match options.canary {
        Some(pct) => format!("deploy (canary {pct}) to instance `{name}`, {}", plural(orgs.len(), "org")),
        None => format!("deploy to instance `{name}`, {}", plural(orgs.len(), "org")),
    };
    Ok(Plan { title, items, unreadable, canary: canary_orgs, org_count: orgs.len(), notes, finally: None })
}
