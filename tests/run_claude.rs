//! `agentb run` and the Claude API, through the binary: retries (429 then 529 then success), no
//! retry on a 400 or a spend limit, an SSE `error` event, a missing key or unreachable API, and
//! the API key never appearing in output, session files, the audit log, the invocation or errors.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::claude::{FAKE_KEY, SseItem};
use crate::support::runtime::{PERSONA, SKILL, all, answer, seed, session_ids};
use crate::support::with_claude::WithClaude as _;
use crate::support::{FakeClaude, Reply, Test};

/// Retries on (`backon` delays are long, so only an honored `retry-after` keeps the tests quick).
const CONFIG: &str = r#"
[claude]
max_retries = 3
timeout_secs = 20

[claude.pricing."claude-sonnet-4-5"]
input = 3.0
output = 15.0
"#;

fn project(claude: &FakeClaude) -> Test {
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .persona("planner.md", PERSONA)
        .file(".agentbuilder.toml", CONFIG)
        .claude(claude);
    seed(&test, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    test
}

fn run_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> =
        ["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"].map(str::to_owned).to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn valid() -> Value {
    json!({"brief_id": "b1", "summary": "Spring video for Acme Foods"})
}

/// Returns every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn run_retries_429_then_529_then_succeeds() {
    let claude = FakeClaude::start([
        Reply::error(429, "rate_limit_error", "Number of requests has exceeded your rate limit")
            .header("retry-after", "0"),
        Reply::error(529, "overloaded_error", "Overloaded").header("retry-after", "0"),
        Reply::tool_use("toolu_1", "erp_get_client", json!({"id": "c1"})),
        Reply::error(500, "api_error", "Internal server error").header("retry-after", "0"),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude).args(run_args(&["--format", "json", "-v"])).run().code(0).no_panic();
    assert!(run.stderr.contains("retrying the Claude request"), "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["status"], "completed");
    assert_eq!(out["output"], valid());
    assert_eq!(out["turns"], 2, "retries are not turns");
    let requests = claude.requests();
    assert_eq!(requests.len(), 5);
    // A retry resends the same request.
    assert_eq!(requests[0].body, requests[2].body);
    assert_eq!(requests[3].body, requests[4].body);
}

#[test]
fn run_does_not_retry_a_400() {
    let claude = FakeClaude::start([
        Reply::error(400, "invalid_request_error", "messages: roles must alternate"),
        Reply::text(&answer(&valid())),
    ]);
    let run = project(&claude)
        .args(run_args(&[]))
        .run()
        .code(3)
        .no_panic()
        .stderr_contains("error: ")
        .stderr_contains("400")
        .stderr_contains("invalid_request_error")
        .stderr_contains("roles must alternate")
        .stderr_contains(claude.url());
    assert_eq!(claude.requests().len(), 1, "a 400 must not be retried");
    let invocations = all(&run.test, "acme", "agent-invocations");
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0]["status"], "failed");
}

#[test]
fn run_does_not_retry_a_spend_limit_429() {
    let claude = FakeClaude::start([
        Reply::status(429).header("retry-after", "0").json(&json!({
            "type": "error",
            "error": {
                "type": "rate_limit_error",
                "message": "You have reached your organization's monthly spend limit.",
                "details": {"error_code": "enforced_spend_limit_reached"}
            }
        })),
        Reply::text(&answer(&valid())),
    ]);
    project(&claude)
        .args(run_args(&[]))
        .run()
        .code(3)
        .no_panic()
        .stderr_contains("spend limit")
        .stderr_contains("hint: raise the spend limit")
        .done();
    assert_eq!(claude.requests().len(), 1, "a spend-limit 429 must not be retried");
}

#[test]
fn run_fails_on_an_sse_error_event() {
    let start = json!({"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5",
        "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 1}
    }});
    let claude = FakeClaude::start([Reply::sse(vec![
        SseItem::event("message_start", &start),
        SseItem::event("ping", &json!({"type": "ping"})),
        SseItem::event(
            "error",
            &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
    ])]);
    let run = project(&claude)
        .args(run_args(&[]))
        .run()
        .code(3)
        .no_panic()
        .stderr_contains("stream failed")
        .stderr_contains("overloaded_error");
    assert_eq!(claude.requests().len(), 1, "a stream that began is not retried");
    assert_eq!(all(&run.test, "acme", "agent-invocations")[0]["status"], "failed");
}

