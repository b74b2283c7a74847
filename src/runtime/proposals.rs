//! Proposals (SPEC §8): a T2 or T3 tool call (and every write, whatever its tier) waiting for,
//! or past, its confirmation. The state machine is
//! `PENDING → CONFIRMED → EXECUTING → EXECUTED → UNDONE`, with `PENDING → REJECTED | EXPIRED`,
//! `CONFIRMED | EXECUTING → FAILED` and `FAILED → CONFIRMED | REJECTED` (a retry, or giving up);
//! every transition is recorded with who made it. EXECUTING is the claim: it is written with
//! a compare-and-set on the proposal's `revision` before the tool call runs, so two machines
//! that approve at once execute it exactly once. An approval is bound to the hash of the exact
//! input; execution is idempotent by `tool_use_id`.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::executor::Compensation;
use crate::config::Tier;

/// A proposal's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    Pending,
    Confirmed,
    /// Claimed for execution (the tool call is running, or its machine died: see [`Claim`]).
    Executing,
    Executed,
    Rejected,
    Expired,
    Failed,
    Undone,
}

impl State {
    /// Every state, in lifecycle order.
    pub const ALL: [State; 8] = [
        State::Pending,
        State::Confirmed,
        State::Executing,
        State::Executed,
        State::Rejected,
        State::Expired,
        State::Failed,
        State::Undone,
    ];

    /// Returns whether the machine allows `self → to`.
    pub fn can_become(self, to: State) -> bool {
        matches!(
            (self, to),
            (State::Pending, State::Confirmed | State::Rejected | State::Expired)
                | (State::Confirmed, State::Executing | State::Executed | State::Failed)
                // Executing → Executing: a claim whose machine died is taken over.
                // Executing → Confirmed: the claim is released after the ERP failed (retry later).
                | (State::Executing, State::Confirmed | State::Executing | State::Executed | State::Failed)
                | (State::Failed, State::Confirmed | State::Rejected)
                | (State::Executed, State::Undone)
        )
    }

    /// Returns the state's name as written (`PENDING`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "PENDING",
            State::Confirmed => "CONFIRMED",
            State::Executing => "EXECUTING",
            State::Executed => "EXECUTED",
            State::Rejected => "REJECTED",
            State::Expired => "EXPIRED",
            State::Failed => "FAILED",
            State::Undone => "UNDONE",
        }
    }

    /// Parses a state name, in any case.
    pub fn parse(s: &str) -> Option<State> {
        Self::ALL.into_iter().find(|st| st.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub from: State,
    pub to: State,
    pub at: Timestamp,
    /// Who or what made it: `--approve t2`, `tty`, `resume`, `agentb proposals approve`, …
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Who claimed a proposal for execution (moved it to EXECUTING), until when the claim holds,
/// and the record read before the write (the journal entry that lets another machine finish
/// the call, idempotently, once the claim has lapsed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// A random token: the claimant recognizes its own claim after a lost answer.
    pub token: String,
    /// The claimant, for messages (`host pid N`).
    pub by: String,
    pub at: Timestamp,
    /// Past this, another machine may take the claim over.
    pub until: Timestamp,
    /// Whether the snapshot below was taken (a create needs none).
    #[serde(default)]
    pub snapshot_taken: bool,
    #[serde(default)]
    pub before: Option<crate::erp::Record>,
}

/// How long an execution claim holds before another machine may take it over: longer than
/// any one tool call with its retries.
pub const CLAIM_TTL: std::time::Duration = std::time::Duration::from_mins(10);

/// A proposal, stored as `sessions/<session>/proposals/<id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: String,
    pub session_id: String,
    pub tool_use_id: String,
    pub tool: String,
    pub tier: Tier,
    pub org: String,
    pub instance: String,
    pub input: Value,
    /// sha256 of the input's canonical JSON; an approval holds for exactly this input.
    pub input_hash: String,
    pub state: State,
    pub created_at: Timestamp,
    /// When a T2 proposal's soft-confirm window closes (T3 proposals never expire by time).
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
    /// How to reverse the executed write (`agentb proposals undo`).
    #[serde(default)]
    pub compensation: Option<Compensation>,
    #[serde(default)]
    pub history: Vec<Transition>,
    /// Whether the model has been told the proposal's latest state.
    #[serde(default)]
    pub reported: bool,
    /// The revision of the stored proposal this copy was read at (0: never stored): every save
    /// is a compare-and-set against it.
    #[serde(default)]
    pub revision: u64,
    /// The execution claim, while EXECUTING (and kept after, for the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<Claim>,
}

