//! The test file format (`skills/<id>.test.yaml`, SPEC §10): its cases and their expectations,
//! parsed with exact spans so that every problem is a lint diagnostic naming file:line.
//!
//! Parsing is in two steps: [`parse`] checks the structure (unknown keys, unknown assertions,
//! value kinds, duplicate case slugs) and needs only the text; [`check`] checks a parsed file
//! against the skill it tests (tools it can call, collections those tools reach).

// The parser reads each field as one `match` over what was written; `if let … else` would
// split the error cases from the value they explain.
#![allow(clippy::single_match_else)]

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::config::Tier;
use crate::lint::{Diagnostic, rules};
use crate::skill::yaml::{self, Node, YamlProblem};
use crate::testing::matcher::{self, Matcher, OutputPath};
use crate::text::did_you_mean;

/// The keys a case may have.
const CASE_KEYS: &[&str] = &["name", "org", "input", "fixtures", "persona", "approve", "messages", "expect"];
/// The assertions `expect` may hold.
const ASSERTIONS: &[&str] = &[
    "status",
    "breaker",
    "output",
    "tools_called",
    "tools_order",
    "tools_not_called",
    "tools_refused",
    "proposals",
    "max_turns",
    "max_cost_usd",
];
/// The breakers a case may name, as in `[limits]`.
pub const BREAKERS: &[&str] = &["max_turns", "max_wall_secs", "max_cost_usd", "max_output_tokens"];
/// The guard rules a `tools_refused` entry may name (a prefix matches: `hooks`, `tier_calls`).
pub const RULES: &[&str] = &[
    "granted",
    "org_isolation",
    "per_turn",
    "per_run",
    "tier_calls",
    "tier_calls.t1",
    "tier_calls.t2",
    "tier_calls.t3",
    "breaker",
    "breaker.max_turns",
    "breaker.max_wall_secs",
    "breaker.max_cost_usd",
    "breaker.max_output_tokens",
    "hooks",
    "hooks.pre_tool_use",
    "input_schema",
    "input_size",
];

/// A parsed test file.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFile {
    /// The skill the file tests: its name without `.test.yaml`.
    pub skill: String,
    pub path: PathBuf,
    pub cases: Vec<Case>,
}

/// One case: a run with a fresh ERP and its expectations.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name: String,
    /// `name` lower-cased, runs of other characters turned into `-`: the cassette's file name.
    pub slug: String,
    /// 1-based line of the case in its file.
    pub line: usize,
    pub org: String,
    pub input: Value,
    /// Collection name → records put into the case's fresh ERP.
    pub fixtures: BTreeMap<String, Vec<Value>>,
    /// Byte spans of each fixture collection's name, for diagnostics.
    pub fixture_spans: BTreeMap<String, Range<usize>>,
    pub persona: Option<String>,
    pub approve: Option<Tier>,
    /// Later user messages, each resuming the session.
    pub messages: Vec<String>,
    pub expect: Expect,
}

/// How a case's session must end (SPEC §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndStatus {
    Completed,
    Failed,
    AwaitingApproval,
    Stopped,
}

impl EndStatus {
    /// Returns the status's name as written in test files.
    pub fn as_str(self) -> &'static str {
        match self {
            EndStatus::Completed => "completed",
            EndStatus::Failed => "failed",
            EndStatus::AwaitingApproval => "awaiting_approval",
            EndStatus::Stopped => "stopped",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [EndStatus::Completed, EndStatus::Failed, EndStatus::AwaitingApproval, EndStatus::Stopped]
            .into_iter()
            .find(|e| e.as_str() == s)
    }
}

/// A `tools_refused` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub tool: String,
    /// A guard rule as the audit log names it, or a prefix of one (`hooks`).
    pub rule: Option<String>,
}

/// A `proposals` entry; absent fields match anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedProposal {
    pub tool: String,
    pub tier: Option<String>,
    pub status: Option<String>,
}

/// A tool named in an assertion, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolRef {
    pub name: String,
    pub span: Range<usize>,
}

