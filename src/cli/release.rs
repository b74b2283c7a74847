//! What the release commands share on the command line: opening a [`ReleaseSession`] for the
//! project, progress bars, the confirmation, and carrying out a plan with its summary.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

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

/// Progress bars on stderr: `Reading` while the orgs are read, then the verb's present
/// participle while writing (`Deployed` → `Deploying 134/2400`).
pub struct Bars<'a> {
    printer: &'a Printer,
    verb: String,
    bar: Mutex<Option<ProgressBar>>,
    /// Set by Ctrl-C: no new write starts.
    stop: Arc<AtomicBool>,
}

impl<'a> Bars<'a> {
    pub fn new(printer: &'a Printer, verb: &str) -> Self {
        Self { printer, verb: participle(verb), bar: Mutex::new(None), stop: Arc::new(AtomicBool::new(false)) }
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
            Step::Write => self.verb.as_str(),
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

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// Returns the present participle of a summary verb, for the progress bar: `Deployed` →
/// `Deploying`, `Rolled back` → `Rolling back`; any other verb as it is.
fn participle(verb: &str) -> String {
    let (first, rest) = verb.split_once(' ').unwrap_or((verb, ""));
    let word = match first {
        "Pinned" => "Pinning".to_owned(),
        "Unpinned" => "Unpinning".to_owned(),
        "Rolled" => "Rolling".to_owned(),
        "Promoted" => "Promoting".to_owned(),
        f => f.strip_suffix("ed").map_or_else(|| f.to_owned(), |stem| format!("{stem}ing")),
    };
    if rest.is_empty() { word } else { format!("{word} {rest}") }
}

/// Stops starting new writes on the first Ctrl-C (in-flight writes finish and the state is
/// saved); a second Ctrl-C ends agentb at once. Returns the listener, to abort when done.
fn on_interrupt(ctx: &Ctx, session: &ReleaseSession, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    let printer = ctx.printer.clone();
    session.rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::SeqCst);
            printer.warn("interrupted: finishing the writes in flight (Ctrl-C again to stop at once)");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(ExitStatus::Interrupted.code()));
            }
        }
    })
}

/// Asks to go ahead: `--yes` does, a terminal asks, and without a terminal agentb refuses.
pub fn confirm(ctx: &Ctx, question: &str) -> anyhow::Result<bool> {
    if ctx.settings.yes {
        return Ok(true);
    }
    if let Some(reason) = ctx.settings.no_input.filter(|_| !ctx.settings.interactive) {
        return Err(UserError::usage(format!("refusing to change the ERP without confirmation: {reason}"))
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
    if !plan.unreadable.is_empty() {
        // SPEC §9: an incomplete plan stops before anything is applied, as `--plan` does.
        if format == Format::Json {
            ctx.printer.json(&plan_report);
        }
        render::plan::incomplete(ctx, session.name(), &session.instance.config.url, plan.unreadable.len());
        return Ok(ExitStatus::Remote);
    }
    let writes = plan.writes();
    let (status, result) =
        if writes > 0 && !confirm(ctx, &format!("apply {writes} changes to instance `{}`?", session.name()))? {
            if !ctx.printer.quiet {
                ctx.printer.err_line("Cancelled: nothing was changed");
            }
            (ExitStatus::Success, Outcome::Cancelled { cancelled: true })
        } else {
            let bars = Bars::new(&ctx.printer, verb);
            let listener = on_interrupt(ctx, session, Arc::clone(&bars.stop));
            let applied = session.apply(plan, concurrency, &bars);
            listener.abort();
            let report = applied?;
            let status = if report.interrupted {
                render::plan::interrupted(ctx, &report);
                ExitStatus::Interrupted
            } else {
                render::plan::summary(ctx, session.name(), writes, verb, &report)
            };
            (status, Outcome::Applied(report))
        };
    if format == Format::Json {
        ctx.printer.json(&ReleaseReport { plan: plan_report, result, gate });
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::participle;

    #[test]
    fn progress_bars_say_what_is_happening() {
        assert_eq!(participle("Deployed"), "Deploying");
        assert_eq!(participle("Promoted"), "Promoting");
        assert_eq!(participle("Aborted"), "Aborting");
        assert_eq!(participle("Pinned"), "Pinning");
        assert_eq!(participle("Rolled back"), "Rolling back");
        assert_eq!(participle("Reading"), "Reading");
    }
}
