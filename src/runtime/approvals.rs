//! The proposal use-cases (SPEC §8, `agentb proposals list|show|approve|reject|undo`), each
//! returning a report: approving executes the call exactly once (a second approve reports it
//! was executed already) and runs its `post_tool_use` hooks; undo runs the compensation
//! recorded when it executed. The ERP is opened only once the proposal says which instance it
//! belongs to, through the `open` callback.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;

use super::calls::{HookCall, post_tool_use};
use super::clock::Clock;
use super::error::{RunError, SessionUse};
use super::execution::{execute_proposal, transition};
use super::executor;
use super::hooks::{Event, Hooks};
use super::lifecycle::ProposalSummary;
use super::proposals::{Proposal, State};
use super::session::Store;
use crate::config::HooksConfig;
use crate::erp::Erp;

/// Returns the proposals of every session (or of `session`) in `state`, oldest first.
pub fn list(store: &Store, state: Option<State>, session: Option<&str>) -> anyhow::Result<Vec<ProposalSummary>> {
    let sessions = match session {
        Some(id) => {
            store.read(id).map_err(|_| RunError::UnknownSession { id: id.to_owned(), purpose: SessionUse::Filter })?;
            vec![id.to_owned()]
        }
        None => store.ids()?,
    };
    let mut all: Vec<Proposal> = Vec::new();
    for id in sessions {
        all.extend(store.proposals(&id)?.into_iter().filter(|p| state.is_none_or(|s| p.state == s)));
    }
    all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(all.iter().map(ProposalSummary::from).collect())
}

/// Returns one proposal, whole.
pub fn show(store: &Store, id: &str) -> anyhow::Result<Proposal> {
    store.find_proposal(id)
}

/// A proposal after a command: its summary, result and error (`--format json`), the whole
/// proposal, and whether the command changed it.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalReport {
    pub proposal: ProposalSummary,
    pub result: Option<Value>,
    pub error: Option<String>,
    #[serde(skip)]
    pub full: Proposal,
    /// False when it was in the asked state already (approved or rejected twice).
    #[serde(skip)]
    pub changed: bool,
    /// What a `post_tool_use` hook flagged about the executed call.
    #[serde(skip)]
    pub flag: Option<String>,
}

impl ProposalReport {
    fn of(p: Proposal, changed: bool, flag: Option<String>) -> Self {
        Self {
            proposal: ProposalSummary::from(&p),
            result: p.result.clone(),
            error: p.error.clone(),
            full: p,
            changed,
            flag,
        }
    }

    /// Returns the error of an approved call that failed (exit 3).
    pub fn failure(&self) -> Option<RunError> {
        (self.full.state == State::Failed).then(|| RunError::ProposalFailed {
            id: self.full.id.clone(),
            error: self.full.error.clone().unwrap_or_else(|| "unknown error".to_owned()),
        })
    }
}

/// Opens the ERP of an instance, by name.
pub type OpenErp<'a> = &'a (dyn Fn(&str) -> anyhow::Result<Arc<dyn Erp>> + Sync);

/// How many times a decision is tried again after another writer changed the proposal first.
const RETRIES: usize = 3;

/// Returns whether an error is a lost compare-and-set.
fn is_stale(e: &anyhow::Error) -> bool {
    matches!(e.downcast_ref::<RunError>(), Some(RunError::StaleProposal { .. }))
}

