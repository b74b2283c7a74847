//! `agentb run SKILL --org ORG …` and `agentb run --resume SESSION …`: turn the arguments into
//! options, call the run lifecycle (`runtime::lifecycle`), render its report and map its
//! outcome to the exit status. The terminal prompts and the streamed text live here.

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
use crate::runtime::lifecycle::{self, ResumeOptions, store_of};
use crate::runtime::proposals::Proposal;
use crate::runtime::{Observer, Outcome, Prompter, RunConfig, RunDeps, RunReport, StartOptions};

pub fn run(ctx: &Ctx, args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let clock = test_clock(ctx)?;
    let store = store_of(project);
    let ids = Ids::Random;
    let observer = Terminal(ctx.printer.clone());
    let resume = args.resume.as_ref().map(|id| ResumeOptions {
        session: id.clone(),
        message: args.message.clone(),
        reject: args.reject,
    });
    let (resumable, instance_name) = match &resume {
        Some(opts) => {
            let resumable = lifecycle::open(&store, &clock, opts)?;
            let name = resumable.session.instance.clone();
            (Some(resumable), Some(name))
        }
        None => (None, args.instance.clone()),
    };
    let session = match (&resumable, &args.skill, &args.org) {
        (Some(_), _, _) => None,
        (None, Some(skill), Some(org)) => {
            let (input, raw_inputs) = read_input(ctx, args)?;
            let opts = StartOptions {
                skill: skill.clone(),
                org: org.clone(),
                instance: args.instance.clone(),
                persona: args.persona.clone(),
                input,
                raw_inputs,
                model: args.model.clone(),
            };
            let session = lifecycle::prepare(project, &opts, &clock, &ids, &observer)?;
            if args.dry_run {
                ctx.printer.json(&crate::runtime::build_request(&session, streams(ctx)));
                return Ok(ExitStatus::Success);
            }
            Some(session)
        }
        _ => return Err(UserError::usage("`agentb run` needs a SKILL and `--org ORG`, or `--resume SESSION`").into()),
    };
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let instance = erp::open(project, &ctx.settings.env, instance_name.as_deref())?;
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
            (_, Some(session), _) => lifecycle::start(&deps, session, "cli").await,
            _ => unreachable!("a run either starts or resumes"),
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
            let (turns, cost) = (report.turns, report.cost_usd);
            p.status(
                "Completed",
                format!("{skill} for org `{}` in {turns} turns (${cost:.4}, session {session})", report.org),
            );
            Ok(ExitStatus::Success)
        }
        Outcome::AwaitingApproval { .. } => {
            let pending: Vec<_> = report.pending().collect();
            if format == Format::Human {
                pending.iter().for_each(|x| p.line(&x.id));
            }
            p.err_line(format!("awaiting approval: {} proposal(s) of session {session}", pending.len()));
            pending.iter().for_each(|x| p.err_line(format!("  {}  {} ({})  PENDING", x.id, x.tool, x.tier)));
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
        Some(ApproveTier::T2) => Some(Tier::T2),
        Some(ApproveTier::T3) => Some(Tier::T3),
        None if yes => Some(Tier::T2),
        None => None,
    }
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

/// Reads `--input-file` (one JSON object) and splits each `--input key=value`.
fn read_input(ctx: &Ctx, args: &RunArgs) -> anyhow::Result<(Map<String, Value>, Vec<(String, String)>)> {
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
    Ok((input, pairs))
}
