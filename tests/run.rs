//! `agentb run` end to end: the real binary, the embedded ERP, and a fake Claude on loopback
//! playing scripted model behaviour.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::runtime::{all, answer, get, last_text, project, seed, session_ids, tool_results};
use crate::support::{FakeClaude, Reply};

fn run_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> =
        ["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"].map(str::to_owned).to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn valid() -> Value {
    json!({"brief_id": "b1", "summary": "Spring video for Acme Foods"})
}

#[test]
fn happy_path_reads_a_client_proposes_a_brief_and_returns_valid_output() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_get_client", json!({"id": "c1"})),
        Reply::tool_use(
            "toolu_2",
            "erp_create_brief",
            json!({"data": {"id": "b1", "title": "Spring video", "clientId": "c1"}}),
        ),
        Reply::text(&answer(&valid())),
    ]);
    let run =
        project(&claude, "").args(run_args(&["--approve", "t2", "--format", "json", "--persona", "planner"])).run();
    let run = run.code(0).no_panic();
    let out = run.json();
    assert_eq!(out["status"], "completed");
    assert_eq!(out["output"], valid());
    assert_eq!(out["turns"], 3);
    assert_eq!(out["proposals"][0]["tool"], "erp_create_brief");
    assert_eq!(out["proposals"][0]["state"], "EXECUTED");
    // Cost from the pricing table: 3 turns × (100 in × $3 + 20 out × $15) per million.
    let cost = out["cost_usd"].as_f64().unwrap();
    assert!((cost - 3.0 * (100.0 * 3.0 + 20.0 * 15.0) / 1e6).abs() < 1e-12, "{cost}");

    let requests = claude.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.header("x-api-key"), Some(crate::support::claude::FAKE_KEY));
    assert_eq!(first.header("anthropic-version"), Some("2023-06-01"));
    let system = first.body["system"][0]["text"].as_str().unwrap();
    assert!(system.starts_with("You are a careful planner"), "the persona prompt comes first: {system}");
    assert!(system.contains("Brief Maker"), "{system}");
    assert_eq!(first.body["system"][0]["cache_control"]["type"], "ephemeral");
    let tools: Vec<&str> =
        first.body["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        ["erp_create_brief", "erp_delete_brief", "erp_get_client", "erp_list_clients", "erp_update_brief"]
    );
    assert_eq!(first.body["tools"][4]["cache_control"]["type"], "ephemeral");
    assert!(last_text(first).contains("\"client_id\": \"c1\""));
    // The client record went back to the model, then the executed create.
    let (id, content, is_error) = &tool_results(&requests[1])[0];
    assert_eq!((id.as_str(), *is_error), ("toolu_1", false));
    assert!(content.contains("Acme Foods"), "{content}");
    let (_, content, is_error) = &tool_results(&requests[2])[0];
    assert!(!is_error && content.contains("executed"), "{content}");

    let test = run.test;
    let brief = get(&test, "acme", "briefs", "b1").expect("the brief was created");
    assert_eq!(brief["organizationId"], "acme");
    let invocations = all(&test, "acme", "agent-invocations");
    assert_eq!(invocations.len(), 1);
    let inv = &invocations[0];
    assert_eq!(inv["status"], "completed");
    assert_eq!(inv["output"], valid());
    assert_eq!(inv["skillId"], "brief-maker");
    assert_eq!(inv["usage"]["turns"], 3);
    assert!(inv["finishedAt"].is_string());
    assert_eq!(inv["audit"]["decisions"]["allow:granted"], 2);
    // The audit log names the rule of every decision and holds no key.
    let session = &session_ids(&test)[0];
    let audit = test.read(&format!(".agentbuilder/sessions/{session}/audit.jsonl"));
    assert!(audit.contains("\"rule\":\"granted\""), "{audit}");
    assert!(audit.contains("\"to\":\"EXECUTED\""), "{audit}");
    assert!(!audit.contains("SECRET"), "{audit}");
    let files = std::fs::read_dir(test.path().join(".agentbuilder/sessions")).unwrap().count();
    assert_eq!(files, 1);
    assert!(test.read(".agentbuilder/.gitignore").contains("sessions/"));
}

