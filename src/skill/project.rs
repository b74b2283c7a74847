//! The project-wide view: every skill, persona and test file parsed (in parallel), then the
//! rules that need more than one file: duplicate ids, dependency resolution and cycles,
//! persona `allowed_skills`, test files naming skills, and config tool names.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::model::{Persona, Skill, Status, normalize_id};
use super::parse::{self, ParseContext, Parsed};
use crate::lint::render::Sources;
use crate::lint::{Diagnostic, Edit, Level, rules};
use crate::settings::Project;

/// Everything lint and compile know about a project's files.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Skills whose frontmatter was usable (possibly with errors), sorted by id.
    pub skills: Vec<Skill>,
    pub personas: Vec<Persona>,
    pub diagnostics: Vec<Diagnostic>,
    /// File texts for rendering snippets, with secrets masked (fixes read the files again).
    pub sources: Sources,
    /// Absolute path of every file, keyed by its display path.
    pub paths: BTreeMap<PathBuf, PathBuf>,
    pub files_checked: usize,
}

impl Workspace {
    /// Returns the skill with this id.
    pub fn skill(&self, id: &str) -> Option<&Skill> {
        self.skills.iter().find(|s| s.id.value == id)
    }

    /// Returns whether any diagnostic of this file is an error.
    pub fn file_has_errors(&self, display: &Path) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error && d.file == display)
    }
}

/// The kinds of file in a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Skill,
    Persona,
    Test,
}

#[allow(clippy::case_sensitive_file_extension_comparisons, reason = "the name is lowercased first")]
/// Lists the project's files: `skills/*.md`, `skills/*.test.yaml`, `personas/*.md`.
fn list(project: &Project) -> std::io::Result<Vec<(PathBuf, Kind)>> {
    let mut files = Vec::new();
    for (dir, is_skills) in [(project.skills_dir(), true), (project.personas_dir(), false)] {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if !entry.file_type()?.is_file() {
                continue;
            }
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            let kind = if name.ends_with(".test.yaml") || name.ends_with(".test.yml") {
                if !is_skills {
                    continue;
                }
                Kind::Test
            } else if name.ends_with(".md") {
                if is_skills { Kind::Skill } else { Kind::Persona }
            } else {
                continue;
            };
            files.push((path, kind));
        }
    }
    files.sort();
    Ok(files)
}

enum Loaded {
    Skill(Box<Parsed<Skill>>),
    Persona(Box<Parsed<Persona>>),
    Test(Vec<Diagnostic>, Option<String>),
}

/// Loads and checks every file of the project.
pub fn load(project: &Project) -> anyhow::Result<Workspace> {
    use anyhow::Context as _;
    let files = list(project).with_context(|| format!("failed to list `{}`", project.skills_dir().display()))?;
    let ctx = ParseContext::new(&project.config);
    let loaded: Vec<(PathBuf, PathBuf, Loaded)> = files
        .par_iter()
        .map(|(path, kind)| {
            let display = project.display_path(path).into_owned();
            let loaded = match kind {
                Kind::Skill => Loaded::Skill(Box::new(parse::skill_file(path, &display, &ctx))),
                Kind::Persona => Loaded::Persona(Box::new(parse::persona_file(path, &display))),
                Kind::Test => {
                    let (diags, text) = check_test_file(path, &display);
                    Loaded::Test(diags, text)
                }
            };
            (path.clone(), display, loaded)
        })
        .collect();

    let mut ws = Workspace { files_checked: loaded.len(), ..Workspace::default() };
    let mut tests: Vec<PathBuf> = Vec::new();
    for (path, display, loaded) in loaded {
        ws.paths.insert(display.clone(), path);
        let text = match loaded {
            Loaded::Skill(p) => {
                ws.diagnostics.extend(p.diagnostics);
                ws.skills.extend(p.item);
                p.text
            }
            Loaded::Persona(p) => {
                ws.diagnostics.extend(p.diagnostics);
                ws.personas.extend(p.item);
                p.text
            }
            Loaded::Test(diags, text) => {
                ws.diagnostics.extend(diags);
                tests.push(display.clone());
                text
            }
        };
        if let Some(text) = text {
            ws.sources.insert(display, Arc::from(crate::lint::secrets::mask(&text)));
        }
    }
    cross_file_rules(&mut ws, &tests, project);
    // Messages quote values (an unknown key, a status, a type): never echo a pasted secret.
    ws.diagnostics.iter_mut().for_each(crate::lint::secrets::redact_diagnostic);
    ws.skills.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    ws.personas.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    Ok(ws)
}

