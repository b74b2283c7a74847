//! Sessions and proposals shared through the ERP (SPEC §8): several clones of one project
//! against one real `agentb erp serve`, as a team's CI machine and laptops are. A CI run
//! proposes a T3 delete and exits 5; another clone approves it (it executes once), resumes the
//! session, and a third undoes it; parallel approvals execute once; an ERP of an older
//! contract, a proposal claimed elsewhere, and a forged session are refused.

use agentb::erp::{Erp as _, ErpExt as _, HttpErp, HttpOptions, ListQuery, LocalErp, Record, Secret};
use serde_json::{Value, json};

use crate::support::flaky_erp::FlakyProxy;
use crate::support::runtime::{CONFIG, PERSONA, SKILL, answer, last_text};
use crate::support::with_claude::WithClaude as _;
use crate::support::{ErpServer, FakeClaude, Reply, Test};

const KEY: &str = "team-key-0123456789";

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

/// Returns a clone of the team's project whose default instance `team` is at `url`.
fn clone(claude: &FakeClaude, url: &str) -> Test {
    let erp = format!("[erp]\ndefault = \"team\"\n\n[erp.instances.team]\nurl = \"{url}\"\nkey_env = \"TEAM_KEY\"\n");
    Test::new()
        .skill("brief-maker.md", SKILL)
        .persona("planner.md", PERSONA)
        .file(".agentbuilder.toml", format!("{CONFIG}\n{erp}"))
        .env("TEAM_KEY", KEY)
        .env("CI", "1")
        .claude(claude)
}

/// The server's database, opened directly (the server keeps serving it).
fn db(server: &ErpServer) -> LocalErp {
    LocalErp::open("team", &server.db()).expect("open the served database")
}

fn seed(server: &ErpServer, collection: &str, record: Value) {
    let Value::Object(record) = record else { panic!("not an object") };
    block_on(db(server).create("acme", collection, record)).expect("seed");
}

fn get(server: &ErpServer, collection: &str, id: &str) -> Option<Record> {
    block_on(db(server).get("acme", collection, id)).ok()
}

fn http(server: &ErpServer) -> HttpErp {
    HttpErp::new("team", server.url(), Some(Secret::new(KEY)), HttpOptions::default()).expect("client")
}

/// A started server with client `c1` and brief `b1` in org `acme`.
fn server() -> ErpServer {
    let server = ErpServer::builder().key(Some(KEY)).args(&["-v"]).start();
    seed(&server, "clients", json!({"id": "c1", "name": "Acme Foods"}));
    seed(&server, "briefs", json!({"id": "b1", "title": "Old brief", "status": "draft"}));
    server
}

/// Runs the CI job: the model asks to delete `b1` (T3); no terminal, so it waits: exit 5.
/// Returns the proposal id and the session id.
fn ci_run(claude: &FakeClaude, server: &ErpServer) -> (String, String) {
    claude.push([
        Reply::tool_use("toolu_1", "erp_delete_brief", json!({"id": "b1"})),
        Reply::text("Deleting b1 awaits approval."),
    ]);
    let run = clone(claude, server.url())
        .args(["--format", "json", "run", "brief-maker", "--org", "acme", "--input", "client_id=c1"])
        .run()
        .code(5);
    let report = run.json();
    let proposal = report["proposals"][0]["id"].as_str().expect("a proposal").to_owned();
    let session = report["session"].as_str().expect("a session").to_owned();
    assert!(get(server, "briefs", "b1").is_some(), "nothing ran yet");
    (proposal, session)
}

fn proposal_record(server: &ErpServer, id: &str) -> Record {
    get(server, "agent-proposals", id).expect("the proposal lives in the ERP")
}

fn executions(record: &Record) -> usize {
    record["history"].as_array().expect("history").iter().filter(|t| t["to"] == "EXECUTED").count()
}

