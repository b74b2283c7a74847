//! The release use-cases in process: an in-memory ERP, a temp dir for the state and the
//! release store, and plans carried out with [`ReleaseSession::apply`].

use std::sync::Arc;

use super::{abort, deploy, pin, promote, rollback};
use crate::compile::Artifact;
use crate::deploy::error::DeployError;
use crate::deploy::plan::{Change, Plan};
use crate::deploy::session::ReleaseSession;
use crate::deploy::state::{Action, SkillMeta, Strategy};
use crate::erp::local::LocalErp;
use crate::erp::{AGENT_INVOCATIONS, Erp as _, ErpExt as _, Instance};

const ORGS: [&str; 4] = ["acme", "beta", "corp", "demo"];

fn artifact(version: &str, prompt: &str) -> Arc<Artifact> {
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
    Arc::new(a)
}

/// A project-less release setup: an in-memory ERP with [`ORGS`], the state in a temp dir.
struct Setup {
    dir: tempfile::TempDir,
    erp: LocalErp,
}

impl Setup {
    fn new() -> Self {
        let erp = LocalErp::in_memory("mem").unwrap();
        for org in ORGS {
            erp.add_org(org, org).unwrap();
        }
        Self { dir: tempfile::tempdir().unwrap(), erp }
    }

    /// Opens a session (the lock held until it is dropped).
    fn session(&self) -> ReleaseSession {
        let config = toml::from_str("url = \"local\"").unwrap();
        let instance = Instance { name: "mem".into(), config, erp: Arc::new(self.erp.clone()) };
        ReleaseSession::new(instance, self.dir.path(), Some("agentb test")).unwrap()
    }

    /// Plans and carries out a deploy of `a` (to `canary` percent of the orgs).
    fn deploy(&self, a: &Arc<Artifact>, canary: Option<&str>) -> ReleaseSession {
        let mut s = self.session();
        // A fixed salt: the canary picks the same orgs every run.
        s.state.skills.entry("a".into()).or_insert_with(|| SkillMeta { salt: "s4lt".into() });
        let options = deploy::Options {
            artifacts: vec![Arc::clone(a)],
            canary: canary.map(|c| crate::deploy::bucket::Percent::parse(c).unwrap()),
            concurrency: 2,
            ..deploy::Options::default()
        };
        let plan = deploy::plan(&mut s, &options, &()).unwrap();
        let report = s.apply(plan, 2, &()).unwrap();
        assert!(report.failures.is_empty(), "{report:?}");
        s
    }

    /// Returns the live version of skill `a` in `org`, if any.
    fn live(&self, s: &ReleaseSession, org: &str) -> Option<String> {
        s.rt.block_on(self.erp.skill(org, "a")).unwrap().map(|r| r.version)
    }
}

fn changes(plan: &Plan) -> Vec<(String, Change)> {
    plan.items.iter().map(|i| (i.org.clone(), i.change.clone())).collect()
}

fn canary_orgs(s: &ReleaseSession) -> Vec<String> {
    s.canary_orgs("a").into_iter().map(|(o, _)| o).collect()
}

#[test]
fn a_deploy_plan_reports_the_json_the_cli_prints() {
    let setup = Setup::new();
    let v1 = artifact("1.0.0", "p1");
    drop(setup.deploy(&v1, None));
    let mut s = setup.session();
    s.state.deployment_mut("mem", "demo", "a").unwrap().strategy = Strategy::Pinned;
    let options = deploy::Options { artifacts: vec![artifact("1.1.0", "p2")], concurrency: 2, ..Default::default() };
    let plan = deploy::plan(&mut s, &options, &()).unwrap();
    insta::assert_snapshot!("deploy_plan", serde_json::to_string_pretty(&plan.report()).unwrap());
}

