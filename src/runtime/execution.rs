//! Proposal execution (SPEC §8, tiers and proposals): moving a proposal through its states
//! (each move saved and logged), executing a CONFIRMED one exactly once (the journal of
//! [`CallRecord`]s and the snapshot taken before a write make a repeat after a crash a no-op),
//! and what the model is told about a proposal in each state.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::audit;
use super::error::RunError;
use super::executor::{self, ToolError};
use super::proposals::{CLAIM_TTL, Claim, Proposal, State};
use super::session::{CallRecord, Store};
use crate::compile::artifact::ArtifactTool;
use crate::erp::{Erp, Record};

/// Moves a proposal, saves it and logs the transition.
pub fn transition(
    store: &Store,
    proposal: &mut Proposal,
    to: State,
    at: Timestamp,
    by: &str,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let from = proposal.state;
    let reason_shown = reason.clone();
    proposal.transition(to, at, by, reason).map_err(RunError::Transition)?;
    store.save_proposal(proposal)?;
    audit(
        store,
        &proposal.session_id,
        at,
        "proposal",
        json!({"proposal": proposal.id, "tool": proposal.tool, "tier": proposal.tier, "tool_use_id": proposal.tool_use_id,
               "from": from, "to": to, "by": by, "reason": reason_shown}),
    );
    Ok(())
}

/// Executes a CONFIRMED proposal exactly once. A call already in this machine's journal is
/// not run again; an input that no longer matches the approved hash fails. The execution is
/// claimed first: the proposal moves to EXECUTING with a compare-and-set on its revision,
/// carrying the record read before the write; a claim lost to another writer is
/// [`RunError::AlreadyExecuting`] (or, when the other one finished, the finished proposal), and
/// nothing runs here. An EXECUTING proposal is taken over only when its claim lapsed (or no
/// other machine can hold it). An ERP failure releases the claim (CONFIRMED again) and is
/// returned, so it can be retried.
pub async fn execute_proposal(
    store: &Store,
    erp: &dyn Erp,
    tools: &[ArtifactTool],
    now: Timestamp,
    proposal: &mut Proposal,
) -> anyhow::Result<()> {
    if matches!(proposal.state, State::Confirmed | State::Executing)
        && let Some(done) = store.call(&proposal.session_id, &proposal.tool_use_id)?
    {
        let to = if done.is_error { State::Failed } else { State::Executed };
        if done.is_error {
            proposal.error = Some(done.content.clone());
        } else if proposal.result.is_none() {
            proposal.result = serde_json::from_str(&done.content).ok();
        }
        return transition(store, proposal, to, now, "journal", Some("the call had already run".to_owned()));
    }
    match proposal.state {
        State::Confirmed => {}
        State::Executing => {
            if let Some(claim) = &proposal.claim
                && store.backend().shared()
                && now <= claim.until
            {
                return Err(already_executing(proposal, claim));
            }
        }
        state => return Err(RunError::NotConfirmed { id: proposal.id.clone(), state }.into()),
    }
    if !proposal.input_intact() {
        let message = "the input changed after it was proposed; an approval holds for one input".to_owned();
        return fail_unclaimed(store, proposal, now, "input hash", message);
    }
    let Some(tool) = tools.iter().find(|t| t.name == proposal.tool) else {
        let message = format!("the skill no longer has the tool `{}`", proposal.tool);
        return fail_unclaimed(store, proposal, now, "executor", message);
    };
    let id = executor::idempotent_id(&proposal.session_id, &proposal.tool_use_id);
    // The state before the write is kept before it runs (this machine's journal, or a lapsed
    // claim's), so an attempt repeated after a crash still records the compensation of the
    // state before the first.
    let lapsed = proposal.claim.clone().filter(|c| proposal.state == State::Executing && c.snapshot_taken);
    let journaled = store.started(&proposal.session_id, &proposal.tool_use_id)?;
    let before = match (&journaled, lapsed) {
        (Some(before), _) => before.clone(),
        (None, Some(claim)) => claim.before,
        (None, None) => match executor::snapshot(erp, &proposal.org, tool, &proposal.input).await {
            Ok(before) => before,
            Err(ToolError::Input(message)) => return fail_unclaimed(store, proposal, now, "executor", message),
            Err(ToolError::Erp(e)) => return Err(e.into()),
        },
    };
    claim(store, proposal, now, before.clone())?;
    if journaled.is_none() {
        store.save_started(&proposal.session_id, &proposal.tool_use_id, before.as_ref())?;
    }
    match executor::execute(erp, &proposal.org, tool, &proposal.input, &id, before).await {
        Ok(done) => {
            let content = serde_json::to_string(&done.result).unwrap_or_default();
            proposal.result = Some(done.result);
            proposal.compensation = done.compensation;
            let record = CallRecord {
                tool_use_id: proposal.tool_use_id.clone(),
                tool: proposal.tool.clone(),
                at: now,
                content,
                is_error: false,
            };
            store.save_call(&proposal.session_id, &record)?;
            transition(store, proposal, State::Executed, now, "executor", None)
        }
        Err(ToolError::Input(message)) => {
            let record = CallRecord {
                tool_use_id: proposal.tool_use_id.clone(),
                tool: proposal.tool.clone(),
                at: now,
                content: message.clone(),
                is_error: true,
            };
            store.save_call(&proposal.session_id, &record)?;
            proposal.error = Some(message.clone());
            transition(store, proposal, State::Failed, now, "executor", Some(message))
        }
        Err(ToolError::Erp(e)) => {
            let reason = format!("the ERP failed before the call completed: {e}");
            if let Err(release) = transition(store, proposal, State::Confirmed, now, "executor", Some(reason)) {
                tracing::warn!("cannot release the claim on proposal `{}`: {release:#}", proposal.id);
            }
            Err(e.into())
        }
    }
}

