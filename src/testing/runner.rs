//! Runs test cases: each one a real run (the guard, tiers, proposals, breakers, hooks and the
//! project's limits) with a fresh in-memory ERP seeded with its fixtures, a fixed clock, seeded
//! ids, its own sessions folder, and a model that replays, records or calls the API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::claude::Model;
use crate::compile::Artifact;
use crate::config::InstanceConfig;
use crate::erp::local::LocalErp;
use crate::erp::{Instance, Store as ErpStore};
use crate::runtime::clock::Clock;
use crate::runtime::ids::Ids;
use crate::runtime::lifecycle::{self, Outcome as RunOutcome, ResumeOptions, RunConfig, RunDeps, RunReport};
use crate::runtime::proposals::State;
use crate::runtime::{Silent, session};
use crate::skill::Persona;
use crate::testing::assertions::{self, Call, Outcome, ProposalSeen};
use crate::testing::cassette::{self, Cassette, CassetteError, Recorder, Replay};
use crate::testing::report::{CaseReport, CaseStatus, Report, Suite};
use crate::testing::spec::{Case, EndStatus, TestFile};

/// The instant every case starts at (SPEC §10).
pub const CASE_START: &str = "2026-01-01T00:00:00Z";

/// Where a case's model answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// From the cassette; never opens a connection.
    Replay,
    /// From the API, replacing the cassette.
    Record,
    /// From the API, writing nothing.
    Live,
}

/// One test file ready to run: its cases and the artifact of the skill they test.
#[derive(Debug, Clone)]
pub struct Planned {
    pub file: TestFile,
    /// `None` when the file names a skill the project does not have: its cases are errors.
    pub artifact: Option<Arc<Artifact>>,
    /// Why the file's cases cannot run, when they cannot.
    pub problem: Option<String>,
}

/// What every case of a run shares.
pub struct Context<'a> {
    pub mode: Mode,
    /// The project root, for relative paths in reports.
    pub root: &'a Path,
    pub skills_dir: &'a Path,
    pub config: &'a RunConfig,
    pub model: String,
    pub max_tokens: u32,
    pub personas: &'a [Persona],
    /// The orgs a case may name (the default instance's), when the config lists them.
    pub orgs: Option<&'a [String]>,
    /// The real API client, for `record` and `live`.
    pub api: Option<&'a dyn Model>,
    /// Called after each case with its result.
    pub on_case: &'a (dyn Fn(&str, &CaseReport) + Sync),
}

