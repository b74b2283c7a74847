//! The project-wide view: every skill, persona and test file parsed (in parallel), then the
//! rules that need more than one file: duplicate ids, dependency resolution and cycles,
//! persona `allowed_skills`, test files naming skills, and config tool names.
//!
//! The cross-file rules work on small summaries of each file ([`SkillSummary`],
//! [`PersonaSummary`]), so that [`load_cached`] can take the summaries and the per-file
//! diagnostics of unchanged files from the incremental cache ([`super::cache`]) instead
//! of reading and parsing them again. Both paths run the same rules on the same summaries in the
//! same order, so the diagnostics are identical with a cold or a warm cache.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use rustc_hash::{FxHashMap, FxHashSet};

use super::Project;
use super::cache::{Cache, FileEntry, Stamp};
use crate::lint::render::Sources;
use crate::lint::{Diagnostic, Edit, Level, rules};
use crate::skill::model::{Persona, Skill, Status, normalize_id};
use crate::skill::parse::{self, ParseContext, Parsed};
use crate::skill::source::{self, ReadProblem, SourceFile};

/// Everything lint and compile know about a project's files.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Skills parsed in full (frontmatter usable, possibly with errors), sorted by id. [`load`]
    /// parses every file; [`load_cached`] only the files that changed since the cache was written
    /// (and only as [`Detail`] asks): use [`Workspace::summaries`] for the complete list.
    pub skills: Vec<Skill>,
    /// Personas parsed in full, like [`Workspace::skills`].
    pub personas: Vec<Persona>,
    /// A summary of every skill with a usable id, changed or not, sorted by id.
    pub summaries: Vec<Arc<SkillSummary>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Texts of the files that have diagnostics, for rendering snippets, with secrets masked
    /// (fixes read the files again).
    pub sources: Sources,
    /// Absolute path of every file, keyed by its display path.
    pub paths: BTreeMap<PathBuf, PathBuf>,
    pub files_checked: usize,
}

impl Workspace {
    /// Returns the fully parsed skill with this id, if it was parsed (see [`Workspace::skills`]).
    pub fn skill(&self, id: &str) -> Option<&Skill> {
        // Sorted by id (stably): the first of equal ids, like a linear search.
        let i = self.skills.partition_point(|s| s.id.value.as_str() < id);
        self.skills.get(i).filter(|s| s.id.value == id)
    }

    /// Returns the summary of the skill with this id.
    pub fn summary(&self, id: &str) -> Option<&SkillSummary> {
        let i = self.summaries.partition_point(|s| s.id.as_str() < id);
        self.summaries.get(i).map(|s| &**s).filter(|s| s.id == id)
    }

    /// Returns whether any diagnostic of this file is an error.
    pub fn file_has_errors(&self, display: &Path) -> bool {
        self.diagnostics.iter().any(|d| d.level == Level::Error && d.file == display)
    }
}

/// What the cross-file rules and compile need to know about a skill. Cached per file; holds no
/// text of the file beyond ids, versions and requirements.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillSummary {
    /// The display path.
    pub path: PathBuf,
    pub id: String,
    pub id_span: Range<usize>,
    pub version: semver::Version,
    pub status: Status,
    pub dependencies: Vec<DependencySummary>,
    /// The estimated size of the rendered system prompt.
    pub prompt_tokens: usize,
    /// sha256 of the file.
    pub source_hash: String,
}

/// A dependency as the cross-file rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct DependencySummary {
    pub id: String,
    pub req: Option<semver::VersionReq>,
    pub span: Range<usize>,
    pub id_span: Range<usize>,
}

/// What the cross-file rules need to know about a persona.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaSummary {
    /// The display path.
    pub path: PathBuf,
    pub id: String,
    pub id_span: Range<usize>,
    pub allowed_skills: Vec<AllowedSkill>,
}

/// One entry of a persona's `allowed_skills`.
#[derive(Debug, Clone, PartialEq)]
pub struct AllowedSkill {
    pub id: String,
    pub span: Range<usize>,
}

impl SkillSummary {
    /// Returns the summary of a parsed skill.
    pub fn of(skill: &Skill) -> Self {
        let prompt = crate::compile::prompt::render(skill);
        Self {
            path: skill.path.clone(),
            id: skill.id.value.clone(),
            id_span: skill.id.span.clone(),
            version: skill.version.value.clone(),
            status: skill.status,
            dependencies: skill
                .dependencies
                .iter()
                .map(|d| DependencySummary {
                    id: d.id.clone(),
                    req: d.req.clone(),
                    span: d.span.clone(),
                    id_span: d.id_span.clone(),
                })
                .collect(),
            prompt_tokens: crate::compile::prompt::estimate_tokens(&prompt),
            source_hash: skill.source_hash.clone(),
        }
    }
}

impl PersonaSummary {
    /// Returns the summary of a parsed persona.
    pub fn of(persona: &Persona) -> Self {
        Self {
            path: persona.path.clone(),
            id: persona.id.value.clone(),
            id_span: persona.id.span.clone(),
            allowed_skills: persona
                .allowed_skills
                .iter()
                .map(|a| AllowedSkill { id: a.value.clone(), span: a.span.clone() })
                .collect(),
        }
    }
}

