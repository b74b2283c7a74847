//! The session store under `.agentbuilder/sessions/<id>/`: `session.json` (the conversation,
//! usage, counters; written atomically after every turn), `proposals/<id>.json`,
//! `calls/<tool_use_id>.json` (the journal that makes execution idempotent) and `audit.jsonl`.
//! A lock file keeps two agentb processes from driving one session at once.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::audit::AuditLog;
use super::guard::Counters;
use super::proposals::Proposal;
use crate::claude::{Message, Usage};
use crate::compile::Artifact;
use crate::error::UserError;

/// How long a session stays resumable after its last turn.
pub const SESSION_TTL: Duration = Duration::from_hours(30 * 24);

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    AwaitingApproval,
    Completed,
    Failed,
}

impl Status {
    /// Returns the status as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::AwaitingApproval => "awaiting_approval",
            Status::Completed => "completed",
            Status::Failed => "failed",
        }
    }
}

/// One session: everything needed to resume it, even after the skill's source changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub skill: String,
    pub skill_version: String,
    pub org: String,
    pub instance: String,
    #[serde(default)]
    pub persona: Option<String>,
    pub model: String,
    pub max_tokens: u32,
    pub status: Status,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub invocation_id: Option<String>,
    pub input: Value,
    /// The system prompt (persona prompt + skill context).
    pub system: String,
    /// The compiled skill the session runs.
    pub artifact: Artifact,
    pub messages: Vec<Message>,
    #[serde(default)]
    pub usage: Usage,
    #[serde(default)]
    pub cost_usd: f64,
    /// Model requests sent over the session's life.
    #[serde(default)]
    pub turns: u32,
    #[serde(default)]
    pub counters: Counters,
    /// Corrective turns used for the current output.
    #[serde(default)]
    pub corrections: u32,
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
}

/// A journal entry: a tool call that ran, and what it returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub tool_use_id: String,
    pub tool: String,
    pub at: Timestamp,
    pub content: String,
    pub is_error: bool,
}

