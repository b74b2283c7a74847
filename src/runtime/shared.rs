//! [`ErpSessions`]: sessions and proposals kept in the ERP itself (SPEC §6, §8) for http
//! instances, so any machine with the project and the key sees the same ones; the sessions
//! folder (`.agentbuilder/sessions/remote/<instance>/`) is only a cache.
//!
//! - A session is one `agent-sessions` record: the fields an ERP's UI shows, plus the
//!   serialized [`Header`] (bound by `headerHash`, its input by `inputHash`) and the serialized
//!   state after its last status change, so fields added to the session travel unchanged.
//! - Each turn is one `agent-session-turns` record (append-only; id `<session>-t<seq>`, so two
//!   machines driving one session collide on the id instead of forking it): the log line (the
//!   messages from index `from` on, and the state), and the audit events and journal entries
//!   written since the previous turn. Earlier turns are never rewritten: one request per turn,
//!   plus one when the session's status changes.
//! - Each proposal is one `agent-proposals` record; every write is a PATCH with
//!   `If-Match: <revision>` (a 412 is [`RunError::StaleProposal`]): one request per transition.
//!
//! A record whose binding does not hold (its header hash, its input hash, its org) is refused
//! before anything is written. An ERP without these collections (an older contract: 404 on the
//! collection) is [`RunError::MissingCollection`], naming the instance and the collection.
//!
//! The store's calls are synchronous; each ERP call here runs to completion on the command's
//! runtime (`block_in_place`) or, outside one, on a runtime of its own.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::backend::{Backend, Fetched};
use super::error::RunError;
use super::executor::Compensation;
use super::proposals::{Claim, Proposal, State, Transition, canonical, input_hash};
use super::session::{Header, LogLine, Session, SessionState, Status};
use crate::claude::Usage;
use crate::config::Tier;
use crate::erp::{
    AGENT_PROPOSALS, AGENT_SESSION_TURNS, AGENT_SESSIONS, Erp, ErpError, ErpExt as _, ListQuery, Record, from_record,
    to_record,
};

/// An `agent-sessions` record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionRecord {
    id: String,
    skill: String,
    skill_version: String,
    #[serde(default)]
    content_hash: String,
    #[serde(default)]
    persona: Option<String>,
    model: String,
    status: Status,
    input: Value,
    input_hash: String,
    #[serde(default)]
    counters: Value,
    #[serde(default)]
    usage: Usage,
    #[serde(default)]
    cost_usd: f64,
    #[serde(default)]
    expires_at: Option<jiff::Timestamp>,
    #[serde(default)]
    invocation_id: Option<String>,
    header: Header,
    header_hash: String,
    state: SessionState,
    #[serde(default)]
    revision: u64,
}

/// An `agent-session-turns` record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TurnRecord {
    id: String,
    session_id: String,
    seq: u64,
    #[serde(flatten)]
    line: LogLine,
    #[serde(default)]
    audit: Vec<Value>,
    #[serde(default)]
    calls: Vec<Value>,
}

/// An `agent-proposals` record: the contract's fields, and the rest of the [`Proposal`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProposalRecord {
    id: String,
    session_id: String,
    tool_use_id: String,
    tool: String,
    tier: Tier,
    input: Value,
    input_hash: String,
    status: State,
    #[serde(default)]
    compensation: Option<Compensation>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<String>,
    proposed_at: jiff::Timestamp,
    #[serde(default)]
    decided_at: Option<jiff::Timestamp>,
    #[serde(default)]
    decided_by: Option<String>,
    #[serde(default)]
    executed_at: Option<jiff::Timestamp>,
    #[serde(default)]
    expires_at: Option<jiff::Timestamp>,
    #[serde(default)]
    claim: Option<Claim>,
    #[serde(default)]
    history: Vec<Transition>,
    #[serde(default)]
    reported: bool,
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    revision: u64,
}

