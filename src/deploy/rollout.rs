//! Rollouts: reading the live records of many orgs and carrying out a [`Plan`] against an ERP
//! instance with bounded concurrency. A failure in one org never stops the others; the state
//! records exactly the items that succeeded and is saved atomically as results arrive, so a
//! process killed at any moment leaves a state that parses, and the next run finishes the job.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;

use super::error::DeployError;
use super::plan::{Change, Item, Live, LiveSkill, Plan, Subject, apply_to_state, skill_record};
use super::state::State;
use crate::erp::{AGENT_SKILLS, AgentSkill, Erp, ErpError, ErpExt as _, ListQuery};

/// How often the state is saved while results arrive.
const SAVE_EVERY: Duration = Duration::from_millis(250);

/// A step of a release that reports progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading the live records, one unit per org.
    Read,
    /// Writing the changes, one unit per change.
    Write,
}

/// Where a rollout reports its progress (the CLI draws bars; `()` reports nowhere).
pub trait Progress {
    /// A step of `len` units starts.
    fn start(&self, step: Step, len: u64);
    /// One unit is done.
    fn inc(&self);
    /// The step is over.
    fn finish(&self);
    /// Returns whether to stop starting writes (Ctrl-C): the ones in flight finish, the
    /// state is saved, and the outcome says the rollout was interrupted.
    fn stopped(&self) -> bool {
        false
    }
}

impl Progress for () {
    fn start(&self, _: Step, _: u64) {}
    fn inc(&self) {}
    fn finish(&self) {}
}

