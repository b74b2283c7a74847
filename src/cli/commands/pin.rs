//! `agentb pin SKILL@VERSION --org ORG` (deploy a kept version and keep the orgs there) and
//! `agentb unpin` (let them follow new versions again).

use std::sync::Arc;

use super::deploy::{Session, concurrency, execute, print_plan};
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{Format, PinArgs, UnpinArgs};
use crate::deploy::plan::{self, CanaryMark, Change, Item, Plan, StateChange, Subject};
use crate::deploy::state::{Action, Strategy};

pub fn run(ctx: &Ctx, args: &PinArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let (skill, version) = args.target.split_once('@').ok_or_else(|| {
        UserError::usage(format!("`{}` is not `SKILL@VERSION`", args.target))
            .with_hint("e.g. `agentb pin brief-creator@1.0.0 --org acme`")
    })?;
    let version = semver::Version::parse(version).map_err(|e| {
        UserError::usage(format!("`{version}` is not a version: {e}")).with_hint("write a full version such as `1.0.0`")
    })?;
    let mut session = Session::open(ctx, args.instance.instance.as_deref(), true)?;
    let name = session.instance.name.clone();
    let orgs = session.named_orgs(&args.orgs)?;
    let prefer = session.state.latest_hash(skill, &version).map(str::to_owned);
    let artifact = Arc::new(session.store.find_version(skill, &version, prefer.as_deref())?);
    let concurrency = concurrency(project, None);
    let (live, unreadable) = session.read_live(ctx, &orgs, false, concurrency);
    let mut items = Vec::new();
    for org in &orgs {
        let Some(l) = live.get(org) else { continue };
        let d = session.state.deployment(&name, org, skill);
        let change = plan::move_to(d, l.skills.get(skill), &artifact);
        let already =
            change == Change::Unchanged && d.is_some_and(|d| d.strategy == Strategy::Pinned && d.canary.is_none());
        let state = (!already).then_some(StateChange {
            action: Action::Pin,
            strategy: Some(Strategy::Pinned),
            canary: CanaryMark::Clear,
            always_record: true,
        });
        items.push(Item { org: org.clone(), subject: Subject::Skill(Arc::clone(&artifact)), change, state });
    }
    let plan = Plan { items, unreadable };
    let title =
        format!("pin `{skill}` at {version} on instance `{name}`, {}", super::deploy::plural(orgs.len(), "org"));
    let json = print_plan(ctx, format, &title, &plan, &std::collections::BTreeMap::new(), orgs.len());
    let status = execute(ctx, &mut session, plan, concurrency, "Pinned", json)?;
    if status == ExitStatus::Success {
        ctx.printer.note(format!("deploys skip these orgs until `agentb unpin {skill} --org …`"));
    }
    Ok(status)
}

pub fn unpin(ctx: &Ctx, args: &UnpinArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let mut session = Session::open(ctx, args.instance.instance.as_deref(), true)?;
    let name = session.instance.name.clone();
    let orgs = session.named_orgs(&args.orgs)?;
    let (mut changed, mut not_pinned, mut not_deployed) = (Vec::new(), Vec::new(), Vec::new());
    for org in &orgs {
        match session.state.deployment_mut(&name, org, &args.skill) {
            Some(d) if d.strategy == Strategy::Pinned => {
                d.strategy = Strategy::Latest;
                changed.push(org.clone());
            }
            Some(_) => {
                ctx.printer.note(format!("`{}` is not pinned on {org}", args.skill));
                not_pinned.push(org.clone());
            }
            None => {
                ctx.printer.note(format!("`{}` is not deployed to {org}", args.skill));
                not_deployed.push(org.clone());
            }
        }
    }
    if format == Format::Json {
        ctx.printer.json(&serde_json::json!({
            "skill": args.skill,
            "instance": name,
            "unpinned": changed,
            "not_pinned": not_pinned,
            "not_deployed": not_deployed,
        }));
    }
    if !changed.is_empty() {
        session.state.save(&session.state_path)?;
        ctx.printer.status(
            "Unpinned",
            format!("`{}` on {}; the next deploy moves them to the newest version", args.skill, changed.join(", ")),
        );
    }
    Ok(ExitStatus::Success)
}
