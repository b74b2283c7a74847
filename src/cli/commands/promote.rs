//! `agentb promote`: after the failure-rate gate, send a skill's canary version to every
//! remaining org ([`crate::deploy::ops::promote`]).

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::release::{self, Bars};
use crate::cli::{Format, PromoteArgs};
use crate::deploy::gate::percent;
use crate::deploy::ops::promote::{self, GateCheck, Options, Promotion};
use crate::deploy::session::plural;

pub fn run(ctx: &Ctx, args: &PromoteArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let mut session = release::open_session(ctx, args.instance.instance.as_deref(), true)?;
    let options = Options {
        skill: args.skill.clone(),
        force: args.force,
        max_failure_rate: project.config.deploy.canary_max_failure_rate,
        min_invocations: project.config.deploy.canary_min_invocations,
        concurrency: release::concurrency(ctx, args.concurrency)?,
    };
    if args.force && !session.canary_orgs(&args.skill).is_empty() {
        ctx.printer.warn("the promotion gate is skipped (`--force`)");
    }
    match promote::plan(&session, &options, &Bars::new(&ctx.printer, "Promoted"))? {
        Promotion::Blocked(blocked) => {
            if let Some(check) = &blocked.gate.checked {
                print_gate(ctx, &args.skill, &blocked.version, check);
            }
            if format == Format::Json {
                ctx.printer.json(&blocked);
            }
            let red = ctx.printer.stderr_style().red().bold();
            let inconclusive = blocked.gate.checked.as_ref().is_some_and(|c| c.inconclusive);
            let reason = blocked.gate.checked.and_then(|c| c.reason).unwrap_or_default();
            if inconclusive {
                ctx.printer.err_line(format_args!("{} the promotion is refused: {reason}", red.apply_to("error:")));
                ctx.printer.hint(format!(
                    "run `{}` in the canary orgs (`agentb run {} --org ORG`) until it has enough finished invocations, \
                     or `--force` promotes anyway",
                    args.skill, args.skill
                ));
            } else {
                ctx.printer.err_line(format_args!("{} the promotion gate failed: {reason}", red.apply_to("error:")));
                ctx.printer.hint(format!(
                    "`agentb abort {}` returns the canary orgs to the baseline; `--force` promotes anyway",
                    args.skill
                ));
            }
            Ok(ExitStatus::Failure)
        }
        Promotion::Ready { plan, gate, version } => {
            if let Some(check) = &gate.checked {
                print_gate(ctx, &args.skill, &version.to_string(), check);
                match &check.reason {
                    Some(caveat) => ctx.printer.warn(format!("gate passed, but {caveat}")),
                    None => ctx.printer.status("Passed", "the promotion gate"),
                }
            }
            release::carry_out(ctx, &mut session, plan, format, "Promoted", options.concurrency, Some(gate))
        }
    }
}

/// Prints the gate's numbers (stderr).
fn print_gate(ctx: &Ctx, skill: &str, version: &str, check: &GateCheck) {
    let rate = |r: Option<f64>| r.map_or_else(|| "n/a".to_owned(), percent);
    let finished =
        |t: crate::deploy::gate::Tally| plural(usize::try_from(t.total()).unwrap_or(usize::MAX), "finished invocation");
    let (c, b) = (&check.canary, &check.baseline);
    ctx.printer.err_line(format_args!(
        "Gate for `{skill}` {version} since {}:\n  canary   {}: {}, {} failed ({})\n  baseline {}: {}, {} failed ({})\n  maximum failure rate {} (and at most that much above the baseline), at least {} of the canary",
        check.since,
        plural(c.orgs.len(), "org"),
        finished(c.tally()),
        c.failed,
        rate(c.failure_rate),
        plural(b.orgs.len(), "org"),
        finished(b.tally()),
        b.failed,
        rate(b.failure_rate),
        percent(check.max_failure_rate),
        plural(usize::try_from(check.min_invocations).unwrap_or(usize::MAX), "finished invocation"),
    ));
}
