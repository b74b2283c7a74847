//! A path of the skills or personas folder that is not a regular file (AB043).

use std::path::Path;

use super::{Diagnostic, rules};

/// Returns the AB043 error of a path that is not a regular file; `what` is what it is ("a FIFO").
pub fn not_regular(display: &Path, what: &str) -> Diagnostic {
    let message = if what.starts_with("a dangling") {
        format!("`{}` is {what}, not a skill, persona or test file", display.display())
    } else {
        format!("`{}` is {what}, not a regular file", display.display())
    };
    Diagnostic::new(&rules::NOT_A_FILE, display, None, message)
        .help("rename or remove it; only regular files (or links to them) are read")
}
