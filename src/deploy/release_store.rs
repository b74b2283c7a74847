//! The release store, `.agentbuilder/releases/` (SPEC §9): the artifact of every version ever
//! deployed, content-addressed, so that rollback, pin and abort work after the source changed
//! or was deleted. One file per artifact: `releases/<skill>/<version>+<hash16>.json`, holding
//! the artifact's exact bytes. Files are written atomically and never rewritten. Every file is
//! verified when it is read (SPEC §9): its `content_hash` must be the hash of its content, and
//! its id, version and hash must be the ones its place names, so a file edited by hand or
//! copied from another skill is refused before anything is sent.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::error::DeployError;
use crate::compile::Artifact;

/// How many hex digits of the content hash name a file.
const HASH_DIGITS: usize = 16;

/// The release store of a project.
#[derive(Debug, Clone)]
pub struct ReleaseStore {
    root: PathBuf,
}

/// One stored release, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub version: semver::Version,
    /// The first digits of the content hash (from the file name).
    pub hash_prefix: String,
    pub path: PathBuf,
}

impl ReleaseStore {
    /// Returns the store rooted at `root` (usually `.agentbuilder/releases`).
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// Returns the file an artifact is kept in.
    pub fn path_of(&self, id: &str, version: &semver::Version, hash: &str) -> PathBuf {
        let prefix = &hash[..hash.len().min(HASH_DIGITS)];
        self.root.join(id).join(format!("{version}+{prefix}.json"))
    }

    /// Keeps an artifact; a file already there (same content) is left alone.
    pub fn put(&self, artifact: &Artifact) -> Result<(), DeployError> {
        let path = self.path_of(&artifact.id, &artifact.version, &artifact.content_hash);
        if path.is_file() {
            return Ok(());
        }
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
        Ok(crate::fs::write_atomic(&path, &artifact.to_bytes())?)
    }

    /// Returns the artifact with this content hash, if kept.
    pub fn get(&self, id: &str, version: &semver::Version, hash: &str) -> Result<Option<Artifact>, DeployError> {
        let path = self.path_of(id, version, hash);
        if !path.is_file() {
            return Ok(None);
        }
        let artifact = read_kept(&path, id, version, &hash[..hash.len().min(HASH_DIGITS)])?;
        if artifact.content_hash != hash {
            return Err(DeployError::CorruptRelease { path, found: artifact.content_hash, expected: hash.to_owned() });
        }
        Ok(Some(artifact))
    }

    /// Returns the kept releases of a skill, oldest version first.
    pub fn list(&self, id: &str) -> Result<Vec<Stored>, DeployError> {
        let dir = self.root.join(id);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("failed to read `{}`", dir.display())).into()),
        };
        let mut stored = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("failed to read `{}`", dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".json") else { continue };
            let Some((version, hash)) = stem.rsplit_once('+') else { continue };
            let Ok(version) = semver::Version::parse(version) else { continue };
            stored.push(Stored { version, hash_prefix: hash.to_owned(), path: entry.path() });
        }
        stored.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.hash_prefix.cmp(&b.hash_prefix)));
        Ok(stored)
    }

    /// Returns the artifact of a version: the one with `hash` when several contents share the
    /// version and one is preferred, else the only one; an error lists what is kept otherwise.
    pub fn find_version(
        &self,
        id: &str,
        version: &semver::Version,
        prefer: Option<&str>,
    ) -> Result<Artifact, DeployError> {
        let all = self.list(id)?;
        let matching: Vec<&Stored> = all.iter().filter(|s| &s.version == version).collect();
        let chosen = prefer
            .and_then(|h| matching.iter().find(|s| h.starts_with(&s.hash_prefix)))
            .or_else(|| matching.last())
            .copied();
        if let Some(stored) = chosen {
            return read_kept(&stored.path, id, &stored.version, &stored.hash_prefix);
        }
        let kept: Vec<String> = all.iter().map(|s| s.version.to_string()).collect();
        Err(DeployError::VersionNotKept { skill: id.to_owned(), version: version.clone(), kept: dedup(kept) })
    }

    /// Returns the artifact of the newest kept version, if any.
    pub fn newest(&self, id: &str) -> Result<Option<Artifact>, DeployError> {
        match self.list(id)?.last() {
            Some(stored) => Ok(Some(read_kept(&stored.path, id, &stored.version, &stored.hash_prefix)?)),
            None => Ok(None),
        }
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.dedup();
    v
}

