//! `agentb lint`: check skills, personas, test files and the config.

use std::path::{Path, PathBuf};

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{Format, LintArgs};
use crate::compile::cache::Cache;
use crate::lint::{self, Diagnostic, Levels, render};
use crate::skill::project::{self, Workspace};

pub fn run(ctx: &Ctx, args: &LintArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = report_format(ctx)?;
    let config = &project.config.lint;
    let levels = Levels::new(
        &[config.allow.clone(), args.allow.clone()].concat(),
        &[config.deny.clone(), args.deny.clone()].concat(),
        &config.warn,
    )?;
    let filter = path_filter(ctx, &args.paths)?;

    let mut cache = Cache::open(project);
    let mut ws = project::load_cached(project, &mut cache, project::Detail::Summaries)?;
    check_paths_in_scope(project, &ws, &args.paths, &filter)?;
    if args.fix {
        let fixed = apply_fixes(ctx, &ws, &filter)?;
        if fixed > 0 {
            ws = project::load_cached(project, &mut cache, project::Detail::Summaries)?;
        }
    }
    let mut diagnostics = std::mem::take(&mut ws.diagnostics);
    diagnostics.retain(|d| filter.matches(&ws, &d.file));
    levels.apply(&mut diagnostics);
    lint::sort(&mut diagnostics);
    print_report(ctx, format, &diagnostics, &ws);
    // Lint keeps the cache up to date but does not create `.agentbuilder/` (compile does).
    cache.save(false);
    let (errors, _) = lint::counts(&diagnostics);
    // The process exits next: freeing tens of thousands of small allocations only costs time.
    std::mem::forget(diagnostics);
    std::mem::forget(ws);
    std::mem::forget(cache);
    Ok(crate::cli::command_error::status_from_problems(errors > 0))
}

/// Returns `--format`, or `github` under GitHub Actions, or `human`.
pub fn report_format(ctx: &Ctx) -> anyhow::Result<Format> {
    if ctx.settings.format.is_none() && ctx.settings.github_actions {
        return Ok(Format::Github);
    }
    ctx.format(&[Format::Human, Format::Json, Format::Sarif, Format::Github])
}

/// Prints diagnostics in a format, with a summary line on stderr for people.
pub fn print_report(ctx: &Ctx, format: Format, diagnostics: &[Diagnostic], ws: &Workspace) {
    let p = &ctx.printer;
    match format {
        // `ctx.format` offers lint no JUnit; a report is for people then.
        Format::Human | Format::Junit => {
            if !diagnostics.is_empty() {
                p.err_raw(render::human(diagnostics, &ws.sources, p.color_stderr));
            }
            summary(ctx, diagnostics, ws.files_checked);
        }
        Format::Json => p.json(&render::json(diagnostics, &ws.sources)),
        Format::Sarif => p.json(&render::sarif(diagnostics, &ws.sources)),
        Format::Github => {
            p.out(render::github(diagnostics, &ws.sources));
            summary(ctx, diagnostics, ws.files_checked);
        }
    }
}

fn summary(ctx: &Ctx, diagnostics: &[Diagnostic], files: usize) {
    let (errors, warnings) = lint::counts(diagnostics);
    let p = &ctx.printer;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors == 0 && warnings == 0 {
        p.status("Checked", format!("{}: no problems", plural(files, "file")));
    } else if errors == 0 {
        p.warn(format!("{} in {}", plural(warnings, "warning"), plural(files, "file")));
    } else {
        let style = p.stderr_style().red().bold();
        p.err_line(format!(
            "{} {}, {} in {}",
            style.apply_to("error:"),
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files, "file")
        ));
    }
}

/// Which files the user asked about.
struct PathFilter {
    paths: Vec<PathBuf>,
}

impl PathFilter {
    fn matches(&self, ws: &Workspace, display: &Path) -> bool {
        if self.paths.is_empty() {
            return true;
        }
        let Some(abs) = ws.paths.get(display) else {
            // Project-level diagnostics (the config) are shown when the config was named.
            return self.paths.iter().any(|p| p.ends_with(display));
        };
        self.paths.iter().any(|p| abs.starts_with(p))
    }
}

fn path_filter(ctx: &Ctx, paths: &[PathBuf]) -> anyhow::Result<PathFilter> {
    let mut resolved = Vec::new();
    for path in paths {
        let abs = ctx.settings.cwd.join(path);
        let abs = abs.canonicalize().map_err(|_| UserError::usage(format!("`{}` does not exist", path.display())))?;
        resolved.push(abs);
    }
    // Workspace paths are not canonical; compare against the canonical project root too.
    let project = ctx.project()?;
    if let Ok(root) = project.root.canonicalize() {
        resolved = resolved
            .into_iter()
            .map(|p| p.strip_prefix(&root).map_or_else(|_| p.clone(), |rel| project.root.join(rel)))
            .collect();
    }
    Ok(PathFilter { paths: resolved })
}

/// Refuses a path that names nothing lint checks: it would otherwise pass with "no problems".
fn check_paths_in_scope(
    project: &crate::workspace::Project,
    ws: &Workspace,
    given: &[PathBuf],
    filter: &PathFilter,
) -> Result<(), UserError> {
    let folders = [project.skills_dir(), project.personas_dir()];
    for (shown, path) in given.iter().zip(&filter.paths) {
        let file = ws.paths.values().any(|abs| abs == path) || project.config_path.as_ref() == Some(path);
        let folder = path.is_dir() && folders.iter().any(|f| f.starts_with(path) || path.starts_with(f));
        if !file && !folder {
            return Err(UserError::usage(format!(
                "`{}` is not a skill, persona or test file of this project",
                shown.display()
            ))
            .with_hint(format!(
                "lint checks `*.md` and `*.test.yaml` in `{}` and `*.md` in `{}`",
                project.display_path(&folders[0]).display(),
                project.display_path(&folders[1]).display()
            )));
        }
    }
    Ok(())
}

/// Applies every available fix to the files in scope; returns how many files changed.
fn apply_fixes(ctx: &Ctx, ws: &Workspace, filter: &PathFilter) -> anyhow::Result<usize> {
    let mut by_file: std::collections::BTreeMap<&Path, Vec<&Diagnostic>> = std::collections::BTreeMap::new();
    for d in ws.diagnostics.iter().filter(|d| d.fix.is_some() && filter.matches(ws, &d.file)) {
        by_file.entry(&d.file).or_default().push(d);
    }
    let mut changed = 0;
    for (display, diagnostics) in by_file {
        let Some(abs) = ws.paths.get(display) else {
            continue;
        };
        // Read the file again: the workspace's copy has secrets masked.
        let Ok(src) = crate::skill::source::read(abs) else {
            continue;
        };
        let (new_text, applied) = lint::fix::apply(&src.text, &diagnostics);
        if applied.is_empty() || new_text == src.text {
            continue;
        }
        let bytes = if src.had_bom {
            [b"\xEF\xBB\xBF".as_slice(), new_text.as_bytes()].concat()
        } else {
            new_text.into_bytes()
        };
        crate::fs::write_atomic(abs, &bytes)?;
        changed += 1;
        for description in applied {
            ctx.printer.status("Fixed", format!("{}: {description}", display.display()));
        }
    }
    Ok(changed)
}
