//! `agentb history SKILL [--org ORG]`: every release of a skill (deploy, promote, abort, pin,
//! rollback), oldest first ([`crate::deploy::ops::history`]).

use std::fmt::Write as _;

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::{Format, HistoryArgs};
use crate::deploy::ops::history::{self, Options};
use crate::deploy::state::Action;

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Deploy => "deploy",
        Action::Promote => "promote",
        Action::Abort => "abort",
        Action::Pin => "pin",
        Action::Rollback => "rollback",
    }
}

pub fn run(ctx: &Ctx, args: &HistoryArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let options =
        Options { instance: args.instance.instance.clone(), skill: args.skill.clone(), org: args.org.clone() };
    let report = history::history(ctx.project()?, &options)?;
    if format == Format::Json {
        ctx.printer.json(&report);
        return Ok(ExitStatus::Success);
    }
    let org_width = report.history.iter().map(|e| e.org.len()).max().unwrap_or(3).max(3);
    let mut out = format!("{:<20}  {:<org_width$}  {:<9}  {:<8}  HASH\n", "TIME", "ORG", "VERSION", "ACTION");
    for e in &report.history {
        let time = e.at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let _ = writeln!(
            out,
            "{time:<20}  {:<org_width$}  {:<9}  {:<8}  {}",
            e.org,
            e.version,
            action_name(e.action),
            &e.hash[..e.hash.len().min(12)]
        );
    }
    ctx.printer.out(out);
    Ok(ExitStatus::Success)
}
