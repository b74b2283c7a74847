//! `agentb version`: the project's skills, their working tree versions, and where which version
//! is deployed on an instance.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::deploy::error::DeployError;
use crate::deploy::state::{State, Strategy};
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// The skills of a project (and the ones only deployed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListReport {
    pub instance: String,
    pub skills: Vec<SkillVersions>,
}

/// One skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillVersions {
    pub skill: String,
    /// The working tree's version; `None` when the file is gone or has lint errors.
    pub version: Option<String>,
    pub lint_errors: bool,
    /// `1.0.0`, `1.0.0 pinned`, `1.1.0 canary` → the orgs running it.
    pub deployed: BTreeMap<String, Vec<String>>,
}

/// Lists the skills of the working tree and of the state of `instance` (`None`: the default).
pub fn list(project: &Project, ws: &Workspace, instance: Option<&str>) -> Result<ListReport, DeployError> {
    let (instance, _) = crate::erp::instance_config(project, instance)?;
    let state = State::load(&project.state_dir().join("state.toml"))?;
    let orgs = state.instances.get(instance);
    let mut ids: Vec<String> = ws.summaries.iter().map(|s| s.id.clone()).collect();
    for skills in orgs.into_iter().flat_map(BTreeMap::values) {
        ids.extend(skills.keys().cloned());
    }
    ids.sort();
    ids.dedup();
    let mut skills = Vec::new();
    for id in ids {
        // A file with lint errors may not hold a version at all (its summary then says 0.0.0).
        let summary = ws.summary(&id);
        let lint_errors = summary.is_some_and(|s| ws.file_has_errors(&s.path));
        let version = summary.filter(|_| !lint_errors).map(|s| s.version.to_string());
        let mut deployed: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (org, skills) in orgs.into_iter().flatten() {
            if let Some(d) = skills.get(&id) {
                let mut key = d.version.to_string();
                if d.strategy == Strategy::Pinned {
                    key.push_str(" pinned");
                }
                if d.canary.is_some() {
                    key.push_str(" canary");
                }
                deployed.entry(key).or_default().push(org.clone());
            }
        }
        skills.push(SkillVersions { skill: id, version, lint_errors, deployed });
    }
    Ok(ListReport { instance: instance.to_owned(), skills })
}
