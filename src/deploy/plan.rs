//! Plans (SPEC §9): what a deploy, promote, abort, pin or rollback would do, per org and skill
//! or persona, computed from the compiled targets, the state and the live records — before
//! anything is written. A plan item says whether it costs a write and how the state changes
//! when it succeeds; [`super::rollout`] carries it out.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize as _, Serialize};

use super::state::{Action, Canary, Deployment, State, Strategy};
use crate::compile::Artifact;
use crate::erp::{AgentPersona, AgentSkill};
use crate::skill::model::Status;

/// What the ERP holds for one org: its skills (what a plan needs of them) and personas, by slug.
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub skills: BTreeMap<String, LiveSkill>,
    pub personas: BTreeMap<String, AgentPersona>,
}

/// What a plan needs of a live skill record; the definition (the artifact, most of the bytes)
/// is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSkill {
    pub id: String,
    pub version: String,
    /// The record's `contentHash` field, as it says.
    pub content_hash: String,
    /// The hash recomputed from the record's `definition`; `None` when that is not an artifact.
    pub definition_hash: Option<String>,
    pub is_enabled: bool,
}

/// Returns the content hash recomputed from a record's `definition`, if it is an artifact.
fn definition_hash(definition: Option<&serde_json::Value>) -> Option<String> {
    let artifact = Artifact::deserialize(definition?).ok()?;
    Some(artifact.compute_content_hash())
}

impl LiveSkill {
    /// Returns the fields of a live record, or `None` when it has no `slug`; missing fields
    /// read as empty (and `isEnabled` as true, like the contract's default).
    pub fn of(record: &crate::erp::Record) -> Option<(String, Self)> {
        let text = |k: &str| record.get(k).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
        let slug = record.get("slug")?.as_str()?.to_owned();
        let skill = Self {
            id: text("id"),
            version: text("version"),
            content_hash: text("contentHash"),
            definition_hash: definition_hash(record.get("definition")),
            is_enabled: record.get("isEnabled").and_then(serde_json::Value::as_bool).unwrap_or(true),
        };
        Some((slug, skill))
    }

    /// Returns the hash by which the record differs from the content `hash`, if it does: its
    /// `contentHash` field, else the hash recomputed from its `definition` (empty when that is
    /// not an artifact). The field alone is never trusted: a definition edited by hand with
    /// its `contentHash` left differs too.
    pub fn differing_hash(&self, hash: &str) -> Option<&str> {
        if self.content_hash != hash {
            return Some(&self.content_hash);
        }
        match &self.definition_hash {
            Some(h) if h == hash => None,
            Some(h) => Some(h),
            None => Some(""),
        }
    }
}

impl From<&AgentSkill> for LiveSkill {
    fn from(s: &AgentSkill) -> Self {
        Self {
            id: s.id.clone(),
            version: s.version.clone(),
            content_hash: s.content_hash.clone(),
            definition_hash: definition_hash(Some(&s.definition)),
            is_enabled: s.is_enabled,
        }
    }
}

/// What one item does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "change")]
pub enum Change {
    /// The record does not exist yet.
    Create,
    /// The record moves from one version to another (or is repaired at the same version).
    Update { from: String },
    /// The record moves to an older version than the one it holds.
    Downgrade { from: String },
    /// The record was disabled by hand in the ERP; the write enables it again (at `from` or a
    /// new version).
    Reenable { from: String },
    /// The record is already as wanted.
    Unchanged,
    /// The ERP already holds the wanted record but the state does not know it yet (an earlier
    /// run stopped after the write): only the state is written.
    Record,
    /// The org is pinned, to the wanted version: nothing to do.
    UnchangedPinned,
    /// The org is pinned to another version.
    SkippedPinned { pinned: String },
    /// The org is outside the canary and keeps what it runs.
    SkippedCanary,
    /// The record is removed (abort of a canary that created it).
    Remove,
}

impl Change {
    /// Returns whether the item writes to the ERP.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Change::Create
                | Change::Update { .. }
                | Change::Downgrade { .. }
                | Change::Reenable { .. }
                | Change::Remove
        )
    }

    /// Returns whether the item changes anything (ERP or state).
    pub fn changes(&self) -> bool {
        self.writes() || matches!(self, Change::Record)
    }
}

