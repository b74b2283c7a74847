//! The one output type: data goes to stdout, everything else to stderr; colors and the report
//! format are decided once, in [`Printer::new`]. No module prints any other way.

use std::fmt::Display;
use std::io::Write as _;

use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::settings::Settings;

/// Writes data, messages and progress.
#[derive(Debug, Clone)]
pub struct Printer {
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub quiet: bool,
    stderr_tty: bool,
}

impl Printer {
    /// Returns a printer configured by the resolved settings.
    pub fn new(settings: &Settings) -> Self {
        Self {
            color_stdout: settings.color_stdout,
            color_stderr: settings.color_stderr,
            quiet: settings.quiet,
            stderr_tty: settings.stderr_tty,
        }
    }

    /// Writes data to stdout. A closed pipe (`agentb … | head`) ends the process quietly.
    pub fn out(&self, data: impl Display) {
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = write!(stdout, "{data}").and_then(|()| stdout.flush())
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            std::process::exit(0);
        }
    }

    /// Writes one line of data to stdout.
    pub fn line(&self, data: impl Display) {
        self.out(format_args!("{data}\n"));
    }

    /// Writes a JSON document to stdout, pretty-printed, with a final newline.
    pub fn json(&self, value: &impl serde::Serialize) {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        self.line(text);
    }

    /// Writes a message line to stderr (not suppressed by `--quiet`).
    pub fn err_line(&self, message: impl Display) {
        let _ = writeln!(std::io::stderr().lock(), "{message}");
    }

    /// Writes raw text to stderr.
    pub fn err_raw(&self, message: impl Display) {
        let _ = write!(std::io::stderr().lock(), "{message}");
    }

    /// Writes a cargo-style status line, `   Compiled 6 skills`, unless `--quiet`.
    pub fn status(&self, verb: &str, message: impl Display) {
        if !self.quiet {
            let style = self.stderr_style().green().bold();
            self.err_line(format_args!("{:>12} {message}", style.apply_to(verb)));
        }
    }

    /// Writes `warning: …` to stderr, unless `--quiet`.
    pub fn warn(&self, message: impl Display) {
        if !self.quiet {
            let style = self.stderr_style().yellow().bold();
            self.err_line(format_args!("{} {message}", style.apply_to("warning:")));
        }
    }

    /// Writes `note: …` to stderr, unless `--quiet`.
    pub fn note(&self, message: impl Display) {
        if !self.quiet {
            let style = self.stderr_style().cyan().bold();
            self.err_line(format_args!("{} {message}", style.apply_to("note:")));
        }
    }

    /// Writes `hint: …` to stderr, unless `--quiet`.
    pub fn hint(&self, message: impl Display) {
        if !self.quiet {
            let style = self.stderr_style().cyan().bold();
            self.err_line(format_args!("{} {message}", style.apply_to("hint:")));
        }
    }

    /// Returns a style that colors stderr only when colors are on.
    pub fn stderr_style(&self) -> Style {
        Style::new().force_styling(self.color_stderr)
    }

    /// Returns a style that colors stdout only when colors are on.
    pub fn stdout_style(&self) -> Style {
        Style::new().force_styling(self.color_stdout)
    }

    /// Returns a progress bar on stderr, hidden without a terminal or under `--quiet`.
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        if self.quiet || !self.stderr_tty {
            return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template("{msg:>12.cyan.bold} {pos}/{len} [{bar:30}] ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(message.to_owned());
        bar
    }
}
