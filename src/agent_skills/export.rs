//! `agentb export SKILL --format agent-skills --out DIR`: an agentb skill as `DIR/<id>/SKILL.md`
//! with its bundled files, in a form the official validator (`skills-ref`) accepts (SPEC §11).
//!
//! Only the six keys of the format are at the top level; what agentb has beyond them travels in
//! `metadata` as strings, so importing the folder again gives back the same skill. The body of
//! an imported skill goes back without its generated title, Purpose and Process, with its
//! headings one level up and its links pointing into the folder again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value as Json;

use super::markdown::{self, Edit};
use super::{
    AGENTB_KEYS, AgentSkillsError, GENERATED_STEP, INTERFACE_KEYS, KEY_BODY, KEY_CATEGORY, KEY_INTERFACE, KEY_STATUS,
    KEY_VERSION, MAX_COMPATIBILITY, MAX_DESCRIPTION, SKILL_MD, yaml_out,
};
use crate::lint::render::Sources;
use crate::lint::{Diagnostic, Level, rules};
use crate::skill::Skill;
use crate::skill::parse;
use crate::skill::source;
use crate::workspace::Project;

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The skill ids.
    pub skills: Vec<String>,
    /// The folder the skill folders are written into.
    pub out: PathBuf,
    /// Replace existing exported skill folders.
    pub force: bool,
}

/// What an export did.
#[derive(Debug, Default, Serialize)]
pub struct ExportReport {
    pub exported: Vec<Exported>,
    pub refused: Vec<Refused>,
    #[serde(skip)]
    pub sources: Sources,
}

/// One skill folder written.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub id: String,
    /// The skill folder written (`DIR/<id>`).
    pub dir: PathBuf,
    /// Whether an existing folder was replaced (`--force`).
    pub replaced: bool,
    /// `imported` (the generated Purpose and Process were dropped) or `agentb` (kept as it is).
    pub body: &'static str,
    /// The bundled files copied from `skills/<id>/`.
    pub files: usize,
    /// The links of the body pointed back into the folder.
    pub links_restored: usize,
    /// What the export decided that a reader may not expect.
    pub notes: Vec<String>,
}

/// One skill not exported, and why.
#[derive(Debug, Serialize)]
pub struct Refused {
    pub id: String,
    /// The problems, as lint's JSON objects.
    pub errors: Vec<Json>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

/// A skill folder ready to be written.
struct Prepared {
    id: String,
    text: String,
    body: &'static str,
    bundle_dir: PathBuf,
    files: Vec<PathBuf>,
    links_restored: usize,
    notes: Vec<String>,
}

/// Exports skills of the project as Agent Skills folders under `options.out`.
pub fn export(project: &Project, options: &ExportOptions) -> anyhow::Result<ExportReport> {
    let ws = crate::workspace::load::load(project)?;
    let mut report = ExportReport::default();
    let mut prepared = Vec::new();
    for id in &options.skills {
        let Some(skill) = ws.skill(id) else {
            let suggestion =
                crate::text::did_you_mean(id, ws.summaries.iter().map(|s| s.id.as_str())).map(str::to_owned);
            return Err(AgentSkillsError::UnknownSkill { id: id.clone(), suggestion }.into());
        };
        let errors: Vec<Diagnostic> =
            ws.diagnostics.iter().filter(|d| d.file == skill.path && d.level == Level::Error).cloned().collect();
        if !errors.is_empty() {
            if let Some(text) = ws.sources.text(&skill.path) {
                report.sources.insert(skill.path.clone(), Arc::from(text));
            }
            report.refused.push(Refused { id: id.clone(), errors: Vec::new(), diagnostics: errors });
            continue;
        }
        let path = ws.paths.get(&skill.path).cloned().unwrap_or_else(|| project.root.join(&skill.path));
        match prepare(project, skill, &path, &mut report.sources)? {
            Ok(p) => prepared.push(p),
            Err(diagnostics) => report.refused.push(Refused { id: id.clone(), errors: Vec::new(), diagnostics }),
        }
    }
    // Look at every target before writing any.
    let mut replaced = Vec::new();
    for p in &prepared {
        let dir = options.out.join(&p.id);
        let exists = std::fs::symlink_metadata(&dir).is_ok();
        if exists && !options.force {
            return Err(AgentSkillsError::Exists { path: dir }.into());
        }
        let empty = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none());
        if exists && !dir.join(SKILL_MD).is_file() && !empty {
            return Err(AgentSkillsError::NotAnExport { path: dir }.into());
        }
        replaced.push(exists);
    }
    for (p, replaced) in prepared.into_iter().zip(replaced) {
        let dir = options.out.join(&p.id);
        super::copy_folder(&p.bundle_dir, &p.files, &dir)?;
        crate::fs::write_atomic(&dir.join(SKILL_MD), p.text.as_bytes())?;
        report.exported.push(Exported {
            id: p.id,
            dir,
            replaced,
            body: p.body,
            files: p.files.len(),
            links_restored: p.links_restored,
            notes: p.notes,
        });
    }
    for refused in &mut report.refused {
        refused.errors = match crate::lint::render::json(&refused.diagnostics, &report.sources).get_mut("diagnostics") {
            Some(Json::Array(items)) => std::mem::take(items),
            _ => Vec::new(),
        };
    }
    Ok(report)
}

