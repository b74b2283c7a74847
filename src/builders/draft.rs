//! The lint-feedback loop shared by `agentb build skill` and `agentb refine` (SPEC §11): the
//! model drafts a skill file, agentb lints it in the context of the project (a copy of its
//! skills with the draft in place, so dependencies, duplicate ids and the file stem are checked
//! too) and sends the diagnostics back, for at most N rounds. An answer that holds no skill file
//! is a round whose problem says so. The model may read the project's skills with two T1 tools;
//! every call goes through the runtime's [`Guard`], and the conversation and its audit log are
//! a session like a run's (`agentb sessions show ID`).

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use super::BuildError;
use crate::claude::{ContentBlock, Message, MessagesRequest, Model, StopReason, SystemBlock, ToolDefinition, Usage};
use crate::compile::Artifact;
use crate::compile::artifact::ArtifactTool;
use crate::config::{Pricing, Tier};
use crate::lint::{Level, Levels};
use crate::runtime::clock::Clock;
use crate::runtime::guard::{Guard, Meter, Verdict};
use crate::runtime::hooks::{Event, HookInput, Hooks, Outcome as HookOutcome};
use crate::runtime::ids::Ids;
use crate::runtime::session::{self, Session, Store};
use crate::runtime::{Observer, message_text, output};
use crate::skill::parse::ParseContext;
use crate::workspace::Project;
use crate::workspace::load::{self, Workspace};

/// The tool that lists the project's skills.
pub const LIST_SKILLS: &str = "agentb_list_skills";
/// The tool that reads one skill file of the project.
pub const READ_SKILL: &str = "agentb_read_skill";

/// Returns the skill builders' tools: two T1 reads of the project's skill files.
pub fn tools() -> Vec<ArtifactTool> {
    let tool = |name: &str, description: &str, schema: Value| ArtifactTool {
        name: name.to_owned(),
        description: description.to_owned(),
        tier: Tier::T1,
        resource: "skill".to_owned(),
        action: "read".to_owned(),
        collection: "skills".to_owned(),
        input_schema: schema,
    };
    vec![
        tool(
            LIST_SKILLS,
            "List the project's skills: id, version, category, description and permissions of each.",
            json!({"type": "object", "properties": {}, "additionalProperties": false}),
        ),
        tool(
            READ_SKILL,
            "Read the whole file of one of the project's skills, by id.",
            json!({"type": "object", "properties": {"id": {"type": "string", "minLength": 1}}, "required": ["id"], "additionalProperties": false}),
        ),
    ]
}

/// One problem of a draft: a lint diagnostic, or an answer that is not a skill file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The lint rule (`AB012`); `None` when the answer held no skill file.
    pub code: Option<String>,
    pub level: Level,
    pub message: String,
    /// The line of the draft it points at (1-based).
    pub line: Option<usize>,
    pub help: Option<String>,
}

impl Problem {
    fn not_a_skill() -> Self {
        Problem {
            code: None,
            level: Level::Error,
            message: "the answer holds no skill file: no ```markdown block, and the text does not start with `---` frontmatter".to_owned(),
            line: None,
            help: Some("reply with the whole file, `---` YAML frontmatter `---` then Markdown, in one ```markdown block".to_owned()),
        }
    }

    fn error(message: String, help: Option<String>) -> Self {
        Problem { code: None, level: Level::Error, message, line: None, help }
    }

    /// Returns the problem as one line: `AB012 line 4: message (help: …)`.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(code) = &self.code {
            out.push_str(code);
            out.push(' ');
        }
        out.push_str(match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        });
        if let Some(line) = self.line {
            let _ = write!(out, " (line {line})");
        }
        out.push_str(": ");
        out.push_str(&self.message);
        if let Some(help) = &self.help {
            let _ = write!(out, " (help: {help})");
        }
        out
    }
}

/// One round: a draft and what lint said of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub round: u32,
    pub clean: bool,
    pub problems: Vec<Problem>,
}

/// A draft checked in the project.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The skill id the draft has (the goal's, or its frontmatter's).
    pub id: Option<String>,
    pub problems: Vec<Problem>,
    /// The draft's artifact, when it has no error.
    pub artifact: Option<Artifact>,
    /// Where its `version` scalar is, to apply a bump.
    pub version_span: Option<Range<usize>>,
}

