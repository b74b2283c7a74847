//! Checks a case's [`Outcome`] against its [`Expect`]: every assertion that does not hold is
//! one [`Failure`] with its path, what was expected and what was found (SPEC §10).

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};

use crate::testing::spec::{EndStatus, Expect};

/// What one case's run did, as the assertions see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub status: Option<EndStatus>,
    /// The breaker that tripped (`max_turns`, …), when one did.
    pub breaker: Option<String>,
    /// The output the model gave, when it gave one.
    pub output: Option<Value>,
    /// Why the output does not fit the skill's `output_schema` (empty when it fits).
    pub schema_errors: Vec<String>,
    /// Every tool request in order, with the guard's decision.
    pub calls: Vec<Call>,
    /// Every proposal of the session, in creation order.
    pub proposals: Vec<ProposalSeen>,
    pub turns: u32,
    pub cost_usd: f64,
}

/// One tool request and the guard's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub tool: String,
    /// Whether it passed the guard (executed, or became a proposal).
    pub passed: bool,
    /// The rule that refused it, as the audit log names it.
    pub rule: Option<String>,
}

/// A proposal as it stands at the end of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalSeen {
    pub tool: String,
    /// `t2` or `t3`.
    pub tier: String,
    /// Lower case: `pending`, `executed`, …
    pub status: String,
}

/// One assertion that does not hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// The assertion's name (`status`, `output`, `output_schema`, `tools_called`, …).
    pub assertion: String,
    /// The output path for `output`; otherwise `null`.
    pub path: Option<String>,
    pub expected: Value,
    pub actual: Value,
    pub message: String,
}

fn fail(assertion: &str, path: Option<String>, expected: Value, actual: Value, message: String) -> Failure {
    Failure { assertion: assertion.to_owned(), path, expected, actual, message }
}