/// Fails a proposal before it was claimed; when another writer moved it meanwhile (it claimed
/// or finished it), that is what is reported, and nothing is written.
fn fail_unclaimed(
    store: &Store,
    proposal: &mut Proposal,
    now: Timestamp,
    by: &str,
    message: String,
) -> anyhow::Result<()> {
    let mut failed = proposal.clone();
    failed.error = Some(message.clone());
    match transition(store, &mut failed, State::Failed, now, by, Some(message)) {
        Ok(()) => {
            *proposal = failed;
            Ok(())
        }
        Err(e) if matches!(e.downcast_ref::<RunError>(), Some(RunError::StaleProposal { .. })) => {
            *proposal = store.find_proposal(&proposal.id)?;
            match (&proposal.claim, proposal.state) {
                (Some(c), State::Executing) => Err(already_executing(proposal, c)),
                (_, state) => Err(RunError::NotConfirmed { id: proposal.id.clone(), state }.into()),
            }
        }
        Err(e) => Err(e),
    }
}

/// Claims a proposal for execution: moves it to EXECUTING with a compare-and-set. When another
/// writer got there first, the proposal is read again: this claim landed after all (its answer
/// was lost), another machine's holds ([`RunError::AlreadyExecuting`]), or the proposal moved
/// on (it is returned as it is now, in an error naming its state).
fn claim(store: &Store, proposal: &mut Proposal, now: Timestamp, before: Option<Record>) -> anyhow::Result<()> {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let by = if proposal.state == State::Executing { "executor (claim taken over)" } else { "executor" };
    let mut claimed = proposal.clone();
    claimed.claim = Some(Claim {
        token: token.clone(),
        by: claimant(),
        at: now,
        until: super::clock::add(now, CLAIM_TTL),
        snapshot_taken: true,
        before,
    });
    match transition(store, &mut claimed, State::Executing, now, by, None) {
        Ok(()) => {
            *proposal = claimed;
            Ok(())
        }
        Err(e) if matches!(e.downcast_ref::<RunError>(), Some(RunError::StaleProposal { .. })) => {
            let fresh = store.find_proposal(&proposal.id)?;
            *proposal = fresh;
            match (&proposal.claim, proposal.state) {
                (Some(c), State::Executing) if c.token == token => Ok(()),
                (Some(c), State::Executing) => Err(already_executing(proposal, c)),
                (_, state) => Err(RunError::NotConfirmed { id: proposal.id.clone(), state }.into()),
            }
        }
        Err(e) => Err(e),
    }
}

fn already_executing(proposal: &Proposal, claim: &Claim) -> anyhow::Error {
    RunError::AlreadyExecuting { id: proposal.id.clone(), by: claim.by.clone(), at: claim.at, until: claim.until }
        .into()
}

/// Returns who claims an execution here, for messages: the host and the process.
fn claimant() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "a machine".to_owned());
    format!("{host} (pid {})", std::process::id())
}

