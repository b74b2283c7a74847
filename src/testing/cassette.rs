//! Cassettes (`skills/cassettes/<skill>/<case-slug>.json`, SPEC §10): the model's side of a
//! test case, recorded once and replayed without a network connection.
//!
//! A cassette holds canonical requests (the request body with keys sorted, without `stream`,
//! never a header or a key) and the responses the API gave. Replay matches each request of the
//! run by the hash of its canonical form, computed at load (so a hand-edited cassette needs no
//! hash); a request with no match is a [`Miss`] that names the first differing field against
//! the recorded request at the same position.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::claude::{ClaudeError, MessagesRequest, MessagesResponse, Model, ModelFuture};

/// A cassette file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cassette {
    /// True when a person wrote the answers (or a scripted fake server played them), not the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scripted: Option<bool>,
    pub skill: String,
    pub case: String,
    pub interactions: Vec<Interaction>,
}

/// One request and the response it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    pub request: Value,
    pub response: Value,
}

/// Returns where a case's cassette lives.
pub fn path(skills_dir: &Path, skill: &str, case_slug: &str) -> PathBuf {
    skills_dir.join("cassettes").join(skill).join(format!("{case_slug}.json"))
}

/// Why a cassette could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CassetteError {
    #[error("no cassette `{path}`")]
    Missing { path: String },
    #[error("cassette `{path}` is not valid: {message}")]
    Invalid { path: String, message: String },
}

impl Cassette {
    /// Reads a cassette; `display` is the path errors name.
    pub fn load(file: &Path, display: &Path) -> Result<Self, CassetteError> {
        let shown = display.display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CassetteError::Missing { path: shown }),
            Err(e) => return Err(CassetteError::Invalid { path: shown, message: e.to_string() }),
        };
        let cassette: Cassette = serde_json::from_str(&text)
            .map_err(|e| CassetteError::Invalid { path: shown.clone(), message: e.to_string() })?;
        for (n, i) in cassette.interactions.iter().enumerate() {
            if !i.request.is_object() || !i.response.is_object() {
                return Err(CassetteError::Invalid {
                    path: shown,
                    message: format!("interaction {n}: `request` and `response` must be JSON objects"),
                });
            }
        }
        Ok(cassette)
    }

    /// Writes the cassette atomically, pretty-printed. Requests are canonical already; responses
    /// keep the API's key order, since a tool input replays into records in that order.
    pub fn save(&self, file: &Path) -> anyhow::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
        }
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        crate::fs::write_atomic(file, &bytes)
    }
}

/// Returns the canonical form of a request: its JSON without `stream` (which only says how the
/// answer travels), every object's keys sorted.
pub fn canonical(request: &MessagesRequest) -> Value {
    let mut value = serde_json::to_value(request).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("stream");
    }
    canonical_value(value)
}

/// Returns `value` with every object's keys sorted, recursively.
pub fn canonical_value(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, canonical_value(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical_value).collect()),
        other => other,
    }
}

/// Returns the hash a request is matched by: sha256 of its compact canonical JSON.
pub fn hash(canonical: &Value) -> String {
    let mut value = canonical_value(canonical.clone());
    if let Value::Object(map) = &mut value {
        map.remove("stream");
    }
    hex::encode(Sha256::digest(serde_json::to_vec(&value).unwrap_or_default()))
}

/// Returns the first place two JSON values differ, as a path (`messages[2].content[0].text`),
/// or `None` when they are equal. Object keys are compared in sorted order.
pub fn first_difference(recorded: &Value, actual: &Value) -> Option<String> {
    fn walk(a: &Value, b: &Value, path: &mut String) -> bool {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter().any(|k| {
                    let sep = if path.is_empty() { "" } else { "." };
                    step(path, &format!("{sep}{k}"), x.get(k), y.get(k))
                })
            }
            (Value::Array(x), Value::Array(y)) => {
                (0..x.len().max(y.len())).any(|i| step(path, &format!("[{i}]"), x.get(i), y.get(i)))
            }
            _ => a != b,
        }
    }
    /// Descends into one child: true (leaving `path` at it) when it differs or is on one side only.
    fn step(path: &mut String, part: &str, a: Option<&Value>, b: Option<&Value>) -> bool {
        let len = path.len();
        path.push_str(part);
        let differs = match (a, b) {
            (Some(a), Some(b)) => walk(a, b, path),
            _ => true,
        };
        if !differs {
            path.truncate(len);
        }
        differs
    }
    let mut path = String::new();
    walk(recorded, actual, &mut path).then(|| if path.is_empty() { "$".to_owned() } else { path })
}

/// Returns the value at a path that [`first_difference`] returned (`null` when absent).
fn lookup(value: &Value, path: &str) -> Value {
    if path == "$" {
        return value.clone();
    }
    let mut at = value;
    for part in path.split('.') {
        let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            match at.get(key) {
                Some(v) => at = v,
                None => return Value::Null,
            }
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            let Ok(i) = index.trim_end_matches(']').parse::<usize>() else { return Value::Null };
            match at.get(i) {
                Some(v) => at = v,
                None => return Value::Null,
            }
        }
    }
    at.clone()
}

