//! What a deploy sends: the artifacts of a loaded workspace's skills (refused while the project
//! has lint errors) and the ERP records of its personas.

use super::error::{DeployError, unknown_skill};
use crate::compile::Artifact;
use crate::erp::AgentPersona;
use crate::lint::{self, Level, Levels};
use crate::skill::parse::ParseContext;
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// Builds the artifacts of `ids` (all skills when empty) from the loaded workspace. Lint
/// errors (after the config's levels) stop it with [`DeployError::LintErrors`], which carries
/// them, sorted, for the caller to show.
pub fn build(project: &Project, ws: &Workspace, ids: &[String]) -> Result<Vec<Artifact>, DeployError> {
    let config = &project.config.lint;
    let levels = Levels::new(&config.allow, &config.deny, &config.warn).map_err(anyhow::Error::from)?;
    let mut diagnostics = ws.diagnostics.clone();
    levels.apply(&mut diagnostics);
    lint::sort(&mut diagnostics);
    if diagnostics.iter().any(|d| d.level == Level::Error) {
        return Err(DeployError::LintErrors { diagnostics });
    }
    let selected: Vec<&crate::skill::Skill> = if ids.is_empty() {
        ws.skills.iter().collect()
    } else {
        ids.iter().map(|id| ws.skill(id).ok_or_else(|| unknown_skill(id, ws))).collect::<Result<_, _>>()?
    };
    if selected.is_empty() {
        return Err(DeployError::NoSkills { dir: project.display_path(&project.skills_dir()).into_owned() });
    }
    Ok(crate::workspace::build::artifacts(ws, &ParseContext::new(&project.config), &selected))
}

/// Returns the ERP record of a persona.
pub fn persona_record(p: &crate::skill::Persona) -> AgentPersona {
    AgentPersona {
        id: String::new(),
        organization_id: String::new(),
        slug: p.id.value.clone(),
        name: p.name.clone(),
        system_prompt: p.prompt.clone(),
        allowed_skills: p.allowed_skills.iter().map(|s| s.value.clone()).collect(),
        is_enabled: true,
        created_at: None,
        updated_at: None,
        extra: crate::erp::Record::new(),
    }
}
