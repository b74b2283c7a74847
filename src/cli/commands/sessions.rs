//! `agentb sessions list | show`: the run sessions of this project.

use serde_json::json;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::commands::run::{proposal_summary, sessions_store};
use crate::cli::{Format, SessionShowArgs, SessionsCommand};
use crate::runtime::session::is_session_id;

pub fn run(ctx: &Ctx, command: &SessionsCommand) -> anyhow::Result<ExitStatus> {
    match command {
        SessionsCommand::List => list(ctx),
        SessionsCommand::Show(args) => show(ctx, args),
    }
}

fn list(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let store = sessions_store(project);
    let mut rows = Vec::new();
    for id in store.ids()? {
        // One damaged session (a crash before its first turn was written, a hand edit) must
        // not hide the others.
        let s = match store.read(&id) {
            Ok(s) => s,
            Err(e) => {
                ctx.printer.warn(format!("skipping session `{id}`, which cannot be read: {e:#}"));
                continue;
            }
        };
        let pending = store.proposals(&id)?.iter().filter(|p| p.state.as_str() == "PENDING").count();
        rows.push((s, pending));
    }
    if format == Format::Json {
        let list: Vec<_> = rows
            .iter()
            .map(|(s, pending)| {
                json!({"id": s.id, "skill": s.skill, "version": s.skill_version, "org": s.org, "status": s.status.as_str(),
                       "turns": s.turns, "cost_usd": s.cost_usd, "pending_proposals": pending,
                       "created_at": s.created_at, "updated_at": s.updated_at})
            })
            .collect();
        ctx.printer.json(&list);
        return Ok(ExitStatus::Success);
    }
    if rows.is_empty() {
        ctx.printer.note("no sessions");
        return Ok(ExitStatus::Success);
    }
    ctx.printer.line(format!(
        "{:<36} {:<20} {:<8} {:<18} {:>5} {:>7} UPDATED",
        "SESSION", "SKILL", "ORG", "STATUS", "TURNS", "PENDING"
    ));
    for (s, pending) in &rows {
        ctx.printer.line(format!(
            "{:<36} {:<20} {:<8} {:<18} {:>5} {:>7} {}",
            s.id,
            s.skill,
            s.org,
            s.status.as_str(),
            s.turns,
            pending,
            s.updated_at
        ));
    }
    Ok(ExitStatus::Success)
}

fn show(ctx: &Ctx, args: &SessionShowArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let store = sessions_store(project);
    if !is_session_id(&args.id) || !store.dir(&args.id).join("session.json").is_file() {
        return Err(UserError::usage(format!("no session `{}` in this project", args.id))
            .with_hint("`agentb sessions list` shows the sessions")
            .into());
    }
    let s = store.read(&args.id)?;
    let proposals = store.proposals(&s.id)?;
    let audit = store.audit(&s.id).read()?;
    if format == Format::Json {
        ctx.printer.json(&json!({
            "id": s.id, "skill": s.skill, "version": s.skill_version, "org": s.org, "instance": s.instance,
            "persona": s.persona, "model": s.model, "status": s.status.as_str(), "invocation": s.invocation_id,
            "created_at": s.created_at, "updated_at": s.updated_at, "turns": s.turns, "usage": s.usage,
            "cost_usd": s.cost_usd, "counters": s.counters, "input": s.input, "output": s.output, "error": s.error,
            "messages": s.messages, "proposals": proposals.iter().map(proposal_summary).collect::<Vec<_>>(),
            "audit": audit,
        }));
        return Ok(ExitStatus::Success);
    }
    ctx.printer.line(format!("session    {}", s.id));
    ctx.printer.line(format!("skill      {} v{}", s.skill, s.skill_version));
    ctx.printer.line(format!("org        {} on instance {}", s.org, s.instance));
    ctx.printer.line(format!("status     {}", s.status.as_str()));
    if let Some(inv) = &s.invocation_id {
        ctx.printer.line(format!("invocation {inv}"));
    }
    ctx.printer.line(format!("turns      {} ({} messages)", s.turns, s.messages.len()));
    ctx.printer.line(format!(
        "usage      {} in, {} out, {} cache write, {} cache read; ${:.4}",
        s.usage.input_tokens,
        s.usage.output_tokens,
        s.usage.cache_creation_input_tokens,
        s.usage.cache_read_input_tokens,
        s.cost_usd
    ));
    if let Some(e) = &s.error {
        ctx.printer.line(format!("error      {e}"));
    }
    for p in &proposals {
        ctx.printer.line(format!("proposal   {} {} {} ({})", p.id, p.state, p.tool, p.tier));
    }
    for e in &audit {
        let fields = serde_json::to_string(&e.fields).unwrap_or_default();
        ctx.printer.line(format!("audit      {} {} {fields}", e.at, e.event));
    }
    Ok(ExitStatus::Success)
}
