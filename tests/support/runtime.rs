//! Helpers for `agentb run` tests: a project with a small skill, records seeded into and read
//! from its embedded `local` ERP (the real SQLite store the binary uses), and the fake Claude.

use agentb::erp::{Erp as _, ErpExt as _, ListQuery, LocalErp, Record};
use serde_json::Value;

use super::FakeClaude;
use super::Test;
use super::with_claude::WithClaude as _;

/// A skill that reads clients and creates, updates and deletes briefs.
pub const SKILL: &str = r"---
id: brief-maker
type: skill
version: 1.0.0
status: active
category: briefs
description: Drafts a brief for a client.
triggers:
  - event: manual_invoke
inputs:
  - name: client_id
    type: string
    required: true
    description: The client to draft for.
outputs:
  - name: brief_id
    type: string
    description: The brief created.
  - name: summary
    type: string
    description: One line about it.
permissions:
  - client:read
  - brief:create
  - brief:update
  - brief:delete
---

# Brief Maker

## Purpose

Draft a brief for a client from its record.

## Process

1. Read the client with `erp_get_client`.
2. Create the brief with `erp_create_brief`.
3. Return `brief_id` and `summary`.
";

/// A persona that may use the skill.
pub const PERSONA: &str = r"---
id: planner
type: persona
name: Planner
allowed_skills:
  - brief-maker
---

You are a careful planner at an agency.
";

/// The config every run test starts from: no retries (the fake answers at once), prices for
/// the fake's model.
pub const CONFIG: &str = r#"
[claude]
max_retries = 0
timeout_secs = 20

[claude.pricing."claude-sonnet-4-5"]
input = 3.0
output = 15.0
"#;

/// Returns a project with [`SKILL`], [`PERSONA`], [`CONFIG`] plus `extra` config, pointed at
/// `claude`, with client `c1` in org `acme`.
pub fn project(claude: &FakeClaude, extra: &str) -> Test {
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .persona("planner.md", PERSONA)
        .file(".agentbuilder.toml", format!("{CONFIG}\n{extra}"))
        .claude(claude);
    seed(&test, "acme", "clients", serde_json::json!({"id": "c1", "name": "Acme Foods"}));
    test
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

fn erp(test: &Test) -> LocalErp {
    let erp = LocalErp::open("local", &test.path().join(".agentbuilder/local/erp.sqlite")).expect("open the local ERP");
    for org in ["acme", "beta", "corp", "demo"] {
        erp.add_org(org, org).expect("add org");
    }
    erp
}

/// Creates a record in the project's local ERP.
pub fn seed(test: &Test, org: &str, collection: &str, record: Value) {
    let Value::Object(record) = record else { panic!("not an object") };
    block_on(erp(test).create(org, collection, record)).expect("seed a record");
}

/// Returns a record of the project's local ERP, if it exists.
pub fn get(test: &Test, org: &str, collection: &str, id: &str) -> Option<Record> {
    block_on(erp(test).get(org, collection, id)).ok()
}

/// Returns every record of a collection.
pub fn all(test: &Test, org: &str, collection: &str) -> Vec<Record> {
    block_on(erp(test).list_all(org, collection, ListQuery::new())).expect("list")
}

/// Returns the `tool_result` blocks of a recorded request's last message, as
/// `(tool_use_id, content, is_error)`.
pub fn tool_results(request: &super::claude::Recorded) -> Vec<(String, String, bool)> {
    let last = request.messages().last().expect("a message");
    last["content"]
        .as_array()
        .expect("content")
        .iter()
        .filter(|b| b["type"] == "tool_result")
        .map(|b| {
            (
                b["tool_use_id"].as_str().unwrap_or_default().to_owned(),
                b["content"].as_str().unwrap_or_default().to_owned(),
                b["is_error"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// Returns the text of the last message of a recorded request.
pub fn last_text(request: &super::claude::Recorded) -> String {
    let last = request.messages().last().expect("a message");
    last["content"]
        .as_array()
        .expect("content")
        .iter()
        .filter_map(|b| b["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Returns the ids of the project's sessions.
pub fn session_ids(test: &Test) -> Vec<String> {
    let dir = test.path().join(".agentbuilder/sessions");
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    ids.sort();
    ids
}

/// Returns the output text as a final answer in a fenced block.
pub fn answer(value: &Value) -> String {
    format!("Done.\n```json\n{}\n```", serde_json::to_string_pretty(value).expect("json"))
}