impl Checked {
    /// Returns whether the draft has no error.
    pub fn clean(&self) -> bool {
        !self.problems.iter().any(|p| p.level == Level::Error)
    }
}

/// What to draft.
#[derive(Debug, Clone)]
pub struct Goal {
    /// The builder's id (`skill-builder`, `skill-refiner`): the session's skill.
    pub builder: &'static str,
    /// The built-in system prompt.
    pub system: String,
    /// The first user message.
    pub prompt: String,
    /// The id the draft must have (`None`: the draft names it, and it must be new).
    pub id: Option<String>,
    /// Whether the draft replaces the existing file of `id` (refine) instead of adding one.
    pub replaces: bool,
    /// At most this many drafts.
    pub rounds: u32,
}

/// Everything the loop takes from the world.
pub struct Drafter<'a> {
    pub model: &'a dyn Model,
    pub project: &'a Project,
    pub store: &'a Store,
    pub clock: &'a Clock,
    pub ids: &'a Ids,
    pub observer: &'a dyn Observer,
    pub model_name: String,
    pub max_tokens: u32,
    pub pricing: Option<Pricing>,
    /// The org the guard acts for (refine `--org`; empty without one, so no org passes).
    pub org: String,
    pub instance: String,
}

/// What the loop produced.
#[derive(Debug, Clone)]
pub struct Drafted {
    pub session: String,
    /// The last draft (`None` when no answer held a skill file).
    pub text: Option<String>,
    /// The last draft's check.
    pub checked: Option<Checked>,
    pub rounds: Vec<Round>,
    pub usage: Usage,
    pub cost_usd: f64,
    pub turns: u32,
}

impl Drafted {
    /// Returns whether the last draft is lint-clean.
    pub fn clean(&self) -> bool {
        self.checked.as_ref().is_some_and(Checked::clean)
    }
}

/// Returns the skill file an answer holds: the first fenced block whose content starts with
/// `---` (```markdown, ```md or bare), else the whole text when it starts with `---`.
pub fn extract_skill(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let Some(newline) = after.find('\n') else { break };
        let body = &after[newline + 1..];
        let Some(end) = find_closing_fence(body) else { break };
        let content = &body[..end];
        if content.trim_start().starts_with("---") {
            let mut file = content.trim_start().trim_end().to_owned();
            file.push('\n');
            return Some(file);
        }
        rest = &body[end..];
        rest = rest.get(3..).unwrap_or("");
    }
    let trimmed = text.trim();
    trimmed.starts_with("---").then(|| format!("{trimmed}\n"))
}

