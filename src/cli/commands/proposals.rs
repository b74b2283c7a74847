//! `agentb proposals list | show | approve | reject | undo`: the proposals of every session in
//! this project, through `runtime::approvals`; this file renders the reports.

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::commands::run::session_store;
use crate::cli::commands::run::test_clock;
use crate::cli::{Format, ProposalIdArgs, ProposalsCommand, ProposalsListArgs};
use crate::erp;
use crate::runtime::approvals::{self, ProposalReport, UndoReport};
use crate::runtime::proposals::State;

pub fn run(ctx: &Ctx, command: &ProposalsCommand) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let instance = match command {
        ProposalsCommand::List(args) => args.instance.as_deref(),
        ProposalsCommand::Show(args)
        | ProposalsCommand::Approve(args)
        | ProposalsCommand::Reject(args)
        | ProposalsCommand::Undo(args) => args.instance.as_deref(),
    };
    let store = session_store(ctx, instance)?;
    let p = &ctx.printer;
    let env = &ctx.settings.env;
    let open = |name: &str| Ok(erp::open(project, env, Some(name))?.erp);
    match command {
        ProposalsCommand::List(args) => {
            list(ctx, format, &approvals::list(&store, state(args)?, args.session.as_deref())?);
        }
        ProposalsCommand::Show(args) => show(ctx, format, &approvals::show(&store, &args.id)?),
        ProposalsCommand::Approve(ProposalIdArgs { id, .. }) => {
            let clock = test_clock(ctx)?;
            let config = &project.config.hooks;
            let report =
                crate::rt::build()?.block_on(approvals::approve(&store, &clock, config, &project.root, id, &open))?;
            if !report.changed {
                p.note(format!("proposal `{}` was executed already; nothing was run again", report.full.id));
                print_one(ctx, format, &report);
                return Ok(ExitStatus::Success);
            }
            if let Some(flag) = &report.flag {
                p.warn(flag);
            }
            print_one(ctx, format, &report);
            if let Some(failure) = report.failure() {
                return Err(failure.into());
            }
            let full = &report.full;
            p.status("Executed", format!("{} ({}) for org `{}`", full.id, full.tool, full.org));
            p.hint(format!(
                "resume the session to tell the model: agentb run --resume {} --message …",
                full.session_id
            ));
        }
        ProposalsCommand::Reject(ProposalIdArgs { id, .. }) => {
            let report = approvals::reject(&store, &test_clock(ctx)?, id)?;
            if report.changed {
                p.status("Rejected", format!("{} ({})", report.full.id, report.full.tool));
            } else {
                p.note(format!("proposal `{}` was rejected already", report.full.id));
            }
            print_one(ctx, format, &report);
        }
        ProposalsCommand::Undo(ProposalIdArgs { id, .. }) => {
            let clock = test_clock(ctx)?;
            match crate::rt::build()?.block_on(approvals::undo(&store, &clock, id, &open))? {
                UndoReport::AlreadyUndone(report) => {
                    p.note(format!("proposal `{}` was undone already", report.full.id));
                    print_one(ctx, format, &report);
                }
                report @ UndoReport::Undone { .. } => {
                    if format == Format::Json {
                        p.json(&report);
                    }
                    if let UndoReport::Undone { proposal, undo, tool, .. } = &report {
                        p.status("Undone", format!("{} ({tool}): {undo}", proposal.id));
                    }
                }
            }
        }
    }
    Ok(ExitStatus::Success)
}

fn state(args: &ProposalsListArgs) -> anyhow::Result<Option<State>> {
    let Some(s) = &args.state else { return Ok(None) };
    let state = State::parse(s).ok_or_else(|| {
        UserError::usage(format!("`--state {s}` is not a proposal state"))
            .with_hint("use one of pending, confirmed, executed, rejected, expired, failed, undone")
    })?;
    Ok(Some(state))
}

fn list(ctx: &Ctx, format: Format, all: &[crate::runtime::ProposalSummary]) {
    if format == Format::Json {
        return ctx.printer.json(&all);
    }
    if all.is_empty() {
        return ctx.printer.note("no proposals");
    }
    ctx.printer.line(format!("{:<16} {:<10} {:<4} {:<28} {:<36} CREATED", "ID", "STATE", "TIER", "TOOL", "SESSION"));
    for p in all {
        let (state, tier) = (p.state.as_str(), p.tier.to_string());
        ctx.printer
            .line(format!("{:<16} {state:<10} {tier:<4} {:<28} {:<36} {}", p.id, p.tool, p.session, p.created_at));
    }
}

fn show(ctx: &Ctx, format: Format, p: &crate::runtime::proposals::Proposal) {
    let out = &ctx.printer;
    if format == Format::Json {
        return out.json(&p);
    }
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    out.line(format!("proposal  {}", p.id));
    out.line(format!("state     {}", p.state));
    out.line(format!("tool      {} ({})", p.tool, p.tier));
    out.line(format!("org       {} on instance {}", p.org, p.instance));
    out.line(format!("session   {}", p.session_id));
    out.line(format!("created   {}", p.created_at));
    if let Some(at) = p.expires_at {
        out.line(format!("expires   {at}"));
    }
    out.line(format!("input     {}", pretty(&p.input)));
    if let Some(result) = &p.result {
        out.line(format!("result    {}", pretty(result)));
    }
    if let Some(error) = &p.error {
        out.line(format!("error     {error}"));
    }
    if let Some(c) = &p.compensation {
        out.line(format!("undo      {}", c.describe()));
    }
    for t in &p.history {
        out.line(format!("history   {} {} → {} by {}", t.at, t.from, t.to, t.by));
    }
}

fn print_one(ctx: &Ctx, format: Format, report: &ProposalReport) {
    if format == Format::Json {
        ctx.printer.json(report);
    }
}
