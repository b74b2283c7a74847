//! The report of a test run (SPEC §10): the JSON document of `--format json` (the `Serialize`
//! of [`Report`]) and the JUnit XML of `--format junit`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::testing::assertions::Failure;

/// A whole test run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The document's format version.
    pub version: u32,
    pub summary: Summary,
    pub suites: Vec<Suite>,
}

/// Counts of cases by result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

/// The cases of one skill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suite {
    pub skill: String,
    /// The test file, relative to the project root.
    pub file: String,
    pub cases: Vec<CaseReport>,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    /// Every assertion held.
    Passed,
    /// An assertion (the output schema included) did not hold.
    Failed,
    /// The case could not run to its end: a cassette miss, a fixture the ERP refused, a
    /// runtime error.
    Error,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseReport {
    pub name: String,
    pub status: CaseStatus,
    pub duration_ms: u64,
    pub failures: Vec<Failure>,
    /// Why the case is an error (`status: error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What to do about the error, e.g. the re-record command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The 1-based line of the case in its file.
    pub line: usize,
}

impl Report {
    /// Returns a report of these suites, with its summary counted.
    pub fn new(suites: Vec<Suite>) -> Self {
        let mut summary = Summary::default();
        for case in suites.iter().flat_map(|s| &s.cases) {
            match case.status {
                CaseStatus::Passed => summary.passed += 1,
                CaseStatus::Failed => summary.failed += 1,
                CaseStatus::Error => summary.errors += 1,
            }
        }
        Self { version: 1, summary, suites }
    }

    /// Returns whether every case passed.
    pub fn passed(&self) -> bool {
        self.summary.failed == 0 && self.summary.errors == 0
    }

    /// Returns the JUnit XML document: one `<testsuite>` per skill, one `<testcase>` per case;
    /// an assertion failure is a `<failure>`, a cassette miss or runtime error an `<error>`.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let total: usize = self.suites.iter().map(|s| s.cases.len()).sum();
        let secs = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
        let all_ms: u64 = self.suites.iter().flat_map(|s| &s.cases).map(|c| c.duration_ms).sum();
        let _ = writeln!(
            out,
            "<testsuites name=\"agentb test\" tests=\"{total}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
            self.summary.failed,
            self.summary.errors,
            secs(all_ms)
        );
        for (id, suite) in self.suites.iter().enumerate() {
            let failures = suite.cases.iter().filter(|c| c.status == CaseStatus::Failed).count();
            let errors = suite.cases.iter().filter(|c| c.status == CaseStatus::Error).count();
            let ms: u64 = suite.cases.iter().map(|c| c.duration_ms).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" id=\"{id}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{}\">",
                escape(&suite.skill),
                suite.cases.len(),
                secs(ms)
            );
            for case in &suite.cases {
                let _ = write!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"{}\"",
                    escape(&case.name),
                    escape(&suite.skill),
                    escape(&suite.file),
                    case.line,
                    secs(case.duration_ms)
                );
                match case.status {
                    CaseStatus::Passed => out.push_str("/>\n"),
                    CaseStatus::Failed => {
                        out.push_str(">\n");
                        let first = case.failures.first().map_or("an assertion failed", |f| f.message.as_str());
                        let body: Vec<String> = case.failures.iter().map(describe).collect();
                        let _ = writeln!(
                            out,
                            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                            escape(first),
                            escape(case.failures.first().map_or("assertion", |f| f.assertion.as_str())),
                            escape(&body.join("\n"))
                        );
                        out.push_str("    </testcase>\n");
                    }
                    CaseStatus::Error => {
                        out.push_str(">\n");
                        let message = case.error.as_deref().unwrap_or("the case could not run");
                        let mut body = message.to_owned();
                        if let Some(hint) = &case.hint {
                            let _ = write!(body, "\nhint: {hint}");
                        }
                        let _ = writeln!(
                            out,
                            "      <error message=\"{}\" type=\"error\">{}</error>",
                            escape(message),
                            escape(&body)
                        );
                        out.push_str("    </testcase>\n");
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

/// Returns a failure as lines of text: the message, then expected and actual.
pub fn describe(f: &Failure) -> String {
    let show = |v: &serde_json::Value| serde_json::to_string(v).unwrap_or_default();
    let mut text = match &f.path {
        Some(p) => format!("{} `{p}`: {}", f.assertion, f.message),
        None => format!("{}: {}", f.assertion, f.message),
    };
    let _ = write!(text, "\n  expected: {}\n  actual:   {}", show(&f.expected), show(&f.actual));
    text
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> Report {
        Report::new(vec![Suite {
            skill: "brief-creator".into(),
            file: "skills/brief-creator.test.yaml".into(),
            cases: vec![
                CaseReport {
                    name: "ok".into(),
                    status: CaseStatus::Passed,
                    duration_ms: 12,
                    failures: vec![],
                    error: None,
                    hint: None,
                    line: 2,
                },
                CaseReport {
                    name: "title <&> \"quotes\"".into(),
                    status: CaseStatus::Failed,
                    duration_ms: 3,
                    failures: vec![Failure {
                        assertion: "output".into(),
                        path: Some("draft_brief.title".into()),
                        expected: json!("Spring"),
                        actual: json!("Autumn"),
                        message: "`draft_brief.title` contains \"Spring\": the string does not contain it".into(),
                    }],
                    error: None,
                    hint: None,
                    line: 9,
                },
                CaseReport {
                    name: "miss".into(),
                    status: CaseStatus::Error,
                    duration_ms: 1,
                    failures: vec![],
                    error: Some("request 1 differs from the recording at `system`".into()),
                    hint: Some("re-record with `agentb test brief-creator --mode record`".into()),
                    line: 20,
                },
            ],
        }])
    }

    #[test]
    fn the_summary_counts_each_status() {
        let r = report();
        assert_eq!(r.summary, Summary { passed: 1, failed: 1, errors: 1 });
        assert!(!r.passed());
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["suites"][0]["cases"][1]["failures"][0]["path"], "draft_brief.title");
        assert_eq!(v["suites"][0]["cases"][0].get("error"), None);
    }

    #[test]
    fn junit_holds_one_testcase_per_case_with_failure_and_error_elements() {
        let xml = report().junit();
        assert!(
            xml.contains("<testsuite name=\"brief-creator\" id=\"0\" tests=\"3\" failures=\"1\" errors=\"1\""),
            "{xml}"
        );
        assert!(xml.contains("<testcase name=\"title &lt;&amp;&gt; &quot;quotes&quot;\""), "{xml}");
        assert!(xml.contains("<failure message=\"`draft_brief.title` contains &quot;Spring&quot;"), "{xml}");
        assert!(xml.contains("<error message=\"request 1 differs from the recording at `system`\""), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 3);
    }

    #[test]
    fn escape_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a\u{1}b\nc"), "a\u{FFFD}b&#10;c");
    }
}