#[test]
fn without_a_terminal_a_t2_call_waits_and_the_run_exits_5_with_the_ids() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_brief", json!({"data": {"title": "Spring"}})),
        Reply::text("The brief awaits your approval."),
    ]);
    let run = project(&claude, "").args(run_args(&[])).run().code(5).stderr_contains("awaiting approval");
    let id = run.stdout.trim().to_owned();
    assert!(id.starts_with("p-"), "{}", run.stdout);
    let (_, content, is_error) = &tool_results(&claude.requests()[1])[0];
    assert!(!is_error && content.contains("awaits the user's confirmation"), "{content}");
    assert!(all(&run.test, "acme", "briefs").is_empty());
    assert_eq!(all(&run.test, "acme", "agent-invocations")[0]["status"], "pending");
}

#[test]
fn a_flood_of_t1_calls_is_stopped_by_per_tool_and_tier_limits_and_t2_keeps_its_budget() {
    let mut calls = Vec::new();
    let ids: Vec<String> = (0..51).map(|i| format!("toolu_{i:02}")).collect();
    for (i, id) in ids.iter().enumerate().take(50) {
        if i < 25 {
            calls.push((id.as_str(), "erp_get_client", json!({"id": "c1"})));
        } else {
            calls.push((id.as_str(), "erp_list_clients", json!({})));
        }
    }
    calls.push((ids[50].as_str(), "erp_create_brief", json!({"data": {"id": "b1", "title": "T"}})));
    let claude = FakeClaude::start([Reply::tool_uses(calls), Reply::text(&answer(&valid()))]);
    let config = "[limits.tier_calls]\nt1 = 30\n[limits.tools.erp_get_client]\nper_run = 20\n";
    let run = project(&claude, config).args(run_args(&["--approve", "t2"])).run().code(0);
    let results = tool_results(&claude.requests()[1]);
    assert_eq!(results.len(), 51, "every tool_use is answered");
    let refused = |from: usize, to: usize, needle: &str| {
        results[from..to].iter().filter(|(_, c, e)| *e && c.contains(needle)).count()
    };
    assert_eq!(refused(0, 20, ""), 0);
    assert_eq!(refused(20, 25, "(per_run)"), 5);
    assert_eq!(refused(25, 35, ""), 0);
    assert_eq!(refused(35, 50, "(tier_calls.t1)"), 15);
    let (_, content, is_error) = &results[50];
    assert!(!is_error && content.contains("executed"), "{content}");
    assert!(get(&run.test, "acme", "briefs", "b1").is_some());
}

#[test]
fn a_model_that_never_stops_calling_tools_is_stopped_by_the_turn_breaker() {
    let claude = FakeClaude::start([Reply::forever(|_| Reply::tool_use("toolu_x", "erp_list_clients", json!({})))]);
    let run = project(&claude, "[limits]\nmax_turns = 3\n").args(run_args(&[])).run();
    let run = run.code(4).stderr_contains("`max_turns`").no_panic();
    assert_eq!(claude.requests().len(), 3);
    let inv = &all(&run.test, "acme", "agent-invocations")[0];
    assert_eq!(inv["status"], "failed");
    assert!(inv["error"].as_str().unwrap().contains("max_turns"), "{inv:?}");
    assert_eq!(inv["audit"]["breakers"], json!(["turns"]));
}

#[test]
fn the_cost_breaker_ends_an_expensive_run() {
    let usage = json!({"input_tokens": 100_000, "output_tokens": 1000});
    let reply = Reply::tool_use("toolu_x", "erp_list_clients", json!({})).usage(usage);
    let claude = FakeClaude::start([Reply::forever(move |_| reply.clone())]);
    let run = project(&claude, "[limits]\nmax_cost_usd = 0.5\n").args(run_args(&["--format", "json"])).run();
    let run = run.code(4);
    // $0.315 per turn: the second turn passes $0.50, and no third request is sent.
    assert_eq!(claude.requests().len(), 2);
    let out = run.json();
    assert!(out["error"].as_str().unwrap().contains("`max_cost_usd`"), "{out}");
}