/// The kinds of file in a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Skill,
    Persona,
    Test,
}

/// How much of each changed file [`load_cached`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Keep the parsed skills and personas (compile builds artifacts from them).
    Full,
    /// Keep only summaries and diagnostics (lint), which bounds memory on large projects.
    Summaries,
    /// Keep the parsed skills and personas until a file has an error: compile stops at errors,
    /// so from then on they would only cost memory (compile parses again what it needs).
    UntilError,
}

#[allow(clippy::case_sensitive_file_extension_comparisons, reason = "the name is lowercased first")]
/// Lists the project's files: `skills/*.md`, `skills/*.test.yaml`, `personas/*.md`, with their
/// stamps when `stat` (taken relative to the open folder, which is cheaper than by path).
fn list(project: &Project, stat: bool) -> std::io::Result<Listing> {
    let mut files = Vec::new();
    for (dir, is_skills) in [(project.skills_dir(), true), (project.personas_dir(), false)] {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            // Not only regular files: a FIFO or a directory named `x.md` is reported (AB043).
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            let kind = if name.ends_with(".test.yaml") || name.ends_with(".test.yml") {
                if !is_skills {
                    continue;
                }
                FileKind::Test
            } else if name.ends_with(".md") {
                if is_skills { FileKind::Skill } else { FileKind::Persona }
            } else {
                continue;
            };
            files.push((entry, kind));
        }
    }
    let mut files: Vec<(PathBuf, FileKind, Option<Stamp>)> = files
        .into_par_iter()
        .map(|(entry, kind)| {
            let stamp = if stat { entry.metadata().ok().map(|m| Stamp::of(&m)) } else { None };
            (entry.path(), kind, stamp)
        })
        .collect();
    sort_paths(&mut files, &project.skills_dir(), &project.personas_dir());
    Ok(files.into_iter().map(|(path, kind, stamp)| ((path, kind), stamp)).unzip())
}

/// Sorts files as `Path` orders them, but comparing names as bytes within each folder
/// (comparing whole paths component by component is slow for thousands of files).
fn sort_paths(files: &mut [(PathBuf, FileKind, Option<Stamp>)], skills: &Path, personas: &Path) {
    if skills.starts_with(personas) || personas.starts_with(skills) {
        files.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        return;
    }
    let skills_first = skills < personas;
    files.sort_by(|(a, ka, _), (b, kb, _)| {
        let group = |k: &FileKind| (*k == FileKind::Persona) == skills_first;
        group(ka).cmp(&group(kb)).then_with(|| a.as_os_str().cmp(b.as_os_str())).then_with(|| ka.cmp(kb))
    });
}

/// Loads and checks every file of the project, parsing all of them.
pub fn load(project: &Project) -> anyhow::Result<Workspace> {
    load_inner(project, None, Detail::Full)
}

/// Loads and checks every file of the project, taking unchanged files from `cache` and
/// recording what it parsed there (the caller saves the cache). The diagnostics are the same as
/// [`load`]'s.
pub fn load_cached(project: &Project, cache: &mut Cache, detail: Detail) -> anyhow::Result<Workspace> {
    load_inner(project, Some(cache), detail)
}

/// The project's files and (with a cache) their stamps.
type Listing = (Vec<(PathBuf, FileKind)>, Vec<Option<Stamp>>);

/// The project's files, their display paths and (with a cache) their stamps.
struct Listed {
    files: Vec<(PathBuf, FileKind)>,
    displays: Vec<PathBuf>,
    stamps: Vec<Option<Stamp>>,
}

/// The result of looking at one file.
struct Looked {
    kind: FileKind,
    /// `Some` when the cache entry of this path was reused: its position in the cache and the
    /// file's current stamp.
    reused: Option<(usize, Stamp)>,
    /// A new entry when the file was parsed; `cacheable` is false for files that must never be
    /// cached (they hold a secret, or could not be read).
    fresh: Option<Box<(FileEntry, bool)>>,
    /// The text, when the file was read and has local diagnostics.
    text: Option<String>,
    skill: Option<Box<Skill>>,
    persona: Option<Box<Persona>>,
    rehashed: bool,
}