/// What this process knows of a session it writes: its org, its next turn, how far its audit
/// log and journal have been sent, and its record's status and revision.
#[derive(Debug, Clone)]
struct Progress {
    org: String,
    seq: u64,
    audit: u64,
    calls: u64,
    status: Option<Status>,
    /// The model's reply with tool calls, kept until their results come: the two go in one
    /// turn record, so a turn costs one request.
    deferred: Option<LogLine>,
}

/// Returns `later` appended to `earlier` as one log line: `later`'s messages replace
/// `earlier`'s from where `later` starts.
fn followed_by(earlier: LogLine, later: &LogLine) -> LogLine {
    if later.from < earlier.from {
        return later.clone();
    }
    let mut messages = earlier.messages;
    messages.truncate(later.from - earlier.from);
    messages.extend(later.messages.iter().cloned());
    LogLine { from: earlier.from, messages, state: later.state.clone() }
}

/// Returns whether a line ends with the model's tool calls, which the next line answers.
fn awaits_tool_results(line: &LogLine) -> bool {
    line.messages.last().is_some_and(|m| {
        m.role == crate::claude::Role::Assistant
            && m.content.iter().any(|b| matches!(b, crate::claude::ContentBlock::ToolUse { .. }))
    })
}

/// The ERP as the place sessions and proposals live (an http instance).
pub struct ErpSessions {
    instance: String,
    erp: Arc<dyn Erp>,
    /// The orgs searched for a session or proposal whose org is not known yet: the config's,
    /// else (listed once) every org of the instance.
    configured: Option<Vec<String>>,
    listed: OnceLock<Vec<String>>,
    /// The cache folder (the store's root).
    root: PathBuf,
    rt: OnceLock<tokio::runtime::Runtime>,
    progress: Mutex<HashMap<String, Progress>>,
}

impl std::fmt::Debug for ErpSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErpSessions")
            .field("instance", &self.instance)
            .field("orgs", &self.configured)
            .finish_non_exhaustive()
    }
}

/// Returns the cache folder of an http instance's sessions under the sessions folder.
pub fn cache_dir(sessions: &Path, instance: &str) -> PathBuf {
    let name = if super::session::is_safe_segment(instance) { instance.to_owned() } else { hex::encode(instance) };
    sessions.join("remote").join(name)
}

impl ErpSessions {
    /// Returns the sessions of instance `instance` (whose orgs are `orgs`) in `erp`, cached in
    /// `root`.
    pub fn new(instance: &str, erp: Arc<dyn Erp>, orgs: Option<Vec<String>>, root: PathBuf) -> Self {
        Self {
            instance: instance.to_owned(),
            erp,
            configured: orgs,
            listed: OnceLock::new(),
            root,
            rt: OnceLock::new(),
            progress: Mutex::default(),
        }
    }

    /// Returns the orgs of the instance (the config's, else listed once).
    fn orgs(&self) -> anyhow::Result<Vec<String>> {
        if let Some(orgs) = &self.configured {
            return Ok(orgs.clone());
        }
        if let Some(orgs) = self.listed.get() {
            return Ok(orgs.clone());
        }
        let orgs: Vec<String> = self.block(self.erp.organizations())??.into_iter().map(|o| o.id).collect();
        Ok(self.listed.get_or_init(|| orgs).clone())
    }