/// Returns what the model is told about a proposal in its current state.
pub fn describe_for_model(p: &Proposal) -> (String, bool) {
    match p.state {
        State::Pending => (
            format!(
                "Proposal `{}` ({}, tier {}) awaits the user's confirmation and has not run yet. Do not call the \
                 tool again for it; finish your turn and say what is waiting for approval.",
                p.id, p.tool, p.tier
            ),
            false,
        ),
        State::Executed => (
            format!(
                "Proposal `{}` was confirmed and executed. Result: {}",
                p.id,
                p.result.as_ref().map(Value::to_string).unwrap_or_default()
            ),
            false,
        ),
        State::Confirmed => (format!("Proposal `{}` was confirmed but has not run yet.", p.id), true),
        State::Executing => {
            (format!("Proposal `{}` ({}) is being executed; its result is not known yet.", p.id, p.tool), true)
        }
        State::Rejected => (format!("The user rejected proposal `{}` ({}); nothing was changed.", p.id, p.tool), true),
        State::Expired => {
            (format!("Proposal `{}` ({}) expired before it was confirmed; nothing was changed.", p.id, p.tool), true)
        }
        State::Failed => (
            format!("Proposal `{}` ({}) failed: {}", p.id, p.tool, p.error.as_deref().unwrap_or("unknown error")),
            true,
        ),
        State::Undone => (format!("Proposal `{}` ({}) was executed, then undone.", p.id, p.tool), true),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::Tier;
    use crate::runtime::session::Session;
    use crate::runtime::testing::World;

    /// A backend shared with another machine (`claimed`: what that machine wrote when it won
    /// the claim; `lose`: whether this machine's claim loses the compare-and-set).
    #[derive(Debug)]
    struct Elsewhere {
        claimed: Option<Proposal>,
    }

    impl crate::runtime::backend::Backend for Elsewhere {
        fn describe(&self) -> String {
            "a shared test backend".to_owned()
        }
        fn shared(&self) -> bool {
            true
        }
        fn check(&self) -> anyhow::Result<()> {
            Ok(())
        }
        fn create_session(&self, _: &crate::runtime::session::Header, _: &Session) -> anyhow::Result<()> {
            Ok(())
        }
        fn append_turn(
            &self,
            _: &Session,
            _: &crate::runtime::session::LogLine,
            _: &std::path::Path,
        ) -> anyhow::Result<()> {
            Ok(())
        }
        fn write_proposal(&self, p: &Proposal, stored: Option<&Proposal>) -> anyhow::Result<u64> {
            if p.state == State::Executing && self.claimed.is_some() {
                return Err(RunError::StaleProposal { id: p.id.clone(), read: p.revision, now: None }.into());
            }
            crate::runtime::backend::Folder.write_proposal(p, stored)
        }
        fn fetch_session(&self, _: &str) -> anyhow::Result<Option<crate::runtime::backend::Fetched>> {
            Ok(None)
        }
        fn cached(&self, _: &str, _: &std::path::Path, _: u64) {}
        fn fetch_proposal(&self, _: &str) -> anyhow::Result<Option<Proposal>> {
            Ok(self.claimed.clone())
        }
        fn session_ids(&self) -> anyhow::Result<Option<Vec<String>>> {
            Ok(None)
        }
    }

    fn confirmed(store: &Store, session: &Session, now: Timestamp) -> Proposal {
        let input = json!({"data": {"id": "b1", "title": "Spring"}});
        let mut p = Proposal::new(&session.id, "t1", "erp_create_brief", Tier::T2, "acme", "local", input, now, None);
        store.save_proposal(&mut p).unwrap();
        transition(store, &mut p, State::Confirmed, now, "test", None).unwrap();
        p
    }

    #[test]
    fn a_claim_lost_to_another_machine_never_executes_here() {
        let world = World::new();
        let session = world.session(10);
        let dir = tempfile::tempdir().unwrap();
        let now = world.clock.now();
        let root = dir.path().join("sessions");
        Store::new(root.clone()).create(&session).unwrap();
        let mut p = confirmed(&Store::new(root.clone()), &session, now);
        // The other machine's claim, as its write left the proposal.
        let mut theirs = p.clone();
        theirs.claim = Some(Claim {
            token: "theirs".into(),
            by: "ci-runner (pid 7)".into(),
            at: now,
            until: crate::runtime::clock::add(now, CLAIM_TTL),
            snapshot_taken: true,
            before: None,
        });
        theirs.transition(State::Executing, now, "executor", None).unwrap();
        theirs.revision += 1;
        let store = Store::with_backend(root.clone(), std::sync::Arc::new(Elsewhere { claimed: Some(theirs) }));
        let erp = world.instance.erp.as_ref();
        let rt = crate::rt::build().unwrap();
        let err = rt.block_on(execute_proposal(&store, erp, &session.artifact.tools, now, &mut p)).unwrap_err();
        assert!(
            matches!(err.downcast_ref::<RunError>(), Some(RunError::AlreadyExecuting { by, .. }) if by == "ci-runner (pid 7)"),
            "{err:#}"
        );
        assert!(rt.block_on(erp.get("acme", "briefs", "b1")).is_err(), "nothing ran here");
        // Found EXECUTING with a live claim (read before the race): refused the same way.
        let err = rt.block_on(execute_proposal(&store, erp, &session.artifact.tools, now, &mut p)).unwrap_err();
        assert!(err.to_string().contains("already being executed elsewhere"), "{err:#}");
        // Once the claim lapsed (its machine died), it is taken over and runs, once.
        let late = crate::runtime::clock::add(now, CLAIM_TTL + std::time::Duration::from_secs(1));
        let shared = Store::with_backend(root, std::sync::Arc::new(Elsewhere { claimed: None }));
        rt.block_on(execute_proposal(&shared, erp, &session.artifact.tools, late, &mut p)).unwrap();
        assert_eq!(p.state, State::Executed);
        assert!(p.history.iter().any(|t| t.by == "executor (claim taken over)"), "{:?}", p.history);
        assert!(rt.block_on(erp.get("acme", "briefs", "b1")).is_ok());
    }

    #[test]
    fn a_failed_proposal_can_be_retried_or_rejected() {
        let world = World::new();
        let session = world.session(10);
        world.store.create(&session).unwrap();
        let now = world.clock.now();
        let mut p = confirmed(&world.store, &session, now);
        transition(&world.store, &mut p, State::Failed, now, "executor", Some("the ERP said no".into())).unwrap();
        transition(&world.store, &mut p, State::Confirmed, now, "retry", None).unwrap();
        let rt = crate::rt::build().unwrap();
        rt.block_on(execute_proposal(&world.store, world.instance.erp.as_ref(), &session.artifact.tools, now, &mut p))
            .unwrap();
        assert_eq!(p.state, State::Executed);
        let mut q = confirmed(&world.store, &session, now);
        transition(&world.store, &mut q, State::Failed, now, "executor", None).unwrap();
        transition(&world.store, &mut q, State::Rejected, now, "reject", None).unwrap();
        // A stale copy (read before the rejection) can no longer be written.
        let mut stale = q.clone();
        stale.revision -= 1;
        let err = world.store.save_proposal(&mut stale).unwrap_err();
        assert!(matches!(err.downcast_ref::<RunError>(), Some(RunError::StaleProposal { .. })), "{err:#}");
    }

    #[test]
    fn a_confirmed_proposal_executes_once_and_a_changed_input_fails() {
        let world = World::new();
        let session = world.session(10);
        world.store.create(&session).unwrap();
        let now = world.clock.now();
        let input = json!({"data": {"id": "b1", "title": "Spring"}});
        let new = |tool_use_id: &str| {
            Proposal::new(
                &session.id,
                tool_use_id,
                "erp_create_brief",
                Tier::T2,
                "acme",
                "local",
                input.clone(),
                now,
                None,
            )
        };
        let erp = world.instance.erp.as_ref();
        let tools = &session.artifact.tools;
        let rt = crate::rt::build().unwrap();
        let mut p = new("t1");
        assert!(rt.block_on(execute_proposal(&world.store, erp, tools, now, &mut p)).is_err(), "PENDING is refused");
        transition(&world.store, &mut p, State::Confirmed, now, "test", None).unwrap();
        rt.block_on(execute_proposal(&world.store, erp, tools, now, &mut p)).unwrap();
        assert_eq!(p.state, State::Executed);
        assert!(describe_for_model(&p).0.contains("confirmed and executed"));
        // The same call confirmed again (a crash before the state was saved) answers from the journal.
        let mut again = new("t1");
        transition(&world.store, &mut again, State::Confirmed, now, "test", None).unwrap();
        rt.block_on(execute_proposal(&world.store, erp, tools, now, &mut again)).unwrap();
        assert_eq!(again.history.last().unwrap().by, "journal");
        let mut forged = new("t2");
        forged.input = json!({"data": {"id": "b2", "title": "Forged"}});
        transition(&world.store, &mut forged, State::Confirmed, now, "test", None).unwrap();
        rt.block_on(execute_proposal(&world.store, erp, tools, now, &mut forged)).unwrap();
        assert_eq!(forged.state, State::Failed);
        assert!(rt.block_on(erp.get("acme", "briefs", "b2")).is_err(), "a changed input never runs");
        assert!(transition(&world.store, &mut forged, State::Undone, now, "test", None).is_err());
    }
}
