//! The in-process parts of a deploy of the example project's skills to 1,000 orgs: canary
//! bucketing, planning against up-to-date live records, and saving the state file (done every
//! 250 ms while results arrive). The whole deploy against `agentb erp serve` on loopback is
//! measured with `scripts/bench-deploy.sh`; see BENCHMARKS.md.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

use agentb::config::Config;
use agentb::deploy::bucket::{Percent, canary_orgs};
use agentb::deploy::plan::{self, DeployOptions, Live, LiveSkill, skill_record};
use agentb::deploy::state::{Action, Release, State};
use agentb::skill::parse::ParseContext;
use agentb::workspace::Project;
use agentb::workspace::load as project;

fn setup() -> (Vec<String>, Vec<Arc<agentb::compile::Artifact>>, State, BTreeMap<String, Live>) {
    let project = Project::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")), None, Config::default());
    let ws = project::load(&project).expect("example project loads");
    let skills: Vec<_> = ws.skills.iter().take(5).collect();
    let artifacts: Vec<Arc<_>> = agentb::workspace::build::artifacts(&ws, &ParseContext::new(&project.config), &skills)
        .into_iter()
        .map(Arc::new)
        .collect();
    let orgs: Vec<String> = (1..=1000).map(|i| format!("org-{i:04}")).collect();
    let mut state = State::default();
    let mut live = BTreeMap::new();
    for org in &orgs {
        let mut l = Live::default();
        for a in &artifacts {
            let release = Release {
                version: a.version.clone(),
                hash: a.content_hash.clone(),
                time: jiff::Timestamp::UNIX_EPOCH,
                action: Action::Deploy,
            };
            state.record("bench", org, &a.id, release);
            l.skills.insert(a.id.clone(), LiveSkill::from(&skill_record(a)));
        }
        live.insert(org.clone(), l);
    }
    (orgs, artifacts, state, live)
}

fn benches(c: &mut Criterion) {
    let (orgs, artifacts, state, live) = setup();
    c.bench_function("canary 10% of 1,000 orgs", |b| {
        let pct = Percent::parse("10%").unwrap();
        b.iter(|| canary_orgs("brief-creator", "s4lt", &orgs, pct));
    });
    c.bench_function("plan 5 skills x 1,000 orgs, all up to date", |b| {
        let options = DeployOptions { canary: None, now: jiff::Timestamp::UNIX_EPOCH };
        b.iter(|| plan::deploy(&state, "bench", &orgs, &live, &artifacts, &[], &options));
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.toml");
    c.bench_function("save the state of 5 skills x 1,000 orgs", |b| {
        b.iter(|| state.save(&path).unwrap());
    });
}

criterion_group! {
    name = deploy;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(deploy);
