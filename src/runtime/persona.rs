//! The persona engine: a persona's prompt joined with the skill's compiled context, and its
//! `allowed_skills` enforced before anything runs.

use super::error::RunError;
use crate::skill::model::Persona;

/// Checks that `persona` may use `skill`; the error lists the skills it may use.
pub fn check_allowed(persona: &Persona, skill: &str) -> Result<(), RunError> {
    if persona.allowed_skills.iter().any(|s| s.value == skill) {
        return Ok(());
    }
    Err(RunError::PersonaNotAllowed {
        persona: persona.id.value.clone(),
        skill: skill.to_owned(),
        path: persona.path.clone(),
        allowed: persona.allowed_skills.iter().map(|s| s.value.clone()).collect(),
    })
}

/// Returns the system prompt of a run: the persona's prompt (if any), then the skill context.
pub fn system_prompt(persona: Option<&Persona>, skill_prompt: &str) -> String {
    match persona {
        Some(p) if !p.prompt.trim().is_empty() => format!("{}\n\n---\n\n{}", p.prompt.trim_end(), skill_prompt),
        _ => skill_prompt.to_owned(),
    }
}