/// Confirms a PENDING (or CONFIRMED — by this agentb or by the ERP's UI — or FAILED: a retry)
/// proposal and executes it exactly once; runs its `post_tool_use` hooks in `hook_dir`. A
/// proposal past its window expires instead (an error). Two machines approving at once: the
/// execution claim lets one run it; the other reports it executed already, or
/// [`RunError::AlreadyExecuting`] while it runs.
pub async fn approve(
    store: &Store,
    clock: &Clock,
    hooks: &HooksConfig,
    hook_dir: &Path,
    id: &str,
    open: OpenErp<'_>,
) -> anyhow::Result<ProposalReport> {
    let (_lock, mut p) = store.lock_proposal(id)?;
    let session = store.read(&p.session_id)?;
    let now = clock.now();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let decided = match p.state {
            State::Executed | State::Undone => return Ok(ProposalReport::of(p, false, None)),
            State::Confirmed | State::Executing => Ok(()),
            State::Pending if p.is_past_window(now) => {
                let reason = p.expires_at.map(|at| format!("the T2 window closed at {at}"));
                match transition(store, &mut p, State::Expired, now, "agentb proposals approve", reason) {
                    Ok(()) => {
                        return Err(RunError::ProposalExpired { id: p.id.clone(), closed_at: p.expires_at }.into());
                    }
                    Err(e) => Err(e),
                }
            }
            State::Pending => transition(store, &mut p, State::Confirmed, now, "agentb proposals approve", None),
            State::Failed => {
                p.error = None;
                transition(store, &mut p, State::Confirmed, now, "agentb proposals approve (retry)", None)
            }
            state => return Err(RunError::NotApprovable { id: p.id.clone(), state }.into()),
        };
        match decided {
            Ok(()) => break,
            Err(e) if is_stale(&e) && attempt < RETRIES => p = store.find_proposal(id)?,
            Err(e) => return Err(e),
        }
    }
    let erp = open(&p.instance)?;
    if let Err(e) = execute_proposal(store, erp.as_ref(), &session.artifact.tools, now, &mut p).await {
        // Another machine finished it between our read and our claim: nothing ran here.
        if matches!(e.downcast_ref::<RunError>(), Some(RunError::NotConfirmed { .. }))
            && matches!(p.state, State::Executed | State::Undone)
        {
            return Ok(ProposalReport::of(p, false, None));
        }
        return Err(e);
    }
    let mut flag = None;
    if p.state == State::Executed {
        // The write ran here, so its post_tool_use hooks run here, as in `agentb run`.
        let hooks = Hooks::new(Event::PostToolUse, &hooks.post_tool_use);
        let response = p.result.clone().unwrap_or(Value::Null);
        let call = HookCall { name: &p.tool, input: &p.input, id: &p.tool_use_id, tier: p.tier, response: &response };
        flag = post_tool_use(store, clock, &hooks, hook_dir, &session, call).await;
    }
    Ok(ProposalReport::of(p, true, flag))
}

/// Rejects a PENDING or FAILED proposal (one rejected already is reported unchanged).
pub fn reject(store: &Store, clock: &Clock, id: &str) -> anyhow::Result<ProposalReport> {
    let (_lock, mut p) = store.lock_proposal(id)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        if p.state == State::Rejected {
            return Ok(ProposalReport::of(p, false, None));
        }
        match transition(store, &mut p, State::Rejected, clock.now(), "agentb proposals reject", None) {
            Ok(()) => return Ok(ProposalReport::of(p, true, None)),
            Err(e) if is_stale(&e) && attempt < RETRIES => p = store.find_proposal(id)?,
            Err(e) => return Err(e.context(format!("cannot reject proposal `{}`", p.id))),
        }
    }
}

/// What `undo` did: the compensation it ran and its result, or the proposal undone already.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant, reason = "one report per command")]
pub enum UndoReport {
    Undone {
        proposal: ProposalSummary,
        undo: String,
        result: Value,
        #[serde(skip)]
        tool: String,
    },
    AlreadyUndone(ProposalReport),
}

/// Runs the compensation of an EXECUTED proposal and marks it UNDONE.
pub async fn undo(store: &Store, clock: &Clock, id: &str, open: OpenErp<'_>) -> anyhow::Result<UndoReport> {
    let (_lock, mut p) = store.lock_proposal(id)?;
    match p.state {
        State::Undone => return Ok(UndoReport::AlreadyUndone(ProposalReport::of(p, false, None))),
        State::Executed => {}
        state => return Err(RunError::NotUndoable { id: p.id.clone(), state }.into()),
    }
    let Some(compensation) = p.compensation.clone() else {
        return Err(RunError::NothingToUndo { id: p.id.clone(), tool: p.tool.clone() }.into());
    };
    let erp = open(&p.instance)?;
    let result = executor::compensate(erp.as_ref(), &p.org, &compensation)
        .await
        .with_context(|| format!("failed to undo proposal `{}` ({})", p.id, compensation.describe()))?;
    transition(store, &mut p, State::Undone, clock.now(), "agentb proposals undo", Some(compensation.describe()))?;
    Ok(UndoReport::Undone { proposal: ProposalSummary::from(&p), undo: compensation.describe(), result, tool: p.tool })
}