#[test]
fn promote_moves_every_org_and_then_ends_the_canary() {
    let setup = Setup::new();
    let (v1, v2) = (artifact("1.0.0", "p1"), artifact("1.1.0", "p2"));
    drop(setup.deploy(&v1, None));
    let s = setup.deploy(&v2, Some("25%"));
    let canary = canary_orgs(&s);
    assert_eq!(canary, ["acme", "corp"], "25% of 4 orgs, by the salt");
    drop(s);

    let mut s = setup.session();
    let options = promote::Options {
        skill: "a".into(),
        force: false,
        max_failure_rate: 0.05,
        min_invocations: 0,
        concurrency: 2,
    };
    let promote::Promotion::Ready { plan, gate, version } = promote::plan(&s, &options, &()).unwrap() else {
        panic!("the gate passes without invocations when it asks for none");
    };
    assert_eq!(version, v2.version);
    let check = gate.checked.clone().unwrap();
    assert!(check.passed);
    assert_eq!(check.canary.orgs, canary);
    assert_eq!(check.baseline.orgs, ["beta", "demo"]);
    assert_eq!(check.reason.as_deref(), Some("the canary orgs have no finished invocations yet"));
    let planned = changes(&plan);
    assert_eq!(
        planned,
        [
            ("acme".to_owned(), Change::Unchanged),
            ("beta".to_owned(), Change::Update { from: "1.0.0".into() }),
            ("corp".to_owned(), Change::Unchanged),
            ("demo".to_owned(), Change::Update { from: "1.0.0".into() }),
        ]
    );
    let report = s.apply(plan, 2, &()).unwrap();
    assert_eq!((report.written, report.written_orgs, report.unchanged), (2, 2, 2));
    for org in ORGS {
        let d = s.state.deployment("mem", org, "a").unwrap();
        assert_eq!(d.version, v2.version, "{org}");
        assert!(d.canary.is_none(), "{org}: the canary is over");
        assert_eq!(setup.live(&s, org).as_deref(), Some("1.1.0"));
    }
    let baseline = ORGS.iter().find(|o| !canary.contains(&(**o).to_owned())).unwrap();
    let history = &s.state.deployment("mem", baseline, "a").unwrap().history;
    assert_eq!(history.last().unwrap().action, Action::Promote);
    // The state on disk says the same: promote saved it through apply.
    drop(s);
    let s = setup.session();
    assert!(canary_orgs(&s).is_empty());
    let err = promote::plan(&s, &options, &()).unwrap_err();
    assert!(matches!(err, DeployError::NoCanary { .. }), "{err}");
}

#[test]
fn a_failing_canary_blocks_the_promotion_and_a_pinned_org_stays() {
    let setup = Setup::new();
    let (v1, v2) = (artifact("1.0.0", "p1"), artifact("1.1.0", "p2"));
    drop(setup.deploy(&v1, None));
    let s = setup.deploy(&v2, Some("25%"));
    let canary = canary_orgs(&s)[0].clone();
    let invocation = |status: &str, hash: &str| {
        let v = serde_json::json!({"skillId": "a", "status": status, "input": {}, "triggeredBy": "test", "contentHash": hash});
        v.as_object().unwrap().clone()
    };
    for status in ["failed", "completed"] {
        s.rt.block_on(setup.erp.create(&canary, AGENT_INVOCATIONS, invocation(status, &v2.content_hash))).unwrap();
    }
    // Runs of another artifact (the working copy, the old version) are not the canary's evidence.
    for hash in [v1.content_hash.as_str(), "sha256:other"] {
        s.rt.block_on(setup.erp.create(&canary, AGENT_INVOCATIONS, invocation("failed", hash))).unwrap();
    }
    let options = promote::Options {
        skill: "a".into(),
        force: false,
        max_failure_rate: 0.05,
        min_invocations: 2,
        concurrency: 2,
    };
    let promote::Promotion::Blocked(blocked) = promote::plan(&s, &options, &()).unwrap() else {
        panic!("a 50% failure rate fails the gate");
    };
    assert!(!blocked.promoted);
    insta::assert_snapshot!(
        "promote_blocked",
        serde_json::to_string_pretty(&blocked)
            .unwrap()
            .lines()
            .filter(|l| !l.contains("\"since\""))
            .collect::<Vec<_>>()
            .join("\n")
    );
    drop(s);

    // `--force` promotes anyway, except where an org is pinned.
    let mut s = setup.session();
    let pinned = ORGS.iter().map(|o| (*o).to_owned()).find(|o| *o != canary).unwrap();
    s.state.deployment_mut("mem", &pinned, "a").unwrap().strategy = Strategy::Pinned;
    let forced = promote::Options { force: true, ..options };
    let promote::Promotion::Ready { plan, gate, .. } = promote::plan(&s, &forced, &()).unwrap() else {
        panic!("`force` skips the gate");
    };
    assert_eq!(gate, promote::GateReport { skipped: true, checked: None });
    assert!(changes(&plan).contains(&(pinned.clone(), Change::SkippedPinned { pinned: "1.0.0".into() })));
    let report = super::ReleaseReport {
        plan: plan.report(),
        result: super::Outcome::Cancelled { cancelled: true },
        gate: Some(gate),
    };
    insta::assert_snapshot!("promote_forced", serde_json::to_string_pretty(&report).unwrap());
    s.apply(plan, 2, &()).unwrap();
    assert_eq!(s.state.deployment("mem", &pinned, "a").unwrap().version, v1.version, "pinned stays");
    assert_eq!(setup.live(&s, &pinned).as_deref(), Some("1.0.0"));
    assert!(canary_orgs(&s).is_empty(), "every org runs the version or is pinned: the canary is over");
}