#[test]
fn the_wall_time_breaker_uses_the_injectable_clock() {
    let claude = FakeClaude::start([Reply::forever(|_| Reply::tool_use("toolu_x", "erp_list_clients", json!({})))]);
    let run = project(&claude, "[limits]\nmax_wall_secs = 300\n")
        .env("AGENTB_TEST_CLOCK", "2026-01-01T00:00:00Z+60s")
        .args(run_args(&[]))
        .run();
    run.code(4).stderr_contains("`max_wall_secs`").done();
    let n = claude.requests().len();
    assert!((1..6).contains(&n), "{n} requests");
}

#[test]
fn a_tool_input_naming_another_org_is_refused_before_any_erp_call() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_create_brief", json!({"data": {"title": "x", "organizationId": "beta"}})),
            ("toolu_2", "erp_list_clients", json!({"filter": {"org": "beta"}})),
        ]),
        Reply::text(&answer(&valid())),
    ]);
    let test = project(&claude, "");
    seed(&test, "beta", "clients", json!({"id": "c9", "name": "Beta Secret Client"}));
    let run = test.args(run_args(&["--approve", "t2"])).run().code(0);
    let results = tool_results(&claude.requests()[1]);
    assert_eq!(results.len(), 2);
    for (_, content, is_error) in &results {
        assert!(*is_error && content.contains("(org_isolation)") && content.contains("`beta`"), "{content}");
        assert!(!content.contains("Beta Secret Client"), "{content}");
    }
    assert!(all(&run.test, "beta", "briefs").is_empty());
    assert!(all(&run.test, "acme", "briefs").is_empty());
    let session = &session_ids(&run.test)[0];
    let proposals = run.test.path().join(format!(".agentbuilder/sessions/{session}/proposals"));
    assert_eq!(proposals.read_dir().unwrap().count(), 0, "a refused call never becomes a proposal");
}

#[test]
fn a_tool_the_permissions_do_not_grant_is_refused() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_delete_client", json!({"id": "c1"})),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude, "").args(run_args(&["--approve", "t3"])).run().code(0);
    let (_, content, is_error) = &tool_results(&claude.requests()[1])[0];
    assert!(*is_error && content.contains("(granted)") && content.contains("not granted"), "{content}");
    assert!(get(&run.test, "acme", "clients", "c1").is_some());
}

#[test]
fn a_pre_tool_use_hook_that_exits_2_denies_the_call() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_brief", json!({"data": {"id": "b1", "title": "T"}})),
        Reply::text(&answer(&valid())),
    ]);
    let hook = "[[hooks.pre_tool_use]]\nmatcher = \"erp_create_.*\"\ncommand = \"cat > hook-input.json; echo 'briefs are frozen' >&2; exit 2\"\n";
    let run = project(&claude, hook).args(run_args(&["--approve", "t2"])).run().code(0);
    let (_, content, is_error) = &tool_results(&claude.requests()[1])[0];
    assert!(*is_error && content.contains("briefs are frozen"), "{content}");
    assert!(get(&run.test, "acme", "briefs", "b1").is_none());
    let input: Value = serde_json::from_str(&run.test.read("hook-input.json")).unwrap();
    assert_eq!(input["hook_event_name"], "PreToolUse");
    assert_eq!(input["tool_name"], "erp_create_brief");
    assert_eq!(input["tool_use_id"], "toolu_1");
    assert_eq!(input["org"], "acme");
    assert_eq!(input["skill"], "brief-maker");
    assert_eq!(input["tier"], "t2");
    assert_eq!(input["tool_input"]["data"]["title"], "T");
    let session = &session_ids(&run.test)[0];
    let audit = run.test.read(&format!(".agentbuilder/sessions/{session}/audit.jsonl"));
    assert!(audit.contains("\"rule\":\"hooks.pre_tool_use[0]\""), "{audit}");
}

#[test]
fn a_pre_tool_use_hook_can_rewrite_the_input() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_brief", json!({"data": {"id": "b1", "title": "T"}})),
        Reply::text(&answer(&valid())),
    ]);
    let hook = r#"[[hooks.pre_tool_use]]
matcher = "erp_create_brief"
command = "echo '{\"updated_input\": {\"data\": {\"id\": \"b1\", \"title\": \"Rewritten\"}}}'"
"#;
    let run = project(&claude, hook).args(run_args(&["--approve", "t2"])).run().code(0);
    assert_eq!(get(&run.test, "acme", "briefs", "b1").unwrap()["title"], "Rewritten");
}

