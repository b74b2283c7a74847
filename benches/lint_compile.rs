//! Lint and compile of the example project and of a generated corpus of 1,000 skills (about
//! 3 KB each, one in ten with lint problems), cold and through the incremental cache. The
//! 10,000-skill corpus and whole-process timings are measured with `scripts/bench-corpus.sh`;
//! see BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use agentb::config::Config;
use agentb::skill::parse::ParseContext;
use agentb::workspace::Project;
use agentb::workspace::cache::Cache;
use agentb::workspace::load::{self as project, Detail};

fn example_project() -> Project {
    Project::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")), None, Config::default())
}

fn lint_example(c: &mut Criterion) {
    let project = example_project();
    c.bench_function("lint example project", |b| {
        b.iter(|| project::load(&project).expect("example project loads"));
    });
}

fn compile_example(c: &mut Criterion) {
    let project = example_project();
    let ctx = ParseContext::new(&project.config);
    let ws = project::load(&project).expect("example project loads");
    let skills: Vec<_> = ws.skills.iter().collect();
    c.bench_function("build artifacts of example project", |b| {
        b.iter(|| agentb::workspace::build::artifacts(&ws, &ctx, &skills));
    });
}

/// A small deterministic generator (xorshift), so every run benches the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NOUNS: &[&str] = &["brief", "timeline", "budget", "client", "deliverable", "review", "campaign", "report"];
const VERBS: &[&str] = &["creator", "estimator", "checker", "analyzer", "tracker", "planner", "drafter"];
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "object", "date", "Brief", "Client", "string[]"];
const PERMISSIONS: &[&str] = &["brief:read", "brief:create", "client:read", "deliverable:read", "knowledge:read"];
const SENTENCES: &[&str] = &[
    "It reads the client's history first so that nothing it proposes contradicts what was agreed before.",
    "Every figure it reports comes from the ERP, never from a guess or an average of unrelated work.",
    "When information is missing it says so plainly instead of filling the gap with plausible text.",
    "The output is a draft for a human to approve; nothing is sent to a client without review.",
    "Client review rounds are planned explicitly, because feedback loops are where timelines slip.",
];

fn skill_id(i: usize) -> String {
    format!("{}-{}-{i}", NOUNS[i % NOUNS.len()], VERBS[(i / NOUNS.len()) % VERBS.len()])
}

/// Returns one skill of about 3 KB; every tenth has a problem or two.
fn skill(rng: &mut Rng, i: usize) -> String {
    let mut s = String::with_capacity(3500);
    let version = format!("{}.{}.{}", 1 + rng.below(2), rng.below(10), rng.below(20));
    let _ = write!(
        s,
        "---\nid: {}\ntype: skill\nversion: {version}\nstatus: active\ncategory: briefs\ndescription: {}\ntriggers:\n  - event: manual_invoke\n",
        skill_id(i),
        rng.pick(SENTENCES)
    );
    if rng.below(4) == 0 {
        s.push_str("  - schedule: \"0 8 * * 1-5\"\n");
    }
    s.push_str("inputs:\n");
    for n in 0..2 + rng.below(4) {
        let _ =
            write!(s, "  - name: input_{n}\n    type: {}\n    description: {}\n", rng.pick(TYPES), rng.pick(SENTENCES));
    }
    s.push_str("outputs:\n");
    for n in 0..=rng.below(3) {
        let _ = write!(
            s,
            "  - name: output_{n}\n    type: {}\n    description: {}\n",
            rng.pick(TYPES),
            rng.pick(SENTENCES)
        );
    }
    if i > 0 && rng.below(2) == 0 {
        let _ = write!(s, "dependencies:\n  - {}\n", skill_id(rng.below(i)));
    }
    let _ = write!(
        s,
        "permissions:\n  - {}\n  - {}\n---\n\n# Skill {i}\n\n## Purpose\n\n",
        rng.pick(PERMISSIONS),
        rng.pick(PERMISSIONS)
    );
    for _ in 0..4 {
        let _ = writeln!(s, "{}", rng.pick(SENTENCES));
    }
    s.push_str(
        "\n## Founder Knowledge\n\n> \"A brief is complete when it has actionable deliverables.\"\n\n## Process\n\n",
    );
    for n in 1..=5 + rng.below(3) {
        let _ = writeln!(s, "{n}. {}", rng.pick(SENTENCES));
    }
    s.push_str("\n## Error Handling\n\n| Error | Action |\n|-------|--------|\n| Missing client | Ask for the client id |\n| No past work | Warn that references must be added |\n\n## Constraints\n\n");
    for _ in 0..3 {
        let _ = writeln!(s, "- {}", rng.pick(SENTENCES));
    }
    if i % 10 == 7 {
        s = match rng.below(4) {
            0 => s.replacen("status: active", "status: Active", 1),
            1 => s.replacen("category:", "categry:", 1),
            2 => s.replacen("## Purpose", "## Purpse", 1),
            _ => s.replacen("permissions:\n", "permissions:\n  - brief:fly\n", 1),
        };
    }
    s
}

