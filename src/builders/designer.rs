//! The form and workflow designers (`agentb build form|workflow "REQUIREMENTS" --org ORG`,
//! SPEC §11): built-in sessions on the run lifecycle (`runtime::lifecycle`), so they get the
//! guard, the hooks, the tiers, proposals, sessions, the audit log and an invocation like any
//! run. They read with T1 tools and create only through the T2 create tool of their component,
//! whose every call first passes the check of [`super::form`] or [`super::workflow`]; so CI
//! without `--approve t2` ends awaiting approval (exit 5), and nothing invalid is ever proposed.

use serde_json::{Value, json};

use super::{BuildError, Builtin, form, workflow};
use crate::compile::artifact::ArtifactTool;
use crate::runtime::clock::Clock;
use crate::runtime::ids::Ids;
use crate::runtime::lifecycle::{self, NewSession};
use crate::runtime::session::Session;
use crate::runtime::{CallCheck, RunDeps, RunReport};
use crate::tools::{Action, Catalog};
use crate::workspace::Project;

/// The form designer's id (its sessions' skill).
pub const FORM_DESIGNER: &str = "form-designer";
/// The workflow designer's id.
pub const WORKFLOW_DESIGNER: &str = "workflow-designer";

/// Which designer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Form,
    Workflow,
}

impl Kind {
    /// Returns the designer's id.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Form => FORM_DESIGNER,
            Kind::Workflow => WORKFLOW_DESIGNER,
        }
    }

    /// Returns the check every call of the designer passes.
    pub fn check(self) -> &'static dyn CallCheck {
        match self {
            Kind::Form => &form::FormCheck,
            Kind::Workflow => &workflow::WorkflowCheck,
        }
    }

    /// Returns the designer's tools: T1 reads, and the create tool with its component's shape.
    pub fn tools(self, catalog: &Catalog) -> Vec<ArtifactTool> {
        let (reads, create, schema): (&[&str], &str, Value) = match self {
            Kind::Form => (&["form_template"], "form_template", form::create_schema()),
            Kind::Workflow => (&["agent_skill", "content_trigger"], "content_trigger", workflow::create_schema()),
        };
        let mut tools: Vec<ArtifactTool> =
            reads.iter().flat_map(|r| catalog.grants(r, Action::Read)).map(ArtifactTool::from).collect();
        tools.extend(catalog.grants(create, Action::Create).into_iter().map(|mut t| {
            t.input_schema = schema.clone();
            ArtifactTool::from(t)
        }));
        tools.sort_by(|a, b| a.name.cmp(&b.name));
        tools
    }

    /// Returns the designer's system prompt.
    pub fn system_prompt(self) -> String {
        let common = "Read what the org already has with the read tools first, and reuse rather than duplicate. \
            Create only with the create tool: each call becomes a proposal that a person confirms, and agentb \
            checks it first; a refused call tells you what to fix. Never name an organization in a tool input: \
            agentb acts for the org of the session. When you are done, reply with one JSON object in a ```json \
            block: {\"summary\": \"what you designed\", \"created\": [the names you proposed]}.";
        match self {
            Kind::Form => format!(
                "You are agentb's form designer. You design one FormTemplate of the ERP for the requirements you are \
                 given: a `name` unique in the org, an optional `description`, and `fields`, at least one, each with \
                 a snake_case `name` unique in the form, a `label`, a `type` (one of {}), `required` (true or \
                 false), and `options` (a list of strings) for select and multiselect fields. Ask only for what the \
                 requirements need.\n\n{common}",
                form::FIELD_TYPES.join(", ")
            ),
            Kind::Workflow => format!(
                "You are agentb's workflow designer. You design a chain of ContentTriggers of the ERP for the \
                 requirements you are given. Each trigger has a `name` unique in the org, a snake_case `event` that \
                 fires it (a record event such as `brief_created`, or `<skill>_completed` to run after another \
                 skill of the chain), the `skillSlug` of the skill it runs, and optional `conditions` and `input`. \
                 Triggers may invoke existing skills only: list the org's skills first and use their slugs; if the \
                 requirements need a skill the org lacks, say so in the summary instead of inventing one.\n\n{common}"
            ),
        }
    }
}

/// What to design.
#[derive(Debug, Clone)]
pub struct Options {
    pub kind: Kind,
    pub requirements: String,
    pub org: String,
    pub instance: Option<String>,
    pub model: Option<String>,
}

/// Returns the designer's new session (not yet saved); the org is checked when it starts.
pub fn prepare(project: &Project, opts: &Options, clock: &Clock, ids: &Ids) -> anyhow::Result<Session> {
    if opts.requirements.trim().is_empty() {
        return Err(BuildError::Empty { what: "requirements text" }.into());
    }
    let catalog = Catalog::new(&project.config.erp.entities, &project.config.tiers);
    let kind = opts.kind;
    let system = kind.system_prompt();
    let artifact = super::builtin_artifact(Builtin {
        id: kind.id(),
        description: match kind {
            Kind::Form => "Designs a FormTemplate and proposes it.",
            Kind::Workflow => "Designs a chain of ContentTriggers over existing skills and proposes it.",
        },
        system: &system,
        tools: kind.tools(&catalog),
        limits: super::limits_of(&project.config.limits),
        input_schema: json!({"type": "object", "properties": {"requirements": {"type": "string", "minLength": 1}}, "required": ["requirements"]}),
        output_schema: json!({"type": "object", "properties": {"summary": {"type": "string"}, "created": {"type": "array", "items": {"type": "string"}}}, "required": ["summary"]}),
    });
    let instance = crate::erp::instance_config(project, opts.instance.as_deref())?.0.to_owned();
    lifecycle::new_session(NewSession {
        artifact,
        origin: None,
        persona: None,
        org: &opts.org,
        instance: &instance,
        input: json!({"requirements": opts.requirements.trim()}),
        model: opts.model.clone().unwrap_or_else(|| project.config.claude.model.clone()),
        max_tokens: project.config.claude.max_tokens,
        clock,
        ids,
    })
}

/// Runs the designer's session on the lifecycle (`triggered_by` = `builder`). `deps.check` must
/// be the designer's own check ([`Kind::check`]); the command builds the deps with it.
pub async fn design(deps: &RunDeps<'_>, session: Session) -> anyhow::Result<RunReport> {
    debug_assert!(deps.check.is_some(), "a designer runs with its check");
    lifecycle::start(deps, session, "builder").await
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::Tier;

    #[test]
    fn designers_read_with_t1_and_create_with_t2_only() {
        let catalog = Catalog::new(&[], &BTreeMap::new());
        let form = Kind::Form.tools(&catalog);
        let names: Vec<(&str, Tier)> = form.iter().map(|t| (t.name.as_str(), t.tier)).collect();
        assert_eq!(
            names,
            [
                ("erp_create_form_template", Tier::T2),
                ("erp_get_form_template", Tier::T1),
                ("erp_list_form_templates", Tier::T1)
            ]
        );
        let workflow = Kind::Workflow.tools(&catalog);
        assert_eq!(workflow.iter().filter(|t| t.tier != Tier::T1).count(), 1);
        assert!(workflow.iter().all(|t| t.action == "read" || t.name == workflow::CREATE));
        for tool in form.iter().chain(&workflow) {
            assert!(super::super::HELP.contains(&tool.name), "`agentb build --help` lists {}", tool.name);
        }
    }
}
