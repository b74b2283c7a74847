//! `agentb proposals list | show | approve | reject | undo`: the proposals of every session in
//! this project. Approving executes the call exactly once (a second approve reports it was
//! executed already); undo runs the compensation recorded when it executed.

use anyhow::Context as _;
use serde_json::json;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::commands::run::{proposal_summary, sessions_store, test_clock};
use crate::cli::{Format, ProposalIdArgs, ProposalsCommand, ProposalsListArgs};
use crate::erp;
use crate::runtime::hooks::{Event, Hooks};
use crate::runtime::proposals::{Proposal, State};
use crate::runtime::{HookCall, execute_proposal, executor, post_tool_use, transition};

pub fn run(ctx: &Ctx, command: &ProposalsCommand) -> anyhow::Result<ExitStatus> {
    match command {
        ProposalsCommand::List(args) => list(ctx, args),
        ProposalsCommand::Show(args) => show(ctx, args),
        ProposalsCommand::Approve(args) => approve(ctx, args),
        ProposalsCommand::Reject(args) => reject(ctx, args),
        ProposalsCommand::Undo(args) => undo(ctx, args),
    }
}

fn list(ctx: &Ctx, args: &ProposalsListArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let store = sessions_store(project);
    let state = match &args.state {
        Some(s) => Some(State::parse(s).ok_or_else(|| {
            UserError::usage(format!("`--state {s}` is not a proposal state"))
                .with_hint("use one of pending, confirmed, executed, rejected, expired, failed, undone")
        })?),
        None => None,
    };
    let sessions = match &args.session {
        Some(id) => {
            store.read(id).map_err(|_| UserError::usage(format!("no session `{id}` in this project")))?;
            vec![id.clone()]
        }
        None => store.ids()?,
    };
    let mut all: Vec<Proposal> = Vec::new();
    for id in sessions {
        all.extend(store.proposals(&id)?.into_iter().filter(|p| state.is_none_or(|s| p.state == s)));
    }
    all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    if format == Format::Json {
        ctx.printer.json(&all.iter().map(proposal_summary).collect::<Vec<_>>());
        return Ok(ExitStatus::Success);
    }
    if all.is_empty() {
        ctx.printer.note("no proposals");
        return Ok(ExitStatus::Success);
    }
    ctx.printer.line(format!("{:<16} {:<10} {:<4} {:<28} {:<36} CREATED", "ID", "STATE", "TIER", "TOOL", "SESSION"));
    for p in &all {
        ctx.printer.line(format!(
            "{:<16} {:<10} {:<4} {:<28} {:<36} {}",
            p.id,
            p.state.as_str(),
            p.tier.to_string(),
            p.tool,
            p.session_id,
            p.created_at
        ));
    }
    Ok(ExitStatus::Success)
}

fn show(ctx: &Ctx, args: &ProposalIdArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let p = sessions_store(project).find_proposal(&args.id)?;
    if format == Format::Json {
        ctx.printer.json(&p);
        return Ok(ExitStatus::Success);
    }
    ctx.printer.line(format!("proposal  {}", p.id));
    ctx.printer.line(format!("state     {}", p.state));
    ctx.printer.line(format!("tool      {} ({})", p.tool, p.tier));
    ctx.printer.line(format!("org       {} on instance {}", p.org, p.instance));
    ctx.printer.line(format!("session   {}", p.session_id));
    ctx.printer.line(format!("created   {}", p.created_at));
    if let Some(at) = p.expires_at {
        ctx.printer.line(format!("expires   {at}"));
    }
    ctx.printer.line(format!("input     {}", serde_json::to_string_pretty(&p.input).unwrap_or_default()));
    if let Some(result) = &p.result {
        ctx.printer.line(format!("result    {}", serde_json::to_string_pretty(result).unwrap_or_default()));
    }
    if let Some(error) = &p.error {
        ctx.printer.line(format!("error     {error}"));
    }
    if let Some(c) = &p.compensation {
        ctx.printer.line(format!("undo      {}", c.describe()));
    }
    for t in &p.history {
        ctx.printer.line(format!("history   {} {} → {} by {}", t.at, t.from, t.to, t.by));
    }
    Ok(ExitStatus::Success)
}

