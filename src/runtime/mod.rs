//! The runtime (SPEC §7–§8): the loop that runs a compiled skill on a [`Model`] — send, receive,
//! put every tool call through the [`guard`] and the user [`hooks`], execute T1 calls at once
//! and turn T2/T3 calls into [`proposals`], answer with `tool_result` blocks — until the model
//! ends its turn or a breaker trips; then extract and validate the [`output`]. The session is
//! persisted after every turn ([`session`]), every decision lands in the [`audit`] log, and a
//! resumed session never executes a call twice (the journal of [`session::CallRecord`]s).

pub mod approvals;
pub mod audit;
pub mod backend;
mod calls;
pub mod clock;
pub mod deployed;
pub mod error;
mod execution;
pub mod executor;
pub mod guard;
pub mod hooks;
pub mod ids;
pub mod inspect;
pub mod interrupt;
pub mod lifecycle;
pub mod output;
pub mod persona;
pub mod proposals;
pub mod session;
pub mod shared;
#[cfg(test)]
mod testing;
mod turns;

pub use calls::{HookCall, cap_result, post_tool_use};
pub use error::{RunError, SessionUse};
pub use execution::{describe_for_model, execute_proposal, transition};
pub use lifecycle::{DryRun, Outcome, ProposalSummary, RanArtifact, RunConfig, RunDeps, RunReport, StartOptions};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use crate::claude::{CacheControl, ContentBlock, Message, MessagesRequest, Model, SystemBlock, ToolDefinition};
use crate::config::{Pricing, Tier};
use crate::erp::Erp;
use clock::Clock;
use guard::Trip;
use hooks::Hooks;
use ids::Ids;
use proposals::Proposal;
use session::{Session, Store};

/// How a run (or one resume of it) ended, when no call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// The output is valid; it is in `session.output`.
    Completed,
    /// Proposals wait for confirmation (exit 5).
    AwaitingApproval(Vec<Proposal>),
    /// A breaker stopped the run (exit 4).
    Breaker(Trip),
    /// The output stayed invalid after the corrective turn (exit 1).
    InvalidOutput(Vec<String>),
    /// The model refused (exit 1).
    Refused(String),
    /// Ctrl-C stopped the run at a safe point; the session is saved (exit 130).
    Interrupted,
}

/// Asks a person to confirm a proposal (on a terminal).
pub trait Prompter: Send + Sync {
    /// Returns whether the person confirmed `proposal`.
    fn confirm(&self, proposal: &Proposal) -> bool;
}

/// Hears what a run has to say while it runs: statuses, warnings and the model's streamed text.
/// Every method does nothing by default; the command line prints them.
pub trait Observer: Send + Sync {
    /// A step of the run (`Running`, `Resuming`).
    fn status(&self, _verb: &str, _message: &str) {}
    /// Something the user should know that does not stop the run.
    fn warn(&self, _message: &str) {}
    /// A fact about the run worth saying (which artifact runs, and why).
    fn note(&self, _message: &str) {}
    /// A piece of the model's text, as it streams.
    fn text(&self, _text: &str) {}
}

/// The future a [`CallCheck`] returns: why the call is refused (`Some`), or `None` to let it on.
pub type CheckFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<Option<String>>> + Send + 'a>>;

/// A check a builder adds to the pipeline after the guard, the hooks and the input schema, and
/// before anything runs or becomes a proposal: the form and workflow designers validate the
/// FormTemplate or ContentTrigger they are about to propose (SPEC §11). A refusal is answered to
/// the model like the guard's (rule `shape`); an error (the ERP failed) fails the run.
pub trait CallCheck: Send + Sync {
    /// Returns why the call of `tool` with `input` must not go on, reading `org` of `erp` if needed.
    fn check<'a>(&'a self, erp: &'a dyn Erp, org: &'a str, tool: &'a str, input: &'a Value) -> CheckFuture<'a>;
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Everything a run needs besides its session.
pub struct Runtime<'a> {
    pub model: &'a dyn Model,
    pub erp: &'a dyn Erp,
    pub store: &'a Store,
    pub clock: &'a Clock,
    /// Where new proposal ids come from.
    pub ids: &'a Ids,
    pub pre_hooks: Hooks,
    pub post_hooks: Hooks,
    /// The folder hooks run in (the project root).
    pub hook_dir: PathBuf,
    /// `--approve t2|t3`.
    pub approve: Option<Tier>,
    /// Asks on a terminal; `None` without one.
    pub prompter: Option<&'a dyn Prompter>,
    pub pricing: Option<Pricing>,
    /// The T2 soft-confirm window, and per-tool overrides.
    pub t2_window: Duration,
    pub windows: BTreeMap<String, Duration>,
    /// Whether to stream the model's text to the observer.
    pub stream: bool,
    /// Hears the streamed text (and, in the lifecycle, statuses and warnings).
    pub observer: &'a dyn Observer,
    /// Set on Ctrl-C: the run stops at its next safe point.
    pub interrupt: Option<&'a interrupt::Interrupt>,
    /// A builder's check of every call before it runs or becomes a proposal.
    pub check: Option<&'a dyn CallCheck>,
}

