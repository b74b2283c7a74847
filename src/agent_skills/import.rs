//! `agentb import PATH`: Agent Skills folders (a `SKILL.md`, a folder, or a tree of folders) into
//! `skills/<id>.md` with the bundled files under `skills/<id>/` (SPEC §11).
//!
//! Lenient with what real skills do (extra keys kept under `metadata`, a name that differs from
//! its folder, a list-valued `allowed-tools`, metadata that is not text), strict with what makes
//! a skill unusable (no frontmatter, an invalid name, a missing or over-long description, a
//! secret): a refused skill is reported with lint's diagnostics on its `SKILL.md`, nothing of it
//! is written, and the others still import. Every file written passes the skill parser with no
//! error; that is checked before it is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value as Json;

use super::markdown::{self, Edit, Target};
use super::{
    AgentSkillsError, GENERATED_STEP, INTERFACE_KEYS, KEY_BODY, KEY_CATEGORY, KEY_INTERFACE, KEY_STATUS, KEY_VERSION,
    MAX_COMPATIBILITY, MAX_DESCRIPTION, SKILL_MD, yaml_out,
};
use crate::lint::render::Sources;
use crate::lint::{Diagnostic, Level, rules};
use crate::skill::model::{Status, is_valid_id, normalize_id};
use crate::skill::parse::{self, ParseContext};
use crate::skill::source::{self, SourceFile};
use crate::skill::yaml::{Node, Value};
use crate::tools::Action;
use crate::workspace::Project;

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// A `SKILL.md`, a skill folder, or a folder of skill folders (searched recursively).
    pub path: PathBuf,
    /// Replace existing skill files (and their bundled-file folders).
    pub force: bool,
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub imported: Vec<Imported>,
    pub refused: Vec<Refused>,
    /// The texts diagnostics point into, for rendering.
    #[serde(skip)]
    pub sources: Sources,
}

/// One skill written.
#[derive(Debug, Serialize)]
pub struct Imported {
    pub id: String,
    /// The `SKILL.md` it came from.
    pub source: PathBuf,
    /// The skill file written.
    pub file: PathBuf,
    /// Whether an existing skill file was replaced (`--force`).
    pub overwritten: bool,
    pub version: String,
    pub status: String,
    pub category: String,
    /// The bundled files copied to `skills/<id>/`.
    pub files: usize,
    /// The relative links of the body rewritten to point into `skills/<id>/`.
    pub links_rewritten: usize,
    /// Top-level keys the format does not define, kept under `metadata`.
    pub kept_in_metadata: Vec<String>,
    /// `allowed-tools` entries that name agentb tools, and the permission each became.
    pub permissions_from_tools: Vec<ToolPermission>,
    /// `allowed-tools` entries kept but not granted (agentb grants tools only from `permissions`).
    pub not_granted: Vec<String>,
    /// What else the import decided: links left as they were, files not copied.
    pub notes: Vec<String>,
    /// Warnings about the source (and the written file), as lint's JSON objects.
    pub warnings: Vec<Json>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

/// An `allowed-tools` entry that became a permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolPermission {
    pub tool: String,
    pub permission: String,
}

