//! Versioning (SPEC §8): the use-cases that compare a skill's working tree with a baseline —
//! [`diff`], [`list`] (`agentb version`), [`check`] (CI) and [`bump`] — and the baselines they
//! compare with: a deployed version, a version kept in the release store, or a git revision.
//! The classification of interface changes is [`crate::compile::diff`].

pub mod bump;
pub mod check;
pub mod diff;
pub mod list;

use std::path::Path;

use crate::compile::diff::{self as classify, Change, Class};
use crate::compile::{Artifact, artifact};
use crate::deploy::error::DeployError;
use crate::deploy::release_store::ReleaseStore;
use crate::deploy::state::{Deployment, State};
use crate::skill::parse::{self, ParseContext};
use crate::skill::source::SourceFile;
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// Checks a version move against the changes: `Err` says what bump they need.
pub fn verdict(old: &Artifact, new: &Artifact, changes: &[Change]) -> Result<(), String> {
    let required = classify::required_class(changes);
    let same = classify::same_content(old, new);
    if new.version == old.version {
        if same {
            return Ok(());
        }
        let class = required.unwrap_or(Class::Patch);
        return Err(format!(
            "the content changed but the version is still {}; the changes require a {class} bump (to {})",
            old.version,
            crate::skill::bump::next(&old.version, class)
        ));
    }
    let Some(bump) = classify::bump_class(&old.version, &new.version) else {
        return Err(format!("the version went backwards, from {} to {}", old.version, new.version));
    };
    match required {
        Some(required) if bump < required => Err(format!(
            "the changes require a {required} bump (to {} or later), but {} → {} is a {bump} bump",
            crate::skill::bump::next(&old.version, required),
            old.version,
            new.version
        )),
        _ => Ok(()),
    }
}

/// Returns the working tree's artifact of `id`, or `None` when its file is gone.
pub fn current(project: &Project, ws: &Workspace, id: &str) -> Result<Option<Artifact>, DeployError> {
    let Some(skill) = ws.skill(id) else { return Ok(None) };
    if ws.file_has_errors(&skill.path) {
        return Err(DeployError::SkillHasErrors { path: skill.path.clone() });
    }
    let ctx = ParseContext::new(&project.config);
    Ok(crate::workspace::build::artifacts(ws, &ctx, &[skill]).pop())
}

/// Returns the error for a skill with nothing deployed to compare with.
pub fn never_deployed(id: &str, project: &Project, instance: Option<&str>, bump_hint: bool) -> DeployError {
    let name = instance.unwrap_or(&project.config.erp.default);
    DeployError::NeverDeployed { skill: id.to_owned(), instance: name.to_owned(), bump_hint }
}

/// Returns the baseline artifact `against` names, with a label: `deployed` (the version
/// deployed to `org`, else the newest deployed to the instance; `None` when never deployed), a
/// version kept in the release store, or a git revision.
pub fn baseline(
    project: &Project,
    ws: &Workspace,
    id: &str,
    against: &str,
    org: Option<&str>,
    instance: Option<&str>,
) -> Result<Option<(Artifact, String)>, DeployError> {
    let store = ReleaseStore::new(project.state_dir().join("releases"));
    if against == "deployed" {
        let (name, _) = crate::erp::instance_config(project, instance)?;
        let state = State::load(&project.state_dir().join("state.toml"))?;
        let orgs = state.instances.get(name);
        let deployed: Vec<(&String, &Deployment)> = orgs
            .into_iter()
            .flatten()
            .filter(|(o, _)| org.is_none_or(|want| want == o.as_str()))
            .filter_map(|(o, skills)| Some((o, skills.get(id)?)))
            .collect();
        let Some((_, newest)) = deployed.iter().max_by(|a, b| a.1.version.cmp(&b.1.version)) else {
            if let Some(org) = org {
                return Err(DeployError::NotDeployedToOrg {
                    skill: id.to_owned(),
                    org: org.to_owned(),
                    instance: name.to_owned(),
                });
            }
            return Ok(None);
        };
        let artifact =
            store.get(id, &newest.version, &newest.content_hash)?.ok_or_else(|| DeployError::MissingRelease {
                skill: id.to_owned(),
                version: newest.version.clone(),
                hash: Some(newest.content_hash.clone()),
            })?;
        let on: Vec<String> =
            deployed.iter().filter(|(_, d)| d.content_hash == newest.content_hash).map(|(o, _)| (*o).clone()).collect();
        let label = if on.len() == 1 {
            format!("deployed to {} of `{name}`", on[0])
        } else {
            format!("deployed to {} orgs of `{name}`", on.len())
        };
        return Ok(Some((artifact, label)));
    }
    if let Ok(version) = semver::Version::parse(against) {
        let state = State::load(&project.state_dir().join("state.toml"))?;
        let artifact = store.find_version(id, &version, state.latest_hash(id, &version))?;
        return Ok(Some((artifact, "release store".to_owned())));
    }
    let rel = project.display_path(&project.skills_dir()).join(format!("{id}.md"));
    let text = git_show(&project.root, against, &rel)?;
    let src = SourceFile { path: rel.clone(), text, had_bom: false };
    let ctx = ParseContext::new(&project.config);
    let parsed = parse::skill_source(&src, &rel, &ctx);
    let has_errors = parsed.has_errors();
    let Some(skill) = parsed.item.filter(|_| !has_errors) else {
        return Err(DeployError::BadSourceAt { path: rel, rev: against.to_owned() });
    };
    let resolved = crate::workspace::build::resolve(ws, &skill);
    Ok(Some((artifact::build(&skill, resolved, &ctx.catalog, &ctx.limits), format!("git {against}"))))
}

/// Checks that `against` names something [`baseline`] can read before a use-case relies on
/// it: `deployed`, a version, or a commit git knows. `version check` treats a skill missing at
/// the revision as new, so a mistyped or unfetched revision must fail here rather than pass CI.
pub fn verify_against(project: &Project, against: &str) -> Result<(), DeployError> {
    if against == "deployed" || semver::Version::parse(against).is_ok() {
        return Ok(());
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&project.root)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{against}^{{commit}}")])
        .output()
        .map_err(|e| DeployError::Git(format!("cannot run `git rev-parse {against}`: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(DeployError::UnknownRevision { against: against.to_owned() })
}

/// Returns the text of `path` at git revision `rev`.
fn git_show(root: &Path, rev: &str, path: &Path) -> Result<String, DeployError> {
    // A revision never starts with `-`; git would read it as an option (`--output=FILE` writes).
    if rev.starts_with('-') {
        return Err(DeployError::BadRevision { against: rev.to_owned() });
    }
    let spec = format!("{rev}:./{}", path.display());
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &spec])
        .output()
        .map_err(|e| DeployError::Git(format!("cannot run `git show {spec}`: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(DeployError::NotAtRevision {
            against: rev.to_owned(),
            path: path.to_owned(),
            message: stderr.trim().to_owned(),
        });
    }
    String::from_utf8(out.stdout).map_err(|_| DeployError::Git(format!("`{spec}` is not UTF-8")))
}
