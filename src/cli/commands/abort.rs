//! `agentb abort`: return a skill's canary orgs to the version they ran before the canary
//! ([`crate::deploy::ops::abort`]).

use crate::cli::command_error::ExitStatus;
use crate::cli::commands::Ctx;
use crate::cli::release::{self, Bars};
use crate::cli::{AbortArgs, Format};
use crate::deploy::ops::abort::{self, Options};

pub fn run(ctx: &Ctx, args: &AbortArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let mut session = release::open_session(ctx, args.instance.instance.as_deref(), true)?;
    let options = Options { skill: args.skill.clone(), concurrency: release::concurrency(ctx, None)? };
    let plan = abort::plan(&session, &options, &Bars::new(&ctx.printer, "Aborted"))?;
    release::carry_out(ctx, &mut session, plan, format, "Aborted", options.concurrency, None)
}
