//! `agentb abort`: return a skill's canary orgs to the version they ran before the canary
//! (removing the skill where the canary created it).

use std::sync::Arc;

use super::deploy::{Session, concurrency, execute, print_plan};
use super::promote::{canary_orgs, no_canary};
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{AbortArgs, Format};
use crate::deploy::plan::{self, CanaryMark, Change, Item, Plan, StateChange, Subject};
use crate::deploy::state::Action;

pub fn run(ctx: &Ctx, args: &AbortArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let project = ctx.project()?;
    let mut session = Session::open(ctx, args.instance.instance.as_deref(), true)?;
    let name = session.instance.name.clone();
    let canary = canary_orgs(&session, &args.skill);
    if canary.is_empty() {
        return Err(no_canary(&args.skill, &name).into());
    }
    let orgs: Vec<String> = canary.iter().map(|(o, _)| o.clone()).collect();
    let concurrency = concurrency(project, None);
    let (live, unreadable) = session.read_live(ctx, &orgs, false, concurrency);
    let mut items = Vec::new();
    for (org, d) in &canary {
        let Some(l) = live.get(org) else { continue };
        let Some(c) = &d.canary else { continue };
        let state =
            StateChange { action: Action::Abort, strategy: None, canary: CanaryMark::Clear, always_record: false };
        let (artifact, change) = if let (Some(version), Some(hash)) = (&c.baseline_version, &c.baseline_hash) {
            let artifact = session.store.get(&args.skill, version, hash)?.ok_or_else(|| {
                UserError::usage(format!("the release store has no artifact for `{}` {version}", args.skill))
                    .with_hint("restore `.agentbuilder/releases/` from git")
            })?;
            let change = plan::move_to(Some(d), l.skills.get(&args.skill), &artifact);
            (artifact, change)
        } else {
            let artifact = session.store.get(&args.skill, &d.version, &d.content_hash)?.ok_or_else(|| {
                UserError::usage(format!("the release store has no artifact for `{}` {}", args.skill, d.version))
            })?;
            // The canary created the skill in this org: remove it (a no-op when it is gone).
            (artifact, Change::Remove)
        };
        items.push(Item { org: org.clone(), subject: Subject::Skill(Arc::new(artifact)), change, state: Some(state) });
    }
    let plan = Plan { items, unreadable };
    let title = format!(
        "abort the canary of `{}` on instance `{name}`, {}",
        args.skill,
        super::deploy::plural(orgs.len(), "org")
    );
    let json = print_plan(ctx, format, &title, &plan, &std::collections::BTreeMap::new(), orgs.len());
    execute(ctx, &mut session, plan, concurrency, "Aborted", json)
}
