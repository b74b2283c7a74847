//! `agentb rollback`: redeploy each org's previous version of a skill (or a named kept one)
//! from the release store, as a new history entry — it works after the source changed or was
//! deleted.

use std::sync::Arc;

use super::deploy::{Session, concurrency, execute, print_plan};
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{Format, RollbackArgs};
use crate::deploy::plan::{self, CanaryMark, Change, Item, Plan, StateChange, Subject};
use crate::deploy::state::{Action, Deployment, Strategy};

/// Returns the release before the current one: the newest history entry whose content differs.
fn previous(d: &Deployment) -> Option<(&semver::Version, &str)> {
    d.history.iter().rev().find(|r| r.hash != d.content_hash).map(|r| (&r.version, r.hash.as_str()))
}

pub fn run(ctx: &Ctx, args: &RollbackArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let mut session = Session::open(ctx, args.instance.instance.as_deref(), true)?;
    let name = session.instance.name.clone();
    let skill = args.skill.as_str();
    let orgs: Vec<String> = if args.orgs.orgs.is_empty() {
        session
            .state
            .instances
            .get(&name)
            .into_iter()
            .flatten()
            .filter(|(_, skills)| skills.contains_key(skill))
            .map(|(org, _)| org.clone())
            .collect()
    } else {
        session.named_orgs(&args.orgs.orgs)?
    };
    if orgs.is_empty() {
        return Err(UserError::usage(format!("`{skill}` is not deployed to instance `{name}`"))
            .with_hint("`agentb status` shows what is deployed where")
            .into());
    }
    let to = args
        .to
        .as_deref()
        .map(|v| {
            let v =
                semver::Version::parse(v).map_err(|e| UserError::usage(format!("`--to {v}` is not a version: {e}")))?;
            session.store.find_version(skill, &v, session.state.latest_hash(skill, &v)).map(Arc::new)
        })
        .transpose()?;
    let concurrency = concurrency(project, None);
    let (live, unreadable) = session.read_live(ctx, &orgs, false, concurrency);
    let mut items = Vec::new();
    let mut nothing = Vec::new();
    for org in &orgs {
        let Some(l) = live.get(org) else { continue };
        let Some(d) = session.state.deployment(&name, org, skill) else {
            ctx.printer.note(format!("`{skill}` is not deployed to {org}; skipped"));
            continue;
        };
        let target = match (&to, previous(d)) {
            (Some(to), _) => Arc::clone(to),
            (None, Some((version, hash))) => Arc::new(session.store.get(skill, version, hash)?.ok_or_else(|| {
                UserError::usage(format!("the release store has no artifact for `{skill}` {version}"))
                    .with_hint("restore `.agentbuilder/releases/` from git")
            })?),
            (None, None) => {
                nothing.push(org.clone());
                continue;
            }
        };
        if d.strategy == Strategy::Pinned {
            let change = Change::SkippedPinned { pinned: d.version.to_string() };
            items.push(Item { org: org.clone(), subject: Subject::Skill(target), change, state: None });
            continue;
        }
        let change = plan::move_to(Some(d), l.skills.get(skill), &target);
        let canary = if d.canary.is_some() { CanaryMark::Clear } else { CanaryMark::Keep };
        let state = StateChange { action: Action::Rollback, strategy: None, canary, always_record: false };
        items.push(Item { org: org.clone(), subject: Subject::Skill(target), change, state: Some(state) });
    }
    if !nothing.is_empty() {
        ctx.printer.note(format!(
            "nothing to roll back to on {}: only one version was ever deployed there",
            super::deploy::abbreviate(&nothing, 8)
        ));
    }
    if items.is_empty() && unreadable.is_empty() {
        return Err(UserError::usage(format!("`{skill}` has no earlier version to roll back to"))
            .with_hint("name a kept version with `--to VERSION` (`agentb history` lists them)")
            .into());
    }
    let plan = Plan { items, unreadable };
    let title = format!("roll back `{skill}` on instance `{name}`, {}", super::deploy::plural(orgs.len(), "org"));
    let json = print_plan(ctx, format, &title, &plan, &std::collections::BTreeMap::new(), orgs.len());
    execute(ctx, &mut session, plan, concurrency, "Rolled back", json)
}
