//! `agentb import PATH`: Agent Skills folders into skills of the project ([`crate::agent_skills`]).

use crate::agent_skills::{self, ImportOptions};
use crate::cli::command_error::{ExitStatus, status_from_problems};
use crate::cli::commands::Ctx;
use crate::cli::{Format, ImportArgs};

pub fn run(ctx: &Ctx, args: &ImportArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let path = ctx.settings.cwd.join(&args.path);
    // Messages name the path as it was given.
    let path = if args.path.is_absolute() { args.path.clone() } else { pathdiff(&path, &ctx.settings.cwd) };
    let report = agent_skills::import(project, &ImportOptions { path, force: args.force })?;
    let p = &ctx.printer;
    if format == Format::Json {
        p.json(&report);
        return Ok(status_from_problems(!report.refused.is_empty()));
    }
    for skill in &report.imported {
        if !skill.diagnostics.is_empty() && !p.quiet {
            p.err_raw(crate::lint::render::human(&skill.diagnostics, &report.sources, p.color_stderr));
        }
        let verb = if skill.overwritten { "Replaced" } else { "Imported" };
        let files = match skill.files {
            0 => String::new(),
            1 => ", 1 bundled file".to_owned(),
            n => format!(", {n} bundled files"),
        };
        p.status(verb, format!("{} → {} ({}{files})", skill.source.display(), skill.file.display(), skill.status));
        for t in &skill.permissions_from_tools {
            p.note(format!(
                "`{}`: `allowed-tools` entry `{}` became the permission `{}`",
                skill.id, t.tool, t.permission
            ));
        }
        if !skill.not_granted.is_empty() {
            p.note(format!(
                "`{}`: kept but not granted (agentb grants tools from `permissions` only): {}",
                skill.id,
                skill.not_granted.join(" ")
            ));
        }
        for note in &skill.notes {
            p.note(format!("`{}`: {note}", skill.id));
        }
    }
    for refused in &report.refused {
        if !refused.diagnostics.is_empty() {
            p.err_raw(crate::lint::render::human(&refused.diagnostics, &report.sources, p.color_stderr));
        }
        let style = p.stderr_style().red().bold();
        let why = refused.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        p.err_line(format!("{} `{}` was not imported{why}", style.apply_to("error:"), refused.source.display()));
        if let Some(hint) = &refused.hint {
            p.hint(hint);
        }
    }
    let plural = |n: usize| if n == 1 { "skill" } else { "skills" };
    if report.refused.is_empty() {
        p.status("Finished", format!("{} {} imported", report.imported.len(), plural(report.imported.len())));
    } else {
        p.err_line(format!(
            "{} {} {} imported, {} refused",
            p.stderr_style().red().bold().apply_to("error:"),
            report.imported.len(),
            plural(report.imported.len()),
            report.refused.len()
        ));
    }
    if !report.imported.is_empty() {
        p.hint("review the imported skills (status `draft`), then `agentb lint`");
    }
    Ok(status_from_problems(!report.refused.is_empty()))
}

/// Returns `path` relative to `base` when it is below it, else `path`.
fn pathdiff(path: &std::path::Path, base: &std::path::Path) -> std::path::PathBuf {
    path.strip_prefix(base).map_or_else(|_| path.to_path_buf(), std::path::Path::to_path_buf)
}
