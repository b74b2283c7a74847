//! The session store under `.agentbuilder/sessions/<id>/`: `session.json` (what never changes
//! after the session starts: skill, org, input, system prompt, the compiled skill), `log.jsonl`
//! (appended after every turn: the new messages and the state — usage, counters, status), the
//! journal `calls.jsonl` (every tool call that ran, and the snapshot taken before each write: what
//! makes execution idempotent), `proposals/<id>.json` and `audit.jsonl`. Appends never rewrite
//! the conversation, so a turn costs the same on the hundredth turn as on the first; a line torn
//! by a crash is dropped when the session is next loaded. A lock file keeps two agentb processes
//! from driving one session at once.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::audit::AuditLog;
use super::backend::{Backend, Fetched, Folder};
use super::deployed::Origin;
use super::error::{RunError, SessionUse};
use super::guard::Counters;
use super::proposals::Proposal;
use crate::claude::{Message, Usage};
use crate::compile::Artifact;
use crate::erp::Record;

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
    /// Where the artifact came from (the release store, the org's record, the working copy).
    #[serde(default)]
    pub origin: Option<Origin>,
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

/// The sessions folder, and the [`Backend`] where its sessions are durable: the folder itself
/// (local instances), or the ERP with the folder as a cache (http instances).
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    backend: Arc<dyn Backend>,
    /// Sessions this process has brought into the folder from its backend (or created).
    fetched: Mutex<HashSet<String>>,
    /// Per session: how many messages `log.jsonl` holds, and the last of them (a message that
    /// changed since is written again).
    persisted: Mutex<HashMap<String, (usize, Option<Message>)>>,
    /// Per session: the journal, read once.
    journals: Mutex<HashMap<String, Journal>>,
}

/// The journal of one session, in memory.
#[derive(Debug, Default, Clone)]
struct Journal {
    done: HashMap<String, CallRecord>,
    started: HashMap<String, Option<Record>>,
}

/// One line of `calls.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum JournalLine {
    Done(CallRecord),
    Started { tool_use_id: String, before: Option<Record> },
}

/// The part of a session that never changes: `session.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub(crate) id: String,
    pub(crate) skill: String,
    pub(crate) skill_version: String,
    pub(crate) org: String,
    pub(crate) instance: String,
    pub(crate) persona: Option<String>,
    pub(crate) model: String,
    pub(crate) max_tokens: u32,
    pub(crate) created_at: Timestamp,
    pub(crate) invocation_id: Option<String>,
    pub(crate) input: Value,
    pub(crate) system: String,
    pub(crate) artifact: Artifact,
    #[serde(default)]
    pub(crate) origin: Option<Origin>,
}

/// The state of a session after a turn.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionState {
    pub(crate) status: Status,
    pub(crate) updated_at: Timestamp,
    pub(crate) usage: Usage,
    pub(crate) cost_usd: f64,
    pub(crate) turns: u32,
    pub(crate) counters: Counters,
    pub(crate) corrections: u32,
    pub(crate) output: Option<Value>,
    pub(crate) error: Option<String>,
}

impl SessionState {
    /// Returns the state of a session as it stands.
    pub(crate) fn of(session: &Session) -> Self {
        Self {
            status: session.status,
            updated_at: session.updated_at,
            usage: session.usage,
            cost_usd: session.cost_usd,
            turns: session.turns,
            counters: session.counters.clone(),
            corrections: session.corrections,
            output: session.output.clone(),
            error: session.error.clone(),
        }
    }
}

/// One line of `log.jsonl`: messages from index `from` on replace what the log held there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogLine {
    pub(crate) from: usize,
    pub(crate) messages: Vec<Message>,
    pub(crate) state: SessionState,
}

