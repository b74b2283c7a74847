//! The tool-call pipeline (SPEC §8, the guard): every tool call of the model goes through the
//! journal (a call that ran answers from it), the [`Guard`], the user `pre_tool_use` hooks, the
//! tool's input schema and the duplicate-proposal check; a T1 read then executes at once, a
//! write becomes a [`Proposal`] that is confirmed (`--approve`, the terminal) and executed, or
//! left PENDING. Executed calls get their `post_tool_use` hooks.

use serde_json::{Value, json};

use super::clock::Clock;
use super::execution::{describe_for_model, execute_proposal, transition};
use super::executor::{self, ToolError};
use super::guard::{self, Guard, Meter, Rule, Trip, Verdict};
use super::hooks::{self, Event, HookInput, Hooks};
use super::proposals::{self, Proposal, State};
use super::session::{CallRecord, Session, Store};
use super::{Runtime, audit, output};
use crate::claude::ContentBlock;
use crate::config::Tier;

/// The answer to one tool call.
pub(super) enum Answer {
    Result { content: String, is_error: bool },
    Trip(Trip),
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

/// Returns a tool result cut to `max` bytes (at a char boundary), with a note to the model
/// saying it was cut and how long it was (`limits.max_tool_result_bytes`).
pub fn cap_result(content: String, max: u64) -> String {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    if content.len() <= max {
        return content;
    }
    let mut end = max;
    while !content.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n\n[agentb cut this tool result: it was {} bytes, more than `limits.max_tool_result_bytes` ({max}); \
         only the first {end} bytes are shown. Ask for less: a narrower filter, a smaller `limit`, or one record.]",
        &content[..end],
        content.len()
    )
}

