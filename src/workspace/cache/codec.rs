//! The binary layout of the cache index. JSON of a 10,000-skill project takes longer to parse
//! than everything else a warm `agentb compile` does, so the index is a flat little-endian
//! layout: length-prefixed UTF-8 strings, fixed-width integers, raw hash bytes. A file's
//! diagnostics (rare) are embedded as one JSON string.
//!
//! Reading never panics and never trusts a length: every read is bounds-checked, and any
//! inconsistency makes the whole index unusable (the cache is then ignored).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ArtifactDir, ArtifactFile, CrossFile, FileEntry, Index, Stamp};
use crate::lint::Diagnostic;
use crate::skill::model::Status;
use crate::workspace::load::{AllowedSkill, DependencySummary, FileKind, PersonaSummary, SkillSummary};

/// The first bytes of an index file; the last is the layout version, raised whenever the layout
/// or the serde form of a diagnostic changes (an index of another version is ignored).
const MAGIC: &[u8; 16] = b"agentb-cache\0\0\0\x02";

/// Appends values to a buffer.
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn len(&mut self, n: usize) -> Option<()> {
        self.u32(u32::try_from(n).ok()?);
        Some(())
    }

    fn str(&mut self, s: &str) -> Option<()> {
        self.len(s.len())?;
        self.buf.extend_from_slice(s.as_bytes());
        Some(())
    }

    fn path(&mut self, p: &Path) -> Option<()> {
        self.str(p.to_str()?)
    }

    fn span(&mut self, r: &Range<usize>) -> Option<()> {
        self.u32(u32::try_from(r.start).ok()?);
        self.u32(u32::try_from(r.end).ok()?);
        Some(())
    }

    /// Writes a hex digest as its bytes (`N` bytes).
    fn hex<const N: usize>(&mut self, hex: &str) -> Option<()> {
        let mut bytes = [0u8; N];
        hex::decode_to_slice(hex, &mut bytes).ok()?;
        self.buf.extend_from_slice(&bytes);
        Some(())
    }

    fn stamp(&mut self, s: &Stamp) {
        self.u64(s.size);
        self.i64(s.mtime);
        self.i64(s.ctime);
        self.u64(s.ino);
    }
}

/// Reads values from a buffer; `None` on any inconsistency.
struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.array()?))
    }

    /// Reads a count of items that take at least `min_size` bytes each, refusing counts the
    /// rest of the buffer cannot hold (so a corrupted count never allocates much).
    fn count(&mut self, min_size: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.saturating_mul(min_size) <= self.buf.len()).then_some(n)
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    fn span(&mut self) -> Option<Range<usize>> {
        let start = self.u32()? as usize;
        let end = self.u32()? as usize;
        Some(start..end)
    }

    fn hex<const N: usize>(&mut self) -> Option<String> {
        let bytes = self.array::<N>()?;
        // `hex::encode` goes character by character; this is several times faster.
        let mut out = vec![0u8; 2 * N];
        hex::encode_to_slice(bytes, &mut out).ok()?;
        String::from_utf8(out).ok()
    }

    fn stamp(&mut self) -> Option<Stamp> {
        Some(Stamp { size: self.u64()?, mtime: self.i64()?, ctime: self.i64()?, ino: self.u64()? })
    }
}

/// The header of an index: what decides whether it can be used at all.
pub(super) struct Header<'a> {
    pub identity: &'a str,
    pub fingerprint: &'a str,
    pub started: i64,
}

