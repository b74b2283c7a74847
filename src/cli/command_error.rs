//! The one table from an error to its exit status (SPEC §12) and its hint, like jj's
//! `command_error.rs`: domain errors (thiserror enums in their modules) know nothing of exit
//! codes; [`CommandError::of`] walks an error's chain and the first error it knows decides, through
//! the `From` impls below. [`render`] prints `error: …`, its causes and the hint.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::agent_skills::AgentSkillsError;
use crate::claude::ClaudeError;
use crate::config::ConfigError;
use crate::deploy::DeployError;
use crate::erp::ErpError;
use crate::lint::LintError;
use crate::runtime::RunError;
use crate::skill::scaffold::ScaffoldError;
use crate::testing::TestError;
use crate::workspace::WorkspaceError;

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
    /// 130: interrupted (Ctrl-C).
    Interrupted,
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
            ExitStatus::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// What the command line makes of a failure: the exit status and the hint to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    pub status: ExitStatus,
    pub hint: Option<String>,
}

impl CommandError {
    /// Returns the classification of `err`: the first error in its chain that this table
    /// knows decides; anything else is an input error (2) without a hint.
    pub fn of(err: &anyhow::Error) -> Self {
        for cause in err.chain() {
            if let Some(e) = cause.downcast_ref::<UserError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<ConfigError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<ErpError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<ClaudeError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<DeployError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<RunError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<TestError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<LintError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<WorkspaceError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<ScaffoldError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<AgentSkillsError>() {
                return e.into();
            }
            if let Some(e) = cause.downcast_ref::<crate::builders::BuildError>() {
                return e.into();
            }
            if cause.downcast_ref::<reqwest::Error>().is_some() {
                return Self { status: ExitStatus::Remote, hint: None };
            }
        }
        Self { status: ExitStatus::Usage, hint: None }
    }
}

impl From<&UserError> for CommandError {
    fn from(e: &UserError) -> Self {
        Self { status: e.status, hint: e.hint.clone() }
    }
}

impl From<&ConfigError> for CommandError {
    fn from(e: &ConfigError) -> Self {
        Self { status: ExitStatus::Usage, hint: e.hint().map(str::to_owned) }
    }
}

/// A failed ERP call is exit 3 (SPEC §12), even when the instance answered 4xx; a missing key,
/// an unknown instance or a bad instance config is a config error, exit 2.
impl From<&ErpError> for CommandError {
    fn from(e: &ErpError) -> Self {
        let status = match e {
            ErpError::MissingKey { .. }
            | ErpError::PastedKey { .. }
            | ErpError::UnknownInstance { .. }
            | ErpError::UnknownOrg { .. }
            | ErpError::Config { .. } => ExitStatus::Usage,
            _ => ExitStatus::Remote,
        };
        Self { status, hint: e.hint() }
    }
}

/// A builder stopped by a breaker is exit 4, a refusal of the model exit 1, the user's input
/// (an existing skill, an empty description, nothing to refine from) exit 2.
impl From<&crate::builders::BuildError> for CommandError {
    fn from(e: &crate::builders::BuildError) -> Self {
        let status = if e.is_breaker() {
            ExitStatus::Breaker
        } else if e.is_failure() {
            ExitStatus::Failure
        } else {
            ExitStatus::Usage
        };
        Self { status, hint: e.hint() }
    }
}

/// A missing key or a bad config is exit 2, a failed call exit 3.
impl From<&ClaudeError> for CommandError {
    fn from(e: &ClaudeError) -> Self {
        let status = match e {
            ClaudeError::MissingKey { .. } | ClaudeError::PastedKey | ClaudeError::Config { .. } => ExitStatus::Usage,
            _ => ExitStatus::Remote,
        };
        Self { status, hint: e.hint() }
    }
}

/// A release's or version's input error is exit 2, lint errors exit 1; an ERP error inside is
/// classified as one, and anything else by its own chain.
impl From<&DeployError> for CommandError {
    fn from(e: &DeployError) -> Self {
        match e {
            DeployError::Erp(e) | DeployError::ListOrgs { source: e, .. } => e.into(),
            DeployError::Other(e) => Self::of(e),
            DeployError::LintErrors { .. } => Self { status: ExitStatus::Failure, hint: e.hint() },
            _ => Self { status: ExitStatus::Usage, hint: e.hint() },
        }
    }
}

/// An unknown rule is a usage error, exit 2.
impl From<&LintError> for CommandError {
    fn from(e: &LintError) -> Self {
        match e {
            LintError::UnknownRule { .. } => Self { status: ExitStatus::Usage, hint: e.hint() },
        }
    }
}

/// A refused run or proposal command is exit 2, a proposal whose call failed exit 3.
impl From<&RunError> for CommandError {
    fn from(e: &RunError) -> Self {
        let status = if e.is_remote() { ExitStatus::Remote } else { ExitStatus::Usage };
        Self { status, hint: e.hint() }
    }
}

/// Every error that stops `agentb test` before it runs a case is an input error (exit 2).
impl From<&TestError> for CommandError {
    fn from(e: &TestError) -> Self {
        Self { status: ExitStatus::Usage, hint: e.hint() }
    }
}

/// A missing `--config` file, an unknown default instance or a path outside the project is a
/// usage error, exit 2.
impl From<&WorkspaceError> for CommandError {
    fn from(e: &WorkspaceError) -> Self {
        match e {
            WorkspaceError::ConfigFileMissing { .. }
            | WorkspaceError::UnknownDefaultErp { .. }
            | WorkspaceError::NoSuchPath { .. }
            | WorkspaceError::NotAProjectFile { .. } => Self { status: ExitStatus::Usage, hint: e.hint() },
        }
    }
}

