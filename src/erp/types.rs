//! The contract's data: records, pages, list queries, the typed records of SPEC §6
//! (`AgentSkill`, `AgentPersona`, `AgentInvocation`, `Organization`), collection names and their
//! rules, and [`ApiError`], the error every implementation answers with.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A record of any collection: a JSON object that carries `id` and `organizationId`.
pub type Record = Map<String, Value>;

/// The collections every instance has, besides the entity collections.
pub const AGENT_SKILLS: &str = "agent-skills";
/// Personas deployed to an org.
pub const AGENT_PERSONAS: &str = "agent-personas";
/// The audit records of skill executions.
pub const AGENT_INVOCATIONS: &str = "agent-invocations";
/// Form templates (built by `agentb build form`).
pub const FORM_TEMPLATES: &str = "form-templates";
/// Content triggers (built by `agentb build workflow`).
pub const CONTENT_TRIGGERS: &str = "content-triggers";
/// Knowledge documents, addressed by `path`.
pub const KNOWLEDGE: &str = "knowledge";
/// The orgs of an instance (list only).
pub const ORGANIZATIONS: &str = "organizations";
/// Run sessions of http instances (SPEC §8: where sessions live).
pub const AGENT_SESSIONS: &str = "agent-sessions";
/// The turns of a session: append-only, one record per turn (`?sessionId=`).
pub const AGENT_SESSION_TURNS: &str = "agent-session-turns";
/// Proposals of http instances (`?sessionId=&status=`).
pub const AGENT_PROPOSALS: &str = "agent-proposals";

/// The collections the contract names; any other plural kebab-case name is an entity collection.
pub const NAMED_COLLECTIONS: &[&str] = &[
    ORGANIZATIONS,
    AGENT_SKILLS,
    AGENT_PERSONAS,
    AGENT_INVOCATIONS,
    FORM_TEMPLATES,
    CONTENT_TRIGGERS,
    KNOWLEDGE,
    AGENT_SESSIONS,
    AGENT_SESSION_TURNS,
    AGENT_PROPOSALS,
];

/// The largest record (and request body) an instance accepts: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The page size when a list names none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The largest page size.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Fields the instance manages: a body may repeat them but never change them. `revision` is
/// the integer the instance increments on each write (1 when created): PATCH and DELETE with
/// `If-Match: <revision>` answer 412 when the record changed since.
pub const MANAGED_FIELDS: &[&str] = &["id", "organizationId", "createdAt", "updatedAt", "revision"];

/// Returns whether `name` is a valid collection name: lowercase kebab-case (`briefs`,
/// `form-templates`), starting with a letter, at most 64 characters.
pub fn is_collection_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Returns why `id` cannot be a record id, or `None` when it can. Ids are single path segments:
/// never empty, `.` or `..`, and free of `/` and control characters (SPEC §6). The server refuses
/// such an id (400) and the client never sends one.
pub fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id == "." || id == ".." {
        Some("`.` and `..` are not ids")
    } else if id.contains('/') {
        Some("it holds `/`")
    } else if id.chars().any(char::is_control) {
        Some("it holds a control character")
    } else {
        None
    }
}

/// Returns `id` as messages show it: control characters escaped (`a\nb`), else unchanged.
pub fn shown_id(id: &str) -> std::borrow::Cow<'_, str> {
    if id.chars().any(char::is_control) { id.escape_debug().to_string().into() } else { id.into() }
}

/// Returns the 400 for an id that is not a single path segment (see [`id_problem`]).
pub fn check_id(id: &str) -> Result<(), ApiError> {
    match id_problem(id) {
        None => Ok(()),
        Some(problem) => Err(ApiError::bad_request(
            "invalid_id",
            format!("`{}` is not a record id ({problem}); ids are single path segments", shown_id(id)),
        )),
    }
}

/// Returns the field that identifies a record of `collection` besides its id, unique per org:
/// `slug` for skills and personas, `path` for knowledge. Upserts match on it.
pub fn natural_key(collection: &str) -> Option<&'static str> {
    match collection {
        AGENT_SKILLS | AGENT_PERSONAS => Some("slug"),
        KNOWLEDGE => Some("path"),
        _ => None,
    }
}

/// Returns whether `name` may be used as a filter field in a list query.
pub fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.starts_with('-')
}

/// A query for one page of a collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Page size (default [`DEFAULT_PAGE_SIZE`], at most [`MAX_PAGE_SIZE`]).
    pub limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Field values the records must equal (top-level fields).
    pub filters: Vec<(String, Value)>,
    /// Only records whose `path` starts with this (knowledge).
    pub path_prefix: Option<String>,
}

