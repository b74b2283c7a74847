//! The builders through the binary, against the fake Claude server and the project's local ERP:
//! `agentb build skill`, `agentb refine`, `agentb build form` and `agentb build workflow`, each
//! with a happy path, an invalid model answer, and a refusal by the guard.

use serde_json::{Value, json};

use crate::support::runtime::{all, last_text, project, seed, tool_results};
use crate::support::{FakeClaude, Reply, Test};

/// A new skill that lints clean in the test project.
const DEAL_SKILL: &str = "---
id: deal-summary
type: skill
version: 1.0.0
status: draft
category: deals
description: Summarizes a client's open deals.
triggers:
  - event: manual_invoke
inputs:
  - name: client_id
    type: string
    required: true
outputs:
  - name: summary
    type: string
permissions:
  - deal:read
---

# Deal Summary

## Purpose

Summarize a client's open deals for the weekly call.

## Process

1. List the client's deals with `erp_list_deals`.
2. Return a short `summary`.
";

fn fenced(text: &str) -> String {
    format!("Here is the skill:\n\n```markdown\n{text}```\n")
}

fn build_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["build", "skill", "Summarize a client's open deals"].map(str::to_owned).to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

#[test]
fn build_skill_drafts_lints_and_writes_a_clean_skill() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "agentb_list_skills", json!({})),
        Reply::text(&fenced(DEAL_SKILL)),
    ]);
    let test = project(&claude, "");
    let run = test.args(build_args(&["--yes", "--format", "json"])).run().code(0).no_panic();
    let out = run.json();
    assert_eq!((out["clean"].clone(), out["written"].clone()), (json!(true), json!(true)));
    assert_eq!(out["id"], "deal-summary");
    assert!(run.stderr.contains("Round 1/3: lint-clean"), "{}", run.stderr);
    let requests = claude.requests();
    assert_eq!(requests.len(), 2);
    let (_, listed, is_error) = &tool_results(&requests[1])[0];
    assert!(!is_error && listed.contains("brief-maker"), "{listed}");
    assert!(requests[0].body["system"].to_string().contains("skill builder"));
    let tools: Vec<&str> =
        requests[0].body["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(tools, ["agentb_list_skills", "agentb_read_skill"]);
}

#[test]
fn build_skill_feeds_an_invalid_answer_and_lint_errors_back() {
    let broken = DEAL_SKILL
        .replace("## Process\n\n1. List the client's deals with `erp_list_deals`.\n2. Return a short `summary`.\n", "");
    let claude = FakeClaude::start([
        Reply::text("I would rather describe it in prose."),
        Reply::text(&fenced(&broken)),
        Reply::text(&fenced(DEAL_SKILL)),
    ]);
    let test = project(&claude, "");
    let run = test.args(build_args(&["--yes"])).run().code(0).no_panic();
    assert!(run.stdout.contains("id: deal-summary"), "the draft is shown: {}", run.stdout);
    let test = &run.test;
    let requests = claude.requests();
    assert_eq!(requests.len(), 3);
    assert!(last_text(&requests[1]).contains("holds no skill file"), "{}", last_text(&requests[1]));
    let feedback = last_text(&requests[2]);
    assert!(feedback.contains("round 2 of 3") && feedback.contains("Process"), "{feedback}");
    assert!(test.path().join("skills/deal-summary.md").exists());
}

#[test]
fn build_skill_unclean_after_its_rounds_writes_nothing_and_exits_1() {
    let broken = DEAL_SKILL.replace("version: 1.0.0\n", "version: one\n");
    let claude = FakeClaude::start([Reply::text("no file here"), Reply::text(&fenced(&broken))]);
    let test = project(&claude, "");
    let run = test.args(build_args(&["--rounds", "2", "--yes"])).run().code(1).no_panic();
    assert!(run.stderr.contains("still not lint-clean after 2 round(s)"), "{}", run.stderr);
    assert!(run.stdout.contains("version: one"), "the last draft is shown: {}", run.stdout);
    assert!(run.stderr.contains("AB0"), "its diagnostics are shown: {}", run.stderr);
    assert!(!run.test.path().join("skills/deal-summary.md").exists());
}

