//! Test fixtures for the runtime's unit tests: a scripted in-process [`Model`], an in-memory ERP
//! with org `acme` and client `c1`, a small compiled skill, and the dependencies of a run.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::clock::Clock;
use super::ids::Ids;
use super::lifecycle::{RunConfig, RunDeps};
use super::session::{Session, Status, Store};
use super::{Silent, initial_message};
use crate::claude::{
    ClaudeError, ContentBlock, MessagesRequest, MessagesResponse, Model, ModelFuture, Role, StopReason, Usage,
};
use crate::compile::Artifact;
use crate::compile::artifact::ArtifactTool;
use crate::config::{Config, InstanceConfig, Tier};
use crate::erp::{Erp as _, Instance, LocalErp};

/// A model that answers from a script (the last reply repeats) and keeps every request.
pub struct Scripted {
    replies: Mutex<VecDeque<MessagesResponse>>,
    pub requests: Mutex<Vec<MessagesRequest>>,
}

impl Scripted {
    pub fn new(replies: impl IntoIterator<Item = MessagesResponse>) -> Self {
        Self { replies: Mutex::new(replies.into_iter().collect()), requests: Mutex::default() }
    }

    pub fn sent(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// Returns the text blocks of the last user message of request `i`, joined.
    pub fn last_text(&self, i: usize) -> String {
        let requests = self.requests.lock().unwrap();
        let last = requests[i].messages.last().unwrap();
        serde_json::to_string(&last.content).unwrap()
    }
}

impl Model for Scripted {
    fn send<'a>(&'a self, request: &'a MessagesRequest, _: &'a (dyn Fn(&str) + Send + Sync)) -> ModelFuture<'a> {
        Box::pin(async move {
            self.requests.lock().unwrap().push(request.clone());
            let mut replies = self.replies.lock().unwrap();
            let reply = if replies.len() > 1 { replies.pop_front() } else { replies.front().cloned() };
            Ok::<_, ClaudeError>(reply.expect("the script ran out"))
        })
    }
}

fn reply(content: Vec<ContentBlock>, stop: StopReason) -> MessagesResponse {
    MessagesResponse {
        id: "msg".to_owned(),
        model: "fake".to_owned(),
        role: Role::Assistant,
        content,
        stop_reason: Some(stop),
        stop_sequence: None,
        usage: Usage { input_tokens: 100, output_tokens: 20, ..Usage::default() },
    }
}

/// Returns a reply that calls one tool.
pub fn tool_use(id: &str, name: &str, input: Value) -> MessagesResponse {
    reply(vec![ContentBlock::tool_use(id, name, input)], StopReason::ToolUse)
}

/// Returns a reply that calls several tools.
pub fn tool_uses(calls: Vec<(&str, &str, Value)>) -> MessagesResponse {
    let blocks = calls.into_iter().map(|(id, name, input)| ContentBlock::tool_use(id, name, input)).collect();
    reply(blocks, StopReason::ToolUse)
}

/// Returns a reply of text that ends the turn.
pub fn text(text: &str) -> MessagesResponse {
    reply(vec![ContentBlock::text(text)], StopReason::EndTurn)
}

/// Returns a reply whose text is `value` in a ```json block.
pub fn answer(value: &Value) -> MessagesResponse {
    text(&format!("```json\n{value}\n```"))
}

/// Returns a valid output of [`artifact`].
pub fn valid() -> Value {
    json!({"brief_id": "b1", "summary": "done"})
}

fn tool(name: &str, tier: Tier, action: &str, collection: &str) -> ArtifactTool {
    ArtifactTool {
        name: name.to_owned(),
        description: name.to_owned(),
        tier,
        resource: collection.trim_end_matches('s').to_owned(),
        action: action.to_owned(),
        collection: collection.to_owned(),
        input_schema: json!({"type": "object"}),
    }
}