/// A held session lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Store {
    /// Returns the store at `root` (`.agentbuilder/sessions`), the folder its own backend.
    pub fn new(root: PathBuf) -> Self {
        Self::with_backend(root, Arc::new(Folder))
    }

    /// Returns the store at `root` whose sessions are durable in `backend` (the folder is its
    /// cache).
    pub fn with_backend(root: PathBuf, backend: Arc<dyn Backend>) -> Self {
        Self { root, backend, fetched: Mutex::default(), persisted: Mutex::default(), journals: Mutex::default() }
    }

    /// Returns where the sessions are durable.
    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    /// Brings a session into the folder from the backend, once per process (a backend that is
    /// the folder has nothing to bring). A session the backend holds replaces the folder's copy,
    /// after the backend verified it; one it does not hold leaves the folder as it is.
    fn refresh(&self, id: &str) -> anyhow::Result<()> {
        if !is_session_id(id) || lock(&self.fetched).contains(id) {
            return Ok(());
        }
        if let Some(fetched) = self.backend.fetch_session(id)? {
            self.materialize(fetched)?;
        }
        lock(&self.fetched).insert(id.to_owned());
        Ok(())
    }

    /// Writes a session fetched from the backend into the folder: its header, log, audit log,
    /// journal and proposals, each file replaced whole.
    fn materialize(&self, fetched: Fetched) -> anyhow::Result<()> {
        let Fetched { header, lines, audit, calls, proposals } = fetched;
        let id = header.id.clone();
        let dir = self.dir(&id)?;
        std::fs::create_dir_all(dir.join("proposals"))
            .with_context(|| format!("failed to create `{}`", dir.display()))?;
        if let Ok(local) = self.header(&id) {
            let (mut a, mut b) = (serde_json::to_value(&local)?, serde_json::to_value(&header)?);
            a["instance"] = Value::Null;
            b["instance"] = Value::Null;
            if a != b {
                return Err(RunError::SessionForged {
                    id: id.clone(),
                    instance: header.instance.clone(),
                    what: format!("it differs from the copy this machine holds in `{}`", dir.display()),
                }
                .into());
            }
        }
        let encode = |lines: Vec<String>| {
            let mut text = lines.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            text
        };
        let mut messages: Vec<Message> = Vec::new();
        let mut log = Vec::with_capacity(lines.len());
        for line in &lines {
            messages.truncate(line.from);
            messages.extend(line.messages.iter().cloned());
            log.push(serde_json::to_string(line).context("failed to encode a log line")?);
        }
        crate::fs::write_atomic(&dir.join("session.json"), &serde_json::to_vec_pretty(&header)?)?;
        crate::fs::write_atomic(&dir.join("log.jsonl"), encode(log).as_bytes())?;
        crate::fs::write_atomic(&dir.join("audit.jsonl"), encode(audit).as_bytes())?;
        crate::fs::write_atomic(&dir.join("calls.jsonl"), encode(calls).as_bytes())?;
        for p in &proposals {
            self.write_proposal_file(p)?;
        }
        lock(&self.journals).remove(&id);
        lock(&self.persisted).insert(id.clone(), (messages.len(), messages.last().cloned()));
        self.backend.cached(&id, &dir, lines.len() as u64);
        Ok(())
    }

    /// Returns a session's folder; an id that is not one safe path segment (it may come from a
    /// file's content) is refused, so nothing can make agentb touch a path outside the store.
    pub fn dir(&self, id: &str) -> anyhow::Result<PathBuf> {
        if !is_safe_segment(id) {
            return Err(RunError::NotASessionId { id: id.to_owned() }.into());
        }
        Ok(self.root.join(id))
    }

    /// Returns a new session id: `s-` and a time-ordered uuid.
    pub fn new_id() -> String {
        format!("s-{}", uuid::Uuid::now_v7().simple())
    }

    /// Creates a session's folder and writes it.
    pub fn create(&self, session: &Session) -> anyhow::Result<()> {
        let dir = self.dir(&session.id)?;
        std::fs::create_dir_all(dir.join("proposals"))
            .with_context(|| format!("failed to create `{}`", dir.display()))?;
        let header = Header {
            id: session.id.clone(),
            skill: session.skill.clone(),
            skill_version: session.skill_version.clone(),
            org: session.org.clone(),
            instance: session.instance.clone(),
            persona: session.persona.clone(),
            model: session.model.clone(),
            max_tokens: session.max_tokens,
            created_at: session.created_at,
            invocation_id: session.invocation_id.clone(),
            input: session.input.clone(),
            system: session.system.clone(),
            artifact: session.artifact.clone(),
            origin: session.origin.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&header).context("failed to encode the session")?;
        crate::fs::write_atomic(&dir.join("session.json"), &bytes)?;
        self.backend.create_session(&header, session)?;
        self.backend.cached(&session.id, &dir, 0);
        lock(&self.fetched).insert(session.id.clone());
        lock(&self.persisted).insert(session.id.clone(), (0, None));
        self.save(session)
    }

    /// Persists the turn: appends the messages that are new (or changed) since the last save,
    /// and the session's state, to `log.jsonl`.
    pub fn save(&self, session: &Session) -> anyhow::Result<()> {
        let (count, last) = lock(&self.persisted).get(&session.id).cloned().unwrap_or((0, None));
        let count = count.min(session.messages.len());
        // The last message written may have grown since (text added to a user message).
        let from = match (count.checked_sub(1), &last) {
            (Some(i), Some(last)) if session.messages.get(i) != Some(last) => i,
            _ => count,
        };
        let line = LogLine { from, messages: session.messages[from..].to_vec(), state: SessionState::of(session) };
        let dir = self.dir(&session.id)?;
        append_line(&dir.join("log.jsonl"), &line)?;
        lock(&self.persisted).insert(session.id.clone(), (session.messages.len(), session.messages.last().cloned()));
        self.backend.append_turn(session, &line, &dir)
    }

    /// Loads a session to drive it; an unknown id, or one whose last turn is older than
    /// [`SESSION_TTL`], is an error that says so.
    pub fn load(&self, id: &str, now: Timestamp) -> anyhow::Result<Session> {
        self.check_exists(id)?;
        self.refresh(id)?;
        // Drop a line torn by a crash, so the next append starts on a line of its own.
        drop_torn_line(&self.dir(id)?.join("log.jsonl"))?;
        let session =
            self.read(id).map_err(|e| RunError::SessionDamaged { id: id.to_owned(), message: format!("{e:#}") })?;
        if super::clock::add(session.updated_at, SESSION_TTL) < now {
            return Err(RunError::SessionExpired { id: id.to_owned(), last_turn: session.updated_at }.into());
        }
        lock(&self.persisted).insert(session.id.clone(), (session.messages.len(), session.messages.last().cloned()));
        Ok(session)
    }

    /// Checks that `id` names a session of this store, with the errors [`Store::load`] gives.
    pub fn check_exists(&self, id: &str) -> anyhow::Result<()> {
        if !is_session_id(id) {
            return Err(RunError::NotASessionId { id: id.to_owned() }.into());
        }
        self.refresh(id)?;
        if !self.dir(id)?.join("session.json").is_file() {
            return Err(RunError::UnknownSession { id: id.to_owned(), purpose: SessionUse::Resume }.into());
        }
        Ok(())
    }

    /// Returns whether `id` names a session of this store (brought into the folder from the
    /// backend first, when it is elsewhere).
    pub fn exists(&self, id: &str) -> anyhow::Result<bool> {
        if !is_session_id(id) {
            return Ok(false);
        }
        self.refresh(id)?;
        Ok(self.dir(id)?.join("session.json").is_file())
    }

    /// Takes the session's lock, failing fast when another agentb holds it.
    pub fn lock(&self, id: &str) -> anyhow::Result<Lock> {
        let path = self.dir(id)?.join("lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("failed to open `{}`", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(RunError::SessionInUse { id: id.to_owned() }.into()),
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
        if let Some(remote) = self.backend.session_ids()? {
            ids.extend(remote.into_iter().filter(|id| is_session_id(id)));
            ids.sort();
            ids.dedup();
        }
        ids.sort();
        Ok(ids)
    }

    /// Reads a session without the expiry check (for listing and showing): the header, then
    /// the log replayed (complete lines only).
    pub fn read(&self, id: &str) -> anyhow::Result<Session> {
        self.refresh(id)?;
        let header = self.header(id)?;
        let log_path = self.dir(id)?.join("log.jsonl");
        let text =
            std::fs::read_to_string(&log_path).with_context(|| format!("failed to read `{}`", log_path.display()))?;
        let mut messages: Vec<Message> = Vec::new();
        let mut state: Option<SessionState> = None;
        for line in complete_lines(&text) {
            let line: LogLine =
                serde_json::from_str(line).with_context(|| format!("failed to parse `{}`", log_path.display()))?;
            messages.truncate(line.from);
            messages.extend(line.messages);
            state = Some(line.state);
        }
        let state = state.with_context(|| format!("`{}` holds no turn", log_path.display()))?;
        Ok(Session {
            id: header.id,
            skill: header.skill,
            skill_version: header.skill_version,
            org: header.org,
            instance: header.instance,
            persona: header.persona,
            model: header.model,
            max_tokens: header.max_tokens,
            status: state.status,
            created_at: header.created_at,
            updated_at: state.updated_at,
            invocation_id: header.invocation_id,
            input: header.input,
            system: header.system,
            artifact: header.artifact,
            origin: header.origin,
            messages,
            usage: state.usage,
            cost_usd: state.cost_usd,
            turns: state.turns,
            counters: state.counters,
            corrections: state.corrections,
            output: state.output,
            error: state.error,
        })
    }

    /// Reads a session's `session.json`, which must name the session of its folder.
    fn header(&self, id: &str) -> anyhow::Result<Header> {
        let path = self.dir(id)?.join("session.json");
        let header: Header = read_json(&path)?;
        if header.id != id {
            anyhow::bail!("`{}` names session `{}`, not the session of its folder", path.display(), header.id);
        }
        Ok(header)
    }

    /// Returns the audit log of a session (one whose id is not a safe path segment fails on
    /// every use).
    pub fn audit(&self, id: &str) -> AuditLog {
        match self.dir(id) {
            Ok(dir) => AuditLog::new(&dir.join("audit.jsonl"), id),
            Err(_) => AuditLog::refused(id),
        }
    }

    /// Writes a proposal with a compare-and-set against the revision it was read at (where it
    /// is durable: its file, or the ERP), then to the folder; the proposal takes its new
    /// revision. [`RunError::StaleProposal`] when another writer got there first.
    pub fn save_proposal(&self, proposal: &mut Proposal) -> anyhow::Result<()> {
        if !is_proposal_id(&proposal.id) {
            return Err(RunError::UnknownProposal { id: proposal.id.clone() }.into());
        }
        let path = self.dir(&proposal.session_id)?.join("proposals").join(format!("{}.json", proposal.id));
        let stored: Option<Proposal> = if path.is_file() { Some(read_json(&path)?) } else { None };
        proposal.revision = self.backend.write_proposal(proposal, stored.as_ref())?;
        self.write_proposal_file(proposal)
    }

    /// Records in the folder only that the model was told a proposal's state: the next write
    /// carries it to the backend (it costs no request of its own).
    pub fn save_reported(&self, proposal: &Proposal) -> anyhow::Result<()> {
        self.write_proposal_file(proposal)
    }

    /// Writes a proposal's file atomically.
    fn write_proposal_file(&self, proposal: &Proposal) -> anyhow::Result<()> {
        if !is_proposal_id(&proposal.id) {
            return Err(RunError::UnknownProposal { id: proposal.id.clone() }.into());
        }
        let bytes = serde_json::to_vec_pretty(proposal).context("failed to encode the proposal")?;
        let dir = self.dir(&proposal.session_id)?.join("proposals");
        std::fs::create_dir_all(&dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
        crate::fs::write_atomic(&dir.join(format!("{}.json", proposal.id)), &bytes)
    }

    /// Reads the proposal file at `path`, in the folder of session `session` (whose header is
    /// `header`), verified against what agentb bound when it created it: its id is its file's
    /// name, its session the folder it lives in, its org and instance its session's, and its
    /// input hash the hash of its input. A mismatch names the file; nothing is changed.
    fn read_proposal(path: &Path, session: &str, header: &Header) -> anyhow::Result<Proposal> {
        let p: Proposal = read_json(path)?;
        let changed = |what: String| -> anyhow::Result<Proposal> {
            Err(RunError::ProposalChanged { path: path.to_owned(), what }.into())
        };
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if p.id != stem || !is_proposal_id(&p.id) {
            return changed(format!("its id `{}` is not its file's name", p.id));
        }
        if p.session_id != session {
            return changed(format!("its session `{}` is not `{session}`, the session it lives in", p.session_id));
        }
        if p.org != header.org {
            return changed(format!("its org `{}` is not `{}`, the org of session `{session}`", p.org, header.org));
        }
        if p.instance != header.instance {
            let (found, expected) = (&p.instance, &header.instance);
            return changed(format!("its instance `{found}` is not `{expected}`, the instance of session `{session}`"));
        }
        if p.input_hash != super::proposals::input_hash(&p.input) {
            return changed("its input hash is not the hash of its input".to_owned());
        }
        Ok(p)
    }

    /// Returns a session's proposals, oldest first, each verified (see [`Store::read_proposal`]).
    pub fn proposals(&self, session_id: &str) -> anyhow::Result<Vec<Proposal>> {
        self.refresh(session_id)?;
        let dir = self.dir(session_id)?.join("proposals");
        let mut proposals = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(proposals),
            Err(e) => return Err(e).with_context(|| format!("failed to list `{}`", dir.display())),
        };
        let mut header = None;
        for entry in entries {
            let path = entry.with_context(|| format!("failed to list `{}`", dir.display()))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let header = match &header {
                    Some(h) => h,
                    None => header.insert(self.header(session_id)?),
                };
                proposals.push(Self::read_proposal(&path, session_id, header)?);
            }
        }
        proposals.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(proposals)
    }

    /// Finds a proposal, takes its session's lock, and reads it again under the lock (another
    /// agentb may have changed it meanwhile); returns the lock with the proposal.
    pub fn lock_proposal(&self, id: &str) -> anyhow::Result<(Lock, Proposal)> {
        let found = self.find_proposal(id)?;
        let lock = self.lock(&found.session_id)?;
        Ok((lock, self.find_proposal(id)?))
    }

    /// Finds a proposal by id in any session: as it stands now in the backend (when that is
    /// not the folder; the folder's copy is replaced), else in the folder.
    pub fn find_proposal(&self, id: &str) -> anyhow::Result<Proposal> {
        if is_proposal_id(id)
            && let Some(fresh) = self.backend.fetch_proposal(id)?
        {
            self.refresh(&fresh.session_id)?;
            let header = self.header(&fresh.session_id)?;
            let path = self.dir(&fresh.session_id)?.join("proposals").join(format!("{id}.json"));
            self.write_proposal_file(&fresh)?;
            return Self::read_proposal(&path, &fresh.session_id, &header);
        }
        if is_proposal_id(id) {
            for session in self.ids()? {
                let path = self.dir(&session)?.join("proposals").join(format!("{id}.json"));
                if path.is_file() {
                    return Self::read_proposal(&path, &session, &self.header(&session)?);
                }
            }
        }
        Err(RunError::UnknownProposal { id: id.to_owned() }.into())
    }

    /// Returns the journal entry of a tool call, if it ran.
    pub fn call(&self, session_id: &str, tool_use_id: &str) -> anyhow::Result<Option<CallRecord>> {
        self.with_journal(session_id, |j| j.done.get(tool_use_id).cloned())
    }

    /// Records that a tool call ran (before the session moves on).
    pub fn save_call(&self, session_id: &str, record: &CallRecord) -> anyhow::Result<()> {
        self.with_journal(session_id, |_| ())?;
        append_line(&self.dir(session_id)?.join("calls.jsonl"), &JournalLine::Done(record.clone()))?;
        if let Some(j) = lock(&self.journals).get_mut(session_id) {
            j.done.insert(record.tool_use_id.clone(), record.clone());
        }
        Ok(())
    }

    /// Returns the snapshot saved before a write started (`Some(None)`: it started, and needed
    /// none), or `None` when it never started.
    pub fn started(&self, session_id: &str, tool_use_id: &str) -> anyhow::Result<Option<Option<Record>>> {
        self.with_journal(session_id, |j| j.started.get(tool_use_id).cloned())
    }

    /// Records that a write is about to run, with the record as it was before.
    pub fn save_started(&self, session_id: &str, tool_use_id: &str, before: Option<&Record>) -> anyhow::Result<()> {
        self.with_journal(session_id, |_| ())?;
        let line = JournalLine::Started { tool_use_id: tool_use_id.to_owned(), before: before.cloned() };
        append_line(&self.dir(session_id)?.join("calls.jsonl"), &line)?;
        if let Some(j) = lock(&self.journals).get_mut(session_id) {
            j.started.insert(tool_use_id.to_owned(), before.cloned());
        }
        Ok(())
    }

    /// Runs `f` on a session's journal, reading `calls.jsonl` on first use.
    fn with_journal<T>(&self, session_id: &str, f: impl FnOnce(&Journal) -> T) -> anyhow::Result<T> {
        if let Some(j) = lock(&self.journals).get(session_id) {
            return Ok(f(j));
        }
        let path = self.dir(session_id)?.join("calls.jsonl");
        // Only a process holding the session's lock writes the journal: drop a torn line.
        drop_torn_line(&path)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", path.display())),
        };
        let mut journal = Journal::default();
        for line in complete_lines(&text) {
            match serde_json::from_str(line).with_context(|| format!("failed to parse `{}`", path.display()))? {
                JournalLine::Done(record) => {
                    journal.done.insert(record.tool_use_id.clone(), record);
                }
                JournalLine::Started { tool_use_id, before } => {
                    journal.started.insert(tool_use_id, before);
                }
            }
        }
        let out = f(&journal);
        lock(&self.journals).insert(session_id.to_owned(), journal);
        Ok(out)
    }
}

