//! The project on disk: where it is (config discovery, like cargo's), its config, and the paths
//! agentb derives from them.

pub mod build;
pub mod cache;
pub mod load;
pub mod scope;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::{CONFIG_FILE, Config};
use crate::env::Env;

/// What can go wrong finding a project.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// `--config` names no file.
    #[error("config file `{}` does not exist", .path.display())]
    ConfigFileMissing { path: PathBuf },
    /// `AGENTB_ERP_DEFAULT` names an instance the config does not define.
    #[error("`AGENTB_ERP_DEFAULT` names the unknown instance `{name}`")]
    UnknownDefaultErp { name: String },
    /// A path given on the command line does not exist.
    #[error("`{}` does not exist", .path.display())]
    NoSuchPath { path: PathBuf },
    /// A path given on the command line names no file or folder lint checks.
    #[error("`{}` is not a skill, persona or test file of this project", .path.display())]
    NotAProjectFile { path: PathBuf, skills: PathBuf, personas: PathBuf },
}

impl WorkspaceError {
    /// Returns the obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            WorkspaceError::ConfigFileMissing { .. }
            | WorkspaceError::UnknownDefaultErp { .. }
            | WorkspaceError::NoSuchPath { .. } => None,
            WorkspaceError::NotAProjectFile { skills, personas, .. } => Some(format!(
                "lint checks `*.md` and `*.test.yaml` in `{}` and `*.md` in `{}`",
                skills.display(),
                personas.display()
            )),
        }
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
    /// Finds and loads the project: the config named by `config_file` (`--config`), else
    /// `.agentbuilder.toml` found by walking up from `cwd`, else the defaults rooted at `cwd`;
    /// then applies the environment's overrides.
    pub fn discover(cwd: &Path, config_file: Option<&Path>, env: &Env) -> anyhow::Result<Project> {
        let (root, config_path) = match &config_file {
            Some(file) => {
                if !file.is_file() {
                    return Err(WorkspaceError::ConfigFileMissing { path: file.to_path_buf() }.into());
                }
                let root = file.parent().map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
                (root, Some(file.to_path_buf()))
            }
            None => match discover(cwd) {
                Some(found) => (found.parent().map(Path::to_path_buf).unwrap_or_default(), Some(found)),
                None => (discover_root_without_config(cwd), None),
            },
        };
        let mut config = match &config_path {
            Some(path) => Config::load(path)?,
            None => Config::default(),
        };
        apply_env_overrides(env, &mut config)?;
        Ok(Project::new(root, config_path, config))
    }

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

/// Applies the `AGENTB_*` and `ANTHROPIC_*` overrides of the environment to a loaded config.
fn apply_env_overrides(env: &Env, config: &mut Config) -> anyhow::Result<()> {
    if let Some(model) = env.get("AGENTB_CLAUDE_MODEL") {
        model.clone_into(&mut config.claude.model);
    }
    if let Some(url) = env.get("ANTHROPIC_BASE_URL") {
        url.clone_into(&mut config.claude.base_url);
    }
    if let Some(default) = env.get("AGENTB_ERP_DEFAULT") {
        if !config.erp.instances.contains_key(default) {
            return Err(WorkspaceError::UnknownDefaultErp { name: default.to_owned() }.into());
        }
        default.clone_into(&mut config.erp.default);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
