//! What a run runs (SPEC §8 step 1): the artifact of the version deployed to the org — canary
//! and pinned orgs included — read from the release store (verified: its recomputed content
//! hash, and the id and version of its place) where `state.toml` names it, else from the org's
//! ERP record (`definition`, verified the same way); the working copy with `--source`, or when
//! the skill was never deployed to the org (with a note). With `--persona`, the persona record
//! deployed to the org, else the project's file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::error::RunError;
use crate::compile::Artifact;
use crate::deploy::release_store::ReleaseStore;
use crate::deploy::state::{State, Strategy};
use crate::erp::{AgentSkill, ErpExt as _, Instance};
use crate::skill::model::{Persona, Spanned, Status as SkillStatus};
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// Where the artifact of a run came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactSource {
    /// The release store: the version `state.toml` records as deployed to the org.
    Release,
    /// The org's ERP record (its `definition`): the state names no deployment, or the release
    /// store does not keep it.
    Record,
    /// The working copy, as `--source` asks.
    Source,
    /// The working copy: the skill was never deployed to the org.
    NeverDeployed,
}

/// Where a run's artifact came from, and how the org follows versions; kept with the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub source: ArtifactSource,
    /// How the org follows versions (`latest`, `pinned`), when deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    /// Whether the org runs a canary of the skill.
    #[serde(default)]
    pub canary: bool,
    /// What the user should know about the choice (a never-deployed skill).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Origin {
    /// Returns how the origin reads in a status line: `the canary deployed to org `beta``.
    pub fn describe(&self, org: &str) -> String {
        let how = match (self.canary, self.strategy) {
            (true, _) => "the canary ",
            (false, Some(Strategy::Pinned)) => "pinned, ",
            _ => "",
        };
        match self.source {
            ArtifactSource::Release => format!("{how}deployed to org `{org}`"),
            ArtifactSource::Record => format!("{how}deployed to org `{org}`, from its ERP record"),
            ArtifactSource::Source => "the working copy (`--source`)".to_owned(),
            ArtifactSource::NeverDeployed => format!("the working copy: never deployed to org `{org}`"),
        }
    }
}

/// The artifact a run runs, and where it came from.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub artifact: Artifact,
    pub origin: Origin,
}

/// Returns the artifact `skill` runs for `org` of `instance`: the deployed one (see the module
/// docs), or the working copy with `source` or when never deployed. A kept release or a record
/// that fails verification is an error naming it, and nothing runs.
pub async fn choose(
    project: &Project,
    ws: &Workspace,
    instance: &Instance,
    org: &str,
    skill: &str,
    source: bool,
) -> anyhow::Result<Chosen> {
    if source {
        let artifact = working_copy(project, ws, skill)?;
        return Ok(Chosen { artifact, origin: origin(ArtifactSource::Source, None, false, None) });
    }
    let state = State::load(&project.state_dir().join("state.toml"))?;
    let deployed = state.deployment(&instance.name, org, skill);
    if let Some(d) = deployed {
        let (strategy, canary) = (Some(d.strategy), d.canary.is_some());
        let store = ReleaseStore::new(project.state_dir().join("releases"));
        if let Some(artifact) = store.get(skill, &d.version, &d.content_hash)? {
            return deployed_artifact(artifact, org, origin(ArtifactSource::Release, strategy, canary, None));
        }
        // The store lacks it (releases not committed, or pruned): the org's record holds it.
        let record = instance.erp.skill(org, skill).await?;
        let artifact = match &record {
            Some(r) => Some(from_record(r, skill, org, &instance.name)?),
            None => None,
        };
        return match artifact {
            Some(a) if a.content_hash == d.content_hash => {
                deployed_artifact(a, org, origin(ArtifactSource::Record, strategy, canary, None))
            }
            found => Err(RunError::DeployedArtifactMissing {
                skill: skill.to_owned(),
                org: org.to_owned(),
                instance: instance.name.clone(),
                version: d.version.to_string(),
                found: found.map(|a| format!("{} ({})", a.version, short(&a.content_hash))),
            }
            .into()),
        };
    }
    // The state names no deployment (a clone without it, or deployed by another tool): the
    // org's record says what it runs.
    if let Some(record) = instance.erp.skill(org, skill).await? {
        let artifact = from_record(&record, skill, org, &instance.name)?;
        return deployed_artifact(artifact, org, origin(ArtifactSource::Record, None, false, None));
    }
    let artifact = working_copy(project, ws, skill)?;
    let note = format!(
        "`{skill}` was never deployed to org `{org}` of `{}`: running the working copy ({})",
        instance.name, artifact.version
    );
    Ok(Chosen { artifact, origin: origin(ArtifactSource::NeverDeployed, None, false, Some(note)) })
}

