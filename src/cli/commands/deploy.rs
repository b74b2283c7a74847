//! `agentb deploy`: plan, confirm, then roll compiled skills (and personas) out to the orgs of
//! an instance. Also holds what the other release commands (promote, abort, pin, rollback,
//! status, history, diff, version) share: opening a [`Session`], building artifacts, printing a
//! plan and carrying it out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{DeployArgs, Format, OrgSelection};
use crate::compile::{self, Artifact};
use crate::deploy::bucket::{self, Percent};
use crate::deploy::plan::{self, Change, DeployOptions, Item, Plan, Subject};
use crate::deploy::release_store::ReleaseStore;
use crate::deploy::rollout;
use crate::deploy::state::{Lock, State};
use crate::erp::{self, AgentPersona, Instance};
use crate::lint::{self, Level, Levels};
use crate::skill::parse::ParseContext;
use crate::skill::project::{self, Workspace};
use crate::workspace::Project;

pub fn run(ctx: &Ctx, args: &DeployArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let canary = args
        .canary
        .as_deref()
        .map(|c| Percent::parse(c).map_err(|e| UserError::usage(format!("`--canary`: {e}"))))
        .transpose()?;
    let project = ctx.project()?;
    let (ws, artifacts) = build_artifacts(ctx, project, &args.skills)?;
    let personas: Vec<AgentPersona> = if args.skills.is_empty() && canary.is_none() {
        ws.personas.iter().map(persona_record).collect()
    } else {
        Vec::new()
    };
    let mut session = Session::open(ctx, args.instance.instance.as_deref(), !args.plan)?;
    let orgs = session.select_orgs(&args.orgs)?;
    let concurrency = concurrency(project, args.concurrency);

    let (live, unreadable) = session.read_live(ctx, &orgs, !personas.is_empty(), concurrency);

    let artifacts: Vec<Arc<Artifact>> = artifacts.into_iter().map(Arc::new).collect();
    let mut canary_orgs = BTreeMap::new();
    if let Some(pct) = canary {
        for a in &artifacts {
            // The salt is chosen at the first deploy; a plan alone does not keep it.
            if args.plan && !session.state.skills.contains_key(&a.id) {
                ctx.printer.note(format!(
                    "`{}` was never deployed: its canary salt is chosen by the deploy itself, so the orgs it picks may differ from this plan",
                    a.id
                ));
            }
            let salt = session.state.salt(&a.id);
            let selected: Vec<String> =
                bucket::canary_orgs(&a.id, &salt, &orgs, pct).into_iter().map(str::to_owned).collect();
            canary_orgs.insert(a.id.clone(), selected);
        }
    } else {
        for a in &artifacts {
            session.state.salt(&a.id);
        }
    }
    let options =
        DeployOptions { canary: canary.map(|p| (p.to_string(), canary_orgs.clone())), now: jiff::Timestamp::now() };
    let items = plan::deploy(&session.state, &session.instance.name, &orgs, &live, &artifacts, &personas, &options);
    let plan = Plan { items, unreadable };

    let title = match canary {
        Some(pct) => {
            format!("deploy (canary {pct}) to instance `{}`, {}", session.instance.name, plural(orgs.len(), "org"))
        }
        None => format!("deploy to instance `{}`, {}", session.instance.name, plural(orgs.len(), "org")),
    };
    let json = print_plan(ctx, format, &title, &plan, &canary_orgs, orgs.len());
    if args.plan {
        if let Some(json) = &json {
            ctx.printer.json(json);
        }
        if !plan.unreadable.is_empty() {
            // Nothing was applied, so "failed changes" and "re-run to finish" would mislead.
            let red = ctx.printer.stderr_style().red().bold();
            ctx.printer.err_line(format_args!(
                "{} the plan is incomplete: the records of {} could not be read",
                red.apply_to("error:"),
                plural(plan.unreadable.len(), "org")
            ));
            ctx.printer.hint(format!(
                "nothing was changed; check the instance (`agentb erp ping --instance {}`) and plan again",
                session.instance.name
            ));
            return Ok(ExitStatus::Remote);
        }
        return Ok(crate::cli::command_error::status_from_problems(args.exit_code && plan.has_changes()));
    }
    execute(ctx, &mut session, plan, concurrency, "Deployed", json)
}

