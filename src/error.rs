//! Exit statuses (SPEC §12) and the one mapping from an error to its status and its message.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::config::ConfigError;

/// The exit statuses of SPEC §12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success.
    Success,
    /// 1: the check found problems.
    Failure,
    /// 2: usage, config or input error.
    Usage,
    /// 3: an ERP or Claude call failed, or a deploy partly failed.
    Remote,
    /// 4: a run stopped by a breaker.
    Breaker,
    /// 5: a run awaiting approval.
    AwaitingApproval,
}

impl ExitStatus {
    /// Returns the numeric code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Remote => 3,
            ExitStatus::Breaker => 4,
            ExitStatus::AwaitingApproval => 5,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// An error meant for the user: a message, the exit status it maps to, and an optional hint.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    pub status: ExitStatus,
    pub message: String,
    pub hint: Option<String>,
}

impl UserError {
    /// Returns a usage, config or input error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self { status: ExitStatus::Usage, message: message.into(), hint: None }
    }

    /// Returns an error of a failed remote call (exit 3).
    pub fn remote(message: impl Into<String>) -> Self {
        Self { status: ExitStatus::Remote, message: message.into(), hint: None }
    }

    /// Returns the error with a `hint:` line.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Returns the exit status an error maps to: the first error in the chain that knows its
/// status decides; anything else is an input error (2).
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<UserError>() {
            return e.status;
        }
        if cause.downcast_ref::<ConfigError>().is_some() {
            return ExitStatus::Usage;
        }
        if let Some(e) = cause.downcast_ref::<crate::erp::ErpError>() {
            return e.exit_status();
        }
        if let Some(e) = cause.downcast_ref::<crate::claude::ClaudeError>() {
            return e.exit_status();
        }
        if cause.downcast_ref::<reqwest::Error>().is_some() {
            return ExitStatus::Remote;
        }
    }
    ExitStatus::Usage
}

/// Returns the hint carried by the first error in the chain that has one.
fn hint_of(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<UserError>() {
            return e.hint.clone();
        }
        if let Some(e) = cause.downcast_ref::<ConfigError>() {
            return e.hint().map(str::to_owned);
        }
        if let Some(e) = cause.downcast_ref::<crate::erp::ErpError>() {
            return e.hint();
        }
        if let Some(e) = cause.downcast_ref::<crate::claude::ClaudeError>() {
            return e.hint();
        }
        None
    })
}

/// Renders an error as `error: …`, its causes, and a `hint: …` line.
pub fn render(err: &anyhow::Error, color: bool) -> String {
    let red = console::Style::new().red().bold().force_styling(color);
    let cyan = console::Style::new().cyan().bold().force_styling(color);
    let mut out = format!("{} {err}\n", red.apply_to("error:"));
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        // Errors that embed their source's text would repeat it; skip those.
        if last.contains(&text) {
            continue;
        }
        let _ = writeln!(out, "  caused by: {text}");
        last = text;
    }
    if let Some(hint) = hint_of(err) {
        let _ = writeln!(out, "{} {hint}", cyan.apply_to("hint:"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_carry_their_status_and_hint() {
        let err = anyhow::Error::new(UserError::usage("bad `x`").with_hint("try `y`"));
        let err = err.context("while doing z");
        assert_eq!(status_of(&err), ExitStatus::Usage);
        let text = render(&err, false);
        assert!(text.starts_with("error: while doing z\n  caused by: bad `x`\n"), "{text}");
        assert!(text.ends_with("hint: try `y`\n"), "{text}");
    }

    #[test]
    fn remote_errors_exit_3() {
        let err = anyhow::Error::new(UserError::remote("down"));
        assert_eq!(status_of(&err).code(), 3);
    }
}