fn origin(source: ArtifactSource, strategy: Option<Strategy>, canary: bool, note: Option<String>) -> Origin {
    Origin { source, strategy, canary, note }
}

/// Returns a deployed artifact to run: a disabled one does not run.
fn deployed_artifact(artifact: Artifact, org: &str, origin: Origin) -> anyhow::Result<Chosen> {
    if artifact.status == SkillStatus::Disabled {
        return Err(RunError::DisabledInOrg {
            skill: artifact.id.clone(),
            org: org.to_owned(),
            version: artifact.version.to_string(),
        }
        .into());
    }
    Ok(Chosen { artifact, origin })
}

/// Returns the first digits of a content hash, as messages show it.
fn short(hash: &str) -> &str {
    let digits = hash.strip_prefix("sha256:").unwrap_or(hash);
    &digits[..digits.len().min(12)]
}

/// Returns the artifact in a skill record's `definition`, verified: it parses, its recorded
/// content hash is the hash of its content and the record's `contentHash`, and its id and
/// version are the record's.
fn from_record(record: &AgentSkill, skill: &str, org: &str, instance: &str) -> Result<Artifact, RunError> {
    let bad = |problem: String| RunError::BadRecord {
        skill: skill.to_owned(),
        org: org.to_owned(),
        instance: instance.to_owned(),
        problem,
    };
    let artifact: Artifact = serde_json::from_value(record.definition.clone())
        .map_err(|e| bad(format!("its `definition` is not an artifact: {e}")))?;
    let computed = artifact.compute_content_hash();
    if computed != artifact.content_hash || computed != record.content_hash {
        return Err(bad(format!(
            "its `definition` hashes to {}, but it records {} and the record's `contentHash` is {}",
            short(&computed),
            short(&artifact.content_hash),
            short(&record.content_hash)
        )));
    }
    if artifact.id != skill || artifact.version.to_string() != record.version {
        return Err(bad(format!(
            "its `definition` is `{}` {}, not `{skill}` {}",
            artifact.id, artifact.version, record.version
        )));
    }
    Ok(artifact)
}

/// Returns the working copy's artifact of `skill`, compiled: an unknown skill (did you mean),
/// one that fails lint or is disabled is an error; a deprecated one runs.
fn working_copy(project: &Project, ws: &Workspace, skill_id: &str) -> anyhow::Result<Artifact> {
    let levels =
        crate::lint::Levels::new(&project.config.lint.allow, &project.config.lint.deny, &project.config.lint.warn)?;
    let Some(skill) = ws.skill(skill_id) else {
        let suggestion = crate::text::did_you_mean(skill_id, ws.summaries.iter().map(|s| s.id.as_str()));
        return Err(
            RunError::UnknownSkill { skill: skill_id.to_owned(), suggestion: suggestion.map(str::to_owned) }.into()
        );
    };
    let mut diagnostics = ws.diagnostics.clone();
    levels.apply(&mut diagnostics);
    if let Some(d) = diagnostics.iter().find(|d| d.level == crate::lint::Level::Error && d.file == skill.path) {
        let (skill, message, path) = (skill_id.to_owned(), d.message.clone(), skill.path.clone());
        return Err(RunError::SkillFailsLint { skill, message, path }.into());
    }
    if skill.status == SkillStatus::Disabled {
        return Err(RunError::SkillDisabled { skill: skill_id.to_owned(), path: skill.path.clone() }.into());
    }
    let ctx = crate::skill::parse::ParseContext::new(&project.config);
    crate::workspace::build::artifacts(ws, &ctx, &[skill])
        .pop()
        .ok_or_else(|| anyhow::anyhow!("compile produced no artifact"))
}

