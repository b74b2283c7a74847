//! The run lifecycle (SPEC §8) as library calls, with no terminal: [`prepare`] checks the org,
//! loads the skill the org runs (the deployed artifact, or the working copy: see
//! [`super::deployed`]), the persona and the input (its defaults filled in) into a new [`Session`];
//! [`dry_run`] returns the exact request it would send; [`start`] checks the org, creates the
//! `AgentInvocation`, drives the loop and [`conclude`]s; [`open`] and [`resume`] continue a
//! session (`--resume ID --message`), soft-confirming or rejecting its T2 proposals. Everything
//! the world provides — the model, the ERP, the clock, the ids, the sessions folder, the
//! approval policy, the prompter and the observer — comes in through [`RunDeps`], so `agentb
//! test` runs a case with a fake model and an in-memory ERP the same way.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::{Map, Value};

use super::clock::Clock;
use super::deployed::{self, Origin};
use super::error::RunError;
use super::guard::Trip;
use super::hooks::{Event, Hooks};
use super::ids::Ids;
use super::interrupt::Interrupt;
use super::proposals::{Proposal, State};
use super::session::{self, Lock, Session, Store};
use super::{Ending, Observer, Prompter, Runtime, audit, build_request, initial_message, output, persona};
use crate::claude::{MessagesRequest, Model, Usage};
use crate::compile;
use crate::config::{HooksConfig, Pricing, Tier};
use crate::erp::{
    AgentInvocation, ErpExt as _, Instance, InvocationOutcome, InvocationRestart, InvocationStatus, InvocationUsage,
    Record, to_record,
};
use crate::skill::model::Status as SkillStatus;
use crate::workspace::Project;
use crate::workspace::load as project;

/// What the project's config says about every run: hooks, prices, proposal windows, the
/// default model and token limit, and the state folder whose `.gitignore` a run writes.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub hooks: HooksConfig,
    /// The folder hooks run in (the project root).
    pub hook_dir: PathBuf,
    pub pricing: BTreeMap<String, Pricing>,
    /// The T2 soft-confirm window, and per-tool overrides.
    pub t2_window: Duration,
    pub windows: BTreeMap<String, Duration>,
    /// `.agentbuilder/`: its `.gitignore` is written before the first session (`None`: never).
    pub state_dir: Option<PathBuf>,
}

impl RunConfig {
    /// Returns the run config of a project (its windows were validated when the config loaded).
    pub fn from_project(project: &Project) -> Self {
        let p = &project.config.proposals;
        let t2_window = crate::duration::parse(&p.t2_window).unwrap_or(Duration::from_hours(24));
        let windows =
            p.windows.iter().filter_map(|(k, v)| Some((k.clone(), crate::duration::parse(v).ok()?))).collect();
        Self {
            hooks: project.config.hooks.clone(),
            hook_dir: project.root.clone(),
            pricing: project.config.claude.pricing.clone(),
            t2_window,
            windows,
            state_dir: Some(project.state_dir()),
        }
    }
}

/// Returns the project's session store (`.agentbuilder/sessions`).
pub fn store_of(project: &Project) -> Store {
    Store::new(project.state_dir().join("sessions"))
}

/// Returns the session store of an instance: the sessions folder for a local instance; for an
/// http instance the ERP's `agent-sessions`, `agent-session-turns` and `agent-proposals`, with
/// `.agentbuilder/sessions/remote/<instance>/` as the cache.
pub fn store_for(project: &Project, instance: &Instance) -> Store {
    let root = project.state_dir().join("sessions");
    if instance.config.is_local() {
        return Store::new(root);
    }
    let cache = super::shared::cache_dir(&root, &instance.name);
    let backend = super::shared::ErpSessions::new(
        &instance.name,
        Arc::clone(&instance.erp),
        instance.config.orgs.clone(),
        cache.clone(),
    );
    Store::with_backend(cache, Arc::new(backend))
}

/// Returns the instance whose sessions hold session `id` in this machine's folder (the local
/// sessions, then each http instance's cache), if any.
pub fn instance_of_session(project: &Project, id: &str) -> Option<String> {
    if !session::is_session_id(id) {
        return None;
    }
    let root = project.state_dir().join("sessions");
    if let Ok(s) = Store::new(root.clone()).read(id) {
        return Some(s.instance);
    }
    project
        .config
        .erp
        .instances
        .keys()
        .find(|name| super::shared::cache_dir(&root, name).join(id).join("session.json").is_file())
        .cloned()
}

/// Everything a run takes from the world.
pub struct RunDeps<'a> {
    pub model: &'a dyn Model,
    pub instance: &'a Instance,
    pub store: &'a Store,
    pub clock: &'a Clock,
    pub ids: &'a Ids,
    pub config: &'a RunConfig,
    /// `--approve t2|t3`: the tier confirmed without asking.
    pub approve: Option<Tier>,
    /// Asks on a terminal; `None` without one (proposals then wait).
    pub prompter: Option<&'a dyn Prompter>,
    pub observer: &'a dyn Observer,
    /// Whether requests stream (the text goes to the observer).
    pub stream: bool,
    /// Set on Ctrl-C: the run stops at its next safe point (`None`: never).
    pub interrupt: Option<&'a Interrupt>,
    /// A builder's check of every call (`None` for skills).
    pub check: Option<&'a dyn super::CallCheck>,
}

