//! The one settings step: command-line flags, the environment and the config file resolve into
//! [`Settings`] and [`Project`] before a command runs. Nothing deeper reads environment
//! variables; they are captured here once, in [`Env`].

use std::collections::BTreeMap;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::{ColorChoice, Format, GlobalArgs};
use crate::config::{CONFIG_FILE, Config};
use crate::error::UserError;

/// A snapshot of the process environment. Its `Debug` shows names only, never values, so a
/// secret held in the environment cannot leak through a debug print.
#[derive(Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// Returns the environment of this process.
    pub fn capture() -> Self {
        Self {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// Returns an environment with exactly these variables (for tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self { vars: pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect() }
    }

    /// Returns the value of a variable, if set and non-empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Returns whether a variable is set to anything other than empty, `0` or `false`.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"))
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

/// Flags and environment resolved for every command.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The directory agentb runs in (after `-C`).
    pub cwd: PathBuf,
    /// `--config FILE`, resolved against `cwd`.
    pub config_file: Option<PathBuf>,
    /// `--format`, or the automatic choice (`github` under GitHub Actions for lint).
    pub format: Option<Format>,
    /// Whether agentb runs under GitHub Actions.
    pub github_actions: bool,
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub quiet: bool,
    pub verbose: u8,
    /// Whether agentb may prompt: stdin is a terminal, `--no-input` is off and `CI` is unset.
    pub interactive: bool,
    /// Whether stderr is a terminal (progress bars, streaming).
    pub stderr_tty: bool,
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
    pub yes: bool,
    pub env: Env,
}

impl Settings {
    /// Resolves global flags against the environment.
    pub fn resolve(global: &GlobalArgs, env: Env) -> anyhow::Result<Self> {
        let base = std::env::current_dir().context("failed to read the current directory")?;
        let cwd = match &global.directory {
            Some(dir) => {
                let dir = base.join(dir);
                if !dir.is_dir() {
                    return Err(UserError::usage(format!("`-C {}`: no such directory", dir.display())).into());
                }
                dir
            }
            None => base,
        };
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let no_color = env.get("NO_COLOR").is_some();
        let (color_stdout, color_stderr) = match global.color {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (stdout_tty && !no_color, stderr_tty && !no_color),
        };
        let interactive = std::io::stdin().is_terminal() && !global.no_input && !env.flag("CI");
        Ok(Self {
            config_file: global.config.as_ref().map(|c| cwd.join(c)),
            cwd,
            format: global.format,
            github_actions: env.get("GITHUB_ACTIONS") == Some("true"),
            color_stdout,
            color_stderr,
            quiet: global.quiet,
            verbose: global.verbose,
            interactive,
            stderr_tty,
            stdout_tty,
            yes: global.yes,
            env,
        })
    }

    /// Finds and loads the project: the config named by `--config`, else `.agentbuilder.toml`
    /// found by walking up from `cwd`, else the defaults rooted at `cwd`.
    pub fn load_project(&self) -> anyhow::Result<Project> {
        let (root, config_path) = match &self.config_file {
            Some(file) => {
                if !file.is_file() {
                    return Err(UserError::usage(format!("config file `{}` does not exist", file.display())).into());
                }
                let root = file.parent().map_or_else(|| self.cwd.clone(), Path::to_path_buf);
                (root, Some(file.clone()))
            }
            None => match discover(&self.cwd) {
                Some(found) => (found.parent().map(Path::to_path_buf).unwrap_or_default(), Some(found)),
                None => (discover_root_without_config(&self.cwd), None),
            },
        };
        let mut config = match &config_path {
            Some(path) => Config::load(path)?,
            None => Config::default(),
        };
        self.apply_env_overrides(&mut config)?;
        Ok(Project::new(root, config_path, config))
    }

    fn apply_env_overrides(&self, config: &mut Config) -> anyhow::Result<()> {
        if let Some(model) = self.env.get("AGENTB_CLAUDE_MODEL") {
            model.clone_into(&mut config.claude.model);
        }
        if let Some(url) = self.env.get("ANTHROPIC_BASE_URL") {
            url.clone_into(&mut config.claude.base_url);
        }
        if let Some(default) = self.env.get("AGENTB_ERP_DEFAULT") {
            if !config.erp.instances.contains_key(default) {
                return Err(
                    UserError::usage(format!("`AGENTB_ERP_DEFAULT` names the unknown instance `{default}`")).into()
                );
            }
            default.clone_into(&mut config.erp.default);
        }
        Ok(())
    }
}