#[test]
fn output_that_fails_the_schema_gets_one_corrective_turn() {
    let claude = FakeClaude::start([Reply::text(&answer(&json!({"summary": 7}))), Reply::text(&answer(&valid()))]);
    let run = project(&claude, "").args(run_args(&[])).run().code(0);
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), valid());
    let correction = last_text(&claude.requests()[1]);
    assert!(correction.contains("does not match the skill's output schema"), "{correction}");
    assert!(correction.contains("\"brief_id\" is a required property"), "{correction}");
    assert!(correction.contains("/summary"), "{correction}");
}

#[test]
fn output_that_stays_wrong_fails_the_run_with_exit_1() {
    let claude = FakeClaude::start([Reply::text("no json at all"), Reply::text(&answer(&json!({"brief_id": 1})))]);
    let run = project(&claude, "").args(run_args(&[])).run().code(1).stderr_contains("output schema");
    assert_eq!(claude.requests().len(), 2);
    assert_eq!(all(&run.test, "acme", "agent-invocations")[0]["status"], "failed");
}

#[test]
fn resume_after_the_process_was_killed_never_runs_a_call_twice() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_get_client", json!({"id": "c1"})),
            ("toolu_2", "erp_create_brief", json!({"data": {"title": "Once"}})),
        ]),
        // The second turn hangs: the process is killed while waiting for it.
        Reply::text("never").delay(Duration::from_mins(1)),
        Reply::text(&answer(&valid())),
    ]);
    let test = project(&claude, "").args(run_args(&["--approve", "t2"]));
    let mut child =
        test.command().stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    while claude.requests().len() < 2 {
        assert!(start.elapsed() < Duration::from_secs(30), "the run never sent its second request");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(all(&test, "acme", "briefs").len(), 1);
    let session = session_ids(&test)[0].clone();
    let run = test.args(["run", "--resume", &session]).run().code(0);
    let requests = claude.requests();
    assert_eq!(requests.len(), 3);
    // The resumed request carries the same answers, not a second execution.
    assert_eq!(requests[2].messages(), requests[1].messages());
    assert_eq!(all(&run.test, "acme", "briefs").len(), 1);
    assert_eq!(all(&run.test, "acme", "agent-invocations")[0]["status"], "completed");
}

#[test]
fn dry_run_prints_the_exact_request_and_sends_nothing() {
    let claude = FakeClaude::start([]);
    let run = project(&claude, "").args(run_args(&["--dry-run"])).run().code(0);
    let request = run.json();
    assert_eq!(request["model"], "claude-sonnet-4-5");
    assert_eq!(request["tools"].as_array().unwrap().len(), 5);
    assert!(request["messages"][0]["content"][0]["text"].as_str().unwrap().contains("\"client_id\": \"c1\""));
    assert!(claude.requests().is_empty());
    assert!(session_ids(&run.test).is_empty());
}

#[test]
fn bad_input_unknown_sessions_and_disallowed_personas_are_usage_errors() {
    let claude = FakeClaude::start([]);
    let run = project(&claude, "")
        .args(["run", "brief-maker", "--org", "acme", "--input", "colour=red"])
        .run()
        .code(2)
        .stderr_contains("\"client_id\" is a required property")
        .stderr_contains("colour");
    let test =
        run.test.persona("other.md", "---\nid: other\ntype: persona\nname: Other\nallowed_skills: []\n---\n\nHi.\n");
    let run =
        test.args(run_args(&["--persona", "other"])).run().code(2).stderr_contains("may not use skill `brief-maker`");
    let run = run.test.args(["run", "--resume", "s-0000000000", "--message", "hi"]).run();
    let run = run.code(2).stderr_contains("no session `s-0000000000`").stderr_contains("never starts a new one");
    let run = run.test.args(run_args(&["--org", "nowhere"])).run();
    run.code(2).done();
    let run = project(&claude, "").args(["run", "brief-maker", "--org", "zzz", "--input", "client_id=c1"]).run();
    run.code(2).stderr_contains("org `zzz` is not an org").done();
    assert!(claude.requests().is_empty());
}