#[test]
fn too_few_canary_invocations_of_the_canary_artifact_leave_the_gate_inconclusive() {
    let setup = Setup::new();
    let (v1, v2) = (artifact("1.0.0", "p1"), artifact("1.1.0", "p2"));
    drop(setup.deploy(&v1, None));
    let s = setup.deploy(&v2, Some("25%"));
    let canary = canary_orgs(&s);
    let baseline: Vec<&str> = ORGS.iter().copied().filter(|o| !canary.contains(&(*o).to_owned())).collect();
    let invocation = |status: &str, hash: &str| {
        let v = serde_json::json!({"skillId": "a", "status": status, "input": {}, "triggeredBy": "test", "contentHash": hash});
        v.as_object().unwrap().clone()
    };
    let add = |org: &str, status: &str, hash: &str| {
        s.rt.block_on(setup.erp.create(org, AGENT_INVOCATIONS, invocation(status, hash))).unwrap();
    };
    for _ in 0..3 {
        add(&canary[0], "completed", &v2.content_hash);
        // The working copy run in a canary org, and a still running invocation: neither counts.
        add(&canary[0], "completed", "sha256:working-copy");
        add(&canary[0], "running", &v2.content_hash);
        // A baseline org counts the runs of its own artifact only.
        add(baseline[0], "failed", &v1.content_hash);
        add(baseline[0], "completed", &v2.content_hash);
    }
    let options = promote::Options {
        skill: "a".into(),
        force: false,
        max_failure_rate: 0.05,
        min_invocations: 5,
        concurrency: 2,
    };
    let promote::Promotion::Blocked(blocked) = promote::plan(&s, &options, &()).unwrap() else {
        panic!("3 of 5 finished canary invocations is inconclusive");
    };
    let check = blocked.gate.checked.unwrap();
    assert!(check.inconclusive && !check.passed);
    assert_eq!((check.canary.completed, check.canary.failed), (3, 0));
    assert_eq!((check.baseline.completed, check.baseline.failed), (0, 3));
    assert_eq!((check.min_invocations, check.canary_hash.as_str()), (5, v2.content_hash.as_str()));
    assert!(
        check.reason.unwrap().ends_with("3 of the 5 finished invocations of the canary version it needs (2 more runs)")
    );
    // Two more runs of the canary artifact make the evidence enough; the rate rules decide.
    add(&canary[0], "completed", &v2.content_hash);
    add(&canary[0], "completed", &v2.content_hash);
    let promote::Promotion::Ready { gate, .. } = promote::plan(&s, &options, &()).unwrap() else {
        panic!("5 completed canary invocations pass");
    };
    let check = gate.checked.unwrap();
    assert!(check.passed && !check.inconclusive && check.reason.is_none(), "{check:?}");
    assert_eq!(check.canary.completed, 5);
    // `force` skips the gate, evidence or not.
    let forced = promote::Options { force: true, min_invocations: 1000, ..options };
    assert!(matches!(promote::plan(&s, &forced, &()).unwrap(), promote::Promotion::Ready { .. }));
}