/// Reads the artifact kept at `path` as `id` at `version` with a hash beginning with
/// `hash_prefix`, verified: its recorded `content_hash` must be the hash recomputed from its
/// content, and its id, version and hash those of its place.
fn read_kept(path: &Path, id: &str, version: &semver::Version, hash_prefix: &str) -> Result<Artifact, DeployError> {
    let artifact = read(path)?;
    let computed = artifact.compute_content_hash();
    if computed != artifact.content_hash {
        return Err(DeployError::TamperedRelease { path: path.to_owned(), recorded: artifact.content_hash, computed });
    }
    if artifact.id != id || &artifact.version != version {
        return Err(DeployError::MisplacedRelease {
            path: path.to_owned(),
            found: format!("`{}` {}", artifact.id, artifact.version),
            expected: format!("`{id}` {version}"),
        });
    }
    if !artifact.content_hash.starts_with(hash_prefix) {
        let expected = hash_prefix.to_owned();
        return Err(DeployError::CorruptRelease { path: path.to_owned(), found: artifact.content_hash, expected });
    }
    Ok(artifact)
}

/// Reads an artifact file, unverified.
fn read(path: &Path) -> Result<Artifact, DeployError> {
    let bytes = std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| DeployError::InvalidArtifact { path: path.to_owned(), message: e.to_string() })
}

impl ReleaseStore {
    /// Returns the artifact the state names (`version` with content `hash`); a release the
    /// store does not hold is an error.
    pub fn require(&self, id: &str, version: &semver::Version, hash: &str) -> Result<Artifact, DeployError> {
        self.get(id, version, hash)?.ok_or_else(|| DeployError::MissingRelease {
            skill: id.to_owned(),
            version: version.clone(),
            hash: None,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn artifact(version: &str, prompt: &str) -> Artifact {
        let mut a: Artifact = serde_json::from_value(serde_json::json!({
            "format": 1, "id": "a", "name": "A", "version": version, "status": "active", "category": "c",
            "description": "d", "triggers": [{"event": "manual_invoke"}], "dependencies": [], "permissions": [],
            "input_schema": {}, "output_schema": {}, "tools": [], "system_prompt": prompt,
            "limits": {"max_turns": 1, "max_wall_secs": 1, "max_cost_usd": 1.0, "max_output_tokens": 1,
                       "tier_calls": {}, "tools": {}},
            "source_hash": "s", "content_hash": ""
        }))
        .unwrap();
        a.content_hash = a.compute_content_hash();
        a
    }

    #[test]
    fn keeps_and_finds_releases_by_version_and_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReleaseStore::new(dir.path().join("releases"));
        let one = artifact("1.0.0", "p1");
        let two = artifact("1.1.0", "p2");
        let two_again = artifact("1.1.0", "p2 changed");
        for a in [&one, &two, &two_again] {
            store.put(a).unwrap();
            store.put(a).unwrap();
        }
        assert_eq!(store.list("a").unwrap().len(), 3);
        assert_eq!(store.get("a", &one.version, &one.content_hash).unwrap().unwrap(), one);
        let v11 = semver::Version::new(1, 1, 0);
        assert_eq!(store.find_version("a", &v11, Some(&two.content_hash)).unwrap(), two);
        assert_eq!(store.find_version("a", &v11, Some(&two_again.content_hash)).unwrap(), two_again);
        let err = store.find_version("a", &semver::Version::new(9, 0, 0), None).unwrap_err();
        assert_eq!(err.hint().as_deref(), Some("kept versions: 1.0.0, 1.1.0"), "{err:#}");
        assert!(store.newest("a").unwrap().unwrap().version == v11);
        assert!(store.newest("b").unwrap().is_none());
    }

    #[test]
    fn a_file_edited_or_out_of_place_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReleaseStore::new(dir.path().join("releases"));
        let one = artifact("1.0.0", "p1");
        store.put(&one).unwrap();
        let path = store.path_of("a", &one.version, &one.content_hash);
        let original = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, original.replace("p1", "p2")).unwrap();
        let v1 = semver::Version::new(1, 0, 0);
        let err = store.require("a", &v1, &one.content_hash).unwrap_err();
        assert!(matches!(err, DeployError::TamperedRelease { .. }), "{err:#}");
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
        assert!(err.hint().unwrap().starts_with("restore `.agentbuilder/releases/` from git"), "{err:?}");
        let err = store.find_version("a", &v1, None).unwrap_err();
        assert!(matches!(err, DeployError::TamperedRelease { .. }), "{err:#}");
        // Another version's (valid) artifact in this version's place.
        let two = artifact("2.0.0", "p1");
        std::fs::write(&path, two.to_bytes()).unwrap();
        let err = store.find_version("a", &v1, None).unwrap_err();
        assert!(matches!(err, DeployError::MisplacedRelease { .. }), "{err:#}");
        assert!(err.to_string().contains("holds `a` 2.0.0, not `a` 1.0.0"), "{err}");
        assert!(matches!(store.newest("a").unwrap_err(), DeployError::MisplacedRelease { .. }));
    }
}
