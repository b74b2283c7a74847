//! `agentb export SKILL --format agent-skills --out DIR`: skills as Agent Skills folders
//! ([`crate::agent_skills`]).

use crate::agent_skills::{self, ExportOptions};
use crate::cli::command_error::{ExitStatus, status_from_problems};
use crate::cli::commands::Ctx;
use crate::cli::{ExportArgs, Format};

pub fn run(ctx: &Ctx, args: &ExportArgs) -> anyhow::Result<ExitStatus> {
    // The folders are always Agent Skills; `--format` picks the report (human by default).
    let format = ctx.format(&[Format::AgentSkills, Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let out = ctx.settings.cwd.join(&args.out);
    let options = ExportOptions { skills: args.skills.clone(), out, force: args.force };
    let report = agent_skills::export(project, &options)?;
    let p = &ctx.printer;
    if format == Format::Json {
        p.json(&report);
        return Ok(status_from_problems(!report.refused.is_empty()));
    }
    for skill in &report.exported {
        let dir = skill.dir.strip_prefix(&ctx.settings.cwd).unwrap_or(&skill.dir);
        let files = match skill.files {
            0 => String::new(),
            1 => ", 1 bundled file".to_owned(),
            n => format!(", {n} bundled files"),
        };
        let verb = if skill.replaced { "Replaced" } else { "Exported" };
        p.status(verb, format!("{} → {}/SKILL.md ({} body{files})", skill.id, dir.display(), skill.body));
        for note in &skill.notes {
            p.note(format!("`{}`: {note}", skill.id));
        }
    }
    for refused in &report.refused {
        if !refused.diagnostics.is_empty() {
            p.err_raw(crate::lint::render::human(&refused.diagnostics, &report.sources, p.color_stderr));
        }
        let style = p.stderr_style().red().bold();
        p.err_line(format!("{} `{}` was not exported", style.apply_to("error:"), refused.id));
    }
    Ok(status_from_problems(!report.refused.is_empty()))
}
