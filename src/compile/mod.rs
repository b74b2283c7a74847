//! Compile: skills into artifacts (SPEC §5). Deterministic to the byte; incremental through
//! [`cache`] (an artifact whose inputs and file are unchanged is neither rebuilt nor read, and
//! unchanged bytes are never rewritten); `check` mode writes nothing and reports what would
//! change.

pub mod artifact;
pub mod cache;
pub mod diff;
pub mod prompt;
pub mod schema;
pub mod size;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;

pub use artifact::Artifact;
use artifact::ResolvedDependency;
use cache::{ArtifactFile, Cache, FxHashMap, Stamp};

use crate::skill::Skill;
use crate::skill::parse::{self, ParseContext};
use crate::skill::project::{SkillSummary, Workspace};

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
    resolve_deps(ws, skill.dependencies.iter().map(|d| (d.id.as_str(), d.req.as_ref())))
}

/// Returns the resolved dependencies of a summarized skill.
pub fn resolve_summary(ws: &Workspace, skill: &SkillSummary) -> Vec<ResolvedDependency> {
    resolve_deps(ws, skill.dependencies.iter().map(|d| (d.id.as_str(), d.req.as_ref())))
}

fn resolve_deps<'a>(
    ws: &Workspace,
    deps: impl Iterator<Item = (&'a str, Option<&'a semver::VersionReq>)>,
) -> Vec<ResolvedDependency> {
    resolve_with(|id| ws.summary(id), deps)
}

fn resolve_with<'a, 'w>(
    find: impl Fn(&str) -> Option<&'w SkillSummary>,
    deps: impl Iterator<Item = (&'a str, Option<&'a semver::VersionReq>)>,
) -> Vec<ResolvedDependency> {
    let mut deps: Vec<ResolvedDependency> = deps
        .filter_map(|(id, req)| {
            let target = find(id)?;
            Some(ResolvedDependency {
                id: id.to_owned(),
                requirement: req.map_or_else(|| "*".to_owned(), ToString::to_string),
                version: target.version.clone(),
            })
        })
        .collect();
    deps.sort_by(|a, b| a.id.cmp(&b.id));
    deps
}

/// Compiles `selected` into `out` incrementally: an artifact whose key (source hash, resolved
/// dependencies, config fingerprint, agentb build) and file are unchanged since the cache
/// recorded them is fresh without being rebuilt or read; any other is built (parsing its file
/// when the workspace took it from the cache), compared with the file on disk, and written only
/// when the bytes differ. With `check`, nothing is written and the cache is not updated.
/// `stamps` are those [`artifact_stamps`] returned for `out`, taken while the workspace loaded
/// (`None`: stat what is needed here).
pub fn compile(
    ws: &Workspace,
    ctx: &ParseContext,
    selected: &[&SkillSummary],
    out: &Path,
    check: bool,
    cache: &mut Cache,
    stamps: Option<ArtifactStamps>,
) -> anyhow::Result<Vec<Compiled>> {
    if !check {
        std::fs::create_dir_all(out).with_context(|| format!("failed to create `{}`", out.display()))?;
    }
    cache.ensure_loaded();
    let by_id: FxHashMap<&str, &SkillSummary> = ws.summaries.iter().rev().map(|s| (s.id.as_str(), &**s)).collect();
    let stamps = stamps.or_else(|| if selected.len() > 64 { artifact_stamps(out) } else { None });
    let done: Vec<(Compiled, Option<ArtifactFile>)> = {
        let cache = &*cache;
        let stamps = stamps.as_ref();
        selected
            .par_iter()
            .map(|summary| compile_one(ws, ctx, &by_id, stamps, summary, out, check, cache))
            .collect::<anyhow::Result<_>>()?
    };
    let mut compiled = Vec::with_capacity(done.len());
    for (c, record) in done {
        if let Some(record) = record {
            cache.set_artifact(out, record);
        }
        compiled.push(c);
    }
    Ok(compiled)
}

#[allow(clippy::too_many_arguments, reason = "one call site")]
fn compile_one(
    ws: &Workspace,
    ctx: &ParseContext,
    by_id: &FxHashMap<&str, &SkillSummary>,
    stamps: Option<&ArtifactStamps>,
    summary: &SkillSummary,
    out: &Path,
    check: bool,
    cache: &Cache,
) -> anyhow::Result<(Compiled, Option<ArtifactFile>)> {
    let resolved =
        resolve_with(|id| by_id.get(id).copied(), summary.dependencies.iter().map(|d| (d.id.as_str(), d.req.as_ref())));
    let key = cache.artifact_key(&summary.source_hash, &resolved);
    let name = format!("{}@{}.json", summary.id, summary.version);
    let path = out.join(&name);
    let compiled = |content_hash: String, outcome| Compiled {
        id: summary.id.clone(),
        version: summary.version.to_string(),
        path: path.clone(),
        content_hash,
        outcome,
    };
    let stamp = match stamps {
        Some(stamps) => stamps.0.get(&name).copied(),
        None => std::fs::symlink_metadata(&path).ok().map(|m| Stamp::of(&m)),
    };
    if let Some(record) = cache.fresh_artifact(out, &name, &key, stamp) {
        return Ok((compiled(record.content_hash.clone(), Outcome::Fresh), None));
    }
    let parsed;
    // Loaded from the cache, the skill was not parsed: parse it now.
    let skill = if let Some(skill) = ws.skill(&summary.id).filter(|s| s.source_hash == summary.source_hash) {
        skill
    } else {
        let abs = ws.paths.get(&summary.path).with_context(|| format!("`{}` is not listed", summary.path.display()))?;
        parsed = parse::skill_file(abs, &summary.path, ctx).item;
        match &parsed {
            Some(skill) if skill.source_hash == summary.source_hash => skill,
            _ => anyhow::bail!("`{}` changed while compiling; run the command again", summary.path.display()),
        }
    };
    let artifact = artifact::build(skill, resolved, &ctx.catalog, &ctx.limits);
    let bytes = artifact.to_bytes();
    let outcome = match std::fs::read(&path) {
        Ok(existing) if existing == bytes => Outcome::Fresh,
        Ok(_) => Outcome::Updated,
        Err(_) => Outcome::Created,
    };
    if check {
        return Ok((compiled(artifact.content_hash, outcome), None));
    }
    if outcome != Outcome::Fresh {
        crate::fs::write_atomic(&path, &bytes)?;
    }
    let record = std::fs::symlink_metadata(&path).ok().map(|m| ArtifactFile {
        name,
        key,
        content_hash: artifact.content_hash.clone(),
        stamp: Stamp::of(&m),
    });
    Ok((compiled(artifact.content_hash, outcome), record))
}

/// The stamps of the files of an output folder, by name.
#[derive(Debug, Default)]
pub struct ArtifactStamps(FxHashMap<String, Stamp>);

/// Returns the stamps of the files in `dir`, taken relative to the open folder and in parallel
/// (cheaper than one by one by path when there are many); `None` when the folder cannot be
/// read.
pub fn artifact_stamps(dir: &Path) -> Option<ArtifactStamps> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir).ok()?.filter_map(Result::ok).collect();
    Some(ArtifactStamps(
        entries
            .par_iter()
            .filter_map(|e| Some((e.file_name().into_string().ok()?, Stamp::of(&e.metadata().ok()?))))
            .collect(),
    ))
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
                crate::fs::write_atomic(&path, &bytes)?;
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