/// Returns the concurrency: the flag, else the config's `deploy.concurrency`.
pub(super) fn concurrency(project: &Project, flag: Option<u16>) -> usize {
    flag.map_or(project.config.deploy.concurrency, usize::from).max(1)
}

/// Returns the ERP record of a persona.
fn persona_record(p: &crate::skill::Persona) -> AgentPersona {
    AgentPersona {
        id: String::new(),
        organization_id: String::new(),
        slug: p.id.value.clone(),
        name: p.name.clone(),
        system_prompt: p.prompt.clone(),
        allowed_skills: p.allowed_skills.iter().map(|s| s.value.clone()).collect(),
        is_enabled: true,
        created_at: None,
        updated_at: None,
        extra: crate::erp::Record::new(),
    }
}

/// What a release command works with: the project, the instance, the state under the lock,
/// the release store and an async runtime.
pub(super) struct Session {
    pub instance: Instance,
    pub state: State,
    pub state_path: std::path::PathBuf,
    pub store: ReleaseStore,
    pub rt: tokio::runtime::Runtime,
    _lock: Option<Lock>,
}

impl Session {
    /// Opens the instance and loads the state; `lock` takes the project's lock first (every
    /// command that may write the state).
    pub fn open(ctx: &Ctx, instance: Option<&str>, lock: bool) -> anyhow::Result<Self> {
        let project = ctx.project()?;
        let lock = if lock {
            let command: Vec<String> = std::env::args().collect();
            let lock = Lock::acquire(&project.state_dir().join("lock"), &command.join(" "))?;
            // The state and releases are committed; the lock and the caches are not.
            project.ensure_state_gitignore()?;
            remove_stale_temp_files(&project.state_dir());
            Some(lock)
        } else {
            None
        };
        let instance = erp::open(project, &ctx.settings.env, instance)?;
        let state_path = project.state_dir().join("state.toml");
        let state = State::load(&state_path)?;
        let rt = crate::rt::build()?;
        Ok(Self {
            instance,
            state,
            state_path,
            store: ReleaseStore::new(project.state_dir().join("releases")),
            rt,
            _lock: lock,
        })
    }

    /// Returns every org of the instance (its config's `orgs`, else the orgs it lists).
    pub fn all_orgs(&self) -> anyhow::Result<Vec<String>> {
        let mut orgs = self
            .rt
            .block_on(self.instance.org_ids())
            .with_context(|| format!("failed to list the orgs of instance `{}`", self.instance.name))?;
        orgs.sort();
        orgs.dedup();
        Ok(orgs)
    }

    /// Returns the orgs a selection names (checked against the instance), or all of them.
    pub fn select_orgs(&self, selection: &OrgSelection) -> anyhow::Result<Vec<String>> {
        self.named_orgs(&selection.orgs)
    }

    /// Reads the live records of `orgs` (with their personas when `personas`), `concurrency`
    /// at a time behind a progress bar; returns them and the orgs that could not be read.
    pub fn read_live(
        &self,
        ctx: &Ctx,
        orgs: &[String],
        personas: bool,
        concurrency: usize,
    ) -> (BTreeMap<String, plan::Live>, Vec<(String, String)>) {
        let bar = ctx.printer.progress(orgs.len() as u64, "Reading");
        let read = self.rt.block_on(rollout::read_live(&self.instance.erp, orgs, personas, concurrency, &bar));
        bar.finish_and_clear();
        read
    }

    /// Returns `names` checked against the instance's orgs, or all orgs when empty.
    pub fn named_orgs(&self, names: &[String]) -> anyhow::Result<Vec<String>> {
        let all = self.all_orgs()?;
        if names.is_empty() {
            return Ok(all);
        }
        let mut chosen = Vec::new();
        for name in names {
            if !all.contains(name) {
                let err = UserError::usage(format!("instance `{}` has no org `{name}`", self.instance.name));
                return Err(match crate::text::did_you_mean(name, all.iter().map(String::as_str)) {
                    Some(m) => err.with_hint(format!("did you mean `{m}`?")),
                    None => err.with_hint(format!("its orgs: {}", abbreviate(&all, 8))),
                }
                .into());
            }
            if !chosen.contains(name) {
                chosen.push(name.clone());
            }
        }
        chosen.sort();
        Ok(chosen)
    }
}