/// Returns where a fence that opens a line ends the block (the byte offset of its backticks).
fn find_closing_fence(body: &str) -> Option<usize> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.trim_end() == "```" {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Returns the `id:` of a draft's frontmatter, unquoted, when it has one.
pub fn frontmatter_id(text: &str) -> Option<String> {
    let parts = crate::skill::source::split(text).ok()?;
    text[parts.yaml].lines().find_map(|line| {
        let value = line.strip_prefix("id:")?.split(" #").next()?.trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// Lints a draft in the context of the project: its skills copied to a temporary folder with
/// the draft as `skills/<id>.md` (replacing the file of that id when `replaces`), personas as
/// they are. Returns the draft's problems (after the project's `[lint]` levels) and, when it has
/// no error, its artifact.
pub fn check_draft(project: &Project, text: &str, id: Option<&str>, replaces: bool) -> anyhow::Result<Checked> {
    use anyhow::Context as _;
    let named = frontmatter_id(text);
    let Some(id) = id.map(str::to_owned).or(named.clone()) else {
        let help = Some("start the frontmatter with `id: your-skill-id`".to_owned());
        return Ok(Checked {
            id: None,
            problems: vec![Problem::error("the draft's frontmatter has no `id`".to_owned(), help)],
            artifact: None,
            version_span: None,
        });
    };
    if let Some(problem) = id_problem(&id) {
        let help = Some("ids are lowercase letters, digits and single hyphens, 1–64 characters".to_owned());
        return Ok(Checked {
            id: Some(id.clone()),
            problems: vec![Problem::error(format!("`{id}` is not a skill id: {problem}"), help)],
            artifact: None,
            version_span: None,
        });
    }
    let skills = project.skills_dir();
    let target = skills.join(format!("{id}.md"));
    let mut problems = Vec::new();
    if !replaces && target.exists() {
        problems.push(Problem::error(
            format!("a skill `{id}` already exists in the project; this builder adds new skills only"),
            Some("choose another id for the new skill".to_owned()),
        ));
    }
    let tmp = tempfile::tempdir().context("failed to create a temporary folder to lint the draft")?;
    let tmp_skills = tmp.path().join("skills");
    std::fs::create_dir_all(&tmp_skills).with_context(|| format!("failed to create `{}`", tmp_skills.display()))?;
    if let Ok(entries) = std::fs::read_dir(&skills) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            let is_md = Path::new(&name).extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
            if is_md && entry.file_type().is_ok_and(|t| t.is_file()) && entry.path() != target {
                let to = tmp_skills.join(&name);
                std::fs::copy(entry.path(), &to)
                    .with_context(|| format!("failed to copy `{}`", entry.path().display()))?;
            }
        }
    }
    let draft_path = tmp_skills.join(format!("{id}.md"));
    std::fs::write(&draft_path, text).with_context(|| format!("failed to write `{}`", draft_path.display()))?;
    let mut config = project.config.clone();
    config.project.skills.clone_from(&tmp_skills);
    config.project.personas = project.personas_dir();
    let overlay = Project::new(tmp.path().to_path_buf(), None, config);
    let ws = load::load(&overlay)?;
    let levels = Levels::new(&project.config.lint.allow, &project.config.lint.deny, &project.config.lint.warn)?;
    let mut diagnostics = ws.diagnostics.clone();
    levels.apply(&mut diagnostics);
    let display = overlay.display_path(&draft_path).into_owned();
    for d in diagnostics.iter().filter(|d| d.file == display) {
        let line = d.span.as_ref().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        problems.push(Problem {
            code: Some(d.rule.code.to_owned()),
            level: d.level,
            message: d.message.clone(),
            line,
            help: d.help.clone(),
        });
    }
    let (artifact, version_span) = artifact_of(&overlay, &ws, &id, &problems);
    Ok(Checked { id: Some(id), problems, artifact, version_span })
}

fn artifact_of(
    overlay: &Project,
    ws: &Workspace,
    id: &str,
    problems: &[Problem],
) -> (Option<Artifact>, Option<Range<usize>>) {
    let Some(skill) = ws.skill(id) else { return (None, None) };
    let span = Some(skill.version.span.clone());
    if problems.iter().any(|p| p.level == Level::Error) {
        return (None, span);
    }
    let ctx = ParseContext::new(&overlay.config);
    (crate::workspace::build::artifacts(ws, &ctx, &[skill]).pop(), span)
}

/// Returns why `id` cannot be a skill id (SPEC §3), or `None`.
pub fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() || id.len() > 64 {
        Some("it must be 1–64 characters")
    } else if !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        Some("it may hold only lowercase letters, digits and hyphens")
    } else if id.starts_with('-') || id.ends_with('-') || id.contains("--") {
        Some("hyphens must be single and inside the id")
    } else {
        None
    }
}

/// Returns the session artifact of a skill builder.
fn artifact(goal: &Goal, limits: &crate::compile::artifact::EffectiveLimits) -> Artifact {
    super::builtin_artifact(super::Builtin {
        id: goal.builder,
        description: "Drafts a skill file that passes lint.",
        system: &goal.system,
        tools: tools(),
        limits: limits.clone(),
        input_schema: json!({"type": "object"}),
        output_schema: json!({"type": "object"}),
    })
}