    /// Runs an ERP call to completion from synchronous code.
    fn block<T: Send>(&self, fut: impl Future<Output = T> + Send) -> anyhow::Result<T> {
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
                Ok(tokio::task::block_in_place(|| handle.block_on(fut)))
            }
            Ok(_) => {
                let rt = self.runtime()?;
                std::thread::scope(|s| s.spawn(|| rt.block_on(fut)).join())
                    .map_err(|_| anyhow::anyhow!("an ERP call of the session store panicked"))
            }
            Err(_) => Ok(self.runtime()?.block_on(fut)),
        }
    }

    fn runtime(&self) -> anyhow::Result<&tokio::runtime::Runtime> {
        if let Some(rt) = self.rt.get() {
            return Ok(rt);
        }
        let rt = crate::rt::build()?;
        Ok(self.rt.get_or_init(|| rt))
    }

    /// Maps an ERP error: a 404 on a whole collection (not a record, not an org) means the
    /// instance has no such collection.
    fn error(&self, e: ErpError, collection: &str, method: &str, whole: bool) -> anyhow::Error {
        if whole && e.is_not_found() && e.code() != Some("org_not_found") {
            return RunError::MissingCollection {
                instance: self.instance.clone(),
                collection: collection.to_owned(),
                method: method.to_owned(),
            }
            .into();
        }
        anyhow::Error::new(e)
    }

    /// Returns whether the instance has the collection (a probe after a 404 on one record).
    fn probe(&self, org: &str, collection: &str) -> anyhow::Result<()> {
        let query = ListQuery::new().limit(1);
        self.block(self.erp.list(org, collection, &query))?
            .map(drop)
            .map_err(|e| self.error(e, collection, "GET", true))
    }

    /// Returns a record, `None` when the instance has no such record.
    fn get(&self, org: &str, collection: &str, id: &str) -> anyhow::Result<Option<Record>> {
        match self.block(self.erp.get(org, collection, id))? {
            Ok(record) => Ok(Some(record)),
            Err(e) if e.is_not_found() && e.code() != Some("org_not_found") => {
                self.probe(org, collection)?;
                Ok(None)
            }
            Err(e) if e.code() == Some("org_not_found") => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Returns the orgs to search for a session: the one its cached header names first.
    fn orgs_for(&self, session: Option<&str>) -> anyhow::Result<Vec<String>> {
        let mut orgs = Vec::new();
        if let Some(id) = session {
            if let Some(p) = lock(&self.progress).get(id) {
                orgs.push(p.org.clone());
            }
            let path = self.root.join(id).join("session.json");
            if let Ok(bytes) = std::fs::read(&path)
                && let Ok(header) = serde_json::from_slice::<Header>(&bytes)
            {
                orgs.push(header.org);
            }
        }
        orgs.extend(self.orgs()?);
        let mut seen = std::collections::HashSet::new();
        orgs.retain(|o| seen.insert(o.clone()));
        Ok(orgs)
    }

    fn forged(&self, id: &str, what: impl Into<String>) -> anyhow::Error {
        RunError::SessionForged { id: id.to_owned(), instance: self.instance.clone(), what: what.into() }.into()
    }

    /// Verifies a session record against what agentb bound when it created it.
    fn verify_session(&self, id: &str, org: &str, record: &Record) -> anyhow::Result<SessionRecord> {
        let parsed: SessionRecord =
            from_record(record).map_err(|e| self.forged(id, format!("its record does not fit: {e}")))?;
        if parsed.id != id || parsed.header.id != id {
            return Err(self.forged(id, format!("its record names session `{}`", parsed.header.id)));
        }
        if parsed.header_hash != header_hash(&parsed.header) {
            return Err(self.forged(id, "its header (skill, org, input, prompt) is not the one its hash binds"));
        }
        if parsed.header.org != org {
            return Err(self.forged(id, format!("it names org `{}` but lives in org `{org}`", parsed.header.org)));
        }
        if input_hash(&parsed.header.input) != parsed.input_hash || input_hash(&parsed.input) != parsed.input_hash {
            return Err(self.forged(id, "its input is not the one its input hash binds"));
        }
        Ok(parsed)
    }

    /// Returns a proposal record as a [`Proposal`], verified: its input hash is its input's,
    /// its org the one it was read from.
    fn proposal_of(&self, org: &str, record: &Record) -> anyhow::Result<Proposal> {
        let id = record.get("id").and_then(Value::as_str).unwrap_or("?").to_owned();
        let r: ProposalRecord = from_record(record).map_err(|e| {
            anyhow::Error::new(RunError::ProposalChanged {
                path: PathBuf::from(format!("{}/api/v1/{AGENT_PROPOSALS}/{id}", self.instance)),
                what: format!("the record does not fit: {e}"),
            })
        })?;
        let changed = |what: String| -> anyhow::Error {
            RunError::ProposalChanged {
                path: PathBuf::from(format!("ERP instance `{}`: {AGENT_PROPOSALS}/{id}", self.instance)),
                what,
            }
            .into()
        };
        if r.organization_id != org {
            return Err(changed(format!("its org `{}` is not `{org}`", r.organization_id)));
        }
        if input_hash(&r.input) != r.input_hash {
            return Err(changed("its input hash is not the hash of its input".to_owned()));
        }
        let mut history = r.history;
        // A decision made elsewhere (the ERP's UI sets CONFIRMED or REJECTED) is recorded.
        let last = history.last().map_or(State::Pending, |t| t.to);
        if last != r.status {
            history.push(Transition {
                from: last,
                to: r.status,
                at: r.decided_at.unwrap_or(r.proposed_at),
                by: r.decided_by.unwrap_or_else(|| format!("ERP instance `{}`", self.instance)),
                reason: None,
            });
        }
        Ok(Proposal {
            id: r.id,
            session_id: r.session_id,
            tool_use_id: r.tool_use_id,
            tool: r.tool,
            tier: r.tier,
            org: org.to_owned(),
            instance: self.instance.clone(),
            input: r.input,
            input_hash: r.input_hash,
            state: r.status,
            created_at: r.proposed_at,
            expires_at: r.expires_at,
            result: r.result,
            error: r.error,
            compensation: r.compensation,
            history,
            reported: r.reported,
            revision: r.revision,
            claim: r.claim,
        })
    }

    /// Reads the bytes a file gained since `offset`, as lines.
    fn new_lines(path: &Path, offset: u64) -> anyhow::Result<(Vec<Value>, u64)> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", path.display())),
        };
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
        let end = bytes.iter().rposition(|b| *b == b'\n').map_or(start, |i| (i + 1).max(start));
        let text = String::from_utf8_lossy(&bytes[start..end]);
        let lines =
            text.lines().filter(|l| !l.trim().is_empty()).filter_map(|l| serde_json::from_str(l).ok()).collect();
        Ok((lines, end as u64))
    }
}

