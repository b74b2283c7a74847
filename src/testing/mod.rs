//! `agentb test` (SPEC §10): skill tests that run each case through agentb's real runtime
//! (guard, tiers, proposals, breakers) with a fresh in-memory ERP and a cassette-backed model.
//!
//! - [`spec`]: the test file format and its diagnostics;
//! - [`matcher`]: output paths and matchers;
//! - [`cassette`]: recorded model interactions, canonical requests, replay and record;
//! - [`assertions`]: a case's outcome checked against its expectations;
//! - [`report`]: the JSON and JUnit reports;
//! - [`runner`]: running cases in parallel, each a real run with a fresh ERP.

pub mod assertions;
pub mod cassette;
pub mod matcher;
pub mod report;
pub mod runner;
pub mod spec;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::lint::{Diagnostic, Level};
use crate::skill::parse::ParseContext;
use crate::testing::runner::Planned;
use crate::testing::spec::SkillView;
use crate::workspace::Project;
use crate::workspace::load::Workspace;

/// Why `agentb test` cannot start.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// A skill named on the command line does not exist.
    #[error("no skill `{skill}` in this project")]
    UnknownSkill { skill: String, suggestion: Option<String> },
    /// A test file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Read { path: PathBuf, message: String },
    /// `record` or `live` without an API key.
    #[error("`--mode {mode}` calls the Claude API, and the key variable `{env}` is not set")]
    MissingKey { mode: &'static str, env: String },
}

impl TestError {
    /// Returns the obvious next step, if there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            TestError::UnknownSkill { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            TestError::UnknownSkill { suggestion: None, .. } => {
                Some("list the skills with `agentb version`".to_owned())
            }
            TestError::Read { .. } => None,
            TestError::MissingKey { env, .. } => Some(format!(
                "export `{env}` with your Anthropic API key, or run the recorded cassettes with `--mode replay` (no key needed)"
            )),
        }
    }
}

/// The test files of a project, parsed and checked: what can run, and every diagnostic.
#[derive(Debug)]
pub struct Plan {
    pub planned: Vec<Planned>,
    /// Diagnostics of the test files; an error among them makes the run refuse to start.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every test file with a diagnostic, by its display path (for snippets).
    pub sources: Vec<(PathBuf, String)>,
    /// Skills named on the command line that have no test file.
    pub without_tests: Vec<String>,
}

impl Plan {
    /// Returns whether a test file is malformed (exit 2).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error)
    }

    /// Returns how many cases will run.
    pub fn cases(&self) -> usize {
        self.planned.iter().map(|p| p.file.cases.len()).sum()
    }
}

/// Returns the test files of the skills dir (`*.test.yaml`, `*.test.yml`), sorted.
pub fn test_files(skills_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(skills_dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (name.ends_with(".test.yaml") || name.ends_with(".test.yml")) && p.is_file()
        })
        .collect();
    files.sort();
    files
}

/// The diagnostics `agentb lint` adds for the test files: what `agentb test` checks beyond the
/// file's own syntax (which the workspace loader checks), namely tools, fixtures and personas a
/// case names that the skill cannot use, with the text of each file that has one. Files with an
/// error already in `flagged` are left to that error. Reads the skills in full only when a test
/// file exists.
pub fn lint(project: &Project, flagged: &dyn Fn(&Path) -> bool) -> anyhow::Result<Findings> {
    let files: Vec<PathBuf> =
        test_files(&project.skills_dir()).into_iter().filter(|f| !flagged(&project.display_path(f))).collect();
    let mut findings = Findings::default();
    if files.is_empty() {
        return Ok(findings);
    }
    let ws = crate::workspace::load::load(project)?;
    let checker = Checker::new(project, &ws);
    for path in files {
        let display = project.display_path(&path).into_owned();
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let (Some(file), parsed) = spec::parse(text.strip_prefix('\u{feff}').unwrap_or(&text), &display) else {
            continue;
        };
        if !parsed.is_empty() {
            continue;
        }
        let Some((_, view)) = checker.view(&spec::skill_of(&path)) else { continue };
        let found = spec::check(&file, &view);
        if !found.is_empty() {
            findings.sources.push((display, text));
            findings.diagnostics.extend(found);
        }
    }
    Ok(findings)
}

