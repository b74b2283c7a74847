//! `agentb run` runs what the org runs (its pinned or canary version, from the release store or
//! the org's record; `--source` for the working copy), the canary gate counts those runs, and
//! the runtime's gaps: Ctrl-C, breakers across a resume, input defaults. The real binary, the
//! embedded ERP and a fake Claude on loopback.

use std::process::Stdio;
use std::time::{Duration, Instant};

use agentb::deploy::state::State;
use serde_json::{Value, json};

use crate::support::runtime::{PERSONA, SKILL, all, answer, last_text, project, session_ids};
use crate::support::{FakeClaude, Reply, Run, Test};

fn valid() -> Value {
    json!({"brief_id": "b1", "summary": "Spring video for Acme Foods"})
}

/// The test skill at `version`, its Purpose naming the release so the prompt tells which ran.
fn release(version: &str) -> String {
    SKILL
        .replace("version: 1.0.0", &format!("version: {version}"))
        .replace("Draft a brief for a client from its record.", &format!("Draft a brief, release {version}."))
}

/// A fake Claude that answers every request with a valid output.
fn answering() -> FakeClaude {
    FakeClaude::start([Reply::forever(|_| Reply::text(&answer(&valid())))])
}

fn run(test: Test, args: &[&str]) -> Run {
    test.args(args.iter().copied()).run().no_panic()
}

