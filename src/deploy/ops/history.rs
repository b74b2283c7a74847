//! History: every release of a skill on an instance (deploy, promote, abort, pin, rollback),
//! oldest first. It reads only the state: the ERP is not opened.

use serde::Serialize;

use crate::deploy::error::DeployError;
use crate::deploy::state::{Action, State};
use crate::workspace::Project;

/// Whose history.
#[derive(Debug, Clone)]
pub struct Options {
    /// The instance (`None`: the default).
    pub instance: Option<String>,
    pub skill: String,
    /// Only this org.
    pub org: Option<String>,
}

/// The releases of a skill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryReport {
    pub skill: String,
    pub instance: String,
    pub history: Vec<Entry>,
}

/// One release in one org.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub org: String,
    pub version: String,
    pub hash: String,
    pub time: String,
    pub action: Action,
    #[serde(skip)]
    pub at: jiff::Timestamp,
}

/// Returns the history of a skill; a skill never deployed (to the org) is an error.
pub fn history(project: &Project, options: &Options) -> Result<HistoryReport, DeployError> {
    let (name, _) = crate::erp::instance_config(project, options.instance.as_deref())?;
    let state = State::load(&project.state_dir().join("state.toml"))?;
    let mut entries: Vec<Entry> = state
        .instances
        .get(name)
        .into_iter()
        .flatten()
        .filter(|(org, _)| options.org.as_ref().is_none_or(|o| o == *org))
        .filter_map(|(org, skills)| Some((org, skills.get(&options.skill)?)))
        .flat_map(|(org, d)| {
            d.history.iter().map(move |r| Entry {
                org: org.clone(),
                version: r.version.to_string(),
                hash: r.hash.clone(),
                time: r.time.to_string(),
                action: r.action,
                at: r.time,
            })
        })
        .collect();
    entries.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.org.cmp(&b.org)));
    if entries.is_empty() {
        return Err(DeployError::NoHistory {
            skill: options.skill.clone(),
            org: options.org.clone(),
            instance: name.to_owned(),
        });
    }
    Ok(HistoryReport { skill: options.skill.clone(), instance: name.to_owned(), history: entries })
}
