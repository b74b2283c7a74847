//! Exit statuses (SPEC §12) and the one mapping from an error to its status and its message.

use std::process::ExitCode;

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
