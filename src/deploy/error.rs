//! [`DeployError`]: what can go wrong in a release use-case (deploy, promote, abort, pin,
//! rollback, status, history) and in the versioning ones (diff, version). The variants carry
//! the facts; [`DeployError::hint`] names the obvious next step. Exit codes are the CLI's.

use std::path::PathBuf;

use crate::erp::ErpError;
use crate::lint::Diagnostic;

/// The hint of every error about a damaged release store.
const RESTORE_RELEASES: &str = "restore `.agentbuilder/releases/` from git";

/// A failed release or versioning use-case.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// Another agentb holds the project's lock.
    #[error("{holder} holds the lock `{}`", path.display())]
    Locked { holder: String, path: PathBuf },
    /// The state file does not parse.
    #[error("`{}:{line}:{column}` is not a valid state file: {message}", path.display())]
    InvalidState { path: PathBuf, line: usize, column: usize, message: String },
    /// The state file was written by a newer agentb.
    #[error(
        "`{}` was written by a newer agentb (state schema {found}, this agentb reads {})",
        path.display(),
        super::state::SCHEMA
    )]
    NewerState { path: PathBuf, found: u32 },
    /// A release store file holds another content than its name says.
    #[error(
        "`{}` does not hold the release it is named for (content hash `{found}`, expected `{expected}`)",
        path.display()
    )]
    CorruptRelease { path: PathBuf, found: String, expected: String },
    /// A release store file was edited: its recorded content hash is not the hash of its content.
    #[error(
        "`{}` was edited after it was kept: its content hash is `{computed}`, but it records `{recorded}`",
        path.display()
    )]
    TamperedRelease { path: PathBuf, recorded: String, computed: String },
    /// A release store file holds another skill's or version's artifact than its place says.
    #[error("`{}` holds {found}, not {expected}", path.display())]
    MisplacedRelease { path: PathBuf, found: String, expected: String },
    /// A release store file is not an artifact.
    #[error("`{}` is not a valid artifact: {message}", path.display())]
    InvalidArtifact { path: PathBuf, message: String },
    /// A version of a skill is not kept; `kept` lists the versions that are.
    #[error("version {version} of `{skill}` is not in the release store")]
    VersionNotKept { skill: String, version: semver::Version, kept: Vec<String> },
    /// The state names a release the store does not hold; `hash` is given when it is shown.
    #[error("the release store has no artifact for `{skill}` {version}{}", hash.as_ref().map_or_else(String::new, |h| format!(" (hash {})", &h[..h.len().min(12)])))]
    MissingRelease { skill: String, version: semver::Version, hash: Option<String> },
    /// The instance has no such org.
    #[error("instance `{instance}` has no org `{org}`")]
    UnknownOrg { instance: String, org: String, suggestion: Option<String>, orgs: String },
    /// The project has no such skill.
    #[error("no skill `{id}` in this project")]
    UnknownSkill { id: String, suggestion: Option<String> },
    /// The project has no skills at all.
    #[error("no skills to deploy in `{}`", dir.display())]
    NoSkills { dir: PathBuf },
    /// The project has lint errors (the diagnostics, sorted, to show them).
    #[error("the project has lint errors")]
    LintErrors { diagnostics: Vec<Diagnostic> },
    /// No canary of the skill is in progress.
    #[error("no canary of `{skill}` is in progress on instance `{instance}`")]
    NoCanary { skill: String, instance: String },
    /// The skill is not deployed to the instance.
    #[error("`{skill}` is not deployed to instance `{instance}`")]
    NotDeployed { skill: String, instance: String },
    /// No org has an earlier version to roll back to.
    #[error("`{skill}` has no earlier version to roll back to")]
    NothingToRollBack { skill: String, notes: Vec<super::plan::Note> },
    /// The skill has no history (in the org, when one is named).
    #[error("`{skill}` was never deployed{} on instance `{instance}`", org.as_ref().map_or_else(String::new, |o| format!(" to org `{o}`")))]
    NoHistory { skill: String, org: Option<String>, instance: String },
    /// `diff --against deployed --org ORG`: the skill is not deployed there.
    #[error("`{skill}` is not deployed to org `{org}` of instance `{instance}`")]
    NotDeployedToOrg { skill: String, org: String, instance: String },
    /// There is no deployed version to compare with.
    #[error("`{skill}` was never deployed to instance `{instance}`: there is nothing to compare with")]
    NeverDeployed { skill: String, instance: String, bump_hint: bool },
    /// A skill file has lint errors.
    #[error("`{}` has lint errors", path.display())]
    SkillHasErrors { path: PathBuf },
    /// A skill file has lint errors and no version to bump.
    #[error("`{}` has lint errors and no version agentb can bump", path.display())]
    NoVersionToBump { path: PathBuf },
    /// A skill file changed while it was read.
    #[error("`{}` changed while agentb read it; run the command again", path.display())]
    ChangedWhileRead { path: PathBuf },
    /// A skill file cannot be read.
    #[error("cannot read `{}`: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    /// A skill at a git revision does not parse.
    #[error("`{}` at `{rev}` does not parse without errors", path.display())]
    BadSourceAt { path: PathBuf, rev: String },
    /// `--against` names nothing agentb can read.
    #[error("`{against}` is not `deployed`, a kept version, or a git revision of this project")]
    UnknownRevision { against: String },
    /// `--against` looks like an option.
    #[error("`{against}` is not `deployed`, a kept version, or a git revision")]
    BadRevision { against: String },
    /// git does not have the file at the revision.
    #[error("`{against}` is not `deployed`, a kept version, or a git revision holding `{}`: {message}", path.display())]
    NotAtRevision { against: String, path: PathBuf, message: String },
    /// git cannot be run, or its output is not text.
    #[error("{0}")]
    Git(String),
    /// The orgs of the instance cannot be listed.
    #[error("failed to list the orgs of instance `{instance}`")]
    ListOrgs {
        instance: String,
        #[source]
        source: ErpError,
    },
    /// An ERP call failed.
    #[error(transparent)]
    Erp(#[from] ErpError),
    /// Anything else (file system, runtime); its own chain says what.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl DeployError {
    /// Returns the obvious next step, if any.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            DeployError::Locked { .. } => "wait for it to finish; the lock is released when that process exits".into(),
            DeployError::InvalidState { .. } => {
                "fix that line by hand, or restore the file from git (`git checkout .agentbuilder/state.toml`)".into()
            }
            DeployError::NewerState { .. } => "upgrade agentb".into(),
            DeployError::MissingRelease { hash: Some(_), .. } => {
                format!("{RESTORE_RELEASES}: it is committed with the state")
            }
            DeployError::CorruptRelease { path, .. }
            | DeployError::TamperedRelease { path, .. }
            | DeployError::MisplacedRelease { path, .. }
            | DeployError::InvalidArtifact { path, .. } => {
                format!("{RESTORE_RELEASES} (`git checkout -- {}`)", path.display())
            }
            DeployError::MissingRelease { hash: None, .. } => RESTORE_RELEASES.into(),
            DeployError::VersionNotKept { skill, kept, .. } if kept.is_empty() => {
                format!("`{skill}` was never deployed from this project; deploy it first")
            }
            DeployError::VersionNotKept { kept, .. } => format!("kept versions: {}", kept.join(", ")),
            DeployError::UnknownOrg { suggestion: Some(m), .. }
            | DeployError::UnknownSkill { suggestion: Some(m), .. } => {
                format!("did you mean `{m}`?")
            }
            DeployError::UnknownOrg { orgs, .. } => format!("its orgs: {orgs}"),
            DeployError::UnknownSkill { .. } => "list the skills with `agentb version`".into(),
            DeployError::NoSkills { .. } => "create one with `agentb new skill ID`".into(),
            DeployError::LintErrors { .. } => "fix the errors above; `agentb lint` shows them again".into(),
            DeployError::NoCanary { skill, .. } => format!("start one with `agentb deploy {skill} --canary 10%`"),
            DeployError::NotDeployed { .. } | DeployError::NoHistory { .. } | DeployError::NotDeployedToOrg { .. } => {
                "`agentb status` shows what is deployed where".into()
            }
            DeployError::NothingToRollBack { .. } => {
                "name a kept version with `--to VERSION` (`agentb history` lists them)".into()
            }
            DeployError::NeverDeployed { bump_hint: true, .. } => {
                "bump by hand: `agentb version bump SKILL major|minor|patch`".into()
            }
            DeployError::NeverDeployed { .. } => {
                "compare with a git revision (`--against HEAD`) or deploy it first".into()
            }
            DeployError::SkillHasErrors { path } => format!("`agentb lint {}` shows them", path.display()),
            DeployError::NoVersionToBump { path } => {
                format!("`agentb lint {}` shows them; write a full version such as `1.0.0`", path.display())
            }
            DeployError::UnknownRevision { .. } => {
                "in CI, fetch the revision first (e.g. `git fetch origin main`, or a checkout with full history)".into()
            }
            DeployError::BadRevision { .. } | DeployError::NotAtRevision { .. } => {
                "kept versions are listed by `agentb history SKILL`".into()
            }
            DeployError::Erp(e) | DeployError::ListOrgs { source: e, .. } => return e.hint(),
            DeployError::ChangedWhileRead { .. }
            | DeployError::Unreadable { .. }
            | DeployError::BadSourceAt { .. }
            | DeployError::Git(_)
            | DeployError::Other(_) => return None,
        };
        Some(hint)
    }
}

/// Returns the error for a skill id the project does not have, with the closest id.
pub fn unknown_skill(id: &str, ws: &crate::workspace::load::Workspace) -> DeployError {
    DeployError::UnknownSkill {
        id: id.to_owned(),
        suggestion: crate::text::did_you_mean(id, ws.summaries.iter().map(|s| s.id.as_str())).map(str::to_owned),
    }
}
