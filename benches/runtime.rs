//! The runtime's own cost (SPEC §8): a guard decision, and the overhead of one tool call in the
//! loop — guard, journal, audit log, session save, request building — with the model and the ERP
//! replaced by in-process fakes that answer at once, so neither's latency is counted. The peak
//! memory of a 100-turn session is measured on the real binary by `scripts/runtime-memory.sh`;
//! see BENCHMARKS.md.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use agentb::claude::{ContentBlock, MessagesRequest, MessagesResponse, Model, ModelFuture, Role, StopReason, Usage};
use agentb::compile::artifact::{Artifact, ArtifactTool};
use agentb::config::{Config, Tier, ToolLimit};
use agentb::erp::{Erp, ErpFuture, ListQuery, Organization, Page, Record, Upserted};
use agentb::runtime::clock::Clock;
use agentb::runtime::guard::{Counters, Guard, Meter, Verdict};
use agentb::runtime::hooks::{Event, Hooks};
use agentb::runtime::session::{Session, Status, Store};
use agentb::runtime::{Ending, Runtime, initial_message};
use agentb::settings::Project;
use agentb::skill::parse::ParseContext;
use agentb::skill::project;

/// The compiled `client-analyzer` skill of the example project (read tools only: T1).
fn artifact() -> Artifact {
    let project = Project::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")), None, Config::default());
    let ctx = ParseContext::new(&project.config);
    let ws = project::load(&project).expect("example project loads");
    let skills: Vec<_> = ws.skills.iter().filter(|s| s.id.value == "client-analyzer").collect();
    let mut artifacts = agentb::compile::artifacts(&ws, &ctx, &skills);
    artifacts.pop().expect("client-analyzer compiles")
}

fn guard_decision(c: &mut Criterion) {
    let artifact = artifact();
    let mut limits = artifact.limits.clone();
    limits.tools.insert("erp_get_client".to_owned(), ToolLimit { per_turn: Some(50), per_run: Some(500) });
    limits.tier_calls.insert("t2".to_owned(), 10);
    let guard = Guard::new("acme", &artifact.tools, &limits);
    let mut counters = Counters::default();
    for tool in artifact.tools.iter().take(4) {
        counters.record(&tool.name, Tier::T1);
    }
    let now = jiff::Timestamp::now();
    let meter = Meter::new(now);
    let input = json!({
        "id": "client-0042",
        "fields": ["name", "industry", "owner", "deals"],
        "options": {"include": {"deals": true, "briefs": false}, "depth": 2},
        "note": "quarterly review of the account"
    });
    assert!(matches!(guard.check(&counters, &meter, now, "erp_get_client", &input), Verdict::Allow { .. }));
    c.bench_function("guard decision (allowed call)", |b| {
        b.iter(|| guard.check(&counters, &meter, now, std::hint::black_box("erp_get_client"), &input));
    });
    let foreign = json!({"id": "client-0042", "filter": {"organizationId": "beta"}});
    assert!(matches!(guard.check(&counters, &meter, now, "erp_get_client", &foreign), Verdict::Refuse { .. }));
    c.bench_function("guard decision (foreign org refused)", |b| {
        b.iter(|| guard.check(&counters, &meter, now, std::hint::black_box("erp_get_client"), &foreign));
    });
}

/// A model that calls `erp_get_client` until it has made `calls` calls, then answers `{}`.
struct FakeModel {
    calls: usize,
}

impl Model for FakeModel {
    fn send<'a>(&'a self, request: &'a MessagesRequest, _on_text: &'a (dyn Fn(&str) + Send + Sync)) -> ModelFuture<'a> {
        let done = request.messages.iter().filter(|m| m.role == Role::Assistant).count();
        let content = if done < self.calls {
            vec![ContentBlock::ToolUse {
                id: format!("toolu_{done:05}"),
                name: "erp_get_client".to_owned(),
                input: json!({"id": "client-0042"}),
            }]
        } else {
            vec![ContentBlock::text("```json\n{}\n```")]
        };
        let stop_reason = Some(if done < self.calls { StopReason::ToolUse } else { StopReason::EndTurn });
        Box::pin(std::future::ready(Ok(MessagesResponse {
            id: format!("msg_{done}"),
            model: request.model.clone(),
            role: Role::Assistant,
            content,
            stop_reason,
            stop_sequence: None,
            usage: Usage {
                input_tokens: 1200,
                output_tokens: 40,
                cache_creation_input_tokens: 0,
                cache_read_input_tokens: 900,
            },
        })))
    }
}

/// An ERP that answers every call at once with the same small record.
struct FakeErp {
    record: Record,
}

impl FakeErp {
    fn new() -> Self {
        let Value::Object(record) = json!({
            "id": "client-0042", "organizationId": "acme", "name": "Northwind", "industry": "retail",
            "owner": "dana", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"
        }) else {
            unreachable!()
        };
        Self { record }
    }

