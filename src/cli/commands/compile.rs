//! `agentb compile`: lint, then write one artifact per skill.

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{CompileArgs, Format};
use crate::lint::{self, Level, Levels};
use crate::skill::parse::ParseContext;
use crate::workspace::Project;
use crate::workspace::build::{self, CompileReport, Outcome};
use crate::workspace::cache::Cache;
use crate::workspace::load as project;

pub fn run(ctx: &Ctx, args: &CompileArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let config = &project.config.lint;
    let levels = Levels::new(&config.allow, &config.deny, &config.warn)?;
    let mut cache = Cache::open(project);
    let out = args.out.as_ref().map_or_else(|| project.cache_dir().join("compiled"), |o| ctx.settings.cwd.join(o));
    // Stat the existing artifacts while the skills load.
    let (ws, stamps) = rayon::join(
        || project::load_cached(project, &mut cache, project::Detail::UntilError),
        || if args.skills.is_empty() { build::artifact_stamps(&out) } else { None },
    );
    let mut ws = ws?;
    let mut diagnostics = std::mem::take(&mut ws.diagnostics);

    let selected: Vec<&project::SkillSummary> = if args.skills.is_empty() {
        ws.summaries.iter().map(|s| &**s).collect()
    } else {
        let mut selected = Vec::new();
        for id in &args.skills {
            let skill = ws.summary(id).ok_or_else(|| unknown_skill(id, &ws))?;
            selected.push(skill);
        }
        selected
    };

    // Lint first: errors in the selected skills, their dependencies, or project-wide files stop it.
    levels.apply(&mut diagnostics);
    lint::sort(&mut diagnostics);
    if diagnostics.iter().any(|d| d.level == Level::Error) {
        super::lint::print_report(
            ctx,
            if format == Format::Json { Format::Json } else { Format::Human },
            &diagnostics,
            &ws,
        );
        ctx.printer.hint("fix the errors above; `agentb lint` shows them again");
        if !args.check {
            cache.save(true);
        }
        return Ok(ExitStatus::Failure);
    }
    if !diagnostics.is_empty() && format == Format::Human {
        super::lint::print_report(ctx, Format::Human, &diagnostics, &ws);
    }

    let parse_ctx = ParseContext::new(&project.config);
    let results = build::compile(&ws, &parse_ctx, &selected, &out, args.check, &mut cache, stamps)?;
    // `--check` writes nothing, the cache included.
    if !args.check {
        cache.save(true);
    }

    let report = CompileReport { check: args.check, artifacts: results };
    if format == Format::Json {
        ctx.printer.json(&report);
    } else {
        print_human(ctx, project, &report, &out);
    }
    let changed = report.changed();
    let status = crate::cli::command_error::status_from_problems(args.check && changed > 0);
    // The process exits next: freeing tens of thousands of small allocations only costs time.
    std::mem::forget(report);
    std::mem::forget(ws);
    std::mem::forget(cache);
    Ok(status)
}

/// Skills changed beyond this many are summed up in one line (unless `-v`), like cargo.
const LISTED: usize = 20;

fn print_human(ctx: &Ctx, project: &Project, report: &CompileReport, out: &std::path::Path) {
    let changed = report.changed();
    if changed <= LISTED || ctx.settings.verbose > 0 {
        for r in &report.artifacts {
            let shown = project.display_path(&r.path).display().to_string();
            match (r.outcome, report.check) {
                (Outcome::Fresh, _) => {}
                (Outcome::Created, false) => {
                    ctx.printer.status("Compiled", format!("{} v{} → {shown}", r.id, r.version));
                }
                (Outcome::Updated, false) => {
                    ctx.printer.status("Recompiled", format!("{} v{} → {shown}", r.id, r.version));
                }
                (_, true) => ctx.printer.status("Stale", format!("{} v{} ({shown} would change)", r.id, r.version)),
            }
        }
    } else {
        let shown = project.display_path(out).display().to_string();
        if report.check {
            ctx.printer.status("Stale", format!("{changed} skills would change in {shown}/ (`-v` lists them)"));
        } else {
            let created = report.artifacts.iter().filter(|a| a.outcome == Outcome::Created).count();
            ctx.printer.status(
                "Compiled",
                format!("{changed} skills → {shown}/ ({created} new, {} rebuilt; `-v` lists them)", changed - created),
            );
        }
    }
    let total = report.artifacts.len();
    ctx.printer.status("Finished", format!("{total} skills ({changed} changed, {} up to date)", total - changed));
}

fn unknown_skill(id: &str, ws: &project::Workspace) -> UserError {
    let err = UserError::usage(format!("no skill `{id}` in this project"));
    match crate::text::did_you_mean(id, ws.summaries.iter().map(|s| s.id.as_str())) {
        Some(m) => err.with_hint(format!("did you mean `{m}`?")),
        None => err.with_hint("list the skills with `agentb lint` or look in the skills folder"),
    }
}