/// What the record is.
#[derive(Debug, Clone)]
pub enum Subject {
    Skill(Arc<Artifact>),
    Persona(Box<AgentPersona>),
}

/// How the canary marker of a deployment changes.
#[derive(Debug, Clone, PartialEq)]
pub enum CanaryMark {
    Keep,
    Set(Canary),
    Clear,
}

/// How the state changes when a skill item succeeds.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChange {
    pub action: Action,
    pub strategy: Option<Strategy>,
    pub canary: CanaryMark,
    /// Append a history entry even when the hash stays (an explicit pin).
    pub always_record: bool,
}

/// One org × skill (or persona) of a plan.
#[derive(Debug, Clone)]
pub struct Item {
    pub org: String,
    pub subject: Subject,
    pub change: Change,
    /// `None` for personas and for items that leave the state alone.
    pub state: Option<StateChange>,
}

impl Item {
    /// Returns the skill or persona id.
    pub fn name(&self) -> &str {
        match &self.subject {
            Subject::Skill(a) => &a.id,
            Subject::Persona(p) => &p.slug,
        }
    }

    /// Returns `skill` or `persona`.
    pub fn kind(&self) -> &'static str {
        match &self.subject {
            Subject::Skill(_) => "skill",
            Subject::Persona(_) => "persona",
        }
    }

    /// Returns the version the item deploys (`-` for personas).
    pub fn to_version(&self) -> String {
        match &self.subject {
            Subject::Skill(a) => a.version.to_string(),
            Subject::Persona(_) => "-".to_owned(),
        }
    }

    /// Returns whether the item changes the ERP or the state.
    pub fn changes_anything(&self) -> bool {
        self.change.changes() || self.state_only_change()
    }

    /// Returns whether an unchanged item still moves a canary marker or strategy.
    pub fn state_only_change(&self) -> bool {
        matches!(&self.state, Some(s) if s.canary != CanaryMark::Keep || s.strategy.is_some() || s.always_record)
            && self.change == Change::Unchanged
    }
}

/// A whole plan.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// What the plan does, e.g. ``deploy to instance `local`, 4 orgs``.
    pub title: String,
    pub items: Vec<Item>,
    /// Orgs whose live records could not be read, with the reason; they are reported as
    /// failures and retried by the next run.
    pub unreadable: Vec<(String, String)>,
    /// The orgs of a canary, per skill id (empty unless the plan starts or grows a canary).
    pub canary: BTreeMap<String, Vec<String>>,
    /// How many orgs the plan considered.
    pub org_count: usize,
    /// Facts found while planning that change nothing but are worth saying.
    pub notes: Vec<Note>,
    /// State-only items applied after every other item, when their condition holds.
    pub finally: Option<Finally>,
}

/// A fact found while planning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A `--plan` of a canary of a skill never deployed: the deploy itself chooses the salt.
    SaltNotKept { skill: String },
    /// A rollback skips an org the skill is not deployed to.
    NotDeployed { skill: String, org: String },
    /// A rollback finds only one version ever deployed to these orgs.
    NothingToRollBack { orgs: Vec<String> },
}

/// State-only items (e.g. clearing promote's canary markers) applied once every org of `orgs`
/// runs `artifact` or is pinned, so that a partly failed run leaves them for the next one.
#[derive(Debug, Clone)]
pub struct Finally {
    pub artifact: Arc<Artifact>,
    pub orgs: Vec<String>,
    pub items: Vec<Item>,
}

impl Finally {
    /// Returns whether every org of `orgs` runs the artifact (or is pinned) in `state`.
    pub fn holds(&self, state: &State, instance: &str) -> bool {
        self.orgs.iter().all(|org| {
            state.deployment(instance, org, &self.artifact.id).is_some_and(|d| {
                d.strategy == Strategy::Pinned
                    || (d.content_hash == self.artifact.content_hash && d.version == self.artifact.version)
            })
        })
    }
}