#[test]
fn run_tolerates_unknown_sse_events_and_blocks() {
    let message = crate::support::claude::complete_message(json!({
        "content": [{"type": "text", "text": answer(&valid())}],
        "stop_reason": "end_turn"
    }));
    let mut items = crate::support::claude::events_of(&message);
    items.insert(1, SseItem::event("brand_new_event", &json!({"type": "brand_new_event", "x": 1})));
    let claude = FakeClaude::start([Reply::sse(items)]);
    let out = project(&claude).args(run_args(&["--format", "json"])).run().code(0).no_panic().json();
    assert_eq!(out["output"], valid());
}

#[test]
fn a_missing_api_key_is_a_usage_error_naming_the_variable() {
    let claude = FakeClaude::start([Reply::text(&answer(&valid()))]);
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .file(".agentbuilder.toml", CONFIG)
        .env("ANTHROPIC_BASE_URL", claude.url());
    seed(&test, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    test.args(run_args(&[]))
        .run()
        .code(2)
        .no_panic()
        .stderr_contains("`ANTHROPIC_API_KEY`")
        .stderr_contains("hint: export `ANTHROPIC_API_KEY`")
        .done();
    assert!(claude.requests().is_empty());
}

#[test]
fn an_unreachable_api_fails_with_exit_3_and_a_hint() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .file(".agentbuilder.toml", CONFIG.replace("max_retries = 3", "max_retries = 0"))
        .env("ANTHROPIC_BASE_URL", &url)
        .env("ANTHROPIC_API_KEY", FAKE_KEY);
    seed(&test, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    test.args(run_args(&[]))
        .run()
        .code(3)
        .no_panic()
        .stderr_contains("cannot reach the Claude API")
        .stderr_contains(&url)
        .stderr_contains("hint: ")
        .output_lacks(FAKE_KEY)
        .done();
}

#[test]
fn a_password_in_the_base_url_never_appears_in_errors_or_logs() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .file(".agentbuilder.toml", CONFIG.replace("max_retries = 3", "max_retries = 0"))
        .env("ANTHROPIC_BASE_URL", &format!("http://proxy:gateway-sekrit-42@127.0.0.1:{port}"))
        .env("ANTHROPIC_API_KEY", FAKE_KEY);
    seed(&test, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    let run = test.args(run_args(&["-vvv"])).run().code(3).no_panic();
    let run = run.stderr_contains(&format!("http://proxy:***@127.0.0.1:{port}")).output_lacks("gateway-sekrit-42");
    assert!(files_containing(run.test.path(), "gateway-sekrit-42").is_empty());
}

#[test]
fn the_api_key_never_appears_in_output_session_files_audit_or_errors() {
    // A successful run with tracing at its most verbose, then a failing run whose server echoes
    // the key back in its error message.
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_get_client", json!({"id": "c1"})),
        Reply::tool_use(
            "toolu_2",
            "erp_create_brief",
            json!({"data": {"id": "b1", "title": "Spring", "clientId": "c1"}}),
        ),
        Reply::text(&answer(&valid())),
        Reply::from_fn(|r| {
            let key = r.header("x-api-key").unwrap_or_default().to_owned();
            Reply::error(401, "authentication_error", &format!("invalid x-api-key: {key}"))
        }),
    ]);
    let run = project(&claude)
        .args(run_args(&["--approve", "t2", "--format", "json", "-vvv"]))
        .run()
        .code(0)
        .no_panic()
        .output_lacks(FAKE_KEY)
        .output_lacks("SECRET");
    assert_eq!(claude.requests()[0].header("x-api-key"), Some(FAKE_KEY), "the key was sent");
    let test = run.test;
    let failed = test
        .args(run_args(&["-vvv"]))
        .run()
        .code(3)
        .no_panic()
        .stderr_contains("authentication_error")
        .stderr_contains("[redacted]")
        .output_lacks(FAKE_KEY)
        .output_lacks("SECRET");
    let test = failed.test;
    let sessions = session_ids(&test);
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    // Session ids are time-ordered: the first is the successful run, whose audit log has entries.
    let audit = test.read(&format!(".agentbuilder/sessions/{}/audit.jsonl", sessions[0]));
    assert!(audit.contains("tool_call"), "{audit}");
    // The scan reaches the session files (the conversation in `log.jsonl`) and the ERP database
    // (they hold the client's name).
    let scanned = files_containing(test.path(), "Acme Foods");
    assert!(
        scanned.iter().any(|f| f.contains("/sessions/")) && scanned.iter().any(|f| f.contains("erp.sqlite")),
        "{scanned:?}"
    );
    let leaks = files_containing(test.path(), "SECRET");
    assert!(leaks.is_empty(), "the key was written to {leaks:?}");
    let invocations = all(&test, "acme", "agent-invocations");
    assert_eq!(invocations.len(), 2);
    assert!(!serde_json::to_string(&invocations).unwrap().contains("SECRET"));
    assert!(invocations.iter().any(|i| i["status"] == "failed"));
}

