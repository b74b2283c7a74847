//! The session use-cases (`agentb sessions list|show`): one row per session, and one session
//! whole with its proposals and audit log.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::audit::Entry;
use super::error::{RunError, SessionUse};
use super::guard::Counters;
use super::lifecycle::ProposalSummary;
use super::proposals::State;
use super::session::{Status, Store, is_session_id};
use crate::claude::{Message, Usage};

/// One session in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRow {
    pub id: String,
    pub skill: String,
    pub version: String,
    pub org: String,
    pub status: Status,
    pub turns: u32,
    pub cost_usd: f64,
    pub pending_proposals: usize,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The sessions, oldest first, and those that could not be read (id, why).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionList {
    pub sessions: Vec<SessionRow>,
    #[serde(skip)]
    pub skipped: Vec<(String, String)>,
}

/// Returns every session; one damaged session (a crash before its first turn was written, a
/// hand edit) is skipped, never hiding the others.
pub fn list(store: &Store) -> anyhow::Result<SessionList> {
    let mut list = SessionList { sessions: Vec::new(), skipped: Vec::new() };
    for id in store.ids()? {
        let s = match store.read(&id) {
            Ok(s) => s,
            Err(e) => {
                list.skipped.push((id, format!("{e:#}")));
                continue;
            }
        };
        let pending = store.proposals(&id)?.iter().filter(|p| p.state == State::Pending).count();
        list.sessions.push(SessionRow {
            id: s.id,
            skill: s.skill,
            version: s.skill_version,
            org: s.org,
            status: s.status,
            turns: s.turns,
            cost_usd: s.cost_usd,
            pending_proposals: pending,
            created_at: s.created_at,
            updated_at: s.updated_at,
        });
    }
    Ok(list)
}

/// One session, whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionView {
    pub id: String,
    pub skill: String,
    pub version: String,
    pub org: String,
    pub instance: String,
    pub persona: Option<String>,
    pub model: String,
    pub status: Status,
    pub invocation: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub turns: u32,
    pub usage: Usage,
    pub cost_usd: f64,
    pub counters: Counters,
    pub input: Value,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub messages: Vec<Message>,
    pub proposals: Vec<ProposalSummary>,
    pub audit: Vec<Entry>,
}

/// Returns a session with its proposals and audit log.
pub fn show(store: &Store, id: &str) -> anyhow::Result<SessionView> {
    if !is_session_id(id) || !store.exists(id)? {
        return Err(RunError::UnknownSession { id: id.to_owned(), purpose: SessionUse::Show }.into());
    }
    let s = store.read(id)?;
    let proposals = store.proposals(&s.id)?.iter().map(ProposalSummary::from).collect();
    let audit = store.audit(&s.id).read()?;
    Ok(SessionView {
        id: s.id,
        skill: s.skill,
        version: s.skill_version,
        org: s.org,
        instance: s.instance,
        persona: s.persona,
        model: s.model,
        status: s.status,
        invocation: s.invocation_id,
        created_at: s.created_at,
        updated_at: s.updated_at,
        turns: s.turns,
        usage: s.usage,
        cost_usd: s.cost_usd,
        counters: s.counters,
        input: s.input,
        output: s.output,
        error: s.error,
        messages: s.messages,
        proposals,
        audit,
    })
}
