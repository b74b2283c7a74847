//! Proposals end to end: T3 approval without a terminal, approve twice, undo; T2 soft-confirm
//! by resuming within the window, and expiry outside it (with the injectable clock).

use serde_json::{Value, json};

use crate::support::runtime::{all, answer, get, last_text, project, seed, session_ids};
use crate::support::{FakeClaude, Reply};

const T0: &str = "2026-01-01T00:00:00Z";

fn valid() -> Value {
    json!({"brief_id": "b1", "summary": "done"})
}

#[test]
fn a_t3_call_waits_then_executes_exactly_once_and_undo_restores_the_record() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_delete_brief", json!({"id": "b1"})),
        Reply::text("Deleting b1 awaits approval."),
    ]);
    let test = project(&claude, "");
    seed(&test, "acme", "briefs", json!({"id": "b1", "title": "Old brief", "status": "draft"}));
    // `--approve t2` does not cover T3, `--yes` never does, and there is no terminal: PENDING, exit 5.
    let run = test
        .args(["--yes", "run", "brief-maker", "--org", "acme", "--input", "client_id=c1", "--approve", "t2"])
        .run()
        .code(5)
        .stderr_contains("erp_delete_brief (t3)  PENDING");
    let id = run.stdout.trim().to_owned();
    assert!(get(&run.test, "acme", "briefs", "b1").is_some(), "nothing ran yet");

    let run = run.test.args(["proposals", "list", "--state", "pending"]).run().code(0).stdout_contains(&id);
    let run = run.test.args(["proposals", "approve", &id]).run().code(0).stderr_contains("Executed");
    assert!(get(&run.test, "acme", "briefs", "b1").is_none(), "approve deleted it");
    // Approving again executes nothing: re-create the record by hand and see it survive.
    seed(&run.test, "acme", "briefs", json!({"id": "b1", "title": "Recreated by hand"}));
    let run = run.test.args(["proposals", "approve", &id]).run().code(0).stderr_contains("executed already");
    assert_eq!(get(&run.test, "acme", "briefs", "b1").unwrap()["title"], "Recreated by hand");
    let run = run.test.args(["--format", "json", "proposals", "show", &id]).run().code(0);
    let shown = run.json();
    assert_eq!(shown["state"], "EXECUTED");
    let executed = shown["history"].as_array().unwrap().iter().filter(|t| t["to"] == "EXECUTED").count();
    assert_eq!(executed, 1);
    assert_eq!(shown["compensation"]["kind"], "create");

    // Undo re-creates the deleted record from its snapshot (remove the hand-made one first).
    let erp_path = run.test.path().join(".agentbuilder/local/erp.sqlite");
    let erp = agentb::erp::LocalErp::open("local", &erp_path).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(agentb::erp::Erp::delete(&erp, "acme", "briefs", "b1")).unwrap();
    let run = run.test.args(["proposals", "undo", &id]).run().code(0).stderr_contains("Undone");
    let restored = get(&run.test, "acme", "briefs", "b1").expect("restored");
    assert_eq!(restored["title"], "Old brief");
    assert_eq!(restored["status"], "draft");
    let run = run.test.args(["proposals", "undo", &id]).run().code(0).stderr_contains("undone already");
    run.test.args(["proposals", "reject", &id]).run().code(2).stderr_contains("cannot become REJECTED").done();
}

fn pending_t2(claude: &FakeClaude) -> (crate::support::Test, String, String) {
    claude.push([
        Reply::tool_use("toolu_1", "erp_create_brief", json!({"data": {"id": "b1", "title": "Spring"}})),
        Reply::text("The brief awaits your confirmation."),
    ]);
    let run = project(claude, "[proposals]\nt2_window = \"24h\"\n")
        .env("AGENTB_TEST_CLOCK", T0)
        .args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"])
        .run()
        .code(5);
    let proposal = run.stdout.trim().to_owned();
    let session = session_ids(&run.test)[0].clone();
    assert!(get(&run.test, "acme", "briefs", "b1").is_none());
    (run.test, session, proposal)
}

#[test]
fn resuming_within_the_window_soft_confirms_a_t2_proposal() {
    let claude = FakeClaude::start([]);
    let (test, session, proposal) = pending_t2(&claude);
    claude.push([Reply::text(&answer(&valid()))]);
    let run = test
        .env("AGENTB_TEST_CLOCK", "2026-01-01T23:00:00Z")
        .args(["run", "--resume", &session, "--message", "Looks good, go ahead."])
        .run()
        .code(0);
    assert_eq!(get(&run.test, "acme", "briefs", "b1").unwrap()["title"], "Spring");
    let told = last_text(&claude.requests()[2]);
    assert!(told.contains(&proposal) && told.contains("confirmed and executed"), "{told}");
    assert!(told.contains("Looks good, go ahead."), "{told}");
    let run = run.test.args(["--format", "json", "proposals", "show", &proposal]).run().code(0);
    assert_eq!(run.json()["history"][0]["by"], "resume (soft-confirm)");
    let run = run.test.args(["--format", "json", "sessions", "show", &session]).run().code(0);
    let shown = run.json();
    assert_eq!(shown["status"], "completed");
    assert_eq!(shown["id"], session.as_str());
    assert_eq!(all(&run.test, "acme", "agent-invocations").len(), 1, "the same invocation is updated");
}