#[test]
fn build_skill_tool_calls_go_through_the_guard() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_delete_brief", json!({"id": "b1"})),
            ("toolu_2", "agentb_read_skill", json!({"id": "brief-maker", "organizationId": "beta"})),
            ("toolu_3", "agentb_read_skill", json!({"id": "brief-maker"})),
        ]),
        Reply::text(&fenced(DEAL_SKILL)),
    ]);
    let test = project(&claude, "");
    test.args(build_args(&["--yes"])).run().code(0).no_panic().done();
    let results = tool_results(&claude.requests()[1]);
    assert!(results[0].2 && results[0].1.contains("(granted)"), "{results:?}");
    assert!(results[1].2 && results[1].1.contains("(org_isolation)"), "{results:?}");
    assert!(!results[2].2 && results[2].1.contains("id: brief-maker"), "{results:?}");
}

#[test]
fn build_skill_refuses_without_a_key_an_existing_id_or_a_confirmation() {
    Test::new()
        .file(".agentbuilder.toml", "")
        .args(build_args(&["--yes"]))
        .run()
        .code(2)
        .stderr_contains("ANTHROPIC_API_KEY")
        .stderr_contains("hint:")
        .done();
    let claude = FakeClaude::start([Reply::text(&fenced(DEAL_SKILL))]);
    project(&claude, "")
        .args(build_args(&["--id", "brief-maker", "--yes"]))
        .run()
        .code(2)
        .stderr_contains("already exists")
        .stderr_contains("agentb refine brief-maker")
        .done();
    assert!(claude.requests().is_empty(), "nothing was sent");
    let test = project(&claude, "");
    let run = test.args(build_args(&[])).run().code(2).stderr_contains("needs `--yes`");
    assert!(!run.test.path().join("skills/deal-summary.md").exists());
}

/// The brief maker with an optional input added: a minor change.
fn refined() -> String {
    crate::support::runtime::SKILL.replace(
        "    description: The client to draft for.\n",
        "    description: The client to draft for.\n  - name: budget\n    type: number\n    description: The budget, when known.\n",
    )
}

fn failed_invocation(test: &Test) {
    let now = jiff::Timestamp::now().to_string();
    seed(
        test,
        "acme",
        "agent-invocations",
        json!({"id": "inv1", "skillId": "brief-maker", "skillVersion": "1.0.0", "triggeredBy": "cli", "status": "failed",
               "input": {"client_id": "c1"}, "error": "the client has no budget field", "startedAt": now}),
    );
}

#[test]
fn refine_from_invocations_bumps_the_version_the_interface_diff_requires() {
    let claude = FakeClaude::start([Reply::text(&fenced(&refined()))]);
    let test = project(&claude, "");
    failed_invocation(&test);
    let run = test
        .args([
            "refine",
            "brief-maker",
            "--from-invocations",
            "--org",
            "acme",
            "--since",
            "7d",
            "--yes",
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .no_panic();
    let out = run.json();
    let test = &run.test;
    assert_eq!(
        (out["class"].clone(), out["from"].clone(), out["to"].clone()),
        (json!("minor"), json!("1.0.0"), json!("1.1.0"))
    );
    assert_eq!(out["invocations"], 1);
    assert!(out["changes"][0]["what"].as_str().unwrap().contains("budget"), "{}", out["changes"]);
    let file = test.read("skills/brief-maker.md");
    assert!(file.contains("version: 1.1.0") && file.contains("name: budget"), "{file}");
    let first = last_text(&claude.requests()[0]);
    assert!(first.contains("the client has no budget field") && first.contains("inv1"), "{first}");
}

#[test]
fn refine_feeds_an_invalid_answer_back_and_guards_its_tools() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "agentb_read_skill", json!({"id": "brief-maker", "org": "beta"})),
        Reply::text("Sure, I will improve it."),
        Reply::text(&fenced(
            &crate::support::runtime::SKILL
                .replace("Draft a brief for a client from its record.", "Draft a clear brief."),
        )),
    ]);
    let test = project(&claude, "");
    let run = test.args(["refine", "brief-maker", "--feedback", "Be clearer", "--yes"]).run().code(0).no_panic();
    assert!(
        run.stdout.contains("interface: patch: 1.0.0 → 1.0.1") && run.stdout.contains("+Draft a clear brief."),
        "{}",
        run.stdout
    );
    let test = &run.test;
    let requests = claude.requests();
    let refused = &tool_results(&requests[1])[0];
    assert!(refused.2 && refused.1.contains("(org_isolation)"), "{refused:?}");
    assert!(last_text(&requests[2]).contains("holds no skill file"));
    assert!(test.read("skills/brief-maker.md").contains("version: 1.0.1"), "a patch bump");
    Test::new()
        .file(".agentbuilder.toml", "")
        .skill("brief-maker.md", crate::support::runtime::SKILL)
        .args(["refine", "brief-maker"])
        .run()
        .code(2)
        .stderr_contains("nothing to refine")
        .done();
}

