//! The turn loop (SPEC §8, steps 3–4): send the conversation, keep the reply, answer its tool
//! calls through the pipeline of [`super::calls`], and go on until the model ends its turn or a
//! breaker trips; then extract and validate the output, with one corrective turn. Resuming a
//! session first settles its proposals (soft-confirm, reject, expire) and tells the model.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::calls::{HookCall, post_tool_use};
use super::error::RunError;
use super::execution::{describe_for_model, execute_proposal, transition};
use super::guard::{Guard, Meter, Trip};
use super::proposals::{Proposal, State};
use super::session::{self, Session};
use super::{Ending, Runtime, audit, build_request, message_text, output, tool_uses};
use crate::claude::{ContentBlock, Message, Role, StopReason};
use crate::config::Tier;

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
            // Confirmed before an ERP failure or a crash, or in the ERP's UI, or claimed by a
            // machine that died: run it now (exactly once).
            if matches!(p.state, State::Confirmed | State::Executing) {
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
                self.store.save_reported(&p)?;
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
            return Err(RunError::NothingToResume { session: session.id.clone() }.into());
        }
        session.status = session::Status::Running;
        session.error = None;
        self.drive(session, text).await
    }

    /// Drives a session until the model ends its turn (with a valid output, or pending
    /// proposals), a breaker trips, or a call fails. `text` is added to the next user message.
    pub async fn drive(&self, session: &mut Session, text: Option<String>) -> anyhow::Result<Ending> {
        let guard = Guard::new(&session.org, &session.artifact.tools, &session.artifact.limits);
        // Resuming never resets the breakers: the session's turns, cost and tokens count.
        let mut meter = Meter::resumed(self.clock.now(), session.turns, session.cost_usd, session.usage.output_tokens);
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
                        let Some((mut content, trip)) = self.answer_tools(session, &guard, &meter, uses).await? else {
                            // The calls that ran are in the journal; a resume answers the rest.
                            return self.interrupt_at(session, "tool calls");
                        };
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
            if self.interrupted() {
                return self.interrupt_at(session, "turn");
            }
            let now = self.clock.now();
            if let Some(trip) = guard.breaker(&meter, now) {
                self.trip(session, &trip, now);
                return Ok(Ending::Breaker(trip));
            }
            session.counters.start_turn();
            let request = build_request(session, self.stream);
            let on_text = |text: &str| self.observer.text(text);
            // The wall-time breaker holds during the request too: a hung call is cut at the limit.
            let remaining = guard.wall_time_left(&meter, now);
            let send = tokio::time::timeout(remaining, self.model.send(&request, &on_text));
            // Ctrl-C abandons the request in flight: its reply is never read, nor paid for here.
            let sent = tokio::select! {
                biased;
                () = super::interrupt::wait(self.interrupt) => None,
                sent = send => Some(sent),
            };
            let Some(sent) = sent else {
                return self.interrupt_at(session, "model request");
            };
            let Ok(response) = sent else {
                let trip = guard.wall_time_trip();
                self.trip(session, &trip, self.clock.now());
                return Ok(Ending::Breaker(trip));
            };
            let response = response?;
            let cost = super::count_reply(session, &mut meter, &response.usage, self.pricing.as_ref());
            audit(
                self.store,
                &session.id,
                self.clock.now(),
                "turn",
                json!({"turn": session.turns, "stop_reason": response.stop_reason, "usage": response.usage, "cost_usd": cost}),
            );
            if self.stream && response.content.iter().any(|b| matches!(b, ContentBlock::Text { .. })) {
                self.observer.text("\n");
            }
            if response.stop_reason == Some(StopReason::Refusal) {
                // The refused turn is not kept: the API asks for it to be removed before the
                // conversation goes on, and a tool call cut off by the refusal must never run
                // when the session is resumed.
                self.save(session)?;
                let text = message_text(&Message::assistant(response.content));
                return Ok(Ending::Refused(if text.is_empty() { "no reason given".to_owned() } else { text }));
            }
            let content = super::sendable(response.content);
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

    /// Saves the session and ends the run as interrupted at `point` (audited).
    fn interrupt_at(&self, session: &mut Session, point: &str) -> anyhow::Result<Ending> {
        audit(self.store, &session.id, self.clock.now(), "interrupted", json!({"point": point}));
        self.save(session)?;
        Ok(Ending::Interrupted)
    }

    fn save(&self, session: &mut Session) -> anyhow::Result<()> {
        session.updated_at = self.clock.now();
        self.store.save(session)
    }

    pub(super) fn trip(&self, session: &Session, trip: &Trip, at: Timestamp) {
        audit(self.store, &session.id, at, "breaker", json!({"breaker": trip.breaker, "message": trip.message}));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::runtime::Ending;
    use crate::runtime::lifecycle::RunDeps;
    use crate::runtime::testing::{Scripted, World, answer, tool_use, valid};

    fn drive(world: &World, model: &Scripted) -> (crate::runtime::session::Session, Ending) {
        let deps: RunDeps<'_> = world.deps(model, Some(crate::config::Tier::T2));
        let runtime = deps.runtime_for_tests();
        let mut session = world.session(10);
        world.store.create(&session).unwrap();
        let ending = crate::rt::build().unwrap().block_on(runtime.drive(&mut session, None)).unwrap();
        (session, ending)
    }

    #[test]
    fn a_call_cut_off_at_max_tokens_is_not_run_and_the_model_is_told() {
        let world = World::new();
        let mut cut = tool_use("t1", "erp_create_brief", json!({"data": {"id": "b1"}}));
        cut.stop_reason = Some(crate::claude::StopReason::MaxTokens);
        let model = Scripted::new([cut, answer(&valid())]);
        let (session, ending) = drive(&world, &model);
        assert_eq!(ending, Ending::Completed);
        assert_eq!(session.turns, 2);
        assert!(model.last_text(1).contains("`max_tokens`"), "{}", model.last_text(1));
        assert!(world.store.proposals(&session.id).unwrap().is_empty(), "the cut-off call never became a proposal");
    }
}