/// Encodes an index; `None` when a value cannot be represented (a path that is not UTF-8, a
/// span past 4 GiB), in which case no index is written.
pub(super) fn encode<'a>(
    header: &Header<'_>,
    files: impl ExactSizeIterator<Item = &'a FileEntry>,
    cross_file: Option<&CrossFile>,
    artifacts: &[(&Path, Vec<&ArtifactFile>)],
) -> Option<Vec<u8>> {
    let mut w = Writer { buf: Vec::with_capacity(files.len() * 256 + 1024) };
    w.buf.extend_from_slice(MAGIC);
    w.str(header.identity)?;
    w.str(header.fingerprint)?;
    w.i64(header.started);
    w.len(files.len())?;
    for file in files {
        w.path(&file.path)?;
        w.u8(match file.kind {
            FileKind::Skill => 0,
            FileKind::Persona => 1,
            FileKind::Test => 2,
        });
        w.stamp(&file.stamp);
        w.hex::<32>(&file.hash)?;
        if file.diagnostics.is_empty() {
            w.str("")?;
        } else {
            w.str(&serde_json::to_string(&file.diagnostics).ok()?)?;
        }
        match &file.skill {
            None => w.u8(0),
            Some(s) => {
                w.u8(1);
                w.str(&s.id)?;
                w.span(&s.id_span)?;
                w.str(&s.version.to_string())?;
                w.u8(Status::ALL.iter().position(|x| *x == s.status)? as u8);
                w.len(s.dependencies.len())?;
                for d in &s.dependencies {
                    w.str(&d.id)?;
                    match &d.req {
                        None => w.u8(0),
                        Some(req) => {
                            w.u8(1);
                            w.str(&req.to_string())?;
                        }
                    }
                    w.span(&d.span)?;
                    w.span(&d.id_span)?;
                }
                w.u64(s.prompt_tokens as u64);
            }
        }
        match &file.persona {
            None => w.u8(0),
            Some(p) => {
                w.u8(1);
                w.str(&p.id)?;
                w.span(&p.id_span)?;
                w.len(p.allowed_skills.len())?;
                for a in &p.allowed_skills {
                    w.str(&a.id)?;
                    w.span(&a.span)?;
                }
            }
        }
    }
    match cross_file {
        None => w.u8(0),
        Some(cross) => {
            w.u8(1);
            w.str(&serde_json::to_string(cross).ok()?)?;
        }
    }
    w.len(artifacts.len())?;
    for (dir, files) in artifacts {
        w.path(dir)?;
        w.len(files.len())?;
        for f in files {
            w.str(&f.name)?;
            w.hex::<16>(&f.key)?;
            w.hex::<32>(&f.content_hash)?;
            w.stamp(&f.stamp);
        }
    }
    Some(w.buf)
}

/// Decodes the header, so an index for another build or config is rejected before the rest is
/// decoded.
pub(super) fn header(bytes: &[u8]) -> Option<(Header<'_>, &[u8])> {
    let mut r = Reader { buf: bytes };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let header = Header { identity: r.str()?, fingerprint: r.str()?, started: r.i64()? };
    Some((header, r.buf))
}

/// Decodes the body that follows the header.
pub(super) fn body(bytes: &[u8], started: i64) -> Option<Index> {
    let mut r = Reader { buf: bytes };
    let n = r.count(64)?;
    let mut files = Vec::with_capacity(n);
    for _ in 0..n {
        let path = PathBuf::from(r.str()?);
        let kind = match r.u8()? {
            0 => FileKind::Skill,
            1 => FileKind::Persona,
            2 => FileKind::Test,
            _ => return None,
        };
        let stamp = r.stamp()?;
        let hash = r.hex::<32>()?;
        let diagnostics = match r.str()? {
            "" => Vec::new(),
            json => serde_json::from_str::<Vec<Diagnostic>>(json).ok()?,
        };
        let skill = match r.u8()? {
            0 => None,
            1 => Some(Arc::new(skill(&mut r, &path, &hash)?)),
            _ => return None,
        };
        let persona = match r.u8()? {
            0 => None,
            1 => {
                let id = r.string()?;
                let id_span = r.span()?;
                let n = r.count(12)?;
                let mut allowed_skills = Vec::with_capacity(n);
                for _ in 0..n {
                    allowed_skills.push(AllowedSkill { id: r.string()?, span: r.span()? });
                }
                Some(Arc::new(PersonaSummary { path: path.clone(), id, id_span, allowed_skills }))
            }
            _ => return None,
        };
        files.push(FileEntry { path, kind, stamp, hash, diagnostics, skill, persona });
    }
    let cross_file = match r.u8()? {
        0 => None,
        1 => Some(serde_json::from_str::<CrossFile>(r.str()?).ok()?),
        _ => return None,
    };
    let n = r.count(8)?;
    let mut artifacts = Vec::with_capacity(n);
    for _ in 0..n {
        let dir = PathBuf::from(r.str()?);
        let n = r.count(84)?;
        let mut group = Vec::with_capacity(n);
        for _ in 0..n {
            group.push(ArtifactFile {
                name: r.string()?,
                key: r.hex::<16>()?,
                content_hash: r.hex::<32>()?,
                stamp: r.stamp()?,
            });
        }
        artifacts.push(ArtifactDir { dir, files: group });
    }
    r.buf.is_empty().then_some(Index { started, files, cross_file, artifacts })
}