/// Runs the loop: drafts, lints and feeds back until a draft is clean or `goal.rounds` drafts
/// were made. A breaker or a refusal ends it with an error; so does a failed Claude call.
pub async fn run(d: &Drafter<'_>, goal: &Goal) -> anyhow::Result<Drafted> {
    let limits = super::limits_of(&d.project.config.limits);
    let artifact = artifact(goal, &limits);
    let now = d.clock.now();
    let tools = artifact.tools.clone();
    let mut session = Session {
        id: d.ids.session(),
        skill: goal.builder.to_owned(),
        skill_version: artifact.version.to_string(),
        org: d.org.clone(),
        instance: d.instance.clone(),
        persona: None,
        origin: None,
        model: d.model_name.clone(),
        max_tokens: d.max_tokens,
        status: session::Status::Running,
        created_at: now,
        updated_at: now,
        invocation_id: None,
        input: json!({"prompt": goal.prompt}),
        system: goal.system.clone(),
        artifact,
        messages: vec![Message::user_text(goal.prompt.clone())],
        usage: Usage::default(),
        cost_usd: 0.0,
        turns: 0,
        counters: crate::runtime::guard::Counters::default(),
        corrections: 0,
        output: None,
        error: None,
    };
    crate::workspace::write_state_gitignore(&d.project.state_dir())?;
    d.store.create(&session)?;
    let result = drive(d, goal, &mut session, &tools, &limits).await;
    session.updated_at = d.clock.now();
    match &result {
        Ok(drafted) if drafted.clean() => session.status = session::Status::Completed,
        Ok(_) => {
            session.status = session::Status::Failed;
            session.error = Some(format!("the draft is still not lint-clean after {} rounds", goal.rounds));
        }
        Err(e) => {
            session.status = session::Status::Failed;
            session.error = Some(format!("{e:#}"));
        }
    }
    d.store.save(&session)?;
    result
}

async fn drive(
    d: &Drafter<'_>,
    goal: &Goal,
    session: &mut Session,
    tools: &[ArtifactTool],
    limits: &crate::compile::artifact::EffectiveLimits,
) -> anyhow::Result<Drafted> {
    let guard = Guard::new(&session.org, tools, limits);
    let mut meter = Meter::new(d.clock.now());
    let definitions: Vec<ToolDefinition> = tools
        .iter()
        .map(|t| ToolDefinition {
            name: t.name.clone(),
            description: t.description.clone(),
            input_schema: t.input_schema.clone(),
            cache_control: None,
        })
        .collect();
    let ws = load::load(d.project)?;
    let mut rounds: Vec<Round> = Vec::new();
    let mut last: (Option<String>, Option<Checked>) = (None, None);
    loop {
        let now = d.clock.now();
        if let Some(trip) = guard.breaker(&meter, now) {
            audit(d, session, "breaker", json!({"breaker": trip.breaker, "message": trip.message}));
            return Err(BuildError::Stopped { message: trip.message }.into());
        }
        session.counters.start_turn();
        let mut request = MessagesRequest::new(&session.model, session.max_tokens, session.messages.clone());
        request.system = vec![SystemBlock::cached(&session.system)];
        request.tools = definitions.clone();
        let remaining = guard.wall_time_left(&meter, now);
        let Ok(response) = tokio::time::timeout(remaining, d.model.send(&request, &|_| {})).await else {
            let trip = guard.wall_time_trip();
            audit(d, session, "breaker", json!({"breaker": trip.breaker, "message": trip.message}));
            return Err(BuildError::Stopped { message: trip.message }.into());
        };
        let response = response?;
        let cost = crate::runtime::count_reply(session, &mut meter, &response.usage, d.pricing.as_ref());
        audit(
            d,
            session,
            "turn",
            json!({"turn": session.turns, "stop_reason": response.stop_reason, "usage": response.usage, "cost_usd": cost}),
        );
        if response.stop_reason == Some(StopReason::Refusal) {
            let text = message_text(&Message::assistant(response.content));
            return Err(BuildError::Refused {
                message: if text.is_empty() { "no reason given".to_owned() } else { text },
            }
            .into());
        }
        let reply = Message::assistant(crate::runtime::sendable(response.content));
        let uses = crate::runtime::tool_uses(&reply);
        let text = message_text(&reply);
        session.messages.push(reply);
        if !uses.is_empty() {
            let mut results = Vec::with_capacity(uses.len());
            for (id, name, input) in uses {
                let (content, is_error) =
                    match answer_tool(d, session, &guard, &meter, &ws, tools, &id, &name, &input).await {
                        Ok(answer) => answer,
                        Err(trip) => {
                            audit(d, session, "breaker", json!({"breaker": trip.breaker, "message": trip.message}));
                            d.store.save(session)?;
                            return Err(BuildError::Stopped { message: trip.message }.into());
                        }
                    };
                let content = crate::runtime::cap_result(content, limits.max_tool_result_bytes);
                results.push(ContentBlock::tool_result(&id, content, is_error));
            }
            session.messages.push(Message::user(results));
            d.store.save(session)?;
            continue;
        }
        let round = u32::try_from(rounds.len()).unwrap_or(u32::MAX).saturating_add(1);
        let (draft, checked) = match extract_skill(&text) {
            Some(draft) => {
                let checked = check_draft(d.project, &draft, goal.id.as_deref(), goal.replaces)?;
                (Some(draft), Some(checked))
            }
            None => (None, None),
        };
        let problems = checked.as_ref().map_or_else(|| vec![Problem::not_a_skill()], |c| c.problems.clone());
        let clean = checked.as_ref().is_some_and(Checked::clean);
        let errors = problems.iter().filter(|p| p.level == Level::Error).count();
        audit(
            d,
            session,
            "draft",
            json!({"round": round, "clean": clean, "errors": errors, "problems": problems.len()}),
        );
        let said = if clean {
            match problems.len() {
                0 => "lint-clean".to_owned(),
                n => format!("lint-clean ({n} warning(s))"),
            }
        } else if draft.is_none() {
            "not a skill file".to_owned()
        } else {
            format!("{errors} error(s), {} warning(s)", problems.len() - errors)
        };
        d.observer.status("Round", &format!("{round}/{}: {said}", goal.rounds));
        rounds.push(Round { round, clean, problems: problems.clone() });
        if draft.is_some() {
            last = (draft, checked);
        }
        if clean || round >= goal.rounds {
            d.store.save(session)?;
            let (text, checked) = last;
            return Ok(Drafted {
                session: session.id.clone(),
                text,
                checked,
                rounds,
                usage: session.usage,
                cost_usd: session.cost_usd,
                turns: session.turns,
            });
        }
        let list: Vec<String> = problems.iter().map(|p| format!("- {}", p.describe())).collect();
        session.messages.push(Message::user_text(format!(
            "agentb checked your answer (round {round} of {}) and found:\n{}\n\nFix every problem and reply with the \
             whole corrected skill file in one ```markdown block.",
            goal.rounds,
            list.join("\n")
        )));
        d.store.save(session)?;
    }
}