impl RunDeps<'_> {
    #[cfg(test)]
    pub(crate) fn runtime_for_tests(&self) -> Runtime<'_> {
        self.runtime("claude-sonnet-4-5")
    }

    /// Returns the runtime of a session on `model`; warns when the model has no price.
    fn runtime(&self, model: &str) -> Runtime<'_> {
        let pricing = crate::claude::pricing::price_of(&self.config.pricing, model).copied();
        if pricing.is_none() {
            self.observer.warn(&format!(
                "no price for model `{model}` in `[claude.pricing]`: cost is not measured, so `max_cost_usd` cannot stop this run"
            ));
        }
        Runtime {
            model: self.model,
            erp: self.instance.erp.as_ref(),
            store: self.store,
            clock: self.clock,
            ids: self.ids,
            pre_hooks: Hooks::new(Event::PreToolUse, &self.config.hooks.pre_tool_use),
            post_hooks: Hooks::new(Event::PostToolUse, &self.config.hooks.post_tool_use),
            hook_dir: self.config.hook_dir.clone(),
            approve: self.approve,
            prompter: self.prompter,
            pricing,
            t2_window: self.config.t2_window,
            windows: self.config.windows.clone(),
            stream: self.stream,
            observer: self.observer,
            interrupt: self.interrupt,
            check: self.check,
        }
    }
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    pub skill: String,
    pub org: String,
    /// The instance (`None`: the config's `erp.default`).
    pub instance: Option<String>,
    pub persona: Option<String>,
    /// The input given as JSON (`--input-file`).
    pub input: Map<String, Value>,
    /// `key=value` inputs over it: a value is JSON when it parses as JSON, else a string — and
    /// always the string as typed for an input whose schema type is `string`.
    pub raw_inputs: Vec<(String, String)>,
    /// The model (`None`: the persona's, else `claude.model`).
    pub model: Option<String>,
    /// Run the working copy (and the project's persona file), not what the org has deployed.
    pub source: bool,
}

/// Checks the org, then loads the skill the org runs ([`deployed::choose`]), the persona and
/// the input of a run into a new session (not yet saved). What was chosen is said to the
/// observer when it is worth a note (a never-deployed skill) or a warning (a deprecated one).
pub async fn prepare(
    project: &Project,
    instance: &Instance,
    opts: &StartOptions,
    clock: &Clock,
    ids: &Ids,
    observer: &dyn Observer,
) -> anyhow::Result<Session> {
    check_org(instance, &opts.org).await?;
    let ws = project::load(project)?;
    let skill_id = opts.skill.as_str();
    let chosen = deployed::choose(project, &ws, instance, &opts.org, skill_id, opts.source).await?;
    if let Some(note) = &chosen.origin.note {
        observer.note(note);
    }
    if chosen.artifact.status == SkillStatus::Deprecated {
        observer.warn(&format!("skill `{skill_id}` is deprecated"));
    }
    let persona = match &opts.persona {
        Some(id) => {
            let p = deployed::persona(&ws, instance, &opts.org, id, opts.source).await?;
            persona::check_allowed(&p, skill_id)?;
            Some(p)
        }
        None => None,
    };
    let model = opts
        .model
        .clone()
        .or_else(|| persona.as_ref().and_then(|p| p.model.clone()))
        .unwrap_or_else(|| project.config.claude.model.clone());
    let input = typed_input(opts, &chosen.artifact.input_schema);
    new_session(NewSession {
        artifact: chosen.artifact,
        origin: Some(chosen.origin),
        persona: persona.as_ref(),
        org: &opts.org,
        instance: &instance.name,
        input,
        model,
        max_tokens: project.config.claude.max_tokens,
        clock,
        ids,
    })
}

/// What a new session is made of, once the skill is compiled and the persona chosen.
pub struct NewSession<'a> {
    pub artifact: compile::Artifact,
    /// Where the artifact came from (`None`: not said, as in `agentb test`).
    pub origin: Option<Origin>,
    pub persona: Option<&'a crate::skill::Persona>,
    pub org: &'a str,
    pub instance: &'a str,
    pub input: Value,
    pub model: String,
    pub max_tokens: u32,
    pub clock: &'a Clock,
    pub ids: &'a Ids,
}

/// Returns a new session (not yet saved) after filling the input's missing fields with the
/// schema's `default`s and checking it against the skill's `input_schema` (a clear error
/// listing each problem).
pub fn new_session(new: NewSession<'_>) -> anyhow::Result<Session> {
    let NewSession { artifact, origin, persona, org, instance, mut input, model, max_tokens, clock, ids } = new;
    fill_defaults(&artifact.input_schema, &mut input);
    let problems = output::validate(&artifact.input_schema, &input).map_err(RunError::Schema)?;
    if !problems.is_empty() {
        return Err(RunError::InputSchema { skill: artifact.id.clone(), problems }.into());
    }
    let now = clock.now();
    Ok(Session {
        id: ids.session(),
        skill: artifact.id.clone(),
        skill_version: artifact.version.to_string(),
        org: org.to_owned(),
        instance: instance.to_owned(),
        persona: persona.map(|p| p.id.value.clone()),
        model,
        max_tokens,
        status: session::Status::Running,
        created_at: now,
        updated_at: now,
        invocation_id: None,
        system: persona::system_prompt(persona, &artifact.system_prompt),
        messages: vec![initial_message(&artifact.id, &input)],
        input,
        artifact,
        origin,
        usage: Usage::default(),
        cost_usd: 0.0,
        turns: 0,
        counters: super::guard::Counters::default(),
        corrections: 0,
        output: None,
        error: None,
    })
}