/// Locks a mutex, taking the data of a poisoned one (a panic elsewhere cannot corrupt a map).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Returns the complete lines of a log (a last line without its newline was torn by a crash).
fn complete_lines(text: &str) -> impl Iterator<Item = &str> {
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete.lines().filter(|l| !l.trim().is_empty())
}

/// Appends one JSON line with a single write.
fn append_line(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let mut line = serde_json::to_vec(value).context("failed to encode a log line")?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("failed to open `{}`", path.display()))?;
    file.write_all(&line).with_context(|| format!("failed to write `{}`", path.display()))
}

/// Cuts a log back to its last complete line.
fn drop_torn_line(path: &Path) -> anyhow::Result<()> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", path.display())),
    };
    if bytes.last().is_none_or(|b| *b == b'\n') {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("failed to open `{}`", path.display()))?;
    file.set_len(keep as u64).with_context(|| format!("failed to truncate `{}`", path.display()))
}

/// Returns whether `id` is one safe path segment: `[A-Za-z0-9_-]`, 1 to 128 characters.
pub fn is_safe_segment(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Returns whether `id` looks like a proposal id (`p-` and hex digits).
pub fn is_proposal_id(id: &str) -> bool {
    id.strip_prefix("p-").is_some_and(|h| !h.is_empty() && h.len() <= 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
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
    use crate::claude::Message;

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

    fn session(id: &str) -> Session {
        let artifact: Artifact = serde_json::from_value(serde_json::json!({
            "format": 1, "id": "x", "name": "X", "version": "1.0.0", "status": "active", "category": "x",
            "description": "x", "triggers": [], "dependencies": [], "permissions": [],
            "input_schema": {}, "output_schema": {}, "tools": [], "system_prompt": "x",
            "limits": {"max_turns": 1, "max_wall_secs": 1, "max_cost_usd": 1.0, "max_output_tokens": 1,
                       "tier_calls": {}, "tools": {}},
            "source_hash": "", "content_hash": ""
        }))
        .unwrap();
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        Session {
            id: id.to_owned(),
            skill: "x".to_owned(),
            skill_version: "1.0.0".to_owned(),
            org: "acme".to_owned(),
            instance: "local".to_owned(),
            persona: None,
            model: "m".to_owned(),
            max_tokens: 1,
            status: Status::Running,
            created_at: now,
            updated_at: now,
            invocation_id: None,
            input: Value::Null,
            system: "s".to_owned(),
            artifact,
            origin: None,
            messages: vec![Message::user_text("hello")],
            usage: Usage::default(),
            cost_usd: 0.0,
            turns: 0,
            counters: Counters::default(),
            corrections: 0,
            output: None,
            error: None,
        }
    }

    #[test]
    fn the_log_replays_changed_messages_and_survives_a_torn_line() {
        use crate::claude::ContentBlock;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let mut s = session("s-01");
        store.create(&s).unwrap();
        s.messages.push(Message::assistant(vec![ContentBlock::text("hi")]));
        s.turns = 1;
        store.save(&s).unwrap();
        // The last message grows after it was saved: it is written again, not duplicated.
        s.messages.push(Message::user_text("more"));
        store.save(&s).unwrap();
        s.messages.last_mut().unwrap().content.push(ContentBlock::text("and more"));
        store.save(&s).unwrap();
        assert_eq!(store.read("s-01").unwrap(), s);
        // A crash mid-append leaves a torn line; loading drops it and appends go on.
        let log = dir.path().join("s-01/log.jsonl");
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all(b"{\"from\": 3, \"mess").unwrap();
        drop(f);
        let fresh = Store::new(dir.path().to_path_buf());
        let mut loaded = fresh.load("s-01", s.updated_at).unwrap();
        assert_eq!(loaded, s);
        loaded.turns = 2;
        fresh.save(&loaded).unwrap();
        assert_eq!(Store::new(dir.path().to_path_buf()).read("s-01").unwrap().turns, 2);
        // Past the TTL the session is expired, never silently replaced.
        let late = super::super::clock::add(s.updated_at, SESSION_TTL + Duration::from_secs(1));
        assert!(fresh.load("s-01", late).unwrap_err().to_string().contains("expired"));
    }

    #[test]
    fn the_journal_is_read_back_by_another_process() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        store.create(&session("s-02")).unwrap();
        let at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let record =
            CallRecord { tool_use_id: "t1".into(), tool: "x".into(), at, content: "ok".into(), is_error: false };
        store.save_started("s-02", "t1", None).unwrap();
        store.save_call("s-02", &record).unwrap();
        let other = Store::new(dir.path().to_path_buf());
        assert_eq!(other.call("s-02", "t1").unwrap(), Some(record));
        assert_eq!(other.started("s-02", "t1").unwrap(), Some(None));
        assert_eq!(other.call("s-02", "t2").unwrap(), None);
    }
    #[test]
    fn proposals_are_verified_against_their_place_and_session() {
        use super::super::proposals::Proposal;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("sessions");
        let store = Store::new(root.clone());
        store.create(&session("s-03")).unwrap();
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let input = serde_json::json!({"id": "b1"});
        let mut p =
            Proposal::new("s-03", "t1", "erp_delete_brief", crate::config::Tier::T3, "acme", "local", input, now, None);
        store.save_proposal(&mut p).unwrap();
        assert_eq!(store.find_proposal(&p.id).unwrap(), p);
        let path = root.join("s-03/proposals").join(format!("{}.json", p.id));
        let edits: [(&str, Value, &str); 5] = [
            ("org", "beta".into(), "its org `beta` is not `acme`"),
            ("instance", "prod".into(), "its instance `prod`"),
            ("input", serde_json::json!({"id": "b2"}), "its input hash"),
            ("session_id", "s-04".into(), "its session `s-04`"),
            ("id", "p-0".into(), "its id `p-0`"),
        ];
        for (field, value, says) in edits {
            let mut edited = serde_json::to_value(&p).unwrap();
            edited[field] = value;
            std::fs::write(&path, serde_json::to_vec(&edited).unwrap()).unwrap();
            for err in [store.find_proposal(&p.id).unwrap_err(), store.proposals("s-03").unwrap_err()] {
                let text = err.to_string();
                assert!(text.contains(&path.display().to_string()) && text.contains(says), "{field}: {text}");
                assert!(matches!(err.downcast_ref::<RunError>(), Some(RunError::ProposalChanged { .. })));
            }
        }
        // A session id from a file's content never becomes a path outside the store.
        let mut outside = p.clone();
        outside.session_id = "../../x".into();
        assert!(store.save_proposal(&mut outside).is_err());
        outside.session_id = "s-03".into();
        outside.id = "../p-1".into();
        assert!(store.save_proposal(&mut outside).is_err());
        assert!(store.lock("..").is_err() && store.audit("../x").read().is_err() && store.call("..", "t").is_err());
        assert!(!dir.path().join("x").exists() && !dir.path().join("lock").exists());
        // A `session.json` naming another session is refused.
        let header = root.join("s-03/session.json");
        let text = std::fs::read_to_string(&header).unwrap().replace("\"s-03\"", "\"s-05\"");
        std::fs::write(&header, text).unwrap();
        assert!(store.read("s-03").unwrap_err().to_string().contains("names session `s-05`"));
    }
}
