//! The runtime (SPEC §7–§8): the loop that runs a compiled skill on a [`Model`] — send, receive,
//! put every tool call through the [`guard`] and the user [`hooks`], execute T1 calls at once
//! and turn T2/T3 calls into [`proposals`], answer with `tool_result` blocks — until the model
//! ends its turn or a breaker trips; then extract and validate the [`output`]. The session is
//! persisted after every turn ([`session`]), every decision lands in the [`audit`] log, and a
//! resumed session never executes a call twice (the journal of [`session::CallRecord`]s).

pub mod audit;
pub mod clock;
pub mod executor;
pub mod guard;
pub mod hooks;
pub mod output;
pub mod persona;
pub mod proposals;
pub mod session;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::claude::{
    CacheControl, ContentBlock, Message, MessagesRequest, Model, Role, StopReason, SystemBlock, ToolDefinition,
};
use crate::compile::artifact::ArtifactTool;
use crate::config::{Pricing, Tier};
use crate::erp::Erp;
use clock::Clock;
use executor::ToolError;
use guard::{Guard, Meter, Rule, Trip, Verdict};
use hooks::{Event, HookInput, Hooks};
use proposals::{Proposal, State};
use session::{CallRecord, Session, Store};

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
}

/// Asks a person to confirm a proposal (on a terminal).
pub trait Prompter: Send + Sync {
    /// Returns whether the person confirmed `proposal`.
    fn confirm(&self, proposal: &Proposal) -> bool;
}

/// Everything a run needs besides its session.
pub struct Runtime<'a> {
    pub model: &'a dyn Model,
    pub erp: &'a dyn Erp,
    pub store: &'a Store,
    pub clock: &'a Clock,
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
    /// Whether to stream the model's text to `on_text`.
    pub stream: bool,
    pub on_text: &'a (dyn Fn(&str) + Send + Sync),
}

/// The answer to one tool call.
enum Answer {
    Result { content: String, is_error: bool },
    Trip(Trip),
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

fn tool_uses(message: &Message) -> Vec<(String, String, Value)> {
    message
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::ToolUse { id, name, input } => Some((id.clone(), name.clone(), input.clone())),
            _ => None,
        })
        .collect()
}