/// Fills the properties `input` lacks with the `default`s of `schema`, in nested objects too; a
/// value given (even `null`) is kept.
fn fill_defaults(schema: &Value, input: &mut Value) {
    let (Some(properties), Value::Object(fields)) = (schema.get("properties").and_then(Value::as_object), input) else {
        return;
    };
    for (name, property) in properties {
        match fields.get_mut(name) {
            Some(value) => fill_defaults(property, value),
            None => {
                if let Some(default) = property.get("default") {
                    fields.insert(name.clone(), default.clone());
                }
            }
        }
    }
}

/// Returns the input object: the JSON input, then each `key=value` typed by the schema.
fn typed_input(opts: &StartOptions, schema: &Value) -> Value {
    let mut input = opts.input.clone();
    for (key, value) in &opts.raw_inputs {
        let wants_string = schema["properties"][key.as_str()]["type"] == "string";
        let value = match serde_json::from_str::<Value>(value) {
            Ok(Value::String(s)) => Value::String(s),
            Ok(_) if wants_string => Value::String(value.clone()),
            Ok(parsed) => parsed,
            Err(_) => Value::String(value.clone()),
        };
        input.insert(key.clone(), value);
    }
    Value::Object(input)
}

/// What `--dry-run` shows: the artifact that would run, and the exact request it would send.
#[derive(Debug, Serialize)]
pub struct DryRun {
    pub artifact: RanArtifact,
    pub request: MessagesRequest,
}

/// Returns the exact request the run would send first (`--dry-run`) and the artifact it would
/// run, sending nothing to the model and writing nothing.
pub async fn dry_run(
    project: &Project,
    instance: &Instance,
    opts: &StartOptions,
    clock: &Clock,
    ids: &Ids,
    observer: &dyn Observer,
    stream: bool,
) -> anyhow::Result<DryRun> {
    let session = prepare(project, instance, opts, clock, ids, observer).await?;
    Ok(DryRun { artifact: RanArtifact::of(&session), request: build_request(&session, stream) })
}

/// Checks that `org` is an org of the instance, with a "did you mean".
pub async fn check_org(instance: &Instance, org: &str) -> anyhow::Result<()> {
    let orgs = instance.org_ids().await?;
    if orgs.iter().any(|o| o == org) {
        return Ok(());
    }
    let suggestion = crate::text::did_you_mean(org, orgs.iter().map(String::as_str)).map(str::to_owned);
    Err(RunError::UnknownOrg { org: org.to_owned(), instance: instance.name.clone(), suggestion, orgs }.into())
}

/// Starts a prepared session: checks the org, creates the invocation (status running), saves
/// the session, drives the loop and concludes. A failure before the loop is an error; a
/// failure in it is recorded and reported as [`Outcome::Error`]. `triggered_by` is who started
/// it, as the invocation records (`cli`, `test`).
pub async fn start(deps: &RunDeps<'_>, mut session: Session, triggered_by: &str) -> anyhow::Result<RunReport> {
    check_org(deps.instance, &session.org).await?;
    deps.store.backend().check()?;
    let invocation = AgentInvocation {
        id: String::new(),
        organization_id: String::new(),
        skill_id: session.skill.clone(),
        skill_version: session.skill_version.clone(),
        content_hash: Some(session.artifact.content_hash.clone()),
        triggered_by: triggered_by.to_owned(),
        entity_type: None,
        entity_id: None,
        status: InvocationStatus::Running,
        input: session.input.clone(),
        output: None,
        error: None,
        usage: None,
        cost_usd: None,
        started_at: Some(session.created_at),
        finished_at: None,
        session_id: Some(session.id.clone()),
        created_at: None,
        updated_at: None,
        extra: Record::new(),
    };
    let created =
        deps.instance.erp.create_invocation(&session.org, &invocation).await.with_context(|| {
            format!("failed to create the invocation of `{}` for org `{}`", session.skill, session.org)
        })?;
    session.invocation_id = Some(created.id).filter(|id| !id.is_empty());
    if let Some(dir) = &deps.config.state_dir {
        crate::workspace::write_state_gitignore(dir)?;
    }
    deps.store.create(&session)?;
    let _lock = deps.store.lock(&session.id)?;
    let from = session.origin.as_ref().map(|o| format!(", {}", o.describe(&session.org))).unwrap_or_default();
    deps.observer
        .status("Running", &format!("{} v{}{from} (session {})", session.skill, session.skill_version, session.id));
    let runtime = deps.runtime(&session.model.clone());
    let ending = runtime.drive(&mut session, None).await;
    conclude(deps, &mut session, ending).await
}