impl Runtime<'_> {
    /// Returns whether the run was asked to stop.
    pub(crate) fn interrupted(&self) -> bool {
        self.interrupt.is_some_and(interrupt::Interrupt::is_set)
    }
}

/// Returns the first user message of a run: the input, and how to give the output.
pub fn initial_message(skill: &str, input: &Value) -> Message {
    let pretty = serde_json::to_string_pretty(input).unwrap_or_default();
    Message::user_text(format!(
        "Run the skill `{skill}` with this input:\n\n```json\n{pretty}\n```\n\nUse the tools to do the work. \
         When you are done, reply with the final output as one JSON object in a ```json block."
    ))
}

/// Returns the exact request the next turn of `session` sends: the system prompt and the tools
/// marked for prompt caching (they are stable across turns and runs), then the conversation.
pub fn build_request(session: &Session, stream: bool) -> MessagesRequest {
    let mut tools: Vec<ToolDefinition> = session
        .artifact
        .tools
        .iter()
        .map(|t| ToolDefinition {
            name: t.name.clone(),
            description: t.description.clone(),
            input_schema: t.input_schema.clone(),
            cache_control: None,
        })
        .collect();
    if let Some(last) = tools.last_mut() {
        last.cache_control = Some(CacheControl::ephemeral());
    }
    let mut request = MessagesRequest::new(&session.model, session.max_tokens, session.messages.clone());
    request.system = vec![SystemBlock::cached(&session.system)];
    request.tools = tools;
    request.stream = stream;
    request
}

/// Returns the `tool_use` blocks of a message as `(id, name, input)`.
pub fn tool_uses(message: &Message) -> Vec<(String, String, Value)> {
    message
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::ToolUse { id, name, input, .. } => Some((id.clone(), name.clone(), input.clone())),
            _ => None,
        })
        .collect()
}

/// Counts a model reply into a session and the breakers' meter: one turn, its usage and its
/// cost (from the pricing table, `0` without one). Returns the cost.
pub fn count_reply(
    session: &mut Session,
    meter: &mut guard::Meter,
    usage: &crate::claude::Usage,
    pricing: Option<&Pricing>,
) -> f64 {
    let cost = pricing.map_or(0.0, |p| crate::claude::pricing::cost_usd(p, usage));
    meter.turns += 1;
    meter.cost_usd += cost;
    meter.output_tokens += usage.output_tokens;
    session.turns += 1;
    session.usage.add(usage);
    session.cost_usd += cost;
    cost
}

/// Returns a reply's blocks as they can go back to the API: without empty text blocks (which
/// it refuses), and a placeholder when nothing is left (an empty assistant message is refused
/// anywhere but last, and a corrective turn or a resume may follow).
pub fn sendable(content: Vec<ContentBlock>) -> Vec<ContentBlock> {
    let content: Vec<ContentBlock> = content
        .into_iter()
        .filter(|b| !matches!(b, ContentBlock::Text { text, extra } if text.trim().is_empty() && extra.is_empty()))
        .collect();
    if content.is_empty() { vec![ContentBlock::text("(no content)")] } else { content }
}

/// Returns the text of a message's text blocks.
pub fn message_text(message: &Message) -> String {
    message
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn audit(store: &Store, session: &str, at: Timestamp, event: &str, fields: Value) {
    if let Err(e) = store.audit(session).append(at, event, fields) {
        tracing::warn!("cannot append to the audit log of `{session}`: {e}");
    }
}