#[test]
fn a_t2_proposal_expires_outside_its_window() {
    let claude = FakeClaude::start([]);
    let (test, session, proposal) = pending_t2(&claude);
    claude.push([Reply::text(&answer(&valid()))]);
    let run = test
        .env("AGENTB_TEST_CLOCK", "2026-01-02T01:00:00Z")
        .args(["run", "--resume", &session, "--message", "Sorry for the delay."])
        .run()
        .code(0);
    assert!(get(&run.test, "acme", "briefs", "b1").is_none(), "an expired proposal never runs");
    let told = last_text(&claude.requests()[2]);
    assert!(told.contains(&proposal) && told.contains("expired"), "{told}");
    let run = run.test.args(["--format", "json", "proposals", "show", &proposal]).run().code(0);
    assert_eq!(run.json()["state"], "EXPIRED");
    // Approving it later is refused.
    run.test.args(["proposals", "approve", &proposal]).run().code(2).stderr_contains("EXPIRED").done();
}

#[test]
fn resume_with_reject_rejects_pending_t2_proposals() {
    let claude = FakeClaude::start([]);
    let (test, session, proposal) = pending_t2(&claude);
    claude.push([Reply::text(&answer(&valid()))]);
    let run = test.args(["run", "--resume", &session, "--reject", "--message", "No."]).run().code(0);
    assert!(get(&run.test, "acme", "briefs", "b1").is_none());
    assert!(last_text(&claude.requests()[2]).contains("rejected"));
    let run = run.test.args(["sessions", "list"]).run().code(0).stdout_contains(&session);
    run.test.args(["proposals", "list"]).run().code(0).stdout_contains(&proposal).stdout_contains("REJECTED").done();
}

#[test]
fn a_session_idle_for_more_than_30_days_cannot_be_resumed() {
    let claude = FakeClaude::start([]);
    let (test, session, _) = pending_t2(&claude);
    let run = test
        .env("AGENTB_TEST_CLOCK", "2026-02-15T00:00:00Z")
        .args(["run", "--resume", &session, "--message", "hello?"])
        .run()
        .code(2)
        .stderr_contains("expired");
    assert_eq!(claude.requests().len(), 2, "nothing was sent");
    run.done();
}

#[test]
fn post_tool_use_hooks_see_writes_executed_by_a_resume_or_by_approve() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_create_brief", json!({"data": {"id": "b2", "title": "Spring"}})),
            ("toolu_2", "erp_delete_brief", json!({"id": "b1"})),
        ]),
        Reply::text("Both await approval."),
    ]);
    let hooks = r#"
[[hooks.post_tool_use]]
matcher = "erp_(create|delete)_brief"
command = "cat >> post.log; echo >> post.log; echo 'check the new brief' >&2; exit 2"
"#;
    let test = project(&claude, hooks);
    seed(&test, "acme", "briefs", json!({"id": "b1", "title": "Old"}));
    let run = test.args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"]).run().code(5);
    assert!(!run.test.path().join("post.log").exists(), "nothing executed yet");
    let session = session_ids(&run.test)[0].clone();
    let ids: Vec<String> = run.stdout.lines().map(str::to_owned).collect();
    // The T3 delete, approved by hand.
    let delete = ids.iter().find(|id| run.stderr.contains(&format!("{id}  erp_delete_brief"))).unwrap().clone();
    let run = run.test.args(["proposals", "approve", &delete]).run().code(0).stderr_contains("check the new brief");
    let log = run.test.read("post.log");
    assert!(log.contains(r#""hook_event_name":"PostToolUse""#) && log.contains(r#""tool_use_id":"toolu_2""#), "{log}");
    assert!(log.contains(r#""tool_response":{"deleted":"b1"}"#), "{log}");
    // The T2 create, soft-confirmed by the resume: its hook runs, and its flag reaches the model.
    claude.push([Reply::text(&answer(&valid()))]);
    let run = run.test.args(["run", "--resume", &session, "--message", "go on"]).run().code(0);
    let log = run.test.read("post.log");
    assert!(log.contains(r#""tool_use_id":"toolu_1""#), "{log}");
    assert_eq!(log.matches("PostToolUse").count(), 2, "each hook ran once: {log}");
    let told = last_text(claude.requests().last().unwrap());
    assert!(told.contains("flagged this result: check the new brief"), "{told}");
    assert!(get(&run.test, "acme", "briefs", "b2").is_some());
}

#[test]
fn the_same_call_again_while_its_proposal_waits_is_not_a_second_proposal() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_delete_brief", json!({"id": "b1"})),
        Reply::text("The delete awaits approval."),
        // Resumed, the model tries again, twice in one message, and once with another input.
        Reply::tool_uses(vec![
            ("toolu_2", "erp_delete_brief", json!({"id": "b1"})),
            ("toolu_3", "erp_delete_brief", json!({"id": "b1"})),
            ("toolu_4", "erp_delete_brief", json!({"id": "b2"})),
        ]),
        Reply::text("Still waiting."),
    ]);
    let test = project(&claude, "");
    seed(&test, "acme", "briefs", json!({"id": "b1", "title": "Old"}));
    let run = test.args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"]).run().code(5);
    let first = run.stdout.trim().to_owned();
    let session = session_ids(&run.test)[0].clone();
    let run = run.test.args(["run", "--resume", &session, "--message", "go on"]).run().code(5);
    let results = crate::support::runtime::tool_results(&claude.requests()[3]);
    assert_eq!(results.len(), 3);
    for (_, content, is_error) in &results[..2] {
        assert!(!is_error && content.contains(&format!("same as proposal `{first}`")), "{content}");
    }
    assert!(results[2].1.contains("awaits the user's confirmation"), "{}", results[2].1);
    let listed = run.test.args(["--format", "json", "proposals", "list"]).run().code(0).json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "one proposal per distinct input: {listed:?}");
}

/// Returns the path of a proposal's file and its JSON.
fn proposal_file(test: &crate::support::Test, session: &str, id: &str) -> (std::path::PathBuf, Value) {
    let path = test.path().join(".agentbuilder/sessions").join(session).join("proposals").join(format!("{id}.json"));
    let json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, json)
}

