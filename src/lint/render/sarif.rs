//! The `sarif` format: a SARIF 2.1.0 log that GitHub code scanning accepts.
//!
//! One run whose driver lists every rule (code, name, summary, explanation, default level), and
//! one result per diagnostic pointing at the rule by id and index. Locations are URIs relative to
//! `%SRCROOT%` (the project root) with a region in 1-based lines and Unicode code point columns;
//! `endColumn` is the column just after the span, as SARIF defines it. A diagnostic without a
//! span, or in a file whose text is unknown, points at line 1 (code scanning needs a start line).

use std::fmt::Write as _;
use std::path::{Component, Path};

use serde_json::{Map, Value, json};

use super::{Sources, slash_path};
use crate::lint::{Diagnostic, Level, rules};

/// The JSON schema URI written as `$schema`.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The tool's home page.
const INFORMATION_URI: &str = "https://github.com/agentb/agentb";

/// Returns the diagnostics as a SARIF 2.1.0 log.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> Value {
    let rules: Vec<Value> = rules::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.summary },
                "help": { "text": rule.explanation },
                "defaultConfiguration": { "level": level(rule.level) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics.iter().map(|d| result(d, sources)).collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "agentb",
                    "informationUri": INFORMATION_URI,
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

fn result(d: &Diagnostic, sources: &Sources) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text = format!("{text} ({help})");
    }

    let (uri, base) = artifact_uri(&d.file);
    let mut artifact = Map::new();
    artifact.insert("uri".into(), uri.into());
    if let Some(base) = base {
        artifact.insert("uriBaseId".into(), base.into());
    }
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), artifact.into());
    // GitHub code scanning needs a start line; a whole-file problem points at line 1.
    let region = match d.span.as_ref().and_then(|span| sources.position(&d.file, span)) {
        Some(p) => {
            json!({"startLine": p.line, "startColumn": p.column, "endLine": p.end_line, "endColumn": p.end_column})
        }
        None => json!({"startLine": 1}),
    };
    physical.insert("region".into(), region);

    let index = rules::ALL.iter().position(|rule| rule.code == d.rule.code);
    let mut result = Map::new();
    result.insert("ruleId".into(), d.rule.code.into());
    if let Some(index) = index {
        result.insert("ruleIndex".into(), index.into());
    }
    result.insert("level".into(), level(d.level).into());
    result.insert("message".into(), json!({ "text": text }));
    result.insert("locations".into(), json!([{ "physicalLocation": physical }]));
    result.into()
}

/// Returns a file's URI and its base id: a relative path becomes a relative reference under
/// `%SRCROOT%`; an absolute one becomes a `file://` URI.
fn artifact_uri(path: &Path) -> (String, Option<&'static str>) {
    if path.is_absolute() {
        let slashed = slash_path(path);
        let rooted = if slashed.starts_with('/') { slashed } else { format!("/{slashed}") };
        return (format!("file://{}", percent_encode(&rooted)), None);
    }
    // `./skills/a.md` and `skills/a.md` are the same file: drop `.` segments.
    let relative: std::path::PathBuf = path.components().filter(|c| !matches!(c, Component::CurDir)).collect();
    (percent_encode(&slash_path(&relative)), Some("%SRCROOT%"))
}

