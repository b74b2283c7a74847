//! `agentb rollback`: redeploy each org's previous version of a skill (or a named kept one)
//! from the release store ([`crate::deploy::ops::rollback`]).

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::release::{self, Bars};
use crate::cli::render;
use crate::cli::{Format, RollbackArgs};
use crate::deploy::error::DeployError;
use crate::deploy::ops::rollback::{self, Options};

pub fn run(ctx: &Ctx, args: &RollbackArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let mut session = release::open_session(ctx, args.instance.instance.as_deref(), true)?;
    let to = args
        .to
        .as_deref()
        .map(|v| semver::Version::parse(v).map_err(|e| UserError::usage(format!("`--to {v}` is not a version: {e}"))))
        .transpose()?;
    let options = Options {
        skill: args.skill.clone(),
        to,
        orgs: args.orgs.orgs.clone(),
        concurrency: release::concurrency(ctx, None)?,
    };
    let plan = match rollback::plan(&session, &options, &Bars::new(&ctx.printer, "Rolled back")) {
        Ok(plan) => plan,
        Err(e) => {
            if let DeployError::NothingToRollBack { notes, .. } = &e {
                render::plan::notes(ctx, notes);
            }
            return Err(e.into());
        }
    };
    release::carry_out(ctx, &mut session, plan, format, "Rolled back", options.concurrency, None)
}