/// Builds the `SKILL.md` of one skill, or the diagnostics that stop it.
fn prepare(
    project: &Project,
    skill: &Skill,
    path: &Path,
    sources: &mut Sources,
) -> anyhow::Result<Result<Prepared, Vec<Diagnostic>>> {
    let display = skill.path.as_path();
    let src = source::read(path).map_err(|p| anyhow::anyhow!("cannot read `{}`: {p:?}", display.display()))?;
    let Ok((root, body_range, open)) = parse::frontmatter(&src, display) else {
        anyhow::bail!("`{}` changed while it was exported", display.display());
    };
    let id = skill.id.value.clone();
    let mut problems = Vec::new();
    let description_span = root.get("description").map_or(open.clone(), |n| n.span.clone());
    let chars = skill.description.chars().count();
    if skill.description.trim().is_empty() {
        problems.push(
            Diagnostic::new(
                &rules::MISSING_DESCRIPTION,
                display,
                Some(description_span.clone()),
                format!("`{id}` has no description, which an Agent Skill must have"),
            )
            .help("add `description:` saying what the skill does and when to use it"),
        );
    } else if chars > MAX_DESCRIPTION {
        problems.push(
            Diagnostic::new(
                &rules::AGENT_SKILLS_LIMIT,
                display,
                Some(description_span),
                format!(
                    "the description of `{id}` has {chars} characters, over the Agent Skills limit of {MAX_DESCRIPTION}"
                ),
            )
            .label(format!("{} characters too many", chars - MAX_DESCRIPTION))
            .help("shorten it to what the skill does and when to use it; move the rest into the body"),
        );
    }
    if let Some(compatibility) = &skill.compatibility
        && compatibility.chars().count() > MAX_COMPATIBILITY
    {
        let span = root.get("compatibility").map(|n| n.span.clone());
        problems.push(Diagnostic::new(
            &rules::AGENT_SKILLS_LIMIT,
            display,
            span,
            format!(
                "the `compatibility` of `{id}` has {} characters, over the Agent Skills limit of {MAX_COMPATIBILITY}",
                compatibility.chars().count()
            ),
        ));
    }
    if !problems.is_empty() {
        sources.insert(display.to_owned(), Arc::from(crate::lint::secrets::mask(&src.text).as_str()));
        return Ok(Err(problems));
    }

    let mut notes = Vec::new();
    // The body: an imported one goes back as it came.
    let body = super::trimmed_body(&src.text[body_range]);
    let (text, kind) = if let Some((purpose, instructions)) = imported_layout(&body) {
        if purpose.trim() != skill.description.trim() {
            notes.push(
                "the `## Purpose` text differs from the description; the export keeps only the description".to_owned(),
            );
        }
        let mut edits = markdown::shift_headings(&instructions, -1);
        let (links, n) = restore_links(&instructions, &id);
        edits.extend(links);
        ((markdown::apply(&instructions, edits), n), "imported")
    } else {
        let (links, n) = restore_links(&body, &id);
        ((markdown::apply(&body, links), n), "agentb")
    };
    let (body_out, links_restored) = text;

    // The frontmatter: the six keys, agentb's own in metadata.
    let s = |v: &str| Json::String(v.to_owned());
    let mut fm = String::new();
    yaml_out::entry(&mut fm, 0, "name", &s(&id));
    yaml_out::entry(&mut fm, 0, "description", &s(&skill.description));
    if let Some(license) = &skill.license {
        yaml_out::entry(&mut fm, 0, "license", &s(license));
    }
    if let Some(compatibility) = &skill.compatibility {
        yaml_out::entry(&mut fm, 0, "compatibility", &s(compatibility));
    }
    if !skill.allowed_tools.is_empty() {
        yaml_out::entry(&mut fm, 0, "allowed-tools", &s(&skill.allowed_tools.join(" ")));
    }
    let mut metadata = serde_json::Map::new();
    for (k, v) in &skill.metadata {
        if AGENTB_KEYS.contains(&k.as_str()) {
            notes.push(format!("`metadata.{k}` was replaced by the value agentb writes"));
            continue;
        }
        metadata.insert(k.clone(), s(v));
    }
    metadata.insert(KEY_VERSION.to_owned(), s(&skill.version.value.to_string()));
    metadata.insert(KEY_STATUS.to_owned(), s(skill.status.as_str()));
    metadata.insert(KEY_CATEGORY.to_owned(), s(&skill.category));
    let mut interface = serde_json::Map::new();
    for key in INTERFACE_KEYS {
        if let Some(node) = root.get(key) {
            interface.insert(key.to_owned(), node.to_json());
        }
    }
    metadata.insert(KEY_INTERFACE.to_owned(), s(&Json::Object(interface).to_string()));
    if kind == "agentb" {
        metadata.insert(KEY_BODY.to_owned(), s("agentb"));
    }
    yaml_out::entry(&mut fm, 0, "metadata", &Json::Object(metadata));
    let mut file = format!("---\n{fm}---\n");
    if !body_out.is_empty() {
        file.push('\n');
        file.push_str(&body_out);
        file.push('\n');
    }

    // The bundled files: `skills/<id>/`, if the skill has one.
    let bundle_dir = project.skills_dir().join(&id);
    let mut files = Vec::new();
    if bundle_dir.is_dir() {
        let (found, left_out) = super::files_under(&bundle_dir, &|_| false)?;
        notes.extend(left_out);
        for rel in found {
            if rel == Path::new(SKILL_MD) {
                notes.push(format!(
                    "`{}` was not copied: the export writes its own `SKILL.md`",
                    bundle_dir.join(&rel).display()
                ));
            } else {
                files.push(rel);
            }
        }
    }
    Ok(Ok(Prepared { id, text: file, body: kind, bundle_dir, files, links_restored, notes }))
}