fn approve(ctx: &Ctx, args: &ProposalIdArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let clock = test_clock(ctx)?;
    let store = sessions_store(project);
    let (_lock, mut p) = store.lock_proposal(&args.id)?;
    match p.state {
        State::Executed | State::Undone => {
            ctx.printer.note(format!("proposal `{}` was executed already; nothing was run again", p.id));
            print_one(ctx, format, &p);
            return Ok(ExitStatus::Success);
        }
        State::Pending | State::Confirmed => {}
        other => {
            return Err(UserError::usage(format!(
                "proposal `{}` is {other}; only a PENDING proposal can be approved",
                p.id
            ))
            .with_hint("`agentb proposals show ID` shows its history")
            .into());
        }
    }
    let session = store.read(&p.session_id)?;
    let now = clock.now();
    if p.state == State::Pending {
        if p.is_past_window(now) {
            let reason = p.expires_at.map(|at| format!("the T2 window closed at {at}"));
            transition(&store, &mut p, State::Expired, now, "agentb proposals approve", reason)?;
            return Err(UserError::usage(format!(
                "proposal `{}` expired: its window closed at {}",
                p.id,
                p.expires_at.map(|t| t.to_string()).unwrap_or_default()
            ))
            .with_hint("run the skill again to propose it anew")
            .into());
        }
        transition(&store, &mut p, State::Confirmed, now, "agentb proposals approve", None)?;
    }
    let instance = erp::open(project, &ctx.settings.env, Some(&p.instance))?;
    let rt = crate::rt::build()?;
    let flag = rt.block_on(async {
        execute_proposal(&store, instance.erp.as_ref(), &session.artifact.tools, now, &mut p).await?;
        if p.state != State::Executed {
            return anyhow::Ok(None);
        }
        // The write ran here, so its post_tool_use hooks run here, as in `agentb run`.
        let hooks = Hooks::new(Event::PostToolUse, &project.config.hooks.post_tool_use);
        let response = p.result.clone().unwrap_or(serde_json::Value::Null);
        let call = HookCall { name: &p.tool, input: &p.input, id: &p.tool_use_id, tier: p.tier, response: &response };
        Ok(post_tool_use(&store, &clock, &hooks, &project.root, &session, call).await)
    })?;
    if let Some(flag) = flag {
        ctx.printer.warn(flag);
    }
    print_one(ctx, format, &p);
    if p.state == State::Failed {
        return Err(UserError::remote(format!(
            "proposal `{}` failed: {}",
            p.id,
            p.error.as_deref().unwrap_or("unknown error")
        ))
        .into());
    }
    ctx.printer.status("Executed", format!("{} ({}) for org `{}`", p.id, p.tool, p.org));
    ctx.printer.hint(format!("resume the session to tell the model: agentb run --resume {} --message …", p.session_id));
    Ok(ExitStatus::Success)
}

fn reject(ctx: &Ctx, args: &ProposalIdArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let clock = test_clock(ctx)?;
    let store = sessions_store(project);
    let (_lock, mut p) = store.lock_proposal(&args.id)?;
    if p.state == State::Rejected {
        ctx.printer.note(format!("proposal `{}` was rejected already", p.id));
    } else {
        transition(&store, &mut p, State::Rejected, clock.now(), "agentb proposals reject", None)
            .with_context(|| format!("cannot reject proposal `{}`", p.id))?;
        ctx.printer.status("Rejected", format!("{} ({})", p.id, p.tool));
    }
    print_one(ctx, format, &p);
    Ok(ExitStatus::Success)
}

fn undo(ctx: &Ctx, args: &ProposalIdArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let clock = test_clock(ctx)?;
    let store = sessions_store(project);
    let (_lock, mut p) = store.lock_proposal(&args.id)?;
    match p.state {
        State::Undone => {
            ctx.printer.note(format!("proposal `{}` was undone already", p.id));
            print_one(ctx, format, &p);
            return Ok(ExitStatus::Success);
        }
        State::Executed => {}
        other => {
            return Err(UserError::usage(format!(
                "proposal `{}` is {other}; only an EXECUTED proposal can be undone",
                p.id
            ))
            .into());
        }
    }
    let Some(compensation) = p.compensation.clone() else {
        return Err(
            UserError::usage(format!("proposal `{}` ({}) changed nothing that can be undone", p.id, p.tool)).into()
        );
    };
    let instance = erp::open(project, &ctx.settings.env, Some(&p.instance))?;
    let rt = crate::rt::build()?;
    let result = rt
        .block_on(executor::compensate(instance.erp.as_ref(), &p.org, &compensation))
        .with_context(|| format!("failed to undo proposal `{}` ({})", p.id, compensation.describe()))?;
    transition(&store, &mut p, State::Undone, clock.now(), "agentb proposals undo", Some(compensation.describe()))?;
    if format == Format::Json {
        ctx.printer.json(&json!({"proposal": proposal_summary(&p), "undo": compensation.describe(), "result": result}));
    }
    ctx.printer.status("Undone", format!("{} ({}): {}", p.id, p.tool, compensation.describe()));
    Ok(ExitStatus::Success)
}

fn print_one(ctx: &Ctx, format: Format, p: &Proposal) {
    if format == Format::Json {
        ctx.printer.json(&json!({"proposal": proposal_summary(p), "result": p.result, "error": p.error}));
    }
}