/// Percent-encodes everything but unreserved characters and `/`, so any file name is a valid
/// URI reference (a space, `%`, `#`, `?` or a leading `c:` would otherwise change its meaning).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::lint::Edit;

    const SOURCE: &str = "---\r\nnamé: «çà» 日本\r\nverison: 1.0.0\r\n---\r\n";

    fn sources() -> Sources {
        let mut sources = Sources::default();
        sources.insert(PathBuf::from("skills/a.md"), SOURCE.into());
        sources.insert(PathBuf::from("./skills/my skill#1.md"), SOURCE.into());
        sources
    }

    fn diagnostics() -> Vec<Diagnostic> {
        let start = SOURCE.find("verison").unwrap();
        let wide = SOURCE.find("日本").unwrap();
        let mut denied = Diagnostic::new(
            &rules::REQUIRED_WITH_DEFAULT,
            Path::new("./skills/my skill#1.md"),
            Some(wide..wide + 6),
            "w",
        );
        denied.level = Level::Error;
        vec![
            Diagnostic::new(
                &rules::UNKNOWN_KEY,
                Path::new("skills/a.md"),
                Some(start..start + 7),
                "unknown key `verison`",
            )
            .label("not a skill key")
            .help("did you mean `version`?")
            .fix("rename", vec![Edit { range: start..start + 7, replacement: "version".into() }]),
            denied,
            Diagnostic::new(&rules::DUPLICATE_ID, Path::new("skills/a.md"), None, "duplicate id `a`"),
            Diagnostic::new(&rules::UNKNOWN_PERMISSION, Path::new("skills/a.md"), Some(0..SOURCE.len()), "p"),
        ]
    }

    #[test]
    fn valid_against_the_sarif_schema() {
        let schema: Value = serde_json::from_str(include_str!("../../../tests/data/sarif-schema-2.1.0.json")).unwrap();
        let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
        for doc in [render(&diagnostics(), &sources()), render(&[], &sources())] {
            let errors: Vec<String> =
                validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
            assert!(errors.is_empty(), "invalid SARIF:\n{}\n{doc:#}", errors.join("\n"));
        }
        // The validator really checks: a result without a message is rejected.
        let mut bad = render(&diagnostics(), &sources());
        bad["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
        assert!(!validator.is_valid(&bad));
    }

    #[test]
    fn driver_lists_every_rule() {
        let doc = render(&[], &sources());
        assert_eq!(doc["$schema"], SCHEMA_URI);
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "agentb");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        let listed = driver["rules"].as_array().unwrap();
        assert_eq!(listed.len(), rules::ALL.len());
        for (entry, rule) in listed.iter().zip(rules::ALL) {
            assert_eq!(entry["id"], rule.code);
            assert_eq!(entry["name"], rule.name);
            assert_eq!(entry["shortDescription"]["text"], rule.summary);
            assert_eq!(entry["help"]["text"], rule.explanation);
            assert_eq!(entry["defaultConfiguration"]["level"], level(rule.level));
        }
        assert_eq!(run["results"], json!([]));
    }

    #[test]
    fn results_point_at_rules_and_regions() {
        let doc = render(&diagnostics(), &sources());
        let rules_json = &doc["runs"][0]["tool"]["driver"]["rules"];
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);

        let r = &results[0];
        assert_eq!(r["ruleId"], "AB010");
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules_json[index]["id"], "AB010");
        assert_eq!(r["level"], "error");
        assert_eq!(r["message"]["text"], "unknown key `verison` (did you mean `version`?)");
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"], json!({"uri": "skills/a.md", "uriBaseId": "%SRCROOT%"}));
        assert_eq!(location["region"], json!({"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 8}));

        // The level is the diagnostic's (after `--deny`), columns are code points, and the URI
        // is relative, `./`-free and percent-encoded.
        let r = &results[1];
        assert_eq!((&r["ruleId"], &r["level"]), (&json!("AB025"), &json!("error")));
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "skills/my%20skill%231.md");
        assert_eq!(location["region"], json!({"startLine": 2, "startColumn": 12, "endLine": 2, "endColumn": 14}));

        // No span: the whole file, from line 1 (GitHub needs a start line).
        let location = &results[2]["locations"][0]["physicalLocation"];
        assert_eq!(
            location,
            &json!({"artifactLocation": {"uri": "skills/a.md", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}})
        );

        // A span to the end of the text ends at column 1 of the line after the last line break.
        let region = &results[3]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region, &json!({"startLine": 1, "startColumn": 1, "endLine": 5, "endColumn": 1}));
        assert_eq!(results[3]["level"], "warning");
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        let (uri, base) = artifact_uri(Path::new("/home/me/skills/a b.md"));
        if cfg!(unix) {
            assert_eq!((uri.as_str(), base), ("file:///home/me/skills/a%20b.md", None));
        }
        assert_eq!(percent_encode("c:/x/é"), "c%3A/x/%C3%A9");
    }
}
