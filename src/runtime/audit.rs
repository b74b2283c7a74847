//! The audit log: one JSON object per line in `sessions/<id>/audit.jsonl`, appended for every
//! tool call and the rule or hook that decided it, every proposal transition, every breaker trip
//! and every turn. Entries hold tool names, inputs and decisions; never a key or a header.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: Timestamp,
    pub session: String,
    /// `turn`, `tool_call`, `proposal`, `breaker`, `hook`, `output`, `run`.
    pub event: String,
    #[serde(flatten)]
    pub fields: serde_json::Map<String, Value>,
}

/// An append-only audit log file.
#[derive(Debug, Clone)]
pub struct AuditLog {
    /// `None` for a session id that is not a safe path segment: nothing is read or written.
    path: Option<PathBuf>,
    session: String,
}

impl AuditLog {
    /// Returns the log at `path` for a session.
    pub fn new(path: &Path, session: &str) -> Self {
        Self { path: Some(path.to_path_buf()), session: session.to_owned() }
    }

    /// Returns the log of a session id that is not a safe path segment: every use fails.
    pub fn refused(session: &str) -> Self {
        Self { path: None, session: session.to_owned() }
    }

    fn path(&self) -> std::io::Result<&Path> {
        self.path.as_deref().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("`{}` is not a session id", self.session))
        })
    }

    /// Appends one entry; `fields` must be a JSON object (other values are wrapped as `value`).
    pub fn append(&self, at: Timestamp, event: &str, fields: Value) -> std::io::Result<()> {
        let fields = match fields {
            Value::Object(map) => map,
            Value::Null => serde_json::Map::new(),
            other => std::iter::once(("value".to_owned(), other)).collect(),
        };
        let entry = Entry { at, session: self.session.clone(), event: event.to_owned(), fields };
        let mut line = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(self.path()?)?;
        file.write_all(&line)
    }

    /// Reads every entry (lines that do not parse are skipped).
    pub fn read(&self) -> std::io::Result<Vec<Entry>> {
        match std::fs::read_to_string(self.path()?) {
            Ok(text) => Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

/// Returns the summary of a log that goes into the invocation: tool calls by decision and
/// rule, proposals by final transition, breaker trips.
pub fn summarize(entries: &[Entry]) -> Value {
    let mut decisions: BTreeMap<String, u64> = BTreeMap::new();
    let mut tools: BTreeMap<String, u64> = BTreeMap::new();
    let mut proposals: BTreeMap<String, u64> = BTreeMap::new();
    let mut breakers = Vec::new();
    for e in entries {
        let field = |k: &str| e.fields.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        match e.event.as_str() {
            "tool_call" => {
                *decisions.entry(format!("{}:{}", field("decision"), field("rule"))).or_default() += 1;
                *tools.entry(field("tool")).or_default() += 1;
            }
            "proposal" => *proposals.entry(field("to")).or_default() += 1,
            "breaker" => breakers.push(Value::String(field("breaker"))),
            _ => {}
        }
    }
    serde_json::json!({"decisions": decisions, "tools": tools, "proposals": proposals, "breakers": breakers})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn appends_reads_and_summarizes() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(&dir.path().join("audit.jsonl"), "s1");
        let at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        log.append(at, "tool_call", json!({"tool": "a", "decision": "allow", "rule": "granted"})).unwrap();
        log.append(at, "tool_call", json!({"tool": "a", "decision": "refuse", "rule": "per_run"})).unwrap();
        log.append(at, "proposal", json!({"to": "PENDING"})).unwrap();
        log.append(at, "breaker", json!({"breaker": "turns"})).unwrap();
        let entries = log.read().unwrap();
        assert_eq!(entries.len(), 4);
        let summary = summarize(&entries);
        assert_eq!(summary["decisions"]["refuse:per_run"], 1);
        assert_eq!(summary["tools"]["a"], 2);
        assert_eq!(summary["breakers"], json!(["turns"]));
    }
}