#[test]
fn a_hand_edited_proposal_is_refused_and_touches_nothing() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_delete_brief", json!({"id": "b1"})),
        Reply::text("Deleting b1 awaits approval."),
    ]);
    let test = project(&claude, "");
    seed(&test, "acme", "briefs", json!({"id": "b1", "title": "Acme's brief"}));
    seed(&test, "acme", "briefs", json!({"id": "b2", "title": "Another brief"}));
    seed(&test, "beta", "briefs", json!({"id": "b1", "title": "Beta's brief"}));
    let run = test.args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"]).run().code(5);
    let id = run.stdout.trim().to_owned();
    let session = session_ids(&run.test)[0].clone();
    let (path, original) = proposal_file(&run.test, &session, &id);
    let name = format!("{id}.json");
    let mut test = run.test;
    let edits: [(&str, Value, &str); 5] = [
        ("org", json!("beta"), "org"),
        ("instance", json!("other"), "instance"),
        ("input", json!({"id": "b2"}), "input hash"),
        ("session_id", json!("../../../x"), "session"),
        ("session_id", json!("../.."), "session"),
    ];
    for (field, value, says) in edits {
        let mut edited = original.clone();
        edited[field] = value;
        let text = serde_json::to_string_pretty(&edited).unwrap();
        std::fs::write(&path, &text).unwrap();
        test = test
            .args(["proposals", "approve", &id])
            .run()
            .code(2)
            .stderr_contains(&name)
            .stderr_contains(says)
            .no_panic()
            .test;
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the file is left as it is ({field})");
        assert!(get(&test, "acme", "briefs", "b1").is_some(), "nothing ran ({field})");
        assert!(get(&test, "acme", "briefs", "b2").is_some(), "nothing ran ({field})");
        assert!(get(&test, "beta", "briefs", "b1").is_some(), "nothing ran in another org ({field})");
        for outside in ["lock", "proposals", "../x"] {
            assert!(!test.path().join(outside).exists(), "nothing is written outside the sessions folder: {outside}");
        }
        test = test.args(["proposals", "reject", &id]).run().code(2).stderr_contains(&name).test;
    }
    // Restored, it executes in its own org only.
    std::fs::write(&path, serde_json::to_string_pretty(&original).unwrap()).unwrap();
    let run = test.args(["proposals", "approve", &id]).run().code(0).stderr_contains("Executed");
    assert!(get(&run.test, "acme", "briefs", "b1").is_none());
    assert!(get(&run.test, "beta", "briefs", "b1").is_some());
}

#[test]
fn resuming_refuses_a_hand_edited_pending_proposal() {
    let claude = FakeClaude::start([]);
    let (test, session, proposal) = pending_t2(&claude);
    let sent = claude.requests().len();
    let (path, mut json) = proposal_file(&test, &session, &proposal);
    json["org"] = json!("beta");
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let run = test
        .args(["run", "--resume", &session, "--message", "Go ahead."])
        .run()
        .code(2)
        .stderr_contains(&format!("{proposal}.json"));
    assert!(get(&run.test, "acme", "briefs", "b1").is_none());
    assert!(get(&run.test, "beta", "briefs", "b1").is_none());
    assert_eq!(claude.requests().len(), sent, "nothing is sent");
}
