//! The `github` format: one GitHub Actions workflow command per diagnostic, which the runner
//! turns into an annotation on the pull request's diff.
//!
//! ```text
//! ::error file=skills/a.md,line=3,col=1,endLine=3,endColumn=8,title=AB010 unknown-key::unknown key `verison`%0Ahelp: did you mean `version`?
//! ```
//!
//! Columns are 1-based characters and `endColumn` is the column just after the span. GitHub only
//! honours columns on a single line, so a span over several lines gets `line` and `endLine` only.

use std::fmt::Write as _;

use super::{Sources, slash_path};
use crate::lint::{Diagnostic, Level};

/// Returns one `::error`/`::warning` workflow command per diagnostic, each ending with a newline.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let mut properties = vec![("file", slash_path(&d.file))];
        if let Some(p) = d.span.as_ref().and_then(|span| sources.position(&d.file, span)) {
            properties.push(("line", p.line.to_string()));
            if p.line == p.end_line {
                properties.push(("col", p.column.to_string()));
                properties.push(("endLine", p.end_line.to_string()));
                properties.push(("endColumn", p.end_column.to_string()));
            } else {
                properties.push(("endLine", p.end_line.to_string()));
            }
        }
        properties.push(("title", format!("{} {}", d.rule.code, d.rule.name)));

        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        for note in &d.notes {
            let _ = write!(message, "\nnote: {note}");
        }

        let _ = write!(out, "::{command} ");
        for (i, (key, value)) in properties.iter().enumerate() {
            let separator = if i == 0 { "" } else { "," };
            let _ = write!(out, "{separator}{key}={}", escape_property(value));
        }
        let _ = writeln!(out, "::{}", escape_data(&message));
    }
    out
}

/// Escapes a command's message: `%`, CR and LF (as the Actions toolkit's `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: as [`escape_data`], plus `:` and `,` (the toolkit's
/// `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::lint::rules;

    const SOURCE: &str = "---\r\nnamé: «çà» 日本\r\nverison: 1.0.0\r\n---\r\n";

    fn sources() -> Sources {
        let mut sources = Sources::default();
        sources.insert(PathBuf::from("skills/a.md"), SOURCE.into());
        sources.insert(PathBuf::from("skills/we,ird:name%.md"), SOURCE.into());
        sources
    }

    #[test]
    fn error_with_position_and_help() {
        let start = SOURCE.find("verison").unwrap();
        let d = Diagnostic::new(
            &rules::UNKNOWN_KEY,
            Path::new("skills/a.md"),
            Some(start..start + 7),
            "unknown key `verison`",
        )
        .help("did you mean `version`?");
        assert_eq!(
            render(&[d], &sources()),
            "::error file=skills/a.md,line=3,col=1,endLine=3,endColumn=8,title=AB010 unknown-key::\
             unknown key `verison`%0Ahelp: did you mean `version`?\n"
        );
    }

    #[test]
    fn warning_columns_count_characters() {
        let start = SOURCE.find("日本").unwrap();
        let d = Diagnostic::new(&rules::REQUIRED_WITH_DEFAULT, Path::new("skills/a.md"), Some(start..start + 6), "w");
        assert_eq!(
            render(&[d], &sources()),
            "::warning file=skills/a.md,line=2,col=12,endLine=2,endColumn=14,title=AB025 required-with-default::w\n"
        );
    }

    #[test]
    fn escaping_of_properties_and_data() {
        let d = Diagnostic::new(
            &rules::UNKNOWN_KEY,
            Path::new("skills/we,ird:name%.md"),
            Some(0..3),
            "100% bad: a,b\r\nnext",
        )
        .note("n: 1");
        assert_eq!(
            render(&[d], &sources()),
            "::error file=skills/we%2Cird%3Aname%25.md,line=1,col=1,endLine=1,endColumn=4,title=AB010 unknown-key::\
             100%25 bad: a,b%0D%0Anext%0Anote: n: 1\n"
        );
    }

    #[test]
    fn multi_line_span_and_no_span() {
        let multi = Diagnostic::new(&rules::YAML_SYNTAX, Path::new("skills/a.md"), Some(0..SOURCE.len() - 2), "m");
        let none = Diagnostic::new(&rules::DUPLICATE_ID, Path::new("skills/a.md"), None, "d");
        let unknown_text = Diagnostic::new(&rules::EMPTY_FILE, Path::new("skills/z.md"), Some(0..0), "e");
        assert_eq!(
            render(&[multi, none, unknown_text], &sources()),
            "::error file=skills/a.md,line=1,endLine=4,title=AB004 yaml-syntax::m\n\
             ::error file=skills/a.md,title=AB015 duplicate-id::d\n\
             ::error file=skills/z.md,title=AB001 empty-file::e\n"
        );
    }
}