/// Locks a mutex, taking the data of a poisoned one.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Returns the hash that binds a session's header.
fn header_hash(header: &Header) -> String {
    let mut value = serde_json::to_value(header).unwrap_or_default();
    // Machines may name the instance differently; everything else is bound.
    value["instance"] = Value::Null;
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(canonical(&value).as_bytes()))
}

fn turn_id(session: &str, seq: u64) -> String {
    format!("{session}-t{seq:06}")
}

/// The most JSON text of a turn one record holds as it is; a larger turn (a model that sent a
/// huge tool input) is split into parts of [`PART_CHARS`] characters of its JSON text, each
/// a string well under the 1 MiB record limit even with every character escaped.
const MAX_TURN_BYTES: usize = 900 * 1024;
const PART_CHARS: usize = 400 * 1024;

/// Returns the records of a turn too large for one (`None`: it fits one).
fn chunks(turn: &TurnRecord) -> anyhow::Result<Option<Vec<Record>>> {
    let text = serde_json::to_string(turn).context("failed to encode a turn")?;
    if text.len() <= MAX_TURN_BYTES {
        return Ok(None);
    }
    let chars: Vec<char> = text.chars().collect();
    let pieces: Vec<String> = chars.chunks(PART_CHARS).map(|c| c.iter().collect()).collect();
    let parts = pieces.len();
    Ok(Some(
        pieces
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                let id = if i == 0 { turn.id.clone() } else { format!("{}-p{i:04}", turn.id) };
                to_record(&serde_json::json!({
                    "id": id, "sessionId": turn.session_id, "seq": turn.seq, "part": i, "parts": parts, "text": piece
                }))
            })
            .collect(),
    ))
}