/// Returns every assertion of `expect` that `outcome` does not satisfy, in the order of SPEC §10;
/// the output's schema is checked whenever there is an output.
pub fn check(expect: &Expect, outcome: &Outcome) -> Vec<Failure> {
    let mut failures = Vec::new();
    let status_name = |s: Option<EndStatus>| s.map_or(Value::Null, |s| json!(s.as_str()));
    if let Some(want) = expect.status
        && outcome.status != Some(want)
    {
        failures.push(fail(
            "status",
            None,
            json!(want.as_str()),
            status_name(outcome.status),
            format!(
                "the session ended {}, not {}",
                outcome.status.map_or("without a status", EndStatus::as_str),
                want.as_str()
            ),
        ));
    }
    if let Some(want) = &expect.breaker
        && outcome.breaker.as_ref() != Some(want)
    {
        let message = match &outcome.breaker {
            Some(b) => format!("breaker `{b}` tripped, not `{want}`"),
            None => format!("no breaker tripped; expected `{want}`"),
        };
        failures.push(fail("breaker", None, json!(want), json!(outcome.breaker), message));
    }
    if let Some(output) = &outcome.output {
        for e in &outcome.schema_errors {
            failures.push(fail(
                "output_schema",
                None,
                json!("the skill's output_schema"),
                output.clone(),
                format!("the output does not fit the skill's output_schema: {e}"),
            ));
        }
    }
    for (path, matchers) in &expect.output {
        let found = outcome.output.as_ref().and_then(|o| path.resolve(o));
        for m in matchers {
            if let Err(why) = m.check(found) {
                let message = if outcome.output.is_none() {
                    format!("`{path}` {}: the run gave no output", m.name())
                } else {
                    format!("`{path}` {} {}: {why}", m.name(), compact(&m.expected()))
                };
                failures.push(fail(
                    "output",
                    Some(path.to_string()),
                    m.expected(),
                    found.cloned().unwrap_or(Value::Null),
                    message,
                ));
            }
        }
    }
    let passed: Vec<&str> = outcome.calls.iter().filter(|c| c.passed).map(|c| c.tool.as_str()).collect();
    let missing: Vec<&str> =
        expect.tools_called.iter().map(|t| t.name.as_str()).filter(|t| !passed.contains(t)).collect();
    if !missing.is_empty() {
        failures.push(fail(
            "tools_called",
            None,
            json!(expect.tools_called.iter().map(|t| &t.name).collect::<Vec<_>>()),
            json!(passed),
            format!("never called: {}", ticked(&missing)),
        ));
    }
    if !expect.tools_order.is_empty() {
        let want: Vec<&str> = expect.tools_order.iter().map(|t| t.name.as_str()).collect();
        let mut it = passed.iter();
        if !want.iter().all(|w| it.any(|p| p == w)) {
            failures.push(fail(
                "tools_order",
                None,
                json!(want),
                json!(passed),
                format!("the calls that passed the guard were {}, not in the order {}", list(&passed), list(&want)),
            ));
        }
    }
    let forbidden: Vec<&str> =
        expect.tools_not_called.iter().map(|t| t.name.as_str()).filter(|t| passed.contains(t)).collect();
    if !forbidden.is_empty() {
        failures.push(fail(
            "tools_not_called",
            None,
            json!(expect.tools_not_called.iter().map(|t| &t.name).collect::<Vec<_>>()),
            json!(passed),
            format!("called although it must not be: {}", ticked(&forbidden)),
        ));
    }
    for (refusal, _) in &expect.tools_refused {
        let refused = outcome.calls.iter().filter(|c| !c.passed && c.tool == refusal.tool);
        let mut rules = refused.clone().filter_map(|c| c.rule.as_deref());
        let ok = match &refusal.rule {
            None => refused.clone().next().is_some(),
            Some(r) => rules.any(|got| rule_matches(r, got)),
        };
        if !ok {
            let seen: Vec<&str> = refused.filter_map(|c| c.rule.as_deref()).collect();
            let want = refusal.rule.as_deref().map_or_else(|| "any rule".to_owned(), |r| format!("`{r}`"));
            let message = if seen.is_empty() {
                format!("`{}` was never refused; expected a refusal by {want}", refusal.tool)
            } else {
                format!("`{}` was refused by {}, not by {want}", refusal.tool, ticked(&seen))
            };
            failures.push(fail(
                "tools_refused",
                None,
                json!({"tool": refusal.tool, "rule": refusal.rule}),
                json!(seen),
                message,
            ));
        }
    }
    for (p, _) in &expect.proposals {
        let fits = |s: &ProposalSeen| {
            s.tool == p.tool
                && p.tier.as_ref().is_none_or(|t| *t == s.tier)
                && p.status.as_ref().is_none_or(|st| *st == s.status)
        };
        if !outcome.proposals.iter().any(fits) {
            let seen: Vec<Value> =
                outcome.proposals.iter().map(|s| json!({"tool": s.tool, "tier": s.tier, "status": s.status})).collect();
            let mut want = format!("`{}`", p.tool);
            if let Some(t) = &p.tier {
                let _ = write!(want, " {t}");
            }
            if let Some(s) = &p.status {
                let _ = write!(want, " {s}");
            }
            failures.push(fail(
                "proposals",
                None,
                json!({"tool": p.tool, "tier": p.tier, "status": p.status}),
                Value::Array(seen),
                format!("no proposal {want}"),
            ));
        }
    }
    if let Some(max) = expect.max_turns
        && outcome.turns > max
    {
        failures.push(fail(
            "max_turns",
            None,
            json!(max),
            json!(outcome.turns),
            format!("the case took {} turns, more than {max}", outcome.turns),
        ));
    }
    if let Some(max) = expect.max_cost_usd
        && outcome.cost_usd > max
    {
        failures.push(fail(
            "max_cost_usd",
            None,
            json!(max),
            json!(outcome.cost_usd),
            format!("the case cost ${:.4}, more than ${max}", outcome.cost_usd),
        ));
    }
    failures
}