/// Returns the two values as they read in a message: for two strings, from a little before the
/// first character where they differ; else as compact JSON.
fn excerpts(recorded: &Value, actual: &Value) -> (String, String) {
    if let (Value::String(a), Value::String(b)) = (recorded, actual) {
        let same = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        let from = same.saturating_sub(30);
        let cut = |s: &str| {
            let rest: String = s.chars().skip(from).collect();
            let shown = short(&Value::String(rest));
            if from > 0 { format!("…{shown}") } else { shown }
        };
        return (cut(a), cut(b));
    }
    (short(recorded), short(actual))
}

/// Returns a value as compact JSON, cut to 120 characters.
fn short(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if text.chars().count() > 120 { format!("{}…", text.chars().take(120).collect::<String>()) } else { text }
}

/// A replayed request that the cassette does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    /// 0-based position of the request in the case's run.
    pub position: usize,
    /// The first differing field against the recorded request at that position; `None` when
    /// the cassette holds fewer requests (or is missing).
    pub field: Option<String>,
    /// What went wrong, in words.
    pub message: String,
}

/// A [`Model`] that answers from a cassette and never opens a connection.
#[derive(Debug)]
pub struct Replay {
    interactions: Vec<(String, Value, Value)>,
    state: Mutex<ReplayState>,
}

#[derive(Debug, Default)]
struct ReplayState {
    position: usize,
    used: Vec<bool>,
    miss: Option<Miss>,
}

impl Replay {
    /// Returns a replaying model for a loaded cassette.
    pub fn new(cassette: &Cassette) -> Self {
        let interactions: Vec<(String, Value, Value)> = cassette
            .interactions
            .iter()
            .map(|i| (hash(&i.request), canonical_value(i.request.clone()), i.response.clone()))
            .collect();
        let used = vec![false; interactions.len()];
        Self { interactions, state: Mutex::new(ReplayState { used, ..ReplayState::default() }) }
    }

    /// Returns the first request that had no recorded match, if any.
    pub fn miss(&self) -> Option<Miss> {
        self.state.lock().ok().and_then(|s| s.miss.clone())
    }

    /// Returns how many requests the run sent.
    pub fn requests(&self) -> usize {
        self.state.lock().map_or(0, |s| s.position)
    }

    fn answer(&self, request: &MessagesRequest) -> Result<MessagesResponse, ClaudeError> {
        let actual = canonical(request);
        let key = hash(&actual);
        let mut state = self.state.lock().map_err(|_| stream_error("the cassette lock is poisoned"))?;
        let position = state.position;
        state.position += 1;
        // The recorded request at this position first, then any unused one with the same hash.
        let found = (self.interactions.get(position).is_some_and(|(h, ..)| *h == key) && !state.used[position])
            .then_some(position)
            .or_else(|| (0..self.interactions.len()).find(|&i| !state.used[i] && self.interactions[i].0 == key));
        let Some(index) = found else {
            let miss = match self.interactions.get(position) {
                Some((_, recorded, _)) => {
                    let field = first_difference(recorded, &actual).unwrap_or_else(|| "$".to_owned());
                    let (was, now) = excerpts(&lookup(recorded, &field), &lookup(&actual, &field));
                    Miss {
                        position,
                        message: format!(
                            "request {} differs from the recording at `{field}`: recorded {}, now {}",
                            position + 1,
                            was,
                            now
                        ),
                        field: Some(field),
                    }
                }
                None => Miss {
                    position,
                    field: None,
                    message: format!(
                        "request {} is not in the cassette, which holds {} request{}",
                        position + 1,
                        self.interactions.len(),
                        if self.interactions.len() == 1 { "" } else { "s" }
                    ),
                },
            };
            let message = miss.message.clone();
            state.miss.get_or_insert(miss);
            return Err(stream_error(&message));
        };
        state.used[index] = true;
        drop(state);
        serde_json::from_value(self.interactions[index].2.clone())
            .map_err(|e| stream_error(&format!("recorded response {} cannot be read: {e}", index + 1)))
    }
}

fn stream_error(message: &str) -> ClaudeError {
    ClaudeError::Stream { message: format!("cassette: {message}") }
}

impl Model for Replay {
    fn send<'a>(&'a self, request: &'a MessagesRequest, _on_text: &'a (dyn Fn(&str) + Send + Sync)) -> ModelFuture<'a> {
        let result = self.answer(request);
        Box::pin(async move { result })
    }
}

/// A [`Model`] that passes requests to another model and keeps every interaction, for
/// `--mode record`.
pub struct Recorder<'m> {
    inner: &'m dyn Model,
    interactions: Mutex<Vec<Interaction>>,
}

impl<'m> Recorder<'m> {
    /// Returns a recorder in front of `inner` (the real API client).
    pub fn new(inner: &'m dyn Model) -> Self {
        Self { inner, interactions: Mutex::new(Vec::new()) }
    }

