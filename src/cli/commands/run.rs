//! `agentb run SKILL --org ORG …` and `agentb run --resume SESSION …`: load the skill (compiled
//! in memory from its source), the persona and the input; create the invocation; drive the
//! runtime; record the outcome in the invocation and print it.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context as _;
use serde_json::{Map, Value, json};

use crate::claude::{ClaudeClient, Model};
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{ApproveTier, Format, RunArgs};
use crate::compile;
use crate::config::Tier;
use crate::erp::{self, AGENT_INVOCATIONS, ErpExt as _, Instance};
use crate::lint::{Level, Levels};
use crate::runtime::clock::{Clock, TEST_CLOCK_ENV};
use crate::runtime::hooks::{Event, Hooks};
use crate::runtime::proposals::{Proposal, State};
use crate::runtime::session::{self, Session, Store};
use crate::runtime::{self, Ending, Prompter, Runtime, audit, output, persona};
use crate::skill::parse::ParseContext;
use crate::skill::project;
use crate::workspace::Project;

pub fn run(ctx: &Ctx, args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let project = ctx.project()?;
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let clock = test_clock(ctx)?;
    let store = sessions_store(project);
    if let Some(id) = &args.resume {
        return resume(ctx, project, format, &clock, &store, id, args);
    }
    let (Some(skill_id), Some(org)) = (&args.skill, &args.org) else {
        return Err(UserError::usage("`agentb run` needs a SKILL and `--org ORG`, or `--resume SESSION`").into());
    };
    let ws = project::load(project)?;
    let levels = Levels::new(&project.config.lint.allow, &project.config.lint.deny, &project.config.lint.warn)?;
    let mut diagnostics = ws.diagnostics.clone();
    levels.apply(&mut diagnostics);
    let Some(skill) = ws.skill(skill_id) else {
        let err = UserError::usage(format!("no skill `{skill_id}` in this project"));
        return Err(match crate::text::did_you_mean(skill_id, ws.summaries.iter().map(|s| s.id.as_str())) {
            Some(m) => err.with_hint(format!("did you mean `{m}`?")),
            None => err.with_hint("list the skills with `agentb lint` or look in the skills folder"),
        }
        .into());
    };
    if let Some(d) = diagnostics.iter().find(|d| d.level == Level::Error && d.file == skill.path) {
        return Err(UserError::usage(format!("skill `{skill_id}` does not pass lint: {}", d.message))
            .with_hint(format!("`agentb lint {}` shows every problem", skill.path.display()))
            .into());
    }
    match skill.status {
        crate::skill::model::Status::Disabled => {
            return Err(UserError::usage(format!("skill `{skill_id}` is disabled"))
                .with_hint(format!("set `status: active` in `{}` to run it", skill.path.display()))
                .into());
        }
        crate::skill::model::Status::Deprecated => {
            ctx.printer.warn(format!("skill `{skill_id}` is deprecated"));
        }
        _ => {}
    }
    let parse_ctx = ParseContext::new(&project.config);
    let artifact = compile::artifacts(&ws, &parse_ctx, &[skill]).pop().context("compile produced no artifact")?;
    let persona = match &args.persona {
        Some(id) => {
            let Some(p) = ws.personas.iter().find(|p| &p.id.value == id) else {
                let names = ws.personas.iter().map(|p| p.id.value.as_str());
                let err = UserError::usage(format!("no persona `{id}` in this project"));
                return Err(match crate::text::did_you_mean(id, names) {
                    Some(m) => err.with_hint(format!("did you mean `{m}`?")),
                    None => err.with_hint("personas live in the personas folder (`personas/<id>.md`)"),
                }
                .into());
            };
            persona::check_allowed(p, skill_id)?;
            Some(p)
        }
        None => None,
    };
    let input = read_input(ctx, args, &artifact.input_schema)?;
    let problems = output::validate(&artifact.input_schema, &input).map_err(UserError::usage)?;
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
        return Err(UserError::usage(format!(
            "the input does not fit the input schema of `{skill_id}`:\n{}",
            list.join("\n")
        ))
        .with_hint(format!(
            "give inputs with `--input key=value` or `--input-file FILE`; `agentb compile {skill_id}` writes the schema"
        ))
        .into());
    }
    let model = args
        .model
        .clone()
        .or_else(|| persona.and_then(|p| p.model.clone()))
        .unwrap_or_else(|| project.config.claude.model.clone());
    let instance_name = erp::instance_config(project, args.instance.as_deref())?.0.to_owned();
    let now = clock.now();
    let mut session = Session {
        id: Store::new_id(),
        skill: artifact.id.clone(),
        skill_version: artifact.version.to_string(),
        org: org.clone(),
        instance: instance_name,
        persona: persona.map(|p| p.id.value.clone()),
        model,
        max_tokens: project.config.claude.max_tokens,
        status: session::Status::Running,
        created_at: now,
        updated_at: now,
        invocation_id: None,
        system: persona::system_prompt(persona, &artifact.system_prompt),
        messages: vec![runtime::initial_message(&artifact.id, &input)],
        input: input.clone(),
        artifact,
        usage: crate::claude::Usage::default(),
        cost_usd: 0.0,
        turns: 0,
        counters: runtime::guard::Counters::default(),
        corrections: 0,
        output: None,
        error: None,
    };
    if args.dry_run {
        let request = runtime::build_request(&session, streams(ctx));
        ctx.printer.json(&request);
        return Ok(ExitStatus::Success);
    }
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let instance = erp::open(project, &ctx.settings.env, args.instance.as_deref())?;
    let rt = crate::rt::build()?;
    let printer = ctx.printer.clone();
    let on_text = move |text: &str| printer.err_raw(text);
    rt.block_on(async {
        check_org(&instance, org).await?;
        let record = json!({
            "skillId": session.skill, "skillVersion": session.skill_version, "triggeredBy": "cli",
            "status": "running", "input": input, "startedAt": now, "sessionId": session.id,
        });
        let created = instance
            .erp
            .create(org, AGENT_INVOCATIONS, as_record(record))
            .await
            .with_context(|| format!("failed to create the invocation of `{}` for org `{org}`", session.skill))?;
        session.invocation_id = created.get("id").and_then(Value::as_str).map(str::to_owned);
        project.ensure_state_gitignore()?;
        store.create(&session)?;
        let _lock = store.lock(&session.id)?;
        ctx.printer.status(
            "Running",
            format!("{} v{} for org `{org}` (session {})", session.skill, session.skill_version, session.id),
        );
        let runtime = runtime_for(
            ctx,
            project,
            &client,
            &instance,
            &store,
            &clock,
            approve_tier(args.approve, ctx.settings.yes),
            &session.model.clone(),
            &on_text,
        );
        let ending = runtime.drive(&mut session, None).await;
        conclude(ctx, format, &store, &clock, &instance, &mut session, ending).await
    })
}