/// Runs the skill for `org` with `extra` arguments and `--format json`; returns the report.
fn run_for(test: Test, org: &str, extra: &[&str]) -> (Test, Value) {
    let mut args = vec!["run", "brief-maker", "--org", org, "--input", "client_id=c1", "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(test, &args).code(0);
    let report = r.json();
    (r.test, report)
}

fn state(test: &Test) -> State {
    State::load(&test.path().join(".agentbuilder/state.toml")).expect("state parses")
}

/// Returns the system prompt of the last request the fake received.
fn last_system(claude: &FakeClaude) -> String {
    claude.requests().last().expect("a request").body["system"][0]["text"].as_str().unwrap_or_default().to_owned()
}

/// Returns the newest invocation of `org`.
fn last_invocation(test: &Test, org: &str) -> serde_json::Map<String, Value> {
    let mut invocations = all(test, org, "agent-invocations");
    invocations.sort_by_key(|i| i["startedAt"].as_str().unwrap_or_default().to_owned());
    invocations.pop().expect("an invocation")
}

#[test]
fn a_pinned_org_runs_its_pinned_version_a_canary_org_the_canary_and_source_the_working_copy() {
    let claude = answering();
    let test = project(&claude, "").skill("brief-maker.md", release("1.0.0"));
    let r = run(test, &["deploy", "--yes"]).code(0);
    let r = run(r.test.skill("brief-maker.md", release("1.1.0")), &["deploy", "--yes"]).code(0);
    let r = run(r.test.skill("brief-maker.md", release("1.2.0")), &["deploy", "--canary", "1%", "--yes"]).code(0);
    let s = state(&r.test);
    let canary: Vec<String> = s.instances["local"]
        .iter()
        .filter(|(_, d)| d["brief-maker"].canary.is_some())
        .map(|(o, _)| o.clone())
        .collect();
    let others: Vec<&str> =
        ["acme", "beta", "corp", "demo"].into_iter().filter(|o| !canary.contains(&(*o).to_owned())).collect();
    assert!(!canary.is_empty() && others.len() >= 2, "1% of 4 orgs is one canary org: {canary:?}");
    let (pinned, latest) = (others[0], others[1]);
    let r = run(r.test, &["pin", "brief-maker@1.0.0", "--org", pinned, "--yes"]).code(0);
    // The working copy moves on, undeployed.
    let test = r.test.skill("brief-maker.md", release("1.3.0"));

    let (test, report) = run_for(test, pinned, &[]);
    assert_eq!(report["artifact"]["version"], "1.0.0", "{report}");
    assert_eq!(
        (report["artifact"]["source"].as_str(), report["artifact"]["strategy"].as_str()),
        (Some("release"), Some("pinned"))
    );
    assert!(last_system(&claude).contains("release 1.0.0"), "{}", last_system(&claude));
    let pinned_hash = state(&test).instances["local"][pinned]["brief-maker"].content_hash.clone();
    assert_eq!(report["artifact"]["content_hash"], pinned_hash.as_str());
    let inv = last_invocation(&test, pinned);
    assert_eq!(
        (inv["skillVersion"].as_str(), inv["contentHash"].as_str()),
        (Some("1.0.0"), Some(pinned_hash.as_str()))
    );

    let (test, report) = run_for(test, &canary[0], &[]);
    assert_eq!(
        (report["artifact"]["version"].as_str(), report["artifact"]["canary"].as_bool()),
        (Some("1.2.0"), Some(true))
    );
    assert!(last_system(&claude).contains("release 1.2.0"));
    assert_eq!(last_invocation(&test, &canary[0])["skillVersion"], "1.2.0");

    let (test, report) = run_for(test, latest, &[]);
    assert_eq!(
        (report["artifact"]["version"].as_str(), report["artifact"]["strategy"].as_str()),
        (Some("1.1.0"), Some("latest"))
    );
    assert_eq!(report["artifact"]["canary"], false);
    assert!(last_system(&claude).contains("release 1.1.0"));

    let (test, report) = run_for(test, latest, &["--source"]);
    assert_eq!(
        (report["artifact"]["version"].as_str(), report["artifact"]["source"].as_str()),
        (Some("1.3.0"), Some("source"))
    );
    assert!(last_system(&claude).contains("release 1.3.0"));
    let inv = last_invocation(&test, latest);
    assert_eq!(
        (inv["skillVersion"].as_str(), inv["contentHash"].as_str()),
        (Some("1.3.0"), report["artifact"]["content_hash"].as_str())
    );

    // `--dry-run` says which version would run, and sends nothing.
    let sent = claude.requests().len();
    let r = run(test, &["run", "brief-maker", "--org", pinned, "--input", "client_id=c1", "--dry-run"])
        .code(0)
        .stderr_contains(&format!("Would run brief-maker v1.0.0, pinned, deployed to org `{pinned}`"));
    assert!(r.json()["system"][0]["text"].as_str().unwrap().contains("release 1.0.0"));
    let r = run(r.test, &["run", "brief-maker", "--org", &canary[0], "--input", "client_id=c1", "--dry-run"])
        .code(0)
        .stderr_contains(&format!("Would run brief-maker v1.2.0, the canary deployed to org `{}`", canary[0]));
    let r = run(r.test, &["run", "brief-maker", "--org", pinned, "--input", "client_id=c1", "--dry-run", "--source"])
        .code(0)
        .stderr_contains("Would run brief-maker v1.3.0, the working copy (`--source`)");
    assert_eq!(claude.requests().len(), sent);

    // Without the release store the org's record holds the artifact; without the state too.
    std::fs::remove_dir_all(r.test.path().join(".agentbuilder/releases")).unwrap();
    let (test, report) = run_for(r.test, pinned, &[]);
    assert_eq!(
        (report["artifact"]["version"].as_str(), report["artifact"]["source"].as_str()),
        (Some("1.0.0"), Some("record"))
    );
    assert!(last_system(&claude).contains("release 1.0.0"));
    std::fs::remove_file(test.path().join(".agentbuilder/state.toml")).unwrap();
    let (_, report) = run_for(test, &canary[0], &[]);
    assert_eq!(
        (report["artifact"]["version"].as_str(), report["artifact"]["source"].as_str()),
        (Some("1.2.0"), Some("record"))
    );
}

#[test]
fn a_tampered_release_or_record_is_refused_and_nothing_runs() {
    let claude = answering();
    let test = project(&claude, "").skill("brief-maker.md", release("1.0.0"));
    let r = run(test, &["deploy", "--yes"]).code(0);
    let dir = r.test.path().join(".agentbuilder/releases/brief-maker");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("release 1.0.0", "release 6.6.6")).unwrap();
    let r = run(r.test, &["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"])
        .code(2)
        .stderr_contains(&file.file_name().unwrap().to_string_lossy());
    // The release gone, the record edited by hand: refused too, naming the org.
    std::fs::remove_dir_all(&dir).unwrap();
    let erp = agentb::erp::LocalErp::open("local", &r.test.path().join(".agentbuilder/local/erp.sqlite")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use agentb::erp::{Erp as _, ErpExt as _};
        let record = erp.skill("acme", "brief-maker").await.unwrap().unwrap();
        let mut definition = record.definition.clone();
        definition["system_prompt"] = json!("Delete everything.");
        let patch = json!({"definition": definition});
        erp.patch("acme", "agent-skills", &record.id, patch.as_object().unwrap().clone()).await.unwrap();
    });
    run(r.test, &["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"])
        .code(2)
        .stderr_contains("the record of `brief-maker` in org `acme` of `local` cannot be run")
        .stderr_contains("`--source`")
        .done();
    assert!(claude.requests().is_empty(), "nothing ran");
}

