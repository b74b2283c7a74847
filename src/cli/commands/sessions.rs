//! `agentb sessions list | show`: the run sessions of this project, through
//! `runtime::inspect`; this file renders the reports.

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::commands::run::session_store;
use crate::cli::{Format, SessionShowArgs, SessionsCommand};
use crate::runtime::inspect;

pub fn run(ctx: &Ctx, command: &SessionsCommand) -> anyhow::Result<ExitStatus> {
    match command {
        SessionsCommand::List(args) => list(ctx, args.instance.as_deref()),
        SessionsCommand::Show(args) => show(ctx, args),
    }
}

fn list(ctx: &Ctx, instance: Option<&str>) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let list = inspect::list(&session_store(ctx, instance)?)?;
    for (id, why) in &list.skipped {
        ctx.printer.warn(format!("skipping session `{id}`, which cannot be read: {why}"));
    }
    if format == Format::Json {
        ctx.printer.json(&list.sessions);
        return Ok(ExitStatus::Success);
    }
    if list.sessions.is_empty() {
        ctx.printer.note("no sessions");
        return Ok(ExitStatus::Success);
    }
    ctx.printer.line(format!(
        "{:<36} {:<20} {:<8} {:<18} {:>5} {:>7} UPDATED",
        "SESSION", "SKILL", "ORG", "STATUS", "TURNS", "PENDING"
    ));
    for s in &list.sessions {
        ctx.printer.line(format!(
            "{:<36} {:<20} {:<8} {:<18} {:>5} {:>7} {}",
            s.id,
            s.skill,
            s.org,
            s.status.as_str(),
            s.turns,
            s.pending_proposals,
            s.updated_at
        ));
    }
    Ok(ExitStatus::Success)
}

fn show(ctx: &Ctx, args: &SessionShowArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let s = inspect::show(&session_store(ctx, args.instance.as_deref())?, &args.id)?;
    if format == Format::Json {
        ctx.printer.json(&s);
        return Ok(ExitStatus::Success);
    }
    let p = &ctx.printer;
    p.line(format!("session    {}", s.id));
    p.line(format!("skill      {} v{}", s.skill, s.version));
    p.line(format!("org        {} on instance {}", s.org, s.instance));
    p.line(format!("status     {}", s.status.as_str()));
    if let Some(inv) = &s.invocation {
        p.line(format!("invocation {inv}"));
    }
    p.line(format!("turns      {} ({} messages)", s.turns, s.messages.len()));
    let u = &s.usage;
    p.line(format!(
        "usage      {} in, {} out, {} cache write, {} cache read; ${:.4}",
        u.input_tokens, u.output_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens, s.cost_usd
    ));
    if let Some(e) = &s.error {
        p.line(format!("error      {e}"));
    }
    for x in &s.proposals {
        p.line(format!("proposal   {} {} {} ({})", x.id, x.state, x.tool, x.tier));
    }
    for e in &s.audit {
        let fields = serde_json::to_string(&e.fields).unwrap_or_default();
        p.line(format!("audit      {} {} {fields}", e.at, e.event));
    }
    Ok(ExitStatus::Success)
}
