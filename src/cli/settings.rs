//! The one settings step: command-line flags and the environment resolve into [`Settings`]
//! before a command runs; the project is then found by [`Project::discover`]. Nothing deeper
//! reads environment variables; they are captured here once, in [`Env`].

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::args::{ColorChoice, Format, GlobalArgs};
use crate::cli::command_error::UserError;
use crate::env::Env;
use crate::workspace::Project;

/// Flags and environment resolved for every command.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The directory agentb runs in (after `-C`).
    pub cwd: PathBuf,
    /// `--config FILE`, resolved against `cwd`.
    pub config_file: Option<PathBuf>,
    /// `--format`, or the automatic choice (`github` under GitHub Actions for lint).
    pub format: Option<Format>,
    /// Whether agentb runs under GitHub Actions.
    pub github_actions: bool,
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub quiet: bool,
    pub verbose: u8,
    /// Whether agentb may prompt: stdin is a terminal, `--no-input` is off and `CI` is unset.
    pub interactive: bool,
    /// Why agentb may not prompt, when it may not.
    pub no_input: Option<NoInput>,
    /// The path of the command that runs (`"erp org list"`).
    pub command: String,
    /// Whether stderr is a terminal (progress bars, streaming).
    pub stderr_tty: bool,
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
    pub yes: bool,
    pub env: Env,
}

/// Why agentb does not prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoInput {
    /// `--no-input` was given.
    Flag,
    /// The `CI` variable is set.
    Ci,
    /// Standard input is not a terminal.
    NotATerminal,
}

impl std::fmt::Display for NoInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoInput::Flag => "`--no-input` was given",
            NoInput::Ci => "`CI` is set",
            NoInput::NotATerminal => "stdin is not a terminal",
        })
    }
}

impl Settings {
    /// Resolves global flags against the environment.
    pub fn resolve(global: &GlobalArgs, env: Env) -> anyhow::Result<Self> {
        let base = std::env::current_dir().context("failed to read the current directory")?;
        let cwd = match &global.directory {
            Some(dir) => {
                let dir = base.join(dir);
                if !dir.is_dir() {
                    return Err(UserError::usage(format!("`-C {}`: no such directory", dir.display())).into());
                }
                dir
            }
            None => base,
        };
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let no_color = env.get("NO_COLOR").is_some();
        let (color_stdout, color_stderr) = match global.color {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (stdout_tty && !no_color, stderr_tty && !no_color),
        };
        let no_input = if global.no_input {
            Some(NoInput::Flag)
        } else if env.flag("CI") {
            Some(NoInput::Ci)
        } else if !std::io::stdin().is_terminal() {
            Some(NoInput::NotATerminal)
        } else {
            None
        };
        let interactive = no_input.is_none();
        Ok(Self {
            config_file: global.config.as_ref().map(|c| cwd.join(c)),
            cwd,
            format: global.format,
            github_actions: env.get("GITHUB_ACTIONS") == Some("true"),
            color_stdout,
            color_stderr,
            quiet: global.quiet,
            verbose: global.verbose,
            interactive,
            no_input,
            command: String::new(),
            stderr_tty,
            stdout_tty,
            yes: global.yes,
            env,
        })
    }

    /// Returns the settings of the command at `path` (`"erp org list"`).
    #[must_use]
    pub fn for_command(mut self, path: &str) -> Self {
        path.clone_into(&mut self.command);
        self
    }

    /// Finds and loads the project (see [`Project::discover`]).
    pub fn load_project(&self) -> anyhow::Result<Project> {
        Project::discover(&self.cwd, self.config_file.as_deref(), &self.env)
    }
}