/// Answers one tool call through the guard, the project's `pre_tool_use` hooks and the tool's
/// input schema; `Err` is a tripped breaker.
#[allow(clippy::too_many_arguments, reason = "the parts of one call")]
async fn answer_tool(
    d: &Drafter<'_>,
    session: &mut Session,
    guard: &Guard,
    meter: &Meter,
    ws: &Workspace,
    tools: &[ArtifactTool],
    id: &str,
    name: &str,
    input: &Value,
) -> Result<(String, bool), crate::runtime::guard::Trip> {
    let refuse = |session: &Session, rule: String, reason: String| {
        audit(
            d,
            session,
            "tool_call",
            json!({"tool": name, "tool_use_id": id, "decision": "refuse", "rule": rule, "reason": reason}),
        );
        (format!("refused by agentb ({rule}): {reason}"), true)
    };
    let tier = match guard.check(&session.counters, meter, d.clock.now(), name, input) {
        Verdict::Allow { tier } => tier,
        Verdict::Refuse { rule, reason } => return Ok(refuse(session, rule.to_string(), reason)),
        Verdict::Trip(trip) => return Err(trip),
    };
    let Some(tool) = tools.iter().find(|t| t.name == name) else {
        return Ok(refuse(session, "granted".to_owned(), format!("the tool `{name}` is not granted")));
    };
    let mut input = input.clone();
    let hooks = Hooks::new(Event::PreToolUse, &d.project.config.hooks.pre_tool_use);
    if hooks.matches(name) {
        let hook_input = HookInput {
            session_id: &session.id,
            org: &session.org,
            skill: &session.skill,
            hook_event_name: Event::PreToolUse.name(),
            tool_name: name,
            tool_input: &input,
            tool_use_id: id,
            tier: tier.to_string(),
            tool_response: None,
            cwd: d.project.root.display().to_string(),
        };
        let decision = hooks.run(&d.project.root, hook_input).await;
        for (index, command, rewrote) in &decision.ran {
            audit(
                d,
                session,
                "hook",
                json!({"event": "pre_tool_use", "index": index, "command": command, "tool": name, "tool_use_id": id, "rewrote_input": rewrote}),
            );
        }
        if let Some((index, command, outcome)) = decision.blocked {
            let reason = match outcome {
                HookOutcome::Deny(reason) => format!("the pre_tool_use hook `{command}` denied the call: {reason}"),
                HookOutcome::Failed(reason) => {
                    format!("the pre_tool_use hook `{command}` failed, so the call is blocked: {reason}")
                }
                _ => format!("the pre_tool_use hook `{command}` blocked the call"),
            };
            return Ok(refuse(session, format!("hooks.pre_tool_use[{index}]"), reason));
        }
        if let Some((path, named)) = crate::runtime::guard::foreign_org(&decision.input, &session.org) {
            let reason = format!("the hook's rewritten input names org `{named}` at `{path}`");
            return Ok(refuse(session, "org_isolation".to_owned(), reason));
        }
        input = decision.input;
    }
    match output::validate(&tool.input_schema, &input) {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => {
            let reason = format!("the input does not fit the tool's input schema: {}", problems.join("; "));
            return Ok(refuse(session, "input_schema".to_owned(), reason));
        }
        Err(e) => return Ok(refuse(session, "input_schema".to_owned(), e)),
    }
    session.counters.record(name, tier);
    audit(
        d,
        session,
        "tool_call",
        json!({"tool": name, "tool_use_id": id, "tier": tier, "decision": "allow", "rule": "granted", "input": input}),
    );
    Ok(execute(d.project, ws, name, &input))
}

