//! agentb: write, lint, compile, test, version and ship agent skills to the organizations of a
//! multi-tenant ERP, and run them on Claude behind hard, code-level safety rails.
//!
//! The binary is a thin shell over this library: [`main`] parses the command line, resolves
//! the settings, dispatches to one of [`commands`], and maps the outcome to an exit status.

pub mod claude;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod config;
pub mod deploy;
pub mod duration;
pub mod erp;
pub mod error;
pub mod lint;
pub mod printer;
pub mod runtime;
pub mod settings;
pub mod skill;
pub mod text;
pub mod tools;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::Cli;
use crate::error::ExitStatus;
use crate::settings::{Env, Settings};

/// Runs agentb with the process's arguments and environment; returns the exit code.
pub fn main() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let settings = match Settings::resolve(&cli.global, Env::capture()) {
        Ok(settings) => settings,
        Err(err) => {
            eprint!("{}", error::render(&err, false));
            return error::status_of(&err).into();
        }
    };
    init_tracing(&settings);
    let color = settings.color_stderr;
    match commands::dispatch(settings, cli.command) {
        Ok(status) => status.into(),
        Err(err) => {
            eprint!("{}", error::render(&err, color));
            error::status_of(&err).into()
        }
    }
}

fn init_tracing(settings: &Settings) {
    let level = match settings.verbose {
        0 => return,
        1 => "agentb=info",
        2 => "agentb=debug,info",
        _ => "trace",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .with_ansi(settings.color_stderr)
        .try_init();
}

/// A panic is a bug (exit 101): say so plainly, once, after Rust's own message.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        eprintln!("error: agentb hit a bug; please report it with the command you ran");
    }));
}

/// Returns the exit status for a command that succeeded or found problems.
pub fn status_from_problems(found: bool) -> ExitStatus {
    if found { ExitStatus::Failure } else { ExitStatus::Success }
}
