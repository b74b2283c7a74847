//! The command line: the only layer that knows clap, the terminal, the printer and exit codes.
//! [`main`] parses the arguments, resolves the [`settings`], dispatches to one of the
//! [`commands`], and maps the outcome through [`command_error`] to an exit status.

pub mod args;
pub mod command_error;
pub mod commands;
pub mod help;
pub mod printer;
pub mod release;
pub mod render;
pub mod run_terminal;
pub mod settings;

pub use args::*;

use std::process::ExitCode;

use clap::FromArgMatches as _;

use crate::cli::command_error::ExitStatus;
use crate::cli::settings::Settings;
use crate::env::Env;

/// Runs agentb with the process's arguments and environment; returns the exit code.
pub fn main() -> ExitCode {
    install_panic_hook();
    let parsed = help::command().try_get_matches().and_then(|matches| {
        let path = help::selected_path(&matches);
        Cli::from_arg_matches(&matches).map(|cli| (cli, path))
    });
    let (cli, path) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return usage_error(e),
    };
    let json = cli.global.format == Some(Format::Json);
    let settings = match Settings::resolve(&cli.global, Env::capture()) {
        Ok(settings) => settings.for_command(&path),
        Err(err) => {
            eprint!("{}", command_error::render(&err, false));
            command_error::print_json(&err, json);
            return command_error::status_of(&err).into();
        }
    };
    init_tracing(&settings);
    let color = settings.color_stderr;
    match commands::dispatch(settings, cli.command) {
        Ok(status) => status.into(),
        Err(err) => {
            eprint!("{}", command_error::render(&err, color));
            command_error::print_json(&err, json);
            command_error::status_of(&err).into()
        }
    }
}

/// Prints a clap error (or `--help`); an unknown subcommand gets the one closest name as its
/// suggestion, and with `--format json` a usage error is also a JSON object on stdout.
fn usage_error(mut e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue};
    if let (Some(ContextValue::String(given)), Some(ContextValue::Strings(similar))) =
        (e.get(ContextKind::InvalidSubcommand).cloned(), e.get(ContextKind::SuggestedSubcommand).cloned())
    {
        let best = crate::text::did_you_mean(&given, similar.iter().map(String::as_str))
            .or_else(|| similar.first().map(String::as_str))
            .map(str::to_owned);
        if let Some(best) = best {
            e.insert(ContextKind::SuggestedSubcommand, ContextValue::String(best));
        }
    }
    let _ = e.print();
    if !e.use_stderr() {
        return ExitCode::SUCCESS;
    }
    if json_requested(std::env::args_os().skip(1)) {
        let rendered = e.render().to_string();
        let message = rendered.lines().next().unwrap_or("invalid command line").trim_start_matches("error: ");
        command_error::print_json_error(message, None, ExitStatus::Usage);
    }
    ExitStatus::Usage.into()
}

/// Returns whether the raw arguments ask for `--format json` (read when clap refused them).
fn json_requested(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    args.iter().any(|a| a == "--format=json") || args.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
}

/// `-v` logs agentb's decisions (info), `-vv` each request (debug), `-vvv` agentb's trace; the
/// libraries underneath (hyper, rustls, reqwest) log only when `RUST_LOG` asks for them.
fn init_tracing(settings: &Settings) {
    let from_env = settings.env.get("RUST_LOG").filter(|v| !v.trim().is_empty());
    let filter = match (from_env, settings.verbose) {
        (Some(directives), _) => directives.to_owned(),
        (None, 0) => return,
        (None, 1) => "agentb=info".to_owned(),
        (None, 2) => "agentb=debug".to_owned(),
        (None, _) => "agentb=trace".to_owned(),
    };
    let full = from_env.is_some() || settings.verbose >= 3;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(settings.color_stderr)
        .with_target(full)
        .without_time()
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
