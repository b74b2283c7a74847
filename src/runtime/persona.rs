//! The persona engine: a persona's prompt joined with the skill's compiled context, and its
//! `allowed_skills` enforced before anything runs.

use crate::cli::command_error::UserError;
use crate::skill::model::Persona;

/// Checks that `persona` may use `skill`; the error lists the skills it may use.
pub fn check_allowed(persona: &Persona, skill: &str) -> Result<(), UserError> {
    if persona.allowed_skills.iter().any(|s| s.value == skill) {
        return Ok(());
    }
    let allowed: Vec<String> = persona.allowed_skills.iter().map(|s| format!("`{}`", s.value)).collect();
    Err(UserError::usage(format!("persona `{}` may not use skill `{skill}`", persona.id.value)).with_hint(
        if allowed.is_empty() {
            format!("add `{skill}` to `allowed_skills` in `{}`", persona.path.display())
        } else {
            format!(
                "its `allowed_skills` are {}; add `{skill}` there to allow it, or pick another persona",
                allowed.join(", ")
            )
        },
    ))
}

/// Returns the system prompt of a run: the persona's prompt (if any), then the skill context.
pub fn system_prompt(persona: Option<&Persona>, skill_prompt: &str) -> String {
    match persona {
        Some(p) if !p.prompt.trim().is_empty() => format!("{}\n\n---\n\n{}", p.prompt.trim_end(), skill_prompt),
        _ => skill_prompt.to_owned(),
    }
}
