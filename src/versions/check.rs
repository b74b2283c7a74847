//! `agentb version check` (CI): is every changed skill's version bump big enough for its
//! interface changes?

use serde::Serialize;

use crate::compile::diff::{self as classify, Change, Class};
use crate::deploy::error::{DeployError, unknown_skill};
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The skills; empty: all of them.
    pub skills: Vec<String>,
    /// `deployed`, a kept version, or a git revision.
    pub against: String,
    pub instance: Option<String>,
}

/// The verdict for every skill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Whether no skill's version is insufficient.
    pub ok: bool,
    pub skills: Vec<SkillCheck>,
}

impl CheckReport {
    /// Returns how many skills' versions are insufficient.
    pub fn failed(&self) -> usize {
        self.skills.iter().filter(|s| matches!(s, SkillCheck::Compared { status: Status::Insufficient, .. })).count()
    }
}

/// The verdict for one skill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SkillCheck {
    /// New (nothing to compare with) or unchanged.
    Plain { skill: String, version: String, status: Status },
    /// Changed: the version move is ok or insufficient.
    Compared {
        skill: String,
        from: String,
        against: String,
        version: String,
        required: Option<Class>,
        changes: Vec<Change>,
        status: Status,
        problem: Option<String>,
    },
}

/// How a skill's version fares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Unchanged,
    Ok,
    Insufficient,
}

/// Checks the skills against the baseline.
pub fn check(project: &Project, ws: &Workspace, options: &Options) -> Result<CheckReport, DeployError> {
    let ids: Vec<String> = if options.skills.is_empty() {
        ws.summaries.iter().map(|s| s.id.clone()).collect()
    } else {
        if let Some(id) = options.skills.iter().find(|id| ws.summary(id).is_none()) {
            return Err(unknown_skill(id, ws));
        }
        options.skills.clone()
    };
    super::verify_against(project, &options.against)?;
    let mut skills = Vec::new();
    for id in &ids {
        let Some(new) = super::current(project, ws, id)? else { continue };
        let old = match super::baseline(project, ws, id, &options.against, None, options.instance.as_deref()) {
            Ok(old) => old,
            // A skill that is new at a git revision has nothing to be checked against.
            Err(_) if options.against != "deployed" => None,
            Err(e) => return Err(e),
        };
        let version = new.version.to_string();
        let Some((old, label)) = old else {
            skills.push(SkillCheck::Plain { skill: id.clone(), version, status: Status::New });
            continue;
        };
        if old.content_hash == new.content_hash {
            skills.push(SkillCheck::Plain { skill: id.clone(), version, status: Status::Unchanged });
            continue;
        }
        let changes = classify::diff(&old, Some(&new));
        let verdict = super::verdict(&old, &new, &changes);
        skills.push(SkillCheck::Compared {
            skill: id.clone(),
            from: old.version.to_string(),
            against: label,
            version,
            required: classify::required_class(&changes),
            changes,
            status: if verdict.is_ok() { Status::Ok } else { Status::Insufficient },
            problem: verdict.err(),
        });
    }
    let mut report = CheckReport { ok: true, skills };
    report.ok = report.failed() == 0;
    Ok(report)
}
