//! Status: the matrix org × skill of what is deployed to an instance (version, pinned, canary);
//! with `refresh`, the live records are read and drift is reported.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::deploy::drift::{self, Drift};
use crate::deploy::error::DeployError;
use crate::deploy::plan::Unreadable;
use crate::deploy::rollout::Progress;
use crate::deploy::session::ReleaseSession;
use crate::deploy::state::Strategy;
use crate::skill::model::Status;

/// What to show.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Read the live records and report drift.
    pub refresh: bool,
    pub concurrency: usize,
}

/// The status of an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub instance: String,
    /// Org → skill → what is deployed.
    pub orgs: BTreeMap<String, BTreeMap<String, Cell>>,
    pub refreshed: bool,
    /// How many deployments drifted.
    pub drift: usize,
    pub unreadable: Vec<Unreadable>,
}

/// One skill deployed to one org.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub version: String,
    pub content_hash: String,
    pub pinned: bool,
    /// The canary percentage, while a canary runs.
    pub canary: Option<String>,
    pub drift: Option<Drift>,
}

/// Returns the status of the session's instance.
pub fn status(
    session: &ReleaseSession,
    options: Options,
    progress: &dyn Progress,
) -> Result<StatusReport, DeployError> {
    let name = session.name().to_owned();
    let empty = BTreeMap::new();
    let orgs = session.state.instances.get(&name).unwrap_or(&empty);
    let mut drifts: BTreeMap<String, BTreeMap<String, Drift>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    if options.refresh {
        let names: Vec<String> = orgs.keys().cloned().collect();
        let (live, failed) = session.read_live(&names, false, options.concurrency, progress);
        unreadable = failed;
        // Whether each deployed artifact is active, by content hash (read once per release).
        let mut active: HashMap<String, bool> = HashMap::new();
        for (org, deployments) in orgs {
            let Some(l) = live.get(org) else { continue };
            let found = drift::org(deployments, l, |skill, d| {
                *active.entry(d.content_hash.clone()).or_insert_with(|| {
                    let kept = session.store.get(skill, &d.version, &d.content_hash).ok().flatten();
                    kept.is_none_or(|a| a.status == Status::Active)
                })
            });
            if !found.is_empty() {
                drifts.insert(org.clone(), found);
            }
        }
    }
    let matrix = orgs
        .iter()
        .map(|(org, ds)| {
            let row = ds
                .iter()
                .map(|(skill, d)| {
                    let cell = Cell {
                        version: d.version.to_string(),
                        content_hash: d.content_hash.clone(),
                        pinned: d.strategy == Strategy::Pinned,
                        canary: d.canary.as_ref().map(|c| c.percent.clone()),
                        drift: drifts.get(org).and_then(|m| m.get(skill)).cloned(),
                    };
                    (skill.clone(), cell)
                })
                .collect();
            (org.clone(), row)
        })
        .collect();
    Ok(StatusReport {
        instance: name,
        orgs: matrix,
        refreshed: options.refresh,
        drift: drifts.values().map(BTreeMap::len).sum(),
        unreadable: Unreadable::list(&unreadable),
    })
}
