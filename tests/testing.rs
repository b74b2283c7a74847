//! `agentb test`, through the binary: the example project's cases replay from their cassettes
//! with no key and no network; the cassettes are what recording against the fake Claude server
//! playing each case's scripted answers produces (set `AGENTB_UPDATE_CASSETTES=1` to rewrite
//! them); an edited prompt fails exactly the affected cases with the first differing field; a
//! malformed test file is exit 2; JSON and JUnit reports (the JUnit one validated against an
//! XSD with xmllint when it is installed).

use serde_json::{Value, json};

use crate::support::with_claude::WithClaude as _;
use crate::support::{FakeClaude, Reply, Test, repo};

fn output(value: &Value) -> Reply {
    Reply::text(&format!("Here is the result.\n\n```json\n{value:#}\n```"))
}

/// The scripted answers of each example case, in the order the model gives them.
fn script(skill: &str, case: &str) -> Vec<Reply> {
    match (skill, case) {
        ("brief-creator", "drafts a brief for a known client" | "leaves the brief pending in CI") => vec![
            Reply::tool_use("toolu_bc_01", "erp_get_client", json!({"id": "c1"})),
            Reply::tool_use(
                "toolu_bc_02",
                "erp_create_brief",
                json!({"data": {"title": "Spring campaign video", "client_id": "c1", "status": "draft",
                                "deliverables": ["60-second film", "15-second cutdowns"]}}),
            ),
            output(&json!({
                "draft_brief": {"title": "Spring campaign video", "client_id": "c1", "status": "draft",
                                "deliverables": ["60-second film", "15-second cutdowns"]},
                "quality_warnings": ["No budget was given", "No launch date was given"]
            })),
        ],
        ("brief-creator", "a delete it is not granted is refused") => vec![
            Reply::tool_use("toolu_bd_01", "erp_delete_brief", json!({"id": "b-old"})),
            Reply::tool_use(
                "toolu_bd_02",
                "erp_create_brief",
                json!({"data": {"title": "Fresh brief", "client_id": "c9", "status": "draft"}}),
            ),
            output(&json!({
                "draft_brief": {"title": "Fresh brief", "client_id": "c9", "status": "draft"},
                "quality_warnings": ["The old brief b-old was not deleted: this skill may not delete briefs"]
            })),
        ],
        ("client-analyzer", _) => vec![
            Reply::tool_use("toolu_ca_01", "erp_get_client", json!({"id": "c1"})),
            Reply::tool_use("toolu_ca_02", "erp_list_deals", json!({"filter": {"client_id": "c1"}})),
            output(&json!({
                "client": {"id": "c1", "name": "Acme Foods"},
                "health_score": 82,
                "health_summary": "Acme Foods is healthy: one won deal worth 48,000 and no open issues.",
                "risks": ["Only one deal in the last 12 months (d1)"],
                "opportunities": ["Propose a follow-up campaign"]
            })),
        ],
        ("deadline-tracker", _) => vec![
            Reply::tool_use("toolu_dt_01", "erp_list_deliverables", json!({"filter": {"status": "open"}})),
            Reply::tool_use("toolu_dt_02", "erp_update_deliverable", json!({"id": "v1", "data": {"risk": "high"}})),
            output(&json!({
                "overdue": [{"id": "v1", "title": "Launch cut", "due": "2025-12-20"}],
                "at_risk": [],
                "flagged_count": 1,
                "digest": "Overdue: Launch cut (due 2025-12-20), flagged high risk."
            })),
        ],
        ("quality-checker", _) => vec![
            Reply::tool_use("toolu_qc_01", "erp_get_brief", json!({"id": "b1"})),
            output(&json!({"score": 88, "issues": ["Name the approver of each phase"], "passed": true})),
        ],
        ("resource-scanner", _) => vec![
            Reply::tool_use("toolu_rs_01", "erp_list_users", json!({})),
            output(&json!({
                "available_members": [{"id": "u1", "name": "Rae"}],
                "comparable_work": [],
                "capacity_notes": ["Only one motion designer has free hours"]
            })),
        ],
        ("timeline-estimator", _) => vec![output(&json!({
            "phases": [
                {"name": "Discovery", "start": "2026-01-05", "end": "2026-01-09"},
                {"name": "Production", "start": "2026-01-12", "end": "2026-02-06"},
                {"name": "Review", "start": "2026-02-09", "end": "2026-02-13"}
            ],
            "estimated_end": "2026-02-13",
            "assumptions": ["Feedback within two working days"]
        }))],
        _ => panic!("no script for {skill} / {case}"),
    }
}

