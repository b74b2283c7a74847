//! `agentb test`: runs the skills' test cases and reports them (human, JSON or JUnit).

use anyhow::Context as _;

use crate::claude::ClaudeClient;
use crate::cli::args::{Format, TestArgs, TestMode};
use crate::cli::command_error::{ExitStatus, status_from_problems};
use crate::cli::commands::Ctx;
use crate::cli::render;
use crate::runtime::RunConfig;
use crate::skill::project;
use crate::testing::runner::{self, Context, Mode};
use crate::testing::{self, TestError};

pub fn run(ctx: &Ctx, args: &TestArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json, Format::Junit])?;
    let project = ctx.project()?;
    let mode = match args.mode {
        TestMode::Replay => Mode::Replay,
        TestMode::Record => Mode::Record,
        TestMode::Live => Mode::Live,
    };
    // The key is checked before anything runs: a record without one changes nothing.
    let client = match mode {
        Mode::Replay => None,
        Mode::Record | Mode::Live => {
            let env = &project.config.claude.api_key_env;
            if ctx.settings.env.get(env).is_none() {
                let mode = if mode == Mode::Record { "record" } else { "live" };
                return Err(TestError::MissingKey { mode, env: env.clone() }.into());
            }
            Some(ClaudeClient::from_config(&project.config.claude, &ctx.settings.env)?)
        }
    };
    let ws = project::load(project)?;
    let plan = testing::plan(project, &ws, &args.skills, args.filter.as_deref())?;
    if plan.has_errors() {
        render::test::diagnostics(ctx, &plan);
        return Ok(ExitStatus::Usage);
    }
    for skill in &plan.without_tests {
        ctx.printer.warn(format!("skill `{skill}` has no test file (`skills/{skill}.test.yaml`)"));
    }
    let cases = plan.cases();
    let jobs = args.jobs.map_or_else(|| std::thread::available_parallelism().map_or(2, usize::from), usize::from);
    let bar = ctx.printer.progress(cases as u64, "Testing");
    let on_case = |skill: &str, case: &testing::report::CaseReport| {
        bar.inc(1);
        bar.set_message(format!("{skill} › {}", case.name));
    };
    let config = RunConfig::from_project(project);
    let default_instance = crate::erp::instance_config(project, None).ok();
    let orgs = default_instance.and_then(|(_, c)| c.orgs.as_deref());
    let run_ctx = Context {
        mode,
        root: &project.root,
        skills_dir: &project.skills_dir(),
        config: &config,
        model: project.config.claude.model.clone(),
        max_tokens: project.config.claude.max_tokens,
        personas: &ws.personas,
        orgs,
        api: client.as_ref().map(|c| c as &dyn crate::claude::Model),
        on_case: &on_case,
    };
    let started = std::time::Instant::now();
    let report = runner::run(&run_ctx, &plan.planned, jobs)?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let document = match format {
        Format::Json => Some(serde_json::to_string_pretty(&report)? + "\n"),
        Format::Junit => Some(report.junit()),
        _ => None,
    };
    match (document, &args.out) {
        (Some(doc), Some(out)) => {
            crate::fs::write_atomic(out, doc.as_bytes())
                .with_context(|| format!("failed to write `{}`", out.display()))?;
            render::test::summary(ctx, &report, secs, true);
        }
        (Some(doc), None) => ctx.printer.out(doc),
        (None, out) => {
            if let Some(out) = out {
                return Err(crate::cli::command_error::UserError::usage(format!(
                    "`--out {}` needs `--format json` or `--format junit`",
                    out.display()
                ))
                .into());
            }
            render::test::cases(ctx, &report);
            render::test::summary(ctx, &report, secs, false);
        }
    }
    Ok(status_from_problems(!report.passed()))
}