/// Nothing the model sends ends a run with exit 3 or leaves the invocation `running`: an input
/// over 64 KiB (rule `input_size`), or an id the ERP cannot take (rule `record_id`), is an
/// `is_error` tool result, and a long tool result is cut with a note.
#[test]
fn oversized_inputs_and_ids_are_errors_for_the_model_and_long_results_are_cut() {
    const KEY: &str = "run-claude-test-key-0123456789";
    let server = crate::support::ErpServer::start(KEY);
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_get_client", json!({"id": "x".repeat(70_000)})),
            ("toolu_2", "erp_get_client", json!({"id": "y".repeat(60_000)})),
            ("toolu_3", "erp_list_clients", json!({})),
        ]),
        Reply::tool_use("toolu_4", "erp_get_client", json!({"id": "z".repeat(1024 * 1024)})),
        Reply::text(&answer(&valid())),
    ]);
    let config = format!(
        "{CONFIG}\n[limits]\nmax_tool_result_bytes = 2000\n\n{}",
        server.instance_config("remote", "REMOTE_KEY")
    );
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .persona("planner.md", PERSONA)
        .file(".agentbuilder.toml", config)
        .env("REMOTE_KEY", KEY)
        .claude(&claude);
    let erp = agentb::erp::HttpErp::new(
        "check",
        server.url(),
        Some(agentb::erp::Secret::new(KEY)),
        agentb::erp::HttpOptions::default(),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use agentb::erp::Erp as _;
        for i in 0..20 {
            let record = json!({"id": format!("c{i}"), "name": "N".repeat(500)});
            let serde_json::Value::Object(record) = record else { unreachable!() };
            erp.create("acme", "clients", record).await.unwrap();
        }
    });
    let run = test.args(run_args(&[])).run().code(0);
    let results = crate::support::runtime::tool_results(&claude.requests()[1]);
    assert_eq!(results.len(), 3);
    assert!(results[0].2 && results[0].1.contains("(input_size)"), "{:?}", results[0]);
    assert!(results[1].2 && results[1].1.contains("(record_id)"), "{:?}", &results[1].1[..200]);
    let (_, listed, is_error) = &results[2];
    assert!(!is_error);
    assert!(
        listed.contains("[agentb cut this tool result: it was ")
            && listed.contains("more than `limits.max_tool_result_bytes` (2000)"),
        "{listed}"
    );
    assert!(listed.len() < 2400, "{}", listed.len());
    let results = crate::support::runtime::tool_results(&claude.requests()[2]);
    assert!(results[0].2 && results[0].1.contains("(input_size)"), "{:?}", results[0]);
    // An http instance keeps the session in the ERP; this machine's folder holds its cache.
    let cache = run.test.path().join(".agentbuilder/sessions/remote/remote");
    let session = std::fs::read_dir(&cache).unwrap().next().unwrap().unwrap().path();
    let audit = std::fs::read_to_string(session.join("audit.jsonl")).unwrap();
    assert_eq!(
        audit.matches("\"decision\":\"refuse\",\"rule\":\"input_size\"").count(),
        2,
        "{}",
        &audit[..audit.len().min(2000)]
    );
    let invocations = rt.block_on(async {
        use agentb::erp::ErpExt as _;
        erp.list_all("acme", "agent-invocations", agentb::erp::ListQuery::new()).await.unwrap()
    });
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0]["status"], "completed");
}

/// `max_wall_secs` cuts a model request that hangs: exit 4 (the breaker), not a late exit 3.
#[test]
fn max_wall_secs_cuts_a_hung_model_request() {
    let delay = std::time::Duration::from_secs(30);
    let claude = FakeClaude::start([Reply::text(&answer(&valid())).delay(delay)]);
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .persona("planner.md", PERSONA)
        .file(".agentbuilder.toml", format!("{CONFIG}\n[limits]\nmax_wall_secs = 2\n"))
        .claude(&claude);
    seed(&test, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    let started = std::time::Instant::now();
    let run = test.args(run_args(&[])).run().code(4).stderr_contains("max_wall_secs");
    assert!(started.elapsed() < delay, "it did not wait for the reply ({:?})", started.elapsed());
    let invocations = all(&run.test, "acme", "agent-invocations");
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0]["status"], "failed");
    assert!(invocations[0]["error"].as_str().unwrap_or_default().contains("max_wall_secs"), "{:?}", invocations[0]);
    let session = &session_ids(&run.test)[0];
    run.test.args(["--format", "json", "sessions", "show", session]).run().code(0).done();
}