/// Returns the turns of a session's records, parts joined; a part missing is an error.
fn joined(records: &[Record]) -> Result<Vec<TurnRecord>, String> {
    let mut turns = Vec::new();
    let mut parts: std::collections::BTreeMap<u64, Vec<(u64, u64, String)>> = std::collections::BTreeMap::new();
    for r in records {
        match (r.get("parts").and_then(Value::as_u64), r.get("text").and_then(Value::as_str)) {
            (Some(n), Some(text)) => {
                let seq = r.get("seq").and_then(Value::as_u64).ok_or("a part has no `seq`")?;
                let part = r.get("part").and_then(Value::as_u64).ok_or("a part has no `part`")?;
                parts.entry(seq).or_default().push((part, n, text.to_owned()));
            }
            _ => turns.push(from_record::<TurnRecord>(r)?),
        }
    }
    for (seq, mut pieces) in parts {
        pieces.sort_by_key(|p| p.0);
        let n = pieces[0].1;
        if pieces.len() as u64 != n || pieces.iter().enumerate().any(|(i, p)| p.0 != i as u64 || p.1 != n) {
            return Err(format!("turn {seq} is missing parts"));
        }
        let text: String = pieces.into_iter().map(|p| p.2).collect();
        turns.push(serde_json::from_str(&text).map_err(|e| format!("turn {seq}: {e}"))?);
    }
    Ok(turns)
}

impl Backend for ErpSessions {
    fn describe(&self) -> String {
        format!("ERP instance `{}`", self.instance)
    }

    fn shared(&self) -> bool {
        true
    }

    fn check(&self) -> anyhow::Result<()> {
        let org = self.orgs()?.into_iter().next().unwrap_or_default();
        for collection in [AGENT_SESSIONS, AGENT_SESSION_TURNS, AGENT_PROPOSALS] {
            self.probe(&org, collection)?;
        }
        Ok(())
    }

    fn create_session(&self, header: &Header, session: &Session) -> anyhow::Result<()> {
        let record = SessionRecord {
            id: session.id.clone(),
            skill: session.skill.clone(),
            skill_version: session.skill_version.clone(),
            content_hash: session.artifact.content_hash.clone(),
            persona: session.persona.clone(),
            model: session.model.clone(),
            status: session.status,
            input: session.input.clone(),
            input_hash: input_hash(&session.input),
            counters: serde_json::to_value(&session.counters).unwrap_or_default(),
            usage: session.usage,
            cost_usd: session.cost_usd,
            expires_at: Some(super::clock::add(session.updated_at, super::session::SESSION_TTL)),
            invocation_id: session.invocation_id.clone(),
            header: header.clone(),
            header_hash: header_hash(header),
            state: SessionState::of(session),
            revision: 0,
        };
        let mut body = to_record(&record);
        body.remove("revision");
        self.block(self.erp.create(&session.org, AGENT_SESSIONS, body))?
            .map_err(|e| self.error(e, AGENT_SESSIONS, "POST", true))
            .with_context(|| {
                format!("failed to record session `{}` in ERP instance `{}`", session.id, self.instance)
            })?;
        lock(&self.progress).insert(
            session.id.clone(),
            Progress {
                org: session.org.clone(),
                seq: 0,
                audit: 0,
                calls: 0,
                status: Some(session.status),
                deferred: None,
            },
        );
        Ok(())
    }