fn resume(
    ctx: &Ctx,
    project: &Project,
    format: Format,
    clock: &Clock,
    store: &Store,
    id: &str,
    args: &RunArgs,
) -> anyhow::Result<ExitStatus> {
    if args.message.as_deref().is_some_and(|m| m.trim().is_empty()) {
        // The API refuses an empty text block (400), so it is never sent.
        return Err(UserError::usage("`--message` is empty")
            .with_hint(format!("say what the model should do next: agentb run --resume {id} --message \"…\""))
            .into());
    }
    store.check_exists(id)?;
    let _lock = store.lock(id)?;
    let mut session = store.load(id, clock.now())?;
    let client = ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?;
    let instance = erp::open(project, &ctx.settings.env, Some(&session.instance))?;
    let rt = crate::rt::build()?;
    let printer = ctx.printer.clone();
    let on_text = move |text: &str| printer.err_raw(text);
    rt.block_on(async {
        let runtime = runtime_for(
            ctx,
            project,
            &client,
            &instance,
            store,
            clock,
            approve_tier(args.approve, ctx.settings.yes),
            &session.model.clone(),
            &on_text,
        );
        if runtime.nothing_to_resume(&session, args.message.as_deref())? {
            return Err(UserError::usage(format!(
                "session `{}` finished its turn and nothing changed since",
                session.id
            ))
            .with_hint(format!(
                "pass `--message TEXT` to continue the conversation: agentb run --resume {} --message …",
                session.id
            ))
            .into());
        }
        if let Some(inv) = &session.invocation_id {
            let patch = as_record(json!({"status": "running", "finishedAt": null, "error": null}));
            if let Err(e) = instance.erp.update_invocation(&session.org, inv, patch).await {
                ctx.printer.warn(format!("cannot mark invocation `{inv}` running again: {e}"));
            }
        }
        ctx.printer.status("Resuming", format!("session {} ({} for org `{}`)", session.id, session.skill, session.org));
        let ending = runtime.resume(&mut session, args.message.as_deref(), args.reject).await;
        conclude(ctx, format, store, clock, &instance, &mut session, ending).await
    })
}