impl Runtime<'_> {
    /// Answers every tool call of the model's message, in order; after a breaker trips the
    /// remaining calls are answered as not run. `None`: Ctrl-C came first, and no new call
    /// started after it.
    pub(super) async fn answer_tools(
        &self,
        session: &mut Session,
        guard: &Guard,
        meter: &Meter,
        uses: Vec<(String, String, Value)>,
    ) -> anyhow::Result<Option<(Vec<ContentBlock>, Option<Trip>)>> {
        let mut results = Vec::with_capacity(uses.len());
        let mut tripped: Option<Trip> = None;
        for (id, name, input) in uses {
            if self.interrupted() {
                return Ok(None);
            }
            if let Some(trip) = &tripped {
                results.push(ContentBlock::tool_result(
                    &id,
                    format!("not run: the run stopped ({})", trip.message),
                    true,
                ));
                continue;
            }
            match self.call(session, guard, meter, &id, &name, &input).await? {
                Answer::Result { content, is_error } => {
                    let content = cap_result(content, session.artifact.limits.max_tool_result_bytes);
                    results.push(ContentBlock::tool_result(&id, content, is_error));
                }
                Answer::Trip(trip) => {
                    self.trip(session, &trip, self.clock.now());
                    results.push(ContentBlock::tool_result(&id, format!("not run: {}", trip.message), true));
                    tripped = Some(trip);
                }
            }
        }
        Ok(Some((results, tripped)))
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
            self.store.save_reported(&p)?;
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
        // An id the ERP cannot take (too long, not one path segment) is the model's to fix,
        // never a failed run.
        if let Some(problem) = guard::invalid_id(&tool.resource, &input) {
            return self.refuse(session, id, name, &Rule::RecordId, &problem);
        }
        if let Some(check) = self.check
            && let Some(reason) = check.check(self.erp, &session.org, name, &input).await?
        {
            return self.refuse(session, id, name, &Rule::Shape, &reason);
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
        p.id = self.ids.proposal();
        self.store.save_proposal(&mut p)?;
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
                } else if self.interrupted() {
                    // Ctrl-C at the prompt is no answer: the proposal waits, the run stops.
                    None
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
        self.store.save_reported(&p)?;
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::runtime::Ending;
    use crate::runtime::testing::{Scripted, World, answer, tool_use, valid};

    #[test]
    fn a_long_result_is_cut_at_a_char_boundary_with_a_note() {
        assert_eq!(super::cap_result("short".to_owned(), 10), "short");
        let cut = super::cap_result("aé".repeat(10), 4);
        assert!(cut.starts_with("aéa\n\n[agentb cut this tool result: it was 30 bytes"), "{cut}");
        assert!(cut.contains("only the first 4 bytes") && cut.contains("max_tool_result_bytes"), "{cut}");
    }

    #[test]
    fn an_oversized_input_or_an_unsendable_id_is_answered_as_an_error() {
        let world = World::new();
        let huge = "x".repeat(70_000);
        let model = Scripted::new([
            tool_use("t1", "erp_get_client", json!({"id": huge})),
            tool_use("t2", "erp_get_client", json!({"id": "y".repeat(300)})),
            tool_use("t3", "erp_get_client", json!({"id": "../c1"})),
            answer(&valid()),
        ]);
        let deps = world.deps(&model, None);
        let runtime = deps.runtime_for_tests();
        let mut session = world.session(10);
        world.store.create(&session).unwrap();
        let ending = crate::rt::build().unwrap().block_on(runtime.drive(&mut session, None)).unwrap();
        assert_eq!(ending, Ending::Completed);
        assert!(model.last_text(1).contains("(input_size)") && model.last_text(1).contains("\"is_error\":true"));
        assert!(model.last_text(2).contains("(record_id)") && model.last_text(2).contains("300 bytes"));
        assert!(model.last_text(3).contains("(record_id)") && model.last_text(3).contains("\"is_error\":true"));
        let audit = world.store.audit(&session.id).read().unwrap();
        let text = serde_json::to_string(&audit).unwrap();
        assert!(text.contains("\"rule\":\"input_size\""), "{text}");
        assert!(!text.contains(&"x".repeat(1000)), "the oversized input is not copied into the audit log");
    }

    #[test]
    fn a_call_naming_another_org_is_refused_and_journaled() {
        let world = World::new();
        let model = Scripted::new([
            tool_use("t1", "erp_list_clients", json!({"filter": {"organizationId": "beta"}})),
            answer(&valid()),
        ]);
        let deps = world.deps(&model, None);
        let runtime = deps.runtime_for_tests();
        let mut session = world.session(10);
        world.store.create(&session).unwrap();
        let ending = crate::rt::build().unwrap().block_on(runtime.drive(&mut session, None)).unwrap();
        assert_eq!(ending, Ending::Completed);
        let told = model.last_text(1);
        assert!(told.contains("(org_isolation)") && told.contains("\"is_error\":true"), "{told}");
        let record = world.store.call(&session.id, "t1").unwrap().expect("the refusal is journaled");
        assert!(record.is_error);
        assert_eq!(session.counters, crate::runtime::guard::Counters::default(), "a refused call counts nothing");
    }

    /// Refuses every `erp_create_brief` whose title is `bad`.
    struct NoBadTitles;

    impl crate::runtime::CallCheck for NoBadTitles {
        fn check<'a>(
            &'a self,
            _erp: &'a dyn crate::erp::Erp,
            org: &'a str,
            tool: &'a str,
            input: &'a serde_json::Value,
        ) -> crate::runtime::CheckFuture<'a> {
            Box::pin(async move {
                Ok((tool == "erp_create_brief" && input["data"]["title"] == "bad")
                    .then(|| format!("a bad title for org `{org}`")))
            })
        }
    }

    #[test]
    fn a_builder_check_refuses_before_any_proposal_and_lets_the_rest_through() {
        let world = World::new();
        let model = Scripted::new([
            tool_use("t1", "erp_create_brief", json!({"data": {"id": "b1", "title": "bad"}})),
            tool_use("t2", "erp_create_brief", json!({"data": {"id": "b2", "title": "good"}})),
            answer(&valid()),
        ]);
        let mut deps = world.deps(&model, Some(crate::config::Tier::T2));
        deps.check = Some(&NoBadTitles);
        let runtime = deps.runtime_for_tests();
        let mut session = world.session(10);
        world.store.create(&session).unwrap();
        let ending = crate::rt::build().unwrap().block_on(runtime.drive(&mut session, None)).unwrap();
        assert_eq!(ending, Ending::Completed);
        let told = model.last_text(1);
        assert!(told.contains("(shape)") && told.contains("a bad title for org `acme`"), "{told}");
        let proposals = world.store.proposals(&session.id).unwrap();
        assert_eq!(proposals.len(), 1, "only the good call became a proposal");
        assert_eq!(proposals[0].input["data"]["title"], "good");
        let audit = serde_json::to_string(&world.store.audit(&session.id).read().unwrap()).unwrap();
        assert!(audit.contains("\"rule\":\"shape\""), "{audit}");
    }
}
