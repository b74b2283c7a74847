//! `agentb deploy`: plan, confirm, then roll compiled skills (and personas) out to the orgs of
//! an instance ([`crate::deploy::ops::deploy`]).

use std::sync::Arc;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::release::{self, Bars};
use crate::cli::render;
use crate::cli::{DeployArgs, Format};
use crate::deploy::artifacts;
use crate::deploy::bucket::Percent;
use crate::deploy::error::DeployError;
use crate::deploy::ops::deploy::{self, Options};
use crate::workspace::Project;
use crate::workspace::load::{self as project, Workspace};

pub fn run(ctx: &Ctx, args: &DeployArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let canary = args
        .canary
        .as_deref()
        .map(|c| Percent::parse(c).map_err(|e| UserError::usage(format!("`--canary`: {e}"))))
        .transpose()?;
    let project = ctx.project()?;
    let (ws, artifacts) = build_artifacts(ctx, project, &args.skills)?;
    let personas = if args.skills.is_empty() && canary.is_none() {
        ws.personas.iter().map(artifacts::persona_record).collect()
    } else {
        Vec::new()
    };
    let mut session = release::open_session(ctx, args.instance.instance.as_deref(), !args.plan)?;
    let options = Options {
        artifacts: artifacts.into_iter().map(Arc::new).collect(),
        personas,
        orgs: args.orgs.orgs.clone(),
        canary,
        plan_only: args.plan,
        concurrency: release::concurrency(ctx, args.concurrency)?,
    };
    let plan = deploy::plan(&mut session, &options, &Bars::new(&ctx.printer, "Deployed"))?;
    if !args.plan {
        return release::carry_out(ctx, &mut session, plan, format, "Deployed", options.concurrency, None);
    }
    render::plan::notes(ctx, &plan.notes);
    match format {
        Format::Json => ctx.printer.json(&plan.report()),
        _ => render::plan::print(ctx, &plan),
    }
    if !plan.unreadable.is_empty() {
        render::plan::incomplete(ctx, session.name(), &session.instance.config.url, plan.unreadable.len());
        return Ok(ExitStatus::Remote);
    }
    Ok(crate::cli::command_error::status_from_problems(args.exit_code && plan.has_changes()))
}

/// Loads the workspace and builds the artifacts of `ids` (all skills when empty); lint errors
/// are shown and stop it (exit 1).
fn build_artifacts(
    ctx: &Ctx,
    project: &Project,
    ids: &[String],
) -> anyhow::Result<(Workspace, Vec<crate::compile::Artifact>)> {
    let ws = project::load(project)?;
    match artifacts::build(project, &ws, ids) {
        Ok(artifacts) => Ok((ws, artifacts)),
        Err(e @ DeployError::LintErrors { .. }) => {
            if let DeployError::LintErrors { diagnostics } = &e {
                super::lint::print_report(ctx, Format::Human, diagnostics, &ws);
            }
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}
