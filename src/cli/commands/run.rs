//! `agentb run SKILL --org ORG …` and `agentb run --resume SESSION …`: turn the arguments into
//! options, call the run lifecycle (`runtime::lifecycle`), render its report and map its
//! outcome to the exit status. The terminal prompts and the streamed text live here.

use anyhow::Context as _;
use serde_json::{Map, Value};

use crate::claude::ClaudeClient;
use crate::cli::command_error::{self, ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::printer::Printer;
use crate::cli::{ApproveTier, Format, RunArgs};
use crate::config::Tier;
use crate::erp;
use crate::runtime::clock::{Clock, TEST_CLOCK_ENV};
use crate::runtime::ids::Ids;
use crate::runtime::lifecycle::{self, ResumeOptions, store_for, store_of};
use crate::runtime::proposals::Proposal;
use crate::runtime::session::Store;
use crate::runtime::{Observer, Outcome, Prompter, RunConfig, RunDeps, RunReport, StartOptions};

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
    let mut instance = match &resume {
        Some(_) => Some(erp::open(project, &ctx.settings.env, instance_name.as_deref())?),
        None => None,
    };
    let mut store = instance.as_ref().map_or_else(|| store_of(project), |i| store_for(project, i));
    let resumable = resume.as_ref().map(|opts| lifecycle::open(&store, &clock, opts)).transpose()?;
    let session = match (&resumable, &args.skill, &args.org) {
        (Some(_), _, _) => None,
        (None, Some(skill), Some(org)) => {
            let opts = start_options(ctx, args, skill, org)?;
            if args.dry_run {
                ctx.printer.json(&lifecycle::dry_run(project, &opts, &clock, &ids, &observer, streams(ctx))?);
                return Ok(ExitStatus::Success);
            }
            Some(lifecycle::prepare(project, &opts, &clock, &ids, &observer)?)
        }
        _ => return Err(UserError::usage("`agentb run` needs a SKILL and `--org ORG`, or `--resume SESSION`").into()),
    };
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let instance = if let Some(instance) = instance.take() {
        instance
    } else {
        let instance = erp::open(project, &ctx.settings.env, instance_name.as_deref())?;
        store = store_for(project, &instance);
        instance
    };
    let config = RunConfig::from_project(project);
    let deps = RunDeps {
        model: &client,
        instance: &instance,
        store: &store,
        clock: &clock,
        ids: &ids,
        config: &config,
        approve: approve_tier(args.approve, ctx.settings.yes),
        prompter: if ctx.settings.interactive { Some(&TerminalPrompter) } else { None },
        observer: &observer,
        stream: streams(ctx),
    };
    let report = crate::rt::build()?.block_on(async {
        match (resumable, session, &resume) {
            (Some(resumable), _, Some(opts)) => lifecycle::resume(&deps, resumable, opts).await,
            (_, session, _) => lifecycle::start(&deps, session.context("a run starts or resumes")?, "cli").await,
        }
    })?;
    render(ctx, format, report)
}

/// Prints a run's report and returns its exit status (SPEC §12), or the error of a failed call.
fn render(ctx: &Ctx, format: Format, report: RunReport) -> anyhow::Result<ExitStatus> {
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
fn streams(ctx: &Ctx) -> bool {
    ctx.settings.stderr_tty && !ctx.printer.quiet && ctx.settings.format != Some(Format::Json)
}

/// Returns the tier `--approve` confirms; `--yes` alone confirms T2 calls, never T3.
fn approve_tier(approve: Option<ApproveTier>, yes: bool) -> Option<Tier> {
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

/// The terminal as the run's observer: statuses and warnings on stderr, the streamed text raw.
struct Terminal(Printer);

impl Observer for Terminal {
    fn status(&self, verb: &str, message: &str) {
        self.0.status(verb, message);
    }
    fn warn(&self, message: &str) {
        self.0.warn(message);
    }
    fn text(&self, text: &str) {
        self.0.err_raw(text);
    }
}

struct TerminalPrompter;

impl Prompter for TerminalPrompter {
    fn confirm(&self, p: &Proposal) -> bool {
        let input = serde_json::to_string_pretty(&p.input).unwrap_or_default();
        eprintln!("proposal {} wants to call `{}` ({}) with:\n{input}", p.id, p.tool, p.tier);
        if p.tier == Tier::T3 {
            dialoguer::Input::<String>::new()
                .with_prompt("type `yes` to execute it")
                .allow_empty(true)
                .interact_text()
                .is_ok_and(|answer| answer.trim() == "yes")
        } else {
            dialoguer::Confirm::new().with_prompt("execute it?").default(true).interact().unwrap_or(false)
        }
    }
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
    let (persona, model) = (args.persona.clone(), args.model.clone());
    Ok(StartOptions { skill, org, instance, persona, input, raw_inputs: pairs, model })
}
