//! The incremental cache, `.agentbuilder/cache/index.bin`: what lint and compile learned about
//! each file and artifact, so that unchanged files are neither read nor parsed again and
//! unchanged artifacts are neither rebuilt nor rewritten.
//!
//! - **Files**, keyed by display path: a [`Stamp`] (size, mtime, ctime, inode), the sha256 of
//!   the bytes, the file's own diagnostics (already redacted) and a small summary (ids,
//!   versions, dependencies with spans, persona `allowed_skills`, the prompt's token estimate)
//!   for the cross-file rules. A file whose stamp is unchanged is trusted, unless its mtime is
//!   within [`RACY_NS`] of the moment the cache was recorded (an edit in the same clock tick
//!   would keep the stamp): such a file, like one whose stamp changed, is hashed again and
//!   parsed only when the hash differs.
//! - **Artifacts**, keyed by absolute path: the key they were built from (sha256 of the cache
//!   identity, the config fingerprint, the source hash and the resolved dependencies), their
//!   content hash and the stamp of the file written. Same key and same stamp: the artifact is
//!   fresh and is not rebuilt.
//!
//! The cache is an optimization only. A missing, corrupted or foreign file (another agentb
//! build, another config fingerprint) is ignored, never an error, and writes are atomic. It
//! holds no source text: diagnostics are redacted before they are cached, and nothing of a file
//! that holds a secret is cached at all. The layout is in [`codec`].

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod codec;

use super::Project;
use super::load::{FileKind, PersonaSummary, SkillSummary};
use crate::lint::Diagnostic;

/// The layout version of the index; a different one is ignored.
pub const FORMAT: u32 = 2;
/// The index file, in the project's cache folder.
pub const INDEX_FILE: &str = "index.bin";
/// A file modified less than this long before the cache recorded it is hashed again.
pub const RACY_NS: i64 = 2_000_000_000;
/// An index larger than this is ignored rather than read.
const MAX_INDEX_BYTES: u64 = 256 * 1024 * 1024;
/// Rewrite the index when more files than this had to be hashed again, so the next run trusts
/// them (an index with only a few such files is left as is).
const REHASH_REWRITE: usize = 32;

/// What identifies a version of a file without reading it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime: i64,
    /// Status change time (any write or rename changes it), nanoseconds; 0 where unknown.
    pub ctime: i64,
    /// Inode number; 0 where unknown.
    pub ino: u64,
}

impl Stamp {
    /// Returns the stamp of a file's metadata.
    pub fn of(metadata: &std::fs::Metadata) -> Self {
        let mtime = metadata.modified().map_or(0, nanos_since_epoch);
        #[cfg(unix)]
        let (ctime, ino) = {
            use std::os::unix::fs::MetadataExt as _;
            (metadata.ctime().saturating_mul(1_000_000_000).saturating_add(metadata.ctime_nsec()), metadata.ino())
        };
        #[cfg(not(unix))]
        let (ctime, ino) = (0, 0);
        Self { size: metadata.len(), mtime, ctime, ino }
    }
}

fn nanos_since_epoch(time: std::time::SystemTime) -> i64 {
    match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

/// What the cache knows about one project file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    /// The display path (relative to the project root).
    pub path: PathBuf,
    pub kind: FileKind,
    pub stamp: Stamp,
    /// sha256 of the file's bytes, hex.
    pub hash: String,
    /// The file's own diagnostics (not the cross-file ones), redacted.
    pub diagnostics: Vec<Diagnostic>,
    pub skill: Option<std::sync::Arc<SkillSummary>>,
    pub persona: Option<std::sync::Arc<PersonaSummary>>,
}

/// The artifacts of one output folder, as stored.
#[derive(Debug)]
struct ArtifactDir {
    dir: PathBuf,
    files: Vec<ArtifactFile>,
}

/// What the cache knows about one written artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactFile {
    /// `<id>@<version>.json`.
    pub name: String,
    /// The artifact key it was built from (see [`Cache::artifact_key`]), 32 hex digits.
    pub key: String,
    pub content_hash: String,
    /// The stamp of the file as written.
    pub stamp: Stamp,
}

/// A decoded index.
#[derive(Debug)]
struct Index {
    /// When the run that wrote this index started, nanoseconds since the epoch: every entry was
    /// verified at or after it.
    started: i64,
    files: Vec<FileEntry>,
    cross_file: Option<CrossFile>,
    artifacts: Vec<ArtifactDir>,
}