/// What to continue a session with.
#[derive(Debug, Clone, Default)]
pub struct ResumeOptions {
    pub session: String,
    /// The next user message.
    pub message: Option<String>,
    /// Reject the pending T2 proposals instead of soft-confirming them.
    pub reject: bool,
}

/// A session loaded to be resumed, with its lock held.
#[derive(Debug)]
pub struct Resumable {
    pub session: Session,
    _lock: Lock,
}

/// Loads a session to resume it, holding its lock: an empty message, an unknown, expired or
/// busy session is an error, and nothing is touched.
pub fn open(store: &Store, clock: &Clock, opts: &ResumeOptions) -> anyhow::Result<Resumable> {
    if opts.message.as_deref().is_some_and(|m| m.trim().is_empty()) {
        // The API refuses an empty text block (400), so it is never sent.
        return Err(RunError::EmptyMessage { session: opts.session.clone() }.into());
    }
    store.check_exists(&opts.session)?;
    let lock = store.lock(&opts.session)?;
    let session = store.load(&opts.session, clock.now())?;
    Ok(Resumable { session, _lock: lock })
}

/// Resumes an opened session: settles its proposals, adds the message, drives the loop and
/// concludes. A resume with nothing to do is an error that leaves the invocation as it was.
pub async fn resume(deps: &RunDeps<'_>, resumable: Resumable, opts: &ResumeOptions) -> anyhow::Result<RunReport> {
    let Resumable { mut session, _lock } = resumable;
    let runtime = deps.runtime(&session.model.clone());
    if runtime.nothing_to_resume(&session, opts.message.as_deref())? {
        return Err(RunError::NothingToResume { session: session.id.clone() }.into());
    }
    if let Some(inv) = &session.invocation_id {
        let patch = to_record(&InvocationRestart::running());
        if let Err(e) = deps.instance.erp.update_invocation(&session.org, inv, patch).await {
            deps.observer.warn(&format!("cannot mark invocation `{inv}` running again: {e}"));
        }
    }
    deps.observer.status("Resuming", &format!("session {} ({} for org `{}`)", session.id, session.skill, session.org));
    let ending = runtime.resume(&mut session, opts.message.as_deref(), opts.reject).await;
    conclude(deps, &mut session, ending).await
}

/// How a run (or one resume of it) ended.
#[derive(Debug)]
pub enum Outcome {
    /// The output is valid (exit 0).
    Completed,
    /// These proposals wait for confirmation (exit 5).
    AwaitingApproval { proposals: Vec<String> },
    /// A breaker stopped the run (exit 4).
    Stopped(Trip),
    /// The output stayed invalid after the corrective turn (exit 1).
    InvalidOutput(Vec<String>),
    /// The model refused (exit 1).
    Refused(String),
    /// Ctrl-C stopped the run; the session is saved and can be resumed (exit 130).
    Interrupted,
    /// A call failed (an ERP or Claude error); the run is recorded as failed.
    Error(anyhow::Error),
}

impl Outcome {
    /// Returns the error the session and invocation record, if the run failed.
    pub fn error(&self) -> Option<String> {
        match self {
            Outcome::Completed | Outcome::AwaitingApproval { .. } => None,
            Outcome::Stopped(trip) => {
                Some(format!("stopped by the `{}` breaker: {}", trip.breaker.key(), trip.message))
            }
            Outcome::InvalidOutput(problems) => {
                Some(format!("the output does not fit the output schema: {}", problems.join("; ")))
            }
            Outcome::Refused(text) => Some(format!("the model refused: {text}")),
            Outcome::Interrupted => Some("interrupted".to_owned()),
            Outcome::Error(e) => Some(format!("{e:#}")),
        }
    }

    /// Returns the session's status after this outcome.
    pub fn session_status(&self) -> session::Status {
        match self {
            Outcome::Completed => session::Status::Completed,
            Outcome::AwaitingApproval { .. } => session::Status::AwaitingApproval,
            _ => session::Status::Failed,
        }
    }

    /// Returns the invocation's status after this outcome (awaiting approval is `pending`).
    pub fn invocation_status(&self) -> InvocationStatus {
        match self {
            Outcome::Completed => InvocationStatus::Completed,
            Outcome::AwaitingApproval { .. } => InvocationStatus::Pending,
            _ => InvocationStatus::Failed,
        }
    }
}

/// One proposal in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalSummary {
    pub id: String,
    pub session: String,
    pub tool: String,
    pub tier: Tier,
    pub state: State,
    pub created_at: jiff::Timestamp,
    pub expires_at: Option<jiff::Timestamp>,
}

impl From<&Proposal> for ProposalSummary {
    fn from(p: &Proposal) -> Self {
        Self {
            id: p.id.clone(),
            session: p.session_id.clone(),
            tool: p.tool.clone(),
            tier: p.tier,
            state: p.state,
            created_at: p.created_at,
            expires_at: p.expires_at,
        }
    }
}

/// The artifact a run runs: its version and content hash (as the invocation records them),
/// and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RanArtifact {
    pub version: String,
    pub content_hash: String,
    /// Where it came from (absent for a session that did not record it).
    #[serde(flatten)]
    pub origin: Option<Origin>,
}

impl RanArtifact {
    /// Returns the artifact of a session.
    pub fn of(session: &Session) -> Self {
        Self {
            version: session.artifact.version.to_string(),
            content_hash: session.artifact.content_hash.clone(),
            origin: session.origin.clone(),
        }
    }
}