/// Runs one of the two project tools.
fn execute(project: &Project, ws: &Workspace, name: &str, input: &Value) -> (String, bool) {
    if name == LIST_SKILLS {
        let list: Vec<Value> = ws
            .skills
            .iter()
            .map(|s| {
                json!({
                    "id": s.id.value,
                    "version": s.version.value.to_string(),
                    "category": s.category,
                    "description": s.description,
                    "permissions": s.permissions.iter().map(ToString::to_string).collect::<Vec<_>>(),
                })
            })
            .collect();
        return (serde_json::to_string(&list).unwrap_or_default(), false);
    }
    let id = input["id"].as_str().unwrap_or_default();
    let Some(skill) = ws.skill(id) else {
        let ids: Vec<&str> = ws.skills.iter().map(|s| s.id.value.as_str()).collect();
        return (format!("the project has no skill `{id}`; its skills: {}", ids.join(", ")), true);
    };
    let path: PathBuf = ws.paths.get(&skill.path).cloned().unwrap_or_else(|| project.root.join(&skill.path));
    match std::fs::read_to_string(&path) {
        Ok(text) => (text, false),
        Err(e) => (format!("cannot read `{}`: {e}", skill.path.display()), true),
    }
}

fn audit(d: &Drafter<'_>, session: &Session, event: &str, fields: Value) {
    if let Err(e) = d.store.audit(&session.id).append(d.clock.now(), event, fields) {
        tracing::warn!("cannot append to the audit log of `{}`: {e}", session.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skill_file_is_found_in_a_fence_or_as_the_whole_answer() {
        let fenced = "Here it is:\n\n```markdown\n---\nid: a\n---\n# A\n```\nDone.";
        assert_eq!(extract_skill(fenced).unwrap(), "---\nid: a\n---\n# A\n");
        let with_other = "```json\n{}\n```\n```md\n---\nid: b\n---\n```";
        assert_eq!(extract_skill(with_other).unwrap(), "---\nid: b\n---\n");
        assert_eq!(extract_skill("---\nid: c\n---\nbody").unwrap(), "---\nid: c\n---\nbody\n");
        assert_eq!(extract_skill("I cannot write that skill."), None);
        assert_eq!(extract_skill("```markdown\n# no frontmatter\n```"), None);
    }

    #[test]
    fn the_frontmatter_id_is_read_unquoted() {
        assert_eq!(frontmatter_id("---\ntype: skill\nid: \"my-skill\" # c\n---\n").as_deref(), Some("my-skill"));
        assert_eq!(frontmatter_id("---\ntype: skill\n---\n"), None);
        assert_eq!(frontmatter_id("no frontmatter"), None);
    }

    #[test]
    fn ids_follow_the_spec() {
        assert_eq!(id_problem("brief-creator"), None);
        for bad in ["", "Brief", "a--b", "-a", "a_b", &"a".repeat(65)] {
            assert!(id_problem(bad).is_some(), "{bad}");
        }
    }
}
