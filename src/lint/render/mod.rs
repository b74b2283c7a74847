//! Renderers of diagnostics: `human` (rustc-like snippets), `json`, `sarif` (2.1.0) and
//! `github` (workflow-command annotations).

mod github;
mod human;
mod json;
mod sarif;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::text::LineIndex;

pub use github::render as github;
pub use human::render as human;
pub use json::render as json;
pub use sarif::render as sarif;

/// The texts of the files diagnostics point into, keyed by the same path as
/// [`super::Diagnostic::file`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: HashMap<PathBuf, (Arc<str>, LineIndex)>,
}

/// A 1-based position range: start line/column and end line/column (columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Sources {
    /// Adds a file's text.
    pub fn insert(&mut self, path: PathBuf, text: Arc<str>) {
        let index = LineIndex::new(&text);
        self.files.insert(path, (text, index));
    }

    /// Returns a file's text.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.files.get(path).map(|(t, _)| &**t)
    }

    /// Returns the position of a byte range in a file, if the file's text is known.
    pub fn position(&self, path: &Path, span: &std::ops::Range<usize>) -> Option<Position> {
        let (text, index) = self.files.get(path)?;
        let (line, column) = index.line_col(text, span.start);
        let (end_line, end_column) = index.line_col(text, span.end.max(span.start));
        Some(Position { line, column, end_line, end_column })
    }
}

/// Returns a path as text with forward slashes, the same on every platform.
fn slash_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' { text.replace('\\', "/") } else { text.into_owned() }
}
