//! Diff: the interface changes of a skill with their class, and a unified diff of its prompt,
//! against a baseline (see [`super::baseline`]).

use serde::Serialize;

use crate::compile::Artifact;
use crate::compile::diff::{self as classify, Change, Class};
use crate::deploy::error::{DeployError, unknown_skill};
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// What to compare.
#[derive(Debug, Clone)]
pub struct Options {
    pub skill: String,
    /// `deployed`, a kept version, or a git revision.
    pub against: String,
    /// With `deployed`: the version deployed to this org.
    pub org: Option<String>,
    pub instance: Option<String>,
}

/// The comparison of a skill with its baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub skill: String,
    pub from: Side,
    /// `None` when the skill is gone from the working tree.
    pub to: Option<Side>,
    pub changes: Vec<Change>,
    pub required: Option<Class>,
    /// Whether the version move covers the changes (`None` without a working tree version).
    pub version_ok: Option<bool>,
    /// What bump the changes need, when the version does not cover them.
    pub problem: Option<String>,
    /// The unified diff of the prompts, empty when they are equal.
    pub prompt_diff: String,
    /// Whether the content differs.
    pub differs: bool,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    pub version: String,
    pub content_hash: String,
    /// Where it comes from: `deployed to acme of `local``, `release store`, `git HEAD`,
    /// `working tree`.
    pub source: String,
}

/// Compares the working tree's skill with the baseline.
pub fn diff(project: &Project, ws: &Workspace, options: &Options) -> Result<DiffReport, DeployError> {
    let id = options.skill.as_str();
    let new = super::current(project, ws, id)?;
    let old = super::baseline(project, ws, id, &options.against, options.org.as_deref(), options.instance.as_deref())?;
    let (old, old_label) = match old {
        Some(side) => side,
        None if new.is_none() => return Err(unknown_skill(id, ws)),
        None => return Err(super::never_deployed(id, project, options.instance.as_deref(), false)),
    };
    let changes = classify::diff(&old, new.as_ref());
    let new_prompt = new.as_ref().map_or("", |n| n.system_prompt.as_str());
    let prompt_diff = unified(&old.system_prompt, new_prompt, &old, new.as_ref());
    let differs = new.as_ref().is_none_or(|n| n.content_hash != old.content_hash);
    let verdict = new.as_ref().map(|n| super::verdict(&old, n, &changes));
    Ok(DiffReport {
        skill: id.to_owned(),
        from: Side { version: old.version.to_string(), content_hash: old.content_hash.clone(), source: old_label },
        to: new.as_ref().map(|n| Side {
            version: n.version.to_string(),
            content_hash: n.content_hash.clone(),
            source: "working tree".to_owned(),
        }),
        required: classify::required_class(&changes),
        changes,
        version_ok: verdict.as_ref().map(Result::is_ok),
        problem: verdict.and_then(Result::err),
        prompt_diff,
        differs,
    })
}

/// Returns the unified diff of two prompts, empty when they are equal.
fn unified(old: &str, new: &str, a: &Artifact, b: Option<&Artifact>) -> String {
    if old == new {
        return String::new();
    }
    let from = format!("{}@{} system prompt", a.id, a.version);
    let to = b.map_or_else(|| "/dev/null".to_owned(), |b| format!("{}@{} system prompt", b.id, b.version));
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&from, &to).to_string()
}