impl Proposal {
    /// Returns a new PENDING proposal.
    #[allow(clippy::too_many_arguments, reason = "a record of many fields")]
    pub fn new(
        session_id: &str,
        tool_use_id: &str,
        tool: &str,
        tier: Tier,
        org: &str,
        instance: &str,
        input: Value,
        now: Timestamp,
        window: Option<std::time::Duration>,
    ) -> Self {
        Self {
            id: new_id(),
            session_id: session_id.to_owned(),
            tool_use_id: tool_use_id.to_owned(),
            tool: tool.to_owned(),
            tier,
            org: org.to_owned(),
            instance: instance.to_owned(),
            input_hash: input_hash(&input),
            input,
            state: State::Pending,
            created_at: now,
            expires_at: window.map(|w| super::clock::add(now, w)),
            result: None,
            error: None,
            compensation: None,
            history: Vec::new(),
            reported: false,
            revision: 0,
            claim: None,
        }
    }

    /// Moves to `to`, recording who did it; refuses what the state machine forbids.
    pub fn transition(&mut self, to: State, at: Timestamp, by: &str, reason: Option<String>) -> Result<(), String> {
        if !self.state.can_become(to) {
            return Err(format!("proposal `{}` is {}; it cannot become {to}", self.id, self.state));
        }
        self.history.push(Transition { from: self.state, to, at, by: by.to_owned(), reason });
        self.state = to;
        self.reported = false;
        Ok(())
    }

    /// Returns whether a PENDING T2 proposal's window has closed at `now`.
    pub fn is_past_window(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| now > at)
    }

    /// Returns whether the stored input still hashes to the approved hash.
    pub fn input_intact(&self) -> bool {
        input_hash(&self.input) == self.input_hash
    }
}

/// Returns a new proposal id: `p-` and 12 hex digits.
pub fn new_id() -> String {
    format!("p-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

/// Returns the sha256 of a value's canonical JSON (object keys sorted).
pub fn input_hash(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical(value).as_bytes()))
}

/// Returns JSON text with object keys sorted at every depth.
pub fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let items: Vec<String> =
                keys.into_iter().map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k]))).collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn proposal() -> Proposal {
        let window = Some(std::time::Duration::from_hours(24));
        Proposal::new(
            "s1",
            "tu1",
            "erp_create_brief",
            Tier::T2,
            "acme",
            "local",
            json!({"data": {"a": 1}}),
            now(),
            window,
        )
    }

    #[test]
    fn the_state_machine_allows_only_its_edges() {
        use State::{Confirmed, Executed, Executing, Expired, Failed, Pending, Rejected, Undone};
        let allowed: Vec<(State, State)> = State::ALL
            .into_iter()
            .flat_map(|a| State::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Pending, Confirmed),
                (Pending, Rejected),
                (Pending, Expired),
                (Confirmed, Executing),
                (Confirmed, Executed),
                (Confirmed, Failed),
                (Executing, Confirmed),
                (Executing, Executing),
                (Executing, Executed),
                (Executing, Failed),
                (Executed, Undone),
                (Failed, Confirmed),
                (Failed, Rejected),
            ]
        );
        let mut p = proposal();
        p.transition(Confirmed, now(), "test", None).unwrap();
        p.transition(Executed, now(), "test", None).unwrap();
        let err = p.transition(Executed, now(), "again", None).unwrap_err();
        assert!(err.contains("is EXECUTED; it cannot become EXECUTED"), "{err}");
        p.transition(Undone, now(), "undo", None).unwrap();
        assert_eq!(p.history.len(), 3);
        assert_eq!(State::parse("pending"), Some(Pending));
    }

    #[test]
    fn windows_and_input_binding() {
        let mut p = proposal();
        assert!(!p.is_past_window(super::super::clock::add(now(), std::time::Duration::from_hours(24))));
        assert!(p.is_past_window(super::super::clock::add(now(), std::time::Duration::from_hours(25))));
        assert!(p.input_intact());
        p.input = json!({"data": {"a": 2}});
        assert!(!p.input_intact());
        assert_eq!(
            input_hash(&json!({"b": 1, "a": [1, {"d": 0, "c": 1}]})),
            input_hash(&json!({"a": [1, {"c": 1, "d": 0}], "b": 1}))
        );
    }
}