#[test]
fn a_ci_proposal_is_approved_from_a_laptop_executes_once_and_is_undone_from_a_third_clone() {
    let claude = FakeClaude::start([]);
    let server = server();
    let (proposal, session) = ci_run(&claude, &server);
    // The CI machine's folder is gone with its job: everything lives in the ERP.
    let stored = proposal_record(&server, &proposal);
    assert_eq!((stored["status"].clone(), stored["revision"].clone()), (json!("PENDING"), json!(1)));
    assert_eq!(get(&server, "agent-sessions", &session).unwrap()["status"], "awaiting_approval");
    let turns = block_on(db(&server).list_all(
        "acme",
        "agent-session-turns",
        ListQuery::new().filter("sessionId", session.as_str()),
    ))
    .unwrap();
    // The input, two model turns (the call with its result, then the answer) and the end: one
    // record, one request, each; the reply with the call is not sent apart from its result.
    assert_eq!(turns.len(), 4, "one record per turn: {turns:#?}");
    let invocation = &block_on(db(&server).invocations("acme", ListQuery::new())).unwrap()[0];
    assert_eq!(invocation.session_id.as_deref(), Some(session.as_str()));

    // A teammate's laptop, a fresh clone: lists and approves it.
    let laptop = clone(&claude, server.url());
    let run = laptop.args(["proposals", "list", "--state", "pending"]).run().code(0).stdout_contains(&proposal);
    let run = run.test.args(["proposals", "approve", &proposal]).run().code(0).stderr_contains("Executed");
    assert!(get(&server, "briefs", "b1").is_none(), "approve deleted it");
    let run = run.test.args(["proposals", "approve", &proposal]).run().code(0).stderr_contains("executed already");
    let stored = proposal_record(&server, &proposal);
    assert_eq!(stored["status"], "EXECUTED");
    assert_eq!(executions(&stored), 1);
    assert_eq!(stored["claim"]["snapshot_taken"], true);

    // The laptop resumes the CI's session: the model hears the delete ran, and finishes.
    claude.push([Reply::text(&answer(&json!({"brief_id": "b1", "summary": "deleted"})))]);
    let run = run.test.args(["run", "--resume", &session, "--message", "Approved, carry on."]).run().code(0);
    let told = last_text(claude.requests().last().unwrap());
    assert!(told.contains("confirmed and executed") && told.contains("Approved, carry on."), "{told}");
    assert_eq!(get(&server, "agent-sessions", &session).unwrap()["status"], "completed");
    run.test
        .args(["--format", "json", "sessions", "show", &session])
        .run()
        .code(0)
        .stdout_contains("\"completed\"")
        .done();

    // A third clone sees the session and undoes the delete: the record comes back from its snapshot.
    let third = clone(&claude, server.url());
    let run = third.args(["--format", "json", "sessions", "show", &session]).run().code(0);
    assert_eq!(run.json()["status"], "completed");
    let run = run.test.args(["proposals", "undo", &proposal]).run().code(0).stderr_contains("Undone");
    let restored = get(&server, "briefs", "b1").expect("restored");
    assert_eq!((restored["title"].clone(), restored["status"].clone()), (json!("Old brief"), json!("draft")));
    assert_eq!(proposal_record(&server, &proposal)["status"], "UNDONE");
    run.test.args(["proposals", "undo", &proposal]).run().code(0).stderr_contains("undone already").done();
}

#[test]
fn parallel_approvals_from_two_clones_execute_once() {
    let claude = FakeClaude::start([]);
    let server = server();
    let (proposal, _) = ci_run(&claude, &server);
    let (a, b) = (clone(&claude, server.url()), clone(&claude, server.url()));
    let approve = |test: Test, id: String| std::thread::spawn(move || test.args(["proposals", "approve", &id]).run());
    let (ra, rb) = (approve(a, proposal.clone()), approve(b, proposal.clone()));
    let runs = [ra.join().unwrap(), rb.join().unwrap()];
    let executed = runs.iter().filter(|r| r.code == Some(0) && r.stderr.contains("Executed")).count();
    assert_eq!(executed, 1, "{}", runs.iter().map(|r| r.stderr.clone()).collect::<Vec<_>>().join("\n---\n"));
    for r in &runs {
        let ok = r.stderr.contains("Executed")
            || r.stderr.contains("executed already")
            || (r.code == Some(3) && r.stderr.contains("already being executed elsewhere"));
        assert!(ok, "exit {:?}: {}", r.code, r.stderr);
    }
    assert!(get(&server, "briefs", "b1").is_none());
    assert_eq!(executions(&proposal_record(&server, &proposal)), 1);
    let deletes = server.log().lines().filter(|l| l.contains("DELETE") && l.contains("/api/v1/briefs/b1")).count();
    assert_eq!(deletes, 1, "the ERP saw one delete:\n{}", server.log());
}