#[test]
fn abort_returns_the_canary_to_its_baseline_or_removes_what_it_created() {
    let setup = Setup::new();
    let (v1, v2) = (artifact("1.0.0", "p1"), artifact("1.1.0", "p2"));
    // A canary from nothing: abort removes the skill.
    let s = setup.deploy(&v1, Some("25%"));
    let first = canary_orgs(&s);
    drop(s);
    let mut s = setup.session();
    let options = abort::Options { skill: "a".into(), concurrency: 2 };
    let plan = abort::plan(&s, &options, &()).unwrap();
    assert_eq!(changes(&plan), [("acme".to_owned(), Change::Remove), ("corp".to_owned(), Change::Remove)]);
    assert_eq!(first, ["acme", "corp"]);
    s.apply(plan, 2, &()).unwrap();
    for org in &first {
        assert!(s.state.deployment("mem", org, "a").is_none());
        assert_eq!(setup.live(&s, org), None, "the record is removed");
    }
    drop(s);

    // A canary over v1: abort goes back to v1, with a history entry.
    drop(setup.deploy(&v1, None));
    let s = setup.deploy(&v2, Some("25%"));
    let canary = canary_orgs(&s);
    drop(s);
    let mut s = setup.session();
    let plan = abort::plan(&s, &options, &()).unwrap();
    // Back to an older version: named as a downgrade.
    let back = Change::Downgrade { from: "1.1.0".into() };
    assert_eq!(changes(&plan), [("acme".to_owned(), back.clone()), ("corp".to_owned(), back)]);
    let report = s.apply(plan, 2, &()).unwrap();
    assert_eq!(report.written, 2);
    assert_eq!(s.state.deployment("mem", "beta", "a").unwrap().version, v1.version, "outside the canary");
    let d = s.state.deployment("mem", &canary[0], "a").unwrap();
    assert_eq!((d.version.clone(), d.canary.is_none()), (v1.version.clone(), true));
    assert_eq!(d.history.last().unwrap().action, Action::Abort);
    assert_eq!(setup.live(&s, &canary[0]).as_deref(), Some("1.0.0"));
    assert!(matches!(abort::plan(&s, &options, &()), Err(DeployError::NoCanary { .. })));
}

#[test]
fn rollback_goes_to_the_previous_or_a_named_version_and_skips_pinned_orgs() {
    let setup = Setup::new();
    let (v1, v2, v3) = (artifact("1.0.0", "p1"), artifact("2.0.0", "p2"), artifact("3.0.0", "p3"));
    drop(setup.deploy(&v1, None));
    drop(setup.deploy(&v2, None));
    let mut s = setup.session();
    s.state.deployment_mut("mem", "demo", "a").unwrap().strategy = Strategy::Pinned;
    let options = rollback::Options { skill: "a".into(), to: None, orgs: Vec::new(), concurrency: 2 };
    let plan = rollback::plan(&s, &options, &()).unwrap();
    let planned = changes(&plan);
    assert_eq!(planned[0], ("acme".to_owned(), Change::Downgrade { from: "2.0.0".into() }));
    assert_eq!(planned[3], ("demo".to_owned(), Change::SkippedPinned { pinned: "2.0.0".into() }));
    s.apply(plan, 2, &()).unwrap();
    let d = s.state.deployment("mem", "acme", "a").unwrap();
    assert_eq!(d.version, v1.version);
    assert_eq!(
        d.history.iter().map(|r| r.action).collect::<Vec<_>>(),
        [Action::Deploy, Action::Deploy, Action::Rollback]
    );
    assert_eq!(s.state.deployment("mem", "demo", "a").unwrap().version, v2.version);
    assert_eq!(setup.live(&s, "acme").as_deref(), Some("1.0.0"));
    drop(s);

    // `--to` a kept version; one never kept is an error naming the kept ones.
    drop(setup.deploy(&v3, None));
    let mut s = setup.session();
    let to = rollback::Options { to: Some(v2.version.clone()), orgs: vec!["beta".into()], ..options.clone() };
    let plan = rollback::plan(&s, &to, &()).unwrap();
    assert_eq!(changes(&plan), vec![("beta".to_owned(), Change::Downgrade { from: "3.0.0".into() })]);
    s.apply(plan, 2, &()).unwrap();
    assert_eq!(s.state.deployment("mem", "beta", "a").unwrap().version, v2.version);
    let missing = rollback::Options { to: Some(semver::Version::new(9, 0, 0)), ..options.clone() };
    let err = rollback::plan(&s, &missing, &()).unwrap_err();
    assert_eq!(err.hint().as_deref(), Some("kept versions: 1.0.0, 2.0.0, 3.0.0"), "{err}");
    let unknown = rollback::Options { orgs: vec!["acmee".into()], ..options };
    let err = rollback::plan(&s, &unknown, &()).unwrap_err();
    assert_eq!(err.hint().as_deref(), Some("did you mean `acme`?"), "{err}");
}

