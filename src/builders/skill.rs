//! `agentb build skill "DESCRIPTION" [--id ID] [--rounds N]` (SPEC §11): the skill builder
//! drafts a new skill from a one-sentence description through the lint-feedback loop of
//! [`super::draft`]; [`write`] creates `skills/<id>.md` and never replaces a file (improving an
//! existing skill is `agentb refine`).

use std::fmt::Write as _;
use std::io::Write as _;

use serde::Serialize;

use super::BuildError;
use super::draft::{self, Drafter, Goal, Problem, Round};
use crate::claude::Usage;
use crate::workspace::Project;

/// The skill builder's id (its sessions' skill).
pub const BUILDER: &str = "skill-builder";

/// The default number of rounds.
pub const DEFAULT_ROUNDS: u32 = 3;

/// The format every skill builder is told (SPEC §3), shared with the refiner.
pub const FORMAT: &str = "\
A skill file is YAML frontmatter between `---` lines, then Markdown:

```markdown
---
id: brief-creator            # lowercase letters, digits, single hyphens; 1-64 chars; the file is skills/<id>.md
type: skill
version: 1.0.0               # full semver
status: draft                # draft | active | deprecated | disabled
category: briefs
description: Drafts a project brief from a client request.
triggers:                    # at least one: {event: snake_case_name} or {schedule: \"CRON\"}
  - event: manual_invoke
inputs:                      # {name (snake_case), type, required?, description?, enum?, default?}
  - name: request_details
    type: string
    required: true
outputs:                     # required unless `required: false`
  - name: draft_brief
    type: Brief
dependencies: []             # other skills of the project: id or id@^1.0
permissions:                 # resource:action, action one of read|create|update|delete|execute
  - brief:create
  - client:read
---

# Brief Creator

## Purpose
One paragraph: what the skill does and for whom.

## Founder Knowledge
> \"A quoted rule of thumb the team trusts.\"

## Process
1. An ordered list of steps (required, not empty).

## Error Handling
| Error | Action |
|-------|--------|
| Missing client context | Request additional info |
```

Types: string, number, integer, boolean, object, array, date, datetime, an ERP entity (Brief, Client, Deal,
User, Deliverable, FormTemplate, ContentTrigger, KnowledgeDocument), or any of these with [] for a list.
Permissions grant the ERP tools the skill may call (client:read grants erp_get_client and erp_list_clients);
grant only what the process needs. Never put keys, tokens or passwords in a skill.";

/// Returns the skill builder's system prompt.
pub fn system_prompt() -> String {
    format!(
        "You are agentb's skill builder. You write one agent skill file for a team's project, from a short \
         description. agentb lints every draft and sends you the diagnostics; fix each one.\n\n{FORMAT}\n\n\
         You may look at the project's existing skills with the tools (to reuse their conventions and to depend \
         on them), but you write a new skill: never reuse an existing id. Reply with the whole file in one \
         ```markdown block and nothing else of substance."
    )
}

/// What to build.
#[derive(Debug, Clone)]
pub struct Options {
    pub description: String,
    /// The id the skill must have (`None`: the model picks one that is new).
    pub id: Option<String>,
    pub rounds: u32,
}

/// What `agentb build skill` did: `--format json` prints it as it is.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub session: String,
    /// The skill's id (the last draft's).
    pub id: Option<String>,
    /// Where it is (or would be) written, as shown.
    pub path: Option<String>,
    pub clean: bool,
    pub rounds: Vec<Round>,
    /// The last draft's problems (warnings only when clean).
    pub problems: Vec<Problem>,
    /// The last draft.
    pub draft: Option<String>,
    pub written: bool,
    pub usage: Usage,
    pub cost_usd: f64,
    pub turns: u32,
}

/// Checks the options before anything is sent: a description, at least one round, and an
/// `--id` that is a valid id of no existing skill.
pub fn preflight(project: &Project, opts: &Options) -> Result<(), BuildError> {
    if opts.description.trim().is_empty() {
        return Err(BuildError::Empty { what: "skill description" });
    }
    if opts.rounds == 0 {
        return Err(BuildError::NoRounds);
    }
    if let Some(id) = &opts.id {
        if let Some(problem) = draft::id_problem(id) {
            return Err(BuildError::InvalidId { id: id.clone(), problem: problem.to_owned() });
        }
        let path = project.skills_dir().join(format!("{id}.md"));
        if path.exists() {
            let shown = project.display_path(&path).display().to_string();
            return Err(BuildError::Exists { id: id.clone(), path: shown });
        }
    }
    Ok(())
}

/// Drafts the skill; nothing is written (see [`write`]).
pub async fn build(d: &Drafter<'_>, opts: &Options) -> anyhow::Result<BuildReport> {
    preflight(d.project, opts)?;
    let mut prompt = format!("Write a new skill for this description:\n\n{}\n", opts.description.trim());
    if let Some(id) = &opts.id {
        let _ = write!(prompt, "\nIts id must be `{id}`.\n");
    }
    let goal = Goal {
        builder: BUILDER,
        system: system_prompt(),
        prompt,
        id: opts.id.clone(),
        replaces: false,
        rounds: opts.rounds,
    };
    let drafted = draft::run(d, &goal).await?;
    let clean = drafted.clean();
    let id = drafted.checked.as_ref().and_then(|c| c.id.clone());
    let path = id.as_ref().map(|id| {
        let path = d.project.skills_dir().join(format!("{id}.md"));
        d.project.display_path(&path).display().to_string()
    });
    let problems = match (&drafted.checked, drafted.rounds.last()) {
        (Some(c), _) => c.problems.clone(),
        (None, Some(round)) => round.problems.clone(),
        (None, None) => Vec::new(),
    };
    Ok(BuildReport {
        session: drafted.session,
        id,
        path,
        clean,
        rounds: drafted.rounds,
        problems,
        draft: drafted.text,
        written: false,
        usage: drafted.usage,
        cost_usd: drafted.cost_usd,
        turns: drafted.turns,
    })
}

/// Writes a clean draft as a new file; a file that appeared meanwhile is never replaced.
pub fn write(project: &Project, report: &mut BuildReport) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let (Some(id), Some(text), true) = (&report.id, &report.draft, report.clean) else {
        anyhow::bail!("only a lint-clean draft is written");
    };
    let dir = project.skills_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    let path = dir.join(format!("{id}.md"));
    let shown = project.display_path(&path).display().to_string();
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BuildError::Exists { id: id.clone(), path: shown }.into());
        }
        Err(e) => return Err(e).with_context(|| format!("failed to create `{shown}`")),
    };
    file.write_all(text.as_bytes()).with_context(|| format!("failed to write `{shown}`"))?;
    report.written = true;
    Ok(())
}
