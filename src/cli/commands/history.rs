//! `agentb history SKILL [--org ORG]`: every release of a skill (deploy, promote, abort, pin,
//! rollback), oldest first.

use std::fmt::Write as _;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{Format, HistoryArgs};
use crate::deploy::state::{Action, Release, State};

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
    let project = ctx.project()?;
    let (name, _) = crate::erp::instance_config(project, args.instance.instance.as_deref())?;
    let state = State::load(&project.state_dir().join("state.toml"))?;
    let mut entries: Vec<(&str, &Release)> = state
        .instances
        .get(name)
        .into_iter()
        .flatten()
        .filter(|(org, _)| args.org.as_ref().is_none_or(|o| o == *org))
        .filter_map(|(org, skills)| Some((org.as_str(), skills.get(&args.skill)?)))
        .flat_map(|(org, d)| d.history.iter().map(move |r| (org, r)))
        .collect();
    entries.sort_by(|a, b| a.1.time.cmp(&b.1.time).then_with(|| a.0.cmp(b.0)));
    if entries.is_empty() {
        let whom = args.org.as_ref().map_or_else(String::new, |o| format!(" to org `{o}`"));
        return Err(UserError::usage(format!("`{}` was never deployed{whom} on instance `{name}`", args.skill))
            .with_hint("`agentb status` shows what is deployed where")
            .into());
    }
    if format == Format::Json {
        let list: Vec<serde_json::Value> = entries
            .iter()
            .map(|(org, r)| {
                serde_json::json!({"org": org, "version": r.version.to_string(), "hash": r.hash,
                                   "time": r.time.to_string(), "action": action_name(r.action)})
            })
            .collect();
        ctx.printer.json(&serde_json::json!({"skill": args.skill, "instance": name, "history": list}));
        return Ok(ExitStatus::Success);
    }
    let org_width = entries.iter().map(|e| e.0.len()).max().unwrap_or(3).max(3);
    let mut out = format!("{:<20}  {:<org_width$}  {:<9}  {:<8}  HASH\n", "TIME", "ORG", "VERSION", "ACTION");
    for (org, r) in &entries {
        let time = r.time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let _ = writeln!(
            out,
            "{time:<20}  {org:<org_width$}  {:<9}  {:<8}  {}",
            r.version.to_string(),
            action_name(r.action),
            &r.hash[..r.hash.len().min(12)]
        );
    }
    ctx.printer.out(out);
    Ok(ExitStatus::Success)
}
