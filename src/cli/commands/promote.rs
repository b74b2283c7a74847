//! `agentb promote`: after the failure-rate gate, send a skill's canary version to every
//! remaining org (pinned orgs stay where they are).

use std::sync::Arc;

use super::deploy::{Session, concurrency, execute_with, plural, print_plan};
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{Format, PromoteArgs};
use crate::deploy::gate::{self, percent};
use crate::deploy::plan::{self, CanaryMark, Change, Item, Plan, StateChange, Subject};
use crate::deploy::state::{Action, Deployment, Strategy};

/// Returns the orgs running a canary of `skill` on the session's instance, with their
/// deployments.
pub(super) fn canary_orgs(session: &Session, skill: &str) -> Vec<(String, Deployment)> {
    session
        .state
        .instances
        .get(&session.instance.name)
        .into_iter()
        .flatten()
        .filter_map(|(org, skills)| skills.get(skill).filter(|d| d.canary.is_some()).map(|d| (org.clone(), d.clone())))
        .collect()
}

/// Returns the error for a skill without a canary.
pub(super) fn no_canary(skill: &str, instance: &str) -> UserError {
    UserError::usage(format!("no canary of `{skill}` is in progress on instance `{instance}`"))
        .with_hint(format!("start one with `agentb deploy {skill} --canary 10%`"))
}

pub fn run(ctx: &Ctx, args: &PromoteArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let mut session = Session::open(ctx, args.instance.instance.as_deref(), true)?;
    let name = session.instance.name.clone();
    let canary = canary_orgs(&session, &args.skill);
    let Some((_, newest)) = canary.iter().max_by(|a, b| a.1.version.cmp(&b.1.version)) else {
        return Err(no_canary(&args.skill, &name).into());
    };
    let since = canary.iter().filter_map(|(_, d)| d.canary.as_ref().map(|c| c.started_at)).min().unwrap_or_default();
    let artifact = session.store.get(&args.skill, &newest.version, &newest.content_hash)?.ok_or_else(|| {
        UserError::usage(format!("the release store has no artifact for `{}` {}", args.skill, newest.version))
            .with_hint("restore `.agentbuilder/releases/` from git")
    })?;
    let artifact = Arc::new(artifact);
    let all = session.all_orgs()?;
    let canary_names: Vec<String> = canary.iter().map(|(o, _)| o.clone()).collect();
    let baseline_names: Vec<String> = all
        .iter()
        .filter(|o| !canary_names.contains(o) && session.state.deployment(&name, o, &args.skill).is_some())
        .cloned()
        .collect();
    let concurrency = concurrency(project, args.concurrency);

    let mut gate_json = serde_json::json!({"skipped": true});
    if args.force {
        ctx.printer.warn("the promotion gate is skipped (`--force`)");
    } else {
        let max = project.config.deploy.canary_max_failure_rate;
        let erp = Arc::clone(&session.instance.erp);
        let (canary_tally, baseline_tally) = session.rt.block_on(async {
            let c = gate::tally(&erp, &canary_names, &args.skill, since, concurrency).await?;
            let b = gate::tally(&erp, &baseline_names, &args.skill, since, concurrency).await?;
            Ok::<_, crate::erp::ErpError>((c, b))
        })?;
        let verdict = gate::decide(canary_tally, baseline_tally, max);
        let rate = |t: gate::Tally| t.rate().map_or_else(|| "n/a".to_owned(), percent);
        ctx.printer.err_line(format_args!(
            "Gate for `{}` {} since {since}:\n  canary   {}: {}, {} failed ({})\n  baseline {}: {}, {} failed ({})\n  maximum failure rate {} (and at most that much above the baseline)",
            args.skill,
            newest.version,
            plural(canary_names.len(), "org"),
            plural(usize::try_from(canary_tally.total()).unwrap_or(usize::MAX), "finished invocation"),
            canary_tally.failed,
            rate(canary_tally),
            plural(baseline_names.len(), "org"),
            plural(usize::try_from(baseline_tally.total()).unwrap_or(usize::MAX), "finished invocation"),
            baseline_tally.failed,
            rate(baseline_tally),
            percent(max),
        ));
        gate_json = serde_json::json!({
            "skipped": false,
            "since": since,
            "canary": {"orgs": canary_names, "completed": canary_tally.completed, "failed": canary_tally.failed, "failure_rate": canary_tally.rate()},
            "baseline": {"orgs": baseline_names, "completed": baseline_tally.completed, "failed": baseline_tally.failed, "failure_rate": baseline_tally.rate()},
            "max_failure_rate": max,
            "passed": verdict.passed,
            "reason": verdict.reason,
        });
        if !verdict.passed {
            if format == Format::Json {
                ctx.printer.json(&serde_json::json!({
                    "skill": args.skill,
                    "version": newest.version.to_string(),
                    "gate": gate_json,
                    "promoted": false,
                }));
            }
            let red = ctx.printer.stderr_style().red().bold();
            ctx.printer.err_line(format_args!(
                "{} the promotion gate failed: {}",
                red.apply_to("error:"),
                verdict.reason.unwrap_or_default()
            ));
            ctx.printer.hint(format!(
                "`agentb abort {}` returns the canary orgs to the baseline; `--force` promotes anyway",
                args.skill
            ));
            return Ok(ExitStatus::Failure);
        }
        match verdict.reason {
            Some(caveat) => ctx.printer.warn(format!("gate passed, but {caveat}")),
            None => ctx.printer.status("Passed", "the promotion gate"),
        }
    }

    let (live, unreadable) = session.read_live(ctx, &all, false, concurrency);
    let mut items = Vec::new();
    for org in &all {
        let Some(l) = live.get(org) else { continue };
        let d = session.state.deployment(&name, org, &args.skill);
        let subject = Subject::Skill(Arc::clone(&artifact));
        if let Some(d) = d.filter(|d| d.strategy == Strategy::Pinned) {
            let change = if d.content_hash == artifact.content_hash {
                Change::UnchangedPinned
            } else {
                Change::SkippedPinned { pinned: d.version.to_string() }
            };
            items.push(Item { org: org.clone(), subject, change, state: None });
            continue;
        }
        let change = plan::move_to(d, l.skills.get(&args.skill), &artifact);
        // The canary markers go only once every org runs the version (below): after a partial
        // failure the canary is still in progress, so running `promote` again finishes the job.
        let state =
            StateChange { action: Action::Promote, strategy: None, canary: CanaryMark::Keep, always_record: false };
        items.push(Item { org: org.clone(), subject, change, state: Some(state) });
    }
    let plan = Plan { items, unreadable };
    let title =
        format!("promote `{}` {} on instance `{name}`, {}", args.skill, artifact.version, plural(all.len(), "org"));
    let json = print_plan(ctx, format, &title, &plan, &std::collections::BTreeMap::new(), all.len());
    let mut extra = serde_json::Map::new();
    extra.insert("gate".to_owned(), gate_json);
    let status = execute_with(ctx, &mut session, plan, concurrency, "Promoted", json, extra)?;
    let complete = all.iter().all(|org| {
        session.state.deployment(&name, org, &args.skill).is_some_and(|d| {
            d.strategy == Strategy::Pinned || (d.content_hash == artifact.content_hash && d.version == artifact.version)
        })
    });
    if complete {
        let mut cleared = false;
        for org in &canary_names {
            if let Some(d) = session.state.deployment_mut(&name, org, &args.skill) {
                cleared |= d.canary.take().is_some();
            }
        }
        if cleared {
            session.state.save(&session.state_path)?;
        }
    }
    Ok(status)
}
