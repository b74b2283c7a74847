//! The command line: the only layer that knows clap, the terminal, the printer and exit codes.
//! [`main`] parses the arguments, resolves the [`settings`], dispatches to one of the
//! [`commands`], and maps the outcome through [`command_error`] to an exit status.

pub mod args;
pub mod command_error;
pub mod commands;
pub mod printer;
pub mod release;
pub mod render;
pub mod run_terminal;
pub mod settings;

pub use args::*;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::settings::Settings;
use crate::env::Env;

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
            eprint!("{}", command_error::render(&err, false));
            return command_error::status_of(&err).into();
        }
    };
    init_tracing(&settings);
    let color = settings.color_stderr;
    match commands::dispatch(settings, cli.command) {
        Ok(status) => status.into(),
        Err(err) => {
            eprint!("{}", command_error::render(&err, color));
            command_error::status_of(&err).into()
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
