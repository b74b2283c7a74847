//! The runtime's own cost, without the network: one guard decision (SPEC §8 wants
//! microseconds); whole runs of the loop against an in-process fake model and the embedded ERP
//! in a temporary folder — each turn persists the session, appends to the audit log and
//! journals every call, so these figures are the per-turn overhead a real run adds to the
//! model's latency; and the overhead of one tool call with both the model and the ERP replaced
//! by in-process fakes that answer at once (no model, no ERP latency), with the sessions folder
//! on disk and on a memory filesystem, to tell the runtime's CPU time from the filesystem's.
//! The peak memory of a 100-turn run of the binary is measured by `scripts/runtime-memory.sh`.
//! See BENCHMARKS.md.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use agentb::claude::{
    ClaudeError, ContentBlock, MessagesRequest, MessagesResponse, Model, ModelFuture, Role, StopReason, Usage,
};
use agentb::compile::artifact::{ArtifactTool, EffectiveLimits};
use agentb::config::{Config, Tier, ToolLimit};
use agentb::erp::{Erp, ErpFuture, ListQuery, LocalErp, Organization, Page, Record, Upserted};
use agentb::runtime::clock::Clock;
use agentb::runtime::guard::{Counters, Guard, Meter, Verdict};
use agentb::runtime::hooks::{Event, Hooks};
use agentb::runtime::ids::Ids;
use agentb::runtime::session::{Session, Status, Store};
use agentb::runtime::{self, Runtime};

fn tool(name: &str, tier: Tier, action: &str, collection: &str) -> ArtifactTool {
    ArtifactTool {
        name: name.to_owned(),
        description: format!("{name} tool"),
        tier,
        resource: collection.trim_end_matches('s').to_owned(),
        action: action.to_owned(),
        collection: collection.to_owned(),
        input_schema: json!({"type": "object"}),
    }
}

fn tools() -> Vec<ArtifactTool> {
    vec![
        tool("erp_create_brief", Tier::T2, "create", "briefs"),
        tool("erp_get_client", Tier::T1, "read", "clients"),
        tool("erp_list_clients", Tier::T1, "read", "clients"),
    ]
}

fn limits() -> EffectiveLimits {
    let mut per_tool = BTreeMap::new();
    per_tool.insert("erp_get_client".to_owned(), ToolLimit { per_turn: Some(100), per_run: Some(1000) });
    EffectiveLimits {
        max_turns: 1000,
        max_wall_secs: 3600,
        max_cost_usd: 100.0,
        max_output_tokens: 10_000_000,
        max_tool_result_bytes: agentb::config::DEFAULT_MAX_TOOL_RESULT_BYTES,
        tier_calls: [("t1".to_owned(), 100_000), ("t2".to_owned(), 100), ("t3".to_owned(), 10)].into_iter().collect(),
        tools: per_tool,
    }
}

fn guard_decision(c: &mut Criterion) {
    let guard = Guard::new("acme", &tools(), &limits());
    let counters = Counters::default();
    let now = jiff::Timestamp::now();
    let meter = Meter::new(now);
    let input = json!({"data": {"title": "Spring campaign", "clientId": "c1", "items": [{"kind": "video", "seconds": 30}, {"kind": "banner"}]}});
    assert!(matches!(guard.check(&counters, &meter, now, "erp_create_brief", &input), Verdict::Allow { .. }));
    c.bench_function("guard: one decision (nested input)", |b| {
        b.iter(|| guard.check(&counters, &meter, now, std::hint::black_box("erp_create_brief"), &input));
    });
    let foreign = json!({"id": "c1", "filter": {"organizationId": "beta"}, "fields": ["name", "owner"]});
    assert!(matches!(guard.check(&counters, &meter, now, "erp_get_client", &foreign), Verdict::Refuse { .. }));
    c.bench_function("guard: one decision (foreign org refused)", |b| {
        b.iter(|| guard.check(&counters, &meter, now, std::hint::black_box("erp_get_client"), &foreign));
    });
}

/// A model that calls `erp_get_client` `calls` times per turn for `turns` turns, then answers.
struct FakeModel {
    turns: usize,
    calls: usize,
    sent: AtomicUsize,
}

