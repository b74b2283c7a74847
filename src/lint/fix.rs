//! Applying meaning-preserving fixes to file text.

use super::{Diagnostic, Edit};

/// Applies the edits of every fixable diagnostic of one file to `text`. Overlapping edits are
/// skipped (the first wins); returns the new text and the descriptions of the applied fixes.
pub fn apply(text: &str, diagnostics: &[&Diagnostic]) -> (String, Vec<String>) {
    let mut edits: Vec<(&Edit, &str)> = Vec::new();
    for d in diagnostics {
        if let Some(fix) = &d.fix {
            for edit in &fix.edits {
                edits.push((edit, &fix.description));
            }
        }
    }
    edits.sort_by_key(|(e, _)| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut applied: Vec<String> = Vec::new();
    let mut pos = 0;
    for (edit, description) in edits {
        if edit.range.start < pos || edit.range.end > text.len() {
            continue;
        }
        out.push_str(&text[pos..edit.range.start]);
        out.push_str(&edit.replacement);
        pos = edit.range.end;
        if applied.last().map(String::as_str) != Some(description) {
            applied.push(description.to_owned());
        }
    }
    out.push_str(&text[pos..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules;
    use std::path::Path;

    #[test]
    fn applies_edits_in_order_and_skips_overlaps() {
        let text = "dependencies:\n  - resource_scanner\n  - Timeline_Estimator\n";
        let a = Diagnostic::new(&rules::UNRESOLVED_DEPENDENCY, Path::new("a.md"), Some(18..34), "x")
            .fix("rename a", vec![Edit { range: 18..34, replacement: "resource-scanner".into() }]);
        let b = Diagnostic::new(&rules::UNRESOLVED_DEPENDENCY, Path::new("a.md"), Some(39..57), "y")
            .fix("rename b", vec![Edit { range: 39..57, replacement: "timeline-estimator".into() }]);
        let c = Diagnostic::new(&rules::UNRESOLVED_DEPENDENCY, Path::new("a.md"), Some(20..25), "z")
            .fix("overlapping", vec![Edit { range: 20..25, replacement: "zzz".into() }]);
        let (out, applied) = apply(text, &[&b, &a, &c]);
        assert_eq!(out, "dependencies:\n  - resource-scanner\n  - timeline-estimator\n");
        assert_eq!(applied, vec!["rename a", "rename b"]);
    }
}
