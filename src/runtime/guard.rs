//! The guard (SPEC §8): a pure decision on every tool call, in this order — the tool is granted,
//! org isolation, per-tool limits, per-tier budgets, the run's breakers — and the counters it
//! keeps. User hooks run after it (see [`super::hooks`]); the guard itself does no I/O, so it
//! decides in microseconds and is unit-tested exhaustively.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compile::artifact::{ArtifactTool, EffectiveLimits};
use crate::config::{Tier, ToolLimit};

/// The rule that decided a call; recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Rule {
    /// 7, checked first: the serialized input is at most [`MAX_INPUT_BYTES`].
    InputSize { limit: usize },
    /// 1: the tool exists and the skill's permissions grant it.
    Granted,
    /// 2: the input names no other org.
    OrgIsolation,
    /// 3: `limits.tools.<tool>.per_turn`.
    PerTurn { limit: u32 },
    /// 3: `limits.tools.<tool>.per_run`.
    PerRun { limit: u32 },
    /// 4: `limits.tier_calls.<tier>`.
    TierBudget { tier: Tier, limit: u32 },
    /// 5: a breaker of the whole run.
    Breaker { breaker: Breaker },
    /// 6: a user hook (its index and command).
    Hook { event: String, index: usize, command: String },
    /// After the hooks: the final input fits the tool's JSON input schema.
    InputSchema,
    /// After the schema: the record id the input names can be sent (one path segment, at
    /// most [`MAX_ID_BYTES`]).
    RecordId,
    /// Last: a builder's check of the record it is about to propose (a FormTemplate, a
    /// ContentTrigger; see [`super::CallCheck`]).
    Shape,
}

/// The largest tool input the guard lets through, serialized (SPEC §8 guard step 7).
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The longest record id a tool input may name (the ERP store's own limit).
pub const MAX_ID_BYTES: usize = 256;

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::InputSize { .. } => f.write_str("input_size"),
            Rule::Granted => f.write_str("granted"),
            Rule::OrgIsolation => f.write_str("org_isolation"),
            Rule::PerTurn { .. } => f.write_str("per_turn"),
            Rule::PerRun { .. } => f.write_str("per_run"),
            Rule::TierBudget { tier, .. } => write!(f, "tier_calls.{tier}"),
            Rule::Breaker { breaker } => write!(f, "breaker.{}", breaker.key()),
            Rule::Hook { event, index, .. } => write!(f, "hooks.{event}[{index}]"),
            Rule::InputSchema => f.write_str("input_schema"),
            Rule::RecordId => f.write_str("record_id"),
            Rule::Shape => f.write_str("shape"),
        }
    }
}

/// A circuit breaker of the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Breaker {
    Turns,
    WallTime,
    Cost,
    OutputTokens,
}

impl Breaker {
    /// Returns the config key of the breaker's limit.
    pub fn key(self) -> &'static str {
        match self {
            Breaker::Turns => "max_turns",
            Breaker::WallTime => "max_wall_secs",
            Breaker::Cost => "max_cost_usd",
            Breaker::OutputTokens => "max_output_tokens",
        }
    }
}

/// A tripped breaker: which, and a message that names the limit and the value reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trip {
    pub breaker: Breaker,
    pub message: String,
}

/// The guard's verdict on one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The call may go on to the hooks, then run (T1) or become a proposal (T2/T3).
    Allow { tier: Tier },
    /// The call is refused; the model is told why in an `is_error` tool result.
    Refuse { rule: Rule, reason: String },
    /// A breaker tripped: the run ends.
    Trip(Trip),
}

/// The counters the guard keeps for a session; persisted with it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Calls per tool in the current turn.
    pub turn_calls: BTreeMap<String, u32>,
    /// Calls per tool in the whole run.
    pub run_calls: BTreeMap<String, u32>,
    /// Calls per tier in the whole run.
    pub tier_calls: BTreeMap<Tier, u32>,
}

impl Counters {
    /// Starts a new turn: the per-turn counts go back to zero.
    pub fn start_turn(&mut self) {
        self.turn_calls.clear();
    }

    /// Counts an allowed call.
    pub fn record(&mut self, tool: &str, tier: Tier) {
        *self.turn_calls.entry(tool.to_owned()).or_default() += 1;
        *self.run_calls.entry(tool.to_owned()).or_default() += 1;
        *self.tier_calls.entry(tier).or_default() += 1;
    }
}