impl Model for FakeModel {
    fn send<'a>(
        &'a self,
        _request: &'a MessagesRequest,
        _on_text: &'a (dyn Fn(&str) + Send + Sync),
    ) -> ModelFuture<'a> {
        Box::pin(async move {
            let n = self.sent.fetch_add(1, Ordering::Relaxed);
            let (content, stop) = if n < self.turns {
                let uses = (0..self.calls)
                    .map(|i| {
                        ContentBlock::tool_use(
                            format!("toolu_{n}_{i}"),
                            "erp_get_client".to_owned(),
                            json!({"id": "c1"}),
                        )
                    })
                    .collect();
                (uses, StopReason::ToolUse)
            } else {
                let text = "```json\n{\"summary\": \"done\"}\n```".to_owned();
                (vec![ContentBlock::text(text)], StopReason::EndTurn)
            };
            Ok::<_, ClaudeError>(MessagesResponse {
                id: format!("msg_{n}"),
                model: "fake".to_owned(),
                role: Role::Assistant,
                content,
                stop_reason: Some(stop),
                stop_sequence: None,
                usage: Usage { input_tokens: 1000, output_tokens: 50, ..Usage::default() },
            })
        })
    }
}

fn session(id: String, artifact: agentb::compile::Artifact) -> Session {
    let now = jiff::Timestamp::now();
    Session {
        id,
        skill: "bench".to_owned(),
        skill_version: "1.0.0".to_owned(),
        org: "acme".to_owned(),
        instance: "local".to_owned(),
        persona: None,
        model: "fake".to_owned(),
        max_tokens: 1024,
        status: Status::Running,
        created_at: now,
        updated_at: now,
        invocation_id: None,
        input: json!({"client_id": "c1"}),
        system: "You are a bench.".to_owned(),
        messages: vec![runtime::initial_message("bench", &json!({"client_id": "c1"}))],
        artifact,
        origin: None,
        usage: Usage::default(),
        cost_usd: 0.0,
        turns: 0,
        counters: Counters::default(),
        corrections: 0,
        output: None,
        error: None,
    }
}

fn artifact() -> agentb::compile::Artifact {
    let mut artifact: agentb::compile::Artifact = serde_json::from_value(json!({
        "format": 1, "id": "bench", "name": "Bench", "version": "1.0.0", "status": "active", "category": "x",
        "description": "x", "triggers": [], "dependencies": [], "permissions": [],
        "input_schema": {"type": "object"},
        "output_schema": {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]},
        "tools": [], "system_prompt": "x",
        "limits": {"max_turns": 1, "max_wall_secs": 1, "max_cost_usd": 1.0, "max_output_tokens": 1, "tier_calls": {}, "tools": {}},
        "source_hash": "", "content_hash": ""
    }))
    .expect("artifact");
    artifact.tools = tools();
    artifact.limits = limits();
    artifact
}

