//! Lint and compile of the example project (the 10,000-skill corpus is measured with
//! `scripts/bench-corpus.sh`; see BENCHMARKS.md).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};

use agentb::config::Config;
use agentb::settings::Project;

fn example_project() -> Project {
    Project::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")), None, Config::default())
}

fn lint_example(c: &mut Criterion) {
    let project = example_project();
    c.bench_function("lint example project", |b| {
        b.iter(|| agentb::skill::project::load(&project).expect("example project loads"));
    });
}

fn compile_example(c: &mut Criterion) {
    let project = example_project();
    let ctx = agentb::skill::parse::ParseContext::new(&project.config);
    let ws = agentb::skill::project::load(&project).expect("example project loads");
    let skills: Vec<_> = ws.skills.iter().collect();
    c.bench_function("build artifacts of example project", |b| {
        b.iter(|| agentb::compile::artifacts(&ws, &ctx, &skills));
    });
}

criterion_group!(benches, lint_example, compile_example);
criterion_main!(benches);