fn intake(fields: &Value) -> Value {
    json!({"data": {"name": "Client intake", "fields": fields}})
}

fn good_fields() -> Value {
    json!([{"name": "company", "label": "Company", "type": "text", "required": true},
           {"name": "budget", "label": "Budget", "type": "select", "options": ["<10k", "10k+"]}])
}

fn done() -> Reply {
    Reply::text("```json\n{\"summary\": \"designed it\", \"created\": [\"Client intake\"]}\n```")
}

#[test]
fn build_form_proposes_a_valid_template_and_creates_it_when_approved() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_list_form_templates", json!({})),
        Reply::tool_use("toolu_2", "erp_create_form_template", intake(&good_fields())),
        done(),
    ]);
    let test = project(&claude, "");
    let run = test
        .args(["build", "form", "Client intake form", "--org", "acme", "--approve", "t2", "--format", "json"])
        .run();
    let run = run.code(0).no_panic();
    let (out, test) = (run.json(), &run.test);
    assert_eq!(out["skill"], "form-designer");
    let forms = all(test, "acme", "form-templates");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0]["name"], "Client intake");
    assert!(all(test, "beta", "form-templates").is_empty());
    let invocations = all(test, "acme", "agent-invocations");
    assert_eq!(
        (invocations[0]["skillId"].clone(), invocations[0]["triggeredBy"].clone()),
        (json!("form-designer"), json!("builder"))
    );
}

#[test]
fn build_form_refuses_a_form_without_fields_and_waits_for_approval_in_ci() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_form_template", intake(&json!([]))),
        Reply::tool_use("toolu_2", "erp_create_form_template", intake(&good_fields())),
        Reply::text("The form awaits confirmation."),
    ]);
    let test = project(&claude, "");
    let run = test.args(["build", "form", "Client intake form", "--org", "acme"]).run().code(5).no_panic();
    let test = &run.test;
    let refused = &tool_results(&claude.requests()[1])[0];
    assert!(refused.2 && refused.1.contains("(shape)") && refused.1.contains("no fields"), "{refused:?}");
    assert!(all(test, "acme", "form-templates").is_empty(), "nothing is created without approval");
}

#[test]
fn build_form_tools_go_through_the_guard() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_delete_form_template", json!({"id": "f1"})),
            ("toolu_2", "erp_list_form_templates", json!({"filter": {"organizationId": "beta"}})),
        ]),
        done(),
    ]);
    let test = project(&claude, "");
    test.args(["build", "form", "Client intake form", "--org", "acme"]).run().code(0).no_panic().done();
    let results = tool_results(&claude.requests()[1]);
    assert!(results[0].2 && results[0].1.contains("(granted)"), "{results:?}");
    assert!(results[1].2 && results[1].1.contains("(org_isolation)"), "{results:?}");
}

fn trigger(slug: &str) -> Value {
    json!({"data": {"name": "Draft on request", "event": "client_request_received", "skillSlug": slug}})
}

fn deployed_skill(test: &Test) {
    seed(test, "acme", "agent-skills", json!({"slug": "brief-maker", "name": "Brief Maker", "isEnabled": true}));
}