    /// Returns the interactions recorded so far.
    pub fn interactions(&self) -> Vec<Interaction> {
        self.interactions.lock().map(|i| i.clone()).unwrap_or_default()
    }
}

impl Model for Recorder<'_> {
    fn send<'a>(&'a self, request: &'a MessagesRequest, on_text: &'a (dyn Fn(&str) + Send + Sync)) -> ModelFuture<'a> {
        Box::pin(async move {
            let response = self.inner.send(request, on_text).await?;
            let recorded = Interaction {
                request: canonical(request),
                response: serde_json::to_value(&response).unwrap_or(Value::Null),
            };
            if let Ok(mut list) = self.interactions.lock() {
                list.push(recorded);
            }
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claude::{Message, StopReason};
    use serde_json::json;

    fn request(text: &str) -> MessagesRequest {
        MessagesRequest::new("claude-sonnet-4-5", 100, vec![Message::user_text(text)])
    }

    fn response(text: &str) -> Value {
        json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
               "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
               "usage": {"input_tokens": 10, "output_tokens": 5}})
    }

    fn cassette(requests: &[&str]) -> Cassette {
        Cassette {
            scripted: Some(true),
            skill: "s".into(),
            case: "c".into(),
            interactions: requests
                .iter()
                .map(|r| Interaction { request: canonical(&request(r)), response: response(&format!("re: {r}")) })
                .collect(),
        }
    }

    #[test]
    fn canonical_requests_sort_keys_and_drop_stream() {
        let mut r = request("hi");
        r.stream = true;
        let c = canonical(&r);
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, vec!["max_tokens", "messages", "model"]);
        let mut plain = request("hi");
        plain.stream = false;
        assert_eq!(hash(&c), hash(&canonical(&plain)));
        // Key order of a hand-edited cassette does not change the hash.
        let shuffled = json!({"model": "claude-sonnet-4-5", "messages": c["messages"], "max_tokens": 100});
        assert_eq!(hash(&shuffled), hash(&c));
    }

    #[test]
    fn first_difference_names_the_json_path() {
        let a = json!({"system": "x", "messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}]});
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b), None);
        b["messages"][0]["content"][0]["text"] = json!("b");
        assert_eq!(first_difference(&a, &b).as_deref(), Some("messages[0].content[0].text"));
        b["system"] = json!("y");
        assert_eq!(first_difference(&a, &b).as_deref(), Some("messages[0].content[0].text"));
        let c = json!({"messages": [], "system": "x"});
        assert_eq!(first_difference(&a, &c).as_deref(), Some("messages[0]"));
        assert_eq!(first_difference(&json!(1), &json!(2)).as_deref(), Some("$"));
    }

    #[test]
    fn replay_answers_in_order_and_reports_the_first_miss() {
        let rt = crate::rt::build().unwrap();
        let replay = Replay::new(&cassette(&["one", "two"]));
        let noop = |_: &str| {};
        let first = rt.block_on(replay.send(&request("one"), &noop)).unwrap();
        assert_eq!(first.text(), "re: one");
        assert_eq!(first.stop_reason, Some(StopReason::EndTurn));
        let err = rt.block_on(replay.send(&request("three"), &noop)).unwrap_err();
        assert!(err.to_string().contains("request 2 differs from the recording"), "{err}");
        let miss = replay.miss().unwrap();
        assert_eq!(miss.position, 1);
        assert_eq!(miss.field.as_deref(), Some("messages[0].content[0].text"));
        // Past the end of the cassette.
        let err = rt.block_on(replay.send(&request("two"), &noop));
        assert!(err.is_ok(), "an unused recorded request still matches by hash");
        let err = rt.block_on(replay.send(&request("two"), &noop)).unwrap_err();
        assert!(err.to_string().contains("request 4 is not in the cassette, which holds 2 requests"), "{err}");
        assert_eq!(replay.miss().unwrap().position, 1, "the first miss is kept");
    }

    #[test]
    fn load_refuses_what_is_not_a_cassette_and_save_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        assert!(matches!(Cassette::load(&file, Path::new("c.json")), Err(CassetteError::Missing { .. })));
        std::fs::write(&file, "not json").unwrap();
        let err = Cassette::load(&file, Path::new("skills/cassettes/s/c.json")).unwrap_err();
        assert!(
            err.to_string().starts_with("cassette `skills/cassettes/s/c.json` is not valid: expected ident at line 1"),
            "{err}"
        );
        std::fs::write(&file, r#"{"skill": "s", "case": "c", "interactions": [{"request": 1, "response": {}}]}"#)
            .unwrap();
        assert!(Cassette::load(&file, &file).unwrap_err().to_string().contains("interaction 0"));
        let c = cassette(&["one"]);
        let nested = dir.path().join("cassettes/s/c.json");
        c.save(&nested).unwrap();
        assert_eq!(Cassette::load(&nested, &nested).unwrap(), c);
        let text = std::fs::read_to_string(&nested).unwrap();
        assert!(text.starts_with("{\n  \"scripted\": true,\n  \"skill\": \"s\""), "{text}");
    }
}
