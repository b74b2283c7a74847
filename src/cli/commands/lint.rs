//! `agentb lint`: check skills, personas, test files and the config.

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::{Format, LintArgs};
use crate::lint::{self, Diagnostic, Levels, render};
use crate::workspace::cache::Cache;
use crate::workspace::load::{self as project, Workspace};
use crate::workspace::scope::{self, Scope};

pub fn run(ctx: &Ctx, args: &LintArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = report_format(ctx)?;
    let config = &project.config.lint;
    let levels = Levels::new(
        &[config.allow.clone(), args.allow.clone()].concat(),
        &[config.deny.clone(), args.deny.clone()].concat(),
        &config.warn,
    )?;
    let scope = Scope::new(project, &ctx.settings.cwd, &args.paths)?;

    let mut cache = Cache::open(project);
    let mut ws = project::load_cached(project, &mut cache, project::Detail::Summaries)?;
    scope.check(project, &ws, &args.paths)?;
    if args.fix {
        let fixed = scope::apply_fixes(&ws, &scope)?;
        for file in &fixed {
            for description in &file.fixes {
                ctx.printer.status("Fixed", format!("{}: {description}", file.path.display()));
            }
        }
        if !fixed.is_empty() {
            ws = project::load_cached(project, &mut cache, project::Detail::Summaries)?;
        }
    }
    let mut diagnostics = std::mem::take(&mut ws.diagnostics);
    let flagged =
        |file: &std::path::Path| diagnostics.iter().any(|d| d.level == crate::lint::Level::Error && d.file == file);
    let tests = crate::testing::lint(project, &flagged)?;
    for (path, text) in tests.sources {
        ws.sources.insert(path, text.into());
    }
    diagnostics.extend(tests.diagnostics);
    diagnostics.retain(|d| scope.matches(&ws, &d.file));
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
        Format::Human | Format::Junit | Format::AgentSkills => {
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