fn load_inner(project: &Project, mut cache: Option<&mut Cache>, detail: Detail) -> anyhow::Result<Workspace> {
    use anyhow::Context as _;
    // With a cache, every file is stat'ed while the index is read.
    let listed = |stat: bool| -> anyhow::Result<Listed> {
        let (files, stamps) =
            list(project, stat).with_context(|| format!("failed to list `{}`", project.skills_dir().display()))?;
        let displays: Vec<PathBuf> = files.iter().map(|(path, _)| project.display_path(path).into_owned()).collect();
        Ok(Listed { files, displays, stamps })
    };
    let Listed { files, displays, stamps } = match cache.as_deref_mut() {
        Some(cache) => rayon::join(|| cache.ensure_loaded(), || listed(true)).1?,
        None => listed(false)?,
    };
    let ctx = ParseContext::new(&project.config);
    let error_seen = AtomicBool::new(false);
    let looked: Vec<Looked> = {
        let cache = cache.as_deref();
        files
            .par_iter()
            .zip(&displays)
            .zip(&stamps)
            .map(|(((path, kind), display), stamp)| {
                look(path, display, *kind, *stamp, &ctx, cache, (detail, &error_seen))
            })
            .collect()
    };

    let mut ws = Workspace { files_checked: files.len(), ..Workspace::default() };
    let mut personas: Vec<PersonaSummary> = Vec::new();
    let mut tests: Vec<PathBuf> = Vec::new();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let mut with_secrets: Vec<PathBuf> = Vec::new();
    let mut next: Vec<FileEntry> = Vec::with_capacity(files.len());
    let mut rehashed = 0;
    // Files that are never cached still count for the cross-file rules: a digest of their
    // summaries tells whether the recorded cross-file diagnostics still apply.
    let mut all_reused = true;
    let mut uncached = Sha256::new();
    let mut paths = Vec::with_capacity(files.len());
    for (((path, _), display), mut looked) in files.into_iter().zip(displays).zip(looked) {
        rehashed += usize::from(looked.rehashed);
        let kept;
        let entry: &FileEntry = match (looked.reused, looked.fresh.take()) {
            (Some((position, stamp)), _) => {
                let cache = cache.as_deref_mut().expect("a reused entry comes from the cache");
                let mut entry = cache.take_file(position).expect("a reused entry is in the cache");
                entry.stamp = stamp;
                next.push(entry);
                next.last().expect("just pushed")
            }
            (None, Some(fresh)) => {
                let (entry, cacheable) = *fresh;
                if cacheable {
                    all_reused = false;
                } else {
                    let (path, kind, skill, persona) = (entry.path.display(), entry.kind, &entry.skill, &entry.persona);
                    uncached.update(format!("{path}\0{kind:?}\0{skill:?}\0{persona:?}\0"));
                }
                if let Some(cache) = cache.as_deref_mut() {
                    cache.note_parsed(cacheable);
                }
                if cacheable {
                    next.push(entry);
                    next.last().expect("just pushed")
                } else {
                    kept = entry;
                    &kept
                }
            }
            (None, None) => unreachable!("every file is reused or parsed"),
        };
        ws.diagnostics.extend(entry.diagnostics.iter().cloned());
        if entry.diagnostics.iter().any(|d| d.rule.code == rules::SECRET.code) {
            with_secrets.push(display.clone());
        }
        ws.summaries.extend(entry.skill.clone());
        personas.extend(entry.persona.as_deref().cloned());
        if looked.kind == FileKind::Test {
            tests.push(display.clone());
        }
        ws.skills.extend(looked.skill.map(|s| *s));
        ws.personas.extend(looked.persona.map(|p| *p));
        if let Some(text) = looked.text {
            texts.insert(display.clone(), text);
        }
        paths.push((display, path));
    }
    // Sorted already: building the map from sorted pairs is linear.
    ws.paths = paths.into_iter().collect();
    // The cross-file diagnostics depend only on the summaries: when every cacheable file was
    // taken from the cache (and none is gone) and the files that are never cached summarize
    // the same, they are the ones the cache recorded.
    let uncached = hex::encode(uncached.finalize());
    let unchanged = cache.as_deref().is_some_and(Cache::all_taken) && all_reused;
    if let Some(cross) = cache.as_deref().and_then(|c| c.cross_file(&uncached).filter(|_| unchanged)) {
        ws.diagnostics.extend(cross.iter().cloned());
    } else {
        let local = ws.diagnostics.len();
        cross_file_rules(&mut ws, &personas, &tests, project);
        // Messages quote values (an unknown key, a status, a type): never echo a pasted secret.
        // Local diagnostics were redacted when the file was parsed (before they were cached).
        ws.diagnostics[local..].iter_mut().for_each(crate::lint::secrets::redact_diagnostic);
        if let Some(cache) = cache.as_deref_mut() {
            cache.set_cross_file(uncached, ws.diagnostics[local..].to_vec());
        }
    }
    // The config's own rules read the config file, which the cache does not track.
    let mut config_diags = Vec::new();
    config_rules(project, &mut config_diags);
    config_diags.iter_mut().for_each(crate::lint::secrets::redact_diagnostic);
    ws.diagnostics.extend(config_diags);
    attach_sources(&mut ws, texts, &with_secrets);
    ws.skills.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    ws.personas.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    ws.summaries.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(cache) = cache {
        cache.set_files(next, rehashed);
        let stats = cache.stats();
        tracing::debug!(stats.reused, stats.rehashed, stats.parsed, "incremental cache");
    }
    Ok(ws)
}