/// Returns the edits that point `<id>/…` links back into the folder, and how many there are.
fn restore_links(text: &str, id: &str) -> (Vec<Edit>, usize) {
    let prefix = format!("{id}/");
    let mut edits = Vec::new();
    for link in markdown::links(text) {
        let mut dots = 0;
        while link.dest[dots..].starts_with("./") {
            dots += 2;
        }
        if link.dest[dots..].starts_with(&prefix) {
            let at = link.range.start + dots;
            edits.push(Edit { range: at..at + prefix.len(), text: String::new() });
        }
    }
    let n = edits.len();
    (edits, n)
}

/// Splits the body of an imported skill (an optional `# Title`, `## Purpose`, `## Process` with
/// exactly the generated step, then `## Instructions`) into the Purpose text and the
/// instructions; `None` for any other body.
fn imported_layout(body: &str) -> Option<(String, String)> {
    let mut lines = body.split_inclusive('\n').peekable();
    let skip_blank = |lines: &mut std::iter::Peekable<std::str::SplitInclusive<'_, char>>| {
        while lines.peek().is_some_and(|l| l.trim().is_empty()) {
            lines.next();
        }
    };
    if lines.peek().is_some_and(|l| l.starts_with("# ")) {
        lines.next();
    }
    skip_blank(&mut lines);
    if lines.next()?.trim_end() != "## Purpose" {
        return None;
    }
    let mut purpose = String::new();
    loop {
        let line = lines.next()?;
        if line.trim_end() == "## Process" {
            break;
        }
        purpose.push_str(line);
    }
    skip_blank(&mut lines);
    if lines.next()?.trim_end() != GENERATED_STEP {
        return None;
    }
    skip_blank(&mut lines);
    if lines.next()?.trim_end() != "## Instructions" {
        return None;
    }
    let rest: String = lines.collect();
    Some((purpose.trim().to_owned(), super::trimmed_body(&rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_imported_layout_is_recognized_and_nothing_else() {
        let body = "# T\n\n## Purpose\n\nDoes x.\n\n## Process\n\n1. Follow the instructions below.\n\n## Instructions\n\n## Own\n\ntext";
        assert_eq!(imported_layout(body), Some(("Does x.".to_owned(), "## Own\n\ntext".to_owned())));
        let empty =
            "# T\n\n## Purpose\n\nDoes x.\n\n## Process\n\n1. Follow the instructions below.\n\n## Instructions";
        assert_eq!(imported_layout(empty), Some(("Does x.".to_owned(), String::new())));
        let native = "# T\n\n## Purpose\n\nDoes x.\n\n## Process\n\n1. Analyze\n2. Write\n";
        assert_eq!(imported_layout(native), None);
    }

    #[test]
    fn links_into_the_folder_are_restored() {
        let text = "[a](./x/references/a.md) [b](x/b.md) [c](other/c.md) [d](https://x/y)";
        let (edits, n) = restore_links(text, "x");
        assert_eq!(n, 2);
        assert_eq!(markdown::apply(text, edits), "[a](./references/a.md) [b](b.md) [c](other/c.md) [d](https://x/y)");
    }
}