/// The sessions folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// A held session lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Store {
    /// Returns the store at `root` (`.agentbuilder/sessions`).
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// Returns a session's folder.
    pub fn dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// Returns a new session id: `s-` and a time-ordered uuid.
    pub fn new_id() -> String {
        format!("s-{}", uuid::Uuid::now_v7().simple())
    }

    /// Creates a session's folder and writes it.
    pub fn create(&self, session: &Session) -> anyhow::Result<()> {
        let dir = self.dir(&session.id);
        std::fs::create_dir_all(dir.join("proposals"))
            .and_then(|()| std::fs::create_dir_all(dir.join("calls")))
            .with_context(|| format!("failed to create `{}`", dir.display()))?;
        self.save(session)
    }

    /// Writes `session.json` atomically.
    pub fn save(&self, session: &Session) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec(session).context("failed to encode the session")?;
        crate::compile::write_atomic(&self.dir(&session.id).join("session.json"), &bytes)
    }

    /// Loads a session; an unknown id, or one whose last turn is older than [`SESSION_TTL`],
    /// is an error that says so.
    pub fn load(&self, id: &str, now: Timestamp) -> anyhow::Result<Session> {
        if !is_session_id(id) {
            return Err(UserError::usage(format!("`{id}` is not a session id"))
                .with_hint("session ids look like `s-0193…`; `agentb sessions list` shows them")
                .into());
        }
        let path = self.dir(id).join("session.json");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(UserError::usage(format!("no session `{id}` in this project"))
                    .with_hint("`agentb sessions list` shows the sessions; agentb never starts a new one in its place")
                    .into());
            }
            Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", path.display())),
        };
        let session: Session = serde_json::from_slice(&bytes)
            .map_err(|e| UserError::usage(format!("session `{id}` is damaged (`{}`): {e}", path.display())))?;
        if super::clock::add(session.updated_at, SESSION_TTL) < now {
            return Err(UserError::usage(format!(
                "session `{id}` expired: its last turn was at {}, more than 30 days ago",
                session.updated_at
            ))
            .with_hint("start a new run; its proposals stay listed in `agentb proposals list`")
            .into());
        }
        Ok(session)
    }

    /// Takes the session's lock, failing fast when another agentb holds it.
    pub fn lock(&self, id: &str) -> anyhow::Result<Lock> {
        let path = self.dir(id).join("lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("failed to open `{}`", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(UserError::usage(format!("session `{id}` is in use by another agentb process"))
                    .with_hint("wait for it to finish, then try again")
                    .into())
            }
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("failed to lock `{}`", path.display()))
            }
        }
    }

    /// Returns every session id, oldest first.
    pub fn ids(&self) -> anyhow::Result<Vec<String>> {
        let mut ids = Vec::new();
        match std::fs::read_dir(&self.root) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.with_context(|| format!("failed to list `{}`", self.root.display()))?;
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if is_session_id(&name) && entry.path().join("session.json").is_file() {
                        ids.push(name);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("failed to list `{}`", self.root.display())),
        }
        ids.sort();
        Ok(ids)
    }

    /// Reads a session without the expiry check (for listing and showing).
    pub fn read(&self, id: &str) -> anyhow::Result<Session> {
        let path = self.dir(id).join("session.json");
        let bytes = std::fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
        serde_json::from_slice(&bytes).with_context(|| format!("failed to parse `{}`", path.display()))
    }

    /// Returns the audit log of a session.
    pub fn audit(&self, id: &str) -> AuditLog {
        AuditLog::new(&self.dir(id).join("audit.jsonl"), id)
    }

    /// Writes a proposal atomically.
    pub fn save_proposal(&self, proposal: &Proposal) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec_pretty(proposal).context("failed to encode the proposal")?;
        let dir = self.dir(&proposal.session_id).join("proposals");
        std::fs::create_dir_all(&dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
        crate::compile::write_atomic(&dir.join(format!("{}.json", proposal.id)), &bytes)
    }

    /// Returns a session's proposals, oldest first.
    pub fn proposals(&self, session_id: &str) -> anyhow::Result<Vec<Proposal>> {
        let dir = self.dir(session_id).join("proposals");
        let mut proposals = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(proposals),
            Err(e) => return Err(e).with_context(|| format!("failed to list `{}`", dir.display())),
        };
        for entry in entries {
            let path = entry.with_context(|| format!("failed to list `{}`", dir.display()))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                proposals.push(read_json::<Proposal>(&path)?);
            }
        }
        proposals.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(proposals)
    }

    /// Finds a proposal by id in any session.
    pub fn find_proposal(&self, id: &str) -> anyhow::Result<Proposal> {
        let valid = id.strip_prefix("p-").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
        if valid {
            for session in self.ids()? {
                let path = self.dir(&session).join("proposals").join(format!("{id}.json"));
                if path.is_file() {
                    return read_json(&path);
                }
            }
        }
        Err(UserError::usage(format!("no proposal `{id}` in this project"))
            .with_hint("`agentb proposals list` shows the proposals")
            .into())
    }

    /// Returns the journal entry of a tool call, if it ran.
    pub fn call(&self, session_id: &str, tool_use_id: &str) -> anyhow::Result<Option<CallRecord>> {
        let path = self.call_path(session_id, tool_use_id);
        if path.is_file() { read_json(&path).map(Some) } else { Ok(None) }
    }

    /// Records that a tool call ran (before the session moves on).
    pub fn save_call(&self, session_id: &str, record: &CallRecord) -> anyhow::Result<()> {
        let path = self.call_path(session_id, &record.tool_use_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
        }
        let bytes = serde_json::to_vec_pretty(record).context("failed to encode the call record")?;
        crate::compile::write_atomic(&path, &bytes)
    }

    fn call_path(&self, session_id: &str, tool_use_id: &str) -> PathBuf {
        // tool_use ids come from the model: keep only safe characters in the file name.
        let safe: String = tool_use_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
            .collect();
        let hash = &proposals_hash(tool_use_id)[..8];
        self.dir(session_id).join("calls").join(format!("{safe}-{hash}.json"))
    }
}

fn proposals_hash(s: &str) -> String {
    super::proposals::input_hash(&Value::String(s.to_owned()))
}

/// Returns whether `id` looks like a session id (no path separators, no dots).
pub fn is_session_id(id: &str) -> bool {
    id.strip_prefix("s-")
        .is_some_and(|h| !h.is_empty() && h.len() <= 64 && h.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let bytes = std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("failed to parse `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_before_touching_the_disk() {
        assert!(is_session_id("s-0193abc"));
        for bad in ["", "s-", "../x", "s-../x", "s-a.b", "p-123"] {
            assert!(!is_session_id(bad), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let now = Timestamp::now();
        let err = store.load("s-0000", now).unwrap_err();
        assert!(err.to_string().contains("no session `s-0000`"), "{err}");
        assert!(store.load("../etc", now).is_err());
        assert!(store.find_proposal("p-../../x").is_err());
        assert!(store.ids().unwrap().is_empty());
    }
}
