//! One file per subcommand, each with `run(ctx, args)`; [`dispatch`] is the one `match`.
//! Commands are thin: they read their arguments, call the domain modules, and print.

mod abort;
mod build;
mod compile;
mod completions;
mod deploy;
mod diff;
mod erp;
mod explain;
mod export;
mod history;
mod import;
mod init;
mod lint;
mod new;
mod pin;
mod promote;
mod proposals;
mod refine;
mod rollback;
mod run;
mod sessions;
mod status;
mod test;
mod version;

use std::cell::OnceCell;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::printer::Printer;
use crate::cli::settings::Settings;
use crate::cli::{Command, Format};
use crate::config::CONFIG_FILE;
use crate::workspace::Project;

/// What every command gets: the settings, the printer, and the project, loaded on first use
/// (so `agentb explain` works in a folder whose config is broken).
pub struct Ctx {
    pub settings: Settings,
    pub printer: Printer,
    project: OnceCell<Project>,
}

impl Ctx {
    /// Returns a context for the resolved settings.
    pub fn new(settings: Settings) -> Self {
        let printer = Printer::new(&settings);
        Self { settings, printer, project: OnceCell::new() }
    }

    /// Returns the project, loading its config on first use.
    pub fn project(&self) -> anyhow::Result<&Project> {
        if let Some(project) = self.project.get() {
            return Ok(project);
        }
        let project = self.settings.load_project()?;
        if let Some(path) = &project.config_path {
            tracing::info!("config: `{}`", path.display());
        } else {
            self.printer.note(format!("no {CONFIG_FILE} found; using the defaults"));
            tracing::info!("no {CONFIG_FILE} found from `{}`: using the defaults", self.settings.cwd.display());
        }
        Ok(self.project.get_or_init(|| project))
    }

    /// Returns the report format, checking that the command supports it. `supported` is the
    /// list `--help` offers (see [`crate::cli::help::formats`]).
    pub fn format(&self, supported: &[Format]) -> anyhow::Result<Format> {
        debug_assert!(
            self.settings.command.is_empty() || crate::cli::help::formats(&self.settings.command) == supported,
            "`agentb {}` supports {supported:?}, but its `--help` offers {:?}: make `formats` in src/cli/help.rs say the same",
            self.settings.command,
            crate::cli::help::formats(&self.settings.command),
        );
        let format = self.settings.format.unwrap_or(Format::Human);
        if supported.contains(&format) {
            Ok(format)
        } else {
            let names: Vec<String> = supported.iter().map(|f| format!("`{}`", format_name(*f))).collect();
            Err(UserError::usage(format!("this command does not support `--format {}`", format_name(format)))
                .with_hint(format!("use one of {}", names.join(", ")))
                .into())
        }
    }
}

/// Returns the command-line name of a format.
pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::Human => "human",
        Format::Json => "json",
        Format::Sarif => "sarif",
        Format::Github => "github",
        Format::Junit => "junit",
        Format::AgentSkills => "agent-skills",
    }
}

/// Runs one subcommand.
pub fn dispatch(settings: Settings, command: Command) -> anyhow::Result<ExitStatus> {
    let ctx = Ctx::new(settings);
    match command {
        Command::Lint(args) => lint::run(&ctx, &args),
        Command::Compile(args) => compile::run(&ctx, &args),
        Command::Explain(args) => explain::run(&ctx, &args),
        Command::Init(args) => init::run(&ctx, &args),
        Command::New(args) => new::run(&ctx, &args),
        Command::Erp(args) => erp::run(&ctx, &args),
        Command::Diff(args) => diff::run(&ctx, &args),
        Command::Version(args) => version::run(&ctx, &args),
        Command::Deploy(args) => deploy::run(&ctx, &args),
        Command::Promote(args) => promote::run(&ctx, &args),
        Command::Abort(args) => abort::run(&ctx, &args),
        Command::Pin(args) => pin::run(&ctx, &args),
        Command::Unpin(args) => pin::unpin(&ctx, &args),
        Command::Rollback(args) => rollback::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, &args),
        Command::History(args) => history::run(&ctx, &args),
        Command::Run(args) => run::run(&ctx, &args),
        Command::Build(args) => build::run(&ctx, &args),
        Command::Refine(args) => refine::run(&ctx, &args),
        Command::Test(args) => test::run(&ctx, &args),
        Command::Import(args) => import::run(&ctx, &args),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Proposals(args) => proposals::run(&ctx, &args),
        Command::Sessions(args) => sessions::run(&ctx, &args),
        Command::Completions(args) => completions::run(&ctx, &args),
        Command::GenerateDocs(args) => completions::generate_docs(&ctx, &args),
    }
}
