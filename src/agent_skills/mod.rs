//! Anthropic's Agent Skills format (agentskills.io): `agentb import` turns `SKILL.md` folders into
//! agentb skills, `agentb export` writes agentb skills as folders the official validator
//! (`skills-ref`) accepts. SPEC §11 settles the mapping; [`import`] and [`export`] are its two
//! directions, [`markdown`] the heading and link edits, [`yaml_out`] the YAML both readers agree on.
//!
//! What the Agent Skills format cannot hold natively travels in `metadata` as strings:
//! `agentb-version`, `agentb-status`, `agentb-category`, `agentb-interface` (compact JSON of the
//! interface), and `agentb-body: agentb` for a skill whose body is agentb's own (not an imported
//! one, whose generated Purpose and Process are dropped on export and rebuilt on import).

pub mod export;
pub mod import;
pub mod markdown;
pub mod yaml_out;

use std::path::{Path, PathBuf};

pub use export::{ExportOptions, ExportReport, export};
pub use import::{ImportOptions, ImportReport, import};

/// The name of a skill's file in an Agent Skills folder.
pub const SKILL_MD: &str = "SKILL.md";
/// The most characters an Agent Skills `description` may have.
pub const MAX_DESCRIPTION: usize = 1024;
/// The most characters an Agent Skills `compatibility` may have.
pub const MAX_COMPATIBILITY: usize = 500;
/// The one step of an imported skill's generated `## Process`.
pub const GENERATED_STEP: &str = "1. Follow the instructions below.";

/// The metadata keys agentb writes on export and reads back on import.
pub const KEY_VERSION: &str = "agentb-version";
pub const KEY_STATUS: &str = "agentb-status";
pub const KEY_CATEGORY: &str = "agentb-category";
pub const KEY_INTERFACE: &str = "agentb-interface";
pub const KEY_BODY: &str = "agentb-body";
/// Every metadata key of agentb's own, in the order export writes them.
pub const AGENTB_KEYS: [&str; 5] = [KEY_VERSION, KEY_STATUS, KEY_CATEGORY, KEY_INTERFACE, KEY_BODY];
/// The frontmatter keys `agentb-interface` carries, in the order both directions write them.
pub const INTERFACE_KEYS: [&str; 7] =
    ["name", "triggers", "inputs", "outputs", "dependencies", "permissions", "limits"];

/// What stops an import or export before any skill is looked at.
#[derive(Debug, thiserror::Error)]
pub enum AgentSkillsError {
    #[error("`{}` does not exist", .path.display())]
    NoSuchPath { path: PathBuf },
    #[error("`{}` is not a `SKILL.md` file", .path.display())]
    NotASkillFile { path: PathBuf },
    #[error("no `SKILL.md` under `{}`", .path.display())]
    NoSkills { path: PathBuf },
    #[error("no skill `{id}` in this project")]
    UnknownSkill { id: String, suggestion: Option<String> },
    #[error("`{}` already exists", .path.display())]
    Exists { path: PathBuf },
    #[error("`{}` exists and is not an exported skill folder (it has no `SKILL.md`)", .path.display())]
    NotAnExport { path: PathBuf },
}

impl AgentSkillsError {
    /// Returns the obvious next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            AgentSkillsError::NoSuchPath { .. } => None,
            AgentSkillsError::NotASkillFile { .. } | AgentSkillsError::NoSkills { .. } => {
                Some("name a `SKILL.md`, a folder that holds one, or a tree of such folders".to_owned())
            }
            AgentSkillsError::UnknownSkill { suggestion: Some(m), .. } => Some(format!("did you mean `{m}`?")),
            AgentSkillsError::UnknownSkill { suggestion: None, .. } => {
                Some("list the skills with `agentb version`".to_owned())
            }
            AgentSkillsError::Exists { .. } => Some("pass `--force` to replace it".to_owned()),
            AgentSkillsError::NotAnExport { .. } => Some("choose another `--out` folder, or remove it".to_owned()),
        }
    }
}

/// Returns the files under `dir` (relative paths, sorted), not following symbolic links, leaving
/// out `.git` folders and the paths `skip` says to; also returns what was left out and why.
fn files_under(dir: &Path, skip: &dyn Fn(&Path) -> bool) -> std::io::Result<(Vec<PathBuf>, Vec<String>)> {
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(&rel))?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = rel.join(entry.file_name());
            if skip(&path) {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if entry.file_name() != ".git" {
                    stack.push(path);
                }
            } else if kind.is_file() {
                files.push(path);
            } else if kind.is_symlink() {
                left_out.push(format!("`{}` is a symbolic link; it was not copied", path.display()));
            } else {
                left_out.push(format!("`{}` is not a regular file; it was not copied", path.display()));
            }
        }
    }
    files.sort();
    Ok((files, left_out))
}

/// Copies `files` (relative to `from`) byte for byte into a new folder that replaces `to`:
/// everything is copied into a temporary folder next to `to` first, so a failure leaves `to`
/// as it was.
fn copy_folder(from: &Path, files: &[PathBuf], to: &Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let parent = to.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("failed to create `{}`", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".agentb-")
        .tempdir_in(parent)
        .with_context(|| format!("failed to create a temporary folder in `{}`", parent.display()))?;
    for rel in files {
        let dest = staging.path().join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
        }
        std::fs::copy(from.join(rel), &dest).with_context(|| {
            format!("failed to copy `{}` to `{}`", from.join(rel).display(), to.join(rel).display())
        })?;
    }
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("failed to remove `{}`", to.display()))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, to).with_context(|| format!("failed to write `{}`", to.display()))?;
    Ok(())
}

/// Returns `text` with CRLF line ends as LF, the blank lines before its first line and the white
/// space after its last line removed.
fn trimmed_body(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut rest = text.as_str();
    while let Some(i) = rest.find('\n') {
        if rest[..i].trim().is_empty() {
            rest = &rest[i + 1..];
        } else {
            break;
        }
    }
    rest.trim_end().to_owned()
}
