//! `agentb refine SKILL`: read the skill (and, with `--from-invocations`, the org's failed
//! invocations of it), call the refiner (`crate::builders::refine`), show the interface diff
//! with its class, the body diff and the bump, and replace the file on confirmation.

use crate::builders::refine::{self, Options};
use crate::claude::ClaudeClient;
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::commands::build::{confirm_write, drafter, no_confirmation, print_problems, unclean};
use crate::cli::commands::run;
use crate::cli::run_terminal::Terminal;
use crate::cli::{Format, RefineArgs};
use crate::erp;
use crate::runtime::ids::Ids;
use crate::runtime::lifecycle::{check_org, store_of};

pub fn run(ctx: &Ctx, args: &RefineArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let window = crate::duration::parse(&args.since).map_err(|e| UserError::usage(format!("`--since`: {e}")))?;
    let base = refine::base(project, &args.skill)?;
    if args.feedback.as_deref().is_none_or(|f| f.trim().is_empty()) && !args.from_invocations {
        let why = "neither `--feedback` nor `--from-invocations`".to_owned();
        return Err(crate::builders::BuildError::NoFeedback { skill: base.id.clone(), why }.into());
    }
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let (clock, store, ids, observer) =
        (run::test_clock(ctx)?, store_of(project), Ids::Random, Terminal(ctx.printer.clone()));
    let rt = crate::rt::build()?;
    let (failures, org, instance_name) = match (&args.org, args.from_invocations) {
        (Some(org), true) => {
            let instance = erp::open(project, &ctx.settings.env, args.instance.as_deref())?;
            let since = refine::since(clock.now(), window);
            let failures = rt.block_on(async {
                check_org(&instance, org).await?;
                refine::failures(instance.erp.as_ref(), org, &base.id, since).await
            })?;
            ctx.printer.status(
                "Read",
                format!("{} failed invocation(s) of `{}` in org `{org}` since {since}", failures.len(), base.id),
            );
            (failures, Some(org.clone()), instance.name.clone())
        }
        _ => (Vec::new(), None, String::new()),
    };
    let drafter = drafter(
        ctx,
        project,
        &client,
        (&store, &clock, &ids, &observer),
        args.model.as_deref(),
        org.as_deref().unwrap_or_default(),
        &instance_name,
    );
    let opts = Options { feedback: args.feedback.clone(), failures, org, rounds: args.rounds };
    let mut report = rt.block_on(refine::refine(&drafter, &base, &opts))?;
    let p = &ctx.printer;
    if !report.clean {
        return Ok(unclean(ctx, format, &report, report.draft.as_deref(), &report.problems, report.rounds.len()));
    }
    if format == Format::Human {
        if let Some(summary) = refine::summary(&report) {
            p.line(format!("interface: {summary}"));
        }
        for change in &report.changes {
            p.line(format!("  {}: {}", change.class, change.what));
        }
        if report.changes.is_empty() {
            p.line("  no interface change (prose only)");
        }
        if report.body_diff.is_empty() {
            p.line("body: unchanged");
        } else {
            p.out(&report.body_diff);
        }
        print_problems(ctx, &report.problems);
    }
    let to = report.to.as_ref().map(ToString::to_string).unwrap_or_default();
    let question = format!("replace `{}` with version {to}?", report.path);
    let written = match confirm_write(ctx, &question)? {
        Some(true) => {
            refine::write(&base, &mut report)?;
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
    if written {
        p.status("Wrote", format!("{} {} → {to} (session {})", report.path, report.from, report.session));
    } else {
        p.status("Skipped", format!("{} was not changed", report.path));
    }
    Ok(ExitStatus::Success)
}