#[test]
fn the_example_brief_creator_runs_end_to_end_against_the_embedded_erp() {
    let brief = json!({"id": "b-spring", "title": "Spring campaign video", "clientId": "c1", "status": "draft"});
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_get_client", json!({"id": "c1"})),
        Reply::tool_uses(vec![
            ("toolu_2", "erp_get_knowledge", json!({"path": "standards/briefs"})),
            ("toolu_3", "erp_list_deliverables", json!({"filter": {"clientId": "c1"}})),
        ]),
        Reply::tool_use("toolu_4", "erp_create_brief", json!({"data": brief})),
        Reply::text(&answer(&json!({"draft_brief": brief, "quality_warnings": ["budget not stated"]}))),
    ]);
    let test = crate::support::Test::example()
        .file(".agentbuilder.toml", crate::support::runtime::CONFIG)
        .env("ANTHROPIC_BASE_URL", claude.url())
        .env("ANTHROPIC_API_KEY", crate::support::claude::FAKE_KEY);
    seed(&test, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    seed(&test, "acme", "knowledge", json!({"path": "standards/briefs", "body": "Every brief names an approver."}));
    seed(&test, "acme", "deliverables", json!({"id": "d1", "clientId": "c1", "title": "Autumn spot"}));
    let run = test
        .args([
            "run",
            "brief-creator",
            "--org",
            "acme",
            "--persona",
            "account-manager",
            "--input",
            r#"client_context={"id": "c1"}"#,
            "--input",
            "request_details=A 30 second spring campaign video",
            "--approve",
            "t2",
        ])
        .run()
        .code(0)
        .no_panic();
    let output: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(output["draft_brief"]["title"], "Spring campaign video");
    let results = tool_results(&claude.requests()[2]);
    assert!(results[0].1.contains("approver") && results[1].1.contains("Autumn spot"), "{results:?}");
    assert_eq!(get(&run.test, "acme", "briefs", "b-spring").unwrap()["status"], "draft");
    assert_eq!(all(&run.test, "acme", "agent-invocations")[0]["status"], "completed");
}

#[test]
fn yes_confirms_t2_calls() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_brief", json!({"data": {"id": "b1", "title": "T"}})),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude, "").args(run_args(&["--yes"])).run().code(0);
    assert!(get(&run.test, "acme", "briefs", "b1").is_some());
}

#[test]
fn a_tool_input_that_does_not_fit_its_schema_goes_back_to_the_model() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_get_client", json!({"identifier": "c1"})),
            ("toolu_2", "erp_create_brief", json!({"data": {}})),
        ]),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude, "").args(run_args(&["--approve", "t2"])).run().code(0);
    for (_, content, is_error) in tool_results(&claude.requests()[1]) {
        assert!(is_error && content.contains("(input_schema)"), "{content}");
    }
    assert!(all(&run.test, "acme", "briefs").is_empty());
}

#[test]
fn post_tool_use_hooks_see_the_response_and_a_failing_pre_hook_fails_closed() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_get_client", json!({"id": "c1"})),
            ("toolu_2", "erp_list_clients", json!({})),
        ]),
        Reply::text(&answer(&valid())),
    ]);
    let hooks = r#"
[[hooks.post_tool_use]]
matcher = "erp_get_client"
command = "grep -q 'Acme Foods' && echo 'client data is stale' >&2 && exit 2"

[[hooks.pre_tool_use]]
matcher = "erp_list_.*"
command = "echo oops >&2; exit 7"
"#;
    let run = project(&claude, hooks).args(run_args(&[])).run().code(0);
    let results = tool_results(&claude.requests()[1]);
    let (_, content, is_error) = &results[0];
    assert!(*is_error && content.contains("Acme Foods") && content.contains("client data is stale"), "{content}");
    let (_, content, is_error) = &results[1];
    assert!(
        *is_error && content.contains("failed, so the call is blocked") && content.contains("exited with 7"),
        "{content}"
    );
    run.done();
}

#[test]
fn pause_turn_is_continued_and_a_refusal_fails_the_run() {
    let claude =
        FakeClaude::start([Reply::text("Working on it").stop_reason("pause_turn"), Reply::text(&answer(&valid()))]);
    project(&claude, "").args(run_args(&[])).run().code(0).done();
    let requests = claude.requests();
    assert_eq!(requests.len(), 2);
    // The paused assistant message goes back as it is, with no user message after it.
    let last = requests[1].messages().last().unwrap();
    assert_eq!(last["role"], "assistant");
    assert_eq!(last["content"][0]["text"], "Working on it");

    let claude = FakeClaude::start([Reply::text("I cannot help with that.").stop_reason("refusal")]);
    let run = project(&claude, "").args(run_args(&[])).run().code(1).stderr_contains("the model refused");
    assert_eq!(all(&run.test, "acme", "agent-invocations")[0]["status"], "failed");
}

