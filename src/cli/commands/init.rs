//! `agentb init`: create a project (config, folders, `.agentbuilder/.gitignore`).

use crate::cli::InitArgs;
use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::config::CONFIG_FILE;

/// The config `agentb init` writes: the example with every key documented.
pub const EXAMPLE_CONFIG: &str = include_str!("../../../.agentbuilder.toml.example");

pub fn run(ctx: &Ctx, args: &InitArgs) -> anyhow::Result<ExitStatus> {
    use anyhow::Context as _;
    let dir = args.dir.as_ref().map_or_else(|| ctx.settings.cwd.clone(), |d| ctx.settings.cwd.join(d));
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(UserError::usage(format!("`{}` already exists", config.display()))
            .with_hint("edit it, or run `agentb init` in another directory")
            .into());
    }
    for sub in ["skills", "personas", ".agentbuilder"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("failed to create `{}`", dir.join(sub).display()))?;
    }
    std::fs::write(&config, EXAMPLE_CONFIG).with_context(|| format!("failed to write `{}`", config.display()))?;
    crate::workspace::write_state_gitignore(&dir.join(".agentbuilder"))?;
    ctx.printer.status("Created", format!("project in `{}`", dir.display()));
    ctx.printer.hint("add a skill with `agentb new skill ID`");
    Ok(ExitStatus::Success)
}
