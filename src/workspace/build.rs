//! Building a workspace's artifacts: the incremental compile into an output folder (an
//! artifact whose inputs and file are unchanged is neither rebuilt nor read, and unchanged bytes
//! are never rewritten; `check` mode writes nothing and reports what would change), and the
//! in-memory artifacts deploy and diff use.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::cache::{ArtifactFile, Cache, Stamp};
use super::load::{SkillSummary, Workspace};
use crate::compile;
use crate::compile::artifact::{self, Artifact, ResolvedDependency};
use crate::skill::Skill;
use crate::skill::parse::{self, ParseContext};

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

/// What `agentb compile` did, as `--format json` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CompileReport {
    /// Whether nothing was written (`--check`).
    pub check: bool,
    pub artifacts: Vec<Compiled>,
}

impl CompileReport {
    /// Returns how many artifacts were created or updated (with `check`: would be).
    pub fn changed(&self) -> usize {
        self.artifacts.iter().filter(|a| a.outcome != Outcome::Fresh).count()
    }
}

/// Builds the artifacts of `skills` (all of the workspace's when empty).
pub fn artifacts(ws: &Workspace, ctx: &ParseContext, skills: &[&Skill]) -> Vec<Artifact> {
    skills.par_iter().map(|skill| artifact::build(skill, resolve(ws, skill), &ctx.catalog, &ctx.limits)).collect()
}

/// Returns the resolved dependencies of a skill (the workspace has no errors for it).
pub fn resolve(ws: &Workspace, skill: &Skill) -> Vec<ResolvedDependency> {
    resolve_deps(ws, skill.dependencies.iter().map(|d| (d.id.as_str(), d.req.as_ref())))
}

fn resolve_deps<'a>(
    ws: &Workspace,
    deps: impl Iterator<Item = (&'a str, Option<&'a semver::VersionReq>)>,
) -> Vec<ResolvedDependency> {
    compile::resolve_with(|id| ws.summary(id).map(|s| &s.version), deps)
}

/// Compiles `selected` into `out` incrementally: an artifact whose key (source hash, resolved
/// dependencies, config fingerprint, agentb build) and file are unchanged since the cache
/// recorded them is fresh without being rebuilt or read; any other is built (parsing its file
/// when the workspace took it from the cache), compared with the file on disk, and written only
/// when the bytes differ. With `check`, nothing is written and the cache is not updated.
/// `stamps` are those [`artifact_stamps`] returned for `out`, taken while the workspace loaded
/// (`None`: stat what is needed here).
///
/// When `out` does not exist yet, the artifacts are written into a new staging folder beside it
/// that is renamed to `out` at the end: no reader can see a half-written artifact (the folder
/// appears complete or not at all), so each file is written once, directly, instead of through
/// a temporary file and a rename in a folder that every worker thread contends for.
pub fn compile(
    ws: &Workspace,
    ctx: &ParseContext,
    selected: &[&SkillSummary],
    out: &Path,
    check: bool,
    cache: &mut Cache,
    stamps: Option<ArtifactStamps>,
) -> anyhow::Result<Vec<Compiled>> {
    let staging = if check || out.exists() { None } else { Staging::create(out) };
    if !check && staging.is_none() {
        std::fs::create_dir_all(out).with_context(|| format!("failed to create `{}`", out.display()))?;
    }
    cache.ensure_loaded();
    let by_id: FxHashMap<&str, &SkillSummary> = ws.summaries.iter().rev().map(|s| (s.id.as_str(), &**s)).collect();
    let stamps = match &staging {
        // Nothing exists yet: nothing to stat.
        Some(_) => Some(ArtifactStamps::default()),
        None => stamps.or_else(|| if selected.len() > 64 { artifact_stamps(out) } else { None }),
    };
    let target = Target { out, staging: staging.as_ref().map(|s| s.dir.as_path()), check };
    let done: Vec<(Compiled, Option<ArtifactFile>)> = {
        let cache = &*cache;
        let stamps = stamps.as_ref();
        selected
            .par_iter()
            .map(|summary| compile_one(ws, ctx, &by_id, stamps, summary, &target, cache))
            .collect::<anyhow::Result<_>>()?
    };
    if let Some(staging) = staging {
        staging.finish(out)?;
    }
    let mut compiled = Vec::with_capacity(done.len());
    for (c, record) in done {
        if let Some(record) = record {
            cache.set_artifact(out, record);
        }
        compiled.push(c);
    }
    Ok(compiled)
}

/// A new output folder being filled: renamed to its final name when complete, removed if
/// dropped before.
struct Staging {
    dir: PathBuf,
    done: bool,
}

impl Staging {
    /// Creates `.<name>.tmp-<pid>` beside `out` (and `out`'s parents); `None` when it cannot,
    /// and then the artifacts are written into `out` one by one.
    fn create(out: &Path) -> Option<Self> {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty())?;
        let name = out.file_name()?.to_str()?;
        std::fs::create_dir_all(parent).ok()?;
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        // A folder left by a killed run of the same pid: start again.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).ok()?;
        Some(Self { dir, done: false })
    }

    /// Renames the staging folder to `out`.
    fn finish(mut self, out: &Path) -> anyhow::Result<()> {
        std::fs::rename(&self.dir, out)
            .with_context(|| format!("failed to move the artifacts into `{}`; run the command again", out.display()))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Where artifacts go.
struct Target<'a> {
    /// The output folder, as reported and recorded.
    out: &'a Path,
    /// The new folder written into instead, renamed to `out` at the end.
    staging: Option<&'a Path>,
    check: bool,
}

fn compile_one(
    ws: &Workspace,
    ctx: &ParseContext,
    by_id: &FxHashMap<&str, &SkillSummary>,
    stamps: Option<&ArtifactStamps>,
    summary: &SkillSummary,
    target: &Target<'_>,
    cache: &Cache,
) -> anyhow::Result<(Compiled, Option<ArtifactFile>)> {
    let (out, check) = (target.out, target.check);
    let resolved = compile::resolve_with(
        |id| by_id.get(id).map(|s| &s.version),
        summary.dependencies.iter().map(|d| (d.id.as_str(), d.req.as_ref())),
    );
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
    if let Some(staging) = target.staging {
        // A new folder of this run's own: the file cannot exist, and is written in one go.
        let file = write_new(&staging.join(&name), &bytes)?;
        let record = file.metadata().ok().map(|m| ArtifactFile {
            name,
            key,
            content_hash: artifact.content_hash.clone(),
            stamp: Stamp::of(&m),
        });
        return Ok((compiled(artifact.content_hash, Outcome::Created), record));
    }
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

/// Creates `path`, which must not exist, with `bytes`; returns the open file.
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<std::fs::File> {
    use std::io::Write as _;
    let mut file = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("failed to create `{}`", path.display()))?;
    file.write_all(bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(file)
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