fn cross_file_rules(ws: &mut Workspace, tests: &[PathBuf], project: &Project) {
    let mut diags = Vec::new();
    duplicate_ids(ws.skills.iter().map(|s| (&s.id, &s.path)), "skill", &mut diags);
    duplicate_ids(ws.personas.iter().map(|p| (&p.id, &p.path)), "persona", &mut diags);
    dependencies(&ws.skills, &mut diags);
    cycles(&ws.skills, &mut diags);
    for persona in &ws.personas {
        for allowed in &persona.allowed_skills {
            if ws.skill(&allowed.value).is_none() {
                let mut d = Diagnostic::new(
                    &rules::UNKNOWN_ALLOWED_SKILL,
                    &persona.path,
                    Some(allowed.span.clone()),
                    format!("persona `{}` allows the unknown skill `{}`", persona.id.value, allowed.value),
                )
                .label("no skill has this id");
                if let Some(m) =
                    crate::text::did_you_mean(&allowed.value, ws.skills.iter().map(|s| s.id.value.as_str()))
                {
                    d = d.help(format!("did you mean `{m}`?"));
                }
                diags.push(d);
            }
        }
    }
    for test in tests {
        let name = test.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let id = name.trim_end_matches(".test.yaml").trim_end_matches(".test.yml");
        if ws.skill(id).is_none() {
            diags.push(
                Diagnostic::new(
                    &rules::INVALID_TEST_FILE,
                    test,
                    None,
                    format!("test file for the unknown skill `{id}`"),
                )
                .help("name the file after a skill: `skills/<id>.test.yaml`".to_string()),
            );
        }
    }
    let max_tokens = project.config.lint.max_prompt_tokens;
    for skill in &ws.skills {
        let tokens = crate::compile::prompt::estimate_tokens(&crate::compile::prompt::render(skill));
        if tokens > max_tokens {
            diags.push(
                Diagnostic::new(
                    &rules::PROMPT_TOO_LARGE,
                    &skill.path,
                    Some(skill.id.span.clone()),
                    format!(
                        "the compiled prompt of `{}` is about {tokens} tokens, over the budget of {max_tokens}",
                        skill.id.value
                    ),
                )
                .help("move reference material into ERP knowledge documents, or raise `[lint] max_prompt_tokens`"),
            );
        }
    }
    config_rules(project, &mut diags);
    ws.diagnostics.extend(diags);
}

fn duplicate_ids<'a>(
    items: impl Iterator<Item = (&'a super::model::Spanned<String>, &'a PathBuf)>,
    kind: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, &PathBuf> = HashMap::new();
    let mut items: Vec<_> = items.collect();
    items.sort_by(|a, b| a.1.cmp(b.1));
    for (id, path) in items {
        if let Some(first) = seen.get(id.value.as_str()) {
            diags.push(
                Diagnostic::new(
                    &rules::DUPLICATE_ID,
                    path,
                    Some(id.span.clone()),
                    format!("the {kind} id `{}` is also defined in `{}`", id.value, first.display()),
                )
                .label("duplicate id")
                .note(format!("first defined in `{}`", first.display())),
            );
        } else {
            seen.insert(&id.value, path);
        }
    }
}

fn dependencies(skills: &[Skill], diags: &mut Vec<Diagnostic>) {
    let by_id: HashMap<&str, &Skill> = skills.iter().map(|s| (s.id.value.as_str(), s)).collect();
    for skill in skills {
        for dep in &skill.dependencies {
            if let Some(target) = by_id.get(dep.id.as_str()) {
                if let Some(req) = &dep.req
                    && !req.matches(&target.version.value)
                {
                    diags.push(
                        Diagnostic::new(
                            &rules::DEPENDENCY_VERSION,
                            &skill.path,
                            Some(dep.span.clone()),
                            format!(
                                "`{}` requires `{}` {req}, but the project has {}",
                                skill.id.value, dep.id, target.version.value
                            ),
                        )
                        .label(format!("{} does not satisfy {req}", target.version.value))
                        .help(format!(
                            "require `{}@^{}.{}` or change `{}`",
                            dep.id,
                            target.version.value.major,
                            target.version.value.minor,
                            target.path.display()
                        )),
                    );
                }
                if skill.status == Status::Active && matches!(target.status, Status::Deprecated | Status::Disabled) {
                    diags.push(Diagnostic::new(
                        &rules::DEPENDS_ON_INACTIVE,
                        &skill.path,
                        Some(dep.id_span.clone()),
                        format!("`{}` depends on `{}`, which is {}", skill.id.value, dep.id, target.status.as_str()),
                    ));
                }
            } else {
                let normalized = normalize_id(&dep.id);
                let mut d = Diagnostic::new(
                    &rules::UNRESOLVED_DEPENDENCY,
                    &skill.path,
                    Some(dep.id_span.clone()),
                    format!("dependency `{}` names no skill of the project", dep.id),
                )
                .label("unknown skill");
                if by_id.contains_key(normalized.as_str()) {
                    d = d.help(format!("did you mean `{normalized}`?")).fix(
                        format!("replace dependency `{}` with `{normalized}`", dep.id),
                        vec![Edit { range: dep.id_span.clone(), replacement: normalized }],
                    );
                } else if let Some(m) = crate::text::did_you_mean(&dep.id, by_id.keys().copied()) {
                    d = d.help(format!("did you mean `{m}`?"));
                }
                diags.push(d);
            }
        }
    }
}