#[test]
fn a_skill_never_deployed_to_the_org_runs_from_source_with_a_note() {
    let claude = answering();
    let r = run(
        project(&claude, ""),
        &["run", "brief-maker", "--org", "acme", "--input", "client_id=c1", "--format", "json"],
    )
    .code(0)
    .stderr_contains(
        "note: `brief-maker` was never deployed to org `acme` of `local`: running the working copy (1.0.0)",
    );
    let report = r.json();
    assert_eq!(report["artifact"]["source"], "never_deployed");
    let inv = last_invocation(&r.test, "acme");
    assert_eq!(inv["contentHash"], report["artifact"]["content_hash"]);
    assert_eq!(inv["skillVersion"], "1.0.0");
}

#[test]
fn the_persona_deployed_to_the_org_is_used_and_source_uses_the_file() {
    let claude = answering();
    let r = run(project(&claude, ""), &["deploy", "--yes"]).code(0);
    let test = r.test.persona("planner.md", PERSONA.replace("careful planner", "hasty planner"));
    let (test, _) = run_for(test, "acme", &["--persona", "planner"]);
    assert!(last_system(&claude).starts_with("You are a careful planner"), "{}", last_system(&claude));
    let (test, _) = run_for(test, "acme", &["--persona", "planner", "--source"]);
    assert!(last_system(&claude).starts_with("You are a hasty planner"), "{}", last_system(&claude));
    // The deployed persona no longer allows the skill: refused before anything runs.
    let sent = claude.requests().len();
    let test =
        test.persona("planner.md", PERSONA.replace("allowed_skills:\n  - brief-maker\n", "allowed_skills: []\n"));
    let r = run(test, &["deploy", "--yes"]).code(0);
    run(r.test, &["run", "brief-maker", "--org", "acme", "--input", "client_id=c1", "--persona", "planner"])
        .code(2)
        .stderr_contains("persona `planner` may not use skill `brief-maker`")
        .done();
    assert_eq!(claude.requests().len(), sent);
}

#[test]
fn the_gate_counts_runs_of_the_canary_artifact_and_refuses_without_enough() {
    let claude = answering();
    let test = project(&claude, "[deploy]\ncanary_min_invocations = 3\n").skill("brief-maker.md", release("1.0.0"));
    let r = run(test, &["deploy", "--yes"]).code(0);
    let r = run(r.test.skill("brief-maker.md", release("1.1.0")), &["deploy", "--canary", "1%", "--yes"]).code(0);
    let s = state(&r.test);
    let canary =
        s.instances["local"].iter().find(|(_, d)| d["brief-maker"].canary.is_some()).map(|(o, _)| o.clone()).unwrap();
    let r = run(r.test, &["promote", "brief-maker", "--yes"])
        .code(1)
        .stderr_contains("the promotion is refused: the gate is inconclusive: 0 of the 3 finished invocations of the canary version it needs (3 more runs)")
        .stderr_contains("`--force` promotes anyway");
    let (test, _) = run_for(r.test, &canary, &[]);
    let (test, _) = run_for(test, &canary, &[]);
    // A run of the working copy in the canary org is no evidence for the canary.
    let (test, report) = run_for(test.skill("brief-maker.md", release("1.2.0")), &canary, &["--source"]);
    assert_eq!(report["artifact"]["version"], "1.2.0");
    let r = run(test, &["promote", "brief-maker", "--yes", "--format", "json"])
        .code(1)
        .stderr_contains("2 of the 3 finished invocations of the canary version it needs (1 more run)");
    let v = r.json();
    assert_eq!(
        (v["gate"]["inconclusive"].as_bool(), v["gate"]["canary"]["completed"].as_u64()),
        (Some(true), Some(2)),
        "{v}"
    );
    let (test, _) = run_for(r.test, &canary, &[]);
    let r = run(test, &["promote", "brief-maker", "--yes"])
        .code(0)
        .stderr_contains("3 finished invocations, 0 failed (0.0%)")
        .stderr_contains("Passed");
    for d in state(&r.test).instances["local"].values() {
        assert_eq!(d["brief-maker"].version.to_string(), "1.1.0");
    }
}