#[test]
fn a_refused_turn_is_dropped_so_its_cut_off_tool_call_never_runs_on_resume() {
    let claude = FakeClaude::start([
        Reply::message(json!({"content": [
            {"type": "text", "text": "Creating"},
            {"type": "tool_use", "id": "toolu_1", "name": "erp_create_brief", "input": {"data": {"id": "b1", "title": "T"}}}
        ]}))
        .stop_reason("refusal"),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude, "").args(run_args(&["--approve", "t2"])).run().code(1);
    let run = run.stderr_contains("the model refused: Creating");
    let session = session_ids(&run.test)[0].clone();
    let run = run.test.args(["run", "--resume", &session, "--message", "Try again, politely", "--approve", "t2"]).run();
    let run = run.code(0);
    assert!(all(&run.test, "acme", "briefs").is_empty(), "the refused turn's call never ran");
    let requests = claude.requests();
    assert_eq!(requests.len(), 2);
    // The resumed request carries no refused turn: the user's message follows the input.
    let messages = requests[1].messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["role"], "user");
    assert!(last_text(&requests[1]).contains("Try again, politely"));
    assert!(!requests[1].raw.contains("toolu_1"));
}

#[test]
fn resuming_a_finished_session_without_a_message_changes_nothing() {
    let claude = FakeClaude::start([Reply::text(&answer(&valid()))]);
    let run = project(&claude, "").args(run_args(&[])).run().code(0);
    let session = session_ids(&run.test)[0].clone();
    let before = all(&run.test, "acme", "agent-invocations");
    let run = run
        .test
        .args(["run", "--resume", &session])
        .run()
        .code(2)
        .stderr_contains("finished its turn and nothing changed since")
        .stderr_contains("hint: pass `--message TEXT`");
    assert_eq!(claude.requests().len(), 1, "nothing was sent");
    let after = all(&run.test, "acme", "agent-invocations");
    assert_eq!(after[0]["status"], "completed", "{after:?}");
    assert_eq!(after[0]["finishedAt"], before[0]["finishedAt"]);
    assert_eq!(after[0].get("error"), before[0].get("error"));
    let run = run.test.args(["--format", "json", "sessions", "list"]).run().code(0);
    let shown = run.json();
    assert_eq!(shown[0]["status"], "completed", "{shown}");
    // An empty message would be an empty text block, which the API refuses with a 400.
    let run = run.test.args(["run", "--resume", &session, "--message", "  "]).run().code(2);
    run.stderr_contains("`--message` is empty").done();
    assert_eq!(claude.requests().len(), 1, "nothing was sent");
}

#[test]
fn sessions_list_skips_a_damaged_session_and_lists_the_others() {
    let claude = FakeClaude::start([Reply::text(&answer(&valid())), Reply::text(&answer(&valid()))]);
    let run = project(&claude, "").args(run_args(&[])).run().code(0);
    let run = run.test.args(run_args(&[])).run().code(0);
    let ids = session_ids(&run.test);
    assert_eq!(ids.len(), 2);
    std::fs::write(run.test.path().join(format!(".agentbuilder/sessions/{}/log.jsonl", ids[0])), "{\"torn\": 1}\n")
        .unwrap();
    let run = run.test.args(["sessions", "list"]).run().code(0);
    let run =
        run.stdout_contains(&ids[1]).stdout_lacks(&ids[0]).stderr_contains(&format!("skipping session `{}`", ids[0]));
    let listed = run.test.args(["--format", "json", "sessions", "list"]).run().code(0).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
}

