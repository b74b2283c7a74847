//! Deployment state, `.agentbuilder/state.toml` (SPEC §9): per instance, org and skill, what is
//! deployed, how (latest or pinned), the canary, and the release history. Keys are sorted
//! (BTreeMaps) so the file diffs well in git; writes are atomic (temp file + rename); a lock on
//! `.agentbuilder/lock` makes a second agentb fail fast, naming the holder.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::DeployError;

/// The state file format version.
pub const SCHEMA: u32 = 1;

/// The whole state file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub schema: u32,
    /// Skill id → facts about the skill across instances (the canary salt).
    #[serde(default)]
    pub skills: BTreeMap<String, SkillMeta>,
    /// Instance name → org → skill id → deployment.
    #[serde(default)]
    pub instances: BTreeMap<String, BTreeMap<String, BTreeMap<String, Deployment>>>,
}

/// Facts about a skill that hold for every org.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillMeta {
    /// Random salt chosen at the first deploy; canary buckets depend on it.
    pub salt: String,
}

/// How an org follows new versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Deploys move the org to the newest version.
    #[default]
    Latest,
    /// The org stays on its version until unpinned.
    Pinned,
}

/// What happened in a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Deploy,
    Promote,
    Abort,
    Pin,
    Rollback,
}

/// One skill deployed to one org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    pub version: semver::Version,
    pub content_hash: String,
    #[serde(default)]
    pub strategy: Strategy,
    /// Set while this org runs a canary version; holds the baseline to return to on abort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<Canary>,
    #[serde(default)]
    pub history: Vec<Release>,
}

/// A canary in progress for one org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canary {
    pub percent: String,
    pub started_at: jiff::Timestamp,
    /// The version the org ran before the canary (absent when the canary created it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_version: Option<semver::Version>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_hash: Option<String>,
}

/// One entry of the release history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub version: semver::Version,
    pub hash: String,
    pub time: jiff::Timestamp,
    pub action: Action,
}

impl State {
    /// Reads the state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<Self, DeployError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self { schema: SCHEMA, ..Self::default() });
            }
            Err(e) => return Err(anyhow::Error::new(e).context(format!("failed to read `{}`", path.display())).into()),
        };
        let state: State = toml::from_str(&text).map_err(|e| {
            let (line, column) =
                e.span().map_or((1, 1), |span| crate::text::LineIndex::new(&text).line_col(&text, span.start));
            DeployError::InvalidState { path: path.to_owned(), line, column, message: e.message().trim().to_owned() }
        })?;
        if state.schema > SCHEMA {
            return Err(DeployError::NewerState { path: path.to_owned(), found: state.schema });
        }
        Ok(state)
    }

    /// Writes the state file atomically.
    pub fn save(&self, path: &Path) -> Result<(), DeployError> {
        let mut copy = self.clone();
        copy.schema = SCHEMA;
        let text = toml::to_string(&copy).map_err(anyhow::Error::from)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(anyhow::Error::from)?;
        }
        Ok(crate::fs::write_atomic(path, text.as_bytes())?)
    }

    /// Returns the deployment of a skill in an org.
    pub fn deployment(&self, instance: &str, org: &str, skill: &str) -> Option<&Deployment> {
        self.instances.get(instance)?.get(org)?.get(skill)
    }

    /// Returns the deployment of a skill in an org for changing, if any.
    pub fn deployment_mut(&mut self, instance: &str, org: &str, skill: &str) -> Option<&mut Deployment> {
        self.instances.get_mut(instance)?.get_mut(org)?.get_mut(skill)
    }

    /// Records a release: sets the deployed version and appends to the history.
    pub fn record(&mut self, instance: &str, org: &str, skill: &str, release: Release) {
        let orgs = self.instances.entry(instance.to_owned()).or_default();
        let skills = orgs.entry(org.to_owned()).or_default();
        let d = skills.entry(skill.to_owned()).or_insert_with(|| Deployment {
            version: release.version.clone(),
            content_hash: release.hash.clone(),
            strategy: Strategy::Latest,
            canary: None,
            history: Vec::new(),
        });
        d.version = release.version.clone();
        d.content_hash.clone_from(&release.hash);
        d.history.push(release);
    }

    /// Returns the content hash most recently released as `version` of `skill` on any instance
    /// and org: the content `pin`, `rollback --to` and `diff --against` mean by that version
    /// when several contents were deployed under it.
    pub fn latest_hash(&self, skill: &str, version: &semver::Version) -> Option<&str> {
        self.instances
            .values()
            .flat_map(BTreeMap::values)
            .filter_map(|skills| skills.get(skill))
            .flat_map(|d| &d.history)
            .filter(|r| &r.version == version)
            .max_by_key(|r| r.time)
            .map(|r| r.hash.as_str())
    }

    /// Returns the salt of a skill, choosing and storing a random one the first time.
    pub fn salt(&mut self, skill: &str) -> String {
        self.skills.entry(skill.to_owned()).or_insert_with(|| SkillMeta { salt: random_salt() }).salt.clone()
    }
}