impl Plan {
    /// Returns the number of items of each kind of change.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for item in &self.items {
            match item.change {
                Change::Create => c.create += 1,
                Change::Update { .. } | Change::Downgrade { .. } | Change::Reenable { .. } => c.update += 1,
                Change::Unchanged | Change::UnchangedPinned | Change::Record => c.unchanged += 1,
                Change::SkippedPinned { .. } => c.pinned += 1,
                Change::SkippedCanary => c.outside_canary += 1,
                Change::Remove => c.remove += 1,
            }
        }
        c
    }

    /// Returns whether running the plan would change anything.
    pub fn has_changes(&self) -> bool {
        self.items.iter().any(Item::changes_anything)
    }

    /// Returns how many items write to the ERP.
    pub fn writes(&self) -> usize {
        self.items.iter().filter(|i| i.change.writes()).count()
    }

    /// Returns the plan as a report (`--format json`).
    pub fn report(&self) -> PlanReport {
        PlanReport {
            title: self.title.clone(),
            items: self
                .items
                .iter()
                .map(|i| ItemReport {
                    change: i.change.clone(),
                    org: i.org.clone(),
                    kind: i.kind(),
                    name: i.name().to_owned(),
                    to: i.to_version(),
                    writes: i.change.writes(),
                })
                .collect(),
            counts: self.counts(),
            canary: self.canary.clone(),
            unreadable: Unreadable::list(&self.unreadable),
            changes: self.has_changes(),
        }
    }
}

/// A plan as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanReport {
    pub title: String,
    pub items: Vec<ItemReport>,
    pub counts: Counts,
    pub canary: BTreeMap<String, Vec<String>>,
    pub unreadable: Vec<Unreadable>,
    pub changes: bool,
}

/// One item of a plan as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReport {
    #[serde(flatten)]
    pub change: Change,
    pub org: String,
    pub kind: &'static str,
    pub name: String,
    pub to: String,
    pub writes: bool,
}

/// An org whose records could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub org: String,
    pub error: String,
}

impl Unreadable {
    /// Returns the reports of `(org, reason)` pairs.
    pub fn list(pairs: &[(String, String)]) -> Vec<Self> {
        pairs.iter().map(|(org, error)| Self { org: org.clone(), error: error.clone() }).collect()
    }
}

/// Counts of a plan's items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub pinned: usize,
    pub outside_canary: usize,
    pub remove: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to create, {} to update, {} unchanged", self.create, self.update, self.unchanged)?;
        if self.pinned > 0 {
            write!(f, ", {} skipped (pinned)", self.pinned)?;
        }
        if self.outside_canary > 0 {
            write!(f, ", {} outside the canary", self.outside_canary)?;
        }
        if self.remove > 0 {
            write!(f, ", {} to remove", self.remove)?;
        }
        Ok(())
    }
}