/// Looks at one file: reuses its cache entry when the file is unchanged, else parses it.
#[allow(clippy::too_many_arguments, reason = "one call site")]
fn look(
    path: &Path,
    display: &Path,
    kind: FileKind,
    stamp: Option<Stamp>,
    ctx: &ParseContext,
    cache: Option<&Cache>,
    detail: (Detail, &AtomicBool),
) -> Looked {
    let cached = cache.and_then(|c| c.file(display).filter(|(_, e)| e.kind == kind).map(|(i, e)| (c, i, e)));
    if let (Some((cache, position, entry)), Some(stamp)) = (cached, stamp)
        && cache.trusts(entry, &stamp)
    {
        return Looked::reused(kind, position, stamp, false);
    }
    let (metadata, bytes) = source::read_raw(path);
    let stamp = metadata.as_ref().map(Stamp::of);
    let hash = bytes.as_ref().ok().map(|b| hex::encode(Sha256::digest(b)));
    if let (Some((_, position, entry)), Some(hash), Some(stamp)) = (cached, &hash, stamp)
        && entry.hash == *hash
    {
        return Looked::reused(kind, position, stamp, true);
    }
    let cacheable = hash.is_some() && stamp.is_some();
    let src = bytes.and_then(|b| source::from_bytes(path, b));
    parse_one(src, display, kind, ctx, detail, stamp.unwrap_or_default(), hash.unwrap_or_default(), cacheable)
}

impl Looked {
    fn reused(kind: FileKind, position: usize, stamp: Stamp, rehashed: bool) -> Self {
        Self { kind, reused: Some((position, stamp)), fresh: None, text: None, skill: None, persona: None, rehashed }
    }
}

#[allow(clippy::too_many_arguments, reason = "one call site")]
fn parse_one(
    src: Result<SourceFile, ReadProblem>,
    display: &Path,
    kind: FileKind,
    ctx: &ParseContext,
    (detail, error_seen): (Detail, &AtomicBool),
    stamp: Stamp,
    hash: String,
    mut cacheable: bool,
) -> Looked {
    let (mut diagnostics, text, skill, persona) = match (kind, src) {
        (_, Err(problem)) => {
            let Parsed { text, diagnostics, .. } = parse::unreadable::<()>(display, &problem);
            (diagnostics, text, None, None)
        }
        (FileKind::Skill, Ok(src)) => {
            let known = Some(hash.as_str()).filter(|h| !h.is_empty());
            let Parsed { text, item, diagnostics } = parse::skill_source_hashed(&src, display, ctx, known);
            (diagnostics, text, item, None)
        }
        (FileKind::Persona, Ok(src)) => {
            let known = Some(hash.as_str()).filter(|h| !h.is_empty());
            let Parsed { text, item, diagnostics } = parse::persona_source_hashed(&src, display, known);
            (diagnostics, text, None, item)
        }
        (FileKind::Test, Ok(src)) => {
            let diagnostics = check_test_source(&src, display);
            (diagnostics, Some(src.text), None, None)
        }
    };
    diagnostics.iter_mut().for_each(crate::lint::secrets::redact_diagnostic);
    if diagnostics.iter().any(|d| d.level == Level::Error) {
        error_seen.store(true, Ordering::Relaxed);
    }
    let keep = match detail {
        Detail::Full => true,
        Detail::Summaries => false,
        Detail::UntilError => !error_seen.load(Ordering::Relaxed),
    };
    let skill_summary = skill.as_ref().map(SkillSummary::of);
    let persona_summary = persona.as_ref().map(PersonaSummary::of);
    // Never cache anything of a file that holds a secret, nor a summary that would spell one.
    let mut spelled: Vec<&str> = Vec::new();
    if let Some(s) = &skill_summary {
        spelled.push(&s.id);
        spelled.extend(s.dependencies.iter().map(|d| d.id.as_str()));
    }
    if let Some(p) = &persona_summary {
        spelled.push(&p.id);
        spelled.extend(p.allowed_skills.iter().map(|a| a.id.as_str()));
    }
    let spelled = spelled.join(" ");
    if diagnostics.iter().any(|d| d.rule.code == rules::SECRET.code) || !crate::lint::secrets::scan(&spelled).is_empty()
    {
        cacheable = false;
    }
    let entry = FileEntry {
        path: display.to_owned(),
        kind,
        stamp,
        hash,
        diagnostics: diagnostics.clone(),
        skill: skill_summary.map(Arc::new),
        persona: persona_summary.map(Arc::new),
    };
    Looked {
        kind,
        reused: None,
        fresh: Some(Box::new((entry, cacheable))),
        text: text.filter(|_| !diagnostics.is_empty()),
        skill: skill.filter(|_| keep).map(Box::new),
        persona: persona.filter(|_| keep).map(Box::new),
        rehashed: false,
    }
}