    fn append_turn(&self, session: &Session, line: &LogLine, dir: &Path) -> anyhow::Result<()> {
        let mut progress = lock(&self.progress).get(&session.id).cloned().unwrap_or(Progress {
            org: session.org.clone(),
            seq: 0,
            audit: 0,
            calls: 0,
            status: None,
            deferred: None,
        });
        let line = match progress.deferred.take() {
            Some(earlier) => followed_by(earlier, line),
            None => line.clone(),
        };
        if session.status == Status::Running && awaits_tool_results(&line) {
            // Sent with the calls' results (the folder holds it already): one request a turn.
            progress.deferred = Some(line);
            lock(&self.progress).insert(session.id.clone(), progress);
            return Ok(());
        }
        let (audit, audit_end) = Self::new_lines(&dir.join("audit.jsonl"), progress.audit)?;
        let (calls, calls_end) = Self::new_lines(&dir.join("calls.jsonl"), progress.calls)?;
        let turn = TurnRecord {
            id: turn_id(&session.id, progress.seq),
            session_id: session.id.clone(),
            seq: progress.seq,
            line,
            audit,
            calls,
        };
        let created = match chunks(&turn)? {
            None => self.block(self.erp.create(&session.org, AGENT_SESSION_TURNS, to_record(&turn)))?,
            Some(parts) => {
                let mut last = Ok(Record::new());
                for part in parts {
                    last = self.block(self.erp.create(&session.org, AGENT_SESSION_TURNS, part))?;
                    if last.is_err() {
                        break;
                    }
                }
                last
            }
        };
        match created {
            Ok(_) => {}
            Err(e) if e.is_conflict() => {
                return Err(RunError::SessionInUse { id: session.id.clone() }).with_context(|| {
                    format!(
                        "turn {} of session `{}` was written by another machine (ERP instance `{}`)",
                        progress.seq, session.id, self.instance
                    )
                });
            }
            Err(e) => {
                return Err(self.error(e, AGENT_SESSION_TURNS, "POST", true))
                    .with_context(|| format!("failed to record a turn of session `{}`", session.id));
            }
        }
        progress.seq += 1;
        progress.audit = audit_end;
        progress.calls = calls_end;
        if progress.status != Some(session.status) {
            // The status an ERP's UI lists moved (running, awaiting approval, done).
            let mut patch = Record::new();
            patch.insert("status".to_owned(), serde_json::to_value(session.status)?);
            patch.insert("state".to_owned(), serde_json::to_value(SessionState::of(session))?);
            patch.insert("counters".to_owned(), serde_json::to_value(&session.counters)?);
            patch.insert("usage".to_owned(), serde_json::to_value(session.usage)?);
            patch.insert("costUsd".to_owned(), Value::from(session.cost_usd));
            let expires = super::clock::add(session.updated_at, super::session::SESSION_TTL);
            patch.insert("expiresAt".to_owned(), Value::String(expires.to_string()));
            self.block(self.erp.patch(&session.org, AGENT_SESSIONS, &session.id, patch))?
                .map_err(|e| self.error(e, AGENT_SESSIONS, "PATCH", false))
                .with_context(|| format!("failed to update session `{}`", session.id))?;
            progress.status = Some(session.status);
        }
        lock(&self.progress).insert(session.id.clone(), progress);
        Ok(())
    }

    fn write_proposal(&self, p: &Proposal, _stored: Option<&Proposal>) -> anyhow::Result<u64> {
        let decided =
            p.history.iter().rev().find(|t| matches!(t.to, State::Confirmed | State::Rejected | State::Expired));
        let executed = p.history.iter().rev().find(|t| t.to == State::Executed);
        let record = ProposalRecord {
            id: p.id.clone(),
            session_id: p.session_id.clone(),
            tool_use_id: p.tool_use_id.clone(),
            tool: p.tool.clone(),
            tier: p.tier,
            input: p.input.clone(),
            input_hash: p.input_hash.clone(),
            status: p.state,
            compensation: p.compensation.clone(),
            result: p.result.clone(),
            error: p.error.clone(),
            proposed_at: p.created_at,
            decided_at: decided.map(|t| t.at),
            decided_by: decided.map(|t| t.by.clone()),
            executed_at: executed.map(|t| t.at),
            expires_at: p.expires_at,
            claim: p.claim.clone(),
            history: p.history.clone(),
            reported: p.reported,
            organization_id: p.org.clone(),
            revision: p.revision,
        };
        let mut body = to_record(&record);
        body.remove("revision");
        let answer = if p.revision == 0 {
            self.block(self.erp.create(&p.org, AGENT_PROPOSALS, body))?
                .map_err(|e| self.error(e, AGENT_PROPOSALS, "POST", true))
        } else {
            match self.block(self.erp.patch_if(&p.org, AGENT_PROPOSALS, &p.id, body, p.revision))? {
                Err(e) if e.is_precondition_failed() => {
                    return Err(RunError::StaleProposal { id: p.id.clone(), read: p.revision, now: None }.into());
                }
                other => other.map_err(|e| self.error(e, AGENT_PROPOSALS, "PATCH", false)),
            }
        };
        let stored = answer
            .with_context(|| format!("failed to record proposal `{}` in ERP instance `{}`", p.id, self.instance))?;
        Ok(crate::erp::revision_of(&stored))
    }