/// The cross-file diagnostics recorded with the entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CrossFile {
    /// The digest of the summaries of the files that are never cached (they hold a secret).
    uncached: String,
    diagnostics: Vec<Diagnostic>,
}

/// Counts of what a run did with the cache (for tests and `-v`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files whose entry was reused (including after hashing them again).
    pub reused: usize,
    /// Files hashed again because their stamp changed or was racy, found unchanged.
    pub rehashed: usize,
    /// Files read and parsed.
    pub parsed: usize,
}

/// The incremental cache of one project, loaded once per command and saved at its end.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    identity: String,
    fingerprint: String,
    /// When the loaded index was recorded; entries whose mtime is near it are racy.
    recorded: i64,
    /// When this run started (recorded in the index this run writes).
    started: i64,
    loaded: bool,
    /// Sorted by the display path's bytes, for binary search (hashing or comparing `Path`s walks
    /// their components); `None` once taken into the next index, after every lookup.
    files: Vec<Option<FileEntry>>,
    /// The cross-file diagnostics of exactly the files in `files` plus uncached files whose
    /// summaries have the digest given, when known.
    cross_file: Option<CrossFile>,
    /// Output folder → artifact file name → record.
    artifacts: Vec<(PathBuf, FxHashMap<String, ArtifactFile>)>,
    changed: bool,
    stats: Stats,
}

impl Cache {
    /// Opens the project's cache. Cheap: the index is read by [`Cache::ensure_loaded`] (which
    /// `load_cached` runs while it lists and stats the project's files), and is empty when there
    /// is none or it cannot be used.
    pub fn open(project: &Project) -> Self {
        Self::open_at(&project.cache_dir().join(INDEX_FILE), &fingerprint(project))
    }

    fn open_at(path: &Path, fingerprint: &str) -> Self {
        Cache {
            path: path.to_owned(),
            identity: String::new(),
            fingerprint: fingerprint.to_owned(),
            recorded: i64::MIN,
            started: nanos_since_epoch(std::time::SystemTime::now()),
            loaded: false,
            files: Vec::new(),
            cross_file: None,
            artifacts: Vec::new(),
            changed: false,
            stats: Stats::default(),
        }
    }

    /// Reads the index, once.
    pub fn ensure_loaded(&mut self) {
        if self.loaded {
            return;
        }
        self.loaded = true;
        self.identity = identity();
        match self.read_index() {
            Some(index) => {
                self.recorded = index.started;
                self.set_entries(index.files);
                self.cross_file = index.cross_file;
                self.artifacts = index
                    .artifacts
                    .into_iter()
                    .map(|group| (group.dir, group.files.into_iter().map(|f| (f.name.clone(), f)).collect()))
                    .collect();
            }
            None => self.changed = true,
        }
    }

    fn set_entries(&mut self, mut files: Vec<FileEntry>) {
        files.sort_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
        self.files = files.into_iter().map(Some).collect();
    }

    /// Returns the index when it exists, decodes, and was written by this agentb build for this
    /// config; every failure means "no cache".
    fn read_index(&self) -> Option<Index> {
        let metadata = std::fs::metadata(&self.path).ok()?;
        if metadata.len() > MAX_INDEX_BYTES {
            return None;
        }
        let bytes = std::fs::read(&self.path).ok()?;
        let (header, body) = codec::header(&bytes)?;
        if header.identity != self.identity || header.fingerprint != self.fingerprint {
            tracing::debug!("ignoring the cache `{}`: another agentb build or config", self.path.display());
            return None;
        }
        // A diagnostic whose code names no rule does not decode: the index is unusable.
        let usable = codec::body(body, header.started);
        if usable.is_none() {
            tracing::debug!("ignoring the cache `{}`: it is damaged", self.path.display());
        }
        usable
    }

    /// Returns the entry of a file by display path, with its position for [`Cache::take_file`].
    pub fn file(&self, display: &Path) -> Option<(usize, &FileEntry)> {
        let key = display.as_os_str();
        let i = self.files.partition_point(|f| f.as_ref().is_some_and(|f| f.path.as_os_str() < key));
        self.files.get(i)?.as_ref().filter(|f| f.path.as_os_str() == key).map(|f| (i, f))
    }

    /// Returns whether an entry can be used without reading the file: the stamp is the same and
    /// the file was not modified so close to when it was recorded that an edit could hide.
    pub fn trusts(&self, entry: &FileEntry, stamp: &Stamp) -> bool {
        entry.stamp == *stamp && !entry.hash.is_empty() && !is_racy(stamp.mtime, self.recorded)
    }

