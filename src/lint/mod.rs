//! Lint: diagnostics, rule levels, and the renderers. The checks themselves live with what they
//! check (`skill::parse` for field rules, `workspace::load` for cross-file rules, [`secrets`]).

pub mod config;
pub mod description;
pub mod files;
pub mod fix;
pub mod render;
pub mod rules;
pub mod secrets;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use rules::Rule;

/// What can go wrong setting up lint.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// `--allow`, `--deny` or `[lint]` names no rule.
    #[error("unknown lint rule `{key}`")]
    UnknownRule { key: String, suggestion: Option<&'static str> },
}

impl LintError {
    /// Returns the obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            LintError::UnknownRule { suggestion: Some(m), .. } => Some(format!("did you mean `{m}`?")),
            LintError::UnknownRule { suggestion: None, .. } => Some("list the rules with `agentb explain`".to_owned()),
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

/// One text edit of a fix: replace `range` of the file with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

/// A fix that cannot change meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, e.g. "replace `resource_scanner` with `resource-scanner`".
    pub description: String,
    pub edits: Vec<Edit>,
}

/// One finding, pointing at a byte range of a file. It serializes (for the incremental cache)
/// with its rule as the code; a code that names no rule does not deserialize.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    #[serde(with = "rule_code")]
    pub rule: &'static Rule,
    /// The level after the config's allow/deny lists.
    pub level: Level,
    pub message: String,
    pub file: PathBuf,
    /// Byte range in the file's text (after a BOM); `None` for whole-file problems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Range<usize>>,
    /// A label under the snippet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A `help:` line, e.g. a "did you mean" suggestion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Extra `note:` lines (e.g. the other file of a duplicate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// Serde for a diagnostic's rule, as its code.
mod rule_code {
    use serde::{Deserialize as _, Deserializer, Serializer};

    use super::{Rule, rules};

    #[allow(clippy::trivially_copy_pass_by_ref, reason = "the signature serde's `with` expects")]
    pub fn serialize<S: Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(rule.code)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static Rule, D::Error> {
        let code = <&str>::deserialize(d)?;
        rules::ALL
            .iter()
            .copied()
            .find(|r| r.code == code)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown rule `{code}`")))
    }
}

impl Diagnostic {
    /// Returns a diagnostic of `rule` at its default level.
    pub fn new(rule: &'static Rule, file: &Path, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self {
            rule,
            level: rule.level,
            message: message.into(),
            file: file.to_owned(),
            span,
            label: None,
            help: None,
            notes: Vec::new(),
            fix: None,
        }
    }

    /// Adds a label under the snippet.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a `help:` line.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a `note:` line.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Attaches a meaning-preserving fix.
    #[must_use]
    pub fn fix(mut self, description: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix { description: description.into(), edits });
        self
    }
}

/// Rule levels after `[lint]` in the config and `--allow`/`--deny` on the command line.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    allow: Vec<&'static str>,
    deny: Vec<&'static str>,
    warn: Vec<&'static str>,
    deny_warnings: bool,
}

impl Levels {
    /// Resolves rule keys (codes, names, or `warnings`); an unknown key is a usage error.
    pub fn new(allow: &[String], deny: &[String], warn: &[String]) -> Result<Self, LintError> {
        let mut levels = Levels::default();
        let resolve = |key: &String| -> Result<&'static str, LintError> {
            rules::find(key).map(|r| r.code).ok_or_else(|| LintError::UnknownRule {
                key: key.clone(),
                suggestion: crate::text::did_you_mean(key, rules::ALL.iter().map(|r| r.name)),
            })
        };
        for key in deny {
            if key == "warnings" {
                levels.deny_warnings = true;
            } else {
                levels.deny.push(resolve(key)?);
            }
        }
        for key in allow {
            levels.allow.push(resolve(key)?);
        }
        for key in warn {
            levels.warn.push(resolve(key)?);
        }
        Ok(levels)
    }

    /// Returns the effective level of a rule, or `None` when it is allowed (silenced).
    pub fn level_of(&self, rule: &Rule) -> Option<Level> {
        if self.allow.contains(&rule.code) {
            return None;
        }
        if self.deny.contains(&rule.code) {
            return Some(Level::Error);
        }
        if self.warn.contains(&rule.code) {
            return Some(Level::Warning);
        }
        if self.deny_warnings {
            return Some(Level::Error);
        }
        Some(rule.level)
    }

    /// Applies the levels: drops allowed diagnostics and sets the others' level.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain_mut(|d| match self.level_of(d.rule) {
            Some(level) => {
                d.level = level;
                true
            }
            None => false,
        });
    }
}

/// Sorts diagnostics by file, position and code, for stable output.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.span.as_ref().map(|s| s.start), a.rule.code).cmp(&(
            &b.file,
            b.span.as_ref().map(|s| s.start),
            b.rule.code,
        ))
    });
}

/// Counts errors and warnings.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.level == Level::Error).count();
    (errors, diagnostics.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_allow_deny_and_deny_warnings() {
        let levels = Levels::new(&["AB034".into()], &["warnings".into()], &[]).unwrap();
        assert_eq!(levels.level_of(&rules::PROMPT_TOO_LARGE), None);
        assert_eq!(levels.level_of(&rules::REQUIRED_WITH_DEFAULT), Some(Level::Error));
        let levels = Levels::new(&[], &[], &["unknown-key".into()]).unwrap();
        assert_eq!(levels.level_of(&rules::UNKNOWN_KEY), Some(Level::Warning));
        let err = Levels::new(&["unknwn-key".into()], &[], &[]).unwrap_err();
        assert_eq!(err.hint().as_deref(), Some("did you mean `unknown-key`?"));
    }
}