    fn fetch_session(&self, id: &str) -> anyhow::Result<Option<Fetched>> {
        for org in self.orgs_for(Some(id))? {
            let Some(record) = self.get(&org, AGENT_SESSIONS, id)? else { continue };
            let parsed = self.verify_session(id, &org, &record)?;
            let query = ListQuery::new().filter("sessionId", id);
            let turns = self
                .block(self.erp.list_all(&org, AGENT_SESSION_TURNS, query.clone()))?
                .map_err(|e| self.error(e, AGENT_SESSION_TURNS, "GET", true))?;
            let mut turns: Vec<TurnRecord> =
                joined(&turns).map_err(|e| self.forged(id, format!("a turn record does not fit: {e}")))?;
            turns.sort_by_key(|t| t.seq);
            for (i, turn) in turns.iter().enumerate() {
                if turn.seq != i as u64 || turn.session_id != id || turn.id != turn_id(id, turn.seq) {
                    return Err(self.forged(id, format!("its turns are not numbered 0 to {} in order", turns.len())));
                }
            }
            let proposals = self
                .block(self.erp.list_all(&org, AGENT_PROPOSALS, query))?
                .map_err(|e| self.error(e, AGENT_PROPOSALS, "GET", true))?
                .iter()
                .map(|r| self.proposal_of(&org, r))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if let Some(p) = proposals.iter().find(|p| p.session_id != id) {
                return Err(self.forged(id, format!("proposal `{}` names session `{}`", p.id, p.session_id)));
            }
            let mut header = parsed.header;
            header.instance.clone_from(&self.instance);
            let lines: Vec<LogLine> = if turns.is_empty() {
                vec![LogLine { from: 0, messages: Vec::new(), state: parsed.state }]
            } else {
                turns.iter().map(|t| t.line.clone()).collect()
            };
            let to_lines = |items: Vec<&Value>| items.into_iter().map(Value::to_string).collect::<Vec<_>>();
            let audit = to_lines(turns.iter().flat_map(|t| &t.audit).collect());
            let calls = to_lines(turns.iter().flat_map(|t| &t.calls).collect());
            lock(&self.progress).insert(
                id.to_owned(),
                Progress {
                    org: org.clone(),
                    seq: turns.len() as u64,
                    audit: 0,
                    calls: 0,
                    status: Some(parsed.status),
                    deferred: None,
                },
            );
            return Ok(Some(Fetched { header, lines, audit, calls, proposals }));
        }
        Ok(None)
    }

    fn cached(&self, id: &str, dir: &Path, turns: u64) {
        let len = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
        let mut progress = lock(&self.progress);
        if let Some(p) = progress.get_mut(id) {
            p.audit = len("audit.jsonl");
            p.calls = len("calls.jsonl");
            p.seq = p.seq.max(turns);
        }
    }

