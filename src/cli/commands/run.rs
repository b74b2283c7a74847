//! `agentb run SKILL --org ORG …` and `agentb run --resume SESSION …`: turn the arguments into
//! options, call the run lifecycle (`runtime::lifecycle`), render its report and map its
//! outcome to the exit status. The terminal prompts and the streamed text live here.

use std::sync::Arc;

use anyhow::Context as _;
use serde_json::{Map, Value};

use crate::claude::ClaudeClient;
use crate::cli::command_error::{self, ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::run_terminal::{self, Terminal, TerminalPrompter};
use crate::cli::{ApproveTier, Format, RunArgs};
use crate::config::Tier;
use crate::erp;
use crate::runtime::clock::{Clock, TEST_CLOCK_ENV};
use crate::runtime::ids::Ids;
use crate::runtime::interrupt::Interrupt;
use crate::runtime::lifecycle::{self, ResumeOptions, store_for, store_of};
use crate::runtime::session::Store;
use crate::runtime::{Outcome, RunConfig, RunDeps, RunReport, StartOptions};

pub fn run(ctx: &Ctx, args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let clock = test_clock(ctx)?;
    let ids = Ids::Random;
    let observer = Terminal(ctx.printer.clone());
    let resume = args.resume.as_ref().map(|id| ResumeOptions {
        session: id.clone(),
        message: args.message.clone(),
        reject: args.reject,
    });
    // A resumed session runs on the instance it was started on: the one this machine's folder
    // names for it, else `--instance`, else `erp.default` (whose ERP may hold it).
    let instance_name = match &resume {
        Some(opts) => args.instance.clone().or_else(|| lifecycle::instance_of_session(project, &opts.session)),
        None => args.instance.clone(),
    };
    // A dry run writes nothing: not even the embedded instance's database.
    let dry = args.dry_run && resume.is_none();
    let instance = if dry {
        erp::open_read_only(project, &ctx.settings.env, instance_name.as_deref())?
    } else {
        erp::open(project, &ctx.settings.env, instance_name.as_deref())?
    };
    let store = store_for(project, &instance);
    let resumable = resume.as_ref().map(|opts| lifecycle::open(&store, &clock, opts)).transpose()?;
    let start = match (&resumable, &args.skill, &args.org) {
        (Some(_), _, _) => None,
        (None, Some(skill), Some(org)) => Some(start_options(ctx, args, skill, org)?),
        _ => return Err(UserError::usage("`agentb run` needs a SKILL and `--org ORG`, or `--resume SESSION`").into()),
    };
    let rt = crate::rt::build()?;
    let session = match &start {
        Some(opts) if args.dry_run => {
            let dry =
                rt.block_on(lifecycle::dry_run(project, &instance, opts, &clock, &ids, &observer, streams(ctx)))?;
            let origin =
                dry.artifact.origin.as_ref().map(|o| format!(", {}", o.describe(&opts.org))).unwrap_or_default();
            let (version, hash) = (&dry.artifact.version, &dry.artifact.content_hash);
            ctx.printer.status("Would run", format!("{} v{version}{origin} ({hash})", opts.skill));
            ctx.printer.json(&dry.request);
            return Ok(ExitStatus::Success);
        }
        Some(opts) => Some(rt.block_on(lifecycle::prepare(project, &instance, opts, &clock, &ids, &observer))?),
        None => None,
    };
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let interrupt = Arc::new(Interrupt::new());
    let prompter = TerminalPrompter(Arc::clone(&interrupt));
    let config = RunConfig::from_project(project);
    let deps = RunDeps {
        model: &client,
        instance: &instance,
        store: &store,
        clock: &clock,
        ids: &ids,
        config: &config,
        approve: approve_tier(args.approve, ctx.settings.yes),
        prompter: if ctx.settings.interactive { Some(&prompter) } else { None },
        observer: &observer,
        stream: streams(ctx),
        interrupt: Some(&interrupt),
        check: resumable.as_ref().and_then(|r| crate::builders::check_for(&r.session)),
    };
    let report = rt.block_on(async {
        run_terminal::on_ctrl_c(Arc::clone(&interrupt), ctx.printer.clone())?;
        match (resumable, session, &resume) {
            (Some(resumable), _, Some(opts)) => lifecycle::resume(&deps, resumable, opts).await,
            (_, session, _) => lifecycle::start(&deps, session.context("a run starts or resumes")?, "cli").await,
        }
    })?;
    render(ctx, format, report)
}

/// Prints a run's report and returns its exit status (SPEC §12), or the error of a failed call.
pub(super) fn render(ctx: &Ctx, format: Format, report: RunReport) -> anyhow::Result<ExitStatus> {
    let p = &ctx.printer;
    if format == Format::Json {
        p.json(&report);
    }
    let (skill, session) = (&report.skill, &report.session);
    match report.outcome {
        Outcome::Completed => {
            if format == Format::Human {
                p.json(&report.output);
            }
            let (org, turns, cost) = (&report.org, report.turns, report.cost_usd);
            p.status("Completed", format!("{skill} for org `{org}` in {turns} turns (${cost:.4}, session {session})"));
            Ok(ExitStatus::Success)
        }
        Outcome::AwaitingApproval { .. } => {
            p.err_line(format!("awaiting approval: {} proposal(s) of session {session}", report.pending().count()));
            for x in report.pending() {
                if format == Format::Human {
                    p.line(&x.id);
                }
                p.err_line(format!("  {}  {} ({})  PENDING", x.id, x.tool, x.tier));
            }
            p.hint(format!(
                "approve with `agentb proposals approve ID`; resume with `agentb run --resume {session} --message …` to soft-confirm T2 proposals"
            ));
            Ok(ExitStatus::AwaitingApproval)
        }
        Outcome::Interrupted => {
            p.err_line(format!("interrupted: session {session} is saved and its invocation marked failed"));
            p.hint(format!("resume it with `agentb run --resume {session}` (add `--message …` to say more)"));
            Ok(ExitStatus::Interrupted)
        }
        Outcome::Error(e) => {
            let status = command_error::status_of(&e);
            if format == Format::Json {
                // The report carries the error; say it on stderr too, and exit with the call's status.
                p.err_raw(command_error::render(&e, p.color_stderr));
                return Ok(status);
            }
            Err(e.context(format!("run of `{skill}` failed (session {session})")))
        }
        ref failed => {
            if format == Format::Human {
                let red = p.stderr_style().red().bold();
                p.err_line(format!("{} {}", red.apply_to("error:"), report.error.as_deref().unwrap_or_default()));
                p.hint(format!("`agentb sessions show {session}` shows the audit log"));
            }
            Ok(if matches!(failed, Outcome::Stopped(_)) { ExitStatus::Breaker } else { ExitStatus::Failure })
        }
    }
}

/// Returns whether the model's text streams to the terminal: stderr is one, and neither
/// `--quiet` nor `--format json` asks for the result alone.
pub(super) fn streams(ctx: &Ctx) -> bool {
    ctx.settings.stderr_tty && !ctx.printer.quiet && ctx.settings.format != Some(Format::Json)
}

/// Returns the tier `--approve` confirms; `--yes` alone confirms T2 calls, never T3.
pub(super) fn approve_tier(approve: Option<ApproveTier>, yes: bool) -> Option<Tier> {
    match approve {
        Some(ApproveTier::T3) => Some(Tier::T3),
        Some(ApproveTier::T2) => Some(Tier::T2),
        None => yes.then_some(Tier::T2),
    }
}

/// Returns the session store of an instance (`None`: `erp.default`): the sessions folder for a
/// local instance, the ERP for an http one.
pub fn session_store(ctx: &Ctx, instance: Option<&str>) -> anyhow::Result<Store> {
    let project = ctx.project()?;
    let (name, config) = erp::instance_config(project, instance)?;
    if config.is_local() {
        return Ok(store_of(project));
    }
    let instance = erp::open(project, &ctx.settings.env, Some(name))?;
    Ok(store_for(project, &instance))
}

/// Returns the clock: the system clock, or the test clock of `AGENTB_TEST_CLOCK`.
pub fn test_clock(ctx: &Ctx) -> anyhow::Result<Clock> {
    Ok(Clock::from_spec(ctx.settings.env.get(TEST_CLOCK_ENV)).map_err(UserError::usage)?)
}

/// Returns the options of a new run: reads `--input-file` (one JSON object) and splits each
/// `--input key=value`.
fn start_options(ctx: &Ctx, args: &RunArgs, skill: &str, org: &str) -> anyhow::Result<StartOptions> {
    let mut input = Map::new();
    if let Some(file) = &args.input_file {
        let path = ctx.settings.cwd.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| UserError::usage(format!("cannot read `--input-file {}`: {e}", file.display())))?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => input = map,
            Ok(_) => return Err(UserError::usage(format!("`{}` must hold one JSON object", file.display())).into()),
            Err(e) => return Err(UserError::usage(format!("`{}` is not valid JSON: {e}", file.display())).into()),
        }
    }
    let mut pairs = Vec::new();
    for pair in &args.inputs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(UserError::usage(format!("`--input {pair}` is not `key=value`"))
                .with_hint("for example `--input request_details=\"Spring campaign\"`")
                .into());
        };
        pairs.push((key.trim().to_owned(), value.to_owned()));
    }
    let (skill, org, instance) = (skill.to_owned(), org.to_owned(), args.instance.clone());
    let (persona, model, source) = (args.persona.clone(), args.model.clone(), args.source);
    Ok(StartOptions { skill, org, instance, persona, input, raw_inputs: pairs, model, source })
}