impl ListQuery {
    /// Returns a query for the first page with the default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the query with a page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Returns the query starting after a cursor.
    #[must_use]
    pub fn cursor(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }

    /// Returns the query with one more field filter.
    #[must_use]
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.filters.push((field.into(), value.into()));
        self
    }

    /// Returns the query limited to paths starting with `prefix`.
    #[must_use]
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Returns the query as URL query pairs, the way the HTTP contract spells it: a string filter
    /// as itself, any other value as its JSON text.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some(limit) = self.limit {
            pairs.push(("limit".to_owned(), limit.to_string()));
        }
        if let Some(cursor) = &self.cursor {
            pairs.push(("cursor".to_owned(), cursor.clone()));
        }
        if let Some(prefix) = &self.path_prefix {
            pairs.push(("pathPrefix".to_owned(), prefix.clone()));
        }
        for (field, value) in &self.filters {
            pairs.push((field.clone(), filter_text(value)));
        }
        pairs
    }

    /// Parses URL query pairs (the inverse of [`ListQuery::to_pairs`]); filter values stay
    /// strings, which match a field equal to that string or to the JSON scalar it spells.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let mut query = Self::new();
        for (name, value) in pairs {
            match name.as_str() {
                "limit" => {
                    let limit =
                        value.parse::<u32>().ok().filter(|n| (1..=MAX_PAGE_SIZE).contains(n)).ok_or_else(|| {
                            ApiError::bad_request(
                                "invalid_query",
                                format!("`limit` must be an integer from 1 to {MAX_PAGE_SIZE}, not `{value}`"),
                            )
                        })?;
                    query.limit = Some(limit);
                }
                "cursor" => query.cursor = Some(value.clone()).filter(|c| !c.is_empty()),
                "pathPrefix" => query.path_prefix = Some(value.clone()),
                _ if is_field_name(name) => query.filters.push((name.clone(), Value::String(value.clone()))),
                _ => {
                    return Err(ApiError::bad_request(
                        "invalid_query",
                        format!("`{name}` is not a valid filter field (letters, digits, `_` and `-`)"),
                    ));
                }
            }
        }
        Ok(query)
    }
}

/// Returns a filter value as the text the contract compares: a string as itself, anything else
/// as JSON.
pub fn filter_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One page of a list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub data: Vec<Record>,
    /// The cursor of the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The outcome of an upsert or a put.
#[derive(Debug, Clone, PartialEq)]
pub struct Upserted {
    /// The record as stored.
    pub record: Record,
    /// Whether the record was created (else replaced).
    pub created: bool,
}

/// An organization (tenant) of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub name: String,
    /// The same as `id`: every record carries its org.
    #[serde(default)]
    pub organization_id: String,
}

/// A skill deployed to an org: the interface fields, plus `version`, `contentHash` and the
/// compiled artifact in `definition`, so deployed state can be read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSkill {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organization_id: String,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub triggers: Vec<Value>,
    #[serde(default)]
    pub inputs: Vec<Value>,
    #[serde(default)]
    pub outputs: Vec<Value>,
    #[serde(default = "enabled")]
    pub is_enabled: bool,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub content_hash: String,
    /// The compiled artifact.
    #[serde(default)]
    pub definition: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<jiff::Timestamp>,
    /// Fields of the instance that the contract does not name, kept as they are.
    #[serde(flatten)]
    pub extra: Record,
}

/// A persona deployed to an org: a system prompt and the skills it may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPersona {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organization_id: String,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub system_prompt: String,
    #[serde(default)]
    pub allowed_skills: Vec<String>,
    #[serde(default = "enabled")]
    pub is_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<jiff::Timestamp>,
    #[serde(flatten)]
    pub extra: Record,
}

/// The status of an invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvocationStatus {
    Pending,
    Running,
    Completed,
    Failed,
}

impl InvocationStatus {
    /// Returns the status as the contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationStatus::Pending => "pending",
            InvocationStatus::Running => "running",
            InvocationStatus::Completed => "completed",
            InvocationStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for InvocationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The ERP's audit record of one skill execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentInvocation {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organization_id: String,
    pub skill_id: String,
    #[serde(default)]
    pub skill_version: String,
    /// The content hash of the artifact that actually ran (the promotion gate counts by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    /// Who or what started it (`cli`, `test`, an event name, a user id).
    #[serde(default)]
    pub triggered_by: String,
    #[serde(default)]
    pub entity_type: Option<String>,
    #[serde(default)]
    pub entity_id: Option<String>,
    pub status: InvocationStatus,
    #[serde(default)]
    pub input: Value,
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
    /// Token usage (input, output, cache tokens).
    #[serde(default)]
    pub usage: Option<Value>,
    #[serde(default)]
    pub cost_usd: Option<f64>,
    #[serde(default)]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(default)]
    pub finished_at: Option<jiff::Timestamp>,
    /// The run session the invocation belongs to (`agent-sessions` for http instances).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<jiff::Timestamp>,
    #[serde(flatten)]
    pub extra: Record,
}