/// Returns whether the model's text streams to the terminal: stderr is one, and neither
/// `--quiet` nor `--format json` asks for the result alone.
fn streams(ctx: &Ctx) -> bool {
    ctx.settings.stderr_tty && !ctx.printer.quiet && ctx.settings.format != Some(Format::Json)
}

/// Returns the tier `--approve` confirms; `--yes` alone confirms T2 calls, never T3.
fn approve_tier(approve: Option<ApproveTier>, yes: bool) -> Option<Tier> {
    match approve {
        Some(ApproveTier::T2) => Some(Tier::T2),
        Some(ApproveTier::T3) => Some(Tier::T3),
        None if yes => Some(Tier::T2),
        None => None,
    }
}

/// Returns the clock: the system clock, or the test clock of `AGENTB_TEST_CLOCK`.
pub fn test_clock(ctx: &Ctx) -> anyhow::Result<Clock> {
    Ok(Clock::from_spec(ctx.settings.env.get(TEST_CLOCK_ENV)).map_err(UserError::usage)?)
}

/// Returns the project's session store.
pub fn sessions_store(project: &Project) -> Store {
    Store::new(project.state_dir().join("sessions"))
}

/// Returns the T2 window and the per-tool windows of the config (validated when it loaded).
pub fn windows(project: &Project) -> (Duration, BTreeMap<String, Duration>) {
    let p = &project.config.proposals;
    let default = crate::duration::parse(&p.t2_window).unwrap_or(Duration::from_hours(24));
    let per_tool = p.windows.iter().filter_map(|(k, v)| Some((k.clone(), crate::duration::parse(v).ok()?))).collect();
    (default, per_tool)
}

struct TerminalPrompter;

impl Prompter for TerminalPrompter {
    fn confirm(&self, p: &Proposal) -> bool {
        let input = serde_json::to_string_pretty(&p.input).unwrap_or_default();
        eprintln!("proposal {} wants to call `{}` ({}) with:\n{input}", p.id, p.tool, p.tier);
        if p.tier == Tier::T3 {
            dialoguer::Input::<String>::new()
                .with_prompt("type `yes` to execute it")
                .allow_empty(true)
                .interact_text()
                .is_ok_and(|answer| answer.trim() == "yes")
        } else {
            dialoguer::Confirm::new().with_prompt("execute it?").default(true).interact().unwrap_or(false)
        }
    }
}

static PROMPTER: TerminalPrompter = TerminalPrompter;