/// Returns the text of a message's text blocks.
pub fn message_text(message: &Message) -> String {
    message
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text { text } => Some(text.as_str()),
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

/// Moves a proposal, saves it and logs the transition.
pub fn transition(
    store: &Store,
    proposal: &mut Proposal,
    to: State,
    at: Timestamp,
    by: &str,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let from = proposal.state;
    let reason_shown = reason.clone();
    proposal.transition(to, at, by, reason).map_err(crate::cli::command_error::UserError::usage)?;
    store.save_proposal(proposal)?;
    audit(
        store,
        &proposal.session_id,
        at,
        "proposal",
        json!({"proposal": proposal.id, "tool": proposal.tool, "tier": proposal.tier, "tool_use_id": proposal.tool_use_id,
               "from": from, "to": to, "by": by, "reason": reason_shown}),
    );
    Ok(())
}

/// Executes a CONFIRMED proposal exactly once: a call already in the journal is not run again;
/// an input that no longer matches the approved hash fails. An ERP failure (unreachable, 5xx)
/// leaves it CONFIRMED and is returned, so it can be retried.
pub async fn execute_proposal(
    store: &Store,
    erp: &dyn Erp,
    tools: &[ArtifactTool],
    now: Timestamp,
    proposal: &mut Proposal,
) -> anyhow::Result<()> {
    if proposal.state != State::Confirmed {
        return Err(crate::cli::command_error::UserError::usage(format!(
            "proposal `{}` is {}, not CONFIRMED",
            proposal.id, proposal.state
        ))
        .into());
    }
    if let Some(done) = store.call(&proposal.session_id, &proposal.tool_use_id)? {
        let to = if done.is_error { State::Failed } else { State::Executed };
        return transition(store, proposal, to, now, "journal", Some("the call had already run".to_owned()));
    }
    if !proposal.input_intact() {
        proposal.error = Some("the input changed after it was proposed; an approval holds for one input".to_owned());
        return transition(store, proposal, State::Failed, now, "input hash", proposal.error.clone());
    }
    let Some(tool) = tools.iter().find(|t| t.name == proposal.tool) else {
        proposal.error = Some(format!("the skill no longer has the tool `{}`", proposal.tool));
        return transition(store, proposal, State::Failed, now, "executor", proposal.error.clone());
    };
    let id = executor::idempotent_id(&proposal.session_id, &proposal.tool_use_id);
    // The state before the write is saved before it runs, so an attempt repeated after a crash
    // still records the compensation of the state before the first.
    let before = if let Some(before) = store.started(&proposal.session_id, &proposal.tool_use_id)? {
        before
    } else {
        let before = match executor::snapshot(erp, &proposal.org, tool, &proposal.input).await {
            Ok(before) => before,
            Err(ToolError::Input(message)) => {
                proposal.error = Some(message.clone());
                return transition(store, proposal, State::Failed, now, "executor", Some(message));
            }
            Err(ToolError::Erp(e)) => return Err(e.into()),
        };
        store.save_started(&proposal.session_id, &proposal.tool_use_id, before.as_ref())?;
        before
    };
    match executor::execute(erp, &proposal.org, tool, &proposal.input, &id, before).await {
        Ok(done) => {
            let content = serde_json::to_string(&done.result).unwrap_or_default();
            proposal.result = Some(done.result);
            proposal.compensation = done.compensation;
            let record = CallRecord {
                tool_use_id: proposal.tool_use_id.clone(),
                tool: proposal.tool.clone(),
                at: now,
                content,
                is_error: false,
            };
            store.save_call(&proposal.session_id, &record)?;
            transition(store, proposal, State::Executed, now, "executor", None)
        }
        Err(ToolError::Input(message)) => {
            let record = CallRecord {
                tool_use_id: proposal.tool_use_id.clone(),
                tool: proposal.tool.clone(),
                at: now,
                content: message.clone(),
                is_error: true,
            };
            store.save_call(&proposal.session_id, &record)?;
            proposal.error = Some(message.clone());
            transition(store, proposal, State::Failed, now, "executor", Some(message))
        }
        Err(ToolError::Erp(e)) => Err(e.into()),
    }
}

/// Returns what the model is told about a proposal in its current state.
pub fn describe_for_model(p: &Proposal) -> (String, bool) {
    match p.state {
        State::Pending => (
            format!(
                "Proposal `{}` ({}, tier {}) awaits the user's confirmation and has not run yet. Do not call the \
                 tool again for it; finish your turn and say what is waiting for approval.",
                p.id, p.tool, p.tier
            ),
            false,
        ),
        State::Executed => (
            format!(
                "Proposal `{}` was confirmed and executed. Result: {}",
                p.id,
                p.result.as_ref().map(Value::to_string).unwrap_or_default()
            ),
            false,
        ),
        State::Confirmed => (format!("Proposal `{}` was confirmed but has not run yet.", p.id), true),
        State::Rejected => (format!("The user rejected proposal `{}` ({}); nothing was changed.", p.id, p.tool), true),
        State::Expired => {
            (format!("Proposal `{}` ({}) expired before it was confirmed; nothing was changed.", p.id, p.tool), true)
        }
        State::Failed => (
            format!("Proposal `{}` ({}) failed: {}", p.id, p.tool, p.error.as_deref().unwrap_or("unknown error")),
            true,
        ),
        State::Undone => (format!("Proposal `{}` ({}) was executed, then undone.", p.id, p.tool), true),
    }
}

/// One executed call, as a `post_tool_use` hook sees it.
pub struct HookCall<'a> {
    pub name: &'a str,
    pub input: &'a Value,
    pub id: &'a str,
    pub tier: Tier,
    pub response: &'a Value,
}