/// What a case expects. Every field is optional; an empty `Expect` only checks that the
/// output (if any) fits the skill's `output_schema`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expect {
    pub status: Option<EndStatus>,
    pub breaker: Option<String>,
    pub output: Vec<(OutputPath, Vec<Matcher>)>,
    pub tools_called: Vec<ToolRef>,
    pub tools_order: Vec<ToolRef>,
    pub tools_not_called: Vec<ToolRef>,
    pub tools_refused: Vec<(Refusal, Range<usize>)>,
    pub proposals: Vec<(ExpectedProposal, Range<usize>)>,
    pub max_turns: Option<u32>,
    pub max_cost_usd: Option<f64>,
}

/// Returns a case name's slug: lower-case ASCII letters and digits, every run of other
/// characters turned into one `-`, none at either end.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// Returns the skill id a test file's name declares (`brief-creator.test.yaml` → `brief-creator`).
pub fn skill_of(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    name.trim_end_matches(".test.yaml").trim_end_matches(".test.yml").to_owned()
}

/// Parses a test file's text; `display` is the path diagnostics name. Returns the file when its
/// structure is sound enough to run (possibly with warnings), and every diagnostic found.
pub fn parse(text: &str, display: &Path) -> (Option<TestFile>, Vec<Diagnostic>) {
    let mut p = Parser { display, text, diags: Vec::new() };
    let file = p.file();
    let has_error = p.diags.iter().any(|d| d.level == crate::lint::Level::Error);
    (file.filter(|_| !has_error), p.diags)
}

