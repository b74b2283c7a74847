//! Proposal execution (SPEC §8, tiers and proposals): moving a proposal through its states
//! (each move saved and logged), executing a CONFIRMED one exactly once (the journal of
//! [`CallRecord`]s and the snapshot taken before a write make a repeat after a crash a no-op),
//! and what the model is told about a proposal in each state.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::audit;
use super::error::RunError;
use super::executor::{self, ToolError};
use super::proposals::{Proposal, State};
use super::session::{CallRecord, Store};
use crate::compile::artifact::ArtifactTool;
use crate::erp::Erp;

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

/// Executes a CONFIRMED proposal exactly once: a call already in the journal is not run again;
/// an input that no longer matches the approved hash fails. An ERP failure (unreachable, 5xx)
/// leaves it CONFIRMED and is returned, so it can be retried.
pub async fn execute_proposal(
    store: &Store,
    erp: &dyn Erp,
    tools: &[ArtifactTool],
    now: Timestamp,
    proposal: &mut Proposal,
) -> anyhow::Result<()> {
    if proposal.state != State::Confirmed {
        return Err(RunError::NotConfirmed { id: proposal.id.clone(), state: proposal.state }.into());
    }
    if let Some(done) = store.call(&proposal.session_id, &proposal.tool_use_id)? {
        let to = if done.is_error { State::Failed } else { State::Executed };
        return transition(store, proposal, to, now, "journal", Some("the call had already run".to_owned()));
    }
    if !proposal.input_intact() {
        proposal.error = Some("the input changed after it was proposed; an approval holds for one input".to_owned());
        return transition(store, proposal, State::Failed, now, "input hash", proposal.error.clone());
    }
    let Some(tool) = tools.iter().find(|t| t.name == proposal.tool) else {
        proposal.error = Some(format!("the skill no longer has the tool `{}`", proposal.tool));
        return transition(store, proposal, State::Failed, now, "executor", proposal.error.clone());
    };
    let id = executor::idempotent_id(&proposal.session_id, &proposal.tool_use_id);
    // The state before the write is saved before it runs, so an attempt repeated after a crash
    // still records the compensation of the state before the first.
    let before = if let Some(before) = store.started(&proposal.session_id, &proposal.tool_use_id)? {
        before
    } else {
        let before = match executor::snapshot(erp, &proposal.org, tool, &proposal.input).await {
            Ok(before) => before,
            Err(ToolError::Input(message)) => {
                proposal.error = Some(message.clone());
                return transition(store, proposal, State::Failed, now, "executor", Some(message));
            }
            Err(ToolError::Erp(e)) => return Err(e.into()),
        };
        store.save_started(&proposal.session_id, &proposal.tool_use_id, before.as_ref())?;
        before
    };
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
        Err(ToolError::Erp(e)) => Err(e.into()),
    }
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
    use crate::runtime::testing::World;

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