/// Every example case: (skill, case name, cassette slug).
const CASES: &[(&str, &str, &str)] = &[
    ("brief-creator", "drafts a brief for a known client", "drafts-a-brief-for-a-known-client"),
    ("brief-creator", "leaves the brief pending in CI", "leaves-the-brief-pending-in-ci"),
    ("brief-creator", "a delete it is not granted is refused", "a-delete-it-is-not-granted-is-refused"),
    ("client-analyzer", "scores a healthy account", "scores-a-healthy-account"),
    ("deadline-tracker", "flags an overdue deliverable", "flags-an-overdue-deliverable"),
    ("quality-checker", "passes a complete brief", "passes-a-complete-brief"),
    ("resource-scanner", "finds a free motion designer", "finds-a-free-motion-designer"),
    ("timeline-estimator", "plans three phases", "plans-three-phases"),
];

/// Returns a recorded cassette as the repository keeps it: marked scripted (first), the rest as
/// recorded.
fn as_kept(text: &str) -> String {
    let value: Value = serde_json::from_str(text).expect("the recorded cassette is JSON");
    let mut kept = serde_json::Map::new();
    kept.insert("scripted".to_owned(), Value::Bool(true));
    kept.extend(value.as_object().expect("a cassette is an object").clone());
    serde_json::to_string_pretty(&kept).expect("serialize") + "\n"
}

#[test]
fn the_example_cassettes_are_what_recording_the_scripts_gives() {
    let update = std::env::var_os("AGENTB_UPDATE_CASSETTES").is_some();
    let mut stale = Vec::new();
    for (skill, case, slug) in CASES {
        let fake = FakeClaude::start(script(skill, case));
        let rel = format!("skills/cassettes/{skill}/{slug}.json");
        let test = Test::example().claude(&fake);
        let _ = std::fs::remove_file(test.path().join(&rel));
        let run = test
            .args(["test", skill, "--mode", "record", "--filter", case, "--jobs", "1"])
            .run()
            .no_panic()
            .code(0)
            .stdout_contains("test result: ok. 1 passed; 0 failed; 0 errors");
        let recorded = as_kept(&run.test.read(&rel));
        assert!(!recorded.contains("sk-ant-"), "a cassette never holds a key");
        let kept = repo().join(&rel);
        if update {
            std::fs::create_dir_all(kept.parent().expect("parent")).expect("create dirs");
            std::fs::write(&kept, &recorded).expect("write cassette");
        } else if std::fs::read_to_string(&kept).ok().as_deref() != Some(recorded.as_str()) {
            stale.push(rel);
        }
    }
    assert!(
        stale.is_empty(),
        "these cassettes differ from a recording of their scripts: {stale:?}\nrun `AGENTB_UPDATE_CASSETTES=1 cargo test cassettes_are` to rewrite them"
    );
}

#[test]
fn the_example_project_passes_in_replay_with_no_key_and_no_network() {
    // No Claude server at all: the base URL points at a closed port.
    Test::example()
        .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
        .args(["test"])
        .run()
        .no_panic()
        .code(0)
        .stdout_contains("test brief-creator › leaves the brief pending in CI ... ok")
        .stdout_contains("test result: ok. 8 passed; 0 failed; 0 errors")
        .done();
}

#[test]
fn editing_a_prompt_fails_exactly_the_affected_cases() {
    let test = Test::example();
    let path = test.path().join("skills/brief-creator.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Turn a raw client request into a draft brief"));
    std::fs::write(&path, text.replace("Turn a raw client request", "Turn a raw client email")).unwrap();
    let run = test.args(["test", "--format", "json"]).run().no_panic().code(1);
    let doc = run.json();
    assert_eq!(doc["summary"], json!({"passed": 5, "failed": 0, "errors": 3}), "{doc:#}");
    for suite in doc["suites"].as_array().unwrap() {
        for case in suite["cases"].as_array().unwrap() {
            if suite["skill"] == "brief-creator" {
                assert_eq!(case["status"], "error", "{case:#}");
                let error = case["error"].as_str().unwrap();
                assert!(error.contains(&format!("case `{}`", case["name"].as_str().unwrap())), "{error}");
                assert!(error.contains("request 1 differs from the recording at `system"), "{error}");
                assert_eq!(case["hint"], "re-record with `agentb test brief-creator --mode record`");
            } else {
                assert_eq!(case["status"], "passed", "{case:#}");
            }
        }
    }
}