/// What `agentb new` is given is input: a refused part is a usage error, exit 2.
impl From<&ScaffoldError> for CommandError {
    fn from(e: &ScaffoldError) -> Self {
        Self { status: ExitStatus::Usage, hint: e.hint() }
    }
}

/// A bad import path, an unknown skill or an export folder in the way is a usage error, exit 2
/// (a refused skill is a finding, exit 1, decided by the command from its report).
impl From<&AgentSkillsError> for CommandError {
    fn from(e: &AgentSkillsError) -> Self {
        Self { status: ExitStatus::Usage, hint: e.hint() }
    }
}

/// Returns the exit status an error maps to (see [`CommandError::of`]).
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    CommandError::of(err).status
}

/// An error of the command line itself (a bad flag value, a refused confirmation): a message,
/// the exit status it maps to, and an optional hint. Domain modules raise their own errors.
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
    if let Some(hint) = CommandError::of(err).hint {
        let _ = writeln!(out, "{} {hint}", cyan.apply_to("hint:"));
    }
    out
}

/// Returns an error's message with its causes, as one line (each cause after `: `, unless
/// the text before already holds it).
pub fn message_of(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    let mut last = message.clone();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if last.contains(&text) {
            continue;
        }
        message.push_str(": ");
        message.push_str(&text);
        last = text;
    }
    message
}

/// With `--format json` (`json`), prints an error as `{"error": {"message", "hint",
/// "exit_code"}}` on stdout too (SPEC §12).
pub fn print_json(err: &anyhow::Error, json: bool) {
    if json {
        let e = CommandError::of(err);
        print_json_error(&message_of(err), e.hint.as_deref(), e.status);
    }
}

/// Prints `{"error": {"message", "hint", "exit_code"}}` on stdout.
pub fn print_json_error(message: &str, hint: Option<&str>, status: ExitStatus) {
    use std::io::Write as _;
    let value = serde_json::json!({"error": {"message": message, "hint": hint, "exit_code": status.code()}});
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Returns the exit status for a command that succeeded or found problems.
pub fn status_from_problems(found: bool) -> ExitStatus {
    if found { ExitStatus::Failure } else { ExitStatus::Success }
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
    fn erp_calls_exit_3_and_erp_config_errors_exit_2() {
        use crate::erp::Call;
        let status = ErpError::Status {
            call: Call::boxed("staging", "acme", "GET", "/api/v1/briefs/b1"),
            status: 404,
            code: "not_found".into(),
            message: "no `briefs` record `b1`".into(),
        };
        assert_eq!(CommandError::from(&status).status, ExitStatus::Remote);
        let missing = ErpError::MissingKey { instance: "staging".into(), env: "KEY".into() };
        let e = CommandError::from(&missing);
        assert_eq!(e.status, ExitStatus::Usage);
        assert_eq!(e.hint.as_deref(), Some("export `KEY` with the instance's service key"));
        let err = anyhow::Error::new(missing).context("while deploying");
        assert_eq!(status_of(&err), ExitStatus::Usage);
    }

    #[test]
    fn deploy_errors_exit_by_their_kind() {
        let no_canary = DeployError::NoCanary { skill: "a".into(), instance: "local".into() };
        let e = CommandError::of(&anyhow::Error::new(no_canary));
        assert_eq!(e.status, ExitStatus::Usage);
        assert_eq!(e.hint.as_deref(), Some("start one with `agentb deploy a --canary 10%`"));
        let lint = anyhow::Error::new(DeployError::LintErrors { diagnostics: Vec::new() });
        assert_eq!(status_of(&lint), ExitStatus::Failure);
        let call = crate::erp::Call::boxed("staging", "acme", "GET", "/api/v1/organizations");
        let erp = ErpError::Status { call, status: 503, code: "down".into(), message: "down".into() };
        let listing = DeployError::ListOrgs { instance: "staging".into(), source: erp };
        assert_eq!(status_of(&anyhow::Error::new(listing)), ExitStatus::Remote);
        let other = DeployError::Other(anyhow::Error::new(UserError::remote("down")));
        assert_eq!(status_of(&anyhow::Error::new(other)), ExitStatus::Remote);
    }

    #[test]
    fn lint_and_workspace_errors_exit_2_with_their_hints() {
        let unknown = crate::lint::Levels::new(&["unknwn-key".into()], &[], &[]).unwrap_err();
        let err = anyhow::Error::new(unknown).context("while linting");
        assert_eq!(status_of(&err), ExitStatus::Usage);
        assert!(render(&err, false).ends_with("hint: did you mean `unknown-key`?\n"), "{}", render(&err, false));
        let missing = WorkspaceError::ConfigFileMissing { path: "x.toml".into() };
        assert_eq!(CommandError::from(&missing), CommandError { status: ExitStatus::Usage, hint: None });
    }

    #[test]
    fn a_missing_claude_key_exits_2_and_a_failed_call_3() {
        let missing = ClaudeError::MissingKey { env: "ANTHROPIC_API_KEY".into() };
        assert_eq!(CommandError::from(&missing).status, ExitStatus::Usage);
        let busy = ClaudeError::Timeout { url: "http://127.0.0.1:9".into(), secs: 1 };
        assert_eq!(CommandError::from(&busy).status, ExitStatus::Remote);
    }

    #[test]
    fn remote_errors_exit_3() {
        let err = anyhow::Error::new(UserError::remote("down"));
        assert_eq!(status_of(&err).code(), 3);
    }
}