fn skill(r: &mut Reader<'_>, path: &Path, hash: &str) -> Option<SkillSummary> {
    let id = r.string()?;
    let id_span = r.span()?;
    let version = semver::Version::parse(r.str()?).ok()?;
    let status = *Status::ALL.get(usize::from(r.u8()?))?;
    let n = r.count(21)?;
    let mut dependencies = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.string()?;
        let req = match r.u8()? {
            0 => None,
            1 => Some(semver::VersionReq::parse(r.str()?).ok()?),
            _ => return None,
        };
        dependencies.push(DependencySummary { id, req, span: r.span()?, id_span: r.span()? });
    }
    let prompt_tokens = usize::try_from(r.u64()?).ok()?;
    Some(SkillSummary {
        path: path.to_owned(),
        id,
        id_span,
        version,
        status,
        dependencies,
        prompt_tokens,
        source_hash: hash.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Edit, rules};

    fn entry() -> FileEntry {
        let hash = "ab".repeat(32);
        FileEntry {
            path: PathBuf::from("skills/a.md"),
            kind: FileKind::Skill,
            stamp: Stamp { size: 3, mtime: -5, ctime: 7, ino: 9 },
            hash: hash.clone(),
            diagnostics: vec![
                Diagnostic::new(&rules::UNKNOWN_KEY, Path::new("skills/a.md"), Some(4..5), "unknown key `x`")
                    .help("did you mean `id`?")
                    .note("n")
                    .fix("rename it", vec![Edit { range: 4..5, replacement: "id".into() }]),
            ],
            skill: Some(Arc::new(SkillSummary {
                path: PathBuf::from("skills/a.md"),
                id: "a".into(),
                id_span: 8..9,
                version: semver::Version::parse("1.2.3-rc.1").unwrap(),
                status: Status::Deprecated,
                dependencies: vec![
                    DependencySummary {
                        id: "b".into(),
                        req: Some(semver::VersionReq::parse("^1.0").unwrap()),
                        span: 10..16,
                        id_span: 10..11,
                    },
                    DependencySummary { id: "c".into(), req: None, span: 20..21, id_span: 20..21 },
                ],
                prompt_tokens: 812,
                source_hash: hash,
            })),
            persona: None,
        }
    }

    #[test]
    fn round_trips() {
        let persona = FileEntry {
            path: PathBuf::from("personas/p.md"),
            kind: FileKind::Persona,
            diagnostics: Vec::new(),
            skill: None,
            persona: Some(Arc::new(PersonaSummary {
                path: PathBuf::from("personas/p.md"),
                id: "p".into(),
                id_span: 1..2,
                allowed_skills: vec![AllowedSkill { id: "a".into(), span: 3..4 }],
            })),
            ..entry()
        };
        let artifact = ArtifactFile {
            name: "a@1.2.3.json".into(),
            key: "0f".repeat(16),
            content_hash: "1e".repeat(32),
            stamp: Stamp { size: 1, mtime: 2, ctime: 3, ino: 4 },
        };
        let files = [entry(), persona];
        let header = Header { identity: "id", fingerprint: "fp", started: 42 };
        let cross = CrossFile { uncached: "d".into(), diagnostics: vec![entry().diagnostics[0].clone()] };
        let bytes = encode(&header, files.iter(), Some(&cross), &[(Path::new("/out"), vec![&artifact])]).unwrap();
        let (decoded, rest) = self::header(&bytes).unwrap();
        assert_eq!((decoded.identity, decoded.fingerprint, decoded.started), ("id", "fp", 42));
        let index = body(rest, 42).unwrap();
        assert_eq!(index.files, files);
        assert_eq!(index.cross_file, Some(cross));
        assert_eq!(index.artifacts.len(), 1);
        assert_eq!(index.artifacts[0].dir, Path::new("/out"));
        assert_eq!(index.artifacts[0].files, vec![artifact]);
    }

    #[test]
    fn an_index_of_another_layout_version_is_refused() {
        let header = Header { identity: "id", fingerprint: "fp", started: 1 };
        let mut bytes = encode(&header, [entry()].iter(), None, &[]).unwrap();
        bytes[MAGIC.len() - 1] = 1;
        assert!(self::header(&bytes).is_none());
    }

    #[test]
    fn damage_is_refused_not_panicked_on() {
        let files = [entry()];
        let header = Header { identity: "id", fingerprint: "fp", started: 1 };
        let bytes = encode(&header, files.iter(), None, &[]).unwrap();
        for cut in 0..bytes.len() {
            let decoded = self::header(&bytes[..cut]).and_then(|(_, rest)| body(rest, 1));
            assert!(decoded.is_none(), "a truncated index at {cut} decoded");
        }
        let mut flipped = bytes.clone();
        let at = flipped.len() - 9;
        flipped[at] ^= 0xff;
        let _ = self::header(&flipped).and_then(|(_, rest)| body(rest, 1));
        let mut huge = bytes;
        let count_at = MAGIC.len() + 4 + 2 + 4 + 2 + 8;
        huge[count_at..count_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(self::header(&huge).and_then(|(_, rest)| body(rest, 1)).is_none());
    }
}