/// What [`lint`] found in the test files.
#[derive(Debug, Default)]
pub struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every test file with a diagnostic, by its display path (for snippets).
    pub sources: Vec<(PathBuf, String)>,
}

/// What checking a test file against its skill needs: the skill's artifact and what it may use.
struct Checker<'a> {
    project: &'a Project,
    ws: &'a Workspace,
    parse_ctx: ParseContext,
    known_tools: Vec<String>,
    personas: Vec<String>,
}

impl<'a> Checker<'a> {
    fn new(project: &'a Project, ws: &'a Workspace) -> Self {
        let parse_ctx = ParseContext::new(&project.config);
        let known_tools = parse_ctx.catalog.all_tool_names();
        let personas = ws.personas.iter().map(|p| p.id.value.clone()).collect();
        Self { project, ws, parse_ctx, known_tools, personas }
    }

    /// Returns the compiled skill and its view, for a skill without lint errors.
    fn view(&self, skill_id: &str) -> Option<(crate::compile::Artifact, SkillView)> {
        let (project, ws) = (self.project, self.ws);
        let skill = ws.skill(skill_id).filter(|s| {
            !ws.diagnostics.iter().any(|d| d.level == Level::Error && d.file == project.display_path(&s.path).as_ref())
        })?;
        let artifact = crate::workspace::build::artifacts(ws, &self.parse_ctx, &[skill]).pop()?;
        let view = SkillView {
            granted: artifact.tools.iter().map(|t| (t.name.clone(), t.collection.clone())).collect(),
            known_tools: self.known_tools.clone(),
            personas: self.personas.clone(),
        };
        Some((artifact, view))
    }
}

/// Parses and checks the test files of `only` (every skill's when empty), compiles the skills
/// they test, and keeps the cases whose name contains `filter`.
pub fn plan(project: &Project, ws: &Workspace, only: &[String], filter: Option<&str>) -> Result<Plan, TestError> {
    for id in only {
        if !ws.summaries.iter().any(|s| s.id == *id) {
            let suggestion = crate::text::did_you_mean(id, ws.summaries.iter().map(|s| s.id.as_str()));
            return Err(TestError::UnknownSkill { skill: id.clone(), suggestion: suggestion.map(str::to_owned) });
        }
    }
    let checker = Checker::new(project, ws);
    let mut plan =
        Plan { planned: Vec::new(), diagnostics: Vec::new(), sources: Vec::new(), without_tests: Vec::new() };
    let files = test_files(&project.skills_dir());
    for id in only {
        if !files.iter().any(|f| spec::skill_of(f) == *id) {
            plan.without_tests.push(id.clone());
        }
    }
    for path in files {
        let skill_id = spec::skill_of(&path);
        if !only.is_empty() && !only.contains(&skill_id) {
            continue;
        }
        let display = project.display_path(&path).into_owned();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| TestError::Read { path: display.clone(), message: e.to_string() })?;
        let (file, mut diags) = spec::parse(text.strip_prefix('\u{feff}').unwrap_or(&text), &display);
        let skill = ws.skill(&skill_id);
        let checked = checker.view(&skill_id);
        if let (Some(file), Some((_, view))) = (&file, &checked) {
            diags.extend(spec::check(file, view));
        }
        let artifact = checked.map(|(artifact, _)| artifact);
        if !diags.is_empty() {
            plan.sources.push((display.clone(), text.clone()));
        }
        let has_error = diags.iter().any(|d| d.level == Level::Error);
        plan.diagnostics.extend(diags);
        let Some(file) = file.filter(|_| !has_error) else { continue };
        let mut file = file;
        if let Some(filter) = filter {
            file.cases.retain(|c| c.name.contains(filter));
        }
        let problem = match (skill, &artifact) {
            (None, _) => Some(format!("{}: test file for the unknown skill `{skill_id}`", display.display())),
            (Some(_), None) => Some(format!("skill `{skill_id}` has lint errors; `agentb lint` shows them")),
            _ => None,
        };
        plan.planned.push(Planned { file, artifact: artifact.map(Arc::new), problem });
    }
    Ok(plan)
}
