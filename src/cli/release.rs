//! What the release commands share on the command line: opening a [`ReleaseSession`] for the
//! project, progress bars, the confirmation, and carrying out a plan with its summary.

use std::sync::Mutex;

use indicatif::ProgressBar;

use crate::cli::Format;
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::printer::Printer;
use crate::cli::render;
use crate::deploy::ops::{Outcome, ReleaseReport, promote::GateReport};
use crate::deploy::plan::Plan;
use crate::deploy::rollout::{Progress, Step};
use crate::deploy::session::ReleaseSession;

/// Opens the project's instance; `lock` takes the project's lock first, naming this command
/// line as its holder.
pub fn open_session(ctx: &Ctx, instance: Option<&str>, lock: bool) -> anyhow::Result<ReleaseSession> {
    let command = lock.then(|| std::env::args().collect::<Vec<_>>().join(" "));
    Ok(ReleaseSession::open(ctx.project()?, &ctx.settings.env, instance, command.as_deref())?)
}

/// Returns the concurrency: the flag, else the config's `deploy.concurrency`.
pub fn concurrency(ctx: &Ctx, flag: Option<u16>) -> anyhow::Result<usize> {
    Ok(flag.map_or(ctx.project()?.config.deploy.concurrency, usize::from).max(1))
}

/// Progress bars on stderr: `Reading` while the orgs are read, `verb` while writing.
pub struct Bars<'a> {
    printer: &'a Printer,
    verb: &'a str,
    bar: Mutex<Option<ProgressBar>>,
}

impl<'a> Bars<'a> {
    pub fn new(printer: &'a Printer, verb: &'a str) -> Self {
        Self { printer, verb, bar: Mutex::new(None) }
    }

    fn with(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        let mut bar = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut bar);
    }
}

impl Progress for Bars<'_> {
    fn start(&self, step: Step, len: u64) {
        let message = match step {
            Step::Read => "Reading",
            Step::Write => self.verb,
        };
        self.with(|bar| *bar = Some(self.printer.progress(len, message)));
    }

    fn inc(&self) {
        self.with(|bar| {
            if let Some(bar) = bar {
                bar.inc(1);
            }
        });
    }

    fn finish(&self) {
        self.with(|bar| {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
            }
        });
    }
}

/// Asks to go ahead: `--yes` does, a terminal asks, and without a terminal agentb refuses.
pub fn confirm(ctx: &Ctx, question: &str) -> anyhow::Result<bool> {
    if ctx.settings.yes {
        return Ok(true);
    }
    if !ctx.settings.interactive {
        return Err(UserError::usage("refusing to change the ERP without confirmation: stdin is not a terminal")
            .with_hint("pass `--yes` to go ahead, or `--plan` to only show the plan")
            .into());
    }
    Ok(dialoguer::Confirm::new().with_prompt(question).default(false).interact()?)
}

/// Shows the plan (human), confirms when it writes, carries it out and shows the summary; with
/// `--format json` prints the [`ReleaseReport`] instead. Exit 3 when anything failed.
pub fn carry_out(
    ctx: &Ctx,
    session: &mut ReleaseSession,
    plan: Plan,
    format: Format,
    verb: &str,
    concurrency: usize,
    gate: Option<GateReport>,
) -> anyhow::Result<ExitStatus> {
    let plan_report = plan.report();
    render::plan::notes(ctx, &plan.notes);
    if format == Format::Human {
        render::plan::print(ctx, &plan);
    }
    let writes = plan.writes();
    let (status, result) =
        if writes > 0 && !confirm(ctx, &format!("apply {writes} changes to instance `{}`?", session.name()))? {
            ctx.printer.status("Cancelled", "nothing was changed");
            (ExitStatus::Success, Outcome::Cancelled { cancelled: true })
        } else {
            let report = session.apply(plan, concurrency, &Bars::new(&ctx.printer, verb))?;
            let status = render::plan::summary(ctx, session.name(), writes, verb, &report);
            (status, Outcome::Applied(report))
        };
    if format == Format::Json {
        ctx.printer.json(&ReleaseReport { plan: plan_report, result, gate });
    }
    Ok(status)
}
