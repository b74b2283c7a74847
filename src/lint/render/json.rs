//! The `json` format: one stable object per diagnostic, for scripts and editors.
//!
//! ```json
//! {
//!   "version": 1,
//!   "diagnostics": [{
//!     "code": "AB010", "rule": "unknown-key", "level": "error",
//!     "message": "unknown key `verison`", "file": "skills/a.md",
//!     "line": 3, "column": 1, "end_line": 3, "end_column": 8,
//!     "span": {"start": 27, "end": 34},
//!     "label": "not a skill key", "help": "did you mean `version`?", "notes": [],
//!     "fix": {"description": "…", "edits": [{"start": 27, "end": 34, "replacement": "version"}]}
//!   }],
//!   "summary": {"errors": 1, "warnings": 0}
//! }
//! ```
//!
//! Lines and columns are 1-based, columns count characters, and `end_column` is the column just
//! after the span. They are `null` when the diagnostic has no span or the file's text is unknown;
//! `span` (byte offsets) is `null` only when there is no span.

use serde_json::{Value, json};

use super::{Sources, slash_path};
use crate::lint::{Diagnostic, Level, counts};

/// The version of the JSON document's shape; bumped on any incompatible change.
const FORMAT_VERSION: u32 = 1;

/// Returns the diagnostics as one JSON document with a summary of the counts.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> Value {
    let (errors, warnings) = counts(diagnostics);
    json!({
        "version": FORMAT_VERSION,
        "diagnostics": diagnostics.iter().map(|d| diagnostic(d, sources)).collect::<Vec<_>>(),
        "summary": { "errors": errors, "warnings": warnings },
    })
}

fn diagnostic(d: &Diagnostic, sources: &Sources) -> Value {
    let position = d.span.as_ref().and_then(|span| sources.position(&d.file, span));
    json!({
        "code": d.rule.code,
        "rule": d.rule.name,
        "level": match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        },
        "message": d.message,
        "file": slash_path(&d.file),
        "line": position.map(|p| p.line),
        "column": position.map(|p| p.column),
        "end_line": position.map(|p| p.end_line),
        "end_column": position.map(|p| p.end_column),
        "span": d.span.as_ref().map(|s| json!({ "start": s.start, "end": s.end })),
        "label": d.label,
        "help": d.help,
        "notes": d.notes,
        "fix": d.fix.as_ref().map(|fix| json!({
            "description": fix.description,
            "edits": fix.edits.iter().map(|e| json!({
                "start": e.range.start,
                "end": e.range.end,
                "replacement": e.replacement,
            })).collect::<Vec<_>>(),
        })),
    })
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::lint::{Edit, rules};

    const SOURCE: &str = "---\r\nnamé: «çà» 日本\r\nverison: 1.0.0\r\n---\r\n";

    fn sources() -> Sources {
        let mut sources = Sources::default();
        sources.insert(PathBuf::from("skills/a.md"), SOURCE.into());
        sources
    }

    #[test]
    fn positions_spans_and_fix() {
        let start = SOURCE.find("verison").unwrap();
        let unknown = Diagnostic::new(
            &rules::UNKNOWN_KEY,
            Path::new("skills/a.md"),
            Some(start..start + 7),
            "unknown key `verison`",
        )
        .label("not a skill key")
        .help("did you mean `version`?")
        .fix("rename `verison` to `version`", vec![Edit { range: start..start + 7, replacement: "version".into() }]);
        let wide = SOURCE.find("日本").unwrap();
        let warning =
            Diagnostic::new(&rules::REQUIRED_WITH_DEFAULT, Path::new("skills/a.md"), Some(wide..wide + 6), "w")
                .note("n");
        let doc = render(&[unknown, warning], &sources());

        assert_eq!(doc["version"], 1);
        assert_eq!(doc["summary"], json!({"errors": 1, "warnings": 1}));
        let d = &doc["diagnostics"][0];
        assert_eq!(d["code"], "AB010");
        assert_eq!(d["rule"], "unknown-key");
        assert_eq!(d["level"], "error");
        assert_eq!(d["message"], "unknown key `verison`");
        assert_eq!(d["file"], "skills/a.md");
        assert_eq!(
            (&d["line"], &d["column"], &d["end_line"], &d["end_column"]),
            (&json!(3), &json!(1), &json!(3), &json!(8))
        );
        assert_eq!(d["span"], json!({"start": start, "end": start + 7}));
        assert_eq!(d["label"], "not a skill key");
        assert_eq!(d["help"], "did you mean `version`?");
        assert_eq!(d["notes"], json!([]));
        assert_eq!(
            d["fix"],
            json!({"description": "rename `verison` to `version`", "edits": [{"start": start, "end": start + 7, "replacement": "version"}]})
        );

        let w = &doc["diagnostics"][1];
        assert_eq!(w["level"], "warning");
        // `namé: «çà» ` is 11 characters: `日本` spans columns 12 and 13.
        assert_eq!(
            (&w["line"], &w["column"], &w["end_line"], &w["end_column"]),
            (&json!(2), &json!(12), &json!(2), &json!(14))
        );
        assert_eq!((&w["label"], &w["help"], &w["fix"]), (&Value::Null, &Value::Null, &Value::Null));
        assert_eq!(w["notes"], json!(["n"]));
    }

    #[test]
    fn no_span_and_unknown_text_give_null_positions() {
        let no_span = Diagnostic::new(&rules::DUPLICATE_ID, Path::new("skills/a.md"), None, "d");
        let unknown = Diagnostic::new(&rules::EMPTY_FILE, Path::new("skills/z.md"), Some(0..0), "e");
        let doc = render(&[no_span, unknown], &sources());
        let d = &doc["diagnostics"][0];
        for key in ["line", "column", "end_line", "end_column", "span"] {
            assert_eq!(d[key], Value::Null, "{key}");
        }
        let d = &doc["diagnostics"][1];
        assert_eq!(d["line"], Value::Null);
        assert_eq!(d["span"], json!({"start": 0, "end": 0}));
        assert_eq!(doc["summary"], json!({"errors": 2, "warnings": 0}));
    }

    #[test]
    fn empty_document() {
        assert_eq!(
            render(&[], &sources()),
            json!({"version": 1, "diagnostics": [], "summary": {"errors": 0, "warnings": 0}})
        );
    }
}