/// Adds the text of every file that has a diagnostic to `ws.sources`: the text read in this run,
/// else the file read again (cached files), masked when the file holds a secret.
fn attach_sources(ws: &mut Workspace, mut texts: HashMap<PathBuf, String>, with_secrets: &[PathBuf]) {
    let mut wanted: Vec<&Path> = ws.diagnostics.iter().map(|d| d.file.as_path()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let missing: Vec<(&Path, &PathBuf)> = wanted
        .iter()
        .filter(|d| !texts.contains_key(**d))
        .filter_map(|d| ws.paths.get(*d).map(|abs| (*d, abs)))
        .collect();
    let reread: Vec<(PathBuf, String)> = missing
        .par_iter()
        .filter_map(|(display, abs)| Some((display.to_path_buf(), source::read_for_snippet(abs)?)))
        .collect();
    texts.extend(reread);
    for display in wanted {
        let Some(text) = texts.remove(display) else { continue };
        // Mask the files that hold a secret (and, to be safe, any that is not a project file).
        let mask = with_secrets.iter().any(|s| s == display) || !ws.paths.contains_key(display);
        let text = if mask { crate::lint::secrets::mask(&text) } else { text };
        ws.sources.insert(display.to_owned(), Arc::from(text));
    }
}

/// Suggests a skill id for a misspelled one: the same answer as [`crate::text::did_you_mean`]
/// over the ids in sorted order, but it skips, with an upper bound of the Jaro-Winkler
/// similarity from the characters the two ids share, the candidates that cannot score above
/// its threshold: a project of 10,000 skills would otherwise compare every unresolved id with
/// every skill.
struct Suggester<'a> {
    ids: Vec<&'a str>,
    /// Built on first use: most projects have no unresolved id at all.
    candidates: std::sync::OnceLock<Candidates<'a>>,
}

/// The candidates, column by column: the loop over thousands of them for every query reads only
/// the small `bounds` column, which stays in cache.
struct Candidates<'a> {
    ids: Vec<&'a str>,
    lower: Vec<String>,
    /// Per candidate: symbol counts for the bound, when ASCII and at most 64 long.
    bounds: Vec<Option<Bound>>,
    /// Per candidate: for each ASCII byte, the bit set of its positions (when `bounds` is set);
    /// the matching step of Jaro is then a few bit operations per character.
    positions: Vec<Option<Box<[u64; 128]>>>,
}

/// How many distinct symbols [`symbol`] knows; the last one stands for every other byte.
const SYMBOLS: usize = 40;

/// Maps an ASCII byte to a symbol: the letters, digits and `-_.` of ids, then "any other".
fn symbol(b: u8) -> usize {
    match b {
        b'a'..=b'z' => usize::from(b - b'a'),
        b'0'..=b'9' => 26 + usize::from(b - b'0'),
        b'-' => 36,
        b'_' => 37,
        b'.' => 38,
        _ => 39,
    }
}

/// What the upper bound needs of a string: its length, symbol counts and first bytes.
#[derive(Clone, Copy)]
struct Bound {
    len: u8,
    counts: [u8; SYMBOLS],
    prefix: [u8; 4],
}

impl Bound {
    /// Returns the bound data of an ASCII string of 1 to 64 bytes.
    fn of(s: &str) -> Option<Bound> {
        if !s.is_ascii() || !(1..=64).contains(&s.len()) {
            return None;
        }
        let mut counts = [0u8; SYMBOLS];
        for b in s.bytes() {
            counts[symbol(b)] += 1;
        }
        let mut prefix = [0u8; 4];
        for (p, b) in prefix.iter_mut().zip(s.bytes()) {
            *p = b;
        }
        Some(Bound { len: s.len() as u8, counts, prefix })
    }

    /// Returns whether the Jaro-Winkler similarity of the two strings may exceed 0.8. Matching
    /// characters pair equal characters, so there are at most `common` (counting every byte
    /// outside the id alphabet as one symbol only loosens the bound); transpositions only lower
    /// the score, and the prefix bonus is exact.
    fn may_exceed(&self, other: &Bound, distinct: &[usize]) -> bool {
        let common: usize = distinct.iter().map(|i| usize::from(self.counts[*i].min(other.counts[*i]))).sum();
        if common == 0 {
            return false;
        }
        let n = usize::from(self.len.min(other.len)).min(4);
        let prefix = (0..n).take_while(|k| self.prefix[*k] == other.prefix[*k]).count();
        let jaro = (common as f64 / f64::from(self.len) + common as f64 / f64::from(other.len) + 1.0) / 3.0;
        jaro + 0.1 * prefix as f64 * (1.0 - jaro) >= 0.8 - 1e-9
    }
}

impl<'a> Suggester<'a> {
    fn new(ids: impl IntoIterator<Item = &'a str>) -> Self {
        Self { ids: ids.into_iter().collect(), candidates: std::sync::OnceLock::new() }
    }