/// What the breakers measure: turns, cost and output tokens over the whole session (every
/// resume included, SPEC §8 guard step 5), wall time since this process started driving it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meter {
    /// Model requests sent so far.
    pub turns: u32,
    pub started_at: Timestamp,
    pub cost_usd: f64,
    pub output_tokens: u64,
}

impl Meter {
    /// Returns a meter that starts at `now`.
    pub fn new(now: Timestamp) -> Self {
        Self { turns: 0, started_at: now, cost_usd: 0.0, output_tokens: 0 }
    }

    /// Returns the meter of a session driven again at `now`: what it spent so far counts, its
    /// wall time starts over.
    pub fn resumed(now: Timestamp, turns: u32, cost_usd: f64, output_tokens: u64) -> Self {
        Self { turns, started_at: now, cost_usd, output_tokens }
    }
}

/// The guard of one run: the org it acts for, the granted tools with their tiers, the limits.
#[derive(Debug, Clone)]
pub struct Guard {
    org: String,
    tools: BTreeMap<String, Tier>,
    limits: EffectiveLimits,
}

impl Guard {
    /// Returns the guard for a skill's tools and effective limits, acting for `org`.
    pub fn new(org: &str, tools: &[ArtifactTool], limits: &EffectiveLimits) -> Self {
        Self {
            org: org.to_owned(),
            tools: tools.iter().map(|t| (t.name.clone(), t.tier)).collect(),
            limits: limits.clone(),
        }
    }

    /// Returns the org the guard acts for.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// Returns the tier of a granted tool.
    pub fn tier(&self, tool: &str) -> Option<Tier> {
        self.tools.get(tool).copied()
    }

    /// Decides one call (the input size first, then rules 1–5, in order). `now` is read only
    /// for the wall-time breaker.
    pub fn check(&self, counters: &Counters, meter: &Meter, now: Timestamp, tool: &str, input: &Value) -> Verdict {
        let size = serialized_len(input);
        if size > MAX_INPUT_BYTES {
            return Verdict::Refuse {
                rule: Rule::InputSize { limit: MAX_INPUT_BYTES },
                reason: format!(
                    "the input is {size} bytes of JSON, more than the {MAX_INPUT_BYTES} bytes a tool input may be; \
                     send less (ids, short filters), not whole documents"
                ),
            };
        }
        let Some(tier) = self.tier(tool) else {
            let granted: Vec<&str> = self.tools.keys().map(String::as_str).collect();
            return Verdict::Refuse {
                rule: Rule::Granted,
                reason: format!(
                    "the tool `{tool}` is not granted to this skill; its tools are: {}",
                    if granted.is_empty() { "none".to_owned() } else { granted.join(", ") }
                ),
            };
        };
        if let Some((path, named)) = foreign_org(input, &self.org) {
            return Verdict::Refuse {
                rule: Rule::OrgIsolation,
                reason: format!(
                    "the input names org `{named}` at `{path}`, but this run acts for org `{}` only; \
                     the runtime sets the org, leave it out",
                    self.org
                ),
            };
        }
        let limit = self.limits.tools.get(tool).copied().unwrap_or(ToolLimit::default());
        if let Some(max) = limit.per_turn
            && counters.turn_calls.get(tool).copied().unwrap_or(0) >= max
        {
            return Verdict::Refuse {
                rule: Rule::PerTurn { limit: max },
                reason: format!("`{tool}` may be called at most {} per turn; wait for the next turn", times(max)),
            };
        }
        if let Some(max) = limit.per_run
            && counters.run_calls.get(tool).copied().unwrap_or(0) >= max
        {
            return Verdict::Refuse {
                rule: Rule::PerRun { limit: max },
                reason: format!("`{tool}` may be called at most {} per run, and that budget is spent", times(max)),
            };
        }
        let budget = self.limits.tier_calls.get(&tier.to_string()).copied().unwrap_or(u32::MAX);
        if counters.tier_calls.get(&tier).copied().unwrap_or(0) >= budget {
            return Verdict::Refuse {
                rule: Rule::TierBudget { tier, limit: budget },
                reason: format!("the run's budget of {budget} {tier} calls is spent; no more {tier} tools this run"),
            };
        }
        if let Some(trip) = self.breaker(meter, now) {
            return Verdict::Trip(trip);
        }
        Verdict::Allow { tier }
    }