/// The token usage an invocation records, with the number of model requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvocationUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub turns: u32,
}

/// The merge patch that records how an invocation ended (or paused, awaiting approval):
/// `output` and `error` are cleared when absent; `finishedAt` is set only when it ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationOutcome {
    pub status: InvocationStatus,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub usage: InvocationUsage,
    pub cost_usd: f64,
    /// The summary of the session's audit log.
    pub audit: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<jiff::Timestamp>,
}

/// The merge patch that marks a resumed invocation running again: its end and error cleared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationRestart {
    pub status: InvocationStatus,
    pub finished_at: Option<jiff::Timestamp>,
    pub error: Option<String>,
}

impl InvocationRestart {
    /// Returns the patch: status running, no end, no error.
    pub fn running() -> Self {
        Self { status: InvocationStatus::Running, finished_at: None, error: None }
    }
}

fn enabled() -> bool {
    true
}

/// Returns a typed record as a generic one.
pub fn to_record<T: Serialize>(value: &T) -> Record {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Record::new(),
    }
}

/// Returns a generic record as a typed one, or the reason it does not fit.
pub fn from_record<T: serde::de::DeserializeOwned>(record: &Record) -> Result<T, String> {
    T::deserialize(record).map_err(|e| e.to_string())
}

/// Checks that a record fits its collection's type; returns the problem otherwise.
pub fn validate(collection: &str, record: &Record) -> Result<(), String> {
    fn non_empty(record: &Record, field: &str) -> Result<(), String> {
        match record.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
            Some(Value::String(_)) => Err(format!("`{field}` must not be empty")),
            Some(_) => Err(format!("`{field}` must be a string")),
            None => Err(format!("missing field `{field}`")),
        }
    }
    match collection {
        AGENT_SKILLS => {
            non_empty(record, "slug")?;
            from_record::<AgentSkill>(record).map(drop)
        }
        AGENT_PERSONAS => {
            non_empty(record, "slug")?;
            from_record::<AgentPersona>(record).map(drop)
        }
        AGENT_INVOCATIONS => {
            non_empty(record, "skillId")?;
            from_record::<AgentInvocation>(record).map(drop)
        }
        KNOWLEDGE => non_empty(record, "path"),
        AGENT_SESSIONS => non_empty(record, "skill"),
        AGENT_SESSION_TURNS => {
            non_empty(record, "sessionId")?;
            match record.get("seq") {
                Some(Value::Number(n)) if n.is_u64() => Ok(()),
                Some(_) => Err("`seq` must be a non-negative integer".to_owned()),
                None => Err("missing field `seq`".to_owned()),
            }
        }
        AGENT_PROPOSALS => {
            for field in ["sessionId", "toolUseId", "tool", "status", "inputHash"] {
                non_empty(record, field)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Applies a JSON merge patch (RFC 7386): `null` removes a field, objects merge, anything else
/// replaces.
pub fn merge_patch(target: &mut Record, patch: &Record) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Object(inner) => {
                let slot = target.entry(key.clone()).or_insert_with(|| Value::Object(Record::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Record::new());
                }
                if let Value::Object(existing) = slot {
                    merge_patch(existing, inner);
                }
            }
            other => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

/// The error every implementation of the contract answers with: an HTTP status, a stable
/// machine-readable code and a message. Serialized as `{"error":{"code":…,"message":…}}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    /// Returns an error with this status, code and message.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into() }
    }

    /// Returns a 400: the request is malformed.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// Returns a 401: no key, or a wrong one.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", message)
    }

    /// Returns a 403: the request names an org other than the one it acts for.
    pub fn org_mismatch(header: &str, named: &str) -> Self {
        Self::new(403, "org_mismatch", format!("the request acts for org `{header}` but names org `{named}`"))
    }

    /// Returns a 404 for a record.
    pub fn not_found(collection: &str, id: &str) -> Self {
        Self::new(404, "not_found", format!("no `{collection}` record `{id}`"))
    }

    /// Returns a 404 for an org.
    pub fn org_not_found(org: &str) -> Self {
        Self::new(404, "org_not_found", format!("no organization `{org}`"))
    }

    /// Returns a 405: the collection does not support this method.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "method_not_allowed", message)
    }

    /// Returns a 409: the record conflicts with an existing one.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "conflict", message)
    }

    /// Returns a 412: the record's `revision` is not the one `If-Match` names (it changed since).
    pub fn precondition_failed(collection: &str, id: &str, expected: u64, actual: u64) -> Self {
        Self::new(
            412,
            "precondition_failed",
            format!(
                "the `{collection}` record `{id}` is at revision {actual}, not {expected} (`If-Match`): it changed since"
            ),
        )
    }

    /// Returns a 413: the request body is larger than [`MAX_BODY_BYTES`].
    pub fn too_large() -> Self {
        Self::new(
            413,
            "payload_too_large",
            format!("the request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
        )
    }

    /// Returns a 413: the record as it would be stored (`len` bytes of JSON, with the fields the
    /// server adds) is larger than [`MAX_BODY_BYTES`].
    pub fn record_too_large(len: usize) -> Self {
        Self::new(
            413,
            "payload_too_large",
            format!(
                "the stored record would be {len} bytes (the body plus `id`, `organizationId`, `createdAt`, \
                 `updatedAt` and `revision`), over the limit of {MAX_BODY_BYTES} bytes per stored record"
            ),
        )
    }

    /// Returns a 400: a number no 64-bit integer holds (it would silently become a float).
    pub fn integer_out_of_range(what: &str) -> Self {
        Self::new(
            400,
            "integer_out_of_range",
            format!("{what} is outside the 64-bit integer range; send it as a string"),
        )
    }

    /// Returns a 422: the record does not fit its collection's type.
    pub fn invalid(collection: &str, problem: &str) -> Self {
        Self::new(422, "invalid_record", format!("invalid `{collection}` record: {problem}"))
    }

    /// Returns a 500: the store failed.
    pub fn store(message: impl Into<String>) -> Self {
        Self::new(500, "store_error", message)
    }

    /// Returns the JSON body of this error.
    pub fn body(&self) -> Value {
        serde_json::json!({"error": {"code": self.code, "message": self.message}})
    }

    /// Parses an error body; `None` when it is not `{"error":{"code":…,"message":…}}`.
    pub fn from_body(status: u16, body: &[u8]) -> Option<Self> {
        #[derive(Deserialize)]
        struct Body {
            error: Inner,
        }
        #[derive(Deserialize)]
        struct Inner {
            code: String,
            #[serde(default)]
            message: String,
        }
        let body: Body = serde_json::from_slice(body).ok()?;
        Some(Self::new(status, body.error.code, body.error.message))
    }
}

