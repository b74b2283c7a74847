//! [`ReleaseSession`]: what a release use-case works with — the instance, the state (under the
//! project's lock when it may be written), the release store and the one async runtime.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::error::DeployError;
use super::plan::{self, Plan, Subject};
use super::release_store::ReleaseStore;
use super::rollout::{self, Progress};
use super::state::{Deployment, Lock, State};
use crate::env::Env;
use crate::erp::{self, Instance};
use crate::workspace::Project;

/// An open instance with the project's state and release store.
pub struct ReleaseSession {
    pub instance: Instance,
    pub state: State,
    pub state_path: PathBuf,
    pub store: ReleaseStore,
    pub rt: tokio::runtime::Runtime,
    _lock: Option<Lock>,
}

/// What carrying out a plan did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplyReport {
    /// Items written to the ERP.
    pub written: usize,
    /// Items that only changed the state.
    pub recorded: usize,
    /// Items that needed nothing.
    pub unchanged: usize,
    pub seconds: f64,
    /// Failed items, unreadable orgs included (with `*` as the name).
    pub failures: Vec<Failure>,
    /// Orgs with at least one item written.
    #[serde(skip)]
    pub written_orgs: usize,
    /// The writes the plan held.
    pub planned: usize,
    /// Whether the rollout was stopped (Ctrl-C) before every write was tried.
    pub interrupted: bool,
}

/// One failed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub org: String,
    pub name: String,
    pub error: String,
}

impl ReleaseSession {
    /// Opens the project's instance `instance` (`None`: the default) and loads the state. With
    /// `lock` (the command line, written into the lock file) it takes the project's lock
    /// first: every use-case that may write the state does.
    pub fn open(project: &Project, env: &Env, instance: Option<&str>, lock: Option<&str>) -> Result<Self, DeployError> {
        let state_dir = project.state_dir();
        let lock = match lock {
            Some(command) => {
                let lock = Lock::acquire(&state_dir.join("lock"), command)?;
                // The state and releases are committed; the lock and the caches are not.
                project.ensure_state_gitignore()?;
                remove_stale_temp_files(&state_dir);
                Some(lock)
            }
            None => None,
        };
        // Without the lock nothing is written: a local instance is not created to be read.
        let instance = if lock.is_some() {
            erp::open(project, env, instance)?
        } else {
            erp::open_read_only(project, env, instance)?
        };
        Self::with_lock(instance, &state_dir, lock)
    }

    /// Returns a session over an open `instance` with the state and releases in `state_dir`
    /// (taking the lock there when `lock` is given): for tests and embedders.
    pub fn new(instance: Instance, state_dir: &Path, lock: Option<&str>) -> Result<Self, DeployError> {
        let lock = lock.map(|command| Lock::acquire(&state_dir.join("lock"), command)).transpose()?;
        Self::with_lock(instance, state_dir, lock)
    }

    fn with_lock(instance: Instance, state_dir: &Path, lock: Option<Lock>) -> Result<Self, DeployError> {
        let state_path = state_dir.join("state.toml");
        let state = State::load(&state_path)?;
        Ok(Self {
            instance,
            state,
            state_path,
            store: ReleaseStore::new(state_dir.join("releases")),
            rt: crate::rt::build()?,
            _lock: lock,
        })
    }

    /// Returns the instance's name.
    pub fn name(&self) -> &str {
        &self.instance.name
    }

    /// Returns every org of the instance (its config's `orgs`, else the orgs it lists).
    pub fn all_orgs(&self) -> Result<Vec<String>, DeployError> {
        let mut orgs = self
            .rt
            .block_on(self.instance.org_ids())
            .map_err(|source| DeployError::ListOrgs { instance: self.instance.name.clone(), source })?;
        orgs.sort();
        orgs.dedup();
        Ok(orgs)
    }

    /// Returns `names` checked against the instance's orgs, sorted, or all orgs when empty.
    pub fn named_orgs(&self, names: &[String]) -> Result<Vec<String>, DeployError> {
        let all = self.all_orgs()?;
        if names.is_empty() {
            return Ok(all);
        }
        let mut chosen = Vec::new();
        for name in names {
            if !all.contains(name) {
                return Err(DeployError::UnknownOrg {
                    instance: self.instance.name.clone(),
                    org: name.clone(),
                    suggestion: crate::text::did_you_mean(name, all.iter().map(String::as_str)).map(str::to_owned),
                    orgs: abbreviate(&all, 8),
                });
            }
            if !chosen.contains(name) {
                chosen.push(name.clone());
            }
        }
        chosen.sort();
        Ok(chosen)
    }

    /// Reads the live records of `orgs` (with their personas when `personas`), `concurrency`
    /// at a time; returns them and the orgs that could not be read.
    pub fn read_live(
        &self,
        orgs: &[String],
        personas: bool,
        concurrency: usize,
        progress: &dyn Progress,
    ) -> (BTreeMap<String, plan::Live>, Vec<(String, String)>) {
        self.rt.block_on(rollout::read_live(&self.instance.erp, orgs, personas, concurrency, progress))
    }

    /// Returns the orgs running a canary of `skill`, with their deployments.
    pub fn canary_orgs(&self, skill: &str) -> Vec<(String, Deployment)> {
        self.state
            .instances
            .get(&self.instance.name)
            .into_iter()
            .flatten()
            .filter_map(|(org, skills)| {
                skills.get(skill).filter(|d| d.canary.is_some()).map(|d| (org.clone(), d.clone()))
            })
            .collect()
    }

    /// Carries out a plan: keeps its artifacts in the release store, writes its changes
    /// `concurrency` at a time and records each success in the state (saved as it goes).
    pub fn apply(
        &mut self,
        plan: Plan,
        concurrency: usize,
        progress: &dyn Progress,
    ) -> Result<ApplyReport, DeployError> {
        let mut kept = HashSet::new();
        for item in plan.items.iter().filter(|i| i.changes_anything()) {
            if let Subject::Skill(a) = &item.subject
                && kept.insert(a.content_hash.clone())
            {
                self.store.put(a)?;
            }
        }
        let started = Instant::now();
        let erp = Arc::clone(&self.instance.erp);
        let outcome = self.rt.block_on(rollout::apply(
            &erp,
            plan,
            &self.instance.name,
            &mut self.state,
            &self.state_path,
            concurrency,
            progress,
        ))?;
        Ok(ApplyReport {
            written: outcome.written,
            recorded: outcome.recorded,
            unchanged: outcome.unchanged,
            seconds: started.elapsed().as_secs_f64(),
            failures: outcome.failures.into_iter().map(|(org, name, error)| Failure { org, name, error }).collect(),
            written_orgs: outcome.written_orgs,
            planned: outcome.planned,
            interrupted: outcome.interrupted,
        })
    }
}

/// Returns up to `n` names joined, and how many more there are.
pub fn abbreviate(names: &[String], n: usize) -> String {
    if names.len() <= n { names.join(", ") } else { format!("{} and {} more", names[..n].join(", "), names.len() - n) }
}

/// Returns `1 org`, `2 orgs`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// Removes the temporary files an agentb killed in the middle of an atomic write left in
/// `.agentbuilder/` and `.agentbuilder/releases/*/` (only called under the lock, so no write is
/// in progress there).
fn remove_stale_temp_files(state_dir: &Path) {
    let mut dirs = vec![state_dir.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(state_dir.join("releases")) {
        dirs.extend(entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()));
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.filter_map(Result::ok) {
            if entry.file_name().to_string_lossy().starts_with(".tmp") && entry.path().is_file() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}