    /// Removes and returns the entry at a position [`Cache::file`] returned (to carry it into the
    /// next index). Call it only once every lookup is done.
    pub fn take_file(&mut self, position: usize) -> Option<FileEntry> {
        self.stats.reused += 1;
        self.files.get_mut(position)?.take()
    }

    /// Notes that a file was parsed; a cacheable one changes the index.
    pub fn note_parsed(&mut self, cacheable: bool) {
        self.stats.parsed += 1;
        self.changed |= cacheable;
    }

    /// Sets the entries of this run's files (the files no longer present drop out).
    pub fn set_files(&mut self, files: Vec<FileEntry>, rehashed: usize) {
        self.stats.rehashed = rehashed;
        // Entries not taken belong to files that were deleted or parsed again.
        self.changed |= self.files.iter().any(Option::is_some) || rehashed > REHASH_REWRITE;
        self.set_entries(files);
        // Every entry is now verified as of this run (a second load, after `--fix`, trusts
        // them unless they were modified since shortly before it started).
        self.recorded = self.started;
    }

    /// Returns whether every entry of the index was taken by this run (no file is gone).
    pub fn all_taken(&self) -> bool {
        self.files.iter().all(Option::is_none)
    }

    /// Returns the cross-file diagnostics recorded with the entries, if the files that are
    /// never cached had summaries with this digest then.
    pub fn cross_file(&self, uncached: &str) -> Option<&[Diagnostic]> {
        self.cross_file.as_ref().filter(|c| c.uncached == uncached).map(|c| c.diagnostics.as_slice())
    }

    /// Records the cross-file diagnostics of this run's files.
    pub fn set_cross_file(&mut self, uncached: String, diagnostics: Vec<Diagnostic>) {
        let cross = Some(CrossFile { uncached, diagnostics });
        if self.cross_file != cross {
            self.changed = true;
            self.cross_file = cross;
        }
    }

    /// Returns what this run did.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Returns the key of an artifact built from a source with these resolved dependencies.
    pub fn artifact_key(&self, source_hash: &str, resolved: &[crate::compile::artifact::ResolvedDependency]) -> String {
        use std::io::Write as _;
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update(bytes);
            hasher.update([0]);
        };
        part(self.identity.as_bytes());
        part(self.fingerprint.as_bytes());
        part(source_hash.as_bytes());
        let mut version = Vec::with_capacity(16);
        for dep in resolved {
            part(dep.id.as_bytes());
            part(dep.requirement.as_bytes());
            version.clear();
            let _ = write!(version, "{}", dep.version);
            part(&version);
        }
        // 128 bits are plenty to tell builds apart, and keep the index small.
        hex::encode(&hasher.finalize()[..16])
    }

    /// Returns the record of the artifact `dir/name`.
    pub fn artifact(&self, dir: &Path, name: &str) -> Option<&ArtifactFile> {
        let dir = dir.as_os_str();
        self.artifacts.iter().find(|(d, _)| d.as_os_str() == dir)?.1.get(name)
    }

    /// Returns the record of the artifact `dir/name` when it is fresh: built from `key`, and the
    /// file on disk (whose stamp is `stamp`, `None` when it does not exist) is still the one
    /// written.
    pub fn fresh_artifact(&self, dir: &Path, name: &str, key: &str, stamp: Option<Stamp>) -> Option<&ArtifactFile> {
        self.artifact(dir, name).filter(|r| r.key == key && Some(r.stamp) == stamp)
    }

    /// Records the artifact `dir/name` as written (or found up to date) by this run.
    pub fn set_artifact(&mut self, dir: &Path, record: ArtifactFile) {
        if self.artifact(dir, &record.name) == Some(&record) {
            return;
        }
        self.changed = true;
        if let Some((_, files)) = self.artifacts.iter_mut().find(|(d, _)| d.as_os_str() == dir.as_os_str()) {
            files.insert(record.name.clone(), record);
        } else {
            let files = std::iter::once((record.name.clone(), record)).collect();
            self.artifacts.push((dir.to_owned(), files));
        }
    }

    /// Writes the index when this run changed it. With `create` false it is only written into
    /// an existing cache folder (lint does not create `.agentbuilder/`). Failures are ignored:
    /// the cache is an optimization. Returns whether the index was written.
    pub fn save(&mut self, create: bool) -> bool {
        if !self.loaded || !self.changed {
            return false;
        }
        let Some(dir) = self.path.parent() else { return false };
        if !dir.is_dir() && (!create || std::fs::create_dir_all(dir).is_err()) {
            return false;
        }
        let mut artifacts: Vec<(&Path, Vec<&ArtifactFile>)> = self
            .artifacts
            .iter()
            .map(|(dir, files)| {
                let mut files: Vec<&ArtifactFile> = files.values().collect();
                files.sort_by(|a, b| a.name.cmp(&b.name));
                (dir.as_path(), files)
            })
            .collect();
        artifacts.sort_by(|a, b| a.0.cmp(b.0));
        let files: Vec<&FileEntry> = self.files.iter().flatten().collect();
        let header = codec::Header { identity: &self.identity, fingerprint: &self.fingerprint, started: self.started };
        let Some(bytes) = codec::encode(&header, files.into_iter(), self.cross_file.as_ref(), &artifacts) else {
            return false;
        };
        match crate::fs::write_atomic(&self.path, &bytes) {
            Ok(()) => {
                self.changed = false;
                true
            }
            Err(e) => {
                tracing::debug!("could not write the cache: {e:#}");
                false
            }
        }
    }
}

