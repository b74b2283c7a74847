//! `agentb init`: create a project (config, folders, `.agentbuilder/.gitignore`).

use serde::Serialize;

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{Format, InitArgs};
use crate::config::CONFIG_FILE;

/// The example config, with every key documented.
pub const EXAMPLE_CONFIG: &str = include_str!("../../../.agentbuilder.toml.example");

/// The first lines of the config `agentb init` writes.
const INIT_HEADER: &str = "# agentb project configuration, written by `agentb init`. Every key is optional; the\n\
     # values below are the defaults. Environment overrides: AGENTB_CLAUDE_MODEL, AGENTB_ERP_DEFAULT,\n\
     # ANTHROPIC_BASE_URL.\n";

/// Returns the config `agentb init` writes: the example, with its own header in place of the
/// example's first comment paragraph (which tells the reader to copy the file).
pub fn init_config() -> String {
    let body = EXAMPLE_CONFIG.split_once("\n\n").map_or(EXAMPLE_CONFIG, |(_, rest)| rest);
    format!("{INIT_HEADER}\n{body}")
}

/// What `agentb init` made (`--format json`).
#[derive(Debug, Serialize)]
struct Created {
    project: String,
    config: String,
    folders: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &InitArgs) -> anyhow::Result<ExitStatus> {
    use anyhow::Context as _;
    let format = ctx.format(&[Format::Human, Format::Json])?;
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
    std::fs::write(&config, init_config()).with_context(|| format!("failed to write `{}`", config.display()))?;
    crate::workspace::write_state_gitignore(&dir.join(".agentbuilder"))?;
    if format == Format::Json {
        ctx.printer.json(&Created {
            project: dir.display().to_string(),
            config: config.display().to_string(),
            folders: ["skills", "personas", ".agentbuilder"].map(|f| dir.join(f).display().to_string()).to_vec(),
        });
    }
    ctx.printer.status("Created", format!("project in `{}`", dir.display()));
    ctx.printer.hint("add a skill with `agentb new skill ID`");
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_init_writes_parses_and_does_not_say_to_copy_it() {
        let text = init_config();
        assert!(!text.to_lowercase().contains("copy"), "{text}");
        assert!(text.starts_with(INIT_HEADER));
        let parsed = crate::config::Config::parse(&text, std::path::Path::new(".agentbuilder.toml")).unwrap();
        assert_eq!(parsed, crate::config::Config::parse(EXAMPLE_CONFIG, std::path::Path::new("x")).unwrap());
    }
}
