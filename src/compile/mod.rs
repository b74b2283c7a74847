//! Compile: skills into artifacts (SPEC §5). Deterministic to the byte; unchanged artifacts are
//! not rewritten; `check` mode writes nothing and reports what would change.

pub mod artifact;
pub mod diff;
pub mod prompt;
pub mod schema;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;

pub use artifact::Artifact;
use artifact::ResolvedDependency;

use crate::skill::Skill;
use crate::skill::parse::ParseContext;
use crate::skill::project::Workspace;

/// What happened to one artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Written for the first time.
    Created,
    /// Rewritten with different bytes.
    Updated,
    /// Already up to date.
    Fresh,
}

/// One compiled skill.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Compiled {
    pub id: String,
    pub version: String,
    pub path: PathBuf,
    pub content_hash: String,
    pub outcome: Outcome,
}

/// Builds the artifacts of `skills` (all of the workspace's when empty).
pub fn artifacts(ws: &Workspace, ctx: &ParseContext, skills: &[&Skill]) -> Vec<Artifact> {
    skills.par_iter().map(|skill| artifact::build(skill, resolve(ws, skill), &ctx.catalog, &ctx.limits)).collect()
}

/// Returns the resolved dependencies of a skill (the workspace has no errors for it).
pub fn resolve(ws: &Workspace, skill: &Skill) -> Vec<ResolvedDependency> {
    let mut deps: Vec<ResolvedDependency> = skill
        .dependencies
        .iter()
        .filter_map(|d| {
            let target = ws.skill(&d.id)?;
            Some(ResolvedDependency {
                id: d.id.clone(),
                requirement: d.req.as_ref().map_or_else(|| "*".to_owned(), ToString::to_string),
                version: target.version.value.clone(),
            })
        })
        .collect();
    deps.sort_by(|a, b| a.id.cmp(&b.id));
    deps
}

/// Writes artifacts into `out` (or, with `check`, only compares). Files whose bytes are the
/// same are not touched.
pub fn write(out: &Path, artifacts: &[Artifact], check: bool) -> anyhow::Result<Vec<Compiled>> {
    if !check {
        std::fs::create_dir_all(out).with_context(|| format!("failed to create `{}`", out.display()))?;
    }
    artifacts
        .par_iter()
        .map(|a| {
            let path = out.join(a.file_name());
            let bytes = a.to_bytes();
            let outcome = match std::fs::read(&path) {
                Ok(existing) if existing == bytes => Outcome::Fresh,
                Ok(_) => Outcome::Updated,
                Err(_) => Outcome::Created,
            };
            if !check && outcome != Outcome::Fresh {
                write_atomic(&path, &bytes)?;
            }
            Ok(Compiled {
                id: a.id.clone(),
                version: a.version.to_string(),
                path,
                content_hash: a.content_hash.clone(),
                outcome,
            })
        })
        .collect()
}

/// Writes a file atomically: a temporary file in the same folder, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("failed to create a temporary file in `{}`", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
    tmp.persist(path).with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}