/// Returns the persona `id` of a run for `org`: the record deployed to the org (unless
/// `source`), else the project's file; a disabled record does not run. A persona from a record
/// keeps the project file's path and model, when there is one.
pub async fn persona(
    ws: &Workspace,
    instance: &Instance,
    org: &str,
    id: &str,
    source: bool,
) -> anyhow::Result<Persona> {
    let local = ws.personas.iter().find(|p| p.id.value == id);
    let record = if source { None } else { instance.erp.persona(org, id).await? };
    let Some(record) = record else {
        return local.cloned().ok_or_else(|| {
            let suggestion = crate::text::did_you_mean(id, ws.personas.iter().map(|p| p.id.value.as_str()));
            RunError::UnknownPersona { persona: id.to_owned(), suggestion: suggestion.map(str::to_owned) }.into()
        });
    };
    if !record.is_enabled {
        return Err(RunError::PersonaDisabledInOrg { persona: id.to_owned(), org: org.to_owned() }.into());
    }
    let span = 0..0;
    Ok(Persona {
        path: local.map_or_else(|| PathBuf::from(format!("{}/{id}", crate::erp::AGENT_PERSONAS)), |p| p.path.clone()),
        id: Spanned::new(record.slug.clone(), span.clone()),
        name: record.name.clone(),
        allowed_skills: record.allowed_skills.iter().map(|s| Spanned::new(s.clone(), span.clone())).collect(),
        model: local.and_then(|p| p.model.clone()),
        description: None,
        prompt: record.system_prompt.clone(),
        source_hash: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(artifact: &Artifact) -> AgentSkill {
        crate::deploy::plan::skill_record(artifact)
    }

    #[test]
    fn a_record_is_verified_before_it_runs() {
        let a = crate::deploy::release_store::tests::artifact("1.2.0", "p");
        assert_eq!(from_record(&record(&a), "a", "acme", "local").unwrap(), a);
        let mut edited = record(&a);
        edited.definition["system_prompt"] = "do something else".into();
        let err = from_record(&edited, "a", "acme", "local").unwrap_err();
        assert!(err.to_string().contains("`a` in org `acme` of `local`"), "{err}");
        assert!(format!("{err:?}").contains("hashes to"), "{err:?}");
        let mut other = record(&a);
        other.version = "9.0.0".into();
        assert!(format!("{:?}", from_record(&other, "a", "acme", "local").unwrap_err()).contains("not `a` 9.0.0"));
        assert!(from_record(&record(&a), "b", "acme", "local").is_err(), "another skill's definition");
        let mut broken = record(&a);
        broken.definition = serde_json::json!({"id": "a"});
        assert!(format!("{:?}", from_record(&broken, "a", "acme", "local").unwrap_err()).contains("not an artifact"));
    }

    #[test]
    fn the_origin_says_what_runs() {
        let o = origin(ArtifactSource::Release, Some(Strategy::Latest), true, None);
        assert_eq!(o.describe("beta"), "the canary deployed to org `beta`");
        let o = origin(ArtifactSource::Release, Some(Strategy::Pinned), false, None);
        assert_eq!(o.describe("beta"), "pinned, deployed to org `beta`");
        let o = origin(ArtifactSource::NeverDeployed, None, false, None);
        assert_eq!(o.describe("acme"), "the working copy: never deployed to org `acme`");
        assert_eq!(short("sha256:0123456789abcdef"), "0123456789ab");
    }
}