/// What a run (or a resume) did: `--format json` prints it as it is.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub session: String,
    pub invocation: Option<String>,
    pub skill: String,
    pub org: String,
    /// The artifact that ran.
    pub artifact: RanArtifact,
    pub status: session::Status,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub proposals: Vec<ProposalSummary>,
    pub usage: Usage,
    pub cost_usd: f64,
    pub turns: u32,
    /// How it ended; the command line maps it to the exit status.
    #[serde(skip)]
    pub outcome: Outcome,
}

impl RunReport {
    /// Returns the proposals that wait for confirmation.
    pub fn pending(&self) -> impl Iterator<Item = &ProposalSummary> {
        self.proposals.iter().filter(|p| p.state == State::Pending)
    }
}

/// Records how the loop ended: the session's status and error (saved), and the invocation's
/// outcome (a failed update is a warning); returns the report.
pub async fn conclude(
    deps: &RunDeps<'_>,
    session: &mut Session,
    ending: anyhow::Result<Ending>,
) -> anyhow::Result<RunReport> {
    let now = deps.clock.now();
    let proposals = deps.store.proposals(&session.id)?;
    let outcome = match ending {
        Ok(Ending::Completed) => Outcome::Completed,
        Ok(Ending::AwaitingApproval(_)) => Outcome::AwaitingApproval {
            proposals: proposals.iter().filter(|p| p.state == State::Pending).map(|p| p.id.clone()).collect(),
        },
        Ok(Ending::Breaker(trip)) => Outcome::Stopped(trip),
        Ok(Ending::InvalidOutput(problems)) => Outcome::InvalidOutput(problems),
        Ok(Ending::Refused(text)) => Outcome::Refused(text),
        Ok(Ending::Interrupted) => Outcome::Interrupted,
        Err(e) => Outcome::Error(e),
    };
    let error = outcome.error();
    session.status = outcome.session_status();
    session.error.clone_from(&error);
    session.updated_at = now;
    deps.store.save(session)?;
    if let Some(inv) = &session.invocation_id {
        let entries = deps.store.audit(&session.id).read().unwrap_or_default();
        let status = outcome.invocation_status();
        let record = InvocationOutcome {
            status,
            output: session.output.clone(),
            error: error.clone(),
            usage: InvocationUsage {
                input_tokens: session.usage.input_tokens,
                output_tokens: session.usage.output_tokens,
                cache_creation_input_tokens: session.usage.cache_creation_input_tokens,
                cache_read_input_tokens: session.usage.cache_read_input_tokens,
                turns: session.turns,
            },
            cost_usd: session.cost_usd,
            audit: audit::summarize(&entries),
            finished_at: (status != InvocationStatus::Pending).then_some(now),
        };
        if let Err(e) = deps.instance.erp.update_invocation(&session.org, inv, to_record(&record)).await {
            deps.observer.warn(&format!("cannot update invocation `{inv}`: {e}"));
        }
    }
    Ok(RunReport {
        session: session.id.clone(),
        invocation: session.invocation_id.clone(),
        skill: session.skill.clone(),
        org: session.org.clone(),
        artifact: RanArtifact::of(session),
        status: session.status,
        output: session.output.clone(),
        error,
        proposals: proposals.iter().map(ProposalSummary::from).collect(),
        usage: session.usage,
        cost_usd: session.cost_usd,
        turns: session.turns,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::erp::ListQuery;
    use crate::runtime::testing::{Scripted, World, answer, text, tool_use, valid};

    fn block<T>(f: impl std::future::Future<Output = T>) -> T {
        crate::rt::build().unwrap().block_on(f)
    }

    fn invocations(world: &World) -> Vec<AgentInvocation> {
        block(world.instance.erp.invocations("acme", ListQuery::new())).unwrap()
    }

    #[test]
    fn start_completes_and_conclude_writes_the_typed_invocation() {
        let world = World::new();
        let model = Scripted::new([tool_use("t1", "erp_get_client", json!({"id": "c1"})), answer(&valid())]);
        let report = block(start(&world.deps(&model, None), world.session(10), "test")).unwrap();
        assert!(matches!(report.outcome, Outcome::Completed), "{:?}", report.outcome);
        assert_eq!(
            (report.status, report.turns, report.output.clone()),
            (session::Status::Completed, 2, Some(valid()))
        );
        assert!(model.last_text(1).contains("Acme Foods"), "the client went back to the model");
        let inv = &invocations(&world)[0];
        assert_eq!(inv.status, InvocationStatus::Completed);
        assert_eq!((inv.triggered_by.as_str(), inv.output.clone()), ("test", Some(valid())));
        assert_eq!(inv.finished_at, Some("2026-01-01T00:00:00Z".parse().unwrap()));
        let usage: InvocationUsage = serde_json::from_value(inv.usage.clone().unwrap()).unwrap();
        assert_eq!((usage.input_tokens, usage.output_tokens, usage.turns), (200, 40, 2));
        assert!(inv.cost_usd.unwrap() > 0.0);
        assert_eq!(inv.session_id.as_deref(), Some(report.session.as_str()));
        assert_eq!(inv.extra["audit"]["decisions"]["allow:granted"], 1);
        assert_eq!(serde_json::to_value(&report).unwrap()["status"], "completed");
    }

    #[test]
    fn a_t2_call_awaits_approval_and_resuming_soft_confirms_it() {
        let world = World::new();
        let brief = json!({"data": {"id": "b1", "title": "Spring"}});
        let model = Scripted::new([tool_use("t1", "erp_create_brief", brief), text("It awaits approval.")]);
        let report = block(start(&world.deps(&model, None), world.session(10), "test")).unwrap();
        let Outcome::AwaitingApproval { proposals } = &report.outcome else { panic!("{:?}", report.outcome) };
        assert_eq!(proposals.len(), 1);
        assert_eq!(report.pending().map(|p| p.id.clone()).collect::<Vec<_>>(), *proposals);
        assert_eq!(invocations(&world)[0].status, InvocationStatus::Pending);
        assert_eq!(invocations(&world)[0].finished_at, None);
        assert!(block(world.instance.erp.get("acme", "briefs", "b1")).is_err(), "nothing ran yet");

        let model = Scripted::new([answer(&valid())]);
        let opts =
            ResumeOptions { session: report.session.clone(), message: Some("Go ahead.".to_owned()), reject: false };
        let resumable = open(&world.store, &world.clock, &opts).unwrap();
        let resumed = block(resume(&world.deps(&model, None), resumable, &opts)).unwrap();
        assert!(matches!(resumed.outcome, Outcome::Completed), "{:?}", resumed.outcome);
        assert!(block(world.instance.erp.get("acme", "briefs", "b1")).is_ok(), "the resume executed it");
        let told = model.last_text(0);
        assert!(told.contains("confirmed and executed") && told.contains("Go ahead."), "{told}");
        let p = world.store.find_proposal(&proposals[0]).unwrap();
        assert_eq!((p.state, p.history[0].by.as_str()), (State::Executed, "resume (soft-confirm)"));
        assert_eq!(invocations(&world)[0].status, InvocationStatus::Completed);
    }

    #[test]
    fn a_t3_call_is_never_soft_confirmed() {
        let world = World::new();
        let model = Scripted::new([tool_use("t1", "erp_delete_brief", json!({"id": "b9"})), text("Waiting.")]);
        let report = block(start(&world.deps(&model, Some(Tier::T2)), world.session(10), "test")).unwrap();
        assert!(matches!(report.outcome, Outcome::AwaitingApproval { .. }), "{:?}", report.outcome);
        let model = Scripted::new([text("Still waiting.")]);
        let opts = ResumeOptions { session: report.session.clone(), message: Some("go".to_owned()), reject: false };
        let resumed = block(resume(&world.deps(&model, None), open(&world.store, &world.clock, &opts).unwrap(), &opts));
        assert!(matches!(resumed.unwrap().outcome, Outcome::AwaitingApproval { .. }));
    }

    #[test]
    fn the_turn_breaker_stops_the_run() {
        let world = World::new();
        let model = Scripted::new([tool_use("t1", "erp_list_clients", json!({}))]);
        let report = block(start(&world.deps(&model, None), world.session(3), "test")).unwrap();
        let Outcome::Stopped(trip) = &report.outcome else { panic!("{:?}", report.outcome) };
        assert_eq!(trip.breaker.key(), "max_turns");
        assert_eq!(model.sent(), 3);
        let inv = &invocations(&world)[0];
        assert_eq!(inv.status, InvocationStatus::Failed);
        assert!(inv.error.as_deref().unwrap().contains("`max_turns` breaker"), "{:?}", inv.error);
        assert_eq!(report.status, session::Status::Failed);
    }

    #[test]
    fn invalid_output_gets_one_corrective_turn_then_fails() {
        let world = World::new();
        let model = Scripted::new([text("no json at all"), answer(&json!({"brief_id": 1}))]);
        let report = block(start(&world.deps(&model, None), world.session(10), "test")).unwrap();
        let Outcome::InvalidOutput(problems) = &report.outcome else { panic!("{:?}", report.outcome) };
        assert!(!problems.is_empty());
        assert_eq!(model.sent(), 2);
        assert!(model.last_text(1).contains("does not match the skill's output schema"));
        let inv = &invocations(&world)[0];
        assert_eq!(inv.status, InvocationStatus::Failed);
        assert!(inv.error.as_deref().unwrap().starts_with("the output does not fit the output schema"));
    }

    #[test]
    fn an_unknown_org_is_refused_before_anything_is_written() {
        let world = World::new();
        let model = Scripted::new([answer(&valid())]);
        let mut session = world.session(10);
        session.org = "acmee".to_owned();
        let err = block(start(&world.deps(&model, None), session, "test")).unwrap_err();
        let err = err.downcast_ref::<RunError>().unwrap();
        assert_eq!(err.hint().as_deref(), Some("did you mean `acme`?"));
        assert_eq!(model.sent(), 0);
        assert!(world.store.ids().unwrap().is_empty());
    }

    /// Runs a session that reads a client, proposes a T2 brief and waits (3 turns), then resumes it with
    /// `replies`; returns the resumed report and the model of the resume.
    fn resumed_after_three_turns(
        world: &World,
        session: Session,
        replies: Vec<crate::claude::MessagesResponse>,
    ) -> (RunReport, Scripted) {
        let brief = json!({"data": {"id": "b1", "title": "Spring"}});
        let model = Scripted::new([
            tool_use("t1", "erp_get_client", json!({"id": "c1"})),
            tool_use("t2", "erp_create_brief", brief),
            text("Waiting."),
        ]);
        let report = block(start(&world.deps(&model, None), session, "test")).unwrap();
        assert!(matches!(report.outcome, Outcome::AwaitingApproval { .. }), "{:?}", report.outcome);
        assert_eq!(report.turns, 3);
        let model = Scripted::new(replies);
        let opts = ResumeOptions { session: report.session.clone(), message: Some("go".to_owned()), reject: false };
        let resumable = open(&world.store, &world.clock, &opts).unwrap();
        (block(resume(&world.deps(&model, None), resumable, &opts)).unwrap(), model)
    }

    #[test]
    fn the_turn_breaker_counts_across_resumes() {
        let world = World::new();
        let replies = vec![tool_use("t3", "erp_list_clients", json!({})), answer(&valid())];
        let (resumed, model) = resumed_after_three_turns(&world, world.session(4), replies);
        let Outcome::Stopped(trip) = &resumed.outcome else { panic!("{:?}", resumed.outcome) };
        assert_eq!(trip.breaker.key(), "max_turns");
        assert_eq!((model.sent(), resumed.turns), (1, 4), "3 turns before the resume, 1 after");
    }

    #[test]
    fn the_cost_and_output_breakers_count_across_resumes() {
        let world = World::new();
        let mut session = world.session(100);
        // Each turn writes 20 output tokens: 60 before the resume, 80 after its first turn.
        session.artifact.limits.max_output_tokens = 70;
        let replies = vec![tool_use("t3", "erp_list_clients", json!({})), answer(&valid())];
        let (resumed, model) = resumed_after_three_turns(&world, session, replies);
        let Outcome::Stopped(trip) = &resumed.outcome else { panic!("{:?}", resumed.outcome) };
        assert_eq!((trip.breaker.key(), model.sent()), ("max_output_tokens", 1));
    }

    #[test]
    fn per_run_limits_and_tier_budgets_count_across_resumes() {
        let world = World::new();
        let mut session = world.session(100);
        let once = crate::config::ToolLimit { per_turn: None, per_run: Some(1) };
        session.artifact.limits.tools.insert("erp_get_client".to_owned(), once);
        session.artifact.limits.tier_calls.insert("t2".to_owned(), 1);
        let replies = vec![
            crate::runtime::testing::tool_uses(vec![
                ("t3", "erp_get_client", json!({"id": "c1"})),
                ("t4", "erp_create_brief", json!({"data": {"id": "b2", "title": "Autumn"}})),
            ]),
            answer(&valid()),
        ];
        let (resumed, model) = resumed_after_three_turns(&world, session, replies);
        assert!(matches!(resumed.outcome, Outcome::Completed), "{:?}", resumed.outcome);
        let told = model.last_text(1);
        assert!(told.contains("at most once per run"), "{told}");
        assert!(told.contains("budget of 1 t2 calls is spent"), "{told}");
        assert!(block(world.instance.erp.get("acme", "briefs", "b2")).is_err(), "the second T2 call never ran");
    }

    /// A model whose request never returns: it pulls the interrupt as it is sent, like Ctrl-C
    /// during a slow reply.
    struct Interrupted<'a>(&'a Interrupt);

    impl crate::claude::Model for Interrupted<'_> {
        fn send<'b>(
            &'b self,
            _: &'b MessagesRequest,
            _: &'b (dyn Fn(&str) + Send + Sync),
        ) -> crate::claude::ModelFuture<'b> {
            Box::pin(async move {
                self.0.trigger();
                std::future::pending().await
            })
        }
    }

    #[test]
    fn an_interrupt_abandons_the_request_saves_the_session_and_fails_the_invocation() {
        let world = World::new();
        let interrupt = Interrupt::new();
        let model = Interrupted(&interrupt);
        let deps = RunDeps { interrupt: Some(&interrupt), ..world.deps(&model, None) };
        let report = block(start(&deps, world.session(10), "test")).unwrap();
        assert!(matches!(report.outcome, Outcome::Interrupted), "{:?}", report.outcome);
        assert_eq!(
            (report.status, report.error.as_deref(), report.turns),
            (session::Status::Failed, Some("interrupted"), 0)
        );
        let inv = &invocations(&world)[0];
        assert_eq!((inv.status, inv.error.as_deref()), (InvocationStatus::Failed, Some("interrupted")));
        assert!(inv.finished_at.is_some());
        let audit = world.store.audit(&report.session).read().unwrap();
        assert!(audit.iter().any(|e| e.event == "interrupted"), "{audit:?}");
        // The session was saved: a resume goes on from where it stopped, under its own id.
        let model = Scripted::new([answer(&valid())]);
        let opts = ResumeOptions { session: report.session.clone(), message: None, reject: false };
        let resumed =
            block(resume(&world.deps(&model, None), open(&world.store, &world.clock, &opts).unwrap(), &opts)).unwrap();
        assert!(matches!(resumed.outcome, Outcome::Completed), "{:?}", resumed.outcome);
        assert_eq!(resumed.session, report.session);
        assert_eq!(invocations(&world)[0].status, InvocationStatus::Completed);
    }

    #[test]
    fn an_interrupt_before_a_tool_call_starts_none_and_a_resume_runs_them_once() {
        let world = World::new();
        let interrupt = Interrupt::new();
        interrupt.trigger();
        let mut session = world.session(10);
        // The model asked for two calls; Ctrl-C came while it answered.
        session.messages.push(crate::claude::Message::assistant(vec![crate::claude::ContentBlock::tool_use(
            "t1",
            "erp_get_client",
            json!({"id": "c1"}),
        )]));
        let model = Scripted::new([answer(&valid())]);
        let deps = RunDeps { interrupt: Some(&interrupt), ..world.deps(&model, None) };
        let report = block(start(&deps, session, "test")).unwrap();
        assert!(matches!(report.outcome, Outcome::Interrupted), "{:?}", report.outcome);
        assert_eq!(model.sent(), 0);
        assert_eq!(world.store.call(&report.session, "t1").unwrap(), None, "no call started");
        let opts = ResumeOptions { session: report.session.clone(), message: None, reject: false };
        let resumed =
            block(resume(&world.deps(&model, None), open(&world.store, &world.clock, &opts).unwrap(), &opts)).unwrap();
        assert!(matches!(resumed.outcome, Outcome::Completed), "{:?}", resumed.outcome);
        assert!(model.last_text(0).contains("Acme Foods"));
    }

    /// A person who presses Ctrl-C at the prompt.
    struct CtrlCAtThePrompt<'a>(&'a Interrupt);

    impl crate::runtime::Prompter for CtrlCAtThePrompt<'_> {
        fn confirm(&self, _: &Proposal) -> bool {
            self.0.trigger();
            false
        }
    }

    #[test]
    fn ctrl_c_at_the_prompt_rejects_nothing_and_stops_the_run() {
        let world = World::new();
        let interrupt = Interrupt::new();
        let prompter = CtrlCAtThePrompt(&interrupt);
        let model =
            Scripted::new([tool_use("t1", "erp_create_brief", json!({"data": {"id": "b1"}})), answer(&valid())]);
        let deps = RunDeps { interrupt: Some(&interrupt), prompter: Some(&prompter), ..world.deps(&model, None) };
        let report = block(start(&deps, world.session(10), "test")).unwrap();
        assert!(matches!(report.outcome, Outcome::Interrupted), "{:?}", report.outcome);
        assert_eq!(report.proposals[0].state, State::Pending, "no answer is not a rejection");
        assert_eq!(model.sent(), 1);
    }

    #[test]
    fn defaults_fill_missing_inputs_before_validation() {
        let schema = json!({"type": "object", "required": ["tone", "client"], "properties": {
            "tone": {"type": "string", "default": "formal"},
            "client": {"type": "object", "properties": {"tier": {"type": "string", "default": "gold"}, "id": {"type": "string"}}},
            "count": {"type": "integer", "default": 3},
            "note": {"type": "string"}
        }});
        let mut input = json!({"client": {"id": "c1"}, "count": 7, "note": null});
        fill_defaults(&schema, &mut input);
        assert_eq!(input, json!({"client": {"id": "c1", "tier": "gold"}, "count": 7, "note": null, "tone": "formal"}));
        // A required input with a default is no longer missing.
        let world = World::new();
        let mut artifact = crate::runtime::testing::artifact(10);
        artifact.input_schema = json!({"type": "object", "required": ["tone"], "properties": {"tone": {"type": "string", "enum": ["formal", "casual"], "default": "casual"}}});
        let session = new_session(NewSession {
            artifact: artifact.clone(),
            origin: None,
            persona: None,
            org: "acme",
            instance: "local",
            input: json!({}),
            model: "m".to_owned(),
            max_tokens: 10,
            clock: &world.clock,
            ids: &world.ids,
        })
        .unwrap();
        assert_eq!(session.input, json!({"tone": "casual"}));
        assert!(message_text_of(&session).contains("\"tone\": \"casual\""), "the model sees the filled input");
    }

    fn message_text_of(session: &Session) -> String {
        crate::runtime::message_text(&session.messages[0])
    }

    #[test]
    fn resuming_with_an_empty_message_or_nothing_to_do_is_refused() {
        let world = World::new();
        let model = Scripted::new([answer(&valid())]);
        let report = block(start(&world.deps(&model, None), world.session(10), "test")).unwrap();
        let empty = ResumeOptions { session: report.session.clone(), message: Some(" ".to_owned()), reject: false };
        let err = open(&world.store, &world.clock, &empty).unwrap_err();
        assert!(matches!(err.downcast_ref::<RunError>(), Some(RunError::EmptyMessage { .. })));
        let idle = ResumeOptions { message: None, ..empty };
        let resumable = open(&world.store, &world.clock, &idle).unwrap();
        let err = block(resume(&world.deps(&model, None), resumable, &idle)).unwrap_err();
        assert!(matches!(err.downcast_ref::<RunError>(), Some(RunError::NothingToResume { .. })));
        assert_eq!(model.sent(), 1, "nothing was sent");
    }
}