/// Returns whether a rule as written in a test file names the audit log's `got`: the same, or
/// a prefix of it at a `.` or `[` boundary (`hooks` names `hooks.pre_tool_use[0]`).
pub fn rule_matches(want: &str, got: &str) -> bool {
    got == want || got.strip_prefix(want).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

fn compact(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    if text.len() > 80 { format!("{}…", &text[..text.floor_char_boundary(80)]) } else { text }
}

fn ticked(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn list(names: &[&str]) -> String {
    if names.is_empty() { "none".to_owned() } else { format!("[{}]", names.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::spec;
    use std::path::Path;

    fn expect(yaml: &str) -> Expect {
        let text = format!("cases:\n  - name: a\n    org: acme\n    expect:\n{yaml}");
        let (file, diags) = spec::parse(&text, Path::new("s.test.yaml"));
        assert!(diags.is_empty(), "{diags:?}");
        file.unwrap().cases.remove(0).expect
    }

    fn call(tool: &str, passed: bool, rule: Option<&str>) -> Call {
        Call { tool: tool.into(), passed, rule: rule.map(Into::into) }
    }

    fn outcome() -> Outcome {
        Outcome {
            status: Some(EndStatus::AwaitingApproval),
            breaker: None,
            output: Some(json!({"draft_brief": {"title": "Spring video"}, "quality_warnings": []})),
            schema_errors: vec![],
            calls: vec![
                call("erp_get_client", true, Some("granted")),
                call("erp_delete_brief", false, Some("granted")),
                call("erp_create_brief", true, None),
                call("erp_list_users", false, Some("hooks.pre_tool_use[0]")),
            ],
            proposals: vec![ProposalSeen {
                tool: "erp_create_brief".into(),
                tier: "t2".into(),
                status: "pending".into(),
            }],
            turns: 3,
            cost_usd: 0.01,
        }
    }

    #[test]
    fn a_matching_outcome_passes_every_assertion() {
        let e = expect(
            "      status: awaiting_approval\n      output: { draft_brief.title: { contains: Spring }, quality_warnings: { length: { max: 0 } } }\n      tools_called: [erp_get_client, erp_create_brief]\n      tools_order: [erp_get_client, erp_create_brief]\n      tools_not_called: [erp_delete_brief]\n      tools_refused: [{tool: erp_delete_brief, rule: granted}, {tool: erp_list_users, rule: hooks}]\n      proposals: [{tool: erp_create_brief, tier: t2, status: pending}]\n      max_turns: 3\n      max_cost_usd: 0.05\n",
        );
        assert_eq!(check(&e, &outcome()), vec![]);
    }

    #[test]
    fn each_failed_assertion_names_path_expected_and_actual() {
        let e = expect(
            "      status: completed\n      breaker: max_turns\n      output: { draft_brief.title: { contains: Autumn }, missing: { exists: true } }\n      tools_called: [erp_list_clients]\n      tools_order: [erp_create_brief, erp_get_client]\n      tools_not_called: [erp_get_client]\n      tools_refused: [{tool: erp_get_client}, {tool: erp_delete_brief, rule: per_run}]\n      proposals: [{tool: erp_create_brief, status: executed}]\n      max_turns: 2\n      max_cost_usd: 0.001\n",
        );
        let failures = check(&e, &outcome());
        let names: Vec<&str> = failures.iter().map(|f| f.assertion.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "status",
                "breaker",
                "output",
                "output",
                "tools_called",
                "tools_order",
                "tools_not_called",
                "tools_refused",
                "tools_refused",
                "proposals",
                "max_turns",
                "max_cost_usd"
            ]
        );
        let title = &failures[2];
        assert_eq!(title.path.as_deref(), Some("draft_brief.title"));
        assert_eq!(title.expected, json!("Autumn"));
        assert_eq!(title.actual, json!("Spring video"));
        assert_eq!(title.message, "`draft_brief.title` contains \"Autumn\": the string does not contain it");
        assert_eq!(failures[0].message, "the session ended awaiting_approval, not completed");
        assert_eq!(failures[8].message, "`erp_delete_brief` was refused by `granted`, not by `per_run`");
        assert_eq!(failures[7].message, "`erp_get_client` was never refused; expected a refusal by any rule");
    }

    #[test]
    fn schema_errors_fail_even_without_assertions() {
        let mut o = outcome();
        o.schema_errors = vec!["\"draft_brief\" is a required property".into()];
        let failures = check(&Expect::default(), &o);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].assertion, "output_schema");
    }

    #[test]
    fn rule_prefixes_match_at_boundaries_only() {
        assert!(rule_matches("hooks", "hooks.pre_tool_use[0]"));
        assert!(rule_matches("hooks.pre_tool_use", "hooks.pre_tool_use[0]"));
        assert!(rule_matches("tier_calls", "tier_calls.t1"));
        assert!(!rule_matches("per", "per_run"));
        assert!(rule_matches("per_run", "per_run"));
    }
}