/// Reports each dependency cycle once, at the dependency entry that closes it.
fn cycles(skills: &[Skill], diags: &mut Vec<Diagnostic>) {
    let index: HashMap<&str, usize> = skills.iter().enumerate().map(|(i, s)| (s.id.value.as_str(), i)).collect();
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; skills.len()];
    for start in 0..skills.len() {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (skill, next dependency to look at).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some((node, next)) = stack.last_mut() {
            let skill = &skills[*node];
            if let Some(dep) = skill.dependencies.get(*next) {
                *next += 1;
                let Some(&target) = index.get(dep.id.as_str()) else {
                    continue;
                };
                match state[target] {
                    0 => {
                        state[target] = 1;
                        stack.push((target, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut path: Vec<&str> =
                            stack[from..].iter().map(|(n, _)| skills[*n].id.value.as_str()).collect();
                        path.push(&skills[target].id.value);
                        diags.push(
                            Diagnostic::new(
                                &rules::DEPENDENCY_CYCLE,
                                &skill.path,
                                Some(dep.span.clone()),
                                format!("dependency cycle: {}", path.join(" → ")),
                            )
                            .label("this dependency closes the cycle"),
                        );
                    }
                    _ => {}
                }
            } else {
                state[*node] = 2;
                stack.pop();
            }
        }
    }
}

fn config_rules(project: &Project, diags: &mut Vec<Diagnostic>) {
    let Some(config_path) = &project.config_path else {
        return;
    };
    let display = project.display_path(config_path).into_owned();
    let ctx = crate::tools::Catalog::new(&project.config.erp.entities, &std::collections::BTreeMap::new());
    let known = ctx.all_tool_names();
    let text = std::fs::read_to_string(config_path).unwrap_or_default();
    let names = project.config.tiers.keys().chain(project.config.limits.tools.keys());
    for name in names {
        if known.binary_search(name).is_err() {
            let span = text.find(name.as_str()).map(|i| i..i + name.len());
            let mut d = Diagnostic::new(
                &rules::CONFIG,
                &display,
                span,
                format!("the config names the tool `{name}`, which no permission grants"),
            );
            if let Some(m) = crate::text::did_you_mean(name, known.iter().map(String::as_str)) {
                d = d.help(format!("did you mean `{m}`?"));
            }
            diags.push(d);
        }
    }
}

/// Checks a test file's structure with typed loading (serde-saphyr, with its limits).
fn check_test_file(path: &Path, display: &Path) -> (Vec<Diagnostic>, Option<String>) {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct TestFile {
        cases: Vec<Case>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Case {
        name: String,
        #[serde(default)]
        org: Option<String>,
        #[serde(default)]
        input: serde_json::Value,
        #[serde(default)]
        fixtures: serde_json::Value,
        #[serde(default)]
        expect: serde_json::Value,
    }
    let src = match super::source::read(path) {
        Ok(src) => src,
        Err(problem) => return (super::parse::unreadable::<()>(display, &problem).diagnostics, None),
    };
    let mut diags = Vec::new();
    match serde_saphyr::from_str::<TestFile>(&src.text) {
        Ok(file) => {
            let mut names: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            for pair in names.windows(2) {
                if pair[0] == pair[1] {
                    let at = src.text.find(pair[0]).map(|i| i..i + pair[0].len());
                    diags.push(Diagnostic::new(
                        &rules::INVALID_TEST_FILE,
                        display,
                        at,
                        format!("two cases are named `{}`", pair[0]),
                    ));
                }
            }
        }
        Err(e) => {
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("invalid test file").to_owned();
            diags.push(Diagnostic::new(
                &rules::INVALID_TEST_FILE,
                display,
                None,
                format!("invalid test file: {first}"),
            ));
        }
    }
    diags.extend(crate::lint::secrets::scan(&src.text).into_iter().map(|s| {
        let shown = crate::lint::secrets::redact(&src.text[s.range.clone()]);
        Diagnostic::new(&rules::SECRET, display, Some(s.range), format!("this looks like {}: {shown}", s.kind))
            .label("possible secret")
    }));
    (diags, Some(src.text))
}