/// Reads the live skills (and, with `personas`, personas) of each org, `concurrency` orgs at a
/// time. Returns what could be read and, separately, the orgs that failed with the reason.
pub async fn read_live(
    erp: &Arc<dyn Erp>,
    orgs: &[String],
    personas: bool,
    concurrency: usize,
    progress: &dyn Progress,
) -> (BTreeMap<String, Live>, Vec<(String, String)>) {
    progress.start(Step::Read, orgs.len() as u64);
    let results: Vec<(String, Result<Live, ErpError>)> = futures_util::stream::iter(orgs.iter().cloned())
        .map(|org| {
            let erp = Arc::clone(erp);
            async move {
                let result = async {
                    // Only what a plan needs is kept; the records (with their definitions) go.
                    let records = erp.list_all(&org, AGENT_SKILLS, ListQuery::new()).await?;
                    let skills = records.iter().filter_map(LiveSkill::of).collect();
                    drop(records);
                    let personas = if personas {
                        erp.personas(&org).await?.into_iter().map(|p| (p.slug.clone(), p)).collect()
                    } else {
                        BTreeMap::new()
                    };
                    Ok(Live { skills, personas })
                }
                .await;
                (org, result)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .inspect(|_| progress.inc())
        .collect()
        .await;
    progress.finish();
    let mut live = BTreeMap::new();
    let mut failed = Vec::new();
    for (org, result) in results {
        match result {
            Ok(l) => {
                live.insert(org, l);
            }
            Err(e) => failed.push((org, e.to_string())),
        }
    }
    failed.sort();
    (live, failed)
}

/// The outcome of carrying out a plan.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Items written to the ERP.
    pub written: usize,
    /// Orgs with at least one item written.
    pub written_orgs: usize,
    /// Items that only changed the state.
    pub recorded: usize,
    /// Items that needed nothing.
    pub unchanged: usize,
    /// Failed items (org, name, reason), sorted; unreadable orgs included.
    pub failures: Vec<(String, String, String)>,
    /// The writes the plan holds.
    pub planned: usize,
    /// Whether [`Progress::stopped`] stopped the rollout before every write was tried.
    pub interrupted: bool,
}

/// Carries out `plan`: writes its changing items `concurrency` at a time, applies each success
/// to `state`, and saves the state to `state_path` as results arrive and at the end. The plan's
/// [`Plan::finally`] items are applied last, when its condition holds.
pub async fn apply(
    erp: &Arc<dyn Erp>,
    plan: Plan,
    instance: &str,
    state: &mut State,
    state_path: &Path,
    concurrency: usize,
    progress: &dyn Progress,
) -> Result<Outcome, DeployError> {
    let mut outcome = Outcome::default();
    for (org, reason) in &plan.unreadable {
        outcome.failures.push((org.clone(), "*".to_owned(), format!("cannot read its records: {reason}")));
    }
    let now = jiff::Timestamp::now();
    let mut dirty = false;
    let mut writes = Vec::new();
    let finally = plan.finally;
    for item in plan.items {
        if item.change.writes() {
            writes.push(item);
        } else if item.changes_anything() {
            dirty |= apply_to_state(state, instance, &item, now);
            outcome.recorded += 1;
        } else if matches!(item.change, Change::Unchanged | Change::UnchangedPinned) {
            outcome.unchanged += 1;
        }
    }
    if dirty {
        state.save(state_path)?;
        dirty = false;
    }
    progress.start(Step::Write, writes.len() as u64);
    outcome.planned = writes.len();
    // One record per artifact, however many orgs it goes to.
    let mut records: std::collections::HashMap<String, Arc<AgentSkill>> = std::collections::HashMap::new();
    for item in &writes {
        if let Subject::Skill(a) = &item.subject {
            records.entry(a.content_hash.clone()).or_insert_with(|| Arc::new(skill_record(a)));
        }
    }
    let mut results = futures_util::stream::iter(writes)
        .take_while(|_| std::future::ready(!progress.stopped()))
        .map(|item| {
            let erp = Arc::clone(erp);
            let record = match &item.subject {
                Subject::Skill(a) => records.get(&a.content_hash).cloned(),
                Subject::Persona(_) => None,
            };
            async move {
                let result = write(&*erp, &item, record.as_deref()).await;
                (item, result)
            }
        })
        .buffer_unordered(concurrency.max(1));
    let mut last_save = Instant::now();
    let mut written_orgs = std::collections::HashSet::new();
    let mut tried = 0;
    while let Some((item, result)) = results.next().await {
        progress.inc();
        tried += 1;
        match result {
            Ok(()) => {
                outcome.written += 1;
                if !written_orgs.contains(&item.org) {
                    written_orgs.insert(item.org.clone());
                }
                dirty |= apply_to_state(state, instance, &item, jiff::Timestamp::now());
            }
            Err(e) => outcome.failures.push((item.org.clone(), item.name().to_owned(), e.to_string())),
        }
        if dirty && last_save.elapsed() >= SAVE_EVERY {
            state.save(state_path)?;
            dirty = false;
            last_save = Instant::now();
        }
    }
    drop(results);
    progress.finish();
    outcome.interrupted = tried < outcome.planned;
    if let Some(finally) = finally
        && finally.holds(state, instance)
    {
        let now = jiff::Timestamp::now();
        for item in &finally.items {
            dirty |= apply_to_state(state, instance, item, now);
        }
    }
    if dirty {
        state.save(state_path)?;
    }
    outcome.failures.sort();
    outcome.written_orgs = written_orgs.len();
    Ok(outcome)
}

/// Writes one item to the ERP; `record` is the skill record of a skill item.
async fn write(erp: &dyn Erp, item: &Item, record: Option<&AgentSkill>) -> Result<(), ErpError> {
    match (&item.subject, &item.change) {
        (Subject::Skill(artifact), Change::Remove) => {
            if let Some(live) = erp.skill(&item.org, &artifact.id).await? {
                erp.delete(&item.org, AGENT_SKILLS, &live.id).await?;
            }
            Ok(())
        }
        (Subject::Skill(artifact), _) => match record {
            Some(record) => erp.upsert_skill(&item.org, record).await.map(drop),
            None => erp.upsert_skill(&item.org, &skill_record(artifact)).await.map(drop),
        },
        (Subject::Persona(persona), _) => erp.upsert_persona(&item.org, persona).await.map(drop),
    }
}