/// Returns the ERP record of an artifact: the interface fields, `isEnabled` (only active
/// skills run), `version`, `contentHash` and the artifact itself as `definition`.
pub fn skill_record(artifact: &Artifact) -> AgentSkill {
    let fields = |schema: &serde_json::Value| -> Vec<serde_json::Value> {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(serde_json::Value::as_str).collect())
            .unwrap_or_default();
        schema["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(name, s)| {
                        let mut f = serde_json::json!({"name": name, "required": required.contains(&name.as_str())});
                        for key in ["type", "title", "format", "items", "enum", "default", "description"] {
                            if let Some(v) = s.get(key) {
                                f[key] = v.clone();
                            }
                        }
                        f
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    AgentSkill {
        id: String::new(),
        organization_id: String::new(),
        slug: artifact.id.clone(),
        name: artifact.name.clone(),
        category: artifact.category.clone(),
        triggers: artifact.triggers.iter().filter_map(|t| serde_json::to_value(t).ok()).collect(),
        inputs: fields(&artifact.input_schema),
        outputs: fields(&artifact.output_schema),
        is_enabled: artifact.status == Status::Active,
        version: artifact.version.to_string(),
        content_hash: artifact.content_hash.clone(),
        definition: serde_json::to_value(artifact).unwrap_or_default(),
        created_at: None,
        updated_at: None,
        extra: crate::erp::Record::new(),
    }
}

/// Returns whether the live record is exactly what deploying `artifact` writes.
pub fn live_matches(live: Option<&LiveSkill>, artifact: &Artifact) -> bool {
    live.is_some_and(|l| {
        l.differing_hash(&artifact.content_hash).is_none()
            && l.version == artifact.version.to_string()
            && l.is_enabled == (artifact.status == Status::Active)
    })
}

/// Returns whether a live persona equals the wanted one.
pub fn persona_matches(live: Option<&AgentPersona>, want: &AgentPersona) -> bool {
    live.is_some_and(|l| {
        l.name == want.name
            && l.system_prompt == want.system_prompt
            && l.allowed_skills == want.allowed_skills
            && l.is_enabled == want.is_enabled
    })
}

/// Returns the change that moves an org from what it has (state `d`, live record) to
/// `artifact`, ignoring pins and canaries.
pub fn move_to(d: Option<&Deployment>, live: Option<&LiveSkill>, artifact: &Artifact) -> Change {
    if live_matches(live, artifact) {
        if d.is_some_and(|d| d.content_hash == artifact.content_hash) { Change::Unchanged } else { Change::Record }
    } else {
        match (live, d) {
            (Some(l), _) => {
                let from = if l.version.is_empty() { "?".to_owned() } else { l.version.clone() };
                if !l.is_enabled && artifact.status == Status::Active {
                    Change::Reenable { from }
                } else if semver::Version::parse(&l.version).is_ok_and(|v| v > artifact.version) {
                    Change::Downgrade { from }
                } else {
                    Change::Update { from }
                }
            }
            (None, Some(d)) => Change::Update { from: format!("{} (missing in the ERP)", d.version) },
            (None, None) => Change::Create,
        }
    }
}

/// The pinned rule, the same for deploy, promote and rollback: a pinned org keeps its version
/// (`unchanged (pinned)` when that is the wanted content, else skipped); `None` when the org
/// is not pinned.
pub fn pinned(d: Option<&Deployment>, artifact: &Artifact) -> Option<Change> {
    let d = d.filter(|d| d.strategy == Strategy::Pinned)?;
    Some(if d.content_hash == artifact.content_hash {
        Change::UnchangedPinned
    } else {
        Change::SkippedPinned { pinned: d.version.to_string() }
    })
}

/// Options of a deploy plan.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The canary: its orgs per skill id, and the percentage; `None` for a full deploy.
    pub canary: Option<(String, BTreeMap<String, Vec<String>>)>,
    pub now: jiff::Timestamp,
}

/// Plans a deploy of `artifacts` (and `personas`) to `orgs`.
pub fn deploy(
    state: &State,
    instance: &str,
    orgs: &[String],
    live: &BTreeMap<String, Live>,
    artifacts: &[Arc<Artifact>],
    personas: &[AgentPersona],
    options: &DeployOptions,
) -> Vec<Item> {
    let mut items = Vec::new();
    for org in orgs {
        let Some(live) = live.get(org) else { continue };
        for artifact in artifacts {
            let d = state.deployment(instance, org, &artifact.id);
            let live_skill = live.skills.get(&artifact.id);
            let subject = Subject::Skill(Arc::clone(artifact));
            if let Some(change) = pinned(d, artifact) {
                items.push(Item { org: org.clone(), subject, change, state: None });
                continue;
            }
            let canary = match &options.canary {
                None => {
                    if d.is_some_and(|d| d.canary.is_some()) {
                        CanaryMark::Clear
                    } else {
                        CanaryMark::Keep
                    }
                }
                Some((percent, selected)) => {
                    let inside = selected.get(&artifact.id).is_some_and(|s| s.contains(org));
                    if !inside {
                        let change = match move_to(d, live_skill, artifact) {
                            Change::Unchanged => Change::Unchanged,
                            _ => Change::SkippedCanary,
                        };
                        items.push(Item { org: org.clone(), subject, change, state: None });
                        continue;
                    }
                    match d.and_then(|d| d.canary.clone()) {
                        // A newer canary version starts a new canary (the gate counts from
                        // then); the baseline to return to stays the one before any canary.
                        Some(existing) if d.is_some_and(|d| d.content_hash != artifact.content_hash) => {
                            CanaryMark::Set(Canary { percent: percent.clone(), started_at: options.now, ..existing })
                        }
                        Some(existing) => CanaryMark::Set(Canary { percent: percent.clone(), ..existing }),
                        None if d.is_some_and(|d| d.content_hash == artifact.content_hash) => CanaryMark::Keep,
                        None => CanaryMark::Set(Canary {
                            percent: percent.clone(),
                            started_at: options.now,
                            baseline_version: d.map(|d| d.version.clone()),
                            baseline_hash: d.map(|d| d.content_hash.clone()),
                        }),
                    }
                }
            };
            let change = move_to(d, live_skill, artifact);
            let state = StateChange { action: Action::Deploy, strategy: None, canary, always_record: false };
            items.push(Item { org: org.clone(), subject, change, state: Some(state) });
        }
        for persona in personas {
            let change = match live.personas.get(&persona.slug) {
                Some(_) if persona_matches(live.personas.get(&persona.slug), persona) => Change::Unchanged,
                Some(_) => Change::Update { from: "-".to_owned() },
                None => Change::Create,
            };
            items.push(Item {
                org: org.clone(),
                subject: Subject::Persona(Box::new(persona.clone())),
                change,
                state: None,
            });
        }
    }
    items
}