#[test]
fn build_workflow_proposes_triggers_that_invoke_existing_skills() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_list_agent_skills", json!({})),
        Reply::tool_use("toolu_2", "erp_create_content_trigger", trigger("brief-maker")),
        done(),
    ]);
    let test = project(&claude, "");
    deployed_skill(&test);
    let run = test
        .args(["build", "workflow", "Draft a brief on each request", "--org", "acme", "--approve", "t2"])
        .run()
        .code(0)
        .no_panic();
    let triggers = all(&run.test, "acme", "content-triggers");
    assert_eq!(triggers.len(), 1);
    assert_eq!(triggers[0]["skillSlug"], "brief-maker");
}

#[test]
fn build_workflow_refuses_a_trigger_naming_a_missing_skill_and_guards_its_tools() {
    let claude = FakeClaude::start([
        Reply::tool_uses(vec![
            ("toolu_1", "erp_create_content_trigger", trigger("ghost-writer")),
            ("toolu_2", "erp_create_brief", json!({"data": {"title": "x"}})),
        ]),
        done(),
    ]);
    let test = project(&claude, "");
    deployed_skill(&test);
    let run = test
        .args(["build", "workflow", "Write ghost posts", "--org", "acme", "--approve", "t2"])
        .run()
        .code(0)
        .no_panic();
    let test = &run.test;
    let results = tool_results(&claude.requests()[1]);
    assert!(results[0].2 && results[0].1.contains("(shape)"), "{results:?}");
    assert!(results[0].1.contains("`ghost-writer`") && results[0].1.contains("brief-maker"), "{results:?}");
    assert!(results[1].2 && results[1].1.contains("(granted)"), "{results:?}");
    assert!(all(test, "acme", "content-triggers").is_empty());
}

#[test]
fn a_resumed_designer_session_keeps_its_shape_check() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "erp_create_form_template", intake(&good_fields())),
        Reply::text("The form awaits confirmation."),
    ]);
    let test = project(&claude, "");
    let run = test.args(["build", "form", "Client intake form", "--org", "acme", "--format", "json"]).run().code(5);
    let session = run.json()["session"].as_str().unwrap().to_owned();
    claude.push([
        Reply::tool_use("toolu_2", "erp_create_form_template", json!({"data": {"name": "Second", "fields": []}})),
        done(),
    ]);
    let resumed =
        run.test.args(["run", "--resume", &session, "--message", "Add an empty one too"]).run().code(0).no_panic();
    let requests = claude.requests();
    let refused = &tool_results(requests.last().unwrap())[0];
    assert!(refused.2 && refused.1.contains("(shape)") && refused.1.contains("no fields"), "{refused:?}");
    let forms = all(&resumed.test, "acme", "form-templates");
    assert_eq!(forms.len(), 1, "the first, soft-confirmed by the resume; never the empty one");
    assert_eq!(forms[0]["name"], "Client intake");
}

#[test]
fn build_skill_tool_calls_pass_the_projects_pre_tool_use_hooks() {
    let claude = FakeClaude::start([
        Reply::tool_use("toolu_1", "agentb_read_skill", json!({"id": "brief-maker"})),
        Reply::text(&fenced(DEAL_SKILL)),
    ]);
    let hook = "[[hooks.pre_tool_use]]\nmatcher = \"agentb_read_.*\"\ncommand = \"cat > hook-input.json; echo 'no peeking' >&2; exit 2\"\n";
    let test = project(&claude, hook);
    let run = test.args(build_args(&["--yes"])).run().code(0).no_panic();
    let (_, content, is_error) = &tool_results(&claude.requests()[1])[0];
    assert!(*is_error && content.contains("hooks.pre_tool_use[0]") && content.contains("no peeking"), "{content}");
    let input: Value = serde_json::from_str(&run.test.read("hook-input.json")).unwrap();
    assert_eq!(
        (input["skill"].clone(), input["tool_name"].clone()),
        (json!("skill-builder"), json!("agentb_read_skill"))
    );
}
