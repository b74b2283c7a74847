//! The one table from an error to its exit status (SPEC §12), its message and its hints: every
//! command's error passes through [`status_of`] and [`render`].

use std::fmt::Write as _;

use crate::config::ConfigError;
pub use crate::error::ExitStatus;
use crate::error::UserError;

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
    fn remote_errors_exit_3() {
        let err = anyhow::Error::new(UserError::remote("down"));
        assert_eq!(status_of(&err).code(), 3);
    }
}