/// Plans a promotion of `artifact` (the canary version) to `orgs`: every org not pinned moves
/// to it. The canary markers stay (see [`Finally`]): after a partial failure the canary is
/// still in progress, so promoting again finishes the job.
pub fn promote(
    state: &State,
    instance: &str,
    orgs: &[String],
    live: &BTreeMap<String, Live>,
    artifact: &Arc<Artifact>,
) -> Vec<Item> {
    let mut items = Vec::new();
    for org in orgs {
        let Some(l) = live.get(org) else { continue };
        let d = state.deployment(instance, org, &artifact.id);
        let subject = Subject::Skill(Arc::clone(artifact));
        if let Some(change) = pinned(d, artifact) {
            items.push(Item { org: org.clone(), subject, change, state: None });
            continue;
        }
        let change = move_to(d, l.skills.get(&artifact.id), artifact);
        let state =
            StateChange { action: Action::Promote, strategy: None, canary: CanaryMark::Keep, always_record: false };
        items.push(Item { org: org.clone(), subject, change, state: Some(state) });
    }
    items
}

/// Returns the state-only items that end a promotion: clearing the canary marker of each org
/// of `canary`.
pub fn end_canary(canary: &[String], artifact: &Arc<Artifact>) -> Vec<Item> {
    canary
        .iter()
        .map(|org| Item {
            org: org.clone(),
            subject: Subject::Skill(Arc::clone(artifact)),
            change: Change::Unchanged,
            state: Some(StateChange {
                action: Action::Promote,
                strategy: None,
                canary: CanaryMark::Clear,
                always_record: false,
            }),
        })
        .collect()
}

/// Where an abort returns a canary org.
#[derive(Debug, Clone)]
pub enum AbortTo {
    /// To the version it ran before the canary.
    Baseline(Arc<Artifact>),
    /// Nowhere: the canary created the skill there (the artifact is the canary's).
    Remove(Arc<Artifact>),
}

/// Plans an abort: each canary org of `targets` goes back to its baseline (or loses the skill)
/// and its canary marker is cleared.
pub fn abort(state: &State, instance: &str, targets: &[(String, AbortTo)], live: &BTreeMap<String, Live>) -> Vec<Item> {
    let mut items = Vec::new();
    for (org, to) in targets {
        let Some(l) = live.get(org) else { continue };
        let state_change =
            StateChange { action: Action::Abort, strategy: None, canary: CanaryMark::Clear, always_record: false };
        let (artifact, change) = match to {
            AbortTo::Baseline(a) => {
                let d = state.deployment(instance, org, &a.id);
                (a, move_to(d, l.skills.get(&a.id), a))
            }
            // A no-op when the record is already gone.
            AbortTo::Remove(a) => (a, Change::Remove),
        };
        items.push(Item {
            org: org.clone(),
            subject: Subject::Skill(Arc::clone(artifact)),
            change,
            state: Some(state_change),
        });
    }
    items
}