/// Refuses an integer literal of a JSON text that fits neither `i64` nor `u64` (serde_json
/// would read it as a float and lose its digits). Skips strings; O(n), no allocation but for
/// the error.
pub fn check_integer_literals(json: &[u8]) -> Result<(), ApiError> {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => {
                i += 1;
                while i < json.len() && json[i] != b'"' {
                    i += if json[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < json.len() && json[i].is_ascii_digit() {
                    i += 1;
                }
                let is_float = i < json.len() && matches!(json[i], b'.' | b'e' | b'E');
                while i < json.len() && matches!(json[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                let literal = std::str::from_utf8(&json[start..i]).unwrap_or_default();
                if !is_float && literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                    let shown: String = literal.chars().take(40).collect();
                    let more = if literal.len() > shown.len() { "…" } else { "" };
                    return Err(ApiError::integer_out_of_range(&format!("the integer `{shown}{more}`")));
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Refuses a whole number of a parsed record that no 64-bit integer holds: once parsed, an
/// integer literal beyond the range is a float like any other, so the store, which never sees
/// the text, refuses every whole number at or beyond 2^64 or at or below -2^63 (`i64::MIN`
/// itself arrives as an integer). The server's [`check_integer_literals`] names the literal.
pub fn check_integer_range(record: &Record) -> Result<(), ApiError> {
    use std::fmt::Write as _;
    fn walk(value: &Value, path: &mut String) -> Result<(), ApiError> {
        match value {
            Value::Number(n) if !n.is_i64() && !n.is_u64() => {
                let f = n.as_f64().unwrap_or_default();
                // 2^64 and -2^63, exactly representable.
                if f.fract() == 0.0 && (f >= 18_446_744_073_709_551_616.0 || f <= -9_223_372_036_854_775_808.0) {
                    return Err(ApiError::integer_out_of_range(&format!("`{path}` ({n})")));
                }
                Ok(())
            }
            Value::Array(items) => {
                let len = path.len();
                for (i, item) in items.iter().enumerate() {
                    let _ = write!(path, "[{i}]");
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                let len = path.len();
                for (key, item) in map {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    let mut path = String::new();
    for (key, value) in record {
        path.clear();
        path.push_str(key);
        walk(value, &mut path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collection_names_are_kebab_case() {
        for good in ["briefs", "form-templates", "agent-skills", "knowledge", "x2"] {
            assert!(is_collection_name(good), "{good}");
        }
        for bad in ["", "Briefs", "form_templates", "-a", "a-", "a--b", "1a", "a/b", &"a".repeat(65)] {
            assert!(!is_collection_name(bad), "{bad}");
        }
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}}).as_object().unwrap().clone();
        let patch = json!({"a": "z", "c": {"f": null}, "n": [1]}).as_object().unwrap().clone();
        merge_patch(&mut target, &patch);
        assert_eq!(Value::Object(target), json!({"a": "z", "c": {"d": "e"}, "n": [1]}));
    }

    #[test]
    fn integer_literals_beyond_64_bits_are_refused() {
        for ok in [
            &b"{\"a\":18446744073709551615,\"b\":-9223372036854775808}"[..],
            b"{\"s\":\"99999999999999999999\"}",
            b"[1e400, 1.5, -0.0, 123456789012345678901234.5]",
            b"{\"q\":\"a\\\"99999999999999999999\"}",
        ] {
            assert!(check_integer_literals(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b"{\"a\":18446744073709551616}"[..],
            b"[-9223372036854775809]",
            b"{\"s\":\"x\",\"n\":[1,2,99999999999999999999999]}",
        ] {
            let err = check_integer_literals(bad).unwrap_err();
            assert_eq!(
                (err.status, err.code.as_str()),
                (400, "integer_out_of_range"),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let parsed: Record = serde_json::from_str("{\"a\":{\"b\":[1,18446744073709551616]}}").unwrap();
        let err = check_integer_range(&parsed).unwrap_err();
        assert!(err.message.contains("`a.b[1]`"), "{}", err.message);
        let fine: Record =
            serde_json::from_str("{\"a\":18446744073709551615,\"b\":-9223372036854775808,\"c\":1.5}").unwrap();
        assert!(check_integer_range(&fine).is_ok());
    }

    #[test]
    fn typed_records_validate() {
        let skill = json!({"slug": "a", "name": "A"}).as_object().unwrap().clone();
        assert!(validate(AGENT_SKILLS, &skill).is_ok());
        let parsed: AgentSkill = from_record(&skill).unwrap();
        assert!(parsed.is_enabled);
        let no_slug = json!({"name": "A"}).as_object().unwrap().clone();
        assert_eq!(validate(AGENT_SKILLS, &no_slug).unwrap_err(), "missing field `slug`");
        let bad_status = json!({"skillId": "s", "status": "done"}).as_object().unwrap().clone();
        assert!(validate(AGENT_INVOCATIONS, &bad_status).unwrap_err().contains("unknown variant `done`"));
        let knowledge = json!({"path": ""}).as_object().unwrap().clone();
        assert!(validate(KNOWLEDGE, &knowledge).is_err());
        assert!(validate("briefs", &Record::new()).is_ok());
    }

    #[test]
    fn typed_records_keep_unknown_fields() {
        let record = json!({"slug": "a", "name": "A", "custom": 1}).as_object().unwrap().clone();
        let skill: AgentSkill = from_record(&record).unwrap();
        assert_eq!(to_record(&skill)["custom"], json!(1));
    }

    #[test]
    fn query_pairs_round_trip() {
        let query = ListQuery::new().limit(5).cursor(Some("c".into())).filter("isEnabled", true).filter("slug", "x");
        let pairs = query.to_pairs();
        assert_eq!(pairs[2], ("isEnabled".to_owned(), "true".to_owned()));
        let back = ListQuery::from_pairs(&pairs).unwrap();
        assert_eq!(back.limit, Some(5));
        assert_eq!(back.filters[1], ("slug".to_owned(), json!("x")));
        assert_eq!(ListQuery::from_pairs(&[("limit".into(), "0".into())]).unwrap_err().status, 400);
        assert_eq!(ListQuery::from_pairs(&[("a b".into(), "x".into())]).unwrap_err().status, 400);
    }

    #[test]
    fn error_bodies_round_trip() {
        let err = ApiError::not_found("briefs", "b1");
        let body = serde_json::to_vec(&err.body()).unwrap();
        assert_eq!(ApiError::from_body(404, &body), Some(err));
        assert_eq!(ApiError::from_body(500, b"<html>"), None);
    }
}
