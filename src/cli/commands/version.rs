//! `agentb version` (skills, versions, where they are deployed), `version bump` (rewrites only
//! the version scalar) and `version check` (CI: is every changed skill's bump big enough?):
//! [`crate::versions`].

use std::fmt::Write as _;

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::render;
use crate::cli::{BumpLevel, Format, VersionArgs, VersionBumpArgs, VersionCheckArgs, VersionCommand};
use crate::deploy::session::abbreviate;
use crate::versions::{bump, check, list};
use crate::workspace::load as project;

pub fn run(ctx: &Ctx, args: &VersionArgs) -> anyhow::Result<ExitStatus> {
    match &args.command {
        None => list_cmd(ctx, args),
        Some(VersionCommand::Bump(a)) => bump_cmd(ctx, a),
        Some(VersionCommand::Check(a)) => check_cmd(ctx, a),
    }
}

fn list_cmd(ctx: &Ctx, args: &VersionArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let report = list::list(project, &ws, args.instance.instance.as_deref())?;
    if format == Format::Json {
        ctx.printer.json(&report);
        return Ok(ExitStatus::Success);
    }
    let width = report.skills.iter().map(|r| r.skill.len()).max().unwrap_or(5).max(5);
    let mut out = format!("{:<width$}  {:<9}  DEPLOYED TO `{}`\n", "SKILL", "VERSION", report.instance);
    for s in &report.skills {
        let where_ = if s.deployed.is_empty() {
            "-".to_owned()
        } else {
            let list: Vec<String> =
                s.deployed.iter().map(|(v, orgs)| format!("{v} on {}", abbreviate(orgs, 6))).collect();
            list.join("; ")
        };
        let source = match &s.version {
            _ if s.lint_errors => "(errors)",
            Some(v) => v.as_str(),
            None => "(removed)",
        };
        let _ = writeln!(out, "{:<width$}  {source:<9}  {where_}", s.skill);
    }
    ctx.printer.out(out);
    Ok(ExitStatus::Success)
}

fn bump_cmd(ctx: &Ctx, args: &VersionBumpArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let level = match args.level {
        BumpLevel::Major => bump::Level::Major,
        BumpLevel::Minor => bump::Level::Minor,
        BumpLevel::Patch => bump::Level::Patch,
        BumpLevel::Auto => bump::Level::Auto,
    };
    let options = bump::Options {
        skill: args.skill.clone(),
        level,
        against: args.against.clone(),
        instance: args.instance.instance.clone(),
    };
    let report = bump::bump(project, &ws, &options)?;
    if format == Format::Json {
        ctx.printer.json(&report);
        return Ok(ExitStatus::Success);
    }
    if let Some(compared) = &report.compared {
        let mut out = format!("{} {} ({}) → working tree\n", report.skill, compared.version, compared.label);
        render::versions::changes(ctx, &mut out, &compared.changes);
        ctx.printer.out(out);
    }
    if report.changed {
        let what = format!("{} {} → {} ({})", report.skill, report.from, report.to, report.path.display());
        ctx.printer.status("Bumped", what);
    } else {
        let what = format!("{} {}: the version already covers the changes", report.skill, report.from);
        ctx.printer.status("Unchanged", what);
    }
    Ok(ExitStatus::Success)
}

fn check_cmd(ctx: &Ctx, args: &VersionCheckArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let options = check::Options {
        skills: args.skills.clone(),
        against: args.against.clone(),
        instance: args.instance.instance.clone(),
    };
    let report = check::check(project, &ws, &options)?;
    let failed = report.failed();
    if format == Format::Json {
        ctx.printer.json(&report);
    } else {
        ctx.printer.out(render::versions::check(ctx, &report));
        if failed > 0 {
            ctx.printer.hint("`agentb version bump SKILL auto` picks the bump the changes require");
        }
    }
    Ok(crate::cli::command_error::status_from_problems(failed > 0))
}
