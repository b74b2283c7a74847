//! Every real Messages API shape in `../shared/claude-api-shapes/` (recorded traffic and the
//! official SDK's fixtures), replayed through the binary: the client reads it, the runtime acts on
//! it, and the run ends with the exit code the shape calls for. Whatever the model sent goes back
//! to the API unchanged in the next request (thinking and its signature, redacted thinking,
//! server tool calls and their results, citations, unknown blocks), and every tool call is
//! answered and audited exactly once, a resend after `pause_turn` included.
//!
//! The expected blocks of a stream are assembled here by a reference written for the test (the
//! API's documented delta rules), not by the code under test.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::support::claude::SseItem;
use crate::support::runtime::{PERSONA, SKILL, answer, seed, session_ids};
use crate::support::with_claude::WithClaude as _;
use crate::support::{FakeClaude, Reply, Test};

/// Retries on; a cost limit above what the recorded turns (with their real, large usage) cost.
const CONFIG: &str = r"
[claude]
max_retries = 2
timeout_secs = 20

[limits]
max_cost_usd = 100.0
";

fn shapes_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/claude-api-shapes"));
    if dir.is_dir() {
        Some(dir.to_owned())
    } else {
        eprintln!("skipped: the Claude API shapes are not at {}", dir.display());
        None
    }
}

/// The exit code a shape calls for, as a user of `agentb run` relies on it.
fn expected_exit(name: &str) -> i32 {
    match name {
        // Retried (429 rate limit, 500, 529 with `retry-after`), then the run completes.
        "err_429_rate_limit.json" | "err_500_api_error.json" | "err_529_overloaded.json" => 0,
        // Not retried: a failed Claude call.
        n if n.starts_with("err_") => 3,
        // An `error` event in the middle of a stream fails the call.
        "error_midstream.sse" => 3,
        // The model refused: the run fails, its check found a problem.
        "refusal.json" | "refusal.sse" => 1,
        _ => 0,
    }
}

fn extension(name: &str) -> &str {
    Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or_default()
}

fn valid() -> Value {
    json!({"brief_id": "b1", "summary": "Spring video for Acme Foods"})
}

/// The reply that serves a shape file as the API sent it. An error file holds the answer's
/// `status`, `headers` and `body`; one without a `retry-after` gets `retry-after: 0`, so a retry
/// does not wait out the client's backoff.
fn reply_of(name: &str, text: &str) -> Reply {
    if extension(name) == "sse" {
        return Reply::sse(vec![SseItem::Raw(text.to_owned())]);
    }
    let file: Value = serde_json::from_str(text).expect("shape JSON");
    let Some(status) = file.get("status").and_then(Value::as_u64) else {
        return Reply::status(200).json(&file);
    };
    let mut reply = Reply::status(u16::try_from(status).unwrap()).json(&file["body"]);
    let headers = file["headers"].as_object().cloned().unwrap_or_default();
    for (header, value) in &headers {
        reply = reply.header(header, value.as_str().unwrap());
    }
    if !headers.contains_key("retry-after") {
        reply = reply.header("retry-after", "0");
    }
    reply
}