/// Returns whether a file modified at `mtime` may have been modified again, with the same
/// stamp, after an index recorded at `recorded` looked at it.
pub fn is_racy(mtime: i64, recorded: i64) -> bool {
    mtime.saturating_add(RACY_NS) > recorded
}

/// Returns what identifies this agentb build: the version, the cache format, and the size and
/// mtime of the executable (so a rebuilt binary with other rules never trusts an old cache).
fn identity() -> String {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok()).map_or_else(String::new, |m| {
        let stamp = Stamp::of(&m);
        format!("{}-{}", stamp.size, stamp.mtime)
    });
    format!("agentb {} cache {FORMAT} exe {exe}", env!("CARGO_PKG_VERSION"))
}

/// Returns the sha256 of the config that lint and compile results depend on: the folders, the
/// entity types, tier overrides, limits and the prompt budget.
pub fn fingerprint(project: &Project) -> String {
    let c = &project.config;
    let value = serde_json::json!({
        "project": c.project,
        "entities": c.erp.entities,
        "tiers": c.tiers,
        "limits": c.limits,
        "max_prompt_tokens": c.lint.max_prompt_tokens,
    });
    hex::encode(Sha256::digest(serde_json::to_vec(&value).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::config::Config;
    use crate::workspace::load::{self as project, Detail, Workspace};

    const A: &str = "---\nid: alpha\ntype: skill\nversion: 1.0.0\nstatus: active\ncategory: briefs\ndescription: Does a.\ntriggers:\n  - event: manual_invoke\ninputs:\n  - name: request\n    type: string\n    required: true\noutputs:\n  - name: result\n    type: Brief\npermissions:\n  - brief:create\n---\n# Alpha\n\n## Purpose\nDo a.\n\n## Process\n1. Step\n";

    /// A project with a clean skill, one depending on it, one with problems, a persona allowing
    /// an unknown skill and a test file for an unknown skill.
    fn project() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let skills = dir.path().join("skills");
        std::fs::create_dir_all(&skills).unwrap();
        std::fs::create_dir_all(dir.path().join("personas")).unwrap();
        std::fs::write(skills.join("alpha.md"), A).unwrap();
        let beta =
            A.replace("id: alpha", "id: beta").replace("permissions:", "dependencies:\n  - alpha@^1.0\npermissions:");
        std::fs::write(skills.join("beta.md"), beta).unwrap();
        let gamma = A
            .replace("id: alpha", "id: gamma")
            .replace("category:", "categry:")
            .replace("permissions:", "dependencies:\n  - alpah\n  - resource_scanner\npermissions:");
        std::fs::write(skills.join("gamma.md"), gamma).unwrap();
        std::fs::write(skills.join("nobody.test.yaml"), "cases: []\n").unwrap();
        std::fs::write(
            dir.path().join("personas/pa.md"),
            "---\nid: pa\ntype: persona\nname: P\nallowed_skills:\n  - alpha\n  - betta\n---\nYou help.\n",
        )
        .unwrap();
        let project = Project::new(dir.path().to_owned(), None, Config::default());
        (dir, project)
    }

    /// Returns the lint report as JSON, exactly as `agentb lint --format json` prints it.
    fn report(ws: &mut Workspace) -> serde_json::Value {
        let mut diagnostics = std::mem::take(&mut ws.diagnostics);
        crate::lint::sort(&mut diagnostics);
        crate::lint::render::json(&diagnostics, &ws.sources)
    }

    fn cached_report(project: &Project) -> (serde_json::Value, Stats) {
        let mut cache = Cache::open(project);
        let mut ws = project::load_cached(project, &mut cache, Detail::Summaries).unwrap();
        cache.save(true);
        (report(&mut ws), cache.stats())
    }

    fn uncached_report(project: &Project) -> serde_json::Value {
        report(&mut project::load(project).unwrap())
    }

    /// Sets a file's mtime well in the past, so the cache trusts its stamp.
    fn age(path: &Path) {
        let old = SystemTime::now() - Duration::from_mins(1);
        std::fs::File::options().write(true).open(path).unwrap().set_modified(old).unwrap();
    }

    fn age_all(project: &Project) {
        for dir in [project.skills_dir(), project.personas_dir()] {
            for entry in std::fs::read_dir(dir).unwrap() {
                age(&entry.unwrap().path());
            }
        }
    }

    #[test]
    fn lint_is_the_same_with_a_cold_or_a_warm_cache() {
        let (_dir, project) = project();
        age_all(&project);
        let expected = uncached_report(&project);
        assert!(expected["diagnostics"].as_array().unwrap().len() >= 5, "{expected:#}");
        let (cold, stats) = cached_report(&project);
        assert_eq!(cold, expected);
        assert_eq!(stats.parsed, 5);
        let (warm, stats) = cached_report(&project);
        assert_eq!(warm, expected);
        assert_eq!((stats.reused, stats.parsed), (5, 0), "every file comes from the cache");
    }

    #[test]
    fn an_edit_is_seen_even_with_the_same_size_and_mtime() {
        let (_dir, project) = project();
        age_all(&project);
        cached_report(&project);
        let path = project.skills_dir().join("alpha.md");
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        // Same length, same mtime: only the content (and the ctime) differ.
        std::fs::write(&path, A.replace("status: active", "status: Active")).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
        let (warm, stats) = cached_report(&project);
        assert_eq!(warm, uncached_report(&project));
        assert!(warm.to_string().contains("invalid status `Active`"));
        assert_eq!(stats.parsed, 1);
    }

    #[test]
    fn a_recent_or_changed_stamp_is_not_trusted() {
        let (_dir, project) = project();
        let mut cache = Cache::open(&project);
        cache.ensure_loaded();
        let stamp = Stamp { size: 10, mtime: 1_000 * RACY_NS, ctime: 1, ino: 2 };
        let entry = FileEntry {
            path: "skills/a.md".into(),
            kind: FileKind::Skill,
            stamp,
            hash: "00".repeat(32),
            diagnostics: Vec::new(),
            skill: None,
            persona: None,
        };
        cache.recorded = stamp.mtime + 3 * RACY_NS;
        assert!(cache.trusts(&entry, &stamp));
        assert!(!cache.trusts(&entry, &Stamp { size: 11, ..stamp }));
        assert!(!cache.trusts(&entry, &Stamp { ctime: 5, ..stamp }));
        // Recorded within the same two seconds as the file's mtime: an edit could hide.
        cache.recorded = stamp.mtime + RACY_NS / 2;
        assert!(!cache.trusts(&entry, &stamp));
    }

    #[test]
    fn a_damaged_or_foreign_cache_is_ignored() {
        let (_dir, project) = project();
        age_all(&project);
        let expected = uncached_report(&project);
        let index = project.cache_dir().join(INDEX_FILE);
        std::fs::create_dir_all(project.cache_dir()).unwrap();
        for garbage in [&b""[..], b"not an index", &[0xff; 4096]] {
            std::fs::write(&index, garbage).unwrap();
            let (report, stats) = cached_report(&project);
            assert_eq!((report, stats.parsed), (expected.clone(), 5));
        }
        // A valid index, truncated.
        let bytes = std::fs::read(&index).unwrap();
        std::fs::write(&index, &bytes[..bytes.len() / 2]).unwrap();
        assert_eq!(cached_report(&project).1.parsed, 5);
        // Another config: the fingerprint differs.
        let mut other = project.clone();
        other.config.lint.max_prompt_tokens = 7;
        let mut cache = Cache::open(&other);
        project::load_cached(&other, &mut cache, Detail::Summaries).unwrap();
        assert_eq!(cache.stats().parsed, 5);
    }

    #[test]
    fn the_cache_never_holds_a_secret() {
        let (_dir, project) = project();
        let key = "sk-ant-api03-Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU";
        let path = project.skills_dir().join("alpha.md");
        std::fs::write(&path, A.replace("## Purpose\nDo a.", &format!("## Purpose\nUse {key} to call."))).unwrap();
        std::fs::write(project.skills_dir().join("beta.md"), A.replace("id: alpha", &format!("id: {key}"))).unwrap();
        age_all(&project);
        let (cold, _) = cached_report(&project);
        let (warm, stats) = cached_report(&project);
        assert_eq!(cold, warm);
        assert_eq!(stats.parsed, 2, "files holding a secret are parsed every time");
        let bytes = std::fs::read(project.cache_dir().join(INDEX_FILE)).unwrap();
        assert!(!bytes.windows(6).any(|w| w == b"sk-ant"), "the index holds no part of the key");
    }

    fn compile(project: &Project, check: bool) -> (Vec<(String, Outcome)>, Stats) {
        let mut cache = Cache::open(project);
        let ws = project::load_cached(project, &mut cache, Detail::Full).unwrap();
        let ctx = crate::skill::parse::ParseContext::new(&project.config);
        let selected: Vec<&SkillSummary> = ws.summaries.iter().map(|s| &**s).collect();
        let out = project.cache_dir().join("compiled");
        let stamps = crate::workspace::build::artifact_stamps(&out);
        let compiled = crate::workspace::build::compile(&ws, &ctx, &selected, &out, check, &mut cache, stamps).unwrap();
        if !check {
            cache.save(true);
        }
        let names =
            compiled.into_iter().map(|c| (c.path.file_name().unwrap().to_string_lossy().into_owned(), c.outcome));
        (names.collect(), cache.stats())
    }

    use crate::workspace::build::Outcome;

    #[test]
    fn compile_rebuilds_only_what_changed() {
        let (_dir, project) = project();
        std::fs::remove_file(project.skills_dir().join("gamma.md")).unwrap();
        age_all(&project);
        let (first, _) = compile(&project, false);
        assert_eq!(
            first,
            vec![("alpha@1.0.0.json".into(), Outcome::Created), ("beta@1.0.0.json".into(), Outcome::Created)]
        );
        let out = project.cache_dir().join("compiled");
        // The first compile wrote into a staging folder renamed to `compiled`: none is left.
        let left: Vec<_> = std::fs::read_dir(project.cache_dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.iter().all(|n| !n.to_string_lossy().contains(".tmp-")), "{left:?}");
        for f in ["alpha@1.0.0.json", "beta@1.0.0.json"] {
            age(&out.join(f));
        }
        let stamp = |f: &str| Stamp::of(&std::fs::metadata(out.join(f)).unwrap());
        let before = (stamp("alpha@1.0.0.json"), stamp("beta@1.0.0.json"));
        let (second, stats) = compile(&project, false);
        assert!(second.iter().all(|(_, o)| *o == Outcome::Fresh), "{second:?}");
        assert_eq!(stats.parsed, 0);
        assert_eq!((stamp("alpha@1.0.0.json"), stamp("beta@1.0.0.json")), before, "nothing was rewritten");

        // A new version of alpha: its artifact is new, and beta's resolved dependency changed.
        let alpha = project.skills_dir().join("alpha.md");
        std::fs::write(&alpha, A.replace("version: 1.0.0", "version: 1.1.0")).unwrap();
        let (third, stats) = compile(&project, false);
        assert_eq!(
            third,
            vec![("alpha@1.1.0.json".into(), Outcome::Created), ("beta@1.0.0.json".into(), Outcome::Updated)]
        );
        assert_eq!(stats.parsed, 1, "beta is rebuilt from a parse in compile, not in load");

        // `--check` writes nothing, not even the cache.
        let index = std::fs::read(project.cache_dir().join(INDEX_FILE)).unwrap();
        std::fs::write(&alpha, A.replace("version: 1.0.0", "version: 1.2.0")).unwrap();
        let (check, _) = compile(&project, true);
        assert_eq!(check[0], ("alpha@1.2.0.json".into(), Outcome::Created));
        assert!(!out.join("alpha@1.2.0.json").exists());
        assert_eq!(std::fs::read(project.cache_dir().join(INDEX_FILE)).unwrap(), index);

        // A deleted artifact is written again.
        std::fs::write(&alpha, A.replace("version: 1.0.0", "version: 1.1.0")).unwrap();
        std::fs::remove_file(out.join("beta@1.0.0.json")).unwrap();
        let (fourth, _) = compile(&project, false);
        assert_eq!(fourth[1], ("beta@1.0.0.json".into(), Outcome::Created));
    }
}