/// Returns a skill that reads clients (T1), creates briefs (T2) and deletes them (T3).
pub fn artifact(max_turns: u32) -> Artifact {
    let mut artifact: Artifact = serde_json::from_value(json!({
        "format": 1, "id": "brief-maker", "name": "Brief Maker", "version": "1.0.0", "status": "active",
        "category": "x", "description": "x", "triggers": [], "dependencies": [], "permissions": [],
        "input_schema": {"type": "object"},
        "output_schema": {"type": "object", "required": ["brief_id", "summary"],
                          "properties": {"brief_id": {"type": "string"}, "summary": {"type": "string"}}},
        "tools": [], "system_prompt": "Draft briefs.",
        "limits": {"max_turns": max_turns, "max_wall_secs": 3600, "max_cost_usd": 100.0,
                   "max_output_tokens": 1_000_000, "tier_calls": {"t1": 100, "t2": 10, "t3": 10}, "tools": {}},
        "source_hash": "", "content_hash": ""
    }))
    .unwrap();
    artifact.tools = vec![
        tool("erp_create_brief", Tier::T2, "create", "briefs"),
        tool("erp_delete_brief", Tier::T3, "delete", "briefs"),
        tool("erp_get_client", Tier::T1, "read", "clients"),
        tool("erp_list_clients", Tier::T1, "read", "clients"),
    ];
    artifact
}

/// Returns a new session of `artifact` for org `acme`, created at the clock's time.
pub fn session(ids: &Ids, clock: &Clock, artifact: Artifact) -> Session {
    let now = clock.now();
    let input = json!({"client_id": "c1"});
    Session {
        id: ids.session(),
        skill: artifact.id.clone(),
        skill_version: artifact.version.to_string(),
        org: "acme".to_owned(),
        instance: "local".to_owned(),
        persona: None,
        model: "claude-sonnet-4-5".to_owned(),
        max_tokens: 1024,
        status: Status::Running,
        created_at: now,
        updated_at: now,
        invocation_id: None,
        system: artifact.system_prompt.clone(),
        messages: vec![initial_message(&artifact.id, &input)],
        input,
        artifact,
        origin: None,
        usage: Usage::default(),
        cost_usd: 0.0,
        turns: 0,
        counters: super::guard::Counters::default(),
        corrections: 0,
        output: None,
        error: None,
    }
}

/// The world of a unit-test run: an in-memory ERP, a sessions folder in a temp dir, a fixed
/// clock, seeded ids and the default config.
pub struct World {
    _dir: tempfile::TempDir,
    pub instance: Instance,
    pub store: Store,
    pub clock: Clock,
    pub ids: Ids,
    pub config: RunConfig,
}

impl World {
    pub fn new() -> Self {
        let erp = LocalErp::in_memory("local").unwrap();
        erp.add_org("acme", "acme").unwrap();
        let Value::Object(client) = json!({"id": "c1", "name": "Acme Foods"}) else { unreachable!() };
        crate::rt::build().unwrap().block_on(erp.create("acme", "clients", client)).unwrap();
        let config =
            InstanceConfig { url: "local".to_owned(), key_env: None, orgs: None, timeout_secs: 30, max_retries: 0 };
        let instance = Instance { name: "local".to_owned(), config, erp: Arc::new(erp) };
        let dir = tempfile::tempdir().unwrap();
        let defaults = Config::default();
        let config = RunConfig {
            hooks: defaults.hooks.clone(),
            hook_dir: dir.path().to_path_buf(),
            pricing: defaults.claude.pricing.clone(),
            t2_window: std::time::Duration::from_hours(24),
            windows: std::collections::BTreeMap::new(),
            state_dir: None,
        };
        let store = Store::new(dir.path().join("sessions"));
        let clock = Clock::from_spec(Some("2026-01-01T00:00:00Z")).unwrap();
        Self { _dir: dir, instance, store, clock, ids: Ids::seeded(1), config }
    }

    /// Returns the dependencies of a run on `model`, confirming `approve` without asking.
    pub fn deps<'a>(&'a self, model: &'a dyn Model, approve: Option<Tier>) -> RunDeps<'a> {
        RunDeps {
            model,
            instance: &self.instance,
            store: &self.store,
            clock: &self.clock,
            ids: &self.ids,
            config: &self.config,
            approve,
            prompter: None,
            observer: &Silent,
            stream: false,
            interrupt: None,
            check: None,
        }
    }

    /// Returns a new session of the test skill.
    pub fn session(&self, max_turns: u32) -> Session {
        session(&self.ids, &self.clock, artifact(max_turns))
    }
}
