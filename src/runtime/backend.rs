//! Where sessions and proposals are durable (SPEC §8, "where sessions and proposals live"):
//! the [`Backend`] trait behind the session [`Store`](super::session::Store), and its two
//! implementations — [`Folder`], the sessions folder itself (instances whose url is `local`),
//! and [`ErpSessions`](super::shared::ErpSessions), the ERP's `agent-sessions`,
//! `agent-session-turns` and `agent-proposals` with the folder as a cache (http instances).
//!
//! The store always writes its folder first (the journal, the log, the proposal files), then
//! hands the same facts to its backend: for [`Folder`] that write was the durable one, for the
//! ERP it is one request per turn and one per proposal transition. Every proposal write is a
//! compare-and-set against the revision the proposal was read at.

use std::path::Path;

use super::error::RunError;
use super::proposals::Proposal;
use super::session::{Header, LogLine, Session};

/// A session as a backend holds it, read back to fill the folder (the cache) on a machine
/// that never saw it: its header, its turns as log lines, the raw lines of its audit log and
/// journal, and its proposals.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub header: Header,
    pub lines: Vec<LogLine>,
    pub audit: Vec<String>,
    pub calls: Vec<String>,
    pub proposals: Vec<Proposal>,
}

/// Where sessions and proposals are durable.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// Returns where sessions live, for messages (`the sessions folder`, `ERP instance `x``).
    fn describe(&self) -> String;

    /// Returns whether other machines write the same sessions (an execution claim found here
    /// may be alive elsewhere); `false` when the session lock serializes every writer.
    fn shared(&self) -> bool;

    /// Checks, before a run records anything, that sessions can be kept there (an ERP of an
    /// older contract has no collections for them).
    fn check(&self) -> anyhow::Result<()>;

    /// Records a new session (its header and first state are in the folder already).
    fn create_session(&self, header: &Header, session: &Session) -> anyhow::Result<()>;

    /// Records one turn: `line` is what was just appended to the log, `dir` the session's
    /// folder (whose audit log and journal grew since the last turn).
    fn append_turn(&self, session: &Session, line: &LogLine, dir: &Path) -> anyhow::Result<()>;

    /// Writes a proposal with a compare-and-set: it must still be at `proposal.revision` where
    /// it is durable (`stored` is the folder's copy). Returns the new revision;
    /// [`RunError::StaleProposal`] when another writer got there first.
    fn write_proposal(&self, proposal: &Proposal, stored: Option<&Proposal>) -> anyhow::Result<u64>;

    /// Returns a session the folder may not hold (or hold an old copy of), verified; `None`
    /// when the folder is the only place sessions live, or the backend has no such session.
    fn fetch_session(&self, id: &str) -> anyhow::Result<Option<Fetched>>;

    /// Called once the folder holds what [`Backend::fetch_session`] returned (or a new
    /// session): the backend's next turn starts after what is there now.
    fn cached(&self, id: &str, dir: &Path, turns: u64);

    /// Returns a proposal as it stands now where it is durable (`None`: see the folder).
    fn fetch_proposal(&self, id: &str) -> anyhow::Result<Option<Proposal>>;

    /// Returns the ids of the backend's sessions (`None`: the folder's are all).
    fn session_ids(&self) -> anyhow::Result<Option<Vec<String>>>;
}

/// The sessions folder as the durable place: every write the store made is the durable one;
/// a proposal's compare-and-set is against its file (the session lock serializes writers).
#[derive(Debug, Clone, Copy, Default)]
pub struct Folder;

impl Backend for Folder {
    fn describe(&self) -> String {
        "the sessions folder".to_owned()
    }

    fn shared(&self) -> bool {
        false
    }

    fn check(&self) -> anyhow::Result<()> {
        Ok(())
    }

    fn create_session(&self, _: &Header, _: &Session) -> anyhow::Result<()> {
        Ok(())
    }

    fn append_turn(&self, _: &Session, _: &LogLine, _: &Path) -> anyhow::Result<()> {
        Ok(())
    }

    fn write_proposal(&self, proposal: &Proposal, stored: Option<&Proposal>) -> anyhow::Result<u64> {
        check_revision(proposal, stored.map_or(0, |s| s.revision))?;
        Ok(proposal.revision + 1)
    }

    fn fetch_session(&self, _: &str) -> anyhow::Result<Option<Fetched>> {
        Ok(None)
    }

    fn cached(&self, _: &str, _: &Path, _: u64) {}

    fn fetch_proposal(&self, _: &str) -> anyhow::Result<Option<Proposal>> {
        Ok(None)
    }

    fn session_ids(&self) -> anyhow::Result<Option<Vec<String>>> {
        Ok(None)
    }
}

/// The compare-and-set of a proposal write: the copy being written was read at `revision`,
/// and the durable one must still be there.
pub fn check_revision(proposal: &Proposal, durable: u64) -> Result<(), RunError> {
    if proposal.revision == durable {
        Ok(())
    } else {
        Err(RunError::StaleProposal { id: proposal.id.clone(), read: proposal.revision, now: Some(durable) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Tier;
    use crate::runtime::proposals::State;

    fn proposal() -> Proposal {
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        Proposal::new(
            "s-1",
            "t1",
            "erp_delete_brief",
            Tier::T3,
            "acme",
            "local",
            serde_json::json!({"id": "b1"}),
            now,
            None,
        )
    }

    #[test]
    fn a_folder_write_is_a_compare_and_set_on_the_revision() {
        let mut p = proposal();
        assert_eq!(Folder.write_proposal(&p, None).unwrap(), 1, "a new proposal is revision 1");
        p.revision = 1;
        let stored = p.clone();
        assert_eq!(Folder.write_proposal(&p, Some(&stored)).unwrap(), 2);
        // Another writer moved the file on to revision 2: this copy, read at 1, loses.
        let mut newer = stored.clone();
        newer.revision = 2;
        newer.state = State::Confirmed;
        let err = Folder.write_proposal(&p, Some(&newer)).unwrap_err();
        assert!(matches!(err.downcast_ref::<RunError>(), Some(RunError::StaleProposal { read: 1, now: Some(2), .. })));
    }
}
