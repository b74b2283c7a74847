//! Which of a project's files a command was asked about (`agentb lint PATH…`), and applying
//! the fixes of their diagnostics (`--fix`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::load::Workspace;
use super::{Project, WorkspaceError};
use crate::lint::Diagnostic;

/// The paths a command was given, resolved; empty means the whole project.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    paths: Vec<PathBuf>,
}

impl Scope {
    /// Resolves `paths` (relative to `cwd`) to the workspace's form of them: each must exist.
    pub fn new(project: &Project, cwd: &Path, paths: &[PathBuf]) -> Result<Self, WorkspaceError> {
        let mut resolved = Vec::new();
        for path in paths {
            let abs = cwd.join(path);
            let abs = abs.canonicalize().map_err(|_| WorkspaceError::NoSuchPath { path: path.clone() })?;
            resolved.push(abs);
        }
        // Workspace paths are not canonical; compare against the canonical project root too.
        if let Ok(root) = project.root.canonicalize() {
            resolved = resolved
                .into_iter()
                .map(|p| p.strip_prefix(&root).map_or_else(|_| p.clone(), |rel| project.root.join(rel)))
                .collect();
        }
        Ok(Self { paths: resolved })
    }

    /// Returns whether the file with this display path is in scope.
    pub fn matches(&self, ws: &Workspace, display: &Path) -> bool {
        if self.paths.is_empty() {
            return true;
        }
        let Some(abs) = ws.paths.get(display) else {
            // Project-level diagnostics (the config) are shown when the config was named.
            return self.paths.iter().any(|p| p.ends_with(display));
        };
        self.paths.iter().any(|p| abs.starts_with(p))
    }

    /// Refuses a path that names nothing lint checks: it would otherwise pass with "no
    /// problems". `given` are the paths as the user wrote them.
    pub fn check(&self, project: &Project, ws: &Workspace, given: &[PathBuf]) -> Result<(), WorkspaceError> {
        let folders = [project.skills_dir(), project.personas_dir()];
        for (shown, path) in given.iter().zip(&self.paths) {
            let file = ws.paths.values().any(|abs| abs == path) || project.config_path.as_ref() == Some(path);
            let folder = path.is_dir() && folders.iter().any(|f| f.starts_with(path) || path.starts_with(f));
            if !file && !folder {
                return Err(WorkspaceError::NotAProjectFile {
                    path: shown.clone(),
                    skills: project.display_path(&folders[0]).into_owned(),
                    personas: project.display_path(&folders[1]).into_owned(),
                });
            }
        }
        Ok(())
    }
}

/// The fixes applied to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixedFile {
    /// The display path.
    pub path: PathBuf,
    /// What each applied fix did.
    pub fixes: Vec<String>,
}

/// Applies every available fix of the diagnostics in `scope` to its file (read again: the
/// workspace's copy has secrets masked), keeping a BOM; returns the files changed, in order.
/// A file that cannot be read is skipped.
pub fn apply_fixes(ws: &Workspace, scope: &Scope) -> anyhow::Result<Vec<FixedFile>> {
    let mut by_file: BTreeMap<&Path, Vec<&Diagnostic>> = BTreeMap::new();
    for d in ws.diagnostics.iter().filter(|d| d.fix.is_some() && scope.matches(ws, &d.file)) {
        by_file.entry(&d.file).or_default().push(d);
    }
    let mut fixed = Vec::new();
    for (display, diagnostics) in by_file {
        let Some(abs) = ws.paths.get(display) else {
            continue;
        };
        let Ok(src) = crate::skill::source::read(abs) else {
            continue;
        };
        let (new_text, applied) = crate::lint::fix::apply(&src.text, &diagnostics);
        if applied.is_empty() || new_text == src.text {
            continue;
        }
        let bytes = if src.had_bom {
            [b"\xEF\xBB\xBF".as_slice(), new_text.as_bytes()].concat()
        } else {
            new_text.into_bytes()
        };
        crate::fs::write_atomic(abs, &bytes)?;
        fixed.push(FixedFile { path: display.to_owned(), fixes: applied });
    }
    Ok(fixed)
}