/// Runs the `post_tool_use` hooks that match an executed call and logs them; returns what to
/// tell the model when one of them flags the result.
pub async fn post_tool_use(
    store: &Store,
    clock: &Clock,
    hooks: &Hooks,
    hook_dir: &std::path::Path,
    session: &Session,
    call: HookCall<'_>,
) -> Option<String> {
    let HookCall { name, input, id, tier, response } = call;
    if !hooks.matches(name) {
        return None;
    }
    let hook_input = HookInput {
        session_id: &session.id,
        org: &session.org,
        skill: &session.skill,
        hook_event_name: Event::PostToolUse.name(),
        tool_name: name,
        tool_input: input,
        tool_use_id: id,
        tier: tier.to_string(),
        tool_response: Some(response),
        cwd: hook_dir.display().to_string(),
    };
    let decision = hooks.run(hook_dir, hook_input).await;
    for (index, command, _) in &decision.ran {
        audit(
            store,
            &session.id,
            clock.now(),
            "hook",
            json!({"event": "post_tool_use", "index": index, "command": command, "tool": name, "tool_use_id": id}),
        );
    }
    match decision.blocked {
        Some((index, command, hooks::Outcome::Deny(reason) | hooks::Outcome::Failed(reason))) => {
            audit(
                store,
                &session.id,
                clock.now(),
                "hook",
                json!({"event": "post_tool_use", "index": index, "command": command, "tool": name, "tool_use_id": id, "blocked": reason}),
            );
            Some(format!("The post_tool_use hook `{command}` flagged this result: {reason}"))
        }
        _ => None,
    }
}