struct Parser<'a> {
    display: &'a Path,
    text: &'a str,
    diags: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn error(&mut self, span: Option<Range<usize>>, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::new(&rules::INVALID_TEST_FILE, self.display, span, message));
        self.diags.last_mut().expect("just pushed")
    }

    fn file(&mut self) -> Option<TestFile> {
        let root = match yaml::load(self.text, 0..self.text.len()) {
            Ok(root) => root,
            Err(YamlProblem::Syntax { offset, message } | YamlProblem::Limits { offset, message }) => {
                let end = (offset + 1).min(self.text.len());
                self.error(Some(offset.min(end)..end), format!("invalid test file: {message}"));
                return None;
            }
        };
        let Some(entries) = root.as_map() else {
            self.error(
                Some(root.span.clone()),
                format!("invalid test file: a test file is a mapping with `cases:`, not {}", root.kind_name()),
            );
            return None;
        };
        let mut cases_node = None;
        for (key, value) in entries {
            match key.as_str() {
                Some("cases") => cases_node = Some(value),
                other => {
                    let name = other.unwrap_or_default().to_owned();
                    let d = self.error(Some(key.span.clone()), format!("unknown key `{name}` in a test file"));
                    *d = d.clone().help("a test file holds one key, `cases:`".to_owned());
                }
            }
        }
        let Some(cases_node) = cases_node else {
            self.error(None, "invalid test file: a test file needs `cases:`, a list of cases");
            return None;
        };
        let Some(items) = cases_node.as_seq() else {
            if matches!(cases_node.value, yaml::Value::Null) {
                return Some(self.finish(Vec::new()));
            }
            self.error(
                Some(cases_node.span.clone()),
                format!("invalid test file: `cases` is a list, not {}", cases_node.kind_name()),
            );
            return None;
        };
        let cases: Vec<Case> = items.iter().filter_map(|item| self.case(item)).collect();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (item, case) in items.iter().zip(&cases) {
            if let Some(other) = seen.insert(case.slug.clone(), case.name.clone()) {
                let span = item.get("name").map(|n| n.span.clone());
                let message = if other == case.name {
                    format!("two cases are named `{}`", case.name)
                } else {
                    format!("cases `{other}` and `{}` share the cassette name `{}`", case.name, case.slug)
                };
                let d = self.error(span, message);
                *d = d.clone().help("give each case a name that differs in letters or digits".to_owned());
            }
        }
        Some(self.finish(cases))
    }

    fn finish(&self, cases: Vec<Case>) -> TestFile {
        TestFile { skill: skill_of(self.display), path: self.display.to_path_buf(), cases }
    }

    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }

    fn case(&mut self, node: &Node) -> Option<Case> {
        let Some(entries) = node.as_map() else {
            self.error(Some(node.span.clone()), format!("a case is a mapping, not {}", node.kind_name()));
            return None;
        };
        let mut ok = true;
        for (key, _) in entries {
            let name = key.as_str().unwrap_or_default();
            if !CASE_KEYS.contains(&name) {
                let d = self.error(Some(key.span.clone()), format!("unknown key `{name}` in a case"));
                let help = match did_you_mean(name, CASE_KEYS.iter().copied()) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => format!("a case has {}", backticked(CASE_KEYS)),
                };
                *d = d.clone().help(help);
                ok = false;
            }
        }
        let name = match node.get("name") {
            Some(n) => match n.as_str().filter(|s| !s.trim().is_empty()) {
                Some(s) => s.to_owned(),
                None => {
                    self.error(Some(n.span.clone()), "a case's `name` is a non-empty string");
                    return None;
                }
            },
            None => {
                self.error(Some(node.span.start..node.span.start + 1), "a case needs a `name`");
                return None;
            }
        };
        if slug(&name).is_empty() {
            let span = node.get("name").map(|n| n.span.clone());
            self.error(span, format!("case name `{name}` has no letter or digit to name its cassette by"));
            ok = false;
        }
        let org = match node.get("org") {
            Some(n) => match n.as_str().filter(|s| crate::erp::is_org_id(s)) {
                Some(s) => s.to_owned(),
                None => {
                    let shown = n.scalar_text().map_or_else(|| n.kind_name().to_owned(), std::borrow::Cow::into_owned);
                    self.error(Some(n.span.clone()), format!("`{shown}` is not an org id"));
                    ok = false;
                    String::new()
                }
            },
            None => {
                let d = self.error(Some(node.span.start..node.span.start + 1), format!("case `{name}` needs an `org`"));
                *d = d.clone().help("the org is created in the case's fresh ERP, e.g. `org: acme`".to_owned());
                ok = false;
                String::new()
            }
        };
        let input = match node.get("input") {
            None => Value::Object(serde_json::Map::new()),
            Some(n) if n.as_map().is_some() => n.to_json(),
            Some(n) if matches!(n.value, yaml::Value::Null) => Value::Object(serde_json::Map::new()),
            Some(n) => {
                self.error(Some(n.span.clone()), format!("a case's `input` is a mapping, not {}", n.kind_name()));
                ok = false;
                Value::Null
            }
        };
        let (fixtures, fixture_spans) = self.fixtures(node.get("fixtures")).unwrap_or_else(|| {
            ok = false;
            Default::default()
        });
        let persona = match node.get("persona") {
            None => None,
            Some(n) => match n.as_str() {
                Some(s) => Some(s.to_owned()),
                None => {
                    self.error(Some(n.span.clone()), format!("`persona` is a persona id, not {}", n.kind_name()));
                    ok = false;
                    None
                }
            },
        };
        let approve = match node.get("approve") {
            None => None,
            Some(n) => match n.as_str() {
                Some("t2") => Some(Tier::T2),
                Some("t3") => Some(Tier::T3),
                _ => {
                    let d = self.error(Some(n.span.clone()), "`approve` is `t2` or `t3`");
                    *d = d.clone().help("as `agentb run --approve`: `t2` confirms T2 calls, `t3` both".to_owned());
                    ok = false;
                    None
                }
            },
        };
        let messages = match node.get("messages") {
            None => Vec::new(),
            Some(n) => match n.as_seq() {
                Some(items) => items
                    .iter()
                    .filter_map(|m| match m.as_str() {
                        Some(s) if !s.trim().is_empty() => Some(s.to_owned()),
                        _ => {
                            self.error(Some(m.span.clone()), "each of `messages` is a non-empty string");
                            ok = false;
                            None
                        }
                    })
                    .collect(),
                None => {
                    self.error(Some(n.span.clone()), format!("`messages` is a list of strings, not {}", n.kind_name()));
                    ok = false;
                    Vec::new()
                }
            },
        };
        let expect = match node.get("expect") {
            None => Expect::default(),
            Some(n) => self.expect(n).unwrap_or_else(|| {
                ok = false;
                Expect::default()
            }),
        };
        ok.then(|| Case {
            slug: slug(&name),
            line: self.line(node.span.start),
            name,
            org,
            input,
            fixtures,
            fixture_spans,
            persona,
            approve,
            messages,
            expect,
        })
    }

    #[allow(clippy::type_complexity)]
    fn fixtures(
        &mut self,
        node: Option<&Node>,
    ) -> Option<(BTreeMap<String, Vec<Value>>, BTreeMap<String, Range<usize>>)> {
        let mut records = BTreeMap::new();
        let mut spans = BTreeMap::new();
        let Some(node) = node else { return Some((records, spans)) };
        if matches!(node.value, yaml::Value::Null) {
            return Some((records, spans));
        }
        let Some(entries) = node.as_map() else {
            self.error(
                Some(node.span.clone()),
                format!("`fixtures` maps collection names to records, not {}", node.kind_name()),
            );
            return None;
        };
        let mut ok = true;
        for (key, value) in entries {
            let name = key.as_str().unwrap_or_default().to_owned();
            let Some(items) = value.as_seq() else {
                self.error(
                    Some(value.span.clone()),
                    format!("fixtures of `{name}` are a list of records, not {}", value.kind_name()),
                );
                ok = false;
                continue;
            };
            let mut list = Vec::new();
            for item in items {
                if item.as_map().is_none() {
                    self.error(
                        Some(item.span.clone()),
                        format!("a `{name}` fixture is a record (a mapping), not {}", item.kind_name()),
                    );
                    ok = false;
                    continue;
                }
                list.push(item.to_json());
            }
            spans.insert(name.clone(), key.span.clone());
            records.insert(name, list);
        }
        ok.then_some((records, spans))
    }

    fn expect(&mut self, node: &Node) -> Option<Expect> {
        if matches!(node.value, yaml::Value::Null) {
            return Some(Expect::default());
        }
        let Some(entries) = node.as_map() else {
            self.error(
                Some(node.span.clone()),
                format!("`expect` is a mapping of assertions, not {}", node.kind_name()),
            );
            return None;
        };
        let mut e = Expect::default();
        let mut ok = true;
        for (key, value) in entries {
            let name = key.as_str().unwrap_or_default();
            match name {
                "status" => match value.as_str().and_then(EndStatus::parse) {
                    Some(s) => e.status = Some(s),
                    None => {
                        let d = self.error(Some(value.span.clone()), "unknown `status`");
                        *d = d.clone().help("one of `completed`, `failed`, `awaiting_approval`, `stopped`".to_owned());
                        ok = false;
                    }
                },
                "breaker" => match value.as_str() {
                    Some(b) if BREAKERS.contains(&b) => e.breaker = Some(b.to_owned()),
                    _ => {
                        let shown = value.scalar_text().map(std::borrow::Cow::into_owned).unwrap_or_default();
                        let d = self.error(Some(value.span.clone()), format!("unknown breaker `{shown}`"));
                        let help = match did_you_mean(&shown, BREAKERS.iter().copied()) {
                            Some(m) => format!("did you mean `{m}`?"),
                            None => format!("one of {}", backticked(BREAKERS)),
                        };
                        *d = d.clone().help(help);
                        ok = false;
                    }
                },
                "output" => match self.output(value) {
                    Some(o) => e.output = o,
                    None => ok = false,
                },
                "tools_called" | "tools_order" | "tools_not_called" => match self.tool_list(name, value) {
                    Some(list) => match name {
                        "tools_called" => e.tools_called = list,
                        "tools_order" => e.tools_order = list,
                        _ => e.tools_not_called = list,
                    },
                    None => ok = false,
                },
                "tools_refused" => match self.refusals(value) {
                    Some(list) => e.tools_refused = list,
                    None => ok = false,
                },
                "proposals" => match self.proposals(value) {
                    Some(list) => e.proposals = list,
                    None => ok = false,
                },
                "max_turns" => match &value.value {
                    yaml::Value::Int(n) if *n >= 0 => e.max_turns = u32::try_from(*n).ok(),
                    _ => {
                        self.error(Some(value.span.clone()), "`max_turns` is a whole number");
                        ok = false;
                    }
                },
                "max_cost_usd" => match &value.value {
                    yaml::Value::Int(n) if *n >= 0 => e.max_cost_usd = Some(*n as f64),
                    yaml::Value::Float(f) if *f >= 0.0 => e.max_cost_usd = Some(*f),
                    _ => {
                        self.error(Some(value.span.clone()), "`max_cost_usd` is a number of dollars");
                        ok = false;
                    }
                },
                other => {
                    let d = self.error(Some(key.span.clone()), format!("unknown assertion `{other}`"));
                    let help = match did_you_mean(other, ASSERTIONS.iter().copied()) {
                        Some(m) => format!("did you mean `{m}`?"),
                        None => format!("assertions: {}", backticked(ASSERTIONS)),
                    };
                    *d = d.clone().help(help);
                    ok = false;
                }
            }
        }
        ok.then_some(e)
    }

    fn output(&mut self, node: &Node) -> Option<Vec<(OutputPath, Vec<Matcher>)>> {
        let Some(entries) = node.as_map() else {
            self.error(Some(node.span.clone()), format!("`output` maps paths to matchers, not {}", node.kind_name()));
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (key, value) in entries {
            let text = key.scalar_text().map(std::borrow::Cow::into_owned).unwrap_or_default();
            let path = match OutputPath::parse(&text) {
                Ok(p) => p,
                Err(why) => {
                    let d = self.error(Some(key.span.clone()), format!("invalid output path `{text}`: {why}"));
                    *d = d
                        .clone()
                        .help("paths look like `a.b`, `a[0]`, `a.b[2].c`, or `$` for the whole output".to_owned());
                    ok = false;
                    continue;
                }
            };
            match matcher::parse(value) {
                Ok(m) => out.push((path, m)),
                Err((span, why)) => {
                    self.error(Some(span), why);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn tool_list(&mut self, name: &str, node: &Node) -> Option<Vec<ToolRef>> {
        let Some(items) = node.as_seq() else {
            self.error(Some(node.span.clone()), format!("`{name}` is a list of tool names, not {}", node.kind_name()));
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            match item.as_str() {
                Some(s) => out.push(ToolRef { name: s.to_owned(), span: item.span.clone() }),
                None => {
                    self.error(Some(item.span.clone()), format!("each of `{name}` is a tool name"));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn refusals(&mut self, node: &Node) -> Option<Vec<(Refusal, Range<usize>)>> {
        let Some(items) = node.as_seq() else {
            self.error(
                Some(node.span.clone()),
                format!("`tools_refused` is a list of `{{tool, rule}}`, not {}", node.kind_name()),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let fields = self.entry(item, "tools_refused", &["tool", "rule"]);
            let Some(fields) = fields else {
                ok = false;
                continue;
            };
            let rule = fields.get("rule").cloned();
            if let Some(rule) = &rule
                && !RULES.iter().any(|r| r == rule || r.starts_with(&format!("{rule}.")))
                && !rule.starts_with("hooks.pre_tool_use[")
            {
                let span = item.get("rule").map(|n| n.span.clone());
                let d = self.error(span, format!("unknown guard rule `{rule}`"));
                let help = match did_you_mean(rule, RULES.iter().copied()) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "rules are named as in the audit log: `granted`, `org_isolation`, `per_turn`, `per_run`, `tier_calls.t1`, `breaker.max_turns`, `hooks.pre_tool_use[0]`, `input_schema`, `input_size`".to_owned(),
                };
                *d = d.clone().help(help);
                ok = false;
                continue;
            }
            let Some(tool) = fields.get("tool").cloned() else {
                self.error(Some(item.span.clone()), "a `tools_refused` entry needs a `tool`");
                ok = false;
                continue;
            };
            out.push((Refusal { tool, rule }, item.span.clone()));
        }
        ok.then_some(out)
    }

    fn proposals(&mut self, node: &Node) -> Option<Vec<(ExpectedProposal, Range<usize>)>> {
        let Some(items) = node.as_seq() else {
            self.error(
                Some(node.span.clone()),
                format!("`proposals` is a list of `{{tool, tier, status}}`, not {}", node.kind_name()),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(fields) = self.entry(item, "proposals", &["tool", "tier", "status"]) else {
                ok = false;
                continue;
            };
            let tier = fields.get("tier").map(|t| t.to_ascii_lowercase());
            if let Some(t) = &tier
                && !["t2", "t3"].contains(&t.as_str())
            {
                let span = item.get("tier").map(|n| n.span.clone());
                self.error(span, format!("a proposal's tier is `t2` or `t3`, not `{t}`"));
                ok = false;
            }
            let status = fields.get("status").map(|s| s.to_ascii_lowercase());
            if let Some(s) = &status
                && !STATUSES.contains(&s.as_str())
            {
                let span = item.get("status").map(|n| n.span.clone());
                let d = self.error(span, format!("unknown proposal status `{s}`"));
                *d = d.clone().help(format!("one of {}", backticked(STATUSES)));
                ok = false;
            }
            let Some(tool) = fields.get("tool").cloned() else {
                self.error(Some(item.span.clone()), "a `proposals` entry needs a `tool`");
                ok = false;
                continue;
            };
            out.push((ExpectedProposal { tool, tier, status }, item.span.clone()));
        }
        ok.then_some(out)
    }

    /// Reads a flat mapping of string fields, reporting keys outside `keys`.
    fn entry(&mut self, item: &Node, list: &str, keys: &[&str]) -> Option<BTreeMap<String, String>> {
        let Some(entries) = item.as_map() else {
            self.error(Some(item.span.clone()), format!("each of `{list}` is a mapping with {}", backticked(keys)));
            return None;
        };
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (k, v) in entries {
            let key = k.as_str().unwrap_or_default();
            if !keys.contains(&key) {
                let d = self.error(Some(k.span.clone()), format!("unknown key `{key}` in a `{list}` entry"));
                *d = d.clone().help(format!("an entry has {}", backticked(keys)));
                ok = false;
                continue;
            }
            match v.scalar_text() {
                Some(text) if v.as_map().is_none() && v.as_seq().is_none() => {
                    out.insert(key.to_owned(), text.into_owned());
                }
                _ => {
                    self.error(Some(v.span.clone()), format!("`{key}` is a string, not {}", v.kind_name()));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

/// What [`check`] needs to know of the skill a file tests.
#[derive(Debug, Clone, Default)]
pub struct SkillView {
    /// The tools the skill's permissions grant, with the collection each reaches.
    pub granted: BTreeMap<String, String>,
    /// Every tool name any permission could grant in this project.
    pub known_tools: Vec<String>,
    /// The ids of the project's personas.
    pub personas: Vec<String>,
}

/// Checks a parsed file against the skill it tests: tools named in assertions, fixtures for
/// collections no granted tool can reach, personas that do not exist.
pub fn check(file: &TestFile, skill: &SkillView) -> Vec<Diagnostic> {
    let display = file.path.as_path();
    let mut diags = Vec::new();
    let reachable: Vec<&str> = skill.granted.values().map(String::as_str).collect();
    let granted: Vec<&str> = skill.granted.keys().map(String::as_str).collect();
    let unknown = |tool: &ToolRef, must_be_granted: bool, diags: &mut Vec<Diagnostic>| {
        let known = skill.known_tools.contains(&tool.name);
        let is_granted = skill.granted.contains_key(&tool.name);
        if is_granted || (known && !must_be_granted) {
            return;
        }
        let message = if known {
            format!("skill `{}` is not granted `{}`, so it can never be called", file.skill, tool.name)
        } else {
            format!("unknown tool `{}`", tool.name)
        };
        let mut d = Diagnostic::new(&rules::INVALID_TEST_FILE, display, Some(tool.span.clone()), message);
        let pool: Vec<&str> =
            if must_be_granted { granted.clone() } else { skill.known_tools.iter().map(String::as_str).collect() };
        if let Some(m) = did_you_mean(&tool.name, pool.iter().copied()) {
            d = d.help(format!("did you mean `{m}`?"));
        } else if must_be_granted {
            d = d.help(format!(
                "the skill's tools: {}",
                if granted.is_empty() { "none".to_owned() } else { backticked(&granted) }
            ));
        }
        diags.push(d);
    };
    for case in &file.cases {
        let e = &case.expect;
        for t in e.tools_called.iter().chain(&e.tools_order) {
            unknown(t, true, &mut diags);
        }
        for t in &e.tools_not_called {
            unknown(t, false, &mut diags);
        }
        for (r, span) in &e.tools_refused {
            unknown(&ToolRef { name: r.tool.clone(), span: span.clone() }, false, &mut diags);
        }
        for (p, span) in &e.proposals {
            unknown(&ToolRef { name: p.tool.clone(), span: span.clone() }, true, &mut diags);
        }
        for (collection, span) in &case.fixture_spans {
            if !reachable.contains(&collection.as_str()) {
                let mut d = Diagnostic::new(
                    &rules::INVALID_TEST_FILE,
                    display,
                    Some(span.clone()),
                    format!("fixtures for `{collection}`, which no tool of skill `{}` can reach", file.skill),
                );
                d = match did_you_mean(collection, reachable.iter().copied()) {
                    Some(m) => d.help(format!("did you mean `{m}`?")),
                    None if reachable.is_empty() => d.help("the skill's permissions grant no ERP tool".to_owned()),
                    None => {
                        let mut r: Vec<&str> = reachable.clone();
                        r.sort_unstable();
                        r.dedup();
                        d.help(format!("its tools reach {}", backticked(&r)))
                    }
                };
                diags.push(d);
            }
        }
        if let Some(persona) = &case.persona
            && !skill.personas.contains(persona)
        {
            let mut d = Diagnostic::new(
                &rules::INVALID_TEST_FILE,
                display,
                None,
                format!("case `{}` names the unknown persona `{persona}`", case.name),
            );
            if let Some(m) = did_you_mean(persona, skill.personas.iter().map(String::as_str)) {
                d = d.help(format!("did you mean `{m}`?"));
            }
            diags.push(d);
        }
    }
    diags
}

/// The proposal states, lower case, as `proposals` entries name them.
const STATUSES: &[&str] = &["pending", "confirmed", "executing", "executed", "rejected", "expired", "failed", "undone"];

fn backticked(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Option<TestFile>, Vec<String>) {
        let (file, diags) = parse(text, Path::new("skills/brief-creator.test.yaml"));
        (file, diags.into_iter().map(|d| d.message).collect())
    }

    const GOOD: &str = r#"cases:
  - name: drafts a brief for a known client
    org: acme
    input: { client_context: { id: c1 }, request_details: "Spring campaign video" }
    fixtures:
      clients: [ { id: c1, name: "Acme Foods" } ]
    approve: t2
    messages: ["go on"]
    expect:
      status: completed
      output: { draft_brief.title: { contains: "Spring" }, "quality_warnings": [] }
      tools_called: [erp_get_client]
      tools_not_called: [erp_delete_brief]
      tools_refused: [ { tool: erp_delete_brief, rule: granted } ]
      proposals: [ { tool: erp_create_brief, status: pending } ]
      max_turns: 6
      max_cost_usd: 0.05
"#;

    #[test]
    fn the_spec_example_parses_whole() {
        let (file, diags) = parsed(GOOD);
        assert!(diags.is_empty(), "{diags:?}");
        let file = file.unwrap();
        assert_eq!(file.skill, "brief-creator");
        let case = &file.cases[0];
        assert_eq!(case.slug, "drafts-a-brief-for-a-known-client");
        assert_eq!(case.line, 2);
        assert_eq!(case.org, "acme");
        assert_eq!(case.input["client_context"]["id"], "c1");
        assert_eq!(case.fixtures["clients"][0]["name"], "Acme Foods");
        assert_eq!(case.approve, Some(Tier::T2));
        assert_eq!(case.messages, vec!["go on".to_owned()]);
        let e = &case.expect;
        assert_eq!(e.status, Some(EndStatus::Completed));
        assert_eq!(e.output.len(), 2);
        assert_eq!(e.tools_called[0].name, "erp_get_client");
        assert_eq!(e.tools_refused[0].0.rule.as_deref(), Some("granted"));
        assert_eq!(e.proposals[0].0.status.as_deref(), Some("pending"));
        assert_eq!(e.max_turns, Some(6));
        assert_eq!(e.max_cost_usd, Some(0.05));
    }

    #[test]
    fn slugs_fold_case_and_runs_of_other_characters() {
        assert_eq!(slug("Drafts a brief — for ACME!"), "drafts-a-brief-for-acme");
        assert_eq!(slug("  a__b  "), "a-b");
        assert_eq!(slug("日本"), "");
    }

    #[test]
    fn unknown_keys_and_assertions_are_named_with_a_suggestion() {
        let (file, diags) =
            parsed("cases:\n  - name: a\n    org: acme\n    inptu: {}\n    expect:\n      statsu: completed\n");
        assert!(file.is_none());
        assert_eq!(diags, vec!["unknown key `inptu` in a case", "unknown assertion `statsu`"]);
        let (_, all) = parse("cases:\n  - name: a\n    org: acme\n    inptu: {}\n", Path::new("x.test.yaml"));
        assert_eq!(all[0].help.as_deref(), Some("did you mean `input`?"));
        assert_eq!(all[0].span, Some(37..42));
    }

    #[test]
    fn duplicate_slugs_are_errors() {
        let (file, diags) = parsed("cases:\n  - name: Brief one\n    org: acme\n  - name: brief-one\n    org: acme\n");
        assert!(file.is_none());
        assert_eq!(diags, vec!["cases `Brief one` and `brief-one` share the cassette name `brief-one`"]);
    }

    #[test]
    fn bad_values_are_errors_at_their_place() {
        let (_, diags) = parsed(
            "cases:\n  - name: a\n    org: Not An Org\n    approve: t1\n    expect:\n      status: done\n      breaker: max_turn\n      tools_refused: [{tool: x, rule: grant}]\n      proposals: [{tool: y, tier: t5}]\n",
        );
        assert_eq!(
            diags,
            vec![
                "`Not An Org` is not an org id",
                "`approve` is `t2` or `t3`",
                "unknown `status`",
                "unknown breaker `max_turn`",
                "unknown guard rule `grant`",
                "a proposal's tier is `t2` or `t3`, not `t5`",
            ]
        );
    }

    #[test]
    fn syntax_errors_and_wrong_shapes_are_diagnostics_not_panics() {
        for text in ["cases: [", "- a\n- b\n", "cases: 3\n", "", "cases:\n  - 3\n", "cases:\n  - name: a\n"] {
            let (file, diags) = parsed(text);
            assert!(file.is_none(), "{text:?}");
            assert!(!diags.is_empty(), "{text:?}");
        }
        let (file, diags) = parsed("cases:\n");
        assert!(diags.is_empty());
        assert!(file.unwrap().cases.is_empty());
    }

    #[test]
    fn check_names_ungranted_tools_unreachable_fixtures_and_unknown_personas() {
        let (file, _) = parsed(
            "cases:\n  - name: a\n    org: acme\n    persona: acount-manager\n    fixtures: { deals: [] , client: [] }\n    expect:\n      tools_called: [erp_get_clinet, erp_delete_deal]\n      tools_not_called: [erp_nothing]\n",
        );
        let view = SkillView {
            granted: [("erp_get_client".to_owned(), "clients".to_owned())].into(),
            known_tools: vec!["erp_get_client".to_owned(), "erp_delete_deal".to_owned()],
            personas: vec!["account-manager".to_owned()],
        };
        let diags = check(&file.unwrap(), &view);
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "unknown tool `erp_get_clinet`",
                "skill `brief-creator` is not granted `erp_delete_deal`, so it can never be called",
                "unknown tool `erp_nothing`",
                "fixtures for `client`, which no tool of skill `brief-creator` can reach",
                "fixtures for `deals`, which no tool of skill `brief-creator` can reach",
                "case `a` names the unknown persona `acount-manager`",
            ]
        );
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `erp_get_client`?"));
        assert_eq!(diags[3].help.as_deref(), Some("did you mean `clients`?"));
    }
}