    fn fetch_proposal(&self, id: &str) -> anyhow::Result<Option<Proposal>> {
        for org in self.orgs_for(None)? {
            if let Some(record) = self.get(&org, AGENT_PROPOSALS, id)? {
                let p = self.proposal_of(&org, &record)?;
                lock(&self.progress).entry(p.session_id.clone()).or_insert(Progress {
                    org: org.clone(),
                    seq: 0,
                    audit: 0,
                    calls: 0,
                    status: None,
                    deferred: None,
                });
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    fn session_ids(&self) -> anyhow::Result<Option<Vec<String>>> {
        let mut ids = Vec::new();
        for org in &self.orgs()? {
            let records = self
                .block(self.erp.list_all(org, AGENT_SESSIONS, ListQuery::new()))?
                .map_err(|e| self.error(e, AGENT_SESSIONS, "GET", true))?;
            ids.extend(records.iter().filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned)));
        }
        Ok(Some(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claude::Message;

    fn turn(text: &str) -> TurnRecord {
        // Built from a session, so that fields added to the state come along.
        let clock = crate::runtime::clock::Clock::from_spec(Some("2026-01-01T00:00:00Z")).unwrap();
        let ids = crate::runtime::ids::Ids::seeded(1);
        let state = SessionState::of(&super::super::testing::session(&ids, &clock, super::super::testing::artifact(1)));
        TurnRecord {
            id: turn_id("s-1", 3),
            session_id: "s-1".into(),
            seq: 3,
            line: LogLine { from: 2, messages: vec![Message::user_text(text)], state },
            audit: vec![serde_json::json!({"event": "turn"})],
            calls: Vec::new(),
        }
    }

    #[test]
    fn a_turn_too_large_for_one_record_is_split_and_joined_back() {
        assert!(chunks(&turn("small")).unwrap().is_none(), "a usual turn is one record");
        // A model that sent a huge input: quotes make the escaped parts larger than their text.
        let big = turn(&"\"x".repeat(600 * 1024));
        let parts = chunks(&big).unwrap().unwrap();
        assert!(parts.len() >= 3, "{}", parts.len());
        for part in &parts {
            let len = serde_json::to_string(part).unwrap().len();
            assert!(len < crate::erp::MAX_BODY_BYTES, "{len}");
            assert_eq!(part["seq"], 3);
        }
        assert_eq!(parts[0]["id"], "s-1-t000003");
        let mut shuffled = parts.clone();
        shuffled.reverse();
        shuffled.push(to_record(&turn("other")));
        let joined = joined(&shuffled).unwrap();
        assert_eq!(joined.len(), 2);
        let back = joined.iter().find(|t| t.line.messages[0] != turn("other").line.messages[0]).unwrap();
        assert_eq!(serde_json::to_value(back).unwrap(), serde_json::to_value(&big).unwrap());
        assert!(joined_missing(&parts[1..]).contains("missing parts"));
    }

    fn joined_missing(records: &[Record]) -> String {
        joined(records).unwrap_err()
    }

    #[test]
    fn a_header_hash_binds_everything_but_the_instance_name() {
        let header = Header {
            id: "s-1".into(),
            skill: "x".into(),
            skill_version: "1.0.0".into(),
            org: "acme".into(),
            instance: "staging".into(),
            persona: None,
            model: "m".into(),
            max_tokens: 1,
            created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            invocation_id: None,
            input: serde_json::json!({"a": 1}),
            system: "s".into(),
            artifact: super::super::testing::artifact(1),
            origin: None,
        };
        let mut renamed = header.clone();
        renamed.instance = "prod".into();
        assert_eq!(header_hash(&header), header_hash(&renamed));
        let mut moved = header.clone();
        moved.org = "beta".into();
        assert_ne!(header_hash(&header), header_hash(&moved));
    }

    #[test]
    fn a_reply_with_tool_calls_waits_for_their_results_and_goes_in_one_line() {
        use crate::claude::{ContentBlock, Message};
        let state = |turns: u32| {
            let mut session = super::super::testing::World::new().session(10);
            session.turns = turns;
            SessionState::of(&session)
        };
        let call = Message::assistant(vec![ContentBlock::tool_use("t1", "erp_get_client", serde_json::json!({}))]);
        let reply = LogLine { from: 1, messages: vec![call.clone()], state: state(1) };
        assert!(awaits_tool_results(&reply));
        let result = Message::user(vec![ContentBlock::tool_result("t1", "{}", false)]);
        let answered = LogLine { from: 2, messages: vec![result.clone()], state: state(1) };
        assert!(!awaits_tool_results(&answered));
        let one = followed_by(reply.clone(), &answered);
        assert_eq!((one.from, one.messages.len()), (1, 2));
        assert_eq!(serde_json::to_value(&one.messages).unwrap(), serde_json::to_value([&call, &result]).unwrap());
        // A line that rewrites from an earlier message replaces what it covers.
        let rewritten = LogLine { from: 1, messages: vec![result.clone()], state: state(2) };
        let one = followed_by(reply, &rewritten);
        assert_eq!((one.from, one.messages.len(), one.state.turns), (1, 1, 2));
    }
}