/// Runs every planned case, `jobs` at a time, and returns the report (suites in file order,
/// cases in their file's order).
pub fn run(ctx: &Context<'_>, planned: &[Planned], jobs: usize) -> anyhow::Result<Report> {
    let rt = crate::rt::build()?;
    let work: Vec<(usize, usize)> =
        planned.iter().enumerate().flat_map(|(f, p)| (0..p.file.cases.len()).map(move |c| (f, c))).collect();
    let next = AtomicUsize::new(0);
    let results: std::sync::Mutex<BTreeMap<(usize, usize), CaseReport>> = std::sync::Mutex::default();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, work.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(f, c)) = work.get(i) else { break };
                    let p = &planned[f];
                    let report = rt.block_on(run_case(ctx, p, &p.file.cases[c]));
                    (ctx.on_case)(&p.file.skill, &report);
                    if let Ok(mut r) = results.lock() {
                        r.insert((f, c), report);
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    let suites = planned
        .iter()
        .enumerate()
        .map(|(f, p)| Suite {
            skill: p.file.skill.clone(),
            file: display(ctx.root, &p.file.path),
            cases: (0..p.file.cases.len()).filter_map(|c| results.remove(&(f, c))).collect(),
        })
        .collect();
    Ok(Report::new(suites))
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Returns a case's seed: the first 8 bytes of sha256(`skill:slug`).
pub fn seed(skill: &str, slug: &str) -> u64 {
    let digest = Sha256::digest(format!("{skill}:{slug}").as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Runs one case and returns its result; nothing it meets is an error of the whole run.
pub async fn run_case(ctx: &Context<'_>, planned: &Planned, case: &Case) -> CaseReport {
    let started = Instant::now();
    let skill = planned.file.skill.as_str();
    let at = format!("{}:{}", display(ctx.root, &planned.file.path), case.line);
    let mut report = CaseReport {
        name: case.name.clone(),
        status: CaseStatus::Passed,
        duration_ms: 0,
        failures: Vec::new(),
        error: None,
        hint: None,
        line: case.line,
    };
    let result = match (&planned.artifact, &planned.problem) {
        (Some(artifact), None) => execute(ctx, artifact, skill, case, &at).await,
        (_, problem) => Err(CaseError::new(problem.clone().unwrap_or_else(|| format!("{at}: no skill `{skill}`")))),
    };
    match result {
        Ok(failures) => {
            report.status = if failures.is_empty() { CaseStatus::Passed } else { CaseStatus::Failed };
            report.failures = failures;
        }
        Err(e) => {
            report.status = CaseStatus::Error;
            report.error = Some(e.message);
            report.hint = e.hint;
        }
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// Why a case could not run to its end.
#[derive(Debug)]
struct CaseError {
    message: String,
    hint: Option<String>,
}

impl CaseError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), hint: None }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The model a case talks to.
enum CaseModel<'a> {
    Replay(Replay),
    Record(Recorder<'a>),
    Live(&'a dyn Model),
}

impl CaseModel<'_> {
    fn model(&self) -> &dyn Model {
        match self {
            CaseModel::Replay(r) => r,
            CaseModel::Record(r) => r,
            CaseModel::Live(m) => *m,
        }
    }
}

async fn execute(
    ctx: &Context<'_>,
    artifact: &Arc<Artifact>,
    skill: &str,
    case: &Case,
    at: &str,
) -> Result<Vec<assertions::Failure>, CaseError> {
    if let Some(orgs) = ctx.orgs
        && !orgs.contains(&case.org)
    {
        let mut e = CaseError::new(format!(
            "{at}: case `{}` names org `{}`, which the instance does not have",
            case.name, case.org
        ));
        if let Some(m) = crate::text::did_you_mean(&case.org, orgs.iter().map(String::as_str)) {
            e = e.hint(format!("did you mean `{m}`?"));
        }
        return Err(e);
    }
    let persona = match &case.persona {
        Some(id) => match ctx.personas.iter().find(|p| p.id.value == *id) {
            Some(p) => {
                crate::runtime::persona::check_allowed(p, skill).map_err(|e| CaseError::new(format!("{at}: {e}")))?;
                Some(p)
            }
            None => return Err(CaseError::new(format!("{at}: no persona `{id}` in this project"))),
        },
        None => None,
    };
    let seed = seed(skill, &case.slug);
    let start: Timestamp = CASE_START.parse().expect("a valid timestamp");
    let store = ErpStore::in_memory_fixed(start, seed).map_err(|e| CaseError::new(format!("{at}: {e}")))?;
    store
        .add_org(&case.org, &case.org)
        .map_err(|e| CaseError::new(format!("{at}: org `{}`: {}", case.org, e.message)))?;
    for (collection, records) in &case.fixtures {
        for (n, record) in records.iter().enumerate() {
            let Value::Object(body) = record.clone() else { continue };
            if let Err(e) = store.create(&case.org, collection, body) {
                return Err(CaseError::new(format!(
                    "{at}: fixture {} of `{collection}` does not fit the collection: {}",
                    n + 1,
                    e.message
                )));
            }
        }
    }
    let instance = Instance {
        name: "test".to_owned(),
        config: InstanceConfig {
            url: "local".to_owned(),
            key_env: None,
            orgs: Some(vec![case.org.clone()]),
            timeout_secs: 30,
            max_retries: 0,
        },
        erp: Arc::new(LocalErp::with_store("test", Arc::new(store))),
    };
    let clock = Clock::from_spec(Some(CASE_START)).expect("a valid clock");
    let ids = Ids::seeded(seed);
    let sessions = tempfile::tempdir().map_err(|e| CaseError::new(format!("cannot create a sessions folder: {e}")))?;
    let sessions = session::Store::new(sessions.path().to_path_buf());
    let cassette_file = cassette::path(ctx.skills_dir, skill, &case.slug);
    let cassette_shown = PathBuf::from(display(ctx.root, &cassette_file));
    let rerecord = format!("re-record with `agentb test {skill} --mode record`");
    let model = match ctx.mode {
        Mode::Replay => match Cassette::load(&cassette_file, &cassette_shown) {
            Ok(c) => CaseModel::Replay(Replay::new(&c)),
            Err(e @ CassetteError::Missing { .. }) => {
                return Err(CaseError::new(format!("case `{}`: {e}", case.name)).hint(rerecord));
            }
            Err(e) => return Err(CaseError::new(format!("case `{}`: {e}", case.name)).hint(rerecord)),
        },
        Mode::Record => CaseModel::Record(Recorder::new(ctx.api.expect("record mode has a client"))),
        Mode::Live => CaseModel::Live(ctx.api.expect("live mode has a client")),
    };
    let deps = RunDeps {
        model: model.model(),
        instance: &instance,
        store: &sessions,
        clock: &clock,
        ids: &ids,
        config: ctx.config,
        approve: case.approve,
        prompter: None,
        observer: &Silent,
        stream: false,
        interrupt: None,
        check: None,
    };
    let session = lifecycle::new_session(lifecycle::NewSession {
        artifact: artifact.as_ref().clone(),
        origin: None,
        persona,
        org: &case.org,
        instance: "test",
        input: case.input.clone(),
        model: persona.and_then(|p| p.model.clone()).unwrap_or_else(|| ctx.model.clone()),
        max_tokens: ctx.max_tokens,
        clock: &clock,
        ids: &ids,
    });
    let result = match session {
        Ok(session) => drive(&deps, session, case).await,
        Err(e) => Err(CaseError::new(format!("{at}: {e:#}"))),
    };
    if let CaseModel::Record(recorder) = &model {
        let recorded = Cassette {
            scripted: None,
            skill: skill.to_owned(),
            case: case.name.clone(),
            interactions: recorder.interactions(),
        };
        if let Err(e) = recorded.save(&cassette_file) {
            return Err(CaseError::new(format!("cannot write `{}`: {e:#}", cassette_shown.display())));
        }
    }
    if let CaseModel::Replay(replay) = &model
        && let Some(miss) = replay.miss()
    {
        return Err(CaseError::new(format!("case `{}`: {}", case.name, miss.message)).hint(rerecord));
    }
    let report = result?;
    if let RunOutcome::Error(e) = &report.outcome {
        return Err(CaseError::new(format!("case `{}`: the run failed: {e:#}", case.name)));
    }
    let outcome = outcome_of(&report, &sessions, artifact)?;
    Ok(assertions::check(&case.expect, &outcome))
}

/// Starts the case's run, then resumes it once per later message.
async fn drive(deps: &RunDeps<'_>, session: session::Session, case: &Case) -> Result<RunReport, CaseError> {
    let fail = |e: anyhow::Error| CaseError::new(format!("case `{}`: {e:#}", case.name));
    let mut report = lifecycle::start(deps, session, "test").await.map_err(fail)?;
    for message in &case.messages {
        if matches!(report.outcome, RunOutcome::Error(_) | RunOutcome::Stopped(_)) {
            break;
        }
        let opts = ResumeOptions { session: report.session.clone(), message: Some(message.clone()), reject: false };
        let resumable = lifecycle::open(deps.store, deps.clock, &opts).map_err(fail)?;
        report = lifecycle::resume(deps, resumable, &opts).await.map_err(fail)?;
    }
    Ok(report)
}

/// Returns what the assertions look at: the run's end, its output checked against the schema,
/// the tool requests of the audit log and the session's proposals.
fn outcome_of(report: &RunReport, sessions: &session::Store, artifact: &Artifact) -> Result<Outcome, CaseError> {
    let (status, breaker) = match &report.outcome {
        RunOutcome::Completed => (EndStatus::Completed, None),
        RunOutcome::AwaitingApproval { .. } => (EndStatus::AwaitingApproval, None),
        RunOutcome::Stopped(trip) => (EndStatus::Stopped, Some(trip.breaker.key().to_owned())),
        RunOutcome::InvalidOutput(_) | RunOutcome::Refused(_) | RunOutcome::Interrupted | RunOutcome::Error(_) => {
            (EndStatus::Failed, None)
        }
    };
    let schema_errors = match &report.output {
        Some(output) => crate::runtime::output::validate(&artifact.output_schema, output).unwrap_or_else(|e| vec![e]),
        None => Vec::new(),
    };
    let entries = sessions
        .audit(&report.session)
        .read()
        .map_err(|e| CaseError::new(format!("cannot read the audit log: {e}")))?;
    let calls = entries
        .iter()
        .filter(|e| e.event == "tool_call")
        .map(|e| {
            let field = |k: &str| e.fields.get(k).and_then(Value::as_str).map(str::to_owned);
            let passed = field("decision").as_deref() != Some("refuse");
            Call { tool: field("tool").unwrap_or_default(), passed, rule: if passed { None } else { field("rule") } }
        })
        .collect();
    let proposals = sessions
        .proposals(&report.session)
        .map_err(|e| CaseError::new(format!("cannot read the proposals: {e:#}")))?
        .iter()
        .map(|p| ProposalSeen { tool: p.tool.clone(), tier: p.tier.to_string(), status: state_name(p.state) })
        .collect();
    Ok(Outcome {
        status: Some(status),
        breaker,
        output: report.output.clone(),
        schema_errors,
        calls,
        proposals,
        turns: report.turns,
        cost_usd: report.cost_usd,
    })
}

fn state_name(state: State) -> String {
    state.as_str().to_ascii_lowercase()
}