#[allow(clippy::too_many_arguments, reason = "the parts of one runtime")]
fn runtime_for<'a>(
    ctx: &'a Ctx,
    project: &Project,
    client: &'a ClaudeClient,
    instance: &'a Instance,
    store: &'a Store,
    clock: &'a Clock,
    approve: Option<Tier>,
    model: &str,
    on_text: &'a (dyn Fn(&str) + Send + Sync),
) -> Runtime<'a> {
    let (t2_window, windows) = windows(project);
    let pricing = crate::claude::pricing::price_of(&project.config.claude.pricing, model).copied();
    if pricing.is_none() {
        ctx.printer.warn(format!(
            "no price for model `{model}` in `[claude.pricing]`: cost is not measured, so `max_cost_usd` cannot stop this run"
        ));
    }
    let stream = streams(ctx);
    Runtime {
        model: client as &dyn Model,
        erp: instance.erp.as_ref(),
        store,
        clock,
        pre_hooks: Hooks::new(Event::PreToolUse, &project.config.hooks.pre_tool_use),
        post_hooks: Hooks::new(Event::PostToolUse, &project.config.hooks.post_tool_use),
        hook_dir: project.root.clone(),
        approve,
        prompter: if ctx.settings.interactive { Some(&PROMPTER) } else { None },
        pricing,
        t2_window,
        windows,
        stream,
        on_text,
    }
}

/// Reads `--input-file` and `--input key=value` into one object. A value is JSON when it parses
/// as JSON, else a string — and always the string as typed for an input whose schema type is
/// `string` (`--input request_details=123` is `"123"`).
fn read_input(ctx: &Ctx, args: &RunArgs, schema: &Value) -> anyhow::Result<Value> {
    let mut input = Map::new();
    if let Some(file) = &args.input_file {
        let path = ctx.settings.cwd.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| UserError::usage(format!("cannot read `--input-file {}`: {e}", file.display())))?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => input = map,
            Ok(_) => return Err(UserError::usage(format!("`{}` must hold one JSON object", file.display())).into()),
            Err(e) => return Err(UserError::usage(format!("`{}` is not valid JSON: {e}", file.display())).into()),
        }
    }
    for pair in &args.inputs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(UserError::usage(format!("`--input {pair}` is not `key=value`"))
                .with_hint("for example `--input request_details=\"Spring campaign\"`")
                .into());
        };
        let key = key.trim();
        let wants_string = schema["properties"][key]["type"] == "string";
        let value = match serde_json::from_str::<Value>(value) {
            Ok(Value::String(s)) => Value::String(s),
            Ok(_) if wants_string => Value::String(value.to_owned()),
            Ok(parsed) => parsed,
            Err(_) => Value::String(value.to_owned()),
        };
        input.insert(key.to_owned(), value);
    }
    Ok(Value::Object(input))
}

async fn check_org(instance: &Instance, org: &str) -> anyhow::Result<()> {
    let orgs = instance.org_ids().await?;
    if orgs.iter().any(|o| o == org) {
        return Ok(());
    }
    let err = UserError::usage(format!("org `{org}` is not an org of instance `{}`", instance.name));
    Err(match crate::text::did_you_mean(org, orgs.iter().map(String::as_str)) {
        Some(m) => err.with_hint(format!("did you mean `{m}`?")),
        None => err.with_hint(format!("its orgs are: {}", orgs.join(", "))),
    }
    .into())
}

fn as_record(value: Value) -> erp::Record {
    match value {
        Value::Object(map) => map,
        _ => erp::Record::new(),
    }
}