    fn candidates(&self) -> &Candidates<'a> {
        self.candidates.get_or_init(|| {
            let mut ids = self.ids.clone();
            ids.sort_unstable();
            ids.dedup();
            let lower: Vec<String> = ids.iter().map(|id| id.to_lowercase()).collect();
            let bounds: Vec<Option<Bound>> = lower.iter().map(|l| Bound::of(l)).collect();
            let positions = lower
                .iter()
                .zip(&bounds)
                .map(|(l, bound)| {
                    bound.map(|_| {
                        let mut positions = Box::new([0u64; 128]);
                        for (i, b) in l.bytes().enumerate() {
                            positions[usize::from(b)] |= 1 << i;
                        }
                        positions
                    })
                })
                .collect();
            Candidates { ids, lower, bounds, positions }
        })
    }

    fn suggest(&self, given: &str) -> Option<&'a str> {
        let given = given.to_lowercase();
        let bound = Bound::of(&given);
        // The distinct symbols of `given`, so the bound costs a handful of operations.
        let distinct: Vec<usize> = bound.map_or_else(Vec::new, |b| (0..SYMBOLS).filter(|i| b.counts[*i] > 0).collect());
        let c = self.candidates();
        let mut best: Option<(f64, &'a str)> = None;
        for (i, candidate) in c.bounds.iter().enumerate() {
            let score = match (&bound, candidate, &c.positions[i]) {
                (Some(a), Some(b), Some(positions)) => {
                    if !a.may_exceed(b, &distinct) {
                        continue;
                    }
                    jaro_winkler_positions(given.as_bytes(), c.lower[i].as_bytes(), positions)
                }
                _ => jaro_winkler(&given, &c.lower[i]),
            };
            // `max_by` keeps the last of equal maxima.
            if score > 0.8 && best.is_none_or(|(b, _)| score >= b) {
                best = Some((score, c.ids[i]));
            }
        }
        best.map(|(_, id)| id)
    }
}