fn run_loop(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let erp = LocalErp::open("local", &dir.path().join("erp.sqlite")).expect("erp");
    erp.add_org("acme", "acme").expect("org");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let Value::Object(client) = json!({"id": "c1", "name": "Acme Foods"}) else { unreachable!() };
    rt.block_on(erp.create("acme", "clients", client)).expect("seed");
    let store = Store::new(dir.path().join("sessions"));
    let clock = Clock::System;
    let config = Config::default();
    let mut group = c.benchmark_group("run loop (fake model, embedded ERP)");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    for (turns, calls) in [(1, 1), (5, 4)] {
        let name = format!("{turns} tool turns x {calls} T1 calls + final answer");
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let s = session(Store::new_id(), artifact());
                    store.create(&s).expect("create session");
                    (s, FakeModel { turns, calls, sent: AtomicUsize::new(0) })
                },
                |(mut s, model)| {
                    let runtime = Runtime {
                        model: &model,
                        erp: &erp,
                        store: &store,
                        clock: &clock,
                        ids: &Ids::Random,
                        pre_hooks: Hooks::new(Event::PreToolUse, &config.hooks.pre_tool_use),
                        post_hooks: Hooks::new(Event::PostToolUse, &config.hooks.post_tool_use),
                        hook_dir: dir.path().to_path_buf(),
                        approve: None,
                        prompter: None,
                        pricing: config.claude.pricing.get("claude-sonnet-4-5").copied(),
                        t2_window: Duration::from_hours(24),
                        windows: BTreeMap::new(),
                        stream: false,
                        observer: &runtime::Silent,
                        interrupt: None,
                        check: None,
                    };
                    let ending = rt.block_on(runtime.drive(&mut s, None)).expect("run");
                    assert_eq!(ending, runtime::Ending::Completed);
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

/// An ERP that answers every call at once with the same small record (no ERP latency).
struct FakeErp {
    record: Record,
}

impl FakeErp {
    fn new() -> Self {
        let Value::Object(record) = json!({
            "id": "c1", "organizationId": "acme", "name": "Acme Foods", "industry": "retail",
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
    fn patch_if<'a>(&'a self, _: &'a str, _: &'a str, _: &'a str, _: Record, _: u64) -> ErpFuture<'a, Record> {
        Self::ready(self.record.clone())
    }
    fn delete_if<'a>(&'a self, _: &'a str, _: &'a str, _: &'a str, _: u64) -> ErpFuture<'a, Record> {
        Self::ready(self.record.clone())
    }
    fn upsert<'a>(&'a self, _: &'a str, _: &'a str, record: Record) -> ErpFuture<'a, Upserted> {
        Self::ready(Upserted { record, created: true })
    }
}

/// Runs sessions of `calls` tool turns (one T1 call each) with the sessions folder under `root`;
/// criterion's time is per tool call.
fn per_call(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, label: &str, root: &Path) {
    per_call_with(group, label, root, &Store::new(root.join("sessions")));
}

/// Runs the sessions of [`per_call`] with this session store.
fn per_call_with(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    label: &str,
    root: &Path,
    store: &Store,
) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let clock = Clock::System;
    let erp = FakeErp::new();
    let config = Config::default();
    for calls in [10_usize, 100] {
        group.bench_function(format!("{label}, sessions of {calls} calls"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let model = FakeModel { turns: calls, calls: 1, sent: AtomicUsize::new(0) };
                    let runtime = Runtime {
                        model: &model,
                        erp: &erp,
                        store,
                        clock: &clock,
                        ids: &Ids::Random,
                        pre_hooks: Hooks::new(Event::PreToolUse, &[]),
                        post_hooks: Hooks::new(Event::PostToolUse, &[]),
                        hook_dir: root.to_path_buf(),
                        approve: None,
                        prompter: None,
                        pricing: config.claude.pricing.get("claude-sonnet-4-5").copied(),
                        t2_window: Duration::from_hours(24),
                        windows: BTreeMap::new(),
                        stream: false,
                        observer: &runtime::Silent,
                        interrupt: None,
                        check: None,
                    };
                    let mut s = session(Store::new_id(), artifact());
                    store.create(&s).expect("create session");
                    let started = Instant::now();
                    let ending = rt.block_on(runtime.drive(&mut s, None)).expect("run");
                    total += started.elapsed();
                    assert_eq!(ending, runtime::Ending::Completed);
                    assert_eq!(s.turns as usize, calls + 1);
                }
                total / u32::try_from(calls).expect("calls")
            });
        });
    }
}

fn tool_call_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("runtime overhead per tool call (fake model, fake ERP)");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    let disk = tempfile::tempdir().expect("temp dir");
    per_call(&mut group, "disk", disk.path());
    // A memory filesystem, when there is one: the same work without the disk's cost.
    if let Ok(shm) = tempfile::tempdir_in("/dev/shm") {
        per_call(&mut group, "tmpfs", shm.path());
    }
    group.finish();
}

/// The same sessions with the sessions kept in the ERP (an http instance): every turn is one
/// `POST /api/v1/agent-session-turns` to a real `agentb erp serve` (the server's code, on its
/// own runtime, over loopback, on a SQLite file), the folder only a cache. The difference from
/// the `disk` figure is the ERP backend's cost per turn.
fn erp_session_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("runtime overhead per tool call (fake model, fake ERP)");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    let dir = tempfile::tempdir().expect("temp dir");
    let served = std::sync::Arc::new(agentb::erp::Store::open(&dir.path().join("erp.sqlite")).expect("store"));
    served.add_org("acme", "acme").expect("org");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = agentb::rt::build().expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            agentb::erp::server::serve(listener, served, None, std::future::pending()).await.expect("serve");
        });
    });
    let erp = agentb::erp::HttpErp::new("bench", &url, None, agentb::erp::HttpOptions::default()).expect("client");
    let cache = dir.path().join("sessions");
    let backend = agentb::runtime::shared::ErpSessions::new(
        "bench",
        std::sync::Arc::new(erp),
        Some(vec!["acme".into()]),
        cache.clone(),
    );
    let store = Store::with_backend(cache, std::sync::Arc::new(backend));
    per_call_with(&mut group, "erp serve (loopback)", dir.path(), &store);
    group.finish();
}

criterion_group!(benches, guard_decision, run_loop, tool_call_overhead, erp_session_overhead);
criterion_main!(benches);