/// Records the outcome in the session and the invocation, prints it, and returns the exit
/// status (or the error of a failed call).
async fn conclude(
    ctx: &Ctx,
    format: Format,
    store: &Store,
    clock: &Clock,
    instance: &Instance,
    session: &mut Session,
    ending: anyhow::Result<Ending>,
) -> anyhow::Result<ExitStatus> {
    let now = clock.now();
    let (status, inv_status, error, exit) = match &ending {
        Ok(Ending::Completed) => (session::Status::Completed, "completed", None, ExitStatus::Success),
        Ok(Ending::AwaitingApproval(_)) => {
            (session::Status::AwaitingApproval, "pending", None, ExitStatus::AwaitingApproval)
        }
        Ok(Ending::Breaker(trip)) => (
            session::Status::Failed,
            "failed",
            Some(format!("stopped by the `{}` breaker: {}", trip.breaker.key(), trip.message)),
            ExitStatus::Breaker,
        ),
        Ok(Ending::InvalidOutput(problems)) => (
            session::Status::Failed,
            "failed",
            Some(format!("the output does not fit the output schema: {}", problems.join("; "))),
            ExitStatus::Failure,
        ),
        Ok(Ending::Refused(text)) => {
            (session::Status::Failed, "failed", Some(format!("the model refused: {text}")), ExitStatus::Failure)
        }
        Err(e) => (session::Status::Failed, "failed", Some(format!("{e:#}")), crate::cli::command_error::status_of(e)),
    };
    session.status = status;
    session.error.clone_from(&error);
    session.updated_at = now;
    store.save(session)?;
    let proposals = store.proposals(&session.id)?;
    let entries = store.audit(&session.id).read().unwrap_or_default();
    if let Some(inv) = &session.invocation_id {
        let mut patch = json!({
            "status": inv_status,
            "output": session.output,
            "error": error,
            "usage": {
                "input_tokens": session.usage.input_tokens,
                "output_tokens": session.usage.output_tokens,
                "cache_creation_input_tokens": session.usage.cache_creation_input_tokens,
                "cache_read_input_tokens": session.usage.cache_read_input_tokens,
                "turns": session.turns,
            },
            "costUsd": session.cost_usd,
            "audit": audit::summarize(&entries),
        });
        if inv_status != "pending" {
            patch["finishedAt"] = json!(now);
        }
        if let Err(e) = instance.erp.update_invocation(&session.org, inv, as_record(patch)).await {
            ctx.printer.warn(format!("cannot update invocation `{inv}`: {e}"));
        }
    }
    let pending: Vec<&Proposal> = proposals.iter().filter(|p| p.state == State::Pending).collect();
    if format == Format::Json {
        ctx.printer.json(&json!({
            "session": session.id,
            "invocation": session.invocation_id,
            "skill": session.skill,
            "org": session.org,
            "status": session.status.as_str(),
            "output": session.output,
            "error": error,
            "proposals": proposals.iter().map(proposal_summary).collect::<Vec<_>>(),
            "usage": session.usage,
            "cost_usd": session.cost_usd,
            "turns": session.turns,
        }));
    }
    match ending {
        Ok(Ending::Completed) => {
            if format == Format::Human {
                ctx.printer.json(&session.output);
            }
            ctx.printer.status(
                "Completed",
                format!(
                    "{} for org `{}` in {} turns (${:.4}, session {})",
                    session.skill, session.org, session.turns, session.cost_usd, session.id
                ),
            );
            Ok(exit)
        }
        Ok(Ending::AwaitingApproval(_)) => {
            if format == Format::Human {
                for p in &pending {
                    ctx.printer.line(&p.id);
                }
            }
            ctx.printer.err_line(format!("awaiting approval: {} proposal(s) of session {}", pending.len(), session.id));
            for p in &pending {
                ctx.printer.err_line(format!("  {}  {} ({})  PENDING", p.id, p.tool, p.tier));
            }
            ctx.printer.hint(format!(
                "approve with `agentb proposals approve ID`; resume with `agentb run --resume {} --message …` to soft-confirm T2 proposals",
                session.id
            ));
            Ok(exit)
        }
        Ok(_) => {
            if format == Format::Human {
                let red = ctx.printer.stderr_style().red().bold();
                ctx.printer.err_line(format!("{} {}", red.apply_to("error:"), error.as_deref().unwrap_or_default()));
                ctx.printer.hint(format!("`agentb sessions show {}` shows the audit log", session.id));
            }
            Ok(exit)
        }
        Err(e) => {
            if format == Format::Json {
                // The object above carries the error; say it on stderr too, and exit with the
                // call's status.
                ctx.printer.err_raw(crate::cli::command_error::render(&e, ctx.printer.color_stderr));
                return Ok(exit);
            }
            Err(e.context(format!("run of `{}` failed (session {})", session.skill, session.id)))
        }
    }
}

/// Returns the one-line JSON summary of a proposal.
pub fn proposal_summary(p: &Proposal) -> Value {
    json!({"id": p.id, "session": p.session_id, "tool": p.tool, "tier": p.tier, "state": p.state, "created_at": p.created_at, "expires_at": p.expires_at})
}