/// Writes a corpus of `count` skills into a new temporary project.
fn corpus(count: usize) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let skills = dir.path().join("skills");
    std::fs::create_dir_all(&skills).expect("skills folder");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..count {
        std::fs::write(skills.join(format!("{}.md", skill_id(i))), skill(&mut rng, i)).expect("a skill file");
    }
    // Let the files age past the cache's two-second guard against same-tick edits.
    let old = std::time::SystemTime::now() - Duration::from_mins(1);
    for entry in std::fs::read_dir(&skills).expect("skills folder") {
        let path = entry.expect("an entry").path();
        std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(old)).expect("mtime");
    }
    let project = Project::new(dir.path().to_owned(), None, Config::default());
    (dir, project)
}

fn warm_cache(project: &Project) {
    let mut cache = Cache::open(project);
    let ws = project::load_cached(project, &mut cache, Detail::UntilError).expect("corpus loads");
    let ctx = ParseContext::new(&project.config);
    let valid: Vec<_> = ws.summaries.iter().filter(|s| !ws.file_has_errors(&s.path)).map(|s| &**s).collect();
    let out = project.cache_dir().join("compiled");
    agentb::workspace::build::compile(&ws, &ctx, &valid, &out, false, &mut cache, None).expect("corpus compiles");
    cache.save(true);
}

fn corpus_1000(c: &mut Criterion) {
    let (_dir, project) = corpus(1000);
    let ctx = ParseContext::new(&project.config);
    let mut group = c.benchmark_group("corpus of 1,000 skills");
    group.sample_size(10).measurement_time(Duration::from_secs(10));

    group.bench_function("lint, no cache", |b| {
        b.iter(|| project::load(&project).expect("corpus loads"));
    });
    let ws = project::load(&project).expect("corpus loads");
    let valid: Vec<_> = ws.skills.iter().filter(|s| !ws.file_has_errors(&s.path)).collect();
    group.bench_function("build artifacts (in memory)", |b| {
        b.iter(|| agentb::workspace::build::artifacts(&ws, &ctx, &valid));
    });
    // Each run writes into a new folder, and none is deleted before the end: creating files
    // right after deleting as many makes ext4 hunt for free inodes, which would be measured.
    let runs = tempfile::tempdir().expect("a temporary folder");
    let mut run = 0;
    group.bench_function("compile into an empty folder", |b| {
        b.iter_batched(
            || {
                run += 1;
                runs.path().join(run.to_string())
            },
            |out| {
                let mut cache = Cache::open(&project);
                let ws = project::load_cached(&project, &mut cache, Detail::UntilError).expect("corpus loads");
                let valid: Vec<_> =
                    ws.summaries.iter().filter(|s| !ws.file_has_errors(&s.path)).map(|s| &**s).collect();
                agentb::workspace::build::compile(&ws, &ctx, &valid, &out, false, &mut cache, None).expect("compiles");
            },
            BatchSize::PerIteration,
        );
    });

    warm_cache(&project);
    group.bench_function("lint, warm cache", |b| {
        b.iter(|| {
            let mut cache = Cache::open(&project);
            project::load_cached(&project, &mut cache, Detail::Summaries).expect("corpus loads")
        });
    });
    let out = project.cache_dir().join("compiled");
    group.bench_function("compile, warm cache", |b| {
        b.iter(|| {
            let mut cache = Cache::open(&project);
            let ws = project::load_cached(&project, &mut cache, Detail::UntilError).expect("corpus loads");
            let valid: Vec<_> = ws.summaries.iter().filter(|s| !ws.file_has_errors(&s.path)).map(|s| &**s).collect();
            let stamps = agentb::workspace::build::artifact_stamps(&out);
            agentb::workspace::build::compile(&ws, &ctx, &valid, &out, false, &mut cache, stamps).expect("compiles");
            cache.save(true);
        });
    });
    let touched = project.skills_dir().join(format!("{}.md", skill_id(500)));
    group.bench_function("compile after touching one file", |b| {
        b.iter_batched(
            || {
                std::fs::File::options()
                    .write(true)
                    .open(&touched)
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()))
                    .expect("touch");
            },
            |()| {
                let mut cache = Cache::open(&project);
                let ws = project::load_cached(&project, &mut cache, Detail::UntilError).expect("corpus loads");
                let valid: Vec<_> =
                    ws.summaries.iter().filter(|s| !ws.file_has_errors(&s.path)).map(|s| &**s).collect();
                let stamps = agentb::workspace::build::artifact_stamps(&out);
                agentb::workspace::build::compile(&ws, &ctx, &valid, &out, false, &mut cache, stamps)
                    .expect("compiles");
                cache.save(true);
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, lint_example, compile_example, corpus_1000);
criterion_main!(benches);