/// The content blocks of a shape as the API means them: the `content` of a JSON message, or the
/// blocks a stream builds (`None` for an error body or a stream that fails).
fn expected_blocks(name: &str, text: &str) -> Option<Vec<Value>> {
    if extension(name) == "json" {
        let body: Value = serde_json::from_str(text).ok()?;
        return body.get("content").and_then(Value::as_array).cloned();
    }
    let mut blocks: Vec<Value> = Vec::new();
    let mut inputs: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(data) = line.strip_prefix("data:") else { continue };
        let Ok(event) = serde_json::from_str::<Value>(data.trim()) else { continue };
        let index = event.get("index").and_then(Value::as_u64).map(|i| usize::try_from(i).unwrap());
        match event["type"].as_str().unwrap_or_default() {
            "error" => return None,
            "content_block_start" => {
                let index = index.unwrap();
                blocks.resize(index + 1, Value::Null);
                inputs.resize(index + 1, String::new());
                blocks[index] = event["content_block"].clone();
            }
            "content_block_delta" => {
                let index = index.unwrap();
                let delta = &event["delta"];
                let block = blocks[index].as_object_mut().unwrap();
                match delta["type"].as_str().unwrap_or_default() {
                    "text_delta" => append(block, "text", &delta["text"]),
                    "thinking_delta" => append(block, "thinking", &delta["thinking"]),
                    "signature_delta" => append(block, "signature", &delta["signature"]),
                    "input_json_delta" => inputs[index].push_str(delta["partial_json"].as_str().unwrap()),
                    "citations_delta" => block
                        .entry("citations")
                        .or_insert_with(|| json!([]))
                        .as_array_mut()
                        .unwrap()
                        .push(delta["citation"].clone()),
                    _ => {
                        for (key, value) in delta.as_object().unwrap().iter().filter(|(k, _)| *k != "type") {
                            if value.is_string() && block.get(key).is_some_and(Value::is_string) {
                                append(block, key, value);
                            } else {
                                block.insert(key.clone(), value.clone());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (block, input) in blocks.iter_mut().zip(&inputs) {
        if !input.trim().is_empty() {
            // A call cut off at `max_tokens` has no whole input: it is kept as `{}` (and not run).
            block["input"] = serde_json::from_str(input).unwrap_or_else(|_| json!({}));
        }
    }
    Some(blocks)
}

fn append(block: &mut Map<String, Value>, key: &str, piece: &Value) {
    let so_far = block.get(key).and_then(Value::as_str).unwrap_or_default();
    let joined = format!("{so_far}{}", piece.as_str().unwrap_or_default());
    block.insert(key.to_owned(), Value::String(joined));
}

/// The API refuses an empty text block in a request, so agentb leaves those out.
fn sendable(blocks: Vec<Value>) -> Vec<Value> {
    blocks
        .into_iter()
        .filter(|b| {
            !(b["type"] == "text"
                && b["text"].as_str().is_some_and(|t| t.trim().is_empty())
                && b.as_object().unwrap().len() == 2)
        })
        .collect()
}

fn tool_use_ids(blocks: &[Value]) -> Vec<String> {
    blocks.iter().filter(|b| b["type"] == "tool_use").map(|b| b["id"].as_str().unwrap().to_owned()).collect()
}

/// The audit events of the project's one session.
fn audit_events(test: &Test) -> Vec<Value> {
    let ids = session_ids(test);
    assert_eq!(ids.len(), 1, "one session: {ids:?}");
    let log = std::fs::read_to_string(test.path().join(".agentbuilder/sessions").join(&ids[0]).join("audit.jsonl"))
        .expect("audit log");
    log.lines().map(|l| serde_json::from_str(l).expect("audit line")).collect()
}

#[test]
fn every_real_api_shape_runs_to_its_exit_code_and_goes_back_unchanged() {
    let Some(dir) = shapes_dir() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("shapes folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| matches!(extension(n), "json" | "sse"))
        .collect();
    names.sort();
    assert!(names.len() >= 35, "the 35 shapes: {names:?}");
    let mut failures = Vec::new();
    for name in &names {
        if let Err(problem) = replay(&dir, name) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} shapes:\n{}", failures.len(), names.len(), failures.join("\n"));
}

/// Replays one shape as the model's first reply; every later request gets a valid final answer.
fn replay(dir: &Path, name: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())?;
    let claude = FakeClaude::start([reply_of(name, &text), Reply::forever(|_| Reply::text(&answer(&valid())))]);
    let test = Test::new()
        .skill("brief-maker.md", SKILL)
        .persona("planner.md", PERSONA)
        .file(".agentbuilder.toml", CONFIG)
        .claude(&claude);
    seed(&test, "acme", "clients", json!({"id": "c1", "name": "Acme Foods"}));
    let out =
        test.args(["run", "brief-maker", "--org", "acme", "--input", "client_id=c1", "--no-input"]).run().no_panic();
    let code = out.code.unwrap_or(-1);
    let expected = expected_exit(name);
    if code != expected {
        return Err(format!("exit {code}, expected {expected}; stderr: {}", out.stderr));
    }
    let requests = claude.requests();
    let Some(blocks) = expected_blocks(name, &text).filter(|_| code == 0) else { return Ok(()) };
    // The first request that follows the shape's reply holds it as the assistant's turn.
    let next = requests.get(1).ok_or("no request followed the shape")?;
    let sent = next.messages().get(1).ok_or("the next request has no assistant turn")?;
    if sent["role"] != "assistant" {
        return Err(format!("the next request's second message is not the model's: {sent}"));
    }
    let want = sendable(blocks);
    if sent["content"].as_array() != Some(&want) {
        return Err(format!(
            "blocks changed on the way back:\n  received {}\n  sent     {}",
            Value::Array(want),
            sent["content"]
        ));
    }
    // Every tool call is answered once, in the last request, and audited once.
    let last = requests.last().unwrap();
    let events = audit_events(&out.test);
    for id in tool_use_ids(&want) {
        let answers = last
            .messages()
            .iter()
            .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
            .filter(|b| b["type"] == "tool_result" && b["tool_use_id"] == id.as_str())
            .count();
        let audited = events.iter().filter(|e| e["event"] == "tool_call" && e["tool_use_id"] == id.as_str()).count();
        if answers != 1 || audited != 1 {
            return Err(format!("tool call {id}: answered {answers} times, audited {audited} times"));
        }
    }
    Ok(())
}