fn random_salt() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// The exclusive lock of a project's state, held until dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock at `path` or fails at once, naming the holder's pid and command.
    pub fn acquire(path: &Path, command: &str) -> Result<Self, DeployError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(anyhow::Error::from)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| anyhow::Error::new(e).context(format!("failed to open the lock `{}`", path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who =
                    if holder.is_empty() { "another agentb".to_owned() } else { format!("another agentb ({holder})") };
                return Err(DeployError::Locked { holder: who, path: path.to_owned() });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(anyhow::Error::new(e).context(format!("failed to lock `{}`", path.display())).into());
            }
        }
        let note = |e: std::io::Error| anyhow::Error::new(e).context(format!("failed to write `{}`", path.display()));
        file.set_len(0).map_err(note)?;
        file.rewind().map_err(note)?;
        write!(file, "pid {}: `{command}`", std::process::id()).map_err(note)?;
        file.flush().map_err(note)?;
        Ok(Self { file, path: path.to_owned() })
    }

    /// Returns the lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(v: &str, action: Action) -> Release {
        Release { version: v.parse().unwrap(), hash: format!("h{v}"), time: jiff::Timestamp::UNIX_EPOCH, action }
    }

    #[test]
    fn round_trips_with_sorted_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        let mut state = State::load(&path).unwrap();
        state.record("local", "corp", "b-skill", release("1.0.0", Action::Deploy));
        state.record("local", "acme", "a-skill", release("1.0.0", Action::Deploy));
        state.record("local", "acme", "a-skill", release("1.1.0", Action::Deploy));
        let salt = state.salt("a-skill");
        assert_eq!(state.salt("a-skill"), salt, "the salt is chosen once");
        state.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.find("acme").unwrap() < text.find("corp").unwrap(), "{text}");
        let back = State::load(&path).unwrap();
        assert_eq!(back, State { schema: SCHEMA, ..state });
        let d = back.deployment("local", "acme", "a-skill").unwrap();
        assert_eq!(d.version.to_string(), "1.1.0");
        assert_eq!(d.history.len(), 2);
    }

    #[test]
    fn a_broken_or_newer_state_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        std::fs::write(&path, "schema = 1\n[[oops").unwrap();
        let err = State::load(&path).unwrap_err().to_string();
        assert!(err.contains("not a valid state file"), "{err}");
        // A hand edit names the line and column of the bad value.
        let text = "schema = 1\n\n[instances.local.acme.a]\nversion = \"1.0\"\ncontent_hash = \"h\"\n";
        std::fs::write(&path, text).unwrap();
        let err = State::load(&path).unwrap_err().to_string();
        assert!(err.contains(&format!("`{}:4:11` is not a valid state file", path.display())), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "nothing is rewritten");
        std::fs::write(&path, "schema = 99\n").unwrap();
        let err = State::load(&path).unwrap_err().to_string();
        assert!(err.contains("newer agentb"), "{err}");
    }

    #[test]
    fn a_second_lock_fails_fast_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let held = Lock::acquire(&path, "agentb deploy --yes").unwrap();
        let err = Lock::acquire(&path, "agentb deploy").unwrap_err().to_string();
        assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
        assert!(err.contains("agentb deploy --yes"), "{err}");
        drop(held);
        Lock::acquire(&path, "agentb deploy").unwrap();
    }
}
