//! `agentb build skill|form|workflow`: turn the arguments into a builder's options, call the
//! builder (`crate::builders`), render its report and map it to the exit status. The skill
//! builder's confirmation before writing lives here; the designers render like `agentb run`.

use crate::builders::designer::{self, Kind};
use crate::builders::draft::{Drafter, Problem};
use crate::builders::skill;
use crate::claude::ClaudeClient;
use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::commands::run;
use crate::cli::run_terminal::{self, Terminal, TerminalPrompter};
use crate::cli::{BuildCommand, BuildDesignArgs, BuildSkillArgs, Format};
use crate::erp;
use crate::lint::Level;
use crate::runtime::clock::Clock;
use crate::runtime::ids::Ids;
use crate::runtime::interrupt::Interrupt;
use crate::runtime::lifecycle::store_of;
use crate::runtime::session::Store;
use crate::runtime::{Observer, RunConfig, RunDeps};
use crate::workspace::Project;

pub fn run(ctx: &Ctx, command: &BuildCommand) -> anyhow::Result<ExitStatus> {
    match command {
        BuildCommand::Skill(args) => build_skill(ctx, args),
        BuildCommand::Form(args) => design(ctx, Kind::Form, args),
        BuildCommand::Workflow(args) => design(ctx, Kind::Workflow, args),
    }
}

fn build_skill(ctx: &Ctx, args: &BuildSkillArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let opts = skill::Options { description: args.description.clone(), id: args.id.clone(), rounds: args.rounds };
    skill::preflight(project, &opts)?;
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let (clock, store, ids, observer) =
        (run::test_clock(ctx)?, store_of(project), Ids::Random, Terminal(ctx.printer.clone()));
    let drafter = drafter(ctx, project, &client, (&store, &clock, &ids, &observer), args.model.as_deref(), "", "");
    let mut report = crate::rt::build()?.block_on(skill::build(&drafter, &opts))?;
    let p = &ctx.printer;
    if !report.clean {
        return Ok(unclean(ctx, format, &report, report.draft.as_deref(), &report.problems, report.rounds.len()));
    }
    if format == Format::Human {
        p.out(report.draft.as_deref().unwrap_or_default());
        print_problems(ctx, &report.problems);
    }
    let path = report.path.clone().unwrap_or_default();
    let written = match confirm_write(ctx, &format!("write `{path}`?"))? {
        Some(true) => {
            skill::write(project, &mut report)?;
            true
        }
        Some(false) => false,
        None => {
            if format == Format::Json {
                p.json(&report);
            }
            return Ok(no_confirmation(ctx));
        }
    };
    if format == Format::Json {
        p.json(&report);
    }
    let rounds = report.rounds.len();
    if written {
        p.status("Wrote", format!("{path} ({rounds} round(s), ${:.4}, session {})", report.cost_usd, report.session));
    } else {
        p.status("Skipped", format!("{path} was not written"));
    }
    Ok(ExitStatus::Success)
}

fn design(ctx: &Ctx, kind: Kind, args: &BuildDesignArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let (clock, store, ids, observer) =
        (run::test_clock(ctx)?, store_of(project), Ids::Random, Terminal(ctx.printer.clone()));
    let opts = designer::Options {
        kind,
        requirements: args.requirements.clone(),
        org: args.org.clone(),
        instance: args.instance.clone(),
        model: args.model.clone(),
    };
    let session = designer::prepare(project, &opts, &clock, &ids)?;
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let instance = erp::open(project, &ctx.settings.env, args.instance.as_deref())?;
    let config = RunConfig::from_project(project);
    let interrupt = std::sync::Arc::new(Interrupt::new());
    let prompter = TerminalPrompter(std::sync::Arc::clone(&interrupt));
    let deps = RunDeps {
        model: &client,
        instance: &instance,
        store: &store,
        clock: &clock,
        ids: &ids,
        config: &config,
        approve: run::approve_tier(args.approve, ctx.settings.yes),
        prompter: if ctx.settings.interactive { Some(&prompter) } else { None },
        observer: &observer,
        stream: run::streams(ctx),
        interrupt: Some(&interrupt),
        check: Some(kind.check()),
    };
    let report = crate::rt::build()?.block_on(async {
        run_terminal::on_ctrl_c(std::sync::Arc::clone(&interrupt), ctx.printer.clone())?;
        designer::design(&deps, session).await
    })?;
    run::render(ctx, format, report)
}

/// Returns the loop's dependencies for a skill builder acting for `org` (empty: none).
pub(super) fn drafter<'a>(
    ctx: &Ctx,
    project: &'a Project,
    client: &'a ClaudeClient,
    (store, clock, ids, observer): (&'a Store, &'a Clock, &'a Ids, &'a dyn Observer),
    model: Option<&str>,
    org: &str,
    instance: &str,
) -> Drafter<'a> {
    let model_name = model.map_or_else(|| project.config.claude.model.clone(), str::to_owned);
    let pricing = crate::claude::pricing::price_of(&project.config.claude.pricing, &model_name).copied();
    if pricing.is_none() {
        ctx.printer.warn(format!("no price for model `{model_name}` in `[claude.pricing]`: cost is not measured"));
    }
    Drafter {
        model: client,
        project,
        store,
        clock,
        ids,
        observer,
        model_name,
        max_tokens: project.config.claude.max_tokens,
        pricing,
        org: org.to_owned(),
        instance: instance.to_owned(),
    }
}

/// Asks to write: `Some(true)` with `--yes` or a confirmed prompt, `Some(false)` when declined,
/// `None` without a terminal and without `--yes`.
pub(super) fn confirm_write(ctx: &Ctx, question: &str) -> anyhow::Result<Option<bool>> {
    if ctx.settings.yes {
        return Ok(Some(true));
    }
    if !ctx.settings.interactive {
        return Ok(None);
    }
    Ok(Some(dialoguer::Confirm::new().with_prompt(question).default(true).interact()?))
}

/// Says that nothing was written for want of `--yes`; returns exit 2.
pub(super) fn no_confirmation(ctx: &Ctx) -> ExitStatus {
    let red = ctx.printer.stderr_style().red().bold();
    ctx.printer.err_line(format!(
        "{} nothing was written: stdin is not a terminal, so the draft needs `--yes` to be written",
        red.apply_to("error:")
    ));
    ctx.printer.hint("run the same command again with `--yes`");
    ExitStatus::Usage
}

/// Prints each problem of a draft on stderr.
pub(super) fn print_problems(ctx: &Ctx, problems: &[Problem]) {
    for problem in problems {
        let style = match problem.level {
            Level::Error => ctx.printer.stderr_style().red(),
            Level::Warning => ctx.printer.stderr_style().yellow(),
        };
        ctx.printer.err_line(format!("  {}", style.apply_to(problem.describe())));
    }
}

/// Shows a draft that stayed unclean (the draft on stdout, its problems on stderr); exit 1.
pub(super) fn unclean(
    ctx: &Ctx,
    format: Format,
    report: &impl serde::Serialize,
    draft: Option<&str>,
    problems: &[Problem],
    rounds: usize,
) -> ExitStatus {
    let p = &ctx.printer;
    if format == Format::Json {
        p.json(report);
    } else if let Some(draft) = draft {
        p.out(draft);
    }
    let red = p.stderr_style().red().bold();
    p.err_line(format!(
        "{} the draft is still not lint-clean after {rounds} round(s); nothing was written",
        red.apply_to("error:")
    ));
    print_problems(ctx, problems);
    p.hint("describe the skill more precisely, or allow more rounds with `--rounds N`");
    ExitStatus::Failure
}