/// Removes the temporary files an agentb killed in the middle of an atomic write left in
/// `.agentbuilder/` and `.agentbuilder/releases/*/` (only called under the lock, so no write is
/// in progress there).
fn remove_stale_temp_files(state_dir: &std::path::Path) {
    let mut dirs = vec![state_dir.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(state_dir.join("releases")) {
        dirs.extend(entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()));
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.filter_map(Result::ok) {
            if entry.file_name().to_string_lossy().starts_with(".tmp") && entry.path().is_file() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Builds the artifacts of `ids` (all skills when empty) from the working tree; lint errors
/// stop it (exit 1).
pub(super) fn build_artifacts(
    ctx: &Ctx,
    project: &Project,
    ids: &[String],
) -> anyhow::Result<(Workspace, Vec<Artifact>)> {
    let ws = project::load(project)?;
    let config = &project.config.lint;
    let levels = Levels::new(&config.allow, &config.deny, &config.warn)?;
    let mut diagnostics = ws.diagnostics.clone();
    levels.apply(&mut diagnostics);
    lint::sort(&mut diagnostics);
    if diagnostics.iter().any(|d| d.level == Level::Error) {
        super::lint::print_report(ctx, Format::Human, &diagnostics, &ws);
        return Err(UserError {
            status: ExitStatus::Failure,
            message: "the project has lint errors".to_owned(),
            hint: None,
        }
        .with_hint("fix the errors above; `agentb lint` shows them again")
        .into());
    }
    let selected: Vec<&crate::skill::Skill> = if ids.is_empty() {
        ws.skills.iter().collect()
    } else {
        ids.iter().map(|id| ws.skill(id).ok_or_else(|| unknown_skill(id, &ws))).collect::<Result<_, _>>()?
    };
    if selected.is_empty() {
        return Err(UserError::usage(format!(
            "no skills to deploy in `{}`",
            project.display_path(&project.skills_dir()).display()
        ))
        .with_hint("create one with `agentb new skill ID`")
        .into());
    }
    let artifacts = compile::artifacts(&ws, &ParseContext::new(&project.config), &selected);
    Ok((ws, artifacts))
}

/// Returns the error for a skill id the project does not have.
pub(super) fn unknown_skill(id: &str, ws: &Workspace) -> UserError {
    let err = UserError::usage(format!("no skill `{id}` in this project"));
    match crate::text::did_you_mean(id, ws.summaries.iter().map(|s| s.id.as_str())) {
        Some(m) => err.with_hint(format!("did you mean `{m}`?")),
        None => err.with_hint("list the skills with `agentb version`"),
    }
}

/// Returns up to `n` names joined, and how many more there are.
pub(super) fn abbreviate(names: &[String], n: usize) -> String {
    if names.len() <= n { names.join(", ") } else { format!("{} and {} more", names[..n].join(", "), names.len() - n) }
}

/// Returns how an item's change reads in a plan.
fn describe(item: &Item) -> String {
    let to = item.to_version();
    let persona = matches!(item.subject, Subject::Persona(_));
    let mut text = match &item.change {
        Change::Create if persona => "create".to_owned(),
        Change::Update { .. } if persona => "update".to_owned(),
        Change::Unchanged if persona => "unchanged".to_owned(),
        Change::Create => format!("create {to}"),
        Change::Update { from } if *from == to => format!("update {to} (content changed, same version)"),
        Change::Update { from } => format!("update {from} → {to}"),
        Change::Unchanged => format!("unchanged {to}"),
        Change::UnchangedPinned => format!("unchanged {to} (pinned)"),
        Change::Record => format!("record {to} (already in the ERP)"),
        Change::SkippedPinned { pinned } => format!("skip: pinned at {pinned}"),
        Change::SkippedCanary => "skip: outside the canary".to_owned(),
        Change::Remove => "remove (the canary created it)".to_owned(),
    };
    if item.state_only_change() {
        text.push_str(" (state only)");
    }
    text
}

/// One line of a printed plan: the change and the orgs it applies to.
type PlanLine = (String, Vec<String>);

/// Prints a plan: per skill or persona, each kind of change with the orgs it applies to. With
/// `--format json` nothing is printed: the plan is returned as JSON, for [`execute`] (or the
/// caller) to print as one document.
pub(super) fn print_plan(
    ctx: &Ctx,
    format: Format,
    title: &str,
    plan: &Plan,
    canary_orgs: &BTreeMap<String, Vec<String>>,
    org_count: usize,
) -> Option<serde_json::Value> {
    if format == Format::Json {
        let items: Vec<serde_json::Value> = plan
            .items
            .iter()
            .map(|i| {
                let mut v = serde_json::to_value(&i.change).unwrap_or_default();
                v["org"] = i.org.clone().into();
                v["kind"] = i.kind().into();
                v["name"] = i.name().into();
                v["to"] = i.to_version().into();
                v["writes"] = i.change.writes().into();
                v
            })
            .collect();
        return Some(serde_json::json!({
            "title": title,
            "items": items,
            "counts": plan.counts(),
            "canary": canary_orgs,
            "unreadable": plan.unreadable.iter().map(|(o, r)| serde_json::json!({"org": o, "error": r})).collect::<Vec<_>>(),
            "changes": plan.has_changes(),
        }));
    }
    let bold = ctx.printer.stdout_style().bold();
    let mut out = format!("{}\n", bold.apply_to(format!("Plan: {title}")));
    // (kind, name) → description → orgs, in first-seen order.
    let mut groups: Vec<((&str, &str), Vec<PlanLine>)> = Vec::new();
    for item in &plan.items {
        let key = (item.kind(), item.name());
        let pos = groups.iter().position(|(k, _)| *k == key).unwrap_or_else(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        let text = describe(item);
        let lines = &mut groups[pos].1;
        match lines.iter_mut().find(|(t, _)| *t == text) {
            Some((_, orgs)) => orgs.push(item.org.clone()),
            None => lines.push((text, vec![item.org.clone()])),
        }
    }
    for ((kind, name), lines) in &groups {
        let label = if *kind == "persona" { format!("persona {name}") } else { (*name).to_owned() };
        let _ = writeln!(out, "  {}", bold.apply_to(label));
        let writes = plan.items.iter().any(|i| i.name() == *name && i.kind() == *kind && i.change.writes());
        if let Some(selected) = canary_orgs.get(*name).filter(|_| writes) {
            let _ = writeln!(out, "    canary: {} of {org_count} orgs ({})", selected.len(), abbreviate(selected, 10));
        }
        let width = lines.iter().map(|(t, _)| t.chars().count()).max().unwrap_or(0);
        for (text, orgs) in lines {
            let style = ctx.printer.stdout_style();
            let style = if text.starts_with("create") {
                style.green()
            } else if text.starts_with("update") || text.starts_with("remove") {
                style.yellow()
            } else {
                style.dim()
            };
            let pad = width - text.chars().count();
            let _ = writeln!(out, "    {}{}  {}", style.apply_to(text), " ".repeat(pad), abbreviate(orgs, 10));
        }
    }
    for (org, reason) in &plan.unreadable {
        let _ = writeln!(out, "  {org}: cannot read its records: {reason}");
    }
    let _ = writeln!(out, "{}", plan.counts());
    ctx.printer.out(out);
    None
}

/// Asks to go ahead: `--yes` does, a terminal asks, and without a terminal agentb refuses.
pub(super) fn confirm(ctx: &Ctx, question: &str) -> anyhow::Result<bool> {
    if ctx.settings.yes {
        return Ok(true);
    }
    if !ctx.settings.interactive {
        return Err(UserError::usage("refusing to change the ERP without confirmation: stdin is not a terminal")
            .with_hint("pass `--yes` to go ahead, or `--plan` to only show the plan")
            .into());
    }
    Ok(dialoguer::Confirm::new().with_prompt(question).default(false).interact()?)
}

/// Confirms (when there is anything to change), keeps the artifacts in the release store,
/// carries out the plan, and prints the summary. Exit 3 when anything failed.
pub(super) fn execute(
    ctx: &Ctx,
    session: &mut Session,
    plan: Plan,
    concurrency: usize,
    verb: &str,
    json: Option<serde_json::Value>,
) -> anyhow::Result<ExitStatus> {
    execute_with(ctx, session, plan, concurrency, verb, json, serde_json::Map::new())
}

/// Like [`execute`]; with `--format json` the document also holds the fields of `extra` (e.g.
/// the promotion gate's numbers) next to `plan` and `result`.
pub(super) fn execute_with(
    ctx: &Ctx,
    session: &mut Session,
    plan: Plan,
    concurrency: usize,
    verb: &str,
    json: Option<serde_json::Value>,
    extra: serde_json::Map<String, serde_json::Value>,
) -> anyhow::Result<ExitStatus> {
    let status = execute_inner(ctx, session, plan, concurrency, verb)?;
    if let Some(plan) = json {
        let (status_name, outcome) = status;
        let mut doc = serde_json::Map::new();
        doc.insert("plan".to_owned(), plan);
        doc.insert("result".to_owned(), outcome);
        doc.extend(extra);
        ctx.printer.json(&serde_json::Value::Object(doc));
        return Ok(status_name);
    }
    Ok(status.0)
}

/// Carries out a plan; returns the exit status and the outcome as JSON.
fn execute_inner(
    ctx: &Ctx,
    session: &mut Session,
    plan: Plan,
    concurrency: usize,
    verb: &str,
) -> anyhow::Result<(ExitStatus, serde_json::Value)> {
    let writes = plan.items.iter().filter(|i| i.change.writes()).count();
    if writes > 0 && !confirm(ctx, &format!("apply {writes} changes to instance `{}`?", session.instance.name))? {
        ctx.printer.status("Cancelled", "nothing was changed");
        return Ok((ExitStatus::Success, serde_json::json!({"cancelled": true})));
    }
    let mut kept = std::collections::HashSet::new();
    for item in plan.items.iter().filter(|i| i.changes_anything()) {
        if let Subject::Skill(a) = &item.subject
            && kept.insert(a.content_hash.clone())
        {
            session.store.put(a)?;
        }
    }
    let started = Instant::now();
    let bar = ctx.printer.progress(writes as u64, verb);
    let instance = session.instance.name.clone();
    let erp = Arc::clone(&session.instance.erp);
    let outcome = session.rt.block_on(rollout::apply(
        &erp,
        plan,
        &instance,
        &mut session.state,
        &session.state_path,
        concurrency,
        &bar,
    ))?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let result = serde_json::json!({
        "written": outcome.written,
        "recorded": outcome.recorded,
        "unchanged": outcome.unchanged,
        "seconds": secs,
        "failures": outcome.failures.iter().map(|(org, name, error)| serde_json::json!({"org": org, "name": name, "error": error})).collect::<Vec<_>>(),
    });
    if writes == 0 && outcome.failures.is_empty() {
        let mut summary = format!("instance `{instance}`: {} unchanged", outcome.unchanged);
        if outcome.recorded > 0 {
            let _ = write!(summary, ", {} recorded in the state", outcome.recorded);
        }
        ctx.printer.status("Up to date", summary);
        return Ok((ExitStatus::Success, result));
    }
    let mut summary = format!(
        "{} to {} of `{instance}` in {secs:.2}s",
        plural(outcome.written, "change"),
        plural(outcome.written_orgs, "org")
    );
    if outcome.recorded > 0 {
        let _ = write!(summary, ", {} recorded in the state only", outcome.recorded);
    }
    if outcome.unchanged > 0 {
        let _ = write!(summary, ", {} unchanged", outcome.unchanged);
    }
    ctx.printer.status(verb, summary);
    if outcome.failures.is_empty() {
        return Ok((ExitStatus::Success, result));
    }
    print_failures(ctx, &outcome.failures);
    Ok((ExitStatus::Remote, result))
}

/// Returns `1 org`, `2 orgs`.
pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// Prints failed items and the hint to re-run.
pub(super) fn print_failures(ctx: &Ctx, failures: &[(String, String, String)]) {
    let red = ctx.printer.stderr_style().red().bold();
    let orgs: std::collections::BTreeSet<&str> = failures.iter().map(|f| f.0.as_str()).collect();
    ctx.printer.err_line(format_args!(
        "{} {} failed in {}:",
        red.apply_to("error:"),
        plural(failures.len(), "change"),
        plural(orgs.len(), "org")
    ));
    for (org, name, reason) in failures {
        ctx.printer.err_line(format_args!("  {org} / {name}: {reason}"));
    }
    ctx.printer.hint("the state records only what succeeded; run the same command again to finish the job");
}