/// Plans a pin of `artifact` in `orgs`: each moves to it and is marked pinned (a history entry
/// even when the content stays); an org already pinned there is left alone.
pub fn pin(
    state: &State,
    instance: &str,
    orgs: &[String],
    live: &BTreeMap<String, Live>,
    artifact: &Arc<Artifact>,
) -> Vec<Item> {
    let mut items = Vec::new();
    for org in orgs {
        let Some(l) = live.get(org) else { continue };
        let d = state.deployment(instance, org, &artifact.id);
        let change = move_to(d, l.skills.get(&artifact.id), artifact);
        let already =
            change == Change::Unchanged && d.is_some_and(|d| d.strategy == Strategy::Pinned && d.canary.is_none());
        let state = (!already).then_some(StateChange {
            action: Action::Pin,
            strategy: Some(Strategy::Pinned),
            canary: CanaryMark::Clear,
            always_record: true,
        });
        items.push(Item { org: org.clone(), subject: Subject::Skill(Arc::clone(artifact)), change, state });
    }
    items
}

/// Returns the release before the current one: the newest history entry whose content differs.
pub fn previous(d: &Deployment) -> Option<(&semver::Version, &str)> {
    d.history.iter().rev().find(|r| r.hash != d.content_hash).map(|r| (&r.version, r.hash.as_str()))
}

/// Plans a rollback: each org of `targets` (deployed, readable) moves to its target artifact,
/// unless pinned; a canary marker is cleared.
pub fn rollback(
    state: &State,
    instance: &str,
    targets: &[(String, Arc<Artifact>)],
    live: &BTreeMap<String, Live>,
) -> Vec<Item> {
    let mut items = Vec::new();
    for (org, target) in targets {
        let Some(l) = live.get(org) else { continue };
        let d = state.deployment(instance, org, &target.id);
        let subject = Subject::Skill(Arc::clone(target));
        if let Some(change) = pinned(d, target) {
            items.push(Item { org: org.clone(), subject, change, state: None });
            continue;
        }
        let change = move_to(d, l.skills.get(&target.id), target);
        let canary = if d.is_some_and(|d| d.canary.is_some()) { CanaryMark::Clear } else { CanaryMark::Keep };
        let state = StateChange { action: Action::Rollback, strategy: None, canary, always_record: false };
        items.push(Item { org: org.clone(), subject, change, state: Some(state) });
    }
    items
}