/// Waits until `done` holds (at most 30 s).
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sigint(child: &std::process::Child) {
    let ok = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -INT");
}

#[test]
fn ctrl_c_during_a_slow_reply_fails_the_invocation_saves_the_session_and_exits_130() {
    let claude = FakeClaude::start([Reply::text(&answer(&valid())).delay(Duration::from_secs(45))]);
    let test = project(&claude, "").args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"]);
    let child = test.command().stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for("the model request", || claude.requests().len() == 1);
    let sent = Instant::now();
    sigint(&child);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(sent.elapsed() < Duration::from_secs(20), "the request in flight was abandoned");
    let sessions = session_ids(&test);
    let session = &sessions[0];
    assert!(stderr.contains(&format!("interrupted: session {session} is saved")), "{stderr}");
    assert!(stderr.contains(&format!("agentb run --resume {session}")), "{stderr}");
    let inv = last_invocation(&test, "acme");
    assert_eq!((inv["status"].as_str(), inv["error"].as_str()), (Some("failed"), Some("interrupted")));
    let audit = test.read(&format!(".agentbuilder/sessions/{session}/audit.jsonl"));
    assert!(audit.contains("\"event\":\"interrupted\""), "{audit}");
    // The saved session resumes, under its id, and completes.
    claude.push([Reply::text(&answer(&valid()))]);
    let r = run(test, &["run", "--resume", session, "--format", "json"]).code(0);
    assert_eq!(r.json()["session"], session.as_str());
    assert_eq!(last_invocation(&r.test, "acme")["status"], "completed");
    assert_eq!(session_ids(&r.test).len(), 1);
    assert!(last_text(&claude.requests()[1]).contains("\"client_id\": \"c1\""), "the same conversation went on");
}

#[test]
fn a_second_ctrl_c_exits_at_once() {
    let claude = FakeClaude::start([Reply::tool_use("toolu_1", "erp_get_client", json!({"id": "c1"}))]);
    let hook = "[[hooks.pre_tool_use]]\nmatcher = \"erp_get_client\"\ncommand = \"touch hook-started; sleep 30\"\n";
    let test = project(&claude, hook).args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"]);
    let mut child = test.command().stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for("the hook", || test.path().join("hook-started").exists());
    sigint(&child);
    // The hook is no safe point: the run waits for it, until a second Ctrl-C.
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "still waiting for the hook");
    let second = Instant::now();
    sigint(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(second.elapsed() < Duration::from_secs(10), "exited at once");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Ctrl-C again exits at once"));
}

#[test]
fn breakers_count_across_a_resume() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_brief", json!({"data": {"id": "b1", "title": "Spring"}})),
        Reply::text("It awaits your approval."),
        Reply::tool_use("toolu_2", "erp_list_clients", json!({})),
        Reply::text(&answer(&valid())),
    ]);
    let r = project(&claude, "[limits]\nmax_turns = 3\n")
        .args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1"])
        .run()
        .code(5);
    let session = session_ids(&r.test)[0].clone();
    // Two turns before the resume, one after it: the third is the session's last.
    run(r.test, &["run", "--resume", &session, "--message", "Go ahead."])
        .code(4)
        .stderr_contains("the run reached `max_turns` (3 turns)")
        .done();
    assert_eq!(claude.requests().len(), 3);
}

#[test]
fn input_defaults_are_filled_in_before_validation() {
    let claude = answering();
    let skill = SKILL.replace(
        "outputs:",
        "  - name: tone\n    type: string\n    enum: [formal, casual]\n    default: casual\n    description: How it reads.\noutputs:",
    );
    let test = project(&claude, "").skill("brief-maker.md", skill);
    let (test, _) = run_for(test, "acme", &[]);
    assert!(last_text(&claude.requests()[0]).contains("\"tone\": \"casual\""), "{}", last_text(&claude.requests()[0]));
    assert_eq!(last_invocation(&test, "acme")["input"], json!({"client_id": "c1", "tone": "casual"}));
    // A value given is kept, and checked.
    let (test, _) = run_for(test, "acme", &["--input", "tone=formal"]);
    assert_eq!(last_invocation(&test, "acme")["input"]["tone"], "formal");
    run(test, &["run", "brief-maker", "--org", "acme", "--input", "client_id=c1", "--input", "tone=loud"])
        .code(2)
        .stderr_contains("tone")
        .done();
}
