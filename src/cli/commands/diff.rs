//! `agentb diff`: the interface changes of a skill with their class, then a unified diff of its
//! prompt, against a deployed version, a kept version, or a git revision
//! ([`crate::versions::diff`]).

use std::fmt::Write as _;

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::render;
use crate::cli::{DiffArgs, Format};
use crate::versions::diff::{self, DiffReport, Options};
use crate::workspace::load as project;

pub fn run(ctx: &Ctx, args: &DiffArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let ws = project::load(project)?;
    let options = Options {
        skill: args.skill.clone(),
        against: args.against.clone(),
        org: args.org.clone(),
        instance: args.instance.instance.clone(),
    };
    let report = diff::diff(project, &ws, &options)?;
    if format == Format::Json {
        ctx.printer.json(&report);
    } else {
        ctx.printer.out(human(ctx, &report));
    }
    Ok(crate::cli::command_error::status_from_problems(args.exit_code && report.differs))
}

/// Returns the report as text: the versions, the changes, the verdict and the prompt diff.
fn human(ctx: &Ctx, report: &DiffReport) -> String {
    let mut out = String::new();
    let bold = ctx.printer.stdout_style().bold();
    let to = report
        .to
        .as_ref()
        .map_or_else(|| "(removed from the working tree)".to_owned(), |n| format!("{} (working tree)", n.version));
    let from = &report.from;
    let _ = writeln!(out, "{}", bold.apply_to(format!("{} {} ({}) → {to}", report.skill, from.version, from.source)));
    render::versions::changes(ctx, &mut out, &report.changes);
    if let (Some(new), Some(ok)) = (&report.to, report.version_ok) {
        match (report.required, ok) {
            (None, true) if !report.differs => out.push_str("  no changes\n"),
            (_, true) => {
                let _ = writeln!(out, "  version {} → {}: sufficient", from.version, new.version);
            }
            (_, false) => {
                let red = ctx.printer.stdout_style().red().bold();
                let problem = report.problem.as_deref().unwrap_or_default();
                let _ = writeln!(out, "  {} {problem}", red.apply_to("version:"));
            }
        }
    }
    if !report.prompt_diff.is_empty() {
        out.push('\n');
        for line in report.prompt_diff.lines() {
            let style = ctx.printer.stdout_style();
            let style = if line.starts_with("+++") || line.starts_with("---") {
                style.bold()
            } else if line.starts_with('+') {
                style.green()
            } else if line.starts_with('-') {
                style.red()
            } else if line.starts_with("@@") {
                style.cyan()
            } else {
                style
            };
            let _ = writeln!(out, "{}", style.apply_to(line));
        }
    }
    out
}