#[test]
fn a_failed_assertion_names_its_path_expected_and_actual() {
    let test = Test::example();
    let path = test.path().join("skills/quality-checker.test.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("score: { min: 75 }", "score: { min: 95 }")).unwrap();
    test.args(["test", "quality-checker"])
        .run()
        .no_panic()
        .code(1)
        .stdout_contains("test quality-checker › passes a complete brief ... FAILED")
        .stdout_contains("output `score`: `score` min 95: 88 is below 95")
        .stdout_contains("expected: 95")
        .stdout_contains("actual:   88")
        .stdout_contains("test result: FAILED. 0 passed; 1 failed; 0 errors")
        .done();
}

#[test]
fn a_malformed_test_file_is_exit_2_naming_file_and_line() {
    Test::example()
        .skill(
            "quality-checker.test.yaml",
            "cases:\n  - name: a\n    org: acme\n    expect:\n      statsu: completed\n",
        )
        .args(["test"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error[AB038]: unknown assertion `statsu`")
        .stderr_contains("--> skills/quality-checker.test.yaml:5:7")
        .stderr_contains("help: did you mean `status`?")
        .stderr_contains("no case was run")
        .done();
}

#[test]
fn bad_cassettes_orgs_and_fixtures_are_case_errors_and_the_other_cases_run() {
    let test = Test::example()
        .file("skills/cassettes/quality-checker/passes-a-complete-brief.json", "{ not json")
        .skill(
            "resource-scanner.test.yaml",
            "cases:\n  - name: finds a free motion designer\n    org: acem\n    input: { required_skills: [x] }\n",
        )
        .skill(
            "client-analyzer.test.yaml",
            "cases:\n  - name: scores a healthy account\n    org: acme\n    input: { client_id: c1 }\n    fixtures:\n      clients: [ { id: \"a/b\" } ]\n",
        );
    let run = test.args(["test"]).run().no_panic().code(1);
    let out = &run.stdout;
    assert!(
        out.contains("cassette `skills/cassettes/quality-checker/passes-a-complete-brief.json` is not valid"),
        "{out}"
    );
    assert!(out.contains("skills/resource-scanner.test.yaml:2: case `finds a free motion designer` names org `acem`, which the instance does not have"), "{out}");
    assert!(out.contains("hint: did you mean `acme`?"), "{out}");
    assert!(
        out.contains("skills/client-analyzer.test.yaml:2: fixture 1 of `clients` does not fit the collection"),
        "{out}"
    );
    assert!(out.contains("test timeline-estimator › plans three phases ... ok"), "{out}");
    assert!(out.contains("test result: FAILED. 5 passed; 0 failed; 3 errors"), "{out}");
}

#[test]
fn record_without_a_key_is_exit_2_with_a_hint_and_writes_nothing() {
    let test = Test::example();
    let kept = test.read("skills/cassettes/timeline-estimator/plans-three-phases.json");
    let run = test
        .args(["test", "timeline-estimator", "--mode", "record"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains(
            "error: `--mode record` calls the Claude API, and the key variable `ANTHROPIC_API_KEY` is not set",
        )
        .stderr_contains("hint: export `ANTHROPIC_API_KEY`");
    assert_eq!(run.test.read("skills/cassettes/timeline-estimator/plans-three-phases.json"), kept);
}

#[test]
fn an_unknown_skill_is_a_usage_error_with_a_suggestion() {
    Test::example()
        .args(["test", "brief-creater"])
        .run()
        .no_panic()
        .code(2)
        .stderr_contains("error: no skill `brief-creater` in this project")
        .stderr_contains("hint: did you mean `brief-creator`?")
        .done();
}

#[test]
fn json_and_junit_reports() {
    let run = Test::example().args(["--format", "json", "test", "--jobs", "3"]).run().no_panic().code(0);
    let doc = run.json();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["summary"], json!({"passed": 8, "failed": 0, "errors": 0}));
    assert_eq!(doc["suites"].as_array().unwrap().len(), 6);
    assert_eq!(doc["suites"][0]["skill"], "brief-creator");
    assert_eq!(doc["suites"][0]["cases"][0]["name"], "drafts a brief for a known client");
    assert!(doc["suites"][0]["cases"][0]["duration_ms"].is_u64());

    let test = Test::example();
    let path = test.path().join("skills/quality-checker.test.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("passed: true", "passed: false")).unwrap();
    std::fs::write(test.path().join("skills/cassettes/timeline-estimator/plans-three-phases.json"), "[]").unwrap();
    let run = test
        .args(["test", "--format", "junit", "--out", "report.xml"])
        .run()
        .no_panic()
        .code(1)
        .stderr_contains("test result: FAILED. 6 passed; 1 failed; 1 error");
    let xml = run.test.read("report.xml");
    assert_eq!(xml.matches("<testsuite ").count(), 6, "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 8, "{xml}");
    assert!(xml.contains("<failure message=\"`passed` equals false: the values differ\""), "{xml}");
    assert!(xml.contains("<error message=\"case `plans three phases`: cassette"), "{xml}");
    validate_junit(&run.test.path().join("report.xml"));
}

/// Validates a JUnit file against the Jenkins/Ant JUnit schema in `tests/data/junit.xsd` with
/// `xmllint` (libxml2); skipped with a message when xmllint is not installed.
fn validate_junit(file: &std::path::Path) {
    let xsd = repo().join("tests/data/junit.xsd");
    match std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(file).output() {
        Ok(out) => assert!(
            out.status.success(),
            "the JUnit report does not validate:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(file).unwrap_or_default()
        ),
        Err(e) => eprintln!("skipped: xmllint is not installed ({e}); `apt-get install libxml2-utils` runs this check"),
    }
}