/// Applies a successful item to the state: sets the deployed version, appends a history entry
/// when the content changed (or the item always records), and moves the canary marker and the
/// strategy. Returns whether the state changed.
pub fn apply_to_state(state: &mut State, instance: &str, item: &Item, now: jiff::Timestamp) -> bool {
    let (Subject::Skill(artifact), Some(change)) = (&item.subject, &item.state) else {
        return false;
    };
    if item.change == Change::Remove {
        let Some(orgs) = state.instances.get_mut(instance) else { return false };
        let removed = orgs.get_mut(&item.org).and_then(|skills| skills.remove(&artifact.id)).is_some();
        if orgs.get(&item.org).is_some_and(BTreeMap::is_empty) {
            orgs.remove(&item.org);
        }
        return removed;
    }
    let before = state.deployment(instance, &item.org, &artifact.id).cloned();
    let strategy_changes = change.strategy.is_some_and(|s| before.as_ref().is_none_or(|b| b.strategy != s));
    let hash_changes = before.as_ref().is_none_or(|b| b.content_hash != artifact.content_hash);
    if hash_changes || (change.always_record && strategy_changes) {
        state.record(
            instance,
            &item.org,
            &artifact.id,
            super::state::Release {
                version: artifact.version.clone(),
                hash: artifact.content_hash.clone(),
                time: now,
                action: change.action,
            },
        );
    }
    let Some(d) = state.deployment_mut(instance, &item.org, &artifact.id) else { return hash_changes };
    if let Some(strategy) = change.strategy {
        d.strategy = strategy;
    }
    match &change.canary {
        CanaryMark::Keep => {}
        CanaryMark::Set(c) => d.canary = Some(c.clone()),
        CanaryMark::Clear => d.canary = None,
    }
    Some(d.clone()) != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::state::Release;

    fn artifact(version: &str, prompt: &str) -> Arc<Artifact> {
        let mut a: Artifact = serde_json::from_value(serde_json::json!({
            "format": 1, "id": "a", "name": "A", "version": version, "status": "active", "category": "c",
            "description": "d", "triggers": [{"event": "manual_invoke"}], "dependencies": [], "permissions": [],
            "input_schema": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]},
            "output_schema": {}, "tools": [], "system_prompt": prompt,
            "limits": {"max_turns": 1, "max_wall_secs": 1, "max_cost_usd": 1.0, "max_output_tokens": 1,
                       "tier_calls": {}, "tools": {}},
            "source_hash": "s", "content_hash": ""
        }))
        .unwrap();
        a.content_hash = a.compute_content_hash();
        Arc::new(a)
    }

    fn orgs(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn options(canary: Option<(&str, &[&str])>) -> DeployOptions {
        DeployOptions {
            canary: canary.map(|(pct, orgs)| {
                (pct.to_owned(), [("a".to_owned(), orgs.iter().map(|o| (*o).to_owned()).collect())].into())
            }),
            now: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn changes(items: &[Item]) -> Vec<(String, Change)> {
        items.iter().map(|i| (i.org.clone(), i.change.clone())).collect()
    }

    #[test]
    fn a_record_carries_the_interface_and_the_artifact() {
        let a = artifact("1.0.0", "p");
        let r = skill_record(&a);
        assert_eq!(r.slug, "a");
        assert!(r.is_enabled);
        assert_eq!(r.inputs[0]["name"], "x");
        assert_eq!(r.inputs[0]["required"], true);
        assert_eq!(r.definition["content_hash"], a.content_hash.as_str());
        assert!(live_matches(Some(&LiveSkill::from(&r)), &a));
        let mut draft = (*a).clone();
        draft.status = Status::Draft;
        assert!(!skill_record(&draft).is_enabled);
    }

    #[test]
    fn plans_create_update_unchanged_record_and_pinned() {
        let v1 = artifact("1.0.0", "p1");
        let v2 = artifact("1.1.0", "p2");
        let mut state = State::default();
        let all = orgs(&["acme", "beta", "corp", "demo", "eve"]);
        let mut live: BTreeMap<String, Live> = all.iter().map(|o| (o.clone(), Live::default())).collect();
        for org in ["beta", "corp", "demo"] {
            let rel = Release {
                version: v1.version.clone(),
                hash: v1.content_hash.clone(),
                time: jiff::Timestamp::UNIX_EPOCH,
                action: Action::Deploy,
            };
            state.record("local", org, "a", rel);
            live.get_mut(org).unwrap().skills.insert("a".into(), LiveSkill::from(&skill_record(&v1)));
        }
        state.deployment_mut("local", "demo", "a").unwrap().strategy = Strategy::Pinned;
        // `corp` already holds v2 in the ERP (a run stopped before saving the state).
        live.get_mut("corp").unwrap().skills.insert("a".into(), LiveSkill::from(&skill_record(&v2)));
        live.remove("eve"); // unreadable
        let items = deploy(&state, "local", &all, &live, &[Arc::clone(&v2)], &[], &options(None));
        assert_eq!(
            changes(&items),
            vec![
                ("acme".into(), Change::Create),
                ("beta".into(), Change::Update { from: "1.0.0".into() }),
                ("corp".into(), Change::Record),
                ("demo".into(), Change::SkippedPinned { pinned: "1.0.0".into() }),
            ]
        );
        for item in &items {
            apply_to_state(&mut state, "local", item, jiff::Timestamp::UNIX_EPOCH);
        }
        let again = deploy(&state, "local", &all, &live, &[Arc::clone(&v2)], &[], &options(None));
        assert_eq!(again[2].change, Change::Unchanged);
        assert_eq!(state.deployment("local", "corp", "a").unwrap().history.len(), 2);
        // Applying the same item twice never duplicates history.
        assert!(!apply_to_state(&mut state, "local", &items[2], jiff::Timestamp::UNIX_EPOCH));
        assert_eq!(state.deployment("local", "corp", "a").unwrap().history.len(), 2);
    }

    #[test]
    fn downgrades_and_records_disabled_by_hand_are_named() {
        let v1 = artifact("1.0.0", "p1");
        let v2 = artifact("1.1.0", "p2");
        let live_v2 = LiveSkill::from(&skill_record(&v2));
        assert_eq!(move_to(None, Some(&live_v2), &v1), Change::Downgrade { from: "1.1.0".into() });
        assert_eq!(
            move_to(None, Some(&LiveSkill::from(&skill_record(&v1))), &v2),
            Change::Update { from: "1.0.0".into() }
        );
        let disabled = LiveSkill { is_enabled: false, ..live_v2 };
        assert_eq!(move_to(None, Some(&disabled), &v2), Change::Reenable { from: "1.1.0".into() });
        assert!(Change::Reenable { from: "1.1.0".into() }.writes() && Change::Downgrade { from: "x".into() }.writes());
    }

    #[test]
    fn canary_marks_keep_the_baseline() {
        let v1 = artifact("1.0.0", "p1");
        let v2 = artifact("1.1.0", "p2");
        let mut state = State::default();
        let all = orgs(&["acme", "beta"]);
        let mut live: BTreeMap<String, Live> = BTreeMap::new();
        for org in &all {
            let rel = Release {
                version: v1.version.clone(),
                hash: v1.content_hash.clone(),
                time: jiff::Timestamp::UNIX_EPOCH,
                action: Action::Deploy,
            };
            state.record("local", org, "a", rel);
            let mut l = Live::default();
            l.skills.insert("a".into(), LiveSkill::from(&skill_record(&v1)));
            live.insert(org.clone(), l);
        }
        let items = deploy(&state, "local", &all, &live, &[Arc::clone(&v2)], &[], &options(Some(("50%", &["beta"]))));
        assert_eq!(items[0].change, Change::SkippedCanary);
        assert_eq!(items[1].change, Change::Update { from: "1.0.0".into() });
        apply_to_state(&mut state, "local", &items[1], jiff::Timestamp::UNIX_EPOCH);
        let canary = state.deployment("local", "beta", "a").unwrap().canary.clone().unwrap();
        assert_eq!(canary.baseline_version, Some(v1.version.clone()));
        assert_eq!(canary.percent, "50%");
        // Growing the same canary keeps its start; a newer canary version starts it again (the
        // gate must not count the old version's invocations) and keeps the first baseline.
        live.get_mut("beta").unwrap().skills.insert("a".into(), LiveSkill::from(&skill_record(&v2)));
        let later = jiff::Timestamp::from_second(1_000).unwrap();
        let grow = DeployOptions { now: later, ..options(Some(("60%", &["beta"]))) };
        let items = deploy(&state, "local", &all, &live, &[Arc::clone(&v2)], &[], &grow);
        apply_to_state(&mut state, "local", &items[1], later);
        let canary = state.deployment("local", "beta", "a").unwrap().canary.clone().unwrap();
        assert_eq!((canary.percent.as_str(), canary.started_at), ("60%", jiff::Timestamp::UNIX_EPOCH));
        let v3 = artifact("1.2.0", "p3");
        let items = deploy(&state, "local", &all, &live, &[Arc::clone(&v3)], &[], &grow);
        assert_eq!(items[1].change, Change::Update { from: "1.1.0".into() });
        apply_to_state(&mut state, "local", &items[1], later);
        let canary = state.deployment("local", "beta", "a").unwrap().canary.clone().unwrap();
        assert_eq!(canary.started_at, later, "a new canary version restarts the canary");
        assert_eq!(canary.baseline_version, Some(v1.version.clone()));
        live.get_mut("beta").unwrap().skills.insert("a".into(), LiveSkill::from(&skill_record(&v3)));
        let v2 = v3;
        // A full deploy clears the marker.
        live.get_mut("beta").unwrap().skills.insert("a".into(), LiveSkill::from(&skill_record(&v2)));
        let items = deploy(&state, "local", &all, &live, &[Arc::clone(&v2)], &[], &options(None));
        assert_eq!(items[1].change, Change::Unchanged);
        assert!(items[1].changes_anything(), "clearing the canary marker is a change");
        apply_to_state(&mut state, "local", &items[1], jiff::Timestamp::UNIX_EPOCH);
        assert!(state.deployment("local", "beta", "a").unwrap().canary.is_none());
    }
}