/// Returns `strsim::jaro_winkler(a, b)`, bit for bit, computed on bytes (without allocating) when
/// both are ASCII and at most 64 long, as ids are.
fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || a.len() > 64 || b.len() > 64 || a.is_empty() || b.is_empty() {
        return strsim::jaro_winkler(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b));
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let lower = i.saturating_sub(range);
        let upper = b.len().min(i + range + 1);
        for (j, y) in b.iter().enumerate().take(upper).skip(lower) {
            if x == y && b_flags & (1 << j) == 0 {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0;
    for (i, x) in a.iter().enumerate() {
        if a_flags & (1 << i) != 0 {
            while b_flags & (1 << j) == 0 {
                j += 1;
            }
            if *x != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    winkler_score(a, b, matches, transpositions / 2)
}

/// The Jaro similarity from the matched characters and half-transpositions, with Winkler's
/// prefix bonus (as `strsim` computes it, operation for operation).
fn winkler_score(a: &[u8], b: &[u8], matches: usize, transpositions: usize) -> f64 {
    let m = matches as f64;
    let sim = (m / a.len() as f64 + m / b.len() as f64 + (matches - transpositions) as f64 / m) / 3.0;
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// [`jaro_winkler`] with `b`'s byte positions precomputed (`a` ASCII, both 1 to 64 long): the
/// same greedy matching (each character of `a` takes the first free equal one of `b` within the
/// window), so the same value bit for bit.
fn jaro_winkler_positions(a: &[u8], b: &[u8], b_positions: &[u64; 128]) -> f64 {
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let lower = i.saturating_sub(range);
        let upper = b.len().min(i + range + 1);
        if lower >= upper {
            continue;
        }
        let below_upper = if upper >= 64 { u64::MAX } else { (1u64 << upper) - 1 };
        let window = below_upper & !((1u64 << lower) - 1);
        let free = b_positions[usize::from(*x)] & window & !b_flags;
        if free != 0 {
            b_flags |= free & free.wrapping_neg();
            a_flags |= 1 << i;
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let (mut a_rest, mut b_rest) = (a_flags, b_flags);
    while a_rest != 0 {
        let (i, j) = (a_rest.trailing_zeros() as usize, b_rest.trailing_zeros() as usize);
        if a[i] != b[j] {
            transpositions += 1;
        }
        a_rest &= a_rest - 1;
        b_rest &= b_rest - 1;
    }
    winkler_score(a, b, matches, transpositions / 2)
}

fn cross_file_rules(ws: &mut Workspace, personas: &[PersonaSummary], tests: &[PathBuf], project: &Project) {
    let skills = &ws.summaries;
    let suggester = Suggester::new(skills.iter().map(|s| s.id.as_str()));
    let known: FxHashSet<&str> = skills.iter().map(|s| s.id.as_str()).collect();
    let mut diags = Vec::new();
    duplicate_ids(skills.iter().map(|s| (s.id.as_str(), &s.id_span, &s.path)), "skill", &mut diags);
    duplicate_ids(personas.iter().map(|p| (p.id.as_str(), &p.id_span, &p.path)), "persona", &mut diags);
    dependencies(skills, &suggester, &mut diags);
    cycles(skills, &mut diags);
    for persona in personas {
        for allowed in &persona.allowed_skills {
            if !known.contains(allowed.id.as_str()) {
                let mut d = Diagnostic::new(
                    &rules::UNKNOWN_ALLOWED_SKILL,
                    &persona.path,
                    Some(allowed.span.clone()),
                    format!("persona `{}` allows the unknown skill `{}`", persona.id, allowed.id),
                )
                .label("no skill has this id");
                if let Some(m) = suggester.suggest(&allowed.id) {
                    d = d.help(format!("did you mean `{m}`?"));
                }
                diags.push(d);
            }
        }
    }
    for test in tests {
        let name = test.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let id = name.trim_end_matches(".test.yaml").trim_end_matches(".test.yml");
        if !known.contains(id) {
            diags.push(
                Diagnostic::new(
                    &rules::INVALID_TEST_FILE,
                    test,
                    None,
                    format!("test file for the unknown skill `{id}`"),
                )
                .help("name the file after a skill: `skills/<id>.test.yaml`".to_string()),
            );
        }
    }
    let max_tokens = project.config.lint.max_prompt_tokens;
    for skill in skills {
        let tokens = skill.prompt_tokens;
        if tokens > max_tokens {
            diags.push(
                Diagnostic::new(
                    &rules::PROMPT_TOO_LARGE,
                    &skill.path,
                    Some(skill.id_span.clone()),
                    format!(
                        "the compiled prompt of `{}` is about {tokens} tokens, over the budget of {max_tokens}",
                        skill.id
                    ),
                )
                .help("move reference material into ERP knowledge documents, or raise `[lint] max_prompt_tokens`"),
            );
        }
    }
    ws.diagnostics.extend(diags);
}

fn duplicate_ids<'a>(
    items: impl Iterator<Item = (&'a str, &'a Range<usize>, &'a PathBuf)>,
    kind: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: FxHashMap<&str, &PathBuf> = FxHashMap::default();
    let mut items: Vec<_> = items.collect();
    // Files of one folder: comparing the paths as bytes orders them like `Path` does.
    items.sort_by(|a, b| a.2.as_os_str().cmp(b.2.as_os_str()));
    for (id, span, path) in items {
        if let Some(first) = seen.get(id) {
            diags.push(
                Diagnostic::new(
                    &rules::DUPLICATE_ID,
                    path,
                    Some(span.clone()),
                    format!("the {kind} id `{id}` is also defined in `{}`", first.display()),
                )
                .label("duplicate id")
                .note(format!("first defined in `{}`", first.display())),
            );
        } else {
            seen.insert(id, path);
        }
    }
}

fn dependencies(skills: &[Arc<SkillSummary>], suggester: &Suggester<'_>, diags: &mut Vec<Diagnostic>) {
    let by_id: FxHashMap<&str, &SkillSummary> = skills.iter().map(|s| (s.id.as_str(), &**s)).collect();
    // Suggestions for unresolved ids, each distinct id once, in parallel (the costly part).
    let mut unresolved: Vec<&str> = skills
        .iter()
        .flat_map(|s| &s.dependencies)
        .map(|d| d.id.as_str())
        .filter(|id| !by_id.contains_key(id) && !by_id.contains_key(normalize_id(id).as_str()))
        .collect();
    unresolved.sort_unstable();
    unresolved.dedup();
    let suggestions: FxHashMap<&str, Option<&str>> =
        unresolved.par_iter().map(|id| (*id, suggester.suggest(id))).collect();
    for skill in skills {
        for dep in &skill.dependencies {
            dependency(skill, dep, &by_id, &suggestions, diags);
        }
    }
}

fn dependency(
    skill: &SkillSummary,
    dep: &DependencySummary,
    by_id: &FxHashMap<&str, &SkillSummary>,
    suggestions: &FxHashMap<&str, Option<&str>>,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(target) = by_id.get(dep.id.as_str()) {
        if let Some(req) = &dep.req
            && !req.matches(&target.version)
        {
            diags.push(
                Diagnostic::new(
                    &rules::DEPENDENCY_VERSION,
                    &skill.path,
                    Some(dep.span.clone()),
                    format!("`{}` requires `{}` {req}, but the project has {}", skill.id, dep.id, target.version),
                )
                .label(format!("{} does not satisfy {req}", target.version))
                .help(format!(
                    "require `{}@^{}.{}` or change `{}`",
                    dep.id,
                    target.version.major,
                    target.version.minor,
                    target.path.display()
                )),
            );
        }
        if skill.status == Status::Active && matches!(target.status, Status::Deprecated | Status::Disabled) {
            diags.push(Diagnostic::new(
                &rules::DEPENDS_ON_INACTIVE,
                &skill.path,
                Some(dep.id_span.clone()),
                format!("`{}` depends on `{}`, which is {}", skill.id, dep.id, target.status.as_str()),
            ));
        }
    } else {
        let normalized = normalize_id(&dep.id);
        let mut d = Diagnostic::new(
            &rules::UNRESOLVED_DEPENDENCY,
            &skill.path,
            Some(dep.id_span.clone()),
            format!("dependency `{}` names no skill of the project", dep.id),
        )
        .label("unknown skill");
        if by_id.contains_key(normalized.as_str()) {
            d = d.help(format!("did you mean `{normalized}`?")).fix(
                format!("replace dependency `{}` with `{normalized}`", dep.id),
                vec![Edit { range: dep.id_span.clone(), replacement: normalized }],
            );
        } else if let Some(m) = suggestions.get(dep.id.as_str()).copied().flatten() {
            d = d.help(format!("did you mean `{m}`?"));
        }
        diags.push(d);
    }
}

/// Reports each dependency cycle once, at the dependency entry that closes it.
fn cycles(skills: &[Arc<SkillSummary>], diags: &mut Vec<Diagnostic>) {
    let index: FxHashMap<&str, usize> = skills.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; skills.len()];
    for start in 0..skills.len() {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (skill, next dependency to look at).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some((node, next)) = stack.last_mut() {
            let skill = &skills[*node];
            if let Some(dep) = skill.dependencies.get(*next) {
                *next += 1;
                let Some(&target) = index.get(dep.id.as_str()) else {
                    continue;
                };
                match state[target] {
                    0 => {
                        state[target] = 1;
                        stack.push((target, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut path: Vec<&str> = stack[from..].iter().map(|(n, _)| skills[*n].id.as_str()).collect();
                        path.push(&skills[target].id);
                        diags.push(
                            Diagnostic::new(
                                &rules::DEPENDENCY_CYCLE,
                                &skill.path,
                                Some(dep.span.clone()),
                                format!("dependency cycle: {}", path.join(" → ")),
                            )
                            .label("this dependency closes the cycle"),
                        );
                    }
                    _ => {}
                }
            } else {
                state[*node] = 2;
                stack.pop();
            }
        }
    }
}

fn config_rules(project: &Project, diags: &mut Vec<Diagnostic>) {
    let Some(config_path) = &project.config_path else {
        return;
    };
    let display = project.display_path(config_path).into_owned();
    let ctx = crate::tools::Catalog::new(&project.config.erp.entities, &std::collections::BTreeMap::new());
    let known = ctx.all_tool_names();
    let text = std::fs::read_to_string(config_path).unwrap_or_default();
    diags.extend(crate::lint::config::pasted_keys(&project.config, &text, &display));
    let names = project.config.tiers.keys().chain(project.config.limits.tools.keys());
    for name in names {
        if known.binary_search(name).is_err() {
            let span = text.find(name.as_str()).map(|i| i..i + name.len());
            let mut d = Diagnostic::new(
                &rules::CONFIG,
                &display,
                span,
                format!("the config names the tool `{name}`, which no permission grants"),
            );
            if let Some(m) = crate::text::did_you_mean(name, known.iter().map(String::as_str)) {
                d = d.help(format!("did you mean `{m}`?"));
            }
            diags.push(d);
        }
    }
}

/// Checks a test file's structure (the format of `agentb test`, with file:line spans) and
/// looks for pasted secrets.
fn check_test_source(src: &SourceFile, display: &Path) -> Vec<Diagnostic> {
    let (_, mut diags) = crate::testing::spec::parse(&src.text, display);
    diags.extend(crate::lint::secrets::scan(&src.text).into_iter().map(|s| {
        let shown = crate::lint::secrets::redact(&src.text[s.range.clone()]);
        Diagnostic::new(&rules::SECRET, display, Some(s.range), format!("this looks like {}: {shown}", s.kind))
            .label("possible secret")
    }));
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggester_answers_like_did_you_mean() {
        let nouns = ["brief", "timeline", "budget", "client", "risk", "pitch", "asset"];
        let verbs = ["creator", "estimator", "checker", "auditor", "planner", "monitor"];
        let ids: Vec<String> = (0..600).map(|i| format!("{}-{}-{i}", nouns[i % 7], verbs[(i / 7) % 6])).collect();
        let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let suggester = Suggester::new(ids.iter().map(String::as_str));
        let mut queries: Vec<String> = ids.iter().step_by(7).map(|id| id.replace('-', "_")).collect();
        queries.extend(ids.iter().step_by(11).map(|id| format!("{id}0")));
        queries.extend(ids.iter().step_by(13).map(|id| id[1..].to_owned()));
        queries.extend(["no-such-skill", "", "Brief-Creator-3", "ßkill-é", "zzz"].map(String::from));
        let mut suggested = 0;
        for q in &queries {
            let expected = crate::text::did_you_mean(q, sorted.iter().copied());
            assert_eq!(suggester.suggest(q), expected, "{q}");
            suggested += usize::from(expected.is_some());
        }
        assert!(suggested > queries.len() / 2, "the test should exercise suggestions");
    }

    #[test]
    fn jaro_winkler_is_strsims_bit_for_bit() {
        let words = [
            "brief-creator",
            "brief-creater",
            "timeline-estimator",
            "resource_scanner",
            "resource-scanner",
            "a",
            "ab",
            "ba",
            "abc",
            "cba",
            "dixon",
            "dicksonx",
            "martha",
            "marhta",
            "jellyfish",
            "smellyfish",
            "",
            "x",
            "report-tracker-4589",
            "report-tracker-4598",
            "risk-monitor-579",
            "risk-monitor-5379",
            "ÉCOLE",
            "école",
        ];
        for a in words {
            for b in words {
                let expected = strsim::jaro_winkler(a, b).to_bits();
                assert_eq!(jaro_winkler(a, b).to_bits(), expected, "{a} / {b}");
                if a.is_ascii() && b.is_ascii() && !a.is_empty() && !b.is_empty() {
                    let mut positions = [0u64; 128];
                    b.bytes().enumerate().for_each(|(i, c)| positions[usize::from(c)] |= 1 << i);
                    let fast = jaro_winkler_positions(a.as_bytes(), b.as_bytes(), &positions);
                    assert_eq!(fast.to_bits(), expected, "{a} / {b}");
                }
            }
        }
    }
}