#[test]
fn rollback_without_an_earlier_version_is_an_error_with_its_notes() {
    let setup = Setup::new();
    drop(setup.deploy(&artifact("1.0.0", "p1"), None));
    let s = setup.session();
    let options = rollback::Options { skill: "a".into(), to: None, orgs: Vec::new(), concurrency: 2 };
    match rollback::plan(&s, &options, &()) {
        Err(DeployError::NothingToRollBack { notes, .. }) => assert_eq!(notes.len(), 1, "{notes:?}"),
        other => panic!("{:?}", other.map(|p| changes(&p))),
    }
    let other = rollback::Options { skill: "b".into(), ..options };
    assert!(matches!(rollback::plan(&s, &other, &()), Err(DeployError::NotDeployed { .. })));
}

#[test]
fn pin_keeps_orgs_on_a_version_until_unpinned() {
    let setup = Setup::new();
    let (v1, v2) = (artifact("1.0.0", "p1"), artifact("1.1.0", "p2"));
    drop(setup.deploy(&v1, None));
    drop(setup.deploy(&v2, None));
    let mut s = setup.session();
    let options = pin::Options {
        skill: "a".into(),
        version: v1.version.clone(),
        orgs: vec!["acme".into(), "beta".into()],
        concurrency: 2,
    };
    let plan = pin::plan(&s, &options, &()).unwrap();
    assert_eq!(plan.writes(), 2);
    s.apply(plan, 2, &()).unwrap();
    for org in ["acme", "beta"] {
        let d = s.state.deployment("mem", org, "a").unwrap();
        assert_eq!((d.version.clone(), d.strategy), (v1.version.clone(), Strategy::Pinned), "{org}");
        assert_eq!(d.history.last().unwrap().action, Action::Pin);
        assert_eq!(setup.live(&s, org).as_deref(), Some("1.0.0"));
    }
    // Pinning again changes nothing; a deploy skips the pinned orgs.
    let again = pin::plan(&s, &options, &()).unwrap();
    assert!(!again.has_changes(), "{:?}", changes(&again));
    drop(s);
    drop(setup.deploy(&v2, None));
    let mut s = setup.session();
    assert_eq!(s.state.deployment("mem", "acme", "a").unwrap().version, v1.version);

    let unpin = pin::UnpinOptions { skill: "a".into(), orgs: vec!["acme".into(), "corp".into()] };
    let report = pin::unpin(&mut s, &unpin).unwrap();
    assert_eq!((report.unpinned, report.not_pinned), (vec!["acme".to_owned()], vec!["corp".to_owned()]));
    let other = pin::UnpinOptions { skill: "b".into(), orgs: vec!["acme".into()] };
    assert_eq!(pin::unpin(&mut s, &other).unwrap().not_deployed, ["acme"]);
    drop(s);
    let s = setup.deploy(&v2, None);
    assert_eq!(s.state.deployment("mem", "acme", "a").unwrap().version, v2.version, "unpinned: it follows");
    assert_eq!(s.state.deployment("mem", "beta", "a").unwrap().version, v1.version, "still pinned");
}

#[test]
fn a_second_session_fails_fast_on_the_lock() {
    let setup = Setup::new();
    let held = setup.session();
    let config = toml::from_str("url = \"local\"").unwrap();
    let instance = Instance { name: "mem".into(), config, erp: Arc::new(setup.erp.clone()) };
    let err = ReleaseSession::new(instance, setup.dir.path(), Some("agentb deploy")).err().unwrap();
    assert!(matches!(err, DeployError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("agentb test"), "{err}");
    drop(held);
}