    fn ready<T: Send + 'static>(value: T) -> ErpFuture<'static, T> {
        Box::pin(std::future::ready(Ok(value)))
    }
}

impl Erp for FakeErp {
    fn instance(&self) -> &'static str {
        "fake"
    }
    fn organizations(&self) -> ErpFuture<'_, Vec<Organization>> {
        Self::ready(Vec::new())
    }
    fn list<'a>(&'a self, _: &'a str, _: &'a str, _: &'a ListQuery) -> ErpFuture<'a, Page> {
        Self::ready(Page { data: vec![self.record.clone()], next_cursor: None })
    }
    fn get<'a>(&'a self, _: &'a str, _: &'a str, _: &'a str) -> ErpFuture<'a, Record> {
        Self::ready(self.record.clone())
    }
    fn create<'a>(&'a self, _: &'a str, _: &'a str, record: Record) -> ErpFuture<'a, Record> {
        Self::ready(record)
    }
    fn put<'a>(&'a self, _: &'a str, _: &'a str, _: &'a str, record: Record) -> ErpFuture<'a, Upserted> {
        Self::ready(Upserted { record, created: true })
    }
    fn patch<'a>(&'a self, _: &'a str, _: &'a str, _: &'a str, _: Record) -> ErpFuture<'a, Record> {
        Self::ready(self.record.clone())
    }
    fn delete<'a>(&'a self, _: &'a str, _: &'a str, _: &'a str) -> ErpFuture<'a, Record> {
        Self::ready(self.record.clone())
    }
    fn upsert<'a>(&'a self, _: &'a str, _: &'a str, record: Record) -> ErpFuture<'a, Upserted> {
        Self::ready(Upserted { record, created: true })
    }
}

/// Returns a fresh session of the skill for org `acme`, with generous limits.
fn session(artifact: &Artifact, calls: usize) -> Session {
    let mut artifact = artifact.clone();
    artifact.output_schema = json!({"type": "object"});
    artifact.limits.max_turns = u32::try_from(calls).unwrap_or(u32::MAX).saturating_add(10);
    artifact.limits.max_output_tokens = u64::MAX;
    artifact.limits.max_cost_usd = f64::MAX;
    artifact.limits.max_wall_secs = 3600;
    let input = json!({"client_id": "client-0042"});
    let now = jiff::Timestamp::now();
    Session {
        id: Store::new_id(),
        skill: artifact.id.clone(),
        skill_version: artifact.version.to_string(),
        org: "acme".to_owned(),
        instance: "fake".to_owned(),
        persona: None,
        model: "claude-sonnet-4-5".to_owned(),
        max_tokens: 4096,
        status: Status::Running,
        created_at: now,
        updated_at: now,
        invocation_id: None,
        system: artifact.system_prompt.clone(),
        messages: vec![initial_message(&artifact.id, &input)],
        input,
        artifact,
        usage: Usage::default(),
        cost_usd: 0.0,
        turns: 0,
        counters: Counters::default(),
        corrections: 0,
        output: None,
        error: None,
    }
}

fn tool_call_overhead(c: &mut Criterion) {
    let artifact = artifact();
    assert!(artifact.tools.iter().any(|t: &ArtifactTool| t.name == "erp_get_client" && t.tier == Tier::T1));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::new(dir.path().join("sessions"));
    let clock = Clock::System;
    let erp = FakeErp::new();
    let on_text = |_: &str| {};
    let mut group = c.benchmark_group("runtime overhead per tool call");
    group.measurement_time(Duration::from_secs(10)).sample_size(20);
    for calls in [10_usize, 100] {
        let model = FakeModel { calls };
        let runtime = Runtime {
            model: &model,
            erp: &erp,
            store: &store,
            clock: &clock,
            pre_hooks: Hooks::new(Event::PreToolUse, &[]),
            post_hooks: Hooks::new(Event::PostToolUse, &[]),
            hook_dir: dir.path().to_path_buf(),
            approve: None,
            prompter: None,
            pricing: Config::default().claude.pricing.get("claude-sonnet-4-5").copied(),
            t2_window: Duration::from_mins(10),
            windows: BTreeMap::new(),
            stream: false,
            on_text: &on_text,
        };
        group.bench_function(format!("session of {calls} calls"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut session = session(&artifact, calls);
                    store.create(&session).expect("create session");
                    let started = Instant::now();
                    let ending = rt.block_on(runtime.drive(&mut session, None)).expect("drive");
                    total += started.elapsed();
                    assert_eq!(ending, Ending::Completed);
                    assert_eq!(session.turns as usize, calls + 1);
                }
                // Reported per tool call: the session's time over its calls.
                total / u32::try_from(calls).expect("calls")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, guard_decision, tool_call_overhead);
criterion_main!(benches);
