//! What a run shows and asks on the terminal: the observer that prints statuses, notes,
//! warnings and the streamed text, the prompter that confirms proposals, and the Ctrl-C handler
//! (the first Ctrl-C asks the run to stop at a safe point, a second exits at once with 130).

use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::command_error::ExitStatus;
use crate::cli::printer::Printer;
use crate::config::Tier;
use crate::runtime::interrupt::Interrupt;
use crate::runtime::proposals::Proposal;
use crate::runtime::{Observer, Prompter};

/// The terminal as the run's observer: statuses and warnings on stderr, the streamed text raw.
pub struct Terminal(pub Printer);

impl Observer for Terminal {
    fn status(&self, verb: &str, message: &str) {
        self.0.status(verb, message);
    }
    fn warn(&self, message: &str) {
        self.0.warn(message);
    }
    fn note(&self, message: &str) {
        self.0.note(message);
    }
    fn text(&self, text: &str) {
        self.0.err_raw(text);
    }
}

/// Confirms proposals on the terminal: T2 with `[Y/n]`, T3 with an explicit `yes`. Ctrl-C at
/// the prompt decides nothing: it interrupts the run, and the proposal stays pending.
pub struct TerminalPrompter(pub Arc<Interrupt>);

impl Prompter for TerminalPrompter {
    fn confirm(&self, p: &Proposal) -> bool {
        let input = serde_json::to_string_pretty(&p.input).unwrap_or_default();
        eprintln!("proposal {} wants to call `{}` ({}) with:\n{input}", p.id, p.tool, p.tier);
        let answer = if p.tier == Tier::T3 {
            dialoguer::Input::<String>::new()
                .with_prompt("type `yes` to execute it")
                .allow_empty(true)
                .interact_text()
                .map(|answer| answer.trim() == "yes")
        } else {
            dialoguer::Confirm::new().with_prompt("execute it?").default(true).interact()
        };
        answer.unwrap_or_else(|_| {
            self.0.trigger();
            false
        })
    }
}

/// Installs the Ctrl-C handler of a run (inside the runtime): the first Ctrl-C asks the run to
/// stop at its next safe point, a second one exits at once (130).
pub fn on_ctrl_c(interrupt: Arc<Interrupt>, printer: Printer) -> anyhow::Result<()> {
    #[cfg(unix)]
    let mut signals = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("failed to install the Ctrl-C handler")?;
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut next = async || signals.recv().await.is_some();
        #[cfg(not(unix))]
        let next = async || tokio::signal::ctrl_c().await.is_ok();
        if !next().await {
            return;
        }
        interrupt.trigger();
        printer
            .warn("interrupted: stopping at the next safe point and saving the session (Ctrl-C again exits at once)");
        if next().await {
            std::process::exit(i32::from(ExitStatus::Interrupted.code()));
        }
    });
    Ok(())
}