#[test]
fn empty_text_blocks_of_a_reply_are_not_sent_back() {
    let claude = FakeClaude::start([
        Reply::message(json!({"content": [
            {"type": "text", "text": ""},
            {"type": "tool_use", "id": "toolu_1", "name": "erp_get_client", "input": {"id": "c1"}}
        ], "stop_reason": "tool_use"})),
        Reply::message(json!({"content": [{"type": "text", "text": "  "}]})),
        Reply::text(&answer(&valid())),
    ]);
    project(&claude, "").args(run_args(&[])).run().code(0).done();
    for request in claude.requests() {
        for message in request.messages() {
            for block in message["content"].as_array().unwrap() {
                if block["type"] == "text" {
                    assert!(!block["text"].as_str().unwrap().trim().is_empty(), "{message}");
                }
            }
        }
    }
}

#[test]
fn a_tool_call_in_a_reply_cut_off_at_max_tokens_is_not_run() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_brief", json!({"data": {"id": "b1"}})).stop_reason("max_tokens"),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude, "").args(run_args(&["--approve", "t2"])).run().code(0);
    assert!(all(&run.test, "acme", "briefs").is_empty(), "a possibly cut-off call must not run");
    let results = tool_results(&claude.requests()[1]);
    assert_eq!(results.len(), 1);
    let (id, content, is_error) = &results[0];
    assert!(id == "toolu_1" && *is_error && content.contains("`max_tokens`"), "{content}");
}

#[test]
fn runs_against_a_remote_erp_over_http_and_refused_calls_send_nothing() {
    const KEY: &str = "run-test-key-5b7e1f9c0a3d";
    let server = crate::support::ErpServer::builder().key(Some(KEY)).args(&["-v"]).start();
    let erp = agentb::erp::LocalErp::open("served", &server.db()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Value::Object(client) = json!({"id": "c1", "name": "Remote Foods"}) else { unreachable!() };
    rt.block_on(agentb::erp::Erp::create(&erp, "acme", "clients", client)).unwrap();
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_get_client", json!({"id": "c1"})),
            ("toolu_2", "erp_list_clients", json!({"filter": {"organizationId": "beta"}})),
        ]),
        Reply::tool_use("toolu_3", "erp_create_brief", json!({"data": {"id": "b1", "title": "Remote brief"}})),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude, &server.instance_config("remote", "REMOTE_KEY"))
        .env("REMOTE_KEY", KEY)
        .args(run_args(&["--approve", "t2"]))
        .run()
        .code(0)
        .output_lacks(KEY);
    let results = tool_results(&claude.requests()[1]);
    assert!(results[0].1.contains("Remote Foods"), "{results:?}");
    assert!(results[1].2 && results[1].1.contains("(org_isolation)"), "{results:?}");
    let brief = rt.block_on(agentb::erp::Erp::get(&erp, "acme", "briefs", "b1")).unwrap();
    assert_eq!(brief["title"], "Remote brief");
    let log = server.log();
    let requests: Vec<&str> = log.lines().filter(|l| l.contains("request")).collect();
    assert!(requests.iter().all(|l| !l.contains("beta")), "{log}");
    assert_eq!(requests.iter().filter(|l| l.contains("/api/v1/clients")).count(), 1, "{log}");
    assert!(requests.iter().any(|l| l.contains("POST") && l.contains("/api/v1/agent-invocations")), "{log}");
    assert!(requests.iter().any(|l| l.contains("PATCH") && l.contains("/api/v1/agent-invocations/")), "{log}");
    run.done();
}

#[test]
fn string_inputs_stay_strings_and_an_empty_answer_gets_the_corrective_turn() {
    let claude = FakeClaude::start([
        Reply::message(json!({"content": [], "stop_reason": "end_turn"})),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude, "").args(["run", "brief-maker", "--org", "acme", "--input", "client_id=123"]).run();
    run.code(0).done();
    let requests = claude.requests();
    assert!(last_text(&requests[0]).contains("\"client_id\": \"123\""), "{}", last_text(&requests[0]));
    let messages = requests[1].messages();
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["content"][0]["text"], "(no content)");
    assert!(last_text(&requests[1]).contains("holds no JSON object"));
}

#[test]
fn a_disabled_skill_does_not_run() {
    let claude = FakeClaude::start([]);
    let disabled = crate::support::runtime::SKILL.replace("status: active", "status: disabled");
    let run = project(&claude, "").skill("brief-maker.md", disabled).args(run_args(&[])).run();
    run.code(2).stderr_contains("skill `brief-maker` is disabled").done();
    assert!(claude.requests().is_empty());
}