impl Runtime<'_> {
    /// Returns whether resuming `session` would find nothing to do: no `message`, the model's
    /// turn ended, and no proposal would change or has news for the model. Checked before
    /// anything is touched, so such a resume (a user mistake) leaves the session and its
    /// invocation as they were.
    pub fn nothing_to_resume(&self, session: &Session, message: Option<&str>) -> anyhow::Result<bool> {
        let idle = session.messages.last().is_some_and(|m| m.role == Role::Assistant && tool_uses(m).is_empty());
        if message.is_some() || !idle {
            return Ok(false);
        }
        let proposals = self.store.proposals(&session.id)?;
        // A PENDING one is settled (or reported as still waiting) by `resume`.
        Ok(proposals.iter().all(|p| !matches!(p.state, State::Pending | State::Confirmed) && p.reported))
    }

    /// Resumes a session: settles its PENDING proposals (a T2 one within its window is
    /// soft-confirmed and executed, or rejected with `reject`; past it, it expires; T3 waits for
    /// `agentb proposals approve` unless `--approve t3`), tells the model what changed, adds
    /// `message`, and drives the session on.
    pub async fn resume(&self, session: &mut Session, message: Option<&str>, reject: bool) -> anyhow::Result<Ending> {
        let mut notes = Vec::new();
        for mut p in self.store.proposals(&session.id)? {
            let now = self.clock.now();
            let was = p.state;
            // Confirmed before an ERP failure or a crash: run it now (exactly once).
            if p.state == State::Confirmed {
                execute_proposal(self.store, self.erp, &session.artifact.tools, now, &mut p).await?;
            }
            if p.state == State::Pending {
                if reject {
                    transition(self.store, &mut p, State::Rejected, now, "resume --reject", None)?;
                } else if p.tier == Tier::T3 && self.approve != Some(Tier::T3) {
                    // T3 is always explicit.
                } else if p.tier == Tier::T2 && p.is_past_window(now) {
                    let reason = p.expires_at.map(|at| format!("the T2 window closed at {at}"));
                    transition(self.store, &mut p, State::Expired, now, "resume", reason)?;
                } else {
                    let by = if p.tier == Tier::T3 { "--approve t3" } else { "resume (soft-confirm)" };
                    transition(self.store, &mut p, State::Confirmed, now, by, None)?;
                    execute_proposal(self.store, self.erp, &session.artifact.tools, now, &mut p).await?;
                }
            }
            // A call executed here gets its post_tool_use hooks, as one executed in the run does.
            let mut flag = None;
            if was != State::Executed && p.state == State::Executed {
                let response = p.result.clone().unwrap_or(Value::Null);
                let call =
                    HookCall { name: &p.tool, input: &p.input, id: &p.tool_use_id, tier: p.tier, response: &response };
                flag = post_tool_use(self.store, self.clock, &self.post_hooks, &self.hook_dir, session, call).await;
            }
            if !p.reported && p.state != State::Pending {
                let note = describe_for_model(&p).0;
                notes.push(match flag {
                    Some(flag) => format!("{note}\n\n{flag}"),
                    None => note,
                });
                p.reported = true;
                self.store.save_proposal(&p)?;
            }
        }
        let mut text: Vec<String> = notes;
        if let Some(m) = message {
            text.push(m.to_owned());
        }
        let text = if text.is_empty() { None } else { Some(text.join("\n\n")) };
        let idle = session.messages.last().is_some_and(|m| m.role == Role::Assistant && tool_uses(m).is_empty());
        if text.is_none() && idle {
            let pending: Vec<Proposal> =
                self.store.proposals(&session.id)?.into_iter().filter(|p| p.state == State::Pending).collect();
            if !pending.is_empty() {
                return Ok(Ending::AwaitingApproval(pending));
            }
            return Err(crate::cli::command_error::UserError::usage(format!(
                "session `{}` finished its turn and nothing changed since",
                session.id
            ))
            .with_hint(format!(
                "pass `--message TEXT` to continue the conversation: agentb run --resume {} --message …",
                session.id
            ))
            .into());
        }
        session.status = session::Status::Running;
        session.error = None;
        self.drive(session, text).await
    }

    /// Drives a session until the model ends its turn (with a valid output, or pending
    /// proposals), a breaker trips, or a call fails. `text` is added to the next user message.
    pub async fn drive(&self, session: &mut Session, text: Option<String>) -> anyhow::Result<Ending> {
        let guard = Guard::new(&session.org, &session.artifact.tools, &session.artifact.limits);
        let mut meter = Meter::new(self.clock.now());
        let mut pending_text = text;
        let mut resend = false;
        loop {
            if !resend {
                let last_is_assistant = session.messages.last().is_some_and(|m| m.role == Role::Assistant);
                if last_is_assistant {
                    let uses = session.messages.last().map(tool_uses).unwrap_or_default();
                    if uses.is_empty() {
                        if let Some(text) = pending_text.take() {
                            session.messages.push(Message::user_text(text));
                        } else {
                            match self.finish(session)? {
                                Ok(ending) => return Ok(ending),
                                Err(correction) => {
                                    session.messages.push(Message::user_text(correction));
                                }
                            }
                        }
                    } else {
                        let (mut content, trip) = self.answer_tools(session, &guard, &meter, uses).await?;
                        if let Some(text) = pending_text.take() {
                            content.push(ContentBlock::text(text));
                        }
                        session.messages.push(Message::user(content));
                        if let Some(trip) = trip {
                            self.save(session)?;
                            return Ok(Ending::Breaker(trip));
                        }
                    }
                    self.save(session)?;
                } else if let Some(text) = pending_text.take() {
                    match session.messages.last_mut() {
                        Some(last) => last.content.push(ContentBlock::text(text)),
                        None => session.messages.push(Message::user_text(text)),
                    }
                    self.save(session)?;
                }
            }
            resend = false;
            let now = self.clock.now();
            if let Some(trip) = guard.breaker(&meter, now) {
                self.trip(session, &trip, now);
                return Ok(Ending::Breaker(trip));
            }
            session.counters.start_turn();
            let request = build_request(session, self.stream);
            let response = self.model.send(&request, self.on_text).await?;
            meter.turns += 1;
            session.turns += 1;
            session.usage.add(&response.usage);
            let cost = self.pricing.as_ref().map_or(0.0, |p| crate::claude::pricing::cost_usd(p, &response.usage));
            meter.cost_usd += cost;
            meter.output_tokens += response.usage.output_tokens;
            session.cost_usd += cost;
            audit(
                self.store,
                &session.id,
                self.clock.now(),
                "turn",
                json!({"turn": session.turns, "stop_reason": response.stop_reason, "usage": response.usage, "cost_usd": cost}),
            );
            if self.stream && response.content.iter().any(|b| matches!(b, ContentBlock::Text { .. })) {
                (self.on_text)("\n");
            }
            if response.stop_reason == Some(StopReason::Refusal) {
                // The refused turn is not kept: the API asks for it to be removed before the
                // conversation goes on, and a tool call cut off by the refusal must never run
                // when the session is resumed.
                self.save(session)?;
                let text = message_text(&Message::assistant(response.content));
                return Ok(Ending::Refused(if text.is_empty() { "no reason given".to_owned() } else { text }));
            }
            // The API refuses an empty text block, and an empty assistant message anywhere but
            // last: drop empty text blocks, and keep a placeholder so a corrective turn or a
            // resume can follow.
            let content: Vec<ContentBlock> = response
                .content
                .iter()
                .filter(|b| !matches!(b, ContentBlock::Text { text } if text.trim().is_empty()))
                .cloned()
                .collect();
            let content = if content.is_empty() { vec![ContentBlock::text("(no content)")] } else { content };
            session.messages.push(Message::assistant(content));
            let uses = session.messages.last().map(tool_uses).unwrap_or_default();
            if response.stop_reason == Some(StopReason::MaxTokens) && !uses.is_empty() {
                // The reply was cut off: its last tool call may be incomplete, so none of them
                // runs; the model is told and may send them again.
                let results = uses
                    .iter()
                    .map(|(id, name, _)| {
                        audit(
                            self.store,
                            &session.id,
                            self.clock.now(),
                            "tool_call",
                            json!({"tool": name, "tool_use_id": id, "decision": "refuse", "rule": "max_tokens"}),
                        );
                        ContentBlock::tool_result(
                            id,
                            format!(
                                "not run: your reply reached `max_tokens` ({}) and this call may be cut off; \
                                 send it again, with a shorter reply",
                                session.max_tokens
                            ),
                            true,
                        )
                    })
                    .collect();
                session.messages.push(Message::user(results));
            }
            self.save(session)?;
            if response.stop_reason == Some(StopReason::PauseTurn) {
                resend = true;
            }
        }
    }

    /// Decides the end of a turn without tool calls: awaiting approval, a valid output, one
    /// corrective turn (`Err(message)`), or an output that stayed invalid.
    fn finish(&self, session: &mut Session) -> anyhow::Result<Result<Ending, String>> {
        let pending: Vec<Proposal> =
            self.store.proposals(&session.id)?.into_iter().filter(|p| p.state == State::Pending).collect();
        if !pending.is_empty() {
            return Ok(Ok(Ending::AwaitingApproval(pending)));
        }
        let text = session.messages.last().map(message_text).unwrap_or_default();
        let problems = match output::extract(&text) {
            Ok(value) => match output::validate(&session.artifact.output_schema, &value) {
                Ok(errors) if errors.is_empty() => {
                    session.output = Some(value);
                    session.corrections = 0;
                    audit(self.store, &session.id, self.clock.now(), "output", json!({"valid": true}));
                    return Ok(Ok(Ending::Completed));
                }
                Ok(errors) => errors,
                Err(e) => vec![e],
            },
            Err(e) => vec![e],
        };
        audit(self.store, &session.id, self.clock.now(), "output", json!({"valid": false, "errors": problems}));
        if session.corrections >= 1 {
            return Ok(Ok(Ending::InvalidOutput(problems)));
        }
        session.corrections += 1;
        let list: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
        Ok(Err(format!(
            "Your final output does not match the skill's output schema:\n{}\n\nReply with the corrected output as \
             one JSON object in a ```json block. The schema:\n```json\n{}\n```",
            list.join("\n"),
            serde_json::to_string_pretty(&session.artifact.output_schema).unwrap_or_default()
        )))
    }

    fn save(&self, session: &mut Session) -> anyhow::Result<()> {
        session.updated_at = self.clock.now();
        self.store.save(session)
    }

    fn trip(&self, session: &Session, trip: &Trip, at: Timestamp) {
        audit(self.store, &session.id, at, "breaker", json!({"breaker": trip.breaker, "message": trip.message}));
    }

    /// Answers every tool call of the model's message, in order; after a breaker trips the
    /// remaining calls are answered as not run.
    async fn answer_tools(
        &self,
        session: &mut Session,
        guard: &Guard,
        meter: &Meter,
        uses: Vec<(String, String, Value)>,
    ) -> anyhow::Result<(Vec<ContentBlock>, Option<Trip>)> {
        let mut results = Vec::with_capacity(uses.len());
        let mut tripped: Option<Trip> = None;
        for (id, name, input) in uses {
            if let Some(trip) = &tripped {
                results.push(ContentBlock::tool_result(
                    &id,
                    format!("not run: the run stopped ({})", trip.message),
                    true,
                ));
                continue;
            }
            match self.call(session, guard, meter, &id, &name, &input).await? {
                Answer::Result { content, is_error } => results.push(ContentBlock::tool_result(&id, content, is_error)),
                Answer::Trip(trip) => {
                    self.trip(session, &trip, self.clock.now());
                    results.push(ContentBlock::tool_result(&id, format!("not run: {}", trip.message), true));
                    tripped = Some(trip);
                }
            }
        }
        Ok((results, tripped))
    }

    fn refuse(&self, session: &Session, id: &str, name: &str, rule: &Rule, reason: &str) -> anyhow::Result<Answer> {
        let now = self.clock.now();
        audit(
            self.store,
            &session.id,
            now,
            "tool_call",
            json!({"tool": name, "tool_use_id": id, "decision": "refuse", "rule": rule.to_string(), "detail": rule, "reason": reason}),
        );
        let content = format!("refused by agentb ({rule}): {reason}");
        let record = CallRecord { tool_use_id: id.to_owned(), tool: name.to_owned(), at: now, content, is_error: true };
        self.store.save_call(&session.id, &record)?;
        Ok(Answer::Result { content: record.content, is_error: true })
    }

    /// Decides and runs one tool call.
    async fn call(
        &self,
        session: &mut Session,
        guard: &Guard,
        meter: &Meter,
        id: &str,
        name: &str,
        input: &Value,
    ) -> anyhow::Result<Answer> {
        // Idempotency: a call that already ran (or was refused) answers from the journal.
        if let Some(done) = self.store.call(&session.id, id)? {
            audit(
                self.store,
                &session.id,
                self.clock.now(),
                "tool_call",
                json!({"tool": name, "tool_use_id": id, "decision": "replayed", "rule": "journal"}),
            );
            return Ok(Answer::Result { content: done.content, is_error: done.is_error });
        }
        if let Some(mut p) = self.store.proposals(&session.id)?.into_iter().find(|p| p.tool_use_id == id) {
            let (content, is_error) = describe_for_model(&p);
            p.reported = true;
            self.store.save_proposal(&p)?;
            return Ok(Answer::Result { content, is_error });
        }
        let now = self.clock.now();
        let tier = match guard.check(&session.counters, meter, now, name, input) {
            Verdict::Allow { tier } => tier,
            Verdict::Refuse { rule, reason } => return self.refuse(session, id, name, &rule, &reason),
            Verdict::Trip(trip) => return Ok(Answer::Trip(trip)),
        };
        let mut input = input.clone();
        let mut hooks_allowed = Vec::new();
        if self.pre_hooks.matches(name) {
            let decision = self
                .pre_hooks
                .run(&self.hook_dir, self.hook_input(session, Event::PreToolUse, name, &input, id, tier, None))
                .await;
            for (index, command, rewrote) in &decision.ran {
                audit(
                    self.store,
                    &session.id,
                    self.clock.now(),
                    "hook",
                    json!({"event": "pre_tool_use", "index": index, "command": command, "tool": name, "tool_use_id": id, "rewrote_input": rewrote}),
                );
            }
            if let Some((index, command, outcome)) = decision.blocked {
                let rule = Rule::Hook { event: "pre_tool_use".to_owned(), index, command: command.clone() };
                let reason = match outcome {
                    hooks::Outcome::Deny(reason) => {
                        format!("the pre_tool_use hook `{command}` denied the call: {reason}")
                    }
                    hooks::Outcome::Failed(reason) => {
                        tracing::warn!("pre_tool_use hook failed (the call is blocked): {reason}");
                        format!("the pre_tool_use hook `{command}` failed, so the call is blocked: {reason}")
                    }
                    _ => format!("the pre_tool_use hook `{command}` blocked the call"),
                };
                return self.refuse(session, id, name, &rule, &reason);
            }
            hooks_allowed = decision.ran.iter().map(|(index, _, _)| format!("hooks.pre_tool_use[{index}]")).collect();
            // A rewritten input is checked again: a hook cannot send the call to another org.
            if decision.input != input {
                if let Some((path, named)) = guard::foreign_org(&decision.input, &session.org) {
                    let reason = format!("the hook's rewritten input names org `{named}` at `{path}`");
                    return self.refuse(session, id, name, &Rule::OrgIsolation, &reason);
                }
                input = decision.input;
            }
        }
        let Some(tool) = session.artifact.tools.iter().find(|t| t.name == name).cloned() else {
            return self.refuse(session, id, name, &Rule::Granted, &format!("the tool `{name}` is not granted"));
        };
        match output::validate(&tool.input_schema, &input) {
            Ok(problems) if problems.is_empty() => {}
            Ok(problems) => {
                let reason = format!("the input does not fit the tool's input schema: {}", problems.join("; "));
                return self.refuse(session, id, name, &Rule::InputSchema, &reason);
            }
            Err(e) => return self.refuse(session, id, name, &Rule::InputSchema, &e),
        }
        let is_write = !(tier == Tier::T1 && tool.action == "read");
        if is_write {
            // The same call again while its proposal still waits (a model that retries after
            // "awaits confirmation") is that proposal, not a second one that could run twice.
            let hash = proposals::input_hash(&input);
            let waiting = self
                .store
                .proposals(&session.id)?
                .into_iter()
                .find(|p| p.state == State::Pending && p.tool == name && p.input_hash == hash);
            if let Some(p) = waiting {
                audit(
                    self.store,
                    &session.id,
                    now,
                    "tool_call",
                    json!({"tool": name, "tool_use_id": id, "tier": tier, "decision": "duplicate", "rule": "pending_proposal", "proposal": p.id}),
                );
                let content = format!(
                    "This call is the same as proposal `{}` ({}, tier {}), which still awaits the user's confirmation; \
                     no second proposal was made. Do not call the tool again for it; finish your turn.",
                    p.id, p.tool, p.tier
                );
                return Ok(Answer::Result { content, is_error: false });
            }
        }
        session.counters.record(name, tier);
        audit(
            self.store,
            &session.id,
            now,
            "tool_call",
            json!({"tool": name, "tool_use_id": id, "tier": tier, "decision": "allow", "rule": "granted", "hooks": hooks_allowed, "input": input}),
        );
        if !is_write {
            let idem = executor::idempotent_id(&session.id, id);
            let (content, is_error, response) =
                match executor::execute(self.erp, &session.org, &tool, &input, &idem, None).await {
                    Ok(done) => (serde_json::to_string(&done.result).unwrap_or_default(), false, done.result),
                    Err(ToolError::Input(m)) => (m.clone(), true, json!({"error": m})),
                    Err(ToolError::Erp(e)) => return Err(e.into()),
                };
            let (content, is_error) =
                self.post_hooks(session, name, &input, id, tier, &response, content, is_error).await;
            let record = CallRecord {
                tool_use_id: id.to_owned(),
                tool: name.to_owned(),
                at: self.clock.now(),
                content,
                is_error,
            };
            self.store.save_call(&session.id, &record)?;
            return Ok(Answer::Result { content: record.content, is_error });
        }
        let window = (tier == Tier::T2).then(|| self.windows.get(name).copied().unwrap_or(self.t2_window));
        let mut p =
            Proposal::new(&session.id, id, name, tier, &session.org, &session.instance, input.clone(), now, window);
        self.store.save_proposal(&p)?;
        audit(
            self.store,
            &session.id,
            now,
            "proposal",
            json!({"proposal": p.id, "tool": name, "tier": tier, "tool_use_id": id, "to": "PENDING", "by": "model", "input_hash": p.input_hash}),
        );
        let by = match (tier, self.approve) {
            (Tier::T1, _) => Some("tier t1 (auto)".to_owned()),
            (Tier::T2, Some(Tier::T2 | Tier::T3)) => Some("--approve t2".to_owned()),
            (Tier::T3, Some(Tier::T3)) => Some("--approve t3".to_owned()),
            _ => None,
        };
        let by = match (by, self.prompter) {
            (Some(by), _) => Some(by),
            (None, Some(prompter)) => {
                if prompter.confirm(&p) {
                    Some("terminal".to_owned())
                } else {
                    transition(self.store, &mut p, State::Rejected, self.clock.now(), "terminal", None)?;
                    None
                }
            }
            (None, None) => None,
        };
        if let Some(by) = by {
            let now = self.clock.now();
            transition(self.store, &mut p, State::Confirmed, now, &by, None)?;
            execute_proposal(self.store, self.erp, &session.artifact.tools, now, &mut p).await?;
        }
        let (mut content, mut is_error) = describe_for_model(&p);
        if p.state == State::Executed {
            let response = p.result.clone().unwrap_or(Value::Null);
            (content, is_error) = self.post_hooks(session, name, &input, id, tier, &response, content, is_error).await;
        }
        p.reported = true;
        self.store.save_proposal(&p)?;
        Ok(Answer::Result { content, is_error })
    }

    #[allow(clippy::too_many_arguments, reason = "the fields of one hook call")]
    async fn post_hooks(
        &self,
        session: &Session,
        name: &str,
        input: &Value,
        id: &str,
        tier: Tier,
        response: &Value,
        content: String,
        is_error: bool,
    ) -> (String, bool) {
        let call = HookCall { name, input, id, tier, response };
        match post_tool_use(self.store, self.clock, &self.post_hooks, &self.hook_dir, session, call).await {
            Some(flag) => (format!("{content}\n\n{flag}"), true),
            None => (content, is_error),
        }
    }

    #[allow(clippy::too_many_arguments, reason = "the fields of the hook contract")]
    fn hook_input<'b>(
        &self,
        session: &'b Session,
        event: Event,
        name: &'b str,
        input: &'b Value,
        id: &'b str,
        tier: Tier,
        response: Option<&'b Value>,
    ) -> HookInput<'b> {
        HookInput {
            session_id: &session.id,
            org: &session.org,
            skill: &session.skill,
            hook_event_name: event.name(),
            tool_name: name,
            tool_input: input,
            tool_use_id: id,
            tier: tier.to_string(),
            tool_response: response,
            cwd: self.hook_dir.display().to_string(),
        }
    }
}
