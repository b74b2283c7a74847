//! `agentb version bump`: rewrite only the version scalar of a skill's file, to the next major,
//! minor or patch version, or (`auto`) to the bump its changes since a baseline require.

use std::path::PathBuf;

use serde::Serialize;

use crate::compile::diff::{self as classify, Change, Class};
use crate::deploy::error::{DeployError, unknown_skill};
use crate::skill::{bump, source};
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// How to bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Major,
    Minor,
    Patch,
    /// The bump the changes since the baseline require.
    Auto,
}

/// What to bump.
#[derive(Debug, Clone)]
pub struct Options {
    pub skill: String,
    pub level: Level,
    /// With `auto`: `deployed`, a kept version, or a git revision.
    pub against: String,
    pub instance: Option<String>,
}

/// What the bump did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BumpReport {
    pub skill: String,
    /// The skill file, as shown.
    pub path: PathBuf,
    pub from: semver::Version,
    pub to: semver::Version,
    /// Whether the file was rewritten (`auto` leaves a version that covers the changes).
    pub changed: bool,
    /// With `auto`: what the working tree was compared with.
    pub compared: Option<Compared>,
}

/// The comparison behind an `auto` bump.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    pub label: String,
    pub version: semver::Version,
    pub changes: Vec<Change>,
}

/// Bumps the version of a skill in its file.
pub fn bump(project: &Project, ws: &Workspace, options: &Options) -> Result<BumpReport, DeployError> {
    let id = options.skill.as_str();
    let skill = ws.skill(id).ok_or_else(|| unknown_skill(id, ws))?;
    let from = skill.version.value.clone();
    let mut compared = None;
    let to = match options.level {
        Level::Major => bump::next(&from, Class::Major),
        Level::Minor => bump::next(&from, Class::Minor),
        Level::Patch => bump::next(&from, Class::Patch),
        Level::Auto => {
            let new = super::current(project, ws, id)?
                .ok_or_else(|| DeployError::Other(anyhow::anyhow!("the skill has no artifact")))?;
            let instance = options.instance.as_deref();
            let Some((old, label)) = super::baseline(project, ws, id, &options.against, None, instance)? else {
                return Err(super::never_deployed(id, project, instance, true));
            };
            let changes = classify::diff(&old, Some(&new));
            let covered = super::verdict(&old, &new, &changes).is_ok();
            let to = bump::next(&old.version, classify::required_class(&changes).unwrap_or(Class::Patch));
            compared = Some(Compared { label, version: old.version, changes });
            if covered {
                let path = skill.path.clone();
                return Ok(BumpReport { skill: id.to_owned(), path, to: from.clone(), from, changed: false, compared });
            }
            to
        }
    };
    let abs = ws.paths.get(&skill.path).cloned().unwrap_or_else(|| project.root.join(&skill.path));
    let src = source::read(&abs)
        .map_err(|e| DeployError::Unreadable { path: skill.path.clone(), message: format!("{e:?}") })?;
    // A version that does not parse (or is missing) is a lint error: say that, not "changed".
    if bump::rewrite(&src.text, skill.version.span.clone(), &from, &from).is_none() && ws.file_has_errors(&skill.path) {
        return Err(DeployError::NoVersionToBump { path: skill.path.clone() });
    }
    let text = bump::rewrite(&src.text, skill.version.span.clone(), &from, &to)
        .ok_or_else(|| DeployError::ChangedWhileRead { path: skill.path.clone() })?;
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if src.had_bom {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(text.as_bytes());
    crate::fs::write_atomic(&abs, &bytes)?;
    Ok(BumpReport { skill: id.to_owned(), path: skill.path.clone(), from, to, changed: true, compared })
}