/// One skill not imported, and why.
#[derive(Debug, Serialize)]
pub struct Refused {
    /// The `SKILL.md`.
    pub source: PathBuf,
    /// Why, when it is not one of the diagnostics.
    pub message: Option<String>,
    pub hint: Option<String>,
    /// The problems, as lint's JSON objects.
    pub errors: Vec<Json>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

/// Imports every skill under `options.path` into the project's skills folder.
pub fn import(project: &Project, options: &ImportOptions) -> anyhow::Result<ImportReport> {
    let candidates = find(&options.path)?;
    let ctx = ParseContext::new(&project.config);
    let tools = tool_permissions(&ctx);
    let skills_dir = project.skills_dir();
    let mut report = ImportReport::default();
    let mut planned: BTreeMap<String, PathBuf> = BTreeMap::new();
    for candidate in candidates {
        let outcome = convert(&candidate, project, &ctx, &tools, &mut report.sources);
        let plan = match outcome {
            Ok(plan) => plan,
            Err(refused) => {
                report.refused.push(refused);
                continue;
            }
        };
        let file = skills_dir.join(format!("{}.md", plan.id));
        let bundle = skills_dir.join(&plan.id);
        let refuse = |message: String, hint: Option<String>| Refused {
            source: candidate.display.clone(),
            message: Some(message),
            hint,
            errors: Vec::new(),
            diagnostics: Vec::new(),
        };
        if let Some(first) = planned.get(&plan.id) {
            report.refused.push(refuse(
                format!("the name `{}` was already imported from `{}`", plan.id, first.display()),
                Some("rename one of them: names must be unique in a project".to_owned()),
            ));
            continue;
        }
        let exists = file.exists() || std::fs::symlink_metadata(&file).is_ok();
        if !options.force && (exists || bundle.exists()) {
            let what = if exists { &file } else { &bundle };
            report.refused.push(refuse(
                format!("`{}` already exists", project.display_path(what).display()),
                Some("pass `--force` to overwrite it".to_owned()),
            ));
            continue;
        }
        if plan.id == "cassettes" {
            report.refused.push(refuse(
                format!(
                    "the name `cassettes` is taken: `{}` holds the test cassettes",
                    project.display_path(&bundle).display()
                ),
                Some("rename the skill".to_owned()),
            ));
            continue;
        }
        // Bundled files first, then the skill file: a failure leaves no skill without its files.
        if plan.files.is_empty() {
            if bundle.is_dir() {
                std::fs::remove_dir_all(&bundle)
                    .map_err(|e| anyhow::anyhow!("failed to remove `{}`: {e}", bundle.display()))?;
            }
        } else {
            super::copy_folder(&candidate.folder, &plan.files, &bundle)?;
        }
        std::fs::create_dir_all(&skills_dir)
            .map_err(|e| anyhow::anyhow!("failed to create `{}`: {e}", skills_dir.display()))?;
        crate::fs::write_atomic(&file, plan.text.as_bytes())?;
        planned.insert(plan.id.clone(), candidate.display.clone());
        report.imported.push(Imported {
            id: plan.id,
            source: candidate.display.clone(),
            file: project.display_path(&file).into_owned(),
            overwritten: exists,
            version: plan.version,
            status: plan.status.as_str().to_owned(),
            category: plan.category,
            files: plan.files.len(),
            links_rewritten: plan.links_rewritten,
            kept_in_metadata: plan.kept_in_metadata,
            permissions_from_tools: plan.permissions_from_tools,
            not_granted: plan.not_granted,
            notes: plan.notes,
            warnings: Vec::new(),
            diagnostics: plan.warnings,
        });
    }
    for imported in &mut report.imported {
        imported.warnings = json_diagnostics(&imported.diagnostics, &report.sources);
    }
    for refused in &mut report.refused {
        refused.errors = json_diagnostics(&refused.diagnostics, &report.sources);
    }
    Ok(report)
}

fn json_diagnostics(diagnostics: &[Diagnostic], sources: &Sources) -> Vec<Json> {
    match crate::lint::render::json(diagnostics, sources).get_mut("diagnostics").map(Json::take) {
        Some(Json::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// A `SKILL.md` found under the import path.
#[derive(Debug, Clone)]
struct Candidate {
    /// The file, as a path that can be opened.
    skill_md: PathBuf,
    /// Its folder: everything else in it is bundled.
    folder: PathBuf,
    /// The file as messages name it: the import path joined with the path below it.
    display: PathBuf,
}

/// Finds the skills under `path`: the file itself, the folder that holds a `SKILL.md`, or every
/// outermost folder with one below `path` (hidden folders and symbolic links are not searched).
fn find(path: &Path) -> Result<Vec<Candidate>, AgentSkillsError> {
    let meta = std::fs::metadata(path).map_err(|_| AgentSkillsError::NoSuchPath { path: path.to_owned() })?;
    if meta.is_file() {
        if !path.file_name().is_some_and(|n| n.eq_ignore_ascii_case(SKILL_MD)) {
            return Err(AgentSkillsError::NotASkillFile { path: path.to_owned() });
        }
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
        return Ok(vec![Candidate { skill_md: path.to_owned(), folder: folder.to_owned(), display: path.to_owned() }]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_owned()];
    while let Some(dir) = stack.pop() {
        if let Some(skill_md) = skill_md_in(&dir) {
            let display = skill_md.clone();
            out.push(Candidate { skill_md, folder: dir, display });
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        subdirs.sort();
        stack.extend(subdirs.into_iter().rev());
    }
    if out.is_empty() {
        return Err(AgentSkillsError::NoSkills { path: path.to_owned() });
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(out)
}

/// Returns the `SKILL.md` (or `skill.md`) of a folder.
fn skill_md_in(dir: &Path) -> Option<PathBuf> {
    ["SKILL.md", "skill.md"].iter().map(|n| dir.join(n)).find(|p| std::fs::symlink_metadata(p).is_ok())
}

/// Maps agentb's tool names to the permission that grants each.
fn tool_permissions(ctx: &ParseContext) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for resource in ctx.catalog.resources() {
        for action in Action::ALL {
            for tool in ctx.catalog.grants(resource, action) {
                out.entry(tool.name).or_insert_with(|| format!("{resource}:{}", action.as_str()));
            }
        }
    }
    out
}

/// A skill ready to be written.
struct Plan {
    id: String,
    text: String,
    version: String,
    status: Status,
    category: String,
    files: Vec<PathBuf>,
    links_rewritten: usize,
    kept_in_metadata: Vec<String>,
    permissions_from_tools: Vec<ToolPermission>,
    not_granted: Vec<String>,
    notes: Vec<String>,
    warnings: Vec<Diagnostic>,
}

/// Collects the diagnostics of one source file.
struct Findings<'a> {
    file: &'a Path,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Findings<'_> {
    fn error(
        &mut self,
        rule: &'static crate::lint::Rule,
        span: std::ops::Range<usize>,
        message: String,
    ) -> &mut Diagnostic {
        self.errors.push(Diagnostic::new(rule, self.file, Some(span), message));
        self.errors.last_mut().expect("just pushed")
    }

    fn warn(
        &mut self,
        rule: &'static crate::lint::Rule,
        span: std::ops::Range<usize>,
        message: String,
    ) -> &mut Diagnostic {
        let mut d = Diagnostic::new(rule, self.file, Some(span), message);
        d.level = Level::Warning;
        self.warnings.push(d);
        self.warnings.last_mut().expect("just pushed")
    }
}

fn set_help(d: &mut Diagnostic, help: impl Into<String>) {
    d.help = Some(help.into());
}

/// Converts one `SKILL.md` into the text of an agentb skill file, or refuses it.
fn convert(
    candidate: &Candidate,
    project: &Project,
    ctx: &ParseContext,
    tools: &BTreeMap<String, String>,
    sources: &mut Sources,
) -> Result<Plan, Refused> {
    let display = candidate.display.as_path();
    let refused = |diagnostics: Vec<Diagnostic>| Refused {
        source: display.to_owned(),
        message: None,
        hint: None,
        errors: Vec::new(),
        diagnostics,
    };
    let src = match source::read(&candidate.skill_md) {
        Ok(src) => src,
        Err(problem) => {
            let parsed: parse::Parsed<()> = parse::unreadable(display, &problem);
            if let Some(text) = parsed.text {
                sources.insert(display.to_owned(), Arc::from(crate::lint::secrets::mask(&text).as_str()));
            }
            return Err(refused(parsed.diagnostics));
        }
    };
    sources.insert(display.to_owned(), Arc::from(crate::lint::secrets::mask(&src.text).as_str()));
    let (root, body_range, open) = parse::frontmatter(&src, display).map_err(&refused)?;
    let text = src.text.as_str();
    let mut f = Findings { file: display, errors: parse::secret_diagnostics(&src, display), warnings: Vec::new() };

    // name → id
    let id = match root.get("name") {
        None => {
            f.error(&rules::MISSING_FIELD, open.clone(), "missing required key `name` in the frontmatter".to_owned());
            None
        }
        Some(node) => match node.as_str() {
            Some(name) if is_valid_id(name) => Some(name.to_owned()),
            Some(name) => {
                let d = f.error(
                    &rules::INVALID_ID,
                    node.span.clone(),
                    format!("invalid name `{name}`: it cannot become an agentb skill id"),
                );
                d.label = Some("lowercase letters, digits and single hyphens, 1 to 64 characters".to_owned());
                let normalized = normalize_id(name);
                if is_valid_id(&normalized) {
                    set_help(d, format!("rename the skill to `{normalized}`"));
                }
                None
            }
            None => {
                f.error(
                    &rules::WRONG_TYPE,
                    node.span.clone(),
                    format!("`name` must be a string, found {}", node.kind_name()),
                );
                None
            }
        },
    };
    if let Some(id) = &id {
        let folder = candidate.folder.canonicalize().ok();
        let folder_name = folder.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        if let (Some(folder_name), Some(node)) = (folder_name, root.get("name"))
            && &folder_name != id
        {
            let d = f.warn(
                &rules::ID_MISMATCH,
                node.span.clone(),
                format!("the name `{id}` differs from its folder `{folder_name}`; the skill is imported as `{id}`"),
            );
            d.label = Some(format!("folder `{folder_name}`"));
        }
    }

    // description, byte for byte
    let description = match root.get("description") {
        None => {
            let d = f.error(
                &rules::MISSING_FIELD,
                open.clone(),
                "missing required key `description` in the frontmatter".to_owned(),
            );
            set_help(d, "describe what the skill does and when to use it");
            None
        }
        Some(node) => match node.as_str() {
            Some(s) if s.trim().is_empty() => {
                f.error(&rules::EMPTY_VALUE, node.span.clone(), "`description` is empty".to_owned());
                None
            }
            Some(s) => {
                let chars = s.chars().count();
                if chars > MAX_DESCRIPTION {
                    let d = f.error(
                        &rules::AGENT_SKILLS_LIMIT,
                        node.span.clone(),
                        format!(
                            "the description has {chars} characters, over the Agent Skills limit of {MAX_DESCRIPTION}"
                        ),
                    );
                    d.label = Some(format!("{} characters too many", chars - MAX_DESCRIPTION));
                    set_help(d, "shorten it to what the skill does and when to use it; move the rest into the body");
                }
                Some(s.to_owned())
            }
            None => {
                f.error(
                    &rules::WRONG_TYPE,
                    node.span.clone(),
                    format!("`description` must be a string, found {}", node.kind_name()),
                );
                None
            }
        },
    };

    // Everything else.
    let mut license = None;
    let mut compatibility = None;
    let mut metadata: Vec<(String, String)> = Vec::new();
    let mut extra: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
    let mut allowed: Vec<String> = Vec::new();
    let mut own = Own::default();
    for (key, value) in root.as_map().unwrap_or_default() {
        let name = key.scalar_text().unwrap_or_default().into_owned();
        match name.as_str() {
            "name" | "description" => {}
            "license" | "compatibility" => {
                let text = as_text(value, text, &name, &mut f);
                if name == "compatibility" && text.chars().count() > MAX_COMPATIBILITY {
                    let d = f.warn(
                        &rules::AGENT_SKILLS_LIMIT,
                        value.span.clone(),
                        format!(
                            "`compatibility` has {} characters, over the Agent Skills limit of {MAX_COMPATIBILITY}; export will refuse it",
                            text.chars().count()
                        ),
                    );
                    set_help(d, "shorten it");
                }
                if name == "license" { license = Some(text) } else { compatibility = Some(text) }
            }
            "metadata" => match &value.value {
                Value::Map(entries) => {
                    for (k, v) in entries {
                        let key = k.scalar_text().unwrap_or_default().into_owned();
                        if own.take(&key, v, text, &mut f) {
                            continue;
                        }
                        let value = as_text(v, text, &format!("metadata.{key}"), &mut f);
                        metadata.push((key, value));
                    }
                }
                Value::Null => {}
                _ => {
                    f.warn(
                        &rules::WRONG_TYPE,
                        value.span.clone(),
                        format!(
                            "`metadata` must be a mapping of strings, found {}; it was not kept",
                            value.kind_name()
                        ),
                    );
                }
            },
            "allowed-tools" => allowed = tool_list(value, text, &mut f),
            _ => {
                let kept = as_text(value, text, &name, &mut f);
                extra.push((name, kept, key.span.clone()));
            }
        }
    }
    let mut kept_in_metadata = Vec::new();
    for (key, value, span) in extra {
        if metadata.iter().any(|(k, _)| *k == key) {
            f.warn(
                &rules::UNKNOWN_KEY,
                span,
                format!("unknown key `{key}` in the Agent Skills frontmatter; `metadata` already has `{key}`, so it was not kept"),
            );
            continue;
        }
        let d = f.warn(
            &rules::UNKNOWN_KEY,
            span,
            format!("unknown key `{key}` in the Agent Skills frontmatter; it is kept under `metadata`"),
        );
        d.label = Some("not an Agent Skills key".to_owned());
        metadata.push((key.clone(), value));
        kept_in_metadata.push(key);
    }

    let (Some(id), Some(description)) = (id, description) else {
        return Err(refused([f.errors, f.warnings].concat()));
    };
    if !f.errors.is_empty() {
        return Err(refused([f.errors, f.warnings].concat()));
    }

    // allowed-tools: agentb tools become permissions.
    let mut permissions: Vec<String> = own
        .interface
        .as_ref()
        .and_then(|i| i.get("permissions"))
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let mut permissions_from_tools = Vec::new();
    let mut allowed_tools = Vec::new();
    let mut not_granted = Vec::new();
    let mut notes = Vec::new();
    for tool in allowed {
        if let Some(permission) = tools.get(&tool) {
            if !permissions.contains(permission) {
                permissions.push(permission.clone());
            }
            permissions_from_tools.push(ToolPermission { tool, permission: permission.clone() });
            continue;
        }
        if tool.starts_with("erp_") {
            let suggestion = crate::text::did_you_mean(&tool, tools.keys().map(String::as_str));
            notes.push(match suggestion {
                Some(m) => format!("`{tool}` is not an agentb tool (did you mean `{m}`?); it is kept but not granted"),
                None => format!("`{tool}` is not an agentb tool; it is kept but not granted"),
            });
        }
        not_granted.push(tool.clone());
        allowed_tools.push(tool);
    }

    let version = own
        .version
        .clone()
        .or_else(|| metadata_version(&metadata, &root, &mut f))
        .unwrap_or_else(|| "1.0.0".to_owned());
    let status = own.status.unwrap_or(Status::Draft);
    let category = own
        .category
        .clone()
        .or_else(|| metadata.iter().find(|(k, v)| k == "category" && !v.trim().is_empty()).map(|(_, v)| v.clone()))
        .unwrap_or_else(|| "imported".to_owned());

    // The frontmatter.
    let mut fm = String::new();
    let s = |v: &str| Json::String(v.to_owned());
    yaml_out::entry(&mut fm, 0, "id", &s(&id));
    yaml_out::entry(&mut fm, 0, "type", &s("skill"));
    yaml_out::entry(&mut fm, 0, "version", &s(&version));
    yaml_out::entry(&mut fm, 0, "status", &s(status.as_str()));
    yaml_out::entry(&mut fm, 0, "category", &s(&category));
    yaml_out::entry(&mut fm, 0, "description", &s(&description));
    let interface = own.interface.clone().unwrap_or_default();
    for key in INTERFACE_KEYS {
        match (key, interface.get(key)) {
            ("permissions", _) => {
                if !permissions.is_empty() {
                    yaml_out::entry(&mut fm, 0, key, &Json::from(permissions.clone()));
                }
            }
            ("triggers", None) => yaml_out::entry(&mut fm, 0, key, &serde_json::json!([{"event": "manual_invoke"}])),
            (_, Some(value)) => yaml_out::entry(&mut fm, 0, key, value),
            (_, None) => {}
        }
    }
    if let Some(license) = &license {
        yaml_out::entry(&mut fm, 0, "license", &s(license));
    }
    if let Some(compatibility) = &compatibility {
        yaml_out::entry(&mut fm, 0, "compatibility", &s(compatibility));
    }
    if !metadata.is_empty() {
        let map: serde_json::Map<String, Json> = metadata.iter().map(|(k, v)| (k.clone(), s(v))).collect();
        yaml_out::entry(&mut fm, 0, "metadata", &Json::Object(map));
    }
    if !allowed_tools.is_empty() {
        yaml_out::entry(&mut fm, 0, "allowed_tools", &Json::from(allowed_tools));
    }

    // The body: links into the folder rewritten, headings one level down under the generated
    // Purpose and Process (unless it is an agentb body already).
    let body = super::trimmed_body(&text[body_range]);
    let mut edits: Vec<Edit> = Vec::new();
    let mut links_rewritten = 0;
    for link in markdown::links(&body) {
        match markdown::target(&link.dest) {
            Target::Inside { prefix, path } => {
                let at = link.range.start + prefix;
                edits.push(Edit { range: at..at, text: format!("{id}/") });
                links_rewritten += 1;
                if !candidate.folder.join(&path).exists() {
                    notes.push(format!("the link `{}` points to `{path}`, which the folder does not have", link.dest));
                }
            }
            Target::Outside => {
                notes.push(format!("the link `{}` points outside the skill folder; it was left as it is", link.dest));
            }
            Target::External => {}
        }
    }
    let body_text = if own.agentb_body {
        markdown::apply(&body, edits)
    } else {
        let title = markdown::first_title(&body).unwrap_or_else(|| crate::skill::scaffold::title(&id));
        edits.extend(markdown::shift_headings(&body, 1));
        let instructions = markdown::apply(&body, edits);
        let mut out = format!(
            "# {title}\n\n## Purpose\n\n{}\n\n## Process\n\n{GENERATED_STEP}\n\n## Instructions\n",
            description.trim()
        );
        if !instructions.is_empty() {
            out.push('\n');
            out.push_str(&instructions);
        }
        out
    };
    let mut file_text = format!("---\n{fm}---\n\n{body_text}");
    if !file_text.ends_with('\n') {
        file_text.push('\n');
    }

    // The bundled files: everything in the folder but the SKILL.md.
    let skill_md_name = candidate.skill_md.file_name().map(PathBuf::from).unwrap_or_default();
    let (files, left_out) =
        super::files_under(&candidate.folder, &|rel| rel == skill_md_name).map_err(|e| Refused {
            source: display.to_owned(),
            message: Some(format!("cannot read the folder `{}`: {e}", candidate.folder.display())),
            hint: None,
            errors: Vec::new(),
            diagnostics: Vec::new(),
        })?;
    notes.extend(left_out);

    // What is written must lint with no error.
    let target = project.display_path(&project.skills_dir().join(format!("{id}.md"))).into_owned();
    let written = SourceFile { path: target.clone(), text: file_text.clone(), had_bom: false };
    let parsed = parse::skill_source(&written, &target, ctx);
    if parsed.has_errors() {
        sources.insert(target.clone(), Arc::from(crate::lint::secrets::mask(&file_text).as_str()));
        let mut diagnostics = parsed.diagnostics;
        for d in &mut diagnostics {
            d.notes.push(format!("in the file import would write for `{}`", display.display()));
        }
        return Err(refused([f.warnings, diagnostics].concat()));
    }
    let mut warnings = f.warnings;
    if !parsed.diagnostics.is_empty() {
        sources.insert(target.clone(), Arc::from(crate::lint::secrets::mask(&file_text).as_str()));
        warnings.extend(parsed.diagnostics);
    }

    Ok(Plan {
        id,
        text: file_text,
        version,
        status,
        category,
        files,
        links_rewritten,
        kept_in_metadata,
        permissions_from_tools,
        not_granted,
        notes,
        warnings,
    })
}

/// agentb's own metadata keys, read back from an export.
#[derive(Default)]
struct Own {
    version: Option<String>,
    status: Option<Status>,
    category: Option<String>,
    interface: Option<serde_json::Map<String, Json>>,
    agentb_body: bool,
}

impl Own {
    /// Takes `key` if it is one of agentb's own; returns whether it was.
    fn take(&mut self, key: &str, node: &Node, text: &str, f: &mut Findings<'_>) -> bool {
        let value = node.as_str().map_or_else(|| node_text(node, text), str::to_owned);
        let span = node.span.clone();
        match key {
            KEY_VERSION => match semver::Version::parse(value.trim()) {
                Ok(v) => self.version = Some(v.to_string()),
                Err(e) => {
                    f.error(
                        &rules::INVALID_VERSION,
                        span,
                        format!("`metadata.{KEY_VERSION}` is not a semantic version: {e}"),
                    );
                }
            },
            KEY_STATUS => {
                if let Some(s) = Status::ALL.into_iter().find(|s| s.as_str() == value) {
                    self.status = Some(s);
                } else {
                    let d = f.error(
                        &rules::INVALID_STATUS,
                        span,
                        format!("`metadata.{KEY_STATUS}` is `{value}`, not a status"),
                    );
                    d.label = Some("expected draft, active, deprecated or disabled".to_owned());
                }
            }
            KEY_CATEGORY if value.trim().is_empty() => {
                f.error(&rules::EMPTY_VALUE, span, format!("`metadata.{KEY_CATEGORY}` is empty"));
            }
            KEY_CATEGORY => self.category = Some(value),
            KEY_INTERFACE => match serde_json::from_str::<Json>(&value) {
                Ok(Json::Object(map)) => {
                    if let Some(unknown) = map.keys().find(|k| !INTERFACE_KEYS.contains(&k.as_str())) {
                        let d = f.error(
                            &rules::UNKNOWN_KEY,
                            span,
                            format!("unknown key `{unknown}` in `metadata.{KEY_INTERFACE}`"),
                        );
                        set_help(d, format!("expected some of: {}", INTERFACE_KEYS.join(", ")));
                    } else {
                        self.interface = Some(map);
                    }
                }
                Ok(other) => {
                    let kind = match other {
                        Json::Array(_) => "a list",
                        Json::String(_) => "a string",
                        _ => "a scalar",
                    };
                    f.error(
                        &rules::WRONG_TYPE,
                        span,
                        format!("`metadata.{KEY_INTERFACE}` must be a JSON object, found {kind}"),
                    );
                }
                Err(e) => {
                    f.error(&rules::WRONG_TYPE, span, format!("`metadata.{KEY_INTERFACE}` is not valid JSON: {e}"));
                }
            },
            KEY_BODY if value == "agentb" => self.agentb_body = true,
            KEY_BODY => {
                let d = f.error(&rules::WRONG_TYPE, span, format!("`metadata.{KEY_BODY}` is `{value}`"));
                set_help(d, "the only value is `agentb` (the body is an agentb skill body)");
            }
            _ => return false,
        }
        true
    }
}

/// Returns `metadata.version` as a full version, warning when it is not one.
fn metadata_version(metadata: &[(String, String)], root: &Node, f: &mut Findings<'_>) -> Option<String> {
    let (_, text) = metadata.iter().find(|(k, _)| k == "version")?;
    if let Ok(v) = semver::Version::parse(text.trim()) {
        return Some(v.to_string());
    }
    let padded = match text.trim().split('.').count() {
        1 => format!("{}.0.0", text.trim()),
        2 => format!("{}.0", text.trim()),
        _ => String::new(),
    };
    let span = root.get("metadata").and_then(|m| m.get("version")).map_or(0..0, |n| n.span.clone());
    if let Ok(v) = semver::Version::parse(&padded) {
        f.warn(&rules::INVALID_VERSION, span, format!("`metadata.version: {text}` is read as version `{v}`"));
        return Some(v.to_string());
    }
    f.warn(
        &rules::INVALID_VERSION,
        span,
        format!("`metadata.version: {text}` is not a semantic version; the skill is imported as 1.0.0"),
    );
    None
}

/// Returns a value as the text metadata keeps: strings as they are, other scalars and one-line
/// collections as written, other collections as compact JSON (with a warning).
fn as_text(node: &Node, text: &str, key: &str, f: &mut Findings<'_>) -> String {
    if let Some(s) = node.as_str() {
        return s.to_owned();
    }
    let kept = node_text(node, text);
    let shown: String = if kept.chars().count() > 60 {
        format!("{}…", kept.chars().take(60).collect::<String>())
    } else {
        kept.clone()
    };
    let d = f.warn(
        &rules::WRONG_TYPE,
        node.span.clone(),
        format!("`{key}` is {}, not a string; it is kept as the text `{shown}`", node.kind_name()),
    );
    d.label = Some("kept as text".to_owned());
    kept
}

fn node_text(node: &Node, text: &str) -> String {
    if matches!(node.value, Value::Null) {
        return String::new();
    }
    match &node.value {
        Value::Seq(_) | Value::Map(_) => {
            // A flow collection on one line is kept as written, brackets and all.
            let from = text.get(node.span.start..).unwrap_or_default();
            match flow_end(from) {
                Some(end) if !from[..end].contains('\n') => from[..end].to_owned(),
                _ => node.to_json().to_string(),
            }
        }
        _ => {
            let written = text.get(node.span.clone()).unwrap_or_default().trim();
            if written.is_empty() || written.contains('\n') {
                node.scalar_text().unwrap_or_default().into_owned()
            } else {
                written.to_owned()
            }
        }
    }
}

/// Returns the length of the flow collection (`[…]` or `{…}`) that `text` starts with.
fn flow_end(text: &str) -> Option<usize> {
    if !text.starts_with(['[', '{']) {
        return None;
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => depth += 1,
                ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// Returns the entries of `allowed-tools`: a space-separated string (spaces inside parentheses,
/// as in `Bash(git diff:*)`, stay), or a list.
fn tool_list(node: &Node, text: &str, f: &mut Findings<'_>) -> Vec<String> {
    match &node.value {
        Value::Str { text: s, .. } => split_tools(s),
        Value::Seq(items) => {
            items.iter().map(|item| as_text(item, text, "allowed-tools", f)).flat_map(|s| split_tools(&s)).collect()
        }
        Value::Null => Vec::new(),
        _ => {
            let kept = as_text(node, text, "allowed-tools", f);
            split_tools(&kept)
        }
    }
}

/// Splits a space- (or comma-) separated tool list, keeping what is inside parentheses whole.
pub fn split_tools(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            c if depth == 0 && (c.is_whitespace() || c == ',') => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_lists_keep_parentheses_whole() {
        assert_eq!(split_tools("Read  Bash(git diff:*) Grep,Glob"), ["Read", "Bash(git diff:*)", "Grep", "Glob"]);
        assert_eq!(split_tools(""), Vec::<String>::new());
    }

    #[test]
    fn flow_collections_end_at_their_bracket() {
        assert_eq!(flow_end("[a, \"b]\", 'c]'] # x"), Some(15));
        assert_eq!(flow_end("{a: [1]}\nb: 2"), Some(8));
        assert_eq!(flow_end("[open"), None);
    }
}