/// Walks up from `start` to the first directory holding `.agentbuilder.toml`.
fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|dir| dir.join(CONFIG_FILE)).find(|p| p.is_file())
}

/// Without a config file, the project root is the nearest directory with an `.agentbuilder/`
/// folder (a project that was deployed from before); else, when `start` is the default
/// `skills/` or `personas/` folder of the directory above, that directory; else `start`.
fn discover_root_without_config(start: &Path) -> PathBuf {
    if let Some(dir) = start.ancestors().find(|dir| dir.join(".agentbuilder").is_dir()) {
        return dir.to_path_buf();
    }
    let is_default_folder = start.file_name().is_some_and(|name| name == "skills" || name == "personas");
    match start.parent() {
        Some(parent) if is_default_folder && !start.join("skills").is_dir() => parent.to_path_buf(),
        _ => start.to_path_buf(),
    }
}

/// What `.agentbuilder/.gitignore` holds: state and releases are committed, the rest is not.
pub const STATE_GITIGNORE: &str =
    "# Written by agentb: state.toml and releases/ are committed; these are not.\ncache/\nsessions/\nlocal/\nlock\n";

/// Creates `state_dir` and writes its `.gitignore` unless one exists (the user's is kept):
/// sessions hold conversations and ERP data, and caches and the lock are machine-local.
pub fn write_state_gitignore(state_dir: &Path) -> anyhow::Result<()> {
    let path = state_dir.join(".gitignore");
    if !path.exists() {
        std::fs::create_dir_all(state_dir)
            .and_then(|()| std::fs::write(&path, STATE_GITIGNORE))
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    Ok(())
}

/// A loaded project: its root, its config, and the paths derived from them.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config_path: Option<PathBuf>,
    pub config: Config,
}

impl Project {
    /// Returns a project rooted at `root`.
    pub fn new(root: PathBuf, config_path: Option<PathBuf>, config: Config) -> Self {
        Self { root, config_path, config }
    }

    /// Returns the skills folder.
    pub fn skills_dir(&self) -> PathBuf {
        self.root.join(&self.config.project.skills)
    }

    /// Returns the personas folder.
    pub fn personas_dir(&self) -> PathBuf {
        self.root.join(&self.config.project.personas)
    }

    /// Returns `.agentbuilder/`, where agentb keeps its state.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".agentbuilder")
    }

    /// Creates `.agentbuilder/` and its `.gitignore` when missing (see [`write_state_gitignore`]).
    pub fn ensure_state_gitignore(&self) -> anyhow::Result<()> {
        write_state_gitignore(&self.state_dir())
    }

    /// Returns the incremental compile cache folder.
    pub fn cache_dir(&self) -> PathBuf {
        self.state_dir().join("cache")
    }

    /// Returns the database of the embedded `local` ERP.
    pub fn local_erp_db(&self) -> PathBuf {
        self.state_dir().join("local").join("erp.sqlite")
    }

    /// Returns `path` relative to the project root when it is inside it, for display.
    pub fn display_path<'a>(&self, path: &'a Path) -> std::borrow::Cow<'a, Path> {
        match path.strip_prefix(&self.root) {
            Ok(rel) => std::borrow::Cow::Owned(rel.to_path_buf()),
            Err(_) => std::borrow::Cow::Borrowed(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_debug_never_shows_values() {
        let env = Env::from_pairs([("ANTHROPIC_API_KEY", "sk-ant-secret")]);
        let shown = format!("{env:?}");
        assert!(shown.contains("ANTHROPIC_API_KEY"));
        assert!(!shown.contains("secret"));
    }

    #[test]
    fn discovery_walks_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "").unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(discover(&nested), Some(dir.path().join(CONFIG_FILE)));
    }

    #[test]
    fn without_config_the_skills_folder_is_not_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let skills = dir.path().join("skills");
        let other = dir.path().join("notes");
        std::fs::create_dir_all(&skills).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        assert_eq!(discover_root_without_config(&skills), dir.path());
        assert_eq!(discover_root_without_config(&other), other);
        std::fs::create_dir_all(other.join(".agentbuilder")).unwrap();
        let deeper = other.join("x");
        std::fs::create_dir_all(&deeper).unwrap();
        assert_eq!(discover_root_without_config(&deeper), other);
    }
}