    /// Returns how much wall time the run has left at `now` (`max_wall_secs` since the meter
    /// started).
    pub fn wall_time_left(&self, meter: &Meter, now: Timestamp) -> std::time::Duration {
        let elapsed = super::clock::secs_between(meter.started_at, now);
        std::time::Duration::from_secs(self.limits.max_wall_secs.saturating_sub(elapsed))
    }

    /// Returns the wall-time trip of a model request cut at the limit.
    pub fn wall_time_trip(&self) -> Trip {
        let max = self.limits.max_wall_secs;
        Trip {
            breaker: Breaker::WallTime,
            message: format!(
                "the run reached `max_wall_secs` ({max}s) while waiting for the model; the request was cut"
            ),
        }
    }

    /// Returns the first breaker the meter trips, if any: turns (a limit on requests already
    /// sent), wall time, cost, output tokens.
    pub fn breaker(&self, meter: &Meter, now: Timestamp) -> Option<Trip> {
        let l = &self.limits;
        let elapsed = super::clock::secs_between(meter.started_at, now);
        if meter.turns >= l.max_turns {
            return Some(Trip {
                breaker: Breaker::Turns,
                message: format!("the run reached `max_turns` ({} turns)", l.max_turns),
            });
        }
        if elapsed >= l.max_wall_secs {
            return Some(Trip {
                breaker: Breaker::WallTime,
                message: format!("the run took {elapsed}s, more than `max_wall_secs` ({}s)", l.max_wall_secs),
            });
        }
        if meter.cost_usd > l.max_cost_usd {
            return Some(Trip {
                breaker: Breaker::Cost,
                message: format!(
                    "the run cost ${:.4}, more than `max_cost_usd` (${:.2})",
                    meter.cost_usd, l.max_cost_usd
                ),
            });
        }
        if meter.output_tokens > l.max_output_tokens {
            return Some(Trip {
                breaker: Breaker::OutputTokens,
                message: format!(
                    "the model wrote {} output tokens, more than `max_output_tokens` ({})",
                    meter.output_tokens, l.max_output_tokens
                ),
            });
        }
        None
    }
}

/// Returns the JSON path and value of the first field of `input` that names an org other than
/// `org` (keys like `organizationId`, `org_id`, `tenant`, at any depth).
pub fn foreign_org(input: &Value, org: &str) -> Option<(String, String)> {
    fn walk(value: &Value, org: &str, path: &mut String) -> Option<(String, String)> {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    let len = path.len();
                    path.push('/');
                    path.push_str(key);
                    if is_org_key(key) {
                        match inner {
                            Value::String(s) if s != org => return Some((path.clone(), s.clone())),
                            Value::Number(n) => return Some((path.clone(), n.to_string())),
                            _ => {}
                        }
                    }
                    if let Some(found) = walk(inner, org, path) {
                        return Some(found);
                    }
                    path.truncate(len);
                }
                None
            }
            Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    let len = path.len();
                    path.push('/');
                    path.push_str(&i.to_string());
                    if let Some(found) = walk(inner, org, path) {
                        return Some(found);
                    }
                    path.truncate(len);
                }
                None
            }
            _ => None,
        }
    }
    walk(input, org, &mut String::new())
}

/// Returns the length of a value's compact JSON, without building it.
pub fn serialized_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).map_or(usize::MAX, |()| count.0)
}

/// Returns why the record id a tool input names cannot be sent, if it cannot: the `id` (or
/// knowledge `path`) and `data.id` must be single path segments of at most [`MAX_ID_BYTES`].
pub fn invalid_id(resource: &str, input: &Value) -> Option<String> {
    let key = crate::tools::key_field(resource);
    let ids = [(key, input.get(key)), ("data.id", input.get("data").and_then(|d| d.get("id")))];
    for (field, id) in ids {
        let Some(Value::String(id)) = id else { continue };
        if id.len() > MAX_ID_BYTES {
            return Some(format!("`{field}` is {} bytes long; a record id is at most {MAX_ID_BYTES}", id.len()));
        }
    }
    if let Some(problem) = crate::tools::invalid_id_in(resource, input) {
        return Some(problem);
    }
    match input.get("data").and_then(|d| d.get("id")) {
        Some(Value::String(id)) => crate::erp::check_id(id).err().map(|e| format!("`data.id`: {}", e.message)),
        _ => None,
    }
}