#[test]
fn a_proposal_claimed_by_another_machine_is_not_executed_again() {
    let claude = FakeClaude::start([]);
    let server = server();
    let (proposal, _) = ci_run(&claude, &server);
    // Another machine claimed it a moment ago and is running the call.
    let now = jiff::Timestamp::now();
    let Value::Object(patch) = json!({"status": "EXECUTING", "claim": {"token": "other", "by": "ci-runner-7 (pid 1)",
        "at": now.to_string(), "until": (now + jiff::SignedDuration::from_hours(1)).to_string()}})
    else {
        unreachable!()
    };
    block_on(http(&server).patch_if("acme", "agent-proposals", &proposal, patch.clone(), 1)).unwrap();
    // The If-Match compare-and-set: a writer that read revision 1 loses with 412.
    let err = block_on(http(&server).patch_if("acme", "agent-proposals", &proposal, patch, 1)).unwrap_err();
    assert!(err.is_precondition_failed(), "{err}");
    clone(&claude, server.url())
        .args(["proposals", "approve", &proposal])
        .run()
        .code(3)
        .stderr_contains("is already being executed elsewhere (claimed by ci-runner-7 (pid 1)")
        .stderr_contains("hint: nothing was run here")
        .done();
    assert!(get(&server, "briefs", "b1").is_some(), "never a second execution");
}

#[test]
fn a_confirmation_made_in_the_erp_ui_is_executed_by_the_next_resume() {
    let claude = FakeClaude::start([]);
    let server = server();
    let (proposal, session) = ci_run(&claude, &server);
    // The ERP's UI sets CONFIRMED (with If-Match, as the contract asks).
    let Value::Object(patch) = json!({"status": "CONFIRMED", "decidedBy": "dana@acme (ERP UI)"}) else {
        unreachable!()
    };
    block_on(http(&server).patch_if("acme", "agent-proposals", &proposal, patch, 1)).unwrap();
    claude.push([Reply::text(&answer(&json!({"brief_id": "b1", "summary": "deleted"})))]);
    clone(&claude, server.url()).args(["run", "--resume", &session, "--message", "go on"]).run().code(0).done();
    assert!(get(&server, "briefs", "b1").is_none(), "the resume executed it");
    let stored = proposal_record(&server, &proposal);
    assert_eq!((stored["status"].clone(), executions(&stored)), (json!("EXECUTED"), 1));
    assert!(stored["history"].to_string().contains("dana@acme (ERP UI)"), "{}", stored["history"]);
}

#[test]
fn an_erp_of_an_older_contract_is_named_with_a_hint_and_local_runs_go_on() {
    let claude = FakeClaude::start([]);
    let server = server();
    let proxy = FlakyProxy::start(server.url());
    proxy.hide_collections(&["agent-sessions", "agent-session-turns", "agent-proposals"]);
    let run = clone(&claude, proxy.url())
        .args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"])
        .run()
        .code(3)
        .stderr_contains("ERP instance `team` has no `agent-sessions` collection")
        .stderr_contains("hint: the instance implements an older ERP contract")
        .no_panic();
    assert!(claude.requests().is_empty(), "nothing was sent to the model");
    assert!(
        block_on(db(&server).invocations("acme", ListQuery::new())).unwrap().is_empty(),
        "no invocation left running"
    );
    run.test.args(["proposals", "list"]).run().code(3).stderr_contains("has no `agent-sessions` collection").done();
    // The same project's local instance is unaffected.
    claude.push([Reply::text(&answer(&json!({"brief_id": "b1", "summary": "ok"})))]);
    let local = clone(&claude, proxy.url());
    crate::support::runtime::seed(&local, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    local
        .args(["run", "brief-maker", "--org", "acme", "--instance", "local", "--input", "client_id=c1"])
        .run()
        .code(0)
        .done();
}

#[test]
fn a_forged_session_is_refused_and_nothing_is_touched() {
    let claude = FakeClaude::start([]);
    let server = server();
    let (proposal, session) = ci_run(&claude, &server);
    let sent = claude.requests().len();
    // Someone with write access changes the session's input in the ERP.
    let Value::Object(patch) = json!({"input": {"client_id": "c2"}}) else { unreachable!() };
    block_on(http(&server).patch("acme", "agent-sessions", &session, patch)).unwrap();
    let laptop = clone(&claude, server.url());
    let run = laptop
        .args(["run", "--resume", &session, "--message", "go"])
        .run()
        .code(2)
        .stderr_contains(&format!("session `{session}` in ERP instance `team` was changed after agentb created it"))
        .stderr_contains("its input is not the one its input hash binds");
    let run =
        run.test.args(["proposals", "approve", &proposal]).run().code(2).stderr_contains("was changed after agentb");
    assert_eq!(claude.requests().len(), sent, "nothing was sent");
    assert!(get(&server, "briefs", "b1").is_some(), "nothing was executed");
    assert_eq!(proposal_record(&server, &proposal)["status"], "PENDING");
    assert!(!run.test.path().join(".agentbuilder/sessions/remote/team").join(&session).exists(), "nothing was cached");
}
