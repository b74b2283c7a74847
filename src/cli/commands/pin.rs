//! `agentb pin SKILL@VERSION --org ORG` (deploy a kept version and keep the orgs there) and
//! `agentb unpin` (let them follow new versions again): [`crate::deploy::ops::pin`].

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::release::{self, Bars};
use crate::cli::{Format, PinArgs, UnpinArgs};
use crate::deploy::ops::pin::{self, Options, UnpinOptions};

pub fn run(ctx: &Ctx, args: &PinArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let (skill, version) = args.target.split_once('@').ok_or_else(|| {
        UserError::usage(format!("`{}` is not `SKILL@VERSION`", args.target))
            .with_hint("e.g. `agentb pin brief-creator@1.0.0 --org acme`")
    })?;
    let version = semver::Version::parse(version).map_err(|e| {
        UserError::usage(format!("`{version}` is not a version: {e}")).with_hint("write a full version such as `1.0.0`")
    })?;
    let mut session = release::open_session(ctx, args.instance.instance.as_deref(), true)?;
    let options = Options {
        skill: skill.to_owned(),
        version,
        orgs: args.orgs.clone(),
        concurrency: release::concurrency(ctx, None)?,
    };
    let plan = pin::plan(&session, &options, &Bars::new(&ctx.printer, "Pinned"))?;
    let status = release::carry_out(ctx, &mut session, plan, format, "Pinned", options.concurrency, None)?;
    if status == ExitStatus::Success {
        ctx.printer.note(format!("deploys skip these orgs until `agentb unpin {skill} --org …`"));
    }
    Ok(status)
}

pub fn unpin(ctx: &Ctx, args: &UnpinArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let mut session = release::open_session(ctx, args.instance.instance.as_deref(), true)?;
    let options = UnpinOptions { skill: args.skill.clone(), orgs: args.orgs.clone() };
    let report = pin::unpin(&mut session, &options)?;
    // The orgs are sorted: the notes come in org order.
    let mut notes: Vec<(&String, &str)> = report.not_pinned.iter().map(|o| (o, "is not pinned on")).collect();
    notes.extend(report.not_deployed.iter().map(|o| (o, "is not deployed to")));
    notes.sort();
    for (org, what) in notes {
        ctx.printer.note(format!("`{}` {what} {org}", report.skill));
    }
    if format == Format::Json {
        ctx.printer.json(&report);
    }
    if !report.unpinned.is_empty() {
        ctx.printer.status(
            "Unpinned",
            format!(
                "`{}` on {}; the next deploy moves them to the newest version",
                report.skill,
                report.unpinned.join(", ")
            ),
        );
    }
    Ok(ExitStatus::Success)
}