/// Returns `once`, `twice` or `N times`.
fn times(n: u32) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// Returns whether a field name designates an org.
fn is_org_key(key: &str) -> bool {
    let folded: String = key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    matches!(
        folded.as_str(),
        "org"
            | "orgid"
            | "organization"
            | "organisation"
            | "organizationid"
            | "organisationid"
            | "tenant"
            | "tenantid"
            | "xorganizationid"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(name: &str, tier: Tier) -> ArtifactTool {
        ArtifactTool {
            name: name.to_owned(),
            description: String::new(),
            tier,
            resource: "client".to_owned(),
            action: "read".to_owned(),
            collection: "clients".to_owned(),
            input_schema: json!({}),
        }
    }

    fn limits() -> EffectiveLimits {
        let mut tools = BTreeMap::new();
        tools.insert("erp_get_client".to_owned(), ToolLimit { per_turn: Some(3), per_run: Some(5) });
        EffectiveLimits {
            max_turns: 4,
            max_wall_secs: 60,
            max_cost_usd: 0.5,
            max_output_tokens: 1000,
            max_tool_result_bytes: 100,
            tier_calls: [("t1".to_owned(), 8), ("t2".to_owned(), 1), ("t3".to_owned(), 1)].into_iter().collect(),
            tools,
        }
    }

    fn guard() -> Guard {
        let tools =
            [tool("erp_get_client", Tier::T1), tool("erp_list_clients", Tier::T1), tool("erp_create_brief", Tier::T2)];
        Guard::new("acme", &tools, &limits())
    }

    fn t0() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn run(guard: &Guard, counters: &mut Counters, tool: &str, input: &Value) -> Verdict {
        let verdict = guard.check(counters, &Meter::new(t0()), t0(), tool, input);
        if let Verdict::Allow { tier } = verdict {
            counters.record(tool, tier);
        }
        verdict
    }

    fn rule(verdict: &Verdict) -> String {
        match verdict {
            Verdict::Allow { tier } => format!("allow {tier}"),
            Verdict::Refuse { rule, .. } => rule.to_string(),
            Verdict::Trip(trip) => format!("trip {:?}", trip.breaker),
        }
    }

    #[test]
    fn an_input_over_64_kib_is_refused_before_any_other_rule() {
        let g = guard();
        let mut counters = Counters::default();
        // `{"id":""}` is 9 bytes.
        let at_limit = json!({"id": "x".repeat(MAX_INPUT_BYTES - 9)});
        assert_eq!(serialized_len(&at_limit), MAX_INPUT_BYTES);
        assert_eq!(rule(&run(&g, &mut counters, "erp_get_client", &at_limit)), "allow t1");
        let over = json!({"id": "x".repeat(MAX_INPUT_BYTES - 8)});
        let v = run(&g, &mut counters, "erp_get_client", &over);
        let Verdict::Refuse { reason, .. } = &v else { unreachable!() };
        assert!(reason.contains("65537 bytes") && reason.contains("65536"), "{reason}");
        // Before any other rule: an ungranted tool, another org.
        let over = json!({"id": "x".repeat(MAX_INPUT_BYTES), "org": "beta"});
        for tool in ["erp_get_client", "erp_delete_brief"] {
            assert_eq!(rule(&run(&g, &mut counters, tool, &over)), "input_size", "{tool}");
        }
        assert_eq!(counters.run_calls.get("erp_get_client"), Some(&1), "a refused call counts nothing");
        assert_eq!(invalid_id("client", &json!({"id": "c1"})), None);
        assert!(invalid_id("client", &json!({"id": "c".repeat(257)})).unwrap().contains("257 bytes"));
        assert!(invalid_id("brief", &json!({"data": {"id": "a/b"}})).unwrap().contains("data.id"));
        assert_eq!(invalid_id("knowledge", &json!({"path": "docs/a.md"})), None);
    }

    #[test]
    fn ungranted_tools_are_refused_first() {
        let g = guard();
        let v = g.check(&Counters::default(), &Meter::new(t0()), t0(), "erp_delete_brief", &json!({"org": "beta"}));
        assert_eq!(rule(&v), "granted");
        let Verdict::Refuse { reason, .. } = v else { unreachable!() };
        assert!(reason.contains("erp_create_brief, erp_get_client"), "{reason}");
    }

    #[test]
    fn another_org_anywhere_in_the_input_is_refused() {
        let g = guard();
        let mut c = Counters::default();
        for input in [
            json!({"data": {"organizationId": "beta"}}),
            json!({"filter": {"org_id": "beta"}}),
            json!({"data": {"items": [{"x": 1}, {"tenant": "corp"}]}}),
            json!({"data": {"Organization-Id": 7}}),
        ] {
            assert_eq!(rule(&run(&g, &mut c, "erp_create_brief", &input)), "org_isolation", "{input}");
        }
        assert_eq!(foreign_org(&json!({"a": [{"orgId": "beta"}]}), "acme").unwrap().0, "/a/0/orgId");
        // Naming the run's own org, or unrelated fields, is fine; nothing was counted above.
        assert_eq!(
            rule(&run(&g, &mut c, "erp_create_brief", &json!({"data": {"organizationId": "acme"}}))),
            "allow t2"
        );
        assert_eq!(rule(&run(&g, &mut c, "erp_get_client", &json!({"id": "organization"}))), "allow t1");
    }

    #[test]
    fn per_tool_then_tier_limits_and_separate_tier_budgets() {
        let g = guard();
        let mut c = Counters::default();
        let mut rules = Vec::new();
        for turn in 0..3 {
            c.start_turn();
            for _ in 0..4 {
                rules.push(format!("{turn}:{}", rule(&run(&g, &mut c, "erp_get_client", &json!({"id": "c1"})))));
            }
        }
        assert_eq!(
            rules,
            [
                "0:allow t1",
                "0:allow t1",
                "0:allow t1",
                "0:per_turn",
                "1:allow t1",
                "1:allow t1",
                "1:per_run",
                "1:per_run",
                "2:per_run",
                "2:per_run",
                "2:per_run",
                "2:per_run"
            ]
        );
        // 5 T1 calls spent of 8: three more, then the T1 budget refuses.
        let list: Vec<String> = (0..5).map(|_| rule(&run(&g, &mut c, "erp_list_clients", &json!({})))).collect();
        assert_eq!(list, ["allow t1", "allow t1", "allow t1", "tier_calls.t1", "tier_calls.t1"]);
        // T1 calls never consumed the T2 budget.
        assert_eq!(rule(&run(&g, &mut c, "erp_create_brief", &json!({"data": {"a": 1}}))), "allow t2");
        assert_eq!(rule(&run(&g, &mut c, "erp_create_brief", &json!({"data": {"a": 1}}))), "tier_calls.t2");
    }

    #[test]
    fn limit_reasons_read_as_english() {
        assert_eq!([times(1), times(2), times(3)], ["once", "twice", "3 times"]);
        let g = guard();
        let mut c = Counters::default();
        for _ in 0..3 {
            run(&g, &mut c, "erp_get_client", &json!({"id": "c1"}));
        }
        let Verdict::Refuse { reason, .. } = run(&g, &mut c, "erp_get_client", &json!({"id": "c1"})) else {
            panic!("refused")
        };
        assert_eq!(reason, "`erp_get_client` may be called at most 3 times per turn; wait for the next turn");
    }

    #[test]
    fn breakers_trip_on_each_measure() {
        let g = guard();
        let now = t0();
        let ok = Meter { turns: 3, started_at: now, cost_usd: 0.5, output_tokens: 1000 };
        assert_eq!(g.breaker(&ok, clock_add(now, 59)), None);
        let trip = |m: Meter, at| g.breaker(&m, at).map(|t| t.breaker);
        assert_eq!(trip(Meter { turns: 4, ..ok }, now), Some(Breaker::Turns));
        assert_eq!(trip(ok, clock_add(now, 60)), Some(Breaker::WallTime));
        assert_eq!(trip(Meter { cost_usd: 0.51, ..ok }, now), Some(Breaker::Cost));
        assert_eq!(trip(Meter { output_tokens: 1001, ..ok }, now), Some(Breaker::OutputTokens));
        let v = g.check(&Counters::default(), &Meter { cost_usd: 2.0, ..ok }, now, "erp_get_client", &json!({}));
        assert_eq!(rule(&v), "trip Cost");
        let Verdict::Trip(t) = v else { unreachable!() };
        assert!(t.message.contains("`max_cost_usd`"), "{}", t.message);
    }

    fn clock_add(at: Timestamp, secs: u64) -> Timestamp {
        super::super::clock::add(at, std::time::Duration::from_secs(secs))
    }
}
