//! The builders (SPEC §11): agents that write skills and create ERP components, with their
//! prompts and tool sets built in. [`skill`] drafts a new skill (`agentb build skill`) and
//! [`refine`] an improved version of one (`agentb refine`), both through the lint-feedback loop
//! of [`draft`]; [`designer`] runs the form and workflow designers (`agentb build form|workflow`)
//! on the run lifecycle, with the checks of [`form`] and [`workflow`] between the guard and
//! every proposal. Every tool call of every builder goes through the runtime's guard and lands
//! in a session's audit log.

pub mod designer;
pub mod draft;
pub mod form;
pub mod refine;
pub mod skill;
pub mod workflow;

use std::collections::BTreeMap;

use crate::compile::artifact::EffectiveLimits;
use crate::config::LimitsConfig;
use crate::runtime::CallCheck;
use crate::runtime::session::Session;

/// The category of every builder's session artifact (tells a builder session from a skill's).
pub const CATEGORY: &str = "agentb-builder";

/// What `agentb build --help` lists: every builder with its built-in tool set.
pub const HELP: &str = "\
Built-in builders (their prompts and tools are compiled into agentb):
  skill      skill-builder: drafts a skill, linted and fed back until clean
             tools: agentb_list_skills, agentb_read_skill (T1, the project's files)
  refine     skill-refiner (`agentb refine`): the same loop, from feedback or failed invocations
             tools: agentb_list_skills, agentb_read_skill (T1)
  form       form-designer: designs a FormTemplate for an org
             tools: erp_get_form_template, erp_list_form_templates (T1),
                    erp_create_form_template (T2, checked against the FormTemplate shape)
  workflow   workflow-designer: designs a chain of ContentTriggers that invoke existing skills
             tools: erp_get_agent_skill, erp_list_agent_skills, erp_get_content_trigger,
                    erp_list_content_triggers (T1),
                    erp_create_content_trigger (T2, checked against the ContentTrigger shape)";

/// What a builder refused or could not do.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// `build skill --id` names a skill that exists.
    #[error("skill `{id}` already exists (`{path}`); `agentb build skill` never overwrites a skill")]
    Exists { id: String, path: String },
    /// `--id` is not a skill id.
    #[error("`{id}` is not a skill id: {problem}")]
    InvalidId { id: String, problem: String },
    /// `--rounds 0`.
    #[error("`--rounds` must be at least 1")]
    NoRounds,
    /// An empty description or requirements.
    #[error("the {what} is empty")]
    Empty { what: &'static str },
    /// `refine` names no skill of the project.
    #[error("unknown skill `{skill}`")]
    UnknownSkill { skill: String, suggestion: Option<String> },
    /// `refine` has a skill whose file does not lint.
    #[error("skill `{skill}` has lint errors (`{path}`); refine starts from a clean skill")]
    SkillFailsLint { skill: String, path: String },
    /// `refine` with nothing to go on.
    #[error("nothing to refine `{skill}` from: {why}")]
    NoFeedback { skill: String, why: String },
    /// The file changed between reading it and writing the draft.
    #[error("`{path}` changed while the draft was made; nothing was written")]
    ChangedMeanwhile { path: String },
    /// A breaker stopped the builder.
    #[error("the builder stopped: {message}")]
    Stopped { message: String },
    /// The model refused.
    #[error("the model refused: {message}")]
    Refused { message: String },
}

impl BuildError {
    /// Returns the obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            BuildError::Exists { id, .. } => {
                Some(format!("improve it with `agentb refine {id}`, or pick another `--id`"))
            }
            BuildError::InvalidId { .. } => {
                Some("ids are lowercase letters, digits and single hyphens, 1–64 characters".to_owned())
            }
            BuildError::UnknownSkill { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            BuildError::UnknownSkill { suggestion: None, .. } => {
                Some("list the skills with `agentb version`".to_owned())
            }
            BuildError::SkillFailsLint { path, .. } => Some(format!("fix `{path}` first (`agentb lint {path}`)")),
            BuildError::NoFeedback { .. } => {
                Some("give `--feedback TEXT`, or `--from-invocations --org ORG` with a longer `--since`".to_owned())
            }
            BuildError::ChangedMeanwhile { .. } => Some("run `agentb refine` again".to_owned()),
            BuildError::Stopped { .. } => Some("raise the limit in `[limits]`, or ask for less".to_owned()),
            _ => None,
        }
    }

    /// Returns whether the error is a breaker (exit 4) rather than a refusal or an input error.
    pub fn is_breaker(&self) -> bool {
        matches!(self, BuildError::Stopped { .. })
    }

    /// Returns whether the error is the model's (exit 1) rather than the user's input (exit 2).
    pub fn is_failure(&self) -> bool {
        matches!(self, BuildError::Refused { .. })
    }
}

/// Returns the limits a builder runs with: the project's `[limits]`.
pub fn limits_of(limits: &LimitsConfig) -> EffectiveLimits {
    let mut tier_calls = BTreeMap::new();
    tier_calls.insert("t1".to_owned(), limits.tier_calls.t1);
    tier_calls.insert("t2".to_owned(), limits.tier_calls.t2);
    tier_calls.insert("t3".to_owned(), limits.tier_calls.t3);
    EffectiveLimits {
        max_turns: limits.max_turns,
        max_wall_secs: limits.max_wall_secs,
        max_cost_usd: limits.max_cost_usd,
        max_output_tokens: limits.max_output_tokens,
        max_tool_result_bytes: limits.max_tool_result_bytes,
        tier_calls,
        tools: limits.tools.clone(),
    }
}

/// Returns the check a builder session's calls go through (`agentb run --resume` of a designer
/// session keeps it), or `None` for a skill's session.
pub fn check_for(session: &Session) -> Option<&'static dyn CallCheck> {
    if session.artifact.category != CATEGORY {
        return None;
    }
    match session.skill.as_str() {
        designer::FORM_DESIGNER => Some(&form::FormCheck),
        designer::WORKFLOW_DESIGNER => Some(&workflow::WorkflowCheck),
        _ => None,
    }
}

/// A built-in builder's session artifact, before it is built.
pub struct Builtin<'a> {
    pub id: &'a str,
    pub description: &'a str,
    pub system: &'a str,
    pub tools: Vec<crate::compile::artifact::ArtifactTool>,
    pub limits: EffectiveLimits,
    pub input_schema: serde_json::Value,
    pub output_schema: serde_json::Value,
}

/// Returns the artifact a builder's session runs: its prompt and tools, versioned with agentb.
pub fn builtin_artifact(b: Builtin<'_>) -> crate::compile::Artifact {
    let version = semver::Version::parse(env!("CARGO_PKG_VERSION")).unwrap_or_else(|_| semver::Version::new(0, 0, 0));
    let mut artifact = crate::compile::Artifact {
        format: crate::compile::artifact::FORMAT,
        id: b.id.to_owned(),
        name: b.id.to_owned(),
        version,
        status: crate::skill::model::Status::Active,
        category: CATEGORY.to_owned(),
        description: b.description.to_owned(),
        triggers: vec![crate::skill::model::Trigger::Event("manual_invoke".to_owned())],
        dependencies: Vec::new(),
        permissions: Vec::new(),
        input_schema: b.input_schema,
        output_schema: b.output_schema,
        tools: b.tools,
        system_prompt: b.system.to_owned(),
        limits: b.limits,
        source_hash: String::new(),
        content_hash: String::new(),
    };
    artifact.content_hash = artifact.compute_content_hash();
    artifact
}
